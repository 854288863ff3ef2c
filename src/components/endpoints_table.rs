//! The endpoints a prescan covers, as a table that can be searched (path,
//! summary, operationId), filtered by method and grouped by tag; a row opens
//! its HAR entry. Each row shows its scope (Included, Excluded, Ignored:
//! text and icon), with a control to set it when the page allows, and which
//! of its values are the user's.

use leptos::prelude::*;
use prescan_core::{Endpoint, ScopeDecision, PRESCAN_LIMIT};

use crate::components::icon::{Icon, IconKind};
use crate::components::method_badge::MethodBadge;
use crate::components::path::BreakablePath;
use crate::components::table_scroll::TableScroll;
use crate::format::{count, thousands};
use crate::route::Query;

/// What the table shows of the endpoints: kept by the preview's state (it
/// outlives a visit to another page) and in the URL (`q`, `method`,
/// `group=tag`).
#[derive(Debug, Clone, Copy)]
pub struct EndpointsView {
    /// Text to find in the path, summary or operationId.
    pub find: RwSignal<String>,
    /// A method (`GET`), or empty for all.
    pub method: RwSignal<String>,
    /// Grouped by the operations' tags.
    pub by_tag: RwSignal<bool>,
}

impl EndpointsView {
    pub fn new() -> EndpointsView {
        EndpointsView {
            find: RwSignal::new(String::new()),
            method: RwSignal::new(String::new()),
            by_tag: RwSignal::new(false),
        }
    }

    /// Takes what a URL's query string says, when it says anything.
    pub fn read(&self, query: &Query) {
        if query.0.is_empty() {
            return;
        }
        self.find.set(query.get("q").unwrap_or_default().to_owned());
        self.method
            .set(query.get("method").unwrap_or_default().to_ascii_uppercase());
        self.by_tag.set(query.get("group") == Some("tag"));
    }

    /// The query string that says what is shown (tracked).
    pub fn query(&self) -> Query {
        Query(vec![
            ("q".to_owned(), self.find.get()),
            ("method".to_owned(), self.method.get()),
            (
                "group".to_owned(),
                if self.by_tag.get() { "tag" } else { "" }.to_owned(),
            ),
        ])
    }
}

impl Default for EndpointsView {
    fn default() -> Self {
        Self::new()
    }
}

/// What the Summary column shows: the summary, else the operationId, else a dash.
pub fn endpoint_label(endpoint: &Endpoint) -> String {
    endpoint
        .summary
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .or(endpoint.operation_id.as_deref())
        .unwrap_or("—")
        .to_owned()
}

/// Whether `endpoint` holds `find` (already lower case) in its path,
/// summary or operationId, and has the method `method` (empty: any).
pub fn endpoint_matches(endpoint: &Endpoint, find: &str, method: &str) -> bool {
    let holds = |text: &str| text.to_lowercase().contains(find);
    (method.is_empty() || endpoint.method.as_str() == method)
        && (find.is_empty()
            || holds(&endpoint.path)
            || endpoint.summary.as_deref().is_some_and(holds)
            || endpoint.operation_id.as_deref().is_some_and(holds))
}

/// The groups of the rows `shown` (indexes into `endpoints`), by tag in the
/// order tags first appear; an endpoint with several tags is in each, one
/// with none in "No tag" (last).
pub fn groups_by_tag(endpoints: &[Endpoint], shown: &[usize]) -> Vec<(String, Vec<usize>)> {
    let mut groups: Vec<(String, Vec<usize>)> = Vec::new();
    let mut untagged = Vec::new();
    for &i in shown {
        if endpoints[i].tags.is_empty() {
            untagged.push(i);
        }
        for tag in &endpoints[i].tags {
            match groups.iter_mut().find(|(t, _)| t == tag) {
                Some((_, rows)) => rows.push(i),
                None => groups.push((tag.clone(), vec![i])),
            }
        }
    }
    if !untagged.is_empty() {
        groups.push(("No tag".to_owned(), untagged));
    }
    groups
}

/// At most this many rows are listed (excluded endpoints before the
/// 100th one in scope are listed too, so there can be more than 100).
pub const MAX_LISTED: usize = 1_000;

/// How many of `endpoints` the table lists: every endpoint up to the
/// [`PRESCAN_LIMIT`]th one a scanner sends requests to (the excluded ones
/// among them too, marked), at most [`MAX_LISTED`].
pub fn listed_count(endpoints: &[Endpoint]) -> usize {
    let mut sent = 0;
    for (i, endpoint) in endpoints.iter().enumerate().take(MAX_LISTED) {
        if endpoint.scope.is_sent() {
            sent += 1;
            if sent == PRESCAN_LIMIT {
                return i + 1;
            }
        }
    }
    endpoints.len().min(MAX_LISTED)
}

/// The word a row's scope mark says.
pub fn scope_mark(decision: ScopeDecision) -> &'static str {
    match decision {
        ScopeDecision::Include => "Included",
        ScopeDecision::Exclude => "Excluded",
        ScopeDecision::Ignore => "Ignored",
    }
}

/// The first [`PRESCAN_LIMIT`] endpoints in scope, in specification order
/// (and the excluded ones among them), with a search box, a method filter
/// and grouping by tag.
#[component]
pub fn EndpointsTable(
    /// Every endpoint of the specification; see [`listed_count`] for which
    /// are listed.
    endpoints: Vec<Endpoint>,
    /// What is found, filtered and grouped.
    #[prop(optional)]
    view: EndpointsView,
    /// Opens the HAR entry of endpoint `i` (its index in the table).
    on_open: impl Fn(usize) + Copy + Send + Sync + 'static,
    /// Sets the scope of endpoint `i`; without it the scope is only shown.
    #[prop(optional, into)]
    on_scope: Option<Callback<(usize, ScopeDecision)>>,
    /// Whether Ignore may be chosen (Postman collections only).
    #[prop(optional)]
    ignore_allowed: bool,
) -> impl IntoView {
    let total = endpoints.len();
    let excluded_total = endpoints
        .iter()
        .filter(|e| e.scope == ScopeDecision::Exclude)
        .count();
    let listed_n = listed_count(&endpoints);
    let listed: Vec<Endpoint> = endpoints.into_iter().take(listed_n).collect();
    let shown_count = listed.len();
    let excluded_listed = listed
        .iter()
        .filter(|e| e.scope == ScopeDecision::Exclude)
        .count();
    let methods = {
        let mut methods: Vec<&'static str> = Vec::new();
        for e in &listed {
            if !methods.contains(&e.method.as_str()) {
                methods.push(e.method.as_str());
            }
        }
        methods
    };
    let has_tags = listed.iter().any(|e| !e.tags.is_empty());
    let listed = StoredValue::new(listed);
    let EndpointsView {
        find,
        method,
        by_tag,
    } = view;
    let matching = Memo::new(move |_| {
        let needle = find.with(|f| f.trim().to_lowercase());
        method.with(|m| {
            listed.with_value(|all| {
                (0..all.len())
                    .filter(|&i| endpoint_matches(&all[i], &needle, m))
                    .collect::<Vec<_>>()
            })
        })
    });
    let filtered = move || find.with(|f| !f.trim().is_empty()) || method.with(|m| !m.is_empty());
    let caption = move || {
        let n = matching.with(Vec::len);
        // "the first 100 of 150 endpoints" / "3 endpoints"
        let of = if total > PRESCAN_LIMIT {
            format!("the first {shown_count} of {} endpoints", thousands(total))
        } else {
            count(shown_count, "endpoint", "endpoints")
        };
        if filtered() {
            format!(
                "{} of {of}, in specification order",
                count(n, "match", "matches")
            )
        } else if excluded_total > 0 {
            let listed = if shown_count < total {
                format!("The first {shown_count} of {} endpoints", thousands(total))
            } else {
                format!("All {}", count(shown_count, "endpoint", "endpoints"))
            };
            format!(
                "{listed}, in specification order: {} in scope, {} excluded (not sent)",
                shown_count - excluded_listed,
                excluded_listed
            )
        } else if total > PRESCAN_LIMIT {
            format!(
                "The first {shown_count} of {} endpoints, in specification order",
                thousands(total)
            )
        } else if shown_count == 1 {
            "The only endpoint".to_owned()
        } else {
            format!("All {of}, in specification order")
        }
    };

    let row = move |i: usize| {
        let endpoint = listed.with_value(|all| all[i].clone());
        let label = endpoint_label(&endpoint);
        let auth = if endpoint.auth_required {
            view! { <span class="auth auth--required"><Icon kind=IconKind::Lock />"Required"</span> }.into_any()
        } else {
            view! { <span class="auth auth--none">"None"</span> }.into_any()
        };
        let open_label = format!(
            "Open the HAR entry of {} {}",
            endpoint.method.as_str(),
            endpoint.path
        );
        let decision = endpoint.scope;
        let icon = match decision {
            ScopeDecision::Include => IconKind::Check,
            ScopeDecision::Exclude => IconKind::Excluded,
            ScopeDecision::Ignore => IconKind::Ignored,
        };
        let scope_class = format!("scope scope--{}", decision.label().to_ascii_lowercase());
        let control = match on_scope {
            Some(set) => {
                let label = format!("Scope of {} {}", endpoint.method.as_str(), endpoint.path);
                let mut choices = vec![ScopeDecision::Include, ScopeDecision::Exclude];
                if ignore_allowed || decision == ScopeDecision::Ignore {
                    choices.push(ScopeDecision::Ignore);
                }
                let options = choices
                    .into_iter()
                    .map(|d| view! { <option value=d.label() selected=d == decision>{d.label()}</option> })
                    .collect_view();
                view! {
                    <select class="scope__select" data-testid="endpoint-scope-select"
                        id=format!("endpoint-scope-{i}") aria-label=label
                        on:change=move |ev| {
                            let chosen = match event_target_value(&ev).as_str() {
                                "Exclude" => ScopeDecision::Exclude,
                                "Ignore" => ScopeDecision::Ignore,
                                _ => ScopeDecision::Include,
                            };
                            set.run((i, chosen));
                        }>
                        {options}
                    </select>
                }
                .into_any()
            }
            None => ().into_any(),
        };
        let note = match decision {
            ScopeDecision::Include => None,
            ScopeDecision::Exclude => Some("not sent"),
            ScopeDecision::Ignore => Some("sent, not tested"),
        };
        let user_values = (!endpoint.user_values.is_empty()).then(|| {
            let list = endpoint.user_values.join(", ");
            view! {
                <span class="tag tag--user" data-testid="endpoint-user-values"
                    title=format!("Your values: {list}")>
                    <Icon kind=IconKind::Draft />{format!("Yours: {list}")}
                </span>
            }
        });
        let row_class = if decision == ScopeDecision::Exclude {
            "endpoint-row endpoint-row--excluded"
        } else {
            "endpoint-row"
        };
        view! {
            <tr data-testid="endpoint-row" class=row_class data-scope=decision.label()>
                <td class="num">{i + 1}</td>
                <td><MethodBadge method=endpoint.method.as_str() /></td>
                <td class="path">
                    <button type="button" class="link-button" data-testid="endpoint-open"
                        title=open_label.clone() aria-label=open_label
                        on:click=move |_| on_open(i)>
                        <code><BreakablePath path=endpoint.path.clone() /></code>
                    </button>
                    {endpoint.deprecated.then(|| view! { <span class="tag tag--muted">"Deprecated"</span> })}
                </td>
                <td class="endpoint-summary">{label}</td>
                <td class="num">{endpoint.parameter_count}{user_values}</td>
                <td>{auth}</td>
                <td class=scope_class data-testid="endpoint-scope">
                    <span class="scope__mark" data-testid="endpoint-scope-mark">
                        <Icon kind=icon />
                        <span class=if on_scope.is_some() { "visually-hidden" } else { "" }>{scope_mark(decision)}</span>
                    </span>
                    {control}
                    {note.map(|n| view! { <span class="scope__note">{n}</span> })}
                </td>
            </tr>
        }
    };
    let body = move || {
        let shown = matching.get();
        if shown.is_empty() {
            return view! {
                <tbody>
                    <tr><td colspan="7" class="muted" data-testid="endpoints-none">
                        "No endpoint matches. Clear the search or choose All methods."
                    </td></tr>
                </tbody>
            }
            .into_any();
        }
        if by_tag.get() && has_tags {
            let groups = listed.with_value(|all| groups_by_tag(all, &shown));
            groups
                .into_iter()
                .map(|(tag, rows)| {
                    let heading = format!("{tag} ({})", rows.len());
                    view! {
                        <tbody data-testid="endpoint-group">
                            <tr class="group-row"><th colspan="7" scope="colgroup" data-testid="endpoint-group-name">{heading}</th></tr>
                            {rows.into_iter().map(row).collect_view()}
                        </tbody>
                    }
                })
                .collect_view()
                .into_any()
        } else {
            view! { <tbody>{shown.into_iter().map(row).collect_view()}</tbody> }.into_any()
        }
    };
    let method_options = methods
        .into_iter()
        .map(|m| view! { <option value=m selected=move || method.get() == m>{m}</option> })
        .collect_view();

    view! {
        <div class="table-tools" role="search" aria-label="Endpoints">
            <div class="field field--inline">
                <label for="endpoints-find">"Find"</label>
                <input id="endpoints-find" type="search" data-testid="endpoints-find"
                    placeholder="Path, summary or operationId" autocomplete="off" spellcheck="false"
                    prop:value=move || find.get()
                    on:input=move |ev| find.set(event_target_value(&ev)) />
            </div>
            <div class="field field--inline">
                <label for="endpoints-method">"Method"</label>
                <select id="endpoints-method" data-testid="endpoints-method"
                    on:change=move |ev| method.set(event_target_value(&ev))>
                    <option value="" selected=move || method.with(String::is_empty)>"All methods"</option>
                    {method_options}
                </select>
            </div>
            {has_tags.then(|| view! {
                <label class="checkbox">
                    <input type="checkbox" data-testid="endpoints-group"
                        prop:checked=move || by_tag.get()
                        on:change=move |ev| by_tag.set(event_target_checked(&ev)) />
                    " Group by tag"
                </label>
            })}
            <p class="muted table-tools__count" role="status" data-testid="endpoints-count">
                {move || filtered().then(|| count(matching.with(Vec::len), "match", "matches"))}
            </p>
        </div>
        <TableScroll label="Endpoints">
            <table class="table endpoints" data-testid="endpoints-table">
                <caption>{caption}</caption>
                <thead>
                    <tr>
                        <th scope="col" class="num">"#"</th>
                        <th scope="col">"Method"</th>
                        <th scope="col">"Path"</th>
                        <th scope="col">"Summary"</th>
                        <th scope="col" class="num">"Parameters"</th>
                        <th scope="col">"Authentication"</th>
                        <th scope="col">"Scope"</th>
                    </tr>
                </thead>
                {body}
            </table>
        </TableScroll>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use prescan_core::Method;

    fn endpoint(method: Method, path: &str, summary: Option<&str>, tags: &[&str]) -> Endpoint {
        Endpoint {
            method,
            path: path.into(),
            operation_id: Some(format!("op{}", path.replace('/', "_"))),
            summary: summary.map(str::to_owned),
            parameter_count: 0,
            auth_required: false,
            deprecated: false,
            pointer: String::new(),
            tags: tags.iter().map(|t| (*t).to_owned()).collect(),
            scope: Default::default(),
            user_values: Vec::new(),
        }
    }

    #[test]
    fn finds_by_path_summary_or_operation_id_and_method() {
        let e = endpoint(Method::Get, "/pets/{petId}", Some("Info for a Pet"), &[]);
        assert!(endpoint_matches(&e, "", ""));
        assert!(endpoint_matches(&e, "petid", ""));
        assert!(endpoint_matches(&e, "info for", "GET"));
        assert!(endpoint_matches(&e, "op_pets", ""));
        assert!(!endpoint_matches(&e, "store", ""));
        assert!(!endpoint_matches(&e, "", "POST"));
    }

    #[test]
    fn groups_keep_tag_order_and_put_untagged_last() {
        let all = vec![
            endpoint(Method::Get, "/a", None, &[]),
            endpoint(Method::Get, "/b", None, &["pets", "store"]),
            endpoint(Method::Get, "/c", None, &["store"]),
        ];
        let groups = groups_by_tag(&all, &[0, 1, 2]);
        assert_eq!(
            groups,
            vec![
                ("pets".to_owned(), vec![1]),
                ("store".to_owned(), vec![1, 2]),
                ("No tag".to_owned(), vec![0]),
            ]
        );
    }

    #[test]
    fn the_view_round_trips_through_the_query() {
        let view = EndpointsView::new();
        view.read(&Query::parse("q=pets&method=get&group=tag"));
        assert_eq!(view.find.get_untracked(), "pets");
        assert_eq!(view.method.get_untracked(), "GET");
        assert!(view.by_tag.get_untracked());
        assert_eq!(
            view.query().to_query_string(),
            "q=pets&method=GET&group=tag"
        );
    }
}
