//! Auth → credentials placeholders: API key (header or query), basic,
//! bearer, OAuth 2 and JWT (as a bearer token); the user's credentials
//! win, else the collection's own when they are concrete, else a
//! placeholder.

use serde_json::Value;

use super::{scalar_text, Reader};
use crate::diagnostic::{Diagnostic, Severity};
use crate::plan::{AuthPlan, Location};
use crate::spec::auth::{self, Kind};

/// The value of an auth parameter: lists of `{key, value}` (2.1) or a
/// mapping (2.0).
fn auth_param(params: Option<&Value>, key: &str) -> Option<String> {
    match params? {
        Value::Array(items) => items
            .iter()
            .find(|p| p.get("key").and_then(Value::as_str) == Some(key))
            .map(|p| scalar_text(p.get("value"))),
        Value::Object(m) => m.get(key).map(|v| scalar_text(Some(v))),
        _ => None,
    }
}

impl Reader<'_> {
    pub(super) fn auth(&mut self, a: &Value, pointer: &str) -> Vec<AuthPlan> {
        let Some(kind) = a.get("type").and_then(Value::as_str) else {
            return Vec::new();
        };
        let params = a.get(kind);
        let param = |k: &str| auth_param(params, k);
        let user = &self.options.auth;
        let concrete = |v: &Option<String>| {
            v.as_ref()
                .filter(|s| !s.is_empty() && !s.contains("{{"))
                .cloned()
        };
        match kind {
            "noauth" => Vec::new(),
            "apikey" => {
                let name = self.subst(&param("key").unwrap_or_else(|| "api_key".into()));
                let location = match param("in").as_deref() {
                    Some("query") => Location::Query,
                    _ => Location::Header,
                };
                let kind = Kind::ApiKey {
                    location,
                    name: name.clone(),
                };
                let mut plan = auth::plan("Postman API key", &name, &kind, user);
                let own = param("value").map(|v| self.subst(&v));
                if let (true, Some(v)) = (plan.placeholder, concrete(&own)) {
                    plan.value = v;
                    plan.placeholder = false;
                }
                vec![plan]
            }
            "basic" => {
                let mut plan = auth::plan("Postman basic auth", "", &Kind::Basic, user);
                let u = param("username").map(|v| self.subst(&v));
                let p = param("password").map(|v| self.subst(&v));
                if let (true, Some(u)) = (plan.placeholder, concrete(&u)) {
                    let p = p.filter(|p| !p.contains("{{")).unwrap_or_default();
                    plan.value = format!(
                        "Basic {}",
                        crate::encode::base64(format!("{u}:{p}").as_bytes())
                    );
                    plan.placeholder = false;
                }
                vec![plan]
            }
            "bearer" | "oauth2" | "jwt" => {
                let mut plan = auth::plan(&format!("Postman {kind} auth"), "", &Kind::Bearer, user);
                let key = if kind == "bearer" {
                    "token"
                } else {
                    "accessToken"
                };
                let own = param(key).map(|v| self.subst(&v));
                if let (true, Some(v)) = (plan.placeholder, concrete(&own)) {
                    plan.value = format!("Bearer {v}");
                    plan.placeholder = false;
                }
                vec![plan]
            }
            other => {
                self.diags.push(Diagnostic::new(
                    Severity::Warning,
                    pointer,
                    format!("The `{other}` auth of this request is not converted, so it is sent without credentials. Configure the authentication in the scan (basic, custom headers or OAuth 2.0)."),
                ));
                Vec::new()
            }
        }
    }
}
