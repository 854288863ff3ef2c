//! The URL → page mapping. Routes live in the fragment (`#/...`) so that a
//! static host serves the app from any sub-path with no rewrite rules, and a
//! reload or a shared link opens the same page.

use leptos::prelude::*;
use wasm_bindgen::prelude::*;

/// A page of the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// `#/`: load a specification and preview its endpoints and HAR.
    SpecPreview,
    /// Anything else, with the path that was asked for.
    NotFound(String),
}

impl Route {
    /// The route a fragment names (`#/`, `#/analyses?status=...`, or empty).
    pub fn from_hash(hash: &str) -> Route {
        let path = hash.trim_start_matches('#');
        let path = path.split('?').next().unwrap_or_default();
        match path.trim_end_matches('/') {
            "" => Route::SpecPreview,
            other => Route::NotFound(other.to_owned()),
        }
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
