//! Who the app acts as (issue 16). With the in-browser store, the one
//! person using this browser, with every role. With a JSON API server, the
//! user the server takes the token for (`GET /api/v1/me`), asked when the
//! app connects, when the server or the token changes, and again after the
//! server refused something with a 403 (roles can change meanwhile).
//!
//! The pages read the rules' view of that user, a
//! [`prescan_core::people::Principal`], with [`use_principal`] (from the
//! store's context, or an [`Acting`] context a test provides), and ask it
//! before offering an action (`principal.may(action)`); a refused action
//! is shown disabled with the [`prescan_core::people::Refusal`]'s sentence.

use leptos::prelude::*;
use prescan_core::api::{Me, TeamRef};
use prescan_core::people::{Action, Principal, Role, Visibility};

use super::http::{HttpError, HttpStore};

/// Who the app acts as.
#[derive(Debug, Clone)]
pub enum Whoami {
    /// The in-browser store: one person, with every role.
    Browser,
    /// Asking the server (`GET /me`).
    Asking,
    /// Who the server says the caller is.
    Known(Me),
    /// The server has no `/me` (a server from before users existed): it
    /// enforces no role, so the app acts with every role.
    NoProfile,
    /// The server could not say: why, and whether it refused the token.
    Failed {
        /// What went wrong, in words a person can act on.
        message: String,
        /// Whether the server answered 401 (no or a wrong token).
        unauthorized: bool,
    },
}

impl Whoami {
    /// The rules' view of the caller. While the server is asked, or when it
    /// could not say, the app offers every action and the server decides
    /// (a refusal it answers is shown as it says).
    pub fn principal(&self) -> Principal {
        match self {
            Whoami::Known(me) => me.principal(),
            _ => Principal::everything(super::browser::LOCAL_USER),
        }
    }

    /// The server's answer, if it gave one.
    pub fn me(&self) -> Option<&Me> {
        match self {
            Whoami::Known(me) => Some(me),
            _ => None,
        }
    }

    /// Asks `http` who the caller is.
    pub async fn ask(http: &HttpStore) -> Whoami {
        match http.me().await {
            Ok(me) => Whoami::Known(me),
            Err(HttpError::Problem(p)) if p.status == 404 => Whoami::NoProfile,
            Err(HttpError::Status { status: 404, .. }) => Whoami::NoProfile,
            Err(e) => Whoami::Failed {
                unauthorized: matches!(e, HttpError::Unauthorized { .. }),
                message: e.to_string(),
            },
        }
    }
}

/// Who the pages act for, when it is not the store's [`Whoami`] (a test
/// provides one as a context).
#[derive(Clone, Copy)]
pub struct Acting(pub Signal<Principal>);

/// The user the app acts as (tracked): the [`Acting`] context if one is
/// provided, else who the store says ([`super::AppStore::whoami`]). (Made
/// by the pages that ask, so that the first module stays small.)
pub fn use_principal() -> Signal<Principal> {
    if let Some(acting) = use_context::<Acting>() {
        return acting.0;
    }
    let app = super::frame_store();
    Signal::derive(move || app.whoami.with(Whoami::principal))
}

/// Why `principal` may not do `action` (the refusal's sentence), if they
/// may not.
pub fn refusal(principal: &Principal, action: Action) -> Option<String> {
    principal.may(action).err().map(|r| r.to_string())
}

/// Roles as people read them: "Creator, Reviewer" ("no role" for none).
pub fn role_list(roles: &[Role]) -> String {
    if roles.is_empty() {
        return "no role".to_owned();
    }
    roles
        .iter()
        .map(|r| r.label())
        .collect::<Vec<_>>()
        .join(", ")
}

/// "Security Lead, Creator or Reviewer": the roles that may do `action`.
pub fn roles_that_may(action: Action) -> String {
    let labels: Vec<&str> = action.roles().iter().map(|r| r.label()).collect();
    match labels.as_slice() {
        [] => "no role".to_owned(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// A team as people read it: its name, with its identifier when they
/// differ ("Payments (payments)").
pub fn team_label(team: &TeamRef) -> String {
    if team.team_name.is_empty() || team.team_name == team.team_identifier {
        team.team_identifier.clone()
    } else {
        format!("{} ({})", team.team_name, team.team_identifier)
    }
}

/// Who may see something, as a sentence's start: "Security leads only" or
/// "Security leads and the team Payments"; teams are named from `known`
/// when they are in it, by their identifier otherwise.
pub fn visibility_text(visibility: &Visibility, known: &[TeamRef]) -> String {
    let ids = visibility.team_identifiers();
    if ids.is_empty() {
        return "Security leads only".to_owned();
    }
    let names: Vec<String> = ids
        .iter()
        .map(|id| {
            known
                .iter()
                .find(|t| &t.team_identifier == id)
                .map(team_label)
                .unwrap_or_else(|| id.clone())
        })
        .collect();
    format!(
        "Security leads and the team{} {}",
        if names.len() == 1 { "" } else { "s" },
        names.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn team(id: &str, name: &str) -> TeamRef {
        TeamRef {
            team_identifier: id.into(),
            team_name: name.into(),
        }
    }

    #[test]
    fn visibility_reads_as_a_sentence_with_team_names() {
        let known = [team("payments", "Payments"), team("web", "web")];
        assert_eq!(
            visibility_text(&Visibility::SecLeadsOnly, &known),
            "Security leads only"
        );
        assert_eq!(
            visibility_text(&Visibility::teams(vec!["payments".into()]), &known),
            "Security leads and the team Payments (payments)"
        );
        assert_eq!(
            visibility_text(
                &Visibility::teams(vec!["web".into(), "mobile".into()]),
                &known
            ),
            "Security leads and the teams web, mobile"
        );
    }

    #[test]
    fn roles_read_as_lists() {
        assert_eq!(role_list(&[]), "no role");
        assert_eq!(
            role_list(&[Role::Creator, Role::Reviewer]),
            "Creator, Reviewer"
        );
        assert_eq!(
            roles_that_may(Action::ViewResults),
            "Security Lead, Creator or Reviewer"
        );
        assert_eq!(roles_that_may(Action::Delete), "Security Lead or Creator");
    }

    #[test]
    fn the_principal_follows_the_answer() {
        let me = Me {
            user_display_name: "rex".into(),
            roles: vec![Role::Reviewer],
            teams: vec![team("payments", "Payments")],
            shareable_teams: vec![team("payments", "Payments")],
            email: None,
        };
        let p = Whoami::Known(me).principal();
        assert_eq!(p.name, "rex");
        assert_eq!(p.teams, vec!["payments".to_owned()]);
        assert!(refusal(&p, Action::Delete).is_some());
        assert!(refusal(&p, Action::ViewResults).is_none());
        // Not known: every role (the server decides).
        for w in [
            Whoami::Browser,
            Whoami::Asking,
            Whoami::NoProfile,
            Whoami::Failed {
                message: String::new(),
                unauthorized: true,
            },
        ] {
            assert!(refusal(&w.principal(), Action::Delete).is_none());
        }
    }
}
