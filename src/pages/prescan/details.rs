//! The Prescan Details of a scan that exists: the page's state, its status
//! line, and the two tabs that hold its parts.

use leptos::prelude::*;
use leptos::task::spawn_local;
use prescan_core::analysis::{AnalysisId, Scan, SpecId, SpecScan};
use prescan_core::api::PrescanState;
use prescan_core::prescan::{PrescanReport, PrescanStatus, Progress, DEFAULT_REQUESTS_PER_SECOND};
use prescan_core::values::ValueOverrides;
use prescan_core::Scope;
use web_sys::Blob;

use super::configuration;
use super::driver::{stop, Shared, Ui};
use super::form::{default_base_url, run_panel, Form};
use super::results;
use super::run;
use super::server::{follow_server_prescan, show_server_prescan};
use crate::components::icon::{Icon, IconKind};
use crate::components::scan_config::{cookie_name_problem, scheme_name_problem, Pairs};
use crate::format::DateTime;
use crate::route::Route;
use crate::store::{use_store, AppStore};

fn base_name(name: &str) -> &str {
    name.rsplit('/').next().unwrap_or(name)
}

/// What the parts of the page share: the store, what the driver updates,
/// the form, and the page's own signals.
#[derive(Clone, Copy)]
pub(super) struct Page {
    pub(super) app: AppStore,
    pub(super) ui: Ui,
    /// With a server: the server runs the prescan, this page follows it.
    pub(super) on_server: bool,
    pub(super) form: Form,
    pub(super) errors: RwSignal<Vec<String>>,
    pub(super) failure: RwSignal<Option<String>>,
    pub(super) converting: RwSignal<bool>,
    pub(super) poll_error: RwSignal<Option<String>>,
    /// The target, rate and unsafe-methods switch of the last prescan.
    pub(super) used: RwSignal<Option<(String, f64, bool)>>,
    pub(super) spec_id: SpecId,
    pub(super) har_blob: StoredValue<Option<Blob>, LocalStorage>,
    pub(super) has_har: RwSignal<bool>,
    pub(super) runner: StoredValue<Option<Shared>, LocalStorage>,
    /// The scan's endpoint scope and values: the conversion uses them.
    pub(super) scoping: StoredValue<(Scope, ValueOverrides)>,
    /// What the last conversion's prescan covers (the coverage sentence),
    /// when the scan has a scope.
    pub(super) coverage: RwSignal<Option<String>>,
}

#[component]
pub(super) fn Details(id: AnalysisId, name: String, scan: Scan, spec: SpecScan) -> impl IntoView {
    let app = use_store();
    // A scan stored without credentials starts with those the preview's
    // Use in a new analysis handed over (kept in this tab's memory only).
    let mut scan = scan;
    if scan.auth.is_empty() && !app.is_api() {
        if let Some(handed) = use_context::<crate::pages::spec_preview::PreviewState>()
            .and_then(|p| p.handoff_for(spec.spec_id))
        {
            scan.auth = handed.auth;
        }
    }
    let base_url = RwSignal::new(default_base_url(&spec));
    let rate = RwSignal::new(DEFAULT_REQUESTS_PER_SECOND.to_string());
    let allow_unsafe = RwSignal::new(false);
    let bearer = RwSignal::new(scan.auth.bearer.clone().unwrap_or_default());
    let basic_user = RwSignal::new(
        scan.auth
            .basic
            .as_ref()
            .map(|b| b.0.clone())
            .unwrap_or_default(),
    );
    let basic_password = RwSignal::new(
        scan.auth
            .basic
            .as_ref()
            .map(|b| b.1.clone())
            .unwrap_or_default(),
    );
    let custom = RwSignal::new(
        scan.auth
            .custom_headers
            .iter()
            .map(|(n, v)| format!("{n}: {v}"))
            .collect::<Vec<_>>()
            .join("\n"),
    );
    let api_keys = Pairs::new(
        &scan
            .auth
            .api_keys
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect::<Vec<_>>(),
        scheme_name_problem,
    );
    let cookies = Pairs::new(&scan.auth.custom_cookies, cookie_name_problem);
    let user_agent = RwSignal::new(String::new());
    let oauth = super::form::OAuthForm::new(scan.auth.oauth.as_ref());

    let errors = RwSignal::new(Vec::<String>::new());
    let failure = RwSignal::new(Option::<String>::None);
    let converting = RwSignal::new(false);
    // With a server: the server runs the prescan, this page follows it.
    let server = app.http();
    let on_server = server.is_some();
    let poll_error = RwSignal::new(Option::<String>::None);
    // The last prescan of this scan, kept by the store: shown until the
    // next run (a server's is loaded below).
    let last = if on_server {
        None
    } else {
        app.last_prescan(scan.id)
    };
    let ui = Ui {
        app,
        analysis: id,
        scan: scan.id,
        report: RwSignal::new(last.clone()),
        progress: RwSignal::new(Progress::default()),
        running: RwSignal::new(false),
    };
    let scoping = StoredValue::new(scan_scoping(&scan));
    let coverage = RwSignal::new(Option::<String>::None);
    let har_blob = StoredValue::new_local(Option::<Blob>::None);
    let has_har = RwSignal::new(false);
    let runner = StoredValue::new_local(Option::<Shared>::None);
    let config_tab = RwSignal::new(false);
    let used = RwSignal::new(last.as_ref().map(|r| {
        let s = &r.plan.settings;
        (
            s.base_url.clone().unwrap_or_default(),
            s.requests_per_second.unwrap_or(DEFAULT_REQUESTS_PER_SECOND),
            s.allow_unsafe_methods,
        )
    }));

    on_cleanup(move || {
        runner.try_with_value(|r| {
            if let Some(shared) = r {
                let unfinished = !shared.borrow().done;
                if unfinished {
                    stop(shared);
                    shared.borrow_mut().done = true;
                }
            }
        });
    });

    let file_name = spec.file_name.clone();
    let short = base_name(&file_name).to_owned();
    let spec_id = spec.spec_id;
    let scan_server = spec.server.clone();
    let page = Page {
        app,
        ui,
        on_server,
        form: Form {
            base_url,
            rate,
            allow_unsafe,
            bearer,
            basic_user,
            basic_password,
            custom,
            api_keys,
            cookies,
            user_agent,
            oauth,
        },
        errors,
        failure,
        converting,
        poll_error,
        used,
        spec_id,
        har_blob,
        has_har,
        runner,
        scoping,
        coverage,
    };

    // A server keeps the last prescan of the scan: show it, and follow it
    // if it is still running.
    if let Some(http) = server.clone() {
        let scan_id = scan.id;
        spawn_local(async move {
            match http.prescan(scan_id).await {
                Ok(Some(prescan)) => {
                    show_server_prescan(ui, &prescan);
                    if let Some(r) = &prescan.report {
                        let s = &r.plan.settings;
                        used.try_set(Some((
                            s.base_url.clone().unwrap_or_default(),
                            s.requests_per_second.unwrap_or(DEFAULT_REQUESTS_PER_SECOND),
                            s.allow_unsafe_methods,
                        )));
                    }
                    if prescan.state == PrescanState::Running {
                        follow_server_prescan(ui, http, poll_error).await;
                    }
                }
                Ok(None) => {}
                Err(e) => {
                    failure.try_set(Some(format!(
                        "The last prescan could not be loaded from the server: {e}"
                    )));
                }
            }
        });
    }

    let run = run::run(page, server);
    let cancel = run::cancel(page);

    let status = move || {
        if converting.get() && on_server {
            "Starting the prescan on the server".to_owned()
        } else if converting.get() {
            "Converting the specification".to_owned()
        } else if ui.running.get() && ui.report.with(Option::is_none) {
            PrescanStatus::Prescanning.label().to_owned()
        } else {
            ui.report.with(|r| {
                r.as_ref()
                    .map(PrescanReport::status_text)
                    .unwrap_or_else(|| "Not run yet".to_owned())
            })
        }
    };
    let last_run = move || {
        ui.report.with(|r| {
            r.as_ref()
                .filter(|r| r.status() != PrescanStatus::Prescanning)
                .map(|r| {
                    r.results
                        .iter()
                        .flatten()
                        .map(|x| x.started_ms)
                        .min()
                        .map(|ms| view! { "Last prescan: " <DateTime ms=ms /> }.into_any())
                        .unwrap_or_else(|| "Last prescan: no request was sent".into_any())
                })
        })
    };
    // The status's tone: its class and icon (none while it runs or before).
    let tone = move || {
        ui.report.with(
            |r| match r.as_ref().map(|r| (r.status(), r.is_plain_success())) {
                Some((_, true)) => ("prescan-status--ok", Some(IconKind::Check)),
                Some((PrescanStatus::Succeeded, false)) => {
                    ("prescan-status--warning", Some(IconKind::Warning))
                }
                Some((PrescanStatus::Failed, _)) => {
                    ("prescan-status--failed", Some(IconKind::Error))
                }
                _ => ("prescan-status--neutral", None),
            },
        )
    };
    let status_class = move || format!("prescan-status {}", tone().0);
    let status_icon = move || tone().1.map(|kind| view! { <Icon kind=kind /> });
    let configuration = configuration::panel(
        page,
        name.clone(),
        short.clone(),
        &spec,
        scan_server.clone(),
    );

    let back = Route::Analysis(id.0.to_string()).to_hash();
    let tab = move |config: bool| move |_| config_tab.set(config);

    view! {
        <p class="back"><a href=back>{format!("Back to {name}")}</a></p>
        <h1>"Prescan Details"</h1>
        <p class="muted break">{format!("API specification scan of {short}")}</p>
        <p class="prescan-status-line">
            "Status: " <strong data-testid="prescan-status" class=status_class role="status">{status_icon}{status}</strong>
        </p>
        {move || last_run().map(|t| view! { <p class="muted" data-testid="prescan-last-run">{t}</p> })}
        {move || coverage.get().map(|c| view! { <p class="muted" data-testid="prescan-coverage">{c}</p> })}
        {move || failure.get().map(|f| view! {
            <div class="alert alert--error" role="alert" data-testid="prescan-error"><p>{f}</p></div>
        })}

        <div class="tabs" role="tablist" aria-label="Prescan Details">
            <button type="button" role="tab" id="tab-results" data-testid="tab-results" class="tab"
                aria-selected=move || (!config_tab.get()).to_string() aria-controls="panel-results"
                tabindex=move || if config_tab.get() { "-1" } else { "0" }
                on:click=tab(false)>"Prescan results"</button>
            <button type="button" role="tab" id="tab-configuration" data-testid="tab-configuration" class="tab"
                aria-selected=move || config_tab.get().to_string() aria-controls="panel-configuration"
                tabindex=move || if config_tab.get() { "0" } else { "-1" }
                on:click=tab(true)>"Scan configuration"</button>
        </div>

        <div role="tabpanel" id="panel-results" aria-labelledby="tab-results" hidden=move || config_tab.get()>
            {run_panel(page, &scan_server, &spec, run, cancel)}
            {results::connection(ui)}
            {results::table(ui, on_server)}
            {results::notes(ui)}
        </div>

        <div role="tabpanel" id="panel-configuration" aria-labelledby="tab-configuration" hidden=move || !config_tab.get()>
            <section class="panel" aria-labelledby="configuration-heading">
                <h2 id="configuration-heading">"Scan configuration"</h2>
                {configuration}
            </section>
        </div>
    }
}

/// The scan's endpoint scope and values (issue 18).
fn scan_scoping(scan: &Scan) -> (Scope, ValueOverrides) {
    (scan.scope.clone(), scan.values.clone())
}
