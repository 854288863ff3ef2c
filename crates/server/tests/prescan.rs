//! Server-side prescans against a tiny HTTP server started by the test.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use axum::Router;
use common::{config, eventually, start_with};
use serde_json::{json, Value};

/// The target: `/ok` 200, `/secret` 401, `/missing` 404, `/slow` after 5 s.
/// Records the Cookie header of each request.
async fn target() -> (String, Arc<Mutex<Vec<String>>>) {
    let cookies = Arc::new(Mutex::new(Vec::new()));
    let seen = cookies.clone();
    let app = Router::new()
        .route(
            "/ok",
            get(move |h: HeaderMap| {
                let seen = seen.clone();
                async move {
                    if let Some(c) = h.get("cookie") {
                        seen.lock().unwrap().push(c.to_str().unwrap().to_owned());
                    }
                    (StatusCode::OK, "fine")
                }
            }),
        )
        .route(
            "/secret",
            get(|| async { (StatusCode::UNAUTHORIZED, "who are you?") }),
        )
        .route(
            "/slow",
            get(|| async {
                tokio::time::sleep(Duration::from_secs(5)).await;
                "late"
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}"), cookies)
}

fn spec_with(paths: &[&str]) -> String {
    let paths: Vec<String> = paths
        .iter()
        .map(|p| {
            format!(
                r#""{p}": {{ "get": {{ "responses": {{ "200": {{ "description": "ok" }} }} }} }}"#
            )
        })
        .collect();
    format!(
        r#"{{ "openapi": "3.0.3", "info": {{ "title": "T", "version": "1" }},
  "servers": [{{ "url": "https://placeholder.example.com" }}],
  "paths": {{ {}, "/write": {{ "post": {{ "responses": {{ "201": {{ "description": "x" }} }} }} }} }} }}"#,
        paths.join(", ")
    )
}

async fn scan_on(api: &common::Api, server: &str, paths: &[&str], auth: Value) -> (u64, u64) {
    let spec_id = api
        .upload("t.json", "application/json", spec_with(paths).as_bytes())
        .await
        .json()["spec_id"]
        .as_u64()
        .unwrap();
    let a = api
        .post(
            "/api/v1/analyses",
            &json!({
                "name": format!("Prescan target {}", paths.join(" ")),
                "scans": [{ "target": { "type": "api_specification", "spec_id": spec_id, "server": server }, "auth": auth }],
                "schedule": { "start": { "type": "unscheduled" }, "duration": { "unit": "hours", "value": 1 } },
                "prescan": true,
                "permission_certified": true
            }),
        )
        .await;
    assert_eq!(a.status, 201, "{}", String::from_utf8_lossy(&a.bytes));
    let a = a.json();
    (
        a["analysis_id"].as_u64().unwrap(),
        a["scans"][0]["scan_id"].as_u64().unwrap(),
    )
}

#[tokio::test]
async fn a_prescan_runs_from_the_server() {
    let (target, cookies) = target().await;
    let dir = tempfile::tempdir().unwrap();
    let (server, api) = start_with(config(dir.path())).await;
    let (analysis, scan) = scan_on(
        &api,
        &target,
        &["/ok", "/secret", "/missing"],
        json!({
            "custom_cookies": [{ "name": "session", "value": "abc123" }],
            "custom_headers": [{ "name": "X-Api-Secret", "value": "hunter2-secret" }]
        }),
    )
    .await;
    let path = format!("/api/v1/scans/{scan}/prescan");
    api.get(&path).await.problem(404);
    let r = api
        .post(
            &path,
            &json!({ "requests_per_second": 50, "timeout_ms": 3000 }),
        )
        .await;
    assert_eq!(r.status, 202, "{}", String::from_utf8_lossy(&r.bytes));
    assert_eq!(r.json()["state"], "running");
    assert_eq!(r.json()["progress"]["total"], 3);
    let done: Value = eventually(15, || async {
        let p = api.get(&path).await.json();
        (p["state"] == "finished").then_some(p)
    })
    .await;
    assert_eq!(done["progress"], json!({ "done": 3, "total": 3 }));
    // The API never returns the scan's credentials, though they were sent.
    let text = done.to_string();
    assert!(
        !text.contains("hunter2-secret") && !text.contains("abc123"),
        "{text}"
    );
    assert!(text.contains("X-Api-Secret"), "{text}");
    let report = &done["report"];
    let statuses: Vec<Value> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["outcome"]["Response"]["status"].clone())
        .collect();
    assert_eq!(statuses, vec![json!(200), json!(401), json!(404)]);
    // The POST was skipped (unsafe method), as in the browser.
    assert_eq!(report["plan"]["skipped"].as_array().unwrap().len(), 1);
    // The server sends the custom cookie (a browser cannot).
    assert_eq!(cookies.lock().unwrap().as_slice(), ["session=abc123"]);
    // Recorded with the core: the activity log says it failed (a 401).
    let audits = api
        .get(&format!("/api/v1/analyses/{analysis}/audits"))
        .await
        .json();
    let last = audits["audits"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["event_type"], "NOTIFICATION_SENT");
    assert!(
        last["details"]
            .as_str()
            .unwrap()
            .starts_with("Prescan failed. 2 of 3 requests failed. 3 requests, 3 responses"),
        "{last}"
    );
    // The prescan as HAR, with the real responses.
    let har = api.get(&format!("{path}/har")).await;
    assert!(!String::from_utf8_lossy(&har.bytes).contains("hunter2-secret"));
    let har = har.json();
    let entries = har["log"]["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 3);
    assert_eq!(entries[1]["response"]["status"], 401);
    assert_eq!(entries[0]["response"]["content"]["text"], "fine");
    // The saved prescan keeps no credential value: once the credentials
    // are changed, the old ones are nowhere, in the API or in the database.
    let spec_id = api
        .get(&format!("/api/v1/analyses/{analysis}"))
        .await
        .json()["scans"][0]["target"]["spec_id"]
        .clone();
    let changed = api
        .patch(
            &format!("/api/v1/analyses/{analysis}"),
            &json!({ "scans": [{ "scan_id": scan, "target": { "type": "api_specification", "spec_id": spec_id, "server": target }, "auth": {
                "custom_headers": [{ "name": "X-Api-Secret", "value": "rotated-value" }]
            } }] }),
        )
        .await;
    assert_eq!(
        changed.status,
        200,
        "{}",
        String::from_utf8_lossy(&changed.bytes)
    );
    let after = api.get(&path).await;
    let text = String::from_utf8_lossy(&after.bytes);
    assert!(
        !text.contains("hunter2-secret") && !text.contains("abc123"),
        "{text}"
    );
    let har = api.get(&format!("{path}/har")).await;
    assert!(!String::from_utf8_lossy(&har.bytes).contains("hunter2-secret"));
    let mut stored = Vec::new();
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        stored.extend(std::fs::read(entry.unwrap().path()).unwrap_or_default());
    }
    let stored = String::from_utf8_lossy(&stored);
    assert!(!stored.contains("hunter2-secret") && !stored.contains("abc123"));
    // Nothing to cancel now; out-of-range settings are refused.
    api.post_empty(&format!("{path}/cancel")).await.problem(409);
    // The prescan is not a resource to delete.
    assert_eq!(api.delete(&path).await.status, 405);
    let p = api
        .post(&path, &json!({ "max_in_flight": 99 }))
        .await
        .problem(422);
    assert_eq!(p["errors"][0]["field"], "max_in_flight");
    server.stop().await.unwrap();
}

#[tokio::test]
async fn a_prescan_can_be_cancelled_and_one_runs_at_a_time() {
    let (target, _) = target().await;
    let dir = tempfile::tempdir().unwrap();
    let (server, api) = start_with(config(dir.path())).await;
    let (_, scan) = scan_on(&api, &target, &["/slow", "/ok"], json!({})).await;
    let path = format!("/api/v1/scans/{scan}/prescan");
    let r = api
        .post(
            &path,
            &json!({ "requests_per_second": 1, "max_in_flight": 1 }),
        )
        .await;
    assert_eq!(r.status, 202);
    api.post(&path, &json!({})).await.problem(409);
    let running = api.get(&path).await.json();
    assert_eq!(running["state"], "running");
    let c = api.post_empty(&format!("{path}/cancel")).await;
    assert_eq!(c.status, 202, "{}", String::from_utf8_lossy(&c.bytes));
    let p = c.json();
    assert_eq!(p["state"], "finished");
    let outcomes: Vec<Value> = p["report"]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["outcome"].clone())
        .collect();
    assert!(outcomes.iter().all(|o| o == "Cancelled"), "{outcomes:?}");
    server.stop().await.unwrap();
}

#[tokio::test]
async fn deny_private_refuses_loopback_targets() {
    let (target, _) = target().await;
    let dir = tempfile::tempdir().unwrap();
    let mut c = config(dir.path());
    c.prescan_deny_private = true;
    let (server, api) = start_with(c).await;
    let (_, scan) = scan_on(&api, &target, &["/ok"], json!({})).await;
    let p = api
        .post(&format!("/api/v1/scans/{scan}/prescan"), &json!({}))
        .await
        .problem(422);
    assert_eq!(p["errors"][0]["field"], "server");
    assert!(p["detail"].as_str().unwrap().contains("127.0.0.1"), "{p}");
    server.stop().await.unwrap();
}

#[tokio::test]
async fn deny_private_lets_an_unresolvable_name_run_and_fail() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = config(dir.path());
    c.prescan_deny_private = true;
    let (server, api) = start_with(c).await;
    // `.invalid` never resolves (RFC 2606).
    let (_, scan) = scan_on(&api, "https://nowhere.invalid", &["/ok"], json!({})).await;
    let path = format!("/api/v1/scans/{scan}/prescan");
    let r = api.post(&path, &json!({ "timeout_ms": 2000 })).await;
    assert_eq!(r.status, 202, "{}", String::from_utf8_lossy(&r.bytes));
    let done: Value = eventually(15, || async {
        let p = api.get(&path).await.json();
        (p["state"] == "finished").then_some(p)
    })
    .await;
    assert_eq!(done["progress"], json!({ "done": 1, "total": 1 }));
    server.stop().await.unwrap();
}

/// The target of a scope test: `/pets/42` 200 (only pet 42 exists), other
/// pets 404, `/admin` 200; records every path asked for.
async fn pets_target() -> (String, Arc<Mutex<Vec<String>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let kept = seen.clone();
    let app = Router::new().fallback(move |uri: axum::http::Uri| {
        let kept = kept.clone();
        async move {
            let path = uri.path().to_owned();
            kept.lock().unwrap().push(path.clone());
            match path.as_str() {
                "/pets/42" | "/admin" => (StatusCode::OK, "here"),
                _ => (StatusCode::NOT_FOUND, "no such pet"),
            }
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}"), seen)
}

#[tokio::test]
async fn a_scans_scope_and_values_shape_its_server_prescan() {
    let (target, seen) = pets_target().await;
    let dir = tempfile::tempdir().unwrap();
    let (_server, api) = start_with(config(dir.path())).await;
    let spec = r#"{"openapi": "3.0.3", "info": {"title": "Pets", "version": "1"},
      "servers": [{"url": "https://placeholder.example.com"}],
      "paths": {
        "/pets/{petId}": {"get": {"parameters": [{"name": "petId", "in": "path", "required": true, "schema": {"type": "integer"}}],
                                  "responses": {"200": {"description": "ok"}}}},
        "/admin": {"get": {"tags": ["admin"], "responses": {"200": {"description": "ok"}}}}}}"#;
    let spec_id = api
        .upload("pets.json", "application/json", spec.as_bytes())
        .await
        .json()["spec_id"]
        .as_u64()
        .unwrap();
    let a = api
        .post(
            "/api/v1/analyses",
            &json!({
                "name": "Pets with scope",
                "scans": [{ "target": { "type": "api_specification", "spec_id": spec_id, "server": target } }],
                "schedule": { "start": { "type": "unscheduled" }, "duration": { "unit": "hours", "value": 1 } },
                "prescan": true,
                "permission_certified": true
            }),
        )
        .await;
    assert_eq!(a.status, 201, "{}", String::from_utf8_lossy(&a.bytes));
    let a = a.json();
    let (analysis, scan) = (
        a["analysis_id"].as_u64().unwrap(),
        a["scans"][0]["scan_id"].as_u64().unwrap(),
    );
    assert_eq!(a["scans"][0]["scope"], json!([]));
    assert_eq!(a["scans"][0]["values"], json!([]));

    // A bad rule is refused and changes nothing.
    let bad = api
        .patch(
            &format!("/api/v1/analyses/{analysis}"),
            &json!({"scans": [{"scan_id": scan, "target": {"type": "api_specification", "spec_id": spec_id, "server": target},
                "scope": [{"select": {"type": "path", "pattern": "admin"}, "decision": "EXCLUDE"}]}]}),
        )
        .await;
    let problem = bad.problem(422);
    assert!(
        problem.to_string().contains("does not start with /"),
        "{problem}"
    );

    let r = api
        .patch(
            &format!("/api/v1/analyses/{analysis}"),
            &json!({"scans": [{"scan_id": scan, "target": {"type": "api_specification", "spec_id": spec_id, "server": target},
                "scope": [{"select": {"type": "tag", "tag": "admin"}, "decision": "EXCLUDE"}],
                "values": [{"name": "petId", "value": "42"}]}]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.bytes));
    let scan_json = &r.json()["scans"][0];
    assert_eq!(
        scan_json["scope"][0]["select"],
        json!({"type": "tag", "tag": "admin"})
    );
    assert_eq!(scan_json["values"][0]["value"], "42");
    let audits = api
        .get(&format!("/api/v1/analyses/{analysis}/audits"))
        .await
        .json();
    let details: Vec<&str> = audits["audits"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["details"].as_str())
        .collect();
    let logged = |what: &str| {
        details.contains(&format!("{what} of scan pets.json on {target} changed.").as_str())
    };
    assert!(logged("Scope") && logged("Values"), "{details:?}");

    let path = format!("/api/v1/scans/{scan}/prescan");
    let r = api.post(&path, &json!({})).await;
    assert_eq!(r.status, 202, "{}", String::from_utf8_lossy(&r.bytes));
    assert_eq!(r.json()["progress"]["total"], 1);
    let done: Value = eventually(15, || async {
        let p = api.get(&path).await.json();
        (p["state"] == "finished").then_some(p)
    })
    .await;
    assert_eq!(*seen.lock().unwrap(), vec!["/pets/42".to_owned()]);
    let report = &done["report"];
    assert_eq!(report["results"][0]["outcome"]["Response"]["status"], 200);
    assert_eq!(report["total_endpoints"], 1);
    assert_eq!(report["plan"]["coverage"]["excluded"], 1, "{report}");
    assert_eq!(report["plan"]["coverage"]["covered"], 1, "{report}");
}
