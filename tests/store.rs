//! Browser tests of the in-browser storage layer, in headless Chromium.

#![cfg(target_arch = "wasm32")]

use prescan::store::idb::Db;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn indexed_db_keeps_values_until_deleted() {
    let db = Db::open("prescan-test", &["state", "specs"])
        .await
        .expect("opens");
    db.put("state", "k", &JsValue::from_str("v1"))
        .await
        .expect("writes");
    assert_eq!(
        db.get("state", "k")
            .await
            .unwrap()
            .and_then(|v| v.as_string()),
        Some("v1".into())
    );
    db.put("state", "k", &JsValue::from_str("v2"))
        .await
        .expect("replaces");
    let again = Db::open("prescan-test", &["state", "specs"])
        .await
        .expect("opens again");
    assert_eq!(
        again
            .get("state", "k")
            .await
            .unwrap()
            .and_then(|v| v.as_string()),
        Some("v2".into())
    );
    again.delete("state", "k").await.expect("deletes");
    assert_eq!(again.get("state", "k").await.unwrap(), None);
    assert_eq!(again.get("specs", "missing").await.unwrap(), None);
}
