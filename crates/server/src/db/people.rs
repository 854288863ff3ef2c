//! The people's side of the seam (issue 16): users, their hashed tokens,
//! teams and memberships, read and written by the routes' gate and by the
//! `users` and `teams` administration commands (which may run while the
//! server does: nothing here is cached).

use prescan_core::analysis::Recipients;
use prescan_core::people::Role;

use super::seal::Sealer;
use super::sqlite;
use super::types::{PeopleError, Team, User};

/// The people's rows of one back end, under its connection.
pub struct People<'a> {
    pub(super) conn: &'a rusqlite::Connection,
    pub(super) sealer: &'a Sealer,
}

impl People<'_> {
    /// The keyed lookup of a token (see [`Sealer::lookup`]).
    pub fn lookup(&self, token: &str) -> [u8; 32] {
        self.sealer.lookup(token.as_bytes())
    }

    /// Whether a user was ever added.
    pub fn has_users(&self) -> Result<bool, PeopleError> {
        sqlite::people::has_users(self.conn)
    }

    /// Adds a user with the token whose argon2id hash is `token_hash`.
    pub fn add_user(
        &self,
        name: &str,
        email: Option<&str>,
        roles: &[Role],
        token: &str,
        token_hash: &str,
        now_ms: i64,
    ) -> Result<User, PeopleError> {
        sqlite::people::add_user(
            self.conn,
            name,
            email,
            roles,
            &self.lookup(token),
            token_hash,
            now_ms,
        )
    }

    /// A user by name (ignoring case).
    pub fn user(&self, name: &str) -> Result<Option<User>, PeopleError> {
        sqlite::people::user_by_name(self.conn, name)
    }

    /// The user a token may be, with the hash to verify it against.
    pub fn user_by_token(&self, token: &str) -> Result<Option<(User, String)>, PeopleError> {
        sqlite::people::user_by_lookup(self.conn, &self.lookup(token))
    }

    /// Every user.
    pub fn users(&self) -> Result<Vec<User>, PeopleError> {
        sqlite::people::users(self.conn)
    }

    /// Disables a user (`Some(when)`) or enables them again (`None`).
    pub fn set_disabled(&self, name: &str, disabled_ms: Option<i64>) -> Result<User, PeopleError> {
        sqlite::people::set_disabled(self.conn, name, disabled_ms)
    }

    /// Replaces a user's token.
    pub fn set_token(
        &self,
        name: &str,
        token: &str,
        token_hash: &str,
    ) -> Result<User, PeopleError> {
        sqlite::people::set_token(self.conn, name, &self.lookup(token), token_hash)
    }

    /// Sets or removes a user's e-mail address.
    pub fn set_email(&self, name: &str, email: Option<&str>) -> Result<User, PeopleError> {
        sqlite::people::set_email(self.conn, name, email)
    }

    /// Replaces a user's roles.
    pub fn set_roles(&self, name: &str, roles: &[Role]) -> Result<User, PeopleError> {
        sqlite::people::set_roles(self.conn, name, roles)
    }

    /// Adds a team.
    pub fn add_team(&self, id: &str, name: &str, now_ms: i64) -> Result<Team, PeopleError> {
        sqlite::people::add_team(self.conn, id, name, now_ms)
    }

    /// Every team.
    pub fn teams(&self) -> Result<Vec<Team>, PeopleError> {
        sqlite::people::teams(self.conn)
    }

    /// Puts a user in a team or takes them out; whether anything changed.
    pub fn set_member(&self, team: &str, user: &str, member: bool) -> Result<bool, PeopleError> {
        sqlite::people::set_member(self.conn, team, user, member)
    }

    /// The identifiers among `ids` that name no team.
    pub fn unknown_teams(&self, ids: &[String]) -> Result<Vec<String>, PeopleError> {
        sqlite::people::unknown_teams(self.conn, ids)
    }

    /// Who gets e-mail for `recipients`: (name, address) of enabled users.
    pub fn mail_recipients(
        &self,
        recipients: &Recipients,
    ) -> Result<Vec<(String, String)>, PeopleError> {
        sqlite::people::mail_recipients(self.conn, recipients)
    }
}
