//! Saving a file from the page: a Blob handed to the browser's download.

use wasm_bindgen::JsCast;
use web_sys::{Blob, BlobPropertyBag, HtmlAnchorElement, Url};

/// Makes a Blob of `text` with the given MIME type.
pub fn text_blob(text: &str, mime_type: &str) -> Option<Blob> {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = BlobPropertyBag::new();
    options.set_type(mime_type);
    Blob::new_with_str_sequence_and_options(&parts, &options).ok()
}

/// Offers `blob` to the user as a download named `file_name`.
pub fn save(blob: &Blob, file_name: &str) -> Result<(), String> {
    let failed = |_| "The browser refused the download.".to_owned();
    let document = web_sys::window()
        .and_then(|window| window.document())
        .ok_or("No document to download from.")?;
    let url = Url::create_object_url_with_blob(blob).map_err(failed)?;
    let anchor: HtmlAnchorElement = document
        .create_element("a")
        .map_err(failed)?
        .unchecked_into();
    anchor.set_href(&url);
    anchor.set_download(file_name);
    anchor.click();
    // The browser has taken the URL by now; a later revoke keeps it valid
    // for browsers that start the download asynchronously.
    let revoke = wasm_bindgen::closure::Closure::once_into_js(move || {
        let _ = Url::revoke_object_url(&url);
    });
    if let Some(window) = web_sys::window() {
        let _ = window
            .set_timeout_with_callback_and_timeout_and_arguments_0(revoke.unchecked_ref(), 60_000);
    }
    Ok(())
}
