//! Servers and the base URL requests go to: `servers` lists read (each
//! server on its own, its variables substituted with the user's choice,
//! the default or the first allowed value), the user's base URL, the
//! server chosen, or a stand-in origin (reported) when none is fully
//! qualified.

use serde::Deserialize;
use serde_json::Value;

use crate::diagnostic::{Diagnostic, Severity};
use crate::refs::join;
use crate::spec::wording::plain;
use crate::spec::{Server, ServerVariable, SpecFormat};
use crate::ConvertOptions;

/// The stand-in origin for specifications without a fully-qualified server.
pub(crate) const STAND_IN_ORIGIN: &str = "http://localhost";

pub(super) fn read_servers(
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
                format!("This server could not be read ({}); it is left out. A server needs a `url` string.", plain(&e.to_string())),
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
pub(super) fn base_url(
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
