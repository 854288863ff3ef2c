//! The in-browser backend of [`AppStore`]: the core's `MemoryStore`, kept
//! in IndexedDB across reloads, moved on by the core's scan engine once a
//! second, and announcing status changes as notifications.
//!
//! Pages use [`AppStore`]'s async methods, which answer at once with this
//! backend; every change saves the state a moment later. Storage that
//! cannot be read is never overwritten: the person is told, can download
//! it, and decides to start fresh.

use std::cell::Cell;
use std::collections::HashMap;

use leptos::prelude::*;
use leptos::task::spawn_local;
use prescan_core::analysis::{
    Engine, EngineConfig, Event, MemoryStore, Notification, SavedState, SpecId, StoreState,
    StoredFile, StoredSpec,
};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::idb::{Db, Op};
use super::AppStore;

/// The IndexedDB database, its version and object stores: `state` holds
/// the store's state as JSON under [`STATE_KEY`], without the bytes of
/// specifications, which `specs` holds (a byte array under each
/// specification's id; version 2 added it, version 1 kept the bytes in
/// the state, base64); `spec_files` holds the other files of a
/// specification split over several files (under its id, an array of
/// name and byte array, name and byte array...; version 3 added it, and
/// the upgrade keeps the other stores and their data).
const DATABASE: &str = "prescan";
const DB_VERSION: u32 = 3;
const STATE_STORE: &str = "state";
const BYTES_STORE: &str = "specs";
const FILES_STORE: &str = "spec_files";
const STORES: &[&str] = &[STATE_STORE, BYTES_STORE, FILES_STORE];
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
    /// How many times the same notification came (merged into one).
    pub count: u32,
}

/// Adds `notification` to `all` (oldest first) as the app shows them: a
/// later outcome of the same event (the same analysis's prescan, or its
/// run) replaces the earlier one, and the same notification again is
/// merged into it (counted). The newest goes last.
pub fn merge_notification(all: &mut Vec<Shown>, id: u64, notification: Notification) {
    let key = notification.event_key();
    let mut count = 1;
    if let Some(i) = all.iter().position(|s| s.notification.event_key() == key) {
        let old = all.remove(i);
        let same = old.notification.kind == notification.kind
            && old.notification.detail == notification.detail
            && old.notification.simulated == notification.simulated;
        if same {
            count = old.count.saturating_add(1);
        }
    }
    all.push(Shown {
        id,
        notification,
        count,
    });
}

/// Milliseconds from the page's clock (for timings).
fn performance_now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or_else(js_sys::Date::now)
}

/// Whether to log how long each save takes: localStorage `prescan.debug`
/// contains `save` (set by tests/bench/save-state.mjs).
fn debug_saves() -> bool {
    web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .and_then(|s| s.get_item("prescan.debug").ok().flatten())
        .is_some_and(|v| v.contains("save"))
}

/// What identifies the bytes of a specification saved apart: its id, size
/// and upload time (a start afresh or an import may give an id again, to
/// another file).
type Mark = (usize, i64);

fn mark(spec: &StoredSpec) -> Mark {
    (spec.bytes.len(), spec.record.uploaded_ms)
}

/// The bytes of specifications saved in the `specs` object store.
#[derive(Debug, Default)]
pub(crate) struct SavedBytes {
    /// The specifications whose bytes are saved.
    marks: HashMap<SpecId, Mark>,
    /// Whether the next save empties the store first (after an import or a
    /// start afresh, which replace everything).
    clear: bool,
    /// How many times `clear` was asked for (a save that ends does not
    /// undo a request made after it began).
    resets: u64,
}

/// The key of a specification's bytes (and of its other files).
fn bytes_key(id: SpecId) -> String {
    id.0.to_string()
}

/// What saves the files of `spec`: its root's bytes in `specs`, and for a
/// specification split over several files the others in `spec_files`.
fn spec_ops(spec: &StoredSpec) -> Vec<Op> {
    let key = bytes_key(spec.record.id);
    let bytes = js_sys::Uint8Array::from(&spec.bytes[..]);
    let mut ops = vec![Op::Put(BYTES_STORE, key.clone(), bytes.into())];
    if !spec.others.is_empty() {
        let files = js_sys::Array::new();
        for file in &spec.others {
            files.push(&JsValue::from_str(&file.name));
            files.push(&js_sys::Uint8Array::from(&file.bytes[..]));
        }
        ops.push(Op::Put(FILES_STORE, key, files.into()));
    }
    ops
}

/// The other files saved in `spec_files` (pairs of name and bytes);
/// `None` if the value is not such a list.
fn read_other_files(value: JsValue) -> Option<Vec<StoredFile>> {
    let array = value.dyn_into::<js_sys::Array>().ok()?;
    let items: Vec<JsValue> = array.iter().collect();
    items
        .chunks(2)
        .map(|pair| match pair {
            [name, bytes] => Some(StoredFile {
                name: name.as_string()?,
                bytes: bytes.dyn_ref::<js_sys::Uint8Array>()?.to_vec(),
            }),
            _ => None,
        })
        .collect()
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

    /// Saves the state now, in one transaction: the bytes of
    /// specifications not saved yet, the state without bytes, and the
    /// removal of the bytes of specifications gone. (Engine ticks change
    /// the state every second while runs move; the bytes, large and
    /// unchanging, are written once.)
    fn save_now(&self) {
        let Some(db) = self.db.get_value() else {
            return;
        };
        let started = performance_now();
        let saved = self.saved_bytes.get_value();
        let resets = saved.borrow().resets;
        let (json, written, removed, ops) = self.read_untracked(|s| {
            let state = s.state();
            let saved = saved.borrow();
            let mut ops = Vec::new();
            if saved.clear {
                ops.push(Op::Clear(BYTES_STORE));
                ops.push(Op::Clear(FILES_STORE));
            }
            let mut written = Vec::new();
            for spec in &state.specifications {
                let id = spec.record.id;
                if saved.clear || saved.marks.get(&id) != Some(&mark(spec)) {
                    ops.extend(spec_ops(spec));
                    written.push((id, mark(spec)));
                }
            }
            let json = state.to_json_without_bytes();
            ops.push(Op::Put(
                STATE_STORE,
                STATE_KEY.to_owned(),
                JsValue::from_str(&json),
            ));
            let removed: Vec<SpecId> = saved
                .marks
                .keys()
                .filter(|id| state.specification(**id).is_err())
                .copied()
                .collect();
            if !saved.clear {
                ops.extend(removed.iter().flat_map(|id| {
                    [
                        Op::Delete(BYTES_STORE, bytes_key(*id)),
                        Op::Delete(FILES_STORE, bytes_key(*id)),
                    ]
                }));
            }
            (json, written, removed, ops)
        });
        let storage = self.storage;
        spawn_local(async move {
            let result = db.write(ops).await;
            if debug_saves() {
                leptos::logging::log!(
                    "prescan: state saved in {:.1} ms ({} characters of JSON, {} specification files written)",
                    performance_now() - started,
                    json.len(),
                    written.len()
                );
            }
            match result {
                Ok(()) => {
                    let mut saved = saved.borrow_mut();
                    if saved.resets != resets {
                        // Replaced again meanwhile: the next save writes
                        // everything.
                        saved.marks.clear();
                        return;
                    }
                    if saved.clear {
                        saved.clear = false;
                        saved.marks.clear();
                    }
                    for id in removed {
                        saved.marks.remove(&id);
                    }
                    saved.marks.extend(written);
                }
                Err(message) => storage.set(Storage::Unavailable(format!(
                    "Your analyses could not be saved in this browser ({message}). They stay until you close the tab; export them to keep them."
                ))),
            }
        });
    }

    pub(crate) fn load(&self) {
        let app = *self;
        spawn_local(async move {
            let db = match Db::open(DATABASE, DB_VERSION, STORES).await {
                Ok(db) => db,
                Err(message) => {
                    app.storage.set(Storage::Unavailable(format!(
                        "{message} Analyses you create stay until you close the tab; export them to keep them."
                    )));
                    return;
                }
            };
            let saved = db.get(STATE_STORE, STATE_KEY).await;
            let text = match saved {
                Ok(None) => {
                    app.db.set_value(Some(db));
                    app.storage.set(Storage::Ready);
                    return;
                }
                Ok(Some(value)) => value.as_string().unwrap_or_default(),
                Err(message) => {
                    app.db.set_value(Some(db));
                    app.storage.set(Storage::Unreadable {
                        message,
                        saved: String::new(),
                    });
                    return;
                }
            };
            let loaded = match StoreState::from_saved_json(&text) {
                Ok(saved) => read_bytes_apart(&db, saved).await,
                Err(error) => Err(error.to_string()),
            };
            app.db.set_value(Some(db));
            match loaded {
                Ok((state, marks)) => {
                    // A save of version 1 holds bytes inline: save them
                    // apart (bytes and the slim state in one transaction).
                    let inline = state.specifications.len() > marks.len();
                    app.saved_bytes
                        .with_value(|saved| saved.borrow_mut().marks = marks);
                    app.read_untracked(|s| s.with_state_mut(|current| *current = state));
                    app.storage.set(Storage::Ready);
                    app.revision.update(|r| *r += 1);
                    if inline {
                        app.schedule_save();
                    }
                }
                Err(message) => app.storage.set(Storage::Unreadable {
                    message,
                    saved: text,
                }),
            }
        });
    }

    /// The next save replaces every saved specification file (the state
    /// was replaced as a whole).
    fn resave_all_bytes(&self) {
        self.saved_bytes.with_value(|saved| {
            let mut saved = saved.borrow_mut();
            saved.clear = true;
            saved.resets += 1;
        });
    }

    /// Drops what could not be read and starts with an empty store (after
    /// the person chose to).
    pub fn start_fresh(&self) {
        self.read_untracked(|s| s.with_state_mut(|state| *state = StoreState::new()));
        self.resave_all_bytes();
        self.storage.set(Storage::Ready);
        self.local_changed();
    }

    /// Replaces the whole store with an export.
    pub fn import(&self, text: &str) -> Result<(), String> {
        let result = self
            .read_untracked(|s| s.import_json(text))
            .map_err(|e| e.to_string());
        if result.is_ok() {
            self.resave_all_bytes();
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
            // With a server as the backend, the analyses of this browser
            // are not on screen: the engine pauses (and catches up with the
            // clock when this browser is the backend again).
            if app.is_api_untracked() {
                return;
            }
            let events = app.read_untracked(|s| s.tick(&engine));
            if events.is_empty() {
                return;
            }
            for event in events {
                if let Event::Notification(notification) = event {
                    app.notify(notification);
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
            .update(|all| merge_notification(all, id, notification));
    }

    /// Removes a notification from the app's list.
    pub fn dismiss(&self, id: u64) {
        self.notifications.update(|all| all.retain(|n| n.id != id));
    }

    /// Removes every notification from the app's list.
    pub fn dismiss_all(&self) {
        self.notifications.update(Vec::clear);
    }
}

/// Puts back the bytes of the specifications saved apart; says which are
/// missing if some are (nothing is then overwritten).
async fn read_bytes_apart(
    db: &Db,
    saved: SavedState,
) -> Result<(StoreState, HashMap<SpecId, Mark>), String> {
    let SavedState {
        mut state,
        bytes_apart,
    } = saved;
    let mut marks = HashMap::new();
    let mut missing = Vec::new();
    for id in bytes_apart {
        let value = db.get(BYTES_STORE, &bytes_key(id)).await?;
        let Some(bytes) = value.and_then(|v| v.dyn_into::<js_sys::Uint8Array>().ok()) else {
            missing.push(id);
            continue;
        };
        let Some(spec) = state.specifications.iter_mut().find(|s| s.record.id == id) else {
            continue;
        };
        spec.bytes = bytes.to_vec();
        if spec.record.files.len() > 1 {
            let value = db.get(FILES_STORE, &bytes_key(id)).await?;
            match value.and_then(read_other_files) {
                Some(others) if others.len() + 1 == spec.record.files.len() => spec.others = others,
                _ => {
                    missing.push(id);
                    continue;
                }
            }
        }
        marks.insert(id, mark(spec));
    }
    if let Some(first) = missing.first() {
        let name = state
            .specification(*first)
            .map(|s| s.record.file_name.clone())
            .unwrap_or_default();
        return Err(format!(
            "The original file of {} ({name}{}) is missing from this browser's storage.",
            crate::format::count(
                missing.len(),
                "stored specification",
                "stored specifications"
            ),
            if missing.len() > 1 { ", ..." } else { "" }
        ));
    }
    Ok((state, marks))
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
    // One per analysis and event: a later outcome replaces the earlier.
    let (analysis, event) = notification.event_key();
    options.set_tag(&format!("prescan-{analysis}-{event}"));
    let _ = web_sys::Notification::new_with_options(notification.kind.subject(), &options);
}

#[cfg(test)]
mod tests {
    use super::*;
    use prescan_core::analysis::{AnalysisId, NotificationKind, Recipients};

    fn n(analysis: u64, kind: NotificationKind, detail: &str) -> Notification {
        Notification {
            kind,
            analysis_id: AnalysisId(analysis),
            analysis_name: format!("Analysis {analysis}"),
            at_ms: 0,
            recipients: Recipients::SecurityLeads,
            detail: detail.into(),
            simulated: false,
        }
    }

    #[test]
    fn a_later_outcome_replaces_the_earlier_and_repeats_are_counted() {
        let mut all = Vec::new();
        merge_notification(&mut all, 1, n(1, NotificationKind::PrescanFailed, "x"));
        merge_notification(&mut all, 2, n(1, NotificationKind::PrescanFailed, "x"));
        assert_eq!(all.len(), 1);
        assert_eq!((all[0].id, all[0].count), (2, 2));
        merge_notification(&mut all, 3, n(2, NotificationKind::ResultsPublished, ""));
        merge_notification(&mut all, 4, n(1, NotificationKind::PrescanSucceeded, ""));
        let kinds: Vec<_> = all.iter().map(|s| s.notification.kind).collect();
        assert_eq!(
            kinds,
            vec![
                NotificationKind::ResultsPublished,
                NotificationKind::PrescanSucceeded
            ],
            "the success replaced the failure and is the newest"
        );
        assert_eq!(all[1].count, 1);
        // A run's outcome is another event than its prescan.
        merge_notification(&mut all, 5, n(1, NotificationKind::AnalysisFailed, ""));
        assert_eq!(all.len(), 3);
    }
}
