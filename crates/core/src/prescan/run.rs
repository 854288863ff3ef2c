//! Driving a prescan: what to do next, and recording what happened.

use serde::{Deserialize, Serialize};

use super::{Outcome, Pacer, PlannedRequest, PrescanPlan, PrescanReport, RequestResult};

/// What the browser should do now ([`PrescanRun::poll`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Step {
    /// Send the request at this position of [`PrescanPlan::requests`] now
    /// (it is recorded as started), then poll again.
    Send(usize),
    /// Poll again at this time (ms): the rate limit.
    WaitUntil(i64),
    /// Poll again when a response arrives: every slot is in use.
    WaitForResponse,
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
        }
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
        if self.cancelled || self.next >= self.plan.requests.len() {
            return if in_flight == 0 {
                Step::Finished
            } else {
                Step::WaitForResponse
            };
        }
        match self.pacer.next_start_ms(now_ms, in_flight) {
            None => Step::WaitForResponse,
            Some(t) if t > now_ms => Step::WaitUntil(t),
            Some(_) => {
                let position = self.next;
                self.next += 1;
                self.started[position] = Some(now_ms);
                self.pacer.record_start(now_ms);
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
    pub fn report(&self, total_endpoints: usize) -> PrescanReport {
        PrescanReport::new(
            self.plan.clone(),
            self.results.iter().flatten().cloned().collect(),
            total_endpoints,
        )
    }
}
