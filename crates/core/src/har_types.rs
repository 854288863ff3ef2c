//! HAR 1.2 documents: the types of a HAR file (log, entries, requests,
//! responses and their parts), with the fixed parts of an entry not sent
//! yet ([`EPOCH`], an unsent response, zero timings), as the readers, the
//! HAR builder and the prescan share them; [`crate::har`] re-exports them
//! all under their public paths.
//!
//! Depends on nothing in the crate; never on `plan`, `sample`, `spec`,
//! `har` or anything above them.

use serde::{Deserialize, Serialize};

/// The `startedDateTime` of converted entries: fixed, so that the same file
/// always gives the same HAR.
pub const EPOCH: &str = "1970-01-01T00:00:00.000Z";

/// The root of a HAR file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Har {
    /// The log: everything the file holds.
    pub log: Log,
}

/// The `log` object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Log {
    /// The HAR format version, `1.2`.
    pub version: String,
    /// The tool that wrote the file.
    pub creator: Creator,
    /// Pages (none in converted files).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pages: Vec<Page>,
    /// The requests, in order.
    pub entries: Vec<Entry>,
    /// A comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// The tool that wrote the file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Creator {
    /// The tool's name.
    pub name: String,
    /// The tool's version.
    pub version: String,
    /// A comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// A page (unused by prescan, kept for HAR files read as input).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Page {
    /// When the page started loading.
    pub started_date_time: String,
    /// The page's identifier, referenced by entries.
    pub id: String,
    /// The page's title.
    pub title: String,
    /// The page's timings, as found.
    #[serde(default)]
    pub page_timings: serde_json::Value,
}

/// One request and its response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    /// When the request started ([`EPOCH`] in converted entries).
    pub started_date_time: String,
    /// Total elapsed time in milliseconds.
    pub time: f64,
    /// The request.
    pub request: Request,
    /// The response (an unsent one in converted entries).
    pub response: Response,
    /// Cache state.
    pub cache: Cache,
    /// Timings.
    pub timings: Timings,
    /// The server's IP address (HAR spells it `serverIPAddress`).
    #[serde(
        default,
        rename = "serverIPAddress",
        skip_serializing_if = "Option::is_none"
    )]
    pub server_ip_address: Option<String>,
    /// The connection identifier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection: Option<String>,
    /// Names the operation the entry comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// A request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Request {
    /// The method, e.g. `GET`.
    pub method: String,
    /// The absolute URL, query string included.
    pub url: String,
    /// `HTTP/1.1`.
    pub http_version: String,
    /// Cookies sent.
    pub cookies: Vec<Cookie>,
    /// Headers sent.
    pub headers: Vec<NameValue>,
    /// The query string's pairs, decoded.
    pub query_string: Vec<NameValue>,
    /// The body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_data: Option<PostData>,
    /// -1 when unknown.
    pub headers_size: i64,
    /// -1 when unknown.
    pub body_size: i64,
    /// A comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// A response. Converted entries carry an empty one (status 0): the request
/// has not been sent yet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Response {
    /// The status code (0: not sent).
    pub status: i64,
    /// The status text.
    pub status_text: String,
    /// The HTTP version.
    pub http_version: String,
    /// Cookies received.
    pub cookies: Vec<Cookie>,
    /// Headers received.
    pub headers: Vec<NameValue>,
    /// The body.
    pub content: Content,
    /// The `Location` of a redirect.
    #[serde(rename = "redirectURL")]
    pub redirect_url: String,
    /// -1 when unknown.
    pub headers_size: i64,
    /// -1 when unknown.
    pub body_size: i64,
    /// A comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// A header or query-string pair.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NameValue {
    /// The name.
    pub name: String,
    /// The value.
    pub value: String,
    /// A comment (converted entries mark credentials placeholders here).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// A cookie.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Cookie {
    /// The name.
    pub name: String,
    /// The value.
    pub value: String,
    /// The path it applies to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The domain it applies to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// When it expires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    /// Whether scripts cannot read it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_only: Option<bool>,
    /// Whether it is sent over HTTPS only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secure: Option<bool>,
    /// A comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// A request body. `text` and `params` are alternatives: a form body has
/// `params`, any other body has `text`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PostData {
    /// The body's media type (with the boundary, for multipart).
    pub mime_type: String,
    /// The body as text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// The fields of a form body.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub params: Vec<Param>,
    /// A comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// One field of a form body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Param {
    /// The field name.
    pub name: String,
    /// The field value (a file's content, for files).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// The file name, for files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_name: Option<String>,
    /// The file's media type, for files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    /// A comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// A response body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Content {
    /// The body's length in bytes.
    pub size: i64,
    /// Bytes saved by compression.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compression: Option<i64>,
    /// The body's media type (`x-unknown` when not sent).
    pub mime_type: String,
    /// The body as text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// How `text` is encoded (`base64`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoding: Option<String>,
    /// A comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// Cache state (empty in converted entries).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Cache {
    /// The cache entry before the request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before_request: Option<serde_json::Value>,
    /// The cache entry after the request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after_request: Option<serde_json::Value>,
    /// A comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// Timings in milliseconds; -1 where a phase does not apply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Timings {
    /// Time waiting for a connection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blocked: Option<f64>,
    /// DNS resolution time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dns: Option<f64>,
    /// Connection time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connect: Option<f64>,
    /// Time sending the request.
    pub send: f64,
    /// Time waiting for the response.
    pub wait: f64,
    /// Time reading the response.
    pub receive: f64,
    /// TLS negotiation time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ssl: Option<f64>,
    /// A comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// The response of a request not sent yet: status 0, nothing received.
pub fn unsent_response() -> Response {
    Response {
        status: 0,
        status_text: String::new(),
        http_version: "HTTP/1.1".into(),
        cookies: Vec::new(),
        headers: Vec::new(),
        content: Content {
            size: 0,
            compression: None,
            mime_type: "x-unknown".into(),
            text: None,
            encoding: None,
            comment: None,
        },
        redirect_url: String::new(),
        headers_size: -1,
        body_size: -1,
        comment: None,
    }
}

/// Timings of a request not sent yet: all zero.
pub fn zero_timings() -> Timings {
    Timings {
        blocked: None,
        dns: None,
        connect: None,
        send: 0.0,
        wait: 0.0,
        receive: 0.0,
        ssl: None,
        comment: None,
    }
}
