//! The PostgreSQL back end (issue 19): the database for more than one
//! machine. Any number of server processes (replicas) share one database;
//! each keeps the core's [`StoreState`] in memory, but never uses it
//! without first checking, in the database, that it is the latest.
//!
//! # The journal
//!
//! `state_version` is one row: the version of the state, raised by one by
//! every mutation that changes something, and `state_changes` lists, for
//! each version, the analyses and specifications it changed (kind `a` or
//! `s`, and the id). A replica holds the state as of a version (`seen`):
//!
//! - a **read** asks the database for the version (one indexed row); if it
//!   moved, the replica reads, in one `REPEATABLE READ` snapshot, the
//!   analyses (row and new log entries) and specifications the journal
//!   names since `seen`, and applies them; then the closure reads the state.
//!   So what a reader sees is never older than what was committed when the
//!   read began, whichever replica committed it;
//! - a **mutation** begins a transaction and locks the version row
//!   (`SELECT ... FOR UPDATE`): mutations of every replica are serialized
//!   on it, as SQLite's write lock serializes processes. With the lock
//!   held it catches up (statements after the lock see every commit
//!   before it), runs the core's operation, writes what changed with the
//!   journal entries of the next version, raises the version, and commits
//!   before it returns. A business rule the core checks (a unique name,
//!   one running scan) therefore holds across replicas. Notification ids
//!   are taken under the same lock, so they grow in commit order and a
//!   reader polling "after id N" misses none;
//! - the engine's tick is such a mutation: several replicas tick, the
//!   first to take the lock does the work, the others find nothing due
//!   (each transition happens once);
//! - the journal keeps the last [`JOURNAL_KEEP`] versions; a replica that
//!   fell further behind (stopped for a long time) reads the state whole.
//!
//! Rows kept only in storage (specification bytes, prescans, notifications,
//! people, the outbox) are read from the database on every request.
//!
//! # Connections
//!
//! A pool of at most `--database-pool` connections ([`pool`]), each with a
//! statement timeout, a lock timeout and an idle-in-transaction timeout.
//! Credentials are sealed with the key file as on SQLite; every replica
//! needs the same `--key-file`.

use std::path::Path;
use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard};

use prescan_core::analysis::{ScanId, StoreState};
use prescan_core::SourceFile;
use tokio_postgres::IsolationLevel;

use super::seal::Sealer;
use super::types::{
    Changes, DbError, MailComposer, MutateError, OutboxMail, PrescanLease, Reader, SavedPrescan,
    StoredNotification,
};

mod backup;
pub(crate) mod leases;
mod outbox;
pub(super) mod people;
pub mod pool;
mod rates;
mod rows;
mod schema;

pub use pool::{redacted_url, Settings};
use pool::{wait, Pool};
pub(crate) use rows::find_identical_spec;

/// How many versions the journal keeps (a replica further behind reads
/// the state whole).
pub const JOURNAL_KEEP: i64 = 10_000;

/// The state a replica holds and its version.
struct Cache {
    state: StoreState,
    seen: i64,
}

/// The PostgreSQL back end (see the module docs).
pub struct Postgres {
    pool: Pool,
    cache: RwLock<Cache>,
    /// One mutation of this process at a time (they are serialized by the
    /// version row anyway; this keeps them from each holding a connection
    /// while they wait).
    mutating: Mutex<()>,
    sealer: Sealer,
    mail: Option<Arc<dyn MailComposer>>,
    url: String,
}

impl Postgres {
    /// Connects to `url`, creates or migrates the schema, checks (or, on a
    /// database never sealed, stores) the key of `key_file` and loads the
    /// state.
    pub fn open(url: &str, key_file: &Path, settings: Settings) -> Result<Postgres, DbError> {
        let pool = Pool::new(url, settings)?;
        let mut conn = pool.get()?;
        schema::migrate(&mut conn)?;
        let sealer = open_key(&conn, key_file)?;
        let tx = wait(
            conn.build_transaction()
                .isolation_level(IsolationLevel::RepeatableRead)
                .read_only(true)
                .start(),
        )?;
        let (seen, _) = rows::version(&tx)?;
        let state = rows::load(&tx, &sealer)?;
        wait(tx.commit())?;
        drop(conn);
        Ok(Postgres {
            pool,
            cache: RwLock::new(Cache { state, seen }),
            mutating: Mutex::new(()),
            sealer,
            mail: None,
            url: redacted_url(url),
        })
    }

    /// Where the data is (the URL without its password).
    pub fn location(&self) -> &str {
        &self.url
    }

    /// Enqueues the e-mails of every notification written from now on.
    pub fn set_mail(&mut self, mail: Arc<dyn MailComposer>) {
        self.mail = Some(mail);
    }

    // A panic while holding a lock leaves the cache as the last completed
    // operation left it; poisoning is ignored (as on SQLite).

    fn cache_read(&self) -> RwLockReadGuard<'_, Cache> {
        self.cache.read().unwrap_or_else(|p| p.into_inner())
    }

    fn cache_write(&self) -> RwLockWriteGuard<'_, Cache> {
        self.cache.write().unwrap_or_else(|p| p.into_inner())
    }

    /// Brings the cache to the committed version, if it moved.
    fn catch_up(&self, conn: &mut pool::Conn<'_>) -> Result<(), DbError> {
        let stmt = conn.prepared(rows::VERSION)?;
        let (now, _) = rows::version_with(&**conn, &stmt)?;
        if self.cache_read().seen == now {
            return Ok(());
        }
        let mut cache = self.cache_write();
        // A mutation of this process that committed meanwhile brought it
        // there already.
        if cache.seen >= now {
            return Ok(());
        }
        let tx = wait(
            conn.build_transaction()
                .isolation_level(IsolationLevel::RepeatableRead)
                .read_only(true)
                .start(),
        )?;
        let version = rows::version_with(&tx, &stmt)?;
        let seen = cache.seen;
        rows::catch_up(&tx, &self.sealer, &mut cache.state, seen, version)?;
        cache.seen = version.0;
        wait(tx.commit())?;
        Ok(())
    }

    /// Reads the state as last committed by any replica.
    pub fn read<R>(&self, f: impl FnOnce(&StoreState) -> R) -> Result<R, DbError> {
        {
            let mut conn = self.pool.get()?;
            self.catch_up(&mut conn)?;
        }
        Ok(f(&self.cache_read().state))
    }

    /// Applies a mutation to the latest committed state and writes what it
    /// changed in one transaction (see the module docs).
    pub fn mutate<R, E>(
        &self,
        f: impl FnOnce(&mut StoreState, &tokio_postgres::Transaction<'_>) -> Result<(R, Changes), E>,
    ) -> Result<R, MutateError<E>> {
        let _one = self.mutating.lock().unwrap_or_else(|p| p.into_inner());
        let mut conn = self.pool.get().map_err(MutateError::Db)?;
        let lock = conn
            .prepared(rows::VERSION_FOR_UPDATE)
            .map_err(MutateError::Db)?;
        let tx = wait(conn.transaction()).map_err(|e| MutateError::Db(e.into()))?;
        let version = rows::version_with(&tx, &lock).map_err(MutateError::Db)?;
        let mut cache = self.cache_write();
        let seen = cache.seen;
        if let Err(e) = rows::catch_up(&tx, &self.sealer, &mut cache.state, seen, version) {
            return Err(MutateError::Db(e));
        }
        cache.seen = version.0;
        // Dropping `tx` without a commit rolls it back.
        let (value, changes) = f(&mut cache.state, &tx).map_err(MutateError::Op)?;
        if changes.analyses.is_empty()
            && changes.extra.is_empty()
            && changes.notifications.is_empty()
        {
            return Ok(value);
        }
        let next = version.0 + 1;
        let mailed = self
            .mail
            .as_ref()
            .map(|m| (m, changes.notifications.clone()));
        let written = rows::write(&tx, &self.sealer, &cache.state, changes, next)
            .and_then(|ids| match &mailed {
                Some((mail, notifications)) => {
                    outbox::enqueue(&tx, &ids, notifications, mail.as_ref())
                }
                None => Ok(0),
            })
            .and_then(|enqueued| {
                // Every JOURNAL_KEEP / 10 versions, the oldest entries go.
                let journal_from = if next % (JOURNAL_KEEP / 10) == 0 {
                    let from = (next - JOURNAL_KEEP + 1).max(version.1);
                    wait(tx.execute("DELETE FROM state_changes WHERE version < $1", &[&from]))?;
                    from
                } else {
                    version.1
                };
                wait(tx.execute(
                    "UPDATE state_version SET version = $1, journal_from = $2 WHERE id = 1",
                    &[&next, &journal_from],
                ))?;
                Ok(enqueued)
            });
        let written = written.and_then(|enqueued| {
            wait(tx.commit())?;
            Ok(enqueued)
        });
        match written {
            Ok(enqueued) => {
                cache.seen = next;
                drop(cache);
                if enqueued > 0 {
                    if let Some(mail) = &self.mail {
                        mail.enqueued();
                    }
                }
                Ok(value)
            }
            Err(e) => {
                // The cache holds the change that was not committed: read
                // the state whole again.
                let reloaded = self.pool.get().and_then(|conn| {
                    let (v, _) = rows::version(&*conn)?;
                    Ok((rows::load(&*conn, &self.sealer)?, v))
                });
                match reloaded {
                    Ok((state, v)) => {
                        cache.state = state;
                        cache.seen = v;
                        Err(MutateError::Db(e))
                    }
                    Err(reload) => {
                        // Force a whole read at the next use.
                        cache.seen = -1;
                        Err(MutateError::Db(DbError(format!(
                            "{e}; reloading the state failed too: {reload}"
                        ))))
                    }
                }
            }
        }
    }

    /// Runs `f` with a connection of the pool (outside any transaction)
    /// and the key.
    pub fn with_client<R>(
        &self,
        f: impl FnOnce(&tokio_postgres::Client, &Sealer) -> Result<R, DbError>,
    ) -> Result<R, DbError> {
        let conn = self.pool.get()?;
        f(&conn, &self.sealer)
    }

    /// Renews a prescan's lease and saves its progress (see `leases`).
    pub fn renew_lease(
        &self,
        scan: ScanId,
        owner: &str,
        until_ms: i64,
        progress: Option<&SavedPrescan>,
    ) -> Result<Option<bool>, DbError> {
        leases::renew(
            &mut *self.pool.get()?,
            &self.sealer,
            scan,
            owner,
            until_ms,
            progress,
        )
    }

    /// Asks the replica driving a prescan to cancel it.
    pub fn request_cancel(&self, scan: ScanId) -> Result<bool, DbError> {
        leases::request_cancel(&*self.pool.get()?, scan)
    }

    /// Takes over the expired leases.
    pub fn claim_expired_leases(
        &self,
        owner: &str,
        now_ms: i64,
        until_ms: i64,
    ) -> Result<Vec<ScanId>, DbError> {
        leases::claim_expired(&*self.pool.get()?, owner, now_ms, until_ms)
    }

    /// The lease of a prescan.
    pub fn lease(&self, scan: ScanId) -> Result<Option<PrescanLease>, DbError> {
        leases::lease(&*self.pool.get()?, scan)
    }

    /// Hands every row to `visit` from one snapshot (see `backup`).
    pub fn backup_rows(
        &self,
        visit: &mut dyn FnMut(crate::db::backup::BackupRow) -> Result<(), DbError>,
    ) -> Result<(), DbError> {
        backup::snapshot(&mut *self.pool.get()?, visit)
    }

    /// Inserts the rows `next` gives into this empty database in one
    /// transaction (see `backup`), then uses the state restored.
    pub fn restore_rows(
        &self,
        next: &mut dyn FnMut() -> Result<Option<crate::db::backup::BackupRow>, DbError>,
    ) -> Result<(), DbError> {
        let _one = self.mutating.lock().unwrap_or_else(|p| p.into_inner());
        let (state, version) = backup::restore(&mut *self.pool.get()?, &self.sealer, next)?;
        let mut cache = self.cache_write();
        cache.state = state;
        cache.seen = version;
        Ok(())
    }

    /// Takes one event from a shared rate-limit bucket (see `rates`).
    pub fn take_rate(
        &self,
        bucket: &str,
        per_minute: u32,
        now_ms: i64,
    ) -> Result<Result<(), std::time::Duration>, DbError> {
        rates::take(&*self.pool.get()?, bucket, per_minute, now_ms)
    }

    /// Forgets the rate-limit buckets that are full again.
    pub fn forget_full_rates(&self, now_ms: i64) -> Result<usize, DbError> {
        rates::forget_full(&*self.pool.get()?, now_ms)
    }

    /// The database answers.
    pub fn ping(&self) -> Result<(), DbError> {
        let conn = self.pool.get()?;
        wait(conn.simple_query("SELECT 1"))?;
        Ok(())
    }

    /// Every file of a specification, the root first.
    pub fn specification_files(&self, id: u64) -> Result<Option<Vec<SourceFile>>, DbError> {
        rows::spec_files(&*self.pool.get()?, id)
    }

    /// The original bytes of a specification.
    pub fn specification_bytes(&self, id: u64) -> Result<Option<Vec<u8>>, DbError> {
        let conn = self.pool.get()?;
        Ok(wait(conn.query_opt(
            "SELECT bytes FROM specifications WHERE id = $1",
            &[&(id as i64)],
        ))?
        .map(|r| r.get(0)))
    }

    /// Up to `limit` notifications with an id above `after`, oldest first,
    /// and the highest id of the reader's.
    pub fn notifications(
        &self,
        reader: &Reader<'_>,
        after: u64,
        limit: usize,
    ) -> Result<(Vec<StoredNotification>, u64), DbError> {
        let conn = self.pool.get()?;
        let after = after.min(i64::MAX as u64) as i64;
        let rows = wait(conn.query(
            "SELECT id, body FROM notifications
             WHERE id > $1 AND (schedule_owner = $3 OR (to_leads AND $4))
             ORDER BY id LIMIT $2",
            &[
                &after,
                &(limit.min(i64::MAX as usize) as i64),
                &reader.name,
                &reader.security_lead,
            ],
        ))?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            out.push((r.get::<_, i64>(0) as u64, serde_json::from_str(r.get(1))?));
        }
        let latest: i64 = wait(conn.query_one(
            "SELECT COALESCE(MAX(id), 0) FROM notifications
             WHERE schedule_owner = $1 OR (to_leads AND $2)",
            &[&reader.name, &reader.security_lead],
        ))?
        .get(0);
        Ok((out, latest.max(0) as u64))
    }

    /// The saved prescan of a scan.
    pub fn prescan(&self, scan: ScanId) -> Result<Option<SavedPrescan>, DbError> {
        rows::read_prescan(&*self.pool.get()?, &self.sealer, scan)
    }

    /// The prescans saved as running.
    pub fn interrupted_prescans(&self) -> Result<Vec<SavedPrescan>, DbError> {
        let conn = self.pool.get()?;
        let ids = wait(conn.query(
            "SELECT scan_id FROM prescans WHERE finished_ms IS NULL
             AND scan_id NOT IN (SELECT scan_id FROM prescan_leases) ORDER BY scan_id",
            &[],
        ))?;
        let mut out = Vec::new();
        for row in ids {
            let id: i64 = row.get(0);
            match rows::read_prescan(&*conn, &self.sealer, ScanId(id as u64)) {
                Ok(Some(p)) => out.push(p),
                Ok(None) => {}
                Err(e) => eprintln!("prescan-server: skipped the prescan of scan {id}: {e}"),
            }
        }
        Ok(out)
    }

    // ---- The e-mail outbox ----

    /// Claims up to `limit` due e-mails that no replica holds.
    pub fn outbox_claim(
        &self,
        now_ms: i64,
        limit: usize,
        lease_until_ms: i64,
    ) -> Result<Vec<OutboxMail>, DbError> {
        outbox::claim(&mut *self.pool.get()?, now_ms, limit, lease_until_ms)
    }

    /// Marks a claimed e-mail sent.
    pub fn outbox_sent(&self, id: i64, lease_until_ms: i64, now_ms: i64) -> Result<bool, DbError> {
        outbox::sent(&*self.pool.get()?, id, lease_until_ms, now_ms)
    }

    /// Records a failed attempt of a claimed e-mail.
    pub fn outbox_failed(
        &self,
        id: i64,
        lease_until_ms: i64,
        error: &str,
        next_attempt_ms: Option<i64>,
    ) -> Result<bool, DbError> {
        outbox::failed(
            &*self.pool.get()?,
            id,
            lease_until_ms,
            error,
            next_attempt_ms,
        )
    }

    /// Gives a claimed e-mail back.
    pub fn outbox_release(&self, id: i64, lease_until_ms: i64) -> Result<bool, DbError> {
        outbox::release(&*self.pool.get()?, id, lease_until_ms)
    }

    /// When the next waiting e-mail is due.
    pub fn outbox_next_due(&self) -> Result<Option<i64>, DbError> {
        outbox::next_due(&*self.pool.get()?)
    }

    /// Up to `limit` e-mails with an id above `after`.
    pub fn outbox(&self, after: i64, limit: usize) -> Result<Vec<OutboxMail>, DbError> {
        outbox::rows(&*self.pool.get()?, after, limit)
    }
}

/// The key: checked against the stored probe, or (database never sealed)
/// created if its file is missing and its probe stored. Replicas starting
/// together on a new database: the first probe stored wins, and a replica
/// with another key stops with the error.
fn open_key(conn: &tokio_postgres::Client, key_file: &Path) -> Result<Sealer, DbError> {
    let probe = |c: &tokio_postgres::Client| -> Result<Option<String>, DbError> {
        Ok(wait(c.query_opt("SELECT probe FROM sealing WHERE id = 1", &[]))?.map(|r| r.get(0)))
    };
    let stored = probe(conn)?;
    let (sealer, new_probe) =
        crate::db::sqlite::sealing::key_for(stored.as_deref(), key_file, true)?;
    if let Some(p) = new_probe {
        wait(conn.execute(
            "INSERT INTO sealing (id, probe) VALUES (1, $1) ON CONFLICT (id) DO NOTHING",
            &[&p],
        ))?;
        let now = probe(conn)?;
        crate::db::sqlite::sealing::key_for(now.as_deref(), key_file, false)?;
    }
    Ok(sealer)
}

/// Creates the database `name` on the server of `admin_url` unless it
/// exists (for tests and the throwaway clusters of `scripts/test`); `name`
/// is letters, digits and underscores.
pub fn create_database(admin_url: &str, name: &str) -> Result<(), DbError> {
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(DbError(format!(
            "{name}: not a database name prescan creates"
        )));
    }
    let pool = Pool::new(
        admin_url,
        Settings {
            max_connections: 1,
            ..Settings::default()
        },
    )?;
    let conn = pool.get()?;
    let exists = wait(conn.query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&name]))?;
    if exists.is_none() {
        wait(conn.batch_execute(&format!("CREATE DATABASE {name}")))?;
    }
    Ok(())
}
