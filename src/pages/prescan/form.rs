//! The Run prescan form: what is typed (the target server, the rate, the
//! credentials), how it is read, and the form itself.

use leptos::prelude::*;
use prescan_core::analysis::SpecScan;
use prescan_core::oauth::{ClientAuth, OAuth, OAuthGrant};
use prescan_core::prescan::Origin;

use super::details::Page;
use super::results;
use crate::components::icon::{Icon, IconKind};
use crate::components::scan_config::Pairs;
use crate::store::people::{refusal, use_principal};
use crate::store::settings::Backend;

/// The custom headers typed one per line as `Name: value`; blank lines are
/// ignored. `Err` names the first line that is not a header.
pub fn parse_headers(text: &str) -> Result<Vec<(String, String)>, String> {
    let mut headers = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match line.split_once(':') {
            // The core's rule for header names, as the conversion applies it.
            Some((name, value)) => match prescan_core::validate_header_name(name.trim()) {
                Ok(()) => headers.push((name.trim().to_owned(), value.trim().to_owned())),
                Err(why) => return Err(format!("Line {} of the custom headers: {why}", i + 1)),
            },
            None => {
                return Err(format!(
                    "Line {} of the custom headers is not a header. Write one header per line as Name: value, such as X-API-Key: 1234.",
                    i + 1
                ))
            }
        }
    }
    Ok(headers)
}

/// The target server typed: a fully-qualified `http` or `https` URL.
pub fn check_base_url(text: &str) -> Result<String, String> {
    let url = text.trim();
    if url.is_empty() {
        return Err("Enter the target server's base URL, such as http://127.0.0.1:4010.".into());
    }
    // The scan configuration's rule (the core's reading of an origin).
    match crate::components::scan_config::base_url_problem(url) {
        None => Ok(url.to_owned()),
        Some(problem) => Err(problem),
    }
}

/// The requests per second typed: a positive number.
pub fn parse_rate(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(r) if r.is_finite() && r > 0.0 => Ok(r),
        _ => Err("Enter the requests per second as a number greater than 0, such as 10.".into()),
    }
}

/// The server a scan is configured with, when it is fully-qualified (else
/// empty: the user types one).
pub fn default_base_url(spec: &SpecScan) -> String {
    spec.server
        .iter()
        .chain(spec.servers.iter())
        .find(|s| Origin::of(s).is_some())
        .cloned()
        .unwrap_or_default()
}

/// What the form holds, as typed.
#[derive(Clone, Copy)]
pub(super) struct Form {
    pub(super) base_url: RwSignal<String>,
    pub(super) rate: RwSignal<String>,
    pub(super) allow_unsafe: RwSignal<bool>,
    pub(super) bearer: RwSignal<String>,
    pub(super) basic_user: RwSignal<String>,
    pub(super) basic_password: RwSignal<String>,
    pub(super) custom: RwSignal<String>,
    /// API keys, by the name of their security scheme.
    pub(super) api_keys: Pairs,
    pub(super) cookies: Pairs,
    /// The User-Agent typed (empty: the runner's default).
    pub(super) user_agent: RwSignal<String>,
    pub(super) oauth: OAuthForm,
}

/// The OAuth 2.0 fields, as typed.
#[derive(Clone, Copy)]
pub(super) struct OAuthForm {
    pub(super) on: RwSignal<bool>,
    pub(super) password_grant: RwSignal<bool>,
    pub(super) token_url: RwSignal<String>,
    pub(super) discovery_url: RwSignal<String>,
    pub(super) client_id: RwSignal<String>,
    pub(super) client_secret: RwSignal<String>,
    pub(super) scopes: RwSignal<String>,
    pub(super) user: RwSignal<String>,
    pub(super) password: RwSignal<String>,
    pub(super) client_auth: RwSignal<ClientAuth>,
}

impl OAuthForm {
    /// The fields, filled from a stored configuration.
    pub(super) fn new(start: Option<&OAuth>) -> OAuthForm {
        let (user, password) = match start.map(|o| &o.grant) {
            Some(OAuthGrant::Password {
                user_name,
                password,
            }) => (user_name.clone(), password.clone()),
            _ => (String::new(), String::new()),
        };
        OAuthForm {
            on: RwSignal::new(start.is_some()),
            password_grant: RwSignal::new(matches!(
                start.map(|o| &o.grant),
                Some(OAuthGrant::Password { .. })
            )),
            token_url: RwSignal::new(start.map(|o| o.token_url.clone()).unwrap_or_default()),
            discovery_url: RwSignal::new(
                start
                    .and_then(|o| o.discovery_url.clone())
                    .unwrap_or_default(),
            ),
            client_id: RwSignal::new(start.map(|o| o.client_id.clone()).unwrap_or_default()),
            client_secret: RwSignal::new(
                start.map(|o| o.client_secret.clone()).unwrap_or_default(),
            ),
            scopes: RwSignal::new(start.map(|o| o.scopes.clone()).unwrap_or_default()),
            user: RwSignal::new(user),
            password: RwSignal::new(password),
            client_auth: RwSignal::new(start.map(|o| o.client_auth).unwrap_or_default()),
        }
    }

    /// The configuration typed (`None` when OAuth 2.0 is off). The token
    /// URL may be empty: the specification's is used then.
    pub(super) fn typed(&self) -> Option<OAuth> {
        if !self.on.get_untracked() {
            return None;
        }
        let discovery = self.discovery_url.get_untracked().trim().to_owned();
        Some(OAuth {
            grant: if self.password_grant.get_untracked() {
                OAuthGrant::Password {
                    user_name: self.user.get_untracked().trim().to_owned(),
                    password: self.password.get_untracked(),
                }
            } else {
                OAuthGrant::ClientCredentials
            },
            token_url: self.token_url.get_untracked().trim().to_owned(),
            discovery_url: (!discovery.is_empty()).then_some(discovery),
            client_id: self.client_id.get_untracked().trim().to_owned(),
            client_secret: self.client_secret.get_untracked(),
            scopes: self.scopes.get_untracked().trim().to_owned(),
            client_auth: self.client_auth.get_untracked(),
        })
    }
}

/// The OAuth 2.0 configuration with its token URL taken from the
/// specification's security schemes when none was typed, checked: the
/// core's sentences (they never quote a secret).
pub fn complete_oauth(
    mut oauth: OAuth,
    schemes: &[prescan_core::SecuritySchemeInfo],
    base: &str,
) -> Result<OAuth, Vec<String>> {
    if oauth.token_url.is_empty() && oauth.discovery_url.is_none() {
        if let Some(p) = prescan_core::oauth::token_url_from_spec(schemes, Some(base)) {
            oauth.token_url = p.token_url;
            oauth.discovery_url = p.discovery_url;
        }
    }
    oauth.validate().map(|()| oauth)
}

/// The OAuth 2.0 part of the credentials.
fn oauth_fields(f: OAuthForm) -> impl IntoView {
    let text_field = |id: &'static str,
                      label: &'static str,
                      kind: &'static str,
                      signal: RwSignal<String>,
                      hint: Option<&'static str>| {
        let hint_id = format!("{id}-hint");
        view! {
            <label for=id>{label}</label>
            {hint.map(|h| view! { <p class="hint" id=hint_id.clone()>{h}</p> })}
            <input id=id type=kind autocomplete="off" data-testid=id
                aria-describedby=hint.map(|_| hint_id.clone())
                prop:value=move || signal.get()
                on:input=move |ev| signal.set(event_target_value(&ev)) />
        }
    };
    let style = |value: ClientAuth, label: &'static str, testid: &'static str| {
        view! {
            <label class="choice">
                <input type="radio" name="prescan-oauth-client-auth" data-testid=testid
                    prop:checked=move || f.client_auth.get() == value
                    on:change=move |_| f.client_auth.set(value) />
                " " {label}
            </label>
        }
    };
    view! {
        <h3 class="subheading">"OAuth 2.0"</h3>
        <label class="checkbox">
            <input type="checkbox" data-testid="prescan-oauth"
                prop:checked=move || f.on.get()
                on:change=move |ev| f.on.set(event_target_checked(&ev)) />
            " Get a token from an OAuth 2.0 server and send it as a bearer token"
        </label>
        <div hidden=move || !f.on.get() data-testid="prescan-oauth-fields">
            <fieldset class="field">
                <legend>"Grant"</legend>
                <label class="choice">
                    <input type="radio" name="prescan-oauth-grant" data-testid="prescan-oauth-grant-client"
                        prop:checked=move || !f.password_grant.get()
                        on:change=move |_| f.password_grant.set(false) />
                    " Client Credentials"
                </label>
                <label class="choice">
                    <input type="radio" name="prescan-oauth-grant" data-testid="prescan-oauth-grant-password"
                        prop:checked=move || f.password_grant.get()
                        on:change=move |_| f.password_grant.set(true) />
                    " Password Credentials"
                </label>
            </fieldset>
            {text_field("prescan-oauth-token-url", "Token URL", "url", f.token_url,
                Some("Leave it empty to use the token URL of the specification's client credentials or password flow (filled in here when the prescan runs). The token endpoint must allow this page's origin (CORS); otherwise run the prescan on the server."))}
            {text_field("prescan-oauth-discovery-url", "OpenID Connect discovery URL", "url", f.discovery_url,
                Some("Optional, instead of the token URL: the .well-known/openid-configuration document that names the token endpoint."))}
            {text_field("prescan-oauth-client-id", "Client id", "text", f.client_id, None)}
            {text_field("prescan-oauth-client-secret", "Client secret", "password", f.client_secret, None)}
            {text_field("prescan-oauth-scopes", "Scopes", "text", f.scopes, Some("Optional. Separate scopes with spaces."))}
            <div hidden=move || !f.password_grant.get()>
                {text_field("prescan-oauth-user", "User name", "text", f.user, None)}
                {text_field("prescan-oauth-password", "Password", "password", f.password, None)}
            </div>
            <fieldset class="field">
                <legend>"Client authentication"</legend>
                {style(ClientAuth::Auto, "Automatic (HTTP Basic, then in the request body if refused)", "prescan-oauth-auth-auto")}
                {style(ClientAuth::Basic, "HTTP Basic", "prescan-oauth-auth-basic")}
                {style(ClientAuth::Body, "In the request body", "prescan-oauth-auth-body")}
            </fieldset>
        </div>
    }
}

/// The User-Agent typed: `None` when empty, else checked by the core's
/// rule (visible ASCII and spaces, at most 256 characters).
pub fn parse_user_agent(text: &str) -> Result<Option<String>, String> {
    if text.is_empty() {
        return Ok(None);
    }
    prescan_core::prescan::validate_user_agent(text).map(|()| Some(text.to_owned()))
}

/// The note of a browser prescan given a User-Agent: the browser sent its
/// own.
pub fn browser_user_agent_note(ua: &str) -> String {
    format!(
        "The User-Agent `{ua}` was not sent: a browser sends its own and does not let a page change it. The server prescan and `prescan run --user-agent` send the one you give."
    )
}

/// The Run prescan section: the form's errors, where a server sends the
/// requests, the form, and the progress.
pub(super) fn run_panel(
    page: Page,
    scan_server: &Option<String>,
    spec: &SpecScan,
    run: impl Fn(leptos::ev::SubmitEvent) + 'static,
    cancel: impl Fn(leptos::ev::MouseEvent) + Copy + Send + 'static,
) -> impl IntoView {
    let Page {
        app,
        ui,
        on_server,
        form:
            Form {
                base_url,
                rate,
                allow_unsafe,
                bearer,
                basic_user,
                basic_password,
                custom,
                api_keys,
                cookies,
                user_agent,
                oauth,
            },
        errors,
        converting,
        poll_error,
        ..
    } = page;
    let default_agent = prescan_core::prescan::default_user_agent(true);
    let busy = move || ui.running.get() || converting.get();
    let progress = results::progress(ui);
    // A prescan sends requests: a view-only role may look at the last one,
    // not run (or cancel) one.
    let principal = use_principal();
    let refused = Memo::new(move |_| {
        principal.with(|p| refusal(p, prescan_core::people::Action::RunPrescan))
    });

    view! {
        <section class="panel" aria-labelledby="run-heading">
            <h2 id="run-heading">"Run prescan"</h2>
            {move || (!errors.get().is_empty()).then(|| view! {
                <div class="alert alert--error" role="alert" data-testid="prescan-form-errors">
                    <ul>{errors.get().into_iter().map(|e| view! { <li>{e}</li> }).collect_view()}</ul>
                </div>
            })}
            {on_server.then(|| {
                let target = scan_server
                    .clone()
                    .or_else(|| spec.servers.first().cloned())
                    .unwrap_or_else(|| "the specification's first server".into());
                view! {
                    <p class="hint" data-testid="prescan-on-server">
                        {format!(
                            "The server at {} sends the requests to {target} with the scan's stored credentials, and keeps the result. You can leave this page: the prescan goes on.",
                            app.backend.with_untracked(Backend::label)
                        )}
                    </p>
                }
            })}
            {move || poll_error.get().map(|e| view! {
                <div class="alert alert--warning" role="alert" data-testid="prescan-poll-error"><p>{e}</p></div>
            })}
            {move || refused.get().map(|why| view! {
                <p class="notice" id="prescan-refused" data-testid="prescan-refused">{why}</p>
            })}
            <form class="prescan-form" on:submit=run novalidate=true>
                <div class="field" hidden=on_server>
                    <label for="prescan-base-url">"Target server base URL"</label>
                    <p class="hint">"Fully-qualified, with the base path, such as http://127.0.0.1:4010 or https://api.example.com/v1."</p>
                    <input id="prescan-base-url" type="url" data-testid="prescan-base-url" required=true
                        prop:value=move || base_url.get()
                        on:input=move |ev| base_url.set(event_target_value(&ev)) />
                </div>
                <div class="field" hidden=move || refused.with(Option::is_some)>
                    <label for="prescan-rate">"Requests per second"</label>
                    <input id="prescan-rate" type="number" min="0.1" max="100" step="any" data-testid="prescan-rate" inputmode="decimal"
                        prop:value=move || rate.get()
                        on:input=move |ev| rate.set(event_target_value(&ev)) />
                </div>
                <div class="field" hidden=move || refused.with(Option::is_some)>
                    <label for="prescan-user-agent">"User-Agent"</label>
                    <p class="hint" id="prescan-user-agent-hint" data-testid="prescan-user-agent-hint">
                        {if on_server {
                            format!("Optional. Sent with every request of the prescan; by default {default_agent}, which names prescan so that a firewall can allow it.")
                        } else {
                            format!(
                                "A browser sends its own User-Agent and does not let a page change it: this one is sent by the server prescan (default {default_agent}) and by prescan run --user-agent (default {}).",
                                prescan_core::prescan::default_user_agent(false)
                            )
                        }}
                    </p>
                    <input id="prescan-user-agent" type="text" data-testid="prescan-user-agent" maxlength="256"
                        autocomplete="off" spellcheck="false" placeholder=default_agent.clone()
                        aria-describedby="prescan-user-agent-hint"
                        prop:value=move || user_agent.get()
                        on:input=move |ev| user_agent.set(event_target_value(&ev)) />
                </div>
                <fieldset class="field" hidden=on_server>
                    <legend>"Credentials"</legend>
                    <p class="hint">"Used for this prescan only; they shape the requests of the HAR."</p>
                    <label for="prescan-bearer">"Bearer token"</label>
                    <input id="prescan-bearer" type="password" autocomplete="off" data-testid="prescan-bearer"
                        prop:value=move || bearer.get()
                        on:input=move |ev| bearer.set(event_target_value(&ev)) />
                    <label for="prescan-basic-user">"Basic authentication user name"</label>
                    <input id="prescan-basic-user" type="text" autocomplete="off" data-testid="prescan-basic-user"
                        prop:value=move || basic_user.get()
                        on:input=move |ev| basic_user.set(event_target_value(&ev)) />
                    <label for="prescan-basic-password">"Basic authentication password"</label>
                    <input id="prescan-basic-password" type="password" autocomplete="off" data-testid="prescan-basic-password"
                        prop:value=move || basic_password.get()
                        on:input=move |ev| basic_password.set(event_target_value(&ev)) />
                    <label for="prescan-headers">"Custom headers (one per line, Name: value)"</label>
                    <textarea id="prescan-headers" rows="3" data-testid="prescan-headers"
                        prop:value=move || custom.get()
                        on:input=move |ev| custom.set(event_target_value(&ev))></textarea>
                    <h3 class="subheading">"API keys"</h3>
                    <p class="hint">"By the name of the security scheme that says where the key goes, such as api_key (the specification's securitySchemes)."</p>
                    {api_keys.view("api-key", "Add an API key")}
                    <h3 class="subheading">"Custom cookies"</h3>
                    <p class="hint">"A browser does not let a page set cookies: a prescan from this page sends them only from the reference server. They are in the HAR either way."</p>
                    {cookies.view("cookie", "Add a cookie")}
                    <h3 class="subheading">"Client certificate"</h3>
                    <p class="hint" data-testid="prescan-client-cert-note">
                        "A browser cannot present a client certificate (PKCS#12) from a page. For a server that asks for one, run the prescan on a prescan server (a scan's client certificate, given when the analysis is created) or with "
                        <code>"prescan run --client-cert FILE.p12"</code>
                        "."
                    </p>
                    {oauth_fields(oauth)}
                </fieldset>
                <div class="field" hidden=move || refused.with(Option::is_some)>
                    <label class="checkbox">
                        <input type="checkbox" data-testid="prescan-allow-unsafe"
                            prop:checked=move || allow_unsafe.get()
                            on:change=move |ev| allow_unsafe.set(event_target_checked(&ev)) />
                        " Also send methods that may change data (POST, PUT, PATCH, DELETE)"
                    </label>
                    <p class="notice prescan-warning">
                        <Icon kind=IconKind::Warning />
                        " Warning: these requests may create, change or delete data on the server. Only allow them against a test server."
                    </p>
                </div>
                <button type="submit" data-testid="prescan-run"
                    class=move || if refused.with(Option::is_some) { "button button--unavailable" } else { "button" }
                    aria-describedby=move || refused.with(Option::is_some).then_some("prescan-refused")
                    disabled=move || busy() || refused.with(Option::is_some)>
                    {if on_server { "Run prescan on the server" } else { "Run" }}
                </button>
                " "
                {move || ui.running.get().then(|| view! {
                    <button type="button" class="button button--secondary" data-testid="prescan-cancel"
                        disabled=move || refused.with(Option::is_some) on:click=cancel>"Cancel"</button>
                })}
            </form>
            {progress}
        </section>
    }
}
