//! Strings that fit a schema's `format`, `minLength` and `maxLength`.

use serde_json::{Map, Value};

use super::pattern::Generated;
use super::regex::{Matched, Patterns};
use crate::encode::base64;

/// A string for a `type: string` schema: with a `pattern`, the value of its
/// `format` when that matches the pattern (checked by `patterns`), else one
/// [`super::pattern`] writes within `pattern_steps`; else one fitting its
/// `format`, padded or cut to `minLength` / `maxLength`; and whether the
/// pattern ran out of steps.
pub(crate) fn string(
    map: &Map<String, Value>,
    pattern_steps: u64,
    patterns: &Patterns,
) -> (String, bool) {
    let len = |k: &str| {
        map.get(k)
            .and_then(Value::as_u64)
            .map(|n| n.min(10_000) as usize)
    };
    let mut out_of_steps = false;
    if let Some(pattern) = map.get("pattern").and_then(Value::as_str) {
        if map.contains_key("format") {
            let formatted = formatted(map);
            if patterns.matches(pattern, &formatted) == Matched::Yes {
                return (formatted, false);
            }
        }
        let min = len("minLength").unwrap_or(0);
        let max = len("maxLength").unwrap_or(usize::MAX);
        match super::pattern::generate(pattern, min, max, pattern_steps) {
            Generated::Found(s) => return (s, false),
            Generated::OutOfSteps => out_of_steps = true,
            Generated::NotFound => {}
        }
    }
    (formatted(map), out_of_steps)
}

/// A string fitting the schema's `format`, padded or cut to `minLength` /
/// `maxLength`.
fn formatted(map: &Map<String, Value>) -> String {
    let len = |k: &str| {
        map.get(k)
            .and_then(Value::as_u64)
            .map(|n| n.min(10_000) as usize)
    };
    let format = map.get("format").and_then(Value::as_str).unwrap_or("");
    let mut s = match format {
        "date-time" => "2024-01-01T00:00:00Z".to_owned(),
        "date" => "2024-01-01".to_owned(),
        "time" => "00:00:00Z".to_owned(),
        "email" | "idn-email" => "user@example.com".to_owned(),
        "uuid" => "3fa85f64-5717-4562-b3fc-2c963f66afa6".to_owned(),
        "uri" | "url" | "iri" => "https://example.com/".to_owned(),
        "uri-reference" | "iri-reference" => "/example".to_owned(),
        "uri-template" => "https://example.com/{id}".to_owned(),
        "hostname" | "idn-hostname" => "example.com".to_owned(),
        "ipv4" => "192.0.2.1".to_owned(),
        "ipv6" => "2001:db8::1".to_owned(),
        "byte" => base64(b"string"),
        "password" => "password".to_owned(),
        "duration" => "P1D".to_owned(),
        "regex" => "^.*$".to_owned(),
        "json-pointer" => "/example".to_owned(),
        "relative-json-pointer" => "0".to_owned(),
        "int32" | "int64" => "0".to_owned(),
        _ => "string".to_owned(),
    };
    if let Some(min) = len("minLength") {
        let have = s.chars().count();
        if have < min {
            let pad = if format == "byte" { 'A' } else { 'x' };
            s.extend(std::iter::repeat_n(pad, min - have));
        }
    }
    if let Some(max) = len("maxLength") {
        if s.chars().count() > max {
            s = s.chars().take(max).collect();
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn s(v: Value) -> String {
        string(
            v.as_object().unwrap(),
            100_000,
            &Patterns::new(1_000_000, 10_000_000),
        )
        .0
    }

    #[test]
    fn formats_and_lengths() {
        assert_eq!(s(json!({"format": "date-time"})), "2024-01-01T00:00:00Z");
        assert_eq!(s(json!({"format": "date"})), "2024-01-01");
        assert_eq!(s(json!({"format": "email"})), "user@example.com");
        assert_eq!(
            s(json!({"format": "uuid"})),
            "3fa85f64-5717-4562-b3fc-2c963f66afa6"
        );
        assert_eq!(s(json!({"format": "ipv4"})), "192.0.2.1");
        assert_eq!(s(json!({"format": "byte"})), "c3RyaW5n");
        assert_eq!(s(json!({"minLength": 10})), "stringxxxx");
        assert_eq!(s(json!({"maxLength": 3})), "str");
        assert_eq!(s(json!({"maxLength": 0})), "");
    }
}
