//! The schema: its tables and their migrations (`PRAGMA user_version`),
//! and the modes of the data directory and the database files.

use std::path::{Path, PathBuf};

use prescan_core::analysis::STORE_VERSION;
use rusqlite::{params, Connection};

use crate::db::types::DbError;

/// The version of the schema (`PRAGMA user_version` on SQLite,
/// `schema_migrations` on PostgreSQL: a number names the same tables on
/// both back ends).
pub const SCHEMA_VERSION: i64 = 6;

pub(super) fn migrate(conn: &mut Connection) -> Result<(), DbError> {
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
    if version < 4 {
        // People (issue 16): users with hashed tokens, teams, who is in
        // which; whom each notification is for; the e-mails to send.
        let tx = conn.transaction()?;
        tx.execute_batch(
            "CREATE TABLE users (
               id INTEGER PRIMARY KEY,
               name TEXT NOT NULL,
               name_folded TEXT NOT NULL UNIQUE,
               email TEXT,
               roles TEXT NOT NULL,
               token_lookup BLOB NOT NULL UNIQUE,
               token_hash TEXT NOT NULL,
               created_ms INTEGER NOT NULL,
               disabled_ms INTEGER
             );
             CREATE TABLE teams (
               id TEXT PRIMARY KEY,
               name TEXT NOT NULL,
               created_ms INTEGER NOT NULL
             );
             CREATE TABLE team_members (
               team_id TEXT NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
               user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
               PRIMARY KEY (team_id, user_id)
             );
             CREATE INDEX team_members_by_user ON team_members(user_id);
             ALTER TABLE notifications ADD COLUMN schedule_owner TEXT;
             ALTER TABLE notifications ADD COLUMN to_leads INTEGER NOT NULL DEFAULT 0;
             CREATE TABLE outbox (
               id INTEGER PRIMARY KEY AUTOINCREMENT,
               notification_id INTEGER NOT NULL,
               user_name TEXT NOT NULL,
               email TEXT NOT NULL,
               subject TEXT NOT NULL,
               body TEXT NOT NULL,
               created_ms INTEGER NOT NULL,
               attempts INTEGER NOT NULL DEFAULT 0,
               next_attempt_ms INTEGER NOT NULL,
               lease_until_ms INTEGER,
               last_error TEXT,
               sent_ms INTEGER,
               UNIQUE (notification_id, email)
             );
             CREATE INDEX outbox_due ON outbox(sent_ms, next_attempt_ms);",
        )?;
        // Whom the notifications already sent were for (from their body).
        let rows: Vec<(i64, String)> = {
            let mut stmt = tx.prepare("SELECT id, body FROM notifications")?;
            let rows = stmt
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<_, _>>()?;
            rows
        };
        for (id, body) in rows {
            let Ok(n) = serde_json::from_str::<prescan_core::analysis::Notification>(&body) else {
                continue;
            };
            let (owner, leads) = recipient_columns(&n.recipients);
            tx.execute(
                "UPDATE notifications SET schedule_owner = ?1, to_leads = ?2 WHERE id = ?3",
                params![owner, leads, id],
            )?;
        }
        tx.execute_batch("PRAGMA user_version = 4;")?;
        tx.commit()?;
    }
    if version < 5 {
        migrate_to_5(conn)?;
    }
    if version < 6 {
        let tx = conn.transaction()?;
        tx.execute_batch(SCHEMA_6)?;
        tx.commit()?;
    }
    Ok(())
}

/// Schema 6 (issue 19): who drives each running prescan, until when, and
/// whether another process asked for it to be cancelled; the rate limits'
/// buckets every process shares.
const SCHEMA_6: &str = "CREATE TABLE prescan_leases (
   scan_id INTEGER PRIMARY KEY,
   owner TEXT NOT NULL,
   until_ms INTEGER NOT NULL,
   cancel_requested INTEGER NOT NULL DEFAULT 0
 );
 CREATE TABLE rate_buckets (
   bucket TEXT PRIMARY KEY,
   level REAL NOT NULL,
   at_ms INTEGER NOT NULL
 );
 CREATE INDEX rate_buckets_by_time ON rate_buckets(at_ms);
 PRAGMA user_version = 6;";

/// Schema 5 (issue 17): the files of a specification split over several
/// files besides its root (`specification_files`), and a hash of all of a
/// specification's files (`content_hash`) to find an identical upload;
/// the hash of every row stored before is computed from its one file.
fn migrate_to_5(conn: &mut Connection) -> Result<(), DbError> {
    let tx = conn.transaction()?;
    tx.execute_batch(
        "CREATE TABLE specification_files (
           spec_id INTEGER NOT NULL REFERENCES specifications(id) ON DELETE CASCADE,
           position INTEGER NOT NULL,
           name TEXT NOT NULL,
           bytes BLOB NOT NULL,
           PRIMARY KEY (spec_id, position)
         );
         ALTER TABLE specifications ADD COLUMN content_hash BLOB;",
    )?;
    let rows: Vec<(i64, String, Vec<u8>)> = {
        let mut stmt = tx.prepare("SELECT id, file_name, bytes FROM specifications")?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<Result<_, _>>()?;
        rows
    };
    for (id, name, bytes) in rows {
        let hash = crate::db::types::files_hash([(name.as_str(), bytes.as_slice())]);
        tx.execute(
            "UPDATE specifications SET content_hash = ?1 WHERE id = ?2",
            params![hash.as_slice(), id],
        )?;
    }
    tx.execute_batch(
        "CREATE INDEX specifications_by_hash ON specifications(content_hash);
         PRAGMA user_version = 5;",
    )?;
    tx.commit()?;
    Ok(())
}

/// The `notifications` columns that say whom one is for: the schedule
/// owner's name, or the security leads.
pub(crate) fn recipient_columns(r: &prescan_core::analysis::Recipients) -> (Option<&str>, bool) {
    match r {
        prescan_core::analysis::Recipients::ScheduleOwner(name) => (Some(name.as_str()), false),
        prescan_core::analysis::Recipients::SecurityLeads => (None, true),
    }
}

/// Creates `dir` (and its parents) with mode 0700 (on Unix).
pub(super) fn create_private_dir(dir: &Path) -> std::io::Result<()> {
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
pub(super) fn private_files(db: &Path) -> Result<(), DbError> {
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
