//! The prescan's results: its progress, the Connection section, the Request
//! and Response table (each row's request and response folded in it) and
//! the Prescan Notes.

use leptos::prelude::*;
use prescan_core::prescan::{Outcome, OutcomeClass, PlannedRequest, PrescanReport, Received};

use super::driver::Ui;
use crate::components::code_text::CodeText;
use crate::components::diagnostics::severity_icon;
use crate::components::icon::{Icon, IconKind};
use crate::components::method_badge::MethodBadge;
use crate::components::path::BreakablePath;
use crate::components::table_scroll::TableScroll;
use crate::format::{bytes, millis, thousands};

/// The request and the response (if one came) of row `number` (1-based).
pub fn exchange(
    report: &PrescanReport,
    number: usize,
) -> Option<(PlannedRequest, Option<Received>)> {
    let position = report
        .plan
        .requests
        .iter()
        .position(|r| r.index + 1 == number)?;
    let received = match report.results.get(position) {
        Some(Some(result)) => match &result.outcome {
            Outcome::Response(r) => Some(r.clone()),
            _ => None,
        },
        _ => None,
    };
    Some((report.plan.requests[position].clone(), received))
}

/// The progress bar, once there is a report.
pub(super) fn progress(ui: Ui) -> impl IntoView {
    move || {
        ui.report.with(Option::is_some).then(|| {
            let p = ui.progress.get();
            view! {
                <p data-testid="prescan-progress" class="prescan-progress">
                    <progress max=p.total.max(1) value=p.done></progress>
                    " " {format!("{} of {} done", thousands(p.done), crate::format::count(p.total, "request", "requests"))}
                </p>
            }
        })
    }
}

/// The Connection section: what came back, in numbers.
pub(super) fn connection(ui: Ui) -> impl IntoView {
    move || {
        ui.report.with(|r| {
            r.as_ref().map(|r| {
                let c = r.connection();
                view! {
                    <section class="panel" aria-labelledby="connection-heading" data-testid="connection">
                        <h2 id="connection-heading">"Connection"</h2>
                        <dl class="summary">
                            <div><dt>"Requests"</dt><dd data-testid="connection-requests">{thousands(c.requests)}</dd></div>
                            <div><dt>"Responses"</dt><dd data-testid="connection-responses">{thousands(c.responses)}</dd></div>
                            <div><dt>"Network errors"</dt><dd data-testid="connection-network-errors">{thousands(c.network_errors)}</dd></div>
                            <div><dt>"Authentication verification (401 or 403)"</dt><dd data-testid="connection-auth-failures">{thousands(c.auth_failures)}</dd></div>
                            <div><dt>"Skipped"</dt><dd data-testid="connection-skipped">{thousands(c.skipped)}</dd></div>
                            {r.token.as_ref().map(|t| view! {
                                <div><dt>"OAuth 2.0 token"</dt><dd data-testid="connection-token">{t.summary()}</dd></div>
                            })}
                        </dl>
                    </section>
                }
            })
        })
    }
}

/// Which rows the table shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowFilter {
    All,
    /// 4xx, 5xx and no response.
    Errors,
    Class(OutcomeClass),
}

impl RowFilter {
    fn key(self) -> &'static str {
        match self {
            RowFilter::All => "all",
            RowFilter::Errors => "errors",
            RowFilter::Class(c) => c.key(),
        }
    }

    fn label(self) -> &'static str {
        match self {
            RowFilter::All => "All",
            RowFilter::Errors => "Errors",
            RowFilter::Class(c) => c.label(),
        }
    }

    /// Whether it shows a row of class `class`.
    pub fn shows(self, class: OutcomeClass) -> bool {
        match self {
            RowFilter::All => true,
            RowFilter::Errors => class.is_error(),
            RowFilter::Class(c) => c == class,
        }
    }
}

/// A skipped row's Response: `Skipped: ` and its reason's first clause
/// (`Skipped: Unsafe method: it may change…` → `Skipped: Unsafe method`).
pub fn skipped_label(response: &str) -> &str {
    let after = response.find(": ").map_or(0, |i| i + 2);
    match response[after..].find(": ") {
        Some(i) => &response[..after + i],
        None => response.trim_end_matches('.'),
    }
}

/// The origin of this page, which a server must allow (CORS) for a prescan
/// sent from the browser.
fn page_origin() -> Option<String> {
    web_sys::window().and_then(|w| w.location().origin().ok())
}

/// The Request and Response table, with one explanation per kind of failure
/// above it and a filter by outcome. `on_server`: a server sent the
/// requests (CORS does not apply).
pub(super) fn table(ui: Ui, on_server: bool) -> impl IntoView {
    let filter = RwSignal::new(RowFilter::All);
    let origin = (!on_server).then(page_origin).flatten();
    move || {
        ui.report.with(|r| {
            r.as_ref().map(|report| {
                let all_rows = report.rows();
                let total = all_rows.len();
                let counts = StoredValue::new(OutcomeClass::counts(&all_rows));
                let count_of = move |f: RowFilter| counts.with_value(|counts| match f {
                    RowFilter::All => total,
                    RowFilter::Errors => counts.iter().filter(|(c, _)| c.is_error()).map(|(_, n)| n).sum(),
                    RowFilter::Class(class) => counts.iter().find(|(c, _)| *c == class).map_or(0, |(_, n)| *n),
                });
                let choices = [RowFilter::All, RowFilter::Errors]
                    .into_iter()
                    .chain(OutcomeClass::ALL.into_iter().map(RowFilter::Class))
                    .map(|f| (f, count_of(f)))
                    // Empty classes are left out, but not All, Errors or the chosen one.
                    .filter(|(f, n)| *n > 0 || matches!(f, RowFilter::All | RowFilter::Errors) || filter.get_untracked() == *f)
                    .map(|(f, n)| {
                        view! {
                            <label class="chip" data-testid=format!("outcome-filter-{}", f.key())>
                                <input type="radio" name="outcome-filter" value=f.key()
                                    prop:checked=move || filter.get() == f
                                    on:change=move |_| filter.set(f) />
                                {format!("{} ({})", f.label(), thousands(n))}
                            </label>
                        }
                    })
                    .collect_view();
                let explanations = report.explanations(origin.as_deref());
                let explained = !explanations.is_empty();
                let explanations = explained.then(|| {
                    let items = explanations
                        .into_iter()
                        .map(|e| view! {
                            <li data-testid="prescan-explanation" data-class=e.class.key()>
                                <strong><CodeText text=e.title /></strong>" "<CodeText text=e.text />
                            </li>
                        })
                        .collect_view();
                    view! {
                        <div class="alert alert--warning explanations" data-testid="prescan-explanations">
                            <h3 class="alert__title"><Icon kind=IconKind::Warning />"What went wrong"</h3>
                            <ul>{items}</ul>
                        </div>
                    }
                });
                let rows = all_rows
                    .into_iter()
                    .map(|row| {
                        let class = row.class();
                        let tone = if row.in_error {
                            "prescan-row prescan-row--error"
                        } else if row.skipped {
                            "prescan-row prescan-row--skipped"
                        } else {
                            "prescan-row"
                        };
                        let exchange = exchange(report, row.number);
                        let time = row.time_ms.map(millis).unwrap_or_else(|| "—".into());
                        let size = row.size.map(|s| bytes(s as usize)).unwrap_or_else(|| "—".into());
                        let details = exchange.map(|(req, received)| view! { <Exchange req=req received=received /> });
                        // Failures are explained once above the table; a
                        // row says only what is its own.
                        let detail = row
                            .detail
                            .clone()
                            .filter(|_| row.token_request || (!row.skipped && !class.is_error()));
                        let response = if row.in_error {
                            view! {
                                <strong><Icon kind=IconKind::Error />{row.response.clone()}</strong>
                                <span class="visually-hidden">" (error)"</span>
                            }
                            .into_any()
                        } else if row.skipped {
                            // The reason's first clause; what to do is in the notes.
                            view! { <span class="muted">{skipped_label(&row.response)}</span> }.into_any()
                        } else {
                            view! { <span>{row.response.clone()}</span> }.into_any()
                        };
                        view! {
                            <tr class=tone data-testid="prescan-row" data-in-error=row.in_error.to_string()
                                data-class=class.key() hidden=move || !filter.get().shows(class)>
                                <td class="num" data-testid=row.token_request.then_some("prescan-token-row")>
                                    {if row.token_request { "Token".to_owned() } else { row.number.to_string() }}
                                </td>
                                <td><MethodBadge method=row.method.clone() /></td>
                                <td><span class="url"><BreakablePath path=row.url.clone() /></span>{details}</td>
                                <td data-testid="prescan-row-response">
                                    {response}
                                    {detail.map(|d| view! { <br /><span class="hint">{d}</span> })}
                                </td>
                                <td class="num">{time}</td>
                                <td class="num">{size}</td>
                            </tr>
                        }
                    })
                    .collect_view();
                let shown = move || {
                    let f = filter.get();
                    (f != RowFilter::All).then(|| view! {
                        <p class="muted" data-testid="outcome-filter-count">
                            {format!("Showing {} of {}.", thousands(count_of(f)), thousands(count_of(RowFilter::All)))}
                        </p>
                    })
                };
                view! {
                    <section class="panel" aria-labelledby="exchanges-heading">
                        <h2 id="exchanges-heading">"Request and Response"</h2>
                        {explanations}
                        <fieldset class="chips" data-testid="outcome-filter">
                            <legend>"Show"</legend>
                            {choices}
                        </fieldset>
                        <div role="status">{shown}</div>
                        <TableScroll label="Requests and responses">
                            <table class="table" data-testid="prescan-table">
                                <caption class="visually-hidden">"Requests sent by the prescan and the responses"</caption>
                                <thead>
                                    <tr>
                                        <th scope="col" class="num">"#"</th>
                                        <th scope="col">"Method"</th>
                                        <th scope="col">"URL"</th>
                                        <th scope="col">"Response"</th>
                                        <th scope="col" class="num">"Time"</th>
                                        <th scope="col" class="num">"Size"</th>
                                    </tr>
                                </thead>
                                <tbody>{rows}</tbody>
                            </table>
                        </TableScroll>
                    </section>
                }
            })
        })
    }
}

/// The Prescan Notes.
pub(super) fn notes(ui: Ui) -> impl IntoView {
    move || {
        ui.report.with(|r| {
            r.as_ref().map(|r| {
                let items = r
                    .notes()
                    .into_iter()
                    .map(|d| {
                        let class = format!("severity severity--{}", d.severity.label().to_ascii_lowercase());
                        view! {
                            <li class="diagnostic" data-testid="prescan-note">
                                <span class=class><Icon kind=severity_icon(d.severity) />{d.severity.label()}</span>
                                <span class="diagnostic__message"><CodeText text=d.message /></span>
                            </li>
                        }
                    })
                    .collect_view();
                view! {
                    <section class="panel" aria-labelledby="notes-heading" data-testid="prescan-notes">
                        <h2 id="notes-heading">"Prescan Notes"</h2>
                        <ul class="diagnostics">{items}</ul>
                    </section>
                }
            })
        })
    }
}

/// The request and the response of one row, folded.
#[component]
fn Exchange(req: PlannedRequest, received: Option<Received>) -> impl IntoView {
    let header_lines = |headers: &[(String, String)]| {
        headers
            .iter()
            .map(|(n, v)| format!("{n}: {v}"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let request_headers = header_lines(&req.headers);
    let withheld = (!req.withheld_headers.is_empty()).then(|| {
        format!(
            "Not sent (the browser does not let a page set them): {}",
            req.withheld_headers.join(", ")
        )
    });
    let response = received.map(|r| {
        let truncated = r.body_truncated.then(|| {
            format!(
                "Body truncated: the first {} of {} are shown.",
                bytes(r.body.len()),
                bytes(r.size as usize)
            )
        });
        view! {
            <h4>{format!("Response: {} {}", r.status, r.status_text)}</h4>
            <pre class="prescan-pre">{header_lines(&r.headers)}</pre>
            {truncated.map(|t| view! { <p class="hint" data-testid="body-truncated">{t}</p> })}
            <pre class="prescan-pre">{r.body}</pre>
        }
        .into_any()
    });
    view! {
        <details class="prescan-exchange" data-testid="prescan-exchange">
            <summary>"Request and response"</summary>
            <h4>{format!("Request: {} {}", req.method, req.url)}</h4>
            <pre class="prescan-pre">{request_headers}</pre>
            {withheld.map(|w| view! { <p class="hint">{w}</p> })}
            {req.body.map(|b| view! { <pre class="prescan-pre">{b}</pre> })}
            {response.unwrap_or_else(|| view! { <p class="hint">"No response."</p> }.into_any())}
        </details>
    }
}
