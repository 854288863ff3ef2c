//! Request bodies: the media type chosen (JSON first), the value (the
//! stated example, or one generated from the schema), the file and
//! exploded fields of form bodies; and the `Accept` type, from the first
//! success response.

use openapiv3::RequestBody;
use serde::Deserialize;
use serde_json::Value;

use super::Reader;
use crate::diagnostic::{Diagnostic, Severity};
use crate::plan::{BodyPlan, Shared};
use crate::refs::join;
use crate::spec::wording::plain;

pub(crate) fn is_json(media_type: &str) -> bool {
    let essence = media_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || essence.ends_with("+json")
        || essence == "text/json"
        || essence == "*/*"
}

impl<'r, 'a> Reader<'r, 'a> {
    pub(super) fn body_plan(&mut self, body: &'a Value, pointer: &str) -> Option<BodyPlan> {
        let target = self.resolver.deref_or_report(body, pointer, self.diags)?;
        if let Err(e) = RequestBody::deserialize(target) {
            self.diags.push(Diagnostic::new(
                Severity::Error,
                pointer,
                format!("The request body could not be read: {}. Fix it to follow the OpenAPI Request Body Object; the request is sent without a body.", plain(&e.to_string())),
            ));
            return None;
        }
        let content = target.get("content")?.as_object()?;
        let (media_type, media) = content
            .iter()
            .find(|(k, _)| is_json(k))
            .or_else(|| content.iter().next())?;
        let media_pointer = join(&join(pointer, "content"), media_type);
        let value = match self.sampler.explicit(media, &media_pointer, self.diags) {
            Some(v) => v,
            None => Shared::new(match media.get("schema") {
                Some(schema) => self.sampler.value(schema, &media_pointer, self.diags),
                None => Value::Null,
            }),
        };
        let essence = media_type
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
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
            media_type: media_type.clone(),
            value,
            file_fields,
            exploded_fields,
            text: None,
            fields: None,
        })
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
