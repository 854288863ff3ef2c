//! The user's values (`ConvertOptions::values`) end to end: which entry
//! wins, where each value lands in the HAR, the schema check, entries that
//! match nothing, formats that take no values, and that no values change
//! nothing.

use prescan_core::har::Entry;
use prescan_core::{convert, Conversion, ConvertOptions, Severity, ValueOverrides};
use serde_json::{json, Value};

const PETSTORE: &[u8] = include_bytes!("../../../public/samples/petstore.yaml");
const PETSTORE2: &[u8] = include_bytes!("fixtures/petstore-swagger2.json");
const POSTMAN: &[u8] = include_bytes!("fixtures/postman.json");

fn spec() -> Value {
    json!({
        "openapi": "3.0.3",
        "info": {"title": "Orders", "version": "1"},
        "servers": [{"url": "https://api.example.com"}],
        "paths": {
            "/orders/{id}": {
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}}],
                "get": {
                    "parameters": [
                        {"name": "limit", "in": "query", "schema": {"type": "integer", "maximum": 100}},
                        {"name": "X-Tenant", "in": "header", "schema": {"type": "string"}},
                        {"name": "session", "in": "cookie", "schema": {"type": "string"}},
                        {"name": "id", "in": "query", "schema": {"type": "string"}}
                    ],
                    "responses": {"200": {"description": "ok"}}
                },
                "put": {
                    "requestBody": {"content": {"application/json": {"schema": {
                        "type": "object",
                        "properties": {
                            "name": {"type": "string"},
                            "count": {"type": "integer"},
                            "tags": {"type": "array", "items": {"type": "string"}}
                        }
                    }}}},
                    "responses": {"200": {"description": "ok"}}
                }
            },
            "/forms": {
                "post": {
                    "requestBody": {"content": {"application/x-www-form-urlencoded": {"schema": {
                        "type": "object",
                        "properties": {"name": {"type": "string"}, "count": {"type": "integer"}}
                    }}}},
                    "responses": {"200": {"description": "ok"}}
                }
            }
        }
    })
}

fn convert_with(bytes: &[u8], name: &str, lines: &str) -> Conversion {
    let options = ConvertOptions {
        values: ValueOverrides::parse_lines(lines).unwrap(),
        ..ConvertOptions::default()
    };
    convert(name, bytes, &options).unwrap()
}

fn orders(lines: &str) -> Conversion {
    convert_with(spec().to_string().as_bytes(), "orders.json", lines)
}

fn entry<'c>(c: &'c Conversion, method: &str, path: &str) -> &'c Entry {
    let i = c
        .spec
        .endpoints
        .iter()
        .position(|e| e.method.as_str() == method && e.path == path)
        .unwrap();
    &c.har.log.entries[i]
}

fn query<'e>(e: &'e Entry, name: &str) -> Option<&'e str> {
    e.request
        .query_string
        .iter()
        .find(|q| q.name == name)
        .map(|q| q.value.as_str())
}

fn body(e: &Entry) -> Value {
    let text = e
        .request
        .post_data
        .as_ref()
        .unwrap()
        .text
        .as_deref()
        .unwrap();
    serde_json::from_str(text).unwrap()
}

fn warnings(c: &Conversion) -> Vec<&str> {
    c.spec
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .map(|d| d.message.as_str())
        .collect()
}

#[test]
fn values_land_in_path_query_header_cookie_and_body() {
    let c = orders(
        "id=1001\nlimit=5\nheader:x-tenant=acme\ncookie:session=s3cr3t\nbody:name=Rex\ncount=7\ntags=[\"a\",\"b\"]",
    );
    let get = entry(&c, "GET", "/orders/{id}");
    assert_eq!(
        get.request.url.split('?').next().unwrap(),
        "https://api.example.com/orders/1001"
    );
    assert_eq!(query(get, "limit"), Some("5"));
    assert_eq!(
        query(get, "id"),
        Some("1001"),
        "a name alone applies in every location"
    );
    assert!(get
        .request
        .headers
        .iter()
        .any(|h| h.name == "X-Tenant" && h.value == "acme"));
    assert!(get
        .request
        .cookies
        .iter()
        .any(|k| k.name == "session" && k.value == "s3cr3t"));
    let put = entry(&c, "PUT", "/orders/{id}");
    assert_eq!(
        body(put),
        json!({"name": "Rex", "count": 7, "tags": ["a", "b"]})
    );
    let form = entry(&c, "POST", "/forms");
    let params = &form.request.post_data.as_ref().unwrap().params;
    assert!(
        params
            .iter()
            .any(|p| p.name == "name" && p.value.as_deref() == Some("Rex")),
        "{params:?}"
    );
    assert!(params
        .iter()
        .any(|p| p.name == "count" && p.value.as_deref() == Some("7")));
    let listed = &c.spec.endpoints[0].user_values;
    assert_eq!(
        listed,
        &[
            "path:id",
            "query:limit",
            "header:X-Tenant",
            "cookie:session",
            "query:id"
        ]
    );
    assert_eq!(
        c.spec.endpoints[1].user_values,
        ["path:id", "body:name", "body:count", "body:tags"]
    );
    assert!(warnings(&c).is_empty(), "{:?}", warnings(&c));
}

#[test]
fn the_most_specific_entry_wins() {
    let c = orders(
        "id=1\nquery:id=2\nGET /orders/{id} id=3\nGET /orders/{id} path:id=4\nPUT /orders/{id} id=5",
    );
    let get = entry(&c, "GET", "/orders/{id}");
    assert!(
        get.request
            .url
            .starts_with("https://api.example.com/orders/4"),
        "operation and location: {}",
        get.request.url
    );
    assert_eq!(query(get, "id"), Some("3"), "operation beats location");
    let c = orders("id=1\nquery:id=2");
    let get = entry(&c, "GET", "/orders/{id}");
    assert!(
        get.request
            .url
            .starts_with("https://api.example.com/orders/1"),
        "name only: {}",
        get.request.url
    );
    assert_eq!(query(get, "id"), Some("2"), "location beats name");
    // The PUT entry was used nowhere but it matched nothing only because
    // PUT has no `id` parameter of its own besides the path-level one.
    let c = orders("PUT /orders/{id} id=5");
    assert!(entry(&c, "PUT", "/orders/{id}")
        .request
        .url
        .ends_with("/orders/5"));
    assert!(entry(&c, "GET", "/orders/{id}")
        .request
        .url
        .contains("/orders/1"));
}

#[test]
fn a_value_that_does_not_fit_is_sent_with_a_warning() {
    let c = orders("path:id=abc\nlimit=500\ncount=many");
    let get = entry(&c, "GET", "/orders/{id}");
    assert!(get
        .request
        .url
        .starts_with("https://api.example.com/orders/abc"));
    assert_eq!(query(get, "limit"), Some("500"));
    let w = warnings(&c);
    assert!(
        w.iter().any(|m| m.contains("\"abc\"")
            && m.contains("path parameter `id`")
            && m.contains("integer")
            && m.contains("sent as you gave it")),
        "{w:?}"
    );
    assert!(
        w.iter().any(|m| m.contains("500") && m.contains("`limit`")),
        "{w:?}"
    );
    assert!(
        w.iter()
            .any(|m| m.contains("\"many\"") && m.contains("body property `count`")),
        "{w:?}"
    );
    assert_eq!(
        body(entry(&c, "PUT", "/orders/{id}"))["count"],
        json!("many")
    );
}

#[test]
fn values_are_typed_by_their_schema_in_the_body() {
    let c = orders("body:name=42\ncount=\"7\"\ntags=x");
    let sent = body(entry(&c, "PUT", "/orders/{id}"));
    assert_eq!(sent["name"], json!("42"), "a string schema keeps the text");
    assert_eq!(
        sent["count"],
        json!("\"7\""),
        "a quoted integer is not an integer"
    );
    assert_eq!(sent["tags"], json!("x"));
    let w = warnings(&c);
    assert!(w.iter().any(|m| m.contains("`count`")), "{w:?}");
    assert!(
        w.iter()
            .any(|m| m.contains("`tags`") && m.contains("array")),
        "{w:?}"
    );
}

#[test]
fn a_value_that_matches_nothing_is_reported() {
    let c = orders("petId=42\nDELETE /orders/{id} id=1\nheader:limit=1");
    let w = warnings(&c);
    for label in ["petId=42", "DELETE /orders/{id} id=1", "header:limit=1"] {
        assert!(
            w.iter()
                .any(|m| m.contains(&format!("`{label}` matches no parameter"))),
            "{label}: {w:?}"
        );
    }
    let many: String = (0..50).map(|i| format!("nothing{i}=1\n")).collect();
    let c = orders(&many);
    let w = warnings(&c);
    assert_eq!(
        w.iter()
            .filter(|m| m.contains("matches no parameter"))
            .count(),
        10
    );
    assert!(
        w.iter()
            .any(|m| m.contains("40 more values match no parameter")),
        "{w:?}"
    );
}

#[test]
fn swagger2_takes_values_and_postman_says_it_does_not() {
    let c = convert_with(PETSTORE2, "petstore.json", "petId=42");
    let shown = c
        .har
        .log
        .entries
        .iter()
        .find(|e| e.request.url.contains("/pet/4"))
        .unwrap();
    assert!(
        shown.request.url.ends_with("/pet/42"),
        "{}",
        shown.request.url
    );
    assert!(c
        .spec
        .endpoints
        .iter()
        .any(|e| e.user_values == ["path:petId"]));
    let c = convert_with(POSTMAN, "postman.json", "petId=42");
    assert!(
        warnings(&c)
            .iter()
            .any(|m| m.contains("OpenAPI and Swagger specifications only")),
        "{:?}",
        warnings(&c)
    );
}

#[test]
fn values_past_their_budget_are_refused_whole() {
    // Values deserialized from a request (the JSON API) skip parse_lines:
    // the conversion checks them again.
    let mut options = ConvertOptions::default();
    options.values.entries = (0..=prescan_core::values::MAX_ENTRIES)
        .map(|i| prescan_core::ValueEntry {
            name: format!("p{i}"),
            operation: None,
            location: None,
            value: "1".into(),
        })
        .collect();
    let c = convert("orders.json", spec().to_string().as_bytes(), &options).unwrap();
    assert!(c
        .spec
        .diagnostics
        .iter()
        .any(|d| d.severity == Severity::Error
            && d.message.contains("could not be used")
            && d.message.contains("more than 1000")));
    let get = entry(&c, "GET", "/orders/{id}");
    assert!(get.request.url.contains("/orders/1"));
    assert!(c.spec.endpoints.iter().all(|e| e.user_values.is_empty()));
}

#[test]
fn no_values_change_nothing() {
    let plain = convert("petstore.yaml", PETSTORE, &ConvertOptions::default()).unwrap();
    let from_json: ConvertOptions = serde_json::from_str(r#"{"values": []}"#).unwrap();
    let again = convert("petstore.yaml", PETSTORE, &from_json).unwrap();
    assert_eq!(plain, again);
    let text = serde_json::to_string(&plain.spec).unwrap();
    assert!(
        !text.contains("user_values"),
        "the field is not written when empty"
    );
    let with = convert_with(PETSTORE, "petstore.yaml", "petId=42");
    assert_ne!(plain.har, with.har);
    assert_eq!(plain.spec.endpoints.len(), with.spec.endpoints.len());
}

#[test]
fn a_thousand_entries_for_one_name_stay_cheap() {
    // 1,000 entries named `id`, one per operation, on 1,000 operations:
    // each parameter looks at the entries of its name only.
    let paths: serde_json::Map<String, Value> = (0..1000)
        .map(|i| {
            (
                format!("/items{i}/{{id}}"),
                json!({"get": {
                    "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}}],
                    "responses": {"200": {"description": "ok"}}
                }}),
            )
        })
        .collect();
    let doc = json!({
        "openapi": "3.0.3",
        "info": {"title": "Many", "version": "1"},
        "servers": [{"url": "https://api.example.com"}],
        "paths": paths
    });
    let lines: String = (0..1000)
        .map(|i| format!("GET /items{i}/{{id}} id={}\n", 5000 + i))
        .collect();
    let started = std::time::Instant::now();
    let c = convert_with(doc.to_string().as_bytes(), "many.json", &lines);
    assert!(started.elapsed().as_secs() < 20);
    for (e, entry) in c.spec.endpoints.iter().zip(&c.har.log.entries) {
        let i: usize = e.path["/items".len()..e.path.find("/{").unwrap()]
            .parse()
            .unwrap();
        assert!(
            entry.request.url.ends_with(&format!("/{}", 5000 + i)),
            "{}",
            entry.request.url
        );
    }
    assert!(!warnings(&c)
        .iter()
        .any(|m| m.contains("matches no parameter")));
}
