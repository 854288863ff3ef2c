//! The administration commands (issue 16): `prescan-server users …` and
//! `prescan-server teams …`, run by an operator on the server's machine.
//! They write to the database directly, while the server runs or not: the
//! server reads users and teams from the database on every request, so a
//! user added, disabled or given a new token counts at once.
//!
//! Each command returns what to print: [`Output::stdout`] holds only what
//! a script wants (a new token, alone on its line; a list), and
//! [`Output::stderr`] the sentence for the person.

use prescan_core::people::Role;

use crate::db::{Db, PeopleError, Team, User};
use crate::people::{
    check_email, check_team_id, check_team_name, check_token, check_user_name, hash_token,
    new_token,
};

/// What a command prints.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Output {
    /// For scripts: a token, or a list.
    pub stdout: String,
    /// For the person.
    pub stderr: String,
}

/// Why a command failed: what was given (exit code 2), or the store (1).
#[derive(Debug)]
pub enum AdminError {
    /// A value given is not acceptable, or names nothing.
    Usage(String),
    /// The database failed.
    Store(String),
}

impl AdminError {
    /// The process's exit code.
    pub fn code(&self) -> u8 {
        match self {
            AdminError::Usage(_) => 2,
            AdminError::Store(_) => 1,
        }
    }
}

impl std::fmt::Display for AdminError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AdminError::Usage(m) | AdminError::Store(m) => f.write_str(m),
        }
    }
}

impl From<PeopleError> for AdminError {
    fn from(e: PeopleError) -> Self {
        match e {
            PeopleError::Invalid(m) | PeopleError::NotFound(m) => AdminError::Usage(m),
            PeopleError::Db(e) => AdminError::Store(e.to_string()),
        }
    }
}

fn usage(m: String) -> AdminError {
    AdminError::Usage(m)
}

/// Roles from their labels (`security-lead`, `Creator`, …), at least one.
pub fn parse_roles(labels: &[String]) -> Result<Vec<Role>, AdminError> {
    if labels.is_empty() {
        return Err(usage(
            "give at least one --role: security-lead, creator, submitter or reviewer".into(),
        ));
    }
    let mut roles = Vec::new();
    for l in labels {
        let role = Role::parse(l).ok_or_else(|| {
            usage(format!(
                "{l:?} is not a role: give security-lead, creator, submitter or reviewer"
            ))
        })?;
        if !roles.contains(&role) {
            roles.push(role);
        }
    }
    roles.sort();
    Ok(roles)
}

fn role_list(roles: &[Role]) -> String {
    roles
        .iter()
        .map(|r| r.label())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The token to give: the one read from a file (checked), or a new one.
fn token_or_new(given: Option<String>) -> Result<String, AdminError> {
    match given {
        Some(t) => {
            let t = t.trim().to_owned();
            check_token(&t).map_err(usage)?;
            Ok(t)
        }
        None => Ok(new_token()),
    }
}

/// `users add NAME --role R… [--email E] [--team T…] [--token-file F]`.
pub fn add_user(
    db: &Db,
    name: &str,
    roles: &[String],
    email: Option<&str>,
    teams: &[String],
    token: Option<String>,
    now_ms: i64,
) -> Result<Output, AdminError> {
    check_user_name(name).map_err(usage)?;
    let roles = parse_roles(roles)?;
    if let Some(e) = email {
        check_email(e).map_err(usage)?;
    }
    let unknown = db.people(|p| p.unknown_teams(teams))?;
    if !unknown.is_empty() {
        return Err(usage(format!(
            "no team with the identifier {} (add it first with `teams add`)",
            unknown.join(", ")
        )));
    }
    let token = token_or_new(token)?;
    // Hashed before the database is touched (argon2id takes a moment).
    let hash = hash_token(&token);
    let user = db.people(|p| {
        let user = p.add_user(name, email, &roles, &token, &hash, now_ms)?;
        for t in teams {
            p.set_member(t, &user.name, true)?;
        }
        Ok(user)
    })?;
    Ok(Output {
        stdout: format!("{token}\n"),
        stderr: format!(
            "Added {} ({}{}). Their token is on standard output, shown this once: give it to them over a safe channel (prescan keeps only its hash).\n",
            user.name,
            role_list(&roles),
            if teams.is_empty() {
                String::new()
            } else {
                format!("; teams {}", teams.join(", "))
            }
        ),
    })
}

fn user_line(u: &User) -> String {
    format!(
        "{}\t{}\t{}\t{}\t{}",
        u.name,
        role_list(&u.roles),
        if u.teams.is_empty() {
            "-".to_owned()
        } else {
            u.teams.join(",")
        },
        u.email.as_deref().unwrap_or("-"),
        if u.disabled_ms.is_some() {
            "disabled"
        } else {
            "enabled"
        }
    )
}

/// `users list [--json]`.
pub fn list_users(db: &Db, json: bool) -> Result<Output, AdminError> {
    let users = db.people(|p| p.users())?;
    let stdout = if json {
        let rows: Vec<serde_json::Value> = users
            .iter()
            .map(|u| {
                serde_json::json!({
                    "name": u.name,
                    "roles": u.roles,
                    "teams": u.teams,
                    "email": u.email,
                    "enabled": u.disabled_ms.is_none(),
                })
            })
            .collect();
        format!("{}\n", serde_json::Value::Array(rows))
    } else {
        let mut out = String::from("NAME\tROLES\tTEAMS\tE-MAIL\tSTATE\n");
        for u in &users {
            out.push_str(&user_line(u));
            out.push('\n');
        }
        out
    };
    Ok(Output {
        stdout,
        stderr: if users.is_empty() {
            "No users yet: add one with `users add NAME --role ROLE`.\n".into()
        } else {
            String::new()
        },
    })
}

/// `users disable NAME` (`enable: false`) and `users enable NAME`.
pub fn set_enabled(db: &Db, name: &str, enable: bool, now_ms: i64) -> Result<Output, AdminError> {
    let user = db.people(|p| p.set_disabled(name, (!enable).then_some(now_ms)))?;
    Ok(Output {
        stdout: String::new(),
        stderr: if enable {
            format!("{} is enabled: their token works again.\n", user.name)
        } else {
            format!(
                "{} is disabled: their token no longer works. The activity log still shows their name.\n",
                user.name
            )
        },
    })
}

/// `users rotate NAME [--token-file F]`: a new token; the old one stops
/// working at once.
pub fn rotate(db: &Db, name: &str, token: Option<String>) -> Result<Output, AdminError> {
    let token = token_or_new(token)?;
    let hash = hash_token(&token);
    let user = db.people(|p| p.set_token(name, &token, &hash))?;
    Ok(Output {
        stdout: format!("{token}\n"),
        stderr: format!(
            "{} has a new token, on standard output, shown this once; the old one no longer works.\n",
            user.name
        ),
    })
}

/// `users roles NAME ROLE…`.
pub fn set_roles(db: &Db, name: &str, roles: &[String]) -> Result<Output, AdminError> {
    let roles = parse_roles(roles)?;
    let user = db.people(|p| p.set_roles(name, &roles))?;
    Ok(Output {
        stdout: String::new(),
        stderr: format!("{} now has the roles {}.\n", user.name, role_list(&roles)),
    })
}

/// `users email NAME [ADDRESS]`: where their e-mail goes (none without
/// an address). Mail already queued keeps its address.
pub fn set_email(db: &Db, name: &str, email: Option<&str>) -> Result<Output, AdminError> {
    if let Some(e) = email {
        check_email(e).map_err(usage)?;
    }
    let user = db.people(|p| p.set_email(name, email))?;
    Ok(Output {
        stdout: String::new(),
        stderr: match &user.email {
            Some(e) => format!("{}'s notifications are e-mailed to {e}.\n", user.name),
            None => format!("{} gets no e-mail.\n", user.name),
        },
    })
}

/// `teams add ID [--name NAME]`.
pub fn add_team(db: &Db, id: &str, name: Option<&str>, now_ms: i64) -> Result<Output, AdminError> {
    check_team_id(id).map_err(usage)?;
    let name = name.unwrap_or(id);
    check_team_name(name).map_err(usage)?;
    let team = db.people(|p| p.add_team(id, name, now_ms))?;
    Ok(Output {
        stdout: String::new(),
        stderr: format!("Added the team {} ({}).\n", team.id, team.name),
    })
}

fn team_line(t: &Team) -> String {
    format!(
        "{}\t{}\t{}",
        t.id,
        t.name,
        if t.members.is_empty() {
            "-".to_owned()
        } else {
            t.members.join(", ")
        }
    )
}

/// `teams list [--json]`.
pub fn list_teams(db: &Db, json: bool) -> Result<Output, AdminError> {
    let teams = db.people(|p| p.teams())?;
    let stdout = if json {
        let rows: Vec<serde_json::Value> = teams
            .iter()
            .map(|t| serde_json::json!({"id": t.id, "name": t.name, "members": t.members}))
            .collect();
        format!("{}\n", serde_json::Value::Array(rows))
    } else {
        let mut out = String::from("ID\tNAME\tMEMBERS\n");
        for t in &teams {
            out.push_str(&team_line(t));
            out.push('\n');
        }
        out
    };
    Ok(Output {
        stdout,
        stderr: if teams.is_empty() {
            "No teams yet: add one with `teams add ID --name NAME`.\n".into()
        } else {
            String::new()
        },
    })
}

/// `teams add-member TEAM USER` (`member: true`) and `teams remove-member`.
pub fn set_member(db: &Db, team: &str, user: &str, member: bool) -> Result<Output, AdminError> {
    let changed = db.people(|p| p.set_member(team, user, member))?;
    let what = match (member, changed) {
        (true, true) => format!("{user} is now a member of {team}."),
        (true, false) => format!("{user} was already a member of {team}."),
        (false, true) => format!("{user} is no longer a member of {team}."),
        (false, false) => format!("{user} was not a member of {team}."),
    };
    Ok(Output {
        stdout: String::new(),
        stderr: format!("{what}\n"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db() -> (tempfile::TempDir, Db) {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(dir.path(), None).unwrap();
        (dir, db)
    }

    #[test]
    fn add_list_disable_rotate_and_teams() {
        let (_dir, db) = db();
        add_team(&db, "payments", Some("Payments"), 1).unwrap();
        let out = add_user(
            &db,
            "Ann Lee",
            &["creator".into()],
            Some("ann@example.com"),
            &["payments".into()],
            None,
            2,
        )
        .unwrap();
        let token = out.stdout.trim().to_owned();
        assert!(token.starts_with("pst_"), "{out:?}");
        assert!(out.stderr.contains("Ann Lee (Creator; teams payments)"));
        let list = list_users(&db, false).unwrap().stdout;
        assert!(
            list.contains("Ann Lee\tCreator\tpayments\tann@example.com\tenabled"),
            "{list}"
        );
        // Names are unique ignoring case; roles and teams are checked.
        assert!(matches!(
            add_user(&db, "ann lee", &["reviewer".into()], None, &[], None, 3),
            Err(AdminError::Usage(_))
        ));
        assert!(add_user(&db, "Rex", &["admin".into()], None, &[], None, 3)
            .unwrap_err()
            .to_string()
            .contains("not a role"));
        assert!(add_user(
            &db,
            "Rex",
            &["reviewer".into()],
            None,
            &["web".into()],
            None,
            3
        )
        .unwrap_err()
        .to_string()
        .contains("no team with the identifier web"));
        assert!(add_user(&db, "Rex", &[], None, &[], None, 3).is_err());
        // A chosen token: at least 16 characters.
        assert!(add_user(
            &db,
            "Rex",
            &["reviewer".into()],
            None,
            &[],
            Some("short\n".into()),
            3
        )
        .unwrap_err()
        .to_string()
        .contains("at least 16"));
        let verified = crate::people::Verified::default();
        let who = crate::people::user_of_token(&db, &verified, &token).unwrap();
        assert_eq!(who.unwrap().name, "Ann Lee");
        // Disabled: the token stops working; enabled again: it works.
        set_enabled(&db, "Ann Lee", false, 4).unwrap();
        assert!(crate::people::user_of_token(&db, &verified, &token)
            .unwrap()
            .is_none());
        set_enabled(&db, "ann lee", true, 5).unwrap();
        assert!(crate::people::user_of_token(&db, &verified, &token)
            .unwrap()
            .is_some());
        // Rotated: the old token no longer works, the new one does.
        let new = rotate(&db, "Ann Lee", None)
            .unwrap()
            .stdout
            .trim()
            .to_owned();
        assert_ne!(new, token);
        assert!(crate::people::user_of_token(&db, &verified, &token)
            .unwrap()
            .is_none());
        assert!(crate::people::user_of_token(&db, &verified, &new)
            .unwrap()
            .is_some());
        set_roles(&db, "Ann Lee", &["reviewer".into(), "creator".into()]).unwrap();
        assert!(set_email(&db, "Ann Lee", Some("not an address")).is_err());
        set_email(&db, "Ann Lee", Some("ann.lee@example.com")).unwrap();
        let list = list_users(&db, false).unwrap().stdout;
        assert!(list.contains("ann.lee@example.com"), "{list}");
        set_email(&db, "Ann Lee", None).unwrap();
        set_member(&db, "payments", "Ann Lee", false).unwrap();
        let ann = db.people(|p| p.user("Ann Lee")).unwrap().unwrap();
        assert_eq!(ann.roles, vec![Role::Creator, Role::Reviewer]);
        assert!(ann.teams.is_empty());
        let teams = list_teams(&db, true).unwrap().stdout;
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&teams).unwrap(),
            serde_json::json!([{"id": "payments", "name": "Payments", "members": []}])
        );
        assert!(set_member(&db, "nope", "Ann Lee", true).is_err());
        assert!(set_member(&db, "payments", "Nobody", true).is_err());
    }

    #[test]
    fn the_database_holds_no_token() {
        let (dir, db) = db();
        let token = add_user(&db, "Ann", &["creator".into()], None, &[], None, 1)
            .unwrap()
            .stdout
            .trim()
            .to_owned();
        drop(db);
        let mut bytes = Vec::new();
        for entry in std::fs::read_dir(dir.path()).unwrap() {
            let p = entry.unwrap().path();
            if p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("prescan.sqlite3")
            {
                bytes.extend(std::fs::read(&p).unwrap());
            }
        }
        let secret = &token.as_bytes()[4..];
        assert!(
            !bytes.windows(secret.len()).any(|w| w == secret),
            "the token is in the database files"
        );
    }
}
