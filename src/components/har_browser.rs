//! Browsing a converted HAR: a list of its entries, and the request of the
//! one selected (request line, headers, query string, cookies, body).
//!
//! The list is a listbox (one Tab stop; arrow keys, Page Up/Down, Home and
//! End move the selection) that draws only the rows in view, so that a HAR
//! of 100,000 entries scrolls as fast as one of ten.

use leptos::prelude::*;
use prescan_core::har::{Entry, NameValue};
use wasm_bindgen::JsCast;

use crate::components::method_badge::MethodBadge;
use crate::convert::HarEntries;
use crate::format::thousands;

/// The height of a row of the list, in CSS pixels (`.har-entry` in the style).
pub const ROW_PX: f64 = 32.0;
/// The height of the list at most, in CSS pixels (`.har-entries` in the style).
const LIST_PX: f64 = 480.0;
/// Rows drawn above and below those in view, so that a fast scroll does not
/// show blank rows.
const OVERSCAN: usize = 8;

/// Which rows to draw for a list scrolled to `scroll_top`: `first..end`.
pub fn window(total: usize, scroll_top: f64) -> (usize, usize) {
    let first = (scroll_top.max(0.0) / ROW_PX).floor() as usize;
    let in_view = (LIST_PX / ROW_PX).ceil() as usize + 1;
    let start = first.saturating_sub(OVERSCAN).min(total);
    let end = (first + in_view + OVERSCAN).min(total);
    (start, end)
}

/// Where selection moves with a key (`None`: the key does not move it).
pub fn next_selection(key: &str, current: Option<usize>, total: usize) -> Option<usize> {
    if total == 0 {
        return None;
    }
    let page = (LIST_PX / ROW_PX) as usize - 1;
    let last = total - 1;
    let at = current.map(|c| c.min(last));
    Some(match (key, at) {
        ("ArrowDown", None) | ("ArrowUp", None) | ("Home", _) => 0,
        ("ArrowDown", Some(i)) => (i + 1).min(last),
        ("ArrowUp", Some(i)) => i.saturating_sub(1),
        ("PageDown", i) => (i.unwrap_or(0) + page).min(last),
        ("PageUp", i) => i.unwrap_or(0).saturating_sub(page),
        ("End", _) => last,
        _ => return None,
    })
}

/// The HAR view: which entry is selected and where the list is scrolled,
/// kept by the preview's state so that they are there after another page.
#[derive(Debug, Clone, Copy)]
pub struct HarView {
    pub selected: RwSignal<Option<usize>>,
    pub scroll_top: RwSignal<f64>,
}

impl HarView {
    pub fn new() -> HarView {
        HarView {
            selected: RwSignal::new(None),
            scroll_top: RwSignal::new(0.0),
        }
    }

    /// Forgets the selection and the scroll (a new specification).
    pub fn reset(&self) {
        self.selected.set(None);
        self.scroll_top.set(0.0);
    }
}

impl Default for HarView {
    fn default() -> Self {
        Self::new()
    }
}

/// The id of the list (`focus_entry` moves focus to it).
const LIST_ID: &str = "har-entries";

/// Selects entry `index`, scrolls the list to it and moves focus to the list
/// (a row of the endpoints table opens its entry this way).
pub fn focus_entry(view: HarView, index: usize) {
    view.selected.set(Some(index));
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if let Some(list) = document
        .get_element_by_id(LIST_ID)
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        scroll_to(&list, index, view);
        let _ = list.focus();
        list.scroll_into_view_with_bool(false);
    }
}

/// Scrolls `list` so that row `index` is in view.
fn scroll_to(list: &web_sys::HtmlElement, index: usize, view: HarView) {
    let top = index as f64 * ROW_PX;
    let now = f64::from(list.scroll_top());
    let height = f64::from(list.client_height()).max(ROW_PX);
    let to = if top < now {
        top
    } else if top + ROW_PX > now + height {
        top + ROW_PX - height
    } else {
        return;
    };
    list.set_scroll_top(to as i32);
    view.scroll_top.set(to);
}

/// The entries of `har`, each opening to its request.
#[component]
pub fn HarBrowser(
    har: HarEntries,
    /// The selection and scroll (kept by the caller; a fresh one if none).
    #[prop(optional)]
    view: Option<HarView>,
) -> impl IntoView {
    let total = har.len();
    let view = view.unwrap_or_default();
    let HarView {
        selected,
        scroll_top,
    } = view;
    let list_ref = NodeRef::<leptos::html::Div>::new();
    // Back from another page: where the list was scrolled.
    Effect::new(move |_| {
        if let Some(list) = list_ref.get() {
            list.set_scroll_top(scroll_top.get_untracked() as i32);
        }
    });
    let rows = {
        let har = har.clone();
        move || {
            let (start, end) = window(total, scroll_top.get());
            (start..end)
                .map(|i| {
                    let (method, url) = har.line(i);
                    let title = url.clone();
                    view! {
                        <div
                            class="har-entry"
                            role="option"
                            id=format!("har-entry-{i}")
                            data-testid="har-entry"
                            aria-selected=move || (selected.get() == Some(i)).to_string()
                            aria-setsize=total
                            aria-posinset=i + 1
                            style=format!("top: {}px", i as f64 * ROW_PX)
                            title=title
                            on:click=move |_| selected.set(Some(i))
                        >
                            <span class="har-entry__num">{i + 1}</span>
                            <MethodBadge method=method />
                            <span class="har-entry__url">{url}</span>
                        </div>
                    }
                })
                .collect_view()
        }
    };
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        let Some(next) = next_selection(&ev.key(), selected.get_untracked(), total) else {
            return;
        };
        ev.prevent_default();
        selected.set(Some(next));
        if let Some(list) = list_ref.get_untracked() {
            scroll_to(&list, next, view);
        }
    };
    let detail = move || {
        let entry = selected.get().and_then(|i| har.entry(i));
        match entry {
            Some(entry) => view! { <EntryDetail entry=entry /> }.into_any(),
            None => view! {
                <p class="muted">"Select an entry to see the request it holds (arrow keys move through the list)."</p>
            }
            .into_any(),
        }
    };

    view! {
        <div class="har-browser">
            <div
                class="har-entries"
                id=LIST_ID
                role="listbox"
                tabindex="0"
                aria-label=format!("HAR entries ({})", thousands(total))
                aria-activedescendant=move || selected.get().map(|i| format!("har-entry-{i}"))
                aria-controls="har-entry-detail"
                data-testid="har-entries"
                style=format!("height: {}px", (total as f64 * ROW_PX + 2.0).min(LIST_PX))
                node_ref=list_ref
                on:scroll=move |ev| {
                    let top = event_target::<web_sys::HtmlElement>(&ev).scroll_top();
                    scroll_top.set(f64::from(top));
                }
                on:keydown=on_key
            >
                <div class="har-entries__space" style=format!("height: {}px", total as f64 * ROW_PX)>
                    {rows}
                </div>
            </div>
            <div class="har-browser__detail" id="har-entry-detail" data-testid="har-entry-detail" aria-live="polite">
                {detail}
            </div>
        </div>
    }
}

/// A table of name/value pairs, or a line saying there are none.
#[component]
fn Pairs(title: &'static str, pairs: Vec<NameValue>) -> impl IntoView {
    let body = if pairs.is_empty() {
        view! { <p class="muted">"None."</p> }.into_any()
    } else {
        let rows = pairs
            .into_iter()
            .map(|pair| {
                view! {
                    <tr>
                        <th scope="row"><code>{pair.name}</code></th>
                        <td><code class="wrap">{pair.value}</code></td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <table class="table table--compact">
                <caption class="visually-hidden">{title}</caption>
                <thead>
                    <tr>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Value"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        }
        .into_any()
    };
    view! {
        <h4>{title}</h4>
        {body}
    }
}

/// The request of one entry.
#[component]
fn EntryDetail(entry: Entry) -> impl IntoView {
    let request = entry.request;
    let cookies = request
        .cookies
        .into_iter()
        .map(|c| NameValue {
            name: c.name,
            value: c.value,
            comment: None,
        })
        .collect::<Vec<_>>();
    let body = match request.post_data {
        None => view! { <p class="muted">"No body."</p> }.into_any(),
        Some(post) => {
            let params = post
                .params
                .into_iter()
                .map(|p| NameValue {
                    value: match (p.value, p.file_name) {
                        (Some(value), _) => value,
                        (None, Some(file)) => format!("(file: {file})"),
                        (None, None) => String::new(),
                    },
                    name: p.name,
                    comment: None,
                })
                .collect::<Vec<_>>();
            view! {
                <p>"Content type: " <code>{post.mime_type}</code></p>
                {post.text.map(|text| view! { <pre class="code" data-testid="har-entry-body">{text}</pre> })}
                {(!params.is_empty()).then(|| view! { <Pairs title="Form fields" pairs=params /> })}
            }
            .into_any()
        }
    };
    view! {
        <h3 class="request-line">
            <MethodBadge method=request.method />
            " "
            <code class="wrap" data-testid="har-entry-url">{request.url}</code>
        </h3>
        {entry.comment.map(|c| view! { <p class="muted">{c}</p> })}
        <Pairs title="Headers" pairs=request.headers />
        <Pairs title="Query string" pairs=request.query_string />
        <Pairs title="Cookies" pairs=cookies />
        <h4>"Body"</h4>
        {body}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_only_the_rows_in_view() {
        assert_eq!(window(0, 0.0), (0, 0));
        assert_eq!(window(5, 0.0), (0, 5));
        let (start, end) = window(100_000, 50_000.0 * ROW_PX);
        assert!(start <= 50_000 && end > 50_000 + 10, "{start}..{end}");
        assert!(end - start < 50, "{start}..{end}");
        assert_eq!(window(10, 1e12), (10, 10));
    }

    #[test]
    fn keys_move_the_selection_within_the_list() {
        assert_eq!(next_selection("ArrowDown", None, 5), Some(0));
        assert_eq!(next_selection("ArrowDown", Some(4), 5), Some(4));
        assert_eq!(next_selection("ArrowUp", Some(0), 5), Some(0));
        assert_eq!(next_selection("End", None, 5), Some(4));
        assert_eq!(next_selection("Home", Some(3), 5), Some(0));
        assert_eq!(next_selection("PageDown", Some(0), 100), Some(14));
        assert_eq!(next_selection("PageUp", Some(3), 100), Some(0));
        assert_eq!(next_selection("a", Some(3), 100), None);
        assert_eq!(next_selection("ArrowDown", None, 0), None);
        // A selection past the end (a shorter HAR) moves from the last.
        assert_eq!(next_selection("ArrowUp", Some(50), 5), Some(3));
    }
}
