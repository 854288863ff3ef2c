//! Patterns in the browser: the core checks stated values against a
//! schema's `pattern` with the JavaScript engine's own `RegExp` in
//! WebAssembly (natively with `regress`), within the same bound.

#![cfg(target_arch = "wasm32")]

use prescan_core::{convert, ConvertOptions};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn spec(pattern: &str, example: &str) -> String {
    serde_json::json!({
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "servers": [{"url": "https://api.example.com"}],
        "paths": {"/things": {"get": {
            "parameters": [{"name": "code", "in": "query", "required": true,
                "schema": {"type": "string", "pattern": pattern, "example": example}}],
            "responses": {"200": {"description": "ok"}}}}}
    })
    .to_string()
}

fn sent(pattern: &str, example: &str) -> (String, Vec<String>) {
    let c = convert(
        "t.json",
        spec(pattern, example).as_bytes(),
        &ConvertOptions::default(),
    )
    .expect("converts");
    let url = c.har.log.entries[0].request.url.clone();
    let messages = c
        .spec
        .diagnostics
        .iter()
        .map(|d| d.message.clone())
        .collect();
    (url, messages)
}

#[wasm_bindgen_test]
fn an_example_that_does_not_match_its_pattern_is_replaced_with_a_warning() {
    let (url, messages) = sent("^[A-Z]{3}$", "usd");
    assert!(!url.contains("code=usd"), "{url}");
    assert!(
        messages
            .iter()
            .any(|m| m.contains("does not match the `pattern`")),
        "{messages:?}"
    );
    // ECMA-262 syntax the engine reads: Unicode property escapes (u flag).
    let (url, messages) = sent(r"^\p{Lu}+$", "ABC");
    assert!(url.contains("code=ABC"), "{url}");
    assert!(messages.is_empty(), "{messages:?}");
}

#[wasm_bindgen_test]
fn a_catastrophic_pattern_is_not_run_and_the_example_is_kept() {
    // 2^60 steps for the browser's backtracking engine: the bound refuses
    // to run it, so this test ends.
    let example = format!("{}b", "a".repeat(60));
    let (url, _) = sent("^(a+)+$", &example);
    assert!(url.contains(&example), "{url}");
}
