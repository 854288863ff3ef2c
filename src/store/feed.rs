//! Notifications from a JSON API server: one poller for the whole app
//! (`GET /api/v1/notifications?after=<id>`) that shows each new one with
//! [`AppStore::notify`], in the app and from the browser, as the in-browser
//! engine's are.
//!
//! The first time the app talks to a server it starts after the server's
//! latest notification (old ones are not news); where it got to is kept per
//! server in localStorage ([`cursor_key`]), so a reload shows nothing twice.
//! It asks every [`FEED_PERIOD_MS`] while the tab is visible, waits longer
//! after a failure ([`super::live::backoff_ms`]) and shows no banner of its
//! own: the pages already say when the server cannot be reached.

use leptos::prelude::*;
use leptos::task::spawn_local;
use prescan_core::api::{NotificationItem, NotificationList, MAX_NOTIFICATIONS};

use super::http::HttpError;
use super::live::{backoff_ms, page_visible, sleep};
use super::AppStore;

/// How often the server is asked, in milliseconds.
pub const FEED_PERIOD_MS: u32 = 5_000;
/// How long to wait when the server has no notifications endpoint (404).
const NO_FEED_MS: u32 = 60_000;
/// How often the poller looks at the clock and the backend.
const FEED_TICK_MS: u32 = 250;

/// The localStorage key of the last notification shown from the server at
/// `base_url`.
pub fn cursor_key(base_url: &str) -> String {
    format!("prescan.api.notifications.{base_url}")
}

/// What to show of an answer to `?after=<cursor>` and the cursor to keep.
/// With no cursor (the first time with this server) nothing is shown and
/// the feed starts after the server's latest notification; a server whose
/// latest is below the cursor was reset, so the feed starts over from its
/// latest.
pub fn advance(cursor: Option<u64>, list: &NotificationList) -> (Vec<&NotificationItem>, u64) {
    match cursor {
        None => (Vec::new(), list.latest_notification_id),
        Some(c) if list.latest_notification_id < c => (Vec::new(), list.latest_notification_id),
        Some(c) => {
            let mut new: Vec<&NotificationItem> = list
                .notifications
                .iter()
                .filter(|n| n.notification_id > c)
                .collect();
            new.sort_by_key(|n| n.notification_id);
            let next = new.last().map_or(c, |n| n.notification_id);
            (new, next)
        }
    }
}

fn local() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

fn load_cursor(base_url: &str) -> Option<u64> {
    local()?
        .get_item(&cursor_key(base_url))
        .ok()
        .flatten()?
        .trim()
        .parse()
        .ok()
}

fn save_cursor(base_url: &str, cursor: u64) {
    if let Some(storage) = local() {
        let _ = storage.set_item(&cursor_key(base_url), &cursor.to_string());
    }
}

impl AppStore {
    /// Starts the app's notification poller (it does nothing while the
    /// backend is this browser).
    pub(crate) fn start_notification_feed(&self) {
        let app = *self;
        spawn_local(async move {
            // The server and the last notification shown from it.
            let mut cursor: Option<(String, u64)> = None;
            let mut failures = 0u32;
            let mut next_at = 0.0f64;
            loop {
                sleep(FEED_TICK_MS).await;
                let Some(http) = app.http.try_get_value().flatten() else {
                    // This browser is the backend: start afresh when a
                    // server is chosen again.
                    cursor = None;
                    failures = 0;
                    next_at = 0.0;
                    continue;
                };
                let base = http.base_url().to_owned();
                if cursor.as_ref().is_some_and(|(b, _)| *b != base) {
                    cursor = None;
                    failures = 0;
                    next_at = 0.0;
                }
                let now = js_sys::Date::now();
                if now < next_at || !page_visible() {
                    continue;
                }
                let known = match &cursor {
                    Some((_, c)) => Some(*c),
                    None => load_cursor(&base),
                };
                let answer = http.notifications(known).await;
                // The backend may have changed while the request was out.
                if app
                    .http
                    .try_get_value()
                    .flatten()
                    .is_none_or(|h| h.base_url() != base)
                {
                    continue;
                }
                let now = js_sys::Date::now();
                match answer {
                    Ok(list) => {
                        failures = 0;
                        let (new, next) = advance(known, &list);
                        let more = known.is_some() && new.len() >= MAX_NOTIFICATIONS;
                        for item in new {
                            app.notify(item.to_core());
                        }
                        if known != Some(next) {
                            save_cursor(&base, next);
                        }
                        cursor = Some((base, next));
                        next_at = now + if more { 0.0 } else { f64::from(FEED_PERIOD_MS) };
                    }
                    Err(HttpError::Status { status: 404, .. }) => {
                        // A server without notifications.
                        next_at = now + f64::from(NO_FEED_MS);
                    }
                    Err(HttpError::Problem(p)) if p.status == 404 => {
                        next_at = now + f64::from(NO_FEED_MS);
                    }
                    Err(_) => {
                        failures += 1;
                        next_at = now + f64::from(backoff_ms(failures));
                    }
                }
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use prescan_core::analysis::{AnalysisId, NotificationKind};

    fn item(id: u64) -> NotificationItem {
        NotificationItem {
            notification_id: id,
            analysis_id: AnalysisId(1),
            analysis_name: "Nightly API".into(),
            kind: NotificationKind::ResultsPublished,
            subject: NotificationKind::ResultsPublished.subject().into(),
            message: String::new(),
            failure: false,
            detail: String::new(),
            schedule_owner: None,
            created_on: 0,
            simulated: false,
        }
    }

    fn list(ids: &[u64], latest: u64) -> NotificationList {
        NotificationList {
            notifications: ids.iter().copied().map(item).collect(),
            latest_notification_id: latest,
        }
    }

    fn ids(new: &[&NotificationItem]) -> Vec<u64> {
        new.iter().map(|n| n.notification_id).collect()
    }

    #[test]
    fn the_first_time_starts_after_the_latest() {
        let answer = list(&[1], 7);
        let (new, next) = advance(None, &answer);
        assert!(new.is_empty());
        assert_eq!(next, 7);
    }

    #[test]
    fn new_notifications_are_shown_in_order_once() {
        let answer = list(&[9, 8], 9);
        let (new, next) = advance(Some(7), &answer);
        assert_eq!(ids(&new), vec![8, 9]);
        assert_eq!(next, 9);
        let (new, next) = advance(Some(8), &answer);
        assert_eq!(ids(&new), vec![9]);
        assert_eq!(next, 9);
        let empty = list(&[], 9);
        let (new, next) = advance(Some(9), &empty);
        assert!(new.is_empty());
        assert_eq!(next, 9);
    }

    #[test]
    fn a_reset_server_starts_over() {
        let reset = list(&[1, 2], 2);
        let (new, next) = advance(Some(40), &reset);
        assert!(new.is_empty());
        assert_eq!(next, 2);
    }

    #[test]
    fn keys_are_per_server() {
        assert_eq!(
            cursor_key("http://127.0.0.1:8088"),
            "prescan.api.notifications.http://127.0.0.1:8088"
        );
    }
}
