//! `convert` and `convert_files` never panic, whatever the input: property
//! tests over mutated valid specifications (OpenAPI 2.0 and 3.0, Postman;
//! bytes and values), random options (base URL, server, server variables,
//! credentials, HAR style), specifications split over several mutated
//! files, and random bytes.
//!
//! The number of cases per property is `PRESCAN_PROPTEST_CASES` (default 512).

use std::collections::BTreeMap;

use prescan_core::{convert, convert_files, ConvertOptions, HarStyle, ScanAuth, SourceFile};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::Value;

const SEEDS: [(&str, &[u8]); 4] = [
    (
        "petstore.yaml",
        include_bytes!("../../../public/samples/petstore.yaml"),
    ),
    (
        "petstore-swagger2.json",
        include_bytes!("fixtures/petstore-swagger2.json"),
    ),
    ("hostile.yaml", include_bytes!("fixtures/hostile.yaml")),
    ("postman.json", include_bytes!("fixtures/postman.json")),
];

/// A specification in three files.
const SPLIT: [(&str, &[u8]); 3] = [
    (
        "api/openapi.yaml",
        include_bytes!("fixtures/split/openapi.yaml"),
    ),
    (
        "api/paths/pet.yaml",
        include_bytes!("fixtures/split/paths/pet.yaml"),
    ),
    (
        "api/common.yaml",
        include_bytes!("fixtures/split/common.yaml"),
    ),
];

/// Options a user may choose, odd ones included.
fn options() -> impl Strategy<Value = ConvertOptions> {
    let base = proptest::sample::select(vec![
        None,
        Some("https://staging.example.com/v1"),
        Some("https://api.shop.com"),
        Some("relative/path"),
        Some("http://[::1]:8080//x//"),
        Some(""),
        Some("https://{{x}}/"),
    ]);
    let text = "[ -~]{0,12}";
    (
        base,
        proptest::option::of(0usize..4),
        proptest::collection::vec((text, text), 0..3),
        proptest::collection::vec((text, text), 0..3),
        proptest::option::of((text, text)),
        proptest::option::of(text),
        proptest::collection::vec((text, text), 0..3),
        any::<bool>(),
    )
        .prop_map(
            |(base, server, vars, headers, basic, bearer, keys, veracode)| ConvertOptions {
                base_url: base.map(str::to_owned),
                server,
                server_variables: vars.into_iter().collect::<BTreeMap<_, _>>(),
                auth: ScanAuth {
                    custom_headers: headers.clone(),
                    custom_cookies: headers,
                    basic,
                    bearer,
                    api_keys: keys
                        .into_iter()
                        .chain([("key".to_owned(), "k".to_owned())])
                        .collect(),
                    ..ScanAuth::default()
                },
                har_style: if veracode {
                    HarStyle::Veracode
                } else {
                    HarStyle::Concrete
                },
                ..ConvertOptions::default()
            },
        )
}

fn cases() -> u32 {
    std::env::var("PRESCAN_PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(512)
}

fn runner() -> TestRunner {
    TestRunner::new(Config {
        cases: cases(),
        failure_persistence: None,
        ..Config::default()
    })
}

fn run(name: &str, bytes: &[u8]) {
    let _ = convert(name, bytes, &ConvertOptions::default());
}

/// A byte-level mutation of a seed.
#[derive(Debug, Clone)]
enum ByteEdit {
    Flip(usize, u8),
    Truncate(usize),
    Insert(usize, Vec<u8>),
    Delete(usize, usize),
}

fn byte_edit() -> impl Strategy<Value = ByteEdit> {
    let tokens: Vec<&'static [u8]> = vec![
        b"{",
        b"}",
        b"[",
        b"]",
        b":",
        b",",
        b"\"",
        b"\n",
        b"  ",
        b"- ",
        b"$ref: '#/x'",
        b"&a ",
        b"*a",
        b"\xF0",
        b"\0",
        b"null",
        b"-1e999",
        b"~",
        b"!!binary ",
        b"<<: ",
    ];
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| ByteEdit::Flip(i, b)),
        any::<usize>().prop_map(ByteEdit::Truncate),
        (any::<usize>(), proptest::sample::select(tokens))
            .prop_map(|(i, t)| ByteEdit::Insert(i, t.to_vec())),
        (any::<usize>(), 0usize..64).prop_map(|(i, n)| ByteEdit::Delete(i, n)),
    ]
}

fn apply_bytes(seed: &[u8], edits: &[ByteEdit]) -> Vec<u8> {
    let mut b = seed.to_vec();
    for e in edits {
        let len = b.len().max(1);
        match e {
            ByteEdit::Flip(i, x) => {
                if let Some(byte) = b.get_mut(i % len) {
                    *byte ^= x;
                }
            }
            ByteEdit::Truncate(i) => b.truncate(i % len),
            ByteEdit::Insert(i, t) => {
                let at = (i % len).min(b.len());
                b.splice(at..at, t.iter().copied());
            }
            ByteEdit::Delete(i, n) => {
                let at = (i % len).min(b.len());
                let end = (at + n).min(b.len());
                b.drain(at..end);
            }
        }
    }
    b
}

/// A value-level mutation: at the node reached by following `path` (indices
/// taken modulo the number of children), do `kind`.
#[derive(Debug, Clone)]
struct ValueEdit {
    path: Vec<usize>,
    kind: u8,
    pick: usize,
}

fn value_edit() -> impl Strategy<Value = ValueEdit> {
    (
        proptest::collection::vec(any::<usize>(), 0..12),
        any::<u8>(),
        any::<usize>(),
    )
        .prop_map(|(path, kind, pick)| ValueEdit { path, kind, pick })
}

fn replacement(pick: usize) -> Value {
    let options = [
        Value::Null,
        Value::Bool(true),
        serde_json::json!(-1),
        serde_json::json!(1.5e300),
        serde_json::json!(""),
        serde_json::json!("{x}"),
        serde_json::json!([]),
        serde_json::json!({}),
        serde_json::json!({"$ref": "#/"}),
        serde_json::json!({"$ref": "#/paths"}),
        serde_json::json!({"$ref": "#/components/schemas/Pet"}),
        serde_json::json!({"$ref": "other.yaml#/x"}),
        serde_json::json!({"$ref": "#/definitions/Pet"}),
        serde_json::json!({"type": ["string", "null"], "minLength": 18446744073709551615u64}),
        serde_json::json!({"type": "integer", "minimum": 10, "maximum": 1, "multipleOf": 0}),
        serde_json::json!({"type": "array", "minItems": 4294967295u64, "items": {"$ref": "#"}}),
        serde_json::json!({"allOf": [{"type": "string"}, {"type": "object"}], "oneOf": []}),
        serde_json::json!({"in": "body", "name": "b"}),
        serde_json::json!({"in": "formData", "name": "f", "type": "file"}),
        serde_json::json!({"name": "p", "in": "path", "style": "matrix", "explode": true, "schema": {"type": "object"}}),
        serde_json::json!({"type": "apiKey", "in": "cookie", "name": ""}),
    ];
    options[pick % options.len()].clone()
}

fn apply_value(root: &mut Value, edit: &ValueEdit) {
    // Find the target's pointer with shared borrows, then edit it.
    let mut pointer = String::new();
    let mut cur: &Value = root;
    for step in &edit.path {
        let next = match cur {
            Value::Object(m) if !m.is_empty() => m
                .iter()
                .nth(step % m.len())
                .map(|(k, v)| (k.replace('~', "~0").replace('/', "~1"), v)),
            Value::Array(a) if !a.is_empty() => a
                .get(step % a.len())
                .map(|v| ((step % a.len()).to_string(), v)),
            _ => None,
        };
        match next {
            Some((segment, v)) => {
                pointer.push('/');
                pointer.push_str(&segment);
                cur = v;
            }
            None => break,
        }
    }
    let Some(node) = root.pointer_mut(&pointer) else {
        return;
    };
    match edit.kind % 5 {
        0 => *node = replacement(edit.pick),
        1 => {
            // Delete a key or an item.
            match node {
                Value::Object(m) if !m.is_empty() => {
                    let key = m.keys().nth(edit.pick % m.len()).cloned();
                    if let Some(k) = key {
                        m.shift_remove(&k);
                    }
                }
                Value::Array(a) if !a.is_empty() => {
                    a.remove(edit.pick % a.len());
                }
                _ => *node = Value::Null,
            }
        }
        2 => {
            // Swap the type: object ↔ array, scalar → string or number.
            *node = match std::mem::take(node) {
                Value::Object(m) => Value::Array(m.into_iter().map(|(_, v)| v).collect()),
                Value::Array(a) => Value::Object(
                    a.into_iter()
                        .enumerate()
                        .map(|(i, v)| (i.to_string(), v))
                        .collect(),
                ),
                Value::String(s) => serde_json::json!(s.len()),
                other => Value::String(other.to_string()),
            }
        }
        3 => {
            // Insert a key with an odd value.
            if let Value::Object(m) = node {
                let keys = [
                    "$ref",
                    "type",
                    "schema",
                    "parameters",
                    "requestBody",
                    "security",
                    "servers",
                    "enum",
                    "example",
                    "examples",
                    "allOf",
                    "items",
                    "properties",
                    "required",
                    "content",
                    "in",
                    "style",
                ];
                m.insert(
                    keys[edit.pick % keys.len()].into(),
                    replacement(edit.pick / 7),
                );
            } else {
                *node = replacement(edit.pick);
            }
        }
        _ => {
            // Duplicate the node under itself (deepens structures).
            let copy = node.clone();
            if let Value::Object(m) = node {
                m.insert("nested".into(), copy);
            }
        }
    }
}

fn seed_value(bytes: &[u8]) -> Value {
    let text = std::str::from_utf8(bytes).unwrap();
    if text.trim_start().starts_with('{') {
        serde_json::from_str(text).unwrap()
    } else {
        yaml_serde::from_str(text).unwrap()
    }
}

#[test]
fn mutated_bytes_never_panic() {
    runner()
        .run(
            &(0..SEEDS.len(), proptest::collection::vec(byte_edit(), 1..8)),
            |(seed, edits)| {
                let (name, bytes) = SEEDS[seed];
                run(name, &apply_bytes(bytes, &edits));
                Ok(())
            },
        )
        .unwrap();
}

#[test]
fn mutated_values_never_panic() {
    let seeds: Vec<(&str, Value)> = SEEDS.iter().map(|(n, b)| (*n, seed_value(b))).collect();
    runner()
        .run(
            &(
                0..seeds.len(),
                proptest::collection::vec(value_edit(), 1..10),
                any::<bool>(),
            ),
            |(seed, edits, as_yaml)| {
                let (name, value) = &seeds[seed];
                let mut v = value.clone();
                for e in &edits {
                    apply_value(&mut v, e);
                }
                let text = if as_yaml {
                    yaml_serde::to_string(&v).unwrap_or_default()
                } else {
                    serde_json::to_string(&v).unwrap()
                };
                run(name, text.as_bytes());
                Ok(())
            },
        )
        .unwrap();
}

#[test]
fn mutated_values_with_options_never_panic() {
    let seeds: Vec<(&str, Value)> = SEEDS.iter().map(|(n, b)| (*n, seed_value(b))).collect();
    runner()
        .run(
            &(
                0..seeds.len(),
                proptest::collection::vec(value_edit(), 0..6),
                options(),
            ),
            |(seed, edits, options)| {
                let (name, value) = &seeds[seed];
                let mut v = value.clone();
                for e in &edits {
                    apply_value(&mut v, e);
                }
                let _ = convert(
                    name,
                    serde_json::to_string(&v).unwrap().as_bytes(),
                    &options,
                );
                Ok(())
            },
        )
        .unwrap();
}

#[test]
fn split_specifications_never_panic() {
    let seeds: Vec<(&str, Value)> = SPLIT.iter().map(|(n, b)| (*n, seed_value(b))).collect();
    runner()
        .run(
            &(
                proptest::collection::vec((0..SPLIT.len(), value_edit()), 0..8),
                proptest::collection::vec((0..SPLIT.len(), byte_edit()), 0..2),
                proptest::sample::subsequence(vec![0usize, 1, 2], 1..=3),
                options(),
            ),
            |(value_edits, byte_edits, keep, options)| {
                let mut values: Vec<Value> = seeds.iter().map(|(_, v)| v.clone()).collect();
                for (i, e) in &value_edits {
                    apply_value(&mut values[*i], e);
                }
                let files: Vec<SourceFile> = keep
                    .iter()
                    .map(|&i| {
                        let mut bytes = yaml_serde::to_string(&values[i])
                            .unwrap_or_default()
                            .into_bytes();
                        for (j, e) in &byte_edits {
                            if *j == i {
                                bytes = apply_bytes(&bytes, std::slice::from_ref(e));
                            }
                        }
                        SourceFile {
                            name: seeds[i].0.to_owned(),
                            bytes,
                        }
                    })
                    .collect();
                let _ = convert_files(&files, &options);
                Ok(())
            },
        )
        .unwrap();
}

#[test]
fn random_bytes_never_panic() {
    runner()
        .run(&proptest::collection::vec(any::<u8>(), 0..512), |bytes| {
            run("random", &bytes);
            Ok(())
        })
        .unwrap();
    runner()
        .run(&"[ -~\n]{0,400}", |text| {
            run("random.yaml", text.as_bytes());
            run("random.json", format!("{{{text}").as_bytes());
            Ok(())
        })
        .unwrap();
}
