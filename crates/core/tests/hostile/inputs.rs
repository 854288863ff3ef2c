//! The hostile specifications of issue 12, one builder per kind, shared by
//! `tests/hostile.rs` (which asserts what each must give) and the
//! `hostile` example (which writes them out for `bench/hostile.sh`).

#![allow(dead_code)]

use serde_json::{json, Map, Value};

pub const MIB: usize = 1 << 20;

/// An OpenAPI 3.0 document with these paths and components, as JSON.
pub fn spec(paths: Value, components: Value) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "openapi": "3.0.3",
        "info": {"title": "hostile", "version": "1"},
        "servers": [{"url": "https://api.example.com"}],
        "paths": paths,
        "components": components,
    }))
    .unwrap()
}

/// A POST whose JSON body has `schema`.
pub fn post(schema: Value) -> Value {
    json!({"post": {
        "requestBody": {"required": true, "content": {"application/json": {"schema": schema}}},
        "responses": {"200": {"description": "ok"}},
    }})
}

/// The 280-byte specification that never ended: a zero-width group
/// repeated 4096³ times.
pub fn pattern_zero_width() -> Vec<u8> {
    br#"{"openapi":"3.0.3","info":{"title":"p","version":"1"},"servers":[{"url":"https://a.example"}],"paths":{"/a":{"post":{"requestBody":{"content":{"application/json":{"schema":{"type":"string","pattern":"(?:(?:^{4096}){4096}){4096}"}}}},"responses":{"200":{"description":"ok"}}}}}}"#.to_vec()
}

/// A string body with this `pattern`.
pub fn pattern(pattern: &str) -> Vec<u8> {
    spec(
        json!({"/a": post(json!({"type": "string", "pattern": pattern}))}),
        json!({}),
    )
}

/// YAML: a string of `size` bytes anchored once and referenced `copies`
/// times (line 3, column 8 is the anchored string).
pub fn yaml_aliases(size: usize, copies: usize) -> Vec<u8> {
    let mut text = String::from("openapi: 3.0.3\ninfo: {title: y, version: '1'}\nx-big: &b ");
    text.push_str(&"x".repeat(size));
    text.push_str("\npaths:\n  /a:\n    post:\n      requestBody:\n        content:\n          application/json:\n            example: [");
    text.push_str(&vec!["*b"; copies].join(", "));
    text.push_str("]\n      responses: {'200': {description: ok}}\n");
    text.into_bytes()
}

/// `ops` operations whose body example is the one `components/examples/shared`.
pub fn shared_example(example: Value, schema: Value, ops: usize) -> Vec<u8> {
    let paths: Map<String, Value> = (0..ops)
        .map(|i| {
            (
                format!("/p{i}"),
                json!({"post": {
                    "requestBody": {"content": {"application/json": {
                        "schema": schema,
                        "examples": {"e": {"$ref": "#/components/examples/shared"}},
                    }}},
                    "responses": {"200": {"description": "ok"}},
                }}),
            )
        })
        .collect();
    spec(
        Value::Object(paths),
        json!({"examples": {"shared": {"value": example}}}),
    )
}

/// 5 MiB shared by 2,000 operations (above `value_bytes`).
pub fn shared_large_example() -> Vec<u8> {
    shared_example(
        json!({"s": "x".repeat(5 * MIB)}),
        json!({"type": "object", "properties": {"s": {"type": "string"}}}),
        2000,
    )
}

/// 100,000 small values shared by 2,000 operations (within `value_bytes`,
/// beyond `har_bytes` together).
pub fn shared_medium_example() -> Vec<u8> {
    shared_example(
        json!({"a": vec![1; 100_000]}),
        json!({"type": "object"}),
        2000,
    )
}

/// Arrays nested six deep, each with `minItems: 1000` (under 600 bytes).
pub fn nested_min_items() -> Vec<u8> {
    let mut schema = json!({"type": "string", "minLength": 100});
    for _ in 0..6 {
        schema = json!({"type": "array", "minItems": 1000, "items": schema});
    }
    spec(json!({"/a": post(schema)}), json!({}))
}

/// 300 required arrays of 100,000 strings of 10,000 characters.
pub fn required_large_arrays() -> Vec<u8> {
    let props: Map<String, Value> = (0..300)
        .map(|i| {
            (
                format!("p{i}"),
                json!({"type": "array", "minItems": 100_000, "items": {"type": "string", "minLength": 10_000}}),
            )
        })
        .collect();
    let required: Vec<String> = props.keys().cloned().collect();
    spec(
        json!({"/a": post(json!({"type": "object", "required": required, "properties": props}))}),
        json!({}),
    )
}

/// Eight schemas, each referring 50 times (`allOf`) to the next.
pub fn ref_fan_out() -> Vec<u8> {
    fan_out(1)
}

/// The fan-out of [`ref_fan_out`], used by `ops` operations.
pub fn fan_out(ops: usize) -> Vec<u8> {
    let mut schemas = Map::new();
    for i in 0..8 {
        let next = if i < 7 {
            json!({"$ref": format!("#/components/schemas/S{}", i + 1)})
        } else {
            json!({"type": "object", "properties": {"leaf": {"type": "string"}}})
        };
        schemas.insert(format!("S{i}"), json!({"allOf": vec![next; 50]}));
    }
    let paths: Map<String, Value> = (0..ops)
        .map(|i| {
            (
                format!("/p{i}"),
                post(json!({"$ref": "#/components/schemas/S0"})),
            )
        })
        .collect();
    spec(Value::Object(paths), json!({"schemas": schemas}))
}

/// The same fan-out through `oneOf`, `anyOf` and `allOf` properties.
pub fn choice_fan_out() -> Vec<u8> {
    let mut schemas = Map::new();
    for i in 0..8 {
        let next = if i < 7 {
            json!({"$ref": format!("#/components/schemas/S{}", i + 1)})
        } else {
            json!({"type": "integer"})
        };
        let key = if i % 2 == 0 { "oneOf" } else { "anyOf" };
        schemas.insert(
            format!("S{i}"),
            json!({"type": "object", "required": ["a", "b"], "properties": {"a": {key: vec![next.clone(); 40]}, "b": {"allOf": vec![next; 40]}}}),
        );
    }
    spec(
        json!({"/a": post(json!({"$ref": "#/components/schemas/S0"}))}),
        json!({"schemas": schemas}),
    )
}

/// A body schema nested 200 objects deep, inline (deeper than parsers read).
pub fn deep_inline() -> Vec<u8> {
    let mut deep = json!({"type": "string"});
    for _ in 0..200 {
        deep = json!({"type": "object", "required": ["a"], "properties": {"a": deep}});
    }
    let mut text =
        String::from(r#"{"openapi":"3.0.3","info":{"title":"d","version":"1"},"paths":{"/a":"#);
    text.push_str(&post(deep).to_string());
    text.push_str("}}");
    text.into_bytes()
}

/// A chain of 100 schemas, each requiring the next.
pub fn deep_refs() -> Vec<u8> {
    let mut schemas = Map::new();
    for i in 0..100 {
        schemas.insert(
            format!("D{i}"),
            json!({"type": "object", "required": ["next"], "properties": {"next": {"$ref": format!("#/components/schemas/D{}", i + 1)}}}),
        );
    }
    schemas.insert("D100".into(), json!({"type": "string"}));
    spec(
        json!({"/a": post(json!({"$ref": "#/components/schemas/D0"}))}),
        json!({"schemas": schemas}),
    )
}

/// A 3.5 KB Postman collection whose variables name each other 100 times
/// over five levels: 100^5 copies of the last one.
pub fn postman_variables() -> Vec<u8> {
    let variable: Vec<Value> = (0..6)
        .map(|i| {
            let value = if i < 5 {
                format!("{{{{v{}}}}}", i + 1).repeat(100)
            } else {
                "x".repeat(100)
            };
            json!({"key": format!("v{i}"), "value": value})
        })
        .collect();
    serde_json::to_vec(&json!({
        "info": {"name": "laughs", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
        "variable": variable,
        "item": [{"name": "r", "request": {"method": "POST", "url": "https://api.example.com/a", "body": {"mode": "raw", "raw": "{{v0}}"}}}],
    }))
    .unwrap()
}

/// One path of 20,000 parameters (`/a/{p0}/{p1}/...`), declared or not:
/// each parameter's pointer repeats the long path.
pub fn long_path(declared: bool) -> Vec<u8> {
    let n = 20_000;
    let path = format!(
        "/a/{}",
        (0..n)
            .map(|i| format!("{{p{i}}}"))
            .collect::<Vec<_>>()
            .join("/")
    );
    let parameters: Vec<Value> = if declared {
        (0..n)
            .map(|i| json!({"name": format!("p{i}"), "in": "path", "required": true, "schema": {"type": "string"}}))
            .collect()
    } else {
        Vec::new()
    };
    let mut paths = Map::new();
    paths.insert(
        path,
        json!({"get": {"parameters": parameters, "responses": {"200": {"description": "ok"}}}}),
    );
    spec(Value::Object(paths), json!({}))
}

/// 5,000 operations under a root `security` requirement of 5,000 API
/// keys: 25 million credentials placeholders.
pub fn global_security() -> Vec<u8> {
    let n = 5000;
    let schemes: Map<String, Value> = (0..n)
        .map(|i| {
            (
                format!("k{i}"),
                json!({"type": "apiKey", "in": "header", "name": format!("X-K{i}")}),
            )
        })
        .collect();
    let requirement: Map<String, Value> = (0..n).map(|i| (format!("k{i}"), json!([]))).collect();
    let paths: Map<String, Value> = (0..n)
        .map(|i| {
            (
                format!("/p{i}"),
                json!({"get": {"responses": {"200": {"description": "ok"}}}}),
            )
        })
        .collect();
    serde_json::to_vec(&json!({
        "openapi": "3.0.3",
        "info": {"title": "keys", "version": "1"},
        "servers": [{"url": "https://api.example.com"}],
        "security": [requirement],
        "components": {"securitySchemes": schemes},
        "paths": paths,
    }))
    .unwrap()
}

/// Swagger 2.0: 10,000 media types in the root `consumes` and `produces`,
/// and 20 operations whose body and response schema have 1,000 properties.
pub fn swagger_media_types() -> Vec<u8> {
    let properties: Map<String, Value> = (0..1000)
        .map(|i| {
            (
                format!("p{i}"),
                json!({"type": "string", "description": "d".repeat(50)}),
            )
        })
        .collect();
    let big = json!({"type": "object", "properties": properties});
    let types: Vec<String> = (0..10_000)
        .map(|i| format!("application/x-t{i}+json"))
        .collect();
    let paths: Map<String, Value> = (0..20)
        .map(|i| {
            (
                format!("/p{i}"),
                json!({"post": {
                    "parameters": [{"name": "b", "in": "body", "schema": big}],
                    "responses": {"200": {"description": "ok", "schema": big}},
                }}),
            )
        })
        .collect();
    serde_json::to_vec(&json!({
        "swagger": "2.0",
        "info": {"title": "types", "version": "1"},
        "host": "api.example.com",
        "consumes": types,
        "produces": types,
        "paths": paths,
    }))
    .unwrap()
}

/// A Postman collection of 100,000 variables whose one request uses the
/// last one 100,000 times.
pub fn postman_many_variables() -> Vec<u8> {
    let n = 100_000;
    let variable: Vec<Value> = (0..n)
        .map(|i| json!({"key": format!("v{i}"), "value": "x"}))
        .collect();
    serde_json::to_vec(&json!({
        "info": {"name": "vars", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
        "variable": variable,
        "item": [{"name": "r", "request": {"method": "POST", "url": "https://api.example.com/a", "body": {"mode": "raw", "raw": format!("{{{{v{}}}}}", n - 1).repeat(n)}}}],
    }))
    .unwrap()
}

/// OpenAPI 3.1: 100,000 paths that all refer to one path item of eight
/// operations with 20 query parameters each (800,000 operations from 5 MB).
pub fn path_item_refs() -> Vec<u8> {
    let operation = json!({
        "parameters": (0..20).map(|j| json!({"name": format!("q{j}"), "in": "query", "schema": {"type": "string"}})).collect::<Vec<_>>(),
        "responses": {"200": {"description": "ok"}},
    });
    let item: Map<String, Value> = [
        "get", "put", "post", "delete", "patch", "options", "head", "trace",
    ]
    .iter()
    .map(|m| ((*m).to_owned(), operation.clone()))
    .collect();
    let paths: Map<String, Value> = (0..100_000)
        .map(|i| {
            (
                format!("/p{i}"),
                json!({"$ref": "#/components/pathItems/P"}),
            )
        })
        .collect();
    serde_json::to_vec(&json!({
        "openapi": "3.1.0",
        "info": {"title": "items", "version": "1"},
        "servers": [{"url": "https://api.example.com"}],
        "components": {"pathItems": {"P": item}},
        "paths": paths,
    }))
    .unwrap()
}

/// A HAR of 200,000 entries, each to another host.
pub fn har_many_hosts() -> Vec<u8> {
    let entries: Vec<Value> = (0..200_000)
        .map(|i| json!({"request": {"method": "GET", "url": format!("https://h{i}.example.com/"), "headers": []}}))
        .collect();
    serde_json::to_vec(&json!({"log": {"version": "1.2", "creator": {"name": "x", "version": "1"}, "entries": entries}}))
        .unwrap()
}

/// Every kind, for the benchmark: (file name, what it tries).
pub fn all() -> Vec<(&'static str, &'static str, Vec<u8>)> {
    vec![
        (
            "pattern-zero-width.json",
            "pattern (?:(?:^{4096}){4096}){4096}",
            pattern_zero_width(),
        ),
        (
            "pattern-empty-alternative.json",
            "pattern (?:(?:(?:|a){4096}){4096}){4096}",
            pattern("(?:(?:(?:|a){4096}){4096}){4096}"),
        ),
        (
            "pattern-counted.json",
            "pattern ^((((a{1000}){1000}){1000}){1000})$",
            pattern("^((((a{1000}){1000}){1000}){1000})$"),
        ),
        (
            "yaml-aliases.yaml",
            "YAML: 1 MiB string, 3,000 aliases",
            yaml_aliases(MIB, 3000),
        ),
        (
            "shared-large-example.json",
            "5 MiB example shared by 2,000 operations",
            shared_large_example(),
        ),
        (
            "shared-medium-example.json",
            "100,000-value example shared by 2,000 operations",
            shared_medium_example(),
        ),
        (
            "nested-min-items.json",
            "arrays nested 6 deep, minItems 1,000",
            nested_min_items(),
        ),
        (
            "required-large-arrays.json",
            "300 required arrays of 100,000 long strings",
            required_large_arrays(),
        ),
        (
            "ref-fan-out.json",
            "allOf of 50 $refs, 8 levels",
            ref_fan_out(),
        ),
        (
            "ref-fan-out-5000.json",
            "the same, used by 5,000 operations",
            fan_out(5000),
        ),
        (
            "choice-fan-out.json",
            "oneOf/anyOf/allOf of 40 $refs, 8 levels",
            choice_fan_out(),
        ),
        ("deep-inline.json", "objects nested 200 deep", deep_inline()),
        (
            "deep-refs.json",
            "a chain of 100 required $refs",
            deep_refs(),
        ),
        (
            "long-path.json",
            "one path of 20,000 declared parameters",
            long_path(true),
        ),
        (
            "long-path-undeclared.json",
            "one path of 20,000 undeclared parameters",
            long_path(false),
        ),
        (
            "global-security.json",
            "5,000 operations x 5,000 required API keys",
            global_security(),
        ),
        (
            "swagger-media-types.json",
            "Swagger 2.0: 10,000 media types x 20 large bodies",
            swagger_media_types(),
        ),
        (
            "path-item-refs.json",
            "100,000 paths x one path item of 8 operations",
            path_item_refs(),
        ),
        (
            "har-many-hosts.har",
            "HAR: 200,000 entries, each to another host",
            har_many_hosts(),
        ),
        (
            "postman-variables.json",
            "Postman variables naming each other, 100^5",
            postman_variables(),
        ),
        (
            "postman-many-variables.json",
            "Postman: 100,000 variables, one used 100,000 times",
            postman_many_variables(),
        ),
    ]
}
