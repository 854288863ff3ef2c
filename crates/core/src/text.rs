//! Small pieces of English shared by every message: a count with the noun
//! that goes with it (`1 error`, `2 errors`, `1,204 requests`), and the
//! word that agrees with a count (`was` / `were`), digits grouped by
//! thousands (`100,000`).
//!
//! Depends on nothing in the crate.

/// `100,000`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `n` (digits grouped by thousands) and the noun that goes with it:
/// `one` for 1, `many` otherwise (`0 errors`, `1 error`, `1,200 errors`).
pub fn count(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", thousands(n), pick(n, one, many))
}

/// The word that agrees with `n`: `one` for 1, `many` otherwise (for
/// verbs and pronouns: `is` / `are`, `it` / `they`).
pub fn pick<'w>(n: u64, one: &'w str, many: &'w str) -> &'w str {
    if n == 1 {
        one
    } else {
        many
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_agree_with_their_nouns() {
        for (n, expected) in [
            (0, "0 errors"),
            (1, "1 error"),
            (2, "2 errors"),
            (11, "11 errors"),
            (1_200, "1,200 errors"),
        ] {
            assert_eq!(count(n, "error", "errors"), expected);
        }
        assert_eq!(count(1, "entry", "entries"), "1 entry");
        assert_eq!(count(3, "entry", "entries"), "3 entries");
        assert_eq!(pick(1, "was", "were"), "was");
        assert_eq!(pick(0, "was", "were"), "were");
        assert_eq!(
            format!(
                "{}, {}, {}",
                count(1, "error", "errors"),
                count(0, "warning", "warnings"),
                count(1, "note", "notes")
            ),
            "1 error, 0 warnings, 1 note"
        );
    }
}
