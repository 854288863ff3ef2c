//! Schema → an example value that fits it.
//!
//! The rules, in order (the parameter's or media type's own `example` /
//! `examples` come before all of these; the readers apply them):
//!
//! 1. the schema's own values: `const`, the first of `examples`, `example`,
//!    the first `enum` value that is not null, `default` (with `$ref`
//!    siblings, as OpenAPI 3.1 allows, a value the siblings state wins);
//! 2. `allOf` branches merged; the first viable `oneOf` / `anyOf` branch;
//! 3. a generated value that fits the schema:
//!    - strings: one matching `pattern` when the pattern is in the common
//!      subset (see `pattern`), else by `format` (date-time, date, time,
//!      email, uuid, uri, hostname, ipv4, ipv6, byte, ...), else `"string"`;
//!      padded or cut to `minLength` / `maxLength`;
//!    - integers: 1 when the bounds allow it (a 0 identifier is often
//!      invalid), else the bound nearest to it; `multipleOf` respected;
//!      clamped to int32 / int64;
//!    - numbers: 0, or the lower bound (a step above an exclusive one);
//!    - booleans: `true`; arrays: `minItems` items (at least 1, at most 32;
//!      distinct with `uniqueItems`); objects: their properties (optional
//!      ones down to a depth of 6), `readOnly` ones left out of requests.
//!
//! The readers add one rule: a path parameter of type string named like an
//! identifier (`id`, `petId`, `pet_id`, `pet-id`, `petID`) whose schema
//! says nothing more (no example, enum, default, const, format or pattern)
//! gets `"1"` (left-padded with `0`s to `minLength`) rather than
//! `"string"`.
//!
//! Generation is deterministic (no randomness, no clocks), safe on recursive
//! schemas, and within the conversion's [`Limits`]: each value within
//! `value_bytes`, `schema_steps`, `array_items`, `depth` and
//! `pattern_steps`, all of them together within `har_bytes`. A limit reached
//! is a diagnostic that names it, at the value's pointer.
//!
//! The entry points are here (the `Sampler` and what the readers ask of
//! it); its rooms: `generate` (a schema → a value: references, stated
//! values, `allOf` / `oneOf` / `anyOf`, types), `compound` (objects and
//! arrays), `scalars` (numbers and the other scalars; strings in
//! `strings` and `pattern`) and `budget` (what a value costs and the
//! limits it reaches).
//!
//! Depends on the references (`refs`), the request plans' shared values
//! (`plan`) and the budget; never on `spec`, `har`, `prescan`, `analysis`
//! or `api`.

mod budget;
mod check;
mod compound;
mod generate;
mod pattern;
mod regex;
mod scalars;
mod strings;

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use self::budget::{json_len, Hits};
use self::check::Stated;
use crate::diagnostic::{Diagnostic, Severity};
use crate::limits::{Limit, Limits, Overruns};
use crate::plan::Shared;
use crate::refs::Resolver;

pub(crate) use self::budget::cost;
pub(crate) use self::check::show;

/// How many schemas of one value are generated richly (optional
/// properties included); past it, only what is required, minimally.
const RICH: usize = 2_000;

/// An example value for `schema`, with `$ref`s resolved against `root`.
///
/// The convenience entry point for callers outside the conversion (problems
/// with references are ignored here; the conversion reports them).
pub fn example(schema: &Value, root: &Value) -> Value {
    let resolver = Resolver::new(root);
    let mut diags = Vec::new();
    Sampler::new(&resolver, Limits::default()).value(schema, "", &mut diags)
}

/// Generates values for the schemas of one document, within its
/// [`Limits`]: each value within `value_bytes`, `schema_steps`,
/// `array_items`, `depth` and `pattern_steps`, and all of them together
/// within `har_bytes`.
pub(crate) struct Sampler<'r, 'a> {
    resolver: &'r Resolver<'a>,
    limits: Limits,
    /// References being expanded (to stop at recursion).
    stack: Vec<&'a str>,
    /// Schemas of the current value still generated richly.
    rich: usize,
    /// Steps left for the current value.
    steps: u64,
    /// What the current value costs so far.
    produced: u64,
    /// What every value handed out so far costs.
    har_used: u64,
    /// Steps left for every value still to come (`conversion_steps`).
    steps_total: u64,
    /// Whether the current value's steps are all that is left of
    /// `conversion_steps`.
    last_steps: bool,
    /// Whether reaching `conversion_steps` was reported.
    steps_reported: bool,
    /// Whether reaching `har_bytes` was reported (once: the message covers
    /// every request after it).
    har_reported: bool,
    hits: Hits,
    /// Stated values measured, by address in the document: their cost
    /// (above `value_bytes` when they are larger).
    sizes: HashMap<*const Value, u64>,
    /// Examples handed out, by address in the document: each is copied
    /// once, however many requests use it, with its size as JSON (what
    /// each use adds to the HAR).
    shared: HashMap<*const Value, (Shared, u64)>,
    /// Property schemas left out of every value (a reader found them
    /// unreadable and said so), by address in the document.
    skipped: HashSet<*const Value>,
    /// Where the schema being generated is, as a JSON pointer into the
    /// document (for the diagnostics of stated values that do not fit).
    here: String,
    /// Stated values checked against their schema, by address in the
    /// document: whether they fit (each is checked and reported once).
    fits: HashMap<*const Value, bool>,
    /// Diagnostics of stated values that do not fit, added with the value's.
    misfits: Vec<Diagnostic>,
    /// `oneOf`s whose every branch's value fits another too, by address in
    /// the document (each is reported once).
    ambiguous: HashSet<*const Value>,
    /// The `pattern`s matched, compiled once each, within their budget.
    patterns: regex::Patterns,
    /// Whether the current value is sent as text ([`Self::text_value`]).
    text: bool,
    overruns: Overruns,
}

impl<'r, 'a> Sampler<'r, 'a> {
    /// A sampler resolving references with `resolver`.
    pub(crate) fn new(resolver: &'r Resolver<'a>, limits: Limits) -> Self {
        Sampler {
            resolver,
            limits,
            stack: Vec::new(),
            rich: RICH,
            steps: limits.schema_steps,
            produced: 0,
            har_used: 0,
            har_reported: false,
            steps_total: limits.conversion_steps,
            last_steps: false,
            steps_reported: false,
            hits: Hits::default(),
            sizes: HashMap::new(),
            shared: HashMap::new(),
            skipped: HashSet::new(),
            here: String::new(),
            fits: HashMap::new(),
            misfits: Vec::new(),
            ambiguous: HashSet::new(),
            patterns: regex::Patterns::new(
                limits.pattern_steps.saturating_mul(10),
                limits.conversion_steps,
            ),
            text: false,
            overruns: Overruns::default(),
        }
    }

    /// A value for `schema` sent as text (a path, query, header or cookie
    /// parameter): like [`Self::value`], except that a `oneOf` value must
    /// fit one branch alone as the text it is sent as, which a validator
    /// may read as a number, a boolean or a string (`1` fits both `integer`
    /// and `string`).
    pub(crate) fn text_value(
        &mut self,
        schema: &'a Value,
        at: &str,
        diags: &mut Vec<Diagnostic>,
    ) -> Value {
        self.text = true;
        let v = self.value(schema, at, diags);
        self.text = false;
        v
    }

    /// A value for `schema` (at pointer `at`, for diagnostics).
    pub(crate) fn value(
        &mut self,
        schema: &'a Value,
        at: &str,
        diags: &mut Vec<Diagnostic>,
    ) -> Value {
        self.rich = RICH;
        self.steps = self.limits.schema_steps.min(self.steps_total);
        self.last_steps = self.steps < self.limits.schema_steps;
        self.produced = 0;
        self.hits = Hits::default();
        self.stack.clear();
        self.here = format!("{at}/schema");
        if let Err((err, reference)) = self.resolver.deref(schema) {
            self.resolver.report(&err, reference, at, diags);
            return Value::Null;
        }
        if self.har_full(at, diags) {
            return self.minimal(schema, false);
        }
        let v = self.generate(schema, 0, at, diags).unwrap_or(Value::Null);
        // What the value holds (the steps of `allOf` merged away count
        // against `value_bytes` while it is made, not here).
        self.har_used += cost(&v, u64::MAX);
        self.steps_total -= self.limits.schema_steps.min(self.steps_total) - self.steps;
        self.report_hits(at, diags);
        diags.append(&mut self.misfits);
        v
    }

    /// The value given by a parameter or media type (`example`, or the first
    /// of `examples`), if any, and if it fits the budget (else a Warning
    /// or an Error says why it is not used, and `None` lets the caller
    /// generate one). An example used by several requests is held once;
    /// each use counts against `har_bytes`.
    pub(crate) fn explicit(
        &mut self,
        holder: &'a Value,
        at: &str,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<Shared> {
        let schema = holder.get("schema");
        let mut candidates: Vec<(&'a Value, String)> = Vec::new();
        if let Some(v) = holder.get("example") {
            candidates.push((v, format!("{at}/example")));
        } else if let Some(examples) = holder.get("examples").and_then(Value::as_object) {
            for (name, example) in examples {
                let Some(example) = self.resolver.deref_or_report(example, at, diags) else {
                    continue;
                };
                if let Some(v) = example.get("value") {
                    let name = name.replace('~', "~0").replace('/', "~1");
                    candidates.push((v, format!("{at}/examples/{name}/value")));
                }
            }
        }
        let mut stated = None;
        let mut heads = Vec::new();
        for (candidate, pointer) in candidates {
            let fits = match schema {
                Some(schema) => self.stated(Ok(schema), candidate, &pointer, "example", false),
                None => Stated::Fits,
            };
            match fits {
                Stated::Fits => {
                    stated = Some(candidate);
                    break;
                }
                Stated::Misfit(head) => heads.extend(head.map(|h| (h, pointer))),
            }
        }
        let instead = if stated.is_some() {
            "the next example is sent instead"
        } else {
            "a value from the schema is sent instead"
        };
        for (head, pointer) in heads {
            diags.push(Diagnostic::new(
                Severity::Warning,
                pointer,
                format!("{head}: {instead}."),
            ));
        }
        let stated = stated?;
        let size = self.size_of(stated);
        if size > self.limits.value_bytes {
            let limits = self.limits;
            self.overruns.report(
                Limit::ValueBytes,
                Severity::Warning,
                at,
                || {
                    format!(
                        "The example here is larger than one value may be ({}); a value generated from the schema is sent instead.",
                        Limit::ValueBytes.cite(&limits)
                    )
                },
                diags,
            );
            return None;
        }
        if self.har_full(at, diags) {
            return None;
        }
        let (value, json) = self
            .shared
            .entry(stated as *const Value)
            .or_insert_with(|| (Shared::new(stated.clone()), json_len(stated)));
        self.har_used += *json;
        Some(value.clone())
    }

    /// Charges `bytes` a request carries besides its values (credentials
    /// placeholders, for one) to `har_bytes`; `false` when the requests
    /// are already full (reported once), and the part is left out.
    pub(crate) fn charge_har(&mut self, bytes: u64, at: &str, diags: &mut Vec<Diagnostic>) -> bool {
        if self.har_full(at, diags) {
            return false;
        }
        self.har_used += bytes;
        true
    }

    /// Adds the diagnostics of limits reached more often than shown.
    pub(crate) fn finish(&self, diags: &mut Vec<Diagnostic>) {
        self.overruns.finish(&self.limits, diags);
    }

    /// Leaves the property whose schema is `schema` out of the values
    /// generated from now on (the caller says why).
    pub(crate) fn skip_property(&mut self, schema: &'a Value) {
        self.skipped.insert(schema as *const Value);
    }

    /// Whether the property schema `schema` is left out.
    pub(crate) fn is_skipped(&self, schema: &Value) -> bool {
        !self.skipped.is_empty() && self.skipped.contains(&(schema as *const Value))
    }

    /// The types `schema` (after references) states: its `type`, or the
    /// entries of its type list; empty when it states none (or cannot be
    /// read).
    pub(crate) fn types_of(&self, schema: &'a Value) -> Vec<&'a str> {
        match self.resolver.deref(schema).map(|(s, _)| s.get("type")) {
            Ok(Some(Value::String(t))) => vec![t.as_str()],
            Ok(Some(Value::Array(ts))) => ts.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        }
    }

    /// Why a value the user gives does not fit `schema` (`at /x: why`
    /// inside it, or `why`), or `None` when it fits (or the check ran out
    /// of `schema_steps` first).
    pub(crate) fn user_misfit(&self, schema: &'a Value, value: &Value) -> Option<String> {
        let m = self.misfit(schema, value)?;
        Some(if m.path.is_empty() {
            m.why
        } else {
            format!("at {}: {}", m.path, m.why)
        })
    }

    /// Whether `schema` (after references) is `readOnly`.
    pub(crate) fn read_only(&self, schema: &'a Value) -> bool {
        match self.resolver.deref(schema) {
            Ok((s, _)) => s.get("readOnly").and_then(Value::as_bool) == Some(true),
            Err(_) => false,
        }
    }
}

#[cfg(test)]
mod tests;
