//! The URL → page mapping. Routes live in the fragment (`#/...`) so that a
//! static host serves the app from any sub-path with no rewrite rules, and a
//! reload or a shared link opens the same page, with the same search and
//! filter (they are in the fragment's query string).

use leptos::prelude::*;
use wasm_bindgen::prelude::*;

/// A page of the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// `#/?q=...&method=...&group=tag`: load a specification and preview
    /// its endpoints (found, filtered, grouped as the query says) and HAR.
    SpecPreview(Query),
    /// `#/analyses?q=...&status=...&sort=...&dir=...`: all Dynamic Analyses.
    Analyses(Query),
    /// `#/analyses/new`: create an analysis.
    NewAnalysis,
    /// `#/analyses/{id}`: one analysis.
    Analysis(String),
    /// `#/analyses/{id}/scans/{scan_id}/prescan`: the Prescan Details of
    /// one API specification scan.
    Prescan {
        /// The analysis id, as written in the URL.
        analysis: String,
        /// The scan id, as written in the URL.
        scan: String,
    },
    /// `#/settings`: where analyses are kept.
    Settings,
    /// Anything else, with the path that was asked for.
    NotFound(String),
}

/// The query string of a route, as name/value pairs in order, decoded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query(pub Vec<(String, String)>);

impl Query {
    /// Parses `a=1&b=x%20y` (no leading `?`); `+` is a space.
    pub fn parse(text: &str) -> Query {
        Query(
            text.split('&')
                .filter(|pair| !pair.is_empty())
                .map(|pair| {
                    let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
                    (decode(name), decode(value))
                })
                .collect(),
        )
    }

    /// The first value of `name`, if any.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The query string (`a=1&b=x%20y`), leaving out empty values.
    pub fn to_query_string(&self) -> String {
        self.0
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(n, v)| format!("{}={}", encode(n), encode(v)))
            .collect::<Vec<_>>()
            .join("&")
    }
}

/// Percent-decodes a query component or a path segment (the JSON API's
/// rules, `+` is a space); a component with a malformed escape or bytes
/// that are not UTF-8 stays as written.
pub fn decode(text: &str) -> String {
    prescan_core::api::percent_decode(text).unwrap_or_else(|| text.to_owned())
}

/// Percent-encodes a query component or a path segment (unreserved
/// characters stay).
pub use prescan_core::api::percent_encode as encode;

impl Route {
    /// The route a fragment names (`#/`, `#/analyses?status=...`, or empty).
    pub fn from_hash(hash: &str) -> Route {
        let rest = hash.trim_start_matches('#');
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        match segments.as_slice() {
            [] => Route::SpecPreview(Query::parse(query)),
            ["analyses"] => Route::Analyses(Query::parse(query)),
            ["analyses", "new"] => Route::NewAnalysis,
            ["settings"] => Route::Settings,
            ["analyses", id] => Route::Analysis(decode(id)),
            ["analyses", id, "scans", scan, "prescan"] => Route::Prescan {
                analysis: decode(id),
                scan: decode(scan),
            },
            _ => Route::NotFound(path.to_owned()),
        }
    }

    /// The fragment that names this route (`#/analyses?status=...`).
    pub fn to_hash(&self) -> String {
        match self {
            Route::SpecPreview(query) => match query.to_query_string() {
                q if q.is_empty() => "#/".to_owned(),
                q => format!("#/?{q}"),
            },
            Route::Analyses(query) => match query.to_query_string() {
                q if q.is_empty() => "#/analyses".to_owned(),
                q => format!("#/analyses?{q}"),
            },
            Route::NewAnalysis => "#/analyses/new".to_owned(),
            Route::Settings => "#/settings".to_owned(),
            Route::Analysis(id) => format!("#/analyses/{}", encode(id)),
            Route::Prescan { analysis, scan } => format!(
                "#/analyses/{}/scans/{}/prescan",
                encode(analysis),
                encode(scan)
            ),
            Route::NotFound(path) => format!("#{path}"),
        }
    }
}

/// Replaces the current URL's fragment without adding a history entry and
/// without a `hashchange` (for state a page already holds, such as what is
/// typed in a search box).
pub fn replace_hash(route: &Route) {
    if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&route.to_hash()));
    }
}

/// Goes to `route` (a new history entry).
pub fn navigate(route: &Route) {
    if let Some(window) = web_sys::window() {
        let _ = window.location().set_hash(&route.to_hash());
    }
}

/// The current route, kept in step with `location.hash`.
pub fn use_hash_route() -> ReadSignal<Route> {
    let current = || {
        web_sys::window()
            .and_then(|window| window.location().hash().ok())
            .unwrap_or_default()
    };
    let (route, set_route) = signal(Route::from_hash(&current()));
    if let Some(window) = web_sys::window() {
        let on_change =
            Closure::<dyn Fn()>::new(move || set_route.set(Route::from_hash(&current())));
        let _ = window
            .add_event_listener_with_callback("hashchange", on_change.as_ref().unchecked_ref());
        // The app lives as long as the page: the listener is never removed.
        on_change.forget();
    }
    route
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fragments_name_pages() {
        assert_eq!(Route::from_hash(""), Route::SpecPreview(Query::default()));
        assert_eq!(Route::from_hash("#/"), Route::SpecPreview(Query::default()));
        let found = Route::SpecPreview(Query(vec![("q".into(), "pets".into())]));
        assert_eq!(found.to_hash(), "#/?q=pets");
        assert_eq!(Route::from_hash("#/?q=pets"), found);
        assert_eq!(
            Route::from_hash("#/analyses"),
            Route::Analyses(Query::default())
        );
        assert_eq!(Route::from_hash("#/analyses/new"), Route::NewAnalysis);
        assert_eq!(Route::from_hash("#/settings"), Route::Settings);
        assert_eq!(Route::Settings.to_hash(), "#/settings");
        assert_eq!(
            Route::from_hash("#/analyses/a%2F1"),
            Route::Analysis("a/1".into())
        );
        assert_eq!(Route::from_hash("#/nope"), Route::NotFound("/nope".into()));
    }

    #[test]
    fn list_state_round_trips_through_the_fragment() {
        let route = Route::Analyses(Query(vec![
            ("q".into(), "pay api & co".into()),
            ("status".into(), "Completed - Results Available".into()),
            ("sort".into(), String::new()),
        ]));
        let hash = route.to_hash();
        assert_eq!(
            hash,
            "#/analyses?q=pay%20api%20%26%20co&status=Completed%20-%20Results%20Available"
        );
        let back = Route::from_hash(&hash);
        let Route::Analyses(query) = back else {
            panic!("{back:?}")
        };
        assert_eq!(query.get("q"), Some("pay api & co"));
        assert_eq!(query.get("status"), Some("Completed - Results Available"));
        assert_eq!(query.get("sort"), None);
    }

    #[test]
    fn prescan_details_have_their_own_route() {
        let route = Route::Prescan {
            analysis: "12".into(),
            scan: "a/3".into(),
        };
        assert_eq!(route.to_hash(), "#/analyses/12/scans/a%2F3/prescan");
        assert_eq!(Route::from_hash(&route.to_hash()), route);
        assert_eq!(
            Route::from_hash("#/analyses/12/scans/3"),
            Route::NotFound("/analyses/12/scans/3".into())
        );
    }

    #[test]
    fn decoding_is_lenient() {
        assert_eq!(decode("a+b%20c"), "a b c");
        assert_eq!(decode("100%"), "100%");
        assert_eq!(decode("%zz"), "%zz");
        assert_eq!(decode("%E2%9C%93"), "✓");
    }
}
