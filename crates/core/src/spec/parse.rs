//! File bytes → text → a JSON value: the checks every file goes through before
//! anyone looks at what it describes.

use serde_json::Value;

use super::{yaml, Excerpt, LoadError, Syntax};
use crate::{Limit, Limits};

/// The UTF-8 byte order mark, accepted and skipped.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Checks the bytes of a file and returns its text (without a byte order mark).
pub(crate) fn text<'b>(bytes: &'b [u8], limits: &Limits) -> Result<&'b str, LoadError> {
    if bytes.len() as u64 > limits.input_bytes {
        return Err(LoadError::TooLarge {
            size: bytes.len(),
            limit: usize::try_from(limits.input_bytes).unwrap_or(usize::MAX),
        });
    }
    let (skipped, body) = match bytes.strip_prefix(BOM) {
        Some(rest) => (BOM.len(), rest),
        None => (0, bytes),
    };
    if let Some(offset) = body.iter().position(|&b| b == 0) {
        return Err(LoadError::Binary {
            offset: offset + skipped,
        });
    }
    let text = std::str::from_utf8(body).map_err(|e| LoadError::Binary {
        offset: e.valid_up_to() + skipped,
    })?;
    if text.trim().is_empty() {
        return Err(LoadError::Empty);
    }
    Ok(text)
}

/// JSON when the first character that is not white space opens an object or
/// an array; YAML otherwise.
pub(crate) fn syntax_of(text: &str) -> Syntax {
    match text.trim_start().chars().next() {
        Some('{') | Some('[') => Syntax::Json,
        _ => Syntax::Yaml,
    }
}

/// Parses text in the given syntax.
pub(crate) fn value(text: &str, syntax: Syntax, limits: &Limits) -> Result<Value, LoadError> {
    match syntax {
        Syntax::Json => serde_json::from_str(text).map_err(|e| {
            let (line, column) = (e.line().max(1), e.column().max(1));
            LoadError::Syntax {
                syntax,
                line,
                column,
                message: clean_message(&e.to_string()),
                excerpt: Excerpt::at(text, line, column),
            }
        }),
        Syntax::Yaml => yaml::from_str(text, limits).map_err(|err| {
            let e = err.inner();
            let (line, column) = e
                .location()
                .map_or((1, 1), |l| (l.line().max(1), l.column().max(1)));
            match err {
                yaml::YamlError::ExpandedBytes(_) => LoadError::OverLimit {
                    limit: Limit::ExpandedBytes.name().to_owned(),
                    message: format!(
                        "Once its aliases (`*name`) are expanded, this YAML file holds more text than prescan reads ({}); the limit was reached at the value written at line {line}, column {column}, which aliases repeat. Write large repeated parts once, or raise the limit.",
                        Limit::ExpandedBytes.cite(limits)
                    ),
                },
                yaml::YamlError::Syntax(_) => LoadError::Syntax {
                    syntax,
                    line,
                    column,
                    message: clean_message(&e.to_string()),
                    excerpt: Excerpt::at(text, line, column),
                },
            }
        }),
    }
}

/// Removes the parser's own " at line X column Y" (the error carries the
/// position separately), and explains the nesting limit.
fn clean_message(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(at) = rest.find(" at line ") {
        out.push_str(&rest[..at]);
        let tail = &rest[at + " at line ".len()..];
        let digits = tail.chars().take_while(char::is_ascii_digit).count();
        let mut after = &tail[digits..];
        if let Some(col) = after.strip_prefix(" column ") {
            let d = col.chars().take_while(char::is_ascii_digit).count();
            after = &col[d..];
        }
        rest = after;
    }
    out.push_str(rest);
    let mut msg = out.trim().trim_end_matches(',').trim().to_owned();
    if msg.contains("recursion limit exceeded") {
        msg = "it is nested more than 128 levels deep".to_owned();
    }
    super::wording::plain(&msg)
}

/// How a value that is not an object is named in messages.
pub(crate) fn describe(value: &Value, syntax: Syntax) -> String {
    match (value, syntax) {
        (Value::Array(_), Syntax::Json) => "a JSON array".into(),
        (Value::Array(_), Syntax::Yaml) => "a YAML list".into(),
        (Value::String(_), Syntax::Json) => "a JSON string".into(),
        (Value::String(_), Syntax::Yaml) => "plain text (a single YAML string)".into(),
        (Value::Number(_), _) => "a number".into(),
        (Value::Bool(_), _) => "a boolean".into(),
        (Value::Null, Syntax::Json) => "a JSON null".into(),
        (Value::Null, Syntax::Yaml) => "a YAML document with no content".into(),
        (Value::Object(_), Syntax::Json) => "a JSON object".into(),
        (Value::Object(_), Syntax::Yaml) => "a YAML mapping".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::MAX_SPEC_BYTES;

    const L: Limits = Limits::DEFAULT;

    #[test]
    fn input_checks() {
        assert_eq!(text(b"", &L), Err(LoadError::Empty));
        assert_eq!(text(b" \n\t\r\n", &L), Err(LoadError::Empty));
        assert_eq!(text(b"\xEF\xBB\xBF  ", &L), Err(LoadError::Empty));
        assert_eq!(text(b"ab\0c", &L), Err(LoadError::Binary { offset: 2 }));
        assert_eq!(text(b"abc\xFF", &L), Err(LoadError::Binary { offset: 3 }));
        assert_eq!(text(b"\xEF\xBB\xBF{}", &L), Ok("{}"));
        let big = vec![b' '; MAX_SPEC_BYTES + 1];
        assert!(matches!(text(&big, &L), Err(LoadError::TooLarge { .. })));
        let small = Limits {
            input_bytes: 10,
            ..L
        };
        assert_eq!(
            text(b"{\"a\": 12345}", &small),
            Err(LoadError::TooLarge {
                size: 12,
                limit: 10
            })
        );
        assert_eq!(text(b"{\"a\": 1}", &small), Ok("{\"a\": 1}"));
    }

    #[test]
    fn syntax_detection() {
        assert_eq!(syntax_of("  \n{\"a\":1}"), Syntax::Json);
        assert_eq!(syntax_of("[1]"), Syntax::Json);
        assert_eq!(syntax_of("openapi: 3.0.0"), Syntax::Yaml);
    }

    #[test]
    fn excerpts_show_the_line_and_where_in_it() {
        let source = "a: 1\nb: [1, 2\nc: 3\n";
        assert_eq!(
            Excerpt::at(source, 2, 7),
            Excerpt {
                text: "b: [1, 2".into(),
                column: 7
            }
        );
        assert_eq!(
            Excerpt::at(source, 9, 1),
            Excerpt::default(),
            "no such line"
        );
        assert_eq!(
            Excerpt::at(source, 1, 99).column,
            5,
            "past the end points just after it"
        );

        let long = format!("{}X{}", "a".repeat(500), "b".repeat(500));
        let excerpt = Excerpt::at(&long, 1, 501);
        assert!(excerpt.text.starts_with('…') && excerpt.text.ends_with('…'));
        assert_eq!(excerpt.text.chars().nth(excerpt.column - 1), Some('X'));
        assert!(excerpt.text.chars().count() <= 2 * 60 + 2);

        let unicode = "ключ: «значение";
        let excerpt = Excerpt::at(unicode, 1, 7);
        assert_eq!(excerpt.text.chars().nth(excerpt.column - 1), Some('«'));
    }

    #[test]
    fn json_errors_have_clean_messages() {
        let err = value("{\n  \"a\": 1,\n  \"b\" 2\n}", Syntax::Json, &L).unwrap_err();
        match err {
            LoadError::Syntax {
                line,
                column,
                message,
                ..
            } => {
                assert_eq!((line, column), (3, 7));
                assert_eq!(message, "expected `:`");
            }
            other => panic!("{other:?}"),
        }
        let err = value("{\"a\": [1, 2", Syntax::Json, &L).unwrap_err();
        match err {
            LoadError::Syntax { message, .. } => {
                assert_eq!(
                    message,
                    "the file ends before the list is closed (a `]` is missing)"
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn yaml_errors_have_clean_messages() {
        let err = value("a: 1\nb: [1, 2\nc: 3\n", Syntax::Yaml, &L).unwrap_err();
        match err {
            LoadError::Syntax { line, message, .. } => {
                assert!(line >= 2, "{line}");
                assert!(!message.contains("at line"), "{message}");
            }
            other => panic!("{other:?}"),
        }
        let err = value("a: b: c\n", Syntax::Yaml, &L).unwrap_err();
        match err {
            LoadError::Syntax { message, .. } => assert_eq!(
                message,
                "a `: ` is not allowed here (put a value that holds `: ` in quotes)"
            ),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn deep_json_nesting_is_an_error() {
        let text = "[".repeat(100_000);
        match value(&text, Syntax::Json, &L) {
            Err(LoadError::Syntax { message, .. }) => assert!(message.contains("128"), "{message}"),
            other => panic!("{other:?}"),
        }
    }
}
