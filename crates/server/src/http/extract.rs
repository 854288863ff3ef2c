//! Reading requests: bodies within their limits, JSON with problem+json
//! errors for every mistake, query strings, and the ids of paths.

use super::prelude::*;
use super::problem::*;

pub(super) fn content_type(headers: &HeaderMap) -> String {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned()
}

pub(super) fn media_type(ct: &str) -> String {
    ct.split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

pub(super) fn is_json_type(ct: &str) -> bool {
    let m = media_type(ct);
    m == "application/json" || (m.starts_with("application/") && m.ends_with("+json"))
}

/// Reads a body of at most `limit` bytes (413 above).
pub(super) async fn read_body(
    headers: &HeaderMap,
    body: Body,
    limit: usize,
) -> Result<Bytes, ApiError> {
    if let Some(len) = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
    {
        if len > limit as u64 {
            return Err(Problem::too_large(limit).into());
        }
    }
    axum::body::to_bytes(body, limit).await.map_err(|e| {
        let too_large = std::error::Error::source(&e)
            .is_some_and(|s| s.is::<http_body_util::LengthLimitError>())
            || e.to_string().contains("length limit");
        if too_large {
            ApiError::from(Problem::too_large(limit))
        } else {
            ApiError::from(Problem::bad_request(
                None,
                format!("The request body could not be read: {e}"),
            ))
        }
    })
}

/// The JSON body of a request: 415 unless JSON, 413 above the limit, 400
/// with line and column when it is not JSON or does not fit the schema.
pub(super) async fn json_body<T: DeserializeOwned>(
    s: &AppState,
    headers: &HeaderMap,
    body: Body,
    empty_is: Option<&str>,
) -> Result<T, ApiError> {
    let ct = content_type(headers);
    let bytes = read_body(headers, body, s.config.max_json_bytes).await?;
    if let Some(default) = empty_is {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return parse_json(default.as_bytes());
        }
    }
    if !is_json_type(&ct) {
        return Err(Problem::unsupported_media_type(&ct, "application/json").into());
    }
    parse_json(&bytes)
}

/// JSON Schema counts `10.0` as an integer; serde does not. Numbers with
/// no fractional part become integers before the body is read into the
/// wire types (an `f64` field reads an integer just as well).
pub(super) fn integral_floats(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Number(n) if !n.is_i64() && !n.is_u64() => {
            if let Some(f) = n.as_f64() {
                if f.fract() == 0.0 && f >= i64::MIN as f64 && f < u64::MAX as f64 {
                    *v = if f < 0.0 {
                        serde_json::Value::from(f as i64)
                    } else {
                        serde_json::Value::from(f as u64)
                    };
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(integral_floats),
        serde_json::Value::Object(map) => map.values_mut().for_each(integral_floats),
        _ => {}
    }
}

/// The request bodies' lists: every other JSON array is out of place.
pub(super) const LIST_FIELDS: [&str; 5] = [
    "scans",
    "custom_headers",
    "custom_cookies",
    "scope",
    "values",
];

/// serde reads a struct from a JSON array too (`[null, null]` as an
/// `AnalysisUpdate`) and an absent optional field from `null`; the
/// contract's bodies are objects and none of their fields is nullable.
/// Refuses arrays except where the contract has a list (of objects), and
/// nulls.
pub(super) fn objects_only(v: &serde_json::Value, at: &str) -> Result<(), String> {
    match v {
        serde_json::Value::Object(map) => map.iter().try_for_each(|(k, v)| {
            let path = if at.is_empty() {
                k.clone()
            } else {
                format!("{at}.{k}")
            };
            match v {
                // A visibility's teams: a list of strings.
                serde_json::Value::Array(items) if k == "team_identifiers" => {
                    items.iter().enumerate().try_for_each(|(i, item)| {
                        if item.is_string() {
                            Ok(())
                        } else {
                            Err(format!("{path}[{i}] must be a team identifier (a string)"))
                        }
                    })
                }
                serde_json::Value::Array(items) if LIST_FIELDS.contains(&k.as_str()) => {
                    items.iter().enumerate().try_for_each(|(i, item)| {
                        let path = format!("{path}[{i}]");
                        if item.is_object() {
                            objects_only(item, &path)
                        } else {
                            Err(format!("{path} must be an object"))
                        }
                    })
                }
                serde_json::Value::Array(_) => Err(format!("{path} must not be an array")),
                // No field of a request body is nullable: leave it out.
                serde_json::Value::Null => Err(format!(
                    "{path} must not be null (leave the field out instead)"
                )),
                other => objects_only(other, &path),
            }
        }),
        serde_json::Value::Array(_) if at.is_empty() => {
            Err("the body must be a JSON object, not an array".into())
        }
        _ => Ok(()),
    }
}

pub(super) fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut value: serde_json::Value = parse_value(bytes)?;
    if let Err(m) = objects_only(&value, "") {
        return Err(ApiError::from(Problem::bad_request(
            None,
            format!("The request body does not fit the schema: {m}. See {API}/openapi.json."),
        )));
    }
    integral_floats(&mut value);
    serde_json::from_value(value).map_err(|e| {
        ApiError::from(Problem::bad_request(
            None,
            format!("The request body does not fit the schema: {e}. See {API}/openapi.json."),
        ))
    })
}

pub(super) fn parse_value(bytes: &[u8]) -> Result<serde_json::Value, ApiError> {
    serde_json::from_slice(bytes).map_err(|e| {
        use serde_json::error::Category;
        let detail = match e.classify() {
            Category::Syntax | Category::Eof | Category::Io => format!(
                "The request body is not valid JSON: {e}. Fix the JSON at line {}, column {}.",
                e.line(),
                e.column()
            ),
            Category::Data => {
                format!("The request body does not fit the schema: {e}. See {API}/openapi.json.")
            }
        };
        ApiError::from(Problem::bad_request(None, detail))
    })
}

/// Query parameters, each at most once.
pub(super) fn query_params(raw: Option<String>) -> Result<BTreeMap<String, String>, ApiError> {
    let mut out = BTreeMap::new();
    let raw = raw.unwrap_or_default();
    for (k, v) in form_urlencoded::parse(raw.as_bytes()) {
        if out.insert(k.to_string(), v.to_string()).is_some() {
            return Err(Problem::bad_request(
                Some(&k),
                format!("The query parameter {k} is given more than once: give it once."),
            )
            .into());
        }
    }
    Ok(out)
}

/// The query parameters with `team` repeatable (a specification's
/// visibility): at most 64, each a team identifier.
pub(super) fn query_params_with_teams(
    raw: Option<String>,
) -> Result<(BTreeMap<String, String>, Vec<String>), ApiError> {
    let raw = raw.unwrap_or_default();
    let mut teams = Vec::new();
    let mut rest = String::new();
    for (k, v) in form_urlencoded::parse(raw.as_bytes()) {
        if k == "team" {
            let ok = (1..=64).contains(&v.len())
                && v.bytes().all(|b| {
                    b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'_' | b'.')
                });
            if !ok {
                return Err(bad_param(
                    "team",
                    format!("The parameter team must be a team identifier of 1 to 64 characters a-z, 0-9, '-', '_' or '.' (got \"{v}\")."),
                ));
            }
            if !teams.contains(&v.to_string()) {
                teams.push(v.to_string());
            }
            if teams.len() > 64 {
                return Err(bad_param("team", "Give at most 64 teams.".into()));
            }
        } else {
            rest.push_str(
                &form_urlencoded::Serializer::new(String::new())
                    .append_pair(&k, &v)
                    .finish(),
            );
            rest.push('&');
        }
    }
    Ok((query_params(Some(rest))?, teams))
}

pub(super) fn bad_param(name: &str, message: String) -> ApiError {
    ApiError::from(Problem::bad_request(Some(name), message))
}

/// A path id: a positive integer.
pub(super) fn path_id(params: &RawPathParams, name: &str) -> Result<u64, ApiError> {
    let raw = params
        .iter()
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
        .unwrap_or("");
    let valid = !raw.is_empty() && raw.len() <= 20 && raw.bytes().all(|b| b.is_ascii_digit());
    match raw.parse::<u64>() {
        Ok(n) if valid && (1..=i64::MAX as u64).contains(&n) => Ok(n),
        _ => Err(bad_param(
            name,
            format!(
                "The path parameter {name} must be an id from 1 to {} (got \"{raw}\").",
                i64::MAX
            ),
        )),
    }
}

pub(super) fn path_params_problem(e: axum::extract::rejection::RawPathParamsRejection) -> ApiError {
    ApiError::from(Problem::bad_request(None, e.body_text()))
}

/// An id type named by a path parameter.
pub(super) trait IdParam: Sized {
    /// The parameter's name in the route (`analysis_id`, ...).
    const NAME: &'static str;
    fn from_u64(n: u64) -> Self;
}

macro_rules! id_param {
    ($($ty:ident => $name:literal),* $(,)?) => {$(
        impl IdParam for $ty {
            const NAME: &'static str = $name;
            fn from_u64(n: u64) -> Self {
                $ty(n)
            }
        }
    )*};
}

id_param!(AnalysisId => "analysis_id", SpecId => "spec_id", ScanId => "scan_id");

/// The id in the path (`{analysis_id}`, `{spec_id}` or `{scan_id}`),
/// checked by [`path_id`]: a handler that takes it never sees a bad id,
/// and the client gets a 400 problem naming the parameter.
pub(super) struct PathId<T>(pub(super) T);

impl<S: Send + Sync, T: IdParam> axum::extract::FromRequestParts<S> for PathId<T> {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, ApiError> {
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(path_params_problem)?;
        Ok(PathId(T::from_u64(path_id(&params, T::NAME)?)))
    }
}
