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

/// The `.rs` files under `dir`, with their paths from `src/`.
fn sources(dir: &std::path::Path) -> Vec<(String, String)> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                todo.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let name = path.strip_prefix(&root).unwrap().display().to_string();
                out.push((name, std::fs::read_to_string(&path).unwrap()));
            }
        }
    }
    out
}

/// No value is ever formatted into SQL: every statement is a string literal
/// with `?N` (SQLite) or `$N` (PostgreSQL) parameters, a `const` holding
/// one, or, on PostgreSQL, a `format!` that only pastes constants (`{COLUMNS}`: names in capitals).
/// SQL is written only in the back ends (`src/db/sqlite/`,
/// `src/db/postgres/`), and nothing outside the persistence seam
/// (`src/db/`) names SQLite or PostgreSQL.
#[test]
fn every_query_is_parameterized() {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let all = sources(&src);
    assert!(all.len() > 15, "{} files", all.len());
    let mut statements = 0;
    // The one identifier PostgreSQL cannot take as a parameter: the name of
    // a database the tests create, checked to be [A-Za-z0-9_] first.
    let allowed_format = ["&format!(\"CREATE DATABASE {name}\")"];
    for (name, text) in &all {
        let in_backend = name.starts_with("db/sqlite/") || name.starts_with("db/postgres/");
        for call in [
            ".execute(",
            ".execute_batch(",
            ".batch_execute(",
            ".simple_query(",
            ".query(",
            ".query_one(",
            ".query_opt(",
            ".query_row(",
            ".prepare(",
            ".prepare_cached(",
        ] {
            for (i, _) in text.match_indices(call) {
                let after = text[i + call.len()..].trim_start();
                if !in_backend {
                    // An HTTP client's `.execute(request)` is not SQL.
                    let sql = after.starts_with('"') || after.starts_with("params!");
                    assert!(
                        !sql,
                        "{name}: SQL ({call}) outside src/db/sqlite/ and src/db/postgres/"
                    );
                    continue;
                }
                statements += 1;
                // A prepared statement's `.execute(params![..])` or
                // `.query_row([], ..)` is fine.
                let prepared = matches!(call, ".execute(" | ".query_row(" | ".query(")
                    && (after.starts_with("params!") || after.starts_with("[]"));
                let constants_only =
                    (after.starts_with("&format!(") || after.starts_with("format!(")) && {
                        let body = &after[after.find('"').unwrap_or(0)..];
                        let body = &body[..body[1..].find('"').map_or(body.len(), |j| j + 2)];
                        body.split('{').skip(1).all(|piece| {
                            let ident = piece.split('}').next().unwrap_or("");
                            !ident.is_empty()
                                && ident.chars().all(|c| c.is_ascii_uppercase() || c == '_')
                        })
                    };
                let allowed = allowed_format.iter().any(|a| after.starts_with(a));
                // A `const` holding a statement (the migrations' scripts,
                // the version check), or, on PostgreSQL, a statement
                // prepared by `Conn::prepared`, which takes only a
                // `&'static str` (a literal or a `const`).
                let prepared_pg = name.starts_with("db/postgres/")
                    && (after.starts_with("stmt")
                        || (name == "db/postgres/pool.rs" && after.starts_with("sql)")));
                let constant = after.split([')', ',']).next().is_some_and(|c| {
                    !c.is_empty()
                        && c.chars()
                            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
                });
                assert!(
                    after.starts_with('"')
                        || prepared
                        || prepared_pg
                        || constants_only
                        || allowed
                        || constant,
                    "{name}: {call} with a non-literal statement: {}",
                    &after[..after.len().min(60)]
                );
            }
        }
        if !name.starts_with("db/") {
            for driver in ["rusqlite", "tokio_postgres", "tokio-postgres"] {
                assert!(
                    !text.contains(driver),
                    "{name} names {driver}: only the persistence seam (src/db/) may"
                );
            }
        }
    }
    assert!(statements > 80, "{statements} statements found");
}
