//! Analyses, their scans, schedules and runs.

use serde::{Deserialize, Serialize};

use crate::people::Visibility;
use std::fmt;

use super::outcome::Outcome;
use super::status::{
    AnalysisStatus, Badge, ScanStatus, IN_PROGRESS_WARNING_API_NAME,
    IN_PROGRESS_WARNING_DESCRIPTION,
};
use super::time::{format_rfc3339, DAY_MS, HOUR_MS};
use crate::scope::Scope;
use crate::values::ValueOverrides;
use crate::{ScanAuth, SourceFile, SpecFormat, Specification};

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub u64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    };
}

id_type!(
    /// The id of an analysis (unique in a store, never reused).
    AnalysisId
);
id_type!(
    /// The id of a scan (unique in a store).
    ScanId
);
id_type!(
    /// The id of a stored specification file.
    SpecId
);

/// The shortest analysis name allowed.
pub const NAME_MIN_CHARS: usize = 6;
/// The longest analysis name allowed.
pub const NAME_MAX_CHARS: usize = 256;
/// How far ahead a start time may be: 90 days.
pub const MAX_START_AHEAD_MS: i64 = 90 * DAY_MS;
/// How far in the past a start time may be (the time it takes to fill in a
/// form): 10 minutes.
pub const START_GRACE_MS: i64 = 10 * 60_000;
/// The longest scan duration allowed, in hours: 30 days (unconfirmed for
/// Veracode; a sane bound).
pub const MAX_DURATION_HOURS: u32 = 30 * 24;

/// When an analysis starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Start {
    /// As soon as it is submitted.
    Now,
    /// At a time, in milliseconds since the epoch.
    At(i64),
    /// Not scheduled: the analysis is "Saved for Later".
    Unscheduled,
}

/// How long a run may scan before it is stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ScanDuration {
    /// A number of hours.
    Hours(u32),
    /// A number of days.
    Days(u32),
}

impl ScanDuration {
    /// The duration in hours.
    pub fn hours(self) -> u64 {
        match self {
            ScanDuration::Hours(h) => u64::from(h),
            ScanDuration::Days(d) => u64::from(d) * 24,
        }
    }

    /// The duration in milliseconds.
    pub fn ms(self) -> i64 {
        (self.hours().min(u64::from(u32::MAX)) as i64) * HOUR_MS
    }
}

impl fmt::Display for ScanDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            ScanDuration::Hours(1) => f.write_str("1 hour"),
            ScanDuration::Hours(h) => write!(f, "{h} hours"),
            ScanDuration::Days(1) => f.write_str("1 day"),
            ScanDuration::Days(d) => write!(f, "{d} days"),
        }
    }
}

/// An analysis's schedule: when it starts and how long it may scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schedule {
    /// When it starts.
    pub start: Start,
    /// How long it may scan.
    pub duration: ScanDuration,
}

impl Schedule {
    /// Start now, scan for up to `duration`.
    pub fn now(duration: ScanDuration) -> Self {
        Schedule {
            start: Start::Now,
            duration,
        }
    }

    /// Checks the schedule at time `now_ms`: a duration from 1 hour to
    /// [`MAX_DURATION_HOURS`], a start time not in the past (beyond
    /// [`START_GRACE_MS`]) and at most 90 days ahead.
    pub fn validate(&self, now_ms: i64) -> Result<(), String> {
        let hours = self.duration.hours();
        if hours == 0 {
            return Err("Enter a scan duration of at least 1 hour.".into());
        }
        if hours > u64::from(MAX_DURATION_HOURS) {
            return Err(format!(
                "Enter a scan duration of at most {} days.",
                MAX_DURATION_HOURS / 24
            ));
        }
        if let Start::At(at) = self.start {
            if at < now_ms.saturating_sub(START_GRACE_MS) {
                return Err(
                    "The start time is in the past. Choose a later time or start now.".into(),
                );
            }
            if at > now_ms.saturating_add(MAX_START_AHEAD_MS) {
                return Err("Choose a start time at most 90 days from now.".into());
            }
        }
        Ok(())
    }
}

impl fmt::Display for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.start {
            Start::Now => write!(f, "Start now, for {}", self.duration),
            Start::At(ms) => write!(f, "Start at {}, for {}", format_rfc3339(ms), self.duration),
            Start::Unscheduled => write!(f, "Not scheduled (duration {})", self.duration),
        }
    }
}

/// The API specification an API specification scan scans.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpecScan {
    /// The stored original file ([`SpecRecord::id`]).
    pub spec_id: SpecId,
    /// Its file name.
    pub file_name: String,
    /// Its format.
    pub format: SpecFormat,
    /// How many endpoints it has.
    pub endpoint_count: usize,
    /// The servers it declares.
    pub servers: Vec<String>,
    /// The server chosen to scan (one of `servers`, or a base URL the user
    /// typed); `None` for the first server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
}

/// What a scan scans.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ScanTarget {
    /// An API specification scan.
    ApiSpecification(SpecScan),
    /// A URL scan (a web application).
    Url(String),
}

impl ScanTarget {
    /// An API specification scan of a stored specification.
    pub fn specification(record: &SpecRecord, server: Option<String>) -> Self {
        ScanTarget::ApiSpecification(SpecScan {
            spec_id: record.id,
            file_name: record.file_name.clone(),
            format: record.format,
            endpoint_count: record.endpoint_count,
            servers: record.servers.clone(),
            server,
        })
    }

    /// The name a table shows: the file name or the URL.
    pub fn name(&self) -> &str {
        match self {
            ScanTarget::ApiSpecification(s) => &s.file_name,
            ScanTarget::Url(url) => url,
        }
    }

    /// The name the activity log shows: [`ScanTarget::name`] with any
    /// password in a URL masked.
    pub fn log_name(&self) -> String {
        match self {
            ScanTarget::ApiSpecification(s) => s.file_name.clone(),
            ScanTarget::Url(url) => without_password(url),
        }
    }

    /// The origin its requests go to: a URL scan's URL, or an API
    /// specification scan's chosen server (its first server when none was
    /// chosen). `None` when that is not an absolute `http(s)` URL (a
    /// relative server, say).
    pub fn origin(&self) -> Option<crate::prescan::Origin> {
        match self {
            ScanTarget::Url(url) => crate::prescan::Origin::of(url),
            ScanTarget::ApiSpecification(s) => s
                .server
                .as_deref()
                .or(s.servers.first().map(String::as_str))
                .and_then(crate::prescan::Origin::of),
        }
    }

    /// "API specification" or "URL".
    pub fn kind_label(&self) -> &'static str {
        match self {
            ScanTarget::ApiSpecification(_) => "API specification",
            ScanTarget::Url(_) => "URL",
        }
    }
}

/// One scan of an analysis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scan {
    /// Its id.
    pub id: ScanId,
    /// What it scans.
    pub target: ScanTarget,
    /// Its status.
    pub status: ScanStatus,
    /// The credentials it sends. Secret: never written to the activity log.
    #[serde(default, skip_serializing_if = "ScanAuth::is_empty")]
    pub auth: ScanAuth,
    /// Which endpoints it sends requests to (API specification scans; the
    /// default includes every endpoint). Changes are logged.
    #[serde(default, skip_serializing_if = "Scope::is_empty")]
    pub scope: Scope,
    /// The values the user gives for parameters and body properties (API
    /// specification scans). Not secret: changes are logged with them.
    #[serde(default, skip_serializing_if = "ValueOverrides::is_empty")]
    pub values: ValueOverrides,
}

impl Scan {
    /// The name a table shows (file name or URL).
    pub fn name(&self) -> &str {
        self.target.name()
    }

    /// The badge of its status.
    pub fn badge(&self) -> Badge {
        self.status.into()
    }
}

/// A scan as a create or edit form gives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanDraft {
    /// The scan it edits, or `None` for a new scan.
    #[serde(default)]
    pub id: Option<ScanId>,
    /// What it scans.
    pub target: ScanTarget,
    /// The credentials it sends.
    #[serde(default)]
    pub auth: ScanAuth,
    /// Whether `auth` was entered for this draft's target, rather than
    /// carried over from the scan it edits. Credentials are given for one
    /// origin: carried-over ones are cleared when the target moves to
    /// another origin, so that they never reach a server they were not
    /// given for.
    #[serde(default)]
    pub auth_entered: bool,
    /// Which endpoints it sends requests to.
    #[serde(default)]
    pub scope: Scope,
    /// The values given for parameters and body properties.
    #[serde(default)]
    pub values: ValueOverrides,
}

impl ScanDraft {
    /// A new scan of `target` without credentials.
    pub fn new(target: ScanTarget) -> Self {
        ScanDraft {
            id: None,
            target,
            auth: ScanAuth::default(),
            auth_entered: false,
            scope: Scope::default(),
            values: ValueOverrides::default(),
        }
    }

    /// The draft of an existing scan as it is, its credentials carried over.
    pub fn of(scan: &Scan) -> Self {
        ScanDraft {
            id: Some(scan.id),
            target: scan.target.clone(),
            auth: scan.auth.clone(),
            auth_entered: false,
            scope: scan.scope.clone(),
            values: scan.values.clone(),
        }
    }
}

/// One run of an analysis (a Veracode "analysis occurrence"), from
/// submission to its settled status, with the simulated engine's
/// bookkeeping.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Run {
    /// 1 for the first run.
    pub number: u32,
    /// Whether the run began with a prescan.
    pub prescan: bool,
    /// When it was submitted.
    pub submitted_ms: i64,
    /// When scanning started (In Progress), if it did.
    #[serde(default)]
    pub started_ms: Option<i64>,
    /// When the scan duration ends.
    pub deadline_ms: i64,
    /// When it reached its settled status, if it has.
    #[serde(default)]
    pub ended_ms: Option<i64>,
    /// The settled status, once reached.
    #[serde(default)]
    pub final_status: Option<AnalysisStatus>,
    /// What the simulated engine makes of it.
    pub outcome: Outcome,
    /// When the analysis entered its current status during this run.
    pub since_ms: i64,
    /// When the engine moves it on next; `None` until the engine plans it.
    #[serde(default)]
    pub next_step_ms: Option<i64>,
    /// While paused: how long the interrupted step had left.
    #[serde(default)]
    pub paused_remaining_ms: Option<i64>,
    /// How this run's prescan ended, and whether a real prescan (sent from
    /// a browser or the server) or the simulated engine decided it. A real
    /// outcome is never replaced by a simulated one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prescan_result: Option<PrescanResult>,
}

impl Run {
    /// Whether the run is still under way.
    pub fn is_active(&self) -> bool {
        self.ended_ms.is_none()
    }

    /// The outcome of a real prescan recorded during this run, if any.
    pub fn real_prescan(&self) -> Option<bool> {
        self.prescan_result
            .filter(|r| r.origin == PrescanOrigin::Real)
            .map(|r| r.succeeded)
    }
}

/// Who decided a prescan's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PrescanOrigin {
    /// A prescan that sent real requests (from a browser or the server).
    Real,
    /// The simulated scan engine, which sends nothing.
    Simulated,
}

/// How a run's prescan ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrescanResult {
    /// Whether it succeeded.
    pub succeeded: bool,
    /// Who decided it.
    pub origin: PrescanOrigin,
    /// When, in milliseconds since the epoch.
    pub at_ms: i64,
}

/// A Dynamic Analysis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Analysis {
    /// Its id.
    pub id: AnalysisId,
    /// Its unique name (6 to 256 characters).
    pub name: String,
    /// Its status.
    pub status: AnalysisStatus,
    /// Whether one or more scans of the current run failed verification
    /// (In Progress then shows the warning icon).
    #[serde(default)]
    pub has_verification_failures: bool,
    /// Its scans.
    pub scans: Vec<Scan>,
    /// Its schedule.
    pub schedule: Schedule,
    /// Whether a run begins with a prescan.
    pub prescan: bool,
    /// When it was created.
    pub created_ms: i64,
    /// Who created it.
    pub created_by: String,
    /// When it was last changed by a user.
    pub modified_ms: i64,
    /// Who last changed it.
    pub modified_by: String,
    /// Its runs, oldest first.
    #[serde(default)]
    pub runs: Vec<Run>,
    /// Whether it is demo data (removable with
    /// [`crate::analysis::StoreState::remove_demo`]).
    #[serde(default)]
    pub demo: bool,
    /// Who may see it besides the security leads and its creator (an
    /// analysis saved before visibility existed: security leads only).
    #[serde(default)]
    pub visibility: Visibility,
    /// Who last set its schedule (creating it, changing its schedule,
    /// running it again), when not its creator: the schedule owner, who
    /// receives its prescan and failure notifications.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule_set_by: Option<String>,
}

impl Analysis {
    /// The person its prescan and failure notifications go to: "the person
    /// who created the Dynamic Analysis scans or the last person who
    /// modified a schedule".
    pub fn schedule_owner(&self) -> &str {
        self.schedule_set_by.as_deref().unwrap_or(&self.created_by)
    }

    /// The badge of its status: "In Progress" with the warning icon and
    /// tone when a scan failed verification.
    pub fn badge(&self) -> Badge {
        let mut badge: Badge = self.status.into();
        if self.shows_warning_icon() {
            badge.icon = super::status::StatusIcon::Warning;
            badge.tone = super::status::Tone::Warning;
            badge.description = IN_PROGRESS_WARNING_DESCRIPTION;
        }
        badge
    }

    /// Whether the status is "In Progress + showing a warning icon".
    pub fn shows_warning_icon(&self) -> bool {
        self.status == AnalysisStatus::InProgress && self.has_verification_failures
    }

    /// The REST API's name of its status (`IN_PROGRESS_WITH_WARNING` for
    /// In Progress with the warning icon).
    pub fn api_status(&self) -> Option<&'static str> {
        if self.shows_warning_icon() {
            Some(IN_PROGRESS_WARNING_API_NAME)
        } else {
            self.status.api_name()
        }
    }

    /// Whether it has never run (no run was ever submitted).
    pub fn never_ran(&self) -> bool {
        self.runs.is_empty()
    }

    /// The current run, if one is under way.
    pub fn active_run(&self) -> Option<&Run> {
        self.runs.last().filter(|r| r.is_active())
    }

    /// When the latest run was submitted.
    pub fn last_run_ms(&self) -> Option<i64> {
        self.runs.last().map(|r| r.submitted_ms)
    }

    /// When the next run starts: the start time while Scheduled.
    pub fn next_run_ms(&self) -> Option<i64> {
        match (self.status, self.schedule.start) {
            (AnalysisStatus::Scheduled, Start::At(ms)) => Some(ms),
            _ => None,
        }
    }

    /// Whether its status was set by the simulated scan engine: every
    /// status of a run after it was submitted (no scan is really sent), but
    /// not Scheduled or Saved for Later, and not All Verifications Failed
    /// when a real prescan failed.
    pub fn status_is_simulated(&self) -> bool {
        let Some(run) = self.runs.last() else {
            return false;
        };
        match self.status {
            AnalysisStatus::Scheduled | AnalysisStatus::SavedForLater => false,
            AnalysisStatus::AllVerificationsFailed => run.real_prescan() != Some(false),
            _ => true,
        }
    }

    /// What the simulation means for the current status, in a sentence for
    /// the analysis page: `None` when the status is not simulated.
    pub fn simulation_note(&self) -> Option<String> {
        if !self.status_is_simulated() {
            return None;
        }
        let real = self.runs.last().and_then(Run::real_prescan);
        let prescan = match real {
            Some(true) => " The prescan was real and succeeded.",
            Some(false) => " The prescan was real and failed.",
            None => "",
        };
        Some(match self.status {
            AnalysisStatus::NotSubmitted => format!(
                "Simulated: the simulated scan engine makes about one run in twenty fail its submission, to show this status. Nothing was sent anywhere and nothing is wrong with your configuration: use Run again.{prescan}"
            ),
            AnalysisStatus::StoppedTechnicalIssue => format!(
                "Simulated: the simulated scan engine stops about one run in twenty with a technical issue, to show this status. Nothing was scanned: use Run again.{prescan}"
            ),
            AnalysisStatus::AllVerificationsFailed => format!(
                "Simulated: the simulated scan engine made every verification fail, to show this status. No request was sent: run a real prescan from View Prescan Details to check your API.{prescan}"
            ),
            s if s.has_results() => format!(
                "Simulated: this run was simulated; no request was sent to your API, so there are no findings. The results summary below says what a run like it covers.{prescan}"
            ),
            _ => format!(
                "Simulated: a simulated scan engine moves this run through Veracode's statuses; no request is sent to your API.{prescan}"
            ),
        })
    }

    /// Its scans that failed verification.
    pub fn failed_scans(&self) -> impl Iterator<Item = &Scan> {
        self.scans.iter().filter(|s| s.status.failed_verification())
    }
}

/// What a create form gives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAnalysis {
    /// The name (trimmed; unique, 6 to 256 characters).
    pub name: String,
    /// The scans (at least one).
    pub scans: Vec<ScanDraft>,
    /// The schedule.
    pub schedule: Schedule,
    /// Whether runs begin with a prescan.
    pub prescan: bool,
    /// The "I have permission to scan" certification: must be true.
    pub permission_certified: bool,
    /// Who may see it besides the security leads and its creator.
    #[serde(default)]
    pub visibility: Visibility,
}

/// What an edit form changes; `None` leaves a field as it is. Giving a
/// schedule (re)applies it: `Start::Now` submits a new run, `Start::At`
/// schedules one, `Start::Unscheduled` saves the analysis for later.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnalysisUpdate {
    /// A new name.
    #[serde(default)]
    pub name: Option<String>,
    /// The new list of scans (scans with an id keep it; scans left out are
    /// removed).
    #[serde(default)]
    pub scans: Option<Vec<ScanDraft>>,
    /// A new schedule.
    #[serde(default)]
    pub schedule: Option<Schedule>,
    /// The prescan switch.
    #[serde(default)]
    pub prescan: Option<bool>,
    /// A new visibility.
    #[serde(default)]
    pub visibility: Option<Visibility>,
}

/// A stored specification file: what the list of specifications shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpecRecord {
    /// Its id.
    pub id: SpecId,
    /// Its file name.
    pub file_name: String,
    /// `info.title` or the collection's name.
    #[serde(default)]
    pub title: String,
    /// Its format.
    pub format: SpecFormat,
    /// How many endpoints it has.
    pub endpoint_count: usize,
    /// The servers it declares.
    #[serde(default)]
    pub servers: Vec<String>,
    /// Its size in bytes (of all its files together).
    pub size: usize,
    /// Every file of a specification split over several files: the root
    /// (`file_name`) first, then the others in the order they were given.
    /// Empty for a specification of one file (see [`SpecRecord::file_list`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<SpecFileInfo>,
    /// When it was uploaded.
    pub uploaded_ms: i64,
    /// Who uploaded it.
    pub uploaded_by: String,
    /// Who may see it besides the security leads and its uploader.
    #[serde(default)]
    pub visibility: Visibility,
}

/// One file of a stored specification, as lists show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpecFileInfo {
    /// Its name: the label its references are resolved against
    /// (`schemas/pet.yaml`).
    pub name: String,
    /// Its size in bytes.
    pub size: usize,
}

impl SpecRecord {
    /// Every file of the specification, the root first: [`SpecRecord::files`],
    /// or the one file (`file_name`, `size`) of a specification of one file.
    pub fn file_list(&self) -> Vec<SpecFileInfo> {
        if self.files.is_empty() {
            vec![SpecFileInfo {
                name: self.file_name.clone(),
                size: self.size,
            }]
        } else {
            self.files.clone()
        }
    }
}

/// A specification to store: the original bytes and what the spec preview
/// found in them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecUpload {
    /// The file name.
    pub file_name: String,
    /// The title.
    pub title: String,
    /// The format.
    pub format: SpecFormat,
    /// How many endpoints.
    pub endpoint_count: usize,
    /// The servers.
    pub servers: Vec<String>,
    /// The original bytes, unchanged (of the root, for a specification
    /// split over several files).
    pub bytes: Vec<u8>,
    /// The other files of a specification split over several files, in the
    /// order they were given; empty for one file.
    pub others: Vec<SourceFile>,
}

impl SpecUpload {
    /// The upload of a specification the spec preview loaded from `bytes`.
    pub fn from_specification(spec: &Specification, bytes: Vec<u8>) -> Self {
        SpecUpload {
            file_name: spec.file_name.clone(),
            title: spec.title.clone(),
            format: spec.format,
            endpoint_count: spec.endpoints.len(),
            servers: spec
                .servers
                .iter()
                .map(|s| s.resolved_url.clone())
                .collect(),
            bytes,
            others: Vec::new(),
        }
    }

    /// The upload of a specification the spec preview loaded from `files`
    /// (with [`crate::convert_files`]): the root (`spec.file_name`, or the
    /// first file) becomes `file_name` and `bytes`, the others keep their
    /// order. Root first, the same files convert to the same root again.
    pub fn from_files(spec: &Specification, mut files: Vec<SourceFile>) -> Self {
        let root = files
            .iter()
            .position(|f| f.name == spec.file_name)
            .unwrap_or(0);
        let root = if files.is_empty() {
            SourceFile {
                name: spec.file_name.clone(),
                bytes: Vec::new(),
            }
        } else {
            files.remove(root)
        };
        let mut upload = SpecUpload::from_specification(spec, root.bytes);
        upload.file_name = root.name;
        upload.others = files;
        upload
    }

    /// Every file, the root first.
    pub fn files(&self) -> impl Iterator<Item = (&str, &[u8])> {
        std::iter::once((self.file_name.as_str(), self.bytes.as_slice())).chain(
            self.others
                .iter()
                .map(|f| (f.name.as_str(), f.bytes.as_slice())),
        )
    }

    /// The bytes of all the files together.
    pub fn total_bytes(&self) -> usize {
        self.files().map(|(_, b)| b.len()).sum()
    }

    /// The files as a record lists them: empty for one file.
    pub fn file_infos(&self) -> Vec<SpecFileInfo> {
        if self.others.is_empty() {
            return Vec::new();
        }
        self.files()
            .map(|(name, bytes)| SpecFileInfo {
                name: name.to_owned(),
                size: bytes.len(),
            })
            .collect()
    }
}

/// A URL without the password of its user information
/// (`https://user:***@host/`), for the activity log.
pub(crate) fn without_password(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_string();
    };
    let rest = &url[scheme_end + 3..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    match authority.rfind('@') {
        Some(at) => {
            let user = authority[..at].split(':').next().unwrap_or_default();
            format!("{}{user}:***@{}", &url[..scheme_end + 3], &rest[at + 1..])
        }
        None => url.to_string(),
    }
}
