//! Client certificates and the User-Agent of server prescans: a TLS target
//! on 127.0.0.1 that requires a client certificate of a test CA (made here
//! with rcgen, packed as PKCS#12), the server started with
//! `--prescan-ca-cert` for that CA.

mod common;

#[path = "../../runner/tests/support/mtls.rs"]
mod mtls;

use base64::Engine as _;
use common::{config, eventually, start_with, Api};
use mtls::{pki, Target, PASSPHRASE};
use serde_json::{json, Value};

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn certificate(bytes: &[u8], passphrase: &str) -> Value {
    json!({ "file_name": "client.p12", "pkcs12_base64": b64(bytes), "passphrase": passphrase })
}

async fn upload(api: &Api) -> u64 {
    api.upload("mtls.json", "application/json", mtls::SPEC.as_bytes())
        .await
        .json()["spec_id"]
        .as_u64()
        .unwrap()
}

fn analysis(name: &str, spec_id: u64, server: &str, auth: Value) -> Value {
    json!({
        "name": name,
        "scans": [{ "target": { "type": "api_specification", "spec_id": spec_id, "server": server }, "auth": auth }],
        "schedule": { "start": { "type": "unscheduled" }, "duration": { "unit": "hours", "value": 1 } },
        "prescan": true,
        "permission_certified": true
    })
}

/// Runs the prescan of `scan` with `request` and waits for its end.
async fn prescan(api: &Api, scan: u64, request: Value) -> Value {
    let path = format!("/api/v1/scans/{scan}/prescan");
    let r = api.post(&path, &request).await;
    assert_eq!(r.status, 202, "{}", String::from_utf8_lossy(&r.bytes));
    eventually(15, || async {
        let p = api.get(&path).await.json();
        (p["state"] == "finished").then_some(p)
    })
    .await
}

fn statuses(p: &Value) -> Vec<Value> {
    p["report"]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["outcome"].clone())
        .collect()
}

#[tokio::test]
async fn the_server_prescan_presents_the_scans_certificate() {
    let pki = pki();
    let target = Target::start(Some(pki.server.clone())).await;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (server, api) = start_with(prescan_server::Config {
        prescan_ca_cert: Some(pki.ca_pem.clone().into_bytes()),
        ..config(&data)
    })
    .await;
    let spec_id = upload(&api).await;
    let url = target.url(true);

    let r = api
        .post(
            "/api/v1/analyses",
            &analysis(
                "With a client certificate",
                spec_id,
                &url,
                json!({ "client_certificate": certificate(&pki.client_p12, PASSPHRASE) }),
            ),
        )
        .await;
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.bytes));
    let body = String::from_utf8_lossy(&r.bytes).into_owned();
    assert!(!body.contains(PASSPHRASE) && !body.contains(&b64(&pki.client_p12)[..40]));
    let a = r.json();
    assert_eq!(
        a["scans"][0]["auth_configured"]["client_certificate"],
        "client.p12"
    );
    let id = a["analysis_id"].as_u64().unwrap();
    let scan = a["scans"][0]["scan_id"].as_u64().unwrap();

    let done = prescan(&api, scan, json!({})).await;
    let c = &done["report"];
    let text = done.to_string();
    assert!(!text.contains(PASSPHRASE) && !text.contains(&b64(&pki.client_p12)[..40]));
    let outcomes = statuses(&done);
    assert_eq!(outcomes.len(), 2, "{c:#}");
    for o in &outcomes {
        assert_eq!(o["Response"]["status"], 200, "{c:#}");
    }
    let agent = format!("prescan-server/{}", env!("CARGO_PKG_VERSION"));
    assert_eq!(target.agents(), [agent.clone(), agent]);

    // The same scan without its certificate: refused in the handshake,
    // and the notes say the server asked for one.
    let r = api
        .patch(
            &format!("/api/v1/analyses/{id}"),
            &json!({ "scans": [{ "scan_id": scan, "target": { "type": "api_specification", "spec_id": spec_id, "server": url }, "auth": {} }] }),
        )
        .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.bytes));
    assert!(r.json()["scans"][0]["auth_configured"]
        .get("client_certificate")
        .is_none());
    let done = prescan(&api, scan, json!({})).await;
    for o in statuses(&done) {
        assert!(o.get("NoResponse").is_some(), "{o}");
    }
    let notes = done["report"]["notes"].to_string();
    let text = done.to_string();
    assert!(
        text.contains("asked for a client certificate"),
        "{notes} {text}"
    );
    assert_eq!(target.agents().len(), 2);

    // Sealed at rest: neither the file nor the passphrase is in the
    // database files.
    server.stop().await.unwrap();
    let mut db = Vec::new();
    for name in ["prescan.sqlite3", "prescan.sqlite3-wal"] {
        if let Ok(b) = std::fs::read(data.join(name)) {
            db.extend(b);
        }
    }
    for needle in [PASSPHRASE.to_owned(), b64(&pki.client_p12)[..40].to_owned()] {
        assert!(
            !db.windows(needle.len()).any(|w| w == needle.as_bytes()),
            "{needle} is in the database"
        );
    }
}

#[tokio::test]
async fn a_certificate_that_cannot_be_used_is_refused_when_saved() {
    let pki = pki();
    let dir = tempfile::tempdir().unwrap();
    let (_server, api) = start_with(config(dir.path())).await;
    let spec_id = upload(&api).await;
    let secret = "wrong-Passphrase-42";
    let big = vec![0x30u8; 64 * 1024 + 1];
    for (cert, says) in [
        (
            certificate(&pki.client_p12, secret),
            "passphrase does not open",
        ),
        (certificate(b"hello", PASSPHRASE), "is not a PKCS#12 file"),
        (certificate(&pki.no_key_p12, PASSPHRASE), "no private key"),
        (certificate(&pki.expired_p12, PASSPHRASE), "expired on"),
        (certificate(&big, PASSPHRASE), "at most 64 KiB"),
        (
            json!({ "file_name": "client.p12", "pkcs12_base64": "%%%", "passphrase": "" }),
            "base64",
        ),
    ] {
        let r = api
            .post(
                "/api/v1/analyses",
                &analysis(
                    "Refused certificate",
                    spec_id,
                    "https://127.0.0.1:9",
                    json!({ "client_certificate": cert }),
                ),
            )
            .await;
        let p = r.problem(422);
        let text = p.to_string();
        assert_eq!(
            p["errors"][0]["field"], "scans[0].auth.client_certificate",
            "{text}"
        );
        assert!(text.contains(says), "{says}: {text}");
        assert!(!text.contains(secret), "{text}");
    }
}

#[tokio::test]
async fn the_user_agent_of_a_server_prescan_is_the_requests() {
    let target = Target::start(None).await;
    let dir = tempfile::tempdir().unwrap();
    let (_server, api) = start_with(config(dir.path())).await;
    let spec_id = upload(&api).await;
    let r = api
        .post(
            "/api/v1/analyses",
            &analysis("User agent", spec_id, &target.url(false), json!({})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.bytes));
    let scan = r.json()["scans"][0]["scan_id"].as_u64().unwrap();
    let done = prescan(
        &api,
        scan,
        json!({ "user_agent": "Team-Scanner/2 (ops@example.com)" }),
    )
    .await;
    assert_eq!(statuses(&done).len(), 2);
    assert_eq!(
        target.agents(),
        [
            "Team-Scanner/2 (ops@example.com)",
            "Team-Scanner/2 (ops@example.com)"
        ]
    );
    let path = format!("/api/v1/scans/{scan}/prescan");
    let long = "a".repeat(257);
    for bad in ["x\r\nX-Evil: 1", long.as_str(), "", "caf\u{e9}"] {
        let p = api
            .post(&path, &json!({ "user_agent": bad }))
            .await
            .problem(422);
        assert_eq!(p["errors"][0]["field"], "user_agent", "{p}");
    }
    assert_eq!(target.agents().len(), 2, "nothing more was sent");
}

#[test]
fn the_binary_refuses_a_ca_file_it_cannot_use() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("ca.pem");
    std::fs::write(&bad, b"not a certificate").unwrap();
    for file in [bad.clone(), dir.path().join("missing.pem")] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_prescan-server"))
            .args(["--listen", "127.0.0.1:0", "--prescan-ca-cert"])
            .arg(&file)
            .arg("--data-dir")
            .arg(dir.path().join("data"))
            .output()
            .expect("the binary runs");
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("--prescan-ca-cert"), "{err}");
    }
}
