//! The app's notifications (prescan succeeded or failed, analysis failed,
//! results published): one overlay region in a corner of the window, over
//! the page rather than above its content, with a polite live region. At
//! most [`VISIBLE`] show, newest first; a later outcome of the same event
//! replaces the earlier and repeats are merged
//! ([`crate::store::browser::merge_notification`]); each is dismissable, and
//! all at once. A notification from the simulated scan engine says so.
//!
//! [`BrowserNotifications`] is the switch that asks the browser to show
//! them too (in the footer, on every page): it says what to do when the
//! browser refuses, instead of vanishing.

use leptos::prelude::*;
use prescan_core::analysis::NotificationKind;

use crate::components::icon::{Icon, IconKind};
use crate::route::Route;
use crate::store::browser::{ask_for_browser_notifications, browser_notifications};
use crate::store::frame_store;

/// How many notifications show at once.
pub const VISIBLE: usize = 3;

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

/// The latest notifications, newest first, in an overlay with a polite
/// live region.
#[component]
pub fn Notifications() -> impl IntoView {
    let app = frame_store();
    let total = move || app.notifications.with(Vec::len);
    let items = move || {
        let mut all = app.notifications.get();
        all.reverse();
        all.truncate(VISIBLE);
        all.into_iter()
            .map(|shown| {
                let n = shown.notification;
                let (icon, tone) = look(n.kind);
                let id = shown.id;
                let link = Route::Analysis(n.analysis_id.to_string()).to_hash();
                let count = (shown.count > 1).then(|| {
                    view! { <span class="toast__count" data-testid="notification-count">{format!("×{}", shown.count)}</span> }
                });
                view! {
                    <li class=format!("toast toast--{tone}") data-testid="notification"
                        data-kind=format!("{:?}", n.kind) data-simulated=n.simulated.to_string()>
                        <Icon kind=icon />
                        <div class="toast__body">
                            {n.simulated.then(|| view! { <span class="tag tag--simulated" data-testid="simulated-tag">"Simulated"</span> " " })}
                            <strong>{n.kind.subject()}</strong>
                            " "
                            <a href=link>{n.analysis_name.clone()}</a>
                            {count}
                            {(!n.detail.is_empty()).then(|| view! { <span class="toast__detail muted">" " {n.detail.clone()}</span> })}
                        </div>
                        <button type="button" class="button button--link toast__dismiss" aria-label="Dismiss notification"
                            data-testid="notification-dismiss" on:click=move |_| app.dismiss(id)>"Dismiss"</button>
                    </li>
                }
            })
            .collect_view()
    };
    let hidden = move || total().saturating_sub(VISIBLE);
    view! {
        <section class="notifications" aria-label="Notifications" data-testid="notifications-region"
            class:notifications--empty=move || total() == 0>
            <ul class="toasts" aria-live="polite" data-testid="notifications">{items}</ul>
            {move || (total() > 1).then(|| view! {
                <div class="notifications__footer">
                    {move || (hidden() > 0).then(|| view! {
                        <span class="muted" data-testid="notifications-more">
                            {format!("{} more", hidden())}
                        </span>
                    })}
                    <button type="button" class="button button--link" data-testid="notifications-dismiss-all"
                        on:click=move |_| app.dismiss_all()>
                        {move || format!("Dismiss all ({})", total())}
                    </button>
                </div>
            })}
        </section>
    }
}

/// The switch that asks the browser to show notifications too, or says
/// why it cannot.
#[component]
pub fn BrowserNotifications() -> impl IntoView {
    let permission = RwSignal::new(browser_notifications());
    let ask = move |_| ask_for_browser_notifications(move |answer| permission.set(answer));
    move || {
        match permission.get().as_str() {
        "default" => view! {
            <button type="button" class="button button--link notifications__ask" data-testid="enable-browser-notifications" on:click=ask>
                <Icon kind=IconKind::Bell />"Also show notifications from the browser"
            </button>
        }
        .into_any(),
        "granted" => view! {
            <span class="notifications__ask" data-testid="browser-notifications-state" data-state="granted">
                <Icon kind=IconKind::Bell />"The browser shows notifications too."
            </span>
        }
        .into_any(),
        "denied" => view! {
            <span class="notifications__ask" data-testid="browser-notifications-state" data-state="denied">
                <Icon kind=IconKind::Bell />
                "The browser blocks notifications from this page. To get them, allow notifications for this site in the browser's site settings (the icon left of the address), then reload."
            </span>
        }
        .into_any(),
        _ => view! {
            <span class="notifications__ask" data-testid="browser-notifications-state" data-state="unsupported">
                "This browser cannot show notifications; they appear in the app only."
            </span>
        }
        .into_any(),
    }
    }
}
