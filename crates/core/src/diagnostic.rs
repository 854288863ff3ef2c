//! Problems found while loading a specification that do not stop it loading.
//!
//! Depends on nothing in the crate but `text`.

use serde::{Deserialize, Serialize};

use crate::text::thousands;

/// How much a problem matters, with the meanings Veracode's Prescan Notes use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Severity {
    /// Ends the work early, or leaves a part of the specification out.
    Error,
    /// Could reduce coverage: something was guessed or left out.
    Warning,
    /// Not actionable; worth knowing.
    Information,
}

impl Severity {
    /// The label shown to users, as Veracode writes it.
    pub fn label(self) -> &'static str {
        match self {
            Severity::Error => "Error",
            Severity::Warning => "Warning",
            Severity::Information => "Information",
        }
    }
}

/// One problem found in a specification: what it is, what to do, and where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    /// How much it matters.
    pub severity: Severity,
    /// A sentence for a person: what is wrong and what to do about it.
    pub message: String,
    /// Where, as a JSON pointer into the document (`""` is the whole document).
    pub pointer: String,
    /// The 1-based line in the file, where the source allows it.
    pub line: Option<u32>,
    /// The 1-based column (in characters) on that line where the part
    /// begins: a minified JSON file is all on line 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
    /// The file `pointer` and `line` refer to, when the specification was
    /// given as several files and the problem is not in the root file
    /// (`None`: the root file, or the only one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
}

impl Diagnostic {
    /// A diagnostic at `pointer`, with no line yet.
    pub fn new(severity: Severity, pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity,
            message: message.into(),
            pointer: pointer.into(),
            line: None,
            column: None,
            file: None,
        }
    }

    /// Where in the file, for people: `line 12, column 5` (digits grouped:
    /// `line 1, column 4,812`), `line 12` without a column, `None` without
    /// a line.
    pub fn position(&self) -> Option<String> {
        let line = self.line?;
        Some(match self.column {
            Some(column) => format!(
                "line {}, column {}",
                thousands(u64::from(line)),
                thousands(u64::from(column))
            ),
            None => format!("line {}", thousands(u64::from(line))),
        })
    }
}

/// Text from a specification cut to `max` characters (with `…`) for a
/// message: a path or a pattern can be as long as the file.
pub(crate) fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut s: String = text.chars().take(max).collect();
    s.push('…');
    s
}
