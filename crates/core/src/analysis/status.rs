//! The statuses of a Dynamic Analysis and of its scans, exactly as Veracode's
//! documentation labels and describes them, with the tone and icon a status
//! badge shows and the REST API's spelling.

use serde::{Deserialize, Serialize};
use std::fmt;

/// How a status feels: the colour family of its badge (never shown alone:
/// the badge also carries the label and an icon).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Tone {
    /// Finished well: results are available.
    Success,
    /// Something is happening; no action needed.
    InProgress,
    /// Finished or running with a problem that reduces the results.
    Warning,
    /// Failed: the user has to do something.
    Error,
    /// At rest: scheduled, saved, stopped by a user.
    Neutral,
}

impl Tone {
    /// A short lowercase name for CSS classes and test ids (`success`,
    /// `in-progress`, `warning`, `error`, `neutral`).
    pub fn css_name(self) -> &'static str {
        match self {
            Tone::Success => "success",
            Tone::InProgress => "in-progress",
            Tone::Warning => "warning",
            Tone::Error => "error",
            Tone::Neutral => "neutral",
        }
    }
}

/// The icon of a status badge; the web app maps each to an SVG.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum StatusIcon {
    /// A check mark: completed, results available.
    Check,
    /// Something running (a spinner or play sign).
    Running,
    /// An hourglass: waiting (submitted, queued) or Veracode verifying.
    Hourglass,
    /// A warning triangle.
    Warning,
    /// A cross: failed.
    Error,
    /// A calendar: scheduled.
    Calendar,
    /// Two bars: paused, pausing or resuming.
    Pause,
    /// A square: stopped.
    Stop,
    /// A document: saved, not scheduled.
    Draft,
}

/// Where a status label comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum StatusOrigin {
    /// A row of a status table in Veracode's documentation.
    SeedTable,
    /// Only the documentation's list of statuses in which an analysis can be
    /// edited ("Published - Results Available", "Saved for Later").
    SeedEditingList,
    /// Not in the documentation's tables; the REST API has it (`PAUSED`,
    /// `NOT_RUN`) and the lifecycle needs it.
    RestApi,
}

/// Everything a badge or a filter needs to know about one status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusInfo {
    /// The label, exactly as the documentation writes it.
    pub label: &'static str,
    /// What it means, as the documentation says it.
    pub description: &'static str,
    /// What the other version of the documentation adds, if anything.
    pub note: Option<&'static str>,
    /// The badge's tone.
    pub tone: Tone,
    /// The badge's icon.
    pub icon: StatusIcon,
    /// The REST API's enum value, where one corresponds.
    pub api_name: Option<&'static str>,
    /// Where the label comes from.
    pub origin: StatusOrigin,
}

const fn info(
    label: &'static str,
    description: &'static str,
    tone: Tone,
    icon: StatusIcon,
    api_name: Option<&'static str>,
) -> StatusInfo {
    StatusInfo {
        label,
        description,
        note: None,
        tone,
        icon,
        api_name,
        origin: StatusOrigin::SeedTable,
    }
}

const fn with_note(mut i: StatusInfo, note: &'static str) -> StatusInfo {
    i.note = Some(note);
    i
}

const fn with_origin(mut i: StatusInfo, origin: StatusOrigin) -> StatusInfo {
    i.origin = origin;
    i
}

use StatusIcon as I;
use Tone as T;

/// The status of a Dynamic Analysis (its latest run, or its schedule).
///
/// "In Progress + showing a warning icon" is not a separate status: it is
/// [`AnalysisStatus::InProgress`] with
/// [`crate::analysis::Analysis::has_verification_failures`] set; see
/// [`crate::analysis::Analysis::badge`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum AnalysisStatus {
    /// `Completed - Verifying Results`.
    CompletedVerifyingResults,
    /// `Completed - Verifying Partial Results`.
    CompletedVerifyingPartialResults,
    /// `Completed - Partial Results Available`.
    CompletedPartialResultsAvailable,
    /// `Completed - Results Available`.
    CompletedResultsAvailable,
    /// `In Progress` (with or without the warning icon).
    InProgress,
    /// `Not Submitted`.
    NotSubmitted,
    /// `Prescanning`.
    Prescanning,
    /// `Queued`.
    Queued,
    /// `Scheduled`.
    Scheduled,
    /// `Stopped - Deleting Results`.
    StoppedDeletingResults,
    /// `Stopped - Saving Results`.
    StoppedSavingResults,
    /// `Stopped - Scan Duration Ended`.
    StoppedScanDurationEnded,
    /// `Stopped - Scan Duration Ended With Partial Results`.
    StoppedScanDurationEndedWithPartialResults,
    /// `Stopped - Technical Issue`.
    StoppedTechnicalIssue,
    /// `Stopped - Verifying Results`.
    StoppedVerifyingResults,
    /// `Stopped - Verifying Partial Results`.
    StoppedVerifyingPartialResults,
    /// `Stopped - Partial Results Available`.
    StoppedPartialResultsAvailable,
    /// `Time Expired - Verifying Partial Results`.
    TimeExpiredVerifyingPartialResults,
    /// `Submitted`.
    Submitted,
    /// `All Verifications Failed`.
    AllVerificationsFailed,
    /// `Published - Results Available` (from the editing list).
    PublishedResultsAvailable,
    /// `Saved for Later` (from the editing list): created, never scheduled.
    SavedForLater,
    /// `Paused` (REST API `PAUSED`): a user paused the run.
    Paused,
}

const ANALYSIS_TABLE: [StatusInfo; 23] = [
    info("Completed - Verifying Results", "Dynamic Analysis completed successfully. Veracode is verifying the results, which will be available after the review is complete.", T::InProgress, I::Hourglass, Some("FINISHED_VERIFYING_RESULTS")),
    info("Completed - Verifying Partial Results", "Dynamic Analysis completed with partial results because one or more scans failed verification. Veracode is verifying the results, which will be available after the review is complete.", T::Warning, I::Hourglass, Some("FINISHED_VERIFYING_RESULTS_WITH_WARNING")),
    info("Completed - Partial Results Available", "Dynamic Analysis completed with partial results because a user action, a verification failure, a scan duration timeout, or a system error interrupted the scan.", T::Warning, I::Warning, Some("FINISHED_RESULTS_AVAILABLE_WITH_WARNING")),
    info("Completed - Results Available", "Dynamic Analysis completed successfully. You can now view the results.", T::Success, I::Check, Some("FINISHED_RESULTS_AVAILABLE")),
    info("In Progress", "Dynamic Analysis started and is now running.", T::InProgress, I::Running, Some("IN_PROGRESS")),
    info("Not Submitted", "A technical issue occurred. Try submitting your Dynamic Analysis again.", T::Error, I::Error, Some("NOT_SUBMITTED")),
    info("Prescanning", "Veracode is performing a prescan of the URLs to verify connection and authentication settings.", T::InProgress, I::Running, None),
    info("Queued", "Dynamic Analysis is submitted and waiting for available scan capacity.", T::InProgress, I::Hourglass, None),
    info("Scheduled", "Dynamic Analysis is scheduled.", T::Neutral, I::Calendar, Some("SCHEDULED")),
    info("Stopped - Deleting Results", "A user stopped the Dynamic Analysis and deleted the results.", T::Neutral, I::Stop, Some("STOPPING_DELETING_RESULT")),
    info("Stopped - Saving Results", "A user stopped the Dynamic Analysis and saved the results.", T::InProgress, I::Stop, Some("STOPPING_SAVING_RESULT")),
    info("Stopped - Scan Duration Ended", "The scan duration limit was reached and the scan was stopped. Increase the scan duration if you need more time for your scan to complete.", T::Warning, I::Stop, Some("STOPPED_TIME")),
    info("Stopped - Scan Duration Ended With Partial Results", "The scan duration limit was reached and the scan was stopped. Veracode now reviews the results and will publish them after the review.", T::Warning, I::Hourglass, Some("STOPPED_TIME_VERIFYING_RESULTS")),
    info("Stopped - Technical Issue", "An issue occurred and the Dynamic Analysis is stopped. Contact Veracode Technical Support if the issue continues.", T::Error, I::Error, Some("STOPPED_TECHNICAL_ISSUE")),
    info("Stopped - Verifying Results", "Dynamic Analysis completed as much as possible. You can now view the results.", T::InProgress, I::Hourglass, Some("STOPPED_VERIFYING_RESULTS")),
    info("Stopped - Verifying Partial Results", "Dynamic Analysis stopped because of user action, a verification failure, a scan duration limit reaching, or a system error. Veracode is verifying the partial results, which will be available after the review.", T::InProgress, I::Hourglass, Some("STOPPED_VERIFYING_RESULTS_BY_USER")),
    info("Stopped - Partial Results Available", "A user stopped the Dynamic Analysis and produced partial results.", T::Neutral, I::Stop, Some("STOPPED_PARTIAL_RESULTS_AVAILABLE")),
    info("Time Expired - Verifying Partial Results", "The scan duration limit reached and Dynamic Analysis produced partial results. Veracode is verifying the partial results, which will be available after the review. Increase the scan duration if you need more time for your Dynamic analysis scan to complete.", T::Warning, I::Hourglass, None),
    info("Submitted", "You successfully submitted the Dynamic Analysis.", T::InProgress, I::Hourglass, Some("SUBMITTED")),
    info("All Verifications Failed", "All scans failed verification, and the Dynamic Analysis cannot run. Review your scan settings and try again.", T::Error, I::Error, Some("VERIFICATION_FAILED")),
    with_origin(info("Published - Results Available", "The results of the Dynamic Analysis are published and now available.", T::Success, I::Check, None), StatusOrigin::SeedEditingList),
    with_origin(info("Saved for Later", "The Dynamic Analysis is saved but not scheduled. Configure it and schedule it when you are ready.", T::Neutral, I::Draft, Some("NOT_RUN")), StatusOrigin::SeedEditingList),
    with_origin(info("Paused", "A user paused the Dynamic Analysis. Resume it to continue scanning; the scan duration keeps running while it is paused.", T::Neutral, I::Pause, Some("PAUSED")), StatusOrigin::RestApi),
];

/// The description of "In Progress + showing a warning icon".
pub const IN_PROGRESS_WARNING_DESCRIPTION: &str =
    "Dynamic Analysis started and is running, but one or more target URLs failed verification.";

/// The REST API's name of "In Progress + showing a warning icon".
pub const IN_PROGRESS_WARNING_API_NAME: &str = "IN_PROGRESS_WITH_WARNING";

impl AnalysisStatus {
    /// Every analysis status: the documentation's table order, then
    /// `Published - Results Available`, `Saved for Later` and `Paused`.
    pub const ALL: [AnalysisStatus; 23] = [
        Self::CompletedVerifyingResults,
        Self::CompletedVerifyingPartialResults,
        Self::CompletedPartialResultsAvailable,
        Self::CompletedResultsAvailable,
        Self::InProgress,
        Self::NotSubmitted,
        Self::Prescanning,
        Self::Queued,
        Self::Scheduled,
        Self::StoppedDeletingResults,
        Self::StoppedSavingResults,
        Self::StoppedScanDurationEnded,
        Self::StoppedScanDurationEndedWithPartialResults,
        Self::StoppedTechnicalIssue,
        Self::StoppedVerifyingResults,
        Self::StoppedVerifyingPartialResults,
        Self::StoppedPartialResultsAvailable,
        Self::TimeExpiredVerifyingPartialResults,
        Self::Submitted,
        Self::AllVerificationsFailed,
        Self::PublishedResultsAvailable,
        Self::SavedForLater,
        Self::Paused,
    ];

    /// The status with this REST API name (`IN_PROGRESS_WITH_WARNING` is
    /// [`AnalysisStatus::InProgress`]).
    pub fn from_api_name(name: &str) -> Option<Self> {
        if name == IN_PROGRESS_WARNING_API_NAME {
            return Some(Self::InProgress);
        }
        Self::ALL.into_iter().find(|s| s.api_name() == Some(name))
    }
}

/// The accessors both status types share, read from their tables.
macro_rules! status_accessors {
    ($status:ty, $table:ident) => {
        impl $status {
            /// Everything known about this status.
            pub fn info(self) -> &'static StatusInfo {
                &$table[self as usize]
            }

            /// The label, exactly as the documentation writes it.
            pub fn label(self) -> &'static str {
                self.info().label
            }

            /// What the status means.
            pub fn description(self) -> &'static str {
                self.info().description
            }

            /// The badge's tone.
            pub fn tone(self) -> Tone {
                self.info().tone
            }

            /// The badge's icon.
            pub fn icon(self) -> StatusIcon {
                self.info().icon
            }

            /// The REST API's enum value (`FINISHED_RESULTS_AVAILABLE`), where
            /// one corresponds. The mapping is ours: Veracode publishes none.
            pub fn api_name(self) -> Option<&'static str> {
                self.info().api_name
            }

            /// The status with this exact label.
            pub fn from_label(label: &str) -> Option<Self> {
                Self::ALL.into_iter().find(|s| s.label() == label)
            }
        }

        impl fmt::Display for $status {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.label())
            }
        }
    };
}

status_accessors!(AnalysisStatus, ANALYSIS_TABLE);
status_accessors!(ScanStatus, SCAN_TABLE);

/// The status of one URL scan or API specification scan of an analysis.
///
/// The two versions of the documentation differ: the older calls two
/// statuses `Killed - …`, the newer `Lockout - …`. Both are here; the
/// simulated engine produces the `Lockout` ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ScanStatus {
    /// `Submit Failed`.
    SubmitFailed,
    /// `Scheduled`.
    Scheduled,
    /// `Submitted`.
    Submitted,
    /// `In Progress`.
    InProgress,
    /// `Verification Failed`.
    VerificationFailed,
    /// `Queued with warning`.
    QueuedWithWarning,
    /// `Queued`.
    Queued,
    /// `Stopping - Saving Results`.
    StoppingSavingResults,
    /// `Stopping - Deleting Results`.
    StoppingDeletingResults,
    /// `Stopped`.
    Stopped,
    /// `Site unreachable - Stopped`.
    SiteUnreachableStopped,
    /// `Site unreachable - Verifying Results`.
    SiteUnreachableVerifyingResults,
    /// `Site unreachable - Results Available`.
    SiteUnreachableResultsAvailable,
    /// `Time Expired - Stopped`.
    TimeExpiredStopped,
    /// `Technical Issue - Stopped`.
    TechnicalIssueStopped,
    /// `Time Expired - Verifying Partial Results`.
    TimeExpiredVerifyingPartialResults,
    /// `Time Expired - Partial Results Available`.
    TimeExpiredPartialResultsAvailable,
    /// `Pausing`.
    Pausing,
    /// `Resuming`.
    Resuming,
    /// `Stopped - Verifying Partial Results`.
    StoppedVerifyingPartialResults,
    /// `Stopped - Partial Results Available`.
    StoppedPartialResultsAvailable,
    /// `Scan Error - Verifying Partial Results`.
    ScanErrorVerifyingPartialResults,
    /// `Scan Error - Partial Results Available`.
    ScanErrorPartialResultsAvailable,
    /// `Killed - Verifying Partial Results` (older documentation).
    KilledVerifyingPartialResults,
    /// `Killed - Partial Results Available` (older documentation).
    KilledPartialResultsAvailable,
    /// `Lockout - Verifying Partial Results` (newer documentation).
    LockoutVerifyingPartialResults,
    /// `Lockout - Partial Results Available` (newer documentation).
    LockoutPartialResultsAvailable,
    /// `Completed - Verifying Results`.
    CompletedVerifyingResults,
    /// `Completed - Results Available`.
    CompletedResultsAvailable,
    /// `Crawl Script Error`.
    CrawlScriptError,
    /// `Authentication Error`.
    AuthenticationError,
    /// `Connection Error`.
    ConnectionError,
    /// `Paused` (REST API `PAUSED`): the analysis is paused.
    Paused,
    /// `Not Run` (REST API `NOT_RUN`): the analysis has not been submitted.
    NotRun,
}

const SCAN_TABLE: [StatusInfo; 34] = [
    info("Submit Failed", "Veracode encountered a technical issue and could not scan the URL.", T::Error, I::Error, Some("NOT_SUBMITTED")),
    info("Scheduled", "The URL is scheduled to scan.", T::Neutral, I::Calendar, Some("SCHEDULED")),
    info("Submitted", "Veracode received your scan request.", T::InProgress, I::Hourglass, Some("SUBMITTED")),
    info("In Progress", "The scan has started.", T::InProgress, I::Running, Some("IN_PROGRESS")),
    info("Verification Failed", "Veracode cannot scan the URL. Review the URL configuration and try again.", T::Error, I::Error, Some("VERIFICATION_FAILED")),
    info("Queued with warning", "The scan is in the queue because your subscription has no available capacity.", T::Warning, I::Hourglass, None),
    info("Queued", "The scan is in the queue and ready to start.", T::InProgress, I::Hourglass, None),
    info("Stopping - Saving Results", "A user stopped the scan and saved the results.", T::InProgress, I::Stop, Some("STOPPING_SAVING_RESULT")),
    info("Stopping - Deleting Results", "A user stopped the scan and deleted the results.", T::InProgress, I::Stop, Some("STOPPING_DELETING_RESULT")),
    info("Stopped", "The scan stopped successfully.", T::Neutral, I::Stop, Some("STOPPED")),
    info("Site unreachable - Stopped", "The scan stopped because the site became unreachable. Verify that the site is online and has stable network connectivity.", T::Error, I::Error, None),
    info("Site unreachable - Verifying Results", "The scan stopped because the site became unreachable. Verify that the site is online and has stable network connectivity. Veracode is verifying the results, which will be available after the review.", T::Warning, I::Hourglass, None),
    with_note(info("Site unreachable - Results Available", "The scan stopped because the site became unreachable. Results are available, but coverage may be lower than expected.", T::Warning, I::Warning, None), "The older documentation: Results are available but may have lower than expected coverage due to the early termination of the scan."),
    info("Time Expired - Stopped", "The scan duration limit was reached and the scan was stopped. Increase the scan duration if you need more time.", T::Warning, I::Stop, Some("STOPPED_TIME")),
    info("Technical Issue - Stopped", "Veracode encountered a technical issue and could not continue the scan.", T::Error, I::Error, Some("STOPPED_TECHNICAL_ISSUE")),
    info("Time Expired - Verifying Partial Results", "The scan duration ended and stopped the scan. Veracode is verifying the partial results, which will be available after the review. Increase the scan duration if you need more time for your scan to complete.", T::Warning, I::Hourglass, Some("STOPPED_TIME_VERIFYING_RESULTS")),
    info("Time Expired - Partial Results Available", "The scan duration ended and stopped the scan. Partial results are available. Increase the scan duration if you need more time.", T::Warning, I::Warning, Some("TIME_EXPIRED_PARTIAL_RESULTS_AVAILABLE")),
    info("Pausing", "The scan is scheduled to pause automatically.", T::Neutral, I::Pause, Some("PAUSING")),
    info("Resuming", "The scan is scheduled to resume automatically.", T::InProgress, I::Pause, Some("RESUMING")),
    info("Stopped - Verifying Partial Results", "A user stopped the scan. Veracode is verifying the results, which will be available after the review.", T::InProgress, I::Hourglass, Some("STOPPED_VERIFYING_RESULTS_BY_USER")),
    info("Stopped - Partial Results Available", "A user stopped the scan. Partial results are available.", T::Neutral, I::Stop, Some("STOPPED_PARTIAL_RESULTS_AVAILABLE")),
    info("Scan Error - Verifying Partial Results", "The scan stopped unexpectedly. Veracode is verifying the results, which will be available after the review.", T::Error, I::Hourglass, Some("SCAN_ERROR_VERIFYING_PARTIAL_RESULTS")),
    info("Scan Error - Partial Results Available", "The scan stopped unexpectedly. Partial results are available.", T::Error, I::Warning, Some("SCAN_ERROR_PARTIAL_RESULTS_AVAILABLE")),
    with_note(info("Killed - Verifying Partial Results", "This scan has stopped unexpectedly. Veracode is verifying the results, which will be available after the review is complete.", T::Error, I::Hourglass, Some("KILLED_VERIFYING_PARTIAL_RESULTS")), "The newer documentation calls this status Lockout - Verifying Partial Results: the scan engine stopped the scan after repeated failed sign-in attempts."),
    with_note(info("Killed - Partial Results Available", "The scan engine ended the scan after encountering more than 50 consecutive failures during attempted logins.", T::Error, I::Warning, Some("KILLED_PARTIAL_RESULTS_AVAILABLE")), "The newer documentation calls this status Lockout - Partial Results Available."),
    with_note(info("Lockout - Verifying Partial Results", "The scan engine stopped the scan after repeated failed sign-in attempts. Veracode is verifying the results, which will be available after the review.", T::Error, I::Hourglass, None), "The older documentation calls this status Killed - Verifying Partial Results; the REST API says KILLED_VERIFYING_PARTIAL_RESULTS."),
    with_note(info("Lockout - Partial Results Available", "The scan engine stopped the scan after repeated failed sign-in attempts.", T::Error, I::Warning, None), "The older documentation (Killed - Partial Results Available) says the engine ends the scan after more than 50 consecutive failures during attempted logins; the REST API says KILLED_PARTIAL_RESULTS_AVAILABLE."),
    info("Completed - Verifying Results", "The scan completed successfully. Veracode is verifying the results, which will be available after the review.", T::InProgress, I::Hourglass, Some("FINISHED_VERIFYING_RESULTS")),
    info("Completed - Results Available", "The scan completed successfully. Results are available.", T::Success, I::Check, Some("FINISHED_RESULTS_AVAILABLE")),
    info("Crawl Script Error", "Veracode could not scan the URL because the crawl script contains errors. Review the crawl script and try again.", T::Error, I::Error, None),
    info("Authentication Error", "Veracode could not scan the URL due to authentication errors. Verify the credentials to ensure they are accurate, and review the Selenium login and logout scripts.", T::Error, I::Error, None),
    info("Connection Error", "Veracode could not connect to the target URL. Verify that the site is accessible from the internet. If it is not, configure Veracode Internal Scanning Management (ISM).", T::Error, I::Error, None),
    with_origin(info("Paused", "The analysis is paused; the scan continues when a user resumes it.", T::Neutral, I::Pause, Some("PAUSED")), StatusOrigin::RestApi),
    with_origin(info("Not Run", "The analysis has not been submitted, so the scan has not run.", T::Neutral, I::Draft, Some("NOT_RUN")), StatusOrigin::RestApi),
];

impl ScanStatus {
    /// Every scan status: the documentation's table order (the older
    /// version's `Killed - …` rows, then the newer's `Lockout - …`), then
    /// `Paused` and `Not Run`.
    pub const ALL: [ScanStatus; 34] = [
        Self::SubmitFailed,
        Self::Scheduled,
        Self::Submitted,
        Self::InProgress,
        Self::VerificationFailed,
        Self::QueuedWithWarning,
        Self::Queued,
        Self::StoppingSavingResults,
        Self::StoppingDeletingResults,
        Self::Stopped,
        Self::SiteUnreachableStopped,
        Self::SiteUnreachableVerifyingResults,
        Self::SiteUnreachableResultsAvailable,
        Self::TimeExpiredStopped,
        Self::TechnicalIssueStopped,
        Self::TimeExpiredVerifyingPartialResults,
        Self::TimeExpiredPartialResultsAvailable,
        Self::Pausing,
        Self::Resuming,
        Self::StoppedVerifyingPartialResults,
        Self::StoppedPartialResultsAvailable,
        Self::ScanErrorVerifyingPartialResults,
        Self::ScanErrorPartialResultsAvailable,
        Self::KilledVerifyingPartialResults,
        Self::KilledPartialResultsAvailable,
        Self::LockoutVerifyingPartialResults,
        Self::LockoutPartialResultsAvailable,
        Self::CompletedVerifyingResults,
        Self::CompletedResultsAvailable,
        Self::CrawlScriptError,
        Self::AuthenticationError,
        Self::ConnectionError,
        Self::Paused,
        Self::NotRun,
    ];

    /// The status with this REST API name.
    pub fn from_api_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.api_name() == Some(name))
    }

    /// Whether the scan could not run at all (a verification or connection
    /// problem found before or when it started).
    pub fn failed_verification(self) -> bool {
        matches!(
            self,
            Self::VerificationFailed
                | Self::CrawlScriptError
                | Self::AuthenticationError
                | Self::ConnectionError
        )
    }
}

/// What a status badge shows: the label, its description, tone and icon.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Badge {
    /// The status label.
    pub label: &'static str,
    /// What it means (shown as the badge's title or next to it).
    pub description: &'static str,
    /// The tone.
    pub tone: Tone,
    /// The icon.
    pub icon: StatusIcon,
}

impl From<AnalysisStatus> for Badge {
    fn from(s: AnalysisStatus) -> Self {
        Badge {
            label: s.label(),
            description: s.description(),
            tone: s.tone(),
            icon: s.icon(),
        }
    }
}

impl From<ScanStatus> for Badge {
    fn from(s: ScanStatus) -> Self {
        Badge {
            label: s.label(),
            description: s.description(),
            tone: s.tone(),
            icon: s.icon(),
        }
    }
}
