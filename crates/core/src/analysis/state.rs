//! The state of the analyses as data: [`StoreState`] (analyses, their
//! activity, specifications and prescans) and what its JSON holds. Below
//! the engine, which moves it on, and the stores, which change and keep it;
//! it depends on the model only.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::activity::ActivityEntry;
use super::model::{Analysis, AnalysisId, ScanId, SpecRecord};

/// The version of [`StoreState`]'s JSON this code reads and writes.
pub const STORE_VERSION: u32 = 1;

/// The most specifications one analysis may scan.
pub const MAX_SCANS: usize = 250;

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
    /// The other files of a specification split over several files, in
    /// the order of [`SpecRecord::files`] after the root (absent for one
    /// file, and, like `bytes`, in a state saved without bytes).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub others: Vec<StoredFile>,
    /// Whether it belongs to the demo data.
    #[serde(default)]
    pub demo: bool,
}

/// One file of a specification besides its root: its name and bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredFile {
    /// Its name, as [`SpecRecord::files`] lists it.
    pub name: String,
    /// Its bytes, unchanged (base64 in JSON).
    #[serde(with = "base64_bytes")]
    pub bytes: Vec<u8>,
}

impl StoredSpec {
    /// Every file, the root first, as [`crate::convert_files`] takes them:
    /// converted, they resolve the references the first conversion did.
    pub fn source_files(&self) -> Vec<crate::SourceFile> {
        let root = crate::SourceFile {
            name: self.record.file_name.clone(),
            bytes: self.bytes.clone(),
        };
        std::iter::once(root)
            .chain(self.others.iter().map(|f| crate::SourceFile {
                name: f.name.clone(),
                bytes: f.bytes.clone(),
            }))
            .collect()
    }
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

/// Base64 for the original bytes of a specification in JSON.
pub(crate) mod base64_bytes {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&crate::encode::base64(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        decode(&text).ok_or_else(|| {
            serde::de::Error::custom("the bytes of a specification are not valid base64")
        })
    }

    /// Standard base64 with padding; `None` if it is not.
    pub fn decode(text: &str) -> Option<Vec<u8>> {
        let b = text.as_bytes();
        if !b.len().is_multiple_of(4) {
            return None;
        }
        let val = |c: u8| -> Option<u32> {
            Some(match c {
                b'A'..=b'Z' => c - b'A',
                b'a'..=b'z' => c - b'a' + 26,
                b'0'..=b'9' => c - b'0' + 52,
                b'+' => 62,
                b'/' => 63,
                _ => return None,
            } as u32)
        };
        let mut out = Vec::with_capacity(b.len() / 4 * 3);
        let chunks = b.len() / 4;
        for (i, q) in b.chunks(4).enumerate() {
            let pad = q.iter().rev().take_while(|c| **c == b'=').count();
            if pad > 2 || (pad > 0 && i + 1 != chunks) {
                return None;
            }
            let mut n = 0u32;
            for (j, c) in q.iter().enumerate() {
                n = (n << 6) | if j >= 4 - pad { 0 } else { val(*c)? };
            }
            out.push((n >> 16) as u8);
            if pad < 2 {
                out.push((n >> 8) as u8);
            }
            if pad < 1 {
                out.push(n as u8);
            }
        }
        Some(out)
    }
}
