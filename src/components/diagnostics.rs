//! Problems found in a specification, with severity, message and place.

use crate::format::{count as counted, thousands};
use leptos::prelude::*;
use prescan_core::{Diagnostic, Severity};

use crate::components::code_text::CodeText;
use crate::components::icon::{Icon, IconKind};

/// The icon that goes with a severity (always shown beside its label).
pub fn severity_icon(severity: Severity) -> IconKind {
    match severity {
        Severity::Error => IconKind::Error,
        Severity::Warning => IconKind::Warning,
        Severity::Information => IconKind::Info,
    }
}

/// Where a diagnostic points, for people: `/paths/~1pets/get (line 12,
/// column 5)`, with the file first when the specification is split over
/// several.
pub fn place(d: &Diagnostic) -> String {
    let at = match (d.pointer.as_str(), d.position()) {
        ("", None) => "the whole document".to_owned(),
        ("", Some(position)) => position,
        (pointer, None) => pointer.to_owned(),
        (pointer, Some(position)) => format!("{pointer} ({position})"),
    };
    match &d.file {
        Some(file) => format!("{file}: {at}"),
        None => at,
    }
}

/// How many diagnostics are shown at first, and added by each "Show more":
/// a hostile file can have a hundred thousand, and the page stays usable.
const SHOWN: usize = 200;

/// The list of diagnostics, most severe first, in document order within a
/// severity; the first [`SHOWN`], and more on request.
#[component]
pub fn Diagnostics(diagnostics: Vec<Diagnostic>) -> impl IntoView {
    let mut diagnostics = diagnostics;
    diagnostics.sort_by_key(|d| d.severity);
    let count = |severity| {
        diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .count()
    };
    let summary = format!(
        "{}, {}, {}",
        counted(count(Severity::Error), "error", "errors"),
        counted(count(Severity::Warning), "warning", "warnings"),
        counted(count(Severity::Information), "note", "notes")
    );
    let total = diagnostics.len();
    let all = StoredValue::new(diagnostics);
    let shown = RwSignal::new(SHOWN.min(total));
    let items = move || {
        all.with_value(|list| {
            list.iter()
                .take(shown.get())
                .cloned()
                .map(|d| {
                    let class = format!(
                        "severity severity--{}",
                        d.severity.label().to_ascii_lowercase()
                    );
                    let place = place(&d);
                    view! {
                        <li class="diagnostic" data-testid="diagnostic">
                            <span class=class>
                                <Icon kind=severity_icon(d.severity) />
                                {d.severity.label()}
                            </span>
                            <span class="diagnostic__message"><CodeText text=d.message /></span>
                            <span class="diagnostic__place">"at " <code>{place}</code></span>
                        </li>
                    }
                })
                .collect_view()
        })
    };
    let more = move || {
        let now = shown.get();
        (now < total).then(|| {
            let next = (total - now).min(SHOWN * 5);
            view! {
                <p class="diagnostics__more">
                    {format!(
                        "Showing {} of {}. ",
                        thousands(now),
                        thousands(total)
                    )}
                    <button
                        type="button"
                        class="button button--secondary"
                        data-testid="diagnostics-more"
                        on:click=move |_| shown.update(|n| *n = (*n + next).min(total))
                    >
                        {format!("Show {} more", thousands(next))}
                    </button>
                </p>
            }
        })
    };
    view! {
        <section class="panel" aria-labelledby="diagnostics-heading" data-testid="diagnostics">
            <h2 id="diagnostics-heading">"Notes on this specification"</h2>
            <p class="muted">{summary}</p>
            <ul class="diagnostics">{items}</ul>
            {more}
        </section>
    }
}
