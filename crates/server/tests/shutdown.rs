//! Stopping the real binary for a rolling update: SIGTERM makes /readyz
//! answer 503 at once, lets running prescans finish within
//! --shutdown-grace (then cancels and records them as stopped by the
//! server), and exits 0; a second signal stops at once. And the probes.

#![cfg(unix)]

mod common;

use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};

/// A target whose every path answers 200 after `delay`.
async fn slow_target(delay: Duration) -> String {
    let app = Router::new().route(
        "/{p}",
        get(move || async move {
            tokio::time::sleep(delay).await;
            "late but fine"
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

/// The binary on `dir` with `args`; its base URL.
fn spawn(dir: &std::path::Path, args: &[&str]) -> (Child, String) {
    let mut all = vec!["--listen", "127.0.0.1:0", "--engine", "fast"];
    all.extend_from_slice(args);
    common::spawn_server(dir, &all, Stdio::piped())
}

fn term(child: &Child) {
    let ok = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok, "kill -TERM");
}

/// Waits for the process to exit, at most `secs`; its exit code, how long
/// it took and what it wrote to stderr. (The target runs on the test's
/// runtime: never block it.)
async fn exits_within(child: &mut Child, secs: u64) -> (i32, Duration, String) {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut err = String::new();
            child
                .stderr
                .take()
                .unwrap()
                .read_to_string(&mut err)
                .unwrap();
            return (status.code().unwrap_or(-1), start.elapsed(), err);
        }
        if start.elapsed() > Duration::from_secs(secs) {
            let _ = child.kill();
            panic!("the server did not exit within {secs} s");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// An analysis with a scan of `n` GET endpoints on `target`; (analysis,
/// scan).
async fn analysis_on(api: &common::Api, target: &str, n: usize) -> (u64, u64) {
    let paths: Vec<String> = (0..n)
        .map(|i| {
            format!(
                r#""/p{i}": {{ "get": {{ "responses": {{ "200": {{ "description": "ok" }} }} }} }}"#
            )
        })
        .collect();
    let spec = format!(
        r#"{{ "openapi": "3.0.3", "info": {{ "title": "Slow", "version": "1" }}, "servers": [{{ "url": "{target}" }}], "paths": {{ {} }} }}"#,
        paths.join(", ")
    );
    let spec_id = api
        .upload("slow.json", "application/json", spec.as_bytes())
        .await
        .json()["spec_id"]
        .as_u64()
        .unwrap();
    let a = api
        .post(
            "/api/v1/analyses",
            &json!({
                "name": "Slow prescan target",
                "scans": [{ "target": { "type": "api_specification", "spec_id": spec_id, "server": target } }],
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

/// Starts the prescan of `scan`: one request at a time.
async fn start_prescan(api: &common::Api, scan: u64) {
    let r = api
        .post(
            &format!("/api/v1/scans/{scan}/prescan"),
            &json!({ "max_in_flight": 1, "requests_per_second": 50, "timeout_ms": 10000 }),
        )
        .await;
    assert_eq!(r.status, 202, "{}", String::from_utf8_lossy(&r.bytes));
}

/// After the stop: the prescan and the last activity log entry, as a
/// restarted server on the same data directory shows them.
async fn recorded(dir: &std::path::Path, analysis: u64, scan: u64) -> (Value, String) {
    let (mut child, base) = spawn(dir, &["--shutdown-delay", "0"]);
    let api = common::Api::new(base, None);
    let p = api
        .get(&format!("/api/v1/scans/{scan}/prescan"))
        .await
        .json();
    let audits = api
        .get(&format!("/api/v1/analyses/{analysis}/audits"))
        .await
        .json();
    let last = audits["audits"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|e| e["details"].as_str().unwrap_or("").starts_with("Prescan"))
        .map(|e| e["details"].as_str().unwrap().to_owned())
        .unwrap_or_default();
    term(&child);
    let (code, _, _) = exits_within(&mut child, 10).await;
    assert_eq!(code, 0);
    (p, last)
}

fn outcomes(p: &Value) -> Vec<String> {
    p["report"]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| match &r["outcome"] {
            Value::String(s) => s.clone(),
            Value::Object(o) => o.keys().next().cloned().unwrap_or_default(),
            other => other.to_string(),
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_lets_a_running_prescan_finish_and_exits_0() {
    let target = slow_target(Duration::from_millis(800)).await;
    let dir = tempfile::tempdir().unwrap();
    let (mut child, base) = spawn(
        dir.path(),
        &["--shutdown-delay", "1", "--shutdown-grace", "30"],
    );
    let api = common::Api::new(base, None);
    assert_eq!(api.get("/readyz").await.status, 200);
    let (analysis, scan) = analysis_on(&api, &target, 4).await;
    start_prescan(&api, scan).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let signalled = Instant::now();
    term(&child);
    // Not ready from the moment the signal arrives, while the listener is
    // still open (--shutdown-delay); the process is still alive.
    let not_ready = common::eventually(2, || async {
        let r = api.get("/readyz").await;
        (r.status == 503).then_some(r)
    })
    .await;
    assert!(signalled.elapsed() < Duration::from_millis(900));
    let p = not_ready.problem(503);
    assert!(p["detail"].as_str().unwrap().contains("stopping"), "{p}");
    assert_eq!(api.get("/healthz").await.status, 200);
    // No new prescan meanwhile.
    let refused = api
        .post(&format!("/api/v1/scans/{scan}/prescan"), &json!({}))
        .await;
    assert!(refused.problem(503)["detail"]
        .as_str()
        .unwrap()
        .contains("stopping"));
    let (code, _, stderr) = exits_within(&mut child, 30).await;
    let took = signalled.elapsed();
    assert_eq!(code, 0, "{stderr}");
    // The prescan takes about 3.2 s, 2.9 s of them after the signal: the
    // server waited for it.
    assert!(took >= Duration::from_secs(2), "{took:?} {stderr}");
    for phase in [
        "SIGTERM received: stopping",
        "the listener is closed",
        "every prescan has finished",
        "stopped",
    ] {
        assert!(stderr.contains(phase), "{phase:?} not in {stderr}");
    }
    let (p, last) = recorded(dir.path(), analysis, scan).await;
    assert_eq!(p["state"], "finished");
    assert_eq!(p["progress"], json!({ "done": 4, "total": 4 }));
    assert_eq!(outcomes(&p), vec!["Response"; 4], "{p}");
    assert!(last.starts_with("Prescan succeeded"), "{last}");
    assert!(!last.contains("server stopped"), "{last}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_prescan_longer_than_the_grace_is_recorded_as_stopped() {
    let target = slow_target(Duration::from_millis(1000)).await;
    let dir = tempfile::tempdir().unwrap();
    let (mut child, base) = spawn(
        dir.path(),
        &["--shutdown-delay", "0", "--shutdown-grace", "1.5"],
    );
    let api = common::Api::new(base, None);
    let (analysis, scan) = analysis_on(&api, &target, 8).await;
    start_prescan(&api, scan).await;
    term(&child);
    let (code, took, stderr) = exits_within(&mut child, 15).await;
    assert_eq!(code, 0, "{stderr}");
    assert!(took < Duration::from_secs(8), "{took:?}");
    assert!(stderr.contains("the grace of 1.5 s is over"), "{stderr}");
    assert!(
        stderr.contains("recorded as stopped by the server"),
        "{stderr}"
    );
    let (p, last) = recorded(dir.path(), analysis, scan).await;
    assert_eq!(p["state"], "finished");
    let o = outcomes(&p);
    assert!(o.iter().any(|x| x == "Response"), "{o:?}");
    assert!(o.iter().any(|x| x == "Cancelled"), "{o:?}");
    assert!(
        last.contains("The server stopped before the prescan finished"),
        "{last}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_signal_stops_at_once() {
    let target = slow_target(Duration::from_millis(1000)).await;
    let dir = tempfile::tempdir().unwrap();
    let (mut child, base) = spawn(
        dir.path(),
        &["--shutdown-delay", "0", "--shutdown-grace", "60"],
    );
    let api = common::Api::new(base, None);
    let (analysis, scan) = analysis_on(&api, &target, 10).await;
    start_prescan(&api, scan).await;
    term(&child);
    tokio::time::sleep(Duration::from_millis(300)).await;
    term(&child);
    let (code, took, stderr) = exits_within(&mut child, 10).await;
    assert_eq!(code, 0, "{stderr}");
    assert!(took < Duration::from_secs(5), "{took:?} {stderr}");
    assert!(stderr.contains("received again"), "{stderr}");
    let (p, last) = recorded(dir.path(), analysis, scan).await;
    assert!(outcomes(&p).iter().any(|x| x == "Cancelled"), "{p}");
    assert!(
        last.contains("The server stopped before the prescan finished"),
        "{last}"
    );
}

#[tokio::test]
async fn the_probes_answer_without_a_token() {
    let dir = tempfile::tempdir().unwrap();
    let (server, api) = common::start_with(prescan_server::Config {
        token: Some("a-token-of-enough-characters".into()),
        ..common::config(dir.path())
    })
    .await;
    let bare = common::Api::new(api.base.clone(), None);
    let h = bare.get("/healthz").await;
    assert_eq!(h.status, 200);
    assert_eq!(h.json(), json!({ "status": "ok" }));
    assert_eq!(h.header("cache-control").as_deref(), Some("no-store"));
    let r = bare.get("/readyz").await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.bytes));
    assert_eq!(r.json()["status"], "ready");
    // Another Host (no DNS-rebinding risk: they tell nothing).
    let other = bare
        .send(
            bare.client
                .get(bare.url("/healthz"))
                .header("host", "probe.internal"),
        )
        .await;
    assert_eq!(other.status, 200);
    bare.post("/readyz", &json!({})).await.problem(405);
    // The API still needs the token.
    bare.get("/api/v1/analyses").await.problem(401);
    server.stop().await.unwrap();
}
