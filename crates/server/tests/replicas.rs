//! Several server processes (replicas) on one database, as behind a load
//! balancer (issue 19): real `prescan-server` processes, killed with
//! `kill -9` during a prescan and during engine ticks, and restarted one by
//! one under load. Runs on SQLite (one file shared by the processes) and,
//! when the suite runs on PostgreSQL, on PostgreSQL.
//!
//! What must hold: nothing acknowledged (a 201) is lost; no step of the
//! engine, activity-log entry or notification is doubled; a prescan whose
//! replica died is closed by another one with a note, never left running;
//! a cancel asked through one replica stops the prescan another drives.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::Duration;

use axum::routing::get;
use axum::Router;
use common::{eventually, Api};
use prescan_core::analysis::Outcome;
use serde_json::{json, Value};

/// A `prescan-server` process.
struct Replica {
    child: Child,
    api: Api,
}

impl Replica {
    /// Starts a replica on the test's store (the data directory, or its
    /// PostgreSQL database), with a short prescan lease.
    fn start(dir: &Path) -> Replica {
        Replica::start_on(dir, 0)
    }

    /// As [`Replica::start`], on `port` (0: any free one); a replica
    /// restarted on its port is found again by the load.
    fn start_on(dir: &Path, port: u16) -> Replica {
        Replica::start_with(dir, port, &[])
    }

    /// As [`Replica::start_on`], with more options.
    fn start_with(dir: &Path, port: u16, extra: &[&str]) -> Replica {
        let listen = format!("127.0.0.1:{port}");
        let mut args = vec![
            "--listen",
            &listen,
            "--engine",
            "fast",
            "--prescan-lease",
            "2",
        ];
        if !extra.contains(&"--rate-prescans") {
            args.extend(["--rate-prescans", "0"]);
        }
        args.extend_from_slice(extra);
        let (child, url) = common::spawn_server(dir, &args, Stdio::inherit());
        Replica {
            child,
            api: Api::new(url, None),
        }
    }

    /// `kill -9`: no chance to finish anything.
    fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// SIGTERM, and the exit awaited.
    fn stop(mut self) -> std::process::ExitStatus {
        // SAFETY: a plain kill(2) of our own child.
        unsafe {
            libc::kill(self.child.id() as i32, libc::SIGTERM);
        }
        self.child.wait().unwrap()
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A target whose every answer takes `delay`.
async fn slow_target(delay: Duration) -> String {
    let app = Router::new().fallback(get(move || async move {
        tokio::time::sleep(delay).await;
        "late"
    }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

fn spec_of(paths: usize) -> String {
    let paths: Vec<String> = (0..paths)
        .map(|i| {
            format!(
                r#""/p{i}": {{ "get": {{ "responses": {{ "200": {{ "description": "ok" }} }} }} }}"#
            )
        })
        .collect();
    format!(
        r#"{{ "openapi": "3.0.3", "info": {{ "title": "Replicas", "version": "1" }},
  "servers": [{{ "url": "https://placeholder.example.com" }}], "paths": {{ {} }} }}"#,
        paths.join(", ")
    )
}

async fn upload(api: &Api, paths: usize) -> u64 {
    let r = api
        .upload(
            "replicas.json",
            "application/json",
            spec_of(paths).as_bytes(),
        )
        .await;
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.bytes));
    r.json()["spec_id"].as_u64().unwrap()
}

/// Creates an analysis of one scan of `spec_id` on `server`; its id and
/// its scan's.
async fn analysis(api: &Api, name: &str, spec_id: u64, server: &str, start: Value) -> (u64, u64) {
    let r = api
        .post(
            "/api/v1/analyses",
            &json!({
                "name": name,
                "scans": [{ "target": { "type": "api_specification", "spec_id": spec_id, "server": server } }],
                "schedule": { "start": start, "duration": { "unit": "hours", "value": 1 } },
                "prescan": true,
                "permission_certified": true
            }),
        )
        .await;
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.bytes));
    let v = r.json();
    (
        v["analysis_id"].as_u64().unwrap(),
        v["scans"][0]["scan_id"].as_u64().unwrap(),
    )
}

async fn audits(api: &Api, id: u64) -> Vec<Value> {
    let r = api.get(&format!("/api/v1/analyses/{id}/audits")).await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.bytes));
    r.json()["audits"].as_array().unwrap().clone()
}

#[tokio::test]
async fn a_prescan_whose_replica_is_killed_is_closed_by_another() {
    let dir = tempfile::tempdir().unwrap();
    let a = Replica::start(dir.path());
    let b = Replica::start(dir.path());
    let c = Replica::start(dir.path());
    let target = slow_target(Duration::from_secs(2)).await;
    let spec_id = upload(&a.api, 6).await;
    let (id, scan) = analysis(
        &b.api,
        "Killed during its prescan",
        spec_id,
        &target,
        json!({ "type": "unscheduled" }),
    )
    .await;

    // Started on A; while its first requests wait on the target, A dies.
    let started = a
        .api
        .post(&format!("/api/v1/scans/{scan}/prescan"), &json!({}))
        .await;
    assert_eq!(
        started.status,
        202,
        "{}",
        String::from_utf8_lossy(&started.bytes)
    );
    // Another replica sees it running, and refuses a second one.
    let running = c
        .api
        .get(&format!("/api/v1/scans/{scan}/prescan"))
        .await
        .json();
    assert!(running["state"] == "running", "{running}");
    let second = c
        .api
        .post(&format!("/api/v1/scans/{scan}/prescan"), &json!({}))
        .await;
    assert_eq!(
        second.status,
        409,
        "{}",
        String::from_utf8_lossy(&second.bytes)
    );
    tokio::time::sleep(Duration::from_millis(700)).await;
    a.kill();

    // B or C closes it once its lease (2 s) has ended: finished, its
    // unfinished requests cancelled, one log entry saying why.
    let closed = eventually(20, || async {
        let p = b
            .api
            .get(&format!("/api/v1/scans/{scan}/prescan"))
            .await
            .json();
        (p["state"] == "finished").then_some(p)
    })
    .await;
    let cancelled = closed["report"]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r.to_string().contains("ancel"))
        .count();
    assert!(cancelled > 0, "{closed}");
    let log = audits(&c.api, id).await;
    let notes: Vec<&str> = log
        .iter()
        .filter_map(|e| e["details"].as_str())
        .filter(|d| d.contains("stopped before it finished"))
        .collect();
    assert_eq!(notes.len(), 1, "{log:#?}");
    // Nothing else closes it again later.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(audits(&b.api, id).await.len(), log.len());

    // A prescan driven by C is cancelled through B.
    let (_, scan2) = analysis(
        &b.api,
        "Cancelled through another",
        spec_id,
        &target,
        json!({ "type": "unscheduled" }),
    )
    .await;
    let started = c
        .api
        .post(&format!("/api/v1/scans/{scan2}/prescan"), &json!({}))
        .await;
    assert_eq!(
        started.status,
        202,
        "{}",
        String::from_utf8_lossy(&started.bytes)
    );
    let cancelled = b
        .api
        .post(&format!("/api/v1/scans/{scan2}/prescan/cancel"), &json!({}))
        .await;
    assert_eq!(
        cancelled.status,
        202,
        "{}",
        String::from_utf8_lossy(&cancelled.bytes)
    );
    let done = eventually(10, || async {
        let p = b
            .api
            .get(&format!("/api/v1/scans/{scan2}/prescan"))
            .await
            .json();
        (p["state"] == "finished").then_some(p)
    })
    .await;
    assert_eq!(done["state"], "finished", "{done}");
    drop((b, c));
}

fn succeeding(prefix: &str, from: usize, n: usize) -> Vec<String> {
    (from..)
        .map(|i| format!("{prefix} {i}"))
        .filter(|name| Outcome::for_run(name, 1, 1) == Outcome::Succeeds)
        .take(n)
        .collect()
}

/// Creates each analysis through the replicas in turn, going on to the
/// next replica when one does not answer (as a load balancer does);
/// returns the ids acknowledged with a 201.
async fn create_all(apis: &[Api], names: &[String], spec_id: u64) -> BTreeMap<String, u64> {
    let mut acknowledged = BTreeMap::new();
    for (i, name) in names.iter().enumerate() {
        for attempt in 0..apis.len() * 3 {
            let api = &apis[(i + attempt) % apis.len()];
            let body = common::new_analysis(name, spec_id, json!({ "type": "now" }));
            let sent = api
                .client
                .post(api.url("/api/v1/analyses"))
                .header("content-type", "application/json")
                .body(body.to_string())
                .timeout(Duration::from_secs(20))
                .send()
                .await;
            match sent {
                Ok(r) if r.status() == 201 => {
                    let v: Value = serde_json::from_slice(&r.bytes().await.unwrap()).unwrap();
                    acknowledged.insert(name.clone(), v["analysis_id"].as_u64().unwrap());
                    break;
                }
                // Created by an attempt whose answer was lost: the name
                // is taken; it is not acknowledged, but must not be
                // doubled either (checked below).
                Ok(r) if r.status() == 422 => break,
                Ok(r) => panic!("{} for {name}", r.status()),
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
    }
    acknowledged
}

/// Every acknowledged analysis is there once; every analysis's log has no
/// entry twice and its notifications no kind twice.
async fn check_nothing_lost_or_doubled(api: &Api, acknowledged: &BTreeMap<String, u64>) {
    let list = api.get("/api/v1/analyses?size=100").await.json();
    let listed: BTreeMap<String, u64> = list["analyses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["name"].as_str().unwrap().to_owned(),
                a["analysis_id"].as_u64().unwrap(),
            )
        })
        .collect();
    for (name, id) in acknowledged {
        assert_eq!(
            listed.get(name),
            Some(id),
            "{name} was acknowledged as {id}"
        );
    }
    for id in listed.values() {
        let log = audits(api, *id).await;
        let mut seen = BTreeSet::new();
        for e in &log {
            let key = (
                e["event_type"].to_string(),
                e["details"].to_string(),
                e["new_value"].to_string(),
            );
            assert!(seen.insert(key), "analysis {id}: an entry twice: {log:#?}");
        }
    }
    let notes = api.get("/api/v1/notifications").await.json();
    let mut kinds = BTreeSet::new();
    for n in notes["notifications"].as_array().unwrap() {
        let key = (n["analysis_id"].to_string(), n["kind"].to_string());
        assert!(kinds.insert(key), "a notification twice: {n}");
    }
}

#[tokio::test]
async fn load_through_three_replicas_survives_a_kill_during_engine_ticks() {
    let dir = tempfile::tempdir().unwrap();
    let replicas: Vec<Replica> = (0..3).map(|_| Replica::start(dir.path())).collect();
    let apis: Vec<Api> = replicas
        .iter()
        .map(|r| Api::new(r.api.base.clone(), None))
        .collect();
    let spec_id = upload(&apis[0], 2).await;
    let names = succeeding("Replicated", 0, 30);
    let (first, rest) = names.split_at(15);
    let acknowledged = create_all(&apis, first, spec_id).await;
    // The engine of every replica moves these on; C dies in the middle.
    let mut replicas = replicas.into_iter();
    let (a, b, c) = (
        replicas.next().unwrap(),
        replicas.next().unwrap(),
        replicas.next().unwrap(),
    );
    tokio::time::sleep(Duration::from_millis(2500)).await;
    c.kill();
    let mut more = create_all(&apis, rest, spec_id).await;
    more.extend(acknowledged);
    // Every run completes (the fast engine takes ~12 s) and is published.
    eventually(60, || async {
        let list = apis[0].get("/api/v1/analyses?size=100").await.json();
        list["analyses"]
            .as_array()
            .unwrap()
            .iter()
            .all(|x| {
                x["status"]
                    .as_str()
                    .is_some_and(|s| s.contains("RESULTS") || s.contains("PUBLISHED"))
            })
            .then_some(())
    })
    .await;
    check_nothing_lost_or_doubled(&apis[1], &more).await;
    assert_eq!(
        more.len(),
        30,
        "every creation was acknowledged by a live replica"
    );
    drop((a, b));
}

#[tokio::test]
async fn a_rolling_restart_under_load_loses_no_acknowledged_request() {
    let dir = tempfile::tempdir().unwrap();
    let a = Replica::start(dir.path());
    let b = Replica::start(dir.path());
    let spec_id = upload(&a.api, 2).await;
    let urls = vec![a.api.base.clone(), b.api.base.clone()];
    let load_urls = urls.clone();
    let names = succeeding("Rolling", 0, 60);
    let load = tokio::spawn(async move {
        let apis: Vec<Api> = load_urls
            .iter()
            .map(|u| Api::new(u.clone(), None))
            .collect();
        let mut acknowledged = BTreeMap::new();
        for chunk in names.chunks(5) {
            acknowledged.extend(create_all(&apis, chunk, spec_id).await);
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        acknowledged
    });
    // A goes (SIGTERM: the requests under way finish) and comes back; then B.
    let port = |r: &Replica| -> u16 { r.api.base.rsplit(':').next().unwrap().parse().unwrap() };
    let (port_a, port_b) = (port(&a), port(&b));
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert!(a.stop().success());
    let a2 = Replica::start_on(dir.path(), port_a);
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert!(b.stop().success());
    let b2 = Replica::start_on(dir.path(), port_b);
    let acknowledged = load.await.unwrap();
    assert!(
        acknowledged.len() >= 50,
        "{} acknowledged",
        acknowledged.len()
    );
    check_nothing_lost_or_doubled(&a2.api, &acknowledged).await;
    check_nothing_lost_or_doubled(&b2.api, &acknowledged).await;
    drop((a2, b2));
}

/// The rate limits hold across replicas: uploads counted as one, and an
/// address guessing tokens on two replicas is throttled as one.
#[tokio::test]
async fn rate_limits_hold_across_replicas() {
    let dir = tempfile::tempdir().unwrap();
    let token = "replicas-rate-limit-token-0123";
    let args = [
        "--rate-uploads",
        "4",
        "--rate-auth-failures",
        "3",
        "--token",
        token,
    ];
    let a = Replica::start_with(dir.path(), 0, &args);
    let b = Replica::start_with(dir.path(), 0, &args);
    let (a_api, b_api) = (
        Api::new(a.api.base.clone(), Some(token)),
        Api::new(b.api.base.clone(), Some(token)),
    );
    for (i, api) in [&a_api, &b_api, &a_api, &b_api].iter().enumerate() {
        let r = api
            .upload(
                &format!("s{i}.json"),
                "application/json",
                spec_of(i + 1).as_bytes(),
            )
            .await;
        assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.bytes));
    }
    // Each replica allowed only two: the fifth is refused on both.
    for api in [&a_api, &b_api] {
        let r = api
            .upload("s9.json", "application/json", spec_of(9).as_bytes())
            .await;
        let p = r.problem(429);
        assert!(
            p["detail"].as_str().unwrap().contains("--rate-uploads"),
            "{p}"
        );
    }
    // Wrong tokens: two on A, one on B, then refused on both.
    let wrong_a = Api::new(a.api.base.clone(), Some("not-the-token-but-long-enough"));
    let wrong_b = Api::new(b.api.base.clone(), Some("not-the-token-but-long-enough"));
    for api in [&wrong_a, &wrong_a, &wrong_b] {
        assert_eq!(api.get("/api/v1/analyses").await.status, 401);
    }
    for api in [&wrong_b, &wrong_a] {
        let r = api.get("/api/v1/analyses").await;
        assert_eq!(r.status, 429, "{}", String::from_utf8_lossy(&r.bytes));
    }
    drop((a, b));
}
