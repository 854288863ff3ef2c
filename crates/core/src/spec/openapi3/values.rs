//! The user's values ([`crate::values`]) in place of generated ones: the
//! entry that applies to a parameter or a top-level body property (the
//! most specific), its text read by the schema's type, checked against
//! the schema (a Warning when it does not fit; the value is still sent),
//! and, at the end, a Warning for each entry that applied nowhere.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::Reader;
use crate::diagnostic::{shorten, Diagnostic, Severity};
use crate::plan::{Location, Method, Shared};
use crate::refs::join;
use crate::text::thousands;
use crate::values::{typed_value, ValueEntry, ValueLocation, ValueOverrides};

/// How many unused entries get a Warning of their own.
const NAMED_UNUSED: usize = 10;

/// How many of an endpoint's user values it lists.
pub(super) const MAX_LISTED: usize = 32;

/// The user's values in a conversion: the entries, which were used, and
/// the operation being read.
#[derive(Default)]
pub(super) struct UserValues<'r> {
    entries: &'r [ValueEntry],
    /// The entries' indexes by name in lower case, so that finding the
    /// entries of a parameter costs what its name has, not every entry.
    by_name: HashMap<String, Vec<usize>>,
    /// Whether some entry could apply to a body property.
    for_body: bool,
    used: Vec<bool>,
    method: &'static str,
    path: String,
    /// The values used in the current operation, as `location:name`.
    pub(super) listed: Vec<String>,
}

impl<'r> UserValues<'r> {
    /// The entries of `values` when they pass
    /// [`ValueOverrides::validate`]; else none, with an Error that says why.
    pub(super) fn new(values: &'r ValueOverrides, diags: &mut Vec<Diagnostic>) -> Self {
        let entries: &'r [ValueEntry] = match values.validate() {
            Ok(()) => &values.entries,
            Err(e) => {
                diags.push(Diagnostic::new(
                    Severity::Error,
                    "",
                    format!("The values given could not be used, so none is: {e}"),
                ));
                &[]
            }
        };
        let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, e) in entries.iter().enumerate() {
            by_name
                .entry(e.name.to_ascii_lowercase())
                .or_default()
                .push(i);
        }
        UserValues {
            entries,
            by_name,
            for_body: entries
                .iter()
                .any(|e| e.location.is_none_or(|l| l == ValueLocation::Body)),
            used: vec![false; entries.len()],
            ..UserValues::default()
        }
    }

    /// Starts an operation.
    pub(super) fn start(&mut self, method: Method, path: &str) {
        self.method = method.as_str();
        self.path = path.to_owned();
        self.listed.clear();
    }

    /// The most specific entry for `name` at `location` in the current
    /// operation, marked used.
    fn choose(&mut self, location: ValueLocation, name: &str) -> Option<&'r ValueEntry> {
        if self.entries.is_empty() {
            return None;
        }
        let entries = self.entries;
        let (i, entry) = self
            .by_name
            .get(&name.to_ascii_lowercase())?
            .iter()
            .map(|&i| (i, &entries[i]))
            .filter(|(_, e)| e.applies_to(self.method, &self.path, location, name))
            .max_by_key(|(_, e)| e.rank())?;
        self.used[i] = true;
        Some(entry)
    }

    /// A Warning for each entry that applied to nothing (the first
    /// [`NAMED_UNUSED`]; then one for the rest).
    pub(super) fn report_unused(&self, diags: &mut Vec<Diagnostic>) {
        let unused: Vec<&ValueEntry> = self
            .entries
            .iter()
            .zip(&self.used)
            .filter(|(_, used)| !**used)
            .map(|(e, _)| e)
            .collect();
        for entry in unused.iter().take(NAMED_UNUSED) {
            diags.push(Diagnostic::new(
                Severity::Warning,
                "",
                format!(
                    "The value `{}` matches no parameter or body property{}, so it is not used. Check its {}.",
                    shorten(&entry.label(), 120),
                    where_phrase(entry),
                    match (entry.operation.is_some(), entry.location.is_some()) {
                        (true, true) => "name, operation and location",
                        (true, false) => "name and operation",
                        (false, true) => "name and location",
                        (false, false) => "name",
                    },
                ),
            ));
        }
        if unused.len() > NAMED_UNUSED {
            let more = (unused.len() - NAMED_UNUSED) as u64;
            diags.push(Diagnostic::new(
                Severity::Warning,
                "",
                format!(
                    "{} more {} no parameter or body property, so {} not used.",
                    thousands(more),
                    if more == 1 {
                        "value matches"
                    } else {
                        "values match"
                    },
                    if more == 1 { "it is" } else { "they are" },
                ),
            ));
        }
    }
}

/// ` of the operation GET /x`, or ` of any operation`.
fn where_phrase(entry: &ValueEntry) -> String {
    match &entry.operation {
        Some(op) => format!(" of the operation `{}`", shorten(op.trim(), 100)),
        None => " of any operation".to_owned(),
    }
}

/// The location of a parameter.
pub(super) fn value_location(location: Location) -> ValueLocation {
    match location {
        Location::Path => ValueLocation::Path,
        Location::Query => ValueLocation::Query,
        Location::Header => ValueLocation::Header,
        Location::Cookie => ValueLocation::Cookie,
    }
}

impl<'r, 'a> Reader<'r, 'a> {
    /// The user's value for the parameter `name` at `location` (whose
    /// schema is `schema`; `None`: a parameter with `content`, whose value
    /// is the text as typed), or `None` when no entry applies.
    pub(super) fn user_param(
        &mut self,
        location: Location,
        name: &str,
        schema: Option<&'a Value>,
        pointer: &str,
    ) -> Option<Shared> {
        let location = value_location(location);
        let entry = self.values.choose(location, name)?;
        let value = match schema {
            Some(schema) => typed_value(&entry.value, &self.sampler.types_of(schema)),
            None => Value::String(entry.value.clone()),
        };
        self.use_value(entry, location, name, value, schema, pointer)
            .map(Shared::new)
    }

    /// `value` (a body's value at `pointer`, with schema `schema`) with the
    /// user's values in place of its top-level properties, when it is an
    /// object: a property the value holds or the schema declares.
    pub(super) fn user_body(
        &mut self,
        value: Shared,
        schema: Option<&'a Value>,
        pointer: &str,
    ) -> Shared {
        if !self.values.for_body || !value.is_object() {
            return value;
        }
        let properties: Option<&'a Map<String, Value>> = schema
            .and_then(|s| self.resolver.deref(s).ok())
            .and_then(|(s, _)| s.get("properties"))
            .and_then(Value::as_object);
        let mut names: Vec<String> = value
            .as_object()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        for name in properties.into_iter().flat_map(|p| p.keys()) {
            if !names.contains(name) {
                names.push(name.clone());
            }
        }
        let mut out: Option<Value> = None;
        for name in names {
            let Some(entry) = self.values.choose(ValueLocation::Body, &name) else {
                continue;
            };
            let schema = properties.and_then(|p| p.get(&name));
            let types = schema.map(|s| self.sampler.types_of(s)).unwrap_or_default();
            let typed = typed_value(&entry.value, &types);
            let at = join(&join(&join(pointer, "schema"), "properties"), &name);
            let Some(typed) = self.use_value(entry, ValueLocation::Body, &name, typed, schema, &at)
            else {
                continue;
            };
            let map = out.get_or_insert_with(|| (*value).clone());
            if let Some(map) = map.as_object_mut() {
                map.insert(name, typed);
            }
        }
        out.map_or(value, Shared::new)
    }

    /// Charges `value` to the requests' budget, checks it against
    /// `schema` (a Warning when it does not fit) and lists it on the
    /// endpoint; `None` when the requests are full.
    fn use_value(
        &mut self,
        entry: &ValueEntry,
        location: ValueLocation,
        name: &str,
        value: Value,
        schema: Option<&'a Value>,
        pointer: &str,
    ) -> Option<Value> {
        if !self
            .sampler
            .charge_har(entry.value.len() as u64, pointer, self.diags)
        {
            return None;
        }
        if let Some(why) = schema.and_then(|s| self.sampler.user_misfit(s, &value)) {
            self.diags.push(Diagnostic::new(
                Severity::Warning,
                pointer,
                format!(
                    "Your value {} for the {} `{}` of {} {} does not fit its schema ({why}); it is sent as you gave it.",
                    crate::sample::show(&value),
                    match location {
                        ValueLocation::Body => "body property".to_owned(),
                        other => format!("{} parameter", other.as_str()),
                    },
                    shorten(name, 80),
                    self.values.method,
                    shorten(&self.values.path, 120),
                ),
            ));
        }
        if self.values.listed.len() < MAX_LISTED {
            self.values
                .listed
                .push(format!("{}:{}", location.as_str(), shorten(name, 120)));
        }
        Some(value)
    }
}
