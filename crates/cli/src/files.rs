//! A specification as the command line reads it: its file, and the files
//! its `$ref`s point into (`./schemas/pet.yaml#/Pet`), read from the disk
//! so that it converts as the app converts the same files selected
//! together.
//!
//! A referenced file is read only from the specification's folder or
//! below it (after symbolic links), so a specification cannot make the
//! command read, and quote in its diagnostics or a SARIF report, a file
//! elsewhere on the machine (`../../.ssh/id_rsa`). Budgets: at most
//! [`MAX_SPEC_FILES`] files, and `--max-spec-bytes` for all of them
//! together. A reference to a file that is not read (missing, outside the
//! folder, over a budget) is the core's Warning naming the file.

use std::collections::{HashSet, VecDeque};
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use prescan_core::spec::referenced_files;
use prescan_core::{Limits, SourceFile, MAX_SPEC_FILES};

use crate::{read_spec, Failure};

/// A specification: its name (as given, for its diagnostics) and its
/// files, the given one first.
pub(crate) struct Spec {
    pub name: String,
    pub files: Vec<SourceFile>,
}

/// Reads `spec` (`-`: standard input, whose references are not followed)
/// and the files it references, within `max_bytes` in all.
pub(crate) fn read(
    spec: &str,
    name: &str,
    max_bytes: usize,
    limits: &Limits,
) -> Result<Spec, Failure> {
    let bytes = read_spec(spec, name, max_bytes)?;
    let mut files = vec![SourceFile {
        name: name.to_owned(),
        bytes,
    }];
    if spec != "-" {
        follow(Path::new(spec), &mut files, max_bytes, limits);
    }
    Ok(Spec {
        name: name.to_owned(),
        files,
    })
}

/// Adds to `files` (the root alone) what its references point into, as
/// long as the budgets allow.
fn follow(root: &Path, files: &mut Vec<SourceFile>, max_bytes: usize, limits: &Limits) {
    let folder = root.parent().unwrap_or(Path::new(""));
    let Ok(canonical_folder) = folder
        .canonicalize()
        .or_else(|_| Path::new(".").canonicalize())
    else {
        return;
    };
    let root_label = root
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut total = files[0].bytes.len();
    let mut seen: HashSet<String> = HashSet::from([root_label.clone()]);
    let mut queue: VecDeque<String> = referenced_files(&root_label, &files[0].bytes, limits).into();
    while let Some(label) = queue.pop_front() {
        if files.len() >= MAX_SPEC_FILES {
            break;
        }
        if !seen.insert(label.clone()) || label.starts_with("../") || label == ".." {
            continue;
        }
        let Some(path) = inside(&canonical_folder, &folder.join(&label)) else {
            continue;
        };
        let Some(bytes) = read_within(&path, max_bytes.saturating_sub(total)) else {
            continue;
        };
        total += bytes.len();
        queue.extend(referenced_files(&label, &bytes, limits));
        files.push(SourceFile {
            name: as_given(folder, &label),
            bytes,
        });
    }
}

/// `path`, when it is a file in `folder` or below it once its links are
/// followed.
fn inside(folder: &Path, path: &Path) -> Option<PathBuf> {
    let real = path.canonicalize().ok()?;
    (real.starts_with(folder) && real.is_file()).then_some(real)
}

/// The file's bytes, when it has at most `room` of them.
fn read_within(path: &Path, room: usize) -> Option<Vec<u8>> {
    let cap = u64::try_from(room).unwrap_or(u64::MAX).saturating_add(1);
    let mut bytes = Vec::new();
    fs::File::open(path)
        .and_then(|f| f.take(cap).read_to_end(&mut bytes))
        .ok()?;
    (bytes.len() <= room).then_some(bytes)
}

/// The name of a referenced file as its diagnostics show it: its label in
/// the folder the specification was given in (`api/schemas/pet.yaml`).
fn as_given(folder: &Path, label: &str) -> String {
    if folder.as_os_str().is_empty() {
        label.to_owned()
    } else {
        format!("{}/{label}", folder.to_string_lossy().trim_end_matches('/'))
    }
}
