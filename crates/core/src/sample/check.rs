//! Whether a value the specification states (an example, a `default`, ...)
//! fits its schema, so that a value the API would refuse is not sent.
//!
//! Checked, after references: `type` (integer vs number, `nullable` and
//! type arrays with `"null"`), `enum`, `const`, the formats that matter for
//! requests (`date-time`, `date`, `time`, `duration`, `uuid`, `email`,
//! `uri`, `ipv4`, `ipv6`, `byte`, `json-pointer`, `relative-json-pointer`,
//! the `int32` / `int64` ranges), `pattern` (an ECMA-262 regular
//! expression, matched by `regress` within a bound: see [`super::regex`]),
//! `minimum` / `maximum`
//! (OpenAPI 3.0's boolean `exclusiveMinimum` / `exclusiveMaximum` and 3.1's
//! numbers), `multipleOf`, `minLength` / `maxLength` (in characters),
//! `minItems` / `maxItems`, `uniqueItems`, an object's `required`
//! properties, `properties`, `additionalProperties`, an array's `items`,
//! and `allOf` / `anyOf` / `oneOf` (one branch is enough for the last two:
//! which branch a `oneOf` value fits alone is the generator's concern).
//!
//! The check takes at most `schema_steps` steps (one per schema and value
//! visited, one per `enum` value compared) and follows nesting down to
//! [`MAX_DEPTH`]; past either, what is left is taken to fit (a stated value
//! is only refused when it certainly does not fit).

use std::net::{Ipv4Addr, Ipv6Addr};

use serde_json::{Map, Value};

use super::generate::type_of;
use super::regex::{Matched, Patterns};
use super::Sampler;
use crate::refs::ref_of;

/// The nesting the check follows.
const MAX_DEPTH: usize = 64;

/// Why a value does not fit its schema: where in the value (a JSON
/// pointer, `""` for the whole value) and why, as a phrase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Misfit {
    pub(crate) path: String,
    pub(crate) why: String,
}

/// Whether a stated value fits: it does, or it does not (with, the first
/// time it is checked, the start of the Warning that says so).
pub(super) enum Stated {
    Fits,
    Misfit(Option<String>),
}

impl<'r, 'a> Sampler<'r, 'a> {
    /// Whether `value` (the `what` of the document at `pointer`) fits
    /// `schema`, or the schema map `map` (with `skip_enum`: it is one of
    /// the map's own `enum` values). Each value is checked once; a second
    /// use gets the same answer and no new message.
    pub(super) fn stated(
        &mut self,
        schema: Result<&'a Value, &'a Map<String, Value>>,
        value: &'a Value,
        pointer: &str,
        what: &str,
        skip_enum: bool,
    ) -> Stated {
        let key = value as *const Value;
        if let Some(fits) = self.fits.get(&key) {
            return if *fits {
                Stated::Fits
            } else {
                Stated::Misfit(None)
            };
        }
        let misfit = match schema {
            Ok(s) => self.misfit(s, value),
            Err(m) => self.misfit_map(m, value, skip_enum),
        };
        self.fits.insert(key, misfit.is_none());
        let Some(m) = misfit else {
            return Stated::Fits;
        };
        let inside = if m.path.is_empty() {
            String::new()
        } else {
            format!("at {}: ", m.path)
        };
        Stated::Misfit(Some(format!(
            "The {what} {} at {pointer} does not fit its schema ({inside}{})",
            show(value),
            m.why
        )))
    }

    /// Why `value` does not fit `schema`, or `None` when it fits (or the
    /// check ran out of steps first). `skip_enum`: the value comes from the
    /// schema's own `enum`.
    pub(super) fn misfit(&self, schema: &'a Value, value: &Value) -> Option<Misfit> {
        let mut steps = self.limits.schema_steps;
        let mut path = String::new();
        let why = self.check(schema, value, false, 0, &mut steps, &mut path)?;
        Some(Misfit { path, why })
    }

    /// Whether `value` fits `schema`, checked within `steps` steps, and the
    /// steps left (0: they ran out, and the answer is "fits" for want of
    /// knowing better).
    pub(super) fn fits_within(&self, schema: &'a Value, value: &Value, steps: u64) -> (bool, u64) {
        let mut left = steps;
        let mut path = String::new();
        let misfit = self.check(schema, value, false, 0, &mut left, &mut path);
        (misfit.is_none(), left)
    }

    /// [`Self::misfit`] for a schema already read as a map.
    pub(super) fn misfit_map(
        &self,
        map: &'a Map<String, Value>,
        value: &Value,
        skip_enum: bool,
    ) -> Option<Misfit> {
        let mut steps = self.limits.schema_steps;
        let mut path = String::new();
        let why = self.check_map(map, value, skip_enum, 0, &mut steps, &mut path)?;
        Some(Misfit { path, why })
    }

    /// `None` when the value fits; else why not, with `path` left at the
    /// part that does not fit.
    fn check(
        &self,
        schema: &'a Value,
        value: &Value,
        skip_enum: bool,
        depth: usize,
        steps: &mut u64,
        path: &mut String,
    ) -> Option<String> {
        if *steps == 0 || depth > MAX_DEPTH {
            return None;
        }
        *steps -= 1;
        let schema = match ref_of(schema) {
            Some(_) => self.resolver.deref(schema).ok()?.0,
            None => schema,
        };
        let map = match schema {
            Value::Object(m) => m,
            Value::Bool(false) => return Some("the schema allows no value here".into()),
            _ => return None,
        };
        self.check_map(map, value, skip_enum, depth, steps, path)
    }

    fn check_map(
        &self,
        map: &'a Map<String, Value>,
        value: &Value,
        skip_enum: bool,
        depth: usize,
        steps: &mut u64,
        path: &mut String,
    ) -> Option<String> {
        if value.is_null() && allows_null(map) {
            return None;
        }
        if let Some(why) = check_type(map, value) {
            return Some(why);
        }
        if !skip_enum {
            if let Some(Value::Array(values)) = map.get("enum") {
                let mut found = false;
                for v in values {
                    if *steps == 0 {
                        return None;
                    }
                    *steps -= 1;
                    if v == value {
                        found = true;
                        break;
                    }
                }
                if !found {
                    return Some("not one of the values its `enum` lists".into());
                }
            }
        }
        if let Some(c) = map.get("const") {
            if c != value {
                return Some(format!("not the value its `const` states, {}", show(c)));
            }
        }
        let why = match value {
            Value::String(s) => check_string(map, s, &self.patterns),
            Value::Number(_) => check_number(map, value),
            Value::Array(items) => self.check_array(map, items, depth, steps, path),
            Value::Object(fields) => self.check_object(map, fields, depth, steps, path),
            _ => None,
        };
        if why.is_some() {
            return why;
        }
        for key in ["allOf", "anyOf", "oneOf"] {
            let Some(Value::Array(branches)) = map.get(key) else {
                continue;
            };
            let mut first = None;
            let mut any = false;
            for b in branches {
                let mut sub = path.clone();
                match self.check(b, value, false, depth + 1, steps, &mut sub) {
                    Some(why) if key == "allOf" => {
                        *path = sub;
                        return Some(why);
                    }
                    Some(why) => {
                        first.get_or_insert((sub, why));
                    }
                    None => {
                        any = true;
                        if key != "allOf" {
                            break;
                        }
                    }
                }
            }
            if !any && !branches.is_empty() && key != "allOf" {
                if let Some((sub, why)) = first {
                    *path = sub;
                    return Some(format!(
                        "it fits none of the `{key}` schemas; the first: {why}"
                    ));
                }
            }
        }
        None
    }

    fn check_array(
        &self,
        map: &'a Map<String, Value>,
        items: &[Value],
        depth: usize,
        steps: &mut u64,
        path: &mut String,
    ) -> Option<String> {
        let n = items.len() as u64;
        if let Some(min) = map
            .get("minItems")
            .and_then(Value::as_u64)
            .filter(|m| n < *m)
        {
            return Some(format!(
                "{} where `minItems` asks for at least {min}",
                crate::text::count(n, "item", "items")
            ));
        }
        if let Some(max) = map
            .get("maxItems")
            .and_then(Value::as_u64)
            .filter(|m| n > *m)
        {
            return Some(format!(
                "{} where `maxItems` allows at most {max}",
                crate::text::count(n, "item", "items")
            ));
        }
        if map.get("uniqueItems").and_then(Value::as_bool) == Some(true) && items.len() <= 1_000 {
            for (i, a) in items.iter().enumerate() {
                for b in &items[i + 1..] {
                    if *steps == 0 {
                        return None;
                    }
                    *steps -= 1;
                    if a == b {
                        return Some(
                            "its items repeat a value where `uniqueItems` asks for distinct ones"
                                .into(),
                        );
                    }
                }
            }
        }
        if let Some(schema) = map.get("items").filter(|s| s.is_object() || s.is_boolean()) {
            let len = path.len();
            for (i, item) in items.iter().enumerate() {
                path.push('/');
                path.push_str(&i.to_string());
                if let Some(why) = self.check(schema, item, false, depth + 1, steps, path) {
                    return Some(why);
                }
                path.truncate(len);
                if *steps == 0 {
                    return None;
                }
            }
        }
        None
    }

    fn check_object(
        &self,
        map: &'a Map<String, Value>,
        fields: &Map<String, Value>,
        depth: usize,
        steps: &mut u64,
        path: &mut String,
    ) -> Option<String> {
        let properties = map.get("properties").and_then(Value::as_object);
        if let Some(Value::Array(required)) = map.get("required") {
            for name in required.iter().filter_map(Value::as_str) {
                if fields.contains_key(name) {
                    continue;
                }
                // A required `readOnly` property is left out of requests.
                if properties
                    .and_then(|p| p.get(name))
                    .is_some_and(|s| self.read_only(s))
                {
                    continue;
                }
                return Some(format!(
                    "the required property `{}` is missing",
                    crate::diagnostic::shorten(name, 60)
                ));
            }
        }
        let extra = map.get("additionalProperties");
        let len = path.len();
        for (name, v) in fields {
            if *steps == 0 {
                return None;
            }
            let schema = match properties.and_then(|p| p.get(name)) {
                Some(s) => s,
                None => match extra {
                    Some(Value::Bool(false)) => {
                        return Some(format!(
                            "the property `{}` is not one its schema lists, and `additionalProperties` is false",
                            crate::diagnostic::shorten(name, 60)
                        ))
                    }
                    Some(s @ Value::Object(_)) => s,
                    _ => continue,
                },
            };
            path.push('/');
            path.push_str(&name.replace('~', "~0").replace('/', "~1"));
            if let Some(why) = self.check(schema, v, false, depth + 1, steps, path) {
                return Some(why);
            }
            path.truncate(len);
        }
        None
    }
}

/// Whether null fits: `nullable: true`, a type array with `"null"`, a
/// `null` in `enum`, or no type at all.
fn allows_null(map: &Map<String, Value>) -> bool {
    if map.get("nullable").and_then(Value::as_bool) == Some(true) {
        return true;
    }
    if let Some(Value::Array(values)) = map.get("enum") {
        return values.iter().any(Value::is_null);
    }
    match map.get("type") {
        Some(Value::String(t)) => t == "null",
        Some(Value::Array(types)) => types.iter().any(|t| t == "null"),
        _ => type_of(map).is_none() && !map.contains_key("const"),
    }
}

/// What kind of JSON value `v` is, for people.
fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_f64() && n.as_f64().is_some_and(|f| f.fract() != 0.0) => {
            "a number with a fraction"
        }
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn is_type(t: &str, v: &Value) -> bool {
    match t {
        "string" => v.is_string(),
        "boolean" => v.is_boolean(),
        "object" => v.is_object(),
        "array" => v.is_array(),
        "null" => v.is_null(),
        "number" => v.is_number(),
        "integer" => match v {
            Value::Number(n) => {
                n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0)
            }
            _ => false,
        },
        // An unknown type is not checked.
        _ => true,
    }
}

fn check_type(map: &Map<String, Value>, value: &Value) -> Option<String> {
    let types: Vec<&str> = match map.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => return None,
    };
    if types.is_empty() || types.iter().any(|t| is_type(t, value)) {
        return None;
    }
    let wanted: Vec<String> = types
        .iter()
        .map(|t| match *t {
            "integer" => "an integer".to_owned(),
            "array" | "object" => format!("an {t}"),
            "null" => "null".to_owned(),
            t => format!("a {t}"),
        })
        .collect();
    Some(format!(
        "{} where the schema asks for {}",
        kind(value),
        wanted.join(" or ")
    ))
}

fn check_string(map: &Map<String, Value>, s: &str, patterns: &Patterns) -> Option<String> {
    let chars = s.chars().count() as u64;
    if let Some(min) = map
        .get("minLength")
        .and_then(Value::as_u64)
        .filter(|m| chars < *m)
    {
        return Some(format!(
            "{} where `minLength` asks for at least {min}",
            crate::text::count(chars, "character", "characters")
        ));
    }
    if let Some(max) = map
        .get("maxLength")
        .and_then(Value::as_u64)
        .filter(|m| chars > *m)
    {
        return Some(format!(
            "{} where `maxLength` allows at most {max}",
            crate::text::count(chars, "character", "characters")
        ));
    }
    if let Some(pattern) = map.get("pattern").and_then(Value::as_str) {
        if patterns.matches(pattern, s) == Matched::No {
            return Some(format!(
                "it does not match the `pattern` {}",
                show(&Value::String(pattern.to_owned()))
            ));
        }
    }
    let format = map.get("format").and_then(Value::as_str)?;
    let (fits, what) = match format {
        "date-time" => (is_date_time(s), "a date-time as RFC 3339 writes one"),
        "date" => (is_date(s), "a date as RFC 3339 writes one (2024-01-31)"),
        "time" => (is_time(s), "a time as RFC 3339 writes one (13:45:00Z)"),
        "uuid" => (is_uuid(s), "a UUID"),
        "email" => (is_email(s), "an email address"),
        "uri" => (is_uri(s), "an absolute URI"),
        "ipv4" => (s.parse::<Ipv4Addr>().is_ok(), "an IPv4 address"),
        "ipv6" => (s.parse::<Ipv6Addr>().is_ok(), "an IPv6 address"),
        "byte" => (is_base64(s), "base64"),
        "duration" => (
            is_duration(s),
            "a duration as RFC 3339 writes one (P1D, PT15M)",
        ),
        "json-pointer" => (is_json_pointer(s), "a JSON pointer (/a/b)"),
        "relative-json-pointer" => (
            is_relative_json_pointer(s),
            "a relative JSON pointer (0/a, 1#)",
        ),
        _ => (true, ""),
    };
    (!fits).then(|| format!("not {what}"))
}

/// RFC 3339's `duration` (its appendix A): `P`, then weeks alone, or
/// days and/or a time part (`T` with hours, minutes, seconds in that order,
/// each a number), at least one figure.
fn is_duration(s: &str) -> bool {
    let Some(rest) = s.strip_prefix('P') else {
        return false;
    };
    let (date, time) = match rest.split_once('T') {
        Some((d, t)) => (d, Some(t)),
        None => (rest, None),
    };
    // Units in order, each at most once: a number then its letter.
    fn units(part: &str, order: &[char]) -> Option<usize> {
        let mut next = 0;
        let mut count = 0;
        let mut digits = 0;
        for c in part.chars() {
            if c.is_ascii_digit() {
                digits += 1;
                continue;
            }
            let at = order[next..].iter().position(|u| *u == c)? + next;
            if digits == 0 {
                return None;
            }
            next = at + 1;
            count += 1;
            digits = 0;
        }
        (digits == 0).then_some(count)
    }
    if date.contains('W') {
        return time.is_none() && units(date, &['W']) == Some(1);
    }
    let Some(d) = units(date, &['Y', 'M', 'D']) else {
        return false;
    };
    match time {
        None => d > 0,
        Some(t) => units(t, &['H', 'M', 'S']).is_some_and(|n| n > 0),
    }
}

/// RFC 6901: empty, or `/` then tokens where `~` is followed by 0 or 1.
fn is_json_pointer(s: &str) -> bool {
    (s.is_empty() || s.starts_with('/'))
        && s.split('~')
            .skip(1)
            .all(|after| after.starts_with('0') || after.starts_with('1'))
}

/// A relative JSON pointer: a non-negative integer (no leading zero), then
/// `#` or a JSON pointer.
fn is_relative_json_pointer(s: &str) -> bool {
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || (digits > 1 && s.starts_with('0')) {
        return false;
    }
    let rest = &s[digits..];
    rest == "#" || is_json_pointer(rest)
}

fn check_number(map: &Map<String, Value>, v: &Value) -> Option<String> {
    let x = v.as_f64()?;
    let num = |k: &str| map.get(k).and_then(Value::as_f64);
    let flag = |k: &str| map.get(k).and_then(Value::as_bool) == Some(true);
    if let Some(min) = num("minimum") {
        if x < min || (x == min && flag("exclusiveMinimum")) {
            let rel = if flag("exclusiveMinimum") {
                "above"
            } else {
                "at least"
            };
            return Some(format!(
                "{} where the schema asks for {rel} {}",
                show(v),
                show(&map["minimum"])
            ));
        }
    }
    if let Some(max) = num("maximum") {
        if x > max || (x == max && flag("exclusiveMaximum")) {
            let rel = if flag("exclusiveMaximum") {
                "below"
            } else {
                "at most"
            };
            return Some(format!(
                "{} where the schema asks for {rel} {}",
                show(v),
                show(&map["maximum"])
            ));
        }
    }
    if let Some(min) = num("exclusiveMinimum").filter(|m| x <= *m) {
        return Some(format!("{} where the schema asks for above {min}", show(v)));
    }
    if let Some(max) = num("exclusiveMaximum").filter(|m| x >= *m) {
        return Some(format!("{} where the schema asks for below {max}", show(v)));
    }
    if let Some(m) = num("multipleOf").filter(|m| *m > 0.0 && m.is_finite()) {
        let q = x / m;
        if q.is_finite() && (q - q.round()).abs() > 1e-9 * q.abs().max(1.0) {
            return Some(format!(
                "{} is not a multiple of {}",
                show(v),
                show(&map["multipleOf"])
            ));
        }
    }
    let range = match map.get("format").and_then(Value::as_str) {
        Some("int32") => (f64::from(i32::MIN), f64::from(i32::MAX)),
        Some("int64") => (i64::MIN as f64, i64::MAX as f64),
        _ => return None,
    };
    let within = match v {
        Value::Number(n) if n.is_u64() && !n.is_i64() => false,
        Value::Number(n) if n.is_i64() => {
            let i = n.as_i64().unwrap_or(0);
            map.get("format").and_then(Value::as_str) != Some("int32") || i32::try_from(i).is_ok()
        }
        _ => x >= range.0 && x <= range.1,
    };
    (!within).then(|| {
        format!(
            "{} is outside the {} range",
            show(v),
            map.get("format")
                .and_then(Value::as_str)
                .unwrap_or_default()
        )
    })
}

/// A value for a message: its JSON, shortened.
pub(crate) fn show(v: &Value) -> String {
    crate::diagnostic::shorten(&v.to_string(), 60)
}

fn digits(s: &[u8], n: usize) -> Option<u32> {
    if s.len() < n || !s[..n].iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(s[..n].iter().fold(0, |a, d| a * 10 + u32::from(d - b'0')))
}

fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let (Some(_), Some(m), Some(d)) = (digits(b, 4), digits(&b[5..], 2), digits(&b[8..], 2)) else {
        return false;
    };
    (1..=12).contains(&m) && (1..=31).contains(&d)
}

/// `HH:MM:SS[.frac]` then, when `offset`, `Z` or `±HH:MM` (a time alone
/// may leave the offset out).
fn is_time_of(s: &str, offset: bool) -> bool {
    let b = s.as_bytes();
    if b.len() < 8 || b[2] != b':' || b[5] != b':' {
        return false;
    }
    let (Some(h), Some(m), Some(sec)) = (digits(b, 2), digits(&b[3..], 2), digits(&b[6..], 2))
    else {
        return false;
    };
    if h > 23 || m > 59 || sec > 60 {
        return false;
    }
    let mut rest = &b[8..];
    if rest.first() == Some(&b'.') {
        let n = rest[1..].iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return false;
        }
        rest = &rest[1 + n..];
    }
    match rest {
        [] => !offset,
        [b'Z' | b'z'] => true,
        [b'+' | b'-', ..] if rest.len() == 6 && rest[3] == b':' => {
            matches!((digits(&rest[1..], 2), digits(&rest[4..], 2)), (Some(h), Some(m)) if h <= 23 && m <= 59)
        }
        _ => false,
    }
}

fn is_time(s: &str) -> bool {
    is_time_of(s, false)
}

fn is_date_time(s: &str) -> bool {
    s.len() > 11
        && s.is_char_boundary(10)
        && is_date(&s[..10])
        && matches!(s.as_bytes()[10], b'T' | b't' | b' ')
        && is_time_of(&s[11..], true)
}

fn is_uuid(s: &str) -> bool {
    let s = s.strip_prefix("urn:uuid:").unwrap_or(s);
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.rsplit_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.is_empty()
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
        && !domain.contains('@')
}

fn is_uri(s: &str) -> bool {
    let Some((scheme, _)) = s.split_once(':') else {
        return false;
    };
    scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
}

fn is_base64(s: &str) -> bool {
    let b = s.as_bytes();
    if !b.len().is_multiple_of(4) {
        return false;
    }
    let body = s.trim_end_matches('=');
    b.len() - body.len() <= 2
        && body
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'+' || c == b'/')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn more_formats() {
        for ok in ["P1D", "PT15M", "P1Y2M3DT4H5M6S", "P2W", "PT0S"] {
            assert!(is_duration(ok), "{ok}");
        }
        for bad in ["TBD", "P", "PT", "P1DT", "P1S", "P1W1D", "PM1", "1D", "P1H"] {
            assert!(!is_duration(bad), "{bad}");
        }
        for ok in ["", "/", "/a~1b", "/a/0", "/~0"] {
            assert!(is_json_pointer(ok), "{ok}");
        }
        for bad in ["#/a~1b", "a", "/a~2", "/a~"] {
            assert!(!is_json_pointer(bad), "{bad}");
        }
        for ok in ["0", "1#", "2/foo/0", "10/a"] {
            assert!(is_relative_json_pointer(ok), "{ok}");
        }
        for bad in ["", "#", "01", "/a", "1a"] {
            assert!(!is_relative_json_pointer(bad), "{bad}");
        }
    }

    #[test]
    fn formats() {
        assert!(is_date_time("2024-01-31T13:45:00Z"));
        assert!(is_date_time("2024-01-31T13:45:00.123+02:00"));
        assert!(!is_date_time("yyyy-MM-ddThh:mm:ssZ"));
        assert!(!is_date_time("2024-01-31"));
        assert!(is_date("2024-01-31"));
        assert!(!is_date("2024-13-01"));
        assert!(is_time("13:45:00"));
        assert!(is_uuid("3fa85f64-5717-4562-b3fc-2c963f66afa6"));
        assert!(!is_uuid("123"));
        assert!(is_email("user@example.com"));
        assert!(!is_email("user"));
        assert!(is_uri("https://example.com/"));
        assert!(!is_uri("/relative"));
        assert!(is_base64("c3RyaW5n"));
        assert!(!is_base64("not base64!"));
    }
}
