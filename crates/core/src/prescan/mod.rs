//! The prescan of an API specification scan: the first [`PRESCAN_LIMIT`]
//! requests of its HAR, sent to the configured server, and what came back.
//!
//! Everything here is pure; the browser only sends the requests. The flow:
//!
//! 1. [`PrescanPlan::new`] picks the requests from a [`Har`]: the first
//!    [`PRESCAN_LIMIT`] entries, in order. Only `GET`, `HEAD` and `OPTIONS`
//!    are sent unless [`PrescanSettings::allow_unsafe_methods`]; only URLs of
//!    the configured server's origin are sent; the rest are
//!    [`Skipped`] with a [`SkipReason`].
//! 2. [`PrescanRun`] drives it: [`PrescanRun::poll`] says what to do now
//!    (send request *n*, wait until a time, wait for a response, or stop),
//!    pacing requests with a [`Pacer`] (requests per second and a bound on
//!    requests in flight); the browser reports each [`Outcome`] with
//!    [`PrescanRun::complete`], and may [`PrescanRun::cancel`].
//! 3. [`PrescanReport`] is what the Prescan Details page shows: the
//!    [`Row`]s of the Request and Response table, the [`Connection`]
//!    summary, the [`PrescanStatus`], the Prescan Notes and the HAR of the
//!    prescan with the real responses and timings ([`PrescanReport::to_har`]).
//!
//! Times are `i64` milliseconds (since the Unix epoch for start times),
//! passed in by the caller, so every rule is deterministic and testable.
//!
//! [`Har`]: crate::har::Har
//! [`PRESCAN_LIMIT`]: crate::PRESCAN_LIMIT
//!
//! Depends on the conversion (`spec`, `har`) and `time`; never on `analysis`
//! or `api`.

mod origin;
mod outcomes;
mod pacer;
mod plan;
mod redact;
mod report;
mod run;
#[cfg(test)]
mod tests;
mod token;

use serde::{Deserialize, Serialize};

pub use origin::Origin;
pub use outcomes::{Explanation, OutcomeClass};
pub use pacer::Pacer;
pub use plan::{PlannedRequest, PrescanPlan, SkipReason, Skipped, SAFE_METHODS};
pub use redact::{redact_json, redact_report, secrets, REDACTED};
pub use report::{
    truncate_body, Connection, Outcome, PrescanReport, PrescanStatus, Received, RequestResult, Row,
    NO_RESPONSE, NO_RESPONSE_HELP,
};
pub use run::{PrescanRun, Progress, Step};
pub use token::{AuthExchange, AuthKind, TokenReport, MAX_TOKEN_FETCHES};

/// The default pace: 10 requests per second.
pub const DEFAULT_REQUESTS_PER_SECOND: f64 = 10.0;
/// The most requests per second a prescan accepts (faster is clamped).
pub const MAX_REQUESTS_PER_SECOND: f64 = 100.0;
/// The default number of requests in flight at once.
pub const DEFAULT_MAX_IN_FLIGHT: usize = 4;
/// The most requests in flight at once a prescan accepts.
pub const MAX_IN_FLIGHT: usize = 16;
/// The default timeout of one request, in milliseconds.
pub const DEFAULT_TIMEOUT_MS: u64 = 10_000;
/// The longest timeout of one request, in milliseconds (longer is clamped).
pub const MAX_TIMEOUT_MS: u64 = 120_000;
/// The default number of bytes of a response body that are kept (64 KiB).
pub const DEFAULT_BODY_LIMIT: usize = 64 * 1024;

/// How a prescan runs. [`Default`] is the safe configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PrescanSettings {
    /// The configured server (the scan's base URL, e.g.
    /// `https://api.example.com/v1`). Requests go only to its origin, and
    /// relative URLs resolve against it. `None`: the origin of the first
    /// entry with an absolute `http`/`https` URL.
    pub base_url: Option<String>,
    /// Send methods other than `GET`, `HEAD` and `OPTIONS` (they may change
    /// data on the server). Off by default; the user turns it on for one
    /// prescan.
    pub allow_unsafe_methods: bool,
    /// The most requests started per second; `None` is unlimited. A value
    /// that is not a positive number is the default; above
    /// [`MAX_REQUESTS_PER_SECOND`] is clamped.
    pub requests_per_second: Option<f64>,
    /// The most requests in flight at once (1 to [`MAX_IN_FLIGHT`]).
    pub max_in_flight: usize,
    /// How long to wait for one response, in milliseconds (1 to
    /// [`MAX_TIMEOUT_MS`]).
    pub timeout_ms: u64,
    /// How many bytes of a response body are kept; longer bodies are
    /// truncated and marked so.
    pub body_limit: usize,
}

impl Default for PrescanSettings {
    fn default() -> Self {
        PrescanSettings {
            base_url: None,
            allow_unsafe_methods: false,
            requests_per_second: Some(DEFAULT_REQUESTS_PER_SECOND),
            max_in_flight: DEFAULT_MAX_IN_FLIGHT,
            timeout_ms: DEFAULT_TIMEOUT_MS,
            body_limit: DEFAULT_BODY_LIMIT,
        }
    }
}

impl PrescanSettings {
    /// The settings with every number brought into its allowed range (see
    /// each field). Everything in this module uses these.
    pub fn normalized(&self) -> PrescanSettings {
        let requests_per_second = match self.requests_per_second {
            None => None,
            Some(r) if r.is_finite() && r > 0.0 => Some(r.min(MAX_REQUESTS_PER_SECOND)),
            Some(_) => Some(DEFAULT_REQUESTS_PER_SECOND),
        };
        PrescanSettings {
            base_url: self.base_url.clone(),
            allow_unsafe_methods: self.allow_unsafe_methods,
            requests_per_second,
            max_in_flight: self.max_in_flight.clamp(1, MAX_IN_FLIGHT),
            timeout_ms: self.timeout_ms.clamp(1, MAX_TIMEOUT_MS),
            body_limit: self.body_limit,
        }
    }
}
