//! The HTTP layer: the routes of the contract under `/api/v1`, problem
//! details for every error (axum's own rejections included), body limits,
//! input validation, the optional bearer token, CORS, security headers and
//! the built app at `/`.
//!
//! Every handler is thin: parse and validate the request into the core's
//! types (`prescan_core::api` conversions), run the core's operation through
//! [`Db::mutate`](crate::db::Db::mutate) (one transaction, committed before
//! the response), convert the result back.

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
use rusqlite::Connection;
use serde::de::DeserializeOwned;
use serde::Serialize;
use subtle::ConstantTimeEq;
use tower::ServiceExt;

use crate::db::{self, Changes, Extra, MutateError, SavedPrescan};
use crate::{now_ms, prescan, AppState};

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
    f: impl FnOnce(&mut StoreState, &Connection) -> Result<(R, Changes), ApiError> + Send + 'static,
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

/// Whether `host` (a `Host` header) names this server: the listen
/// address, a loopback name (`localhost`, `*.localhost`, `127.0.0.1`,
/// `[::1]`) with the listen port, any IP address with the listen port when
/// listening on all addresses, or the host of a `--public-url` (with its
/// port if the header has one). A page on another name that resolves here
/// (DNS rebinding) is refused.
pub fn host_allowed(host: &str, listen: std::net::SocketAddr, public_urls: &[String]) -> bool {
    let host = host.trim().to_ascii_lowercase();
    let (name, port) = split_host(&host);
    let name = name.trim_end_matches('.');
    let port_ok = |default: u16| port.map_or(default, |p| p) == listen.port();
    let loopback = name == "localhost"
        || name.ends_with(".localhost")
        || name == "127.0.0.1"
        || name == "[::1]";
    if loopback && port_ok(80) {
        return true;
    }
    let ip = name
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<std::net::IpAddr>()
        .ok();
    if let Some(ip) = ip {
        if port_ok(80) && (ip == listen.ip() || listen.ip().is_unspecified()) {
            return true;
        }
    }
    public_urls.iter().any(|u| {
        let Some((scheme, rest)) = u.split_once("://") else {
            return false;
        };
        let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
        let authority = authority
            .rsplit('@')
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        let (pname, pport) = split_host(&authority);
        let pport = pport.unwrap_or(if scheme.eq_ignore_ascii_case("https") {
            443
        } else {
            80
        });
        pname.trim_end_matches('.') == name && port.is_none_or(|p| p == pport)
    })
}

/// `name[:port]` (IPv6 in brackets).
fn split_host(host: &str) -> (&str, Option<u16>) {
    if host.starts_with('[') {
        return match host.find(']') {
            Some(end) => {
                let port = host[end + 1..]
                    .strip_prefix(':')
                    .and_then(|p| p.parse().ok());
                (&host[..=end], port)
            }
            None => (host, None),
        };
    }
    match host.rsplit_once(':') {
        Some((n, p)) => match p.parse() {
            Ok(port) => (n, Some(port)),
            Err(_) => (host, None),
        },
        None => (host, None),
    }
}

// ---- Middleware: CORS, token, headers ----

fn is_api(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/")
}

fn same_origin(origin: &str, headers: &HeaderMap) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
        return false;
    };
    origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"))
        .is_some_and(|rest| rest.eq_ignore_ascii_case(host))
}

const CORS_METHODS: &str = "GET, POST, PATCH, DELETE, OPTIONS";
const CORS_HEADERS: &str = "Authorization, Content-Type";
const CORS_EXPOSE: &str = "Location, Content-Disposition, WWW-Authenticate";

fn add_cors(h: &mut HeaderMap, origin: &str) {
    if let Ok(v) = HeaderValue::from_str(origin) {
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, v);
    }
    h.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static(CORS_EXPOSE),
    );
}

/// Who made a request: the name of its token (`--token`: [`Config::user`],
/// `--users-file`: the file's name), or [`ANONYMOUS`] on a server without
/// tokens. The guard puts it in every request's extensions.
///
/// [`Config::user`]: crate::Config::user
/// [`ANONYMOUS`]: crate::ANONYMOUS
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller(pub String);

/// The bearer token of a request, if it has one.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())?;
    let mut parts = value.trim().splitn(2, ' ');
    let (Some(scheme), Some(given)) = (parts.next(), parts.next()) else {
        return None;
    };
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(given.trim())
}

/// The name of the token a request carries, if it is one of the server's.
/// Every configured token is compared, each in constant time over its
/// bytes (lengths are not secret enough to hide), with no early exit.
pub fn authenticate(config: &crate::Config, headers: &HeaderMap) -> Option<String> {
    let given = bearer(headers)?.as_bytes();
    let mut found: Option<&str> = None;
    for (name, token) in config.tokens() {
        let token = token.as_bytes();
        let equal = given.len() == token.len() && bool::from(given.ct_eq(token));
        if equal && found.is_none() {
            found = Some(name);
        }
    }
    found.map(str::to_owned)
}

async fn guard(State(s): State<Arc<AppState>>, mut req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    let api = is_api(&path);
    let ip = req
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(std::net::IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED));
    let address_key = format!("addr:{ip}");
    if !s.config.has_tokens() {
        // Without a token, the Host must name this server: a page whose
        // name was made to resolve here (DNS rebinding) is same-origin to
        // the browser, and only its Host header tells.
        let host = req
            .headers()
            .get(header::HOST)
            .and_then(|h| h.to_str().ok());
        if let Some(host) = host {
            if !host_allowed(host, s.addr, &s.config.public_urls) {
                let mut r = problem_response(Problem::new(
                    421,
                    "host-not-allowed",
                    "Host not allowed",
                    format!(
                        "This server does not answer to the name {host}. Call it by its listen address or a loopback name, or start it with --public-url for the name it is reached at (or with a --token)."
                    ),
                ));
                r.headers_mut().insert(
                    header::X_CONTENT_TYPE_OPTIONS,
                    HeaderValue::from_static("nosniff"),
                );
                return r;
            }
        }
    }
    let origin = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|o| o.to_str().ok())
        .map(str::to_owned);
    let allowed = origin
        .as_deref()
        .filter(|o| s.config.allow_origins.iter().any(|a| a == o))
        .map(str::to_owned);
    let method = req.method().clone();
    let mut response = if method == Method::OPTIONS
        && origin.is_some()
        && req
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD)
    {
        // A CORS preflight: answered here, before the token check (browsers
        // send no credentials with it).
        match &allowed {
            Some(o) if api => {
                let mut r = StatusCode::NO_CONTENT.into_response();
                let h = r.headers_mut();
                add_cors(h, o);
                h.insert(
                    header::ACCESS_CONTROL_ALLOW_METHODS,
                    HeaderValue::from_static(CORS_METHODS),
                );
                h.insert(
                    header::ACCESS_CONTROL_ALLOW_HEADERS,
                    HeaderValue::from_static(CORS_HEADERS),
                );
                h.insert(
                    header::ACCESS_CONTROL_MAX_AGE,
                    HeaderValue::from_static("600"),
                );
                r
            }
            _ => problem_response(Problem::new(
                403,
                "origin-not-allowed",
                "Origin not allowed",
                format!(
                    "The origin {} may not call this API from a browser. Start the server with --allow-origin {} to allow it.",
                    origin.as_deref().unwrap_or(""),
                    origin.as_deref().unwrap_or("")
                ),
            )),
        }
    } else if api
        && !matches!(method, Method::GET | Method::HEAD)
        && origin
            .as_deref()
            .is_some_and(|o| allowed.is_none() && !same_origin(o, req.headers()))
    {
        // A browser page of another origin trying to change something (a
        // "simple" cross-site request needs no preflight): refused.
        problem_response(Problem::new(
            403,
            "origin-not-allowed",
            "Origin not allowed",
            format!(
                "Requests from the origin {} are not allowed. Start the server with --allow-origin {} to allow it.",
                origin.as_deref().unwrap_or(""),
                origin.as_deref().unwrap_or("")
            ),
        ))
    } else if s.config.has_tokens()
        && api
        && !(matches!(method, Method::GET | Method::HEAD)
            && (path == format!("{API}/health") || path == format!("{API}/openapi.json")))
    {
        // Wrong tokens are throttled by address (an attacker cannot lock
        // out a token used from elsewhere); a throttled address gets no
        // token checked at all, so guessing stays slow.
        let guessed = bearer(req.headers()).is_some();
        match s.limits.auth_failures.exhausted(&address_key) {
            Some(wait) if guessed => {
                rate_limited("failed authentications", "--rate-auth-failures", wait).into_response()
            }
            _ => match authenticate(&s.config, req.headers()) {
                Some(name) => {
                    req.extensions_mut().insert(Client(format!("token:{name}")));
                    req.extensions_mut().insert(Caller(name));
                    next.run(req).await
                }
                None if guessed => match s.limits.auth_failures.take(&address_key) {
                    Ok(()) => problem_response(Problem::unauthorized()),
                    Err(wait) => {
                        rate_limited("failed authentications", "--rate-auth-failures", wait)
                            .into_response()
                    }
                },
                None => problem_response(Problem::unauthorized()),
            },
        }
    } else {
        let name = if s.config.has_tokens() {
            authenticate(&s.config, req.headers())
        } else {
            None
        };
        req.extensions_mut().insert(Client(match &name {
            Some(n) => format!("token:{n}"),
            None => address_key.clone(),
        }));
        req.extensions_mut()
            .insert(Caller(name.unwrap_or_else(|| crate::ANONYMOUS.to_owned())));
        next.run(req).await
    };
    let h = response.headers_mut();
    if let Some(o) = &allowed {
        if !h.contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN) {
            add_cors(h, o);
        }
    }
    h.append(header::VARY, HeaderValue::from_static("Origin"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if api {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    } else {
        h.insert(header::CONTENT_SECURITY_POLICY, s.app_csp.clone());
        h.insert(
            HeaderName::from_static("x-frame-options"),
            HeaderValue::from_static("DENY"),
        );
    }
    response
}

async fn method_not_allowed(method: Method) -> Response {
    problem_response(Problem::method_not_allowed(method.as_str()))
}

async fn fallback(
    State(s): State<Arc<AppState>>,
    method: Method,
    uri: Uri,
    req: Request,
) -> Response {
    if is_api(uri.path()) {
        return problem_response(Problem::not_found(format!(
            "Nothing is at {}. The API's paths are in {API}/openapi.json.",
            uri.path()
        )));
    }
    let Some(dist) = s.config.dist.clone() else {
        return (
            StatusCode::NOT_FOUND,
            "Not found. This server serves the API at /api/v1 (no app was given with --dist).\n",
        )
            .into_response();
    };
    if !matches!(method, Method::GET | Method::HEAD) {
        return (StatusCode::METHOD_NOT_ALLOWED, "Method not allowed\n").into_response();
    }
    let serve = tower_http::services::ServeDir::new(dist).append_index_html_on_directories(true);
    match serve.oneshot(req).await {
        Ok(r) => r.into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

// ---- Request parsing ----

fn content_type(headers: &HeaderMap) -> String {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned()
}

fn media_type(ct: &str) -> String {
    ct.split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

fn is_json_type(ct: &str) -> bool {
    let m = media_type(ct);
    m == "application/json" || (m.starts_with("application/") && m.ends_with("+json"))
}

/// Reads a body of at most `limit` bytes (413 above).
async fn read_body(headers: &HeaderMap, body: Body, limit: usize) -> Result<Bytes, ApiError> {
    if let Some(len) = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
    {
        if len > limit as u64 {
            return Err(Problem::too_large(limit).into());
        }
    }
    axum::body::to_bytes(body, limit).await.map_err(|e| {
        let too_large = std::error::Error::source(&e)
            .is_some_and(|s| s.is::<http_body_util::LengthLimitError>())
            || e.to_string().contains("length limit");
        if too_large {
            ApiError::from(Problem::too_large(limit))
        } else {
            ApiError::from(Problem::bad_request(
                None,
                format!("The request body could not be read: {e}"),
            ))
        }
    })
}

/// The JSON body of a request: 415 unless JSON, 413 above the limit, 400
/// with line and column when it is not JSON or does not fit the schema.
async fn json_body<T: DeserializeOwned>(
    s: &AppState,
    headers: &HeaderMap,
    body: Body,
    empty_is: Option<&str>,
) -> Result<T, ApiError> {
    let ct = content_type(headers);
    let bytes = read_body(headers, body, s.config.max_json_bytes).await?;
    if let Some(default) = empty_is {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return parse_json(default.as_bytes());
        }
    }
    if !is_json_type(&ct) {
        return Err(Problem::unsupported_media_type(&ct, "application/json").into());
    }
    parse_json(&bytes)
}

/// JSON Schema counts `10.0` as an integer; serde does not. Numbers with
/// no fractional part become integers before the body is read into the
/// wire types (an `f64` field reads an integer just as well).
fn integral_floats(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Number(n) if !n.is_i64() && !n.is_u64() => {
            if let Some(f) = n.as_f64() {
                if f.fract() == 0.0 && f >= i64::MIN as f64 && f < u64::MAX as f64 {
                    *v = if f < 0.0 {
                        serde_json::Value::from(f as i64)
                    } else {
                        serde_json::Value::from(f as u64)
                    };
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(integral_floats),
        serde_json::Value::Object(map) => map.values_mut().for_each(integral_floats),
        _ => {}
    }
}

/// The request bodies' lists: every other JSON array is out of place.
const LIST_FIELDS: [&str; 3] = ["scans", "custom_headers", "custom_cookies"];

/// serde reads a struct from a JSON array too (`[null, null]` as an
/// `AnalysisUpdate`) and an absent optional field from `null`; the
/// contract's bodies are objects and none of their fields is nullable.
/// Refuses arrays except where the contract has a list (of objects), and
/// nulls.
fn objects_only(v: &serde_json::Value, at: &str) -> Result<(), String> {
    match v {
        serde_json::Value::Object(map) => map.iter().try_for_each(|(k, v)| {
            let path = if at.is_empty() {
                k.clone()
            } else {
                format!("{at}.{k}")
            };
            match v {
                serde_json::Value::Array(items) if LIST_FIELDS.contains(&k.as_str()) => {
                    items.iter().enumerate().try_for_each(|(i, item)| {
                        let path = format!("{path}[{i}]");
                        if item.is_object() {
                            objects_only(item, &path)
                        } else {
                            Err(format!("{path} must be an object"))
                        }
                    })
                }
                serde_json::Value::Array(_) => Err(format!("{path} must not be an array")),
                // No field of a request body is nullable: leave it out.
                serde_json::Value::Null => Err(format!(
                    "{path} must not be null (leave the field out instead)"
                )),
                other => objects_only(other, &path),
            }
        }),
        serde_json::Value::Array(_) if at.is_empty() => {
            Err("the body must be a JSON object, not an array".into())
        }
        _ => Ok(()),
    }
}

fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut value: serde_json::Value = parse_value(bytes)?;
    if let Err(m) = objects_only(&value, "") {
        return Err(ApiError::from(Problem::bad_request(
            None,
            format!("The request body does not fit the schema: {m}. See {API}/openapi.json."),
        )));
    }
    integral_floats(&mut value);
    serde_json::from_value(value).map_err(|e| {
        ApiError::from(Problem::bad_request(
            None,
            format!("The request body does not fit the schema: {e}. See {API}/openapi.json."),
        ))
    })
}

fn parse_value(bytes: &[u8]) -> Result<serde_json::Value, ApiError> {
    serde_json::from_slice(bytes).map_err(|e| {
        use serde_json::error::Category;
        let detail = match e.classify() {
            Category::Syntax | Category::Eof | Category::Io => format!(
                "The request body is not valid JSON: {e}. Fix the JSON at line {}, column {}.",
                e.line(),
                e.column()
            ),
            Category::Data => {
                format!("The request body does not fit the schema: {e}. See {API}/openapi.json.")
            }
        };
        ApiError::from(Problem::bad_request(None, detail))
    })
}

/// Query parameters, each at most once.
fn query_params(raw: Option<String>) -> Result<BTreeMap<String, String>, ApiError> {
    let mut out = BTreeMap::new();
    let raw = raw.unwrap_or_default();
    for (k, v) in form_urlencoded::parse(raw.as_bytes()) {
        if out.insert(k.to_string(), v.to_string()).is_some() {
            return Err(Problem::bad_request(
                Some(&k),
                format!("The query parameter {k} is given more than once: give it once."),
            )
            .into());
        }
    }
    Ok(out)
}

fn bad_param(name: &str, message: String) -> ApiError {
    ApiError::from(Problem::bad_request(Some(name), message))
}

/// A path id: a positive integer.
fn path_id(params: &RawPathParams, name: &str) -> Result<u64, ApiError> {
    let raw = params
        .iter()
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
        .unwrap_or("");
    let valid = !raw.is_empty() && raw.len() <= 20 && raw.bytes().all(|b| b.is_ascii_digit());
    match raw.parse::<u64>() {
        Ok(n) if valid && (1..=i64::MAX as u64).contains(&n) => Ok(n),
        _ => Err(bad_param(
            name,
            format!(
                "The path parameter {name} must be an id from 1 to {} (got \"{raw}\").",
                i64::MAX
            ),
        )),
    }
}

fn path_params_problem(e: axum::extract::rejection::RawPathParamsRejection) -> ApiError {
    ApiError::from(Problem::bad_request(None, e.body_text()))
}

/// An id type named by a path parameter.
trait IdParam: Sized {
    /// The parameter's name in the route (`analysis_id`, ...).
    const NAME: &'static str;
    fn from_u64(n: u64) -> Self;
}

macro_rules! id_param {
    ($($ty:ident => $name:literal),* $(,)?) => {$(
        impl IdParam for $ty {
            const NAME: &'static str = $name;
            fn from_u64(n: u64) -> Self {
                $ty(n)
            }
        }
    )*};
}

id_param!(AnalysisId => "analysis_id", SpecId => "spec_id", ScanId => "scan_id");

/// The id in the path (`{analysis_id}`, `{spec_id}` or `{scan_id}`),
/// checked by [`path_id`]: a handler that takes it never sees a bad id,
/// and the client gets a 400 problem naming the parameter.
struct PathId<T>(T);

impl<S: Send + Sync, T: IdParam> axum::extract::FromRequestParts<S> for PathId<T> {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, ApiError> {
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(path_params_problem)?;
        Ok(PathId(T::from_u64(path_id(&params, T::NAME)?)))
    }
}

// ---- Handlers: health, contract ----

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

fn list_query(raw: Option<String>) -> Result<ListQuery, ApiError> {
    prescan_core::api::parse_list_query(raw.as_deref().unwrap_or(""))
        .map_err(|e| bad_param(&e.parameter, e.message))
}

async fn list(State(s): State<Arc<AppState>>, RawQuery(raw): RawQuery) -> ApiResult {
    let q = list_query(raw)?;
    let db = s.db.clone();
    let page =
        blocking(move || Ok(db.read(|state| wire::AnalysisList::from(&state.list(&q))))).await?;
    Ok(json_response(StatusCode::OK, &page))
}

fn spec_lookup(
    state: &prescan_core::analysis::StoreState,
) -> impl Fn(SpecId) -> Option<prescan_core::analysis::SpecRecord> + '_ {
    move |id| state.specification(id).ok().map(|s| s.record.clone())
}

fn field_errors(errors: Vec<prescan_core::analysis::FieldError>) -> ApiError {
    ApiError::from(Problem::invalid(
        errors.iter().map(ProblemField::from).collect(),
    ))
}

async fn create(
    State(s): State<Arc<AppState>>,
    Extension(user): Extension<Caller>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult {
    let new: wire::NewAnalysis = json_body(&s, &headers, body, None).await?;
    let created = mutation(&s, move |state, _| {
        let new = new.into_core(spec_lookup(state)).map_err(field_errors)?;
        let a = state.create(new, &user.0, now_ms())?;
        Ok((wire::Analysis::from(a), Changes::analysis(a.id)))
    })
    .await?;
    let mut r = json_response(StatusCode::CREATED, &created);
    if let Ok(v) = HeaderValue::from_str(&format!("{API}/analyses/{}", created.analysis_id)) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    Ok(r)
}

async fn get_analysis(State(s): State<Arc<AppState>>, PathId(id): PathId<AnalysisId>) -> ApiResult {
    let db = s.db.clone();
    let a = blocking(move || {
        db.read(|state| {
            state
                .analysis(id)
                .map(wire::Analysis::from)
                .ok_or(StoreError::AnalysisNotFound(id).into())
        })
    })
    .await?;
    Ok(json_response(StatusCode::OK, &a))
}

async fn update(
    State(s): State<Arc<AppState>>,
    Extension(user): Extension<Caller>,
    PathId(id): PathId<AnalysisId>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult {
    let change: wire::AnalysisUpdate = json_body(&s, &headers, body, None).await?;
    let a = mutation(&s, move |state, _| {
        let current = state.analysis(id).ok_or(StoreError::AnalysisNotFound(id))?;
        let change = change
            .into_core(current, spec_lookup(state))
            .map_err(field_errors)?;
        let a = state.update(id, change, &user.0, now_ms())?;
        Ok((wire::Analysis::from(a), Changes::analysis(id)))
    })
    .await?;
    Ok(json_response(StatusCode::OK, &a))
}

async fn delete(State(s): State<Arc<AppState>>, PathId(id): PathId<AnalysisId>) -> ApiResult {
    let scans = mutation(&s, move |state, _| {
        let scans: Vec<ScanId> = state
            .analysis(id)
            .map(|a| a.scans.iter().map(|s| s.id).collect())
            .unwrap_or_default();
        state.delete(id)?;
        Ok((scans, Changes::analysis(id)))
    })
    .await?;
    for scan in scans {
        if let Some(r) = s.prescans.get(scan) {
            r.cancel();
        }
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn act(
    State(s): State<Arc<AppState>>,
    Extension(user): Extension<Caller>,
    PathId(id): PathId<AnalysisId>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult {
    let req: wire::ActionRequest = json_body(&s, &headers, body, None).await?;
    let a = mutation(&s, move |state, _| {
        let (a, events) = state.act(id, req.action, &user.0, now_ms())?;
        Ok((
            wire::Analysis::from(a),
            Changes::analysis(id).with_events(events),
        ))
    })
    .await?;
    Ok(json_response(StatusCode::OK, &a))
}

async fn audits(State(s): State<Arc<AppState>>, PathId(id): PathId<AnalysisId>) -> ApiResult {
    let db = s.db.clone();
    let list =
        blocking(move || db.read(|state| Ok(wire::AuditList::of(state.activity(id)?)))).await?;
    Ok(json_response(StatusCode::OK, &list))
}

// ---- Specifications ----

const SPEC_TYPES: [&str; 6] = [
    "application/json",
    "application/yaml",
    "application/x-yaml",
    "text/yaml",
    "text/plain",
    "application/octet-stream",
];

/// A file name as given: 1 to 255 characters, no path separators, no
/// control characters.
fn file_name_param(params: &BTreeMap<String, String>) -> Result<String, ApiError> {
    let Some(name) = params.get("file_name") else {
        return Err(bad_param(
            "file_name",
            "The query parameter file_name is required: the specification's file name, such as petstore.yaml.".into(),
        ));
    };
    let n = name.chars().count();
    let ok = (1..=255).contains(&n)
        && name.trim() == name
        && !name
            .chars()
            .any(|c| c.is_control() || c == '/' || c == '\\')
        && name != "."
        && name != "..";
    if !ok {
        return Err(bad_param(
            "file_name",
            "The parameter file_name must be a file name of 1 to 255 characters, without slashes, control characters or surrounding spaces.".into(),
        ));
    }
    Ok(name.clone())
}

async fn upload(
    State(s): State<Arc<AppState>>,
    Extension(user): Extension<Caller>,
    Extension(client): Extension<Client>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> ApiResult {
    let params = query_params(raw)?;
    let file_name = file_name_param(&params)?;
    let ct = content_type(&headers);
    if !SPEC_TYPES.contains(&media_type(&ct).as_str()) {
        return Err(Problem::unsupported_media_type(
            &ct,
            "the file's bytes as application/json, application/yaml, application/x-yaml, text/yaml, text/plain or application/octet-stream",
        )
        .into());
    }
    take_rate(&s.limits.uploads, &client, "uploads", "--rate-uploads")?;
    let bytes = read_body(&headers, body, s.config.max_spec_bytes).await?;
    let permit = conversion_turn(&s).await?;
    let name = file_name.clone();
    let options = ConvertOptions {
        limits: s.config.convert_limits,
        ..ConvertOptions::default()
    };
    let upload = run_conversion(&s, permit, &name, move || {
        let conversion = prescan_core::convert(&file_name, &bytes, &options).map_err(|e| {
            ApiError::from(Problem::invalid(vec![ProblemField::new(
                "body",
                e.to_string(),
            )]))
        })?;
        let mut upload = SpecUpload::from_specification(&conversion.spec, bytes.to_vec());
        upload.file_name = file_name;
        drop(conversion);
        Ok(upload)
    })
    .await?;
    let st = s.clone();
    let record = blocking(move || {
        Ok(st.db.mutate(|state, conn| {
            if let Some(existing) = db::find_identical_spec(conn, &upload.file_name, &upload.bytes)
                .map_err(ApiError::from)?
            {
                return Ok((wire::SpecRecord::from(&existing), Changes::default()));
            }
            let record = state.put_specification(upload, &user.0, now_ms());
            // The bytes go to SQLite only (see the db module docs).
            let bytes = state
                .specifications
                .iter_mut()
                .rev()
                .find(|s| s.record.id == record.id)
                .map(|s| std::mem::take(&mut s.bytes))
                .unwrap_or_default();
            Ok((
                wire::SpecRecord::from(&record),
                Changes {
                    extra: vec![Extra::Specification {
                        record: record.clone(),
                        bytes,
                    }],
                    ..Changes::default()
                },
            ))
        })?)
    })
    .await?;
    let mut r = json_response(StatusCode::CREATED, &record);
    if let Ok(v) = HeaderValue::from_str(&format!("{API}/specifications/{}", record.spec_id)) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    Ok(r)
}

async fn specifications(State(s): State<Arc<AppState>>) -> ApiResult {
    let db = s.db.clone();
    let list = blocking(move || {
        Ok(db.read(|state| {
            let mut records: Vec<&prescan_core::analysis::SpecRecord> =
                state.specifications.iter().map(|s| &s.record).collect();
            records.sort_by(|a, b| b.uploaded_ms.cmp(&a.uploaded_ms).then(b.id.cmp(&a.id)));
            wire::SpecificationList {
                specifications: records.into_iter().map(wire::SpecRecord::from).collect(),
            }
        }))
    })
    .await?;
    Ok(json_response(StatusCode::OK, &list))
}

fn spec_record(s: &AppState, id: SpecId) -> Result<prescan_core::analysis::SpecRecord, ApiError> {
    s.db.read(|state| state.specification(id).map(|x| x.record.clone()))
        .map_err(ApiError::from)
}

async fn specification(State(s): State<Arc<AppState>>, PathId(id): PathId<SpecId>) -> ApiResult {
    let record = spec_record(&s, id)?;
    Ok(json_response(
        StatusCode::OK,
        &wire::SpecRecord::from(&record),
    ))
}

async fn spec_bytes(s: &Arc<AppState>, id: SpecId) -> Result<Vec<u8>, ApiError> {
    let db = s.db.clone();
    blocking(move || {
        db.specification_bytes(id.0)?
            .ok_or(ApiError::from(StoreError::SpecificationNotFound(id)))
    })
    .await
}

/// `Content-Disposition: attachment` with an ASCII fallback and the UTF-8
/// name (RFC 6266).
fn attachment(file_name: &str) -> HeaderValue {
    let ascii: String = file_name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = form_urlencoded::byte_serialize(file_name.as_bytes())
        .collect::<String>()
        .replace('+', "%20");
    HeaderValue::from_str(&format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

async fn original(State(s): State<Arc<AppState>>, PathId(id): PathId<SpecId>) -> ApiResult {
    let record = spec_record(&s, id)?;
    let bytes = spec_bytes(&s, id).await?;
    let lower = record.file_name.to_ascii_lowercase();
    let ct = if lower.ends_with(".json") || lower.ends_with(".har") {
        "application/json"
    } else if lower.ends_with(".yaml") || lower.ends_with(".yml") {
        "application/yaml"
    } else {
        "application/octet-stream"
    };
    let mut r = (StatusCode::OK, bytes).into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
    r.headers_mut()
        .insert(header::CONTENT_DISPOSITION, attachment(&record.file_name));
    Ok(r)
}

fn server_param(params: &BTreeMap<String, String>) -> Result<Option<String>, ApiError> {
    let Some(server) = params.get("server") else {
        return Ok(None);
    };
    // The contract's pattern: http:// and 2 or more characters, or
    // https:// and 1 or more; no white space or control characters.
    let rest_ok = match (
        server.strip_prefix("http://"),
        server.strip_prefix("https://"),
    ) {
        (Some(r), _) => r.chars().count() >= 2,
        (_, Some(r)) => !r.is_empty(),
        _ => false,
    };
    let ok = server.chars().count() <= 2048
        && rest_ok
        && !server.chars().any(|c| c.is_whitespace() || c.is_control());
    if !ok {
        return Err(bad_param(
            "server",
            "The parameter server must be a fully-qualified http:// or https:// URL of at most 2048 characters, such as https://api.example.com/v1.".into(),
        ));
    }
    Ok(Some(server.clone()))
}

/// `GET /specifications/{spec_id}/har[?server=...]`: the specification
/// converted to HAR 1.2 (with `server` as the base URL when given).
///
/// Conversions are bounded and cached ([`crate::har`]): at most one per
/// CPU runs at a time (the others wait for a turn; the specification's
/// bytes are read from SQLite only once the turn comes), and the last HARs
/// produced are kept in memory per (specification, `server`), least
/// recently used out first, within 64 MiB in all; after a conversion the
/// memory it freed is given back to the system. A stored specification
/// never changes and is never deleted, so a cached HAR is the one a
/// conversion would give; a request that finds it converts nothing. A
/// conversion that fails (422) is not cached.
async fn spec_har(
    State(s): State<Arc<AppState>>,
    PathId(id): PathId<SpecId>,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let server = server_param(&query_params(raw)?)?;
    let record = spec_record(&s, id)?;
    let key = (id, server.clone());
    if let Some(har) = s.har.get(&key) {
        return Ok(har_response(har));
    }
    let permit = conversion_turn(&s).await?;
    // Converted while this request waited for its turn?
    if let Some(har) = s.har.get(&key) {
        return Ok(har_response(har));
    }
    let bytes = spec_bytes(&s, id).await?;
    let file_name = record.file_name.clone();
    let limits = s.config.convert_limits;
    let har = run_conversion(&s, permit, &file_name, move || {
        let options = ConvertOptions {
            base_url: server,
            limits,
            ..ConvertOptions::default()
        };
        let har = match prescan_core::convert(&record.file_name, &bytes, &options) {
            Ok(c) => serde_json::to_vec(&c.har).map_err(|e| {
                ApiError::from(Problem::internal(format!(
                    "The HAR could not be written: {e}"
                )))
            }),
            Err(e) => Err(ApiError::from(Problem::invalid(vec![ProblemField::new(
                "spec_id",
                e.to_string(),
            )]))),
        };
        drop(bytes);
        har
    })
    .await?;
    let har = Bytes::from(har);
    s.har.put(key, har.clone());
    Ok(har_response(har))
}

fn har_response(har: Bytes) -> Response {
    let mut r = (StatusCode::OK, har).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}

// ---- Prescans ----

struct ScanInfo {
    analysis_id: AnalysisId,
    target: ScanTarget,
    auth: prescan_core::ScanAuth,
}

fn find_scan(s: &AppState, scan: ScanId) -> Result<ScanInfo, ApiError> {
    s.db.read(|state| {
        state.analyses.iter().find_map(|a| {
            a.scans.iter().find(|x| x.id == scan).map(|x| ScanInfo {
                analysis_id: a.id,
                target: x.target.clone(),
                auth: x.auth.clone(),
            })
        })
    })
    .ok_or_else(|| {
        let mut p = Problem::new(
            404,
            "scan-not-found",
            "Scan not found",
            format!("No scan has the id {scan}."),
        );
        p.errors.clear();
        ApiError::from(p)
    })
}

/// The prescan as the API returns it: the report without the scan's
/// credentials (`api::redact_report`; the stored one keeps the requests as
/// sent).
fn prescan_body(
    scan: ScanId,
    started_ms: i64,
    finished_ms: Option<i64>,
    report: prescan_core::prescan::PrescanReport,
    auth: &prescan_core::ScanAuth,
) -> wire::Prescan {
    let report = wire::redact_report(&report, auth);
    let done = report.results.iter().flatten().count();
    wire::Prescan {
        scan_id: scan,
        state: if finished_ms.is_some() {
            wire::PrescanState::Finished
        } else {
            wire::PrescanState::Running
        },
        started_on: started_ms,
        finished_on: finished_ms,
        progress: wire::PrescanProgress {
            done,
            total: report.plan.requests.len(),
        },
        report: Some(report),
    }
}

async fn current_prescan(s: &Arc<AppState>, scan: ScanId) -> Result<wire::Prescan, ApiError> {
    let auth = find_scan(s, scan)?.auth;
    if let Some(r) = s.prescans.get(scan) {
        let (report, _) = r.snapshot();
        return Ok(prescan_body(scan, r.started_ms, None, report, &auth));
    }
    let db = s.db.clone();
    let saved = blocking(move || Ok(db.prescan(scan)?)).await?;
    match saved {
        Some(p) => Ok(prescan_body(
            scan,
            p.started_ms,
            Some(p.finished_ms.unwrap_or(p.started_ms)),
            p.report,
            &auth,
        )),
        None => Err(ApiError::from(Problem::not_found(format!(
            "Scan {scan} has no prescan yet. Start one with POST {API}/scans/{scan}/prescan."
        )))),
    }
}

/// The 503 problem of a server running `--max-prescans` prescans.
fn prescans_busy(s: &AppState) -> ApiError {
    ApiError::retry_after(
        Problem::new(
            503,
            "prescans-busy",
            "Too many prescans",
            format!(
                "The server runs {} prescans at once (--max-prescans) and all are under way. Try again when one has finished.",
                s.config.max_prescans
            ),
        ),
        Duration::from_secs(10),
    )
}

async fn prescan_start(
    State(s): State<Arc<AppState>>,
    Extension(user): Extension<Caller>,
    Extension(client): Extension<Client>,
    PathId(scan): PathId<ScanId>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult {
    let req: wire::PrescanRequest = json_body(&s, &headers, body, Some("{}")).await?;
    let info = find_scan(&s, scan)?;
    let ScanTarget::ApiSpecification(spec) = info.target else {
        return Err(ApiError::from(Problem::conflict(format!(
            "Scan {scan} is a URL scan: a prescan runs the requests of an API specification scan."
        ))));
    };
    let settings = req
        .settings(spec.server.clone())
        .map_err(|errors| ApiError::from(Problem::invalid(errors)))?;
    if s.prescans.get(scan).is_some() {
        return Err(running_conflict(scan));
    }
    if s.prescans.all().len() >= s.config.max_prescans {
        return Err(prescans_busy(&s));
    }
    take_rate(&s.limits.prescans, &client, "prescans", "--rate-prescans")?;
    let bytes = spec_bytes(&s, spec.spec_id).await?;
    let options = ConvertOptions {
        base_url: spec.server.clone(),
        auth: info.auth.clone(),
        limits: s.config.convert_limits,
        ..ConvertOptions::default()
    };
    let file_name = spec.file_name.clone();
    let permit = conversion_turn(&s).await?;
    let (plan, total_endpoints) = run_conversion(&s, permit, &spec.file_name, move || {
        let c = prescan_core::convert(&file_name, &bytes, &options).map_err(|e| {
            ApiError::from(Problem::invalid(vec![ProblemField::new(
                "spec_id",
                format!("The scan's specification could not be converted: {e}"),
            )]))
        })?;
        let mut plan = PrescanPlan::new(&c.har, &settings);
        prescan::send_cookies(&mut plan);
        Ok((plan, c.spec.endpoints.len()))
    })
    .await?;
    s.outbound
        .check_plan(&plan)
        .await
        .map_err(|m| ApiError::from(Problem::invalid(vec![ProblemField::new("server", m)])))?;
    // The test hook of a prescan task that panics.
    let hook_panic =
        s.config.test_hooks && plan.requests.iter().any(|r| r.url.contains("__panic__"));
    if s.prescans.all().len() >= s.config.max_prescans {
        return Err(prescans_busy(&s));
    }
    let started_ms = now_ms();
    let Some((running, cancel)) = s.prescans.start(
        scan,
        info.analysis_id,
        started_ms,
        plan,
        total_endpoints,
        info.auth.clone(),
    ) else {
        return Err(running_conflict(scan));
    };
    let (report, _) = running.snapshot();
    // Stored without the credentials it sends: a saved prescan must not
    // keep a credential after it is changed.
    let first = SavedPrescan {
        scan_id: scan,
        analysis_id: info.analysis_id,
        started_ms,
        finished_ms: None,
        report: wire::redact_report(&report, &info.auth),
    };
    let db = s.db.clone();
    let saved = blocking(move || {
        Ok(db.mutate::<(), ApiError>(|_, _| {
            Ok((
                (),
                Changes {
                    extra: vec![Extra::Prescan(first)],
                    ..Changes::default()
                },
            ))
        })?)
    })
    .await;
    if let Err(e) = saved {
        s.prescans.remove(scan);
        return Err(e);
    }
    let st = s.clone();
    tokio::spawn(async move {
        let note = supervise(&st, &running, cancel, hook_panic).await;
        finish_prescan(&st, scan, &running, user.0, &note).await;
    });
    let body = prescan_body(scan, started_ms, None, report, &info.auth);
    let mut r = json_response(StatusCode::ACCEPTED, &body);
    if let Ok(v) = HeaderValue::from_str(&format!("{API}/scans/{scan}/prescan")) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    Ok(r)
}

fn running_conflict(scan: ScanId) -> ApiError {
    ApiError::from(Problem::conflict(format!(
        "A prescan of scan {scan} is already running. Wait for it to finish (GET {API}/scans/{scan}/prescan) or cancel it (POST {API}/scans/{scan}/prescan/cancel)."
    )))
}

/// Drives a prescan in a task of its own, within `--prescan-deadline`: a
/// panic in it, or the deadline, ends the prescan (its unfinished requests
/// cancelled, so it is failed, never left running). Returns the note for
/// the activity log ("" when it ended normally).
async fn supervise(
    s: &Arc<AppState>,
    running: &Arc<prescan::Running>,
    cancel: tokio::sync::watch::Receiver<bool>,
    hook_panic: bool,
) -> String {
    let (r, client) = (running.clone(), s.outbound.clone());
    let mut task = tokio::spawn(async move {
        if hook_panic {
            panic!("test hook: a prescan task panics");
        }
        prescan::drive(r, cancel, client).await
    });
    let deadline = s.config.prescan_deadline;
    let note = match tokio::time::timeout(deadline, &mut task).await {
        Ok(Ok(())) => String::new(),
        Ok(Err(e)) => {
            eprintln!("prescan-server: a prescan task failed: {e}");
            "The prescan stopped on an internal error of the server; its unfinished requests are recorded as cancelled.".to_owned()
        }
        Err(_) => {
            running.cancel();
            // The loop records the cancellation at once; a task that does
            // not end is stopped.
            if tokio::time::timeout(Duration::from_secs(5), &mut task)
                .await
                .is_err()
            {
                task.abort();
            }
            format!(
                "The prescan was stopped at the server's deadline of {} s (--prescan-deadline).",
                deadline.as_secs_f64()
            )
        }
    };
    let mut run = running.run.lock().unwrap_or_else(|p| p.into_inner());
    let p = run.progress();
    if p.done < p.total {
        run.cancel(now_ms());
    }
    note
}

/// Records a finished prescan with the core (activity log entry and
/// notification) and saves it, in one transaction.
async fn finish_prescan(
    s: &Arc<AppState>,
    scan: ScanId,
    running: &prescan::Running,
    user: String,
    extra: &str,
) {
    let (report, _) = running.snapshot();
    let report = wire::redact_report(&report, &running.auth);
    let saved = SavedPrescan {
        scan_id: scan,
        analysis_id: running.analysis_id,
        started_ms: running.started_ms,
        finished_ms: Some(now_ms()),
        report,
    };
    let st = s.clone();
    let mut note = running.refusal_note();
    if !extra.is_empty() {
        if !note.is_empty() {
            note.push(' ');
        }
        note.push_str(extra);
    }
    let r = tokio::task::spawn_blocking(move || record(&st, saved, &note, &user)).await;
    if let Ok(Err(e)) = r {
        eprintln!("prescan-server: the prescan of scan {scan} could not be saved: {e}");
    }
    s.prescans.remove(scan);
}

fn record(
    s: &AppState,
    saved: SavedPrescan,
    extra_summary: &str,
    user: &str,
) -> Result<(), db::DbError> {
    let succeeded = saved.report.status() == prescan_core::prescan::PrescanStatus::Succeeded;
    let mut text = prescan::summary(&saved.report.connection());
    if !extra_summary.is_empty() {
        text.push(' ');
        text.push_str(extra_summary);
    }
    let at = saved.finished_ms.unwrap_or_else(now_ms);
    let id = saved.analysis_id;
    let r = s.db.mutate::<(), StoreError>(|state, _| {
        // An analysis deleted meanwhile: nothing to record.
        let (analyses, notifications) = match state.record_prescan(id, succeeded, &text, user, at) {
            Ok(notification) => (vec![id], vec![notification]),
            Err(StoreError::AnalysisNotFound(_)) => (Vec::new(), Vec::new()),
            Err(e) => return Err(e),
        };
        Ok((
            (),
            Changes {
                analyses,
                extra: vec![Extra::Prescan(saved)],
                notifications,
            },
        ))
    });
    match r {
        Ok(()) | Err(MutateError::Op(_)) => Ok(()),
        Err(MutateError::Db(e)) => Err(e),
    }
}

/// At start: prescans a crash interrupted are closed as cancelled and
/// recorded (see [`crate::db::Db::interrupted_prescans`]).
pub async fn close_interrupted_prescans(s: &Arc<AppState>) -> Result<(), db::DbError> {
    let st = s.clone();
    tokio::task::spawn_blocking(move || {
        for mut p in st.db.interrupted_prescans()? {
            let now = now_ms();
            for (position, slot) in p.report.results.iter_mut().enumerate() {
                if slot.is_none() {
                    *slot = Some(RequestResult {
                        position,
                        started_ms: p.started_ms,
                        outcome: Outcome::Cancelled,
                    });
                }
            }
            p.finished_ms = Some(now);
            // Who started it is not stored; the server closes it.
            record(
                &st,
                p,
                "The server stopped before the prescan finished; run it again.",
                "prescan-server",
            )?;
        }
        Ok(())
    })
    .await
    .map_err(|e| db::DbError(e.to_string()))?
}

async fn prescan_get(State(s): State<Arc<AppState>>, PathId(scan): PathId<ScanId>) -> ApiResult {
    find_scan(&s, scan)?;
    let p = current_prescan(&s, scan).await?;
    Ok(json_response(StatusCode::OK, &p))
}

async fn prescan_cancel(State(s): State<Arc<AppState>>, PathId(scan): PathId<ScanId>) -> ApiResult {
    find_scan(&s, scan)?;
    let Some(running) = s.prescans.get(scan) else {
        return Err(ApiError::from(Problem::conflict(format!(
            "No prescan of scan {scan} is running: there is nothing to cancel."
        ))));
    };
    running.cancel();
    // The driver records the cancellation at once; wait for it briefly so
    // that the answer shows the finished prescan.
    for _ in 0..40 {
        if s.prescans.get(scan).is_none() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let p = current_prescan(&s, scan).await?;
    Ok(json_response(StatusCode::ACCEPTED, &p))
}

async fn prescan_har(State(s): State<Arc<AppState>>, PathId(scan): PathId<ScanId>) -> ApiResult {
    find_scan(&s, scan)?;
    let p = current_prescan(&s, scan).await?;
    let har = p.report.map(|r| r.to_har());
    Ok(json_response(StatusCode::OK, &har))
}

// ---- Notifications, caller ----

/// `after`: an id from 0; `limit`: 1 to [`wire::MAX_NOTIFICATIONS`].
fn notification_params(raw: Option<String>) -> Result<(u64, usize), ApiError> {
    let params = query_params(raw)?;
    let after = match params.get("after") {
        None => 0,
        Some(v) => v
            .parse::<u64>()
            .ok()
            .filter(|n| *n <= i64::MAX as u64 && v.bytes().all(|b| b.is_ascii_digit()))
            .ok_or_else(|| {
                bad_param(
                    "after",
                    format!(
                        "The parameter after must be a notification id from 0 to {} (got \"{v}\"); give 0 for all.",
                        i64::MAX
                    ),
                )
            })?,
    };
    let limit = match params.get("limit") {
        None => wire::MAX_NOTIFICATIONS,
        Some(v) => v
            .parse::<usize>()
            .ok()
            .filter(|n| {
                (1..=wire::MAX_NOTIFICATIONS).contains(n) && v.bytes().all(|b| b.is_ascii_digit())
            })
            .ok_or_else(|| {
                bad_param(
                    "limit",
                    format!(
                        "The parameter limit must be an integer from 1 to {} (got \"{v}\").",
                        wire::MAX_NOTIFICATIONS
                    ),
                )
            })?,
    };
    Ok((after, limit))
}

async fn notifications(State(s): State<Arc<AppState>>, RawQuery(raw): RawQuery) -> ApiResult {
    let (after, limit) = notification_params(raw)?;
    let db = s.db.clone();
    let (rows, latest) = blocking(move || Ok(db.notifications(after, limit)?)).await?;
    let list = wire::NotificationList {
        notifications: rows
            .iter()
            .map(|(id, n)| wire::NotificationItem::from_core(*id, n))
            .collect(),
        latest_notification_id: latest,
    };
    Ok(json_response(StatusCode::OK, &list))
}

async fn me(Extension(user): Extension<Caller>) -> Response {
    json_response(
        StatusCode::OK,
        &wire::Me {
            user_display_name: user.0,
        },
    )
}
