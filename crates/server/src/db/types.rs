//! The seam's vocabulary, shared by the interface and its back ends: what a
//! mutation changed ([`Changes`]), the rows kept only in storage, and the
//! errors. It depends on the core only.

use prescan_core::analysis::{AnalysisId, Event, Notification, ScanId, SpecRecord};
use prescan_core::prescan::PrescanReport;

/// A storage failure (SQLite or a row that does not deserialize).
#[derive(Debug)]
pub struct DbError(pub String);

impl std::fmt::Display for DbError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DbError {}

impl From<serde_json::Error> for DbError {
    fn from(e: serde_json::Error) -> Self {
        DbError(format!("a stored row could not be read: {e}"))
    }
}

/// A row to write besides the analyses an operation touched.
#[derive(Debug)]
pub enum Extra {
    /// A new specification file (its record is already in the state).
    Specification {
        /// Its record.
        record: SpecRecord,
        /// Its original bytes (of the root, for a specification split
        /// over several files).
        bytes: Vec<u8>,
        /// The other files of a specification split over several files.
        others: Vec<prescan_core::SourceFile>,
    },
    /// The last prescan of a scan (running or finished).
    Prescan(SavedPrescan),
    /// A specification's record changed (its visibility).
    SpecificationRecord(SpecRecord),
    /// A running prescan is driven by `owner` (a replica) until
    /// `until_ms` unless renewed (schema 6's `prescan_leases`).
    Lease {
        /// The scan.
        scan: ScanId,
        /// The replica that drives it.
        owner: String,
        /// When the lease ends if not renewed.
        until_ms: i64,
    },
    /// The prescan of `scan` has ended: its lease goes.
    Unlease(ScanId),
}

/// The lease of a running prescan (see [`Extra::Lease`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrescanLease {
    /// The replica that drives it.
    pub owner: String,
    /// When it ends unless renewed.
    pub until_ms: i64,
    /// Another replica asked for the prescan to be cancelled.
    pub cancel_requested: bool,
}

/// A prescan as stored.
#[derive(Debug, Clone)]
pub struct SavedPrescan {
    /// The scan.
    pub scan_id: ScanId,
    /// Its analysis.
    pub analysis_id: AnalysisId,
    /// When it started.
    pub started_ms: i64,
    /// When it finished; `None` while it runs.
    pub finished_ms: Option<i64>,
    /// The report (results so far).
    pub report: PrescanReport,
}

/// What a mutation changed, for the write-through.
#[derive(Debug, Default)]
pub struct Changes {
    /// Analyses created, changed or deleted (their row, new log entries).
    pub analyses: Vec<AnalysisId>,
    /// Other rows.
    pub extra: Vec<Extra>,
    /// Notifications the change sent.
    pub notifications: Vec<Notification>,
}

impl Changes {
    /// The changes of one analysis.
    pub fn analysis(id: AnalysisId) -> Self {
        Changes {
            analyses: vec![id],
            ..Changes::default()
        }
    }

    /// Adds the notifications among `events`.
    pub fn with_events(mut self, events: Vec<Event>) -> Self {
        self.notifications
            .extend(events.into_iter().filter_map(|e| match e {
                Event::Notification(n) => Some(n),
                Event::StatusChanged { .. } => None,
            }));
        self
    }
}

/// Whose notifications to read.
#[derive(Debug, Clone, Copy)]
pub struct Reader<'a> {
    /// Their name (the schedule owner's notifications).
    pub name: &'a str,
    /// Whether they are a security lead ("results published").
    pub security_lead: bool,
}

/// A stored notification: its id and the core's notification.
pub type StoredNotification = (u64, Notification);

/// Where a mutation failed: its own refusal (nothing changed), or the
/// storage (state reloaded).
#[derive(Debug)]
pub enum MutateError<E> {
    /// The operation refused (the state is unchanged).
    Op(E),
    /// Writing failed; nothing was changed (a back end's cache is
    /// reloaded from what is committed).
    Db(DbError),
}

/// A user of the server (issue 16), as stored: never their token, which
/// is kept only as a hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Their row.
    pub id: i64,
    /// Their name (unique, ignoring case): what the activity log shows.
    pub name: String,
    /// Where e-mails go, if anywhere.
    pub email: Option<String>,
    /// Their roles.
    pub roles: Vec<prescan_core::people::Role>,
    /// The identifiers of their teams.
    pub teams: Vec<String>,
    /// When they were added.
    pub created_ms: i64,
    /// When they were disabled (their token no longer works).
    pub disabled_ms: Option<i64>,
}

impl User {
    /// The rules' view of them.
    pub fn principal(&self) -> prescan_core::people::Principal {
        prescan_core::people::Principal {
            name: self.name.clone(),
            roles: self.roles.clone(),
            teams: self.teams.clone(),
        }
    }
}

/// A team.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Team {
    /// Its identifier (what visibility lists).
    pub id: String,
    /// Its name for people.
    pub name: String,
    /// The names of its members.
    pub members: Vec<String>,
}

/// Why an administration command or a lookup of people failed.
#[derive(Debug)]
pub enum PeopleError {
    /// What was given is not acceptable (a message for the operator).
    Invalid(String),
    /// No such user or team (a message).
    NotFound(String),
    /// The store failed.
    Db(DbError),
}

impl std::fmt::Display for PeopleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PeopleError::Invalid(m) | PeopleError::NotFound(m) => f.write_str(m),
            PeopleError::Db(e) => write!(f, "{e}"),
        }
    }
}

impl From<DbError> for PeopleError {
    fn from(e: DbError) -> Self {
        PeopleError::Db(e)
    }
}

impl From<rusqlite::Error> for PeopleError {
    fn from(e: rusqlite::Error) -> Self {
        PeopleError::Db(e.into())
    }
}

/// The text of one e-mail, as stored in the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailText {
    /// Its subject (one line).
    pub subject: String,
    /// Its plain-text body.
    pub body: String,
}

/// What the store needs to enqueue e-mails (issue 16): the text of a
/// notification's e-mail for one user, and a signal after a commit that
/// enqueued some. Given with [`Db::with_mail`](super::Db::with_mail);
/// without one nothing is enqueued.
pub trait MailComposer: Send + Sync {
    /// The e-mail of `n` for the user named `user_name`.
    fn compose(&self, n: &Notification, user_name: &str) -> MailText;
    /// Called after a commit that enqueued at least one e-mail.
    fn enqueued(&self);
}

/// `next_attempt_ms` of an e-mail given up: never due again.
pub const OUTBOX_NEVER: i64 = i64::MAX;

/// An e-mail of the outbox: one notification for one user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxMail {
    /// Its row.
    pub id: i64,
    /// The notification it tells of.
    pub notification_id: u64,
    /// The user's name (when it was enqueued).
    pub user_name: String,
    /// Their address (when it was enqueued).
    pub email: String,
    /// Its subject and body.
    pub text: MailText,
    /// When it was enqueued.
    pub created_ms: i64,
    /// Attempts made so far.
    pub attempts: u32,
    /// When it is due ([`OUTBOX_NEVER`]: given up).
    pub next_attempt_ms: i64,
    /// Until when a process holds it (claimed, being sent).
    pub lease_until_ms: Option<i64>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// When the relay took it.
    pub sent_ms: Option<i64>,
}

impl OutboxMail {
    /// Whether it was given up (never sent, never due again).
    pub fn given_up(&self) -> bool {
        self.sent_ms.is_none() && self.next_attempt_ms == OUTBOX_NEVER
    }
}

/// The SHA-256 of the files of a specification, in order: for each, the
/// length of its name, the name, the length of its bytes and the bytes
/// (lengths as 8 bytes little-endian, so no two sets of files give the
/// same input). Two uploads with the same hash hold the same files.
pub fn files_hash<'a>(files: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> [u8; 32] {
    use sha2::Digest as _;
    let mut h = sha2::Sha256::new();
    for (name, bytes) in files {
        h.update((name.len() as u64).to_le_bytes());
        h.update(name.as_bytes());
        h.update((bytes.len() as u64).to_le_bytes());
        h.update(bytes);
    }
    h.finalize().into()
}

/// Who gets e-mail for `recipients`: the (name, address) of each enabled
/// user with an address among them; the rule both back ends follow, on
/// their own connection (`user`: one by name; `all`: every user).
pub(crate) fn mail_recipients_of(
    recipients: &prescan_core::analysis::Recipients,
    user: impl FnOnce(&str) -> Result<Option<User>, PeopleError>,
    all: impl FnOnce() -> Result<Vec<User>, PeopleError>,
) -> Result<Vec<(String, String)>, PeopleError> {
    let mut out = Vec::new();
    match recipients {
        prescan_core::analysis::Recipients::ScheduleOwner(name) => {
            if let Some(u) = user(name)? {
                if let (None, Some(email)) = (u.disabled_ms, u.email) {
                    out.push((u.name, email));
                }
            }
        }
        prescan_core::analysis::Recipients::SecurityLeads => {
            for u in all()? {
                if u.disabled_ms.is_none()
                    && u.roles.contains(&prescan_core::people::Role::SecurityLead)
                {
                    if let Some(email) = u.email {
                        out.push((u.name, email));
                    }
                }
            }
        }
    }
    Ok(out)
}
