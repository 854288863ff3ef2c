//! A schema → a value: references followed (recursion left out), the
//! values a schema states, `allOf` merged, the first viable `oneOf` /
//! `anyOf` branch, then a value of the schema's type; and the minimal value
//! when a limit is reached.

use serde_json::{Map, Value};

use super::check::Stated;
use super::Sampler;
use crate::diagnostic::{Diagnostic, Severity};
use crate::refs::ref_of;

impl<'r, 'a> Sampler<'r, 'a> {
    /// `None` when the value should be left out (a recursion).
    pub(super) fn generate(
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
            let here = std::mem::replace(
                &mut self.here,
                reference.strip_prefix('#').unwrap_or(reference).to_owned(),
            );
            let v = self.generate(target, depth + 1, at, diags);
            self.here = here;
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
                let own = has_own_shape(map).then(|| self.typed(map, depth, at, diags));
                let chosen =
                    self.choose(map, choices, key == "oneOf", own.as_ref(), depth, at, diags);
                return Some(chosen.or(own).unwrap_or(Value::Null));
            }
        }
        Some(self.typed(map, depth, at, diags))
    }

    /// A value for one of `choices` (the branches of a `oneOf` when
    /// `exclusive`, of an `anyOf` otherwise), merged into `own` (the value
    /// of the schema's own shape, if it has one): the first branch whose
    /// value can be written. For a `oneOf`, a value that also fits another
    /// branch is refused by an API that checks `oneOf`: the optional
    /// properties the other branches require are left out (`oneOf` of
    /// `required` lists: "`category` or `categorySlug`"), else the next
    /// branches are tried for one that fits its own alone; when none does,
    /// the first value is sent with a Warning that says which branches it
    /// fits. The discriminator property, when there is one, names the
    /// branch.
    #[allow(clippy::too_many_arguments)]
    fn choose(
        &mut self,
        map: &'a Map<String, Value>,
        choices: &'a [Value],
        exclusive: bool,
        own: Option<&Value>,
        depth: u64,
        at: &str,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<Value> {
        let mut first: Option<(usize, Value, Vec<usize>)> = None;
        for (i, c) in choices.iter().enumerate() {
            if !self.step() {
                break;
            }
            let viable = match ref_of(c) {
                Some(r) => self.resolver.lookup(r).is_ok() && !self.stack.contains(&r),
                None => true,
            };
            if !viable {
                continue;
            }
            let produced = self.produced;
            let Some(v) = self.generate(c, depth + 1, at, diags) else {
                continue;
            };
            let mut v = match own {
                Some(o) => merge(o.clone(), v),
                None => v,
            };
            self.name_branch(map, c, &mut v);
            if !exclusive {
                return Some(v);
            }
            let Some(mut also) = self.also_fits(choices, i, &v) else {
                // Out of steps: nothing is known of the others.
                return Some(first.map_or(v, |(_, v, _)| v));
            };
            if !also.is_empty() && self.leave_out_others(map, choices, i, &also, &mut v) {
                match self.also_fits(choices, i, &v) {
                    Some(left) => also = left,
                    None => return Some(first.map_or(v, |(_, v, _)| v)),
                }
            }
            if also.is_empty() {
                return Some(v);
            }
            if first.is_none() {
                first = Some((i, v, also));
            } else {
                // Only the first value is kept: this one's size is given back.
                self.produced = produced;
            }
        }
        let (i, v, also) = first?;
        if !self.ambiguous.insert(choices.as_ptr()) {
            return Some(v);
        }
        let others: Vec<String> = also.iter().map(|j| (j + 1).to_string()).collect();
        self.misfits.push(Diagnostic::new(
            Severity::Warning,
            format!("{}/oneOf", self.here),
            format!(
                "No value prescan wrote fits exactly one branch of this `oneOf`: the one sent fits branch {} and also {} {}, so an API that checks `oneOf` refuses it. Branches that exclude each other (a `required` property or `additionalProperties: false`), or an example, would fix it.",
                i + 1,
                if others.len() == 1 { "branch" } else { "branches" },
                others.join(", ")
            ),
        ));
        Some(v)
    }

    /// Leaves out of `value` (an object) the properties that the branches
    /// `also` require and neither the schema `map` nor the branch `own`
    /// does; whether any was.
    fn leave_out_others(
        &self,
        map: &'a Map<String, Value>,
        choices: &'a [Value],
        own: usize,
        also: &[usize],
        value: &mut Value,
    ) -> bool {
        let Value::Object(object) = value else {
            return false;
        };
        let required = |schema: &'a Value| -> Vec<&'a str> {
            self.resolver
                .deref(schema)
                .ok()
                .and_then(|(s, _)| s.get("required"))
                .and_then(Value::as_array)
                .map(|r| r.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default()
        };
        let mut keep: Vec<&str> = map
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        keep.extend(required(&choices[own]));
        let before = object.len();
        for j in also {
            for name in required(&choices[*j]) {
                if !keep.contains(&name) {
                    object.remove(name);
                }
            }
        }
        object.len() < before
    }

    /// The other branches of `choices` (not `own`) that `value` fits, or
    /// `None` when the steps ran out first. Each check is charged to the
    /// value's steps.
    fn also_fits(&mut self, choices: &'a [Value], own: usize, value: &Value) -> Option<Vec<usize>> {
        let mut also = Vec::new();
        let read_as = self.text_forms(value);
        for (j, other) in choices.iter().enumerate() {
            if j == own {
                continue;
            }
            for form in std::iter::once(value).chain(&read_as) {
                let (fits, left) = self.fits_within(other, form, self.steps);
                self.steps = left;
                if left == 0 {
                    self.hits.steps = true;
                    return None;
                }
                if fits {
                    also.push(j);
                    break;
                }
            }
        }
        Some(also)
    }

    /// What else a validator may read `value` as, when it is sent as text
    /// ([`Self::text_value`]): a number or boolean also as a string, and a
    /// string that reads as a number or boolean also as that. Nothing for a
    /// value sent as JSON.
    fn text_forms(&self, value: &Value) -> Vec<Value> {
        if !self.text {
            return Vec::new();
        }
        match value {
            Value::Number(n) => vec![Value::String(n.to_string())],
            Value::Bool(b) => vec![Value::String(b.to_string())],
            Value::String(s) => match serde_json::from_str(s) {
                Ok(v @ (Value::Number(_) | Value::Bool(_))) => vec![v],
                _ => Vec::new(),
            },
            _ => Vec::new(),
        }
    }

    /// Sets the discriminator property of `value` (an object written for
    /// `branch`) to the name that selects that branch: the `mapping` key
    /// that names it, else the name of the schema it references. The
    /// discriminator is the one of the `oneOf`'s schema `map`, else the one
    /// a schema the branch extends (`allOf`) declares. A name the branch's
    /// own schema does not allow (an `enum` without it) is not set.
    fn name_branch(&self, map: &'a Map<String, Value>, branch: &'a Value, value: &mut Value) {
        let Some(reference) = ref_of(branch) else {
            return;
        };
        let Some(discriminator) = map
            .get("discriminator")
            .or_else(|| self.inherited_discriminator(reference))
        else {
            return;
        };
        let Some(property) = discriminator.get("propertyName").and_then(Value::as_str) else {
            return;
        };
        let Value::Object(object) = value else {
            return;
        };
        let schema_name = reference.rsplit('/').next().unwrap_or(reference);
        let name = discriminator
            .get("mapping")
            .and_then(Value::as_object)
            .and_then(|m| {
                m.iter()
                    .find(|(_, to)| {
                        to.as_str()
                            .is_some_and(|to| to == reference || to == schema_name)
                    })
                    .map(|(k, _)| k.clone())
            })
            .unwrap_or_else(|| schema_name.to_owned());
        let before = object.insert(property.to_owned(), Value::String(name));
        let (fits, _) = self.fits_within(branch, value, self.limits.schema_steps.min(self.steps));
        if !fits {
            if let Value::Object(object) = value {
                match before {
                    Some(v) => object.insert(property.to_owned(), v),
                    None => object.remove(property),
                };
            }
        }
    }

    /// The discriminator a schema declares, or one of the schemas it
    /// extends by `allOf` (one level down, as OpenAPI's inheritance does).
    fn inherited_discriminator(&self, reference: &str) -> Option<&'a Value> {
        let target = self.resolver.lookup(reference).ok()?;
        if let Some(d) = target.get("discriminator") {
            return Some(d);
        }
        target
            .get("allOf")?
            .as_array()?
            .iter()
            .filter_map(|part| self.resolver.deref(part).ok())
            .find_map(|(part, _)| part.get("discriminator"))
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

    /// The smallest value of a schema's type, without looking deeper: a
    /// value the schema states when `stated` and it fits, else an empty
    /// object or array, or a scalar.
    pub(super) fn minimal(&mut self, schema: &'a Value, stated: bool) -> Value {
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

    /// The first value the schema states itself that fits its schema and
    /// the room left (see [`stated`] for the order); a larger one is
    /// noted and skipped, one that does not fit is skipped with a Warning.
    fn given(&mut self, map: &'a Map<String, Value>) -> Option<Value> {
        let mut heads = Vec::new();
        let mut chosen = None;
        for (candidate, key, what) in stated(map) {
            let pointer = format!("{}/{key}", self.here);
            match self.stated(Err(map), candidate, &pointer, what, key.starts_with("enum")) {
                Stated::Fits => {}
                Stated::Misfit(head) => {
                    heads.extend(head.map(|h| (h, pointer)));
                    continue;
                }
            }
            let size = self.size_of(candidate);
            if size <= self.room() {
                self.produced += size;
                chosen = Some((candidate.clone(), what));
                break;
            }
            if size > self.limits.value_bytes {
                self.hits.stated = Some(size);
            } else {
                self.hits.value = true;
            }
        }
        let instead = match &chosen {
            Some((_, what)) => format!("the {what} is sent instead"),
            None => "a generated value is sent instead".to_owned(),
        };
        for (head, pointer) in heads {
            self.misfits.push(Diagnostic::new(
                Severity::Warning,
                pointer,
                format!("{head}: {instead}."),
            ));
        }
        chosen.map(|(v, _)| v)
    }
}

/// The values a schema states itself, in the order they are used, with
/// where each is in the schema and what it is called: `const`, the first
/// of `examples`, `example`, the `enum` values that are not null (or null
/// when it is the only one), `default`.
fn stated(map: &Map<String, Value>) -> impl Iterator<Item = (&Value, String, &'static str)> {
    let examples = match map.get("examples") {
        Some(Value::Array(examples)) => examples.first(),
        _ => None,
    };
    let enumerated = match map.get("enum") {
        Some(Value::Array(values)) => values
            .iter()
            .enumerate()
            .find(|(_, v)| !v.is_null())
            .or(values.first().map(|v| (0, v))),
        _ => None,
    };
    [
        map.get("const")
            .map(|v| (v, "const".to_owned(), "`const` value")),
        examples.map(|v| (v, "examples/0".to_owned(), "first of the `examples`")),
        map.get("example")
            .map(|v| (v, "example".to_owned(), "example")),
        enumerated.map(|(i, v)| (v, format!("enum/{i}"), "`enum` value")),
        map.get("default")
            .map(|v| (v, "default".to_owned(), "`default` value")),
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
pub(super) fn type_of(map: &Map<String, Value>) -> Option<&str> {
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
