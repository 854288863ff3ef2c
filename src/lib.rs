//! The prescan web app: the `App` component, its routes, and the browser glue
//! around the pure core (`prescan_core`).
//!
//! Pages talk to the core only through plain data: a page never parses a
//! specification itself, it asks the conversion worker ([`convert`]) and shows
//! the answer.

pub mod components;
pub mod convert;
pub mod download;
pub mod format;
pub mod pages;
pub mod protocol;
pub mod route;
pub mod store;

use leptos::prelude::*;

use crate::route::Route;

/// A file dropped outside the drop zone would make the browser leave the app
/// to show that file, losing what was on screen: such drops do nothing.
fn guard_against_stray_drops() {
    use wasm_bindgen::prelude::*;
    let Some(window) = web_sys::window() else {
        return;
    };
    let ignore =
        Closure::<dyn Fn(web_sys::Event)>::new(|event: web_sys::Event| event.prevent_default());
    for name in ["dragover", "drop"] {
        let _ = window.add_event_listener_with_callback(name, ignore.as_ref().unchecked_ref());
    }
    // Listeners for the page's lifetime.
    ignore.forget();
}

/// The whole app: the frame, and the page the URL names.
#[component]
pub fn App() -> impl IntoView {
    let route = route::use_hash_route();
    guard_against_stray_drops();
    let app = store::AppStore::provide();
    pages::follow_whoami(app);
    // The preview's specification and configuration outlive a visit to another page.
    pages::spec_preview::PreviewState::provide();
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="app-header">
            <div class="app-header__inner">
                <a class="brand" href="#/">
                    <span class="brand__mark" aria-hidden="true">"p"</span>
                    <span class="brand__name">"prescan"</span>
                </a>
                <nav aria-label="Main">
                    <ul class="nav">
                        <li>
                            <a href="#/" aria-current=move || matches!(route.get(), Route::SpecPreview(_)).then_some("page")>
                                <span class="nav__long">"Specification preview"</span>
                                <span class="nav__short">"Preview"</span>
                            </a>
                        </li>
                        <li>
                            <a href="#/analyses" data-testid="nav-analyses" aria-current=move || {
                                matches!(route.get(), Route::Analyses(_) | Route::Analysis(_) | Route::NewAnalysis | Route::Prescan { .. }).then_some("page")
                            }>
                                <span class="nav__long">"Dynamic Analyses"</span>
                                <span class="nav__short">"Analyses"</span>
                            </a>
                        </li>
                        <li>
                            <a href="#/settings" data-testid="nav-settings" aria-current=move || (route.get() == Route::Settings).then_some("page")>
                                "Settings"
                            </a>
                        </li>
                    </ul>
                </nav>
                <div class="app-header__meta">
                    <div class="app-header__where">
                        <a class="backend-indicator" href="#/settings" data-testid="backend-indicator"
                            data-backend=move || if app.is_api() { "api" } else { "browser" }
                            title="Where analyses are kept: change it in Settings">
                            <span class="backend-indicator__label">"Analyses: "</span>
                            {move || app.backend.with(store::settings::Backend::label)}
                        </a>
                        <components::account::Account />
                    </div>
                    <p class="app-header__privacy">
                        <components::icon::Icon kind=components::icon::IconKind::Lock />
                        {move || if app.is_api() {
                            "Specifications are read in your browser; analyses are on the server."
                        } else {
                            "Runs in your browser. Nothing is uploaded."
                        }}
                    </p>
                </div>
            </div>
        </header>
        <main id="main" class="page" tabindex="-1">
            <components::storage_banner::StorageBanner />
            <components::notifications::Notifications />
            {move || pages::page(route.get())}
        </main>
        <footer class="app-footer">
            <p>
                "prescan " {env!("CARGO_PKG_VERSION")}
                " · Specifications are read and converted on this device; after one visit the app also works offline."
            </p>
            <p class="app-footer__notifications"><components::notifications::BrowserNotifications /></p>
        </footer>
    }
}
