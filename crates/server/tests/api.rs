//! The reference server end to end: real SQLite in a temporary directory,
//! real HTTP.

mod common;

use common::{config, eventually, new_analysis, spec, start_with};
use prescan_core::analysis::Outcome;
use serde_json::{json, Value};

/// A name whose first run the simulated engine lets succeed.
fn succeeding_name(prefix: &str) -> String {
    (0..1000)
        .map(|i| format!("{prefix} {i}"))
        .find(|n| Outcome::for_run(n, 1, 1) == Outcome::Succeeds)
        .expect("some name succeeds")
}

#[tokio::test]
async fn health_and_contract_are_served() {
    let dir = tempfile::tempdir().unwrap();
    let (server, api) = start_with(config(dir.path())).await;
    let h = api.get("/api/v1/health").await;
    assert_eq!(h.status, 200);
    assert_eq!(
        h.json(),
        json!({ "status": "ok", "version": "0.1.0", "store_version": 1 })
    );
    let c = api.get("/api/v1/openapi.json").await;
    assert_eq!(c.status, 200);
    assert_eq!(
        c.header("content-type").as_deref(),
        Some("application/json")
    );
    assert!(c.json()["openapi"].as_str().unwrap().starts_with("3.1"));
    assert_eq!(
        h.header("x-content-type-options").as_deref(),
        Some("nosniff")
    );
    server.stop().await.unwrap();
}

#[tokio::test]
async fn a_har_is_converted_once_and_served_from_the_cache() {
    let dir = tempfile::tempdir().unwrap();
    let (server, api) = start_with(config(dir.path())).await;
    let id = api
        .upload(
            "cached.json",
            "application/json",
            spec("https://api.example.com").as_bytes(),
        )
        .await
        .json()["spec_id"]
        .as_u64()
        .unwrap();
    let path = format!("/api/v1/specifications/{id}/har");
    let with_server = format!("{path}?server=http%3A%2F%2F127.0.0.1%3A9%2Fbase");
    // Eight at once: they wait for their turn, then find the HAR cached.
    let answers = futures_util::future::join_all((0..8).map(|_| api.get(&path))).await;
    let first = &answers[0];
    assert_eq!(first.status, 200);
    assert_eq!(
        first.header("content-type").as_deref(),
        Some("application/json")
    );
    assert_eq!(first.json()["log"]["version"], "1.2");
    for a in &answers {
        assert_eq!((a.status, &a.bytes), (200, &first.bytes));
    }
    assert_eq!(server.state.har.usage(), (1, first.bytes.len()));
    // Another server is another HAR.
    let other = api.get(&with_server).await;
    assert_eq!(other.status, 200);
    assert_ne!(other.bytes, first.bytes);
    assert_eq!(server.state.har.usage().0, 2);
    assert_eq!(api.get(&with_server).await.bytes, other.bytes);
    assert_eq!(api.get(&path).await.bytes, first.bytes);
    assert_eq!(server.state.har.usage().0, 2);
    // An unknown specification is still 404, and not cached.
    api.get("/api/v1/specifications/999999/har")
        .await
        .problem(404);
    assert_eq!(server.state.har.usage().0, 2);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn specifications_round_trip_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let (server, api) = start_with(config(dir.path())).await;
    // YAML with a comment and odd spacing: the original comes back as is.
    let yaml = "# my API\nopenapi: 3.0.3\ninfo:   {title: Y, version: '1'}\nservers: [{url: 'https://api.example.com/v1'}]\npaths:\n  /a: {get: {responses: {'200': {description: ok}}}}\n";
    let r = api
        .upload("ünï code.yaml", "application/yaml", yaml.as_bytes())
        .await;
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.bytes));
    let rec = r.json();
    let id = rec["spec_id"].as_u64().unwrap();
    assert_eq!(rec["spec_type"], "OPEN_API_V3");
    assert_eq!(rec["endpoint_count"], 1);
    assert_eq!(rec["size"], yaml.len());
    assert_eq!(
        rec["servers"],
        json!([{ "url": "https://api.example.com/v1" }])
    );
    assert_eq!(
        r.header("location").as_deref(),
        Some(format!("/api/v1/specifications/{id}").as_str())
    );
    // Same name and bytes again: the stored one is reused.
    let again = api
        .upload("ünï code.yaml", "text/plain", yaml.as_bytes())
        .await;
    assert_eq!(again.json()["spec_id"], id);

    let o = api
        .get(&format!("/api/v1/specifications/{id}/original"))
        .await;
    assert_eq!(o.status, 200);
    assert_eq!(o.bytes, yaml.as_bytes());
    let cd = o.header("content-disposition").unwrap();
    assert!(cd.starts_with("attachment; filename=\""), "{cd}");
    assert!(
        cd.contains("filename*=UTF-8''%C3%BCn%C3%AF%20code.yaml"),
        "{cd}"
    );

    let har = api
        .get(&format!("/api/v1/specifications/{id}/har"))
        .await
        .json();
    assert_eq!(har["log"]["version"], "1.2");
    assert_eq!(
        har["log"]["entries"][0]["request"]["url"],
        "https://api.example.com/v1/a"
    );
    let har = api
        .get(&format!(
            "/api/v1/specifications/{id}/har?server=http%3A%2F%2F127.0.0.1%3A9%2Fbase"
        ))
        .await
        .json();
    assert_eq!(
        har["log"]["entries"][0]["request"]["url"],
        "http://127.0.0.1:9/base/a"
    );
    api.get(&format!("/api/v1/specifications/{id}/har?server=ftp://x"))
        .await
        .problem(400);

    let list = api.get("/api/v1/specifications").await.json();
    assert_eq!(list["specifications"].as_array().unwrap().len(), 1);
    assert_eq!(
        api.get(&format!("/api/v1/specifications/{id}"))
            .await
            .json(),
        rec
    );
    api.get("/api/v1/specifications/999").await.problem(404);

    // Not a specification: 422 with the core's message.
    let p = api
        .upload("notes.txt", "text/plain", b"hello")
        .await
        .problem(422);
    assert!(!p["detail"].as_str().unwrap().is_empty());
    // Wrong content type: 415. Missing or bad file name: 400.
    api.upload("a.yaml", "image/png", yaml.as_bytes())
        .await
        .problem(415);
    let p = api
        .send(
            api.client
                .post(api.url("/api/v1/specifications"))
                .header("content-type", "application/yaml")
                .body(yaml),
        )
        .await
        .problem(400);
    assert_eq!(p["errors"][0]["field"], "file_name");
    api.upload("..%2Fetc", "text/plain", yaml.as_bytes())
        .await
        .problem(400);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn analyses_lifecycle_over_http() {
    let dir = tempfile::tempdir().unwrap();
    let (server, api) = start_with(config(dir.path())).await;
    let spec_id = api
        .upload(
            "tiny.json",
            "application/json",
            spec("https://api.example.com").as_bytes(),
        )
        .await
        .json()["spec_id"]
        .as_u64()
        .unwrap();

    // Saved for later, with credentials (never returned).
    let mut body = new_analysis(
        "Weekly tiny scan",
        spec_id,
        json!({ "type": "unscheduled" }),
    );
    body["scans"][0]["auth"] = json!({
        "bearer": "s3cr3t-token",
        "custom_cookies": [{ "name": "session", "value": "abc" }]
    });
    let r = api.post("/api/v1/analyses", &body).await;
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.bytes));
    let a = r.json();
    let id = a["analysis_id"].as_u64().unwrap();
    assert_eq!(r.header("location"), Some(format!("/api/v1/analyses/{id}")));
    assert_eq!(a["status"], "SAVED_FOR_LATER");
    assert_eq!(a["status_label"], "Saved for Later");
    assert_eq!(a["scans"][0]["auth_configured"]["bearer"], true);
    assert_eq!(
        a["scans"][0]["auth_configured"]["custom_cookies"],
        json!(["session"])
    );
    assert!(!r.bytes.windows(12).any(|w| w == b"s3cr3t-token"));
    let scan_id = a["scans"][0]["scan_id"].as_u64().unwrap();

    // Another one, started now.
    let running = api
        .post(
            "/api/v1/analyses",
            &new_analysis("Nightly other scan", spec_id, json!({ "type": "now" })),
        )
        .await
        .json();
    let running_id = running["analysis_id"].as_u64().unwrap();
    assert_eq!(running["status"], "SUBMITTED");

    // Name taken (any case): 422 naming the field.
    let p = api
        .post(
            "/api/v1/analyses",
            &new_analysis("WEEKLY TINY SCAN", spec_id, json!({ "type": "now" })),
        )
        .await
        .problem(422);
    assert_eq!(p["errors"][0]["field"], "name");
    let p = api
        .post(
            "/api/v1/analyses",
            &new_analysis("short", spec_id, json!({ "type": "now" })),
        )
        .await
        .problem(422);
    assert_eq!(p["errors"][0]["field"], "name");
    let p = api
        .post(
            "/api/v1/analyses",
            &new_analysis("Unknown spec scan", 4242, json!({ "type": "now" })),
        )
        .await
        .problem(422);
    assert_eq!(p["errors"][0]["field"], "scans");

    // List, find, filter, sort, page.
    let l = api.get("/api/v1/analyses").await.json();
    assert_eq!(l["page"]["total_elements"], 2);
    assert_eq!(l["analyses"][0]["name"], "Nightly other scan");
    let l = api.get("/api/v1/analyses?name=WEEKLY").await.json();
    assert_eq!(l["analyses"].as_array().unwrap().len(), 1);
    assert_eq!(l["analyses"][0]["analysis_id"], id);
    let l = api
        .get("/api/v1/analyses?status=SAVED_FOR_LATER")
        .await
        .json();
    assert_eq!(l["page"]["total_elements"], 1);
    let l = api
        .get("/api/v1/analyses?sort=name&direction=desc&size=1&page=1")
        .await
        .json();
    assert_eq!(l["analyses"][0]["name"], "Nightly other scan");
    assert_eq!(
        l["page"],
        json!({ "number": 1, "size": 1, "total_elements": 2, "total_pages": 2 })
    );
    for bad in [
        "size=0",
        "size=101",
        "page=-1",
        "status=RUNNING",
        "sort=age",
        "direction=up",
    ] {
        let p = api
            .get(&format!("/api/v1/analyses?{bad}"))
            .await
            .problem(400);
        let param = bad.split('=').next().unwrap();
        assert!(p["detail"].as_str().unwrap().contains(param), "{p}");
    }

    // Update: rename; the scan kept without `auth` keeps its credentials.
    let u = api
        .patch(
            &format!("/api/v1/analyses/{id}"),
            &json!({
                "name": "Weekly tiny scan (renamed)",
                "scans": [{ "scan_id": scan_id, "target": { "type": "api_specification", "spec_id": spec_id } }],
                "prescan": false
            }),
        )
        .await;
    assert_eq!(u.status, 200, "{}", String::from_utf8_lossy(&u.bytes));
    let u = u.json();
    assert_eq!(u["name"], "Weekly tiny scan (renamed)");
    assert_eq!(u["prescan"], false);
    assert_eq!(u["scans"][0]["auth_configured"]["bearer"], true);
    // Unknown fields are refused (400), as is a wrong type.
    api.patch(
        &format!("/api/v1/analyses/{id}"),
        &json!({ "colour": "red" }),
    )
    .await
    .problem(400);
    api.patch(
        &format!("/api/v1/analyses/{id}"),
        &json!({ "prescan": "yes" }),
    )
    .await
    .problem(400);
    // serde would read a struct from an array, and a missing field from
    // null: the contract has neither.
    api.patch(&format!("/api/v1/analyses/{id}"), &json!([null, null]))
        .await
        .problem(400);
    api.patch(&format!("/api/v1/analyses/{id}"), &json!({ "scans": null }))
        .await
        .problem(400);
    // JSON Schema's integers include 2.0.
    let u = api
        .patch(
            &format!("/api/v1/analyses/{id}"),
            &json!({ "schedule": { "start": { "type": "unscheduled" }, "duration": { "unit": "hours", "value": 3.0 } } }),
        )
        .await;
    assert_eq!(u.status, 200, "{}", String::from_utf8_lossy(&u.bytes));
    assert_eq!(u.json()["schedule"]["duration"]["value"], 3);

    // Actions: Pause is refused while Submitted (409 with the reason);
    // Stop and Save works.
    let p = api
        .post(
            &format!("/api/v1/analyses/{running_id}/actions"),
            &json!({ "action": "RESUME" }),
        )
        .await
        .problem(409);
    assert_eq!(p["action"], "RESUME");
    let s = api
        .post(
            &format!("/api/v1/analyses/{running_id}/actions"),
            &json!({ "action": "STOP_SAVE" }),
        )
        .await;
    assert_eq!(s.status, 200, "{}", String::from_utf8_lossy(&s.bytes));
    assert_eq!(s.json()["status"], "STOPPED_SAVING_RESULTS");
    // Configure is not available while stopping: 409.
    api.patch(
        &format!("/api/v1/analyses/{running_id}"),
        &json!({ "prescan": false }),
    )
    .await
    .problem(409);
    // Delete: refused once it ran; allowed when it never did.
    api.delete(&format!("/api/v1/analyses/{running_id}"))
        .await
        .problem(409);

    // Audits, oldest first, never a secret.
    let audits = api.get(&format!("/api/v1/analyses/{id}/audits")).await;
    assert_eq!(audits.status, 200);
    assert!(!audits.bytes.windows(12).any(|w| w == b"s3cr3t-token"));
    let audits = audits.json();
    assert_eq!(audits["audits"][0]["event_type"], "CREATED");
    assert!(audits["audits"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["details"] == "Name changed."));

    let d = api.delete(&format!("/api/v1/analyses/{id}")).await;
    assert_eq!(d.status, 204);
    api.get(&format!("/api/v1/analyses/{id}"))
        .await
        .problem(404);
    api.get(&format!("/api/v1/analyses/{id}/audits"))
        .await
        .problem(404);
    api.get("/api/v1/analyses/abc").await.problem(400);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn problems_for_bad_requests() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = config(dir.path());
    c.max_spec_bytes = 1000;
    let (server, api) = start_with(c).await;
    // Malformed JSON: 400 with line and column.
    let p = api
        .send(
            api.client
                .post(api.url("/api/v1/analyses"))
                .header("content-type", "application/json")
                .body("{\n  \"name\": \"x\",\n  oops\n}"),
        )
        .await
        .problem(400);
    let detail = p["detail"].as_str().unwrap();
    assert!(detail.contains("line 3"), "{detail}");
    assert!(detail.contains("column 3"), "{detail}");
    // Wrong content type: 415.
    api.send(
        api.client
            .post(api.url("/api/v1/analyses"))
            .header("content-type", "text/plain")
            .body("{}"),
    )
    .await
    .problem(415);
    api.send(api.client.post(api.url("/api/v1/analyses")).body("{}"))
        .await
        .problem(415);
    // Too large: 413 (JSON over 1 MiB; a specification over the limit).
    let big = format!("{{\"name\": \"{}\"}}", "x".repeat(1_100_000));
    api.send(
        api.client
            .post(api.url("/api/v1/analyses"))
            .header("content-type", "application/json")
            .body(big),
    )
    .await
    .problem(413);
    api.upload("big.json", "application/json", &[b' '; 2000])
        .await
        .problem(413);
    // Validation: 422 with errors.
    let p = api
        .post(
            "/api/v1/analyses",
            &json!({
                "name": "Valid name here",
                "scans": [],
                "schedule": { "start": { "type": "now" }, "duration": { "unit": "hours", "value": 1 } },
                "prescan": false,
                "permission_certified": false
            }),
        )
        .await
        .problem(422);
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert!(fields.contains(&"scans"), "{p}");
    assert!(fields.contains(&"certification"), "{p}");
    // Unknown route under /api: 404 problem; wrong method: 405 problem.
    api.get("/api/v1/nothing/here").await.problem(404);
    api.get("/api/other").await.problem(404);
    api.send(api.client.put(api.url("/api/v1/analyses")))
        .await
        .problem(405);
    api.post("/api/v1/scans/77/prescan", &json!({}))
        .await
        .problem(404);
    api.post(
        "/api/v1/analyses/1/actions",
        &json!({ "action": "EXPLODE" }),
    )
    .await
    .problem(400);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn a_token_guards_the_api() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = config(dir.path());
    c.token = Some("t0ken".into());
    let (server, api) = start_with(c).await;
    let anon = common::Api::new(api.base.clone(), None);
    let p = anon.get("/api/v1/analyses").await.problem(401);
    assert_eq!(p["type"], "urn:prescan:problem:unauthorized");
    let r = anon.get("/api/v1/analyses").await;
    assert_eq!(r.header("www-authenticate").as_deref(), Some("Bearer"));
    let wrong = common::Api::new(api.base.clone(), Some("t0ken2"));
    wrong.get("/api/v1/analyses").await.problem(401);
    wrong.get("/api/v1/nothing").await.problem(401);
    assert_eq!(anon.get("/api/v1/health").await.status, 200);
    assert_eq!(anon.get("/api/v1/openapi.json").await.status, 200);
    assert_eq!(api.get("/api/v1/analyses").await.status, 200);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn cors_allow_list() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = config(dir.path());
    c.allow_origins = vec!["https://app.example.com".into()];
    c.token = Some("t".into());
    let (server, api) = start_with(c).await;
    let preflight = |origin: &'static str| {
        api.client
            .request(reqwest::Method::OPTIONS, api.url("/api/v1/analyses"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "authorization, content-type",
            )
    };
    // Allowed: 204 with the CORS headers, without a token.
    let r = preflight("https://app.example.com").send().await.unwrap();
    assert_eq!(r.status(), 204);
    let h = r.headers();
    assert_eq!(h["access-control-allow-origin"], "https://app.example.com");
    let allow = h["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    assert!(allow.contains("authorization") && allow.contains("content-type"));
    assert!(h["access-control-allow-methods"]
        .to_str()
        .unwrap()
        .contains("PATCH"));
    // Refused: no CORS headers.
    let r = preflight("https://evil.example.com").send().await.unwrap();
    assert_eq!(r.status(), 403);
    assert!(r.headers().get("access-control-allow-origin").is_none());
    // A real request from the allowed origin carries the header.
    let r = api
        .send(
            api.client
                .get(api.url("/api/v1/analyses"))
                .header("origin", "https://app.example.com"),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.header("access-control-allow-origin").as_deref(),
        Some("https://app.example.com")
    );
    // A change from another origin is refused.
    let r = api
        .send(
            api.client
                .post(api.url("/api/v1/analyses"))
                .header("origin", "https://evil.example.com")
                .header("content-type", "application/json")
                .body("{}"),
        )
        .await;
    r.problem(403);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn the_engine_completes_a_run() {
    let dir = tempfile::tempdir().unwrap();
    let (server, api) = start_with(config(dir.path())).await;
    let spec_id = api
        .upload(
            "tiny.json",
            "application/json",
            spec("https://api.example.com").as_bytes(),
        )
        .await
        .json()["spec_id"]
        .as_u64()
        .unwrap();
    let name = succeeding_name("Engine run");
    let a = api
        .post(
            "/api/v1/analyses",
            &new_analysis(&name, spec_id, json!({ "type": "now" })),
        )
        .await
        .json();
    let id = a["analysis_id"].as_u64().unwrap();
    let path = format!("/api/v1/analyses/{id}");
    let seen: Value = eventually(30, || async {
        let a = api.get(&path).await.json();
        (a["status"] == "COMPLETED_RESULTS_AVAILABLE").then_some(a)
    })
    .await;
    assert_eq!(seen["status_label"], "Completed - Results Available");
    let done: Value = eventually(10, || async {
        let a = api.get(&path).await.json();
        (a["status"] == "PUBLISHED_RESULTS_AVAILABLE").then_some(a)
    })
    .await;
    assert_eq!(
        done["runs"][0]["final_status"],
        "PUBLISHED_RESULTS_AVAILABLE"
    );
    let audits = api.get(&format!("{path}/audits")).await.json();
    assert!(audits["audits"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["system"] == true));
    server.stop().await.unwrap();
}

#[tokio::test]
async fn data_survives_a_restart_of_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let (server, api) = start_with(config(dir.path())).await;
    let spec_id = api
        .upload(
            "tiny.json",
            "application/json",
            spec("https://api.example.com").as_bytes(),
        )
        .await
        .json()["spec_id"]
        .as_u64()
        .unwrap();
    let a = api
        .post(
            "/api/v1/analyses",
            &new_analysis(
                "Survives a restart",
                spec_id,
                json!({ "type": "unscheduled" }),
            ),
        )
        .await
        .json();
    let before = api.get("/api/v1/analyses").await.json();
    // Dropped without a graceful stop.
    drop(server);
    let (server, api) = start_with(config(dir.path())).await;
    assert_eq!(api.get("/api/v1/analyses").await.json(), before);
    let again = api
        .get(&format!("/api/v1/analyses/{}", a["analysis_id"]))
        .await
        .json();
    assert_eq!(again, a);
    // Ids keep growing after a restart.
    let b = api
        .post(
            "/api/v1/analyses",
            &new_analysis(
                "Created after restart",
                spec_id,
                json!({ "type": "unscheduled" }),
            ),
        )
        .await
        .json();
    assert!(b["analysis_id"].as_u64() > a["scans"][0]["scan_id"].as_u64());
    server.stop().await.unwrap();
}
