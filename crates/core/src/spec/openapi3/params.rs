//! Parameters: a list read piece by piece (each parameter typed on its
//! own), where each goes and how it is serialized (style, explode,
//! reserved characters), its value (the stated example, an ID-like value
//! for identifier path parameters, or one generated from the schema), and
//! path templates that name parameters nobody declared.

use std::collections::HashSet;
use std::rc::Rc;

use openapiv3::{Parameter, PathStyle, QueryStyle};
use serde::Deserialize;
use serde_json::Value;

use super::Reader;
use crate::diagnostic::{shorten, Diagnostic, Severity};
use crate::plan::{Location, ParamPlan, Shared, Style};
use crate::refs::join;
use crate::spec::wording::plain;

/// How many names one diagnostic lists.
const MAX_NAMED: usize = 10;

/// A parameter read from the document: typed, and its raw value (for examples).
pub(super) struct Param<'a> {
    pub(super) typed: Parameter,
    raw: &'a Value,
    /// The pointer of its list (shared by the list's parameters: a long
    /// path is not copied into each) and its index there.
    list: Rc<str>,
    index: usize,
}

impl Param<'_> {
    fn pointer(&self) -> String {
        join(&self.list, &self.index.to_string())
    }
}

impl<'r, 'a> Reader<'r, 'a> {
    pub(super) fn params(&mut self, list: Option<&'a Value>, pointer: &str) -> Vec<Param<'a>> {
        let Some(list) = list else { return Vec::new() };
        let Some(items) = list.as_array() else {
            self.diags.push(Diagnostic::new(
                Severity::Error,
                pointer,
                "`parameters` must be a list; the parameters here are left out.",
            ));
            return Vec::new();
        };
        let mut out = Vec::new();
        let list: Rc<str> = Rc::from(pointer);
        for (i, p) in items.iter().enumerate() {
            let p_pointer = join(pointer, &i.to_string());
            let Some(raw) = self.resolver.deref_or_report(p, &p_pointer, self.diags) else {
                continue;
            };
            match Parameter::deserialize(raw) {
                Ok(typed) => out.push(Param {
                    typed,
                    raw,
                    list: Rc::clone(&list),
                    index: i,
                }),
                Err(e) => {
                    let name = raw
                        .get("name")
                        .and_then(Value::as_str)
                        .map(|n| format!(" `{n}`"))
                        .unwrap_or_default();
                    let hint = if raw
                        .get("in")
                        .and_then(Value::as_str)
                        .is_some_and(|l| l == "body" || l == "formData")
                    {
                        " (`in: body` and `in: formData` are OpenAPI 2.0; in 3.0 use `requestBody`)"
                    } else {
                        ""
                    };
                    self.diags.push(Diagnostic::new(
                        Severity::Error,
                        p_pointer,
                        format!("Parameter{name} could not be read: {}{hint}. Fix it to follow the OpenAPI Parameter Object; it is left out of the request.", plain(&e.to_string())),
                    ));
                }
            }
        }
        out
    }

    pub(super) fn param_plan(&mut self, p: &Param<'a>) -> Option<ParamPlan> {
        let data = p.typed.parameter_data_ref();
        let (location, style, explode_default, allow_reserved) = match &p.typed {
            Parameter::Query {
                style,
                allow_reserved,
                ..
            } => {
                let style = match style {
                    QueryStyle::Form => Style::Form,
                    QueryStyle::SpaceDelimited => Style::SpaceDelimited,
                    QueryStyle::PipeDelimited => Style::PipeDelimited,
                    QueryStyle::DeepObject => Style::DeepObject,
                };
                (
                    Location::Query,
                    style,
                    style == Style::Form,
                    *allow_reserved,
                )
            }
            Parameter::Header { .. } => {
                // OpenAPI: these three are ignored when declared as parameters.
                let name = data.name.to_ascii_lowercase();
                if matches!(name.as_str(), "accept" | "content-type" | "authorization") {
                    return None;
                }
                (Location::Header, Style::Simple, false, false)
            }
            Parameter::Path { style, .. } => {
                let style = match style {
                    PathStyle::Simple => Style::Simple,
                    PathStyle::Label => Style::Label,
                    PathStyle::Matrix => Style::Matrix,
                };
                (Location::Path, style, false, false)
            }
            Parameter::Cookie { .. } => (Location::Cookie, Style::Form, true, false),
        };
        let value = match self.user_param(location, &data.name, p.raw.get("schema"), &p.pointer()) {
            Some(user) => user,
            None => self.param_value(p),
        };
        Some(ParamPlan {
            name: data.name.clone(),
            location,
            style,
            explode: data.explode.unwrap_or(explode_default),
            allow_reserved,
            value,
            verbatim: false,
        })
    }

    fn param_value(&mut self, p: &Param<'a>) -> Shared {
        let pointer = p.pointer();
        if let Some(v) = self.sampler.explicit(p.raw, &pointer, self.diags) {
            return v;
        }
        if let Some(schema) = p.raw.get("schema") {
            let data = p.typed.parameter_data_ref();
            if matches!(p.typed, Parameter::Path { .. }) && is_id_name(&data.name) {
                if let Some(id) = self.id_value(schema) {
                    return Shared::new(id);
                }
            }
            return Shared::new(self.sampler.text_value(schema, &pointer, self.diags));
        }
        // `content`: one media type; the value is sent serialized.
        let Some((_, media)) = p
            .raw
            .get("content")
            .and_then(Value::as_object)
            .and_then(|c| c.iter().next())
        else {
            return Shared::new(Value::Null);
        };
        let text = match self.sampler.explicit(media, &pointer, self.diags) {
            Some(v) => serde_json::to_string(&*v),
            None => match media.get("schema") {
                Some(schema) => {
                    serde_json::to_string(&self.sampler.value(schema, &pointer, self.diags))
                }
                None => serde_json::to_string(&Value::Null),
            },
        };
        Shared::new(Value::String(text.unwrap_or_default()))
    }

    /// An ID-like value for a string schema that says nothing more of its
    /// values (no example, enum, default, const, format or pattern): `"1"`,
    /// padded to `minLength` with `0`s on the left.
    fn id_value(&self, schema: &'a Value) -> Option<Value> {
        let (s, _) = self.resolver.deref(schema).ok()?;
        let map = s.as_object()?;
        let is_string = match map.get("type") {
            Some(Value::String(t)) => t == "string",
            Some(Value::Array(ts)) => ts.iter().any(|t| t == "string"),
            _ => false,
        };
        let says_more = [
            "example", "examples", "enum", "default", "const", "format", "pattern", "allOf",
            "oneOf", "anyOf",
        ]
        .iter()
        .any(|k| map.contains_key(*k));
        if !is_string || says_more {
            return None;
        }
        let min = map
            .get("minLength")
            .and_then(Value::as_u64)
            .map_or(1, |n| n.min(64) as usize);
        let max = map
            .get("maxLength")
            .and_then(Value::as_u64)
            .unwrap_or(u64::MAX);
        if max == 0 {
            return None;
        }
        let mut id = "0".repeat(min.saturating_sub(1));
        id.push('1');
        Some(Value::String(id))
    }

    pub(super) fn check_path_template(&mut self, path: &str, plans: &[ParamPlan], pointer: &str) {
        let declared: HashSet<&str> = plans
            .iter()
            .filter(|p| p.location == Location::Path)
            .map(|p| p.name.as_str())
            .collect();
        let mut missing: Vec<&str> = Vec::new();
        let mut rest = path;
        while let Some(open) = rest.find('{') {
            let Some(close) = rest[open..].find('}').map(|c| open + c) else {
                break;
            };
            let name = &rest[open + 1..close];
            if !declared.contains(name) && !missing.contains(&name) {
                missing.push(name);
                if missing.len() > MAX_NAMED {
                    break;
                }
            }
            rest = &rest[close + 1..];
        }
        if missing.is_empty() {
            return;
        }
        let mut named: Vec<String> = missing
            .iter()
            .take(MAX_NAMED)
            .map(|n| format!("`{n}`"))
            .collect();
        if missing.len() > MAX_NAMED {
            named.push("more".into());
        }
        let (noun, verb, it) = if missing.len() == 1 {
            ("parameter", "is", "it")
        } else {
            ("parameters", "are", "them")
        };
        let shown = |n: &str| format!("{{{n}}}");
        self.diags.push(Diagnostic::new(
            Severity::Warning,
            pointer,
            format!(
                "The path {noun} {} of `{}` {verb} not declared, so no value is generated and `{}` stays in the URL. Declare {it} with `in: path`.",
                named.join(", "),
                shorten(path, 200),
                missing.iter().take(MAX_NAMED).map(|n| shown(n)).collect::<Vec<_>>().join(", "),
            ),
        ));
    }
}

/// Whether a parameter name names an identifier: `id`, `ID`, `petId`,
/// `pet_id`, `pet-id`, `petID`.
fn is_id_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower == "id"
        || name.ends_with("Id")
        || name.ends_with("ID")
        || lower.ends_with("_id")
        || lower.ends_with("-id")
}
