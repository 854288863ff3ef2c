//! Form errors as GOV.UK shows them: a summary at the top ("There is a
//! problem") linking to each field, and each message next to its field,
//! which is marked `aria-invalid` and described by it.

use leptos::prelude::*;
use prescan_core::analysis::{Field, FieldError};
use wasm_bindgen::JsCast;

/// The message for `field` among `errors`, if any.
pub fn message_for(errors: &[FieldError], field: Field) -> Option<String> {
    errors
        .iter()
        .find(|e| e.field == field)
        .map(|e| e.message.clone())
}

/// The name of a field in a `data-field` attribute.
pub fn field_key(field: Field) -> &'static str {
    match field {
        Field::Name => "name",
        Field::Scans => "scans",
        Field::Certification => "certification",
        Field::Schedule => "schedule",
    }
}

/// Moves the focus to the element with this id (and scrolls it into view).
pub fn focus_id(id: &str) {
    let element = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(element) = element {
        element.scroll_into_view();
        let _ = element.focus();
    }
}

/// The error summary: shown while there are errors, each a link that moves
/// the focus to its field. `target` gives the id of a field's input. It
/// takes the focus when it appears or changes.
#[component]
pub fn ErrorSummary(
    /// The errors, in form order.
    #[prop(into)]
    errors: Signal<Vec<FieldError>>,
    /// The id of the input to focus for a field.
    target: fn(Field) -> String,
    /// The summary's own id (focused after a failed submit).
    id: &'static str,
) -> impl IntoView {
    move || {
        let errors = errors.get();
        (!errors.is_empty()).then(|| {
            let items = errors
                .into_iter()
                .map(|e| {
                    let to = target(e.field);
                    let href = format!("#{to}");
                    view! {
                        <li>
                            <a href=href on:click=move |ev| {
                                // Routes live in the fragment: move the focus instead.
                                ev.prevent_default();
                                focus_id(&to);
                            }>{e.message}</a>
                        </li>
                    }
                })
                .collect_view();
            // The summary takes the focus each time it is drawn (after a submit).
            let summary = NodeRef::<leptos::html::Div>::new();
            Effect::new(move |_| {
                if let Some(element) = summary.get() {
                    element.scroll_into_view();
                    let _ = element.focus();
                }
            });
            view! {
                <div class="error-summary" role="alert" tabindex="-1" id=id node_ref=summary data-testid="error-summary" aria-labelledby=format!("{id}-title")>
                    <h2 class="error-summary__title" id=format!("{id}-title")>"There is a problem"</h2>
                    <ul class="error-summary__list">{items}</ul>
                </div>
            }
        })
    }
}

/// A field's error message, next to it (nothing when there is none).
#[component]
pub fn FieldErrorText(
    /// Its id (the field's `aria-describedby`).
    id: String,
    /// Which field.
    field: Field,
    /// The message, if any.
    #[prop(into)]
    message: Signal<Option<String>>,
) -> impl IntoView {
    move || {
        message.get().map(|m| {
            view! {
                <p class="field-error" id=id.clone() data-testid="field-error" data-field=field_key(field)>
                    <span class="visually-hidden">"Error: "</span>{m}
                </p>
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_of_a_field_is_found() {
        let errors = vec![
            FieldError {
                field: Field::Name,
                message: "Too short.".into(),
            },
            FieldError {
                field: Field::Scans,
                message: "None.".into(),
            },
        ];
        assert_eq!(message_for(&errors, Field::Scans).as_deref(), Some("None."));
        assert_eq!(message_for(&errors, Field::Schedule), None);
        assert_eq!(field_key(Field::Certification), "certification");
    }
}
