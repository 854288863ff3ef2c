//! `{{variables}}`: the collection's own (by name, nested references
//! expanded in rounds) and Postman's dynamic ones (`{{$guid}}`,
//! `{{$timestamp}}`, ...) with fixed values, within `value_bytes` per text
//! and `har_bytes` in all; unknown ones stay as written and are noted.

use super::Reader;
use crate::diagnostic::Severity;
use crate::limits::Limit;

/// How many rounds of variable substitution (variables naming variables).
const MAX_ROUNDS: usize = 8;

impl Reader<'_> {
    /// Replaces `{{variables}}`, within the conversion's limits: one text
    /// expands to at most `value_bytes`, all of them together to at most
    /// `har_bytes` (variables that name variables can repeat text
    /// exponentially); what does not fit stays as written, with a
    /// diagnostic that names the limit.
    pub(super) fn subst(&mut self, text: &str) -> String {
        if !text.contains("{{") {
            return text.to_owned();
        }
        let limits = self.options.limits;
        if self.expanded >= limits.har_bytes {
            self.overruns.report(
                Limit::HarBytes,
                Severity::Error,
                &self.at,
                || format!("The requests reached the size they may take together ({}) before this one: its variables and those of the requests after it are left as written.", Limit::HarBytes.cite(&limits)),
                &mut self.diags,
            );
            return text.to_owned();
        }
        let cap = usize::try_from(limits.value_bytes).unwrap_or(usize::MAX);
        let mut over = false;
        let mut current = text.to_owned();
        for _ in 0..MAX_ROUNDS {
            let mut out = String::with_capacity(current.len());
            let mut rest = current.as_str();
            let mut changed = false;
            while let Some(open) = rest.find("{{") {
                let Some(close) = rest[open + 2..].find("}}").map(|c| open + 2 + c) else {
                    break;
                };
                out.push_str(&rest[..open]);
                let name = rest[open + 2..close].trim();
                match self.value_of(name) {
                    Some(v) if out.len() + v.len() + rest.len() - close <= cap => {
                        out.push_str(&v);
                        changed = true;
                    }
                    Some(_) => {
                        over = true;
                        out.push_str(&rest[open..close + 2]);
                    }
                    None => out.push_str(&rest[open..close + 2]),
                }
                rest = &rest[close + 2..];
            }
            out.push_str(rest);
            current = out;
            if !changed || !current.contains("{{") {
                break;
            }
        }
        self.expanded += current.len() as u64;
        if over {
            self.overruns.report(
                Limit::ValueBytes,
                Severity::Warning,
                &self.at,
                || format!("Expanding the collection's variables here would take more than one value may ({}): variables that name other variables repeat their text. What did not fit is left as written (`{{{{name}}}}`).", Limit::ValueBytes.cite(&limits)),
                &mut self.diags,
            );
            return current;
        }
        // Whatever is left is unknown.
        let mut rest = current.as_str();
        while let Some(open) = rest.find("{{") {
            let Some(close) = rest[open + 2..].find("}}").map(|c| open + 2 + c) else {
                break;
            };
            let name = rest[open + 2..close].trim();
            if self.unknown.len() < 50 && !name.is_empty() {
                self.unknown.insert(name.to_owned());
            }
            rest = &rest[close + 2..];
        }
        current
    }

    fn value_of(&self, name: &str) -> Option<String> {
        if let Some(v) = self.variables.get(name) {
            return Some(v.clone());
        }
        Some(
            match name {
                "$guid" | "$randomUUID" => "3fa85f64-5717-4562-b3fc-2c963f66afa6",
                "$timestamp" => "1704067200",
                "$isoTimestamp" => "2024-01-01T00:00:00.000Z",
                "$randomInt" => "1",
                "$randomEmail" | "$randomExampleEmail" => "user@example.com",
                "$randomBoolean" => "true",
                "$randomFirstName" | "$randomUserName" | "$randomFullName" => "user",
                "$randomUrl" => "https://example.com/",
                "$randomIP" => "192.0.2.1",
                "$randomIPV6" => "2001:db8::1",
                "$randomAlphaNumeric" => "a",
                "$randomColor" => "red",
                "$randomPhoneNumber" => "555-0100",
                "$randomDateFuture" | "$randomDatePast" | "$randomDateRecent" => {
                    "2024-01-01T00:00:00.000Z"
                }
                n if n.starts_with("$random") => "string",
                _ => return None,
            }
            .to_owned(),
        )
    }
}
