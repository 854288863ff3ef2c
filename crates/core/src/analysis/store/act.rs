//! Acting on the state: run actions (submit, stop, pause, resume), delete,
//! specifications, prescans and the demo data, each change logged and notified.

use super::*;

/// What a user can do to a running analysis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RunAction {
    /// Stop and save results.
    StopSave,
    /// Stop and delete results.
    StopDelete,
    /// Pause.
    Pause,
    /// Resume.
    Resume,
    /// Start a new run at once with the same configuration (after a run
    /// ended).
    RunAgain,
}

impl From<RunAction> for AnalysisAction {
    fn from(a: RunAction) -> Self {
        match a {
            RunAction::StopSave => AnalysisAction::StopSave,
            RunAction::StopDelete => AnalysisAction::StopDelete,
            RunAction::Pause => AnalysisAction::Pause,
            RunAction::Resume => AnalysisAction::Resume,
            RunAction::RunAgain => AnalysisAction::RunAgain,
        }
    }
}

impl StoreState {
    /// Deletes an analysis that never ran, with its activity log.
    pub fn delete(&mut self, id: AnalysisId) -> Result<(), StoreError> {
        let i = self.index(id)?;
        self.analyses[i]
            .check(AnalysisAction::Delete)
            .map_err(StoreError::Refused)?;
        self.analyses.remove(i);
        self.activity.remove(&id);
        self.prune_prescans();
        Ok(())
    }

    /// Keeps `report` as the last prescan of `scan` (replacing the one
    /// before), without credentials: the report holds the requests as
    /// sent, and a saved prescan must not keep a credential after it is
    /// changed or removed. Both the credentials it was sent with
    /// (`sent_with`) and the scan's own are masked
    /// ([`crate::prescan::redact_report`]).
    pub fn save_prescan(
        &mut self,
        scan: ScanId,
        report: crate::prescan::PrescanReport,
        sent_with: &crate::ScanAuth,
    ) {
        let mut report = crate::prescan::redact_report(&report, sent_with);
        if let Some(own) = self
            .analyses
            .iter()
            .flat_map(|a| a.scans.iter())
            .find(|s| s.id == scan)
            .map(|s| &s.auth)
            .filter(|own| *own != sent_with)
        {
            report = crate::prescan::redact_report(&report, own);
        }
        self.prescans.insert(scan, report);
    }

    /// Drops the prescans of scans no longer in the store.
    pub(super) fn prune_prescans(&mut self) {
        if self.prescans.is_empty() {
            return;
        }
        let scans: HashSet<ScanId> = self
            .analyses
            .iter()
            .flat_map(|a| a.scans.iter().map(|s| s.id))
            .collect();
        self.prescans.retain(|id, _| scans.contains(id));
    }

    /// Stops, pauses or resumes a run as `user`. The status changes at
    /// once; the engine carries it on (saving, deleting, settling scans).
    pub fn act(
        &mut self,
        id: AnalysisId,
        action: RunAction,
        user: &str,
        now_ms: i64,
    ) -> Result<(&Analysis, Vec<Event>), StoreError> {
        let i = self.index(id)?;
        self.analyses[i]
            .check(action.into())
            .map_err(StoreError::Refused)?;
        let StoreState {
            analyses, activity, ..
        } = self;
        let a = &mut analyses[i];
        let log = activity.entry(id).or_default();
        let actor = Actor::user(user);
        log.push(ActivityEntry::new(
            now_ms,
            actor.clone(),
            ActivityKind::ActionRequested,
            format!("{} requested.", AnalysisAction::from(action).label()),
        ));
        let mut events = Vec::new();
        if action == RunAction::RunAgain {
            // The new run's notifications go to whoever started it.
            a.modified_by = user.to_string();
            a.modified_ms = now_ms;
            a.schedule_set_by = (a.created_by != user).then(|| user.to_string());
        }
        let mut c = Ctx {
            a,
            log,
            events: &mut events,
            at: now_ms,
            actor,
        };
        match action {
            RunAction::RunAgain => c.submit(),
            RunAction::StopSave => {
                c.status(AnalysisStatus::StoppedSavingResults);
                c.scans(|_, s| scan_active(s).then_some(ScanStatus::StoppingSavingResults));
            }
            RunAction::StopDelete => {
                c.status(AnalysisStatus::StoppedDeletingResults);
                c.scans(|_, s| scan_active(s).then_some(ScanStatus::StoppingDeletingResults));
            }
            RunAction::Pause => {
                let remaining =
                    c.a.runs
                        .last()
                        .and_then(|r| r.next_step_ms)
                        .map(|t| t.saturating_sub(now_ms).max(0));
                c.status(AnalysisStatus::Paused);
                c.scans(|_, s| {
                    matches!(s, ScanStatus::InProgress | ScanStatus::Resuming)
                        .then_some(ScanStatus::Pausing)
                });
                if let Some(run) = c.a.runs.last_mut() {
                    run.paused_remaining_ms = remaining;
                }
            }
            RunAction::Resume => {
                c.status(AnalysisStatus::InProgress);
                c.scans(|_, s| {
                    matches!(s, ScanStatus::Pausing | ScanStatus::Paused)
                        .then_some(ScanStatus::Resuming)
                });
                if let Some(run) = c.a.runs.last_mut() {
                    run.next_step_ms = run
                        .paused_remaining_ms
                        .take()
                        .map(|r| now_ms.saturating_add(r));
                }
            }
        }
        Ok((&self.analyses[i], events))
    }

    /// Records a prescan run from outside the engine (the browser sent it)
    /// as `user`: one activity-log entry saying how it ended (`summary`
    /// adds what it found, e.g. "12 requests, 12 responses.") and the
    /// notification it sends ("The prescan of a Dynamic Analysis
    /// succeeded." or "failed."), which is returned for the app to show.
    pub fn record_prescan(
        &mut self,
        id: AnalysisId,
        succeeded: bool,
        summary: &str,
        user: &str,
        now_ms: i64,
    ) -> Result<Notification, StoreError> {
        let i = self.index(id)?;
        let a = &self.analyses[i];
        let kind = if succeeded {
            NotificationKind::PrescanSucceeded
        } else {
            NotificationKind::PrescanFailed
        };
        let notification = Notification {
            kind,
            analysis_id: id,
            analysis_name: a.name.clone(),
            at_ms: now_ms,
            recipients: Recipients::ScheduleOwner(a.schedule_owner().to_owned()),
            detail: summary.trim().to_owned(),
            simulated: false,
        };
        // A real prescan decides the prescan of the run under way: the
        // simulated engine follows it and never announces the opposite.
        if let Some(run) = self.analyses[i].runs.last_mut().filter(|r| r.is_active()) {
            run.prescan_result = Some(crate::analysis::model::PrescanResult {
                succeeded,
                origin: crate::analysis::model::PrescanOrigin::Real,
                at_ms: now_ms,
            });
        }
        let outcome = if succeeded { "succeeded" } else { "failed" };
        let mut details = format!("Prescan {outcome}.");
        if !summary.trim().is_empty() {
            details.push(' ');
            details.push_str(summary.trim());
        }
        details.push_str(&format!(" Notification sent: {}", kind.subject()));
        self.activity
            .entry(id)
            .or_default()
            .push(ActivityEntry::new(
                now_ms,
                Actor::user(user),
                ActivityKind::NotificationSent,
                details,
            ));
        Ok(notification)
    }

    /// Stores a specification (all its files) as `user`; an identical one
    /// (the same files: names and bytes, in the same order) already stored
    /// is reused.
    pub fn put_specification(&mut self, upload: SpecUpload, user: &str, now_ms: i64) -> SpecRecord {
        if let Some(s) = self.specifications.iter().find(|s| same_files(s, &upload)) {
            return s.record.clone();
        }
        let record = SpecRecord {
            id: SpecId(self.take_id()),
            size: upload.total_bytes(),
            files: upload.file_infos(),
            file_name: upload.file_name,
            title: upload.title,
            format: upload.format,
            endpoint_count: upload.endpoint_count,
            servers: upload.servers,
            uploaded_ms: now_ms,
            uploaded_by: user.to_string(),
            visibility: Default::default(),
        };
        let others = upload
            .others
            .into_iter()
            .map(|f| StoredFile {
                name: f.name,
                bytes: f.bytes,
            })
            .collect();
        self.specifications.push(StoredSpec {
            record: record.clone(),
            bytes: upload.bytes,
            others,
            demo: false,
        });
        record
    }

    /// Removes every demo analysis (and demo specification no other
    /// analysis uses); returns how many analyses were removed.
    pub fn remove_demo(&mut self) -> usize {
        let before = self.analyses.len();
        let demo: Vec<AnalysisId> = self
            .analyses
            .iter()
            .filter(|a| a.demo)
            .map(|a| a.id)
            .collect();
        self.analyses.retain(|a| !a.demo);
        for id in demo {
            self.activity.remove(&id);
        }
        self.prune_prescans();
        let used: HashSet<SpecId> = self
            .analyses
            .iter()
            .flat_map(|a| &a.scans)
            .filter_map(|s| match &s.target {
                ScanTarget::ApiSpecification(x) => Some(x.spec_id),
                ScanTarget::Url(_) => None,
            })
            .collect();
        self.specifications
            .retain(|s| !s.demo || used.contains(&s.record.id));
        before - self.analyses.len()
    }
}

/// Applies the analysis's schedule: start now submits a run, a start time
/// schedules one, no start saves it for later.
pub(super) fn apply_schedule(c: &mut Ctx<'_>) {
    c.finish();
    match c.a.schedule.start {
        Start::Now => c.submit(),
        Start::At(_) => {
            c.status(AnalysisStatus::Scheduled);
            c.scans(|_, _| Some(ScanStatus::Scheduled));
        }
        Start::Unscheduled => {
            c.status(AnalysisStatus::SavedForLater);
            c.scans(|_, _| Some(ScanStatus::NotRun));
        }
    }
}

/// Whether `stored` holds the files of `upload`: the same names and bytes,
/// in the same order.
fn same_files(stored: &StoredSpec, upload: &SpecUpload) -> bool {
    stored.record.file_name == upload.file_name
        && stored.bytes == upload.bytes
        && stored.others.len() == upload.others.len()
        && stored
            .others
            .iter()
            .zip(&upload.others)
            .all(|(s, u)| s.name == u.name && s.bytes == u.bytes)
}
