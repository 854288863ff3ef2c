//! The reports of `prescan check`: text, JSON, SARIF 2.1.0 and JUnit XML.

use clap::ValueEnum;
use prescan_core::{Conversion, Coverage, Diagnostic, LoadError, Severity};
use serde_json::{json, Value};

/// How `check` writes its report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// `file:line:column: severity: message`, and a coverage line per file.
    Text,
    /// An array of {file, endpoints, covered, loaded, diagnostics}.
    Json,
    /// SARIF 2.1.0 (for GitHub code scanning and other SARIF viewers).
    Sarif,
    /// JUnit XML: one testsuite per file (for GitLab and other CI reports).
    Junit,
}

/// What `check` found in one file.
pub struct FileReport {
    /// The file's name as given (`--name` for standard input).
    pub file: String,
    /// Every endpoint of the specification (0 when it did not load).
    pub endpoints: usize,
    /// What a prescan covers, given the scope (all zero when it did not
    /// load).
    pub coverage: Coverage,
    /// Whether it loaded at all.
    pub loaded: bool,
    /// Its diagnostics, in document order; a load error is one Error.
    pub diagnostics: Vec<Diagnostic>,
}

impl FileReport {
    pub fn new(file: &str, result: Result<Conversion, LoadError>) -> Self {
        match result {
            Ok(c) => FileReport {
                file: file.to_owned(),
                endpoints: c.spec.endpoints.len(),
                coverage: c.spec.coverage(),
                loaded: true,
                diagnostics: c.spec.diagnostics,
            },
            Err(e) => {
                let mut d = Diagnostic::new(Severity::Error, "", e.to_string());
                if let LoadError::Syntax { line, column, .. } = &e {
                    d.line = u32::try_from(*line).ok();
                    d.column = u32::try_from(*column).ok();
                }
                FileReport {
                    file: file.to_owned(),
                    endpoints: 0,
                    coverage: Coverage::default(),
                    loaded: false,
                    diagnostics: vec![d],
                }
            }
        }
    }

    /// The endpoints a prescan covers: the first [`prescan_core::PRESCAN_LIMIT`] in
    /// scope (excluded endpoints do not count).
    pub fn covered(&self) -> usize {
        self.coverage.covered
    }

    pub fn fails(&self, deny_warnings: bool) -> bool {
        self.diagnostics.iter().any(|d| fails(d, deny_warnings))
    }

    /// The coverage sentence, the app's ([`Coverage::sentence`]) as a
    /// clause: "the prescan covers all 5 endpoints".
    fn coverage(&self) -> String {
        if !self.loaded {
            return "not loaded: no endpoints".to_owned();
        }
        let sentence = self.coverage.sentence();
        let sentence = sentence.trim_end_matches('.');
        let mut chars = sentence.chars();
        chars
            .next()
            .map(|first| first.to_lowercase().chain(chars).collect())
            .unwrap_or_default()
    }
}

fn fails(d: &Diagnostic, deny_warnings: bool) -> bool {
    d.severity == Severity::Error || (deny_warnings && d.severity == Severity::Warning)
}

fn severity_word(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Information => "information",
    }
}

/// The report of every file in `format`.
pub fn render(reports: &[FileReport], format: Format, deny_warnings: bool) -> String {
    match format {
        Format::Text => text(reports),
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&json_report(reports)).unwrap_or_default();
            s.push('\n');
            s
        }
        Format::Sarif => {
            let mut s = serde_json::to_string_pretty(&sarif(reports)).unwrap_or_default();
            s.push('\n');
            s
        }
        Format::Junit => junit(reports, deny_warnings),
    }
}

/// `file:line:column: severity: message`, one line per diagnostic (the
/// position as far as it is known).
pub fn text_diagnostics(file: &str, diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diagnostics {
        out.push_str(d.file.as_deref().unwrap_or(file));
        if let Some(line) = d.line {
            out.push_str(&format!(":{line}"));
            if let Some(column) = d.column {
                out.push_str(&format!(":{column}"));
            }
        }
        out.push_str(&format!(
            ": {}: {}\n",
            severity_word(d.severity),
            d.message.replace('\n', " ")
        ));
    }
    out
}

fn text(reports: &[FileReport]) -> String {
    let mut out = String::new();
    for r in reports {
        out.push_str(&text_diagnostics(&r.file, &r.diagnostics));
        let count = |s: Severity| r.diagnostics.iter().filter(|d| d.severity == s).count();
        out.push_str(&format!(
            "{}: {}; {} {}, {} {}\n",
            r.file,
            r.coverage(),
            count(Severity::Error),
            if count(Severity::Error) == 1 {
                "error"
            } else {
                "errors"
            },
            count(Severity::Warning),
            if count(Severity::Warning) == 1 {
                "warning"
            } else {
                "warnings"
            },
        ));
    }
    out
}

fn json_report(reports: &[FileReport]) -> Value {
    Value::Array(
        reports
            .iter()
            .map(|r| {
                json!({
                    "file": r.file,
                    "loaded": r.loaded,
                    "endpoints": r.endpoints,
                    "covered": r.covered(),
                    "excluded": r.coverage.excluded,
                    "ignored": r.coverage.ignored,
                    "diagnostics": r.diagnostics.iter().map(|d| {
                        let mut o = json!({
                            "severity": severity_word(d.severity),
                            "message": d.message,
                            "line": d.line,
                            "column": d.column,
                        });
                        if !d.pointer.is_empty() {
                            o["pointer"] = json!(d.pointer);
                        }
                        if let Some(f) = &d.file {
                            o["in_file"] = json!(f);
                        }
                        o
                    }).collect::<Vec<_>>(),
                })
            })
            .collect(),
    )
}

/// A relative URI reference for a file name: `\` as `/`, and characters
/// outside the URI grammar percent-encoded.
fn uri_of(file: &str) -> String {
    let mut out = String::new();
    for b in file.replace('\\', "/").bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/:@!$&'()*+,;=".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn sarif(reports: &[FileReport]) -> Value {
    let mut results = Vec::new();
    for r in reports {
        for d in &r.diagnostics {
            let mut physical = json!({
                "artifactLocation": { "uri": uri_of(d.file.as_deref().unwrap_or(&r.file)) },
            });
            if let Some(line) = d.line {
                let mut region = json!({ "startLine": line });
                if let Some(column) = d.column {
                    region["startColumn"] = json!(column);
                }
                physical["region"] = region;
            }
            let mut result = json!({
                "level": match d.severity {
                    Severity::Error => "error",
                    Severity::Warning => "warning",
                    Severity::Information => "note",
                },
                "message": { "text": d.message },
                "locations": [{ "physicalLocation": physical }],
            });
            if !d.pointer.is_empty() {
                result["locations"][0]["logicalLocations"] =
                    json!([{ "fullyQualifiedName": d.pointer, "kind": "member" }]);
            }
            results.push(result);
        }
    }
    let mut driver = json!({
        "name": "prescan",
        "version": env!("CARGO_PKG_VERSION"),
    });
    if let Some(uri) = option_env!("CARGO_PKG_HOMEPAGE").filter(|u| !u.is_empty()) {
        driver["informationUri"] = json!(uri);
    }
    json!({
        "$schema": "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": driver },
            "results": results,
            "properties": {
                "coverage": reports.iter().map(|r| json!({
                    "file": r.file,
                    "endpoints": r.endpoints,
                    "covered": r.covered(),
                })).collect::<Vec<_>>(),
            },
        }],
    })
}

/// Text for XML content and attribute values; characters XML 1.0 cannot
/// hold are dropped.
fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// One testsuite per file; in it, a testcase `loads` (failed when the
/// specification cannot be loaded) and one testcase per diagnostic, failed
/// for an Error (and a Warning with `--deny warnings`).
fn junit(reports: &[FileReport], deny_warnings: bool) -> String {
    let mut suites = String::new();
    let (mut all_tests, mut all_failures) = (0, 0);
    for r in reports {
        let mut cases = String::new();
        let mut failures = 0;
        let file = xml_escape(&r.file);
        // The load error is the `loads` case's failure, not a case of its own.
        let (load, rest): (Option<&Diagnostic>, &[Diagnostic]) = if r.loaded {
            (None, &r.diagnostics)
        } else {
            (r.diagnostics.first(), &r.diagnostics[1..])
        };
        cases.push_str(&format!(
            "    <testcase classname=\"{file}\" name=\"loads\">\n"
        ));
        if let Some(d) = load {
            failures += 1;
            cases.push_str(&format!(
                "      <failure message=\"{m}\" type=\"error\">{m}</failure>\n",
                m = xml_escape(&d.message)
            ));
        }
        cases.push_str(&format!(
            "      <system-out>{}</system-out>\n    </testcase>\n",
            xml_escape(&r.coverage())
        ));
        for (i, d) in rest.iter().enumerate() {
            let at = d
                .position()
                .or_else(|| (!d.pointer.is_empty()).then(|| d.pointer.clone()))
                .unwrap_or_else(|| "the document".to_owned());
            let name = format!(
                "{} {}: {} at {at}",
                i + 1,
                severity_word(d.severity),
                first_words(&d.message)
            );
            cases.push_str(&format!(
                "    <testcase classname=\"{file}\" name=\"{}\">\n",
                xml_escape(&name)
            ));
            let body = xml_escape(&format!("{}: {}", severity_word(d.severity), d.message));
            if fails(d, deny_warnings) {
                failures += 1;
                cases.push_str(&format!(
                    "      <failure message=\"{}\" type=\"{}\">{body}</failure>\n",
                    xml_escape(&d.message),
                    severity_word(d.severity)
                ));
            } else {
                cases.push_str(&format!("      <system-out>{body}</system-out>\n"));
            }
            cases.push_str("    </testcase>\n");
        }
        let tests = 1 + rest.len();
        all_tests += tests;
        all_failures += failures;
        suites.push_str(&format!(
            "  <testsuite name=\"{file}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\">\n{cases}  </testsuite>\n"
        ));
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"prescan check\" tests=\"{all_tests}\" failures=\"{all_failures}\" errors=\"0\">\n{suites}</testsuites>\n"
    )
}

/// The first words of a message, for a test case's name.
fn first_words(message: &str) -> String {
    let line = message.lines().next().unwrap_or("");
    if line.chars().count() <= 60 {
        return line.to_owned();
    }
    let mut s: String = line.chars().take(60).collect();
    s.push('…');
    s
}
