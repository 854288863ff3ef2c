//! The [`Store`] interface the pages talk to, and [`MemoryStore`], its
//! in-memory implementation (the engine ticks it; the app persists it).

use super::*;

/// The interface the pages use: the in-browser [`MemoryStore`] and a later
/// JSON API client implement it. Methods are `async` so that a client can
/// fetch; [`MemoryStore`]'s futures are ready at once (see [`now_or_never`]).
/// The web app runs on one thread, so the futures need not be `Send`.
#[allow(async_fn_in_trait)]
pub trait Store {
    /// One page of analyses matching the query.
    async fn list(&self, query: &ListQuery) -> Result<Page<AnalysisSummary>, StoreError>;
    /// One analysis.
    async fn get(&self, id: AnalysisId) -> Result<Analysis, StoreError>;
    /// Creates an analysis (see [`StoreState::create`] for the checks).
    async fn create(&self, new: NewAnalysis) -> Result<Analysis, StoreError>;
    /// Changes an analysis (only where Configure is available).
    async fn update(&self, id: AnalysisId, change: AnalysisUpdate) -> Result<Analysis, StoreError>;
    /// Deletes an analysis that never ran.
    async fn delete(&self, id: AnalysisId) -> Result<(), StoreError>;
    /// Stops, pauses or resumes a run.
    async fn act(&self, id: AnalysisId, action: RunAction) -> Result<Analysis, StoreError>;
    /// The activity log of an analysis, oldest entry first.
    async fn activity(&self, id: AnalysisId) -> Result<Vec<ActivityEntry>, StoreError>;
    /// Stores a specification's original bytes.
    async fn put_specification(&self, upload: SpecUpload) -> Result<SpecRecord, StoreError>;
    /// Every stored specification, newest first.
    async fn specifications(&self) -> Result<Vec<SpecRecord>, StoreError>;
    /// The original bytes of a stored specification (of its root, for one
    /// split over several files).
    async fn specification_bytes(&self, id: SpecId) -> Result<Vec<u8>, StoreError>;
    /// Every file of a stored specification, the root first, as
    /// [`crate::convert_files`] takes them: every conversion of a stored
    /// specification uses them, so that its references resolve as in the
    /// first conversion.
    async fn specification_files(&self, id: SpecId) -> Result<Vec<crate::SourceFile>, StoreError>;
}

/// Runs a future that needs no waiting (such as [`MemoryStore`]'s) and
/// returns its output, or `None` if it would have to wait.
pub fn now_or_never<F: Future>(f: F) -> Option<F::Output> {
    let mut f = std::pin::pin!(f);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    match f.as_mut().poll(&mut cx) {
        std::task::Poll::Ready(v) => Some(v),
        std::task::Poll::Pending => None,
    }
}

/// The in-memory [`Store`]: a [`StoreState`], the user acting, and a clock.
/// The web app wraps it: load the state from IndexedDB or localStorage
/// with [`StoreState::from_json`], save [`MemoryStore::to_json`] after each
/// change, call [`MemoryStore::tick`] on a timer.
pub struct MemoryStore {
    state: RefCell<StoreState>,
    user: String,
    clock: Box<dyn Fn() -> i64>,
}

impl fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryStore")
            .field("user", &self.user)
            .field("analyses", &self.state.borrow().analyses.len())
            .finish()
    }
}

impl MemoryStore {
    /// An empty store acting as `user`, telling time with `clock`
    /// (milliseconds since the epoch; `js_sys::Date::now` in the browser,
    /// a fake in tests).
    pub fn new(user: impl Into<String>, clock: impl Fn() -> i64 + 'static) -> Self {
        Self::with_state(StoreState::new(), user, clock)
    }

    /// A store holding `state`.
    pub fn with_state(
        state: StoreState,
        user: impl Into<String>,
        clock: impl Fn() -> i64 + 'static,
    ) -> Self {
        MemoryStore {
            state: RefCell::new(state),
            user: user.into(),
            clock: Box::new(clock),
        }
    }

    /// The user acting.
    pub fn user(&self) -> &str {
        &self.user
    }

    /// The clock's time.
    pub fn now_ms(&self) -> i64 {
        (self.clock)()
    }

    /// Reads the state (do not call the store's other methods while the
    /// returned guard lives).
    pub fn state(&self) -> Ref<'_, StoreState> {
        self.state.borrow()
    }

    /// Changes the state directly (demo data, tests).
    pub fn with_state_mut<R>(&self, f: impl FnOnce(&mut StoreState) -> R) -> R {
        f(&mut self.state.borrow_mut())
    }

    /// Moves runs on to the clock's time (see [`Engine::tick`]).
    pub fn tick(&self, engine: &Engine) -> Vec<Event> {
        let now = self.now_ms();
        engine.tick(&mut self.state.borrow_mut(), now)
    }

    /// The state as compact JSON, for persistence.
    pub fn to_json(&self) -> String {
        self.state.borrow().to_json()
    }

    /// The state as compact JSON without the specifications' bytes (see
    /// [`StoreState::to_json_without_bytes`]).
    pub fn to_json_without_bytes(&self) -> String {
        self.state.borrow().to_json_without_bytes()
    }

    /// A download of the whole store (see [`StoreState::export_json`]).
    pub fn export_json(&self, include_credentials: bool) -> String {
        self.state.borrow().export_json(include_credentials)
    }

    /// Replaces the whole store with an export; on error the store is
    /// unchanged.
    pub fn import_json(&self, text: &str) -> Result<(), ImportError> {
        let state = StoreState::from_json(text)?;
        *self.state.borrow_mut() = state;
        Ok(())
    }

    /// Adds the demo analyses (replacing earlier demo data); returns their
    /// ids.
    pub fn add_demo(&self) -> Vec<AnalysisId> {
        let now = self.now_ms();
        crate::analysis::demo::add_demo(&mut self.state.borrow_mut(), &self.user, now)
    }

    /// Removes the demo analyses; returns how many.
    pub fn remove_demo(&self) -> usize {
        self.state.borrow_mut().remove_demo()
    }
}

impl Store for MemoryStore {
    async fn list(&self, query: &ListQuery) -> Result<Page<AnalysisSummary>, StoreError> {
        Ok(self.state.borrow().list(query))
    }

    async fn get(&self, id: AnalysisId) -> Result<Analysis, StoreError> {
        self.state
            .borrow()
            .analysis(id)
            .cloned()
            .ok_or(StoreError::AnalysisNotFound(id))
    }

    async fn create(&self, new: NewAnalysis) -> Result<Analysis, StoreError> {
        let now = self.now_ms();
        self.state
            .borrow_mut()
            .create(new, &self.user, now)
            .cloned()
    }

    async fn update(&self, id: AnalysisId, change: AnalysisUpdate) -> Result<Analysis, StoreError> {
        let now = self.now_ms();
        self.state
            .borrow_mut()
            .update(id, change, &self.user, now)
            .cloned()
    }

    async fn delete(&self, id: AnalysisId) -> Result<(), StoreError> {
        self.state.borrow_mut().delete(id)
    }

    async fn act(&self, id: AnalysisId, action: RunAction) -> Result<Analysis, StoreError> {
        let now = self.now_ms();
        self.state
            .borrow_mut()
            .act(id, action, &self.user, now)
            .map(|(a, _)| a.clone())
    }

    async fn activity(&self, id: AnalysisId) -> Result<Vec<ActivityEntry>, StoreError> {
        self.state.borrow().activity(id).map(<[_]>::to_vec)
    }

    async fn put_specification(&self, upload: SpecUpload) -> Result<SpecRecord, StoreError> {
        let now = self.now_ms();
        Ok(self
            .state
            .borrow_mut()
            .put_specification(upload, &self.user, now))
    }

    async fn specifications(&self) -> Result<Vec<SpecRecord>, StoreError> {
        let mut v: Vec<SpecRecord> = self
            .state
            .borrow()
            .specifications
            .iter()
            .map(|s| s.record.clone())
            .collect();
        v.sort_by(|a, b| b.uploaded_ms.cmp(&a.uploaded_ms).then(b.id.cmp(&a.id)));
        Ok(v)
    }

    async fn specification_bytes(&self, id: SpecId) -> Result<Vec<u8>, StoreError> {
        self.state
            .borrow()
            .specification(id)
            .map(|s| s.bytes.clone())
    }

    async fn specification_files(&self, id: SpecId) -> Result<Vec<crate::SourceFile>, StoreError> {
        self.state
            .borrow()
            .specification(id)
            .map(StoredSpec::source_files)
    }
}
