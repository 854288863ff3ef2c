//! Follows a prescan that runs on the server: shows its progress and its
//! report, asking again every half second until it finishes.

use leptos::prelude::*;
use prescan_core::api::{self, PrescanState};
use prescan_core::prescan::Progress;

use super::driver::Ui;
use crate::store::http::HttpStore;
use crate::store::live::sleep;

/// How often a prescan running on a server is asked for its progress.
const SERVER_PRESCAN_POLL_MS: u32 = 500;

/// Shows a prescan from the server.
pub(super) fn show_server_prescan(ui: Ui, prescan: &api::Prescan) {
    ui.progress.try_set(Progress {
        done: prescan.progress.done,
        in_flight: 0,
        total: prescan.progress.total,
    });
    if let Some(report) = &prescan.report {
        ui.report.try_set(Some(report.clone()));
    }
    ui.running.try_set(prescan.state == PrescanState::Running);
}

/// Follows a prescan running on the server until it finishes (or the page
/// goes): its progress every half second; a failed poll says so and is
/// retried, waiting longer each time (up to 10 s).
pub(super) async fn follow_server_prescan(
    ui: Ui,
    http: std::rc::Rc<HttpStore>,
    poll_error: RwSignal<Option<String>>,
) {
    let mut failures = 0u32;
    loop {
        let wait = if failures == 0 {
            SERVER_PRESCAN_POLL_MS
        } else {
            crate::store::live::backoff_ms(failures)
        };
        sleep(wait).await;
        if ui.running.try_get_untracked() != Some(true) {
            return;
        }
        match http.prescan(ui.scan).await {
            Ok(Some(prescan)) => {
                failures = 0;
                poll_error.try_set(None);
                show_server_prescan(ui, &prescan);
                if prescan.state == PrescanState::Finished {
                    // The server records the result and its notification,
                    // which the app's notification poller shows
                    // (store::feed): none here, so it shows once.
                    ui.app.bump();
                    return;
                }
            }
            Ok(None) => {
                ui.running.try_set(false);
                return;
            }
            Err(e) => {
                failures += 1;
                let again = crate::store::live::backoff_ms(failures + 1) / 1000;
                if poll_error
                    .try_set(Some(format!(
                        "The prescan's progress could not be read: {e} Trying again in {again} s; the prescan goes on on the server."
                    )))
                    .is_some()
                {
                    return;
                }
            }
        }
    }
}
