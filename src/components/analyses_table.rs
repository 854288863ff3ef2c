//! The table of the All Dynamic Analyses page: one keyed row per analysis
//! (a status change updates its row's cells in place; the table and the
//! other rows stay), sortable column headers (a button in each `th`, with
//! `aria-sort` on the `th`), dates in the browser's locale and time zone.

use leptos::prelude::*;
use prescan_core::analysis::{AnalysisAction, AnalysisId, AnalysisSummary, RunAction, SortKey};

use crate::components::status_badge::StatusBadge;
use crate::components::table_scroll::TableScroll;
use crate::format::DateTime;
use crate::route::Route;

/// What a date cell shows when there is no date.
pub const NO_DATE: &str = "—";

/// The `aria-sort` value of a column sorted by `key` when the list is sorted
/// by `current` (`None`: the attribute is left out).
pub fn aria_sort(key: SortKey, current: SortKey, descending: bool) -> Option<&'static str> {
    (key == current).then_some(if descending {
        "descending"
    } else {
        "ascending"
    })
}

/// The sort after a click on the header of `key`: the same column toggles
/// the direction; another column sorts ascending, except the run times,
/// which start with the latest (what a person looks for first).
pub fn next_sort(key: SortKey, current: SortKey, descending: bool) -> (SortKey, bool) {
    if key == current {
        (key, !descending)
    } else {
        (key, matches!(key, SortKey::LastRun))
    }
}

/// The run actions a list row offers as buttons (the rest are on the
/// summary page): the core's allowed actions that are not destructive.
pub fn row_run_actions(actions: &[AnalysisAction]) -> Vec<(RunAction, &'static str)> {
    actions
        .iter()
        .filter_map(|a| match a {
            AnalysisAction::Pause => Some((RunAction::Pause, a.label())),
            AnalysisAction::Resume => Some((RunAction::Resume, a.label())),
            _ => None,
        })
        .collect()
}

/// A date cell: a `<time>` with the machine-readable date, or "—".
fn date_cell(ms: Option<i64>) -> AnyView {
    match ms {
        Some(ms) => view! { <DateTime ms=ms /> }.into_any(),
        None => view! { <span class="muted" aria-label="None">{NO_DATE}</span> }.into_any(),
    }
}

/// A sortable column header.
#[component]
fn SortHeader(
    label: &'static str,
    key: SortKey,
    /// The name of the key in test ids (`sort-name`, `sort-last`, ...).
    param: &'static str,
    sort: Signal<SortKey>,
    descending: Signal<bool>,
    on_sort: Callback<SortKey>,
) -> impl IntoView {
    let indicator = move || match aria_sort(key, sort.get(), descending.get()) {
        Some("ascending") => "▲",
        Some(_) => "▼",
        None => "↕",
    };
    view! {
        <th scope="col" aria-sort=move || aria_sort(key, sort.get(), descending.get())>
            <button type="button" class="sort-button" data-testid=format!("sort-{param}")
                on:click=move |_| on_sort.run(key)>
                {label}
                <span class="sort-button__indicator" aria-hidden="true">{indicator}</span>
            </button>
        </th>
    }
}

/// The analyses of one page, in order, each row keyed by its id.
#[component]
pub fn AnalysesTable(
    /// The rows to show, in order.
    rows: Memo<Vec<AnalysisSummary>>,
    /// The table's caption.
    #[prop(into)]
    caption: Signal<String>,
    /// The current sort.
    #[prop(into)]
    sort: Signal<SortKey>,
    /// Whether it is descending.
    #[prop(into)]
    descending: Signal<bool>,
    /// Called with a column's key when its header is clicked.
    on_sort: Callback<SortKey>,
    /// Called when a row's Pause or Resume button is pressed.
    on_act: Callback<(AnalysisId, RunAction)>,
) -> impl IntoView {
    let ids = move || rows.with(|r| r.iter().map(|x| x.id).collect::<Vec<_>>());
    let row_view = move |id: AnalysisId| {
        let row = Memo::new(move |_| rows.with(|r| r.iter().find(|x| x.id == id).cloned()));
        let text = move |f: fn(&AnalysisSummary) -> String| {
            Memo::new(move |_| row.with(|r| r.as_ref().map(f).unwrap_or_default()))
        };
        let badge = Memo::new(move |_| row.with(|r| r.as_ref().map(AnalysisSummary::badge)));
        let last = Memo::new(move |_| row.with(|r| r.as_ref().and_then(|r| r.last_run_ms)));
        let next = Memo::new(move |_| row.with(|r| r.as_ref().and_then(|r| r.next_run_ms)));
        let demo = Memo::new(move |_| row.with(|r| r.as_ref().is_some_and(|r| r.demo)));
        let simulated = Memo::new(move |_| {
            row.with(|r| r.as_ref().is_some_and(AnalysisSummary::status_is_simulated))
        });
        let actions = Memo::new(move |_| {
            row.with(|r| {
                r.as_ref()
                    .map(|r| row_run_actions(&r.actions))
                    .unwrap_or_default()
            })
        });
        let href = Route::Analysis(id.to_string()).to_hash();
        let name = text(|r| r.name.clone());
        let status = text(|r| r.status.label().to_owned());
        let scans = text(|r| r.scan_count.to_string());
        view! {
            <tr data-testid="analysis-row" data-id=id.to_string() data-status=move || status.get()>
                <th scope="row" class="analyses__name">
                    <a href=href.clone() data-testid="analysis-link">{move || name.get()}</a>
                    {move || demo.get().then(|| view! { <span class="tag tag--demo" data-testid="demo-tag">"Demo"</span> })}
                </th>
                <td>{move || badge.get().map(|b| view! { <StatusBadge badge=b simulated=simulated.get() /> })}</td>
                <td class="num" data-testid="scan-count">{move || scans.get()}</td>
                <td data-testid="last-run">{move || date_cell(last.get())}</td>
                <td data-testid="next-run">{move || date_cell(next.get())}</td>
                <td class="analyses__actions">
                    <a href=href data-testid="view-summary">
                        "View summary"<span class="visually-hidden">" of " {move || name.get()}</span>
                    </a>
                    {move || actions.get().into_iter().map(|(action, label)| view! {
                        <button type="button" class="button button--link" data-testid=format!("row-{}", label.to_lowercase())
                            on:click=move |_| on_act.run((id, action))>
                            {label}<span class="visually-hidden">" " {move || name.get()}</span>
                        </button>
                    }).collect_view()}
                </td>
            </tr>
        }
    };
    view! {
        <TableScroll label="Dynamic Analyses">
            <table class="table analyses" data-testid="analyses-table">
                <caption>{move || caption.get()}</caption>
                <thead>
                    <tr>
                        <SortHeader label="Name" key=SortKey::Name param="name" sort descending on_sort />
                        <SortHeader label="Status" key=SortKey::Status param="status" sort descending on_sort />
                        <th scope="col" class="num">"Scans"</th>
                        <SortHeader label="Last run" key=SortKey::LastRun param="last" sort descending on_sort />
                        <SortHeader label="Next run" key=SortKey::NextRun param="next" sort descending on_sort />
                        <th scope="col">"Actions"</th>
                    </tr>
                </thead>
                <tbody>
                    <For each=ids key=|id| *id children=row_view />
                </tbody>
            </table>
        </TableScroll>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clicking_a_header_sorts_then_toggles() {
        assert_eq!(
            next_sort(SortKey::Name, SortKey::Name, false),
            (SortKey::Name, true)
        );
        assert_eq!(
            next_sort(SortKey::Name, SortKey::Name, true),
            (SortKey::Name, false)
        );
        assert_eq!(
            next_sort(SortKey::LastRun, SortKey::Name, true),
            (SortKey::LastRun, true),
            "the latest run first"
        );
        assert_eq!(
            next_sort(SortKey::NextRun, SortKey::Name, true),
            (SortKey::NextRun, false),
            "the soonest next run first"
        );
        assert_eq!(
            aria_sort(SortKey::Status, SortKey::Status, true),
            Some("descending")
        );
        assert_eq!(
            aria_sort(SortKey::Status, SortKey::Status, false),
            Some("ascending")
        );
        assert_eq!(aria_sort(SortKey::Name, SortKey::Status, false), None);
    }

    #[test]
    fn rows_offer_pause_and_resume_only() {
        let all = AnalysisAction::ALL;
        assert_eq!(
            row_run_actions(&all),
            vec![(RunAction::Pause, "Pause"), (RunAction::Resume, "Resume")]
        );
        assert!(row_run_actions(&[AnalysisAction::Configure]).is_empty());
    }
}
