//! Issue 15, item 7 ("Notes that read well"), one test per point that the
//! core decides: counts agree with their nouns, parser messages are
//! rewritten for people, every location has a line and a column, one bad
//! property drops that property (not the body), and format labels say
//! each thing once.

use prescan_core::{convert, ConvertOptions, Diagnostic, Severity};
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

/// An operation whose JSON body has the properties `good` (a string),
/// `also` (an integer) and `bad` (given), in the format `version`.
fn body_spec(version: &str, bad: serde_json::Value) -> serde_json::Value {
    let schema = json!({"type": "object", "properties": {
        "good": {"type": "string", "example": "kept"},
        "bad": bad,
        "also": {"type": "integer"}
    }});
    if version == "2.0" {
        json!({
            "swagger": "2.0",
            "info": {"title": "t", "version": "1"},
            "host": "api.example.com",
            "paths": {"/pets": {"post": {
                "parameters": [{"in": "body", "name": "pet", "schema": schema}],
                "responses": {"200": {"description": "ok"}}
            }}}
        })
    } else {
        json!({
            "openapi": version,
            "info": {"title": "t", "version": "1"},
            "servers": [{"url": "https://api.example.com"}],
            "paths": {"/pets": {"post": {
                "requestBody": {"content": {"application/json": {"schema": schema}}},
                "responses": {"200": {"description": "ok"}}
            }}}
        })
    }
}

fn body_of(c: &prescan_core::Conversion) -> serde_json::Value {
    let entry = &c.har.log.entries[0];
    let text = entry
        .request
        .post_data
        .as_ref()
        .and_then(|p| p.text.as_deref())
        .unwrap_or_else(|| panic!("no body: {:#?}", c.spec.diagnostics));
    serde_json::from_str(text).unwrap()
}

#[test]
fn one_bad_property_drops_that_property_not_the_body() {
    let bads = [
        json!(false),
        json!(42),
        json!("text"),
        json!({"type": "string", "maxLength": "long"}),
        json!({"type": "array", "items": 7}),
    ];
    for version in ["3.0.3", "3.1.0", "2.0"] {
        for bad in &bads {
            let text = body_spec(version, bad.clone()).to_string();
            let c = run_text("pets.json", &text);
            let body = body_of(&c);
            let case = format!("{version} {bad}: {body} {:#?}", c.spec.diagnostics);
            assert_eq!(body["good"], json!("kept"), "{case}");
            assert_eq!(body["also"], json!(1), "{case}");
            assert!(body.get("bad").is_none(), "{case}");
            if version == "3.1.0" && bad == &json!(false) {
                // A schema in 3.1: no value is allowed, none is sent.
                assert!(
                    c.spec
                        .diagnostics
                        .iter()
                        .all(|d| d.severity != Severity::Error && !d.message.contains("`bad`")),
                    "{case}"
                );
                continue;
            }
            assert!(
                c.spec
                    .diagnostics
                    .iter()
                    .all(|d| d.severity != Severity::Error),
                "{case}"
            );
            let d = find(&c, "The property `bad` is left out of the request body");
            assert_eq!(d.severity, Severity::Warning, "{case}");
            assert!(
                d.message.contains("The other properties are sent"),
                "{case}"
            );
            assert!(d.line.is_some() && d.column.is_some(), "{case}");
            // Where the property is in the file (for 2.0, in the body
            // parameter, not in the 3.0 form it is read through).
            let pointer = if version == "2.0" {
                "/paths/~1pets/post/parameters/0/schema/properties/bad"
            } else {
                "/paths/~1pets/post/requestBody/content/application~1json/schema/properties/bad"
            };
            assert!(d.pointer.starts_with(pointer), "{case}");
            let column = text.find(r#""bad":"#).unwrap() as u32 + 1;
            assert_eq!(d.column, Some(column), "{case}");
        }
    }
}

#[test]
fn a_body_whose_schema_itself_is_unreadable_is_still_left_out() {
    let mut spec = body_spec("3.0.3", json!({"type": "string"}));
    spec["paths"]["/pets"]["post"]["requestBody"]["content"]["application/json"]["schema"] =
        json!(false);
    let c = run_text("pets.json", &spec.to_string());
    assert!(c.har.log.entries[0].request.post_data.is_none());
    let d = find(&c, "The request body could not be read");
    assert_eq!(d.severity, Severity::Error);
    assert!(
        d.message
            .contains("expected a schema object, found `false`"),
        "{}",
        d.message
    );
}

#[test]
fn a_bad_swagger_form_field_points_at_its_parameter() {
    let spec = json!({
        "swagger": "2.0",
        "info": {"title": "t", "version": "1"},
        "host": "api.example.com",
        "paths": {"/pets": {"post": {
            "consumes": ["application/x-www-form-urlencoded"],
            "parameters": [
                {"in": "formData", "name": "good", "type": "string"},
                {"in": "formData", "name": "bad", "type": "string", "maxLength": "long"}
            ],
            "responses": {"200": {"description": "ok"}}
        }}}
    });
    let c = run_text("form.json", &spec.to_string());
    let d = find(&c, "The property `bad` is left out of the request body");
    assert_eq!(d.pointer, "/paths/~1pets/post/parameters/1");
    assert!(
        d.message
            .contains("expected a whole number, found the text \"long\""),
        "{}",
        d.message
    );
    let text = c.har.log.entries[0].request.post_data.as_ref().unwrap();
    let names: Vec<&str> = text.params.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["good"], "{text:?}");
}
