//! The people's rows (schema 4): `users` (a keyed lookup of the token and
//! its argon2id hash, never the token), `teams` and `team_members`. Read
//! on every request from SQLite itself (no cache), so a command that adds,
//! disables or rotates a user while the server runs takes effect at once.

use prescan_core::people::Role;
use rusqlite::{params, Connection, OptionalExtension};

use crate::db::types::{PeopleError, Team, User};

use super::rows::fold;

fn roles_text(roles: &[Role]) -> Result<String, PeopleError> {
    serde_json::to_string(roles).map_err(|e| PeopleError::Db(e.into()))
}

/// A row of `id, name, email, roles, created_ms, disabled_ms`.
fn user_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(User, String)> {
    Ok((
        User {
            id: r.get(0)?,
            name: r.get(1)?,
            email: r.get(2)?,
            roles: Vec::new(),
            teams: Vec::new(),
            created_ms: r.get(4)?,
            disabled_ms: r.get(5)?,
        },
        r.get::<_, String>(3)?,
    ))
}

/// Fills in the roles (JSON) and the teams of a row.
fn complete(conn: &Connection, (mut user, roles): (User, String)) -> Result<User, PeopleError> {
    user.roles = serde_json::from_str(&roles).map_err(|e| PeopleError::Db(e.into()))?;
    let mut stmt = conn
        .prepare_cached("SELECT team_id FROM team_members WHERE user_id = ?1 ORDER BY team_id")?;
    user.teams = stmt
        .query_map(params![user.id], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(user)
}

/// Whether any user was ever added (then every API call needs a token).
pub(crate) fn has_users(conn: &Connection) -> Result<bool, PeopleError> {
    Ok(conn.query_row("SELECT EXISTS (SELECT 1 FROM users)", [], |r| r.get(0))?)
}

/// Adds a user; their name must be new (ignoring case).
pub(crate) fn add_user(
    conn: &Connection,
    name: &str,
    email: Option<&str>,
    roles: &[Role],
    token_lookup: &[u8; 32],
    token_hash: &str,
    now_ms: i64,
) -> Result<User, PeopleError> {
    let taken: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM users WHERE name_folded = ?1)",
        params![fold(name)],
        |r| r.get(0),
    )?;
    if taken {
        return Err(PeopleError::Invalid(format!(
            "a user named {name} exists already (names are unique, ignoring case; a disabled user keeps theirs)"
        )));
    }
    conn.execute(
        "INSERT INTO users (name, name_folded, email, roles, token_lookup, token_hash, created_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            name,
            fold(name),
            email,
            roles_text(roles)?,
            token_lookup.as_slice(),
            token_hash,
            now_ms
        ],
    )?;
    user_by_name(conn, name)?.ok_or_else(|| PeopleError::NotFound(name.to_owned()))
}

/// A user by name (ignoring case).
pub(crate) fn user_by_name(conn: &Connection, name: &str) -> Result<Option<User>, PeopleError> {
    let row = conn
        .query_row(
            "SELECT id, name, email, roles, created_ms, disabled_ms FROM users WHERE name_folded = ?1",
            params![fold(name)],
            user_row,
        )
        .optional()?;
    row.map(|r| complete(conn, r)).transpose()
}

/// The user whose token has this lookup, with their token's hash.
pub(crate) fn user_by_lookup(
    conn: &Connection,
    lookup: &[u8; 32],
) -> Result<Option<(User, String)>, PeopleError> {
    let row = conn
        .query_row(
            "SELECT id, name, email, roles, created_ms, disabled_ms, token_hash FROM users WHERE token_lookup = ?1",
            params![lookup.as_slice()],
            |r| Ok((user_row(r)?, r.get::<_, String>(6)?)),
        )
        .optional()?;
    match row {
        Some((row, hash)) => Ok(Some((complete(conn, row)?, hash))),
        None => Ok(None),
    }
}

/// Every user, by name.
pub(crate) fn users(conn: &Connection) -> Result<Vec<User>, PeopleError> {
    let mut stmt = conn.prepare(
        "SELECT id, name, email, roles, created_ms, disabled_ms FROM users ORDER BY name_folded",
    )?;
    let rows: Vec<(User, String)> = stmt.query_map([], user_row)?.collect::<Result<_, _>>()?;
    rows.into_iter().map(|r| complete(conn, r)).collect()
}

fn existing_user(conn: &Connection, name: &str) -> Result<User, PeopleError> {
    user_by_name(conn, name)?
        .ok_or_else(|| PeopleError::NotFound(format!("no user named {name} (see `users list`)")))
}

/// Disables (`Some(now)`) or enables (`None`) a user.
pub(crate) fn set_disabled(
    conn: &Connection,
    name: &str,
    disabled_ms: Option<i64>,
) -> Result<User, PeopleError> {
    let user = existing_user(conn, name)?;
    conn.execute(
        "UPDATE users SET disabled_ms = ?1 WHERE id = ?2",
        params![disabled_ms, user.id],
    )?;
    existing_user(conn, name)
}

/// Gives a user a new token (the old one stops working at once).
pub(crate) fn set_token(
    conn: &Connection,
    name: &str,
    token_lookup: &[u8; 32],
    token_hash: &str,
) -> Result<User, PeopleError> {
    let user = existing_user(conn, name)?;
    conn.execute(
        "UPDATE users SET token_lookup = ?1, token_hash = ?2 WHERE id = ?3",
        params![token_lookup.as_slice(), token_hash, user.id],
    )?;
    Ok(user)
}

/// Sets (or, with `None`, removes) a user's e-mail address.
pub(crate) fn set_email(
    conn: &Connection,
    name: &str,
    email: Option<&str>,
) -> Result<User, PeopleError> {
    let user = existing_user(conn, name)?;
    conn.execute(
        "UPDATE users SET email = ?1 WHERE id = ?2",
        params![email, user.id],
    )?;
    existing_user(conn, name)
}

/// Replaces a user's roles.
pub(crate) fn set_roles(
    conn: &Connection,
    name: &str,
    roles: &[Role],
) -> Result<User, PeopleError> {
    let user = existing_user(conn, name)?;
    conn.execute(
        "UPDATE users SET roles = ?1 WHERE id = ?2",
        params![roles_text(roles)?, user.id],
    )?;
    existing_user(conn, name)
}

/// Adds a team; its identifier must be new.
pub(crate) fn add_team(
    conn: &Connection,
    id: &str,
    name: &str,
    now_ms: i64,
) -> Result<Team, PeopleError> {
    let inserted = conn.execute(
        "INSERT INTO teams (id, name, created_ms) VALUES (?1, ?2, ?3) ON CONFLICT(id) DO NOTHING",
        params![id, name, now_ms],
    )?;
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

/// Every team with its members, by identifier.
pub(crate) fn teams(conn: &Connection) -> Result<Vec<Team>, PeopleError> {
    let mut stmt = conn.prepare("SELECT id, name FROM teams ORDER BY id")?;
    let rows: Vec<(String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let mut members = conn.prepare_cached(
        "SELECT u.name FROM team_members m JOIN users u ON u.id = m.user_id
         WHERE m.team_id = ?1 ORDER BY u.name_folded",
    )?;
    let mut out = Vec::with_capacity(rows.len());
    for (id, name) in rows {
        let names: Vec<String> = members
            .query_map(params![id], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        out.push(Team {
            id,
            name,
            members: names,
        });
    }
    Ok(out)
}

fn team_exists(conn: &Connection, id: &str) -> Result<bool, PeopleError> {
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM teams WHERE id = ?1)",
        params![id],
        |r| r.get(0),
    )?)
}

/// Puts a user in a team (`true`) or takes them out (`false`); returns
/// whether anything changed.
pub(crate) fn set_member(
    conn: &Connection,
    team: &str,
    name: &str,
    member: bool,
) -> Result<bool, PeopleError> {
    if !team_exists(conn, team)? {
        return Err(PeopleError::NotFound(format!(
            "no team with the identifier {team} (see `teams list`)"
        )));
    }
    let user = existing_user(conn, name)?;
    let changed = if member {
        conn.execute(
            "INSERT INTO team_members (team_id, user_id) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
            params![team, user.id],
        )?
    } else {
        conn.execute(
            "DELETE FROM team_members WHERE team_id = ?1 AND user_id = ?2",
            params![team, user.id],
        )?
    };
    Ok(changed > 0)
}

/// The identifiers among `ids` that name no team.
pub(crate) fn unknown_teams(conn: &Connection, ids: &[String]) -> Result<Vec<String>, PeopleError> {
    let mut out = Vec::new();
    for id in ids {
        if !team_exists(conn, id)? {
            out.push(id.clone());
        }
    }
    Ok(out)
}

/// The names and addresses of the enabled users with an e-mail address
/// who receive a notification for `recipients`.
pub(crate) fn mail_recipients(
    conn: &Connection,
    recipients: &prescan_core::analysis::Recipients,
) -> Result<Vec<(String, String)>, PeopleError> {
    crate::db::types::mail_recipients_of(
        recipients,
        |name| user_by_name(conn, name),
        || users(conn),
    )
}
