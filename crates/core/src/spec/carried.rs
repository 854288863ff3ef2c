//! Which requests carry each credential the user entered, so that none is
//! silently ignored: a credential no request carries is sent with every
//! request when the specification declares no security at all (as scanners
//! do with credentials they are given), and otherwise named in a Warning
//! that says what the operations use instead and how to send it anyway.

use crate::diagnostic::{Diagnostic, Severity};
use crate::encode::base64;
use crate::limits::{Limit, Limits};
use crate::options::ScanAuth;
use crate::plan::{AuthPlan, Location, RequestPlan};
use crate::text;

/// The scheme named on credentials sent although no scheme asks for them.
pub const UNDECLARED: &str = "your credentials (the specification declares no security)";

/// How the notes of [`account`] begin, one per kind of credential (the
/// labels of [`Credential::label`]).
const BEARER: &str = "Your bearer token";
const BASIC: &str = "Your HTTP Basic user name and password";
const API_KEY: &str = "Your API key for `";

/// Whether a diagnostic is one of [`account`]'s notes about a credential.
pub fn is_credential_note(d: &Diagnostic) -> bool {
    d.pointer.is_empty()
        && [BEARER, BASIC, API_KEY]
            .iter()
            .any(|p| d.message.starts_with(p))
}

/// One credential the user entered.
enum Credential<'a> {
    Bearer(&'a str),
    Basic(&'a str, &'a str),
    /// An API key, by the name of its security scheme.
    ApiKey(&'a str),
}

impl Credential<'_> {
    /// How the notes name it.
    fn label(&self) -> String {
        match self {
            Credential::Bearer(_) => BEARER.to_owned(),
            Credential::Basic(..) => BASIC.to_owned(),
            Credential::ApiKey(scheme) => format!("{API_KEY}{scheme}`"),
        }
    }

    /// Whether a request's credential is this one.
    fn carried_by(&self, p: &AuthPlan) -> bool {
        let header = |prefix: &str| p.location == Location::Header && p.value.starts_with(prefix);
        !p.placeholder
            && match self {
                Credential::Bearer(_) => header("Bearer "),
                Credential::Basic(..) => header("Basic "),
                Credential::ApiKey(scheme) => p.scheme == *scheme,
            }
    }

    /// The `Authorization` value it becomes when sent with every request,
    /// if it can be (an API key's place is unknown without its scheme).
    fn authorization(&self) -> Option<String> {
        match self {
            Credential::Bearer(token) => Some(format!("Bearer {token}")),
            Credential::Basic(user, password) => Some(format!(
                "Basic {}",
                base64(format!("{user}:{password}").as_bytes())
            )),
            Credential::ApiKey(_) => None,
        }
    }
}

/// The credentials entered, bearer first (it takes `Authorization` before basic).
fn credentials(auth: &ScanAuth) -> Vec<Credential<'_>> {
    let mut out = Vec::new();
    out.extend(auth.bearer.as_deref().map(Credential::Bearer));
    out.extend(auth.basic.as_ref().map(|(u, p)| Credential::Basic(u, p)));
    out.extend(auth.api_keys.keys().map(|k| Credential::ApiKey(k)));
    out
}

/// Accounts for every credential in `auth` over `plans`, adding the
/// undeclared ones to every request where the specification declares no
/// security (`declares_security` false and no request has credentials), and
/// reporting the rest.
pub(crate) fn account(
    plans: &mut [RequestPlan],
    auth: &ScanAuth,
    declares_security: bool,
    limits: &Limits,
    diags: &mut Vec<Diagnostic>,
) {
    if plans.is_empty() {
        return;
    }
    let none_declared = !declares_security && plans.iter().all(|p| p.auth.is_empty());
    let total = plans.len();
    // The Authorization header can carry one credential; the first entered
    // (bearer before basic) takes it.
    let mut authorization_taken = false;
    for credential in credentials(auth) {
        let carried = plans
            .iter()
            .filter(|p| p.auth.iter().any(|a| credential.carried_by(a)))
            .count();
        let label = &credential.label();
        if carried == total {
            diags.push(Diagnostic::new(
                Severity::Information,
                "",
                format!(
                    "{label} is sent with all {} requests, as the security schemes of the operations ask ({}).",
                    crate::limits::thousands(total as u64),
                    schemes_used(plans)
                ),
            ));
            continue;
        }
        if carried > 0 {
            diags.push(Diagnostic::new(
                Severity::Information,
                "",
                format!(
                    "{label} is sent with {carried} of {}; the others need no credentials or use other security schemes ({}).",
                    text::count(total as u64, "request", "requests"),
                    schemes_used(plans)
                ),
            ));
            continue;
        }
        let authorization = credential.authorization();
        // What adding it to every request costs, as a credentials
        // placeholder is counted (its value, name and comment): within the
        // requests' budget, however large the value or many the requests.
        let cost = |value: &str| (value.len() as u64 + 400).saturating_mul(total as u64);
        match (&authorization, none_declared) {
            (Some(value), true) if !authorization_taken && cost(value) > limits.har_bytes => {
                diags.push(Diagnostic::new(
                    Severity::Warning,
                    "",
                    format!(
                        "{label} is sent with no request: added to {} it would pass the size they may take together ({}). Shorten it, or raise the limit.",
                        match total {
                            1 => "the one request".to_owned(),
                            n => format!("each of the {}", text::count(n as u64, "request", "requests")),
                        },
                        Limit::HarBytes.cite(limits)
                    ),
                ));
            }
            (Some(value), true) if !authorization_taken => {
                authorization_taken = true;
                for plan in plans.iter_mut() {
                    plan.auth.push(AuthPlan {
                        location: Location::Header,
                        name: "Authorization".into(),
                        value: value.clone(),
                        scheme: UNDECLARED.into(),
                        placeholder: false,
                    });
                }
                diags.push(Diagnostic::new(
                    Severity::Information,
                    "",
                    format!(
                        "{label} is sent with every request as the `Authorization` header: the specification declares no security scheme, so prescan cannot tell which operations need it."
                    ),
                ));
            }
            (Some(_), true) => diags.push(Diagnostic::new(
                Severity::Warning,
                "",
                format!(
                    "{label} is sent with no request: the `Authorization` header already carries another credential you entered. Enter only one, or send this one as a custom header under another name."
                ),
            )),
            (None, true) => diags.push(Diagnostic::new(
                Severity::Warning,
                "",
                format!(
                    "{label} is sent with no request: the specification declares no security scheme of that name, so prescan does not know where the key goes. Send it as a custom header or cookie instead."
                ),
            )),
            (_, false) => diags.push(Diagnostic::new(
                Severity::Warning,
                "",
                format!(
                    "{label} is sent with no request: {}. To send it anyway, add it as a custom header{}.",
                    match schemes_used(plans) {
                        used if used.is_empty() => "no operation requires credentials".to_owned(),
                        used => format!("the operations use other security schemes ({used})"),
                    },
                    if authorization.is_some() {
                        " (`Authorization`)"
                    } else {
                        " or cookie"
                    }
                ),
            )),
        }
    }
}

/// The security schemes the requests use, named once each, in order.
fn schemes_used(plans: &[RequestPlan]) -> String {
    let mut names: Vec<&str> = Vec::new();
    for a in plans.iter().flat_map(|p| &p.auth) {
        if !names.contains(&a.scheme.as_str()) {
            names.push(&a.scheme);
        }
    }
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
