//! The endpoints a prescan covers, as a table.

use leptos::prelude::*;
use prescan_core::{Endpoint, PRESCAN_LIMIT};

use crate::components::icon::{Icon, IconKind};
use crate::components::method_badge::MethodBadge;
use crate::format::thousands;

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

/// The first [`PRESCAN_LIMIT`] endpoints, in specification order.
#[component]
pub fn EndpointsTable(
    /// Every endpoint of the specification; only the first 100 are listed.
    endpoints: Vec<Endpoint>,
) -> impl IntoView {
    let total = endpoints.len();
    let shown = total.min(PRESCAN_LIMIT);
    let caption = if total > PRESCAN_LIMIT {
        format!(
            "The first {shown} of {} endpoints, in specification order",
            thousands(total)
        )
    } else {
        match shown {
            1 => "The only endpoint, in specification order".to_owned(),
            n => format!("All {n} endpoints, in specification order"),
        }
    };
    let rows = endpoints
        .into_iter()
        .take(PRESCAN_LIMIT)
        .enumerate()
        .map(|(i, endpoint)| {
            let label = endpoint_label(&endpoint);
            let auth = if endpoint.auth_required {
                view! { <span class="auth auth--required"><Icon kind=IconKind::Lock />"Required"</span> }.into_any()
            } else {
                view! { <span class="auth auth--none">"None"</span> }.into_any()
            };
            view! {
                <tr data-testid="endpoint-row">
                    <td class="num">{i + 1}</td>
                    <td><MethodBadge method=endpoint.method.as_str() /></td>
                    <td class="path">
                        <code>{endpoint.path}</code>
                        {endpoint.deprecated.then(|| view! { <span class="tag tag--muted">"Deprecated"</span> })}
                    </td>
                    <td class="endpoint-summary">{label}</td>
                    <td class="num">{endpoint.parameter_count}</td>
                    <td>{auth}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-scroll">
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
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}
