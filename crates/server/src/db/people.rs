//! The people's side of the seam (issue 16): users, their hashed tokens,
//! teams and memberships, read and written by the routes' gate and by the
//! `users` and `teams` administration commands (which may run while the
//! server does: nothing here is cached).

use prescan_core::analysis::Recipients;
use prescan_core::people::Role;

use super::seal::Sealer;
use super::types::{PeopleError, Team, User};
use super::{postgres, sqlite};

/// The connection of one back end.
#[derive(Clone, Copy)]
pub(super) enum Conn<'a> {
    Sqlite(&'a rusqlite::Connection),
    Postgres(&'a tokio_postgres::Client),
}

/// Calls the back end's function of the same name.
macro_rules! each {
    ($self:ident, $f:ident ( $($arg:expr),* )) => {
        match $self.conn {
            Conn::Sqlite(c) => sqlite::people::$f(c $(, $arg)*),
            Conn::Postgres(c) => postgres::people::$f(c $(, $arg)*),
        }
    };
}

/// The people's rows of one back end, under its connection.
pub struct People<'a> {
    pub(super) conn: Conn<'a>,
    pub(super) sealer: &'a Sealer,
}

impl People<'_> {
    /// The keyed lookup of a token (see [`Sealer::lookup`]).
    pub fn lookup(&self, token: &str) -> [u8; 32] {
        self.sealer.lookup(token.as_bytes())
    }

    /// Whether a user was ever added.
    pub fn has_users(&self) -> Result<bool, PeopleError> {
        each!(self, has_users())
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
        each!(
            self,
            add_user(name, email, roles, &self.lookup(token), token_hash, now_ms)
        )
    }

    /// A user by name (ignoring case).
    pub fn user(&self, name: &str) -> Result<Option<User>, PeopleError> {
        each!(self, user_by_name(name))
    }

    /// The user a token may be, with the hash to verify it against.
    pub fn user_by_token(&self, token: &str) -> Result<Option<(User, String)>, PeopleError> {
        each!(self, user_by_lookup(&self.lookup(token)))
    }

    /// Every user.
    pub fn users(&self) -> Result<Vec<User>, PeopleError> {
        each!(self, users())
    }

    /// Disables a user (`Some(when)`) or enables them again (`None`).
    pub fn set_disabled(&self, name: &str, disabled_ms: Option<i64>) -> Result<User, PeopleError> {
        each!(self, set_disabled(name, disabled_ms))
    }

    /// Replaces a user's token.
    pub fn set_token(
        &self,
        name: &str,
        token: &str,
        token_hash: &str,
    ) -> Result<User, PeopleError> {
        each!(self, set_token(name, &self.lookup(token), token_hash))
    }

    /// Sets or removes a user's e-mail address.
    pub fn set_email(&self, name: &str, email: Option<&str>) -> Result<User, PeopleError> {
        each!(self, set_email(name, email))
    }

    /// Replaces a user's roles.
    pub fn set_roles(&self, name: &str, roles: &[Role]) -> Result<User, PeopleError> {
        each!(self, set_roles(name, roles))
    }

    /// Adds a team.
    pub fn add_team(&self, id: &str, name: &str, now_ms: i64) -> Result<Team, PeopleError> {
        each!(self, add_team(id, name, now_ms))
    }

    /// Every team.
    pub fn teams(&self) -> Result<Vec<Team>, PeopleError> {
        each!(self, teams())
    }

    /// Puts a user in a team or takes them out; whether anything changed.
    pub fn set_member(&self, team: &str, user: &str, member: bool) -> Result<bool, PeopleError> {
        each!(self, set_member(team, user, member))
    }

    /// The identifiers among `ids` that name no team.
    pub fn unknown_teams(&self, ids: &[String]) -> Result<Vec<String>, PeopleError> {
        each!(self, unknown_teams(ids))
    }

    /// Who gets e-mail for `recipients`: (name, address) of enabled users.
    pub fn mail_recipients(
        &self,
        recipients: &Recipients,
    ) -> Result<Vec<(String, String)>, PeopleError> {
        each!(self, mail_recipients(recipients))
    }
}
