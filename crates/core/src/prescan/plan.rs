//! Which requests a prescan sends, and which it skips and why.

use serde::{Deserialize, Serialize};

use super::origin::{resolve, UrlError};
use super::{Origin, PrescanSettings};
use crate::diagnostic::Diagnostic;
use crate::encode::percent;
use crate::har::{Entry, Har, MULTIPART_BOUNDARY};
use crate::PRESCAN_LIMIT;

/// The methods a prescan sends without the user's explicit permission: they
/// do not change data on the server.
pub const SAFE_METHODS: [&str; 3] = ["GET", "HEAD", "OPTIONS"];

/// Request headers a browser does not let a page set (the fetch standard's
/// forbidden request headers). They are left out of the request sent, and
/// named in [`PlannedRequest::withheld_headers`].
const FORBIDDEN_HEADERS: [&str; 21] = [
    "accept-charset",
    "accept-encoding",
    "access-control-request-headers",
    "access-control-request-method",
    "connection",
    "content-length",
    "cookie",
    "cookie2",
    "date",
    "dnt",
    "expect",
    "host",
    "keep-alive",
    "origin",
    "referer",
    "set-cookie",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "via",
];

fn forbidden(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    FORBIDDEN_HEADERS.contains(&lower.as_str())
        || lower.starts_with("proxy-")
        || lower.starts_with("sec-")
}

/// One request the prescan sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedRequest {
    /// The index of its entry in the HAR (its row number is `index + 1`).
    pub index: usize,
    /// The method, in upper case.
    pub method: String,
    /// The absolute URL to send to (relative URLs resolved, `{name}` path
    /// templates of Veracode-style entries filled from the entry's comment).
    pub url: String,
    /// The headers to set, as (name, value), in HAR order.
    pub headers: Vec<(String, String)>,
    /// Headers of the entry a browser does not let a page set (such as
    /// `Cookie`): not sent.
    pub withheld_headers: Vec<String>,
    /// Credentials the HAR holds only as placeholders (no one entered them):
    /// the header or query parameter names, left out of the request, so that
    /// the server answers as it does to a request without credentials.
    pub placeholders_left_out: Vec<String>,
    /// The body, if the entry has one.
    pub body: Option<String>,
    /// The body's media type, if the entry has a body.
    pub content_type: Option<String>,
}

/// Why an entry is not sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SkipReason {
    /// Its method may change data, and the user did not allow such methods.
    UnsafeMethod,
    /// Its URL has another origin than the configured server.
    OtherOrigin {
        /// The entry's origin.
        origin: String,
        /// The configured server's origin.
        allowed: String,
    },
    /// Its URL is not one a browser can send (`Malformed URL`).
    MalformedUrl,
    /// Its URL is relative and no server is configured.
    RelativeUrl,
    /// Its method is not an HTTP token (a browser refuses to send it).
    InvalidMethod,
}

impl SkipReason {
    /// A sentence for the user: why, and what to do.
    pub fn message(&self) -> String {
        match self {
            SkipReason::UnsafeMethod => "Unsafe method: it may change data on the server. Allow other methods for this prescan to send it.".into(),
            SkipReason::OtherOrigin { origin, allowed } => format!(
                "Another origin ({origin}): the prescan sends requests only to the configured server ({allowed})."
            ),
            SkipReason::MalformedUrl => "Malformed URL".into(),
            SkipReason::InvalidMethod => "Invalid method: it is not an HTTP method name.".into(),
            SkipReason::RelativeUrl => "Relative URL and no server configured: enter a fully-qualified base URL.".into(),
        }
    }
}

/// An entry the prescan does not send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skipped {
    /// The index of its entry in the HAR.
    pub index: usize,
    /// The method.
    pub method: String,
    /// The URL, as in the HAR.
    pub url: String,
    /// Why it is not sent.
    pub reason: SkipReason,
}

/// The requests of one prescan: the first [`PRESCAN_LIMIT`] entries of a
/// HAR, split into those sent and those skipped.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrescanPlan {
    /// The settings, normalized ([`PrescanSettings::normalized`]).
    pub settings: PrescanSettings,
    /// The only origin requests go to: the base URL's, or else the first
    /// entry's with an absolute `http`/`https` URL. `None`: no server.
    pub origin: Option<Origin>,
    /// The requests to send, in HAR order.
    pub requests: Vec<PlannedRequest>,
    /// The entries not sent, in HAR order.
    pub skipped: Vec<Skipped>,
    /// How many entries the HAR has (the plan holds at most
    /// [`PRESCAN_LIMIT`]).
    pub total_entries: usize,
    /// The entries of the plan, as in the HAR, for [`super::PrescanReport::to_har`].
    pub entries: Vec<Entry>,
    /// What the conversion said about the credentials entered (which
    /// requests carry each, see `spec::carried`), shown with the prescan's
    /// notes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub credential_notes: Vec<Diagnostic>,
    /// What the prescan covers of the specification, given the scan's
    /// scope (set by [`PrescanPlan::of_conversion`]); its sentence is a
    /// note of the report. `None` for a plan of a HAR alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coverage: Option<crate::Coverage>,
}

impl PrescanPlan {
    /// Plans the prescan of a conversion: the endpoints in scope
    /// ([`crate::har::in_scope`]: excluded ones get no request and do not
    /// count toward the [`PRESCAN_LIMIT`]), the conversion's notes about
    /// the credentials entered, and its [`crate::Coverage`]. What the app,
    /// the server and the command line all run.
    pub fn of_conversion(c: &crate::Conversion, settings: &PrescanSettings) -> PrescanPlan {
        let har = crate::har::in_scope(&c.har, &c.spec);
        let mut plan = PrescanPlan::new(&har, settings).with_credential_notes(&c.spec.diagnostics);
        plan.coverage = Some(c.spec.coverage());
        plan
    }

    /// Keeps, of a conversion's diagnostics, those about the credentials
    /// entered, to show them with the prescan's notes.
    ///
    /// Also kept: what the conversion said about the scope and the values
    /// the user gave (a value that does not fit its schema, or matches
    /// nothing; a scope rule left out), so that nothing entered is
    /// silently ignored where only the prescan is shown.
    pub fn with_credential_notes(mut self, diagnostics: &[Diagnostic]) -> PrescanPlan {
        self.credential_notes = diagnostics
            .iter()
            .filter(|d| crate::spec::carried::is_credential_note(d) || is_configuration_note(d))
            .cloned()
            .collect();
        self
    }

    /// Plans the prescan of `har` with `settings`. Never panics.
    pub fn new(har: &Har, settings: &PrescanSettings) -> PrescanPlan {
        let settings = settings.normalized();
        let entries: Vec<Entry> = har
            .log
            .entries
            .iter()
            .take(PRESCAN_LIMIT)
            .cloned()
            .collect();
        let base = settings
            .base_url
            .as_deref()
            .map(str::trim)
            .filter(|b| !b.is_empty());
        let origin = match base {
            Some(b) => Origin::of(b),
            None => entries
                .iter()
                .find_map(|e| Origin::of(e.request.url.trim())),
        };
        let mut requests = Vec::new();
        let mut skipped = Vec::new();
        for (index, entry) in entries.iter().enumerate() {
            let method = entry.request.method.trim().to_ascii_uppercase();
            let skip = |reason| Skipped {
                index,
                method: method.clone(),
                url: entry.request.url.clone(),
                reason,
            };
            let url = fill_templates(&entry.request.url, entry.comment.as_deref());
            let resolved = match resolve(&url, origin.as_ref(), base) {
                Ok(r) => r,
                Err(UrlError::Malformed) => {
                    skipped.push(skip(SkipReason::MalformedUrl));
                    continue;
                }
                Err(UrlError::Relative) => {
                    skipped.push(skip(SkipReason::RelativeUrl));
                    continue;
                }
            };
            let valid_method = !method.is_empty()
                && method
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
            if !valid_method {
                skipped.push(skip(SkipReason::InvalidMethod));
                continue;
            }
            match &origin {
                Some(o) if *o == resolved.1 => {}
                Some(o) => {
                    skipped.push(skip(SkipReason::OtherOrigin {
                        origin: resolved.1.to_string(),
                        allowed: o.to_string(),
                    }));
                    continue;
                }
                None => {
                    skipped.push(skip(SkipReason::RelativeUrl));
                    continue;
                }
            }
            if !settings.allow_unsafe_methods && !SAFE_METHODS.contains(&method.as_str()) {
                skipped.push(skip(SkipReason::UnsafeMethod));
                continue;
            }
            let mut headers = Vec::new();
            let mut withheld_headers = Vec::new();
            let mut placeholders_left_out = Vec::new();
            for h in &entry.request.headers {
                if crate::har::is_placeholder(h.comment.as_deref()) {
                    placeholders_left_out.push(h.name.clone());
                } else if forbidden(&h.name) {
                    withheld_headers.push(h.name.clone());
                } else {
                    headers.push((h.name.clone(), h.value.replace(['\r', '\n'], " ")));
                }
            }
            let (body, content_type) = match &entry.request.post_data {
                Some(p) if !matches!(method.as_str(), "GET" | "HEAD") => {
                    (Some(body_text(p)), Some(p.mime_type.clone()))
                }
                _ => (None, None),
            };
            let placeholder_params: Vec<&str> = entry
                .request
                .query_string
                .iter()
                .filter(|q| crate::har::is_placeholder(q.comment.as_deref()))
                .map(|q| q.name.as_str())
                .collect();
            let url = without_query_params(&resolved.0, &placeholder_params);
            placeholders_left_out.extend(placeholder_params.iter().map(|n| (*n).to_owned()));
            requests.push(PlannedRequest {
                index,
                method,
                url,
                headers,
                withheld_headers,
                placeholders_left_out,
                body,
                content_type,
            });
        }
        PrescanPlan {
            settings,
            origin,
            requests,
            skipped,
            total_entries: har.log.entries.len(),
            entries,
            credential_notes: Vec::new(),
            coverage: None,
        }
    }
}

/// Whether a conversion's diagnostic is about the scope or the values the
/// user gave (see `spec::scoping` and `spec::openapi3::values`; the test
/// `configuration_notes_reach_the_plan` holds these prefixes to them). The
/// coverage sentence is not: the plan's [`PrescanPlan::coverage`] says it.
fn is_configuration_note(d: &Diagnostic) -> bool {
    let m = d.message.as_str();
    [
        "Your value ",
        "The value `",
        "The values given could not be used",
        "The scope ",
        "Scope rule ",
    ]
    .iter()
    .any(|p| m.starts_with(p))
        || m.contains(" no parameter or body property, so ")
}

/// `url` without the query parameters named in `names` (compared after
/// percent-decoding the names in the URL).
fn without_query_params(url: &str, names: &[&str]) -> String {
    if names.is_empty() {
        return url.to_owned();
    }
    let Some((head, query)) = url.split_once('?') else {
        return url.to_owned();
    };
    let (query, fragment) = match query.split_once('#') {
        Some((q, f)) => (q, Some(f)),
        None => (query, None),
    };
    let kept: Vec<&str> = query
        .split('&')
        .filter(|pair| {
            let name = pair.split_once('=').map_or(*pair, |(n, _)| n);
            !names
                .iter()
                .any(|n| crate::refs::percent_decode(name) == *n)
        })
        .collect();
    let mut out = head.to_owned();
    if !kept.is_empty() {
        out.push('?');
        out.push_str(&kept.join("&"));
    }
    if let Some(f) = fragment {
        out.push('#');
        out.push_str(f);
    }
    out
}

/// Fills `{name}` path templates from a Veracode-style entry comment
/// (`name=value&other=value`); a URL without templates is kept.
fn fill_templates(url: &str, comment: Option<&str>) -> String {
    let mut url = url.to_owned();
    let Some(comment) = comment else { return url };
    if !url.contains('{') {
        return url;
    }
    for pair in comment.split('&') {
        if let Some((name, value)) = pair.split_once('=') {
            if !name.is_empty() && !name.contains(char::is_whitespace) {
                url = url.replace(&format!("{{{name}}}"), value);
            }
        }
    }
    url
}

/// The body of an entry as text: its `text`, or its form fields encoded.
fn body_text(p: &crate::har::PostData) -> String {
    if let Some(text) = &p.text {
        return text.clone();
    }
    let multipart = p.mime_type.to_ascii_lowercase().starts_with("multipart/");
    if !multipart {
        return p
            .params
            .iter()
            .map(|f| {
                format!(
                    "{}={}",
                    percent(&f.name, false),
                    percent(f.value.as_deref().unwrap_or(""), false)
                )
            })
            .collect::<Vec<_>>()
            .join("&");
    }
    let boundary = p
        .mime_type
        .split(';')
        .find_map(|part| part.trim().strip_prefix("boundary="))
        .map(|b| b.trim_matches('"').to_owned())
        .unwrap_or_else(|| MULTIPART_BOUNDARY.to_owned());
    let mut out = String::new();
    for f in &p.params {
        out.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{}\"",
            f.name
        ));
        if let Some(file) = &f.file_name {
            out.push_str(&format!("; filename=\"{file}\""));
        }
        out.push_str("\r\n");
        if let Some(ct) = &f.content_type {
            out.push_str(&format!("Content-Type: {ct}\r\n"));
        }
        out.push_str("\r\n");
        out.push_str(f.value.as_deref().unwrap_or(""));
        out.push_str("\r\n");
    }
    out.push_str(&format!("--{boundary}--\r\n"));
    out
}
