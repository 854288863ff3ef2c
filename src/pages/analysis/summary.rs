//! The summary of an analysis that exists: the page's state, its header
//! (name, status, messages), its Details, and the page put together.

use leptos::prelude::*;
use prescan_core::analysis::{ActivityEntry, Analysis, AnalysisAction, AnalysisId, Start};

use super::configure::ConfigureForm;
use super::{actions, activity, scans};
use crate::components::schedule_input::local_time_text;
use crate::components::status_badge::StatusBadge;
use crate::format::thousands;
use crate::store::{use_store, AppStore};

fn when(ms: Option<i64>) -> String {
    ms.map(local_time_text).unwrap_or_else(|| "—".to_owned())
}

/// What the parts of the page share: the store, the analysis, and the
/// page's own signals.
#[derive(Clone, Copy)]
pub(super) struct Page {
    pub(super) app: AppStore,
    pub(super) id: AnalysisId,
    pub(super) analysis: Memo<Option<Analysis>>,
    pub(super) message: RwSignal<String>,
    pub(super) failure: RwSignal<Option<String>>,
    /// The action that failed, to retry it.
    pub(super) failed_action: RwSignal<Option<AnalysisAction>>,
    pub(super) working: RwSignal<bool>,
    pub(super) confirming: RwSignal<Option<AnalysisAction>>,
    pub(super) configuring: RwSignal<bool>,
    /// The specification whose HAR is being made.
    pub(super) converting: RwSignal<Option<String>>,
}

/// Everything shown for an analysis that exists.
#[component]
pub(super) fn Summary(
    analysis: Memo<Option<Analysis>>,
    log: Memo<Option<Vec<ActivityEntry>>>,
) -> impl IntoView {
    let app = use_store();
    let Some(first) = analysis.get_untracked() else {
        return ().into_any();
    };
    let id = first.id;
    let current = move || analysis.get();
    let message = RwSignal::new(String::new());
    let failure = RwSignal::new(Option::<String>::None);
    // The action that failed, to retry it.
    let failed_action = RwSignal::new(Option::<AnalysisAction>::None);
    let working = RwSignal::new(false);
    let confirming = RwSignal::new(Option::<AnalysisAction>::None);
    let configuring = RwSignal::new(false);
    let converting = RwSignal::new(Option::<String>::None);
    let page = Page {
        app,
        id,
        analysis,
        message,
        failure,
        failed_action,
        working,
        confirming,
        configuring,
        converting,
    };
    let perform = actions::perform(page);

    let details = move || {
        current().map(|a| {
            let start = match a.schedule.start {
                Start::Now => "Start now".to_owned(),
                Start::At(ms) => format!("Start at {}", local_time_text(ms)),
                Start::Unscheduled => "Not scheduled (saved for later)".to_owned(),
            };
            view! {
                <dl class="summary" data-testid="analysis-details">
                    <div><dt>"Start"</dt><dd data-testid="detail-start">{start}</dd></div>
                    <div><dt>"Scan duration"</dt><dd data-testid="detail-duration">{a.schedule.duration.to_string()}</dd></div>
                    <div><dt>"Prescan"</dt><dd data-testid="detail-prescan">{if a.prescan { "On" } else { "Off" }}</dd></div>
                    <div><dt>"Scans"</dt><dd data-testid="detail-scan-count">{thousands(a.scans.len())}</dd></div>
                    <div><dt>"Last run"</dt><dd data-testid="detail-last-run">{when(a.last_run_ms())}</dd></div>
                    <div><dt>"Next run"</dt><dd data-testid="detail-next-run">{when(a.next_run_ms())}</dd></div>
                    <div><dt>"Runs"</dt><dd>{thousands(a.runs.len())}</dd></div>
                    <div><dt>"Created"</dt><dd>{format!("{} by {}", local_time_text(a.created_ms), a.created_by)}</dd></div>
                    <div><dt>"Last modified"</dt><dd data-testid="detail-modified">{format!("{} by {}", local_time_text(a.modified_ms), a.modified_by)}</dd></div>
                </dl>
            }
        })
    };

    let done = move |saved: Option<String>| {
        configuring.set(false);
        if let Some(m) = saved {
            message.set(m);
        }
    };
    let name = move || current().map(|a| a.name).unwrap_or_default();
    let badge = move || current().map(|a| view! { <StatusBadge badge=a.badge() /> });
    let description = move || current().map(|a| a.badge().description);

    view! {
        <p class="back"><a href="#/analyses">"All Dynamic Analyses"</a></p>
        <div class="analysis-header">
            <h1 data-testid="analysis-name" class="break">{name}</h1>
            <span data-testid="analysis-status" class="analysis-header__status">{badge}</span>
        </div>
        <p class="muted" data-testid="status-description">{description}</p>
        <p role="status" class="status-line" data-testid="analysis-message">
            {move || message.get()}
            {move || converting.get().map(|n| format!(" Converting {n}…"))}
        </p>
        {move || failure.get().map(|f| view! {
            <div class="alert alert--error" role="alert" data-testid="action-error">
                <p>{f}</p>
                {move || failed_action.get().map(|action| view! {
                    <button type="button" class="button button--secondary" data-testid="action-retry"
                        on:click=move |_| perform(action)>"Retry"</button>
                })}
            </div>
        })}

        {actions::panel(page, perform)}

        {move || configuring.get().then(|| view! { <ConfigureForm analysis=analysis on_done=done /> })}

        <section class="panel" aria-labelledby="details-heading">
            <h2 id="details-heading">"Details"</h2>
            {details}
        </section>

        {scans::panel(page)}

        {activity::panel(log)}
    }
    .into_any()
}
