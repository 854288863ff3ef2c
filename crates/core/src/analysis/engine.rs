//! A simulated scan engine: moves runs through the lifecycle over time.
//!
//! Deterministic: the clock is passed in ([`Engine::tick`] takes `now_ms`),
//! every step happens at a computed time (not at the tick's time), and each
//! run's fate ([`Outcome`]) comes from the analysis's name and the run's
//! number. Ticking every second or once after an hour gives the same
//! statuses, activity log and notifications.

use serde::{Deserialize, Serialize};

use super::activity::{ActivityEntry, ActivityKind, Actor};
use super::model::{Analysis, PrescanOrigin, PrescanResult, Run, ScanTarget, Start};
use super::notify::{Event, Notification, NotificationKind, Recipients};
use super::outcome::{seed, Outcome};
use super::state::StoreState;
use super::status::{AnalysisStatus as S, ScanStatus as C};

/// How long each step of a run takes, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct EngineConfig {
    /// Submitted → Prescanning or Queued.
    pub submit_ms: i64,
    /// Prescanning → Queued.
    pub prescan_ms: i64,
    /// Queued → In Progress.
    pub queue_ms: i64,
    /// In Progress → Completed - Verifying Results.
    pub scan_ms: i64,
    /// Verifying → results available.
    pub verify_ms: i64,
    /// Results available → Published - Results Available.
    pub publish_ms: i64,
    /// Stopping (saving, deleting), pausing and resuming.
    pub stop_ms: i64,
}

impl EngineConfig {
    /// Fast enough to watch: a run with a prescan is published in about 80
    /// seconds.
    pub fn demo() -> Self {
        EngineConfig {
            submit_ms: 3_000,
            prescan_ms: 10_000,
            queue_ms: 5_000,
            scan_ms: 40_000,
            verify_ms: 12_000,
            publish_ms: 8_000,
            stop_ms: 4_000,
        }
    }

    /// Closer to real scans: minutes to prescan and queue, hours to scan.
    pub fn realistic() -> Self {
        EngineConfig {
            submit_ms: 60_000,
            prescan_ms: 10 * 60_000,
            queue_ms: 15 * 60_000,
            scan_ms: 3 * 3_600_000,
            verify_ms: 2 * 3_600_000,
            publish_ms: 30 * 60_000,
            stop_ms: 60_000,
        }
    }

    /// How long a run stays in `status` before the engine moves it on;
    /// `None` where only a user or the scan duration moves it.
    pub fn delay(&self, status: S) -> Option<i64> {
        Some(match status {
            S::Submitted => self.submit_ms,
            S::Prescanning => self.prescan_ms,
            S::Queued => self.queue_ms,
            S::InProgress => self.scan_ms,
            S::CompletedVerifyingResults
            | S::CompletedVerifyingPartialResults
            | S::TimeExpiredVerifyingPartialResults
            | S::StoppedScanDurationEndedWithPartialResults
            | S::StoppedVerifyingResults
            | S::StoppedVerifyingPartialResults => self.verify_ms,
            S::CompletedResultsAvailable | S::CompletedPartialResultsAvailable => self.publish_ms,
            S::StoppedSavingResults | S::StoppedDeletingResults => self.stop_ms,
            _ => return None,
        })
    }
}

impl Default for EngineConfig {
    fn default() -> Self {
        Self::demo()
    }
}

/// The simulated scan engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Engine {
    /// Its step durations.
    pub config: EngineConfig,
}

/// Changes one analysis, writing the activity log and collecting events.
pub(crate) struct Ctx<'a> {
    pub a: &'a mut Analysis,
    pub log: &'a mut Vec<ActivityEntry>,
    pub events: &'a mut Vec<Event>,
    pub at: i64,
    pub actor: Actor,
}

impl Ctx<'_> {
    /// Moves the analysis to `to` (nothing if it is there already).
    pub fn status(&mut self, to: S) {
        let from = self.a.status;
        if let Some(run) = self.a.runs.last_mut().filter(|r| r.is_active()) {
            run.since_ms = self.at;
            run.next_step_ms = None;
        }
        if from == to {
            return;
        }
        self.a.status = to;
        let simulated = self.simulated();
        self.log.push(ActivityEntry::change(
            self.at,
            self.actor.clone(),
            ActivityKind::StatusChanged,
            format!("{simulated}Analysis status changed to {}.", to.label()),
            from.label(),
            to.label(),
        ));
        self.events.push(Event::StatusChanged {
            analysis_id: self.a.id,
            name: self.a.name.clone(),
            from,
            to,
            at_ms: self.at,
            actor: self.actor.clone(),
        });
    }

    /// "Simulated: " when the simulated engine makes the change (the
    /// System actor), to start an activity-log sentence with.
    fn simulated(&self) -> &'static str {
        if self.actor == Actor::System {
            "Simulated: "
        } else {
            ""
        }
    }

    /// Sets the status of every scan `f` gives a new one (by index and
    /// current status).
    pub fn scans(&mut self, mut f: impl FnMut(usize, C) -> Option<C>) {
        let simulated = self.simulated();
        for (i, scan) in self.a.scans.iter_mut().enumerate() {
            let Some(to) = f(i, scan.status) else {
                continue;
            };
            if to == scan.status {
                continue;
            }
            self.log.push(ActivityEntry::change(
                self.at,
                self.actor.clone(),
                ActivityKind::ScanStatusChanged,
                format!(
                    "{simulated}Status of scan {} changed to {}.",
                    scan.target.log_name(),
                    to.label()
                ),
                scan.status.label(),
                to.label(),
            ));
            scan.status = to;
        }
    }

    /// Sends a notification.
    pub fn notify(&mut self, kind: NotificationKind, detail: String) {
        let recipients = match kind {
            NotificationKind::ResultsPublished => Recipients::SecurityLeads,
            _ => Recipients::ScheduleOwner(self.a.schedule_owner().to_owned()),
        };
        let n = Notification {
            kind,
            analysis_id: self.a.id,
            analysis_name: self.a.name.clone(),
            at_ms: self.at,
            recipients,
            detail,
            simulated: self.actor == Actor::System,
        };
        self.log.push(ActivityEntry::new(
            self.at,
            Actor::System,
            ActivityKind::NotificationSent,
            format!("{}Notification sent: {}", self.simulated(), kind.subject()),
        ));
        self.events.push(Event::Notification(n));
    }

    /// Ends the current run in the current status.
    pub fn finish(&mut self) {
        let status = self.a.status;
        if let Some(run) = self.a.runs.last_mut().filter(|r| r.is_active()) {
            run.ended_ms = Some(self.at);
            run.final_status = Some(status);
            run.next_step_ms = None;
            run.paused_remaining_ms = None;
        }
    }

    /// Submits a new run: status Submitted, every scan Submitted.
    pub fn submit(&mut self) {
        self.finish();
        let number = u32::try_from(self.a.runs.len() + 1).unwrap_or(u32::MAX);
        self.a.runs.push(Run {
            number,
            prescan: self.a.prescan,
            submitted_ms: self.at,
            started_ms: None,
            deadline_ms: self.at.saturating_add(self.a.schedule.duration.ms()),
            ended_ms: None,
            final_status: None,
            outcome: Outcome::for_run(&self.a.name, number, self.a.scans.len()),
            since_ms: self.at,
            next_step_ms: None,
            paused_remaining_ms: None,
            prescan_result: None,
        });
        self.a.has_verification_failures = false;
        self.status(S::Submitted);
        self.scans(|_, _| Some(C::Submitted));
    }
}

/// Whether a scan is taking part in the current run (not failed, stopped or
/// finished).
pub(crate) fn scan_active(s: C) -> bool {
    matches!(
        s,
        C::Submitted
            | C::Queued
            | C::QueuedWithWarning
            | C::InProgress
            | C::Pausing
            | C::Paused
            | C::Resuming
            | C::Scheduled
            | C::NotRun
    )
}

/// The "results available" status of a scan status that verifies results.
fn verified(s: C) -> Option<C> {
    Some(match s {
        C::CompletedVerifyingResults => C::CompletedResultsAvailable,
        C::SiteUnreachableVerifyingResults => C::SiteUnreachableResultsAvailable,
        C::TimeExpiredVerifyingPartialResults => C::TimeExpiredPartialResultsAvailable,
        C::StoppedVerifyingPartialResults => C::StoppedPartialResultsAvailable,
        C::ScanErrorVerifyingPartialResults => C::ScanErrorPartialResultsAvailable,
        C::KilledVerifyingPartialResults => C::KilledPartialResultsAvailable,
        C::LockoutVerifyingPartialResults => C::LockoutPartialResultsAvailable,
        _ => return None,
    })
}

/// The verification failure of scan `i` (varied, so each failure status
/// appears).
fn failure_status(a: &Analysis, i: usize, h: u64) -> C {
    let url = matches!(a.scans.get(i).map(|s| &s.target), Some(ScanTarget::Url(_)));
    let choices: &[C] = if url {
        &[
            C::ConnectionError,
            C::AuthenticationError,
            C::CrawlScriptError,
            C::VerificationFailed,
        ]
    } else {
        &[
            C::ConnectionError,
            C::AuthenticationError,
            C::VerificationFailed,
        ]
    };
    choices[((h as usize) ^ i) % choices.len()]
}

impl Engine {
    /// An engine with these step durations.
    pub fn new(config: EngineConfig) -> Self {
        Engine { config }
    }

    /// Moves every analysis as far as time `now_ms` allows: starts
    /// scheduled analyses whose start time has come, and moves runs through
    /// the lifecycle. Status changes and notifications go to the activity
    /// log (actor: System) and are returned, oldest first.
    pub fn tick(&self, state: &mut StoreState, now_ms: i64) -> Vec<Event> {
        let mut events = Vec::new();
        let StoreState {
            analyses, activity, ..
        } = state;
        for a in analyses.iter_mut() {
            if !self.may_move(a) {
                continue;
            }
            let log = activity.entry(a.id).or_default();
            // Each step moves the status on; a run has far fewer than 64.
            for _ in 0..64 {
                if !self.advance(a, log, &mut events, now_ms) {
                    break;
                }
            }
        }
        events.sort_by_key(|e| match e {
            Event::StatusChanged { at_ms, .. } => *at_ms,
            Event::Notification(n) => n.at_ms,
        });
        events
    }

    /// When the engine will next change something (for the app's timer),
    /// or `None` if nothing is under way or scheduled.
    pub fn next_change_ms(&self, state: &StoreState) -> Option<i64> {
        state
            .analyses
            .iter()
            .filter_map(|a| {
                if a.status == S::Scheduled {
                    if let Start::At(t) = a.schedule.start {
                        return Some(t);
                    }
                }
                let run = a.active_run()?;
                let step = match run.next_step_ms {
                    Some(t) => Some(t),
                    None => self.config.delay(a.status).map(|d| run.since_ms + d),
                };
                let settle = a
                    .scans
                    .iter()
                    .any(|s| matches!(s.status, C::Pausing | C::Resuming))
                    .then_some(run.since_ms + self.config.stop_ms);
                let deadline = S::is_running(a.status).then_some(run.deadline_ms);
                [step, settle, deadline].into_iter().flatten().min()
            })
            .min()
    }

    fn may_move(&self, a: &Analysis) -> bool {
        a.active_run().is_some()
            || (a.status == S::Scheduled && matches!(a.schedule.start, Start::At(_)))
    }

    /// Makes the next change due by `now`; false if none is.
    fn advance(
        &self,
        a: &mut Analysis,
        log: &mut Vec<ActivityEntry>,
        events: &mut Vec<Event>,
        now: i64,
    ) -> bool {
        if a.active_run().is_none() {
            if let (S::Scheduled, Start::At(t)) = (a.status, a.schedule.start) {
                if t <= now {
                    self.ctx(a, log, events, t).submit();
                    return true;
                }
            }
            return false;
        }
        let status = a.status;
        let Some(run) = a.runs.last_mut() else {
            return false;
        };
        if run.next_step_ms.is_none() {
            run.next_step_ms = self
                .config
                .delay(status)
                .map(|d| run.since_ms.saturating_add(d));
        }
        let (since, deadline, next) = (run.since_ms, run.deadline_ms, run.next_step_ms);
        // The scan duration ends before the next step.
        if status.is_running() && deadline <= now && next.is_none_or(|t| t > deadline) {
            self.time_out(&mut self.ctx(a, log, events, deadline));
            return true;
        }
        // Scans finish pausing or resuming.
        let settle = since.saturating_add(self.config.stop_ms);
        if settle <= now && next.is_none_or(|t| t >= settle) {
            let to = match status {
                S::Paused => Some((C::Pausing, C::Paused)),
                S::InProgress => Some((C::Resuming, C::InProgress)),
                _ => None,
            };
            if let Some((from, to)) = to {
                if a.scans.iter().any(|s| s.status == from) {
                    let mut c = self.ctx(a, log, events, settle);
                    c.scans(|_, s| (s == from).then_some(to));
                    return true;
                }
            }
        }
        match next {
            Some(t) if t <= now => {
                self.step(&mut self.ctx(a, log, events, t));
                true
            }
            Some(_) => false,
            None if status == S::Paused => false,
            None => {
                // A settled status with a run still open (imported data):
                // close it.
                self.ctx(a, log, events, since).finish();
                false
            }
        }
    }

    fn ctx<'a>(
        &self,
        a: &'a mut Analysis,
        log: &'a mut Vec<ActivityEntry>,
        events: &'a mut Vec<Event>,
        at: i64,
    ) -> Ctx<'a> {
        Ctx {
            a,
            log,
            events,
            at,
            actor: Actor::System,
        }
    }

    /// The scan duration ended.
    fn time_out(&self, c: &mut Ctx<'_>) {
        match c.a.status {
            S::InProgress => {
                c.status(S::TimeExpiredVerifyingPartialResults);
                c.scans(|_, s| scan_active(s).then_some(C::TimeExpiredVerifyingPartialResults));
            }
            S::Paused => {
                c.status(S::StoppedScanDurationEndedWithPartialResults);
                c.scans(|_, s| scan_active(s).then_some(C::TimeExpiredVerifyingPartialResults));
            }
            _ => {
                c.status(S::StoppedScanDurationEnded);
                c.scans(|_, s| scan_active(s).then_some(C::TimeExpiredStopped));
                c.finish();
            }
        }
    }

    /// Marks one scan (the first) as failing verification.
    fn fail_one(c: &mut Ctx<'_>, h: u64) {
        let status = failure_status(c.a, 0, h);
        c.scans(|i, _| (i == 0).then_some(status));
        c.a.has_verification_failures = true;
    }

    fn fail_all(c: &mut Ctx<'_>, h: u64) {
        let statuses: Vec<C> = (0..c.a.scans.len())
            .map(|i| failure_status(c.a, i, h))
            .collect();
        c.scans(|i, s| scan_active(s).then(|| statuses[i]));
        c.a.has_verification_failures = true;
    }

    /// A real prescan failed: every scan still taking part fails
    /// verification, and the run ends (All Verifications Failed).
    fn fail_real(c: &mut Ctx<'_>) {
        c.actor = Actor::System;
        c.scans(|_, s| scan_active(s).then_some(C::VerificationFailed));
        c.a.has_verification_failures = true;
        c.status(S::AllVerificationsFailed);
        c.log.push(ActivityEntry::new(
            c.at,
            Actor::System,
            ActivityKind::StatusChanged,
            "The run stopped because the real prescan failed (see its notification and Prescan Details).",
        ));
        c.finish();
    }

    /// Records the simulated prescan's outcome on the run (never over a
    /// real one).
    fn simulated_prescan(c: &mut Ctx<'_>, succeeded: bool) {
        let at = c.at;
        if let Some(run) = c.a.runs.last_mut() {
            if run.real_prescan().is_none() {
                run.prescan_result = Some(PrescanResult {
                    succeeded,
                    origin: PrescanOrigin::Simulated,
                    at_ms: at,
                });
            }
        }
    }

    fn enter_queue(c: &mut Ctx<'_>, outcome: Outcome) {
        c.status(S::Queued);
        let q = if outcome == Outcome::TimesOut {
            C::QueuedWithWarning
        } else {
            C::Queued
        };
        c.scans(|_, s| scan_active(s).then_some(q));
    }

    /// The step due now for the current status.
    fn step(&self, c: &mut Ctx<'_>) {
        let Some(run) = c.a.runs.last().cloned() else {
            return;
        };
        let (outcome, prescan, number) = (run.outcome, run.prescan, run.number);
        let h = seed(&c.a.name, number);
        let total = c.a.scans.len();
        match c.a.status {
            S::Submitted => {
                if outcome == Outcome::NotSubmitted {
                    c.status(S::NotSubmitted);
                    c.scans(|_, s| scan_active(s).then_some(C::SubmitFailed));
                    c.notify(
                        NotificationKind::AnalysisFailed,
                        "The simulated engine failed this submission on purpose (about one run in twenty), to show the Not Submitted status; nothing was sent and your configuration is fine. Use Run again.".into(),
                    );
                    c.finish();
                } else if prescan {
                    c.status(S::Prescanning);
                } else {
                    Self::enter_queue(c, outcome);
                }
            }
            S::Prescanning if run.real_prescan().is_some() => {
                // A real prescan decided: the engine follows it and
                // announces nothing (its notification was sent).
                if run.real_prescan() == Some(false) {
                    Self::fail_real(c);
                } else {
                    Self::enter_queue(c, Outcome::Succeeds);
                }
            }
            S::Prescanning => match outcome {
                Outcome::AllVerificationsFail => {
                    Self::simulated_prescan(c, false);
                    Self::fail_all(c, h);
                    c.status(S::AllVerificationsFailed);
                    c.notify(NotificationKind::PrescanFailed, all_failed(total));
                    c.finish();
                }
                Outcome::SomeScansFailVerification => {
                    Self::simulated_prescan(c, false);
                    Self::fail_one(c, h);
                    c.notify(
                        NotificationKind::PrescanFailed,
                        format!("1 of {total} scans failed verification; the others will run."),
                    );
                    Self::enter_queue(c, outcome);
                }
                _ => {
                    Self::simulated_prescan(c, true);
                    c.notify(NotificationKind::PrescanSucceeded, String::new());
                    Self::enter_queue(c, outcome);
                }
            },
            // A real prescan failed after the engine's step: it decides.
            S::Queued if run.real_prescan() == Some(false) => Self::fail_real(c),
            S::Queued => match outcome {
                Outcome::AllVerificationsFail if run.real_prescan().is_none() => {
                    Self::fail_all(c, h);
                    c.status(S::AllVerificationsFailed);
                    c.notify(NotificationKind::AnalysisFailed, all_failed(total));
                    c.finish();
                }
                _ => {
                    if outcome == Outcome::SomeScansFailVerification
                        && run.real_prescan().is_none()
                        && !c.a.has_verification_failures
                    {
                        Self::fail_one(c, h);
                    }
                    if let Some(run) = c.a.runs.last_mut() {
                        run.started_ms = Some(c.at);
                    }
                    c.status(S::InProgress);
                    c.scans(|_, s| scan_active(s).then_some(C::InProgress));
                }
            },
            S::InProgress => match outcome {
                Outcome::TimesOut => self.time_out(c),
                Outcome::TechnicalIssue => {
                    c.status(S::StoppedTechnicalIssue);
                    c.scans(|i, s| {
                        scan_active(s).then_some(if i == 0 && total > 1 {
                            C::SiteUnreachableStopped
                        } else {
                            C::TechnicalIssueStopped
                        })
                    });
                    c.notify(
                        NotificationKind::AnalysisFailed,
                        "The simulated engine stopped this run with a technical issue on purpose (about one run in twenty), to show the status; nothing was scanned. Use Run again.".into(),
                    );
                    c.finish();
                }
                Outcome::SomeScansFailVerification => {
                    c.status(S::CompletedVerifyingPartialResults);
                    c.scans(|_, s| scan_active(s).then_some(C::CompletedVerifyingResults));
                }
                Outcome::ScanInterrupted => {
                    let broken = [
                        C::ScanErrorVerifyingPartialResults,
                        C::LockoutVerifyingPartialResults,
                        C::SiteUnreachableVerifyingResults,
                    ][(h % 3) as usize];
                    let last = total.saturating_sub(1);
                    c.status(S::CompletedVerifyingPartialResults);
                    c.scans(|i, s| {
                        scan_active(s).then_some(if i == last {
                            broken
                        } else {
                            C::CompletedVerifyingResults
                        })
                    });
                }
                _ => {
                    c.status(S::CompletedVerifyingResults);
                    c.scans(|_, s| scan_active(s).then_some(C::CompletedVerifyingResults));
                }
            },
            S::CompletedVerifyingResults => {
                c.status(S::CompletedResultsAvailable);
                c.scans(|_, s| verified(s));
            }
            S::CompletedVerifyingPartialResults
            | S::TimeExpiredVerifyingPartialResults
            | S::StoppedScanDurationEndedWithPartialResults => {
                c.status(S::CompletedPartialResultsAvailable);
                c.scans(|_, s| verified(s));
            }
            S::CompletedResultsAvailable
            | S::CompletedPartialResultsAvailable
            | S::StoppedVerifyingResults => {
                c.status(S::PublishedResultsAvailable);
                c.scans(|_, s| verified(s));
                c.notify(NotificationKind::ResultsPublished, String::new());
                c.finish();
            }
            S::StoppedSavingResults => {
                c.status(S::StoppedVerifyingPartialResults);
                c.scans(|_, s| {
                    (s == C::StoppingSavingResults).then_some(C::StoppedVerifyingPartialResults)
                });
            }
            S::StoppedVerifyingPartialResults => {
                c.status(S::StoppedPartialResultsAvailable);
                c.scans(|_, s| verified(s));
                c.notify(
                    NotificationKind::ResultsPublished,
                    "The analysis was stopped; partial results are available.".into(),
                );
                c.finish();
            }
            S::StoppedDeletingResults => {
                c.scans(|_, s| (s == C::StoppingDeletingResults).then_some(C::Stopped));
                c.finish();
            }
            _ => c.finish(),
        }
    }
}

/// The notice that every scan of an analysis failed verification.
fn all_failed(total: usize) -> String {
    match total {
        1 => "The scan failed verification.".to_owned(),
        n => format!("{n} of {n} scans failed verification."),
    }
}
