//! When the next request may start: a rate and a bound on requests in flight.

use serde::{Deserialize, Serialize};

use super::PrescanSettings;

/// Paces the requests of a prescan. Pure: the caller passes the time and
/// the number of requests in flight, and records each start.
///
/// Two rules: at most `max_in_flight` requests at once, and consecutive
/// starts at least `1000 / requests_per_second` ms apart (rounded up to a
/// whole millisecond, so the rate is never exceeded).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pacer {
    interval_ms: i64,
    max_in_flight: usize,
    last_start_ms: Option<i64>,
}

impl Pacer {
    /// A pacer for `settings` (normalized first).
    pub fn new(settings: &PrescanSettings) -> Pacer {
        let s = settings.normalized();
        let interval_ms = match s.requests_per_second {
            Some(rps) => (1000.0 / rps).ceil() as i64,
            None => 0,
        };
        Pacer {
            interval_ms,
            max_in_flight: s.max_in_flight,
            last_start_ms: None,
        }
    }

    /// The minimum time between two starts, in milliseconds (0: unlimited).
    pub fn interval_ms(&self) -> i64 {
        self.interval_ms
    }

    /// When the next request may start: `None` while `in_flight` requests
    /// fill every slot (wait for one to finish); otherwise the time, which
    /// is `now_ms` when it may start at once.
    pub fn next_start_ms(&self, now_ms: i64, in_flight: usize) -> Option<i64> {
        if in_flight >= self.max_in_flight {
            return None;
        }
        Some(match self.last_start_ms {
            Some(last) => now_ms.max(last.saturating_add(self.interval_ms)),
            None => now_ms,
        })
    }

    /// Records that a request started at `now_ms`.
    pub fn record_start(&mut self, now_ms: i64) {
        self.last_start_ms = Some(match self.last_start_ms {
            Some(last) => last.max(now_ms),
            None => now_ms,
        });
    }
}
