//! The files of a specification upload: one raw body with `?file_name=`,
//! or several `file` parts of a `multipart/form-data` body (a
//! specification split over several files). Read while streaming, within
//! the budgets of one specification: [`MAX_SPEC_FILES`] files and
//! `--max-spec-bytes` bytes together.
//!
//! A part's file name is hostile input: it is only a label its references
//! are resolved against, never a path on a disk, normalized as the core's
//! bundling does ([`file_label`]), refused when empty, too long, with
//! control characters or climbing above its folder, and unique.

use prescan_core::spec::{file_label, MAX_SPEC_FILES};
use prescan_core::SourceFile;

use super::extract::*;
use super::prelude::*;
use super::problem::*;

/// The form field each file of a multipart upload is sent in.
pub(super) const FILE_FIELD: &str = "file";

/// What a multipart body may hold besides the files' bytes (boundaries and
/// part headers), for the limit of the whole stream.
const MULTIPART_OVERHEAD: u64 = 1024 * 1024;

/// Whether `ct` is `multipart/form-data`.
pub(super) fn is_multipart(ct: &str) -> bool {
    media_type(ct) == "multipart/form-data"
}

/// Reads the `file` parts of a `multipart/form-data` body: 413 with more
/// than [`MAX_SPEC_FILES`] files or more than `max_bytes` bytes together
/// (checked while streaming), 422 for a part without a usable file name,
/// two parts of one name or a field other than `file`, 400 for a body that
/// is not multipart.
pub(super) async fn read_multipart(
    headers: &HeaderMap,
    ct: &str,
    body: Body,
    max_bytes: usize,
) -> Result<Vec<SourceFile>, ApiError> {
    let boundary = multer::parse_boundary(ct).map_err(|e| {
        ApiError::from(Problem::bad_request(
            None,
            format!("The multipart/form-data body has no usable boundary: {e}"),
        ))
    })?;
    let whole = max_bytes as u64 + MULTIPART_OVERHEAD;
    if content_length(headers).is_some_and(|len| len > whole) {
        return Err(Problem::files_too_large(max_bytes).into());
    }
    let constraints = multer::Constraints::new()
        .allowed_fields(vec![FILE_FIELD])
        .size_limit(
            multer::SizeLimit::new()
                .whole_stream(whole)
                .per_field(max_bytes as u64),
        );
    let mut parts =
        multer::Multipart::with_constraints(body.into_data_stream(), boundary, constraints);
    let mut files: Vec<SourceFile> = Vec::new();
    let mut total = 0usize;
    while let Some(mut part) = parts
        .next_field()
        .await
        .map_err(|e| multipart_error(e, max_bytes))?
    {
        if files.len() == MAX_SPEC_FILES {
            return Err(Problem::too_many_files(MAX_SPEC_FILES).into());
        }
        let name = part_label(part.file_name(), &files)?;
        let mut bytes = Vec::new();
        while let Some(chunk) = part
            .chunk()
            .await
            .map_err(|e| multipart_error(e, max_bytes))?
        {
            total += chunk.len();
            if total > max_bytes {
                return Err(Problem::files_too_large(max_bytes).into());
            }
            bytes.extend_from_slice(&chunk);
        }
        files.push(SourceFile { name, bytes });
    }
    if files.is_empty() {
        return Err(invalid_file(format!(
            "The multipart/form-data body has no `{FILE_FIELD}` part: send each file of the specification as a part named `{FILE_FIELD}` with its file name."
        )));
    }
    Ok(files)
}

/// The label of a part's file name, unique among `files` so far.
fn part_label(file_name: Option<&str>, files: &[SourceFile]) -> Result<String, ApiError> {
    let Some(raw) = file_name else {
        return Err(invalid_file(format!(
            "Each `{FILE_FIELD}` part needs a file name (Content-Disposition: form-data; name=\"{FILE_FIELD}\"; filename=\"openapi.yaml\"): references between the files are resolved against it."
        )));
    };
    let label = file_label(raw).map_err(invalid_file)?;
    if files.iter().any(|f| f.name == label) {
        return Err(invalid_file(format!(
            "Two files are named `{label}`: each file of a specification needs its own name."
        )));
    }
    Ok(label)
}

/// A 422 problem about the `file` parts.
fn invalid_file(message: String) -> ApiError {
    Problem::invalid(vec![ProblemField::new(FILE_FIELD, message)]).into()
}

/// The problem of a multipart error: 413 over a size limit, 422 for a
/// field other than `file`, 400 otherwise.
fn multipart_error(e: multer::Error, max_bytes: usize) -> ApiError {
    match e {
        multer::Error::FieldSizeExceeded { .. } | multer::Error::StreamSizeExceeded { .. } => {
            Problem::files_too_large(max_bytes).into()
        }
        multer::Error::UnknownField { .. } => invalid_file(format!(
            "A multipart upload holds only parts named `{FILE_FIELD}`, one per file."
        )),
        other => Problem::bad_request(
            None,
            format!("The multipart/form-data body could not be read: {other}"),
        )
        .into(),
    }
}

/// The `Content-Length` of a request, if it says one.
fn content_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
}
