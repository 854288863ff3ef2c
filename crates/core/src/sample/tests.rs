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
    // An example outside the `enum` does not fit: the enum value is used.
    assert_eq!(
        gen(json!({"type": "string", "example": "ex", "enum": ["a"], "default": "d"})),
        json!("a")
    );
    assert_eq!(
        gen(json!({"type": "string", "example": "ex", "default": "d"})),
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

/// The value and the diagnostics of `schema`, at `/s`.
fn gen_diags(schema: Value) -> (Value, Vec<Diagnostic>) {
    let root = json!({});
    let resolver = Resolver::new(&root);
    let mut diags = Vec::new();
    let v = Sampler::new(&resolver, Limits::default()).value(&schema, "/s", &mut diags);
    (v, diags)
}

/// The example a parameter or media type `holder` gives, if it fits.
fn explicit_diags(holder: Value) -> (Option<Value>, Vec<Diagnostic>) {
    let root = json!({});
    let resolver = Resolver::new(&root);
    let mut diags = Vec::new();
    let v = Sampler::new(&resolver, Limits::default())
        .explicit(&holder, "/p", &mut diags)
        .map(|v| (*v).clone());
    (v, diags)
}

#[test]
fn string_example_for_an_object_of_strings_is_skipped() {
    let (v, diags) = gen_diags(json!({"type": "object", "example": "a=b",
        "additionalProperties": {"type": "string"}}));
    assert_eq!(v, json!({"additionalProp1": "string"}));
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(diags[0].severity, Severity::Warning);
    assert_eq!(diags[0].pointer, "/s/schema/example");
    assert_eq!(
        diags[0].message,
        "The example \"a=b\" at /s/schema/example does not fit its schema (a string where the schema asks for an object): a generated value is sent instead."
    );
}

#[test]
fn date_placeholder_for_a_date_time_is_skipped() {
    let (v, diags) = gen_diags(
        json!({"type": "string", "format": "date-time", "example": "yyyy-MM-ddThh:mm:ssZ"}),
    );
    assert_eq!(v, json!("2024-01-01T00:00:00Z"));
    assert_eq!(
        diags[0].message,
        "The example \"yyyy-MM-ddThh:mm:ssZ\" at /s/schema/example does not fit its schema (not a date-time as RFC 3339 writes one): a generated value is sent instead."
    );
}

#[test]
fn date_placeholder_for_a_boolean_gives_way_to_its_default() {
    let (v, diags) =
        gen_diags(json!({"type": "boolean", "default": false, "example": "yyyy-MM-ddThh:mm:ssZ"}));
    assert_eq!(v, json!(false));
    assert_eq!(diags.len(), 1);
    assert!(
        diags[0].message.ends_with(
            "(a string where the schema asks for a boolean): the `default` value is sent instead."
        ),
        "{}",
        diags[0].message
    );
}

#[test]
fn number_for_a_string_and_string_for_an_integer_are_skipped() {
    let (v, diags) = gen_diags(json!({"type": "string", "example": 12}));
    assert_eq!((v, diags.len()), (json!("string"), 1));
    let (v, diags) = gen_diags(json!({"type": "integer", "example": "12"}));
    assert_eq!((v, diags.len()), (json!(1), 1));
    let (v, diags) = gen_diags(json!({"type": "integer", "example": 1.5}));
    assert_eq!((v, diags.len()), (json!(1), 1));
    // Numbers that are whole fit an integer; null fits a nullable schema.
    assert_eq!(
        gen_diags(json!({"type": "integer", "example": 3.0})).1,
        vec![]
    );
    assert_eq!(
        gen(json!({"type": "string", "nullable": true, "example": null})),
        Value::Null
    );
    assert_eq!(
        gen(json!({"type": ["string", "null"], "example": null})),
        Value::Null
    );
}

#[test]
fn example_outside_the_enum_is_skipped() {
    let (v, diags) =
        gen_diags(json!({"type": "string", "enum": ["on", "off"], "example": "maybe"}));
    assert_eq!(v, json!("on"));
    assert!(
        diags[0].message.contains(
            "(not one of the values its `enum` lists): the `enum` value is sent instead."
        ),
        "{}",
        diags[0].message
    );
}

#[test]
fn parameter_example_that_is_not_a_uuid_is_skipped() {
    let (v, diags) = explicit_diags(json!({"name": "id", "in": "path", "example": "123",
        "schema": {"type": "string", "format": "uuid"}}));
    assert_eq!(v, None);
    assert_eq!(diags[0].pointer, "/p/example");
    assert_eq!(diags[0].message, "The example \"123\" at /p/example does not fit its schema (not a UUID): a value from the schema is sent instead.");
    // The next of `examples` is tried.
    let (v, diags) = explicit_diags(json!({"examples": {
        "bad": {"value": "123"},
        "good": {"value": "3fa85f64-5717-4562-b3fc-2c963f66afa6"}},
        "schema": {"type": "string", "format": "uuid"}}));
    assert_eq!(v, Some(json!("3fa85f64-5717-4562-b3fc-2c963f66afa6")));
    assert!(diags[0]
        .message
        .ends_with("the next example is sent instead."));
}

#[test]
fn empty_array_example_is_not_an_enum_item() {
    let (v, diags) = gen_diags(json!({"type": "array", "items":
        {"type": "string", "enum": ["a", "b"], "example": []}}));
    assert_eq!(v, json!(["a"]));
    assert_eq!(diags[0].pointer, "/s/schema/items/example");
}

#[test]
fn nested_misfits_name_where_in_the_value() {
    let (v, diags) = explicit_diags(json!({"example": {"name": "x", "age": "old"},
        "schema": {"type": "object", "required": ["name"], "properties": {
            "name": {"type": "string"}, "age": {"type": "integer", "minimum": 0}}}}));
    assert_eq!(v, None);
    assert!(
        diags[0]
            .message
            .contains("(at /age: a string where the schema asks for an integer)"),
        "{}",
        diags[0].message
    );
    let (v, _) = explicit_diags(json!({"example": {"age": 3},
        "schema": {"required": ["name"], "properties": {"name": {"type": "string"}}}}));
    assert_eq!(v, None);
    let (v, _) = explicit_diags(
        json!({"example": {"name": "x", "age": 3, "when": "2024-01-01"},
        "schema": {"required": ["name"], "properties": {"age": {"maximum": 3, "multipleOf": 3},
            "when": {"format": "date"}}}}),
    );
    assert!(v.is_some());
}

#[test]
fn bounds_and_lengths_are_checked() {
    let misfits = |schema: Value, v: Value| {
        explicit_diags(json!({"example": v, "schema": schema}))
            .1
            .len()
    };
    assert_eq!(
        misfits(
            json!({"type": "integer", "minimum": 5, "exclusiveMinimum": true}),
            json!(5)
        ),
        1
    );
    assert_eq!(
        misfits(json!({"type": "integer", "exclusiveMaximum": 5}), json!(5)),
        1
    );
    assert_eq!(
        misfits(
            json!({"type": "integer", "format": "int32"}),
            json!(3_000_000_000u64)
        ),
        1
    );
    assert_eq!(
        misfits(json!({"type": "number", "multipleOf": 0.5}), json!(1.25)),
        1
    );
    assert_eq!(
        misfits(json!({"type": "string", "maxLength": 2}), json!("ééé")),
        1
    );
    assert_eq!(
        misfits(json!({"type": "string", "maxLength": 3}), json!("ééé")),
        0
    );
    assert_eq!(
        misfits(json!({"type": "array", "minItems": 2}), json!([1])),
        1
    );
    assert_eq!(
        misfits(json!({"type": "array", "uniqueItems": true}), json!([1, 1])),
        1
    );
    assert_eq!(
        misfits(
            json!({"type": "string", "format": "byte"}),
            json!("c3RyaW5n")
        ),
        0
    );
    assert_eq!(
        misfits(
            json!({"type": "string", "format": "ipv4"}),
            json!("300.1.1.1")
        ),
        1
    );
    assert_eq!(
        misfits(
            json!({"type": "string", "format": "email"}),
            json!("someone")
        ),
        1
    );
    assert_eq!(
        misfits(
            json!({"type": "string", "format": "uri"}),
            json!("https://example.com/x")
        ),
        0
    );
    assert_eq!(misfits(json!({"const": 1}), json!(2)), 1);
}

#[test]
fn hostile_checks_stay_within_the_budget() {
    // A huge enum.
    let values: Vec<Value> = (0..200_000).map(|i| json!(format!("v{i}"))).collect();
    let start = std::time::Instant::now();
    let (_, _) = explicit_diags(json!({"example": "nope", "schema": {"enum": values}}));
    // A deeply nested example against a recursive schema.
    let root = json!({"components": {"schemas": {"N": {"type": "array", "items": {"$ref": "#/components/schemas/N"}}}}});
    let mut deep = json!([]);
    for _ in 0..1_000 {
        deep = json!([deep]);
    }
    let resolver = Resolver::new(&root);
    let mut diags = Vec::new();
    let mut sampler = Sampler::new(&resolver, Limits::default());
    let holder = json!({"example": deep, "schema": {"$ref": "#/components/schemas/N"}});
    assert!(sampler.explicit(&holder, "/p", &mut diags).is_some());
    // Many items, each compared with a large enum: the steps run out, and
    // what was not checked is taken to fit.
    let wide: Vec<Value> = (0..100_000).map(|i| json!(format!("w{i}"))).collect();
    let few: Vec<Value> = (0..1_000).map(|i| json!(format!("w{i}"))).collect();
    let holder = json!({"example": wide, "schema": {"items": {"enum": few}}});
    let _ = sampler.explicit(&holder, "/p", &mut diags);
    assert!(start.elapsed().as_secs() < 10, "{:?}", start.elapsed());
}

fn gen_in_diags(schema: Value, root: Value) -> (Value, Vec<Diagnostic>) {
    let resolver = Resolver::new(&root);
    let mut diags = Vec::new();
    let v = Sampler::new(&resolver, Limits::default()).value(&schema, "/s", &mut diags);
    (v, diags)
}

#[test]
fn one_of_values_fit_exactly_one_branch() {
    // The first branch's value also fits the second (which does not
    // constrain `a`): the second's value, which the first refuses, is sent.
    let (v, diags) = gen_in_diags(
        json!({"oneOf": [
            {"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": false},
            {"type": "object", "properties": {"b": {"type": "string", "enum": ["x"]}}}
        ]}),
        json!({}),
    );
    assert_eq!(v, json!({"b": "x"}));
    assert!(diags.is_empty(), "{diags:?}");

    // Branches that do not exclude each other: the first value, and a
    // Warning at the `oneOf` that names the branches it fits.
    let (v, diags) = gen_in_diags(
        json!({"oneOf": [
            {"type": "object", "properties": {"a": {"type": "string"}}},
            {"type": "object", "properties": {"c": {"type": "string"}}}
        ]}),
        json!({}),
    );
    assert_eq!(v, json!({"a": "string"}));
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(diags[0].severity, Severity::Warning);
    assert_eq!(diags[0].pointer, "/s/schema/oneOf");
    assert!(
        diags[0].message.contains("fits branch 1 and also branch 2"),
        "{}",
        diags[0].message
    );

    // `anyOf` asks for one branch at least: the first is enough.
    let (v, diags) = gen_in_diags(
        json!({"anyOf": [{"type": "integer"}, {"type": "number"}]}),
        json!({}),
    );
    assert_eq!(v, json!(1));
    assert!(diags.is_empty(), "{diags:?}");
}

#[test]
fn discriminator_names_the_branch() {
    let root = json!({"components": {"schemas": {
        "Pet": {"type": "object", "required": ["pet_type"], "properties": {"pet_type": {"type": "string"}},
                "discriminator": {"propertyName": "pet_type"}},
        "Cat": {"allOf": [{"$ref": "#/components/schemas/Pet"},
                {"type": "object", "properties": {"hunts": {"type": "boolean"}}}]},
        "Dog": {"allOf": [{"$ref": "#/components/schemas/Pet"},
                {"type": "object", "properties": {"bark": {"type": "boolean"}}}]},
        "One": {"type": "object", "required": ["kind"], "properties": {"kind": {"type": "string"}}},
        "Two": {"type": "object", "required": ["kind"], "properties": {"kind": {"type": "string", "enum": ["two"]}}}
    }}});
    // Inherited (the branches extend Pet): the schema's name.
    let v = gen_in(
        json!({"oneOf": [{"$ref": "#/components/schemas/Cat"}, {"$ref": "#/components/schemas/Dog"}]}),
        root.clone(),
    );
    assert_eq!(v["pet_type"], json!("Cat"));
    // On the oneOf, with a mapping: the mapping's key.
    let v = gen_in(
        json!({"oneOf": [{"$ref": "#/components/schemas/One"}],
               "discriminator": {"propertyName": "kind", "mapping": {"first": "#/components/schemas/One"}}}),
        root.clone(),
    );
    assert_eq!(v, json!({"kind": "first"}));
    // A name the branch's enum does not allow is not set.
    let v = gen_in(
        json!({"oneOf": [{"$ref": "#/components/schemas/Two"}],
               "discriminator": {"propertyName": "kind"}}),
        root,
    );
    assert_eq!(v, json!({"kind": "two"}));
}

#[test]
fn required_properties_not_described_are_sent() {
    assert_eq!(
        gen(
            json!({"type": "object", "required": ["a", "b"], "properties": {"a": {"type": "integer"}}})
        ),
        json!({"a": 1, "b": "string"})
    );
    assert_eq!(
        gen(
            json!({"type": "object", "required": ["n"], "additionalProperties": {"type": "integer"}})
        ),
        json!({"n": 1})
    );
    // `additionalProperties: false` contradicts it: nothing is invented.
    assert_eq!(
        gen(
            json!({"type": "object", "required": ["x"], "properties": {}, "additionalProperties": false})
        ),
        json!({})
    );
}

#[test]
fn stated_values_must_match_the_pattern() {
    // An example that does not match the `pattern`: the next candidate.
    let (v, diags) = gen_diags(json!({"type": "string", "pattern": "^[A-Z]{3}$",
        "example": "usd", "default": "EUR"}));
    assert_eq!(v, json!("EUR"));
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert!(
        diags[0].message.contains("does not match the `pattern`"),
        "{}",
        diags[0].message
    );
    // With a `format` as well, the format's value when it matches.
    assert_eq!(
        gen(json!({"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"})),
        json!("2024-01-01")
    );
    // A pattern whose match could take exponential time is not run: the
    // example is kept (this test ends because the bound refuses it).
    let long = format!("{}b", "a".repeat(60));
    assert_eq!(
        gen(json!({"type": "string", "pattern": "^(a+)+$", "example": long})),
        json!(long)
    );
}

#[test]
fn one_of_values_sent_as_text_fit_one_branch_as_text() {
    let root = json!({});
    let resolver = Resolver::new(&root);
    let schema = json!({"oneOf": [{"type": "integer"}, {"type": "string"}]});
    let mut diags = Vec::new();
    let mut sampler = Sampler::new(&resolver, Limits::default());
    // As JSON, 1 is an integer and not a string.
    assert_eq!(sampler.value(&schema, "/b", &mut diags), json!(1));
    // As text, "1" fits both: the string branch's value is sent.
    assert_eq!(
        sampler.text_value(&schema, "/p", &mut diags),
        json!("string")
    );
    assert!(diags.is_empty(), "{diags:?}");
}

#[test]
fn one_of_required_lists_leave_out_the_other_property() {
    // "`category` or `categorySlug`": both are optional properties, and
    // each branch requires one; a value with both fits both branches.
    let (v, diags) = gen_in_diags(
        json!({"type": "object",
               "properties": {"title": {"type": "string"}, "category": {"type": "string"},
                              "categorySlug": {"type": "string"}},
               "oneOf": [{"required": ["title", "category"]}, {"required": ["title", "categorySlug"]}]}),
        json!({}),
    );
    assert_eq!(v, json!({"title": "string", "category": "string"}));
    assert!(diags.is_empty(), "{diags:?}");
}
