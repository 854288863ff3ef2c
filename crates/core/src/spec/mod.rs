//! Bytes → a normalized [`Specification`]: format detection, parsing (JSON or
//! YAML), the OpenAPI 2.0 → 3.0 front end, and endpoint enumeration.
//!
//! The loading is here (bytes → a parsed root → a reader → a [`Loaded`]
//! specification with line numbers on its diagnostics); what a
//! specification is lives in `model`, why a file cannot be read in
//! `errors`, each format's reader in its own room.
//!
//! Depends on the budget ([`crate::limits`]), the options, the diagnostics,
//! the request plans (`plan`, re-exported as `spec::plan`), the references
//! (`refs`), the HAR types (`har_types`) and the sampler (`sample`); never
//! on the HAR builder (`har`), `prescan`, `analysis` or `api`.

pub(crate) mod auth;
mod bundle;
pub mod carried;
mod detect;
mod errors;
mod har_input;
mod lines;
mod model;
mod openapi3;
mod openapi31;
mod parse;
mod postman;
mod scoping;
mod swagger2;
mod wording;
mod yaml;

use crate::diagnostic::{Diagnostic, Severity};
use crate::har_types::Entry;
pub use crate::plan;
pub use crate::plan::{Method, RequestPlan};
use crate::refs;

pub use self::errors::{Excerpt, LoadError, SUPPORTED_FORMATS};
pub use self::model::{
    Coverage, Endpoint, OAuthFlowInfo, SchemeKind, SecuritySchemeInfo, Server, ServerVariable,
    SourceFile, SpecFormat, Specification, Syntax, MAX_TAGS, MAX_TAG_CHARS, PRESCAN_LIMIT,
};

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

pub use self::bundle::{file_label, referenced_files, MAX_FILE_LABEL_CHARS};
pub use crate::limits::{MAX_SPEC_BYTES, MAX_SPEC_FILES};

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
            let oauth_flows = scheme
                .get("flows")
                .and_then(serde_json::Value::as_object)
                .map(|flows| {
                    flows
                        .iter()
                        .take(8)
                        .map(|(flow, f)| OAuthFlowInfo {
                            flow: flow.clone(),
                            token_url: text(f, "tokenUrl").filter(|u| !u.trim().is_empty()),
                            scopes: f
                                .get("scopes")
                                .and_then(serde_json::Value::as_object)
                                .map(|s| s.keys().take(64).cloned().collect())
                                .unwrap_or_default(),
                        })
                        .collect()
                })
                .unwrap_or_default();
            Some(SecuritySchemeInfo {
                name: name.clone(),
                kind,
                description: text(scheme, "description"),
                oauth_flows,
                open_id_connect_url: text(scheme, "openIdConnectUrl"),
            })
        })
        .collect()
}

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

/// How many diagnostics get a line and column (each costs a scan of the file).
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
/// Never panics. Fails only when no file can be used as the root, or when
/// the files are more than [`MAX_SPEC_FILES`] or larger together than
/// [`crate::Limits::input_bytes`]; problems with the other files are
/// [`Diagnostic`]s in the result.
pub fn load_files(
    files: &[SourceFile],
    options: &crate::ConvertOptions,
) -> Result<Loaded, LoadError> {
    if files.len() > MAX_SPEC_FILES {
        return Err(LoadError::OverLimit {
            limit: "spec_files".into(),
            message: format!(
                "{} files were given; a specification may be split over at most {MAX_SPEC_FILES} files.",
                files.len()
            ),
        });
    }
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
    if matches!(format, SpecFormat::Postman21 | SpecFormat::Har12) && !options.values.is_empty() {
        diagnostics.push(Diagnostic::new(
            Severity::Warning,
            "",
            format!(
                "The values you gave are used with OpenAPI and Swagger specifications only; a {} states no parameter schemas, so none of the {} is used.",
                format.label(),
                crate::text::thousands(options.values.entries.len() as u64)
            ),
        ));
    }
    let mut source = match format {
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
            let mut moved = None;
            let doc = match format {
                SpecFormat::OpenApi2 => {
                    let (doc, m) = swagger2::to_openapi3(map, &mut diagnostics);
                    converted = doc;
                    moved = Some(m);
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
            let source = openapi3::analyze(doc, format, options, &notes, &mut diagnostics)
                .into_spec(&mut spec);
            if let Some(moved) = moved {
                moved.relocate(&mut diagnostics);
            }
            source
        }
    };
    scoping::apply(&mut spec, &options.scope, &mut diagnostics);
    // No credential the user entered is silently left out.
    if let Source::Requests(plans) = &mut source {
        let declared = !spec.security_schemes.is_empty();
        carried::account(
            plans,
            &options.auth,
            declared,
            &options.limits,
            &mut diagnostics,
        );
    }
    diags.append(&mut diagnostics);
    let mut diagnostics = diags;
    bundle::relocate(&origins, &mut diagnostics);
    if !diagnostics.is_empty() {
        let index = lines::LineIndex::new(text, syntax);
        let mut other_indexes: Vec<(&str, lines::LineIndex)> = Vec::new();
        let lookups =
            (LINE_SCAN_BYTES / text.len().max(1)).clamp(MIN_LINE_LOOKUPS, MAX_LINE_LOOKUPS);
        for d in diagnostics.iter_mut().take(lookups) {
            // A note about the whole document (the credentials entered, a
            // limit) has no place in it: "line 1" would mislead.
            if d.line.is_some() || d.pointer.is_empty() {
                continue;
            }
            let position = match &d.file {
                None => index.position_of(&d.pointer),
                Some(f) => {
                    if !other_indexes.iter().any(|(n, _)| n == f) {
                        if let Some((n, t, s)) = others.iter().find(|(n, _, _)| n == f) {
                            other_indexes.push((n.as_str(), lines::LineIndex::new(t, *s)));
                        }
                    }
                    other_indexes
                        .iter()
                        .find(|(n, _)| n == f)
                        .and_then(|(_, idx)| idx.position_of(&d.pointer))
                }
            };
            if let Some((line, column)) = position {
                d.line = Some(line);
                d.column = Some(column);
            }
        }
    }
    spec.diagnostics = diagnostics;
    Loaded { spec, source }
}
