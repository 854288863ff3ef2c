//! The lifecycle of an analysis: which status may follow which, which user
//! actions each status allows, and why an action is refused.
//!
//! # When an analysis can be configured
//!
//! The documentation says an analysis can be edited "at any time when it
//! has a status of: Scheduled, Stopped, Published - Results Available,
//! Saved for Later". No analysis status is labelled just "Stopped": we read
//! "Stopped" as a stopped analysis whose stop is over, so the settled
//! `Stopped - …` statuses ([`AnalysisStatus::StoppedDeletingResults`],
//! [`AnalysisStatus::StoppedScanDurationEnded`],
//! [`AnalysisStatus::StoppedTechnicalIssue`],
//! [`AnalysisStatus::StoppedPartialResultsAvailable`]) are editable, and
//! those in which Veracode is still saving or verifying results are not
//! (`Stopped - Saving Results`, `Stopped - Verifying Results`,
//! `Stopped - Verifying Partial Results`,
//! `Stopped - Scan Duration Ended With Partial Results`). `Not Submitted`
//! and `All Verifications Failed` are editable too: the run ended before
//! any scanning, and their descriptions tell the user to review the
//! settings and try again, which needs Configure. Everywhere else
//! Configure is refused with a reason ([`Analysis::check`]).

use serde::{Deserialize, Serialize};
use std::fmt;

use super::model::Analysis;
use super::status::AnalysisStatus;
use AnalysisStatus as S;

/// The statuses in which an analysis can be configured (see the module
/// documentation for how we read the documentation's list).
pub const EDITABLE: [AnalysisStatus; 9] = [
    S::Scheduled,
    S::SavedForLater,
    S::PublishedResultsAvailable,
    S::StoppedDeletingResults,
    S::StoppedScanDurationEnded,
    S::StoppedTechnicalIssue,
    S::StoppedPartialResultsAvailable,
    S::NotSubmitted,
    S::AllVerificationsFailed,
];

/// The statuses in which a run is under way and can be stopped.
pub const RUNNING: [AnalysisStatus; 5] = [
    S::Submitted,
    S::Prescanning,
    S::Queued,
    S::InProgress,
    S::Paused,
];

impl AnalysisStatus {
    /// Whether an analysis with this status can be configured.
    pub fn is_editable(self) -> bool {
        EDITABLE.contains(&self)
    }

    /// Whether a run is under way (it can be stopped).
    pub fn is_running(self) -> bool {
        RUNNING.contains(&self)
    }

    /// Whether Veracode is still finishing a run that stopped scanning
    /// (saving, verifying or publishing results).
    pub fn is_finishing(self) -> bool {
        matches!(
            self,
            S::StoppedSavingResults
                | S::StoppedVerifyingResults
                | S::StoppedVerifyingPartialResults
                | S::StoppedScanDurationEndedWithPartialResults
                | S::TimeExpiredVerifyingPartialResults
                | S::CompletedVerifyingResults
                | S::CompletedVerifyingPartialResults
                | S::CompletedResultsAvailable
                | S::CompletedPartialResultsAvailable
        )
    }

    /// Whether results of the last run are available (so a results summary
    /// can be shown).
    pub fn has_results(self) -> bool {
        matches!(
            self,
            S::PublishedResultsAvailable
                | S::CompletedResultsAvailable
                | S::CompletedPartialResultsAvailable
                | S::StoppedPartialResultsAvailable
        )
    }

    /// The statuses that may follow this one, by the engine or by a user.
    pub fn successors(self) -> &'static [AnalysisStatus] {
        // A user's new schedule moves an editable analysis to Submitted,
        // Scheduled or Saved for Later.
        const RESCHEDULE: &[AnalysisStatus] = &[S::Submitted, S::Scheduled, S::SavedForLater];
        match self {
            S::Scheduled | S::SavedForLater | S::PublishedResultsAvailable => RESCHEDULE,
            S::StoppedDeletingResults
            | S::StoppedScanDurationEnded
            | S::StoppedTechnicalIssue
            | S::StoppedPartialResultsAvailable
            | S::NotSubmitted
            | S::AllVerificationsFailed => RESCHEDULE,
            S::Submitted => &[
                S::Prescanning,
                S::Queued,
                S::NotSubmitted,
                S::StoppedSavingResults,
                S::StoppedDeletingResults,
                S::StoppedScanDurationEnded,
            ],
            S::Prescanning => &[
                S::Queued,
                S::AllVerificationsFailed,
                S::StoppedSavingResults,
                S::StoppedDeletingResults,
                S::StoppedScanDurationEnded,
            ],
            S::Queued => &[
                S::InProgress,
                S::AllVerificationsFailed,
                S::StoppedSavingResults,
                S::StoppedDeletingResults,
                S::StoppedScanDurationEnded,
            ],
            S::InProgress => &[
                S::Paused,
                S::CompletedVerifyingResults,
                S::CompletedVerifyingPartialResults,
                S::TimeExpiredVerifyingPartialResults,
                S::StoppedTechnicalIssue,
                S::StoppedSavingResults,
                S::StoppedDeletingResults,
            ],
            S::Paused => &[
                S::InProgress,
                S::StoppedSavingResults,
                S::StoppedDeletingResults,
                S::StoppedScanDurationEndedWithPartialResults,
            ],
            S::StoppedSavingResults => &[S::StoppedVerifyingPartialResults],
            S::StoppedVerifyingPartialResults => &[S::StoppedPartialResultsAvailable],
            S::StoppedVerifyingResults => &[S::PublishedResultsAvailable],
            S::StoppedScanDurationEndedWithPartialResults
            | S::TimeExpiredVerifyingPartialResults
            | S::CompletedVerifyingPartialResults => &[S::CompletedPartialResultsAvailable],
            S::CompletedVerifyingResults => &[S::CompletedResultsAvailable],
            S::CompletedResultsAvailable | S::CompletedPartialResultsAvailable => {
                &[S::PublishedResultsAvailable]
            }
        }
    }

    /// Whether `next` may follow this status.
    pub fn can_become(self, next: AnalysisStatus) -> bool {
        self.successors().contains(&next)
    }
}

/// What a user can do to an analysis (the actions menu).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AnalysisAction {
    /// Configure Analysis (edit it).
    Configure,
    /// Start a new run at once with the same configuration, after a run
    /// ended.
    RunAgain,
    /// Stop the run and save the results found so far.
    StopSave,
    /// Stop the run and delete its results.
    StopDelete,
    /// Pause the run.
    Pause,
    /// Resume a paused run.
    Resume,
    /// Delete the analysis (only if it never ran).
    Delete,
}

impl AnalysisAction {
    /// Every action, in menu order.
    pub const ALL: [AnalysisAction; 7] = [
        Self::RunAgain,
        Self::Configure,
        Self::StopSave,
        Self::StopDelete,
        Self::Pause,
        Self::Resume,
        Self::Delete,
    ];

    /// The menu label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Configure => "Configure Analysis",
            Self::RunAgain => "Run again",
            Self::StopSave => "Stop and Save Results",
            Self::StopDelete => "Stop and Delete Results",
            Self::Pause => "Pause",
            Self::Resume => "Resume",
            Self::Delete => "Delete Analysis",
        }
    }

    /// The REST API's allowed-action name (`STOP_SAVE`, `STOP_DELETE`,
    /// `PAUSE`, `RESUME`), for the actions it has one for.
    pub fn api_name(self) -> Option<&'static str> {
        match self {
            Self::StopSave => Some("STOP_SAVE"),
            Self::StopDelete => Some("STOP_DELETE"),
            Self::Pause => Some("PAUSE"),
            Self::Resume => Some("RESUME"),
            Self::RunAgain => Some("RUN_AGAIN"),
            Self::Configure | Self::Delete => None,
        }
    }
}

impl fmt::Display for AnalysisAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Why an action is not available now: shown next to the disabled action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refusal {
    /// The refused action.
    pub action: AnalysisAction,
    /// The status it was refused in.
    pub status: AnalysisStatus,
    /// A sentence saying why and what to do.
    pub reason: String,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.reason)
    }
}

impl std::error::Error for Refusal {}

/// Why an analysis in `status` cannot be configured.
fn not_editable_reason(status: AnalysisStatus) -> String {
    let label = status.label();
    match status {
        S::Submitted | S::Prescanning | S::Queued | S::InProgress => format!(
            "The analysis is running ({label}). Stop it, or wait until it finishes, before you configure it."
        ),
        S::Paused => {
            "The analysis is paused. Resume it and let it finish, or stop it, before you configure it."
                .into()
        }
        S::CompletedResultsAvailable | S::CompletedPartialResultsAvailable => format!(
            "Veracode is publishing the results ({label}). You can configure the analysis once its status is Published - Results Available."
        ),
        _ => format!(
            "Veracode is still saving or verifying the results of the last run ({label}). You can configure the analysis once they are available."
        ),
    }
}

impl Analysis {
    /// Whether `action` is available now, and if not, why.
    pub fn check(&self, action: AnalysisAction) -> Result<(), Refusal> {
        let status = self.status;
        let refuse = |reason: String| {
            Err(Refusal {
                action,
                status,
                reason,
            })
        };
        match action {
            AnalysisAction::Configure if status.is_editable() => Ok(()),
            AnalysisAction::Configure => refuse(not_editable_reason(status)),
            AnalysisAction::RunAgain if self.never_ran() => {
                refuse("It never ran: Configure it to start its first run.".into())
            }
            AnalysisAction::RunAgain
                if status.is_editable() && !matches!(status, S::Scheduled | S::SavedForLater) =>
            {
                Ok(())
            }
            AnalysisAction::RunAgain if matches!(status, S::Scheduled | S::SavedForLater) => {
                refuse(format!(
                    "It is {}: Configure it to change when it runs.",
                    status.label()
                ))
            }
            AnalysisAction::RunAgain => {
                refuse(format!("Its run has not ended ({}).", status.label()))
            }
            AnalysisAction::StopSave | AnalysisAction::StopDelete if status.is_running() => Ok(()),
            AnalysisAction::StopSave | AnalysisAction::StopDelete => refuse(format!(
                "Only a running analysis can be stopped; this one is {}.",
                status.label()
            )),
            AnalysisAction::Pause if status == S::InProgress => Ok(()),
            AnalysisAction::Pause => refuse(format!(
                "Only an analysis that is In Progress can be paused; this one is {}.",
                status.label()
            )),
            AnalysisAction::Resume if status == S::Paused => Ok(()),
            AnalysisAction::Resume => refuse(format!(
                "Only a paused analysis can be resumed; this one is {}.",
                status.label()
            )),
            AnalysisAction::Delete if self.never_ran() => Ok(()),
            AnalysisAction::Delete => refuse(format!(
                "This analysis has run ({} run{}): only an analysis that never ran can be deleted.",
                self.runs.len(),
                if self.runs.len() == 1 { "" } else { "s" }
            )),
        }
    }

    /// Whether the analysis can be configured now, and if not, why (a
    /// shortcut for [`Analysis::check`] with
    /// [`AnalysisAction::Configure`]).
    pub fn can_configure(&self) -> Result<(), Refusal> {
        self.check(AnalysisAction::Configure)
    }

    /// Every action with whether it is available: what an actions menu
    /// shows (disabled entries carry their reason).
    pub fn actions(&self) -> Vec<(AnalysisAction, Result<(), Refusal>)> {
        AnalysisAction::ALL
            .into_iter()
            .map(|a| (a, self.check(a)))
            .collect()
    }

    /// The REST API's allowed actions (`STOP_SAVE`, `STOP_DELETE`, `PAUSE`,
    /// `RESUME`) available now.
    pub fn allowed_api_actions(&self) -> Vec<&'static str> {
        AnalysisAction::ALL
            .into_iter()
            .filter(|a| self.check(*a).is_ok())
            .filter_map(AnalysisAction::api_name)
            .collect()
    }
}
