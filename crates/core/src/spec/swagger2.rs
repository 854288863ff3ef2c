//! OpenAPI 2.0 (Swagger) → OpenAPI 3.0, at the JSON value level, following the
//! rules of swagger2openapi and the official Swagger parser:
//!
//! - `host` + `basePath` + `schemes` → one server (the first scheme);
//! - `consumes` / `produces` (global or per operation) → request body and
//!   response media types;
//! - `in: body` → `requestBody`; `in: formData` → a form body
//!   (`multipart/form-data` when a file is uploaded or `consumes` says so,
//!   `application/x-www-form-urlencoded` otherwise);
//! - `collectionFormat` → `style` / `explode` (none means `csv`);
//! - `definitions`, `parameters`, `responses`, `securityDefinitions` →
//!   `components`; `$ref`s rewritten to match;
//! - `x-nullable` → `nullable`; `type: file` → `string` / `binary`.

use std::collections::HashMap;

use serde_json::{json, Map, Value};

use super::openapi3::is_json;
use crate::diagnostic::{Diagnostic, Severity};
use crate::refs::{self, join};

const METHODS: [&str; 7] = ["get", "put", "post", "delete", "options", "head", "patch"];

/// Schema keywords a 2.0 non-body parameter carries inline.
const SCHEMA_KEYS: [&str; 17] = [
    "type",
    "format",
    "items",
    "default",
    "maximum",
    "exclusiveMaximum",
    "minimum",
    "exclusiveMinimum",
    "maxLength",
    "minLength",
    "pattern",
    "maxItems",
    "minItems",
    "uniqueItems",
    "enum",
    "multipleOf",
    "x-nullable",
];

struct Ctx<'a> {
    consumes: Vec<String>,
    produces: Vec<String>,
    /// The document's global `parameters`, to inline references to them.
    parameters: &'a Map<String, Value>,
    /// Parameters bundled from other files, to inline references to them.
    external: Option<&'a Value>,
    diags: &'a mut Vec<Diagnostic>,
    moved: Moved,
}

/// Where the schemas of request bodies came from: the pointer of a body
/// schema in the 3.0 form → its pointer in the 2.0 document (a body
/// parameter's `schema`, a form parameter), so that notes about them point
/// into the file people have.
#[derive(Default)]
pub(crate) struct Moved(HashMap<String, String>);

impl Moved {
    /// Points the diagnostics about moved parts at their place in the 2.0
    /// document.
    pub(crate) fn relocate(&self, diags: &mut [Diagnostic]) {
        if self.0.is_empty() {
            return;
        }
        for d in diags.iter_mut().filter(|d| d.file.is_none()) {
            if !d.pointer.contains("/requestBod") {
                continue;
            }
            let mut end = d.pointer.len();
            loop {
                if let Some(to) = self.0.get(&d.pointer[..end]) {
                    d.pointer = format!("{to}{}", &d.pointer[end..]);
                    break;
                }
                match d.pointer[..end].rfind('/') {
                    Some(i) if i > 0 => end = i,
                    _ => break,
                }
            }
        }
    }
}

/// The pointer in the 2.0 document of `p`, one of the operation's own
/// parameters (inline, or a reference to a global one).
fn origin_of(p: &Value, op: &Map<String, Value>, pointer: &str, ctx: &Ctx) -> Option<String> {
    let list = op.get("parameters")?.as_array()?;
    list.iter().enumerate().find_map(|(i, raw)| {
        if std::ptr::eq(raw, p) {
            return Some(join(&join(pointer, "parameters"), &i.to_string()));
        }
        let name = refs::ref_of(raw)?.strip_prefix("#/parameters/")?;
        let name = refs::percent_decode(name)
            .replace("~1", "/")
            .replace("~0", "~");
        let target = ctx.parameters.get(&name)?;
        std::ptr::eq(target, p).then(|| join("/parameters", &name))
    })
}

/// Converts a 2.0 document into its 3.0 form.
pub(crate) fn to_openapi3(doc: &Map<String, Value>, diags: &mut Vec<Diagnostic>) -> (Value, Moved) {
    let empty = Map::new();
    let mut ctx = Ctx {
        consumes: strings(doc.get("consumes")),
        produces: strings(doc.get("produces")),
        parameters: doc
            .get("parameters")
            .and_then(Value::as_object)
            .unwrap_or(&empty),
        external: doc.get(super::bundle::EXTERNAL_KEY),
        diags,
        moved: Moved::default(),
    };
    let mut out = Map::new();
    out.insert("openapi".into(), json!("3.0.3"));
    out.insert(
        "info".into(),
        doc.get("info").cloned().unwrap_or_else(|| json!({})),
    );
    let servers = servers(doc, doc.get("schemes"));
    if !servers.is_empty() {
        out.insert("servers".into(), Value::Array(servers));
    }
    for key in ["security", "tags", "externalDocs"] {
        if let Some(v) = doc.get(key) {
            out.insert(key.into(), v.clone());
        }
    }
    for (k, v) in doc.iter().filter(|(k, _)| k.starts_with("x-")) {
        out.insert(k.clone(), v.clone());
    }

    let mut components = Map::new();
    if let Some(defs) = doc.get("definitions").and_then(Value::as_object) {
        let schemas = defs
            .iter()
            .map(|(k, v)| (k.clone(), schema(v.clone())))
            .collect();
        components.insert("schemas".into(), Value::Object(schemas));
    }
    let mut params = Map::new();
    let mut bodies = Map::new();
    for (name, p) in ctx.parameters {
        match p.get("in").and_then(Value::as_str) {
            Some("body") => {
                let pointer = join("/parameters", name);
                let (body, types) = request_body(&[p], &ctx.consumes, &pointer, ctx.diags);
                let at = join(&join("/components/requestBodies", name), "content");
                let sent = types.iter().position(|t| is_json(t)).unwrap_or(0);
                if let Some(t) = types.get(sent) {
                    ctx.moved
                        .0
                        .insert(join(&join(&at, t), "schema"), join(&pointer, "schema"));
                }
                bodies.insert(name.clone(), body);
            }
            Some("formData") => {}
            _ => {
                params.insert(
                    name.clone(),
                    parameter(p, &join("/parameters", name), ctx.diags),
                );
            }
        }
    }
    if !params.is_empty() {
        components.insert("parameters".into(), Value::Object(params));
    }
    if !bodies.is_empty() {
        components.insert("requestBodies".into(), Value::Object(bodies));
    }
    if let Some(responses) = doc.get("responses").and_then(Value::as_object) {
        let converted = responses
            .iter()
            .map(|(k, v)| (k.clone(), response(v, &ctx.produces)))
            .collect();
        components.insert("responses".into(), Value::Object(converted));
    }
    if let Some(defs) = doc.get("securityDefinitions").and_then(Value::as_object) {
        let schemes = defs
            .iter()
            .map(|(k, v)| (k.clone(), security_scheme(v)))
            .collect();
        components.insert("securitySchemes".into(), Value::Object(schemes));
    }

    let mut paths = Map::new();
    if let Some(items) = doc.get("paths").and_then(Value::as_object) {
        for (path, item) in items {
            let pointer = join("/paths", path);
            paths.insert(path.clone(), path_item(doc, item, &pointer, &mut ctx));
        }
    }
    out.insert("paths".into(), Value::Object(paths));
    if !components.is_empty() {
        out.insert("components".into(), Value::Object(components));
    }
    let mut out = Value::Object(out);
    rewrite_refs(&mut out);
    (out, ctx.moved)
}

/// `host` + `basePath` + the first of `schemes` → a server. Without `host`
/// the server is relative (the 3.0 stage reports it).
fn servers(doc: &Map<String, Value>, schemes: Option<&Value>) -> Vec<Value> {
    let host = doc
        .get("host")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|h| !h.is_empty());
    let base = doc.get("basePath").and_then(Value::as_str).unwrap_or("");
    let base = base.trim().trim_end_matches('/');
    let base = if base.is_empty() || base.starts_with('/') {
        base.to_owned()
    } else {
        format!("/{base}")
    };
    match host {
        Some(host) => {
            let scheme = strings(schemes)
                .into_iter()
                .next()
                .unwrap_or_else(|| "https".into());
            let host = host.trim_end_matches('/');
            vec![json!({ "url": format!("{scheme}://{host}{base}") })]
        }
        None if base.is_empty() => Vec::new(),
        None => vec![json!({ "url": base })],
    }
}

fn path_item(doc: &Map<String, Value>, item: &Value, pointer: &str, ctx: &mut Ctx) -> Value {
    let Some(item) = item.as_object() else {
        return item.clone();
    };
    let mut out = Map::new();
    let shared: Vec<&Value> = item
        .get("parameters")
        .and_then(Value::as_array)
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    let shared = resolve_params(&shared, ctx);
    let plain: Vec<Value> = shared
        .iter()
        .filter(|(_, p)| !matches!(location(p), Some("body") | Some("formData")))
        .enumerate()
        .map(|(i, (_, p))| {
            parameter(
                p,
                &join(&join(pointer, "parameters"), &i.to_string()),
                ctx.diags,
            )
        })
        .collect();
    for (key, value) in item {
        if METHODS.contains(&key.as_str()) {
            let op_pointer = join(pointer, key);
            out.insert(
                key.clone(),
                operation(doc, value, &shared, &op_pointer, ctx),
            );
        } else if key == "parameters" {
            if !plain.is_empty() {
                out.insert(key.clone(), Value::Array(plain.clone()));
            }
        } else {
            out.insert(key.clone(), value.clone());
        }
    }
    Value::Object(out)
}

/// Parameters with references to the global `parameters` inlined.
fn resolve_params<'v>(params: &[&'v Value], ctx: &Ctx<'v>) -> Vec<(Option<String>, &'v Value)> {
    params
        .iter()
        .map(
            |p| match refs::ref_of(p).and_then(|r| r.strip_prefix("#/parameters/")) {
                Some(name) => {
                    let name = refs::percent_decode(name)
                        .replace("~1", "/")
                        .replace("~0", "~");
                    match ctx.parameters.get(&name) {
                        Some(target) => (Some(name), target),
                        None => (None, *p),
                    }
                }
                None => match refs::ref_of(p)
                    .and_then(|r| r.strip_prefix(&format!("#/{}/", super::bundle::EXTERNAL_KEY)))
                    .and_then(|slot| ctx.external?.get(slot))
                {
                    // A parameter from another file: inlined like a local one.
                    Some(target) if target.get("in").is_some() => (None, target),
                    _ => (None, *p),
                },
            },
        )
        .collect()
}

fn location(p: &Value) -> Option<&str> {
    p.get("in").and_then(Value::as_str)
}

fn key_of(p: &Value) -> (Option<&str>, Option<&str>) {
    (p.get("name").and_then(Value::as_str), location(p))
}

fn operation(
    doc: &Map<String, Value>,
    op: &Value,
    shared: &[(Option<String>, &Value)],
    pointer: &str,
    ctx: &mut Ctx,
) -> Value {
    let Some(op) = op.as_object() else {
        return op.clone();
    };
    let consumes = op
        .get("consumes")
        .map(|v| strings(Some(v)))
        .unwrap_or_else(|| ctx.consumes.clone());
    let produces = op
        .get("produces")
        .map(|v| strings(Some(v)))
        .unwrap_or_else(|| ctx.produces.clone());
    let own: Vec<&Value> = op
        .get("parameters")
        .and_then(Value::as_array)
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    let own = resolve_params(&own, ctx);
    // Path-level parameters, unless the operation redefines them (same name and location).
    let mut all: Vec<(Option<String>, &Value)> = shared
        .iter()
        .filter(|(_, s)| !own.iter().any(|(_, o)| key_of(o) == key_of(s)))
        .cloned()
        .collect();
    all.extend(own);

    let mut out = Map::new();
    let mut params = Vec::new();
    let mut body_params = Vec::new();
    let mut form_params = Vec::new();
    for (i, (global_name, p)) in all.iter().enumerate() {
        let p_pointer = join(&join(pointer, "parameters"), &i.to_string());
        match location(p) {
            Some("body") => body_params.push(*p),
            Some("formData") => form_params.push(*p),
            _ => match global_name {
                Some(name) if refs::ref_of(p).is_none() => params.push(
                    json!({ "$ref": format!("#/components/parameters/{}", refs::escape(name)) }),
                ),
                _ => params.push(parameter(p, &p_pointer, ctx.diags)),
            },
        }
    }
    for (key, value) in op {
        match key.as_str() {
            "consumes" | "produces" | "schemes" => {}
            "parameters" => {
                if !params.is_empty() {
                    out.insert(key.clone(), Value::Array(std::mem::take(&mut params)));
                }
            }
            "responses" => {
                let converted = match value.as_object() {
                    Some(rs) => Value::Object(
                        rs.iter()
                            .map(|(k, v)| (k.clone(), response(v, &produces)))
                            .collect(),
                    ),
                    None => value.clone(),
                };
                out.insert(key.clone(), converted);
            }
            _ => {
                out.insert(key.clone(), value.clone());
            }
        }
    }
    if !params.is_empty() {
        out.insert("parameters".into(), Value::Array(params));
    }
    let content = join(&join(pointer, "requestBody"), "content");
    if !body_params.is_empty() {
        let (body, types) = request_body(&body_params, &consumes, pointer, ctx.diags);
        let sent = types.iter().position(|t| is_json(t)).unwrap_or(0);
        if let (Some(t), Some(from)) =
            (types.get(sent), origin_of(body_params[0], op, pointer, ctx))
        {
            ctx.moved
                .0
                .insert(join(&join(&content, t), "schema"), join(&from, "schema"));
        }
        out.insert("requestBody".into(), body);
    } else if !form_params.is_empty() {
        let body = form_body(&form_params, &consumes, pointer, ctx.diags);
        if let Some((t, _)) = body
            .get("content")
            .and_then(Value::as_object)
            .and_then(|c| c.iter().next())
        {
            let at = join(&join(&join(&content, t), "schema"), "properties");
            for p in &form_params {
                let (Some(name), Some(from)) = (
                    p.get("name").and_then(Value::as_str),
                    origin_of(p, op, pointer, ctx),
                ) else {
                    continue;
                };
                ctx.moved.0.insert(join(&at, name), from);
            }
        }
        out.insert("requestBody".into(), body);
    }
    if let Some(schemes) = op.get("schemes") {
        let servers = servers(doc, Some(schemes));
        if !servers.is_empty() {
            out.insert("servers".into(), Value::Array(servers));
        }
    }
    Value::Object(out)
}

/// A non-body parameter: its inline schema keywords move into `schema`, its
/// `collectionFormat` becomes `style` / `explode`.
fn parameter(p: &Value, pointer: &str, diags: &mut Vec<Diagnostic>) -> Value {
    let Some(p) = p.as_object() else {
        return p.clone();
    };
    if p.contains_key("$ref") {
        return Value::Object(p.clone());
    }
    let mut out = Map::new();
    let mut schema_map = Map::new();
    for (k, v) in p {
        if SCHEMA_KEYS.contains(&k.as_str()) {
            schema_map.insert(k.clone(), v.clone());
        } else if k == "x-example" {
            out.insert("example".into(), v.clone());
        } else if k != "collectionFormat" {
            out.insert(k.clone(), v.clone());
        }
    }
    let is_array = schema_map.get("type").and_then(Value::as_str) == Some("array");
    if is_array {
        let format = p
            .get("collectionFormat")
            .and_then(Value::as_str)
            .unwrap_or("csv");
        let loc = p.get("in").and_then(Value::as_str).unwrap_or("query");
        let (style, explode) = collection_style(format, loc, pointer, diags);
        if let Some(style) = style {
            out.insert("style".into(), json!(style));
        }
        out.insert("explode".into(), json!(explode));
    }
    out.insert("schema".into(), schema(Value::Object(schema_map)));
    Value::Object(out)
}

/// `collectionFormat` → (`style`, `explode`) for a parameter location.
fn collection_style(
    format: &str,
    loc: &str,
    pointer: &str,
    diags: &mut Vec<Diagnostic>,
) -> (Option<&'static str>, bool) {
    let simple = matches!(loc, "path" | "header");
    match format {
        "multi" => (Some("form"), true),
        "ssv" if !simple => (Some("spaceDelimited"), false),
        "pipes" if !simple => (Some("pipeDelimited"), false),
        "csv" => (Some(if simple { "simple" } else { "form" }), false),
        other => {
            diags.push(Diagnostic::new(
                Severity::Warning,
                join(pointer, "collectionFormat"),
                format!(
                    "`collectionFormat: {other}` has no OpenAPI 3.0 equivalent here; the values are sent comma-separated (`csv`) instead."
                ),
            ));
            (Some(if simple { "simple" } else { "form" }), false)
        }
    }
}

/// `in: body` parameters → a `requestBody`. Returns the body and its media types.
fn request_body(
    params: &[&Value],
    consumes: &[String],
    pointer: &str,
    diags: &mut Vec<Diagnostic>,
) -> (Value, Vec<String>) {
    if params.len() > 1 {
        diags.push(Diagnostic::new(
            Severity::Warning,
            join(pointer, "parameters"),
            "The operation has more than one `in: body` parameter; OpenAPI allows one. The first is used.",
        ));
    }
    let p = params.first().copied().unwrap_or(&Value::Null);
    let types = if consumes.is_empty() {
        vec!["application/json".to_owned()]
    } else {
        media_types(consumes)
    };
    // The schema goes with the media type the request is sent as (the
    // first JSON one, else the first): one copy per operation, however
    // many types `consumes` lists.
    let sent = types.iter().position(|t| is_json(t)).unwrap_or(0);
    let mut body_schema = Some(schema(
        p.get("schema").cloned().unwrap_or_else(|| json!({})),
    ));
    let examples = p.get("x-examples").and_then(Value::as_object);
    let mut content = Map::new();
    for (i, t) in types.iter().enumerate() {
        let mut media = Map::new();
        if i == sent {
            if let Some(s) = body_schema.take() {
                media.insert("schema".into(), s);
            }
        }
        if let Some(ex) = examples.and_then(|e| e.get(t)) {
            media.insert("example".into(), ex.clone());
        }
        content.insert(t.clone(), Value::Object(media));
    }
    let mut body = Map::new();
    if let Some(d) = p.get("description") {
        body.insert("description".into(), d.clone());
    }
    body.insert("content".into(), Value::Object(content));
    if let Some(r) = p.get("required") {
        body.insert("required".into(), r.clone());
    }
    (Value::Object(body), types)
}

/// `in: formData` parameters → a form `requestBody` with an object schema.
fn form_body(
    params: &[&Value],
    consumes: &[String],
    pointer: &str,
    diags: &mut Vec<Diagnostic>,
) -> Value {
    let has_file = params
        .iter()
        .any(|p| p.get("type").and_then(Value::as_str) == Some("file"));
    let multipart = has_file
        || consumes
            .iter()
            .any(|c| c.starts_with("multipart/form-data"));
    let media_type = if multipart {
        "multipart/form-data"
    } else {
        "application/x-www-form-urlencoded"
    };
    let mut properties = Map::new();
    let mut required = Vec::new();
    let mut encoding = Map::new();
    for p in params {
        let Some(name) = p.get("name").and_then(Value::as_str) else {
            continue;
        };
        let converted = parameter(p, pointer, diags);
        let mut s = converted
            .get("schema")
            .cloned()
            .unwrap_or_else(|| json!({}));
        if let (Some(obj), Some(d)) = (s.as_object_mut(), p.get("description")) {
            obj.entry("description").or_insert_with(|| d.clone());
        }
        if let (Some(obj), Some(e)) = (s.as_object_mut(), p.get("x-example")) {
            obj.insert("example".into(), e.clone());
        }
        properties.insert(name.to_owned(), s);
        if p.get("required").and_then(Value::as_bool) == Some(true) {
            required.push(json!(name));
        }
        if let Some(style) = converted.get("style") {
            let explode = converted.get("explode").cloned().unwrap_or(json!(false));
            encoding.insert(
                name.to_owned(),
                json!({ "style": style, "explode": explode }),
            );
        }
    }
    let mut schema_map = Map::new();
    schema_map.insert("type".into(), json!("object"));
    schema_map.insert("properties".into(), Value::Object(properties));
    if !required.is_empty() {
        schema_map.insert("required".into(), Value::Array(required));
    }
    let mut media = Map::new();
    media.insert("schema".into(), Value::Object(schema_map));
    if !encoding.is_empty() {
        media.insert("encoding".into(), Value::Object(encoding));
    }
    json!({ "content": { media_type: Value::Object(media) } })
}

/// A 2.0 response → 3.0: `schema` and `examples` move under `content`, one
/// entry per `produces` media type; headers get a `schema`.
/// How many media types of `consumes` / `produces` are kept for each
/// operation (a request is sent as one): without a bound, a list of
/// thousands multiplies into every operation.
const MAX_MEDIA_TYPES: usize = 16;

/// The media types kept of a `consumes` / `produces` list: the first
/// [`MAX_MEDIA_TYPES`], and the first JSON one if it comes later.
fn media_types(types: &[String]) -> Vec<String> {
    let mut kept: Vec<String> = types.iter().take(MAX_MEDIA_TYPES).cloned().collect();
    if !kept.iter().any(|t| is_json(t)) {
        if let Some(json) = types.iter().find(|t| is_json(t)) {
            kept.push(json.clone());
        }
    }
    kept
}

fn response(r: &Value, produces: &[String]) -> Value {
    let Some(r) = r.as_object() else {
        return r.clone();
    };
    if r.contains_key("$ref") {
        return Value::Object(r.clone());
    }
    let mut out = Map::new();
    out.insert(
        "description".into(),
        r.get("description").cloned().unwrap_or_else(|| json!("")),
    );
    if let Some(headers) = r.get("headers").and_then(Value::as_object) {
        let converted = headers
            .iter()
            .map(|(k, h)| {
                let mut header = Map::new();
                let mut s = Map::new();
                if let Some(h) = h.as_object() {
                    for (hk, hv) in h {
                        if SCHEMA_KEYS.contains(&hk.as_str()) {
                            s.insert(hk.clone(), hv.clone());
                        } else if hk != "collectionFormat" {
                            header.insert(hk.clone(), hv.clone());
                        }
                    }
                }
                header.insert("schema".into(), schema(Value::Object(s)));
                (k.clone(), Value::Object(header))
            })
            .collect();
        out.insert("headers".into(), Value::Object(converted));
    }
    let examples = r.get("examples").and_then(Value::as_object);
    if let Some(s) = r.get("schema") {
        let types = if produces.is_empty() {
            vec!["application/json".to_owned()]
        } else {
            media_types(produces)
        };
        // The schema goes with the first type (the one a request accepts).
        let mut converted = Some(schema(s.clone()));
        let mut content = Map::new();
        for t in types {
            let mut media = Map::new();
            if let Some(s) = converted.take() {
                media.insert("schema".into(), s);
            }
            if let Some(ex) = examples.and_then(|e| e.get(&t)) {
                media.insert("example".into(), ex.clone());
            }
            content.insert(t, Value::Object(media));
        }
        out.insert("content".into(), Value::Object(content));
    }
    for (k, v) in r.iter().filter(|(k, _)| k.starts_with("x-")) {
        out.insert(k.clone(), v.clone());
    }
    Value::Object(out)
}

/// A 2.0 schema → 3.0: `x-nullable`, `type: file`, string discriminators.
pub(crate) fn schema(mut v: Value) -> Value {
    fix_schema(&mut v);
    v
}

fn fix_schema(v: &mut Value) {
    let Some(map) = v.as_object_mut() else { return };
    if let Some(nullable) = map.remove("x-nullable") {
        map.insert("nullable".into(), nullable);
    }
    if map.get("type").and_then(Value::as_str) == Some("file") {
        map.insert("type".into(), json!("string"));
        map.insert("format".into(), json!("binary"));
    }
    if let Some(Value::String(property)) = map.get("discriminator") {
        let property = property.clone();
        map.insert("discriminator".into(), json!({ "propertyName": property }));
    }
    if let Some(Value::Object(props)) = map.get_mut("properties") {
        props.values_mut().for_each(fix_schema);
    }
    for key in ["items", "additionalProperties", "not"] {
        if let Some(sub) = map.get_mut(key) {
            fix_schema(sub);
        }
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(Value::Array(subs)) = map.get_mut(key) {
            subs.iter_mut().for_each(fix_schema);
        }
    }
}

fn security_scheme(v: &Value) -> Value {
    let Some(s) = v.as_object() else {
        return v.clone();
    };
    let description = s.get("description").cloned();
    let mut out = match s.get("type").and_then(Value::as_str) {
        Some("basic") => json!({ "type": "http", "scheme": "basic" }),
        Some("apiKey") => json!({
            "type": "apiKey",
            "name": s.get("name").cloned().unwrap_or(json!("")),
            "in": s.get("in").cloned().unwrap_or(json!("header")),
        }),
        Some("oauth2") => {
            let scopes = s.get("scopes").cloned().unwrap_or_else(|| json!({}));
            let auth = s.get("authorizationUrl").cloned().unwrap_or(json!(""));
            let token = s.get("tokenUrl").cloned().unwrap_or(json!(""));
            let flows = match s.get("flow").and_then(Value::as_str) {
                Some("implicit") => {
                    json!({ "implicit": { "authorizationUrl": auth, "scopes": scopes } })
                }
                Some("password") => json!({ "password": { "tokenUrl": token, "scopes": scopes } }),
                Some("application") => {
                    json!({ "clientCredentials": { "tokenUrl": token, "scopes": scopes } })
                }
                _ => {
                    json!({ "authorizationCode": { "authorizationUrl": auth, "tokenUrl": token, "scopes": scopes } })
                }
            };
            json!({ "type": "oauth2", "flows": flows })
        }
        _ => v.clone(),
    };
    if let (Some(d), Some(obj)) = (description, out.as_object_mut()) {
        obj.insert("description".into(), d);
    }
    out
}

/// Rewrites every 2.0 `$ref` in the document to its 3.0 location.
fn rewrite_refs(v: &mut Value) {
    match v {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get_mut("$ref") {
                for (from, to) in [
                    ("#/definitions/", "#/components/schemas/"),
                    ("#/parameters/", "#/components/parameters/"),
                    ("#/responses/", "#/components/responses/"),
                ] {
                    if let Some(rest) = r.strip_prefix(from) {
                        *r = format!("{to}{rest}");
                        break;
                    }
                }
            }
            map.values_mut().for_each(rewrite_refs);
        }
        Value::Array(items) => items.iter_mut().for_each(rewrite_refs),
        _ => {}
    }
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn convert(v: Value) -> (Value, Vec<Diagnostic>) {
        let mut diags = Vec::new();
        let (out, _) = to_openapi3(v.as_object().unwrap(), &mut diags);
        (out, diags)
    }

    #[test]
    fn server_from_host_base_path_and_first_scheme() {
        let (out, _) = convert(
            json!({"swagger": "2.0", "host": "api.example.com", "basePath": "/v2/", "schemes": ["https", "http"], "paths": {}}),
        );
        assert_eq!(
            out["servers"],
            json!([{"url": "https://api.example.com/v2"}])
        );
        let (out, _) = convert(json!({"swagger": "2.0", "basePath": "/v2", "paths": {}}));
        assert_eq!(out["servers"], json!([{"url": "/v2"}]));
    }

    #[test]
    fn body_form_and_collection_formats() {
        let (out, diags) = convert(json!({
            "swagger": "2.0",
            "consumes": ["application/json"],
            "definitions": {"Pet": {"type": "object", "x-nullable": true, "properties": {"f": {"type": "file"}}}},
            "paths": {"/pets": {
                "post": {"parameters": [{"in": "body", "name": "b", "required": true, "schema": {"$ref": "#/definitions/Pet"}}], "responses": {"200": {"description": "ok", "schema": {"$ref": "#/definitions/Pet"}}}},
                "put": {"consumes": ["application/x-www-form-urlencoded"], "parameters": [{"in": "formData", "name": "n", "type": "string", "required": true}]},
                "patch": {"parameters": [{"in": "formData", "name": "file", "type": "file"}]},
                "get": {"parameters": [
                    {"in": "query", "name": "a", "type": "array", "items": {"type": "string"}},
                    {"in": "query", "name": "m", "type": "array", "collectionFormat": "multi", "items": {"type": "string"}},
                    {"in": "query", "name": "s", "type": "array", "collectionFormat": "ssv", "items": {"type": "string"}},
                    {"in": "query", "name": "p", "type": "array", "collectionFormat": "pipes", "items": {"type": "string"}},
                    {"in": "query", "name": "t", "type": "array", "collectionFormat": "tsv", "items": {"type": "string"}},
                    {"in": "header", "name": "h", "type": "array", "items": {"type": "integer"}, "x-nullable": true}
                ]}
            }}
        }));
        let pets = &out["paths"]["/pets"];
        assert_eq!(
            pets["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"],
            json!("#/components/schemas/Pet")
        );
        assert_eq!(pets["post"]["requestBody"]["required"], json!(true));
        assert_eq!(
            pets["post"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"],
            json!("#/components/schemas/Pet")
        );
        assert_eq!(
            pets["put"]["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]
                ["required"],
            json!(["n"])
        );
        assert_eq!(
            pets["patch"]["requestBody"]["content"]["multipart/form-data"]["schema"]["properties"]
                ["file"],
            json!({"type": "string", "format": "binary"})
        );
        let params = pets["get"]["parameters"].as_array().unwrap();
        let styles: Vec<_> = params
            .iter()
            .map(|p| (p["style"].clone(), p["explode"].clone()))
            .collect();
        assert_eq!(
            styles,
            vec![
                (json!("form"), json!(false)),
                (json!("form"), json!(true)),
                (json!("spaceDelimited"), json!(false)),
                (json!("pipeDelimited"), json!(false)),
                (json!("form"), json!(false)),
                (json!("simple"), json!(false)),
            ]
        );
        assert_eq!(params[5]["schema"]["nullable"], json!(true));
        assert_eq!(out["components"]["schemas"]["Pet"]["nullable"], json!(true));
        assert_eq!(
            out["components"]["schemas"]["Pet"]["properties"]["f"]["format"],
            json!("binary")
        );
        assert_eq!(diags.len(), 1, "tsv is reported: {diags:?}");
    }

    #[test]
    fn security_definitions() {
        let (out, _) = convert(
            json!({"swagger": "2.0", "paths": {}, "securityDefinitions": {
                "b": {"type": "basic"},
                "k": {"type": "apiKey", "name": "X-Key", "in": "header"},
                "o": {"type": "oauth2", "flow": "application", "tokenUrl": "https://t", "scopes": {"a": "b"}}
            }}),
        );
        let s = &out["components"]["securitySchemes"];
        assert_eq!(s["b"], json!({"type": "http", "scheme": "basic"}));
        assert_eq!(
            s["k"],
            json!({"type": "apiKey", "name": "X-Key", "in": "header"})
        );
        assert_eq!(
            s["o"]["flows"]["clientCredentials"]["tokenUrl"],
            json!("https://t")
        );
    }

    #[test]
    fn global_parameter_refs() {
        let (out, _) = convert(json!({"swagger": "2.0",
            "parameters": {"limit": {"in": "query", "name": "limit", "type": "integer"}, "body": {"in": "body", "name": "b", "schema": {"type": "object"}}},
            "paths": {"/x": {"post": {"parameters": [{"$ref": "#/parameters/limit"}, {"$ref": "#/parameters/body"}]}}}}));
        assert_eq!(
            out["paths"]["/x"]["post"]["parameters"],
            json!([{"$ref": "#/components/parameters/limit"}])
        );
        assert!(
            out["paths"]["/x"]["post"]["requestBody"]["content"]["application/json"].is_object()
        );
        assert_eq!(
            out["components"]["parameters"]["limit"]["schema"],
            json!({"type": "integer"})
        );
    }
}
