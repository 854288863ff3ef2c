//! What a prescan found: the rows of the Request and Response table, the
//! connection summary, the status, the notes and the HAR of the prescan.

use serde::{Deserialize, Serialize};

use super::{PrescanPlan, MAX_TOKEN_FETCHES};
use crate::har::{Content, Har, NameValue, Timings};
use crate::limits::thousands;
use crate::text::{self, pick};
use crate::time::format_rfc3339;
use crate::{Diagnostic, Severity, PRESCAN_LIMIT};

/// The Response column of a request that got no response.
pub const NO_RESPONSE: &str = "No response from server";

/// What the user can do about a request with no response.
pub const NO_RESPONSE_HELP: &str = "No response from server (network error, or blocked by the server's CORS policy). Check that the server is running and reachable from this computer, and that the server URL is right. If the server does not allow requests from this page's origin (CORS), allow this origin on the server, or run the prescan from the reference server later.";

/// A response received.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Received {
    /// The status code.
    pub status: u16,
    /// The status text (often empty over HTTP/2).
    pub status_text: String,
    /// The headers, as (name, value), as the browser exposes them.
    pub headers: Vec<(String, String)>,
    /// The body as text, at most the body limit in bytes.
    pub body: String,
    /// Whether `body` was cut at the limit.
    pub body_truncated: bool,
    /// The whole body's size in bytes.
    pub size: u64,
    /// From the start of the request to the end of the body, in ms.
    pub time_ms: f64,
}

impl Received {
    /// A response, its body truncated to `body_limit` bytes
    /// ([`truncate_body`]).
    pub fn new(
        status: u16,
        status_text: impl Into<String>,
        headers: Vec<(String, String)>,
        body: &str,
        time_ms: f64,
        body_limit: usize,
    ) -> Received {
        let (kept, body_truncated) = truncate_body(body, body_limit);
        Received {
            status,
            status_text: status_text.into(),
            headers,
            body: kept.to_owned(),
            body_truncated,
            size: body.len() as u64,
            time_ms,
        }
    }

    /// The value of a header (names compared without case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// The row of one request of the token flow.
fn token_row(e: &super::AuthExchange) -> Row {
    let mut row = Row {
        number: 0,
        method: e.request.method.clone(),
        url: e.request.url.clone(),
        response: "Pending".into(),
        status: None,
        time_ms: None,
        size: None,
        in_error: e.error.is_some(),
        auth_problem: false,
        skipped: false,
        detail: e.error.clone(),
        token_request: true,
    };
    match &e.outcome {
        Outcome::Response(r) => {
            row.response = r.status.to_string();
            row.status = Some(r.status);
            row.time_ms = Some(r.time_ms);
            row.size = Some(r.size);
        }
        Outcome::NoResponse { time_ms } => {
            row.response = NO_RESPONSE.into();
            row.time_ms = Some(*time_ms);
        }
        Outcome::Timeout { time_ms } => {
            row.response = "Timeout error".into();
            row.time_ms = Some(*time_ms);
        }
        Outcome::MalformedUrl => row.response = "Malformed URL".into(),
        Outcome::Cancelled => row.response = "Cancelled".into(),
    }
    if row.detail.is_none() {
        row.detail = Some(match (e.kind, e.style) {
            (super::AuthKind::Discovery, _) => {
                "OpenID Connect discovery: the token endpoint was read.".to_owned()
            }
            (_, Some(style)) => format!(
                "OAuth 2.0 token request ({}): token received.",
                style.label()
            ),
            (_, None) => "OAuth 2.0 token request: token received.".to_owned(),
        });
    }
    row
}

/// At most `limit` bytes of `body`, cut at a character boundary, and whether
/// it was cut.
pub fn truncate_body(body: &str, limit: usize) -> (&str, bool) {
    if body.len() <= limit {
        return (body, false);
    }
    let mut end = limit;
    while !body.is_char_boundary(end) {
        end -= 1;
    }
    (&body[..end], true)
}

/// What happened to one request sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Outcome {
    /// The server answered.
    Response(Received),
    /// No response: a network error, or the browser blocked the response
    /// (CORS). Browsers do not tell these apart.
    NoResponse {
        /// How long until the failure, in ms.
        time_ms: f64,
    },
    /// No response within the timeout.
    Timeout {
        /// How long it waited, in ms.
        time_ms: f64,
    },
    /// The browser refused the URL.
    MalformedUrl,
    /// The user cancelled the prescan before it finished.
    Cancelled,
}

/// The outcome of the request at `position` in [`PrescanPlan::requests`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestResult {
    /// The request's position in [`PrescanPlan::requests`].
    pub position: usize,
    /// When it started, ms since the Unix epoch.
    pub started_ms: i64,
    /// What happened.
    pub outcome: Outcome,
}

/// One row of the Request and Response table, in HAR order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    /// The 1-based number of the request (its entry's position in the HAR).
    pub number: usize,
    /// The method.
    pub method: String,
    /// The URL (as sent; as in the HAR for skipped rows).
    pub url: String,
    /// The Response column: `200`, `404`, `No response from server`,
    /// `Timeout error`, `Malformed URL`, `Cancelled`, `Pending` or
    /// `Skipped: …`.
    pub response: String,
    /// The status code, when a response came.
    pub status: Option<u16>,
    /// The time in ms, when it was sent and finished.
    pub time_ms: Option<f64>,
    /// The response body's size in bytes, when a response came.
    pub size: Option<u64>,
    /// A 4xx or 5xx response, or an error (highlighted red).
    pub in_error: bool,
    /// A 401 or 403 response: maybe an authentication problem.
    pub auth_problem: bool,
    /// Not sent (see `response`).
    pub skipped: bool,
    /// A sentence explaining the row, when there is something to say.
    pub detail: Option<String>,
    /// A request of the OAuth 2.0 token flow (the token, or the OpenID
    /// Connect discovery document), not of the specification: its `number`
    /// is 0 and it comes first.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub token_request: bool,
}

/// The Connection section.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Connection {
    /// Requests sent and finished with a response or an error (cancelled
    /// ones are not counted).
    pub requests: usize,
    /// Responses received (any status).
    pub responses: usize,
    /// Requests that got no response, timed out, or had a URL the browser
    /// refused.
    pub network_errors: usize,
    /// Authentication verification: responses that were 401 or 403.
    pub auth_failures: usize,
    /// Entries not sent.
    pub skipped: usize,
    /// With OAuth 2.0: whether a token was received (`None`: no OAuth 2.0,
    /// or the token request is still in flight). The sentence is
    /// [`super::TokenReport::summary`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<bool>,
}

/// The prescan's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PrescanStatus {
    /// Requests are still pending.
    Prescanning,
    /// See [`PrescanReport::status`].
    Succeeded,
    /// See [`PrescanReport::status`].
    Failed,
}

impl PrescanStatus {
    /// The label shown to users.
    pub fn label(self) -> &'static str {
        match self {
            PrescanStatus::Prescanning => "Prescanning",
            PrescanStatus::Succeeded => "Prescan Succeeded",
            PrescanStatus::Failed => "Prescan Failed",
        }
    }
}

/// A prescan and its results so far.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrescanReport {
    /// The plan.
    pub plan: PrescanPlan,
    /// The outcome of each request of the plan, by position (`None`: pending).
    pub results: Vec<Option<RequestResult>>,
    /// How many endpoints the specification has.
    pub total_endpoints: usize,
    /// The OAuth 2.0 token flow, when the scan configuration has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<Box<super::TokenReport>>,
}

pub(super) fn is_auth(status: u16) -> bool {
    matches!(status, 401 | 403)
}

impl PrescanReport {
    /// The report of `plan` with `results` (in any order; a position
    /// outside the plan is ignored, a repeated one keeps the first).
    /// `total_endpoints` is the specification's endpoint count.
    pub fn new(plan: PrescanPlan, results: Vec<RequestResult>, total_endpoints: usize) -> Self {
        let mut slots: Vec<Option<RequestResult>> = vec![None; plan.requests.len()];
        for r in results {
            if let Some(slot @ None) = slots.get_mut(r.position) {
                *slot = Some(r);
            }
        }
        PrescanReport {
            plan,
            results: slots,
            total_endpoints,
            token: None,
        }
    }

    pub(super) fn outcomes(&self) -> impl Iterator<Item = &Outcome> {
        self.results.iter().flatten().map(|r| &r.outcome)
    }

    /// The rows of the Request and Response table: sent and skipped, in HAR
    /// order.
    pub fn rows(&self) -> Vec<Row> {
        let mut rows: Vec<Row> = Vec::new();
        for (req, result) in self.plan.requests.iter().zip(&self.results) {
            let mut row = Row {
                number: req.index + 1,
                method: req.method.clone(),
                url: req.url.clone(),
                response: "Pending".into(),
                status: None,
                time_ms: None,
                size: None,
                in_error: false,
                auth_problem: false,
                skipped: false,
                detail: None,
                token_request: false,
            };
            match result.as_ref().map(|r| &r.outcome) {
                None => {}
                Some(Outcome::Response(r)) => {
                    row.response = r.status.to_string();
                    row.status = Some(r.status);
                    row.time_ms = Some(r.time_ms);
                    row.size = Some(r.size);
                    row.in_error = r.status >= 400;
                    row.auth_problem = is_auth(r.status);
                    if row.auth_problem {
                        row.detail = Some(format!("{}: this may be an authentication problem. Check the credentials of the scan configuration.", r.status));
                    } else if r.status >= 500 {
                        row.detail = Some("Server error: the server failed to handle the request; the sample values may not suit it.".into());
                    } else if r.status >= 400 {
                        row.detail = Some(
                            "Client error: check the URL and the sample values of the request."
                                .into(),
                        );
                    }
                }
                Some(Outcome::NoResponse { time_ms }) => {
                    row.response = NO_RESPONSE.into();
                    row.time_ms = Some(*time_ms);
                    row.in_error = true;
                    row.detail = Some(NO_RESPONSE_HELP.into());
                }
                Some(Outcome::Timeout { time_ms }) => {
                    row.response = "Timeout error".into();
                    row.time_ms = Some(*time_ms);
                    row.in_error = true;
                    row.detail = Some(format!("No response within {} ms. Check that the server is up, or allow a longer timeout.", self.plan.settings.timeout_ms));
                }
                Some(Outcome::MalformedUrl) => {
                    row.response = "Malformed URL".into();
                    row.in_error = true;
                    row.detail = Some("The browser refused the URL. Check the server URL and the specification's paths.".into());
                }
                Some(Outcome::Cancelled) => row.response = "Cancelled".into(),
            }
            rows.push(row);
        }
        for s in &self.plan.skipped {
            rows.push(Row {
                number: s.index + 1,
                method: s.method.clone(),
                url: s.url.clone(),
                response: format!("Skipped: {}", s.reason.message()),
                status: None,
                time_ms: None,
                size: None,
                in_error: false,
                auth_problem: false,
                skipped: true,
                detail: Some(s.reason.message()),
                token_request: false,
            });
        }
        if let Some(t) = &self.token {
            rows.extend(t.exchanges.iter().map(token_row));
        }
        rows.sort_by_key(|r| r.number);
        rows
    }

    /// The Connection section.
    pub fn connection(&self) -> Connection {
        let mut c = Connection {
            skipped: self.plan.skipped.len(),
            token: self.token.as_ref().and_then(|t| {
                if t.failure.is_some() {
                    Some(false)
                } else {
                    t.obtained.then_some(true)
                }
            }),
            ..Connection::default()
        };
        for o in self.outcomes() {
            match o {
                Outcome::Response(r) => {
                    c.requests += 1;
                    c.responses += 1;
                    c.auth_failures += usize::from(is_auth(r.status));
                }
                Outcome::NoResponse { .. } | Outcome::Timeout { .. } | Outcome::MalformedUrl => {
                    c.requests += 1;
                    c.network_errors += 1;
                }
                Outcome::Cancelled => {}
            }
        }
        c
    }

    pub(super) fn cancelled(&self) -> usize {
        self.outcomes()
            .filter(|o| matches!(o, Outcome::Cancelled))
            .count()
    }

    /// The status. The rule:
    ///
    /// - **Prescanning** while any request of the plan has no result;
    /// - **Succeeded** when at least one request was sent, none was
    ///   cancelled, every one sent got a response, and no response is 401 or
    ///   403 (connection and authentication verified; other 4xx and 5xx
    ///   responses are flagged and noted, but do not fail the prescan:
    ///   generated sample values often cause them);
    /// - **Failed** otherwise: nothing could be sent, a network error, a
    ///   timeout or a refused URL, a 401 or 403, no OAuth 2.0 token, or the
    ///   user cancelled.
    pub fn status(&self) -> PrescanStatus {
        if self.results.iter().any(Option::is_none) {
            return PrescanStatus::Prescanning;
        }
        let c = self.connection();
        let ok = c.token != Some(false)
            && c.requests > 0
            && self.cancelled() == 0
            && c.network_errors == 0
            && c.auth_failures == 0;
        if ok {
            PrescanStatus::Succeeded
        } else {
            PrescanStatus::Failed
        }
    }

    /// The Prescan Notes, most severe first: Error (ended the prescan early
    /// or nothing verified), Warning (could reduce coverage), Information.
    pub fn notes(&self) -> Vec<Diagnostic> {
        // First, what the conversion said about the credentials entered.
        let mut notes = self.plan.credential_notes.clone();
        let mut note =
            |severity, message: String| notes.push(Diagnostic::new(severity, "", message));
        let c = self.connection();
        let finished = self.status() != PrescanStatus::Prescanning;
        if let Some(t) = &self.token {
            match c.token {
                Some(false) => note(Severity::Error, t.summary()),
                Some(true) => note(Severity::Information, t.summary()),
                None => {}
            }
            if t.capped {
                note(
                    Severity::Warning,
                    format!(
                        "After {MAX_TOKEN_FETCHES} token requests, a prescan asks for no more: the requests that followed were sent with the last token, which had expired. The token endpoint gives tokens that expire very soon; check its expires_in."
                    ),
                );
            }
            if t.resent > 0 {
                note(
                    Severity::Information,
                    format!(
                        "{} answered 401 and {} sent again with a new token.",
                        text::count(t.resent as u64, "request", "requests"),
                        pick(t.resent as u64, "was", "were")
                    ),
                );
            }
        }
        let count = |reason: fn(&super::SkipReason) -> bool| {
            self.plan
                .skipped
                .iter()
                .filter(|s| reason(&s.reason))
                .count()
        };
        if self.plan.origin.is_none() {
            note(Severity::Error, "No server is configured: enter a fully-qualified base URL (such as https://api.example.com/v1).".into());
        }
        if self.plan.requests.is_empty() {
            note(
                Severity::Error,
                "No request could be sent: every request of the prescan was skipped.".into(),
            );
        }
        let cancelled = self.cancelled();
        if cancelled > 0 {
            note(
                Severity::Error,
                format!(
                    "The prescan was cancelled: {cancelled} of {} {} not completed.",
                    text::count(self.plan.requests.len() as u64, "request", "requests"),
                    pick(cancelled as u64, "was", "were")
                ),
            );
        }
        if finished && c.requests > 0 && c.responses == 0 {
            note(
                Severity::Error,
                format!("No request reached the server. {NO_RESPONSE_HELP}"),
            );
        } else {
            let no_response = self
                .outcomes()
                .filter(|o| matches!(o, Outcome::NoResponse { .. }))
                .count();
            if no_response > 0 {
                note(Severity::Warning, format!("{} got no response from the server (network error, or blocked by the server's CORS policy).", text::count(no_response as u64, "request", "requests")));
            }
        }
        let timeouts = self
            .outcomes()
            .filter(|o| matches!(o, Outcome::Timeout { .. }))
            .count();
        if timeouts > 0 && c.responses > 0 {
            note(
                Severity::Warning,
                format!(
                    "{} timed out after {} ms.",
                    text::count(timeouts as u64, "request", "requests"),
                    self.plan.settings.timeout_ms
                ),
            );
        }
        let refused = self
            .outcomes()
            .filter(|o| matches!(o, Outcome::MalformedUrl))
            .count();
        if refused > 0 {
            note(
                Severity::Warning,
                format!(
                    "{} had a URL the browser refused (Malformed URL).",
                    text::count(refused as u64, "request", "requests")
                ),
            );
        }
        if c.auth_failures > 0 {
            note(
                Severity::Warning,
                format!(
                    "{} answered 401 or 403: check the credentials of the scan configuration.",
                    text::count(c.auth_failures as u64, "request", "requests")
                ),
            );
        }
        let other_errors = self
            .outcomes()
            .filter(|o| matches!(o, Outcome::Response(r) if r.status >= 400 && !is_auth(r.status)))
            .count();
        if other_errors > 0 {
            note(
                Severity::Warning,
                format!(
                    "{} answered with another 4xx or 5xx error: check {} URL and sample values.",
                    text::count(other_errors as u64, "request", "requests"),
                    pick(other_errors as u64, "its", "their")
                ),
            );
        }
        let unsafe_skipped = count(|r| matches!(r, super::SkipReason::UnsafeMethod));
        if unsafe_skipped > 0 {
            note(Severity::Warning, format!("{} skipped (methods other than GET, HEAD and OPTIONS): allow other methods for this prescan to send {}.", text::count(unsafe_skipped as u64, "unsafe request", "unsafe requests"), pick(unsafe_skipped as u64, "it", "them")));
        }
        let elsewhere = count(|r| matches!(r, super::SkipReason::OtherOrigin { .. }));
        if elsewhere > 0 {
            note(Severity::Warning, format!("{} to another origin skipped: the prescan sends requests only to the configured server.", text::count(elsewhere as u64, "request", "requests")));
        }
        let malformed = count(|r| {
            matches!(
                r,
                super::SkipReason::MalformedUrl
                    | super::SkipReason::RelativeUrl
                    | super::SkipReason::InvalidMethod
            )
        });
        if malformed > 0 {
            note(
                Severity::Warning,
                format!(
                    "{} skipped because {} URL or method cannot be sent.",
                    text::count(malformed as u64, "request", "requests"),
                    pick(malformed as u64, "its", "their")
                ),
            );
        }
        let withheld = self
            .plan
            .requests
            .iter()
            .filter(|r| !r.withheld_headers.is_empty())
            .count();
        if withheld > 0 {
            note(Severity::Warning, format!("{} headers a browser does not let a page set (such as Cookie): {} sent without them. Custom cookies are verified when the prescan runs from the reference server.", match withheld { 1 => "1 request has".to_owned(), n => format!("{} have", text::count(n as u64, "request", "requests")) }, pick(withheld as u64, "it is", "they are")));
        }
        let without_credentials = self
            .plan
            .requests
            .iter()
            .filter(|r| {
                // With OAuth 2.0 the run sends the token as Authorization.
                r.placeholders_left_out
                    .iter()
                    .any(|p| self.token.is_none() || !p.eq_ignore_ascii_case("authorization"))
            })
            .count();
        if without_credentials > 0 {
            note(Severity::Warning, format!("{} sent without credentials: the specification asks for them and none are configured. Enter them in the scan configuration (bearer token, basic, API keys or custom headers) to verify authentication.", match without_credentials { 1 => "1 request was".to_owned(), n => format!("{} were", text::count(n as u64, "request", "requests")) }));
        }
        let total = self.total_endpoints.max(self.plan.total_entries);
        match self.plan.coverage {
            // With a scope: what it covers, and that excluded endpoints do
            // not count.
            Some(c) if c.excluded + c.ignored > 0 || c.in_scope() > PRESCAN_LIMIT => {
                note(Severity::Information, c.sentence())
            }
            Some(_) => {}
            None if total > PRESCAN_LIMIT => note(
                Severity::Information,
                format!("The prescan covers the first {PRESCAN_LIMIT} of {total} endpoints."),
            ),
            None => {}
        }
        let s = &self.plan.settings;
        let pace = match s.requests_per_second {
            Some(r) => format!(
                "at most {r} {} per second",
                if r == 1.0 { "request" } else { "requests" }
            ),
            None => "no limit on requests per second".into(),
        };
        note(
            Severity::Information,
            format!(
                "Requests were sent with {pace}, up to {} at a time, with a timeout of {} ms.",
                s.max_in_flight, s.timeout_ms
            ),
        );
        notes.sort_by_key(|d| d.severity);
        notes
    }

    /// The prescan as a HAR 1.2 document: one entry per request sent
    /// (skipped and cancelled ones left out), in order, each with the
    /// request as sent, the response received (status 0 and a comment for
    /// errors), `startedDateTime`, `time` and `timings`.
    pub fn to_har(&self) -> Har {
        let mut entries = Vec::new();
        for (req, result) in self.plan.requests.iter().zip(&self.results) {
            let Some(result) = result else { continue };
            let Some(original) = self.plan.entries.get(req.index) else {
                continue;
            };
            let mut e = original.clone();
            e.request.url = req.url.clone();
            e.request.headers.retain(|h| {
                !req.withheld_headers.contains(&h.name)
                    && !req.placeholders_left_out.contains(&h.name)
            });
            e.request
                .query_string
                .retain(|q| !req.placeholders_left_out.contains(&q.name));
            let with_token = self
                .token
                .as_ref()
                .is_some_and(|t| t.with_token.get(result.position).copied().unwrap_or(false));
            if with_token {
                e.request
                    .headers
                    .retain(|h| !h.name.eq_ignore_ascii_case("authorization"));
                e.request.headers.push(NameValue {
                    name: "Authorization".into(),
                    value: format!("Bearer {}", super::REDACTED),
                    comment: Some("The OAuth 2.0 access token (redacted).".into()),
                });
            }
            if req
                .withheld_headers
                .iter()
                .any(|h| h.eq_ignore_ascii_case("cookie"))
            {
                e.request.cookies.clear(); // a browser never sends them
            }
            e.started_date_time = format_rfc3339(result.started_ms);
            let mut response = crate::har::unsent_response();
            let time = match &result.outcome {
                Outcome::Cancelled => continue,
                Outcome::Response(r) => {
                    response.status = i64::from(r.status);
                    response.status_text = r.status_text.clone();
                    response.headers = r
                        .headers
                        .iter()
                        .map(|(n, v)| NameValue {
                            name: n.clone(),
                            value: v.clone(),
                            comment: None,
                        })
                        .collect();
                    response.redirect_url = r.header("location").unwrap_or("").to_owned();
                    response.body_size = r.size as i64;
                    response.content = Content {
                        size: r.size as i64,
                        compression: None,
                        mime_type: r.header("content-type").unwrap_or("x-unknown").to_owned(),
                        text: Some(r.body.clone()),
                        encoding: None,
                        comment: r
                            .body_truncated
                            .then(|| format!("Truncated to {} of {} bytes.", r.body.len(), r.size)),
                    };
                    r.time_ms
                }
                Outcome::NoResponse { time_ms } => {
                    response.comment = Some(NO_RESPONSE_HELP.into());
                    *time_ms
                }
                Outcome::Timeout { time_ms } => {
                    response.comment = Some("Timeout error".into());
                    *time_ms
                }
                Outcome::MalformedUrl => {
                    response.comment = Some("Malformed URL".into());
                    0.0
                }
            };
            let time = if time.is_finite() && time >= 0.0 {
                time
            } else {
                0.0
            };
            e.time = time;
            e.timings = Timings {
                blocked: Some(-1.0),
                dns: Some(-1.0),
                connect: Some(-1.0),
                send: 0.0,
                wait: time,
                receive: 0.0,
                ssl: Some(-1.0),
                comment: Some(
                    "The browser reports only the total time; it is given as wait.".into(),
                ),
            };
            e.response = response;
            entries.push(e);
        }
        let mut har = Har {
            log: crate::har::Log {
                version: "1.2".into(),
                creator: crate::har::Creator {
                    name: "prescan".into(),
                    version: env!("CARGO_PKG_VERSION").into(),
                    comment: None,
                },
                pages: Vec::new(),
                entries,
                comment: None,
            },
        };
        har.log.comment = Some(format!(
            "{}: {} sent, {} skipped.",
            self.status().label(),
            text::count(self.connection().requests as u64, "request", "requests"),
            thousands(self.plan.skipped.len() as u64)
        ));
        har
    }
}
