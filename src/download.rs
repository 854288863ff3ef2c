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

/// Offers `bytes` as a download named `file_name`.
pub fn save_bytes(bytes: &[u8], file_name: &str) -> Result<(), String> {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    Blob::new_with_u8_array_sequence(&parts)
        .map_err(|_| "The browser could not hold the file.".to_owned())
        .and_then(|blob| save(&blob, file_name))
}

/// Offers the original of a stored specification: its file (named
/// `file_name`), or, for one split over several files, a ZIP archive of
/// them all with their folders (`<name>.zip`), so that the references
/// between them resolve once it is unpacked. The name it was saved under.
pub async fn save_specification(
    app: crate::store::AppStore,
    id: prescan_core::analysis::SpecId,
    file_name: &str,
) -> Result<String, String> {
    let files = app
        .specification_files(id)
        .await
        .map_err(|e| e.to_string())?;
    match files.as_slice() {
        [] => Err("The specification has no file.".to_owned()),
        [one] => save_bytes(&one.bytes, file_name).map(|()| file_name.to_owned()),
        several => {
            let entries: Vec<prescan_core::zip::Entry<'_>> = several
                .iter()
                .map(|f| prescan_core::zip::Entry {
                    name: &f.name,
                    bytes: &f.bytes,
                })
                .collect();
            let zip = prescan_core::zip::stored(&entries).map_err(|e| e.to_string())?;
            let stem = file_name
                .rsplit_once('.')
                .map_or(file_name, |(stem, _)| stem);
            let name = format!("{stem}.zip");
            save_bytes(&zip, &name).map(|()| name)
        }
    }
}
