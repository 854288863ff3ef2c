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
//!
//! The collection walk is here (info, variables, folders, what is reported
//! for the whole collection); its rooms: `request` (one request → an
//! endpoint and its plan), `variables` (`{{variable}}` substitution),
//! `url` (hosts, paths and the base URL), `body` (bodies by mode) and
//! `credentials` (auth → credentials placeholders).

mod body;
mod credentials;
mod request;
mod url;
mod variables;

use std::collections::{BTreeSet, HashMap};

use serde_json::{Map, Value};

use self::url::host_of;
use super::openapi3::user_base_url;
use super::Server;
use crate::diagnostic::{Diagnostic, Severity};
use crate::limits::Overruns;
use crate::refs::join;
use crate::ConvertOptions;

/// How deep folders may nest before the rest is left out.
const MAX_FOLDER_DEPTH: usize = 64;

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
}
