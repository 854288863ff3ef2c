//! Security requirements → credentials placeholders: each `security` value
//! read once (the root's applies to every operation), the alternative
//! chosen (the one the user gave credentials for first), each scheme read
//! once, and what it asks for.

use openapiv3::{APIKeyLocation, SecurityRequirement, SecurityScheme};
use serde::Deserialize;
use serde_json::Value;

use super::Reader;
use crate::diagnostic::{Diagnostic, Severity};
use crate::plan::{AuthPlan, Location};
use crate::refs::join;
use crate::spec::auth::{self, Kind};
use crate::spec::wording::plain;
use crate::spec::SpecFormat;

impl<'r, 'a> Reader<'r, 'a> {
    /// Whether auth is required, and the credentials of the requirement
    /// chosen: among the alternatives that can be satisfied (every scheme
    /// defined and one prescan can express), the first the user gave all
    /// credentials for, else the first the user gave some for, else the
    /// first. An empty alternative (`{}`: no auth) is used only when no
    /// other can be satisfied.
    pub(super) fn security(&mut self, value: &'a Value, pointer: &str) -> (bool, Vec<AuthPlan>) {
        let key = value as *const Value;
        let (required, chosen) = match self.requirements.get(&key) {
            Some(known) => known.clone(),
            None => {
                let read = self.requirement(value, pointer);
                self.requirements.insert(key, read.clone());
                read
            }
        };
        let auth = &self.options.auth;
        let mut plans = Vec::new();
        for (name, kind) in chosen.iter().flatten() {
            let Some(kind) = kind else { continue };
            let plan = auth::plan(name, name, kind, auth);
            // Each placeholder becomes a header, query parameter or cookie
            // of the request, with a comment of ~120 bytes: counted as held
            // in the plan and in the HAR.
            let size = (2 * (plan.name.len() + plan.value.len() + plan.scheme.len()) + 320) as u64;
            if !self.sampler.charge_har(size, pointer, self.diags) {
                break;
            }
            plans.push(plan);
        }
        (required, plans)
    }

    /// Reads a `security` value: whether it requires credentials, and the
    /// alternative to send (the first the user gave credentials for, else
    /// the first that can be sent).
    fn requirement(&mut self, value: &'a Value, pointer: &str) -> (bool, Option<Alternative>) {
        let requirements = match Vec::<SecurityRequirement>::deserialize(value) {
            Ok(r) => r,
            Err(e) => {
                self.diags.push(Diagnostic::new(
                    Severity::Error,
                    pointer,
                    format!("`security` could not be read: {}. It must be a list of mappings from scheme names to scopes; it is ignored.", plain(&e.to_string())),
                ));
                return (false, None);
            }
        };
        let required = !requirements.is_empty() && requirements.iter().all(|r| !r.is_empty());
        // Each alternative: its schemes (name, kind; None: nothing to send).
        let mut alternatives: Vec<(Alternative, bool)> = Vec::new();
        for r in requirements.iter().filter(|r| !r.is_empty()) {
            let mut schemes = Vec::new();
            let mut satisfiable = true;
            for name in r.keys() {
                match self.scheme(name, pointer) {
                    Some(Some(s)) => schemes.push((name.clone(), Some(kind_of(&s)))),
                    Some(None) => schemes.push((name.clone(), None)),
                    None => satisfiable = false,
                }
            }
            alternatives.push((schemes, satisfiable));
        }
        let auth = &self.options.auth;
        let count_given = |schemes: &[(String, Option<Kind>)]| {
            schemes
                .iter()
                .filter(|(n, k)| k.as_ref().is_some_and(|k| auth::given(n, k, auth)))
                .count()
        };
        let satisfiable: Vec<&Alternative> = alternatives
            .iter()
            .filter(|(_, ok)| *ok)
            .map(|(s, _)| s)
            .collect();
        let chosen = satisfiable
            .iter()
            .find(|s| {
                let wanted = s.iter().filter(|(_, k)| k.is_some()).count();
                wanted > 0 && count_given(s) == wanted
            })
            .or_else(|| satisfiable.iter().find(|s| count_given(s) > 0))
            .or_else(|| satisfiable.first())
            .copied()
            .or_else(|| {
                if requirements.iter().any(|r| r.is_empty()) {
                    None
                } else {
                    alternatives.first().map(|(s, _)| s)
                }
            })
            .cloned();
        (required, chosen)
    }

    /// A security scheme by name: `None` when it is not defined or cannot
    /// be read (reported), `Some(None)` when it sends nothing (mutual TLS).
    fn scheme(&mut self, name: &str, pointer: &str) -> Option<Option<SecurityScheme>> {
        if let Some(cached) = self.schemes.get(name) {
            return cached.clone();
        }
        let scheme_pointer = join("/components/securitySchemes", name);
        let raw = self.resolver.root().pointer(&scheme_pointer);
        let found = match raw.and_then(|r| {
            self.resolver
                .deref_or_report(r, &scheme_pointer, self.diags)
        }) {
            None => {
                self.diags.push(Diagnostic::new(
                    Severity::Warning,
                    pointer,
                    format!("The security scheme `{name}` is not defined in `components.securitySchemes`, so no credentials placeholder is added for it."),
                ));
                None
            }
            Some(raw) if raw.get("type").and_then(Value::as_str) == Some("mutualTLS") => {
                self.diags.push(Diagnostic::new(
                    Severity::Information,
                    scheme_pointer,
                    format!("The security scheme `{name}` is mutual TLS: requests carry no credentials; configure a client certificate for the scan."),
                ));
                Some(None)
            }
            Some(raw) => match SecurityScheme::deserialize(raw) {
                Ok(s) => Some(Some(s)),
                Err(e) => {
                    let what = if self.format == SpecFormat::OpenApi2 {
                        "security definition"
                    } else {
                        "security scheme"
                    };
                    self.diags.push(Diagnostic::new(
                        Severity::Error,
                        scheme_pointer,
                        format!("The {what} `{name}` could not be read: {}. No credentials placeholder is added for it.", plain(&e.to_string())),
                    ));
                    None
                }
            },
        };
        self.schemes.insert(name.to_owned(), found.clone());
        found
    }
}

/// One alternative of a security requirement: its schemes by name, with
/// what each asks for (`None`: nothing to send, as with mutual TLS).
pub(super) type Alternative = Vec<(String, Option<Kind>)>;

/// What a security scheme asks for.
fn kind_of(scheme: &SecurityScheme) -> Kind {
    match scheme {
        SecurityScheme::APIKey { location, name, .. } => Kind::ApiKey {
            location: match location {
                APIKeyLocation::Header => Location::Header,
                APIKeyLocation::Query => Location::Query,
                APIKeyLocation::Cookie => Location::Cookie,
            },
            name: name.clone(),
        },
        SecurityScheme::HTTP { scheme, .. } => match scheme.to_ascii_lowercase().as_str() {
            "basic" => Kind::Basic,
            "bearer" => Kind::Bearer,
            other => {
                let mut label = other.to_owned();
                if let Some(first) = label.get_mut(..1) {
                    first.make_ascii_uppercase();
                }
                Kind::OtherHttp(label)
            }
        },
        SecurityScheme::OAuth2 { .. } | SecurityScheme::OpenIDConnect { .. } => Kind::Bearer,
    }
}
