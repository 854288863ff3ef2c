//! Server-side prescans: the core's [`PrescanPlan`] and [`PrescanRun`] poll
//! loop driven with a real HTTP client (reqwest, rustls, webpki roots), the
//! same loop the browser runs in `src/pages/prescan/driver.rs`.
//!
//! Differences from the browser, all on the side of seeing more:
//!
//! - the server can send `Cookie` headers (custom cookies and API keys in
//!   cookies): the plan's withheld `Cookie` header is put back into the
//!   request before it runs, so the report and its HAR show it as sent;
//! - a request with no response is a real network error (no CORS here);
//! - redirects are not followed: a 3xx is recorded as the response (a
//!   redirect could lead to another origin, which a prescan never sends to).
//!
//! **Security (SSRF).** The server sends requests to whatever origin a scan
//! names (the scan's server, or the specification's first server), from the
//! server's network position. A deployment reachable by people who should
//! not probe its internal network must start the server with
//! `--prescan-deny-private`, and can name the only targets prescans may
//! reach with `--prescan-allow HOST|CIDR`; [`crate::guard`] says exactly
//! what each guarantees and how they combine. Hosts are read as the HTTP
//! client reads them (WHATWG URL rules); a refused target is a 422 problem
//! naming the host, the address and the option when the prescan is
//! requested, and is refused again before every request (IP literals) and
//! at every connection (every address a name resolves to, so DNS rebinding
//! does not get around it); a request refused then gets no response, and
//! the activity log entry of the prescan says why. Both are off by default
//! so that local tests against 127.0.0.1 work.
//!
//! **Proxies.** Proxy variables of the environment (`HTTP_PROXY`,
//! `HTTPS_PROXY`, `ALL_PROXY`) are ignored; `--prescan-proxy URL` sends
//! every prescan request through that proxy. The proxy then does the
//! connecting and resolves target names itself: the guard still checks each
//! target before its request (literals as they are, names by what they
//! resolve to here), but cannot see what the proxy connects to, so a proxy
//! should enforce its own egress rules.
//!
//! **Limits.** Across every prescan of the server, at most
//! `--prescan-max-inflight` requests are in flight and at most
//! `--prescan-rate` start each second ([`Outbound`]), whatever each
//! prescan's own settings say.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use prescan_core::analysis::{AnalysisId, ScanId};
use prescan_core::prescan::{
    truncate_body, Outcome, PlannedRequest, PrescanPlan, PrescanReport, PrescanRun, Progress,
    Received, Step,
};
use tokio::sync::{watch, Semaphore};
use tokio::task::JoinSet;

/// Puts the `Cookie` header a browser withholds back into each request of
/// the plan: the server can send it.
pub fn send_cookies(plan: &mut PrescanPlan) {
    for req in &mut plan.requests {
        let Some(pos) = req
            .withheld_headers
            .iter()
            .position(|h| h.eq_ignore_ascii_case("cookie"))
        else {
            continue;
        };
        let Some(entry) = plan.entries.get(req.index) else {
            continue;
        };
        let from_header = entry
            .request
            .headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case("cookie"))
            .map(|h| h.value.replace(['\r', '\n'], " "));
        let value = from_header.or_else(|| {
            (!entry.request.cookies.is_empty()).then(|| {
                entry
                    .request
                    .cookies
                    .iter()
                    .map(|c| format!("{}={}", c.name, c.value))
                    .collect::<Vec<_>>()
                    .join("; ")
            })
        });
        if let Some(value) = value {
            let name = req.withheld_headers.remove(pos);
            req.headers.push((name, value));
        }
    }
}

pub use crate::guard::is_private;
use crate::guard::{self, Guard, Policy, Refusal};

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
        allow: Vec::new(),
    };
    Guard::new(policy)
        .check_url(&url)
        .await
        .map_err(|r| r.to_string())
}

/// How prescans reach their targets: the HTTP client, the guard it checks
/// targets with, and the server-wide limits on outbound requests.
pub struct Outbound {
    client: reqwest::Client,
    guard: Arc<Guard>,
    proxied: bool,
    in_flight: Arc<Semaphore>,
    max_in_flight: usize,
    rate: Option<RateGate>,
}

/// Requests no closer together than `interval`, across every prescan of
/// the server.
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
    /// and `rate` a second (0: no rate limit) across every prescan.
    pub fn new(
        guard: Arc<Guard>,
        proxy: Option<&str>,
        max_in_flight: usize,
        rate: f64,
    ) -> Result<Outbound, String> {
        let mut b = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .user_agent(concat!("prescan-server/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(10));
        match proxy {
            Some(p) => {
                let proxy =
                    reqwest::Proxy::all(p).map_err(|e| format!("--prescan-proxy {p}: {e}"))?;
                b = b.proxy(proxy);
            }
            None if !guard.policy().is_open() => {
                b = b.dns_resolver(Arc::new(guard::GuardedResolver(guard.clone())));
            }
            None => {}
        }
        let client = b
            .build()
            .map_err(|e| format!("the HTTP client of prescans: {e}"))?;
        let max_in_flight = max_in_flight.clamp(1, 10_000);
        // At least one request an hour: a tiny rate is no reason to panic.
        let rate = (rate.is_finite() && rate > 0.0).then(|| RateGate {
            interval: Duration::from_secs_f64((1.0 / rate).min(3600.0)),
            next: tokio::sync::Mutex::new(tokio::time::Instant::now()),
        });
        Ok(Outbound {
            client,
            guard,
            proxied: proxy.is_some(),
            in_flight: Arc::new(Semaphore::new(max_in_flight)),
            max_in_flight,
            rate,
        })
    }

    /// The guard.
    pub fn guard(&self) -> &Guard {
        &self.guard
    }

    /// The server-wide cap on requests in flight.
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

    /// Sends one request of a prescan: checks its target, waits for the
    /// server-wide limits, then sends it with `timeout`. A refused target is
    /// a network error (no response) and its refusal.
    pub async fn fetch(
        &self,
        req: &PlannedRequest,
        timeout: Duration,
        body_limit: usize,
    ) -> (Outcome, Option<Refusal>) {
        let Ok(url) = reqwest::Url::parse(&req.url) else {
            return (Outcome::MalformedUrl, None);
        };
        // Literals are never resolved, so no resolver sees them; behind a
        // proxy no name is resolved here either: check them now.
        let checked = if self.proxied {
            self.guard.check_url_for_proxy(&url).await
        } else {
            self.guard.check_literal(&url)
        };
        if let Err(r) = checked {
            return (Outcome::NoResponse { time_ms: 0.0 }, Some(r));
        }
        let Ok(_permit) = self.in_flight.acquire().await else {
            return (Outcome::NoResponse { time_ms: 0.0 }, None);
        };
        if let Some(rate) = &self.rate {
            rate.wait().await;
        }
        let started = Instant::now();
        match tokio::time::timeout(timeout, send(&self.client, req, url, body_limit, started)).await
        {
            Ok(done) => done,
            Err(_) => (
                Outcome::Timeout {
                    time_ms: started.elapsed().as_secs_f64() * 1000.0,
                },
                None,
            ),
        }
    }
}

/// A prescan under way.
pub struct Running {
    /// The scan's analysis.
    pub analysis_id: AnalysisId,
    /// When it started (ms).
    pub started_ms: i64,
    /// The run (plan, pacing, results so far).
    pub run: Mutex<PrescanRun>,
    /// The specification's endpoint count.
    pub total_endpoints: usize,
    /// The credentials it sends, masked in the prescan the server keeps.
    pub auth: prescan_core::ScanAuth,
    cancel: watch::Sender<bool>,
    refusals: Mutex<(usize, Vec<String>)>,
}

impl Running {
    /// The report so far and the progress.
    pub fn snapshot(&self) -> (PrescanReport, Progress) {
        let run = self.run.lock().unwrap_or_else(|p| p.into_inner());
        (run.report(self.total_endpoints), run.progress())
    }

    /// Records a request the guard refused.
    pub fn refused(&self, r: &Refusal) {
        let mut g = self.refusals.lock().unwrap_or_else(|p| p.into_inner());
        g.0 += 1;
        let text = r.to_string();
        if g.1.len() < 3 && !g.1.contains(&text) {
            g.1.push(text);
        }
    }

    /// What the guard refused, for the activity log ("" if nothing).
    pub fn refusal_note(&self) -> String {
        let g = self.refusals.lock().unwrap_or_else(|p| p.into_inner());
        if g.0 == 0 {
            return String::new();
        }
        format!(
            "{} requests were refused when connecting: {}",
            g.0,
            g.1.join(" ")
        )
    }

    /// Asks the loop to stop (it records every unfinished request as
    /// cancelled).
    pub fn cancel(&self) {
        let _ = self.cancel.send(true);
    }
}

/// The prescans under way, by scan.
#[derive(Default)]
pub struct Prescans {
    running: Mutex<HashMap<ScanId, Arc<Running>>>,
}

impl Prescans {
    /// The running prescan of a scan.
    pub fn get(&self, scan: ScanId) -> Option<Arc<Running>> {
        self.lock().get(&scan).cloned()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<ScanId, Arc<Running>>> {
        self.running.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Registers a new prescan; `None` if one is running for that scan.
    pub fn start(
        &self,
        scan: ScanId,
        analysis_id: AnalysisId,
        started_ms: i64,
        plan: PrescanPlan,
        total_endpoints: usize,
        auth: prescan_core::ScanAuth,
    ) -> Option<(Arc<Running>, watch::Receiver<bool>)> {
        let mut map = self.lock();
        if map.contains_key(&scan) {
            return None;
        }
        let (tx, rx) = watch::channel(false);
        let running = Arc::new(Running {
            analysis_id,
            started_ms,
            run: Mutex::new(PrescanRun::new(plan)),
            total_endpoints,
            auth,
            cancel: tx,
            refusals: Mutex::new((0, Vec::new())),
        });
        map.insert(scan, running.clone());
        Some((running, rx))
    }

    /// Forgets a finished prescan.
    pub fn remove(&self, scan: ScanId) {
        self.lock().remove(&scan);
    }

    /// Every running prescan (for shutdown).
    pub fn all(&self) -> Vec<Arc<Running>> {
        self.lock().values().cloned().collect()
    }
}

fn now_ms() -> i64 {
    crate::clock::now_ms()
}

/// Runs the poll loop to the end (finished or cancelled).
pub async fn drive(
    running: Arc<Running>,
    mut cancel: watch::Receiver<bool>,
    outbound: Arc<Outbound>,
) {
    let mut tasks: JoinSet<(usize, Outcome)> = JoinSet::new();
    let settings = {
        let run = running.run.lock().unwrap_or_else(|p| p.into_inner());
        run.plan().settings.normalized()
    };
    loop {
        let step = {
            let mut run = running.run.lock().unwrap_or_else(|p| p.into_inner());
            if *cancel.borrow() && !run.is_cancelled() {
                run.cancel(now_ms());
                tasks.abort_all();
            }
            run.poll(now_ms())
        };
        match step {
            Step::Send(position) => {
                let req = {
                    let run = running.run.lock().unwrap_or_else(|p| p.into_inner());
                    run.request(position).cloned()
                };
                let Some(req) = req else { continue };
                let outbound = outbound.clone();
                let running = running.clone();
                let timeout = Duration::from_millis(settings.timeout_ms);
                let body_limit = settings.body_limit;
                tasks.spawn(async move {
                    let (outcome, refusal) = outbound.fetch(&req, timeout, body_limit).await;
                    if let Some(r) = &refusal {
                        running.refused(r);
                    }
                    (position, outcome)
                });
            }
            Step::WaitUntil(t) => {
                let wait = Duration::from_millis((t - now_ms()).clamp(0, 60_000) as u64);
                tokio::select! {
                    _ = tokio::time::sleep(wait) => {}
                    Some(done) = tasks.join_next(), if !tasks.is_empty() => complete(&running, done),
                    _ = cancel.changed() => {}
                }
            }
            Step::WaitForResponse => {
                tokio::select! {
                    done = tasks.join_next() => match done {
                        Some(done) => complete(&running, done),
                        // Nothing in flight (every task aborted): poll again.
                        None => tokio::time::sleep(Duration::from_millis(10)).await,
                    },
                    _ = cancel.changed() => {}
                }
            }
            Step::Finished => break,
        }
    }
    tasks.abort_all();
}

fn complete(running: &Running, done: Result<(usize, Outcome), tokio::task::JoinError>) {
    if let Ok((position, outcome)) = done {
        running
            .run
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .complete(position, outcome);
    }
}

async fn send(
    client: &reqwest::Client,
    req: &PlannedRequest,
    url: reqwest::Url,
    body_limit: usize,
    started: Instant,
) -> (Outcome, Option<Refusal>) {
    let elapsed = || started.elapsed().as_secs_f64() * 1000.0;
    let Ok(method) = reqwest::Method::from_bytes(req.method.as_bytes()) else {
        return (Outcome::MalformedUrl, None);
    };
    let mut b = client.request(method, url);
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
        Err(_) => return (Outcome::MalformedUrl, None),
    };
    let response = match client.execute(request).await {
        Ok(r) => r,
        Err(e) => {
            let refusal = guard::refusal_of(&e).cloned();
            return (Outcome::NoResponse { time_ms: elapsed() }, refusal);
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
            Err(_) => return (Outcome::NoResponse { time_ms: elapsed() }, None),
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
    (Outcome::Response(received), None)
}
