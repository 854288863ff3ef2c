//! A HAR file as input: its entries are the requests, as they are. Missing
//! fields HAR 1.2 requires are filled in so the output is valid.

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::{Endpoint, Server};
use crate::diagnostic::{Diagnostic, Severity};
use crate::har_types::{self, Cache, Entry, Request, Response, Timings};
use crate::plan::Method;
use crate::refs::join;

/// What a HAR file holds.
pub(crate) struct HarInput {
    pub title: String,
    pub servers: Vec<Server>,
    pub endpoints: Vec<Endpoint>,
    pub entries: Vec<Entry>,
}

/// Reads the entries of a HAR document.
pub(crate) fn read(
    root: &Map<String, Value>,
    file_name: &str,
    limits: &crate::Limits,
    diags: &mut Vec<Diagnostic>,
) -> HarInput {
    let mut origins = std::collections::HashSet::new();
    let log = root.get("log");
    let title = log
        .and_then(|l| l.get("pages"))
        .and_then(|p| p.get(0))
        .and_then(|p| p.get("title"))
        .and_then(Value::as_str)
        .map(str::to_owned)
        .unwrap_or_else(|| file_name.to_owned());
    let list = log.and_then(|l| l.get("entries")).and_then(Value::as_array);
    let mut out = HarInput {
        title,
        servers: Vec::new(),
        endpoints: Vec::new(),
        entries: Vec::new(),
    };
    for (i, raw) in list.into_iter().flatten().enumerate() {
        let pointer = join("/log/entries", &i.to_string());
        let request = raw.get("request");
        let url = request
            .and_then(|r| r.get("url"))
            .and_then(Value::as_str)
            .unwrap_or("");
        let method_text = request
            .and_then(|r| r.get("method"))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_ascii_uppercase();
        let Some(method) = Method::parse(&method_text) else {
            diags.push(Diagnostic::new(
                Severity::Warning,
                &pointer,
                format!("Entry {i} has no request method prescan knows (`{method_text}`); it is left out."),
            ));
            continue;
        };
        if out.endpoints.len() as u64 >= limits.endpoints {
            diags.push(super::endpoints_left_out(limits, &pointer));
            break;
        }
        if url.is_empty() {
            diags.push(Diagnostic::new(
                Severity::Warning,
                &pointer,
                format!("Entry {i} has no request URL; it is left out."),
            ));
            continue;
        }
        let entry = entry(raw, method, url);
        let origin = origin(url);
        if !origin.is_empty() && origins.insert(origin.to_owned()) {
            out.servers.push(Server {
                url: origin.to_owned(),
                resolved_url: origin.to_owned(),
                description: None,
                variables: Vec::new(),
            });
        }
        let auth_required = entry
            .request
            .headers
            .iter()
            .any(|h| h.name.eq_ignore_ascii_case("authorization"));
        out.endpoints.push(Endpoint {
            method,
            path: path_of(url).to_owned(),
            operation_id: None,
            summary: entry.comment.clone(),
            parameter_count: entry.request.query_string.len() + entry.request.cookies.len(),
            auth_required,
            deprecated: false,
            pointer,
            tags: Vec::new(),
            scope: crate::scope::ScopeDecision::Include,
            user_values: Vec::new(),
        });
        out.entries.push(entry);
    }
    out
}

/// `scheme://host[:port]` of a URL, or `""`.
fn origin(url: &str) -> &str {
    let Some(i) = url.find("://") else { return "" };
    let end = url[i + 3..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |j| i + 3 + j);
    &url[..end]
}

/// The path of a URL (without query or fragment).
fn path_of(url: &str) -> &str {
    let after = match url.find("://") {
        Some(i) => &url[i + 3..],
        None => url,
    };
    let start = after.find('/').unwrap_or(after.len());
    let path = &after[start..];
    let end = path.find(['?', '#']).unwrap_or(path.len());
    match &path[..end] {
        "" => "/",
        p => p,
    }
}

/// A field read leniently: the default when missing or of the wrong shape.
fn field<T: DeserializeOwned>(v: Option<&Value>) -> Option<T> {
    v.and_then(|v| T::deserialize(v).ok())
}

fn entry(raw: &Value, method: Method, url: &str) -> Entry {
    let r = raw.get("request");
    let get = |k: &str| r.and_then(|r| r.get(k));
    let request = Request {
        method: method.as_str().to_owned(),
        url: url.to_owned(),
        http_version: field(get("httpVersion")).unwrap_or_else(|| "HTTP/1.1".into()),
        cookies: list(get("cookies")),
        headers: list(get("headers")),
        query_string: list(get("queryString")),
        post_data: field(get("postData")),
        headers_size: field(get("headersSize")).unwrap_or(-1),
        body_size: field(get("bodySize")).unwrap_or(-1),
        comment: field(get("comment")),
    };
    Entry {
        started_date_time: field(raw.get("startedDateTime"))
            .unwrap_or_else(|| har_types::EPOCH.into()),
        time: field(raw.get("time")).unwrap_or(0.0),
        request,
        response: field::<Response>(raw.get("response")).unwrap_or_else(har_types::unsent_response),
        cache: field::<Cache>(raw.get("cache")).unwrap_or_default(),
        timings: field::<Timings>(raw.get("timings")).unwrap_or_else(har_types::zero_timings),
        server_ip_address: field(raw.get("serverIPAddress")),
        connection: field(raw.get("connection")),
        comment: field(raw.get("comment")),
    }
}

/// A list whose malformed items are dropped.
fn list<T: DeserializeOwned>(v: Option<&Value>) -> Vec<T> {
    v.and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|i| T::deserialize(i).ok())
                .collect()
        })
        .unwrap_or_default()
}
