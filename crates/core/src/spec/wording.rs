//! The parsers' messages rewritten for people: serde's ("invalid type:
//! boolean `false`, expected struct Schema" → "expected a schema object,
//! found `false`"; "missing field `url`" → "`url` is missing"), serde_json's
//! syntax errors and the commonest of YAML's. A message not recognized is
//! kept as it is. Runs only on errors.

use crate::diagnostic::shorten;

/// How many characters of a value the file holds are quoted in a message.
const QUOTED: usize = 60;

/// `raw` (a parser's message, without its position) in plain language.
pub(crate) fn plain(raw: &str) -> String {
    let raw = raw.trim();
    if let Some(rest) = raw
        .strip_prefix("invalid type: ")
        .or_else(|| raw.strip_prefix("invalid value: "))
    {
        if let Some((found, expected)) = rest.rsplit_once(", expected ") {
            return format!("expected {}, found {}", expectation(expected), thing(found));
        }
    }
    if let Some(rest) = raw.strip_prefix("invalid length ") {
        if let Some((n, expected)) = rest.split_once(", expected ") {
            return format!(
                "expected {}, found {n} item{}",
                expectation(expected),
                if n == "1" { "" } else { "s" }
            );
        }
    }
    if let Some(name) = raw.strip_prefix("missing field ") {
        return format!("{name} is missing");
    }
    if let Some(name) = raw.strip_prefix("duplicate field ") {
        return format!("{name} is given twice");
    }
    for (prefix, what) in [
        ("unknown variant ", "a value"),
        ("unknown field ", "a field"),
    ] {
        if let Some(rest) = raw.strip_prefix(prefix) {
            let (name, allowed) = rest.split_once(", ").unwrap_or((rest, ""));
            let name = shorten(name, QUOTED);
            return match allowed
                .strip_prefix("expected one of ")
                .or_else(|| allowed.strip_prefix("expected "))
            {
                Some(list) => format!(
                    "{name} is not {what} allowed here (allowed: {})",
                    list.replace(" or ", ", ")
                ),
                None => format!("{name} is not {what} allowed here"),
            };
        }
    }
    if let Some(rest) = raw.strip_prefix("data did not match any variant of untagged enum ") {
        return match rest.trim() {
            "ReferenceOr" => "expected an object or a `$ref`, found neither".to_owned(),
            _ => "it is in none of the forms allowed here".to_owned(),
        };
    }
    if let Some(sentence) = syntax(raw) {
        return sentence.to_owned();
    }
    raw.to_owned()
}

/// serde's name of what it expected, for people.
fn expectation(expected: &str) -> String {
    let plain = match expected {
        "a sequence" => "a list",
        "a map" => "a mapping",
        "a string" | "a borrowed string" | "a character" | "a char" => "text",
        "a boolean" | "bool" => "`true` or `false`",
        "u8" | "u16" | "u32" | "u64" | "u128" | "usize" | "i8" | "i16" | "i32" | "i64" | "i128"
        | "isize" => "a whole number",
        "f32" | "f64" => "a number",
        "unit" => "`null`",
        _ => "",
    };
    if !plain.is_empty() {
        return plain.to_owned();
    }
    if let Some(name) = expected.strip_prefix("struct ") {
        return format!("{} object", article(&words(name)));
    }
    if expected.starts_with("enum ") {
        return "one of the values allowed here".to_owned();
    }
    if let Some(n) = expected
        .strip_prefix("a tuple of size ")
        .or_else(|| expected.strip_prefix("an array of length "))
    {
        return format!("a list of {n} items");
    }
    expected.to_owned()
}

/// serde's description of a value the file holds, for people.
fn thing(found: &str) -> String {
    if let Some(v) = found
        .strip_prefix("boolean ")
        .or_else(|| found.strip_prefix("unsigned integer "))
    {
        if found.starts_with("boolean") {
            return v.to_owned();
        }
        return format!("the number {}", v.trim_matches('`'));
    }
    for prefix in ["integer ", "floating point "] {
        if let Some(v) = found.strip_prefix(prefix) {
            return format!("the number {}", v.trim_matches('`'));
        }
    }
    if let Some(v) = found
        .strip_prefix("string ")
        .or_else(|| found.strip_prefix("char "))
    {
        return format!("the text {}", shorten(v, QUOTED));
    }
    match found {
        "null" | "unit value" | "Option value" => "`null`".to_owned(),
        "sequence" => "a list".to_owned(),
        "map" => "a mapping".to_owned(),
        other => shorten(other, QUOTED),
    }
}

/// `SecurityScheme` → `security scheme`.
fn words(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for (i, c) in name.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push(' ');
        }
        out.extend(c.to_lowercase());
    }
    out
}

/// `a schema`, `an operation`.
fn article(noun: &str) -> String {
    let an = noun.starts_with(['a', 'e', 'i', 'o', 'u']);
    format!("{} {noun}", if an { "an" } else { "a" })
}

/// The syntax errors of serde_json and YAML people meet most, explained.
fn syntax(raw: &str) -> Option<&'static str> {
    const TABLE: [(&str, &str); 17] = [
        ("EOF while parsing an object", "the file ends before the object is closed (a `}` is missing)"),
        ("EOF while parsing a list", "the file ends before the list is closed (a `]` is missing)"),
        ("EOF while parsing a string", "the file ends inside a string (a closing `\"` is missing)"),
        ("EOF while parsing a value", "the file ends where a value was expected"),
        ("expected value", "a value was expected here (text in double quotes, a number, true, false, null, an object or a list)"),
        ("expected ident", "expected `true`, `false` or `null`"),
        ("key must be a string", "a key must be text in double quotes"),
        ("trailing characters", "there is more text after the end of the document"),
        ("trailing comma", "a `,` is followed by no value (trailing comma)"),
        ("control character (\\u0000-\\u001F) found while parsing a string", "a string holds a control character (write a line break as `\\n`, a tab as `\\t`)"),
        ("invalid escape", "a string holds an invalid escape (`\\` must be followed by `\"`, `\\`, `/`, `b`, `f`, `n`, `r`, `t` or `u`)"),
        ("mapping values are not allowed in this context", "a `: ` is not allowed here (put a value that holds `: ` in quotes)"),
        ("found character that cannot start any token", "a value cannot start with this character (put the value in quotes)"),
        ("did not find expected key", "a key was expected here: the indentation does not match the keys above"),
        ("did not find expected '-' indicator", "a list item (`- `) was expected here: the indentation does not match the items above"),
        ("unknown anchor", "an alias (`*name`) refers to an anchor (`&name`) not defined before it"),
        ("found unexpected end of stream", "the file ends inside a quoted string or a flow collection (a closing quote or bracket is missing)"),
    ];
    TABLE
        .iter()
        .find(|(prefix, _)| raw.starts_with(prefix))
        .map(|(_, sentence)| *sentence)
}

#[cfg(test)]
mod tests {
    use super::*;
    use openapiv3::{Parameter, RequestBody, Schema, SecurityRequirement, SecurityScheme, Server};
    use serde::Deserialize;
    use serde_json::{json, Value};

    /// The message of deserializing `v` as `T` (it must fail).
    fn error<T: for<'de> Deserialize<'de>>(v: Value) -> String {
        match T::deserialize(&v) {
            Ok(_) => panic!("{v} was read"),
            Err(e) => e.to_string(),
        }
    }

    /// The message of parsing `text` as JSON, without its position.
    fn json_error(text: &str) -> String {
        let e = serde_json::from_str::<Value>(text).unwrap_err().to_string();
        e.split(" at line ").next().unwrap().to_owned()
    }

    #[test]
    fn serde_messages_read_as_sentences() {
        // Each message is made by serde itself, so that a change of its
        // wording fails here rather than reaching people untranslated.
        let table: Vec<(String, &str)> = vec![
            (error::<Schema>(json!(false)), "expected a schema object, found `false`"),
            (error::<Schema>(json!(42)), "expected a schema object, found the number 42"),
            (error::<Schema>(json!(1.5)), "expected a schema object, found the number 1.5"),
            (error::<Schema>(json!("str")), "expected a schema object, found the text \"str\""),
            (error::<Schema>(json!(null)), "expected a schema object, found `null`"),
            (error::<Schema>(json!([1])), "expected a schema object, found a list"),
            (
                error::<Schema>(json!({"type": "string", "maxLength": "x"})),
                "expected a whole number, found the text \"x\"",
            ),
            (error::<Schema>(json!({"type": 5})), "expected text, found the number 5"),
            (error::<Schema>(json!({"properties": []})), "expected a mapping, found a list"),
            (error::<Schema>(json!({"required": "yes"})), "expected a list, found the text \"yes\""),
            (error::<Server>(json!({})), "`url` is missing"),
            (error::<Server>(json!({"url": 5})), "expected text, found the number 5"),
            (
                error::<Vec<SecurityRequirement>>(json!("x")),
                "expected a list, found the text \"x\"",
            ),
            (error::<SecurityScheme>(json!({"type": "apiKey"})), "`in` is missing"),
            (
                error::<SecurityScheme>(json!({"type": "foo"})),
                "`foo` is not a value allowed here (allowed: `apiKey`, `http`, `oauth2`, `openIdConnect`)",
            ),
            (
                error::<Parameter>(json!({"in": "nowhere", "name": "q"})),
                "`nowhere` is not a value allowed here (allowed: `query`, `header`, `path`, `cookie`)",
            ),
            (error::<Parameter>(json!({"in": "query"})), "`name` is missing"),
            (error::<RequestBody>(json!({"content": 5})), "expected a mapping, found the number 5"),
            (error::<(u8, u8)>(json!([1])), "expected a list of 2 items, found 1 item"),
            (error::<bool>(json!("yes")), "expected `true` or `false`, found the text \"yes\""),
            (
                error::<Schema>(json!("y".repeat(500))),
                "expected a schema object, found the text \"yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy…",
            ),
            (json_error("{\"a\": 1"), "the file ends before the object is closed (a `}` is missing)"),
            (json_error("{\"a\": [1"), "the file ends before the list is closed (a `]` is missing)"),
            (json_error("{\"a\": }"), "a value was expected here (text in double quotes, a number, true, false, null, an object or a list)"),
            (json_error("{a: 1}"), "a key must be text in double quotes"),
            (json_error("{\"a\": tru}"), "expected `true`, `false` or `null`"),
            (json_error("{\"a\": 1,}"), "a `,` is followed by no value (trailing comma)"),
            (json_error("{\"a\": 1}}"), "there is more text after the end of the document"),
        ];
        for (raw, expected) in table {
            assert_eq!(plain(&raw), expected, "from {raw:?}");
        }
    }

    #[test]
    fn other_messages_are_kept() {
        assert_eq!(plain("expected `,` or `}`"), "expected `,` or `}`");
        assert_eq!(plain("something new"), "something new");
        assert_eq!(
            plain("unknown field `x`, there are no fields"),
            "`x` is not a field allowed here"
        );
        assert_eq!(
            plain("data did not match any variant of untagged enum ReferenceOr"),
            "expected an object or a `$ref`, found neither"
        );
    }
}
