//! The budget of values: what a value costs (against `value_bytes` and
//! `har_bytes`), the steps and room left for the current value, whether
//! the requests are full, and one diagnostic per limit a value reached.

use serde_json::Value;

use super::Sampler;
use crate::diagnostic::{shorten, Diagnostic, Severity};
use crate::limits::{bytes, Limit};

/// What one value costs per value in it, beyond its strings and keys
/// (the size of a `serde_json::Value`), in [`cost`].
pub(super) const VALUE_COST: u64 = 32;

/// What a value is charged against [`Limits::value_bytes`] and
/// [`Limits::har_bytes`]: 32 bytes for each value in it, plus the bytes of
/// its strings and keys. Counting stops once past `cap` (the result is then
/// some number above it).
pub(crate) fn cost(v: &Value, cap: u64) -> u64 {
    fn walk(v: &Value, total: &mut u64, cap: u64) {
        *total += VALUE_COST;
        if *total > cap {
            return;
        }
        match v {
            Value::String(s) => *total += s.len() as u64,
            Value::Array(items) => {
                for i in items {
                    walk(i, total, cap);
                    if *total > cap {
                        return;
                    }
                }
            }
            Value::Object(m) => {
                for (k, i) in m {
                    *total += VALUE_COST + k.len() as u64;
                    walk(i, total, cap);
                    if *total > cap {
                        return;
                    }
                }
            }
            _ => {}
        }
    }
    let mut total = 0;
    walk(v, &mut total, cap);
    total
}

/// The length of a value written as JSON.
pub(super) fn json_len(v: &Value) -> u64 {
    struct Count(u64);
    impl std::io::Write for Count {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len() as u64;
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    let _ = serde_json::to_writer(&mut count, v);
    count.0
}

/// What generating the current value ran into, reported once it is done.
#[derive(Default)]
pub(super) struct Hits {
    pub(super) steps: bool,
    /// The value reached `value_bytes`.
    pub(super) value: bool,
    /// A stated value was larger than `value_bytes` (its size).
    pub(super) stated: Option<u64>,
    /// The largest `minItems` above `array_items`.
    pub(super) items: Option<u64>,
    pub(super) depth: bool,
    /// A pattern that ran out of steps.
    pub(super) pattern: Option<String>,
}

impl<'r, 'a> Sampler<'r, 'a> {
    /// The cost of a value of the document, measured once.
    pub(super) fn size_of(&mut self, v: &'a Value) -> u64 {
        let cap = self.limits.value_bytes;
        *self
            .sizes
            .entry(v as *const Value)
            .or_insert_with(|| cost(v, cap))
    }

    /// Whether the requests have used up `har_bytes` (an Error says so).
    pub(super) fn har_full(&mut self, at: &str, diags: &mut Vec<Diagnostic>) -> bool {
        if self.har_used < self.limits.har_bytes {
            return false;
        }
        if std::mem::replace(&mut self.har_reported, true) {
            return true;
        }
        let limits = self.limits;
        self.overruns.report(
            Limit::HarBytes,
            Severity::Error,
            at,
            || {
                format!(
                    "The requests reached the size they may take together ({}) here: from this request on, requests carry their method and URL, and values are minimal (no examples, empty objects and arrays). Shrink the examples, or raise the limit.",
                    Limit::HarBytes.cite(&limits)
                )
            },
            diags,
        );
        true
    }

    /// One diagnostic per limit the current value reached.
    pub(super) fn report_hits(&mut self, at: &str, diags: &mut Vec<Diagnostic>) {
        let hits = std::mem::take(&mut self.hits);
        let limits = self.limits;
        if hits.steps && self.last_steps {
            if !std::mem::replace(&mut self.steps_reported, true) {
                self.overruns.report(
                    Limit::ConversionSteps,
                    Severity::Error,
                    at,
                    || format!("Generating values reached the steps all of them may take together ({}) here: schemas this costly are used by many operations. From this value on, values are minimal. Simplify the schemas, or raise the limit.", Limit::ConversionSteps.cite(&limits)),
                    diags,
                );
            }
        } else if hits.steps {
            self.overruns.report(
                Limit::SchemaSteps,
                Severity::Warning,
                at,
                || format!("Generating this value reached the {} (schemas visited and references followed): what was left holds minimal values.", Limit::SchemaSteps.cite(&limits)),
                diags,
            );
        }
        if let Some(size) = hits.stated {
            self.overruns.report(
                Limit::ValueBytes,
                Severity::Warning,
                at,
                || format!("A value the schema states here is larger than one value may be ({}, it takes more than {}); a generated value is used instead.", Limit::ValueBytes.cite(&limits), bytes(size.min(limits.value_bytes))),
                diags,
            );
        }
        if let Some(wanted) = hits.items {
            self.overruns.report(
                Limit::ArrayItems,
                Severity::Warning,
                at,
                || format!("An array here asks for {} (`minItems`), more than prescan generates for one array ({}), so the server may refuse the request.", crate::text::count(wanted, "item", "items"), Limit::ArrayItems.cite(&limits)),
                diags,
            );
        }
        if hits.value {
            self.overruns.report(
                Limit::ValueBytes,
                Severity::Warning,
                at,
                || format!("This value reached the size one value may have ({}): its arrays got fewer items and what was left holds minimal values.", Limit::ValueBytes.cite(&limits)),
                diags,
            );
        }
        if let Some(pattern) = hits.pattern {
            self.overruns.report(
                Limit::PatternSteps,
                Severity::Warning,
                at,
                || format!("No string matching the pattern `{}` was found within the {}; a value from the schema's format is used instead.", shorten(&pattern, 80), Limit::PatternSteps.cite(&limits)),
                diags,
            );
        }
        if hits.depth {
            self.overruns.report(
                Limit::Depth,
                Severity::Information,
                at,
                || format!("The schema of this value nests deeper than the {}: deeper parts hold minimal values.", Limit::Depth.cite(&limits)),
                diags,
            );
        }
    }

    /// Takes a step of the current value's `schema_steps`.
    pub(super) fn step(&mut self) -> bool {
        if self.steps == 0 {
            self.hits.steps = true;
            return false;
        }
        self.steps -= 1;
        true
    }

    /// Room left in the current value's `value_bytes`.
    pub(super) fn room(&self) -> u64 {
        self.limits.value_bytes.saturating_sub(self.produced)
    }

    /// Charges a generated scalar to the current value.
    pub(super) fn charge(&mut self, v: Value) -> Value {
        self.produced += cost(&v, u64::MAX);
        v
    }
}
