//! End-to-end: specification bytes → `Conversion`, on fixtures and small
//! generated documents.

use prescan_core::har::Entry;
use prescan_core::{convert, ConvertOptions, LoadError, Method, Severity, SpecFormat, Syntax};
use serde_json::{json, Value};

// The app bundles this file as "Try the sample": the tests hold it to what they check.
const PETSTORE: &[u8] = include_bytes!("../../../public/samples/petstore.yaml");
const PETSTORE2: &[u8] = include_bytes!("fixtures/petstore-swagger2.json");
const HOSTILE: &[u8] = include_bytes!("fixtures/hostile.yaml");

fn ok(name: &str, bytes: &[u8]) -> prescan_core::Conversion {
    convert(name, bytes, &ConvertOptions::default()).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn ok_json(v: Value) -> prescan_core::Conversion {
    ok("spec.json", serde_json::to_string(&v).unwrap().as_bytes())
}

fn headers(e: &Entry) -> Vec<(&str, &str)> {
    e.request
        .headers
        .iter()
        .map(|h| (h.name.as_str(), h.value.as_str()))
        .collect()
}

fn body(e: &Entry) -> Option<&str> {
    e.request.post_data.as_ref().and_then(|p| p.text.as_deref())
}

/// Every field HAR 1.2 requires, on every entry.
fn assert_valid_har(har: &prescan_core::har::Har) {
    let v = serde_json::to_value(har).unwrap();
    assert_eq!(v["log"]["version"], "1.2");
    assert!(v["log"]["creator"]["name"].is_string() && v["log"]["creator"]["version"].is_string());
    for e in v["log"]["entries"].as_array().unwrap() {
        for k in [
            "startedDateTime",
            "time",
            "request",
            "response",
            "cache",
            "timings",
        ] {
            assert!(e.get(k).is_some(), "entry lacks {k}: {e}");
        }
        let r = &e["request"];
        for k in [
            "method",
            "url",
            "httpVersion",
            "cookies",
            "headers",
            "queryString",
            "headersSize",
            "bodySize",
        ] {
            assert!(r.get(k).is_some(), "request lacks {k}");
        }
        assert!(
            r["url"].as_str().unwrap().contains("://"),
            "absolute URL: {}",
            r["url"]
        );
        let s = &e["response"];
        for k in [
            "status",
            "statusText",
            "httpVersion",
            "cookies",
            "headers",
            "content",
            "redirectURL",
            "headersSize",
            "bodySize",
        ] {
            assert!(s.get(k).is_some(), "response lacks {k}");
        }
        assert!(s["content"]["size"].is_number() && s["content"]["mimeType"].is_string());
        for k in ["send", "wait", "receive"] {
            assert!(e["timings"][k].is_number());
        }
        if let Some(pd) = r.get("postData") {
            assert!(pd["mimeType"].is_string());
            assert!(
                pd.get("text").is_some() != pd.get("params").is_some(),
                "text xor params: {pd}"
            );
        }
        let names: Vec<String> = r["headers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["name"].as_str().unwrap().to_ascii_lowercase())
            .collect();
        let mut unique = names.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(names.len(), unique.len(), "duplicate headers: {names:?}");
    }
}

#[test]
fn petstore_endpoints() {
    let c = ok("petstore.yaml", PETSTORE);
    let s = &c.spec;
    assert_eq!(
        (s.format, s.format_version.as_str(), s.syntax),
        (SpecFormat::OpenApi30, "3.0.0", Syntax::Yaml)
    );
    assert_eq!(
        (s.title.as_str(), s.version.as_str()),
        ("Swagger Petstore", "1.0.0")
    );
    assert_eq!(s.file_size, PETSTORE.len());
    assert_eq!(s.servers.len(), 1);
    assert_eq!(s.servers[0].resolved_url, "http://petstore.swagger.io/v1");
    let list: Vec<_> = s
        .endpoints
        .iter()
        .map(|e| {
            (
                e.method,
                e.path.as_str(),
                e.operation_id.as_deref().unwrap(),
                e.parameter_count,
                e.auth_required,
            )
        })
        .collect();
    assert_eq!(
        list,
        vec![
            (Method::Get, "/pets", "listPets", 1, false),
            (Method::Post, "/pets", "createPets", 0, false),
            (Method::Get, "/pets/{petId}", "showPetById", 1, false),
            (Method::Put, "/pets/{petId}", "updatePet", 1, true),
            (Method::Delete, "/pets/{petId}", "deletePet", 1, true),
        ]
    );
    assert_eq!(s.endpoints[2].pointer, "/paths/~1pets~1{petId}/get");
    assert_eq!(s.endpoints[0].summary.as_deref(), Some("List all pets"));
    assert!(s.diagnostics.is_empty(), "{:?}", s.diagnostics);
}

#[test]
fn petstore_har() {
    let c = ok("petstore.yaml", PETSTORE);
    let e = &c.har.log.entries;
    assert_eq!(e.len(), 5);
    assert_valid_har(&c.har);

    assert_eq!(e[0].request.method, "GET");
    assert_eq!(
        e[0].request.url,
        "http://petstore.swagger.io/v1/pets?limit=1"
    );
    assert_eq!(headers(&e[0]), vec![("Accept", "application/json")]);
    assert_eq!(e[0].comment.as_deref(), Some("listPets"));
    assert_eq!(e[0].request.body_size, 0);

    assert_eq!(e[1].request.url, "http://petstore.swagger.io/v1/pets");
    assert_eq!(headers(&e[1]), vec![("Content-Type", "application/json")]);
    assert_eq!(
        body(&e[1]),
        Some(r#"{"id":1,"name":"string","tag":"string"}"#)
    );
    assert_eq!(e[1].request.body_size, 39);

    assert_eq!(e[2].request.url, "http://petstore.swagger.io/v1/pets/1");

    assert_eq!(e[3].request.method, "PUT");
    assert_eq!(e[3].request.url, "http://petstore.swagger.io/v1/pets/42");
    assert_eq!(
        headers(&e[3]),
        vec![
            ("X-API-Key", "<API key: api_key>"),
            ("Content-Type", "application/json"),
            ("Accept", "application/json")
        ]
    );
    assert!(e[3].request.headers[0]
        .comment
        .as_deref()
        .unwrap()
        .contains("Placeholder"));
    assert_eq!(body(&e[3]), Some(r#"{"id":42,"name":"Rex","tag":"dog"}"#));

    assert_eq!(e[4].request.method, "DELETE");
    assert_eq!(headers(&e[4]), vec![("X-API-Key", "<API key: api_key>")]);

    for entry in e {
        assert_eq!(entry.started_date_time, "1970-01-01T00:00:00.000Z");
        assert_eq!(entry.response.status, 0);
        assert_eq!(entry.response.content.mime_type, "x-unknown");
        assert_eq!(entry.request.headers_size, -1);
    }
}

#[test]
fn swagger2_petstore() {
    let c = ok("petstore-swagger2.json", PETSTORE2);
    let s = &c.spec;
    assert_eq!((s.format, s.syntax), (SpecFormat::OpenApi2, Syntax::Json));
    assert_eq!(s.servers[0].url, "https://petstore.swagger.io/v2");
    assert!(s.diagnostics.is_empty(), "{:?}", s.diagnostics);
    assert_eq!(s.endpoints.len(), 10);
    assert!(s.endpoints[3].deprecated);
    assert!(s
        .endpoints
        .iter()
        .filter(|e| e.operation_id.as_deref() != Some("loginUser"))
        .all(|e| e.auth_required));
    assert_valid_har(&c.har);
    let by_id = |id: &str| {
        c.har
            .log
            .entries
            .iter()
            .find(|e| e.comment.as_deref() == Some(id))
            .unwrap()
    };

    let add = by_id("addPet");
    assert_eq!(add.request.url, "https://petstore.swagger.io/v2/pet");
    assert_eq!(
        headers(add),
        vec![
            ("Authorization", "Bearer <token>"),
            ("Content-Type", "application/json")
        ]
    );
    // `id` is readOnly: left out of the request; `name` uses its example.
    assert_eq!(
        body(add),
        Some(
            r#"{"category":{"id":1,"name":"string"},"name":"doggie","photoUrls":["string"],"tags":[{"id":1,"name":"string"}],"status":"available"}"#
        )
    );

    // collectionFormat multi → repeated keys (one item here); x-example used; csv → commas.
    assert_eq!(
        by_id("findPetsByStatus").request.url,
        "https://petstore.swagger.io/v2/pet/findByStatus?status=available"
    );
    assert_eq!(
        by_id("findPetsByTags").request.url,
        "https://petstore.swagger.io/v2/pet/findByTags?tags=tag1,tag2"
    );

    let get = by_id("getPetById");
    assert_eq!(get.request.url, "https://petstore.swagger.io/v2/pet/1");
    assert_eq!(
        headers(get),
        vec![
            ("api_key", "<API key: api_key>"),
            ("Accept", "application/json")
        ]
    );

    let form = by_id("updatePetWithForm");
    let pd = form.request.post_data.as_ref().unwrap();
    assert_eq!(pd.mime_type, "application/x-www-form-urlencoded");
    let params: Vec<_> = pd
        .params
        .iter()
        .map(|p| (p.name.as_str(), p.value.as_deref().unwrap()))
        .collect();
    assert_eq!(params, vec![("name", "string"), ("status", "string")]);
    assert_eq!(
        form.request.body_size,
        "name=string&status=string".len() as i64
    );

    let upload = by_id("uploadFile");
    let pd = upload.request.post_data.as_ref().unwrap();
    assert_eq!(
        pd.mime_type,
        "multipart/form-data; boundary=----prescan-boundary-7MA4YWxkTrZu0gW"
    );
    assert_eq!(
        headers(upload)[1],
        (
            "Content-Type",
            "multipart/form-data; boundary=----prescan-boundary-7MA4YWxkTrZu0gW"
        )
    );
    assert_eq!(pd.params[1].file_name.as_deref(), Some("file.bin"));

    assert_eq!(
        by_id("loginUser").request.url,
        "https://petstore.swagger.io/v2/user/login?username=string&password=password"
    );
}

#[test]
fn hostile_text_is_kept_verbatim_and_headers_stay_single_line() {
    let c = ok("hostile.yaml", HOSTILE);
    assert!(c.spec.title.contains("<script>alert(1)</script>"));
    let d = c.spec.description.as_deref().unwrap();
    assert!(d.contains("<script>alert(1)</script>") && d.contains("<img src=x onerror=alert(1)>"));
    let e = &c.har.log.entries[0];
    assert_eq!(e.request.url, "https://api.example.com/<script>/items/%3Cscript%3Ealert%281%29%3C%2Fscript%3E?%3Cb%3Eq%3C%2Fb%3E=%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E");
    let evil = e
        .request
        .headers
        .iter()
        .find(|h| h.name == "X-Evil")
        .unwrap();
    assert!(!evil.value.contains('\n') && !evil.value.contains('\r'));
    assert_valid_har(&c.har);
}

#[test]
fn input_errors() {
    let err = |bytes: &[u8]| convert("f", bytes, &ConvertOptions::default()).unwrap_err();
    assert_eq!(err(include_bytes!("fixtures/empty.yaml")), LoadError::Empty);
    assert_eq!(err(b"  \n\n\t"), LoadError::Empty);
    assert_eq!(
        err(&[0x50, 0x4B, 0x03, 0x04, 0x00, 0x14]),
        LoadError::Binary { offset: 4 }
    );
    assert_eq!(err(b"openapi: \xC3\x28"), LoadError::Binary { offset: 9 });
    assert!(matches!(
        err(&vec![b' '; prescan_core::MAX_SPEC_BYTES + 1]),
        LoadError::TooLarge { .. }
    ));

    let e = err(include_bytes!("fixtures/invalid.json"));
    assert_eq!(
        e,
        LoadError::Syntax {
            syntax: Syntax::Json,
            line: 13,
            column: 3,
            message: "a `,` is followed by no value (trailing comma)".into(),
            excerpt: prescan_core::Excerpt {
                text: "  }".into(),
                column: 3
            },
        }
    );
    assert_eq!(e.to_string(), "The file is not valid JSON: a `,` is followed by no value (trailing comma) at line 13, column 3. Fix it there and load the file again.");
    match err(include_bytes!("fixtures/invalid.yaml")) {
        LoadError::Syntax {
            syntax: Syntax::Yaml,
            line,
            column,
            message,
            ..
        } => {
            assert_eq!((line, column), (9, 6));
            assert!(
                message.starts_with("a key was expected here: the indentation does not match"),
                "{message}"
            );
            assert!(!message.contains("line"), "{message}");
        }
        other => panic!("{other:?}"),
    }

    assert_eq!(
        err(b"[1, 2]"),
        LoadError::NotASpecification {
            found: "a JSON array".into()
        }
    );
    assert_eq!(
        err(b"- a\n- b\n"),
        LoadError::NotASpecification {
            found: "a YAML list".into()
        }
    );
    assert_eq!(
        err(b"42"),
        LoadError::NotASpecification {
            found: "a number".into()
        }
    );
    assert!(matches!(
        err(b"Just some notes.\n"),
        LoadError::NotASpecification { .. }
    ));
    assert_eq!(err(b"{\"name\": \"x\"}").to_string(), "This is a JSON object without an `openapi` or `swagger` field, not an API specification prescan can read. Supported: OpenAPI 2.0 (Swagger), OpenAPI 3.0 and 3.1, Postman Collection 2.1, and HAR 1.2, in JSON or YAML.");

    // Deep nesting: an error, not a stack overflow.
    assert!(matches!(
        err("[".repeat(100_000).as_bytes()),
        LoadError::Syntax { .. }
    ));
    assert!(matches!(
        err(format!("{}{}", "{\"a\":".repeat(50_000), "1").as_bytes()),
        LoadError::Syntax { .. }
    ));
    assert!(matches!(
        err("- ".repeat(100_000).as_bytes()),
        LoadError::Syntax { .. }
    ));
}

#[test]
fn bom_is_accepted() {
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(PETSTORE);
    assert_eq!(ok("p.yaml", &bytes).spec.endpoints.len(), 5);
}

#[test]
fn many_operations_in_order() {
    let mut paths = serde_json::Map::new();
    for i in 0..150 {
        paths.insert(format!("/r{i:03}/{{id}}"), json!({
            "delete": {"operationId": format!("del{i}"), "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}}], "responses": {"204": {"description": "ok"}}},
            "get": {"operationId": format!("get{i}"), "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer", "minimum": 1}}], "responses": {"200": {"description": "ok"}}}
        }));
    }
    let c = ok_json(
        json!({"openapi": "3.0.3", "info": {"title": "Big", "version": "1"}, "servers": [{"url": "https://api.example.com"}], "paths": paths}),
    );
    assert_eq!(c.spec.endpoints.len(), 300);
    assert_eq!(
        c.spec.prescan_endpoints().len(),
        prescan_core::PRESCAN_LIMIT
    );
    assert_eq!(c.har.log.entries.len(), 300);
    assert_eq!(c.spec.endpoints[0].operation_id.as_deref(), Some("del0"));
    assert_eq!(c.spec.endpoints[1].operation_id.as_deref(), Some("get0"));
    assert_eq!(c.spec.endpoints[299].path, "/r149/{id}");
    assert_eq!(
        c.har.log.entries[1].request.url,
        "https://api.example.com/r000/1"
    );
    assert_valid_har(&c.har);
}

#[test]
fn conversion_is_deterministic() {
    for (name, bytes) in [
        ("petstore.yaml", PETSTORE),
        ("petstore-swagger2.json", PETSTORE2),
        ("hostile.yaml", HOSTILE),
    ] {
        let a = serde_json::to_string(&ok(name, bytes)).unwrap();
        let b = serde_json::to_string(&ok(name, bytes)).unwrap();
        assert_eq!(a, b);
    }
}

#[test]
fn conversion_round_trips_through_json() {
    let c = ok("petstore.yaml", PETSTORE);
    let text = serde_json::to_string(&c).unwrap();
    let back: prescan_core::Conversion = serde_json::from_str(&text).unwrap();
    assert_eq!(back, c);
}

fn spec(paths: Value) -> Value {
    json!({"openapi": "3.0.3", "info": {"title": "T", "version": "1"}, "servers": [{"url": "https://api.example.com/v1"}], "paths": paths})
}

#[test]
fn one_bad_piece_does_not_spoil_the_rest() {
    let c = ok_json(spec(json!({
        "/a": {
            "get": {"parameters": [
                {"name": "ok", "in": "query", "schema": {"type": "string"}},
                {"name": "bad", "in": "body", "schema": {"type": "string"}},
                {"in": "query"}
            ], "responses": {}},
            "post": {"requestBody": {"content": "nope"}, "responses": {}},
            "put": "not an operation",
            "patch": {"responses": {}}
        },
        "/b": 42
    })));
    let ops: Vec<_> = c.spec.endpoints.iter().map(|e| e.method).collect();
    assert_eq!(ops, vec![Method::Get, Method::Post, Method::Patch]);
    assert_eq!(
        c.har.log.entries[0].request.url,
        "https://api.example.com/v1/a?ok=string"
    );
    assert!(c.har.log.entries[1].request.post_data.is_none());
    let errors: Vec<_> = c
        .spec
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| d.pointer.as_str())
        .collect();
    assert_eq!(
        errors,
        vec![
            "/paths/~1a/get/parameters/1",
            "/paths/~1a/get/parameters/2",
            "/paths/~1a/post/requestBody",
            "/paths/~1a/put",
            "/paths/~1b"
        ]
    );
    let bad = &c.spec.diagnostics[0];
    assert!(
        bad.message.contains("`bad`") && bad.message.contains("requestBody"),
        "{}",
        bad.message
    );
    assert!(
        c.spec.diagnostics.iter().all(|d| d.line == Some(1)),
        "JSON on one line"
    );
}

#[test]
fn diagnostics_carry_yaml_lines() {
    let text = "openapi: 3.0.0\ninfo:\n  title: T\n  version: '1'\nservers:\n  - url: https://x.example\npaths:\n  /a:\n    get:\n      parameters:\n        - name: q\n          in: nowhere\n      responses: {}\n";
    let c = ok("a.yaml", text.as_bytes());
    let d = &c.spec.diagnostics[0];
    assert_eq!(d.pointer, "/paths/~1a/get/parameters/0");
    assert_eq!(d.line, Some(11));
}

#[test]
fn path_parameters_merge_and_override() {
    let c = ok_json(spec(json!({
        "/items/{id}": {
            "parameters": [
                {"name": "id", "in": "path", "required": true, "schema": {"type": "string", "example": "from-path-item"}},
                {"name": "trace", "in": "header", "schema": {"type": "string", "example": "t1"}}
            ],
            "get": {"parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer", "example": 7}}], "responses": {}},
            "delete": {"responses": {}}
        }
    })));
    assert_eq!(c.spec.endpoints[0].parameter_count, 2);
    assert_eq!(
        c.har.log.entries[0].request.url,
        "https://api.example.com/v1/items/7"
    );
    assert_eq!(
        c.har.log.entries[1].request.url,
        "https://api.example.com/v1/items/from-path-item"
    );
    assert_eq!(headers(&c.har.log.entries[1]), vec![("trace", "t1")]);
}

#[test]
fn security_requirements() {
    let mut doc = spec(json!({
        "/global": {"get": {"responses": {}}},
        "/none": {"get": {"security": [], "responses": {}}},
        "/optional": {"get": {"security": [{}, {"basic": []}], "responses": {}}},
        "/multi": {"get": {"security": [{"q": [], "c": [], "oidc": []}], "responses": {}}},
        "/undefined": {"get": {"security": [{"nope": []}], "responses": {}}}
    }));
    doc["security"] = json!([{"bearer": []}]);
    doc["components"] = json!({"securitySchemes": {
        "bearer": {"type": "http", "scheme": "bearer"},
        "basic": {"type": "http", "scheme": "basic"},
        "q": {"type": "apiKey", "in": "query", "name": "key"},
        "c": {"type": "apiKey", "in": "cookie", "name": "session"},
        "oidc": {"type": "openIdConnect", "openIdConnectUrl": "https://x/.well-known"}
    }});
    let c = ok_json(doc);
    let auth: Vec<bool> = c.spec.endpoints.iter().map(|e| e.auth_required).collect();
    assert_eq!(auth, vec![true, false, false, true, true]);
    let e = &c.har.log.entries;
    assert_eq!(headers(&e[0]), vec![("Authorization", "Bearer <token>")]);
    assert!(headers(&e[1]).is_empty());
    assert_eq!(
        headers(&e[2]),
        vec![("Authorization", "Basic dXNlcm5hbWU6cGFzc3dvcmQ=")]
    );
    assert_eq!(
        e[3].request.url,
        "https://api.example.com/v1/multi?key=%3CAPI%20key%3A%20q%3E"
    );
    assert_eq!(e[3].request.query_string[0].value, "<API key: q>");
    assert_eq!(e[3].request.cookies[0].name, "session");
    assert_eq!(
        headers(&e[3]),
        vec![
            ("Authorization", "Bearer <token>"),
            ("Cookie", "session=<API%20key:%20c>")
        ]
    );
    assert!(c
        .spec
        .diagnostics
        .iter()
        .any(|d| d.severity == Severity::Warning && d.message.contains("`nope`")));
}

#[test]
fn parameters_in_every_location() {
    let c = ok_json(spec(json!({
        "/p/{a}/{b}": {"post": {
            "parameters": [
                {"name": "a", "in": "path", "required": true, "schema": {"type": "array", "items": {"type": "integer"}, "minItems": 2}},
                {"name": "b", "in": "path", "required": true, "style": "matrix", "explode": true, "schema": {"type": "object", "properties": {"x": {"type": "integer"}, "y": {"type": "string"}}}},
                {"name": "tags", "in": "query", "schema": {"type": "array", "items": {"type": "string", "enum": ["red"]}, "minItems": 2}},
                {"name": "filter", "in": "query", "style": "deepObject", "explode": true, "schema": {"type": "object", "properties": {"age": {"type": "integer", "minimum": 18}}}},
                {"name": "csv", "in": "query", "explode": false, "schema": {"type": "array", "items": {"type": "boolean"}}},
                {"name": "X-Request-ID", "in": "header", "schema": {"type": "string", "format": "uuid"}},
                {"name": "Accept", "in": "header", "schema": {"type": "string", "example": "ignored/by-spec"}},
                {"name": "Content-Type", "in": "header", "schema": {"type": "string"}},
                {"name": "session", "in": "cookie", "schema": {"type": "string", "example": "abc"}},
                {"name": "lang", "in": "cookie", "schema": {"type": "string", "enum": ["en"]}}
            ],
            "requestBody": {"content": {"application/xml": {"schema": {"type": "object"}}, "application/vnd.api+json": {"schema": {"type": "object", "properties": {"n": {"type": "number", "default": 1.5}}}}}},
            "responses": {"201": {"description": "ok", "content": {"application/hal+json": {}, "text/plain": {}}}, "default": {"description": "x", "content": {"text/html": {}}}}
        }}
    })));
    let e = &c.har.log.entries[0];
    assert_eq!(
        e.request.url,
        "https://api.example.com/v1/p/1,1/;x=1;y=string?tags=red&tags=red&filter[age]=18&csv=true"
    );
    assert_eq!(c.spec.endpoints[0].parameter_count, 10);
    assert_eq!(
        headers(e),
        vec![
            ("X-Request-ID", "3fa85f64-5717-4562-b3fc-2c963f66afa6"),
            ("Cookie", "session=abc; lang=en"),
            ("Content-Type", "application/vnd.api+json"),
            ("Accept", "application/hal+json"),
        ]
    );
    assert_eq!(e.request.cookies.len(), 2);
    assert_eq!(body(e), Some(r#"{"n":1.5}"#));
    assert_valid_har(&c.har);
}

#[test]
fn servers_variables_and_stand_ins() {
    let mut doc = spec(
        json!({"/a": {"get": {"responses": {}}, "servers": [{"url": "https://override.example/x/"}]}, "/b": {"get": {"responses": {}}}}),
    );
    doc["servers"] = json!([{"url": "https://{region}.api.example.com:{port}/{base}", "variables": {"region": {"default": "eu", "enum": ["eu", "us"]}, "port": {"default": "8443"}, "base": {"default": "v2"}}}]);
    let c = ok_json(doc.clone());
    assert_eq!(
        c.spec.servers[0].resolved_url,
        "https://eu.api.example.com:8443/v2"
    );
    assert_eq!(
        c.har.log.entries[0].request.url,
        "https://override.example/x/a"
    );
    assert_eq!(
        c.har.log.entries[1].request.url,
        "https://eu.api.example.com:8443/v2/b"
    );

    doc["servers"] = json!([{"url": "/api/v3"}]);
    let c = ok_json(doc.clone());
    assert_eq!(
        c.har.log.entries[1].request.url,
        "http://localhost/api/v3/b"
    );
    let w = &c.spec.diagnostics[0];
    assert_eq!(w.severity, Severity::Warning);
    assert!(
        w.message.contains("fully-qualified base URL"),
        "{}",
        w.message
    );

    doc.as_object_mut().unwrap().remove("servers");
    let c = ok_json(doc.clone());
    assert_eq!(c.har.log.entries[1].request.url, "http://localhost/b");
    assert!(c.spec.diagnostics[0].message.contains("names no server"));

    let options = ConvertOptions {
        base_url: Some("https://staging.example.com/v9/".into()),
        ..ConvertOptions::default()
    };
    let c = convert(
        "s.json",
        serde_json::to_string(&doc).unwrap().as_bytes(),
        &options,
    )
    .unwrap();
    assert_eq!(
        c.har.log.entries[1].request.url,
        "https://staging.example.com/v9/b"
    );
    assert!(c.spec.diagnostics.is_empty());
}

#[test]
fn swagger2_without_host_warns() {
    let c = ok_json(
        json!({"swagger": "2.0", "info": {"title": "T", "version": "1"}, "basePath": "/v1", "paths": {"/a": {"get": {"responses": {"200": {"description": "ok"}}}}}}),
    );
    assert_eq!(c.har.log.entries[0].request.url, "http://localhost/v1/a");
    let w = &c.spec.diagnostics[0];
    assert!(
        w.message.contains("`host`") && w.message.contains("fully-qualified"),
        "{}",
        w.message
    );
}

#[test]
fn references() {
    let mut doc = spec(json!({
        "/a": {"post": {
            "parameters": [{"$ref": "#/components/parameters/Limit"}, {"$ref": "#/components/parameters/Missing"}, {"$ref": "common.yaml#/parameters/Page"}],
            "requestBody": {"$ref": "#/components/requestBodies/Node"},
            "responses": {"200": {"$ref": "#/components/responses/Ok"}}
        }}
    }));
    doc["components"] = json!({
        "parameters": {"Limit": {"name": "limit", "in": "query", "schema": {"$ref": "#/components/schemas/Limit"}}},
        "schemas": {
            "Limit": {"type": "integer", "minimum": 10},
            "Node": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}, "parent": {"$ref": "#/components/schemas/Node"}, "odd~/key": {"$ref": "#/components/schemas/Odd~0~1key"}}},
            "Odd~/key": {"type": "string", "example": "odd"}
        },
        "requestBodies": {"Node": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Node"}}}}},
        "responses": {"Ok": {"description": "ok", "content": {"application/problem+json": {}}}}
    });
    let c = ok_json(doc);
    let e = &c.har.log.entries[0];
    assert_eq!(e.request.url, "https://api.example.com/v1/a?limit=10");
    let body: Value = serde_json::from_str(body(e).unwrap()).unwrap();
    assert_eq!(body["name"], "string");
    assert_eq!(body["odd~/key"], "odd");
    assert!(
        body.get("parent").is_none(),
        "an optional recursive property is left out"
    );
    assert_eq!(
        headers(e).last().unwrap(),
        &("Accept", "application/problem+json")
    );
    let warnings: Vec<_> = c
        .spec
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .collect();
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert!(warnings[0]
        .message
        .contains("#/components/parameters/Missing"));
    assert!(warnings[1].message.contains("`common.yaml`"));
}

#[test]
fn recursive_and_deep_schemas_do_not_overflow() {
    // A chain of 120 nested inline objects (close to the parser's depth limit)
    // and a self-referencing schema.
    let mut schema = json!({"type": "string"});
    for _ in 0..55 {
        schema = json!({"type": "object", "required": ["a"], "properties": {"a": schema}});
    }
    let mut doc = spec(
        json!({"/deep": {"post": {"requestBody": {"content": {"application/json": {"schema": schema}}}, "responses": {}}},
        "/loop": {"post": {"requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/A"}}}}, "responses": {}}}}),
    );
    doc["components"] = json!({"schemas": {"A": {"$ref": "#/components/schemas/B"}, "B": {"$ref": "#/components/schemas/A"}}});
    let c = ok_json(doc);
    assert_eq!(c.har.log.entries.len(), 2);
    assert!(
        c.spec
            .diagnostics
            .iter()
            .any(|d| d.message.contains("loop")),
        "{:?}",
        c.spec.diagnostics
    );
}

#[test]
fn openapi_31_is_read() {
    let c = ok_json(json!({
        "openapi": "3.1.0", "info": {"title": "T", "version": "1"}, "servers": [{"url": "https://x.example"}],
        "paths": {"/a": {"post": {"requestBody": {"content": {"application/json": {"schema": {"type": "object", "required": ["n", "c", "e"], "properties": {
            "n": {"type": ["integer", "null"], "exclusiveMinimum": 0},
            "c": {"const": "fixed"},
            "e": {"type": "string", "examples": ["ex1"]}
        }}}}}, "responses": {}}}}
    }));
    assert_eq!(c.spec.format, SpecFormat::OpenApi31);
    assert_eq!(
        body(&c.har.log.entries[0]),
        Some(r#"{"n":1,"c":"fixed","e":"ex1"}"#)
    );
    assert_eq!(c.spec.diagnostics[0].severity, Severity::Information);

    let webhooks_only = ok_json(
        json!({"openapi": "3.1.0", "info": {"title": "T", "version": "1"}, "webhooks": {"x": {"post": {"responses": {}}}}}),
    );
    assert!(webhooks_only.spec.endpoints.is_empty());
    assert!(webhooks_only
        .spec
        .diagnostics
        .iter()
        .any(|d| d.message.contains("webhooks")));
}

#[test]
fn har_input_is_taken_as_is() {
    let c = ok_json(
        json!({"log": {"version": "1.2", "creator": {"name": "browser", "version": "1"}, "entries": [
            {"request": {"method": "get", "url": "https://api.example.com/v1/pets?limit=2", "queryString": [{"name": "limit", "value": "2"}], "headers": [{"name": "Authorization", "value": "Bearer x"}]}},
            {"startedDateTime": "2024-05-01T10:00:00.000Z", "time": 12.5, "request": {"method": "POST", "url": "https://other.example.com/", "httpVersion": "HTTP/2", "headers": [], "cookies": [], "queryString": [], "headersSize": 10, "bodySize": 2, "postData": {"mimeType": "application/json", "text": "{}"}},
             "response": {"status": 200, "statusText": "OK", "httpVersion": "HTTP/2", "cookies": [], "headers": [], "content": {"size": 2, "mimeType": "application/json", "text": "{}"}, "redirectURL": "", "headersSize": -1, "bodySize": 2}, "cache": {}, "timings": {"send": 1, "wait": 10, "receive": 1.5}},
            {"request": {"method": "CONNECT", "url": "https://x"}}
        ]}}),
    );
    assert_eq!(c.spec.format, SpecFormat::Har12);
    let list: Vec<_> = c
        .spec
        .endpoints
        .iter()
        .map(|e| (e.method, e.path.as_str(), e.auth_required))
        .collect();
    assert_eq!(
        list,
        vec![(Method::Get, "/v1/pets", true), (Method::Post, "/", false)]
    );
    assert_eq!(c.spec.servers.len(), 2);
    assert_eq!(c.har.log.entries.len(), 2);
    assert_eq!(c.har.log.entries[0].request.method, "GET");
    assert_eq!(
        c.har.log.entries[0].started_date_time,
        "1970-01-01T00:00:00.000Z"
    );
    assert_eq!(c.har.log.entries[1].response.status, 200);
    assert_eq!(c.har.log.entries[1].time, 12.5);
    assert_eq!(c.spec.diagnostics.len(), 1, "CONNECT is reported");
    assert_valid_har(&c.har);
}

#[test]
fn undeclared_path_parameters_are_reported() {
    let c = ok_json(spec(json!({"/a/{id}": {"get": {"responses": {}}}})));
    assert_eq!(
        c.har.log.entries[0].request.url,
        "https://api.example.com/v1/a/{id}"
    );
    assert!(c.spec.diagnostics[0].message.contains("`id`"));
}

#[test]
fn fragments_and_queries_written_into_paths() {
    let c = ok_json(spec(json!({
        "/a#variant": {"get": {"parameters": [{"name": "q", "in": "query", "schema": {"type": "integer"}}], "responses": {}}},
        "/b?fixed=1": {"get": {"parameters": [{"name": "q", "in": "query", "schema": {"type": "integer"}}], "responses": {}}}
    })));
    assert_eq!(
        c.har.log.entries[0].request.url,
        "https://api.example.com/v1/a?q=1"
    );
    assert_eq!(
        c.har.log.entries[1].request.url,
        "https://api.example.com/v1/b?fixed=1&q=1"
    );
}

#[test]
fn mutual_tls_is_information() {
    let mut doc = spec(json!({"/a": {"get": {"security": [{"mtls": []}], "responses": {}}}}));
    doc["openapi"] = json!("3.1.0");
    doc["components"] = json!({"securitySchemes": {"mtls": {"type": "mutualTLS"}}});
    let c = ok_json(doc);
    assert!(c.spec.endpoints[0].auth_required);
    assert!(
        c.spec
            .diagnostics
            .iter()
            .all(|d| d.severity == Severity::Information),
        "{:?}",
        c.spec.diagnostics
    );
}

#[test]
fn security_schemes_are_listed_for_the_scan_configuration() {
    use prescan_core::SchemeKind;
    let spec = ok("petstore.yaml", PETSTORE).spec;
    let api_key = spec
        .security_schemes
        .iter()
        .find(|s| matches!(s.kind, SchemeKind::ApiKey { .. }))
        .expect("the Petstore declares an API key scheme");
    assert_eq!(api_key.name, "api_key");
    assert_eq!(api_key.kind.label(), "API key in header X-API-Key");

    let swagger = ok("petstore-swagger2.json", PETSTORE2).spec;
    assert!(
        !swagger.security_schemes.is_empty(),
        "2.0 securityDefinitions are listed too"
    );
}

#[test]
fn content_type_sent_is_concrete() {
    let spec = |content: &str| {
        format!(
            r#"{{"openapi": "3.0.3", "info": {{"title": "t", "version": "1"}},
            "servers": [{{"url": "https://h"}}],
            "paths": {{"/x": {{"post": {{"requestBody": {{"content": {content}}}, "responses": {{}}}}}}}}}}"#
        )
    };
    let sent = |content: &str| {
        let c = ok("t.json", spec(content).as_bytes());
        headers(&c.har.log.entries[0])
            .into_iter()
            .find(|(k, _)| *k == "Content-Type")
            .map(|(_, v)| v.to_owned())
    };
    let schema = r#"{"schema": {"type": "object"}}"#;
    assert_eq!(
        sent(&format!(
            r#"{{"application/*+json": {schema}, "application/json": {schema}}}"#
        ))
        .as_deref(),
        Some("application/json")
    );
    assert_eq!(
        sent(&format!(
            r#"{{"*/*": {schema}, "application/xml": {schema}}}"#
        ))
        .as_deref(),
        Some("application/xml")
    );
    assert_eq!(
        sent(&format!(r#"{{"*/*": {schema}}}"#)).as_deref(),
        Some("application/json")
    );
    assert_eq!(
        sent(&format!(r#"{{"application/*+json": {schema}}}"#)).as_deref(),
        Some("application/vnd.example+json")
    );
}
