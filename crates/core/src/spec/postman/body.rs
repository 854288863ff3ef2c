//! Bodies by mode: raw (media type from `Content-Type` or the raw
//! language), urlencoded and formdata (files as file fields), GraphQL (as
//! JSON), file (empty: the file is not part of the collection).

use serde_json::{json, Value};

use super::{scalar_text, Reader};
use crate::diagnostic::{Diagnostic, Severity};
use crate::har_types::Param;
use crate::plan::BodyPlan;
use crate::refs::join;

impl Reader<'_> {
    pub(super) fn body(
        &mut self,
        body: &Value,
        content_type: Option<String>,
        pointer: &str,
        label: &str,
    ) -> Option<BodyPlan> {
        if body.get("disabled").and_then(Value::as_bool) == Some(true) {
            return None;
        }
        let mode = body.get("mode").and_then(Value::as_str)?;
        let plan =
            |media_type: String, text: Option<String>, fields: Option<Vec<Param>>| BodyPlan {
                media_type,
                value: Value::Null.into(),
                file_fields: Vec::new(),
                exploded_fields: Vec::new(),
                text,
                fields,
            };
        match mode {
            "raw" => {
                let text = self.subst(&scalar_text(body.get("raw")));
                if text.is_empty() && content_type.is_none() {
                    return None;
                }
                let language = body
                    .get("options")
                    .and_then(|o| o.get("raw"))
                    .and_then(|r| r.get("language"))
                    .and_then(Value::as_str)
                    .unwrap_or("text");
                let media_type = content_type.unwrap_or_else(|| {
                    match language {
                        "json" => "application/json",
                        "xml" => "application/xml",
                        "html" => "text/html",
                        "javascript" => "application/javascript",
                        _ => "text/plain",
                    }
                    .to_owned()
                });
                Some(plan(media_type, Some(text), None))
            }
            "urlencoded" | "formdata" => {
                let multipart = mode == "formdata";
                let mut fields = Vec::new();
                for f in body
                    .get(mode)
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    if f.get("disabled").and_then(Value::as_bool) == Some(true) {
                        continue;
                    }
                    let Some(key) = f.get("key").and_then(Value::as_str) else {
                        continue;
                    };
                    let key = self.subst(key);
                    let is_file =
                        multipart && f.get("type").and_then(Value::as_str) == Some("file");
                    if is_file {
                        let src = match f.get("src") {
                            Some(Value::String(s)) => s.clone(),
                            Some(Value::Array(a)) => {
                                a.first().map(|s| scalar_text(Some(s))).unwrap_or_default()
                            }
                            _ => String::new(),
                        };
                        let file_name = src
                            .rsplit(['/', '\\'])
                            .next()
                            .filter(|n| !n.is_empty())
                            .map_or_else(|| format!("{key}.bin"), str::to_owned);
                        fields.push(Param {
                            name: key,
                            value: Some(String::new()),
                            file_name: Some(file_name),
                            content_type: Some(
                                f.get("contentType")
                                    .and_then(Value::as_str)
                                    .unwrap_or("application/octet-stream")
                                    .to_owned(),
                            ),
                            comment: None,
                        });
                    } else {
                        let value = self.subst(&scalar_text(f.get("value")));
                        fields.push(Param {
                            name: key,
                            value: Some(value),
                            file_name: None,
                            content_type: f
                                .get("contentType")
                                .and_then(Value::as_str)
                                .map(str::to_owned),
                            comment: None,
                        });
                    }
                }
                let media_type = if multipart {
                    "multipart/form-data".to_owned()
                } else {
                    content_type.unwrap_or_else(|| "application/x-www-form-urlencoded".to_owned())
                };
                Some(plan(media_type, None, Some(fields)))
            }
            "graphql" => {
                let g = body.get("graphql");
                let query = self.subst(&scalar_text(g.and_then(|g| g.get("query"))));
                let variables_text = self.subst(&scalar_text(g.and_then(|g| g.get("variables"))));
                let variables = if variables_text.trim().is_empty() {
                    json!({})
                } else {
                    match serde_json::from_str::<Value>(&variables_text) {
                        Ok(v) => v,
                        Err(_) => {
                            self.diags.push(Diagnostic::new(
                                Severity::Warning,
                                join(pointer, "graphql"),
                                format!("{label} has GraphQL variables that are not valid JSON; they are sent as an empty object."),
                            ));
                            json!({})
                        }
                    }
                };
                let text = serde_json::to_string(&json!({"query": query, "variables": variables}))
                    .unwrap_or_default();
                Some(plan(
                    content_type.unwrap_or_else(|| "application/json".into()),
                    Some(text),
                    None,
                ))
            }
            "file" => {
                self.diags.push(Diagnostic::new(
                    Severity::Information,
                    pointer,
                    format!("{label} sends a file as its body; the file is not part of the collection, so the request is shown with an empty body."),
                ));
                Some(plan(
                    content_type.unwrap_or_else(|| "application/octet-stream".into()),
                    Some(String::new()),
                    None,
                ))
            }
            other => {
                self.diags.push(Diagnostic::new(
                    Severity::Warning,
                    pointer,
                    format!("{label} has a body of mode `{other}`, which prescan does not convert; it is sent without a body."),
                ));
                None
            }
        }
    }
}
