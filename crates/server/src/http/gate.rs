//! What every request passes first: the Host check (DNS rebinding), CORS,
//! the bearer token with its failure throttle, security headers, and the
//! answers for unknown paths and methods.

use axum::middleware::Next;
use subtle::ConstantTimeEq;

use super::prelude::*;
use super::problem::*;

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
pub(super) fn split_host(host: &str) -> (&str, Option<u16>) {
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

pub(super) fn is_api(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/")
}

pub(super) fn same_origin(origin: &str, headers: &HeaderMap) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
        return false;
    };
    origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"))
        .is_some_and(|rest| rest.eq_ignore_ascii_case(host))
}

pub(super) const CORS_METHODS: &str = "GET, POST, PATCH, DELETE, OPTIONS";
pub(super) const CORS_HEADERS: &str = "Authorization, Content-Type";
pub(super) const CORS_EXPOSE: &str = "Location, Content-Disposition, WWW-Authenticate";

pub(super) fn add_cors(h: &mut HeaderMap, origin: &str) {
    if let Ok(v) = HeaderValue::from_str(origin) {
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, v);
    }
    h.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static(CORS_EXPOSE),
    );
}

/// Who made a request, as the rules see them: a user of the database
/// (their name, roles and teams), or, with every role and no team, the
/// name of a configured token (`--token`: [`Config::user`], `--users-file`:
/// the file's name) or [`ANONYMOUS`] on a server with neither tokens nor
/// users. The guard puts it in every request's extensions.
///
/// [`Config::user`]: crate::config::Config::user
/// [`ANONYMOUS`]: crate::config::ANONYMOUS
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// Their name, roles and teams.
    pub principal: prescan_core::people::Principal,
    /// Their e-mail address (users only).
    pub email: Option<String>,
    /// Whether they are a user of the database (not a configured token).
    pub is_user: bool,
}

impl Caller {
    /// A configured token's name, or [`ANONYMOUS`](crate::config::ANONYMOUS).
    pub fn everything(name: &str) -> Caller {
        Caller {
            principal: prescan_core::people::Principal::everything(name),
            email: None,
            is_user: false,
        }
    }

    /// The name their actions are recorded under.
    pub fn name(&self) -> &str {
        &self.principal.name
    }
}

/// Whether the server needs a token: it was started with one, or a user
/// was ever added to its database (by the `users` command, perhaps while
/// it runs: looked up again at most once a second until one exists).
async fn needs_token(s: &Arc<AppState>) -> bool {
    if s.config.has_tokens()
        || s.people
            .users_exist
            .load(std::sync::atomic::Ordering::Relaxed)
    {
        return true;
    }
    let now = now_ms();
    let checked = s
        .people
        .checked_ms
        .load(std::sync::atomic::Ordering::Relaxed);
    if now.saturating_sub(checked) < 1_000 {
        return false;
    }
    s.people
        .checked_ms
        .store(now, std::sync::atomic::Ordering::Relaxed);
    let db = s.db.clone();
    // A store that cannot answer is taken to have users: fail closed.
    let exists = tokio::task::spawn_blocking(move || db.people(|p| p.has_users()))
        .await
        .map(|r| r.unwrap_or(true))
        .unwrap_or(true);
    if exists {
        s.people
            .users_exist
            .store(true, std::sync::atomic::Ordering::Relaxed);
    }
    exists
}

/// Who a request's bearer token is: a configured token (every role), or
/// an enabled user of the database. `None`: no token, or not one of them.
async fn identify(s: &Arc<AppState>, headers: &HeaderMap) -> Option<Caller> {
    if let Some(name) = authenticate(&s.config, headers) {
        return Some(Caller::everything(&name));
    }
    let token = bearer(headers)?.to_owned();
    let st = s.clone();
    let user = tokio::task::spawn_blocking(move || {
        crate::people::user_of_token(&st.db, &st.people.verified, &token)
    })
    .await
    .ok()?;
    match user {
        Ok(Some(u)) => Some(Caller {
            principal: u.principal(),
            email: u.email,
            is_user: true,
        }),
        Ok(None) => None,
        Err(e) => {
            eprintln!("prescan-server: a token could not be checked: {e}");
            None
        }
    }
}

/// The bearer token of a request, if it has one.
pub(super) fn bearer(headers: &HeaderMap) -> Option<&str> {
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
pub fn authenticate(config: &crate::config::Config, headers: &HeaderMap) -> Option<String> {
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

pub(super) async fn guard(
    State(s): State<Arc<AppState>>,
    mut req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path().to_owned();
    let api = is_api(&path);
    let ip = req
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(std::net::IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED));
    let address_key = format!("addr:{ip}");
    let needs_token = needs_token(&s).await;
    if !needs_token {
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
    } else if needs_token
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
            _ => match identify(&s, req.headers()).await {
                Some(caller) => {
                    req.extensions_mut()
                        .insert(Client(format!("token:{}", caller.name())));
                    req.extensions_mut().insert(caller);
                    next.run(req).await
                }
                None if guessed => {
                    let local = s.limits.auth_failures.take(&address_key);
                    // Counted in the bucket every replica shares too: an
                    // address that spreads its guesses over replicas is
                    // throttled as one.
                    let shared = match local {
                        Ok(()) => {
                            super::rates::take_shared(
                                &s,
                                &s.limits.auth_failures,
                                "failed authentications",
                                &address_key,
                            )
                            .await
                        }
                        Err(wait) => Ok(Err(wait)),
                    };
                    match shared {
                        Ok(Ok(())) => problem_response(Problem::unauthorized()),
                        Ok(Err(wait)) => {
                            rate_limited("failed authentications", "--rate-auth-failures", wait)
                                .into_response()
                        }
                        Err(e) => e.into_response(),
                    }
                }
                None => problem_response(Problem::unauthorized()),
            },
        }
    } else {
        // Health, the contract, the app: a token is not needed, but one
        // given still names the caller.
        let caller = if needs_token {
            identify(&s, req.headers()).await
        } else {
            None
        };
        req.extensions_mut().insert(Client(match &caller {
            Some(c) => format!("token:{}", c.name()),
            None => address_key.clone(),
        }));
        req.extensions_mut()
            .insert(caller.unwrap_or_else(|| Caller::everything(crate::config::ANONYMOUS)));
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

pub(super) async fn method_not_allowed(method: Method) -> Response {
    problem_response(Problem::method_not_allowed(method.as_str()))
}
