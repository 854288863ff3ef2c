//! One request → an endpoint and its request plan: the method, the URL
//! (path variables `:name` → `{name}`), query parameters and headers sent
//! verbatim, the body and the credentials.

use serde_json::{json, Value};

use super::url::compose_url;
use super::{scalar_text, Reader};
use crate::diagnostic::{Diagnostic, Severity};
use crate::plan::{Location, Method, ParamPlan, RequestPlan, Style};
use crate::refs::join;
use crate::spec::Endpoint;

impl Reader<'_> {
    pub(super) fn request(
        &mut self,
        name: &str,
        request: &Value,
        pointer: &str,
        auth: Option<&Value>,
    ) {
        pointer.clone_into(&mut self.at);
        let limits = &self.options.limits;
        if self.out.endpoints.len() as u64 >= limits.endpoints {
            if !std::mem::replace(&mut self.endpoints_reported, true) {
                self.diags
                    .push(crate::spec::endpoints_left_out(limits, pointer));
            }
            return;
        }
        let label = if name.is_empty() {
            "This request".to_owned()
        } else {
            format!("The request `{name}`")
        };
        let (method_text, url_value) = match request {
            Value::String(url) => ("GET".to_owned(), Value::String(url.clone())),
            Value::Object(m) => (
                m.get("method")
                    .and_then(Value::as_str)
                    .unwrap_or("GET")
                    .to_owned(),
                m.get("url").cloned().unwrap_or(Value::Null),
            ),
            _ => {
                self.diags.push(Diagnostic::new(
                    Severity::Error,
                    pointer,
                    format!("{label} is not a Request object; it is left out."),
                ));
                return;
            }
        };
        let Some(method) = Method::parse(&method_text) else {
            self.diags.push(Diagnostic::new(
                Severity::Warning,
                join(pointer, "method"),
                format!("{label} uses the method `{method_text}`, which prescan does not convert; it is left out."),
            ));
            return;
        };
        // The URL: raw text (query stripped when the structured query is given).
        let (raw, query_items, path_vars) = match &url_value {
            Value::String(s) => (s.clone(), None, None),
            Value::Object(u) => {
                let raw = match u.get("raw").and_then(Value::as_str) {
                    Some(r) => r.to_owned(),
                    None => compose_url(u),
                };
                (
                    raw,
                    u.get("query").and_then(Value::as_array),
                    u.get("variable").and_then(Value::as_array),
                )
            }
            _ => (String::new(), None, None),
        };
        let raw = raw.trim().to_owned();
        if raw.is_empty() {
            self.diags.push(Diagnostic::new(
                Severity::Warning,
                join(pointer, "url"),
                format!("{label} has no URL; it is left out."),
            ));
            return;
        }
        let raw = raw.split('#').next().unwrap_or("").to_owned();
        let (before_query, raw_query) = match raw.split_once('?') {
            Some((b, q)) => (b.to_owned(), Some(q.to_owned())),
            None => (raw.clone(), None),
        };
        let Some((base_url, path)) = self.locate(&before_query, pointer, &label) else {
            return;
        };
        let mut params = Vec::new();
        // Path variables `:name` → `{name}`.
        let mut template = String::with_capacity(path.len());
        for (i, segment) in path.split('/').enumerate() {
            if i > 0 {
                template.push('/');
            }
            match segment.strip_prefix(':').filter(|n| !n.is_empty()) {
                Some(var) => {
                    let value = path_vars.and_then(|vars| {
                        vars.iter()
                            .find(|v| v.get("key").and_then(Value::as_str) == Some(var))
                            .map(|v| scalar_text(v.get("value")))
                    });
                    match value {
                        Some(v) => {
                            let v = self.subst(&v);
                            template.push_str(&format!("{{{var}}}"));
                            params.push(verbatim(var, Location::Path, v));
                        }
                        None => template.push_str(segment),
                    }
                }
                None => template.push_str(segment),
            }
        }
        // Query.
        match query_items {
            Some(items) => {
                for q in items {
                    if q.get("disabled").and_then(Value::as_bool) == Some(true) {
                        continue;
                    }
                    let Some(key) = q.get("key").and_then(Value::as_str) else {
                        continue;
                    };
                    let key = self.subst(key);
                    let value = self.subst(&scalar_text(q.get("value")));
                    params.push(verbatim(&key, Location::Query, value));
                }
            }
            None => {
                for pair in raw_query.iter().flat_map(|q| q.split('&')) {
                    if pair.is_empty() {
                        continue;
                    }
                    let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                    let (k, v) = (self.subst(k), self.subst(v));
                    params.push(verbatim(&k, Location::Query, v));
                }
            }
        }
        // Headers.
        let mut content_type = None;
        let headers = match request.get("header") {
            Some(Value::Array(h)) => h.clone(),
            Some(Value::String(s)) => s
                .lines()
                .filter_map(|l| l.split_once(':'))
                .map(|(k, v)| json!({"key": k.trim(), "value": v.trim()}))
                .collect(),
            _ => Vec::new(),
        };
        for h in &headers {
            if h.get("disabled").and_then(Value::as_bool) == Some(true) {
                continue;
            }
            let Some(key) = h.get("key").and_then(Value::as_str) else {
                continue;
            };
            let key = self.subst(key).trim().to_owned();
            let value = self.subst(&scalar_text(h.get("value")));
            if key.is_empty() {
                continue;
            }
            if key.eq_ignore_ascii_case("content-type") {
                content_type = Some(value);
                continue;
            }
            params.push(verbatim(&key, Location::Header, value));
        }
        let body = request
            .get("body")
            .and_then(|b| self.body(b, content_type.clone(), &join(pointer, "body"), &label));
        let auth_plans = match auth {
            Some(a) => self.auth(a, pointer),
            None => Vec::new(),
        };
        let parameter_count = params.len();
        let endpoint = Endpoint {
            method,
            path: template.clone(),
            operation_id: None,
            summary: (!name.is_empty()).then(|| name.to_owned()),
            parameter_count,
            auth_required: !auth_plans.is_empty(),
            deprecated: false,
            pointer: pointer.to_owned(),
            tags: Vec::new(),
            scope: crate::scope::ScopeDecision::Include,
            user_values: Vec::new(),
        };
        let comment = if name.is_empty() {
            format!("{method} {template}")
        } else {
            name.to_owned()
        };
        self.out.endpoints.push(endpoint);
        self.out.requests.push(RequestPlan {
            method,
            base_url,
            path: template,
            comment,
            params,
            body,
            accept: None,
            auth: auth_plans,
        });
    }
}

fn verbatim(name: &str, location: Location, value: String) -> ParamPlan {
    ParamPlan {
        name: name.to_owned(),
        location,
        style: Style::Simple,
        explode: false,
        allow_reserved: true,
        value: Value::String(value).into(),
        verbatim: true,
    }
}
