//! The app's notifications (prescan succeeded or failed, analysis failed,
//! results published) in a live region, each dismissable, and the switch that
//! asks the browser to show them too.

use leptos::prelude::*;
use prescan_core::analysis::NotificationKind;

use crate::components::icon::{Icon, IconKind};
use crate::route::Route;
use crate::store::browser::{ask_for_browser_notifications, browser_notifications};
use crate::store::frame_store;

/// The icon and tone of a notification kind.
fn look(kind: NotificationKind) -> (IconKind, &'static str) {
    match kind {
        NotificationKind::PrescanSucceeded | NotificationKind::ResultsPublished => {
            (IconKind::Check, "success")
        }
        NotificationKind::PrescanFailed | NotificationKind::AnalysisFailed => {
            (IconKind::Error, "error")
        }
    }
}

/// The latest notifications, newest first, in a polite live region.
#[component]
pub fn Notifications() -> impl IntoView {
    let app = frame_store();
    let permission = RwSignal::new(browser_notifications());
    let items = move || {
        let mut all = app.notifications.get();
        all.reverse();
        all.truncate(5);
        all.into_iter()
            .map(|shown| {
                let (icon, tone) = look(shown.notification.kind);
                let id = shown.id;
                let link = Route::Analysis(shown.notification.analysis_id.to_string()).to_hash();
                view! {
                    <li class=format!("toast toast--{tone}") data-testid="notification">
                        <Icon kind=icon />
                        <div class="toast__body">
                            <strong>{shown.notification.kind.subject()}</strong>
                            " "
                            <a href=link>{shown.notification.analysis_name.clone()}</a>
                            {(!shown.notification.detail.is_empty()).then(|| view! { <span class="muted">" " {shown.notification.detail.clone()}</span> })}
                        </div>
                        <button type="button" class="button button--link" aria-label="Dismiss notification"
                            on:click=move |_| app.dismiss(id)>"Dismiss"</button>
                    </li>
                }
            })
            .collect_view()
    };
    let ask = move |_| ask_for_browser_notifications(move |answer| permission.set(answer));
    view! {
        <section class="notifications" aria-label="Notifications">
            <ul class="toasts" aria-live="polite" data-testid="notifications">{items}</ul>
            {move || (permission.get() == "default").then(|| view! {
                <button type="button" class="button button--link notifications__ask" data-testid="enable-browser-notifications" on:click=ask>
                    <Icon kind=IconKind::Bell />"Also show notifications from the browser"
                </button>
            })}
        </section>
    }
}
