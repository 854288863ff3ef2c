//! The contract itself: `api/openapi.yaml` and its JSON copy
//! `public/api/openapi.json` are the same document; the document loads in
//! the core as an OpenAPI 3.1 specification without errors; its enums are
//! the wire codes; and example bodies of every wire type fit its schemas.
//!
//! To regenerate the JSON copy after changing the YAML:
//!
//! ```sh
//! PRESCAN_WRITE_OPENAPI=1 cargo test -p prescan-core openapi
//! ```

use std::path::PathBuf;

use serde::Serialize;
use serde_json::{json, Map, Value};

use super::*;
use crate::analysis::{
    self as core, ActivityEntry, ActivityKind, Actor, AnalysisAction, AnalysisStatus, Field,
    FieldError, ListQuery, RunAction, ScanDuration, ScanStatus, StoreError, StoreState,
};
use crate::{ConvertOptions, Severity, SpecFormat};

const REGENERATE: &str = "PRESCAN_WRITE_OPENAPI=1 cargo test -p prescan-core openapi";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn yaml_text() -> String {
    std::fs::read_to_string(root().join("api/openapi.yaml")).expect("api/openapi.yaml")
}

fn contract() -> Value {
    yaml_serde::from_str::<Value>(&yaml_text()).expect("api/openapi.yaml is valid YAML")
}

/// The JSON copy's text for a document: pretty-printed, keys in the YAML's
/// order, one newline at the end.
fn json_text(doc: &Value) -> String {
    let mut text = serde_json::to_string_pretty(doc).unwrap();
    text.push('\n');
    text
}

#[test]
fn openapi_json_is_the_yaml() {
    let expected = json_text(&contract());
    let path = root().join("public/api/openapi.json");
    if std::env::var_os("PRESCAN_WRITE_OPENAPI").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &expected).unwrap();
        eprintln!("wrote {}", path.display());
    }
    let found = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        found == expected,
        "public/api/openapi.json is not api/openapi.yaml as JSON. Regenerate it with:\n\n    {REGENERATE}\n"
    );
    assert!(
        OPENAPI_JSON == expected,
        "api::OPENAPI_JSON is an older public/api/openapi.json: run the tests again"
    );
}

#[test]
fn openapi_loads_in_the_core_without_errors() {
    let yaml = yaml_text();
    let c = crate::convert(
        "openapi.yaml",
        yaml.as_bytes(),
        &ConvertOptions {
            base_url: Some("http://127.0.0.1:8080/api/v1".into()),
            ..ConvertOptions::default()
        },
    )
    .expect("the contract loads");
    assert_eq!(c.spec.format, SpecFormat::OpenApi31);
    let errors: Vec<_> = c
        .spec
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // Every operation is an endpoint, and each has an operationId.
    let doc = contract();
    let mut operations = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if method == "parameters" {
                continue;
            }
            operations += 1;
            assert!(op["operationId"].is_string(), "{method} {path}");
            let responses = op["responses"].as_object().unwrap();
            let secured = op.get("security") != Some(&json!([]));
            if secured {
                assert!(responses.contains_key("401"), "{method} {path}: 401");
            }
            assert!(responses.contains_key("500"), "{method} {path}: 500");
            if op.get("requestBody").is_some() {
                for s in ["400", "413", "415", "422"] {
                    assert!(responses.contains_key(s), "{method} {path}: {s}");
                }
            }
        }
    }
    assert_eq!(c.spec.endpoints.len(), operations);
    // Every path of the contract is a route of the path builders.
    let routes = [
        routes::HEALTH,
        routes::OPENAPI,
        routes::ANALYSES,
        routes::ANALYSIS,
        routes::ANALYSIS_ACTIONS,
        routes::ANALYSIS_AUDITS,
        routes::SPECIFICATIONS,
        routes::SPECIFICATION,
        routes::SPECIFICATION_ORIGINAL,
        routes::SPECIFICATION_FILE,
        routes::SPECIFICATION_HAR,
        routes::SCAN_PRESCAN,
        routes::SCAN_PRESCAN_CANCEL,
        routes::SCAN_PRESCAN_HAR,
        routes::NOTIFICATIONS,
        routes::ME,
        routes::EXPORT,
        routes::IMPORT,
    ];
    let paths: Vec<String> = doc["paths"]
        .as_object()
        .unwrap()
        .keys()
        .map(|p| format!("{BASE_PATH}{p}"))
        .collect();
    assert_eq!(paths, routes);
    assert_eq!(doc["servers"][0]["url"], BASE_PATH);
}

fn enum_of(doc: &Value, schema: &str) -> Vec<String> {
    serde_json::from_value(doc["components"]["schemas"][schema]["enum"].clone())
        .unwrap_or_else(|_| panic!("{schema} has an enum"))
}

#[test]
fn openapi_enums_are_the_wire_codes() {
    let doc = contract();
    assert_eq!(enum_of(&doc, "AnalysisStatus"), AnalysisStatus::codes());
    assert_eq!(enum_of(&doc, "ScanStatus"), ScanStatus::codes());
    assert_eq!(enum_of(&doc, "AnalysisAction"), AnalysisAction::codes());
    assert_eq!(enum_of(&doc, "RunAction"), RunAction::codes());
    assert_eq!(enum_of(&doc, "EventType"), ActivityKind::codes());
    assert_eq!(enum_of(&doc, "SpecType"), SpecFormat::codes());
    assert_eq!(
        enum_of(&doc, "NotificationKind"),
        core::NotificationKind::codes()
    );
    assert_eq!(
        doc["paths"]["/analyses"]["get"]["parameters"][2]["schema"]["enum"],
        json!(["name", "status", "last_run", "next_run"])
    );
    let sorts: Vec<&str> = [
        core::SortKey::Name,
        core::SortKey::Status,
        core::SortKey::LastRun,
        core::SortKey::NextRun,
    ]
    .into_iter()
    .map(sort_name)
    .collect();
    assert_eq!(sorts, ["name", "status", "last_run", "next_run"]);
}

// ---- A small validator: enough of JSON Schema for the contract. ----

fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => resolve(
            doc,
            doc.pointer(r.trim_start_matches('#'))
                .unwrap_or_else(|| panic!("no {r}")),
        ),
        None => schema,
    }
}

fn type_ok(t: &str, v: &Value) -> bool {
    match t {
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "integer" => v.is_i64() || v.is_u64(),
        "number" => v.is_number(),
        "boolean" => v.is_boolean(),
        "null" => v.is_null(),
        _ => panic!("type {t}"),
    }
}

/// Problems of `v` against `schema`, each with its JSON pointer.
fn check(doc: &Value, schema: &Value, v: &Value, at: &str, out: &mut Vec<String>) {
    let schema = resolve(doc, schema);
    if let Some(branches) = schema.get("oneOf").and_then(Value::as_array) {
        let fitting: Vec<Vec<String>> = branches
            .iter()
            .map(|b| {
                let mut e = Vec::new();
                check(doc, b, v, at, &mut e);
                e
            })
            .collect();
        let ok = fitting.iter().filter(|e| e.is_empty()).count();
        if ok != 1 {
            out.push(format!(
                "{at}: fits {ok} branches of oneOf, not 1: {fitting:?}"
            ));
        }
    }
    match schema.get("type") {
        Some(Value::String(t)) if !type_ok(t, v) => {
            out.push(format!("{at}: {v} is not {t}"));
            return;
        }
        Some(Value::Array(ts)) if !ts.iter().any(|t| type_ok(t.as_str().unwrap(), v)) => {
            out.push(format!("{at}: {v} is none of {ts:?}"));
            return;
        }
        _ => {}
    }
    if let Some(c) = schema.get("const") {
        if c != v {
            out.push(format!("{at}: {v} is not {c}"));
        }
    }
    if let Some(e) = schema.get("enum").and_then(Value::as_array) {
        if !e.contains(v) {
            out.push(format!("{at}: {v} is not in the enum"));
        }
    }
    if let (Some(min), Some(n)) = (schema.get("minimum").and_then(Value::as_f64), v.as_f64()) {
        if n < min {
            out.push(format!("{at}: {n} < {min}"));
        }
    }
    if let (Some(max), Some(n)) = (schema.get("maximum").and_then(Value::as_f64), v.as_f64()) {
        if n > max {
            out.push(format!("{at}: {n} > {max}"));
        }
    }
    if let Value::Object(o) = v {
        check_object(doc, schema, o, at, out);
    }
    if let (Some(items), Value::Array(a)) = (schema.get("items"), v) {
        for (i, x) in a.iter().enumerate() {
            check(doc, items, x, &format!("{at}/{i}"), out);
        }
    }
}

fn check_object(
    doc: &Value,
    schema: &Value,
    o: &Map<String, Value>,
    at: &str,
    out: &mut Vec<String>,
) {
    for r in schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let r = r.as_str().unwrap();
        if !o.contains_key(r) {
            out.push(format!("{at}: required property {r} is missing"));
        }
    }
    let properties = schema.get("properties").and_then(Value::as_object);
    let additional = schema.get("additionalProperties");
    for (k, x) in o {
        let here = format!("{at}/{k}");
        match (properties.and_then(|p| p.get(k)), additional) {
            (Some(s), _) => check(doc, s, x, &here, out),
            (None, Some(s @ Value::Object(_))) => check(doc, s, x, &here, out),
            // Every key a wire type writes is declared, even where the
            // schema allows others.
            (None, _) if properties.is_some() => {
                out.push(format!("{at}: property {k} is not in the schema"))
            }
            (None, _) => {}
        }
    }
}

fn assert_fits<T: Serialize>(doc: &Value, schema: &str, value: &T) {
    let v = serde_json::to_value(value).unwrap();
    let mut problems = Vec::new();
    check(
        doc,
        &json!({ "$ref": format!("#/components/schemas/{schema}") }),
        &v,
        schema,
        &mut problems,
    );
    assert!(
        problems.is_empty(),
        "{schema} does not fit its schema:\n{}\n{v:#}",
        problems.join("\n")
    );
}

const NOW: i64 = 1_795_000_000_000;

const PETSTORE: &str = r#"{"openapi": "3.0.3", "info": {"title": "Pets", "version": "1"},
  "servers": [{"url": "https://pets.example.com/v1"}],
  "paths": {"/pets": {"get": {"responses": {"200": {"description": "ok"}}},
                      "post": {"responses": {"201": {"description": "ok"}}}}}}"#;

#[test]
fn example_bodies_fit_the_schemas() {
    let doc = contract();
    let mut s = StoreState::new();
    let c = crate::convert("pets.json", PETSTORE.as_bytes(), &ConvertOptions::default()).unwrap();
    let rec = s.put_specification(
        core::SpecUpload::from_specification(&c.spec, PETSTORE.as_bytes().to_vec()),
        "alice",
        NOW,
    );
    let mut draft = core::ScanDraft::new(core::ScanTarget::specification(&rec, None));
    draft.auth.bearer = Some("t".into());
    draft.auth.basic = Some(("u".into(), "p".into()));
    draft.auth.custom_cookies = vec![("sid".into(), "1".into())];
    draft.auth.client_certificate = Some(crate::ClientCertificate {
        file_name: "client.p12".into(),
        pkcs12_base64: "MIIB".into(),
        passphrase: "pass".into(),
    });
    let new = core::NewAnalysis {
        name: "Pets nightly".into(),
        scans: vec![
            draft,
            core::ScanDraft::new(core::ScanTarget::Url("https://example.com/".into())),
        ],
        schedule: core::Schedule::now(ScanDuration::Days(1)),
        prescan: true,
        permission_certified: true,
        visibility: Default::default(),
    };
    assert_fits(&doc, "NewAnalysis", &NewAnalysis::from(&new));
    let id = s.create(new, "alice", NOW).unwrap().id;
    let scheduled = core::NewAnalysis {
        name: "Pets later".into(),
        scans: vec![core::ScanDraft::new(core::ScanTarget::Url(
            "https://example.org/".into(),
        ))],
        schedule: core::Schedule {
            start: core::Start::At(NOW + 3_600_000),
            duration: ScanDuration::Hours(3),
        },
        prescan: false,
        permission_certified: true,
        visibility: Default::default(),
    };
    let later = s.create(scheduled, "bob", NOW).unwrap().id;
    // Move the first analysis through its whole lifecycle.
    let engine = core::Engine::new(core::EngineConfig::default());
    for step in 0..200 {
        engine.tick(&mut s, NOW + step * 60_000);
    }
    s.analyses[0].has_verification_failures = true;
    for a in &s.analyses {
        assert_fits(&doc, "Analysis", &Analysis::from(a));
    }
    assert_fits(
        &doc,
        "AnalysisList",
        &AnalysisList::from(&s.list(&ListQuery::default())),
    );
    let mut log = s.activity(id).unwrap().to_vec();
    log.push(ActivityEntry::change(
        NOW,
        Actor::System,
        ActivityKind::StatusChanged,
        "Status changed.",
        "In Progress",
        "Completed - Results Available",
    ));
    assert_fits(&doc, "AuditList", &AuditList::of(&log));
    let export: serde_json::Value = serde_json::from_str(&s.export_json(false)).unwrap();
    assert_fits(&doc, "StoreExport", &export);
    assert_fits(
        &doc,
        "ImportResult",
        &ImportResult {
            analysis_ids: vec![id],
            spec_ids: vec![],
            demo_left_out: 2,
        },
    );
    assert_fits(
        &doc,
        "SpecificationList",
        &SpecificationList {
            specifications: vec![SpecRecord::from(&rec)],
        },
    );
    assert_fits(
        &doc,
        "Health",
        &Health {
            status: "ok".into(),
            version: "0.1.0".into(),
            store_version: core::STORE_VERSION,
        },
    );
    let current = s.analysis(later).unwrap();
    let update = core::AnalysisUpdate {
        name: Some("Pets weekly".into()),
        scans: Some(
            current
                .scans
                .iter()
                .map(|x| core::ScanDraft {
                    id: Some(x.id),
                    ..core::ScanDraft::new(x.target.clone())
                })
                .collect(),
        ),
        schedule: Some(core::Schedule {
            start: core::Start::Unscheduled,
            duration: ScanDuration::Hours(720),
        }),
        prescan: Some(true),
        visibility: Some(crate::people::Visibility::SecLeadsAndTeam {
            team_identifiers: vec!["payments".into()],
        }),
    };
    assert_fits(&doc, "AnalysisUpdate", &AnalysisUpdate::from(&update));
    assert_fits(&doc, "AnalysisUpdate", &AnalysisUpdate::default());
    for action in [RunAction::StopSave, RunAction::Resume] {
        assert_fits(&doc, "ActionRequest", &ActionRequest { action });
    }
    assert_fits(&doc, "PrescanRequest", &PrescanRequest::default());
    assert_fits(
        &doc,
        "PrescanRequest",
        &PrescanRequest {
            allow_unsafe_methods: Some(true),
            requests_per_second: Some(0.5),
            max_in_flight: Some(16),
            timeout_ms: Some(120_000),
            user_agent: Some("Team-Scanner/2 (ops@example.com)".into()),
        },
    );
    // A prescan, running and finished.
    let plan =
        crate::prescan::PrescanPlan::new(&c.har, &crate::prescan::PrescanSettings::default());
    let report = crate::prescan::PrescanReport::new(plan, Vec::new(), c.spec.endpoints.len());
    let running = Prescan {
        scan_id: s.analyses[0].scans[0].id,
        state: PrescanState::Running,
        started_on: NOW,
        finished_on: None,
        progress: PrescanProgress {
            done: 0,
            total: report.plan.requests.len(),
        },
        report: Some(report.clone()),
    };
    assert_fits(&doc, "Prescan", &running);
    let mut finished = running.clone();
    finished.state = PrescanState::Finished;
    finished.finished_on = Some(NOW + 5);
    finished.report = None;
    assert_fits(&doc, "Prescan", &finished);
    assert_fits(&doc, "Har", &c.har);
    assert_fits(&doc, "Har", &report.to_har());
    // Notifications: the engine's, on the analysis that ran, and a prescan's.
    let mut sent: Vec<core::Notification> = Vec::new();
    let mut t = Analysis::from(s.analysis(id).unwrap()).last_modified_on;
    for _ in 0..3 {
        t += 1;
        sent.push(
            s.record_prescan(id, false, "2 requests, 0 responses.", "alice", t)
                .unwrap(),
        );
    }
    sent.push(core::Notification {
        kind: core::NotificationKind::ResultsPublished,
        analysis_id: id,
        analysis_name: "Pets nightly".into(),
        at_ms: NOW,
        recipients: core::Recipients::SecurityLeads,
        simulated: true,
        detail: String::new(),
    });
    let list = NotificationList {
        notifications: sent
            .iter()
            .enumerate()
            .map(|(i, n)| NotificationItem::from_core(i as u64 + 1, n))
            .collect(),
        latest_notification_id: sent.len() as u64,
    };
    assert_fits(&doc, "NotificationList", &list);
    assert_fits(
        &doc,
        "NotificationList",
        &NotificationList {
            notifications: Vec::new(),
            latest_notification_id: 0,
        },
    );
    assert_fits(
        &doc,
        "Me",
        &Me {
            user_display_name: "Anonymous".into(),
            roles: crate::people::Role::ALL.to_vec(),
            teams: Vec::new(),
            shareable_teams: Vec::new(),
            email: None,
        },
    );
    assert_fits(
        &doc,
        "Me",
        &Me {
            user_display_name: "Ann Lee".into(),
            roles: vec![crate::people::Role::Creator],
            teams: vec![TeamRef {
                team_identifier: "payments".into(),
                team_name: "Payments".into(),
            }],
            shareable_teams: vec![TeamRef {
                team_identifier: "payments".into(),
                team_name: "Payments".into(),
            }],
            email: Some("ann@example.com".into()),
        },
    );
    // Problems.
    let refusal = s.delete(id).unwrap_err();
    for p in [
        Problem::from(&refusal),
        Problem::from(StoreError::AnalysisNotFound(core::AnalysisId(9))),
        Problem::from(StoreError::SpecificationNotFound(core::SpecId(9))),
        Problem::from(StoreError::Invalid(vec![FieldError {
            field: Field::Schedule,
            message: "Enter a scan duration of at least 1 hour.".into(),
        }])),
        Problem::from(StoreError::Backend("disk".into())),
        Problem::from(parse_list_query("size=0").unwrap_err()),
        Problem::unauthorized(),
        Problem::too_large(1),
        Problem::unsupported_media_type("text/html", "application/json"),
        Problem::conflict("x"),
        Problem::not_found("x"),
    ] {
        assert_fits(&doc, "Problem", &p);
    }
}

#[test]
fn the_validator_catches_mismatches() {
    let doc = contract();
    let mut p = Vec::new();
    let schema = json!({"$ref": "#/components/schemas/Health"});
    check(
        &doc,
        &schema,
        &json!({"status": "ok", "version": "1"}),
        "",
        &mut p,
    );
    check(
        &doc,
        &schema,
        &json!({"status": "ok", "version": "1", "store_version": 1, "x": 1}),
        "",
        &mut p,
    );
    check(
        &doc,
        &json!({"$ref": "#/components/schemas/Start"}),
        &json!({"type": "later"}),
        "",
        &mut p,
    );
    check(
        &doc,
        &json!({"$ref": "#/components/schemas/Duration"}),
        &json!({"unit": "days", "value": 31}),
        "",
        &mut p,
    );
    assert_eq!(p.len(), 4, "{p:#?}");
}
