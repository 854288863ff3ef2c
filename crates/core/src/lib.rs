//! The pure core of prescan: API specification bytes in; endpoints, diagnostics
//! and a HAR 1.2 document out.
//!
//! Nothing here knows it runs in a browser: no Leptos, no web-sys. The web app,
//! its worker and any future command-line tool or server call [`convert`] and
//! show the answer.
//!
//! Data flows one way: bytes → [`spec`] (a [`Specification`] with its
//! [`Endpoint`]s and [`Diagnostic`]s) → [`har`] (a [`har::Har`] document).

#![warn(missing_docs)]

pub mod diagnostic;
mod encode;
pub mod har;
pub mod sample;
pub mod spec;

pub use diagnostic::{Diagnostic, Severity};
pub use spec::{
    Endpoint, LoadError, Method, Server, SpecFormat, Specification, Syntax, MAX_SPEC_BYTES,
    PRESCAN_LIMIT,
};

/// Options that shape a conversion. The default is what a user gets before
/// touching any setting.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ConvertOptions {
    /// A fully-qualified base URL that replaces the specification's servers
    /// (required when the specification has none, or only relative ones).
    pub base_url: Option<String>,
}

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
