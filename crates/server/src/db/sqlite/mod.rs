//! The SQLite back end: the core's [`StoreState`] kept in memory as a
//! cache, written through to SQLite in the same critical section. The
//! files here: this one (the locks, reads and mutations), `rows` (reading
//! and writing rows), `sealing` (the key and the sealed columns),
//! `people` (users and teams), `outbox` (the e-mails to send) and
//! `schema` (tables, migrations, file modes).
//!
//! # Design
//!
//! One [`Sqlite`] holds a mutex over the SQLite connection and a read-write
//! lock over a [`StoreState`]. Every mutation (an API call or an engine
//! tick) holds both, the connection's mutex first, then the state's write
//! lock (every function here takes them in that order):
//!
//! 1. an `IMMEDIATE` transaction begins: it takes SQLite's write lock, so
//!    mutations are serialized across processes too; if another process
//!    committed since this one last looked (`PRAGMA data_version`), the
//!    state is reloaded first;
//! 2. the core's operation runs on the in-memory state (`create`, `update`,
//!    `act`, `delete`, `put_specification`, `record_prescan`,
//!    [`Engine::tick`](prescan_core::analysis::Engine::tick)): every business
//!    rule is the core's, none is repeated here;
//! 3. the rows it changed (the analyses it names, their new activity-log
//!    entries, a new specification, a prescan) are written in **one SQLite
//!    transaction**, committed before the mutex is released and before the
//!    HTTP response is sent. The state's write lock is held until then,
//!    so a reader never sees a change that is not yet on disk. With WAL
//!    and `synchronous=FULL` a commit is on
//!    disk when it returns, so a crash (`kill -9`, power loss) loses nothing
//!    that was acknowledged;
//! 4. if the transaction fails, the in-memory state is reloaded from SQLite
//!    (which still holds the last committed state) and the caller gets a
//!    500 problem, so memory and disk never disagree.
//!
//! Reads of the state ([`Sqlite::read`]: lists, one analysis, its log)
//! check `PRAGMA data_version` under the connection's mutex (reloading
//! the state if another process committed), then take the read lock
//! only, so they run in parallel with each other (waiting
//! only while a mutation is applied and committed). Reads of rows kept
//! only in SQLite (specification bytes, prescans, notifications) take the
//! connection's mutex.
//!
//! What is *not* kept in memory: the bytes of specifications (read from the
//! `specifications.bytes` BLOB, and the other files of a specification
//! split over several files from `specification_files`, when a download, a
//! HAR or a prescan needs them; the in-memory `StoredSpec`s have empty
//! `bytes` and `others`) and the saved prescan reports (read from
//! `prescans` on request). Because the bytes are not in memory, the core's
//! "an identical specification already stored is reused" check of
//! `put_specification` is done with an SQL query on the hash of all its
//! files (`content_hash`) before calling it. Likewise the core drops the
//! saved prescans of scans that are removed; since they live in SQLite
//! only, `rows::write_analysis` deletes the `prescans` rows of scans the
//! analysis no longer has.
//!
//! Every statement is parameterized (`?1`, `?2`, ...); no value is ever
//! formatted into SQL text (a test greps this crate for it).
//!
//! Schema (`PRAGMA user_version` = [`SCHEMA_VERSION`]):
//!
//! - `meta(key TEXT PRIMARY KEY, value)`: `next_id` (the core's shared id
//!   counter) and `store_version`;
//! - `analyses(id INTEGER PRIMARY KEY, name TEXT NOT NULL, name_folded TEXT
//!   NOT NULL UNIQUE, status TEXT NOT NULL, body TEXT NOT NULL)`: `body` is
//!   the core's `Analysis` as JSON, credentials included, **sealed**
//!   ([`crate::db::seal`]: encrypted with a key kept outside the database);
//! - `activity(analysis_id, seq, body, PRIMARY KEY(analysis_id, seq))`: one
//!   row per activity-log entry, appended;
//! - `specifications(id INTEGER PRIMARY KEY, file_name, size, record JSON,
//!   bytes BLOB, content_hash BLOB)`: `file_name` and `bytes` are the root
//!   file's, `size` is of all the files, `content_hash` (schema 5) is
//!   `crate::db::types::files_hash` of all the files;
//! - `specification_files(spec_id, position, name, bytes BLOB, PRIMARY
//!   KEY(spec_id, position))` (schema 5): the files of a specification
//!   split over several files besides its root, in order from 1;
//! - `prescans(scan_id INTEGER PRIMARY KEY, analysis_id, started_ms,
//!   finished_ms, report JSON)`: the last prescan of each scan (the
//!   report sealed like an analysis's body: its requests carry headers);
//!   `finished_ms IS NULL` while it runs (a prescan interrupted by a crash
//!   is closed as cancelled at the next start);
//! - `notifications(id INTEGER PRIMARY KEY AUTOINCREMENT, analysis_id,
//!   body JSON, created_ms)` (schema 2): the core's `Notification`s, written
//!   in the transaction of the change that produced them (an engine tick, a
//!   prescan's end, an action); ids only grow (AUTOINCREMENT never reuses
//!   one), so a client reads the ones after the last id it saw. They stay
//!   when their analysis is deleted (they are what was sent).
//! - `sealing(id = 1, probe)` (schema 3): a value sealed with the key, so
//!   that a server started with another key stops with a clear error
//!   instead of reading nothing.
//! - `users`, `teams`, `team_members` (schema 4): the people (`people`);
//! - `outbox(id, notification_id, user_name, email, subject, body,
//!   created_ms, attempts, next_attempt_ms, lease_until_ms, last_error,
//!   sent_ms)` (schema 4): the e-mails of notifications, enqueued in the
//!   transaction that writes the notification when the server sends
//!   e-mail (one per recipient, `UNIQUE(notification_id, email)`), then
//!   claimed with a lease, sent and marked by a delivery task (`outbox`).
//!   A row given up has `next_attempt_ms` = `i64::MAX` and keeps its
//!   `last_error`.
//!
//! At start-up ([`Sqlite::open`]) a row that cannot be read (not JSON, or not
//! the core's shape) is reported on stderr and skipped; the others load.
//! A sealed row that does not open with the key is fatal (wrong key).
//! Rows of an older server with plain-text credentials are sealed.
//!
//! The data directory is created with mode 0700 and the database (and
//! SQLite's `-wal` and `-shm` files, which take the database's mode) 0600.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};

use prescan_core::analysis::{ScanId, StoreState};
use prescan_core::SourceFile;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use super::seal::Sealer;
use super::types::{
    Changes, DbError, MailComposer, MutateError, OutboxMail, Reader, SavedPrescan,
    StoredNotification,
};

mod outbox;
pub(super) mod people;
mod rows;
mod schema;
mod sealing;

pub use rows::fold;
pub(super) use rows::{find_identical_spec, spec_files};
pub use schema::SCHEMA_VERSION;

impl From<rusqlite::Error> for DbError {
    fn from(e: rusqlite::Error) -> Self {
        DbError(format!("SQLite: {e}"))
    }
}

/// The connection and the `PRAGMA data_version` the cached state was
/// last loaded or checked at.
struct Conn {
    conn: Connection,
    seen_version: i64,
}

/// The SQLite back end (see the module docs).
pub struct Sqlite {
    /// The connection; taken first by a mutation.
    conn: Mutex<Conn>,
    /// The cache; a mutation takes its write lock after `conn`.
    state: RwLock<StoreState>,
    path: PathBuf,
    /// The key of the sealed columns.
    sealer: Sealer,
    /// Writes the e-mails of notifications (none: nothing is enqueued).
    mail: Option<Arc<dyn MailComposer>>,
}

/// The commits of other connections (other processes) this connection
/// has not seen: SQLite changes the number when one happens.
fn data_version(conn: &Connection) -> Result<i64, DbError> {
    // Prepared once per connection: the check runs before every read.
    let mut stmt = conn.prepare_cached("PRAGMA data_version")?;
    Ok(stmt.query_row([], |r| r.get(0))?)
}

impl Sqlite {
    /// Opens (creating or migrating) `<dir>/prescan.sqlite3` and loads the
    /// state, with the key of `key_file` (default `<dir>/prescan.key`,
    /// generated on first start; a given one must exist).
    pub fn open(dir: &Path, key_file: Option<&Path>) -> Result<Sqlite, DbError> {
        schema::create_private_dir(dir)
            .map_err(|e| DbError(format!("cannot create {}: {e}", dir.display())))?;
        let path = dir.join("prescan.sqlite3");
        schema::private_files(&path)?;
        let mut conn = Connection::open(&path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // Overwritten and deleted rows are zeroed, so that a credential
        // sealed (or removed) does not linger in free pages.
        conn.pragma_update(None, "secure_delete", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        schema::migrate(&mut conn)?;
        let sealer = sealing::open_key(&conn, dir, key_file)?;
        let (state, plain) = rows::load(&conn, &sealer)?;
        sealing::seal_plain_rows(&mut conn, &sealer, &state, &plain)?;
        // The -wal and -shm files exist now: check their modes too.
        schema::private_files(&path)?;
        let seen_version = data_version(&conn)?;
        Ok(Sqlite {
            conn: Mutex::new(Conn { conn, seen_version }),
            state: RwLock::new(state),
            path,
            sealer,
            mail: None,
        })
    }

    /// Enqueues the e-mails of every notification written from now on,
    /// as `mail` writes them (see `outbox::enqueue`).
    pub fn set_mail(&mut self, mail: Arc<dyn MailComposer>) {
        self.mail = Some(mail);
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    // A panic while holding a lock leaves the state as the last completed
    // operation left it (operations validate before changing anything), so
    // poisoning is ignored.

    fn conn(&self) -> MutexGuard<'_, Conn> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn state_read(&self) -> RwLockReadGuard<'_, StoreState> {
        self.state.read().unwrap_or_else(|p| p.into_inner())
    }

    fn state_write(&self) -> RwLockWriteGuard<'_, StoreState> {
        self.state.write().unwrap_or_else(|p| p.into_inner())
    }

    /// The state as committed, if another connection (process) committed
    /// since `seen`; `None` (and no read) otherwise.
    fn changed_since(
        &self,
        conn: &Connection,
        seen: &mut i64,
    ) -> Result<Option<StoreState>, DbError> {
        let now = data_version(conn)?;
        if now == *seen {
            return Ok(None);
        }
        let state = rows::load(conn, &self.sealer)?.0;
        *seen = now;
        Ok(Some(state))
    }

    /// Reads the state as last committed (under the read lock: reads run
    /// in parallel), after catching up with other processes' commits.
    pub fn read<R>(&self, f: impl FnOnce(&StoreState) -> R) -> Result<R, DbError> {
        {
            let mut c = self.conn();
            let Conn { conn, seen_version } = &mut *c;
            if let Some(committed) = self.changed_since(conn, seen_version)? {
                *self.state_write() = committed;
            }
        }
        Ok(f(&self.state_read()))
    }

    /// Applies a mutation to the state and writes what it changed in one
    /// transaction (see the module docs).
    pub fn mutate<R, E>(
        &self,
        f: impl FnOnce(&mut StoreState, &Connection) -> Result<(R, Changes), E>,
    ) -> Result<R, MutateError<E>> {
        let mut c = self.conn();
        let Conn { conn, seen_version } = &mut *c;
        let mut state = self.state_write();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| MutateError::Db(e.into()))?;
        if let Some(committed) = self
            .changed_since(&tx, seen_version)
            .map_err(MutateError::Db)?
        {
            *state = committed;
        }
        // Dropping `tx` without a commit rolls it back.
        let (value, changes) = f(&mut state, &tx).map_err(MutateError::Op)?;
        // With e-mail, the notifications' e-mails are enqueued in the same
        // transaction: mailed once, and never if it rolls back.
        let mailed = self
            .mail
            .as_ref()
            .map(|m| (m, changes.notifications.clone()));
        let written = rows::write(&tx, &self.sealer, &state, changes)
            .and_then(|ids| match &mailed {
                Some((mail, notifications)) => {
                    outbox::enqueue(&tx, &ids, notifications, mail.as_ref())
                }
                None => Ok(0),
            })
            .and_then(|enqueued| {
                tx.commit()?;
                Ok(enqueued)
            });
        match written {
            Ok(enqueued) => {
                if enqueued > 0 {
                    if let Some(mail) = &self.mail {
                        mail.enqueued();
                    }
                }
                Ok(value)
            }
            Err(e) => {
                match rows::load(conn, &self.sealer) {
                    Ok((loaded, _)) => *state = loaded,
                    Err(reload) => {
                        return Err(MutateError::Db(DbError(format!(
                            "{e}; reloading the state failed too: {reload}"
                        ))))
                    }
                }
                Err(MutateError::Db(e))
            }
        }
    }

    /// Claims up to `limit` due e-mails of the outbox that no process
    /// holds, until `lease_until_ms` (see `outbox`).
    pub fn outbox_claim(
        &self,
        now_ms: i64,
        limit: usize,
        lease_until_ms: i64,
    ) -> Result<Vec<OutboxMail>, DbError> {
        outbox::claim(&mut self.conn().conn, now_ms, limit, lease_until_ms)
    }

    /// Marks a claimed e-mail sent; `false` if its lease was lost.
    pub fn outbox_sent(&self, id: i64, lease_until_ms: i64, now_ms: i64) -> Result<bool, DbError> {
        outbox::sent(&self.conn().conn, id, lease_until_ms, now_ms)
    }

    /// Records a failed attempt of a claimed e-mail (`None`: given up);
    /// `false` if its lease was lost.
    pub fn outbox_failed(
        &self,
        id: i64,
        lease_until_ms: i64,
        error: &str,
        next_attempt_ms: Option<i64>,
    ) -> Result<bool, DbError> {
        outbox::failed(
            &self.conn().conn,
            id,
            lease_until_ms,
            error,
            next_attempt_ms,
        )
    }

    /// Gives a claimed e-mail back without an attempt.
    pub fn outbox_release(&self, id: i64, lease_until_ms: i64) -> Result<bool, DbError> {
        outbox::release(&self.conn().conn, id, lease_until_ms)
    }

    /// When the next waiting e-mail is due (or its lease ends), if any.
    pub fn outbox_next_due(&self) -> Result<Option<i64>, DbError> {
        outbox::next_due(&self.conn().conn)
    }

    /// Up to `limit` e-mails of the outbox with an id above `after`.
    pub fn outbox(&self, after: i64, limit: usize) -> Result<Vec<OutboxMail>, DbError> {
        outbox::rows(&self.conn().conn, after, limit)
    }

    /// Runs `f` with the connection (outside any transaction) and the key.
    pub fn with_conn<R>(&self, f: impl FnOnce(&Connection, &Sealer) -> R) -> R {
        f(&self.conn().conn, &self.sealer)
    }

    /// `SELECT 1` on the connection (readiness).
    pub fn ping(&self) -> Result<(), DbError> {
        self.conn()
            .conn
            .query_row("SELECT 1", [], |_| Ok(()))
            .map_err(|e| DbError(e.to_string()))
    }

    /// Every file of a specification, the root first.
    pub fn specification_files(&self, id: u64) -> Result<Option<Vec<SourceFile>>, DbError> {
        spec_files(&self.conn().conn, id)
    }

    /// The original bytes of a specification.
    pub fn specification_bytes(&self, id: u64) -> Result<Option<Vec<u8>>, DbError> {
        Ok(self
            .conn()
            .conn
            .query_row(
                "SELECT bytes FROM specifications WHERE id = ?1",
                params![id as i64],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Up to `limit` notifications with an id above `after`, oldest first,
    /// and the highest id stored (0 if none).
    pub fn notifications(
        &self,
        reader: &Reader<'_>,
        after: u64,
        limit: usize,
    ) -> Result<(Vec<StoredNotification>, u64), DbError> {
        let c = self.conn();
        let conn = &c.conn;
        let after = after.min(i64::MAX as u64) as i64;
        let mut stmt = conn.prepare_cached(
            "SELECT id, body FROM notifications
             WHERE id > ?1 AND (schedule_owner = ?3 OR (to_leads = 1 AND ?4))
             ORDER BY id LIMIT ?2",
        )?;
        let rows: Vec<(i64, String)> = stmt
            .query_map(
                params![after, limit as i64, reader.name, reader.security_lead],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?
            .collect::<Result<_, _>>()?;
        let mut out = Vec::with_capacity(rows.len());
        for (id, body) in rows {
            out.push((id as u64, serde_json::from_str(&body)?));
        }
        let latest: i64 = conn.query_row(
            "SELECT COALESCE(MAX(id), 0) FROM notifications
             WHERE schedule_owner = ?1 OR (to_leads = 1 AND ?2)",
            params![reader.name, reader.security_lead],
            |r| r.get(0),
        )?;
        Ok((out, latest.max(0) as u64))
    }

    /// The saved prescan of a scan.
    pub fn prescan(&self, scan: ScanId) -> Result<Option<SavedPrescan>, DbError> {
        rows::read_prescan(&self.conn().conn, &self.sealer, scan)
    }

    /// Closes the prescans a crash interrupted: their unfinished requests
    /// are marked cancelled (the core's [`PrescanRun::cancel`] rule) and
    /// they are finished at `now_ms`. Returns them, for the activity log.
    ///
    /// [`PrescanRun::cancel`]: prescan_core::prescan::PrescanRun::cancel
    pub fn interrupted_prescans(&self) -> Result<Vec<SavedPrescan>, DbError> {
        let c = self.conn();
        let conn = &c.conn;
        let mut stmt = conn.prepare("SELECT scan_id FROM prescans WHERE finished_ms IS NULL")?;
        let ids: Vec<i64> = stmt
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        let mut out = Vec::new();
        for id in ids {
            match rows::read_prescan(conn, &self.sealer, ScanId(id as u64)) {
                Ok(Some(p)) => out.push(p),
                Ok(None) => {}
                // Reported and skipped, as at load: the others close.
                Err(e) => eprintln!("prescan-server: skipped the prescan of scan {id}: {e}"),
            }
        }
        Ok(out)
    }
}
