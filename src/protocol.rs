//! The messages between the page (`src/convert.rs`) and the conversion
//! worker (`src/bin/worker.rs`), written once for both sides.
//!
//! The worker includes this file itself (`#[path]`) rather than depending
//! on the app's library, so that it carries nothing of the pages. It
//! depends on `js_sys`, `web_sys`' `Blob` and the core's types only.
//!
//! - The worker posts [`READY`] once it can take requests.
//! - A [`Request`]: an id, the files (name and bytes, the bytes
//!   transferred) and the JSON of a `prescan_core::ConvertOptions`.
//! - A [`Reply`]: the request's id, how long the worker took, and either
//!   the conversion ([`Converted`]: the JSON of the `Specification`, the HAR
//!   file as a Blob, and one method, URL and entry JSON per HAR entry, so
//!   that the page lists entries and opens one without parsing the whole
//!   HAR) or a [`Failure`] (the message, and for a syntax error the line and
//!   an excerpt to show the problem in place).

use js_sys::{Array, Object, Reflect, Uint8Array};
use prescan_core::Excerpt;
use wasm_bindgen::{JsCast, JsValue};

/// What the worker posts once it can take requests.
pub const READY: &str = "ready";

// The keys of the messages.
const ID: &str = "id";
const FILES: &str = "files";
const NAME: &str = "name";
const BYTES: &str = "bytes";
const OPTIONS: &str = "options";
const OK: &str = "ok";
const MS: &str = "ms";
const SPEC: &str = "spec";
const HAR: &str = "har";
const METHODS: &str = "methods";
const URLS: &str = "urls";
const ENTRIES: &str = "entries";
const ERROR: &str = "error";
const LINE: &str = "line";
const EXCERPT: &str = "excerpt";

fn get(object: &JsValue, key: &str) -> JsValue {
    Reflect::get(object, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn set(object: &Object, key: &str, value: &JsValue) {
    let _ = Reflect::set(object, &JsValue::from_str(key), value);
}

fn string(object: &JsValue, key: &str) -> Option<String> {
    get(object, key).as_string()
}

/// Why a conversion gave no result: the message to show and, for a file
/// that is not well-formed, the line and the excerpt of it to show.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    /// What is wrong and what to do, for people.
    pub message: String,
    /// The 1-based line and an excerpt of it, for a syntax error.
    pub place: Option<(usize, Excerpt)>,
}

impl From<String> for Failure {
    fn from(message: String) -> Failure {
        Failure {
            message,
            place: None,
        }
    }
}

impl From<&str> for Failure {
    fn from(message: &str) -> Failure {
        message.to_owned().into()
    }
}

/// A conversion asked of the worker.
pub struct Request {
    /// Matches the reply to the request.
    pub id: f64,
    /// Each file's name (a relative path when a folder was chosen) and
    /// bytes.
    pub files: Vec<(String, Uint8Array)>,
    /// The JSON of a `prescan_core::ConvertOptions`.
    pub options: String,
}

impl Request {
    /// The message, and the buffers to transfer with it (the bytes are
    /// unusable on the sending side afterwards).
    pub fn to_js(&self) -> (JsValue, Array) {
        let message = Object::new();
        let list = Array::new();
        let transfer = Array::new();
        for (name, bytes) in &self.files {
            let item = Object::new();
            set(&item, NAME, &JsValue::from_str(name));
            set(&item, BYTES, bytes);
            list.push(&item);
            transfer.push(&bytes.buffer());
        }
        set(&message, ID, &JsValue::from_f64(self.id));
        set(&message, FILES, &list);
        set(&message, OPTIONS, &JsValue::from_str(&self.options));
        (message.into(), transfer)
    }

    /// Reads a message (missing parts are empty).
    pub fn from_js(message: &JsValue) -> Request {
        Request {
            id: get(message, ID).as_f64().unwrap_or(0.0),
            files: Array::from(&get(message, FILES))
                .iter()
                .map(|file| {
                    let bytes = get(&file, BYTES);
                    let bytes = bytes
                        .dyn_into::<Uint8Array>()
                        .unwrap_or_else(|_| Uint8Array::new_with_length(0));
                    (string(&file, NAME).unwrap_or_default(), bytes)
                })
                .collect(),
            options: string(message, OPTIONS).unwrap_or_default(),
        }
    }
}

/// A conversion's result, as posted.
#[derive(Debug, Clone)]
pub struct Converted {
    /// The JSON of the `prescan_core::Specification`.
    pub spec: String,
    /// The whole HAR file, pretty-printed, as it is downloaded.
    pub har: web_sys::Blob,
    /// Each entry's method.
    pub methods: Array,
    /// Each entry's URL.
    pub urls: Array,
    /// Each entry's JSON.
    pub entries: Array,
}

/// The worker's answer to one [`Request`].
pub struct Reply {
    /// The request's id (0 for a message that names none).
    pub id: f64,
    /// How long the worker took, in milliseconds.
    pub ms: f64,
    /// The conversion, or why there is none.
    pub result: Result<Converted, Failure>,
}

impl Reply {
    /// The message to post.
    pub fn to_js(&self) -> JsValue {
        let message = Object::new();
        set(&message, ID, &JsValue::from_f64(self.id));
        set(&message, MS, &JsValue::from_f64(self.ms));
        match &self.result {
            Ok(converted) => {
                set(&message, OK, &JsValue::TRUE);
                set(&message, SPEC, &JsValue::from_str(&converted.spec));
                set(&message, HAR, &converted.har);
                set(&message, METHODS, &converted.methods);
                set(&message, URLS, &converted.urls);
                set(&message, ENTRIES, &converted.entries);
            }
            Err(failure) => set_failure(&message, failure),
        }
        message.into()
    }

    /// Reads a message; anything that is not a whole conversion is a
    /// [`Failure`] saying what is missing.
    pub fn from_js(message: &JsValue) -> Reply {
        let result = if get(message, OK) == JsValue::TRUE {
            let array = |key: &str| get(message, key).dyn_into::<Array>().unwrap_or_default();
            match (
                string(message, SPEC),
                get(message, HAR).dyn_into::<web_sys::Blob>(),
            ) {
                (Some(spec), Ok(har)) => Ok(Converted {
                    spec,
                    har,
                    methods: array(METHODS),
                    urls: array(URLS),
                    entries: array(ENTRIES),
                }),
                _ => Err(
                    "The converter's answer had no specification or no HAR. Reload the page and try again."
                        .into(),
                ),
            }
        } else {
            Err(failure_of(message))
        };
        Reply {
            id: get(message, ID).as_f64().unwrap_or(0.0),
            ms: get(message, MS).as_f64().unwrap_or(0.0),
            result,
        }
    }
}

fn set_failure(message: &Object, failure: &Failure) {
    set(message, OK, &JsValue::FALSE);
    set(message, ERROR, &JsValue::from_str(&failure.message));
    if let Some((line, excerpt)) = &failure.place {
        set(message, LINE, &JsValue::from_f64(*line as f64));
        if let Ok(json) = serde_json::to_string(excerpt) {
            set(message, EXCERPT, &JsValue::from_str(&json));
        }
    }
}

fn failure_of(message: &JsValue) -> Failure {
    let place = get(message, LINE)
        .as_f64()
        .zip(string(message, EXCERPT).and_then(|json| serde_json::from_str::<Excerpt>(&json).ok()))
        .map(|(line, excerpt)| (line as usize, excerpt));
    Failure {
        message: string(message, ERROR)
            .unwrap_or_else(|| "The converter gave no answer.".to_owned()),
        place,
    }
}

/// A failure as a message on its own (no request id): what the page's side
/// settles a waiting conversion with when the worker cannot answer.
pub fn failure_message(failure: &Failure) -> JsValue {
    let message = Object::new();
    set_failure(&message, failure);
    message.into()
}

/// The id of a reply, if it names one.
pub fn reply_id(message: &JsValue) -> Option<f64> {
    get(message, ID).as_f64()
}

/// Reads a failure (the `ok: false` side of a message).
pub fn read_failure(message: &JsValue) -> Option<Failure> {
    (get(message, OK) == JsValue::FALSE).then(|| failure_of(message))
}
