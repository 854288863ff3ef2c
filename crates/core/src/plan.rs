//! What the HAR builder needs to write one request: concrete values chosen,
//! serialization rules resolved, and the [`Method`] it is sent with. Built by
//! the specification readers, read by [`crate::har::build`]; `spec::plan`
//! re-exports it.
//!
//! Depends on the HAR types only (a form body's fields); never on `refs`,
//! `sample`, `spec`, `har` or anything above them.

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// An HTTP method an endpoint can have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Method {
    /// `GET`.
    Get,
    /// `PUT`.
    Put,
    /// `POST`.
    Post,
    /// `DELETE`.
    Delete,
    /// `OPTIONS`.
    Options,
    /// `HEAD`.
    Head,
    /// `PATCH`.
    Patch,
    /// `TRACE`.
    Trace,
}

impl Method {
    /// The method a name stands for, in any case (`get`, `GET`); `None` for
    /// methods prescan does not send (`CONNECT`, made-up ones).
    pub fn parse(name: &str) -> Option<Method> {
        Some(match name.to_ascii_uppercase().as_str() {
            "GET" => Method::Get,
            "PUT" => Method::Put,
            "POST" => Method::Post,
            "DELETE" => Method::Delete,
            "OPTIONS" => Method::Options,
            "HEAD" => Method::Head,
            "PATCH" => Method::Patch,
            "TRACE" => Method::Trace,
            _ => return None,
        })
    }

    /// The method as it is sent on the wire: `GET`, `POST`, ...
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Put => "PUT",
            Method::Post => "POST",
            Method::Delete => "DELETE",
            Method::Options => "OPTIONS",
            Method::Head => "HEAD",
            Method::Patch => "PATCH",
            Method::Trace => "TRACE",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A value a request carries: shared, so that an example the specification
/// states once and many operations use is held once until each request is
/// written.
pub type Shared = Arc<Value>;

/// One request to write, for one endpoint.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestPlan {
    /// The method.
    pub method: Method,
    /// The absolute base URL the path is appended to (no trailing `/`).
    pub base_url: String,
    /// The path template, e.g. `/pets/{petId}`.
    pub path: String,
    /// Names the operation in the entry's comment.
    pub comment: String,
    /// Parameters with their values, in specification order.
    pub params: Vec<ParamPlan>,
    /// The request body, when the operation has one.
    pub body: Option<BodyPlan>,
    /// The `Accept` media type: the success response's first.
    pub accept: Option<String>,
    /// Credentials placeholders, from the operation's security requirement.
    pub auth: Vec<AuthPlan>,
}

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    /// In the path template.
    Path,
    /// In the query string.
    Query,
    /// A request header.
    Header,
    /// A cookie.
    Cookie,
}

/// How a value is serialized (OpenAPI 3 `style`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// `a,b,c` (path and header default).
    Simple,
    /// `.a.b.c` (path).
    Label,
    /// `;name=a,b,c` (path).
    Matrix,
    /// `name=a&name=b` or `name=a,b` (query and cookie default).
    Form,
    /// `name=a%20b` (query arrays).
    SpaceDelimited,
    /// `name=a|b` (query arrays).
    PipeDelimited,
    /// `name[key]=value` (query objects).
    DeepObject,
}

/// A parameter and its value.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamPlan {
    /// The parameter's name.
    pub name: String,
    /// Where it goes.
    pub location: Location,
    /// How its value is written.
    pub style: Style,
    /// Whether arrays and objects are spread into separate pairs.
    pub explode: bool,
    /// Whether reserved characters are sent as they are (query only).
    pub allow_reserved: bool,
    /// The value to send.
    pub value: Shared,
    /// The value is a string already written as it goes on the wire
    /// (Postman): it is not serialized by style, and only characters a URL
    /// cannot hold are percent-encoded (existing `%XX` escapes are kept).
    pub verbatim: bool,
}

/// A request body and its value.
#[derive(Debug, Clone, PartialEq)]
pub struct BodyPlan {
    /// The media type chosen from the body's `content`.
    pub media_type: String,
    /// The value to send (an object for form bodies).
    pub value: Shared,
    /// Form fields sent as files (`format: binary`), multipart only.
    pub file_fields: Vec<String>,
    /// Form fields whose arrays are sent as repeated fields (`explode`).
    pub exploded_fields: Vec<String>,
    /// The body as text, sent as it is (Postman raw and GraphQL bodies);
    /// `value` is then ignored.
    pub text: Option<String>,
    /// The fields of a form body, as they are (Postman); `value` is then
    /// ignored.
    pub fields: Option<Vec<crate::har_types::Param>>,
}

/// A credentials placeholder and where it goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthPlan {
    /// Where it goes (never the path).
    pub location: Location,
    /// The header, query parameter or cookie name.
    pub name: String,
    /// The placeholder value.
    pub value: String,
    /// The security scheme it stands for.
    pub scheme: String,
    /// Whether `value` is a placeholder (no credentials were given).
    pub placeholder: bool,
}
