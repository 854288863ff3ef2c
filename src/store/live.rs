//! Data a view loads from the store, and its refresh.
//!
//! [`Live`] loads with a fetcher that reads the store's revision (so it
//! loads again after every change) and keeps the last good value on screen
//! while it reloads or when a reload fails: views never flash "Loading…"
//! on a refresh, and what they show stays when the server is away. (A
//! small render effect rather than `LocalResource`: the in-browser store's
//! answers, ready at once, are shown in the same tick, as before, and the
//! bundle stays smaller.)
//!
//! [`Poll`] refreshes views in API mode: every few seconds while the page
//! is visible; after a failure it waits longer (up to [`MAX_BACKOFF_MS`])
//! and says when it tries again, with a "Retry now". With the in-browser
//! store it does nothing (the store's revision moves views on).

use std::cell::Cell;
use std::future::Future;
use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use prescan_core::analysis::{now_or_never, StoreError};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::AppStore;

/// The longest wait between two attempts after failures, in milliseconds.
pub const MAX_BACKOFF_MS: u32 = 10_000;

/// How long to wait before attempt `failures + 1` after `failures`
/// failures in a row: 2 s, 4 s, 8 s, then [`MAX_BACKOFF_MS`].
pub fn backoff_ms(failures: u32) -> u32 {
    if failures == 0 {
        return 0;
    }
    1000u32
        .saturating_mul(1 << failures.min(10))
        .min(MAX_BACKOFF_MS)
}

/// Whether an error means "nothing there" (shown as such) rather than a
/// failure to load (the last good value stays and the load is retried).
pub fn is_absence(error: &StoreError) -> bool {
    matches!(
        error,
        StoreError::AnalysisNotFound(_) | StoreError::SpecificationNotFound(_)
    )
}

/// Decrements the counter of loads in flight when a load ends (or is
/// dropped unfinished).
struct InFlight(Rc<Cell<u32>>);

impl InFlight {
    fn start(counter: &Rc<Cell<u32>>) -> InFlight {
        counter.set(counter.get() + 1);
        InFlight(counter.clone())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.set(self.0.get().saturating_sub(1));
    }
}

/// Data loaded from the store: the last good value, and the error of the
/// latest load if it failed.
pub struct Live<T: Send + Sync + 'static> {
    latest: RwSignal<Option<Result<T, StoreError>>>,
    again: RwSignal<u64>,
    in_flight: StoredValue<Rc<Cell<u32>>, LocalStorage>,
    /// The last value loaded (kept while reloading and when a reload
    /// fails; cleared when the thing is gone: not found).
    pub data: Memo<Option<T>>,
    /// The error of the latest load, if it failed.
    pub error: Memo<Option<StoreError>>,
}

impl<T: Send + Sync + 'static> Clone for Live<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T: Send + Sync + 'static> Copy for Live<T> {}

impl<T: Clone + PartialEq + Send + Sync + 'static> Live<T> {
    /// Loads with `fetch`, again whenever a signal it reads changes (read
    /// the signals in the closure, before the `async` block, to follow
    /// them) and whenever the store changes. A load that is ready at once
    /// (the in-browser store) is shown at once; a slower one when it ends,
    /// unless a newer load started meanwhile.
    pub fn new<Fut>(app: AppStore, fetch: impl Fn() -> Fut + 'static) -> Self
    where
        Fut: Future<Output = Result<T, StoreError>> + 'static,
    {
        let counter = Rc::new(Cell::new(0u32));
        let latest = RwSignal::new(None::<Result<T, StoreError>>);
        let again = RwSignal::new(0u64);
        let generation = Rc::new(Cell::new(0u64));
        let load = {
            let counter = counter.clone();
            move || {
                app.track();
                again.track();
                let fut = fetch();
                let mine = generation.get() + 1;
                generation.set(mine);
                let guard = InFlight::start(&counter);
                let mut fut = Box::pin(fut);
                match now_or_never(fut.as_mut()) {
                    Some(result) => {
                        drop(guard);
                        latest.try_set(Some(result));
                    }
                    None => {
                        let generation = generation.clone();
                        spawn_local(async move {
                            let result = fut.await;
                            drop(guard);
                            if generation.get() == mine {
                                latest.try_set(Some(result));
                            }
                        });
                    }
                }
            }
        };
        // Runs now (so that a ready answer is on the first render), then
        // whenever what it read changes; stops with the view.
        let effect = RenderEffect::new(move |_: Option<()>| load());
        StoredValue::new_local(effect);
        let data = Memo::new(move |previous: Option<&Option<T>>| {
            latest.with(|latest| match latest {
                Some(Ok(value)) => Some(value.clone()),
                Some(Err(e)) if is_absence(e) => None,
                _ => previous.cloned().flatten(),
            })
        });
        let error = Memo::new(move |_| {
            latest.with(|latest| match latest {
                Some(Err(e)) => Some(e.clone()),
                _ => None,
            })
        });
        Live {
            latest,
            again,
            in_flight: StoredValue::new_local(counter),
            data,
            error,
        }
    }
}

impl<T: Send + Sync + 'static> Live<T> {
    /// Loads again now.
    pub fn refetch(&self) {
        self.again.try_update(|n| *n += 1);
    }

    /// Whether a load is under way.
    pub fn loading(&self) -> bool {
        self.in_flight
            .try_with_value(|c| c.get() > 0)
            .unwrap_or(false)
    }

    /// Whether the latest load ended (successfully or not).
    pub fn settled(&self) -> bool {
        self.latest.with(Option::is_some)
    }

    /// Whether the latest load failed for another reason than absence
    /// (what [`Poll`] retries).
    pub fn failed_untracked(&self) -> bool {
        self.error
            .try_with_untracked(|e| e.as_ref().is_some_and(|e| !is_absence(e)))
            .unwrap_or(false)
    }
}

/// The refresh of a page in API mode.
#[derive(Clone, Copy)]
pub struct Poll {
    /// Seconds until the next attempt after a failure (None when the last
    /// load worked).
    pub retry_in: RwSignal<Option<u32>>,
    /// Failures in a row.
    pub failures: RwSignal<u32>,
    next_at: StoredValue<Option<f64>>,
    retry: StoredValue<Rc<dyn Fn()>, LocalStorage>,
}

/// Waits `ms` milliseconds.
pub(crate) async fn sleep(ms: u32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let _ =
                window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms as i32);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Whether the tab is visible (polls pause while it is hidden).
pub(crate) fn page_visible() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .map(|d| d.visibility_state() == web_sys::VisibilityState::Visible)
        .unwrap_or(true)
}

/// How often [`Poll`] looks at the clock, in milliseconds.
const POLL_TICK_MS: i32 = 250;

/// Runs `step` in [`POLL_TICK_MS`], then again, until `owner_signal` (a
/// signal of the view) is disposed.
fn schedule_tick(step: Rc<dyn Fn()>, owner_signal: RwSignal<Option<u32>>) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let next = Closure::once_into_js(move || {
        if owner_signal.is_disposed() {
            return;
        }
        step();
        schedule_tick(step, owner_signal);
    });
    let _ = window
        .set_timeout_with_callback_and_timeout_and_arguments_0(next.unchecked_ref(), POLL_TICK_MS);
}

impl Poll {
    /// Refreshes `lives` (one or more loads of the page; `refetch` loads
    /// them all again, `busy` says whether one is under way, `failed`
    /// whether the latest failed) every `period_ms` in API mode while
    /// the page is visible. The timer stops with the view.
    pub fn start(
        app: AppStore,
        period_ms: u32,
        refetch: impl Fn() + 'static,
        busy: impl Fn() -> bool + 'static,
        failed: impl Fn() -> bool + 'static,
    ) -> Poll {
        let refetch: Rc<dyn Fn()> = Rc::new(refetch);
        let poll = Poll {
            retry_in: RwSignal::new(None),
            failures: RwSignal::new(0),
            next_at: StoredValue::new(None),
            retry: StoredValue::new_local(refetch.clone()),
        };
        let step: Rc<dyn Fn()> = Rc::new(move || {
            if !app.is_api_untracked() {
                if poll.retry_in.get_untracked().is_some() {
                    poll.retry_in.set(None);
                }
                return;
            }
            if busy() || !page_visible() {
                return;
            }
            let now = js_sys::Date::now();
            match poll.next_at.get_value() {
                None => {
                    // A load just ended: plan the next one.
                    let wait = if failed() {
                        let failures = poll.failures.get_untracked() + 1;
                        poll.failures.set(failures);
                        backoff_ms(failures)
                    } else {
                        if poll.failures.get_untracked() != 0 {
                            poll.failures.set(0);
                        }
                        period_ms
                    };
                    poll.next_at.set_value(Some(now + f64::from(wait)));
                    poll.show_countdown(now, failed());
                }
                Some(at) if now >= at => {
                    poll.next_at.set_value(None);
                    refetch();
                }
                Some(_) => poll.show_countdown(now, failed()),
            }
        });
        // A chain of one-shot timers that ends when the view is gone (its
        // signals disposed): nothing is left to call into freed memory.
        schedule_tick(step, poll.retry_in);
        poll
    }

    fn show_countdown(&self, now: f64, failed: bool) {
        let shown = if failed {
            self.next_at
                .get_value()
                .map(|at| (((at - now) / 1000.0).ceil().max(0.0)) as u32)
        } else {
            None
        };
        if self.retry_in.get_untracked() != shown {
            self.retry_in.set(shown);
        }
    }

    /// Tries again at once.
    pub fn retry_now(&self) {
        self.next_at.set_value(None);
        self.retry_in.set(None);
        self.retry.with_value(|r| r());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_ten_seconds() {
        assert_eq!(backoff_ms(0), 0);
        assert_eq!(backoff_ms(1), 2000);
        assert_eq!(backoff_ms(2), 4000);
        assert_eq!(backoff_ms(3), 8000);
        assert_eq!(backoff_ms(4), MAX_BACKOFF_MS);
        assert_eq!(backoff_ms(40), MAX_BACKOFF_MS);
    }
}
