//! Why a file cannot be used as a specification at all ([`LoadError`]),
//! the excerpt of the line a syntax error is on, and the sentences people
//! are shown for each.

use serde::{Deserialize, Serialize};
use std::fmt;

use super::Syntax;
use crate::text::thousands;

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
                "The file is not valid {}: {message} at line {}, column {}. Fix it there and load the file again.",
                syntax.label(),
                thousands(*line as u64),
                thousands(*column as u64)
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
