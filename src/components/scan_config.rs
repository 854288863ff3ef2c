//! The scan configuration: which server the requests go to, the values of
//! its variables or a base URL that replaces it, the credentials to send, and
//! how the HAR is written. Applying it converts the specification again.
//!
//! Credentials stay in this tab's memory: they are never stored, never put in
//! the URL, and appear only in the converted HAR.

use std::collections::BTreeMap;

use leptos::prelude::*;
use prescan_core::prescan::Origin;
use prescan_core::{
    validate_cookie_name, validate_header_name, ConvertOptions, HarStyle, ScanAuth, Server,
};

/// One name/value row of custom headers or cookies.
#[derive(Debug, Clone, Copy)]
struct Row {
    id: usize,
    name: RwSignal<String>,
    value: RwSignal<String>,
}

impl Row {
    fn new(id: usize, name: &str, value: &str) -> Row {
        Row {
            id,
            name: RwSignal::new(name.to_owned()),
            value: RwSignal::new(value.to_owned()),
        }
    }
}

/// Why a base URL cannot be used, if it cannot: the core's reading of an
/// origin (`Origin::of`, what a prescan accepts) decides.
pub fn base_url_problem(url: &str) -> Option<String> {
    let url = url.trim();
    if url.is_empty() || Origin::of(url).is_some() {
        return None;
    }
    Some(format!(
        "`{url}` is not a fully-qualified URL. Enter one with the scheme, host and base path, such as https://api.example.com/v1."
    ))
}

/// Why a cookie name cannot be used, if it cannot: the core's rule
/// ([`validate_cookie_name`]), so that no name typed here is silently left
/// out of the requests.
pub fn cookie_name_problem(name: &str) -> Option<String> {
    validate_cookie_name(name.trim()).err()
}

/// What is wrong with a custom header row (a blank row is ignored, not wrong).
fn header_problem(row: Row) -> Option<String> {
    let name = row.name.get();
    let blank = name.trim().is_empty() && row.value.with(String::is_empty);
    (!blank)
        .then(|| validate_header_name(&name).err())
        .flatten()
}

/// What is wrong with a custom cookie row (a blank row is ignored, not wrong).
fn cookie_problem(row: Row) -> Option<String> {
    let name = row.name.get();
    let blank = name.trim().is_empty() && row.value.with(String::is_empty);
    (!blank).then(|| cookie_name_problem(&name)).flatten()
}

fn rows_of(pairs: &[(String, String)], next: &mut usize) -> Vec<Row> {
    pairs
        .iter()
        .map(|(name, value)| {
            *next += 1;
            Row::new(*next, name, value)
        })
        .collect()
}

fn pairs_of(rows: &[Row]) -> Vec<(String, String)> {
    rows.iter()
        .map(|row| {
            (
                row.name.get_untracked().trim().to_owned(),
                row.value.get_untracked(),
            )
        })
        .filter(|(name, value)| !(name.is_empty() && value.is_empty()))
        .collect()
}

/// The scan configuration form for the specification on screen.
#[component]
pub fn ScanConfiguration(
    /// The specification's global servers.
    servers: Vec<Server>,
    /// The API-key security schemes of the specification, by scheme name,
    /// with where the key goes (for the label).
    api_key_schemes: Vec<(String, String)>,
    /// The configuration the HAR on screen was made with.
    applied: ConvertOptions,
    /// Called with the new configuration when the person applies it.
    on_apply: impl Fn(ConvertOptions) + 'static,
    /// True while a conversion runs.
    #[prop(into)]
    busy: Signal<bool>,
) -> impl IntoView {
    let mut next_id = 0;
    let server = RwSignal::new(
        applied
            .server
            .unwrap_or(0)
            .min(servers.len().saturating_sub(1)),
    );
    let variables = RwSignal::new(applied.server_variables.clone());
    let base_url = RwSignal::new(applied.base_url.clone().unwrap_or_default());
    let bearer = RwSignal::new(applied.auth.bearer.clone().unwrap_or_default());
    let (user, password) = applied.auth.basic.clone().unwrap_or_default();
    let basic_user = RwSignal::new(user);
    let basic_password = RwSignal::new(password);
    let api_keys = RwSignal::new(applied.auth.api_keys.clone());
    let headers = RwSignal::new(rows_of(&applied.auth.custom_headers, &mut next_id));
    let cookies = RwSignal::new(rows_of(&applied.auth.custom_cookies, &mut next_id));
    let next_id = StoredValue::new(next_id);
    let har_style = RwSignal::new(applied.har_style);
    // Not a field of the form: the budget the app converts with stays.
    let limits = applied.limits;

    let new_row = move || {
        next_id.update_value(|n| *n += 1);
        Row::new(next_id.get_value(), "", "")
    };

    let base_url_error = Signal::derive(move || base_url.with(|url| base_url_problem(url)));
    let invalid = Signal::derive(move || {
        base_url_error.get().is_some()
            || headers
                .get()
                .into_iter()
                .any(|row| header_problem(row).is_some())
            || cookies
                .get()
                .into_iter()
                .any(|row| cookie_problem(row).is_some())
    });

    let server_count = servers.len();
    let apply = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if invalid.get_untracked() {
            return;
        }
        let text = |signal: RwSignal<String>| {
            let value = signal.get_untracked().trim().to_owned();
            (!value.is_empty()).then_some(value)
        };
        let basic = match (text(basic_user), basic_password.get_untracked()) {
            (None, password) if password.is_empty() => None,
            (user, password) => Some((user.unwrap_or_default(), password)),
        };
        on_apply(ConvertOptions {
            base_url: text(base_url),
            server: (server_count > 1).then(|| server.get_untracked()),
            server_variables: variables.get_untracked(),
            auth: ScanAuth {
                custom_headers: pairs_of(&headers.get_untracked()),
                custom_cookies: pairs_of(&cookies.get_untracked()),
                basic,
                bearer: text(bearer),
                api_keys: api_keys
                    .get_untracked()
                    .into_iter()
                    .filter(|(_, key)| !key.is_empty())
                    .collect::<BTreeMap<_, _>>(),
            },
            har_style: har_style.get_untracked(),
            limits,
        });
    };

    let servers_for_variables = servers.clone();
    let server_choice = (server_count > 1).then(|| {
        let options = servers
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let label = match &s.description {
                    Some(d) => format!("{} — {d}", s.url),
                    None => s.url.clone(),
                };
                view! { <option value=i.to_string() selected=move || server.get() == i>{label}</option> }
            })
            .collect_view();
        view! {
            <div class="field">
                <label for="config-server">"Server"</label>
                <select
                    id="config-server"
                    data-testid="config-server"
                    on:change=move |ev| server.set(event_target_value(&ev).parse().unwrap_or(0))
                >
                    {options}
                </select>
            </div>
        }
    });
    let variable_fields = move || {
        let chosen = servers_for_variables.get(server.get()).cloned();
        chosen
            .map(|s| s.variables)
            .unwrap_or_default()
            .into_iter()
            .map(|variable| {
                let id = format!("config-variable-{}", variable.name);
                let name = variable.name.clone();
                let current = move || {
                    variables.with(|v| v.get(&name).cloned()).unwrap_or_else(|| variable.default.clone())
                };
                let name = variable.name.clone();
                let set = move |value: String| variables.update(|v| {
                    v.insert(name.clone(), value);
                });
                let input = if variable.enum_values.is_empty() {
                    view! {
                        <input id=id.clone() type="text" data-testid="config-variable"
                            prop:value=current on:input=move |ev| set(event_target_value(&ev)) />
                    }
                    .into_any()
                } else {
                    let current_value = current.clone();
                    let options = variable
                        .enum_values
                        .iter()
                        .map(|value| {
                            let selected = current_value() == *value;
                            view! { <option value=value.clone() selected=selected>{value.clone()}</option> }
                        })
                        .collect_view();
                    view! {
                        <select id=id.clone() data-testid="config-variable" on:change=move |ev| set(event_target_value(&ev))>
                            {options}
                        </select>
                    }
                    .into_any()
                };
                view! {
                    <div class="field">
                        <label for=id>"Server variable " <code>{variable.name.clone()}</code></label>
                        {input}
                        {variable.description.clone().map(|d| view! { <p class="hint">{d}</p> })}
                    </div>
                }
            })
            .collect_view()
    };

    let api_key_fields = api_key_schemes
        .into_iter()
        .map(|(scheme, place)| {
            let id = format!("config-api-key-{scheme}");
            let key = scheme.clone();
            let value = move || api_keys.with(|keys| keys.get(&key).cloned().unwrap_or_default());
            let key = scheme.clone();
            view! {
                <div class="field">
                    <label for=id.clone()>"API key for " <code>{scheme.clone()}</code> <span class="hint">{format!(" ({place})")}</span></label>
                    <input id=id type="password" autocomplete="off" data-testid="config-api-key"
                        prop:value=value
                        on:input=move |ev| api_keys.update(|keys| {
                            keys.insert(key.clone(), event_target_value(&ev));
                        }) />
                </div>
            }
        })
        .collect_view();

    let pair_rows = move |rows: RwSignal<Vec<Row>>,
                          kind: &'static str,
                          problem: fn(Row) -> Option<String>| {
        view! {
            <For each=move || rows.get() key=|row| row.id let:row>
                {
                    let error = Signal::derive(move || problem(row));
                    let error_id = format!("config-{kind}-error-{}", row.id);
                    let described = error_id.clone();
                    view! {
                        <div class="pair" data-testid=format!("config-{kind}")>
                            <input type="text" class="pair__name" aria-label=format!("{kind} name")
                                placeholder="Name" autocomplete="off" spellcheck="false"
                                aria-invalid=move || error.get().is_some().to_string()
                                aria-describedby=described
                                prop:value=move || row.name.get()
                                on:input=move |ev| row.name.set(event_target_value(&ev)) />
                            <input type="password" class="pair__value" aria-label=format!("{kind} value")
                                placeholder="Value" autocomplete="off"
                                prop:value=move || row.value.get()
                                on:input=move |ev| row.value.set(event_target_value(&ev)) />
                            <button type="button" class="button button--link"
                                on:click=move |_| rows.update(|all| all.retain(|r| r.id != row.id))>
                                "Remove"
                            </button>
                            <p class="field-error" id=error_id data-testid="config-field-error">{move || error.get()}</p>
                        </div>
                    }
                }
            </For>
        }
    };
    view! {
        <form class="config" on:submit=apply data-testid="scan-config" novalidate>
            <fieldset>
                <legend>"Server"</legend>
                {server_choice}
                {variable_fields}
                <div class="field">
                    <label for="config-base-url">"Base URL"</label>
                    <p class="hint" id="config-base-url-hint">
                        "Optional. A fully-qualified URL, base path included, that replaces the specification's servers (required when they are relative or missing)."
                    </p>
                    <input id="config-base-url" type="url" data-testid="config-base-url" placeholder="https://api.example.com/v1"
                        aria-describedby="config-base-url-hint config-base-url-error"
                        aria-invalid=move || base_url_error.get().is_some().to_string()
                        prop:value=move || base_url.get()
                        on:input=move |ev| base_url.set(event_target_value(&ev)) />
                    <p class="field-error" id="config-base-url-error" data-testid="config-field-error">{move || base_url_error.get()}</p>
                </div>
            </fieldset>
            <fieldset>
                <legend>"Authentication"</legend>
                <p class="hint">"Used in place of the placeholders. Kept only in this tab, never stored; they appear in the converted HAR."</p>
                <div class="field">
                    <label for="config-bearer">"Bearer token"</label>
                    <input id="config-bearer" type="password" autocomplete="off" data-testid="config-bearer"
                        prop:value=move || bearer.get() on:input=move |ev| bearer.set(event_target_value(&ev)) />
                </div>
                <div class="field-row">
                    <div class="field">
                        <label for="config-basic-user">"Basic user name"</label>
                        <input id="config-basic-user" type="text" autocomplete="off" data-testid="config-basic-user"
                            prop:value=move || basic_user.get() on:input=move |ev| basic_user.set(event_target_value(&ev)) />
                    </div>
                    <div class="field">
                        <label for="config-basic-password">"Basic password"</label>
                        <input id="config-basic-password" type="password" autocomplete="off" data-testid="config-basic-password"
                            prop:value=move || basic_password.get() on:input=move |ev| basic_password.set(event_target_value(&ev)) />
                    </div>
                </div>
                {api_key_fields}
                <h3 class="subheading">"Custom headers"</h3>
                {pair_rows(headers, "header", header_problem)}
                <button type="button" class="button button--secondary" data-testid="config-add-header"
                    on:click=move |_| headers.update(|rows| rows.push(new_row()))>"Add a header"</button>
                <h3 class="subheading">"Custom cookies"</h3>
                {pair_rows(cookies, "cookie", cookie_problem)}
                <button type="button" class="button button--secondary" data-testid="config-add-cookie"
                    on:click=move |_| cookies.update(|rows| rows.push(new_row()))>"Add a cookie"</button>
            </fieldset>
            <fieldset>
                <legend>"HAR style"</legend>
                <label class="choice">
                    <input type="radio" name="har-style" data-testid="config-style-concrete"
                        prop:checked=move || har_style.get() == HarStyle::Concrete
                        on:change=move |_| har_style.set(HarStyle::Concrete) />
                    " Concrete URLs " <span class="hint">"(values in the URL; opens in a browser's network panel)"</span>
                </label>
                <label class="choice">
                    <input type="radio" name="har-style" data-testid="config-style-veracode"
                        prop:checked=move || har_style.get() == HarStyle::Veracode
                        on:change=move |_| har_style.set(HarStyle::Veracode) />
                    " Veracode style " <span class="hint">"(path templates such as {petId} kept; values in each entry's comment)"</span>
                </label>
            </fieldset>
            <button type="submit" class="button" data-testid="config-apply" disabled=move || invalid.get() || busy.get()>
                "Apply and convert again"
            </button>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_must_be_fully_qualified() {
        assert_eq!(
            base_url_problem(""),
            None,
            "empty means: use the specification's servers"
        );
        assert_eq!(base_url_problem("https://api.example.com/v1"), None);
        assert_eq!(base_url_problem(" http://localhost:8080 "), None);
        for bad in [
            "/v1",
            "api.example.com",
            "ftp://x",
            "https://",
            "https:///v1",
            "https://a b",
        ] {
            let problem = base_url_problem(bad).unwrap_or_default();
            assert!(problem.contains("fully-qualified"), "{bad}: {problem}");
        }
    }

    /// Whether the core's conversion keeps a custom header and a custom
    /// cookie of these names (it reports the ones it leaves out).
    fn core_keeps(header: &str, cookie: &str) -> (bool, bool) {
        let spec = r#"{"openapi":"3.0.3","info":{"title":"T","version":"1"},"servers":[{"url":"https://api.example.com"}],"paths":{"/a":{"get":{"responses":{"200":{"description":"ok"}}}}}}"#;
        let options = ConvertOptions {
            auth: ScanAuth {
                custom_headers: vec![(header.into(), "1".into())],
                custom_cookies: vec![(cookie.into(), "1".into())],
                ..ScanAuth::default()
            },
            ..ConvertOptions::default()
        };
        let conversion = prescan_core::convert("t.json", spec.as_bytes(), &options).unwrap();
        let left_out = |what: &str| {
            conversion
                .spec
                .diagnostics
                .iter()
                .any(|d| d.message.starts_with(what))
        };
        (
            !left_out("Custom header left out"),
            !left_out("Custom cookie"),
        )
    }

    /// The form refuses exactly what the conversion would leave out: a
    /// name accepted here is sent, a name refused here would not be.
    #[test]
    fn the_form_and_the_conversion_agree_on_names() {
        let names = [
            "session",
            "X-API-Key",
            "a=b",
            "a;b",
            "a b",
            "a,b",
            "qu\"ote",
            "caf\u{e9}",
            "tab\there",
            "Host",
            "Content-Length",
            "x:",
            "!#$%&'*+-.^_`|~",
            "(paren)",
            "a/b",
            "Cookie",
            "",
        ];
        for name in names {
            let (header_kept, cookie_kept) = core_keeps(name, name);
            let row = Row {
                id: 0,
                name: RwSignal::new(name.to_owned()),
                value: RwSignal::new("1".to_owned()),
            };
            if !name.is_empty() {
                assert_eq!(
                    header_problem(row).is_none(),
                    header_kept,
                    "header {name:?}"
                );
            }
            // A line `Name: value` cannot hold a name with a colon (`x:: 1`
            // is the header x with the value `: 1`).
            if !name.is_empty() && !name.contains(':') {
                assert_eq!(
                    crate::pages::prescan::parse_headers(&format!("{name}: 1")).is_ok(),
                    header_kept,
                    "Prescan page header {name:?}"
                );
            }
            assert_eq!(
                cookie_name_problem(name).is_none(),
                cookie_kept,
                "cookie {name:?}"
            );
        }
    }

    #[test]
    fn cookie_names_hold_no_separators() {
        assert_eq!(cookie_name_problem("session_id"), None);
        assert!(cookie_name_problem("").is_some());
        for bad in ["a=b", "a;b", "a b", "a,b"] {
            assert!(cookie_name_problem(bad).is_some(), "{bad}");
        }
    }
}
