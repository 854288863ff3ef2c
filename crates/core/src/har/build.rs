//! One planned request → one HAR 1.2 entry.

use serde_json::Value;

use super::style::{self, scalar};
use super::{
    unsent_response, zero_timings, Cache, Cookie, Entry, NameValue, Param, PostData, Request, EPOCH,
};
use crate::encode::{percent, url_text};
use crate::options::{validate_header_name, ConvertOptions, HarStyle};
use crate::plan::{AuthPlan, BodyPlan, Location, RequestPlan};
use crate::spec::auth::cookie_name_ok;

/// The boundary of multipart bodies: fixed, so the output is deterministic.
pub const MULTIPART_BOUNDARY: &str = "----prescan-boundary-7MA4YWxkTrZu0gW";

/// How the comment of a placeholder credential begins (see [`is_placeholder`]).
pub const PLACEHOLDER_COMMENT: &str = "Placeholder for the credentials of security scheme";

/// Whether a header, query parameter or cookie with this comment holds a
/// placeholder rather than a credential someone entered.
pub fn is_placeholder(comment: Option<&str>) -> bool {
    comment.is_some_and(|c| c.starts_with(PLACEHOLDER_COMMENT))
}

/// The comment on credentials.
fn auth_comment(scheme: &str, placeholder: bool) -> String {
    if placeholder {
        format!("{PLACEHOLDER_COMMENT} `{scheme}`; the scan uses the authentication you configure.")
    } else if scheme == crate::spec::carried::UNDECLARED {
        "Credentials you entered, sent with every request: the specification declares no security scheme.".to_owned()
    } else {
        format!("Credentials you entered for security scheme `{scheme}`.")
    }
}

/// Writes the path parameters' texts into a path template, in one pass:
/// `{name}` becomes its text (the first parameter of that name), an
/// undeclared one stays as written. In Veracode's style the template stays
/// and the values are listed instead (`name=text`, in parameter order).
fn fill_template(
    template: &str,
    texts: &[(&str, String)],
    style: HarStyle,
) -> (String, Vec<String>) {
    let mut by_name: std::collections::HashMap<&str, &str> = std::collections::HashMap::new();
    for (name, text) in texts {
        by_name.entry(name).or_insert(text);
    }
    let mut used = std::collections::HashSet::new();
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}').map(|c| open + c) else {
            break;
        };
        let name = &rest[open + 1..close];
        out.push_str(&rest[..open]);
        match by_name.get(name) {
            Some(text) => {
                used.insert(name);
                match style {
                    HarStyle::Concrete => out.push_str(text),
                    HarStyle::Veracode => out.push_str(&rest[open..=close]),
                }
            }
            None => out.push_str(&rest[open..=close]),
        }
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    let values = match style {
        HarStyle::Concrete => Vec::new(),
        HarStyle::Veracode => texts
            .iter()
            .filter(|(name, _)| used.contains(name))
            .map(|(name, text)| format!("{name}={text}"))
            .collect(),
    };
    (out, values)
}

/// Builds the entry of one planned request.
pub(crate) fn entry(plan: &RequestPlan, options: &ConvertOptions) -> Entry {
    // Path parameters' texts, in order; written into the template at once.
    let mut path_texts: Vec<(&str, String)> = Vec::new();
    let mut query: Vec<NameValue> = Vec::new();
    let mut encoded_query: Vec<String> = Vec::new();
    let mut headers = Headers::default();
    let mut cookies: Vec<Cookie> = Vec::new();

    for p in &plan.params {
        match p.location {
            Location::Path => {
                let text = if p.verbatim {
                    url_text(&scalar(&p.value))
                } else {
                    style::path(p)
                };
                path_texts.push((&p.name, text));
            }
            Location::Query if p.verbatim => {
                let value = scalar(&p.value);
                encoded_query.push(format!("{}={}", url_text(&p.name), url_text(&value)));
                query.push(name_value(p.name.clone(), value, None));
            }
            Location::Query => {
                for pair in style::query(p) {
                    encoded_query.push(pair.encoded);
                    query.push(name_value(pair.name, pair.value, None));
                }
            }
            Location::Header => {
                let value = if p.verbatim {
                    scalar(&p.value).replace(['\r', '\n'], " ")
                } else {
                    style::header(p)
                };
                add_header(&mut headers, name_value(p.name.clone(), value, None), false)
            }
            Location::Cookie => {
                for (name, value) in style::cookies(p) {
                    cookies.push(cookie(name, value, None));
                }
            }
        }
    }
    for AuthPlan {
        location,
        name,
        value,
        scheme,
        placeholder,
    } in &plan.auth
    {
        let comment = Some(auth_comment(scheme, *placeholder));
        match location {
            Location::Header | Location::Path => add_header(
                &mut headers,
                name_value(name.clone(), value.clone(), comment),
                true,
            ),
            Location::Query => {
                query.retain(|q| q.name != *name);
                encoded_query.retain(|q| !q.starts_with(&format!("{}=", percent(name, false))));
                encoded_query.push(format!(
                    "{}={}",
                    percent(name, false),
                    percent(value, false)
                ));
                query.push(name_value(name.clone(), value.clone(), comment));
            }
            Location::Cookie => {
                cookies.retain(|c| c.name != *name);
                cookies.push(cookie(name.clone(), style::cookie_text(value), comment));
            }
        }
    }
    for (name, value) in &options.auth.custom_cookies {
        if cookie_name_ok(name) {
            cookies.retain(|c| c.name != *name);
            cookies.push(cookie(
                name.clone(),
                style::cookie_text(value),
                Some("Custom cookie from the scan configuration.".into()),
            ));
        }
    }
    if !cookies.is_empty() {
        let text = cookies
            .iter()
            .map(|c| format!("{}={}", c.name, c.value))
            .collect::<Vec<_>>()
            .join("; ");
        add_header(&mut headers, name_value("Cookie".into(), text, None), true);
    }
    for (name, value) in &options.auth.custom_headers {
        if validate_header_name(name).is_ok() {
            add_header(
                &mut headers,
                name_value(
                    name.trim_matches(' ').to_owned(),
                    value.replace(['\r', '\n'], " "),
                    Some("Custom header from the scan configuration.".into()),
                ),
                true,
            );
        }
    }
    let post_data = plan.body.as_ref().map(post_data);
    if let Some(body) = &post_data {
        add_header(
            &mut headers,
            name_value("Content-Type".into(), body.mime_type.clone(), None),
            true,
        );
    }
    if let Some(accept) = &plan.accept {
        add_header(
            &mut headers,
            name_value("Accept".into(), accept.clone(), None),
            true,
        );
    }
    let body_size = plan
        .body
        .as_ref()
        .map_or(0, |b| body_length(b, post_data.as_ref()));

    let (path, path_values) = fill_template(&plan.path, &path_texts, options.har_style);
    // A fragment is never sent; a query written into the path is kept.
    let path = path.split('#').next().unwrap_or("");
    let mut url = join_url(&plan.base_url, path);
    if !encoded_query.is_empty() {
        url.push(if url.contains('?') { '&' } else { '?' });
        url.push_str(&encoded_query.join("&"));
    }
    let (entry_comment, request_comment) = match options.har_style {
        HarStyle::Concrete => (plan.comment.clone(), None),
        HarStyle::Veracode => (path_values.join("&"), Some(plan.comment.clone())),
    };
    Entry {
        started_date_time: EPOCH.into(),
        time: 0.0,
        request: Request {
            method: plan.method.as_str().into(),
            url,
            http_version: "HTTP/1.1".into(),
            cookies,
            headers: headers.list,
            query_string: query,
            post_data,
            headers_size: -1,
            body_size: i64::try_from(body_size).unwrap_or(i64::MAX),
            comment: request_comment,
        },
        response: unsent_response(),
        cache: Cache::default(),
        timings: zero_timings(),
        server_ip_address: None,
        connection: None,
        comment: Some(entry_comment),
    }
}

fn name_value(name: String, value: String, comment: Option<String>) -> NameValue {
    NameValue {
        name,
        value,
        comment,
    }
}

fn cookie(name: String, value: String, comment: Option<String>) -> Cookie {
    Cookie {
        name,
        value,
        path: None,
        domain: None,
        expires: None,
        http_only: None,
        secure: None,
        comment,
    }
}

/// Adds a header; a header of the same name (any case) is replaced when
/// `replace`, kept otherwise: never two of one name.
fn add_header(headers: &mut Headers, header: NameValue, replace: bool) {
    let key = header.name.to_ascii_lowercase();
    match headers.index.get(&key) {
        Some(&i) if replace => headers.list[i] = header,
        Some(_) => {}
        None => {
            headers.index.insert(key, headers.list.len());
            headers.list.push(header);
        }
    }
}

/// A request's headers in order, indexed by lower-case name, so that
/// thousands of them (a hostile `security` list) are added in linear time.
#[derive(Default)]
struct Headers {
    list: Vec<NameValue>,
    index: std::collections::HashMap<String, usize>,
}

/// The base URL and the path, without doubled slashes between or inside.
fn join_url(base: &str, path: &str) -> String {
    let base = base.trim_end_matches('/');
    let (scheme, rest) = match base.find("://") {
        Some(i) => (&base[..i + 3], &base[i + 3..]),
        None => ("", base),
    };
    let mut url = String::with_capacity(base.len() + path.len());
    url.push_str(scheme);
    let mut last = false;
    for c in rest.chars() {
        if c == '/' && last {
            continue;
        }
        last = c == '/';
        url.push(c);
    }
    let mut last_slash = false;
    if !path.starts_with('/') {
        url.push('/');
        last_slash = true;
    }
    for c in path.chars() {
        if c == '/' && last_slash {
            continue;
        }
        last_slash = c == '/';
        url.push(c);
    }
    url
}

fn essence(media_type: &str) -> String {
    media_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

fn post_data(body: &BodyPlan) -> PostData {
    let kind = essence(&body.media_type);
    let mut data = PostData {
        mime_type: body.media_type.clone(),
        text: None,
        params: Vec::new(),
        comment: None,
    };
    if let Some(text) = &body.text {
        data.text = Some(text.clone());
        return data;
    }
    if let Some(fields) = &body.fields {
        data.params = fields.clone();
        if kind == "multipart/form-data" {
            data.mime_type = format!("multipart/form-data; boundary={MULTIPART_BOUNDARY}");
        }
        if data.params.is_empty() {
            data.text = Some(String::new());
        }
        return data;
    }
    match kind.as_str() {
        "application/x-www-form-urlencoded" => data.params = form_params(body, false),
        "multipart/form-data" => {
            data.mime_type = format!("multipart/form-data; boundary={MULTIPART_BOUNDARY}");
            data.params = form_params(body, true);
        }
        k if k == "application/json" || k.ends_with("+json") || k == "text/json" || k == "*/*" => {
            data.text = Some(serde_json::to_string(&*body.value).unwrap_or_default());
        }
        k if k.ends_with("/xml") || k.ends_with("+xml") => data.text = Some(xml(&body.value)),
        _ => {
            data.text = Some(match &*body.value {
                Value::String(s) => s.clone(),
                Value::Null => String::new(),
                other => serde_json::to_string(other).unwrap_or_default(),
            })
        }
    }
    data
}

/// A form body's fields: arrays become repeated fields when exploded.
fn form_params(body: &BodyPlan, multipart: bool) -> Vec<Param> {
    let Value::Object(fields) = &*body.value else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (name, value) in fields {
        let file = multipart && body.file_fields.contains(name);
        let values: Vec<&Value> = match value {
            Value::Array(items) if body.exploded_fields.contains(name) || file => {
                items.iter().collect()
            }
            other => vec![other],
        };
        for v in values {
            let text = match v {
                Value::Array(items) => items.iter().map(scalar).collect::<Vec<_>>().join(","),
                other => scalar(other),
            };
            out.push(Param {
                name: name.clone(),
                value: Some(text),
                file_name: file.then(|| format!("{name}.bin")),
                content_type: file.then(|| "application/octet-stream".to_owned()),
                comment: None,
            });
        }
    }
    out
}

/// The length in bytes of the body as it would be sent.
fn body_length(body: &BodyPlan, data: Option<&PostData>) -> usize {
    let Some(data) = data else { return 0 };
    if let Some(text) = &data.text {
        return text.len();
    }
    match essence(&body.media_type).as_str() {
        "multipart/form-data" => {
            let mut len = 0;
            for p in &data.params {
                len += format!("--{MULTIPART_BOUNDARY}\r\n").len();
                len += match &p.file_name {
                    Some(f) => format!("Content-Disposition: form-data; name=\"{}\"; filename=\"{f}\"\r\nContent-Type: application/octet-stream\r\n\r\n", p.name).len(),
                    None => format!("Content-Disposition: form-data; name=\"{}\"\r\n\r\n", p.name).len(),
                };
                len += p.value.as_deref().map_or(0, str::len) + 2;
            }
            len + format!("--{MULTIPART_BOUNDARY}--\r\n").len()
        }
        _ => data
            .params
            .iter()
            .map(|p| {
                format!(
                    "{}={}",
                    percent(&p.name, false),
                    percent(p.value.as_deref().unwrap_or(""), false)
                )
            })
            .collect::<Vec<_>>()
            .join("&")
            .len(),
    }
}

/// A value as XML: objects as elements, arrays as repeated elements.
fn xml(value: &Value) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    element(&mut out, "root", value);
    out
}

fn element(out: &mut String, name: &str, value: &Value) {
    let name: String = name
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
        .collect();
    let name = if name.is_empty() || !name.starts_with(|c: char| c.is_alphabetic() || c == '_') {
        format!("_{name}")
    } else {
        name
    };
    match value {
        Value::Array(items) => items.iter().for_each(|i| element(out, &name, i)),
        Value::Object(map) => {
            out.push_str(&format!("<{name}>"));
            for (k, v) in map {
                element(out, k, v);
            }
            out.push_str(&format!("</{name}>"));
        }
        other => {
            let text = scalar(other)
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;");
            out.push_str(&format!("<{name}>{text}</{name}>"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_joined_without_double_slashes() {
        assert_eq!(
            join_url("https://a.com/v1/", "/pets"),
            "https://a.com/v1/pets"
        );
        assert_eq!(
            join_url("https://a.com", "//pets//x"),
            "https://a.com/pets/x"
        );
        assert_eq!(join_url("https://a.com", "pets"), "https://a.com/pets");
    }

    #[test]
    fn headers_are_never_duplicated() {
        let mut h = Headers::default();
        add_header(&mut h, name_value("accept".into(), "a".into(), None), false);
        add_header(&mut h, name_value("Accept".into(), "b".into(), None), true);
        add_header(&mut h, name_value("ACCEPT".into(), "c".into(), None), false);
        add_header(
            &mut h,
            name_value("X-Other".into(), "d".into(), None),
            false,
        );
        assert_eq!(h.list.len(), 2);
        assert_eq!(h.list[0].value, "b");
        assert_eq!(h.list[1].name, "X-Other");
    }

    #[test]
    fn xml_bodies() {
        assert_eq!(
            xml(&serde_json::json!({"a": 1, "b": ["x", "<y>"]})),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<root><a>1</a><b>x</b><b>&lt;y&gt;</b></root>"
        );
    }
}
