//! The list's state and texts without a browser: the URL's query, the
//! store's query, the count line, the export's name and the caption.

use super::*;
use prescan_core::analysis::MAX_PAGE_SIZE;

fn q(pairs: &[(&str, &str)]) -> Query {
    Query(
        pairs
            .iter()
            .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
            .collect(),
    )
}

#[test]
fn list_state_round_trips_through_the_query() {
    let state = ListState {
        find: "Pay API".into(),
        status: Some(AnalysisStatus::InProgress),
        sort: SortKey::LastRun,
        descending: true,
        page: 2,
    };
    let query = state.to_query();
    assert_eq!(
        query.to_query_string(),
        "q=Pay%20API&status=In%20Progress&sort=last&dir=desc&page=3"
    );
    assert_eq!(ListState::from_query(&query), state);
    assert_eq!(ListState::default().to_query().to_query_string(), "");
}

#[test]
fn unreadable_query_values_fall_back_to_defaults() {
    let state = ListState::from_query(&q(&[
        ("status", "in progress"),
        ("sort", "size"),
        ("dir", "up"),
        ("page", "-1"),
    ]));
    assert_eq!(state, ListState::default());
    let state = ListState::from_query(&q(&[("page", "0")]));
    assert_eq!(state.page, 0);
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
fn list_query_pages_by_the_largest_size_and_trims() {
    let state = ListState {
        find: "  pet ".into(),
        ..ListState::default()
    };
    let lq = state.list_query();
    assert_eq!(lq.find, "pet");
    assert_eq!(lq.size, MAX_PAGE_SIZE);
    assert!(state.is_filtered());
    assert!(!ListState::default().is_filtered());
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
    let state = ListState {
        find: "pet".into(),
        status: Some(AnalysisStatus::Scheduled),
        sort: SortKey::NextRun,
        descending: false,
        page: 1,
    };
    assert_eq!(
        caption(&state, &page),
        "Dynamic Analyses with the status Scheduled whose name contains \u{201c}pet\u{201d}, sorted by next run (oldest first), page 2 of 3"
    );
}
