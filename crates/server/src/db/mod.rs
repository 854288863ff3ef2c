//! The persistence seam: everything the server keeps goes through [`Db`],
//! and nothing above it (routes, prescans, the engine's loop) knows which
//! database holds it. It may depend on the core and on [`seal`]; it must
//! never depend on the HTTP layer.
//!
//! # The contract of a back end
//!
//! A back end holds the core's [`StoreState`] (the analyses, their
//! activity logs and the specifications' records) and the rows kept only
//! in storage (the specifications' bytes, the saved prescans, the
//! notifications). The routes use five operations:
//!
//! - [`Db::read`] runs a closure on the state as last committed, by *any*
//!   process sharing the database;
//! - [`Db::mutate`] runs one of the core's operations on the state and
//!   writes what it changed ([`Changes`]) in **one transaction**, committed
//!   before it returns; mutations are serialized across every process that
//!   shares the database, and each starts from the latest committed state,
//!   so a business rule checked by the core (a unique name, a running
//!   scan) holds across processes. The closure can look up rows kept only
//!   in storage through [`Lookup`], inside the same transaction;
//! - [`Db::tick`] moves the engine on at a given time (itself a mutation:
//!   several processes may tick; the first one to take the lock does the
//!   work and the others find nothing due);
//! - reads of the stored-only rows: [`Db::specification_bytes`],
//!   [`Db::specification_files`],
//!   [`Db::prescan`], [`Db::notifications`];
//! - [`Db::interrupted_prescans`] at start-up.
//!
//! The e-mail outbox (issue 16): with [`Db::with_mail`], a mutation that
//! writes notifications also enqueues their e-mails in its transaction,
//! one per recipient with an address (resolved from the users then), and
//! wakes the sender after the commit; the delivery task takes them with
//! [`Db::outbox_claim`] (a lease: two processes never hold one row at
//! once) and marks them with [`Db::outbox_sent`], [`Db::outbox_failed`]
//! or [`Db::outbox_release`]. HTTP handlers never send: they only commit.
//!
//! So that several server processes can share one database, no state that
//! only one process holds lives outside this seam: a back end may cache
//! (SQLite keeps the state in memory), but it must notice another
//! process's commits before a read or a mutation uses the cache
//! (`tests/shared_database.rs` runs two servers on one database).
//!
//! Not shared yet, outside this seam: a prescan is driven (and can be
//! cancelled) only by the process that started it, a process that starts
//! closes every prescan left running as interrupted (it assumes it is the
//! only one), and the rate limits count per process. Running several
//! processes for real needs leases on running prescans first.
//!
//! # Back ends
//!
//! - [`sqlite`]: the first and, so far, only one (see its docs for the
//!   schema, the sealing of credentials and how a second process's commits
//!   are noticed).
//!
//! A PostgreSQL back end adds a variant to [`Db`] and to [`Lookup`]; the
//! routes do not change.

use std::collections::BTreeMap;
use std::path::Path;

use prescan_core::analysis::{
    Analysis, AnalysisId, AnalysisStatus, Engine, ScanId, SpecRecord, SpecUpload, StoreState,
};
use prescan_core::SourceFile;

mod people;
pub mod seal;
pub mod sqlite;
mod types;

pub use people::People;
pub use sqlite::SCHEMA_VERSION;
pub use types::*;

/// The store of the server: one of the back ends (see the module docs).
pub enum Db {
    /// SQLite in a data directory, with the state cached in memory.
    Sqlite(sqlite::Sqlite),
}

/// Rows kept only in storage, looked up inside a mutation (in its
/// transaction).
pub enum Lookup<'a> {
    /// The SQLite transaction of the mutation.
    Sqlite(&'a rusqlite::Connection),
}

impl Lookup<'_> {
    /// A stored specification with the same files, names and bytes (the
    /// core's reuse rule, done in storage because the bytes are not in the
    /// state).
    pub fn identical_specification(
        &self,
        upload: &SpecUpload,
    ) -> Result<Option<SpecRecord>, DbError> {
        match self {
            Lookup::Sqlite(conn) => sqlite::find_identical_spec(conn, upload),
        }
    }
}

impl Db {
    /// Opens (creating or migrating) the SQLite database of `dir` with the
    /// key of `key_file` (see [`sqlite::Sqlite::open`]).
    pub fn open(dir: &Path, key_file: Option<&Path>) -> Result<Db, DbError> {
        Ok(Db::Sqlite(sqlite::Sqlite::open(dir, key_file)?))
    }

    /// Where the data is, for the start-up line (the SQLite file).
    pub fn location(&self) -> String {
        match self {
            Db::Sqlite(db) => {
                let path = db.path();
                std::fs::canonicalize(path)
                    .unwrap_or_else(|_| path.to_path_buf())
                    .display()
                    .to_string()
            }
        }
    }

    /// Whether the database answers a trivial query (readiness).
    pub fn ping(&self) -> Result<(), DbError> {
        match self {
            Db::Sqlite(db) => db.ping(),
        }
    }

    /// Reads the state as last committed (by this process or another).
    pub fn read<R>(&self, f: impl FnOnce(&StoreState) -> R) -> Result<R, DbError> {
        match self {
            Db::Sqlite(db) => db.read(f),
        }
    }

    /// Applies a mutation to the latest committed state and writes what it
    /// changed in one transaction (see the module docs).
    pub fn mutate<R, E>(
        &self,
        f: impl FnOnce(&mut StoreState, &Lookup<'_>) -> Result<(R, Changes), E>,
    ) -> Result<R, MutateError<E>> {
        match self {
            Db::Sqlite(db) => db.mutate(|state, conn| f(state, &Lookup::Sqlite(conn))),
        }
    }

    /// One engine tick at `now_ms`: moves runs on and writes the analyses
    /// it changed. Returns how many analyses changed.
    pub fn tick(&self, engine: &Engine, now_ms: i64) -> Result<usize, DbError> {
        // Most ticks change nothing: find out with a read, without stopping
        // readers (the mutation checks again with the lock).
        if !self.read(|state| engine.next_change_ms(state).is_some_and(|t| t <= now_ms))? {
            return Ok(0);
        }
        let r = self.mutate::<usize, DbError>(|state, _| {
            match engine.next_change_ms(state) {
                Some(t) if t <= now_ms => {}
                _ => return Ok((0, Changes::default())),
            }
            let before: BTreeMap<AnalysisId, (Analysis, usize)> = state
                .analyses
                .iter()
                .filter(|a| a.active_run().is_some() || a.status == AnalysisStatus::Scheduled)
                .map(|a| {
                    let log = state.activity.get(&a.id).map_or(0, Vec::len);
                    (a.id, (a.clone(), log))
                })
                .collect();
            let events = engine.tick(state, now_ms);
            let changed: Vec<AnalysisId> = before
                .into_iter()
                .filter(|(id, (a, log))| {
                    state.analysis(*id) != Some(a)
                        || state.activity.get(id).map_or(0, Vec::len) != *log
                })
                .map(|(id, _)| id)
                .collect();
            Ok((
                changed.len(),
                Changes {
                    analyses: changed,
                    ..Changes::default()
                }
                .with_events(events),
            ))
        });
        match r {
            Ok(n) => Ok(n),
            Err(MutateError::Op(e)) | Err(MutateError::Db(e)) => Err(e),
        }
    }

    /// Runs `f` on the people's rows (under the connection: keep it short;
    /// hash tokens before, verify them after).
    pub fn people<R>(
        &self,
        f: impl FnOnce(&People<'_>) -> Result<R, PeopleError>,
    ) -> Result<R, PeopleError> {
        match self {
            Db::Sqlite(db) => db.with_conn(|conn, sealer| f(&People { conn, sealer })),
        }
    }

    /// Every file of a specification, the root first (`None` if there is
    /// no such specification).
    pub fn specification_files(&self, id: u64) -> Result<Option<Vec<SourceFile>>, DbError> {
        match self {
            Db::Sqlite(db) => db.specification_files(id),
        }
    }

    /// The original bytes of a specification.
    pub fn specification_bytes(&self, id: u64) -> Result<Option<Vec<u8>>, DbError> {
        match self {
            Db::Sqlite(db) => db.specification_bytes(id),
        }
    }

    /// Up to `limit` of `reader`'s notifications with an id above `after`,
    /// oldest first, and the highest id of theirs (0 if none): those for
    /// the schedule owner they are, and, if they are a security lead, those
    /// for the security leads.
    pub fn notifications(
        &self,
        reader: &Reader<'_>,
        after: u64,
        limit: usize,
    ) -> Result<(Vec<StoredNotification>, u64), DbError> {
        match self {
            Db::Sqlite(db) => db.notifications(reader, after, limit),
        }
    }

    /// The saved prescan of a scan.
    pub fn prescan(&self, scan: ScanId) -> Result<Option<SavedPrescan>, DbError> {
        match self {
            Db::Sqlite(db) => db.prescan(scan),
        }
    }

    /// The prescans a crash interrupted (saved as running), for the start
    /// to close them.
    pub fn interrupted_prescans(&self) -> Result<Vec<SavedPrescan>, DbError> {
        match self {
            Db::Sqlite(db) => db.interrupted_prescans(),
        }
    }

    // ---- The e-mail outbox (issue 16; see the module docs) ----

    /// From now on, every notification written enqueues its e-mails as
    /// `mail` writes them, in the same transaction.
    pub fn with_mail(mut self, mail: std::sync::Arc<dyn MailComposer>) -> Db {
        match &mut self {
            Db::Sqlite(db) => db.set_mail(mail),
        }
        self
    }

    /// Claims up to `limit` due e-mails that no process holds, until
    /// `lease_until_ms`: only this process sends them until then.
    pub fn outbox_claim(
        &self,
        now_ms: i64,
        limit: usize,
        lease_until_ms: i64,
    ) -> Result<Vec<OutboxMail>, DbError> {
        match self {
            Db::Sqlite(db) => db.outbox_claim(now_ms, limit, lease_until_ms),
        }
    }

    /// Marks a claimed e-mail sent; `false` if its lease was lost.
    pub fn outbox_sent(&self, id: i64, lease_until_ms: i64, now_ms: i64) -> Result<bool, DbError> {
        match self {
            Db::Sqlite(db) => db.outbox_sent(id, lease_until_ms, now_ms),
        }
    }

    /// Records a failed attempt of a claimed e-mail and when to try again
    /// (`None`: given up); `false` if its lease was lost.
    pub fn outbox_failed(
        &self,
        id: i64,
        lease_until_ms: i64,
        error: &str,
        next_attempt_ms: Option<i64>,
    ) -> Result<bool, DbError> {
        match self {
            Db::Sqlite(db) => db.outbox_failed(id, lease_until_ms, error, next_attempt_ms),
        }
    }

    /// Gives a claimed e-mail back without an attempt.
    pub fn outbox_release(&self, id: i64, lease_until_ms: i64) -> Result<bool, DbError> {
        match self {
            Db::Sqlite(db) => db.outbox_release(id, lease_until_ms),
        }
    }

    /// When the next waiting e-mail is due (or its lease ends), if any.
    pub fn outbox_next_due(&self) -> Result<Option<i64>, DbError> {
        match self {
            Db::Sqlite(db) => db.outbox_next_due(),
        }
    }

    /// Up to `limit` e-mails of the outbox with an id above `after`,
    /// oldest first: sent, waiting and given up.
    pub fn outbox(&self, after: i64, limit: usize) -> Result<Vec<OutboxMail>, DbError> {
        match self {
            Db::Sqlite(db) => db.outbox(after, limit),
        }
    }
}
