//! How the server reaches its SMTP relay: the `--smtp-url` as parsed
//! ([`SmtpUrl`]) and every setting of the delivery ([`Smtp`]). Pure: it
//! reads no file and opens no connection.

use std::net::IpAddr;
use std::time::Duration;

/// How the connection to the relay is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// `smtp://`: a plain connection upgraded with STARTTLS, which is
    /// required (a relay that does not offer it gets nothing); port 587.
    StartTls,
    /// `smtps://`: TLS from the first byte (implicit TLS); port 465.
    Tls,
    /// `smtp+plain://`: no TLS at all; only to a relay on loopback, and
    /// without credentials.
    Plain,
}

impl Security {
    /// Its port when the URL names none.
    pub fn default_port(self) -> u16 {
        match self {
            Security::StartTls => 587,
            Security::Tls => 465,
            Security::Plain => 25,
        }
    }

    /// How the start-up line names it.
    pub fn label(self) -> &'static str {
        match self {
            Security::StartTls => "STARTTLS",
            Security::Tls => "TLS",
            Security::Plain => "no TLS, loopback",
        }
    }
}

/// A relay as `--smtp-url` names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpUrl {
    /// How the connection is protected (the scheme).
    pub security: Security,
    /// The host name or address (an IPv6 address without brackets).
    pub host: String,
    /// The port.
    pub port: u16,
    /// The user to authenticate as, if any (percent-decoded).
    pub user: Option<String>,
}

/// What `--smtp-url` says when the URL holds a password (the URL is not
/// repeated: it holds the password).
pub const PASSWORD_IN_URL: &str = "put no password in the URL (the command line is visible to every user of the machine); give it in a file with --smtp-password-file PATH, or in the environment variable PRESCAN_SMTP_PASSWORD";

const URL_EXAMPLE: &str = "give a URL such as smtp://relay.example.com (STARTTLS, port 587), smtps://user@relay.example.com (TLS, port 465) or smtp+plain://127.0.0.1:2525 (a relay on this machine)";

impl std::str::FromStr for SmtpUrl {
    type Err = String;

    /// Reads `smtp://[user@]host[:port]`, `smtps://...` or
    /// `smtp+plain://...` (see [`Security`]); refuses a password, a path, a
    /// query, and `smtp+plain` to a host that is not loopback.
    fn from_str(s: &str) -> Result<SmtpUrl, String> {
        let url = url::Url::parse(s).map_err(|_| URL_EXAMPLE.to_owned())?;
        if url.password().is_some() {
            return Err(PASSWORD_IN_URL.into());
        }
        let security = match url.scheme() {
            "smtp" => Security::StartTls,
            "smtps" => Security::Tls,
            "smtp+plain" => Security::Plain,
            _ => return Err(URL_EXAMPLE.into()),
        };
        if !matches!(url.path(), "" | "/") || url.query().is_some() || url.fragment().is_some() {
            return Err(format!("{URL_EXAMPLE} (no path or query)"));
        }
        let raw_host = url.host_str().unwrap_or("");
        let bare = raw_host.trim_start_matches('[').trim_end_matches(']');
        let host = match bare.parse::<IpAddr>() {
            Ok(ip) => ip.to_string(),
            Err(_) => {
                let ok = !bare.is_empty()
                    && bare.len() <= 253
                    && bare
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.'));
                if !ok {
                    return Err(format!("{URL_EXAMPLE} (the host is missing or not a name)"));
                }
                bare.to_ascii_lowercase()
            }
        };
        let port = url.port().unwrap_or(security.default_port());
        if port == 0 {
            return Err(format!("{URL_EXAMPLE} (port 0 is no port)"));
        }
        let user = match url.username() {
            "" => None,
            raw => {
                let user = percent_decode(raw)
                    .ok_or("the user in the URL is not valid UTF-8 once decoded")?;
                if user.chars().any(char::is_control) || user.chars().count() > 256 {
                    return Err("the user in the URL has control characters or is too long".into());
                }
                Some(user)
            }
        };
        if security == Security::Plain {
            let loopback =
                host == "localhost" || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback());
            if !loopback {
                return Err(format!(
                    "smtp+plain sends e-mails unencrypted, so it is only for a relay on this machine (127.0.0.1, ::1 or localhost), not {host}; use smtp:// (STARTTLS) or smtps:// (TLS)"
                ));
            }
            if user.is_some() {
                return Err("smtp+plain never sends credentials (they would travel unencrypted); use smtp:// (STARTTLS) or smtps:// (TLS) to authenticate".into());
            }
        }
        Ok(SmtpUrl {
            security,
            host,
            port,
            user,
        })
    }
}

/// Decodes `%XX` escapes (the URL parser leaves the user encoded).
fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = b.get(i + 1..i + 3)?;
            if !hex.iter().all(u8::is_ascii_hexdigit) {
                return None;
            }
            out.push(u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Connecting to the relay, at most (`Smtp::timeout` by default); the
/// whole exchange of one message gets twice this.
pub const DEFAULT_SMTP_TIMEOUT: Duration = Duration::from_secs(30);
/// The first retry of a message the relay did not take.
pub const DEFAULT_RETRY_BASE: Duration = Duration::from_secs(5);
/// The longest wait between two attempts.
pub const DEFAULT_RETRY_MAX: Duration = Duration::from_secs(15 * 60);
/// Attempts of one message at most: with 5 s doubling up to 15 minutes,
/// 100 attempts span about a day.
pub const DEFAULT_MAX_ATTEMPTS: u32 = 100;
/// Messages claimed (and sent) in one round at most.
pub const DEFAULT_BATCH: usize = 10;
/// How often the outbox is looked at without a wake-up (mail enqueued by
/// another process sharing the database, leases that ran out).
pub const DEFAULT_POLL: Duration = Duration::from_secs(30);
/// The longest body of a message, in bytes.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// The e-mail settings (`--smtp-url`, `--smtp-from`, the password, the
/// CA file) and the delivery's budgets (not on the command line: tests
/// shorten the retries).
#[derive(Clone)]
pub struct Smtp {
    /// The relay.
    pub url: SmtpUrl,
    /// The password of `url.user` (`--smtp-password-file` or
    /// `PRESCAN_SMTP_PASSWORD`); never printed.
    pub password: Option<String>,
    /// The sender address (`--smtp-from`).
    pub from: String,
    /// PEM certificates of the CAs trusted for the relay's certificate
    /// instead of the built-in Mozilla roots (`--smtp-ca-file`).
    pub ca_pem: Option<Vec<u8>>,
    /// Connecting, at most; one message's whole exchange gets twice this.
    pub timeout: Duration,
    /// The wait after a first failed attempt; it doubles after each one.
    pub retry_base: Duration,
    /// The longest wait between two attempts.
    pub retry_max: Duration,
    /// Attempts of one message at most; then it is given up (logged once,
    /// kept in the outbox with its last error).
    pub max_attempts: u32,
    /// Messages sent in one round at most.
    pub batch: usize,
    /// How often the outbox is looked at without being woken.
    pub poll: Duration,
}

impl std::fmt::Debug for Smtp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Smtp")
            .field("url", &self.url)
            .field("password", &self.password.as_ref().map(|_| "<hidden>"))
            .field("from", &self.from)
            .field("ca_pem", &self.ca_pem.as_ref().map(Vec::len))
            .field("timeout", &self.timeout)
            .field("retry_base", &self.retry_base)
            .field("retry_max", &self.retry_max)
            .field("max_attempts", &self.max_attempts)
            .field("batch", &self.batch)
            .field("poll", &self.poll)
            .finish()
    }
}

impl Smtp {
    /// The relay `url`, sending from `from`, with the default budgets.
    pub fn new(url: SmtpUrl, from: impl Into<String>) -> Smtp {
        Smtp {
            url,
            password: None,
            from: from.into(),
            ca_pem: None,
            timeout: DEFAULT_SMTP_TIMEOUT,
            retry_base: DEFAULT_RETRY_BASE,
            retry_max: DEFAULT_RETRY_MAX,
            max_attempts: DEFAULT_MAX_ATTEMPTS,
            batch: DEFAULT_BATCH,
            poll: DEFAULT_POLL,
        }
    }

    /// The wait after the `attempts`-th failed attempt (1, 2, ...):
    /// `retry_base` doubled each time, at most `retry_max`.
    pub fn retry_delay(&self, attempts: u32) -> Duration {
        let doublings = attempts.saturating_sub(1).min(40);
        self.retry_base
            .saturating_mul(1u32 << doublings.min(31))
            .min(self.retry_max)
    }

    /// Whether the password and the user go together (a user needs a
    /// password and a password a user); the message names what to give.
    pub fn check_credentials(&self) -> Result<(), String> {
        match (&self.url.user, &self.password) {
            (Some(user), None) => Err(format!(
                "the user {user} needs a password: give it in a file with --smtp-password-file PATH, or in the environment variable PRESCAN_SMTP_PASSWORD"
            )),
            (None, Some(_)) => Err(
                "a password was given but the URL names no user: write it as smtp://USER@host".into(),
            ),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Result<SmtpUrl, String> {
        s.parse()
    }

    #[test]
    fn schemes_ports_and_users() {
        let u = url("smtp://relay.example.com").unwrap();
        assert_eq!(
            (u.security, u.host.as_str(), u.port, u.user),
            (Security::StartTls, "relay.example.com", 587, None)
        );
        let u = url("smtps://ann%40example.com@Relay.Example.com:2465/").unwrap();
        assert_eq!(
            (u.security, u.host.as_str(), u.port),
            (Security::Tls, "relay.example.com", 2465)
        );
        assert_eq!(u.user.as_deref(), Some("ann@example.com"));
        let u = url("smtp+plain://127.0.0.1:2525").unwrap();
        assert_eq!((u.security, u.port), (Security::Plain, 2525));
        assert_eq!(url("smtp+plain://[::1]").unwrap().host, "::1");
        assert!(url("smtp+plain://localhost").is_ok());
        assert_eq!(url("smtp://[2001:db8::1]:25").unwrap().host, "2001:db8::1");
    }

    #[test]
    fn passwords_plain_remote_relays_and_junk_are_refused() {
        let e = url("smtp://ann:s3cret@relay.example.com").unwrap_err();
        assert!(
            e.contains("--smtp-password-file") && !e.contains("s3cret"),
            "{e}"
        );
        let e = url("smtp+plain://relay.example.com").unwrap_err();
        assert!(e.contains("only for a relay on this machine"), "{e}");
        assert!(url("smtp+plain://10.0.0.1").is_err());
        assert!(url("smtp+plain://ann@127.0.0.1")
            .unwrap_err()
            .contains("never sends credentials"));
        for bad in [
            "relay.example.com",
            "http://relay.example.com",
            "smtp://",
            "smtp://relay.example.com/path",
            "smtp://relay.example.com?x=1",
            "smtp://relay.example.com:0",
            "smtp://re%0Alay.example.com",
            "smtp://ann%0D%0A@relay.example.com",
        ] {
            assert!(url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn retries_double_up_to_the_ceiling_and_span_about_a_day() {
        let s = Smtp::new(url("smtp://relay.example.com").unwrap(), "a@example.com");
        assert_eq!(s.retry_delay(1), Duration::from_secs(5));
        assert_eq!(s.retry_delay(2), Duration::from_secs(10));
        assert_eq!(s.retry_delay(9), Duration::from_secs(15 * 60));
        assert_eq!(s.retry_delay(u32::MAX), Duration::from_secs(15 * 60));
        let total: Duration = (1..s.max_attempts).map(|a| s.retry_delay(a)).sum();
        assert!(
            (20..=28).contains(&(total.as_secs() / 3600)),
            "{} h",
            total.as_secs() / 3600
        );
        assert!(!format!(
            "{:?}",
            Smtp {
                password: Some("pw".into()),
                ..s
            }
        )
        .contains("pw\""));
    }
}
