//! Backups of SQLite (the format is `crate::db::backup`'s; only the SQL is
//! here).
//!
//! - [`snapshot`]: every row, read in **one read transaction on a
//!   connection of its own**. In WAL mode a reader sees the database as of
//!   its first read and never blocks the writers (the server keeps
//!   committing to the log meanwhile; only the checkpoint waits for the
//!   reader), and since every mutation is one transaction, the snapshot
//!   never holds half of one. The transaction lasts as long as writing
//!   the file: to a slow pipe, the write-ahead log grows meanwhile (it is
//!   checkpointed after).
//! - [`restore`]: rows inserted in **one `IMMEDIATE` transaction** into a
//!   database that holds nothing but its `meta` and `sealing` rows; the
//!   backup's probe must open with this database's key before any row is
//!   written; the counters (`meta.next_id`, `sqlite_sequence`) are set
//!   above every restored id; the state is loaded (every sealed analysis
//!   opened) before the commit. Any error rolls everything back.

use std::path::Path;

use rusqlite::{params, Connection, OpenFlags, OptionalExtension, TransactionBehavior};

use super::sealing::{open_row, prescan_aad, PROBE, PROBE_AAD};
use crate::db::backup::{
    ActivityRow, AnalysisRow, BackupRow, Bytes, MetaRow, NotificationRow, OutboxRow, PrescanRow,
    SealingRow, SequenceRow, SpecificationFileRow, SpecificationRow, TeamMemberRow, TeamRow,
    UserRow, SEQUENCES,
};
use crate::db::seal::Sealer;
use crate::db::types::DbError;

/// Hands every row of the database at `path` to `visit`, table by table
/// in the format's order, from one snapshot.
pub(super) fn snapshot(
    path: &Path,
    visit: &mut dyn FnMut(BackupRow) -> Result<(), DbError>,
) -> Result<(), DbError> {
    let mut conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    // A deferred transaction: its first SELECT fixes the snapshot; it
    // writes nothing, so it never takes the write lock.
    let tx = conn.transaction_with_behavior(TransactionBehavior::Deferred)?;
    each(
        &mut tx.prepare("SELECT key, value FROM meta ORDER BY key")?,
        visit,
        |r| {
            Ok(BackupRow::Meta(MetaRow {
                key: r.get(0)?,
                value: r.get(1)?,
            }))
        },
    )?;
    each(
        &mut tx.prepare("SELECT id, probe FROM sealing ORDER BY id")?,
        visit,
        |r| {
            Ok(BackupRow::Sealing(SealingRow {
                id: r.get(0)?,
                probe: r.get(1)?,
            }))
        },
    )?;
    each(
        &mut tx.prepare("SELECT id, name, name_folded, email, roles, token_lookup, token_hash, created_ms, disabled_ms
         FROM users ORDER BY id")?,
        visit,
        |r| {
            Ok(BackupRow::Users(UserRow {
                id: r.get(0)?,
                name: r.get(1)?,
                name_folded: r.get(2)?,
                email: r.get(3)?,
                roles: r.get(4)?,
                token_lookup: Bytes(r.get(5)?),
                token_hash: r.get(6)?,
                created_ms: r.get(7)?,
                disabled_ms: r.get(8)?,
            }))
        },
    )?;
    each(
        &mut tx.prepare("SELECT id, name, created_ms FROM teams ORDER BY id")?,
        visit,
        |r| {
            Ok(BackupRow::Teams(TeamRow {
                id: r.get(0)?,
                name: r.get(1)?,
                created_ms: r.get(2)?,
            }))
        },
    )?;
    each(
        &mut tx.prepare("SELECT team_id, user_id FROM team_members ORDER BY team_id, user_id")?,
        visit,
        |r| {
            Ok(BackupRow::TeamMembers(TeamMemberRow {
                team_id: r.get(0)?,
                user_id: r.get(1)?,
            }))
        },
    )?;
    each(
        &mut tx.prepare("SELECT id, name, name_folded, status, body FROM analyses ORDER BY id")?,
        visit,
        |r| {
            Ok(BackupRow::Analyses(AnalysisRow {
                id: r.get(0)?,
                name: r.get(1)?,
                name_folded: r.get(2)?,
                status: r.get(3)?,
                body: r.get(4)?,
            }))
        },
    )?;
    each(
        &mut tx.prepare("SELECT analysis_id, seq, body FROM activity ORDER BY analysis_id, seq")?,
        visit,
        |r| {
            Ok(BackupRow::Activity(ActivityRow {
                analysis_id: r.get(0)?,
                seq: r.get(1)?,
                body: r.get(2)?,
            }))
        },
    )?;
    each(
        &mut tx.prepare("SELECT id, file_name, size, record, bytes, content_hash FROM specifications ORDER BY id")?,
        visit,
        |r| {
            Ok(BackupRow::Specifications(SpecificationRow {
                id: r.get(0)?,
                file_name: r.get(1)?,
                size: r.get(2)?,
                record: r.get(3)?,
                bytes: Bytes(r.get(4)?),
                content_hash: r.get::<_, Option<Vec<u8>>>(5)?.map(Bytes),
            }))
        },
    )?;
    each(
        &mut tx.prepare("SELECT spec_id, position, name, bytes FROM specification_files ORDER BY spec_id, position")?,
        visit,
        |r| {
            Ok(BackupRow::SpecificationFiles(SpecificationFileRow {
                spec_id: r.get(0)?,
                position: r.get(1)?,
                name: r.get(2)?,
                bytes: Bytes(r.get(3)?),
            }))
        },
    )?;
    each(
        &mut tx.prepare("SELECT scan_id, analysis_id, started_ms, finished_ms, report FROM prescans ORDER BY scan_id")?,
        visit,
        |r| {
            Ok(BackupRow::Prescans(PrescanRow {
                scan_id: r.get(0)?,
                analysis_id: r.get(1)?,
                started_ms: r.get(2)?,
                finished_ms: r.get(3)?,
                report: r.get(4)?,
            }))
        },
    )?;
    each(
        &mut tx.prepare("SELECT id, analysis_id, body, created_ms, schedule_owner, to_leads FROM notifications ORDER BY id")?,
        visit,
        |r| {
            Ok(BackupRow::Notifications(NotificationRow {
                id: r.get(0)?,
                analysis_id: r.get(1)?,
                body: r.get(2)?,
                created_ms: r.get(3)?,
                schedule_owner: r.get(4)?,
                to_leads: r.get::<_, i64>(5)? != 0,
            }))
        },
    )?;
    each(
        &mut tx.prepare(
            "SELECT id, notification_id, user_name, email, subject, body, created_ms, attempts,
                next_attempt_ms, lease_until_ms, last_error, sent_ms
         FROM outbox ORDER BY id",
        )?,
        visit,
        |r| {
            Ok(BackupRow::Outbox(OutboxRow {
                id: r.get(0)?,
                notification_id: r.get(1)?,
                user_name: r.get(2)?,
                email: r.get(3)?,
                subject: r.get(4)?,
                body: r.get(5)?,
                created_ms: r.get(6)?,
                attempts: r.get(7)?,
                next_attempt_ms: r.get(8)?,
                lease_until_ms: r.get(9)?,
                last_error: r.get(10)?,
                sent_ms: r.get(11)?,
            }))
        },
    )?;
    // The counters of never-reused ids (AUTOINCREMENT).
    let mut stmt = tx.prepare("SELECT name, seq FROM sqlite_sequence ORDER BY name")?;
    let seqs: Vec<(String, i64)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    drop(stmt);
    for (name, last_id) in seqs {
        if SEQUENCES.contains(&name.as_str()) {
            visit(BackupRow::Sequences(SequenceRow { name, last_id }))?;
        }
    }
    // Read only: ending it changes nothing.
    tx.commit()?;
    Ok(())
}

/// Runs `stmt` and hands each row, as `row` makes it, to `visit`.
fn each(
    stmt: &mut rusqlite::Statement<'_>,
    visit: &mut dyn FnMut(BackupRow) -> Result<(), DbError>,
    row: impl Fn(&rusqlite::Row<'_>) -> rusqlite::Result<BackupRow>,
) -> Result<(), DbError> {
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        visit(row(r)?)?;
    }
    Ok(())
}

/// What each column of the emptiness check of [`restore`] tells of, for
/// its sentence (`meta` and `sealing` are written by any start).
const HELD: [&str; 11] = [
    "analyses",
    "activity-log entries",
    "specifications",
    "specification files",
    "prescans",
    "notifications",
    "users",
    "teams",
    "team members",
    "e-mails",
    "used ids",
];

/// Inserts the rows `next` gives (until `Ok(None)`) into the empty
/// database of `conn`, in one transaction; `sealer` is its key. Returns
/// the state as restored (loaded inside the transaction).
pub(super) fn restore(
    conn: &mut Connection,
    sealer: &Sealer,
    next: &mut dyn FnMut() -> Result<Option<BackupRow>, DbError>,
) -> Result<prescan_core::analysis::StoreState, DbError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let holds: Vec<bool> = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM analyses), EXISTS (SELECT 1 FROM activity),
           EXISTS (SELECT 1 FROM specifications), EXISTS (SELECT 1 FROM specification_files),
           EXISTS (SELECT 1 FROM prescans), EXISTS (SELECT 1 FROM notifications),
           EXISTS (SELECT 1 FROM users), EXISTS (SELECT 1 FROM teams),
           EXISTS (SELECT 1 FROM team_members), EXISTS (SELECT 1 FROM outbox),
           EXISTS (SELECT 1 FROM sqlite_sequence)",
        [],
        |r| (0..HELD.len()).map(|i| r.get(i)).collect(),
    )?;
    let held: Vec<&str> = HELD
        .iter()
        .zip(holds)
        .filter_map(|(what, holds)| holds.then_some(*what))
        .collect();
    if !held.is_empty() {
        return Err(DbError(format!(
            "the database is not empty (it holds {}): a backup is restored into a new data directory (or an empty database) only, so that nothing is mixed or overwritten",
            held.join(", ")
        )));
    }
    let mut sealing_seen = false;
    let mut next_id: i64 = 1;
    let mut sequences: Vec<(String, i64)> = Vec::new();
    let mut meta: Vec<(String, i64)> = Vec::new();
    while let Some(row) = next()? {
        if !sealing_seen && !matches!(row, BackupRow::Meta(_) | BackupRow::Sealing(_)) {
            return Err(DbError(
                "the backup's rows come before its sealing row: it cannot be checked against the key".into(),
            ));
        }
        match row {
            // Written at the end (nothing before the key is checked).
            BackupRow::Meta(m) if m.key == "next_id" => next_id = next_id.max(m.value),
            BackupRow::Meta(m) => meta.push((m.key, m.value)),
            BackupRow::Sealing(s) => {
                match sealer.open(&s.probe, PROBE_AAD) {
                    Ok((text, true)) if text == PROBE => {}
                    _ => {
                        return Err(DbError(
                            "the backup was sealed with another key than this data directory's: restore with the key file of the server the backup was taken from (--key-file, or copy it to prescan.key in the new data directory)".into(),
                        ))
                    }
                }
                // The backup's probe (the same key; kept as stored, so
                // that a backup of the restored database is the same).
                tx.prepare_cached(
                    "INSERT INTO sealing (id, probe) VALUES (1, ?1)
                     ON CONFLICT(id) DO UPDATE SET probe = excluded.probe",
                )?
                .execute(params![s.probe])?;
                sealing_seen = true;
            }
            BackupRow::Users(u) => {
                tx.prepare_cached(
                    "INSERT INTO users (id, name, name_folded, email, roles, token_lookup, token_hash, created_ms, disabled_ms)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                )?
                .execute(params![
                    u.id,
                    u.name,
                    u.name_folded,
                    u.email,
                    u.roles,
                    u.token_lookup.0,
                    u.token_hash,
                    u.created_ms,
                    u.disabled_ms
                ])?;
            }
            BackupRow::Teams(t) => {
                tx.prepare_cached("INSERT INTO teams (id, name, created_ms) VALUES (?1, ?2, ?3)")?
                    .execute(params![t.id, t.name, t.created_ms])?;
            }
            BackupRow::TeamMembers(m) => {
                tx.prepare_cached("INSERT INTO team_members (team_id, user_id) VALUES (?1, ?2)")?
                    .execute(params![m.team_id, m.user_id])?;
            }
            BackupRow::Analyses(a) => {
                next_id = next_id.max(a.id.saturating_add(1));
                tx.prepare_cached(
                    "INSERT INTO analyses (id, name, name_folded, status, body) VALUES (?1, ?2, ?3, ?4, ?5)",
                )?
                .execute(params![a.id, a.name, a.name_folded, a.status, a.body])?;
            }
            BackupRow::Activity(a) => {
                tx.prepare_cached(
                    "INSERT INTO activity (analysis_id, seq, body) VALUES (?1, ?2, ?3)",
                )?
                .execute(params![a.analysis_id, a.seq, a.body])?;
            }
            BackupRow::Specifications(s) => {
                next_id = next_id.max(s.id.saturating_add(1));
                tx.prepare_cached(
                    "INSERT INTO specifications (id, file_name, size, record, bytes, content_hash)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )?
                .execute(params![
                    s.id,
                    s.file_name,
                    s.size,
                    s.record,
                    s.bytes.0,
                    s.content_hash.map(|h| h.0)
                ])?;
            }
            BackupRow::SpecificationFiles(f) => {
                tx.prepare_cached(
                    "INSERT INTO specification_files (spec_id, position, name, bytes) VALUES (?1, ?2, ?3, ?4)",
                )?
                .execute(params![f.spec_id, f.position, f.name, f.bytes.0])?;
            }
            BackupRow::Prescans(p) => {
                next_id = next_id.max(p.scan_id.saturating_add(1));
                // Opened once: a report sealed with another key (or moved
                // to another row) is refused now, not at its first read.
                open_row(sealer, &p.report, &prescan_aad(p.scan_id.max(0) as u64))?;
                tx.prepare_cached(
                    "INSERT INTO prescans (scan_id, analysis_id, started_ms, finished_ms, report)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                )?
                .execute(params![
                    p.scan_id,
                    p.analysis_id,
                    p.started_ms,
                    p.finished_ms,
                    p.report
                ])?;
            }
            BackupRow::Notifications(n) => {
                tx.prepare_cached(
                    "INSERT INTO notifications (id, analysis_id, body, created_ms, schedule_owner, to_leads)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )?
                .execute(params![
                    n.id,
                    n.analysis_id,
                    n.body,
                    n.created_ms,
                    n.schedule_owner,
                    n.to_leads
                ])?;
            }
            BackupRow::Outbox(o) => {
                tx.prepare_cached(
                    "INSERT INTO outbox (id, notification_id, user_name, email, subject, body, created_ms,
                       attempts, next_attempt_ms, lease_until_ms, last_error, sent_ms)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                )?
                .execute(params![
                    o.id,
                    o.notification_id,
                    o.user_name,
                    o.email,
                    o.subject,
                    o.body,
                    o.created_ms,
                    o.attempts,
                    o.next_attempt_ms,
                    o.lease_until_ms,
                    o.last_error,
                    o.sent_ms
                ])?;
            }
            BackupRow::Sequences(s) => sequences.push((s.name, s.last_id)),
        }
    }
    if !sealing_seen {
        return Err(DbError(
            "the backup has no sealing row: it cannot be checked against the key".into(),
        ));
    }
    // The core's shared counter, above every id restored (the scans'
    // ids are inside the sealed bodies: checked on the loaded state).
    let state = super::rows::load(&tx, sealer)?.0;
    let next_id = crate::db::backup::next_id_after_restore(&state, next_id);
    meta.push(("next_id".into(), next_id));
    for (key, value) in meta {
        tx.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
    }
    // AUTOINCREMENT: inserting explicit ids moved sqlite_sequence to the
    // highest row; a counter that had gone further goes as far.
    for (name, last_id) in sequences {
        let current: Option<i64> = tx
            .query_row(
                "SELECT seq FROM sqlite_sequence WHERE name = ?1",
                params![name],
                |r| r.get(0),
            )
            .optional()?;
        match current {
            Some(c) if c >= last_id => {}
            Some(_) => {
                tx.execute(
                    "UPDATE sqlite_sequence SET seq = ?1 WHERE name = ?2",
                    params![last_id, name],
                )?;
            }
            None => {
                tx.execute(
                    "INSERT INTO sqlite_sequence (name, seq) VALUES (?1, ?2)",
                    params![name, last_id],
                )?;
            }
        }
    }
    let mut state = state;
    state.next_id = next_id.max(1) as u64;
    tx.commit()?;
    Ok(state)
}
