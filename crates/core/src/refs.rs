//! `$ref` resolution inside one document, and JSON pointer helpers.
//!
//! References are resolved lazily against the root value, with a cache.
//! Chains of references (`$ref` to a `$ref`) are followed up to
//! [`MAX_CHAIN`] steps, so a reference cycle ends in an error, never a hang.
//! References into other files have been bundled into the document before
//! (see `spec`'s `bundle`); those that could not be are reported, with the
//! reason the bundler recorded in [`Notes`], and stand for nothing.
//!
//! Depends on `diagnostic` only; never on `plan`, `sample`, `spec`, `har`
//! or anything above them.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

use serde_json::Value;

use crate::diagnostic::{Diagnostic, Severity};

/// How many `$ref`-to-`$ref` steps are followed before giving up.
pub(crate) const MAX_CHAIN: usize = 32;

/// Why references into other files could not be bundled, by reference text.
pub(crate) type Notes = HashMap<String, RefError>;

/// Why a reference could not be followed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RefError {
    /// The reference names another file, not given.
    External { file: String },
    /// The reference names a file given, but it could not be read.
    Unreadable { file: String },
    /// The reference names a file given, but nothing is at its pointer.
    MissingIn { file: String },
    /// Nothing in the document at that pointer.
    Missing,
    /// A chain of references that loops or is too long.
    Cycle,
    /// A part of another file not copied: the parts copied from other files
    /// reached [`crate::Limits::expanded_bytes`] (the limit, as cited).
    OverBudget { file: String, limit: String },
}

/// Resolves local references against one document.
pub(crate) struct Resolver<'a> {
    root: &'a Value,
    notes: Option<&'a Notes>,
    cache: RefCell<HashMap<String, Result<&'a Value, RefError>>>,
    reported: RefCell<HashSet<String>>,
}

impl<'a> Resolver<'a> {
    /// A resolver over `root`.
    pub(crate) fn new(root: &'a Value) -> Self {
        Resolver {
            root,
            notes: None,
            cache: RefCell::new(HashMap::new()),
            reported: RefCell::new(HashSet::new()),
        }
    }

    /// A resolver over `root` that explains failed external references
    /// with `notes`.
    pub(crate) fn with_notes(root: &'a Value, notes: &'a Notes) -> Self {
        let mut r = Resolver::new(root);
        r.notes = Some(notes);
        r
    }

    /// The document.
    pub(crate) fn root(&self) -> &'a Value {
        self.root
    }

    /// The value one reference points at (without following further references).
    pub(crate) fn lookup(&self, reference: &str) -> Result<&'a Value, RefError> {
        if let Some(hit) = self.cache.borrow().get(reference) {
            return hit.clone();
        }
        let found = self.lookup_uncached(reference);
        self.cache
            .borrow_mut()
            .insert(reference.to_owned(), found.clone());
        found
    }

    fn lookup_uncached(&self, reference: &str) -> Result<&'a Value, RefError> {
        let (file, fragment) = match reference.split_once('#') {
            Some((f, frag)) => (f, frag),
            None => (reference, ""),
        };
        if !file.is_empty() {
            if let Some(note) = self.notes.and_then(|n| n.get(reference)) {
                return Err(note.clone());
            }
            return Err(RefError::External {
                file: file.to_owned(),
            });
        }
        let pointer = percent_decode(fragment);
        if pointer.is_empty() {
            return Ok(self.root);
        }
        if !pointer.starts_with('/') {
            return Err(RefError::Missing);
        }
        self.root.pointer(&pointer).ok_or(RefError::Missing)
    }

    /// Follows `$ref`s from `value` until a value without one. Returns the
    /// value and the last reference followed, if any.
    pub(crate) fn deref(
        &self,
        value: &'a Value,
    ) -> Result<(&'a Value, Option<&'a str>), (RefError, &'a str)> {
        let mut current = value;
        let mut last = None;
        for _ in 0..MAX_CHAIN {
            match ref_of(current) {
                None => return Ok((current, last)),
                Some(r) => {
                    current = self.lookup(r).map_err(|e| (e, r))?;
                    last = Some(r);
                }
            }
        }
        Err((RefError::Cycle, last.unwrap_or("")))
    }

    /// Like [`Resolver::deref`], but reports a failure as a diagnostic (once
    /// per reference) and returns `None`.
    pub(crate) fn deref_or_report(
        &self,
        value: &'a Value,
        at: &str,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<&'a Value> {
        match self.deref(value) {
            Ok((v, _)) => Some(v),
            Err((err, reference)) => {
                self.report(&err, reference, at, diags);
                None
            }
        }
    }

    /// Adds the diagnostic for a reference that could not be followed, once
    /// per reference.
    pub(crate) fn report(
        &self,
        err: &RefError,
        reference: &str,
        at: &str,
        diags: &mut Vec<Diagnostic>,
    ) {
        if !self.reported.borrow_mut().insert(reference.to_owned()) {
            return;
        }
        let message = match err {
            RefError::External { file } if file.contains("://") => format!(
                "The reference `{reference}` points to a remote file (`{file}`), which prescan does not download, so this part is left empty. Download `{file}` and load it together with the specification (choose all its files at once), or bundle the specification into one file."
            ),
            RefError::External { file } => format!(
                "The reference `{reference}` points into the file `{file}`, which was not given, so this part is left empty. Load `{file}` together with this file (choose all the specification's files at once)."
            ),
            RefError::Unreadable { file } => format!(
                "The reference `{reference}` points into the file `{file}`, which could not be read (see its own diagnostic), so this part is left empty."
            ),
            RefError::MissingIn { file } => format!(
                "The reference `{reference}` points to nothing in the file `{file}`, so this part is left empty. Fix the reference or add what it names."
            ),
            RefError::Missing => format!(
                "The reference `{reference}` points to nothing in this file, so this part is left empty. Fix the reference or add what it names."
            ),
            RefError::OverBudget { file, limit } => format!(
                "The reference `{reference}` points into the file `{file}`, but the parts copied from other files reached their size ({limit}; references into other files repeat large parts of them), so this part is left empty."
            ),
            RefError::Cycle => format!(
                "The reference `{reference}` leads to a loop of references ({MAX_CHAIN} steps without reaching a value), so this part is left empty."
            ),
        };
        diags.push(Diagnostic::new(Severity::Warning, at, message));
    }
}

/// The `$ref` string of a value, if it is a reference object.
pub(crate) fn ref_of(value: &Value) -> Option<&str> {
    value.as_object()?.get("$ref")?.as_str()
}

/// Escapes one JSON pointer segment (`~` → `~0`, `/` → `~1`).
pub(crate) fn escape(segment: &str) -> String {
    if segment.contains(['~', '/']) {
        segment.replace('~', "~0").replace('/', "~1")
    } else {
        segment.to_owned()
    }
}

/// Appends a segment to a pointer.
pub(crate) fn join(pointer: &str, segment: &str) -> String {
    let mut out = String::with_capacity(pointer.len() + segment.len() + 1);
    out.push_str(pointer);
    out.push('/');
    out.push_str(&escape(segment));
    out
}

/// Decodes `%XX` escapes (a URI fragment) into text.
pub(crate) fn percent_decode(s: &str) -> String {
    if !s.contains('%') {
        return s.to_owned();
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes.get(i).copied().unwrap_or(0);
        if b == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok());
            if let Some(n) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(n);
                i += 3;
                continue;
            }
        }
        out.push(b);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn resolves_escaped_pointers() {
        let doc =
            json!({"paths": {"/a/{b}": {"x~y": 1}}, "c": {"$ref": "#/d"}, "d": {"$ref": "#/c"}});
        let r = Resolver::new(&doc);
        assert_eq!(r.lookup("#/paths/~1a~1%7Bb%7D/x~0y"), Ok(&json!(1)));
        assert_eq!(r.lookup("#/nothing"), Err(RefError::Missing));
        assert_eq!(
            r.lookup("other.yaml#/x"),
            Err(RefError::External {
                file: "other.yaml".into()
            })
        );
        assert!(matches!(r.deref(&doc["c"]), Err((RefError::Cycle, _))));
        let mut diags = Vec::new();
        let missing = json!({"$ref": "#/nothing"});
        assert!(r.deref_or_report(&missing, "/x", &mut diags).is_none());
        assert!(r.deref_or_report(&missing, "/y", &mut diags).is_none());
        assert_eq!(diags.len(), 1, "reported once");
        assert_eq!(escape("/pets/{id}"), "~1pets~1{id}");
    }
}
