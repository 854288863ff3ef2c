//! A small key-value layer over IndexedDB: named object stores, string keys,
//! any structured-cloneable value (strings, byte arrays), and atomic writes
//! over several stores ([`Db::write`]). Enough for the in-browser store to
//! keep its state and, apart, the original bytes of specifications across
//! reloads, beyond localStorage's few megabytes.

use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbOpenDbRequest, IdbRequest, IdbTransactionMode};

/// One change of [`Db::write`].
#[derive(Debug, Clone)]
pub enum Op {
    /// Stores the value under the key in the object store.
    Put(&'static str, String, JsValue),
    /// Removes the key from the object store.
    Delete(&'static str, String),
    /// Empties the object store.
    Clear(&'static str),
}

impl Op {
    fn store(&self) -> &'static str {
        match self {
            Op::Put(store, ..) | Op::Delete(store, _) | Op::Clear(store) => store,
        }
    }
}

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
    /// Opens (creating if needed) database `name` at `version` with these
    /// object stores: opening an older version upgrades it
    /// (`onupgradeneeded`), creating the stores it lacks and keeping the
    /// others with their data. When another tab opens a newer version,
    /// this connection closes so that the upgrade is not blocked.
    pub async fn open(
        name: &str,
        version: u32,
        stores: &'static [&'static str],
    ) -> Result<Db, String> {
        let factory = web_sys::window()
            .and_then(|w| w.indexed_db().ok().flatten())
            .ok_or(
                "This browser offers no IndexedDB storage (private browsing may turn it off).",
            )?;
        let request: IdbOpenDbRequest = factory
            .open_with_u32(name, version)
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
        let db: IdbDatabase = db
            .dyn_into()
            .map_err(|_| "The browser's storage answered oddly.".to_owned())?;
        let closing = db.clone();
        let on_version_change = Closure::<dyn Fn()>::new(move || closing.close());
        db.set_onversionchange(Some(on_version_change.as_ref().unchecked_ref()));
        // Lives as long as the connection.
        on_version_change.forget();
        Ok(Db { db })
    }

    /// Does `ops` in one transaction over the stores they name: all of
    /// them, or none if one fails (IndexedDB transactions are atomic).
    pub async fn write(&self, ops: Vec<Op>) -> Result<(), String> {
        if ops.is_empty() {
            return Ok(());
        }
        let names = js_sys::Array::new();
        for op in &ops {
            let name = JsValue::from_str(op.store());
            if !names.includes(&name, 0) {
                names.push(&name);
            }
        }
        let failed = |_| "The browser's storage could not be written.".to_owned();
        let transaction = self
            .db
            .transaction_with_str_sequence_and_mode(&names, IdbTransactionMode::Readwrite)
            .map_err(failed)?;
        for op in ops {
            let store = transaction
                .object_store(op.store())
                .map_err(|_| format!("The browser's storage has no `{}`.", op.store()))?;
            let request = match &op {
                Op::Put(_, key, value) => store.put_with_key(value, &JsValue::from_str(key)),
                Op::Delete(_, key) => store.delete(&JsValue::from_str(key)),
                Op::Clear(_) => store.clear(),
            };
            if request.is_err() {
                let _ = transaction.abort();
                return Err("The browser's storage could not be written.".to_owned());
            }
        }
        let promise = Promise::new(&mut |resolve: Function, reject: Function| {
            let done = Closure::once_into_js(move || {
                let _ = resolve.call0(&JsValue::NULL);
            });
            // A failed request aborts the transaction: `abort` follows
            // every failure, once.
            let t = transaction.clone();
            let aborted = Closure::once_into_js(move || {
                let message = t
                    .error()
                    .map(|e| e.message())
                    .unwrap_or_else(|| "the write was aborted".to_owned());
                let _ = reject.call1(&JsValue::NULL, &JsValue::from_str(&message));
            });
            transaction.set_oncomplete(Some(done.unchecked_ref()));
            transaction.set_onabort(Some(aborted.unchecked_ref()));
        });
        JsFuture::from(promise).await.map(|_| ()).map_err(|e| {
            e.as_string()
                .unwrap_or_else(|| "The browser's storage failed.".to_owned())
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
