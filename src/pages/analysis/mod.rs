//! One Dynamic Analysis: Veracode's "Dynamic Analysis summary page". Its
//! name and status, the Analysis Actions (each disabled one says why), the
//! details of its schedule and runs, its scans with their own statuses and
//! downloads, the Configure form, and the activity log at the bottom. The
//! page follows the store: statuses and the log move on without a reload.
//!
//! The page's parts, one file each: `summary.rs` (the header, the Details
//! and the page put together), `actions.rs` (the Analysis Actions and their
//! confirmation), `configure.rs` (the Configure form), `scans.rs` (the scans
//! and their downloads) and `activity.rs` (the activity log).

use leptos::prelude::*;
use prescan_core::analysis::{AnalysisId, StoreError};

use crate::components::poll_banner::PollBanner;
use crate::store::live::{Live, Poll};
use crate::store::{use_store, Storage};

mod actions;
mod activity;
mod configure;
mod scans;
mod summary;

pub use actions::{action_testid, confirmation};
pub use scans::options_for;

use summary::Summary;

/// How often an analysis is refreshed from a server, in milliseconds.
const ANALYSIS_POLL_MS: u32 = 2000;

/// The summary page of analysis `id`.
#[component]
pub fn AnalysisPage(id: String) -> impl IntoView {
    let app = use_store();
    let parsed = id.trim().parse::<u64>().ok().map(AnalysisId);
    let live = Live::new(app, move || async move {
        match parsed {
            Some(id) => app.get_shown(id).await,
            None => Err(StoreError::AnalysisNotFound(AnalysisId(0))),
        }
    });
    let log = Live::new(app, move || async move {
        match parsed {
            Some(id) => app.activity(id).await,
            None => Ok(Vec::new()),
        }
    });
    let poll = Poll::start(
        app,
        ANALYSIS_POLL_MS,
        move || {
            live.refetch();
            log.refetch();
        },
        move || live.loading() || log.loading(),
        move || live.failed_untracked() || log.failed_untracked(),
    );
    let analysis = Memo::new(move |_| live.data.with(|d| d.as_ref().map(|(a, _)| a.clone())));
    // What the user's roles do not let them see of it (server mode).
    let withheld = Memo::new(move |_| {
        live.data
            .with(|d| d.as_ref().map(|(_, w)| w.clone()).unwrap_or_default())
    });
    let exists = Memo::new(move |_| analysis.with(Option::is_some));
    let loading = move || {
        (!app.is_api() && app.storage.with(|s| *s == Storage::Loading))
            || live.error.with(Option::is_none) && !live.settled()
    };
    let failed = move || {
        live.error.with(|e| {
            e.as_ref()
                .is_some_and(|e| !crate::store::live::is_absence(e))
        })
    };
    let shown_id = id.clone();
    let place = move || {
        if app.is_api() {
            format!(
                "on {}",
                app.backend.with(crate::store::settings::Backend::label)
            )
        } else {
            "in this browser".to_owned()
        }
    };
    move || {
        if exists.get() {
            view! {
                <PollBanner poll=poll error=Signal::derive(move || live.error.get().or_else(|| log.error.get())) />
                <Summary analysis=analysis withheld=withheld log=log.data />
            }
            .into_any()
        } else if failed() {
            view! {
                <p class="back"><a href="#/analyses">"All Dynamic Analyses"</a></p>
                <PollBanner poll=poll error=live.error />
            }
            .into_any()
        } else if loading() {
            view! { <p class="muted" role="status">"Reading your analyses…"</p> }.into_any()
        } else {
            view! {
                <p class="back"><a href="#/analyses">"All Dynamic Analyses"</a></p>
                <h1>"Analysis not found"</h1>
                <div class="alert alert--error" role="alert" data-testid="analysis-not-found">
                    <p>
                        {format!(
                            "No analysis has the id \"{shown_id}\" {}. It may have been deleted{}. ",
                            place(),
                            if app.is_api() { ", or not be shared with you" } else { "" }
                        )}
                        <a href="#/analyses">"Go back to All Dynamic Analyses"</a>
                        "."
                    </p>
                </div>
            }
            .into_any()
        }
    }
}
