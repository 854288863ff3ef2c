//! Rate limits: a token bucket per key (a token's name or a client
//! address), refilled continuously at `per_minute` a minute up to
//! `per_minute` (the burst). In memory, per process; the table forgets
//! full buckets so it stays small.
//!
//! Every limit also holds across the processes sharing the database
//! (issue 19: they protect shared things, the database, the targets of
//! prescans, the users' tokens): an event this process allows is then
//! taken from the same bucket in the database (`Db::take_rate`), and when
//! that one is empty the local bucket is drained too ([`RateLimiter::drain`]),
//! so the next attempts here are refused without asking the database.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A keyed token-bucket limiter.
pub struct RateLimiter {
    per_minute: u32,
    buckets: Mutex<HashMap<String, (f64, Instant)>>,
}

/// The most keys kept before full buckets are forgotten.
const MAX_KEYS: usize = 10_000;

impl RateLimiter {
    /// `per_minute` events a minute per key (0: no limit).
    pub fn new(per_minute: u32) -> Self {
        RateLimiter {
            per_minute,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    fn refill(&self, level: f64, since: Instant, now: Instant) -> f64 {
        let cap = f64::from(self.per_minute);
        (level + now.duration_since(since).as_secs_f64() * cap / 60.0).min(cap)
    }

    /// Takes one event for `key`: `Err(wait)` when its bucket is empty,
    /// with the time until the next event is allowed.
    pub fn take(&self, key: &str) -> Result<(), Duration> {
        if self.per_minute == 0 {
            return Ok(());
        }
        let now = Instant::now();
        let cap = f64::from(self.per_minute);
        let mut map = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= MAX_KEYS && !map.contains_key(key) {
            map.retain(|_, (level, at)| self.refill(*level, *at, now) < cap);
        }
        let (level, at) = map.entry(key.to_owned()).or_insert((cap, now));
        let current = self.refill(*level, *at, now);
        if current >= 1.0 {
            *level = current - 1.0;
            *at = now;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - current) * 60.0 / cap))
        }
    }

    /// Events a minute (0: no limit).
    pub fn per_minute(&self) -> u32 {
        self.per_minute
    }

    /// Empties `key`'s bucket so that its next event is allowed in `wait`
    /// (the shared bucket said so).
    pub fn drain(&self, key: &str, wait: Duration) {
        if self.per_minute == 0 {
            return;
        }
        let cap = f64::from(self.per_minute);
        let level = (1.0 - wait.as_secs_f64() * cap / 60.0).min(0.999);
        let mut map = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        map.insert(key.to_owned(), (level, Instant::now()));
    }

    /// Whether `key` would be refused now (without taking anything).
    pub fn exhausted(&self, key: &str) -> Option<Duration> {
        if self.per_minute == 0 {
            return None;
        }
        let now = Instant::now();
        let cap = f64::from(self.per_minute);
        let map = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        let (level, at) = map.get(key)?;
        let current = self.refill(*level, *at, now);
        (current < 1.0).then(|| Duration::from_secs_f64((1.0 - current) * 60.0 / cap))
    }
}

/// The limiters of a server.
pub struct Limits {
    /// Uploads of specifications.
    pub uploads: RateLimiter,
    /// Prescans started.
    pub prescans: RateLimiter,
    /// Failed authentications, by address.
    pub auth_failures: RateLimiter,
}

impl Limits {
    /// From the configuration.
    pub fn new(config: &crate::config::Config) -> Self {
        Limits {
            uploads: RateLimiter::new(config.rate_uploads),
            prescans: RateLimiter::new(config.rate_prescans),
            auth_failures: RateLimiter::new(config.rate_auth_failures),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_allows_its_burst_then_refuses_per_key() {
        let l = RateLimiter::new(3);
        for _ in 0..3 {
            assert!(l.take("a").is_ok());
        }
        let wait = l.take("a").unwrap_err();
        assert!(wait > Duration::ZERO && wait <= Duration::from_secs(20));
        assert!(l.exhausted("a").is_some());
        assert!(l.take("b").is_ok(), "another key has its own bucket");
        assert!(l.exhausted("b").is_none());
        let off = RateLimiter::new(0);
        for _ in 0..1000 {
            assert!(off.take("a").is_ok());
        }
    }
}
