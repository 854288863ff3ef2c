//! The page for an address the app does not know.

use leptos::prelude::*;

/// Says the page does not exist and links back to the start.
#[component]
pub fn NotFound(path: String) -> impl IntoView {
    view! {
        <h1>"Page not found"</h1>
        <p>"There is no page at " <code>{path}</code> ". Check the address, or go to the "
            <a href="#/">"specification preview"</a> "."</p>
    }
}
