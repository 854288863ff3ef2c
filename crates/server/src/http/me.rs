//! `/me`: who the caller is (the name their calls are recorded under),
//! their roles and teams, and the teams they may share with.

use prescan_core::people::Role;

use super::gate::Caller;
use super::prelude::*;
use super::problem::*;
use super::work::*;

/// The routes of `/me`.
pub(super) fn routes() -> Router<Arc<AppState>> {
    Router::new().route("/", get(me))
}

pub(super) async fn me(
    State(s): State<Arc<AppState>>,
    Extension(user): Extension<Caller>,
) -> ApiResult {
    let db = s.db.clone();
    let teams = blocking(move || db.people(|p| p.teams()).map_err(ApiError::from)).await?;
    let refs = |keep: &dyn Fn(&db::Team) -> bool| -> Vec<wire::TeamRef> {
        teams
            .iter()
            .filter(|t| keep(t))
            .map(|t| wire::TeamRef {
                team_identifier: t.id.clone(),
                team_name: t.name.clone(),
            })
            .collect()
    };
    let p = &user.principal;
    let own = refs(&|t| p.teams.contains(&t.id));
    let shareable = if p.has(Role::SecurityLead) {
        refs(&|_| true)
    } else {
        own.clone()
    };
    Ok(json_response(
        StatusCode::OK,
        &wire::Me {
            user_display_name: p.name.clone(),
            roles: p.roles.clone(),
            teams: own,
            shareable_teams: shareable,
            email: user.email.clone(),
        },
    ))
}
