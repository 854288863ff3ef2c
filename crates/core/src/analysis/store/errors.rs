//! What the store refuses: form fields in error, store errors, and why an
//! import cannot be read.

use super::*;

/// A field of the create or edit form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Field {
    /// The analysis name.
    Name,
    /// The scans.
    Scans,
    /// The "I have permission to scan" certification.
    Certification,
    /// The schedule.
    Schedule,
}

/// A problem with one field of a form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// The field.
    pub field: Field,
    /// What is wrong and what to do.
    pub message: String,
}

/// Why a store operation failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum StoreError {
    /// No analysis has this id.
    AnalysisNotFound(AnalysisId),
    /// No specification has this id.
    SpecificationNotFound(SpecId),
    /// The form has problems, one per field at most.
    Invalid(Vec<FieldError>),
    /// The action is not available in the analysis's status.
    Refused(Refusal),
    /// The back end failed (a later JSON API client, persistence).
    Backend(String),
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::AnalysisNotFound(id) => write!(f, "No analysis has the id {id}."),
            StoreError::SpecificationNotFound(id) => {
                write!(f, "No specification has the id {id}.")
            }
            StoreError::Invalid(errors) => {
                let messages: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
                f.write_str(&messages.join(" "))
            }
            StoreError::Refused(r) => r.fmt(f),
            StoreError::Backend(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for StoreError {}

/// Why an imported store was refused. The current store is left unchanged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportError {
    /// The text is not JSON.
    NotJson {
        /// The parser's message.
        message: String,
    },
    /// The JSON is not a prescan store (no `version` field).
    NotAStore,
    /// The store was written by another version.
    OtherVersion {
        /// The version found.
        found: String,
        /// The version this code reads.
        supported: u32,
    },
    /// The store is damaged: a field is missing or wrong, or records
    /// contradict each other.
    Corrupt {
        /// What is wrong, and where.
        message: String,
    },
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImportError::NotJson { message } => write!(f, "The file is not valid JSON: {message}. Nothing was imported."),
            ImportError::NotAStore => f.write_str("The file is not a prescan export: it has no \"version\" field. Nothing was imported."),
            ImportError::OtherVersion { found, supported } => write!(f, "The file was exported by another version of prescan (store version {found}; this version reads version {supported}). Nothing was imported."),
            ImportError::Corrupt { message } => write!(f, "The file is damaged: {message}. Nothing was imported."),
        }
    }
}

impl std::error::Error for ImportError {}
