//! All Dynamic Analyses: find by name, filter by status, sort, page; the
//! table follows status changes as the scan engine moves runs on, without
//! losing what the person typed, chose or scrolled to. Find, filter, sort
//! and page live in the URL (`#/analyses?q=...&status=...&sort=...&dir=desc&page=2`)
//! so a view can be shared and survives a reload. Data tools: demo data,
//! export and import.
//!
//! `state.rs` holds the list's state as the URL keeps it and the texts that
//! describe the list; this file holds the page.

use leptos::prelude::*;
use leptos::task::spawn_local;
use prescan_core::analysis::{
    AnalysisAction, AnalysisId, AnalysisStatus, AnalysisSummary, ListQuery, Page, RunAction,
    SortKey, StoreError, StoreState, MAX_PAGE_SIZE,
};
use wasm_bindgen::JsCast;

use crate::components::analyses_table::AnalysesTable;
use crate::components::icon::{Icon, IconKind};
use crate::components::outcome::{outcome_view, Outcome};
use crate::components::poll_banner::PollBanner;
use crate::download;
use crate::format::thousands;
use crate::route::{replace_hash, Query, Route};
use crate::store::live::{Live, Poll};
use crate::store::people::{refusal, use_principal};
use crate::store::settings::Backend;
use crate::store::{use_store, AppStore, Overview, Storage};

mod state;
#[cfg(test)]
mod tests;
mod transfer;

pub use state::{caption, count_line, from_url, parse_sort, sort_param, to_url};

/// "Create an analysis": a link to the form, or, when the user's roles do
/// not allow it (`refused`: why), the same button disabled, pointing to the
/// reason shown under the page's title.
fn create_button(refused: Option<String>, testid: &'static str) -> AnyView {
    match refused {
        None => view! {
            <a class="button" href="#/analyses/new" data-testid=testid>"Create an analysis"</a>
        }
        .into_any(),
        Some(_) => view! {
            <button type="button" class="button button--unavailable" data-testid=testid disabled
                aria-describedby="create-refused">
                "Create an analysis"
            </button>
        }
        .into_any(),
    }
}

/// The name of an export made on a day: `prescan-analyses-2025-03-01.json`.
pub fn export_file_name(year: u32, month: u32, day: u32) -> String {
    format!("prescan-analyses-{year:04}-{month:02}-{day:02}.json")
}

/// The list as the page shows it: one page, and facts about the whole store.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Listing {
    page: Page<AnalysisSummary>,
    overview: Overview,
}

/// How often the list is refreshed from a server, in milliseconds.
const LIST_POLL_MS: u32 = 3000;

/// Loads the list for `q`; a page past the end (rows removed) loads the
/// last page instead.
async fn load_listing(app: AppStore, mut q: ListQuery) -> Result<Listing, StoreError> {
    let mut page = app.list(q.clone()).await?;
    if page.items.is_empty() && page.total_elements > 0 && page.total_pages > 0 {
        q.page = page.total_pages - 1;
        page = app.list(q).await?;
    }
    let overview = app.overview().await?;
    Ok(Listing { page, overview })
}

/// What the page shows under the count line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Loading,
    Unreadable,
    Failed,
    NoAnalyses,
    NoMatch,
    Rows,
}

fn today() -> (u32, u32, u32) {
    let d = js_sys::Date::new_0();
    (d.get_full_year(), d.get_month() + 1, d.get_date())
}

/// Scrolls the element with this test id into view once the page has
/// drawn it (a message that a change pushed out of view).
fn reveal(testid: &'static str) {
    set_timeout(
        move || {
            let Some(window) = web_sys::window() else {
                return;
            };
            let Some(element) = window.document().and_then(|d| {
                d.query_selector(&format!("[data-testid={testid}]"))
                    .ok()
                    .flatten()
            }) else {
                return;
            };
            // Only when it is out of view (getBoundingClientRect, read
            // without the DomRect binding).
            let edge = |rect: &wasm_bindgen::JsValue, name: &str| {
                js_sys::Reflect::get(rect, &name.into())
                    .ok()
                    .and_then(|v| v.as_f64())
                    .unwrap_or(0.0)
            };
            let rect = js_sys::Reflect::get(&element, &"getBoundingClientRect".into())
                .ok()
                .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
                .and_then(|f| f.call0(&element).ok());
            let height = window
                .inner_height()
                .ok()
                .and_then(|h| h.as_f64())
                .unwrap_or(0.0);
            let out_of_view =
                rect.is_none_or(|r| edge(&r, "top") < 0.0 || edge(&r, "bottom") > height);
            if out_of_view {
                element.scroll_into_view_with_bool(false);
            }
        },
        std::time::Duration::from_millis(60),
    );
}

fn confirm(message: &str) -> bool {
    web_sys::window()
        .and_then(|w| w.confirm_with_message(message).ok())
        .unwrap_or(false)
}

/// The largest export file this page reads (into memory, as text): above
/// it the tab could run out of memory, so it is refused before it is read.
pub const MAX_EXPORT_FILE_BYTES: usize = 256 * 1024 * 1024;

/// Why a chosen export is not read, if it is too large.
pub fn export_too_large(file_name: &str, size: usize) -> Option<String> {
    (size > MAX_EXPORT_FILE_BYTES).then(|| {
        format!(
            "{file_name} is {}; this page reads exports of at most {}. Nothing was imported.",
            crate::format::bytes(size),
            crate::format::bytes(MAX_EXPORT_FILE_BYTES)
        )
    })
}

/// The file chosen in a file input's change event, the input cleared so
/// that the same file can be chosen again.
fn take_chosen_file(ev: &web_sys::Event) -> Option<web_sys::File> {
    let input = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())?;
    let file = input.files().and_then(|list| list.get(0))?;
    input.set_value("");
    Some(file)
}

/// A chosen export's text, or the sentence saying why it is not read.
async fn read_export(file: &web_sys::File) -> Result<String, String> {
    let file_name = file.name();
    if let Some(why) = export_too_large(&file_name, file.size() as usize) {
        return Err(why);
    }
    match wasm_bindgen_futures::JsFuture::from(file.text()).await {
        Ok(v) => Ok(v.as_string().unwrap_or_default()),
        Err(_) => Err(format!(
            "{file_name} could not be read. Nothing was imported. Choose the file again."
        )),
    }
}

fn plural(n: usize) -> String {
    format!(
        "{} {}",
        thousands(n),
        if n == 1 { "analysis" } else { "analyses" }
    )
}

/// Dynamic Analyses.
#[component]
pub fn AnalysesPage(query: Query) -> impl IntoView {
    let app = use_store();
    let initial = from_url(&query);
    let find = RwSignal::new(initial.find);
    let status = RwSignal::new(initial.status);
    let sort = RwSignal::new(initial.sort);
    let descending = RwSignal::new(initial.descending);
    let page_number = RwSignal::new(initial.page);
    // Plain closures and one memo over the store: effects read `listing`
    // (and signals) directly, never a memo of a memo of the same source.
    let state = move || ListQuery {
        find: find.get(),
        status: status.get(),
        sort: sort.get(),
        descending: descending.get(),
        page: page_number.get(),
        size: MAX_PAGE_SIZE,
    };

    // The list, following every change of the store (and, with a server,
    // refreshed every few seconds); the last list stays on screen while it
    // reloads or when the server is away.
    let live = Live::new(app, move || {
        let q = state();
        async move { load_listing(app, q).await }
    });
    let poll = Poll::start(
        app,
        LIST_POLL_MS,
        move || live.refetch(),
        move || live.loading(),
        move || live.failed_untracked(),
    );
    let listing = live.data;
    let load_error = live.error;
    let total = move || listing.with(|l| l.as_ref().map_or(0, |l| l.overview.total));
    let has_demo = move || listing.with(|l| l.as_ref().is_some_and(|l| l.overview.has_demo));
    // What the user's roles do not let them do here, and why.
    let principal = use_principal();
    let create_refused =
        Memo::new(move |_| principal.with(|p| refusal(p, prescan_core::people::Action::Create)));
    let may_pause = Memo::new(move |_| {
        principal.with(|p| p.may(prescan_core::people::Action::PauseResume).is_ok())
    });
    // A row offers Pause and Resume only to those whose roles allow them
    // (the summary page says why not).
    let rows = Memo::new(move |_| {
        let mut items =
            listing.with(|l| l.as_ref().map(|l| l.page.items.clone()).unwrap_or_default());
        if !may_pause.get() {
            for item in &mut items {
                item.actions
                    .retain(|a| !matches!(a, AnalysisAction::Pause | AnalysisAction::Resume));
            }
        }
        items
    });
    let pages = move || {
        listing.with(|l| {
            l.as_ref()
                .map_or((0, 0), |l| (l.page.number, l.page.total_pages))
        })
    };
    let mode = Memo::new(move |_| {
        let api = app.is_api();
        match app.storage.get() {
            Storage::Loading if !api => Mode::Loading,
            Storage::Unreadable { .. } if !api => Mode::Unreadable,
            _ => listing.with(|l| match l {
                None if load_error.with(Option::is_some) => Mode::Failed,
                None => Mode::Loading,
                Some(l) if l.overview.total == 0 && l.page.total_elements == 0 => Mode::NoAnalyses,
                Some(l) if l.page.items.is_empty() => Mode::NoMatch,
                Some(_) => Mode::Rows,
            }),
        }
    });

    // The URL follows the list state (no history entry, no page change).
    Effect::new(move |_| {
        let mut shown = state();
        // The page shown (a page past the end shows the last one).
        shown.page = listing.with(|l| match l {
            Some(l) if !l.page.items.is_empty() => l.page.number,
            _ => shown.page,
        });
        let query = to_url(&shown);
        replace_hash(&Route::Analyses(query));
    });

    let on_sort = Callback::new(move |key: SortKey| {
        let (k, d) = crate::components::analyses_table::next_sort(
            key,
            sort.get_untracked(),
            descending.get_untracked(),
        );
        sort.set(k);
        descending.set(d);
        page_number.set(0);
    });
    // A row action that failed: its message, and the action to retry.
    let action_error = RwSignal::new(None::<(String, AnalysisId, RunAction)>);
    let on_act = Callback::new(move |(id, action): (AnalysisId, RunAction)| {
        spawn_local(async move {
            match app.act(id, action).await {
                Ok(_) => action_error.try_set(None),
                Err(e) => action_error.try_set(Some((
                    format!(
                        "{} could not be done: {e}",
                        AnalysisAction::from(action).label()
                    ),
                    id,
                    action,
                ))),
            };
        });
    });
    let caption_text = Signal::derive(move || {
        listing.with(|l| {
            l.as_ref()
                .map(|l| caption(&state(), &l.page))
                .unwrap_or_default()
        })
    });

    let clear = move || {
        find.set(String::new());
        status.set(None);
        page_number.set(0);
    };
    // The summary page comes back here with `deleted=<name>` after a delete;
    // the URL drops it at the next list-state update, the message stays.
    let data_result = RwSignal::new(
        query
            .get("deleted")
            .filter(|name| !name.is_empty())
            .map(|name| Outcome::Done(format!("The analysis \u{201c}{name}\u{201d} was deleted."))),
    );
    let add_demo = move || {
        let n = app.write_local(|s| s.add_demo()).len();
        data_result.set(Some(Outcome::Done(format!(
            "Added {} demo analyses, marked \u{201c}Demo\u{201d}. Remove them with \u{201c}Remove demo analyses\u{201d}.",
            thousands(n)
        ))));
        // The new rows push the message down, out of view: bring it back.
        reveal("data-result");
    };
    let import_result = RwSignal::new(None::<Outcome>);

    let remove_demo = move |_| {
        let n = app.write_local(|s| s.remove_demo());
        data_result.set(Some(Outcome::Done(format!(
            "Removed {} demo analyses; your own analyses are unchanged.",
            thousands(n)
        ))));
    };
    let export = move |_| {
        let (json, n) = app.read_untracked(|s| (s.export_json(false), s.state().analyses.len()));
        let (y, m, d) = today();
        let name = export_file_name(y, m, d);
        let saved = download::text_blob(&json, "application/json")
            .ok_or_else(|| "The browser could not prepare the file.".to_owned())
            .and_then(|blob| download::save(&blob, &name));
        data_result.set(Some(match saved {
            Ok(()) => Outcome::Done(format!(
                "Downloaded {name} with {}. Credentials (passwords, tokens, API keys, header and cookie values) were left out.",
                plural(n)
            )),
            Err(e) => Outcome::Failed(format!("The export could not be downloaded: {e} Try again.")),
        }));
    };
    let import = move |ev: web_sys::Event| {
        let Some(file) = take_chosen_file(&ev) else {
            return;
        };
        let file_name = file.name();
        spawn_local(async move {
            let text = match read_export(&file).await {
                Ok(text) => text,
                Err(why) => {
                    import_result.set(Some(Outcome::Failed(why)));
                    return;
                }
            };
            let incoming = match StoreState::from_json(&text) {
                Ok(state) => state.analyses.len(),
                Err(e) => {
                    import_result.set(Some(Outcome::Failed(format!(
                        "{file_name} could not be imported. {e} Your analyses are unchanged."
                    ))));
                    return;
                }
            };
            let current = app.read_untracked(|s| s.state().analyses.len());
            if current > 0
                && !confirm(&format!(
                    "Importing {file_name} replaces the {} in this browser with the {} in the file. Export first to keep them. Replace them?",
                    plural(current),
                    plural(incoming)
                ))
            {
                import_result.set(Some(Outcome::Done(
                    "Import cancelled: nothing was changed.".to_owned(),
                )));
                return;
            }
            import_result.set(Some(match app.import(&text) {
                Ok(()) => {
                    page_number.set(0);
                    let n = app.read_untracked(|s| s.state().analyses.len());
                    Outcome::Done(format!(
                        "Imported {} from {file_name}. They replace the analyses that were here.",
                        plural(n)
                    ))
                }
                Err(e) => Outcome::Failed(format!(
                    "{file_name} could not be imported. {e} Your analyses are unchanged."
                )),
            }));
        });
    };

    // With a server: export and import through the API (security leads).
    let transfer_refused_text = Memo::new(move |_| principal.with(transfer::transfer_refused));
    let server_base = move || {
        app.http()
            .map(|h| h.base_url().to_owned())
            .unwrap_or_default()
    };
    let server_data_result = RwSignal::new(None::<Outcome>);
    let server_import_result = RwSignal::new(None::<Outcome>);
    let export_server = move |_| {
        let Some(http) = app.http() else {
            return;
        };
        let base = server_base();
        let (y, m, d) = today();
        let name = export_file_name(y, m, d);
        server_data_result.set(Some(Outcome::Working(format!(
            "Preparing the export on the server at {base}\u{2026}"
        ))));
        spawn_local(async move {
            let outcome = match http.export_all().await {
                Ok(bytes) => {
                    #[derive(serde::Deserialize)]
                    struct Count {
                        analyses: Vec<serde::de::IgnoredAny>,
                    }
                    let n = serde_json::from_slice::<Count>(&bytes).map_or(0, |c| c.analyses.len());
                    match download::save_bytes(&bytes, &name) {
                        Ok(()) => Outcome::Done(transfer::export_done(&name, n, &base)),
                        Err(e) => Outcome::Failed(format!(
                            "The export could not be downloaded: {e} Try again."
                        )),
                    }
                }
                Err(e) => Outcome::Failed(format!("The export could not be made: {e}")),
            };
            server_data_result.try_set(Some(outcome));
        });
    };
    let import_server = move |ev: web_sys::Event| {
        let Some(file) = take_chosen_file(&ev) else {
            return;
        };
        let Some(http) = app.http() else {
            return;
        };
        let base = server_base();
        let file_name = file.name();
        spawn_local(async move {
            let text = match read_export(&file).await {
                Ok(text) => text,
                Err(why) => {
                    server_import_result.try_set(Some(Outcome::Failed(why)));
                    return;
                }
            };
            // The core's own checks first (the server makes them again).
            let incoming =
                match StoreState::from_json(&text) {
                    Ok(state) => state.analyses.iter().filter(|a| !a.demo).count(),
                    Err(e) => {
                        server_import_result.try_set(Some(Outcome::Failed(
                            transfer::import_failed(&file_name, &e.to_string(), &base),
                        )));
                        return;
                    }
                };
            if !confirm(&transfer::import_confirm(&file_name, incoming, &base)) {
                server_import_result.try_set(Some(Outcome::Done(
                    "Import cancelled: nothing was changed.".to_owned(),
                )));
                return;
            }
            server_import_result.try_set(Some(Outcome::Working(format!(
                "Importing {file_name} into the server at {base}\u{2026}"
            ))));
            let outcome = match http.import_export(&file_name, text).await {
                Ok(result) => {
                    live.refetch();
                    Outcome::Done(transfer::import_done(&file_name, &result, &base))
                }
                Err(crate::store::http::HttpError::Problem(p)) if p.status < 500 => {
                    Outcome::Failed(transfer::import_failed(&file_name, &p.detail, &base))
                }
                Err(e) => {
                    Outcome::Failed(transfer::import_failed(&file_name, &e.to_string(), &base))
                }
            };
            server_import_result.try_set(Some(outcome));
        });
    };

    let count_text = move || {
        let api = app.is_api();
        listing.with(|l| match l {
            Some(l) if api || app.storage.with(|s| *s != Storage::Loading) => {
                count_line(l.page.total_elements, l.overview.total)
            }
            _ if api => format!(
                "Loading the analyses from {}\u{2026}",
                app.backend.with(Backend::label)
            ),
            _ => "Loading your analyses\u{2026}".to_owned(),
        })
    };

    let body = move || {
        match mode.get() {
        Mode::Loading if app.is_api_untracked() => view! { <p class="muted">"Loading the analyses from the server\u{2026}"</p> }.into_any(),
        Mode::Loading => view! { <p class="muted">"Reading the analyses saved in this browser\u{2026}"</p> }.into_any(),
        Mode::Failed => view! {
            <p class="muted" data-testid="analyses-load-failed">
                "The analyses could not be loaded: see the message above. They appear as soon as the server answers."
            </p>
        }
        .into_any(),
        Mode::Unreadable => view! {
            <p class="muted" data-testid="analyses-unreadable">
                "Your saved analyses could not be read: see the message at the top of the page. Nothing is shown until you choose what to do."
            </p>
        }
        .into_any(),
        Mode::NoAnalyses => view! {
            <div class="panel empty-state" data-testid="analyses-empty">
                <h2>"No analyses yet"</h2>
                {if app.is_api_untracked() && create_refused.get().is_some() {
                    view! {
                        <p data-testid="analyses-none-shared">"No analysis is shared with you yet. You see the analyses you created and those shared with one of your teams; security leads see them all."</p>
                    }
                    .into_any()
                } else if app.is_api_untracked() {
                    view! {
                        <p>"A Dynamic Analysis scans web APIs and web applications. Create one to scan an API specification or a URL."</p>
                        <div class="downloads">
                            <a class="button" href="#/analyses/new">"Create an analysis"</a>
                        </div>
                    }
                    .into_any()
                } else {
                    view! {
                        <p>"A Dynamic Analysis scans web APIs and web applications. Create one to scan an API specification or a URL, or add demo analyses to see every status."</p>
                        <div class="downloads">
                            <a class="button" href="#/analyses/new">"Create an analysis"</a>
                            <button type="button" class="button button--secondary" data-testid="empty-add-demo"
                                on:click=move |_| add_demo()>"Add demo analyses"</button>
                        </div>
                    }
                    .into_any()
                }}
            </div>
        }
        .into_any(),
        Mode::NoMatch => view! {
            <div class="panel empty-state" data-testid="analyses-no-match">
                <h2>"No analyses match"</h2>
                <p>{move || {
                    let s = state();
                    let mut parts = Vec::new();
                    if !s.find.trim().is_empty() {
                        parts.push(format!("a name containing \u{201c}{}\u{201d}", s.find.trim()));
                    }
                    if let Some(st) = s.status {
                        parts.push(format!("the status {}", st.label()));
                    }
                    format!("No analysis has {}. Check the spelling, or clear the search and filter to see all analyses.", parts.join(" and "))
                }}</p>
                <button type="button" class="button button--secondary" data-testid="clear-filters"
                    on:click=move |_| clear()>"Clear search and filter"</button>
            </div>
        }
        .into_any(),
        Mode::Rows => view! {
            <AnalysesTable rows caption=caption_text sort descending on_sort on_act />
        }
        .into_any(),
    }
    };

    let show_pager = Memo::new(move |_| {
        listing.with(|l| {
            l.as_ref()
                .is_some_and(|l| l.page.total_pages > 1 && !l.page.items.is_empty())
        })
    });
    let page_shown = move || listing.with_untracked(|l| l.as_ref().map_or(0, |l| l.page.number));
    let paging = move || {
        show_pager.get().then(|| {
            view! {
                <nav class="pager" aria-label="Pages of analyses">
                    <button type="button" class="button button--secondary" data-testid="page-prev"
                        prop:disabled=move || pages().0 == 0
                        on:click=move |_| page_number.set(page_shown().saturating_sub(1))>
                        "Previous"<span class="visually-hidden">" page"</span>
                    </button>
                    <span class="pager__where" data-testid="page-info">
                        {move || { let (n, of) = pages(); format!("Page {} of {}", n + 1, of) }}
                    </span>
                    <button type="button" class="button button--secondary" data-testid="page-next"
                        prop:disabled=move || { let (n, of) = pages(); n + 1 >= of }
                        on:click=move |_| page_number.set(page_shown() + 1)>
                        "Next"<span class="visually-hidden">" page"</span>
                    </button>
                </nav>
            }
        })
    };

    view! {
        <div class="analyses-page">
            <div class="page-title">
                <h1>"Dynamic Analyses"</h1>
                {move || create_button(create_refused.get(), "create-analysis")}
            </div>
            {move || create_refused.get().map(|why| view! {
                <p class="notice" id="create-refused" data-testid="create-refused">{why}</p>
            })}
            <p class="lead">
                {move || if app.is_api() {
                    format!("All Dynamic Analyses on {}, with the status of their latest run. Statuses update as scans progress.", app.backend.with(Backend::label))
                } else {
                    "All Dynamic Analyses in this browser, with the status of their latest run. Statuses update as scans progress.".to_owned()
                }}
            </p>

            <div class="list-controls">
                <form class="list-controls__find" role="search" aria-label="Analyses"
                    on:submit=move |ev: web_sys::SubmitEvent| {
                        ev.prevent_default();
                        page_number.set(0);
                    }>
                    <label for="analyses-find">"Find"</label>
                    <div class="list-controls__row">
                        <input id="analyses-find" type="search" data-testid="analyses-find" autocomplete="off"
                            aria-describedby="analyses-find-hint"
                            prop:value=move || find.get()
                            on:input=move |ev| {
                                find.set(event_target_value(&ev));
                                page_number.set(0);
                            } />
                        <button type="submit" class="button" data-testid="analyses-find-button">"Find"</button>
                    </div>
                    <p class="hint" id="analyses-find-hint">"Part of a name, in any case. The list narrows as you type."</p>
                </form>
                <div class="list-controls__filter">
                    <label for="analyses-filter">"Filter by Status"</label>
                    <select id="analyses-filter" data-testid="analyses-filter"
                        on:change=move |ev| {
                            status.set(AnalysisStatus::from_label(&event_target_value(&ev)));
                            page_number.set(0);
                        }>
                        <option value="" prop:selected=move || status.get().is_none()>"All statuses"</option>
                        {AnalysisStatus::ALL.into_iter().map(|s| view! {
                            <option value=s.label() prop:selected=move || status.get() == Some(s)>{s.label()}</option>
                        }).collect_view()}
                    </select>
                </div>
            </div>

            <p class="analyses-count" role="status" data-testid="analyses-count">{count_text}</p>
            {move || (!app.is_api()).then(|| view! {
                <p class="hint" data-testid="list-simulated-note">
                    <span class="tag tag--simulated">"Simulated"</span>
                    " Runs here are moved on by a simulated scan engine: their statuses are simulated (each badge's title says so) and nothing is scanned."
                </p>
            })}
            <PollBanner poll=poll error=load_error />
            {move || action_error.get().map(|(e, id, action)| view! {
                <div class="alert alert--error" role="alert" data-testid="action-error">
                    <p>{e}</p>
                    <div class="downloads">
                        <button type="button" class="button button--secondary" data-testid="action-retry"
                            on:click=move |_| on_act.run((id, action))>"Retry"</button>
                        <button type="button" class="button button--link" data-testid="action-error-dismiss"
                            on:click=move |_| action_error.set(None)>"Dismiss"</button>
                    </div>
                </div>
            })}
            {body}
            {paging}

            {move || app.is_api().then(|| view! {
                <section class="panel data-tools" aria-labelledby="data-tools-api-title" data-testid="data-tools-api">
                    <h2 id="data-tools-api-title">"Data on the server"</h2>
                    <p class="hint">{move || format!(
                        "These analyses are on {}. Export them all as one file, or add the analyses of an export (from this server, another one or a browser) to the server. Demo data is for analyses kept in this browser: switch to \u{201c}This browser\u{201d} in Settings to use it.",
                        app.backend.with(Backend::label)
                    )}</p>
                    {move || transfer_refused_text.get().map(|why| view! {
                        <p class="hint" id="transfer-refused" data-testid="transfer-refused">{why}</p>
                    })}
                    <div class="downloads">
                        <button type="button" class="button button--secondary" data-testid="export-analyses-server"
                            aria-describedby=move || transfer_refused_text.with(Option::is_some).then_some("transfer-refused")
                            prop:disabled=move || transfer_refused_text.with(Option::is_some) on:click=export_server>
                            <Icon kind=IconKind::Download />"Export all (JSON)"
                        </button>
                    </div>
                    <p class="hint">"The export leaves out credentials: passwords, tokens, API keys, header and cookie values and client certificates are emptied; their names are kept."</p>
                    {move || outcome_view(server_data_result.get(), "server-data-result")}
                    <div class="field data-tools__import">
                        <label for="import-analyses-server">"Import an export (JSON)"</label>
                        <p class="hint" id="import-analyses-server-hint">
                            "Importing adds the file\u{2019}s analyses and specifications to the server, under new ids; nothing on the server is replaced or deleted. If one of their names is already taken there, nothing is imported. You are asked first."
                        </p>
                        <input id="import-analyses-server" type="file" accept=".json,application/json" data-testid="import-analyses-server"
                            aria-describedby="import-analyses-server-hint"
                            prop:disabled=move || transfer_refused_text.with(Option::is_some) on:change=import_server />
                    </div>
                    {move || outcome_view(server_import_result.get(), "server-import-result")}
                </section>
            })}
            <section class="panel data-tools" aria-labelledby="data-tools-title" hidden=move || app.is_api()>
                <h2 id="data-tools-title">"Your data"</h2>
                <p class="hint">"Analyses are kept in this browser only. Export them to keep a copy or to move them to another browser."</p>
                <div class="downloads">
                    <button type="button" class="button button--secondary" data-testid="add-demo"
                        on:click=move |_| add_demo()>"Add demo analyses"</button>
                    <button type="button" class="button button--secondary" data-testid="remove-demo"
                        prop:disabled=move || !has_demo() on:click=remove_demo>"Remove demo analyses"</button>
                    <button type="button" class="button button--secondary" data-testid="export-analyses"
                        prop:disabled=move || total() == 0 on:click=export>
                        <Icon kind=IconKind::Download />"Export all (JSON)"
                    </button>
                </div>
                <p class="hint">"The export leaves out credentials: passwords, tokens, API keys, header and cookie values are emptied; their names are kept."</p>
                {move || outcome_view(data_result.get(), "data-result")}
                <div class="field data-tools__import">
                    <label for="import-analyses">"Import an export (JSON)"</label>
                    <p class="hint" id="import-analyses-hint">
                        <Icon kind=IconKind::Warning />
                        "Importing replaces every analysis in this browser with those in the file; you are asked first. A file that cannot be read changes nothing."
                    </p>
                    <input id="import-analyses" type="file" accept=".json,application/json" data-testid="import-analyses"
                        aria-describedby="import-analyses-hint" on:change=import />
                </div>
                {move || outcome_view(import_result.get(), "import-result")}
            </section>
        </div>
    }
}
