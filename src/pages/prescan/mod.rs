//! Prescan Details of one API specification scan: Veracode's "Review API
//! Scanning Prescan Results" page. The scan's stored specification is
//! converted in the worker (with the target server and the credentials typed
//! here), the core's [`PrescanRun`] decides what to send and when, and this
//! page only sends the requests with `fetch` and shows the core's
//! [`PrescanReport`]: the status, the Connection section, the Request and
//! Response table, the Prescan Notes, and the scan configuration with its
//! downloads.
//!
//! The page's parts, one file each: `details.rs` (the page's state, status
//! line and tabs), `form.rs` (the Run prescan form), `run.rs` (starting and
//! cancelling), `driver.rs` (sending from the browser), `server.rs`
//! (following a prescan on the server), `results.rs` (the Connection
//! section, the table and the notes) and `configuration.rs` (the Scan
//! configuration tab and its downloads).
//!
//! [`PrescanRun`]: prescan_core::prescan::PrescanRun
//! [`PrescanReport`]: prescan_core::prescan::PrescanReport

use leptos::prelude::*;
use prescan_core::analysis::{AnalysisId, ScanTarget, StoreError};

use crate::components::poll_banner::PollBanner;
use crate::route::Route;
use crate::store::live::{Live, Poll};
use crate::store::settings::Backend;
use crate::store::{use_store, Storage};

mod configuration;
mod details;
mod driver;
mod form;
mod results;
mod run;
mod server;
#[cfg(test)]
mod tests;

pub use configuration::prescan_file_name;
pub use form::{check_base_url, default_base_url, parse_headers, parse_rate};
pub use results::exchange;

use details::Details;

/// The Prescan Details page of scan `scan` of analysis `analysis`.
#[component]
pub fn PrescanPage(analysis: String, scan: String) -> impl IntoView {
    let app = use_store();
    let analysis_id = analysis.trim().parse::<u64>().ok().map(AnalysisId);
    let scan_id = scan.trim().parse::<u64>().ok();
    let live = Live::new(app, move || async move {
        match analysis_id {
            Some(id) => app.get(id).await,
            None => Err(StoreError::AnalysisNotFound(AnalysisId(0))),
        }
    });
    let poll = Poll::start(
        app,
        5000,
        move || live.refetch(),
        move || live.loading(),
        move || live.failed_untracked(),
    );
    let found = Memo::new(move |_| {
        let a = live.data.get()?;
        let scan = a.scans.iter().find(|s| Some(s.id.0) == scan_id)?.clone();
        let ScanTarget::ApiSpecification(spec) = scan.target.clone() else {
            return None;
        };
        Some((a.id, a.name.clone(), scan, spec))
    });
    // The page is drawn once per scan found; later loads of the analysis
    // (with a server, every few seconds) do not redraw it.
    let exists =
        Memo::new(move |_| found.with(|f| f.as_ref().map(|(id, _, scan, _)| (*id, scan.id))));
    let loading = move || {
        (!app.is_api() && app.storage.with(|s| *s == Storage::Loading))
            || (live.error.with(Option::is_none) && !live.settled())
    };
    let failed = move || {
        live.error.with(|e| {
            e.as_ref()
                .is_some_and(|e| !crate::store::live::is_absence(e))
        })
    };
    let back = Route::Analysis(analysis.clone()).to_hash();
    move || {
        if exists.get().is_some() {
            let Some((id, name, scan, spec)) = found.get_untracked() else {
                return ().into_any();
            };
            view! {
                <PollBanner poll=poll error=live.error />
                <Details id=id name=name scan=scan spec=spec />
            }
            .into_any()
        } else if failed() {
            view! {
                <p class="back"><a href=back.clone()>"Back to the analysis"</a></p>
                <h1>"Prescan Details"</h1>
                <PollBanner poll=poll error=live.error />
            }
            .into_any()
        } else if loading() {
            view! { <p class="muted" role="status">"Reading your analyses…"</p> }.into_any()
        } else {
            view! {
                <p class="back"><a href="#/analyses">"All Dynamic Analyses"</a></p>
                <h1>"Prescan Details"</h1>
                <div class="alert alert--error" role="alert" data-testid="prescan-not-found">
                    <p>
                        {if app.is_api_untracked() {
                            format!("No API specification scan with this id is in this analysis on {}. It may have been removed. ", app.backend.with_untracked(Backend::label))
                        } else {
                            "No API specification scan with this id is in this analysis in this browser. It may have been removed. ".to_owned()
                        }}
                        <a href=back.clone()>"Go back to the analysis"</a>
                        "."
                    </p>
                </div>
            }
            .into_any()
        }
    }
}
