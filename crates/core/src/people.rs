//! People as the product defines them (issue 16): roles, teams, who may see
//! an analysis or a specification, and who may do what to it. Pure rules,
//! shared by the reference server, the contract and the app, so that all
//! three decide alike; the README's matrix is [`matrix_markdown`].
//!
//! Where Veracode states a rule (its role-permissions page and the Dynamic
//! Analysis how-to pages, summed up in `../shared/reference/veracode.md`)
//! the table follows it; where it does not, the decision is written next to
//! the action ([`Action::decided`]).
//!
//! Depends on nothing else of the core.

use serde::{Deserialize, Serialize};

/// A role a user holds (any number of them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Role {
    /// Sees everything of the organisation, whatever its teams, and may do
    /// every action; receives "results published".
    SecurityLead,
    /// Creates, configures and runs analyses; sees their results.
    Creator,
    /// Creates, configures and runs analyses; sees their status, not their
    /// results.
    Submitter,
    /// Views status and results only (of what is shared with a team of theirs).
    Reviewer,
}

impl Role {
    /// Every role, most powerful first.
    pub const ALL: [Role; 4] = [
        Role::SecurityLead,
        Role::Creator,
        Role::Submitter,
        Role::Reviewer,
    ];

    /// The role's name for people (Veracode's).
    pub fn label(self) -> &'static str {
        match self {
            Role::SecurityLead => "Security Lead",
            Role::Creator => "Creator",
            Role::Submitter => "Submitter",
            Role::Reviewer => "Reviewer",
        }
    }

    /// The role a label names (case-insensitive; `security-lead`,
    /// `Security Lead` and `SECURITY_LEAD` all name the Security Lead).
    pub fn parse(text: &str) -> Option<Role> {
        let key: String = text
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        Role::ALL.into_iter().find(|r| {
            r.label()
                .chars()
                .filter(|c| c.is_ascii_alphanumeric())
                .collect::<String>()
                .to_ascii_lowercase()
                == key
        })
    }
}

/// Who may see an analysis or a specification besides the security leads
/// and the person who created it (Veracode's `visibility.setup_type` and
/// `team_identifiers`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(tag = "setup_type", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Visibility {
    /// Only security leads (and its creator).
    #[default]
    SecLeadsOnly,
    /// Security leads and the members of these teams (none: security leads
    /// only, as Veracode reads an empty list).
    SecLeadsAndTeam {
        /// The teams, by identifier.
        team_identifiers: Vec<String>,
    },
}

impl std::fmt::Display for Visibility {
    /// "security leads only", "security leads and the teams payments, web".
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Visibility::SecLeadsAndTeam { team_identifiers } if !team_identifiers.is_empty() => {
                write!(
                    f,
                    "security leads and the team{} {}",
                    if team_identifiers.len() == 1 { "" } else { "s" },
                    team_identifiers.join(", ")
                )
            }
            _ => f.write_str("security leads only"),
        }
    }
}

impl Visibility {
    /// Shared with these teams (none: security leads only).
    pub fn teams(teams: Vec<String>) -> Visibility {
        if teams.is_empty() {
            Visibility::SecLeadsOnly
        } else {
            Visibility::SecLeadsAndTeam {
                team_identifiers: teams,
            }
        }
    }

    /// The teams it is shared with.
    pub fn team_identifiers(&self) -> &[String] {
        match self {
            Visibility::SecLeadsOnly => &[],
            Visibility::SecLeadsAndTeam { team_identifiers } => team_identifiers,
        }
    }
}

/// A user as the rules see them: a name, roles and teams.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Principal {
    /// The user's name (unique in the organisation).
    pub name: String,
    /// Their roles.
    pub roles: Vec<Role>,
    /// The identifiers of their teams.
    pub teams: Vec<String>,
}

impl Principal {
    /// A user with every role and no team: the in-browser store's single
    /// user, and a server's named tokens from before users existed.
    pub fn everything(name: &str) -> Principal {
        Principal {
            name: name.to_owned(),
            roles: Role::ALL.to_vec(),
            teams: Vec::new(),
        }
    }

    /// Whether they hold `role`.
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// Whether they may see a thing created by `created_by` and shared as
    /// `visibility`: security leads see everything; others what they
    /// created and what is shared with one of their teams.
    pub fn may_see(&self, created_by: &str, visibility: &Visibility) -> bool {
        self.has(Role::SecurityLead)
            || created_by == self.name
            || match visibility {
                Visibility::SecLeadsOnly => false,
                Visibility::SecLeadsAndTeam { team_identifiers } => {
                    team_identifiers.iter().any(|t| self.teams.contains(t))
                }
            }
    }

    /// Whether they may do `action` (to something they may see): `Err`
    /// names the roles that may, for a 403 that says which is missing.
    pub fn may(&self, action: Action) -> Result<(), Refusal> {
        if action.roles().iter().any(|r| self.has(*r)) {
            Ok(())
        } else {
            Err(Refusal { action })
        }
    }
}

/// Why an action was refused: the roles that may do it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refusal {
    /// What was asked.
    pub action: Action,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let roles: Vec<&str> = self.action.roles().iter().map(|r| r.label()).collect();
        let list = match roles.as_slice() {
            [] => "no role".to_owned(),
            [one] => format!("the {one} role"),
            [init @ .., last] => format!("one of the {} or {last} roles", init.join(", ")),
        };
        write!(f, "To {}, you need {list}.", self.action.label())
    }
}

/// Something a user may do to an analysis or a specification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Action {
    /// Create an analysis (and assign its teams).
    Create,
    /// Change its name, schedule, scans, scan configuration or visibility.
    Configure,
    /// Submit it now, run it again, or schedule it.
    Submit,
    /// Pause or resume it.
    PauseResume,
    /// Stop it (saving or deleting the results).
    Stop,
    /// Delete it (only if it never ran).
    Delete,
    /// View its status and summary.
    ViewStatus,
    /// View its configuration (scans, schedule, scan settings).
    ViewConfiguration,
    /// View its results and run history.
    ViewResults,
    /// Upload, update or delete an API specification.
    ManageSpecifications,
    /// Run a prescan.
    RunPrescan,
    /// View prescan results.
    ViewPrescan,
}

impl Action {
    /// Every action, in the matrix's order.
    pub const ALL: [Action; 12] = [
        Action::Create,
        Action::Configure,
        Action::Submit,
        Action::PauseResume,
        Action::Stop,
        Action::Delete,
        Action::ViewStatus,
        Action::ViewConfiguration,
        Action::ViewResults,
        Action::ManageSpecifications,
        Action::RunPrescan,
        Action::ViewPrescan,
    ];

    /// What it is, for people (`To …, you need …`).
    pub fn label(self) -> &'static str {
        match self {
            Action::Create => "create an analysis",
            Action::Configure => "configure an analysis",
            Action::Submit => "submit or schedule an analysis",
            Action::PauseResume => "pause or resume an analysis",
            Action::Stop => "stop an analysis",
            Action::Delete => "delete an analysis",
            Action::ViewStatus => "view an analysis's status",
            Action::ViewConfiguration => "view an analysis's configuration",
            Action::ViewResults => "view an analysis's results",
            Action::ManageSpecifications => "upload, update or delete an API specification",
            Action::RunPrescan => "run a prescan",
            Action::ViewPrescan => "view a prescan's results",
        }
    }

    /// The roles that may do it.
    pub fn roles(self) -> &'static [Role] {
        use Role::*;
        match self {
            Action::Create
            | Action::Configure
            | Action::Submit
            | Action::PauseResume
            | Action::Stop
            | Action::ViewConfiguration
            | Action::ManageSpecifications
            | Action::RunPrescan => &[SecurityLead, Creator, Submitter],
            Action::Delete => &[SecurityLead, Creator],
            Action::ViewStatus => &[SecurityLead, Creator, Submitter, Reviewer],
            Action::ViewResults => &[SecurityLead, Creator, Reviewer],
            Action::ViewPrescan => &[SecurityLead, Creator, Submitter, Reviewer],
        }
    }

    /// Where Veracode states no rule (or two), what was decided and why.
    pub fn decided(self) -> Option<&'static str> {
        match self {
            Action::Stop => Some("Veracode does not say; those who may submit may stop what they submitted."),
            Action::Delete => Some("One Veracode table gives Submitters Delete, its delete page says Creator or Security Lead: the stricter rule."),
            Action::ViewPrescan => Some("Veracode lets the team's Reviewers view prescan results; running one sends requests, which a view-only role does not."),
            _ => None,
        }
    }
}

/// The role matrix as a Markdown table (the README's), with the decisions
/// where Veracode states no rule as footnotes.
pub fn matrix_markdown() -> String {
    let mut out = String::from("| action |");
    for role in Role::ALL {
        out.push_str(&format!(" {} |", role.label()));
    }
    out.push_str("\n|---|");
    out.push_str(&"---|".repeat(Role::ALL.len()));
    out.push('\n');
    let mut notes = Vec::new();
    for action in Action::ALL {
        let mut label = action.label().to_owned();
        if let Some(why) = action.decided() {
            notes.push(why);
            label.push_str(&format!(" ({})", notes.len()));
        }
        out.push_str(&format!("| {label} |"));
        for role in Role::ALL {
            out.push_str(if action.roles().contains(&role) {
                " yes |"
            } else {
                " no |"
            });
        }
        out.push('\n');
    }
    out.push('\n');
    for (i, why) in notes.iter().enumerate() {
        out.push_str(&format!("- ({}) {why}\n", i + 1));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(name: &str, roles: &[Role], teams: &[&str]) -> Principal {
        Principal {
            name: name.into(),
            roles: roles.to_vec(),
            teams: teams.iter().map(|t| (*t).to_owned()).collect(),
        }
    }

    fn shared(teams: &[&str]) -> Visibility {
        Visibility::SecLeadsAndTeam {
            team_identifiers: teams.iter().map(|t| (*t).to_owned()).collect(),
        }
    }

    #[test]
    fn security_leads_see_everything_others_their_own_and_their_teams() {
        let lead = user("lee", &[Role::SecurityLead], &[]);
        let ann = user("ann", &[Role::Creator], &["payments"]);
        let rex = user("rex", &[Role::Reviewer], &["mobile"]);
        assert!(lead.may_see("ann", &Visibility::SecLeadsOnly));
        assert!(ann.may_see("ann", &Visibility::SecLeadsOnly), "their own");
        assert!(!rex.may_see("ann", &Visibility::SecLeadsOnly));
        assert!(rex.may_see("ann", &shared(&["mobile", "web"])));
        assert!(!rex.may_see("ann", &shared(&["payments"])));
        // An empty team list is security leads only.
        assert!(!rex.may_see("ann", &shared(&[])));
        // No role at all: still only their own.
        let nobody = user("nat", &[], &["mobile"]);
        assert!(nobody.may_see("ann", &shared(&["mobile"])));
        assert!(nobody.may(Action::ViewStatus).is_err());
    }

    #[test]
    fn roles_follow_the_matrix_and_refusals_name_the_missing_roles() {
        let sub = user("sam", &[Role::Submitter], &[]);
        let rev = user("rex", &[Role::Reviewer], &[]);
        assert!(sub.may(Action::Submit).is_ok());
        assert!(sub.may(Action::ViewResults).is_err());
        assert!(rev.may(Action::ViewResults).is_ok());
        assert!(rev.may(Action::Configure).is_err());
        assert_eq!(
            sub.may(Action::Delete).unwrap_err().to_string(),
            "To delete an analysis, you need one of the Security Lead or Creator roles."
        );
        assert_eq!(
            rev.may(Action::Create).unwrap_err().to_string(),
            "To create an analysis, you need one of the Security Lead, Creator or Submitter roles."
        );
        // The security lead may do everything; every action has a role.
        for action in Action::ALL {
            assert!(Principal::everything("x").may(action).is_ok());
            assert!(
                user("l", &[Role::SecurityLead], &[]).may(action).is_ok(),
                "{action:?}"
            );
        }
    }

    #[test]
    fn roles_parse_from_their_labels() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.label()), Some(role));
        }
        assert_eq!(Role::parse("security-lead"), Some(Role::SecurityLead));
        assert_eq!(Role::parse("SECURITY_LEAD"), Some(Role::SecurityLead));
        assert_eq!(Role::parse("admin"), None);
        assert_eq!(Role::parse(""), None);
    }

    #[test]
    fn visibility_speaks_veracodes_json() {
        let v = shared(&["t1"]);
        let json = serde_json::to_value(&v).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"setup_type": "SEC_LEADS_AND_TEAM", "team_identifiers": ["t1"]})
        );
        assert_eq!(serde_json::from_value::<Visibility>(json).unwrap(), v);
        assert_eq!(
            serde_json::to_value(Visibility::SecLeadsOnly).unwrap(),
            serde_json::json!({"setup_type": "SEC_LEADS_ONLY"})
        );
    }

    #[test]
    fn the_readme_holds_the_matrix() {
        let readme =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md"))
                .unwrap();
        assert!(
            readme.contains(&matrix_markdown()),
            "README.md must hold the role matrix as prescan_core::people::matrix_markdown() writes it:\n{}",
            matrix_markdown()
        );
    }
}
