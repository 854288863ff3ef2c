//! An OpenAPI 3.0 document (or a 2.0 / 3.1 one brought to that shape) →
//! endpoints, servers and one [`RequestPlan`] per endpoint.
//!
//! The typed model of `openapiv3` is used piece by piece: each parameter,
//! request body, server and security requirement is deserialized on its own
//! from the document (no copy of it), so a malformed piece becomes a
//! diagnostic that points at it, and the rest still converts.

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use openapiv3::{
    APIKeyLocation, Parameter, PathStyle, QueryStyle, RequestBody, SecurityRequirement,
    SecurityScheme,
};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::auth::{self, Kind};
use super::{Endpoint, Server, ServerVariable, SpecFormat};
use crate::diagnostic::{shorten, Diagnostic, Severity};
use crate::plan::{AuthPlan, BodyPlan, Location, Method, ParamPlan, RequestPlan, Shared, Style};
use crate::refs::{join, Notes, Resolver};
use crate::sample::Sampler;
use crate::ConvertOptions;

/// The stand-in origin for specifications without a fully-qualified server.
pub(crate) const STAND_IN_ORIGIN: &str = "http://localhost";

/// What a document holds.
pub(crate) type Analysis = super::Reading;

/// What one HAR entry holds besides its values and names (its fields, the
/// method, the empty response, the comment), as counted in `har_bytes`.
const ENTRY_COST: usize = 1024;

/// How many names one diagnostic lists.
const MAX_NAMED: usize = 10;

/// A parameter read from the document: typed, and its raw value (for examples).
struct Param<'a> {
    typed: Parameter,
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

struct Reader<'r, 'a> {
    resolver: &'r Resolver<'a>,
    sampler: Sampler<'r, 'a>,
    format: SpecFormat,
    base_url: String,
    options: &'r ConvertOptions,
    schemes: HashMap<String, Option<Option<SecurityScheme>>>,
    /// What a `security` value asks for, by its address in the document
    /// (the root's applies to every operation: it is read once).
    requirements: HashMap<*const Value, (bool, Option<Alternative>)>,
    /// Whether reaching `endpoints` was reported.
    endpoints_reported: bool,
    diags: &'r mut Vec<Diagnostic>,
}

/// Reads a document in OpenAPI 3.0 shape.
pub(crate) fn analyze(
    root: &Value,
    format: SpecFormat,
    options: &ConvertOptions,
    notes: &Notes,
    diags: &mut Vec<Diagnostic>,
) -> Analysis {
    let resolver = Resolver::with_notes(root, notes);
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
    let servers = read_servers(root.get("servers"), "/servers", options, diags);
    let base_url = base_url(&servers, options, format, diags);

    let mut reader = Reader {
        resolver: &resolver,
        sampler: Sampler::new(&resolver, options.limits),
        format,
        base_url,
        options,
        schemes: HashMap::new(),
        requirements: HashMap::new(),
        endpoints_reported: false,
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
    let webhooks = root
        .get("webhooks")
        .and_then(Value::as_object)
        .map_or(0, |w| w.len());
    if webhooks > 0 {
        reader.diags.push(Diagnostic::new(
            Severity::Information,
            "/webhooks",
            format!(
                "The specification describes {webhooks} webhook{} (requests the API sends to its clients, not requests a scan can send); {} not converted to endpoints.",
                if webhooks == 1 { "" } else { "s" },
                if webhooks == 1 { "it is" } else { "they are" }
            ),
        ));
    }
    reader.sampler.finish(reader.diags);
    if endpoints.is_empty() {
        let message = if webhooks > 0 {
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

fn read_servers(
    list: Option<&Value>,
    pointer: &str,
    options: &ConvertOptions,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Server> {
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
        let s_pointer = join(pointer, &i.to_string());
        match openapiv3::Server::deserialize(s) {
            Ok(server) => {
                let variables: Vec<ServerVariable> = server
                    .variables
                    .iter()
                    .flatten()
                    .map(|(name, v)| ServerVariable {
                        name: name.clone(),
                        default: v.default.clone(),
                        enum_values: v.enumeration.clone(),
                        description: v.description.clone(),
                    })
                    .collect();
                for v in &variables {
                    if let Some(chosen) = options.server_variables.get(&v.name) {
                        if !v.enum_values.is_empty() && !v.enum_values.contains(chosen) {
                            diags.push(Diagnostic::new(
                                Severity::Warning,
                                join(&join(&s_pointer, "variables"), &v.name),
                                format!(
                                    "The value chosen for the server variable `{}` is not one of the values the specification allows ({}); it is used anyway. Choose one of them unless you know the server accepts it.",
                                    v.name,
                                    v.enum_values.join(", ")
                                ),
                            ));
                        }
                    }
                }
                out.push(Server {
                    resolved_url: substitute(&server.url, &variables, options),
                    url: server.url,
                    description: server.description,
                    variables,
                })
            }
            Err(e) => diags.push(Diagnostic::new(
                Severity::Error,
                s_pointer,
                format!("This server could not be read ({e}); it is left out. A server needs a `url` string."),
            )),
        }
    }
    out
}

/// Replaces `{variable}`s with the user's value, the default, or the first
/// allowed value.
fn substitute(url: &str, variables: &[ServerVariable], options: &ConvertOptions) -> String {
    let mut out = String::with_capacity(url.len());
    let mut rest = url;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}').map(|c| open + c) else {
            break;
        };
        out.push_str(&rest[..open]);
        let name = &rest[open + 1..close];
        let declared = variables.iter().find(|v| v.name == name);
        match (options.server_variables.get(name), declared) {
            (Some(chosen), Some(_)) => out.push_str(chosen),
            (_, Some(var)) if !var.default.is_empty() => out.push_str(&var.default),
            (_, Some(var)) if !var.enum_values.is_empty() => {
                out.push_str(var.enum_values.first().map_or("", String::as_str))
            }
            (Some(chosen), None) => out.push_str(chosen),
            _ => out.push_str(&rest[open..=close]),
        }
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out
}

pub(crate) fn is_absolute(url: &str) -> bool {
    url.split_once("://").is_some_and(|(scheme, rest)| {
        !scheme.is_empty()
            && !rest.is_empty()
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    })
}

/// The scheme and host of an absolute URL.
pub(crate) fn origin(url: &str) -> &str {
    match url.find("://") {
        Some(i) => match url[i + 3..].find(['/', '?', '#']) {
            Some(j) => &url[..i + 3 + j],
            None => url,
        },
        None => url,
    }
}

/// The user's base URL, when given and usable (reported when not).
pub(crate) fn user_base_url(
    options: &ConvertOptions,
    diags: &mut Vec<Diagnostic>,
) -> Option<String> {
    let user = options
        .base_url
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty())?;
    if is_absolute(user) {
        return Some(user.trim_end_matches('/').to_owned());
    }
    diags.push(Diagnostic::new(
        Severity::Error,
        "",
        format!("The base URL `{user}` is not fully qualified, so it is not used. Enter it with its scheme and host, such as https://api.example.com/v1."),
    ));
    None
}

/// The base URL requests are sent to: the user's, the chosen server's, or
/// a stand-in (reported) when there is no fully-qualified server.
fn base_url(
    servers: &[Server],
    options: &ConvertOptions,
    format: SpecFormat,
    diags: &mut Vec<Diagnostic>,
) -> String {
    if let Some(user) = user_base_url(options, diags) {
        return user;
    }
    let fix = if format == SpecFormat::OpenApi2 {
        "add `host` (with `schemes` and `basePath`) to the specification"
    } else {
        "add a fully-qualified URL to `servers`"
    };
    let index = match options.server {
        Some(i) if i < servers.len() => i,
        Some(i) => {
            diags.push(Diagnostic::new(
                Severity::Warning,
                if format == SpecFormat::OpenApi2 { "" } else { "/servers" },
                format!(
                    "Server {} was chosen, but the specification lists {} server{}; the first is used. Choose another server.",
                    i + 1,
                    servers.len(),
                    if servers.len() == 1 { "" } else { "s" }
                ),
            ));
            0
        }
        None => 0,
    };
    let server_pointer = if format == SpecFormat::OpenApi2 {
        String::new()
    } else {
        format!("/servers/{index}")
    };
    let chosen = servers.get(index).map(|s| s.resolved_url.trim());
    match chosen {
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
                server_pointer,
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

/// The method a path item key names: OpenAPI's keys are lower case only
/// (`get`, never `GET`); other keys (`parameters`, `x-...`) name none.
fn method_of(key: &str) -> Option<Method> {
    if key.bytes().any(|b| !b.is_ascii_lowercase()) {
        return None;
    }
    Method::parse(key)
}

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
        let path_servers = read_servers(
            item.get("servers"),
            &join(&pointer, "servers"),
            self.options,
            self.diags,
        );
        for (key, op) in item_map {
            let Some(method) = method_of(key) else {
                continue;
            };
            let op_pointer = join(&pointer, key);
            if endpoints.len() as u64 >= self.options.limits.endpoints {
                if !std::mem::replace(&mut self.endpoints_reported, true) {
                    self.diags
                        .push(super::endpoints_left_out(&self.options.limits, &op_pointer));
                }
                return;
            }
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

        // What the entry holds besides its values (URL, names, comments,
        // the HAR's own fields): past `har_bytes`, the request is written
        // with its method and URL only.
        let names: usize = params
            .iter()
            .map(|p| p.typed.parameter_data_ref().name.len())
            .sum();
        let entry_cost = (ENTRY_COST + 3 * path.len() + 3 * names + 128 * params.len()) as u64;
        let room = self.sampler.charge_har(entry_cost, pointer, self.diags);
        let mut plans = Vec::new();
        if room {
            for p in &params {
                if let Some(plan) = self.param_plan(p) {
                    plans.push(plan);
                }
            }
            self.check_path_template(path, &plans, pointer);
        }

        let servers = read_servers(
            op.get("servers"),
            &join(pointer, "servers"),
            self.options,
            self.diags,
        );
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
            .filter(|_| room)
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
            return Shared::new(self.sampler.value(schema, &pointer, self.diags));
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

    fn check_path_template(&mut self, path: &str, plans: &[ParamPlan], pointer: &str) {
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

    /// Whether auth is required, and the credentials of the requirement
    /// chosen: among the alternatives that can be satisfied (every scheme
    /// defined and one prescan can express), the first the user gave all
    /// credentials for, else the first the user gave some for, else the
    /// first. An empty alternative (`{}`: no auth) is used only when no
    /// other can be satisfied.
    fn security(&mut self, value: &'a Value, pointer: &str) -> (bool, Vec<AuthPlan>) {
        let key = value as *const Value;
        let (required, chosen) = match self.requirements.get(&key) {
            Some(known) => known.clone(),
            None => {
                let read = self.requirement(value, pointer);
                self.requirements.insert(key, read.clone());
                read
            }
        };
        let auth = &self.options.auth;
        let mut plans = Vec::new();
        for (name, kind) in chosen.iter().flatten() {
            let Some(kind) = kind else { continue };
            let plan = auth::plan(name, name, kind, auth);
            // Each placeholder becomes a header, query parameter or cookie
            // of the request, with a comment of ~120 bytes: counted as held
            // in the plan and in the HAR.
            let size = (2 * (plan.name.len() + plan.value.len() + plan.scheme.len()) + 320) as u64;
            if !self.sampler.charge_har(size, pointer, self.diags) {
                break;
            }
            plans.push(plan);
        }
        (required, plans)
    }

    /// Reads a `security` value: whether it requires credentials, and the
    /// alternative to send (the first the user gave credentials for, else
    /// the first that can be sent).
    fn requirement(&mut self, value: &'a Value, pointer: &str) -> (bool, Option<Alternative>) {
        let requirements = match Vec::<SecurityRequirement>::deserialize(value) {
            Ok(r) => r,
            Err(e) => {
                self.diags.push(Diagnostic::new(
                    Severity::Error,
                    pointer,
                    format!("`security` could not be read: {e}. It must be a list of mappings from scheme names to scopes; it is ignored."),
                ));
                return (false, None);
            }
        };
        let required = !requirements.is_empty() && requirements.iter().all(|r| !r.is_empty());
        // Each alternative: its schemes (name, kind; None: nothing to send).
        let mut alternatives: Vec<(Alternative, bool)> = Vec::new();
        for r in requirements.iter().filter(|r| !r.is_empty()) {
            let mut schemes = Vec::new();
            let mut satisfiable = true;
            for name in r.keys() {
                match self.scheme(name, pointer) {
                    Some(Some(s)) => schemes.push((name.clone(), Some(kind_of(&s)))),
                    Some(None) => schemes.push((name.clone(), None)),
                    None => satisfiable = false,
                }
            }
            alternatives.push((schemes, satisfiable));
        }
        let auth = &self.options.auth;
        let count_given = |schemes: &[(String, Option<Kind>)]| {
            schemes
                .iter()
                .filter(|(n, k)| k.as_ref().is_some_and(|k| auth::given(n, k, auth)))
                .count()
        };
        let satisfiable: Vec<&Alternative> = alternatives
            .iter()
            .filter(|(_, ok)| *ok)
            .map(|(s, _)| s)
            .collect();
        let chosen = satisfiable
            .iter()
            .find(|s| {
                let wanted = s.iter().filter(|(_, k)| k.is_some()).count();
                wanted > 0 && count_given(s) == wanted
            })
            .or_else(|| satisfiable.iter().find(|s| count_given(s) > 0))
            .or_else(|| satisfiable.first())
            .copied()
            .or_else(|| {
                if requirements.iter().any(|r| r.is_empty()) {
                    None
                } else {
                    alternatives.first().map(|(s, _)| s)
                }
            })
            .cloned();
        (required, chosen)
    }

    /// A security scheme by name: `None` when it is not defined or cannot
    /// be read (reported), `Some(None)` when it sends nothing (mutual TLS).
    fn scheme(&mut self, name: &str, pointer: &str) -> Option<Option<SecurityScheme>> {
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
                Some(None)
            }
            Some(raw) => match SecurityScheme::deserialize(raw) {
                Ok(s) => Some(Some(s)),
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

/// One alternative of a security requirement: its schemes by name, with
/// what each asks for (`None`: nothing to send, as with mutual TLS).
type Alternative = Vec<(String, Option<Kind>)>;

/// What a security scheme asks for.
fn kind_of(scheme: &SecurityScheme) -> Kind {
    match scheme {
        SecurityScheme::APIKey { location, name, .. } => Kind::ApiKey {
            location: match location {
                APIKeyLocation::Header => Location::Header,
                APIKeyLocation::Query => Location::Query,
                APIKeyLocation::Cookie => Location::Cookie,
            },
            name: name.clone(),
        },
        SecurityScheme::HTTP { scheme, .. } => match scheme.to_ascii_lowercase().as_str() {
            "basic" => Kind::Basic,
            "bearer" => Kind::Bearer,
            other => {
                let mut label = other.to_owned();
                if let Some(first) = label.get_mut(..1) {
                    first.make_ascii_uppercase();
                }
                Kind::OtherHttp(label)
            }
        },
        SecurityScheme::OAuth2 { .. } | SecurityScheme::OpenIDConnect { .. } => Kind::Bearer,
    }
}
