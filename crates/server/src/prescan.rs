//! Server-side prescans: the core's [`PrescanPlan`] and [`PrescanRun`] poll
//! loop driven with a real HTTP client (reqwest, rustls, webpki roots), the
//! same loop the browser runs in `src/pages/prescan.rs`.
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
//! `--prescan-deny-private`: targets that resolve to loopback, private,
//! link-local, unique-local, CGNAT or unspecified addresses are then refused
//! (a 422 problem when the prescan is requested, and again at connection
//! time by the DNS resolver, so DNS rebinding does not get around it). It
//! is off by default so that local tests against 127.0.0.1 work.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use prescan_core::analysis::{AnalysisId, ScanId};
use prescan_core::prescan::{
    truncate_body, Connection, Outcome, PrescanPlan, PrescanReport, PrescanRun, Progress, Received,
    Step,
};
use tokio::sync::watch;
use tokio::task::JoinSet;

/// The sentence the activity log and the notification carry (the same as
/// the browser's).
pub fn summary(c: &Connection) -> String {
    format!(
        "{} requests, {} responses, {} network errors, {} authentication failures (401 or 403), {} skipped.",
        c.requests, c.responses, c.network_errors, c.auth_failures, c.skipped
    )
}

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

/// Whether an address is one `--prescan-deny-private` refuses.
pub fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || o[0] == 0
                || (o[0] == 100 && (64..128).contains(&o[1])) // CGNAT
                || (o[0] == 192 && o[1] == 0 && o[2] == 0)
                || (o[0] == 198 && (18..20).contains(&o[1]))
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_private(IpAddr::V4(v4));
            }
            let s = v6.segments();
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00 // unique local
                || (s[0] & 0xffc0) == 0xfe80 // link local
        }
    }
}

/// Resolves `host:port` and refuses private addresses (see the module
/// docs). The error is a sentence for the user. A name that does not
/// resolve passes: its requests fail with the resolution error.
pub async fn check_public(host: &str, port: u16) -> Result<(), String> {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let addrs: Vec<SocketAddr> = match host.parse::<IpAddr>() {
        Ok(ip) => vec![SocketAddr::new(ip, port)],
        Err(_) => match tokio::net::lookup_host((host, port)).await {
            Ok(addrs) => addrs.collect(),
            // A name that does not resolve now is no private address: the
            // prescan runs and each request records the resolution error
            // (as without --prescan-deny-private). The client's resolver
            // checks again at every connection, so a name that later
            // resolves to a private address is still refused.
            Err(_) => Vec::new(),
        },
    };
    if let Some(a) = addrs.iter().find(|a| is_private(a.ip())) {
        return Err(format!(
            "The prescan target {host} resolves to {}, a loopback, private or link-local address, and this server refuses such targets (--prescan-deny-private). Use a public server, or start the server without --prescan-deny-private.",
            a.ip()
        ));
    }
    Ok(())
}

/// A DNS resolver that leaves out private addresses.
struct PublicOnly;

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|a| !is_private(a.ip()))
                .collect();
            if addrs.is_empty() {
                return Err(format!("{host} resolves only to private addresses").into());
            }
            Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// The HTTP client prescans use.
pub fn client(deny_private: bool) -> reqwest::Client {
    let mut b = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("prescan-server/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(Duration::from_secs(10));
    if deny_private {
        b = b.dns_resolver(Arc::new(PublicOnly));
    }
    b.build().unwrap_or_else(|_| reqwest::Client::new())
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
    cancel: watch::Sender<bool>,
}

impl Running {
    /// The report so far and the progress.
    pub fn snapshot(&self) -> (PrescanReport, Progress) {
        let run = self.run.lock().unwrap_or_else(|p| p.into_inner());
        (run.report(self.total_endpoints), run.progress())
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
            cancel: tx,
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
    crate::now_ms()
}

/// Runs the poll loop to the end (finished or cancelled).
pub async fn drive(
    running: Arc<Running>,
    mut cancel: watch::Receiver<bool>,
    client: reqwest::Client,
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
                let client = client.clone();
                let timeout = Duration::from_millis(settings.timeout_ms);
                let body_limit = settings.body_limit;
                tasks.spawn(async move {
                    let started = Instant::now();
                    let outcome = match tokio::time::timeout(
                        timeout,
                        send(&client, &req, body_limit, started),
                    )
                    .await
                    {
                        Ok(o) => o,
                        Err(_) => Outcome::Timeout {
                            time_ms: started.elapsed().as_secs_f64() * 1000.0,
                        },
                    };
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
    req: &prescan_core::prescan::PlannedRequest,
    body_limit: usize,
    started: Instant,
) -> Outcome {
    let elapsed = || started.elapsed().as_secs_f64() * 1000.0;
    let Ok(method) = reqwest::Method::from_bytes(req.method.as_bytes()) else {
        return Outcome::MalformedUrl;
    };
    let Ok(url) = reqwest::Url::parse(&req.url) else {
        return Outcome::MalformedUrl;
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
        Err(_) => return Outcome::MalformedUrl,
    };
    let response = match client.execute(request).await {
        Ok(r) => r,
        Err(_) => return Outcome::NoResponse { time_ms: elapsed() },
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
            Err(_) => return Outcome::NoResponse { time_ms: elapsed() },
        }
    }
    let text = String::from_utf8_lossy(&kept);
    let (body, cut) = truncate_body(&text, body_limit);
    Outcome::Response(Received {
        status: status.as_u16(),
        status_text: status.canonical_reason().unwrap_or("").to_owned(),
        headers,
        body: body.to_owned(),
        body_truncated: cut || size > body.len() as u64,
        size,
        time_ms: elapsed(),
    })
}
