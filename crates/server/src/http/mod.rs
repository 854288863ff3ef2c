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
mod transfer;
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
        .nest("/me", me::routes())
        .merge(transfer::routes());
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
        // The probes, before everything else (no Host check, token or
        // rate limit: they tell nothing but whether to send traffic).
        .layer(middleware::from_fn_with_state(state.clone(), probes))
        .with_state(state)
}

/// How long `/readyz` waits for the database.
pub const READY_DB_TIMEOUT: Duration = Duration::from_secs(2);

/// `/healthz` (liveness: the process answers) and `/readyz` (readiness:
/// the database answers within [`READY_DB_TIMEOUT`] and the server is not
/// stopping), outside `/api/v1`, answered before the gate: no token, no
/// Host check, no rate limit. Any other path goes on.
async fn probes(
    State(s): State<Arc<AppState>>,
    req: Request,
    next: axum::middleware::Next,
) -> Response {
    let path = req.uri().path();
    if path != "/healthz" && path != "/readyz" {
        return next.run(req).await;
    }
    let mut r = if !matches!(*req.method(), Method::GET | Method::HEAD) {
        problem_response(Problem::method_not_allowed(req.method().as_str()))
    } else if path == "/healthz" {
        json_response(StatusCode::OK, &serde_json::json!({ "status": "ok" }))
    } else {
        match readiness(&s).await {
            Ok(()) => json_response(StatusCode::OK, &serde_json::json!({ "status": "ready" })),
            Err(why) => {
                let mut r = problem_response(Problem::new(503, "not-ready", "Not ready", why));
                r.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
                r
            }
        }
    };
    let h = r.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    r
}

/// Why the server should not be sent traffic, if it should not.
async fn readiness(s: &Arc<AppState>) -> Result<(), String> {
    if s.is_stopping() {
        return Err(
            "This server is stopping (it received a signal): send requests to another replica."
                .into(),
        );
    }
    let db = s.db.clone();
    match tokio::time::timeout(
        READY_DB_TIMEOUT,
        tokio::task::spawn_blocking(move || db.ping()),
    )
    .await
    {
        Ok(Ok(Ok(()))) => {}
        Ok(Ok(Err(e))) => return Err(format!("The database does not answer: {e}.")),
        Ok(Err(e)) => return Err(format!("The database check failed: {e}.")),
        Err(_) => {
            return Err(format!(
                "The database did not answer within {} s.",
                READY_DB_TIMEOUT.as_secs()
            ))
        }
    }
    // A stop that began while the database was asked.
    if s.is_stopping() {
        return Err(
            "This server is stopping (it received a signal): send requests to another replica."
                .into(),
        );
    }
    Ok(())
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
