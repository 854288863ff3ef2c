//! Request bodies: the media type chosen (JSON first), the value (the
//! stated example, or one generated from the schema), the file and
//! exploded fields of form bodies; and the `Accept` type, from the first
//! success response.
//!
//! A body whose schema has an unreadable property (`bad: false` in
//! OpenAPI 3.0, `bad: 42`, a property whose own schema is malformed) keeps
//! the other properties: that property is left out, with a Warning at the
//! part that could not be read. Only a body whose structure, or whose
//! schema outside any property, cannot be read is left out.

use openapiv3::{ReferenceOr, RequestBody, Schema};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::Reader;
use crate::diagnostic::{shorten, Diagnostic, Severity};
use crate::plan::{BodyPlan, Shared};
use crate::refs::join;
use crate::spec::wording::plain;
use crate::spec::SpecFormat;
use crate::text::{pick, thousands};

/// How many unreadable properties of one body get a note of their own.
const NAMED_PARTS: usize = 10;

/// A part of a body's schema that could not be read.
struct Unreadable<'a> {
    /// Where it is.
    pointer: String,
    /// Why, in plain words.
    why: String,
    /// The innermost property it belongs to: its name and schema.
    property: Option<(&'a str, &'a Value)>,
    /// Whether it is that property's schema itself (not a part of it).
    whole: bool,
}

/// The parts of `schema` (at `pointer`) that cannot be read as an OpenAPI
/// schema: each sub-schema that cannot, and each schema whose own
/// keywords cannot (its sub-schemas set aside). In OpenAPI 3.1 `true` and
/// `false` are schemas. Runs only once a body was found unreadable.
fn unreadable<'a>(
    schema: &'a Value,
    pointer: &str,
    property: Option<(&'a str, &'a Value)>,
    format: SpecFormat,
    out: &mut Vec<Unreadable<'a>>,
) {
    if format == SpecFormat::OpenApi31 && schema.is_boolean() {
        return;
    }
    let Err(e) = ReferenceOr::<Schema>::deserialize(schema) else {
        return;
    };
    let own = match schema.as_object() {
        Some(map) => ReferenceOr::<Schema>::deserialize(&own_keywords(map, format)).err(),
        None => Some(e),
    };
    if let Some(e) = own {
        out.push(Unreadable {
            pointer: pointer.to_owned(),
            why: plain(&e.to_string()),
            property,
            whole: property.is_some_and(|(_, s)| std::ptr::eq(s, schema)),
        });
    }
    if let Some(map) = schema.as_object() {
        if let Some(Value::Object(properties)) = map.get("properties") {
            let at = join(pointer, "properties");
            for (name, sub) in properties {
                let here = Some((name.as_str(), sub));
                unreadable(sub, &join(&at, name), here, format, out);
            }
        }
        for key in ["items", "not", "additionalProperties"] {
            if let Some(sub @ Value::Object(_)) = map.get(key) {
                unreadable(sub, &join(pointer, key), property, format, out);
            }
        }
        for key in ["allOf", "oneOf", "anyOf"] {
            if let Some(Value::Array(branches)) = map.get(key) {
                let at = join(pointer, key);
                for (i, sub) in branches.iter().enumerate() {
                    unreadable(sub, &join(&at, &i.to_string()), property, format, out);
                }
            }
        }
    }
}

/// A schema's own keywords: its sub-schemas (those `unreadable` walks)
/// replaced by `{}` (and in OpenAPI 3.1 the boolean ones too).
fn own_keywords(map: &Map<String, Value>, format: SpecFormat) -> Value {
    let empty = || Value::Object(Map::new());
    let mut out = map.clone();
    if let Some(Value::Object(properties)) = out.get_mut("properties") {
        properties.values_mut().for_each(|v| *v = empty());
    }
    for key in ["items", "not", "additionalProperties"] {
        match out.get_mut(key) {
            Some(v @ Value::Object(_)) => *v = empty(),
            Some(v @ Value::Bool(_))
                if format == SpecFormat::OpenApi31 && key != "additionalProperties" =>
            {
                *v = empty()
            }
            _ => {}
        }
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        if let Some(Value::Array(branches)) = out.get_mut(key) {
            branches.iter_mut().for_each(|v| *v = empty());
        }
    }
    Value::Object(out)
}

/// `body` with the schema of each media type replaced by `{}`: what is
/// left to read when the schemas are set aside.
fn without_schemas(body: &Map<String, Value>) -> Value {
    let mut out = body.clone();
    if let Some(Value::Object(content)) = out.get_mut("content") {
        for media in content.values_mut() {
            if let Some(slot) = media.as_object_mut().and_then(|m| m.get_mut("schema")) {
                *slot = Value::Object(Map::new());
            }
        }
    }
    Value::Object(out)
}

/// Whether a media type is a range (`*/*`, `application/*`,
/// `application/*+json`) rather than one type.
fn is_range(media_type: &str) -> bool {
    media_type.split(';').next().unwrap_or("").contains('*')
}

/// A media type without its parameters, in lower case
/// (`Application/JSON; charset=utf-8` is `application/json`).
fn essence(media_type: &str) -> String {
    media_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// A concrete type within a media type range, for the `Content-Type` sent:
/// `application/json` for `*/*` and `application/*`; for a suffix range such
/// as `application/*+json`, `application/vnd.example+json` (a server that
/// matches the range, as Prism does, refuses `application/json`, which
/// has no `+json` suffix); `text/plain` for `text/*`; `T/octet-stream`
/// otherwise. A concrete type is kept as it is.
fn concrete(media_type: &str) -> String {
    if !is_range(media_type) {
        return media_type.to_owned();
    }
    let essence = essence(media_type);
    let (kind, sub) = essence.split_once('/').unwrap_or((&essence, "*"));
    let kind = if kind == "*" { "application" } else { kind };
    if let Some(suffix) = sub.strip_prefix('*').and_then(|s| s.strip_prefix('+')) {
        return format!("{kind}/vnd.example+{suffix}");
    }
    match kind {
        "application" => "application/json".to_owned(),
        "text" => "text/plain".to_owned(),
        kind => format!("{kind}/octet-stream"),
    }
}

pub(crate) fn is_json(media_type: &str) -> bool {
    let essence = essence(media_type);
    essence == "application/json"
        || essence.ends_with("+json")
        || essence == "text/json"
        || essence == "*/*"
}

impl<'r, 'a> Reader<'r, 'a> {
    pub(super) fn body_plan(&mut self, body: &'a Value, pointer: &str) -> Option<BodyPlan> {
        let target = self.resolver.deref_or_report(body, pointer, self.diags)?;
        if let Err(e) = RequestBody::deserialize(target) {
            if let Err((at, why)) = self.set_aside_unreadable(target, pointer) {
                let why = why.unwrap_or_else(|| plain(&e.to_string()));
                self.diags.push(Diagnostic::new(
                    Severity::Error,
                    at,
                    format!("The request body could not be read: {why}. Fix it to follow the OpenAPI Request Body Object; the request is sent without a body."),
                ));
                return None;
            }
        }
        let content = target.get("content")?.as_object()?;
        // A concrete JSON type, then any concrete type, then a range
        // (sent as a concrete type within it, see `concrete`).
        let (media_type, media) = content
            .iter()
            .find(|(k, _)| is_json(k) && !is_range(k))
            .or_else(|| content.iter().find(|(k, _)| !is_range(k)))
            .or_else(|| content.iter().find(|(k, _)| is_json(k)))
            .or_else(|| content.iter().next())?;
        let media_pointer = join(&join(pointer, "content"), media_type);
        let value = match self.sampler.explicit(media, &media_pointer, self.diags) {
            Some(v) => v,
            None => Shared::new(match media.get("schema") {
                Some(schema) => self.sampler.value(schema, &media_pointer, self.diags),
                None => Value::Null,
            }),
        };
        let value = self.user_body(value, media.get("schema"), &media_pointer);
        let essence = essence(media_type);
        let (mut file_fields, mut exploded_fields) = (Vec::new(), Vec::new());
        if essence == "multipart/form-data" || essence == "application/x-www-form-urlencoded" {
            let schema = media
                .get("schema")
                .and_then(|s| self.resolver.deref(s).ok())
                .map(|(s, _)| s);
            let properties = schema
                .and_then(|s| s.get("properties"))
                .and_then(Value::as_object);
            let encoding = media.get("encoding").and_then(Value::as_object);
            for (name, sub) in properties.into_iter().flatten() {
                if self.sampler.is_skipped(sub) {
                    continue;
                }
                let sub = self.resolver.deref(sub).map(|(s, _)| s).unwrap_or(sub);
                let items = sub
                    .get("items")
                    .and_then(|i| self.resolver.deref(i).ok())
                    .map(|(s, _)| s);
                let binary = |s: &Value| {
                    s.get("format")
                        .and_then(Value::as_str)
                        .is_some_and(|f| f == "binary" || f == "base64")
                };
                if binary(sub) || items.is_some_and(binary) {
                    file_fields.push(name.clone());
                }
                let explode = encoding
                    .and_then(|e| e.get(name))
                    .and_then(|e| e.get("explode"))
                    .and_then(Value::as_bool)
                    .unwrap_or(true);
                if explode {
                    exploded_fields.push(name.clone());
                }
            }
        }
        Some(BodyPlan {
            media_type: concrete(media_type),
            value,
            file_fields,
            exploded_fields,
            text: None,
            fields: None,
        })
    }

    /// For a body that could not be read: when only properties of its
    /// schemas are unreadable, leaves them out of the value (a Warning
    /// each) and answers `Ok`. Otherwise the place and the reason (when
    /// known) that leave the whole body out.
    fn set_aside_unreadable(
        &mut self,
        body: &'a Value,
        pointer: &str,
    ) -> Result<(), (String, Option<String>)> {
        let whole = || Err((pointer.to_owned(), None));
        let Some(map) = body.as_object() else {
            return whole();
        };
        if RequestBody::deserialize(&without_schemas(map)).is_err() {
            return whole();
        }
        let Some(content) = map.get("content").and_then(Value::as_object) else {
            return whole();
        };
        let mut parts = Vec::new();
        for (media_type, media) in content {
            if let Some(schema) = media.get("schema") {
                let at = join(&join(&join(pointer, "content"), media_type), "schema");
                unreadable(schema, &at, None, self.format, &mut parts);
            }
        }
        if let Some(outside) = parts.iter().find(|p| p.property.is_none()) {
            return Err((outside.pointer.clone(), Some(outside.why.clone())));
        }
        let mut named = 0usize;
        let mut left_out: Vec<*const Value> = Vec::new();
        for part in &parts {
            let Some((name, schema)) = part.property else {
                continue;
            };
            if left_out.contains(&(schema as *const Value)) {
                continue;
            }
            left_out.push(schema);
            self.sampler.skip_property(schema);
            if named < NAMED_PARTS {
                named += 1;
                let name = shorten(name, 80);
                let whose = if part.whole {
                    "its schema"
                } else {
                    "a part of its schema"
                };
                self.diags.push(Diagnostic::new(
                    Severity::Warning,
                    &part.pointer,
                    format!("The property `{name}` is left out of the request body: {whose} could not be read ({}). The other properties are sent; fix it to follow the OpenAPI Schema Object.", part.why),
                ));
            }
        }
        if left_out.len() > named {
            self.diags.push(Diagnostic::new(
                Severity::Warning,
                pointer,
                format!(
                    "{} more {} left out of the request body: {} could not be read.",
                    thousands((left_out.len() - named) as u64),
                    pick(
                        (left_out.len() - named) as u64,
                        "property is",
                        "properties are"
                    ),
                    pick(
                        (left_out.len() - named) as u64,
                        "its schema",
                        "their schemas"
                    ),
                ),
            ));
        }
        Ok(())
    }

    /// The first media type of the first success response (or `default`).
    pub(super) fn accept(&mut self, responses: Option<&'a Value>) -> Option<String> {
        let responses = responses?.as_object()?;
        let (_, response) = responses
            .iter()
            .find(|(code, _)| code.starts_with('2'))
            .or_else(|| responses.iter().find(|(code, _)| *code == "default"))?;
        let response = self.resolver.deref(response).ok()?.0;
        let (media_type, _) = response.get("content")?.as_object()?.iter().next()?;
        Some(media_type.clone())
    }
}

#[cfg(test)]
mod content_type_tests {
    use super::concrete;

    #[test]
    fn ranges_become_concrete_types() {
        assert_eq!(concrete("*/*"), "application/json");
        assert_eq!(concrete("application/*"), "application/json");
        assert_eq!(
            concrete("application/*+json"),
            "application/vnd.example+json"
        );
        assert_eq!(concrete("text/*"), "text/plain");
        assert_eq!(
            concrete("application/problem+json"),
            "application/problem+json"
        );
    }
}
