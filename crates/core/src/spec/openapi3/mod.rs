//! An OpenAPI 3.0 document (or a 2.0 / 3.1 one brought to that shape) →
//! endpoints, servers and one [`RequestPlan`] per endpoint.
//!
//! The typed model of `openapiv3` is used piece by piece: each parameter,
//! request body, server and security requirement is deserialized on its own
//! from the document (no copy of it), so a malformed piece becomes a
//! diagnostic that points at it, and the rest still converts.
//!
//! The document walk is here (info, paths, path items, operations); its
//! rooms: `servers` (servers and the base URL), `params` (parameters and
//! their values), `body` (request bodies and `Accept`) and `security`
//! (security requirements → credentials placeholders).

mod body;
mod params;
mod security;
mod servers;
mod values;

use std::collections::HashMap;

use openapiv3::{Parameter, SecurityScheme};
use serde_json::{Map, Value};

use self::params::Param;
use self::security::Alternative;
use self::servers::{base_url, read_servers};
use self::values::UserValues;
use super::{Endpoint, Server, SpecFormat};
use crate::diagnostic::{Diagnostic, Severity};
use crate::plan::{Method, RequestPlan};
use crate::refs::{join, Notes, Resolver};
use crate::sample::Sampler;
use crate::ConvertOptions;

pub(crate) use self::body::is_json;
pub(crate) use self::servers::{is_absolute, origin, user_base_url};

/// What a document holds.
pub(crate) type Analysis = super::Reading;

/// What one HAR entry holds besides its values and names (its fields, the
/// method, the empty response, the comment), as counted in `har_bytes`.
const ENTRY_COST: usize = 1024;

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
    /// The user's values and which of them were used.
    values: UserValues<'r>,
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
    let values = UserValues::new(&options.values, diags);

    let mut reader = Reader {
        resolver: &resolver,
        sampler: Sampler::new(&resolver, options.limits),
        format,
        base_url,
        options,
        schemes: HashMap::new(),
        requirements: HashMap::new(),
        endpoints_reported: false,
        values,
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
    reader.values.report_unused(reader.diags);
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

/// The method a path item key names: OpenAPI's keys are lower case only
/// (`get`, never `GET`); other keys (`parameters`, `x-...`) name none.
fn method_of(key: &str) -> Option<Method> {
    if key.bytes().any(|b| !b.is_ascii_lowercase()) {
        return None;
    }
    Method::parse(key)
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
            let (mut endpoint, request) = self.operation(
                root,
                method,
                path,
                op,
                op_map,
                &op_pointer,
                &shared,
                &path_servers,
            );
            // Every endpoint's tags when there is a scope (a rule may select
            // by tag, exclusions move the prescan's last endpoint): the
            // scope drops those after the prescan's last one again.
            if endpoints.len() < crate::spec::PRESCAN_LIMIT || !self.options.scope.is_empty() {
                endpoint.tags = crate::spec::model::tags_of(op_map.get("tags"));
                endpoint.user_values = std::mem::take(&mut self.values.listed);
            }
            endpoints.push(endpoint);
            requests.push(request);
        }
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

        self.values.start(method, path);
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
                tags: Vec::new(),
                scope: crate::scope::ScopeDecision::Include,
                user_values: Vec::new(),
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
}
