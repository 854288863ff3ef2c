//! The page's functions that need no browser: reading the form, the file
//! names (the summary sentence is the core's `PrescanReport::summary_sentence`).

use super::*;

#[test]
fn custom_headers_are_one_per_line() {
    assert_eq!(
        parse_headers("X-API-Key: abc\n\n  X-Team :  red:blue "),
        Ok(vec![
            ("X-API-Key".into(), "abc".into()),
            ("X-Team".into(), "red:blue".into())
        ])
    );
    assert!(parse_headers("X-API-Key abc")
        .unwrap_err()
        .contains("Line 1"));
    assert!(parse_headers("ok: 1\nbad name: 2")
        .unwrap_err()
        .contains("Line 2"));
}

#[test]
fn the_target_must_be_fully_qualified() {
    assert_eq!(
        check_base_url(" http://127.0.0.1:4010 ").as_deref(),
        Ok("http://127.0.0.1:4010")
    );
    assert!(check_base_url("").is_err());
    assert!(check_base_url("/v1").is_err());
    assert!(check_base_url("ftp://example.com").is_err());
}

#[test]
fn rates_are_positive_numbers() {
    assert_eq!(parse_rate("2.5"), Ok(2.5));
    assert!(parse_rate("0").is_err());
    assert!(parse_rate("fast").is_err());
}

#[test]
fn names() {
    assert_eq!(prescan_file_name("petstore.yaml"), "petstore-prescan.har");
}

#[test]
fn skipped_rows_say_the_first_clause_of_their_reason() {
    use super::results::skipped_label;
    assert_eq!(
        skipped_label("Skipped: Unsafe method: it may change data on the server. Allow other methods for this prescan to send it."),
        "Skipped: Unsafe method"
    );
    assert_eq!(
        skipped_label("Skipped: Another origin (https://b.example): the prescan sends requests only to the configured server (https://a.example)."),
        "Skipped: Another origin (https://b.example)"
    );
    assert_eq!(
        skipped_label("Skipped: Malformed URL"),
        "Skipped: Malformed URL"
    );
    assert_eq!(skipped_label("odd"), "odd");
}

#[test]
fn a_user_agent_is_optional_and_checked() {
    use super::form::{browser_user_agent_note, parse_user_agent};
    assert_eq!(parse_user_agent(""), Ok(None));
    assert_eq!(
        parse_user_agent("Team-Scanner/2"),
        Ok(Some("Team-Scanner/2".to_owned()))
    );
    for bad in ["x\r\nX-Evil: 1", "   ", "caf\u{e9}"] {
        assert!(parse_user_agent(bad).is_err(), "{bad:?}");
    }
    assert!(parse_user_agent(&"a".repeat(257)).is_err());
    let note = browser_user_agent_note("Team-Scanner/2");
    assert!(note.contains("browser sends its own") && note.contains("--user-agent"));
}
