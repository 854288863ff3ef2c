//! The result of something a person asked for (a connection check, a
//! save, an import): a status line while it runs and when it worked, an
//! alert when it did not. Always present (hidden when empty) so that screen
//! readers announce it when it changes.

use leptos::prelude::*;

use super::icon::{Icon, IconKind};

/// What became of a request.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Under way.
    Working(String),
    /// It worked.
    Done(String),
    /// It did not; the text says why and what to do.
    Failed(String),
}

/// Shows an outcome under `testid`, with `data-outcome` set to `working`,
/// `ok` or `failed` for tests.
pub fn outcome_view(outcome: Option<Outcome>, testid: &'static str) -> AnyView {
    match outcome {
        None => view! { <p data-testid=testid hidden></p> }.into_any(),
        Some(Outcome::Working(text)) => view! {
            <p class="muted outcome" role="status" data-testid=testid data-outcome="working">{text}</p>
        }
        .into_any(),
        Some(Outcome::Done(text)) => view! {
            <p class="notice outcome" role="status" data-testid=testid data-outcome="ok">
                <Icon kind=IconKind::Check />{text}
            </p>
        }
        .into_any(),
        Some(Outcome::Failed(text)) => view! {
            <div class="alert alert--error outcome" role="alert" data-testid=testid data-outcome="failed">
                <p><Icon kind=IconKind::Error />{text}</p>
            </div>
        }
        .into_any(),
    }
}
