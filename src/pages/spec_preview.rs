//! The specification preview: give a specification, see what a prescan would
//! send (summary, endpoints, notes, the converted HAR), and download it.

use std::rc::Rc;

use js_sys::Uint8Array;
use leptos::prelude::*;
use leptos::task::spawn_local;
use prescan_core::{
    ConvertOptions, HarStyle, SchemeKind, SpecFormat, Specification, MAX_SPEC_BYTES, PRESCAN_LIMIT,
};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::Blob;

use crate::components::diagnostics::Diagnostics;
use crate::components::drop_zone::DropZone;
use crate::components::endpoints_table::EndpointsTable;
use crate::components::har_browser::HarBrowser;
use crate::components::icon::{Icon, IconKind};
use crate::components::scan_config::ScanConfiguration;
use crate::convert::{self, FileBytes, HarEntries};
use crate::download;
use crate::format::{bytes, har_file_name, millis, thousands};

/// Where the bundled sample lives, relative to the page.
const SAMPLE_URL: &str = "public/samples/petstore.yaml";
/// The raw HAR view shows at most this many characters; the download has all.
const RAW_LIMIT: usize = 1_000_000;

/// A file the specification was given in, kept for "Download original" and
/// for converting again with another configuration.
#[derive(Debug, Clone)]
struct Source {
    name: String,
    blob: Blob,
}

/// A specification on screen: what was found, what it converts to, the files
/// it came from, and the configuration it was converted with.
#[derive(Debug, Clone)]
struct Shown {
    spec: Specification,
    har: HarEntries,
    sources: Vec<Source>,
    options: ConvertOptions,
}

/// Files that could not be used, and why.
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
/// entered for the last one (base URL, credentials, HAR style), without the
/// choices that belong to that specification (server, server variables).
fn carried_over(options: &ConvertOptions) -> ConvertOptions {
    ConvertOptions {
        server: None,
        server_variables: Default::default(),
        ..options.clone()
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
    // The configuration a new specification starts with.
    let next_options = move || {
        shown.with_untracked(|s| {
            s.as_ref()
                .map(|s| carried_over(&s.options))
                .unwrap_or_default()
        })
    };

    let fail = move |file_name: &str, message: String| {
        status.set(format!("Could not load {file_name}."));
        failure.set(Some(LoadFailure {
            file_name: file_name.to_owned(),
            message,
        }));
    };

    // Every way in (picker, folder, drop, paste, sample, a new configuration) ends here.
    let load = move |sources: Vec<Source>, options: ConvertOptions| {
        let label = describe_files(&sources.iter().map(|s| s.name.as_str()).collect::<Vec<_>>());
        failure.set(None);
        let size = sources
            .iter()
            .map(|s| s.blob.size() as usize)
            .sum::<usize>();
        if size > MAX_SPEC_BYTES {
            let error = prescan_core::LoadError::TooLarge {
                size,
                limit: MAX_SPEC_BYTES,
            };
            fail(&label, error.to_string());
            return;
        }
        busy.set(Some(label.clone()));
        status.set(format!("Reading and converting {label} ({})…", bytes(size)));
        spawn_local(async move {
            let started = now();
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
                convert::convert(files, &options).await
            }
            .await;
            busy.set(None);
            match result {
                Ok(converted) => {
                    let count = converted.spec.endpoints.len();
                    status.set(format!(
                        "Loaded {label}: {} endpoints, converted in {}.",
                        thousands(count),
                        millis(now() - started)
                    ));
                    shown.set(Some(Rc::new(Shown {
                        spec: converted.spec,
                        har: converted.entries,
                        sources,
                        options,
                    })));
                }
                Err(message) if message == "Cancelled." => {
                    status.set(format!("Stopped loading {label}."));
                }
                Err(message) => fail(&label, message),
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
                format!("None of its {total} files is a .json, .yaml, .yml or .har file. Choose the folder that holds the specification."),
            );
            return;
        }
        load(sources, next_options());
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
            ),
            None => fail(name, "The browser could not hold the pasted text.".into()),
        }
    };

    let reconfigure = move |options: ConvertOptions| {
        if let Some(current) = shown.get_untracked() {
            load(current.sources.clone(), options);
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
            <Preview current=current on_fail=fail on_reconfigure=reconfigure busy=is_busy />
        })}
    }
}

/// Everything shown for a loaded specification.
#[component]
fn Preview(
    current: Rc<Shown>,
    /// Shows a message about a file that could not be saved.
    on_fail: impl Fn(&str, String) + Copy + 'static,
    /// Converts the same files again with another configuration.
    on_reconfigure: impl Fn(ConvertOptions) + 'static,
    #[prop(into)] busy: Signal<bool>,
) -> impl IntoView {
    let spec = &current.spec;
    let root_name = spec.file_name.clone();
    let har_name = har_file_name(root_name.rsplit('/').next().unwrap_or(&root_name));
    let download_har = {
        let file = current.har.file.clone();
        let name = har_name.clone();
        move |_| {
            if let Err(message) = download::save(&file, &name) {
                on_fail(&name, message);
            }
        }
    };
    let save_source = move |source: &Source| {
        let source = source.clone();
        move |_| {
            let name = source
                .name
                .rsplit('/')
                .next()
                .unwrap_or(&source.name)
                .to_owned();
            if let Err(message) = download::save(&source.blob, &name) {
                on_fail(&name, message);
            }
        }
    };
    let root = current
        .sources
        .iter()
        .find(|s| s.name == root_name)
        .or(current.sources.first())
        .cloned();
    let download_original = root.as_ref().map(|root| {
        let name = root.name.rsplit('/').next().unwrap_or(&root.name).to_owned();
        view! {
            <button type="button" class="button button--secondary" data-testid="download-original" on:click=save_source(root)>
                <Icon kind=IconKind::Download />{format!("Download original ({name})")}
            </button>
        }
    });
    let other_sources = (current.sources.len() > 1).then(|| {
        let items = current
            .sources
            .iter()
            .filter(|s| Some(&s.name) != root.as_ref().map(|r| &r.name))
            .map(|source| {
                view! {
                    <li>
                        <button type="button" class="button button--link" data-testid="download-source" on:click=save_source(source)>
                            {source.name.clone()}
                        </button>
                        <span class="muted">{format!(" ({})", bytes(source.blob.size() as usize))}</span>
                    </li>
                }
            })
            .collect_view();
        view! {
            <details class="sources" data-testid="sources">
                <summary>{format!("{} more files of this specification", current.sources.len() - 1)}</summary>
                <ul>{items}</ul>
            </details>
        }
    });
    let options = current.options.clone();
    let config_summary = {
        let server = match (
            &options.base_url,
            spec.servers.get(options.server.unwrap_or(0)),
        ) {
            (Some(url), _) => format!("base URL {url}"),
            (None, Some(server)) => format!("server {}", server.resolved_url),
            (None, None) => "no server".to_owned(),
        };
        let credentials = if options.auth.is_empty() {
            "placeholders for credentials"
        } else {
            "your credentials"
        };
        let style = match options.har_style {
            HarStyle::Concrete => "concrete URLs",
            HarStyle::Veracode => "Veracode-style HAR",
        };
        format!("Converted with {server}, {credentials}, {style}.")
    };
    let api_key_schemes = spec
        .security_schemes
        .iter()
        .filter_map(|scheme| match &scheme.kind {
            SchemeKind::ApiKey {
                location,
                parameter,
            } => Some((scheme.name.clone(), format!("{location} {parameter}"))),
            _ => None,
        })
        .collect::<Vec<_>>();
    // Without a fully-qualified server there is nothing to scan, and a Postman
    // collection always needs a base URL (Veracode scans only its host): ask at once.
    let needs_base_url = options.base_url.is_none()
        && (spec.format == SpecFormat::Postman21
            || !spec.servers.iter().any(|s| {
                s.resolved_url.starts_with("http://") || s.resolved_url.starts_with("https://")
            }));
    let config = view! {
        <details class="panel config-panel" data-testid="config-panel" open=needs_base_url>
            <summary data-testid="config-toggle">
                <span class="config-panel__title">"Scan configuration"</span>
                <span class="muted" data-testid="config-summary">{config_summary}</span>
            </summary>
            <ScanConfiguration
                servers=spec.servers.clone()
                api_key_schemes=api_key_schemes
                applied=options
                on_apply=on_reconfigure
                busy=busy
            />
        </details>
    };
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
    let auth = (!spec.security_schemes.is_empty()).then(|| {
        let items = spec
            .security_schemes
            .iter()
            .map(|scheme| {
                view! { <li><code>{scheme.name.clone()}</code>{format!(": {}", scheme.kind.label())}</li> }
            })
            .collect_view();
        view! {
            <div class="summary__wide">
                <dt>"Authentication"</dt>
                <dd><ul class="servers" data-testid="spec-auth">{items}</ul></dd>
            </div>
        }
    });
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
                {auth}
            </dl>
            {description}
            {other_sources}
            <div class="downloads">
                <button type="button" class="button" data-testid="download-har" on:click=download_har>
                    <Icon kind=IconKind::Download />{format!("Download HAR ({har_name})")}
                </button>
                {download_original}
            </div>
        </section>
        {config}
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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn a_new_specification_keeps_what_was_entered_but_not_its_server_choice() {
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
        let next = carried_over(&options);
        assert_eq!(next.base_url, options.base_url);
        assert_eq!(next.auth, options.auth);
        assert_eq!(next.har_style, HarStyle::Veracode);
        assert_eq!(next.server, None);
        assert!(next.server_variables.is_empty());
    }
}
