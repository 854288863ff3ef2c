//! An HTTP method as a badge: the method's name, coloured by kind (the text
//! carries the meaning; the colour only helps scanning).

use leptos::prelude::*;

/// The CSS modifier for a method name (`GET` → `get`); unknown methods share one.
pub fn method_class(method: &str) -> &'static str {
    match method.to_ascii_uppercase().as_str() {
        "GET" => "method--get",
        "POST" => "method--post",
        "PUT" => "method--put",
        "PATCH" => "method--patch",
        "DELETE" => "method--delete",
        "HEAD" | "OPTIONS" => "method--meta",
        _ => "method--other",
    }
}

/// A method badge, e.g. `GET`.
#[component]
pub fn MethodBadge(#[prop(into)] method: String) -> impl IntoView {
    let class = format!("method {}", method_class(&method));
    view! { <span class=class data-testid="method-badge">{method}</span> }
}
