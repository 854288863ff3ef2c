//! The budget of one conversion: how many bytes, items and steps the work on
//! one specification may take, so that a hostile file ends quickly, in
//! bounded memory, with a diagnostic that says which limit it reached.
//!
//! Every limit is a field of [`Limits`], part of [`crate::ConvertOptions`],
//! so the browser, the server and any command line share the same defaults
//! and can raise or lower each one. The defaults leave the largest public
//! specifications whole (Microsoft Graph beta: 47 MB, 22,361 operations).
//!
//! Depends on `diagnostic` only.

use serde::{Deserialize, Serialize};

use crate::diagnostic::{Diagnostic, Severity};

/// How much work one conversion may do. `{}` deserializes to the defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Limits {
    /// Bytes of the file read, or of all the files of a specification
    /// together (refused above it).
    pub input_bytes: u64,
    /// Endpoints read (operations, Postman requests, HAR entries); later
    /// ones are left out.
    pub endpoints: u64,
    /// Bytes of text (strings and keys) a document may hold once its YAML
    /// aliases are expanded (the file is refused above it), and what the
    /// parts copied from other files of a specification may take (counted
    /// as for `value_bytes`; a reference past it is left empty, with a
    /// Warning).
    pub expanded_bytes: u64,
    /// Bytes one value (a parameter's value or a request body) may take,
    /// counted as held in memory: 32 bytes for each value in it, plus the
    /// bytes of its strings and keys (never less than its size as JSON,
    /// but for escapes). A stated example above it is replaced by a
    /// generated value; a generated value stops growing at it.
    pub value_bytes: u64,
    /// Bytes all the values of all the requests may take together, counted
    /// each time a value is used: an example the specification states by
    /// its size as JSON (it is held once, however many requests use it), a
    /// generated value as for `value_bytes`. Past it, requests carry
    /// minimal values.
    pub har_bytes: u64,
    /// Items generated for one array, whatever its `minItems`.
    pub array_items: u64,
    /// Steps (schemas visited, references followed) to generate one value.
    pub schema_steps: u64,
    /// Steps to generate all the values of the conversion together (past
    /// it, values are minimal), so that many operations using one costly
    /// schema end too.
    pub conversion_steps: u64,
    /// Steps to generate one string that matches a `pattern`.
    pub pattern_steps: u64,
    /// Nesting of a generated value: deeper schemas get minimal values.
    pub depth: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits::DEFAULT
    }
}

impl Limits {
    /// The defaults, sized for real specifications.
    pub const DEFAULT: Limits = Limits {
        input_bytes: MAX_SPEC_BYTES as u64,
        endpoints: 100_000,
        expanded_bytes: 256 * MIB,
        value_bytes: 4 * MIB,
        har_bytes: 128 * MIB,
        array_items: 32,
        schema_steps: 100_000,
        conversion_steps: 10_000_000,
        pattern_steps: 100_000,
        depth: 12,
    };
}

const MIB: u64 = 1024 * 1024;

/// The largest file prescan reads, in bytes, by default
/// ([`Limits::input_bytes`]).
pub const MAX_SPEC_BYTES: usize = 64 * 1024 * 1024;

/// The most files one specification may be given in (the root and the
/// files its `$ref`s point into), wherever it is converted or stored: the
/// app, the reference server and the command line share it. Their bytes
/// together are within [`Limits::input_bytes`].
pub const MAX_SPEC_FILES: usize = 100;

impl Limits {
    /// Sets one limit from `name=value`, as command lines take it: the
    /// name of a field (`value_bytes`), a whole number, and for sizes an
    /// optional `KiB`, `MiB` or `GiB` (`value_bytes=8MiB`). The error is a
    /// sentence that lists the names.
    pub fn set(&mut self, assignment: &str) -> Result<(), String> {
        let names = || {
            Limit::ALL
                .iter()
                .map(|l| l.name())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let Some((name, value)) = assignment.split_once('=') else {
            return Err(format!(
                "`{assignment}` is not NAME=VALUE; the names are {}.",
                names()
            ));
        };
        let name = name.trim();
        let Some(limit) = Limit::ALL.into_iter().find(|l| l.name() == name) else {
            return Err(format!(
                "`{name}` is not a limit; the names are {}.",
                names()
            ));
        };
        let value = value.trim();
        let (digits, unit) = match value.find(|c: char| !c.is_ascii_digit() && c != '_') {
            Some(i) => value.split_at(i),
            None => (value, ""),
        };
        let scale = match (unit.trim(), limit.is_bytes()) {
            ("", _) => 1,
            ("KiB", true) => 1024,
            ("MiB", true) => MIB,
            ("GiB", true) => 1024 * MIB,
            _ => {
                return Err(format!(
                    "`{value}` is not a value for `{name}`: give a whole number{}.",
                    if limit.is_bytes() {
                        " of bytes, optionally with KiB, MiB or GiB"
                    } else {
                        ""
                    }
                ))
            }
        };
        let n: u64 = digits
            .replace('_', "")
            .parse()
            .ok()
            .and_then(|n: u64| n.checked_mul(scale))
            .ok_or_else(|| {
                format!("`{value}` is not a value for `{name}`: give a whole number.")
            })?;
        let field = match limit {
            Limit::InputBytes => &mut self.input_bytes,
            Limit::Endpoints => &mut self.endpoints,
            Limit::ExpandedBytes => &mut self.expanded_bytes,
            Limit::ValueBytes => &mut self.value_bytes,
            Limit::HarBytes => &mut self.har_bytes,
            Limit::ArrayItems => &mut self.array_items,
            Limit::SchemaSteps => &mut self.schema_steps,
            Limit::ConversionSteps => &mut self.conversion_steps,
            Limit::PatternSteps => &mut self.pattern_steps,
            Limit::Depth => &mut self.depth,
        };
        *field = n;
        Ok(())
    }
}

/// One of the limits of [`Limits`], to name it in a diagnostic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// [`Limits::input_bytes`].
    InputBytes,
    /// [`Limits::endpoints`].
    Endpoints,
    /// [`Limits::expanded_bytes`].
    ExpandedBytes,
    /// [`Limits::value_bytes`].
    ValueBytes,
    /// [`Limits::har_bytes`].
    HarBytes,
    /// [`Limits::array_items`].
    ArrayItems,
    /// [`Limits::schema_steps`].
    SchemaSteps,
    /// [`Limits::conversion_steps`].
    ConversionSteps,
    /// [`Limits::pattern_steps`].
    PatternSteps,
    /// [`Limits::depth`].
    Depth,
}

impl Limit {
    /// Every limit, in the order of [`Limits`].
    pub const ALL: [Limit; 10] = [
        Limit::InputBytes,
        Limit::Endpoints,
        Limit::ExpandedBytes,
        Limit::ValueBytes,
        Limit::HarBytes,
        Limit::ArrayItems,
        Limit::SchemaSteps,
        Limit::ConversionSteps,
        Limit::PatternSteps,
        Limit::Depth,
    ];

    /// The option's name: the field of [`Limits`].
    pub fn name(self) -> &'static str {
        match self {
            Limit::InputBytes => "input_bytes",
            Limit::Endpoints => "endpoints",
            Limit::ExpandedBytes => "expanded_bytes",
            Limit::ValueBytes => "value_bytes",
            Limit::HarBytes => "har_bytes",
            Limit::ArrayItems => "array_items",
            Limit::SchemaSteps => "schema_steps",
            Limit::ConversionSteps => "conversion_steps",
            Limit::PatternSteps => "pattern_steps",
            Limit::Depth => "depth",
        }
    }

    /// Its value in `limits`.
    pub fn value(self, limits: &Limits) -> u64 {
        match self {
            Limit::InputBytes => limits.input_bytes,
            Limit::Endpoints => limits.endpoints,
            Limit::ExpandedBytes => limits.expanded_bytes,
            Limit::ValueBytes => limits.value_bytes,
            Limit::HarBytes => limits.har_bytes,
            Limit::ArrayItems => limits.array_items,
            Limit::SchemaSteps => limits.schema_steps,
            Limit::ConversionSteps => limits.conversion_steps,
            Limit::PatternSteps => limits.pattern_steps,
            Limit::Depth => limits.depth,
        }
    }

    /// Whether its values are bytes.
    fn is_bytes(self) -> bool {
        matches!(
            self,
            Limit::InputBytes | Limit::ExpandedBytes | Limit::ValueBytes | Limit::HarBytes
        )
    }

    /// ``limit `value_bytes` = 4 MiB``: how diagnostics name it.
    pub fn cite(self, limits: &Limits) -> String {
        let value = self.value(limits);
        let shown = if self.is_bytes() {
            bytes(value)
        } else {
            thousands(value)
        };
        format!("limit `{}` = {shown}", self.name())
    }

    fn index(self) -> usize {
        Limit::ALL.iter().position(|l| *l == self).unwrap_or(0)
    }
}

/// `4 MiB`, `1.5 KiB`, `12 bytes`.
pub fn bytes(n: u64) -> String {
    const UNITS: [(u64, &str); 3] = [(1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")];
    for (size, unit) in UNITS {
        if n >= size {
            let v = n as f64 / size as f64;
            return if v.fract() == 0.0 {
                format!("{v:.0} {unit}")
            } else {
                format!("{v:.1} {unit}")
            };
        }
    }
    crate::text::count(n, "byte", "bytes")
}

pub use crate::text::thousands;

/// How many diagnostics one limit gets before the rest are only counted.
const SHOWN_PER_LIMIT: usize = 10;

/// The diagnostics of limits reached during one conversion: each limit
/// reports its first places; the others are summed up in one more.
#[derive(Debug, Default)]
pub(crate) struct Overruns {
    counts: [usize; Limit::ALL.len()],
    severities: [Option<Severity>; Limit::ALL.len()],
}

impl Overruns {
    /// Records that `limit` was reached at `pointer`; the message is built
    /// only when it is shown.
    pub(crate) fn report(
        &mut self,
        limit: Limit,
        severity: Severity,
        pointer: &str,
        message: impl FnOnce() -> String,
        diags: &mut Vec<Diagnostic>,
    ) {
        let i = limit.index();
        self.counts[i] += 1;
        let worst = self.severities[i].map_or(severity, |s| s.min(severity));
        self.severities[i] = Some(worst);
        if self.counts[i] <= SHOWN_PER_LIMIT {
            diags.push(Diagnostic::new(severity, pointer, message()));
        }
    }

    /// One diagnostic per limit reached more often than it was shown.
    pub(crate) fn finish(&self, limits: &Limits, diags: &mut Vec<Diagnostic>) {
        for limit in Limit::ALL {
            let i = limit.index();
            let more = self.counts[i].saturating_sub(SHOWN_PER_LIMIT);
            if more == 0 {
                continue;
            }
            diags.push(Diagnostic::new(
                self.severities[i].unwrap_or(Severity::Warning),
                "",
                format!(
                    "The {} was reached in {} more place{} than the {SHOWN_PER_LIMIT} shown, each handled the same way.",
                    limit.cite(limits),
                    thousands(more as u64),
                    if more == 1 { "" } else { "s" }
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_counts_read_well() {
        assert_eq!(bytes(4 * MIB), "4 MiB");
        assert_eq!(bytes(1536), "1.5 KiB");
        assert_eq!(bytes(12), "12 bytes");
        assert_eq!(thousands(100_000), "100,000");
        assert_eq!(thousands(7), "7");
        assert_eq!(
            Limit::ValueBytes.cite(&Limits::default()),
            "limit `value_bytes` = 4 MiB"
        );
        assert_eq!(
            Limit::SchemaSteps.cite(&Limits::default()),
            "limit `schema_steps` = 100,000"
        );
    }

    #[test]
    fn limits_deserialize_from_nothing_and_by_name() {
        let l: Limits = serde_json::from_str("{}").unwrap();
        assert_eq!(l, Limits::default());
        let l: Limits = serde_json::from_str(r#"{"array_items": 5}"#).unwrap();
        assert_eq!(l.array_items, 5);
        let names: Vec<_> = Limit::ALL.iter().map(|l| l.name()).collect();
        let json = serde_json::to_value(Limits::default()).unwrap();
        let keys: Vec<_> = json.as_object().unwrap().keys().cloned().collect();
        assert_eq!(names, keys);
    }

    #[test]
    fn limits_are_set_by_name() {
        let mut l = Limits::default();
        l.set("value_bytes=8MiB").unwrap();
        l.set(" array_items = 1_000 ").unwrap();
        l.set("har_bytes=1024").unwrap();
        assert_eq!(l.value_bytes, 8 * MIB);
        assert_eq!(l.array_items, 1000);
        assert_eq!(l.har_bytes, 1024);
        assert!(l
            .set("array_items=2MiB")
            .unwrap_err()
            .contains("whole number"));
        assert!(l.set("nope=1").unwrap_err().contains("value_bytes"));
        assert!(l.set("depth").unwrap_err().contains("NAME=VALUE"));
        assert!(l.set("depth=-1").is_err());
        assert!(l.set("value_bytes=99999999999GiB").is_err());
    }

    #[test]
    fn a_limit_reached_often_is_shown_ten_times_then_counted() {
        let mut o = Overruns::default();
        let mut diags = Vec::new();
        for i in 0..25 {
            o.report(
                Limit::ArrayItems,
                Severity::Warning,
                &format!("/p{i}"),
                || "x".into(),
                &mut diags,
            );
        }
        o.finish(&Limits::default(), &mut diags);
        assert_eq!(diags.len(), 11);
        assert!(
            diags[10].message.contains("15 more places"),
            "{:?}",
            diags[10]
        );
        assert!(diags[10].message.contains("`array_items`"));
    }
}
