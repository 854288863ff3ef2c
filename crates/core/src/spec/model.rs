//! What a specification is, whatever format it came in: its format and
//! syntax, servers, endpoints, security schemes and diagnostics, and the
//! files it was read from; what the app, the server and the prescan are
//! shown of it.

use serde::{Deserialize, Serialize};

use crate::diagnostic::Diagnostic;
use crate::plan::Method;
use crate::scope::ScopeDecision;

/// How many endpoints a prescan covers: the first 100 a scanner sends
/// requests to (included or ignored, in specification order). Excluded
/// endpoints do not count: a scanner sends them no request, so counting
/// them would shrink the prescan silently (see [`Coverage`]).
pub const PRESCAN_LIMIT: usize = 100;

/// The specification formats prescan recognizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SpecFormat {
    /// Swagger / OpenAPI 2.0.
    OpenApi2,
    /// OpenAPI 3.0.x.
    OpenApi30,
    /// OpenAPI 3.1.x.
    OpenApi31,
    /// Postman Collection 2.1.
    Postman21,
    /// HTTP Archive 1.2.
    Har12,
}

impl SpecFormat {
    /// The name shown to users, with the version prescan reads.
    pub fn label(self) -> &'static str {
        match self {
            SpecFormat::OpenApi2 => "Swagger 2.0",
            SpecFormat::OpenApi30 => "OpenAPI 3.0",
            SpecFormat::OpenApi31 => "OpenAPI 3.1",
            SpecFormat::Postman21 => "Postman Collection 2.1",
            SpecFormat::Har12 => "HAR 1.2",
        }
    }

    /// The format with the version a file states, each said once:
    /// `Swagger 2.0`, `OpenAPI 3.1.0`, `Postman Collection 2.1`, `HAR 1.2`.
    /// A version that is not a short version number (hostile or empty) is
    /// not shown: [`SpecFormat::label`] is.
    pub fn with_version(self, version: &str) -> String {
        let family = match self {
            SpecFormat::OpenApi2 => return self.label().to_owned(),
            SpecFormat::OpenApi30 | SpecFormat::OpenApi31 => "OpenAPI",
            SpecFormat::Postman21 => "Postman Collection",
            SpecFormat::Har12 => "HAR",
        };
        let version = version.trim();
        let plain = !version.is_empty()
            && version.len() <= 16
            && version.starts_with(|c: char| c.is_ascii_digit())
            && version
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
        if plain {
            format!("{family} {version}")
        } else {
            self.label().to_owned()
        }
    }
}

/// The text syntax a file was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Syntax {
    /// JSON.
    Json,
    /// YAML (1.2, as read by `yaml_serde`).
    Yaml,
}

impl Syntax {
    /// The name shown to users.
    pub fn label(self) -> &'static str {
        match self {
            Syntax::Json => "JSON",
            Syntax::Yaml => "YAML",
        }
    }
}

/// A server the specification declares.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Server {
    /// The URL as written in the specification (variables not yet substituted).
    pub url: String,
    /// The URL with every server variable replaced by the value chosen in
    /// [`crate::ConvertOptions::server_variables`], or else its default.
    pub resolved_url: String,
    /// What the specification says of it.
    pub description: Option<String>,
    /// The variables its URL names, in the order declared.
    #[serde(default)]
    pub variables: Vec<ServerVariable>,
}

/// A variable of a server URL (`{name}` in `https://{name}.example.com`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerVariable {
    /// The variable's name.
    pub name: String,
    /// Its default value.
    pub default: String,
    /// The values allowed (empty: any).
    #[serde(default)]
    pub enum_values: Vec<String>,
    /// What the specification says of it.
    #[serde(default)]
    pub description: Option<String>,
}

/// One file of a specification, as the browser gives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceFile {
    /// Its path relative to the folder chosen, with `/` separators, e.g.
    /// `api/openapi.yaml` or `schemas/pet.yaml`. References between files
    /// are resolved against these paths.
    pub name: String,
    /// Its content.
    pub bytes: Vec<u8>,
}

/// One operation of the specification: a method on a path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Endpoint {
    /// The method.
    pub method: Method,
    /// The path template as written, e.g. `/pets/{petId}`.
    pub path: String,
    /// The operation's `operationId`.
    pub operation_id: Option<String>,
    /// The operation's `summary`.
    pub summary: Option<String>,
    /// How many parameters the request carries (path, query, header, cookie;
    /// body fields not counted).
    pub parameter_count: usize,
    /// Whether at least one security requirement applies to it.
    pub auth_required: bool,
    /// Whether the specification marks it deprecated.
    pub deprecated: bool,
    /// Where it is, as a JSON pointer (`/paths/~1pets/get`).
    pub pointer: String,
    /// The operation's `tags`, for grouping: only for the endpoints up to
    /// the last one a prescan covers ([`PRESCAN_LIMIT`](super::PRESCAN_LIMIT)),
    /// at most [`MAX_TAGS`] of them, each cut to [`MAX_TAG_CHARS`]
    /// characters. With a scope ([`crate::ConvertOptions::scope`]), rules by
    /// tag are decided on every endpoint's tags before the others are
    /// dropped.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// What a scan does with it, by [`crate::ConvertOptions::scope`]
    /// (already resolved: never [`ScopeDecision::Ignore`] outside Postman
    /// collections). Not written when [`ScopeDecision::Include`].
    #[serde(default, skip_serializing_if = "ScopeDecision::is_include")]
    pub scope: ScopeDecision,
    /// The values of its request that came from the user
    /// ([`crate::ConvertOptions::values`]), as `location:name`
    /// (`path:petId`, `query:limit`, `body:name`), in request order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub user_values: Vec<String>,
}

/// How many tags an [`Endpoint`] keeps.
pub const MAX_TAGS: usize = 8;
/// How many characters of a tag an [`Endpoint`] keeps.
pub const MAX_TAG_CHARS: usize = 120;

/// The tags of an operation (its `tags` array of strings), within
/// [`MAX_TAGS`] and [`MAX_TAG_CHARS`].
pub(crate) fn tags_of(tags: Option<&serde_json::Value>) -> Vec<String> {
    tags.and_then(serde_json::Value::as_array)
        .map(|tags| {
            tags.iter()
                .filter_map(serde_json::Value::as_str)
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .take(MAX_TAGS)
                .map(|t| t.chars().take(MAX_TAG_CHARS).collect())
                .collect()
        })
        .unwrap_or_default()
}

/// A specification as prescan understands it, whatever format it came in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Specification {
    /// The name of the file it was read from.
    pub file_name: String,
    /// Its size in bytes.
    pub file_size: usize,
    /// The detected format.
    pub format: SpecFormat,
    /// The format version exactly as the file states it (`2.0`, `3.0.3`).
    pub format_version: String,
    /// JSON or YAML.
    pub syntax: Syntax,
    /// `info.title`.
    pub title: String,
    /// `info.version`.
    pub version: String,
    /// `info.description`.
    pub description: Option<String>,
    /// The servers, in the order given.
    pub servers: Vec<Server>,
    /// Every endpoint, in specification order.
    pub endpoints: Vec<Endpoint>,
    /// Problems found while loading, in document order.
    pub diagnostics: Vec<Diagnostic>,
    /// The names of every file read, the root first (one name for a
    /// specification in one file).
    #[serde(default)]
    pub files: Vec<String>,
    /// The security schemes the specification declares, in document order,
    /// so that a scan configuration can ask for the right credentials.
    #[serde(default)]
    pub security_schemes: Vec<SecuritySchemeInfo>,
}

/// A security scheme as a scan configuration presents it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecuritySchemeInfo {
    /// Its name (the key under `components.securitySchemes`), which
    /// [`crate::ScanAuth::api_keys`] is keyed by.
    pub name: String,
    /// What kind of credential it takes.
    pub kind: SchemeKind,
    /// What the specification says of it.
    pub description: Option<String>,
    /// The flows of an OAuth 2.0 scheme (a Swagger 2 `application` flow is
    /// `clientCredentials` after conversion), in document order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub oauth_flows: Vec<OAuthFlowInfo>,
    /// The `openIdConnectUrl` of an OpenID Connect scheme.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_id_connect_url: Option<String>,
}

/// One flow of an OAuth 2.0 security scheme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OAuthFlowInfo {
    /// `clientCredentials`, `password`, `authorizationCode` or `implicit`.
    pub flow: String,
    /// Its `tokenUrl`, as written (may be relative).
    pub token_url: Option<String>,
    /// The names of its scopes.
    pub scopes: Vec<String>,
}

/// The kinds of security scheme, by the credential each needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SchemeKind {
    /// An API key sent in a header, query parameter or cookie.
    ApiKey {
        /// `header`, `query` or `cookie`.
        location: String,
        /// The header, parameter or cookie name.
        parameter: String,
    },
    /// HTTP basic authentication (user name and password).
    Basic,
    /// An HTTP bearer token.
    Bearer,
    /// OAuth 2.0 (sent as a bearer token).
    OAuth2,
    /// OpenID Connect (sent as a bearer token).
    OpenIdConnect,
    /// Mutual TLS: a client certificate, nothing in the requests.
    MutualTls,
    /// Another HTTP scheme, or a type prescan does not know, as written.
    Other(String),
}

impl SchemeKind {
    /// A short description for people, e.g. `API key in header X-API-Key`.
    pub fn label(&self) -> String {
        match self {
            SchemeKind::ApiKey {
                location,
                parameter,
            } => format!("API key in {location} {parameter}"),
            SchemeKind::Basic => "HTTP basic".to_owned(),
            SchemeKind::Bearer => "Bearer token".to_owned(),
            SchemeKind::OAuth2 => "OAuth 2.0 (bearer token)".to_owned(),
            SchemeKind::OpenIdConnect => "OpenID Connect (bearer token)".to_owned(),
            SchemeKind::MutualTls => "Mutual TLS (client certificate)".to_owned(),
            SchemeKind::Other(kind) => kind.clone(),
        }
    }
}

impl Specification {
    /// Its format and the version it states, for people: `Swagger 2.0`,
    /// `OpenAPI 3.0.3` (see [`SpecFormat::with_version`]).
    pub fn format_label(&self) -> String {
        self.format.with_version(&self.format_version)
    }

    /// The endpoints a prescan covers: the first [`PRESCAN_LIMIT`] a
    /// scanner sends requests to ([`ScopeDecision::is_sent`]), in
    /// specification order. Excluded endpoints do not count.
    pub fn prescan_endpoints(&self) -> Vec<&Endpoint> {
        self.endpoints
            .iter()
            .filter(|e| e.scope.is_sent())
            .take(PRESCAN_LIMIT)
            .collect()
    }

    /// How many endpoints are included, ignored and excluded, and how many
    /// a prescan covers.
    pub fn coverage(&self) -> Coverage {
        let count = |d: ScopeDecision| self.endpoints.iter().filter(|e| e.scope == d).count();
        let included = count(ScopeDecision::Include);
        let ignored = count(ScopeDecision::Ignore);
        Coverage {
            endpoints: self.endpoints.len(),
            included,
            ignored,
            excluded: count(ScopeDecision::Exclude),
            covered: (included + ignored).min(PRESCAN_LIMIT),
        }
    }
}

/// What a prescan covers of a specification, given its scope.
///
/// The rule prescan follows: the prescan covers the first
/// [`PRESCAN_LIMIT`] endpoints a scanner sends requests to (included, and
/// for Postman collections ignored), in specification order; excluded
/// endpoints do not count toward the [`PRESCAN_LIMIT`]. Veracode's
/// documentation does not say whether they do; a scanner sends them no
/// request, so counting them would make the prescan cover fewer endpoints
/// without saying so.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coverage {
    /// Every endpoint of the specification.
    pub endpoints: usize,
    /// Those included (sent and tested).
    pub included: usize,
    /// Those ignored (sent, not tested; Postman collections only).
    pub ignored: usize,
    /// Those excluded (no request sent).
    pub excluded: usize,
    /// Those the prescan covers: at most [`PRESCAN_LIMIT`] of the included
    /// and ignored ones.
    pub covered: usize,
}

impl Coverage {
    /// The endpoints a scanner sends requests to: included and ignored.
    pub fn in_scope(&self) -> usize {
        self.included + self.ignored
    }

    /// One sentence for the summary, e.g. `The prescan covers the first
    /// 100 of 120 included endpoints; the 30 excluded do not count.`
    pub fn sentence(&self) -> String {
        use crate::text::count;
        let in_scope = self.in_scope();
        if in_scope == 0 {
            return match self.endpoints {
                0 => "The prescan covers no endpoint: the specification has none.".to_owned(),
                n => format!(
                    "The prescan covers no endpoint: {} excluded.",
                    if n == 1 {
                        "the only endpoint is".to_owned()
                    } else {
                        format!("all {} are", crate::text::thousands(n as u64))
                    }
                ),
            };
        }
        let kind = match (self.ignored, self.excluded) {
            (0, 0) => count(in_scope as u64, "endpoint", "endpoints"),
            (0, _) => count(in_scope as u64, "included endpoint", "included endpoints"),
            (ignored, _) => format!(
                "{} in scope ({} included, {} ignored)",
                count(in_scope as u64, "endpoint", "endpoints"),
                crate::text::thousands(self.included as u64),
                crate::text::thousands(ignored as u64)
            ),
        };
        let covers = if in_scope > PRESCAN_LIMIT {
            format!("the first {PRESCAN_LIMIT} of {kind}")
        } else if in_scope == 1 {
            format!("the {kind}")
        } else {
            format!("all {kind}")
        };
        let excluded = match self.excluded {
            0 => String::new(),
            1 => "; the 1 excluded endpoint does not count".to_owned(),
            n => format!(
                "; the {} excluded do not count",
                crate::text::thousands(n as u64)
            ),
        };
        format!("The prescan covers {covers}{excluded}.")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_named_once_with_their_version() {
        assert_eq!(SpecFormat::OpenApi2.with_version("2.0"), "Swagger 2.0");
        assert_eq!(SpecFormat::OpenApi2.with_version("2"), "Swagger 2.0");
        assert_eq!(SpecFormat::OpenApi30.with_version("3.0.3"), "OpenAPI 3.0.3");
        assert_eq!(SpecFormat::OpenApi31.with_version("3.1.0"), "OpenAPI 3.1.0");
        assert_eq!(
            SpecFormat::Postman21.with_version("2.1"),
            "Postman Collection 2.1"
        );
        assert_eq!(SpecFormat::Har12.with_version("1.2"), "HAR 1.2");
        assert_eq!(SpecFormat::Har12.with_version(""), "HAR 1.2");
        assert_eq!(
            SpecFormat::OpenApi30.with_version(&"3".repeat(100)),
            "OpenAPI 3.0"
        );
        assert_eq!(
            SpecFormat::Har12.with_version("<b>1.2</b>"),
            "HAR 1.2",
            "not a version number"
        );
        for f in [
            SpecFormat::OpenApi2,
            SpecFormat::OpenApi30,
            SpecFormat::OpenApi31,
            SpecFormat::Postman21,
            SpecFormat::Har12,
        ] {
            let label = f.with_version("3.0.1");
            assert!(
                !label.contains("version") && !label.contains('('),
                "{label}"
            );
        }
    }
}
