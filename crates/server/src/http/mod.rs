//! The HTTP layer: the routes of the contract under `/api/v1`, problem
//! details for every error (axum's own rejections included), body limits,
//! input validation, the optional bearer token, CORS, security headers and
//! the built app at `/`.
//!
//! Every handler is thin: parse and validate the request into the core's
//! types (`prescan_core::api` conversions), run the core's operation through
//! [`Db::mutate`](crate::db::Db::mutate) (one transaction, committed before
//! the response), convert the result back.
//!
//! One room per concern: this file holds the router, the problem answers
//! and the helpers that run work off the async threads; `gate` is what
//! every request passes first (Host, CORS, token), `extract` reads
//! requests, and `analyses`, `specifications`, `prescans` and
//! `notifications` are the routes by resource.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Extension, RawPathParams, RawQuery, Request, State};
use axum::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use axum::http::{Method, StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use prescan_core::analysis::{
    AnalysisId, ListQuery, ScanId, ScanTarget, SpecId, SpecUpload, StoreError, StoreState,
    STORE_VERSION,
};
use prescan_core::api::{self as wire, Problem, ProblemField, PROBLEM_CONTENT_TYPE};
use prescan_core::prescan::{Outcome, PrescanPlan, RequestResult};
use prescan_core::ConvertOptions;
use serde::de::DeserializeOwned;
use serde::Serialize;
use subtle::ConstantTimeEq;
use tower::ServiceExt;

use crate::db::{self, Changes, Extra, Lookup, MutateError, SavedPrescan};
use crate::{now_ms, prescan, AppState};

mod analyses;
mod extract;
mod gate;
mod notifications;
mod prescans;
mod specifications;

pub use gate::{authenticate, host_allowed, Caller};
pub use prescans::close_interrupted_prescans;
// What the rooms share with each other (they see it through `super::*`).
use analyses::*;
use extract::*;
use gate::*;
use notifications::*;
use prescans::*;
use specifications::*;

const API: &str = "/api/v1";
/// The contract (`public/api/openapi.json`), embedded at build time so that
/// the binary is self-contained.
pub const OPENAPI_JSON: &str = prescan_core::api::OPENAPI_JSON;

/// The Content-Security-Policy of the app served from `dist` (see
/// [`app_csp`]).
///
/// Scripts: the app's own files, WebAssembly (`'wasm-unsafe-eval'`) and
/// the inline `<script>` blocks of `index.html` (the service-worker
/// registration and Trunk's module loader) by their SHA-256 hashes,
/// computed when the server starts; never `'unsafe-inline'`. Connections:
/// this server, the `--allow-origin` origins and the `--csp-connect`
/// sources.
pub fn app_csp(index_html: Option<&str>, allow_origins: &[String], connect: &[String]) -> String {
    let mut script = String::from("'self' 'wasm-unsafe-eval'");
    for hash in index_html.map(inline_script_hashes).unwrap_or_default() {
        script.push_str(&format!(" 'sha256-{hash}'"));
    }
    let mut connect_src = String::from("'self'");
    for o in allow_origins.iter().chain(connect) {
        // A source may not hold ';' or ',' (they would end the directive).
        if !o.is_empty() && !o.contains([';', ',']) && !o.chars().any(char::is_whitespace) {
            connect_src.push(' ');
            connect_src.push_str(o);
        }
    }
    format!(
        "default-src 'self'; script-src {script}; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; connect-src {connect_src}; worker-src 'self'; manifest-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// The base64 SHA-256 of every inline `<script>` block (one without a
/// `src` attribute) of an HTML page, as CSP hash sources take them.
pub fn inline_script_hashes(html: &str) -> Vec<String> {
    use base64::Engine as _;
    use sha2::Digest as _;
    let lower = html.to_ascii_lowercase();
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(start) = lower[at..].find("<script").map(|i| i + at) {
        let Some(open_end) = lower[start..].find('>').map(|i| i + start) else {
            break;
        };
        let tag = &lower[start..open_end];
        let Some(close) = lower[open_end..].find("</script").map(|i| i + open_end) else {
            break;
        };
        let has_src = tag
            .split(|c: char| c.is_whitespace())
            .any(|attr| attr.starts_with("src=") || attr == "src");
        if !has_src {
            let body = &html[open_end + 1..close];
            let digest = sha2::Sha256::digest(body.as_bytes());
            out.push(base64::engine::general_purpose::STANDARD.encode(digest));
        }
        at = close + "</script".len();
    }
    out
}

/// An error response: a [`Problem`] as `application/problem+json`, with a
/// `Retry-After` (seconds) when the client should come back later.
#[derive(Debug)]
pub struct ApiError(pub Box<Problem>, pub Option<u64>);

impl From<Problem> for ApiError {
    fn from(p: Problem) -> Self {
        ApiError(Box::new(p), None)
    }
}

impl ApiError {
    /// A problem with `Retry-After: secs` (at least 1).
    pub fn retry_after(p: Problem, wait: Duration) -> Self {
        ApiError(Box::new(p), Some(wait.as_secs_f64().ceil().max(1.0) as u64))
    }
}

/// A 429 problem: `what` has been done too often (`option`: the limit).
fn rate_limited(what: &str, option: &str, wait: Duration) -> ApiError {
    let secs = wait.as_secs_f64().ceil().max(1.0) as u64;
    ApiError::retry_after(
        Problem::new(
            429,
            "rate-limited",
            "Too many requests",
            format!("Too many {what} from this client; try again in {secs} s (the server's limit: {option})."),
        ),
        wait,
    )
}

/// The client of a request: its rate-limit key (`token:<name>` for a
/// request with one of the server's tokens, `addr:<ip>` otherwise). The
/// guard puts it in every request's extensions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client(pub String);

/// Takes one event of `limiter` for `client` (429 when none is left).
fn take_rate(
    limiter: &crate::limits::RateLimiter,
    client: &Client,
    what: &str,
    option: &str,
) -> Result<(), ApiError> {
    limiter
        .take(&client.0)
        .map_err(|wait| rate_limited(what, option, wait))
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        ApiError::from(Problem::from_store_error(&e))
    }
}

impl From<db::DbError> for ApiError {
    fn from(e: db::DbError) -> Self {
        eprintln!("prescan-server: storage error: {e}");
        ApiError::from(Problem::internal(
            "The server could not read or write its database. Nothing was changed; try again, and check the server's log if it persists.",
        ))
    }
}

impl From<MutateError<ApiError>> for ApiError {
    fn from(e: MutateError<ApiError>) -> Self {
        match e {
            MutateError::Op(e) => e,
            MutateError::Db(e) => e.into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut r = problem_response(*self.0);
        if let Some(secs) = self.1 {
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        r
    }
}

/// The response of a problem.
pub fn problem_response(p: Problem) -> Response {
    let status = StatusCode::from_u16(p.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = serde_json::to_vec(&p).unwrap_or_default();
    let mut r = (status, body).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(PROBLEM_CONTENT_TYPE),
    );
    if status == StatusCode::UNAUTHORIZED {
        r.headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    r
}

type ApiResult = Result<Response, ApiError>;

fn json_response<T: Serialize>(status: StatusCode, value: &T) -> Response {
    match serde_json::to_vec(value) {
        Ok(body) => {
            let mut r = (status, body).into_response();
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            r
        }
        Err(e) => problem_response(Problem::internal(format!(
            "The response could not be written: {e}"
        ))),
    }
}

async fn blocking<R: Send + 'static>(
    f: impl FnOnce() -> Result<R, ApiError> + Send + 'static,
) -> Result<R, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::from(Problem::internal(format!("The request failed: {e}"))))?
}

/// A conversion's turn (see [`crate::har`]): at most `--max-conversions`
/// run at once; a request waits at most `--conversion-wait`, behind at
/// most `--conversion-queue` others, and gets a 503 problem with
/// `Retry-After` otherwise.
async fn conversion_turn(s: &AppState) -> Result<tokio::sync::OwnedSemaphorePermit, ApiError> {
    let c = &s.config;
    s.har
        .permit_within(c.conversion_queue, c.conversion_wait)
        .await
        .map_err(|busy| {
            let why = match busy {
                crate::har::Busy::Queue => format!(
                    "{} conversions are running and {} are waiting (--max-conversions, --conversion-queue)",
                    s.har.permits(),
                    c.conversion_queue
                ),
                crate::har::Busy::Wait => format!(
                    "no conversion ended within {} s (--conversion-wait)",
                    c.conversion_wait.as_secs_f64()
                ),
            };
            ApiError::retry_after(
                Problem::new(
                    503,
                    "server-busy",
                    "Server busy",
                    format!("The server is busy converting specifications: {why}. Try again later."),
                ),
                c.conversion_wait.max(Duration::from_secs(1)),
            )
        })
}

/// Runs a conversion `f` of `file_name` on a blocking thread with its turn
/// (`permit`, held until the work really ends, even past the deadline or
/// when the client went away: stuck work counts against the limit) and
/// waits for it at most `--conversion-deadline` (then a 422 problem naming
/// the deadline).
async fn run_conversion<R: Send + 'static>(
    s: &AppState,
    permit: tokio::sync::OwnedSemaphorePermit,
    file_name: &str,
    f: impl FnOnce() -> Result<R, ApiError> + Send + 'static,
) -> Result<R, ApiError> {
    let hang = s.config.test_hooks && file_name.contains("__hang__");
    let task = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        if hang {
            std::thread::sleep(Duration::from_secs(3));
        }
        let r = f();
        crate::har::HarCache::release_memory();
        r
    });
    let deadline = s.config.conversion_deadline;
    match tokio::time::timeout(deadline, task).await {
        Ok(r) => r.map_err(|e| {
            ApiError::from(Problem::internal(format!("The conversion failed: {e}")))
        })?,
        Err(_) => Err(ApiError::from(Problem::new(
            422,
            "conversion-deadline",
            "Conversion deadline passed",
            format!(
                "The conversion of {file_name} did not end within the server's deadline of {} s (--conversion-deadline): the specification is too large or too complex for this server.",
                deadline.as_secs_f64()
            ),
        ))),
    }
}

/// Runs one change of the store on a blocking thread: the core's operation
/// and its write-through transaction ([`db::Db::mutate`]).
async fn mutation<R: Send + 'static>(
    s: &Arc<AppState>,
    f: impl FnOnce(&mut StoreState, &Lookup<'_>) -> Result<(R, Changes), ApiError> + Send + 'static,
) -> Result<R, ApiError> {
    let st = s.clone();
    blocking(move || Ok(st.db.mutate(f)?)).await
}

/// The router of the whole server.
pub fn router(state: Arc<AppState>) -> Router {
    let r = Router::new()
        .route(&format!("{API}/health"), get(health))
        .route(&format!("{API}/openapi.json"), get(openapi))
        .route(&format!("{API}/analyses"), get(list).post(create))
        .route(
            &format!("{API}/analyses/{{analysis_id}}"),
            get(get_analysis).patch(update).delete(delete),
        )
        .route(
            &format!("{API}/analyses/{{analysis_id}}/actions"),
            post(act),
        )
        .route(
            &format!("{API}/analyses/{{analysis_id}}/audits"),
            get(audits),
        )
        .route(
            &format!("{API}/specifications"),
            get(specifications).post(upload),
        )
        .route(
            &format!("{API}/specifications/{{spec_id}}"),
            get(specification),
        )
        .route(
            &format!("{API}/specifications/{{spec_id}}/original"),
            get(original),
        )
        .route(
            &format!("{API}/specifications/{{spec_id}}/har"),
            get(spec_har),
        )
        .route(
            &format!("{API}/scans/{{scan_id}}/prescan"),
            get(prescan_get).post(prescan_start),
        )
        .route(
            &format!("{API}/scans/{{scan_id}}/prescan/cancel"),
            post(prescan_cancel),
        )
        .route(
            &format!("{API}/scans/{{scan_id}}/prescan/har"),
            get(prescan_har),
        )
        .route(&format!("{API}/notifications"), get(notifications))
        .route(&format!("{API}/me"), get(me));
    let r = if state.config.test_hooks {
        r.route(&format!("{API}/test-hooks/panic"), get(test_panic))
    } else {
        r
    };
    r.fallback(fallback)
        .method_not_allowed_fallback(method_not_allowed)
        // A panic in a handler is a 500 problem; the connection and the
        // server go on (inside the guard, so the answer has its headers).
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            panic_response,
        ))
        .layer(middleware::from_fn_with_state(state.clone(), guard))
        .with_state(state)
}

async fn test_panic() -> Response {
    panic!("test hook: a handler panics")
}

fn panic_response(err: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let what = err
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| err.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    eprintln!("prescan-server: a request failed on an internal error (panic: {what})");
    problem_response(Problem::internal(
        "The server failed on this request (an internal error). Nothing else is affected; try again, and check the server's log if it persists.",
    ))
}

async fn health() -> Response {
    json_response(
        StatusCode::OK,
        &wire::Health {
            status: "ok".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            store_version: STORE_VERSION,
        },
    )
}

async fn openapi() -> Response {
    let mut r = (StatusCode::OK, OPENAPI_JSON).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}

// ---- Analyses ----
