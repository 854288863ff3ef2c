//! A string that matches a schema's `pattern`.
//!
//! The pattern is read by `regex-syntax`, the `regex` crate's own parser,
//! into its syntax tree, and a string is written from the tree: the first
//! alternative, the first fitting character of a class (a letter or a
//! digit when the class has one), the fewest repetitions, and more
//! repetitions only to reach `minLength`. Anchors and other zero-width
//! assertions write nothing. What the parser refuses (look-around,
//! back-references, Unicode classes such as `\p{L}`, case-insensitive
//! groups) gives no string, and the caller falls back to its usual value.
//!
//! Writing takes at most `steps` steps (one per node of the tree visited
//! and per repetition), so zero-width repetitions such as
//! `(?:(?:^{4096}){4096}){4096}` and huge counted repetitions end: the
//! answer is then [`Generated::OutOfSteps`].

use regex_syntax::hir::{Class, Hir, HirKind};
use regex_syntax::ParserBuilder;

/// The longest string written, in bytes, whatever `maxLength` says.
const MAX_LEN: usize = 16 * 1024;
/// How many more repetitions are tried to reach `minLength`.
const MAX_EXTRA: usize = 64;

/// What writing a string for a pattern gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Generated {
    /// A string that matches, within the lengths asked for.
    Found(String),
    /// The pattern cannot be read, or no string of those lengths was found.
    NotFound,
    /// The steps ran out first.
    OutOfSteps,
}

/// Why writing stopped early.
enum Stop {
    Steps,
    TooLong,
    /// A class that matches nothing.
    Impossible,
}

/// A string matching `pattern` whose length (in characters) is within
/// `min_len..=max_len`, written in at most `steps` steps.
pub(crate) fn generate(pattern: &str, min_len: usize, max_len: usize, steps: u64) -> Generated {
    if needs_tables(pattern) {
        return Generated::NotFound;
    }
    let Ok(hir) = ParserBuilder::new().build().parse(pattern) else {
        return Generated::NotFound;
    };
    let mut left = steps;
    let mut previous_len = None;
    for extra in 0..=min_len.min(MAX_EXTRA) {
        let mut out = String::new();
        match emit(&hir, extra, &mut out, &mut left, max_len.min(MAX_LEN)) {
            Ok(()) => {}
            Err(Stop::Steps) => return Generated::OutOfSteps,
            Err(Stop::TooLong | Stop::Impossible) => return Generated::NotFound,
        }
        let len = out.chars().count();
        if len > max_len {
            return Generated::NotFound;
        }
        if len >= min_len {
            return Generated::Found(out);
        }
        // More repetitions that write nothing more: no longer string exists
        // this way.
        if previous_len == Some(len) {
            return Generated::NotFound;
        }
        previous_len = Some(len);
    }
    Generated::NotFound
}

/// Whether the pattern uses Unicode properties (`\p{L}`) or case-insensitive
/// groups (`(?i)`), whose tables this build leaves out (the worker stays
/// small). Refused here rather than by the parser, so that every build,
/// whichever `regex-syntax` features it unifies, writes the same strings.
fn needs_tables(pattern: &str) -> bool {
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if matches!(chars.next(), Some('p' | 'P')) {
                    return true;
                }
            }
            '(' if chars.peek() == Some(&'?') => {
                chars.next();
                for f in chars.by_ref() {
                    match f {
                        'i' => return true,
                        ')' | ':' => break,
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    false
}

fn emit(
    hir: &Hir,
    extra: usize,
    out: &mut String,
    steps: &mut u64,
    max: usize,
) -> Result<(), Stop> {
    if *steps == 0 {
        return Err(Stop::Steps);
    }
    *steps -= 1;
    if out.len() > max {
        return Err(Stop::TooLong);
    }
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => {}
        HirKind::Literal(lit) => out.push_str(&String::from_utf8_lossy(&lit.0)),
        HirKind::Class(class) => out.push(pick(class).ok_or(Stop::Impossible)?),
        HirKind::Capture(capture) => emit(&capture.sub, extra, out, steps, max)?,
        HirKind::Concat(items) => {
            for item in items {
                emit(item, extra, out, steps, max)?;
            }
        }
        HirKind::Alternation(items) => {
            if let Some(first) = items.first() {
                emit(first, extra, out, steps, max)?;
            }
        }
        HirKind::Repetition(rep) => {
            let wanted = (rep.min as usize).saturating_add(extra);
            let count = match rep.max {
                Some(m) => wanted.min(m as usize),
                None => wanted,
            };
            for _ in 0..count {
                if *steps == 0 {
                    return Err(Stop::Steps);
                }
                *steps -= 1;
                emit(&rep.sub, extra, out, steps, max)?;
            }
        }
    }
    Ok(())
}

/// A character of a class: a letter or digit when the class has one, else
/// the first printable character, else its first.
fn pick(class: &Class) -> Option<char> {
    let ranges: Vec<(char, char)> = match class {
        Class::Unicode(c) => c.ranges().iter().map(|r| (r.start(), r.end())).collect(),
        Class::Bytes(c) => c
            .ranges()
            .iter()
            .filter(|r| r.start() < 0x80)
            .map(|r| (char::from(r.start()), char::from(r.end().min(0x7f))))
            .collect(),
    };
    let inside = |c: char| ranges.iter().any(|(a, b)| *a <= c && c <= *b);
    ('a'..='z')
        .chain('0'..='9')
        .chain('A'..='Z')
        .chain("_-.~".chars())
        .find(|c| inside(*c))
        .or_else(|| {
            ranges.iter().find_map(|(a, b)| {
                let start = (*a).max(' ');
                (start <= *b && start != '\u{7f}').then_some(start)
            })
        })
        .or_else(|| ranges.first().map(|(a, _)| *a))
}

#[cfg(test)]
mod tests {
    use super::*;

    const STEPS: u64 = 100_000;

    fn found(pattern: &str, min: usize, max: usize) -> Option<String> {
        match generate(pattern, min, max, STEPS) {
            Generated::Found(s) => Some(s),
            _ => None,
        }
    }

    /// Patterns, and what they give.
    #[test]
    fn generated_strings_match_their_patterns() {
        let cases: &[(&str, usize, usize)] = &[
            ("^[a-z0-9_-]{3,16}$", 0, 100),
            ("^\\d{3}-\\d{4}$", 0, 100),
            ("^[A-Z]{2}\\d{6}$", 0, 100),
            ("^(foo|bar)+baz?$", 0, 100),
            ("^[^@\\s]+@[^@\\s]+\\.[a-z]{2,}$", 0, 100),
            ("^\\w+(\\.\\w+)*$", 10, 100),
            (
                "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
                0,
                100,
            ),
            (
                "^(?:\\+?1[-. ]?)?\\(?\\d{3}\\)?[-. ]?\\d{3}[-. ]?\\d{4}$",
                0,
                100,
            ),
            ("[a-c]+x", 5, 10),
            ("^v\\d+(\\.\\d+){2}$", 0, 100),
            ("^(?<year>\\d{4})-(?<month>0[1-9]|1[0-2])$", 0, 100),
            ("^[\\w.-]+$", 0, 100),
            ("^a{2}b{1,}c{0,3}$", 0, 100),
            ("^\\S+\\s\\S+$", 0, 100),
            ("^[\\u0041-\\u005A]+$", 0, 100),
            ("^\\$\\{[a-z]+\\}$", 0, 100),
            ("^.{12}$", 0, 100),
            ("^[^0-9]*$", 4, 10),
            ("^[а-я]{3}$", 0, 100),
            ("^\\/api\\/v\\d$", 0, 100),
            ("^(?:a|b)*?c$", 0, 100),
        ];
        for (pattern, min, max) in cases {
            let s = found(pattern, *min, *max).unwrap_or_else(|| panic!("no string for {pattern}"));
            let re = regex_lite::Regex::new(pattern).unwrap_or_else(|e| panic!("{pattern}: {e}"));
            assert!(re.is_match(&s), "{s:?} does not match {pattern}");
            let n = s.chars().count();
            assert!(n >= *min && n <= *max, "{s:?} length for {pattern}");
        }
        assert_eq!(found("^[a-z0-9_-]{3,16}$", 0, 100).as_deref(), Some("aaa"));
        assert_eq!(found("^\\d{3}$", 0, 100).as_deref(), Some("000"));
        assert_eq!(found("^(foo|bar)$", 0, 100).as_deref(), Some("foo"));
        assert_eq!(found("^[^a-z]$", 0, 100).as_deref(), Some("0"));
    }

    #[test]
    fn what_the_parser_refuses_gives_nothing() {
        for pattern in [
            "(a)\\1",
            "^(?=a)a$",
            "^(?!b)a$",
            "\\p{L}+",
            "[\\P{Greek}]",
            "(unclosed",
            "*a",
            "[z-a]",
            "(?i)abc",
            "a(?mi:b)",
        ] {
            let out = generate(pattern, 0, 100, STEPS);
            assert_eq!(out, Generated::NotFound, "{pattern}");
        }
        // Too long for maxLength, or never long enough for minLength.
        assert_eq!(generate("^\\d{3}$", 0, 2, STEPS), Generated::NotFound);
        assert_eq!(generate("^ab$", 5, 10, STEPS), Generated::NotFound);
        assert_eq!(
            generate("^a{20000}$", 0, usize::MAX, STEPS),
            Generated::NotFound
        );
    }

    #[test]
    fn hostile_repetitions_end_within_their_steps() {
        // Each ends (the first is simplified by the parser to the empty
        // string; the others run out of steps or grow too long).
        for pattern in [
            "(?:(?:^{4096}){4096}){4096}",
            "(?:(?:(?:\\b{1000}){1000}){1000}){1000}",
            "^((((a{1000}){1000}){1000}){1000})$",
            "(?:(?:(?:x?){1000}){1000}){1000}",
            "(?:(?:(?:|a){4096}){4096}){4096}",
        ] {
            let _ = generate(pattern, 0, usize::MAX, STEPS);
            let _ = generate(pattern, 50, 100, STEPS);
        }
        // Zero-width repetitions that the parser keeps: out of steps.
        assert_eq!(
            generate("(?:(?:(?:|a){4096}){4096}){4096}", 0, 10, STEPS),
            Generated::OutOfSteps
        );
        assert_eq!(
            generate("(?:(?:(?:(?:)|a){64}){64}){64}x", 1, 10, STEPS),
            Generated::OutOfSteps
        );
        // A pattern within its steps still gives its string.
        assert_eq!(
            generate("^a{5}$", 0, 10, 50),
            Generated::Found("aaaaa".into())
        );
    }
}
