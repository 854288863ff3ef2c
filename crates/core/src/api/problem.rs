//! Problem details (RFC 9457), the body of every error response
//! (`application/problem+json`).

use std::fmt;

use serde::{Deserialize, Serialize};

use super::codes::option_code;
use crate::analysis::{
    AnalysisAction, AnalysisId, AnalysisStatus, Field, FieldError, Refusal, SpecId, StoreError,
};

/// The media type of a [`Problem`].
pub const PROBLEM_CONTENT_TYPE: &str = "application/problem+json";

/// The prefix of our problem types (`urn:prescan:problem:<slug>`).
pub const PROBLEM_TYPE_BASE: &str = "urn:prescan:problem:";

/// One problem with one field of a request body or one query parameter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProblemField {
    /// `name`, `scans`, `certification`, `schedule`, or a parameter's or
    /// body field's name.
    pub field: String,
    /// What is wrong and what to do.
    pub message: String,
}

impl ProblemField {
    /// A problem with `field`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        ProblemField {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// The wire name of a form field.
pub fn field_name(f: Field) -> &'static str {
    match f {
        Field::Name => "name",
        Field::Scans => "scans",
        Field::Certification => "certification",
        Field::Schedule => "schedule",
    }
}

/// The form field with this wire name.
pub fn field_from_name(name: &str) -> Option<Field> {
    [
        Field::Name,
        Field::Scans,
        Field::Certification,
        Field::Schedule,
    ]
    .into_iter()
    .find(|f| field_name(*f) == name)
}

impl From<&FieldError> for ProblemField {
    fn from(e: &FieldError) -> Self {
        ProblemField::new(field_name(e.field), e.message.clone())
    }
}

/// An error response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// `urn:prescan:problem:<slug>` or `about:blank`.
    #[serde(rename = "type", default = "about_blank")]
    pub problem_type: String,
    /// A short summary of the kind of problem.
    #[serde(default)]
    pub title: String,
    /// The HTTP status code.
    #[serde(default)]
    pub status: u16,
    /// A sentence saying what is wrong and what to do.
    #[serde(default)]
    pub detail: String,
    /// The problems with fields (422 only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemField>,
    /// The refused action (409 refusals).
    #[serde(default, skip_serializing_if = "Option::is_none", with = "option_code")]
    pub action: Option<AnalysisAction>,
    /// The status the action was refused in (409 refusals).
    #[serde(default, skip_serializing_if = "Option::is_none", with = "option_code")]
    pub analysis_status: Option<AnalysisStatus>,
    /// The analysis not found (404).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub analysis_id: Option<AnalysisId>,
    /// The specification not found (404).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spec_id: Option<SpecId>,
}

fn about_blank() -> String {
    "about:blank".into()
}

impl Problem {
    /// A problem of type `urn:prescan:problem:<slug>`.
    pub fn new(
        status: u16,
        slug: &str,
        title: impl Into<String>,
        detail: impl Into<String>,
    ) -> Self {
        Problem {
            problem_type: format!("{PROBLEM_TYPE_BASE}{slug}"),
            title: title.into(),
            status,
            detail: detail.into(),
            errors: Vec::new(),
            action: None,
            analysis_status: None,
            analysis_id: None,
            spec_id: None,
        }
    }

    /// The slug of its type (`validation`), if it is one of ours.
    pub fn slug(&self) -> Option<&str> {
        self.problem_type.strip_prefix(PROBLEM_TYPE_BASE)
    }

    /// 400: malformed JSON, a body that does not fit the schema, or a bad
    /// query parameter (`field`: the parameter's name, listed in `errors`).
    pub fn bad_request(field: Option<&str>, detail: impl Into<String>) -> Self {
        let detail = detail.into();
        let mut p = Problem::new(400, "bad-request", "Bad request", detail.clone());
        if let Some(field) = field {
            p.errors.push(ProblemField::new(field, detail));
        }
        p
    }

    /// 401: no or a wrong bearer token.
    pub fn unauthorized() -> Self {
        Problem::new(
            401,
            "unauthorized",
            "Unauthorized",
            "This server needs a bearer token: send the header Authorization: Bearer <token> with the token the server was started with.",
        )
    }

    /// 403: the caller's roles do not allow the action; the detail names
    /// the roles that do.
    pub fn forbidden(refusal: crate::people::Refusal) -> Self {
        Problem::new(403, "forbidden", "Not allowed", refusal.to_string())
    }

    /// 404: nothing at this path.
    pub fn not_found(detail: impl Into<String>) -> Self {
        Problem::new(404, "not-found", "Not found", detail)
    }

    /// 405: the path exists, not with this method.
    pub fn method_not_allowed(method: &str) -> Self {
        Problem::new(
            405,
            "method-not-allowed",
            "Method not allowed",
            format!("{method} is not allowed on this path."),
        )
    }

    /// 409: the action conflicts with the current state.
    pub fn conflict(detail: impl Into<String>) -> Self {
        Problem::new(409, "conflict", "Conflict", detail)
    }

    /// 413: the body is larger than `limit` bytes.
    pub fn too_large(limit: usize) -> Self {
        Problem::new(
            413,
            "too-large",
            "Request too large",
            format!(
                "The request body is larger than the limit of {limit} bytes. Send a smaller one."
            ),
        )
    }

    /// 413: the files of one specification are more than `limit`
    /// ([`crate::MAX_SPEC_FILES`]).
    pub fn too_many_files(limit: usize) -> Self {
        Problem::new(
            413,
            "too-many-files",
            "Too many files",
            format!(
                "A specification may be split over at most {limit} files (the limit spec_files). Send fewer files."
            ),
        )
    }

    /// 413: the files of one specification together are larger than
    /// `limit` bytes ([`crate::Limits::input_bytes`], `--max-spec-bytes`).
    pub fn files_too_large(limit: usize) -> Self {
        Problem::new(
            413,
            "too-large",
            "Request too large",
            format!(
                "The files of the specification together are larger than the limit of {limit} bytes (max_spec_bytes). Send smaller files."
            ),
        )
    }

    /// 415: a content type the endpoint does not take.
    pub fn unsupported_media_type(found: &str, expected: &str) -> Self {
        let found = if found.is_empty() { "none" } else { found };
        Problem::new(
            415,
            "unsupported-media-type",
            "Unsupported media type",
            format!("The content type {found} is not accepted here. Send {expected}."),
        )
    }

    /// 422: the body is well formed but its values are not accepted.
    pub fn invalid(errors: Vec<ProblemField>) -> Self {
        let detail = errors
            .iter()
            .map(|e| e.message.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        let mut p = Problem::new(422, "validation", "Invalid request", detail);
        p.errors = errors;
        p
    }

    /// 500: the server failed.
    pub fn internal(detail: impl Into<String>) -> Self {
        Problem::new(500, "internal", "Internal server error", detail)
    }

    /// 409 with a refusal of the lifecycle.
    pub fn refused(r: &Refusal) -> Self {
        let mut p = Problem::new(409, "refused", "Action not available", r.reason.clone());
        p.action = Some(r.action);
        p.analysis_status = Some(r.status);
        p
    }

    /// The problem of a store error: not found → 404, invalid → 422 with the
    /// field errors, refused → 409, back end → 500.
    pub fn from_store_error(e: &StoreError) -> Self {
        match e {
            StoreError::AnalysisNotFound(id) => {
                let mut p = Problem::new(
                    404,
                    "analysis-not-found",
                    "Analysis not found",
                    e.to_string(),
                );
                p.analysis_id = Some(*id);
                p
            }
            StoreError::SpecificationNotFound(id) => {
                let mut p = Problem::new(
                    404,
                    "specification-not-found",
                    "Specification not found",
                    e.to_string(),
                );
                p.spec_id = Some(*id);
                p
            }
            StoreError::Invalid(errors) => {
                Problem::invalid(errors.iter().map(ProblemField::from).collect())
            }
            StoreError::Refused(r) => Problem::refused(r),
            StoreError::Backend(m) => Problem::internal(m.clone()),
        }
    }

    /// The store error a client reports for this problem: the reverse of
    /// [`Problem::from_store_error`] where the problem carries what is
    /// needed; otherwise [`StoreError::Backend`] with [`Problem`]'s text.
    pub fn to_store_error(&self) -> StoreError {
        if let Some(id) = self.analysis_id.filter(|_| self.status == 404) {
            return StoreError::AnalysisNotFound(id);
        }
        if let Some(id) = self.spec_id.filter(|_| self.status == 404) {
            return StoreError::SpecificationNotFound(id);
        }
        if let (409, Some(action), Some(status)) = (self.status, self.action, self.analysis_status)
        {
            return StoreError::Refused(Refusal {
                action,
                status,
                reason: self.detail.clone(),
            });
        }
        if self.status == 422 {
            let fields: Vec<FieldError> = self
                .errors
                .iter()
                .filter_map(|e| {
                    Some(FieldError {
                        field: field_from_name(&e.field)?,
                        message: e.message.clone(),
                    })
                })
                .collect();
            if !fields.is_empty() && fields.len() == self.errors.len() {
                return StoreError::Invalid(fields);
            }
        }
        StoreError::Backend(self.to_string())
    }
}

impl From<&StoreError> for Problem {
    fn from(e: &StoreError) -> Self {
        Problem::from_store_error(e)
    }
}

impl From<StoreError> for Problem {
    fn from(e: StoreError) -> Self {
        Problem::from_store_error(&e)
    }
}

/// What the app shows: the detail (or the title), then each field's
/// message not already in it; the status code when there is nothing else.
impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let main = if !self.detail.trim().is_empty() {
            self.detail.trim()
        } else if !self.title.trim().is_empty() {
            self.title.trim()
        } else {
            return write!(f, "The server answered with status {}.", self.status);
        };
        f.write_str(main)?;
        for e in &self.errors {
            if !main.contains(e.message.as_str()) {
                write!(f, " {}: {}", e.field, e.message)?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for Problem {}
