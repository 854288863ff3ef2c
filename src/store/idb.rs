//! A small key-value layer over IndexedDB: named object stores, string keys,
//! any structured-cloneable value (strings, Blobs). Enough for the in-browser
//! store to keep its state and the original bytes of specifications across
//! reloads, beyond localStorage's few megabytes.

use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbOpenDbRequest, IdbRequest, IdbTransactionMode};

/// An open database.
#[derive(Debug, Clone)]
pub struct Db {
    db: IdbDatabase,
}

/// Turns an IndexedDB request into a future of its result.
async fn settle(request: &IdbRequest) -> Result<JsValue, String> {
    let promise = Promise::new(&mut |resolve: Function, reject: Function| {
        let ok = Closure::once_into_js(move |event: web_sys::Event| {
            let result = event
                .target()
                .and_then(|t| t.dyn_into::<IdbRequest>().ok())
                .and_then(|r| r.result().ok())
                .unwrap_or(JsValue::UNDEFINED);
            let _ = resolve.call1(&JsValue::NULL, &result);
        });
        let failed = Closure::once_into_js(move |event: web_sys::Event| {
            let message = event
                .target()
                .and_then(|t| t.dyn_into::<IdbRequest>().ok())
                .and_then(|r| r.error().ok().flatten())
                .map(|e| e.message())
                .unwrap_or_else(|| "unknown error".to_owned());
            let _ = reject.call1(&JsValue::NULL, &JsValue::from_str(&message));
        });
        request.set_onsuccess(Some(ok.unchecked_ref()));
        request.set_onerror(Some(failed.unchecked_ref()));
    });
    JsFuture::from(promise).await.map_err(|e| {
        e.as_string()
            .unwrap_or_else(|| "The browser's storage failed.".to_owned())
    })
}

impl Db {
    /// Opens (creating if needed) database `name` with these object stores.
    pub async fn open(name: &str, stores: &'static [&'static str]) -> Result<Db, String> {
        let factory = web_sys::window()
            .and_then(|w| w.indexed_db().ok().flatten())
            .ok_or(
                "This browser offers no IndexedDB storage (private browsing may turn it off).",
            )?;
        let request: IdbOpenDbRequest = factory
            .open_with_u32(name, 1)
            .map_err(|_| "The browser refused to open its storage.".to_owned())?;
        let upgrade = Closure::<dyn Fn(web_sys::Event)>::new(move |event: web_sys::Event| {
            let db = event
                .target()
                .and_then(|t| t.dyn_into::<IdbRequest>().ok())
                .and_then(|r| r.result().ok())
                .and_then(|r| r.dyn_into::<IdbDatabase>().ok());
            if let Some(db) = db {
                for store in stores {
                    if !db.object_store_names().contains(store) {
                        let _ = db.create_object_store(store);
                    }
                }
            }
        });
        request.set_onupgradeneeded(Some(upgrade.as_ref().unchecked_ref()));
        let db = settle(&request).await?;
        drop(upgrade);
        Ok(Db {
            db: db
                .dyn_into()
                .map_err(|_| "The browser's storage answered oddly.".to_owned())?,
        })
    }

    fn store(
        &self,
        store: &str,
        mode: IdbTransactionMode,
    ) -> Result<web_sys::IdbObjectStore, String> {
        self.db
            .transaction_with_str_and_mode(store, mode)
            .and_then(|t| t.object_store(store))
            .map_err(|_| format!("The browser's storage has no `{store}`."))
    }

    /// The value under `key`, or `None`.
    pub async fn get(&self, store: &str, key: &str) -> Result<Option<JsValue>, String> {
        let request = self
            .store(store, IdbTransactionMode::Readonly)?
            .get(&JsValue::from_str(key))
            .map_err(|_| "The browser's storage could not be read.".to_owned())?;
        let value = settle(&request).await?;
        Ok((!value.is_undefined()).then_some(value))
    }

    /// Stores `value` under `key`, replacing what was there.
    pub async fn put(&self, store: &str, key: &str, value: &JsValue) -> Result<(), String> {
        let request = self
            .store(store, IdbTransactionMode::Readwrite)?
            .put_with_key(value, &JsValue::from_str(key))
            .map_err(|_| "The browser's storage could not be written.".to_owned())?;
        settle(&request).await.map(|_| ())
    }

    /// Removes `key`.
    pub async fn delete(&self, store: &str, key: &str) -> Result<(), String> {
        let request = self
            .store(store, IdbTransactionMode::Readwrite)?
            .delete(&JsValue::from_str(key))
            .map_err(|_| "The browser's storage could not be written.".to_owned())?;
        settle(&request).await.map(|_| ())
    }
}
