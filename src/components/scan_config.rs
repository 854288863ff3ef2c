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

    /// A row with neither name nor value is ignored, not wrong.
    fn is_blank(self) -> bool {
        self.name.with(|n| n.trim().is_empty()) && self.value.with(String::is_empty)
    }
}

/// Name/value rows typed by the person (custom headers, cookies, API keys
/// by scheme name), with what is wrong with each.
#[derive(Debug, Clone, Copy)]
pub struct Pairs {
    rows: RwSignal<Vec<Row>>,
    next: StoredValue<usize>,
    problem: fn(&str) -> Option<String>,
}

impl Pairs {
    /// Rows holding `pairs`; `problem` says what is wrong with a name.
    pub fn new(pairs: &[(String, String)], problem: fn(&str) -> Option<String>) -> Pairs {
        let rows = pairs
            .iter()
            .enumerate()
            .map(|(i, (name, value))| Row::new(i + 1, name, value))
            .collect::<Vec<_>>();
        Pairs {
            next: StoredValue::new(rows.len()),
            rows: RwSignal::new(rows),
            problem,
        }
    }

    fn add(self) {
        self.next.update_value(|n| *n += 1);
        let id = self.next.get_value();
        self.rows.update(|rows| rows.push(Row::new(id, "", "")));
    }

    fn row_problem(self, row: Row) -> Option<String> {
        (!row.is_blank())
            .then(|| row.name.with(|n| (self.problem)(n.trim())))
            .flatten()
    }

    /// Whether a row is wrong (tracked).
    pub fn invalid(self) -> bool {
        self.rows
            .get()
            .into_iter()
            .any(|row| self.row_problem(row).is_some())
    }

    /// The rows that are not blank, names trimmed (tracked: a draft follows them).
    pub fn pairs(self) -> Vec<(String, String)> {
        self.rows.with(|rows| {
            rows.iter()
                .map(|row| (row.name.get().trim().to_owned(), row.value.get()))
                .filter(|(name, value)| !(name.is_empty() && value.is_empty()))
                .collect()
        })
    }

    /// The rows, each with its name and value inputs, a Remove button and
    /// what is wrong with it, then the Add button.
    pub fn view(self, kind: &'static str, add_label: &'static str) -> impl IntoView {
        view! {
            <For each=move || self.rows.get() key=|row| row.id let:row>
                {
                    let error = Signal::derive(move || self.row_problem(row));
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
                                on:click=move |_| self.rows.update(|all| all.retain(|r| r.id != row.id))>
                                "Remove"
                            </button>
                            <p class="field-error" id=error_id data-testid="config-field-error">{move || error.get()}</p>
                        </div>
                    }
                }
            </For>
            <button type="button" class="button button--secondary" data-testid=format!("config-add-{kind}")
                on:click=move |_| self.add()>{add_label}</button>
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

/// What is wrong with a custom header's name.
pub fn header_name_problem(name: &str) -> Option<String> {
    validate_header_name(name).err()
}

/// What is wrong with the name of an API key's security scheme.
pub fn scheme_name_problem(name: &str) -> Option<String> {
    name.is_empty().then(|| {
        "Enter the name of the API key's security scheme, as the specification's securitySchemes name it.".to_owned()
    })
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
    /// Where what is typed and not applied yet is kept, so that it is there
    /// when the form is drawn again (after another page); the form starts
    /// from it when it holds something.
    #[prop(optional_no_strip)]
    draft: Option<RwSignal<Option<ConvertOptions>>>,
) -> impl IntoView {
    let start = draft
        .and_then(|d| d.get_untracked())
        .unwrap_or_else(|| applied.clone());
    let server = RwSignal::new(
        start
            .server
            .unwrap_or(0)
            .min(servers.len().saturating_sub(1)),
    );
    let variables = RwSignal::new(start.server_variables.clone());
    let base_url = RwSignal::new(start.base_url.clone().unwrap_or_default());
    let bearer = RwSignal::new(start.auth.bearer.clone().unwrap_or_default());
    let (user, password) = start.auth.basic.clone().unwrap_or_default();
    let basic_user = RwSignal::new(user);
    let basic_password = RwSignal::new(password);
    let api_keys = RwSignal::new(start.auth.api_keys.clone());
    let headers = Pairs::new(&start.auth.custom_headers, header_name_problem);
    let cookies = Pairs::new(&start.auth.custom_cookies, cookie_name_problem);
    let har_style = RwSignal::new(start.har_style);
    let oauth = StoredValue::new(start.auth.oauth.clone());
    // Not a field of the form: the budget the app converts with stays.
    let limits = applied.limits;
    // Not fields of this form either: the scope and the values applied.
    let kept = StoredValue::new(ConvertOptions {
        scope: applied.scope.clone(),
        har_scope: applied.har_scope,
        values: applied.values.clone(),
        ..ConvertOptions::default()
    });

    let base_url_error = Signal::derive(move || base_url.with(|url| base_url_problem(url)));
    let invalid = Signal::derive(move || {
        base_url_error.get().is_some() || headers.invalid() || cookies.invalid()
    });

    let server_count = servers.len();
    // What the form holds, as the configuration it would apply (tracked).
    let typed = move || {
        let text = |signal: RwSignal<String>| {
            let value = signal.get().trim().to_owned();
            (!value.is_empty()).then_some(value)
        };
        let basic = match (text(basic_user), basic_password.get()) {
            (None, password) if password.is_empty() => None,
            (user, password) => Some((user.unwrap_or_default(), password)),
        };
        ConvertOptions {
            base_url: text(base_url),
            server: (server_count > 1).then(|| server.get()),
            server_variables: variables.get(),
            auth: ScanAuth {
                custom_headers: headers.pairs(),
                custom_cookies: cookies.pairs(),
                basic,
                bearer: text(bearer),
                api_keys: api_keys
                    .get()
                    .into_iter()
                    .filter(|(_, key)| !key.is_empty())
                    .collect::<BTreeMap<_, _>>(),
                // Not typed here: the prescan's form has it.
                oauth: oauth.get_value(),
                ..ScanAuth::default()
            },
            har_style: har_style.get(),
            limits,
            // Set by their own forms (`scope_values`): kept as applied.
            scope: kept.with_value(|k| k.scope.clone()),
            har_scope: kept.with_value(|k| k.har_scope),
            values: kept.with_value(|k| k.values.clone()),
        }
    };
    // Keeps what is typed, unless it is what is applied.
    if let Some(draft) = draft {
        // `None` and `Some(0)` both mean the first server.
        let same = |a: &ConvertOptions, b: &ConvertOptions| {
            a.server.unwrap_or(0) == b.server.unwrap_or(0)
                && ConvertOptions {
                    server: None,
                    ..a.clone()
                } == ConvertOptions {
                    server: None,
                    ..b.clone()
                }
        };
        let applied = applied.clone();
        Effect::new(move |_| {
            let now = typed();
            draft.set((!same(&now, &applied)).then_some(now));
        });
    }
    let apply = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if invalid.get_untracked() {
            return;
        }
        let options = untrack(typed);
        if let Some(draft) = draft {
            draft.set(None);
        }
        on_apply(options);
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
                {headers.view("header", "Add a header")}
                <h3 class="subheading">"Custom cookies"</h3>
                {cookies.view("cookie", "Add a cookie")}
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
            let row = Pairs::new(&[(name.to_owned(), "1".to_owned())], header_name_problem);
            if !name.is_empty() {
                assert_eq!(!row.invalid(), header_kept, "header {name:?}");
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
