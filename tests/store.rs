//! Browser tests of the in-browser storage layer, in headless Chromium.

#![cfg(target_arch = "wasm32")]

use prescan::store::idb::{Db, Op};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn indexed_db_keeps_values_until_deleted() {
    let db = Db::open("prescan-test", 1, &["state", "specs"])
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
    let again = Db::open("prescan-test", 1, &["state", "specs"])
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

#[wasm_bindgen_test]
async fn an_upgrade_adds_stores_and_keeps_data() {
    let v1 = Db::open("prescan-upgrade-test", 1, &["state"])
        .await
        .expect("opens version 1");
    v1.put("state", "analyses", &JsValue::from_str("kept"))
        .await
        .expect("writes");
    // Opening version 2 closes the version 1 connection (versionchange)
    // rather than waiting for it.
    let v2 = Db::open("prescan-upgrade-test", 2, &["state", "specs"])
        .await
        .expect("upgrades to version 2");
    assert_eq!(
        v2.get("state", "analyses")
            .await
            .unwrap()
            .and_then(|v| v.as_string()),
        Some("kept".into())
    );
    let bytes = js_sys::Uint8Array::from(&[1u8, 2, 3][..]);
    v2.put("specs", "7", &bytes.into())
        .await
        .expect("new store");
    let back = v2.get("specs", "7").await.unwrap().expect("stored");
    assert_eq!(js_sys::Uint8Array::new(&back).to_vec(), vec![1, 2, 3]);
}

#[wasm_bindgen_test]
async fn a_write_over_several_stores_is_all_or_nothing() {
    let db = Db::open("prescan-write-test", 1, &["state", "specs"])
        .await
        .expect("opens");
    db.write(vec![
        Op::Put("specs", "1".into(), JsValue::from_str("bytes")),
        Op::Put("state", "analyses".into(), JsValue::from_str("state")),
    ])
    .await
    .expect("writes both");
    assert!(db.get("specs", "1").await.unwrap().is_some());
    assert!(db.get("state", "analyses").await.unwrap().is_some());
    // A value that cannot be stored (a function) fails the whole write:
    // the change before it is not kept.
    let function = js_sys::Function::new_no_args("return 1");
    let failed = db
        .write(vec![
            Op::Delete("specs", "1".into()),
            Op::Put("state", "analyses".into(), function.into()),
        ])
        .await;
    assert!(failed.is_err());
    assert!(db.get("specs", "1").await.unwrap().is_some(), "rolled back");
    db.write(vec![
        Op::Clear("specs"),
        Op::Delete("state", "analyses".into()),
    ])
    .await
    .expect("clears");
    assert_eq!(db.get("specs", "1").await.unwrap(), None);
    assert_eq!(db.get("state", "analyses").await.unwrap(), None);
}
