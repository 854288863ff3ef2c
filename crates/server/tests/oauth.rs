//! Server-side prescans with OAuth 2.0, against a token endpoint in front of
//! a protected API started here (`crates/runner/tests/support/oauth_server.rs`):
//! the token URL taken from the specification, discovery, the password
//! grant, the body fallback and a refresh on 401; the secret, the password
//! and the tokens are never returned nor stored.

mod common;

#[path = "../../runner/tests/support/oauth_server.rs"]
mod oauth_server;

use common::{config, eventually, start_with};
use oauth_server::{OAuthServer, Options, CLIENT_ID, CLIENT_SECRET, USER_PASSWORD};
use serde_json::{json, Value};

const SPEC: &str = r#"{"openapi": "3.0.3", "info": {"title": "T", "version": "1"},
  "servers": [{"url": "https://placeholder.example.com"}],
  "components": {"securitySchemes": {"oauth": {"type": "oauth2", "flows": {
      "clientCredentials": {"tokenUrl": "/token", "scopes": {"read": "r"}}}}}},
  "security": [{"oauth": ["read"]}],
  "paths": {
    "/items/1": {"get": {"responses": {"200": {"description": "ok"}}}},
    "/items/2": {"get": {"responses": {"200": {"description": "ok"}}}},
    "/items/3": {"get": {"responses": {"200": {"description": "ok"}}}}}}"#;

async fn analysis(api: &common::Api, target: &str, auth: Value) -> common::Resp {
    let spec_id = api
        .upload("oauth.json", "application/json", SPEC.as_bytes())
        .await
        .json()["spec_id"]
        .as_u64()
        .unwrap();
    api.post(
        "/api/v1/analyses",
        &json!({
            "name": "OAuth prescan",
            "scans": [{ "target": { "type": "api_specification", "spec_id": spec_id, "server": target }, "auth": auth }],
            "schedule": { "start": { "type": "unscheduled" }, "duration": { "unit": "hours", "value": 1 } },
            "prescan": true,
            "permission_certified": true
        }),
    )
    .await
}

async fn prescan(api: &common::Api, scan: u64) -> Value {
    let path = format!("/api/v1/scans/{scan}/prescan");
    let r = api.post(&path, &json!({ "requests_per_second": 50 })).await;
    assert_eq!(r.status, 202, "{}", String::from_utf8_lossy(&r.bytes));
    eventually(15, || async {
        let p = api.get(&path).await.json();
        (p["state"] == "finished").then_some(p)
    })
    .await
}

fn statuses(done: &Value) -> Vec<Value> {
    done["report"]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["outcome"]["Response"]["status"].clone())
        .collect()
}

fn token_statuses(done: &Value) -> Vec<Value> {
    done["report"]["token"]["exchanges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["outcome"]["Response"]["status"].clone())
        .collect()
}

fn assert_clean(server: &OAuthServer, texts: &[String]) {
    let mut secrets = vec![CLIENT_SECRET.to_owned(), USER_PASSWORD.to_owned()];
    secrets.extend(server.tokens());
    for t in texts {
        for s in &secrets {
            assert!(!t.contains(s.as_str()), "`{s}` in {t}");
        }
    }
}

fn stored(dir: &std::path::Path) -> String {
    let mut bytes = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        bytes.extend(std::fs::read(entry.unwrap().path()).unwrap_or_default());
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

#[tokio::test]
async fn the_token_url_of_the_specification_and_a_protected_api() {
    let oauth = OAuthServer::start(Options {
        scope: Some("read".into()),
        ..Options::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let (server, api) = start_with(config(dir.path())).await;
    let a = analysis(
        &api,
        &oauth.url(),
        json!({ "oauth": { "grant": "client_credentials", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "scopes": "read" } }),
    )
    .await;
    assert_eq!(a.status, 201, "{}", String::from_utf8_lossy(&a.bytes));
    let a = a.json();
    let configured = &a["scans"][0]["auth_configured"]["oauth"];
    assert_eq!(configured["grant"], "client_credentials");
    assert!(!a.to_string().contains(CLIENT_SECRET));
    let scan = a["scans"][0]["scan_id"].as_u64().unwrap();
    let done = prescan(&api, scan).await;
    assert_eq!(statuses(&done), vec![json!(200); 3]);
    assert_eq!(token_statuses(&done), vec![json!(200)]);
    assert_eq!(done["report"]["token"]["token_url"], oauth.token_url());
    assert_eq!(done["report"]["token"]["obtained"], true);
    let har = api.get(&format!("/api/v1/scans/{scan}/prescan/har")).await;
    let har = String::from_utf8_lossy(&har.bytes).into_owned();
    assert!(har.contains("Bearer ***"), "{har}");
    let analysis_id = a["analysis_id"].as_u64().unwrap();
    let audits = api
        .get(&format!("/api/v1/analyses/{analysis_id}/audits"))
        .await;
    assert_clean(
        &oauth,
        &[
            done.to_string(),
            har,
            String::from_utf8_lossy(&audits.bytes).into_owned(),
            stored(dir.path()),
        ],
    );
    server.stop().await.unwrap();
}

#[tokio::test]
async fn discovery_password_grant_body_fallback_and_a_401() {
    let oauth = OAuthServer::start(Options {
        basic: false,
        reject_first: true,
        ..Options::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let (server, api) = start_with(config(dir.path())).await;
    let a = analysis(
        &api,
        &oauth.url(),
        json!({ "oauth": {
            "grant": "password", "discovery_url": oauth.discovery_url(),
            "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
            "user_name": "alice", "password": USER_PASSWORD } }),
    )
    .await;
    assert_eq!(a.status, 201, "{}", String::from_utf8_lossy(&a.bytes));
    let scan = a.json()["scans"][0]["scan_id"].as_u64().unwrap();
    let done = prescan(&api, scan).await;
    assert_eq!(statuses(&done), vec![json!(200); 3]);
    // Discovery, Basic refused, the body, then a new token after the 401.
    assert_eq!(
        token_statuses(&done),
        vec![json!(200), json!(401), json!(200), json!(200)]
    );
    // Up to 4 requests are in flight: every one sent with the revoked
    // token is sent again with the new one.
    let resent = done["report"]["token"]["resent"].as_u64().unwrap();
    assert!((1..=3).contains(&resent), "{resent}");
    assert_clean(&oauth, &[done.to_string(), stored(dir.path())]);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn a_bad_oauth_configuration_is_refused_without_quoting_the_secret() {
    let dir = tempfile::tempdir().unwrap();
    let (server, api) = start_with(config(dir.path())).await;
    let r = analysis(
        &api,
        "http://127.0.0.1:9",
        json!({ "oauth": { "grant": "client_credentials", "token_url": "/token", "client_id": "c", "client_secret": "never-returned-1" } }),
    )
    .await;
    let p = r.problem(422);
    assert!(p.to_string().contains("OAuth 2.0"), "{p}");
    assert!(!p.to_string().contains("never-returned-1"), "{p}");
    let r = analysis(
        &api,
        "http://127.0.0.1:9",
        json!({ "oauth": { "grant": "implicit", "client_id": "c" } }),
    )
    .await;
    assert_eq!(r.status, 400, "{}", String::from_utf8_lossy(&r.bytes));
    server.stop().await.unwrap();
}
