//! The leases of running prescans (schema 6, `prescan_leases`): the
//! process that drives a prescan renews its lease while it runs; another
//! process that finds it expired closes the prescan (see `db`'s docs).

use prescan_core::analysis::ScanId;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use super::sealing::prescan_aad;
use crate::db::seal::Sealer;
use crate::db::types::{DbError, PrescanLease, SavedPrescan};

pub(crate) fn lease(conn: &Connection, scan: ScanId) -> Result<Option<PrescanLease>, DbError> {
    Ok(conn
        .query_row(
            "SELECT owner, until_ms, cancel_requested FROM prescan_leases WHERE scan_id = ?1",
            params![scan.0 as i64],
            |r| {
                Ok(PrescanLease {
                    owner: r.get(0)?,
                    until_ms: r.get(1)?,
                    cancel_requested: r.get::<_, i64>(2)? != 0,
                })
            },
        )
        .optional()?)
}

/// Renews `owner`'s lease of `scan` until `until_ms` and saves the
/// prescan's progress, in one transaction. `None`: the lease is not
/// `owner`'s any more; else whether a cancel was asked for.
pub(super) fn renew(
    conn: &mut Connection,
    sealer: &Sealer,
    scan: ScanId,
    owner: &str,
    until_ms: i64,
    progress: Option<&SavedPrescan>,
) -> Result<Option<bool>, DbError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let n = tx.execute(
        "UPDATE prescan_leases SET until_ms = ?1 WHERE scan_id = ?2 AND owner = ?3",
        params![until_ms, scan.0 as i64, owner],
    )?;
    if n == 0 {
        return Ok(None);
    }
    if let Some(p) = progress {
        tx.execute(
            "UPDATE prescans SET report = ?1 WHERE scan_id = ?2 AND finished_ms IS NULL",
            params![
                sealer.seal(&serde_json::to_string(&p.report)?, &prescan_aad(scan.0)),
                scan.0 as i64
            ],
        )?;
    }
    let cancel: i64 = tx.query_row(
        "SELECT cancel_requested FROM prescan_leases WHERE scan_id = ?1",
        params![scan.0 as i64],
        |r| r.get(0),
    )?;
    tx.commit()?;
    Ok(Some(cancel != 0))
}

/// Asks the driver of `scan`'s prescan to cancel it; whether it has one.
pub(super) fn request_cancel(conn: &Connection, scan: ScanId) -> Result<bool, DbError> {
    Ok(conn.execute(
        "UPDATE prescan_leases SET cancel_requested = 1 WHERE scan_id = ?1",
        params![scan.0 as i64],
    )? > 0)
}

/// Takes over the leases that ended before `now_ms` (their process
/// stopped renewing them), until `until_ms`; returns their scans.
pub(super) fn claim_expired(
    conn: &mut Connection,
    owner: &str,
    now_ms: i64,
    until_ms: i64,
) -> Result<Vec<ScanId>, DbError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let scans: Vec<i64> = {
        let mut stmt = tx.prepare("SELECT scan_id FROM prescan_leases WHERE until_ms < ?1")?;
        let rows = stmt
            .query_map(params![now_ms], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        rows
    };
    for scan in &scans {
        tx.execute(
            "UPDATE prescan_leases SET owner = ?1, until_ms = ?2 WHERE scan_id = ?3",
            params![owner, until_ms, scan],
        )?;
    }
    tx.commit()?;
    Ok(scans.into_iter().map(|s| ScanId(s as u64)).collect())
}
