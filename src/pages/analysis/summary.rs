//! The summary of an analysis that exists: the page's state, its header
//! (name, status, messages), its Details, and the page put together.

use leptos::prelude::*;
use prescan_core::analysis::{
    ActivityEntry, Analysis, AnalysisAction, AnalysisId, PrescanOrigin, Start,
};

use prescan_core::api::Withheld;
use prescan_core::people::{Action, Principal};

use super::configure::ConfigureForm;
use super::{actions, activity, scans};
use crate::components::status_badge::StatusBadge;
use crate::format::{thousands, DateTime};
use crate::store::people::{roles_that_may, use_principal, visibility_text};
use crate::store::{use_store, AppStore};

/// What the user's roles leave out of the analysis, as a sentence each.
pub fn withheld_text(withheld: &[Withheld]) -> Vec<String> {
    withheld
        .iter()
        .map(|w| match w {
            Withheld::Results => format!(
                "Your roles do not include viewing results: its runs are not shown ({} can).",
                roles_that_may(Action::ViewResults)
            ),
            Withheld::Configuration => format!(
                "Your roles do not include viewing its configuration: which credentials its scans have is not shown ({} can).",
                roles_that_may(Action::ViewConfiguration)
            ),
        })
        .collect()
}

fn when(ms: Option<i64>) -> AnyView {
    match ms {
        Some(ms) => view! { <DateTime ms=ms /> }.into_any(),
        None => "—".into_any(),
    }
}

/// How the last run's prescan ended, and who decided it.
fn prescan_result(a: &Analysis) -> String {
    let Some(run) = a.runs.last() else {
        return "—".to_owned();
    };
    match run.prescan_result {
        Some(r) => format!(
            "{} ({})",
            if r.succeeded { "Succeeded" } else { "Failed" },
            match r.origin {
                PrescanOrigin::Real => "real prescan",
                PrescanOrigin::Simulated => "simulated",
            }
        ),
        None if run.prescan && run.is_active() => "Not finished".to_owned(),
        None if run.prescan => "—".to_owned(),
        None => "Off for this run".to_owned(),
    }
}

/// The results summary of a simulated run with results: what it covered,
/// and that it found nothing because nothing was scanned.
fn results_summary(a: &Analysis) -> Option<impl IntoView> {
    if !a.status.has_results() || !a.status_is_simulated() {
        return None;
    }
    let run = a.runs.last()?;
    let endpoints: usize = a
        .scans
        .iter()
        .map(|s| match &s.target {
            prescan_core::analysis::ScanTarget::ApiSpecification(spec) => spec.endpoint_count,
            prescan_core::analysis::ScanTarget::Url(_) => 0,
        })
        .sum();
    let with_results = a
        .scans
        .iter()
        .filter(|s| s.status.label().contains("Results Available"))
        .count();
    let scanned = run
        .started_ms
        .zip(run.ended_ms)
        .map(|(s, e)| format!("{} min", ((e - s).max(0) + 59_999) / 60_000));
    Some(view! {
        <section class="panel results-summary" aria-labelledby="results-heading" data-testid="results-summary">
            <h2 id="results-heading">"Results " <span class="tag tag--simulated">"Simulated"</span></h2>
            <p>
                <strong>"Simulated results: no findings."</strong>
                " This run was simulated by the scan engine of this app; no request was sent to your API or URLs, so there is nothing to report. A real Dynamic Analysis would list its findings here."
            </p>
            <dl class="summary">
                <div><dt>"Run"</dt><dd>{thousands(run.number as usize)}</dd></div>
                <div><dt>"Scans with results"</dt><dd>{format!("{} of {}", with_results, a.scans.len())}</dd></div>
                {(endpoints > 0).then(|| view! { <div><dt>"Endpoints in its specifications"</dt><dd>{thousands(endpoints)}</dd></div> })}
                <div><dt>"Simulated scanning time"</dt><dd>{scanned.unwrap_or_else(|| "—".to_owned())}</dd></div>
                <div><dt>"Findings"</dt><dd data-testid="results-findings">"None (simulated)"</dd></div>
            </dl>
            <p class="hint">"To send real requests to your API, open View Prescan Details on an API specification scan."</p>
        </section>
    })
}

/// What the parts of the page share: the store, the analysis, and the
/// page's own signals.
#[derive(Clone, Copy)]
pub(super) struct Page {
    pub(super) app: AppStore,
    pub(super) id: AnalysisId,
    pub(super) analysis: Memo<Option<Analysis>>,
    pub(super) message: RwSignal<String>,
    /// The status the message was written for: it goes when the status
    /// moves on from it (no stale "The status is ...").
    pub(super) message_status: StoredValue<prescan_core::analysis::AnalysisStatus>,
    pub(super) failure: RwSignal<Option<String>>,
    /// The action that failed, to retry it.
    pub(super) failed_action: RwSignal<Option<AnalysisAction>>,
    pub(super) working: RwSignal<bool>,
    pub(super) confirming: RwSignal<Option<AnalysisAction>>,
    pub(super) configuring: RwSignal<bool>,
    /// The specification whose HAR is being made.
    pub(super) converting: RwSignal<Option<String>>,
    /// Who the app acts as: what their roles let them do.
    pub(super) principal: Signal<Principal>,
}

/// Everything shown for an analysis that exists.
#[component]
pub(super) fn Summary(
    analysis: Memo<Option<Analysis>>,
    /// What the user's roles do not let them see of it.
    withheld: Memo<Vec<Withheld>>,
    log: Memo<Option<Vec<ActivityEntry>>>,
) -> impl IntoView {
    let app = use_store();
    let Some(first) = analysis.get_untracked() else {
        return ().into_any();
    };
    let id = first.id;
    let current = move || analysis.get();
    let message = RwSignal::new(String::new());
    let message_status = StoredValue::new(first.status);
    let failure = RwSignal::new(Option::<String>::None);
    // The action that failed, to retry it.
    let failed_action = RwSignal::new(Option::<AnalysisAction>::None);
    let working = RwSignal::new(false);
    let confirming = RwSignal::new(Option::<AnalysisAction>::None);
    let configuring = RwSignal::new(false);
    let converting = RwSignal::new(Option::<String>::None);
    let principal = use_principal();
    let page = Page {
        app,
        id,
        analysis,
        message,
        message_status,
        failure,
        failed_action,
        working,
        confirming,
        configuring,
        converting,
        principal,
    };
    let perform = actions::perform(page);

    let details = move || {
        current().map(|a| {
            let start = match a.schedule.start {
                Start::Now => "Start now".to_owned(),
                Start::At(ms) => format!("Start at {}", crate::format::date_time(ms)),
                Start::Unscheduled => "Not scheduled (saved for later)".to_owned(),
            };
            view! {
                <dl class="summary" data-testid="analysis-details">
                    <div><dt>"Start"</dt><dd data-testid="detail-start">{start}</dd></div>
                    <div><dt>"Scan duration"</dt><dd data-testid="detail-duration">{a.schedule.duration.to_string()}</dd></div>
                    <div><dt>"Prescan"</dt><dd data-testid="detail-prescan">{if a.prescan { "On" } else { "Off" }}</dd></div>
                    <div><dt>"Last prescan"</dt><dd data-testid="detail-prescan-result">{prescan_result(&a)}</dd></div>
                    <div><dt>"Scans"</dt><dd data-testid="detail-scan-count">{thousands(a.scans.len())}</dd></div>
                    <div><dt>"Last run"</dt><dd data-testid="detail-last-run">{when(a.last_run_ms())}</dd></div>
                    <div><dt>"Next run"</dt><dd data-testid="detail-next-run">{when(a.next_run_ms())}</dd></div>
                    <div><dt>"Runs"</dt><dd>{thousands(a.runs.len())}</dd></div>
                    <div><dt>"Created"</dt><dd><DateTime ms=a.created_ms />{format!(" by {}", a.created_by)}</dd></div>
                    <div><dt>"Last modified"</dt><dd data-testid="detail-modified"><DateTime ms=a.modified_ms />{format!(" by {}", a.modified_by)}</dd></div>
                    {app.is_api().then(|| {
                        let known = app.whoami.with(|w| {
                            w.me()
                                .map(|m| [m.teams.clone(), m.shareable_teams.clone()].concat())
                                .unwrap_or_default()
                        });
                        let owner = a.schedule_owner().to_owned();
                        let you = principal.with(|p| p.name == owner);
                        view! {
                            <div><dt>"Who can see it"</dt><dd data-testid="detail-visibility">{visibility_text(&a.visibility, &known)}</dd></div>
                            <div><dt>"Notifications go to"</dt><dd data-testid="detail-schedule-owner">{if you { format!("{owner} (you)") } else { owner }}</dd></div>
                        }
                    })}
                </dl>
            }
        })
    };

    let done = move |saved: Option<(String, Option<prescan_core::analysis::AnalysisStatus>)>| {
        configuring.set(false);
        if let Some((m, status)) = saved {
            if let Some(status) = status {
                message_status.set_value(status);
            }
            message.set(m);
        }
    };
    let name = move || current().map(|a| a.name).unwrap_or_default();
    let badge = move || {
        current()
            .map(|a| view! { <StatusBadge badge=a.badge() simulated=a.status_is_simulated() /> })
    };
    let simulated_tag = move || {
        current().filter(Analysis::status_is_simulated).map(|_| {
            view! { <span class="tag tag--simulated" data-testid="status-simulated">"Simulated"</span> }
        })
    };
    let description = move || current().map(|a| a.badge().description);
    let note = move || current().and_then(|a| a.simulation_note());
    // A message about an action is about the status it left the analysis
    // in: it goes when the status moves on (no stale "The status is ...").
    Effect::new(move |_| {
        if let Some(status) = current().map(|a| a.status) {
            if message_status.get_value() != status {
                message_status.set_value(status);
                message.set(String::new());
            }
        }
    });

    view! {
        <p class="back"><a href="#/analyses">"All Dynamic Analyses"</a></p>
        <div class="analysis-header">
            <h1 data-testid="analysis-name" class="break">{name}</h1>
            <span data-testid="analysis-status" class="analysis-header__status">{badge}</span>
            {simulated_tag}
        </div>
        <p class="muted" data-testid="status-description">{description}</p>
        {move || note().map(|n| view! { <p class="simulation-note" data-testid="simulation-note">{n}</p> })}
        {move || {
            let lines = withheld_text(&withheld.get());
            (!lines.is_empty()).then(|| view! {
                <div class="withheld" data-testid="withheld-note">
                    {lines.into_iter().map(|l| view! { <p class="hint">{l}</p> }).collect_view()}
                </div>
            })
        }}
        <p role="status" class="status-line" data-testid="analysis-message">
            {move || message.get()}
            {move || converting.get().map(|n| format!(" Converting {n}…"))}
        </p>
        {move || failure.get().map(|f| view! {
            <div class="alert alert--error" role="alert" data-testid="action-error">
                <p>{f}</p>
                {move || failed_action.get().filter(|a| principal.with(|p| p.may(actions::needs(*a)).is_ok())).map(|action| view! {
                    <button type="button" class="button button--secondary" data-testid="action-retry"
                        on:click=move |_| perform(action)>"Retry"</button>
                })}
            </div>
        })}

        {actions::panel(page, perform)}

        {move || configuring.get().then(|| view! { <ConfigureForm analysis=analysis on_done=done /> })}

        {move || current().and_then(|a| results_summary(&a))}

        <section class="panel" aria-labelledby="details-heading">
            <h2 id="details-heading">"Details"</h2>
            {details}
        </section>

        {scans::panel(page)}

        {activity::panel(log)}
    }
    .into_any()
}
