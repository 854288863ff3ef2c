//! The leases of running prescans on PostgreSQL (as `sqlite::leases`);
//! expired leases are taken `FOR UPDATE SKIP LOCKED`, so two replicas
//! sweeping at once close each orphaned prescan once.

use prescan_core::analysis::ScanId;
use tokio_postgres::{Client, GenericClient};

use super::pool::wait;
use crate::db::seal::Sealer;
use crate::db::sqlite::sealing::prescan_aad;
use crate::db::types::{DbError, PrescanLease, SavedPrescan};

pub(crate) fn lease(c: &impl GenericClient, scan: ScanId) -> Result<Option<PrescanLease>, DbError> {
    Ok(wait(c.query_opt(
        "SELECT owner, until_ms, cancel_requested FROM prescan_leases WHERE scan_id = $1",
        &[&(scan.0 as i64)],
    ))?
    .map(|r| PrescanLease {
        owner: r.get(0),
        until_ms: r.get(1),
        cancel_requested: r.get(2),
    }))
}

pub(super) fn renew(
    client: &mut Client,
    sealer: &Sealer,
    scan: ScanId,
    owner: &str,
    until_ms: i64,
    progress: Option<&SavedPrescan>,
) -> Result<Option<bool>, DbError> {
    let tx = wait(client.transaction())?;
    let Some(row) = wait(tx.query_opt(
        "UPDATE prescan_leases SET until_ms = $1 WHERE scan_id = $2 AND owner = $3
         RETURNING cancel_requested",
        &[&until_ms, &(scan.0 as i64), &owner],
    ))?
    else {
        return Ok(None);
    };
    if let Some(p) = progress {
        wait(tx.execute(
            "UPDATE prescans SET report = $1 WHERE scan_id = $2 AND finished_ms IS NULL",
            &[
                &sealer.seal(&serde_json::to_string(&p.report)?, &prescan_aad(scan.0)),
                &(scan.0 as i64),
            ],
        ))?;
    }
    wait(tx.commit())?;
    Ok(Some(row.get(0)))
}

pub(super) fn request_cancel(c: &Client, scan: ScanId) -> Result<bool, DbError> {
    Ok(wait(c.execute(
        "UPDATE prescan_leases SET cancel_requested = true WHERE scan_id = $1",
        &[&(scan.0 as i64)],
    ))? > 0)
}

pub(super) fn claim_expired(
    c: &Client,
    owner: &str,
    now_ms: i64,
    until_ms: i64,
) -> Result<Vec<ScanId>, DbError> {
    Ok(wait(c.query(
        "UPDATE prescan_leases SET owner = $1, until_ms = $2 WHERE scan_id IN (
           SELECT scan_id FROM prescan_leases WHERE until_ms < $3 FOR UPDATE SKIP LOCKED)
         RETURNING scan_id",
        &[&owner, &until_ms, &now_ms],
    ))?
    .iter()
    .map(|r| ScanId(r.get::<_, i64>(0) as u64))
    .collect())
}
