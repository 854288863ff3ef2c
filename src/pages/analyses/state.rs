//! What the list of analyses shows, as the URL keeps it (find, filter,
//! sort, page), and the texts that describe the list (its count line and
//! the table's caption).

use prescan_core::analysis::{AnalysisStatus, ListQuery, Page, SortKey, MAX_PAGE_SIZE};

use crate::format::thousands;
use crate::route::Query;

/// What the list shows: the state kept in the URL.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListState {
    /// Text the name must contain (any case).
    pub find: String,
    /// Only this status.
    pub status: Option<AnalysisStatus>,
    /// The order.
    pub sort: SortKey,
    /// Descending.
    pub descending: bool,
    /// The page, from 0.
    pub page: usize,
}

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

impl ListState {
    /// The state a URL's query string holds (`q`, `status` as its label,
    /// `sort`, `dir=desc`, `page` from 1); what it cannot read is left at
    /// the default.
    pub fn from_query(query: &Query) -> Self {
        ListState {
            find: query.get("q").unwrap_or_default().to_owned(),
            status: query.get("status").and_then(AnalysisStatus::from_label),
            sort: query.get("sort").and_then(parse_sort).unwrap_or_default(),
            descending: query.get("dir") == Some("desc"),
            page: query
                .get("page")
                .and_then(|p| p.parse::<usize>().ok())
                .map_or(0, |p| p.saturating_sub(1)),
        }
    }

    /// The query string for this state (defaults left out).
    pub fn to_query(&self) -> Query {
        let mut pairs = vec![("q".to_owned(), self.find.clone())];
        if let Some(status) = self.status {
            pairs.push(("status".into(), status.label().into()));
        }
        if self.sort != SortKey::Name {
            pairs.push(("sort".into(), sort_param(self.sort).into()));
        }
        if self.descending {
            pairs.push(("dir".into(), "desc".into()));
        }
        if self.page > 0 {
            pairs.push(("page".into(), (self.page + 1).to_string()));
        }
        Query(pairs)
    }

    /// What to ask the store for.
    pub fn list_query(&self) -> ListQuery {
        ListQuery {
            find: self.find.trim().to_owned(),
            status: self.status,
            sort: self.sort,
            descending: self.descending,
            page: self.page,
            size: MAX_PAGE_SIZE,
        }
    }

    /// Whether a find text or a status filter narrows the list.
    pub fn is_filtered(&self) -> bool {
        !self.find.trim().is_empty() || self.status.is_some()
    }
}

/// The always-present count line: "12 of 1,024 analyses".
pub fn count_line(matching: usize, total: usize) -> String {
    let noun = if total == 1 { "analysis" } else { "analyses" };
    format!("{} of {} {noun}", thousands(matching), thousands(total))
}

/// The table's caption: what it shows and in which order.
pub fn caption(state: &ListState, page: &Page<impl Sized>) -> String {
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
