//! Dynamic Analyses (being built).

use leptos::prelude::*;

/// Dynamic Analyses.
#[component]
pub fn AnalysesPage(query: crate::route::Query) -> impl IntoView {
    let _ = query;
    view! { <h1>"Dynamic Analyses"</h1> }
}
