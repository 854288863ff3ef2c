//! Users' tokens and names (issue 16): tokens made from the OS's random
//! source, stored as argon2id hashes (found by a keyed lookup, see
//! [`crate::db::seal::Sealer::lookup`]), checked once per process and then
//! remembered by their lookup; the rules for names, e-mail addresses and
//! team identifiers; and who a token is, for the gate.
//!
//! The rules of who may see and do what are the core's
//! ([`prescan_core::people`]); this file only says who someone is.

use std::collections::HashMap;
use std::sync::Mutex;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use base64::Engine as _;

use crate::config::MIN_TOKEN_CHARS;
use crate::db::{Db, PeopleError, User};

/// The prefix of the tokens the server makes (so that a secret scanner,
/// or a person, can tell one).
pub const TOKEN_PREFIX: &str = "pst_";

/// The longest token accepted (a given one; made ones are 47 characters).
pub const MAX_TOKEN_CHARS: usize = 256;

/// The longest user name, team identifier or team name, in characters.
pub const MAX_NAME_CHARS: usize = 64;

/// The longest e-mail address (RFC 5321's path limit).
pub const MAX_EMAIL_CHARS: usize = 254;

/// Tokens remembered as checked, at most (then the memory is emptied).
const MAX_REMEMBERED: usize = 4096;

/// A new token: 32 random bytes, base64url, after [`TOKEN_PREFIX`].
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::getrandom(&mut bytes).expect("the OS random source");
    format!(
        "{TOKEN_PREFIX}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

/// Whether a token given by an operator may be used: at least
/// [`MIN_TOKEN_CHARS`] characters, at most [`MAX_TOKEN_CHARS`], printable
/// ASCII without spaces (it travels in a header).
pub fn check_token(token: &str) -> Result<(), String> {
    let n = token.chars().count();
    if n < MIN_TOKEN_CHARS {
        return Err(format!(
            "a token needs at least {MIN_TOKEN_CHARS} characters (this one has {n}): a short token is easy to guess"
        ));
    }
    if n > MAX_TOKEN_CHARS {
        return Err(format!(
            "a token has at most {MAX_TOKEN_CHARS} characters (this one has {n})"
        ));
    }
    if !token.bytes().all(|b| b.is_ascii_graphic()) {
        return Err("a token is printable ASCII without spaces (it is sent in a header)".into());
    }
    Ok(())
}

/// The argon2id hash of a token (PHC string, random salt, the crate's
/// default cost: 19 MiB, 2 passes).
pub fn hash_token(token: &str) -> String {
    let mut salt = [0u8; 16];
    getrandom::getrandom(&mut salt).expect("the OS random source");
    let salt = SaltString::encode_b64(&salt).expect("16 bytes are a valid salt");
    Argon2::default()
        .hash_password(token.as_bytes(), &salt)
        .expect("argon2id hashes any token of at most 256 characters")
        .to_string()
}

/// Whether `token` is the one `hash` was made of.
pub fn verify_token(token: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| {
            Argon2::default()
                .verify_password(token.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

fn check_label(what: &str, text: &str) -> Result<(), String> {
    let n = text.chars().count();
    if text.trim() != text || n == 0 {
        return Err(format!("a {what} is not empty and has no spaces around it"));
    }
    if n > MAX_NAME_CHARS {
        return Err(format!(
            "a {what} has at most {MAX_NAME_CHARS} characters (this one has {n})"
        ));
    }
    if text.chars().any(char::is_control) {
        return Err(format!("a {what} has no control characters"));
    }
    Ok(())
}

/// A user's name: what the activity log shows (1 to 64 characters, no
/// control characters, no spaces around it).
pub fn check_user_name(name: &str) -> Result<(), String> {
    check_label("user name", name)?;
    if name.eq_ignore_ascii_case(crate::config::ANONYMOUS) {
        return Err(format!(
            "{name} is the name of calls without a token; choose another"
        ));
    }
    if name.eq_ignore_ascii_case("API user") {
        return Err(format!(
            "{name} is the name of the --token's calls; choose another"
        ));
    }
    Ok(())
}

/// A team's name for people.
pub fn check_team_name(name: &str) -> Result<(), String> {
    check_label("team name", name)
}

/// A team's identifier: 1 to 64 of `a-z`, `0-9`, `-`, `_` and `.`
/// (what a visibility lists and a URL may carry).
pub fn check_team_id(id: &str) -> Result<(), String> {
    check_label("team identifier", id)?;
    if !id
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'_' | b'.'))
    {
        return Err(format!(
            "the team identifier {id} may only hold a-z, 0-9, '-', '_' and '.'"
        ));
    }
    Ok(())
}

/// An e-mail address: one `@` with something on each side, no spaces, no
/// control characters, no angle brackets or commas (it goes into a mail
/// header and an SMTP command), at most 254 characters.
pub fn check_email(email: &str) -> Result<(), String> {
    let bad = email.is_empty()
        || email.chars().count() > MAX_EMAIL_CHARS
        || email.chars().any(|c| {
            c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';' | '"')
        })
        || !matches!(email.split_once('@'), Some((l, d)) if !l.is_empty() && !d.is_empty() && !d.contains('@') && d.contains('.'));
    if bad {
        return Err(format!(
            "{email:?} is not an e-mail address such as ann@example.com"
        ));
    }
    Ok(())
}

/// The tokens this process has checked against their hash: the lookup and
/// the hash it matched. A rotated token has another lookup, and a changed
/// hash is checked again.
#[derive(Default)]
pub struct Verified(Mutex<HashMap<[u8; 32], String>>);

impl Verified {
    fn knows(&self, lookup: &[u8; 32], hash: &str) -> bool {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(lookup)
            .is_some_and(|h| h == hash)
    }

    fn remember(&self, lookup: [u8; 32], hash: String) {
        let mut m = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if m.len() >= MAX_REMEMBERED {
            m.clear();
        }
        m.insert(lookup, hash);
    }
}

/// Who a token is, among the users of the database: an enabled user whose
/// token it is. Blocking (SQLite, and argon2id the first time).
pub fn user_of_token(
    db: &Db,
    verified: &Verified,
    token: &str,
) -> Result<Option<User>, PeopleError> {
    if check_token(token).is_err() {
        return Ok(None);
    }
    let (lookup, found) = db.people(|p| Ok((p.lookup(token), p.user_by_token(token)?)))?;
    let Some((user, hash)) = found else {
        return Ok(None);
    };
    if user.disabled_ms.is_some() {
        return Ok(None);
    }
    if !verified.knows(&lookup, &hash) {
        if !verify_token(token, &hash) {
            return Ok(None);
        }
        verified.remember(lookup, hash);
    }
    Ok(Some(user))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_hashed() {
        let a = new_token();
        let b = new_token();
        assert_ne!(a, b);
        assert!(a.starts_with(TOKEN_PREFIX) && a.len() == 47, "{a}");
        assert!(check_token(&a).is_ok());
        let h = hash_token(&a);
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(!h.contains(&a[4..]));
        assert!(verify_token(&a, &h));
        assert!(!verify_token(&b, &h));
        assert!(!verify_token(&a, "not a hash"));
    }

    #[test]
    fn short_spaced_or_huge_tokens_are_refused() {
        assert!(check_token("short").unwrap_err().contains("at least 16"));
        assert!(check_token("sixteen chars ok").is_err(), "spaces");
        assert!(check_token(&"x".repeat(257)).is_err());
        assert!(check_token(&"x".repeat(16)).is_ok());
        assert!(check_token("ééééééééééééééééé").is_err(), "not ASCII");
    }

    #[test]
    fn the_memory_of_checked_tokens_is_bounded() {
        let v = Verified::default();
        for i in 0..(MAX_REMEMBERED + 10) {
            let mut lookup = [0u8; 32];
            lookup[..8].copy_from_slice(&(i as u64).to_le_bytes());
            v.remember(lookup, "h".into());
            assert!(v.0.lock().unwrap().len() <= MAX_REMEMBERED);
        }
        let mut last = [0u8; 32];
        last[..8].copy_from_slice(&((MAX_REMEMBERED + 9) as u64).to_le_bytes());
        assert!(v.knows(&last, "h"));
        assert!(!v.knows(&last, "another hash"));
    }

    #[test]
    fn names_addresses_and_team_identifiers() {
        assert!(check_user_name("Ann Lee").is_ok());
        assert!(check_user_name(" ann").is_err());
        assert!(check_user_name("").is_err());
        assert!(check_user_name("a\nb").is_err());
        assert!(check_user_name(&"a".repeat(65)).is_err());
        assert!(check_user_name("anonymous").is_err());
        assert!(check_user_name("api USER").is_err());
        assert!(check_email("ann@example.com").is_ok());
        for bad in [
            "ann",
            "@example.com",
            "ann@",
            "ann@localhost",
            "a b@example.com",
            "ann@example.com\r\nBcc: eve@evil.test",
            "<ann@example.com>",
            "a@b@example.com",
        ] {
            assert!(check_email(bad).is_err(), "{bad:?}");
        }
        assert!(check_team_id("payments-eu.1").is_ok());
        assert!(check_team_id("Payments").is_err());
        assert!(check_team_id("a/b").is_err());
    }
}
