//! Storage: the core's [`StoreState`] kept in memory as a cache, written
//! through to SQLite in the same critical section.
//!
//! # Design
//!
//! One [`Db`] holds a mutex over the SQLite connection and a read-write
//! lock over a [`StoreState`]. Every mutation (an API call or an engine
//! tick) holds both, the connection's mutex first, then the state's write
//! lock (every function here takes them in that order):
//!
//! 1. the core's operation runs on the in-memory state (`create`, `update`,
//!    `act`, `delete`, `put_specification`, `record_prescan`,
//!    [`Engine::tick`](prescan_core::analysis::Engine::tick)): every business
//!    rule is the core's, none is repeated here;
//! 2. the rows it changed (the analyses it names, their new activity-log
//!    entries, a new specification, a prescan) are written in **one SQLite
//!    transaction**, committed before the mutex is released and before the
//!    HTTP response is sent. The state's write lock is held until then,
//!    so a reader never sees a change that is not yet on disk. With WAL
//!    and `synchronous=FULL` a commit is on
//!    disk when it returns, so a crash (`kill -9`, power loss) loses nothing
//!    that was acknowledged;
//! 3. if the transaction fails, the in-memory state is reloaded from SQLite
//!    (which still holds the last committed state) and the caller gets a
//!    500 problem, so memory and disk never disagree.
//!
//! Reads of the state ([`Db::read`]: lists, one analysis, its log) take
//! the read lock only, so they run in parallel with each other (waiting
//! only while a mutation is applied and committed). Reads of rows kept
//! only in SQLite (specification bytes, prescans, notifications) take the
//! connection's mutex.
//!
//! What is *not* kept in memory: the bytes of specifications (read from the
//! `specifications.bytes` BLOB when a download, a HAR or a prescan needs
//! them; the in-memory [`StoredSpec`]s have empty `bytes`) and the saved
//! prescan reports (read from `prescans` on request). Because the bytes are
//! not in memory, the core's "an identical file already stored is reused"
//! check of `put_specification` is done with an SQL query on
//! `(file_name, size, bytes)` before calling it. Likewise the core drops the
//! saved prescans of scans that are removed; since they live in SQLite
//! only, [`write_analysis`] deletes the `prescans` rows of scans the
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
//!   ([`crate::seal`]: encrypted with a key kept outside the database);
//! - `activity(analysis_id, seq, body, PRIMARY KEY(analysis_id, seq))`: one
//!   row per activity-log entry, appended;
//! - `specifications(id INTEGER PRIMARY KEY, file_name, size, record JSON,
//!   bytes BLOB)`;
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
//!
//! At start-up ([`Db::open`]) a row that cannot be read (not JSON, or not
//! the core's shape) is reported on stderr and skipped; the others load.
//! A sealed row that does not open with the key is fatal (wrong key).
//! Rows of an older server with plain-text credentials are sealed.
//!
//! The data directory is created with mode 0700 and the database (and
//! SQLite's `-wal` and `-shm` files, which take the database's mode) 0600.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};

use prescan_core::analysis::{
    ActivityEntry, Analysis, AnalysisId, Engine, Event, Notification, ScanId, SpecRecord,
    StoreState, StoredSpec, STORE_VERSION,
};
use prescan_core::prescan::PrescanReport;
use rusqlite::{params, Connection, OptionalExtension, Transaction};

use crate::seal::{OpenError, Sealer};

/// The version of the SQLite schema (`PRAGMA user_version`).
pub const SCHEMA_VERSION: i64 = 3;

/// A storage failure (SQLite or a row that does not deserialize).
#[derive(Debug)]
pub struct DbError(pub String);

impl std::fmt::Display for DbError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DbError {}

impl From<rusqlite::Error> for DbError {
    fn from(e: rusqlite::Error) -> Self {
        DbError(format!("SQLite: {e}"))
    }
}

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
        /// Its original bytes.
        bytes: Vec<u8>,
    },
    /// The last prescan of a scan (running or finished).
    Prescan(SavedPrescan),
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

/// A stored notification: its id and the core's notification.
pub type StoredNotification = (u64, Notification);

/// Where a mutation failed: its own refusal (nothing changed), or the
/// storage (state reloaded).
#[derive(Debug)]
pub enum MutateError<E> {
    /// The operation refused (the state is unchanged).
    Op(E),
    /// Writing failed; the in-memory state was reloaded from SQLite.
    Db(DbError),
}

/// The store: SQLite plus the in-memory cache (see the module docs).
pub struct Db {
    /// The connection; taken first by a mutation.
    conn: Mutex<Connection>,
    /// The cache; a mutation takes its write lock after `conn`.
    state: RwLock<StoreState>,
    path: PathBuf,
    /// The key of the sealed columns.
    sealer: Sealer,
}

/// The case-folded name the UNIQUE index holds (the core compares names
/// with `char::to_lowercase`).
pub fn fold(name: &str) -> String {
    name.chars().flat_map(char::to_lowercase).collect()
}

fn status_code(a: &Analysis) -> String {
    format!("{:?}", a.status)
}

impl Db {
    /// Opens (creating or migrating) `<dir>/prescan.sqlite3` and loads the
    /// state, with the key of `key_file` (default `<dir>/prescan.key`,
    /// generated on first start; a given one must exist).
    pub fn open(dir: &Path, key_file: Option<&Path>) -> Result<Db, DbError> {
        create_private_dir(dir)
            .map_err(|e| DbError(format!("cannot create {}: {e}", dir.display())))?;
        let path = dir.join("prescan.sqlite3");
        private_files(&path)?;
        let mut conn = Connection::open(&path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // Overwritten and deleted rows are zeroed, so that a credential
        // sealed (or removed) does not linger in free pages.
        conn.pragma_update(None, "secure_delete", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        migrate(&mut conn)?;
        let sealer = open_key(&conn, dir, key_file)?;
        let (state, plain) = load(&conn, &sealer)?;
        seal_plain_rows(&mut conn, &sealer, &state, &plain)?;
        // The -wal and -shm files exist now: check their modes too.
        private_files(&path)?;
        Ok(Db {
            conn: Mutex::new(conn),
            state: RwLock::new(state),
            path,
            sealer,
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    // A panic while holding a lock leaves the state as the last completed
    // operation left it (operations validate before changing anything), so
    // poisoning is ignored.

    fn conn(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn state_read(&self) -> RwLockReadGuard<'_, StoreState> {
        self.state.read().unwrap_or_else(|p| p.into_inner())
    }

    fn state_write(&self) -> RwLockWriteGuard<'_, StoreState> {
        self.state.write().unwrap_or_else(|p| p.into_inner())
    }

    /// Reads the state (under the read lock: reads run in parallel).
    pub fn read<R>(&self, f: impl FnOnce(&StoreState) -> R) -> R {
        f(&self.state_read())
    }

    /// Runs a read-only query on the connection (under its mutex) and the
    /// state (under the read lock).
    pub fn query<R>(
        &self,
        f: impl FnOnce(&Connection, &StoreState) -> Result<R, DbError>,
    ) -> Result<R, DbError> {
        let conn = self.conn();
        let state = self.state_read();
        f(&conn, &state)
    }

    /// Applies a mutation to the state and writes what it changed in one
    /// transaction (see the module docs).
    pub fn mutate<R, E>(
        &self,
        f: impl FnOnce(&mut StoreState, &Connection) -> Result<(R, Changes), E>,
    ) -> Result<R, MutateError<E>> {
        let mut conn = self.conn();
        let mut state = self.state_write();
        let (value, changes) = f(&mut state, &conn).map_err(MutateError::Op)?;
        match write(&mut conn, &self.sealer, &state, changes) {
            Ok(()) => Ok(value),
            Err(e) => {
                match load(&conn, &self.sealer) {
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

    /// One engine tick at `now_ms`: moves runs on and writes the analyses
    /// it changed. Returns how many analyses changed.
    pub fn tick(&self, engine: &Engine, now_ms: i64) -> Result<usize, DbError> {
        // Most ticks change nothing: find out under the read lock, without
        // stopping readers (the mutation checks again under the write lock).
        if !self.read(|state| engine.next_change_ms(state).is_some_and(|t| t <= now_ms)) {
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
                .filter(|a| {
                    a.active_run().is_some()
                        || a.status == prescan_core::analysis::AnalysisStatus::Scheduled
                })
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

    /// The original bytes of a specification.
    pub fn specification_bytes(&self, id: u64) -> Result<Option<Vec<u8>>, DbError> {
        Ok(self
            .conn()
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
        after: u64,
        limit: usize,
    ) -> Result<(Vec<StoredNotification>, u64), DbError> {
        let conn = self.conn();
        let after = after.min(i64::MAX as u64) as i64;
        let mut stmt = conn.prepare_cached(
            "SELECT id, body FROM notifications WHERE id > ?1 ORDER BY id LIMIT ?2",
        )?;
        let rows: Vec<(i64, String)> = stmt
            .query_map(params![after, limit as i64], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        let mut out = Vec::with_capacity(rows.len());
        for (id, body) in rows {
            out.push((id as u64, serde_json::from_str(&body)?));
        }
        let latest: i64 =
            conn.query_row("SELECT COALESCE(MAX(id), 0) FROM notifications", [], |r| {
                r.get(0)
            })?;
        Ok((out, latest.max(0) as u64))
    }

    /// The saved prescan of a scan.
    pub fn prescan(&self, scan: ScanId) -> Result<Option<SavedPrescan>, DbError> {
        read_prescan(&self.conn(), &self.sealer, scan)
    }

    /// Closes the prescans a crash interrupted: their unfinished requests
    /// are marked cancelled (the core's [`PrescanRun::cancel`] rule) and
    /// they are finished at `now_ms`. Returns them, for the activity log.
    ///
    /// [`PrescanRun::cancel`]: prescan_core::prescan::PrescanRun::cancel
    pub fn interrupted_prescans(&self) -> Result<Vec<SavedPrescan>, DbError> {
        let conn = self.conn();
        let mut stmt = conn.prepare("SELECT scan_id FROM prescans WHERE finished_ms IS NULL")?;
        let ids: Vec<i64> = stmt
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        let mut out = Vec::new();
        for id in ids {
            match read_prescan(&conn, &self.sealer, ScanId(id as u64)) {
                Ok(Some(p)) => out.push(p),
                Ok(None) => {}
                // Reported and skipped, as at load: the others close.
                Err(e) => eprintln!("prescan-server: skipped the prescan of scan {id}: {e}"),
            }
        }
        Ok(out)
    }
}

/// Finds a stored specification with the same file name and bytes (the
/// core's reuse rule, done in SQL because the bytes are not in memory).
pub fn find_identical_spec(
    conn: &Connection,
    file_name: &str,
    bytes: &[u8],
) -> Result<Option<SpecRecord>, DbError> {
    let text: Option<String> = conn
        .query_row(
            "SELECT record FROM specifications WHERE file_name = ?1 AND size = ?2 AND bytes = ?3",
            params![file_name, bytes.len() as i64, bytes],
            |r| r.get(0),
        )
        .optional()?;
    Ok(match text {
        Some(t) => Some(serde_json::from_str(&t)?),
        None => None,
    })
}

fn read_prescan(
    conn: &Connection,
    sealer: &Sealer,
    scan: ScanId,
) -> Result<Option<SavedPrescan>, DbError> {
    let row: Option<(i64, i64, Option<i64>, String)> = conn
        .query_row(
            "SELECT analysis_id, started_ms, finished_ms, report FROM prescans WHERE scan_id = ?1",
            params![scan.0 as i64],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    Ok(match row {
        Some((analysis, started_ms, finished_ms, report)) => Some(SavedPrescan {
            scan_id: scan,
            analysis_id: AnalysisId(analysis as u64),
            started_ms,
            finished_ms,
            report: serde_json::from_str(&open_row(sealer, &report, &prescan_aad(scan.0))?.0)?,
        }),
        None => None,
    })
}

fn migrate(conn: &mut Connection) -> Result<(), DbError> {
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version > SCHEMA_VERSION {
        return Err(DbError(format!(
            "the database was written by a newer prescan-server (schema {version}; this one knows {SCHEMA_VERSION})"
        )));
    }
    if version < 1 {
        let tx = conn.transaction()?;
        tx.execute_batch(
            "CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
             CREATE TABLE analyses (
               id INTEGER PRIMARY KEY,
               name TEXT NOT NULL,
               name_folded TEXT NOT NULL UNIQUE,
               status TEXT NOT NULL,
               body TEXT NOT NULL
             );
             CREATE TABLE activity (
               analysis_id INTEGER NOT NULL REFERENCES analyses(id) ON DELETE CASCADE,
               seq INTEGER NOT NULL,
               body TEXT NOT NULL,
               PRIMARY KEY (analysis_id, seq)
             );
             CREATE TABLE specifications (
               id INTEGER PRIMARY KEY,
               file_name TEXT NOT NULL,
               size INTEGER NOT NULL,
               record TEXT NOT NULL,
               bytes BLOB NOT NULL
             );
             CREATE INDEX specifications_by_name ON specifications(file_name, size);
             CREATE TABLE prescans (
               scan_id INTEGER PRIMARY KEY,
               analysis_id INTEGER NOT NULL REFERENCES analyses(id) ON DELETE CASCADE,
               started_ms INTEGER NOT NULL,
               finished_ms INTEGER,
               report TEXT NOT NULL
             );
             CREATE INDEX prescans_by_analysis ON prescans(analysis_id);
             PRAGMA user_version = 1;",
        )?;
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ('next_id', 1), ('store_version', ?1)",
            params![STORE_VERSION],
        )?;
        tx.commit()?;
    }
    if version < 2 {
        let tx = conn.transaction()?;
        tx.execute_batch(
            "CREATE TABLE notifications (
               id INTEGER PRIMARY KEY AUTOINCREMENT,
               analysis_id INTEGER NOT NULL,
               body TEXT NOT NULL,
               created_ms INTEGER NOT NULL
             );
             PRAGMA user_version = 2;",
        )?;
        tx.commit()?;
    }
    if version < 3 {
        let tx = conn.transaction()?;
        tx.execute_batch(
            "CREATE TABLE sealing (
               id INTEGER PRIMARY KEY CHECK (id = 1),
               probe TEXT NOT NULL
             );
             PRAGMA user_version = 3;",
        )?;
        tx.commit()?;
    }
    Ok(())
}

const PROBE: &str = "prescan key probe";
const PROBE_AAD: &str = "sealing:1";

fn analysis_aad(id: u64) -> String {
    format!("analyses:{id}")
}

fn prescan_aad(scan: u64) -> String {
    format!("prescans:{scan}")
}

/// Opens a sealed (or plain) column; a wrong key is an error naming it.
fn open_row(sealer: &Sealer, stored: &str, aad: &str) -> Result<(String, bool), DbError> {
    sealer.open(stored, aad).map_err(|e| match e {
        OpenError::WrongKey => DbError(format!(
            "the row {aad} does not open with this key (another key file, or a changed row)"
        )),
        OpenError::Malformed => DbError(format!("the row {aad} is not a sealed value")),
    })
}

/// The key: the probe row tells whether the database was sealed already
/// (then the key file must exist and open it).
fn open_key(conn: &Connection, dir: &Path, key_file: Option<&Path>) -> Result<Sealer, DbError> {
    let probe: Option<String> = conn
        .query_row("SELECT probe FROM sealing WHERE id = 1", [], |r| r.get(0))
        .optional()?;
    let default = dir.join("prescan.key");
    let path = key_file.unwrap_or(&default);
    // A new key only for a database never sealed, and only at the default
    // place (a given --key-file must exist).
    let sealer = Sealer::from_file(path, key_file.is_none() && probe.is_none()).map_err(|e| {
        DbError(if probe.is_some() {
            format!("{e}; the database was sealed with a key: give its key file (--key-file)")
        } else {
            e
        })
    })?;
    match probe {
        Some(p) => match sealer.open(&p, PROBE_AAD) {
            Ok((text, true)) if text == PROBE => {}
            _ => {
                return Err(DbError(format!(
                    "the key file {} is not the key this database was sealed with; start with the key file it was created with (--key-file), or the stored credentials cannot be read",
                    path.display()
                )))
            }
        },
        None => {
            conn.execute(
                "INSERT INTO sealing (id, probe) VALUES (1, ?1)",
                params![sealer.seal(PROBE, PROBE_AAD)],
            )?;
        }
    }
    Ok(sealer)
}

/// Creates `dir` (and its parents) with mode 0700 (on Unix).
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(dir)
}

/// Creates the database file 0600 if it is missing and takes the group's
/// and others' permissions away from it and from its `-wal` and `-shm`.
fn private_files(db: &Path) -> Result<(), DbError> {
    let err = |e: std::io::Error| DbError(format!("cannot protect {}: {e}", db.display()));
    if !db.exists() {
        let mut o = std::fs::OpenOptions::new();
        o.write(true).create(true).truncate(false);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            o.mode(0o600);
        }
        o.open(db).map_err(err)?;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for suffix in ["", "-wal", "-shm"] {
            let mut p = db.as_os_str().to_owned();
            p.push(suffix);
            let p = PathBuf::from(p);
            if let Ok(m) = std::fs::metadata(&p) {
                if m.permissions().mode() & 0o077 != 0 {
                    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600))
                        .map_err(err)?;
                }
            }
        }
    }
    Ok(())
}

/// Rows read in plain text (written by an older server): sealed now.
#[derive(Debug, Default)]
struct PlainRows {
    analyses: Vec<AnalysisId>,
}

fn seal_plain_rows(
    conn: &mut Connection,
    sealer: &Sealer,
    state: &StoreState,
    plain: &PlainRows,
) -> Result<(), DbError> {
    let tx = conn.transaction()?;
    let mut sealed = plain.analyses.len();
    for id in &plain.analyses {
        if let Some(a) = state.analysis(*id) {
            tx.execute(
                "UPDATE analyses SET body = ?1 WHERE id = ?2",
                params![
                    sealer.seal(&serde_json::to_string(a)?, &analysis_aad(id.0)),
                    id.0 as i64
                ],
            )?;
        }
    }
    let rows: Vec<(i64, String)> = {
        let mut stmt = tx.prepare("SELECT scan_id, report FROM prescans")?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        rows
    };
    for (scan, report) in rows {
        if !report.starts_with(crate::seal::PREFIX) {
            tx.execute(
                "UPDATE prescans SET report = ?1 WHERE scan_id = ?2",
                params![sealer.seal(&report, &prescan_aad(scan as u64)), scan],
            )?;
            sealed += 1;
        }
    }
    tx.commit()?;
    if sealed > 0 {
        // The plain-text versions are in the write-ahead log until it is
        // checkpointed: write them over and empty it now.
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        eprintln!("prescan-server: sealed the credentials of {sealed} rows written in plain text by an older server");
    }
    Ok(())
}

/// Reads the state; a row that cannot be read is reported and skipped (a
/// sealed one that does not open is fatal: wrong key).
fn load(conn: &Connection, sealer: &Sealer) -> Result<(StoreState, PlainRows), DbError> {
    let mut plain = PlainRows::default();
    let skip = |what: String, e: &dyn std::fmt::Display| {
        eprintln!("prescan-server: skipped {what} of the database, which cannot be read: {e}");
    };
    let mut state = StoreState::new();
    state.next_id = conn
        .query_row("SELECT value FROM meta WHERE key = 'next_id'", [], |r| {
            r.get::<_, i64>(0)
        })
        .optional()?
        .unwrap_or(1)
        .max(1) as u64;
    let mut stmt = conn.prepare("SELECT id, body FROM analyses ORDER BY id")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
    for row in rows {
        let (id, body) = match row {
            Ok(r) => r,
            Err(e) => {
                skip("a row of analyses".into(), &e);
                continue;
            }
        };
        let (json, sealed) = match sealer.open(&body, &analysis_aad(id as u64)) {
            Ok(x) => x,
            Err(OpenError::WrongKey) => {
                return Err(DbError(format!(
                    "analysis {id} does not open with this key (the key file is not the one the database was sealed with)"
                )))
            }
            Err(OpenError::Malformed) => {
                skip(format!("analysis {id}"), &"not a sealed value");
                continue;
            }
        };
        match serde_json::from_str::<Analysis>(&json) {
            Ok(a) if a.id.0 as i64 == id => {
                if !sealed {
                    plain.analyses.push(a.id);
                }
                state.analyses.push(a);
            }
            Ok(_) => skip(format!("analysis {id}"), &"its body has another id"),
            Err(e) => skip(format!("analysis {id}"), &e),
        }
    }
    let mut stmt =
        conn.prepare("SELECT analysis_id, seq, body FROM activity ORDER BY analysis_id, seq")?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, String>(2)?,
        ))
    })?;
    for row in rows {
        let (id, seq, body) = match row {
            Ok(r) => r,
            Err(e) => {
                skip("a row of activity".into(), &e);
                continue;
            }
        };
        let id = AnalysisId(id as u64);
        if state.analysis(id).is_none() {
            continue;
        }
        match serde_json::from_str::<ActivityEntry>(&body) {
            Ok(entry) => state.activity.entry(id).or_default().push(entry),
            Err(e) => skip(format!("activity entry {seq} of analysis {}", id.0), &e),
        }
    }
    let mut stmt = conn.prepare("SELECT id, record FROM specifications ORDER BY id")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
    for row in rows {
        let (id, record) = match row {
            Ok(r) => r,
            Err(e) => {
                skip("a row of specifications".into(), &e);
                continue;
            }
        };
        match serde_json::from_str::<SpecRecord>(&record) {
            Ok(record) => state.specifications.push(StoredSpec {
                record,
                bytes: Vec::new(),
                demo: false,
            }),
            Err(e) => skip(format!("specification {id}"), &e),
        }
    }
    Ok((state, plain))
}

fn write(
    conn: &mut Connection,
    sealer: &Sealer,
    state: &StoreState,
    changes: Changes,
) -> Result<(), DbError> {
    if changes.analyses.is_empty() && changes.extra.is_empty() && changes.notifications.is_empty() {
        return Ok(());
    }
    let tx = conn.transaction()?;
    tx.execute(
        "UPDATE meta SET value = ?1 WHERE key = 'next_id'",
        params![state.next_id as i64],
    )?;
    for id in &changes.analyses {
        write_analysis(&tx, sealer, state, *id)?;
    }
    for extra in changes.extra {
        match extra {
            Extra::Specification { record, bytes } => {
                tx.execute(
                    "INSERT INTO specifications (id, file_name, size, record, bytes) VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![
                        record.id.0 as i64,
                        record.file_name,
                        bytes.len() as i64,
                        serde_json::to_string(&record)?,
                        bytes
                    ],
                )?;
            }
            Extra::Prescan(p) => {
                // Only for a scan that still exists (the core drops the
                // prescans of removed scans).
                let exists = state
                    .analysis(p.analysis_id)
                    .is_some_and(|a| a.scans.iter().any(|s| s.id == p.scan_id));
                if exists {
                    tx.execute(
                        "INSERT INTO prescans (scan_id, analysis_id, started_ms, finished_ms, report)
                         VALUES (?1, ?2, ?3, ?4, ?5)
                         ON CONFLICT(scan_id) DO UPDATE SET analysis_id = excluded.analysis_id,
                           started_ms = excluded.started_ms, finished_ms = excluded.finished_ms,
                           report = excluded.report",
                        params![
                            p.scan_id.0 as i64,
                            p.analysis_id.0 as i64,
                            p.started_ms,
                            p.finished_ms,
                            sealer.seal(
                                &serde_json::to_string(&p.report)?,
                                &prescan_aad(p.scan_id.0)
                            )
                        ],
                    )?;
                }
            }
        }
    }
    for n in &changes.notifications {
        tx.execute(
            "INSERT INTO notifications (analysis_id, body, created_ms) VALUES (?1, ?2, ?3)",
            params![n.analysis_id.0 as i64, serde_json::to_string(n)?, n.at_ms],
        )?;
    }
    tx.commit()?;
    Ok(())
}

/// Writes one analysis as the state has it: its row and its new activity
/// entries, or the removal of all its rows.
fn write_analysis(
    tx: &Transaction<'_>,
    sealer: &Sealer,
    state: &StoreState,
    id: AnalysisId,
) -> Result<(), DbError> {
    let key = id.0 as i64;
    let Some(a) = state.analysis(id) else {
        tx.execute("DELETE FROM prescans WHERE analysis_id = ?1", params![key])?;
        tx.execute("DELETE FROM activity WHERE analysis_id = ?1", params![key])?;
        tx.execute("DELETE FROM analyses WHERE id = ?1", params![key])?;
        return Ok(());
    };
    tx.execute(
        "INSERT INTO analyses (id, name, name_folded, status, body) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT(id) DO UPDATE SET name = excluded.name, name_folded = excluded.name_folded,
           status = excluded.status, body = excluded.body",
        params![
            key,
            a.name,
            fold(&a.name),
            status_code(a),
            sealer.seal(&serde_json::to_string(a)?, &analysis_aad(id.0))
        ],
    )?;
    let stored: i64 = tx.query_row(
        "SELECT COUNT(*) FROM activity WHERE analysis_id = ?1",
        params![key],
        |r| r.get(0),
    )?;
    let log = state.activity.get(&id).map(Vec::as_slice).unwrap_or(&[]);
    let mut insert =
        tx.prepare_cached("INSERT INTO activity (analysis_id, seq, body) VALUES (?1, ?2, ?3)")?;
    for (seq, entry) in log.iter().enumerate().skip(stored.max(0) as usize) {
        insert.execute(params![key, seq as i64, serde_json::to_string(entry)?])?;
    }
    // Saved prescans of scans the analysis no longer has go (core rule).
    let mut stmt = tx.prepare_cached("SELECT scan_id FROM prescans WHERE analysis_id = ?1")?;
    let scans: Vec<i64> = stmt
        .query_map(params![key], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for scan in scans {
        if !a.scans.iter().any(|s| s.id.0 as i64 == scan) {
            tx.execute("DELETE FROM prescans WHERE scan_id = ?1", params![scan])?;
        }
    }
    Ok(())
}
