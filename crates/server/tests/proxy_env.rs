//! Proxy variables of the environment are not used by prescans (issue 12):
//! only `--prescan-proxy` names a proxy. A test binary of its own, because
//! the variables are the whole process's.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use common::{config, eventually, Api};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

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

#[tokio::test]
async fn proxy_variables_of_the_environment_are_ignored() {
    let (proxy, proxied) = recorder().await;
    let (target, reached) = recorder().await;
    let url = format!("http://127.0.0.1:{proxy}");
    for name in [
        "HTTP_PROXY",
        "http_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "ALL_PROXY",
        "all_proxy",
    ] {
        std::env::set_var(name, &url);
    }
    std::env::remove_var("NO_PROXY");
    std::env::remove_var("no_proxy");
    let dir = tempfile::tempdir().unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server = prescan_server::start(config(dir.path()), listener, std::future::pending())
        .await
        .unwrap();
    // The test's own client does not use the proxy either.
    let api = Api {
        base: format!("http://{}", server.addr),
        client: reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        token: None,
    };
    let spec = r#"{ "openapi": "3.0.3", "info": { "title": "T", "version": "1" },
      "servers": [{ "url": "https://placeholder.example.com" }],
      "paths": { "/ok": { "get": { "responses": { "200": { "description": "ok" } } } } } }"#;
    let spec_id = api
        .upload("t.json", "application/json", spec.as_bytes())
        .await
        .json()["spec_id"]
        .as_u64()
        .unwrap();
    let a = api
        .post(
            "/api/v1/analyses",
            &json!({
                "name": "Proxy variables",
                "scans": [{ "target": { "type": "api_specification", "spec_id": spec_id, "server": format!("http://127.0.0.1:{target}") } }],
                "schedule": { "start": { "type": "unscheduled" }, "duration": { "unit": "hours", "value": 1 } },
                "prescan": true,
                "permission_certified": true
            }),
        )
        .await;
    assert_eq!(a.status, 201, "{}", String::from_utf8_lossy(&a.bytes));
    let scan = a.json()["scans"][0]["scan_id"].as_u64().unwrap();
    let path = format!("/api/v1/scans/{scan}/prescan");
    let r = api.post(&path, &json!({ "timeout_ms": 3000 })).await;
    assert_eq!(r.status, 202, "{}", String::from_utf8_lossy(&r.bytes));
    let done: Value = eventually(15, || async {
        let p = api.get(&path).await.json();
        (p["state"] == "finished").then_some(p)
    })
    .await;
    assert_eq!(
        done["report"]["results"][0]["outcome"]["Response"]["status"], 200,
        "{done}"
    );
    assert_eq!(reached.load(Ordering::SeqCst), 1);
    assert_eq!(
        proxied.load(Ordering::SeqCst),
        0,
        "the prescan went through the environment's proxy"
    );
    server.stop().await.unwrap();
}
