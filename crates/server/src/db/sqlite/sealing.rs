//! Sealing: the key of the sealed columns (checked against a probe row,
//! so that a wrong key stops the start with a clear error), the associated
//! data that binds a sealed value to its row, and the sealing of rows an
//! older server wrote in plain text.

use std::path::Path;

use prescan_core::analysis::{AnalysisId, StoreState};
use rusqlite::{params, Connection, OptionalExtension};

use crate::db::seal::{OpenError, Sealer};
use crate::db::types::DbError;

pub(crate) const PROBE: &str = "prescan key probe";
pub(crate) const PROBE_AAD: &str = "sealing:1";

pub(crate) fn analysis_aad(id: u64) -> String {
    format!("analyses:{id}")
}

pub(crate) fn prescan_aad(scan: u64) -> String {
    format!("prescans:{scan}")
}

/// Opens a sealed (or plain) column; a wrong key is an error naming it.
pub(crate) fn open_row(
    sealer: &Sealer,
    stored: &str,
    aad: &str,
) -> Result<(String, bool), DbError> {
    sealer.open(stored, aad).map_err(|e| match e {
        OpenError::WrongKey => DbError(format!(
            "the row {aad} does not open with this key (another key file, or a changed row)"
        )),
        OpenError::Malformed => DbError(format!("the row {aad} is not a sealed value")),
    })
}

/// The key of `path` checked against the stored `probe` (`None`: never
/// sealed; then a missing key file is created when `create`). Returns the
/// sealer and, for a database never sealed, the probe to store. Shared by
/// the back ends.
pub(crate) fn key_for(
    probe: Option<&str>,
    path: &Path,
    create: bool,
) -> Result<(Sealer, Option<String>), DbError> {
    let sealer = Sealer::from_file(path, create && probe.is_none()).map_err(|e| {
        DbError(if probe.is_some() {
            format!("{e}; the database was sealed with a key: give its key file (--key-file)")
        } else {
            e
        })
    })?;
    match probe {
        Some(p) => match sealer.open(p, PROBE_AAD) {
            Ok((text, true)) if text == PROBE => Ok((sealer, None)),
            _ => Err(DbError(format!(
                "the key file {} is not the key this database was sealed with; start with the key file it was created with (--key-file), or the stored credentials cannot be read",
                path.display()
            ))),
        },
        None => {
            let new_probe = sealer.seal(PROBE, PROBE_AAD);
            Ok((sealer, Some(new_probe)))
        }
    }
}

/// The key: the probe row tells whether the database was sealed already
/// (then the key file must exist and open it).
pub(super) fn open_key(
    conn: &Connection,
    dir: &Path,
    key_file: Option<&Path>,
) -> Result<Sealer, DbError> {
    let probe: Option<String> = conn
        .query_row("SELECT probe FROM sealing WHERE id = 1", [], |r| r.get(0))
        .optional()?;
    let default = dir.join("prescan.key");
    // A new key only for a database never sealed, and only at the default
    // place (a given --key-file must exist).
    let (sealer, new_probe) = key_for(
        probe.as_deref(),
        key_file.unwrap_or(&default),
        key_file.is_none(),
    )?;
    if let Some(p) = new_probe {
        conn.execute("INSERT INTO sealing (id, probe) VALUES (1, ?1)", params![p])?;
    }
    Ok(sealer)
}

/// Rows read in plain text (written by an older server): sealed now.
#[derive(Debug, Default)]
pub(super) struct PlainRows {
    pub(super) analyses: Vec<AnalysisId>,
}

pub(super) fn seal_plain_rows(
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
        if !report.starts_with(crate::db::seal::PREFIX) {
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
