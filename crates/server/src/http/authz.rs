//! Who may see and do what, applied to requests (issue 16). The rules are
//! the core's ([`prescan_core::people`]); this file applies them the same
//! way on every route:
//!
//! 1. a resource the caller may not see is **not found**, with exactly the
//!    problem of an id that does not exist (no leak by id);
//! 2. then an action their roles do not allow is a 403 `forbidden`
//!    problem naming the roles that may;
//! 3. lists and counts are computed over what they may see only, and an
//!    analysis is returned without what their roles may not view
//!    ([`wire::Analysis::for_principal`]).

use prescan_core::analysis::{Analysis, SpecRecord};
use prescan_core::people::{Action, Role, Visibility};

use super::gate::Caller;
use super::prelude::*;
use super::problem::*;

/// Whether the caller's roles allow `action` (a 403 naming the roles that
/// do, otherwise).
pub(super) fn allow(caller: &Caller, action: Action) -> Result<(), ApiError> {
    caller
        .principal
        .may(action)
        .map_err(|r| ApiError::from(Problem::forbidden(r)))
}

/// Whether the caller may see an analysis.
pub(super) fn sees_analysis(caller: &Caller, a: &Analysis) -> bool {
    caller.principal.may_see(&a.created_by, &a.visibility)
}

/// Whether the caller may see a specification.
pub(super) fn sees_spec(caller: &Caller, r: &SpecRecord) -> bool {
    caller.principal.may_see(&r.uploaded_by, &r.visibility)
}

/// The analysis `id`, if the caller may see it; otherwise the same 404 as
/// an id that does not exist.
pub(super) fn visible_analysis<'a>(
    state: &'a StoreState,
    caller: &Caller,
    id: AnalysisId,
) -> Result<&'a Analysis, ApiError> {
    state
        .analysis(id)
        .filter(|a| sees_analysis(caller, a))
        .ok_or_else(|| StoreError::AnalysisNotFound(id).into())
}

/// The specification `id`, if the caller may see it; otherwise the same
/// 404 as an id that does not exist.
pub(super) fn visible_spec(
    state: &StoreState,
    caller: &Caller,
    id: SpecId,
) -> Result<SpecRecord, ApiError> {
    state
        .specification(id)
        .ok()
        .map(|s| &s.record)
        .filter(|r| sees_spec(caller, r))
        .cloned()
        .ok_or_else(|| StoreError::SpecificationNotFound(id).into())
}

/// An analysis as the caller may see it.
pub(super) fn analysis_body(a: &Analysis, caller: &Caller) -> wire::Analysis {
    wire::Analysis::from(a).for_principal(&caller.principal)
}

/// The action a run action needs.
pub(super) fn run_action(action: prescan_core::analysis::RunAction) -> Action {
    use prescan_core::analysis::RunAction;
    match action {
        RunAction::RunAgain => Action::Submit,
        RunAction::StopSave | RunAction::StopDelete => Action::Stop,
        RunAction::Pause | RunAction::Resume => Action::PauseResume,
    }
}

/// The most teams a visibility may name.
pub(super) const MAX_VISIBILITY_TEAMS: usize = 64;

/// Checks a visibility the caller gives: at most
/// [`MAX_VISIBILITY_TEAMS`] teams, each existing, and (unless they are a
/// security lead) each one of theirs or one it was already shared with
/// (`kept`: someone may leave a team in that they could not add). A 422
/// naming `field` otherwise.
pub(super) async fn check_visibility(
    s: &Arc<AppState>,
    caller: &Caller,
    field: &'static str,
    visibility: &Visibility,
    kept: &[String],
) -> Result<(), ApiError> {
    let teams = visibility.team_identifiers().to_vec();
    if teams.is_empty() {
        return Ok(());
    }
    let invalid = |m: String| ApiError::from(Problem::invalid(vec![ProblemField::new(field, m)]));
    if teams.len() > MAX_VISIBILITY_TEAMS {
        return Err(invalid(format!(
            "Share with at most {MAX_VISIBILITY_TEAMS} teams ({} given).",
            teams.len()
        )));
    }
    if !caller.principal.has(Role::SecurityLead) {
        let foreign: Vec<&String> = teams
            .iter()
            .filter(|t| !caller.principal.teams.contains(t) && !kept.contains(t))
            .collect();
        if !foreign.is_empty() {
            let own = if caller.principal.teams.is_empty() {
                "you belong to no team, so you may share with none".to_owned()
            } else {
                format!("yours are {}", caller.principal.teams.join(", "))
            };
            return Err(invalid(format!(
                "You may only share with your own teams ({own}); {} {} not one of them.",
                foreign
                    .iter()
                    .map(|t| t.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                if foreign.len() == 1 { "is" } else { "are" }
            )));
        }
    }
    let db = s.db.clone();
    let unknown = tokio::task::spawn_blocking(move || db.people(|p| p.unknown_teams(&teams)))
        .await
        .map_err(|e| ApiError::from(Problem::internal(e.to_string())))?
        .map_err(|e| ApiError::from(Problem::internal(e.to_string())))?;
    if !unknown.is_empty() {
        return Err(invalid(format!(
            "No team has the identifier {}.",
            unknown.join(", ")
        )));
    }
    Ok(())
}
