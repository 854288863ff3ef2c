//! Work off the async threads: blocking calls, the conversions' turns and
//! deadlines, and mutations of the store (one transaction each).

use super::prelude::*;
use super::problem::*;

pub(super) async fn blocking<R: Send + 'static>(
    f: impl FnOnce() -> Result<R, ApiError> + Send + 'static,
) -> Result<R, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::from(Problem::internal(format!("The request failed: {e}"))))?
}

/// A conversion's turn (see [`crate::har`]): at most `--max-conversions`
/// run at once; a request waits at most `--conversion-wait`, behind at
/// most `--conversion-queue` others, and gets a 503 problem with
/// `Retry-After` otherwise.
pub(super) async fn conversion_turn(
    s: &AppState,
) -> Result<tokio::sync::OwnedSemaphorePermit, ApiError> {
    let c = &s.config;
    s.har
        .permit_within(c.conversion_queue, c.conversion_wait)
        .await
        .map_err(|busy| {
            let why = match busy {
                crate::har::Busy::Queue => format!(
                    "{} conversions are running and {} are waiting (--max-conversions, --conversion-queue)",
                    s.har.permits(),
                    c.conversion_queue
                ),
                crate::har::Busy::Wait => format!(
                    "no conversion ended within {} s (--conversion-wait)",
                    c.conversion_wait.as_secs_f64()
                ),
            };
            ApiError::retry_after(
                Problem::new(
                    503,
                    "server-busy",
                    "Server busy",
                    format!("The server is busy converting specifications: {why}. Try again later."),
                ),
                c.conversion_wait.max(Duration::from_secs(1)),
            )
        })
}

/// Runs a conversion `f` of `file_name` on a blocking thread with its turn
/// (`permit`, held until the work really ends, even past the deadline or
/// when the client went away: stuck work counts against the limit) and
/// waits for it at most `--conversion-deadline` (then a 422 problem naming
/// the deadline).
pub(super) async fn run_conversion<R: Send + 'static>(
    s: &AppState,
    permit: tokio::sync::OwnedSemaphorePermit,
    file_name: &str,
    f: impl FnOnce() -> Result<R, ApiError> + Send + 'static,
) -> Result<R, ApiError> {
    let hang = s.config.test_hooks && file_name.contains("__hang__");
    let task = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        if hang {
            std::thread::sleep(Duration::from_secs(3));
        }
        let r = f();
        crate::har::HarCache::release_memory();
        r
    });
    let deadline = s.config.conversion_deadline;
    match tokio::time::timeout(deadline, task).await {
        Ok(r) => r.map_err(|e| {
            ApiError::from(Problem::internal(format!("The conversion failed: {e}")))
        })?,
        Err(_) => Err(ApiError::from(Problem::new(
            422,
            "conversion-deadline",
            "Conversion deadline passed",
            format!(
                "The conversion of {file_name} did not end within the server's deadline of {} s (--conversion-deadline): the specification is too large or too complex for this server.",
                deadline.as_secs_f64()
            ),
        ))),
    }
}

/// Runs one change of the store on a blocking thread: the core's operation
/// and its write-through transaction ([`db::Db::mutate`]).
pub(super) async fn mutation<R: Send + 'static>(
    s: &Arc<AppState>,
    f: impl FnOnce(&mut StoreState, &Lookup<'_>) -> Result<(R, Changes), ApiError> + Send + 'static,
) -> Result<R, ApiError> {
    let st = s.clone();
    blocking(move || Ok(st.db.mutate(f)?)).await
}
