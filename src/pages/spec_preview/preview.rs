//! Everything shown for a loaded specification: its summary and downloads,
//! the scan configuration, the prescan notice, the notes, the endpoints a
//! prescan covers, and the converted HAR.

use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use prescan_core::spec::carried::is_credential_note;
use prescan_core::{
    validate_cookie_name, validate_header_name, ConvertOptions, HarStyle, ScanAuth, SchemeKind,
    ScopeDecision, Severity, SpecFormat, Specification, PRESCAN_LIMIT,
};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use super::{Shown, Source};
use crate::components::code_text::CodeText;
use crate::components::diagnostics::Diagnostics;
use crate::components::endpoints_table::EndpointsTable;
use crate::components::har_browser::{focus_entry, HarBrowser};
use crate::components::icon::{Icon, IconKind};
use crate::components::scan_config::ScanConfiguration;
use crate::components::scope_values::{with_endpoint, ScopeRules, ValuesEditor};
use crate::convert::Failure;
use crate::download;
use crate::format::{bytes, har_file_name, thousands};
use crate::store::frame_store;
use prescan_core::analysis::SpecUpload;
use prescan_core::SourceFile;

/// The raw HAR view shows at most this many bytes; the download has all.
const RAW_LIMIT: usize = 1_000_000;

/// Everything shown for a loaded specification.
#[component]
pub(super) fn Preview(
    current: Rc<Shown>,
    /// Shows a message about a file that could not be saved.
    on_fail: impl Fn(&str, Failure) + Copy + 'static,
    /// Converts the same files again with another configuration.
    on_reconfigure: impl Fn(ConvertOptions) + 'static,
    /// Converts them again with another scope or other values (what is
    /// typed in the scan configuration stays typed).
    on_refine: Callback<ConvertOptions>,
    #[prop(into)] busy: Signal<bool>,
) -> impl IntoView {
    let spec = &current.spec;
    let root_name = spec.file_name.clone();
    let har_name = har_file_name(root_name.rsplit('/').next().unwrap_or(&root_name));
    let har_in_scope_name = in_scope_file_name(&har_name);
    let download_har = {
        let file = current.har.file.clone();
        let name = har_name.clone();
        move |_| {
            if let Err(message) = download::save(&file, &name) {
                on_fail(&name, message.into());
            }
        }
    };
    // The entries of the endpoints a scanner sends requests to (the HAR
    // on screen is always whole, one entry per endpoint).
    let sent: Vec<bool> = spec.endpoints.iter().map(|e| e.scope.is_sent()).collect();
    let in_scope_entries = if current.har.len() == sent.len() {
        sent.iter().filter(|s| **s).count()
    } else {
        current.har.len()
    };
    let download_in_scope = {
        let har = current.har.clone();
        let name = har_in_scope_name.clone();
        move |_| {
            let whole = har.len() != sent.len();
            match har.subset_file(|i| whole || sent.get(i).copied().unwrap_or(true)) {
                Some(blob) => {
                    if let Err(message) = download::save(&blob, &name) {
                        on_fail(&name, message.into());
                    }
                }
                None => on_fail(&name, "The browser could not hold the HAR.".into()),
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
                on_fail(&name, message.into());
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
    // On a server, storing the file and creating an analysis need roles
    // the user may not have: the button says why it is off.
    let principal = crate::store::people::use_principal();
    let use_refused = Memo::new(move |_| {
        use prescan_core::people::Action;
        principal.with(|p| {
            crate::store::people::refusal(p, Action::Create)
                .or_else(|| crate::store::people::refusal(p, Action::ManageSpecifications))
        })
    });
    // What is typed for the scope or the values and not applied would not
    // go with the new scan: Use in a new analysis says so instead.
    let unapplied = RwSignal::new(None::<String>);
    let typed_not_applied = {
        let applied_values = current.options.values.clone();
        let form = use_context::<super::PreviewState>().map(|p| p.scope_form());
        move || -> Option<String> {
            let form = form?;
            let mut what = Vec::new();
            if form.by.get_untracked() != "method"
                && form.text.with_untracked(|t| !t.trim().is_empty())
            {
                what.push("a scope rule is typed but not added (Add rule, or clear it)");
            }
            let values_pending = form.values.with_untracked(|t| {
                t.as_ref().is_some_and(|t| {
                    prescan_core::values::ValueOverrides::parse_lines(t).as_ref()
                        != Ok(&applied_values)
                })
            });
            if values_pending {
                what.push("your values are changed but not applied (Apply values, or fix them)");
            }
            (!what.is_empty()).then(|| {
                format!(
                    "Not used yet: {}. The new scan gets what is applied.",
                    what.join("; ")
                )
            })
        }
    };
    let use_in_analysis = {
        let root = root.clone();
        let sources = current.sources.clone();
        let spec = spec.clone();
        let current_options = current.options.clone();
        let preview_state = use_context::<super::PreviewState>();
        let app = frame_store();
        move |_| {
            let Some(root) = root.clone() else {
                return;
            };
            let sources = sources.clone();
            if use_refused.get_untracked().is_some() {
                return;
            }
            if let Some(why) = typed_not_applied() {
                unapplied.set(Some(why));
                return;
            }
            unapplied.set(None);
            let spec = spec.clone();
            let options = &current_options;
            let chosen_server = options.base_url.clone().or_else(|| {
                options
                    .server
                    .and_then(|i| spec.servers.get(i))
                    .map(|s| s.resolved_url.clone())
            });
            let auth = options.auth.clone();
            let scope = options.scope.clone();
            let values = options.values.clone();
            spawn_local(async move {
                // Every file the specification was given in: its
                // references resolve the same way when it is converted again.
                let files = match read_sources(&sources).await {
                    Ok(files) => files,
                    Err(name) => {
                        on_fail(&name, format!("The browser could not read {name}.").into());
                        return;
                    }
                };
                let upload = SpecUpload::from_files(&spec, files);
                match crate::pages::store_specification(app, upload).await {
                    Ok(record) => {
                        // The scan configuration goes with it (in memory).
                        if let Some(state) = preview_state {
                            state.hand_off(super::Handoff {
                                spec: record.id,
                                server: chosen_server.clone(),
                                auth: auth.clone(),
                                scope: scope.clone(),
                                values: values.clone(),
                            });
                        }
                        if let Some(window) = web_sys::window() {
                            let _ = window
                                .location()
                                .set_hash(&format!("#/analyses/new?spec={}", record.id));
                        }
                    }
                    Err(error) => on_fail(&root.name, error.into()),
                }
            });
        }
    };
    let only_root_note = (current.sources.len() > 1).then(|| {
        view! {
            <p class="hint" data-testid="use-in-analysis-note">
                {format!("Use in a new analysis stores {} only: the analysis scans the root file.", root_name)}
            </p>
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
        let scope = match options.scope.rules.len() {
            0 => String::new(),
            n => format!(", {}", crate::format::count(n, "scope rule", "scope rules")),
        };
        let values = match options.values.entries.len() {
            0 => String::new(),
            n => format!(
                ", {}",
                crate::format::count(n, "value of yours", "values of yours")
            ),
        };
        format!("Converted with {server}, {credentials}, {style}{scope}{values}.")
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
    let state = use_context::<super::PreviewState>();
    let draft = state.map(|p| p.draft());
    // Open when a base URL is needed, or when something typed is not applied.
    let open = needs_base_url || draft.is_some_and(|d| d.with_untracked(Option::is_some));
    let config = view! {
        <details class="panel config-panel" data-testid="config-panel" open=open>
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
                draft=draft
            />
        </details>
    };
    let endpoints_view = state.map(|p| p.endpoints_view()).unwrap_or_default();
    let har_view = state.map(|p| p.har_view()).unwrap_or_default();
    let open_entry = move |i: usize| focus_entry(har_view, i);
    // A new specification: focus and the view go to its summary, so that a
    // keyboard or screen-reader user is not left at the drop zone.
    let summary_ref = NodeRef::<leptos::html::H2>::new();
    if state.is_some_and(|p| p.take_focus_summary()) {
        Effect::new(move |_| {
            if let Some(heading) = summary_ref.get() {
                let _ = heading.focus();
                heading.scroll_into_view();
            }
        });
    }
    let total = spec.endpoints.len();
    let format = format!("{}, {}", spec.format_label(), spec.syntax.label());
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
    let credentials = credential_lines(spec, &current.options.auth);
    let credentials = (!credentials.is_empty()).then(|| {
        let items = credentials
            .into_iter()
            .map(|(warn, line)| {
                view! {
                    <li class=if warn { "credential credential--warning" } else { "credential" }>
                        {warn.then(|| view! { <Icon kind=IconKind::Warning /> })}
                        <CodeText text=line />
                    </li>
                }
            })
            .collect_view();
        view! {
            <div class="summary__wide">
                <dt>"Your credentials"</dt>
                <dd><ul class="credentials" data-testid="spec-credentials">{items}</ul></dd>
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
    // Which endpoints the prescan sends: the core's sentence, and the rule
    // it follows.
    let coverage = spec.coverage();
    let is_postman = spec.format == SpecFormat::Postman21;
    let notice = (total > PRESCAN_LIMIT || !current.options.scope.is_empty()).then(|| {
        let rule = if is_postman {
            format!("Excluded endpoints do not count toward the {PRESCAN_LIMIT}; ignored ones do.")
        } else {
            format!("Excluded endpoints do not count toward the {PRESCAN_LIMIT}.")
        };
        view! {
            <div class="notice" data-testid="prescan-notice">
                <Icon kind=IconKind::Info />
                <p>
                    <span data-testid="coverage-line">{coverage.sentence()}</span>
                    " "<span class="muted" data-testid="coverage-rule">{rule}</span>
                </p>
            </div>
        }
    });
    // The endpoint scope and the user's values: each change converts again.
    let scope_form = state.map(|p| p.scope_form()).unwrap_or_default();
    let applied = StoredValue::new(current.options.clone());
    let endpoint_keys = StoredValue::new(
        spec.endpoints
            .iter()
            .map(|e| (e.method, e.path.clone()))
            .collect::<Vec<_>>(),
    );
    let refine_with = move |focus: &str, change: &dyn Fn(&mut ConvertOptions)| {
        let mut options = applied.get_value();
        change(&mut options);
        if let Some(state) = state {
            state.refocus_after(focus);
        }
        on_refine.run(options);
    };
    let on_scope_row = Callback::new(move |(i, decision): (usize, ScopeDecision)| {
        let Some((method, path)) = endpoint_keys.with_value(|k| k.get(i).cloned()) else {
            return;
        };
        refine_with(&format!("endpoint-scope-{i}"), &|o| {
            o.scope = with_endpoint(&o.scope, method, &path, decision);
        });
    });
    let on_scope_rules = Callback::new(move |scope: prescan_core::Scope| {
        refine_with("scope-by", &|o| o.scope = scope.clone());
    });
    let on_values = Callback::new(move |values: prescan_core::values::ValueOverrides| {
        refine_with("values-text", &|o| o.values = values.clone());
    });
    if let Some(state) = state {
        if let Some(id) = state.take_refocus() {
            // Once the new preview is in the document.
            set_timeout(
                move || {
                    if let Some(element) = web_sys::window()
                        .and_then(|w| w.document())
                        .and_then(|d| d.get_element_by_id(&id))
                        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
                    {
                        let _ = element.focus();
                    }
                },
                std::time::Duration::from_millis(0),
            );
        }
    }
    let tags = {
        let mut tags: Vec<String> = Vec::new();
        for tag in spec.endpoints.iter().flat_map(|e| e.tags.iter()) {
            if !tags.contains(tag) {
                tags.push(tag.clone());
            }
        }
        tags
    };
    let methods = {
        let mut methods: Vec<&'static str> = Vec::new();
        for e in &spec.endpoints {
            if !methods.contains(&e.method.as_str()) {
                methods.push(e.method.as_str());
            }
        }
        methods
    };
    let values_count = current.options.values.entries.len();
    let user_valued = spec
        .endpoints
        .iter()
        .filter(|e| !e.user_values.is_empty())
        .count();
    let scope_open = !current.options.scope.is_empty()
        || scope_form.text.with_untracked(|t| !t.trim().is_empty());
    let scope_panel = view! {
        <details class="panel config-panel" data-testid="scope-panel"
            open=scope_open>
            <summary data-testid="scope-toggle">
                <span class="config-panel__title">"Endpoint scope"</span>
                <span class="muted" data-testid="scope-summary">{format!(
                    "{} included, {} excluded{}",
                    thousands(coverage.included),
                    thousands(coverage.excluded),
                    if coverage.ignored > 0 { format!(", {} ignored", thousands(coverage.ignored)) } else { String::new() }
                )}</span>
            </summary>
            <p class="hint">
                {if is_postman {
                    "Each endpoint is Included (the default: sent and tested), Excluded (scanners send it no request) or Ignored (sent, not tested). Set one endpoint in the Scope column of the table, or many at once here."
                } else {
                    "Each endpoint is Included (the default: sent and tested) or Excluded (scanners send it no request). Set one endpoint in the Scope column of the table, or many at once here. Ignore is for Postman collections only."
                }}
            </p>
            <div class="config scope-config">
                <ScopeRules scope=current.options.scope.clone() tags=tags methods=methods
                    ignore_allowed=is_postman form=scope_form on_change=on_scope_rules busy=busy />
            </div>
        </details>
    };
    let values_open = values_count > 0 || scope_form.values.with_untracked(Option::is_some);
    let values_panel = view! {
        <details class="panel config-panel" data-testid="values-panel"
            open=values_open>
            <summary data-testid="values-toggle">
                <span class="config-panel__title">"Your values"</span>
                <span class="muted" data-testid="values-summary">{match values_count {
                    0 => "None: every value is generated from the schemas".to_owned(),
                    n => format!(
                        "{} given, used by {}",
                        crate::format::count(n, "value", "values"),
                        crate::format::count(user_valued, "endpoint", "endpoints")
                    ),
                }}</span>
            </summary>
            <div class="config values-config">
                <ValuesEditor applied=current.options.values.clone() text=scope_form.values
                    on_apply=on_values busy=busy />
            </div>
        </details>
    };
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
            <h2 id="summary-heading" data-testid="spec-title" tabindex="-1" node_ref=summary_ref>{spec.title.clone()}</h2>
            <dl class="summary">
                <div><dt>"Version"</dt><dd data-testid="spec-version">{spec.version.clone()}</dd></div>
                <div><dt>"Format"</dt><dd data-testid="spec-format">{format}</dd></div>
                <div><dt>"File"</dt><dd data-testid="spec-file">{format!("{} ({})", spec.file_name, bytes(spec.file_size))}</dd></div>
                <div><dt>"Endpoints"</dt><dd data-testid="endpoint-count">{thousands(total)}</dd></div>
                <div class="summary__wide"><dt>"Servers"</dt><dd>{servers}</dd></div>
                {auth}
                {credentials}
            </dl>
            {description}
            {other_sources}
            <div class="downloads">
                <button type="button" class="button" data-testid="download-har" on:click=download_har
                    title=format!("Every endpoint: {}", crate::format::count(current.har.len(), "entry", "entries"))>
                    <Icon kind=IconKind::Download />{format!("Download HAR: all ({har_name})")}
                </button>
                <button type="button" class="button button--secondary" data-testid="download-har-in-scope" on:click=download_in_scope
                    title=format!("The endpoints a scanner sends requests to: {}", crate::format::count(in_scope_entries, "entry", "entries"))>
                    <Icon kind=IconKind::Download />{format!("Download HAR: in scope ({har_in_scope_name})")}
                </button>
                {download_original}
                <button type="button" data-testid="use-in-analysis"
                    class=move || if use_refused.with(Option::is_some) { "button button--unavailable" } else { "button button--secondary" }
                    aria-describedby=move || use_refused.with(Option::is_some).then_some("use-in-analysis-refused")
                    disabled=move || use_refused.with(Option::is_some)
                    on:click=use_in_analysis>
                    "Use in a new analysis"
                </button>
            </div>
            {move || unapplied.get().map(|why| view! {
                <p class="field-error" role="alert" data-testid="use-in-analysis-unapplied">{why}</p>
            })}
            {move || use_refused.get().map(|why| view! {
                <p class="hint" id="use-in-analysis-refused" data-testid="use-in-analysis-refused">{why}</p>
            })}
            {only_root_note}
        </section>
        {config}
        {scope_panel}
        {values_panel}
        {notice}
        {diagnostics}
        <section class="panel" aria-labelledby="endpoints-heading">
            <h2 id="endpoints-heading">"Endpoints a prescan covers"</h2>
            {if total == 0 {
                view! { <p data-testid="no-endpoints">"This specification declares no endpoints: a prescan would send nothing."</p> }.into_any()
            } else {
                view! { <EndpointsTable endpoints=spec.endpoints.clone() view=endpoints_view on_open=open_entry
                    on_scope=on_scope_row ignore_allowed=is_postman /> }.into_any()
            }}
        </section>
        <section class="panel" aria-labelledby="har-heading">
            <h2 id="har-heading">"Converted HAR"</h2>
            <p class="muted">
                {format!("{}, one per endpoint, in specification order. ", crate::format::count(current.har.len(), "entry", "entries"))}
                "Each is a complete HAR 1.2 entry: it opens in a browser's network panel."
            </p>
            <HarBrowser har=current.har.clone() view=har_view />
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

/// The name of the in-scope HAR download: `petstore.har` →
/// `petstore-in-scope.har`.
pub(crate) fn in_scope_file_name(har_name: &str) -> String {
    match har_name.strip_suffix(".har") {
        Some(stem) => format!("{stem}-in-scope.har"),
        None => format!("{har_name}-in-scope.har"),
    }
}

/// One line per credential entered: how many requests carry it and why the
/// others do not (the conversion's notes about them), then the custom
/// headers and cookies, which go with every request unless their name is
/// refused. `true` marks a credential that is not sent as entered.
pub(crate) fn credential_lines(spec: &Specification, auth: &ScanAuth) -> Vec<(bool, String)> {
    let mut lines: Vec<(bool, String)> = spec
        .diagnostics
        .iter()
        .filter(|d| is_credential_note(d))
        .map(|d| (d.severity != Severity::Information, d.message.clone()))
        .collect();
    for (name, _) in &auth.custom_headers {
        lines.push(match validate_header_name(name) {
            Ok(()) => (
                false,
                format!("Custom header `{name}` is sent with every request."),
            ),
            Err(why) => (
                true,
                format!("Custom header left out of every request: {why}"),
            ),
        });
    }
    for (name, _) in &auth.custom_cookies {
        lines.push(match validate_cookie_name(name) {
            Ok(()) => (
                false,
                format!("Custom cookie `{name}` is sent with every request."),
            ),
            Err(why) => (
                true,
                format!("Custom cookie `{name}` is left out of every request: {why}"),
            ),
        });
    }
    lines
}

/// The bytes of every file of the preview, in the order given; `Err` names
/// a file the browser could not read.
async fn read_sources(sources: &[Source]) -> Result<Vec<SourceFile>, String> {
    let mut files = Vec::with_capacity(sources.len());
    for source in sources {
        let buffer = JsFuture::from(source.blob.array_buffer())
            .await
            .map_err(|_| source.name.clone())?;
        files.push(SourceFile {
            name: source.name.clone(),
            bytes: js_sys::Uint8Array::new(&buffer).to_vec(),
        });
    }
    Ok(files)
}
