//! Rows: the state read from the tables at start-up (or when another
//! process committed), what a mutation changed written back, and the rows
//! read on request (a saved prescan, an identical specification). Every
//! statement is a literal with `?N` parameters.

use prescan_core::analysis::{
    ActivityEntry, Analysis, AnalysisId, ScanId, SpecRecord, SpecUpload, StoreState, StoredSpec,
};
use prescan_core::SourceFile;
use rusqlite::{params, Connection, OptionalExtension};

use super::sealing::{analysis_aad, open_row, prescan_aad, PlainRows};
use crate::db::seal::{OpenError, Sealer};
use crate::db::types::{Changes, DbError, Extra, SavedPrescan};

/// The case-folded name the UNIQUE index holds (the core compares names
/// with `char::to_lowercase`).
pub fn fold(name: &str) -> String {
    name.chars().flat_map(char::to_lowercase).collect()
}

fn status_code(a: &Analysis) -> String {
    format!("{:?}", a.status)
}

/// Finds a stored specification with the same files (names and bytes, in
/// order): the core's reuse rule, done in SQL because the bytes are not in
/// memory, by the hash of all the files ([`crate::db::types::files_hash`]).
pub fn find_identical_spec(
    conn: &Connection,
    upload: &SpecUpload,
) -> Result<Option<SpecRecord>, DbError> {
    let hash = crate::db::types::files_hash(upload.files());
    let text: Option<String> = conn
        .query_row(
            "SELECT record FROM specifications WHERE content_hash = ?1 AND size = ?2 ORDER BY id LIMIT 1",
            params![hash.as_slice(), upload.total_bytes() as i64],
            |r| r.get(0),
        )
        .optional()?;
    Ok(match text {
        Some(t) => Some(serde_json::from_str(&t)?),
        None => None,
    })
}

/// Every file of specification `id`, the root first (`None` if there is
/// no such specification).
pub fn spec_files(conn: &Connection, id: u64) -> Result<Option<Vec<SourceFile>>, DbError> {
    let root: Option<(String, Vec<u8>)> = conn
        .query_row(
            "SELECT file_name, bytes FROM specifications WHERE id = ?1",
            params![id as i64],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((name, bytes)) = root else {
        return Ok(None);
    };
    let mut files = vec![SourceFile { name, bytes }];
    let mut stmt = conn.prepare_cached(
        "SELECT name, bytes FROM specification_files WHERE spec_id = ?1 ORDER BY position",
    )?;
    let others = stmt.query_map(params![id as i64], |r| {
        Ok(SourceFile {
            name: r.get(0)?,
            bytes: r.get(1)?,
        })
    })?;
    for file in others {
        files.push(file?);
    }
    Ok(Some(files))
}

pub(super) fn read_prescan(
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

/// Reads the state; a row that cannot be read is reported and skipped (a
/// sealed one that does not open is fatal: wrong key).
pub(super) fn load(conn: &Connection, sealer: &Sealer) -> Result<(StoreState, PlainRows), DbError> {
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
                others: Vec::new(),
                demo: false,
            }),
            Err(e) => skip(format!("specification {id}"), &e),
        }
    }
    Ok((state, plain))
}

/// Writes `changes` in the mutation's transaction `tx` (the caller
/// commits). Returns the ids of the notifications written, in order (for
/// their e-mails, enqueued in the same transaction: `outbox`).
pub(super) fn write(
    tx: &Connection,
    sealer: &Sealer,
    state: &StoreState,
    changes: Changes,
) -> Result<Vec<i64>, DbError> {
    if changes.analyses.is_empty() && changes.extra.is_empty() && changes.notifications.is_empty() {
        return Ok(Vec::new());
    }
    tx.execute(
        "UPDATE meta SET value = ?1 WHERE key = 'next_id'",
        params![state.next_id as i64],
    )?;
    for id in &changes.analyses {
        write_analysis(tx, sealer, state, *id)?;
    }
    for extra in changes.extra {
        match extra {
            Extra::Specification {
                record,
                bytes,
                others,
            } => write_specification(tx, &record, &bytes, &others)?,
            Extra::SpecificationRecord(record) => {
                tx.execute(
                    "UPDATE specifications SET record = ?1 WHERE id = ?2",
                    params![serde_json::to_string(&record)?, record.id.0 as i64],
                )?;
            }
            Extra::Lease {
                scan,
                owner,
                until_ms,
            } => {
                tx.execute(
                    "INSERT INTO prescan_leases (scan_id, owner, until_ms) VALUES (?1, ?2, ?3)
                     ON CONFLICT(scan_id) DO UPDATE SET owner = excluded.owner,
                       until_ms = excluded.until_ms, cancel_requested = 0",
                    params![scan.0 as i64, owner, until_ms],
                )?;
            }
            Extra::Unlease(scan) => {
                tx.execute(
                    "DELETE FROM prescan_leases WHERE scan_id = ?1",
                    params![scan.0 as i64],
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
    let mut ids = Vec::with_capacity(changes.notifications.len());
    for n in &changes.notifications {
        let (owner, leads) = super::schema::recipient_columns(&n.recipients);
        tx.execute(
            "INSERT INTO notifications (analysis_id, body, created_ms, schedule_owner, to_leads)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                n.analysis_id.0 as i64,
                serde_json::to_string(n)?,
                n.at_ms,
                owner,
                leads
            ],
        )?;
        ids.push(tx.last_insert_rowid());
    }
    Ok(ids)
}

/// Writes one analysis as the state has it: its row and its new activity
/// entries, or the removal of all its rows.
fn write_analysis(
    tx: &Connection,
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

/// Writes a new specification: its row (the root's bytes, the hash of all
/// its files) and a `specification_files` row per other file.
fn write_specification(
    tx: &Connection,
    record: &SpecRecord,
    bytes: &[u8],
    others: &[SourceFile],
) -> Result<(), DbError> {
    let files = std::iter::once((record.file_name.as_str(), bytes))
        .chain(others.iter().map(|f| (f.name.as_str(), f.bytes.as_slice())));
    let hash = crate::db::types::files_hash(files);
    tx.execute(
        "INSERT INTO specifications (id, file_name, size, record, bytes, content_hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            record.id.0 as i64,
            record.file_name,
            record.size as i64,
            serde_json::to_string(record)?,
            bytes,
            hash.as_slice()
        ],
    )?;
    for (position, file) in (1_i64..).zip(others) {
        tx.execute(
            "INSERT INTO specification_files (spec_id, position, name, bytes) VALUES (?1, ?2, ?3, ?4)",
            params![record.id.0 as i64, position, file.name, file.bytes],
        )?;
    }
    Ok(())
}
