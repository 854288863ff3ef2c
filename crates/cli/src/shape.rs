//! What `check`, `convert` and `run` take besides the specification: the
//! endpoint scope (`--scope RULE`, `--scope-file FILE`) and the values for
//! parameters (`--value LINE`, `--values-file FILE`), read into the core's
//! [`Scope`] and [`ValueOverrides`] and checked as the app and the server
//! check them.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use clap::Args;
use prescan_core::api::ScopeRule as WireRule;
use prescan_core::plan::Method;
use prescan_core::scope::{Scope, ScopeDecision, ScopeRule, Selector};
use prescan_core::values::{ValueOverrides, MAX_FILE_BYTES};

use crate::Failure;

/// The most bytes a `--scope-file` may have (1,000 rules of 512-character
/// patterns fit).
const MAX_SCOPE_FILE_BYTES: usize = 1024 * 1024;

/// The endpoint scope and the values, as options.
#[derive(Debug, Default, Args)]
pub(crate) struct Shape {
    /// A scope rule, as DECISION SELECTOR: `exclude tag:admin`, `exclude
    /// method:DELETE`, `exclude path:/internal/**`, `include GET
    /// /admin/health`, `ignore ...` (Postman collections only). Repeatable,
    /// applied in order after --scope-file: a rule for one endpoint wins
    /// over group rules, otherwise the last group rule wins. Excluded
    /// endpoints get no request and do not count toward the 100 a prescan
    /// covers.
    #[arg(long = "scope", value_name = "RULE", value_parser = parse_rule)]
    scope: Vec<ScopeRule>,
    /// Scope rules from a JSON file: the `scope` array of the JSON API
    /// (`[{"select": {"type": "tag", "tag": "admin"}, "decision":
    /// "EXCLUDE"}]`). At most 1 MiB.
    #[arg(long, value_name = "FILE")]
    scope_file: Option<PathBuf>,
    /// A value for a parameter or body property, used in place of the
    /// generated one: `petId=42`, `GET /orders/{id} id=1001`,
    /// `header:X-Tenant=acme`, `GET /orders query:limit=5`. Repeatable,
    /// added after --values-file.
    #[arg(long = "value", value_name = "LINE")]
    values: Vec<String>,
    /// Values from a JSON file, as the app's "Export values" writes it
    /// (`{"version": 1, "values": [{"name": "petId", "value": "42"}]}`). At
    /// most 1 MiB.
    #[arg(long, value_name = "FILE")]
    values_file: Option<PathBuf>,
}

impl Shape {
    /// The scope: the file's rules, then each --scope, checked as the
    /// server checks a scan's scope.
    pub(crate) fn scope(&self) -> Result<Scope, Failure> {
        let mut rules = match &self.scope_file {
            Some(path) => {
                let text = read_small(path, MAX_SCOPE_FILE_BYTES, "--scope-file")?;
                let wire: Vec<WireRule> = serde_json::from_str(&text).map_err(|e| {
                    Failure::usage(format!(
                        "--scope-file {}: not a list of scope rules as the JSON API writes them ({e})",
                        path.display()
                    ))
                })?;
                prescan_core::api::scope_into_core(wire)
                    .map_err(|m| Failure::usage(format!("--scope-file {}: {m}", path.display())))?
                    .rules
            }
            None => Vec::new(),
        };
        rules.extend(self.scope.iter().cloned());
        let scope = Scope { rules };
        if let Err(e) = scope.validate() {
            let at = e
                .rule
                .map_or(String::new(), |i| format!("rule {}: ", i + 1));
            return Err(Failure::usage(format!("the scope: {at}{}", e.message)));
        }
        Ok(scope)
    }

    /// The values: the file's, then each --value line, checked as the
    /// app checks them (no two for the same name, operation and location).
    pub(crate) fn values(&self) -> Result<ValueOverrides, Failure> {
        let mut values = match &self.values_file {
            Some(path) => {
                let text = read_small(path, MAX_FILE_BYTES, "--values-file")?;
                ValueOverrides::from_json(&text)
                    .map_err(|e| Failure::usage(format!("--values-file {}: {e}", path.display())))?
            }
            None => ValueOverrides::default(),
        };
        for line in &self.values {
            let one = ValueOverrides::parse_lines(line).map_err(|e| {
                Failure::usage(format!("--value {}: {}", line.escape_debug(), e.message))
            })?;
            values.entries.extend(one.entries);
        }
        values
            .validate()
            .map_err(|e| Failure::usage(format!("the values: {e}")))?;
        Ok(values)
    }
}

/// A file of at most `max` bytes, as text; bigger is refused unread.
fn read_small(path: &Path, max: usize, option: &str) -> Result<String, Failure> {
    let cap = u64::try_from(max).unwrap_or(u64::MAX).saturating_add(1);
    let mut bytes = Vec::new();
    fs::File::open(path)
        .and_then(|f| f.take(cap).read_to_end(&mut bytes))
        .map_err(|e| Failure::usage(format!("{option} {}: cannot read it: {e}", path.display())))?;
    if bytes.len() > max {
        return Err(Failure::usage(format!(
            "{option} {}: larger than {max} bytes; not read",
            path.display()
        )));
    }
    String::from_utf8(bytes)
        .map_err(|_| Failure::usage(format!("{option} {}: not UTF-8 text", path.display())))
}

/// `exclude tag:admin`, `include GET /admin/health`, ...: one rule.
fn parse_rule(text: &str) -> Result<ScopeRule, String> {
    let text = text.trim();
    let (decision, selector) = text
        .split_once(char::is_whitespace)
        .ok_or_else(|| format!("`{text}` is not DECISION SELECTOR, such as `exclude tag:admin`"))?;
    let decision = match decision.to_ascii_lowercase().as_str() {
        "include" => ScopeDecision::Include,
        "exclude" => ScopeDecision::Exclude,
        "ignore" => ScopeDecision::Ignore,
        other => {
            return Err(format!(
                "`{other}` is not a decision: use include, exclude or ignore"
            ))
        }
    };
    let selector = selector.trim();
    let method = |name: &str| {
        Method::parse(name).ok_or_else(|| {
            format!("`{name}` is not a method prescan sends (GET, PUT, POST, DELETE, OPTIONS, HEAD, PATCH, TRACE)")
        })
    };
    let selector = if let Some(tag) = selector.strip_prefix("tag:") {
        Selector::Tag(tag.to_owned())
    } else if let Some(m) = selector.strip_prefix("method:") {
        Selector::Method(method(m.trim())?)
    } else if let Some(pattern) = selector.strip_prefix("path:") {
        Selector::Path(pattern.trim().to_owned())
    } else if let Some((m, path)) = selector.split_once(char::is_whitespace) {
        Selector::Endpoint {
            method: method(m)?,
            path: path.trim().to_owned(),
        }
    } else {
        return Err(format!(
            "`{selector}` is not a selector: use tag:NAME, method:NAME, path:PATTERN or METHOD /path"
        ));
    };
    let rule = ScopeRule { selector, decision };
    match prescan_core::scope::rule_problem(&rule) {
        Some(problem) => Err(problem),
        None => Ok(rule),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_are_read() {
        let r = parse_rule("exclude tag:admin").unwrap();
        assert_eq!(r.to_string(), "Exclude tag admin");
        let r = parse_rule("  Include   GET /admin/{id} ").unwrap();
        assert_eq!(r.to_string(), "Include GET /admin/{id}");
        assert_eq!(
            parse_rule("exclude method:delete").unwrap().to_string(),
            "Exclude method DELETE"
        );
        assert_eq!(
            parse_rule("ignore path:/internal/**").unwrap().to_string(),
            "Ignore path /internal/**"
        );
        for bad in [
            "",
            "exclude",
            "skip tag:a",
            "exclude tag:",
            "exclude path:internal",
            "exclude method:BREW",
            "exclude BREW /x",
            "exclude /x",
        ] {
            assert!(parse_rule(bad).is_err(), "{bad:?}");
        }
        let long = format!("exclude path:/{}", "a".repeat(600));
        assert!(parse_rule(&long).unwrap_err().contains("at most 512"));
    }
}
