//! A URL path that wraps at its slashes on narrow screens (`/pets/{petId}`
//! breaks before `{petId}`, never inside a word).

use leptos::prelude::*;

/// The parts of `path` a line may break after: each ends with `/` but the last.
pub fn path_parts(path: &str) -> Vec<&str> {
    path.split_inclusive('/').collect()
}

/// `path` as text with a line-break opportunity (`<wbr>`) after each `/`.
#[component]
pub fn BreakablePath(#[prop(into)] path: String) -> impl IntoView {
    path_parts(&path)
        .into_iter()
        .map(|part| {
            let part = part.to_owned();
            view! { {part}<wbr /> }
        })
        .collect_view()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn breaks_after_each_slash() {
        assert_eq!(path_parts("/pets/{petId}"), ["/", "pets/", "{petId}"]);
        assert_eq!(
            path_parts("https://a.example/v1/"),
            ["https:/", "/", "a.example/", "v1/"]
        );
        assert!(path_parts("").is_empty());
    }
}
