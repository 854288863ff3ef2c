//! The JSON API of prescan's reference server (`api/openapi.yaml`): the
//! request and response bodies as serde types, their conversions to and
//! from the core's types, problem details, the list query string, and the
//! paths, so that the server and the app's HTTP client spell each one once.
//!
//! Pure serde: no I/O, no async runtime, no browser code.
//!
//! On the wire: field names in snake_case; times RFC 3339 UTC strings (in
//! Rust, `i64` milliseconds since the epoch, as in the core); ids integers;
//! statuses, actions, event types and formats stable codes ([`WireCode`]).
//! Request bodies reject unknown fields (see [`dto`]).
//!
//! Depends on everything below it; nothing else in the core depends on it.

pub mod codes;
mod convert;
pub use convert::scope_into_core;
pub mod dto;
mod problem;
mod query;

#[cfg(test)]
mod openapi_tests;
#[cfg(test)]
mod tests;

pub use crate::prescan::{redact_json, redact_report, secrets, REDACTED};
pub use codes::WireCode;
pub use dto::*;
pub use problem::{
    field_from_name, field_name, Problem, ProblemField, PROBLEM_CONTENT_TYPE, PROBLEM_TYPE_BASE,
};
pub use query::{
    list_query_string, parse_list_query, percent_decode, percent_encode, sort_name, QueryError,
    DEFAULT_PAGE_SIZE, MAX_PAGE,
};

use crate::analysis::{AnalysisId, ScanId, SpecId};

/// The contract as JSON: `public/api/openapi.json`, the same document as
/// `api/openapi.yaml` (a test keeps them identical). The server serves it at
/// `/api/v1/openapi.json`.
pub const OPENAPI_JSON: &str = include_str!("../../../../public/api/openapi.json");

/// The base path of every endpoint.
pub const BASE_PATH: &str = "/api/v1";

/// The largest JSON request body, in bytes (1 MiB).
pub const MAX_JSON_BODY_BYTES: usize = 1024 * 1024;

/// The default largest specification upload, in bytes (50 MiB).
pub const DEFAULT_MAX_SPEC_BYTES: usize = 50 * 1024 * 1024;

/// The route templates (base path included, `{name}` parameters as axum 0.8
/// and OpenAPI write them).
pub mod routes {
    /// `GET`.
    pub const HEALTH: &str = "/api/v1/health";
    /// `GET`: the contract.
    pub const OPENAPI: &str = "/api/v1/openapi.json";
    /// `GET` list, `POST` create.
    pub const ANALYSES: &str = "/api/v1/analyses";
    /// `GET`, `PATCH`, `DELETE`.
    pub const ANALYSIS: &str = "/api/v1/analyses/{analysis_id}";
    /// `POST` an action.
    pub const ANALYSIS_ACTIONS: &str = "/api/v1/analyses/{analysis_id}/actions";
    /// `GET` the activity log.
    pub const ANALYSIS_AUDITS: &str = "/api/v1/analyses/{analysis_id}/audits";
    /// `GET` list, `POST` upload (`?file_name=`, or several files as
    /// `multipart/form-data`).
    pub const SPECIFICATIONS: &str = "/api/v1/specifications";
    /// `GET` a record.
    pub const SPECIFICATION: &str = "/api/v1/specifications/{spec_id}";
    /// `GET` the original bytes (of the root file).
    pub const SPECIFICATION_ORIGINAL: &str = "/api/v1/specifications/{spec_id}/original";
    /// `GET` one of its files (`?name=`).
    pub const SPECIFICATION_FILE: &str = "/api/v1/specifications/{spec_id}/file";
    /// `GET` the converted HAR (`?server=`).
    pub const SPECIFICATION_HAR: &str = "/api/v1/specifications/{spec_id}/har";
    /// `POST` start, `GET` state.
    pub const SCAN_PRESCAN: &str = "/api/v1/scans/{scan_id}/prescan";
    /// `POST` cancel the running prescan (it stays readable).
    pub const SCAN_PRESCAN_CANCEL: &str = "/api/v1/scans/{scan_id}/prescan/cancel";
    /// `GET` the prescan as HAR.
    pub const SCAN_PRESCAN_HAR: &str = "/api/v1/scans/{scan_id}/prescan/har";
    /// `GET` the notifications after an id (`?after=&limit=`).
    pub const NOTIFICATIONS: &str = "/api/v1/notifications";
    /// `GET` who the caller is.
    pub const ME: &str = "/api/v1/me";
    /// `GET` everything as an export (security leads).
    pub const EXPORT: &str = "/api/v1/export";
    /// `POST` an export: its analyses are added (security leads;
    /// `?file_name=`).
    pub const IMPORT: &str = "/api/v1/import";
}

/// The most notifications `GET /notifications` returns at once (and its
/// default `limit`).
pub const MAX_NOTIFICATIONS: usize = 100;

/// `/api/v1/notifications?after={after}`: the notifications stored after
/// that id (0: all), oldest first, at most [`MAX_NOTIFICATIONS`].
pub fn notifications_path(after: u64) -> String {
    format!("{}?after={after}", routes::NOTIFICATIONS)
}

/// `/api/v1/me`.
pub fn me_path() -> String {
    routes::ME.to_string()
}

/// `/api/v1/export`.
pub fn export_path() -> String {
    routes::EXPORT.to_string()
}

/// `/api/v1/import`, with `?file_name=…` when a name is given.
pub fn import_path(file_name: Option<&str>) -> String {
    match file_name {
        Some(n) => format!("{}?file_name={}", routes::IMPORT, percent_encode(n)),
        None => routes::IMPORT.to_string(),
    }
}

/// `/api/v1/health`.
pub fn health_path() -> String {
    routes::HEALTH.to_string()
}

/// `/api/v1/openapi.json`.
pub fn openapi_path() -> String {
    routes::OPENAPI.to_string()
}

/// `/api/v1/analyses`.
pub fn analyses_path() -> String {
    routes::ANALYSES.to_string()
}

/// `/api/v1/analyses?…` for a list query ([`list_query_string`]).
pub fn analyses_list_path(q: &crate::analysis::ListQuery) -> String {
    format!("{}{}", routes::ANALYSES, list_query_string(q))
}

/// `/api/v1/analyses/{id}`.
pub fn analysis_path(id: AnalysisId) -> String {
    format!("{BASE_PATH}/analyses/{id}")
}

/// `/api/v1/analyses/{id}/actions`.
pub fn analysis_actions_path(id: AnalysisId) -> String {
    format!("{BASE_PATH}/analyses/{id}/actions")
}

/// `/api/v1/analyses/{id}/audits`.
pub fn analysis_audits_path(id: AnalysisId) -> String {
    format!("{BASE_PATH}/analyses/{id}/audits")
}

/// `/api/v1/specifications`.
pub fn specifications_path() -> String {
    routes::SPECIFICATIONS.to_string()
}

/// `/api/v1/specifications?file_name=…` (the upload).
pub fn specification_upload_path(file_name: &str) -> String {
    format!(
        "{}?file_name={}",
        routes::SPECIFICATIONS,
        percent_encode(file_name)
    )
}

/// `/api/v1/specifications/{id}`.
pub fn specification_path(id: SpecId) -> String {
    format!("{BASE_PATH}/specifications/{id}")
}

/// `/api/v1/specifications/{id}/original`.
pub fn specification_original_path(id: SpecId) -> String {
    format!("{BASE_PATH}/specifications/{id}/original")
}

/// `/api/v1/specifications/{id}/file?name=…`: one of its files.
pub fn specification_file_path(id: SpecId, name: &str) -> String {
    format!(
        "{BASE_PATH}/specifications/{id}/file?name={}",
        percent_encode(name)
    )
}

/// `/api/v1/specifications/{id}/har`, with `?server=…` when given.
pub fn specification_har_path(id: SpecId, server: Option<&str>) -> String {
    match server {
        Some(s) => format!(
            "{BASE_PATH}/specifications/{id}/har?server={}",
            percent_encode(s)
        ),
        None => format!("{BASE_PATH}/specifications/{id}/har"),
    }
}

/// `/api/v1/scans/{id}/prescan`.
pub fn scan_prescan_path(id: ScanId) -> String {
    format!("{BASE_PATH}/scans/{id}/prescan")
}

/// `/api/v1/scans/{id}/prescan/cancel`.
pub fn scan_prescan_cancel_path(id: ScanId) -> String {
    format!("{BASE_PATH}/scans/{id}/prescan/cancel")
}

/// `/api/v1/scans/{id}/prescan/har`.
pub fn scan_prescan_har_path(id: ScanId) -> String {
    format!("{BASE_PATH}/scans/{id}/prescan/har")
}
