//! The activity log of an analysis: every action and status change, with
//! when and who. Secret values are never written into it: an entry that
//! records a credential change says THAT it changed.

use serde::{Deserialize, Serialize};
use std::fmt;

use super::time::format_rfc3339;

/// Who did something: a person (by display name) or Veracode's system.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Actor {
    /// A user, by display name.
    User(String),
    /// The system (the scan engine).
    System,
}

impl Actor {
    /// A user by display name.
    pub fn user(name: impl Into<String>) -> Self {
        Actor::User(name.into())
    }

    /// The name shown in the log ("System" for the system).
    pub fn display_name(&self) -> &str {
        match self {
            Actor::User(name) => name,
            Actor::System => "System",
        }
    }
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.display_name())
    }
}

/// What kind of event an entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ActivityKind {
    /// The analysis was created.
    Created,
    /// Part of its configuration changed (name, scans, prescan switch,
    /// a scan's server or credentials).
    ConfigurationChanged,
    /// Its schedule changed.
    ScheduleChanged,
    /// A user asked for an action (stop, pause, resume).
    ActionRequested,
    /// The analysis's status changed.
    StatusChanged,
    /// One scan's status changed.
    ScanStatusChanged,
    /// A notification was sent.
    NotificationSent,
}

impl ActivityKind {
    /// The name shown in the log's "Event" column.
    pub fn label(self) -> &'static str {
        match self {
            ActivityKind::Created => "Analysis created",
            ActivityKind::ConfigurationChanged => "Configuration changed",
            ActivityKind::ScheduleChanged => "Schedule changed",
            ActivityKind::ActionRequested => "Action requested",
            ActivityKind::StatusChanged => "Status changed",
            ActivityKind::ScanStatusChanged => "Scan status changed",
            ActivityKind::NotificationSent => "Notification sent",
        }
    }
}

/// One line of an analysis's activity log (the REST API's audit record:
/// `audited_on, event_type, details, old_value, new_value,
/// user_display_name`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityEntry {
    /// When, in milliseconds since the epoch.
    pub at_ms: i64,
    /// Who.
    pub actor: Actor,
    /// What kind of event.
    pub kind: ActivityKind,
    /// A sentence saying what happened.
    pub details: String,
    /// The value before, when it is not a secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old_value: Option<String>,
    /// The value after, when it is not a secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_value: Option<String>,
}

impl ActivityEntry {
    /// An entry without values.
    pub fn new(at_ms: i64, actor: Actor, kind: ActivityKind, details: impl Into<String>) -> Self {
        ActivityEntry {
            at_ms,
            actor,
            kind,
            details: details.into(),
            old_value: None,
            new_value: None,
        }
    }

    /// An entry recording a change of a value that is not secret.
    pub fn change(
        at_ms: i64,
        actor: Actor,
        kind: ActivityKind,
        details: impl Into<String>,
        old: impl Into<String>,
        new: impl Into<String>,
    ) -> Self {
        ActivityEntry {
            old_value: Some(old.into()),
            new_value: Some(new.into()),
            ..Self::new(at_ms, actor, kind, details)
        }
    }

    /// An entry recording that a secret (a credential) changed, never its
    /// value: `what` names the setting ("Credentials of scan
    /// petstore.yaml"), and the entry carries no old or new value.
    pub fn secret_changed(at_ms: i64, actor: Actor, what: &str) -> Self {
        Self::new(
            at_ms,
            actor,
            ActivityKind::ConfigurationChanged,
            format!("{what} changed (values are not recorded)."),
        )
    }

    /// The time as RFC 3339 (`audited_on`).
    pub fn audited_on(&self) -> String {
        format_rfc3339(self.at_ms)
    }
}
