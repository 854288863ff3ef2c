//! The list of analyses (the core's `ListQuery`) as the URL keeps it (find,
//! filter, sort, page), and the texts that describe the list (its count line and
//! the table's caption).

use prescan_core::analysis::{AnalysisStatus, ListQuery, Page, SortKey, MAX_PAGE_SIZE};

use crate::format::thousands;
use crate::route::Query;

/// The URL's name of a sort key.
pub fn sort_param(key: SortKey) -> &'static str {
    match key {
        SortKey::Name => "name",
        SortKey::Status => "status",
        SortKey::LastRun => "last",
        SortKey::NextRun => "next",
    }
}

/// The sort key a URL names.
pub fn parse_sort(text: &str) -> Option<SortKey> {
    [
        SortKey::Name,
        SortKey::Status,
        SortKey::LastRun,
        SortKey::NextRun,
    ]
    .into_iter()
    .find(|k| sort_param(*k) == text)
}

/// A column's name for people.
fn sort_label(key: SortKey) -> &'static str {
    match key {
        SortKey::Name => "name",
        SortKey::Status => "status",
        SortKey::LastRun => "last run",
        SortKey::NextRun => "next run",
    }
}

/// The list a URL's query string shows (`q`, `status` as its label, `sort`,
/// `dir=desc`, `page` from 1), a page of the largest size; what it cannot
/// read is left at the default. (The fragment keeps its own readable names:
/// links people shared stay valid. The JSON API's query string is
/// `prescan_core::api::list_query_string`.)
pub fn from_url(query: &Query) -> ListQuery {
    ListQuery {
        find: query.get("q").unwrap_or_default().to_owned(),
        status: query.get("status").and_then(AnalysisStatus::from_label),
        sort: query.get("sort").and_then(parse_sort).unwrap_or_default(),
        descending: query.get("dir") == Some("desc"),
        page: query
            .get("page")
            .and_then(|p| p.parse::<usize>().ok())
            .map_or(0, |p| p.saturating_sub(1)),
        size: MAX_PAGE_SIZE,
    }
}

/// The URL's query string for a list (defaults left out; the size is not
/// part of it).
pub fn to_url(list: &ListQuery) -> Query {
    let mut pairs = vec![("q".to_owned(), list.find.clone())];
    if let Some(status) = list.status {
        pairs.push(("status".into(), status.label().into()));
    }
    if list.sort != SortKey::Name {
        pairs.push(("sort".into(), sort_param(list.sort).into()));
    }
    if list.descending {
        pairs.push(("dir".into(), "desc".into()));
    }
    if list.page > 0 {
        pairs.push(("page".into(), (list.page + 1).to_string()));
    }
    Query(pairs)
}

/// The always-present count line: "12 of 1,024 analyses".
pub fn count_line(matching: usize, total: usize) -> String {
    let noun = if total == 1 { "analysis" } else { "analyses" };
    format!("{} of {} {noun}", thousands(matching), thousands(total))
}

/// The table's caption: what it shows and in which order.
pub fn caption(state: &ListQuery, page: &Page<impl Sized>) -> String {
    let mut text = String::from("Dynamic Analyses");
    if let Some(status) = state.status {
        text.push_str(&format!(" with the status {}", status.label()));
    }
    let find = state.find.trim();
    if !find.is_empty() {
        text.push_str(&format!(" whose name contains \u{201c}{find}\u{201d}"));
    }
    let order = match (state.sort, state.descending) {
        (SortKey::Name, false) => "A to Z",
        (SortKey::Name, true) => "Z to A",
        (SortKey::Status, false) => "A to Z",
        (SortKey::Status, true) => "Z to A",
        (_, false) => "oldest first",
        (_, true) => "newest first",
    };
    text.push_str(&format!(", sorted by {} ({order})", sort_label(state.sort)));
    if page.total_pages > 1 {
        text.push_str(&format!(
            ", page {} of {}",
            page.number + 1,
            page.total_pages
        ));
    }
    text
}
