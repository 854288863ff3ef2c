//! One module per page of the app, and [`page`], the view of the page a
//! route names.
//!
//! The specification preview (what most visits are for) is in the first
//! module the browser loads. With the `split` feature (the release build,
//! `scripts/split-build`), every other page is a split point: its code is cut
//! out of the first module into a WebAssembly file of its own, fetched the
//! first time the page is opened, with a loading state meanwhile and a
//! message with *Try again* if the download fails. Without the feature
//! (`cargo test`, the browser tests) the same functions are called directly.

pub mod analyses;
pub mod analysis;
pub mod new_analysis;
pub mod not_found;
pub mod prescan;
pub mod settings;
pub mod spec_preview;

use leptos::prelude::*;

use prescan_core::analysis::{SpecRecord, SpecUpload, StoreError};

use std::rc::Rc;

use leptos::task::spawn_local;

use crate::route::{Query, Route};
use crate::store::http::HttpStore;
use crate::store::people::Whoami;
use crate::store::AppStore;

#[cfg(feature = "split")]
pub use leptos::wasm_split::SplitLoaderError;

/// Stands in for the loader's error when nothing is split (never made).
#[cfg(not(feature = "split"))]
#[derive(Debug)]
pub enum SplitLoaderError {}

/// Declares the view of a lazily loaded page: a split point in its own module
/// `$module` with the `split` feature, a plain function without.
macro_rules! lazy_page {
    ($(#[$doc:meta])* $module:ident: fn $name:ident($($arg:ident: $ty:ty),*) $body:block) => {
        $(#[$doc])*
        #[cfg_attr(
            feature = "split",
            leptos::wasm_split::wasm_split($module, fallible, wasm_split_path = ::leptos::wasm_split)
        )]
        fn $name($($arg: $ty),*) -> Result<AnyView, SplitLoaderError> $body
    };
}

lazy_page! {
    /// The Dynamic Analyses page.
    analyses: fn analyses_page(query: Query) {
        Ok(view! { <analyses::AnalysesPage query=query /> }.into_any())
    }
}

lazy_page! {
    /// One analysis.
    analyses: fn analysis_page(id: String) {
        Ok(view! { <analysis::AnalysisPage id=id /> }.into_any())
    }
}

lazy_page! {
    /// The New analysis form.
    analyses: fn new_analysis_page() {
        Ok(view! { <new_analysis::NewAnalysisPage /> }.into_any())
    }
}

lazy_page! {
    /// The Prescan Details of one scan.
    prescan: fn prescan_page(analysis: String, scan: String) {
        Ok(view! { <prescan::PrescanPage analysis=analysis scan=scan /> }.into_any())
    }
}

lazy_page! {
    /// Where analyses are kept.
    settings: fn settings_page() {
        Ok(view! { <settings::SettingsPage /> }.into_any())
    }
}

/// Calls a page function: awaited where it is a split point.
macro_rules! call {
    ($call:expr) => {{
        #[cfg(feature = "split")]
        let view = $call.await;
        #[cfg(not(feature = "split"))]
        let view = $call;
        view
    }};
}
pub(crate) use call;

/// A future of the pages' code, run on the page that asked for it.
type Later<T> = std::pin::Pin<Box<dyn std::future::Future<Output = T>>>;

/// Stores a specification for a new analysis (the preview's *Use in a new
/// analysis*), once the store has read what was saved: with the New analysis
/// page, which opens next, so that the store's code stays out of the first
/// module.
#[cfg_attr(
    feature = "split",
    leptos::wasm_split::wasm_split(analyses, fallible, wasm_split_path = ::leptos::wasm_split)
)]
fn store_specification_later(
    app: AppStore,
    upload: SpecUpload,
) -> Result<Later<Result<SpecRecord, StoreError>>, SplitLoaderError> {
    Ok(Box::pin(async move {
        app.started().await;
        app.put_specification(upload).await
    }))
}

/// Stores a specification for a new analysis; `Err` says why it was not.
pub async fn store_specification(app: AppStore, upload: SpecUpload) -> Result<SpecRecord, String> {
    match call!(store_specification_later(app, upload)) {
        Ok(stored) => stored.await.map_err(|e| e.to_string()),
        Err(_) => Err(
            "The code that keeps analyses could not be loaded (the network may be offline). Try again when it is back.".to_owned(),
        ),
    }
}

/// Asks a server who the caller is: with the code that talks to servers,
/// which the first module does not hold (a visit that keeps analyses in
/// this browser never loads it).
#[cfg_attr(
    feature = "split",
    leptos::wasm_split::wasm_split(people, fallible, wasm_split_path = ::leptos::wasm_split)
)]
fn ask_whoami_later(http: Rc<HttpStore>) -> Result<Later<Whoami>, SplitLoaderError> {
    Ok(Box::pin(async move { Whoami::ask(&http).await }))
}

/// How long to wait before asking again who the caller is after the
/// server could not say (unreachable, failing), in milliseconds.
const WHOAMI_RETRY_MS: u32 = 10_000;

/// Keeps [`AppStore::whoami`] up to date: asks the server who the caller
/// is when the app connects to it, when the server or the token changes,
/// and when [`AppStore::ask_whoami`] is called (after a 403); asks again
/// every few seconds while it cannot say (but not after a 401: the token
/// has to change first). The answer of an older question is dropped.
pub fn follow_whoami(app: AppStore) {
    let generation = StoredValue::new(0u64);
    Effect::new(move |_| {
        app.backend.track();
        app.whoami_again.track();
        let mine = generation.get_value().wrapping_add(1);
        generation.set_value(mine);
        let Some(http) = app.http() else {
            app.whoami.set(Whoami::Browser);
            return;
        };
        let current = move || generation.try_get_value() == Some(mine);
        spawn_local(async move {
            loop {
                let answer = match call!(ask_whoami_later(http.clone())) {
                    Ok(asking) => asking.await,
                    Err(_) => Whoami::Failed {
                        message: "The code that asks the server who you are could not be loaded (the network may be offline).".to_owned(),
                        unauthorized: false,
                    },
                };
                if !current() {
                    return;
                }
                let retry = matches!(
                    answer,
                    Whoami::Failed {
                        unauthorized: false,
                        ..
                    }
                );
                // A refresh that could not reach the server keeps what it
                // said before.
                if retry && app.whoami.with_untracked(|w| matches!(w, Whoami::Known(_))) {
                    return;
                }
                app.whoami.try_set(answer);
                if !retry {
                    return;
                }
                crate::store::live::sleep(WHOAMI_RETRY_MS).await;
                if !current() {
                    return;
                }
            }
        });
    });
}

/// Drops the saved analyses that could not be read and starts with an empty
/// store (the storage banner's *Start fresh*): with the Dynamic Analyses page,
/// whose module holds the store's saving.
#[cfg_attr(
    feature = "split",
    leptos::wasm_split::wasm_split(analyses, fallible, wasm_split_path = ::leptos::wasm_split)
)]
fn start_fresh_now(app: AppStore) -> Result<(), SplitLoaderError> {
    app.start_fresh();
    Ok(())
}

/// Starts with an empty store; `Err` says why it could not.
pub async fn start_fresh(app: AppStore) -> Result<(), String> {
    call!(start_fresh_now(app)).map_err(|_| {
        "The code that keeps analyses could not be loaded (the network may be offline). Nothing was changed; try again when it is back.".to_owned()
    })
}

/// What a route's page needs loaded before it can show, and its name for
/// the loading state.
fn lazy_name(route: &Route) -> Option<&'static str> {
    match route {
        Route::SpecPreview(_) | Route::NotFound(_) => None,
        Route::Analyses(_) => Some("Dynamic Analyses"),
        Route::Analysis(_) => Some("Dynamic Analysis"),
        Route::NewAnalysis => Some("New Dynamic Analysis"),
        Route::Prescan { .. } => Some("Prescan Details"),
        Route::Settings => Some("Settings"),
    }
}

#[cfg_attr(not(feature = "split"), allow(clippy::unused_async))]
async fn load(route: Route) -> Result<AnyView, SplitLoaderError> {
    match route {
        Route::SpecPreview(query) => {
            Ok(view! { <spec_preview::SpecPreview query=query /> }.into_any())
        }
        Route::NotFound(path) => Ok(view! { <not_found::NotFound path=path /> }.into_any()),
        Route::Analyses(query) => call!(analyses_page(query)),
        Route::Analysis(id) => call!(analysis_page(id)),
        Route::NewAnalysis => call!(new_analysis_page()),
        Route::Prescan { analysis, scan } => call!(prescan_page(analysis, scan)),
        Route::Settings => call!(settings_page()),
    }
}

/// The view of the page `route` names: at once if its code is loaded, else
/// a loading state until it is, or a message with *Try again* if its file
/// could not be fetched (offline on a first visit, or a new version
/// deployed meanwhile).
pub fn page(route: Route) -> AnyView {
    let Some(name) = lazy_name(&route) else {
        return match route {
            Route::NotFound(path) => view! { <not_found::NotFound path=path /> }.into_any(),
            Route::SpecPreview(query) => {
                view! { <spec_preview::SpecPreview query=query /> }.into_any()
            }
            _ => ().into_any(),
        };
    };
    let attempt = RwSignal::new(0u32);
    let fallback = move || {
        view! {
            <p class="page-loading" role="status" data-testid="page-loading">
                <span class="spinner" aria-hidden="true"></span>
                {format!("Loading the {name} page…")}
            </p>
        }
    };
    view! {
        <Suspense fallback=fallback>
            {move || {
                attempt.track();
                let route = route.clone();
                Suspend::new(async move {
                    match load(route).await {
                        Ok(view) => view,
                        Err(_) => failed(name, attempt).into_any(),
                    }
                })
            }}
        </Suspense>
    }
    .into_any()
}

/// Says a page could not be loaded, with a button that tries again.
fn failed(name: &'static str, attempt: RwSignal<u32>) -> impl IntoView {
    view! {
        <div class="alert alert--error" role="alert" data-testid="page-load-error">
            <h1 class="alert__title">{format!("The {name} page could not be loaded")}</h1>
            <p>
                "Its code is fetched the first time you open it, and that failed: the network may be offline, or a new version of prescan was published meanwhile (then reload the page). Nothing you entered elsewhere is lost."
            </p>
            <button type="button" class="button" data-testid="page-load-retry" on:click=move |_| attempt.update(|n| *n += 1)>
                "Try again"
            </button>
        </div>
    }
}
