//! Values the user gives for parameters and body properties, so that the
//! requests reach real resources (`petId=42` rather than a generated `1`).
//!
//! # What an entry says
//!
//! A [`ValueEntry`] names a parameter or a top-level body property
//! (`name`), optionally an operation (`operation`: the method and the path
//! template as the specification writes it, `GET /orders/{id}`) and
//! optionally a location (`location`: path, query, header, cookie or
//! body), and the value as typed (`value`, always a string).
//!
//! # Which entry wins
//!
//! For one parameter or property, the entries with its name (header names
//! in any case, other names exactly) whose operation and location, when
//! given, are its own are candidates; the most specific wins:
//!
//! 1. operation and location,
//! 2. operation only,
//! 3. location only,
//! 4. name only.
//!
//! Two entries with the same name, operation and location are refused
//! ([`ValueOverrides::validate`]), so there is never a tie.
//!
//! # How a value is read
//!
//! The text is read by the type of the schema it is used for
//! ([`typed_value`]): for `integer`, `number`, `boolean`, `null`, `array`
//! and `object` schemas the text is read as JSON when it parses as a value
//! of that type (`42` for an integer schema is the number 42); for a
//! `string` schema the text is the string, except that a JSON string
//! literal is unquoted (`42` and `"42"` are both the string "42"). A text
//! that is not of the schema's type is used as a string, and the
//! conversion warns that it does not fit.
//!
//! # Where a value goes
//!
//! OpenAPI 3.x and Swagger 2.0: path, query, header and cookie parameters,
//! and the top-level properties of a request body whose generated value is
//! an object (JSON and form bodies). A property not in the generated
//! object is added only when the schema declares it. Postman collections
//! and HAR files carry no schemas: values are not applied to them, and the
//! conversion says so.
//!
//! # Formats
//!
//! Lines to type or paste ([`ValueOverrides::parse_lines`]), one entry a
//! line: `petId=42`, `GET /orders/{id} id=1001`, `header:X-Tenant=acme`,
//! `GET /orders/{id} query:limit=5`. Blank lines and lines starting with
//! `#` are skipped.
//!
//! A JSON file to import and export ([`ValueOverrides::from_json`],
//! [`ValueOverrides::to_json`]):
//! `{"version": 1, "values": [{"name": "petId", "value": "42"}]}`. Unknown
//! fields are refused, at the top and in entries: a misspelt `operation`
//! or `location` would otherwise widen a value to every operation.
//!
//! # Budgets
//!
//! At most [`MAX_ENTRIES`] entries, names within [`MAX_NAME_BYTES`],
//! operations within [`MAX_OPERATION_BYTES`], values within
//! [`MAX_VALUE_BYTES`], and a file or pasted text within [`MAX_FILE_BYTES`];
//! past any, a [`ValuesError`] says which.
//!
//! Depends on `diagnostic` only (to shorten text in messages).

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// How many entries a set of values holds at most.
pub const MAX_ENTRIES: usize = 1_000;
/// How long a name may be, in bytes.
pub const MAX_NAME_BYTES: usize = 256;
/// How long an operation (`GET /orders/{id}`) may be, in bytes.
pub const MAX_OPERATION_BYTES: usize = 2_048;
/// How long a value may be, in bytes (8 KiB).
pub const MAX_VALUE_BYTES: usize = 8 * 1024;
/// How large an imported JSON file or pasted text may be, in bytes (1 MiB).
pub const MAX_FILE_BYTES: usize = 1024 * 1024;
/// The version of the JSON file format written and read.
pub const FILE_VERSION: u32 = 1;

/// Where a value goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ValueLocation {
    /// A path parameter.
    Path,
    /// A query parameter.
    Query,
    /// A header parameter.
    Header,
    /// A cookie parameter.
    Cookie,
    /// A top-level property of the request body.
    Body,
}

impl ValueLocation {
    /// Its name as written in lines and files: `path`, `query`, ...
    pub fn as_str(self) -> &'static str {
        match self {
            ValueLocation::Path => "path",
            ValueLocation::Query => "query",
            ValueLocation::Header => "header",
            ValueLocation::Cookie => "cookie",
            ValueLocation::Body => "body",
        }
    }

    /// The location a name stands for, in any case; `None` for others.
    pub fn parse(name: &str) -> Option<ValueLocation> {
        Some(match name.to_ascii_lowercase().as_str() {
            "path" => ValueLocation::Path,
            "query" => ValueLocation::Query,
            "header" => ValueLocation::Header,
            "cookie" => ValueLocation::Cookie,
            "body" => ValueLocation::Body,
            _ => return None,
        })
    }
}

/// One value the user gives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValueEntry {
    /// The parameter's or body property's name.
    pub name: String,
    /// The operation it is for, as `METHOD /path/{template}` (the path as
    /// the specification writes it; the method in any case). `None`: every
    /// operation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation: Option<String>,
    /// Where it goes. `None`: wherever a parameter or property has the name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<ValueLocation>,
    /// The value as typed (read by the schema's type: see [`typed_value`]).
    pub value: String,
}

impl ValueEntry {
    /// How specific it is: 3 with operation and location, 2 with an
    /// operation, 1 with a location, 0 with the name only.
    pub fn rank(&self) -> u8 {
        match (self.operation.is_some(), self.location.is_some()) {
            (true, true) => 3,
            (true, false) => 2,
            (false, true) => 1,
            (false, false) => 0,
        }
    }

    /// The entry as one line of the line syntax, e.g.
    /// `GET /orders/{id} query:limit=5`.
    pub fn label(&self) -> String {
        let mut out = String::new();
        if let Some(op) = &self.operation {
            out.push_str(op.trim());
            out.push(' ');
        }
        if let Some(loc) = self.location {
            out.push_str(loc.as_str());
            out.push(':');
        }
        out.push_str(&self.name);
        out.push('=');
        out.push_str(&self.value);
        out
    }

    /// Whether it applies to the parameter or property `name` at
    /// `location` of the operation `method` `path`.
    pub fn applies_to(
        &self,
        method: &str,
        path: &str,
        location: ValueLocation,
        name: &str,
    ) -> bool {
        let same_name = if location == ValueLocation::Header {
            self.name.eq_ignore_ascii_case(name)
        } else {
            self.name == name
        };
        same_name
            && self.location.is_none_or(|l| l == location)
            && self.operation.as_deref().is_none_or(|op| {
                split_operation(op)
                    .is_some_and(|(m, p)| m.eq_ignore_ascii_case(method) && p == path)
            })
    }

    /// The key two entries may not share: name, operation (method in upper
    /// case), location.
    fn key(&self) -> (String, Option<(String, String)>, Option<ValueLocation>) {
        let op = self
            .operation
            .as_deref()
            .and_then(split_operation)
            .map(|(m, p)| (m.to_ascii_uppercase(), p.to_owned()));
        (self.name.clone(), op, self.location)
    }
}

/// `GET /orders/{id}` → (`GET`, `/orders/{id}`); `None` without both parts.
fn split_operation(op: &str) -> Option<(&str, &str)> {
    let (method, path) = op.trim().split_once(char::is_whitespace)?;
    let path = path.trim();
    (!method.is_empty() && path.starts_with('/')).then_some((method, path))
}

/// The methods an operation may name.
const METHODS: [&str; 8] = [
    "GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE",
];

/// Values the user gives, applied during conversion
/// ([`crate::ConvertOptions::values`]). Empty by default: nothing changes.
///
/// Serialized as the list of its entries; the file format is
/// [`ValueOverrides::to_json`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ValueOverrides {
    /// The entries, in the order given.
    pub entries: Vec<ValueEntry>,
}

/// Why values could not be read or used: a sentence for the user, and the
/// 1-based line (of pasted text or of the JSON file) when known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValuesError {
    /// The 1-based line, when the problem is on one.
    pub line: Option<usize>,
    /// What is wrong and what to do.
    pub message: String,
}

impl ValuesError {
    fn new(line: Option<usize>, message: impl Into<String>) -> Self {
        ValuesError {
            line,
            message: message.into(),
        }
    }
}

impl fmt::Display for ValuesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "Line {line}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for ValuesError {}

/// The JSON file: `{"version": 1, "values": [...]}`.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ValuesFile {
    version: u32,
    values: Vec<ValueEntry>,
}

/// The version alone, read first so that a newer file is named as such.
#[derive(Deserialize)]
struct VersionOnly {
    version: Option<Value>,
}

impl ValueOverrides {
    /// Whether there is no entry.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// A short account for the activity log: `No values`, or the count and
    /// the first few entries in the line syntax (each cut to 80
    /// characters), e.g. `2 values: petId=42; GET /orders/{id} id=1001`.
    pub fn summary(&self) -> String {
        const SHOWN: usize = 5;
        if self.entries.is_empty() {
            return "No values".to_owned();
        }
        let mut listed: Vec<String> = self
            .entries
            .iter()
            .take(SHOWN)
            .map(|e| crate::diagnostic::shorten(&e.label(), 80))
            .collect();
        if self.entries.len() > SHOWN {
            listed.push(format!("and {} more", self.entries.len() - SHOWN));
        }
        format!(
            "{}: {}",
            crate::text::count(self.entries.len() as u64, "value", "values"),
            listed.join("; ")
        )
    }

    /// Reads typed or pasted lines, one entry a line (see the module
    /// documentation). The first line that cannot be read is the error,
    /// with its line number; the entries are then checked as by
    /// [`Self::validate`].
    pub fn parse_lines(text: &str) -> Result<ValueOverrides, ValuesError> {
        if text.len() > MAX_FILE_BYTES {
            return Err(too_large(text.len()));
        }
        let mut entries = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if entries.len() == MAX_ENTRIES {
                return Err(too_many(Some(i + 1)));
            }
            entries.push(parse_line(line).map_err(|m| ValuesError::new(Some(i + 1), m))?);
        }
        let values = ValueOverrides { entries };
        values.validate()?;
        Ok(values)
    }

    /// Reads the JSON file format. Refused: a file past
    /// [`MAX_FILE_BYTES`], a version other than [`FILE_VERSION`], unknown
    /// fields, a value that is not a string, and entries that
    /// [`Self::validate`] refuses.
    pub fn from_json(text: &str) -> Result<ValueOverrides, ValuesError> {
        if text.len() > MAX_FILE_BYTES {
            return Err(too_large(text.len()));
        }
        let version: VersionOnly = serde_json::from_str(text).map_err(json_error)?;
        match version.version {
            Some(Value::Number(n)) if n.as_u64() == Some(u64::from(FILE_VERSION)) => {}
            Some(v) => {
                return Err(ValuesError::new(None, format!("The file is of version {}, and prescan reads version {FILE_VERSION} only. Export the values again from this version of prescan.", crate::diagnostic::shorten(&v.to_string(), 40))));
            }
            None => {
                return Err(ValuesError::new(None, format!("The file has no `version`; a values file starts with {{\"version\": {FILE_VERSION}, \"values\": [...]}}.")));
            }
        }
        let file: ValuesFile = serde_json::from_str(text).map_err(json_error)?;
        let values = ValueOverrides {
            entries: file.values,
        };
        values.validate()?;
        Ok(values)
    }

    /// Writes the JSON file format (version [`FILE_VERSION`]), pretty
    /// printed.
    pub fn to_json(&self) -> String {
        let file = ValuesFile {
            version: FILE_VERSION,
            values: self.entries.clone(),
        };
        serde_json::to_string_pretty(&file).unwrap_or_default()
    }

    /// Checks the budgets and each entry: at most [`MAX_ENTRIES`]; a name
    /// that is not empty, within [`MAX_NAME_BYTES`], without control
    /// characters; an operation `METHOD /path` within
    /// [`MAX_OPERATION_BYTES`]; a value within [`MAX_VALUE_BYTES`]; no two
    /// entries with the same name, operation and location. The line of an
    /// error is the entry's 1-based position.
    pub fn validate(&self) -> Result<(), ValuesError> {
        if self.entries.len() > MAX_ENTRIES {
            return Err(too_many(None));
        }
        let mut seen = std::collections::HashMap::new();
        for (i, entry) in self.entries.iter().enumerate() {
            check_entry(entry)
                .map_err(|m| ValuesError::new(None, format!("Value {}: {m}", i + 1)))?;
            if let Some(first) = seen.insert(entry.key(), i) {
                return Err(ValuesError::new(
                    None,
                    format!(
                        "Values {} and {} are both for `{}`{}; keep one of them.",
                        first + 1,
                        i + 1,
                        crate::diagnostic::shorten(&entry.name, 80),
                        scope(entry)
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// ` in GET /x at query`, as much as the entry says.
fn scope(entry: &ValueEntry) -> String {
    let mut out = String::new();
    if let Some(op) = &entry.operation {
        out.push_str(&format!(" in `{}`", crate::diagnostic::shorten(op, 80)));
    }
    if let Some(loc) = entry.location {
        out.push_str(&format!(" in the {}", loc.as_str()));
    }
    out
}

fn too_large(len: usize) -> ValuesError {
    ValuesError::new(
        None,
        format!(
            "The values are {len} bytes, more than the {MAX_FILE_BYTES} bytes (1 MiB) prescan reads. Keep only the values the scan needs."
        ),
    )
}

fn too_many(line: Option<usize>) -> ValuesError {
    ValuesError::new(
        line,
        format!("There are more than {MAX_ENTRIES} values, the most prescan takes. Keep only the values the scan needs."),
    )
}

fn json_error(e: serde_json::Error) -> ValuesError {
    let line = (e.line() > 0).then_some(e.line());
    let why = e.to_string();
    // serde_json appends " at line L column C"; the line is said apart.
    let why = why.split(" at line ").next().unwrap_or(&why).to_owned();
    ValuesError::new(
        line,
        format!("The values file could not be read: {why}. It is {{\"version\": {FILE_VERSION}, \"values\": [{{\"name\": ..., \"operation\": ..., \"location\": ..., \"value\": \"...\"}}]}} with string values."),
    )
}

/// Why an entry cannot be used, or `Ok`.
fn check_entry(entry: &ValueEntry) -> Result<(), String> {
    let name = entry.name.as_str();
    if name.trim().is_empty() {
        return Err("the name is empty. Write name=value, such as petId=42.".into());
    }
    if name.len() > MAX_NAME_BYTES {
        return Err(format!(
            "the name is {} bytes, more than the {MAX_NAME_BYTES} a name may be.",
            name.len()
        ));
    }
    if name.chars().any(char::is_control) {
        return Err("the name holds a control character (such as a line break).".into());
    }
    if entry.value.len() > MAX_VALUE_BYTES {
        return Err(format!(
            "the value of `{}` is {} bytes, more than the {MAX_VALUE_BYTES} bytes (8 KiB) a value may be.",
            crate::diagnostic::shorten(name, 80),
            entry.value.len()
        ));
    }
    if let Some(op) = &entry.operation {
        check_operation(op)?;
    }
    Ok(())
}

/// Why an operation cannot be read, or `Ok`.
fn check_operation(op: &str) -> Result<(), String> {
    if op.len() > MAX_OPERATION_BYTES {
        return Err(format!(
            "the operation is {} bytes, more than the {MAX_OPERATION_BYTES} an operation may be.",
            op.len()
        ));
    }
    let shown = crate::diagnostic::shorten(op, 80);
    let Some((method, path)) = split_operation(op) else {
        return Err(format!(
            "the operation `{shown}` is not a method and a path, such as `GET /orders/{{id}}`."
        ));
    };
    if !METHODS.iter().any(|m| m.eq_ignore_ascii_case(method)) {
        return Err(format!(
            "`{}` in the operation `{shown}` is not an HTTP method prescan sends ({}).",
            crate::diagnostic::shorten(method, 20),
            METHODS.join(", ")
        ));
    }
    if path.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!(
            "the path of the operation `{shown}` holds a space or a control character."
        ));
    }
    Ok(())
}

/// One line: `[METHOD /path] [location:]name=value`.
fn parse_line(line: &str) -> Result<ValueEntry, String> {
    let (operation, rest) = match line.split_once(char::is_whitespace) {
        Some((first, after)) if METHODS.iter().any(|m| m.eq_ignore_ascii_case(first)) => {
            let after = after.trim_start();
            let (path, rest) = after
                .split_once(char::is_whitespace)
                .ok_or_else(|| format!("after `{first}` comes a path and then name=value, such as `{first} /orders/{{id}} id=1001`."))?;
            if !path.starts_with('/') {
                return Err(format!(
                    "after `{first}` comes a path starting with `/`, such as `{first} /orders/{{id}} id=1001`."
                ));
            }
            (
                Some(format!("{} {path}", first.to_ascii_uppercase())),
                rest.trim_start(),
            )
        }
        _ => (None, line),
    };
    let Some((target, value)) = rest.split_once('=') else {
        return Err(
            "there is no `=`. Write name=value, such as petId=42, or header:X-Tenant=acme.".into(),
        );
    };
    let target = target.trim();
    let (location, name) = match target.split_once(':') {
        Some((loc, name)) if ValueLocation::parse(loc.trim()).is_some() => {
            (ValueLocation::parse(loc.trim()), name.trim())
        }
        _ => (None, target),
    };
    let entry = ValueEntry {
        name: name.to_owned(),
        operation,
        location,
        value: value.to_owned(),
    };
    check_entry(&entry).map(|()| entry)
}

/// The value `text` stands for, for a schema whose types are `types`
/// (`type`, or the entries of a type list; empty when the schema states
/// none):
///
/// - `string` (alone, or with no other type the text parses as): the text,
///   a JSON string literal unquoted (`"42"` → `42`);
/// - `integer`, `number`, `boolean`, `null`, `array`, `object`: the JSON
///   value the text parses to when it is of that type (`42` → 42);
/// - no type stated: the JSON value the text parses to, if any, else the
///   text.
///
/// Otherwise the text as a string (the caller checks it against the schema
/// and warns).
pub fn typed_value(text: &str, types: &[&str]) -> Value {
    let parsed: Option<Value> = serde_json::from_str(text.trim()).ok();
    if types.is_empty() {
        return parsed.unwrap_or_else(|| Value::String(text.to_owned()));
    }
    if let Some(v) = &parsed {
        let fits = types.iter().any(|t| match *t {
            "integer" => v.as_i64().is_some() || v.as_u64().is_some(),
            "number" => v.is_number(),
            "boolean" => v.is_boolean(),
            "null" => v.is_null(),
            "array" => v.is_array(),
            "object" => v.is_object(),
            _ => false,
        });
        if fits {
            return v.clone();
        }
    }
    match parsed {
        Some(Value::String(s)) if types.contains(&"string") => Value::String(s),
        _ => Value::String(text.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(name: &str, op: Option<&str>, loc: Option<ValueLocation>, value: &str) -> ValueEntry {
        ValueEntry {
            name: name.into(),
            operation: op.map(Into::into),
            location: loc,
            value: value.into(),
        }
    }

    #[test]
    fn lines_are_read() {
        let v = ValueOverrides::parse_lines(
            "# values\npetId=42\n\n  GET /orders/{id} id=1001 \nheader:X-Tenant=acme\nget /orders/{id} query:limit=5\nq=a=b\nodd:name=1\n",
        )
        .unwrap();
        assert_eq!(
            v.entries,
            vec![
                entry("petId", None, None, "42"),
                entry("id", Some("GET /orders/{id}"), None, "1001"),
                entry("X-Tenant", None, Some(ValueLocation::Header), "acme"),
                entry(
                    "limit",
                    Some("GET /orders/{id}"),
                    Some(ValueLocation::Query),
                    "5"
                ),
                entry("q", None, None, "a=b"),
                entry("odd:name", None, None, "1"),
            ]
        );
        assert_eq!(v.entries[3].label(), "GET /orders/{id} query:limit=5");
    }

    #[test]
    fn line_errors_name_the_line() {
        let cases = [
            ("petId=1\nnothing here", 2, "no `=`"),
            ("a=1\n\nGET orders id=1", 3, "starting with `/`"),
            ("GET /x", 1, "comes a path and then"),
            ("POST /x\n", 1, "comes a path and then"),
            ("GET /x limit", 1, "no `=`"),
            ("=5", 1, "name is empty"),
            ("header:=5", 1, "name is empty"),
        ];
        for (text, line, why) in cases {
            let e = ValueOverrides::parse_lines(text).unwrap_err();
            assert_eq!(e.line, Some(line), "{text:?}: {e}");
            assert!(e.message.contains(why), "{text:?}: {e}");
            assert!(e.to_string().starts_with(&format!("Line {line}: ")));
        }
        let e = ValueOverrides::parse_lines("a=1\nquery:a=2\na=3").unwrap_err();
        assert!(e.message.contains("Values 1 and 3"), "{e}");
    }

    #[test]
    fn json_round_trip_and_version() {
        let v = ValueOverrides::parse_lines("petId=42\nGET /orders/{id} query:limit=5").unwrap();
        let json = v.to_json();
        assert!(json.contains("\"version\": 1"), "{json}");
        assert_eq!(ValueOverrides::from_json(&json).unwrap(), v);
        let e = ValueOverrides::from_json(r#"{"version":2,"values":[]}"#).unwrap_err();
        assert!(e.message.contains("version 2"), "{e}");
        let e = ValueOverrides::from_json(r#"{"values":[]}"#).unwrap_err();
        assert!(e.message.contains("no `version`"), "{e}");
        let e = ValueOverrides::from_json(
            r#"{"version":1,"values":[{"name":"a","value":"1","locaton":"query"}]}"#,
        )
        .unwrap_err();
        assert!(e.message.contains("locaton"), "{e}");
        let e = ValueOverrides::from_json(r#"{"version":1,"values":[],"extra":1}"#).unwrap_err();
        assert!(e.message.contains("extra"), "{e}");
        let e = ValueOverrides::from_json(
            "{\"version\":1,\n\"values\":[{\"name\":\"a\",\"value\":42}]}",
        )
        .unwrap_err();
        assert_eq!(e.line, Some(2), "{e}");
        let e = ValueOverrides::from_json(
            r#"{"version":1,"values":[{"name":"a","value":"1","operation":"FETCH /x"}]}"#,
        )
        .unwrap_err();
        assert!(
            e.message.contains("Value 1") && e.message.contains("FETCH"),
            "{e}"
        );
        let e = ValueOverrides::from_json(
            r#"{"version":1,"values":[{"name":"a","value":"1","location":"form"}]}"#,
        )
        .unwrap_err();
        assert!(e.message.contains("form"), "{e}");
    }

    #[test]
    fn budgets_refuse_more() {
        let many: String = (0..=MAX_ENTRIES).map(|i| format!("p{i}=1\n")).collect();
        let e = ValueOverrides::parse_lines(&many).unwrap_err();
        assert_eq!(e.line, Some(MAX_ENTRIES + 1));
        assert!(e.message.contains("more than 1000 values"), "{e}");
        let exactly: String = (0..MAX_ENTRIES).map(|i| format!("p{i}=1\n")).collect();
        assert_eq!(
            ValueOverrides::parse_lines(&exactly).unwrap().entries.len(),
            MAX_ENTRIES
        );
        let list = ValueOverrides {
            entries: (0..=MAX_ENTRIES)
                .map(|i| entry(&format!("p{i}"), None, None, "1"))
                .collect(),
        };
        assert!(list.validate().unwrap_err().message.contains("more than"));

        let long_name = format!("{}=1", "n".repeat(MAX_NAME_BYTES + 1));
        let e = ValueOverrides::parse_lines(&long_name).unwrap_err();
        assert!(e.message.contains("name is 257 bytes"), "{e}");
        let long_value = format!("a={}", "v".repeat(MAX_VALUE_BYTES + 1));
        let e = ValueOverrides::parse_lines(&long_value).unwrap_err();
        assert!(e.message.contains("8 KiB"), "{e}");
        let ok_value = format!("a={}", "v".repeat(MAX_VALUE_BYTES));
        assert!(ValueOverrides::parse_lines(&ok_value).is_ok());
        let long_op = format!("GET /{} a=1", "x".repeat(MAX_OPERATION_BYTES));
        let e = ValueOverrides::parse_lines(&long_op).unwrap_err();
        assert!(e.message.contains("operation is"), "{e}");

        let big = " ".repeat(MAX_FILE_BYTES + 1);
        assert!(ValueOverrides::parse_lines(&big)
            .unwrap_err()
            .message
            .contains("1 MiB"));
        assert!(ValueOverrides::from_json(&big)
            .unwrap_err()
            .message
            .contains("1 MiB"));
    }

    proptest::proptest! {
        #[test]
        fn any_text_is_read_or_refused_without_panic(text in "\\PC{0,200}") {
            if let Ok(v) = ValueOverrides::parse_lines(&text) {
                proptest::prop_assert!(v.validate().is_ok());
                proptest::prop_assert_eq!(ValueOverrides::from_json(&v.to_json()).unwrap(), v);
            }
            let _ = ValueOverrides::from_json(&text);
        }
    }

    #[test]
    fn values_are_typed_by_schema() {
        use serde_json::json;
        assert_eq!(typed_value("42", &["integer"]), json!(42));
        assert_eq!(typed_value("4.5", &["integer"]), json!("4.5"));
        assert_eq!(typed_value("4.5", &["number"]), json!(4.5));
        assert_eq!(typed_value("abc", &["integer"]), json!("abc"));
        assert_eq!(typed_value("42", &["string"]), json!("42"));
        assert_eq!(typed_value("\"42\"", &["string"]), json!("42"));
        assert_eq!(typed_value("true", &["boolean"]), json!(true));
        assert_eq!(typed_value("true", &["string"]), json!("true"));
        assert_eq!(typed_value("[1,2]", &["array"]), json!([1, 2]));
        assert_eq!(typed_value("{\"a\":1}", &["object"]), json!({"a": 1}));
        assert_eq!(typed_value("null", &["string", "null"]), json!(null));
        assert_eq!(typed_value("7", &["string", "integer"]), json!(7));
        assert_eq!(typed_value("7", &[]), json!(7));
        assert_eq!(typed_value("seven", &[]), json!("seven"));
    }

    #[test]
    fn entries_apply_by_name_operation_and_location() {
        let e = entry(
            "id",
            Some("get /orders/{id}"),
            Some(ValueLocation::Path),
            "1",
        );
        assert!(e.applies_to("GET", "/orders/{id}", ValueLocation::Path, "id"));
        assert!(!e.applies_to("POST", "/orders/{id}", ValueLocation::Path, "id"));
        assert!(!e.applies_to("GET", "/orders/{id}", ValueLocation::Query, "id"));
        assert!(!e.applies_to("GET", "/orders/{id}", ValueLocation::Path, "Id"));
        let h = entry("x-tenant", None, None, "a");
        assert!(h.applies_to("GET", "/", ValueLocation::Header, "X-Tenant"));
        assert!(!h.applies_to("GET", "/", ValueLocation::Query, "X-Tenant"));
        assert_eq!(e.rank(), 3);
        assert_eq!(entry("a", Some("GET /"), None, "").rank(), 2);
        assert_eq!(entry("a", None, Some(ValueLocation::Body), "").rank(), 1);
        assert_eq!(h.rank(), 0);
    }
}
