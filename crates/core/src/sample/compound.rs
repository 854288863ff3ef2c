//! Objects and arrays: properties (optional ones down to a depth,
//! `readOnly` ones left out), `additionalProperties`, `minItems` items
//! within `array_items` and the room left (distinct with `uniqueItems`).

use serde_json::{Map, Value};

use super::budget::VALUE_COST;
use super::Sampler;
use crate::diagnostic::Diagnostic;

/// Nesting beyond which optional properties are left out.
const OPTIONAL_DEPTH: u64 = 6;

impl<'r, 'a> Sampler<'r, 'a> {
    pub(super) fn object(
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
            if self.is_skipped(sub) || self.read_only(sub) {
                continue;
            }
            self.produced += VALUE_COST + name.len() as u64;
            let len = self.here.len();
            self.here.push_str("/properties/");
            self.here
                .push_str(&name.replace('~', "~0").replace('/', "~1"));
            let generated = self.generate(sub, depth + 1, at, diags);
            self.here.truncate(len);
            match generated {
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
        // A required property the schema does not describe: a value of
        // `additionalProperties`' schema, else a string (any value fits).
        let extra = map.get("additionalProperties");
        for name in &required {
            if out.contains_key(*name) || properties.is_some_and(|p| p.contains_key(*name)) {
                continue;
            }
            if self.room() == 0 {
                self.hits.value = true;
                break;
            }
            let v = match extra {
                Some(Value::Bool(false)) => break,
                Some(sub @ Value::Object(_)) => self.generate(sub, depth + 1, at, diags),
                _ => None,
            };
            self.produced += VALUE_COST + name.len() as u64;
            let v = v.unwrap_or_else(|| self.charge(Value::String("string".into())));
            out.insert((*name).to_owned(), v);
        }
        if properties.is_none_or(Map::is_empty) && out.is_empty() {
            if let Some(extra @ Value::Object(m)) = extra {
                if !m.is_empty() && depth < OPTIONAL_DEPTH {
                    if let Some(v) = self.generate(extra, depth + 1, at, diags) {
                        out.insert("additionalProp1".into(), v);
                    }
                }
            }
        }
        Value::Object(out)
    }

    pub(super) fn array(
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
        let len = self.here.len();
        self.here.push_str("/items");
        let generated = map
            .get("items")
            .map(|items| self.generate(items, depth + 1, at, diags));
        self.here.truncate(len);
        let item = match generated {
            Some(generated) => match generated {
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
