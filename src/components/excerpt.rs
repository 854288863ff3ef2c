//! A line of a file with the place of a problem marked under it, as
//! compilers show errors.

use leptos::prelude::*;
use prescan_core::Excerpt;

/// The caret line under an excerpt: spaces up to the 1-based column, then `^`.
pub fn caret(column: usize) -> String {
    format!("{}^", " ".repeat(column.saturating_sub(1)))
}

/// Shows line `line` of a file (its excerpt) with the problem's column marked.
#[component]
pub fn ExcerptView(line: usize, excerpt: Excerpt) -> impl IntoView {
    let number = line.to_string();
    let gutter = " ".repeat(number.len());
    view! {
        <figure class="excerpt" data-testid="load-error-excerpt">
            <pre class="code excerpt__code">
                <span class="excerpt__gutter">{number}" │ "</span>{excerpt.text}"\n"
                <span class="excerpt__gutter">{gutter}" │ "</span><span class="excerpt__caret">{caret(excerpt.column)}</span>
            </pre>
            <figcaption class="visually-hidden">{format!("Line {line}, column {} marked", excerpt.column)}</figcaption>
        </figure>
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_caret_stands_under_the_column() {
        assert_eq!(super::caret(1), "^");
        assert_eq!(super::caret(4), "   ^");
        assert_eq!(super::caret(0), "^");
    }
}
