//! URLs: a request's URL split into the base URL it goes to and its path
//! (the user's base URL applied; requests to other hosts left out), a URL
//! composed from its parts, hosts and paths normalized.

use serde_json::{Map, Value};

use super::{scalar_text, Reader};
use crate::diagnostic::{Diagnostic, Severity};
use crate::refs::join;
use crate::spec::openapi3::{is_absolute, origin};

/// The host (without port) of a URL or of `host[:port]/...`.
pub(super) fn host_of(url: &str) -> String {
    let after = url.split_once("://").map_or(url, |(_, r)| r);
    let end = after.find(['/', '?', '#']).unwrap_or(after.len());
    let authority = &after[..end];
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if host.starts_with('[') {
        host.split_inclusive(']').next().unwrap_or(host)
    } else {
        host.split(':').next().unwrap_or(host)
    };
    host.to_ascii_lowercase()
}

impl Reader<'_> {
    /// Splits a URL (without query) into the base URL requests go to and the
    /// path, applying the user's base URL; `None` when the request is left
    /// out.
    pub(super) fn locate(
        &mut self,
        url: &str,
        pointer: &str,
        label: &str,
    ) -> Option<(String, String)> {
        let variable_end = url
            .strip_prefix("{{")
            .and_then(|r| r.find("}}"))
            .map(|e| e + 4)
            .filter(|&e| {
                url.get(e..)
                    .is_some_and(|r| r.is_empty() || r.starts_with('/'))
            });
        if let (Some(base), Some(end)) = (self.base.clone(), variable_end) {
            let path = self.subst(url.get(end..).unwrap_or(""));
            return Some((base, normalize_path(&path)));
        }
        let full = self.subst(url);
        let (scheme, rest) = match full.split_once("://") {
            Some((s, r)) if is_absolute(&full) => (Some(s.to_owned()), r.to_owned()),
            _ => (None, full.clone()),
        };
        let (authority, path) = match rest.find('/') {
            Some(i) => (rest[..i].to_owned(), rest[i..].to_owned()),
            None => (rest.clone(), String::new()),
        };
        match self.base.clone() {
            Some(base) => {
                if host_of(&authority) == host_of(&base) {
                    // The base URL's own path is kept when the request's
                    // path does not already start with it.
                    let base_origin = origin(&base);
                    let base_path = &base[base_origin.len()..];
                    let path = normalize_path(&path);
                    if !base_path.is_empty() && path.starts_with(base_path) {
                        Some((base_origin.to_owned(), path))
                    } else {
                        Some((base, path))
                    }
                } else {
                    self.other_hosts += 1;
                    self.diags.push(Diagnostic::new(
                        Severity::Warning,
                        join(pointer, "url"),
                        format!(
                            "{label} goes to `{}`, not to the base URL's host (`{}`), so it is left out: Veracode scans only requests to the base URL's host.",
                            host_of(&authority),
                            host_of(&base)
                        ),
                    ));
                    None
                }
            }
            None => {
                let base = match scheme {
                    Some(s) => format!("{s}://{authority}"),
                    None if authority.contains("{{") => authority,
                    None => format!("http://{authority}"),
                };
                Some((base, normalize_path(&path)))
            }
        }
    }
}

/// A URL from its structured parts (when `raw` is missing).
pub(super) fn compose_url(u: &Map<String, Value>) -> String {
    let join_parts = |v: Option<&Value>, sep: &str| match v {
        Some(Value::Array(parts)) => parts
            .iter()
            .map(|p| match p {
                Value::Object(m) => scalar_text(m.get("value")),
                other => scalar_text(Some(other)),
            })
            .collect::<Vec<_>>()
            .join(sep),
        Some(other) => scalar_text(Some(other)),
        None => String::new(),
    };
    let mut out = String::new();
    if let Some(p) = u.get("protocol").and_then(Value::as_str) {
        out.push_str(p);
        out.push_str("://");
    }
    out.push_str(&join_parts(u.get("host"), "."));
    if let Some(port) = u.get("port") {
        out.push(':');
        out.push_str(&scalar_text(Some(port)));
    }
    let path = join_parts(u.get("path"), "/");
    if !path.is_empty() {
        if !path.starts_with('/') {
            out.push('/');
        }
        out.push_str(&path);
    }
    out
}

/// A path starting with `/`, `//` collapsed.
fn normalize_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len() + 1);
    if !path.starts_with('/') {
        out.push('/');
    }
    let mut last = !out.is_empty();
    for c in path.chars() {
        if c == '/' && last {
            continue;
        }
        last = c == '/';
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_and_paths() {
        assert_eq!(
            host_of("https://API.example.com:8443/v1"),
            "api.example.com"
        );
        assert_eq!(host_of("user@h.com/x"), "h.com");
        assert_eq!(host_of("http://[::1]:80/"), "[::1]");
        assert_eq!(normalize_path("a//b"), "/a/b");
        assert_eq!(normalize_path(""), "/");
        assert_eq!(normalize_path("//x/"), "/x/");
    }
}
