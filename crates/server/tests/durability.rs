//! The binary is killed with SIGKILL after answering: nothing it
//! acknowledged is lost. Also: every SQL statement is parameterized.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};

fn spawn(dir: &std::path::Path) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_prescan-server"))
        .args(["--listen", "127.0.0.1:0", "--engine", "fast", "--data-dir"])
        .arg(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    // "prescan-server listening on http://127.0.0.1:PORT (...".
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_owned();
    assert!(line.contains("prescan.sqlite3"), "{line}");
    (child, url)
}

async fn post(client: &reqwest::Client, url: String, ct: &str, body: Vec<u8>) -> Value {
    let r = client
        .post(url)
        .header("content-type", ct)
        .body(body)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.status());
    serde_json::from_slice(&r.bytes().await.unwrap()).unwrap()
}

#[tokio::test]
async fn sigkill_loses_nothing_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let client = reqwest::Client::new();
    let (mut child, base) = spawn(dir.path());
    let spec = r#"{"openapi":"3.0.3","info":{"title":"K","version":"1"},"servers":[{"url":"https://api.example.com"}],"paths":{"/a":{"get":{"responses":{"200":{"description":"ok"}}}}}}"#;
    let rec = post(
        &client,
        format!("{base}/api/v1/specifications?file_name=k.json"),
        "application/json",
        spec.as_bytes().to_vec(),
    )
    .await;
    let mut ids = Vec::new();
    for i in 0..20 {
        let a = post(
            &client,
            format!("{base}/api/v1/analyses"),
            "application/json",
            json!({
                "name": format!("Killed server analysis {i}"),
                "scans": [{ "target": { "type": "api_specification", "spec_id": rec["spec_id"] } }],
                "schedule": { "start": { "type": if i % 2 == 0 { "now" } else { "unscheduled" } }, "duration": { "unit": "hours", "value": 1 } },
                "prescan": true,
                "permission_certified": true
            })
            .to_string()
            .into_bytes(),
        )
        .await;
        ids.push(a["analysis_id"].as_u64().unwrap());
    }
    let audits_before: Value = serde_json::from_slice(
        &client
            .get(format!("{base}/api/v1/analyses/{}/audits", ids[19]))
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap(),
    )
    .unwrap();
    child.kill().unwrap(); // SIGKILL on Unix
    child.wait().unwrap();

    let (mut child, base) = spawn(dir.path());
    let list: Value = serde_json::from_slice(
        &client
            .get(format!("{base}/api/v1/analyses?size=100"))
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap(),
    )
    .unwrap();
    assert_eq!(list["page"]["total_elements"], 20);
    let original = client
        .get(format!(
            "{base}/api/v1/specifications/{}/original",
            rec["spec_id"]
        ))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(&original[..], spec.as_bytes());
    let audits_after: Value = serde_json::from_slice(
        &client
            .get(format!("{base}/api/v1/analyses/{}/audits", ids[19]))
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap(),
    )
    .unwrap();
    assert_eq!(audits_after, audits_before);
    // The engine carries on where it stopped.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let a: Value = serde_json::from_slice(
        &client
            .get(format!("{base}/api/v1/analyses/{}", ids[0]))
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap(),
    )
    .unwrap();
    assert_ne!(a["status"], "SUBMITTED", "{a}");
    child.kill().unwrap();
    child.wait().unwrap();
}

/// No value is ever formatted into SQL: every statement is a string literal
/// with `?N` parameters.
#[test]
fn every_query_is_parameterized() {
    let src = include_str!("../src/db.rs");
    for call in [
        ".execute(",
        ".execute_batch(",
        ".query_row(",
        ".prepare(",
        ".prepare_cached(",
    ] {
        for (i, _) in src.match_indices(call) {
            let after = src[i + call.len()..].trim_start();
            // A prepared statement's `.execute(params![..])` is fine.
            let prepared = call == ".execute(" && after.starts_with("params!");
            assert!(
                after.starts_with('"') || prepared,
                "db.rs: {call} with a non-literal statement: {}",
                &after[..after.len().min(60)]
            );
        }
    }
    for file in [
        include_str!("../src/http/mod.rs"),
        include_str!("../src/http/analyses.rs"),
        include_str!("../src/http/extract.rs"),
        include_str!("../src/http/gate.rs"),
        include_str!("../src/http/notifications.rs"),
        include_str!("../src/http/prescans.rs"),
        include_str!("../src/http/specifications.rs"),
        include_str!("../src/lib.rs"),
    ] {
        for call in [".execute(", ".query_row(", ".prepare("] {
            assert!(!file.contains(call), "SQL outside db.rs");
        }
    }
}
