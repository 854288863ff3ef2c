//! The store of analyses: the [`Store`] trait the pages talk to, the pure
//! serializable [`StoreState`] that holds everything, and [`MemoryStore`],
//! the in-memory implementation the web app persists (IndexedDB or
//! localStorage) by saving [`StoreState::to_json_without_bytes`] (the
//! specifications' bytes kept apart) and loading it with
//! [`StoreState::from_saved_json`]; exports ([`StoreState::export_json`])
//! hold everything and are read with [`StoreState::from_json`].
//!
//! One room per concern: this file holds the state and its lookups;
//! `query` lists and pages it, `edit` creates and edits analyses,
//! `act` runs their actions and deletes them, keeps specifications and
//! prescans, `snapshot` writes and reads it as
//! JSON, `memory` is the [`Store`] trait and [`MemoryStore`], `errors` what
//! a change or an import can refuse.

use serde::{Deserialize, Serialize};
use std::cell::{Ref, RefCell};
use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::future::Future;

use super::activity::{ActivityEntry, ActivityKind, Actor};
use super::engine::{scan_active, Ctx, Engine};
use super::lifecycle::{AnalysisAction, Refusal};
use super::model::{
    Analysis, AnalysisId, AnalysisUpdate, NewAnalysis, Scan, ScanDraft, ScanId, ScanTarget, SpecId,
    SpecRecord, SpecUpload, Start, NAME_MAX_CHARS, NAME_MIN_CHARS,
};
use super::notify::{Event, Notification, NotificationKind, Recipients};
use super::status::{AnalysisStatus, Badge, ScanStatus};

mod act;
mod edit;
mod errors;
mod memory;
mod query;
mod snapshot;

pub use act::RunAction;
pub use errors::{Field, FieldError, ImportError, StoreError};
pub use memory::{now_or_never, MemoryStore, Store};
pub use query::{AnalysisSummary, ListQuery, Page, SortKey};
pub use snapshot::SavedState;
// What the rooms share with each other (they see it through `super::*`).
use act::*;
use query::*;
use snapshot::*;

/// The version of [`StoreState`]'s JSON this code reads and writes.
pub const STORE_VERSION: u32 = 1;

/// The most specifications one analysis may scan.
pub const MAX_SCANS: usize = 250;

/// The largest page [`ListQuery::size`] may ask for.
pub const MAX_PAGE_SIZE: usize = 100;

/// A stored specification: its record and original bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredSpec {
    /// What lists show.
    pub record: SpecRecord,
    /// The original file, unchanged (base64 in JSON). Absent in a state
    /// saved by [`StoreState::to_json_without_bytes`] (read as empty by
    /// [`StoreState::from_saved_json`]); [`StoreState::from_json`] refuses
    /// a specification without it.
    #[serde(with = "base64_bytes", default)]
    pub bytes: Vec<u8>,
    /// Whether it belongs to the demo data.
    #[serde(default)]
    pub demo: bool,
}

/// Everything a store holds, serializable as one JSON document with a
/// `version` field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoreState {
    /// [`STORE_VERSION`].
    pub version: u32,
    /// The next id to give (analyses, scans and specifications share one
    /// counter).
    pub next_id: u64,
    /// The analyses, by ascending id.
    pub analyses: Vec<Analysis>,
    /// The activity log of each analysis, oldest entry first.
    #[serde(default)]
    pub activity: BTreeMap<AnalysisId, Vec<ActivityEntry>>,
    /// The stored specification files.
    #[serde(default)]
    pub specifications: Vec<StoredSpec>,
    /// The last prescan of each scan (absent in older saves). Its plan
    /// holds the request headers sent, credentials included, so
    /// [`StoreState::export_json`] without credentials leaves it out.
    #[serde(default)]
    pub prescans: BTreeMap<ScanId, crate::prescan::PrescanReport>,
}

impl Default for StoreState {
    fn default() -> Self {
        StoreState {
            version: STORE_VERSION,
            next_id: 1,
            analyses: Vec::new(),
            activity: BTreeMap::new(),
            specifications: Vec::new(),
            prescans: BTreeMap::new(),
        }
    }
}

impl StoreState {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    pub(crate) fn take_id(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id = self.next_id.saturating_add(1);
        id
    }

    pub(super) fn index(&self, id: AnalysisId) -> Result<usize, StoreError> {
        self.analyses
            .binary_search_by_key(&id, |a| a.id)
            .map_err(|_| StoreError::AnalysisNotFound(id))
    }

    /// The analysis with this id.
    pub fn analysis(&self, id: AnalysisId) -> Option<&Analysis> {
        self.index(id).ok().map(|i| &self.analyses[i])
    }

    /// The analysis with this name (ignoring case).
    pub fn find_by_name(&self, name: &str) -> Option<&Analysis> {
        let name = name.trim();
        self.analyses.iter().find(|a| same_name(&a.name, name))
    }

    /// The activity log of an analysis, oldest entry first.
    pub fn activity(&self, id: AnalysisId) -> Result<&[ActivityEntry], StoreError> {
        self.index(id)?;
        Ok(self
            .activity
            .get(&id)
            .map(Vec::as_slice)
            .unwrap_or_default())
    }

    /// The last prescan of `scan`, if one was saved.
    pub fn last_prescan(&self, scan: ScanId) -> Option<&crate::prescan::PrescanReport> {
        self.prescans.get(&scan)
    }

    /// A stored specification.
    pub fn specification(&self, id: SpecId) -> Result<&StoredSpec, StoreError> {
        self.specifications
            .iter()
            .find(|s| s.record.id == id)
            .ok_or(StoreError::SpecificationNotFound(id))
    }
}

#[cfg(test)]
mod tests;
