//! What every handler shares ([`AppState`]). It may depend on the
//! configuration, the persistence seam and the server's services
//! (prescans, HAR conversions, rate limits); it must never depend on the
//! HTTP layer.

use std::net::SocketAddr;
use std::sync::Arc;

use crate::config::Config;
use crate::{db::Db, har, limits, prescan};

/// What every handler shares.
pub struct AppState {
    /// The store.
    pub db: Arc<Db>,
    /// The prescans under way.
    pub prescans: prescan::Prescans,
    /// How prescans reach their targets (client, guard, limits).
    pub outbound: Arc<prescan::Outbound>,
    /// The configuration.
    pub config: Config,
    /// Conversions of specifications to HAR: their bound and cache.
    pub har: har::HarCache,
    /// Where the server listens (the Host check).
    pub addr: SocketAddr,
    /// The rate limits.
    pub limits: limits::Limits,
    /// The Content-Security-Policy of the app (`http::app_csp`).
    pub app_csp: axum::http::HeaderValue,
    /// What the gate remembers of the people (issue 16).
    pub people: PeopleState,
    /// This process among the replicas sharing the database (issue 19):
    /// the owner of the leases of the prescans it drives.
    pub replica: String,
    /// The server is stopping (a signal came): `/readyz` answers 503 and
    /// no prescan starts.
    pub stopping: std::sync::atomic::AtomicBool,
}

impl AppState {
    /// Whether the server is stopping.
    pub fn is_stopping(&self) -> bool {
        self.stopping.load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// A name for this process among replicas: host, process id and a random
/// part (a process restarted with the same id is another replica).
pub fn replica_id() -> String {
    let mut random = [0u8; 4];
    let _ = getrandom::getrandom(&mut random);
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty() && h.len() <= 64 && h.chars().all(|c| c.is_ascii_graphic()))
        .unwrap_or_else(|| "host".to_owned());
    format!(
        "{host}:{}:{:08x}",
        std::process::id(),
        u32::from_be_bytes(random)
    )
}

/// What the gate remembers of the people: whether a user exists (then
/// every call needs a token, forever: users are disabled, never removed),
/// when it last looked, and the tokens already checked against their hash.
#[derive(Default)]
pub struct PeopleState {
    /// A user exists.
    pub users_exist: std::sync::atomic::AtomicBool,
    /// When the database was last asked (ms), while none existed.
    pub checked_ms: std::sync::atomic::AtomicI64,
    /// Tokens checked against their argon2id hash by this process.
    pub verified: crate::people::Verified,
}
