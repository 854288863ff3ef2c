//! YAML text → `serde_json::Value`, with the guards a browser needs.
//!
//! Keys that are not strings (`200:` response codes, `true:`) become strings;
//! merge keys (`<<: *base`) are applied; tags (`!Ref x`) are dropped and their
//! value kept. Aliases are expanded, but the number of values the document may
//! expand to is bounded, so a "billion laughs" file is an error, not an
//! out-of-memory crash, and so are the bytes of text (strings and keys) it may
//! expand to ([`Limits::expanded_bytes`]), so one large string repeated by
//! aliases is an error too. Nesting is bounded by the parser (128 levels).

use std::cell::Cell;
use std::fmt;

use serde::de::{
    self, DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess, VariantAccess, Visitor,
};
use serde_json::{Map, Number, Value};

use crate::limits::{Limit, Limits};

/// Values a document may hold beyond one per byte of text (room for aliases).
const EXTRA_VALUES: usize = 250_000;

/// Why YAML text could not be read.
#[derive(Debug)]
pub(crate) enum YamlError {
    /// Not well-formed (or too many values, or nested too deeply).
    Syntax(yaml_serde::Error),
    /// It expands to more text than [`Limits::expanded_bytes`].
    ExpandedBytes(yaml_serde::Error),
}

impl YamlError {
    /// The parser's error, with its location.
    pub(crate) fn inner(&self) -> &yaml_serde::Error {
        match self {
            YamlError::Syntax(e) | YamlError::ExpandedBytes(e) => e,
        }
    }
}

impl fmt::Display for YamlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner().fmt(f)
    }
}

/// Parses YAML text into a JSON value.
pub(crate) fn from_str(text: &str, limits: &Limits) -> Result<Value, YamlError> {
    let budget = Budget {
        values: Cell::new(text.len().saturating_add(EXTRA_VALUES)),
        bytes: Cell::new(limits.expanded_bytes),
        over: Cell::new(false),
        limits,
    };
    let deserializer = yaml_serde::Deserializer::from_str(text);
    ValueSeed { budget: &budget }
        .deserialize(deserializer)
        .map_err(|e| {
            if budget.over.get() {
                YamlError::ExpandedBytes(e)
            } else {
                YamlError::Syntax(e)
            }
        })
}

/// What the document may still expand to.
struct Budget<'l> {
    values: Cell<usize>,
    bytes: Cell<u64>,
    /// Whether `bytes` ran out.
    over: Cell<bool>,
    limits: &'l Limits,
}

impl Budget<'_> {
    fn spend<E: de::Error>(&self) -> Result<(), E> {
        match self.values.get().checked_sub(1) {
            Some(left) => {
                self.values.set(left);
                Ok(())
            }
            None => Err(E::custom(
                "the document expands to too many values (are aliases repeating a large part of it?)",
            )),
        }
    }

    /// Spends the bytes of a string or key.
    fn text<E: de::Error>(&self, len: usize) -> Result<(), E> {
        match self.bytes.get().checked_sub(len as u64) {
            Some(left) => {
                self.bytes.set(left);
                Ok(())
            }
            None => {
                self.over.set(true);
                Err(E::custom(format!(
                "the document expands to more text than prescan reads ({}; are aliases repeating a large string?)",
                Limit::ExpandedBytes.cite(self.limits)
            )))
            }
        }
    }
}

#[derive(Clone, Copy)]
struct ValueSeed<'b> {
    budget: &'b Budget<'b>,
}

impl ValueSeed<'_> {
    fn spend<E: de::Error>(&self) -> Result<(), E> {
        self.budget.spend()
    }
}

impl<'de> DeserializeSeed<'de> for ValueSeed<'_> {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

fn float(v: f64) -> Value {
    Number::from_f64(v).map_or(Value::Null, Value::Number)
}

impl<'de> Visitor<'de> for ValueSeed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        self.spend()?;
        Ok(Value::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        self.spend()?;
        Ok(Value::Number(v.into()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        self.spend()?;
        Ok(Value::Number(v.into()))
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Value, E> {
        self.spend()?;
        Ok(float(v as f64))
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Value, E> {
        self.spend()?;
        Ok(float(v as f64))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        self.spend()?;
        Ok(float(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        self.spend()?;
        self.budget.text(v.len())?;
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        self.spend()?;
        self.budget.text(v.len())?;
        Ok(Value::String(v))
    }
    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Value, E> {
        self.spend()?;
        self.budget.text(v.len())?;
        Ok(Value::String(String::from_utf8_lossy(v).into_owned()))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        self.spend()?;
        Ok(Value::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        self.visit_unit()
    }
    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
    fn visit_newtype_struct<D: Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        self.spend()?;
        let mut out = Vec::new();
        while let Some(item) = seq.next_element_seed(self)? {
            out.push(item);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        self.spend()?;
        let mut out = Map::new();
        let mut merges = Vec::new();
        while let Some(key) = map.next_key_seed(KeySeed)? {
            self.budget.text(key.len())?;
            let value = map.next_value_seed(self)?;
            if key == "<<" {
                merges.push(value);
            } else {
                out.insert(key, value);
            }
        }
        // YAML merge keys: explicit keys win, then earlier merged maps win.
        for merged in merges {
            let maps = match merged {
                Value::Object(m) => vec![m],
                Value::Array(items) => items
                    .into_iter()
                    .filter_map(|i| match i {
                        Value::Object(m) => Some(m),
                        _ => None,
                    })
                    .collect(),
                _ => Vec::new(),
            };
            for m in maps {
                for (k, v) in m {
                    out.entry(k).or_insert(v);
                }
            }
        }
        Ok(Value::Object(out))
    }
    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<Value, A::Error> {
        // A tagged value (`!Tag value`): keep the value, drop the tag.
        let (_tag, variant): (Value, _) = data.variant_seed(self)?;
        variant.newtype_variant_seed(self)
    }
}

/// Deserializes a mapping key of any scalar type as a string.
struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = String;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<String, D::Error> {
        deserializer.deserialize_any(KeySeed)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = String;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a mapping key that is a string, number or boolean")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_owned())
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<String, E> {
        Ok(v)
    }
    fn visit_unit<E: de::Error>(self) -> Result<String, E> {
        Ok("null".to_owned())
    }
    fn visit_none<E: de::Error>(self) -> Result<String, E> {
        Ok("null".to_owned())
    }
    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<String, D::Error> {
        deserializer.deserialize_any(KeySeed)
    }
    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<String, A::Error> {
        let (_tag, variant): (de::IgnoredAny, _) = data.variant()?;
        variant.newtype_variant_seed(KeySeed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn from_str_default(text: &str) -> Result<Value, YamlError> {
        from_str(text, &Limits::default())
    }

    #[test]
    fn one_large_string_repeated_by_aliases_is_an_error_that_names_the_limit() {
        // 1 MiB referenced 300 times: 300 MiB of text from a 1 MiB file.
        let text = format!(
            "big: &b {}\nmany: [{}]\n",
            "x".repeat(1 << 20),
            vec!["*b"; 300].join(", ")
        );
        let err = from_str_default(&text).unwrap_err();
        assert!(matches!(err, YamlError::ExpandedBytes(_)));
        let err = err.to_string();
        assert!(err.contains("limit `expanded_bytes` = 256 MiB"), "{err}");
        let small = Limits {
            expanded_bytes: 1000,
            ..Limits::default()
        };
        assert!(from_str("a: [x, y]\n", &small).is_ok());
        assert!(from_str(&format!("a: {}\n", "y".repeat(1001)), &small).is_err());
    }

    #[test]
    fn numeric_and_bool_keys_become_strings() {
        let v = from_str_default("200:\n  a: 1\ntrue: x\n1.5: y\n~: z\n").unwrap();
        assert_eq!(
            v,
            json!({"200": {"a": 1}, "true": "x", "1.5": "y", "null": "z"})
        );
    }

    #[test]
    fn order_is_kept() {
        let v = from_str_default("z: 1\na: 2\nm: 3\n").unwrap();
        let keys: Vec<_> = v.as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys, ["z", "a", "m"]);
    }

    #[test]
    fn merge_keys_and_tags() {
        let v =
            from_str_default("base: &b {x: 1, y: 2}\nother:\n  <<: *b\n  y: 3\ntagged: !Ref foo\n")
                .unwrap();
        assert_eq!(v["other"], json!({"y": 3, "x": 1}));
        assert_eq!(v["tagged"], json!("foo"));
    }

    #[test]
    fn billion_laughs_is_an_error() {
        let mut text = String::from(
            "a0: &a0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
        );
        for i in 1..10 {
            let prev = format!("*a{}", i - 1);
            text.push_str(&format!("a{i}: &a{i} [{}]\n", [prev.as_str(); 9].join(",")));
        }
        assert!(from_str_default(&text).is_err());
    }

    #[test]
    fn quadratic_alias_expansion_is_bounded() {
        // One anchor of 20,000 values, referenced 20,000 times: 400 million values.
        let mut text = String::from("a: &a [");
        text.push_str(&vec!["1"; 20_000].join(","));
        text.push_str("]\nb: [");
        text.push_str(&vec!["*a"; 20_000].join(","));
        text.push_str("]\n");
        assert!(from_str_default(&text).is_err());
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = "[".repeat(100_000);
        assert!(from_str_default(&text).is_err());
        let text = "a:\n".to_string()
            + &(1..2000)
                .map(|i| format!("{}b:\n", " ".repeat(i)))
                .collect::<String>();
        assert!(from_str_default(&text).is_err());
    }
}
