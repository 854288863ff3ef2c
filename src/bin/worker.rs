//! The conversion worker: runs `prescan_core::convert` off the page's thread,
//! so that a large or hostile specification never freezes the page.
//!
//! The messages it takes and posts are `src/protocol.rs`, shared with the
//! page's side (`src/convert.rs`) and included here by path, so that the
//! worker carries nothing of the app's pages.

// The worker uses its half of the protocol (reading requests, writing
// replies); the page's half is compiled here too and left unused.
#[path = "../protocol.rs"]
#[allow(dead_code)]
mod protocol;

use protocol::Failure;

/// What one conversion produces, ready to post.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
struct Answer {
    spec: String,
    har: String,
    methods: Vec<String>,
    urls: Vec<String>,
    entries: Vec<String>,
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
    use js_sys::Array;
    use protocol::{Converted, Reply, Request};
    use wasm_bindgen::prelude::*;
    use web_sys::{Blob, BlobPropertyBag, DedicatedWorkerGlobalScope, MessageEvent};

    fn strings(items: &[String]) -> Array {
        items.iter().map(|s| JsValue::from_str(s)).collect()
    }

    console_error_panic_hook::set_once();
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let reply_scope = scope.clone();
    let on_message = Closure::<dyn Fn(MessageEvent)>::new(move |event: MessageEvent| {
        let request = Request::from_js(&event.data());
        let files: Vec<prescan_core::SourceFile> = request
            .files
            .iter()
            .map(|(name, bytes)| prescan_core::SourceFile {
                name: name.clone(),
                bytes: bytes.to_vec(),
            })
            .collect();
        drop(request.files);
        let clock = js_sys::global()
            .unchecked_into::<web_sys::WorkerGlobalScope>()
            .performance();
        let started = clock.as_ref().map_or(0.0, |p| p.now());
        let answer = run_conversion(&files, &request.options);
        drop(files);
        let result = answer.and_then(|answer| {
            let options = BlobPropertyBag::new();
            options.set_type("application/json");
            let har = Blob::new_with_str_sequence_and_options(
                &Array::of1(&JsValue::from_str(&answer.har)),
                &options,
            )
            .map_err(|_| Failure::from("The browser could not hold the converted HAR."))?;
            Ok(Converted {
                spec: answer.spec,
                har,
                methods: strings(&answer.methods),
                urls: strings(&answer.urls),
                entries: strings(&answer.entries),
            })
        });
        let reply = Reply {
            id: request.id,
            ms: clock.as_ref().map_or(0.0, |p| p.now()) - started,
            result,
        };
        let _ = reply_scope.post_message(&reply.to_js());
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    let _ = scope.post_message(&JsValue::from_str(protocol::READY));
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("The prescan worker runs in a browser; build it with Trunk.");
}
