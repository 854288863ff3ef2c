//! The page's side of the conversion worker (`src/bin/worker.rs`).
//!
//! One worker is started on first use and kept. A conversion that is running
//! can be cancelled: the worker is terminated and a fresh one starts next time.
//! If the worker dies (a crash, or its script cannot load), the waiting
//! conversion gets an error message instead of hanging. A conversion also
//! has a deadline ([`deadline_ms`]): the core's own budgets end a hostile
//! file long before it, but should one still run on, the worker is ended
//! there, the page says why, and the next file gets a fresh worker.

use std::cell::RefCell;

use js_sys::{Array, Function, Promise, Uint8Array};
use prescan_core::har::Entry;
use prescan_core::{ConvertOptions, Specification};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{MessageEvent, Worker};

use crate::protocol::{self, Reply, Request};

/// The script Trunk generates to start the worker, relative to the page.
const WORKER_SCRIPT: &str = "worker_loader.js";

/// What the worker answers for a file that loaded.
#[derive(Debug, Clone)]
pub struct Converted {
    /// What was found in the file.
    pub spec: Specification,
    /// The converted HAR entries, kept on the JavaScript side so that the
    /// page never parses a whole (possibly very large) HAR.
    pub entries: HarEntries,
    /// How long the worker took to load and convert it, in milliseconds.
    pub worker_ms: f64,
}

pub use crate::protocol::Failure;

/// The message a cancelled conversion ends with.
pub const CANCELLED: &str = "Cancelled.";

/// The deadline of a conversion: 12 seconds, plus one second per MiB of
/// input (a 50 MB specification, the largest public ones, gets a minute;
/// they convert in a few seconds). localStorage `prescan.debug` holding
/// `deadline=N` sets it to N milliseconds, for tests.
pub fn deadline_ms(bytes: f64) -> f64 {
    debug_deadline().unwrap_or(12_000.0 + 1_000.0 * bytes / (1024.0 * 1024.0))
}

fn debug_deadline() -> Option<f64> {
    let value = web_sys::window()?
        .local_storage()
        .ok()??
        .get_item("prescan.debug")
        .ok()??;
    value
        .split([',', ' '])
        .find_map(|part| part.strip_prefix("deadline="))?
        .parse()
        .ok()
        .filter(|ms: &f64| ms.is_finite() && *ms > 0.0)
}

/// The message of a conversion stopped at its deadline.
fn past_deadline(ms: f64) -> String {
    let seconds = (ms / 1000.0).ceil().max(1.0);
    let unit = if seconds == 1.0 { "second" } else { "seconds" };
    format!(
        "Converting took longer than {seconds:.0} {unit}, the time limit for a file of this size (conversion deadline), so the converter was stopped. The file may be built to make converters run forever (with a pattern or references that multiply, say). Nothing you had is lost, and the next file gets a fresh converter."
    )
}

/// The entries of a converted HAR, and the HAR file itself.
#[derive(Debug, Clone)]
pub struct HarEntries {
    /// The whole HAR file, pretty-printed, as it is downloaded.
    pub file: web_sys::Blob,
    methods: Array,
    urls: Array,
    entries: Array,
}

impl HarEntries {
    /// How many entries there are.
    pub fn len(&self) -> usize {
        self.entries.length() as usize
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The method and URL of entry `index`, for a list.
    pub fn line(&self, index: usize) -> (String, String) {
        let at = |array: &Array| array.get(index as u32).as_string().unwrap_or_default();
        (at(&self.methods), at(&self.urls))
    }

    /// Entry `index` in full.
    pub fn entry(&self, index: usize) -> Option<Entry> {
        let json = self.entries.get(index as u32).as_string()?;
        serde_json::from_str(&json).ok()
    }

    /// A HAR 1.2 file of the entries `keep` keeps (by index), in order:
    /// the in-scope download. Made from the entries' JSON text as it is,
    /// without reading them, so that it is quick for any size.
    pub fn subset_file(&self, keep: impl Fn(usize) -> bool) -> Option<web_sys::Blob> {
        let empty = prescan_core::har::Har {
            log: prescan_core::har::Log {
                version: "1.2".into(),
                creator: prescan_core::har::Creator {
                    name: "prescan".into(),
                    version: env!("CARGO_PKG_VERSION").into(),
                    comment: None,
                },
                pages: Vec::new(),
                entries: Vec::new(),
                comment: None,
            },
        };
        let text = serde_json::to_string_pretty(&empty).ok()?;
        let (head, tail) = text.split_once("\"entries\": []")?;
        let parts = Array::new();
        parts.push(&JsValue::from_str(&format!("{head}\"entries\": [\n")));
        let mut first = true;
        for index in 0..self.len() {
            if !keep(index) {
                continue;
            }
            if !first {
                parts.push(&JsValue::from_str(",\n"));
            }
            first = false;
            parts.push(&self.entries.get(index as u32));
        }
        parts.push(&JsValue::from_str(&format!("\n]{tail}\n")));
        let options = web_sys::BlobPropertyBag::new();
        options.set_type("application/json");
        web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).ok()
    }
}

struct Running {
    worker: Worker,
    /// Resolves once the worker has loaded its WebAssembly.
    ready: Promise,
    /// Kept alive as long as the worker.
    _on_message: Closure<dyn Fn(MessageEvent)>,
    _on_error: Closure<dyn Fn(JsValue)>,
}

thread_local! {
    static RUNNING: RefCell<Option<Running>> = const { RefCell::new(None) };
    static READY: RefCell<Option<Function>> = const { RefCell::new(None) };
    static PENDING: RefCell<Option<(f64, Function)>> = const { RefCell::new(None) };
    static NEXT_ID: RefCell<f64> = const { RefCell::new(1.0) };
}

fn message(text: &str) -> JsValue {
    protocol::failure_message(&text.into())
}

/// Answers whoever waits (for readiness or for a result) with `answer`.
fn settle_all(answer: &JsValue) {
    if let Some(resolve) = READY.with_borrow_mut(Option::take) {
        let _ = resolve.call1(&JsValue::NULL, answer);
    }
    if let Some((_, resolve)) = PENDING.with_borrow_mut(Option::take) {
        let _ = resolve.call1(&JsValue::NULL, answer);
    }
}

fn start() -> Result<Promise, String> {
    if let Some(ready) = RUNNING.with_borrow(|running| running.as_ref().map(|r| r.ready.clone())) {
        return Ok(ready);
    }
    let worker = Worker::new(WORKER_SCRIPT).map_err(|_| {
        "The converter could not start in this browser (Web Workers are unavailable).".to_owned()
    })?;
    let ready = Promise::new(&mut |resolve, _reject| READY.set(Some(resolve)));
    let on_message = Closure::<dyn Fn(MessageEvent)>::new(|event: MessageEvent| {
        let data = event.data();
        if data.as_string().as_deref() == Some(protocol::READY) {
            if let Some(resolve) = READY.with_borrow_mut(Option::take) {
                let _ = resolve.call0(&JsValue::NULL);
            }
            return;
        }
        let id = protocol::reply_id(&data);
        let waiting = PENDING.with_borrow_mut(|pending| match pending {
            Some((pending_id, _)) if Some(*pending_id) == id => pending.take(),
            _ => None,
        });
        if let Some((_, resolve)) = waiting {
            let _ = resolve.call1(&JsValue::NULL, &data);
        }
    });
    let on_error = Closure::<dyn Fn(JsValue)>::new(|_event: JsValue| {
        // A panic aborts the worker's WebAssembly; a missing script never
        // starts it. Either way, this worker is done: the next conversion
        // starts a new one.
        stop();
        settle_all(&message(
            "The converter stopped unexpectedly while reading this file. Nothing you had is lost; try another file, or reload the page.",
        ));
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    RUNNING.set(Some(Running {
        worker,
        ready: ready.clone(),
        _on_message: on_message,
        _on_error: on_error,
    }));
    Ok(ready)
}

fn stop() {
    if let Some(running) = RUNNING.take() {
        running.worker.terminate();
    }
}

/// Starts the worker ahead of the first conversion, so that loading its
/// WebAssembly does not add to the time a person waits.
pub fn warm_up() {
    let _ = start();
}

/// Stops the conversion that is running, if any; its caller gets `Err` with
/// a message saying so.
pub fn cancel() {
    stop();
    settle_all(&message(CANCELLED));
}

/// A file to convert: its name (a relative path when a folder was chosen) and
/// its bytes.
pub struct FileBytes {
    /// The name, e.g. `openapi.yaml` or `api/schemas/pet.yaml`.
    pub name: String,
    /// The content; transferred to the worker, so unusable afterwards.
    pub bytes: Uint8Array,
}

/// The files of a stored specification (the store's
/// `specification_files`), to convert.
pub fn file_bytes(files: Vec<prescan_core::SourceFile>) -> Vec<FileBytes> {
    files
        .into_iter()
        .map(|f| FileBytes {
            name: f.name,
            bytes: Uint8Array::from(&f.bytes[..]),
        })
        .collect()
}

/// Loads and converts a specification, given as one or more files, in the
/// worker.
///
/// `Err` says why the files cannot be used, or why the converter could not run.
pub async fn convert(
    files: Vec<FileBytes>,
    options: &ConvertOptions,
) -> Result<Converted, Failure> {
    let ready = start()?;
    let answer = JsFuture::from(ready).await.unwrap_or(JsValue::UNDEFINED);
    if let Some(failure) = protocol::read_failure(&answer) {
        return Err(failure);
    }

    // A newer conversion replaces an older one still waiting.
    if let Some((_, resolve)) = PENDING.with_borrow_mut(Option::take) {
        let _ = resolve.call1(&JsValue::NULL, &message("Replaced by a newer file."));
    }
    let id = NEXT_ID.with_borrow_mut(|next| {
        *next += 1.0;
        *next
    });
    let result = Promise::new(&mut |resolve, _reject| PENDING.set(Some((id, resolve))));
    // Measured before the bytes are transferred (and detached).
    let size: f64 = files.iter().map(|f| f64::from(f.bytes.byte_length())).sum();
    let (request, transfer) = Request {
        id,
        files: files.into_iter().map(|f| (f.name, f.bytes)).collect(),
        options: serde_json::to_string(options).unwrap_or_default(),
    }
    .to_js();
    let posted = RUNNING.with_borrow(|running| {
        running.as_ref().map(|running| {
            running
                .worker
                .post_message_with_transfer(&request, &transfer)
        })
    });
    if !matches!(posted, Some(Ok(()))) {
        PENDING.set(None);
        return Err(
            "The converter is not running. Reload the page and try again."
                .to_owned()
                .into(),
        );
    }

    // The deadline: past it, the worker is ended and the waiting
    // conversion settled with a message that says so.
    let deadline = deadline_ms(size);
    let on_deadline = Closure::once(move || {
        let waiting = PENDING.with_borrow(|p| p.as_ref().is_some_and(|(p, _)| *p == id));
        if waiting {
            stop();
            settle_all(&message(&past_deadline(deadline)));
        }
    });
    let timer = web_sys::window().and_then(|w| {
        w.set_timeout_with_callback_and_timeout_and_arguments_0(
            on_deadline.as_ref().unchecked_ref(),
            deadline.min(f64::from(i32::MAX)) as i32,
        )
        .ok()
    });
    let data = JsFuture::from(result).await.unwrap_or(JsValue::UNDEFINED);
    if let (Some(window), Some(timer)) = (web_sys::window(), timer) {
        window.clear_timeout_with_handle(timer);
    }
    drop(on_deadline);
    let reply = Reply::from_js(&data);
    let converted = reply.result?;
    let spec = serde_json::from_str::<Specification>(&converted.spec).map_err(|error| {
        format!(
            "The converter's answer could not be read ({error}). Reload the page and try again."
        )
    })?;
    Ok(Converted {
        spec,
        entries: HarEntries {
            file: converted.har,
            methods: converted.methods,
            urls: converted.urls,
            entries: converted.entries,
        },
        worker_ms: reply.ms,
    })
}
