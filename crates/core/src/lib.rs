//! The pure core of prescan: API specification bytes in, endpoints,
//! diagnostics and a HAR 1.2 document out, within a budget ([`Limits`]);
//! the prescan of those requests ([`prescan`]); Dynamic Analyses, their
//! engine and stores ([`analysis`]); and the JSON API's wire types ([`api`]).
//!
//! Nothing here knows it runs in a browser, a server or a terminal: no
//! Leptos, no web-sys, no I/O, no clock (time is passed in). The web app,
//! its worker and the reference server call [`convert`] and the stores, and
//! show the answer.
//!
//! Data flows one way: bytes → [`spec`] (a [`Specification`] with its
//! [`Endpoint`]s and [`Diagnostic`]s, one request plan per endpoint) →
//! [`har`] (a [`har::Har`] document) → [`prescan`] → [`analysis`]. Modules
//! import downwards only: `encode`, [`time`], [`text`] (counts and their
//! nouns) → [`diagnostic`] → [`limits`], [`values`] (the user's values) → [`scope`] (the endpoint scope;
//! it names a [`Method`] of [`plan`]) → options → `har_types` (the HAR 1.2 document) → [`plan`] (the request
//! plans), `refs` (references) → [`sample`] → [`spec`] (the readers) →
//! [`har`] (the HAR builder) → [`prescan`] → [`analysis`] → [`api`]
//! (`tests/module_graph.rs` checks it).

#![warn(missing_docs)]

pub mod analysis;
pub mod api;
pub mod diagnostic;
mod encode;
pub mod har;
mod har_types;
pub mod limits;
pub mod oauth;
pub mod people;
pub mod plan;
pub mod prescan;
mod refs;
pub mod sample;
pub mod scope;
pub mod spec;
pub mod text;
pub mod time;
pub mod values;
pub mod zip;

mod options;

pub use diagnostic::{Diagnostic, Severity};
pub use limits::{Limit, Limits};
pub use options::{
    validate_cookie_name, validate_header_name, ClientCertificate, ConvertOptions, HarScope,
    HarStyle, ScanAuth, MAX_CERTIFICATE_FILE_NAME_CHARS, MAX_CLIENT_CERTIFICATE_BYTES,
    MAX_PASSPHRASE_CHARS, RESERVED_HEADERS,
};
pub use scope::{Scope, ScopeDecision, ScopeRule, Selector};
pub use spec::{
    Coverage, Endpoint, Excerpt, LoadError, Method, SchemeKind, SecuritySchemeInfo, Server,
    ServerVariable, SourceFile, SpecFormat, Specification, Syntax, MAX_SPEC_BYTES, MAX_SPEC_FILES,
    PRESCAN_LIMIT,
};
pub use values::{ValueEntry, ValueLocation, ValueOverrides, ValuesError};

/// A loaded specification and the HAR it converts to.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Conversion {
    /// What was found in the file.
    pub spec: Specification,
    /// One HAR entry per endpoint, in specification order.
    pub har: har::Har,
}

/// Loads a specification from the bytes of a file and converts it to HAR.
///
/// Never panics: every problem with the input is either a [`LoadError`] (the
/// file cannot be used at all) or a [`Diagnostic`] in the result (one part of
/// it could not be used; the rest still converts).
pub fn convert(
    file_name: &str,
    bytes: &[u8],
    options: &ConvertOptions,
) -> Result<Conversion, LoadError> {
    let loaded = spec::load(file_name, bytes, options)?;
    let har = har::build(&loaded, options);
    Ok(Conversion {
        spec: loaded.spec,
        har,
    })
}

/// Loads a specification split over several files (the root document and
/// the files its `$ref`s point into) and converts it to HAR.
///
/// The root is chosen automatically: the file that is an OpenAPI or Swagger
/// document; if several are, the one no other file references; otherwise
/// the first. An Information diagnostic names it. Relative references
/// between the files resolve (`./schemas/pet.yaml#/Pet`,
/// `../common.yaml#/components/parameters/X`, whole-file references); a
/// reference to a file not given is a Warning that names the file. A file
/// other than the root that cannot be parsed is a diagnostic, not a failure.
///
/// With one file, this is [`convert`].
pub fn convert_files(
    files: &[SourceFile],
    options: &ConvertOptions,
) -> Result<Conversion, LoadError> {
    let loaded = spec::load_files(files, options)?;
    let har = har::build(&loaded, options);
    Ok(Conversion {
        spec: loaded.spec,
        har,
    })
}
