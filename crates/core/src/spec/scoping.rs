//! Applying a [`Scope`] to a loaded specification: each endpoint gets its
//! [`ScopeDecision`], and the diagnostics say what the scope did.
//!
//! - A rule over a budget (see [`crate::scope`]) is left out, with an Error.
//! - `Ignore` outside a Postman collection is treated as `Include`, with
//!   one Warning.
//! - Past [`MAX_SCOPE_STEPS`], the endpoints not yet decided are excluded
//!   (no request is better than one the user may have wanted to exclude),
//!   with an Error.
//! - A scope with rules adds an Information: [`Coverage::sentence`].
//!
//! Tags are kept, while reading, for every endpoint when there is a scope;
//! here they are dropped again after the last endpoint a prescan
//! covers, as [`Endpoint::tags`] says.

use crate::diagnostic::{Diagnostic, Severity};
use crate::scope::{Candidate, Decider, Scope, ScopeDecision, MAX_SCOPE_RULES, MAX_SCOPE_STEPS};
use crate::text::count;

use super::model::{Endpoint, SpecFormat, Specification, PRESCAN_LIMIT};

/// Decides the scope of every endpoint of `spec`, within
/// [`MAX_SCOPE_STEPS`], and says so in `diagnostics`.
pub(crate) fn apply(spec: &mut Specification, scope: &Scope, diagnostics: &mut Vec<Diagnostic>) {
    apply_within(spec, scope, MAX_SCOPE_STEPS, diagnostics);
}

/// [`apply`] with a budget of `steps`.
fn apply_within(
    spec: &mut Specification,
    scope: &Scope,
    steps: u64,
    diagnostics: &mut Vec<Diagnostic>,
) {
    if scope.is_empty() {
        return;
    }
    report_problems(scope, diagnostics);
    let postman = spec.format == SpecFormat::Postman21;
    let mut decider = Decider::new(scope, steps);
    let mut ignored_elsewhere = 0usize;
    let mut undecided = 0usize;
    for endpoint in &mut spec.endpoints {
        endpoint.scope = match decide(&mut decider, endpoint) {
            Some(ScopeDecision::Ignore) if !postman => {
                ignored_elsewhere += 1;
                ScopeDecision::Include
            }
            Some(d) => d,
            None => {
                undecided += 1;
                ScopeDecision::Exclude
            }
        };
    }
    if ignored_elsewhere > 0 {
        diagnostics.push(Diagnostic::new(
            Severity::Warning,
            "",
            format!(
                "The scope ignores {}, but only Postman collections can have ignored endpoints; for a {} specification they are included (sent and tested).",
                count(ignored_elsewhere as u64, "endpoint", "endpoints"),
                spec.format.label()
            ),
        ));
    }
    if undecided > 0 {
        diagnostics.push(Diagnostic::new(
            Severity::Error,
            "",
            format!(
                "The scope's path patterns took too long to match (more than {} steps): {} not decided {} excluded. Use fewer or simpler path patterns.",
                crate::text::thousands(MAX_SCOPE_STEPS),
                count(undecided as u64, "endpoint", "endpoints"),
                crate::text::pick(undecided as u64, "was", "were")
            ),
        ));
    }
    drop_late_tags(&mut spec.endpoints);
    diagnostics.push(Diagnostic::new(
        Severity::Information,
        "",
        spec.coverage().sentence(),
    ));
}

/// One endpoint's decision; `None` when the budget ran out.
fn decide(decider: &mut Decider<'_>, endpoint: &Endpoint) -> Option<ScopeDecision> {
    decider.decide(Candidate {
        method: endpoint.method,
        path: &endpoint.path,
        tags: &endpoint.tags,
    })
}

/// An Error for each problem of the scope (its rules over budget).
fn report_problems(scope: &Scope, diagnostics: &mut Vec<Diagnostic>) {
    for problem in scope.problems() {
        let message = match problem.rule {
            None => format!(
                "{} Only the first {MAX_SCOPE_RULES} were applied.",
                problem.message
            ),
            Some(i) => format!(
                "Scope rule {}: {} The rule was not applied.",
                i + 1,
                problem.message
            ),
        };
        diagnostics.push(Diagnostic::new(Severity::Error, "", message));
    }
}

/// Drops the tags of the endpoints after the last one a prescan covers.
fn drop_late_tags(endpoints: &mut [Endpoint]) {
    let mut sent = 0usize;
    let mut keep = endpoints.len();
    for (i, e) in endpoints.iter().enumerate() {
        if e.scope.is_sent() {
            sent += 1;
            if sent == PRESCAN_LIMIT {
                keep = i + 1;
                break;
            }
        }
    }
    for e in &mut endpoints[keep..] {
        e.tags = Vec::new();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Method;
    use crate::scope::{ScopeRule, Selector};
    use crate::spec::model::Coverage;

    fn spec(format: SpecFormat, n: usize) -> Specification {
        let endpoints = (0..n)
            .map(|i| Endpoint {
                method: Method::Get,
                path: format!("/items/{i}"),
                operation_id: None,
                summary: None,
                parameter_count: 0,
                auth_required: false,
                deprecated: false,
                pointer: String::new(),
                tags: vec![if i % 4 == 0 { "internal" } else { "public" }.to_owned()],
                scope: ScopeDecision::Include,
                user_values: Vec::new(),
            })
            .collect();
        Specification {
            file_name: "t".into(),
            file_size: 0,
            format,
            format_version: String::new(),
            syntax: crate::spec::Syntax::Json,
            title: String::new(),
            version: String::new(),
            description: None,
            servers: Vec::new(),
            endpoints,
            diagnostics: Vec::new(),
            files: Vec::new(),
            security_schemes: Vec::new(),
        }
    }

    fn one(selector: Selector, decision: ScopeDecision) -> Scope {
        Scope {
            rules: vec![ScopeRule { selector, decision }],
        }
    }

    #[test]
    fn the_empty_scope_changes_nothing() {
        let mut s = spec(SpecFormat::OpenApi30, 150);
        let before = s.clone();
        let mut d = Vec::new();
        apply(&mut s, &Scope::default(), &mut d);
        assert_eq!(s, before);
        assert!(d.is_empty());
    }

    #[test]
    fn excluded_endpoints_do_not_count_toward_the_limit() {
        let mut s = spec(SpecFormat::OpenApi30, 150);
        let mut d = Vec::new();
        apply(
            &mut s,
            &one(Selector::Tag("internal".into()), ScopeDecision::Exclude),
            &mut d,
        );
        let c = s.coverage();
        assert_eq!(
            (c.endpoints, c.included, c.excluded, c.covered),
            (150, 112, 38, 100)
        );
        let covered = s.prescan_endpoints();
        assert_eq!(covered.len(), 100);
        assert!(covered.iter().all(|e| e.tags == ["public"]));
        // The 100th included endpoint is /items/133 (133 - 133/4 - 1 = 99).
        assert_eq!(covered[99].path, "/items/133");
        assert!(s.endpoints[133].tags == ["public"] && s.endpoints[134].tags.is_empty());
        assert_eq!(
            d.last().unwrap().message,
            "The prescan covers the first 100 of 112 included endpoints; the 38 excluded do not count."
        );
    }

    #[test]
    fn ignore_is_for_postman_only() {
        let ignore = one(Selector::Path("/items/1*".into()), ScopeDecision::Ignore);
        let mut s = spec(SpecFormat::Postman21, 20);
        let mut d = Vec::new();
        apply(&mut s, &ignore, &mut d);
        assert_eq!(s.coverage().ignored, 11);
        assert!(d.iter().all(|d| d.severity == Severity::Information));
        assert_eq!(
            d[0].message,
            "The prescan covers all 20 endpoints in scope (9 included, 11 ignored)."
        );

        let mut s = spec(SpecFormat::OpenApi30, 20);
        let mut d = Vec::new();
        apply(&mut s, &ignore, &mut d);
        assert_eq!(s.coverage().ignored, 0);
        assert_eq!(s.coverage().included, 20);
        assert_eq!(d[0].severity, Severity::Warning);
        assert!(
            d[0].message.contains("ignores 11 endpoints"),
            "{}",
            d[0].message
        );
        assert!(d[0].message.contains("OpenAPI 3.0"), "{}", d[0].message);
    }

    #[test]
    fn rules_over_budget_are_errors_and_left_out() {
        let mut scope = one(Selector::Path("x".into()), ScopeDecision::Exclude);
        scope.rules.extend(std::iter::repeat_n(
            ScopeRule {
                selector: Selector::Method(Method::Post),
                decision: ScopeDecision::Exclude,
            },
            MAX_SCOPE_RULES,
        ));
        let mut s = spec(SpecFormat::OpenApi30, 5);
        let mut d = Vec::new();
        apply(&mut s, &scope, &mut d);
        let errors: Vec<_> = d.iter().filter(|d| d.severity == Severity::Error).collect();
        assert_eq!(errors.len(), 2);
        assert!(
            errors[0].message.contains("1001 rules") && errors[0].message.contains("first 1000")
        );
        assert!(
            errors[1].message.starts_with("Scope rule 1:"),
            "{}",
            errors[1].message
        );
        assert_eq!(s.coverage().included, 5);
    }

    #[test]
    fn running_out_of_steps_excludes_what_is_left() {
        let mut s = spec(SpecFormat::OpenApi30, 50);
        let costly = one(
            Selector::Path("/*x*y*z/**/q".into()),
            ScopeDecision::Exclude,
        );
        let mut d = Vec::new();
        apply_within(&mut s, &costly, 200, &mut d);
        let c = s.coverage();
        assert!(c.excluded > 0 && c.included > 0, "{c:?}");
        let error = d.iter().find(|d| d.severity == Severity::Error).unwrap();
        assert!(error.message.contains("took too long"), "{}", error.message);
        assert!(error
            .message
            .contains(&format!("{} endpoints not decided", c.excluded)));
    }

    #[test]
    fn sentences() {
        let sentence = |c: Coverage| c.sentence();
        let c = |endpoints, included, ignored, excluded| Coverage {
            endpoints,
            included,
            ignored,
            excluded,
            covered: (included + ignored).min(PRESCAN_LIMIT),
        };
        assert_eq!(
            sentence(c(3, 3, 0, 0)),
            "The prescan covers all 3 endpoints."
        );
        assert_eq!(
            sentence(c(1, 1, 0, 0)),
            "The prescan covers the 1 endpoint."
        );
        assert_eq!(
            sentence(c(130, 130, 0, 0)),
            "The prescan covers the first 100 of 130 endpoints."
        );
        assert_eq!(
            sentence(c(4, 3, 0, 1)),
            "The prescan covers all 3 included endpoints; the 1 excluded endpoint does not count."
        );
        assert_eq!(
            sentence(c(4, 0, 0, 4)),
            "The prescan covers no endpoint: all 4 are excluded."
        );
        assert_eq!(
            sentence(c(1, 0, 0, 1)),
            "The prescan covers no endpoint: the only endpoint is excluded."
        );
        assert_eq!(
            sentence(c(0, 0, 0, 0)),
            "The prescan covers no endpoint: the specification has none."
        );
    }
}
