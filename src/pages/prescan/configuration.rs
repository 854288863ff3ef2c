//! The Scan configuration tab: what the last prescan ran with, the
//! credentials typed, and the downloads (the original specification, the
//! converted HAR and the prescan HAR).

use leptos::prelude::*;
use leptos::task::spawn_local;
use prescan_core::analysis::SpecScan;
use prescan_core::prescan::PrescanStatus;

use super::details::Page;
use super::form::Form;
use crate::components::icon::{Icon, IconKind};
use crate::download;
use crate::format::{har_file_name, thousands};

/// The file name of the prescan's HAR (`petstore.yaml` → `petstore-prescan.har`).
pub fn prescan_file_name(spec_file_name: &str) -> String {
    let har = har_file_name(spec_file_name);
    match har.strip_suffix(".har") {
        Some(stem) => format!("{stem}-prescan.har"),
        None => format!("{har}-prescan.har"),
    }
}

/// Saves bytes as a download named `name`.
/// The tab's content: the configuration's summary and the downloads.
pub(super) fn panel(
    page: Page,
    name: String,
    short: String,
    spec: &SpecScan,
    scan_server: Option<String>,
) -> impl IntoView {
    let Page {
        app,
        ui,
        on_server,
        form:
            Form {
                bearer,
                basic_user,
                custom,
                api_keys,
                cookies,
                oauth,
                ..
            },
        failure,
        used,
        spec_id,
        har_blob,
        has_har,
        scoping,
        coverage,
        ..
    } = page;
    let save_original = {
        let short = short.clone();
        move |_| {
            failure.set(None);
            let short = short.clone();
            spawn_local(async move {
                let saved = download::save_specification(app, spec_id, &short).await;
                if let Err(m) = saved {
                    failure.try_set(Some(format!("{short} could not be downloaded: {m}")));
                }
            });
        }
    };
    let har_name = har_file_name(&short);
    let save_har = {
        let har_name = har_name.clone();
        let scan_server = scan_server.clone();
        move |_| {
            failure.set(None);
            if let Some(http) = app.http().filter(|_| on_server) {
                let (har_name, server) = (har_name.clone(), scan_server.clone());
                spawn_local(async move {
                    let saved = http
                        .specification_har(spec_id, server.as_deref())
                        .await
                        .map_err(|e| e.to_string())
                        .and_then(|b| download::save_bytes(&b, &har_name));
                    if let Err(m) = saved {
                        failure.try_set(Some(format!("{har_name} could not be downloaded: {m}")));
                    }
                });
                return;
            }
            let saved = har_blob.with_value(|b| match b {
                Some(blob) => download::save(blob, &har_name),
                None => Err("Run the prescan first: it converts the specification.".into()),
            });
            if let Err(m) = saved {
                failure.set(Some(format!("{har_name} could not be downloaded: {m}")));
            }
        }
    };
    let prescan_name = prescan_file_name(&short);
    let save_prescan = {
        let prescan_name = prescan_name.clone();
        move |_| {
            failure.set(None);
            if let Some(http) = app.http().filter(|_| on_server) {
                let prescan_name = prescan_name.clone();
                let scan_id = ui.scan;
                spawn_local(async move {
                    let saved = http
                        .prescan_har(scan_id)
                        .await
                        .map_err(|e| e.to_string())
                        .and_then(|b| download::save_bytes(&b, &prescan_name));
                    if let Err(m) = saved {
                        failure
                            .try_set(Some(format!("{prescan_name} could not be downloaded: {m}")));
                    }
                });
                return;
            }
            let json = ui.report.with_untracked(|r| {
                r.as_ref()
                    .and_then(|r| serde_json::to_string_pretty(&r.to_har()).ok())
            });
            let saved = json
                .ok_or_else(|| "Run the prescan first.".to_owned())
                .and_then(|j| {
                    download::text_blob(&j, "application/json")
                        .ok_or_else(|| "The browser could not hold the file.".to_owned())
                })
                .and_then(|blob| download::save(&blob, &prescan_name));
            if let Err(m) = saved {
                failure.set(Some(format!("{prescan_name} could not be downloaded: {m}")));
            }
        }
    };
    let finished = move || {
        ui.report.with(|r| {
            r.as_ref()
                .is_some_and(|r| r.status() != PrescanStatus::Prescanning)
        })
    };

    let credentials = move || {
        let mut kinds = Vec::new();
        if !bearer.get().trim().is_empty() {
            kinds.push("Bearer token");
        }
        if !basic_user.get().is_empty() {
            kinds.push("Basic authentication");
        }
        if !custom.get().trim().is_empty() {
            kinds.push("Custom headers");
        }
        if api_keys.pairs().iter().any(|(_, key)| !key.is_empty()) {
            kinds.push("API keys");
        }
        if !cookies.pairs().is_empty() {
            kinds.push("Custom cookies");
        }
        if oauth.on.get() {
            kinds.push("OAuth 2.0");
        }
        if kinds.is_empty() {
            "None entered".to_owned()
        } else {
            kinds.join(", ")
        }
    };
    let used_text = move || {
        used.get()
            .map(|(base, rps, unsafe_ok)| {
                format!(
                    "{base}, {rps} {} per second, {}",
                    if rps == 1.0 { "request" } else { "requests" },
                    if unsafe_ok {
                        "methods that may change data sent"
                    } else {
                        "only GET, HEAD and OPTIONS sent"
                    }
                )
            })
            .unwrap_or_else(|| "Not run yet".into())
    };
    let (scope, values) = scoping.get_value();
    let scope_text = if scope.is_empty() {
        "Every endpoint included".to_owned()
    } else {
        scope
            .rules
            .iter()
            .map(|rule| {
                let (words, text) = crate::components::scope_values::describe_rule(rule);
                format!("{words} {text}")
            })
            .collect::<Vec<_>>()
            .join("; ")
    };
    let values_text = if values.is_empty() {
        "None: every value is generated".to_owned()
    } else {
        crate::components::scope_values::values_text(&values)
            .lines()
            .collect::<Vec<_>>()
            .join("; ")
    };
    view! {
        <dl class="summary" data-testid="configuration-summary">
            <div><dt>"Analysis"</dt><dd>{name.clone()}</dd></div>
            <div><dt>"Specification"</dt><dd class="break">{short.clone()}</dd></div>
            <div><dt>"Endpoints"</dt><dd>{thousands(spec.endpoint_count)}</dd></div>
            <div><dt>"Scan's server"</dt><dd class="break">{spec.server.clone().or_else(|| spec.servers.first().cloned()).unwrap_or_else(|| "None".into())}</dd></div>
            <div><dt>"Last prescan"</dt><dd class="break" data-testid="configuration-used">{used_text}</dd></div>
            <div><dt>"Credentials"</dt><dd>{credentials}</dd></div>
            <div class="summary__wide"><dt>"Endpoint scope"</dt><dd class="break" data-testid="configuration-scope">{scope_text}
                {move || coverage.get().map(|c| view! { <span class="muted">{format!(" — {c}")}</span> })}</dd></div>
            <div class="summary__wide"><dt>"Your values"</dt><dd class="break" data-testid="configuration-values">{values_text}</dd></div>
        </dl>
        <h3>"Downloads"</h3>
        <ul class="prescan-downloads">
            <li>
                <button type="button" class="button button--link" data-testid="download-original" on:click=save_original>
                    <Icon kind=IconKind::Download />{format!("Original specification ({short})")}
                </button>
            </li>
            <li>
                <button type="button" class="button button--link" data-testid="download-har"
                    disabled=move || !on_server && !has_har.get() on:click=save_har>
                    <Icon kind=IconKind::Download />{format!("Converted HAR ({har_name})")}
                </button>
            </li>
            <li>
                <button type="button" class="button button--link" data-testid="download-prescan-har"
                    disabled=move || !finished() on:click=save_prescan>
                    <Icon kind=IconKind::Download />{format!("Prescan with the responses ({prescan_name})")}
                </button>
            </li>
        </ul>
        <p class="hint">{if on_server {
            "The server converts the specification with the scan's server and stored credentials; the prescan HAR is there once a prescan ran."
        } else {
            "The HAR downloads are made by the prescan; run it first."
        }}</p>
    }
}
