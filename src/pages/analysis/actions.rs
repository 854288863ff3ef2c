//! The Analysis Actions: a button per action (a disabled one says why), the
//! confirmation a dangerous one asks first, and doing it.

use leptos::prelude::*;
use leptos::task::spawn_local;
use prescan_core::analysis::{Analysis, AnalysisAction, RunAction, StoreError};
use prescan_core::people::{Action, Principal};

use super::summary::Page;
use crate::route::{navigate, Query, Route};

/// The test id of an action's button.
pub fn action_testid(action: AnalysisAction) -> &'static str {
    match action {
        AnalysisAction::Configure => "action-configure",
        AnalysisAction::RunAgain => "action-run-again",
        AnalysisAction::StopSave => "action-stop-save",
        AnalysisAction::StopDelete => "action-stop-delete",
        AnalysisAction::Pause => "action-pause",
        AnalysisAction::Resume => "action-resume",
        AnalysisAction::Delete => "action-delete",
    }
}

/// What the confirmation step asks before a dangerous action; `None` for
/// an action done at once.
pub fn confirmation(action: AnalysisAction, name: &str) -> Option<String> {
    match action {
        AnalysisAction::StopDelete => Some(format!(
            "Stop {name} and delete the results found so far? The results cannot be recovered."
        )),
        AnalysisAction::Delete => Some(format!(
            "Delete {name} with its scans and activity log? This cannot be undone."
        )),
        _ => None,
    }
}

/// What a person must be allowed to do (by their roles) for an action.
pub fn needs(action: AnalysisAction) -> Action {
    match action {
        AnalysisAction::Configure => Action::Configure,
        AnalysisAction::RunAgain => Action::Submit,
        AnalysisAction::StopSave | AnalysisAction::StopDelete => Action::Stop,
        AnalysisAction::Pause | AnalysisAction::Resume => Action::PauseResume,
        AnalysisAction::Delete => Action::Delete,
    }
}

/// Why an action is not offered: the user's roles (said first: it does not
/// pass with the status), or the analysis's status now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unavailable {
    /// The roles do not allow it (the refusal's sentence).
    Roles(String),
    /// Not in this status (the lifecycle's reason).
    Now(String),
}

impl Unavailable {
    fn text(&self) -> &str {
        match self {
            Unavailable::Roles(t) | Unavailable::Now(t) => t,
        }
    }
}

/// Each action of `a` in menu order, with why it is not available to
/// `who` now, if it is not.
pub fn availability(a: &Analysis, who: &Principal) -> Vec<(AnalysisAction, Option<Unavailable>)> {
    a.actions()
        .into_iter()
        .map(|(action, allowed)| {
            let why = match who.may(needs(action)) {
                Err(refusal) => Some(Unavailable::Roles(refusal.to_string())),
                Ok(()) => allowed.err().map(|r| Unavailable::Now(r.reason)),
            };
            (action, why)
        })
        .collect()
}

/// The unavailable actions grouped by reason, in menu order.
fn current_reasons(
    list: &[(AnalysisAction, Option<Unavailable>)],
) -> Vec<(Unavailable, Vec<AnalysisAction>)> {
    let mut groups: Vec<(Unavailable, Vec<AnalysisAction>)> = Vec::new();
    for (action, why) in list {
        let Some(why) = why else {
            continue;
        };
        match groups.iter_mut().find(|(r, _)| r == why) {
            Some((_, actions)) => actions.push(*action),
            None => groups.push((why.clone(), vec![*action])),
        }
    }
    groups
}

/// The id of the reason line that gives `reason`.
fn reasons_of(groups: &[(Unavailable, Vec<AnalysisAction>)], reason: &Unavailable) -> String {
    groups
        .iter()
        .find(|(r, _)| r == reason)
        .and_then(|(_, actions)| actions.first())
        .map(|a| format!("{}-reason", action_testid(*a)))
        .unwrap_or_default()
}

/// The run action an action is, if it is one.
fn run_action(action: AnalysisAction) -> Option<RunAction> {
    match action {
        AnalysisAction::StopSave => Some(RunAction::StopSave),
        AnalysisAction::StopDelete => Some(RunAction::StopDelete),
        AnalysisAction::Pause => Some(RunAction::Pause),
        AnalysisAction::Resume => Some(RunAction::Resume),
        AnalysisAction::RunAgain => Some(RunAction::RunAgain),
        AnalysisAction::Configure | AnalysisAction::Delete => None,
    }
}

/// Does an action (Configure opens the form; Delete leaves the page).
pub(super) fn perform(page: Page) -> impl Fn(AnalysisAction) + Copy + 'static {
    let Page {
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
        ..
    } = page;
    move |action: AnalysisAction| {
        failure.set(None);
        failed_action.set(None);
        confirming.set(None);
        if action == AnalysisAction::Configure {
            configuring.set(true);
            return;
        }
        let fail = move |e: StoreError| {
            failure.try_set(Some(format!("{} could not be done: {e}", action.label())));
            failed_action.try_set(Some(action));
        };
        if action == AnalysisAction::Delete {
            let name = analysis.get_untracked().map(|a| a.name).unwrap_or_default();
            working.set(true);
            spawn_local(async move {
                let result = app.delete(id).await;
                working.try_set(false);
                match result {
                    Ok(()) => navigate(&Route::Analyses(Query(vec![("deleted".into(), name)]))),
                    Err(e) => fail(e),
                }
            });
            return;
        }
        if let Some(run) = run_action(action) {
            working.set(true);
            spawn_local(async move {
                let result = app.act(id, run).await;
                working.try_set(false);
                if let Ok(a) = &result {
                    let _ = message_status.try_update_value(|s| *s = a.status);
                }
                match result {
                    Ok(a) if action == AnalysisAction::RunAgain => {
                        message.try_set(format!(
                            "Run {} submitted with the same configuration.",
                            a.runs.len()
                        ));
                    }
                    Ok(_) => {
                        message.try_set(format!("{} requested.", action.label()));
                    }
                    Err(e) => fail(e),
                }
            });
        }
    }
}

/// The Analysis Actions section: the buttons and the confirmation step.
pub(super) fn panel(
    page: Page,
    perform: impl Fn(AnalysisAction) + Copy + Send + 'static,
) -> impl IntoView {
    let Page {
        analysis,
        working,
        confirming,
        configuring,
        principal,
        ..
    } = page;
    let current = move || analysis.get();
    let listed = move || current().map(|a| principal.with(|p| availability(&a, p)));

    let ask = move |action: AnalysisAction| {
        let name = analysis.get_untracked().map(|a| a.name).unwrap_or_default();
        if confirmation(action, &name).is_some() {
            confirming.set(Some(action));
        } else {
            perform(action);
        }
    };

    // Each action is a button; a disabled one looks disabled and points to
    // its reason, given once in a short list below the buttons (actions
    // refused for the same reason share one line).
    let actions = move || {
        listed().map(|list| {
            let groups = current_reasons(&list);
            list.into_iter()
                .map(|(action, why)| {
                    let testid = action_testid(action);
                    let disabled = why.is_some();
                    let reason_id = why.map(|r| reasons_of(&groups, &r));
                    let danger = confirmation(action, "").is_some();
                    let class = if disabled {
                        "button button--unavailable"
                    } else if danger {
                        "button button--danger"
                    } else if matches!(action, AnalysisAction::Configure | AnalysisAction::RunAgain)
                    {
                        "button"
                    } else {
                        "button button--secondary"
                    };
                    let pressed = (action == AnalysisAction::Configure)
                        .then_some(move || configuring.get().to_string());
                    view! {
                        <li class="actions__item">
                            <button
                                type="button"
                                class=class
                                data-testid=testid
                                prop:disabled=move || disabled || working.get()
                                aria-expanded=pressed
                                aria-describedby=reason_id
                                on:click=move |_| ask(action)
                            >
                                {action.label()}
                            </button>
                        </li>
                    }
                })
                .collect_view()
        })
    };
    // The reasons: those of the roles (which the status does not change)
    // first, then those of the status now.
    let reasons = move || {
        listed().map(|list| {
            let groups = current_reasons(&list);
            let section = |roles: bool| {
                let items: Vec<_> = groups
                    .iter()
                    .filter(|(r, _)| matches!(r, Unavailable::Roles(_)) == roles)
                    .map(|(reason, actions)| {
                        let ids: Vec<&str> = actions.iter().map(|x| action_testid(*x)).collect();
                        let labels: Vec<&str> = actions.iter().map(|x| x.label()).collect();
                        view! {
                            <li id=format!("{}-reason", ids[0]) data-testid="action-reason"
                                data-kind=if roles { "roles" } else { "status" } data-action=ids.join(" ")>
                                <strong>{labels.join(", ")}</strong>": " {reason.text().to_owned()}
                            </li>
                        }
                    })
                    .collect();
                (!items.is_empty()).then(|| {
                    let (testid, title) = if roles {
                        ("actions-refused", "Not with your roles:")
                    } else {
                        ("actions-unavailable", "Not available now:")
                    };
                    view! {
                        <div class="actions__unavailable" data-testid=testid>
                            <p class="actions__unavailable-title">{title}</p>
                            <ul>{items}</ul>
                        </div>
                    }
                })
            };
            (section(true), section(false))
        })
    };

    let confirm_step = move || {
        confirming.get().map(|action| {
            let name = analysis
                .get_untracked()
                .map(|a| a.name)
                .unwrap_or_default();
            let question = confirmation(action, &name).unwrap_or_default();
            // The question takes the focus as soon as it is drawn.
            let button = NodeRef::<leptos::html::Button>::new();
            Effect::new(move |_| {
                if let Some(b) = button.get() {
                    let _ = b.focus();
                }
            });
            view! {
                <div class="confirm" role="alertdialog" aria-labelledby="confirm-title" aria-describedby="confirm-question" data-testid="confirm">
                    <h2 class="confirm__title" id="confirm-title">{action.label()}</h2>
                    <p id="confirm-question">{question}</p>
                    <div class="form-actions">
                        <button type="button" class="button button--danger" id="confirm-action" data-testid="confirm-action" node_ref=button
                            on:click=move |_| perform(action)>
                            {format!("Yes, {}", action.label().to_lowercase())}
                        </button>
                        <button type="button" class="button button--secondary" data-testid="confirm-cancel"
                            on:click=move |_| confirming.set(None)>
                            "Cancel"
                        </button>
                    </div>
                </div>
            }
        })
    };

    view! {
        <section class="panel" aria-labelledby="actions-heading">
            <h2 id="actions-heading">"Analysis Actions"</h2>
            <ul class="actions" data-testid="analysis-actions">{actions}</ul>
            {reasons}
            {confirm_step}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_dangerous_actions_ask_first() {
        assert!(confirmation(AnalysisAction::Delete, "x").is_some());
        assert!(confirmation(AnalysisAction::StopDelete, "x").is_some());
        for a in [
            AnalysisAction::Configure,
            AnalysisAction::StopSave,
            AnalysisAction::Pause,
            AnalysisAction::Resume,
        ] {
            assert!(confirmation(a, "x").is_none());
        }
        let ids: std::collections::HashSet<_> =
            AnalysisAction::ALL.into_iter().map(action_testid).collect();
        assert_eq!(ids.len(), 7);
    }
}
