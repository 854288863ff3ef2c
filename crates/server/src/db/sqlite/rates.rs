//! The rate limits' shared buckets (schema 6, `rate_buckets`): a token
//! bucket per limit and client, refilled continuously at `per_minute` a
//! minute up to `per_minute`, taken in one statement so that every process
//! sharing the database counts against the same bucket.

use rusqlite::{params, Connection, OptionalExtension};

use crate::db::types::DbError;

/// Takes one event from `bucket` at `now_ms`: `Ok(Err(wait))` when it is
/// empty.
pub(super) fn take(
    conn: &Connection,
    bucket: &str,
    per_minute: u32,
    now_ms: i64,
) -> Result<Result<(), std::time::Duration>, DbError> {
    let cap = f64::from(per_minute);
    let taken: Option<f64> = conn
        .query_row(
            "INSERT INTO rate_buckets (bucket, level, at_ms) VALUES (?1, ?2 - 1, ?3)
             ON CONFLICT(bucket) DO UPDATE SET
               level = MIN(?2, level + (?3 - at_ms) * ?2 / 60000.0) - 1, at_ms = ?3
             WHERE MIN(?2, level + (?3 - at_ms) * ?2 / 60000.0) >= 1
             RETURNING level",
            params![bucket, cap, now_ms],
            |r| r.get(0),
        )
        .optional()?;
    if taken.is_some() {
        return Ok(Ok(()));
    }
    let current: f64 = conn.query_row(
        "SELECT MIN(?2, level + (?3 - at_ms) * ?2 / 60000.0) FROM rate_buckets WHERE bucket = ?1",
        params![bucket, cap, now_ms],
        |r| r.get(0),
    )?;
    Ok(Err(std::time::Duration::from_secs_f64(
        ((1.0 - current) * 60.0 / cap).clamp(0.0, 60.0),
    )))
}

/// Forgets the buckets that are full again (untouched for a minute).
pub(super) fn forget_full(conn: &Connection, now_ms: i64) -> Result<usize, DbError> {
    Ok(conn.execute(
        "DELETE FROM rate_buckets WHERE at_ms < ?1",
        params![now_ms - 60_000],
    )?)
}
