//! The core's rooms import each other in one direction only: no circle
//! between its top-level modules, nor between the files of `analysis`
//! (the model at the bottom, the engine above it, the stores above both).
//!
//! Read from the source text: in each room's files (tests left out), every
//! `crate::<module>` path, every name the crate root re-exports from a
//! module, and in `analysis` every `super::<file>` path is an edge.
//!
//! The conversion pipeline is layered too: the HAR types (`har_types`) at
//! the bottom, then the request plans (`plan`) and references (`refs`) the
//! readers and the sampler share, then `sample`, the readers (`spec`) and
//! the HAR builder (`har`) on top. No circle is known: a circle that has to
//! stay for a while is listed in `KNOWN`, so that this test still fails on
//! any other.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// Circles that remain, as the sets of rooms they join (none).
const KNOWN: &[&[&str]] = &[];

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
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The `.rs` files under `dir`, tests left out.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files(&path));
        } else if path.extension().is_some_and(|e| e == "rs")
            && path.file_name().is_some_and(|n| n != "tests.rs")
        {
            out.push(path);
        }
    }
    out
}

/// Identifiers that follow `prefix` in `text` (`crate::` → `spec`, ...).
fn after<'t>(text: &'t str, prefix: &str) -> Vec<&'t str> {
    text.match_indices(prefix)
        .map(|(i, _)| {
            let rest = &text[i + prefix.len()..];
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            &rest[..end]
        })
        .collect()
}

/// The names the crate root re-exports, and the module each comes from.
fn root_names(modules: &BTreeSet<String>) -> BTreeMap<String, String> {
    let lib = code(&src().join("lib.rs"));
    let mut out = BTreeMap::new();
    for statement in lib.split(';') {
        let Some(rest) = statement.trim().strip_prefix("pub use ") else {
            continue;
        };
        let Some((module, names)) = rest.split_once("::") else {
            continue;
        };
        if !modules.contains(module) {
            continue;
        }
        for name in names.trim_matches(|c| c == '{' || c == '}').split(',') {
            let name = name.trim();
            if !name.is_empty() {
                out.insert(name.to_owned(), module.to_owned());
            }
        }
    }
    out
}

/// The top-level modules and what each imports of the others.
fn top_level() -> Graph {
    let mut modules = BTreeSet::new();
    for entry in fs::read_dir(src()).unwrap() {
        let path = entry.unwrap().path();
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        if stem != "lib" && stem != "main" && (path.is_dir() || stem != "tests") {
            modules.insert(stem);
        }
    }
    let names = root_names(&modules);
    let mut graph = Graph::new();
    for module in &modules {
        let dir = src().join(module);
        let paths = if dir.is_dir() {
            files(&dir)
        } else {
            vec![src().join(format!("{module}.rs"))]
        };
        let edges = graph.entry(module.clone()).or_default();
        for path in paths {
            let text = code(&path);
            for target in after(&text, "crate::") {
                let to = if modules.contains(target) {
                    Some(target.to_owned())
                } else {
                    names.get(target).cloned()
                };
                if let Some(to) = to.filter(|to| to != module) {
                    edges.insert(to);
                }
            }
            // `use crate::{A, b::C}`.
            for (i, _) in text.match_indices("crate::{") {
                let rest = &text[i + "crate::{".len()..];
                let inner = &rest[..rest.find('}').unwrap_or(0)];
                for name in inner.split(',').map(str::trim) {
                    let head = name.split("::").next().unwrap_or("");
                    let to = if modules.contains(head) {
                        Some(head.to_owned())
                    } else {
                        names.get(head).cloned()
                    };
                    if let Some(to) = to.filter(|to| to != module) {
                        edges.insert(to);
                    }
                }
            }
        }
    }
    graph
}

/// The rooms of `analysis` (its files, and `store/` as one) and what each
/// imports of the others.
fn analysis() -> Graph {
    let dir = src().join("analysis");
    let mut rooms = BTreeSet::new();
    for entry in fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        if stem != "mod" {
            rooms.insert(stem);
        }
    }
    let mut graph = Graph::new();
    for room in &rooms {
        let paths = if dir.join(room).is_dir() {
            files(&dir.join(room))
        } else {
            vec![dir.join(format!("{room}.rs"))]
        };
        let edges = graph.entry(room.clone()).or_default();
        for path in paths {
            // In `analysis/x.rs` and `analysis/store/mod.rs`, `super::` is
            // `analysis`; deeper, `super::super::`.
            let own_super = if path.parent() == Some(dir.as_path())
                || path.file_name().is_some_and(|n| n == "mod.rs")
            {
                "super::"
            } else {
                "super::super::"
            };
            let text = code(&path);
            let mut targets = after(&text, "crate::analysis::");
            targets.extend(after(&text, own_super));
            if own_super == "super::" {
                // `use super::{a::X, b::Y}`.
                for (i, _) in text.match_indices("super::{") {
                    let rest = &text[i + "super::{".len()..];
                    let inner = &rest[..rest.find('}').unwrap_or(0)];
                    targets.extend(
                        inner
                            .split(',')
                            .map(|n| n.trim().split("::").next().unwrap_or("")),
                    );
                }
            }
            for target in targets {
                if rooms.contains(target) && target != room {
                    edges.insert(target.to_owned());
                }
            }
        }
    }
    graph
}

/// The sets of rooms that reach each other (strongly connected, more than
/// one room).
fn circles(graph: &Graph) -> Vec<BTreeSet<String>> {
    let reach = |from: &str| {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from.to_owned()];
        while let Some(node) = stack.pop() {
            for next in graph.get(&node).into_iter().flatten() {
                if seen.insert(next.clone()) {
                    stack.push(next.clone());
                }
            }
        }
        seen
    };
    let reaches: BTreeMap<&String, BTreeSet<String>> =
        graph.keys().map(|k| (k, reach(k))).collect();
    let mut out: Vec<BTreeSet<String>> = Vec::new();
    for (node, from_node) in &reaches {
        let circle: BTreeSet<String> = from_node
            .iter()
            .filter(|other| reaches.get(other).is_some_and(|r| r.contains(*node)))
            .cloned()
            .collect();
        if circle.len() > 1 && !out.contains(&circle) {
            out.push(circle);
        }
    }
    out
}

fn describe(graph: &Graph, circle: &BTreeSet<String>) -> String {
    circle
        .iter()
        .map(|from| {
            let to: Vec<&str> = graph[from]
                .iter()
                .filter(|t| circle.contains(*t))
                .map(String::as_str)
                .collect();
            format!("{from} → {}", to.join(", "))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[test]
fn the_core_s_modules_import_each_other_in_one_direction() {
    let graph = top_level();
    assert!(
        graph.contains_key("analysis") && graph.contains_key("spec"),
        "{graph:?}"
    );
    assert!(
        graph["api"].contains("analysis"),
        "the graph is read: {graph:?}"
    );
    assert!(
        graph["har"].contains("spec") && graph["spec"].contains("sample"),
        "the graph is read: {graph:?}"
    );
    // The conversion pipeline's vocabulary is at the bottom: the HAR types,
    // the request plans and the references import none of its stages.
    for below in ["har_types", "plan", "refs"] {
        for stage in ["sample", "spec", "har"] {
            assert!(!graph[below].contains(stage), "{below} imports {stage}");
        }
    }
    let known: Vec<BTreeSet<String>> = KNOWN
        .iter()
        .map(|c| c.iter().map(|s| (*s).to_owned()).collect())
        .collect();
    for circle in circles(&graph) {
        assert!(
            known.contains(&circle),
            "a circle between the core's modules: {}",
            describe(&graph, &circle)
        );
    }
}

#[test]
fn the_rooms_of_analysis_import_each_other_in_one_direction() {
    let graph = analysis();
    assert!(
        graph["engine"].contains("state"),
        "the graph is read: {graph:?}"
    );
    assert!(
        graph["store"].contains("engine"),
        "the graph is read: {graph:?}"
    );
    let found = circles(&graph);
    assert!(
        found.is_empty(),
        "circles between the files of analysis: {}",
        found
            .iter()
            .map(|c| describe(&graph, c))
            .collect::<Vec<_>>()
            .join(" | ")
    );
    // The model is at the bottom: it imports neither the engine nor a store.
    for above in ["engine", "store", "demo", "state"] {
        assert!(!graph["model"].contains(above), "model imports {above}");
    }
}
