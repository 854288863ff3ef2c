//! The OAuth 2.0 token flow driven by the runner against a real token
//! endpoint and protected API on 127.0.0.1 (`support/oauth_server.rs`):
//! both grants, both client authentications (and the fallback from Basic
//! to the body), expiry, refresh on 401, OpenID Connect discovery, and a
//! refused client; no secret or token in the report, its HAR or its notes.

#[path = "support/oauth_server.rs"]
mod oauth_server;

use std::sync::Arc;

use oauth_server::{OAuthServer, Options, CLIENT_ID, CLIENT_SECRET, USER_PASSWORD};
use prescan_core::oauth::{ClientAuth, OAuth, OAuthGrant};
use prescan_core::prescan::{PrescanPlan, PrescanReport, PrescanSettings, PrescanStatus};
use prescan_core::{ConvertOptions, SourceFile};
use prescan_runner::{drive, Guard, Live, Outbound, Policy, Voice};

const SPEC: &str = r#"{"openapi": "3.0.3", "info": {"title": "T", "version": "1"},
  "servers": [{"url": "https://placeholder.example.com"}],
  "components": {"securitySchemes": {"oauth": {"type": "oauth2", "flows": {
      "clientCredentials": {"tokenUrl": "/token", "scopes": {"read": "r"}}}}}},
  "security": [{"oauth": ["read"]}],
  "paths": {
    "/items/1": {"get": {"responses": {"200": {"description": "ok"}}}},
    "/items/2": {"get": {"responses": {"200": {"description": "ok"}}}},
    "/items/3": {"get": {"responses": {"200": {"description": "ok"}}}},
    "/items/4": {"get": {"responses": {"200": {"description": "ok"}}}}}}"#;

fn oauth(server: &OAuthServer) -> OAuth {
    OAuth {
        grant: OAuthGrant::ClientCredentials,
        token_url: server.token_url(),
        discovery_url: None,
        client_id: CLIENT_ID.into(),
        client_secret: CLIENT_SECRET.into(),
        scopes: "read".into(),
        client_auth: ClientAuth::Auto,
    }
}

async fn prescan(server: &OAuthServer, oauth: OAuth, rate: Option<f64>) -> PrescanReport {
    let options = ConvertOptions {
        base_url: Some(server.url()),
        ..ConvertOptions::default()
    };
    let files = [SourceFile {
        name: "api.json".into(),
        bytes: SPEC.as_bytes().to_vec(),
    }];
    let c = prescan_core::convert_files(&files, &options).unwrap();
    let settings = PrescanSettings {
        base_url: Some(server.url()),
        requests_per_second: rate,
        max_in_flight: 1,
        timeout_ms: 5_000,
        ..PrescanSettings::default()
    };
    let plan = PrescanPlan::new(&c.har, &settings).with_credential_notes(&c.spec.diagnostics);
    let policy = Policy {
        deny_private: false,
        allow: Vec::new(),
        voice: Voice::CommandLine,
    };
    let outbound = Outbound::new(Arc::new(Guard::new(policy)), None, 4, 0.0).unwrap();
    outbound.check_oauth(&oauth).await.unwrap();
    let (live, cancel) = Live::with_oauth(plan, Some(oauth));
    drive(live.clone(), cancel, Arc::new(outbound)).await;
    let (report, _) = live.snapshot(4);
    report
}

/// No secret of the configuration nor any token the server issued appears
/// in the report, its HAR, its rows or its notes.
fn assert_clean(server: &OAuthServer, report: &PrescanReport) {
    let texts = [
        serde_json::to_string(report).unwrap(),
        serde_json::to_string(&report.to_har()).unwrap(),
        format!("{:?}", report.rows()),
        format!("{:?}", report.notes()),
    ];
    let mut secrets = vec![CLIENT_SECRET.to_owned(), USER_PASSWORD.to_owned()];
    secrets.extend(server.tokens());
    for text in &texts {
        for s in &secrets {
            assert!(!text.contains(s.as_str()), "`{s}` in {text}");
        }
    }
}

fn api_statuses(report: &PrescanReport) -> Vec<Option<u16>> {
    report
        .rows()
        .iter()
        .filter(|r| !r.token_request)
        .map(|r| r.status)
        .collect()
}

fn token_statuses(report: &PrescanReport) -> Vec<Option<u16>> {
    report
        .rows()
        .iter()
        .filter(|r| r.token_request)
        .map(|r| r.status)
        .collect()
}

#[tokio::test]
async fn client_credentials_with_basic_then_every_request_carries_the_token() {
    let server = OAuthServer::start(Options {
        scope: Some("read".into()),
        ..Options::default()
    });
    let report = prescan(&server, oauth(&server), None).await;
    assert_eq!(token_statuses(&report), vec![Some(200)]);
    assert_eq!(api_statuses(&report), vec![Some(200); 4]);
    assert_eq!(report.status(), PrescanStatus::Succeeded);
    assert_eq!(report.connection().token, Some(true));
    let seen = server.seen();
    assert!(
        seen[0].path == "/token"
            && seen[0]
                .header("authorization")
                .unwrap()
                .starts_with("Basic ")
    );
    assert!(!seen[0].body.contains("client_secret"));
    let token = &server.tokens()[0];
    assert!(seen[1..]
        .iter()
        .all(|s| s.header("authorization") == Some(format!("Bearer {token}").as_str())));
    assert_clean(&server, &report);
}

#[tokio::test]
async fn a_server_that_only_takes_the_body_gets_it_after_basic_is_refused() {
    let server = OAuthServer::start(Options {
        basic: false,
        ..Options::default()
    });
    let report = prescan(&server, oauth(&server), None).await;
    assert_eq!(token_statuses(&report), vec![Some(401), Some(200)]);
    assert_eq!(api_statuses(&report), vec![Some(200); 4]);
    assert_eq!(report.status(), PrescanStatus::Succeeded);
    let seen = server.seen();
    assert!(seen[1].body.contains("client_id=prescan+client"));
    assert_clean(&server, &report);

    // With Basic only, no token: the requests go without one and fail.
    let basic_only = OAuth {
        client_auth: ClientAuth::Basic,
        ..oauth(&server)
    };
    let report = prescan(&server, basic_only, None).await;
    assert_eq!(token_statuses(&report), vec![Some(401)]);
    assert_eq!(api_statuses(&report), vec![Some(401); 4]);
    assert_eq!(report.status(), PrescanStatus::Failed);
    assert_eq!(report.connection().token, Some(false));
    let notes = format!("{:?}", report.notes());
    assert!(notes.contains("invalid_client"), "{notes}");
    assert_clean(&server, &report);
}

#[tokio::test]
async fn the_password_grant_and_a_token_that_expires() {
    let server = OAuthServer::start(Options {
        expires_in: 1,
        ..Options::default()
    });
    let password = OAuth {
        grant: OAuthGrant::Password {
            user_name: "alice".into(),
            password: USER_PASSWORD.into(),
        },
        ..oauth(&server)
    };
    // 2 requests per second: 4 requests take 1.5 s, past the 1 s lifetime.
    let report = prescan(&server, password.clone(), Some(2.0)).await;
    assert_eq!(
        api_statuses(&report),
        vec![Some(200); 4],
        "{:?}",
        report.rows()
    );
    assert!(token_statuses(&report).len() >= 2, "{:?}", report.rows());
    assert_eq!(report.status(), PrescanStatus::Succeeded);
    let token_request = server
        .seen()
        .into_iter()
        .find(|s| s.path == "/token")
        .unwrap();
    assert!(token_request
        .body
        .contains("grant_type=password&username=alice"));
    assert_clean(&server, &report);

    let wrong = OAuth {
        grant: OAuthGrant::Password {
            user_name: "alice".into(),
            password: "wrong".into(),
        },
        ..oauth(&server)
    };
    let report = prescan(&server, wrong, None).await;
    assert_eq!(token_statuses(&report), vec![Some(400)]);
    assert!(format!("{:?}", report.notes()).contains("invalid_grant"));
}

#[tokio::test]
async fn a_401_gets_a_new_token_and_the_request_is_sent_again() {
    let server = OAuthServer::start(Options {
        reject_first: true,
        ..Options::default()
    });
    let report = prescan(&server, oauth(&server), None).await;
    assert_eq!(token_statuses(&report), vec![Some(200), Some(200)]);
    assert_eq!(api_statuses(&report), vec![Some(200); 4]);
    assert_eq!(report.status(), PrescanStatus::Succeeded);
    assert_eq!(report.token.as_ref().unwrap().resent, 1);
    let api: Vec<_> = server
        .seen()
        .into_iter()
        .filter(|s| s.path.starts_with("/items"))
        .collect();
    assert_eq!(api.len(), 5, "one request sent twice");
    assert_eq!(api[0].path, api[1].path);
    assert_clean(&server, &report);
}

#[tokio::test]
async fn openid_connect_discovery_gives_the_token_endpoint() {
    let server = OAuthServer::start(Options::default());
    let discovery = OAuth {
        token_url: String::new(),
        discovery_url: Some(server.discovery_url()),
        ..oauth(&server)
    };
    let report = prescan(&server, discovery, None).await;
    let rows = report.rows();
    assert!(
        rows[0].token_request
            && rows[0].method == "GET"
            && rows[0].url.ends_with("openid-configuration")
    );
    assert!(rows[1].token_request && rows[1].method == "POST" && rows[1].url.ends_with("/token"));
    assert_eq!(api_statuses(&report), vec![Some(200); 4]);
    assert_eq!(report.status(), PrescanStatus::Succeeded);
    assert_clean(&server, &report);
}

#[tokio::test]
async fn an_unreachable_token_endpoint_is_explained() {
    let server = OAuthServer::start(Options::default());
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let unreachable = OAuth {
        token_url: format!("http://127.0.0.1:{port}/token"),
        ..oauth(&server)
    };
    let report = prescan(&server, unreachable, None).await;
    assert_eq!(report.rows()[0].response, "No response from server");
    assert_eq!(api_statuses(&report), vec![Some(401); 4]);
    assert!(format!("{:?}", report.notes()).contains("unreachable"));
}

#[tokio::test]
async fn a_token_endpoint_the_guard_refuses_is_refused_up_front() {
    let config = |token_url: &str, discovery_url: Option<&str>| OAuth {
        grant: OAuthGrant::ClientCredentials,
        token_url: token_url.into(),
        discovery_url: discovery_url.map(str::to_owned),
        client_id: CLIENT_ID.into(),
        client_secret: CLIENT_SECRET.into(),
        scopes: String::new(),
        client_auth: ClientAuth::Auto,
    };
    let deny = |allow: Vec<prescan_runner::Allow>| {
        Outbound::new(
            Arc::new(Guard::new(Policy {
                deny_private: true,
                allow,
                voice: Voice::Server,
            })),
            None,
            4,
            0.0,
        )
        .unwrap()
    };
    let outbound = deny(Vec::new());
    for (token, discovery) in [
        ("http://127.0.0.1:9/token", None),
        ("http://10.1.2.3/token", None),
        ("", Some("http://[::1]:9/.well-known/openid-configuration")),
    ] {
        let e = outbound
            .check_oauth(&config(token, discovery))
            .await
            .unwrap_err();
        assert!(e.starts_with("The OAuth 2.0 endpoint is refused"), "{e}");
        assert!(!e.contains(CLIENT_SECRET), "{e}");
    }
    // Public, or allowed by name: fine.
    assert!(outbound
        .check_oauth(&config("http://8.8.8.8/token", None))
        .await
        .is_ok());
    let allowed = deny(vec!["127.0.0.1".parse().unwrap()]);
    assert!(allowed
        .check_oauth(&config("http://127.0.0.1:9/token", None))
        .await
        .is_ok());
}
