//! Driving a prescan: what to do next, and recording what happened.

use serde::{Deserialize, Serialize};

use std::collections::VecDeque;

use super::token::TokenFlow;
use super::{Outcome, Pacer, PlannedRequest, PrescanPlan, PrescanReport, RequestResult};
use crate::oauth::OAuth;

/// What the browser should do now ([`PrescanRun::poll`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Step {
    /// Send the request at this position of [`PrescanPlan::requests`] now
    /// (it is recorded as started), then poll again.
    Send(usize),
    /// Poll again at this time (ms): the rate limit.
    WaitUntil(i64),
    /// Poll again when a response arrives: every slot is in use (or the
    /// token request is in flight).
    WaitForResponse,
    /// Send the request of the OAuth 2.0 token flow
    /// ([`PrescanRun::auth_request`]: the discovery document or the token),
    /// report its outcome with [`PrescanRun::complete_auth`], then poll
    /// again. Only runs made [`PrescanRun::with_oauth`] return it.
    Authenticate,
    /// Nothing left to send or wait for.
    Finished,
}

/// Progress, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Progress {
    /// Requests finished (with any outcome).
    pub done: usize,
    /// Requests in flight.
    pub in_flight: usize,
    /// Requests to send in all.
    pub total: usize,
}

/// A running prescan: the plan, the pacer and the results so far.
///
/// The browser loop: call [`poll`](Self::poll); on [`Step::Send`] start
/// that request (with the timeout of the settings) and call
/// [`complete`](Self::complete) when it ends; on [`Step::WaitUntil`] set a
/// timer; stop on [`Step::Finished`]. [`cancel`](Self::cancel) ends it at
/// once (abort the requests in flight; their late completions are ignored).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrescanRun {
    plan: PrescanPlan,
    pacer: Pacer,
    started: Vec<Option<i64>>,
    results: Vec<Option<RequestResult>>,
    next: usize,
    cancelled: bool,
    /// Requests to send again (a 401 answered to a token that was then
    /// replaced), before the next new one.
    #[serde(default)]
    resend: VecDeque<usize>,
    /// The OAuth 2.0 token flow; never serialized (it holds secrets).
    #[serde(skip)]
    token: Option<TokenFlow>,
}

impl PrescanRun {
    /// A run of `plan`, with the pace of its settings.
    pub fn new(plan: PrescanPlan) -> PrescanRun {
        let n = plan.requests.len();
        PrescanRun {
            pacer: Pacer::new(&plan.settings),
            plan,
            started: vec![None; n],
            results: vec![None; n],
            next: 0,
            cancelled: false,
            resend: VecDeque::new(),
            token: None,
        }
    }

    /// A run of `plan` that first gets an OAuth 2.0 token and sends it as
    /// `Authorization: Bearer <token>` with every request (see
    /// [`super::token`] for the rules).
    pub fn with_oauth(plan: PrescanPlan, oauth: OAuth) -> PrescanRun {
        let n = plan.requests.len();
        let mut run = PrescanRun::new(plan);
        run.token = Some(TokenFlow::new(oauth, n));
        run
    }

    /// The request of the token flow to send now (after
    /// [`Step::Authenticate`]).
    pub fn auth_request(&self) -> Option<PlannedRequest> {
        self.token.as_ref()?.in_flight().cloned()
    }

    /// Records the outcome of the token flow's request. Ignored when none is
    /// in flight or the run was cancelled. Returns whether it was recorded.
    pub fn complete_auth(&mut self, outcome: Outcome) -> bool {
        if self.cancelled {
            return false;
        }
        self.token.as_mut().is_some_and(|t| t.complete(outcome))
    }

    /// The request at `position` as it is sent: with the current OAuth 2.0
    /// token in its `Authorization` header when the run has one (any
    /// `Authorization` header of the HAR is replaced).
    pub fn outgoing(&self, position: usize) -> Option<PlannedRequest> {
        let mut req = self.plan.requests.get(position)?.clone();
        if let Some(flow) = &self.token {
            if let (Some(Some(_)), Some((token, _))) = (flow.with_token.get(position), flow.token())
            {
                req.headers
                    .retain(|(n, _)| !n.eq_ignore_ascii_case("authorization"));
                req.headers
                    .push(("Authorization".into(), format!("Bearer {token}")));
            }
        }
        Some(req)
    }

    /// The plan.
    pub fn plan(&self) -> &PrescanPlan {
        &self.plan
    }

    /// Adds a note of the runner about the credentials (such as a TLS
    /// server that asked for a client certificate none was given for): it
    /// is shown first among the Prescan Notes, with the conversion's notes
    /// about the credentials entered. The same message twice is kept once.
    pub fn add_credential_note(&mut self, note: crate::Diagnostic) {
        if !self
            .plan
            .credential_notes
            .iter()
            .any(|n| n.message == note.message)
        {
            self.plan.credential_notes.push(note);
        }
    }

    /// The request at `position`, if there is one.
    pub fn request(&self, position: usize) -> Option<&PlannedRequest> {
        self.plan.requests.get(position)
    }

    fn in_flight(&self) -> usize {
        self.started
            .iter()
            .zip(&self.results)
            .filter(|(s, r)| s.is_some() && r.is_none())
            .count()
    }

    /// What to do at `now_ms`. A [`Step::Send`] is recorded as started at
    /// `now_ms`.
    pub fn poll(&mut self, now_ms: i64) -> Step {
        let in_flight = self.in_flight();
        if self.cancelled || (self.next >= self.plan.requests.len() && self.resend.is_empty()) {
            return if in_flight == 0 {
                Step::Finished
            } else {
                Step::WaitForResponse
            };
        }
        if let Some(flow) = &mut self.token {
            if flow.in_flight().is_some() {
                return Step::WaitForResponse;
            }
            if flow.start(now_ms).is_some() {
                return Step::Authenticate;
            }
        }
        match self.pacer.next_start_ms(now_ms, in_flight) {
            None => Step::WaitForResponse,
            Some(t) if t > now_ms => Step::WaitUntil(t),
            Some(_) => {
                let position = match self.resend.pop_front() {
                    Some(p) => p,
                    None => {
                        self.next += 1;
                        self.next - 1
                    }
                };
                self.started[position] = Some(now_ms);
                self.pacer.record_start(now_ms);
                if let Some(flow) = &mut self.token {
                    let generation = flow.token().map(|(_, g)| g);
                    flow.with_token[position] = generation;
                }
                Step::Send(position)
            }
        }
    }

    /// Records the outcome of the request at `position`. Ignored if it was
    /// not started, already finished, or the run was cancelled. Returns
    /// whether it was recorded.
    pub fn complete(&mut self, position: usize, outcome: Outcome) -> bool {
        let Some(Some(started_ms)) = self.started.get(position).copied() else {
            return false;
        };
        if let (Some(flow), Outcome::Response(r)) = (&mut self.token, &outcome) {
            if r.status == 401
                && !self.cancelled
                && self.results.get(position).is_some_and(Option::is_none)
                && flow.on_unauthorized(position)
            {
                self.started[position] = None;
                self.resend.push_back(position);
                return true;
            }
        }
        let outcome = match &self.token {
            Some(flow) => flow.redact_outcome(outcome),
            None => outcome,
        };
        match self.results.get_mut(position) {
            Some(slot @ None) if !self.cancelled => {
                *slot = Some(RequestResult {
                    position,
                    started_ms,
                    outcome,
                });
                true
            }
            _ => false,
        }
    }

    /// Cancels the run: every request not finished is recorded as
    /// [`Outcome::Cancelled`] and [`poll`](Self::poll) returns
    /// [`Step::Finished`].
    pub fn cancel(&mut self, now_ms: i64) {
        for (position, slot) in self.results.iter_mut().enumerate() {
            if slot.is_none() {
                *slot = Some(RequestResult {
                    position,
                    started_ms: self.started[position].unwrap_or(now_ms),
                    outcome: Outcome::Cancelled,
                });
            }
        }
        self.cancelled = true;
    }

    /// Whether it was cancelled.
    pub fn is_cancelled(&self) -> bool {
        self.cancelled
    }

    /// How far it got.
    pub fn progress(&self) -> Progress {
        Progress {
            done: self.results.iter().flatten().count(),
            in_flight: self.in_flight(),
            total: self.plan.requests.len(),
        }
    }

    /// The report of the results so far (`total_endpoints`: the
    /// specification's endpoint count).
    ///
    /// With OAuth 2.0, the report has the token flow
    /// ([`PrescanReport::token`]), and every secret of the configuration
    /// and every token received is replaced by [`super::REDACTED`]
    /// wherever it appears (a response that echoes it included).
    pub fn report(&self, total_endpoints: usize) -> PrescanReport {
        let mut report = PrescanReport::new(
            self.plan.clone(),
            self.results.iter().flatten().cloned().collect(),
            total_endpoints,
        );
        if let Some(flow) = &self.token {
            report.token = Some(Box::new(flow.report()));
            if let Ok(mut v) = serde_json::to_value(&report) {
                super::redact_json(&mut v, flow.secrets());
                if let Ok(r) = serde_json::from_value(v) {
                    report = r;
                }
            }
        }
        report
    }
}
