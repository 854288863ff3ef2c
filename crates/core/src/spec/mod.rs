//! Bytes → a normalized [`Specification`]: format detection, parsing (JSON or
//! YAML), the OpenAPI 2.0 → 3.0 front end, and endpoint enumeration.
//!
//! Depends on the budget ([`crate::limits`]), the options, the diagnostics,
//! the request plans (`plan`, re-exported as `spec::plan`), the references
//! (`refs`), the HAR types (`har_types`) and the sampler (`sample`); never
//! on the HAR builder (`har`), `prescan`, `analysis` or `api`.

pub(crate) mod auth;
mod bundle;
mod detect;
mod har_input;
mod lines;
mod openapi3;
mod openapi31;
mod parse;
mod postman;
mod swagger2;
mod yaml;

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::diagnostic::{Diagnostic, Severity};
use crate::har_types::Entry;
pub use crate::plan;
pub use crate::plan::{Method, RequestPlan};
use crate::refs;

/// The Error of [`crate::Limits::endpoints`], at the first endpoint left out.
pub(crate) fn endpoints_left_out(limits: &crate::Limits, at: &str) -> Diagnostic {
    Diagnostic::new(
        Severity::Error,
        at,
        format!(
            "The specification has more endpoints than prescan reads ({}): this one and those after it are left out. Split the specification, or raise the limit.",
            crate::Limit::Endpoints.cite(limits)
        ),
    )
}

/// How many endpoints a prescan covers: the first 100 of a specification.
pub const PRESCAN_LIMIT: usize = 100;

pub use crate::limits::MAX_SPEC_BYTES;

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
    /// The name shown to users.
    pub fn label(self) -> &'static str {
        match self {
            SpecFormat::OpenApi2 => "OpenAPI 2.0 (Swagger)",
            SpecFormat::OpenApi30 => "OpenAPI 3.0",
            SpecFormat::OpenApi31 => "OpenAPI 3.1",
            SpecFormat::Postman21 => "Postman Collection 2.1",
            SpecFormat::Har12 => "HAR 1.2",
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

/// What a reader (OpenAPI or Postman) found in a document: the summary
/// and one request plan per endpoint, in order.
pub(crate) struct Reading {
    pub title: String,
    pub version: String,
    pub description: Option<String>,
    pub servers: Vec<Server>,
    pub endpoints: Vec<Endpoint>,
    pub requests: Vec<RequestPlan>,
}

impl Reading {
    /// Puts the summary into `spec`; the request plans become the source of
    /// the HAR.
    fn into_spec(self, spec: &mut Specification) -> Source {
        spec.title = self.title;
        spec.version = self.version;
        spec.description = self.description;
        spec.servers = self.servers;
        spec.endpoints = self.endpoints;
        Source::Requests(self.requests)
    }
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

/// The security schemes of an OpenAPI 3 document (`components.securitySchemes`;
/// a 2.0 document after conversion), in document order. Entries that are
/// references or unreadable are skipped: the analysis reports them.
fn security_schemes(doc: &serde_json::Value) -> Vec<SecuritySchemeInfo> {
    let Some(schemes) = doc
        .pointer("/components/securitySchemes")
        .and_then(serde_json::Value::as_object)
    else {
        return Vec::new();
    };
    let text = |v: &serde_json::Value, key: &str| {
        v.get(key)
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned)
    };
    schemes
        .iter()
        .filter_map(|(name, scheme)| {
            let kind = match text(scheme, "type")?.as_str() {
                "apiKey" => SchemeKind::ApiKey {
                    location: text(scheme, "in").unwrap_or_else(|| "header".into()),
                    parameter: text(scheme, "name").unwrap_or_default(),
                },
                "http" => match text(scheme, "scheme")
                    .unwrap_or_default()
                    .to_ascii_lowercase()
                    .as_str()
                {
                    "basic" => SchemeKind::Basic,
                    "bearer" => SchemeKind::Bearer,
                    other => SchemeKind::Other(format!("HTTP {other}")),
                },
                "oauth2" => SchemeKind::OAuth2,
                "openIdConnect" => SchemeKind::OpenIdConnect,
                "mutualTLS" => SchemeKind::MutualTls,
                other => SchemeKind::Other(other.to_owned()),
            };
            Some(SecuritySchemeInfo {
                name: name.clone(),
                kind,
                description: text(scheme, "description"),
            })
        })
        .collect()
}

impl Specification {
    /// The endpoints a prescan covers: the first [`PRESCAN_LIMIT`].
    pub fn prescan_endpoints(&self) -> &[Endpoint] {
        &self.endpoints[..self.endpoints.len().min(PRESCAN_LIMIT)]
    }
}

/// Why a file cannot be used as a specification at all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum LoadError {
    /// The file has no content, or only white space.
    Empty,
    /// The file (or the files of a specification together) is larger than
    /// [`crate::Limits::input_bytes`].
    TooLarge {
        /// The file's size in bytes.
        size: usize,
        /// The largest size read, in bytes.
        limit: usize,
    },
    /// The file holds binary data (a NUL byte, or bytes that are not UTF-8).
    Binary {
        /// The byte offset of the first byte that is not text.
        offset: usize,
    },
    /// The text is not well-formed JSON or YAML.
    Syntax {
        /// The syntax the file was read as.
        syntax: Syntax,
        /// The 1-based line of the problem.
        line: usize,
        /// The 1-based column of the problem.
        column: usize,
        /// What the parser found wrong (without the position).
        message: String,
        /// The text of that line (a window of it around the column when the
        /// line is long), to show the problem in place.
        #[serde(default)]
        excerpt: Excerpt,
    },
    /// Well-formed, but not one of the supported specification formats.
    NotASpecification {
        /// What the file is instead, e.g. "a JSON array".
        found: String,
    },
    /// Reading the file would take more than one of the conversion's
    /// [`crate::Limits`] allows.
    OverLimit {
        /// The limit's name (a field of [`crate::Limits`]).
        limit: String,
        /// What was reached, where, and what to do: a sentence for people.
        message: String,
    },
    /// A recognized format in a version or variant not supported yet.
    Unsupported {
        /// The format and version, e.g. "Postman Collection 2.1".
        format: String,
        /// The rest of the sentence: why, and what to do.
        detail: String,
    },
}

/// A line of a file around a position, to show a problem in place.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Excerpt {
    /// The text shown: the line, or a window of it marked with `…` where cut.
    pub text: String,
    /// The 1-based position, in characters of `text`, of the problem.
    pub column: usize,
}

impl Excerpt {
    /// How many characters are shown on each side of the column of a long line.
    const HALF: usize = 60;

    /// The excerpt of `source` at 1-based `line` and `column` (the column as
    /// parsers count it, in characters from the line's start).
    pub fn at(source: &str, line: usize, column: usize) -> Excerpt {
        let Some(text) = source.lines().nth(line.saturating_sub(1)) else {
            return Excerpt::default();
        };
        let chars: Vec<char> = text.chars().collect();
        let at = column.saturating_sub(1).min(chars.len());
        let start = at.saturating_sub(Self::HALF);
        let end = (at + Self::HALF).min(chars.len());
        let mut shown: String = chars[start..end].iter().collect();
        let mut column = at - start + 1;
        if start > 0 {
            shown.insert(0, '…');
            column += 1;
        }
        if end < chars.len() {
            shown.push('…');
        }
        Excerpt {
            text: shown,
            column,
        }
    }
}

/// The formats named in messages that list what is supported.
pub const SUPPORTED_FORMATS: &str =
    "OpenAPI 2.0 (Swagger), OpenAPI 3.0 and 3.1, Postman Collection 2.1, and HAR 1.2, in JSON or YAML";

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Empty => write!(f, "The file is empty. Choose a file that holds an API specification ({SUPPORTED_FORMATS})."),
            LoadError::TooLarge { size, limit } => write!(
                f,
                "The specification is {:.1} MB; prescan reads specifications of up to {:.0} MB (limit `input_bytes`, for all its files together). Remove unused parts of it.",
                *size as f64 / 1_048_576.0,
                *limit as f64 / 1_048_576.0
            ),
            LoadError::OverLimit { message, .. } => f.write_str(message),
            LoadError::Binary { offset } => write!(
                f,
                "The file is not text (binary data at byte {offset}). Choose an uncompressed JSON or YAML specification; zip and other archives are not read."
            ),
            LoadError::Syntax { syntax, line, column, message, .. } => write!(
                f,
                "The file is not valid {}: {message} at line {line}, column {column}. Fix it there and load the file again.",
                syntax.label()
            ),
            LoadError::NotASpecification { found } => write!(
                f,
                "This is {found}, not an API specification prescan can read. Supported: {SUPPORTED_FORMATS}."
            ),
            LoadError::Unsupported { format, detail } => write!(f, "{format}: {detail}"),
        }
    }
}

impl std::error::Error for LoadError {}

/// A loaded specification together with what the HAR builder needs from it.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// What the user is shown.
    pub spec: Specification,
    /// What the HAR is built from.
    pub source: Source,
}

/// What the HAR of a loaded specification is built from.
#[derive(Debug, Clone)]
pub enum Source {
    /// One planned request per endpoint (OpenAPI).
    Requests(Vec<RequestPlan>),
    /// Entries taken as they are (HAR input), made valid HAR 1.2.
    Entries(Vec<Entry>),
}

/// How many diagnostics get a line number (each costs a scan of the file).
const MAX_LINE_LOOKUPS: usize = 500;
/// How many bytes those scans may read together (at least
/// [`MIN_LINE_LOOKUPS`] scans are made), so that a large file with many
/// diagnostics does not take minutes.
const LINE_SCAN_BYTES: usize = 512 * 1024 * 1024;
/// The fewest diagnostics that get a line number, however large the file.
const MIN_LINE_LOOKUPS: usize = 10;

/// Reads a specification from the bytes of a file.
///
/// Never panics. Fails only when the file cannot be used at all; problems
/// with parts of it are [`Diagnostic`]s in the result.
pub fn load(
    file_name: &str,
    bytes: &[u8],
    options: &crate::ConvertOptions,
) -> Result<Loaded, LoadError> {
    let text = parse::text(bytes, &options.limits)?;
    let syntax = parse::syntax_of(text);
    let root = parse::value(text, syntax, &options.limits)?;
    let (format, format_version) = detect_value(&root, syntax)?;
    let input = Input {
        file_name,
        file_size: bytes.len(),
        text,
        syntax,
        root,
        format,
        format_version,
        others: Vec::new(),
        diagnostics: Vec::new(),
        origins: Vec::new(),
        notes: refs::Notes::new(),
    };
    Ok(finish(input, options))
}

/// Reads a specification split over several files.
///
/// Never panics. Fails only when no file can be used as the root; problems
/// with the other files are [`Diagnostic`]s in the result.
pub fn load_files(
    files: &[SourceFile],
    options: &crate::ConvertOptions,
) -> Result<Loaded, LoadError> {
    let total: usize = files.iter().map(|f| f.bytes.len()).sum();
    if total as u64 > options.limits.input_bytes {
        return Err(LoadError::TooLarge {
            size: total,
            limit: usize::try_from(options.limits.input_bytes).unwrap_or(usize::MAX),
        });
    }
    match files {
        [] => Err(LoadError::Empty),
        [one] => load(&one.name, &one.bytes, options),
        _ => bundle::load(files, options),
    }
}

fn detect_value(
    root: &serde_json::Value,
    syntax: Syntax,
) -> Result<(SpecFormat, String), LoadError> {
    match root {
        serde_json::Value::Object(map) => detect::detect(map, syntax),
        other => Err(LoadError::NotASpecification {
            found: parse::describe(other, syntax),
        }),
    }
}

/// A parsed root document and what came with it.
pub(crate) struct Input<'t> {
    file_name: &'t str,
    file_size: usize,
    text: &'t str,
    syntax: Syntax,
    root: serde_json::Value,
    format: SpecFormat,
    format_version: String,
    /// The other files: (name, text, syntax), for line numbers.
    others: Vec<(String, &'t str, Syntax)>,
    /// Diagnostics found before (multi-file loading).
    diagnostics: Vec<Diagnostic>,
    /// Where the parts bundled from other files come from.
    origins: Vec<bundle::Origin>,
    /// Why references that could not be bundled fail.
    notes: refs::Notes,
}

fn finish(input: Input<'_>, options: &crate::ConvertOptions) -> Loaded {
    let Input {
        file_name,
        file_size,
        text,
        syntax,
        mut root,
        format,
        format_version,
        others,
        diagnostics: mut diags,
        origins,
        notes,
    } = input;
    if format == SpecFormat::OpenApi31 {
        openapi31::normalize(&mut root);
    }
    let empty = serde_json::Map::new();
    let map = root.as_object().unwrap_or(&empty);
    let mut diagnostics = Vec::new();
    let mut spec = Specification {
        file_name: file_name.to_owned(),
        file_size,
        format,
        format_version,
        syntax,
        title: String::new(),
        version: String::new(),
        description: None,
        servers: Vec::new(),
        endpoints: Vec::new(),
        diagnostics: Vec::new(),
        files: std::iter::once(file_name.to_owned())
            .chain(others.iter().map(|(n, _, _)| n.clone()))
            .collect(),
        security_schemes: Vec::new(),
    };
    auth::check_custom(&options.auth, &mut diagnostics);
    let source = match format {
        SpecFormat::Postman21 => postman::read(map, options, &mut diagnostics).into_spec(&mut spec),
        SpecFormat::Har12 => {
            let input = har_input::read(map, file_name, &options.limits, &mut diagnostics);
            spec.title = input.title;
            spec.version = spec.format_version.clone();
            spec.servers = input.servers;
            spec.endpoints = input.endpoints;
            Source::Entries(input.entries)
        }
        SpecFormat::OpenApi2 | SpecFormat::OpenApi30 | SpecFormat::OpenApi31 => {
            let converted;
            let doc = match format {
                SpecFormat::OpenApi2 => {
                    converted = swagger2::to_openapi3(map, &mut diagnostics);
                    &converted
                }
                SpecFormat::OpenApi31 => {
                    diagnostics.push(Diagnostic::new(
                        Severity::Information,
                        "/openapi",
                        "OpenAPI 3.1 is read through prescan's OpenAPI 3.0 reader: type lists, `const`, `examples` and numeric exclusive bounds are understood; other JSON Schema 2020-12 keywords are ignored when generating values.",
                    ));
                    &root
                }
                _ => &root,
            };
            spec.security_schemes = security_schemes(doc);
            openapi3::analyze(doc, format, options, &notes, &mut diagnostics).into_spec(&mut spec)
        }
    };
    diags.append(&mut diagnostics);
    let mut diagnostics = diags;
    bundle::relocate(&origins, &mut diagnostics);
    if !diagnostics.is_empty() {
        let index = lines::LineIndex::new(text, syntax);
        let mut other_indexes: Vec<(&str, lines::LineIndex)> = Vec::new();
        let lookups =
            (LINE_SCAN_BYTES / text.len().max(1)).clamp(MIN_LINE_LOOKUPS, MAX_LINE_LOOKUPS);
        for d in diagnostics.iter_mut().take(lookups) {
            if d.line.is_some() {
                continue;
            }
            d.line = match &d.file {
                None => index.line_of(&d.pointer),
                Some(f) => {
                    if !other_indexes.iter().any(|(n, _)| n == f) {
                        if let Some((n, t, s)) = others.iter().find(|(n, _, _)| n == f) {
                            other_indexes.push((n.as_str(), lines::LineIndex::new(t, *s)));
                        }
                    }
                    other_indexes
                        .iter()
                        .find(|(n, _)| n == f)
                        .and_then(|(_, idx)| idx.line_of(&d.pointer))
                }
            };
        }
    }
    spec.diagnostics = diagnostics;
    Loaded { spec, source }
}
