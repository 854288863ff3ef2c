//! The endpoint scope and the user's values, as a scan configuration sets
//! them: rules that include, exclude or ignore endpoints by tag, method or
//! path pattern (one endpoint at a time is set in the endpoints table), and
//! values for parameters and body properties typed in the line syntax or
//! imported from a JSON file (`prescan_core::values`).
//!
//! Nothing typed here is silently dropped: a rule or a line that cannot be
//! used says why, and is not applied until it is fixed; text typed and not
//! applied yet is kept in the signals the page passes ([`ScopeForm`]), so
//! that it is there again after a visit to another page.

use leptos::prelude::*;
use leptos::task::spawn_local;
use prescan_core::scope::rule_problem;
use prescan_core::values::{ValueOverrides, MAX_FILE_BYTES};
use prescan_core::{Method, Scope, ScopeDecision, ScopeRule, Selector};
use wasm_bindgen_futures::JsFuture;

use crate::format::bytes;

/// What the scope and values forms hold that is not applied yet: kept by
/// the page's state, so that it outlives the form.
#[derive(Debug, Clone, Copy)]
pub struct ScopeForm {
    /// What a new rule selects by: `tag`, `method` or `path`.
    pub by: RwSignal<String>,
    /// The tag, method or path pattern of a new rule.
    pub text: RwSignal<String>,
    /// What a new rule decides.
    pub decision: RwSignal<ScopeDecision>,
    /// The values' text; `None`: the applied values' lines.
    pub values: RwSignal<Option<String>>,
}

impl ScopeForm {
    pub fn new() -> ScopeForm {
        ScopeForm {
            by: RwSignal::new("tag".to_owned()),
            text: RwSignal::new(String::new()),
            decision: RwSignal::new(ScopeDecision::Exclude),
            values: RwSignal::new(None),
        }
    }

    /// Forgets what was typed (a new specification).
    pub fn clear(&self) {
        self.text.set(String::new());
        self.values.set(None);
    }
}

impl Default for ScopeForm {
    fn default() -> Self {
        Self::new()
    }
}

/// The scope with endpoint `method` `path` set to `decision`: an earlier
/// rule for that endpoint is replaced.
pub fn with_endpoint(scope: &Scope, method: Method, path: &str, decision: ScopeDecision) -> Scope {
    let mut rules: Vec<ScopeRule> = scope
        .rules
        .iter()
        .filter(|r| !matches!(&r.selector, Selector::Endpoint { method: m, path: p } if *m == method && p == path))
        .cloned()
        .collect();
    rules.push(ScopeRule {
        selector: Selector::Endpoint {
            method,
            path: path.to_owned(),
        },
        decision,
    });
    Scope { rules }
}

/// The rule the add-rule form describes, or why there is none.
pub fn typed_rule(by: &str, text: &str, decision: ScopeDecision) -> Result<ScopeRule, String> {
    let text = text.trim();
    let selector = match by {
        "method" => {
            Selector::Method(Method::parse(text).ok_or_else(|| "Choose a method.".to_owned())?)
        }
        "path" => Selector::Path(text.to_owned()),
        _ => Selector::Tag(text.to_owned()),
    };
    let rule = ScopeRule { selector, decision };
    match rule_problem(&rule) {
        Some(problem) => Err(problem),
        None => Ok(rule),
    }
}

/// A rule in words, e.g. `Exclude tag store`, `Include GET /pets/{id}`.
pub fn describe_rule(rule: &ScopeRule) -> (String, String) {
    let (what, text) = match &rule.selector {
        Selector::Endpoint { method, path } => ("endpoint", format!("{} {path}", method.as_str())),
        Selector::Tag(tag) => ("tag", tag.clone()),
        Selector::Method(method) => ("method", method.as_str().to_owned()),
        Selector::Path(pattern) => ("path pattern", pattern.clone()),
    };
    (format!("{} {what}", rule.decision.label()), text)
}

/// The lines of the values, as typed in the editor.
pub fn values_text(values: &ValueOverrides) -> String {
    values
        .entries
        .iter()
        .map(|e| e.label())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The scope rules: add by tag, method or path pattern, see and remove
/// each, include everything again.
#[component]
pub fn ScopeRules(
    /// The scope applied.
    scope: Scope,
    /// The tags the endpoints have (suggested for a rule by tag).
    tags: Vec<String>,
    /// The methods the endpoints have.
    methods: Vec<&'static str>,
    /// Whether Ignore may be chosen (Postman collections only).
    #[prop(optional)]
    ignore_allowed: bool,
    /// What is typed and not added yet.
    form: ScopeForm,
    /// Called with the new scope when a rule is added or removed.
    #[prop(into)]
    on_change: Callback<Scope>,
    /// True while a conversion runs.
    #[prop(into)]
    busy: Signal<bool>,
    /// A prefix for the ids, when the rules are on a page more than once.
    #[prop(optional, into)]
    id_prefix: String,
) -> impl IntoView {
    let prefix = StoredValue::new(id_prefix);
    let id = move |name: &str| format!("{}{name}", prefix.get_value());
    let ScopeForm {
        by, text, decision, ..
    } = form;
    let scope = StoredValue::new(scope);
    // A method rule needs a method chosen: the first by default.
    let first_method = methods.first().copied().unwrap_or("GET");
    if by.get_untracked() == "method" && Method::parse(&text.get_untracked()).is_none() {
        text.set(first_method.to_owned());
    }
    let submitted = RwSignal::new(false);
    // Why the scope with the new rule was refused (too many rules).
    let refused = RwSignal::new(None::<String>);
    let problem = Memo::new(move |_| {
        let typed = text.get();
        if typed.trim().is_empty() && !submitted.get() {
            return None;
        }
        typed_rule(&by.get(), &typed, decision.get()).err()
    });
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        submitted.set(true);
        let Ok(rule) = typed_rule(
            &by.get_untracked(),
            &text.get_untracked(),
            decision.get_untracked(),
        ) else {
            return;
        };
        let mut next = scope.get_value();
        next.rules.push(rule);
        // Only the count can be wrong here (the rule itself was checked).
        if let Err(e) = next.validate() {
            refused.set(Some(e.message));
            return;
        }
        refused.set(None);
        submitted.set(false);
        if by.get_untracked() != "method" {
            text.set(String::new());
        }
        on_change.run(next);
    };
    let too_many = scope.with_value(|s| s.rules.len() >= prescan_core::scope::MAX_SCOPE_RULES);
    let pending = move || {
        let typed = text.get();
        by.get() != "method" && !typed.trim().is_empty()
    };
    let by_label = move || match by.get().as_str() {
        "method" => "Method",
        "path" => "Path pattern",
        _ => "Tag",
    };
    let tag_options = tags
        .iter()
        .map(|t| view! { <option value=t.clone()></option> })
        .collect_view();
    let methods_for_select = methods.clone();
    let input = move || match by.get().as_str() {
        "method" => {
            let options = methods_for_select
                .iter()
                .map(|m| {
                    let m = *m;
                    view! { <option value=m selected=move || text.with(|t| t.eq_ignore_ascii_case(m))>{m}</option> }
                })
                .collect_view();
            view! {
                <select id=id("scope-text") data-testid="scope-text"
                    on:change=move |ev| text.set(event_target_value(&ev))>
                    {options}
                </select>
            }
            .into_any()
        }
        kind => {
            let placeholder = if kind == "path" { "/admin/**" } else { "store" };
            view! {
                <input id=id("scope-text") type="text" data-testid="scope-text" autocomplete="off" spellcheck="false"
                    placeholder=placeholder list=if kind == "tag" { id("scope-tags") } else { String::new() }
                    aria-describedby=format!("{} {}", id("scope-text-hint"), id("scope-rule-error"))
                    aria-invalid=move || problem.with(Option::is_some).to_string()
                    prop:value=move || text.get()
                    on:input=move |ev| text.set(event_target_value(&ev)) />
            }
            .into_any()
        }
    };
    let hint = move || {
        match by.get().as_str() {
        "path" => "As the specification writes paths: * is any text within one segment, ** any number of segments (/admin/** is /admin and all below it), {id} matches only {id}. Case-sensitive.",
        "method" => "Every endpoint with this method.",
        _ => "Every endpoint with this tag, exactly as the specification writes it.",
    }
    };
    let mut decisions = vec![ScopeDecision::Exclude, ScopeDecision::Include];
    if ignore_allowed {
        decisions.push(ScopeDecision::Ignore);
    }
    let decision_options = decisions
        .into_iter()
        .map(|d| view! { <option value=d.label() selected=move || decision.get() == d>{d.label()}</option> })
        .collect_view();
    let rules = scope.with_value(|s| s.rules.clone());
    let rule_count = rules.len();
    let rule_items = rules
        .iter()
        .enumerate()
        .map(|(i, rule)| {
            let (words, text) = describe_rule(rule);
            let remove_label = format!("Remove rule {}: {words} {text}", i + 1);
            view! {
                <li class="scope-rule" data-testid="scope-rule">
                    <span data-testid="scope-rule-text">{words}" "<code>{text}</code></span>
                    <button type="button" class="button button--link" data-testid="scope-rule-remove"
                        aria-label=remove_label disabled=move || busy.get()
                        on:click=move |_| {
                            let mut next = scope.get_value();
                            if i < next.rules.len() {
                                next.rules.remove(i);
                            }
                            on_change.run(next);
                        }>"Remove"</button>
                </li>
            }
        })
        .collect_view();

    view! {
        <form class="scope-add" on:submit=add data-testid="scope-form" novalidate>
            <div class="field">
                <label for=id("scope-by")>"Select endpoints by"</label>
                <select id=id("scope-by") data-testid="scope-by"
                    on:change=move |ev| {
                        let kind = event_target_value(&ev);
                        submitted.set(false);
                        text.set(if kind == "method" { first_method.to_owned() } else { String::new() });
                        by.set(kind);
                    }>
                    <option value="tag" selected=move || by.get() == "tag">"Tag"</option>
                    <option value="method" selected=move || by.get() == "method">"Method"</option>
                    <option value="path" selected=move || by.get() == "path">"Path pattern"</option>
                </select>
            </div>
            <div class="field scope-add__text">
                <label for=id("scope-text")>{by_label}</label>
                {input}
                <datalist id=id("scope-tags")>{tag_options}</datalist>
            </div>
            <div class="field">
                <label for=id("scope-decision")>"Decision"</label>
                <select id=id("scope-decision") data-testid="scope-decision"
                    on:change=move |ev| decision.set(match event_target_value(&ev).as_str() {
                        "Include" => ScopeDecision::Include,
                        "Ignore" => ScopeDecision::Ignore,
                        _ => ScopeDecision::Exclude,
                    })>
                    {decision_options}
                </select>
            </div>
            <button type="submit" class="button" id=id("scope-add") data-testid="scope-add"
                disabled=move || busy.get() || too_many>"Add rule"</button>
            <p class="hint scope-add__hint" id=id("scope-text-hint")>{hint}</p>
            <p class="field-error scope-add__hint" id=id("scope-rule-error") data-testid="scope-rule-error">
                {move || problem.get().map(|p| format!("{p} Not added until it is fixed."))}
            </p>
            {move || (pending() && problem.with(Option::is_none)).then(|| view! {
                <p class="hint scope-add__hint" data-testid="scope-pending">"Typed, not added yet: Add rule applies it."</p>
            })}
            <p class="field-error scope-add__hint" data-testid="scope-refused">{move || refused.get()}</p>
            {too_many.then(|| view! {
                <p class="field-error scope-add__hint">{format!("The scope has the most rules allowed ({}). Remove some, or use broader ones.", prescan_core::scope::MAX_SCOPE_RULES)}</p>
            })}
        </form>
        {if rule_count == 0 {
            view! { <p class="muted" data-testid="scope-no-rules">"No rules: every endpoint is included."</p> }.into_any()
        } else {
            view! {
                <h3 class="subheading">"Rules"</h3>
                <p class="hint">"A rule for one endpoint (set in the Scope column) wins over the rules by tag, method or path; among those, the later rule wins."</p>
                <ol class="scope-rules" data-testid="scope-rules">{rule_items}</ol>
            }.into_any()
        }}
        <button type="button" class="button button--secondary" data-testid="scope-reset"
            disabled=move || busy.get() || rule_count == 0
            on:click=move |_| on_change.run(Scope::default())>
            "Include all again"
        </button>
    }
}

/// The user's values: typed or pasted lines, imported from or exported to
/// a JSON file.
#[component]
pub fn ValuesEditor(
    /// The values applied.
    applied: ValueOverrides,
    /// The text typed (kept by the page); `None`: the applied values.
    text: RwSignal<Option<String>>,
    /// Called with the values when they are applied (or imported).
    #[prop(into)]
    on_apply: Callback<ValueOverrides>,
    /// True while a conversion runs.
    #[prop(into)]
    busy: Signal<bool>,
    /// The values are part of a form that saves them (no Apply button):
    /// what is typed is used when the form is saved.
    #[prop(optional)]
    saved_by_form: bool,
    /// A prefix for the ids, when the editor is on a page more than once.
    #[prop(optional, into)]
    id_prefix: String,
) -> impl IntoView {
    let prefix = StoredValue::new(id_prefix);
    let id = move |name: &str| format!("{}{name}", prefix.get_value());
    let applied_text = values_text(&applied);
    let applied = StoredValue::new(applied);
    let current = {
        let applied_text = applied_text.clone();
        move || text.get().unwrap_or_else(|| applied_text.clone())
    };
    let current = StoredValue::new(current);
    let parsed = Memo::new(move |_| ValueOverrides::parse_lines(&current.with_value(|c| c())));
    let dirty = Memo::new(move |_| {
        parsed.with(|p| match p {
            Ok(values) => applied.with_value(|a| a != values),
            Err(_) => true,
        })
    });
    let message = RwSignal::new(None::<(bool, String)>);
    let apply = move |_| {
        if let Some(Ok(values)) = parsed.try_get_untracked() {
            message.set(None);
            on_apply.run(values);
        }
    };
    let file_input = NodeRef::<leptos::html::Input>::new();
    let import = move |ev: leptos::ev::Event| {
        let Some(input) = file_input.get_untracked() else {
            return;
        };
        let _ = ev;
        let Some(file) = input.files().and_then(|files| files.get(0)) else {
            return;
        };
        // The same file may be chosen again after a fix.
        input.set_value("");
        let name = file.name();
        let size = file.size() as usize;
        if size > MAX_FILE_BYTES {
            message.set(Some((
                true,
                format!(
                    "{name} is {}; a values file may be at most {}. Nothing was imported.",
                    bytes(size),
                    bytes(MAX_FILE_BYTES)
                ),
            )));
            return;
        }
        spawn_local(async move {
            let read = JsFuture::from(file.text())
                .await
                .ok()
                .and_then(|t| t.as_string());
            let Some(content) = read else {
                message.set(Some((
                    true,
                    format!("The browser could not read {name}. Nothing was imported."),
                )));
                return;
            };
            match ValueOverrides::from_json(&content) {
                Ok(values) => {
                    let n = values.entries.len();
                    text.set(Some(values_text(&values)));
                    message.set(Some((
                        false,
                        format!(
                            "Imported {} from {name}{}.",
                            crate::format::count(n, "value", "values"),
                            if saved_by_form { "" } else { ", and applied" }
                        ),
                    )));
                    on_apply.run(values);
                }
                Err(e) => message.set(Some((
                    true,
                    format!("{name} could not be imported: {e} Nothing was imported."),
                ))),
            }
        });
    };
    let export = move |_| match parsed.get_untracked() {
        Ok(values) => {
            if let Err(e) =
                crate::download::save_bytes(values.to_json().as_bytes(), "prescan-values.json")
            {
                message.set(Some((true, e)));
            } else {
                message.set(Some((
                    false,
                    format!(
                        "Exported {} as prescan-values.json.",
                        crate::format::count(values.entries.len(), "value", "values")
                    ),
                )));
            }
        }
        Err(e) => message.set(Some((
            true,
            format!("Nothing was exported: {e} Fix it first."),
        ))),
    };
    let count = move || {
        parsed.with(|p| match p {
            Ok(v) if v.is_empty() => {
                "No values: every value is generated from the schemas.".to_owned()
            }
            Ok(v) => crate::format::count(v.entries.len(), "value", "values"),
            Err(_) => String::new(),
        })
    };

    view! {
        <p class="hint" id=id("values-hint")>
            "One a line: " <code>"petId=42"</code> " (every parameter or body property named petId), "
            <code>"GET /orders/{id} id=1001"</code> " (one operation), "
            <code>"header:X-Tenant=acme"</code> " (a location: path, query, header, cookie or body). "
            "Lines starting with # are comments. Your values replace the generated ones in the HAR and the prescan; "
            "one that does not fit its parameter's schema is still sent, with a Warning in the notes."
        </p>
        <div class="field">
            <label for=id("values-text")>"Values, one a line"</label>
            <textarea id=id("values-text") data-testid="values-text" rows="5" spellcheck="false"
                aria-describedby=format!("{} {}", id("values-hint"), id("values-error"))
                aria-invalid=move || parsed.with(Result::is_err).to_string()
                prop:value=move || current.with_value(|c| c())
                on:input=move |ev| text.set(Some(event_target_value(&ev)))></textarea>
            <p class="field-error" id=id("values-error") data-testid="values-error">
                {move || parsed.with(|p| p.as_ref().err().map(|e| format!("{e} Not applied until it is fixed.")))}
            </p>
            <p class="hint" data-testid="values-state">
                {move || if parsed.with(Result::is_ok) && saved_by_form {
                    format!("{}. Saved with the scan when you press Save.", count())
                } else if parsed.with(Result::is_ok) && dirty.get() {
                    format!("{}. Changed, not applied yet: Apply values uses them.", count())
                } else if parsed.with(Result::is_ok) {
                    format!("{}, applied.", count())
                } else {
                    String::new()
                }}
            </p>
        </div>
        <div class="input-actions">
            {(!saved_by_form).then(|| view! {
                <button type="button" class="button" id="values-apply" data-testid="values-apply"
                    disabled=move || busy.get() || !dirty.get() || parsed.with(Result::is_err)
                    on:click=apply>"Apply values"</button>
            })}
            <button type="button" class="button button--secondary" data-testid="values-import-button"
                disabled=move || busy.get()
                on:click=move |_| if let Some(input) = file_input.get_untracked() { input.click(); }>
                "Import values…"
            </button>
            <input type="file" accept=".json,application/json" class="visually-hidden" tabindex="-1"
                aria-hidden="true" data-testid="values-import" node_ref=file_input on:change=import />
            <button type="button" class="button button--secondary" data-testid="values-export" on:click=export>
                "Export values"
            </button>
        </div>
        <p role="status" data-testid="values-message"
            class=move || if message.with(|m| m.as_ref().is_some_and(|m| m.0)) { "field-error" } else { "hint" }>
            {move || message.get().map(|m| m.1)}
        </p>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_endpoint_rule_replaces_the_earlier_one_for_that_endpoint() {
        let scope = Scope {
            rules: vec![ScopeRule {
                selector: Selector::Tag("store".into()),
                decision: ScopeDecision::Exclude,
            }],
        };
        let once = with_endpoint(&scope, Method::Get, "/a", ScopeDecision::Exclude);
        let twice = with_endpoint(&once, Method::Get, "/a", ScopeDecision::Include);
        assert_eq!(twice.rules.len(), 2);
        assert_eq!(twice.rules[1].decision, ScopeDecision::Include);
    }

    #[test]
    fn typed_rules_are_checked_by_the_core() {
        assert!(typed_rule("tag", " store ", ScopeDecision::Exclude).is_ok());
        assert!(typed_rule("path", "/admin/**", ScopeDecision::Exclude).is_ok());
        let problem = typed_rule("path", "admin", ScopeDecision::Exclude).unwrap_err();
        assert!(problem.contains("does not start with /"), "{problem}");
        assert!(typed_rule("tag", "  ", ScopeDecision::Exclude).is_err());
        assert!(typed_rule("method", "BREW", ScopeDecision::Exclude).is_err());
        assert_eq!(
            describe_rule(&typed_rule("method", "get", ScopeDecision::Include).unwrap()),
            ("Include method".to_owned(), "GET".to_owned())
        );
    }

    #[test]
    fn values_round_trip_through_their_lines() {
        let values =
            ValueOverrides::parse_lines("petId=42\nGET /orders/{id} query:limit=5").unwrap();
        let text = values_text(&values);
        assert_eq!(ValueOverrides::parse_lines(&text).unwrap(), values);
    }
}
