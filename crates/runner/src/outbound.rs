//! The HTTP client of prescans and its limits ([`Outbound`]): requests
//! sent with reqwest (rustls, webpki roots), each target checked by the
//! [`Guard`], at most so many in flight and so many a second.
//!
//! **Limits.** Across every prescan the [`Outbound`] sends (every prescan
//! of the server: `--prescan-max-inflight`, `--prescan-rate`; the one
//! prescan of `prescan run`), at most `max_in_flight` requests are in
//! flight and at most `rate` start each second, whatever each prescan's
//! own settings say (the core's pacer applies those on top).
//!
//! A prescan that presents a client certificate sends with its own client
//! ([`Outbound::with_identity`]): the same guard, resolver, proxy, trusted
//! certificate authorities and timeouts, and the same limits (the
//! semaphore and the rate gate are shared), with the identity added.
//!
//! **User-Agent.** The client's default names prescan
//! ([`prescan_core::prescan::default_user_agent`]); a prescan's own
//! (`PrescanSettings::user_agent`) replaces it on each of its requests
//! ([`Outbound::fetch_as`]), unless the request carries one of its own (a
//! custom header).
//!
//! **Redirects** are not followed: a 3xx is recorded as the response (a
//! redirect could lead to another origin, which a prescan never sends to).

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use prescan_core::prescan::{truncate_body, Outcome, PlannedRequest, PrescanPlan, Received};
use tokio::sync::Semaphore;

use crate::guard::{self, Guard, Policy, Refusal, Voice};

/// Checks a host as a scan's server names it (`127.0.0.1.`, `[::1]`,
/// `api.example.com`) with `--prescan-deny-private` alone: the host is read
/// as the HTTP client reads it (WHATWG URL rules), a literal is checked as
/// it is and a name by every address it resolves to now. The error is a
/// sentence for the user. A name that does not resolve passes: its requests
/// fail with the resolution error.
pub async fn check_public(host: &str, port: u16) -> Result<(), String> {
    let Ok(url) = reqwest::Url::parse(&format!("http://{host}:{port}/")) else {
        // Not a URL the client can send: its requests are Malformed URL.
        return Ok(());
    };
    let policy = Policy {
        deny_private: true,
        ..Policy::default()
    };
    Guard::new(policy)
        .check_url(&url)
        .await
        .map_err(|r| r.to_string())
}

/// How prescans reach their targets: the HTTP client, the guard it checks
/// targets with, and the limits on outbound requests of every prescan it
/// sends.
pub struct Outbound {
    client: reqwest::Client,
    guard: Arc<Guard>,
    proxy: Option<String>,
    in_flight: Arc<Semaphore>,
    max_in_flight: usize,
    rate: Option<Arc<RateGate>>,
    /// Certificate authorities trusted besides the Mozilla roots.
    roots: Vec<reqwest::Certificate>,
    /// Whether the client presents a client certificate.
    presents_identity: bool,
}

/// What [`Outbound::fetch_as`] gives back: the outcome, the guard's refusal
/// if it refused the connection, and a note for the user about a TLS
/// failure ([`crate::tls::tls_note`]).
pub struct Fetched {
    /// The outcome of the request.
    pub outcome: Outcome,
    /// The guard's refusal.
    pub refusal: Option<Refusal>,
    /// A TLS failure explained.
    pub tls_note: Option<String>,
}

/// Requests no closer together than `interval`, across every prescan.
struct RateGate {
    interval: Duration,
    next: tokio::sync::Mutex<tokio::time::Instant>,
}

impl RateGate {
    async fn wait(&self) {
        let at = {
            let mut next = self.next.lock().await;
            let at = (*next).max(tokio::time::Instant::now());
            *next = at + self.interval;
            at
        };
        tokio::time::sleep_until(at).await;
    }
}

impl Outbound {
    /// The client of prescans: no redirects followed, no proxy from the
    /// environment (only `proxy`, when given), and, unless the guard's
    /// policy is open, a DNS resolver that refuses what the guard refuses
    /// (with a proxy, the proxy resolves targets: they are checked before
    /// each request instead, and a name that does not resolve here is
    /// refused). At most `max_in_flight` requests at a time (1 to 10,000)
    /// and `rate` a second (0: no rate limit) across every prescan. The
    /// guard's [`Voice`] names the client (`User-Agent: prescan-server/…`
    /// or `prescan/…`) and the proxy's option in errors.
    pub fn new(
        guard: Arc<Guard>,
        proxy: Option<&str>,
        max_in_flight: usize,
        rate: f64,
    ) -> Result<Outbound, String> {
        let client = build_client(&guard, proxy, &[], None)?;
        let max_in_flight = max_in_flight.clamp(1, 10_000);
        // At least one request an hour: a tiny rate is no reason to panic.
        let rate = (rate.is_finite() && rate > 0.0).then(|| {
            Arc::new(RateGate {
                interval: Duration::from_secs_f64((1.0 / rate).min(3600.0)),
                next: tokio::sync::Mutex::new(tokio::time::Instant::now()),
            })
        });
        Ok(Outbound {
            client,
            guard,
            proxy: proxy.map(str::to_owned),
            in_flight: Arc::new(Semaphore::new(max_in_flight)),
            max_in_flight,
            rate,
            roots: Vec::new(),
            presents_identity: false,
        })
    }

    /// This client, also trusting `roots` (certificate authorities read
    /// with [`crate::tls::read_ca_certificates`]) besides the Mozilla
    /// roots: for servers with certificates of an internal CA
    /// (`--prescan-ca-cert`, `prescan run --ca-cert`). Verification stays
    /// on.
    pub fn with_ca_certificates(
        mut self,
        roots: Vec<reqwest::Certificate>,
    ) -> Result<Outbound, String> {
        self.roots.extend(roots);
        self.client = build_client(&self.guard, self.proxy.as_deref(), &self.roots, None)?;
        Ok(self)
    }

    /// A client for one prescan that presents `identity` (a scan's client
    /// certificate, read with [`crate::tls::read_client_certificate`]):
    /// the same guard and resolver, proxy, trusted roots and timeouts, and
    /// the same limits as this one (its in-flight semaphore and rate gate
    /// are shared, not copied).
    pub fn with_identity(&self, identity: reqwest::Identity) -> Result<Outbound, String> {
        let client = build_client(
            &self.guard,
            self.proxy.as_deref(),
            &self.roots,
            Some(identity),
        )?;
        Ok(Outbound {
            client,
            guard: self.guard.clone(),
            proxy: self.proxy.clone(),
            in_flight: self.in_flight.clone(),
            max_in_flight: self.max_in_flight,
            rate: self.rate.clone(),
            roots: self.roots.clone(),
            presents_identity: true,
        })
    }

    /// The guard.
    pub fn guard(&self) -> &Guard {
        &self.guard
    }

    /// The cap on requests in flight across every prescan.
    pub fn max_in_flight(&self) -> usize {
        self.max_in_flight
    }

    /// Checks every target of a plan before it runs (each distinct host and
    /// port of its requests, read as the client reads them): the refusal
    /// as a sentence for the user.
    pub async fn check_plan(&self, plan: &PrescanPlan) -> Result<(), String> {
        if self.guard.policy().is_open() {
            return Ok(());
        }
        let mut seen: Vec<(String, Option<u16>)> = Vec::new();
        for req in &plan.requests {
            let Ok(url) = reqwest::Url::parse(&req.url) else {
                continue;
            };
            let key = (url.host_str().unwrap_or_default().to_owned(), url.port());
            if seen.contains(&key) {
                continue;
            }
            seen.push(key);
            if let Err(r) = self.guard.check_url(&url).await {
                let written = plan
                    .origin
                    .as_ref()
                    .map(|o| o.host.as_str())
                    .filter(|h| !h.eq_ignore_ascii_case(&r.host));
                return Err(match written {
                    Some(w) => format!("{r} (The scan's server writes the host {w}.)"),
                    None => r.to_string(),
                });
            }
        }
        Ok(())
    }

    /// Checks the OAuth 2.0 token and discovery URLs as [`check_plan`]
    /// checks the plan's targets (up front, with the same sentences).
    ///
    /// [`check_plan`]: Outbound::check_plan
    pub async fn check_oauth(&self, oauth: &prescan_core::oauth::OAuth) -> Result<(), String> {
        if self.guard.policy().is_open() {
            return Ok(());
        }
        let urls = [
            Some(oauth.token_url.as_str()),
            oauth.discovery_url.as_deref(),
        ];
        for u in urls.into_iter().flatten().filter(|u| !u.trim().is_empty()) {
            let Ok(url) = reqwest::Url::parse(u.trim()) else {
                continue;
            };
            self.guard
                .check_url(&url)
                .await
                .map_err(|r| format!("The OAuth 2.0 endpoint is refused: {r}"))?;
        }
        Ok(())
    }

    /// Sends one request of a prescan: checks its target, waits for the
    /// limits across prescans, then sends it with `timeout`. A refused target is
    /// a network error (no response) and its refusal.
    pub async fn fetch(
        &self,
        req: &PlannedRequest,
        timeout: Duration,
        body_limit: usize,
    ) -> (Outcome, Option<Refusal>) {
        let f = self.fetch_as(req, timeout, body_limit, None).await;
        (f.outcome, f.refusal)
    }

    /// [`Outbound::fetch`] with the prescan's `User-Agent` (`None`: the
    /// client's default; a request with a `User-Agent` header of its own
    /// keeps it), and a note when TLS failed.
    pub async fn fetch_as(
        &self,
        req: &PlannedRequest,
        timeout: Duration,
        body_limit: usize,
        user_agent: Option<&str>,
    ) -> Fetched {
        let (outcome, refusal, tls_note) =
            self.fetch_inner(req, timeout, body_limit, user_agent).await;
        Fetched {
            outcome,
            refusal,
            tls_note,
        }
    }

    async fn fetch_inner(
        &self,
        req: &PlannedRequest,
        timeout: Duration,
        body_limit: usize,
        user_agent: Option<&str>,
    ) -> (Outcome, Option<Refusal>, Option<String>) {
        let Ok(url) = reqwest::Url::parse(&req.url) else {
            return (Outcome::MalformedUrl, None, None);
        };
        // Literals are never resolved, so no resolver sees them; behind a
        // proxy no name is resolved here either: check them now.
        let checked = if self.proxy.is_some() {
            self.guard.check_url_for_proxy(&url).await
        } else {
            self.guard.check_literal(&url)
        };
        if let Err(r) = checked {
            return (Outcome::NoResponse { time_ms: 0.0 }, Some(r), None);
        }
        let Ok(_permit) = self.in_flight.acquire().await else {
            return (Outcome::NoResponse { time_ms: 0.0 }, None, None);
        };
        if let Some(rate) = &self.rate {
            rate.wait().await;
        }
        let started = Instant::now();
        let sent = Sent {
            client: &self.client,
            user_agent,
            presents_identity: self.presents_identity,
        };
        match tokio::time::timeout(timeout, sent.send(req, url, body_limit, started)).await {
            Ok(done) => done,
            Err(_) => (
                Outcome::Timeout {
                    time_ms: started.elapsed().as_secs_f64() * 1000.0,
                },
                None,
                None,
            ),
        }
    }
}

/// The HTTP client of prescans: no redirects followed, no proxy from the
/// environment (only `proxy`), the guard's resolver unless its policy is
/// open or a proxy resolves, the Mozilla roots and `roots`, and the client
/// certificate `identity`.
fn build_client(
    guard: &Arc<Guard>,
    proxy: Option<&str>,
    roots: &[reqwest::Certificate],
    identity: Option<reqwest::Identity>,
) -> Result<reqwest::Client, String> {
    let voice = guard.policy().voice;
    let user_agent = prescan_core::prescan::default_user_agent(voice == Voice::Server);
    let mut b = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .user_agent(user_agent)
        .connect_timeout(Duration::from_secs(10));
    match proxy {
        Some(p) => {
            let proxy =
                reqwest::Proxy::all(p).map_err(|e| format!("{} {p}: {e}", voice.proxy_option()))?;
            b = b.proxy(proxy);
        }
        None if !guard.policy().is_open() => {
            b = b.dns_resolver(Arc::new(guard::GuardedResolver(guard.clone())));
        }
        None => {}
    }
    for root in roots {
        b = b.add_root_certificate(root.clone());
    }
    if let Some(identity) = identity {
        b = b.identity(identity);
    }
    b.build()
        .map_err(|e| format!("the HTTP client of prescans: {e}"))
}

/// How one request is sent.
struct Sent<'a> {
    client: &'a reqwest::Client,
    user_agent: Option<&'a str>,
    presents_identity: bool,
}

impl Sent<'_> {
    /// Sends `req` and reads its response (at most `body_limit` bytes of the
    /// body kept): the outcome, the guard's refusal if the connection was
    /// refused, and a note if TLS failed.
    async fn send(
        &self,
        req: &PlannedRequest,
        url: reqwest::Url,
        body_limit: usize,
        started: Instant,
    ) -> (Outcome, Option<Refusal>, Option<String>) {
        let client = self.client;
        let elapsed = || started.elapsed().as_secs_f64() * 1000.0;
        let Ok(method) = reqwest::Method::from_bytes(req.method.as_bytes()) else {
            return (Outcome::MalformedUrl, None, None);
        };
        let mut b = client.request(method, url);
        if let Some(ua) = self.user_agent {
            if !req
                .headers
                .iter()
                .any(|(n, _)| n.eq_ignore_ascii_case("user-agent"))
            {
                b = b.header(reqwest::header::USER_AGENT, ua);
            }
        }
        for (name, value) in &req.headers {
            b = b.header(name.as_str(), value.as_str());
        }
        if let Some(ct) = &req.content_type {
            if !req
                .headers
                .iter()
                .any(|(n, _)| n.eq_ignore_ascii_case("content-type"))
            {
                b = b.header("Content-Type", ct.as_str());
            }
        }
        if let Some(body) = &req.body {
            b = b.body(body.clone());
        }
        let request = match b.build() {
            Ok(r) => r,
            Err(_) => return (Outcome::MalformedUrl, None, None),
        };
        let response = match client.execute(request).await {
            Ok(r) => r,
            Err(e) => {
                let refusal = guard::refusal_of(&e).cloned();
                let note = crate::tls::tls_note(&e, self.presents_identity);
                return (Outcome::NoResponse { time_ms: elapsed() }, refusal, note);
            }
        };
        let status = response.status();
        let headers: Vec<(String, String)> = response
            .headers()
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let mut kept: Vec<u8> = Vec::new();
        let mut size: u64 = 0;
        let mut stream = response.bytes_stream();
        while let Some(chunk) = stream.next().await {
            match chunk {
                Ok(chunk) => {
                    size += chunk.len() as u64;
                    // Keep a few bytes past the limit so that a character cut
                    // at the limit is still decoded whole.
                    let room = (body_limit + 4).saturating_sub(kept.len());
                    kept.extend_from_slice(&chunk[..chunk.len().min(room)]);
                }
                Err(e) => {
                    let note = crate::tls::tls_note(&e, self.presents_identity);
                    return (Outcome::NoResponse { time_ms: elapsed() }, None, note);
                }
            }
        }
        let text = String::from_utf8_lossy(&kept);
        let (body, cut) = truncate_body(&text, body_limit);
        let received = Received {
            status: status.as_u16(),
            status_text: status.canonical_reason().unwrap_or("").to_owned(),
            headers,
            body: body.to_owned(),
            body_truncated: cut || size > body.len() as u64,
            size,
            time_ms: elapsed(),
        };
        (Outcome::Response(received), None, None)
    }
}
