//! Credentials out of what the API returns. A prescan's report holds the
//! requests as sent (its plan's headers and HAR entries), credentials
//! included; the API never returns a credential, so the server answers with
//! [`redact_report`]'s copy.

use serde_json::Value;

use super::PrescanReport;
use crate::ScanAuth;

/// What replaces a secret.
pub const REDACTED: &str = "***";

/// The secret strings of `auth`, longest first: the bearer token, the basic
/// password and its `user:password` base64, API key, custom header and
/// cookie values, the OAuth 2.0 client secret, password and client Basic
/// value (each also percent-encoded). Tokens an OAuth 2.0 run received are
/// redacted by the run itself ([`super::PrescanRun::report`]). Empty values are left out.
pub fn secrets(auth: &ScanAuth) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    out.extend(auth.bearer.clone());
    if let Some((user, password)) = &auth.basic {
        out.push(password.clone());
        out.push(crate::encode::base64(
            format!("{user}:{password}").as_bytes(),
        ));
    }
    out.extend(auth.api_keys.values().cloned());
    out.extend(auth.custom_headers.iter().map(|(_, v)| v.clone()));
    out.extend(auth.custom_cookies.iter().map(|(_, v)| v.clone()));
    if let Some(oauth) = &auth.oauth {
        out.extend(oauth.secrets());
    }
    let encoded: Vec<String> = out
        .iter()
        .map(|s| crate::encode::percent_encode(s))
        .collect();
    out.extend(encoded);
    out.retain(|s| !s.is_empty());
    out.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
    out.dedup();
    out
}

/// Replaces every secret in every string of `value` (keys too are left as
/// they are) by [`REDACTED`]: a string equal to a secret, and, for secrets
/// of 4 characters or more, every occurrence inside a string.
pub fn redact_json(value: &mut Value, secrets: &[String]) {
    match value {
        Value::String(s) => {
            for secret in secrets {
                if s == secret {
                    *s = REDACTED.to_string();
                } else if secret.chars().count() >= 4 && s.contains(secret.as_str()) {
                    *s = s.replace(secret.as_str(), REDACTED);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|v| redact_json(v, secrets)),
        Value::Object(o) => o.values_mut().for_each(|v| redact_json(v, secrets)),
        _ => {}
    }
}

/// `report` with the credentials of `auth` replaced by [`REDACTED`]
/// wherever they appear (request headers, URLs, cookies, bodies, response
/// bodies that echo them). The report stays usable: its rows, connection,
/// status, notes and HAR are those of the original.
pub fn redact_report(report: &PrescanReport, auth: &ScanAuth) -> PrescanReport {
    let secrets = secrets(auth);
    if secrets.is_empty() {
        return report.clone();
    }
    let Ok(mut v) = serde_json::to_value(report) else {
        return report.clone();
    };
    redact_json(&mut v, &secrets);
    serde_json::from_value(v).unwrap_or_else(|_| report.clone())
}
