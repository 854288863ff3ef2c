//! The built app at `/` (the files of `--dist`, with the app's
//! Content-Security-Policy), and what answers a path that is nothing.

use tower::ServiceExt;

use super::gate::is_api;
use super::prelude::*;
use super::problem::*;

/// The Content-Security-Policy of the app served from `dist` (see
/// [`app_csp`]).
///
/// Scripts: the app's own files, WebAssembly (`'wasm-unsafe-eval'`) and
/// the inline `<script>` blocks of `index.html` (the service-worker
/// registration and Trunk's module loader) by their SHA-256 hashes,
/// computed when the server starts; never `'unsafe-inline'`. Connections:
/// this server, the `--allow-origin` origins and the `--csp-connect`
/// sources.
pub fn app_csp(index_html: Option<&str>, allow_origins: &[String], connect: &[String]) -> String {
    let mut script = String::from("'self' 'wasm-unsafe-eval'");
    for hash in index_html.map(inline_script_hashes).unwrap_or_default() {
        script.push_str(&format!(" 'sha256-{hash}'"));
    }
    let mut connect_src = String::from("'self'");
    for o in allow_origins.iter().chain(connect) {
        // A source may not hold ';' or ',' (they would end the directive).
        if !o.is_empty() && !o.contains([';', ',']) && !o.chars().any(char::is_whitespace) {
            connect_src.push(' ');
            connect_src.push_str(o);
        }
    }
    format!(
        "default-src 'self'; script-src {script}; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; connect-src {connect_src}; worker-src 'self'; manifest-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// The base64 SHA-256 of every inline `<script>` block (one without a
/// `src` attribute) of an HTML page, as CSP hash sources take them.
pub fn inline_script_hashes(html: &str) -> Vec<String> {
    use base64::Engine as _;
    use sha2::Digest as _;
    let lower = html.to_ascii_lowercase();
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(start) = lower[at..].find("<script").map(|i| i + at) {
        let Some(open_end) = lower[start..].find('>').map(|i| i + start) else {
            break;
        };
        let tag = &lower[start..open_end];
        let Some(close) = lower[open_end..].find("</script").map(|i| i + open_end) else {
            break;
        };
        let has_src = tag
            .split(|c: char| c.is_whitespace())
            .any(|attr| attr.starts_with("src=") || attr == "src");
        if !has_src {
            let body = &html[open_end + 1..close];
            let digest = sha2::Sha256::digest(body.as_bytes());
            out.push(base64::engine::general_purpose::STANDARD.encode(digest));
        }
        at = close + "</script".len();
    }
    out
}

/// A path no route takes: a 404 problem under the API, else a file of
/// the app.
pub(super) async fn fallback(
    State(s): State<Arc<AppState>>,
    method: Method,
    uri: Uri,
    req: Request,
) -> Response {
    if is_api(uri.path()) {
        return problem_response(Problem::not_found(format!(
            "Nothing is at {}. The API's paths are in {API}/openapi.json.",
            uri.path()
        )));
    }
    let Some(dist) = s.config.dist.clone() else {
        return (
            StatusCode::NOT_FOUND,
            "Not found. This server serves the API at /api/v1 (no app was given with --dist).\n",
        )
            .into_response();
    };
    if !matches!(method, Method::GET | Method::HEAD) {
        return (StatusCode::METHOD_NOT_ALLOWED, "Method not allowed\n").into_response();
    }
    let immutable = is_content_hashed(uri.path());
    let serve = tower_http::services::ServeDir::new(dist).append_index_html_on_directories(true);
    match serve.oneshot(req).await {
        Ok(r) => {
            let mut r = r.into_response();
            if immutable && r.status() == StatusCode::OK {
                r.headers_mut().insert(
                    axum::http::header::CACHE_CONTROL,
                    axum::http::HeaderValue::from_static("public, max-age=31536000, immutable"),
                );
            }
            r
        }
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

/// Whether a path names a file whose name changes with its content: one in
/// the split build's `wasm-<16 hex digits>/` directory (scripts/split-build),
/// or Trunk's `<name>-<hex>.<ext>`. Those can be cached for good.
fn is_content_hashed(path: &str) -> bool {
    let hex = |t: &str, min: usize, max: usize| {
        (min..=max).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_hexdigit())
    };
    let mut segments = path.rsplit('/');
    let file = segments.next().unwrap_or_default();
    if file.is_empty() {
        return false;
    }
    if segments
        .next()
        .and_then(|dir| dir.strip_prefix("wasm-"))
        .is_some_and(|h| hex(h, 16, 16))
    {
        return true;
    }
    let stem = file.split('.').next().unwrap_or_default();
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-').is_some_and(|(_, h)| hex(h, 8, 16))
}

#[cfg(test)]
mod tests {
    use super::is_content_hashed;

    #[test]
    fn content_hashed_files_are_known_by_their_names() {
        for hashed in [
            "/wasm-93b29693f5cd19b9/prescan_bg.wasm",
            "/tools/prescan/wasm-93b29693f5cd19b9/split_settings.wasm",
            "/main-a8221c41480f07f4.css",
            "/favicon-90ee138945c226bf.svg",
            "/prescan-2099e4239d55032_bg.wasm",
        ] {
            assert!(is_content_hashed(hashed), "{hashed}");
        }
        for plain in [
            "/",
            "/index.html",
            "/sw.js",
            "/worker.js",
            "/public/register-sw.js",
            "/wasm-93b29693f5cd19b9/",
            "/wasm-xyz/prescan.js",
            "/public/samples/petstore.yaml",
            "/my-app.css",
        ] {
            assert!(!is_content_hashed(plain), "{plain}");
        }
    }
}
