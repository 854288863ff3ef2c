//! A wide table's frame: it scrolls sideways on narrow screens, takes focus
//! so that the keyboard can scroll it, and says so when columns are out of
//! view (the hint shows only on narrow screens).

use leptos::prelude::*;

/// `children` (a table) in a region named `label` that scrolls sideways.
#[component]
pub fn TableScroll(label: &'static str, children: Children) -> impl IntoView {
    view! {
        <p class="table-scroll__hint" aria-hidden="true">"Scroll the table sideways for more columns →"</p>
        <div class="table-scroll" role="region" aria-label=label tabindex="0">
            {children()}
        </div>
    }
}
