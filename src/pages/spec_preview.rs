//! The specification preview: give a specification, see what a prescan would
//! send (summary, endpoints, notes, the converted HAR), and download it.

use std::rc::Rc;

use js_sys::Uint8Array;
use leptos::prelude::*;
use leptos::task::spawn_local;
use prescan_core::{Specification, MAX_SPEC_BYTES, PRESCAN_LIMIT};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::Blob;

use crate::components::diagnostics::Diagnostics;
use crate::components::drop_zone::DropZone;
use crate::components::endpoints_table::EndpointsTable;
use crate::components::har_browser::HarBrowser;
use crate::components::icon::{Icon, IconKind};
use crate::convert::{self, HarEntries};
use crate::download;
use crate::format::{bytes, har_file_name, millis, thousands};

/// Where the bundled sample lives, relative to the page.
const SAMPLE_URL: &str = "public/samples/petstore.yaml";
/// The raw HAR view shows at most this many characters; the download has all.
const RAW_LIMIT: usize = 1_000_000;

/// A specification on screen: what was found, what it converts to, and the
/// file it came from (kept for the download of the original).
#[derive(Debug, Clone)]
struct Shown {
    spec: Specification,
    har: HarEntries,
    original: Blob,
}

/// A file that could not be used, and why.
#[derive(Debug, Clone, PartialEq)]
struct LoadFailure {
    file_name: String,
    message: String,
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

/// The specification preview page.
#[component]
pub fn SpecPreview() -> impl IntoView {
    convert::warm_up();
    let shown = RwSignal::new_local(Option::<Rc<Shown>>::None);
    let busy = RwSignal::new(Option::<String>::None);
    let failure = RwSignal::new(Option::<LoadFailure>::None);
    let status = RwSignal::new(String::from("No specification loaded yet."));
    let pasted = RwSignal::new(String::new());

    let fail = move |file_name: &str, message: String| {
        status.set(format!("Could not load {file_name}."));
        failure.set(Some(LoadFailure {
            file_name: file_name.to_owned(),
            message,
        }));
    };

    // Every way in (picker, drop, paste, sample) ends here.
    let load = move |file_name: String, blob: Blob| {
        failure.set(None);
        let size = blob.size() as usize;
        if size > MAX_SPEC_BYTES {
            let error = prescan_core::LoadError::TooLarge {
                size,
                limit: MAX_SPEC_BYTES,
            };
            fail(&file_name, error.to_string());
            return;
        }
        busy.set(Some(file_name.clone()));
        status.set(format!(
            "Reading and converting {file_name} ({})…",
            bytes(size)
        ));
        spawn_local(async move {
            let started = now();
            let result = async {
                let buffer = JsFuture::from(blob.array_buffer())
                    .await
                    .map_err(|_| "The browser could not read the file.".to_owned())?;
                convert::convert(&file_name, Uint8Array::new(&buffer)).await
            }
            .await;
            busy.set(None);
            match result {
                Ok(converted) => {
                    let count = converted.spec.endpoints.len();
                    status.set(format!(
                        "Loaded {file_name}: {} endpoints, converted in {}.",
                        thousands(count),
                        millis(now() - started)
                    ));
                    shown.set(Some(Rc::new(Shown {
                        spec: converted.spec,
                        har: converted.entries,
                        original: blob,
                    })));
                }
                Err(message) if message == "Cancelled." => {
                    status.set(format!("Stopped loading {file_name}."));
                }
                Err(message) => fail(&file_name, message),
            }
        });
    };

    let on_file = move |file: web_sys::File| load(file.name(), file.into());

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
                Ok(blob) => load("petstore.yaml".into(), blob),
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
            Some(blob) => load(name.to_owned(), blob),
            None => fail(name, "The browser could not hold the pasted text.".into()),
        }
    };

    let download_har = move |_| {
        let Some(current) = shown.get_untracked() else {
            return;
        };
        let name = har_file_name(&current.spec.file_name);
        if let Err(message) = download::save(&current.har.file, &name) {
            fail(&name, message);
        }
    };
    let download_original = move |_| {
        let Some(current) = shown.get_untracked() else {
            return;
        };
        if let Err(message) = download::save(&current.original, &current.spec.file_name) {
            fail(&current.spec.file_name, message);
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

        <section class="panel input-panel" aria-labelledby="input-heading">
            <h2 id="input-heading" class="visually-hidden">"Give a specification"</h2>
            <DropZone on_file=on_file busy=is_busy />
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
                <button type="button" class="button button--link" data-testid="cancel-load" on:click=move |_| convert::cancel()>
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
                    <p data-testid="load-error-message">{failure.message}</p>
                    {kept.map(|name| view! {
                        <p class="muted">{format!("Still shown below: {name}, as it was.")}</p>
                    })}
                </div>
            }
        })}

        {move || shown.get().map(|current| view! {
            <Preview current=current on_download_har=download_har on_download_original=download_original />
        })}
    }
}

/// Everything shown for a loaded specification.
#[component]
fn Preview(
    current: Rc<Shown>,
    on_download_har: impl Fn(leptos::ev::MouseEvent) + 'static,
    on_download_original: impl Fn(leptos::ev::MouseEvent) + 'static,
) -> impl IntoView {
    let spec = &current.spec;
    let total = spec.endpoints.len();
    let format = format!(
        "{} (version {}), {}",
        spec.format.label(),
        spec.format_version,
        spec.syntax.label()
    );
    let servers = if spec.servers.is_empty() {
        view! { <span data-testid="spec-servers">"None given: a fully-qualified base URL is needed to scan"</span> }.into_any()
    } else {
        let items = spec
            .servers
            .iter()
            .map(|server| {
                let note = server
                    .description
                    .clone()
                    .map(|d| view! { <span class="muted">" — " {d}</span> });
                view! { <li><code>{server.resolved_url.clone()}</code>{note}</li> }
            })
            .collect_view();
        view! { <ul class="servers" data-testid="spec-servers">{items}</ul> }.into_any()
    };
    let description = spec
        .description
        .clone()
        .filter(|d| !d.trim().is_empty())
        .map(|d| {
            view! {
                <details class="description">
                    <summary>"Description"</summary>
                    <p class="pre-line" data-testid="spec-description">{d}</p>
                </details>
            }
        });
    let notice = (total > PRESCAN_LIMIT).then(|| {
        view! {
            <div class="notice" data-testid="prescan-notice">
                <Icon kind=IconKind::Info />
                {format!("The prescan covers the first {PRESCAN_LIMIT} of {} endpoints.", thousands(total))}
            </div>
        }
    });
    let har_name = har_file_name(&spec.file_name);
    let diagnostics = (!spec.diagnostics.is_empty())
        .then(|| view! { <Diagnostics diagnostics=spec.diagnostics.clone() /> });
    let raw_open = RwSignal::new(false);
    let raw_text = RwSignal::new(Option::<String>::None);
    let har_file = current.har.file.clone();
    let har_size = har_file.size() as usize;
    let read_raw = move || {
        if raw_text.with_untracked(Option::is_some) {
            return;
        }
        let head = har_file.slice_with_f64_and_f64(0.0, RAW_LIMIT as f64);
        spawn_local(async move {
            let text = match head.map(|blob| JsFuture::from(blob.text())) {
                Ok(reading) => reading.await.ok().and_then(|t| t.as_string()),
                Err(_) => None,
            };
            let text = text.unwrap_or_else(|| "The HAR text could not be read.".to_owned());
            // A cut through a multi-byte character reads as U+FFFD: drop it.
            raw_text.set(Some(text.trim_end_matches('\u{fffd}').to_owned()));
        });
    };
    let raw = move || {
        raw_open.get().then(|| {
            let cut = (har_size > RAW_LIMIT).then(|| {
                view! {
                    <p class="notice">
                        {format!(
                            "Showing the first {} of {}. Download the HAR for the whole file.",
                            bytes(RAW_LIMIT),
                            bytes(har_size)
                        )}
                    </p>
                }
            });
            view! {
                {cut}
                <pre class="code code--raw" data-testid="har-raw" tabindex="0">
                    {move || raw_text.get().unwrap_or_else(|| "Reading…".to_owned())}
                </pre>
            }
        })
    };

    view! {
        <section class="panel" aria-labelledby="summary-heading" data-testid="spec-summary">
            <h2 id="summary-heading" data-testid="spec-title">{spec.title.clone()}</h2>
            <dl class="summary">
                <div><dt>"Version"</dt><dd data-testid="spec-version">{spec.version.clone()}</dd></div>
                <div><dt>"Format"</dt><dd data-testid="spec-format">{format}</dd></div>
                <div><dt>"File"</dt><dd data-testid="spec-file">{format!("{} ({})", spec.file_name, bytes(spec.file_size))}</dd></div>
                <div><dt>"Endpoints"</dt><dd data-testid="endpoint-count">{thousands(total)}</dd></div>
                <div class="summary__wide"><dt>"Servers"</dt><dd>{servers}</dd></div>
            </dl>
            {description}
            <div class="downloads">
                <button type="button" class="button" data-testid="download-har" on:click=on_download_har>
                    <Icon kind=IconKind::Download />{format!("Download HAR ({har_name})")}
                </button>
                <button type="button" class="button button--secondary" data-testid="download-original" on:click=on_download_original>
                    <Icon kind=IconKind::Download />{format!("Download original ({})", spec.file_name)}
                </button>
            </div>
        </section>
        {notice}
        {diagnostics}
        <section class="panel" aria-labelledby="endpoints-heading">
            <h2 id="endpoints-heading">"Endpoints a prescan covers"</h2>
            {if total == 0 {
                view! { <p data-testid="no-endpoints">"This specification declares no endpoints: a prescan would send nothing."</p> }.into_any()
            } else {
                view! { <EndpointsTable endpoints=spec.endpoints.clone() /> }.into_any()
            }}
        </section>
        <section class="panel" aria-labelledby="har-heading">
            <h2 id="har-heading">"Converted HAR"</h2>
            <p class="muted">
                {format!("{} entries, one per endpoint, in specification order. ", thousands(current.har.len()))}
                "Each is a complete HAR 1.2 entry: it opens in a browser's network panel."
            </p>
            <HarBrowser har=current.har.clone() />
            <details class="raw" on:toggle=move |ev| {
                let open = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlDetailsElement>().ok()).is_some_and(|d| d.open());
                raw_open.set(open);
                if open {
                    read_raw();
                }
            }>
                <summary data-testid="har-raw-toggle">"Raw HAR text"</summary>
                {raw}
            </details>
        </section>
    }
}
