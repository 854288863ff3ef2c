//! "Who can see it" (issue 16, server mode only): security leads only, or
//! security leads and some teams, chosen among those the user may share
//! with (`/me`'s `shareable_teams`, and the teams it is already shared
//! with). A user with no team to choose from reads why instead of an empty
//! list. With the in-browser store there is one user: the forms do not
//! show it.

use leptos::prelude::*;
use prescan_core::api::TeamRef;
use prescan_core::people::Visibility;

use crate::store::frame_store;
use crate::store::people::team_label;

/// What the control holds: whether it is shared with teams, and which.
#[derive(Clone, Copy)]
pub struct VisibilityInput {
    /// "Security leads and these teams" is chosen.
    pub shared: RwSignal<bool>,
    /// The teams ticked (kept when "Security leads only" is chosen, so that
    /// switching back and forth loses nothing).
    pub teams: RwSignal<Vec<String>>,
    /// The teams it was shared with when the form opened (a user may leave
    /// them in even if they are not theirs).
    initial: StoredValue<Vec<String>>,
}

impl VisibilityInput {
    /// Starts from `visibility`.
    pub fn new(visibility: &Visibility) -> Self {
        let teams = visibility.team_identifiers().to_vec();
        VisibilityInput {
            shared: RwSignal::new(!teams.is_empty()),
            teams: RwSignal::new(teams.clone()),
            initial: StoredValue::new(teams),
        }
    }

    /// The visibility chosen (untracked), or what to correct.
    pub fn value(&self) -> Result<Visibility, String> {
        if !self.shared.get_untracked() {
            return Ok(Visibility::SecLeadsOnly);
        }
        let teams = self.teams.get_untracked();
        if teams.is_empty() {
            return Err(
                "Tick at least one team, or choose \u{201c}Security leads only\u{201d}.".to_owned(),
            );
        }
        Ok(Visibility::teams(teams))
    }

    /// The teams chosen now (tracked; none when security leads only).
    pub fn chosen(&self) -> Vec<String> {
        if self.shared.get() {
            self.teams.get()
        } else {
            Vec::new()
        }
    }
}

/// The teams offered: those the user may share with, then those it is
/// already shared with that are not among them.
fn offered(shareable: &[TeamRef], initial: &[String]) -> Vec<TeamRef> {
    let mut teams = shareable.to_vec();
    for id in initial {
        if !teams.iter().any(|t| &t.team_identifier == id) {
            teams.push(TeamRef {
                team_identifier: id.clone(),
                team_name: id.clone(),
            });
        }
    }
    teams
}

/// The "Who can see it" fieldset; `prefix` makes its ids unique (`new`,
/// `cfg`); `error` is shown above the choices.
#[component]
pub fn VisibilityField(
    input: VisibilityInput,
    prefix: &'static str,
    #[prop(into)] error: Signal<Option<String>>,
) -> impl IntoView {
    let app = frame_store();
    let shareable = Memo::new(move |_| {
        app.whoami.with(|w| {
            w.me()
                .map(|me| me.shareable_teams.clone())
                .unwrap_or_default()
        })
    });
    let teams = Memo::new(move |_| input.initial.with_value(|i| offered(&shareable.get(), i)));
    let only_id = format!("{prefix}-visibility-leads");
    let hint_id = format!("{prefix}-visibility-hint");
    let error_id = format!("{prefix}-visibility-error");
    let described = {
        let (hint_id, error_id) = (hint_id.clone(), error_id.clone());
        move || {
            if error.with(Option::is_some) {
                format!("{hint_id} {error_id}")
            } else {
                hint_id.clone()
            }
        }
    };
    let choices = move || {
        let list = teams.get();
        if list.is_empty() {
            return view! {
                <p class="hint" data-testid=format!("{prefix}-visibility-no-teams")>
                    "You are in no team you could share it with, so it stays with security leads (and whoever created it). A security lead can add you to a team."
                </p>
            }
            .into_any();
        }
        let boxes = list
            .into_iter()
            .map(|team| {
                let id = team.team_identifier.clone();
                let box_id = format!("{prefix}-visibility-team-{id}");
                let label_for = box_id.clone();
                let checked = {
                    let id = id.clone();
                    move || input.teams.with(|t| t.contains(&id))
                };
                let toggle = move |ev: leptos::ev::Event| {
                    let on = event_target_checked(&ev);
                    input.teams.update(|t| {
                        t.retain(|x| *x != id);
                        if on {
                            t.push(id.clone());
                        }
                    });
                    if on {
                        input.shared.set(true);
                    }
                };
                view! {
                    <li>
                        <label class="choice" for=label_for>
                            <input type="checkbox" id=box_id data-testid=format!("{prefix}-visibility-team")
                                value=team.team_identifier.clone()
                                prop:checked=checked
                                on:change=toggle />
                            " " {team_label(&team)}
                        </label>
                    </li>
                }
            })
            .collect_view();
        view! {
            <label class="choice" for=format!("{prefix}-visibility-teams")>
                <input type="radio" name=format!("{prefix}-visibility") id=format!("{prefix}-visibility-teams")
                    data-testid=format!("{prefix}-visibility-teams")
                    prop:checked=move || input.shared.get()
                    on:change=move |_| input.shared.set(true) />
                " Security leads and these teams"
            </label>
            <ul class="visibility__teams" data-testid=format!("{prefix}-visibility-team-list")>{boxes}</ul>
        }
        .into_any()
    };
    view! {
        <fieldset class="form-group visibility" id=format!("{prefix}-visibility") tabindex="-1" aria-describedby=described>
            <legend>"Who can see it"</legend>
            <p class="hint" id=hint_id>
                "Security leads see every analysis, and its creator always sees it. What team members may do with it depends on their roles."
            </p>
            {move || error.get().map(|m| view! {
                <p class="field-error" id=error_id.clone() data-testid=format!("{prefix}-visibility-error")>
                    <span class="visually-hidden">"Error: "</span>{m}
                </p>
            })}
            <label class="choice" for=only_id.clone()>
                <input type="radio" name=format!("{prefix}-visibility") id=only_id.clone()
                    data-testid=format!("{prefix}-visibility-leads")
                    prop:checked=move || !input.shared.get()
                    on:change=move |_| input.shared.set(false) />
                " Security leads only"
            </label>
            {choices}
        </fieldset>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn teams_already_shared_with_stay_offered() {
        let t = |id: &str| TeamRef {
            team_identifier: id.into(),
            team_name: id.to_uppercase(),
        };
        let list = offered(&[t("payments")], &["web".into(), "payments".into()]);
        let ids: Vec<&str> = list.iter().map(|t| t.team_identifier.as_str()).collect();
        assert_eq!(ids, ["payments", "web"]);
    }
}
