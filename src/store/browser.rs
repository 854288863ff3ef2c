//! The in-browser backend of [`AppStore`]: the core's `MemoryStore`, kept
//! in IndexedDB across reloads, moved on by the core's scan engine once a
//! second, and announcing status changes as notifications.
//!
//! Pages use [`AppStore`]'s async methods, which answer at once with this
//! backend; every change saves the state a moment later. Storage that
//! cannot be read is never overwritten: the person is told, can download
//! it, and decides to start fresh.

use std::cell::Cell;

use leptos::prelude::*;
use leptos::task::spawn_local;
use prescan_core::analysis::{Engine, EngineConfig, Event, MemoryStore, Notification, StoreState};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::idb::Db;
use super::AppStore;

/// The IndexedDB database and object store, and the key of the state.
const DATABASE: &str = "prescan";
const STORES: &[&str] = &["state"];
const STATE_KEY: &str = "analyses";
/// The person the in-browser store acts as (there is no sign-in).
pub const LOCAL_USER: &str = "You (this browser)";
/// How often the scan engine moves runs on, in milliseconds.
const TICK_MS: i32 = 1000;
/// How long after a change the state is saved, in milliseconds.
const SAVE_DELAY_MS: i32 = 400;

/// Whether the saved analyses could be read.
#[derive(Debug, Clone, PartialEq)]
pub enum Storage {
    /// Still reading.
    Loading,
    /// Read (or nothing was saved yet); changes are saved.
    Ready,
    /// What was saved cannot be read: the message says why, `saved` is the
    /// text as it was. Nothing is saved until the person chooses.
    Unreadable { message: String, saved: String },
    /// The browser offers no storage (private browsing, say): the store
    /// works for this visit only.
    Unavailable(String),
}

thread_local! {
    /// The id of the last notification shown.
    static NEXT_SHOWN: Cell<u64> = const { Cell::new(0) };
}

/// A notification shown in the app.
#[derive(Debug, Clone, PartialEq)]
pub struct Shown {
    /// Unique within the visit.
    pub id: u64,
    /// The notification.
    pub notification: Notification,
}

pub(crate) fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

impl AppStore {
    /// Reads the in-browser store without following changes.
    pub fn read_untracked<R>(&self, f: impl FnOnce(&MemoryStore) -> R) -> R {
        let store = self.memory.get_value();
        f(&store)
    }

    /// Changes the in-browser store directly (demo data, import); views
    /// follow, and the state is saved shortly.
    pub fn write_local<R>(&self, f: impl FnOnce(&MemoryStore) -> R) -> R {
        let store = self.memory.get_value();
        let result = f(&store);
        self.local_changed();
        result
    }

    /// The in-browser store changed: save it, and views follow when it is
    /// the backend.
    pub(crate) fn local_changed(&self) {
        if !self.is_api_untracked() {
            self.bump();
        }
        self.schedule_save();
    }

    pub(crate) fn schedule_save(&self) {
        if self.storage.get_untracked() != Storage::Ready {
            return;
        }
        let pending = self.save_pending.get_value();
        if pending.replace(true) {
            return;
        }
        let app = *self;
        let save = Closure::once_into_js(move || {
            pending.set(false);
            app.save_now();
        });
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(
                save.unchecked_ref(),
                SAVE_DELAY_MS,
            );
        }
    }

    fn save_now(&self) {
        let Some(db) = self.db.get_value() else {
            return;
        };
        let json = self.read_untracked(|s| s.to_json());
        let storage = self.storage;
        spawn_local(async move {
            if let Err(message) = db
                .put(STORES[0], STATE_KEY, &JsValue::from_str(&json))
                .await
            {
                storage.set(Storage::Unavailable(format!(
                    "Your analyses could not be saved in this browser ({message}). They stay until you close the tab; export them to keep them."
                )));
            }
        });
    }

    pub(crate) fn load(&self) {
        let app = *self;
        spawn_local(async move {
            let db = match Db::open(DATABASE, STORES).await {
                Ok(db) => db,
                Err(message) => {
                    app.storage.set(Storage::Unavailable(format!(
                        "{message} Analyses you create stay until you close the tab; export them to keep them."
                    )));
                    return;
                }
            };
            let saved = db.get(STORES[0], STATE_KEY).await;
            app.db.set_value(Some(db));
            match saved {
                Ok(None) => app.storage.set(Storage::Ready),
                Ok(Some(value)) => {
                    let text = value.as_string().unwrap_or_default();
                    match StoreState::from_json(&text) {
                        Ok(state) => {
                            app.read_untracked(|s| s.with_state_mut(|current| *current = state));
                            app.storage.set(Storage::Ready);
                            app.revision.update(|r| *r += 1);
                        }
                        Err(error) => app.storage.set(Storage::Unreadable {
                            message: error.to_string(),
                            saved: text,
                        }),
                    }
                }
                Err(message) => app.storage.set(Storage::Unreadable {
                    message,
                    saved: String::new(),
                }),
            }
        });
    }

    /// Drops what could not be read and starts with an empty store (after
    /// the person chose to).
    pub fn start_fresh(&self) {
        self.read_untracked(|s| s.with_state_mut(|state| *state = StoreState::new()));
        self.storage.set(Storage::Ready);
        self.local_changed();
    }

    /// Replaces the whole store with an export.
    pub fn import(&self, text: &str) -> Result<(), String> {
        let result = self
            .read_untracked(|s| s.import_json(text))
            .map_err(|e| e.to_string());
        if result.is_ok() {
            if matches!(self.storage.get_untracked(), Storage::Unreadable { .. }) {
                self.storage.set(Storage::Ready);
            }
            self.local_changed();
        }
        result
    }

    pub(crate) fn start_engine(&self) {
        let app = *self;
        let engine = std::rc::Rc::new(Engine::new(EngineConfig::demo()));
        let tick = Closure::<dyn Fn()>::new(move || {
            if matches!(
                app.storage.get_untracked(),
                Storage::Loading | Storage::Unreadable { .. }
            ) {
                return;
            }
            let events = app.read_untracked(|s| s.tick(&engine));
            if events.is_empty() {
                return;
            }
            // With a server as the backend, the analyses of this browser
            // move on quietly (they are not on screen).
            if !app.is_api_untracked() {
                for event in events {
                    if let Event::Notification(notification) = event {
                        app.notify(notification);
                    }
                }
            }
            app.local_changed();
        });
        if let Some(window) = web_sys::window() {
            let _ = window.set_interval_with_callback_and_timeout_and_arguments_0(
                tick.as_ref().unchecked_ref(),
                TICK_MS,
            );
        }
        // The engine runs as long as the page.
        tick.forget();
    }

    /// Shows a notification: in the app's list, and from the browser when
    /// the user allowed it (the engine's, and a prescan's from its page).
    pub fn notify(&self, notification: Notification) {
        let id = NEXT_SHOWN.with(|next| {
            let id = next.get() + 1;
            next.set(id);
            id
        });
        show_in_browser(&notification);
        self.notifications
            .update(|all| all.push(Shown { id, notification }));
    }

    /// Removes a notification from the app's list.
    pub fn dismiss(&self, id: u64) {
        self.notifications.update(|all| all.retain(|n| n.id != id));
    }
}

pub use super::use_store;

/// Whether the browser shows notifications from this app (`granted`,
/// `denied` or `default` for not asked yet; `unsupported` without the API).
pub fn browser_notifications() -> String {
    let supported =
        js_sys::Reflect::has(&js_sys::global(), &"Notification".into()).unwrap_or(false);
    if !supported {
        return "unsupported".into();
    }
    match web_sys::Notification::permission() {
        web_sys::NotificationPermission::Granted => "granted".into(),
        web_sys::NotificationPermission::Denied => "denied".into(),
        _ => "default".into(),
    }
}

/// Asks the browser for permission to show notifications; `done` gets the
/// answer (as [`browser_notifications`] names it).
pub fn ask_for_browser_notifications(done: impl Fn(String) + 'static) {
    let Ok(promise) = web_sys::Notification::request_permission() else {
        done(browser_notifications());
        return;
    };
    spawn_local(async move {
        let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
        done(browser_notifications());
    });
}

fn show_in_browser(notification: &Notification) {
    if browser_notifications() != "granted" {
        return;
    }
    let options = web_sys::NotificationOptions::new();
    options.set_body(&notification.message());
    options.set_tag(&format!("prescan-{}", notification.analysis_id));
    let _ = web_sys::Notification::new_with_options(notification.kind.subject(), &options);
}
