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
//! Depends on the references (`refs`), the request plans' shared values
//! (`plan`) and the budget; never on `spec`, `har`, `prescan`, `analysis`
//! or `api`.

mod pattern;
mod strings;

use std::collections::HashMap;

use serde_json::{Map, Number, Value};

use crate::diagnostic::{shorten, Diagnostic, Severity};
use crate::limits::{bytes, thousands, Limit, Limits, Overruns};
use crate::plan::Shared;
use crate::refs::{ref_of, Resolver};

/// Nesting beyond which optional properties are left out.
const OPTIONAL_DEPTH: u64 = 6;
/// How many schemas of one value are generated richly (optional
/// properties included); past it, only what is required, minimally.
const RICH: usize = 2_000;
/// What one value costs per value in it, beyond its strings and keys
/// (the size of a `serde_json::Value`), in [`cost`].
const VALUE_COST: u64 = 32;

/// An example value for `schema`, with `$ref`s resolved against `root`.
///
/// The convenience entry point for callers outside the conversion (problems
/// with references are ignored here; the conversion reports them).
pub fn example(schema: &Value, root: &Value) -> Value {
    let resolver = Resolver::new(root);
    let mut diags = Vec::new();
    Sampler::new(&resolver, Limits::default()).value(schema, "", &mut diags)
}

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
fn json_len(v: &Value) -> u64 {
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
struct Hits {
    steps: bool,
    /// The value reached `value_bytes`.
    value: bool,
    /// A stated value was larger than `value_bytes` (its size).
    stated: Option<u64>,
    /// The largest `minItems` above `array_items`.
    items: Option<u64>,
    depth: bool,
    /// A pattern that ran out of steps.
    pattern: Option<String>,
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
            overruns: Overruns::default(),
        }
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
        let stated = match holder.get("example") {
            Some(v) => v,
            None => {
                let (_, first) = holder.get("examples")?.as_object()?.iter().next()?;
                let example = self.resolver.deref_or_report(first, at, diags)?;
                example.get("value")?
            }
        };
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

    /// Whether `schema` (after references) is `readOnly`.
    pub(crate) fn read_only(&self, schema: &'a Value) -> bool {
        match self.resolver.deref(schema) {
            Ok((s, _)) => s.get("readOnly").and_then(Value::as_bool) == Some(true),
            Err(_) => false,
        }
    }

    /// The cost of a value of the document, measured once.
    fn size_of(&mut self, v: &'a Value) -> u64 {
        let cap = self.limits.value_bytes;
        *self
            .sizes
            .entry(v as *const Value)
            .or_insert_with(|| cost(v, cap))
    }

    /// Whether the requests have used up `har_bytes` (an Error says so).
    fn har_full(&mut self, at: &str, diags: &mut Vec<Diagnostic>) -> bool {
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
    fn report_hits(&mut self, at: &str, diags: &mut Vec<Diagnostic>) {
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
                || format!("An array here asks for {} items (`minItems`), more than prescan generates for one array ({}), so the server may refuse the request.", thousands(wanted), Limit::ArrayItems.cite(&limits)),
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
    fn step(&mut self) -> bool {
        if self.steps == 0 {
            self.hits.steps = true;
            return false;
        }
        self.steps -= 1;
        true
    }

    /// Room left in the current value's `value_bytes`.
    fn room(&self) -> u64 {
        self.limits.value_bytes.saturating_sub(self.produced)
    }

    /// `None` when the value should be left out (a recursion).
    fn generate(
        &mut self,
        schema: &'a Value,
        depth: u64,
        at: &str,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<Value> {
        let map = match schema {
            Value::Object(m) => m,
            Value::Bool(false) => return None,
            _ => return Some(self.charge(Value::Null)),
        };
        if !self.step() {
            return Some(self.minimal(schema, false));
        }
        if let Some(reference) = ref_of(schema) {
            // `$ref` with siblings (OpenAPI 3.1): a value the siblings state wins.
            if map.len() > 1 {
                if let Some(v) = self.given(map) {
                    return Some(v);
                }
            }
            if self.stack.contains(&reference) {
                return None;
            }
            let target = match self.resolver.lookup(reference) {
                Ok(t) => t,
                Err(e) => {
                    self.resolver.report(&e, reference, at, diags);
                    return Some(self.charge(Value::Null));
                }
            };
            if self.stack.len() >= crate::refs::MAX_CHAIN * 4 {
                return Some(self.minimal(target, true));
            }
            self.stack.push(reference);
            let v = self.generate(target, depth + 1, at, diags);
            self.stack.pop();
            return v;
        }
        if depth > self.limits.depth {
            self.hits.depth = true;
            return Some(self.minimal(schema, true));
        }
        if self.room() == 0 {
            self.hits.value = true;
            return Some(self.minimal(schema, false));
        }
        if self.rich == 0 {
            return Some(self.minimal(schema, true));
        }
        self.rich -= 1;

        if let Some(v) = self.given(map) {
            return Some(v);
        }
        if let Some(Value::Array(parts)) = map.get("allOf") {
            let mut merged: Option<Value> = None;
            for part in parts {
                if self.steps == 0 {
                    self.hits.steps = true;
                    break;
                }
                if let Some(v) = self.generate(part, depth + 1, at, diags) {
                    merged = Some(match merged {
                        Some(m) => merge(m, v),
                        None => v,
                    });
                }
            }
            if has_own_shape(map) {
                let own = self.typed(map, depth, at, diags);
                merged = Some(match merged {
                    Some(m) => merge(m, own),
                    None => own,
                });
            }
            return Some(merged.unwrap_or(Value::Null));
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(Value::Array(choices)) = map.get(key) {
                let mut chosen = None;
                for c in choices {
                    if !self.step() {
                        break;
                    }
                    let viable = match ref_of(c) {
                        Some(r) => self.resolver.lookup(r).is_ok() && !self.stack.contains(&r),
                        None => true,
                    };
                    if viable {
                        chosen = self.generate(c, depth + 1, at, diags);
                        if chosen.is_some() {
                            break;
                        }
                    }
                }
                let own = has_own_shape(map).then(|| self.typed(map, depth, at, diags));
                return Some(match (chosen, own) {
                    (Some(c), Some(o)) => merge(o, c),
                    (Some(c), None) => c,
                    (None, Some(o)) => o,
                    (None, None) => Value::Null,
                });
            }
        }
        Some(self.typed(map, depth, at, diags))
    }

    /// Charges a generated scalar to the current value.
    fn charge(&mut self, v: Value) -> Value {
        self.produced += cost(&v, u64::MAX);
        v
    }

    fn typed(
        &mut self,
        map: &'a Map<String, Value>,
        depth: u64,
        at: &str,
        diags: &mut Vec<Diagnostic>,
    ) -> Value {
        match type_of(map) {
            Some("object") => self.object(map, depth, at, diags),
            Some("array") => self.array(map, depth, at, diags),
            _ => self.scalar(map),
        }
    }

    /// A string, number, boolean or null for the schema.
    fn scalar(&mut self, map: &'a Map<String, Value>) -> Value {
        let v = match type_of(map) {
            Some("string") => {
                let (s, out_of_steps) = strings::string(map, self.limits.pattern_steps);
                if out_of_steps && self.hits.pattern.is_none() {
                    self.hits.pattern = map
                        .get("pattern")
                        .and_then(Value::as_str)
                        .map(str::to_owned);
                }
                Value::String(s)
            }
            Some("integer") => integer(map),
            Some("number") => number(map),
            Some("boolean") => Value::Bool(true),
            Some("object") => Value::Object(Map::new()),
            Some("array") => Value::Array(Vec::new()),
            _ => Value::Null,
        };
        self.charge(v)
    }

    fn object(
        &mut self,
        map: &'a Map<String, Value>,
        depth: u64,
        at: &str,
        diags: &mut Vec<Diagnostic>,
    ) -> Value {
        self.produced += VALUE_COST;
        let mut out = Map::new();
        let required: Vec<&str> = map
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let properties = map.get("properties").and_then(Value::as_object);
        for (name, sub) in properties.into_iter().flatten() {
            let is_required = required.contains(&name.as_str());
            if !is_required && (depth >= OPTIONAL_DEPTH || self.rich == 0 || self.room() == 0) {
                continue;
            }
            if self.read_only(sub) {
                continue;
            }
            self.produced += VALUE_COST + name.len() as u64;
            match self.generate(sub, depth + 1, at, diags) {
                Some(v) => {
                    out.insert(name.clone(), v);
                }
                None if is_required => {
                    let target = self.resolver.deref(sub).map(|(t, _)| t).unwrap_or(sub);
                    let v = self.minimal(target, true);
                    out.insert(name.clone(), v);
                }
                None => {}
            }
        }
        if properties.is_none_or(Map::is_empty) {
            if let Some(extra @ Value::Object(m)) = map.get("additionalProperties") {
                if !m.is_empty() && depth < OPTIONAL_DEPTH {
                    if let Some(v) = self.generate(extra, depth + 1, at, diags) {
                        out.insert("additionalProp1".into(), v);
                    }
                }
            }
        }
        Value::Object(out)
    }

    fn array(
        &mut self,
        map: &'a Map<String, Value>,
        depth: u64,
        at: &str,
        diags: &mut Vec<Diagnostic>,
    ) -> Value {
        self.produced += VALUE_COST;
        let min = map
            .get("minItems")
            .and_then(Value::as_u64)
            .unwrap_or(1)
            .max(1);
        let max = map
            .get("maxItems")
            .and_then(Value::as_u64)
            .unwrap_or(u64::MAX);
        let wanted = min.min(max);
        if wanted > self.limits.array_items {
            self.hits.items = Some(self.hits.items.map_or(wanted, |w| w.max(wanted)));
        }
        let mut count = wanted.min(self.limits.array_items);
        if count == 0 {
            return Value::Array(Vec::new());
        }
        let before = self.produced;
        let item = match map.get("items") {
            Some(items) => match self.generate(items, depth + 1, at, diags) {
                Some(v) => v,
                None => return Value::Array(Vec::new()),
            },
            None => self.charge(Value::String("string".into())),
        };
        // The other items are copies of the first (varied for
        // `uniqueItems`): as many as the value has room for.
        let item_cost = (self.produced - before).max(VALUE_COST);
        let copies = (count - 1).min(self.room() / item_cost);
        if copies < count - 1 {
            self.hits.value = true;
            count = copies + 1;
        }
        self.produced += copies * item_cost;
        let unique = map.get("uniqueItems").and_then(Value::as_bool) == Some(true);
        (0..count)
            .map(|i| {
                if unique && i > 0 {
                    vary(&item, i)
                } else {
                    item.clone()
                }
            })
            .collect()
    }

    /// The smallest value of a schema's type, without looking deeper: a
    /// value the schema states when `stated` and it fits, else an empty
    /// object or array, or a scalar.
    fn minimal(&mut self, schema: &'a Value, stated: bool) -> Value {
        let schema = match self.resolver.deref(schema) {
            Ok((s, _)) => s,
            Err(_) => return self.charge(Value::Null),
        };
        let Some(map) = schema.as_object() else {
            return self.charge(Value::Null);
        };
        if stated {
            if let Some(v) = self.given(map) {
                return v;
            }
        }
        self.scalar(map)
    }

    /// The first value the schema states itself that fits in the room left
    /// (see [`given`] for the order); a larger one is noted and skipped.
    fn given(&mut self, map: &'a Map<String, Value>) -> Option<Value> {
        for candidate in stated(map) {
            let size = self.size_of(candidate);
            if size <= self.room() {
                self.produced += size;
                return Some(candidate.clone());
            }
            if size > self.limits.value_bytes {
                self.hits.stated = Some(size);
            } else {
                self.hits.value = true;
            }
        }
        None
    }
}

/// The values a schema states itself, in the order they are used:
/// `const`, the first of `examples`, `example`, the first `enum` value that
/// is not null (or null when it is the only one), `default`.
fn stated(map: &Map<String, Value>) -> impl Iterator<Item = &Value> {
    let examples = match map.get("examples") {
        Some(Value::Array(examples)) => examples.first(),
        _ => None,
    };
    let enumerated = match map.get("enum") {
        Some(Value::Array(values)) => values.iter().find(|v| !v.is_null()).or(values.first()),
        _ => None,
    };
    [
        map.get("const"),
        examples,
        map.get("example"),
        enumerated,
        map.get("default"),
    ]
    .into_iter()
    .flatten()
}

/// Whether a schema with `allOf` / `oneOf` also describes a shape of its own.
fn has_own_shape(map: &Map<String, Value>) -> bool {
    map.contains_key("properties")
        || map
            .get("type")
            .and_then(Value::as_str)
            .is_some_and(|t| t != "object")
}

/// The schema's type: stated (the first that is not `null`), or inferred
/// from its keywords.
fn type_of(map: &Map<String, Value>) -> Option<&str> {
    match map.get("type") {
        Some(Value::String(t)) => return Some(t),
        Some(Value::Array(types)) => {
            if let Some(t) = types
                .iter()
                .filter_map(Value::as_str)
                .find(|t| *t != "null")
            {
                return Some(t);
            }
        }
        _ => {}
    }
    if ["properties", "additionalProperties", "required"]
        .iter()
        .any(|k| map.contains_key(*k))
    {
        Some("object")
    } else if map.contains_key("items") {
        Some("array")
    } else if ["format", "minLength", "maxLength", "pattern"]
        .iter()
        .any(|k| map.contains_key(*k))
    {
        Some("string")
    } else if [
        "minimum",
        "maximum",
        "multipleOf",
        "exclusiveMinimum",
        "exclusiveMaximum",
    ]
    .iter()
    .any(|k| map.contains_key(*k))
    {
        Some("number")
    } else {
        None
    }
}

/// The bounds of a numeric schema: (lower, lower exclusive, upper, upper exclusive).
fn bounds(map: &Map<String, Value>) -> (Option<f64>, bool, Option<f64>, bool) {
    let num = |k: &str| map.get(k).and_then(Value::as_f64);
    let mut lo = num("minimum");
    let mut hi = num("maximum");
    let mut lo_ex = map.get("exclusiveMinimum").and_then(Value::as_bool) == Some(true);
    let mut hi_ex = map.get("exclusiveMaximum").and_then(Value::as_bool) == Some(true);
    if let Some(n) = num("exclusiveMinimum") {
        lo = Some(lo.map_or(n, |l| l.max(n)));
        lo_ex = true;
    }
    if let Some(n) = num("exclusiveMaximum") {
        hi = Some(hi.map_or(n, |h| h.min(n)));
        hi_ex = true;
    }
    (lo, lo_ex, hi, hi_ex)
}

fn integer(map: &Map<String, Value>) -> Value {
    let (lo, lo_ex, hi, hi_ex) = bounds(map);
    let lo = lo.map(|l| if lo_ex { l.floor() + 1.0 } else { l.ceil() });
    let hi = hi.map(|h| if hi_ex { h.ceil() - 1.0 } else { h.floor() });
    // Unconstrained: 1 (a 0 identifier is often invalid), or the bound
    // nearest to it.
    let mut v = match (lo, hi) {
        (Some(l), Some(h)) if l <= 1.0 && 1.0 <= h => 1.0,
        (Some(l), None) if l <= 1.0 => 1.0,
        (Some(l), _) => l,
        (None, Some(h)) if h < 1.0 => h,
        _ => 1.0,
    };
    if let Some(m) = map
        .get("multipleOf")
        .and_then(Value::as_f64)
        .filter(|m| *m >= 1.0 && m.is_finite())
    {
        let m = m.round();
        v = (v / m).ceil() * m;
        if let Some(h) = hi.filter(|h| v > *h) {
            v = (h / m).floor() * m;
        }
    }
    let (min, max) = match map.get("format").and_then(Value::as_str) {
        Some("int32") => (f64::from(i32::MIN), f64::from(i32::MAX)),
        _ => (i64::MIN as f64, i64::MAX as f64),
    };
    let v = if v.is_finite() {
        v.clamp(min, max)
    } else {
        0.0
    };
    Value::Number(Number::from(v as i64))
}

fn number(map: &Map<String, Value>) -> Value {
    let (lo, lo_ex, hi, hi_ex) = bounds(map);
    let multiple = map
        .get("multipleOf")
        .and_then(Value::as_f64)
        .filter(|m| *m > 0.0 && m.is_finite());
    let step = multiple.unwrap_or(1.0);
    let mut v = match (lo, hi) {
        (Some(l), Some(h)) if lo_ex => {
            if l + step < h || (l + step == h && !hi_ex) {
                l + step
            } else {
                (l + h) / 2.0
            }
        }
        (Some(l), None) if lo_ex => l + step,
        (Some(l), _) => l,
        (None, Some(h)) if h < 0.0 || (h == 0.0 && hi_ex) => {
            if hi_ex {
                h - step
            } else {
                h
            }
        }
        _ => 0.0,
    };
    if let Some(m) = multiple {
        let snapped = (v / m).ceil() * m;
        if hi.is_none_or(|h| snapped < h || (snapped == h && !hi_ex)) {
            v = snapped;
        }
    }
    if !v.is_finite() {
        v = 0.0;
    }
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        Value::Number(Number::from(v as i64))
    } else {
        Number::from_f64(v).map_or(Value::Null, Value::Number)
    }
}

/// Merges two generated values (`allOf`): objects key by key (the first
/// value wins a conflict), anything else keeps the first.
fn merge(a: Value, b: Value) -> Value {
    match (a, b) {
        (Value::Object(mut a), Value::Object(b)) => {
            for (k, v) in b {
                match a.get_mut(&k) {
                    Some(existing) => {
                        let merged = merge(std::mem::take(existing), v);
                        *existing = merged;
                    }
                    None => {
                        a.insert(k, v);
                    }
                }
            }
            Value::Object(a)
        }
        (Value::Null, b) => b,
        (a, _) => a,
    }
}

/// A different value of the same kind, for `uniqueItems`.
fn vary(v: &Value, i: u64) -> Value {
    match v {
        Value::String(s) => Value::String(format!("{s}{i}")),
        Value::Number(n) => n
            .as_i64()
            .map(|n| Value::Number(n.saturating_add(i as i64).into()))
            .unwrap_or_else(|| v.clone()),
        _ => v.clone(),
    }
}

#[cfg(test)]
mod tests;
