//! Sends a prescan from the browser: the core's [`PrescanRun`] says what to
//! send and when, this loop sends it with `fetch`, aborts it when asked, and
//! keeps the page and the store up to date.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use js_sys::Array;
use leptos::prelude::*;
use leptos::task::spawn_local;
use prescan_core::analysis::{AnalysisId, ScanId};
use prescan_core::prescan::{
    Outcome, PlannedRequest, PrescanReport, PrescanRun, PrescanStatus, Progress, Received, Step,
};
use prescan_core::ScanAuth;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, Headers, Request, RequestInit, RequestMode, Response};

use crate::store::AppStore;

fn now() -> i64 {
    js_sys::Date::now() as i64
}

/// What the sending loop updates on the page.
#[derive(Clone, Copy)]
pub(super) struct Ui {
    pub(super) app: AppStore,
    pub(super) analysis: AnalysisId,
    pub(super) scan: ScanId,
    pub(super) report: RwSignal<Option<PrescanReport>>,
    pub(super) progress: RwSignal<Progress>,
    pub(super) running: RwSignal<bool>,
}

/// A prescan being sent: the core's run and the browser's handles.
pub(super) struct Runner {
    pub(super) run: PrescanRun,
    /// The credentials sent, left out of the prescan the store keeps.
    pub(super) auth: ScanAuth,
    pub(super) total_endpoints: usize,
    pub(super) controllers: HashMap<usize, AbortController>,
    pub(super) timer: Option<i32>,
    pub(super) done: bool,
}

pub(super) type Shared = Rc<RefCell<Runner>>;

pub(super) fn publish(shared: &Shared, ui: Ui) {
    let r = shared.borrow();
    ui.report.try_set(Some(r.run.report(r.total_endpoints)));
    ui.progress.try_set(r.run.progress());
}

/// Does what the core says until it says to wait.
pub(super) fn pump(shared: &Shared, ui: Ui) {
    loop {
        let step = {
            let mut r = shared.borrow_mut();
            if r.done {
                return;
            }
            r.run.poll(now())
        };
        match step {
            Step::Send(position) => send(shared, ui, Some(position)),
            // The OAuth 2.0 token (or discovery) request: a `fetch` in
            // `cors` mode like the others. A token endpoint that does not
            // allow this page's origin is a network error the core
            // explains (CORS, and the server prescan instead).
            Step::Authenticate => send(shared, ui, None),
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

/// The key of the token flow's request among the controllers.
const AUTH: usize = usize::MAX;

/// Records the outcome of request `position` (`None`: the token flow's).
fn complete(run: &mut PrescanRun, position: Option<usize>, outcome: Outcome) {
    match position {
        Some(p) => {
            run.complete(p, outcome);
        }
        None => {
            run.complete_auth(outcome);
        }
    }
}

/// Sends request `position` of the plan, with the OAuth 2.0 token when
/// there is one, or (`None`) the token flow's request.
fn send(shared: &Shared, ui: Ui, position: Option<usize>) {
    let (req, mut settings) = {
        let r = shared.borrow();
        (
            match position {
                Some(p) => r.run.outgoing(p),
                None => r.run.auth_request(),
            },
            r.run.plan().settings.normalized(),
        )
    };
    if position.is_none() {
        settings.body_limit = prescan_core::oauth::MAX_RESPONSE_BYTES;
    }
    let Some(req) = req else {
        return;
    };
    let Some(controller) = AbortController::new().ok() else {
        complete(
            &mut shared.borrow_mut().run,
            position,
            Outcome::NoResponse { time_ms: 0.0 },
        );
        return;
    };
    let Some(request) = build_request(&req, &controller.signal()) else {
        complete(
            &mut shared.borrow_mut().run,
            position,
            Outcome::MalformedUrl,
        );
        return;
    };
    let key = position.unwrap_or(AUTH);
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
    shared.borrow_mut().controllers.insert(key, controller);
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
            r.controllers.remove(&key);
            complete(&mut r.run, position, outcome);
        }
        pump(&shared, ui);
    });
}

/// Stops sending: the requests in flight are aborted.
pub(super) fn stop(shared: &Shared) {
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
    let text = report.summary_sentence();
    let _ = ui
        .app
        .save_prescan(ui.analysis, ui.scan, report, &auth, succeeded, &text);
}
