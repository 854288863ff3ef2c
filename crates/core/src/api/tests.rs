//! Tests of the wire types: codes, conversions both ways, problems, the
//! query string, paths.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::*;
use crate::analysis::{
    self as core, ActivityEntry, ActivityKind, Actor, AnalysisAction, AnalysisStatus, Field,
    FieldError, ListQuery, RunAction, ScanDuration, ScanStatus, SortKey, StoreError, StoreState,
};
use crate::SpecFormat;

const NOW: i64 = 1_795_000_000_000;

fn all_codes_unique_and_round_trip<T: WireCode + std::fmt::Debug>() {
    let codes = T::codes();
    let mut sorted = codes.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), codes.len(), "codes not unique: {codes:?}");
    for v in T::all() {
        let c = v.code();
        assert!(
            !c.is_empty()
                && c.bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_'),
            "{c}"
        );
        assert_eq!(T::from_code(&c), Some(*v), "{c}");
    }
    assert_eq!(T::from_code("NOPE"), None);
}

#[test]
fn codes_are_total_unique_and_round_trip() {
    all_codes_unique_and_round_trip::<AnalysisStatus>();
    all_codes_unique_and_round_trip::<ScanStatus>();
    all_codes_unique_and_round_trip::<AnalysisAction>();
    all_codes_unique_and_round_trip::<RunAction>();
    all_codes_unique_and_round_trip::<ActivityKind>();
    all_codes_unique_and_round_trip::<core::NotificationKind>();
    all_codes_unique_and_round_trip::<SpecFormat>();
    assert_eq!(AnalysisStatus::ALL.len(), AnalysisStatus::codes().len());
    assert_eq!(ScanStatus::ALL.len(), ScanStatus::codes().len());
    assert_eq!(
        AnalysisStatus::CompletedResultsAvailable.code(),
        "COMPLETED_RESULTS_AVAILABLE"
    );
    assert_eq!(
        AnalysisStatus::StoppedScanDurationEndedWithPartialResults.code(),
        "STOPPED_SCAN_DURATION_ENDED_WITH_PARTIAL_RESULTS"
    );
    assert_eq!(
        ScanStatus::KilledVerifyingPartialResults.code(),
        "KILLED_VERIFYING_PARTIAL_RESULTS"
    );
    assert_eq!(AnalysisAction::StopSave.code(), "STOP_SAVE");
    assert_eq!(RunAction::StopDelete.code(), "STOP_DELETE");
    assert_eq!(
        ActivityKind::ScanStatusChanged.code(),
        "SCAN_STATUS_CHANGED"
    );
    assert_eq!(SpecFormat::OpenApi30.code(), "OPEN_API_V3");
    assert_eq!(SpecFormat::Har12.code(), "HAR");
    // Run actions are the analysis actions with an API name.
    for a in RunAction::ALL_FOR_TEST {
        assert_eq!(
            Some(a.code().as_str()),
            AnalysisAction::from(a).api_name(),
            "{a:?}"
        );
    }
}

trait AllForTest {
    const ALL_FOR_TEST: [RunAction; 4];
}
impl AllForTest for RunAction {
    const ALL_FOR_TEST: [RunAction; 4] = [
        RunAction::StopSave,
        RunAction::StopDelete,
        RunAction::Pause,
        RunAction::Resume,
    ];
}

fn spec_upload() -> core::SpecUpload {
    core::SpecUpload {
        file_name: "petstore.yaml".into(),
        title: "Petstore".into(),
        format: SpecFormat::OpenApi30,
        endpoint_count: 3,
        servers: vec!["https://petstore.example.com/v1".into()],
        bytes: b"openapi: 3.0.3".to_vec(),
        others: Vec::new(),
    }
}

/// A store with one specification and one analysis that has credentials
/// and has run.
fn store() -> (StoreState, core::AnalysisId, core::SpecRecord) {
    let mut s = StoreState::new();
    let rec = s.put_specification(spec_upload(), "alice", NOW - 1000);
    let mut draft = core::ScanDraft::new(core::ScanTarget::specification(
        &rec,
        Some("https://staging.example.com/v1".into()),
    ));
    draft.auth.bearer = Some("s3cret".into());
    draft.auth.custom_headers = vec![("X-Team".into(), "blue".into())];
    draft.auth.api_keys = BTreeMap::from([("api_key".into(), "k".into())]);
    let new = core::NewAnalysis {
        name: "Nightly petstore".into(),
        scans: vec![
            draft,
            core::ScanDraft::new(core::ScanTarget::Url("https://example.com/".into())),
        ],
        schedule: core::Schedule::now(ScanDuration::Hours(2)),
        prescan: true,
        permission_certified: true,
        visibility: Default::default(),
    };
    let id = s.create(new, "alice", NOW).unwrap().id;
    (s, id, rec)
}

#[test]
fn analysis_serializes_with_codes_labels_and_no_secrets() {
    let (s, id, rec) = store();
    let a = s.analysis(id).unwrap();
    let wire = Analysis::from(a);
    let v = serde_json::to_value(&wire).unwrap();
    let text = v.to_string();
    assert!(!text.contains("s3cret") && !text.contains("blue"), "{text}");
    assert_eq!(v["analysis_id"], json!(id.0));
    assert_eq!(v["status"], json!(a.status.code()));
    assert_eq!(v["status_label"], json!(a.status.label()));
    assert_eq!(v["created_on"], json!(core::time::format_rfc3339(NOW)));
    assert_eq!(v["schedule"]["start"], json!({"type": "now"}));
    assert_eq!(
        v["schedule"]["duration"],
        json!({"unit": "hours", "value": 2})
    );
    let scan = &v["scans"][0];
    assert_eq!(scan["target"]["type"], "api_specification");
    assert_eq!(scan["target"]["spec_id"], json!(rec.id.0));
    assert_eq!(scan["target"]["format"], "OPEN_API_V3");
    assert_eq!(scan["target"]["server"], "https://staging.example.com/v1");
    assert_eq!(
        scan["auth_configured"],
        json!({"bearer": true, "basic": false, "api_keys": ["api_key"], "custom_headers": ["X-Team"], "custom_cookies": []})
    );
    assert_eq!(
        v["scans"][1]["target"],
        json!({"type": "url", "url": "https://example.com/"})
    );
    assert!(v["runs"].as_array().unwrap().len() == 1);
    assert!(v["runs"][0]["final_status"].is_null());
    // Back: equal to the core analysis except the credentials and the
    // engine's bookkeeping.
    let back: core::Analysis = serde_json::from_value::<Analysis>(v).unwrap().into();
    let mut expected = a.clone();
    for s in &mut expected.scans {
        s.auth = crate::ScanAuth::default();
    }
    for r in &mut expected.runs {
        r.outcome = core::Outcome::Succeeds;
        r.since_ms = r.ended_ms.or(r.started_ms).unwrap_or(r.submitted_ms);
        r.next_step_ms = None;
        r.paused_remaining_ms = None;
    }
    assert_eq!(back, expected);
    let mut again = Analysis::from(&back);
    again.scans[0].auth_configured = wire.scans[0].auth_configured.clone();
    assert_eq!(again, wire);
}

#[test]
fn summaries_and_pages_round_trip() {
    let (mut s, id, _) = store();
    let now = NOW + 10;
    s.analyses[0].status = AnalysisStatus::InProgress;
    s.analyses[0].has_verification_failures = true;
    let page = s.list(&ListQuery::default());
    let wire = AnalysisList::from(&page);
    let v = serde_json::to_value(&wire).unwrap();
    assert_eq!(
        v["page"],
        json!({"number": 0, "size": 20, "total_elements": 1, "total_pages": 1})
    );
    let row = &v["analyses"][0];
    assert_eq!(row["analysis_id"], json!(id.0));
    assert_eq!(row["status"], "IN_PROGRESS");
    assert_eq!(row["veracode_status"], "IN_PROGRESS_WITH_WARNING");
    assert_eq!(row["number_of_scans"], 2);
    assert!(row["next_occurrence_date_time"].is_null());
    assert_eq!(row["actions"], json!(["STOP_SAVE", "STOP_DELETE", "PAUSE"]));
    let back: core::Page<core::AnalysisSummary> =
        serde_json::from_value::<AnalysisList>(v).unwrap().into();
    assert_eq!(back, page);
    let _ = now;
}

#[test]
fn spec_records_and_audits_round_trip() {
    let (s, id, rec) = store();
    let wire = SpecRecord::from(&rec);
    let v = serde_json::to_value(&wire).unwrap();
    assert_eq!(v["spec_type"], "OPEN_API_V3");
    assert_eq!(
        v["servers"],
        json!([{"url": "https://petstore.example.com/v1"}])
    );
    assert_eq!(v["uploaded_by_user"], "alice");
    let back: core::SpecRecord = serde_json::from_value::<SpecRecord>(v).unwrap().into();
    assert_eq!(back, rec);

    let log = s.activity(id).unwrap();
    assert!(!log.is_empty());
    let list = AuditList::of(log);
    let v = serde_json::to_value(&list).unwrap();
    assert_eq!(v["audits"][0]["event_type"], "CREATED");
    assert_eq!(v["audits"][0]["user_display_name"], "alice");
    assert_eq!(v["audits"][0]["system"], false);
    assert!(v["audits"][0]["old_value"].is_null());
    let back: Vec<ActivityEntry> = serde_json::from_value::<AuditList>(v)
        .unwrap()
        .audits
        .into_iter()
        .map(ActivityEntry::from)
        .collect();
    assert_eq!(back, log);
    let system =
        ActivityEntry::change(5, Actor::System, ActivityKind::StatusChanged, "x", "a", "b");
    let a = Audit::from(&system);
    assert!(a.system && a.user_display_name.is_none());
    assert_eq!(ActivityEntry::from(a), system);
}

#[test]
fn new_analysis_into_core_looks_up_specs() {
    let (_, _, rec) = store();
    let body = json!({
        "name": "Weekly",
        "scans": [
            {"target": {"type": "api_specification", "spec_id": rec.id.0, "server": "https://x.example.com"},
             "auth": {"bearer": "t", "basic": {"user_name": "u", "password": "p"},
                      "api_keys": {"k": "v"}, "custom_headers": [{"name": "X-A", "value": "1"}],
                      "custom_cookies": [{"name": "c", "value": "2"}]}},
            {"target": {"type": "url", "url": "https://example.com"}}
        ],
        "schedule": {"start": {"type": "at", "date_time": "2026-11-22T04:45:00Z"}, "duration": {"unit": "days", "value": 3}},
        "prescan": false,
        "permission_certified": true
    });
    let wire: NewAnalysis = serde_json::from_value(body.clone()).unwrap();
    let lookup = |id| (id == rec.id).then(|| rec.clone());
    let new = wire.clone().into_core(lookup).unwrap();
    let core::ScanTarget::ApiSpecification(spec) = &new.scans[0].target else {
        panic!()
    };
    assert_eq!(spec.file_name, "petstore.yaml");
    assert_eq!(spec.endpoint_count, 3);
    assert_eq!(spec.server.as_deref(), Some("https://x.example.com"));
    let auth = &new.scans[0].auth;
    assert_eq!(auth.bearer.as_deref(), Some("t"));
    assert_eq!(auth.basic, Some(("u".into(), "p".into())));
    assert_eq!(auth.custom_headers, vec![("X-A".into(), "1".into())]);
    assert_eq!(auth.custom_cookies, vec![("c".into(), "2".into())]);
    assert!(new.scans[1].auth.is_empty());
    assert_eq!(
        new.schedule,
        core::Schedule {
            start: core::Start::At(core::time::parse_rfc3339("2026-11-22T04:45:00Z").unwrap()),
            duration: ScanDuration::Days(3)
        }
    );
    // Client side: the core form back to the wire is the same body.
    assert_eq!(NewAnalysis::from(&new), wire);

    let unknown = wire.clone().into_core(|_| None).unwrap_err();
    assert_eq!(unknown.len(), 1);
    assert_eq!(unknown[0].field, Field::Scans);
    assert!(unknown[0].message.contains("No specification has the id"));

    let mut bad_header = body.clone();
    bad_header["scans"][0]["auth"]["custom_headers"][0]["name"] = json!("Host");
    let e = serde_json::from_value::<NewAnalysis>(bad_header)
        .unwrap()
        .into_core(lookup)
        .unwrap_err();
    assert_eq!(e[0].field, Field::Scans);
}

#[test]
fn request_bodies_reject_unknown_fields() {
    let ok = json!({
        "name": "Weekly scan",
        "scans": [{"target": {"type": "url", "url": "https://example.com"}}],
        "schedule": {"start": {"type": "now"}, "duration": {"unit": "hours", "value": 1}},
        "prescan": false,
        "permission_certified": true
    });
    assert!(serde_json::from_value::<NewAnalysis>(ok.clone()).is_ok());
    let pointers = [
        "",
        "/scans/0",
        "/scans/0/target",
        "/schedule",
        "/schedule/start",
        "/schedule/duration",
    ];
    for p in pointers {
        let mut v = ok.clone();
        v.pointer_mut(p)
            .unwrap()
            .as_object_mut()
            .unwrap()
            .insert("extra".into(), json!(1));
        assert!(
            serde_json::from_value::<NewAnalysis>(v).is_err(),
            "unknown field accepted at {p:?}"
        );
    }
    let mut at = ok.clone();
    at["schedule"]["start"] = json!({"type": "at", "date_time": "2026-11-22T04:45:00Z", "x": 1});
    assert!(serde_json::from_value::<NewAnalysis>(at).is_err());
    let mut spec = ok.clone();
    spec["scans"][0]["target"] =
        json!({"type": "api_specification", "spec_id": 1, "file_name": "x"});
    assert!(serde_json::from_value::<NewAnalysis>(spec).is_err());
    for bad in [
        json!({"bearer": "x", "other": 1}),
        json!({"basic": {"user_name": "u", "password": "p", "x": 1}}),
        json!({"custom_headers": [{"name": "a", "value": "b", "c": 1}]}),
    ] {
        assert!(
            serde_json::from_value::<ScanAuth>(bad.clone()).is_err(),
            "{bad}"
        );
    }
    assert!(serde_json::from_value::<AnalysisUpdate>(json!({"nope": 1})).is_err());
    assert_eq!(
        serde_json::from_value::<AnalysisUpdate>(json!({})).unwrap(),
        AnalysisUpdate::default()
    );
    assert!(serde_json::from_value::<ActionRequest>(json!({"action": "PAUSE", "x": 1})).is_err());
    assert!(serde_json::from_value::<ActionRequest>(json!({"action": "CONFIGURE"})).is_err());
    assert_eq!(
        serde_json::from_value::<ActionRequest>(json!({"action": "STOP_SAVE"}))
            .unwrap()
            .action,
        RunAction::StopSave
    );
    assert!(serde_json::from_value::<PrescanRequest>(json!({"x": 1})).is_err());
    // Bad times, codes and types are errors.
    let mut bad_time = ok.clone();
    bad_time["schedule"]["start"] = json!({"type": "at", "date_time": "tomorrow"});
    assert!(serde_json::from_value::<NewAnalysis>(bad_time).is_err());
    let mut bad_unit = ok;
    bad_unit["schedule"]["duration"]["unit"] = json!("weeks");
    assert!(serde_json::from_value::<NewAnalysis>(bad_unit).is_err());
}

#[test]
fn update_keeps_stored_credentials_of_kept_scans() {
    let (s, id, rec) = store();
    let current = s.analysis(id).unwrap().clone();
    let kept = current.scans[0].id;
    let url_scan = current.scans[1].id;
    let body = json!({
        "name": "Renamed analysis",
        "scans": [
            {"scan_id": kept.0, "target": {"type": "api_specification", "spec_id": rec.id.0, "server": "https://staging.example.com/v1"}},
            {"scan_id": url_scan.0, "target": {"type": "url", "url": "https://example.com/"}, "auth": {"bearer": "new"}},
            {"target": {"type": "url", "url": "https://example.org/"}}
        ]
    });
    let update: AnalysisUpdate = serde_json::from_value(body).unwrap();
    let lookup = |i| (i == rec.id).then(|| rec.clone());
    let core = update.into_core(&current, lookup).unwrap();
    let scans = core.scans.unwrap();
    assert_eq!(scans[0].auth, current.scans[0].auth);
    assert_eq!(scans[0].auth.bearer.as_deref(), Some("s3cret"));
    assert_eq!(scans[1].auth.bearer.as_deref(), Some("new"));
    assert!(scans[2].auth.is_empty() && scans[2].id.is_none());
    assert_eq!(core.name.as_deref(), Some("Renamed analysis"));
    assert!(core.schedule.is_none() && core.prescan.is_none());

    // Client side: a kept scan with no credentials in hand is sent without
    // `auth` (keep); new credentials are sent.
    let client = AnalysisUpdate::from(&core::AnalysisUpdate {
        scans: Some(vec![
            core::ScanDraft {
                id: Some(kept),
                ..core::ScanDraft::new(core::ScanTarget::Url("https://a.example".into()))
            },
            core::ScanDraft {
                id: Some(url_scan),
                auth: crate::ScanAuth {
                    bearer: Some("b".into()),
                    ..Default::default()
                },
                ..core::ScanDraft::new(core::ScanTarget::Url("https://b.example".into()))
            },
        ]),
        ..Default::default()
    });
    let v = serde_json::to_value(&client).unwrap();
    assert_eq!(
        v,
        json!({"scans": [
            {"scan_id": kept.0, "target": {"type": "url", "url": "https://a.example"}, "scope": [], "values": []},
            {"scan_id": url_scan.0, "target": {"type": "url", "url": "https://b.example"}, "auth": {"bearer": "b"}, "scope": [], "values": []}
        ]})
    );
}

#[test]
fn scope_and_values_cross_the_wire() {
    let (s, id, rec) = store();
    let current = s.analysis(id).unwrap().clone();
    let kept = current.scans[0].id;
    let body = json!({
        "scans": [
            {"scan_id": kept.0, "target": {"type": "api_specification", "spec_id": rec.id.0}, "auth": {},
             "scope": [
                {"select": {"type": "tag", "tag": "admin"}, "decision": "EXCLUDE"},
                {"select": {"type": "method", "method": "DELETE"}, "decision": "EXCLUDE"},
                {"select": {"type": "path", "pattern": "/internal/**"}, "decision": "EXCLUDE"},
                {"select": {"type": "endpoint", "method": "GET", "path": "/admin/health"}, "decision": "INCLUDE"}
             ],
             "values": [{"name": "petId", "value": "42"}, {"name": "id", "operation": "GET /orders/{id}", "location": "path", "value": "1001"}]}
        ]
    });
    let lookup = |i| (i == rec.id).then(|| rec.clone());
    let update: AnalysisUpdate = serde_json::from_value(body.clone()).unwrap();
    let scans = update.into_core(&current, lookup).unwrap().scans.unwrap();
    let scope = &scans[0].scope;
    assert_eq!(
        scope.summary(),
        "4 rules: Exclude tag admin; Exclude method DELETE; Exclude path /internal/**; Include GET /admin/health"
    );
    assert_eq!(scans[0].values.entries.len(), 2);

    // Returned as given (methods in upper case).
    let mut stored = current.scans[0].clone();
    stored.scope = scope.clone();
    stored.values = scans[0].values.clone();
    let wire = Scan::from(&stored);
    let v = serde_json::to_value(&wire).unwrap();
    assert_eq!(
        v["scope"][1],
        json!({"select": {"type": "method", "method": "DELETE"}, "decision": "EXCLUDE"})
    );
    assert_eq!(v["values"][1]["operation"], json!("GET /orders/{id}"));
    assert_eq!(core::Scan::from(wire).scope, stored.scope);

    // Absent on a kept scan: the stored ones stay.
    let mut with_scope = current.clone();
    with_scope.scans[0] = stored.clone();
    let keep: AnalysisUpdate = serde_json::from_value(json!({
        "scans": [{"scan_id": kept.0, "target": {"type": "api_specification", "spec_id": rec.id.0}, "auth": {}}]
    }))
    .unwrap();
    let scans = keep.into_core(&with_scope, lookup).unwrap().scans.unwrap();
    assert_eq!(scans[0].scope, stored.scope);
    assert_eq!(scans[0].values, stored.values);

    // A method prescan does not send, an unknown decision or field: refused.
    let mut bad = body.clone();
    bad["scans"][0]["scope"][1]["select"]["method"] = json!("BREW");
    let e = serde_json::from_value::<AnalysisUpdate>(bad)
        .unwrap()
        .into_core(&current, lookup)
        .unwrap_err();
    assert!(
        e[0].message
            .starts_with("Scope rule 2: `BREW` is not a method"),
        "{e:?}"
    );
    let mut lower = body.clone();
    lower["scans"][0]["scope"][1]["select"]["method"] = json!("delete");
    let e = serde_json::from_value::<AnalysisUpdate>(lower)
        .unwrap()
        .into_core(&current, lookup)
        .unwrap_err();
    assert!(e[0].message.contains("in upper case (DELETE)"), "{e:?}");
    for (pointer, value) in [
        ("/scans/0/scope/0/decision", json!("SKIP")),
        ("/scans/0/scope/0/select/type", json!("operation_id")),
        ("/scans/0/scope/0/select/extra", json!(1)),
        ("/scans/0/values/0/extra", json!(1)),
    ] {
        let mut bad = body.clone();
        let (parent, key) = pointer.rsplit_once('/').unwrap();
        bad.pointer_mut(parent).unwrap()[key] = value;
        assert!(
            serde_json::from_value::<AnalysisUpdate>(bad).is_err(),
            "{pointer}"
        );
    }
}

#[test]
fn the_store_accepts_converted_requests() {
    let (mut s, id, rec) = store();
    let wire = NewAnalysis {
        name: "Second analysis".into(),
        scans: vec![ScanDraft {
            scan_id: None,
            target: TargetDraft::ApiSpecification {
                spec_id: rec.id,
                server: None,
            },
            auth: None,
            scope: None,
            values: None,
        }],
        schedule: Schedule {
            start: Start::Unscheduled {},
            duration: Duration {
                unit: DurationUnit::Days,
                value: 1,
            },
        },
        prescan: false,
        permission_certified: true,
        visibility: Default::default(),
    };
    let lookup = |i| s.specification(i).ok().map(|x| x.record.clone());
    let new = wire.into_core(lookup).unwrap();
    let created = s.create(new, "bob", NOW).unwrap().clone();
    assert_eq!(created.status, AnalysisStatus::SavedForLater);
    let update = AnalysisUpdate {
        prescan: Some(true),
        ..Default::default()
    };
    let lookup = |i| s.specification(i).ok().map(|x| x.record.clone());
    let change = update.into_core(&created, lookup).unwrap();
    assert!(s.update(created.id, change, "bob", NOW).unwrap().prescan);
    assert_ne!(created.id, id);
}

#[test]
fn problems_from_store_errors() {
    let (mut s, id, _) = store();
    // 404
    let e = s.delete(core::AnalysisId(999)).unwrap_err();
    let p = Problem::from(&e);
    assert_eq!(p.status, 404);
    assert_eq!(p.to_store_error(), e);
    let e = StoreError::SpecificationNotFound(core::SpecId(7));
    assert_eq!(Problem::from(&e).to_store_error(), e);
    // 409: the analysis has run.
    let e = s.delete(id).unwrap_err();
    let p = Problem::from(&e);
    assert_eq!(p.status, 409);
    assert_eq!(p.detail, e.to_string());
    let v = serde_json::to_value(&p).unwrap();
    assert_eq!(v["action"], "DELETE");
    assert_eq!(v["type"], "urn:prescan:problem:refused");
    assert!(v.get("errors").is_none());
    let back: Problem = serde_json::from_value(v).unwrap();
    assert_eq!(back.to_store_error(), e);
    // 422
    let e = StoreError::Invalid(vec![
        FieldError {
            field: Field::Name,
            message: "Enter a name.".into(),
        },
        FieldError {
            field: Field::Certification,
            message: "Certify.".into(),
        },
    ]);
    let p = Problem::from(&e);
    assert_eq!(p.status, 422);
    let v = serde_json::to_value(&p).unwrap();
    assert_eq!(
        v["errors"][1],
        json!({"field": "certification", "message": "Certify."})
    );
    assert_eq!(p.to_store_error(), e);
    assert_eq!(p.to_string(), "Enter a name. Certify.");
    // 500
    let p = Problem::from(StoreError::Backend("disk full".into()));
    assert_eq!(p.status, 500);
    assert_eq!(p.to_store_error(), StoreError::Backend("disk full".into()));
    // A foreign problem reads, and shows something.
    let p: Problem = serde_json::from_value(json!({"status": 502})).unwrap();
    assert_eq!(p.problem_type, "about:blank");
    assert_eq!(p.to_string(), "The server answered with status 502.");
    let p = Problem::bad_request(Some("size"), "The parameter size must be …");
    assert_eq!(p.errors[0].field, "size");
    assert_eq!(p.to_string(), "The parameter size must be …");
    for p in [
        Problem::unauthorized(),
        Problem::not_found("x"),
        Problem::method_not_allowed("PUT"),
        Problem::conflict("x"),
        Problem::too_large(10),
        Problem::unsupported_media_type("", "application/json"),
        Problem::internal("x"),
    ] {
        assert!(p.slug().is_some() && !p.detail.is_empty() && p.status >= 400);
    }
}

#[test]
fn list_query_string_round_trips() {
    let cases = [
        ListQuery::default(),
        ListQuery {
            find: "pet store & co/ü+%".into(),
            status: Some(AnalysisStatus::CompletedResultsAvailable),
            sort: SortKey::NextRun,
            descending: true,
            page: 3,
            size: 100,
        },
        ListQuery {
            sort: SortKey::LastRun,
            size: 1,
            ..ListQuery::default()
        },
        ListQuery {
            sort: SortKey::Status,
            ..ListQuery::default()
        },
    ];
    for q in cases {
        let s = list_query_string(&q);
        assert_eq!(parse_list_query(&s).unwrap(), q, "{s}");
    }
    assert_eq!(list_query_string(&ListQuery::default()), "");
    let q = ListQuery {
        find: "a b".into(),
        status: Some(AnalysisStatus::InProgress),
        ..ListQuery::default()
    };
    assert_eq!(list_query_string(&q), "?name=a%20b&status=IN_PROGRESS");
    assert_eq!(
        analyses_list_path(&q),
        "/api/v1/analyses?name=a%20b&status=IN_PROGRESS"
    );
    assert_eq!(parse_list_query("name=a+b").unwrap().find, "a b");
    assert_eq!(parse_list_query("other=1&size=5").unwrap().size, 5);
    for (query, param) in [
        ("size=0", "size"),
        ("size=101", "size"),
        ("size=-1", "size"),
        ("size=", "size"),
        ("size=2.5", "size"),
        ("page=-1", "page"),
        ("page=99999999999999999999999", "page"),
        ("status=In%20Progress", "status"),
        ("status=", "status"),
        ("sort=created", "sort"),
        ("direction=up", "direction"),
        ("name=%ZZ", "name"),
        ("name=%FF", "name"),
        ("name=%+1", "name"),
        ("page=1&page=2", "page"),
    ] {
        let e = parse_list_query(query).unwrap_err();
        assert_eq!(e.parameter, param, "{query}");
        let p = Problem::from(e);
        assert_eq!(p.status, 400);
        assert_eq!(p.errors[0].field, param);
    }
    let long = "x".repeat(257);
    assert_eq!(
        parse_list_query(&format!("name={long}"))
            .unwrap_err()
            .parameter,
        "name"
    );
    assert!(parse_list_query(&format!("name={}", "é".repeat(256))).is_ok());
}

#[test]
fn paths() {
    let a = core::AnalysisId(12);
    assert_eq!(health_path(), "/api/v1/health");
    assert_eq!(openapi_path(), "/api/v1/openapi.json");
    assert_eq!(analyses_path(), "/api/v1/analyses");
    assert_eq!(analysis_path(a), "/api/v1/analyses/12");
    assert_eq!(analysis_actions_path(a), "/api/v1/analyses/12/actions");
    assert_eq!(analysis_audits_path(a), "/api/v1/analyses/12/audits");
    assert_eq!(specifications_path(), "/api/v1/specifications");
    assert_eq!(
        specification_upload_path("my spec.yaml"),
        "/api/v1/specifications?file_name=my%20spec.yaml"
    );
    let sp = core::SpecId(3);
    assert_eq!(specification_path(sp), "/api/v1/specifications/3");
    assert_eq!(
        specification_original_path(sp),
        "/api/v1/specifications/3/original"
    );
    assert_eq!(
        specification_har_path(sp, None),
        "/api/v1/specifications/3/har"
    );
    assert_eq!(
        specification_har_path(sp, Some("https://a.b/v1?x=1")),
        "/api/v1/specifications/3/har?server=https%3A%2F%2Fa.b%2Fv1%3Fx%3D1"
    );
    let sc = core::ScanId(4);
    assert_eq!(scan_prescan_path(sc), "/api/v1/scans/4/prescan");
    assert_eq!(scan_prescan_har_path(sc), "/api/v1/scans/4/prescan/har");
    // Each builder fills its route template.
    for (route, path) in [
        (routes::ANALYSIS, analysis_path(a)),
        (routes::ANALYSIS_ACTIONS, analysis_actions_path(a)),
        (routes::ANALYSIS_AUDITS, analysis_audits_path(a)),
        (routes::SPECIFICATION, specification_path(sp)),
        (
            routes::SPECIFICATION_ORIGINAL,
            specification_original_path(sp),
        ),
        (routes::SPECIFICATION_HAR, specification_har_path(sp, None)),
        (
            format!("{}?name=schemas%2Fpet.yaml", routes::SPECIFICATION_FILE).leak(),
            specification_file_path(sp, "schemas/pet.yaml"),
        ),
        (routes::SCAN_PRESCAN, scan_prescan_path(sc)),
        (routes::SCAN_PRESCAN_HAR, scan_prescan_har_path(sc)),
    ] {
        let filled = route
            .replace("{analysis_id}", "12")
            .replace("{spec_id}", "3")
            .replace("{scan_id}", "4");
        assert_eq!(filled, path);
    }
    assert_eq!(
        percent_decode(&percent_encode("a/b c?é")).unwrap(),
        "a/b c?é"
    );
}

#[test]
fn prescan_request_settings() {
    let r: PrescanRequest = serde_json::from_value(json!({})).unwrap();
    let s = r.settings(Some("https://a.example".into())).unwrap();
    assert_eq!(
        s,
        crate::prescan::PrescanSettings {
            base_url: Some("https://a.example".into()),
            ..Default::default()
        }
    );
    let r: PrescanRequest = serde_json::from_value(json!({
        "allow_unsafe_methods": true, "requests_per_second": 2.5, "max_in_flight": 2, "timeout_ms": 500
    }))
    .unwrap();
    let s = r.settings(None).unwrap();
    assert!(s.allow_unsafe_methods);
    assert_eq!(s.requests_per_second, Some(2.5));
    assert_eq!((s.max_in_flight, s.timeout_ms), (2, 500));
    let r = PrescanRequest {
        requests_per_second: Some(0.0),
        max_in_flight: Some(17),
        timeout_ms: Some(0),
        ..Default::default()
    };
    let e = r.settings(None).unwrap_err();
    let fields: Vec<&str> = e.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(
        fields,
        ["requests_per_second", "max_in_flight", "timeout_ms"]
    );
}

#[test]
fn health_body() {
    let v: Value = serde_json::to_value(Health {
        status: "ok".into(),
        version: "0.1.0".into(),
        store_version: core::STORE_VERSION,
    })
    .unwrap();
    assert_eq!(
        v,
        json!({"status": "ok", "version": "0.1.0", "store_version": 1})
    );
}

#[test]
fn prescan_reports_are_returned_without_credentials() {
    const SPEC: &str = r#"{"openapi": "3.0.3", "info": {"title": "Pets", "version": "1"},
      "servers": [{"url": "https://pets.example.com/v1"}],
      "components": {"securitySchemes": {"key": {"type": "apiKey", "in": "query", "name": "k"},
                                         "basic": {"type": "http", "scheme": "basic"}}},
      "security": [{"key": [], "basic": []}],
      "paths": {"/pets": {"get": {"responses": {"200": {"description": "ok"}}}}}}"#;
    let auth = crate::ScanAuth {
        custom_headers: vec![("X-Token".into(), "header-secret".into())],
        custom_cookies: vec![("sid".into(), "cookie-secret".into())],
        basic: Some(("user".into(), "basic-secret".into())),
        api_keys: BTreeMap::from([("key".into(), "key secret/1".into())]),
        bearer: None,
        ..Default::default()
    };
    let options = crate::ConvertOptions {
        auth: auth.clone(),
        ..Default::default()
    };
    let c = crate::convert("pets.json", SPEC.as_bytes(), &options).unwrap();
    let plan = crate::prescan::PrescanPlan::new(&c.har, &Default::default());
    let report = crate::prescan::PrescanReport::new(plan, Vec::new(), 1);
    let before = serde_json::to_string(&report).unwrap();
    let basic = crate::encode::base64(b"user:basic-secret");
    assert!(
        before.contains("header-secret") && before.contains(&basic),
        "{before}"
    );
    let redacted = redact_report(&report, &auth);
    let after = serde_json::to_string(&redacted).unwrap();
    let har = serde_json::to_string(&redacted.to_har()).unwrap();
    for secret in [
        "header-secret",
        "cookie-secret",
        "basic-secret",
        basic.as_str(),
        "key secret/1",
        "key%20secret%2F1",
    ] {
        assert!(
            !after.contains(secret) && !har.contains(secret),
            "{secret} in {after}"
        );
    }
    assert!(after.contains(REDACTED));
    assert!(redacted.plan.requests[0].url.ends_with("?k=***"));
    assert_eq!(redacted.rows().len(), report.rows().len());
    assert_eq!(redacted.status(), report.status());
    assert_eq!(redact_report(&report, &crate::ScanAuth::default()), report);
    // Short secrets are replaced only where a whole string is the secret.
    let mut v = json!({"a": "ab", "b": "xaby", "c": ["ab"]});
    redact_json(&mut v, &["ab".to_string()]);
    assert_eq!(v, json!({"a": "***", "b": "xaby", "c": ["***"]}));
}

#[test]
fn notification_item_round_trips_to_the_core() {
    use crate::analysis::{Notification, NotificationKind, Recipients};
    use crate::api;
    for (kind, recipients) in [
        (
            NotificationKind::PrescanFailed,
            Recipients::ScheduleOwner("Ada".to_string()),
        ),
        (
            NotificationKind::ResultsPublished,
            Recipients::SecurityLeads,
        ),
    ] {
        let n = Notification {
            kind,
            analysis_id: crate::analysis::AnalysisId(7),
            analysis_name: "Nightly".to_string(),
            at_ms: 1_795_000_000_000,
            recipients,
            simulated: false,
            detail: "1 of 2 scans failed verification.".to_string(),
        };
        let item = api::NotificationItem::from_core(3, &n);
        assert_eq!(item.message, n.message());
        assert_eq!(item.failure, kind.is_failure());
        assert_eq!(item.subject, kind.subject());
        let json = serde_json::to_value(&item).unwrap();
        assert_eq!(json["kind"], kind.code());
        let back: api::NotificationItem = serde_json::from_value(json).unwrap();
        assert_eq!(back, item);
        assert_eq!(Notification::from(back), n);
    }
    assert_eq!(api::notifications_path(0), "/api/v1/notifications?after=0");
    assert_eq!(
        api::notifications_path(42),
        "/api/v1/notifications?after=42"
    );
    assert_eq!(
        NotificationKind::ResultsPublished.code(),
        "RESULTS_PUBLISHED"
    );
}

#[test]
fn a_kept_scan_moving_to_another_origin_needs_its_credentials_again() {
    let (s, id, rec) = store();
    let current = s.analysis(id).unwrap().clone();
    let kept = current.scans[0].id;
    let lookup = |i| (i == rec.id).then(|| rec.clone());
    let moved = |auth: Option<Value>| {
        let mut scan = json!({"scan_id": kept.0, "target": {"type": "api_specification", "spec_id": rec.id.0, "server": "https://evil.example.net/v1"}});
        if let Some(a) = auth {
            scan["auth"] = a;
        }
        serde_json::from_value::<AnalysisUpdate>(json!({ "scans": [scan] })).unwrap()
    };
    // Without auth: refused, naming both origins.
    let errors = moved(None).into_core(&current, lookup).unwrap_err();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].field, Field::Scans);
    for needle in [
        "https://staging.example.com",
        "https://evil.example.net",
        "auth",
    ] {
        assert!(errors[0].message.contains(needle), "{}", errors[0].message);
    }
    // `auth: {}`: moved without credentials.
    let cleared = moved(Some(json!({}))).into_core(&current, lookup).unwrap();
    let scans = cleared.scans.unwrap();
    assert!(scans[0].auth.is_empty() && scans[0].auth_entered);
    // New credentials for the new origin: entered for it.
    let fresh = moved(Some(json!({"bearer": "for-evil"})))
        .into_core(&current, lookup)
        .unwrap();
    let scans = fresh.scans.unwrap();
    assert!(scans[0].auth_entered);
    assert_eq!(scans[0].auth.bearer.as_deref(), Some("for-evil"));
    // Same origin, another base path: the stored credentials stay.
    let same = serde_json::from_value::<AnalysisUpdate>(json!({"scans": [
        {"scan_id": kept.0, "target": {"type": "api_specification", "spec_id": rec.id.0, "server": "https://staging.example.com/v2"}}
    ]}))
    .unwrap()
    .into_core(&current, lookup)
    .unwrap();
    let scans = same.scans.unwrap();
    assert_eq!(scans[0].auth.bearer.as_deref(), Some("s3cret"));
    assert!(!scans[0].auth_entered);
}

#[test]
fn a_client_certificate_is_named_never_returned_and_bounded() {
    let mut s = StoreState::new();
    let rec = s.put_specification(spec_upload(), "alice", NOW - 1000);
    let cert = crate::ClientCertificate {
        file_name: "client.p12".into(),
        pkcs12_base64: "c2VjcmV0LWJ5dGVz".into(),
        passphrase: "pass-phrase-9".into(),
    };
    let mut draft = core::ScanDraft::new(core::ScanTarget::specification(&rec, None));
    draft.auth.client_certificate = Some(cert.clone());
    let new = core::NewAnalysis {
        name: "Nightly petstore".into(),
        scans: vec![draft],
        schedule: core::Schedule::now(ScanDuration::Hours(2)),
        prescan: true,
        permission_certified: true,
        visibility: Default::default(),
    };
    // The request carries it; the response only names it.
    let sent = serde_json::to_string(&NewAnalysis::from(&new)).unwrap();
    assert!(sent.contains("c2VjcmV0LWJ5dGVz") && sent.contains("pass-phrase-9"));
    let id = s.create(new, "alice", NOW).unwrap().id;
    let v = serde_json::to_value(Analysis::from(s.analysis(id).unwrap())).unwrap();
    let text = v.to_string();
    assert!(
        !text.contains("c2VjcmV0LWJ5dGVz") && !text.contains("pass-phrase-9"),
        "{text}"
    );
    assert_eq!(
        v["scans"][0]["auth_configured"]["client_certificate"],
        "client.p12"
    );
    let wire = ClientCertificate {
        file_name: "client.p12".into(),
        pkcs12_base64: "c2VjcmV0LWJ5dGVz".into(),
        passphrase: "pass-phrase-9".into(),
    };
    let shown = format!("{wire:?}");
    assert!(
        !shown.contains("pass-phrase-9") && !shown.contains("c2Vj"),
        "{shown}"
    );
    // Over 64 KiB: refused when the request is read, naming the scans.
    let big: NewAnalysis = serde_json::from_value(json!({
        "name": "Too big a certificate",
        "scans": [{"target": {"type": "api_specification", "spec_id": rec.id.0},
                   "auth": {"client_certificate": {"file_name": "big.p12",
                            "pkcs12_base64": "QUJD".repeat(22_000), "passphrase": "x"}}}],
        "schedule": {"start": {"type": "now"}, "duration": {"unit": "hours", "value": 1}},
        "prescan": true, "permission_certified": true
    }))
    .unwrap();
    let errors = big
        .into_core(|id| (id == rec.id).then(|| rec.clone()))
        .unwrap_err();
    assert!(errors[0].message.contains("at most 64 KiB"), "{errors:?}");
}
