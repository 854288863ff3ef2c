//! A string that matches a schema's `pattern`, for the common subset of
//! regular expressions: anchors (`^`, `$`), literals and escapes, `.`,
//! character classes (`[a-z0-9_-]`, `[^...]`, with `\d \w \s` inside),
//! `\d \w \s \D \W \S`, groups (`(...)`, `(?:...)`, named `(?<n>...)`),
//! alternation, and the quantifiers `? * + {n} {n,} {n,m}` (lazy forms
//! too). Anything else (back-references, look-around, `\p{...}`, `\b` in
//! the middle, ...) is beyond the subset: no string is generated, and the
//! caller falls back to its usual value.
//!
//! The choice is deterministic: the first alternative, the first character
//! of a class, the fewest repetitions; more repetitions only to reach
//! `minLength`.
//!
//! Writing takes at most `steps` steps (one per node visited and per
//! repetition), so zero-width repetitions such as
//! `(?:(?:^{4096}){4096}){4096}` end: the answer is then
//! [`Generated::OutOfSteps`]. (The `regex` crate's own parser, `regex-syntax`,
//! was tried for this and reads more patterns, but it added 134 KB gzip to
//! the conversion worker, half again its size.)

/// The longest string generated.
const MAX_LEN: usize = 4_096;
/// The deepest group nesting read.
const MAX_NESTING: usize = 32;

#[derive(Debug, Clone)]
enum Node {
    /// One character.
    Char(char),
    /// A character class: ranges, negated or not.
    Class(Vec<(char, char)>, bool),
    /// A sequence.
    Seq(Vec<Node>),
    /// Alternatives.
    Alt(Vec<Node>),
    /// A repeated node: min, max (None: unbounded).
    Repeat(Box<Node>, usize, Option<usize>),
    /// Matches the empty string (anchors).
    Empty,
}

/// What writing a string for a pattern gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Generated {
    /// A string that matches, within the lengths asked for.
    Found(String),
    /// The pattern is beyond the subset, or no string of those lengths
    /// was found.
    NotFound,
    /// The steps ran out first.
    OutOfSteps,
}

/// Why writing stopped early.
enum Stop {
    /// The steps ran out.
    Steps,
    /// Longer than [`MAX_LEN`], or a class with nothing to pick.
    Failed,
}

/// The regular expression of a pattern written as a JavaScript literal,
/// `/regex/flags` (seen in public specifications, though a schema's
/// `pattern` is the expression alone): the part between the slashes when
/// the pattern starts with `/` and its last `/` is followed by flags only
/// (`d g i m s u v y`); otherwise the pattern as it is. Generation ignores
/// the flags: a string written in the case given matches with `i` too.
pub(crate) fn unwrap_literal(pattern: &str) -> &str {
    literal(pattern).0
}

/// A pattern written as `/regex/flags` as its regex and its flags; any
/// other pattern as it is, with no flags (see [`unwrap_literal`]).
pub(crate) fn literal(pattern: &str) -> (&str, &str) {
    let Some(rest) = pattern.strip_prefix('/') else {
        return (pattern, "");
    };
    match rest.rfind('/') {
        Some(end)
            if end > 0
                && rest[end + 1..]
                    .chars()
                    .all(|c| matches!(c, 'd' | 'g' | 'i' | 'm' | 's' | 'u' | 'v' | 'y')) =>
        {
            (&rest[..end], &rest[end + 1..])
        }
        _ => (pattern, ""),
    }
}

/// A string matching `pattern` whose length (in characters) is within
/// `min_len..=max_len`, written in at most `steps` steps. A pattern written
/// as `/regex/flags` is read as its regex ([`unwrap_literal`]).
pub(crate) fn generate(pattern: &str, min_len: usize, max_len: usize, steps: u64) -> Generated {
    let chars: Vec<char> = unwrap_literal(pattern).chars().collect();
    let mut parser = Parser {
        chars: &chars,
        pos: 0,
        depth: 0,
    };
    let Some(node) = parser.alternation() else {
        return Generated::NotFound;
    };
    if parser.pos != chars.len() {
        return Generated::NotFound;
    }
    let mut left = steps;
    for extra in 0..=min_len.min(64) {
        let mut out = String::new();
        match emit(&node, extra, &mut out, &mut left) {
            Ok(()) => {}
            Err(Stop::Steps) => return Generated::OutOfSteps,
            Err(Stop::Failed) => return Generated::NotFound,
        }
        let len = out.chars().count();
        if len > max_len {
            return Generated::NotFound;
        }
        if len >= min_len {
            return Generated::Found(out);
        }
        if extra > 0 && !grows(&node) {
            return Generated::NotFound;
        }
    }
    Generated::NotFound
}

/// Whether the node has a repetition that can grow.
fn grows(node: &Node) -> bool {
    match node {
        Node::Repeat(inner, min, max) => max.is_none_or(|m| m > *min) || grows(inner),
        Node::Seq(items) => items.iter().any(grows),
        Node::Alt(items) => items.first().is_some_and(grows),
        _ => false,
    }
}

fn emit(node: &Node, extra: usize, out: &mut String, steps: &mut u64) -> Result<(), Stop> {
    if *steps == 0 {
        return Err(Stop::Steps);
    }
    *steps -= 1;
    if out.len() > MAX_LEN {
        return Err(Stop::Failed);
    }
    match node {
        Node::Char(c) => out.push(*c),
        Node::Class(ranges, negated) => out.push(pick(ranges, *negated).ok_or(Stop::Failed)?),
        Node::Seq(items) => {
            for i in items {
                emit(i, extra, out, steps)?;
            }
        }
        Node::Alt(items) => emit(items.first().ok_or(Stop::Failed)?, extra, out, steps)?,
        Node::Repeat(inner, min, max) => {
            let wanted = min.saturating_add(extra);
            let count = match max {
                Some(m) => wanted.min(*m),
                None => wanted,
            };
            for _ in 0..count {
                emit(inner, extra, out, steps)?;
            }
        }
        Node::Empty => {}
    }
    Ok(())
}

/// The first character of a class (a readable one for negated classes).
fn pick(ranges: &[(char, char)], negated: bool) -> Option<char> {
    let inside = |c: char| ranges.iter().any(|(a, b)| *a <= c && c <= *b);
    if negated {
        "a0A_-.x~Z9".chars().chain('!'..='~').find(|c| !inside(*c))
    } else {
        // Prefer a letter or digit inside the first range when there is one.
        let (a, b) = *ranges.first()?;
        ('a'..='z')
            .chain('0'..='9')
            .chain('A'..='Z')
            .find(|c| a <= *c && *c <= b)
            .or(Some(a))
    }
}

struct Parser<'c> {
    chars: &'c [char],
    pos: usize,
    depth: usize,
}

const DIGITS: &[(char, char)] = &[('0', '9')];
const WORD: &[(char, char)] = &[('a', 'z'), ('A', 'Z'), ('0', '9'), ('_', '_')];
const SPACE: &[(char, char)] = &[(' ', ' '), ('\t', '\t'), ('\n', '\n'), ('\r', '\r')];

impl Parser<'_> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn alternation(&mut self) -> Option<Node> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return None;
        }
        let mut alternatives = vec![self.sequence()?];
        while self.peek() == Some('|') {
            self.pos += 1;
            alternatives.push(self.sequence()?);
        }
        self.depth -= 1;
        Some(if alternatives.len() == 1 {
            alternatives.pop()?
        } else {
            Node::Alt(alternatives)
        })
    }

    fn sequence(&mut self) -> Option<Node> {
        let mut items = Vec::new();
        while let Some(c) = self.peek() {
            if c == '|' || c == ')' {
                break;
            }
            let atom = self.atom()?;
            let atom = self.quantified(atom)?;
            items.push(atom);
        }
        Some(Node::Seq(items))
    }

    fn atom(&mut self) -> Option<Node> {
        let c = self.peek()?;
        self.pos += 1;
        Some(match c {
            '^' | '$' => Node::Empty,
            '.' => Node::Char('a'),
            '(' => {
                if self.peek() == Some('?') {
                    self.pos += 1;
                    match self.peek() {
                        Some(':') => self.pos += 1,
                        Some('<') if !matches!(self.chars.get(self.pos + 1), Some('=' | '!')) => {
                            // A named group: skip the name.
                            while self.peek().is_some_and(|c| c != '>') {
                                self.pos += 1;
                            }
                            self.pos += 1;
                        }
                        Some('P') if self.chars.get(self.pos + 1) == Some(&'<') => {
                            while self.peek().is_some_and(|c| c != '>') {
                                self.pos += 1;
                            }
                            self.pos += 1;
                        }
                        _ => return None,
                    }
                }
                let inner = self.alternation()?;
                if self.peek() != Some(')') {
                    return None;
                }
                self.pos += 1;
                inner
            }
            '[' => self.class()?,
            '\\' => self.escape(false)?,
            '*' | '+' | '?' | '{' | ')' | ']' | '}' => {
                // A `{` that starts no quantifier is a literal, as in JavaScript.
                if c == '{' || c == '}' || c == ']' {
                    Node::Char(c)
                } else {
                    return None;
                }
            }
            other => Node::Char(other),
        })
    }

    /// An escape after `\`: a node, or (in a class) a class node.
    fn escape(&mut self, in_class: bool) -> Option<Node> {
        let c = self.peek()?;
        self.pos += 1;
        Some(match c {
            'd' => Node::Class(DIGITS.to_vec(), false),
            'D' => Node::Class(DIGITS.to_vec(), true),
            'w' => Node::Class(WORD.to_vec(), false),
            'W' => Node::Class(WORD.to_vec(), true),
            's' => Node::Class(SPACE.to_vec(), false),
            'S' => Node::Class(SPACE.to_vec(), true),
            'n' => Node::Char('\n'),
            't' => Node::Char('\t'),
            'r' => Node::Char('\r'),
            'f' => Node::Char('\u{c}'),
            'v' => Node::Char('\u{b}'),
            '0' => Node::Char('\0'),
            'b' if in_class => Node::Char('\u{8}'),
            'x' => Node::Char(self.hex(2)?),
            'u' => Node::Char(self.hex(4)?),
            c if c.is_ascii_alphanumeric() => return None,
            other => Node::Char(other),
        })
    }

    fn hex(&mut self, n: usize) -> Option<char> {
        let digits: String = self.chars.get(self.pos..self.pos + n)?.iter().collect();
        self.pos += n;
        char::from_u32(u32::from_str_radix(&digits, 16).ok()?)
    }

    fn class(&mut self) -> Option<Node> {
        let negated = self.peek() == Some('^');
        if negated {
            self.pos += 1;
        }
        let mut ranges: Vec<(char, char)> = Vec::new();
        let mut first = true;
        loop {
            let c = self.peek()?;
            if c == ']' && !first {
                self.pos += 1;
                break;
            }
            first = false;
            self.pos += 1;
            let start = if c == '\\' {
                match self.escape(true)? {
                    Node::Char(ch) => ch,
                    Node::Class(rs, false) => {
                        ranges.extend(rs);
                        continue;
                    }
                    _ => return None,
                }
            } else if c == '[' && self.peek() == Some(':') {
                return None;
            } else {
                c
            };
            if self.peek() == Some('-') && self.chars.get(self.pos + 1).is_some_and(|n| *n != ']') {
                self.pos += 1;
                let e = self.peek()?;
                self.pos += 1;
                let end = if e == '\\' {
                    match self.escape(true)? {
                        Node::Char(ch) => ch,
                        _ => return None,
                    }
                } else {
                    e
                };
                if end < start {
                    return None;
                }
                ranges.push((start, end));
            } else {
                ranges.push((start, start));
            }
        }
        if ranges.is_empty() && !negated {
            return None;
        }
        Some(Node::Class(ranges, negated))
    }

    fn quantified(&mut self, atom: Node) -> Option<Node> {
        let (min, max) = match self.peek() {
            Some('?') => {
                self.pos += 1;
                (0, Some(1))
            }
            Some('*') => {
                self.pos += 1;
                (0, None)
            }
            Some('+') => {
                self.pos += 1;
                (1, None)
            }
            Some('{') => match self.read_braces() {
                Some((q, len)) => {
                    self.pos += len;
                    q
                }
                // A literal `{`: read as the next atom.
                None => return Some(atom),
            },
            _ => return Some(atom),
        };
        // A lazy quantifier.
        if self.peek() == Some('?') {
            self.pos += 1;
        }
        // A quantifier on a quantifier (possessive, or an error): beyond the subset.
        if matches!(self.peek(), Some('*' | '+' | '?'))
            || (self.peek() == Some('{') && self.read_braces().is_some())
        {
            return None;
        }
        if min > MAX_LEN || max.is_some_and(|m| m > 1_000_000) {
            return None;
        }
        Some(Node::Repeat(Box::new(atom), min, max))
    }

    /// `{n}`, `{n,}` or `{n,m}` at the current position, and its length.
    fn read_braces(&self) -> Option<((usize, Option<usize>), usize)> {
        let rest = self.chars.get(self.pos..)?;
        if rest.first() != Some(&'{') {
            return None;
        }
        let close = rest.iter().position(|c| *c == '}')?;
        let inner: String = rest.get(1..close)?.iter().collect();
        let (a, b) = match inner.split_once(',') {
            Some((a, b)) => (a, Some(b)),
            None => (inner.as_str(), None),
        };
        let min: usize = a.trim().parse().ok()?;
        let max = match b {
            None => Some(min),
            Some(b) if b.trim().is_empty() => None,
            Some(b) => Some(b.trim().parse().ok()?),
        };
        if max.is_some_and(|m| m < min) {
            return None;
        }
        Some(((min, max), close + 1))
    }
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

    /// `/regex/flags`, as some specifications write a pattern: the regex
    /// between the slashes, never the slashes; a path-like pattern stays.
    #[test]
    fn javascript_literals_are_read_as_their_regex() {
        assert_eq!(unwrap_literal("/^[a-z]{3}$/i"), "^[a-z]{3}$");
        assert_eq!(unwrap_literal("/^[0-9]+$/"), "^[0-9]+$");
        assert_eq!(unwrap_literal("/users/[0-9]+"), "/users/[0-9]+");
        assert_eq!(unwrap_literal("^/api/v1$"), "^/api/v1$");
        assert_eq!(unwrap_literal("/"), "/");
        assert_eq!(unwrap_literal("//"), "//");
        assert_eq!(found("/^[a-z]{3}$/i", 0, 10).as_deref(), Some("aaa"));
        assert_eq!(found("/^[0-9]{2}-[A-Z]$/", 0, 10).as_deref(), Some("00-A"));
    }

    /// Patterns in the subset, and what they give.
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
        ];
        for (pattern, min, max) in cases {
            let s = found(pattern, *min, *max).unwrap_or_else(|| panic!("no string for {pattern}"));
            let re = regex_lite::Regex::new(pattern).unwrap();
            assert!(re.is_match(&s), "{s:?} does not match {pattern}");
            let n = s.chars().count();
            assert!(n >= *min && n <= *max, "{s:?} length for {pattern}");
        }
        assert_eq!(found("^[a-z0-9_-]{3,16}$", 0, 100).as_deref(), Some("aaa"));
        assert_eq!(found("^\\d{3}$", 0, 100).as_deref(), Some("000"));
        assert_eq!(found("^(foo|bar)$", 0, 100).as_deref(), Some("foo"));
    }

    #[test]
    fn beyond_the_subset_gives_nothing() {
        for pattern in [
            "(a)\\1",
            "^(?=a)a$",
            "^(?!b)a$",
            "\\p{L}+",
            "[[:alpha:]]",
            "(unclosed",
            "a**",
            "[z-a]",
            "a{2}{3}",
            "^\\d{3}$",
        ] {
            let out = found(pattern, 0, if pattern == "^\\d{3}$" { 2 } else { 100 });
            assert!(out.is_none(), "{pattern}: {out:?}");
        }
    }

    #[test]
    fn hostile_repetitions_end_within_their_steps() {
        // Each ends: out of steps, too long, or beyond the subset.
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
        // The 280-byte pattern of issue 12, and other zero-width
        // repetitions: out of steps.
        assert_eq!(
            generate("(?:(?:^{4096}){4096}){4096}", 0, 10, STEPS),
            Generated::OutOfSteps
        );
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
