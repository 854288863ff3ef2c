use super::*;
use serde_json::{json, Map};

fn gen(schema: Value) -> Value {
    example(&schema, &json!({}))
}

fn gen_in(schema: Value, root: Value) -> Value {
    example(&schema, &root)
}

#[test]
fn explicit_values_come_first() {
    assert_eq!(
        gen(json!({"type": "string", "example": "ex", "enum": ["a"], "default": "d"})),
        json!("ex")
    );
    assert_eq!(
        gen(json!({"type": "string", "examples": ["first", "second"]})),
        json!("first")
    );
    assert_eq!(
        gen(json!({"type": "string", "enum": ["a", "b"], "default": "d"})),
        json!("a")
    );
    assert_eq!(
        gen(json!({"type": "string", "enum": [null, "b"]})),
        json!("b")
    );
    assert_eq!(gen(json!({"type": "integer", "default": 7})), json!(7));
    assert_eq!(gen(json!({"const": 3})), json!(3));
}

#[test]
fn numbers_fit_their_bounds() {
    assert_eq!(gen(json!({"type": "integer"})), json!(1));
    assert_eq!(gen(json!({"type": "integer", "maximum": 0})), json!(0));
    assert_eq!(gen(json!({"type": "integer", "minimum": -5})), json!(1));
    assert_eq!(gen(json!({"type": "integer", "minimum": 5})), json!(5));
    assert_eq!(
        gen(json!({"type": "integer", "minimum": 5, "exclusiveMinimum": true})),
        json!(6)
    );
    assert_eq!(gen(json!({"type": "integer", "maximum": -3})), json!(-3));
    assert_eq!(
        gen(json!({"type": "integer", "maximum": -3, "exclusiveMaximum": true})),
        json!(-4)
    );
    assert_eq!(
        gen(json!({"type": "integer", "minimum": 7, "multipleOf": 5})),
        json!(10)
    );
    assert_eq!(
        gen(json!({"type": "integer", "minimum": 1e30, "format": "int32"})),
        json!(i32::MAX)
    );
    assert_eq!(gen(json!({"type": "number", "minimum": 0.5})), json!(0.5));
    assert_eq!(
        gen(json!({"type": "number", "minimum": 1, "maximum": 1.5, "exclusiveMinimum": true})),
        json!(1.25)
    );
    assert_eq!(
        gen(json!({"type": "number", "exclusiveMinimum": 2})),
        json!(3)
    );
    assert_eq!(
        gen(json!({"type": "number", "minimum": 0.1, "multipleOf": 0.25})),
        json!(0.25)
    );
    assert_eq!(gen(json!({"type": "boolean"})), json!(true));
}

#[test]
fn arrays_and_objects() {
    assert_eq!(
        gen(json!({"type": "array", "items": {"type": "string"}})),
        json!(["string"])
    );
    assert_eq!(
        gen(
            json!({"type": "array", "items": {"type": "integer"}, "minItems": 3, "uniqueItems": true})
        ),
        json!([1, 2, 3])
    );
    assert_eq!(
        gen(json!({"type": "array", "items": {"type": "integer"}, "maxItems": 0})),
        json!([])
    );
    assert_eq!(
        gen(json!({"type": "object", "required": ["b"], "properties": {
            "a": {"type": "string", "format": "email"},
            "b": {"type": "integer", "format": "int64"},
            "id": {"type": "integer", "readOnly": true},
            "w": {"type": "string", "writeOnly": true}
        }})),
        json!({"a": "user@example.com", "b": 1, "w": "string"})
    );
    assert_eq!(
        gen(json!({"type": "object", "additionalProperties": {"type": "integer"}})),
        json!({"additionalProp1": 1})
    );
    assert_eq!(
        gen(json!({"properties": {"x": {"format": "uuid"}}})),
        json!({"x": "3fa85f64-5717-4562-b3fc-2c963f66afa6"})
    );
}

#[test]
fn composition() {
    let root = json!({"components": {"schemas": {
        "Base": {"type": "object", "properties": {"id": {"type": "integer"}, "kind": {"type": "string"}}},
        "Cat": {"allOf": [{"$ref": "#/components/schemas/Base"}, {"type": "object", "properties": {"meow": {"type": "boolean"}}}]},
        "RO": {"type": "string", "readOnly": true}
    }}});
    assert_eq!(
        gen_in(json!({"$ref": "#/components/schemas/Cat"}), root.clone()),
        json!({"id": 1, "kind": "string", "meow": true})
    );
    assert_eq!(
        gen(json!({"oneOf": [{"type": "integer"}, {"type": "string"}]})),
        json!(1)
    );
    assert_eq!(
        gen(json!({"anyOf": [{"$ref": "#/missing"}, {"type": "string"}]})),
        json!("string")
    );
    // Conflicting types in allOf: no crash, the first wins.
    assert_eq!(
        gen(json!({"allOf": [{"type": "string"}, {"type": "integer"}]})),
        json!("string")
    );
    assert_eq!(
        gen_in(
            json!({"type": "object", "properties": {"r": {"$ref": "#/components/schemas/RO"}, "x": {"type": "string"}}}),
            root
        ),
        json!({"x": "string"})
    );
}

#[test]
fn recursive_schemas_terminate() {
    let root = json!({"components": {"schemas": {
        "Node": {"type": "object", "required": ["next"], "properties": {"value": {"type": "string"}, "next": {"$ref": "#/components/schemas/Node"}, "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}}}},
        "A": {"$ref": "#/components/schemas/B"},
        "B": {"$ref": "#/components/schemas/A"}
    }}});
    let v = gen_in(json!({"$ref": "#/components/schemas/Node"}), root.clone());
    assert_eq!(v, json!({"value": "string", "next": {}, "children": []}));
    assert_eq!(
        gen_in(json!({"$ref": "#/components/schemas/A"}), root),
        Value::Null
    );
}

#[test]
fn deeply_nested_schema_is_bounded() {
    let mut schema = json!({"type": "string"});
    for _ in 0..100 {
        schema = json!({"type": "object", "required": ["a"], "properties": {"a": schema}});
    }
    let v = gen(schema);
    let mut depth = 0;
    let mut cur = &v;
    while let Some(next) = cur.get("a") {
        depth += 1;
        cur = next;
    }
    assert!(depth <= Limits::DEFAULT.depth as usize + 2, "{depth}");
}

#[test]
fn wide_schemas_are_bounded() {
    let props: Map<String, Value> = (0..5000)
        .map(|i| (format!("p{i}"), json!({"type": "string"})))
        .collect();
    let v = gen(json!({"type": "object", "properties": props}));
    assert!(v.as_object().unwrap().len() <= RICH);
}
