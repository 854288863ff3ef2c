//! The specification preview: give a specification, see what a prescan would
//! send (summary, endpoints, notes, the converted HAR), and download it.

use std::rc::Rc;

use js_sys::Uint8Array;
use leptos::prelude::*;
use leptos::task::spawn_local;
use prescan_core::{ConvertOptions, Specification, MAX_SPEC_BYTES, PRESCAN_LIMIT};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::Blob;

use crate::components::drop_zone::DropZone;
use crate::components::endpoints_table::EndpointsView;
use crate::components::excerpt::ExcerptView;
use crate::components::har_browser::HarView;
use crate::components::icon::{Icon, IconKind};
use crate::components::scope_values::ScopeForm;
use crate::convert::{self, Failure, FileBytes, HarEntries};
use crate::download;
use crate::format::{bytes, millis};
use crate::pages::{call, SplitLoaderError};

mod preview;

use preview::Preview;

/// Where the bundled sample lives, relative to the page.
const SAMPLE_URL: &str = "public/samples/petstore.yaml";

/// A file the specification was given in, kept for "Download original" and
/// for converting again with another configuration.
#[derive(Debug, Clone)]
pub(crate) struct Source {
    pub(crate) name: String,
    pub(crate) blob: Blob,
}

/// A specification on screen: what was found, what it converts to, the files
/// it came from, and the configuration it was converted with.
#[derive(Debug, Clone)]
pub(crate) struct Shown {
    pub(crate) spec: Specification,
    pub(crate) har: HarEntries,
    pub(crate) sources: Vec<Source>,
    pub(crate) options: ConvertOptions,
}

/// Shows a message about a file that could not be used.
type OnFail = Rc<dyn Fn(&str, Failure)>;
/// Converts the same files again with another configuration.
type OnReconfigure = Rc<dyn Fn(ConvertOptions)>;

/// What the preview of a loaded specification is given: concrete types, as
/// it is a split point ([`preview_view`]).
#[derive(Clone)]
struct PreviewArgs {
    current: Rc<Shown>,
    on_fail: StoredValue<OnFail, LocalStorage>,
    on_reconfigure: StoredValue<OnReconfigure, LocalStorage>,
    /// Converts again with another scope or other values, keeping what is
    /// typed in the scan configuration and not applied.
    on_refine: StoredValue<OnReconfigure, LocalStorage>,
    busy: Signal<bool>,
}

/// The preview of a loaded specification (summary, scan configuration,
/// endpoints, notes, HAR). With the `split` feature its code is a module of
/// its own, fetched while the first file converts ([`prefetch_preview`]),
/// so that the first load holds only what takes a file.
#[cfg_attr(
    feature = "split",
    leptos::wasm_split::wasm_split(
        preview,
        fallible,
        preload(preload_preview),
        wasm_split_path = ::leptos::wasm_split
    )
)]
fn preview_view(args: StoredValue<PreviewArgs, LocalStorage>) -> Result<AnyView, SplitLoaderError> {
    let PreviewArgs {
        current,
        on_fail,
        on_reconfigure,
        on_refine,
        busy,
    } = args.get_value();
    let on_fail = move |name: &str, why: Failure| on_fail.with_value(|f| f(name, why));
    let on_reconfigure = move |options: ConvertOptions| on_reconfigure.with_value(|f| f(options));
    let on_refine =
        Callback::new(move |options: ConvertOptions| on_refine.with_value(|f| f(options)));
    Ok(view! { <Preview current=current on_fail=on_fail on_reconfigure=on_reconfigure on_refine=on_refine busy=busy /> }.into_any())
}

/// Starts fetching the preview's code (with the `split` feature), so that
/// it is there when the first file has converted.
fn prefetch_preview() {
    #[cfg(feature = "split")]
    spawn_local(async {
        // A failure shows when the preview is needed (with Try again).
        let _ = preload_preview().await;
    });
}

/// Starts what showing a specification needs (the converter, the preview's
/// code) when a person moves to give one, so that neither adds to the wait.
fn warm_up() {
    convert::warm_up();
    prefetch_preview();
}

/// Files that could not be used, and why (and where, for a syntax error).
#[derive(Debug, Clone, PartialEq)]
struct LoadFailure {
    file_name: String,
    failure: Failure,
}

fn now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// The name a pasted specification is given, from what it looks like.
pub fn pasted_file_name(text: &str) -> &'static str {
    match text
        .trim_start_matches('\u{feff}')
        .trim_start()
        .chars()
        .next()
    {
        Some('{') | Some('[') => "pasted.json",
        _ => "pasted.yaml",
    }
}

/// How a set of files is named in messages: `a.yaml`, or `a.yaml and 2 more files`.
pub fn describe_files(names: &[&str]) -> String {
    match names {
        [] => "nothing".to_owned(),
        [one] => (*one).to_owned(),
        [first, rest @ ..] => format!(
            "{first} and {} more file{}",
            rest.len(),
            if rest.len() == 1 { "" } else { "s" }
        ),
    }
}

/// Whether a file in a chosen folder may be part of a specification.
pub fn is_specification_file(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [".json", ".yaml", ".yml", ".har"]
        .iter()
        .any(|ext| lower.ends_with(ext))
}

/// The configuration a newly given specification starts with: what the person
/// entered for the last one (base URL, credentials, HAR style, values),
/// without the choices that belong to that specification (server, server
/// variables, endpoint scope: its rules name that specification's endpoints
/// and tags).
fn carried_over(options: &ConvertOptions) -> ConvertOptions {
    ConvertOptions {
        server: None,
        server_variables: Default::default(),
        scope: Default::default(),
        har_scope: Default::default(),
        ..options.clone()
    }
}

/// What the preview page holds: kept by the app's frame ([`PreviewState::provide`]),
/// so that a specification, its configuration, a message or a load still
/// running are there when the person comes back from another page.
#[derive(Clone, Copy)]
pub struct PreviewState {
    shown: RwSignal<Option<Rc<Shown>>, LocalStorage>,
    busy: RwSignal<Option<String>>,
    failure: RwSignal<Option<LoadFailure>>,
    status: RwSignal<String>,
    pasted: RwSignal<String>,
    /// Which load is current: a newer file or Cancel makes an older one's
    /// result (whenever it comes) be dropped.
    current_load: StoredValue<u64>,
    /// What *Use in a new analysis* hands to the New analysis page.
    handoff: StoredValue<Option<Handoff>, LocalStorage>,
    /// The scan configuration typed and not applied yet.
    draft: RwSignal<Option<ConvertOptions>>,
    /// What the endpoints table finds, filters and groups.
    endpoints_view: EndpointsView,
    /// The HAR entry selected and where the HAR list is scrolled.
    har_view: HarView,
    /// Set when a new specification is shown: the preview then moves focus
    /// to its summary (once).
    focus_summary: StoredValue<bool>,
    /// The scope rule and the values typed and not applied yet.
    scope_form: ScopeForm,
    /// The id of the element to focus once the preview is drawn again (the
    /// control that started the conversion).
    refocus: StoredValue<Option<String>>,
}

/// The scan configuration *Use in a new analysis* carries to the new scan
/// of the specification it stored (in memory, for this tab only).
#[derive(Debug, Clone, PartialEq)]
pub struct Handoff {
    /// The stored specification.
    pub spec: prescan_core::analysis::SpecId,
    /// The server chosen in the preview (its base URL, or the server picked
    /// from the specification's); `None`: the first server.
    pub server: Option<String>,
    /// The credentials entered in the preview.
    pub auth: prescan_core::ScanAuth,
    /// The endpoint scope set in the preview.
    pub scope: prescan_core::Scope,
    /// The values given in the preview.
    pub values: prescan_core::values::ValueOverrides,
}

impl PreviewState {
    fn new() -> PreviewState {
        PreviewState {
            shown: RwSignal::new_local(None),
            busy: RwSignal::new(None),
            failure: RwSignal::new(None),
            status: RwSignal::new(String::from("No specification loaded yet.")),
            pasted: RwSignal::new(String::new()),
            current_load: StoredValue::new(0),
            handoff: StoredValue::new_local(None),
            draft: RwSignal::new(None),
            endpoints_view: EndpointsView::new(),
            har_view: HarView::new(),
            focus_summary: StoredValue::new(false),
            scope_form: ScopeForm::new(),
            refocus: StoredValue::new(None),
        }
    }

    /// The scope rule and values typed and not applied yet.
    pub(crate) fn scope_form(&self) -> ScopeForm {
        self.scope_form
    }

    /// Asks the preview to focus the element `id` once it is drawn again.
    pub(crate) fn refocus_after(&self, id: &str) {
        self.refocus.set_value(Some(id.to_owned()));
    }

    /// The element to focus now that the preview is drawn again (once).
    pub(crate) fn take_refocus(&self) -> Option<String> {
        let id = self.refocus.get_value();
        self.refocus.set_value(None);
        id
    }

    /// What the endpoints table shows.
    pub(crate) fn endpoints_view(&self) -> EndpointsView {
        self.endpoints_view
    }

    /// The HAR view's selection and scroll.
    pub(crate) fn har_view(&self) -> HarView {
        self.har_view
    }

    /// Whether the preview should move focus to the summary (true once per
    /// new specification).
    pub(crate) fn take_focus_summary(&self) -> bool {
        let take = self.focus_summary.get_value();
        self.focus_summary.set_value(false);
        take
    }

    /// The scan configuration typed and not applied yet (kept across pages).
    pub(crate) fn draft(&self) -> RwSignal<Option<ConvertOptions>> {
        self.draft
    }

    /// Remembers what *Use in a new analysis* carries to the new scan.
    pub fn hand_off(&self, handoff: Handoff) {
        self.handoff.set_value(Some(handoff));
    }

    /// What the preview handed over for the stored specification `spec`, if
    /// anything.
    pub fn handoff_for(&self, spec: prescan_core::analysis::SpecId) -> Option<Handoff> {
        self.handoff.get_value().filter(|h| h.spec == spec)
    }

    /// Creates the state for the app's lifetime and provides it to the
    /// pages (called by the frame, once).
    pub fn provide() {
        provide_context(PreviewState::new());
    }
}

/// The specification preview page; `query` is what the endpoints table
/// finds, filters and groups (`q`, `method`, `group=tag`).
#[component]
pub fn SpecPreview(#[prop(optional)] query: crate::route::Query) -> impl IntoView {
    let state = use_context::<PreviewState>().unwrap_or_else(PreviewState::new);
    let PreviewState {
        shown,
        busy,
        failure,
        status,
        pasted,
        current_load,
        draft,
        endpoints_view,
        har_view,
        focus_summary,
        scope_form,
        ..
    } = state;
    // A link's find and filter win; without them, what was shown before
    // stays (and goes back into the URL, for a reload or a shared link).
    endpoints_view.read(&query);
    Effect::new(move |_| {
        let query = endpoints_view.query();
        crate::route::replace_hash(&crate::route::Route::SpecPreview(query));
    });
    // The configuration a new specification starts with: what is typed in
    // the scan configuration, applied or not (a base URL that cannot be
    // used stays in the form only).
    let next_options = move || {
        let typed = draft.get_untracked().map(|mut d| {
            d.base_url = d
                .base_url
                .filter(|url| crate::components::scan_config::base_url_problem(url).is_none());
            d
        });
        typed
            .or_else(|| shown.with_untracked(|s| s.as_ref().map(|s| s.options.clone())))
            .map(|o| carried_over(&o))
            .unwrap_or_default()
    };

    let fail = move |file_name: &str, why: Failure| {
        status.set(format!("Could not load {file_name}."));
        failure.set(Some(LoadFailure {
            file_name: file_name.to_owned(),
            failure: why,
        }));
    };

    // Stops the load that is running, wherever it is (reading the files,
    // starting the worker, converting); what was shown before stays.
    let cancel_load = move |_| {
        let Some(label) = busy.get_untracked() else {
            return;
        };
        current_load.update_value(|id| *id += 1);
        convert::cancel();
        busy.set(None);
        status.set(format!("Stopped loading {label}."));
    };

    // Every way in (picker, folder, drop, paste, sample, a new configuration) ends here.
    // `fresh`: new files (not the same ones converted again); `keep_draft`:
    // the scan configuration typed and not applied stays typed (the scope
    // or the values changed, not the form's fields).
    let load =
        move |sources: Vec<Source>, options: ConvertOptions, fresh: bool, keep_draft: bool| {
            let label =
                describe_files(&sources.iter().map(|s| s.name.as_str()).collect::<Vec<_>>());
            failure.set(None);
            // This load replaces any other still running.
            let me = current_load.get_value() + 1;
            current_load.set_value(me);
            if busy.get_untracked().is_some() {
                convert::cancel();
                busy.set(None);
            }
            let size = sources
                .iter()
                .map(|s| s.blob.size() as usize)
                .sum::<usize>();
            if size > MAX_SPEC_BYTES {
                let error = prescan_core::LoadError::TooLarge {
                    size,
                    limit: MAX_SPEC_BYTES,
                };
                fail(&label, error.to_string().into());
                return;
            }
            prefetch_preview();
            busy.set(Some(label.clone()));
            status.set(format!("Reading and converting {label} ({})…", bytes(size)));
            spawn_local(async move {
                let started = now();
                let still_current = move || current_load.get_value() == me;
                let result = async {
                    let mut files = Vec::with_capacity(sources.len());
                    for source in &sources {
                        let buffer = JsFuture::from(source.blob.array_buffer())
                            .await
                            .map_err(|_| format!("The browser could not read {}.", source.name))?;
                        files.push(FileBytes {
                            name: source.name.clone(),
                            bytes: Uint8Array::new(&buffer),
                        });
                    }
                    if !still_current() {
                        // Cancelled (or replaced) while the files were read.
                        return Err(convert::CANCELLED.to_owned().into());
                    }
                    convert::convert(files, &options).await
                }
                .await;
                // Cancelled or replaced meanwhile: Cancel or the newer load has
                // said so already.
                if !still_current() {
                    return;
                }
                busy.set(None);
                match result {
                    Ok(converted) => {
                        let count = converted.spec.endpoints.len();
                        status.set(format!(
                            "Loaded {label}: {}, converted in {}.",
                            crate::format::count(count, "endpoint", "endpoints"),
                            millis(now() - started)
                        ));
                        // What was typed is now applied (or carried over).
                        if !keep_draft {
                            draft.set(None);
                        }
                        if fresh {
                            // A rule typed for the last specification is not
                            // for this one; values typed stay.
                            scope_form.text.set(String::new());
                            har_view.reset();
                            focus_summary.set_value(true);
                        }
                        shown.set(Some(Rc::new(Shown {
                            spec: converted.spec,
                            har: converted.entries,
                            sources,
                            options,
                        })));
                    }
                    Err(why) => fail(&label, why),
                }
            });
        };

    let on_files = move |files: Vec<web_sys::File>, from_folder: bool| {
        let total = files.len();
        let sources: Vec<Source> = files
            .into_iter()
            .map(|file| {
                let relative = js_sys::Reflect::get(&file, &"webkitRelativePath".into())
                    .ok()
                    .and_then(|p| p.as_string())
                    .filter(|p| !p.is_empty());
                Source {
                    name: relative.unwrap_or_else(|| file.name()),
                    blob: file.into(),
                }
            })
            .filter(|source| !from_folder || is_specification_file(&source.name))
            .collect();
        if sources.is_empty() {
            fail(
                "the folder",
                match total {
                    1 => "Its one file is not a .json, .yaml, .yml or .har file. Choose the folder that holds the specification.".to_owned(),
                    n => format!("None of its {} is a .json, .yaml, .yml or .har file. Choose the folder that holds the specification.", crate::format::count(n, "file", "files")),
                }.into(),
            );
            return;
        }
        load(sources, next_options(), true, false);
    };

    let try_sample = move |_| {
        let Some(window) = web_sys::window() else {
            return;
        };
        busy.set(Some("petstore.yaml".into()));
        spawn_local(async move {
            let fetched = async {
                let response: web_sys::Response = JsFuture::from(window.fetch_with_str(SAMPLE_URL))
                    .await
                    .map_err(|_| ())?
                    .dyn_into()
                    .map_err(|_| ())?;
                if !response.ok() {
                    return Err(());
                }
                let blob = JsFuture::from(response.blob().map_err(|_| ())?)
                    .await
                    .map_err(|_| ())?;
                blob.dyn_into::<Blob>().map_err(|_| ())
            }
            .await;
            busy.set(None);
            match fetched {
                Ok(blob) => load(
                    vec![Source {
                        name: "petstore.yaml".into(),
                        blob,
                    }],
                    next_options(),
                    true,
                    false,
                ),
                Err(()) => fail(
                    "petstore.yaml",
                    "The sample could not be fetched. Check your connection and reload the page."
                        .into(),
                ),
            }
        });
    };

    let load_pasted = move |_| {
        let text = pasted.get_untracked();
        let name = pasted_file_name(&text);
        match download::text_blob(&text, "text/plain") {
            Some(blob) => load(
                vec![Source {
                    name: name.to_owned(),
                    blob,
                }],
                next_options(),
                true,
                false,
            ),
            None => fail(name, "The browser could not hold the pasted text.".into()),
        }
    };

    let reconfigure = move |options: ConvertOptions| {
        if let Some(current) = shown.get_untracked() {
            load(current.sources.clone(), options, false, false);
        }
    };
    let refine = move |options: ConvertOptions| {
        if let Some(current) = shown.get_untracked() {
            load(current.sources.clone(), options, false, true);
        }
    };

    let is_busy = Signal::derive(move || busy.get().is_some());

    view! {
        <h1>"Specification preview"</h1>
        <p class="lead">
            "See what a prescan would send: give an API specification and prescan lists the first "
            {PRESCAN_LIMIT} " endpoints a prescan covers and converts every endpoint to a HAR 1.2 "
            "request with values that fit its schema. The file is read on this device and never uploaded."
        </p>

        // The converter (its own WebAssembly) loads when a person moves to
        // give a file: the pointer or the keyboard reaching this panel, or a
        // file dragged over it; a first visit that only looks does not fetch
        // it. A conversion starts it anyway if none of these came first.
        <section class="panel input-panel" aria-labelledby="input-heading"
            on:pointerover=|_| warm_up() on:focusin=|_| warm_up()
            on:dragenter=|_| warm_up()>
            <h2 id="input-heading" class="visually-hidden">"Give a specification"</h2>
            <DropZone on_files=on_files busy=is_busy />
            <div class="input-actions">
                <button type="button" class="button button--secondary" data-testid="try-sample" on:click=try_sample>
                    "Try the sample"
                </button>
                <span class="muted">"a Petstore API in OpenAPI 3.0"</span>
            </div>
            <details class="paste">
                <summary data-testid="paste-toggle">"Paste a specification instead"</summary>
                <label for="paste-input">"JSON or YAML text"</label>
                <textarea
                    id="paste-input"
                    data-testid="paste-input"
                    rows="10"
                    spellcheck="false"
                    prop:value=move || pasted.get()
                    on:input=move |ev| pasted.set(event_target_value(&ev))
                ></textarea>
                <button
                    type="button"
                    class="button"
                    data-testid="paste-submit"
                    disabled=move || pasted.with(|t| t.trim().is_empty())
                    on:click=load_pasted
                >
                    "Load pasted text"
                </button>
            </details>
        </section>

        <p role="status" class="status-line" data-testid="status">
            {move || busy.get().is_some().then(|| view! { <span class="spinner" aria-hidden="true"></span> })}
            {move || status.get()}
            {move || busy.get().is_some().then(|| view! {
                <button type="button" class="button button--link" data-testid="cancel-load" on:click=cancel_load>
                    "Cancel"
                </button>
            })}
        </p>

        {move || failure.get().map(|failure| {
            let kept = shown.with(|s| s.as_ref().map(|s| s.spec.file_name.clone()));
            view! {
                <div class="alert alert--error" role="alert" data-testid="load-error">
                    <h2 class="alert__title">
                        <Icon kind=IconKind::Error />
                        {format!("{} could not be loaded", failure.file_name)}
                    </h2>
                    <p data-testid="load-error-message">{failure.failure.message}</p>
                    {failure.failure.place.map(|(line, excerpt)| view! { <ExcerptView line=line excerpt=excerpt /> })}
                    {kept.map(|name| view! {
                        <p class="muted">{format!("Still shown below: {name}, as it was.")}</p>
                    })}
                </div>
            }
        })}

        {move || shown.get().map(|current| {
            let args = PreviewArgs {
                current,
                on_fail: StoredValue::new_local(Rc::new(fail) as OnFail),
                on_reconfigure: StoredValue::new_local(Rc::new(reconfigure) as OnReconfigure),
                on_refine: StoredValue::new_local(Rc::new(refine) as OnReconfigure),
                busy: is_busy,
            };
            // Held here: the view must be Send, the arguments are not.
            let args = StoredValue::new_local(args);
            let attempt = RwSignal::new(0u32);
            view! {
                <Suspense fallback=|| view! {
                    <p class="page-loading" role="status" data-testid="preview-loading">
                        <span class="spinner" aria-hidden="true"></span>"Preparing the preview…"
                    </p>
                }>
                    {move || {
                        attempt.track();
                        Suspend::new(async move {
                            match call!(preview_view(args)) {
                                Ok(view) => view,
                                Err(_) => view! {
                                    <div class="alert alert--error" role="alert" data-testid="preview-load-error">
                                        <h2 class="alert__title">"The preview could not be shown"</h2>
                                        <p>"Its code is fetched with the first specification, and that failed: the network may be offline. The specification is loaded; nothing is lost."</p>
                                        <button type="button" class="button" data-testid="preview-load-retry"
                                            on:click=move |_| attempt.update(|n| *n += 1)>"Try again"</button>
                                    </div>
                                }.into_any(),
                            }
                        })
                    }}
                </Suspense>
            }
        })}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use prescan_core::HarStyle;

    #[test]
    fn pasted_text_is_named_by_its_syntax() {
        assert_eq!(
            pasted_file_name("  {\"openapi\": \"3.0.0\"}"),
            "pasted.json"
        );
        assert_eq!(pasted_file_name("\u{feff}[1]"), "pasted.json");
        assert_eq!(pasted_file_name("openapi: 3.0.0"), "pasted.yaml");
        assert_eq!(pasted_file_name(""), "pasted.yaml");
    }

    #[test]
    fn file_sets_are_described_briefly() {
        assert_eq!(describe_files(&["a.yaml"]), "a.yaml");
        assert_eq!(
            describe_files(&["a.yaml", "b.yaml"]),
            "a.yaml and 1 more file"
        );
        assert_eq!(
            describe_files(&["a.yaml", "b.yaml", "c.json"]),
            "a.yaml and 2 more files"
        );
    }

    #[test]
    fn folders_keep_only_specification_files() {
        assert!(is_specification_file("api/openapi.YAML"));
        assert!(is_specification_file("schemas/pet.yml"));
        assert!(is_specification_file("traffic.har"));
        assert!(!is_specification_file("README.md"));
        assert!(!is_specification_file("logo.png"));
    }

    #[test]
    fn a_new_specification_keeps_what_was_entered_but_not_its_server_choice_or_scope() {
        let mut options = ConvertOptions {
            base_url: Some("https://api.example.com".into()),
            server: Some(2),
            har_style: HarStyle::Veracode,
            ..ConvertOptions::default()
        };
        options
            .server_variables
            .insert("region".into(), "us".into());
        options.auth.bearer = Some("token".into());
        options.scope.rules.push(prescan_core::ScopeRule {
            selector: prescan_core::Selector::Tag("store".into()),
            decision: prescan_core::ScopeDecision::Exclude,
        });
        options.values = prescan_core::values::ValueOverrides::parse_lines("petId=42").unwrap();
        let next = carried_over(&options);
        assert!(next.scope.is_empty());
        assert_eq!(next.values, options.values);
        assert_eq!(next.base_url, options.base_url);
        assert_eq!(next.auth, options.auth);
        assert_eq!(next.har_style, HarStyle::Veracode);
        assert_eq!(next.server, None);
        assert!(next.server_variables.is_empty());
    }
}
