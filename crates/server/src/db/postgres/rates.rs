//! The rate limits' shared buckets on PostgreSQL (as `sqlite::rates`):
//! one statement takes an event, so replicas never both take the last one.

use tokio_postgres::Client;

use super::pool::wait;
use crate::db::types::DbError;

pub(super) fn take(
    c: &Client,
    bucket: &str,
    per_minute: u32,
    now_ms: i64,
) -> Result<Result<(), std::time::Duration>, DbError> {
    let cap = f64::from(per_minute);
    let taken = wait(c.query_opt(
        "INSERT INTO rate_buckets (bucket, level, at_ms) VALUES ($1, $2::float8 - 1, $3::int8)
         ON CONFLICT (bucket) DO UPDATE SET
           level = LEAST($2::float8, rate_buckets.level + ($3::int8 - rate_buckets.at_ms) * $2::float8 / 60000.0) - 1,
           at_ms = $3::int8
         WHERE LEAST($2::float8, rate_buckets.level + ($3::int8 - rate_buckets.at_ms) * $2::float8 / 60000.0) >= 1
         RETURNING level",
        &[&bucket, &cap, &now_ms],
    ))?;
    if taken.is_some() {
        return Ok(Ok(()));
    }
    let current: f64 = wait(c.query_one(
        "SELECT LEAST($2::float8, level + ($3::int8 - at_ms) * $2::float8 / 60000.0) FROM rate_buckets WHERE bucket = $1",
        &[&bucket, &cap, &now_ms],
    ))?
    .get(0);
    Ok(Err(std::time::Duration::from_secs_f64(
        ((1.0 - current) * 60.0 / cap).clamp(0.0, 60.0),
    )))
}

pub(super) fn forget_full(c: &Client, now_ms: i64) -> Result<usize, DbError> {
    Ok(wait(c.execute(
        "DELETE FROM rate_buckets WHERE at_ms < $1",
        &[&(now_ms - 60_000)],
    ))? as usize)
}
