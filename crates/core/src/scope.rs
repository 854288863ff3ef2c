//! Endpoint scope: which endpoints a scan sends requests to.
//!
//! A [`Scope`] is an ordered list of [`ScopeRule`]s. Each rule selects
//! endpoints by exactly one [`Selector`] (one endpoint, a tag, a method or
//! a path pattern) and gives them a [`ScopeDecision`]. An endpoint no rule
//! selects is [`ScopeDecision::Include`]d, so the empty scope (the default)
//! includes everything.
//!
//! # Precedence
//!
//! 1. A rule for that one endpoint ([`Selector::Endpoint`]) wins over every
//!    group rule, wherever it stands; of several, the last one wins.
//! 2. Otherwise the last group rule ([`Selector::Tag`], [`Selector::Method`],
//!    [`Selector::Path`]) that selects the endpoint wins.
//! 3. Otherwise the endpoint is included.
//!
//! # Path patterns
//!
//! A pattern starts with `/` and is split on `/` into segments, as the
//! path template is. A pattern segment that is exactly `**` matches any
//! number of whole path segments (none included); in any other segment,
//! `*` matches any run of characters within one segment (possibly empty),
//! and every other character matches itself, `{` and `}` included, so
//! `/pets/{id}` matches the template `/pets/{id}` only. So `/admin/*`
//! matches `/admin/users` but neither `/admin` nor `/admin/users/1`;
//! `/users/**` matches `/users`, `/users/1` and `/users/1/pets`;
//! `/v*/pets` matches `/v1/pets` and `/v2/pets`. Matching is case-sensitive.
//!
//! Matching simulates the pattern as a set of states, without recursion or
//! backtracking: its time is at most proportional to the pattern's length
//! times the path's, and every step counts against [`MAX_SCOPE_STEPS`]
//! (so does every rule tried on every endpoint). Patterns are split once
//! per conversion, paths once per endpoint.
//!
//! # Budgets
//!
//! At most [`MAX_SCOPE_RULES`] rules; each pattern, tag or endpoint path at
//! most [`MAX_SCOPE_PATTERN_CHARS`] characters. [`Scope::validate`] refuses
//! a scope over either (for the app and the server, before storing it); a
//! conversion given one anyway reports an Error diagnostic and leaves the
//! offending rules out (see `spec::scoping`).
//!
//! Depends on `diagnostic` and `plan` (for [`Method`]) only.

use serde::{Deserialize, Serialize};

use crate::plan::Method;

/// How many rules a scope may hold.
pub const MAX_SCOPE_RULES: usize = 1_000;

/// How many characters a path pattern, a tag or an endpoint's path in a
/// rule may have.
pub const MAX_SCOPE_PATTERN_CHARS: usize = 512;

/// How many matching steps deciding the scope of one specification may take
/// (one step: one pattern character tried against one path character, or
/// one pattern segment against one path segment). Past it, the endpoints
/// not yet decided are excluded, with an Error diagnostic.
pub const MAX_SCOPE_STEPS: u64 = 20_000_000;

/// What a scan does with an endpoint.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ScopeDecision {
    /// Requests are sent and tested (the default).
    #[default]
    Include,
    /// Scanners send no request to it.
    Exclude,
    /// Requests are sent but not tested. Postman collections only: for
    /// other formats it is treated as [`ScopeDecision::Include`], with a
    /// Warning.
    Ignore,
}

impl ScopeDecision {
    /// Whether it is [`ScopeDecision::Include`] (for serde's
    /// `skip_serializing_if`).
    pub fn is_include(&self) -> bool {
        *self == ScopeDecision::Include
    }

    /// Whether a scanner sends requests to the endpoint: included or
    /// ignored.
    pub fn is_sent(self) -> bool {
        self != ScopeDecision::Exclude
    }

    /// The word shown to users: `Include`, `Exclude`, `Ignore`.
    pub fn label(self) -> &'static str {
        match self {
            ScopeDecision::Include => "Include",
            ScopeDecision::Exclude => "Exclude",
            ScopeDecision::Ignore => "Ignore",
        }
    }
}

/// Which endpoints a rule selects: exactly one of these.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Selector {
    /// One endpoint: its method and its path template exactly as the
    /// specification writes it (`/pets/{petId}`).
    Endpoint {
        /// The method.
        method: Method,
        /// The path template, compared character for character.
        path: String,
    },
    /// Every endpoint with this tag (compared exactly, as the endpoint
    /// keeps it: see [`crate::Endpoint::tags`]).
    Tag(String),
    /// Every endpoint with this method.
    Method(Method),
    /// Every endpoint whose path template matches this pattern (see the
    /// module's documentation for the syntax).
    Path(String),
}

/// One rule of a [`Scope`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ScopeRule {
    /// The endpoints it selects.
    pub selector: Selector,
    /// What becomes of them.
    pub decision: ScopeDecision,
}

impl std::fmt::Display for ScopeRule {
    /// `Exclude tag admin`, `Exclude method DELETE`, `Exclude path
    /// /internal/**`, `Include GET /pets/{petId}`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let d = self.decision.label();
        match &self.selector {
            Selector::Endpoint { method, path } => write!(f, "{d} {} {path}", method.as_str()),
            Selector::Tag(tag) => write!(f, "{d} tag {tag}"),
            Selector::Method(method) => write!(f, "{d} method {}", method.as_str()),
            Selector::Path(pattern) => write!(f, "{d} path {pattern}"),
        }
    }
}

/// Which endpoints a scan covers: ordered rules, later ones winning (see
/// the module's documentation). The default, no rule, includes every
/// endpoint.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default)]
pub struct Scope {
    /// The rules, in the order they were given.
    pub rules: Vec<ScopeRule>,
}

/// Why a [`Scope`] is refused by [`Scope::validate`] or a rule left out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopeError {
    /// The index of the rule at fault; `None` for the scope as a whole.
    pub rule: Option<usize>,
    /// A sentence for the user: what is wrong and what to do.
    pub message: String,
}

impl Scope {
    /// Whether it has no rule (everything included).
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// A short account for the activity log: `Every endpoint included`, or
    /// the count and the first few rules, e.g. `2 rules: Exclude tag
    /// admin; Exclude path /internal/**`.
    pub fn summary(&self) -> String {
        const SHOWN: usize = 5;
        if self.rules.is_empty() {
            return "Every endpoint included".to_owned();
        }
        let mut listed: Vec<String> = self
            .rules
            .iter()
            .take(SHOWN)
            .map(|r| crate::diagnostic::shorten(&r.to_string(), 80))
            .collect();
        if self.rules.len() > SHOWN {
            listed.push(format!("and {} more", self.rules.len() - SHOWN));
        }
        format!(
            "{}: {}",
            crate::text::count(self.rules.len() as u64, "rule", "rules"),
            listed.join("; ")
        )
    }

    /// Every problem of the scope: more than [`MAX_SCOPE_RULES`] rules,
    /// and each rule [`rule_problem`] finds fault with (of the first
    /// [`MAX_SCOPE_RULES`]).
    pub fn problems(&self) -> Vec<ScopeError> {
        let mut out = Vec::new();
        if self.rules.len() > MAX_SCOPE_RULES {
            out.push(ScopeError {
                rule: None,
                message: format!(
                    "The scope has {} rules; at most {MAX_SCOPE_RULES} are allowed. Select endpoints by tag, method or path pattern to need fewer rules.",
                    self.rules.len()
                ),
            });
        }
        for (index, rule) in self.rules.iter().take(MAX_SCOPE_RULES).enumerate() {
            if let Some(message) = rule_problem(rule) {
                out.push(ScopeError {
                    rule: Some(index),
                    message,
                });
            }
        }
        out
    }

    /// Refuses a scope with any of [`Scope::problems`]: the first is
    /// returned. For the app and the server, before a scope is stored.
    pub fn validate(&self) -> Result<(), ScopeError> {
        match self.problems().into_iter().next() {
            None => Ok(()),
            Some(e) => Err(e),
        }
    }

    /// The rules a conversion applies: the first [`MAX_SCOPE_RULES`],
    /// without those [`rule_problem`] finds fault with.
    pub fn usable_rules(&self) -> impl Iterator<Item = &ScopeRule> {
        self.rules
            .iter()
            .take(MAX_SCOPE_RULES)
            .filter(|r| rule_problem(r).is_none())
    }
}

/// What is wrong with one rule, as a sentence: an empty or over-long tag,
/// pattern or path ([`MAX_SCOPE_PATTERN_CHARS`]), or a pattern or path
/// that does not start with `/`.
pub fn rule_problem(rule: &ScopeRule) -> Option<String> {
    let (what, text) = match &rule.selector {
        Selector::Method(_) => return None,
        Selector::Tag(t) => ("tag", t),
        Selector::Path(p) => ("path pattern", p),
        Selector::Endpoint { path, .. } => ("endpoint path", path),
    };
    let chars = text.chars().count();
    if text.trim().is_empty() {
        return Some(format!("A scope rule has an empty {what}. Enter one."));
    }
    if chars > MAX_SCOPE_PATTERN_CHARS {
        return Some(format!(
            "A scope rule's {what} has {chars} characters; at most {MAX_SCOPE_PATTERN_CHARS} are allowed. Shorten it (a path pattern can use * and **)."
        ));
    }
    let is_path = !matches!(rule.selector, Selector::Tag(_));
    if is_path && !text.starts_with('/') {
        return Some(format!(
            "The scope rule's {what} `{}` does not start with /. Write it as the specification's paths are written, such as /pets/{{id}} or /admin/**.",
            text.escape_debug()
        ));
    }
    None
}

/// The part of an endpoint a [`Scope`] looks at.
#[derive(Debug, Clone, Copy)]
pub struct Candidate<'a> {
    /// Its method.
    pub method: Method,
    /// Its path template, as written.
    pub path: &'a str,
    /// Its tags.
    pub tags: &'a [String],
}

/// The rules of a scope arranged for deciding many endpoints: endpoint
/// rules by (method, path), group rules in order with their path patterns
/// split into segments once.
#[derive(Debug)]
pub struct Decider<'s> {
    endpoints: std::collections::HashMap<(Method, &'s str), ScopeDecision>,
    groups: Vec<(&'s ScopeRule, Option<Pattern>)>,
    steps: u64,
}

impl<'s> Decider<'s> {
    /// Arranges the [`Scope::usable_rules`] of `scope`, with a budget of
    /// `steps` matching steps (normally [`MAX_SCOPE_STEPS`]).
    pub fn new(scope: &'s Scope, steps: u64) -> Decider<'s> {
        let mut endpoints = std::collections::HashMap::new();
        let mut groups = Vec::new();
        for rule in scope.usable_rules() {
            match &rule.selector {
                Selector::Endpoint { method, path } => {
                    endpoints.insert((*method, path.as_str()), rule.decision);
                }
                Selector::Path(p) => groups.push((rule, Some(Pattern::new(p)))),
                _ => groups.push((rule, None)),
            }
        }
        Decider {
            endpoints,
            groups,
            steps,
        }
    }

    /// The decision for one endpoint, by the module's precedence; `None`
    /// when the matching budget ran out before it was decided. Every rule
    /// tried costs at least one step, and reading the path one per
    /// character.
    pub fn decide(&mut self, endpoint: Candidate<'_>) -> Option<ScopeDecision> {
        if let Some(d) = self.endpoints.get(&(endpoint.method, endpoint.path)) {
            return Some(*d);
        }
        let mut segments: Option<Option<Vec<Vec<char>>>> = None;
        for (rule, pattern) in self.groups.iter().rev() {
            step(&mut self.steps, 1 + endpoint.tags.len() as u64)?;
            let selected = match (&rule.selector, pattern) {
                (Selector::Tag(t), _) => endpoint.tags.iter().any(|e| e == t),
                (Selector::Method(m), _) => *m == endpoint.method,
                (_, Some(pattern)) => {
                    if segments.is_none() {
                        step(&mut self.steps, endpoint.path.len() as u64)?;
                        segments = Some(path_segments(endpoint.path));
                    }
                    match segments.as_ref().and_then(Option::as_ref) {
                        Some(path) => pattern.matches(path, &mut self.steps)?,
                        None => false,
                    }
                }
                _ => false,
            };
            if selected {
                return Some(rule.decision);
            }
        }
        Some(ScopeDecision::Include)
    }
}

/// Takes `cost` steps from `budget`; `None` when not that many are left.
fn step(budget: &mut u64, cost: u64) -> Option<()> {
    *budget = budget.checked_sub(cost)?;
    Some(())
}

/// One segment of a path pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    /// `**`: any number of whole segments.
    AnyDepth,
    /// Characters, `*` among them standing for any run within the segment.
    Segment(Vec<char>),
}

/// A path pattern split into its segments (see the module's
/// documentation).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Pattern {
    parts: Vec<Part>,
}

impl Pattern {
    /// Splits a pattern (`/admin/**`) into its segments.
    fn new(pattern: &str) -> Pattern {
        let parts = pattern
            .strip_prefix('/')
            .unwrap_or(pattern)
            .split('/')
            .map(|p| match p {
                "**" => Part::AnyDepth,
                _ => Part::Segment(p.chars().collect()),
            })
            .collect();
        Pattern { parts }
    }

    /// Whether a path, split by [`path_segments`], matches, each step
    /// taken from `budget`; `None` when it runs out.
    fn matches(&self, path: &[Vec<char>], budget: &mut u64) -> Option<bool> {
        let parts = &self.parts;
        // states[i]: the first i parts match the segments read so far.
        let mut states = vec![false; parts.len() + 1];
        states[0] = true;
        close(parts, &mut states);
        for segment in path {
            step(budget, parts.len() as u64 + 1)?;
            let mut next = vec![false; parts.len() + 1];
            for (i, part) in parts.iter().enumerate() {
                if !states[i] {
                    continue;
                }
                match part {
                    Part::AnyDepth => next[i] = true,
                    Part::Segment(p) => {
                        if segment_match(p, segment, budget)? {
                            next[i + 1] = true;
                        }
                    }
                }
            }
            close(parts, &mut next);
            if !next.iter().any(|s| *s) {
                return Some(false);
            }
            states = next;
        }
        Some(states[parts.len()])
    }
}

/// The segments of a path template, as characters; `None` when it does not
/// start with `/` (no pattern matches it).
fn path_segments(path: &str) -> Option<Vec<Vec<char>>> {
    let path = path.strip_prefix('/')?;
    Some(path.split('/').map(|s| s.chars().collect()).collect())
}

/// Whether `path` matches the pattern (see the module's documentation),
/// each step taken from `budget`; `None` when it runs out.
pub fn glob_match(pattern: &str, path: &str, budget: &mut u64) -> Option<bool> {
    match path_segments(path) {
        Some(segments) => Pattern::new(pattern).matches(&segments, budget),
        None => Some(false),
    }
}

/// Lets every `**` part match no segment at all.
fn close(parts: &[Part], states: &mut [bool]) {
    for (i, p) in parts.iter().enumerate() {
        if states[i] && *p == Part::AnyDepth {
            states[i + 1] = true;
        }
    }
}

/// Whether one path segment matches one pattern segment, where `*` is any
/// run of characters: the greedy algorithm that remembers only the last
/// `*` (correct for `*` alone; at most pattern × segment steps, and at
/// least one).
fn segment_match(p: &[char], s: &[char], budget: &mut u64) -> Option<bool> {
    step(budget, 1)?;
    let (mut pi, mut si) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while si < s.len() {
        step(budget, 1)?;
        if pi < p.len() && p[pi] == '*' {
            star = Some((pi, si));
            pi += 1;
        } else if pi < p.len() && p[pi] == s[si] {
            pi += 1;
            si += 1;
        } else if let Some((sp, ss)) = star {
            pi = sp + 1;
            si = ss + 1;
            star = Some((sp, ss + 1));
        } else {
            return Some(false);
        }
    }
    Some(p[pi..].iter().all(|c| *c == '*'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pattern: &str, path: &str) -> bool {
        let mut budget = MAX_SCOPE_STEPS;
        glob_match(pattern, path, &mut budget).unwrap()
    }

    fn rule(selector: Selector, decision: ScopeDecision) -> ScopeRule {
        ScopeRule { selector, decision }
    }

    fn decide(scope: &Scope, method: Method, path: &str, tags: &[&str]) -> ScopeDecision {
        let tags: Vec<String> = tags.iter().map(|t| t.to_string()).collect();
        Decider::new(scope, MAX_SCOPE_STEPS)
            .decide(Candidate {
                method,
                path,
                tags: &tags,
            })
            .unwrap()
    }

    #[test]
    fn one_star_is_one_segment_or_part_of_one() {
        assert!(m("/admin/*", "/admin/users"));
        assert!(!m("/admin/*", "/admin/users/1"));
        assert!(!m("/admin/*", "/admin"));
        assert!(m("/v*/pets", "/v1/pets"));
        assert!(m("/v*/pets", "/v/pets"));
        assert!(!m("/v*/pets", "/x1/pets"));
        assert!(m("/pets/*.json", "/pets/a.json"));
        assert!(!m("/pets/*.json", "/pets/a.xml"));
        assert!(m("/*/*", "/a/b"));
        assert!(!m("/*/*", "/a"));
    }

    #[test]
    fn two_stars_are_any_number_of_segments() {
        assert!(m("/users/**", "/users"));
        assert!(m("/users/**", "/users/1"));
        assert!(m("/users/**", "/users/1/pets/2"));
        assert!(!m("/users/**", "/user"));
        assert!(m("/**", "/"));
        assert!(m("/**", "/anything/at/all"));
        assert!(m("/**/pets", "/pets"));
        assert!(m("/**/pets", "/a/b/pets"));
        assert!(!m("/**/pets", "/a/b/pets/1"));
        assert!(m("/a/**/b/**/c", "/a/x/b/y/z/c"));
        assert!(!m("/a/**/b/**/c", "/a/x/y/z/c"));
    }

    #[test]
    fn literal_segments_and_templates() {
        assert!(m("/pets/{id}", "/pets/{id}"));
        assert!(!m("/pets/{id}", "/pets/{petId}"));
        assert!(!m("/pets/{id}", "/pets/42"));
        assert!(m("/pets/*", "/pets/{petId}"));
        assert!(m("/pets", "/pets"));
        assert!(!m("/pets", "/Pets"));
        assert!(!m("/pets", "/pets/"));
        assert!(!m("/pets", "pets"), "a path that does not start with /");
    }

    #[test]
    fn hostile_patterns_stay_within_their_budget() {
        // The classic exponential case for backtracking matchers.
        let pattern = format!("/{}b", "*a".repeat(200));
        let path = format!("/{}", "a".repeat(5_000));
        let mut budget = MAX_SCOPE_STEPS;
        assert_eq!(glob_match(&pattern, &path, &mut budget), Some(false));
        let pattern = format!("/{}/x", ["**"; 200].join("/"));
        let path = format!("/{}", ["a"; 2_000].join("/"));
        assert_eq!(glob_match(&pattern, &path, &mut budget), Some(false));
        // A small budget runs out instead of running long.
        let mut small = 1_000;
        assert_eq!(glob_match(&pattern, &path, &mut small), None);
    }

    #[test]
    fn every_rule_tried_costs_a_step() {
        let scope = Scope {
            rules: vec![rule(Selector::Tag("x".into()), ScopeDecision::Exclude); MAX_SCOPE_RULES],
        };
        let tags = vec!["y".to_owned()];
        let endpoint = Candidate {
            method: Method::Get,
            path: "/a",
            tags: &tags,
        };
        // Two steps a rule (one, and one per tag): 1,000 rules need 2,000.
        assert_eq!(Decider::new(&scope, 1_999).decide(endpoint), None);
        let mut enough = Decider::new(&scope, 2_000);
        assert_eq!(enough.decide(endpoint), Some(ScopeDecision::Include));
        assert_eq!(
            enough.decide(endpoint),
            None,
            "the budget is for all endpoints"
        );
    }

    #[test]
    fn later_rules_win_and_endpoint_rules_win_over_groups() {
        use ScopeDecision::*;
        let scope = Scope {
            rules: vec![
                rule(
                    Selector::Endpoint {
                        method: Method::Get,
                        path: "/admin/health".into(),
                    },
                    Include,
                ),
                rule(Selector::Path("/admin/**".into()), Exclude),
                rule(Selector::Tag("public".into()), Include),
                rule(Selector::Method(Method::Delete), Exclude),
            ],
        };
        assert_eq!(decide(&scope, Method::Get, "/admin/users", &[]), Exclude);
        assert_eq!(
            decide(&scope, Method::Get, "/admin/users", &["public"]),
            Include,
            "the tag rule comes later"
        );
        assert_eq!(
            decide(&scope, Method::Delete, "/admin/users", &["public"]),
            Exclude,
            "the method rule comes last"
        );
        assert_eq!(
            decide(&scope, Method::Get, "/admin/health", &[]),
            Include,
            "the endpoint rule wins though it comes first"
        );
        assert_eq!(decide(&scope, Method::Get, "/pets", &[]), Include);
        assert_eq!(
            decide(&Scope::default(), Method::Post, "/x", &["t"]),
            Include
        );
    }

    #[test]
    fn tags_and_methods_select() {
        use ScopeDecision::*;
        let scope = Scope {
            rules: vec![
                rule(Selector::Tag("internal".into()), Exclude),
                rule(Selector::Method(Method::Options), Ignore),
            ],
        };
        assert_eq!(
            decide(&scope, Method::Get, "/a", &["x", "internal"]),
            Exclude
        );
        assert_eq!(decide(&scope, Method::Get, "/a", &["Internal"]), Include);
        assert_eq!(decide(&scope, Method::Options, "/a", &[]), Ignore);
    }

    #[test]
    fn budgets_are_enforced() {
        let many = Scope {
            rules: vec![
                rule(Selector::Method(Method::Get), ScopeDecision::Exclude);
                MAX_SCOPE_RULES + 1
            ],
        };
        let e = many.validate().unwrap_err();
        assert_eq!(e.rule, None);
        assert!(e.message.contains("1001 rules"), "{}", e.message);
        assert_eq!(many.usable_rules().count(), MAX_SCOPE_RULES);
        let at_limit = Scope {
            rules: many.rules[..MAX_SCOPE_RULES].to_vec(),
        };
        assert!(at_limit.validate().is_ok());

        let long = format!("/{}", "a".repeat(MAX_SCOPE_PATTERN_CHARS));
        for selector in [
            Selector::Path(long.clone()),
            Selector::Tag(long.clone()),
            Selector::Endpoint {
                method: Method::Get,
                path: long.clone(),
            },
        ] {
            let scope = Scope {
                rules: vec![rule(selector, ScopeDecision::Exclude)],
            };
            let e = scope.validate().unwrap_err();
            assert_eq!(e.rule, Some(0));
            assert!(e.message.contains("513 characters"), "{}", e.message);
            assert_eq!(scope.usable_rules().count(), 0);
        }
        let ok = Scope {
            rules: vec![rule(
                Selector::Path(long[..MAX_SCOPE_PATTERN_CHARS].into()),
                ScopeDecision::Exclude,
            )],
        };
        assert!(ok.validate().is_ok());
        for bad in ["", "  ", "admin/*"] {
            let scope = Scope {
                rules: vec![rule(Selector::Path(bad.into()), ScopeDecision::Exclude)],
            };
            assert!(scope.validate().is_err(), "{bad:?}");
        }
        let tag = Scope {
            rules: vec![rule(
                Selector::Tag("no slash needed".into()),
                ScopeDecision::Exclude,
            )],
        };
        assert!(tag.validate().is_ok());
    }

    #[test]
    fn serde_round_trip() {
        let scope = Scope {
            rules: vec![
                rule(
                    Selector::Endpoint {
                        method: Method::Get,
                        path: "/pets/{id}".into(),
                    },
                    ScopeDecision::Ignore,
                ),
                rule(Selector::Tag("t".into()), ScopeDecision::Exclude),
                rule(Selector::Method(Method::Post), ScopeDecision::Include),
                rule(Selector::Path("/a/**".into()), ScopeDecision::Exclude),
            ],
        };
        let json = serde_json::to_string(&scope).unwrap();
        assert_eq!(serde_json::from_str::<Scope>(&json).unwrap(), scope);
        assert_eq!(
            serde_json::from_str::<Scope>("{}").unwrap(),
            Scope::default()
        );
        let written: Scope = serde_json::from_str(
            r#"{"rules":[{"selector":{"Path":"/admin/*"},"decision":"Exclude"}]}"#,
        )
        .unwrap();
        assert_eq!(written.rules[0].selector, Selector::Path("/admin/*".into()));
    }
}
