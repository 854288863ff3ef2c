//! Scalars: strings (by `strings` and `pattern`), integers and numbers
//! within their bounds and `multipleOf`, booleans and null.

use serde_json::{Map, Number, Value};

use super::generate::type_of;
use super::{strings, Sampler};

impl<'r, 'a> Sampler<'r, 'a> {
    /// A string, number, boolean or null for the schema.
    pub(super) fn scalar(&mut self, map: &'a Map<String, Value>) -> Value {
        let v = match type_of(map) {
            Some("string") => {
                let (s, out_of_steps) =
                    strings::string(map, self.limits.pattern_steps, &self.patterns);
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
