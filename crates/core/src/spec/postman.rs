//! A Postman Collection 2.1 (or 2.0) → endpoints and one [`RequestPlan`]
//! per request.
//!
//! - Requests in nested folders are flattened in order.
//! - `{{variables}}` are replaced with the collection's `variable` values
//!   (nested references too); Postman's dynamic variables (`{{$guid}}`,
//!   `{{$timestamp}}`, `{{$isoTimestamp}}`, `{{$randomInt}}`, ...) get fixed
//!   values so the output is deterministic; unknown variables stay as
//!   written and are reported once.
//! - Path variables (`/users/:id`, values in `url.variable`) become path
//!   parameters (`/users/{id}`), so both HAR styles apply.
//! - Auth (collection, folder or request level; `inherit` and `noauth`):
//!   API key (header or query), basic, bearer, OAuth 2 (as a bearer token).
//!   Credentials in [`crate::ScanAuth`] win; else the collection's own when
//!   they are concrete; else a placeholder.
//! - Bodies: raw (media type from the `Content-Type` header or the raw
//!   language), urlencoded, formdata (files as file fields), GraphQL (as
//!   JSON), file.
//! - A base URL is required, as Veracode requires it: without
//!   `ConvertOptions::base_url` the collection still loads, an Error says a
//!   base URL is needed, and URLs keep the collection's own host (a
//!   `{{baseUrl}}` the collection does not define stays as written). With
//!   one, a URL that starts with a variable (`{{baseUrl}}/pets`) is sent to
//!   the base URL; a URL with a literal host keeps its path and is sent to
//!   the base URL's origin when the hosts match; requests to other hosts
//!   are left out with a Warning.

use std::collections::{BTreeSet, HashMap};

use serde_json::{json, Map, Value};

use super::auth::{self, Kind};
use super::openapi3::{is_absolute, origin, user_base_url};
use super::{Endpoint, Server};
use crate::diagnostic::{Diagnostic, Severity};
use crate::har_types::Param;
use crate::limits::{Limit, Overruns};
use crate::plan::{AuthPlan, BodyPlan, Location, Method, ParamPlan, RequestPlan, Style};
use crate::refs::join;
use crate::ConvertOptions;

/// How deep folders may nest before the rest is left out.
const MAX_FOLDER_DEPTH: usize = 64;
/// How many rounds of variable substitution (variables naming variables).
const MAX_ROUNDS: usize = 8;

/// What a collection holds.
pub(crate) type PostmanOut = super::Reading;

struct Reader<'o> {
    /// The collection's variables by name (the first definition of a name).
    variables: HashMap<String, String>,
    /// The request being read, for diagnostics of limits.
    at: String,
    /// Bytes of text variables expanded to so far (`har_bytes`).
    expanded: u64,
    /// Whether reaching `endpoints` was reported.
    endpoints_reported: bool,
    overruns: Overruns,
    unknown: BTreeSet<String>,
    base: Option<String>,
    options: &'o ConvertOptions,
    diags: Vec<Diagnostic>,
    out: PostmanOut,
    other_hosts: usize,
}

/// Reads a collection.
pub(crate) fn read(
    root: &Map<String, Value>,
    options: &ConvertOptions,
    diags: &mut Vec<Diagnostic>,
) -> PostmanOut {
    let info = root.get("info");
    let text = |k: &str| info.and_then(|i| i.get(k)).and_then(description_text);
    let mut variables = HashMap::new();
    for v in root
        .get("variable")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if v.get("disabled").and_then(Value::as_bool) == Some(true) {
            continue;
        }
        let key = v.get("key").or_else(|| v.get("id")).and_then(Value::as_str);
        if let Some(key) = key {
            variables
                .entry(key.to_owned())
                .or_insert_with(|| scalar_text(v.get("value")));
        }
    }
    let mut reader = Reader {
        variables,
        at: String::new(),
        expanded: 0,
        endpoints_reported: false,
        overruns: Overruns::default(),
        unknown: BTreeSet::new(),
        base: None,
        options,
        diags: Vec::new(),
        out: PostmanOut {
            title: text("name").unwrap_or_default(),
            version: info
                .and_then(|i| i.get("version"))
                .map(|v| match v {
                    Value::String(s) => s.clone(),
                    Value::Object(m) => ["major", "minor", "patch"]
                        .iter()
                        .map(|k| m.get(*k).map(|n| scalar_text(Some(n))).unwrap_or_default())
                        .collect::<Vec<_>>()
                        .join("."),
                    other => scalar_text(Some(other)),
                })
                .unwrap_or_default(),
            description: text("description"),
            servers: Vec::new(),
            endpoints: Vec::new(),
            requests: Vec::new(),
        },
        other_hosts: 0,
    };
    reader.base = user_base_url(options, &mut reader.diags);
    match &reader.base {
        Some(base) => reader.out.servers.push(Server {
            url: base.clone(),
            resolved_url: base.clone(),
            description: Some("The base URL given for the scan".into()),
            variables: Vec::new(),
        }),
        None => reader.diags.push(Diagnostic::new(
            Severity::Error,
            "",
            "A Postman collection needs a base URL: Veracode scans only the requests sent to the base URL's host. Enter the base URL (such as https://api.example.com/v1) when you configure the scan. Until then, the requests shown keep the collection's own URLs (a `{{baseUrl}}` the collection does not define stays as written).",
        )),
    }
    let collection_auth = root.get("auth");
    match root.get("item") {
        Some(Value::Array(items)) => reader.items(items, "/item", collection_auth, 0),
        Some(_) => reader.diags.push(Diagnostic::new(
            Severity::Error,
            "/item",
            "`item` is not a list of requests and folders, so no request can be read.",
        )),
        None => {}
    }
    if reader.out.endpoints.is_empty() {
        reader.diags.push(Diagnostic::new(
            Severity::Warning,
            "/item",
            "The collection has no request a scan can send.",
        ));
    }
    if reader.other_hosts > 0 {
        let base = reader.base.clone().unwrap_or_default();
        reader.diags.push(Diagnostic::new(
            Severity::Information,
            "",
            format!(
                "{} request{} to hosts other than the base URL's ({}) {} left out, as Veracode scans only requests to the base URL's host.",
                reader.other_hosts,
                if reader.other_hosts == 1 { "" } else { "s" },
                host_of(&base),
                if reader.other_hosts == 1 { "is" } else { "are" },
            ),
        ));
    }
    if !reader.unknown.is_empty() {
        let names: Vec<String> = reader
            .unknown
            .iter()
            .map(|n| format!("`{{{{{n}}}}}`"))
            .collect();
        reader.diags.push(Diagnostic::new(
            Severity::Warning,
            "/variable",
            format!(
                "The collection uses variables it does not define, so they stay as written in the requests: {}. Define them in the collection's variables (environment variables are not part of an exported collection).",
                names.join(", ")
            ),
        ));
    }
    if reader.out.servers.is_empty() {
        let mut seen = BTreeSet::new();
        for r in &reader.out.requests {
            if seen.insert(r.base_url.clone()) {
                reader.out.servers.push(Server {
                    url: r.base_url.clone(),
                    resolved_url: r.base_url.clone(),
                    description: None,
                    variables: Vec::new(),
                });
            }
        }
    }
    reader.overruns.finish(&options.limits, &mut reader.diags);
    diags.append(&mut reader.diags);
    reader.out
}

/// `description` may be a string or `{content, type}`.
fn description_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Object(m) => m.get("content").and_then(Value::as_str).map(str::to_owned),
        _ => None,
    }
}

fn scalar_text(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Bool(b)) => b.to_string(),
        Some(other) => serde_json::to_string(other).unwrap_or_default(),
    }
}

/// The host (without port) of a URL or of `host[:port]/...`.
fn host_of(url: &str) -> String {
    let after = url.split_once("://").map_or(url, |(_, r)| r);
    let end = after.find(['/', '?', '#']).unwrap_or(after.len());
    let authority = &after[..end];
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if host.starts_with('[') {
        host.split_inclusive(']').next().unwrap_or(host)
    } else {
        host.split(':').next().unwrap_or(host)
    };
    host.to_ascii_lowercase()
}

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
    fn items(&mut self, items: &[Value], pointer: &str, auth: Option<&Value>, depth: usize) {
        if depth > MAX_FOLDER_DEPTH {
            self.diags.push(Diagnostic::new(
                Severity::Warning,
                pointer,
                format!("Folders nest more than {MAX_FOLDER_DEPTH} levels deep here; the requests below are left out."),
            ));
            return;
        }
        for (i, item) in items.iter().enumerate() {
            let item_pointer = join(pointer, &i.to_string());
            let own_auth = match item.get("auth") {
                Some(Value::Null) | None => auth,
                Some(a) if a.get("type").and_then(Value::as_str) == Some("inherit") => auth,
                Some(a) => Some(a),
            };
            if let Some(Value::Array(children)) = item.get("item") {
                self.items(children, &join(&item_pointer, "item"), own_auth, depth + 1);
            } else if let Some(request) = item.get("request") {
                let name = item.get("name").and_then(Value::as_str).unwrap_or("");
                let request_auth = match request.get("auth") {
                    Some(Value::Null) | None => own_auth,
                    Some(a) if a.get("type").and_then(Value::as_str) == Some("inherit") => own_auth,
                    Some(a) => Some(a),
                };
                self.request(name, request, &join(&item_pointer, "request"), request_auth);
            } else if item.is_object() {
                self.diags.push(Diagnostic::new(
                    Severity::Warning,
                    &item_pointer,
                    "This item is neither a request nor a folder (it has no `request` and no `item`); it is left out.",
                ));
            }
        }
    }

    /// Replaces `{{variables}}`, within the conversion's limits: one text
    /// expands to at most `value_bytes`, all of them together to at most
    /// `har_bytes` (variables that name variables can repeat text
    /// exponentially); what does not fit stays as written, with a
    /// diagnostic that names the limit.
    fn subst(&mut self, text: &str) -> String {
        if !text.contains("{{") {
            return text.to_owned();
        }
        let limits = self.options.limits;
        if self.expanded >= limits.har_bytes {
            self.overruns.report(
                Limit::HarBytes,
                Severity::Error,
                &self.at,
                || format!("The requests reached the size they may take together ({}) before this one: its variables and those of the requests after it are left as written.", Limit::HarBytes.cite(&limits)),
                &mut self.diags,
            );
            return text.to_owned();
        }
        let cap = usize::try_from(limits.value_bytes).unwrap_or(usize::MAX);
        let mut over = false;
        let mut current = text.to_owned();
        for _ in 0..MAX_ROUNDS {
            let mut out = String::with_capacity(current.len());
            let mut rest = current.as_str();
            let mut changed = false;
            while let Some(open) = rest.find("{{") {
                let Some(close) = rest[open + 2..].find("}}").map(|c| open + 2 + c) else {
                    break;
                };
                out.push_str(&rest[..open]);
                let name = rest[open + 2..close].trim();
                match self.value_of(name) {
                    Some(v) if out.len() + v.len() + rest.len() - close <= cap => {
                        out.push_str(&v);
                        changed = true;
                    }
                    Some(_) => {
                        over = true;
                        out.push_str(&rest[open..close + 2]);
                    }
                    None => out.push_str(&rest[open..close + 2]),
                }
                rest = &rest[close + 2..];
            }
            out.push_str(rest);
            current = out;
            if !changed || !current.contains("{{") {
                break;
            }
        }
        self.expanded += current.len() as u64;
        if over {
            self.overruns.report(
                Limit::ValueBytes,
                Severity::Warning,
                &self.at,
                || format!("Expanding the collection's variables here would take more than one value may ({}): variables that name other variables repeat their text. What did not fit is left as written (`{{{{name}}}}`).", Limit::ValueBytes.cite(&limits)),
                &mut self.diags,
            );
            return current;
        }
        // Whatever is left is unknown.
        let mut rest = current.as_str();
        while let Some(open) = rest.find("{{") {
            let Some(close) = rest[open + 2..].find("}}").map(|c| open + 2 + c) else {
                break;
            };
            let name = rest[open + 2..close].trim();
            if self.unknown.len() < 50 && !name.is_empty() {
                self.unknown.insert(name.to_owned());
            }
            rest = &rest[close + 2..];
        }
        current
    }

    fn value_of(&self, name: &str) -> Option<String> {
        if let Some(v) = self.variables.get(name) {
            return Some(v.clone());
        }
        Some(
            match name {
                "$guid" | "$randomUUID" => "3fa85f64-5717-4562-b3fc-2c963f66afa6",
                "$timestamp" => "1704067200",
                "$isoTimestamp" => "2024-01-01T00:00:00.000Z",
                "$randomInt" => "1",
                "$randomEmail" | "$randomExampleEmail" => "user@example.com",
                "$randomBoolean" => "true",
                "$randomFirstName" | "$randomUserName" | "$randomFullName" => "user",
                "$randomUrl" => "https://example.com/",
                "$randomIP" => "192.0.2.1",
                "$randomIPV6" => "2001:db8::1",
                "$randomAlphaNumeric" => "a",
                "$randomColor" => "red",
                "$randomPhoneNumber" => "555-0100",
                "$randomDateFuture" | "$randomDatePast" | "$randomDateRecent" => {
                    "2024-01-01T00:00:00.000Z"
                }
                n if n.starts_with("$random") => "string",
                _ => return None,
            }
            .to_owned(),
        )
    }

    fn request(&mut self, name: &str, request: &Value, pointer: &str, auth: Option<&Value>) {
        pointer.clone_into(&mut self.at);
        let limits = &self.options.limits;
        if self.out.endpoints.len() as u64 >= limits.endpoints {
            if !std::mem::replace(&mut self.endpoints_reported, true) {
                self.diags.push(super::endpoints_left_out(limits, pointer));
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

    /// Splits a URL (without query) into the base URL requests go to and the
    /// path, applying the user's base URL; `None` when the request is left
    /// out.
    fn locate(&mut self, url: &str, pointer: &str, label: &str) -> Option<(String, String)> {
        let variable_end = url
            .strip_prefix("{{")
            .and_then(|r| r.find("}}"))
            .map(|e| e + 4)
            .filter(|&e| {
                url.get(e..)
                    .is_some_and(|r| r.is_empty() || r.starts_with('/'))
            });
        if let (Some(base), Some(end)) = (self.base.clone(), variable_end) {
            let path = self.subst(url.get(end..).unwrap_or(""));
            return Some((base, normalize_path(&path)));
        }
        let full = self.subst(url);
        let (scheme, rest) = match full.split_once("://") {
            Some((s, r)) if is_absolute(&full) => (Some(s.to_owned()), r.to_owned()),
            _ => (None, full.clone()),
        };
        let (authority, path) = match rest.find('/') {
            Some(i) => (rest[..i].to_owned(), rest[i..].to_owned()),
            None => (rest.clone(), String::new()),
        };
        match self.base.clone() {
            Some(base) => {
                if host_of(&authority) == host_of(&base) {
                    // The base URL's own path is kept when the request's
                    // path does not already start with it.
                    let base_origin = origin(&base);
                    let base_path = &base[base_origin.len()..];
                    let path = normalize_path(&path);
                    if !base_path.is_empty() && path.starts_with(base_path) {
                        Some((base_origin.to_owned(), path))
                    } else {
                        Some((base, path))
                    }
                } else {
                    self.other_hosts += 1;
                    self.diags.push(Diagnostic::new(
                        Severity::Warning,
                        join(pointer, "url"),
                        format!(
                            "{label} goes to `{}`, not to the base URL's host (`{}`), so it is left out: Veracode scans only requests to the base URL's host.",
                            host_of(&authority),
                            host_of(&base)
                        ),
                    ));
                    None
                }
            }
            None => {
                let base = match scheme {
                    Some(s) => format!("{s}://{authority}"),
                    None if authority.contains("{{") => authority,
                    None => format!("http://{authority}"),
                };
                Some((base, normalize_path(&path)))
            }
        }
    }

    fn body(
        &mut self,
        body: &Value,
        content_type: Option<String>,
        pointer: &str,
        label: &str,
    ) -> Option<BodyPlan> {
        if body.get("disabled").and_then(Value::as_bool) == Some(true) {
            return None;
        }
        let mode = body.get("mode").and_then(Value::as_str)?;
        let plan =
            |media_type: String, text: Option<String>, fields: Option<Vec<Param>>| BodyPlan {
                media_type,
                value: Value::Null.into(),
                file_fields: Vec::new(),
                exploded_fields: Vec::new(),
                text,
                fields,
            };
        match mode {
            "raw" => {
                let text = self.subst(&scalar_text(body.get("raw")));
                if text.is_empty() && content_type.is_none() {
                    return None;
                }
                let language = body
                    .get("options")
                    .and_then(|o| o.get("raw"))
                    .and_then(|r| r.get("language"))
                    .and_then(Value::as_str)
                    .unwrap_or("text");
                let media_type = content_type.unwrap_or_else(|| {
                    match language {
                        "json" => "application/json",
                        "xml" => "application/xml",
                        "html" => "text/html",
                        "javascript" => "application/javascript",
                        _ => "text/plain",
                    }
                    .to_owned()
                });
                Some(plan(media_type, Some(text), None))
            }
            "urlencoded" | "formdata" => {
                let multipart = mode == "formdata";
                let mut fields = Vec::new();
                for f in body
                    .get(mode)
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    if f.get("disabled").and_then(Value::as_bool) == Some(true) {
                        continue;
                    }
                    let Some(key) = f.get("key").and_then(Value::as_str) else {
                        continue;
                    };
                    let key = self.subst(key);
                    let is_file =
                        multipart && f.get("type").and_then(Value::as_str) == Some("file");
                    if is_file {
                        let src = match f.get("src") {
                            Some(Value::String(s)) => s.clone(),
                            Some(Value::Array(a)) => {
                                a.first().map(|s| scalar_text(Some(s))).unwrap_or_default()
                            }
                            _ => String::new(),
                        };
                        let file_name = src
                            .rsplit(['/', '\\'])
                            .next()
                            .filter(|n| !n.is_empty())
                            .map_or_else(|| format!("{key}.bin"), str::to_owned);
                        fields.push(Param {
                            name: key,
                            value: Some(String::new()),
                            file_name: Some(file_name),
                            content_type: Some(
                                f.get("contentType")
                                    .and_then(Value::as_str)
                                    .unwrap_or("application/octet-stream")
                                    .to_owned(),
                            ),
                            comment: None,
                        });
                    } else {
                        let value = self.subst(&scalar_text(f.get("value")));
                        fields.push(Param {
                            name: key,
                            value: Some(value),
                            file_name: None,
                            content_type: f
                                .get("contentType")
                                .and_then(Value::as_str)
                                .map(str::to_owned),
                            comment: None,
                        });
                    }
                }
                let media_type = if multipart {
                    "multipart/form-data".to_owned()
                } else {
                    content_type.unwrap_or_else(|| "application/x-www-form-urlencoded".to_owned())
                };
                Some(plan(media_type, None, Some(fields)))
            }
            "graphql" => {
                let g = body.get("graphql");
                let query = self.subst(&scalar_text(g.and_then(|g| g.get("query"))));
                let variables_text = self.subst(&scalar_text(g.and_then(|g| g.get("variables"))));
                let variables = if variables_text.trim().is_empty() {
                    json!({})
                } else {
                    match serde_json::from_str::<Value>(&variables_text) {
                        Ok(v) => v,
                        Err(_) => {
                            self.diags.push(Diagnostic::new(
                                Severity::Warning,
                                join(pointer, "graphql"),
                                format!("{label} has GraphQL variables that are not valid JSON; they are sent as an empty object."),
                            ));
                            json!({})
                        }
                    }
                };
                let text = serde_json::to_string(&json!({"query": query, "variables": variables}))
                    .unwrap_or_default();
                Some(plan(
                    content_type.unwrap_or_else(|| "application/json".into()),
                    Some(text),
                    None,
                ))
            }
            "file" => {
                self.diags.push(Diagnostic::new(
                    Severity::Information,
                    pointer,
                    format!("{label} sends a file as its body; the file is not part of the collection, so the request is shown with an empty body."),
                ));
                Some(plan(
                    content_type.unwrap_or_else(|| "application/octet-stream".into()),
                    Some(String::new()),
                    None,
                ))
            }
            other => {
                self.diags.push(Diagnostic::new(
                    Severity::Warning,
                    pointer,
                    format!("{label} has a body of mode `{other}`, which prescan does not convert; it is sent without a body."),
                ));
                None
            }
        }
    }

    fn auth(&mut self, a: &Value, pointer: &str) -> Vec<AuthPlan> {
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

/// A URL from its structured parts (when `raw` is missing).
fn compose_url(u: &Map<String, Value>) -> String {
    let join_parts = |v: Option<&Value>, sep: &str| match v {
        Some(Value::Array(parts)) => parts
            .iter()
            .map(|p| match p {
                Value::Object(m) => scalar_text(m.get("value")),
                other => scalar_text(Some(other)),
            })
            .collect::<Vec<_>>()
            .join(sep),
        Some(other) => scalar_text(Some(other)),
        None => String::new(),
    };
    let mut out = String::new();
    if let Some(p) = u.get("protocol").and_then(Value::as_str) {
        out.push_str(p);
        out.push_str("://");
    }
    out.push_str(&join_parts(u.get("host"), "."));
    if let Some(port) = u.get("port") {
        out.push(':');
        out.push_str(&scalar_text(Some(port)));
    }
    let path = join_parts(u.get("path"), "/");
    if !path.is_empty() {
        if !path.starts_with('/') {
            out.push('/');
        }
        out.push_str(&path);
    }
    out
}

/// A path starting with `/`, `//` collapsed.
fn normalize_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len() + 1);
    if !path.starts_with('/') {
        out.push('/');
    }
    let mut last = !out.is_empty();
    for c in path.chars() {
        if c == '/' && last {
            continue;
        }
        last = c == '/';
        out.push(c);
    }
    out
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_and_paths() {
        assert_eq!(
            host_of("https://API.example.com:8443/v1"),
            "api.example.com"
        );
        assert_eq!(host_of("user@h.com/x"), "h.com");
        assert_eq!(host_of("http://[::1]:80/"), "[::1]");
        assert_eq!(normalize_path("a//b"), "/a/b");
        assert_eq!(normalize_path(""), "/");
        assert_eq!(normalize_path("//x/"), "/x/");
    }
}
