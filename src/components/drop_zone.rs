//! The file drop zone: a real button (so it is reachable and operable from the
//! keyboard) that opens the file picker, and a target for dropped files.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{File, HtmlInputElement};

use crate::components::icon::{Icon, IconKind};

/// Accepted file types, as a hint to the file picker (any file can still be
/// chosen; the converter says what is wrong with one it cannot read).
pub const ACCEPT: &str = ".json,.yaml,.yml,.har,application/json,application/yaml,text/yaml";

/// A drop zone that hands the chosen or dropped file to `on_file`.
#[component]
pub fn DropZone(
    /// Called with the file the person chose or dropped.
    on_file: impl Fn(File) + Clone + 'static,
    /// True while a file is being converted.
    #[prop(into)]
    busy: Signal<bool>,
) -> impl IntoView {
    let input_ref = NodeRef::<leptos::html::Input>::new();
    let (hovering, set_hovering) = signal(false);

    let open_picker = move |_| {
        if let Some(input) = input_ref.get() {
            input.click();
        }
    };
    let on_change = {
        let on_file = on_file.clone();
        move |event: leptos::ev::Event| {
            let Some(input) = event
                .target()
                .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
            else {
                return;
            };
            if let Some(file) = input.files().and_then(|files| files.get(0)) {
                on_file(file);
            }
            // Choosing the same file again must load it again.
            input.set_value("");
        }
    };
    let on_drop = move |event: leptos::ev::DragEvent| {
        event.prevent_default();
        set_hovering.set(false);
        let file = event
            .data_transfer()
            .and_then(|transfer| transfer.files())
            .and_then(|files| files.get(0));
        if let Some(file) = file {
            on_file(file);
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
                    "OpenAPI 3.0 or Swagger 2.0, JSON or YAML. The file stays on this device."
                </span>
            </button>
            <input
                type="file"
                class="visually-hidden"
                tabindex="-1"
                aria-hidden="true"
                accept=ACCEPT
                data-testid="file-input"
                node_ref=input_ref
                on:change=on_change
            />
        </div>
    }
}
