//! The file drop zone: a real button (so it is reachable and operable from the
//! keyboard) that opens the file picker, and a target for dropped files; plus
//! a button to choose a whole folder, for a specification split over files.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{File, HtmlInputElement};

use crate::components::icon::{Icon, IconKind};

/// Accepted file types, as a hint to the file picker (any file can still be
/// chosen; the converter says what is wrong with one it cannot read).
pub const ACCEPT: &str = ".json,.yaml,.yml,.har,application/json,application/yaml,text/yaml";

fn files_of(list: Option<web_sys::FileList>) -> Vec<File> {
    let Some(list) = list else { return Vec::new() };
    (0..list.length()).filter_map(|i| list.get(i)).collect()
}

/// A drop zone that hands the chosen or dropped files to `on_files`, with
/// `true` when they are the files of a chosen folder.
#[component]
pub fn DropZone<F>(
    /// Called with the files the person chose or dropped (one, or several
    /// when a specification is split over files).
    on_files: F,
    /// True while a file is being converted.
    #[prop(into)]
    busy: Signal<bool>,
) -> impl IntoView
where
    F: Fn(Vec<File>, bool) + Clone + 'static,
{
    let input_ref = NodeRef::<leptos::html::Input>::new();
    let folder_ref = NodeRef::<leptos::html::Input>::new();
    let (hovering, set_hovering) = signal(false);

    let open_picker = move |_| {
        if let Some(input) = input_ref.get() {
            input.click();
        }
    };
    let changed = move |on_files: F, from_folder: bool| {
        move |event: leptos::ev::Event| {
            let Some(input) = event
                .target()
                .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
            else {
                return;
            };
            let files = files_of(input.files());
            if !files.is_empty() {
                on_files(files, from_folder);
            }
            // Choosing the same files again must load them again.
            input.set_value("");
        }
    };
    let on_change = changed(on_files.clone(), false);
    let on_folder_change = changed(on_files.clone(), true);
    // `webkitdirectory` (supported by every current browser) makes the
    // picker choose a folder; Leptos' view macro has no attribute for it.
    Effect::new(move |_| {
        if let Some(input) = folder_ref.get() {
            let _ = input.set_attribute("webkitdirectory", "");
        }
    });
    let open_folder = move |_| {
        if let Some(input) = folder_ref.get() {
            input.click();
        }
    };
    let on_drop = move |event: leptos::ev::DragEvent| {
        event.prevent_default();
        set_hovering.set(false);
        let files = files_of(event.data_transfer().and_then(|transfer| transfer.files()));
        if !files.is_empty() {
            on_files(files, false);
        }
    };
    let on_drag_over = move |event: leptos::ev::DragEvent| {
        event.prevent_default();
        set_hovering.set(true);
    };

    view! {
        <div class="drop-zone-wrap">
            <button
                type="button"
                class="drop-zone"
                class:drop-zone--hover=hovering
                data-testid="drop-zone"
                aria-describedby="drop-zone-hint"
                aria-busy=move || busy.get().to_string()
                on:click=open_picker
                on:dragover=on_drag_over
                on:dragenter=on_drag_over
                on:dragleave=move |_| set_hovering.set(false)
                on:drop=on_drop
            >
                <span class="drop-zone__icon"><Icon kind=IconKind::Upload /></span>
                <span class="drop-zone__title">"Drop a specification here, or choose a file"</span>
                <span class="drop-zone__hint" id="drop-zone-hint">
                    "OpenAPI 2.0, 3.0 or 3.1, Postman Collection 2.1 or HAR, in JSON or YAML; select several files when the specification is split over them. Files stay on this device."
                </span>
            </button>
            <input
                type="file"
                class="visually-hidden"
                tabindex="-1"
                aria-hidden="true"
                accept=ACCEPT
                multiple
                data-testid="file-input"
                node_ref=input_ref
                on:change=on_change
            />
            <input
                type="file"
                class="visually-hidden"
                tabindex="-1"
                aria-hidden="true"
                multiple
                data-testid="folder-input"
                node_ref=folder_ref
                on:change=on_folder_change
            />
            <button type="button" class="button button--link folder-button" data-testid="choose-folder" on:click=open_folder>
                "Choose a folder instead"
            </button>
        </div>
    }
}
