//! The list's state and texts without a browser: the URL's query, the
//! store's query, the count line, the export's name and the caption.

use super::*;

fn q(pairs: &[(&str, &str)]) -> Query {
    Query(
        pairs
            .iter()
            .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
            .collect(),
    )
}

/// The list the page starts with: everything, a page of the largest size.
fn everything() -> ListQuery {
    ListQuery {
        size: MAX_PAGE_SIZE,
        ..ListQuery::default()
    }
}

#[test]
fn the_list_round_trips_through_the_url() {
    let list = ListQuery {
        find: "Pay API".into(),
        status: Some(AnalysisStatus::InProgress),
        sort: SortKey::LastRun,
        descending: true,
        page: 2,
        size: MAX_PAGE_SIZE,
    };
    let query = to_url(&list);
    assert_eq!(
        query.to_query_string(),
        "q=Pay%20API&status=In%20Progress&sort=last&dir=desc&page=3"
    );
    assert_eq!(from_url(&query), list);
    assert_eq!(to_url(&everything()).to_query_string(), "");
    assert_eq!(from_url(&q(&[])), everything());
}

#[test]
fn unreadable_query_values_fall_back_to_defaults() {
    let list = from_url(&q(&[
        ("status", "in progress"),
        ("sort", "size"),
        ("dir", "up"),
        ("page", "-1"),
        ("size", "5"),
    ]));
    assert_eq!(list, everything());
    assert_eq!(from_url(&q(&[("page", "0")])).page, 0);
    for key in [
        SortKey::Name,
        SortKey::Status,
        SortKey::LastRun,
        SortKey::NextRun,
    ] {
        assert_eq!(parse_sort(sort_param(key)), Some(key));
    }
}

#[test]
fn count_line_and_file_name() {
    assert_eq!(count_line(12, 1024), "12 of 1,024 analyses");
    assert_eq!(count_line(1, 1), "1 of 1 analysis");
    assert_eq!(count_line(0, 0), "0 of 0 analyses");
    assert_eq!(
        export_file_name(2025, 3, 1),
        "prescan-analyses-2025-03-01.json"
    );
}

#[test]
fn caption_says_what_and_in_which_order() {
    let page = Page::<()> {
        items: vec![],
        number: 1,
        size: 100,
        total_elements: 250,
        total_pages: 3,
    };
    let state = ListQuery {
        find: "pet".into(),
        status: Some(AnalysisStatus::Scheduled),
        sort: SortKey::NextRun,
        descending: false,
        page: 1,
        size: MAX_PAGE_SIZE,
    };
    assert_eq!(
        caption(&state, &page),
        "Dynamic Analyses with the status Scheduled whose name contains \u{201c}pet\u{201d}, sorted by next run (oldest first), page 2 of 3"
    );
}

#[test]
fn export_and_import_on_a_server_say_what_they_do() {
    use prescan_core::people::{Principal, Role};
    let lead = Principal {
        name: "Lee".into(),
        roles: vec![Role::SecurityLead],
        teams: vec![],
    };
    assert_eq!(transfer::transfer_refused(&lead), None);
    let creator = Principal {
        roles: vec![Role::Creator],
        ..lead.clone()
    };
    let why = transfer::transfer_refused(&creator).unwrap();
    assert!(
        why.contains("only security leads") && why.contains("Creator"),
        "{why}"
    );
    let base = "https://prescan.example.com";
    let ask = transfer::import_confirm("x.json", 3, base);
    assert!(ask.contains("adds its 3 analyses to the server at https://prescan.example.com"));
    assert!(ask.contains("Nothing on the server is replaced or deleted"));
    let result = prescan_core::api::ImportResult {
        analysis_ids: vec![AnalysisId(7), AnalysisId(9), AnalysisId(11)],
        spec_ids: vec![],
        demo_left_out: 0,
    };
    assert_eq!(
        transfer::import_done("x.json", &result, base),
        "Imported 3 analyses from x.json into the server at https://prescan.example.com; nothing there was replaced."
    );
    let demo = prescan_core::api::ImportResult {
        demo_left_out: 1,
        ..result
    };
    assert!(transfer::import_done("x.json", &demo, base)
        .ends_with(" 1 demo analysis was left out: demo data stays in browsers."));
    // The server's sentence, said once.
    let failed = transfer::import_failed(
        "x.json",
        "The file's analysis \"A\" is already on the server. Analysis names are unique, so nothing was imported; rename it in the file (or on the server) and import it again.",
        base,
    );
    assert!(failed.starts_with(
        "x.json could not be imported into the server at https://prescan.example.com. The file's analysis"
    ));
    assert!(!failed.contains("Nothing on the server was changed"));
    assert!(
        transfer::import_failed("x.json", "Can't reach the server.", base)
            .ends_with("Nothing on the server was changed.")
    );
}

#[test]
fn an_export_too_large_to_read_is_refused_before_it_is_read() {
    assert_eq!(export_too_large("a.json", MAX_EXPORT_FILE_BYTES), None);
    let why = export_too_large("a.json", MAX_EXPORT_FILE_BYTES + 1).unwrap();
    assert!(why.starts_with("a.json is "), "{why}");
    assert!(why.ends_with("Nothing was imported."), "{why}");
}
