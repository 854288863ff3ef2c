//! The schedule of an analysis as a form gives it: when to start (now, at a
//! date and time, not scheduled; or, when editing, as it is) and how long
//! to scan (hours or days). The core checks the result
//! ([`prescan_core::analysis::Schedule::validate`]); this only reads what
//! was typed.

use leptos::prelude::*;
use prescan_core::analysis::{ScanDuration, Schedule, Start};

/// When to start, as chosen in the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartChoice {
    /// Leave the schedule as it is (the edit form only).
    Keep,
    /// Start now.
    Now,
    /// Start at the date and time given.
    At,
    /// Do not schedule: save for later.
    Later,
}

/// The unit of the duration field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DurationUnit {
    /// Hours.
    Hours,
    /// Days.
    Days,
}

impl DurationUnit {
    /// The `<option>` value.
    pub fn value(self) -> &'static str {
        match self {
            DurationUnit::Hours => "hours",
            DurationUnit::Days => "days",
        }
    }

    /// The unit an `<option>` value names (days otherwise).
    pub fn from_value(value: &str) -> Self {
        if value == "hours" {
            DurationUnit::Hours
        } else {
            DurationUnit::Days
        }
    }
}

/// The duration typed: a whole number of hours or days.
pub fn duration_from(amount: &str, unit: DurationUnit) -> Result<ScanDuration, String> {
    let amount = amount.trim();
    let n: u32 = amount.parse().map_err(|_| {
        if amount.is_empty() {
            "Enter how long the analysis may scan, as a whole number of hours or days.".to_owned()
        } else {
            format!("\"{amount}\" is not a whole number. Enter how long the analysis may scan, such as 3 days.")
        }
    })?;
    Ok(match unit {
        DurationUnit::Hours => ScanDuration::Hours(n),
        DurationUnit::Days => ScanDuration::Days(n),
    })
}

/// The amount and unit a duration is shown with.
pub fn duration_fields(d: ScanDuration) -> (String, DurationUnit) {
    match d {
        ScanDuration::Hours(h) => (h.to_string(), DurationUnit::Hours),
        ScanDuration::Days(n) => (n.to_string(), DurationUnit::Days),
    }
}

/// The schedule the form gives: `at_ms` is the start time typed (already
/// read as local time), `None` if empty or unreadable. `Ok(None)` keeps the
/// current schedule.
pub fn schedule_from(
    choice: StartChoice,
    at_ms: Option<i64>,
    amount: &str,
    unit: DurationUnit,
) -> Result<Option<Schedule>, String> {
    if choice == StartChoice::Keep {
        return Ok(None);
    }
    let duration = duration_from(amount, unit)?;
    let start = match choice {
        StartChoice::Now => Start::Now,
        StartChoice::Later => Start::Unscheduled,
        StartChoice::At => Start::At(at_ms.ok_or_else(|| {
            "Enter the date and time to start the analysis, or choose Start now.".to_owned()
        })?),
        StartChoice::Keep => unreachable!(),
    };
    Ok(Some(Schedule { start, duration }))
}

/// Reads a `datetime-local` value (`2025-03-01T09:30`) as local time.
pub fn local_time_ms(value: &str) -> Option<i64> {
    if value.trim().is_empty() {
        return None;
    }
    let ms = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(value.trim())).get_time();
    (!ms.is_nan()).then_some(ms as i64)
}

/// Writes a time as a `datetime-local` value in local time.
pub fn local_time_value(ms: i64) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}",
        d.get_full_year(),
        d.get_month() + 1,
        d.get_date(),
        d.get_hours(),
        d.get_minutes()
    )
}

/// A time for people: the app's one format ([`crate::format::date_time`]).
pub fn local_time_text(ms: i64) -> String {
    crate::format::date_time(ms)
}

/// What the schedule fields hold.
#[derive(Debug, Clone, Copy)]
pub struct ScheduleInput {
    /// When to start.
    pub start: RwSignal<StartChoice>,
    /// The `datetime-local` value.
    pub at: RwSignal<String>,
    /// The duration's number.
    pub amount: RwSignal<String>,
    /// The duration's unit.
    pub unit: RwSignal<DurationUnit>,
}

impl ScheduleInput {
    /// Fields holding these values.
    pub fn new(start: StartChoice, at: String, amount: String, unit: DurationUnit) -> Self {
        ScheduleInput {
            start: RwSignal::new(start),
            at: RwSignal::new(at),
            amount: RwSignal::new(amount),
            unit: RwSignal::new(unit),
        }
    }

    /// The schedule typed (see [`schedule_from`]).
    pub fn schedule(&self) -> Result<Option<Schedule>, String> {
        schedule_from(
            self.start.get_untracked(),
            local_time_ms(&self.at.get_untracked()),
            &self.amount.get_untracked(),
            self.unit.get_untracked(),
        )
    }
}

/// The schedule fieldset. Ids and test ids start with `prefix`
/// (`new-start-now`, `new-start-at`, `new-start-time`, `new-duration`,
/// `new-duration-unit`); `keep` offers "Keep the current schedule".
#[component]
pub fn ScheduleFields(
    /// The values.
    input: ScheduleInput,
    /// The id and test id prefix.
    prefix: &'static str,
    /// What "keep the current schedule" means, when editing.
    #[prop(optional)]
    keep: Option<String>,
    /// The error, if any.
    #[prop(into)]
    error: Signal<Option<String>>,
) -> impl IntoView {
    let id = move |name: &str| format!("{prefix}-{name}");
    let error_id = id("schedule-error");
    let described = {
        let error_id = error_id.clone();
        move || error.get().map(|_| error_id.clone())
    };
    let radio = move |choice: StartChoice, name: &'static str, label: String| {
        let input_id = id(name);
        view! {
            <label class="choice" for=input_id.clone()>
                <input
                    type="radio"
                    id=input_id.clone()
                    name=format!("{prefix}-start")
                    data-testid=input_id.clone()
                    prop:checked=move || input.start.get() == choice
                    on:change=move |_| input.start.set(choice)
                />
                " " {label}
            </label>
        }
    };
    let keep_choice = keep.map(|what| {
        radio(
            StartChoice::Keep,
            "start-keep",
            format!("Keep the current schedule ({what})"),
        )
    });
    let fixed = move || input.start.get() == StartChoice::Keep;
    view! {
        <fieldset class="form-group" id=id("schedule") aria-describedby=described.clone()>
            <legend>"Schedule"</legend>
            <crate::components::form_errors::FieldErrorText id=error_id field=prescan_core::analysis::Field::Schedule message=error />
            {keep_choice}
            {radio(StartChoice::Now, "start-now", "Start now".into())}
            {radio(StartChoice::At, "start-at", "Start at a date and time".into())}
            <div class="field field--nested" hidden=move || input.start.get() != StartChoice::At>
                <label for=id("start-time")>"Start date and time"</label>
                <p class="hint">"Your local time; at most 90 days from now."</p>
                <input
                    type="datetime-local"
                    id=id("start-time")
                    data-testid=id("start-time")
                    prop:value=move || input.at.get()
                    on:input=move |ev| {
                        input.at.set(event_target_value(&ev));
                        input.start.set(StartChoice::At);
                    }
                />
            </div>
            {radio(StartChoice::Later, "start-later", "Do not schedule yet (save for later)".into())}
            <div class="field duration">
                <label for=id("duration")>"Scan duration"</label>
                <p class="hint">"How long the analysis may scan before it stops: 1 hour to 30 days."</p>
                <div class="duration__inputs">
                    <input
                        type="number"
                        min="1"
                        step="1"
                        inputmode="numeric"
                        id=id("duration")
                        data-testid=id("duration")
                        aria-invalid=move || error.get().is_some().then_some("true")
                        disabled=fixed
                        prop:value=move || input.amount.get()
                        on:input=move |ev| input.amount.set(event_target_value(&ev))
                    />
                    <label for=id("duration-unit") class="visually-hidden">"Unit"</label>
                    <select
                        id=id("duration-unit")
                        data-testid=id("duration-unit")
                        disabled=fixed
                        prop:value=move || input.unit.get().value()
                        on:change=move |ev| input.unit.set(DurationUnit::from_value(&event_target_value(&ev)))
                    >
                        <option value="hours">"hours"</option>
                        <option value="days">"days"</option>
                    </select>
                </div>
            </div>
        </fieldset>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_whole_numbers_of_a_unit() {
        assert_eq!(
            duration_from(" 3 ", DurationUnit::Days),
            Ok(ScanDuration::Days(3))
        );
        assert_eq!(
            duration_from("12", DurationUnit::Hours),
            Ok(ScanDuration::Hours(12))
        );
        assert!(duration_from("", DurationUnit::Days)
            .unwrap_err()
            .contains("Enter how long"));
        assert!(duration_from("1.5", DurationUnit::Days)
            .unwrap_err()
            .contains("not a whole number"));
        assert_eq!(
            duration_fields(ScanDuration::Hours(5)),
            ("5".into(), DurationUnit::Hours)
        );
        assert_eq!(DurationUnit::from_value("hours"), DurationUnit::Hours);
        assert_eq!(DurationUnit::from_value("days"), DurationUnit::Days);
    }

    #[test]
    fn schedules_follow_the_choice() {
        assert_eq!(
            schedule_from(StartChoice::Keep, None, "x", DurationUnit::Days),
            Ok(None)
        );
        assert_eq!(
            schedule_from(StartChoice::Now, None, "2", DurationUnit::Days),
            Ok(Some(Schedule::now(ScanDuration::Days(2))))
        );
        assert_eq!(
            schedule_from(StartChoice::At, Some(5), "1", DurationUnit::Hours),
            Ok(Some(Schedule {
                start: Start::At(5),
                duration: ScanDuration::Hours(1)
            }))
        );
        assert!(
            schedule_from(StartChoice::At, None, "1", DurationUnit::Hours)
                .unwrap_err()
                .contains("date and time")
        );
        assert_eq!(
            schedule_from(StartChoice::Later, None, "1", DurationUnit::Days)
                .unwrap()
                .unwrap()
                .start,
            Start::Unscheduled
        );
    }
}
