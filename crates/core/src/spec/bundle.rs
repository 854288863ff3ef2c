//! A specification split over several files → one document.
//!
//! The root is chosen, then every `$ref` into another file given is bundled:
//! the part it points at is copied under `x-prescan-external` in the root
//! (once per file and pointer, so cycles end) and the reference rewritten to
//! point there. References inside copied parts are resolved relative to the
//! file they came from. References that cannot be bundled keep their text;
//! the reason is recorded for the resolver to report where they are used.
//! Diagnostics that point into bundled parts are moved back to the file and
//! pointer they came from.

use std::collections::{HashMap, VecDeque};

use serde_json::{Map, Value};

use super::{detect, finish, parse, Input, LoadError, Loaded, SourceFile, SpecFormat, Syntax};
use crate::diagnostic::{Diagnostic, Severity};
use crate::refs::{self, Notes, RefError};
use crate::{ConvertOptions, Limit};

/// The root key bundled parts are kept under.
pub(crate) const EXTERNAL_KEY: &str = "x-prescan-external";

/// Where one bundled part comes from.
#[derive(Debug, Clone)]
pub(crate) struct Origin {
    /// The file's name as given.
    pub file: String,
    /// The JSON pointer in that file.
    pub pointer: String,
}

struct Parsed<'t> {
    name: String,
    /// The normalized path (for resolving references).
    path: String,
    text: &'t str,
    syntax: Syntax,
    value: Value,
    format: Option<(SpecFormat, String)>,
}

/// Loads several files as one specification.
pub(crate) fn load(files: &[SourceFile], options: &ConvertOptions) -> Result<Loaded, LoadError> {
    let mut parsed: Vec<Result<Parsed<'_>, LoadError>> = Vec::with_capacity(files.len());
    for f in files {
        let one = parse::text(&f.bytes, &options.limits).and_then(|text| {
            let syntax = parse::syntax_of(text);
            let value = parse::value(text, syntax, &options.limits)?;
            let format = match &value {
                Value::Object(map) => detect::detect(map, syntax).ok(),
                _ => None,
            };
            Ok(Parsed {
                name: f.name.clone(),
                path: normalize(&f.name),
                text,
                syntax,
                value,
                format,
            })
        });
        parsed.push(one);
    }
    let root_index = choose_root(&parsed).map_err(|i| match parsed.get(i) {
        Some(Err(e)) => e.clone(),
        _ => LoadError::NotASpecification {
            found: "a set of files none of which is an OpenAPI, Swagger, Postman or HAR document"
                .into(),
        },
    })?;
    let mut diagnostics = Vec::new();
    let root_name = files
        .get(root_index)
        .map(|f| f.name.clone())
        .unwrap_or_default();
    diagnostics.push(Diagnostic::new(
        Severity::Information,
        "",
        format!(
            "{} files were given; `{root_name}` is the root of the specification (the document the others are referenced from).",
            files.len()
        ),
    ));
    for (f, p) in files.iter().zip(&parsed) {
        if let Err(e) = p {
            let mut d = Diagnostic::new(
                Severity::Warning,
                "",
                format!(
                    "The file `{}` could not be read, so references into it are left empty: {e}",
                    f.name
                ),
            );
            d.file = Some(f.name.clone());
            if let LoadError::Syntax { line, column, .. } = e {
                d.line = u32::try_from(*line).ok();
                d.column = u32::try_from(*column).ok();
            }
            diagnostics.push(d);
        }
    }
    let mut docs: Vec<Option<Parsed<'_>>> = parsed.into_iter().map(Result::ok).collect();
    let Some(mut root) = docs.get_mut(root_index).and_then(Option::take) else {
        return Err(LoadError::Empty);
    };
    let paths: Vec<Option<String>> = files
        .iter()
        .zip(&docs)
        .enumerate()
        .map(|(i, (f, d))| {
            if i == root_index {
                Some(normalize(&f.name))
            } else {
                d.as_ref().map(|d| d.path.clone())
            }
        })
        .collect();
    let all_paths: Vec<String> = files.iter().map(|f| normalize(&f.name)).collect();
    let values: Vec<Option<&Value>> = docs.iter().map(|d| d.as_ref().map(|d| &d.value)).collect();
    let mut bundler = Bundler {
        root: root_index,
        paths: &all_paths,
        readable: &paths,
        values: &values,
        slots: HashMap::new(),
        parts: Vec::new(),
        origins: Vec::new(),
        notes: Notes::new(),
        queue: VecDeque::new(),
        copied: 0,
        limits: &options.limits,
    };
    bundler.rewrite(&mut root.value, root_index);
    while let Some((slot, file)) = bundler.queue.pop_front() {
        let mut part = std::mem::take(&mut bundler.parts[slot]);
        bundler.rewrite(&mut part, file);
        bundler.parts[slot] = part;
    }
    let Bundler {
        parts,
        origins: raw_origins,
        notes,
        ..
    } = bundler;
    if !parts.is_empty() {
        if let Value::Object(map) = &mut root.value {
            let external: Map<String, Value> = parts
                .into_iter()
                .enumerate()
                .map(|(i, v)| (i.to_string(), v))
                .collect();
            map.insert(EXTERNAL_KEY.into(), Value::Object(external));
        }
    }
    let origins = raw_origins
        .into_iter()
        .map(|(file, pointer)| Origin {
            file: files.get(file).map(|f| f.name.clone()).unwrap_or_default(),
            pointer,
        })
        .collect();
    let (format, format_version) = match root.format.take() {
        Some(f) => f,
        None => super::detect_value(&root.value, root.syntax)?,
    };
    let others = docs
        .iter()
        .flatten()
        .map(|d| (d.name.clone(), d.text, d.syntax))
        .collect();
    let input = Input {
        file_name: &root.name,
        file_size: files.get(root_index).map_or(0, |f| f.bytes.len()),
        text: root.text,
        syntax: root.syntax,
        root: root.value,
        format,
        format_version,
        others,
        diagnostics,
        origins,
        notes,
    };
    let mut loaded = finish(input, options);
    // Every file given, in the order given, the root first.
    let mut names = vec![root_name.clone()];
    names.extend(
        files
            .iter()
            .map(|f| f.name.clone())
            .filter(|n| *n != root_name),
    );
    loaded.spec.files = names;
    Ok(loaded)
}

/// The root: an OpenAPI or Swagger document (if several, the first no other
/// file references), else any document of a known format. `Err(i)`: none;
/// the error of file `i` explains why.
fn choose_root(parsed: &[Result<Parsed<'_>, LoadError>]) -> Result<usize, usize> {
    let is_openapi = |p: &Parsed<'_>| {
        matches!(
            p.format,
            Some((
                SpecFormat::OpenApi2 | SpecFormat::OpenApi30 | SpecFormat::OpenApi31,
                _
            ))
        )
    };
    let openapi: Vec<usize> = parsed
        .iter()
        .enumerate()
        .filter(|(_, p)| p.as_ref().is_ok_and(is_openapi))
        .map(|(i, _)| i)
        .collect();
    if openapi.len() > 1 {
        let referenced: Vec<String> = parsed
            .iter()
            .flatten()
            .flat_map(|p| {
                let mut targets = Vec::new();
                external_targets(&p.value, &p.path, &mut targets);
                targets
            })
            .collect();
        let paths: Vec<String> = parsed
            .iter()
            .map(|p| p.as_ref().map(|p| p.path.clone()).unwrap_or_default())
            .collect();
        if let Some(i) = openapi.iter().copied().find(|&i| {
            let path = paths.get(i).map(String::as_str).unwrap_or("");
            !referenced.iter().any(|t| matches_path(path, t))
        }) {
            return Ok(i);
        }
    }
    if let Some(&i) = openapi.first() {
        return Ok(i);
    }
    if let Some(i) = parsed
        .iter()
        .position(|p| p.as_ref().is_ok_and(|p| p.format.is_some()))
    {
        return Ok(i);
    }
    Err(parsed.iter().position(Result::is_err).unwrap_or(0))
}

/// The files a document's `$ref`s point into: paths resolved against the
/// document's own `name` and normalized (a `..` that climbs above its
/// folder is kept), each once, in the order found, at most 10,000. None
/// when the document cannot be read within `limits`. For a reader of files
/// on a disk (the command line), which decides which of them to read.
pub fn referenced_files(name: &str, bytes: &[u8], limits: &crate::Limits) -> Vec<String> {
    let Ok(text) = parse::text(bytes, limits) else {
        return Vec::new();
    };
    let syntax = parse::syntax_of(text);
    let Ok(value) = parse::value(text, syntax, limits) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    external_targets(&value, &normalize(name), &mut found);
    let mut seen = std::collections::HashSet::new();
    found.retain(|f| seen.insert(f.clone()));
    found
}

/// The files a document references (resolved paths), bounded.
fn external_targets(v: &Value, base: &str, out: &mut Vec<String>) {
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        match v {
            Value::Object(map) => {
                if let Some(Value::String(r)) = map.get("$ref") {
                    let file = r.split('#').next().unwrap_or("");
                    if !file.is_empty() && !file.contains("://") && out.len() < 10_000 {
                        out.push(resolve_path(base, file));
                    }
                }
                stack.extend(map.values());
            }
            Value::Array(items) => stack.extend(items),
            _ => {}
        }
    }
}

struct Bundler<'b, 'v> {
    root: usize,
    /// Normalized paths of every file given.
    paths: &'b [String],
    /// Normalized paths of the files that could be read (`None`: not).
    readable: &'b [Option<String>],
    values: &'b [Option<&'v Value>],
    slots: HashMap<(usize, String), usize>,
    /// What the parts copied so far cost (against `expanded_bytes`).
    copied: u64,
    limits: &'b crate::Limits,
    parts: Vec<Value>,
    origins: Vec<(usize, String)>,
    notes: Notes,
    queue: VecDeque<(usize, usize)>,
}

impl Bundler<'_, '_> {
    /// Rewrites the references inside `value`, which comes from file `file`.
    fn rewrite(&mut self, value: &mut Value, file: usize) {
        let mut stack = vec![value];
        while let Some(v) = stack.pop() {
            match v {
                Value::Object(map) => {
                    if let Some(Value::String(r)) = map.get_mut("$ref") {
                        if let Some(new) = self.target(r, file) {
                            *r = new;
                        }
                    }
                    stack.extend(map.values_mut());
                }
                Value::Array(items) => stack.extend(items.iter_mut()),
                _ => {}
            }
        }
    }

    /// The new text of a reference found in file `file`, if it changes.
    fn target(&mut self, reference: &str, file: usize) -> Option<String> {
        let (path, fragment) = match reference.split_once('#') {
            Some((p, f)) => (p, f),
            None => (reference, ""),
        };
        let target_file = if path.is_empty() {
            file
        } else {
            if path.contains("://") {
                return None;
            }
            let base = self.paths.get(file).map(String::as_str).unwrap_or("");
            let wanted = resolve_path(base, path);
            match find_file(self.paths, &wanted) {
                Some(i) => i,
                None => {
                    self.notes
                        .insert(reference.to_owned(), RefError::External { file: wanted });
                    return None;
                }
            }
        };
        let pointer = refs::percent_decode(fragment);
        if target_file == self.root {
            return (file != self.root || !path.is_empty()).then(|| format!("#{fragment}"));
        }
        let name = self.paths.get(target_file).cloned().unwrap_or_default();
        if self.readable.get(target_file).is_none_or(Option::is_none) {
            self.notes
                .insert(reference.to_owned(), RefError::Unreadable { file: name });
            return None;
        }
        if let Some(&slot) = self.slots.get(&(target_file, pointer.clone())) {
            return Some(format!("#/{EXTERNAL_KEY}/{slot}"));
        }
        let doc = self.values.get(target_file).copied().flatten()?;
        let found = if pointer.is_empty() {
            Some(doc)
        } else if pointer.starts_with('/') {
            doc.pointer(&pointer)
        } else {
            None
        };
        let Some(found) = found else {
            self.notes
                .insert(reference.to_owned(), RefError::MissingIn { file: name });
            return None;
        };
        let budget = self.limits.expanded_bytes;
        let size = crate::sample::cost(found, budget.saturating_sub(self.copied));
        if self.copied.saturating_add(size) > budget {
            self.notes.insert(
                reference.to_owned(),
                RefError::OverBudget {
                    file: name,
                    limit: Limit::ExpandedBytes.cite(self.limits),
                },
            );
            return None;
        }
        self.copied += size;
        let slot = self.parts.len();
        self.parts.push(found.clone());
        self.origins.push((target_file, pointer.clone()));
        self.slots.insert((target_file, pointer), slot);
        self.queue.push_back((slot, target_file));
        Some(format!("#/{EXTERNAL_KEY}/{slot}"))
    }
}

/// Moves diagnostics that point into bundled parts to their own file.
pub(crate) fn relocate(origins: &[Origin], diagnostics: &mut [Diagnostic]) {
    if origins.is_empty() {
        return;
    }
    let prefix = format!("/{EXTERNAL_KEY}/");
    for d in diagnostics.iter_mut() {
        let Some(rest) = d.pointer.strip_prefix(&prefix) else {
            continue;
        };
        let (index, tail) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        };
        if let Some(origin) = index.parse::<usize>().ok().and_then(|i| origins.get(i)) {
            d.pointer = format!("{}{tail}", escape_pointer(&origin.pointer));
            d.file = Some(origin.file.clone());
        }
    }
}

/// A decoded pointer as found in files (already `~`-escaped: unchanged).
fn escape_pointer(p: &str) -> String {
    p.to_owned()
}

/// A path with `\` as `/`, without `.` segments and with `..` applied.
pub(crate) fn normalize(path: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    let unified = path.replace('\\', "/");
    for segment in unified.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                if out.last().is_some_and(|s| *s != "..") {
                    out.pop();
                } else {
                    out.push("..");
                }
            }
            s => out.push(s),
        }
    }
    out.join("/")
}

/// The most characters a file's name (its label) may have.
pub const MAX_FILE_LABEL_CHARS: usize = 255;

/// The name of one file of a specification as it is kept: the label its
/// references are resolved against, normalized as references are
/// (`./a\\b.yaml` → `a/b.yaml`). A name is only a label, never a path
/// read from a disk; still, `Err` (a sentence) refuses one that is empty
/// once normalized, longer than [`MAX_FILE_LABEL_CHARS`], has control
/// characters, or climbs above its folder (`../x.yaml`).
pub fn file_label(name: &str) -> Result<String, String> {
    if name.chars().count() > MAX_FILE_LABEL_CHARS {
        return Err(format!(
            "A file name may have at most {MAX_FILE_LABEL_CHARS} characters."
        ));
    }
    if name.chars().any(char::is_control) {
        return Err("A file name may not hold control characters.".into());
    }
    let label = normalize(name.trim());
    if label.is_empty() {
        return Err("A file name may not be empty (or only `.` and slashes).".into());
    }
    if label == ".." || label.starts_with("../") {
        return Err(format!(
            "The file name `{label}` climbs above its folder (`..`): give names relative to the folder of the specification."
        ));
    }
    Ok(label)
}

/// `reference` (a relative path) resolved against the file at `base`.
pub(crate) fn resolve_path(base: &str, reference: &str) -> String {
    let reference = refs::percent_decode(reference);
    if reference.starts_with('/') {
        return normalize(&reference);
    }
    let dir = match base.rfind('/') {
        Some(i) => &base[..i],
        None => "",
    };
    normalize(&format!("{dir}/{reference}"))
}

/// Whether the file at `path` is the one `wanted` names.
fn matches_path(path: &str, wanted: &str) -> bool {
    path == wanted
        || path.ends_with(&format!("/{}", wanted.trim_start_matches("../")))
        || wanted.ends_with(&format!("/{path}"))
}

/// The file `wanted` names: exactly, else the only one whose path ends
/// with it (the browser may give paths under a common folder, or the
/// reference may climb above the folder chosen).
fn find_file(paths: &[String], wanted: &str) -> Option<usize> {
    if let Some(i) = paths.iter().position(|p| p == wanted) {
        return Some(i);
    }
    let candidates: Vec<usize> = paths
        .iter()
        .enumerate()
        .filter(|(_, p)| matches_path(p, wanted))
        .map(|(i, _)| i)
        .collect();
    match candidates.as_slice() {
        [one] => Some(*one),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        assert_eq!(normalize("./a/./b/../c.yaml"), "a/c.yaml");
        assert_eq!(normalize("a\\b.yaml"), "a/b.yaml");
        assert_eq!(
            resolve_path("api/openapi.yaml", "./schemas/pet.yaml"),
            "api/schemas/pet.yaml"
        );
        assert_eq!(
            resolve_path("api/v1/openapi.yaml", "../common.yaml"),
            "api/common.yaml"
        );
        assert_eq!(
            resolve_path("openapi.yaml", "../common.yaml"),
            "../common.yaml"
        );
        assert_eq!(resolve_path("a/b.yaml", "c%20d.yaml"), "a/c d.yaml");
        let files = vec![
            "root/openapi.yaml".to_owned(),
            "root/common.yaml".to_owned(),
        ];
        assert_eq!(find_file(&files, "root/common.yaml"), Some(1));
        assert_eq!(find_file(&files, "../common.yaml"), Some(1));
        assert_eq!(find_file(&files, "common.yaml"), Some(1));
        assert_eq!(find_file(&files, "other.yaml"), None);
    }

    #[test]
    fn file_labels_are_normalized_and_hostile_names_refused() {
        assert_eq!(file_label("./schemas.yaml").unwrap(), "schemas.yaml");
        assert_eq!(file_label("api\\v1/./pet.yaml").unwrap(), "api/v1/pet.yaml");
        assert_eq!(file_label("/etc/passwd").unwrap(), "etc/passwd");
        assert_eq!(file_label("a/../b.yaml").unwrap(), "b.yaml");
        for hostile in [
            "",
            "./",
            "..",
            "../x.yaml",
            "a/../../x.yaml",
            "a\nb.yaml",
            "a\u{0}b",
        ] {
            assert!(file_label(hostile).is_err(), "{hostile:?}");
        }
        assert!(file_label(&"a".repeat(MAX_FILE_LABEL_CHARS)).is_ok());
        let err = file_label(&"a".repeat(MAX_FILE_LABEL_CHARS + 1)).unwrap_err();
        assert!(err.contains("255"), "{err}");
    }
}
