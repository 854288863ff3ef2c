//! Browsing a converted HAR: a list of its entries, and the request of the
//! one selected (request line, headers, query string, cookies, body).

use leptos::prelude::*;
use prescan_core::har::{Entry, NameValue};

use crate::components::method_badge::MethodBadge;
use crate::convert::HarEntries;
use crate::format::thousands;

/// How many entries the list shows before asking to show more.
const PAGE: usize = 200;

/// The entries of `har`, each opening to its request.
#[component]
pub fn HarBrowser(har: HarEntries) -> impl IntoView {
    let total = har.len();
    let (selected, set_selected) = signal(Option::<usize>::None);
    let (limit, set_limit) = signal(PAGE.min(total));

    let list = {
        let har = har.clone();
        move || {
            (0..limit.get().min(total))
                .map(|i| {
                    let (method, url) = har.line(i);
                    view! {
                        <li>
                            <button
                                type="button"
                                class="har-entry"
                                data-testid="har-entry"
                                aria-pressed=move || (selected.get() == Some(i)).to_string()
                                aria-controls="har-entry-detail"
                                on:click=move |_| set_selected.set(Some(i))
                            >
                                <span class="har-entry__num">{i + 1}</span>
                                <MethodBadge method=method />
                                <span class="har-entry__url">{url}</span>
                            </button>
                        </li>
                    }
                })
                .collect_view()
        }
    };
    let more = move || {
        let shown = limit.get().min(total);
        (shown < total).then(|| {
            view! {
                <button
                    type="button"
                    class="button button--secondary"
                    data-testid="har-show-more"
                    on:click=move |_| set_limit.update(|l| *l = (*l + PAGE).min(total))
                >
                    {format!("Show more ({} of {} shown)", thousands(shown), thousands(total))}
                </button>
            }
        })
    };
    let detail = move || {
        let entry = selected.get().and_then(|i| har.entry(i));
        match entry {
            Some(entry) => view! { <EntryDetail entry=entry /> }.into_any(),
            None => view! {
                <p class="muted">"Select an entry to see the request it holds."</p>
            }
            .into_any(),
        }
    };

    view! {
        <div class="har-browser">
            <div class="har-browser__list">
                <ol class="har-entries" aria-label="HAR entries">{list}</ol>
                {more}
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
