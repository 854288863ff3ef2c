//! Messages that name things in backticks (`` `key` ``, `` `Authorization` ``)
//! shown with those names as code. Only text nodes are made: nothing in a
//! message, which may quote a specification, is read as HTML.

use leptos::prelude::*;

/// The parts of `text`: `(false, plain)` and `(true, code)`, alternating at
/// backticks; an unmatched backtick stays as written.
pub fn code_parts(text: &str) -> Vec<(bool, &str)> {
    let pieces: Vec<&str> = text.split('`').collect();
    if pieces.len().is_multiple_of(2) {
        // An odd number of backticks: not code, show it as it is.
        return vec![(false, text)];
    }
    pieces
        .into_iter()
        .enumerate()
        .filter(|(_, p)| !p.is_empty())
        .map(|(i, p)| (i % 2 == 1, p))
        .collect()
}

/// `text` with its backticked names as `<code>`.
#[component]
pub fn CodeText(#[prop(into)] text: String) -> impl IntoView {
    code_parts(&text)
        .into_iter()
        .map(|(code, part)| {
            let part = part.to_owned();
            if code {
                view! { <code>{part}</code> }.into_any()
            } else {
                part.into_any()
            }
        })
        .collect_view()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backticks_mark_code() {
        assert_eq!(
            code_parts("the `key` scheme and `X-Key`."),
            [
                (false, "the "),
                (true, "key"),
                (false, " scheme and "),
                (true, "X-Key"),
                (false, ".")
            ]
        );
        assert_eq!(code_parts("no code"), [(false, "no code")]);
        assert_eq!(code_parts("odd ` tick"), [(false, "odd ` tick")]);
        assert_eq!(code_parts("`<b>`"), [(true, "<b>")]);
    }
}
