//! Adding an export to a store that already holds analyses (a shared
//! server's import): nothing there is replaced or deleted; the file's
//! analyses and specifications get new ids, each analysis keeps its
//! activity log and gains an entry saying it was imported.

use super::*;
use crate::analysis::model::SpecFileInfo;

/// What [`StoreState::add_import`] added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportAdded {
    /// The new ids of the analyses added, in the file's order.
    pub analyses: Vec<AnalysisId>,
    /// The new ids of the specifications added.
    pub specifications: Vec<SpecId>,
    /// Demo analyses of the file, left out (demo data stays in browsers).
    pub demo_left_out: usize,
}

/// Why [`StoreState::add_import`] refused; the store is unchanged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddImportError {
    /// Analyses of the file have names the store already has (ignoring
    /// case), in the file's order.
    NamesTaken(Vec<String>),
}

impl fmt::Display for AddImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AddImportError::NamesTaken(names) => {
                let one = names.len() == 1;
                let listed = names
                    .iter()
                    .map(|n| format!("\"{n}\""))
                    .collect::<Vec<_>>()
                    .join(", ");
                write!(
                    f,
                    "The file's {} {listed} {} already on the server. Analysis names are unique, so nothing was imported; rename {} in the file (or on the server) and import it again.",
                    if one { "analysis" } else { "analyses" },
                    if one { "is" } else { "are" },
                    if one { "it" } else { "them" },
                )
            }
        }
    }
}

impl std::error::Error for AddImportError {}

impl StoreState {
    /// The analyses and specifications of `import` (read with
    /// [`StoreState::from_json`]), without its demo data (and the demo
    /// specifications only demo analyses use), ready to be added: what
    /// [`StoreState::add_import`] would add, for budgets checked before.
    pub fn without_demo(mut import: StoreState) -> (StoreState, usize) {
        let before = import.analyses.len();
        import.analyses.retain(|a| !a.demo);
        let left_out = before - import.analyses.len();
        let used: HashSet<SpecId> = import
            .analyses
            .iter()
            .flat_map(|a| a.scans.iter())
            .filter_map(|s| match &s.target {
                ScanTarget::ApiSpecification(x) => Some(x.spec_id),
                ScanTarget::Url(_) => None,
            })
            .collect();
        import
            .specifications
            .retain(|s| !s.demo || used.contains(&s.record.id));
        let kept: HashSet<AnalysisId> = import.analyses.iter().map(|a| a.id).collect();
        import.activity.retain(|id, _| kept.contains(id));
        import.prescans.clear();
        (import, left_out)
    }

    /// Adds `import` (read with [`StoreState::from_json`]) to this store:
    /// its analyses and specifications under new ids (the scans pointed at
    /// the new specification ids), each analysis with its activity log
    /// and an entry saying `by` imported it (from `file_name`, if given).
    /// Demo analyses are left out, and saved prescans (they may carry
    /// credentials). Nothing of this store is replaced: a name it already
    /// has refuses the whole import, leaving it unchanged. Specification
    /// records list the sizes of the bytes they hold (not the file's word
    /// for them).
    pub fn add_import(
        &mut self,
        import: StoreState,
        by: &str,
        file_name: Option<&str>,
        now_ms: i64,
    ) -> Result<ImportAdded, AddImportError> {
        let (mut import, demo_left_out) = Self::without_demo(import);
        let taken: Vec<String> = import
            .analyses
            .iter()
            .filter(|a| self.find_by_name(&a.name).is_some())
            .map(|a| a.name.clone())
            .collect();
        if !taken.is_empty() {
            return Err(AddImportError::NamesTaken(taken));
        }
        let mut spec_ids = BTreeMap::new();
        let mut specifications = Vec::with_capacity(import.specifications.len());
        for mut spec in std::mem::take(&mut import.specifications) {
            let id = SpecId(self.take_id());
            spec_ids.insert(spec.record.id, id);
            spec.record.id = id;
            spec.demo = false;
            spec.record.size =
                spec.bytes.len() + spec.others.iter().map(|f| f.bytes.len()).sum::<usize>();
            spec.record.files = if spec.others.is_empty() {
                Vec::new()
            } else {
                std::iter::once(SpecFileInfo {
                    name: spec.record.file_name.clone(),
                    size: spec.bytes.len(),
                })
                .chain(spec.others.iter().map(|f| SpecFileInfo {
                    name: f.name.clone(),
                    size: f.bytes.len(),
                }))
                .collect()
            };
            specifications.push(id);
            self.specifications.push(spec);
        }
        let from = match file_name.map(str::trim).filter(|n| !n.is_empty()) {
            Some(n) => format!(" from {n}"),
            None => String::new(),
        };
        let mut analyses = Vec::with_capacity(import.analyses.len());
        for mut a in std::mem::take(&mut import.analyses) {
            let old = a.id;
            a.id = AnalysisId(self.take_id());
            for scan in &mut a.scans {
                scan.id = ScanId(self.take_id());
                if let ScanTarget::ApiSpecification(x) = &mut scan.target {
                    if let Some(new) = spec_ids.get(&x.spec_id) {
                        x.spec_id = *new;
                    }
                }
            }
            let mut log = import.activity.remove(&old).unwrap_or_default();
            log.push(ActivityEntry::new(
                now_ms,
                Actor::user(by),
                ActivityKind::Created,
                format!("Imported by {by}{from}, where it was analysis {old}; the entries before this one come from the file."),
            ));
            self.activity.insert(a.id, log);
            analyses.push(a.id);
            self.analyses.push(a);
        }
        self.analyses.sort_by_key(|a| a.id);
        Ok(ImportAdded {
            analyses,
            specifications,
            demo_left_out,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The demo data as a user's own analyses, exported and read back.
    fn file() -> StoreState {
        let mut s = StoreState::new();
        crate::analysis::demo::add_demo(&mut s, "Ann", 1_000_000);
        s.analyses.iter_mut().for_each(|a| a.demo = false);
        s.specifications.iter_mut().for_each(|x| x.demo = false);
        StoreState::from_json(&s.export_json(false)).unwrap()
    }

    fn spec_ids(s: &StoreState) -> Vec<SpecId> {
        s.analyses
            .iter()
            .flat_map(|a| a.scans.iter())
            .filter_map(|x| match &x.target {
                ScanTarget::ApiSpecification(t) => Some(t.spec_id),
                ScanTarget::Url(_) => None,
            })
            .collect()
    }

    #[test]
    fn an_import_is_added_under_new_ids_with_its_logs() {
        let file = file();
        assert!(!file.analyses.is_empty() && !spec_ids(&file).is_empty());
        let mut server = StoreState::new();
        server.next_id = 10_000;
        let added = server
            .add_import(file.clone(), "Lead", Some("x.json"), 2_000_000)
            .unwrap();
        assert_eq!(added.analyses.len(), file.analyses.len());
        assert_eq!(added.specifications.len(), file.specifications.len());
        assert!(added.analyses.iter().all(|id| id.0 >= 10_000));
        for id in spec_ids(&server) {
            assert!(id.0 >= 10_000);
            assert!(server.specification(id).is_ok());
        }
        for (a, before) in server.analyses.iter().zip(&file.analyses) {
            assert_eq!(a.name, before.name);
            let log = server.activity(a.id).unwrap();
            let old = file.activity.get(&before.id).map_or(0, Vec::len);
            assert_eq!(log.len(), old + 1);
            let last = log.last().unwrap();
            assert_eq!(last.actor, Actor::user("Lead"));
            assert!(last.details.starts_with("Imported by Lead from x.json"));
        }
        // The same names again: refused, nothing changed.
        let before = server.clone();
        let err = server
            .add_import(file.clone(), "Lead", None, 3_000_000)
            .unwrap_err();
        let AddImportError::NamesTaken(names) = &err;
        assert_eq!(names.len(), file.analyses.len());
        assert!(err.to_string().contains("nothing was imported"), "{err}");
        assert_eq!(server, before);
        // Renamed, they are added beside the first ones.
        let mut again = file.clone();
        again
            .analyses
            .iter_mut()
            .for_each(|a| a.name = format!("{} (copy)", a.name));
        server.add_import(again, "Lead", None, 3_000_000).unwrap();
        assert_eq!(server.analyses.len(), 2 * file.analyses.len());
        assert_eq!(server.specifications.len(), 2 * file.specifications.len());
    }

    #[test]
    fn taken_names_are_said_in_a_sentence() {
        assert_eq!(
            AddImportError::NamesTaken(vec!["A".into()]).to_string(),
            "The file's analysis \"A\" is already on the server. Analysis names are unique, so nothing was imported; rename it in the file (or on the server) and import it again."
        );
        assert!(AddImportError::NamesTaken(vec!["A".into(), "B".into()])
            .to_string()
            .starts_with("The file's analyses \"A\", \"B\" are already on the server. "));
    }

    #[test]
    fn demo_data_and_prescans_are_left_out() {
        let mut s = StoreState::new();
        crate::analysis::demo::add_demo(&mut s, "Ann", 1_000_000);
        let n = s.analyses.len();
        let mut server = StoreState::new();
        let added = server.add_import(s, "Lead", None, 2_000_000).unwrap();
        assert_eq!(added.demo_left_out, n);
        assert!(server.analyses.is_empty() && server.specifications.is_empty());
    }
}
