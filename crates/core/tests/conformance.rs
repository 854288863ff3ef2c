//! Conformance over real specifications from npm, read from disk:
//!
//! - `PRESCAN_OAS_EXAMPLES`: the directory of `@readme/oas-examples` (the one
//!   holding `2.0/`, `3.0/`, `3.1/`). Every spec loads without a
//!   `LoadError` or a panic; the style/explode fixtures (`parameters-style`)
//!   serialize exactly as the OpenAPI style table says; JSON and YAML twins
//!   give identical HARs.
//! - `PRESCAN_GITHUB_SPEC`: GitHub's REST description
//!   (`@octokit/openapi/generated/api.github.com.json`): all of its
//!   operations convert.
//!
//! Unset, a suite prints one line saying it was not run and passes; set to
//! a path that does not exist, it fails.

use std::path::{Path, PathBuf};

use prescan_core::har::Entry;
use prescan_core::{convert, ConvertOptions, Severity};
use serde_json::Value;

fn dir_from(var: &str) -> Option<PathBuf> {
    match std::env::var_os(var) {
        None => {
            println!("{var} is not set: this conformance suite was not run.");
            None
        }
        Some(p) => {
            let p = PathBuf::from(p);
            assert!(
                p.exists(),
                "{var} is set to {}, which does not exist. Install the package (npm install) or unset the variable.",
                p.display()
            );
            Some(p)
        }
    }
}

fn specs(root: &Path, ext: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for version in ["2.0", "3.0", "3.1"] {
        let dir = root.join(version).join(ext);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.extension().and_then(|x| x.to_str()) == Some(ext) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn load(path: &Path) -> prescan_core::Conversion {
    let bytes = std::fs::read(path).unwrap();
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let result = std::panic::catch_unwind(|| convert(&name, &bytes, &ConvertOptions::default()));
    match result {
        Ok(Ok(c)) => c,
        Ok(Err(e)) => panic!("{}: LoadError: {e}", path.display()),
        Err(_) => panic!("{}: panicked", path.display()),
    }
}

#[test]
fn readme_oas_examples() {
    let Some(root) = dir_from("PRESCAN_OAS_EXAMPLES") else {
        return;
    };
    let json = specs(&root, "json");
    assert!(
        json.len() >= 60,
        "expected the 60+ JSON specs of @readme/oas-examples under {}, found {}",
        root.display(),
        json.len()
    );
    let mut entries = 0;
    let mut twins = 0;
    let mut different_sources = 0;
    for path in &json {
        let c = load(path);
        entries += c.har.log.entries.len();
        for d in &c.spec.diagnostics {
            assert_ne!(
                d.severity,
                Severity::Error,
                "{}: unexpected error: {d:?}",
                path.display()
            );
        }
        let yaml_dir = path.parent().unwrap().parent().unwrap().join("yaml");
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        for ext in ["yaml", "yml"] {
            let twin = yaml_dir.join(format!("{stem}.{ext}"));
            if twin.exists() {
                // Some twins in the package really differ; compare those whose
                // documents are the same.
                let source_json: Value =
                    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
                let source_yaml: Value =
                    yaml_serde::from_slice(&std::fs::read(&twin).unwrap()).unwrap_or(Value::Null);
                if !same_document(&source_json, &source_yaml) {
                    different_sources += 1;
                    continue;
                }
                let y = load(&twin);
                let (a, b) = (&c.har.log.entries, &y.har.log.entries);
                assert_eq!(a.len(), b.len(), "{}: entry counts differ", path.display());
                for (i, (ea, eb)) in a.iter().zip(b).enumerate() {
                    assert!(
                        ea == eb,
                        "{}: entry {i} differs from its YAML twin's:\n{}\n{}",
                        path.display(),
                        serde_json::to_string(ea).unwrap(),
                        serde_json::to_string(eb).unwrap()
                    );
                }
                assert_eq!(c.spec.endpoints, y.spec.endpoints);
                twins += 1;
            }
        }
    }
    // YAML files without a JSON twin load too.
    for path in specs(&root, "yaml") {
        load(&path);
    }
    println!(
        "@readme/oas-examples: {} JSON specs, {twins} YAML twins give identical HARs ({different_sources} twins whose documents differ skipped), {entries} HAR entries",
        json.len()
    );
    assert!(twins >= 50, "only {twins} YAML twins found");

    for version in ["3.0", "3.1"] {
        let c = load(&root.join(version).join("json/parameters-style.json"));
        check_style_fixture(&c.har.log.entries, version);
    }
}

/// Whether two parsed documents are the same, numbers compared by value
/// (YAML may write `1.0` where JSON writes `1`).
fn same_document(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same_document(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_document(v, w)))
        }
        _ => a == b,
    }
}

fn find<'e>(entries: &'e [Entry], comment: &str) -> &'e Entry {
    entries
        .iter()
        .find(|e| e.comment.as_deref() == Some(comment))
        .unwrap_or_else(|| panic!("no entry {comment}"))
}

fn cookie_header(e: &Entry) -> String {
    e.request
        .headers
        .iter()
        .find(|h| h.name == "Cookie")
        .map(|h| h.value.clone())
        .unwrap_or_default()
}

fn header(e: &Entry, name: &str) -> String {
    e.request
        .headers
        .iter()
        .find(|h| h.name == name)
        .map(|h| h.value.clone())
        .unwrap_or_default()
}

/// `parameters-style.json` has no examples: a string is `string`, an array
/// `["string"]`, an object `{"name": "string", "description": "string"}`.
/// The expected values are the OpenAPI style table (3.1.1, which agrees
/// with RFC 6570 for `label`) applied to those values, written out by hand.
fn check_style_fixture(entries: &[Entry], version: &str) {
    let base = "https://httpbin.org/anything";
    let urls = [
        (
            "paths_standard",
            "/path/string/string/name,string,description,string",
        ),
        (
            "paths_simple_nonExploded",
            "/path/simple/string/string/name,string,description,string",
        ),
        (
            "paths_simple_exploded",
            "/path/simple/string/string/name=string,description=string",
        ),
        (
            "paths_matrix_nonExploded",
            "/path/matrix/;primitive=string/;array=string/;object=name,string,description,string",
        ),
        (
            "paths_matrix_exploded",
            "/path/matrix/;primitive=string/;array=string/;name=string;description=string",
        ),
        (
            "paths_label_nonExploded",
            "/path/label/.string/.string/.name,string,description,string",
        ),
        (
            "paths_label_exploded",
            "/path/label/.string/.string/.name=string.description=string",
        ),
        (
            "query_standard",
            "/query?primitive=string&array=string&name=string&description=string",
        ),
        (
            "query_form_nonExploded",
            "/query/form?primitive=string&array=string&object=name,string,description,string",
        ),
        (
            "query_form_exploded",
            "/query/form?primitive=string&array=string&name=string&description=string",
        ),
        (
            "query_spaceDelimited_nonExploded",
            "/query/spaceDelimited?array=string&object=name%20string%20description%20string",
        ),
        (
            "query_pipeDelimited_nonExploded",
            "/query/pipeDelimited?array=string&object=name|string|description|string",
        ),
        (
            "query_deepObject_nonExploded",
            "/query/deepObject?object[name]=string&object[description]=string",
        ),
    ];
    for (comment, path) in urls {
        assert_eq!(
            find(entries, comment).request.url,
            format!("{base}{path}"),
            "{version} {comment}"
        );
    }
    for (comment, object) in [
        ("headers_standard", "name,string,description,string"),
        (
            "headers_simple_nonExploded",
            "name,string,description,string",
        ),
        ("headers_simple_exploded", "name=string,description=string"),
    ] {
        let e = find(entries, comment);
        assert_eq!(header(e, "primitive"), "string", "{version} {comment}");
        assert_eq!(header(e, "array"), "string", "{version} {comment}");
        assert_eq!(header(e, "object"), object, "{version} {comment}");
    }
    for (comment, cookie) in [
        (
            "cookies_standard",
            "primitive=string; array=string; name=string; description=string",
        ),
        (
            "cookies_form_nonExploded",
            "primitive=string; array=string; object=name%2Cstring%2Cdescription%2Cstring",
        ),
        (
            "cookies_form_exploded",
            "primitive=string; array=string; name=string; description=string",
        ),
    ] {
        assert_eq!(
            cookie_header(find(entries, comment)),
            cookie,
            "{version} {comment}"
        );
    }
    let form = find(entries, "formData_standard");
    let pd = form.request.post_data.as_ref().unwrap();
    assert!(pd.mime_type.starts_with("multipart/form-data; boundary="));
    assert_eq!(header(form, "Content-Type"), pd.mime_type);
}

#[test]
fn github_rest_description() {
    let Some(path) = dir_from("PRESCAN_GITHUB_SPEC") else {
        return;
    };
    let started = std::time::Instant::now();
    let c = load(&path);
    let v: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let operations: usize = v["paths"]
        .as_object()
        .unwrap()
        .values()
        .map(|item| {
            item.as_object()
                .unwrap()
                .keys()
                .filter(|k| {
                    [
                        "get", "put", "post", "delete", "options", "head", "patch", "trace",
                    ]
                    .contains(&k.as_str())
                })
                .count()
        })
        .sum();
    assert!(operations >= 1_000, "{operations} operations");
    assert_eq!(c.spec.endpoints.len(), operations);
    assert_eq!(c.har.log.entries.len(), operations);
    let errors: Vec<_> = c
        .spec
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    for e in &c.har.log.entries {
        assert!(
            e.request.url.starts_with("https://api.github.com/")
                || e.request.url.starts_with("https://uploads.github.com/"),
            "{}",
            e.request.url
        );
        assert!(
            !e.request.url.contains('{'),
            "unfilled path parameter: {}",
            e.request.url
        );
    }
    println!(
        "GitHub: {operations} operations converted in {:.0} ms",
        started.elapsed().as_secs_f64() * 1000.0
    );
}
