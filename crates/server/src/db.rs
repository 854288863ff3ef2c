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
//!   the core's `Analysis` as JSON, credentials included (the database is
//!   as secret as the credentials it holds: keep the data directory
//!   private);
//! - `activity(analysis_id, seq, body, PRIMARY KEY(analysis_id, seq))`: one
//!   row per activity-log entry, appended;
//! - `specifications(id INTEGER PRIMARY KEY, file_name, size, record JSON,
//!   bytes BLOB)`;
//! - `prescans(scan_id INTEGER PRIMARY KEY, analysis_id, started_ms,
//!   finished_ms, report JSON)`: the last prescan of each scan;
//!   `finished_ms IS NULL` while it runs (a prescan interrupted by a crash
//!   is closed as cancelled at the next start);
//! - `notifications(id INTEGER PRIMARY KEY AUTOINCREMENT, analysis_id,
//!   body JSON, created_ms)` (schema 2): the core's `Notification`s, written
//!   in the transaction of the change that produced them (an engine tick, a
//!   prescan's end, an action); ids only grow (AUTOINCREMENT never reuses
//!   one), so a client reads the ones after the last id it saw. They stay
//!   when their analysis is deleted (they are what was sent).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};

use prescan_core::analysis::{
    ActivityEntry, Analysis, AnalysisId, Engine, Event, Notification, ScanId, SpecRecord,
    StoreState, StoredSpec, STORE_VERSION,
};
use prescan_core::prescan::PrescanReport;
use rusqlite::{params, Connection, OptionalExtension, Transaction};

/// The version of the SQLite schema (`PRAGMA user_version`).
pub const SCHEMA_VERSION: i64 = 2;

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
    /// state.
    pub fn open(dir: &Path) -> Result<Db, DbError> {
        std::fs::create_dir_all(dir)
            .map_err(|e| DbError(format!("cannot create {}: {e}", dir.display())))?;
        let path = dir.join("prescan.sqlite3");
        let mut conn = Connection::open(&path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        migrate(&mut conn)?;
        let state = load(&conn)?;
        Ok(Db {
            conn: Mutex::new(conn),
            state: RwLock::new(state),
            path,
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
        match write(&mut conn, &state, changes) {
            Ok(()) => Ok(value),
            Err(e) => {
                match load(&conn) {
                    Ok(loaded) => *state = loaded,
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
        read_prescan(&self.conn(), scan)
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
            if let Some(p) = read_prescan(&conn, ScanId(id as u64))? {
                out.push(p);
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

fn read_prescan(conn: &Connection, scan: ScanId) -> Result<Option<SavedPrescan>, DbError> {
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
            report: serde_json::from_str(&report)?,
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
    Ok(())
}

fn load(conn: &Connection) -> Result<StoreState, DbError> {
    let mut state = StoreState::new();
    state.next_id = conn
        .query_row("SELECT value FROM meta WHERE key = 'next_id'", [], |r| {
            r.get::<_, i64>(0)
        })
        .optional()?
        .unwrap_or(1)
        .max(1) as u64;
    let mut stmt = conn.prepare("SELECT body FROM analyses ORDER BY id")?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
    for body in rows {
        let a: Analysis = serde_json::from_str(&body?)?;
        state.analyses.push(a);
    }
    let mut stmt =
        conn.prepare("SELECT analysis_id, body FROM activity ORDER BY analysis_id, seq")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
    for row in rows {
        let (id, body) = row?;
        let entry: ActivityEntry = serde_json::from_str(&body)?;
        state
            .activity
            .entry(AnalysisId(id as u64))
            .or_default()
            .push(entry);
    }
    let mut stmt = conn.prepare("SELECT record FROM specifications ORDER BY id")?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
    for record in rows {
        let record: SpecRecord = serde_json::from_str(&record?)?;
        state.specifications.push(StoredSpec {
            record,
            bytes: Vec::new(),
            demo: false,
        });
    }
    Ok(state)
}

fn write(conn: &mut Connection, state: &StoreState, changes: Changes) -> Result<(), DbError> {
    if changes.analyses.is_empty() && changes.extra.is_empty() && changes.notifications.is_empty() {
        return Ok(());
    }
    let tx = conn.transaction()?;
    tx.execute(
        "UPDATE meta SET value = ?1 WHERE key = 'next_id'",
        params![state.next_id as i64],
    )?;
    for id in &changes.analyses {
        write_analysis(&tx, state, *id)?;
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
                            serde_json::to_string(&p.report)?
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
fn write_analysis(tx: &Transaction<'_>, state: &StoreState, id: AnalysisId) -> Result<(), DbError> {
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
            serde_json::to_string(a)?
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
