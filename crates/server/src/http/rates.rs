//! The rate limits of the routes, counted in this process and in the
//! bucket every process sharing the database counts against (see
//! [`crate::limits`]).

use std::sync::Arc;

use super::problem::{rate_limited, ApiError, Client};
use crate::state::AppState;

/// Takes one event of `limiter` for `client` (429 when none is left), in
/// this process and then in the bucket every process sharing the database
/// counts against (see [`crate::limits`]).
pub(super) async fn take_rate(
    s: &Arc<AppState>,
    limiter: &crate::limits::RateLimiter,
    client: &Client,
    what: &str,
    option: &str,
) -> Result<(), ApiError> {
    limiter
        .take(&client.0)
        .map_err(|wait| rate_limited(what, option, wait))?;
    match take_shared(s, limiter, what, &client.0).await? {
        Ok(()) => Ok(()),
        Err(wait) => Err(rate_limited(what, option, wait)),
    }
}

/// Takes one event from the shared bucket of `limit` for `key`; when it is
/// empty, `limiter`'s local bucket is drained as well.
pub(super) async fn take_shared(
    s: &Arc<AppState>,
    limiter: &crate::limits::RateLimiter,
    limit: &str,
    key: &str,
) -> Result<Result<(), std::time::Duration>, ApiError> {
    let per_minute = limiter.per_minute();
    if per_minute == 0 {
        return Ok(Ok(()));
    }
    let db = s.db.clone();
    let bucket = format!("{limit}|{key}");
    let r = super::work::blocking(move || {
        Ok(db.take_rate(&bucket, per_minute, crate::clock::now_ms())?)
    })
    .await?;
    if let Err(wait) = r {
        limiter.drain(key, wait);
    }
    Ok(r)
}
