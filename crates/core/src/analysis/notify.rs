//! Notifications (the e-mails Veracode sends) and the events the engine and
//! the store report to the app.

use crate::prescan::PrescanStatus;
use serde::{Deserialize, Serialize};

use super::activity::Actor;
use super::model::AnalysisId;
use super::status::AnalysisStatus;

/// The events Veracode notifies about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum NotificationKind {
    /// "The prescan of a Dynamic Analysis succeeded."
    PrescanSucceeded,
    /// "The prescan of a Dynamic Analysis failed."
    PrescanFailed,
    /// The Dynamic Analysis failed (not submitted, stopped by a technical
    /// issue, or every scan failed verification without a prescan).
    AnalysisFailed,
    /// "The results of a Dynamic Analysis are published."
    ResultsPublished,
}

impl NotificationKind {
    /// The event, as the documentation words it (an e-mail's subject).
    pub fn subject(self) -> &'static str {
        match self {
            Self::PrescanSucceeded => "The prescan of a Dynamic Analysis succeeded.",
            Self::PrescanFailed => "The prescan of a Dynamic Analysis failed.",
            Self::AnalysisFailed => "A Dynamic Analysis failed.",
            Self::ResultsPublished => "The results of a Dynamic Analysis are published.",
        }
    }

    /// What it means, as the documentation words it.
    pub fn description(self) -> &'static str {
        match self {
            Self::PrescanSucceeded => "All URL configurations in your Veracode Dynamic Analysis request passed prescan verification.",
            Self::PrescanFailed => "The target URL configurations in your Veracode Dynamic Analysis request failed during prescan verification.",
            Self::AnalysisFailed => "The Dynamic Analysis could not complete. Review its status and activity log, then configure it and try again.",
            Self::ResultsPublished => "The results of a Dynamic Analysis are published and now available.",
        }
    }

    /// Whether a user would read it as bad news (for the toast's tone).
    pub fn is_failure(self) -> bool {
        matches!(self, Self::PrescanFailed | Self::AnalysisFailed)
    }
}

/// Who receives a notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Recipients {
    /// The person who created the analysis or last changed its schedule
    /// (prescan and failure notifications).
    ScheduleOwner(String),
    /// The organization's security leads (results published).
    SecurityLeads,
}

/// One notification about one analysis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    /// What happened.
    pub kind: NotificationKind,
    /// The analysis.
    pub analysis_id: AnalysisId,
    /// Its name when it happened.
    pub analysis_name: String,
    /// When.
    pub at_ms: i64,
    /// Who receives it.
    pub recipients: Recipients,
    /// A sentence about this case ("2 of 3 scans failed verification.").
    #[serde(default)]
    pub detail: String,
    /// Whether the simulated scan engine sent it (nothing was scanned); a
    /// real prescan's notification is not simulated.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub simulated: bool,
}

impl Notification {
    /// The whole message: the subject, the analysis name, the description and
    /// the detail.
    pub fn message(&self) -> String {
        let mut m = format!(
            "{}{} {}: {}",
            if self.simulated { "Simulated: " } else { "" },
            self.kind.subject(),
            self.analysis_name,
            self.kind.description()
        );
        if !self.detail.is_empty() {
            m.push(' ');
            m.push_str(&self.detail);
        }
        m
    }

    /// Which event it is the outcome of: a later notification of the same
    /// analysis and event replaces an earlier one (a prescan that failed,
    /// then succeeded; a run that failed, or was published).
    pub fn event_key(&self) -> (AnalysisId, &'static str) {
        let event = match self.kind {
            NotificationKind::PrescanSucceeded | NotificationKind::PrescanFailed => "prescan",
            NotificationKind::AnalysisFailed | NotificationKind::ResultsPublished => "run",
        };
        (self.analysis_id, event)
    }
}

/// Something the app may want to show at once (a toast, a live region) or
/// react to (refresh a list).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Event {
    /// An analysis's status changed.
    StatusChanged {
        /// The analysis.
        analysis_id: AnalysisId,
        /// Its name.
        name: String,
        /// The status before.
        from: AnalysisStatus,
        /// The status after.
        to: AnalysisStatus,
        /// When.
        at_ms: i64,
        /// Who caused it.
        actor: Actor,
    },
    /// A notification was sent.
    Notification(Notification),
}

impl Event {
    /// The analysis it is about.
    pub fn analysis_id(&self) -> AnalysisId {
        match self {
            Event::StatusChanged { analysis_id, .. } => *analysis_id,
            Event::Notification(n) => n.analysis_id,
        }
    }
}

/// A prescan's notification lives here, above `prescan`, which needs
/// nothing of `analysis`.
impl PrescanStatus {
    /// The notification it sends, once finished.
    pub fn notification(self) -> Option<NotificationKind> {
        match self {
            PrescanStatus::Prescanning => None,
            PrescanStatus::Succeeded => Some(NotificationKind::PrescanSucceeded),
            PrescanStatus::Failed => Some(NotificationKind::PrescanFailed),
        }
    }
}
