//! The worker protocol (`src/protocol.rs`) in the browser: what one side
//! writes, the other reads back whole, and a broken or partial message
//! becomes a failure that says so.

#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Object, Uint8Array};
use prescan::protocol::{self, Converted, Failure, Reply, Request};
use prescan_core::Excerpt;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn a_request_reads_back_with_its_files_and_transfers_their_buffers() {
    let a = Uint8Array::from(&b"openapi: 3.0.3"[..]);
    let b = Uint8Array::from(&b"{}"[..]);
    let request = Request {
        id: 7.0,
        files: vec![("api.yaml".into(), a), ("schemas/pet.json".into(), b)],
        options: r#"{"array_items":3}"#.into(),
    };
    let (message, transfer) = request.to_js();
    assert_eq!(transfer.length(), 2);
    let read = Request::from_js(&message);
    assert_eq!(read.id, 7.0);
    assert_eq!(read.options, r#"{"array_items":3}"#);
    let files: Vec<(String, Vec<u8>)> = read
        .files
        .iter()
        .map(|(name, bytes)| (name.clone(), bytes.to_vec()))
        .collect();
    assert_eq!(
        files,
        vec![
            ("api.yaml".to_owned(), b"openapi: 3.0.3".to_vec()),
            ("schemas/pet.json".to_owned(), b"{}".to_vec()),
        ]
    );
}

#[wasm_bindgen_test]
fn a_conversion_reads_back_whole() {
    let har = web_sys::Blob::new().unwrap();
    let list = |items: &[&str]| {
        items
            .iter()
            .map(|s| JsValue::from_str(s))
            .collect::<Array>()
    };
    let reply = Reply {
        id: 3.0,
        ms: 12.5,
        result: Ok(Converted {
            spec: r#"{"title":"T"}"#.into(),
            har,
            methods: list(&["GET", "POST"]),
            urls: list(&["https://a/x", "https://a/y"]),
            entries: list(&["{}", "{}"]),
        }),
    };
    let read = Reply::from_js(&reply.to_js());
    assert_eq!((read.id, read.ms), (3.0, 12.5));
    assert_eq!(protocol::reply_id(&reply.to_js()), Some(3.0));
    let converted = read.result.expect("a conversion");
    assert_eq!(converted.spec, r#"{"title":"T"}"#);
    assert_eq!(
        converted.methods.get(1).as_string().as_deref(),
        Some("POST")
    );
    assert_eq!(converted.urls.length(), 2);
    assert_eq!(converted.entries.length(), 2);
}

#[wasm_bindgen_test]
fn a_failure_keeps_its_line_and_excerpt() {
    let excerpt = Excerpt {
        text: "a: [1, 2".into(),
        column: 9,
    };
    let failure = Failure {
        message: "Line 4: a list is not closed.".into(),
        place: Some((4, excerpt)),
    };
    let reply = Reply {
        id: 1.0,
        ms: 0.0,
        result: Err(failure.clone()),
    };
    assert_eq!(Reply::from_js(&reply.to_js()).result.unwrap_err(), failure);
    let alone = protocol::failure_message(&failure);
    assert_eq!(protocol::read_failure(&alone), Some(failure));
}

#[wasm_bindgen_test]
fn a_partial_or_foreign_message_is_a_failure_that_says_so() {
    let empty = Reply::from_js(&JsValue::UNDEFINED);
    assert_eq!(
        empty.result.unwrap_err().message,
        "The converter gave no answer."
    );
    // `ok` without a HAR.
    let message = Object::new();
    js_sys::Reflect::set(&message, &"ok".into(), &JsValue::TRUE).unwrap();
    js_sys::Reflect::set(&message, &"spec".into(), &"{}".into()).unwrap();
    let failure = Reply::from_js(&message.into()).result.unwrap_err();
    assert!(failure.message.contains("no HAR"), "{}", failure.message);
    assert_eq!(protocol::read_failure(&JsValue::from_str("ready")), None);
}
