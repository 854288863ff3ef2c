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
//! One room per concern, imported in one direction: `prelude` (the names
//! every file uses) at the bottom; `problem` (problem answers), `extract`
//! (reading requests) and `work` (work off the async threads) above it;
//! `gate` (what every request passes first: Host, CORS, token) and `app`
//! (the built app at `/`); then the routes by resource, each a nested
//! [`Router`]: `analyses`, `specifications`, `scans` (prescans),
//! `notifications` and `me`; this file assembles them. It may depend on
//! the server's state, its persistence seam and its services; nothing
//! below it imports it.

use axum::middleware;

use prelude::*;
use problem::{json_response, problem_response};

mod analyses;
mod app;
mod authz;
mod extract;
mod files;
mod gate;
mod me;
mod notifications;
mod prelude;
mod problem;
mod rates;
mod scans;
mod specifications;
mod work;

pub use app::{app_csp, inline_script_hashes};
pub use gate::{authenticate, host_allowed, Caller};
pub use problem::{ApiError, Client};
pub use scans::{close_interrupted_prescans, close_orphaned_prescans};

/// The contract (`public/api/openapi.json`), embedded at build time so that
/// the binary is self-contained.
pub const OPENAPI_JSON: &str = prescan_core::api::OPENAPI_JSON;

/// The router of the whole server: the API's resources nested under
/// `/api/v1`, the app for every other path, and what every request passes
/// (the gate, a panic caught as a 500 problem).
pub fn router(state: Arc<AppState>) -> Router {
    let mut api = Router::new()
        .route("/health", get(health))
        .route("/openapi.json", get(openapi))
        .nest("/analyses", analyses::routes())
        .nest("/specifications", specifications::routes())
        .nest("/scans", scans::routes())
        .nest("/notifications", notifications::routes())
        .nest("/me", me::routes());
    if state.config.test_hooks {
        api = api.route("/test-hooks/panic", get(test_panic));
    }
    Router::new()
        .nest(API, api)
        .fallback(app::fallback)
        .method_not_allowed_fallback(gate::method_not_allowed)
        // A panic in a handler is a 500 problem; the connection and the
        // server go on (inside the guard, so the answer has its headers).
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            panic_response,
        ))
        .layer(middleware::from_fn_with_state(state.clone(), gate::guard))
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
