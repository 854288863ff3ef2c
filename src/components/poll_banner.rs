//! Says when a page could not refresh from the server: what is wrong, that
//! the last data stays on screen, when it tries again, and a "Retry now".

use leptos::prelude::*;
use prescan_core::analysis::StoreError;

use crate::components::icon::{Icon, IconKind};
use crate::store::live::{is_absence, Poll};

/// The countdown sentence: "Retrying in 4 s." (or "Retrying now…").
pub fn retry_text(seconds: Option<u32>) -> String {
    match seconds {
        Some(0) | None => "Retrying now\u{2026}".to_owned(),
        Some(s) => format!("Retrying in {s} s."),
    }
}

/// The banner; nothing while the last refresh worked (or the thing is
/// simply not there: the page says so itself).
#[component]
pub fn PollBanner(
    /// The page's refresh.
    poll: Poll,
    /// The error of the latest load.
    #[prop(into)]
    error: Signal<Option<StoreError>>,
) -> impl IntoView {
    move || {
        error
            .get()
            .filter(|e| !is_absence(e))
            .map(|e| {
                view! {
                    <div class="alert alert--warning poll-banner" role="alert" data-testid="poll-error">
                        <p data-testid="poll-error-message"><Icon kind=IconKind::Warning />{e.to_string()}</p>
                        <p class="poll-banner__retry">
                            "What was loaded before stays on screen. "
                            <span data-testid="poll-countdown">{move || retry_text(poll.retry_in.get())}</span>
                            " "
                            <button type="button" class="button button--secondary" data-testid="poll-retry"
                                on:click=move |_| poll.retry_now()>"Retry now"</button>
                        </p>
                    </div>
                }
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_countdown_counts_seconds() {
        assert_eq!(retry_text(Some(4)), "Retrying in 4 s.");
        assert_eq!(retry_text(Some(0)), "Retrying now\u{2026}");
        assert_eq!(retry_text(None), "Retrying now\u{2026}");
    }
}
