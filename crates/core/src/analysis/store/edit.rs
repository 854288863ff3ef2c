//! Creating and editing analyses: each change checked field by field,
//! logged and notified.

use super::*;

/// Whether a URL scan's target is an absolute `http(s)` URL with a host: a
/// well-formed authority (a bracketed IPv6 address closed, a numeric port),
/// no white space or control characters.
pub(super) fn valid_url(url: &str) -> bool {
    let Some(rest) = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
    else {
        return false;
    };
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let port_ok = |p: &str| p.is_empty() || (p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()));
    if let Some(v6) = host_port.strip_prefix('[') {
        let Some((inside, after)) = v6.split_once(']') else {
            return false;
        };
        let hex = |c: char| c.is_ascii_hexdigit() || c == ':' || c == '.';
        !inside.is_empty()
            && inside.chars().all(hex)
            && (after.is_empty() || after.strip_prefix(':').is_some_and(port_ok))
    } else {
        let (host, port) = host_port.split_once(':').unwrap_or((host_port, ""));
        !host.is_empty() && !host.contains(['[', ']', '\\']) && port_ok(port)
    }
}

pub(super) fn invalid(field: Field, message: impl Into<String>) -> FieldError {
    FieldError {
        field,
        message: message.into(),
    }
}

pub(super) fn yes_no(b: bool) -> &'static str {
    if b {
        "On"
    } else {
        "Off"
    }
}

/// An origin for the activity log: `https://api.example.com`, or words
/// for a target without one.
pub(super) fn origin_text(o: Option<&crate::prescan::Origin>) -> String {
    o.map_or_else(|| "no absolute server".to_owned(), ToString::to_string)
}

/// How a scan target is shown in the activity log (never a secret: a
/// password in a URL is masked).
pub(super) fn target_text(t: &ScanTarget) -> String {
    match t {
        ScanTarget::Url(u) => crate::analysis::model::without_password(u),
        ScanTarget::ApiSpecification(s) => match &s.server {
            Some(server) => format!("{} on {server}", s.file_name),
            None => s.file_name.clone(),
        },
    }
}

impl StoreState {
    pub(super) fn check_name(
        &self,
        name: &str,
        except: Option<AnalysisId>,
        errors: &mut Vec<FieldError>,
    ) {
        let n = name.chars().count();
        if !(NAME_MIN_CHARS..=NAME_MAX_CHARS).contains(&n) {
            errors.push(invalid(
                Field::Name,
                format!("Enter a name of {NAME_MIN_CHARS} to {NAME_MAX_CHARS} characters (this one has {n})."),
            ));
        } else if let Some(c) = name.chars().find(|c| c.is_control()) {
            // A line break or a NUL in a name breaks lists, logs, e-mail
            // subjects and PostgreSQL's text columns alike.
            errors.push(invalid(
                Field::Name,
                format!(
                    "A name cannot contain control characters such as line breaks or tabs (this one has U+{:04X}).",
                    u32::from(c)
                ),
            ));
        } else if self
            .analyses
            .iter()
            .any(|a| Some(a.id) != except && same_name(&a.name, name))
        {
            errors.push(invalid(
                Field::Name,
                format!("An analysis called \"{name}\" already exists. Choose another name."),
            ));
        }
    }

    pub(super) fn check_scans(
        &self,
        drafts: &[ScanDraft],
        existing: &[Scan],
        errors: &mut Vec<FieldError>,
    ) {
        if drafts.is_empty() {
            errors.push(invalid(
                Field::Scans,
                "Add at least one API specification or URL to scan.",
            ));
            return;
        }
        if drafts.len() > MAX_SCANS {
            errors.push(invalid(
                Field::Scans,
                format!(
                    "An analysis can have at most {MAX_SCANS} scans; this one has {}.",
                    drafts.len()
                ),
            ));
            return;
        }
        let mut seen = HashSet::new();
        for d in drafts {
            if let Some(id) = d.id {
                if !seen.insert(id) || !existing.iter().any(|s| s.id == id) {
                    errors.push(invalid(
                        Field::Scans,
                        format!("Scan {id} is not a scan of this analysis."),
                    ));
                    return;
                }
            }
            match &d.target {
                ScanTarget::Url(url) if !valid_url(url) => {
                    errors.push(invalid(Field::Scans, format!("\"{url}\" is not a web address. Enter a URL that starts with https:// or http://.")));
                    return;
                }
                ScanTarget::ApiSpecification(s)
                    if !self.specifications.iter().any(|x| x.record.id == s.spec_id) =>
                {
                    errors.push(invalid(
                        Field::Scans,
                        format!(
                            "The specification {} is not stored. Upload it again.",
                            s.file_name
                        ),
                    ));
                    return;
                }
                _ => {}
            }
            let url_scan = matches!(d.target, ScanTarget::Url(_));
            if url_scan && !(d.scope.is_empty() && d.values.is_empty()) {
                errors.push(invalid(
                    Field::Scans,
                    format!(
                        "The scan of {} is a URL scan: endpoint scope and values apply to API specification scans only. Remove them.",
                        d.target.log_name()
                    ),
                ));
                return;
            }
            if let Err(e) = d.scope.validate() {
                let at = e
                    .rule
                    .map_or(String::new(), |i| format!(" (rule {})", i + 1));
                errors.push(invalid(
                    Field::Scans,
                    format!(
                        "The scope of scan {}{at}: {}",
                        d.target.log_name(),
                        e.message
                    ),
                ));
                return;
            }
            if let Err(e) = d.values.validate() {
                errors.push(invalid(
                    Field::Scans,
                    format!("The values of scan {}: {e}", d.target.log_name()),
                ));
                return;
            }
        }
    }

    /// Creates an analysis as `user` at `now_ms`. Checks: a unique name of
    /// 6 to 256 characters (trimmed), at least one scan (URLs well formed,
    /// specifications stored), the certification, a sane schedule. Then
    /// submits it (start now), schedules it, or saves it for later.
    pub fn create(
        &mut self,
        new: NewAnalysis,
        user: &str,
        now_ms: i64,
    ) -> Result<&Analysis, StoreError> {
        let name = new.name.trim().to_string();
        let mut errors = Vec::new();
        self.check_name(&name, None, &mut errors);
        self.check_scans(&new.scans, &[], &mut errors);
        if !new.permission_certified {
            errors.push(invalid(
                Field::Certification,
                "Certify that you have permission to scan these targets.",
            ));
        }
        if let Err(m) = new.schedule.validate(now_ms) {
            errors.push(invalid(Field::Schedule, m));
        }
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        let id = AnalysisId(self.take_id());
        let scans = new
            .scans
            .into_iter()
            .map(|d| Scan {
                id: ScanId(self.take_id()),
                target: d.target,
                status: ScanStatus::NotRun,
                auth: d.auth,
                scope: d.scope,
                values: d.values,
            })
            .collect();
        let mut a = Analysis {
            id,
            name,
            status: AnalysisStatus::SavedForLater,
            has_verification_failures: false,
            scans,
            schedule: new.schedule,
            prescan: new.prescan,
            created_ms: now_ms,
            created_by: user.to_string(),
            modified_ms: now_ms,
            modified_by: user.to_string(),
            runs: Vec::new(),
            demo: false,
            visibility: new.visibility,
            schedule_set_by: None,
        };
        let mut log = vec![ActivityEntry::new(
            now_ms,
            Actor::user(user),
            ActivityKind::Created,
            format!(
                "Analysis {} created with {} scan(s); {}; prescan {}; visible to {}.",
                a.name,
                a.scans.len(),
                a.schedule,
                yes_no(a.prescan).to_lowercase(),
                a.visibility
            ),
        )];
        // A scope or values given at creation are part of the record too.
        for scan in &a.scans {
            let name = target_text(&scan.target);
            if !scan.scope.is_empty() {
                log.push(ActivityEntry::change(
                    now_ms,
                    Actor::user(user),
                    ActivityKind::ConfigurationChanged,
                    format!("Scope of scan {name} set."),
                    crate::scope::Scope::default().summary(),
                    scan.scope.summary(),
                ));
            }
            if !scan.values.is_empty() {
                log.push(ActivityEntry::change(
                    now_ms,
                    Actor::user(user),
                    ActivityKind::ConfigurationChanged,
                    format!("Values of scan {name} set."),
                    crate::values::ValueOverrides::default().summary(),
                    scan.values.summary(),
                ));
            }
        }
        let mut events = Vec::new();
        let mut c = Ctx {
            a: &mut a,
            log: &mut log,
            events: &mut events,
            at: now_ms,
            actor: Actor::user(user),
        };
        apply_schedule(&mut c);
        self.activity.insert(id, log);
        // Ids only grow, so pushing keeps the list sorted.
        self.analyses.push(a);
        Ok(&self.analyses[self.analyses.len() - 1])
    }

    /// Changes an analysis (only in a status that allows Configure),
    /// writing every change to the activity log (credentials: that they
    /// changed, never their values).
    pub fn update(
        &mut self,
        id: AnalysisId,
        change: AnalysisUpdate,
        user: &str,
        now_ms: i64,
    ) -> Result<&Analysis, StoreError> {
        let i = self.index(id)?;
        self.analyses[i]
            .can_configure()
            .map_err(StoreError::Refused)?;
        let mut errors = Vec::new();
        let name = change.name.as_ref().map(|n| n.trim().to_string());
        if let Some(name) = &name {
            self.check_name(name, Some(id), &mut errors);
        }
        if let Some(scans) = &change.scans {
            self.check_scans(scans, &self.analyses[i].scans, &mut errors);
        }
        if let Some(s) = &change.schedule {
            if let Err(m) = s.validate(now_ms) {
                errors.push(invalid(Field::Schedule, m));
            }
        }
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        let new_ids: Vec<u64> = change
            .scans
            .iter()
            .flatten()
            .filter(|d| d.id.is_none())
            .map(|_| self.take_id())
            .collect();
        if let Some(drafts) = &change.scans {
            let kept: HashSet<ScanId> = drafts.iter().filter_map(|d| d.id).collect();
            for s in &self.analyses[i].scans {
                if !kept.contains(&s.id) {
                    self.prescans.remove(&s.id);
                }
            }
        }
        let actor = Actor::user(user);
        let StoreState {
            analyses, activity, ..
        } = self;
        let a = &mut analyses[i];
        let log = activity.entry(id).or_default();
        let entry = |details: String, old: String, new: String| {
            ActivityEntry::change(
                now_ms,
                actor.clone(),
                ActivityKind::ConfigurationChanged,
                details,
                old,
                new,
            )
        };
        if let Some(name) = name.filter(|n| *n != a.name) {
            log.push(entry("Name changed.".into(), a.name.clone(), name.clone()));
            a.name = name;
        }
        if let Some(v) = change.visibility.filter(|v| *v != a.visibility) {
            log.push(entry(
                "Visibility changed.".into(),
                a.visibility.to_string(),
                v.to_string(),
            ));
            a.visibility = v;
        }
        if let Some(p) = change.prescan.filter(|p| *p != a.prescan) {
            log.push(entry(
                "Prescan switched.".into(),
                yes_no(a.prescan).into(),
                yes_no(p).into(),
            ));
            a.prescan = p;
        }
        if let Some(drafts) = change.scans {
            let mut fresh = new_ids.into_iter();
            let mut scans = Vec::with_capacity(drafts.len());
            for d in drafts {
                let old = d.id.and_then(|id| a.scans.iter().find(|s| s.id == id));
                match old {
                    Some(old) => {
                        if old.target != d.target {
                            log.push(entry(
                                format!("Target of scan {} changed.", old.target.log_name()),
                                target_text(&old.target),
                                target_text(&d.target),
                            ));
                        }
                        let (from, to) = (old.target.origin(), d.target.origin());
                        let cleared = from != to && !d.auth_entered && !d.auth.is_empty();
                        let auth = if cleared {
                            // Credentials are given for one origin: never
                            // carried over to another.
                            log.push(ActivityEntry::new(
                                now_ms,
                                actor.clone(),
                                ActivityKind::ConfigurationChanged,
                                format!(
                                    "Credentials of scan {} cleared: they were entered for {} and its target is now {}. Enter them again to send them there.",
                                    target_text(&d.target),
                                    origin_text(from.as_ref()),
                                    origin_text(to.as_ref()),
                                ),
                            ));
                            crate::ScanAuth::default()
                        } else {
                            d.auth
                        };
                        if old.auth != auth && !cleared {
                            log.push(ActivityEntry::secret_changed(
                                now_ms,
                                actor.clone(),
                                &format!("Credentials of scan {}", target_text(&d.target)),
                            ));
                        }
                        if old.scope != d.scope {
                            log.push(entry(
                                format!("Scope of scan {} changed.", target_text(&d.target)),
                                old.scope.summary(),
                                d.scope.summary(),
                            ));
                        }
                        if old.values != d.values {
                            log.push(entry(
                                format!("Values of scan {} changed.", target_text(&d.target)),
                                old.values.summary(),
                                d.values.summary(),
                            ));
                        }
                        scans.push(Scan {
                            target: d.target,
                            auth,
                            scope: d.scope,
                            values: d.values,
                            ..old.clone()
                        });
                    }
                    None => {
                        log.push(ActivityEntry::new(
                            now_ms,
                            actor.clone(),
                            ActivityKind::ConfigurationChanged,
                            format!(
                                "{} scan added: {}.",
                                d.target.kind_label(),
                                target_text(&d.target)
                            ),
                        ));
                        if !d.auth.is_empty() {
                            log.push(ActivityEntry::secret_changed(
                                now_ms,
                                actor.clone(),
                                &format!("Credentials of scan {}", target_text(&d.target)),
                            ));
                        }
                        if !d.scope.is_empty() {
                            log.push(entry(
                                format!("Scope of scan {} set.", target_text(&d.target)),
                                crate::scope::Scope::default().summary(),
                                d.scope.summary(),
                            ));
                        }
                        if !d.values.is_empty() {
                            log.push(entry(
                                format!("Values of scan {} set.", target_text(&d.target)),
                                crate::values::ValueOverrides::default().summary(),
                                d.values.summary(),
                            ));
                        }
                        scans.push(Scan {
                            id: ScanId(fresh.next().unwrap_or_default()),
                            target: d.target,
                            status: ScanStatus::NotRun,
                            auth: d.auth,
                            scope: d.scope,
                            values: d.values,
                        });
                    }
                }
            }
            for old in a
                .scans
                .iter()
                .filter(|o| !scans.iter().any(|s| s.id == o.id))
            {
                log.push(ActivityEntry::new(
                    now_ms,
                    actor.clone(),
                    ActivityKind::ConfigurationChanged,
                    format!(
                        "{} scan removed: {}.",
                        old.target.kind_label(),
                        target_text(&old.target)
                    ),
                ));
            }
            a.scans = scans;
        }
        a.modified_ms = now_ms;
        a.modified_by = user.to_string();
        if let Some(s) = change.schedule {
            // The log records real changes only: the same schedule given
            // again applies it (a new run, say) without a "change".
            if s != a.schedule {
                log.push(ActivityEntry::change(
                    now_ms,
                    actor.clone(),
                    ActivityKind::ScheduleChanged,
                    "Schedule changed.",
                    a.schedule.to_string(),
                    s.to_string(),
                ));
            } else {
                log.push(ActivityEntry::new(
                    now_ms,
                    actor.clone(),
                    ActivityKind::ActionRequested,
                    format!("Schedule applied again ({s})."),
                ));
            }
            a.schedule = s;
            // The schedule owner moves to whoever set the schedule.
            a.schedule_set_by = (a.created_by != user).then(|| user.to_string());
            let mut events = Vec::new();
            let mut c = Ctx {
                a,
                log,
                events: &mut events,
                at: now_ms,
                actor,
            };
            apply_schedule(&mut c);
        }
        Ok(&self.analyses[i])
    }
}
