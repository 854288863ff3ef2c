//! Problem answers: [`ApiError`] (a problem details document, with
//! `Retry-After` when the client should come back), how the core's and the
//! storage's errors become one, rate-limit refusals, and JSON answers.

use super::prelude::*;

/// An error response: a [`Problem`] as `application/problem+json`, with a
/// `Retry-After` (seconds) when the client should come back later.
#[derive(Debug)]
pub struct ApiError(pub Box<Problem>, pub Option<u64>);

impl From<Problem> for ApiError {
    fn from(p: Problem) -> Self {
        ApiError(Box::new(p), None)
    }
}

impl ApiError {
    /// A problem with `Retry-After: secs` (at least 1).
    pub fn retry_after(p: Problem, wait: Duration) -> Self {
        ApiError(Box::new(p), Some(wait.as_secs_f64().ceil().max(1.0) as u64))
    }
}

/// A 429 problem: `what` has been done too often (`option`: the limit).
pub(super) fn rate_limited(what: &str, option: &str, wait: Duration) -> ApiError {
    let secs = wait.as_secs_f64().ceil().max(1.0) as u64;
    ApiError::retry_after(
        Problem::new(
            429,
            "rate-limited",
            "Too many requests",
            format!("Too many {what} from this client; try again in {secs} s (the server's limit: {option})."),
        ),
        wait,
    )
}

/// The client of a request: its rate-limit key (`token:<name>` for a
/// request with one of the server's tokens, `addr:<ip>` otherwise). The
/// guard puts it in every request's extensions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client(pub String);

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        ApiError::from(Problem::from_store_error(&e))
    }
}

impl From<db::DbError> for ApiError {
    fn from(e: db::DbError) -> Self {
        eprintln!("prescan-server: storage error: {e}");
        ApiError::from(Problem::internal(
            "The server could not read or write its database. Nothing was changed; try again, and check the server's log if it persists.",
        ))
    }
}

impl From<db::PeopleError> for ApiError {
    fn from(e: db::PeopleError) -> Self {
        match e {
            db::PeopleError::Db(e) => e.into(),
            other => {
                eprintln!("prescan-server: people: {other}");
                ApiError::from(Problem::internal(
                    "The server could not read its users and teams. Try again, and check the server's log if it persists.",
                ))
            }
        }
    }
}

impl From<MutateError<ApiError>> for ApiError {
    fn from(e: MutateError<ApiError>) -> Self {
        match e {
            MutateError::Op(e) => e,
            MutateError::Db(e) => e.into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut r = problem_response(*self.0);
        if let Some(secs) = self.1 {
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        r
    }
}

/// What a handler answers.
pub(super) type ApiResult = Result<Response, ApiError>;

/// The response of a problem.
pub fn problem_response(p: Problem) -> Response {
    let status = StatusCode::from_u16(p.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = serde_json::to_vec(&p).unwrap_or_default();
    let mut r = (status, body).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(PROBLEM_CONTENT_TYPE),
    );
    if status == StatusCode::UNAUTHORIZED {
        r.headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    r
}

pub(super) fn json_response<T: Serialize>(status: StatusCode, value: &T) -> Response {
    match serde_json::to_vec(value) {
        Ok(body) => {
            let mut r = (status, body).into_response();
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            r
        }
        Err(e) => problem_response(Problem::internal(format!(
            "The response could not be written: {e}"
        ))),
    }
}
