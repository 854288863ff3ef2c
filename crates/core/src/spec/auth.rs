//! Credentials: the user's (from [`ScanAuth`]) where given, clearly marked
//! placeholders otherwise. Secrets never go into diagnostics.

use crate::diagnostic::{Diagnostic, Severity};
use crate::encode::base64;
use crate::options::{validate_header_name, ScanAuth};
use crate::plan::{AuthPlan, Location};

/// What a security scheme asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Kind {
    /// An API key in a header, query parameter or cookie.
    ApiKey { location: Location, name: String },
    /// HTTP Basic.
    Basic,
    /// A bearer token (HTTP bearer, OAuth 2, OpenID Connect).
    Bearer,
    /// Another HTTP scheme (`Digest`, ...): a placeholder only.
    OtherHttp(String),
}

/// The credentials of one scheme: the user's when given, else a
/// placeholder. `key` is the name `ScanAuth::api_keys` is looked up by.
pub(crate) fn plan(scheme: &str, key: &str, kind: &Kind, auth: &ScanAuth) -> AuthPlan {
    let header = |value: String, placeholder: bool| AuthPlan {
        location: Location::Header,
        name: "Authorization".into(),
        value,
        scheme: scheme.to_owned(),
        placeholder,
    };
    match kind {
        Kind::ApiKey { location, name } => {
            let given = auth.api_keys.get(key);
            AuthPlan {
                location: *location,
                name: name.clone(),
                value: given
                    .cloned()
                    .unwrap_or_else(|| format!("<API key: {scheme}>")),
                scheme: scheme.to_owned(),
                placeholder: given.is_none(),
            }
        }
        Kind::Basic => match &auth.basic {
            Some((user, password)) => header(
                format!("Basic {}", base64(format!("{user}:{password}").as_bytes())),
                false,
            ),
            None => header(format!("Basic {}", base64(b"username:password")), true),
        },
        Kind::Bearer => match &auth.bearer {
            Some(token) => header(format!("Bearer {token}"), false),
            None => header("Bearer <token>".into(), true),
        },
        Kind::OtherHttp(label) => header(format!("{label} <credentials>"), true),
    }
}

/// Whether the user gave credentials for a scheme (including a custom
/// header or cookie of the name the scheme uses).
pub(crate) fn given(key: &str, kind: &Kind, auth: &ScanAuth) -> bool {
    let custom_header = |n: &str| {
        auth.custom_headers
            .iter()
            .any(|(h, _)| h.trim_matches(' ').eq_ignore_ascii_case(n))
    };
    match kind {
        Kind::ApiKey { location, name } => {
            auth.api_keys.contains_key(key)
                || match location {
                    Location::Header => custom_header(name),
                    Location::Cookie => auth.custom_cookies.iter().any(|(c, _)| c == name),
                    _ => false,
                }
        }
        Kind::Basic => auth.basic.is_some() || custom_header("Authorization"),
        Kind::Bearer => auth.bearer.is_some() || custom_header("Authorization"),
        Kind::OtherHttp(_) => custom_header("Authorization"),
    }
}

/// Reports custom headers Veracode refuses (they are left out of requests).
pub(crate) fn check_custom(auth: &ScanAuth, diags: &mut Vec<Diagnostic>) {
    for (name, _) in &auth.custom_headers {
        if let Err(why) = validate_header_name(name) {
            diags.push(Diagnostic::new(
                Severity::Error,
                "",
                format!("Custom header left out of every request: {why}"),
            ));
        }
    }
    for (name, _) in &auth.custom_cookies {
        if !cookie_name_ok(name) {
            diags.push(Diagnostic::new(
                Severity::Error,
                "",
                format!(
                    "Custom cookie `{}` left out of every request: a cookie name needs printable ASCII characters without `=`, `;`, `,` or quotes.",
                    name.escape_debug()
                ),
            ));
        }
    }
}

/// Whether a custom cookie name is usable.
pub(crate) fn cookie_name_ok(name: &str) -> bool {
    crate::options::validate_cookie_name(name).is_ok()
}
