//! The conversion worker: runs `prescan_core::convert` off the page's thread,
//! so that a large or hostile specification never freezes the page.
//!
//! Protocol (see `src/convert.rs` for the page side): the worker posts the
//! string `"ready"` once it can take requests; each request is an object
//! `{ id, name, bytes: Uint8Array }`; each answer is an object `{ id, ok,
//! spec, har, error, ms }` where `spec` is the JSON of a
//! `prescan_core::Specification`, `har` the HAR text, and `error` the
//! user-facing message of a `prescan_core::LoadError`.

#[cfg(target_arch = "wasm32")]
fn main() {
    use js_sys::{Object, Reflect, Uint8Array};
    use wasm_bindgen::prelude::*;
    use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

    console_error_panic_hook::set_once();
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let reply_scope = scope.clone();
    let on_message = Closure::<dyn Fn(MessageEvent)>::new(move |event: MessageEvent| {
        let data = event.data();
        let get = |key: &str| Reflect::get(&data, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED);
        let id = get("id");
        let name = get("name").as_string().unwrap_or_default();
        let bytes = Uint8Array::new(&get("bytes")).to_vec();
        let clock = js_sys::global()
            .unchecked_into::<web_sys::WorkerGlobalScope>()
            .performance();
        let started = clock.as_ref().map_or(0.0, |p| p.now());
        let answer = run_conversion(&name, &bytes);
        let ms = clock.as_ref().map_or(0.0, |p| p.now()) - started;

        let reply = Object::new();
        let set = |key: &str, value: &JsValue| {
            let _ = Reflect::set(&reply, &JsValue::from_str(key), value);
        };
        set("id", &id);
        set("ms", &JsValue::from_f64(ms));
        match answer {
            Ok((spec, har)) => {
                set("ok", &JsValue::TRUE);
                set("spec", &JsValue::from_str(&spec));
                set("har", &JsValue::from_str(&har));
            }
            Err(message) => {
                set("ok", &JsValue::FALSE);
                set("error", &JsValue::from_str(&message));
            }
        }
        let _ = reply_scope.post_message(&reply);
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    let _ = scope.post_message(&JsValue::from_str("ready"));
}

/// Converts one file; the answer is (specification JSON, HAR text) or the
/// message to show.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
fn run_conversion(name: &str, bytes: &[u8]) -> Result<(String, String), String> {
    let conversion = prescan_core::convert(name, bytes, &prescan_core::ConvertOptions::default())
        .map_err(|error| error.to_string())?;
    let spec = serde_json::to_string(&conversion.spec).map_err(|error| error.to_string())?;
    let har = serde_json::to_string_pretty(&conversion.har).map_err(|error| error.to_string())?;
    Ok((spec, har))
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("The prescan worker runs in a browser; build it with Trunk.");
}
