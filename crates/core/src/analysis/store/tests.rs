use super::edit::valid_url;
use super::*;
use crate::analysis::state::base64_bytes;

#[test]
fn base64_round_trip() {
    for bytes in [&b""[..], b"f", b"fo", b"foo", b"foob", &[0, 255, 128, 7]] {
        assert_eq!(
            base64_bytes::decode(&crate::encode::base64(bytes)).as_deref(),
            Some(bytes)
        );
    }
    assert_eq!(base64_bytes::decode("Zg="), None);
    assert_eq!(base64_bytes::decode("Z==="), None);
    assert_eq!(base64_bytes::decode("Zg==Zg=="), None);
    assert_eq!(base64_bytes::decode("Z!=="), None);
}

#[test]
fn folded_search_and_compare() {
    assert!(contains_folded("Weekly PETSTORE scan", "petstore"));
    assert!(contains_folded("Ümlaut Straße", "ümlaut"));
    assert!(!contains_folded("abc", "abcd"));
    assert!(contains_folded("abc", ""));
    assert!(cmp_folded("alpha", "BETA").is_lt());
    assert!(cmp_folded("Ärger", "ärger").is_eq());
    assert!(same_name("Petstore Scan", "petstore scan"));
    assert!(!same_name("Petstore Scan", "petstore scan 2"));
    // Beyond ASCII: lengths in bytes differ, yet the names are the same
    // (KELVIN SIGN lowercases to "k"), or they differ only beyond ASCII.
    assert!(same_name("\u{212A}ey", "key"));
    assert!(same_name("KEY", "\u{212A}ey"));
    assert!(same_name("ÄRGER", "ärger"));
    assert!(!same_name("ärger", "arger"));
    assert!(!same_name("", "a"));
    assert!(same_name("", ""));
}

/// `same_name` is `cmp_folded(..).is_eq()` and `push_folded` gives
/// `cmp_folded`'s order, on names mixing ASCII and other cases.
#[test]
fn the_fast_paths_agree_with_cmp_folded() {
    const PARTS: [&str; 9] = ["a", "A", "k", "K", "\u{212A}", "ä", "Ä", "ß", " "];
    let mut names = vec![String::new()];
    for a in PARTS {
        names.push(a.to_string());
        for b in PARTS {
            names.push(format!("{a}{b}"));
            names.push(format!("x{a}{b}y"));
        }
    }
    let fold = |s: &str| {
        let mut out = String::new();
        push_folded(&mut out, s);
        out
    };
    for a in &names {
        for b in &names {
            let expected = cmp_folded(a, b);
            assert_eq!(same_name(a, b), expected.is_eq(), "{a:?} {b:?}");
            assert_eq!(fold(a).cmp(&fold(b)), expected, "{a:?} {b:?}");
        }
    }
}

/// The list as it was before its selection: a full sort of every match
/// with `cmp_folded`, then a page of it.
fn list_by_full_sort(state: &StoreState, q: &ListQuery) -> Page<AnalysisSummary> {
    use std::cmp::Ordering::*;
    let needle: String = q.find.trim().chars().flat_map(char::to_lowercase).collect();
    let mut rows: Vec<&Analysis> = state
        .analyses
        .iter()
        .filter(|a| q.status.is_none_or(|s| a.status == s))
        .filter(|a| contains_folded(&a.name, &needle))
        .collect();
    let by_time = |x: Option<i64>, y: Option<i64>| match (x, y) {
        (Some(x), Some(y)) => Some(x.cmp(&y)),
        _ => None,
    };
    rows.sort_by(|a, b| {
        let primary = match q.sort {
            SortKey::Name => Some(cmp_folded(&a.name, &b.name)),
            SortKey::Status => Some(a.status.label().cmp(b.status.label())),
            SortKey::LastRun => by_time(a.last_run_ms(), b.last_run_ms()),
            SortKey::NextRun => by_time(a.next_run_ms(), b.next_run_ms()),
        };
        let primary = match primary {
            Some(o) if q.descending => o.reverse(),
            Some(o) => o,
            None => {
                let (x, y) = match q.sort {
                    SortKey::LastRun => (a.last_run_ms(), b.last_run_ms()),
                    _ => (a.next_run_ms(), b.next_run_ms()),
                };
                match (x.is_some(), y.is_some()) {
                    (true, false) => Less,
                    (false, true) => Greater,
                    _ => Equal,
                }
            }
        };
        primary
            .then_with(|| cmp_folded(&a.name, &b.name))
            .then(a.id.cmp(&b.id))
    });
    let size = q.size.clamp(1, MAX_PAGE_SIZE);
    let total = rows.len();
    let items = rows
        .iter()
        .skip(q.page.saturating_mul(size))
        .take(size)
        .map(|a| AnalysisSummary::of(a))
        .collect();
    Page {
        items,
        number: q.page,
        size,
        total_elements: total,
        total_pages: total.div_ceil(size),
    }
}

/// One random analysis: name parts, status, last run, next run.
type RandomAnalysis = (Vec<usize>, usize, Option<i64>, Option<i64>);

fn random_state(rows: &[RandomAnalysis]) -> StoreState {
    const PARTS: [&str; 10] = ["a", "A", "b", "B", "k", "\u{212A}", "ä", "Ä", "ß", " "];
    const STATUSES: [AnalysisStatus; 5] = [
        AnalysisStatus::Scheduled,
        AnalysisStatus::SavedForLater,
        AnalysisStatus::InProgress,
        AnalysisStatus::Queued,
        AnalysisStatus::Submitted,
    ];
    let store = MemoryStore::new("Ana", || 1_000);
    store.add_demo();
    let demo = store.state().clone();
    let with_run = demo
        .analyses
        .iter()
        .find(|a| !a.runs.is_empty())
        .expect("a demo analysis has run")
        .clone();
    let mut state = StoreState::new();
    for (i, (parts, status, last, next)) in rows.iter().enumerate() {
        let mut a = with_run.clone();
        a.id = AnalysisId(100 + i as u64);
        a.name = parts.iter().map(|p| PARTS[p % PARTS.len()]).collect();
        a.status = STATUSES[status % STATUSES.len()];
        match last {
            Some(t) => a.runs.last_mut().expect("a run").submitted_ms = *t,
            None => a.runs.clear(),
        }
        a.schedule.start = match next {
            Some(t) => Start::At(*t),
            None => Start::Unscheduled,
        };
        state.analyses.push(a);
    }
    state
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]
    #[test]
    fn the_list_pages_as_a_full_sort_does(
        rows in proptest::collection::vec(
            (
                proptest::collection::vec(0usize..10, 0..4),
                0usize..5,
                proptest::option::of(0i64..4),
                proptest::option::of(0i64..4),
            ),
            0..40,
        ),
        find in proptest::sample::select(vec!["", "a", "K", "ä", " b", "zz"]),
        status in proptest::option::of(0usize..5),
        sort in 0usize..4,
        descending in proptest::bool::ANY,
        page in 0usize..8,
        size in 0usize..9,
    ) {
        let state = random_state(&rows);
        let q = ListQuery {
            find: find.to_string(),
            status: status.map(|s| state.analyses.get(s).map_or(AnalysisStatus::Queued, |a| a.status)),
            sort: [SortKey::Name, SortKey::Status, SortKey::LastRun, SortKey::NextRun][sort],
            descending,
            page,
            size,
        };
        proptest::prop_assert_eq!(state.list(&q), list_by_full_sort(&state, &q));
    }
}

#[test]
fn a_large_list_pages_as_a_full_sort_does() {
    // Every page of 400 analyses with many ties, in every order.
    let rows: Vec<RandomAnalysis> = (0..400usize)
        .map(|i| {
            let parts = vec![i % 7, i / 7 % 5, i / 35 % 10];
            let last = (i % 3 != 0).then_some((i % 11) as i64);
            let next = (i % 4 != 0).then_some((i % 13) as i64);
            (parts, i % 5, last, next)
        })
        .collect();
    let state = random_state(&rows);
    for sort in [
        SortKey::Name,
        SortKey::Status,
        SortKey::LastRun,
        SortKey::NextRun,
    ] {
        for descending in [false, true] {
            for size in [7, 20, 150] {
                for page in 0..=400 / size {
                    let q = ListQuery {
                        sort,
                        descending,
                        page,
                        size,
                        ..ListQuery::default()
                    };
                    assert_eq!(state.list(&q), list_by_full_sort(&state, &q), "{q:?}");
                }
            }
        }
    }
}

#[test]
fn passwords_in_urls_are_masked() {
    assert_eq!(
        crate::analysis::model::without_password("https://bob:hunter2@example.com/a@b"),
        "https://bob:***@example.com/a@b"
    );
    let plain = crate::analysis::model::without_password;
    assert_eq!(plain("https://example.com/x"), "https://example.com/x");
    assert_eq!(plain("not a url"), "not a url");
}

#[test]
fn urls() {
    assert!(valid_url("https://example.com"));
    assert!(valid_url("http://10.0.0.1:8080/app"));
    assert!(!valid_url("ftp://example.com"));
    assert!(!valid_url("https://"));
    assert!(!valid_url("https:///path"));
    assert!(!valid_url("https://exa mple.com"));
}
fn sample_prescan(secret: &str) -> crate::prescan::PrescanReport {
    use crate::prescan::{PlannedRequest, PrescanPlan, PrescanReport, PrescanSettings};
    let plan = PrescanPlan {
        settings: PrescanSettings::default(),
        origin: None,
        requests: vec![PlannedRequest {
            index: 0,
            method: "GET".into(),
            url: "http://127.0.0.1:4010/pets".into(),
            headers: vec![("Authorization".into(), format!("Bearer {secret}"))],
            withheld_headers: Vec::new(),
            placeholders_left_out: Vec::new(),
            body: None,
            content_type: None,
        }],
        skipped: Vec::new(),
        total_entries: 1,
        entries: Vec::new(),
        credential_notes: Vec::new(),
        coverage: None,
    };
    PrescanReport::new(plan, Vec::new(), 1)
}

fn first_scan(state: &StoreState) -> (AnalysisId, ScanId) {
    let a = &state.analyses[0];
    (a.id, a.scans[0].id)
}

#[test]
fn the_last_prescan_survives_a_save_and_load() {
    let store = MemoryStore::new("Ana", || 1_000);
    store.add_demo();
    let mut state = store.state().clone();
    let (_, scan) = first_scan(&state);
    assert!(state.last_prescan(scan).is_none());
    state.save_prescan(scan, sample_prescan("old"), &crate::ScanAuth::default());
    state.save_prescan(scan, sample_prescan("new"), &crate::ScanAuth::default());
    assert_eq!(state.last_prescan(scan), Some(&sample_prescan("new")));
    let back = StoreState::from_json(&state.to_json()).expect("loads");
    assert_eq!(back.last_prescan(scan), Some(&sample_prescan("new")));
    assert_eq!(back, state);
    let full = StoreState::from_json(&state.export_json(true)).expect("loads");
    assert_eq!(full.last_prescan(scan), Some(&sample_prescan("new")));
}

#[test]
fn a_saved_prescan_keeps_no_credential_value() {
    let store = MemoryStore::new("Ana", || 1_000);
    store.add_demo();
    let mut state = store.state().clone();
    let (_, scan) = first_scan(&state);
    // Typed on the Prescan page for this run.
    let typed = crate::ScanAuth {
        bearer: Some("typed-for-this-run".into()),
        ..Default::default()
    };
    state.save_prescan(scan, sample_prescan("typed-for-this-run"), &typed);
    // The scan's own credentials, also masked.
    for s in state.analyses.iter_mut().flat_map(|a| a.scans.iter_mut()) {
        if s.id == scan {
            s.auth.bearer = Some("stored-with-the-scan".into());
        }
    }
    let mut other = sample_prescan("stored-with-the-scan");
    other.plan.requests[0]
        .headers
        .push(("X-Typed".into(), "typed-for-this-run".into()));
    state.save_prescan(scan, other, &typed);
    let text = serde_json::to_string(&state.prescans).unwrap();
    assert!(!text.contains("typed-for-this-run"), "{text}");
    assert!(!text.contains("stored-with-the-scan"), "{text}");
    assert!(text.contains(crate::api::REDACTED));
}

#[test]
fn an_export_without_credentials_leaves_the_prescans_out() {
    let store = MemoryStore::new("Ana", || 1_000);
    store.add_demo();
    let mut state = store.state().clone();
    let (_, scan) = first_scan(&state);
    state.save_prescan(
        scan,
        sample_prescan("s3cr3t-token"),
        &crate::ScanAuth::default(),
    );
    let text = state.export_json(false);
    assert!(!text.contains("s3cr3t-token"));
    let back = StoreState::from_json(&text).expect("loads");
    assert!(back.prescans.is_empty());
    assert!(state.export_json(true).contains("s3cr3t-token"));
}

#[test]
fn deleting_an_analysis_drops_its_prescans() {
    let store = MemoryStore::new("Ana", || 1_000);
    store.add_demo();
    let mut state = store.state().clone();
    let deletable: Vec<(AnalysisId, ScanId)> = state
        .analyses
        .iter()
        .filter(|a| a.check(AnalysisAction::Delete).is_ok())
        .map(|a| (a.id, a.scans[0].id))
        .collect();
    let (id, scan) = deletable[0];
    let other = state
        .analyses
        .iter()
        .find(|a| a.id != id)
        .map(|a| a.scans[0].id)
        .expect("another analysis");
    state.save_prescan(scan, sample_prescan("a"), &crate::ScanAuth::default());
    state.save_prescan(other, sample_prescan("b"), &crate::ScanAuth::default());
    state.delete(id).expect("deleted");
    assert!(state.last_prescan(scan).is_none());
    assert!(state.last_prescan(other).is_some());
    state.remove_demo();
    assert!(state.prescans.is_empty());
}

#[test]
fn an_older_save_without_prescans_loads() {
    let store = MemoryStore::new("Ana", || 1_000);
    store.add_demo();
    let state = store.state().clone();
    let mut value: serde_json::Value = serde_json::from_str(&state.to_json()).unwrap();
    value.as_object_mut().unwrap().remove("prescans");
    let text = value.to_string();
    assert!(!text.contains("prescans"));
    let back = StoreState::from_json(&text).expect("loads");
    assert!(back.prescans.is_empty());
    assert_eq!(back, state);
    let minimal = format!(r#"{{"version":{STORE_VERSION},"next_id":1,"analyses":[]}}"#);
    let empty = StoreState::from_json(&minimal).expect("loads");
    assert!(empty.prescans.is_empty());
}

#[test]
fn a_prescan_of_an_unknown_scan_is_dropped_on_load() {
    let mut state = StoreState::new();
    state.save_prescan(ScanId(42), sample_prescan("x"), &crate::ScanAuth::default());
    let back = StoreState::from_json(&state.to_json()).expect("loads");
    assert!(back.prescans.is_empty());
}

#[test]
fn a_prescan_is_logged_and_notified() {
    let store = MemoryStore::new("Ana", || 1_000);
    let id = store.add_demo()[0];
    let before = store.state().activity(id).map(<[_]>::len).unwrap_or(0);
    let n = store
        .with_state_mut(|s| {
            s.record_prescan(id, false, "3 requests, 1 network error.", "Ana", 5_000)
        })
        .unwrap();
    assert_eq!(n.kind, NotificationKind::PrescanFailed);
    assert_eq!(n.analysis_id, id);
    assert_eq!(n.detail, "3 requests, 1 network error.");
    let state = store.state();
    let log = state.activity(id).unwrap();
    assert_eq!(log.len(), before + 1);
    let last = log.last().unwrap();
    assert_eq!(last.at_ms, 5_000);
    assert_eq!(last.actor, Actor::user("Ana"));
    assert!(last.details.starts_with("Prescan failed. 3 requests"));
    assert!(last
        .details
        .ends_with("The prescan of a Dynamic Analysis failed."));
    drop(state);
    let ok = store.with_state_mut(|s| s.record_prescan(id, true, "", "Ana", 6_000));
    assert_eq!(ok.unwrap().kind, NotificationKind::PrescanSucceeded);
    let missing =
        store.with_state_mut(|s| s.record_prescan(AnalysisId(999_999), true, "", "Ana", 0));
    assert!(matches!(missing, Err(StoreError::AnalysisNotFound(_))));
}

/// A store with the demo data (specifications with bytes) and a
/// prescan.
fn full_state() -> StoreState {
    let store = MemoryStore::new("Ana", || 1_000);
    store.add_demo();
    let mut state = store.state().clone();
    let (_, scan) = first_scan(&state);
    state.save_prescan(scan, sample_prescan("kept"), &crate::ScanAuth::default());
    assert!(!state.specifications.is_empty());
    assert!(state.specifications.iter().all(|s| !s.bytes.is_empty()));
    state
}

#[test]
fn a_state_without_bytes_round_trips_with_the_bytes_put_back() {
    let state = full_state();
    let slim = state.to_json_without_bytes();
    for spec in &state.specifications {
        assert!(
            !slim.contains(&crate::encode::base64(&spec.bytes)),
            "bytes left in the saved state"
        );
    }
    assert!(slim.len() < state.to_json().len());
    let saved = StoreState::from_saved_json(&slim).expect("loads");
    let ids: Vec<SpecId> = state.specifications.iter().map(|s| s.record.id).collect();
    assert_eq!(saved.bytes_apart, ids);
    let mut back = saved.state;
    assert!(back.specifications.iter().all(|s| s.bytes.is_empty()));
    for (spec, original) in back.specifications.iter_mut().zip(&state.specifications) {
        spec.bytes = original.bytes.clone();
    }
    assert_eq!(back, state);
}

#[test]
fn an_older_save_with_the_bytes_inline_still_loads() {
    let state = full_state();
    let saved = StoreState::from_saved_json(&state.to_json()).expect("loads");
    assert!(saved.bytes_apart.is_empty());
    assert_eq!(saved.state, state);
}

#[test]
fn an_export_holds_the_bytes_and_its_import_restores_them() {
    let state = full_state();
    for credentials in [false, true] {
        let export = state.export_json(credentials);
        let back = StoreState::from_json(&export).expect("imports");
        assert_eq!(back.specifications, state.specifications);
    }
    // A save without bytes is not an export: importing it is refused
    // rather than giving specifications without their files.
    assert!(matches!(
        StoreState::from_json(&state.to_json_without_bytes()),
        Err(ImportError::Corrupt { .. })
    ));
}

#[test]
fn a_saved_specification_without_bytes_or_marker_is_refused() {
    let state = full_state();
    let slim = state.to_json_without_bytes();
    let unmarked = slim.replace("\"bytes_apart\":true,", "");
    assert_ne!(unmarked, slim);
    assert!(matches!(
        StoreState::from_saved_json(&unmarked),
        Err(ImportError::Corrupt { .. })
    ));
    let other_version = slim.replacen("\"version\":1", "\"version\":9", 1);
    assert!(matches!(
        StoreState::from_saved_json(&other_version),
        Err(ImportError::OtherVersion { .. })
    ));
}

#[test]
fn an_export_without_credentials_empties_the_oauth_secrets() {
    let store = MemoryStore::new("Ana", || 1_000);
    store.add_demo();
    let mut state = store.state().clone();
    let scan = state
        .analyses
        .iter_mut()
        .flat_map(|a| a.scans.iter_mut())
        .next()
        .unwrap();
    scan.auth.oauth = Some(crate::oauth::OAuth {
        grant: crate::oauth::OAuthGrant::Password {
            user_name: "alice".into(),
            password: "oauth-user-pa55word".into(),
        },
        token_url: "https://auth.example.com/token".into(),
        client_id: "client-1".into(),
        client_secret: "oauth-client-s3cret".into(),
        ..crate::oauth::OAuth::default()
    });
    let text = state.export_json(false);
    assert!(!text.contains("oauth-user-pa55word") && !text.contains("oauth-client-s3cret"));
    assert!(text.contains("https://auth.example.com/token") && text.contains("client-1"));
    let back = StoreState::from_json(&text).expect("loads");
    assert!(back
        .analyses
        .iter()
        .flat_map(|a| &a.scans)
        .any(|s| s.auth.oauth.is_some()));
    assert!(state.export_json(true).contains("oauth-client-s3cret"));
}

#[test]
fn an_export_without_credentials_keeps_only_a_certificates_name() {
    let store = MemoryStore::new("Ana", || 1_000);
    store.add_demo();
    let mut state = store.state().clone();
    let (_, scan) = first_scan(&state);
    for s in state.analyses.iter_mut().flat_map(|a| a.scans.iter_mut()) {
        if s.id == scan {
            s.auth.client_certificate = Some(crate::ClientCertificate {
                file_name: "client.p12".into(),
                pkcs12_base64: "UFJJVkFURS1LRVk=".into(),
                passphrase: "open-sesame".into(),
            });
        }
    }
    let text = state.export_json(false);
    assert!(!text.contains("UFJJVkFURS1LRVk=") && !text.contains("open-sesame"));
    assert!(text.contains("client.p12"));
    assert!(state.export_json(true).contains("open-sesame"));
}
