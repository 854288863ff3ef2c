//! The rules of issue #3, one test each: options (servers, variables, base
//! URL, credentials, HAR style), the OpenAPI style table, OpenAPI 3.1,
//! Postman 2.1, specifications split over several files, value rules.

use std::collections::BTreeMap;

use prescan_core::har::Entry;
use prescan_core::{
    convert, convert_files, ConvertOptions, HarStyle, ScanAuth, Severity, SourceFile, SpecFormat,
};
use serde_json::{json, Value};

fn run(v: &Value, options: &ConvertOptions) -> prescan_core::Conversion {
    convert("spec.json", v.to_string().as_bytes(), options).unwrap()
}

fn header<'e>(e: &'e Entry, name: &str) -> Option<&'e str> {
    e.request
        .headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case(name))
        .map(|h| h.value.as_str())
}

fn has(c: &prescan_core::Conversion, severity: Severity, needle: &str) -> bool {
    c.spec
        .diagnostics
        .iter()
        .any(|d| d.severity == severity && d.message.contains(needle))
}

// ---------------------------------------------------------------- servers

fn servers_spec() -> Value {
    json!({
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "servers": [
            {"url": "https://{region}.example.com:{port}/v1", "variables": {
                "region": {"default": "eu", "enum": ["eu", "us"], "description": "Region"},
                "port": {"default": "443"}
            }},
            {"url": "https://second.example.com//v2/"}
        ],
        "paths": {
            "/a": {"get": {"responses": {"200": {"description": "ok"}}}},
            "/b": {"servers": [{"url": "/v3"}], "get": {"responses": {}}},
            "/c": {"get": {"servers": [{"url": "https://op.example.com/{v}", "variables": {"v": {"default": "x"}}}], "responses": {}}}
        }
    })
}

#[test]
fn servers_variables_and_choices() {
    let c = run(&servers_spec(), &ConvertOptions::default());
    let s = &c.spec.servers[0];
    assert_eq!(s.resolved_url, "https://eu.example.com:443/v1");
    assert_eq!(s.variables.len(), 2);
    assert_eq!(s.variables[0].name, "region");
    assert_eq!(s.variables[0].enum_values, ["eu", "us"]);
    assert_eq!(s.variables[0].description.as_deref(), Some("Region"));
    let urls: Vec<&str> = c
        .har
        .log
        .entries
        .iter()
        .map(|e| e.request.url.as_str())
        .collect();
    assert_eq!(
        urls,
        [
            "https://eu.example.com:443/v1/a",
            "https://eu.example.com:443/v3/b",
            "https://op.example.com/x/c"
        ]
    );

    let mut vars = BTreeMap::new();
    vars.insert("region".to_owned(), "us".to_owned());
    vars.insert("v".to_owned(), "y".to_owned());
    let c = run(
        &servers_spec(),
        &ConvertOptions {
            server_variables: vars.clone(),
            ..Default::default()
        },
    );
    assert_eq!(
        c.har.log.entries[0].request.url,
        "https://us.example.com:443/v1/a"
    );
    assert_eq!(
        c.har.log.entries[2].request.url,
        "https://op.example.com/y/c"
    );

    // A value outside the enum: used, with a Warning.
    vars.insert("region".to_owned(), "ap".to_owned());
    let c = run(
        &servers_spec(),
        &ConvertOptions {
            server_variables: vars,
            ..Default::default()
        },
    );
    assert_eq!(
        c.har.log.entries[0].request.url,
        "https://ap.example.com:443/v1/a"
    );
    assert!(has(&c, Severity::Warning, "not one of the values"));

    // The second server; repeated `//` collapsed.
    let c = run(
        &servers_spec(),
        &ConvertOptions {
            server: Some(1),
            ..Default::default()
        },
    );
    assert_eq!(
        c.har.log.entries[0].request.url,
        "https://second.example.com/v2/a"
    );
    // Out of range: the first, with a Warning.
    let c = run(
        &servers_spec(),
        &ConvertOptions {
            server: Some(7),
            ..Default::default()
        },
    );
    assert_eq!(
        c.har.log.entries[0].request.url,
        "https://eu.example.com:443/v1/a"
    );
    assert!(has(&c, Severity::Warning, "Server 8 was chosen"));

    // The user's base URL replaces the global servers; a relative path-level
    // server goes against its origin; absolute operation servers stay.
    let c = run(
        &servers_spec(),
        &ConvertOptions {
            base_url: Some("https://staging.example.com/api/".into()),
            server: Some(1),
            ..Default::default()
        },
    );
    let urls: Vec<&str> = c
        .har
        .log
        .entries
        .iter()
        .map(|e| e.request.url.as_str())
        .collect();
    assert_eq!(
        urls,
        [
            "https://staging.example.com/api/a",
            "https://staging.example.com/v3/b",
            "https://op.example.com/x/c"
        ]
    );
    // A base URL that is not fully qualified is refused.
    let c = run(
        &servers_spec(),
        &ConvertOptions {
            base_url: Some("/relative".into()),
            ..Default::default()
        },
    );
    assert!(has(&c, Severity::Error, "not fully qualified"));
    assert_eq!(
        c.har.log.entries[0].request.url,
        "https://eu.example.com:443/v1/a"
    );
}

// ---------------------------------------------------------------- security

fn security_spec() -> Value {
    json!({
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "servers": [{"url": "https://api.example.com"}],
        "components": {"securitySchemes": {
            "key": {"type": "apiKey", "in": "header", "name": "X-Key"},
            "qkey": {"type": "apiKey", "in": "query", "name": "api_key"},
            "ckey": {"type": "apiKey", "in": "cookie", "name": "sid"},
            "basic": {"type": "http", "scheme": "basic"},
            "bearer": {"type": "http", "scheme": "bearer"},
            "oauth": {"type": "oauth2", "flows": {}},
            "oidc": {"type": "openIdConnect", "openIdConnectUrl": "https://x"}
        }},
        "paths": {
            "/and": {"get": {"security": [{"key": [], "qkey": [], "ckey": []}], "responses": {}}},
            "/or": {"get": {"security": [{"basic": []}, {"bearer": []}], "responses": {}}},
            "/oauth": {"get": {"security": [{"oauth": []}], "responses": {}}},
            "/oidc": {"get": {"security": [{"oidc": []}], "responses": {}}},
            "/missing-first": {"get": {"security": [{"nope": []}, {"key": []}], "responses": {}}},
            "/optional": {"get": {"security": [{}, {"bearer": []}], "responses": {}}}
        }
    })
}

#[test]
fn security_placeholders_and_alternatives() {
    let c = run(&security_spec(), &ConvertOptions::default());
    let e = &c.har.log.entries;
    assert_eq!(header(&e[0], "X-Key"), Some("<API key: key>"));
    assert!(e[0]
        .request
        .url
        .ends_with("/and?api_key=%3CAPI%20key%3A%20qkey%3E"));
    assert_eq!(e[0].request.cookies[0].name, "sid");
    assert_eq!(
        header(&e[1], "Authorization"),
        Some("Basic dXNlcm5hbWU6cGFzc3dvcmQ=")
    );
    assert_eq!(header(&e[2], "Authorization"), Some("Bearer <token>"));
    assert_eq!(header(&e[3], "Authorization"), Some("Bearer <token>"));
    // The first alternative cannot be satisfied (undefined scheme): the second.
    assert_eq!(header(&e[4], "X-Key"), Some("<API key: key>"));
    assert!(has(&c, Severity::Warning, "`nope` is not defined"));
    // Optional auth: the placeholder is still shown (a scan tests auth).
    assert_eq!(header(&e[5], "Authorization"), Some("Bearer <token>"));
    assert!(!c.spec.endpoints[5].auth_required);
    let comment = e[1].request.headers[0].comment.as_deref().unwrap_or("");
    assert!(comment.contains("Placeholder"), "{comment}");
}

#[test]
fn credentials_the_user_enters() {
    let mut api_keys = BTreeMap::new();
    api_keys.insert("key".to_owned(), "k-SECRET".to_owned());
    let options = ConvertOptions {
        auth: ScanAuth {
            bearer: Some("t-SECRET".into()),
            api_keys,
            custom_headers: vec![
                ("X-Tenant".into(), "acme".into()),
                ("Host".into(), "evil-SECRET".into()),
                ("X-Bad:".into(), "v".into()),
            ],
            custom_cookies: vec![("session".into(), "s SECRET".into())],
            ..Default::default()
        },
        ..Default::default()
    };
    let c = run(&security_spec(), &options);
    let e = &c.har.log.entries;
    assert_eq!(header(&e[0], "X-Key"), Some("k-SECRET"));
    // OR: basic has no credentials, bearer has: bearer is preferred.
    assert_eq!(header(&e[1], "Authorization"), Some("Bearer t-SECRET"));
    assert_eq!(header(&e[2], "Authorization"), Some("Bearer t-SECRET"));
    for entry in e {
        assert_eq!(header(entry, "X-Tenant"), Some("acme"));
        assert!(header(entry, "Host").is_none() && header(entry, "X-Bad").is_none());
        assert!(header(entry, "Cookie")
            .unwrap()
            .contains("session=s%20SECRET"));
    }
    let comment = e[0].request.headers[0].comment.as_deref().unwrap_or("");
    assert!(comment.contains("you entered"), "{comment}");
    // Refused headers are Errors; no secret appears in any diagnostic.
    assert!(has(&c, Severity::Error, "`Host` is set by the scanner"));
    assert!(has(&c, Severity::Error, "colon"));
    for d in &c.spec.diagnostics {
        assert!(!d.message.contains("SECRET"), "{}", d.message);
    }
    // Basic credentials.
    let c = run(
        &security_spec(),
        &ConvertOptions {
            auth: ScanAuth {
                basic: Some(("alice".into(), "pw".into())),
                ..Default::default()
            },
            ..Default::default()
        },
    );
    assert_eq!(
        header(&c.har.log.entries[1], "Authorization"),
        Some("Basic YWxpY2U6cHc=")
    );
    // A custom Authorization header counts as credentials and wins.
    let c = run(
        &security_spec(),
        &ConvertOptions {
            auth: ScanAuth {
                custom_headers: vec![("Authorization".into(), "Token abc".into())],
                ..Default::default()
            },
            ..Default::default()
        },
    );
    assert_eq!(
        header(&c.har.log.entries[1], "Authorization"),
        Some("Token abc")
    );
}

/// Two operations; `security` (if any) on the second only, with the
/// schemes of `schemes`.
fn two_operations(schemes: Option<Value>) -> Value {
    let mut spec = json!({
        "openapi": "3.0.3",
        "info": {"title": "T", "version": "1"},
        "servers": [{"url": "https://api.example.com"}],
        "paths": {
            "/a": {"get": {"responses": {"200": {"description": "ok"}}}},
            "/b": {"get": {"responses": {"200": {"description": "ok"}}}}
        }
    });
    if let Some(schemes) = schemes {
        let first = schemes.as_object().unwrap().keys().next().unwrap().clone();
        spec["components"] = json!({ "securitySchemes": schemes });
        spec["paths"]["/b"]["get"]["security"] = json!([{ first: [] }]);
    }
    spec
}

fn with_auth(auth: ScanAuth) -> ConvertOptions {
    ConvertOptions {
        auth,
        ..Default::default()
    }
}

#[test]
fn no_credential_is_silently_left_out() {
    // No security declared (GitHub's description): the token goes with every request.
    let c = run(
        &two_operations(None),
        &with_auth(ScanAuth {
            bearer: Some("t-SECRET".into()),
            basic: Some(("alice".into(), "pw-SECRET".into())),
            ..Default::default()
        }),
    );
    for entry in &c.har.log.entries {
        assert_eq!(header(entry, "Authorization"), Some("Bearer t-SECRET"));
        let comment = entry
            .request
            .headers
            .iter()
            .find(|h| h.name == "Authorization")
            .unwrap()
            .comment
            .clone()
            .unwrap_or_default();
        assert!(comment.contains("declares no security"), "{comment}");
    }
    assert!(has(
        &c,
        Severity::Information,
        "Your bearer token is sent with every request"
    ));
    // One Authorization header: the basic credentials are named, not dropped silently.
    assert!(has(
        &c,
        Severity::Warning,
        "Your HTTP Basic user name and password is sent with no request"
    ));

    // Over the requests' budget: named, not added.
    let c = run(
        &two_operations(None),
        &ConvertOptions {
            limits: prescan_core::Limits {
                har_bytes: 1_000,
                ..Default::default()
            },
            ..with_auth(ScanAuth {
                bearer: Some("t".repeat(1_000)),
                ..Default::default()
            })
        },
    );
    assert!(c
        .har
        .log
        .entries
        .iter()
        .all(|e| header(e, "Authorization").is_none()));
    assert!(has(
        &c,
        Severity::Warning,
        "Your bearer token is sent with no request: added to each of the 2 requests it would pass"
    ));

    // An API key for a scheme the specification does not have.
    let mut api_keys = BTreeMap::new();
    api_keys.insert("nokey".to_owned(), "k-SECRET".to_owned());
    let c = run(
        &two_operations(None),
        &with_auth(ScanAuth {
            api_keys,
            ..Default::default()
        }),
    );
    assert!(has(
        &c,
        Severity::Warning,
        "Your API key for `nokey` is sent with no request"
    ));
    assert!(c.har.log.entries.iter().all(|e| !e
        .request
        .headers
        .iter()
        .any(|h| h.value.contains("k-SECRET"))));

    // Security declared, the token fits no scheme: a Warning naming the scheme used.
    let c = run(
        &two_operations(Some(
            json!({"key": {"type": "apiKey", "in": "header", "name": "X-Key"}}),
        )),
        &with_auth(ScanAuth {
            bearer: Some("t-SECRET".into()),
            ..Default::default()
        }),
    );
    assert!(c
        .har
        .log
        .entries
        .iter()
        .all(|e| header(e, "Authorization").is_none()));
    assert!(has(&c, Severity::Warning, "Your bearer token is sent with no request: the operations use other security schemes (`key`)"));
    assert!(has(
        &c,
        Severity::Warning,
        "custom header (`Authorization`)"
    ));

    // Security on one operation of two: the count says so.
    let c = run(
        &two_operations(Some(json!({"token": {"type": "http", "scheme": "bearer"}}))),
        &with_auth(ScanAuth {
            bearer: Some("t-SECRET".into()),
            ..Default::default()
        }),
    );
    assert_eq!(header(&c.har.log.entries[0], "Authorization"), None);
    assert_eq!(
        header(&c.har.log.entries[1], "Authorization"),
        Some("Bearer t-SECRET")
    );
    assert!(has(
        &c,
        Severity::Information,
        "Your bearer token is sent with 1 of 2 requests"
    ));

    for d in &c.spec.diagnostics {
        assert!(!d.message.contains("SECRET"), "{}", d.message);
    }

    // Carried by every request: said too, so that every credential has its line.
    let mut spec = two_operations(Some(json!({"token": {"type": "http", "scheme": "bearer"}})));
    spec["security"] = json!([{"token": []}]);
    let c = run(
        &spec,
        &with_auth(ScanAuth {
            bearer: Some("t-SECRET".into()),
            ..Default::default()
        }),
    );
    assert!(c
        .har
        .log
        .entries
        .iter()
        .all(|e| header(e, "Authorization") == Some("Bearer t-SECRET")));
    assert!(has(
        &c,
        Severity::Information,
        "Your bearer token is sent with all 2 requests, as the security schemes of the operations ask (`token`)"
    ));
}

// ---------------------------------------------------------------- HAR style

#[test]
fn veracode_har_style_keeps_templates() {
    let spec = json!({
        "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
        "servers": [{"url": "https://api.example.com"}],
        "paths": {"/pets/{petId}/toys/{toy}": {"get": {"operationId": "getToy", "parameters": [
            {"name": "petId", "in": "path", "required": true, "schema": {"type": "integer"}, "example": 42},
            {"name": "toy", "in": "path", "required": true, "schema": {"type": "string"}, "example": "a&b c"},
            {"name": "q", "in": "query", "schema": {"type": "string"}, "example": "x"}
        ], "responses": {}}}}
    });
    let concrete = run(&spec, &ConvertOptions::default());
    let e = &concrete.har.log.entries[0];
    assert_eq!(
        e.request.url,
        "https://api.example.com/pets/42/toys/a%26b%20c?q=x"
    );
    assert_eq!(e.comment.as_deref(), Some("getToy"));
    let veracode = run(
        &spec,
        &ConvertOptions {
            har_style: HarStyle::Veracode,
            ..Default::default()
        },
    );
    let e = &veracode.har.log.entries[0];
    assert_eq!(
        e.request.url,
        "https://api.example.com/pets/{petId}/toys/{toy}?q=x"
    );
    assert_eq!(e.comment.as_deref(), Some("petId=42&toy=a%26b%20c"));
    assert_eq!(e.request.comment.as_deref(), Some("getToy"));
}

// ---------------------------------------------------------------- style table

/// The OpenAPI style table (3.1.1; `label` as RFC 6570 writes it), for
/// `color` = "blue" / ["blue","black","brown"] / {"R":100,"G":200,"B":150}.
#[test]
fn openapi_style_table() {
    let values = [
        json!("blue"),
        json!(["blue", "black", "brown"]),
        json!({"R": 100, "G": 200, "B": 150}),
    ];
    // (in, style, explode, [expected for string, array, object]); None: n/a.
    let table: Vec<(&str, &str, bool, [Option<&str>; 3])> = vec![
        (
            "path",
            "matrix",
            false,
            [
                Some(";color=blue"),
                Some(";color=blue,black,brown"),
                Some(";color=R,100,G,200,B,150"),
            ],
        ),
        (
            "path",
            "matrix",
            true,
            [
                Some(";color=blue"),
                Some(";color=blue;color=black;color=brown"),
                Some(";R=100;G=200;B=150"),
            ],
        ),
        (
            "path",
            "label",
            false,
            [
                Some(".blue"),
                Some(".blue,black,brown"),
                Some(".R,100,G,200,B,150"),
            ],
        ),
        (
            "path",
            "label",
            true,
            [
                Some(".blue"),
                Some(".blue.black.brown"),
                Some(".R=100.G=200.B=150"),
            ],
        ),
        (
            "path",
            "simple",
            false,
            [
                Some("blue"),
                Some("blue,black,brown"),
                Some("R,100,G,200,B,150"),
            ],
        ),
        (
            "path",
            "simple",
            true,
            [
                Some("blue"),
                Some("blue,black,brown"),
                Some("R=100,G=200,B=150"),
            ],
        ),
        (
            "query",
            "form",
            false,
            [
                Some("color=blue"),
                Some("color=blue,black,brown"),
                Some("color=R,100,G,200,B,150"),
            ],
        ),
        (
            "query",
            "form",
            true,
            [
                Some("color=blue"),
                Some("color=blue&color=black&color=brown"),
                Some("R=100&G=200&B=150"),
            ],
        ),
        (
            "query",
            "spaceDelimited",
            false,
            [
                None,
                Some("color=blue%20black%20brown"),
                Some("color=R%20100%20G%20200%20B%20150"),
            ],
        ),
        (
            "query",
            "pipeDelimited",
            false,
            [
                None,
                Some("color=blue|black|brown"),
                Some("color=R|100|G|200|B|150"),
            ],
        ),
        (
            "query",
            "deepObject",
            true,
            [None, None, Some("color[R]=100&color[G]=200&color[B]=150")],
        ),
        (
            "header",
            "simple",
            false,
            [
                Some("blue"),
                Some("blue,black,brown"),
                Some("R,100,G,200,B,150"),
            ],
        ),
        (
            "header",
            "simple",
            true,
            [
                Some("blue"),
                Some("blue,black,brown"),
                Some("R=100,G=200,B=150"),
            ],
        ),
        (
            "cookie",
            "form",
            false,
            [
                Some("color=blue"),
                Some("color=blue%2Cblack%2Cbrown"),
                Some("color=R%2C100%2CG%2C200%2CB%2C150"),
            ],
        ),
        (
            "cookie",
            "form",
            true,
            [
                Some("color=blue"),
                Some("color=blue; color=black; color=brown"),
                Some("R=100; G=200; B=150"),
            ],
        ),
    ];
    for (location, style, explode, expected) in table {
        for (value, want) in values.iter().zip(expected) {
            let Some(want) = want else { continue };
            let path = if location == "path" {
                "/x/{color}"
            } else {
                "/x"
            };
            let spec = json!({
                "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
                "servers": [{"url": "https://h"}],
                "paths": {path: {"get": {"parameters": [{
                    "name": "color", "in": location, "required": true, "style": style,
                    "explode": explode, "schema": {}, "example": value
                }], "responses": {}}}}
            });
            let c = run(&spec, &ConvertOptions::default());
            let e = &c.har.log.entries[0];
            let got = match location {
                "path" => e.request.url.trim_start_matches("https://h/x/").to_owned(),
                "query" => e
                    .request
                    .url
                    .split_once('?')
                    .map(|(_, q)| q.to_owned())
                    .unwrap_or_default(),
                "header" => header(e, "color").unwrap_or("").to_owned(),
                _ => header(e, "Cookie").unwrap_or("").to_owned(),
            };
            assert_eq!(got, want, "{location} {style} explode={explode} {value}");
        }
    }
}

// ---------------------------------------------------------------- 3.1

#[test]
fn openapi_31_features() {
    let spec = json!({
        "openapi": "3.1.0", "info": {"title": "t", "version": "1"},
        "servers": [{"url": "https://h"}],
        "webhooks": {"a": {"post": {}}, "b": {"post": {}}},
        "components": {
            "schemas": {"Pet": {"type": "object", "properties": {"id": {"type": "integer"}}}},
            "pathItems": {"Shared": {"post": {"requestBody": {"content": {"application/json": {"schema": {
                "type": "object",
                "properties": {
                    "a": {"type": ["string", "null"], "examples": ["ex1", "ex2"], "example": "no"},
                    "b": {"const": "fixed", "enum": ["x", "fixed"]},
                    "c": {"type": "integer", "exclusiveMinimum": 5},
                    "d": {"$ref": "#/components/schemas/Pet", "example": {"id": 9}},
                    "e": {"type": "number", "exclusiveMaximum": 0}
                }
            }}}}, "responses": {}}}}
        },
        "paths": {"/shared": {"$ref": "#/components/pathItems/Shared"}}
    });
    let c = run(&spec, &ConvertOptions::default());
    assert_eq!(c.spec.format, SpecFormat::OpenApi31);
    let body: Value = serde_json::from_str(
        c.har.log.entries[0]
            .request
            .post_data
            .as_ref()
            .unwrap()
            .text
            .as_deref()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        body,
        json!({"a": "ex1", "b": "fixed", "c": 6, "d": {"id": 9}, "e": -1})
    );
    assert!(has(&c, Severity::Information, "2 webhooks"));
}

// ---------------------------------------------------------------- values

#[test]
fn value_rules() {
    let spec = json!({
        "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
        "servers": [{"url": "https://h"}],
        "paths": {"/u/{userId}/{id}/{slug}/{order_id}": {"post": {"parameters": [
            {"name": "userId", "in": "path", "required": true, "schema": {"type": "string"}},
            {"name": "id", "in": "path", "required": true, "schema": {"type": "string", "minLength": 3}},
            {"name": "slug", "in": "path", "required": true, "schema": {"type": "string"}},
            {"name": "order_id", "in": "path", "required": true, "schema": {"type": "string", "format": "uuid"}},
            {"name": "code", "in": "query", "schema": {"type": "string", "pattern": "^[A-Z]{2}-\\d{4}$"}},
            {"name": "n", "in": "query", "schema": {"type": "integer"}}
        ], "requestBody": {"content": {"application/json": {"schema": {"type": "object", "properties": {
            "ro": {"type": "string", "readOnly": true},
            "both": {"allOf": [{"type": "object", "properties": {"x": {"type": "integer"}}}, {"properties": {"y": {"type": "boolean"}}}]},
            "pick": {"oneOf": [{"$ref": "#/nowhere"}, {"type": "string", "format": "email"}]},
            "sku": {"type": "string", "pattern": "^SKU_[0-9a-f]{6}$"},
            "ip": {"type": "string", "format": "ipv6"},
            "big": {"type": "integer", "format": "int32", "minimum": 3000000000u64}
        }}}}}, "responses": {}}}}
    });
    let c = run(&spec, &ConvertOptions::default());
    let e = &c.har.log.entries[0];
    assert_eq!(
        e.request.url,
        "https://h/u/1/001/string/3fa85f64-5717-4562-b3fc-2c963f66afa6?code=AA-0000&n=1"
    );
    let body: Value = serde_json::from_str(
        e.request
            .post_data
            .as_ref()
            .unwrap()
            .text
            .as_deref()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        body,
        json!({"both": {"x": 1, "y": true}, "pick": "user@example.com", "sku": "SKU_000000", "ip": "2001:db8::1", "big": 2147483647})
    );
    let re = regex_lite::Regex::new("^SKU_[0-9a-f]{6}$").unwrap();
    assert!(re.is_match(body["sku"].as_str().unwrap()));
    // Deterministic.
    assert_eq!(run(&spec, &ConvertOptions::default()).har, c.har);
}

// ---------------------------------------------------------------- Postman

fn collection() -> Value {
    json!({
        "info": {"_postman_id": "1", "name": "Shop", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
        "variable": [
            {"key": "baseUrl", "value": "https://api.shop.com/v1"},
            {"key": "petId", "value": "{{innerId}}"},
            {"key": "innerId", "value": "7"}
        ],
        "auth": {"type": "bearer", "bearer": [{"key": "token", "value": "{{token}}"}]},
        "item": [
            {"name": "Pets", "item": [
                {"name": "Get pet", "request": {
                    "method": "GET",
                    "header": [{"key": "X-Trace", "value": "{{$guid}}"}, {"key": "X-Off", "value": "1", "disabled": true}],
                    "url": {"raw": "{{baseUrl}}/pets/:id?expand=owner&off=1", "host": ["{{baseUrl}}"], "path": ["pets", ":id"],
                        "query": [{"key": "expand", "value": "owner"}, {"key": "off", "value": "1", "disabled": true}],
                        "variable": [{"key": "id", "value": "{{petId}}"}]}
                }},
                {"name": "Folder", "auth": {"type": "apikey", "apikey": [{"key": "key", "value": "X-Api-Key"}, {"key": "value", "value": "abc"}, {"key": "in", "value": "header"}]}, "item": [
                    {"name": "Create pet", "request": {
                        "method": "POST",
                        "header": [{"key": "Content-Type", "value": "application/json"}],
                        "body": {"mode": "raw", "raw": "{\"name\": \"{{petName}}\"}", "options": {"raw": {"language": "json"}}},
                        "url": "{{baseUrl}}/pets"
                    }},
                    {"name": "No auth", "request": {"method": "DELETE", "auth": {"type": "noauth"}, "url": "{{baseUrl}}/pets/1"}}
                ]}
            ]},
            {"name": "Form", "request": {"method": "POST", "body": {"mode": "urlencoded", "urlencoded": [{"key": "a", "value": "1 2"}, {"key": "b", "value": "x", "disabled": true}]}, "url": "{{baseUrl}}/form"}},
            {"name": "Upload", "request": {"method": "POST", "auth": {"type": "basic", "basic": [{"key": "username", "value": "u"}, {"key": "password", "value": "p"}]},
                "body": {"mode": "formdata", "formdata": [{"key": "f", "type": "file", "src": "/tmp/pic.png"}, {"key": "t", "type": "text", "value": "v"}]}, "url": "{{baseUrl}}/upload"}},
            {"name": "GraphQL", "request": {"method": "POST", "body": {"mode": "graphql", "graphql": {"query": "{ pets { id } }", "variables": "{\"n\": 1}"}}, "url": "https://api.shop.com/v1/graphql"}},
            {"name": "Elsewhere", "request": {"method": "GET", "url": "https://other.com/x"}},
            {"name": "Odd", "request": {"method": "PROPFIND", "url": "{{baseUrl}}/dav"}}
        ]
    })
}

#[test]
fn postman_without_base_url() {
    let c = run(&collection(), &ConvertOptions::default());
    assert_eq!(c.spec.format, SpecFormat::Postman21);
    assert_eq!(c.spec.title, "Shop");
    assert!(has(&c, Severity::Error, "needs a base URL"));
    let urls: Vec<&str> = c
        .har
        .log
        .entries
        .iter()
        .map(|e| e.request.url.as_str())
        .collect();
    assert_eq!(
        urls,
        [
            "https://api.shop.com/v1/pets/7?expand=owner",
            "https://api.shop.com/v1/pets",
            "https://api.shop.com/v1/pets/1",
            "https://api.shop.com/v1/form",
            "https://api.shop.com/v1/upload",
            "https://api.shop.com/v1/graphql",
            "https://other.com/x",
        ]
    );
    assert!(has(&c, Severity::Warning, "PROPFIND"));
    assert!(has(&c, Severity::Warning, "{{petName}}") && has(&c, Severity::Warning, "{{token}}"));
}

#[test]
fn postman_with_base_url() {
    let options = ConvertOptions {
        base_url: Some("https://staging.shop.com/v1".into()),
        ..Default::default()
    };
    let c = run(&collection(), &options);
    assert!(!has(&c, Severity::Error, "needs a base URL"));
    let e = &c.har.log.entries;
    let urls: Vec<&str> = e.iter().map(|e| e.request.url.as_str()).collect();
    assert_eq!(
        urls,
        [
            "https://staging.shop.com/v1/pets/7?expand=owner",
            "https://staging.shop.com/v1/pets",
            "https://staging.shop.com/v1/pets/1",
            "https://staging.shop.com/v1/form",
            "https://staging.shop.com/v1/upload",
        ],
        "graphql goes to api.shop.com and other.com: left out"
    );
    assert!(has(&c, Severity::Warning, "not to the base URL's host"));
    assert_eq!(c.spec.endpoints[0].path, "/pets/{id}");
    assert_eq!(c.spec.endpoints[0].summary.as_deref(), Some("Get pet"));
    // Collection auth inherited, token unresolved: a placeholder.
    assert_eq!(header(&e[0], "Authorization"), Some("Bearer <token>"));
    assert_eq!(
        header(&e[0], "X-Trace"),
        Some("3fa85f64-5717-4562-b3fc-2c963f66afa6")
    );
    assert!(header(&e[0], "X-Off").is_none());
    // Folder auth: API key, the collection's own value.
    assert_eq!(header(&e[1], "X-Api-Key"), Some("abc"));
    assert_eq!(header(&e[1], "Content-Type"), Some("application/json"));
    assert_eq!(
        e[1].request.post_data.as_ref().unwrap().text.as_deref(),
        Some("{\"name\": \"{{petName}}\"}")
    );
    assert!(header(&e[2], "Authorization").is_none() && header(&e[2], "X-Api-Key").is_none());
    let form = e[3].request.post_data.as_ref().unwrap();
    assert_eq!(form.mime_type, "application/x-www-form-urlencoded");
    assert_eq!(form.params.len(), 1);
    let upload = e[4].request.post_data.as_ref().unwrap();
    assert!(upload
        .mime_type
        .starts_with("multipart/form-data; boundary="));
    assert_eq!(upload.params[0].file_name.as_deref(), Some("pic.png"));
    assert_eq!(header(&e[4], "Authorization"), Some("Basic dTpw"));

    // Veracode style: `{id}` kept, its value in the comment.
    let c = run(
        &collection(),
        &ConvertOptions {
            har_style: HarStyle::Veracode,
            auth: ScanAuth {
                bearer: Some("tok".into()),
                ..Default::default()
            },
            ..options
        },
    );
    let e = &c.har.log.entries[0];
    assert_eq!(
        e.request.url,
        "https://staging.shop.com/v1/pets/{id}?expand=owner"
    );
    assert_eq!(e.comment.as_deref(), Some("id=7"));
    assert_eq!(header(e, "Authorization"), Some("Bearer tok"));

    // GraphQL as JSON.
    let c = run(
        &collection(),
        &ConvertOptions {
            base_url: Some("https://api.shop.com/v1".into()),
            ..Default::default()
        },
    );
    let g = c
        .har
        .log
        .entries
        .iter()
        .find(|e| e.request.url.ends_with("/graphql"))
        .unwrap();
    let body: Value = serde_json::from_str(
        g.request
            .post_data
            .as_ref()
            .unwrap()
            .text
            .as_deref()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        body,
        json!({"query": "{ pets { id } }", "variables": {"n": 1}})
    );
}

// ---------------------------------------------------------------- several files

fn file(name: &str, text: &str) -> SourceFile {
    SourceFile {
        name: name.into(),
        bytes: text.as_bytes().to_vec(),
    }
}

#[test]
fn specification_in_several_files() {
    let root = r##"openapi: 3.0.3
info: {title: Split, version: "1"}
servers: [{url: "https://api.example.com"}]
paths:
  /pets/{petId}:
    $ref: "./paths/pet.yaml"
  /owners:
    get:
      parameters:
        - $ref: "../common.yaml#/components/parameters/Limit"
      responses: {}
    post:
      requestBody:
        content:
          application/json:
            schema: {$ref: "schemas/owner.json#/Owner"}
      responses: {}
  /gone:
    get:
      parameters:
        - $ref: "missing.yaml#/X"
        - $ref: "broken.yaml#/X"
      responses: {}
"##;
    let pet_path = r##"get:
  parameters:
    - name: petId
      in: path
      required: true
      schema: {type: integer, example: 5}
  requestBody:
    content:
      application/json:
        schema: {$ref: "../schemas/pet.yaml#/Pet"}
  responses: {}
"##;
    let pet = r##"Pet:
  type: object
  properties:
    name: {type: string, example: Rex}
    tag: {$ref: "#/Tag"}
    friend: {$ref: "#/Pet"}
Tag: {type: string, example: good}
"##;
    let owner = r#"{"Owner": {"type": "object", "properties": {"pets": {"type": "array", "items": {"$ref": "pet.yaml#/Pet"}}, "nick": {"$ref": "pet.yaml#/Nothing"}}}}"#;
    let common = "components:\n  parameters:\n    Limit: {name: limit, in: query, schema: {type: integer, example: 20}}\n";
    let files = vec![
        file("api/v1/schemas/pet.yaml", pet),
        file("api/v1/openapi.yaml", root),
        file("api/v1/paths/pet.yaml", pet_path),
        file("api/v1/schemas/owner.json", owner),
        file("api/common.yaml", common),
        file("api/v1/broken.yaml", "a: [1, 2\nb: 3\n"),
    ];
    let c = convert_files(&files, &ConvertOptions::default()).unwrap();
    assert_eq!(c.spec.file_name, "api/v1/openapi.yaml");
    assert_eq!(c.spec.files.len(), 6);
    assert_eq!(c.spec.files[0], "api/v1/openapi.yaml");
    assert!(has(
        &c,
        Severity::Information,
        "`api/v1/openapi.yaml` is the root"
    ));
    let e = &c.har.log.entries;
    assert_eq!(e[0].request.url, "https://api.example.com/pets/5");
    let body: Value = serde_json::from_str(
        e[0].request
            .post_data
            .as_ref()
            .unwrap()
            .text
            .as_deref()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(body["name"], "Rex");
    assert_eq!(body["tag"], "good");
    assert_eq!(e[1].request.url, "https://api.example.com/owners?limit=20");
    let owner_body: Value = serde_json::from_str(
        e[2].request
            .post_data
            .as_ref()
            .unwrap()
            .text
            .as_deref()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(owner_body["pets"][0]["name"], "Rex");
    // A reference to a file not given names it; a syntax error in another
    // file is a diagnostic with its file and line.
    assert!(has(
        &c,
        Severity::Warning,
        "`api/v1/missing.yaml`, which was not given"
    ));
    let broken = c
        .spec
        .diagnostics
        .iter()
        .find(|d| {
            d.file.as_deref() == Some("api/v1/broken.yaml")
                && d.message.contains("could not be read")
        })
        .expect("syntax error reported");
    assert!(broken.line.is_some());
    assert!(has(&c, Severity::Warning, "points to nothing in the file"));

    // A syntax error in the root is a LoadError.
    let bad_root = vec![
        file("openapi.yaml", "openapi: 3.0.3\npaths: [\n"),
        file("x.yaml", "a: 1\n"),
    ];
    assert!(convert_files(&bad_root, &ConvertOptions::default()).is_err());

    // Several OpenAPI documents: the one no other references is the root.
    let two = vec![
        file("other.yaml", "openapi: 3.0.3\ninfo: {title: Other, version: '1'}\npaths: {}\n"),
        file("main.yaml", "openapi: 3.0.3\ninfo: {title: Main, version: '1'}\npaths:\n  /x:\n    $ref: 'other.yaml#/paths/~1x'\n"),
    ];
    let c = convert_files(&two, &ConvertOptions::default()).unwrap();
    assert_eq!(c.spec.title, "Main");

    // One file: the same as `convert`.
    let one = vec![file("a.json", &security_spec().to_string())];
    assert_eq!(
        convert_files(&one, &ConvertOptions::default()).unwrap(),
        convert(
            "a.json",
            security_spec().to_string().as_bytes(),
            &ConvertOptions::default()
        )
        .unwrap()
    );
}

#[test]
fn single_file_external_reference_names_the_file() {
    let spec = json!({
        "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
        "servers": [{"url": "https://h"}],
        "paths": {"/a": {"get": {"parameters": [{"$ref": "common.yaml#/P"}], "responses": {}}}}
    });
    let c = run(&spec, &ConvertOptions::default());
    assert!(has(
        &c,
        Severity::Warning,
        "`common.yaml`, which was not given"
    ));
}

#[test]
fn diagnostics_have_lines_in_flow_yaml_and_json() {
    let yaml = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      parameters: [{name: q, in: nowhere}]\n      responses: {}\n";
    let c = convert("a.yaml", yaml.as_bytes(), &ConvertOptions::default()).unwrap();
    let d = c
        .spec
        .diagnostics
        .iter()
        .find(|d| d.pointer.contains("parameters"))
        .unwrap();
    assert_eq!(d.line, Some(6));
    let json_text = serde_json::to_string_pretty(&json!({
        "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
        "paths": {"/a": {"get": {"parameters": [{"name": "q", "in": "nowhere"}], "responses": {}}}}
    }))
    .unwrap();
    let c = convert("a.json", json_text.as_bytes(), &ConvertOptions::default()).unwrap();
    for d in &c.spec.diagnostics {
        // A note about the whole document (here: no server) has no line.
        assert_eq!(d.line.is_some(), !d.pointer.is_empty(), "{d:?}");
    }
}

// ---------------------------------------------------------------- tags

#[test]
fn endpoints_keep_their_tags_within_a_budget() {
    let long = "t".repeat(10_000);
    let many: Vec<String> = (0..50).map(|i| format!("tag{i}")).collect();
    let spec = json!({
        "openapi": "3.0.3", "info": {"title": "T", "version": "1"},
        "servers": [{"url": "https://api.example.com"}],
        "paths": {
            "/a": {"get": {"tags": ["pets", "store", 42, "  "], "responses": {}}},
            "/b": {"get": {"tags": [long], "responses": {}}},
            "/c": {"get": {"tags": many, "responses": {}}},
            "/d": {"get": {"tags": "not a list", "responses": {}}}
        }
    });
    let c = run(&spec, &ConvertOptions::default());
    let tags = |i: usize| c.spec.endpoints[i].tags.clone();
    assert_eq!(tags(0), ["pets", "store"]);
    assert_eq!(
        tags(1)[0].chars().count(),
        prescan_core::spec::MAX_TAG_CHARS
    );
    assert_eq!(tags(2).len(), prescan_core::spec::MAX_TAGS);
    assert!(tags(3).is_empty());

    // Swagger 2.0 keeps them too; past the endpoints a prescan covers, none are kept.
    let mut paths = serde_json::Map::new();
    for i in 0..150 {
        paths.insert(
            format!("/p{i}"),
            json!({"get": {"tags": ["t"], "responses": {"200": {"description": "ok"}}}}),
        );
    }
    let spec = json!({"swagger": "2.0", "info": {"title": "T", "version": "1"}, "host": "api.example.com", "paths": paths});
    let c = run(&spec, &ConvertOptions::default());
    assert_eq!(c.spec.endpoints.len(), 150);
    assert!(c.spec.endpoints[..100].iter().all(|e| e.tags == ["t"]));
    assert!(c.spec.endpoints[100..].iter().all(|e| e.tags.is_empty()));
}
