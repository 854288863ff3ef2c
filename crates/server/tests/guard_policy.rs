//! The guard's options and limits (issue 12): `--prescan-allow`, its
//! combination with `--prescan-deny-private`, checks at connect time (DNS
//! rebinding), before each request (literals), behind `--prescan-proxy`,
//! and the server-wide in-flight cap. Only loopback traffic: names are
//! resolved by a fixed table where they stand for other addresses, and
//! such addresses are only ever refused, never connected to.

mod common;

use std::net::IpAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::StatusCode;
use axum::Router;
use common::{config, eventually, start_with};
use prescan_core::prescan::{Outcome, PlannedRequest};
use prescan_server::guard::{Guard, Lookup, Policy};
use prescan_server::prescan::Outbound;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A listener on `ip` that counts connections, keeps the first line of each
/// request, and answers `200 ok`.
async fn recorder(ip: &str) -> Option<(u16, Arc<AtomicUsize>, Arc<Mutex<Vec<String>>>)> {
    let listener = tokio::net::TcpListener::bind((ip, 0)).await.ok()?;
    let port = listener.local_addr().unwrap().port();
    let count = Arc::new(AtomicUsize::new(0));
    let lines = Arc::new(Mutex::new(Vec::new()));
    let (seen, kept) = (count.clone(), lines.clone());
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            seen.fetch_add(1, Ordering::SeqCst);
            let kept = kept.clone();
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let n = stream.read(&mut buf).await.unwrap_or(0);
                let text = String::from_utf8_lossy(&buf[..n]);
                kept.lock()
                    .unwrap()
                    .push(text.lines().next().unwrap_or("").to_owned());
                let _ = stream
                    .write_all(
                        b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok",
                    )
                    .await;
            });
        }
    });
    Some((port, count, lines))
}

fn spec(paths: &[&str]) -> String {
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
  "paths": {{ {} }} }}"#,
        paths.join(", ")
    )
}

static NAMES: AtomicUsize = AtomicUsize::new(0);

/// A new analysis with one scan of `server`: (analysis, scan).
async fn analysis_on(api: &common::Api, server: &str, paths: &[&str]) -> (u64, u64) {
    let spec_id = api
        .upload("t.json", "application/json", spec(paths).as_bytes())
        .await
        .json()["spec_id"]
        .as_u64()
        .unwrap();
    let a = api
        .post(
            "/api/v1/analyses",
            &json!({
                "name": format!("Policy {server} {}", NAMES.fetch_add(1, Ordering::SeqCst)),
                "scans": [{ "target": { "type": "api_specification", "spec_id": spec_id, "server": server } }],
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

async fn scan_on(api: &common::Api, server: &str, paths: &[&str]) -> u64 {
    analysis_on(api, server, paths).await.1
}

/// Runs a prescan of `server` to the end; its finished state.
async fn prescan(api: &common::Api, server: &str) -> Value {
    let scan = scan_on(api, server, &["/ok"]).await;
    let path = format!("/api/v1/scans/{scan}/prescan");
    let r = api.post(&path, &json!({ "timeout_ms": 3000 })).await;
    assert_eq!(
        r.status,
        202,
        "{server}: {}",
        String::from_utf8_lossy(&r.bytes)
    );
    eventually(15, || async {
        let p = api.get(&path).await.json();
        (p["state"] == "finished").then_some(p)
    })
    .await
}

/// Asks for a prescan of `server`: the refusal's text.
async fn refused(api: &common::Api, server: &str) -> String {
    let scan = scan_on(api, server, &["/ok"]).await;
    let p = api
        .post(&format!("/api/v1/scans/{scan}/prescan"), &json!({}))
        .await
        .problem(422);
    assert_eq!(p["errors"][0]["field"], "server", "{p}");
    p["detail"].as_str().unwrap().to_owned()
}

fn status(done: &Value) -> Value {
    done["report"]["results"][0]["outcome"]["Response"]["status"].clone()
}

#[tokio::test]
async fn an_allowlisted_network_is_reached_and_nothing_else() {
    let (port, count, _) = recorder("127.0.0.1").await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut c = config(dir.path());
    c.prescan_deny_private = true;
    c.prescan_allow = vec!["127.0.0.1/32".parse().unwrap()];
    let (server, api) = start_with(c).await;
    // A listed network may be private.
    let done = prescan(&api, &format!("http://127.0.0.1:{port}")).await;
    assert_eq!(status(&done), 200, "{done}");
    // The IPv4-mapped form is the same address.
    let done = prescan(&api, &format!("http://[::ffff:127.0.0.1]:{port}")).await;
    assert_eq!(status(&done), 200, "{done}");
    assert_eq!(count.load(Ordering::SeqCst), 2);
    // Any other address is refused, naming it and the option.
    let other = recorder("127.0.0.2").await;
    let other_port = other.as_ref().map_or(port, |o| o.0);
    let m = refused(&api, &format!("http://127.0.0.2:{other_port}")).await;
    assert!(
        m.contains("127.0.0.2") && m.contains("--prescan-allow"),
        "{m}"
    );
    let m = refused(&api, &format!("http://[::1]:{port}")).await;
    assert!(m.contains("::1") && m.contains("--prescan-allow"), "{m}");
    let m = refused(&api, &format!("http://0x7f.0.0.2:{other_port}")).await;
    assert!(m.contains("127.0.0.2") && m.contains("0x7f.0.0.2"), "{m}");
    if let Some((_, other_count, _)) = other {
        assert_eq!(other_count.load(Ordering::SeqCst), 0);
    }
    assert_eq!(count.load(Ordering::SeqCst), 2);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn an_allowlisted_name_is_reached_but_deny_private_still_checks_its_addresses() {
    let (port, count, _) = recorder("127.0.0.1").await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut c = config(dir.path());
    c.prescan_allow = vec!["LocalHost.".parse().unwrap()];
    let (server, api) = start_with(c).await;
    // Listed by name (case and a trailing dot do not matter).
    let done = prescan(&api, &format!("http://LOCALHOST:{port}")).await;
    assert_eq!(status(&done), 200, "{done}");
    assert_eq!(count.load(Ordering::SeqCst), 1);
    // Its address is not its name.
    let m = refused(&api, &format!("http://127.0.0.1:{port}")).await;
    assert!(
        m.contains("127.0.0.1") && m.contains("--prescan-allow"),
        "{m}"
    );
    server.stop().await.unwrap();

    let dir = tempfile::tempdir().unwrap();
    let mut c = config(dir.path());
    c.prescan_allow = vec!["localhost".parse().unwrap()];
    c.prescan_deny_private = true;
    let (server, api) = start_with(c).await;
    let m = refused(&api, &format!("http://localhost:{port}")).await;
    assert!(
        m.contains("localhost resolves to 127.0.0.1") && m.contains("--prescan-deny-private"),
        "{m}"
    );
    assert_eq!(count.load(Ordering::SeqCst), 1);
    server.stop().await.unwrap();
}

/// A resolver answering from a table, each name's answers in turn (the
/// last one repeated).
fn table(entries: &[(&str, &[&[&str]])]) -> Lookup {
    let entries: Vec<(String, Vec<Vec<IpAddr>>)> = entries
        .iter()
        .map(|(name, answers)| {
            (
                name.to_string(),
                answers
                    .iter()
                    .map(|a| a.iter().map(|ip| ip.parse().unwrap()).collect())
                    .collect(),
            )
        })
        .collect();
    let calls = Arc::new(Mutex::new(std::collections::HashMap::<String, usize>::new()));
    Arc::new(move |name: &str| {
        let answer = entries.iter().find(|(n, _)| n == name).map(|(_, answers)| {
            let mut calls = calls.lock().unwrap();
            let i = calls.entry(name.to_owned()).or_insert(0);
            let a = answers[(*i).min(answers.len() - 1)].clone();
            *i += 1;
            a
        });
        Box::pin(async move {
            answer.ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "no such name"))
        })
    })
}

fn get(url: &str) -> PlannedRequest {
    PlannedRequest {
        index: 0,
        method: "GET".into(),
        url: url.into(),
        headers: Vec::new(),
        withheld_headers: Vec::new(),
        placeholders_left_out: Vec::new(),
        body: None,
        content_type: None,
    }
}

fn deny_private() -> Policy {
    Policy {
        deny_private: true,
        ..Policy::default()
    }
}

const WAIT: Duration = Duration::from_secs(5);

#[tokio::test]
async fn a_name_that_rebinds_to_loopback_is_refused_when_connecting() {
    let (port, count, _) = recorder("127.0.0.1").await.unwrap();
    let lookup = table(&[
        ("rebind.example", &[&["93.184.216.34"], &["127.0.0.1"]]),
        ("mixed.example", &[&["93.184.216.34", "10.0.0.1"]]),
    ]);
    let guard = Arc::new(Guard::with_lookup(deny_private(), lookup));
    let outbound = Outbound::new(guard, None, 8, 0.0).unwrap();
    let url = format!("http://rebind.example:{port}/ok");
    // Public when the prescan is checked...
    outbound
        .guard()
        .check_url(&reqwest::Url::parse(&url).unwrap())
        .await
        .unwrap();
    // ...loopback when the client connects: refused then.
    let (outcome, refusal) = outbound.fetch(&get(&url), WAIT, 1000).await;
    assert!(matches!(outcome, Outcome::NoResponse { .. }), "{outcome:?}");
    let r = refusal.expect("the refusal");
    assert_eq!(r.addr, Some("127.0.0.1".parse().unwrap()));
    assert_eq!(r.option, "--prescan-deny-private");
    assert!(
        r.to_string()
            .contains("rebind.example resolves to 127.0.0.1, a loopback address"),
        "{r}"
    );
    assert_eq!(count.load(Ordering::SeqCst), 0);
    // One private address among public ones is enough to refuse a name
    // (checked only: nothing is sent to these addresses).
    let r = outbound
        .guard()
        .check_url(&reqwest::Url::parse("http://mixed.example/").unwrap())
        .await
        .unwrap_err();
    assert_eq!(r.addr, Some("10.0.0.1".parse().unwrap()));
}

#[tokio::test]
async fn literal_targets_are_refused_before_each_request() {
    let (port, count, _) = recorder("127.0.0.1").await.unwrap();
    let outbound = Outbound::new(Arc::new(Guard::new(deny_private())), None, 8, 0.0).unwrap();
    for host in [
        "127.0.0.1.",
        "0x7f.1",
        "2130706433",
        "%31%32%37.0.0.1",
        "[::ffff:7f00:1]",
    ] {
        let (outcome, refusal) = outbound
            .fetch(&get(&format!("http://{host}:{port}/ok")), WAIT, 1000)
            .await;
        assert!(
            matches!(outcome, Outcome::NoResponse { .. }),
            "{host}: {outcome:?}"
        );
        let r = refusal.unwrap_or_else(|| panic!("{host} not refused"));
        assert!(r.to_string().contains("127.0.0.1"), "{host}: {r}");
    }
    assert_eq!(count.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn an_explicit_proxy_does_the_connecting_and_targets_are_still_checked() {
    let (proxy, proxied, lines) = recorder("127.0.0.1").await.unwrap();
    let lookup = table(&[
        ("api.example", &[&["93.184.216.34"]]),
        ("inside.example", &[&["10.0.0.1"]]),
    ]);
    let guard = Arc::new(Guard::with_lookup(deny_private(), lookup));
    let outbound =
        Outbound::new(guard, Some(&format!("http://127.0.0.1:{proxy}")), 8, 0.0).unwrap();
    // A public target goes through the proxy (itself on loopback: the
    // guard checks targets, not the proxy the operator named).
    let (outcome, refusal) = outbound
        .fetch(&get("http://api.example/ok"), WAIT, 1000)
        .await;
    assert!(refusal.is_none());
    assert!(
        matches!(&outcome, Outcome::Response(r) if r.status == 200),
        "{outcome:?}"
    );
    assert_eq!(proxied.load(Ordering::SeqCst), 1);
    assert_eq!(
        lines.lock().unwrap().as_slice(),
        ["GET http://api.example/ok HTTP/1.1"]
    );
    // A name that resolves to a private address, and a literal, are refused
    // before anything reaches the proxy.
    // So is a name this server cannot resolve: the proxy might resolve it
    // to anything.
    for url in [
        "http://inside.example/ok",
        "http://127.0.0.1.:9/ok",
        "http://unknown.example/ok",
    ] {
        let (outcome, refusal) = outbound.fetch(&get(url), WAIT, 1000).await;
        assert!(matches!(outcome, Outcome::NoResponse { .. }), "{url}");
        assert_eq!(refusal.unwrap().option, "--prescan-deny-private");
    }
    assert_eq!(proxied.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn prescans_share_the_server_wide_in_flight_cap() {
    let now = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    let total = Arc::new(AtomicUsize::new(0));
    let (n, m, t) = (now.clone(), most.clone(), total.clone());
    let app = Router::new().fallback(move || {
        let (n, m, t) = (n.clone(), m.clone(), t.clone());
        async move {
            let current = n.fetch_add(1, Ordering::SeqCst) + 1;
            m.fetch_max(current, Ordering::SeqCst);
            t.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(100)).await;
            n.fetch_sub(1, Ordering::SeqCst);
            (StatusCode::OK, "ok")
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let target = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });

    let dir = tempfile::tempdir().unwrap();
    let mut c = config(dir.path());
    c.prescan_max_inflight = 2;
    c.prescan_rate = 0.0;
    let (server, api) = start_with(c).await;
    let paths = ["/a", "/b", "/c", "/d"];
    let mut prescans = Vec::new();
    for _ in 0..3 {
        let scan = scan_on(&api, &target, &paths).await;
        prescans.push(format!("/api/v1/scans/{scan}/prescan"));
    }
    for path in &prescans {
        let r = api
            .post(
                path,
                &json!({ "requests_per_second": 100, "max_in_flight": 4, "timeout_ms": 10000 }),
            )
            .await;
        assert_eq!(r.status, 202, "{}", String::from_utf8_lossy(&r.bytes));
    }
    for path in &prescans {
        let done: Value = eventually(30, || async {
            let p = api.get(path).await.json();
            (p["state"] == "finished").then_some(p)
        })
        .await;
        let statuses: Vec<Value> = done["report"]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["outcome"]["Response"]["status"].clone())
            .collect();
        assert_eq!(statuses, vec![json!(200); 4], "{done}");
    }
    assert_eq!(total.load(Ordering::SeqCst), 12);
    let most = most.load(Ordering::SeqCst);
    assert!((1..=2).contains(&most), "{most} requests in flight at once");
    server.stop().await.unwrap();
}

#[tokio::test]
async fn a_refusal_when_connecting_is_named_in_the_activity_log() {
    let (port, count, _) = recorder("127.0.0.1").await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut c = config(dir.path());
    c.prescan_deny_private = true;
    c.prescan_lookup = Some(prescan_server::guard::CustomLookup(table(&[(
        "rebind.example",
        &[&["93.184.216.34"], &["127.0.0.1"]],
    )])));
    let (server, api) = start_with(c).await;
    let (analysis, scan) =
        analysis_on(&api, &format!("http://rebind.example:{port}"), &["/ok"]).await;
    let path = format!("/api/v1/scans/{scan}/prescan");
    // Public when requested: the prescan starts...
    let r = api.post(&path, &json!({ "timeout_ms": 3000 })).await;
    assert_eq!(r.status, 202, "{}", String::from_utf8_lossy(&r.bytes));
    let done: Value = eventually(15, || async {
        let p = api.get(&path).await.json();
        (p["state"] == "finished").then_some(p)
    })
    .await;
    // ...and its request, refused when connecting, got no response.
    assert!(
        done["report"]["results"][0]["outcome"]["NoResponse"].is_object(),
        "{done}"
    );
    assert_eq!(count.load(Ordering::SeqCst), 0);
    let audits = api
        .get(&format!("/api/v1/analyses/{analysis}/audits"))
        .await
        .json();
    let details: Vec<String> = audits["audits"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["details"].as_str().map(str::to_owned))
        .collect();
    assert!(
        details.iter().any(|d| d.contains("refused when connecting")
            && d.contains("rebind.example resolves to 127.0.0.1")
            && d.contains("--prescan-deny-private")),
        "{details:#?}"
    );
    server.stop().await.unwrap();
}
