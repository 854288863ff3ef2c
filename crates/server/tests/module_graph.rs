//! The server's files import each other in one direction only: a module
//! never imports from the module that contains it (the crate root builds
//! the app and owns the state; `http/mod.rs` assembles the routes;
//! `db/mod.rs` is the interface over its back ends), and there is no
//! circle between the other files.
//!
//! Read from the source text (tests and comments left out): every
//! `crate::a::b` and `super::a` path is an edge from the file to the
//! deepest module it names, and a module uses the modules it declares.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

type Graph = BTreeMap<String, BTreeSet<String>>;

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The code of a file: without its tests (`#[cfg(test)]` and after) and
/// without comments (a doc link is not an import).
fn code(path: &Path) -> String {
    let text = fs::read_to_string(path).unwrap();
    let text = match text.find("#[cfg(test)]") {
        Some(i) => &text[..i],
        None => &text[..],
    };
    text.lines()
        .map(|l| match l.find("//") {
            // A comment at the end of a line (no `//` appears in a string
            // of a path here).
            Some(i) if !l[..i].contains('"') => &l[..i],
            _ => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every module of the crate (by path: "" for the root, "db::sqlite", ...)
/// and its file.
fn modules() -> BTreeMap<String, PathBuf> {
    let mut out = BTreeMap::new();
    let mut todo = vec![src()];
    while let Some(dir) = todo.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                todo.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let rel = path.strip_prefix(src()).unwrap().with_extension("");
            let mut parts: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
                parts.pop();
            }
            if parts.first().is_some_and(|p| p == "main") {
                continue; // the binary: a crate of its own
            }
            out.insert(parts.join("::"), path);
        }
    }
    out
}

fn parent(module: &str) -> String {
    module
        .rsplit_once("::")
        .map_or(String::new(), |(p, _)| p.to_owned())
}

fn join(base: &str, name: &str) -> String {
    if base.is_empty() {
        name.to_owned()
    } else {
        format!("{base}::{name}")
    }
}

/// The path segments after each occurrence of `prefix` (`crate::`,
/// `super::`), as the module they start from.
fn paths(text: &str, prefix: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for (i, _) in text.match_indices(prefix) {
        // `super::` inside `crate::x::super::` does not occur; skip
        // identifiers that merely end in the prefix (`my_crate::`).
        if text[..i]
            .chars()
            .last()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            continue;
        }
        let rest = &text[i + prefix.len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // `crate::{a, b::c}`: each item of the group (one level).
            let group = &group[..group.find('}').unwrap_or(group.len())];
            for item in group.split(',') {
                out.extend(paths(&format!(" {}{}", prefix, item.trim()), prefix));
            }
            continue;
        }
        let mut segments = Vec::new();
        let mut at = rest;
        loop {
            let end = at
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(at.len());
            if end == 0 {
                break;
            }
            segments.push(at[..end].to_owned());
            match at[end..].strip_prefix("::") {
                Some(next) => at = next,
                None => break,
            }
        }
        out.push(segments);
    }
    out
}

/// The deepest module `segments` names, starting from `base`.
fn resolve(base: &str, segments: &[String], modules: &BTreeMap<String, PathBuf>) -> String {
    let mut module = base.to_owned();
    for s in segments {
        if s == "super" {
            module = parent(&module);
            continue;
        }
        let next = join(&module, s);
        if modules.contains_key(&next) {
            module = next;
        } else {
            break;
        }
    }
    module
}

fn graph() -> Graph {
    let modules = modules();
    let mut graph = Graph::new();
    for (module, path) in &modules {
        let text = code(path);
        let mut edges = BTreeSet::new();
        for segments in paths(&text, "crate::") {
            edges.insert(resolve("", &segments, &modules));
        }
        for segments in paths(&text, "super::") {
            edges.insert(resolve(&parent(module), &segments, &modules));
        }
        // A module uses the modules it declares.
        for child in modules.keys() {
            if !child.is_empty() && parent(child) == *module {
                edges.insert(child.clone());
            }
        }
        edges.remove(module);
        graph.insert(module.clone(), edges);
    }
    graph
}

fn is_ancestor(a: &str, of: &str) -> bool {
    a.is_empty() || of.starts_with(&format!("{a}::"))
}

#[test]
fn no_module_imports_from_the_module_that_contains_it() {
    let graph = graph();
    assert!(graph.len() > 25, "{} modules read", graph.len());
    let mut up = Vec::new();
    for (module, edges) in &graph {
        for to in edges {
            if is_ancestor(to, module) {
                up.push(format!(
                    "{module} imports from {}",
                    if to.is_empty() { "the crate root" } else { to }
                ));
            }
        }
    }
    assert!(up.is_empty(), "imports back up:\n{}", up.join("\n"));
}

#[test]
fn no_circle_between_the_server_files() {
    let graph = graph();
    // Depth-first search for a back edge, reporting the circle found.
    fn visit(
        node: &str,
        graph: &Graph,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(node.to_owned(), 1);
        stack.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            if is_ancestor(next, node) {
                continue; // reported by the other test
            }
            match state.get(next.as_str()) {
                Some(1) => {
                    let start = stack.iter().position(|n| n == next).unwrap();
                    let mut circle = stack[start..].to_vec();
                    circle.push(next.clone());
                    return Some(circle);
                }
                Some(_) => {}
                None => {
                    if let Some(c) = visit(next, graph, state, stack) {
                        return Some(c);
                    }
                }
            }
        }
        stack.pop();
        state.insert(node.to_owned(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for node in graph.keys() {
        if !state.contains_key(node) {
            if let Some(circle) = visit(node, &graph, &mut state, &mut Vec::new()) {
                panic!("an import circle: {}", circle.join(" -> "));
            }
        }
    }
    // The checks read the edges that exist.
    assert!(graph["http::scans"].contains("http::specifications"));
    assert!(graph["db::sqlite::rows"].contains("db::types"));
    assert!(graph["state"].contains("db"));
}
