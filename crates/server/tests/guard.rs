//! `--prescan-deny-private` against the spellings that got around it (issue
//! 12): every one is refused, by a problem that names the address and the
//! option, and nothing connects.
//!
//! Only loopback traffic: the spellings sent through a real prescan are
//! those that reach 127.0.0.1 (or another loopback address) on this host;
//! every other range is tested by the classifier and by the check alone,
//! which never connects.

mod common;

use std::net::IpAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use common::{config, eventually, start_with};
use prescan_server::prescan::{check_public, is_private};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A listener on 127.0.0.1 that counts the connections it accepts and
/// answers each request `200 ok`.
async fn recorder() -> (u16, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            seen.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = stream.read(&mut buf).await;
                let _ = stream
                    .write_all(
                        b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok",
                    )
                    .await;
            });
        }
    });
    (port, count)
}

fn spec() -> String {
    r#"{ "openapi": "3.0.3", "info": { "title": "T", "version": "1" },
  "servers": [{ "url": "https://placeholder.example.com" }],
  "paths": { "/ok": { "get": { "responses": { "200": { "description": "ok" } } } } } }"#
        .to_owned()
}

async fn scan_on(api: &common::Api, spec_id: u64, server: &str) -> u64 {
    let a = api
        .post(
            "/api/v1/analyses",
            &json!({
                "name": format!("Guard {server}"),
                "scans": [{ "target": { "type": "api_specification", "spec_id": spec_id, "server": server } }],
                "schedule": { "start": { "type": "unscheduled" }, "duration": { "unit": "hours", "value": 1 } },
                "prescan": true,
                "permission_certified": true
            }),
        )
        .await;
    assert_eq!(a.status, 201, "{}", String::from_utf8_lossy(&a.bytes));
    a.json()["scans"][0]["scan_id"].as_u64().unwrap()
}

#[tokio::test]
async fn deny_private_refuses_every_spelling_of_a_loopback_target_without_connecting() {
    let (port, connections) = recorder().await;
    let dir = tempfile::tempdir().unwrap();
    let mut c = config(dir.path());
    c.prescan_deny_private = true;
    let (server, api) = start_with(c).await;
    let spec_id = api
        .upload("t.json", "application/json", spec().as_bytes())
        .await
        .json()["spec_id"]
        .as_u64()
        .unwrap();
    // (host as written in the scan, a text the refusal must contain)
    let spellings: &[(&str, &str)] = &[
        ("127.0.0.1.", "127.0.0.1"),
        ("%31%32%37.0.0.1", "127.0.0.1"),
        ("0x7f.0.0.1", "127.0.0.1"),
        ("0x7F000001", "127.0.0.1"),
        ("2130706433", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("127.0.0.2", "127.0.0.2"),
        ("0.0.0.0", "0.0.0.0"),
        ("0", "0.0.0.0"),
        ("[::ffff:127.0.0.1]", "127.0.0.1"),
        ("[::ffff:7f00:1]", "127.0.0.1"),
        ("[::1]", "::1"),
        ("[::]", "::"),
        ("localhost", "127.0.0.1"),
        ("LOCALHOST.", "127.0.0.1"),
    ];
    let mut bypasses = Vec::new();
    for (host, address) in spellings {
        let scan = scan_on(&api, spec_id, &format!("http://{host}:{port}")).await;
        let path = format!("/api/v1/scans/{scan}/prescan");
        let r = api.post(&path, &json!({ "timeout_ms": 2000 })).await;
        if r.status != 422 {
            bypasses.push(format!(
                "{host}: {} {}",
                r.status,
                String::from_utf8_lossy(&r.bytes)
            ));
            if r.status == 202 {
                let _: Value = eventually(15, || async {
                    let p = api.get(&path).await.json();
                    (p["state"] == "finished").then_some(p)
                })
                .await;
            }
            continue;
        }
        let p = r.problem(422);
        assert_eq!(p["errors"][0]["field"], "server", "{host}: {p}");
        let detail = p["detail"].as_str().unwrap();
        assert!(detail.contains(address), "{host}: {detail}");
        assert!(
            detail.contains("--prescan-deny-private"),
            "{host}: {detail}"
        );
    }
    assert!(bypasses.is_empty(), "not refused: {bypasses:#?}");
    assert_eq!(
        connections.load(Ordering::SeqCst),
        0,
        "a refused target was connected to"
    );
    server.stop().await.unwrap();
}

/// The check alone, for spellings that do not reach loopback here (never
/// sent anywhere): what `--prescan-deny-private` does before a prescan.
#[tokio::test]
async fn the_check_refuses_literal_spellings_of_special_addresses() {
    let hosts = [
        "169.254.169.254.",
        "0xa9.0xfe.0xa9.0xfe",
        "2852039166",
        "10.1.2.3.",
        "0xa.1",
        "%31%30.0.0.1",
        "[64:ff9b::7f00:1]",
        "[64:ff9b::a9fe:a9fe]",
        "[64:ff9b:1::a00:1]",
        "[2002:7f00:1::]",
        "[2002:a9fe:a9fe::1]",
        "[::127.0.0.1]",
        "[::ffff:169.254.169.254]",
        "[::ffff:0:a9fe:a9fe]",
        "[2001::1]",
        "[2001:0:4136:e378:8000:63bf:3fff:fdd2]",
        "[fc00::1]",
        "[fd12:3456::1]",
        "[fe80::1]",
        "[fec0::1]",
        "[ff02::1]",
        "[100::1]",
        "[2001:db8::1]",
        "[3fff::1]",
        "100.64.0.1",
        "198.18.0.1",
        "192.0.2.1",
        "198.51.100.1",
        "203.0.113.1",
        "240.0.0.1",
        "255.255.255.255",
        "224.0.0.1",
        "239.255.255.250",
    ];
    let mut passed = Vec::new();
    for host in hosts {
        match check_public(host, 80).await {
            Ok(()) => passed.push(host),
            Err(m) => assert!(m.contains("--prescan-deny-private"), "{host}: {m}"),
        }
    }
    assert!(passed.is_empty(), "not refused: {passed:?}");
}

/// The classifier, table-driven: every special-use range of the IANA
/// special-purpose registries (RFC 6890 and successors), multicast,
/// broadcast, and IPv6 forms that embed an IPv4 address (classified by it).
#[test]
fn special_use_addresses_are_private_and_public_ones_are_not() {
    let table: &[(&str, bool)] = &[
        // IPv4
        ("0.0.0.0", true),
        ("0.1.2.3", true),
        ("10.0.0.1", true),
        ("100.64.0.1", true),
        ("100.127.255.254", true),
        ("100.128.0.1", false),
        ("127.0.0.1", true),
        ("127.255.255.254", true),
        ("169.254.169.254", true),
        ("172.16.0.1", true),
        ("172.31.255.254", true),
        ("172.32.0.1", false),
        ("192.0.0.8", true),
        ("192.0.2.1", true),
        ("192.88.99.1", true),
        ("192.168.1.1", true),
        ("198.18.0.1", true),
        ("198.19.255.254", true),
        ("198.20.0.1", false),
        ("198.51.100.7", true),
        ("203.0.113.9", true),
        ("224.0.0.1", true),
        ("239.255.255.250", true),
        ("240.0.0.1", true),
        ("255.255.255.254", true),
        ("255.255.255.255", true),
        ("1.1.1.1", false),
        ("8.8.8.8", false),
        ("93.184.216.34", false),
        ("192.0.1.1", false),
        ("223.255.255.254", false),
        // IPv6
        ("::", true),
        ("::1", true),
        ("::ffff:127.0.0.1", true),
        ("::ffff:10.0.0.1", true),
        ("::ffff:169.254.169.254", true),
        ("::ffff:8.8.8.8", false),
        ("::ffff:0:127.0.0.1", true),
        ("::127.0.0.1", true),
        ("::10.0.0.1", true),
        ("::2", true),
        ("64:ff9b::7f00:1", true),
        ("64:ff9b::a9fe:a9fe", true),
        ("64:ff9b::c0a8:101", true),
        ("64:ff9b::808:808", false),
        ("64:ff9b:1::1", true),
        ("64:ff9b:1:ffff::808:808", true),
        ("100::1", true),
        ("2001::1", true),
        ("2001:0:4136:e378:8000:63bf:3fff:fdd2", true),
        ("2001:2::1", true),
        ("2001:10::1", true),
        ("2001:db8::1", true),
        ("2002:7f00:1::", true),
        ("2002:a00:1::1", true),
        ("2002:a9fe:a9fe::", true),
        ("2002:808:808::1", false),
        ("3fff::1", true),
        ("5f00::1", true),
        ("fc00::1", true),
        ("fd00:1234::1", true),
        ("fe80::1", true),
        ("febf::1", true),
        ("fec0::1", true),
        ("feff::1", true),
        ("ff02::1", true),
        ("ff0e::1", true),
        ("4000::1", true),
        ("2606:4700:4700::1111", false),
        ("2001:4860:4860::8888", false),
        ("2a00:1450:4001::1", false),
    ];
    let wrong: Vec<String> = table
        .iter()
        .filter(|(ip, private)| is_private(ip.parse::<IpAddr>().unwrap()) != *private)
        .map(|(ip, private)| format!("{ip}: expected private={private}"))
        .collect();
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// Redirects are not followed: a 3xx is the response, and its Location is
/// never contacted (with or without the guard).
#[tokio::test]
async fn a_redirect_is_recorded_not_followed() {
    let (elsewhere, connections) = recorder().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = stream.read(&mut buf).await;
                let answer = format!("HTTP/1.1 302 Found\r\nlocation: http://127.0.0.1:{elsewhere}/ok\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
                let _ = stream.write_all(answer.as_bytes()).await;
            });
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let (server, api) = start_with(config(dir.path())).await;
    let spec_id = api
        .upload("t.json", "application/json", spec().as_bytes())
        .await
        .json()["spec_id"]
        .as_u64()
        .unwrap();
    let scan = scan_on(&api, spec_id, &format!("http://127.0.0.1:{port}")).await;
    let path = format!("/api/v1/scans/{scan}/prescan");
    let r = api.post(&path, &json!({})).await;
    assert_eq!(r.status, 202, "{}", String::from_utf8_lossy(&r.bytes));
    let done: Value = eventually(15, || async {
        let p = api.get(&path).await.json();
        (p["state"] == "finished").then_some(p)
    })
    .await;
    assert_eq!(
        done["report"]["results"][0]["outcome"]["Response"]["status"],
        302
    );
    assert_eq!(connections.load(Ordering::SeqCst), 0);
    server.stop().await.unwrap();
}
