//! The Configure form of an analysis: its name, schedule and prescan
//! switch, and on a server who can see it.

use leptos::prelude::*;
use leptos::task::spawn_local;
use prescan_core::analysis::{
    Analysis, AnalysisStatus, AnalysisUpdate, Field, FieldError, ScanDraft, ScanId, ScanTarget,
    Start, StoreError,
};
use prescan_core::values::ValueOverrides;
use prescan_core::{Method, Scope, SpecFormat};

use crate::components::form_errors::{message_for, ErrorSummary, FieldErrorText};
use crate::components::schedule_input::{
    duration_fields, ScheduleFields, ScheduleInput, StartChoice,
};
use crate::components::scope_values::{ScopeForm, ScopeRules, ValuesEditor};
use crate::components::visibility::{VisibilityField, VisibilityInput};
use crate::store::people::{refusal, use_principal};
use crate::store::use_store;
use prescan_core::people::Action;

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
/// they are). `on_done` gets a message after a save (with the status it
/// left the analysis in), `None` on cancel.
#[component]
pub(super) fn ConfigureForm(
    analysis: Memo<Option<Analysis>>,
    on_done: impl Fn(Option<(String, Option<AnalysisStatus>)>) + Copy + 'static,
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
    let visibility = VisibilityInput::new(&a.visibility);
    let visibility_error = RwSignal::new(Option::<String>::None);
    let original_visibility = StoredValue::new(a.visibility.clone());
    // Roles can change while the form is open (a 403 asks the server
    // again): the Save then says why it is off, and what was typed stays.
    let principal = use_principal();
    let refused = Memo::new(move |_| principal.with(|p| refusal(p, Action::Configure)));
    // A failure that is not about a field: shown above the buttons with a
    // Retry; what was typed stays.
    let problem = RwSignal::new(Option::<String>::None);
    // The server's 403 already says why: the reason is not said twice.
    let refusal_in_problem = move || {
        refused.with(|r| {
            r.as_ref().is_some_and(|r| {
                problem.with(|p| p.as_ref().is_some_and(|p| p.contains(r.as_str())))
            })
        })
    };
    let error_of =
        move |field: Field| Signal::derive(move || errors.with(|e| message_for(e, field)));
    // The endpoint scope and values of each API specification scan.
    let scopings: Vec<Scoping> = a
        .scans
        .iter()
        .filter_map(|scan| match &scan.target {
            ScanTarget::ApiSpecification(spec) => Some(Scoping {
                scan: scan.id,
                tags: RwSignal::new(Vec::new()),
                methods: RwSignal::new(ALL_METHODS.iter().map(|m| m.as_str()).collect()),
                file_name: spec.file_name.clone(),
                postman: spec.format == SpecFormat::Postman21,
                scope: RwSignal::new(scan.scope.clone()),
                values: RwSignal::new(scan.values.clone()),
                form: ScopeForm::new(),
            }),
            ScanTarget::Url(_) => None,
        })
        .collect();
    // The tags and methods of each specification, for the rules: from a
    // conversion of the stored file (one at a time, in the worker).
    let loads: Vec<_> = a
        .scans
        .iter()
        .filter_map(|scan| match &scan.target {
            ScanTarget::ApiSpecification(spec) => scopings
                .iter()
                .find(|s| s.scan == scan.id)
                .map(|s| (spec.clone(), scan.clone(), s.tags, s.methods)),
            ScanTarget::Url(_) => None,
        })
        .collect();
    spawn_local(async move {
        for (spec, scan, tags, methods) in loads {
            let Ok(files) = app.specification_files(spec.spec_id).await else {
                continue;
            };
            let options = super::scans::options_for(&spec, &scan);
            let Ok(converted) =
                crate::convert::convert(crate::convert::file_bytes(files), &options).await
            else {
                continue;
            };
            let mut found: Vec<String> = Vec::new();
            let mut used: Vec<&'static str> = Vec::new();
            for e in &converted.spec.endpoints {
                for tag in &e.tags {
                    if !found.contains(tag) {
                        found.push(tag.clone());
                    }
                }
                if !used.contains(&e.method.as_str()) {
                    used.push(e.method.as_str());
                }
            }
            tags.try_set(found);
            if !used.is_empty() {
                methods.try_set(used);
            }
        }
    });
    let scopings = StoredValue::new(scopings);
    let original_scans = StoredValue::new(a.scans.clone());

    let saving = RwSignal::new(false);
    let save_now = move || {
        if saving.get_untracked() || refused.get_untracked().is_some() {
            return;
        }
        problem.set(None);
        visibility_error.set(None);
        let new_visibility = if app.is_api_untracked() {
            match visibility.value() {
                Ok(v) => (v != original_visibility.get_value()).then_some(v),
                Err(m) => {
                    visibility_error.set(Some(m));
                    crate::components::form_errors::focus_id("cfg-visibility");
                    return;
                }
            }
        } else {
            None
        };
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
        // The scopes and values: nothing typed is left behind unsaid.
        let mut scans = original_scans.get_value();
        let mut scans_changed = false;
        let mut scoping_problems = Vec::new();
        scopings.with_value(|all| {
            for s in all {
                let typed_rule = s.form.text.with_untracked(|t| !t.trim().is_empty())
                    && s.form.by.get_untracked() != "method";
                if typed_rule {
                    scoping_problems.push(format!(
                        "A scope rule for {} is typed but not added: Add rule, or clear it.",
                        s.file_name
                    ));
                }
                let values = match s.form.values.get_untracked() {
                    None => s.values.get_untracked(),
                    Some(text) => match ValueOverrides::parse_lines(&text) {
                        Ok(v) => v,
                        Err(e) => {
                            scoping_problems.push(format!(
                                "The values for {}: {e} Fix them first.",
                                s.file_name
                            ));
                            continue;
                        }
                    },
                };
                let scope = s.scope.get_untracked();
                if let Some(scan) = scans.iter_mut().find(|x| x.id == s.scan) {
                    if scan.scope != scope || scan.values != values {
                        scan.scope = scope;
                        scan.values = values;
                        scans_changed = true;
                    }
                }
            }
        });
        if !scoping_problems.is_empty() {
            errors.set(
                scoping_problems
                    .into_iter()
                    .map(|message| FieldError {
                        field: Field::Scans,
                        message,
                    })
                    .collect(),
            );
            return;
        }
        let change = AnalysisUpdate {
            name: (new_name.trim() != original_name).then_some(new_name),
            scans: scans_changed.then(|| scans.iter().map(ScanDraft::of).collect()),
            schedule: new_schedule,
            prescan: (new_prescan != original_prescan).then_some(new_prescan),
            visibility: new_visibility,
        };
        if change == AnalysisUpdate::default() {
            on_done(Some(("Nothing changed.".into(), None)));
            return;
        }
        saving.set(true);
        spawn_local(async move {
            let result = app.update(id, change).await;
            saving.try_set(false);
            match result {
                Ok(saved) => on_done(Some((
                    format!("Saved the configuration of {}.", saved.name),
                    Some(saved.status),
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
                {move || app.is_api().then(|| view! {
                    <VisibilityField input=visibility prefix="cfg" error=visibility_error />
                })}
                {scoping_fields(scopings)}
                <p class="hint">"The scans stay as they are, but for their endpoint scope and values."</p>
                {move || problem.get().map(|p| view! {
                    <div class="alert alert--error" role="alert" id="cfg-problem" data-testid="configure-error">
                        <p>{p}</p>
                        {move || refused.with(Option::is_none).then(|| view! {
                            <button type="button" class="button button--secondary" data-testid="configure-retry"
                                on:click=move |_| retry.with_value(|f| f())>"Retry"</button>
                        })}
                    </div>
                })}
                {move || refused.get().filter(|_| !refusal_in_problem()).map(|why| view! {
                    <p class="notice" id="cfg-refused" data-testid="configure-refused">{why}</p>
                })}
                <div class="form-actions">
                    <button type="submit" class="button" data-testid="configure-save"
                        aria-describedby=move || refused.with(Option::is_some).then(|| if refusal_in_problem() { "cfg-problem" } else { "cfg-refused" })
                        disabled=move || saving.get() || refused.with(Option::is_some)>"Save"</button>
                    <button type="button" class="button button--secondary" data-testid="configure-cancel" on:click=move |_| on_done(None)>
                        "Cancel"
                    </button>
                </div>
            </form>
        </section>
    }
    .into_any()
}

/// Every method, until the specification's own are known.
const ALL_METHODS: [Method; 8] = [
    Method::Get,
    Method::Post,
    Method::Put,
    Method::Patch,
    Method::Delete,
    Method::Head,
    Method::Options,
    Method::Trace,
];

/// The endpoint scope and values of one API specification scan, as the
/// Configure form edits them.
#[derive(Clone)]
struct Scoping {
    scan: ScanId,
    /// The specification's tags, once converted (suggested for a rule).
    tags: RwSignal<Vec<String>>,
    /// The specification's methods, once converted (every method before).
    methods: RwSignal<Vec<&'static str>>,
    file_name: String,
    postman: bool,
    scope: RwSignal<Scope>,
    values: RwSignal<ValueOverrides>,
    form: ScopeForm,
}

/// The scope and values fields of each API specification scan.
fn scoping_fields(scopings: StoredValue<Vec<Scoping>>) -> impl IntoView {
    let all = scopings.get_value();
    let many = all.len() > 1;
    all.into_iter()
        .enumerate()
        .map(|(i, s)| {
            // Ids stay unique when an analysis has several specifications.
            let prefix = format!("cfg{i}-");
            let Scoping {
                tags,
                methods,
                postman,
                scope,
                values,
                form,
                file_name,
                ..
            } = s;
            let heading = if many {
                format!("Endpoint scope and values of {file_name}")
            } else {
                "Endpoint scope and values".to_owned()
            };

            view! {
                <fieldset class="form-group config scope-config" data-testid="configure-scoping">
                    <legend>{heading}</legend>
                    <p class="hint">"Excluded endpoints get no request and do not count toward the prescan's 100; set one endpoint at a time from the specification preview. Saved with the scan; the activity log records the change."</p>
                    {
                        let prefix = prefix.clone();
                        move || {
                            let current = scope.get();
                            view! {
                                <ScopeRules scope=current tags=tags.get() methods=methods.get()
                                    ignore_allowed=postman form=form id_prefix=prefix.clone()
                                    on_change=Callback::new(move |next: Scope| scope.set(next))
                                    busy=Signal::derive(|| false) />
                            }
                        }
                    }
                    <h3 class="subheading">"Your values"</h3>
                    <ValuesEditor applied=values.get_untracked() text=form.values
                        on_apply=Callback::new(move |v: ValueOverrides| values.set(v))
                        busy=Signal::derive(|| false) saved_by_form=true id_prefix=prefix />
                </fieldset>
            }
        })
        .collect_view()
}
