//! Conversions between the wire types ([`super`]) and the core's types.
//!
//! Core → wire: `From<&core>` for every response body (the server) and for
//! the request bodies a client sends. Wire → core: `From<wire>` for every
//! response body (the app's HTTP client renders core types), and
//! [`NewAnalysis::into_core`] / [`AnalysisUpdate::into_core`] /
//! [`PrescanRequest::settings`] for the request bodies a server receives,
//! which need what the server stores.
//!
//! # What the wire does not carry
//!
//! A core value rebuilt from a response lacks what the API never returns:
//! a scan's credentials ([`crate::ScanAuth`] is empty: see
//! [`Scan::auth_configured`] for which are stored), and a run's engine
//! bookkeeping ([`crate::analysis::Run::outcome`] is `Succeeds`, `since_ms`
//! the latest of its times, `next_step_ms` and `paused_remaining_ms` are
//! `None`).

use crate::analysis::{
    self as core, ActivityEntry, Actor, Field, FieldError, ScanDuration, SpecId, SpecScan,
    IN_PROGRESS_WARNING_API_NAME,
};
use crate::prescan::{PrescanSettings, MAX_IN_FLIGHT, MAX_REQUESTS_PER_SECOND, MAX_TIMEOUT_MS};

use super::dto::*;
use super::problem::ProblemField;

fn veracode_status(status: core::AnalysisStatus, warning: bool) -> Option<String> {
    if status == core::AnalysisStatus::InProgress && warning {
        Some(IN_PROGRESS_WARNING_API_NAME.to_string())
    } else {
        status.api_name().map(str::to_string)
    }
}

// ---- Schedule ----

impl From<core::Schedule> for Schedule {
    fn from(s: core::Schedule) -> Self {
        Schedule {
            start: match s.start {
                core::Start::Now => Start::Now {},
                core::Start::At(ms) => Start::At { date_time: ms },
                core::Start::Unscheduled => Start::Unscheduled {},
            },
            duration: match s.duration {
                ScanDuration::Hours(value) => Duration {
                    unit: DurationUnit::Hours,
                    value,
                },
                ScanDuration::Days(value) => Duration {
                    unit: DurationUnit::Days,
                    value,
                },
            },
        }
    }
}

impl From<Schedule> for core::Schedule {
    fn from(s: Schedule) -> Self {
        core::Schedule {
            start: match s.start {
                Start::Now {} => core::Start::Now,
                Start::At { date_time } => core::Start::At(date_time),
                Start::Unscheduled {} => core::Start::Unscheduled,
            },
            duration: match s.duration.unit {
                DurationUnit::Hours => ScanDuration::Hours(s.duration.value),
                DurationUnit::Days => ScanDuration::Days(s.duration.value),
            },
        }
    }
}

// ---- Credentials ----

impl From<&crate::ScanAuth> for ScanAuth {
    fn from(a: &crate::ScanAuth) -> Self {
        let pairs = |v: &[(String, String)]| {
            v.iter()
                .map(|(name, value)| NameValue {
                    name: name.clone(),
                    value: value.clone(),
                })
                .collect()
        };
        ScanAuth {
            bearer: a.bearer.clone(),
            basic: a.basic.as_ref().map(|(u, p)| BasicAuth {
                user_name: u.clone(),
                password: p.clone(),
            }),
            api_keys: a.api_keys.clone(),
            custom_headers: pairs(&a.custom_headers),
            custom_cookies: pairs(&a.custom_cookies),
            client_certificate: a.client_certificate.as_ref().map(|c| ClientCertificate {
                file_name: c.file_name.clone(),
                pkcs12_base64: c.pkcs12_base64.clone(),
                passphrase: c.passphrase.clone(),
            }),
            oauth: a.oauth.as_ref().map(|o| OAuthConfig {
                grant: grant_type(&o.grant),
                token_url: o.token_url.clone(),
                discovery_url: o.discovery_url.clone(),
                client_id: o.client_id.clone(),
                client_secret: o.client_secret.clone(),
                scopes: o.scopes.clone(),
                user_name: match &o.grant {
                    crate::oauth::OAuthGrant::Password { user_name, .. } => Some(user_name.clone()),
                    crate::oauth::OAuthGrant::ClientCredentials => None,
                },
                password: match &o.grant {
                    crate::oauth::OAuthGrant::Password { password, .. } => Some(password.clone()),
                    crate::oauth::OAuthGrant::ClientCredentials => None,
                },
                client_auth: match o.client_auth {
                    crate::oauth::ClientAuth::Auto => OAuthClientAuth::Auto,
                    crate::oauth::ClientAuth::Basic => OAuthClientAuth::Basic,
                    crate::oauth::ClientAuth::Body => OAuthClientAuth::Body,
                },
            }),
        }
    }
}

fn grant_type(g: &crate::oauth::OAuthGrant) -> OAuthGrantType {
    match g {
        crate::oauth::OAuthGrant::ClientCredentials => OAuthGrantType::ClientCredentials,
        crate::oauth::OAuthGrant::Password { .. } => OAuthGrantType::Password,
    }
}

impl From<OAuthConfig> for crate::oauth::OAuth {
    fn from(o: OAuthConfig) -> Self {
        crate::oauth::OAuth {
            grant: match o.grant {
                OAuthGrantType::ClientCredentials => crate::oauth::OAuthGrant::ClientCredentials,
                OAuthGrantType::Password => crate::oauth::OAuthGrant::Password {
                    user_name: o.user_name.unwrap_or_default(),
                    password: o.password.unwrap_or_default(),
                },
            },
            token_url: o.token_url,
            discovery_url: o.discovery_url.filter(|d| !d.trim().is_empty()),
            client_id: o.client_id,
            client_secret: o.client_secret,
            scopes: o.scopes,
            client_auth: match o.client_auth {
                OAuthClientAuth::Auto => crate::oauth::ClientAuth::Auto,
                OAuthClientAuth::Basic => crate::oauth::ClientAuth::Basic,
                OAuthClientAuth::Body => crate::oauth::ClientAuth::Body,
            },
        }
    }
}

impl From<ScanAuth> for crate::ScanAuth {
    fn from(a: ScanAuth) -> Self {
        let pairs = |v: Vec<NameValue>| v.into_iter().map(|nv| (nv.name, nv.value)).collect();
        crate::ScanAuth {
            custom_headers: pairs(a.custom_headers),
            custom_cookies: pairs(a.custom_cookies),
            basic: a.basic.map(|b| (b.user_name, b.password)),
            bearer: a.bearer,
            api_keys: a.api_keys,
            oauth: a.oauth.map(Into::into),
            client_certificate: a.client_certificate.map(|c| crate::ClientCertificate {
                file_name: c.file_name,
                pkcs12_base64: c.pkcs12_base64,
                passphrase: c.passphrase,
            }),
        }
    }
}

impl From<&crate::ScanAuth> for AuthConfigured {
    fn from(a: &crate::ScanAuth) -> Self {
        let names = |v: &[(String, String)]| v.iter().map(|(n, _)| n.clone()).collect();
        AuthConfigured {
            bearer: a.bearer.is_some(),
            basic: a.basic.is_some(),
            api_keys: a.api_keys.keys().cloned().collect(),
            custom_headers: names(&a.custom_headers),
            custom_cookies: names(&a.custom_cookies),
            oauth: a.oauth.as_ref().map(|o| OAuthConfigured {
                grant: grant_type(&o.grant),
                token_url: o.token_url.clone(),
                discovery_url: o.discovery_url.clone(),
            }),
            client_certificate: a.client_certificate.as_ref().map(|c| c.file_name.clone()),
        }
    }
}

// ---- Scans and analyses (responses) ----

impl From<&core::ScanTarget> for Target {
    fn from(t: &core::ScanTarget) -> Self {
        match t {
            core::ScanTarget::ApiSpecification(s) => Target::ApiSpecification {
                spec_id: s.spec_id,
                server: s.server.clone(),
                file_name: s.file_name.clone(),
                format: s.format,
                endpoint_count: s.endpoint_count,
                servers: s.servers.clone(),
            },
            core::ScanTarget::Url(url) => Target::Url { url: url.clone() },
        }
    }
}

impl From<Target> for core::ScanTarget {
    fn from(t: Target) -> Self {
        match t {
            Target::ApiSpecification {
                spec_id,
                server,
                file_name,
                format,
                endpoint_count,
                servers,
            } => core::ScanTarget::ApiSpecification(SpecScan {
                spec_id,
                file_name,
                format,
                endpoint_count,
                servers,
                server,
            }),
            Target::Url { url } => core::ScanTarget::Url(url),
        }
    }
}

impl From<&core::Scan> for Scan {
    fn from(s: &core::Scan) -> Self {
        Scan {
            scan_id: s.id,
            status: s.status,
            status_label: s.status.label().to_string(),
            veracode_status: s.status.api_name().map(str::to_string),
            target: (&s.target).into(),
            auth_configured: (&s.auth).into(),
            scope: s.scope.rules.iter().map(ScopeRule::from).collect(),
            values: s.values.entries.clone(),
        }
    }
}

impl From<crate::scope::ScopeDecision> for ScopeDecision {
    fn from(d: crate::scope::ScopeDecision) -> Self {
        match d {
            crate::scope::ScopeDecision::Include => ScopeDecision::Include,
            crate::scope::ScopeDecision::Exclude => ScopeDecision::Exclude,
            crate::scope::ScopeDecision::Ignore => ScopeDecision::Ignore,
        }
    }
}

impl From<ScopeDecision> for crate::scope::ScopeDecision {
    fn from(d: ScopeDecision) -> Self {
        match d {
            ScopeDecision::Include => crate::scope::ScopeDecision::Include,
            ScopeDecision::Exclude => crate::scope::ScopeDecision::Exclude,
            ScopeDecision::Ignore => crate::scope::ScopeDecision::Ignore,
        }
    }
}

impl From<&crate::scope::ScopeRule> for ScopeRule {
    fn from(r: &crate::scope::ScopeRule) -> Self {
        use crate::scope::Selector;
        ScopeRule {
            select: match &r.selector {
                Selector::Endpoint { method, path } => ScopeSelector::Endpoint {
                    method: method.as_str().to_owned(),
                    path: path.clone(),
                },
                Selector::Tag(tag) => ScopeSelector::Tag { tag: tag.clone() },
                Selector::Method(method) => ScopeSelector::Method {
                    method: method.as_str().to_owned(),
                },
                Selector::Path(pattern) => ScopeSelector::Path {
                    pattern: pattern.clone(),
                },
            },
            decision: r.decision.into(),
        }
    }
}

/// The core's scope of wire rules: a method prescan does not know is an
/// error naming the rule (1-based).
pub fn scope_into_core(rules: Vec<ScopeRule>) -> Result<crate::scope::Scope, String> {
    use crate::plan::Method;
    use crate::scope::Selector;
    // Methods are written in upper case, as the contract's enum says.
    let method = |index: usize, name: &str| {
        match Method::parse(name) {
        Some(m) if m.as_str() == name => Ok(m),
        Some(m) => Err(format!(
            "Scope rule {}: write the method `{}` in upper case ({}).",
            index + 1,
            name,
            m.as_str()
        )),
        None => Err(format!(
            "Scope rule {}: `{}` is not a method prescan sends (GET, PUT, POST, DELETE, OPTIONS, HEAD, PATCH or TRACE).",
            index + 1,
            crate::diagnostic::shorten(name, 40)
        )),
    }
    };
    let mut out = Vec::with_capacity(rules.len().min(crate::scope::MAX_SCOPE_RULES + 1));
    for (index, r) in rules.into_iter().enumerate() {
        let selector = match r.select {
            ScopeSelector::Endpoint { method: m, path } => Selector::Endpoint {
                method: method(index, &m)?,
                path,
            },
            ScopeSelector::Tag { tag } => Selector::Tag(tag),
            ScopeSelector::Method { method: m } => Selector::Method(method(index, &m)?),
            ScopeSelector::Path { pattern } => Selector::Path(pattern),
        };
        out.push(crate::scope::ScopeRule {
            selector,
            decision: r.decision.into(),
        });
    }
    Ok(crate::scope::Scope { rules: out })
}

/// The credentials are not on the wire: the scan's [`crate::ScanAuth`] is
/// empty.
impl From<Scan> for core::Scan {
    fn from(s: Scan) -> Self {
        core::Scan {
            id: s.scan_id,
            target: s.target.into(),
            status: s.status,
            auth: crate::ScanAuth::default(),
            // A server writes only methods it read with the same parser.
            scope: scope_into_core(s.scope).unwrap_or_default(),
            values: crate::values::ValueOverrides { entries: s.values },
        }
    }
}

impl From<&core::Run> for Run {
    fn from(r: &core::Run) -> Self {
        Run {
            number: r.number,
            prescan: r.prescan,
            submitted_on: r.submitted_ms,
            started_on: r.started_ms,
            deadline: r.deadline_ms,
            ended_on: r.ended_ms,
            final_status: r.final_status,
            final_status_label: r.final_status.map(|s| s.label().to_string()),
            prescan_result: r.prescan_result.map(Into::into),
        }
    }
}

/// The engine's bookkeeping is not on the wire: see the module
/// documentation.
impl From<Run> for core::Run {
    fn from(r: Run) -> Self {
        core::Run {
            number: r.number,
            prescan: r.prescan,
            submitted_ms: r.submitted_on,
            started_ms: r.started_on,
            deadline_ms: r.deadline,
            ended_ms: r.ended_on,
            final_status: r.final_status,
            outcome: core::Outcome::Succeeds,
            since_ms: r.ended_on.or(r.started_on).unwrap_or(r.submitted_on),
            next_step_ms: None,
            paused_remaining_ms: None,
            prescan_result: r.prescan_result.map(Into::into),
        }
    }
}

fn available_actions(a: &core::Analysis) -> Vec<core::AnalysisAction> {
    core::AnalysisAction::ALL
        .into_iter()
        .filter(|x| a.check(*x).is_ok())
        .collect()
}

impl From<&core::Analysis> for Analysis {
    fn from(a: &core::Analysis) -> Self {
        Analysis {
            analysis_id: a.id,
            name: a.name.clone(),
            status: a.status,
            status_label: a.status.label().to_string(),
            veracode_status: a.api_status().map(str::to_string),
            has_verification_failures: a.has_verification_failures,
            scans: a.scans.iter().map(Scan::from).collect(),
            schedule: a.schedule.into(),
            prescan: a.prescan,
            created_on: a.created_ms,
            created_by: a.created_by.clone(),
            last_modified_on: a.modified_ms,
            last_modified_by: a.modified_by.clone(),
            runs: a.runs.iter().map(Run::from).collect(),
            actions: available_actions(a),
            demo: a.demo,
            visibility: a.visibility.clone(),
            schedule_owner: a.schedule_owner().to_owned(),
            withheld: Vec::new(),
        }
    }
}

/// Credentials and the engine's bookkeeping are not on the wire: see the
/// module documentation. `actions` is dropped (the core derives it from the
/// status).
impl From<Analysis> for core::Analysis {
    fn from(a: Analysis) -> Self {
        core::Analysis {
            id: a.analysis_id,
            name: a.name,
            status: a.status,
            has_verification_failures: a.has_verification_failures,
            scans: a.scans.into_iter().map(core::Scan::from).collect(),
            schedule: a.schedule.into(),
            prescan: a.prescan,
            created_ms: a.created_on,
            modified_ms: a.last_modified_on,
            modified_by: a.last_modified_by,
            runs: a.runs.into_iter().map(core::Run::from).collect(),
            demo: a.demo,
            schedule_set_by: (a.schedule_owner != a.created_by && !a.schedule_owner.is_empty())
                .then_some(a.schedule_owner),
            created_by: a.created_by,
            visibility: a.visibility,
        }
    }
}

impl From<&core::AnalysisSummary> for AnalysisSummary {
    fn from(s: &core::AnalysisSummary) -> Self {
        AnalysisSummary {
            analysis_id: s.id,
            name: s.name.clone(),
            status: s.status,
            status_label: s.status.label().to_string(),
            veracode_status: veracode_status(s.status, s.has_verification_failures),
            has_verification_failures: s.has_verification_failures,
            number_of_scans: s.scan_count,
            latest_occurrence_date_time: s.last_run_ms,
            next_occurrence_date_time: s.next_run_ms,
            last_modified_on: s.modified_ms,
            actions: s.actions.clone(),
            demo: s.demo,
        }
    }
}

impl From<AnalysisSummary> for core::AnalysisSummary {
    fn from(s: AnalysisSummary) -> Self {
        core::AnalysisSummary {
            id: s.analysis_id,
            name: s.name,
            status: s.status,
            has_verification_failures: s.has_verification_failures,
            scan_count: s.number_of_scans,
            last_run_ms: s.latest_occurrence_date_time,
            next_run_ms: s.next_occurrence_date_time,
            modified_ms: s.last_modified_on,
            demo: s.demo,
            actions: s.actions,
        }
    }
}

impl From<&core::Page<core::AnalysisSummary>> for AnalysisList {
    fn from(p: &core::Page<core::AnalysisSummary>) -> Self {
        AnalysisList {
            analyses: p.items.iter().map(AnalysisSummary::from).collect(),
            page: PageInfo {
                number: p.number,
                size: p.size,
                total_elements: p.total_elements,
                total_pages: p.total_pages,
            },
        }
    }
}

impl From<AnalysisList> for core::Page<core::AnalysisSummary> {
    fn from(l: AnalysisList) -> Self {
        core::Page {
            items: l
                .analyses
                .into_iter()
                .map(core::AnalysisSummary::from)
                .collect(),
            number: l.page.number,
            size: l.page.size,
            total_elements: l.page.total_elements,
            total_pages: l.page.total_pages,
        }
    }
}

// ---- Activity log ----

impl From<&ActivityEntry> for Audit {
    fn from(e: &ActivityEntry) -> Self {
        Audit {
            audited_on: e.at_ms,
            event_type: e.kind,
            details: e.details.clone(),
            old_value: e.old_value.clone(),
            new_value: e.new_value.clone(),
            user_display_name: match &e.actor {
                Actor::User(name) => Some(name.clone()),
                Actor::System => None,
            },
            system: e.actor == Actor::System,
        }
    }
}

/// `system` (or no `user_display_name`) is [`Actor::System`].
impl From<Audit> for ActivityEntry {
    fn from(a: Audit) -> Self {
        ActivityEntry {
            at_ms: a.audited_on,
            actor: match a.user_display_name {
                Some(name) if !a.system => Actor::User(name),
                _ => Actor::System,
            },
            kind: a.event_type,
            details: a.details,
            old_value: a.old_value,
            new_value: a.new_value,
        }
    }
}

impl AuditList {
    /// The wire list of a core activity log.
    pub fn of(entries: &[ActivityEntry]) -> Self {
        AuditList {
            audits: entries.iter().map(Audit::from).collect(),
        }
    }
}

// ---- Specifications ----

impl From<&core::SpecRecord> for SpecRecord {
    fn from(r: &core::SpecRecord) -> Self {
        SpecRecord {
            spec_id: r.id,
            file_name: r.file_name.clone(),
            title: r.title.clone(),
            spec_type: r.format,
            endpoint_count: r.endpoint_count,
            servers: r
                .servers
                .iter()
                .map(|url| SpecServer { url: url.clone() })
                .collect(),
            size: r.size,
            files: r
                .file_list()
                .into_iter()
                .map(|f| SpecFile {
                    name: f.name,
                    size: f.size,
                })
                .collect(),
            uploaded_date_time: r.uploaded_ms,
            uploaded_by_user: r.uploaded_by.clone(),
            visibility: r.visibility.clone(),
        }
    }
}

impl From<SpecRecord> for core::SpecRecord {
    fn from(r: SpecRecord) -> Self {
        core::SpecRecord {
            id: r.spec_id,
            file_name: r.file_name,
            title: r.title,
            format: r.spec_type,
            endpoint_count: r.endpoint_count,
            servers: r.servers.into_iter().map(|s| s.url).collect(),
            size: r.size,
            // One file is a specification of one file (no list kept).
            files: if r.files.len() > 1 {
                r.files
                    .into_iter()
                    .map(|f| core::SpecFileInfo {
                        name: f.name,
                        size: f.size,
                    })
                    .collect()
            } else {
                Vec::new()
            },
            uploaded_ms: r.uploaded_date_time,
            uploaded_by: r.uploaded_by_user,
            visibility: r.visibility,
        }
    }
}

// ---- Request bodies: client side (core → wire) ----

impl From<&core::ScanTarget> for TargetDraft {
    fn from(t: &core::ScanTarget) -> Self {
        match t {
            core::ScanTarget::ApiSpecification(s) => TargetDraft::ApiSpecification {
                spec_id: s.spec_id,
                server: s.server.clone(),
            },
            core::ScanTarget::Url(url) => TargetDraft::Url { url: url.clone() },
        }
    }
}

/// Empty credentials are sent as no `auth`: for an existing scan (`id`
/// set) the server then keeps the stored credentials (a client never has
/// them: see the module documentation); a new scan gets none. To clear the
/// credentials of an existing scan, set `auth: Some(ScanAuth::default())`
/// on the result.
impl From<&core::ScanDraft> for ScanDraft {
    fn from(d: &core::ScanDraft) -> Self {
        ScanDraft {
            scan_id: d.id,
            target: (&d.target).into(),
            auth: if d.auth.is_empty() {
                None
            } else {
                Some((&d.auth).into())
            },
            // A kept scan sends them always (an empty list clears them); a
            // new one only when it has some.
            scope: (d.id.is_some() || !d.scope.is_empty())
                .then(|| d.scope.rules.iter().map(ScopeRule::from).collect()),
            values: (d.id.is_some() || !d.values.is_empty()).then(|| d.values.entries.clone()),
        }
    }
}

impl From<&core::NewAnalysis> for NewAnalysis {
    fn from(n: &core::NewAnalysis) -> Self {
        NewAnalysis {
            name: n.name.clone(),
            scans: n.scans.iter().map(ScanDraft::from).collect(),
            schedule: n.schedule.into(),
            prescan: n.prescan,
            permission_certified: n.permission_certified,
            visibility: (n.visibility != Default::default()).then(|| n.visibility.clone()),
        }
    }
}

impl From<&core::AnalysisUpdate> for AnalysisUpdate {
    fn from(u: &core::AnalysisUpdate) -> Self {
        AnalysisUpdate {
            name: u.name.clone(),
            scans: u
                .scans
                .as_ref()
                .map(|v| v.iter().map(ScanDraft::from).collect()),
            schedule: u.schedule.map(Schedule::from),
            prescan: u.prescan,
            visibility: u.visibility.clone(),
        }
    }
}

// ---- Request bodies: server side (wire → core) ----

fn scans_error(message: String) -> Vec<FieldError> {
    vec![FieldError {
        field: Field::Scans,
        message,
    }]
}

/// The core drafts of wire drafts: specification details from `specs`,
/// credentials of kept scans without `auth` from `current`. At most one
/// error (the first), for [`Field::Scans`].
fn drafts_into_core(
    drafts: Vec<ScanDraft>,
    current: Option<&core::Analysis>,
    specs: &impl Fn(SpecId) -> Option<core::SpecRecord>,
) -> Result<Vec<core::ScanDraft>, Vec<FieldError>> {
    let mut out = Vec::with_capacity(drafts.len());
    for d in drafts {
        let target = match d.target {
            TargetDraft::Url { url } => core::ScanTarget::Url(url),
            TargetDraft::ApiSpecification { spec_id, server } => match specs(spec_id) {
                Some(record) => core::ScanTarget::specification(&record, server),
                None => {
                    return Err(scans_error(format!(
                        "No specification has the id {spec_id}. Upload it first (POST /api/v1/specifications) and use the spec_id it returns."
                    )))
                }
            },
        };
        let auth_entered = d.auth.is_some();
        let auth = match d.auth {
            Some(auth) => crate::ScanAuth::from(auth),
            None => match d
                .scan_id
                .and_then(|id| current?.scans.iter().find(|s| s.id == id))
            {
                // Credentials are given for one origin: a target that
                // moves to another needs them again (or `auth: {}`).
                Some(old) if !old.auth.is_empty() && old.target.origin() != target.origin() => {
                    let name = |o: Option<crate::prescan::Origin>| {
                        o.map_or_else(|| "no absolute server".to_owned(), |o| o.to_string())
                    };
                    return Err(scans_error(format!(
                        "Scan {} moves from {} to {}, and its credentials were given for {}: they are never sent to another origin. Send its auth again for the new target, or \"auth\": {{}} to scan it without credentials.",
                        old.id,
                        name(old.target.origin()),
                        name(target.origin()),
                        name(old.target.origin()),
                    )));
                }
                Some(old) => old.auth.clone(),
                None => crate::ScanAuth::default(),
            },
        };
        if let Some(message) = auth
            .custom_headers
            .iter()
            .find_map(|(name, _)| crate::validate_header_name(name).err())
        {
            return Err(scans_error(message));
        }
        if let Some(o) = &auth.oauth {
            // A token URL may be left out: the prescan takes the
            // specification's (or fails then, saying so).
            let mut checked = o.clone();
            if checked.token_url.trim().is_empty() && checked.discovery_url.is_none() {
                checked.token_url = "https://token-url.invalid/".into();
            }
            if let Err(errors) = checked.validate() {
                return Err(scans_error(format!("OAuth 2.0: {}", errors.join(" "))));
            }
        }
        if let Some(Err(message)) = auth.client_certificate.as_ref().map(|c| c.check()) {
            return Err(scans_error(message));
        }
        let kept = d
            .scan_id
            .and_then(|id| current?.scans.iter().find(|s| s.id == id));
        let scope = match d.scope {
            Some(rules) => scope_into_core(rules).map_err(scans_error)?,
            None => kept.map(|s| s.scope.clone()).unwrap_or_default(),
        };
        let values = match d.values {
            Some(entries) => crate::values::ValueOverrides { entries },
            None => kept.map(|s| s.values.clone()).unwrap_or_default(),
        };
        out.push(core::ScanDraft {
            id: d.scan_id,
            target,
            auth,
            auth_entered,
            scope,
            values,
        });
    }
    Ok(out)
}

impl NewAnalysis {
    /// The core's form of this request. `specs` finds a stored
    /// specification (the server's store); an unknown `spec_id` or a custom
    /// header name Veracode refuses is a [`Field::Scans`] error. Everything
    /// else (name, schedule, certification) is checked by the store.
    pub fn into_core(
        self,
        specs: impl Fn(SpecId) -> Option<core::SpecRecord>,
    ) -> Result<core::NewAnalysis, Vec<FieldError>> {
        Ok(core::NewAnalysis {
            name: self.name,
            scans: drafts_into_core(self.scans, None, &specs)?,
            schedule: self.schedule.into(),
            prescan: self.prescan,
            permission_certified: self.permission_certified,
            visibility: self.visibility.unwrap_or_default(),
        })
    }
}

impl AnalysisUpdate {
    /// The core's form of this request on `current` (the stored analysis):
    /// a draft with `scan_id` and no `auth` keeps the credentials that scan
    /// has in `current`. `specs` as in [`NewAnalysis::into_core`].
    pub fn into_core(
        self,
        current: &core::Analysis,
        specs: impl Fn(SpecId) -> Option<core::SpecRecord>,
    ) -> Result<core::AnalysisUpdate, Vec<FieldError>> {
        let scans = match self.scans {
            Some(drafts) => Some(drafts_into_core(drafts, Some(current), &specs)?),
            None => None,
        };
        Ok(core::AnalysisUpdate {
            name: self.name,
            scans,
            schedule: self.schedule.map(core::Schedule::from),
            prescan: self.prescan,
            visibility: self.visibility,
        })
    }
}

impl PrescanRequest {
    /// The core's settings for a prescan of `base_url`, absent fields at
    /// their defaults. A number out of range is an error naming the field
    /// (`requests_per_second` above 0 and at most 100, `max_in_flight` 1 to
    /// 16, `timeout_ms` 1 to 120000): the API rejects it rather than
    /// clamping it.
    pub fn settings(&self, base_url: Option<String>) -> Result<PrescanSettings, Vec<ProblemField>> {
        let mut errors = Vec::new();
        let mut settings = PrescanSettings {
            base_url,
            ..PrescanSettings::default()
        };
        if let Some(b) = self.allow_unsafe_methods {
            settings.allow_unsafe_methods = b;
        }
        if let Some(r) = self.requests_per_second {
            if r.is_finite() && r > 0.0 && r <= MAX_REQUESTS_PER_SECOND {
                settings.requests_per_second = Some(r);
            } else {
                errors.push(ProblemField::new(
                    "requests_per_second",
                    format!("Enter a number of requests per second above 0 and at most {MAX_REQUESTS_PER_SECOND}."),
                ));
            }
        }
        if let Some(n) = self.max_in_flight {
            if (1..=MAX_IN_FLIGHT).contains(&(n as usize)) {
                settings.max_in_flight = n as usize;
            } else {
                errors.push(ProblemField::new(
                    "max_in_flight",
                    format!("Enter a number of requests in flight from 1 to {MAX_IN_FLIGHT}."),
                ));
            }
        }
        if let Some(t) = self.timeout_ms {
            if (1..=MAX_TIMEOUT_MS).contains(&t) {
                settings.timeout_ms = t;
            } else {
                errors.push(ProblemField::new(
                    "timeout_ms",
                    format!("Enter a timeout from 1 to {MAX_TIMEOUT_MS} ms."),
                ));
            }
        }
        if let Some(ua) = &self.user_agent {
            match crate::prescan::validate_user_agent(ua) {
                Ok(()) => settings.user_agent = Some(ua.clone()),
                Err(e) => errors.push(ProblemField::new("user_agent", e)),
            }
        }
        if errors.is_empty() {
            Ok(settings)
        } else {
            Err(errors)
        }
    }
}
