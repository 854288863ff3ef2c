//! The Dynamic Analyses model: statuses, lifecycle, store rules, activity
//! log, engine, import/export and demo data.

use prescan_core::analysis::*;
use prescan_core::{ScanAuth, SpecFormat};
use std::collections::{BTreeSet, HashSet};

const T0: i64 = 1_750_000_000_000;
const USER: &str = "Ada Lovelace";

const SEED_ANALYSIS_LABELS: &[&str] = &[
    "Completed - Verifying Results",
    "Completed - Verifying Partial Results",
    "Completed - Partial Results Available",
    "Completed - Results Available",
    "In Progress",
    "Not Submitted",
    "Prescanning",
    "Queued",
    "Scheduled",
    "Stopped - Deleting Results",
    "Stopped - Saving Results",
    "Stopped - Scan Duration Ended",
    "Stopped - Scan Duration Ended With Partial Results",
    "Stopped - Technical Issue",
    "Stopped - Verifying Results",
    "Stopped - Verifying Partial Results",
    "Stopped - Partial Results Available",
    "Time Expired - Verifying Partial Results",
    "Submitted",
    "All Verifications Failed",
    "Published - Results Available",
    "Saved for Later",
];

const SEED_SCAN_LABELS: &[&str] = &[
    "Submit Failed",
    "Scheduled",
    "Submitted",
    "In Progress",
    "Verification Failed",
    "Queued with warning",
    "Queued",
    "Stopping - Saving Results",
    "Stopping - Deleting Results",
    "Stopped",
    "Site unreachable - Stopped",
    "Site unreachable - Verifying Results",
    "Site unreachable - Results Available",
    "Time Expired - Stopped",
    "Technical Issue - Stopped",
    "Time Expired - Verifying Partial Results",
    "Time Expired - Partial Results Available",
    "Pausing",
    "Resuming",
    "Stopped - Verifying Partial Results",
    "Stopped - Partial Results Available",
    "Scan Error - Verifying Partial Results",
    "Scan Error - Partial Results Available",
    "Killed - Verifying Partial Results",
    "Killed - Partial Results Available",
    "Lockout - Verifying Partial Results",
    "Lockout - Partial Results Available",
    "Completed - Verifying Results",
    "Completed - Results Available",
    "Crawl Script Error",
    "Authentication Error",
    "Connection Error",
];

// ---------------------------------------------------------------- statuses

#[test]
fn every_seed_label_is_a_status_written_exactly() {
    for label in SEED_ANALYSIS_LABELS {
        let s =
            AnalysisStatus::from_label(label).unwrap_or_else(|| panic!("analysis status {label}"));
        assert_eq!(s.label(), *label);
    }
    for label in SEED_SCAN_LABELS {
        let s = ScanStatus::from_label(label).unwrap_or_else(|| panic!("scan status {label}"));
        assert_eq!(s.label(), *label);
    }
}

#[test]
fn status_tables_are_consistent() {
    for (i, s) in AnalysisStatus::ALL.iter().enumerate() {
        assert_eq!(*s as usize, i);
        assert_eq!(AnalysisStatus::from_label(s.label()), Some(*s));
        assert!(!s.description().is_empty());
    }
    for (i, s) in ScanStatus::ALL.iter().enumerate() {
        assert_eq!(*s as usize, i);
        assert_eq!(ScanStatus::from_label(s.label()), Some(*s));
        assert!(!s.description().is_empty());
    }
    let labels: HashSet<_> = AnalysisStatus::ALL.iter().map(|s| s.label()).collect();
    assert_eq!(labels.len(), AnalysisStatus::ALL.len());
    let labels: HashSet<_> = ScanStatus::ALL.iter().map(|s| s.label()).collect();
    assert_eq!(labels.len(), ScanStatus::ALL.len());
    // Only the documented extras are not from the seed tables.
    let extra: Vec<_> = AnalysisStatus::ALL
        .iter()
        .filter(|s| s.info().origin != StatusOrigin::SeedTable)
        .map(|s| s.label())
        .collect();
    assert_eq!(
        extra,
        ["Published - Results Available", "Saved for Later", "Paused"]
    );
}

#[test]
fn api_names_are_unique_and_round_trip() {
    assert_eq!(
        AnalysisStatus::CompletedResultsAvailable.api_name(),
        Some("FINISHED_RESULTS_AVAILABLE")
    );
    let mut seen = HashSet::new();
    for s in AnalysisStatus::ALL {
        if let Some(n) = s.api_name() {
            assert!(seen.insert(n), "{n} twice");
            assert_eq!(AnalysisStatus::from_api_name(n), Some(s));
        }
    }
    assert_eq!(
        AnalysisStatus::from_api_name("IN_PROGRESS_WITH_WARNING"),
        Some(AnalysisStatus::InProgress)
    );
    let mut seen = HashSet::new();
    for s in ScanStatus::ALL {
        if let Some(n) = s.api_name() {
            assert!(seen.insert(n), "{n} twice");
            assert_eq!(ScanStatus::from_api_name(n), Some(s));
        }
    }
    assert_eq!(AnalysisStatus::from_api_name("NOPE"), None);
}

#[test]
fn tones_and_icons() {
    use AnalysisStatus as S;
    assert_eq!(S::CompletedResultsAvailable.tone(), Tone::Success);
    assert_eq!(S::InProgress.tone(), Tone::InProgress);
    assert_eq!(S::AllVerificationsFailed.tone(), Tone::Error);
    assert_eq!(S::Scheduled.tone(), Tone::Neutral);
    assert_eq!(S::CompletedPartialResultsAvailable.tone(), Tone::Warning);
    assert_eq!(
        ScanStatus::CompletedResultsAvailable.icon(),
        StatusIcon::Check
    );
    assert_eq!(ScanStatus::ConnectionError.tone(), Tone::Error);
    for t in [
        Tone::Success,
        Tone::InProgress,
        Tone::Warning,
        Tone::Error,
        Tone::Neutral,
    ] {
        assert!(
            AnalysisStatus::ALL.iter().any(|s| s.tone() == t),
            "{t:?} unused"
        );
    }
}

/// The rows of the status tables in a seed document: (analysis rows, scan
/// rows) as (label, description).
type Rows = Vec<(String, String)>;
fn seed_rows(text: &str) -> (Rows, Rows) {
    let (mut analysis, mut scan) = (Vec::new(), Vec::new());
    let mut section = 0;
    for line in text.lines() {
        let t = line.trim().trim_start_matches('|');
        let cells: Vec<&str> = t.split('|').map(str::trim).collect();
        if cells.len() < 2 || cells[0].starts_with("---") {
            continue;
        }
        let label = cells[0].replace('`', "");
        match label.as_str() {
            "Status" => section = 1,
            "URL scan status" | "URL Scan Status" => section = 2,
            "Event" => section = 0,
            _ => {
                let desc = cells[1]
                    .replace('\\', "")
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ");
                match section {
                    1 => analysis.push((label, desc)),
                    2 => scan.push((label, desc)),
                    _ => {}
                }
            }
        }
    }
    (analysis, scan)
}

#[test]
fn seed_documents_agree_when_present() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/seeds");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        println!(
            "note: no seed documents at {}; checked the built-in labels only",
            dir.display()
        );
        return;
    };
    let (mut analysis, mut scan) = (Vec::new(), Vec::new());
    for e in entries.flatten() {
        let text = std::fs::read_to_string(e.path()).unwrap_or_default();
        let (a, s) = seed_rows(&text);
        analysis.extend(a);
        scan.extend(s);
    }
    assert!(
        analysis.len() >= 40 && scan.len() >= 60,
        "{} {}",
        analysis.len(),
        scan.len()
    );
    let warning = "In Progress + showing a warning icon";
    for (label, _) in &analysis {
        if label == warning {
            continue;
        }
        assert!(
            SEED_ANALYSIS_LABELS.contains(&label.as_str()),
            "analysis label {label} not hard-coded"
        );
        let s = AnalysisStatus::from_label(label).expect(label);
        let descs: Vec<&String> = analysis
            .iter()
            .filter(|(l, _)| l == label)
            .map(|(_, d)| d)
            .collect();
        assert!(
            descs.iter().any(|d| *d == s.description()),
            "{label}: {:?} not among {descs:?}",
            s.description()
        );
    }
    assert!(analysis
        .iter()
        .any(|(l, d)| l == warning && d == IN_PROGRESS_WARNING_DESCRIPTION));
    for (label, _) in &scan {
        assert!(
            SEED_SCAN_LABELS.contains(&label.as_str()),
            "scan label {label} not hard-coded"
        );
        let s = ScanStatus::from_label(label).expect(label);
        let descs: Vec<&String> = scan
            .iter()
            .filter(|(l, _)| l == label)
            .map(|(_, d)| d)
            .collect();
        assert!(
            descs.iter().any(|d| *d == s.description()),
            "{label}: {:?} not among {descs:?}",
            s.description()
        );
    }
    // Every hard-coded seed-table label is in some seed document.
    for l in SEED_ANALYSIS_LABELS
        .iter()
        .filter(|l| !l.starts_with("Published") && !l.starts_with("Saved"))
    {
        assert!(analysis.iter().any(|(x, _)| x == l), "{l}");
    }
    for l in SEED_SCAN_LABELS {
        assert!(scan.iter().any(|(x, _)| x == l), "{l}");
    }
}

// ------------------------------------------------------------------ helpers

fn state_with_spec() -> (StoreState, SpecRecord) {
    let mut st = StoreState::new();
    let rec = st.put_specification(
        SpecUpload {
            file_name: "petstore.yaml".into(),
            title: "Petstore".into(),
            format: SpecFormat::OpenApi30,
            endpoint_count: 3,
            servers: vec!["https://api.example.com/v1".into()],
            bytes: b"openapi: 3.0.3\n".to_vec(),
            others: Vec::new(),
        },
        USER,
        T0,
    );
    (st, rec)
}

fn new_analysis(name: &str, rec: &SpecRecord, start: Start) -> NewAnalysis {
    NewAnalysis {
        name: name.into(),
        scans: vec![
            ScanDraft::new(ScanTarget::specification(rec, None)),
            ScanDraft::new(ScanTarget::Url("https://app.example.com/".into())),
        ],
        schedule: Schedule {
            start,
            duration: ScanDuration::Hours(4),
        },
        prescan: true,
        permission_certified: true,
        visibility: Default::default(),
    }
}

fn fields(e: StoreError) -> Vec<Field> {
    match e {
        StoreError::Invalid(v) => v.into_iter().map(|f| f.field).collect(),
        other => panic!("not Invalid: {other:?}"),
    }
}

fn run_to_end(
    st: &mut StoreState,
    engine: &Engine,
    from: i64,
    step: i64,
    until: i64,
) -> Vec<Event> {
    let mut events = Vec::new();
    let mut t = from;
    while t <= until {
        events.extend(engine.tick(st, t));
        t += step;
    }
    events
}

// ---------------------------------------------------------------- creating

#[test]
fn create_validates_every_field() {
    let (mut st, rec) = state_with_spec();
    let mut bad = new_analysis("short", &rec, Start::At(T0 - 3_600_000));
    bad.scans.clear();
    bad.permission_certified = false;
    let f = fields(st.create(bad, USER, T0).unwrap_err());
    assert_eq!(
        f,
        [
            Field::Name,
            Field::Scans,
            Field::Certification,
            Field::Schedule
        ]
    );

    assert!(st
        .create(new_analysis("sixsix", &rec, Start::Now), USER, T0)
        .is_ok());
    assert!(st
        .create(new_analysis(&"x".repeat(256), &rec, Start::Now), USER, T0)
        .is_ok());
    assert_eq!(
        fields(
            st.create(new_analysis(&"y".repeat(257), &rec, Start::Now), USER, T0)
                .unwrap_err()
        ),
        [Field::Name]
    );
    // Unique, ignoring case and surrounding spaces.
    assert_eq!(
        fields(
            st.create(new_analysis("  SIXSIX ", &rec, Start::Now), USER, T0)
                .unwrap_err()
        ),
        [Field::Name]
    );
    // Schedules.
    let mut n = new_analysis("too far ahead", &rec, Start::At(T0 + 91 * 86_400_000));
    assert_eq!(
        fields(st.create(n.clone(), USER, T0).unwrap_err()),
        [Field::Schedule]
    );
    n.schedule = Schedule {
        start: Start::Now,
        duration: ScanDuration::Hours(0),
    };
    assert_eq!(
        fields(st.create(n.clone(), USER, T0).unwrap_err()),
        [Field::Schedule]
    );
    n.schedule = Schedule {
        start: Start::Now,
        duration: ScanDuration::Days(31),
    };
    assert_eq!(
        fields(st.create(n, USER, T0).unwrap_err()),
        [Field::Schedule]
    );
    // Scans: a URL that is not one, a specification not stored.
    let mut n = new_analysis("bad url scan", &rec, Start::Now);
    n.scans[1] = ScanDraft::new(ScanTarget::Url("example.com".into()));
    assert_eq!(fields(st.create(n, USER, T0).unwrap_err()), [Field::Scans]);
    // Malformed authorities (an unclosed IPv6 bracket, a port that is not a
    // number, control characters) are refused too.
    for bad in [
        "http://[",
        "https://[::1/x",
        "https://[zz]/",
        "https://example.com]/",
        "https://example.com:80a/",
        "https://example.com:/\u{7}",
        "https://:8080/",
    ] {
        let mut n = new_analysis("bad url scan", &rec, Start::Now);
        n.scans[1] = ScanDraft::new(ScanTarget::Url(bad.into()));
        assert_eq!(
            fields(st.create(n, USER, T0).unwrap_err()),
            [Field::Scans],
            "{bad}"
        );
    }
    for good in [
        "http://[::1]:8080/",
        "https://bob:pw@app.example.com/",
        "https://app.example.com:8443",
    ] {
        let mut n = new_analysis(&format!("good url {good}"), &rec, Start::Unscheduled);
        n.scans[1] = ScanDraft::new(ScanTarget::Url(good.into()));
        let id = st.create(n, USER, T0).unwrap().id;
        st.delete(id).unwrap();
    }
    let mut n = new_analysis("unknown spec", &rec, Start::Now);
    let mut other = rec.clone();
    other.id = SpecId(999);
    n.scans[0] = ScanDraft::new(ScanTarget::specification(&other, None));
    assert_eq!(fields(st.create(n, USER, T0).unwrap_err()), [Field::Scans]);
    assert_eq!(st.analyses.len(), 2);
}

#[test]
fn create_applies_the_schedule() {
    let (mut st, rec) = state_with_spec();
    let now = st
        .create(new_analysis("start now", &rec, Start::Now), USER, T0)
        .unwrap()
        .clone();
    assert_eq!(now.status, AnalysisStatus::Submitted);
    assert_eq!(now.runs.len(), 1);
    assert!(now.scans.iter().all(|s| s.status == ScanStatus::Submitted));
    let later = st
        .create(
            new_analysis("start later", &rec, Start::At(T0 + 3_600_000)),
            USER,
            T0,
        )
        .unwrap()
        .clone();
    assert_eq!(later.status, AnalysisStatus::Scheduled);
    assert_eq!(later.next_run_ms(), Some(T0 + 3_600_000));
    assert!(later.never_ran());
    let saved = st
        .create(
            new_analysis("saved draft", &rec, Start::Unscheduled),
            USER,
            T0,
        )
        .unwrap()
        .clone();
    assert_eq!(saved.status, AnalysisStatus::SavedForLater);
    assert!(saved.scans.iter().all(|s| s.status == ScanStatus::NotRun));
    match &saved.scans[0].target {
        ScanTarget::ApiSpecification(s) => {
            assert_eq!(
                (s.file_name.as_str(), s.format, s.endpoint_count),
                ("petstore.yaml", SpecFormat::OpenApi30, 3)
            );
            assert_eq!(
                st.specification(s.spec_id).unwrap().bytes,
                b"openapi: 3.0.3\n"
            );
        }
        other => panic!("{other:?}"),
    }
    let log = st.activity(saved.id).unwrap();
    assert_eq!(log[0].kind, ActivityKind::Created);
    assert_eq!(log[0].actor, Actor::user(USER));
}

// -------------------------------------------------------------- lifecycle

#[test]
fn transitions_allowed_and_refused() {
    use AnalysisStatus as S;
    for (from, to) in [
        (S::Submitted, S::Prescanning),
        (S::Prescanning, S::Queued),
        (S::Queued, S::InProgress),
        (S::InProgress, S::CompletedVerifyingResults),
        (S::CompletedVerifyingResults, S::CompletedResultsAvailable),
        (S::CompletedResultsAvailable, S::PublishedResultsAvailable),
        (S::InProgress, S::Paused),
        (S::Paused, S::InProgress),
        (S::InProgress, S::StoppedSavingResults),
        (S::StoppedSavingResults, S::StoppedVerifyingPartialResults),
        (S::InProgress, S::TimeExpiredVerifyingPartialResults),
        (S::Prescanning, S::AllVerificationsFailed),
        (S::Submitted, S::NotSubmitted),
        (S::InProgress, S::StoppedTechnicalIssue),
        (S::PublishedResultsAvailable, S::Submitted),
        (S::SavedForLater, S::Scheduled),
    ] {
        assert!(from.can_become(to), "{from} -> {to}");
    }
    for (from, to) in [
        (S::Scheduled, S::InProgress),
        (S::Queued, S::CompletedResultsAvailable),
        (S::CompletedResultsAvailable, S::InProgress),
        (S::InProgress, S::Submitted),
        (S::Paused, S::CompletedVerifyingResults),
        (S::StoppedSavingResults, S::Submitted),
        (S::PublishedResultsAvailable, S::InProgress),
        (S::InProgress, S::InProgress),
    ] {
        assert!(!from.can_become(to), "{from} -> {to}");
    }
    for s in S::ALL {
        assert!(!s.successors().is_empty(), "{s} is a dead end");
    }
}

fn analysis_in(status: AnalysisStatus, ran: bool) -> Analysis {
    let (mut st, rec) = state_with_spec();
    let mut a = st
        .create(new_analysis("some analysis", &rec, Start::Now), USER, T0)
        .unwrap()
        .clone();
    a.status = status;
    if !ran {
        a.runs.clear();
    }
    a
}

#[test]
fn configure_is_gated_with_a_reason() {
    use AnalysisStatus as S;
    let editable: BTreeSet<S> = EDITABLE.into_iter().collect();
    for must in [
        S::Scheduled,
        S::SavedForLater,
        S::PublishedResultsAvailable,
        S::StoppedPartialResultsAvailable,
        S::StoppedTechnicalIssue,
        S::StoppedScanDurationEnded,
        S::StoppedDeletingResults,
    ] {
        assert!(editable.contains(&must), "{must}");
    }
    for s in S::ALL {
        let a = analysis_in(s, true);
        match a.can_configure() {
            Ok(()) => assert!(s.is_editable()),
            Err(r) => {
                assert!(!s.is_editable());
                assert!(r.reason.len() > 20, "{s}: {}", r.reason);
                assert_eq!(r.action, AnalysisAction::Configure);
            }
        }
    }
    for s in [
        S::InProgress,
        S::Queued,
        S::Prescanning,
        S::Submitted,
        S::Paused,
        S::CompletedVerifyingResults,
        S::StoppedSavingResults,
        S::CompletedResultsAvailable,
    ] {
        assert!(analysis_in(s, true).can_configure().is_err(), "{s}");
    }
    let r = analysis_in(S::InProgress, true)
        .can_configure()
        .unwrap_err();
    assert!(r.to_string().contains("running"), "{r}");
}

#[test]
fn run_actions_are_gated() {
    use AnalysisStatus as S;
    let ok = |s, a| analysis_in(s, true).check(a).is_ok();
    assert!(ok(S::InProgress, AnalysisAction::Pause));
    assert!(!ok(S::Queued, AnalysisAction::Pause));
    assert!(ok(S::Paused, AnalysisAction::Resume));
    assert!(!ok(S::InProgress, AnalysisAction::Resume));
    for s in RUNNING {
        assert!(
            ok(s, AnalysisAction::StopSave) && ok(s, AnalysisAction::StopDelete),
            "{s}"
        );
    }
    assert!(!ok(S::PublishedResultsAvailable, AnalysisAction::StopSave));
    let a = analysis_in(S::InProgress, true);
    assert_eq!(
        a.allowed_api_actions(),
        ["STOP_SAVE", "STOP_DELETE", "PAUSE"]
    );
    assert_eq!(a.actions().len(), AnalysisAction::ALL.len());
}

#[test]
fn delete_only_if_never_ran() {
    let (mut st, rec) = state_with_spec();
    let ran = st
        .create(new_analysis("ran once", &rec, Start::Now), USER, T0)
        .unwrap()
        .id;
    let never = st
        .create(
            new_analysis("never ran", &rec, Start::At(T0 + 60_000_000)),
            USER,
            T0,
        )
        .unwrap()
        .id;
    let e = st.delete(ran).unwrap_err();
    assert!(
        matches!(&e, StoreError::Refused(r) if r.reason.contains("never ran")),
        "{e}"
    );
    assert!(st.delete(never).is_ok());
    assert!(st.analysis(never).is_none());
    assert!(st.activity(never).is_err());
    assert_eq!(st.delete(never), Err(StoreError::AnalysisNotFound(never)));
    // Stopped after running: still not deletable.
    let engine = Engine::new(EngineConfig::demo());
    st.act(ran, RunAction::StopDelete, USER, T0 + 1000).unwrap();
    run_to_end(&mut st, &engine, T0, 1000, T0 + 60_000);
    assert!(st.delete(ran).is_err());
}

// ------------------------------------------------------- update + activity

#[test]
fn update_only_when_editable_and_logs_without_secrets() {
    let (mut st, rec) = state_with_spec();
    let id = st
        .create(new_analysis("weekly scan", &rec, Start::Now), USER, T0)
        .unwrap()
        .id;
    let e = st
        .update(
            id,
            AnalysisUpdate {
                name: Some("renamed scan".into()),
                ..Default::default()
            },
            USER,
            T0,
        )
        .unwrap_err();
    assert!(matches!(e, StoreError::Refused(_)));

    let id = st
        .create(
            new_analysis("draft scan", &rec, Start::Unscheduled),
            USER,
            T0,
        )
        .unwrap()
        .id;
    let secret = "s3cr3t-T0KEN-value";
    let mut scans: Vec<ScanDraft> = st
        .analysis(id)
        .unwrap()
        .scans
        .iter()
        .map(ScanDraft::of)
        .collect();
    scans[0].auth = ScanAuth {
        bearer: Some(secret.into()),
        basic: Some(("admin".into(), format!("{secret}-pw"))),
        ..Default::default()
    };
    scans[0].auth_entered = true;
    scans[1].target = ScanTarget::Url(format!("https://bob:{secret}@other.example.com/"));
    scans.push(ScanDraft {
        id: None,
        target: ScanTarget::Url("https://third.example.com/".into()),
        auth: ScanAuth {
            custom_headers: vec![("X-Api-Key".into(), format!("{secret}-key"))],
            ..Default::default()
        },
        auth_entered: true,
        scope: Default::default(),
        values: Default::default(),
    });
    let a = st
        .update(
            id,
            AnalysisUpdate {
                name: Some("Draft Scan v2".into()),
                scans: Some(scans),
                schedule: Some(Schedule {
                    start: Start::At(T0 + 3_600_000),
                    duration: ScanDuration::Days(1),
                }),
                prescan: Some(false),
                visibility: Default::default(),
            },
            "Grace Hopper",
            T0 + 5,
        )
        .unwrap()
        .clone();
    assert_eq!(a.name, "Draft Scan v2");
    assert_eq!(a.status, AnalysisStatus::Scheduled);
    assert_eq!(a.scans.len(), 3);
    assert_eq!(a.modified_by, "Grace Hopper");
    let log = st.activity(id).unwrap();
    let json = serde_json::to_string(log).unwrap();
    assert!(
        !json.contains(secret),
        "a secret leaked into the log: {json}"
    );
    let has = |kind: ActivityKind, needle: &str| {
        log.iter()
            .any(|e| e.kind == kind && e.details.contains(needle))
    };
    assert!(has(ActivityKind::ConfigurationChanged, "Name changed"));
    assert!(has(
        ActivityKind::ConfigurationChanged,
        "Credentials of scan petstore.yaml changed"
    ));
    assert!(has(
        ActivityKind::ConfigurationChanged,
        "Credentials of scan https://third.example.com/ changed"
    ));
    assert!(has(ActivityKind::ConfigurationChanged, "Target of scan"));
    assert!(has(ActivityKind::ConfigurationChanged, "scan added"));
    assert!(has(ActivityKind::ConfigurationChanged, "Prescan"));
    assert!(has(ActivityKind::ScheduleChanged, "Schedule changed"));
    assert!(has(ActivityKind::StatusChanged, "Scheduled"));
    let rename = log.iter().find(|e| e.details == "Name changed.").unwrap();
    assert_eq!(
        (rename.old_value.as_deref(), rename.new_value.as_deref()),
        (Some("draft scan"), Some("Draft Scan v2"))
    );
    assert_eq!(rename.actor, Actor::user("Grace Hopper"));
    for e in log.iter().filter(|e| e.details.contains("Credentials")) {
        assert_eq!((e.old_value.as_ref(), e.new_value.as_ref()), (None, None));
    }
    // Removing a scan, and an unknown scan id.
    let keep = vec![ScanDraft::of(&a.scans[0])];
    st.update(
        id,
        AnalysisUpdate {
            scans: Some(keep),
            ..Default::default()
        },
        USER,
        T0 + 6,
    )
    .unwrap();
    assert!(st
        .activity(id)
        .unwrap()
        .iter()
        .any(|e| e.details.contains("scan removed")));
    let bogus = vec![ScanDraft {
        id: Some(ScanId(4242)),
        target: ScanTarget::Url("https://x.example.com".into()),
        auth: ScanAuth::default(),
        auth_entered: false,
        scope: Default::default(),
        values: Default::default(),
    }];
    assert_eq!(
        fields(
            st.update(
                id,
                AnalysisUpdate {
                    scans: Some(bogus),
                    ..Default::default()
                },
                USER,
                T0
            )
            .unwrap_err()
        ),
        [Field::Scans]
    );
    // Renaming to another analysis's name is refused.
    assert_eq!(
        fields(
            st.update(
                id,
                AnalysisUpdate {
                    name: Some("WEEKLY SCAN".into()),
                    ..Default::default()
                },
                USER,
                T0
            )
            .unwrap_err()
        ),
        [Field::Name]
    );
}

// ------------------------------------------------------------------ engine

/// Names whose first run has each outcome.
fn names_by_outcome() -> Vec<(Outcome, String)> {
    Outcome::ALL
        .iter()
        .map(|o| {
            let name = (0..10_000)
                .map(|i| format!("analysis {i:04}"))
                .find(|n| Outcome::for_run(n, 1, 2) == *o)
                .expect("an outcome never occurs");
            (*o, name)
        })
        .collect()
}

#[test]
fn engine_walks_every_path_and_obeys_the_lifecycle() {
    let engine = Engine::new(EngineConfig::demo());
    let (mut st, rec) = state_with_spec();
    let mut ids = Vec::new();
    for (prescan, suffix) in [(true, ""), (false, " np")] {
        for (o, name) in names_by_outcome() {
            let mut n = new_analysis(&format!("{name}{suffix}"), &rec, Start::Now);
            n.prescan = prescan;
            let name_for_run = n.name.clone();
            let id = st.create(n, USER, T0).unwrap().id;
            ids.push((o, prescan, id, Outcome::for_run(&name_for_run, 1, 2)));
        }
    }
    let events = run_to_end(&mut st, &engine, T0, 1000, T0 + 10 * 60_000);
    let mut kinds = HashSet::new();
    for e in &events {
        match e {
            Event::StatusChanged {
                from, to, actor, ..
            } => {
                assert!(from.can_become(*to), "engine made {from} -> {to}");
                assert_eq!(*actor, Actor::System);
            }
            Event::Notification(n) => {
                kinds.insert(n.kind);
                assert!(n.message().contains(&n.analysis_name));
            }
        }
    }
    assert_eq!(kinds.len(), 4, "{kinds:?}");
    let mut finals = BTreeSet::new();
    for (_, prescan, id, outcome) in ids {
        let a = st.analysis(id).unwrap();
        assert!(
            a.active_run().is_none(),
            "{} still running in {}",
            a.name,
            a.status
        );
        assert!(a.status.is_editable(), "{} ended in {}", a.name, a.status);
        finals.insert(a.status);
        let expected = match outcome {
            Outcome::NotSubmitted => AnalysisStatus::NotSubmitted,
            Outcome::AllVerificationsFail => AnalysisStatus::AllVerificationsFailed,
            Outcome::TechnicalIssue => AnalysisStatus::StoppedTechnicalIssue,
            _ => AnalysisStatus::PublishedResultsAvailable,
        };
        assert_eq!(a.status, expected, "{} (prescan {prescan})", a.name);
        let log = st.activity(id).unwrap();
        assert!(log
            .iter()
            .any(|e| e.kind == ActivityKind::StatusChanged && e.actor == Actor::System));
        assert!(
            log.windows(2).all(|w| w[0].at_ms <= w[1].at_ms),
            "log out of order"
        );
        if outcome == Outcome::SomeScansFailVerification {
            assert!(a.has_verification_failures);
            assert!(log
                .iter()
                .any(|e| e.new_value.as_deref() == Some("Completed - Verifying Partial Results")));
        }
        if outcome == Outcome::TimesOut {
            assert!(log.iter().any(
                |e| e.new_value.as_deref() == Some("Time Expired - Verifying Partial Results")
            ));
        }
    }
    assert_eq!(finals.len(), 4);
}

#[test]
fn in_progress_shows_the_warning_icon_when_a_scan_failed_verification() {
    let engine = Engine::new(EngineConfig::demo());
    let (mut st, rec) = state_with_spec();
    let name = names_by_outcome()
        .into_iter()
        .find(|(o, _)| *o == Outcome::SomeScansFailVerification)
        .unwrap()
        .1;
    let id = st
        .create(new_analysis(&name, &rec, Start::Now), USER, T0)
        .unwrap()
        .id;
    let c = EngineConfig::demo();
    let events = engine.tick(&mut st, T0 + c.submit_ms + c.prescan_ms + c.queue_ms + 1);
    assert!(events
        .iter()
        .any(|e| matches!(e, Event::Notification(n) if n.kind == NotificationKind::PrescanFailed)));
    let a = st.analysis(id).unwrap();
    assert_eq!(a.status, AnalysisStatus::InProgress);
    assert!(a.shows_warning_icon());
    let b = a.badge();
    assert_eq!(
        (b.label, b.icon, b.tone),
        ("In Progress", StatusIcon::Warning, Tone::Warning)
    );
    assert_eq!(b.description, IN_PROGRESS_WARNING_DESCRIPTION);
    assert_eq!(a.api_status(), Some("IN_PROGRESS_WITH_WARNING"));
    let page = st.list(&ListQuery {
        status: Some(AnalysisStatus::InProgress),
        ..Default::default()
    });
    assert_eq!(page.items[0].badge().icon, StatusIcon::Warning);
}

#[test]
fn engine_is_deterministic_whatever_the_tick_rate() {
    let engine = Engine::new(EngineConfig::demo());
    let build = || {
        let (mut st, rec) = state_with_spec();
        for (_, name) in names_by_outcome() {
            st.create(new_analysis(&name, &rec, Start::Now), USER, T0)
                .unwrap();
        }
        st.create(
            new_analysis("starts later", &rec, Start::At(T0 + 30_000)),
            USER,
            T0,
        )
        .unwrap();
        st
    };
    let (mut a, mut b) = (build(), build());
    let ea = run_to_end(&mut a, &engine, T0, 250, T0 + 300_000);
    let eb = run_to_end(&mut b, &engine, T0, 7_000, T0 + 300_000);
    let mut c = build();
    let ec = engine.tick(&mut c, T0 + 300_000);
    assert_eq!(a, b);
    assert_eq!(a, c);
    let key = |v: &[Event]| {
        let mut v: Vec<String> = v.iter().map(|e| format!("{e:?}")).collect();
        v.sort();
        v
    };
    assert_eq!(key(&ea), key(&eb));
    assert_eq!(key(&ea), key(&ec));
    // Nothing left to do.
    assert_eq!(engine.next_change_ms(&a), None);
    assert!(engine.tick(&mut a, T0 + 400_000).is_empty());
}

#[test]
fn scheduled_analysis_starts_at_its_time() {
    let engine = Engine::new(EngineConfig::demo());
    let (mut st, rec) = state_with_spec();
    let start = T0 + 3_600_000;
    let id = st
        .create(
            new_analysis("nightly run", &rec, Start::At(start)),
            USER,
            T0,
        )
        .unwrap()
        .id;
    assert_eq!(engine.next_change_ms(&st), Some(start));
    assert!(engine.tick(&mut st, start - 1).is_empty());
    let ev = engine.tick(&mut st, start);
    assert!(
        matches!(&ev[0], Event::StatusChanged { to: AnalysisStatus::Submitted, at_ms, .. } if *at_ms == start)
    );
    assert_eq!(st.analysis(id).unwrap().runs[0].submitted_ms, start);
}

#[test]
fn stop_save_pause_resume_and_time_out() {
    let engine = Engine::new(EngineConfig::demo());
    let c = EngineConfig::demo();
    let (mut st, rec) = state_with_spec();
    let ok = names_by_outcome()
        .into_iter()
        .find(|(o, _)| *o == Outcome::Succeeds)
        .unwrap()
        .1;
    let in_progress_at = T0 + c.submit_ms + c.prescan_ms + c.queue_ms;

    // Stop and save.
    let id = st
        .create(new_analysis(&ok, &rec, Start::Now), USER, T0)
        .unwrap()
        .id;
    engine.tick(&mut st, in_progress_at + 1);
    assert_eq!(st.analysis(id).unwrap().status, AnalysisStatus::InProgress);
    let (a, _) = st
        .act(id, RunAction::StopSave, USER, in_progress_at + 2)
        .unwrap();
    assert_eq!(a.status, AnalysisStatus::StoppedSavingResults);
    assert!(a
        .scans
        .iter()
        .all(|s| s.status == ScanStatus::StoppingSavingResults));
    run_to_end(
        &mut st,
        &engine,
        in_progress_at + 2,
        1000,
        in_progress_at + 60_000,
    );
    let a = st.analysis(id).unwrap();
    assert_eq!(a.status, AnalysisStatus::StoppedPartialResultsAvailable);
    assert!(a
        .scans
        .iter()
        .all(|s| s.status == ScanStatus::StoppedPartialResultsAvailable));
    assert!(a.can_configure().is_ok());
    let log = st.activity(id).unwrap();
    assert!(log
        .iter()
        .any(|e| e.kind == ActivityKind::ActionRequested && e.actor == Actor::user(USER)));
    assert!(st
        .act(id, RunAction::Pause, USER, in_progress_at + 70_000)
        .is_err());

    // Pause, resume: the scan finishes later by the paused time.
    let mut st2 = StoreState::new();
    let rec2 = st2.put_specification(
        SpecUpload {
            file_name: "p.json".into(),
            title: String::new(),
            format: SpecFormat::OpenApi30,
            endpoint_count: 1,
            servers: vec![],
            bytes: vec![1],
            others: Vec::new(),
        },
        USER,
        T0,
    );
    let id = st2
        .create(new_analysis(&ok, &rec2, Start::Now), USER, T0)
        .unwrap()
        .id;
    engine.tick(&mut st2, in_progress_at + 1000);
    st2.act(id, RunAction::Pause, USER, in_progress_at + 1000)
        .unwrap();
    engine.tick(&mut st2, in_progress_at + 1000 + c.stop_ms);
    let a = st2.analysis(id).unwrap();
    assert_eq!(a.status, AnalysisStatus::Paused);
    assert!(a.scans.iter().all(|s| s.status == ScanStatus::Paused));
    let pause = 100_000;
    engine.tick(&mut st2, in_progress_at + 1000 + pause);
    assert_eq!(st2.analysis(id).unwrap().status, AnalysisStatus::Paused);
    let (a, _) = st2
        .act(id, RunAction::Resume, USER, in_progress_at + 1000 + pause)
        .unwrap();
    assert!(a.scans.iter().all(|s| s.status == ScanStatus::Resuming));
    engine.tick(&mut st2, in_progress_at + pause + c.scan_ms - 1);
    assert_eq!(st2.analysis(id).unwrap().status, AnalysisStatus::InProgress);
    assert!(st2
        .analysis(id)
        .unwrap()
        .scans
        .iter()
        .all(|s| s.status == ScanStatus::InProgress));
    engine.tick(&mut st2, in_progress_at + pause + c.scan_ms);
    assert_eq!(
        st2.analysis(id).unwrap().status,
        AnalysisStatus::CompletedVerifyingResults
    );

    // Paused past the scan duration (4 hours from submission).
    let name = (0..100)
        .map(|i| format!("paused too long {i}"))
        .find(|n| Outcome::for_run(n, 1, 2) == Outcome::Succeeds)
        .unwrap();
    let id = st2
        .create(new_analysis(&name, &rec2, Start::Now), USER, T0)
        .unwrap()
        .id;
    engine.tick(&mut st2, in_progress_at + 1);
    st2.act(id, RunAction::Pause, USER, in_progress_at + 1)
        .unwrap();
    let events = engine.tick(&mut st2, T0 + 5 * 3_600_000);
    let a = st2.analysis(id).unwrap();
    assert_eq!(a.status, AnalysisStatus::PublishedResultsAvailable);
    let timed_out = |e: &Event| {
        matches!(e, Event::StatusChanged {
            to: AnalysisStatus::StoppedScanDurationEndedWithPartialResults,
            at_ms,
            ..
        } if *at_ms == T0 + 4 * 3_600_000)
    };
    assert!(events.iter().any(timed_out));
    assert!(a
        .scans
        .iter()
        .all(|s| s.status == ScanStatus::TimeExpiredPartialResultsAvailable));

    // The duration ends while still queued: Stopped - Scan Duration Ended.
    let id = st2
        .create(new_analysis("short window", &rec2, Start::Now), USER, T0)
        .unwrap()
        .id;
    let i = st2.analyses.iter().position(|a| a.id == id).unwrap();
    st2.analyses[i].runs[0].deadline_ms = T0 + 2_000;
    engine.tick(&mut st2, T0 + 60_000);
    let a = st2.analysis(id).unwrap();
    if a.runs[0].outcome != Outcome::NotSubmitted {
        assert_eq!(a.status, AnalysisStatus::StoppedScanDurationEnded);
        assert!(a
            .scans
            .iter()
            .all(|s| s.status == ScanStatus::TimeExpiredStopped));
    }

    // Stop and delete before scanning.
    let id = st2
        .create(new_analysis("stop it early", &rec2, Start::Now), USER, T0)
        .unwrap()
        .id;
    let (a, ev) = st2.act(id, RunAction::StopDelete, USER, T0 + 1).unwrap();
    assert_eq!(a.status, AnalysisStatus::StoppedDeletingResults);
    assert_eq!(ev.len(), 1);
    engine.tick(&mut st2, T0 + 60_000);
    let a = st2.analysis(id).unwrap();
    assert!(a.scans.iter().all(|s| s.status == ScanStatus::Stopped));
    assert!(a.active_run().is_none());
    // Run again from a settled status.
    let a = st2
        .update(
            id,
            AnalysisUpdate {
                schedule: Some(Schedule::now(ScanDuration::Hours(2))),
                ..Default::default()
            },
            USER,
            T0 + 70_000,
        )
        .unwrap();
    assert_eq!((a.status, a.runs.len()), (AnalysisStatus::Submitted, 2));
}

// ------------------------------------------------------------ list + find

#[test]
fn ten_thousand_analyses_find_filter_sort_page() {
    let (mut st, rec) = state_with_spec();
    let statuses = [
        AnalysisStatus::InProgress,
        AnalysisStatus::Scheduled,
        AnalysisStatus::PublishedResultsAvailable,
        AnalysisStatus::Queued,
    ];
    // One analysis made by the store, copied 10,000 times (creating each
    // through the store checks the name against all the others: quadratic).
    let template = st
        .create(
            new_analysis("template analysis", &rec, Start::Unscheduled),
            USER,
            T0,
        )
        .unwrap()
        .clone();
    st.analyses.clear();
    for i in 0..10_000u32 {
        let mut a = template.clone();
        a.id = AnalysisId(1_000 + u64::from(i));
        a.name = if i % 10 == 0 {
            format!("Petstore API {i:05}")
        } else {
            format!("Inventory service {i:05}")
        };
        a.status = statuses[(i % 4) as usize];
        st.analyses.push(a);
    }
    st.next_id = 20_000;
    st.activity.clear();
    let q = ListQuery {
        find: "PETSTORE".into(),
        status: Some(AnalysisStatus::InProgress),
        sort: SortKey::Name,
        descending: true,
        page: 0,
        size: 50,
    };
    let page = st.list(&q);
    // i % 10 == 0 and i % 4 == 0  <=>  i % 20 == 0: 500 analyses.
    assert_eq!(page.total_elements, 500);
    assert_eq!(page.total_pages, 10);
    assert_eq!(page.items.len(), 50);
    assert_eq!(page.items[0].name, "Petstore API 09980");
    assert!(page.items.windows(2).all(|w| w[0].name > w[1].name));
    let last = st.list(&ListQuery {
        page: 9,
        ..q.clone()
    });
    assert_eq!(last.items.last().unwrap().name, "Petstore API 00000");
    assert!(st
        .list(&ListQuery {
            page: 10,
            ..q.clone()
        })
        .items
        .is_empty());
    let all = st.list(&ListQuery {
        size: 1000,
        ..Default::default()
    });
    assert_eq!(
        (all.total_elements, all.size, all.items.len()),
        (10_000, MAX_PAGE_SIZE, MAX_PAGE_SIZE)
    );
    assert_eq!(
        st.list(&ListQuery {
            find: "nothing like it".into(),
            ..Default::default()
        })
        .total_elements,
        0
    );
    let by_status = st.list(&ListQuery {
        sort: SortKey::Status,
        ..Default::default()
    });
    assert_eq!(by_status.items[0].status, AnalysisStatus::InProgress);
}

#[test]
fn sort_by_run_times_puts_missing_times_last() {
    let (mut st, rec) = state_with_spec();
    let a = st
        .create(
            new_analysis("later one", &rec, Start::At(T0 + 7_200_000)),
            USER,
            T0,
        )
        .unwrap()
        .id;
    let b = st
        .create(
            new_analysis("sooner one", &rec, Start::At(T0 + 3_600_000)),
            USER,
            T0,
        )
        .unwrap()
        .id;
    let c = st
        .create(
            new_analysis("never scheduled", &rec, Start::Unscheduled),
            USER,
            T0,
        )
        .unwrap()
        .id;
    let d = st
        .create(new_analysis("ran already", &rec, Start::Now), USER, T0 + 5)
        .unwrap()
        .id;
    let ids = |q: ListQuery| st.list(&q).items.iter().map(|s| s.id).collect::<Vec<_>>();
    assert_eq!(
        ids(ListQuery {
            sort: SortKey::NextRun,
            ..Default::default()
        }),
        [b, a, c, d]
    );
    assert_eq!(
        ids(ListQuery {
            sort: SortKey::NextRun,
            descending: true,
            ..Default::default()
        }),
        [a, b, c, d]
    );
    assert_eq!(
        ids(ListQuery {
            sort: SortKey::LastRun,
            descending: true,
            ..Default::default()
        })[0],
        d
    );
    assert_eq!(
        ids(ListQuery {
            sort: SortKey::LastRun,
            ..Default::default()
        })[0],
        d
    );
}

// ---------------------------------------------------------- import/export

#[test]
fn export_import_round_trip_and_errors() {
    let (mut st, rec) = state_with_spec();
    let mut n = new_analysis("exported one", &rec, Start::Now);
    n.scans[0].auth.bearer = Some("top-secret-bearer".into());
    st.create(n, USER, T0).unwrap();
    add_demo(&mut st, USER, T0);
    Engine::default().tick(&mut st, T0 + 20_000);

    let json = st.to_json();
    assert_eq!(StoreState::from_json(&json).unwrap(), st);
    let pretty = st.export_json(true);
    assert_eq!(StoreState::from_json(&pretty).unwrap(), st);
    let redacted = st.export_json(false);
    assert!(!redacted.contains("top-secret-bearer") && json.contains("top-secret-bearer"));
    assert!(StoreState::from_json(&redacted).is_ok());

    assert!(matches!(
        StoreState::from_json("{not json"),
        Err(ImportError::NotJson { .. })
    ));
    assert!(matches!(
        StoreState::from_json(""),
        Err(ImportError::NotJson { .. })
    ));
    assert!(matches!(
        StoreState::from_json("[1,2]"),
        Err(ImportError::NotAStore)
    ));
    assert!(matches!(
        StoreState::from_json("{\"analyses\":[]}"),
        Err(ImportError::NotAStore)
    ));
    let v2 = json.replacen("\"version\":1", "\"version\":2", 1);
    let e = StoreState::from_json(&v2).unwrap_err();
    assert_eq!(
        e,
        ImportError::OtherVersion {
            found: "2".into(),
            supported: STORE_VERSION
        }
    );
    assert!(e.to_string().contains("another version"), "{e}");
    let broken = json.replacen("\"status\":\"SavedForLater\"", "\"status\":\"Exploded\"", 1);
    assert_ne!(broken, json);
    assert!(matches!(
        StoreState::from_json(&broken),
        Err(ImportError::Corrupt { .. })
    ));
    let dup = json.replacen("exported one", "Demo - Accounts API", 1);
    assert_ne!(dup, json);
    let e = StoreState::from_json(&dup).unwrap_err();
    assert!(e.to_string().contains("two analyses are called"), "{e}");
    let short = json.replacen("exported one", "short", 1);
    assert!(matches!(
        StoreState::from_json(&short),
        Err(ImportError::Corrupt { .. })
    ));
    let bad_bytes = json.replacen("b3BlbmFwaTogMy4wLjMK", "@@@@", 1);
    assert_ne!(bad_bytes, json);
    assert!(
        matches!(
            StoreState::from_json(&bad_bytes),
            Err(ImportError::Corrupt { .. })
        ),
        "{bad_bytes:.200}"
    );
    let no_spec = json.replacen(&format!("\"spec_id\":{}", rec.id), "\"spec_id\":77777", 1);
    assert_ne!(no_spec, json);
    let e = StoreState::from_json(&no_spec).unwrap_err();
    assert!(e.to_string().contains("not in the file"), "{e}");

    // A failed import leaves the store as it was.
    let store = MemoryStore::with_state(st.clone(), USER, || T0);
    assert!(store.import_json(&v2).is_err());
    assert_eq!(*store.state(), st);
    assert!(store.import_json(&StoreState::new().to_json()).is_ok());
    assert!(store.state().analyses.is_empty());
}

#[test]
fn import_never_panics_on_junk() {
    let base = {
        let mut st = StoreState::new();
        add_demo(&mut st, USER, T0);
        st.to_json()
    };
    // Every truncation of a real store, and a few odd documents.
    for cut in (0..base.len()).step_by(97) {
        if base.is_char_boundary(cut) {
            let _ = StoreState::from_json(&base[..cut]);
        }
    }
    for junk in [
        "null",
        "1",
        "\"x\"",
        "{\"version\":null}",
        "{\"version\":\"1\"}",
        "{\"version\":1}",
        "{\"version\":1,\"next_id\":-1,\"analyses\":[]}",
        "{\"version\":1,\"next_id\":18446744073709551615,\"analyses\":[]}",
    ] {
        let _ = StoreState::from_json(junk);
    }
    let st =
        StoreState::from_json("{\"version\":1,\"next_id\":18446744073709551615,\"analyses\":[]}")
            .unwrap();
    let mut st = st;
    Engine::default().tick(&mut st, i64::MAX);
    Engine::default().tick(&mut st, i64::MIN);
}

// -------------------------------------------------------------------- demo

#[test]
fn demo_data_covers_every_status_and_is_removable() {
    let (mut st, rec) = state_with_spec();
    let mine = st
        .create(
            new_analysis("Demo - Queued", &rec, Start::Unscheduled),
            USER,
            T0,
        )
        .unwrap()
        .id;
    let ids = add_demo(&mut st, USER, T0);
    let demo: Vec<&Analysis> = st.analyses.iter().filter(|a| a.demo).collect();
    assert_eq!(demo.len(), ids.len());
    let statuses: BTreeSet<AnalysisStatus> = demo.iter().map(|a| a.status).collect();
    assert_eq!(statuses.len(), AnalysisStatus::ALL.len());
    assert!(demo.iter().any(|a| a.shows_warning_icon()));
    assert!(demo
        .iter()
        .any(|a| a.status == AnalysisStatus::InProgress && !a.shows_warning_icon()));
    let scan_statuses: BTreeSet<ScanStatus> = demo
        .iter()
        .flat_map(|a| a.scans.iter().map(|s| s.status))
        .collect();
    assert_eq!(scan_statuses.len(), ScanStatus::ALL.len());
    assert!(demo.iter().all(|a| a.name.len() >= 6));
    assert!(st.analysis(mine).is_some());
    // The demo data is a valid store.
    StoreState::from_json(&st.to_json()).unwrap();
    // Adding again replaces it.
    add_demo(&mut st, USER, T0);
    assert_eq!(st.analyses.iter().filter(|a| a.demo).count(), ids.len());
    // The engine moves it along without trouble.
    let events = run_to_end(&mut st, &Engine::default(), T0, 5_000, T0 + 600_000);
    for e in &events {
        if let Event::StatusChanged { from, to, .. } = e {
            assert!(from.can_become(*to), "{from} -> {to}");
        }
    }
    assert_eq!(st.remove_demo(), ids.len());
    assert_eq!(st.analyses.len(), 1);
    assert_eq!(st.analyses[0].id, mine);
    assert!(st.specifications.iter().all(|s| !s.demo));
}

// ------------------------------------------------------- the Store trait

#[test]
fn memory_store_through_the_trait() {
    use std::cell::Cell;
    use std::rc::Rc;
    let clock = Rc::new(Cell::new(T0));
    let c = clock.clone();
    let store = MemoryStore::new(USER, move || c.get());
    let ready = |f| now_or_never(f).expect("MemoryStore futures are ready at once");
    let rec = ready(store.put_specification(SpecUpload {
        file_name: "api.json".into(),
        title: "API".into(),
        format: SpecFormat::OpenApi31,
        endpoint_count: 7,
        servers: vec![],
        bytes: b"{}".to_vec(),
        others: Vec::new(),
    }))
    .unwrap();
    assert_eq!(
        now_or_never(store.specification_bytes(rec.id))
            .unwrap()
            .unwrap(),
        b"{}"
    );
    assert_eq!(
        now_or_never(store.specifications()).unwrap().unwrap(),
        std::slice::from_ref(&rec)
    );
    let a = now_or_never(store.create(new_analysis("through the trait", &rec, Start::Now)))
        .unwrap()
        .unwrap();
    assert_eq!(a.created_by, USER);
    clock.set(T0 + 10 * 60_000);
    let events = store.tick(&Engine::default());
    assert!(!events.is_empty());
    let got = now_or_never(store.get(a.id)).unwrap().unwrap();
    assert_ne!(got.status, AnalysisStatus::Submitted);
    let page = now_or_never(store.list(&ListQuery {
        find: "TRAIT".into(),
        ..Default::default()
    }))
    .unwrap()
    .unwrap();
    assert_eq!(page.total_elements, 1);
    let log = now_or_never(store.activity(a.id)).unwrap().unwrap();
    assert!(log.len() > 5);
    assert!(matches!(
        now_or_never(store.delete(a.id)).unwrap(),
        Err(StoreError::Refused(_))
    ));
    assert!(matches!(
        now_or_never(store.act(a.id, RunAction::Pause)).unwrap(),
        Err(StoreError::Refused(_))
    ));
    assert!(matches!(
        now_or_never(store.get(AnalysisId(9999))).unwrap(),
        Err(StoreError::AnalysisNotFound(_))
    ));
    let ids = store.add_demo();
    assert_eq!(store.remove_demo(), ids.len());
    let json = store.to_json();
    assert!(StoreState::from_json(&json).is_ok());
}

#[test]
fn carried_over_credentials_never_follow_a_target_to_another_origin() {
    let (mut st, rec) = state_with_spec();
    let mut new = new_analysis("credentialed scan", &rec, Start::Unscheduled);
    new.scans[0].auth.bearer = Some("token-for-api-example".into());
    new.scans[1].auth.basic = Some(("ada".into(), "pw-for-app-example".into()));
    let id = st.create(new, USER, T0).unwrap().id;
    let a = st.analysis(id).unwrap().clone();
    let update = |scans| AnalysisUpdate {
        scans: Some(scans),
        ..Default::default()
    };

    // Same origin, another path (and the spec's first server chosen
    // explicitly): the credentials stay.
    let mut same = vec![ScanDraft::of(&a.scans[0]), ScanDraft::of(&a.scans[1])];
    same[0].target = ScanTarget::specification(&rec, Some("https://api.example.com/v2".into()));
    same[1].target = ScanTarget::Url("https://app.example.com/login".into());
    let a = st.update(id, update(same), USER, T0 + 1).unwrap().clone();
    assert_eq!(
        a.scans[0].auth.bearer.as_deref(),
        Some("token-for-api-example")
    );
    assert!(a.scans[1].auth.basic.is_some());

    // Another origin, credentials carried over: cleared, and the log says
    // why (without the secret).
    let mut moved = vec![ScanDraft::of(&a.scans[0]), ScanDraft::of(&a.scans[1])];
    moved[0].target = ScanTarget::specification(&rec, Some("http://api.example.com/v2".into()));
    moved[1].target = ScanTarget::Url("https://app.example.com:8443/".into());
    let a = st.update(id, update(moved), USER, T0 + 2).unwrap().clone();
    assert!(a.scans[0].auth.is_empty(), "{:?}", a.scans[0].auth);
    assert!(a.scans[1].auth.is_empty(), "{:?}", a.scans[1].auth);
    let log = st.activity(id).unwrap();
    let cleared: Vec<&str> = log
        .iter()
        .filter(|e| e.details.contains("cleared"))
        .map(|e| e.details.as_str())
        .collect();
    assert_eq!(cleared.len(), 2, "{cleared:?}");
    assert!(
        cleared[0].contains("https://api.example.com")
            && cleared[0].contains("http://api.example.com")
    );
    let json = serde_json::to_string(log).unwrap();
    assert!(!json.contains("token-for-api-example") && !json.contains("pw-for-app-example"));

    // Credentials entered for the new origin are kept.
    let mut entered = ScanDraft::of(&a.scans[0]);
    entered.target = ScanTarget::specification(&rec, Some("https://other.example.org/".into()));
    entered.auth.bearer = Some("token-for-other".into());
    entered.auth_entered = true;
    let a = st
        .update(id, update(vec![entered]), USER, T0 + 3)
        .unwrap()
        .clone();
    assert_eq!(a.scans[0].auth.bearer.as_deref(), Some("token-for-other"));
}

// ---------------------------------------------------------------- honest simulation

fn notifications(events: &[Event]) -> Vec<&Notification> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Notification(n) => Some(n),
            Event::StatusChanged { .. } => None,
        })
        .collect()
}

#[test]
fn a_failed_real_prescan_is_never_followed_by_a_simulated_success() {
    let engine = Engine::new(EngineConfig::demo());
    // Every fate the engine may choose: the real prescan decides each time.
    for (outcome, name) in names_by_outcome() {
        if outcome == Outcome::NotSubmitted {
            continue;
        }
        let (mut st, rec) = state_with_spec();
        let id = st
            .create(new_analysis(&name, &rec, Start::Now), USER, T0)
            .unwrap()
            .id;
        // The engine moves it to Prescanning; the browser's prescan fails.
        engine.tick(&mut st, T0 + 3_000);
        assert_eq!(st.analysis(id).unwrap().status, AnalysisStatus::Prescanning);
        let real = st
            .record_prescan(id, false, "3 requests, 3 network errors.", USER, T0 + 5_000)
            .unwrap();
        assert!(!real.simulated);
        let events = run_to_end(&mut st, &engine, T0 + 5_000, 1_000, T0 + 200_000);
        let sent = notifications(&events);
        assert!(
            sent.iter()
                .all(|n| n.kind != NotificationKind::PrescanSucceeded),
            "{outcome:?}: {sent:?}"
        );
        let a = st.analysis(id).unwrap();
        assert_eq!(
            a.status,
            AnalysisStatus::AllVerificationsFailed,
            "{outcome:?}"
        );
        let run = a.runs.last().unwrap();
        assert_eq!(
            run.prescan_result.map(|r| (r.succeeded, r.origin)),
            Some((false, PrescanOrigin::Real))
        );
        assert!(
            !a.status_is_simulated(),
            "a real prescan decided this status"
        );
    }
}

#[test]
fn a_successful_real_prescan_is_never_followed_by_a_simulated_failure() {
    let engine = Engine::new(EngineConfig::demo());
    for (outcome, name) in names_by_outcome() {
        let (mut st, rec) = state_with_spec();
        let id = st
            .create(new_analysis(&name, &rec, Start::Now), USER, T0)
            .unwrap()
            .id;
        st.record_prescan(id, true, "3 requests, 3 responses.", USER, T0 + 1_000)
            .unwrap();
        let events = run_to_end(&mut st, &engine, T0, 1_000, T0 + 200_000);
        let sent = notifications(&events);
        assert!(
            sent.iter()
                .all(|n| n.kind != NotificationKind::PrescanFailed
                    && n.kind != NotificationKind::PrescanSucceeded),
            "{outcome:?}: the real prescan's notification was the only one: {sent:?}"
        );
        assert_ne!(
            st.analysis(id).unwrap().status,
            AnalysisStatus::AllVerificationsFailed,
            "{outcome:?}"
        );
    }
}

#[test]
fn a_late_real_failure_still_decides_while_queued() {
    let engine = Engine::new(EngineConfig::demo());
    let (outcome, name) = names_by_outcome()[0].clone();
    assert_eq!(outcome, Outcome::Succeeds);
    let (mut st, rec) = state_with_spec();
    let id = st
        .create(new_analysis(&name, &rec, Start::Now), USER, T0)
        .unwrap()
        .id;
    // Past the simulated prescan (13 s), before In Progress (18 s).
    engine.tick(&mut st, T0 + 14_000);
    assert_eq!(st.analysis(id).unwrap().status, AnalysisStatus::Queued);
    st.record_prescan(id, false, "", USER, T0 + 15_000).unwrap();
    engine.tick(&mut st, T0 + 30_000);
    assert_eq!(
        st.analysis(id).unwrap().status,
        AnalysisStatus::AllVerificationsFailed
    );
}

#[test]
fn the_engine_says_what_it_simulates() {
    let engine = Engine::new(EngineConfig::demo());
    let (mut st, rec) = state_with_spec();
    let names = names_by_outcome();
    let (_, name) = &names[0];
    let id = st
        .create(new_analysis(name, &rec, Start::Now), USER, T0)
        .unwrap()
        .id;
    let a = st.analysis(id).unwrap();
    assert!(a.status_is_simulated(), "Submitted to the simulated engine");
    let events = run_to_end(&mut st, &engine, T0, 1_000, T0 + 200_000);
    let sent = notifications(&events);
    assert!(!sent.is_empty());
    for n in &sent {
        assert!(n.simulated, "{n:?}");
        assert!(n.message().starts_with("Simulated: "), "{}", n.message());
    }
    let a = st.analysis(id).unwrap();
    assert_eq!(a.status, AnalysisStatus::PublishedResultsAvailable);
    let note = a.simulation_note().unwrap();
    assert!(note.contains("no findings"), "{note}");
    for e in st.activity(id).unwrap() {
        if e.actor == Actor::System {
            assert!(e.details.starts_with("Simulated: "), "{e:?}");
        }
    }
    // The simulated prescan's outcome is recorded as simulated.
    assert_eq!(
        a.runs[0].prescan_result.map(|r| r.origin),
        Some(PrescanOrigin::Simulated)
    );
    // A not-submitted run says why.
    let (_, failing) = names
        .iter()
        .find(|(o, _)| *o == Outcome::NotSubmitted)
        .unwrap();
    let id = st
        .create(new_analysis(failing, &rec, Start::Now), USER, T0)
        .unwrap()
        .id;
    let events = run_to_end(&mut st, &engine, T0, 1_000, T0 + 10_000);
    let n = notifications(&events)
        .into_iter()
        .find(|n| n.analysis_id == id)
        .unwrap();
    assert!(n.detail.contains("simulated engine"), "{}", n.detail);
    let note = st.analysis(id).unwrap().simulation_note().unwrap();
    assert!(note.contains("Run again"), "{note}");
}

#[test]
fn run_again_starts_a_new_run_with_the_same_configuration() {
    let engine = Engine::new(EngineConfig::demo());
    let (mut st, rec) = state_with_spec();
    let id = st
        .create(
            new_analysis("run again please", &rec, Start::Unscheduled),
            USER,
            T0,
        )
        .unwrap()
        .id;
    let refused = st.act(id, RunAction::RunAgain, USER, T0).unwrap_err();
    assert!(matches!(refused, StoreError::Refused(_)), "never ran");
    st.update(
        id,
        AnalysisUpdate {
            schedule: Some(Schedule::now(ScanDuration::Hours(4))),
            ..Default::default()
        },
        USER,
        T0,
    )
    .unwrap();
    assert!(st
        .analysis(id)
        .unwrap()
        .check(AnalysisAction::RunAgain)
        .is_err());
    run_to_end(&mut st, &engine, T0, 1_000, T0 + 200_000);
    let a = st.analysis(id).unwrap();
    assert!(a.active_run().is_none());
    assert!(a.check(AnalysisAction::RunAgain).is_ok(), "{:?}", a.status);
    let schedule = a.schedule;
    let (a, _) = st
        .act(id, RunAction::RunAgain, "Grace", T0 + 300_000)
        .unwrap();
    assert_eq!(a.status, AnalysisStatus::Submitted);
    assert_eq!(a.runs.len(), 2);
    assert_eq!(a.schedule, schedule);
    assert_eq!(a.modified_by, "Grace");
    let log = st.activity(id).unwrap();
    assert!(log
        .iter()
        .any(|e| e.kind == ActivityKind::ActionRequested && e.details == "Run again requested."));
    assert_eq!(AnalysisAction::RunAgain.api_name(), Some("RUN_AGAIN"));
}

#[test]
fn the_same_schedule_again_is_not_logged_as_a_change() {
    let (mut st, rec) = state_with_spec();
    let id = st
        .create(
            new_analysis("same schedule", &rec, Start::Unscheduled),
            USER,
            T0,
        )
        .unwrap()
        .id;
    let same = st.analysis(id).unwrap().schedule;
    st.update(
        id,
        AnalysisUpdate {
            schedule: Some(same),
            ..Default::default()
        },
        USER,
        T0,
    )
    .unwrap();
    let log = st.activity(id).unwrap();
    assert!(
        log.iter()
            .all(|e| e.old_value.is_none() || e.old_value != e.new_value),
        "{log:?}"
    );
    assert!(log.iter().all(|e| e.kind != ActivityKind::ScheduleChanged));
}

#[test]
fn demo_names_carry_no_status() {
    let mut st = StoreState::new();
    add_demo(&mut st, USER, T0);
    for a in &st.analyses {
        for s in AnalysisStatus::ALL {
            assert!(
                !a.name.contains(s.label()),
                "{} names a status, which the engine will change",
                a.name
            );
        }
    }
}

#[test]
fn visibility_is_kept_and_logged_and_the_schedule_owner_moves() {
    use prescan_core::people::Visibility;
    let (mut s, rec) = state_with_spec();
    let mut new = new_analysis("Shared nightly", &rec, Start::Unscheduled);
    new.visibility = Visibility::teams(vec!["payments".into()]);
    let id = s.create(new, USER, T0).unwrap().id;
    let a = s.analysis(id).unwrap();
    assert_eq!(a.visibility, Visibility::teams(vec!["payments".into()]));
    assert_eq!(a.schedule_owner(), USER, "its creator, at first");
    let created = &s.activity[&id][0].details;
    assert!(
        created.contains("visible to security leads and the team payments"),
        "{created}"
    );
    // Someone else changes its name: the schedule owner stays.
    s.update(
        id,
        AnalysisUpdate {
            name: Some("Shared nightly 2".into()),
            ..AnalysisUpdate::default()
        },
        "Grace Hopper",
        T0 + 1,
    )
    .unwrap();
    assert_eq!(s.analysis(id).unwrap().schedule_owner(), USER);
    // Someone else sets its schedule: the owner moves to them; the
    // visibility change is logged with both values.
    s.update(
        id,
        AnalysisUpdate {
            schedule: Some(Schedule::now(ScanDuration::Hours(2))),
            visibility: Some(Visibility::SecLeadsOnly),
            ..AnalysisUpdate::default()
        },
        "Grace Hopper",
        T0 + 2,
    )
    .unwrap();
    let a = s.analysis(id).unwrap();
    assert_eq!(a.schedule_owner(), "Grace Hopper");
    assert_eq!(a.visibility, Visibility::SecLeadsOnly);
    let changed = s.activity[&id]
        .iter()
        .find(|e| e.details == "Visibility changed.")
        .expect("logged");
    assert_eq!(
        (changed.old_value.as_deref(), changed.new_value.as_deref()),
        (
            Some("security leads and the team payments"),
            Some("security leads only")
        )
    );
    // Its notifications go to the schedule owner.
    let n = s
        .record_prescan(id, false, "1 of 1 requests failed.", "Grace Hopper", T0 + 3)
        .unwrap();
    assert_eq!(
        n.recipients,
        Recipients::ScheduleOwner("Grace Hopper".into())
    );
    // Saved and read back (an older save has neither field: defaults).
    let json = serde_json::to_string(s.analysis(id).unwrap()).unwrap();
    let back: Analysis = serde_json::from_str(&json).unwrap();
    assert_eq!(back.schedule_owner(), "Grace Hopper");
    let mut old: serde_json::Value = serde_json::from_str(&json).unwrap();
    old.as_object_mut().unwrap().remove("visibility");
    old.as_object_mut().unwrap().remove("schedule_set_by");
    let old: Analysis = serde_json::from_value(old).unwrap();
    assert_eq!(old.visibility, Visibility::SecLeadsOnly);
    assert_eq!(old.schedule_owner(), USER);
}

/// A specification split over two files is stored whole: the record lists
/// both, the store gives both back (root first) and they convert as the
/// first time; the same files again are reused, a changed file is not; the
/// state's JSON keeps them.
#[test]
fn a_specification_of_several_files_is_stored_with_all_its_files() {
    use prescan_core::{convert_files, ConvertOptions, SourceFile};
    let root = "openapi: 3.0.3\ninfo: {title: Pets, version: '1'}\npaths:\n  /pets:\n    post:\n      requestBody:\n        content:\n          application/json:\n            schema: {$ref: './schemas.yaml#/Pet'}\n      responses: {'200': {description: ok}}\n";
    let schemas = "Pet:\n  type: object\n  required: [nickname]\n  properties:\n    nickname: {type: string, example: Rex}\n";
    let files = vec![
        SourceFile {
            name: "schemas.yaml".into(),
            bytes: schemas.into(),
        },
        SourceFile {
            name: "openapi.yaml".into(),
            bytes: root.into(),
        },
    ];
    let options = ConvertOptions::default();
    let first = convert_files(&files, &options).unwrap();
    let upload = SpecUpload::from_files(&first.spec, files.clone());
    assert_eq!(upload.file_name, "openapi.yaml");
    let store = MemoryStore::new(USER, || T0);
    let rec = now_or_never(store.put_specification(upload.clone()))
        .unwrap()
        .unwrap();
    let names: Vec<_> = rec.file_list().into_iter().map(|f| f.name).collect();
    assert_eq!(names, ["openapi.yaml", "schemas.yaml"]);
    assert_eq!(rec.size, root.len() + schemas.len());
    let stored = now_or_never(store.specification_files(rec.id))
        .unwrap()
        .unwrap();
    assert_eq!(stored.len(), 2);
    assert_eq!(stored[0].name, "openapi.yaml");
    let again = convert_files(&stored, &options).unwrap();
    assert_eq!(again.har, first.har);
    let har = serde_json::to_string(&again.har).unwrap();
    assert!(har.contains("nickname"), "{har}");
    assert!(!again.spec.diagnostics.iter().any(
        |d| d.message.contains("schemas.yaml") && d.severity == prescan_core::Severity::Warning
    ));
    // The same files again: reused; one byte changed in the other file: new.
    let same = now_or_never(store.put_specification(upload.clone()))
        .unwrap()
        .unwrap();
    assert_eq!(same.id, rec.id);
    let mut changed = upload;
    changed.others[0].bytes.push(b'\n');
    let other = now_or_never(store.put_specification(changed))
        .unwrap()
        .unwrap();
    assert_ne!(other.id, rec.id);
    // The JSON of the state keeps every file.
    let json = store.to_json();
    let back = StoreState::from_json(&json).unwrap();
    assert_eq!(back.specification(rec.id).unwrap().source_files(), stored);
}

// ------------------------------------------------------ scope and values

#[test]
fn scope_and_values_are_kept_validated_and_logged() {
    use prescan_core::plan::Method;
    use prescan_core::scope::{Scope, ScopeDecision, ScopeRule, Selector};
    use prescan_core::values::ValueOverrides;

    let (mut st, rec) = state_with_spec();
    let id = st
        .create(
            new_analysis("scoped scan", &rec, Start::Unscheduled),
            USER,
            T0,
        )
        .unwrap()
        .id;
    let drafts = |st: &StoreState| -> Vec<ScanDraft> {
        st.analysis(id)
            .unwrap()
            .scans
            .iter()
            .map(ScanDraft::of)
            .collect()
    };
    let update = |st: &mut StoreState, scans: Vec<ScanDraft>| {
        st.update(
            id,
            AnalysisUpdate {
                scans: Some(scans),
                ..Default::default()
            },
            USER,
            T0 + 1,
        )
        .cloned()
    };
    let mut scans = drafts(&st);
    scans[0].scope = Scope {
        rules: vec![
            ScopeRule {
                selector: Selector::Tag("admin".into()),
                decision: ScopeDecision::Exclude,
            },
            ScopeRule {
                selector: Selector::Endpoint {
                    method: Method::Get,
                    path: "/admin/health".into(),
                },
                decision: ScopeDecision::Include,
            },
        ],
    };
    scans[0].values = ValueOverrides::parse_lines("petId=42\nGET /orders/{id} id=1001").unwrap();
    let a = update(&mut st, scans).unwrap();
    assert_eq!(a.scans[0].scope.rules.len(), 2);
    assert_eq!(a.scans[0].values.entries.len(), 2);
    let log = st.activity(id).unwrap();
    let scope = log
        .iter()
        .find(|e| e.details == "Scope of scan petstore.yaml changed.")
        .expect("the scope change is logged");
    assert_eq!(scope.old_value.as_deref(), Some("Every endpoint included"));
    assert_eq!(
        scope.new_value.as_deref(),
        Some("2 rules: Exclude tag admin; Include GET /admin/health")
    );
    let values = log
        .iter()
        .find(|e| e.details == "Values of scan petstore.yaml changed.")
        .expect("the values change is logged");
    assert_eq!(
        values.new_value.as_deref(),
        Some("2 values: petId=42; GET /orders/{id} id=1001")
    );

    // The same scope again: nothing logged.
    let before = st.activity(id).unwrap().len();
    let same = drafts(&st);
    update(&mut st, same).unwrap();
    assert_eq!(st.activity(id).unwrap().len(), before);

    // Over the budget, a bad rule, or scope on a URL scan: refused, nothing kept.
    let mut scans = drafts(&st);
    scans[0].scope.rules = vec![
        ScopeRule {
            selector: Selector::Path("/x/*".into()),
            decision: ScopeDecision::Exclude,
        };
        prescan_core::scope::MAX_SCOPE_RULES + 1
    ];
    assert_eq!(
        fields(update(&mut st, scans).unwrap_err()),
        vec![Field::Scans]
    );
    let mut scans = drafts(&st);
    scans[0].scope.rules[0].selector = Selector::Path("no-slash".into());
    assert_eq!(
        fields(update(&mut st, scans).unwrap_err()),
        vec![Field::Scans]
    );
    let mut scans = drafts(&st);
    scans[1].values = ValueOverrides::parse_lines("id=1").unwrap();
    let e = update(&mut st, scans).unwrap_err();
    assert!(format!("{e:?}").contains("URL scan"), "{e:?}");
    assert_eq!(st.analysis(id).unwrap().scans[0].scope.rules.len(), 2);

    // Reset: logged back to everything included.
    let mut scans = drafts(&st);
    scans[0].scope = Scope::default();
    update(&mut st, scans).unwrap();
    let last = st
        .activity(id)
        .unwrap()
        .iter()
        .rev()
        .find(|e| e.details.starts_with("Scope of scan"))
        .unwrap()
        .clone();
    assert_eq!(last.new_value.as_deref(), Some("Every endpoint included"));
}
