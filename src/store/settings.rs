//! Where analyses are kept, as chosen on the Settings page and remembered
//! in the browser.
//!
//! localStorage keys (a test can preset them before the app loads):
//! - `prescan.backend`: `browser` (the default) or `api`;
//! - `prescan.api.url`: the server's base URL, such as
//!   `http://127.0.0.1:8088` (the app calls `<url>/api/v1/...`);
//! - `prescan.api.token`: the bearer token, only when "Remember the token
//!   on this device" was ticked; otherwise the token is kept in
//!   sessionStorage under the same key (forgotten when the tab closes).

/// The localStorage key of the backend choice.
pub const KEY_BACKEND: &str = "prescan.backend";
/// The localStorage key of the API's base URL.
pub const KEY_URL: &str = "prescan.api.url";
/// The key of the bearer token (localStorage when remembered, else
/// sessionStorage).
pub const KEY_TOKEN: &str = "prescan.api.token";

/// Where analyses are kept.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Backend {
    /// In this browser (IndexedDB), with the simulated scan engine.
    #[default]
    Browser,
    /// On a server implementing the JSON API.
    Api(ApiConfig),
}

/// A JSON API server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiConfig {
    /// The base URL, without a trailing `/` and without `/api/v1`.
    pub base_url: String,
    /// The bearer token, if the server needs one.
    pub token: Option<String>,
}

impl Backend {
    /// What the header says: "this browser" or the server's host.
    pub fn label(&self) -> String {
        match self {
            Backend::Browser => "this browser".to_owned(),
            Backend::Api(api) => host_of(&api.base_url),
        }
    }

    /// Whether this is the JSON API.
    pub fn is_api(&self) -> bool {
        matches!(self, Backend::Api(_))
    }
}

/// The host (and port) of a URL: `https://api.example.com:8443/x` →
/// `api.example.com:8443`.
pub fn host_of(url: &str) -> String {
    let rest = url.split_once("://").map(|(_, rest)| rest).unwrap_or(url);
    let host = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    // Leave out credentials (user:password@host).
    host.rsplit('@').next().unwrap_or(host).to_owned()
}

/// Checks and normalizes an API base URL typed in Settings: `http://` or
/// `https://`, a host, no spaces, no query or fragment. A trailing `/` or
/// `/api/v1` is dropped (the app adds `/api/v1/...`).
pub fn normalize_base_url(text: &str) -> Result<String, String> {
    let url = text.trim();
    if url.is_empty() {
        return Err(
            "Enter the server's URL, such as http://127.0.0.1:8088 or https://prescan.example.com."
                .into(),
        );
    }
    let lower = url.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"));
    let Some(rest) = rest else {
        return Err(format!(
            "\u{201c}{url}\u{201d} is not an http:// or https:// URL. Enter the server's URL with its scheme, such as https://prescan.example.com."
        ));
    };
    if rest.is_empty() || rest.starts_with('/') || rest.starts_with(':') {
        return Err(format!(
            "\u{201c}{url}\u{201d} has no host name. Enter the server's URL, such as https://prescan.example.com."
        ));
    }
    if url.chars().any(char::is_whitespace) {
        return Err(format!(
            "\u{201c}{url}\u{201d} contains a space. Enter the server's URL without spaces."
        ));
    }
    if url.contains(['?', '#']) {
        return Err(format!(
            "\u{201c}{url}\u{201d} has a query or fragment. Enter only the server's base URL, such as https://prescan.example.com."
        ));
    }
    let mut base = url.trim_end_matches('/').to_owned();
    for suffix in ["/api/v1", "/api"] {
        if base.to_ascii_lowercase().ends_with(suffix) {
            base.truncate(base.len() - suffix.len());
            break;
        }
    }
    Ok(base.trim_end_matches('/').to_owned())
}

fn local() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

fn session() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.session_storage().ok().flatten())
}

fn read(storage: Option<web_sys::Storage>, key: &str) -> Option<String> {
    storage
        .and_then(|s| s.get_item(key).ok().flatten())
        .filter(|v| !v.is_empty())
}

/// The backend remembered in this browser (the default: this browser).
pub fn load() -> Backend {
    if read(local(), KEY_BACKEND).as_deref() != Some("api") {
        return Backend::Browser;
    }
    let Some(base_url) = read(local(), KEY_URL).and_then(|u| normalize_base_url(&u).ok()) else {
        return Backend::Browser;
    };
    let token = read(session(), KEY_TOKEN).or_else(|| read(local(), KEY_TOKEN));
    Backend::Api(ApiConfig { base_url, token })
}

/// Whether the token is remembered on this device (in localStorage).
pub fn token_remembered() -> bool {
    read(local(), KEY_TOKEN).is_some()
}

/// The API URL remembered, even when the browser is the backend (to fill
/// the Settings form).
pub fn remembered_url() -> Option<String> {
    read(local(), KEY_URL)
}

/// Remembers `backend`; the token goes to localStorage only when
/// `remember_token`, else to sessionStorage. Err says what failed.
pub fn save(backend: &Backend, remember_token: bool) -> Result<(), String> {
    let local = local().ok_or_else(|| {
        "This browser does not let the app remember settings (storage is turned off).".to_owned()
    })?;
    let failed =
        |_| "The browser refused to save the settings (storage full or turned off).".to_owned();
    match backend {
        Backend::Browser => {
            local.set_item(KEY_BACKEND, "browser").map_err(failed)?;
        }
        Backend::Api(api) => {
            local.set_item(KEY_BACKEND, "api").map_err(failed)?;
            local.set_item(KEY_URL, &api.base_url).map_err(failed)?;
            let _ = local.remove_item(KEY_TOKEN);
            if let Some(s) = session() {
                let _ = s.remove_item(KEY_TOKEN);
            }
            if let Some(token) = api.token.as_deref().filter(|t| !t.is_empty()) {
                if remember_token {
                    local.set_item(KEY_TOKEN, token).map_err(failed)?;
                } else if let Some(s) = session() {
                    s.set_item(KEY_TOKEN, token).map_err(failed)?;
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_are_checked_and_normalized() {
        assert_eq!(
            normalize_base_url(" http://127.0.0.1:8088/ ").as_deref(),
            Ok("http://127.0.0.1:8088")
        );
        assert_eq!(
            normalize_base_url("https://x.example.com/prescan/api/v1/").as_deref(),
            Ok("https://x.example.com/prescan")
        );
        assert_eq!(
            normalize_base_url("HTTPS://X.example.com").as_deref(),
            Ok("HTTPS://X.example.com")
        );
        assert!(normalize_base_url("").is_err());
        assert!(normalize_base_url("ftp://x").is_err());
        assert!(normalize_base_url("x.example.com").is_err());
        assert!(normalize_base_url("http://").is_err());
        assert!(normalize_base_url("http:///x").is_err());
        assert!(normalize_base_url("http://a b").is_err());
        assert!(normalize_base_url("http://a?x=1").is_err());
    }

    #[test]
    fn hosts_for_the_header() {
        assert_eq!(host_of("https://api.example.com/x"), "api.example.com");
        assert_eq!(host_of("http://127.0.0.1:8088"), "127.0.0.1:8088");
        assert_eq!(host_of("http://u:p@h.example"), "h.example");
        assert_eq!(Backend::Browser.label(), "this browser");
    }
}
