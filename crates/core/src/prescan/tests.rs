use serde_json::{json, Value};

use super::*;
use crate::har::{Entry, Har};
use crate::{Severity, PRESCAN_LIMIT};

fn entry(method: &str, url: &str) -> Entry {
    serde_json::from_value(json!({
        "startedDateTime": "1970-01-01T00:00:00.000Z",
        "time": 0,
        "request": {
            "method": method, "url": url, "httpVersion": "HTTP/1.1",
            "cookies": [], "headers": [{"name": "Accept", "value": "application/json"}],
            "queryString": [], "headersSize": -1, "bodySize": -1
        },
        "response": {
            "status": 0, "statusText": "", "httpVersion": "HTTP/1.1", "cookies": [],
            "headers": [], "content": {"size": 0, "mimeType": "x-unknown"},
            "redirectURL": "", "headersSize": -1, "bodySize": -1
        },
        "cache": {},
        "timings": {"send": 0, "wait": 0, "receive": 0}
    }))
    .unwrap()
}

fn har(entries: Vec<Entry>) -> Har {
    serde_json::from_value(json!({
        "log": {"version": "1.2", "creator": {"name": "t", "version": "1"}, "entries": entries}
    }))
    .unwrap()
}

fn gets(n: usize) -> Har {
    har((0..n)
        .map(|i| entry("GET", &format!("https://api.example.com/v1/items/{i}")))
        .collect())
}

fn base(url: &str) -> PrescanSettings {
    PrescanSettings {
        base_url: Some(url.into()),
        ..PrescanSettings::default()
    }
}

fn ok(status: u16) -> Outcome {
    Outcome::Response(Received::new(
        status,
        "",
        vec![("Content-Type".into(), "application/json".into())],
        "{}",
        12.0,
        1024,
    ))
}

fn report(plan: &PrescanPlan, outcomes: Vec<Outcome>) -> PrescanReport {
    let results = outcomes
        .into_iter()
        .enumerate()
        .map(|(position, outcome)| RequestResult {
            position,
            started_ms: 1_700_000_000_000 + position as i64 * 100,
            outcome,
        })
        .collect();
    PrescanReport::new(plan.clone(), results, plan.total_entries)
}

fn has_note(r: &PrescanReport, severity: Severity, text: &str) -> bool {
    r.notes()
        .iter()
        .any(|d| d.severity == severity && d.message.contains(text))
}

// ---- settings ----

#[test]
fn defaults_are_safe_and_normalized() {
    let s = PrescanSettings::default();
    assert!(!s.allow_unsafe_methods);
    assert_eq!(s.requests_per_second, Some(10.0));
    assert_eq!(
        (s.max_in_flight, s.timeout_ms, s.body_limit),
        (4, 10_000, 65_536)
    );
    let odd = PrescanSettings {
        requests_per_second: Some(f64::NAN),
        max_in_flight: 0,
        timeout_ms: 0,
        ..s.clone()
    }
    .normalized();
    assert_eq!(odd.requests_per_second, Some(DEFAULT_REQUESTS_PER_SECOND));
    assert_eq!((odd.max_in_flight, odd.timeout_ms), (1, 1));
    let big = PrescanSettings {
        requests_per_second: Some(1e9),
        max_in_flight: 1000,
        timeout_ms: u64::MAX,
        ..s
    }
    .normalized();
    assert_eq!(big.requests_per_second, Some(MAX_REQUESTS_PER_SECOND));
    assert_eq!(
        (big.max_in_flight, big.timeout_ms),
        (MAX_IN_FLIGHT, MAX_TIMEOUT_MS)
    );
}

// ---- plan: methods ----

#[test]
fn only_safe_methods_by_default() {
    let h = har(vec![
        entry("GET", "https://a.test/x"),
        entry("post", "https://a.test/x"),
        entry("HEAD", "https://a.test/x"),
        entry("DELETE", "https://a.test/x"),
        entry("OPTIONS", "https://a.test/x"),
        entry("PUT", "https://a.test/x"),
        entry("PATCH", "https://a.test/x"),
    ]);
    let plan = PrescanPlan::new(&h, &PrescanSettings::default());
    let sent: Vec<_> = plan.requests.iter().map(|r| r.method.as_str()).collect();
    assert_eq!(sent, ["GET", "HEAD", "OPTIONS"]);
    let skipped: Vec<_> = plan
        .skipped
        .iter()
        .map(|s| (s.index, s.method.as_str()))
        .collect();
    assert_eq!(
        skipped,
        [(1, "POST"), (3, "DELETE"), (5, "PUT"), (6, "PATCH")]
    );
    assert!(plan
        .skipped
        .iter()
        .all(|s| s.reason == SkipReason::UnsafeMethod));
    let r = report(&plan, vec![ok(200), ok(200), ok(204)]);
    let rows = r.rows();
    assert_eq!(
        rows.iter().map(|r| r.number).collect::<Vec<_>>(),
        [1, 2, 3, 4, 5, 6, 7]
    );
    assert!(rows[1].skipped && rows[1].response.starts_with("Skipped: Unsafe method"));
    assert!(!rows[1].in_error);
    assert!(has_note(&r, Severity::Warning, "4 unsafe requests skipped"));
}

#[test]
fn unsafe_methods_when_allowed() {
    let mut e = entry("POST", "https://a.test/x");
    e.request.post_data = Some(
        serde_json::from_value(json!({"mimeType": "application/json", "text": "{\"a\":1}"}))
            .unwrap(),
    );
    let h = har(vec![e, entry("DELETE", "https://a.test/x")]);
    let s = PrescanSettings {
        allow_unsafe_methods: true,
        ..PrescanSettings::default()
    };
    let plan = PrescanPlan::new(&h, &s);
    assert_eq!(plan.requests.len(), 2);
    assert!(plan.skipped.is_empty());
    assert_eq!(plan.requests[0].body.as_deref(), Some("{\"a\":1}"));
    assert_eq!(
        plan.requests[0].content_type.as_deref(),
        Some("application/json")
    );
}

#[test]
fn invalid_method_is_skipped() {
    let plan = PrescanPlan::new(
        &har(vec![entry("GE T", "https://a.test/")]),
        &PrescanSettings::default(),
    );
    assert_eq!(plan.skipped[0].reason, SkipReason::InvalidMethod);
}

// ---- plan: origins and URLs ----

#[test]
fn origin_parsing() {
    let o = Origin::of("HTTPS://API.Example.com/v1?q#f").unwrap();
    assert_eq!(
        (o.scheme.as_str(), o.host.as_str(), o.port),
        ("https", "api.example.com", 443)
    );
    assert_eq!(o.to_string(), "https://api.example.com");
    assert_eq!(
        Origin::of("https://a.test:443/"),
        Origin::of("https://a.test")
    );
    assert_eq!(
        Origin::of("http://a.test:8080").unwrap().to_string(),
        "http://a.test:8080"
    );
    assert_eq!(Origin::of("http://[::1]:3000/x").unwrap().host, "[::1]");
    for bad in [
        "/v1",
        "ftp://a.test",
        "https://",
        "https://a.test:99999",
        "https://a.test:x",
        "https://u:p@a.test/",
        "https://a b.test/",
        "http://[::1/",
        "javascript:alert(1)",
        "",
    ] {
        assert_eq!(Origin::of(bad), None, "{bad}");
    }
}

#[test]
fn requests_go_only_to_the_configured_origin() {
    let h = har(vec![
        entry("GET", "https://api.example.com/v1/a"),
        entry("GET", "https://evil.test/a"),
        entry("GET", "http://api.example.com/v1/a"),
        entry("GET", "https://api.example.com:8443/v1/a"),
        entry("GET", "https://API.example.com:443/v1/b"),
    ]);
    let plan = PrescanPlan::new(&h, &base("https://api.example.com/v1"));
    assert_eq!(
        plan.requests.iter().map(|r| r.index).collect::<Vec<_>>(),
        [0, 4]
    );
    assert_eq!(plan.skipped.len(), 3);
    assert_eq!(
        plan.skipped[0].reason,
        SkipReason::OtherOrigin {
            origin: "https://evil.test".into(),
            allowed: "https://api.example.com".into()
        }
    );
    let r = report(&plan, vec![ok(200), ok(200)]);
    assert!(r.rows()[1]
        .response
        .contains("Another origin (https://evil.test)"));
    assert!(has_note(
        &r,
        Severity::Warning,
        "3 requests to another origin skipped"
    ));
}

#[test]
fn origin_defaults_to_the_first_absolute_entry() {
    let h = har(vec![
        entry("GET", "/relative"),
        entry("GET", "https://a.test/x"),
        entry("GET", "https://b.test/x"),
    ]);
    let plan = PrescanPlan::new(&h, &PrescanSettings::default());
    assert_eq!(
        plan.origin.as_ref().map(ToString::to_string).as_deref(),
        Some("https://a.test")
    );
    assert_eq!(
        plan.requests
            .iter()
            .map(|r| r.url.as_str())
            .collect::<Vec<_>>(),
        ["https://a.test/relative", "https://a.test/x"]
    );
    assert!(matches!(
        plan.skipped[0].reason,
        SkipReason::OtherOrigin { .. }
    ));
}

#[test]
fn relative_urls_resolve_against_the_base_url() {
    let h = har(vec![
        entry("GET", "/pets?x=1"),
        entry("GET", "pets/1"),
        entry("GET", "//api.example.com/z"),
    ]);
    let plan = PrescanPlan::new(&h, &base("https://api.example.com/v1/"));
    let urls: Vec<_> = plan.requests.iter().map(|r| r.url.as_str()).collect();
    assert_eq!(
        urls,
        [
            "https://api.example.com/pets?x=1",
            "https://api.example.com/v1/pets/1",
            "https://api.example.com/z"
        ]
    );
}

#[test]
fn relative_urls_without_a_server_are_skipped() {
    let plan = PrescanPlan::new(
        &har(vec![entry("GET", "/pets")]),
        &PrescanSettings::default(),
    );
    assert!(plan.origin.is_none());
    assert_eq!(plan.skipped[0].reason, SkipReason::RelativeUrl);
    let r = report(&plan, vec![]);
    assert_eq!(r.status(), PrescanStatus::Failed);
    assert!(has_note(&r, Severity::Error, "No server is configured"));
    assert!(has_note(&r, Severity::Error, "No request could be sent"));
    assert!(r.to_har().log.entries.is_empty());
}

#[test]
fn malformed_urls_are_skipped() {
    let h = har(vec![
        entry("GET", "https://a.test/ok"),
        entry("GET", "https://a.test/has space"),
        entry("GET", "mailto:x@a.test"),
        entry("GET", "https://a.test:70000/"),
        entry("GET", ""),
    ]);
    let plan = PrescanPlan::new(&h, &base("https://a.test"));
    assert_eq!(plan.requests.len(), 1);
    assert!(plan
        .skipped
        .iter()
        .all(|s| s.reason == SkipReason::MalformedUrl));
    assert_eq!(plan.skipped.len(), 4);
    assert_eq!(
        report(&plan, vec![ok(200)]).rows()[1].response,
        "Skipped: Malformed URL"
    );
}

#[test]
fn malformed_base_url_sends_nothing() {
    let plan = PrescanPlan::new(&gets(3), &base("not a url"));
    assert!(plan.origin.is_none());
    assert!(plan.requests.is_empty());
}

#[test]
fn forbidden_headers_are_withheld() {
    let mut e = entry("GET", "https://a.test/");
    e.request.headers.push(crate::har::NameValue {
        name: "Cookie".into(),
        value: "s=1".into(),
        comment: None,
    });
    e.request.headers.push(crate::har::NameValue {
        name: "X-API-Key".into(),
        value: "k\r\n".into(),
        comment: None,
    });
    let plan = PrescanPlan::new(&har(vec![e]), &PrescanSettings::default());
    let r = &plan.requests[0];
    assert_eq!(r.withheld_headers, ["Cookie"]);
    assert!(r
        .headers
        .iter()
        .any(|(n, v)| n == "X-API-Key" && v == "k  "));
    assert!(has_note(
        &report(&plan, vec![ok(200)]),
        Severity::Warning,
        "sent without them"
    ));
}

#[test]
fn veracode_path_templates_are_filled() {
    let mut e = entry("GET", "https://a.test/pets/{petId}/toys/{toy}");
    e.comment = Some("petId=42&toy=ball".into());
    let plan = PrescanPlan::new(&har(vec![e]), &PrescanSettings::default());
    assert_eq!(plan.requests[0].url, "https://a.test/pets/42/toys/ball");
}

#[test]
fn converted_specification_end_to_end() {
    let bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/petstore-swagger2.json"
    ))
    .unwrap();
    for style in [crate::HarStyle::Veracode, crate::HarStyle::Concrete] {
        let opts = crate::ConvertOptions {
            har_style: style,
            ..Default::default()
        };
        let c = crate::convert("petstore.json", &bytes, &opts).unwrap();
        let plan = PrescanPlan::new(&c.har, &PrescanSettings::default());
        assert!(!plan.requests.is_empty());
        assert_eq!(
            plan.requests.len() + plan.skipped.len(),
            c.har.log.entries.len().min(PRESCAN_LIMIT)
        );
        assert!(
            plan.requests
                .iter()
                .all(|r| SAFE_METHODS.contains(&r.method.as_str()) && !r.url.contains('{')),
            "{style:?}"
        );
    }
}

#[test]
fn only_the_first_100_entries() {
    let plan = PrescanPlan::new(&gets(130), &PrescanSettings::default());
    assert_eq!(plan.requests.len(), PRESCAN_LIMIT);
    assert_eq!(plan.requests.last().unwrap().index, 99);
    assert_eq!(plan.total_entries, 130);
    let r = report(&plan, vec![ok(200); 100]);
    assert!(has_note(
        &r,
        Severity::Information,
        "covers the first 100 of 130 endpoints"
    ));
    let small = PrescanPlan::new(&gets(3), &PrescanSettings::default());
    assert!(!has_note(
        &report(&small, vec![ok(200); 3]),
        Severity::Information,
        "covers the first"
    ));
}

// ---- pacing ----

#[test]
fn pacer_keeps_the_rate() {
    let mut p = Pacer::new(&PrescanSettings {
        requests_per_second: Some(4.0),
        ..PrescanSettings::default()
    });
    assert_eq!(p.interval_ms(), 250);
    assert_eq!(p.next_start_ms(1000, 0), Some(1000));
    p.record_start(1000);
    assert_eq!(p.next_start_ms(1000, 1), Some(1250));
    assert_eq!(p.next_start_ms(1300, 1), Some(1300));
    p.record_start(1300);
    assert_eq!(p.next_start_ms(1301, 2), Some(1550));
    let mut odd = Pacer::new(&PrescanSettings {
        requests_per_second: Some(3.0),
        ..PrescanSettings::default()
    });
    assert_eq!(odd.interval_ms(), 334); // rounded up: never faster
    odd.record_start(0);
    let free = Pacer::new(&PrescanSettings {
        requests_per_second: None,
        ..PrescanSettings::default()
    });
    assert_eq!(free.interval_ms(), 0);
}

#[test]
fn pacer_bounds_requests_in_flight() {
    let mut p = Pacer::new(&PrescanSettings {
        requests_per_second: None,
        max_in_flight: 2,
        ..PrescanSettings::default()
    });
    assert_eq!(p.next_start_ms(0, 0), Some(0));
    p.record_start(0);
    assert_eq!(p.next_start_ms(0, 1), Some(0));
    p.record_start(0);
    assert_eq!(p.next_start_ms(0, 2), None);
    assert_eq!(p.next_start_ms(5, 1), Some(5));
}

/// Runs a plan with a fake clock: each request takes `latency` ms.
fn simulate(plan: PrescanPlan, latency: i64) -> (Vec<(usize, i64)>, usize, PrescanRun) {
    let mut run = PrescanRun::new(plan);
    let mut now = 0;
    let mut pending: Vec<(i64, usize)> = Vec::new();
    let mut starts = Vec::new();
    let mut max_in_flight = 0;
    for _ in 0..10_000 {
        match run.poll(now) {
            Step::Send(p) => {
                starts.push((p, now));
                pending.push((now + latency, p));
                max_in_flight = max_in_flight.max(run.progress().in_flight);
            }
            Step::WaitUntil(t) => {
                assert!(t > now);
                now = pending
                    .iter()
                    .map(|(e, _)| *e)
                    .filter(|e| *e < t)
                    .min()
                    .unwrap_or(t);
            }
            Step::WaitForResponse => {
                now = pending
                    .iter()
                    .map(|(e, _)| *e)
                    .min()
                    .expect("a response is pending")
            }
            Step::Finished => break,
            Step::Authenticate => unreachable!("no OAuth 2.0 in this run"),
        }
        pending.retain(|&(end, p)| {
            if end <= now {
                assert!(run.complete(p, ok(200)));
                false
            } else {
                true
            }
        });
    }
    (starts, max_in_flight, run)
}

#[test]
fn run_paces_with_a_fake_clock() {
    let s = PrescanSettings {
        requests_per_second: Some(10.0),
        max_in_flight: 4,
        ..PrescanSettings::default()
    };
    let (starts, max, run) = simulate(PrescanPlan::new(&gets(20), &s), 50);
    assert_eq!(starts.len(), 20);
    assert!(starts.windows(2).all(|w| w[1].1 - w[0].1 >= 100));
    assert_eq!(
        starts.iter().map(|s| s.0).collect::<Vec<_>>(),
        (0..20).collect::<Vec<_>>()
    );
    assert_eq!(max, 1);
    assert_eq!(
        run.progress(),
        Progress {
            done: 20,
            in_flight: 0,
            total: 20
        }
    );
    assert_eq!(run.report(20).status(), PrescanStatus::Succeeded);
}

#[test]
fn run_bounds_in_flight_with_slow_responses() {
    let s = PrescanSettings {
        requests_per_second: None,
        max_in_flight: 3,
        ..PrescanSettings::default()
    };
    let (starts, max, _) = simulate(PrescanPlan::new(&gets(10), &s), 1000);
    assert_eq!(max, 3);
    assert_eq!(starts.iter().filter(|s| s.1 == 0).count(), 3);
    assert_eq!(starts.iter().filter(|s| s.1 == 1000).count(), 3);
}

#[test]
fn run_cancel_and_late_completions() {
    let mut run = PrescanRun::new(PrescanPlan::new(&gets(5), &PrescanSettings::default()));
    assert_eq!(run.poll(0), Step::Send(0));
    assert_eq!(run.poll(0), Step::WaitUntil(100));
    assert!(!run.complete(3, ok(200)), "not started");
    assert!(!run.complete(99, ok(200)));
    assert!(run.complete(0, ok(200)));
    assert!(!run.complete(0, ok(500)), "already done");
    assert_eq!(run.poll(100), Step::Send(1));
    run.cancel(150);
    assert!(run.is_cancelled());
    assert!(!run.complete(1, ok(200)));
    assert_eq!(run.poll(200), Step::Finished);
    let r = run.report(5);
    assert_eq!(r.status(), PrescanStatus::Failed);
    assert!(has_note(&r, Severity::Error, "cancelled: 4 of 5"));
    assert_eq!(r.rows()[2].response, "Cancelled");
    assert_eq!(r.connection().requests, 1);
    assert_eq!(r.to_har().log.entries.len(), 1);
}

#[test]
fn empty_plan_finishes_at_once() {
    let mut run = PrescanRun::new(PrescanPlan::new(&gets(0), &PrescanSettings::default()));
    assert_eq!(run.poll(0), Step::Finished);
}

// ---- classification, status, notes ----

#[test]
fn classification_of_rows() {
    let plan = PrescanPlan::new(&gets(7), &PrescanSettings::default());
    let r = report(
        &plan,
        vec![
            ok(200),
            ok(401),
            ok(403),
            ok(404),
            ok(500),
            Outcome::NoResponse { time_ms: 3.0 },
            Outcome::Timeout { time_ms: 10_000.0 },
        ],
    );
    let rows = r.rows();
    let cols: Vec<_> = rows
        .iter()
        .map(|r| (r.response.as_str(), r.in_error, r.auth_problem))
        .collect();
    assert_eq!(
        cols,
        [
            ("200", false, false),
            ("401", true, true),
            ("403", true, true),
            ("404", true, false),
            ("500", true, false),
            ("No response from server", true, false),
            ("Timeout error", true, false)
        ]
    );
    assert!(rows[1]
        .detail
        .as_deref()
        .unwrap()
        .contains("authentication problem"));
    assert!(rows[5].detail.as_deref().unwrap().contains("CORS"));
    assert_eq!(rows[0].size, Some(2));
    assert_eq!(rows[0].time_ms, Some(12.0));
    assert_eq!(
        r.connection(),
        Connection {
            requests: 7,
            responses: 5,
            network_errors: 2,
            auth_failures: 2,
            skipped: 0,
            token: None
        }
    );
    assert_eq!(r.status(), PrescanStatus::Failed);
    assert!(has_note(
        &r,
        Severity::Warning,
        "2 requests answered 401 or 403: check the credentials"
    ));
    assert!(has_note(&r, Severity::Warning, "1 request got no response"));
    assert!(has_note(&r, Severity::Warning, "1 request timed out"));
    assert!(has_note(
        &r,
        Severity::Warning,
        "2 requests answered with another 4xx or 5xx"
    ));
    let sev: Vec<_> = r.notes().iter().map(|d| d.severity).collect();
    assert!(sev.windows(2).all(|w| w[0] <= w[1]), "most severe first");
}

#[test]
fn malformed_url_outcome() {
    let plan = PrescanPlan::new(&gets(1), &PrescanSettings::default());
    let r = report(&plan, vec![Outcome::MalformedUrl]);
    assert_eq!(r.rows()[0].response, "Malformed URL");
    assert!(r.rows()[0].in_error);
    assert_eq!(r.status(), PrescanStatus::Failed);
}

#[test]
fn status_rule() {
    let plan = PrescanPlan::new(&gets(3), &PrescanSettings::default());
    let pending = report(&plan, vec![ok(200)]);
    assert_eq!(pending.status(), PrescanStatus::Prescanning);
    assert_eq!(pending.status().notification(), None);
    assert_eq!(pending.rows()[1].response, "Pending");
    let good = report(&plan, vec![ok(200), ok(204), ok(301)]);
    assert_eq!(good.status(), PrescanStatus::Succeeded);
    assert_eq!(
        good.status().notification(),
        Some(crate::analysis::NotificationKind::PrescanSucceeded)
    );
    assert!(good
        .notes()
        .iter()
        .all(|d| d.severity == Severity::Information));
    // 404 and 500 are flagged, but connection and authentication are verified.
    assert_eq!(
        report(&plan, vec![ok(200), ok(404), ok(500)]).status(),
        PrescanStatus::Succeeded
    );
    let auth = report(&plan, vec![ok(200), ok(401), ok(200)]);
    assert_eq!(auth.status(), PrescanStatus::Failed);
    assert_eq!(
        auth.status().notification(),
        Some(crate::analysis::NotificationKind::PrescanFailed)
    );
    assert_eq!(
        report(
            &plan,
            vec![ok(200), ok(200), Outcome::NoResponse { time_ms: 1.0 }]
        )
        .status(),
        PrescanStatus::Failed
    );
}

#[test]
fn nothing_reached_the_server() {
    let plan = PrescanPlan::new(&gets(2), &PrescanSettings::default());
    let r = report(
        &plan,
        vec![
            Outcome::NoResponse { time_ms: 1.0 },
            Outcome::Timeout { time_ms: 10.0 },
        ],
    );
    assert_eq!(r.status(), PrescanStatus::Failed);
    assert!(has_note(
        &r,
        Severity::Error,
        "No request reached the server"
    ));
    assert_eq!(r.notes()[0].severity, Severity::Error);
}

#[test]
fn results_out_of_range_or_repeated_are_ignored() {
    let plan = PrescanPlan::new(&gets(1), &PrescanSettings::default());
    let results = vec![
        RequestResult {
            position: 0,
            started_ms: 0,
            outcome: ok(200),
        },
        RequestResult {
            position: 0,
            started_ms: 0,
            outcome: ok(500),
        },
        RequestResult {
            position: 7,
            started_ms: 0,
            outcome: ok(500),
        },
    ];
    let r = PrescanReport::new(plan, results, 1);
    assert_eq!(r.rows().len(), 1);
    assert_eq!(r.rows()[0].status, Some(200));
}

#[test]
fn bodies_are_truncated_at_a_char_boundary() {
    assert_eq!(truncate_body("héllo", 2), ("h", true));
    assert_eq!(truncate_body("héllo", 3), ("hé", true));
    assert_eq!(truncate_body("abc", 3), ("abc", false));
    assert_eq!(truncate_body("abc", 0), ("", true));
    let r = Received::new(200, "OK", vec![], "abcdef", 1.0, 4);
    assert_eq!(
        (r.body.as_str(), r.body_truncated, r.size),
        ("abcd", true, 6)
    );
}

// ---- HAR of the prescan ----

fn assert_valid_har(v: &Value) {
    let log = &v["log"];
    assert_eq!(log["version"], "1.2");
    assert!(log["creator"]["name"].is_string() && log["creator"]["version"].is_string());
    for e in log["entries"].as_array().unwrap() {
        let started = e["startedDateTime"].as_str().unwrap();
        assert!(crate::time::parse_rfc3339(started).is_some(), "{started}");
        assert!(e["time"].as_f64().unwrap() >= 0.0);
        for k in [
            "method",
            "url",
            "httpVersion",
            "cookies",
            "headers",
            "queryString",
            "headersSize",
            "bodySize",
        ] {
            assert!(!e["request"][k].is_null(), "request.{k}");
        }
        for k in [
            "status",
            "statusText",
            "httpVersion",
            "cookies",
            "headers",
            "content",
            "redirectURL",
            "headersSize",
            "bodySize",
        ] {
            assert!(!e["response"][k].is_null(), "response.{k}");
        }
        assert!(
            e["response"]["content"]["size"].is_i64()
                && e["response"]["content"]["mimeType"].is_string()
        );
        assert!(e["cache"].is_object());
        let t = &e["timings"];
        let sum: f64 = ["blocked", "dns", "connect", "send", "wait", "receive"]
            .iter()
            .filter_map(|k| t[k].as_f64())
            .filter(|x| *x >= 0.0)
            .sum();
        assert!(
            (sum - e["time"].as_f64().unwrap()).abs() < 1e-9,
            "time is the sum of the timings"
        );
    }
}

#[test]
fn har_holds_the_real_responses() {
    let h = har(vec![
        entry("GET", "https://a.test/a"),
        entry("POST", "https://a.test/b"),
        entry("GET", "https://a.test/c"),
        entry("GET", "https://a.test/d"),
    ]);
    let plan = PrescanPlan::new(&h, &PrescanSettings::default());
    let big = Outcome::Response(Received::new(
        200,
        "OK",
        vec![
            ("Content-Type".into(), "text/plain".into()),
            ("Location".into(), "/x".into()),
        ],
        &"z".repeat(100),
        42.5,
        10,
    ));
    let r = report(
        &plan,
        vec![
            big,
            Outcome::NoResponse { time_ms: 7.0 },
            Outcome::Timeout { time_ms: 10_000.0 },
        ],
    );
    let out = r.to_har();
    let v = serde_json::to_value(&out).unwrap();
    assert_valid_har(&v);
    let entries = v["log"]["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 3, "the skipped POST is left out");
    let first = &entries[0];
    assert_eq!(first["startedDateTime"], "2023-11-14T22:13:20.000Z");
    assert_eq!(first["time"], 42.5);
    assert_eq!(first["response"]["status"], 200);
    assert_eq!(first["response"]["statusText"], "OK");
    assert_eq!(first["response"]["redirectURL"], "/x");
    assert_eq!(first["response"]["content"]["size"], 100);
    assert_eq!(first["response"]["content"]["mimeType"], "text/plain");
    assert_eq!(first["response"]["content"]["text"], "zzzzzzzzzz");
    assert!(first["response"]["content"]["comment"]
        .as_str()
        .unwrap()
        .contains("Truncated"));
    assert_eq!(entries[1]["request"]["url"], "https://a.test/c");
    assert_eq!(entries[1]["response"]["status"], 0);
    assert!(entries[1]["response"]["comment"]
        .as_str()
        .unwrap()
        .contains("No response from server"));
    assert_eq!(entries[2]["response"]["comment"], "Timeout error");
    assert!(v["log"]["comment"]
        .as_str()
        .unwrap()
        .starts_with("Prescan Failed"));
    // It reads back as a HAR.
    let back: Har = serde_json::from_value(v).unwrap();
    assert_eq!(back, out);
}

#[test]
fn hostile_input_does_not_panic() {
    let weird = [
        "",
        " ",
        "://",
        "http://",
        "https://[",
        "https://[]",
        "http://:80",
        "https://a.test:/",
        "h://x",
        "https://é.test/",
        "\u{0}",
        "/\u{7f}",
        "?",
        "#",
        "https://a.test/{x",
    ];
    let h = har(weird
        .iter()
        .map(|u| entry("GET", u))
        .chain([
            entry("", "https://a.test"),
            entry("\u{1F600}", "https://a.test"),
        ])
        .collect());
    for s in [
        PrescanSettings::default(),
        base("https://a.test"),
        base(""),
        base("://"),
    ] {
        let plan = PrescanPlan::new(&h, &s);
        let outcomes = vec![Outcome::Timeout { time_ms: f64::NAN }; plan.requests.len()];
        let r = report(&plan, outcomes);
        let _ = (r.rows(), r.notes(), r.connection(), r.status());
        assert_valid_har(&serde_json::to_value(r.to_har()).unwrap());
    }
}

/// A specification whose one operation needs an API key in a header and one
/// in the query.
fn secured_spec() -> &'static str {
    r#"{"openapi": "3.0.3", "info": {"title": "S", "version": "1"},
        "servers": [{"url": "https://api.example.com"}],
        "components": {"securitySchemes": {
            "h": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
            "q": {"type": "apiKey", "in": "query", "name": "key"}}},
        "paths": {"/items": {"get": {
            "security": [{"h": [], "q": []}],
            "parameters": [{"name": "limit", "in": "query", "schema": {"type": "integer", "example": 5}}],
            "responses": {"200": {"description": "OK"}}}}}}"#
}

#[test]
fn placeholder_credentials_are_left_out_and_entered_ones_sent() {
    let converted =
        crate::convert("s.json", secured_spec().as_bytes(), &Default::default()).unwrap();
    let plan = PrescanPlan::new(&converted.har, &PrescanSettings::default());
    let request = &plan.requests[0];
    assert!(
        request.headers.iter().all(|(n, _)| n != "X-API-Key"),
        "{:?}",
        request.headers
    );
    assert_eq!(request.url, "https://api.example.com/items?limit=5");
    assert_eq!(
        request.placeholders_left_out,
        vec!["X-API-Key".to_owned(), "key".to_owned()]
    );
    let r = report(&plan, vec![ok(401)]);
    assert!(has_note(&r, Severity::Warning, "sent without credentials"));
    let har = r.to_har();
    assert!(har.log.entries[0]
        .request
        .headers
        .iter()
        .all(|h| h.name != "X-API-Key"));
    assert!(har.log.entries[0]
        .request
        .query_string
        .iter()
        .all(|q| q.name != "key"));

    let mut options = crate::ConvertOptions::default();
    options.auth.api_keys.insert("h".into(), "secret-h".into());
    options.auth.api_keys.insert("q".into(), "secret-q".into());
    let converted = crate::convert("s.json", secured_spec().as_bytes(), &options).unwrap();
    let plan = PrescanPlan::new(&converted.har, &PrescanSettings::default());
    let request = &plan.requests[0];
    assert!(request
        .headers
        .contains(&("X-API-Key".to_owned(), "secret-h".to_owned())));
    assert!(request.url.contains("key=secret-q"), "{}", request.url);
    assert!(request.placeholders_left_out.is_empty());
}

#[test]
fn the_conversions_notes_about_credentials_come_first_in_the_notes() {
    let converted = crate::convert(
        "spec.json",
        json!({
            "openapi": "3.0.3",
            "info": {"title": "T", "version": "1"},
            "servers": [{"url": "https://a.test"}],
            "paths": {"/x": {"get": {"responses": {"200": {"description": "ok"}}}}}
        })
        .to_string()
        .as_bytes(),
        &crate::ConvertOptions {
            auth: crate::ScanAuth {
                bearer: Some("t".into()),
                ..Default::default()
            },
            ..Default::default()
        },
    )
    .unwrap();
    let plan = PrescanPlan::new(&converted.har, &PrescanSettings::default())
        .with_credential_notes(&converted.spec.diagnostics);
    // Only the notes about credentials are kept (not the others of the conversion).
    assert_eq!(
        plan.credential_notes.len(),
        1,
        "{:?}",
        plan.credential_notes
    );
    let notes = report(&plan, vec![]).notes();
    assert!(
        notes[0]
            .message
            .starts_with("Your bearer token is sent with every request"),
        "{notes:?}"
    );
    // A report saved before the field existed reads as having none.
    let mut saved = serde_json::to_value(&plan).unwrap();
    saved.as_object_mut().unwrap().remove("credential_notes");
    let read: PrescanPlan = serde_json::from_value(saved).unwrap();
    assert!(read.credential_notes.is_empty());
}

// ---- outcome classes, explanations, status text ----

#[test]
fn rows_have_a_class_and_the_filter_counts_them() {
    let mut settings = base("https://api.example.com/v1");
    settings.allow_unsafe_methods = false;
    let mut entries: Vec<Entry> = (0..6)
        .map(|i| entry("GET", &format!("https://api.example.com/v1/items/{i}")))
        .collect();
    entries.push(entry("DELETE", "https://api.example.com/v1/items/9"));
    let plan = PrescanPlan::new(&har(entries), &settings);
    let r = report(
        &plan,
        vec![
            ok(200),
            ok(404),
            ok(401),
            ok(503),
            Outcome::NoResponse { time_ms: 3.0 },
            Outcome::Timeout { time_ms: 10_000.0 },
        ],
    );
    let classes: Vec<OutcomeClass> = r.rows().iter().map(Row::class).collect();
    use OutcomeClass::*;
    assert_eq!(
        classes,
        [
            Success,
            ClientError,
            ClientError,
            ServerError,
            Network,
            Network,
            Skipped
        ]
    );
    let counts: std::collections::HashMap<_, _> =
        OutcomeClass::counts(&r.rows()).into_iter().collect();
    assert_eq!(counts[&ClientError], 2);
    assert_eq!(counts[&Network], 2);
    assert_eq!(counts[&Skipped], 1);
    assert_eq!(counts[&Unfinished], 0);
    // Every class counted once, errors are exactly the red rows.
    assert_eq!(counts.values().sum::<usize>(), r.rows().len());
    for row in r.rows() {
        assert_eq!(row.class().is_error(), row.in_error, "{row:?}");
    }
    assert_eq!(r.failed_requests(), 5);

    // One explanation per kind, naming the page's origin to allow.
    let e = r.explanations(Some("https://tools.example.org"));
    let titles: Vec<&str> = e.iter().map(|e| e.title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "1 request got no response from https://api.example.com.",
            "1 request got no response within 10,000 ms.",
            "1 request answered 401 or 403.",
            "1 request answered 404 Not Found.",
            "1 request answered 5xx.",
        ]
    );
    assert!(e[0]
        .text
        .contains("Access-Control-Allow-Origin: https://tools.example.org"));
    // From a server, CORS is not the cause.
    assert!(!r.explanations(None)[0].text.contains("CORS"));
    assert_eq!(r.status_text(), "Prescan Failed: 5 of 6 requests failed");
}

#[test]
fn a_success_with_errors_never_reads_as_a_plain_success() {
    let plan = PrescanPlan::new(&gets(5), &base("https://api.example.com/v1"));
    let r = report(&plan, vec![ok(200), ok(404), ok(404), ok(404), ok(200)]);
    assert_eq!(r.status(), PrescanStatus::Succeeded);
    assert!(!r.is_plain_success());
    assert_eq!(
        r.status_text(),
        "Prescan Succeeded, with errors: 3 of 5 requests answered 4xx or 5xx"
    );
    let e = r.explanations(Some("http://127.0.0.1:8080"));
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].count, 3);
    assert_eq!(e[0].title, "3 requests answered 404 Not Found.");

    let r = report(&plan, vec![ok(200); 5]);
    assert!(r.is_plain_success());
    assert_eq!(r.status_text(), "Prescan Succeeded");
    assert!(r.explanations(Some("http://x")).is_empty());
    assert_eq!(
        r.summary_sentence(),
        "5 requests, 5 responses, 0 network errors, 0 authentication failures (401 or 403), 0 skipped."
    );
    let r = report(
        &plan,
        vec![
            ok(200),
            ok(404),
            ok(401),
            Outcome::NoResponse { time_ms: 1.0 },
            ok(200),
        ],
    );
    assert_eq!(
        r.summary_sentence(),
        "3 of 5 requests failed. 5 requests, 4 responses, 1 network error, 1 authentication failure (401 or 403), 0 skipped."
    );

    let r = report(&plan, vec![Outcome::Cancelled; 5]);
    assert_eq!(
        r.status_text(),
        "Prescan Failed: cancelled before any response"
    );
    let r = report(
        &plan,
        vec![
            ok(200),
            ok(200),
            Outcome::Cancelled,
            Outcome::Cancelled,
            Outcome::Cancelled,
        ],
    );
    assert_eq!(
        r.status_text(),
        "Prescan Failed: cancelled after 2 requests"
    );
}

/// A specification of `n` GET endpoints `/items{i}`, every third tagged
/// `admin`.
fn tagged_spec(n: usize) -> String {
    let paths: Vec<String> = (0..n)
        .map(|i| {
            let tags = if i % 3 == 0 { r#""tags": ["admin"],"# } else { "" };
            format!(r#""/items{i}": {{"get": {{{tags} "responses": {{"200": {{"description": "ok"}}}}}}}}"#)
        })
        .collect();
    format!(
        r#"{{"openapi": "3.0.3", "info": {{"title": "T", "version": "1"}},
            "servers": [{{"url": "http://127.0.0.1:9/v1"}}],
            "paths": {{{}}}}}"#,
        paths.join(",")
    )
}

#[test]
fn a_plan_of_a_conversion_skips_excluded_endpoints_and_fills_the_hundred() {
    use crate::scope::{Scope, ScopeDecision, ScopeRule, Selector};
    let spec = tagged_spec(150);
    let options = crate::ConvertOptions {
        scope: Scope {
            rules: vec![ScopeRule {
                selector: Selector::Tag("admin".into()),
                decision: ScopeDecision::Exclude,
            }],
        },
        ..Default::default()
    };
    let c = crate::convert("t.json", spec.as_bytes(), &options).unwrap();
    let plan = PrescanPlan::of_conversion(&c, &PrescanSettings::default());
    // 50 excluded (i % 3 == 0), 100 in scope: all of them planned.
    assert_eq!(plan.requests.len(), 100);
    assert!(plan
        .requests
        .iter()
        .all(|r| !r.url.ends_with("/items0") && !r.url.ends_with("/items3")));
    assert!(plan.requests.iter().any(|r| r.url.ends_with("/items149")));
    let coverage = plan.coverage.unwrap();
    assert_eq!((coverage.excluded, coverage.in_scope()), (50, 100));
    let r = report(&plan, vec![]);
    assert!(
        has_note(
            &r,
            Severity::Information,
            "The prescan covers all 100 included endpoints; the 50 excluded do not count."
        ),
        "{:?}",
        r.notes()
    );

    // Without a scope: the first 100 of 150, said as before.
    let c = crate::convert("t.json", spec.as_bytes(), &Default::default()).unwrap();
    let plan = PrescanPlan::of_conversion(&c, &PrescanSettings::default());
    assert!(plan.requests.last().unwrap().url.ends_with("/items99"));
    let r = report(&plan, vec![]);
    assert!(has_note(
        &r,
        Severity::Information,
        "The prescan covers the first 100 of 150 endpoints."
    ));
}

#[test]
fn configuration_notes_reach_the_plan() {
    use crate::scope::{Scope, ScopeDecision, ScopeRule, Selector};
    let spec = r#"{"openapi": "3.0.3", "info": {"title": "T", "version": "1"},
      "servers": [{"url": "http://127.0.0.1:9"}],
      "paths": {"/pets/{petId}": {"get": {
        "parameters": [{"name": "petId", "in": "path", "required": true, "schema": {"type": "integer"}}],
        "responses": {"200": {"description": "ok"}}}}}}"#;
    let options = crate::ConvertOptions {
        values: crate::values::ValueOverrides::parse_lines("petId=forty\nnothere=1").unwrap(),
        scope: Scope {
            rules: vec![
                ScopeRule {
                    selector: Selector::Path("/pets/*".into()),
                    decision: ScopeDecision::Ignore,
                },
                ScopeRule {
                    selector: Selector::Path("no-slash".into()),
                    decision: ScopeDecision::Exclude,
                },
            ],
        },
        ..Default::default()
    };
    let c = crate::convert("t.json", spec.as_bytes(), &options).unwrap();
    let plan = PrescanPlan::of_conversion(&c, &PrescanSettings::default());
    let notes: Vec<&str> = plan
        .credential_notes
        .iter()
        .map(|d| d.message.as_str())
        .collect();
    let has = |p: &str| notes.iter().any(|n| n.contains(p));
    assert!(has("Your value \"forty\""), "{notes:?}");
    assert!(
        has("The value `nothere=1` matches no parameter"),
        "{notes:?}"
    );
    assert!(has("The scope ignores 1 endpoint"), "{notes:?}");
    assert!(has("Scope rule 2:"), "{notes:?}");
    assert!(!has("The prescan covers"), "{notes:?}");
    let r = report(&plan, vec![]);
    assert!(r
        .notes()
        .iter()
        .any(|d| d.message.starts_with("Your value")));
}
