//! Issue 15, item 7 ("Notes that read well"), one test per point that the
//! core decides: counts agree with their nouns, parser messages are
//! rewritten for people, every location has a line and a column, one bad
//! property drops that property (not the body), and format labels say
//! each thing once.

use prescan_core::{convert, ConvertOptions, Diagnostic};
use serde_json::json;

fn run_text(name: &str, text: &str) -> prescan_core::Conversion {
    convert(name, text.as_bytes(), &ConvertOptions::default()).unwrap()
}

fn find<'c>(c: &'c prescan_core::Conversion, needle: &str) -> &'c Diagnostic {
    c.spec
        .diagnostics
        .iter()
        .find(|d| d.message.contains(needle))
        .unwrap_or_else(|| panic!("no note with {needle:?}: {:#?}", c.spec.diagnostics))
}

#[test]
fn minified_json_locations_have_a_column() {
    // A long description first, so the bad parameter is far into line 1.
    let spec = json!({
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1", "description": "x".repeat(4_000)},
        "servers": [{"url": "https://api.example.com"}],
        "paths": {"/a": {"get": {"parameters": [{"name": "q", "in": "nowhere"}], "responses": {}}}}
    });
    let text = spec.to_string();
    let c = run_text("min.json", &text);
    let d = find(&c, "Parameter `q`");
    assert_eq!(d.line, Some(1));
    let at = text.find(r#"{"name":"q""#).unwrap();
    assert_eq!(d.column, Some(at as u32 + 1), "where the parameter begins");
    let position = d.position().unwrap();
    assert!(position.starts_with("line 1, column 4,"), "{position}");
}

#[test]
fn yaml_locations_have_a_column() {
    let text = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\nservers:\n  - url: https://api.example.com\npaths:\n  /a:\n    get:\n      parameters:\n        - name: q\n          in: nowhere\n      responses: {}\n";
    let c = run_text("a.yaml", text);
    let d = find(&c, "Parameter `q`");
    assert_eq!((d.line, d.column), (Some(9), Some(9)));
    assert_eq!(d.position().as_deref(), Some("line 9, column 9"));
}

#[test]
fn parser_messages_are_rewritten_for_people() {
    let spec = json!({
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "servers": [{"url": "https://api.example.com"}, {"description": "no url"}],
        "paths": {"/a": {"get": {
            "parameters": [{"name": "q", "in": "query", "schema": false}],
            "security": "everyone",
            "responses": {}
        }}}
    });
    let c = run_text("a.json", &spec.to_string());
    let all: Vec<&str> = c
        .spec
        .diagnostics
        .iter()
        .map(|d| d.message.as_str())
        .collect();
    for raw in [
        "invalid type",
        "expected struct",
        "missing field",
        "a sequence",
    ] {
        assert!(all.iter().all(|m| !m.contains(raw)), "{raw}: {all:#?}");
    }
    find(
        &c,
        "Parameter `q` could not be read: expected a schema object, found `false`",
    );
    find(
        &c,
        "`security` could not be read: expected a list, found the text \"everyone\"",
    );
    find(&c, "This server could not be read (`url` is missing)");
}
