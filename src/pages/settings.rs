//! Settings: where analyses are kept. "This browser" (the default: the
//! in-browser store, no server) or "JSON API at URL" (a server implementing
//! the contract, with an optional bearer token), a connection check that
//! says exactly what is wrong, and "Use this server" when the app is served
//! by a prescan server itself.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::components::outcome::{outcome_view, Outcome};
use crate::format::thousands;
use crate::store::http::HttpStore;
use crate::store::people::{role_list, team_label, Whoami};
use crate::store::settings::{self, normalize_base_url, ApiConfig, Backend};
use crate::store::use_store;
use prescan_core::api::{Me, TeamRef};
use prescan_core::people::Action;

/// Teams as people read them ("None" for none).
fn team_list(teams: &[TeamRef]) -> String {
    if teams.is_empty() {
        return "None".to_owned();
    }
    teams.iter().map(team_label).collect::<Vec<_>>().join(", ")
}

/// Who the token is, for the connection check: " You are ann (Creator;
/// team Payments)."
pub fn who_sentence(me: &Me) -> String {
    let mut parts = vec![role_list(&me.roles)];
    if !me.teams.is_empty() {
        parts.push(format!(
            "team{} {}",
            if me.teams.len() == 1 { "" } else { "s" },
            team_list(&me.teams)
        ));
    }
    format!(" You are {} ({}).", me.user_display_name, parts.join("; "))
}

/// What the user's roles do not let them do, as a sentence ("" if
/// nothing).
fn not_allowed(me: &Me) -> String {
    let principal = me.principal();
    let refused: Vec<&str> = Action::ALL
        .into_iter()
        .filter(|a| principal.may(*a).is_err())
        .map(Action::label)
        .collect();
    if refused.is_empty() {
        "Your roles let you do everything.".to_owned()
    } else {
        format!("Your roles do not let you {}.", refused.join("; "))
    }
}

/// Who the app acts as on the server: name, roles, teams; or why the
/// server could not say, with a way to ask again.
fn account_panel(whoami: Whoami, ask: impl Fn() + Copy + Send + 'static) -> AnyView {
    let body = match whoami {
        Whoami::Known(me) => {
            let shares_more = me.shareable_teams != me.teams;
            view! {
                <dl class="summary" data-testid="me">
                    <div><dt>"Name"</dt><dd data-testid="me-name" class="break">{me.user_display_name.clone()}</dd></div>
                    <div><dt>"Roles"</dt><dd data-testid="me-roles">{role_list(&me.roles)}</dd></div>
                    <div><dt>"Teams"</dt><dd data-testid="me-teams">{team_list(&me.teams)}</dd></div>
                    {shares_more.then(|| view! {
                        <div><dt>"You can share with"</dt><dd data-testid="me-shareable">{team_list(&me.shareable_teams)}</dd></div>
                    })}
                    {me.email.clone().map(|e| view! {
                        <div><dt>"E-mail notifications"</dt><dd data-testid="me-email" class="break">{e}</dd></div>
                    })}
                </dl>
                <p class="hint" data-testid="me-not-allowed">{not_allowed(&me)}</p>
            }
            .into_any()
        }
        Whoami::Asking => {
            view! { <p class="muted" role="status" data-testid="me-asking">"Asking the server who you are\u{2026}"</p> }.into_any()
        }
        Whoami::NoProfile => view! {
            <p class="hint" data-testid="me-none">
                "This server does not say who you are (it predates users and roles): it lets every call do everything."
            </p>
        }
        .into_any(),
        Whoami::Failed { message, .. } => view! {
            <div class="alert alert--error" role="alert" data-testid="me-error">
                <p>{on_settings(message)}</p>
                <button type="button" class="button button--secondary" data-testid="me-retry" on:click=move |_| ask()>
                    "Ask again"
                </button>
            </div>
        }
        .into_any(),
        Whoami::Browser => return ().into_any(),
    };
    view! {
        <section class="panel" aria-labelledby="me-heading" data-testid="me-panel">
            <h2 id="me-heading">"Who you are on this server"</h2>
            {body}
        </section>
    }
    .into_any()
}

/// The base URL of the folder the app is served from
/// (`http://127.0.0.1:8088/tools/prescan/` → `http://127.0.0.1:8088/tools/prescan`).
fn own_base_url() -> Option<String> {
    let href = web_sys::window()?.location().href().ok()?;
    let url = web_sys::Url::new_with_base("./", &href).ok()?;
    let base = url.href();
    Some(base.trim_end_matches('/').to_owned())
}

/// An error as Settings shows it: the messages other pages end with "in
/// Settings" point to the field on this page instead.
pub fn on_settings(message: String) -> String {
    message
        .replace(
            "Check the bearer token in Settings.",
            "Check the Bearer token field above.",
        )
        .replace(
            "Enter it in Settings.",
            "Enter it in the Bearer token field above.",
        )
}

/// Checks the server: its health (no token), then a list with the token.
async fn check(base: String, token: Option<String>) -> Result<String, String> {
    let http = HttpStore::new(base.clone(), token.clone());
    let health = http
        .health()
        .await
        .map_err(|e| on_settings(e.to_string()))?;
    if health.status != "ok" {
        return Err(format!(
            "The server at {base} answered, but says its status is \u{201c}{}\u{201d} rather than ok.",
            health.status
        ));
    }
    let total = http
        .check_access()
        .await
        .map_err(|e| on_settings(e.to_string()))?;
    let token_text = if token.is_some() {
        " The token was accepted."
    } else {
        " No token was needed."
    };
    // Who the token is (a server from before users has no /me: nothing).
    let who = http
        .me()
        .await
        .map(|me| who_sentence(&me))
        .unwrap_or_default();
    Ok(format!(
        "Connected to the prescan server at {base} (version {}): {} {} {} visible to you.{token_text}{who}",
        health.version,
        thousands(total),
        if total == 1 { "analysis" } else { "analyses" },
        if total == 1 { "is" } else { "are" },
    ))
}

/// The Settings page.
#[component]
pub fn SettingsPage() -> impl IntoView {
    let app = use_store();
    let current = app.backend.get_untracked();
    let (use_api, url, token) = match &current {
        Backend::Browser => (
            false,
            settings::remembered_url().unwrap_or_default(),
            String::new(),
        ),
        Backend::Api(api) => (
            true,
            api.base_url.clone(),
            api.token.clone().unwrap_or_default(),
        ),
    };
    let use_api = RwSignal::new(use_api);
    let url = RwSignal::new(url);
    let token = RwSignal::new(token);
    let remember = RwSignal::new(settings::token_remembered());
    let url_error = RwSignal::new(Option::<String>::None);
    let checked = RwSignal::new(Option::<Outcome>::None);
    let saved = RwSignal::new(Option::<Outcome>::None);
    // The app's own server, when it is a prescan server.
    let own = RwSignal::new(Option::<String>::None);
    if let Some(base) = own_base_url() {
        spawn_local(async move {
            let http = HttpStore::new(base.clone(), None);
            if matches!(http.health().await, Ok(h) if h.status == "ok") {
                own.try_set(Some(base));
            }
        });
    }

    // The API settings typed, checked; the URL's problem is shown by its field.
    let typed = move || -> Option<ApiConfig> {
        match normalize_base_url(&url.get_untracked()) {
            Ok(base_url) => {
                url_error.set(None);
                let t = token.get_untracked().trim().to_owned();
                Some(ApiConfig {
                    base_url,
                    token: (!t.is_empty()).then_some(t),
                })
            }
            Err(message) => {
                url_error.set(Some(message));
                None
            }
        }
    };

    let run_check = move || {
        saved.set(None);
        let Some(api) = typed() else {
            checked.set(None);
            return;
        };
        checked.set(Some(Outcome::Working(format!(
            "Checking {}\u{2026}",
            api.base_url
        ))));
        spawn_local(async move {
            let outcome = match check(api.base_url, api.token).await {
                Ok(text) => Outcome::Done(text),
                Err(text) => Outcome::Failed(text),
            };
            checked.try_set(Some(outcome));
        });
    };

    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        checked.set(None);
        let backend = if use_api.get_untracked() {
            match typed() {
                Some(api) => Backend::Api(api),
                None => {
                    saved.set(Some(Outcome::Failed(
                        "Nothing was saved: correct the server's URL first.".into(),
                    )));
                    return;
                }
            }
        } else {
            url_error.set(None);
            Backend::Browser
        };
        let result = settings::save(&backend, remember.get_untracked());
        let label = backend.label();
        let is_api = backend.is_api();
        if let Backend::Api(api) = &backend {
            url.set(api.base_url.clone());
        }
        app.set_backend(backend);
        saved.set(Some(match result {
            Ok(()) if is_api => Outcome::Done(format!(
                "Saved. Analyses are now loaded from {label}. Check the connection if the lists stay empty."
            )),
            Ok(()) => Outcome::Done(
                "Saved. Analyses are now kept in this browser.".into(),
            ),
            Err(e) => Outcome::Failed(format!(
                "In use for this visit only: {e}"
            )),
        }));
    };

    let use_own = move |_| {
        if let Some(base) = own.get_untracked() {
            use_api.set(true);
            url.set(base);
            url_error.set(None);
            run_check();
        }
    };

    let api_fields_disabled = move || !use_api.get();
    let active = move || app.backend.with(Backend::label);

    view! {
        <h1>"Settings"</h1>
        <p class="lead">
            "Currently, analyses are kept in: "
            <strong data-testid="settings-active">{active}</strong>
            "."
        </p>
        <form class="panel settings-form" data-testid="settings-form" novalidate on:submit=save>
            <fieldset class="form-group">
                <legend>"Where analyses are kept"</legend>
                <label class="choice" for="settings-backend-browser">
                    <input type="radio" name="settings-backend" id="settings-backend-browser" value="browser"
                        data-testid="settings-backend-browser"
                        prop:checked=move || !use_api.get()
                        on:change=move |_| use_api.set(false) />
                    " This browser"
                </label>
                <p class="hint choice__hint">
                    "The default. Analyses are kept in this browser (IndexedDB) and a simulated scan engine moves them on; nothing is sent anywhere. Demo data works here only; export and import work here and, for its security leads, with a server. You are its only user, with every role."
                </p>
                <label class="choice" for="settings-backend-api">
                    <input type="radio" name="settings-backend" id="settings-backend-api" value="api"
                        data-testid="settings-backend-api"
                        prop:checked=move || use_api.get()
                        on:change=move |_| use_api.set(true) />
                    " JSON API at URL"
                </label>
                <p class="hint choice__hint">
                    "A prescan server (or any server implementing its JSON API contract) keeps the analyses, runs them and runs prescans. Specifications you add are uploaded to it."
                </p>
                {move || own.get().map(|base| view! {
                    <p class="settings-own">
                        <button type="button" class="button button--secondary" data-testid="settings-use-this-server" on:click=use_own>
                            "Use this server"
                        </button>
                        " " <span class="hint">{format!("This app is served by a prescan server at {base}.")}</span>
                    </p>
                })}
                <div class="settings-api" data-testid="settings-api-fields" aria-disabled=move || api_fields_disabled().to_string()>
                    <div class="field">
                        <label for="settings-url">"Server URL"</label>
                        <p class="hint" id="settings-url-hint">"http:// or https://, such as https://prescan.example.com or http://127.0.0.1:8088. The app calls its /api/v1/ paths."</p>
                        {move || url_error.get().map(|m| view! {
                            <p class="field-error" id="settings-url-error" data-testid="settings-url-error">
                                <span class="visually-hidden">"Error: "</span>{m}
                            </p>
                        })}
                        <input type="url" id="settings-url" class="input--wide" data-testid="settings-url"
                            autocomplete="url" spellcheck="false" inputmode="url"
                            prop:disabled=api_fields_disabled
                            aria-invalid=move || url_error.with(Option::is_some).then_some("true")
                            aria-describedby=move || if url_error.with(Option::is_some) { "settings-url-hint settings-url-error" } else { "settings-url-hint" }
                            prop:value=move || url.get()
                            on:input=move |ev| url.set(event_target_value(&ev)) />
                    </div>
                    <div class="field">
                        <label for="settings-token">"Bearer token (optional)"</label>
                        <p class="hint" id="settings-token-hint">"Only if the server was started with a token. It is sent as Authorization: Bearer to this server only."</p>
                        <input type="password" id="settings-token" class="input--wide" data-testid="settings-token"
                            autocomplete="off" spellcheck="false" aria-describedby="settings-token-hint"
                            prop:disabled=api_fields_disabled
                            prop:value=move || token.get()
                            on:input=move |ev| token.set(event_target_value(&ev)) />
                    </div>
                    <div class="field">
                        <label class="choice" for="settings-remember-token">
                            <input type="checkbox" id="settings-remember-token" data-testid="settings-remember-token"
                                aria-describedby="settings-remember-hint"
                                prop:disabled=api_fields_disabled
                                prop:checked=move || remember.get()
                                on:change=move |ev| remember.set(event_target_checked(&ev)) />
                            " Remember the token on this device"
                        </label>
                        <p class="hint" id="settings-remember-hint">
                            "Unticked, the token is kept for this tab only (sessionStorage) and forgotten when you close it. Ticked, it is kept in this browser's localStorage, where anyone using this device profile can read it."
                        </p>
                    </div>
                    <div class="form-actions">
                        <button type="button" class="button button--secondary" data-testid="settings-check"
                            prop:disabled=api_fields_disabled
                            on:click=move |_| run_check()>
                            "Check connection"
                        </button>
                    </div>
                    {move || outcome_view(checked.get(), "settings-check-result")}
                </div>
            </fieldset>
            <div class="form-actions">
                <button type="submit" class="button" data-testid="settings-save">"Save"</button>
            </div>
            {move || outcome_view(saved.get(), "settings-saved")}
        </form>
        {move || account_panel(app.whoami.get(), move || app.ask_whoami())}
    }
}
