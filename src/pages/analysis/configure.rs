//! The Configure form of an analysis: its name, schedule and prescan
//! switch, and on a server who can see it.

use leptos::prelude::*;
use leptos::task::spawn_local;
use prescan_core::analysis::{
    Analysis, AnalysisStatus, AnalysisUpdate, Field, FieldError, Start, StoreError,
};

use crate::components::form_errors::{message_for, ErrorSummary, FieldErrorText};
use crate::components::schedule_input::{
    duration_fields, ScheduleFields, ScheduleInput, StartChoice,
};
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
        let change = AnalysisUpdate {
            name: (new_name.trim() != original_name).then_some(new_name),
            scans: None,
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
                <p class="hint">"The scans stay as they are."</p>
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
