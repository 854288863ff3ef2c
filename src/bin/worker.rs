//! The conversion worker: runs `prescan_core::convert` off the page's thread,
//! so that a large or hostile specification never freezes the page.
//!
//! Protocol (the page side is `src/convert.rs`): the worker posts the string
//! `"ready"` once it can take requests. A request is `{ id, files, options }`:
//! `files` an array of `{ name, bytes }` (`bytes` a transferred `Uint8Array`;
//! several files when a specification is split over them), `options` the JSON
//! of a `prescan_core::ConvertOptions`. The answer is `{ id, ok, ms, ... }`:
//! - `ok: true`: `spec`, the JSON of a `prescan_core::Specification`;
//!   `har`, a Blob of the pretty-printed HAR file; and, one item per HAR
//!   entry, `methods`, `urls` and `entries` (each entry's JSON), so that the
//!   page can list entries and open one without parsing the whole HAR;
//! - `ok: false`: `error`, the message to show, and for a syntax error
//!   `line` and `excerpt` (the JSON of a `prescan_core::Excerpt`), to show
//!   the problem in place.

/// What one conversion produces, ready to post.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
struct Answer {
    spec: String,
    har: String,
    methods: Vec<String>,
    urls: Vec<String>,
    entries: Vec<String>,
}

/// Why a conversion failed: the message, and where for a syntax error.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
struct Failure {
    message: String,
    place: Option<(usize, prescan_core::Excerpt)>,
}

/// Converts a specification given as one or more files.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
fn run_conversion(files: &[prescan_core::SourceFile], options: &str) -> Result<Answer, Failure> {
    let options: prescan_core::ConvertOptions = serde_json::from_str(options).unwrap_or_default();
    let conversion = prescan_core::convert_files(files, &options).map_err(|error| Failure {
        message: error.to_string(),
        place: match error {
            prescan_core::LoadError::Syntax { line, excerpt, .. } => Some((line, excerpt)),
            _ => None,
        },
    })?;
    let unreadable = |error: serde_json::Error| Failure {
        message: format!("The result could not be written ({error})."),
        place: None,
    };
    let entries = &conversion.har.log.entries;
    Ok(Answer {
        spec: serde_json::to_string(&conversion.spec).map_err(unreadable)?,
        har: serde_json::to_string_pretty(&conversion.har).map_err(unreadable)?,
        methods: entries.iter().map(|e| e.request.method.clone()).collect(),
        urls: entries.iter().map(|e| e.request.url.clone()).collect(),
        entries: entries
            .iter()
            .map(serde_json::to_string)
            .collect::<Result<_, _>>()
            .map_err(unreadable)?,
    })
}

#[cfg(target_arch = "wasm32")]
fn main() {
    use js_sys::{Array, Object, Reflect, Uint8Array};
    use wasm_bindgen::prelude::*;
    use web_sys::{Blob, BlobPropertyBag, DedicatedWorkerGlobalScope, MessageEvent};

    fn strings(items: &[String]) -> Array {
        items.iter().map(|s| JsValue::from_str(s)).collect()
    }

    console_error_panic_hook::set_once();
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let reply_scope = scope.clone();
    let on_message = Closure::<dyn Fn(MessageEvent)>::new(move |event: MessageEvent| {
        let data = event.data();
        let get =
            |key: &str| Reflect::get(&data, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED);
        let id = get("id");
        let files: Vec<prescan_core::SourceFile> = Array::from(&get("files"))
            .iter()
            .map(|file| prescan_core::SourceFile {
                name: Reflect::get(&file, &JsValue::from_str("name"))
                    .ok()
                    .and_then(|name| name.as_string())
                    .unwrap_or_default(),
                bytes: Reflect::get(&file, &JsValue::from_str("bytes"))
                    .map(|bytes| Uint8Array::new(&bytes).to_vec())
                    .unwrap_or_default(),
            })
            .collect();
        let options = get("options").as_string().unwrap_or_default();
        let clock = js_sys::global()
            .unchecked_into::<web_sys::WorkerGlobalScope>()
            .performance();
        let started = clock.as_ref().map_or(0.0, |p| p.now());
        let answer = run_conversion(&files, &options);
        drop(files);

        let reply = Object::new();
        let set = |key: &str, value: &JsValue| {
            let _ = Reflect::set(&reply, &JsValue::from_str(key), value);
        };
        set("id", &id);
        match answer {
            Ok(answer) => {
                let options = BlobPropertyBag::new();
                options.set_type("application/json");
                let har = Blob::new_with_str_sequence_and_options(
                    &Array::of1(&JsValue::from_str(&answer.har)),
                    &options,
                );
                match har {
                    Ok(har) => {
                        set("ok", &JsValue::TRUE);
                        set("spec", &JsValue::from_str(&answer.spec));
                        set("har", &har);
                        set("methods", &strings(&answer.methods));
                        set("urls", &strings(&answer.urls));
                        set("entries", &strings(&answer.entries));
                    }
                    Err(_) => {
                        set("ok", &JsValue::FALSE);
                        set(
                            "error",
                            &JsValue::from_str("The browser could not hold the converted HAR."),
                        );
                    }
                }
            }
            Err(failure) => {
                set("ok", &JsValue::FALSE);
                set("error", &JsValue::from_str(&failure.message));
                if let Some((line, excerpt)) = failure.place {
                    set("line", &JsValue::from_f64(line as f64));
                    set(
                        "excerpt",
                        &JsValue::from_str(&serde_json::to_string(&excerpt).unwrap_or_default()),
                    );
                }
            }
        }
        set(
            "ms",
            &JsValue::from_f64(clock.as_ref().map_or(0.0, |p| p.now()) - started),
        );
        let _ = reply_scope.post_message(&reply);
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    let _ = scope.post_message(&JsValue::from_str("ready"));
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("The prescan worker runs in a browser; build it with Trunk.");
}
