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
//! Generation is deterministic (no randomness, no clocks), bounded in depth
//! and in size, and safe on recursive schemas.

mod pattern;
mod strings;

use serde_json::{Map, Number, Value};

use crate::diagnostic::Diagnostic;
use crate::spec::refs::{ref_of, Resolver};

/// Nesting beyond which only minimal values are generated.
const MAX_DEPTH: usize = 12;
/// Nesting beyond which optional properties are left out.
const OPTIONAL_DEPTH: usize = 6;
/// How many values one generated example may hold.
const BUDGET: usize = 2_000;
/// The most items an array gets, whatever its `minItems`.
const MAX_ITEMS: u64 = 32;

/// An example value for `schema`, with `$ref`s resolved against `root`.
///
/// The convenience entry point for callers outside the conversion (problems
/// with references are ignored here; the conversion reports them).
pub fn example(schema: &Value, root: &Value) -> Value {
    let resolver = Resolver::new(root);
    let mut diags = Vec::new();
    Sampler::new(&resolver).value(schema, "", &mut diags)
}

/// Generates values for the schemas of one document.
pub(crate) struct Sampler<'r, 'a> {
    resolver: &'r Resolver<'a>,
    /// References being expanded (to stop at recursion).
    stack: Vec<&'a str>,
    budget: usize,
}

impl<'r, 'a> Sampler<'r, 'a> {
    /// A sampler resolving references with `resolver`.
    pub(crate) fn new(resolver: &'r Resolver<'a>) -> Self {
        Sampler {
            resolver,
            stack: Vec::new(),
            budget: BUDGET,
        }
    }

    /// A value for `schema` (at pointer `at`, for diagnostics).
    pub(crate) fn value(
        &mut self,
        schema: &'a Value,
        at: &str,
        diags: &mut Vec<Diagnostic>,
    ) -> Value {
        self.budget = BUDGET;
        self.stack.clear();
        if let Err((err, reference)) = self.resolver.deref(schema) {
            self.resolver.report(&err, reference, at, diags);
            return Value::Null;
        }
        self.generate(schema, 0, at, diags).unwrap_or(Value::Null)
    }

    /// The value given by a parameter or media type (`example`, or the first
    /// of `examples`), if any.
    pub(crate) fn explicit(
        &self,
        holder: &'a Value,
        at: &str,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<Value> {
        if let Some(v) = holder.get("example") {
            return Some(v.clone());
        }
        let (_, first) = holder.get("examples")?.as_object()?.iter().next()?;
        let example = self.resolver.deref_or_report(first, at, diags)?;
        example.get("value").cloned()
    }

    /// Whether `schema` (after references) is `readOnly`.
    pub(crate) fn read_only(&self, schema: &'a Value) -> bool {
        match self.resolver.deref(schema) {
            Ok((s, _)) => s.get("readOnly").and_then(Value::as_bool) == Some(true),
            Err(_) => false,
        }
    }

    /// `None` when the value should be left out (a recursion).
    fn generate(
        &mut self,
        schema: &'a Value,
        depth: usize,
        at: &str,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<Value> {
        let map = match schema {
            Value::Object(m) => m,
            Value::Bool(false) => return None,
            _ => return Some(Value::Null),
        };
        if let Some(reference) = ref_of(schema) {
            // `$ref` with siblings (OpenAPI 3.1): a value the siblings state wins.
            if map.len() > 1 {
                if let Some(v) = given(map) {
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
                    return Some(Value::Null);
                }
            };
            if self.stack.len() >= crate::spec::refs::MAX_CHAIN * 4 {
                return Some(self.minimal(target));
            }
            self.stack.push(reference);
            let v = self.generate(target, depth + 1, at, diags);
            self.stack.pop();
            return v;
        }
        if self.budget == 0 || depth > MAX_DEPTH {
            return Some(self.minimal(schema));
        }
        self.budget -= 1;

        if let Some(v) = given(map) {
            return Some(v);
        }
        if let Some(Value::Array(parts)) = map.get("allOf") {
            let mut merged: Option<Value> = None;
            for part in parts {
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
                let chosen = choices.iter().find_map(|c| {
                    let viable = match ref_of(c) {
                        Some(r) => self.resolver.lookup(r).is_ok() && !self.stack.contains(&r),
                        None => true,
                    };
                    if viable {
                        self.generate(c, depth + 1, at, diags)
                    } else {
                        None
                    }
                });
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

    fn typed(
        &mut self,
        map: &'a Map<String, Value>,
        depth: usize,
        at: &str,
        diags: &mut Vec<Diagnostic>,
    ) -> Value {
        match type_of(map) {
            Some("object") => self.object(map, depth, at, diags),
            Some("array") => self.array(map, depth, at, diags),
            Some("string") => Value::String(strings::string(map)),
            Some("integer") => integer(map),
            Some("number") => number(map),
            Some("boolean") => Value::Bool(true),
            _ => Value::Null,
        }
    }

    fn object(
        &mut self,
        map: &'a Map<String, Value>,
        depth: usize,
        at: &str,
        diags: &mut Vec<Diagnostic>,
    ) -> Value {
        let mut out = Map::new();
        let required: Vec<&str> = map
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let properties = map.get("properties").and_then(Value::as_object);
        for (name, sub) in properties.into_iter().flatten() {
            let is_required = required.contains(&name.as_str());
            if !is_required && (depth >= OPTIONAL_DEPTH || self.budget == 0) {
                continue;
            }
            if self.read_only(sub) {
                continue;
            }
            match self.generate(sub, depth + 1, at, diags) {
                Some(v) => {
                    out.insert(name.clone(), v);
                }
                None if is_required => {
                    let target = self.resolver.deref(sub).map(|(t, _)| t).unwrap_or(sub);
                    out.insert(name.clone(), self.minimal(target));
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
        depth: usize,
        at: &str,
        diags: &mut Vec<Diagnostic>,
    ) -> Value {
        let min = map
            .get("minItems")
            .and_then(Value::as_u64)
            .unwrap_or(1)
            .max(1);
        let max = map
            .get("maxItems")
            .and_then(Value::as_u64)
            .unwrap_or(u64::MAX);
        let count = min.min(max).min(MAX_ITEMS);
        if count == 0 {
            return Value::Array(Vec::new());
        }
        let item = match map.get("items") {
            Some(items) => match self.generate(items, depth + 1, at, diags) {
                Some(v) => v,
                None => return Value::Array(Vec::new()),
            },
            None => Value::String("string".into()),
        };
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

    /// The smallest value of a schema's type, without looking deeper.
    fn minimal(&self, schema: &'a Value) -> Value {
        let schema = match self.resolver.deref(schema) {
            Ok((s, _)) => s,
            Err(_) => return Value::Null,
        };
        let Some(map) = schema.as_object() else {
            return Value::Null;
        };
        if let Some(v) = given(map) {
            return v;
        }
        match type_of(map) {
            Some("object") => Value::Object(Map::new()),
            Some("array") => Value::Array(Vec::new()),
            Some("string") => Value::String(strings::string(map)),
            Some("integer") => integer(map),
            Some("number") => number(map),
            Some("boolean") => Value::Bool(true),
            _ => Value::Null,
        }
    }
}

/// A value the schema states itself, in this order: `const`, the first of
/// `examples`, `example`, the first `enum` value that is not null,
/// `default`.
fn given(map: &Map<String, Value>) -> Option<Value> {
    if let Some(v) = map.get("const") {
        return Some(v.clone());
    }
    if let Some(Value::Array(examples)) = map.get("examples") {
        if let Some(first) = examples.first() {
            return Some(first.clone());
        }
    }
    if let Some(v) = map.get("example") {
        return Some(v.clone());
    }
    if let Some(Value::Array(values)) = map.get("enum") {
        if let Some(first) = values.iter().find(|v| !v.is_null()).or(values.first()) {
            return Some(first.clone());
        }
    }
    map.get("default").cloned()
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
