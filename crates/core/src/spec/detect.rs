//! Which specification format a parsed document is, from its telltale fields.

use serde_json::{Map, Value};

use super::{LoadError, SpecFormat, Syntax};

/// Finds the format of a document and the version it states.
pub(crate) fn detect(
    root: &Map<String, Value>,
    syntax: Syntax,
) -> Result<(SpecFormat, String), LoadError> {
    if let Some(v) = root.get("swagger") {
        let version = version_text(v);
        return if version == "2.0" || version == "2" {
            Ok((SpecFormat::OpenApi2, version))
        } else {
            Err(LoadError::Unsupported {
                format: format!("Swagger {version}"),
                detail: "is too old to read. Convert it to OpenAPI 2.0 or 3.0 (for example with the Swagger Editor) and load it again.".into(),
            })
        };
    }
    if let Some(v) = root.get("openapi") {
        let version = version_text(v);
        if version.starts_with("3.0") {
            return Ok((SpecFormat::OpenApi30, version));
        }
        if version.starts_with("3.1") {
            return Ok((SpecFormat::OpenApi31, version));
        }
        return Err(LoadError::Unsupported {
            format: format!("OpenAPI {version}"),
            detail: "is not a version prescan reads. Supported: OpenAPI 2.0, 3.0 and 3.1.".into(),
        });
    }
    if is_postman(root) {
        let version = root
            .get("info")
            .and_then(|i| i.get("schema"))
            .and_then(Value::as_str)
            .map(|s| if s.contains("v2.0") { "2.0" } else { "2.1" })
            .unwrap_or("2.1");
        return Ok((SpecFormat::Postman21, version.to_owned()));
    }
    if let Some(log) = root.get("log").and_then(Value::as_object) {
        if log.get("entries").is_some_and(Value::is_array) {
            let version = log
                .get("version")
                .map(version_text)
                .unwrap_or_else(|| "1.2".into());
            return Ok((SpecFormat::Har12, version));
        }
    }
    let kind = match syntax {
        Syntax::Json => "a JSON object",
        Syntax::Yaml => "a YAML mapping",
    };
    Err(LoadError::NotASpecification {
        found: format!("{kind} without an `openapi` or `swagger` field"),
    })
}

fn is_postman(root: &Map<String, Value>) -> bool {
    let Some(info) = root.get("info").and_then(Value::as_object) else {
        return false;
    };
    info.contains_key("_postman_id")
        || info
            .get("schema")
            .and_then(Value::as_str)
            .is_some_and(|s| s.contains("schema.getpostman.com"))
}

/// A version field as text; YAML may give `2.0` or `3.0` as a number.
fn version_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.trim().to_owned(),
        Value::Number(n) => {
            let s = n.to_string();
            if s.contains('.') {
                s
            } else {
                format!("{s}.0")
            }
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn d(v: Value) -> Result<(SpecFormat, String), LoadError> {
        detect(v.as_object().unwrap(), Syntax::Json)
    }

    #[test]
    fn formats() {
        assert_eq!(
            d(json!({"swagger": "2.0"})).unwrap(),
            (SpecFormat::OpenApi2, "2.0".into())
        );
        assert_eq!(d(json!({"swagger": 2.0})).unwrap().0, SpecFormat::OpenApi2);
        assert_eq!(
            d(json!({"openapi": "3.0.3"})).unwrap(),
            (SpecFormat::OpenApi30, "3.0.3".into())
        );
        assert_eq!(d(json!({"openapi": 3.0})).unwrap().0, SpecFormat::OpenApi30);
        assert_eq!(
            d(json!({"openapi": "3.1.0"})).unwrap().0,
            SpecFormat::OpenApi31
        );
        assert_eq!(
            d(json!({"info": {"schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"}})).unwrap().0,
            SpecFormat::Postman21
        );
        assert_eq!(
            d(json!({"info": {"_postman_id": "x"}})).unwrap().0,
            SpecFormat::Postman21
        );
        assert_eq!(
            d(json!({"log": {"version": "1.2", "entries": []}})).unwrap(),
            (SpecFormat::Har12, "1.2".into())
        );
        assert!(matches!(
            d(json!({"swagger": "1.2"})),
            Err(LoadError::Unsupported { .. })
        ));
        assert!(matches!(
            d(json!({"openapi": "4.0"})),
            Err(LoadError::Unsupported { .. })
        ));
        assert_eq!(
            d(json!({"name": "x"})),
            Err(LoadError::NotASpecification {
                found: "a JSON object without an `openapi` or `swagger` field".into()
            })
        );
    }
}
