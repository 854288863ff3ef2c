//! The report of `prescan run`: the Request and Response table with the
//! Connection and Authentication findings and the summary line (text), or
//! one JSON document. Both are made from the report with its credentials
//! masked (`redact_report`), as the reference server returns it.

use std::collections::HashMap;

use prescan_core::prescan::{Outcome, OutcomeClass, PrescanReport, Row, NO_RESPONSE};
use prescan_core::text::{count, thousands};
use prescan_core::time::format_rfc3339;
use serde_json::{json, Value};

/// A prescan that ran to its end (or was interrupted).
pub struct Finished {
    /// The report, credentials masked.
    pub report: PrescanReport,
    /// When it started and finished, ms since the Unix epoch.
    pub started_ms: i64,
    pub finished_ms: i64,
    /// The `--target`.
    pub target: String,
    /// What the guard refused when connecting ("" if nothing).
    pub refusals: String,
}

/// The JSON document of `--format json`. Its keys, in order: `spec`,
/// `target`, `started_on`, `finished_on` (RFC 3339), `status`
/// (`Succeeded`/`Failed`), `status_text`, `summary`, `exit_code`,
/// `connection`, `rows`, `explanations`, `notes`, `refusals` (a sentence
/// or null), and `report`: the core's report in its own serde shape, as the
/// reference server's API returns it in `Prescan.report`.
pub fn json(spec: &str, f: &Finished, exit_code: u8) -> Value {
    let r = &f.report;
    json!({
        "spec": spec,
        "target": f.target,
        "started_on": format_rfc3339(f.started_ms),
        "finished_on": format_rfc3339(f.finished_ms),
        "status": r.status(),
        "status_text": r.status_text(),
        "summary": r.summary_sentence(),
        "exit_code": exit_code,
        "connection": r.connection(),
        "rows": r.rows(),
        "explanations": r.explanations(None),
        "notes": r.notes(),
        "refusals": (!f.refusals.is_empty()).then_some(&f.refusals),
        "report": r,
    })
}

/// ANSI styles, or none.
struct Paint {
    on: bool,
}

impl Paint {
    fn wrap(&self, code: &str, text: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }
    fn red(&self, text: &str) -> String {
        self.wrap("31", text)
    }
    fn green(&self, text: &str) -> String {
        self.wrap("32", text)
    }
    fn dim(&self, text: &str) -> String {
        self.wrap("2", text)
    }
    fn bold(&self, text: &str) -> String {
        self.wrap("1", text)
    }
}

/// The text report: the table, the findings and the summary line.
/// `colour`: ANSI colours (standard output is a terminal and `NO_COLOR` is
/// not set).
pub fn text(spec: &str, f: &Finished, colour: bool) -> String {
    let paint = Paint { on: colour };
    let r = &f.report;
    let mut out = format!("prescan run: {spec} \u{2192} {}\n\n", f.target);
    out.push_str(&paint.bold("Request and Response"));
    out.push('\n');
    out.push_str(&table(r, &paint));
    out.push('\n');
    out.push_str(&findings(f, &paint));
    out.push('\n');
    let status = r.status_text();
    out.push_str(&if r.is_plain_success() {
        paint.green(&status)
    } else {
        paint.red(&status)
    });
    out.push('\n');
    out.push_str(&r.summary_sentence());
    out.push('\n');
    out
}

/// The Request and Response table: one line per row, errors marked `✗`.
fn table(r: &PrescanReport, paint: &Paint) -> String {
    let reasons = reasons(r);
    let header = ["", "#", "Method", "Path", "Response", "Time", "Note"].map(str::to_owned);
    let rows: Vec<(Row, [String; 7])> = r
        .rows()
        .into_iter()
        .map(|row| {
            let cells = [
                if row.in_error { "\u{2717}" } else { "" }.to_owned(),
                if row.token_request {
                    "token".to_owned()
                } else {
                    row.number.to_string()
                },
                row.method.clone(),
                if row.token_request {
                    row.url.clone()
                } else {
                    path_of(&row.url)
                },
                response(&row, &reasons),
                row.time_ms
                    .map(|t| format!("{} ms", thousands(t.max(0.0).round() as u64)))
                    .unwrap_or_default(),
                note(&row),
            ];
            (row, cells)
        })
        .collect();
    let mut widths = header.clone().map(|h| h.chars().count());
    for (_, cells) in &rows {
        for (w, c) in widths.iter_mut().zip(cells) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut out = paint.dim(&line(&header, &widths));
    out.push('\n');
    for (row, cells) in &rows {
        let text = line(cells, &widths);
        out.push_str(&match row.class() {
            c if c.is_error() => paint.red(&text),
            OutcomeClass::Skipped | OutcomeClass::Unfinished => paint.dim(&text),
            _ => text,
        });
        out.push('\n');
    }
    out
}

/// One line of the table: cells padded to their column's width (`#` and
/// `Time` right-aligned), without trailing spaces.
fn line(cells: &[String; 7], widths: &[usize; 7]) -> String {
    let mut parts = Vec::with_capacity(7);
    for (i, (c, w)) in cells.iter().zip(widths).enumerate() {
        let pad = w.saturating_sub(c.chars().count());
        parts.push(if matches!(i, 1 | 5) {
            format!("{}{c}", " ".repeat(pad))
        } else {
            format!("{c}{}", " ".repeat(pad))
        });
    }
    parts.join("  ").trim_end().to_owned()
}

/// The reason phrase of each response, by row number.
fn reasons(r: &PrescanReport) -> HashMap<usize, String> {
    r.plan
        .requests
        .iter()
        .zip(&r.results)
        .filter_map(|(req, result)| match result.as_ref().map(|x| &x.outcome) {
            Some(Outcome::Response(resp)) => Some((req.index + 1, resp.status_text.clone())),
            _ => None,
        })
        .collect()
}

/// The Response column: `200 OK`, `No response from server`, `Skipped`...
fn response(row: &Row, reasons: &HashMap<usize, String>) -> String {
    match row.status {
        Some(status) => match reasons.get(&row.number).filter(|r| !r.is_empty()) {
            Some(reason) => format!("{status} {reason}"),
            None => status.to_string(),
        },
        None if row.skipped => "Skipped".to_owned(),
        None => row.response.clone(),
    }
}

/// The path and query of a URL (the origin is the target's); the URL as it
/// is when it is not absolute.
fn path_of(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(u) => match u.query() {
            Some(q) => format!("{}?{q}", u.path()),
            None => u.path().to_owned(),
        },
        Err(_) => url.to_owned(),
    }
}

/// The Note column: the first sentence of the row's detail (the browser's
/// wording about CORS and refused URLs replaced by what happened here).
fn note(row: &Row) -> String {
    if row.response == NO_RESPONSE {
        return "network error".to_owned();
    }
    if row.response == "Malformed URL" {
        return "the URL cannot be sent".to_owned();
    }
    let Some(detail) = &row.detail else {
        return String::new();
    };
    let first = detail.split(". ").next().unwrap_or(detail);
    first.trim_end_matches('.').to_owned()
}

/// The Connection and Authentication findings, the explanations of each
/// kind of failure, the notes and what the guard refused.
fn findings(f: &Finished, paint: &Paint) -> String {
    let r = &f.report;
    let c = r.connection();
    let mut out = format!(
        "{} {}, {}, {}, {} skipped.\n",
        paint.bold("Connection:"),
        count(c.requests as u64, "request", "requests"),
        count(c.responses as u64, "response", "responses"),
        count(c.network_errors as u64, "network error", "network errors"),
        thousands(c.skipped as u64)
    );
    let auth = match c.auth_failures {
        0 if c.responses > 0 => "no response was 401 or 403.".to_owned(),
        0 => "not verified: no response.".to_owned(),
        n => format!(
            "{} (401 or 403).",
            count(
                n as u64,
                "authentication failure",
                "authentication failures"
            )
        ),
    };
    out.push_str(&format!("{} {auth}\n", paint.bold("Authentication:")));
    if let Some(t) = &r.token {
        out.push_str(&format!("{} {}\n", paint.bold("OAuth 2.0:"), t.summary()));
    }
    for e in r.explanations(None) {
        out.push_str(&format!("\n{}\n  {}\n", paint.bold(&e.title), e.text));
    }
    let notes = r.notes();
    if !notes.is_empty() {
        out.push_str(&format!("\n{}\n", paint.bold("Notes")));
        for n in notes {
            out.push_str(&format!("  {}: {}\n", n.severity.label(), n.message));
        }
    }
    if !f.refusals.is_empty() {
        out.push_str(&format!("\n{} {}\n", paint.bold("Guard:"), f.refusals));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_lines() {
        assert_eq!(path_of("http://h.example:1/v1/a?b=c"), "/v1/a?b=c");
        assert_eq!(path_of("/v1/a"), "/v1/a");
        let cells = ["", "1", "GET", "/a", "200 OK", "5 ms", ""].map(str::to_owned);
        let widths = [1, 2, 6, 4, 8, 6, 4];
        assert_eq!(
            line(&cells, &widths),
            "    1  GET     /a    200 OK      5 ms"
        );
    }
}
