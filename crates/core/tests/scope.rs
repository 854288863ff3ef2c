//! Endpoint scope, end to end: `ConvertOptions::scope` → each endpoint's
//! decision, the prescan's coverage (excluded endpoints do not count toward
//! the first 100), the HAR in scope or all, and the budgets.

use prescan_core::scope::{MAX_SCOPE_PATTERN_CHARS, MAX_SCOPE_RULES};
use prescan_core::{
    convert, har, ConvertOptions, HarScope, Method, Scope, ScopeDecision, ScopeRule, Selector,
    Severity, PRESCAN_LIMIT,
};
use serde_json::{json, Value};

const PETSTORE: &[u8] = include_bytes!("../../../public/samples/petstore.yaml");
const POSTMAN: &[u8] = include_bytes!("fixtures/postman.json");

fn rule(selector: Selector, decision: ScopeDecision) -> ScopeRule {
    ScopeRule { selector, decision }
}

fn with_scope(rules: Vec<ScopeRule>) -> ConvertOptions {
    ConvertOptions {
        scope: Scope { rules },
        ..ConvertOptions::default()
    }
}

/// 120 GET operations `/items/{i}`, in order; every fourth (i % 4 == 0)
/// tagged `internal`, the others `public`; operationId `op{i}`.
fn big() -> Vec<u8> {
    with_prefix("/items")
}

/// [`big`] with paths `{prefix}/{i}`.
fn with_prefix(prefix: &str) -> Vec<u8> {
    let mut paths = serde_json::Map::new();
    for i in 0..120 {
        let tag = if i % 4 == 0 { "internal" } else { "public" };
        paths.insert(
            format!("{prefix}/{i}"),
            json!({"get": {"operationId": format!("op{i}"), "tags": [tag], "responses": {"200": {"description": "ok"}}}}),
        );
    }
    let doc: Value = json!({"openapi": "3.0.3", "info": {"title": "Big", "version": "1"}, "servers": [{"url": "https://api.example.com"}], "paths": paths});
    serde_json::to_vec(&doc).unwrap()
}

#[test]
fn the_default_scope_changes_nothing() {
    let plain = convert("petstore.yaml", PETSTORE, &ConvertOptions::default()).unwrap();
    let scoped = convert(
        "petstore.yaml",
        PETSTORE,
        &ConvertOptions {
            scope: Scope::default(),
            har_scope: HarScope::InScope,
            ..ConvertOptions::default()
        },
    )
    .unwrap();
    assert_eq!(plain, scoped);
    assert!(plain
        .spec
        .endpoints
        .iter()
        .all(|e| e.scope == ScopeDecision::Include));
    // Nothing new is written for an included endpoint.
    let json = serde_json::to_string(&plain.spec.endpoints).unwrap();
    assert!(!json.contains("\"scope\""), "{json}");
    let o: ConvertOptions = serde_json::from_str("{}").unwrap();
    assert_eq!(o.scope, Scope::default());
    assert_eq!(o.har_scope, HarScope::All);
    assert_eq!(har::in_scope(&plain.har, &plain.spec), plain.har);
}

#[test]
fn first_100_of_the_included_endpoints() {
    let options = with_scope(vec![rule(
        Selector::Tag("internal".into()),
        ScopeDecision::Exclude,
    )]);
    let c = convert("big.json", &big(), &options).unwrap();
    let coverage = c.spec.coverage();
    assert_eq!(coverage.endpoints, 120);
    assert_eq!(coverage.excluded, 30);
    assert_eq!(coverage.included, 90);
    assert_eq!(coverage.covered, 90);
    let covered = c.spec.prescan_endpoints();
    assert_eq!(covered.len(), 90);
    assert!(covered.iter().all(|e| e.tags == ["public"]));
    assert!(c
        .spec
        .diagnostics
        .iter()
        .any(|d| d.severity == Severity::Information
            && d.message
                == "The prescan covers all 90 included endpoints; the 30 excluded do not count."));

    // `*` is part of one segment: /items/1, /items/10 .. 19, /items/100 .. 119.
    let options = with_scope(vec![rule(
        Selector::Path("/items/1*".into()),
        ScopeDecision::Exclude,
    )]);
    let c = convert("big.json", &big(), &options).unwrap();
    assert_eq!(c.spec.coverage().excluded, 31);

    // 120 endpoints, 11 excluded by pattern: the first 100 of 109 included.
    let options = with_scope(vec![rule(
        Selector::Path("/items/2*".into()),
        ScopeDecision::Exclude,
    )]);
    let c = convert("big.json", &big(), &options).unwrap();
    let coverage = c.spec.coverage();
    // /items/2 and /items/20 .. /items/29.
    assert_eq!((coverage.included, coverage.excluded), (109, 11));
    assert_eq!(coverage.covered, PRESCAN_LIMIT);
    let covered = c.spec.prescan_endpoints();
    assert_eq!(covered.len(), PRESCAN_LIMIT);
    assert!(covered
        .iter()
        .all(|e| !e.path.starts_with("/items/2") && e.scope == ScopeDecision::Include));
    // The 100th included is /items/110: 111 endpoints up to it, 11 excluded.
    assert_eq!(covered[99].path, "/items/110");
    assert!(c.spec.diagnostics.iter().any(|d| d.message
        == "The prescan covers the first 100 of 109 included endpoints; the 11 excluded do not count."));
    // Tags are kept up to the last covered endpoint, past index 100.
    assert_eq!(c.spec.endpoints[110].tags, ["public"]);
    assert!(c.spec.endpoints[111].tags.is_empty());

    // The HAR: all by default, the included ones on request; the prescan's
    // first 100 entries are the endpoints it covers.
    assert_eq!(c.har.log.entries.len(), 120);
    let in_scope = har::in_scope(&c.har, &c.spec);
    assert_eq!(in_scope.log.entries.len(), 109);
    let built = convert(
        "big.json",
        &big(),
        &ConvertOptions {
            har_scope: HarScope::InScope,
            ..options.clone()
        },
    )
    .unwrap();
    assert_eq!(built.har, in_scope);
    assert_eq!(har::in_scope(&built.har, &built.spec), in_scope);
    for (entry, endpoint) in in_scope.log.entries.iter().zip(covered) {
        assert!(
            entry.request.url.ends_with(&endpoint.path),
            "{}",
            entry.request.url
        );
    }
    let plan = prescan_core::prescan::PrescanPlan::new(&in_scope, &Default::default());
    assert_eq!(plan.entries.len(), PRESCAN_LIMIT);
    assert!(plan.entries[99].request.url.ends_with("/items/110"));
}

#[test]
fn method_and_endpoint_rules_and_precedence() {
    let options = with_scope(vec![
        rule(
            Selector::Endpoint {
                method: Method::Delete,
                path: "/pets/{petId}".into(),
            },
            ScopeDecision::Include,
        ),
        rule(Selector::Method(Method::Delete), ScopeDecision::Exclude),
        rule(Selector::Path("/pets/*".into()), ScopeDecision::Exclude),
        rule(Selector::Tag("pets".into()), ScopeDecision::Include),
    ]);
    let c = convert("petstore.yaml", PETSTORE, &options).unwrap();
    for e in &c.spec.endpoints {
        // The endpoint rule first, then the last group rule that selects.
        let one = e.method == Method::Delete && e.path == "/pets/{petId}";
        let tagged = e.tags.iter().any(|t| t == "pets");
        let expected = if one || tagged {
            ScopeDecision::Include
        } else if e.path.starts_with("/pets/") || e.method == Method::Delete {
            ScopeDecision::Exclude
        } else {
            ScopeDecision::Include
        };
        assert_eq!(e.scope, expected, "{} {} {:?}", e.method, e.path, e.tags);
    }
    // Without the tag rule, /pets/{petId} is excluded but for its DELETE.
    let options = with_scope(options.scope.rules[..3].to_vec());
    let c = convert("petstore.yaml", PETSTORE, &options).unwrap();
    let of = |m: Method, p: &str| {
        c.spec
            .endpoints
            .iter()
            .find(|e| e.method == m && e.path == p)
            .unwrap()
            .scope
    };
    assert_eq!(of(Method::Get, "/pets/{petId}"), ScopeDecision::Exclude);
    assert_eq!(of(Method::Delete, "/pets/{petId}"), ScopeDecision::Include);
    assert_eq!(of(Method::Get, "/pets"), ScopeDecision::Include);
    let e = c
        .spec
        .endpoints
        .iter()
        .find(|e| e.scope == ScopeDecision::Exclude)
        .unwrap();
    assert!(serde_json::to_string(e)
        .unwrap()
        .contains("\"scope\":\"Exclude\""));
}

#[test]
fn ignore_is_kept_for_postman_and_a_warning_elsewhere() {
    let ignore_all = with_scope(vec![rule(
        Selector::Path("/**".into()),
        ScopeDecision::Ignore,
    )]);
    let postman = ConvertOptions {
        base_url: Some("https://api.example.com".into()),
        ..ignore_all.clone()
    };
    let c = convert("postman.json", POSTMAN, &postman).unwrap();
    assert!(!c.spec.endpoints.is_empty());
    assert!(c
        .spec
        .endpoints
        .iter()
        .all(|e| e.scope == ScopeDecision::Ignore));
    assert!(!c
        .spec
        .diagnostics
        .iter()
        .any(|d| d.message.contains("only Postman")));
    let coverage = c.spec.coverage();
    assert_eq!(coverage.ignored, c.spec.endpoints.len());
    assert_eq!(c.spec.prescan_endpoints().len(), c.spec.endpoints.len());
    assert_eq!(
        har::in_scope(&c.har, &c.spec).log.entries.len(),
        c.har.log.entries.len(),
        "ignored endpoints are sent"
    );

    let c = convert("petstore.yaml", PETSTORE, &ignore_all).unwrap();
    assert!(c
        .spec
        .endpoints
        .iter()
        .all(|e| e.scope == ScopeDecision::Include));
    let w = c
        .spec
        .diagnostics
        .iter()
        .find(|d| d.message.contains("only Postman collections"))
        .unwrap();
    assert_eq!(w.severity, Severity::Warning);
}

#[test]
fn budgets_refuse_and_convert_with_errors() {
    let too_many =
        vec![rule(Selector::Method(Method::Get), ScopeDecision::Exclude); MAX_SCOPE_RULES + 1];
    let options = with_scope(too_many);
    assert!(options.scope.validate().is_err());
    let c = convert("petstore.yaml", PETSTORE, &options).unwrap();
    assert!(c
        .spec
        .diagnostics
        .iter()
        .any(|d| d.severity == Severity::Error && d.message.contains("at most 1000")));

    let long = format!("/{}", "*a".repeat(MAX_SCOPE_PATTERN_CHARS));
    let options = with_scope(vec![rule(Selector::Path(long), ScopeDecision::Exclude)]);
    let e = options.scope.validate().unwrap_err();
    assert_eq!(e.rule, Some(0));
    let c = convert("petstore.yaml", PETSTORE, &options).unwrap();
    assert!(c
        .spec
        .diagnostics
        .iter()
        .any(|d| d.severity == Severity::Error
            && d.message.starts_with("Scope rule 1:")
            && d.message.contains("not applied")));
    assert!(c
        .spec
        .endpoints
        .iter()
        .all(|e| e.scope == ScopeDecision::Include));
}

#[test]
fn hostile_scopes_finish_quickly() {
    // The most rules, each the longest pattern that is hardest to match,
    // against 120 endpoints: bounded by the step budget, not by the input.
    let pattern = format!("/{}", "*a".repeat(MAX_SCOPE_PATTERN_CHARS / 2 - 1));
    assert!(pattern.chars().count() <= MAX_SCOPE_PATTERN_CHARS);
    let rules = vec![rule(Selector::Path(pattern), ScopeDecision::Exclude); MAX_SCOPE_RULES];
    let options = with_scope(rules);
    assert!(options.scope.validate().is_ok());
    // Paths of many `a`s make every rule try hard on every endpoint.
    let prefix = format!("/{}", "a".repeat(300));
    let started = std::time::Instant::now();
    let c = convert("big.json", &with_prefix(&prefix), &options).unwrap();
    assert!(started.elapsed().as_secs() < 30, "{:?}", started.elapsed());
    assert_eq!(c.spec.endpoints.len(), 120);
    let error = c
        .spec
        .diagnostics
        .iter()
        .find(|d| d.severity == Severity::Error)
        .expect("the step budget runs out");
    assert!(error.message.contains("took too long"), "{}", error.message);
    // What was not decided is excluded, never silently included: the
    // endpoints from where the budget ran out on (none matches a rule).
    let first_excluded = c
        .spec
        .endpoints
        .iter()
        .position(|e| e.scope == ScopeDecision::Exclude)
        .unwrap();
    assert!(c.spec.endpoints[first_excluded..]
        .iter()
        .all(|e| e.scope == ScopeDecision::Exclude));
    assert!(error.message.contains(&format!(
        "{} endpoints not decided were excluded",
        120 - first_excluded
    )));
}

#[test]
fn scope_and_options_round_trip_through_json() {
    let options = ConvertOptions {
        har_scope: HarScope::InScope,
        ..with_scope(vec![
            rule(Selector::Tag("internal".into()), ScopeDecision::Exclude),
            rule(
                Selector::Endpoint {
                    method: Method::Get,
                    path: "/items/{id}".into(),
                },
                ScopeDecision::Ignore,
            ),
        ])
    };
    let json = serde_json::to_string(&options).unwrap();
    assert_eq!(
        serde_json::from_str::<ConvertOptions>(&json).unwrap(),
        options
    );
    let c = convert("big.json", &big(), &options).unwrap();
    let back: prescan_core::Conversion =
        serde_json::from_str(&serde_json::to_string(&c).unwrap()).unwrap();
    assert_eq!(back, c);
}
