//! Whether a string matches a schema's `pattern`, by an ECMA-262 engine,
//! within a budget: natively the `regress` crate, in WebAssembly the
//! JavaScript engine's own `RegExp` (the same dialect, and nothing added to
//! the worker's size).
//!
//! A schema's `pattern` is an ECMA-262 regular expression, matched anywhere
//! in the string. It is compiled with the `u` flag (as JSON Schema asks and
//! as validators such as Ajv do), else without it (the lenient syntax of
//! Annex B that browsers accept); a pattern written as `/regex/flags` is
//! read as its regex with its `i`, `m` and `s` flags.
//!
//! Both engines backtrack and have no step limit of their own, and a pattern
//! such as `^(a+)+$` takes exponential time on `aaaa…b`. So before a match
//! runs, [`worst_case`] bounds the steps a backtracking matcher could take
//! for that pattern and that string's length, from the pattern's structure:
//! a match runs only when that bound is within `pattern_steps` × 10, and all
//! the matches of one conversion within `conversion_steps` (each charged
//! its bound). A match that would exceed either is not run: the answer is
//! [`Matched::Unknown`], and a stated value is then taken to fit (it is
//! only refused when it certainly does not). Patterns longer than
//! [`MAX_PATTERN`] characters are not compiled.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use super::pattern::literal;

/// The longest pattern compiled, in characters.
pub(crate) const MAX_PATTERN: usize = 4_096;
/// The deepest group nesting [`worst_case`] reads.
const MAX_NESTING: usize = 64;
/// How many compiled patterns are kept.
const MAX_CACHED: usize = 1_024;

/// Whether a string matches a pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Matched {
    Yes,
    No,
    /// Not known: the pattern is not an ECMA-262 regular expression, or
    /// matching it could exceed the budget.
    Unknown,
}

/// The patterns of one conversion, compiled once each, and the steps left
/// for matching them.
pub(crate) struct Patterns {
    compiled: RefCell<HashMap<String, Option<Rc<engine::Regex>>>>,
    /// The bound one match may have.
    per_match: u64,
    /// Steps left for every match still to come.
    left: Cell<u64>,
}

impl Patterns {
    /// Matching within `per_match` steps each and `total` in all.
    pub(crate) fn new(per_match: u64, total: u64) -> Self {
        Patterns {
            compiled: RefCell::new(HashMap::new()),
            per_match,
            left: Cell::new(total),
        }
    }

    /// Whether `pattern` matches somewhere in `s`.
    pub(crate) fn matches(&self, pattern: &str, s: &str) -> Matched {
        let Some(bound) = worst_case(literal(pattern).0, s.chars().count()) else {
            return Matched::Unknown;
        };
        let left = self.left.get();
        if bound > self.per_match as f64 || bound > left as f64 {
            return Matched::Unknown;
        }
        let Some(re) = self.compile(pattern) else {
            return Matched::Unknown;
        };
        self.left.set(left - bound as u64);
        if re.is_match(s) {
            Matched::Yes
        } else {
            Matched::No
        }
    }

    fn compile(&self, pattern: &str) -> Option<Rc<engine::Regex>> {
        if let Some(hit) = self.compiled.borrow().get(pattern) {
            return hit.clone();
        }
        let re = compile(pattern).map(Rc::new);
        let mut cache = self.compiled.borrow_mut();
        if cache.len() < MAX_CACHED {
            cache.insert(pattern.to_owned(), re.clone());
        }
        re
    }
}

/// `pattern` compiled as ECMA-262 does: with the `u` flag, else without.
fn compile(pattern: &str) -> Option<engine::Regex> {
    let (source, flags) = literal(pattern);
    if source.chars().count() > MAX_PATTERN {
        return None;
    }
    let kept: String = flags.chars().filter(|c| "ims".contains(*c)).collect();
    engine::Regex::new(source, &format!("u{kept}")).or_else(|| engine::Regex::new(source, &kept))
}

#[cfg(not(target_arch = "wasm32"))]
mod engine {
    /// A pattern compiled by `regress`.
    pub(super) struct Regex(regress::Regex);

    impl Regex {
        pub(super) fn new(source: &str, flags: &str) -> Option<Regex> {
            regress::Regex::with_flags(source, flags).ok().map(Regex)
        }

        pub(super) fn is_match(&self, s: &str) -> bool {
            self.0.find(s).is_some()
        }
    }
}

#[cfg(target_arch = "wasm32")]
mod engine {
    use wasm_bindgen::JsCast;

    /// A pattern compiled by the JavaScript engine's `RegExp`.
    pub(super) struct Regex(js_sys::RegExp);

    impl Regex {
        /// `new RegExp(source, flags)`, its SyntaxError caught.
        pub(super) fn new(source: &str, flags: &str) -> Option<Regex> {
            let ctor = js_sys::Reflect::get(&js_sys::global(), &"RegExp".into())
                .ok()?
                .dyn_into::<js_sys::Function>()
                .ok()?;
            let args = js_sys::Array::of2(&source.into(), &flags.into());
            js_sys::Reflect::construct(&ctor, &args)
                .ok()?
                .dyn_into::<js_sys::RegExp>()
                .ok()
                .map(Regex)
        }

        pub(super) fn is_match(&self, s: &str) -> bool {
            self.0.test(s)
        }
    }
}

/// An upper bound of the steps a backtracking matcher takes to search a
/// string of `n` characters for `pattern`, or `None` when the pattern's
/// structure cannot be read (unbalanced, nested deeper than
/// [`MAX_NESTING`]).
///
/// For one starting position: an atom (a character, class, escape,
/// assertion) costs 1, a back-reference `n + 1`; a sequence costs the
/// product of its parts (each combination of their choices may be tried),
/// an alternation the sum of its branches, a group what its content costs;
/// a repetition of at most `r` times (`r` being its maximum, at most the
/// larger of its minimum and `n`, since each further turn consumes a
/// character) costs `r + 1` when what it repeats costs 1, else that cost to
/// the power `r`, times `r + 1`: a repeated choice may be split in every
/// way, which is what makes `(a+)+` exponential. Every starting position
/// may be tried: times `n + 1`.
pub(crate) fn worst_case(pattern: &str, n: usize) -> Option<f64> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut lexer = Lexer {
        chars: &chars,
        pos: 0,
        depth: 0,
        n: n as f64,
    };
    let cost = lexer.alternation()?;
    if lexer.pos != chars.len() {
        return None;
    }
    Some(cost * (lexer.n + 1.0))
}

struct Lexer<'c> {
    chars: &'c [char],
    pos: usize,
    depth: usize,
    n: f64,
}

impl Lexer<'_> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn alternation(&mut self) -> Option<f64> {
        let mut total = self.sequence()?;
        while self.eat('|') {
            total += self.sequence()?;
        }
        Some(total)
    }

    fn sequence(&mut self) -> Option<f64> {
        let mut cost = 1.0_f64;
        while let Some(c) = self.peek() {
            if c == '|' || c == ')' {
                break;
            }
            let atom = self.atom()?;
            cost *= self.quantified(atom);
        }
        Some(cost)
    }

    fn atom(&mut self) -> Option<f64> {
        let c = self.peek()?;
        self.pos += 1;
        match c {
            '\\' => Some(self.escape()),
            '[' => {
                self.class();
                Some(1.0)
            }
            '(' => {
                if self.depth >= MAX_NESTING {
                    return None;
                }
                self.group_prefix();
                self.depth += 1;
                let inner = self.alternation()?;
                self.depth -= 1;
                self.eat(')').then_some(inner)
            }
            // A quantifier with nothing to repeat.
            '*' | '+' | '?' => None,
            _ => Some(1.0),
        }
    }

    /// After `\`: a back-reference costs `n + 1`, anything else 1.
    fn escape(&mut self) -> f64 {
        let Some(c) = self.peek() else {
            return 1.0;
        };
        self.pos += 1;
        match c {
            '1'..='9' => {
                while self.peek().is_some_and(|d| d.is_ascii_digit()) {
                    self.pos += 1;
                }
                self.n + 1.0
            }
            'k' if self.peek() == Some('<') => {
                self.skip_to('>');
                self.n + 1.0
            }
            'p' | 'P' | 'u' | 'x' if self.peek() == Some('{') => {
                self.skip_to('}');
                1.0
            }
            _ => 1.0,
        }
    }

    /// Past the closing `}` or `>` (or to the end).
    fn skip_to(&mut self, end: char) {
        while let Some(c) = self.peek() {
            self.pos += 1;
            if c == end {
                break;
            }
        }
    }

    /// A class, after its `[`: up to its first unescaped `]` (in ECMA-262,
    /// `[]` is an empty class and `[^]` any character).
    fn class(&mut self) {
        self.eat('^');
        while let Some(c) = self.peek() {
            self.pos += 1;
            match c {
                '\\' => self.pos += 1,
                ']' => return,
                _ => {}
            }
        }
    }

    /// `?:`, `?=`, `?!`, `?<=`, `?<!`, `?<name>` after a `(`.
    fn group_prefix(&mut self) {
        if !self.eat('?') {
            return;
        }
        if self.eat('<') {
            if self.eat('=') || self.eat('!') {
                return;
            }
            self.skip_to('>');
            return;
        }
        // `:`, `=`, `!`, or modifiers such as `i:`.
        while let Some(c) = self.peek() {
            self.pos += 1;
            if matches!(c, ':' | '=' | '!') {
                break;
            }
        }
    }

    /// The cost of `atom` under the quantifier that follows it, if any.
    fn quantified(&mut self, atom: f64) -> f64 {
        let Some((min, max)) = self.quantifier() else {
            return atom;
        };
        self.eat('?'); // lazy: the same choices, in another order
        let turns = max.min(min.max(self.n));
        if atom <= 1.0 {
            turns + 1.0
        } else {
            atom.powf(turns) * (turns + 1.0)
        }
    }

    /// `*`, `+`, `?` or `{n}`, `{n,}`, `{n,m}`: its least and most turns
    /// (infinite for none); `None` when there is none (a `{` that does not
    /// begin one is a character, as Annex B reads it).
    fn quantifier(&mut self) -> Option<(f64, f64)> {
        match self.peek()? {
            '*' => {
                self.pos += 1;
                Some((0.0, f64::INFINITY))
            }
            '+' => {
                self.pos += 1;
                Some((1.0, f64::INFINITY))
            }
            '?' => {
                self.pos += 1;
                Some((0.0, 1.0))
            }
            '{' => {
                let start = self.pos;
                self.pos += 1;
                let min = self.number();
                let bounds = match (min, self.peek()) {
                    (Some(min), Some('}')) => Some((min, min)),
                    (Some(min), Some(',')) => {
                        self.pos += 1;
                        match (self.number(), self.peek()) {
                            (None, Some('}')) => Some((min, f64::INFINITY)),
                            (Some(max), Some('}')) => Some((min, max)),
                            _ => None,
                        }
                    }
                    _ => None,
                };
                if bounds.is_some() {
                    self.pos += 1;
                } else {
                    self.pos = start;
                }
                bounds
            }
            _ => None,
        }
    }

    fn number(&mut self) -> Option<f64> {
        let start = self.pos;
        let mut value = 0.0_f64;
        while let Some(d) = self.peek().and_then(|c| c.to_digit(10)) {
            value = value * 10.0 + f64::from(d);
            self.pos += 1;
        }
        (self.pos > start).then_some(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yes(pattern: &str, s: &str) -> Matched {
        Patterns::new(1_000_000, 10_000_000).matches(pattern, s)
    }

    #[test]
    fn ecma_262_patterns_match() {
        assert_eq!(yes("^[a-z]+$", "abc"), Matched::Yes);
        assert_eq!(yes("^[a-z]+$", "abc1"), Matched::No);
        // Found anywhere, as JSON Schema asks.
        assert_eq!(yes("[0-9]", "ab3"), Matched::Yes);
        // ECMA-262 classes: \d is ASCII, [^] is any character.
        assert_eq!(yes(r"^\d$", "٣"), Matched::No);
        assert_eq!(yes("^[^]$", "\n"), Matched::Yes);
        // Look-around and back-references (beyond a simple subset).
        assert_eq!(
            yes("^(?=.*[A-Z])(?=.*[0-9]).{8,}$", "Passw0rdX"),
            Matched::Yes
        );
        assert_eq!(
            yes("^(?=.*[A-Z])(?=.*[0-9]).{8,}$", "password"),
            Matched::No
        );
        assert_eq!(yes(r"^(a)\1$", "aa"), Matched::Yes);
        // Unicode property escapes (with `u`); Annex B syntax (without).
        assert_eq!(yes(r"^\p{Lu}+$", "ÀB"), Matched::Yes);
        assert_eq!(yes(r"^a{$", "a{"), Matched::Yes);
        // `/regex/flags`.
        assert_eq!(yes("/^abc$/i", "ABC"), Matched::Yes);
        // Not a regular expression at all.
        assert_eq!(yes("(unclosed", "x"), Matched::Unknown);
    }

    #[test]
    fn catastrophic_patterns_are_not_run() {
        // 2^40 steps for a backtracking engine: refused by the bound, so
        // this test ends (it would not if the match ran).
        let s = format!("{}b", "a".repeat(40));
        assert_eq!(yes("^(a+)+$", &s), Matched::Unknown);
        assert_eq!(yes("^(a|a)*$", &s), Matched::Unknown);
        assert_eq!(yes("^(?:a*)*$", &s), Matched::Unknown);
        // The same pattern on a short string is within the bound.
        assert_eq!(yes("^(a+)+$", "aab"), Matched::No);
        // Huge counted repetitions of something that matches empty.
        assert_eq!(yes("(?:){1000000000}", "x"), Matched::Unknown);
    }

    #[test]
    fn the_total_is_a_budget() {
        let p = Patterns::new(1_000_000, 100);
        // Each check of `^[a-z]+$` on 5 characters is bounded by 36 steps.
        assert_eq!(p.matches("^[a-z]+$", "abcde"), Matched::Yes);
        assert_eq!(p.matches("^[a-z]+$", "abcde"), Matched::Yes);
        assert_eq!(p.matches("^[a-z]+$", "abcde"), Matched::Unknown);
    }

    #[test]
    fn bounds() {
        assert_eq!(worst_case("abc", 3), Some(4.0));
        assert_eq!(worst_case("a+", 3), Some(16.0));
        assert_eq!(worst_case("a|b", 0), Some(2.0));
        assert!(worst_case("(a+)+", 30).unwrap() > 1e9);
        assert_eq!(worst_case("(a", 1), None);
        assert_eq!(worst_case("a)", 1), None);
        assert_eq!(worst_case(&"(".repeat(100), 1), None);
    }
}
