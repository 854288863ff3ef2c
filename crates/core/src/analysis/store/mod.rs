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
pub use super::state::{StoreState, StoredFile, StoredSpec, MAX_SCANS, STORE_VERSION};
use super::status::{AnalysisStatus, Badge, ScanStatus};

mod act;
mod edit;
mod errors;
mod memory;
mod query;
mod snapshot;
mod transfer;

pub use act::RunAction;
pub use errors::{Field, FieldError, ImportError, StoreError};
pub use memory::{now_or_never, MemoryStore, Store};
pub use query::{AnalysisSummary, ListQuery, Page, SortKey};
pub use snapshot::SavedState;
pub use transfer::{AddImportError, ImportAdded};
// What the rooms share with each other (they see it through `super::*`).
use act::*;
use query::*;

/// The largest page [`ListQuery::size`] may ask for.
pub const MAX_PAGE_SIZE: usize = 100;

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
