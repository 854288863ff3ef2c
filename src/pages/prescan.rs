//! Prescan Details of one API specification scan: Veracode's "Review API
//! Scanning Prescan Results" page. The scan's stored specification is
//! converted in the worker (with the target server and the credentials typed
//! here), the core's [`PrescanRun`] decides what to send and when, and this
//! page only sends the requests with `fetch` and shows the core's
//! [`PrescanReport`]: the status, the Connection section, the Request and
//! Response table, the Prescan Notes, and the scan configuration with its
//! downloads.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use js_sys::{Array, Uint8Array};
use leptos::prelude::*;
use leptos::task::spawn_local;
use prescan_core::analysis::{AnalysisId, Scan, ScanId, ScanTarget, SpecScan, StoreError};
use prescan_core::api::{self, PrescanRequest, PrescanState};
use prescan_core::har::Har;
use prescan_core::prescan::{
    Connection, Origin, Outcome, PlannedRequest, PrescanPlan, PrescanReport, PrescanRun,
    PrescanSettings, PrescanStatus, Progress, Received, Step, DEFAULT_REQUESTS_PER_SECOND,
    NO_RESPONSE_HELP,
};
use prescan_core::{ConvertOptions, ScanAuth};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, Blob, Headers, Request, RequestInit, RequestMode, Response};

use crate::components::diagnostics::severity_icon;
use crate::components::icon::{Icon, IconKind};
use crate::components::method_badge::MethodBadge;
use crate::components::poll_banner::PollBanner;
use crate::components::schedule_input::local_time_text;
use crate::convert::{self, FileBytes};
use crate::download;
use crate::format::{bytes, har_file_name, millis, thousands};
use crate::route::Route;
use crate::store::http::HttpStore;
use crate::store::live::{sleep, Live, Poll};
use crate::store::settings::Backend;
use crate::store::{use_store, AppStore, Storage};

/// The custom headers typed one per line as `Name: value`; blank lines are
/// ignored. `Err` names the first line that is not a header.
pub fn parse_headers(text: &str) -> Result<Vec<(String, String)>, String> {
    let mut headers = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match line.split_once(':') {
            Some((name, value)) if !name.trim().is_empty() && !name.trim().contains(' ') => {
                headers.push((name.trim().to_owned(), value.trim().to_owned()))
            }
            _ => {
                return Err(format!(
                    "Line {} of the custom headers is not a header. Write one header per line as Name: value, such as X-API-Key: 1234.",
                    i + 1
                ))
            }
        }
    }
    Ok(headers)
}

/// The target server typed: a fully-qualified `http` or `https` URL.
pub fn check_base_url(text: &str) -> Result<String, String> {
    let url = text.trim();
    if url.is_empty() {
        return Err("Enter the target server's base URL, such as http://127.0.0.1:4010.".into());
    }
    match Origin::of(url) {
        Some(_) => Ok(url.to_owned()),
        None => Err(format!(
            "\"{url}\" is not a fully-qualified URL. Enter the target server's base URL with http:// or https://, such as http://127.0.0.1:4010."
        )),
    }
}

/// The requests per second typed: a positive number.
pub fn parse_rate(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(r) if r.is_finite() && r > 0.0 => Ok(r),
        _ => Err("Enter the requests per second as a number greater than 0, such as 10.".into()),
    }
}

/// The server a scan is configured with, when it is fully-qualified (else
/// empty: the user types one).
pub fn default_base_url(spec: &SpecScan) -> String {
    spec.server
        .iter()
        .chain(spec.servers.iter())
        .find(|s| Origin::of(s).is_some())
        .cloned()
        .unwrap_or_default()
}

/// The file name of the prescan's HAR (`petstore.yaml` → `petstore-prescan.har`).
pub fn prescan_file_name(spec_file_name: &str) -> String {
    let har = har_file_name(spec_file_name);
    match har.strip_suffix(".har") {
        Some(stem) => format!("{stem}-prescan.har"),
        None => format!("{har}-prescan.har"),
    }
}

/// The sentence the activity log and the notification carry.
pub fn summary(c: &Connection) -> String {
    format!(
        "{} requests, {} responses, {} network errors, {} authentication failures (401 or 403), {} skipped.",
        c.requests, c.responses, c.network_errors, c.auth_failures, c.skipped
    )
}

/// The request and the response (if one came) of row `number` (1-based).
pub fn exchange(
    report: &PrescanReport,
    number: usize,
) -> Option<(PlannedRequest, Option<Received>)> {
    let position = report
        .plan
        .requests
        .iter()
        .position(|r| r.index + 1 == number)?;
    let received = match report.results.get(position) {
        Some(Some(result)) => match &result.outcome {
            Outcome::Response(r) => Some(r.clone()),
            _ => None,
        },
        _ => None,
    };
    Some((report.plan.requests[position].clone(), received))
}

/// Saves bytes as a download named `name`.
fn save_bytes(bytes: &[u8], name: &str) -> Result<(), String> {
    let parts = Array::of1(&Uint8Array::from(bytes));
    Blob::new_with_u8_array_sequence(&parts)
        .map_err(|_| "The browser could not hold the file.".to_owned())
        .and_then(|blob| download::save(&blob, name))
}

fn base_name(name: &str) -> &str {
    name.rsplit('/').next().unwrap_or(name)
}

fn now() -> i64 {
    js_sys::Date::now() as i64
}

/// What the sending loop updates on the page.
#[derive(Clone, Copy)]
struct Ui {
    app: AppStore,
    analysis: AnalysisId,
    scan: ScanId,
    report: RwSignal<Option<PrescanReport>>,
    progress: RwSignal<Progress>,
    running: RwSignal<bool>,
}

/// A prescan being sent: the core's run and the browser's handles.
struct Runner {
    run: PrescanRun,
    /// The credentials sent, left out of the prescan the store keeps.
    auth: ScanAuth,
    total_endpoints: usize,
    controllers: HashMap<usize, AbortController>,
    timer: Option<i32>,
    done: bool,
}

type Shared = Rc<RefCell<Runner>>;

fn publish(shared: &Shared, ui: Ui) {
    let r = shared.borrow();
    ui.report.try_set(Some(r.run.report(r.total_endpoints)));
    ui.progress.try_set(r.run.progress());
}

/// Does what the core says until it says to wait.
fn pump(shared: &Shared, ui: Ui) {
    loop {
        let step = {
            let mut r = shared.borrow_mut();
            if r.done {
                return;
            }
            r.run.poll(now())
        };
        match step {
            Step::Send(position) => send(shared, ui, position),
            Step::WaitUntil(at) => {
                schedule(shared, ui, (at - now()).max(0));
                break;
            }
            Step::WaitForResponse => break,
            Step::Finished => {
                finish(shared, ui);
                return;
            }
        }
    }
    publish(shared, ui);
}

fn schedule(shared: &Shared, ui: Ui, ms: i64) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let mut r = shared.borrow_mut();
    if let Some(t) = r.timer.take() {
        window.clear_timeout_with_handle(t);
    }
    let again = shared.clone();
    let callback = Closure::once_into_js(move || {
        again.borrow_mut().timer = None;
        pump(&again, ui);
    });
    r.timer = window
        .set_timeout_with_callback_and_timeout_and_arguments_0(
            callback.unchecked_ref(),
            ms.min(i32::MAX as i64) as i32,
        )
        .ok();
}

fn build_request(req: &PlannedRequest, signal: &web_sys::AbortSignal) -> Option<Request> {
    let init = RequestInit::new();
    init.set_method(&req.method);
    init.set_mode(RequestMode::Cors);
    init.set_signal(Some(signal));
    let headers = Headers::new().ok()?;
    for (name, value) in &req.headers {
        // A header the browser refuses is left out; the request still goes.
        let _ = headers.append(name, value);
    }
    if let Some(ct) = &req.content_type {
        if !req
            .headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case("content-type"))
        {
            let _ = headers.set("Content-Type", ct);
        }
    }
    init.set_headers(&headers);
    if let Some(body) = &req.body {
        init.set_body(&JsValue::from_str(body));
    }
    Request::new_with_str_and_init(&req.url, &init).ok()
}

async fn fetch(request: Request, body_limit: usize) -> Result<Received, ()> {
    let window = web_sys::window().ok_or(())?;
    let started = js_sys::Date::now();
    let response: Response = JsFuture::from(window.fetch_with_request(&request))
        .await
        .map_err(|_| ())?
        .dyn_into()
        .map_err(|_| ())?;
    let mut headers = Vec::new();
    if let Ok(Some(items)) = js_sys::try_iter(response.headers().as_ref()) {
        for item in items.flatten() {
            let pair: Array = item.unchecked_into();
            headers.push((
                pair.get(0).as_string().unwrap_or_default(),
                pair.get(1).as_string().unwrap_or_default(),
            ));
        }
    }
    let text = JsFuture::from(response.text().map_err(|_| ())?)
        .await
        .map_err(|_| ())?
        .as_string()
        .unwrap_or_default();
    Ok(Received::new(
        response.status(),
        response.status_text(),
        headers,
        &text,
        js_sys::Date::now() - started,
        body_limit,
    ))
}

fn send(shared: &Shared, ui: Ui, position: usize) {
    let (req, settings) = {
        let r = shared.borrow();
        (
            r.run.request(position).cloned(),
            r.run.plan().settings.normalized(),
        )
    };
    let Some(req) = req else {
        return;
    };
    let Some(controller) = AbortController::new().ok() else {
        shared
            .borrow_mut()
            .run
            .complete(position, Outcome::NoResponse { time_ms: 0.0 });
        return;
    };
    let Some(request) = build_request(&req, &controller.signal()) else {
        shared
            .borrow_mut()
            .run
            .complete(position, Outcome::MalformedUrl);
        return;
    };
    let timed_out = Rc::new(Cell::new(false));
    let timer = web_sys::window().and_then(|window| {
        let (flag, abort) = (timed_out.clone(), controller.clone());
        let on_timeout = Closure::once_into_js(move || {
            flag.set(true);
            abort.abort();
        });
        window
            .set_timeout_with_callback_and_timeout_and_arguments_0(
                on_timeout.unchecked_ref(),
                settings.timeout_ms.min(i32::MAX as u64) as i32,
            )
            .ok()
    });
    shared.borrow_mut().controllers.insert(position, controller);
    let shared = shared.clone();
    spawn_local(async move {
        let started = js_sys::Date::now();
        let result = fetch(request, settings.body_limit).await;
        if let (Some(window), Some(t)) = (web_sys::window(), timer) {
            window.clear_timeout_with_handle(t);
        }
        let time_ms = js_sys::Date::now() - started;
        let outcome = match result {
            Ok(received) => Outcome::Response(received),
            Err(()) if timed_out.get() => Outcome::Timeout { time_ms },
            Err(()) => Outcome::NoResponse { time_ms },
        };
        {
            let mut r = shared.borrow_mut();
            r.controllers.remove(&position);
            r.run.complete(position, outcome);
        }
        pump(&shared, ui);
    });
}

/// Stops sending: the requests in flight are aborted.
fn stop(shared: &Shared) {
    let mut r = shared.borrow_mut();
    r.run.cancel(now());
    for (_, controller) in r.controllers.drain() {
        controller.abort();
    }
    if let (Some(window), Some(t)) = (web_sys::window(), r.timer.take()) {
        window.clear_timeout_with_handle(t);
    }
}

fn finish(shared: &Shared, ui: Ui) {
    shared.borrow_mut().done = true;
    publish(shared, ui);
    ui.running.try_set(false);
    let (report, auth) = {
        let r = shared.borrow();
        (r.run.report(r.total_endpoints), r.auth.clone())
    };
    let succeeded = report.status() == PrescanStatus::Succeeded;
    let text = summary(&report.connection());
    let _ = ui
        .app
        .save_prescan(ui.analysis, ui.scan, report, &auth, succeeded, &text);
}

/// How often a prescan running on a server is asked for its progress.
const SERVER_PRESCAN_POLL_MS: u32 = 500;

/// Shows a prescan from the server.
fn show_server_prescan(ui: Ui, prescan: &api::Prescan) {
    ui.progress.try_set(Progress {
        done: prescan.progress.done,
        in_flight: 0,
        total: prescan.progress.total,
    });
    if let Some(report) = &prescan.report {
        ui.report.try_set(Some(report.clone()));
    }
    ui.running.try_set(prescan.state == PrescanState::Running);
}

/// Follows a prescan running on the server until it finishes (or the page
/// goes): its progress every half second; a failed poll says so and is
/// retried, waiting longer each time (up to 10 s).
async fn follow_server_prescan(
    ui: Ui,
    http: std::rc::Rc<HttpStore>,
    poll_error: RwSignal<Option<String>>,
) {
    let mut failures = 0u32;
    loop {
        let wait = if failures == 0 {
            SERVER_PRESCAN_POLL_MS
        } else {
            crate::store::live::backoff_ms(failures)
        };
        sleep(wait).await;
        if ui.running.try_get_untracked() != Some(true) {
            return;
        }
        match http.prescan(ui.scan).await {
            Ok(Some(prescan)) => {
                failures = 0;
                poll_error.try_set(None);
                show_server_prescan(ui, &prescan);
                if prescan.state == PrescanState::Finished {
                    // The server records the result and its notification,
                    // which the app's notification poller shows
                    // (store::feed): none here, so it shows once.
                    ui.app.bump();
                    return;
                }
            }
            Ok(None) => {
                ui.running.try_set(false);
                return;
            }
            Err(e) => {
                failures += 1;
                let again = crate::store::live::backoff_ms(failures + 1) / 1000;
                if poll_error
                    .try_set(Some(format!(
                        "The prescan's progress could not be read: {e} Trying again in {again} s; the prescan goes on on the server."
                    )))
                    .is_some()
                {
                    return;
                }
            }
        }
    }
}

/// The Prescan Details page of scan `scan` of analysis `analysis`.
#[component]
pub fn PrescanPage(analysis: String, scan: String) -> impl IntoView {
    let app = use_store();
    let analysis_id = analysis.trim().parse::<u64>().ok().map(AnalysisId);
    let scan_id = scan.trim().parse::<u64>().ok();
    let live = Live::new(app, move || async move {
        match analysis_id {
            Some(id) => app.get(id).await,
            None => Err(StoreError::AnalysisNotFound(AnalysisId(0))),
        }
    });
    let poll = Poll::start(
        app,
        5000,
        move || live.refetch(),
        move || live.loading(),
        move || live.failed_untracked(),
    );
    let found = Memo::new(move |_| {
        let a = live.data.get()?;
        let scan = a.scans.iter().find(|s| Some(s.id.0) == scan_id)?.clone();
        let ScanTarget::ApiSpecification(spec) = scan.target.clone() else {
            return None;
        };
        Some((a.id, a.name.clone(), scan, spec))
    });
    // The page is drawn once per scan found; later loads of the analysis
    // (with a server, every few seconds) do not redraw it.
    let exists =
        Memo::new(move |_| found.with(|f| f.as_ref().map(|(id, _, scan, _)| (*id, scan.id))));
    let loading = move || {
        (!app.is_api() && app.storage.with(|s| *s == Storage::Loading))
            || (live.error.with(Option::is_none) && !live.settled())
    };
    let failed = move || {
        live.error.with(|e| {
            e.as_ref()
                .is_some_and(|e| !crate::store::live::is_absence(e))
        })
    };
    let back = Route::Analysis(analysis.clone()).to_hash();
    move || {
        if exists.get().is_some() {
            let Some((id, name, scan, spec)) = found.get_untracked() else {
                return ().into_any();
            };
            view! {
                <PollBanner poll=poll error=live.error />
                <Details id=id name=name scan=scan spec=spec />
            }
            .into_any()
        } else if failed() {
            view! {
                <p class="back"><a href=back.clone()>"Back to the analysis"</a></p>
                <h1>"Prescan Details"</h1>
                <PollBanner poll=poll error=live.error />
            }
            .into_any()
        } else if loading() {
            view! { <p class="muted" role="status">"Reading your analyses…"</p> }.into_any()
        } else {
            view! {
                <p class="back"><a href="#/analyses">"All Dynamic Analyses"</a></p>
                <h1>"Prescan Details"</h1>
                <div class="alert alert--error" role="alert" data-testid="prescan-not-found">
                    <p>
                        {if app.is_api_untracked() {
                            format!("No API specification scan with this id is in this analysis on {}. It may have been removed. ", app.backend.with_untracked(Backend::label))
                        } else {
                            "No API specification scan with this id is in this analysis in this browser. It may have been removed. ".to_owned()
                        }}
                        <a href=back.clone()>"Go back to the analysis"</a>
                        "."
                    </p>
                </div>
            }
            .into_any()
        }
    }
}

#[component]
fn Details(id: AnalysisId, name: String, scan: Scan, spec: SpecScan) -> impl IntoView {
    let app = use_store();
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
    let api_keys = scan.auth.api_keys.clone();
    let cookies = scan.auth.custom_cookies.clone();

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

    let run_on_server = {
        let server = server.clone();
        move || {
            let Some(http) = server.clone() else {
                return;
            };
            let rps = match parse_rate(&rate.get_untracked()) {
                Ok(r) => r,
                Err(e) => {
                    errors.set(vec![e]);
                    return;
                }
            };
            errors.set(Vec::new());
            let request = PrescanRequest {
                allow_unsafe_methods: Some(allow_unsafe.get_untracked()),
                requests_per_second: Some(rps),
                ..PrescanRequest::default()
            };
            converting.set(true);
            let scan_id = ui.scan;
            spawn_local(async move {
                let started = http.start_prescan(scan_id, &request).await;
                converting.try_set(false);
                match started {
                    Ok(prescan) => {
                        poll_error.try_set(None);
                        show_server_prescan(ui, &prescan);
                        ui.running.try_set(true);
                        follow_server_prescan(ui, http, poll_error).await;
                    }
                    Err(e) => {
                        failure.try_set(Some(format!(
                            "The prescan could not be started on the server: {e}"
                        )));
                    }
                }
            });
        }
    };

    let run = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if ui.running.get_untracked() || converting.get_untracked() {
            return;
        }
        failure.set(None);
        if on_server {
            run_on_server();
            return;
        }
        let mut problems = Vec::new();
        let base = check_base_url(&base_url.get_untracked()).map_err(|e| problems.push(e));
        let rps = parse_rate(&rate.get_untracked()).map_err(|e| problems.push(e));
        let headers = parse_headers(&custom.get_untracked()).map_err(|e| problems.push(e));
        let (user, password) = (basic_user.get_untracked(), basic_password.get_untracked());
        if user.is_empty() != password.is_empty() {
            problems.push(
                "Enter both the user name and the password for basic authentication, or neither."
                    .into(),
            );
        }
        errors.set(problems);
        let (Ok(base), Ok(rps), Ok(headers)) = (base, rps, headers) else {
            return;
        };
        if !errors.get_untracked().is_empty() {
            return;
        }
        let token = bearer.get_untracked();
        let auth = ScanAuth {
            custom_headers: headers,
            custom_cookies: cookies.clone(),
            basic: (!user.is_empty()).then_some((user, password)),
            bearer: (!token.trim().is_empty()).then(|| token.trim().to_owned()),
            api_keys: api_keys.clone(),
        };
        let options = ConvertOptions {
            base_url: Some(base.clone()),
            auth,
            ..ConvertOptions::default()
        };
        let settings = PrescanSettings {
            base_url: Some(base.clone()),
            allow_unsafe_methods: allow_unsafe.get_untracked(),
            requests_per_second: Some(rps),
            ..PrescanSettings::default()
        };
        used.set(Some((base, rps, settings.allow_unsafe_methods)));
        let file_name = file_name.clone();
        converting.set(true);
        spawn_local(async move {
            let bytes = match app.specification_bytes(spec_id).await {
                Ok(b) => b,
                Err(e) => {
                    converting.try_set(false);
                    failure.try_set(Some(format!(
                        "The specification could not be read from this browser: {e}"
                    )));
                    return;
                }
            };
            let converted = convert::convert(
                vec![FileBytes {
                    name: file_name,
                    bytes: Uint8Array::from(&bytes[..]),
                }],
                &options,
            )
            .await;
            let prepared = match converted {
                Ok(c) => {
                    let text = JsFuture::from(c.entries.file.text())
                        .await
                        .ok()
                        .and_then(|v| v.as_string())
                        .unwrap_or_default();
                    serde_json::from_str::<Har>(&text)
                        .map(|har| (har, c.entries.file.clone(), c.spec.endpoints.len()))
                        .map_err(|e| format!("The converted HAR could not be read ({e})."))
                }
                Err(f) => Err(f.message),
            };
            converting.try_set(false);
            let (har, blob, total_endpoints) = match prepared {
                Ok(p) => p,
                Err(m) => {
                    failure.try_set(Some(format!(
                        "The specification could not be converted: {m} Check the scan's specification, then run the prescan again."
                    )));
                    return;
                }
            };
            har_blob.try_set_value(Some(blob));
            has_har.try_set(true);
            let plan = PrescanPlan::new(&har, &settings);
            let shared = Rc::new(RefCell::new(Runner {
                run: PrescanRun::new(plan),
                auth: options.auth.clone(),
                total_endpoints,
                controllers: HashMap::new(),
                timer: None,
                done: false,
            }));
            if runner.try_set_value(Some(shared.clone())).is_some() {
                // The page is gone.
                return;
            }
            ui.running.try_set(true);
            publish(&shared, ui);
            pump(&shared, ui);
        });
    };
    let cancel = move |_| {
        if let Some(http) = app.http().filter(|_| on_server) {
            let scan_id = ui.scan;
            spawn_local(async move {
                if let Err(e) = http.cancel_prescan(scan_id).await {
                    failure.try_set(Some(format!("The prescan could not be cancelled: {e}")));
                }
            });
            return;
        }
        runner.with_value(|r| {
            if let Some(shared) = r {
                stop(shared);
                pump(shared, ui);
            }
        });
    };

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
                    .map(|r| r.status().label().to_owned())
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
                        .map(|ms| format!("Last prescan: {}", local_time_text(ms)))
                        .unwrap_or_else(|| "Last prescan: no request was sent".to_owned())
                })
        })
    };
    let status_class = move || {
        let tone = ui
            .report
            .with(|r| match r.as_ref().map(PrescanReport::status) {
                Some(PrescanStatus::Succeeded) => "prescan-status--ok",
                Some(PrescanStatus::Failed) => "prescan-status--failed",
                _ => "prescan-status--neutral",
            });
        format!("prescan-status {tone}")
    };

    let progress = move || {
        ui.report.with(Option::is_some).then(|| {
            let p = ui.progress.get();
            view! {
                <p data-testid="prescan-progress" class="prescan-progress">
                    <progress max=p.total.max(1) value=p.done></progress>
                    " " {format!("{} of {} requests done", thousands(p.done), thousands(p.total))}
                </p>
            }
        })
    };

    let connection = move || {
        ui.report.with(|r| {
            r.as_ref().map(|r| {
                let c = r.connection();
                view! {
                    <section class="panel" aria-labelledby="connection-heading" data-testid="connection">
                        <h2 id="connection-heading">"Connection"</h2>
                        <dl class="summary">
                            <div><dt>"Requests"</dt><dd data-testid="connection-requests">{thousands(c.requests)}</dd></div>
                            <div><dt>"Responses"</dt><dd data-testid="connection-responses">{thousands(c.responses)}</dd></div>
                            <div><dt>"Network errors"</dt><dd data-testid="connection-network-errors">{thousands(c.network_errors)}</dd></div>
                            <div><dt>"Authentication verification (401 or 403)"</dt><dd data-testid="connection-auth-failures">{thousands(c.auth_failures)}</dd></div>
                            <div><dt>"Skipped"</dt><dd data-testid="connection-skipped">{thousands(c.skipped)}</dd></div>
                        </dl>
                        {(c.network_errors > 0).then(|| view! {
                            <div class="alert alert--error" data-testid="no-response-help"><p>{NO_RESPONSE_HELP}</p></div>
                        })}
                    </section>
                }
            })
        })
    };

    let table = move || {
        ui.report.with(|r| {
            r.as_ref().map(|report| {
                let rows = report
                    .rows()
                    .into_iter()
                    .map(|row| {
                        let class = if row.in_error { "prescan-row prescan-row--error" } else { "prescan-row" };
                        let exchange = exchange(report, row.number);
                        let time = row.time_ms.map(millis).unwrap_or_else(|| "—".into());
                        let size = row.size.map(|s| bytes(s as usize)).unwrap_or_else(|| "—".into());
                        let details = exchange.map(|(req, received)| view! { <Exchange req=req received=received /> });
                        view! {
                            <tr class=class data-testid="prescan-row" data-in-error=row.in_error.to_string()>
                                <td class="num">{row.number}</td>
                                <td><MethodBadge method=row.method.clone() /></td>
                                <td><span class="break">{row.url.clone()}</span>{details}</td>
                                <td data-testid="prescan-row-response">
                                    <strong>{row.response.clone()}</strong>
                                    {row.in_error.then(|| view! { <span class="visually-hidden">" (error)"</span> })}
                                    {row.detail.clone().filter(|_| !row.skipped).map(|d| view! { <br /><span class="hint">{d}</span> })}
                                </td>
                                <td class="num">{time}</td>
                                <td class="num">{size}</td>
                            </tr>
                        }
                    })
                    .collect_view();
                view! {
                    <section class="panel" aria-labelledby="exchanges-heading">
                        <h2 id="exchanges-heading">"Request and Response"</h2>
                        <div class="table-scroll">
                            <table class="table" data-testid="prescan-table">
                                <caption class="visually-hidden">"Requests sent by the prescan and the responses"</caption>
                                <thead>
                                    <tr>
                                        <th scope="col" class="num">"#"</th>
                                        <th scope="col">"Method"</th>
                                        <th scope="col">"URL"</th>
                                        <th scope="col">"Response"</th>
                                        <th scope="col" class="num">"Time"</th>
                                        <th scope="col" class="num">"Size"</th>
                                    </tr>
                                </thead>
                                <tbody>{rows}</tbody>
                            </table>
                        </div>
                    </section>
                }
            })
        })
    };

    let notes = move || {
        ui.report.with(|r| {
            r.as_ref().map(|r| {
                let items = r
                    .notes()
                    .into_iter()
                    .map(|d| {
                        let class = format!("severity severity--{}", d.severity.label().to_ascii_lowercase());
                        view! {
                            <li class="diagnostic" data-testid="prescan-note">
                                <span class=class><Icon kind=severity_icon(d.severity) />{d.severity.label()}</span>
                                <span class="diagnostic__message">{d.message}</span>
                            </li>
                        }
                    })
                    .collect_view();
                view! {
                    <section class="panel" aria-labelledby="notes-heading" data-testid="prescan-notes">
                        <h2 id="notes-heading">"Prescan Notes"</h2>
                        <ul class="diagnostics">{items}</ul>
                    </section>
                }
            })
        })
    };

    let save_original = {
        let short = short.clone();
        move |_| {
            failure.set(None);
            let short = short.clone();
            spawn_local(async move {
                let saved = app
                    .specification_bytes(spec_id)
                    .await
                    .map_err(|e| e.to_string())
                    .and_then(|b| save_bytes(&b, &short));
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
                        .and_then(|b| save_bytes(&b, &har_name));
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
                        .and_then(|b| save_bytes(&b, &prescan_name));
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

    let configuration = {
        let short = short.clone();
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
                        "{base}, {rps} requests per second, {}",
                        if unsafe_ok {
                            "methods that may change data sent"
                        } else {
                            "only GET, HEAD and OPTIONS sent"
                        }
                    )
                })
                .unwrap_or_else(|| "Not run yet".into())
        };
        view! {
            <dl class="summary" data-testid="configuration-summary">
                <div><dt>"Analysis"</dt><dd>{name.clone()}</dd></div>
                <div><dt>"Specification"</dt><dd class="break">{short.clone()}</dd></div>
                <div><dt>"Endpoints"</dt><dd>{thousands(spec.endpoint_count)}</dd></div>
                <div><dt>"Scan's server"</dt><dd class="break">{spec.server.clone().or_else(|| spec.servers.first().cloned()).unwrap_or_else(|| "None".into())}</dd></div>
                <div><dt>"Last prescan"</dt><dd class="break" data-testid="configuration-used">{used_text}</dd></div>
                <div><dt>"Credentials"</dt><dd>{credentials}</dd></div>
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
    };

    let back = Route::Analysis(id.0.to_string()).to_hash();
    let busy = move || ui.running.get() || converting.get();
    let tab = move |config: bool| move |_| config_tab.set(config);

    view! {
        <p class="back"><a href=back>{format!("Back to {name}")}</a></p>
        <h1>"Prescan Details"</h1>
        <p class="muted break">{format!("API specification scan of {short}")}</p>
        <p class="prescan-status-line">
            "Status: " <strong data-testid="prescan-status" class=status_class role="status">{status}</strong>
        </p>
        {move || last_run().map(|t| view! { <p class="muted" data-testid="prescan-last-run">{t}</p> })}
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
            <section class="panel" aria-labelledby="run-heading">
                <h2 id="run-heading">"Run prescan"</h2>
                {move || (!errors.get().is_empty()).then(|| view! {
                    <div class="alert alert--error" role="alert" data-testid="prescan-form-errors">
                        <ul>{errors.get().into_iter().map(|e| view! { <li>{e}</li> }).collect_view()}</ul>
                    </div>
                })}
                {on_server.then(|| {
                    let target = scan_server
                        .clone()
                        .or_else(|| spec.servers.first().cloned())
                        .unwrap_or_else(|| "the specification's first server".into());
                    view! {
                        <p class="hint" data-testid="prescan-on-server">
                            {format!(
                                "The server at {} sends the requests to {target} with the scan's stored credentials, and keeps the result. You can leave this page: the prescan goes on.",
                                app.backend.with_untracked(Backend::label)
                            )}
                        </p>
                    }
                })}
                {move || poll_error.get().map(|e| view! {
                    <div class="alert alert--warning" role="alert" data-testid="prescan-poll-error"><p>{e}</p></div>
                })}
                <form class="prescan-form" on:submit=run novalidate=true>
                    <div class="field" hidden=on_server>
                        <label for="prescan-base-url">"Target server base URL"</label>
                        <p class="hint">"Fully-qualified, with the base path, such as http://127.0.0.1:4010 or https://api.example.com/v1."</p>
                        <input id="prescan-base-url" type="url" data-testid="prescan-base-url" required=true
                            prop:value=move || base_url.get()
                            on:input=move |ev| base_url.set(event_target_value(&ev)) />
                    </div>
                    <div class="field">
                        <label for="prescan-rate">"Requests per second"</label>
                        <input id="prescan-rate" type="number" min="0.1" max="100" step="any" data-testid="prescan-rate" inputmode="decimal"
                            prop:value=move || rate.get()
                            on:input=move |ev| rate.set(event_target_value(&ev)) />
                    </div>
                    <fieldset class="field" hidden=on_server>
                        <legend>"Credentials"</legend>
                        <p class="hint">"Used for this prescan only; they shape the requests of the HAR."</p>
                        <label for="prescan-bearer">"Bearer token"</label>
                        <input id="prescan-bearer" type="password" autocomplete="off" data-testid="prescan-bearer"
                            prop:value=move || bearer.get()
                            on:input=move |ev| bearer.set(event_target_value(&ev)) />
                        <label for="prescan-basic-user">"Basic authentication user name"</label>
                        <input id="prescan-basic-user" type="text" autocomplete="off" data-testid="prescan-basic-user"
                            prop:value=move || basic_user.get()
                            on:input=move |ev| basic_user.set(event_target_value(&ev)) />
                        <label for="prescan-basic-password">"Basic authentication password"</label>
                        <input id="prescan-basic-password" type="password" autocomplete="off" data-testid="prescan-basic-password"
                            prop:value=move || basic_password.get()
                            on:input=move |ev| basic_password.set(event_target_value(&ev)) />
                        <label for="prescan-headers">"Custom headers (one per line, Name: value)"</label>
                        <textarea id="prescan-headers" rows="3" data-testid="prescan-headers"
                            prop:value=move || custom.get()
                            on:input=move |ev| custom.set(event_target_value(&ev))></textarea>
                    </fieldset>
                    <div class="field">
                        <label class="checkbox">
                            <input type="checkbox" data-testid="prescan-allow-unsafe"
                                prop:checked=move || allow_unsafe.get()
                                on:change=move |ev| allow_unsafe.set(event_target_checked(&ev)) />
                            " Also send methods that may change data (POST, PUT, PATCH, DELETE)"
                        </label>
                        <p class="notice prescan-warning">
                            <Icon kind=IconKind::Warning />
                            " Warning: these requests may create, change or delete data on the server. Only allow them against a test server."
                        </p>
                    </div>
                    <button type="submit" class="button" data-testid="prescan-run" disabled=busy>
                        {if on_server { "Run prescan on the server" } else { "Run" }}
                    </button>
                    " "
                    {move || ui.running.get().then(|| view! {
                        <button type="button" class="button button--secondary" data-testid="prescan-cancel" on:click=cancel>"Cancel"</button>
                    })}
                </form>
                {progress}
            </section>
            {connection}
            {table}
            {notes}
        </div>

        <div role="tabpanel" id="panel-configuration" aria-labelledby="tab-configuration" hidden=move || !config_tab.get()>
            <section class="panel" aria-labelledby="configuration-heading">
                <h2 id="configuration-heading">"Scan configuration"</h2>
                {configuration}
            </section>
        </div>
    }
}

/// The request and the response of one row, folded.
#[component]
fn Exchange(req: PlannedRequest, received: Option<Received>) -> impl IntoView {
    let header_lines = |headers: &[(String, String)]| {
        headers
            .iter()
            .map(|(n, v)| format!("{n}: {v}"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let request_headers = header_lines(&req.headers);
    let withheld = (!req.withheld_headers.is_empty()).then(|| {
        format!(
            "Not sent (the browser does not let a page set them): {}",
            req.withheld_headers.join(", ")
        )
    });
    let response = received.map(|r| {
        let truncated = r.body_truncated.then(|| {
            format!(
                "Body truncated: the first {} of {} are shown.",
                bytes(r.body.len()),
                bytes(r.size as usize)
            )
        });
        view! {
            <h4>{format!("Response: {} {}", r.status, r.status_text)}</h4>
            <pre class="prescan-pre">{header_lines(&r.headers)}</pre>
            {truncated.map(|t| view! { <p class="hint" data-testid="body-truncated">{t}</p> })}
            <pre class="prescan-pre">{r.body}</pre>
        }
        .into_any()
    });
    view! {
        <details class="prescan-exchange" data-testid="prescan-exchange">
            <summary>"Request and response"</summary>
            <h4>{format!("Request: {} {}", req.method, req.url)}</h4>
            <pre class="prescan-pre">{request_headers}</pre>
            {withheld.map(|w| view! { <p class="hint">{w}</p> })}
            {req.body.map(|b| view! { <pre class="prescan-pre">{b}</pre> })}
            {response.unwrap_or_else(|| view! { <p class="hint">"No response."</p> }.into_any())}
        </details>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn custom_headers_are_one_per_line() {
        assert_eq!(
            parse_headers("X-API-Key: abc\n\n  X-Team :  red:blue "),
            Ok(vec![
                ("X-API-Key".into(), "abc".into()),
                ("X-Team".into(), "red:blue".into())
            ])
        );
        assert!(parse_headers("X-API-Key abc")
            .unwrap_err()
            .contains("Line 1"));
        assert!(parse_headers("ok: 1\nbad name: 2")
            .unwrap_err()
            .contains("Line 2"));
    }

    #[test]
    fn the_target_must_be_fully_qualified() {
        assert_eq!(
            check_base_url(" http://127.0.0.1:4010 ").as_deref(),
            Ok("http://127.0.0.1:4010")
        );
        assert!(check_base_url("").is_err());
        assert!(check_base_url("/v1").is_err());
        assert!(check_base_url("ftp://example.com").is_err());
    }

    #[test]
    fn rates_are_positive_numbers() {
        assert_eq!(parse_rate("2.5"), Ok(2.5));
        assert!(parse_rate("0").is_err());
        assert!(parse_rate("fast").is_err());
    }

    #[test]
    fn names_and_summary() {
        assert_eq!(prescan_file_name("petstore.yaml"), "petstore-prescan.har");
        let c = Connection {
            requests: 3,
            responses: 2,
            network_errors: 1,
            auth_failures: 1,
            skipped: 2,
        };
        assert_eq!(
            summary(&c),
            "3 requests, 2 responses, 1 network errors, 1 authentication failures (401 or 403), 2 skipped."
        );
    }
}
