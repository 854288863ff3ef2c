//! Dynamic Analyses: analyses and their scans, statuses as Veracode's
//! documentation writes them, the lifecycle and its rules, the activity
//! log, notifications, the [`Store`] the pages talk to (with the in-memory
//! [`MemoryStore`]), a simulated scan engine and demo data.
//!
//! Pages stay thin: a badge comes from [`Analysis::badge`], an actions menu
//! from [`Analysis::actions`] (a disabled entry carries its reason), a list
//! from [`Store::list`], a status filter from [`AnalysisStatus::ALL`].
//!
//! Times are `i64` milliseconds since the Unix epoch, passed in by the
//! caller ([`MemoryStore`]'s clock, [`Engine::tick`]'s `now_ms`), so every
//! rule is deterministic and testable.
//!
//! Depends on `prescan`, `spec`, the options and `time`; never on `api`.

mod activity;
pub mod demo;
mod engine;
mod lifecycle;
mod model;
mod notify;
mod outcome;
mod state;
mod status;
mod store;
/// Timestamps (moved to the crate root, [`crate::time`], so that `prescan`
/// needs nothing of `analysis`; kept here under its old path).
pub use crate::time;

pub use activity::{ActivityEntry, ActivityKind, Actor};
pub use demo::add_demo;
pub use engine::{Engine, EngineConfig};
pub use lifecycle::{AnalysisAction, Refusal, EDITABLE, RUNNING};
pub use model::{
    Analysis, AnalysisId, AnalysisUpdate, NewAnalysis, PrescanOrigin, PrescanResult, Run, Scan,
    ScanDraft, ScanDuration, ScanId, ScanTarget, Schedule, SpecFileInfo, SpecId, SpecRecord,
    SpecScan, SpecUpload, Start, MAX_DURATION_HOURS, MAX_START_AHEAD_MS, NAME_MAX_CHARS,
    NAME_MIN_CHARS, START_GRACE_MS,
};
pub use notify::{Event, Notification, NotificationKind, Recipients};
pub use outcome::Outcome;
pub use status::{
    AnalysisStatus, Badge, ScanStatus, StatusIcon, StatusInfo, StatusOrigin, Tone,
    IN_PROGRESS_WARNING_API_NAME, IN_PROGRESS_WARNING_DESCRIPTION,
};
pub use store::{
    now_or_never, AddImportError, AnalysisSummary, Field, FieldError, ImportAdded, ImportError,
    ListQuery, MemoryStore, Page, RunAction, SavedState, SortKey, Store, StoreError, StoreState,
    StoredFile, StoredSpec, MAX_PAGE_SIZE, MAX_SCANS, STORE_VERSION,
};
