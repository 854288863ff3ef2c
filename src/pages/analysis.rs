//! One Dynamic Analysis: Veracode's "Dynamic Analysis summary page". Its
//! name and status, the Analysis Actions (each disabled one says why), the
//! details of its schedule and runs, its scans with their own statuses and
//! downloads, the Configure form, and the activity log at the bottom. The
//! page follows the store: statuses and the log move on without a reload.

use js_sys::{Array, Uint8Array};
use leptos::prelude::*;
use leptos::task::spawn_local;
use prescan_core::analysis::{
    ActivityEntry, Analysis, AnalysisAction, AnalysisId, AnalysisUpdate, Field, FieldError,
    RunAction, Scan, ScanTarget, SpecScan, Start, StoreError,
};
use prescan_core::ConvertOptions;
use web_sys::Blob;

use crate::components::form_errors::{message_for, ErrorSummary, FieldErrorText};
use crate::components::icon::{Icon, IconKind};
use crate::components::poll_banner::PollBanner;
use crate::components::schedule_input::{
    duration_fields, local_time_text, ScheduleFields, ScheduleInput, StartChoice,
};
use crate::components::status_badge::StatusBadge;
use crate::convert::{self, FileBytes};
use crate::download;
use crate::format::{har_file_name, thousands};
use crate::route::{navigate, Query, Route};
use crate::store::live::{Live, Poll};
use crate::store::{use_store, Storage};

/// How often an analysis is refreshed from a server, in milliseconds.
const ANALYSIS_POLL_MS: u32 = 2000;

/// The test id of an action's button.
pub fn action_testid(action: AnalysisAction) -> &'static str {
    match action {
        AnalysisAction::Configure => "action-configure",
        AnalysisAction::StopSave => "action-stop-save",
        AnalysisAction::StopDelete => "action-stop-delete",
        AnalysisAction::Pause => "action-pause",
        AnalysisAction::Resume => "action-resume",
        AnalysisAction::Delete => "action-delete",
    }
}

/// What the confirmation step asks before a dangerous action; `None` for
/// an action done at once.
pub fn confirmation(action: AnalysisAction, name: &str) -> Option<String> {
    match action {
        AnalysisAction::StopDelete => Some(format!(
            "Stop {name} and delete the results found so far? The results cannot be recovered."
        )),
        AnalysisAction::Delete => Some(format!(
            "Delete {name} with its scans and activity log? This cannot be undone."
        )),
        _ => None,
    }
}

/// The run action an action is, if it is one.
fn run_action(action: AnalysisAction) -> Option<RunAction> {
    match action {
        AnalysisAction::StopSave => Some(RunAction::StopSave),
        AnalysisAction::StopDelete => Some(RunAction::StopDelete),
        AnalysisAction::Pause => Some(RunAction::Pause),
        AnalysisAction::Resume => Some(RunAction::Resume),
        AnalysisAction::Configure | AnalysisAction::Delete => None,
    }
}

/// The options a scan's HAR is converted with: its chosen server (one of
/// the specification's, or a base URL typed for it) and its credentials.
pub fn options_for(spec: &SpecScan, scan: &Scan) -> ConvertOptions {
    let mut options = ConvertOptions {
        auth: scan.auth.clone(),
        ..ConvertOptions::default()
    };
    if let Some(server) = &spec.server {
        match spec.servers.iter().position(|s| s == server) {
            Some(i) => options.server = Some(i),
            None => options.base_url = Some(server.clone()),
        }
    }
    options
}

/// The last part of a path (`api/openapi.yaml` → `openapi.yaml`).
fn base_name(name: &str) -> &str {
    name.rsplit('/').next().unwrap_or(name)
}

fn bytes_blob(bytes: &[u8]) -> Option<Blob> {
    let parts = Array::of1(&Uint8Array::from(bytes));
    Blob::new_with_u8_array_sequence(&parts).ok()
}

fn when(ms: Option<i64>) -> String {
    ms.map(local_time_text).unwrap_or_else(|| "—".to_owned())
}

/// The summary page of analysis `id`.
#[component]
pub fn AnalysisPage(id: String) -> impl IntoView {
    let app = use_store();
    let parsed = id.trim().parse::<u64>().ok().map(AnalysisId);
    let live = Live::new(app, move || async move {
        match parsed {
            Some(id) => app.get(id).await,
            None => Err(StoreError::AnalysisNotFound(AnalysisId(0))),
        }
    });
    let log = Live::new(app, move || async move {
        match parsed {
            Some(id) => app.activity(id).await,
            None => Ok(Vec::new()),
        }
    });
    let poll = Poll::start(
        app,
        ANALYSIS_POLL_MS,
        move || {
            live.refetch();
            log.refetch();
        },
        move || live.loading() || log.loading(),
        move || live.failed_untracked() || log.failed_untracked(),
    );
    let analysis = live.data;
    let exists = Memo::new(move |_| analysis.with(Option::is_some));
    let loading = move || {
        (!app.is_api() && app.storage.with(|s| *s == Storage::Loading))
            || live.error.with(Option::is_none) && !live.settled()
    };
    let failed = move || {
        live.error.with(|e| {
            e.as_ref()
                .is_some_and(|e| !crate::store::live::is_absence(e))
        })
    };
    let shown_id = id.clone();
    let place = move || {
        if app.is_api() {
            format!(
                "on {}",
                app.backend.with(crate::store::settings::Backend::label)
            )
        } else {
            "in this browser".to_owned()
        }
    };
    move || {
        if exists.get() {
            view! {
                <PollBanner poll=poll error=Signal::derive(move || live.error.get().or_else(|| log.error.get())) />
                <Summary analysis=analysis log=log.data />
            }
            .into_any()
        } else if failed() {
            view! {
                <p class="back"><a href="#/analyses">"All Dynamic Analyses"</a></p>
                <PollBanner poll=poll error=live.error />
            }
            .into_any()
        } else if loading() {
            view! { <p class="muted" role="status">"Reading your analyses…"</p> }.into_any()
        } else {
            view! {
                <p class="back"><a href="#/analyses">"All Dynamic Analyses"</a></p>
                <h1>"Analysis not found"</h1>
                <div class="alert alert--error" role="alert" data-testid="analysis-not-found">
                    <p>
                        {format!("No analysis has the id \"{shown_id}\" {}. It may have been deleted. ", place())}
                        <a href="#/analyses">"Go back to All Dynamic Analyses"</a>
                        "."
                    </p>
                </div>
            }
            .into_any()
        }
    }
}

/// Everything shown for an analysis that exists.
#[component]
fn Summary(
    analysis: Memo<Option<Analysis>>,
    log: Memo<Option<Vec<ActivityEntry>>>,
) -> impl IntoView {
    let app = use_store();
    let Some(first) = analysis.get_untracked() else {
        return ().into_any();
    };
    let id = first.id;
    let current = move || analysis.get();
    let message = RwSignal::new(String::new());
    let failure = RwSignal::new(Option::<String>::None);
    // The action that failed, to retry it.
    let failed_action = RwSignal::new(Option::<AnalysisAction>::None);
    let working = RwSignal::new(false);
    let confirming = RwSignal::new(Option::<AnalysisAction>::None);
    let configuring = RwSignal::new(false);

    let perform = move |action: AnalysisAction| {
        failure.set(None);
        failed_action.set(None);
        confirming.set(None);
        if action == AnalysisAction::Configure {
            configuring.set(true);
            return;
        }
        let fail = move |e: StoreError| {
            failure.try_set(Some(format!("{} could not be done: {e}", action.label())));
            failed_action.try_set(Some(action));
        };
        if action == AnalysisAction::Delete {
            let name = analysis.get_untracked().map(|a| a.name).unwrap_or_default();
            working.set(true);
            spawn_local(async move {
                let result = app.delete(id).await;
                working.try_set(false);
                match result {
                    Ok(()) => navigate(&Route::Analyses(Query(vec![("deleted".into(), name)]))),
                    Err(e) => fail(e),
                }
            });
            return;
        }
        if let Some(run) = run_action(action) {
            working.set(true);
            spawn_local(async move {
                let result = app.act(id, run).await;
                working.try_set(false);
                match result {
                    Ok(a) => {
                        message.try_set(format!(
                            "{} requested. The status is now {}.",
                            action.label(),
                            a.status.label()
                        ));
                    }
                    Err(e) => fail(e),
                }
            });
        }
    };

    let ask = move |action: AnalysisAction| {
        let name = analysis.get_untracked().map(|a| a.name).unwrap_or_default();
        if confirmation(action, &name).is_some() {
            confirming.set(Some(action));
        } else {
            perform(action);
        }
    };

    let actions = move || {
        current().map(|a| {
            a.actions()
                .into_iter()
                .map(|(action, allowed)| {
                    let testid = action_testid(action);
                    let reason_id = format!("{testid}-reason");
                    let reason = allowed.err().map(|r| r.reason);
                    let disabled = reason.is_some();
                    let danger = confirmation(action, "").is_some();
                    let class = if danger {
                        "button button--danger"
                    } else if action == AnalysisAction::Configure {
                        "button"
                    } else {
                        "button button--secondary"
                    };
                    let pressed = (action == AnalysisAction::Configure)
                        .then_some(move || configuring.get().to_string());
                    view! {
                        <li class="actions__item">
                            <button
                                type="button"
                                class=class
                                data-testid=testid
                                prop:disabled=move || disabled || working.get()
                                aria-expanded=pressed
                                aria-describedby=reason.as_ref().map(|_| reason_id.clone())
                                on:click=move |_| ask(action)
                            >
                                {action.label()}
                            </button>
                            {reason.map(|r| view! {
                                <span class="actions__reason" id=reason_id data-testid="action-reason" data-action=testid>{r}</span>
                            })}
                        </li>
                    }
                })
                .collect_view()
        })
    };

    let confirm_step = move || {
        confirming.get().map(|action| {
            let name = analysis
                .get_untracked()
                .map(|a| a.name)
                .unwrap_or_default();
            let question = confirmation(action, &name).unwrap_or_default();
            // The question takes the focus as soon as it is drawn.
            let button = NodeRef::<leptos::html::Button>::new();
            Effect::new(move |_| {
                if let Some(b) = button.get() {
                    let _ = b.focus();
                }
            });
            view! {
                <div class="confirm" role="alertdialog" aria-labelledby="confirm-title" aria-describedby="confirm-question" data-testid="confirm">
                    <h2 class="confirm__title" id="confirm-title">{action.label()}</h2>
                    <p id="confirm-question">{question}</p>
                    <div class="form-actions">
                        <button type="button" class="button button--danger" id="confirm-action" data-testid="confirm-action" node_ref=button
                            on:click=move |_| perform(action)>
                            {format!("Yes, {}", action.label().to_lowercase())}
                        </button>
                        <button type="button" class="button button--secondary" data-testid="confirm-cancel"
                            on:click=move |_| confirming.set(None)>
                            "Cancel"
                        </button>
                    </div>
                </div>
            }
        })
    };

    let details = move || {
        current().map(|a| {
            let start = match a.schedule.start {
                Start::Now => "Start now".to_owned(),
                Start::At(ms) => format!("Start at {}", local_time_text(ms)),
                Start::Unscheduled => "Not scheduled (saved for later)".to_owned(),
            };
            view! {
                <dl class="summary" data-testid="analysis-details">
                    <div><dt>"Start"</dt><dd data-testid="detail-start">{start}</dd></div>
                    <div><dt>"Scan duration"</dt><dd data-testid="detail-duration">{a.schedule.duration.to_string()}</dd></div>
                    <div><dt>"Prescan"</dt><dd data-testid="detail-prescan">{if a.prescan { "On" } else { "Off" }}</dd></div>
                    <div><dt>"Scans"</dt><dd data-testid="detail-scan-count">{thousands(a.scans.len())}</dd></div>
                    <div><dt>"Last run"</dt><dd data-testid="detail-last-run">{when(a.last_run_ms())}</dd></div>
                    <div><dt>"Next run"</dt><dd data-testid="detail-next-run">{when(a.next_run_ms())}</dd></div>
                    <div><dt>"Runs"</dt><dd>{thousands(a.runs.len())}</dd></div>
                    <div><dt>"Created"</dt><dd>{format!("{} by {}", local_time_text(a.created_ms), a.created_by)}</dd></div>
                    <div><dt>"Last modified"</dt><dd data-testid="detail-modified">{format!("{} by {}", local_time_text(a.modified_ms), a.modified_by)}</dd></div>
                </dl>
            }
        })
    };

    let converting = RwSignal::new(Option::<String>::None);
    let save_original = move |spec: SpecScan| {
        failure.set(None);
        failed_action.set(None);
        let name = base_name(&spec.file_name).to_owned();
        spawn_local(async move {
            let saved = app
                .specification_bytes(spec.spec_id)
                .await
                .map_err(|e| e.to_string())
                .and_then(|b| {
                    bytes_blob(&b).ok_or_else(|| "The browser could not hold the file.".to_owned())
                })
                .and_then(|blob| download::save(&blob, &name));
            if let Err(m) = saved {
                failure.try_set(Some(format!("{name} could not be downloaded: {m}")));
            }
        });
    };
    let save_har = move |spec: SpecScan, scan: Scan| {
        failure.set(None);
        failed_action.set(None);
        let name = base_name(&spec.file_name).to_owned();
        let har_name = har_file_name(&name);
        converting.set(Some(name.clone()));
        spawn_local(async move {
            // A server converts on its side (with the scan's credentials).
            if let Some(http) = app.http() {
                let result = http
                    .specification_har(spec.spec_id, spec.server.as_deref())
                    .await
                    .map_err(|e| e.to_string())
                    .and_then(|b| {
                        bytes_blob(&b)
                            .ok_or_else(|| "The browser could not hold the file.".to_owned())
                    })
                    .and_then(|blob| download::save(&blob, &har_name));
                converting.try_set(None);
                match result {
                    Ok(()) => {
                        message.try_set(format!(
                            "Converted {name} on the server: {har_name} downloaded."
                        ));
                    }
                    Err(m) => {
                        failure.try_set(Some(format!("{har_name} could not be made: {m}")));
                    }
                }
                return;
            }
            let bytes = match app.specification_bytes(spec.spec_id).await {
                Ok(b) => b,
                Err(e) => {
                    converting.try_set(None);
                    failure.try_set(Some(format!("{har_name} could not be made: {e}")));
                    return;
                }
            };
            let options = options_for(&spec, &scan);
            let result = convert::convert(
                vec![FileBytes {
                    name: spec.file_name.clone(),
                    bytes: Uint8Array::from(&bytes[..]),
                }],
                &options,
            )
            .await;
            converting.try_set(None);
            let saved = result
                .map_err(|f| f.message)
                .and_then(|c| download::save(&c.entries.file, &har_name));
            match saved {
                Ok(()) => {
                    message.try_set(format!("Converted {name}: {har_name} downloaded."));
                }
                Err(m) => {
                    failure.try_set(Some(format!("{har_name} could not be made: {m}")));
                }
            }
        });
    };

    let scans = move || {
        current().map(|a| {
            let rows = a
                .scans
                .iter()
                .map(|scan| {
                    let (endpoints, downloads) = match &scan.target {
                        ScanTarget::ApiSpecification(spec) => {
                            let (for_original, for_har, scan_for_har) =
                                (spec.clone(), spec.clone(), scan.clone());
                            let file = base_name(&spec.file_name).to_owned();
                            (
                                thousands(spec.endpoint_count),
                                view! {
                                    <button type="button" class="button button--link" data-testid="download-scan-spec"
                                        aria-label=format!("Download original {file}")
                                        on:click=move |_| save_original(for_original.clone())>
                                        <Icon kind=IconKind::Download />"Original"
                                    </button>
                                    " "
                                    <button type="button" class="button button--link" data-testid="download-scan-har"
                                        aria-label=format!("Download HAR of {file}")
                                        disabled=move || converting.get().is_some()
                                        on:click=move |_| save_har(for_har.clone(), scan_for_har.clone())>
                                        <Icon kind=IconKind::Download />"HAR"
                                    </button>
                                    " "
                                    <a class="button button--link" data-testid="view-prescan"
                                        href=Route::Prescan { analysis: a.id.0.to_string(), scan: scan.id.0.to_string() }.to_hash()
                                        aria-label=format!("View Prescan Details of {file}")>
                                        "View Prescan Details"
                                    </a>
                                }
                                .into_any(),
                            )
                        }
                        ScanTarget::Url(_) => ("—".to_owned(), view! { <span class="muted">"—"</span> }.into_any()),
                    };
                    view! {
                        <tr data-testid="scan-row">
                            <th scope="row" data-testid="scan-name"><span class="break">{scan.name().to_owned()}</span></th>
                            <td data-testid="scan-kind">{scan.target.kind_label()}</td>
                            <td data-testid="scan-status"><StatusBadge badge=scan.badge() /></td>
                            <td class="num" data-testid="scan-endpoints">{endpoints}</td>
                            <td class="downloads-cell">{downloads}</td>
                        </tr>
                    }
                })
                .collect_view();
            view! {
                <div class="table-scroll">
                    <table class="table" data-testid="scans-table">
                        <caption class="visually-hidden">"Scans of this analysis"</caption>
                        <thead>
                            <tr>
                                <th scope="col">"Scan"</th>
                                <th scope="col">"Kind"</th>
                                <th scope="col">"Status"</th>
                                <th scope="col" class="num">"Endpoints"</th>
                                <th scope="col">"Downloads"</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            }
        })
    };

    let log_rows = move || {
        log.with(|entries| {
            entries
                .iter()
                .flatten()
                .rev()
                .map(|e: &ActivityEntry| {
                    view! {
                        <tr data-testid="activity-row">
                            <td><time datetime=e.audited_on()>{local_time_text(e.at_ms)}</time></td>
                            <td data-testid="activity-who">{e.actor.display_name().to_owned()}</td>
                            <td data-testid="activity-what"><strong>{e.kind.label()}</strong><br />{e.details.clone()}</td>
                            <td>{e.old_value.clone().unwrap_or_default()}</td>
                            <td data-testid="activity-new">{e.new_value.clone().unwrap_or_default()}</td>
                        </tr>
                    }
                })
                .collect_view()
        })
    };

    let done = move |saved: Option<String>| {
        configuring.set(false);
        if let Some(m) = saved {
            message.set(m);
        }
    };
    let name = move || current().map(|a| a.name).unwrap_or_default();
    let badge = move || current().map(|a| view! { <StatusBadge badge=a.badge() /> });
    let description = move || current().map(|a| a.badge().description);

    view! {
        <p class="back"><a href="#/analyses">"All Dynamic Analyses"</a></p>
        <div class="analysis-header">
            <h1 data-testid="analysis-name" class="break">{name}</h1>
            <span data-testid="analysis-status" class="analysis-header__status">{badge}</span>
        </div>
        <p class="muted" data-testid="status-description">{description}</p>
        <p role="status" class="status-line" data-testid="analysis-message">
            {move || message.get()}
            {move || converting.get().map(|n| format!(" Converting {n}…"))}
        </p>
        {move || failure.get().map(|f| view! {
            <div class="alert alert--error" role="alert" data-testid="action-error">
                <p>{f}</p>
                {move || failed_action.get().map(|action| view! {
                    <button type="button" class="button button--secondary" data-testid="action-retry"
                        on:click=move |_| perform(action)>"Retry"</button>
                })}
            </div>
        })}

        <section class="panel" aria-labelledby="actions-heading">
            <h2 id="actions-heading">"Analysis Actions"</h2>
            <ul class="actions" data-testid="analysis-actions">{actions}</ul>
            {confirm_step}
        </section>

        {move || configuring.get().then(|| view! { <ConfigureForm analysis=analysis on_done=done /> })}

        <section class="panel" aria-labelledby="details-heading">
            <h2 id="details-heading">"Details"</h2>
            {details}
        </section>

        <section class="panel" aria-labelledby="scans-heading">
            <h2 id="scans-heading">"Scans"</h2>
            {scans}
        </section>

        <section class="panel" aria-labelledby="activity-heading">
            <h2 id="activity-heading">"Activity log"</h2>
            <p class="muted">"Every action and status change, newest first. Credentials are never recorded."</p>
            <div class="table-scroll">
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
            </div>
        </section>
    }
    .into_any()
}

/// The id of the input a field's error leads to, in the Configure form.
fn cfg_target(field: Field) -> String {
    match field {
        Field::Name => "cfg-name",
        Field::Schedule => "cfg-schedule",
        Field::Scans | Field::Certification => "configure-form",
    }
    .to_owned()
}

/// The Configure form: name, schedule and prescan switch (the scans stay as
/// they are). `on_done` gets a message after a save, `None` on cancel.
#[component]
fn ConfigureForm(
    analysis: Memo<Option<Analysis>>,
    on_done: impl Fn(Option<String>) + Copy + 'static,
) -> impl IntoView {
    let app = use_store();
    let Some(a) = analysis.get_untracked() else {
        return ().into_any();
    };
    let id = a.id;
    let name = RwSignal::new(a.name.clone());
    let prescan = RwSignal::new(a.prescan);
    let (amount, unit) = duration_fields(a.schedule.duration);
    let at = match a.schedule.start {
        Start::At(ms) => crate::components::schedule_input::local_time_value(ms),
        _ => String::new(),
    };
    let schedule = ScheduleInput::new(StartChoice::Keep, at, amount, unit);
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let original = StoredValue::new((a.name.clone(), a.prescan));
    let error_of =
        move |field: Field| Signal::derive(move || errors.with(|e| message_for(e, field)));

    // A failure that is not about a field: shown above the buttons with a
    // Retry; what was typed stays.
    let problem = RwSignal::new(Option::<String>::None);
    let saving = RwSignal::new(false);
    let save_now = move || {
        if saving.get_untracked() {
            return;
        }
        problem.set(None);
        let new_name = name.get_untracked();
        let new_prescan = prescan.get_untracked();
        let new_schedule = match schedule.schedule() {
            Ok(s) => s,
            Err(m) => {
                errors.set(vec![FieldError {
                    field: Field::Schedule,
                    message: m,
                }]);
                return;
            }
        };
        let (original_name, original_prescan) = original.get_value();
        let change = AnalysisUpdate {
            name: (new_name.trim() != original_name).then_some(new_name),
            scans: None,
            schedule: new_schedule,
            prescan: (new_prescan != original_prescan).then_some(new_prescan),
        };
        if change == AnalysisUpdate::default() {
            on_done(Some("Nothing changed.".into()));
            return;
        }
        saving.set(true);
        spawn_local(async move {
            let result = app.update(id, change).await;
            saving.try_set(false);
            match result {
                Ok(saved) => on_done(Some(format!(
                    "Saved the configuration of {}. The status is {}.",
                    saved.name,
                    saved.status.label()
                ))),
                Err(StoreError::Invalid(list)) => {
                    errors.try_set(list);
                }
                Err(other) => {
                    errors.try_set(Vec::new());
                    problem.try_set(Some(format!(
                        "The configuration could not be saved: {other}"
                    )));
                }
            }
        });
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        save_now();
    };
    let retry = StoredValue::new_local(save_now);

    view! {
        <section class="panel" aria-labelledby="configure-heading">
            <h2 id="configure-heading">"Configure Analysis"</h2>
            <ErrorSummary errors=errors target=cfg_target id="cfg-error-summary" />
            <form id="configure-form" data-testid="configure-form" class="analysis-form" novalidate tabindex="-1" on:submit=save>
                <div class="field">
                    <label for="cfg-name">"Analysis name"</label>
                    <FieldErrorText id="cfg-name-error".into() field=Field::Name message=error_of(Field::Name) />
                    <input
                        type="text"
                        id="cfg-name"
                        class="input--wide"
                        data-testid="configure-name"
                        autocomplete="off"
                        aria-invalid=move || errors.with(|e| message_for(e, Field::Name)).map(|_| "true")
                        aria-describedby=move || errors.with(|e| message_for(e, Field::Name)).map(|_| "cfg-name-error")
                        prop:value=move || name.get()
                        on:input=move |ev| name.set(event_target_value(&ev))
                    />
                </div>
                <ScheduleFields input=schedule prefix="cfg" keep=a.schedule.to_string() error=error_of(Field::Schedule) />
                <div class="field">
                    <label class="choice" for="cfg-prescan">
                        <input
                            type="checkbox"
                            id="cfg-prescan"
                            data-testid="configure-prescan"
                            prop:checked=move || prescan.get()
                            on:change=move |ev| prescan.set(event_target_checked(&ev))
                        />
                        " Run a prescan first"
                    </label>
                </div>
                <p class="hint">"The scans stay as they are."</p>
                {move || problem.get().map(|p| view! {
                    <div class="alert alert--error" role="alert" data-testid="configure-error">
                        <p>{p}</p>
                        <button type="button" class="button button--secondary" data-testid="configure-retry"
                            on:click=move |_| retry.with_value(|f| f())>"Retry"</button>
                    </div>
                })}
                <div class="form-actions">
                    <button type="submit" class="button" data-testid="configure-save" disabled=move || saving.get()>"Save"</button>
                    <button type="button" class="button button--secondary" data-testid="configure-cancel" on:click=move |_| on_done(None)>
                        "Cancel"
                    </button>
                </div>
            </form>
        </section>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;
    use prescan_core::analysis::{ScanId, ScanStatus, SpecId};
    use prescan_core::SpecFormat;

    fn spec(server: Option<&str>) -> SpecScan {
        SpecScan {
            spec_id: SpecId(1),
            file_name: "api/petstore.yaml".into(),
            format: SpecFormat::OpenApi30,
            endpoint_count: 5,
            servers: vec![
                "https://a.example.com".into(),
                "https://b.example.com".into(),
            ],
            server: server.map(str::to_owned),
        }
    }

    fn scan(spec: &SpecScan) -> Scan {
        Scan {
            id: ScanId(2),
            target: ScanTarget::ApiSpecification(spec.clone()),
            status: ScanStatus::NotRun,
            auth: Default::default(),
        }
    }

    #[test]
    fn a_scan_converts_with_its_server() {
        let s = spec(None);
        let o = options_for(&s, &scan(&s));
        assert_eq!((o.server, o.base_url), (None, None));
        let s = spec(Some("https://b.example.com"));
        assert_eq!(options_for(&s, &scan(&s)).server, Some(1));
        let s = spec(Some("https://other.example.com/v2"));
        assert_eq!(
            options_for(&s, &scan(&s)).base_url.as_deref(),
            Some("https://other.example.com/v2")
        );
        assert_eq!(base_name(&s.file_name), "petstore.yaml");
    }

    #[test]
    fn only_dangerous_actions_ask_first() {
        assert!(confirmation(AnalysisAction::Delete, "x").is_some());
        assert!(confirmation(AnalysisAction::StopDelete, "x").is_some());
        for a in [
            AnalysisAction::Configure,
            AnalysisAction::StopSave,
            AnalysisAction::Pause,
            AnalysisAction::Resume,
        ] {
            assert!(confirmation(a, "x").is_none());
        }
        let ids: std::collections::HashSet<_> =
            AnalysisAction::ALL.into_iter().map(action_testid).collect();
        assert_eq!(ids.len(), 6);
    }
}
