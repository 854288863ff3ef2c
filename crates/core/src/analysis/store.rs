//! The store of analyses: the [`Store`] trait the pages talk to, the pure
//! serializable [`StoreState`] that holds everything, and [`MemoryStore`],
//! the in-memory implementation the web app persists (IndexedDB or
//! localStorage) by saving [`StoreState::to_json_without_bytes`] (the
//! specifications' bytes kept apart) and loading it with
//! [`StoreState::from_saved_json`]; exports ([`StoreState::export_json`])
//! hold everything and are read with [`StoreState::from_json`].

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
use super::status::{AnalysisStatus, Badge, ScanStatus};

/// The version of [`StoreState`]'s JSON this code reads and writes.
pub const STORE_VERSION: u32 = 1;

/// The most specifications one analysis may scan.
pub const MAX_SCANS: usize = 250;

/// The largest page [`ListQuery::size`] may ask for.
pub const MAX_PAGE_SIZE: usize = 100;

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
    /// Whether it belongs to the demo data.
    #[serde(default)]
    pub demo: bool,
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

/// A state read by [`StoreState::from_saved_json`].
#[derive(Debug, Clone, PartialEq)]
pub struct SavedState {
    /// The state. The specifications listed in `bytes_apart` have empty
    /// `bytes` until the caller puts back the bytes it kept apart.
    pub state: StoreState,
    /// The specifications whose bytes were saved apart (every one in a
    /// state written by [`StoreState::to_json_without_bytes`]; none in an
    /// older save, which holds them inline).
    pub bytes_apart: Vec<SpecId>,
}

/// A specification in [`StoreState::to_json_without_bytes`]: its record,
/// and a marker in place of the bytes.
#[derive(Serialize)]
struct SpecWithoutBytes<'a> {
    record: &'a SpecRecord,
    bytes_apart: bool,
    demo: bool,
}

/// [`StoreState`] as [`StoreState::to_json_without_bytes`] writes it.
#[derive(Serialize)]
struct StateWithoutBytes<'a> {
    version: u32,
    next_id: u64,
    analyses: &'a [Analysis],
    activity: &'a BTreeMap<AnalysisId, Vec<ActivityEntry>>,
    specifications: Vec<SpecWithoutBytes<'a>>,
    prescans: &'a BTreeMap<ScanId, crate::prescan::PrescanReport>,
}

/// What [`StoreState::from_json`] and [`StoreState::from_saved_json`]
/// look at in each specification to tell whether its bytes are there.
#[derive(Deserialize)]
struct SpecProbe {
    record: IdProbe,
    #[serde(default)]
    bytes: Option<serde::de::IgnoredAny>,
    #[serde(default)]
    bytes_apart: bool,
}

#[derive(Deserialize)]
struct IdProbe {
    id: u64,
}

/// The error of a specification without its bytes.
fn no_bytes(id: u64) -> ImportError {
    ImportError::Corrupt {
        message: format!(
            "the specification {id} has no bytes (its original file is missing from the file)"
        ),
    }
}

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

    /// The badge of its status (with the warning icon where it applies).
    pub fn badge(&self) -> Badge {
        let mut b: Badge = self.status.into();
        if self.status == AnalysisStatus::InProgress && self.has_verification_failures {
            b.icon = super::status::StatusIcon::Warning;
            b.tone = super::status::Tone::Warning;
            b.description = super::status::IN_PROGRESS_WARNING_DESCRIPTION;
        }
        b
    }
}

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

/// What a user can do to a running analysis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RunAction {
    /// Stop and save results.
    StopSave,
    /// Stop and delete results.
    StopDelete,
    /// Pause.
    Pause,
    /// Resume.
    Resume,
}

impl From<RunAction> for AnalysisAction {
    fn from(a: RunAction) -> Self {
        match a {
            RunAction::StopSave => AnalysisAction::StopSave,
            RunAction::StopDelete => AnalysisAction::StopDelete,
            RunAction::Pause => AnalysisAction::Pause,
            RunAction::Resume => AnalysisAction::Resume,
        }
    }
}

/// Whether `hay` contains `needle` (already lowercased), ignoring case;
/// allocates nothing.
fn contains_folded(hay: &str, needle: &str) -> bool {
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
fn cmp_folded(a: &str, b: &str) -> std::cmp::Ordering {
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
fn same_name(a: &str, b: &str) -> bool {
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
fn push_folded(out: &mut String, name: &str) {
    if name.is_ascii() {
        let start = out.len();
        out.push_str(name);
        out[start..].make_ascii_lowercase();
    } else {
        out.extend(name.chars().flat_map(char::to_lowercase));
    }
}

/// One match of [`StoreState::list`] with its sort keys.
struct ListRow<'a> {
    a: &'a Analysis,
    /// Where its folded name is in the buffer of folded names.
    name: std::ops::Range<usize>,
    /// Its last or next run time (by the sort key), else `None`.
    time: Option<i64>,
    /// Its status label when sorting by status, else empty.
    label: &'static str,
}

/// Checks a URL scan's URL: `http://` or `https://`, a host, no spaces.
/// Whether a URL scan's target is an absolute `http(s)` URL with a host: a
/// well-formed authority (a bracketed IPv6 address closed, a numeric port),
/// no white space or control characters.
fn valid_url(url: &str) -> bool {
    let Some(rest) = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
    else {
        return false;
    };
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let port_ok = |p: &str| p.is_empty() || (p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()));
    if let Some(v6) = host_port.strip_prefix('[') {
        let Some((inside, after)) = v6.split_once(']') else {
            return false;
        };
        let hex = |c: char| c.is_ascii_hexdigit() || c == ':' || c == '.';
        !inside.is_empty()
            && inside.chars().all(hex)
            && (after.is_empty() || after.strip_prefix(':').is_some_and(port_ok))
    } else {
        let (host, port) = host_port.split_once(':').unwrap_or((host_port, ""));
        !host.is_empty() && !host.contains(['[', ']', '\\']) && port_ok(port)
    }
}

fn invalid(field: Field, message: impl Into<String>) -> FieldError {
    FieldError {
        field,
        message: message.into(),
    }
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "On"
    } else {
        "Off"
    }
}

/// An origin for the activity log: `https://api.example.com`, or words
/// for a target without one.
fn origin_text(o: Option<&crate::prescan::Origin>) -> String {
    o.map_or_else(|| "no absolute server".to_owned(), ToString::to_string)
}

/// How a scan target is shown in the activity log (never a secret: a
/// password in a URL is masked).
fn target_text(t: &ScanTarget) -> String {
    match t {
        ScanTarget::Url(u) => super::model::without_password(u),
        ScanTarget::ApiSpecification(s) => match &s.server {
            Some(server) => format!("{} on {server}", s.file_name),
            None => s.file_name.clone(),
        },
    }
}

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

    fn index(&self, id: AnalysisId) -> Result<usize, StoreError> {
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
        use std::cmp::Ordering;
        let needle: String = q.find.trim().chars().flat_map(char::to_lowercase).collect();
        let mut rows: Vec<ListRow<'_>> = self
            .analyses
            .iter()
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

    /// The activity log of an analysis, oldest entry first.
    pub fn activity(&self, id: AnalysisId) -> Result<&[ActivityEntry], StoreError> {
        self.index(id)?;
        Ok(self
            .activity
            .get(&id)
            .map(Vec::as_slice)
            .unwrap_or_default())
    }

    fn check_name(&self, name: &str, except: Option<AnalysisId>, errors: &mut Vec<FieldError>) {
        let n = name.chars().count();
        if !(NAME_MIN_CHARS..=NAME_MAX_CHARS).contains(&n) {
            errors.push(invalid(
                Field::Name,
                format!("Enter a name of {NAME_MIN_CHARS} to {NAME_MAX_CHARS} characters (this one has {n})."),
            ));
        } else if self
            .analyses
            .iter()
            .any(|a| Some(a.id) != except && same_name(&a.name, name))
        {
            errors.push(invalid(
                Field::Name,
                format!("An analysis called \"{name}\" already exists. Choose another name."),
            ));
        }
    }

    fn check_scans(&self, drafts: &[ScanDraft], existing: &[Scan], errors: &mut Vec<FieldError>) {
        if drafts.is_empty() {
            errors.push(invalid(
                Field::Scans,
                "Add at least one API specification or URL to scan.",
            ));
            return;
        }
        if drafts.len() > MAX_SCANS {
            errors.push(invalid(
                Field::Scans,
                format!(
                    "An analysis can have at most {MAX_SCANS} scans; this one has {}.",
                    drafts.len()
                ),
            ));
            return;
        }
        let mut seen = HashSet::new();
        for d in drafts {
            if let Some(id) = d.id {
                if !seen.insert(id) || !existing.iter().any(|s| s.id == id) {
                    errors.push(invalid(
                        Field::Scans,
                        format!("Scan {id} is not a scan of this analysis."),
                    ));
                    return;
                }
            }
            match &d.target {
                ScanTarget::Url(url) if !valid_url(url) => {
                    errors.push(invalid(Field::Scans, format!("\"{url}\" is not a web address. Enter a URL that starts with https:// or http://.")));
                    return;
                }
                ScanTarget::ApiSpecification(s)
                    if !self.specifications.iter().any(|x| x.record.id == s.spec_id) =>
                {
                    errors.push(invalid(
                        Field::Scans,
                        format!(
                            "The specification {} is not stored. Upload it again.",
                            s.file_name
                        ),
                    ));
                    return;
                }
                _ => {}
            }
        }
    }

    /// Creates an analysis as `user` at `now_ms`. Checks: a unique name of
    /// 6 to 256 characters (trimmed), at least one scan (URLs well formed,
    /// specifications stored), the certification, a sane schedule. Then
    /// submits it (start now), schedules it, or saves it for later.
    pub fn create(
        &mut self,
        new: NewAnalysis,
        user: &str,
        now_ms: i64,
    ) -> Result<&Analysis, StoreError> {
        let name = new.name.trim().to_string();
        let mut errors = Vec::new();
        self.check_name(&name, None, &mut errors);
        self.check_scans(&new.scans, &[], &mut errors);
        if !new.permission_certified {
            errors.push(invalid(
                Field::Certification,
                "Certify that you have permission to scan these targets.",
            ));
        }
        if let Err(m) = new.schedule.validate(now_ms) {
            errors.push(invalid(Field::Schedule, m));
        }
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        let id = AnalysisId(self.take_id());
        let scans = new
            .scans
            .into_iter()
            .map(|d| Scan {
                id: ScanId(self.take_id()),
                target: d.target,
                status: ScanStatus::NotRun,
                auth: d.auth,
            })
            .collect();
        let mut a = Analysis {
            id,
            name,
            status: AnalysisStatus::SavedForLater,
            has_verification_failures: false,
            scans,
            schedule: new.schedule,
            prescan: new.prescan,
            created_ms: now_ms,
            created_by: user.to_string(),
            modified_ms: now_ms,
            modified_by: user.to_string(),
            runs: Vec::new(),
            demo: false,
        };
        let mut log = vec![ActivityEntry::new(
            now_ms,
            Actor::user(user),
            ActivityKind::Created,
            format!(
                "Analysis {} created with {} scan(s); {}; prescan {}.",
                a.name,
                a.scans.len(),
                a.schedule,
                yes_no(a.prescan).to_lowercase()
            ),
        )];
        let mut events = Vec::new();
        let mut c = Ctx {
            a: &mut a,
            log: &mut log,
            events: &mut events,
            at: now_ms,
            actor: Actor::user(user),
        };
        apply_schedule(&mut c);
        self.activity.insert(id, log);
        // Ids only grow, so pushing keeps the list sorted.
        self.analyses.push(a);
        Ok(&self.analyses[self.analyses.len() - 1])
    }

    /// Changes an analysis (only in a status that allows Configure),
    /// writing every change to the activity log (credentials: that they
    /// changed, never their values).
    pub fn update(
        &mut self,
        id: AnalysisId,
        change: AnalysisUpdate,
        user: &str,
        now_ms: i64,
    ) -> Result<&Analysis, StoreError> {
        let i = self.index(id)?;
        self.analyses[i]
            .can_configure()
            .map_err(StoreError::Refused)?;
        let mut errors = Vec::new();
        let name = change.name.as_ref().map(|n| n.trim().to_string());
        if let Some(name) = &name {
            self.check_name(name, Some(id), &mut errors);
        }
        if let Some(scans) = &change.scans {
            self.check_scans(scans, &self.analyses[i].scans, &mut errors);
        }
        if let Some(s) = &change.schedule {
            if let Err(m) = s.validate(now_ms) {
                errors.push(invalid(Field::Schedule, m));
            }
        }
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        let new_ids: Vec<u64> = change
            .scans
            .iter()
            .flatten()
            .filter(|d| d.id.is_none())
            .map(|_| self.take_id())
            .collect();
        if let Some(drafts) = &change.scans {
            let kept: HashSet<ScanId> = drafts.iter().filter_map(|d| d.id).collect();
            for s in &self.analyses[i].scans {
                if !kept.contains(&s.id) {
                    self.prescans.remove(&s.id);
                }
            }
        }
        let actor = Actor::user(user);
        let StoreState {
            analyses, activity, ..
        } = self;
        let a = &mut analyses[i];
        let log = activity.entry(id).or_default();
        let entry = |details: String, old: String, new: String| {
            ActivityEntry::change(
                now_ms,
                actor.clone(),
                ActivityKind::ConfigurationChanged,
                details,
                old,
                new,
            )
        };
        if let Some(name) = name.filter(|n| *n != a.name) {
            log.push(entry("Name changed.".into(), a.name.clone(), name.clone()));
            a.name = name;
        }
        if let Some(p) = change.prescan.filter(|p| *p != a.prescan) {
            log.push(entry(
                "Prescan switched.".into(),
                yes_no(a.prescan).into(),
                yes_no(p).into(),
            ));
            a.prescan = p;
        }
        if let Some(drafts) = change.scans {
            let mut fresh = new_ids.into_iter();
            let mut scans = Vec::with_capacity(drafts.len());
            for d in drafts {
                let old = d.id.and_then(|id| a.scans.iter().find(|s| s.id == id));
                match old {
                    Some(old) => {
                        if old.target != d.target {
                            log.push(entry(
                                format!("Target of scan {} changed.", old.target.log_name()),
                                target_text(&old.target),
                                target_text(&d.target),
                            ));
                        }
                        let (from, to) = (old.target.origin(), d.target.origin());
                        let cleared = from != to && !d.auth_entered && !d.auth.is_empty();
                        let auth = if cleared {
                            // Credentials are given for one origin: never
                            // carried over to another.
                            log.push(ActivityEntry::new(
                                now_ms,
                                actor.clone(),
                                ActivityKind::ConfigurationChanged,
                                format!(
                                    "Credentials of scan {} cleared: they were entered for {} and its target is now {}. Enter them again to send them there.",
                                    target_text(&d.target),
                                    origin_text(from.as_ref()),
                                    origin_text(to.as_ref()),
                                ),
                            ));
                            crate::ScanAuth::default()
                        } else {
                            d.auth
                        };
                        if old.auth != auth && !cleared {
                            log.push(ActivityEntry::secret_changed(
                                now_ms,
                                actor.clone(),
                                &format!("Credentials of scan {}", target_text(&d.target)),
                            ));
                        }
                        scans.push(Scan {
                            target: d.target,
                            auth,
                            ..old.clone()
                        });
                    }
                    None => {
                        log.push(ActivityEntry::new(
                            now_ms,
                            actor.clone(),
                            ActivityKind::ConfigurationChanged,
                            format!(
                                "{} scan added: {}.",
                                d.target.kind_label(),
                                target_text(&d.target)
                            ),
                        ));
                        if !d.auth.is_empty() {
                            log.push(ActivityEntry::secret_changed(
                                now_ms,
                                actor.clone(),
                                &format!("Credentials of scan {}", target_text(&d.target)),
                            ));
                        }
                        scans.push(Scan {
                            id: ScanId(fresh.next().unwrap_or_default()),
                            target: d.target,
                            status: ScanStatus::NotRun,
                            auth: d.auth,
                        });
                    }
                }
            }
            for old in a
                .scans
                .iter()
                .filter(|o| !scans.iter().any(|s| s.id == o.id))
            {
                log.push(ActivityEntry::new(
                    now_ms,
                    actor.clone(),
                    ActivityKind::ConfigurationChanged,
                    format!(
                        "{} scan removed: {}.",
                        old.target.kind_label(),
                        target_text(&old.target)
                    ),
                ));
            }
            a.scans = scans;
        }
        a.modified_ms = now_ms;
        a.modified_by = user.to_string();
        if let Some(s) = change.schedule {
            log.push(ActivityEntry::change(
                now_ms,
                actor.clone(),
                ActivityKind::ScheduleChanged,
                "Schedule changed.",
                a.schedule.to_string(),
                s.to_string(),
            ));
            a.schedule = s;
            let mut events = Vec::new();
            let mut c = Ctx {
                a,
                log,
                events: &mut events,
                at: now_ms,
                actor,
            };
            apply_schedule(&mut c);
        }
        Ok(&self.analyses[i])
    }

    /// Deletes an analysis that never ran, with its activity log.
    pub fn delete(&mut self, id: AnalysisId) -> Result<(), StoreError> {
        let i = self.index(id)?;
        self.analyses[i]
            .check(AnalysisAction::Delete)
            .map_err(StoreError::Refused)?;
        self.analyses.remove(i);
        self.activity.remove(&id);
        self.prune_prescans();
        Ok(())
    }

    /// Keeps `report` as the last prescan of `scan` (replacing the one
    /// before), without credentials: the report holds the requests as
    /// sent, and a saved prescan must not keep a credential after it is
    /// changed or removed. Both the credentials it was sent with
    /// (`sent_with`) and the scan's own are masked
    /// ([`crate::api::redact_report`]).
    pub fn save_prescan(
        &mut self,
        scan: ScanId,
        report: crate::prescan::PrescanReport,
        sent_with: &crate::ScanAuth,
    ) {
        let mut report = crate::api::redact_report(&report, sent_with);
        if let Some(own) = self
            .analyses
            .iter()
            .flat_map(|a| a.scans.iter())
            .find(|s| s.id == scan)
            .map(|s| &s.auth)
            .filter(|own| *own != sent_with)
        {
            report = crate::api::redact_report(&report, own);
        }
        self.prescans.insert(scan, report);
    }

    /// The last prescan of `scan`, if one was saved.
    pub fn last_prescan(&self, scan: ScanId) -> Option<&crate::prescan::PrescanReport> {
        self.prescans.get(&scan)
    }

    /// Drops the prescans of scans no longer in the store.
    fn prune_prescans(&mut self) {
        if self.prescans.is_empty() {
            return;
        }
        let scans: HashSet<ScanId> = self
            .analyses
            .iter()
            .flat_map(|a| a.scans.iter().map(|s| s.id))
            .collect();
        self.prescans.retain(|id, _| scans.contains(id));
    }

    /// Stops, pauses or resumes a run as `user`. The status changes at
    /// once; the engine carries it on (saving, deleting, settling scans).
    pub fn act(
        &mut self,
        id: AnalysisId,
        action: RunAction,
        user: &str,
        now_ms: i64,
    ) -> Result<(&Analysis, Vec<Event>), StoreError> {
        let i = self.index(id)?;
        self.analyses[i]
            .check(action.into())
            .map_err(StoreError::Refused)?;
        let StoreState {
            analyses, activity, ..
        } = self;
        let a = &mut analyses[i];
        let log = activity.entry(id).or_default();
        let actor = Actor::user(user);
        log.push(ActivityEntry::new(
            now_ms,
            actor.clone(),
            ActivityKind::ActionRequested,
            format!("{} requested.", AnalysisAction::from(action).label()),
        ));
        let mut events = Vec::new();
        let mut c = Ctx {
            a,
            log,
            events: &mut events,
            at: now_ms,
            actor,
        };
        match action {
            RunAction::StopSave => {
                c.status(AnalysisStatus::StoppedSavingResults);
                c.scans(|_, s| scan_active(s).then_some(ScanStatus::StoppingSavingResults));
            }
            RunAction::StopDelete => {
                c.status(AnalysisStatus::StoppedDeletingResults);
                c.scans(|_, s| scan_active(s).then_some(ScanStatus::StoppingDeletingResults));
            }
            RunAction::Pause => {
                let remaining =
                    c.a.runs
                        .last()
                        .and_then(|r| r.next_step_ms)
                        .map(|t| t.saturating_sub(now_ms).max(0));
                c.status(AnalysisStatus::Paused);
                c.scans(|_, s| {
                    matches!(s, ScanStatus::InProgress | ScanStatus::Resuming)
                        .then_some(ScanStatus::Pausing)
                });
                if let Some(run) = c.a.runs.last_mut() {
                    run.paused_remaining_ms = remaining;
                }
            }
            RunAction::Resume => {
                c.status(AnalysisStatus::InProgress);
                c.scans(|_, s| {
                    matches!(s, ScanStatus::Pausing | ScanStatus::Paused)
                        .then_some(ScanStatus::Resuming)
                });
                if let Some(run) = c.a.runs.last_mut() {
                    run.next_step_ms = run
                        .paused_remaining_ms
                        .take()
                        .map(|r| now_ms.saturating_add(r));
                }
            }
        }
        Ok((&self.analyses[i], events))
    }

    /// Records a prescan run from outside the engine (the browser sent it)
    /// as `user`: one activity-log entry saying how it ended (`summary`
    /// adds what it found, e.g. "12 requests, 12 responses.") and the
    /// notification it sends ("The prescan of a Dynamic Analysis
    /// succeeded." or "failed."), which is returned for the app to show.
    pub fn record_prescan(
        &mut self,
        id: AnalysisId,
        succeeded: bool,
        summary: &str,
        user: &str,
        now_ms: i64,
    ) -> Result<Notification, StoreError> {
        let i = self.index(id)?;
        let a = &self.analyses[i];
        let kind = if succeeded {
            NotificationKind::PrescanSucceeded
        } else {
            NotificationKind::PrescanFailed
        };
        let notification = Notification {
            kind,
            analysis_id: id,
            analysis_name: a.name.clone(),
            at_ms: now_ms,
            recipients: Recipients::ScheduleOwner(a.modified_by.clone()),
            detail: summary.trim().to_owned(),
        };
        let outcome = if succeeded { "succeeded" } else { "failed" };
        let mut details = format!("Prescan {outcome}.");
        if !summary.trim().is_empty() {
            details.push(' ');
            details.push_str(summary.trim());
        }
        details.push_str(&format!(" Notification sent: {}", kind.subject()));
        self.activity
            .entry(id)
            .or_default()
            .push(ActivityEntry::new(
                now_ms,
                Actor::user(user),
                ActivityKind::NotificationSent,
                details,
            ));
        Ok(notification)
    }

    /// Stores a specification file as `user`; an identical file (same
    /// name and bytes) already stored is reused.
    pub fn put_specification(&mut self, upload: SpecUpload, user: &str, now_ms: i64) -> SpecRecord {
        if let Some(s) = self
            .specifications
            .iter()
            .find(|s| s.record.file_name == upload.file_name && s.bytes == upload.bytes)
        {
            return s.record.clone();
        }
        let record = SpecRecord {
            id: SpecId(self.take_id()),
            file_name: upload.file_name,
            title: upload.title,
            format: upload.format,
            endpoint_count: upload.endpoint_count,
            servers: upload.servers,
            size: upload.bytes.len(),
            uploaded_ms: now_ms,
            uploaded_by: user.to_string(),
        };
        self.specifications.push(StoredSpec {
            record: record.clone(),
            bytes: upload.bytes,
            demo: false,
        });
        record
    }

    /// A stored specification.
    pub fn specification(&self, id: SpecId) -> Result<&StoredSpec, StoreError> {
        self.specifications
            .iter()
            .find(|s| s.record.id == id)
            .ok_or(StoreError::SpecificationNotFound(id))
    }

    /// Removes every demo analysis (and demo specification no other
    /// analysis uses); returns how many analyses were removed.
    pub fn remove_demo(&mut self) -> usize {
        let before = self.analyses.len();
        let demo: Vec<AnalysisId> = self
            .analyses
            .iter()
            .filter(|a| a.demo)
            .map(|a| a.id)
            .collect();
        self.analyses.retain(|a| !a.demo);
        for id in demo {
            self.activity.remove(&id);
        }
        self.prune_prescans();
        let used: HashSet<SpecId> = self
            .analyses
            .iter()
            .flat_map(|a| &a.scans)
            .filter_map(|s| match &s.target {
                ScanTarget::ApiSpecification(x) => Some(x.spec_id),
                ScanTarget::Url(_) => None,
            })
            .collect();
        self.specifications
            .retain(|s| !s.demo || used.contains(&s.record.id));
        before - self.analyses.len()
    }

    /// The whole store as compact JSON, for the app's own persistence
    /// (credentials included: it stays in the browser).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The store as compact JSON without the specifications' bytes, for
    /// the app's own persistence when it keeps the bytes apart (they are
    /// large and never change, while the rest changes every second a run
    /// moves): each specification has `"bytes_apart": true` in place of
    /// `bytes`. Read it back with [`StoreState::from_saved_json`].
    pub fn to_json_without_bytes(&self) -> String {
        // Every field named, so that a new field cannot be forgotten here.
        let StoreState {
            version,
            next_id,
            analyses,
            activity,
            specifications,
            prescans,
        } = self;
        let slim = StateWithoutBytes {
            version: *version,
            next_id: *next_id,
            analyses,
            activity,
            specifications: specifications
                .iter()
                .map(|s| SpecWithoutBytes {
                    record: &s.record,
                    bytes_apart: true,
                    demo: s.demo,
                })
                .collect(),
            prescans,
        };
        serde_json::to_string(&slim).unwrap_or_default()
    }

    /// Reads what the app saved: a state written by
    /// [`StoreState::to_json_without_bytes`] (the specifications listed in
    /// [`SavedState::bytes_apart`], their bytes empty until put back) or by
    /// [`StoreState::to_json`] (older saves, bytes inline). Refuses as
    /// [`StoreState::from_json`] does; a specification with neither bytes
    /// nor the marker is an error.
    pub fn from_saved_json(text: &str) -> Result<SavedState, ImportError> {
        let state = Self::parse(text)?;
        let mut bytes_apart = Vec::new();
        for spec in Self::probe_specifications(text)? {
            match (spec.bytes.is_some(), spec.bytes_apart) {
                (true, _) => {}
                (false, true) => bytes_apart.push(SpecId(spec.record.id)),
                (false, false) => return Err(no_bytes(spec.record.id)),
            }
        }
        Ok(SavedState { state, bytes_apart })
    }

    /// Whether each specification of `text` has its bytes or the marker
    /// saying they are kept apart (the rest is skipped).
    fn probe_specifications(text: &str) -> Result<Vec<SpecProbe>, ImportError> {
        #[derive(Deserialize)]
        struct Probe {
            #[serde(default)]
            specifications: Vec<SpecProbe>,
        }
        serde_json::from_str::<Probe>(text)
            .map(|p| p.specifications)
            .map_err(|e| ImportError::Corrupt {
                message: e.to_string(),
            })
    }

    /// The whole store as pretty JSON for a user to download. Without
    /// `include_credentials`, every credential value is emptied (names
    /// kept) and the saved prescans are left out (their requests carry the
    /// credentials sent).
    pub fn export_json(&self, include_credentials: bool) -> String {
        if include_credentials {
            return serde_json::to_string_pretty(self).unwrap_or_default();
        }
        let mut copy = self.clone();
        copy.prescans.clear();
        for scan in copy.analyses.iter_mut().flat_map(|a| a.scans.iter_mut()) {
            let auth = &mut scan.auth;
            auth.custom_headers.iter_mut().for_each(|(_, v)| v.clear());
            auth.custom_cookies.iter_mut().for_each(|(_, v)| v.clear());
            auth.api_keys.values_mut().for_each(String::clear);
            if let Some((_, p)) = &mut auth.basic {
                p.clear();
            }
            if let Some(t) = &mut auth.bearer {
                t.clear();
            }
        }
        serde_json::to_string_pretty(&copy).unwrap_or_default()
    }

    /// Reads a store written by [`StoreState::to_json`] or
    /// [`StoreState::export_json`]. Never panics; refuses with an
    /// [`ImportError`] rather than dropping anything: not JSON, no
    /// `version`, another version, a missing or wrong field, or records
    /// that contradict each other (duplicate ids or names, a name of the
    /// wrong length, an analysis without scans, a scan of a specification
    /// not in the file, a log of an analysis not in the file). A `next_id`
    /// not above every id is raised.
    pub fn from_json(text: &str) -> Result<StoreState, ImportError> {
        let state = Self::parse(text)?;
        if let Some(spec) = Self::probe_specifications(text)?
            .iter()
            .find(|s| s.bytes.is_none())
        {
            return Err(no_bytes(spec.record.id));
        }
        Ok(state)
    }

    /// Reads a state, checking its version and invariants (specifications
    /// without bytes are read as empty).
    fn parse(text: &str) -> Result<StoreState, ImportError> {
        Self::check_version(text)?;
        let mut state: StoreState =
            serde_json::from_str(text).map_err(|e| ImportError::Corrupt {
                message: e.to_string(),
            })?;
        state
            .check()
            .map_err(|message| ImportError::Corrupt { message })?;
        Ok(state)
    }

    /// Checks that `text` is a JSON object with this code's `version`.
    fn check_version(text: &str) -> Result<(), ImportError> {
        #[derive(Deserialize)]
        struct Probe {
            version: Option<serde_json::Value>,
        }
        if !text.trim_start().starts_with('{') {
            return match serde_json::from_str::<serde::de::IgnoredAny>(text) {
                Ok(_) => Err(ImportError::NotAStore),
                Err(e) => Err(ImportError::NotJson {
                    message: e.to_string(),
                }),
            };
        }
        let probe: Probe = match serde_json::from_str(text) {
            Ok(p) => p,
            Err(e) if e.is_syntax() || e.is_eof() => {
                return Err(ImportError::NotJson {
                    message: e.to_string(),
                })
            }
            Err(_) => return Err(ImportError::NotAStore),
        };
        match probe.version {
            None => return Err(ImportError::NotAStore),
            Some(v) if v.as_u64() == Some(u64::from(STORE_VERSION)) => {}
            Some(v) => {
                return Err(ImportError::OtherVersion {
                    found: v.to_string(),
                    supported: STORE_VERSION,
                })
            }
        }
        Ok(())
    }

    /// Checks the invariants an import must hold; raises `next_id`.
    fn check(&mut self) -> Result<(), String> {
        let mut ids = HashSet::new();
        let mut max = 0;
        let mut take = |id: u64, what: &str| {
            max = max.max(id);
            if ids.insert(id) {
                Ok(())
            } else {
                Err(format!("the id {id} is used twice ({what})"))
            }
        };
        for s in &self.specifications {
            take(s.record.id.0, "specification")?;
        }
        self.analyses.sort_by_key(|a| a.id);
        let mut names: Vec<&str> = Vec::with_capacity(self.analyses.len());
        for a in &self.analyses {
            take(a.id.0, "analysis")?;
            let n = a.name.chars().count();
            if !(NAME_MIN_CHARS..=NAME_MAX_CHARS).contains(&n) {
                return Err(format!(
                    "analysis {} has a name of {n} characters (6 to 256 allowed)",
                    a.id
                ));
            }
            names.push(&a.name);
            if a.scans.is_empty() {
                return Err(format!("analysis \"{}\" has no scans", a.name));
            }
            for s in &a.scans {
                take(s.id.0, "scan")?;
                if let ScanTarget::ApiSpecification(x) = &s.target {
                    if !self.specifications.iter().any(|f| f.record.id == x.spec_id) {
                        return Err(format!(
                            "analysis \"{}\" scans specification {} ({}), which is not in the file",
                            a.name, x.spec_id, x.file_name
                        ));
                    }
                }
            }
            if a.runs.iter().rev().skip(1).any(|r| r.is_active()) {
                return Err(format!(
                    "analysis \"{}\" has an unfinished run before its latest",
                    a.name
                ));
            }
        }
        names.sort_by(|a, b| cmp_folded(a, b));
        if let Some(w) = names.windows(2).find(|w| cmp_folded(w[0], w[1]).is_eq()) {
            return Err(format!("two analyses are called \"{}\"", w[1]));
        }
        if let Some(id) = self.activity.keys().find(|id| self.index(**id).is_err()) {
            return Err(format!(
                "the activity log names analysis {id}, which is not in the file"
            ));
        }
        self.prune_prescans();
        self.next_id = self.next_id.max(max.saturating_add(1));
        Ok(())
    }
}

/// Applies the analysis's schedule: start now submits a run, a start time
/// schedules one, no start saves it for later.
fn apply_schedule(c: &mut Ctx<'_>) {
    c.finish();
    match c.a.schedule.start {
        Start::Now => c.submit(),
        Start::At(_) => {
            c.status(AnalysisStatus::Scheduled);
            c.scans(|_, _| Some(ScanStatus::Scheduled));
        }
        Start::Unscheduled => {
            c.status(AnalysisStatus::SavedForLater);
            c.scans(|_, _| Some(ScanStatus::NotRun));
        }
    }
}

/// The interface the pages use: the in-browser [`MemoryStore`] and a later
/// JSON API client implement it. Methods are `async` so that a client can
/// fetch; [`MemoryStore`]'s futures are ready at once (see [`now_or_never`]).
/// The web app runs on one thread, so the futures need not be `Send`.
#[allow(async_fn_in_trait)]
pub trait Store {
    /// One page of analyses matching the query.
    async fn list(&self, query: &ListQuery) -> Result<Page<AnalysisSummary>, StoreError>;
    /// One analysis.
    async fn get(&self, id: AnalysisId) -> Result<Analysis, StoreError>;
    /// Creates an analysis (see [`StoreState::create`] for the checks).
    async fn create(&self, new: NewAnalysis) -> Result<Analysis, StoreError>;
    /// Changes an analysis (only where Configure is available).
    async fn update(&self, id: AnalysisId, change: AnalysisUpdate) -> Result<Analysis, StoreError>;
    /// Deletes an analysis that never ran.
    async fn delete(&self, id: AnalysisId) -> Result<(), StoreError>;
    /// Stops, pauses or resumes a run.
    async fn act(&self, id: AnalysisId, action: RunAction) -> Result<Analysis, StoreError>;
    /// The activity log of an analysis, oldest entry first.
    async fn activity(&self, id: AnalysisId) -> Result<Vec<ActivityEntry>, StoreError>;
    /// Stores a specification's original bytes.
    async fn put_specification(&self, upload: SpecUpload) -> Result<SpecRecord, StoreError>;
    /// Every stored specification, newest first.
    async fn specifications(&self) -> Result<Vec<SpecRecord>, StoreError>;
    /// The original bytes of a stored specification.
    async fn specification_bytes(&self, id: SpecId) -> Result<Vec<u8>, StoreError>;
}

/// Runs a future that needs no waiting (such as [`MemoryStore`]'s) and
/// returns its output, or `None` if it would have to wait.
pub fn now_or_never<F: Future>(f: F) -> Option<F::Output> {
    let mut f = std::pin::pin!(f);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    match f.as_mut().poll(&mut cx) {
        std::task::Poll::Ready(v) => Some(v),
        std::task::Poll::Pending => None,
    }
}

/// The in-memory [`Store`]: a [`StoreState`], the user acting, and a clock.
/// The web app wraps it: load the state from IndexedDB or localStorage
/// with [`StoreState::from_json`], save [`MemoryStore::to_json`] after each
/// change, call [`MemoryStore::tick`] on a timer.
pub struct MemoryStore {
    state: RefCell<StoreState>,
    user: String,
    clock: Box<dyn Fn() -> i64>,
}

impl fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryStore")
            .field("user", &self.user)
            .field("analyses", &self.state.borrow().analyses.len())
            .finish()
    }
}

impl MemoryStore {
    /// An empty store acting as `user`, telling time with `clock`
    /// (milliseconds since the epoch; `js_sys::Date::now` in the browser,
    /// a fake in tests).
    pub fn new(user: impl Into<String>, clock: impl Fn() -> i64 + 'static) -> Self {
        Self::with_state(StoreState::new(), user, clock)
    }

    /// A store holding `state`.
    pub fn with_state(
        state: StoreState,
        user: impl Into<String>,
        clock: impl Fn() -> i64 + 'static,
    ) -> Self {
        MemoryStore {
            state: RefCell::new(state),
            user: user.into(),
            clock: Box::new(clock),
        }
    }

    /// The user acting.
    pub fn user(&self) -> &str {
        &self.user
    }

    /// The clock's time.
    pub fn now_ms(&self) -> i64 {
        (self.clock)()
    }

    /// Reads the state (do not call the store's other methods while the
    /// returned guard lives).
    pub fn state(&self) -> Ref<'_, StoreState> {
        self.state.borrow()
    }

    /// Changes the state directly (demo data, tests).
    pub fn with_state_mut<R>(&self, f: impl FnOnce(&mut StoreState) -> R) -> R {
        f(&mut self.state.borrow_mut())
    }

    /// Moves runs on to the clock's time (see [`Engine::tick`]).
    pub fn tick(&self, engine: &Engine) -> Vec<Event> {
        let now = self.now_ms();
        engine.tick(&mut self.state.borrow_mut(), now)
    }

    /// The state as compact JSON, for persistence.
    pub fn to_json(&self) -> String {
        self.state.borrow().to_json()
    }

    /// The state as compact JSON without the specifications' bytes (see
    /// [`StoreState::to_json_without_bytes`]).
    pub fn to_json_without_bytes(&self) -> String {
        self.state.borrow().to_json_without_bytes()
    }

    /// A download of the whole store (see [`StoreState::export_json`]).
    pub fn export_json(&self, include_credentials: bool) -> String {
        self.state.borrow().export_json(include_credentials)
    }

    /// Replaces the whole store with an export; on error the store is
    /// unchanged.
    pub fn import_json(&self, text: &str) -> Result<(), ImportError> {
        let state = StoreState::from_json(text)?;
        *self.state.borrow_mut() = state;
        Ok(())
    }

    /// Adds the demo analyses (replacing earlier demo data); returns their
    /// ids.
    pub fn add_demo(&self) -> Vec<AnalysisId> {
        let now = self.now_ms();
        super::demo::add_demo(&mut self.state.borrow_mut(), &self.user, now)
    }

    /// Removes the demo analyses; returns how many.
    pub fn remove_demo(&self) -> usize {
        self.state.borrow_mut().remove_demo()
    }
}

impl Store for MemoryStore {
    async fn list(&self, query: &ListQuery) -> Result<Page<AnalysisSummary>, StoreError> {
        Ok(self.state.borrow().list(query))
    }

    async fn get(&self, id: AnalysisId) -> Result<Analysis, StoreError> {
        self.state
            .borrow()
            .analysis(id)
            .cloned()
            .ok_or(StoreError::AnalysisNotFound(id))
    }

    async fn create(&self, new: NewAnalysis) -> Result<Analysis, StoreError> {
        let now = self.now_ms();
        self.state
            .borrow_mut()
            .create(new, &self.user, now)
            .cloned()
    }

    async fn update(&self, id: AnalysisId, change: AnalysisUpdate) -> Result<Analysis, StoreError> {
        let now = self.now_ms();
        self.state
            .borrow_mut()
            .update(id, change, &self.user, now)
            .cloned()
    }

    async fn delete(&self, id: AnalysisId) -> Result<(), StoreError> {
        self.state.borrow_mut().delete(id)
    }

    async fn act(&self, id: AnalysisId, action: RunAction) -> Result<Analysis, StoreError> {
        let now = self.now_ms();
        self.state
            .borrow_mut()
            .act(id, action, &self.user, now)
            .map(|(a, _)| a.clone())
    }

    async fn activity(&self, id: AnalysisId) -> Result<Vec<ActivityEntry>, StoreError> {
        self.state.borrow().activity(id).map(<[_]>::to_vec)
    }

    async fn put_specification(&self, upload: SpecUpload) -> Result<SpecRecord, StoreError> {
        let now = self.now_ms();
        Ok(self
            .state
            .borrow_mut()
            .put_specification(upload, &self.user, now))
    }

    async fn specifications(&self) -> Result<Vec<SpecRecord>, StoreError> {
        let mut v: Vec<SpecRecord> = self
            .state
            .borrow()
            .specifications
            .iter()
            .map(|s| s.record.clone())
            .collect();
        v.sort_by(|a, b| b.uploaded_ms.cmp(&a.uploaded_ms).then(b.id.cmp(&a.id)));
        Ok(v)
    }

    async fn specification_bytes(&self, id: SpecId) -> Result<Vec<u8>, StoreError> {
        self.state
            .borrow()
            .specification(id)
            .map(|s| s.bytes.clone())
    }
}

/// Base64 for the original bytes of a specification in JSON.
mod base64_bytes {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trip() {
        for bytes in [&b""[..], b"f", b"fo", b"foo", b"foob", &[0, 255, 128, 7]] {
            assert_eq!(
                base64_bytes::decode(&crate::encode::base64(bytes)).as_deref(),
                Some(bytes)
            );
        }
        assert_eq!(base64_bytes::decode("Zg="), None);
        assert_eq!(base64_bytes::decode("Z==="), None);
        assert_eq!(base64_bytes::decode("Zg==Zg=="), None);
        assert_eq!(base64_bytes::decode("Z!=="), None);
    }

    #[test]
    fn folded_search_and_compare() {
        assert!(contains_folded("Weekly PETSTORE scan", "petstore"));
        assert!(contains_folded("Ümlaut Straße", "ümlaut"));
        assert!(!contains_folded("abc", "abcd"));
        assert!(contains_folded("abc", ""));
        assert!(cmp_folded("alpha", "BETA").is_lt());
        assert!(cmp_folded("Ärger", "ärger").is_eq());
        assert!(same_name("Petstore Scan", "petstore scan"));
        assert!(!same_name("Petstore Scan", "petstore scan 2"));
        // Beyond ASCII: lengths in bytes differ, yet the names are the same
        // (KELVIN SIGN lowercases to "k"), or they differ only beyond ASCII.
        assert!(same_name("\u{212A}ey", "key"));
        assert!(same_name("KEY", "\u{212A}ey"));
        assert!(same_name("ÄRGER", "ärger"));
        assert!(!same_name("ärger", "arger"));
        assert!(!same_name("", "a"));
        assert!(same_name("", ""));
    }

    /// `same_name` is `cmp_folded(..).is_eq()` and `push_folded` gives
    /// `cmp_folded`'s order, on names mixing ASCII and other cases.
    #[test]
    fn the_fast_paths_agree_with_cmp_folded() {
        const PARTS: [&str; 9] = ["a", "A", "k", "K", "\u{212A}", "ä", "Ä", "ß", " "];
        let mut names = vec![String::new()];
        for a in PARTS {
            names.push(a.to_string());
            for b in PARTS {
                names.push(format!("{a}{b}"));
                names.push(format!("x{a}{b}y"));
            }
        }
        let fold = |s: &str| {
            let mut out = String::new();
            push_folded(&mut out, s);
            out
        };
        for a in &names {
            for b in &names {
                let expected = cmp_folded(a, b);
                assert_eq!(same_name(a, b), expected.is_eq(), "{a:?} {b:?}");
                assert_eq!(fold(a).cmp(&fold(b)), expected, "{a:?} {b:?}");
            }
        }
    }

    /// The list as it was before its selection: a full sort of every match
    /// with `cmp_folded`, then a page of it.
    fn list_by_full_sort(state: &StoreState, q: &ListQuery) -> Page<AnalysisSummary> {
        use std::cmp::Ordering::*;
        let needle: String = q.find.trim().chars().flat_map(char::to_lowercase).collect();
        let mut rows: Vec<&Analysis> = state
            .analyses
            .iter()
            .filter(|a| q.status.is_none_or(|s| a.status == s))
            .filter(|a| contains_folded(&a.name, &needle))
            .collect();
        let by_time = |x: Option<i64>, y: Option<i64>| match (x, y) {
            (Some(x), Some(y)) => Some(x.cmp(&y)),
            _ => None,
        };
        rows.sort_by(|a, b| {
            let primary = match q.sort {
                SortKey::Name => Some(cmp_folded(&a.name, &b.name)),
                SortKey::Status => Some(a.status.label().cmp(b.status.label())),
                SortKey::LastRun => by_time(a.last_run_ms(), b.last_run_ms()),
                SortKey::NextRun => by_time(a.next_run_ms(), b.next_run_ms()),
            };
            let primary = match primary {
                Some(o) if q.descending => o.reverse(),
                Some(o) => o,
                None => {
                    let (x, y) = match q.sort {
                        SortKey::LastRun => (a.last_run_ms(), b.last_run_ms()),
                        _ => (a.next_run_ms(), b.next_run_ms()),
                    };
                    match (x.is_some(), y.is_some()) {
                        (true, false) => Less,
                        (false, true) => Greater,
                        _ => Equal,
                    }
                }
            };
            primary
                .then_with(|| cmp_folded(&a.name, &b.name))
                .then(a.id.cmp(&b.id))
        });
        let size = q.size.clamp(1, MAX_PAGE_SIZE);
        let total = rows.len();
        let items = rows
            .iter()
            .skip(q.page.saturating_mul(size))
            .take(size)
            .map(|a| AnalysisSummary::of(a))
            .collect();
        Page {
            items,
            number: q.page,
            size,
            total_elements: total,
            total_pages: total.div_ceil(size),
        }
    }

    /// One random analysis: name parts, status, last run, next run.
    type RandomAnalysis = (Vec<usize>, usize, Option<i64>, Option<i64>);

    fn random_state(rows: &[RandomAnalysis]) -> StoreState {
        const PARTS: [&str; 10] = ["a", "A", "b", "B", "k", "\u{212A}", "ä", "Ä", "ß", " "];
        const STATUSES: [AnalysisStatus; 5] = [
            AnalysisStatus::Scheduled,
            AnalysisStatus::SavedForLater,
            AnalysisStatus::InProgress,
            AnalysisStatus::Queued,
            AnalysisStatus::Submitted,
        ];
        let store = MemoryStore::new("Ana", || 1_000);
        store.add_demo();
        let demo = store.state().clone();
        let with_run = demo
            .analyses
            .iter()
            .find(|a| !a.runs.is_empty())
            .expect("a demo analysis has run")
            .clone();
        let mut state = StoreState::new();
        for (i, (parts, status, last, next)) in rows.iter().enumerate() {
            let mut a = with_run.clone();
            a.id = AnalysisId(100 + i as u64);
            a.name = parts.iter().map(|p| PARTS[p % PARTS.len()]).collect();
            a.status = STATUSES[status % STATUSES.len()];
            match last {
                Some(t) => a.runs.last_mut().expect("a run").submitted_ms = *t,
                None => a.runs.clear(),
            }
            a.schedule.start = match next {
                Some(t) => Start::At(*t),
                None => Start::Unscheduled,
            };
            state.analyses.push(a);
        }
        state
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]
        #[test]
        fn the_list_pages_as_a_full_sort_does(
            rows in proptest::collection::vec(
                (
                    proptest::collection::vec(0usize..10, 0..4),
                    0usize..5,
                    proptest::option::of(0i64..4),
                    proptest::option::of(0i64..4),
                ),
                0..40,
            ),
            find in proptest::sample::select(vec!["", "a", "K", "ä", " b", "zz"]),
            status in proptest::option::of(0usize..5),
            sort in 0usize..4,
            descending in proptest::bool::ANY,
            page in 0usize..8,
            size in 0usize..9,
        ) {
            let state = random_state(&rows);
            let q = ListQuery {
                find: find.to_string(),
                status: status.map(|s| state.analyses.get(s).map_or(AnalysisStatus::Queued, |a| a.status)),
                sort: [SortKey::Name, SortKey::Status, SortKey::LastRun, SortKey::NextRun][sort],
                descending,
                page,
                size,
            };
            proptest::prop_assert_eq!(state.list(&q), list_by_full_sort(&state, &q));
        }
    }

    #[test]
    fn a_large_list_pages_as_a_full_sort_does() {
        // Every page of 400 analyses with many ties, in every order.
        let rows: Vec<RandomAnalysis> = (0..400usize)
            .map(|i| {
                let parts = vec![i % 7, i / 7 % 5, i / 35 % 10];
                let last = (i % 3 != 0).then_some((i % 11) as i64);
                let next = (i % 4 != 0).then_some((i % 13) as i64);
                (parts, i % 5, last, next)
            })
            .collect();
        let state = random_state(&rows);
        for sort in [
            SortKey::Name,
            SortKey::Status,
            SortKey::LastRun,
            SortKey::NextRun,
        ] {
            for descending in [false, true] {
                for size in [7, 20, 150] {
                    for page in 0..=400 / size {
                        let q = ListQuery {
                            sort,
                            descending,
                            page,
                            size,
                            ..ListQuery::default()
                        };
                        assert_eq!(state.list(&q), list_by_full_sort(&state, &q), "{q:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn passwords_in_urls_are_masked() {
        assert_eq!(
            super::super::model::without_password("https://bob:hunter2@example.com/a@b"),
            "https://bob:***@example.com/a@b"
        );
        let plain = super::super::model::without_password;
        assert_eq!(plain("https://example.com/x"), "https://example.com/x");
        assert_eq!(plain("not a url"), "not a url");
    }

    #[test]
    fn urls() {
        assert!(valid_url("https://example.com"));
        assert!(valid_url("http://10.0.0.1:8080/app"));
        assert!(!valid_url("ftp://example.com"));
        assert!(!valid_url("https://"));
        assert!(!valid_url("https:///path"));
        assert!(!valid_url("https://exa mple.com"));
    }
    fn sample_prescan(secret: &str) -> crate::prescan::PrescanReport {
        use crate::prescan::{PlannedRequest, PrescanPlan, PrescanReport, PrescanSettings};
        let plan = PrescanPlan {
            settings: PrescanSettings::default(),
            origin: None,
            requests: vec![PlannedRequest {
                index: 0,
                method: "GET".into(),
                url: "http://127.0.0.1:4010/pets".into(),
                headers: vec![("Authorization".into(), format!("Bearer {secret}"))],
                withheld_headers: Vec::new(),
                placeholders_left_out: Vec::new(),
                body: None,
                content_type: None,
            }],
            skipped: Vec::new(),
            total_entries: 1,
            entries: Vec::new(),
        };
        PrescanReport::new(plan, Vec::new(), 1)
    }

    fn first_scan(state: &StoreState) -> (AnalysisId, ScanId) {
        let a = &state.analyses[0];
        (a.id, a.scans[0].id)
    }

    #[test]
    fn the_last_prescan_survives_a_save_and_load() {
        let store = MemoryStore::new("Ana", || 1_000);
        store.add_demo();
        let mut state = store.state().clone();
        let (_, scan) = first_scan(&state);
        assert!(state.last_prescan(scan).is_none());
        state.save_prescan(scan, sample_prescan("old"), &crate::ScanAuth::default());
        state.save_prescan(scan, sample_prescan("new"), &crate::ScanAuth::default());
        assert_eq!(state.last_prescan(scan), Some(&sample_prescan("new")));
        let back = StoreState::from_json(&state.to_json()).expect("loads");
        assert_eq!(back.last_prescan(scan), Some(&sample_prescan("new")));
        assert_eq!(back, state);
        let full = StoreState::from_json(&state.export_json(true)).expect("loads");
        assert_eq!(full.last_prescan(scan), Some(&sample_prescan("new")));
    }

    #[test]
    fn a_saved_prescan_keeps_no_credential_value() {
        let store = MemoryStore::new("Ana", || 1_000);
        store.add_demo();
        let mut state = store.state().clone();
        let (_, scan) = first_scan(&state);
        // Typed on the Prescan page for this run.
        let typed = crate::ScanAuth {
            bearer: Some("typed-for-this-run".into()),
            ..Default::default()
        };
        state.save_prescan(scan, sample_prescan("typed-for-this-run"), &typed);
        // The scan's own credentials, also masked.
        for s in state.analyses.iter_mut().flat_map(|a| a.scans.iter_mut()) {
            if s.id == scan {
                s.auth.bearer = Some("stored-with-the-scan".into());
            }
        }
        let mut other = sample_prescan("stored-with-the-scan");
        other.plan.requests[0]
            .headers
            .push(("X-Typed".into(), "typed-for-this-run".into()));
        state.save_prescan(scan, other, &typed);
        let text = serde_json::to_string(&state.prescans).unwrap();
        assert!(!text.contains("typed-for-this-run"), "{text}");
        assert!(!text.contains("stored-with-the-scan"), "{text}");
        assert!(text.contains(crate::api::REDACTED));
    }

    #[test]
    fn an_export_without_credentials_leaves_the_prescans_out() {
        let store = MemoryStore::new("Ana", || 1_000);
        store.add_demo();
        let mut state = store.state().clone();
        let (_, scan) = first_scan(&state);
        state.save_prescan(
            scan,
            sample_prescan("s3cr3t-token"),
            &crate::ScanAuth::default(),
        );
        let text = state.export_json(false);
        assert!(!text.contains("s3cr3t-token"));
        let back = StoreState::from_json(&text).expect("loads");
        assert!(back.prescans.is_empty());
        assert!(state.export_json(true).contains("s3cr3t-token"));
    }

    #[test]
    fn deleting_an_analysis_drops_its_prescans() {
        let store = MemoryStore::new("Ana", || 1_000);
        store.add_demo();
        let mut state = store.state().clone();
        let deletable: Vec<(AnalysisId, ScanId)> = state
            .analyses
            .iter()
            .filter(|a| a.check(AnalysisAction::Delete).is_ok())
            .map(|a| (a.id, a.scans[0].id))
            .collect();
        let (id, scan) = deletable[0];
        let other = state
            .analyses
            .iter()
            .find(|a| a.id != id)
            .map(|a| a.scans[0].id)
            .expect("another analysis");
        state.save_prescan(scan, sample_prescan("a"), &crate::ScanAuth::default());
        state.save_prescan(other, sample_prescan("b"), &crate::ScanAuth::default());
        state.delete(id).expect("deleted");
        assert!(state.last_prescan(scan).is_none());
        assert!(state.last_prescan(other).is_some());
        state.remove_demo();
        assert!(state.prescans.is_empty());
    }

    #[test]
    fn an_older_save_without_prescans_loads() {
        let store = MemoryStore::new("Ana", || 1_000);
        store.add_demo();
        let state = store.state().clone();
        let mut value: serde_json::Value = serde_json::from_str(&state.to_json()).unwrap();
        value.as_object_mut().unwrap().remove("prescans");
        let text = value.to_string();
        assert!(!text.contains("prescans"));
        let back = StoreState::from_json(&text).expect("loads");
        assert!(back.prescans.is_empty());
        assert_eq!(back, state);
        let minimal = format!(r#"{{"version":{STORE_VERSION},"next_id":1,"analyses":[]}}"#);
        let empty = StoreState::from_json(&minimal).expect("loads");
        assert!(empty.prescans.is_empty());
    }

    #[test]
    fn a_prescan_of_an_unknown_scan_is_dropped_on_load() {
        let mut state = StoreState::new();
        state.save_prescan(ScanId(42), sample_prescan("x"), &crate::ScanAuth::default());
        let back = StoreState::from_json(&state.to_json()).expect("loads");
        assert!(back.prescans.is_empty());
    }

    #[test]
    fn a_prescan_is_logged_and_notified() {
        let store = MemoryStore::new("Ana", || 1_000);
        let id = store.add_demo()[0];
        let before = store.state().activity(id).map(<[_]>::len).unwrap_or(0);
        let n = store
            .with_state_mut(|s| {
                s.record_prescan(id, false, "3 requests, 1 network error.", "Ana", 5_000)
            })
            .unwrap();
        assert_eq!(n.kind, NotificationKind::PrescanFailed);
        assert_eq!(n.analysis_id, id);
        assert_eq!(n.detail, "3 requests, 1 network error.");
        let state = store.state();
        let log = state.activity(id).unwrap();
        assert_eq!(log.len(), before + 1);
        let last = log.last().unwrap();
        assert_eq!(last.at_ms, 5_000);
        assert_eq!(last.actor, Actor::user("Ana"));
        assert!(last.details.starts_with("Prescan failed. 3 requests"));
        assert!(last
            .details
            .ends_with("The prescan of a Dynamic Analysis failed."));
        drop(state);
        let ok = store.with_state_mut(|s| s.record_prescan(id, true, "", "Ana", 6_000));
        assert_eq!(ok.unwrap().kind, NotificationKind::PrescanSucceeded);
        let missing =
            store.with_state_mut(|s| s.record_prescan(AnalysisId(999_999), true, "", "Ana", 0));
        assert!(matches!(missing, Err(StoreError::AnalysisNotFound(_))));
    }

    /// A store with the demo data (specifications with bytes) and a
    /// prescan.
    fn full_state() -> StoreState {
        let store = MemoryStore::new("Ana", || 1_000);
        store.add_demo();
        let mut state = store.state().clone();
        let (_, scan) = first_scan(&state);
        state.save_prescan(scan, sample_prescan("kept"), &crate::ScanAuth::default());
        assert!(!state.specifications.is_empty());
        assert!(state.specifications.iter().all(|s| !s.bytes.is_empty()));
        state
    }

    #[test]
    fn a_state_without_bytes_round_trips_with_the_bytes_put_back() {
        let state = full_state();
        let slim = state.to_json_without_bytes();
        for spec in &state.specifications {
            assert!(
                !slim.contains(&crate::encode::base64(&spec.bytes)),
                "bytes left in the saved state"
            );
        }
        assert!(slim.len() < state.to_json().len());
        let saved = StoreState::from_saved_json(&slim).expect("loads");
        let ids: Vec<SpecId> = state.specifications.iter().map(|s| s.record.id).collect();
        assert_eq!(saved.bytes_apart, ids);
        let mut back = saved.state;
        assert!(back.specifications.iter().all(|s| s.bytes.is_empty()));
        for (spec, original) in back.specifications.iter_mut().zip(&state.specifications) {
            spec.bytes = original.bytes.clone();
        }
        assert_eq!(back, state);
    }

    #[test]
    fn an_older_save_with_the_bytes_inline_still_loads() {
        let state = full_state();
        let saved = StoreState::from_saved_json(&state.to_json()).expect("loads");
        assert!(saved.bytes_apart.is_empty());
        assert_eq!(saved.state, state);
    }

    #[test]
    fn an_export_holds_the_bytes_and_its_import_restores_them() {
        let state = full_state();
        for credentials in [false, true] {
            let export = state.export_json(credentials);
            let back = StoreState::from_json(&export).expect("imports");
            assert_eq!(back.specifications, state.specifications);
        }
        // A save without bytes is not an export: importing it is refused
        // rather than giving specifications without their files.
        assert!(matches!(
            StoreState::from_json(&state.to_json_without_bytes()),
            Err(ImportError::Corrupt { .. })
        ));
    }

    #[test]
    fn a_saved_specification_without_bytes_or_marker_is_refused() {
        let state = full_state();
        let slim = state.to_json_without_bytes();
        let unmarked = slim.replace("\"bytes_apart\":true,", "");
        assert_ne!(unmarked, slim);
        assert!(matches!(
            StoreState::from_saved_json(&unmarked),
            Err(ImportError::Corrupt { .. })
        ));
        let other_version = slim.replacen("\"version\":1", "\"version\":9", 1);
        assert!(matches!(
            StoreState::from_saved_json(&other_version),
            Err(ImportError::OtherVersion { .. })
        ));
    }
}
