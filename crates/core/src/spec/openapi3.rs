//! An OpenAPI 3.0 document (or a 2.0 / 3.1 one brought to that shape) →
//! endpoints, servers and one [`RequestPlan`] per endpoint.
//!
//! The typed model of `openapiv3` is used piece by piece: each parameter,
//! request body, server and security requirement is deserialized on its own
//! from the document (no copy of it), so a malformed piece becomes a
//! diagnostic that points at it, and the rest still converts.

use std::collections::HashMap;

use openapiv3::{
    APIKeyLocation, Parameter, PathStyle, QueryStyle, RequestBody, SecurityRequirement,
    SecurityScheme,
};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::plan::{AuthPlan, BodyPlan, Location, ParamPlan, RequestPlan, Style};
use super::refs::{join, Resolver};
use super::{Endpoint, Method, Server, SpecFormat};
use crate::diagnostic::{Diagnostic, Severity};
use crate::encode::base64;
use crate::sample::Sampler;
use crate::ConvertOptions;

/// The stand-in origin for specifications without a fully-qualified server.
pub(crate) const STAND_IN_ORIGIN: &str = "http://localhost";

/// What a document holds, ready for the [`super::Specification`] and the HAR.
pub(crate) struct Analysis {
    pub title: String,
    pub version: String,
    pub description: Option<String>,
    pub servers: Vec<Server>,
    pub endpoints: Vec<Endpoint>,
    pub requests: Vec<RequestPlan>,
}

/// A parameter read from the document: typed, and its raw value (for examples).
struct Param<'a> {
    typed: Parameter,
    raw: &'a Value,
    pointer: String,
}

struct Reader<'r, 'a> {
    resolver: &'r Resolver<'a>,
    sampler: Sampler<'r, 'a>,
    format: SpecFormat,
    base_url: String,
    schemes: HashMap<String, Option<SecurityScheme>>,
    diags: &'r mut Vec<Diagnostic>,
}

/// Reads a document in OpenAPI 3.0 shape.
pub(crate) fn analyze(
    root: &Value,
    format: SpecFormat,
    options: &ConvertOptions,
    diags: &mut Vec<Diagnostic>,
) -> Analysis {
    let resolver = Resolver::new(root);
    let info = root.get("info");
    let text = |v: Option<&Value>| match v {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    let title = text(info.and_then(|i| i.get("title"))).unwrap_or_default();
    let version = text(info.and_then(|i| i.get("version"))).unwrap_or_default();
    let description = info
        .and_then(|i| i.get("description"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    let servers = read_servers(root.get("servers"), "/servers", diags);
    let base_url = base_url(&servers, options, format, diags);

    let mut reader = Reader {
        resolver: &resolver,
        sampler: Sampler::new(&resolver),
        format,
        base_url,
        schemes: HashMap::new(),
        diags,
    };
    let mut endpoints = Vec::new();
    let mut requests = Vec::new();
    match root.get("paths") {
        Some(Value::Object(paths)) => {
            for (path, item) in paths {
                if path.starts_with("x-") {
                    continue;
                }
                reader.path_item(root, path, item, &mut endpoints, &mut requests);
            }
        }
        Some(_) => reader.diags.push(Diagnostic::new(
            Severity::Error,
            "/paths",
            "`paths` is not a mapping of paths to operations, so no endpoint can be read.",
        )),
        None => {}
    }
    if endpoints.is_empty() {
        let message = if root.get("webhooks").is_some() {
            "The specification describes only webhooks (requests the API sends), so there is nothing for a scan to send."
        } else {
            "The specification has no operations under `paths`, so there is nothing for a scan to send."
        };
        reader
            .diags
            .push(Diagnostic::new(Severity::Warning, "/paths", message));
    }
    Analysis {
        title,
        version,
        description,
        servers,
        endpoints,
        requests,
    }
}

fn read_servers(list: Option<&Value>, pointer: &str, diags: &mut Vec<Diagnostic>) -> Vec<Server> {
    let Some(list) = list else { return Vec::new() };
    let Some(items) = list.as_array() else {
        diags.push(Diagnostic::new(
            Severity::Error,
            pointer,
            "`servers` must be a list of Server Objects; it is ignored.",
        ));
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, s) in items.iter().enumerate() {
        match openapiv3::Server::deserialize(s) {
            Ok(server) => out.push(Server {
                resolved_url: substitute(&server.url, server.variables.as_ref()),
                url: server.url,
                description: server.description,
            }),
            Err(e) => diags.push(Diagnostic::new(
                Severity::Error,
                join(pointer, &i.to_string()),
                format!("This server could not be read ({e}); it is left out. A server needs a `url` string."),
            )),
        }
    }
    out
}

/// Replaces `{variable}`s with their defaults (or first allowed value).
fn substitute(
    url: &str,
    variables: Option<&indexmap::IndexMap<String, openapiv3::ServerVariable>>,
) -> String {
    let mut out = String::with_capacity(url.len());
    let mut rest = url;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}').map(|c| open + c) else {
            break;
        };
        out.push_str(&rest[..open]);
        let name = &rest[open + 1..close];
        match variables.and_then(|v| v.get(name)) {
            Some(var) if !var.default.is_empty() => out.push_str(&var.default),
            Some(var) if !var.enumeration.is_empty() => {
                out.push_str(var.enumeration.first().map_or("", String::as_str))
            }
            _ => out.push_str(&rest[open..=close]),
        }
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out
}

fn is_absolute(url: &str) -> bool {
    url.split_once("://").is_some_and(|(scheme, _)| {
        !scheme.is_empty()
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    })
}

/// The scheme and host of an absolute URL.
fn origin(url: &str) -> &str {
    match url.find("://") {
        Some(i) => match url[i + 3..].find('/') {
            Some(j) => &url[..i + 3 + j],
            None => url,
        },
        None => url,
    }
}

/// The base URL requests are sent to: the user's, the first server's, or a
/// stand-in (reported) when there is no fully-qualified server.
fn base_url(
    servers: &[Server],
    options: &ConvertOptions,
    format: SpecFormat,
    diags: &mut Vec<Diagnostic>,
) -> String {
    if let Some(user) = options
        .base_url
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty())
    {
        return user.trim_end_matches('/').to_owned();
    }
    let fix = if format == SpecFormat::OpenApi2 {
        "add `host` (with `schemes` and `basePath`) to the specification"
    } else {
        "add a fully-qualified URL to `servers`"
    };
    let first = servers.first().map(|s| s.resolved_url.trim());
    match first {
        Some(url) if is_absolute(url) => url.trim_end_matches('/').to_owned(),
        Some(url) if url.starts_with("//") => format!("https:{}", url.trim_end_matches('/')),
        Some(url) => {
            let path = url.trim_matches('/');
            let stand_in = if path.is_empty() {
                STAND_IN_ORIGIN.to_owned()
            } else {
                format!("{STAND_IN_ORIGIN}/{path}")
            };
            diags.push(Diagnostic::new(
                Severity::Warning,
                if format == SpecFormat::OpenApi2 { "" } else { "/servers/0" },
                format!(
                    "The server URL `{url}` is relative, so the requests shown use `{stand_in}` as a stand-in. Veracode needs a fully-qualified base URL that includes the base path (such as https://api.example.com/v1): {fix}, or give one when you configure the scan."
                ),
            ));
            stand_in
        }
        None => {
            diags.push(Diagnostic::new(
                Severity::Warning,
                "",
                format!(
                    "The specification names no server, so the requests shown use `{STAND_IN_ORIGIN}` as a stand-in. Veracode needs a fully-qualified base URL that includes the base path (such as https://api.example.com/v1): {fix}, or give one when you configure the scan."
                ),
            ));
            STAND_IN_ORIGIN.to_owned()
        }
    }
}

fn method_of(key: &str) -> Option<Method> {
    Some(match key {
        "get" => Method::Get,
        "put" => Method::Put,
        "post" => Method::Post,
        "delete" => Method::Delete,
        "options" => Method::Options,
        "head" => Method::Head,
        "patch" => Method::Patch,
        "trace" => Method::Trace,
        _ => return None,
    })
}

fn is_json(media_type: &str) -> bool {
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
    fn path_item(
        &mut self,
        root: &'a Value,
        path: &str,
        item: &'a Value,
        endpoints: &mut Vec<Endpoint>,
        requests: &mut Vec<RequestPlan>,
    ) {
        let pointer = join("/paths", path);
        let Some(item) = self.resolver.deref_or_report(item, &pointer, self.diags) else {
            return;
        };
        let Some(item_map) = item.as_object() else {
            self.diags.push(Diagnostic::new(Severity::Error, &pointer, format!("The path item of `{path}` is not a mapping of methods to operations; it is left out.")));
            return;
        };
        let shared = self.params(item.get("parameters"), &join(&pointer, "parameters"));
        let path_servers =
            read_servers(item.get("servers"), &join(&pointer, "servers"), self.diags);
        for (key, op) in item_map {
            let Some(method) = method_of(key) else {
                continue;
            };
            let op_pointer = join(&pointer, key);
            let Some(op_map) = op.as_object() else {
                self.diags.push(Diagnostic::new(
                    Severity::Error,
                    &op_pointer,
                    format!("The {method} operation of `{path}` is not an Operation Object (a mapping); it is left out."),
                ));
                continue;
            };
            let (endpoint, request) = self.operation(
                root,
                method,
                path,
                op,
                op_map,
                &op_pointer,
                &shared,
                &path_servers,
            );
            endpoints.push(endpoint);
            requests.push(request);
        }
    }

    fn params(&mut self, list: Option<&'a Value>, pointer: &str) -> Vec<Param<'a>> {
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
        for (i, p) in items.iter().enumerate() {
            let p_pointer = join(pointer, &i.to_string());
            let Some(raw) = self.resolver.deref_or_report(p, &p_pointer, self.diags) else {
                continue;
            };
            match Parameter::deserialize(raw) {
                Ok(typed) => out.push(Param {
                    typed,
                    raw,
                    pointer: p_pointer,
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
                        format!("Parameter{name} could not be read: {e}{hint}. Fix it to follow the OpenAPI Parameter Object; it is left out of the request."),
                    ));
                }
            }
        }
        out
    }

    #[allow(clippy::too_many_arguments)]
    fn operation(
        &mut self,
        root: &'a Value,
        method: Method,
        path: &str,
        op: &'a Value,
        op_map: &'a Map<String, Value>,
        pointer: &str,
        shared: &[Param<'a>],
        path_servers: &[Server],
    ) -> (Endpoint, RequestPlan) {
        let text = |k: &str| op_map.get(k).and_then(Value::as_str).map(str::to_owned);
        let operation_id = text("operationId");
        let summary = text("summary");
        let deprecated = op_map
            .get("deprecated")
            .and_then(Value::as_bool)
            .unwrap_or(false);

        // Path-level parameters, unless the operation redefines them.
        let own = self.params(op.get("parameters"), &join(pointer, "parameters"));
        let key = |p: &Parameter| {
            (
                p.parameter_data_ref().name.clone(),
                std::mem::discriminant(p),
            )
        };
        let mut params: Vec<&Param<'a>> = shared
            .iter()
            .filter(|s| !own.iter().any(|o| key(&o.typed) == key(&s.typed)))
            .collect();
        params.extend(own.iter());

        let mut plans = Vec::new();
        for p in &params {
            if let Some(plan) = self.param_plan(p) {
                plans.push(plan);
            }
        }
        self.check_path_template(path, &plans, pointer);

        let servers = read_servers(op.get("servers"), &join(pointer, "servers"), self.diags);
        let server = servers.first().or(path_servers.first());
        let base_url = match server.map(|s| s.resolved_url.trim()) {
            Some(url) if is_absolute(url) => url.trim_end_matches('/').to_owned(),
            Some(url) if !url.is_empty() => {
                format!("{}/{}", origin(&self.base_url), url.trim_matches('/'))
                    .trim_end_matches('/')
                    .to_owned()
            }
            _ => self.base_url.clone(),
        };

        let body = op
            .get("requestBody")
            .and_then(|rb| self.body_plan(rb, &join(pointer, "requestBody")));
        let accept = self.accept(op.get("responses"));
        let security = op
            .get("security")
            .map(|s| (s, join(pointer, "security")))
            .or_else(|| root.get("security").map(|s| (s, "/security".to_owned())));
        let (auth_required, auth) = match security {
            Some((s, at)) => self.security(s, &at),
            None => (false, Vec::new()),
        };
        let comment = operation_id
            .clone()
            .unwrap_or_else(|| format!("{method} {path}"));
        (
            Endpoint {
                method,
                path: path.to_owned(),
                operation_id,
                summary,
                parameter_count: params.len(),
                auth_required,
                deprecated,
                pointer: pointer.to_owned(),
            },
            RequestPlan {
                method,
                base_url,
                path: path.to_owned(),
                comment,
                params: plans,
                body,
                accept,
                auth,
            },
        )
    }

    fn param_plan(&mut self, p: &Param<'a>) -> Option<ParamPlan> {
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
        let value = self.param_value(p);
        Some(ParamPlan {
            name: data.name.clone(),
            location,
            style,
            explode: data.explode.unwrap_or(explode_default),
            allow_reserved,
            value,
        })
    }

    fn param_value(&mut self, p: &Param<'a>) -> Value {
        if let Some(v) = self.sampler.explicit(p.raw, &p.pointer, self.diags) {
            return v;
        }
        if let Some(schema) = p.raw.get("schema") {
            return self.sampler.value(schema, &p.pointer, self.diags);
        }
        // `content`: one media type; the value is sent serialized.
        let Some((_, media)) = p
            .raw
            .get("content")
            .and_then(Value::as_object)
            .and_then(|c| c.iter().next())
        else {
            return Value::Null;
        };
        let v = match self.sampler.explicit(media, &p.pointer, self.diags) {
            Some(v) => v,
            None => match media.get("schema") {
                Some(schema) => self.sampler.value(schema, &p.pointer, self.diags),
                None => Value::Null,
            },
        };
        Value::String(serde_json::to_string(&v).unwrap_or_default())
    }

    fn check_path_template(&mut self, path: &str, plans: &[ParamPlan], pointer: &str) {
        let mut rest = path;
        while let Some(open) = rest.find('{') {
            let Some(close) = rest[open..].find('}').map(|c| open + c) else {
                break;
            };
            let name = &rest[open + 1..close];
            if !plans
                .iter()
                .any(|p| p.location == Location::Path && p.name == name)
            {
                self.diags.push(Diagnostic::new(
                    Severity::Warning,
                    pointer,
                    format!("The path parameter `{name}` of `{path}` is not declared, so no value is generated for it and `{{{name}}}` stays in the URL. Declare it with `in: path`."),
                ));
            }
            rest = &rest[close + 1..];
        }
    }

    fn body_plan(&mut self, body: &'a Value, pointer: &str) -> Option<BodyPlan> {
        let target = self.resolver.deref_or_report(body, pointer, self.diags)?;
        if let Err(e) = RequestBody::deserialize(target) {
            self.diags.push(Diagnostic::new(
                Severity::Error,
                pointer,
                format!("The request body could not be read: {e}. Fix it to follow the OpenAPI Request Body Object; the request is sent without a body."),
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
            None => match media.get("schema") {
                Some(schema) => self.sampler.value(schema, &media_pointer, self.diags),
                None => Value::Null,
            },
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
        })
    }

    /// The first media type of the first success response (or `default`).
    fn accept(&mut self, responses: Option<&'a Value>) -> Option<String> {
        let responses = responses?.as_object()?;
        let (_, response) = responses
            .iter()
            .find(|(code, _)| code.starts_with('2'))
            .or_else(|| responses.iter().find(|(code, _)| *code == "default"))?;
        let response = self.resolver.deref(response).ok()?.0;
        let (media_type, _) = response.get("content")?.as_object()?.iter().next()?;
        Some(media_type.clone())
    }

    /// Whether auth is required, and the placeholders of the first
    /// requirement that names schemes.
    fn security(&mut self, value: &'a Value, pointer: &str) -> (bool, Vec<AuthPlan>) {
        let requirements = match Vec::<SecurityRequirement>::deserialize(value) {
            Ok(r) => r,
            Err(e) => {
                self.diags.push(Diagnostic::new(
                    Severity::Error,
                    pointer,
                    format!("`security` could not be read: {e}. It must be a list of mappings from scheme names to scopes; it is ignored."),
                ));
                return (false, Vec::new());
            }
        };
        let required = !requirements.is_empty() && requirements.iter().all(|r| !r.is_empty());
        let mut plans = Vec::new();
        if let Some(chosen) = requirements.iter().find(|r| !r.is_empty()) {
            for name in chosen.keys() {
                if let Some(scheme) = self.scheme(name, pointer) {
                    plans.push(placeholder(name, &scheme));
                }
            }
        }
        (required, plans)
    }

    fn scheme(&mut self, name: &str, pointer: &str) -> Option<SecurityScheme> {
        if let Some(cached) = self.schemes.get(name) {
            return cached.clone();
        }
        let scheme_pointer = join("/components/securitySchemes", name);
        let raw = self.resolver.root().pointer(&scheme_pointer);
        let found = match raw.and_then(|r| {
            self.resolver
                .deref_or_report(r, &scheme_pointer, self.diags)
        }) {
            None => {
                self.diags.push(Diagnostic::new(
                    Severity::Warning,
                    pointer,
                    format!("The security scheme `{name}` is not defined in `components.securitySchemes`, so no credentials placeholder is added for it."),
                ));
                None
            }
            Some(raw) if raw.get("type").and_then(Value::as_str) == Some("mutualTLS") => {
                self.diags.push(Diagnostic::new(
                    Severity::Information,
                    scheme_pointer,
                    format!("The security scheme `{name}` is mutual TLS: requests carry no credentials; configure a client certificate for the scan."),
                ));
                None
            }
            Some(raw) => match SecurityScheme::deserialize(raw) {
                Ok(s) => Some(s),
                Err(e) => {
                    let what = if self.format == SpecFormat::OpenApi2 {
                        "security definition"
                    } else {
                        "security scheme"
                    };
                    self.diags.push(Diagnostic::new(
                        Severity::Error,
                        scheme_pointer,
                        format!("The {what} `{name}` could not be read: {e}. No credentials placeholder is added for it."),
                    ));
                    None
                }
            },
        };
        self.schemes.insert(name.to_owned(), found.clone());
        found
    }
}

/// The credentials placeholder for one security scheme: clearly not a real
/// credential, and where the real one goes.
fn placeholder(name: &str, scheme: &SecurityScheme) -> AuthPlan {
    let header = |value: String| AuthPlan {
        location: Location::Header,
        name: "Authorization".into(),
        value,
        scheme: name.to_owned(),
    };
    match scheme {
        SecurityScheme::APIKey {
            location,
            name: key,
            ..
        } => AuthPlan {
            location: match location {
                APIKeyLocation::Header => Location::Header,
                APIKeyLocation::Query => Location::Query,
                APIKeyLocation::Cookie => Location::Cookie,
            },
            name: key.clone(),
            value: format!("<API key: {name}>"),
            scheme: name.to_owned(),
        },
        SecurityScheme::HTTP { scheme, .. } => match scheme.to_ascii_lowercase().as_str() {
            "basic" => header(format!("Basic {}", base64(b"username:password"))),
            "bearer" => header("Bearer <token>".into()),
            other => {
                let mut label = other.to_owned();
                if let Some(first) = label.get_mut(..1) {
                    first.make_ascii_uppercase();
                }
                header(format!("{label} <credentials>"))
            }
        },
        SecurityScheme::OAuth2 { .. } | SecurityScheme::OpenIDConnect { .. } => {
            header("Bearer <token>".into())
        }
    }
}
