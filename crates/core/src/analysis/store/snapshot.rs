//! The state as JSON: saves without the specifications' bytes, full
//! exports (with or without credentials), and reading both back, checked.

use super::*;

/// A state read by [`StoreState::from_saved_json`].
#[derive(Debug, Clone, PartialEq)]
pub struct SavedState {
    /// The state. The specifications listed in `bytes_apart` have empty
    /// `bytes` until the caller puts back the bytes it kept apart.
    pub state: StoreState,
    /// The specifications whose bytes were saved apart (every one in a
    /// state written by [`StoreState::to_json_without_bytes`]; none in an
    /// older save, which holds them inline).
    pub bytes_apart: Vec<SpecId>,
}

/// A specification in [`StoreState::to_json_without_bytes`]: its record,
/// and a marker in place of the bytes.
#[derive(Serialize)]
pub(super) struct SpecWithoutBytes<'a> {
    record: &'a SpecRecord,
    bytes_apart: bool,
    demo: bool,
}

/// [`StoreState`] as [`StoreState::to_json_without_bytes`] writes it.
#[derive(Serialize)]
pub(super) struct StateWithoutBytes<'a> {
    version: u32,
    next_id: u64,
    analyses: &'a [Analysis],
    activity: &'a BTreeMap<AnalysisId, Vec<ActivityEntry>>,
    specifications: Vec<SpecWithoutBytes<'a>>,
    prescans: &'a BTreeMap<ScanId, crate::prescan::PrescanReport>,
}

/// What [`StoreState::from_json`] and [`StoreState::from_saved_json`]
/// look at in each specification to tell whether its bytes are there.
#[derive(Deserialize)]
pub(super) struct SpecProbe {
    record: IdProbe,
    #[serde(default)]
    bytes: Option<serde::de::IgnoredAny>,
    #[serde(default)]
    bytes_apart: bool,
}

#[derive(Deserialize)]
pub(super) struct IdProbe {
    id: u64,
}

/// The error of a specification without its bytes.
pub(super) fn no_bytes(id: u64) -> ImportError {
    ImportError::Corrupt {
        message: format!(
            "the specification {id} has no bytes (its original file is missing from the file)"
        ),
    }
}

impl StoreState {
    /// The whole store as compact JSON, for the app's own persistence
    /// (credentials included: it stays in the browser).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The store as compact JSON without the specifications' bytes, for
    /// the app's own persistence when it keeps the bytes apart (they are
    /// large and never change, while the rest changes every second a run
    /// moves): each specification has `"bytes_apart": true` in place of
    /// `bytes`. Read it back with [`StoreState::from_saved_json`].
    pub fn to_json_without_bytes(&self) -> String {
        // Every field named, so that a new field cannot be forgotten here.
        let StoreState {
            version,
            next_id,
            analyses,
            activity,
            specifications,
            prescans,
        } = self;
        let slim = StateWithoutBytes {
            version: *version,
            next_id: *next_id,
            analyses,
            activity,
            specifications: specifications
                .iter()
                .map(|s| SpecWithoutBytes {
                    record: &s.record,
                    bytes_apart: true,
                    demo: s.demo,
                })
                .collect(),
            prescans,
        };
        serde_json::to_string(&slim).unwrap_or_default()
    }

    /// Reads what the app saved: a state written by
    /// [`StoreState::to_json_without_bytes`] (the specifications listed in
    /// [`SavedState::bytes_apart`], their bytes empty until put back) or by
    /// [`StoreState::to_json`] (older saves, bytes inline). Refuses as
    /// [`StoreState::from_json`] does; a specification with neither bytes
    /// nor the marker is an error.
    pub fn from_saved_json(text: &str) -> Result<SavedState, ImportError> {
        let state = Self::parse(text)?;
        let mut bytes_apart = Vec::new();
        for spec in Self::probe_specifications(text)? {
            match (spec.bytes.is_some(), spec.bytes_apart) {
                (true, _) => {}
                (false, true) => bytes_apart.push(SpecId(spec.record.id)),
                (false, false) => return Err(no_bytes(spec.record.id)),
            }
        }
        Ok(SavedState { state, bytes_apart })
    }

    /// Whether each specification of `text` has its bytes or the marker
    /// saying they are kept apart (the rest is skipped).
    pub(super) fn probe_specifications(text: &str) -> Result<Vec<SpecProbe>, ImportError> {
        #[derive(Deserialize)]
        struct Probe {
            #[serde(default)]
            specifications: Vec<SpecProbe>,
        }
        serde_json::from_str::<Probe>(text)
            .map(|p| p.specifications)
            .map_err(|e| ImportError::Corrupt {
                message: e.to_string(),
            })
    }

    /// The whole store as pretty JSON for a user to download. Without
    /// `include_credentials`, every credential value is emptied (names
    /// kept) and the saved prescans are left out (their requests carry the
    /// credentials sent).
    pub fn export_json(&self, include_credentials: bool) -> String {
        if include_credentials {
            return serde_json::to_string_pretty(self).unwrap_or_default();
        }
        let mut copy = self.clone();
        copy.prescans.clear();
        for scan in copy.analyses.iter_mut().flat_map(|a| a.scans.iter_mut()) {
            let auth = &mut scan.auth;
            auth.custom_headers.iter_mut().for_each(|(_, v)| v.clear());
            auth.custom_cookies.iter_mut().for_each(|(_, v)| v.clear());
            auth.api_keys.values_mut().for_each(String::clear);
            if let Some((_, p)) = &mut auth.basic {
                p.clear();
            }
            if let Some(t) = &mut auth.bearer {
                t.clear();
            }
            // A client certificate's file holds its private key: only its
            // name stays.
            if let Some(c) = &mut auth.client_certificate {
                c.pkcs12_base64.clear();
                c.passphrase.clear();
            }
            if let Some(o) = &mut auth.oauth {
                o.client_secret.clear();
                if let crate::oauth::OAuthGrant::Password { password, .. } = &mut o.grant {
                    password.clear();
                }
            }
        }
        serde_json::to_string_pretty(&copy).unwrap_or_default()
    }

    /// Reads a store written by [`StoreState::to_json`] or
    /// [`StoreState::export_json`]. Never panics; refuses with an
    /// [`ImportError`] rather than dropping anything: not JSON, no
    /// `version`, another version, a missing or wrong field, or records
    /// that contradict each other (duplicate ids or names, a name of the
    /// wrong length, an analysis without scans, a scan of a specification
    /// not in the file, a log of an analysis not in the file). A `next_id`
    /// not above every id is raised.
    pub fn from_json(text: &str) -> Result<StoreState, ImportError> {
        let state = Self::parse(text)?;
        if let Some(spec) = Self::probe_specifications(text)?
            .iter()
            .find(|s| s.bytes.is_none())
        {
            return Err(no_bytes(spec.record.id));
        }
        Ok(state)
    }

    /// Reads a state, checking its version and invariants (specifications
    /// without bytes are read as empty).
    pub(super) fn parse(text: &str) -> Result<StoreState, ImportError> {
        Self::check_version(text)?;
        let mut state: StoreState =
            serde_json::from_str(text).map_err(|e| ImportError::Corrupt {
                message: e.to_string(),
            })?;
        state
            .check()
            .map_err(|message| ImportError::Corrupt { message })?;
        Ok(state)
    }

    /// Checks that `text` is a JSON object with this code's `version`.
    pub(super) fn check_version(text: &str) -> Result<(), ImportError> {
        #[derive(Deserialize)]
        struct Probe {
            version: Option<serde_json::Value>,
        }
        if !text.trim_start().starts_with('{') {
            return match serde_json::from_str::<serde::de::IgnoredAny>(text) {
                Ok(_) => Err(ImportError::NotAStore),
                Err(e) => Err(ImportError::NotJson {
                    message: e.to_string(),
                }),
            };
        }
        let probe: Probe = match serde_json::from_str(text) {
            Ok(p) => p,
            Err(e) if e.is_syntax() || e.is_eof() => {
                return Err(ImportError::NotJson {
                    message: e.to_string(),
                })
            }
            Err(_) => return Err(ImportError::NotAStore),
        };
        match probe.version {
            None => return Err(ImportError::NotAStore),
            Some(v) if v.as_u64() == Some(u64::from(STORE_VERSION)) => {}
            Some(v) => {
                return Err(ImportError::OtherVersion {
                    found: v.to_string(),
                    supported: STORE_VERSION,
                })
            }
        }
        Ok(())
    }

    /// Checks the invariants an import must hold; raises `next_id`.
    pub(super) fn check(&mut self) -> Result<(), String> {
        let mut ids = HashSet::new();
        let mut max = 0;
        let mut take = |id: u64, what: &str| {
            max = max.max(id);
            if ids.insert(id) {
                Ok(())
            } else {
                Err(format!("the id {id} is used twice ({what})"))
            }
        };
        for s in &self.specifications {
            take(s.record.id.0, "specification")?;
        }
        self.analyses.sort_by_key(|a| a.id);
        let mut names: Vec<&str> = Vec::with_capacity(self.analyses.len());
        for a in &self.analyses {
            take(a.id.0, "analysis")?;
            let n = a.name.chars().count();
            if !(NAME_MIN_CHARS..=NAME_MAX_CHARS).contains(&n) {
                return Err(format!(
                    "analysis {} has a name of {n} characters (6 to 256 allowed)",
                    a.id
                ));
            }
            names.push(&a.name);
            if a.scans.is_empty() {
                return Err(format!("analysis \"{}\" has no scans", a.name));
            }
            for s in &a.scans {
                take(s.id.0, "scan")?;
                if let ScanTarget::ApiSpecification(x) = &s.target {
                    if !self.specifications.iter().any(|f| f.record.id == x.spec_id) {
                        return Err(format!(
                            "analysis \"{}\" scans specification {} ({}), which is not in the file",
                            a.name, x.spec_id, x.file_name
                        ));
                    }
                }
            }
            if a.runs.iter().rev().skip(1).any(|r| r.is_active()) {
                return Err(format!(
                    "analysis \"{}\" has an unfinished run before its latest",
                    a.name
                ));
            }
        }
        names.sort_by(|a, b| cmp_folded(a, b));
        if let Some(w) = names.windows(2).find(|w| cmp_folded(w[0], w[1]).is_eq()) {
            return Err(format!("two analyses are called \"{}\"", w[1]));
        }
        if let Some(id) = self.activity.keys().find(|id| self.index(**id).is_err()) {
            return Err(format!(
                "the activity log names analysis {id}, which is not in the file"
            ));
        }
        self.prune_prescans();
        self.next_id = self.next_id.max(max.saturating_add(1));
        Ok(())
    }
}
