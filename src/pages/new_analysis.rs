//! Create a Dynamic Analysis: a name, the API specifications and URLs to
//! scan, the schedule, the prescan switch and the "I have permission to
//! scan" certification. The core checks everything
//! ([`prescan_core::analysis::Store::create`]); its field errors are shown
//! next to each field and in a summary at the top, and nothing typed is lost.

use js_sys::Uint8Array;
use leptos::prelude::*;
use leptos::task::spawn_local;
use prescan_core::analysis::{
    Field, FieldError, NewAnalysis, ScanDraft, ScanDuration, ScanTarget, Schedule, SpecId,
    SpecRecord, SpecUpload, StoreError, NAME_MAX_CHARS, NAME_MIN_CHARS,
};
use prescan_core::people::{Action, Visibility};
use prescan_core::{ConvertOptions, MAX_SPEC_BYTES};
use wasm_bindgen_futures::JsFuture;

use crate::components::form_errors::{message_for, ErrorSummary, FieldErrorText};
use crate::components::poll_banner::PollBanner;
use crate::components::schedule_input::{DurationUnit, ScheduleFields, ScheduleInput, StartChoice};
use crate::components::table_scroll::TableScroll;
use crate::components::visibility::{VisibilityField, VisibilityInput};
use crate::convert::{self, FileBytes};
use crate::format::{bytes, thousands};
use crate::route::{navigate, Query, Route};
use crate::store::live::{Live, Poll};
use crate::store::people::{refusal, use_principal, visibility_text};
use crate::store::settings::Backend;
use crate::store::{use_store, Storage};

/// Standard base64 with padding (how a client certificate file goes to the
/// server).
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The URLs typed, one a line (blank lines left out).
pub fn urls_of(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The specification a URL fragment preselects (`#/analyses/new?spec=12`).
pub fn preselected(hash: &str) -> Option<SpecId> {
    let (_, query) = hash.split_once('?')?;
    Query::parse(query)
        .get("spec")?
        .trim()
        .parse()
        .ok()
        .map(SpecId)
}

/// The id of the input a field's error leads to.
fn target(field: Field) -> String {
    match field {
        Field::Name => "new-name",
        Field::Scans => "new-scans",
        Field::Certification => "new-permission",
        Field::Schedule => "new-schedule",
    }
    .to_owned()
}

/// Errors in form order (name, scans, schedule, certification).
pub fn in_form_order(mut errors: Vec<FieldError>) -> Vec<FieldError> {
    let rank = |f: Field| match f {
        Field::Name => 0,
        Field::Scans => 1,
        Field::Schedule => 2,
        Field::Certification => 3,
    };
    errors.sort_by_key(|e| rank(e.field));
    errors
}

/// The create form.
#[component]
pub fn NewAnalysisPage() -> impl IntoView {
    let app = use_store();
    let hash = web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default();
    let name = RwSignal::new(String::new());
    let selected = RwSignal::new(preselected(&hash).into_iter().collect::<Vec<SpecId>>());
    let urls = RwSignal::new(String::new());
    let schedule = ScheduleInput::new(
        StartChoice::Now,
        String::new(),
        "1".into(),
        DurationUnit::Days,
    );
    let prescan = RwSignal::new(true);
    let permission = RwSignal::new(false);
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let problem = RwSignal::new(Option::<String>::None);
    let adding = RwSignal::new(Option::<String>::None);
    let add_error = RwSignal::new(Option::<String>::None);
    // Who can see it (server mode only: in this browser there is one user).
    let visibility = VisibilityInput::new(&Visibility::SecLeadsOnly);
    let visibility_error = RwSignal::new(Option::<String>::None);
    // What the user's roles do not let them do here, and why.
    let principal = use_principal();
    let create_refused = Memo::new(move |_| principal.with(|p| refusal(p, Action::Create)));
    // The server's 403 already says why: the reason is not said twice.
    let refusal_in_problem = move || {
        create_refused.with(|r| {
            r.as_ref().is_some_and(|r| {
                problem.with(|p| p.as_ref().is_some_and(|p| p.contains(r.as_str())))
            })
        })
    };
    let upload_refused =
        Memo::new(move |_| principal.with(|p| refusal(p, Action::ManageSpecifications)));
    let shared_teams = move || {
        if app.is_api_untracked() {
            visibility
                .value()
                .map(|v| v.team_identifiers().to_vec())
                .unwrap_or_default()
        } else {
            Vec::new()
        }
    };

    // What the preview's Use in a new analysis handed over (server, credentials).
    let preview = use_context::<crate::pages::spec_preview::PreviewState>();
    let handoff = move |spec: SpecId| preview.and_then(|p| p.handoff_for(spec));

    let live = Live::new(app, move || async move { app.specifications().await });
    // The list of specifications is loaded once per change; a failure
    // is retried as on the other pages.
    let poll = Poll::start(
        app,
        10_000,
        move || live.refetch(),
        move || live.loading(),
        move || live.failed_untracked(),
    );
    let specifications = Memo::new(move |_| live.data.get().unwrap_or_default());
    let creating = RwSignal::new(false);
    let error_of =
        move |field: Field| Signal::derive(move || errors.with(|e| message_for(e, field)));
    let invalid =
        move |field: Field| move || errors.with(|e| message_for(e, field)).map(|_| "true");
    let described = move |field: Field, id: &'static str| {
        move || errors.with(|e| message_for(e, field)).map(|_| id)
    };

    // The client certificate of the scans' prescans on a server: the file
    // (name, base64) and its passphrase, kept in memory until the analysis
    // is created, then sent once in the scans' credentials.
    let cert_file = RwSignal::new(Option::<(String, String)>::None);
    let cert_pass = RwSignal::new(String::new());
    let cert_error = RwSignal::new(Option::<String>::None);
    let add_cert = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|list| list.get(0)) else {
            cert_file.set(None);
            return;
        };
        let file_name = file.name();
        cert_error.set(None);
        if file.size() as usize > prescan_core::MAX_CLIENT_CERTIFICATE_BYTES {
            input.set_value("");
            cert_file.set(None);
            cert_error.set(Some(format!(
                "{file_name} is {}; a client certificate file (PKCS#12) may be at most {}.",
                bytes(file.size() as usize),
                bytes(prescan_core::MAX_CLIENT_CERTIFICATE_BYTES)
            )));
            return;
        }
        spawn_local(async move {
            match JsFuture::from(file.array_buffer()).await {
                Ok(buffer) => {
                    let b64 = base64(&Uint8Array::new(&buffer).to_vec());
                    cert_file.try_set(Some((file_name, b64)));
                }
                Err(_) => {
                    cert_error.try_set(Some(format!("The browser could not read {file_name}.")));
                }
            }
        });
    };

    let add_file = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|list| list.get(0)) else {
            return;
        };
        input.set_value("");
        let file_name = file.name();
        add_error.set(None);
        if let Some(why) = upload_refused.get_untracked() {
            add_error.set(Some(why));
            return;
        }
        let teams = shared_teams();
        if file.size() as usize > MAX_SPEC_BYTES {
            add_error.set(Some(format!(
                "{file_name} is {}; a specification may be at most {}. Choose a smaller file.",
                bytes(file.size() as usize),
                bytes(MAX_SPEC_BYTES)
            )));
            return;
        }
        adding.set(Some(file_name.clone()));
        spawn_local(async move {
            let result = async {
                let buffer = JsFuture::from(file.array_buffer())
                    .await
                    .map_err(|_| format!("The browser could not read {file_name}."))?;
                let original = Uint8Array::new(&buffer).to_vec();
                let converted = convert::convert(
                    vec![FileBytes {
                        name: file_name.clone(),
                        bytes: Uint8Array::from(&original[..]),
                    }],
                    &ConvertOptions::default(),
                )
                .await
                .map_err(|f| format!("{file_name} could not be used: {}", f.message))?;
                let upload = SpecUpload::from_specification(&converted.spec, original);
                app.put_specification_shared(upload, &teams)
                    .await
                    .map_err(|e| format!("{file_name} could not be stored: {e}"))
            }
            .await;
            adding.try_set(None);
            match result {
                Ok(record) => {
                    selected.try_update(|ids| {
                        if !ids.contains(&record.id) {
                            ids.push(record.id);
                        }
                    });
                }
                Err(message) => {
                    add_error.try_set(Some(message));
                }
            }
        });
    };

    let submit_now = move || {
        if creating.get_untracked() || create_refused.get_untracked().is_some() {
            return;
        }
        problem.set(None);
        visibility_error.set(None);
        let chosen_visibility = if app.is_api_untracked() {
            match visibility.value() {
                Ok(v) => v,
                Err(m) => {
                    visibility_error.set(Some(m));
                    crate::components::form_errors::focus_id("new-visibility");
                    return;
                }
            }
        } else {
            Visibility::SecLeadsOnly
        };
        let chosen = selected.get_untracked();
        let mut scans: Vec<ScanDraft> = specifications
            .get_untracked()
            .iter()
            .filter(|r| chosen.contains(&r.id))
            .map(|r| {
                // The preview's server for this spec's scan. Its credentials
                // are not stored: the Prescan page takes them from memory.
                let server = handoff(r.id).and_then(|h| h.server);
                ScanDraft::new(ScanTarget::specification(r, server))
            })
            .collect();
        // The client certificate goes with every API specification scan
        // (a server opens it when the analysis is saved).
        if let (true, Some((file_name, pkcs12_base64))) =
            (app.is_api_untracked(), cert_file.get_untracked())
        {
            for scan in &mut scans {
                scan.auth.client_certificate = Some(prescan_core::ClientCertificate {
                    file_name: file_name.clone(),
                    pkcs12_base64: pkcs12_base64.clone(),
                    passphrase: cert_pass.get_untracked(),
                });
                scan.auth_entered = true;
            }
        }
        scans.extend(
            urls_of(&urls.get_untracked())
                .into_iter()
                .map(|u| ScanDraft::new(ScanTarget::Url(u))),
        );
        // A schedule the form cannot read yet still goes to the core (as
        // one it refuses), so that every other field is checked too.
        let (schedule_value, schedule_problem) = match schedule.schedule() {
            Ok(Some(s)) => (s, None),
            Ok(None) => (Schedule::now(ScanDuration::Days(1)), None),
            Err(m) => (Schedule::now(ScanDuration::Hours(0)), Some(m)),
        };
        let new = NewAnalysis {
            name: name.get_untracked(),
            scans,
            schedule: schedule_value,
            prescan: prescan.get_untracked(),
            permission_certified: permission.get_untracked(),
            visibility: chosen_visibility,
        };
        creating.set(true);
        spawn_local(async move {
            let result = app.create(new).await;
            creating.try_set(false);
            match result {
                Ok(created) => navigate(&Route::Analysis(created.id.to_string())),
                Err(StoreError::Invalid(mut list)) => {
                    if let Some(m) = schedule_problem {
                        list.retain(|e| e.field != Field::Schedule);
                        list.push(FieldError {
                            field: Field::Schedule,
                            message: m,
                        });
                    }
                    errors.try_set(in_form_order(list));
                }
                Err(other) => {
                    errors.try_set(Vec::new());
                    problem.try_set(Some(format!("The analysis could not be created: {other}")));
                }
            }
        });
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        submit_now();
    };

    let spec_rows = move || {
        let list = specifications.get();
        if list.is_empty() {
            return view! {
                <p class="muted" data-testid="no-specs">
                    "No specification is stored yet. Add one below, or load one on the "
                    <a href="#/">"specification preview"</a>
                    " and choose Use in a new analysis."
                </p>
            }
            .into_any();
        }
        let rows = list
            .into_iter()
            .map(|r: SpecRecord| {
                let id = r.id;
                let input_id = format!("new-spec-{id}");
                let title = if r.title.is_empty() {
                    "—".to_owned()
                } else {
                    r.title.clone()
                };
                view! {
                    <tr>
                        <td>
                            <input
                                type="checkbox"
                                id=input_id.clone()
                                data-testid="new-spec"
                                value=id.to_string()
                                prop:checked=move || selected.with(|s| s.contains(&id))
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    selected.update(|s| {
                                        s.retain(|x| *x != id);
                                        if on {
                                            s.push(id);
                                        }
                                    });
                                }
                            />
                        </td>
                        <th scope="row"><label for=input_id>{r.file_name.clone()}</label></th>
                        <td>{title}</td>
                        <td>{r.format.label()}</td>
                        <td class="num">{thousands(r.endpoint_count)}</td>
                        <td><crate::format::DateTime ms=r.uploaded_ms /></td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <TableScroll label="Stored API specifications">
                <table class="table" data-testid="new-specs-table">
                    <caption class="visually-hidden">"Stored API specifications"</caption>
                    <thead>
                        <tr>
                            <th scope="col"><span class="visually-hidden">"Scan"</span></th>
                            <th scope="col">"File"</th>
                            <th scope="col">"Title"</th>
                            <th scope="col">"Format"</th>
                            <th scope="col" class="num">"Endpoints"</th>
                            <th scope="col">"Uploaded"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </TableScroll>
        }
        .into_any()
    };

    // Specifications chosen that are not shared with every team the
    // analysis is: those teams' members would see the analysis, not them.
    let share_note = move || {
        if !app.is_api() {
            return None;
        }
        let teams = visibility.chosen();
        if teams.is_empty() {
            return None;
        }
        let chosen = selected.get();
        let lacking: Vec<String> = specifications.with(|list| {
            list.iter()
                .filter(|r| chosen.contains(&r.id))
                .filter(|r| {
                    teams
                        .iter()
                        .any(|t| !r.visibility.team_identifiers().contains(t))
                })
                .map(|r| r.file_name.clone())
                .collect()
        });
        (!lacking.is_empty()).then(|| {
            view! {
                <p class="hint" data-testid="new-spec-share-note">
                    {format!(
                        "Not shared with every team chosen above: {}. Those teams will see the analysis but not {}; add {} again below to share {} with the teams chosen.",
                        lacking.join(", "),
                        if lacking.len() == 1 { "this file" } else { "these files" },
                        if lacking.len() == 1 { "it" } else { "them" },
                        if lacking.len() == 1 { "it" } else { "them" },
                    )}
                </p>
            }
        })
    };
    let upload_hint = move || {
        let formats =
            "OpenAPI 2.0, 3.0 or 3.1, Postman Collection 2.1 or HAR 1.2, in JSON or YAML.";
        if app.is_api() {
            let mut shared = visibility_text(
                &Visibility::teams(visibility.chosen()),
                &app.whoami.with(|w| {
                    w.me()
                        .map(|m| m.shareable_teams.clone())
                        .unwrap_or_default()
                }),
            );
            if let Some(first) = shared.get_mut(0..1) {
                first.make_ascii_lowercase();
            }
            format!(
                "{formats} It is checked on this device, then uploaded to {}, shared like the analysis: {shared}.",
                app.backend.with(Backend::label),
            )
        } else {
            format!("{formats} It is checked on this device and stored in this browser.")
        }
    };

    view! {
        <p class="back"><a href="#/analyses">"All Dynamic Analyses"</a></p>
        <h1>"Create a Dynamic Analysis"</h1>
        {move || create_refused.get().filter(|_| !refusal_in_problem()).map(|why| view! {
            <p class="notice" id="new-refused" data-testid="create-refused">
                {format!("Your roles do not let you create analyses here. {why}")}
            </p>
        })}
        <ErrorSummary errors=errors target=target id="new-error-summary" />
        <PollBanner poll=poll error=live.error />
        {move || problem.get().map(|p| view! {
            <div class="alert alert--error" role="alert" id="new-problem" data-testid="create-error">
                <p>{p}</p>
                <p class="hint">"What you entered is kept."</p>
                {move || create_refused.with(Option::is_none).then(|| view! {
                    <button type="button" class="button button--secondary" data-testid="create-retry"
                        on:click=move |_| submit_now()>"Retry"</button>
                })}
            </div>
        })}
        <form class="panel analysis-form" novalidate on:submit=submit data-testid="new-form">
            <div class="field">
                <label for="new-name">"Analysis name"</label>
                <p class="hint" id="new-name-hint">
                    {format!("{NAME_MIN_CHARS} to {NAME_MAX_CHARS} characters, unique among your analyses.")}
                </p>
                <FieldErrorText id="new-name-error".into() field=Field::Name message=error_of(Field::Name) />
                <input
                    type="text"
                    id="new-name"
                    class="input--wide"
                    data-testid="new-name"
                    autocomplete="off"
                    aria-invalid=invalid(Field::Name)
                    aria-describedby=move || match errors.with(|e| message_for(e, Field::Name)) {
                        Some(_) => "new-name-hint new-name-error",
                        None => "new-name-hint",
                    }
                    prop:value=move || name.get()
                    on:input=move |ev| name.set(event_target_value(&ev))
                />
            </div>

            {move || app.is_api().then(|| view! {
                <VisibilityField input=visibility prefix="new" error=visibility_error />
            })}

            <fieldset class="form-group" id="new-scans" tabindex="-1" aria-describedby=described(Field::Scans, "new-scans-error")>
                <legend>"What to scan"</legend>
                <FieldErrorText id="new-scans-error".into() field=Field::Scans message=error_of(Field::Scans) />
                <h2 class="subheading">"API specifications"</h2>
                <p class="hint">"Each chosen specification is an API specification scan of its endpoints."</p>
                {spec_rows}
                {share_note}
                {move || {
                    let list = specifications.get();
                    let chosen = selected.get();
                    list.iter()
                        .filter(|r| chosen.contains(&r.id))
                        .find_map(|r| handoff(r.id).map(|h| (r.file_name.clone(), h)))
                        .map(|(file, h)| {
                            let server = h.server.clone().unwrap_or_else(|| "its first server".to_owned());
                            let credentials = if h.auth.is_empty() {
                                "no credentials".to_owned()
                            } else if app.is_api() {
                                "no credentials: those you entered there stay in this tab and are not sent to the server (add them in the analysis's Configure if its prescans need them)".to_owned()
                            } else {
                                "the credentials you entered there for its Prescan page (kept in this tab's memory, never stored)".to_owned()
                            };
                            view! {
                                <p class="hint" data-testid="new-handoff">
                                    {format!("The scan of {file} uses the preview's configuration: {server}, and {credentials}.")}
                                </p>
                            }
                        })
                }}
                <div class="field">
                    <label for="new-spec-file">"Add a specification"</label>
                    <p class="hint" id="new-spec-file-hint">{upload_hint}</p>
                    {move || upload_refused.get().map(|why| view! {
                        <p class="hint" id="new-spec-file-refused" data-testid="new-spec-file-refused">{why}</p>
                    })}
                    <input
                        type="file"
                        id="new-spec-file"
                        data-testid="new-spec-file"
                        accept=".json,.yaml,.yml,.har"
                        aria-describedby=move || if upload_refused.with(Option::is_some) { "new-spec-file-hint new-spec-file-refused" } else { "new-spec-file-hint" }
                        disabled=move || adding.get().is_some() || upload_refused.with(Option::is_some)
                        on:change=add_file
                    />
                    <p role="status" class="muted" data-testid="new-spec-file-status">
                        {move || adding.get().map(|n| format!("Checking {n}…"))}
                    </p>
                    {move || add_error.get().map(|m| view! {
                        <p class="field-error" data-testid="new-spec-file-error"><span class="visually-hidden">"Error: "</span>{m}</p>
                    })}
                </div>
                <div class="field">
                    <label for="new-urls">"URLs to scan"</label>
                    <p class="hint" id="new-urls-hint">"One web address a line, starting with https:// or http://. Each is a URL scan."</p>
                    <textarea
                        id="new-urls"
                        data-testid="new-urls"
                        rows="3"
                        spellcheck="false"
                        aria-describedby="new-urls-hint"
                        prop:value=move || urls.get()
                        on:input=move |ev| urls.set(event_target_value(&ev))
                    ></textarea>
                </div>
            </fieldset>

            <ScheduleFields input=schedule prefix="new" error=error_of(Field::Schedule) />

            <fieldset class="form-group">
                <legend>"Prescan"</legend>
                <label class="choice" for="new-prescan">
                    <input
                        type="checkbox"
                        id="new-prescan"
                        data-testid="new-prescan"
                        prop:checked=move || prescan.get()
                        on:change=move |ev| prescan.set(event_target_checked(&ev))
                    />
                    " Run a prescan first"
                </label>
                <p class="hint">"The prescan checks that each target can be reached and signed in to before the full scan, and notifies you of the result."</p>
                <h2 class="subheading">"Client certificate"</h2>
                {move || if app.is_api() {
                    view! {
                        <div class="field" data-testid="new-client-cert">
                            <label for="new-client-cert-file">"Client certificate file (PKCS#12: .p12 or .pfx)"</label>
                            <p class="hint" id="new-client-cert-hint">
                                "Optional: for servers that ask for a client certificate in the TLS handshake. The server's prescans present it; a browser cannot present one from a page. At most 64 KiB; stored encrypted with the scans' other credentials and never shown again."
                            </p>
                            <input type="file" id="new-client-cert-file" data-testid="new-client-cert-file"
                                accept=".p12,.pfx,application/x-pkcs12"
                                aria-describedby="new-client-cert-hint"
                                on:change=add_cert />
                            <label for="new-client-cert-pass">"Passphrase of the file"</label>
                            <input type="password" id="new-client-cert-pass" data-testid="new-client-cert-pass"
                                autocomplete="off" maxlength="1024"
                                prop:value=move || cert_pass.get()
                                on:input=move |ev| cert_pass.set(event_target_value(&ev)) />
                            {move || cert_error.get().map(|m| view! {
                                <p class="field-error" data-testid="new-client-cert-error"><span class="visually-hidden">"Error: "</span>{m}</p>
                            })}
                        </div>
                    }
                    .into_any()
                } else {
                    view! {
                        <p class="hint" data-testid="new-client-cert-browser">
                            "A client certificate (PKCS#12) cannot be used here: analyses are kept in this browser, and a browser cannot present a client certificate from a page. Connect to a prescan server (Settings) to give a scan one for its server prescans, or run "
                            <code>"prescan run --client-cert FILE.p12"</code>
                            "."
                        </p>
                    }
                    .into_any()
                }}
            </fieldset>

            <div class="field">
                <FieldErrorText id="new-permission-error".into() field=Field::Certification message=error_of(Field::Certification) />
                <label class="choice" for="new-permission">
                    <input
                        type="checkbox"
                        id="new-permission"
                        data-testid="new-permission"
                        aria-invalid=invalid(Field::Certification)
                        aria-describedby=described(Field::Certification, "new-permission-error")
                        prop:checked=move || permission.get()
                        on:change=move |ev| permission.set(event_target_checked(&ev))
                    />
                    " I certify that I have permission to scan these targets"
                </label>
            </div>

            {move || (!app.is_api()).then(|| view! {
                <p class="simulation-note" data-testid="new-simulated-note">
                    <span class="tag tag--simulated">"Simulated"</span>
                    " In this browser, a simulated scan engine moves runs through Veracode's statuses (a run is published about 80 seconds after it starts); it sends no request and finds nothing. A prescan from an API specification scan's View Prescan Details sends real requests."
                </p>
            })}
            <div class="form-actions">
                <button type="submit" data-testid="new-submit"
                    class=move || if create_refused.with(Option::is_some) { "button button--unavailable" } else { "button" }
                    aria-describedby=move || create_refused.with(Option::is_some).then(|| if refusal_in_problem() { "new-problem" } else { "new-refused" })
                    disabled=move || adding.get().is_some() || creating.get() || create_refused.with(Option::is_some) || (!app.is_api() && app.storage.with(|s| *s == Storage::Loading))>
                    "Create analysis"
                </button>
                <a class="button button--secondary" href="#/analyses">"Cancel"</a>
            </div>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_is_standard_with_padding() {
        for (bytes, text) in [
            (&b""[..], ""),
            (b"f", "Zg=="),
            (b"fo", "Zm8="),
            (b"foo", "Zm9v"),
            (b"foob", "Zm9vYg=="),
            (&[0xfb, 0xff, 0xfe][..], "+//+"),
        ] {
            assert_eq!(base64(bytes), text);
        }
    }

    #[test]
    fn urls_are_one_a_line() {
        assert_eq!(
            urls_of(" https://a.example.com \n\n http://b.example.com/x\n"),
            vec!["https://a.example.com", "http://b.example.com/x"]
        );
        assert!(urls_of("  \n").is_empty());
    }

    #[test]
    fn a_specification_is_preselected_from_the_fragment() {
        assert_eq!(preselected("#/analyses/new?spec=12"), Some(SpecId(12)));
        assert_eq!(preselected("#/analyses/new?x=1&spec=3"), Some(SpecId(3)));
        assert_eq!(preselected("#/analyses/new"), None);
        assert_eq!(preselected("#/analyses/new?spec=abc"), None);
    }

    #[test]
    fn errors_follow_the_form() {
        let e = |field| FieldError {
            field,
            message: String::new(),
        };
        let sorted = in_form_order(vec![
            e(Field::Certification),
            e(Field::Schedule),
            e(Field::Name),
            e(Field::Scans),
        ]);
        let fields: Vec<Field> = sorted.iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            vec![
                Field::Name,
                Field::Scans,
                Field::Schedule,
                Field::Certification
            ]
        );
    }
}
