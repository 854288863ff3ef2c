//! How the Request and Response table reads: each row's class of outcome
//! (for the filter and its counts), one explanation per kind of failure
//! (above the table, instead of the same paragraph on every row), and the
//! status line's text, which says how many requests failed whenever the
//! outcome is not a plain success.

use serde::{Deserialize, Serialize};

use super::report::{is_auth, Outcome, PrescanReport, PrescanStatus, Row};

/// The class of a row's outcome: what the table's filter picks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum OutcomeClass {
    /// A response below 400.
    Success,
    /// A 4xx response.
    ClientError,
    /// A 5xx response.
    ServerError,
    /// No response: a network or CORS error, a timeout, a URL the browser refused.
    Network,
    /// Not sent (a method that may change data, another origin, a bad URL).
    Skipped,
    /// Not finished: pending or cancelled.
    Unfinished,
}

impl OutcomeClass {
    /// Every class, in the filter's order.
    pub const ALL: [OutcomeClass; 6] = [
        OutcomeClass::Success,
        OutcomeClass::ClientError,
        OutcomeClass::ServerError,
        OutcomeClass::Network,
        OutcomeClass::Skipped,
        OutcomeClass::Unfinished,
    ];

    /// The filter's name for it.
    pub fn label(self) -> &'static str {
        match self {
            OutcomeClass::Success => "Success",
            OutcomeClass::ClientError => "4xx",
            OutcomeClass::ServerError => "5xx",
            OutcomeClass::Network => "Network",
            OutcomeClass::Skipped => "Skipped",
            OutcomeClass::Unfinished => "Not finished",
        }
    }

    /// Its name in a URL or a test (`success`, `4xx`, `5xx`, `network`,
    /// `skipped`, `unfinished`).
    pub fn key(self) -> &'static str {
        match self {
            OutcomeClass::Success => "success",
            OutcomeClass::ClientError => "4xx",
            OutcomeClass::ServerError => "5xx",
            OutcomeClass::Network => "network",
            OutcomeClass::Skipped => "skipped",
            OutcomeClass::Unfinished => "unfinished",
        }
    }

    /// Whether a row of this class is an error (red in the table).
    pub fn is_error(self) -> bool {
        matches!(
            self,
            OutcomeClass::ClientError | OutcomeClass::ServerError | OutcomeClass::Network
        )
    }
}

impl OutcomeClass {
    /// How many of `rows` ([`PrescanReport::rows`]) there are of each
    /// class, in [`OutcomeClass::ALL`]'s order.
    pub fn counts(rows: &[Row]) -> Vec<(OutcomeClass, usize)> {
        OutcomeClass::ALL
            .iter()
            .map(|&class| (class, rows.iter().filter(|r| r.class() == class).count()))
            .collect()
    }
}

impl Row {
    /// The class of its outcome.
    pub fn class(&self) -> OutcomeClass {
        match self.status {
            _ if self.skipped => OutcomeClass::Skipped,
            Some(s) if s >= 500 => OutcomeClass::ServerError,
            Some(s) if s >= 400 => OutcomeClass::ClientError,
            Some(_) => OutcomeClass::Success,
            None if self.in_error => OutcomeClass::Network,
            None => OutcomeClass::Unfinished,
        }
    }
}

/// A kind of failure, explained once above the table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Explanation {
    /// The rows it explains.
    pub class: OutcomeClass,
    /// How many requests it is about.
    pub count: usize,
    /// One line: what happened.
    pub title: String,
    /// What to do about it.
    pub text: String,
}

/// `1 request` / `3 requests`.
fn requests(n: usize) -> String {
    crate::text::count(n as u64, "request", "requests")
}

impl PrescanReport {
    /// How many requests sent ended in an error (no response, or 4xx/5xx).
    pub fn failed_requests(&self) -> usize {
        self.outcomes()
            .filter(|o| match o {
                Outcome::Response(r) => r.status >= 400,
                Outcome::NoResponse { .. } | Outcome::Timeout { .. } | Outcome::MalformedUrl => {
                    true
                }
                Outcome::Cancelled => false,
            })
            .count()
    }

    /// The status line: the status, and how many requests failed when the
    /// outcome is not a plain success (`Prescan Succeeded, with errors: 3
    /// of 5 requests answered 4xx or 5xx`).
    pub fn status_text(&self) -> String {
        let status = self.status();
        let c = self.connection();
        let failed = self.failed_requests();
        let of = |n: usize| {
            format!(
                "{} of {}",
                crate::limits::thousands(n as u64),
                requests(c.requests)
            )
        };
        match status {
            PrescanStatus::Prescanning => status.label().to_owned(),
            PrescanStatus::Succeeded if failed == 0 => status.label().to_owned(),
            PrescanStatus::Succeeded => {
                format!(
                    "{}, with errors: {} answered 4xx or 5xx",
                    status.label(),
                    of(failed)
                )
            }
            PrescanStatus::Failed if c.requests == 0 && self.cancelled() > 0 => {
                format!("{}: cancelled before any response", status.label())
            }
            PrescanStatus::Failed if c.requests == 0 => {
                format!("{}: no request could be sent", status.label())
            }
            PrescanStatus::Failed if failed == 0 => {
                format!(
                    "{}: cancelled after {}",
                    status.label(),
                    requests(c.requests)
                )
            }
            PrescanStatus::Failed => format!("{}: {} failed", status.label(), of(failed)),
        }
    }

    /// The sentence the activity log and the notification carry: how many
    /// requests failed when any did, then the Connection's counts (`1 of 2
    /// requests failed. 2 requests, 2 responses, 0 network errors, 0
    /// authentication failures (401 or 403), 3 skipped.`). The browser and
    /// the server write the same.
    pub fn summary_sentence(&self) -> String {
        use crate::text::count;
        let c = self.connection();
        let counts = format!(
            "{}, {}, {}, {} (401 or 403), {} skipped.",
            count(c.requests as u64, "request", "requests"),
            count(c.responses as u64, "response", "responses"),
            count(c.network_errors as u64, "network error", "network errors"),
            count(
                c.auth_failures as u64,
                "authentication failure",
                "authentication failures"
            ),
            crate::text::thousands(c.skipped as u64)
        );
        match self.failed_requests() {
            0 => counts,
            failed => format!(
                "{} of {} failed. {counts}",
                crate::text::thousands(failed as u64),
                requests(c.requests)
            ),
        }
    }

    /// Whether the outcome is a plain success (every request sent answered
    /// below 400): anything else never shows as one.
    pub fn is_plain_success(&self) -> bool {
        self.status() == PrescanStatus::Succeeded && self.failed_requests() == 0
    }

    /// One explanation per kind of failure among the results, most serious
    /// first. `page_origin`: the origin of the page that sent the requests
    /// (a browser prescan, where the server must allow it by CORS); `None`
    /// when a server sent them.
    pub fn explanations(&self, page_origin: Option<&str>) -> Vec<Explanation> {
        let mut out = Vec::new();
        let target = self
            .plan
            .origin
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_else(|| "the server".to_owned());
        let count = |f: &dyn Fn(&Outcome) -> bool| self.outcomes().filter(|o| f(o)).count();
        let no_response = count(&|o| matches!(o, Outcome::NoResponse { .. }));
        if no_response > 0 {
            let text = match page_origin {
                Some(page) => format!(
                    "Either {target} cannot be reached from this computer (is it running, and is the base URL right?), or it does not allow requests from this page. A browser sends a prescan only where the server allows the page's origin by CORS: make {target} answer with `Access-Control-Allow-Origin: {page}` (and allow the request headers used, such as Authorization, in `Access-Control-Allow-Headers`), or run the prescan from the reference server, which CORS does not restrict."
                ),
                None => format!(
                    "{target} could not be reached from the server that ran the prescan: check that it is running, that the base URL is right, and that the server running the prescan may connect to it."
                ),
            };
            out.push(Explanation {
                class: OutcomeClass::Network,
                count: no_response,
                title: format!("{} got no response from {target}.", requests(no_response)),
                text,
            });
        }
        let timeouts = count(&|o| matches!(o, Outcome::Timeout { .. }));
        if timeouts > 0 {
            out.push(Explanation {
                class: OutcomeClass::Network,
                count: timeouts,
                title: format!(
                    "{} got no response within {} ms.",
                    requests(timeouts),
                    crate::limits::thousands(self.plan.settings.timeout_ms)
                ),
                text: format!("Check that {target} is up and not overloaded; send fewer requests per second, or allow a longer timeout."),
            });
        }
        let refused = count(&|o| matches!(o, Outcome::MalformedUrl));
        if refused > 0 {
            out.push(Explanation {
                class: OutcomeClass::Network,
                count: refused,
                title: format!("{} had a URL the browser refused.", requests(refused)),
                text: "Check the base URL and the specification's paths: a URL needs a scheme, a host and characters a browser accepts.".into(),
            });
        }
        let auth = count(&|o| matches!(o, Outcome::Response(r) if is_auth(r.status)));
        if auth > 0 {
            out.push(Explanation {
                class: OutcomeClass::ClientError,
                count: auth,
                title: format!("{} answered 401 or 403.", requests(auth)),
                text: "The server did not accept the credentials, or none were sent. Check the credentials of the scan configuration, and the notes below on which requests carry them.".into(),
            });
        }
        let not_found = count(&|o| matches!(o, Outcome::Response(r) if r.status == 404));
        if not_found > 0 {
            out.push(Explanation {
                class: OutcomeClass::ClientError,
                count: not_found,
                title: format!("{} answered 404 Not Found.", requests(not_found)),
                text: "The generated path values (such as an id) may not exist on this server, or the base path is wrong. Give examples in the specification for path parameters to send values that exist.".into(),
            });
        }
        let client = count(
            &|o| matches!(o, Outcome::Response(r) if (400..500).contains(&r.status) && !is_auth(r.status) && r.status != 404),
        );
        if client > 0 {
            out.push(Explanation {
                class: OutcomeClass::ClientError,
                count: client,
                title: format!("{} answered with another 4xx error.", requests(client)),
                text: "The server refused the request as sent: check its sample values and headers against what the server expects (open a row for the response body).".into(),
            });
        }
        let server = count(&|o| matches!(o, Outcome::Response(r) if r.status >= 500));
        if server > 0 {
            out.push(Explanation {
                class: OutcomeClass::ServerError,
                count: server,
                title: format!("{} answered 5xx.", requests(server)),
                text: "The server failed to handle the request; the sample values may not suit it. Open a row for the response body.".into(),
            });
        }
        out
    }
}
