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

/// The most characters of a custom `User-Agent`.
pub const MAX_USER_AGENT_CHARS: usize = 256;

/// The `User-Agent` a native runner sends when none is given:
/// `prescan/<version>` from the command line, `prescan-server/<version>`
/// from the reference server (it names prescan, so that a WAF can allow
/// it). A browser always sends its own.
pub fn default_user_agent(server: bool) -> String {
    let version = env!("CARGO_PKG_VERSION");
    if server {
        format!("prescan-server/{version}")
    } else {
        format!("prescan/{version}")
    }
}

/// Checks a custom `User-Agent`: 1 to [`MAX_USER_AGENT_CHARS`] visible
/// ASCII characters and spaces (no line break or other control character,
/// so it can never start another header), not blank. The error is a
/// sentence for the user.
pub fn validate_user_agent(value: &str) -> Result<(), String> {
    if value.trim().is_empty() {
        return Err(
            "The User-Agent is empty. Enter one, or leave the field out to send the default."
                .into(),
        );
    }
    if value.chars().count() > MAX_USER_AGENT_CHARS {
        return Err(format!(
            "The User-Agent is longer than {MAX_USER_AGENT_CHARS} characters."
        ));
    }
    if let Some(bad) = value.chars().find(|c| !(c.is_ascii_graphic() || *c == ' ')) {
        let what = match bad {
            '\r' | '\n' => "a line break".to_owned(),
            c if c.is_control() => format!("the control character {c:?}"),
            c => format!("`{c}`"),
        };
        return Err(format!(
            "The User-Agent contains {what}; use visible ASCII characters and spaces only."
        ));
    }
    Ok(())
}

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
    /// The `User-Agent` a native runner sends (the server prescan, `prescan
    /// run`); `None` is the runner's default ([`default_user_agent`]). A
    /// browser cannot set it: it sends its own. Checked with
    /// [`validate_user_agent`]; a value that fails is dropped by
    /// [`PrescanSettings::normalized`] (the default is sent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
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
            user_agent: None,
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
            user_agent: self
                .user_agent
                .clone()
                .filter(|ua| validate_user_agent(ua).is_ok()),
        }
    }
}

#[cfg(test)]
mod user_agent_tests {
    use super::*;

    #[test]
    fn user_agents_are_visible_ascii_and_bounded() {
        for ok in ["prescan/1.0", "Mozilla/5.0 (X11; Linux) scanner", "a"] {
            assert!(validate_user_agent(ok).is_ok(), "{ok}");
        }
        let long = "a".repeat(MAX_USER_AGENT_CHARS + 1);
        for bad in [
            "",
            "   ",
            "x\r\nX-Evil: 1",
            "x\ny",
            "tab\there",
            "caf\u{e9}",
            "nul\0",
            &long,
        ] {
            assert!(validate_user_agent(bad).is_err(), "{bad:?}");
        }
        assert!(validate_user_agent("x\r\nX-Evil: 1")
            .unwrap_err()
            .contains("line break"));
        assert!(validate_user_agent(&long).unwrap_err().contains("256"));
        assert!(validate_user_agent(&"a".repeat(MAX_USER_AGENT_CHARS)).is_ok());
        let s = PrescanSettings {
            user_agent: Some("x\r\nX-Evil: 1".into()),
            ..PrescanSettings::default()
        };
        assert_eq!(s.normalized().user_agent, None);
        let s = PrescanSettings {
            user_agent: Some("Team-Scanner/2".into()),
            ..PrescanSettings::default()
        };
        assert_eq!(s.normalized().user_agent.as_deref(), Some("Team-Scanner/2"));
        assert!(default_user_agent(false).starts_with("prescan/"));
        assert!(default_user_agent(true).starts_with("prescan-server/"));
    }
}
