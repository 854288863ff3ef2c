//! Listing analyses: the query (find by name, filter by status, sort,
//! page), its page of summaries, and the case-folded comparisons it uses.

use super::*;

/// The order of a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum SortKey {
    /// By name, ignoring case.
    #[default]
    Name,
    /// By status label.
    Status,
    /// By when the latest run was submitted (never-run analyses last).
    LastRun,
    /// By when the next run starts (unscheduled analyses last).
    NextRun,
}

/// What a list page asks for: find, filter, sort and page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListQuery {
    /// Text the name must contain, ignoring case; empty for all.
    #[serde(default)]
    pub find: String,
    /// Only this status ("In Progress" includes In Progress with the
    /// warning icon).
    #[serde(default)]
    pub status: Option<AnalysisStatus>,
    /// The order.
    #[serde(default)]
    pub sort: SortKey,
    /// Descending instead of ascending.
    #[serde(default)]
    pub descending: bool,
    /// The page, from 0.
    #[serde(default)]
    pub page: usize,
    /// Rows per page, 1 to [`MAX_PAGE_SIZE`] (clamped).
    #[serde(default = "default_size")]
    pub size: usize,
}

fn default_size() -> usize {
    20
}

impl Default for ListQuery {
    fn default() -> Self {
        ListQuery {
            find: String::new(),
            status: None,
            sort: SortKey::Name,
            descending: false,
            page: 0,
            size: default_size(),
        }
    }
}

/// One page of a list, shaped like the REST API's `page` object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page<T> {
    /// The rows of this page.
    pub items: Vec<T>,
    /// The page number, from 0.
    pub number: usize,
    /// The page size asked for (after clamping).
    pub size: usize,
    /// How many rows match in all.
    pub total_elements: usize,
    /// How many pages there are.
    pub total_pages: usize,
}

/// A row of the list of analyses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnalysisSummary {
    /// Its id.
    pub id: AnalysisId,
    /// Its name.
    pub name: String,
    /// Its status.
    pub status: AnalysisStatus,
    /// Whether In Progress shows the warning icon.
    pub has_verification_failures: bool,
    /// How many scans it has.
    pub scan_count: usize,
    /// When the latest run was submitted.
    pub last_run_ms: Option<i64>,
    /// When the next run starts.
    pub next_run_ms: Option<i64>,
    /// When it was last changed by a user.
    pub modified_ms: i64,
    /// Whether it is demo data.
    pub demo: bool,
    /// The actions available now.
    pub actions: Vec<AnalysisAction>,
}

impl AnalysisSummary {
    /// The summary of an analysis.
    pub fn of(a: &Analysis) -> Self {
        AnalysisSummary {
            id: a.id,
            name: a.name.clone(),
            status: a.status,
            has_verification_failures: a.has_verification_failures,
            scan_count: a.scans.len(),
            last_run_ms: a.last_run_ms(),
            next_run_ms: a.next_run_ms(),
            modified_ms: a.modified_ms,
            demo: a.demo,
            actions: AnalysisAction::ALL
                .into_iter()
                .filter(|x| a.check(*x).is_ok())
                .collect(),
        }
    }

    /// Whether its status was set by the simulated scan engine (as
    /// [`Analysis::status_is_simulated`], from what a summary holds: every
    /// status after a run was submitted, but Scheduled and Saved for Later).
    pub fn status_is_simulated(&self) -> bool {
        self.last_run_ms.is_some()
            && !matches!(
                self.status,
                AnalysisStatus::Scheduled | AnalysisStatus::SavedForLater
            )
    }

    /// The badge of its status (with the warning icon where it applies).
    pub fn badge(&self) -> Badge {
        let mut b: Badge = self.status.into();
        if self.status == AnalysisStatus::InProgress && self.has_verification_failures {
            b.icon = crate::analysis::status::StatusIcon::Warning;
            b.tone = crate::analysis::status::Tone::Warning;
            b.description = crate::analysis::status::IN_PROGRESS_WARNING_DESCRIPTION;
        }
        b
    }
}

/// Whether `hay` contains `needle` (already lowercased), ignoring case;
/// allocates nothing.
pub(super) fn contains_folded(hay: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return true;
    }
    if hay.is_ascii() && needle.is_ascii() {
        let (h, n) = (hay.as_bytes(), needle.as_bytes());
        return h.len() >= n.len() && h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n));
    }
    hay.char_indices().any(|(i, _)| {
        let mut folded = hay[i..].chars().flat_map(char::to_lowercase);
        needle.chars().all(|c| folded.next() == Some(c))
    })
}

/// Compares two names ignoring case; allocates nothing.
pub(super) fn cmp_folded(a: &str, b: &str) -> std::cmp::Ordering {
    if a.is_ascii() && b.is_ascii() {
        let a = a.bytes().map(|c| c.to_ascii_lowercase());
        return a.cmp(b.bytes().map(|c| c.to_ascii_lowercase()));
    }
    a.chars()
        .flat_map(char::to_lowercase)
        .cmp(b.chars().flat_map(char::to_lowercase))
}

/// Whether two names are the same ignoring case (`cmp_folded` is equal),
/// with a fast path for ASCII; allocates nothing.
pub(super) fn same_name(a: &str, b: &str) -> bool {
    if a.len() == b.len() && a.eq_ignore_ascii_case(b) {
        return true;
    }
    if a.is_ascii() && b.is_ascii() {
        return false;
    }
    cmp_folded(a, b).is_eq()
}

/// Appends `name` lowercased as [`cmp_folded`] compares it: comparing two
/// folded names byte by byte gives `cmp_folded`'s order (UTF-8 keeps the
/// order of code points).
pub(super) fn push_folded(out: &mut String, name: &str) {
    if name.is_ascii() {
        let start = out.len();
        out.push_str(name);
        out[start..].make_ascii_lowercase();
    } else {
        out.extend(name.chars().flat_map(char::to_lowercase));
    }
}

/// One match of [`StoreState::list`] with its sort keys.
pub(super) struct ListRow<'a> {
    a: &'a Analysis,
    /// Where its folded name is in the buffer of folded names.
    name: std::ops::Range<usize>,
    /// Its last or next run time (by the sort key), else `None`.
    time: Option<i64>,
    /// Its status label when sorting by status, else empty.
    label: &'static str,
}

impl StoreState {
    /// Finds, filters, sorts and pages the analyses.
    ///
    /// O(n) to find and filter; each match's sort keys (its name folded to
    /// lower case, its status label or run time) are computed once, then
    /// the page is selected without sorting every match: a selection
    /// brings the first `(page + 1) * size` matches to the front in O(m)
    /// and only the page's rows are sorted. The order is total (ties end
    /// on the id), so the page is the same as in a full sort. The
    /// allocations are one list of matches, one buffer of folded names
    /// and the page's rows.
    pub fn list(&self, q: &ListQuery) -> Page<AnalysisSummary> {
        self.list_where(q, |_| true)
    }

    /// [`StoreState::list`] over the analyses `visible` keeps only (a
    /// user's: the page, its count and its total are of those alone).
    pub fn list_where(
        &self,
        q: &ListQuery,
        visible: impl Fn(&Analysis) -> bool,
    ) -> Page<AnalysisSummary> {
        use std::cmp::Ordering;
        let needle: String = q.find.trim().chars().flat_map(char::to_lowercase).collect();
        let mut rows: Vec<ListRow<'_>> = self
            .analyses
            .iter()
            .filter(|a| visible(a))
            .filter(|a| q.status.is_none_or(|s| a.status == s))
            .filter(|a| contains_folded(&a.name, &needle))
            .map(|a| ListRow {
                a,
                name: 0..0,
                time: match q.sort {
                    SortKey::LastRun => a.last_run_ms(),
                    SortKey::NextRun => a.next_run_ms(),
                    SortKey::Name | SortKey::Status => None,
                },
                label: match q.sort {
                    SortKey::Status => a.status.label(),
                    _ => "",
                },
            })
            .collect();
        let mut folded = String::with_capacity(rows.iter().map(|r| r.a.name.len()).sum());
        for r in &mut rows {
            let start = folded.len();
            push_folded(&mut folded, &r.a.name);
            r.name = start..folded.len();
        }
        let folded = folded.as_str();
        // The order: the sort key (descending if asked; missing run times
        // last in both directions), then the name ignoring case, then the id.
        let cmp = |x: &ListRow<'_>, y: &ListRow<'_>| -> Ordering {
            let by_name = || folded[x.name.clone()].cmp(&folded[y.name.clone()]);
            let primary = match q.sort {
                SortKey::Name => Some(by_name()),
                SortKey::Status => Some(x.label.cmp(y.label)),
                SortKey::LastRun | SortKey::NextRun => match (x.time, y.time) {
                    (Some(s), Some(t)) => Some(s.cmp(&t)),
                    _ => None,
                },
            };
            let primary = match primary {
                Some(o) if q.descending => o.reverse(),
                Some(o) => o,
                // Missing times go last in both directions.
                None => x.time.is_none().cmp(&y.time.is_none()),
            };
            primary.then_with(by_name).then(x.a.id.cmp(&y.a.id))
        };
        let size = q.size.clamp(1, MAX_PAGE_SIZE);
        let total = rows.len();
        let start = q.page.saturating_mul(size).min(total);
        let end = start.saturating_add(size).min(total);
        if start < end {
            if end < total {
                rows.select_nth_unstable_by(end, cmp);
            }
            let front = &mut rows[..end];
            if start > 0 {
                front.select_nth_unstable_by(start, cmp);
            }
            front[start..].sort_unstable_by(cmp);
        }
        let items = rows[start..end]
            .iter()
            .map(|r| AnalysisSummary::of(r.a))
            .collect();
        Page {
            items,
            number: q.page,
            size,
            total_elements: total,
            total_pages: total.div_ceil(size),
        }
    }
}
