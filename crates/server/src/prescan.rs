//! Server-side prescans: the prescans under way, by scan ([`Prescans`]),
//! each a [`Running`] prescan driven by the runner shared with the command
//! line (`prescan-runner`: the HTTP client, its limits, the private-address
//! guard and the poll loop; its crate docs cover SSRF, proxies and limits).
//!
//! The server's options name the runner's: `--prescan-deny-private` and
//! `--prescan-allow` ([`prescan_runner::guard`]), `--prescan-proxy`, and, across
//! every prescan of the server, `--prescan-max-inflight` requests in flight
//! and `--prescan-rate` a second ([`Outbound`]). A target refused when the
//! prescan is requested is a 422 problem; a request refused later gets no
//! response, and the activity log entry of the prescan says why
//! ([`Running::refusal_note`]).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use prescan_core::analysis::{AnalysisId, ScanId};
use prescan_core::prescan::{PrescanPlan, PrescanReport, PrescanRun, Progress};
use prescan_runner::Live;
use tokio::sync::watch;

pub use prescan_runner::{check_public, is_private, send_cookies, Outbound};

/// A prescan under way.
pub struct Running {
    /// The scan's analysis.
    pub analysis_id: AnalysisId,
    /// When it started (ms).
    pub started_ms: i64,
    /// The run (plan, pacing, results so far) and what the guard refused.
    pub live: Arc<Live>,
    /// The specification's endpoint count.
    pub total_endpoints: usize,
    /// The credentials it sends, masked in the prescan the server keeps.
    pub auth: prescan_core::ScanAuth,
    /// The server stopped it (shutdown), rather than a user or the deadline.
    stopped_by_server: std::sync::atomic::AtomicBool,
}

/// The note of a prescan a stopping server cancelled (activity log).
pub const SERVER_STOPPED_NOTE: &str =
    "The server stopped before the prescan finished; run it again.";

impl Running {
    /// The report so far and the progress.
    pub fn snapshot(&self) -> (PrescanReport, Progress) {
        self.live.snapshot(self.total_endpoints)
    }

    /// The run, locked.
    pub fn run(&self) -> std::sync::MutexGuard<'_, PrescanRun> {
        self.live.run()
    }

    /// What the guard refused, for the activity log ("" if nothing).
    pub fn refusal_note(&self) -> String {
        self.live.refusal_note()
    }

    /// Asks the loop to stop (it records every unfinished request as
    /// cancelled).
    pub fn cancel(&self) {
        self.live.cancel();
    }

    /// Cancels it because the server stops: its record says so
    /// ([`SERVER_STOPPED_NOTE`]).
    pub fn stop_for_shutdown(&self) {
        self.stopped_by_server
            .store(true, std::sync::atomic::Ordering::Relaxed);
        self.live.cancel();
    }

    /// Whether [`Running::stop_for_shutdown`] stopped it.
    pub fn stopped_by_server(&self) -> bool {
        self.stopped_by_server
            .load(std::sync::atomic::Ordering::Relaxed)
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
    /// With `auth.oauth` (the scan's OAuth 2.0, its token URL completed
    /// from the specification), the run gets a token first.
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
        let (live, cancel) = Live::with_oauth(plan, auth.oauth.clone());
        let running = Arc::new(Running {
            analysis_id,
            started_ms,
            live,
            total_endpoints,
            auth,
            stopped_by_server: Default::default(),
        });
        map.insert(scan, running.clone());
        Some((running, cancel))
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

/// Runs the poll loop of a prescan to the end (finished or cancelled).
pub async fn drive(running: Arc<Running>, cancel: watch::Receiver<bool>, outbound: Arc<Outbound>) {
    prescan_runner::drive(running.live.clone(), cancel, outbound).await;
}
