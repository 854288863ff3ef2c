//! Hostile specifications: each tries to exceed one budget of the
//! conversion ([`prescan_core::Limits`]). Every one must end, in less than
//! 1 GiB of memory (a counting allocator measures the peak of each), with a
//! diagnostic or an error that names the limit it reached, and what is not
//! hostile in it must still convert.
//!
//! The first cases are the ones issue 12 saw: a 280-byte pattern that never
//! ended, YAML aliases and a shared example that exhausted 4 GiB, nested
//! `minItems` that made a 399-byte file a 33 MB request body.
//!
//! The structure-aware fuzz test at the end builds specifications from deep
//! and wide schemas, patterns, references and YAML aliases; its number of
//! cases is `PRESCAN_HOSTILE_CASES` (default 48).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use prescan_core::{convert, Conversion, ConvertOptions, Limits, LoadError, Severity};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{json, Value};

#[path = "hostile/inputs.rs"]
mod inputs;
use inputs::{post, spec, MIB};

/// Counts the bytes allocated now and at the peak.
struct Counting;

static NOW: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = NOW.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        NOW.fetch_sub(layout.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            if new_size > layout.size() {
                let grown = new_size - layout.size();
                let now = NOW.fetch_add(grown, Ordering::Relaxed) + grown;
                PEAK.fetch_max(now, Ordering::Relaxed);
            } else {
                NOW.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// One measurement at a time (the peak is process-wide).
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

const GIB: usize = 1 << 30;

/// How long a case may run before the test calls it a hang. Not a timing
/// assertion: every case here ends in well under a second in a release
/// build; this only turns a hang into a failure instead of a stuck suite.
const HANG: Duration = Duration::from_secs(300);

/// Converts `bytes` on another thread and returns the result with the peak
/// memory allocated above what was in use before, failing the test if it
/// never ends.
fn measured(
    name: &str,
    bytes: Vec<u8>,
    options: ConvertOptions,
) -> (Result<Conversion, LoadError>, usize) {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let base = NOW.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let (tx, rx) = std::sync::mpsc::channel();
    let file = name.to_owned();
    std::thread::spawn(move || {
        let result = convert(&file, &bytes, &options);
        // Serializing the HAR is part of the work: the app and the server
        // both do it.
        if let Ok(c) = &result {
            let text = serde_json::to_string(&c.har).unwrap();
            drop(text);
        }
        let _ = tx.send(result);
    });
    let result = rx
        .recv_timeout(HANG)
        .unwrap_or_else(|_| panic!("{name}: the conversion did not end"));
    let peak = PEAK.load(Ordering::Relaxed).saturating_sub(base);
    (result, peak)
}

/// The diagnostics that name `limit`.
fn naming<'c>(c: &'c Conversion, limit: &str) -> Vec<&'c prescan_core::Diagnostic> {
    let needle = format!("`{limit}`");
    c.spec
        .diagnostics
        .iter()
        .filter(|d| d.message.contains(&needle))
        .collect()
}

/// The body of the first request, as JSON.
fn first_body(c: &Conversion) -> Value {
    let text = c.har.log.entries[0]
        .request
        .post_data
        .as_ref()
        .and_then(|p| p.text.as_deref());
    serde_json::from_str(text.unwrap_or("null")).unwrap()
}

/// The largest request body of the HAR, in bytes.
fn largest_body(c: &Conversion) -> usize {
    c.har
        .log
        .entries
        .iter()
        .filter_map(|e| e.request.post_data.as_ref())
        .filter_map(|p| p.text.as_ref())
        .map(String::len)
        .max()
        .unwrap_or(0)
}

fn ok(name: &str, bytes: Vec<u8>) -> (Conversion, usize) {
    let size = bytes.len();
    let (result, peak) = measured(name, bytes, ConvertOptions::default());
    let c = result.unwrap_or_else(|e| panic!("{name}: {e}"));
    assert!(peak < GIB, "{name} ({size} bytes) took {} MiB", peak / MIB);
    (c, peak)
}

#[test]
fn a_zero_width_pattern_repeated_4096_cubed_times_ends() {
    // The 280-byte specification of issue 12, which never ended.
    let bytes = inputs::pattern_zero_width();
    assert!(bytes.len() < 300);
    let (c, _) = ok("pattern.json", bytes);
    assert_eq!(c.har.log.entries.len(), 1);
    let hits = naming(&c, "pattern_steps");
    assert_eq!(hits.len(), 1, "{:?}", c.spec.diagnostics);
    assert!(hits[0].message.contains("(?:(?:^{4096}){4096}){4096}"));
    // Other zero-width and counted repetitions end too; those that run out
    // of steps say so, with a Warning that names the limit and the pattern.
    for pattern in [
        "(?:(?:(?:|a){4096}){4096}){4096}",
        "^((((a{1000}){1000}){1000}){1000})$",
        "(?:(?:(?:(?:)|a){64}){64}){64}x",
    ] {
        let (c, _) = ok("pattern.json", inputs::pattern(pattern));
        let body = largest_body(&c);
        assert!(body < 64 * 1024, "{pattern}: {body}");
        if pattern.ends_with('x') {
            let hits = naming(&c, "pattern_steps");
            assert_eq!(hits.len(), 1, "{pattern}: {:?}", c.spec.diagnostics);
            assert_eq!(hits[0].severity, Severity::Warning);
            assert!(hits[0].message.contains(pattern), "{}", hits[0].message);
            assert_eq!(
                hits[0].pointer,
                "/paths/~1a/post/requestBody/content/application~1json"
            );
        }
    }
}

#[test]
fn yaml_aliases_of_one_large_string_are_refused_by_expanded_bytes() {
    // 1 MiB anchored once, referenced 3,000 times: 3 GiB of text.
    let bytes = inputs::yaml_aliases(MIB, 3000);
    let (result, peak) = measured("aliases.yaml", bytes, ConvertOptions::default());
    assert!(peak < GIB, "{} MiB", peak / MIB);
    match result {
        Err(LoadError::OverLimit { limit, message }) => {
            assert_eq!(limit, "expanded_bytes");
            assert!(
                message.contains("limit `expanded_bytes` = 256 MiB"),
                "{message}"
            );
            assert!(message.contains("line 3, column 8"), "{message}");
        }
        other => panic!("{:?}", other.map(|c| c.spec.diagnostics)),
    }
    // Under the limit, aliases are read as before.
    let small = "openapi: 3.0.3\ninfo: {title: y, version: '1'}\nx-s: &s {type: string}\npaths:\n  /a:\n    post:\n      requestBody:\n        content:\n          application/json:\n            schema: {type: object, properties: {a: *s, b: *s}}\n      responses: {'200': {description: ok}}\n";
    let (c, _) = ok("small.yaml", small.as_bytes().to_vec());
    let body = c.har.log.entries[0].request.post_data.as_ref().unwrap();
    assert_eq!(body.text.as_deref(), Some(r#"{"a":"string","b":"string"}"#));
}

#[test]
fn one_large_example_shared_by_2000_operations_is_not_copied_into_each() {
    // 5 MiB, above value_bytes: each operation gets a generated value.
    let (c, _) = ok("shared.json", inputs::shared_large_example());
    assert_eq!(c.har.log.entries.len(), 2000);
    assert_eq!(
        c.har.log.entries[7]
            .request
            .post_data
            .as_ref()
            .unwrap()
            .text
            .as_deref(),
        Some(r#"{"s":"string"}"#)
    );
    let hits = naming(&c, "value_bytes");
    assert_eq!(hits.len(), 11, "10 shown, then a count");
    assert_eq!(
        hits[0].pointer,
        "/paths/~1p0/post/requestBody/content/application~1json"
    );
    assert!(
        hits[10].message.contains("1,990 more places"),
        "{}",
        hits[10].message
    );

    // 100,000 small values, under value_bytes: used until the requests
    // reach har_bytes, then requests without their bodies, with one Error.
    let (c, _) = ok("shared-medium.json", inputs::shared_medium_example());
    let hits = naming(&c, "har_bytes");
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!(hits[0].severity, Severity::Error);
    let used = c
        .har
        .log
        .entries
        .iter()
        .filter(|e| {
            e.request
                .post_data
                .as_ref()
                .and_then(|p| p.text.as_deref())
                .is_some_and(|t| t.len() > 100_000)
        })
        .count();
    assert!(
        (100..2000).contains(&used),
        "{used} requests carry the example"
    );
    assert_eq!(
        c.har.log.entries.len(),
        2000,
        "every endpoint is still listed"
    );
}

#[test]
fn nested_min_items_stay_within_value_bytes() {
    // A 399-byte specification that made a 33 MB body.
    let bytes = inputs::nested_min_items();
    assert!(bytes.len() < 600, "{}", bytes.len());
    let (c, _) = ok("nested.json", bytes);
    let body = largest_body(&c);
    assert!(body <= 4 * MIB, "{body}");
    assert!(body > MIB / 2, "the value still fills its budget: {body}");
    assert_eq!(naming(&c, "value_bytes").len(), 1);
    let items = naming(&c, "array_items");
    assert_eq!(items.len(), 1);
    assert!(
        items[0].message.contains("1,000 items"),
        "{}",
        items[0].message
    );

    // Hundreds of required large arrays of long strings.
    let (c, _) = ok("required.json", inputs::required_large_arrays());
    let body: Value = first_body(&c);
    assert_eq!(
        body.as_object().unwrap().len(),
        300,
        "every required property is there"
    );
    assert!(largest_body(&c) <= 4 * MIB + 64 * 1024);
}

#[test]
fn reference_fan_out_ends_within_schema_steps() {
    // Each schema refers 50 times to the next: 50^8 paths through them.
    let (c, _) = ok("fanout.json", inputs::ref_fan_out());
    assert_eq!(naming(&c, "schema_steps").len(), 1);

    // Used by 5,000 operations: 100,000 steps each would take a minute;
    // conversion_steps ends it, with one Error where it was reached.
    let (c, _) = ok("fanout-5000.json", inputs::fan_out(5000));
    assert_eq!(c.har.log.entries.len(), 5000);
    let hits = naming(&c, "conversion_steps");
    assert_eq!(hits.len(), 1, "{:?}", c.spec.diagnostics);
    assert_eq!(hits[0].severity, Severity::Error);

    // oneOf and anyOf fan out the same way.
    let (c, _) = ok("fanout-choices.json", inputs::choice_fan_out());
    assert_eq!(c.har.log.entries.len(), 1);
}

#[test]
fn deep_nesting_is_bounded() {
    // Deeper than the parser reads: an error that says so.
    let (result, _) = measured(
        "deep.json",
        inputs::deep_inline(),
        ConvertOptions::default(),
    );
    match result {
        Err(LoadError::Syntax { message, .. }) => assert!(message.contains("128"), "{message}"),
        other => panic!("{:?}", other.map(|c| c.spec.diagnostics)),
    }
    // Deep through references: cut at `depth`, with an Information.
    let (c, _) = ok("deep-refs.json", inputs::deep_refs());
    let hits = naming(&c, "depth");
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].severity, Severity::Information);
}

#[test]
fn postman_variables_that_name_each_other_stay_within_value_bytes() {
    // 3.5 KB that expanded to 10^10 copies and aborted at 4 GiB.
    let bytes = inputs::postman_variables();
    assert!(bytes.len() < 4096);
    let (c, _) = ok("laughs.json", bytes);
    assert!(largest_body(&c) <= 4 * MIB, "{}", largest_body(&c));
    let hits = naming(&c, "value_bytes");
    assert_eq!(hits.len(), 1, "{:?}", c.spec.diagnostics);
    assert_eq!(hits[0].pointer, "/item/0/request");
    // 100,000 variables looked up 100,000 times: by name, not one by one
    // (47 s before).
    let (c, _) = ok("vars.json", inputs::postman_many_variables());
    let body = c.har.log.entries[0].request.post_data.as_ref().unwrap();
    assert_eq!(body.text.as_deref(), Some("x".repeat(100_000).as_str()));
    // Variables within the limits still expand.
    let small = br#"{"info": {"name": "ok", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"}, "variable": [{"key": "a", "value": "{{b}}-{{b}}"}, {"key": "b", "value": "x"}], "item": [{"name": "r", "request": {"method": "POST", "url": "https://api.example.com/a", "body": {"mode": "raw", "raw": "{{a}}"}}}]}"#;
    let (c, _) = ok("ok.json", small.to_vec());
    let body = c.har.log.entries[0].request.post_data.as_ref().unwrap();
    assert_eq!(body.text.as_deref(), Some("x-x"));
}

#[test]
fn a_path_of_20000_parameters_is_read_in_linear_space() {
    // 1.8 MB that took 3.7 GB and 9 s: each parameter's pointer, and each
    // warning, copied the 150 KB path.
    let (c, peak) = ok("long-path.json", inputs::long_path(true));
    assert!(peak < 256 * MIB, "{} MiB", peak / MIB);
    let url = &c.har.log.entries[0].request.url;
    assert!(
        url.starts_with("https://api.example.com/a/string/string/"),
        "{url:.80}"
    );
    assert!(!url.contains('{'));
    let (c, peak) = ok("long-path-undeclared.json", inputs::long_path(false));
    assert!(peak < 256 * MIB, "{} MiB", peak / MIB);
    assert_eq!(c.spec.diagnostics.len(), 1, "one warning names them");
    let message = &c.spec.diagnostics[0].message;
    assert!(message.contains("`p0`, `p1`"), "{message:.300}");
    assert!(message.len() < 1000, "{}", message.len());
}

#[test]
fn thousands_of_required_credentials_per_operation_stay_within_har_bytes() {
    // 710 KB that aborted at 4 GiB after 18 s: 25 million placeholders.
    let (c, _) = ok("keys.json", inputs::global_security());
    assert_eq!(c.har.log.entries.len(), 5000, "every endpoint is listed");
    let hits = naming(&c, "har_bytes");
    assert_eq!(hits.len(), 1, "{:?}", c.spec.diagnostics);
    assert_eq!(hits[0].pointer, "/security");
    let first = c.har.log.entries[0].request.headers.len();
    let last = c.har.log.entries[4999].request.headers.len();
    assert!(first >= 5000, "{first}");
    assert!(last < 10, "{last}");
}

#[test]
fn swagger_media_type_lists_are_not_multiplied_into_every_operation() {
    // 2.2 MB that aborted at 4 GiB: each of 10,000 media types got a copy
    // of each body and response schema.
    let (c, peak) = ok("types.json", inputs::swagger_media_types());
    assert!(peak < 256 * MIB, "{} MiB", peak / MIB);
    let entry = &c.har.log.entries[0].request;
    let body = entry.post_data.as_ref().unwrap();
    assert_eq!(
        body.mime_type, "application/x-t0+json",
        "the first JSON type"
    );
    let value: Value = serde_json::from_str(body.text.as_deref().unwrap()).unwrap();
    assert_eq!(value.as_object().unwrap().len(), 1000);
}

#[test]
fn files_of_one_specification_share_input_and_expanded_bytes() {
    use prescan_core::{convert_files, SourceFile};
    // The root refers to four parts of another file, 4 KiB each; with
    // expanded_bytes at 10 KiB, the copies stop after two.
    let parts: serde_json::Map<String, Value> = (0..4)
        .map(|i| {
            (
                format!("S{i}"),
                json!({"type": "string", "example": "x".repeat(4096)}),
            )
        })
        .collect();
    let other = serde_json::to_vec(&json!({"components": {"schemas": parts}})).unwrap();
    let paths: serde_json::Map<String, Value> = (0..4)
        .map(|i| {
            (
                format!("/p{i}"),
                post(json!({"$ref": format!("other.json#/components/schemas/S{i}")})),
            )
        })
        .collect();
    let root = spec(Value::Object(paths), json!({}));
    let files = vec![
        SourceFile {
            name: "root.json".into(),
            bytes: root,
        },
        SourceFile {
            name: "other.json".into(),
            bytes: other,
        },
    ];
    let limits = Limits {
        expanded_bytes: 10 * 1024,
        ..Limits::default()
    };
    let options = ConvertOptions {
        limits,
        ..ConvertOptions::default()
    };
    let c = convert_files(&files, &options).unwrap();
    let hits = naming(&c, "expanded_bytes");
    assert_eq!(hits.len(), 2, "{:?}", c.spec.diagnostics);
    assert!(
        hits[0].message.contains("other.json"),
        "{}",
        hits[0].message
    );
    let bodies: Vec<&str> = c
        .har
        .log
        .entries
        .iter()
        .map(|e| {
            e.request
                .post_data
                .as_ref()
                .unwrap()
                .text
                .as_deref()
                .unwrap()
        })
        .collect();
    let copied = bodies.iter().filter(|b| b.len() == 4098).count();
    let empty = bodies.iter().filter(|b| **b == "null").count();
    assert_eq!((copied, empty), (2, 2), "{:?}", c.spec.diagnostics);

    // input_bytes counts the files together: each fits, not both.
    let total = (files[0].bytes.len() + files[1].bytes.len()) as u64;
    let small = Limits {
        input_bytes: total - 1,
        ..Limits::default()
    };
    let options = ConvertOptions {
        limits: small,
        ..ConvertOptions::default()
    };
    match convert_files(&files, &options) {
        Err(LoadError::TooLarge { size, limit }) => {
            assert_eq!(size as u64, total);
            assert_eq!(limit as u64, total - 1);
        }
        other => panic!("{:?}", other.map(|c| c.spec.diagnostics)),
    }
}

#[test]
fn hundreds_of_thousands_of_endpoints_stop_at_endpoints_and_har_bytes() {
    // 5 MB that made 800,000 operations and aborted at 4 GiB.
    let (c, _) = ok("items.json", inputs::path_item_refs());
    assert_eq!(c.spec.endpoints.len(), 100_000);
    assert_eq!(c.har.log.entries.len(), 100_000);
    assert_eq!(naming(&c, "endpoints").len(), 1);
    let full = naming(&c, "har_bytes");
    assert_eq!(full.len(), 1);
    // Past har_bytes, a request keeps its method and URL only.
    let last = &c.har.log.entries[99_999].request;
    assert_eq!(last.url, "https://api.example.com/p12499");
    assert!(last.query_string.is_empty());

    // A HAR whose entries each name another host: read in linear time.
    let (c, _) = ok("hosts.har", inputs::har_many_hosts());
    assert_eq!(c.spec.endpoints.len(), 100_000);
    assert_eq!(c.spec.servers.len(), 100_000);
    assert_eq!(naming(&c, "endpoints").len(), 1);
}

#[test]
fn every_limit_is_an_option() {
    let options = |limits: Limits| ConvertOptions {
        limits,
        ..ConvertOptions::default()
    };
    let schema =
        json!({"type": "array", "minItems": 10, "items": {"type": "string", "pattern": "^a{50}$"}});
    let bytes = spec(json!({"/a": post(schema)}), json!({}));

    let (c, _) = measured("limits.json", bytes.clone(), options(Limits::default()));
    let c = c.unwrap();
    let body: Value = first_body(&c);
    assert_eq!(body.as_array().unwrap().len(), 10);
    assert_eq!(body[0], json!("a".repeat(50)));

    let few = Limits {
        array_items: 3,
        pattern_steps: 10,
        ..Limits::default()
    };
    let (c, _) = measured("limits.json", bytes.clone(), options(few));
    let c = c.unwrap();
    let body: Value = first_body(&c);
    assert_eq!(body.as_array().unwrap().len(), 3);
    assert_eq!(body[0], json!("string"));
    assert_eq!(naming(&c, "array_items").len(), 1);
    assert_eq!(naming(&c, "pattern_steps").len(), 1);

    let tiny = Limits {
        input_bytes: 100,
        ..Limits::default()
    };
    let (result, _) = measured("limits.json", bytes, options(tiny));
    assert!(
        matches!(result, Err(LoadError::TooLarge { limit: 100, .. })),
        "{result:?}"
    );
}

/// A schema built from the shapes attackers use: deep and wide objects,
/// arrays with large `minItems`, patterns, references (into a pool of
/// named schemas, so they fan out and recurse) and stated values.
fn schema() -> impl Strategy<Value = Value> {
    let pattern = proptest::sample::select(vec![
        "^[a-z]{3,8}$",
        "(?:(?:^{4096}){4096}){4096}",
        "(?:(?:(?:|a){512}){512}){512}",
        "^(a|b)*c{0,5}$",
        "^\\d{1000}$",
        "(a)\\1",
        "[",
    ]);
    let leaf = prop_oneof![
        Just(json!({"type": "string"})),
        Just(json!({"type": "integer", "minimum": 5})),
        (0u64..20_000).prop_map(|n| json!({"type": "string", "minLength": n})),
        pattern.prop_map(|p| json!({"type": "string", "pattern": p})),
        (0usize..8).prop_map(|i| json!({"$ref": format!("#/components/schemas/S{i}")})),
        (0usize..4096).prop_map(|n| json!({"type": "string", "example": "e".repeat(n * 64)})),
    ];
    leaf.prop_recursive(6, 64, 12, |inner| {
        prop_oneof![
            (inner.clone(), 0u64..100_000)
                .prop_map(|(items, min)| json!({"type": "array", "minItems": min, "items": items})),
            proptest::collection::vec(inner.clone(), 1..12).prop_map(|props| {
                let names: Vec<String> = (0..props.len()).map(|i| format!("p{i}")).collect();
                let properties: serde_json::Map<String, Value> =
                    names.iter().cloned().zip(props).collect();
                json!({"type": "object", "required": names, "properties": properties})
            }),
            proptest::collection::vec(inner.clone(), 1..12)
                .prop_map(|parts| json!({"allOf": parts})),
            proptest::collection::vec(inner, 1..12).prop_map(|parts| json!({"oneOf": parts})),
        ]
    })
}

/// A specification: operations using the schemas, in JSON or in YAML with
/// the schemas anchored and aliased.
fn hostile_spec() -> impl Strategy<Value = (String, Vec<u8>)> {
    (
        proptest::collection::vec(schema(), 8),
        proptest::collection::vec(0usize..8, 1..40),
        any::<bool>(),
    )
        .prop_map(|(pool, uses, yaml)| {
            if yaml {
                let mut text = String::from("openapi: 3.0.3\ninfo: {title: f, version: '1'}\nservers: [{url: 'https://api.example.com'}]\ncomponents:\n  schemas:\n");
                for (i, s) in pool.iter().enumerate() {
                    text.push_str(&format!("    S{i}: &s{i} {s}\n"));
                }
                text.push_str("paths:\n");
                for (n, i) in uses.iter().enumerate() {
                    text.push_str(&format!(
                        "  /p{n}:\n    post:\n      requestBody: {{content: {{application/json: {{schema: *s{i}, example: [*s{i}, *s{i}, *s{i}]}}}}}}\n      responses: {{'200': {{description: ok}}}}\n"
                    ));
                }
                ("fuzz.yaml".to_owned(), text.into_bytes())
            } else {
                let schemas: serde_json::Map<String, Value> = pool
                    .into_iter()
                    .enumerate()
                    .map(|(i, s)| (format!("S{i}"), s))
                    .collect();
                let paths: serde_json::Map<String, Value> = uses
                    .iter()
                    .enumerate()
                    .map(|(n, i)| {
                        (
                            format!("/p{n}/{{id}}"),
                            json!({"post": {
                                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"$ref": format!("#/components/schemas/S{i}")}}],
                                "requestBody": {"content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/S{i}")}}}},
                                "responses": {"200": {"description": "ok"}},
                            }}),
                        )
                    })
                    .collect();
                ("fuzz.json".to_owned(), spec(Value::Object(paths), json!({"schemas": schemas})))
            }
        })
}

#[test]
fn generated_hostile_specifications_end_within_their_budget() {
    let cases = std::env::var("PRESCAN_HOSTILE_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(48);
    // Smaller limits than the defaults, so that each case is quick and the
    // bounds below are tight; the defaults are exercised above.
    let limits = Limits {
        value_bytes: 256 * 1024,
        har_bytes: 4 * MIB as u64,
        ..Limits::default()
    };
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&hostile_spec(), |(name, bytes)| {
            let options = ConvertOptions {
                limits,
                ..ConvertOptions::default()
            };
            let (result, peak) = measured(&name, bytes, options);
            prop_assert!(peak < 256 * MIB, "{} MiB", peak / MIB);
            if let Ok(c) = result {
                let bodies: usize = c
                    .har
                    .log
                    .entries
                    .iter()
                    .filter_map(|e| e.request.post_data.as_ref()?.text.as_ref())
                    .map(String::len)
                    .sum();
                // Each value within value_bytes; all of them within
                // har_bytes (plus the one value that crossed it, and the
                // minimal values after it).
                prop_assert!(largest_body(&c) as u64 <= limits.value_bytes + 64 * 1024);
                prop_assert!(
                    (bodies as u64) <= limits.har_bytes + limits.value_bytes + 64 * 1024,
                    "{bodies}"
                );
            }
            Ok(())
        })
        .unwrap();
}
