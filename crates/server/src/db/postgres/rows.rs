//! Rows on PostgreSQL: the state read whole (at start-up, or when a
//! replica fell behind the journal) or caught up from the journal, what a
//! mutation changed written back with its journal entries, and the rows
//! read on request. Every statement is a literal with `$N` parameters.

use prescan_core::analysis::{
    ActivityEntry, Analysis, AnalysisId, ScanId, SpecRecord, SpecUpload, StoreState, StoredSpec,
};
use prescan_core::SourceFile;
use tokio_postgres::GenericClient;

use super::pool::wait;
use crate::db::seal::{OpenError, Sealer};
use crate::db::sqlite::fold;
use crate::db::sqlite::sealing::{analysis_aad, open_row, prescan_aad};
use crate::db::types::{Changes, DbError, Extra, SavedPrescan};

/// Journal kinds: an analysis (its row and log) or a specification's
/// record changed.
const ANALYSIS: &str = "a";
const SPECIFICATION: &str = "s";

fn skip(what: &str, e: &dyn std::fmt::Display) {
    eprintln!("prescan-server: skipped {what} of the database, which cannot be read: {e}");
}

/// An analysis row opened and read; `None` (reported) if it cannot be
/// read; an error if it does not open with the key.
fn decode_analysis(sealer: &Sealer, id: i64, body: &str) -> Result<Option<Analysis>, DbError> {
    let json = match sealer.open(body, &analysis_aad(id as u64)) {
        Ok((json, _)) => json,
        Err(OpenError::WrongKey) => {
            return Err(DbError(format!(
                "analysis {id} does not open with this key (the key file is not the one the database was sealed with)"
            )))
        }
        Err(OpenError::Malformed) => {
            skip(&format!("analysis {id}"), &"not a sealed value");
            return Ok(None);
        }
    };
    match serde_json::from_str::<Analysis>(&json) {
        Ok(a) if a.id.0 as i64 == id => Ok(Some(a)),
        Ok(_) => {
            skip(&format!("analysis {id}"), &"its body has another id");
            Ok(None)
        }
        Err(e) => {
            skip(&format!("analysis {id}"), &e);
            Ok(None)
        }
    }
}

fn next_id(c: &impl GenericClient) -> Result<u64, DbError> {
    let row = wait(c.query_opt("SELECT value FROM meta WHERE key = 'next_id'", &[]))?;
    Ok(row.map_or(1, |r| r.get::<_, i64>(0)).max(1) as u64)
}

/// Reads the whole state (a row that cannot be read is reported and
/// skipped; one sealed with another key is fatal).
pub(super) fn load(c: &impl GenericClient, sealer: &Sealer) -> Result<StoreState, DbError> {
    let mut state = StoreState::new();
    state.next_id = next_id(c)?;
    for row in wait(c.query("SELECT id, body FROM analyses ORDER BY id", &[]))? {
        let id: i64 = row.get(0);
        if let Some(a) = decode_analysis(sealer, id, row.get(1))? {
            state.analyses.push(a);
        }
    }
    for row in wait(c.query(
        "SELECT analysis_id, seq, body FROM activity ORDER BY analysis_id, seq",
        &[],
    ))? {
        let id = AnalysisId(row.get::<_, i64>(0) as u64);
        if state.analysis(id).is_none() {
            continue;
        }
        match serde_json::from_str::<ActivityEntry>(row.get(2)) {
            Ok(entry) => state.activity.entry(id).or_default().push(entry),
            Err(e) => skip(
                &format!(
                    "activity entry {} of analysis {}",
                    row.get::<_, i64>(1),
                    id.0
                ),
                &e,
            ),
        }
    }
    for row in wait(c.query("SELECT id, record FROM specifications ORDER BY id", &[]))? {
        match serde_json::from_str::<SpecRecord>(row.get(1)) {
            Ok(record) => state.specifications.push(stored(record)),
            Err(e) => skip(&format!("specification {}", row.get::<_, i64>(0)), &e),
        }
    }
    Ok(state)
}

fn stored(record: SpecRecord) -> StoredSpec {
    StoredSpec {
        record,
        bytes: Vec::new(),
        others: Vec::new(),
        demo: false,
    }
}

/// The journal's version and the first version it still holds.
pub(super) const VERSION: &str = "SELECT version, journal_from FROM state_version WHERE id = 1";
/// The same, locking the row: every mutation takes it first.
pub(super) const VERSION_FOR_UPDATE: &str =
    "SELECT version, journal_from FROM state_version WHERE id = 1 FOR UPDATE";

/// The journal's version and the first version it still holds, with the
/// statement `stmt` ([`VERSION`] or [`VERSION_FOR_UPDATE`], prepared on
/// `c`'s connection).
pub(super) fn version_with(
    c: &impl GenericClient,
    stmt: &tokio_postgres::Statement,
) -> Result<(i64, i64), DbError> {
    let row = wait(c.query_one(stmt, &[]))?;
    Ok((row.get(0), row.get(1)))
}

/// [`VERSION`] on a client or transaction that has no prepared statement.
pub(super) fn version(c: &impl GenericClient) -> Result<(i64, i64), DbError> {
    let row = wait(c.query_one(VERSION, &[]))?;
    Ok((row.get(0), row.get(1)))
}

/// [`VERSION_FOR_UPDATE`] likewise.
pub(super) fn version_locked(c: &impl GenericClient) -> Result<(i64, i64), DbError> {
    let row = wait(c.query_one(VERSION_FOR_UPDATE, &[]))?;
    Ok((row.get(0), row.get(1)))
}

/// Brings `state`, as of version `seen`, to version `now` (whose journal
/// starts at `journal_from`): the analyses and specifications changed
/// since are read again; the whole state if the journal no longer goes
/// back to `seen`. `c` must see one snapshot (a transaction).
pub(super) fn catch_up(
    c: &impl GenericClient,
    sealer: &Sealer,
    state: &mut StoreState,
    seen: i64,
    (now, journal_from): (i64, i64),
) -> Result<(), DbError> {
    if now == seen {
        return Ok(());
    }
    if seen + 1 < journal_from || now < seen {
        *state = load(c, sealer)?;
        return Ok(());
    }
    let changed = wait(c.query(
        "SELECT DISTINCT kind, id FROM state_changes WHERE version > $1 AND version <= $2",
        &[&seen, &now],
    ))?;
    for row in changed {
        let kind: &str = row.get(0);
        let id: i64 = row.get(1);
        match kind {
            ANALYSIS => reload_analysis(c, sealer, state, id)?,
            SPECIFICATION => reload_specification(c, state, id)?,
            _ => {}
        }
    }
    state.next_id = next_id(c)?;
    Ok(())
}

fn reload_analysis(
    c: &impl GenericClient,
    sealer: &Sealer,
    state: &mut StoreState,
    id: i64,
) -> Result<(), DbError> {
    let key = AnalysisId(id as u64);
    let row = wait(c.query_opt("SELECT body FROM analyses WHERE id = $1", &[&id]))?;
    let found = match row {
        Some(row) => decode_analysis(sealer, id, row.get(0))?,
        None => None,
    };
    let at = state.analyses.binary_search_by_key(&key, |a| a.id);
    let Some(a) = found else {
        if let Ok(i) = at {
            state.analyses.remove(i);
        }
        state.activity.remove(&key);
        return Ok(());
    };
    match at {
        Ok(i) => state.analyses[i] = a,
        Err(i) => state.analyses.insert(i, a),
    }
    // The log only grows: read the entries after those held.
    let log = state.activity.entry(key).or_default();
    let held = log.len() as i64;
    for row in wait(c.query(
        "SELECT seq, body FROM activity WHERE analysis_id = $1 AND seq >= $2 ORDER BY seq",
        &[&id, &held],
    ))? {
        match serde_json::from_str::<ActivityEntry>(row.get(1)) {
            Ok(entry) => log.push(entry),
            Err(e) => skip(
                &format!("activity entry {} of analysis {id}", row.get::<_, i64>(0)),
                &e,
            ),
        }
    }
    if log.is_empty() {
        state.activity.remove(&key);
    }
    Ok(())
}

fn reload_specification(
    c: &impl GenericClient,
    state: &mut StoreState,
    id: i64,
) -> Result<(), DbError> {
    let row = wait(c.query_opt("SELECT record FROM specifications WHERE id = $1", &[&id]))?;
    let at = state
        .specifications
        .binary_search_by_key(&(id as u64), |s| s.record.id.0);
    let record = match row {
        Some(row) => match serde_json::from_str::<SpecRecord>(row.get(0)) {
            Ok(r) => Some(r),
            Err(e) => {
                skip(&format!("specification {id}"), &e);
                None
            }
        },
        None => None,
    };
    match (record, at) {
        (Some(r), Ok(i)) => state.specifications[i].record = r,
        (Some(r), Err(i)) => state.specifications.insert(i, stored(r)),
        (None, Ok(i)) => {
            state.specifications.remove(i);
        }
        (None, Err(_)) => {}
    }
    Ok(())
}

/// Finds a stored specification with the same files (see the SQLite back
/// end's `find_identical_spec`).
pub(crate) fn find_identical_spec(
    c: &impl GenericClient,
    upload: &SpecUpload,
) -> Result<Option<SpecRecord>, DbError> {
    let hash = crate::db::types::files_hash(upload.files());
    let row = wait(c.query_opt(
        "SELECT record FROM specifications WHERE content_hash = $1 AND size = $2 ORDER BY id LIMIT 1",
        &[&hash.as_slice(), &(upload.total_bytes() as i64)],
    ))?;
    Ok(match row {
        Some(r) => Some(serde_json::from_str(r.get(0))?),
        None => None,
    })
}

/// Every file of a specification, the root first.
pub(super) fn spec_files(
    c: &impl GenericClient,
    id: u64,
) -> Result<Option<Vec<SourceFile>>, DbError> {
    let key = id as i64;
    let Some(root) = wait(c.query_opt(
        "SELECT file_name, bytes FROM specifications WHERE id = $1",
        &[&key],
    ))?
    else {
        return Ok(None);
    };
    let mut files = vec![SourceFile {
        name: root.get(0),
        bytes: root.get(1),
    }];
    for row in wait(c.query(
        "SELECT name, bytes FROM specification_files WHERE spec_id = $1 ORDER BY position",
        &[&key],
    ))? {
        files.push(SourceFile {
            name: row.get(0),
            bytes: row.get(1),
        });
    }
    Ok(Some(files))
}

/// The saved prescan of a scan.
pub(super) fn read_prescan(
    c: &impl GenericClient,
    sealer: &Sealer,
    scan: ScanId,
) -> Result<Option<SavedPrescan>, DbError> {
    let row = wait(c.query_opt(
        "SELECT analysis_id, started_ms, finished_ms, report FROM prescans WHERE scan_id = $1",
        &[&(scan.0 as i64)],
    ))?;
    Ok(match row {
        Some(r) => Some(SavedPrescan {
            scan_id: scan,
            analysis_id: AnalysisId(r.get::<_, i64>(0) as u64),
            started_ms: r.get(1),
            finished_ms: r.get(2),
            report: serde_json::from_str(&open_row(sealer, r.get(3), &prescan_aad(scan.0))?.0)?,
        }),
        None => None,
    })
}

/// Writes `changes` in the mutation's transaction, with their journal
/// entries at `version`. Returns the ids of the notifications written, in
/// order (for their e-mails).
pub(super) fn write(
    tx: &impl GenericClient,
    sealer: &Sealer,
    state: &StoreState,
    changes: Changes,
    version: i64,
) -> Result<Vec<i64>, DbError> {
    wait(tx.execute(
        "UPDATE meta SET value = $1 WHERE key = 'next_id'",
        &[&(state.next_id as i64)],
    ))?;
    let journal = |kind: &str, id: i64| -> Result<(), DbError> {
        wait(tx.execute(
            "INSERT INTO state_changes (version, kind, id) VALUES ($1, $2, $3)",
            &[&version, &kind, &id],
        ))?;
        Ok(())
    };
    for id in &changes.analyses {
        write_analysis(tx, sealer, state, *id)?;
        journal(ANALYSIS, id.0 as i64)?;
    }
    for extra in changes.extra {
        match extra {
            Extra::Specification {
                record,
                bytes,
                others,
            } => {
                write_specification(tx, &record, &bytes, &others)?;
                journal(SPECIFICATION, record.id.0 as i64)?;
            }
            Extra::SpecificationRecord(record) => {
                wait(tx.execute(
                    "UPDATE specifications SET record = $1 WHERE id = $2",
                    &[&serde_json::to_string(&record)?, &(record.id.0 as i64)],
                ))?;
                journal(SPECIFICATION, record.id.0 as i64)?;
            }
            Extra::Lease {
                scan,
                owner,
                until_ms,
            } => {
                wait(tx.execute(
                    "INSERT INTO prescan_leases (scan_id, owner, until_ms) VALUES ($1, $2, $3)
                     ON CONFLICT (scan_id) DO UPDATE SET owner = excluded.owner,
                       until_ms = excluded.until_ms, cancel_requested = false",
                    &[&(scan.0 as i64), &owner, &until_ms],
                ))?;
            }
            Extra::Unlease(scan) => {
                wait(tx.execute(
                    "DELETE FROM prescan_leases WHERE scan_id = $1",
                    &[&(scan.0 as i64)],
                ))?;
            }
            Extra::Prescan(p) => {
                let exists = state
                    .analysis(p.analysis_id)
                    .is_some_and(|a| a.scans.iter().any(|s| s.id == p.scan_id));
                if exists {
                    wait(tx.execute(
                        "INSERT INTO prescans (scan_id, analysis_id, started_ms, finished_ms, report)
                         VALUES ($1, $2, $3, $4, $5)
                         ON CONFLICT (scan_id) DO UPDATE SET analysis_id = excluded.analysis_id,
                           started_ms = excluded.started_ms, finished_ms = excluded.finished_ms,
                           report = excluded.report",
                        &[
                            &(p.scan_id.0 as i64),
                            &(p.analysis_id.0 as i64),
                            &p.started_ms,
                            &p.finished_ms,
                            &sealer.seal(
                                &serde_json::to_string(&p.report)?,
                                &prescan_aad(p.scan_id.0),
                            ),
                        ],
                    ))?;
                }
            }
        }
    }
    let mut ids = Vec::with_capacity(changes.notifications.len());
    for n in &changes.notifications {
        let (owner, leads) = crate::db::sqlite::recipient_columns(&n.recipients);
        let row = wait(tx.query_one(
            "INSERT INTO notifications (analysis_id, body, created_ms, schedule_owner, to_leads)
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
            &[
                &(n.analysis_id.0 as i64),
                &serde_json::to_string(n)?,
                &n.at_ms,
                &owner,
                &leads,
            ],
        ))?;
        ids.push(row.get(0));
    }
    Ok(ids)
}

fn write_analysis(
    tx: &impl GenericClient,
    sealer: &Sealer,
    state: &StoreState,
    id: AnalysisId,
) -> Result<(), DbError> {
    let key = id.0 as i64;
    let Some(a) = state.analysis(id) else {
        // The activity and prescans rows go with it (ON DELETE CASCADE).
        wait(tx.execute("DELETE FROM analyses WHERE id = $1", &[&key]))?;
        return Ok(());
    };
    wait(tx.execute(
        "INSERT INTO analyses (id, name, name_folded, status, body) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, name_folded = excluded.name_folded,
           status = excluded.status, body = excluded.body",
        &[
            &key,
            &a.name,
            &fold(&a.name),
            &format!("{:?}", a.status),
            &sealer.seal(&serde_json::to_string(a)?, &analysis_aad(id.0)),
        ],
    ))?;
    let stored: i64 = wait(tx.query_one(
        "SELECT COUNT(*) FROM activity WHERE analysis_id = $1",
        &[&key],
    ))?
    .get(0);
    let log = state.activity.get(&id).map(Vec::as_slice).unwrap_or(&[]);
    for (seq, entry) in log.iter().enumerate().skip(stored.max(0) as usize) {
        wait(tx.execute(
            "INSERT INTO activity (analysis_id, seq, body) VALUES ($1, $2, $3)",
            &[&key, &(seq as i64), &serde_json::to_string(entry)?],
        ))?;
    }
    // Saved prescans of scans the analysis no longer has go (core rule).
    let scans: Vec<i64> = a.scans.iter().map(|s| s.id.0 as i64).collect();
    wait(tx.execute(
        "DELETE FROM prescans WHERE analysis_id = $1 AND NOT (scan_id = ANY($2))",
        &[&key, &scans],
    ))?;
    Ok(())
}

fn write_specification(
    tx: &impl GenericClient,
    record: &SpecRecord,
    bytes: &[u8],
    others: &[SourceFile],
) -> Result<(), DbError> {
    let files = std::iter::once((record.file_name.as_str(), bytes))
        .chain(others.iter().map(|f| (f.name.as_str(), f.bytes.as_slice())));
    let hash = crate::db::types::files_hash(files);
    let key = record.id.0 as i64;
    wait(tx.execute(
        "INSERT INTO specifications (id, file_name, size, record, bytes, content_hash) VALUES ($1, $2, $3, $4, $5, $6)",
        &[
            &key,
            &record.file_name,
            &(record.size as i64),
            &serde_json::to_string(record)?,
            &bytes,
            &hash.as_slice(),
        ],
    ))?;
    for (position, file) in (1_i64..).zip(others) {
        wait(tx.execute(
            "INSERT INTO specification_files (spec_id, position, name, bytes) VALUES ($1, $2, $3, $4)",
            &[&key, &position, &file.name, &file.bytes],
        ))?;
    }
    Ok(())
}
