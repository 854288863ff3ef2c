//! The query string of `GET /analyses` ↔ [`ListQuery`], and percent-encoding.

use std::fmt;

use super::codes::WireCode;
use crate::analysis::{AnalysisStatus, ListQuery, SortKey, MAX_PAGE_SIZE, NAME_MAX_CHARS};

/// The largest `page` accepted.
pub const MAX_PAGE: usize = 1_000_000;

/// The default `size`.
pub const DEFAULT_PAGE_SIZE: usize = 20;

/// A query parameter that cannot be used: a 400 problem naming it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryError {
    /// The parameter's name.
    pub parameter: String,
    /// What is wrong and what to do.
    pub message: String,
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for QueryError {}

impl From<QueryError> for super::Problem {
    fn from(e: QueryError) -> Self {
        super::Problem::bad_request(Some(&e.parameter), e.message)
    }
}

/// The wire name of a sort key (`name`, `status`, `last_run`, `next_run`).
pub fn sort_name(k: SortKey) -> &'static str {
    match k {
        SortKey::Name => "name",
        SortKey::Status => "status",
        SortKey::LastRun => "last_run",
        SortKey::NextRun => "next_run",
    }
}

const SORT_KEYS: [SortKey; 4] = [
    SortKey::Name,
    SortKey::Status,
    SortKey::LastRun,
    SortKey::NextRun,
];

pub use crate::encode::percent_encode;

/// Decodes a query component: `+` is a space, `%XX` a byte; the result must
/// be UTF-8. `None` for a bad escape or bytes that are not UTF-8.
pub fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes.get(i + 1..i + 3)?;
                if !hex.iter().all(u8::is_ascii_hexdigit) {
                    return None;
                }
                let hex = std::str::from_utf8(hex).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

/// The query string of `q` for `GET /analyses`: `?name=…&status=…&sort=…&
/// direction=…&page=…&size=…`, leaving out parameters at their defaults
/// (empty when all are). The size is clamped to 1..=100.
pub fn list_query_string(q: &ListQuery) -> String {
    let mut parts: Vec<String> = Vec::new();
    if !q.find.is_empty() {
        parts.push(format!("name={}", percent_encode(&q.find)));
    }
    if let Some(s) = q.status {
        parts.push(format!("status={}", s.code()));
    }
    if q.sort != SortKey::Name {
        parts.push(format!("sort={}", sort_name(q.sort)));
    }
    if q.descending {
        parts.push("direction=desc".into());
    }
    if q.page != 0 {
        parts.push(format!("page={}", q.page.min(MAX_PAGE)));
    }
    let size = q.size.clamp(1, MAX_PAGE_SIZE);
    if size != DEFAULT_PAGE_SIZE {
        parts.push(format!("size={size}"));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

fn bad(parameter: &str, message: impl Into<String>) -> QueryError {
    QueryError {
        parameter: parameter.into(),
        message: message.into(),
    }
}

fn number(
    parameter: &str,
    value: &str,
    range: std::ops::RangeInclusive<usize>,
) -> Result<usize, QueryError> {
    let n = if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        value.parse::<usize>().ok()
    } else {
        None
    };
    match n {
        Some(n) if range.contains(&n) => Ok(n),
        _ => Err(bad(
            parameter,
            format!(
                "The parameter {parameter} must be a whole number from {} to {}; it is \"{value}\".",
                range.start(),
                range.end()
            ),
        )),
    }
}

/// Reads the query string of `GET /analyses` (with or without the leading
/// `?`) into a [`ListQuery`]. Parameters: `name` (contains, ignoring case;
/// at most 256 characters), `status` (a status code), `sort` (`name`,
/// `status`, `last_run`, `next_run`), `direction` (`asc`, `desc`), `page`
/// (from 0), `size` (1 to 100, default 20). A value out of range or not
/// understood, or a parameter given twice, is an error naming the
/// parameter; unknown parameters are ignored.
pub fn parse_list_query(query: &str) -> Result<ListQuery, QueryError> {
    let query = query.strip_prefix('?').unwrap_or(query);
    let mut q = ListQuery::default();
    let mut seen: Vec<&str> = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (raw_key, raw_value) = pair.split_once('=').unwrap_or((pair, ""));
        let Some(key) = percent_decode(raw_key) else {
            continue;
        };
        let key: &str = match key.as_str() {
            "name" => "name",
            "status" => "status",
            "sort" => "sort",
            "direction" => "direction",
            "page" => "page",
            "size" => "size",
            _ => continue,
        };
        if seen.contains(&key) {
            return Err(bad(
                key,
                format!("The parameter {key} is given more than once. Give it once."),
            ));
        }
        seen.push(key);
        let value = percent_decode(raw_value).ok_or_else(|| {
            bad(
                key,
                format!("The parameter {key} is not well encoded (a bad %-escape, or not UTF-8)."),
            )
        })?;
        match key {
            "name" => {
                let n = value.chars().count();
                if n > NAME_MAX_CHARS {
                    return Err(bad(
                        key,
                        format!("The parameter name is at most {NAME_MAX_CHARS} characters; this one has {n}."),
                    ));
                }
                q.find = value;
            }
            "status" => {
                q.status = Some(AnalysisStatus::from_code(&value).ok_or_else(|| {
                    bad(
                        key,
                        format!(
                            "The parameter status must be a status code such as IN_PROGRESS; \"{value}\" is not one."
                        ),
                    )
                })?);
            }
            "sort" => {
                q.sort = SORT_KEYS
                    .into_iter()
                    .find(|k| sort_name(*k) == value)
                    .ok_or_else(|| {
                        bad(
                            key,
                            format!("The parameter sort must be name, status, last_run or next_run; it is \"{value}\"."),
                        )
                    })?;
            }
            "direction" => {
                q.descending = match value.as_str() {
                    "asc" => false,
                    "desc" => true,
                    _ => {
                        return Err(bad(
                            key,
                            format!(
                                "The parameter direction must be asc or desc; it is \"{value}\"."
                            ),
                        ))
                    }
                }
            }
            "page" => q.page = number(key, &value, 0..=MAX_PAGE)?,
            _ => q.size = number(key, &value, 1..=MAX_PAGE_SIZE)?,
        }
    }
    Ok(q)
}
