//! Where the app keeps Dynamic Analyses, behind one [`AppStore`] the pages
//! talk to: the in-browser store (the default; it needs no server) around
//! the core's `MemoryStore`, or a server implementing the JSON API
//! ([`http::HttpStore`]), as chosen on the Settings page
//! ([`settings::Backend`]).
//!
//! Every read and change is `async` and mirrors the core's `Store` trait;
//! a change that worked bumps the store's revision, which makes every view
//! load again ([`live::Live`]). With the in-browser store the futures are
//! ready at once.

pub mod browser;
pub mod feed;
pub mod http;
pub mod idb;
pub mod live;
pub mod people;
pub mod settings;

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use leptos::prelude::*;
use prescan_core::analysis::{
    ActivityEntry, Analysis, AnalysisId, AnalysisSummary, AnalysisUpdate, ListQuery, MemoryStore,
    NewAnalysis, Notification, Page, RunAction, ScanId, SpecId, SpecRecord, SpecUpload, Store,
    StoreError,
};
use prescan_core::prescan::PrescanReport;
use prescan_core::SourceFile;

pub use browser::{Shown, Storage};
use http::HttpStore;
use people::Whoami;
use settings::Backend;

/// The store, as the pages see it. Cheap to copy; provided at the root
/// ([`AppStore::provide`], [`use_store`]).
#[derive(Clone, Copy)]
pub struct AppStore {
    pub(crate) memory: StoredValue<Rc<MemoryStore>, LocalStorage>,
    pub(crate) db: StoredValue<Option<idb::Db>, LocalStorage>,
    pub(crate) save_pending: StoredValue<Rc<Cell<bool>>, LocalStorage>,
    /// The specification files saved apart in IndexedDB.
    pub(crate) saved_bytes: StoredValue<Rc<RefCell<browser::SavedBytes>>, LocalStorage>,
    /// Bumped on every change.
    pub(crate) revision: RwSignal<u64>,
    /// Whether the analyses saved in this browser could be read.
    pub storage: RwSignal<Storage>,
    /// Notifications of this visit, newest last.
    pub notifications: RwSignal<Vec<Shown>>,
    /// Where analyses are kept now.
    pub backend: RwSignal<Backend>,
    http: StoredValue<Option<Rc<HttpStore>>, LocalStorage>,
    /// Who the app acts as ([`people`]).
    pub whoami: RwSignal<Whoami>,
    /// Bumped to ask the server again who the caller is.
    pub(crate) whoami_again: RwSignal<u64>,
    /// Whether [`AppStore::start`] ran: the saved analyses read, the engine
    /// and the notification feed started.
    started: StoredValue<Rc<Cell<bool>>, LocalStorage>,
}

/// Facts about all analyses, for the list's count line and data tools.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Overview {
    /// How many analyses there are.
    pub total: usize,
    /// Whether some are demo data.
    pub has_demo: bool,
}

impl AppStore {
    /// Creates the store with the backend remembered in this browser and
    /// provides it to every view below. Nothing is read, ticked or polled
    /// until a page needs the store ([`use_store`] calls [`AppStore::start`]):
    /// a visit that only previews a specification opens no IndexedDB and
    /// polls no server.
    pub fn provide() -> AppStore {
        let backend = settings::load();
        let app = AppStore {
            memory: StoredValue::new_local(Rc::new(MemoryStore::new(
                browser::LOCAL_USER,
                browser::now_ms,
            ))),
            db: StoredValue::new_local(None),
            save_pending: StoredValue::new_local(Rc::new(Cell::new(false))),
            saved_bytes: StoredValue::new_local(Rc::new(RefCell::new(Default::default()))),
            revision: RwSignal::new(0),
            storage: RwSignal::new(Storage::Loading),
            notifications: RwSignal::new(Vec::new()),
            backend: RwSignal::new(Backend::Browser),
            http: StoredValue::new_local(None),
            whoami: RwSignal::new(Whoami::Browser),
            whoami_again: RwSignal::new(0),
            started: StoredValue::new_local(Rc::new(Cell::new(false))),
        };
        app.set_backend(backend);
        provide_context(app);
        app
    }

    /// Reads the analyses saved in this browser, starts the scan engine and
    /// the notification feed, once (later calls do nothing).
    pub fn start(&self) {
        let started = self.started.get_value();
        if started.replace(true) {
            return;
        }
        self.load();
        self.start_engine();
        self.start_notification_feed();
    }

    /// Starts the store and resolves once what was saved in this browser
    /// has been read (or found unreadable): a change made before would be
    /// replaced by what is read. Waits 10 s at most (IndexedDB can stay
    /// blocked by another tab); the change then goes on in memory.
    pub async fn started(&self) {
        self.start();
        for _ in 0..500 {
            if self.storage.get_untracked() != Storage::Loading {
                return;
            }
            live::sleep(20).await;
        }
    }

    /// Switches to `backend` (views load again from it; who the app acts
    /// as is asked again, see [`people`]).
    pub fn set_backend(&self, backend: Backend) {
        let again = self.whoami_again;
        let http = match &backend {
            Backend::Browser => None,
            Backend::Api(api) => Some(Rc::new(
                HttpStore::new(api.base_url.clone(), api.token.clone()).on_forbidden(move || {
                    again.try_update(|n| *n += 1);
                }),
            )),
        };
        self.http.set_value(http);
        let changed = self.backend.with_untracked(|b| *b != backend);
        if changed || self.whoami.with_untracked(|w| matches!(w, Whoami::Browser)) {
            self.whoami.set(if backend.is_api() {
                Whoami::Asking
            } else {
                Whoami::Browser
            });
        }
        self.backend.set(backend);
        self.bump();
    }

    /// Asks the server again who the caller is (the answer replaces the
    /// current one when it comes).
    pub fn ask_whoami(&self) {
        self.whoami_again.update(|n| *n += 1);
    }

    /// Makes the calling view or resource follow every change.
    pub fn track(&self) {
        self.revision.track();
        self.backend.track();
    }

    /// The revision, bumped on every change.
    pub fn revision(&self) -> u64 {
        self.revision.get()
    }

    /// Whether analyses are on a JSON API server (tracked).
    pub fn is_api(&self) -> bool {
        self.backend.with(Backend::is_api)
    }

    /// Whether analyses are on a JSON API server (not tracked).
    pub fn is_api_untracked(&self) -> bool {
        self.backend
            .try_with_untracked(Backend::is_api)
            .unwrap_or(false)
    }

    /// The in-browser store (used by the in-browser backend and its data
    /// tools whatever the backend).
    pub fn memory(&self) -> Rc<MemoryStore> {
        self.memory.get_value()
    }

    /// The API client, when the backend is the JSON API.
    pub fn http(&self) -> Option<Rc<HttpStore>> {
        self.http.get_value()
    }

    pub(crate) fn bump(&self) {
        self.revision.update(|r| *r += 1);
    }

    /// Records a change that worked: views load again; the in-browser
    /// state is saved shortly.
    fn changed(&self) {
        self.bump();
        if self.http.with_value(Option::is_none) {
            self.schedule_save();
        }
    }

    /// The result of a change: on success the views follow.
    fn after<T>(&self, result: Result<T, StoreError>) -> Result<T, StoreError> {
        if result.is_ok() {
            self.changed();
        }
        result
    }

    /// One page of analyses matching the query.
    pub async fn list(&self, query: ListQuery) -> Result<Page<AnalysisSummary>, StoreError> {
        match self.http() {
            Some(http) => http.list(&query).await,
            None => self.memory().list(&query).await,
        }
    }

    /// How many analyses there are, and whether some are demo data.
    pub async fn overview(&self) -> Result<Overview, StoreError> {
        match self.http() {
            Some(http) => http
                .list(&ListQuery {
                    size: 1,
                    ..ListQuery::default()
                })
                .await
                .map(|page| Overview {
                    total: page.total_elements,
                    has_demo: false,
                }),
            None => {
                let memory = self.memory();
                let state = memory.state();
                Ok(Overview {
                    total: state.analyses.len(),
                    has_demo: state.analyses.iter().any(|a| a.demo),
                })
            }
        }
    }

    /// One analysis.
    pub async fn get(&self, id: AnalysisId) -> Result<Analysis, StoreError> {
        match self.http() {
            Some(http) => http.get(id).await,
            None => self.memory().get(id).await,
        }
    }

    /// One analysis, and what the caller's roles do not let them see of
    /// it (nothing, in this browser).
    pub async fn get_shown(
        &self,
        id: AnalysisId,
    ) -> Result<(Analysis, Vec<prescan_core::api::Withheld>), StoreError> {
        match self.http() {
            Some(http) => http.get_shown(id).await,
            None => self.memory().get(id).await.map(|a| (a, Vec::new())),
        }
    }

    /// Creates an analysis.
    pub async fn create(&self, new: NewAnalysis) -> Result<Analysis, StoreError> {
        let result = match self.http() {
            Some(http) => http.create(new).await,
            None => self.memory().create(new).await,
        };
        self.after(result)
    }

    /// Changes an analysis.
    pub async fn update(
        &self,
        id: AnalysisId,
        change: AnalysisUpdate,
    ) -> Result<Analysis, StoreError> {
        let result = match self.http() {
            Some(http) => http.update(id, change).await,
            None => self.memory().update(id, change).await,
        };
        self.after(result)
    }

    /// Deletes an analysis that never ran.
    pub async fn delete(&self, id: AnalysisId) -> Result<(), StoreError> {
        let result = match self.http() {
            Some(http) => http.delete(id).await,
            None => self.memory().delete(id).await,
        };
        self.after(result)
    }

    /// Stops, pauses or resumes a run.
    pub async fn act(&self, id: AnalysisId, action: RunAction) -> Result<Analysis, StoreError> {
        let result = match self.http() {
            Some(http) => http.act(id, action).await,
            None => self.memory().act(id, action).await,
        };
        self.after(result)
    }

    /// The activity log of an analysis, oldest entry first.
    pub async fn activity(&self, id: AnalysisId) -> Result<Vec<ActivityEntry>, StoreError> {
        match self.http() {
            Some(http) => http.activity(id).await,
            None => self.memory().activity(id).await,
        }
    }

    /// Stores a specification's original bytes.
    pub async fn put_specification(&self, upload: SpecUpload) -> Result<SpecRecord, StoreError> {
        let result = match self.http() {
            Some(http) => http.put_specification(upload).await,
            None => self.memory().put_specification(upload).await,
        };
        self.after(result)
    }

    /// Stores a specification's original bytes, shared with `teams` on a
    /// server (in this browser there is one user: the teams do not apply).
    pub async fn put_specification_shared(
        &self,
        upload: SpecUpload,
        teams: &[String],
    ) -> Result<SpecRecord, StoreError> {
        let result = match self.http() {
            Some(http) => http.put_specification_shared(upload, teams).await,
            None => self.memory().put_specification(upload).await,
        };
        self.after(result)
    }

    /// Every stored specification, newest first.
    pub async fn specifications(&self) -> Result<Vec<SpecRecord>, StoreError> {
        match self.http() {
            Some(http) => http.specifications().await,
            None => self.memory().specifications().await,
        }
    }

    /// The original bytes of a stored specification (of its root file,
    /// for one split over several files).
    pub async fn specification_bytes(&self, id: SpecId) -> Result<Vec<u8>, StoreError> {
        match self.http() {
            Some(http) => http.specification_bytes(id).await,
            None => self.memory().specification_bytes(id).await,
        }
    }

    /// Every file of a stored specification, the root first: what every
    /// conversion of a stored specification takes, so that its references
    /// resolve as in the first conversion.
    pub async fn specification_files(&self, id: SpecId) -> Result<Vec<SourceFile>, StoreError> {
        match self.http() {
            Some(http) => http.specification_files(id).await,
            None => self.memory().specification_files(id).await,
        }
    }

    /// The bytes of one file of a stored specification, by its name as its
    /// record lists it.
    pub async fn specification_file(&self, id: SpecId, name: &str) -> Result<Vec<u8>, StoreError> {
        match self.http() {
            Some(http) => http.specification_file(id, name).await,
            None => self
                .memory()
                .specification_files(id)
                .await?
                .into_iter()
                .find(|f| f.name == name)
                .map(|f| f.bytes)
                .ok_or(StoreError::SpecificationNotFound(id)),
        }
    }

    /// The last prescan of a scan kept in this browser.
    pub fn last_prescan(&self, scan: ScanId) -> Option<PrescanReport> {
        self.memory().state().last_prescan(scan).cloned()
    }

    /// Keeps a prescan run from this browser as the last of its scan,
    /// records it in the activity log, and shows its notification. The
    /// credentials it was sent with (`sent_with`) are not kept.
    pub fn save_prescan(
        &self,
        analysis: AnalysisId,
        scan: ScanId,
        report: PrescanReport,
        sent_with: &prescan_core::ScanAuth,
        succeeded: bool,
        summary: &str,
    ) -> Result<(), StoreError> {
        let memory = self.memory();
        let user = memory.user().to_owned();
        let at = memory.now_ms();
        let recorded = memory.with_state_mut(|state| {
            state.save_prescan(scan, report, sent_with);
            state.record_prescan(analysis, succeeded, summary, &user, at)
        });
        self.changed();
        recorded.map(|notification: Notification| self.notify(notification))
    }
}

/// The store provided by [`AppStore::provide`], started: for the pages
/// that show or change analyses.
pub fn use_store() -> AppStore {
    let app = frame_store();
    app.start();
    app
}

/// The store provided by [`AppStore::provide`], as it is: for the frame
/// around every page (notifications, storage banner), which shows what the
/// store has once a page started it.
pub fn frame_store() -> AppStore {
    expect_context::<AppStore>()
}
