//! One Dynamic Analysis (being built).

use leptos::prelude::*;

/// The summary page of analysis `id`.
#[component]
pub fn AnalysisPage(id: String) -> impl IntoView {
    view! { <h1>"Dynamic Analysis " {id}</h1> }
}
