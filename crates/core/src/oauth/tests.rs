//! The OAuth 2.0 configuration, requests, parsers and the token flow of a
//! prescan run (expiry, refresh on 401, both client authentications), with
//! no secret in any diagnostic, report, HAR or `Debug` output.

use serde_json::json;

use super::*;
use crate::har::Har;
use crate::prescan::{
    Outcome, PrescanPlan, PrescanRun, PrescanSettings, PrescanStatus, Received, Step,
};

const SECRET: &str = "s3cr3t-client-secret";
const PASSWORD: &str = "pa55-w0rd-of-the-user";
const TOKEN: &str = "tok-AAAA-1111";
const TOKEN2: &str = "tok-BBBB-2222";
const REFRESH: &str = "refresh-CCCC-3333";

fn oauth() -> OAuth {
    OAuth {
        grant: OAuthGrant::ClientCredentials,
        token_url: "https://auth.example.com/oauth/token".into(),
        discovery_url: None,
        client_id: "my client".into(),
        client_secret: SECRET.into(),
        scopes: "read:items  write".into(),
        client_auth: ClientAuth::Auto,
    }
}

fn password() -> OAuth {
    OAuth {
        grant: OAuthGrant::Password {
            user_name: "alice".into(),
            password: PASSWORD.into(),
        },
        ..oauth()
    }
}

fn all_secrets() -> [&'static str; 5] {
    [SECRET, PASSWORD, TOKEN, TOKEN2, REFRESH]
}

fn assert_no_secret(text: &str) {
    for s in all_secrets() {
        assert!(!text.contains(s), "`{s}` found in: {text}");
    }
    let basic = crate::encode::base64(format!("my+client:{SECRET}").as_bytes());
    assert!(!text.contains(&basic), "Basic value found in: {text}");
}

fn response(status: u16, body: &str) -> Outcome {
    Outcome::Response(Received::new(
        status,
        "",
        vec![("Content-Type".into(), "application/json".into())],
        body,
        5.0,
        64 * 1024,
    ))
}

fn token_body(token: &str, expires_in: Option<u64>) -> String {
    let mut v = json!({"access_token": token, "token_type": "bearer", "refresh_token": REFRESH});
    if let Some(e) = expires_in {
        v["expires_in"] = json!(e);
    }
    v.to_string()
}

fn plan(n: usize) -> PrescanPlan {
    let entries: Vec<serde_json::Value> = (0..n)
        .map(|i| {
            json!({
                "startedDateTime": "1970-01-01T00:00:00.000Z", "time": 0,
                "request": {"method": "GET", "url": format!("https://api.example.com/v1/items/{i}"),
                    "httpVersion": "HTTP/1.1", "cookies": [],
                    "headers": [{"name": "Authorization", "value": "Bearer {{token}}", "comment": "Placeholder for the credentials of security scheme `o`."}],
                    "queryString": [], "headersSize": -1, "bodySize": -1},
                "response": {"status": 0, "statusText": "", "httpVersion": "HTTP/1.1", "cookies": [],
                    "headers": [], "content": {"size": 0, "mimeType": "x-unknown"},
                    "redirectURL": "", "headersSize": -1, "bodySize": -1},
                "cache": {}, "timings": {"send": 0, "wait": 0, "receive": 0}
            })
        })
        .collect();
    let har: Har = serde_json::from_value(json!({
        "log": {"version": "1.2", "creator": {"name": "t", "version": "1"}, "entries": entries}
    }))
    .unwrap();
    PrescanPlan::new(
        &har,
        &PrescanSettings {
            base_url: Some("https://api.example.com/v1".into()),
            requests_per_second: None,
            max_in_flight: 1,
            ..PrescanSettings::default()
        },
    )
}

fn header<'a>(req: &'a crate::prescan::PlannedRequest, name: &str) -> Option<&'a str> {
    req.headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// Checks the report, its JSON, its HAR, its notes and rows for secrets.
fn assert_report_clean(run: &PrescanRun) {
    let report = run.report(3);
    assert_no_secret(&serde_json::to_string(&report).unwrap());
    assert_no_secret(&serde_json::to_string(&report.to_har()).unwrap());
    assert_no_secret(&format!("{:?}", report.notes()));
    assert_no_secret(&format!("{:?}", report.rows()));
    assert_no_secret(&format!("{run:?}"));
    assert_no_secret(&serde_json::to_string(run).unwrap());
}

#[test]
fn validation_gives_sentences_without_secrets() {
    assert_eq!(oauth().validate(), Ok(()));
    assert_eq!(password().validate(), Ok(()));
    let bad = OAuth {
        token_url: "/oauth/token".into(),
        client_id: String::new(),
        client_secret: format!("{SECRET}\n"),
        scopes: "read \"write\"".into(),
        grant: OAuthGrant::Password {
            user_name: String::new(),
            password: String::new(),
        },
        ..oauth()
    };
    let errors = bad.validate().unwrap_err();
    assert_eq!(errors.len(), 6, "{errors:?}");
    assert!(errors[0].contains("not a fully-qualified"));
    assert_no_secret(&errors.join(" "));
    let none = OAuth {
        token_url: String::new(),
        ..oauth()
    };
    assert!(none.validate().unwrap_err()[0].contains("Enter the token URL"));
    let discovery = OAuth {
        token_url: String::new(),
        discovery_url: Some("https://auth.example.com/.well-known/openid-configuration".into()),
        ..oauth()
    };
    assert_eq!(discovery.validate(), Ok(()));
    let long = OAuth {
        client_secret: "x".repeat(MAX_SECRET_LEN + 1),
        token_url: format!("https://a.example/{}", "p".repeat(MAX_URL_LEN)),
        ..oauth()
    };
    let errors = long.validate().unwrap_err();
    assert!(errors.iter().any(|e| e.contains("longer than 2048")));
    assert!(errors.iter().any(|e| e.contains("longer than 4096")));
}

#[test]
fn debug_never_prints_secrets() {
    assert_no_secret(&format!("{:?}", password()));
    let auth = crate::ScanAuth {
        oauth: Some(password()),
        bearer: Some(TOKEN.into()),
        ..crate::ScanAuth::default()
    };
    assert_no_secret(&format!("{auth:?}"));
    assert!(!auth.is_empty());
    let t = parse_token_response(200, &token_body(TOKEN, Some(60)), false).unwrap();
    assert_no_secret(&format!("{t:?}"));
}

#[test]
fn token_requests_in_both_styles() {
    let basic = password().token_request("https://auth.example.com/t", ClientAuthStyle::Basic);
    assert_eq!(basic.method, "POST");
    assert_eq!(
        basic.content_type.as_deref(),
        Some("application/x-www-form-urlencoded")
    );
    // RFC 6749 §2.3.1: form-encode, then base64.
    let expected = crate::encode::base64(format!("my+client:{SECRET}").as_bytes());
    assert_eq!(
        header(&basic, "authorization"),
        Some(format!("Basic {expected}").as_str())
    );
    assert_eq!(
        basic.body.as_deref(),
        Some(
            format!(
                "grant_type=password&username=alice&password={PASSWORD}&scope=read%3Aitems+write"
            )
            .as_str()
        )
    );
    let body = oauth().token_request("https://auth.example.com/t", ClientAuthStyle::Body);
    assert_eq!(header(&body, "authorization"), None);
    assert_eq!(
        body.body.as_deref(),
        Some(format!("grant_type=client_credentials&scope=read%3Aitems+write&client_id=my+client&client_secret={SECRET}").as_str())
    );
    let no_scope = OAuth {
        scopes: " ".into(),
        ..oauth()
    };
    assert!(!no_scope
        .token_request("https://a.example/t", ClientAuthStyle::Body)
        .body
        .unwrap()
        .contains("scope"));
}

#[test]
fn token_responses_are_read_within_budget() {
    let t = parse_token_response(200, &token_body(TOKEN, Some(3600)), false).unwrap();
    assert_eq!(t.access_token, TOKEN);
    assert_eq!(t.expires_in, Some(3600));
    assert_eq!(t.other_secrets, vec![REFRESH.to_owned()]);
    let t = parse_token_response(
        200,
        r#"{"access_token":"a1","token_type":"Bearer","expires_in":"60"}"#,
        false,
    )
    .unwrap();
    assert_eq!(t.expires_in, Some(60));
    let e = parse_token_response(
        401,
        r#"{"error":"invalid_client","error_description":"Client \"x\" unknown\n"}"#,
        false,
    )
    .unwrap_err();
    assert!(e.is_client_refused());
    let m = e.message();
    assert!(
        m.contains("invalid_client") && m.contains("client id or secret"),
        "{m}"
    );
    assert!(m.contains("Client x unknown"), "{m}");
    let e = parse_token_response(400, r#"{"error":"invalid_grant"}"#, false).unwrap_err();
    assert!(!e.is_client_refused());
    assert!(e.message().contains("user name or password"));
    assert_eq!(
        parse_token_response(200, "<html>", false).unwrap_err(),
        TokenError::NotJson { status: 200 }
    );
    assert_eq!(
        parse_token_response(500, "oops", false).unwrap_err(),
        TokenError::Status(500)
    );
    assert_eq!(
        parse_token_response(200, "{}", false).unwrap_err(),
        TokenError::NoAccessToken
    );
    assert!(matches!(
        parse_token_response(200, r#"{"access_token":"a","token_type":"mac"}"#, false).unwrap_err(),
        TokenError::NotBearer(t) if t == "mac"
    ));
    let deep = format!(
        "{}{}",
        "[".repeat(MAX_JSON_DEPTH + 1),
        "]".repeat(MAX_JSON_DEPTH + 1)
    );
    let e = parse_token_response(200, &deep, false).unwrap_err();
    assert_eq!(e, TokenError::TooDeep);
    assert!(e.message().contains("16 levels"));
    // Brackets inside strings do not count.
    let quoted = format!(
        r#"{{"access_token":"a","token_type":"Bearer","x":"{}"}}"#,
        "[".repeat(100)
    );
    assert!(parse_token_response(200, &quoted, false).is_ok());
    let big = format!(
        r#"{{"access_token":"a","token_type":"Bearer","x":"{}"}}"#,
        "x".repeat(MAX_RESPONSE_BYTES)
    );
    let e = parse_token_response(200, &big, false).unwrap_err();
    assert_eq!(e, TokenError::TooLarge);
    assert!(e.message().contains("64 KiB"));
    assert_eq!(
        parse_token_response(200, "{}", true).unwrap_err(),
        TokenError::TooLarge
    );
    // A token that would break the Authorization header is refused.
    assert_eq!(
        parse_token_response(
            200,
            r#"{"access_token":"a\r\nX-Evil: 1","token_type":"Bearer"}"#,
            false
        )
        .unwrap_err(),
        TokenError::NoAccessToken
    );
    // Hostile error bodies: control characters and quotes are dropped, long
    // descriptions shortened.
    let long = format!(
        r#"{{"error":"invalid_grant\u0000","error_description":"{}"}}"#,
        "d".repeat(5000)
    );
    let m = parse_token_response(400, &long, false)
        .unwrap_err()
        .message();
    assert!(m.len() < 600 && !m.contains('\0'), "{m}");
}

#[test]
fn discovery_documents() {
    let doc = r#"{"issuer":"https://a.example","token_endpoint":"https://a.example/token","grant_types_supported":["client_credentials"]}"#;
    assert_eq!(
        parse_discovery(200, doc, false, &OAuthGrant::ClientCredentials).unwrap(),
        "https://a.example/token"
    );
    assert_eq!(
        parse_discovery(200, doc, false, &password().grant).unwrap_err(),
        TokenError::GrantNotSupported("password".into())
    );
    assert_eq!(
        parse_discovery(
            200,
            r#"{"token_endpoint":"/token"}"#,
            false,
            &OAuthGrant::ClientCredentials
        )
        .unwrap_err(),
        TokenError::NoTokenEndpoint
    );
    assert_eq!(
        parse_discovery(404, "", false, &OAuthGrant::ClientCredentials).unwrap_err(),
        TokenError::Status(404)
    );
    let r = OAuth {
        discovery_url: Some(" https://a.example/.well-known/openid-configuration ".into()),
        ..oauth()
    }
    .discovery_request()
    .unwrap();
    assert_eq!(
        (r.method.as_str(), r.url.as_str()),
        ("GET", "https://a.example/.well-known/openid-configuration")
    );
}

#[test]
fn prefill_from_the_specification() {
    let yaml = r#"{"openapi":"3.0.3","info":{"title":"t","version":"1"},
      "servers":[{"url":"https://api.example.com/v1"}],
      "paths":{},
      "components":{"securitySchemes":{
        "code":{"type":"oauth2","flows":{"authorizationCode":{"authorizationUrl":"https://a/x","tokenUrl":"https://a/code","scopes":{}}}},
        "pw":{"type":"oauth2","flows":{"password":{"tokenUrl":"/oauth/token","scopes":{"read":"r","write":"w"}}}},
        "oidc":{"type":"openIdConnect","openIdConnectUrl":"https://id.example.com/.well-known/openid-configuration"}}}}"#;
    let c = crate::convert_files(
        &[crate::SourceFile {
            name: "a.json".into(),
            bytes: yaml.as_bytes().to_vec(),
        }],
        &crate::ConvertOptions::default(),
    )
    .unwrap();
    let p =
        token_url_from_spec(&c.spec.security_schemes, Some("https://api.example.com/v1")).unwrap();
    assert_eq!(p.token_url, "https://api.example.com/oauth/token");
    assert!(p.password);
    assert_eq!(p.scopes, "read write");
    let oidc: Vec<_> = c
        .spec
        .security_schemes
        .iter()
        .filter(|s| s.name == "oidc")
        .cloned()
        .collect();
    let p = token_url_from_spec(&oidc, None).unwrap();
    assert_eq!(
        p.discovery_url.as_deref(),
        Some("https://id.example.com/.well-known/openid-configuration")
    );
    // Swagger 2: an `application` flow is Client Credentials.
    let swagger = r#"{"swagger":"2.0","info":{"title":"t","version":"1"},"host":"api.example.com","schemes":["https"],"paths":{},
      "securityDefinitions":{"o":{"type":"oauth2","flow":"application","tokenUrl":"https://auth.example.com/token","scopes":{"a":"b"}}}}"#;
    let c = crate::convert_files(
        &[crate::SourceFile {
            name: "s.json".into(),
            bytes: swagger.as_bytes().to_vec(),
        }],
        &crate::ConvertOptions::default(),
    )
    .unwrap();
    let p = token_url_from_spec(&c.spec.security_schemes, None).unwrap();
    assert_eq!(p.token_url, "https://auth.example.com/token");
    assert!(!p.password);
    assert_eq!(token_url_from_spec(&[], None), None);
}

/// Drives the run until it asks for something other than a token.
fn expect_auth(run: &mut PrescanRun, now: i64) -> crate::prescan::PlannedRequest {
    assert_eq!(run.poll(now), Step::Authenticate);
    let req = run.auth_request().unwrap();
    assert_eq!(
        run.poll(now),
        Step::WaitForResponse,
        "requests wait for the token"
    );
    req
}

fn expect_send(run: &mut PrescanRun, now: i64) -> (usize, crate::prescan::PlannedRequest) {
    match run.poll(now) {
        Step::Send(p) => (p, run.outgoing(p).unwrap()),
        other => panic!("expected a request, got {other:?}"),
    }
}

#[test]
fn the_token_comes_first_and_is_sent_as_bearer() {
    let mut run = PrescanRun::with_oauth(plan(2), oauth());
    let req = expect_auth(&mut run, 1000);
    assert!(header(&req, "authorization").unwrap().starts_with("Basic "));
    assert!(run.complete_auth(response(200, &token_body(TOKEN, None))));
    for _ in 0..2 {
        let (p, r) = expect_send(&mut run, 1001);
        assert_eq!(
            header(&r, "authorization"),
            Some(format!("Bearer {TOKEN}").as_str())
        );
        assert_eq!(
            r.headers
                .iter()
                .filter(|(n, _)| n.eq_ignore_ascii_case("authorization"))
                .count(),
            1
        );
        run.complete(p, response(200, "{}"));
    }
    assert_eq!(run.poll(1002), Step::Finished);
    let report = run.report(2);
    assert_eq!(report.status(), PrescanStatus::Succeeded);
    assert!(report.is_plain_success());
    assert_eq!(report.connection().token, Some(true));
    let rows = report.rows();
    assert_eq!(rows.len(), 3);
    assert!(rows[0].token_request && rows[0].number == 0 && rows[0].status == Some(200));
    assert!(rows[0].detail.as_deref().unwrap().contains("HTTP Basic"));
    let notes = format!("{:?}", report.notes());
    assert!(
        notes.contains("a token was received from https://auth.example.com/oauth/token"),
        "{notes}"
    );
    assert!(!notes.contains("sent without credentials"), "{notes}");
    let har = serde_json::to_string(&report.to_har()).unwrap();
    assert!(har.contains("Bearer ***"), "{har}");
    // The token response is kept, its tokens redacted.
    let t = report.token.as_ref().unwrap();
    let Outcome::Response(r) = &t.exchanges[0].outcome else {
        panic!()
    };
    assert!(r.body.contains("***"));
    assert_eq!(
        header(&t.exchanges[0].request, "authorization"),
        Some("Basic ***")
    );
    assert_report_clean(&run);
}

#[test]
fn auto_falls_back_to_the_body_once() {
    let mut run = PrescanRun::with_oauth(plan(1), password());
    let first = expect_auth(&mut run, 0);
    assert!(header(&first, "authorization").is_some());
    run.complete_auth(response(401, r#"{"error":"invalid_client"}"#));
    let second = expect_auth(&mut run, 1);
    assert_eq!(header(&second, "authorization"), None);
    assert!(second.body.as_deref().unwrap().contains("client_secret="));
    run.complete_auth(response(200, &token_body(TOKEN, None)));
    let (p, r) = expect_send(&mut run, 2);
    assert_eq!(
        header(&r, "authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    run.complete(p, response(200, "{}"));
    assert_eq!(run.poll(3), Step::Finished);
    let report = run.report(1);
    assert_eq!(report.status(), PrescanStatus::Succeeded);
    let rows = report.rows();
    assert!(
        rows[0].token_request && rows[0].in_error && rows[1].token_request && !rows[1].in_error
    );
    assert!(rows[1].detail.as_deref().unwrap().contains("request body"));
    assert!(rows[0]
        .detail
        .as_deref()
        .unwrap()
        .contains("requested again"));
    assert_report_clean(&run);

    // Basic only: no second try; the requests go without a token and the prescan fails.
    let mut run = PrescanRun::with_oauth(
        plan(1),
        OAuth {
            client_auth: ClientAuth::Basic,
            ..password()
        },
    );
    expect_auth(&mut run, 0);
    run.complete_auth(response(
        401,
        &format!(r#"{{"error":"invalid_client","error_description":"bad secret {SECRET}"}}"#),
    ));
    let (p, r) = expect_send(&mut run, 1);
    assert_eq!(header(&r, "authorization"), None);
    run.complete(p, response(401, "{}"));
    assert_eq!(run.poll(2), Step::Finished);
    let report = run.report(1);
    assert_eq!(report.status(), PrescanStatus::Failed);
    assert_eq!(report.connection().token, Some(false));
    let notes = format!("{:?}", report.notes());
    assert!(
        notes.contains("no token was received") && notes.contains("invalid_client"),
        "{notes}"
    );
    assert_report_clean(&run);

    // Body only: the first request puts the credentials in the body.
    let mut run = PrescanRun::with_oauth(
        plan(1),
        OAuth {
            client_auth: ClientAuth::Body,
            ..oauth()
        },
    );
    let r = expect_auth(&mut run, 0);
    assert_eq!(header(&r, "authorization"), None);
}

#[test]
fn an_expired_token_is_replaced_before_the_next_request() {
    let mut run = PrescanRun::with_oauth(plan(3), oauth());
    expect_auth(&mut run, 10_000);
    run.complete_auth(response(200, &token_body(TOKEN, Some(1))));
    let (p, r) = expect_send(&mut run, 10_100);
    assert!(header(&r, "authorization").unwrap().ends_with(TOKEN));
    run.complete(p, response(200, "{}"));
    // 1 s lifetime, less a tenth: expired at 10_900.
    let (p, _) = expect_send(&mut run, 10_800);
    run.complete(p, response(200, "{}"));
    expect_auth(&mut run, 10_900);
    run.complete_auth(response(200, &token_body(TOKEN2, Some(3600))));
    let (p, r) = expect_send(&mut run, 10_950);
    assert!(header(&r, "authorization").unwrap().ends_with(TOKEN2));
    run.complete(p, response(200, "{}"));
    assert_eq!(run.poll(11_000), Step::Finished);
    let report = run.report(3);
    assert_eq!(report.status(), PrescanStatus::Succeeded);
    assert_eq!(report.rows().iter().filter(|r| r.token_request).count(), 2);
    assert!(format!("{:?}", report.notes()).contains("2 tokens were received"));
    assert_report_clean(&run);
}

#[test]
fn a_401_refreshes_the_token_once_and_resends_once() {
    let mut run = PrescanRun::with_oauth(plan(2), oauth());
    expect_auth(&mut run, 0);
    run.complete_auth(response(200, &token_body(TOKEN, None)));
    let (p, _) = expect_send(&mut run, 1);
    assert_eq!(p, 0);
    assert!(run.complete(p, response(401, "{}")));
    assert_eq!(
        run.progress().done,
        0,
        "the 401 is not the request's result"
    );
    expect_auth(&mut run, 2);
    run.complete_auth(response(200, &token_body(TOKEN2, None)));
    let (p, r) = expect_send(&mut run, 3);
    assert_eq!(p, 0, "the request is sent again first");
    assert!(header(&r, "authorization").unwrap().ends_with(TOKEN2));
    run.complete(p, response(200, "{}"));
    // A second 401 with the new token: no more refresh, no resend.
    let (p, _) = expect_send(&mut run, 4);
    assert_eq!(p, 1);
    run.complete(p, response(401, &format!("echo {TOKEN2}")));
    assert_eq!(run.poll(5), Step::Finished);
    let report = run.report(2);
    assert_eq!(report.rows().iter().filter(|r| r.token_request).count(), 2);
    assert_eq!(report.status(), PrescanStatus::Failed, "a 401 remains");
    let notes = format!("{:?}", report.notes());
    assert!(
        notes.contains("1 request answered 401 and was sent again"),
        "{notes}"
    );
    assert_report_clean(&run);
}

#[test]
fn discovery_then_token_and_failures_are_explained() {
    let mut run = PrescanRun::with_oauth(
        plan(1),
        OAuth {
            token_url: String::new(),
            discovery_url: Some("https://id.example.com/.well-known/openid-configuration".into()),
            ..oauth()
        },
    );
    let d = expect_auth(&mut run, 0);
    assert_eq!(d.method, "GET");
    run.complete_auth(response(
        200,
        r#"{"token_endpoint":"https://id.example.com/token"}"#,
    ));
    let t = expect_auth(&mut run, 1);
    assert_eq!(t.url, "https://id.example.com/token");
    run.complete_auth(response(200, &token_body(TOKEN, None)));
    let (p, _) = expect_send(&mut run, 2);
    run.complete(p, response(200, "{}"));
    let report = run.report(1);
    let rows = report.rows();
    assert!(rows[0].detail.as_deref().unwrap().contains("discovery"));
    assert_eq!(
        report.token.as_ref().unwrap().token_url,
        "https://id.example.com/token"
    );
    assert_report_clean(&run);

    // Unreachable (or CORS in a browser): the note says so and points to the server.
    let mut run = PrescanRun::with_oauth(plan(1), oauth());
    expect_auth(&mut run, 0);
    run.complete_auth(Outcome::NoResponse { time_ms: 3.0 });
    let (p, _) = expect_send(&mut run, 1);
    run.complete(p, response(401, "{}"));
    let report = run.report(1);
    assert_eq!(report.status(), PrescanStatus::Failed);
    let notes = format!("{:?}", report.notes());
    assert!(
        notes.contains("CORS") && notes.contains("run the prescan on the server"),
        "{notes}"
    );
    assert_eq!(report.rows()[0].response, "No response from server");

    // Not JSON.
    let mut run = PrescanRun::with_oauth(plan(1), oauth());
    expect_auth(&mut run, 0);
    run.complete_auth(response(200, "<html>login</html>"));
    assert!(format!("{:?}", run.report(1).notes()).contains("not a JSON object"));
}

#[test]
fn cancelling_during_the_token_request() {
    let mut run = PrescanRun::with_oauth(plan(2), oauth());
    expect_auth(&mut run, 0);
    run.cancel(1);
    assert_eq!(run.poll(2), Step::Finished);
    assert!(!run.complete_auth(response(200, &token_body(TOKEN, None))));
    assert_report_clean(&run);
}

#[test]
fn redaction_of_stored_reports_covers_oauth_secrets() {
    let auth = crate::ScanAuth {
        oauth: Some(password()),
        ..crate::ScanAuth::default()
    };
    let secrets = crate::prescan::secrets(&auth);
    assert!(secrets.contains(&SECRET.to_owned()) && secrets.contains(&PASSWORD.to_owned()));
    let mut v = json!({"body": format!("client_secret={SECRET}&password={PASSWORD}")});
    crate::prescan::redact_json(&mut v, &secrets);
    assert_no_secret(&v.to_string());
}

#[test]
fn parallel_requests_that_get_401_with_the_same_token_are_all_resent() {
    let mut p = plan(3);
    p.settings.max_in_flight = 3;
    let mut run = PrescanRun::with_oauth(p, oauth());
    expect_auth(&mut run, 0);
    run.complete_auth(response(200, &token_body(TOKEN, None)));
    let sent: Vec<usize> = (0..3).map(|_| expect_send(&mut run, 1).0).collect();
    assert_eq!(sent, vec![0, 1, 2]);
    assert!(run.complete(0, response(401, "{}")));
    assert!(run.complete(1, response(401, "{}")));
    // The new token is fetched once; the third 401 comes after it.
    expect_auth(&mut run, 2);
    run.complete_auth(response(200, &token_body(TOKEN2, None)));
    assert!(run.complete(2, response(401, "{}")));
    let mut resent = Vec::new();
    for _ in 0..3 {
        let (p, r) = expect_send(&mut run, 3);
        assert!(header(&r, "authorization").unwrap().ends_with(TOKEN2));
        resent.push(p);
    }
    assert_eq!(resent, vec![0, 1, 2]);
    // A 401 to the new token is final: no third token, no second resend.
    run.complete(0, response(401, "{}"));
    run.complete(1, response(200, "{}"));
    run.complete(2, response(200, "{}"));
    assert_eq!(run.poll(4), Step::Finished);
    let report = run.report(3);
    assert_eq!(report.rows().iter().filter(|r| r.token_request).count(), 2);
    assert_eq!(report.token.as_ref().unwrap().resent, 3);
    assert_report_clean(&run);
}

#[test]
fn token_requests_stop_at_the_budget() {
    // A token endpoint whose tokens live 1 s, and requests 2 s apart: every
    // request would need a new token. At most MAX_TOKEN_FETCHES are asked.
    let n = crate::prescan::MAX_TOKEN_FETCHES + 10;
    let mut run = PrescanRun::with_oauth(plan(n), oauth());
    let mut now = 10_000;
    let mut token_requests = 0;
    let mut sent = 0;
    loop {
        match run.poll(now) {
            Step::Authenticate => {
                token_requests += 1;
                assert!(run.auth_request().is_some());
                run.complete_auth(response(
                    200,
                    &token_body(&format!("tok-{token_requests}-secret"), Some(1)),
                ));
            }
            Step::Send(p) => {
                sent += 1;
                run.complete(p, response(200, "{}"));
                now += 2_000;
            }
            Step::WaitUntil(t) => now = t,
            Step::WaitForResponse => panic!("nothing is in flight"),
            Step::Finished => break,
        }
        assert!(
            token_requests <= crate::prescan::MAX_TOKEN_FETCHES,
            "over the budget"
        );
    }
    assert_eq!(token_requests, crate::prescan::MAX_TOKEN_FETCHES);
    assert_eq!(sent, n, "every request is still sent");
    let report = run.report(n);
    let notes = format!("{:?}", report.notes());
    assert!(
        notes.contains(&format!(
            "After {} token requests",
            crate::prescan::MAX_TOKEN_FETCHES
        )),
        "{notes}"
    );
    assert_report_clean(&run);
}
