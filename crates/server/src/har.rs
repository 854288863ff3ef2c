//! Converted HARs of stored specifications: a bound on conversions under
//! way and a small cache of the last ones (see `GET
//! /specifications/{spec_id}/har` in [`crate::http`]).
//!
//! Converting a large description (GitHub's REST API: 13 MB) takes a
//! quarter of a second of one core and, while it runs, a few hundred MB:
//! the specification's bytes, its parsed model and the HAR. Without a
//! bound, concurrent requests for it each convert at once and the memory
//! adds up. So at most [`HarCache::permits`] conversions run at a time
//! (one per CPU), and the HARs they produce are kept, least recently used
//! first out, within a byte budget. A stored specification never changes
//! and is never deleted (and ids are never reused), so a cached HAR never
//! goes stale, and each of several processes sharing one database may keep
//! its own cache.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use prescan_core::analysis::SpecId;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The cache's byte budget by default: 64 MiB of HAR JSON.
pub const DEFAULT_BUDGET: usize = 64 * 1024 * 1024;

/// Why a conversion got no turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Busy {
    /// The queue of waiting conversions is full.
    Queue,
    /// No turn came within the wait.
    Wait,
}

/// What a HAR is converted from: a specification and the `server` asked
/// for (`None`: the specification's own).
pub type HarKey = (SpecId, Option<String>);

/// The bound on conversions and the cache of converted HARs.
pub struct HarCache {
    permits: Arc<Semaphore>,
    count: usize,
    /// Requests waiting for a permit.
    waiting: AtomicUsize,
    budget: usize,
    lru: Mutex<Lru>,
}

#[derive(Default)]
struct Lru {
    /// Most recently used first.
    entries: VecDeque<(HarKey, Bytes)>,
    /// The sum of the entries' lengths.
    bytes: usize,
}

impl Default for HarCache {
    /// One conversion per CPU, [`DEFAULT_BUDGET`].
    fn default() -> Self {
        let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
        HarCache::new(cpus, DEFAULT_BUDGET)
    }
}

impl HarCache {
    /// At most `permits` conversions at a time (at least 1); HARs kept up
    /// to `budget` bytes in all.
    pub fn new(permits: usize, budget: usize) -> Self {
        let count = permits.max(1);
        HarCache {
            permits: Arc::new(Semaphore::new(count)),
            count,
            waiting: AtomicUsize::new(0),
            budget,
            lru: Mutex::new(Lru::default()),
        }
    }

    /// How many conversions may run at a time.
    pub fn permits(&self) -> usize {
        self.count
    }

    /// Waits for a conversion's turn; the permit is given back when it
    /// is dropped (move it into the conversion so that a request whose
    /// client went away still holds it until the conversion ends).
    pub async fn permit(&self) -> OwnedSemaphorePermit {
        self.permits
            .clone()
            .acquire_owned()
            .await
            .expect("the semaphore is never closed")
    }

    /// A conversion's turn, unless `queue` requests wait already or none
    /// comes within `wait`: then why not ([`Busy`]).
    pub async fn permit_within(
        &self,
        queue: usize,
        wait: Duration,
    ) -> Result<OwnedSemaphorePermit, Busy> {
        if let Ok(p) = self.permits.clone().try_acquire_owned() {
            return Ok(p);
        }
        if self.waiting.fetch_add(1, Ordering::SeqCst) >= queue {
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            return Err(Busy::Queue);
        }
        let r = tokio::time::timeout(wait, self.permits.clone().acquire_owned()).await;
        self.waiting.fetch_sub(1, Ordering::SeqCst);
        match r {
            Ok(p) => Ok(p.expect("the semaphore is never closed")),
            Err(_) => Err(Busy::Wait),
        }
    }

    /// Conversions running now (permits held; a conversion past its
    /// deadline holds its permit until it really ends).
    pub fn running(&self) -> usize {
        self.count - self.permits.available_permits()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Lru> {
        // The cache is consistent between statements; a panic elsewhere
        // cannot leave it half-changed.
        self.lru.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The cached HAR of `key`, which becomes the most recently used.
    pub fn get(&self, key: &HarKey) -> Option<Bytes> {
        let mut lru = self.lock();
        let i = lru.entries.iter().position(|(k, _)| k == key)?;
        let entry = lru.entries.remove(i)?;
        let har = entry.1.clone();
        lru.entries.push_front(entry);
        Some(har)
    }

    /// Keeps the HAR of `key` (unless it alone is over the budget),
    /// dropping the least recently used ones to stay within the budget.
    pub fn put(&self, key: HarKey, har: Bytes) {
        if har.len() > self.budget {
            return;
        }
        let mut lru = self.lock();
        if let Some(i) = lru.entries.iter().position(|(k, _)| *k == key) {
            if let Some((_, old)) = lru.entries.remove(i) {
                lru.bytes -= old.len();
            }
        }
        while lru.bytes + har.len() > self.budget {
            match lru.entries.pop_back() {
                Some((_, old)) => lru.bytes -= old.len(),
                None => break,
            }
        }
        lru.bytes += har.len();
        lru.entries.push_front((key, har));
    }

    /// Gives the memory a conversion freed back to the system. A
    /// conversion of a large description allocates a few hundred MB on a
    /// blocking thread; glibc keeps what is freed in that thread's arena,
    /// and the server's resident memory would grow with every arena used
    /// (measured: 1 GB after 40 conversions of GitHub's description).
    pub fn release_memory() {
        #[cfg(all(target_os = "linux", target_env = "gnu"))]
        // SAFETY: malloc_trim only returns free memory of the allocator's
        // arenas to the system; it has no preconditions.
        unsafe {
            libc::malloc_trim(0);
        }
    }

    /// How many HARs and bytes are cached.
    pub fn usage(&self) -> (usize, usize) {
        let lru = self.lock();
        (lru.entries.len(), lru.bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(id: u64, server: Option<&str>) -> HarKey {
        (SpecId(id), server.map(str::to_string))
    }

    #[test]
    fn keeps_the_most_recently_used_within_the_budget() {
        let cache = HarCache::new(2, 10);
        cache.put(key(1, None), Bytes::from_static(b"aaaa"));
        cache.put(
            key(1, Some("https://x.example")),
            Bytes::from_static(b"bbbb"),
        );
        assert_eq!(cache.usage(), (2, 8));
        // Using 1 makes the other one the least recently used.
        assert_eq!(cache.get(&key(1, None)).as_deref(), Some(&b"aaaa"[..]));
        cache.put(key(2, None), Bytes::from_static(b"cccc"));
        assert_eq!(cache.usage(), (2, 8));
        assert!(cache.get(&key(1, Some("https://x.example"))).is_none());
        assert!(cache.get(&key(1, None)).is_some());
        assert!(cache.get(&key(2, None)).is_some());
        // Too large alone: not kept, nothing dropped for it.
        cache.put(key(3, None), Bytes::from_static(b"01234567890"));
        assert!(cache.get(&key(3, None)).is_none());
        assert_eq!(cache.usage(), (2, 8));
        // Putting a key again replaces it.
        cache.put(key(2, None), Bytes::from_static(b"dd"));
        assert_eq!(cache.usage(), (2, 6));
        assert_eq!(cache.get(&key(2, None)).as_deref(), Some(&b"dd"[..]));
    }

    #[tokio::test]
    async fn bounds_the_conversions() {
        let cache = HarCache::new(0, 10);
        assert_eq!(cache.permits(), 1);
        let first = cache.permit().await;
        let second = tokio::time::timeout(std::time::Duration::from_millis(50), cache.permit());
        assert!(
            second.await.is_err(),
            "a second permit while the first is held"
        );
        drop(first);
        let _again = cache.permit().await;
    }
}
