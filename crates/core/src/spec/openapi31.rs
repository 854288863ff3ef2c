//! OpenAPI 3.1 → the 3.0 shape prescan's reader understands: a light,
//! lossy normalization of the JSON Schema 2020-12 keywords that matter for
//! generating values.
//!
//! - `type: [T, "null"]` → `type: T` + `nullable: true`;
//! - `const` and `examples` are kept (the sampler reads them first);
//! - numeric `exclusiveMinimum` / `exclusiveMaximum` → `minimum` /
//!   `maximum` + the 3.0 boolean form.

use serde_json::{json, Value};

/// Keys whose values are data, not schemas: never rewritten.
const DATA_KEYS: [&str; 5] = ["example", "examples", "default", "enum", "const"];

/// Rewrites every schema-like object of a 3.1 document in place.
pub(crate) fn normalize(v: &mut Value) {
    match v {
        Value::Object(map) => {
            if let Some(Value::Array(types)) = map.get("type") {
                let names: Vec<&str> = types.iter().filter_map(Value::as_str).collect();
                let nullable = names.contains(&"null");
                let first = names
                    .iter()
                    .find(|t| **t != "null")
                    .map(|t| (*t).to_owned());
                match first {
                    Some(t) => {
                        map.insert("type".into(), json!(t));
                    }
                    None => {
                        map.remove("type");
                    }
                }
                if nullable {
                    map.insert("nullable".into(), json!(true));
                }
            }
            for (exclusive, bound) in [
                ("exclusiveMinimum", "minimum"),
                ("exclusiveMaximum", "maximum"),
            ] {
                if let Some(Value::Number(n)) = map.get(exclusive) {
                    let n = Value::Number(n.clone());
                    map.insert(bound.into(), n);
                    map.insert(exclusive.into(), json!(true));
                }
            }
            for (key, value) in map.iter_mut() {
                if !DATA_KEYS.contains(&key.as_str()) && !key.starts_with("x-") {
                    normalize(value);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(normalize),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_keywords() {
        let mut v = json!({"components": {"schemas": {"A": {
            "type": "object",
            "properties": {
                "a": {"type": ["string", "null"], "examples": ["x", "y"]},
                "b": {"const": 3},
                "c": {"type": "integer", "exclusiveMinimum": 1, "exclusiveMaximum": 10},
                "type": {"type": ["null"]}
            },
            "example": {"type": ["keep", "me"]}
        }}}});
        normalize(&mut v);
        let p = &v["components"]["schemas"]["A"]["properties"];
        assert_eq!(
            p["a"],
            json!({"type": "string", "nullable": true, "examples": ["x", "y"]})
        );
        assert_eq!(p["b"], json!({"const": 3}));
        assert_eq!(
            p["c"],
            json!({"type": "integer", "exclusiveMinimum": true, "exclusiveMaximum": true, "minimum": 1, "maximum": 10})
        );
        assert_eq!(p["type"], json!({"nullable": true}));
        assert_eq!(
            v["components"]["schemas"]["A"]["example"],
            json!({"type": ["keep", "me"]})
        );
    }
}
