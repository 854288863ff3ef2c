//! The people's rows on PostgreSQL (see the SQLite back end's `people`,
//! whose rules these follow statement for statement): read on every
//! request, never cached, so an administration command takes effect on
//! every replica at once.

use prescan_core::analysis::Recipients;
use prescan_core::people::Role;
use tokio_postgres::{GenericClient, Row};

use super::pool::wait;
use crate::db::sqlite::fold;
use crate::db::types::{PeopleError, Team, User};

const USER_COLUMNS: &str = "id, name, email, roles, created_ms, disabled_ms";

fn roles_text(roles: &[Role]) -> Result<String, PeopleError> {
    serde_json::to_string(roles).map_err(|e| PeopleError::Db(e.into()))
}

fn complete(c: &impl GenericClient, r: &Row) -> Result<User, PeopleError> {
    let id: i64 = r.get(0);
    let teams = wait(c.query(
        "SELECT team_id FROM team_members WHERE user_id = $1 ORDER BY team_id",
        &[&id],
    ))?
    .iter()
    .map(|t| t.get(0))
    .collect();
    Ok(User {
        id,
        name: r.get(1),
        email: r.get(2),
        roles: serde_json::from_str(r.get(3)).map_err(|e| PeopleError::Db(e.into()))?,
        teams,
        created_ms: r.get(4),
        disabled_ms: r.get(5),
    })
}

pub(crate) fn has_users(c: &impl GenericClient) -> Result<bool, PeopleError> {
    Ok(wait(c.query_one("SELECT EXISTS (SELECT 1 FROM users)", &[]))?.get(0))
}

pub(crate) fn add_user(
    c: &impl GenericClient,
    name: &str,
    email: Option<&str>,
    roles: &[Role],
    token_lookup: &[u8; 32],
    token_hash: &str,
    now_ms: i64,
) -> Result<User, PeopleError> {
    let inserted = wait(c.execute(
        "INSERT INTO users (name, name_folded, email, roles, token_lookup, token_hash, created_ms)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (name_folded) DO NOTHING",
        &[
            &name,
            &fold(name),
            &email,
            &roles_text(roles)?,
            &token_lookup.as_slice(),
            &token_hash,
            &now_ms,
        ],
    ))?;
    if inserted == 0 {
        return Err(PeopleError::Invalid(format!(
            "a user named {name} exists already (names are unique, ignoring case; a disabled user keeps theirs)"
        )));
    }
    user_by_name(c, name)?.ok_or_else(|| PeopleError::NotFound(name.to_owned()))
}

pub(crate) fn user_by_name(
    c: &impl GenericClient,
    name: &str,
) -> Result<Option<User>, PeopleError> {
    let row = wait(c.query_opt(
        &format!("SELECT {USER_COLUMNS} FROM users WHERE name_folded = $1"),
        &[&fold(name)],
    ))?;
    row.map(|r| complete(c, &r)).transpose()
}

pub(crate) fn user_by_lookup(
    c: &impl GenericClient,
    lookup: &[u8; 32],
) -> Result<Option<(User, String)>, PeopleError> {
    let row = wait(c.query_opt(
        &format!("SELECT {USER_COLUMNS}, token_hash FROM users WHERE token_lookup = $1"),
        &[&lookup.as_slice()],
    ))?;
    match row {
        Some(r) => Ok(Some((complete(c, &r)?, r.get(6)))),
        None => Ok(None),
    }
}

pub(crate) fn users(c: &impl GenericClient) -> Result<Vec<User>, PeopleError> {
    wait(c.query(
        &format!("SELECT {USER_COLUMNS} FROM users ORDER BY name_folded"),
        &[],
    ))?
    .iter()
    .map(|r| complete(c, r))
    .collect()
}

fn existing_user(c: &impl GenericClient, name: &str) -> Result<User, PeopleError> {
    user_by_name(c, name)?
        .ok_or_else(|| PeopleError::NotFound(format!("no user named {name} (see `users list`)")))
}

pub(crate) fn set_disabled(
    c: &impl GenericClient,
    name: &str,
    disabled_ms: Option<i64>,
) -> Result<User, PeopleError> {
    let user = existing_user(c, name)?;
    wait(c.execute(
        "UPDATE users SET disabled_ms = $1 WHERE id = $2",
        &[&disabled_ms, &user.id],
    ))?;
    existing_user(c, name)
}

pub(crate) fn set_token(
    c: &impl GenericClient,
    name: &str,
    token_lookup: &[u8; 32],
    token_hash: &str,
) -> Result<User, PeopleError> {
    let user = existing_user(c, name)?;
    wait(c.execute(
        "UPDATE users SET token_lookup = $1, token_hash = $2 WHERE id = $3",
        &[&token_lookup.as_slice(), &token_hash, &user.id],
    ))?;
    Ok(user)
}

pub(crate) fn set_email(
    c: &impl GenericClient,
    name: &str,
    email: Option<&str>,
) -> Result<User, PeopleError> {
    let user = existing_user(c, name)?;
    wait(c.execute(
        "UPDATE users SET email = $1 WHERE id = $2",
        &[&email, &user.id],
    ))?;
    existing_user(c, name)
}

pub(crate) fn set_roles(
    c: &impl GenericClient,
    name: &str,
    roles: &[Role],
) -> Result<User, PeopleError> {
    let user = existing_user(c, name)?;
    wait(c.execute(
        "UPDATE users SET roles = $1 WHERE id = $2",
        &[&roles_text(roles)?, &user.id],
    ))?;
    existing_user(c, name)
}

pub(crate) fn add_team(
    c: &impl GenericClient,
    id: &str,
    name: &str,
    now_ms: i64,
) -> Result<Team, PeopleError> {
    let inserted = wait(c.execute(
        "INSERT INTO teams (id, name, created_ms) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING",
        &[&id, &name, &now_ms],
    ))?;
    if inserted == 0 {
        return Err(PeopleError::Invalid(format!(
            "a team with the identifier {id} exists already"
        )));
    }
    Ok(Team {
        id: id.to_owned(),
        name: name.to_owned(),
        members: Vec::new(),
    })
}

pub(crate) fn teams(c: &impl GenericClient) -> Result<Vec<Team>, PeopleError> {
    let rows = wait(c.query("SELECT id, name FROM teams ORDER BY id", &[]))?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let id: String = r.get(0);
        let members = wait(c.query(
            "SELECT u.name FROM team_members m JOIN users u ON u.id = m.user_id
             WHERE m.team_id = $1 ORDER BY u.name_folded",
            &[&id],
        ))?
        .iter()
        .map(|m| m.get(0))
        .collect();
        out.push(Team {
            id,
            name: r.get(1),
            members,
        });
    }
    Ok(out)
}

fn team_exists(c: &impl GenericClient, id: &str) -> Result<bool, PeopleError> {
    Ok(wait(c.query_one("SELECT EXISTS (SELECT 1 FROM teams WHERE id = $1)", &[&id]))?.get(0))
}

pub(crate) fn set_member(
    c: &impl GenericClient,
    team: &str,
    name: &str,
    member: bool,
) -> Result<bool, PeopleError> {
    if !team_exists(c, team)? {
        return Err(PeopleError::NotFound(format!(
            "no team with the identifier {team} (see `teams list`)"
        )));
    }
    let user = existing_user(c, name)?;
    let changed = if member {
        wait(c.execute(
            "INSERT INTO team_members (team_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            &[&team, &user.id],
        ))?
    } else {
        wait(c.execute(
            "DELETE FROM team_members WHERE team_id = $1 AND user_id = $2",
            &[&team, &user.id],
        ))?
    };
    Ok(changed > 0)
}

pub(crate) fn unknown_teams(
    c: &impl GenericClient,
    ids: &[String],
) -> Result<Vec<String>, PeopleError> {
    let mut out = Vec::new();
    for id in ids {
        if !team_exists(c, id)? {
            out.push(id.clone());
        }
    }
    Ok(out)
}

pub(crate) fn mail_recipients(
    c: &impl GenericClient,
    recipients: &Recipients,
) -> Result<Vec<(String, String)>, PeopleError> {
    crate::db::types::mail_recipients_of(recipients, |name| user_by_name(c, name), || users(c))
}

impl From<tokio_postgres::Error> for PeopleError {
    fn from(e: tokio_postgres::Error) -> Self {
        PeopleError::Db(e.into())
    }
}
