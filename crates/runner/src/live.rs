//! A prescan under way ([`Live`]) and the loop that runs it ([`drive`]):
//! the core's [`PrescanRun`] poll loop with real requests, the same loop
//! the browser runs in `src/pages/prescan/driver.rs`.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use prescan_core::oauth::OAuth;
use prescan_core::prescan::{Outcome, PrescanPlan, PrescanReport, PrescanRun, Progress, Step};
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::guard::Refusal;
use crate::outbound::Outbound;

/// How many distinct refusals [`Live::refusal_note`] quotes.
const QUOTED_REFUSALS: usize = 3;

/// A prescan under way: the core's run (plan, pacing, results so far),
/// what the guard refused, and the switch that cancels it.
pub struct Live {
    run: Mutex<PrescanRun>,
    refusals: Mutex<Refusals>,
    cancel: watch::Sender<bool>,
}

/// The requests the guard refused: how many, and the first few distinct
/// sentences.
#[derive(Default)]
struct Refusals {
    count: usize,
    quoted: Vec<String>,
}

impl Live {
    /// A prescan of `plan`, not started: drive it with [`drive`] and the
    /// receiver, which [`Live::cancel`] signals.
    pub fn new(plan: PrescanPlan) -> (Arc<Live>, watch::Receiver<bool>) {
        Live::with_oauth(plan, None)
    }

    /// A prescan of `plan` that gets an OAuth 2.0 token first when `oauth`
    /// is given (the core's [`PrescanRun::with_oauth`]): the token and
    /// discovery requests go through the same [`Outbound`] (guard, limits,
    /// proxy) as the prescan's requests; the token endpoint may have
    /// another origin than the API (it is the configured token URL).
    pub fn with_oauth(
        plan: PrescanPlan,
        oauth: Option<OAuth>,
    ) -> (Arc<Live>, watch::Receiver<bool>) {
        let (tx, rx) = watch::channel(false);
        let run = match oauth {
            Some(o) => PrescanRun::with_oauth(plan, o),
            None => PrescanRun::new(plan),
        };
        let live = Live {
            run: Mutex::new(run),
            refusals: Mutex::new(Refusals::default()),
            cancel: tx,
        };
        (Arc::new(live), rx)
    }

    /// The run, locked (a panic elsewhere never leaves it half-changed: the
    /// core's methods take `&mut self` whole).
    pub fn run(&self) -> MutexGuard<'_, PrescanRun> {
        self.run.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The report so far (`total_endpoints`: the specification's endpoint
    /// count) and the progress.
    pub fn snapshot(&self, total_endpoints: usize) -> (PrescanReport, Progress) {
        let run = self.run();
        (run.report(total_endpoints), run.progress())
    }

    /// The progress.
    pub fn progress(&self) -> Progress {
        self.run().progress()
    }

    /// Records a request the guard refused.
    pub fn refused(&self, r: &Refusal) {
        let mut g = self.refusals.lock().unwrap_or_else(|p| p.into_inner());
        g.count += 1;
        let text = r.to_string();
        if g.quoted.len() < QUOTED_REFUSALS && !g.quoted.contains(&text) {
            g.quoted.push(text);
        }
    }

    /// What the guard refused, as a sentence ("" if nothing).
    pub fn refusal_note(&self) -> String {
        let g = self.refusals.lock().unwrap_or_else(|p| p.into_inner());
        if g.count == 0 {
            return String::new();
        }
        format!(
            "{} requests were refused when connecting: {}",
            g.count,
            g.quoted.join(" ")
        )
    }

    /// Asks the loop to stop (it records every unfinished request as
    /// cancelled).
    pub fn cancel(&self) {
        let _ = self.cancel.send(true);
    }
}

/// Milliseconds since the Unix epoch: the time the core's run is given
/// (the core has no clock).
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// Runs the poll loop to the end (finished or cancelled): each request the
/// run says to send is fetched by `outbound` in a task of its own, and its
/// outcome recorded when it ends.
pub async fn drive(live: Arc<Live>, mut cancel: watch::Receiver<bool>, outbound: Arc<Outbound>) {
    let mut tasks: JoinSet<(usize, Outcome)> = JoinSet::new();
    let settings = live.run().plan().settings.normalized();
    loop {
        let step = {
            let mut run = live.run();
            if *cancel.borrow() && !run.is_cancelled() {
                run.cancel(now_ms());
                tasks.abort_all();
            }
            run.poll(now_ms())
        };
        match step {
            Step::Authenticate => {
                let Some(req) = live.run().auth_request() else {
                    continue;
                };
                let outbound = outbound.clone();
                let live = live.clone();
                let timeout = Duration::from_millis(settings.timeout_ms);
                tasks.spawn(async move {
                    let limit = prescan_core::oauth::MAX_RESPONSE_BYTES;
                    let (outcome, refusal) = outbound.fetch(&req, timeout, limit).await;
                    if let Some(r) = &refusal {
                        live.refused(r);
                    }
                    (AUTH, outcome)
                });
            }
            Step::Send(position) => {
                let Some(req) = live.run().outgoing(position) else {
                    continue;
                };
                let outbound = outbound.clone();
                let live = live.clone();
                let timeout = Duration::from_millis(settings.timeout_ms);
                let body_limit = settings.body_limit;
                let user_agent = settings.user_agent.clone();
                tasks.spawn(async move {
                    let f = outbound
                        .fetch_as(&req, timeout, body_limit, user_agent.as_deref())
                        .await;
                    if let Some(r) = &f.refusal {
                        live.refused(r);
                    }
                    if let Some(note) = f.tls_note {
                        live.run()
                            .add_credential_note(prescan_core::Diagnostic::new(
                                prescan_core::Severity::Error,
                                "",
                                note,
                            ));
                    }
                    (position, f.outcome)
                });
            }
            Step::WaitUntil(t) => {
                let wait = Duration::from_millis((t - now_ms()).clamp(0, 60_000) as u64);
                tokio::select! {
                    _ = tokio::time::sleep(wait) => {}
                    Some(done) = tasks.join_next(), if !tasks.is_empty() => complete(&live, done),
                    _ = cancel.changed() => {}
                }
            }
            Step::WaitForResponse => {
                tokio::select! {
                    done = tasks.join_next() => match done {
                        Some(done) => complete(&live, done),
                        // Nothing in flight (every task aborted): poll again.
                        None => tokio::time::sleep(Duration::from_millis(10)).await,
                    },
                    _ = cancel.changed() => {}
                }
            }
            Step::Finished => break,
        }
    }
    tasks.abort_all();
}

/// The position the task of a token-flow request reports.
const AUTH: usize = usize::MAX;

fn complete(live: &Live, done: Result<(usize, Outcome), tokio::task::JoinError>) {
    match done {
        Ok((AUTH, outcome)) => {
            live.run().complete_auth(outcome);
        }
        Ok((position, outcome)) => {
            live.run().complete(position, outcome);
        }
        Err(_) => {}
    }
}
