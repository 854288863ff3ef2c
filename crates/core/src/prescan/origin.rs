//! Origins (scheme, host, port) and the URLs a prescan may send to.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The origin of an `http` or `https` URL, as browsers compare them: the
/// scheme and host in lower case and the port, with the scheme's default
/// port filled in.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Origin {
    /// `http` or `https`.
    pub scheme: String,
    /// The host name or address, in lower case (IPv6 in brackets).
    pub host: String,
    /// The port (80 or 443 when the URL names none).
    pub port: u16,
}

/// Why a URL cannot be sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UrlError {
    /// Not a URL a browser can fetch.
    Malformed,
    /// A relative URL and no server to resolve it against.
    Relative,
}

impl Origin {
    /// The origin of an absolute `http`/`https` URL; `None` for anything
    /// else (relative, another scheme, no host, a bad port, credentials in
    /// the URL, white space or control characters).
    pub fn of(url: &str) -> Option<Origin> {
        let (scheme, rest) = url.split_once("://")?;
        let scheme = scheme.to_ascii_lowercase();
        let default_port = match scheme.as_str() {
            "http" => 80,
            "https" => 443,
            _ => return None,
        };
        if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return None;
        }
        let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
        if authority.contains('@') {
            return None; // fetch refuses URLs with credentials
        }
        let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
            let (inside, after) = v6.split_once(']')?;
            if inside.is_empty()
                || !inside
                    .chars()
                    .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')
            {
                return None;
            }
            let port = if after.is_empty() {
                None
            } else {
                Some(after.strip_prefix(':')?)
            };
            (format!("[{}]", inside.to_ascii_lowercase()), port)
        } else {
            match authority.rsplit_once(':') {
                Some((h, p)) => (h.to_ascii_lowercase(), Some(p)),
                None => (authority.to_ascii_lowercase(), None),
            }
        };
        if host.is_empty()
            || !host.chars().all(|c| {
                c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '[' | ']' | ':' | '%')
            })
        {
            return None;
        }
        let port = match port {
            None | Some("") => default_port,
            Some(p) if p.bytes().all(|b| b.is_ascii_digit()) && p.len() <= 5 => p.parse().ok()?,
            Some(_) => return None,
        };
        Some(Origin { scheme, host, port })
    }
}

impl fmt::Display for Origin {
    /// `https://api.example.com`, with `:port` only when it is not the
    /// scheme's default.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let default = matches!(
            (self.scheme.as_str(), self.port),
            ("http", 80) | ("https", 443)
        );
        if default {
            write!(f, "{}://{}", self.scheme, self.host)
        } else {
            write!(f, "{}://{}:{}", self.scheme, self.host, self.port)
        }
    }
}

/// Resolves `url` against the server: an absolute URL as it is; `//host/…`
/// with the server's scheme; `/path` against its origin; any other relative
/// URL against `base` (the base URL, path included). Returns the URL to send
/// and its origin.
pub(crate) fn resolve(
    url: &str,
    origin: Option<&Origin>,
    base: Option<&str>,
) -> Result<(String, Origin), UrlError> {
    let url = url.trim();
    if url.is_empty() {
        return Err(UrlError::Malformed);
    }
    let absolute = if url.contains("://") {
        url.to_owned()
    } else if let Some(rest) = url.strip_prefix("//") {
        let o = origin.ok_or(UrlError::Relative)?;
        format!("{}://{rest}", o.scheme)
    } else if url.starts_with('/') {
        let o = origin.ok_or(UrlError::Relative)?;
        format!("{o}{url}")
    } else if url
        .split(['/', '?', '#'])
        .next()
        .is_some_and(|s| s.contains(':'))
    {
        // `mailto:x`, `javascript:…`: a scheme, not a path.
        return Err(UrlError::Malformed);
    } else {
        match (base, origin) {
            (Some(b), _) if Origin::of(b).is_some() => {
                format!("{}/{url}", b.trim().trim_end_matches('/'))
            }
            (_, Some(o)) => format!("{o}/{url}"),
            _ => return Err(UrlError::Relative),
        }
    };
    let o = Origin::of(&absolute).ok_or(UrlError::Malformed)?;
    Ok((absolute, o))
}
