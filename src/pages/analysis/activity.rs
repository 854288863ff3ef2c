//! The activity log of an analysis: every action and status change, newest
//! first.

use leptos::prelude::*;
use prescan_core::analysis::ActivityEntry;

use crate::components::table_scroll::TableScroll;
use crate::format::DateTime;

/// The Activity log section.
pub(super) fn panel(log: Memo<Option<Vec<ActivityEntry>>>) -> impl IntoView {
    let log_rows = move || {
        log.with(|entries| {
            entries
                .iter()
                .flatten()
                .rev()
                .map(|e: &ActivityEntry| {
                    // The simulated engine's entries start "Simulated: ": a
                    // visible label says it instead.
                    let (simulated, details) = match e.details.strip_prefix("Simulated: ") {
                        Some(rest) => (true, rest.to_owned()),
                        None => (false, e.details.clone()),
                    };
                    view! {
                        <tr data-testid="activity-row">
                            <td><DateTime ms=e.at_ms /></td>
                            <td data-testid="activity-who">{e.actor.display_name().to_owned()}</td>
                            <td data-testid="activity-what"><strong>{e.kind.label()}</strong>{simulated.then(|| view! { <span class="tag tag--simulated">"Simulated"</span> })}<br />{details}</td>
                            <td>{e.old_value.clone().unwrap_or_default()}</td>
                            <td data-testid="activity-new">{e.new_value.clone().unwrap_or_default()}</td>
                        </tr>
                    }
                })
                .collect_view()
        })
    };

    view! {
        <section class="panel" aria-labelledby="activity-heading">
            <h2 id="activity-heading">"Activity log"</h2>
            <p class="muted">"Every action and status change, newest first. Credentials are never recorded. Entries marked Simulated come from the simulated scan engine."</p>
            <TableScroll label="Activity log">
                <table class="table activity" data-testid="activity-log">
                    <caption class="visually-hidden">"Activity log, newest first"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"When"</th>
                            <th scope="col">"Who"</th>
                            <th scope="col">"What"</th>
                            <th scope="col">"Old value"</th>
                            <th scope="col">"New value"</th>
                        </tr>
                    </thead>
                    <tbody>{log_rows}</tbody>
                </table>
            </TableScroll>
        </section>
    }
}
