//! Create a Dynamic Analysis (being built).

use leptos::prelude::*;

/// Create a Dynamic Analysis.
#[component]
pub fn NewAnalysisPage() -> impl IntoView {
    view! { <h1>"Create a Dynamic Analysis"</h1> }
}
