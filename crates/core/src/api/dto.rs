//! The request and response bodies of the JSON API (`api/openapi.yaml`).
//!
//! Request bodies (`NewAnalysis`, `AnalysisUpdate`, `ScanDraft`,
//! `TargetDraft`, `ScanAuth`, `BasicAuth`, `NameValue`, `Schedule`, `Start`,
//! `Duration`, `ActionRequest`, `PrescanRequest`) reject unknown fields
//! (`#[serde(deny_unknown_fields)]`; the contract says
//! `additionalProperties: false`). Response bodies ignore unknown fields, so
//! a client keeps working when a server adds one.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::codes::{code, code_list, option_code, option_time, time};
use crate::analysis::{
    ActivityKind, AnalysisAction, AnalysisId, AnalysisStatus, Notification, NotificationKind,
    PrescanOrigin, Recipients, RunAction, ScanId, ScanStatus, SpecId,
};
use crate::people::{Principal, Role, Visibility};
use crate::SpecFormat;

/// `GET /health`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    /// Always `ok`.
    pub status: String,
    /// The server's version.
    pub version: String,
    /// The version of the store format ([`crate::analysis::STORE_VERSION`]).
    pub store_version: u32,
}

/// `POST /import`: what the import added (nothing of the server's was
/// replaced or deleted).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportResult {
    /// The new ids of the analyses added, in the file's order.
    pub analysis_ids: Vec<AnalysisId>,
    /// The new ids of the specifications added.
    pub spec_ids: Vec<SpecId>,
    /// Demo analyses of the file, left out (demo data stays in browsers).
    pub demo_left_out: usize,
}

/// The `page` object of a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageInfo {
    /// The page number, from 0.
    pub number: usize,
    /// The page size.
    pub size: usize,
    /// How many rows match in all.
    pub total_elements: usize,
    /// How many pages there are.
    pub total_pages: usize,
}

/// `GET /analyses`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnalysisList {
    /// The rows of this page.
    pub analyses: Vec<AnalysisSummary>,
    /// Where this page is.
    pub page: PageInfo,
}

/// A row of the list of analyses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnalysisSummary {
    /// Its id.
    pub analysis_id: AnalysisId,
    /// Its name.
    pub name: String,
    /// Its status code (`IN_PROGRESS`).
    #[serde(with = "code")]
    pub status: AnalysisStatus,
    /// The status label ("In Progress").
    pub status_label: String,
    /// Veracode's REST name of the status, if it has one
    /// (`IN_PROGRESS_WITH_WARNING`).
    pub veracode_status: Option<String>,
    /// Whether In Progress shows the warning icon.
    pub has_verification_failures: bool,
    /// How many scans it has.
    pub number_of_scans: usize,
    /// When the latest run was submitted.
    #[serde(with = "option_time")]
    pub latest_occurrence_date_time: Option<i64>,
    /// When the next run starts.
    #[serde(with = "option_time")]
    pub next_occurrence_date_time: Option<i64>,
    /// When a user last changed it.
    #[serde(with = "time")]
    pub last_modified_on: i64,
    /// The actions available now (`CONFIGURE`, `STOP_SAVE`, …).
    #[serde(with = "code_list")]
    pub actions: Vec<AnalysisAction>,
    /// Whether it is demo data.
    pub demo: bool,
}

/// An analysis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Analysis {
    /// Its id.
    pub analysis_id: AnalysisId,
    /// Its name.
    pub name: String,
    /// Its status code.
    #[serde(with = "code")]
    pub status: AnalysisStatus,
    /// The status label.
    pub status_label: String,
    /// Veracode's REST name of the status, if it has one.
    pub veracode_status: Option<String>,
    /// Whether a scan of the current run failed verification.
    pub has_verification_failures: bool,
    /// Its scans.
    pub scans: Vec<Scan>,
    /// Its schedule.
    pub schedule: Schedule,
    /// Whether a run begins with a prescan.
    pub prescan: bool,
    /// When it was created.
    #[serde(with = "time")]
    pub created_on: i64,
    /// Who created it.
    pub created_by: String,
    /// When a user last changed it.
    #[serde(with = "time")]
    pub last_modified_on: i64,
    /// Who last changed it.
    pub last_modified_by: String,
    /// Its runs, oldest first.
    pub runs: Vec<Run>,
    /// The actions available now.
    #[serde(with = "code_list")]
    pub actions: Vec<AnalysisAction>,
    /// Whether it is demo data.
    pub demo: bool,
    /// Who may see it besides the security leads and its creator
    /// (Veracode's `visibility`; absent from servers before issue 16:
    /// security leads only).
    #[serde(default)]
    pub visibility: Visibility,
    /// Who receives its prescan and failure notifications: its creator, or
    /// whoever last set its schedule.
    #[serde(default)]
    pub schedule_owner: String,
    /// What the caller's roles do not let them see, left out of this body
    /// (`CONFIGURATION`: which credentials the scans have; `RESULTS`: the
    /// runs). Absent when nothing is.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub withheld: Vec<Withheld>,
}

/// A part of an analysis left out for a caller whose roles do not let them
/// see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Withheld {
    /// Which credentials the scans have (`auth_configured` is empty).
    Configuration,
    /// The runs (`runs` is empty).
    Results,
}

impl Analysis {
    /// This analysis as `who` may see it: without what their roles do not
    /// let them view (see [`Withheld`]).
    pub fn for_principal(mut self, who: &Principal) -> Analysis {
        use crate::people::Action;
        if who.may(Action::ViewConfiguration).is_err() {
            for s in &mut self.scans {
                s.auth_configured = AuthConfigured::default();
            }
            self.withheld.push(Withheld::Configuration);
        }
        if who.may(Action::ViewResults).is_err() {
            self.runs.clear();
            self.withheld.push(Withheld::Results);
        }
        self
    }
}

/// A scan of an analysis, as returned (credentials never are).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scan {
    /// Its id.
    pub scan_id: ScanId,
    /// Its status code.
    #[serde(with = "code")]
    pub status: ScanStatus,
    /// The status label.
    pub status_label: String,
    /// Veracode's REST name of the status, if it has one.
    pub veracode_status: Option<String>,
    /// What it scans.
    pub target: Target,
    /// Which credentials are stored (names only, never values).
    pub auth_configured: AuthConfigured,
    /// Which endpoints it sends requests to: rules, later ones winning;
    /// empty includes every endpoint (API specification scans only).
    #[serde(default)]
    pub scope: Vec<ScopeRule>,
    /// The values given for parameters and body properties, used in place
    /// of generated ones (API specification scans only).
    #[serde(default)]
    pub values: Vec<crate::values::ValueEntry>,
}

/// One rule of a scan's endpoint scope. An endpoint that no rule selects
/// is included; a rule for one endpoint wins over every group rule;
/// otherwise the last group rule that selects it wins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScopeRule {
    /// The endpoints it selects.
    pub select: ScopeSelector,
    /// What becomes of them.
    pub decision: ScopeDecision,
}

/// Which endpoints a [`ScopeRule`] selects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ScopeSelector {
    /// One endpoint: its method and its path template as the
    /// specification writes it (`/pets/{petId}`).
    Endpoint {
        /// The method (`GET`).
        method: String,
        /// The path template.
        path: String,
    },
    /// Every endpoint with this tag.
    Tag {
        /// The tag.
        tag: String,
    },
    /// Every endpoint with this method.
    Method {
        /// The method (`DELETE`).
        method: String,
    },
    /// Every endpoint whose path template matches a pattern: `*` within a
    /// segment, `**` for any number of segments (`/admin/**`).
    Path {
        /// The pattern.
        pattern: String,
    },
}

/// What a scan does with the endpoints a [`ScopeRule`] selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ScopeDecision {
    /// Requests are sent and tested (the default).
    Include,
    /// No request is sent.
    Exclude,
    /// Requests are sent, not tested (Postman collections only).
    Ignore,
}

/// What a scan scans, as returned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Target {
    /// An API specification scan.
    ApiSpecification {
        /// The stored specification.
        spec_id: SpecId,
        /// The server chosen to scan; `null` for the specification's first.
        server: Option<String>,
        /// Its file name.
        file_name: String,
        /// Its format code (`OPEN_API_V3`).
        #[serde(with = "code")]
        format: SpecFormat,
        /// How many endpoints it has.
        endpoint_count: usize,
        /// The servers it declares.
        servers: Vec<String>,
    },
    /// A URL scan.
    Url {
        /// The URL.
        url: String,
    },
}

/// Which credentials a scan has stored: names, never values.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthConfigured {
    /// A bearer token is stored.
    pub bearer: bool,
    /// Basic credentials are stored.
    pub basic: bool,
    /// The security schemes an API key is stored for.
    pub api_keys: Vec<String>,
    /// The names of the custom headers.
    pub custom_headers: Vec<String>,
    /// The names of the custom cookies.
    pub custom_cookies: Vec<String>,
    /// OAuth 2.0, if configured (its secrets are never returned).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oauth: Option<OAuthConfigured>,
    /// The file name of the client certificate stored (never its bytes or
    /// passphrase); absent when none is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_certificate: Option<String>,
}

/// When an analysis starts and how long it may scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Schedule {
    /// When it starts.
    pub start: Start,
    /// How long it may scan.
    pub duration: Duration,
}

/// When an analysis starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Start {
    /// As soon as it is submitted. (Variants are structs so that unknown
    /// fields are refused.)
    Now {},
    /// At a time.
    At {
        /// The time (RFC 3339).
        #[serde(with = "time")]
        date_time: i64,
    },
    /// Not scheduled: saved for later.
    Unscheduled {},
}

/// The unit of a [`Duration`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DurationUnit {
    /// Hours.
    Hours,
    /// Days.
    Days,
}

/// How long a run may scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Duration {
    /// The unit.
    pub unit: DurationUnit,
    /// How many units (at least 1).
    pub value: u32,
}

/// One run of an analysis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Run {
    /// 1 for the first run.
    pub number: u32,
    /// Whether the run began with a prescan.
    pub prescan: bool,
    /// When it was submitted.
    #[serde(with = "time")]
    pub submitted_on: i64,
    /// When scanning started, if it did.
    #[serde(with = "option_time")]
    pub started_on: Option<i64>,
    /// When the scan duration ends.
    #[serde(with = "time")]
    pub deadline: i64,
    /// When it reached its settled status, if it has.
    #[serde(with = "option_time")]
    pub ended_on: Option<i64>,
    /// The settled status code, once reached.
    #[serde(with = "option_code")]
    pub final_status: Option<AnalysisStatus>,
    /// The settled status's label, once reached.
    pub final_status_label: Option<String>,
    /// How its prescan ended and who decided it (a real prescan or the
    /// simulated engine); absent before it ended (and from older servers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prescan_result: Option<PrescanResult>,
}

/// How a run's prescan ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrescanResult {
    /// Whether it succeeded.
    pub succeeded: bool,
    /// `real` (requests were sent) or `simulated` (the simulated engine).
    pub origin: PrescanOrigin,
    /// When it ended.
    #[serde(with = "time")]
    pub ended_on: i64,
}

impl From<crate::analysis::PrescanResult> for PrescanResult {
    fn from(r: crate::analysis::PrescanResult) -> Self {
        PrescanResult {
            succeeded: r.succeeded,
            origin: r.origin,
            ended_on: r.at_ms,
        }
    }
}

impl From<PrescanResult> for crate::analysis::PrescanResult {
    fn from(r: PrescanResult) -> Self {
        crate::analysis::PrescanResult {
            succeeded: r.succeeded,
            origin: r.origin,
            at_ms: r.ended_on,
        }
    }
}

/// `POST /analyses`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewAnalysis {
    /// The name (6 to 256 characters once trimmed; unique).
    pub name: String,
    /// The scans (1 to 250).
    pub scans: Vec<ScanDraft>,
    /// The schedule.
    pub schedule: Schedule,
    /// Whether runs begin with a prescan.
    pub prescan: bool,
    /// "I have permission to scan": must be true.
    pub permission_certified: bool,
    /// Who may see it besides the security leads and its creator (absent:
    /// security leads only). A user who is not a security lead may only
    /// name teams they belong to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visibility: Option<Visibility>,
}

/// `PATCH /analyses/{id}`: every field optional; absent fields stay.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnalysisUpdate {
    /// A new name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The new list of scans (scans with a `scan_id` keep it; scans left
    /// out are removed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scans: Option<Vec<ScanDraft>>,
    /// A new schedule (applied: now submits a run, at schedules one,
    /// unscheduled saves for later).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<Schedule>,
    /// The prescan switch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prescan: Option<bool>,
    /// A new visibility.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visibility: Option<Visibility>,
}

/// A scan as a request gives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScanDraft {
    /// The scan it keeps (updates only); absent for a new scan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scan_id: Option<ScanId>,
    /// What it scans.
    pub target: TargetDraft,
    /// The credentials. Absent on a scan with `scan_id`: keep the stored
    /// ones; absent on a new scan: none. Write-only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth: Option<ScanAuth>,
    /// The endpoint scope (API specification scans). Absent on a scan with
    /// `scan_id`: keep the stored one; absent on a new scan: every
    /// endpoint included.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<Vec<ScopeRule>>,
    /// The values for parameters and body properties (API specification
    /// scans). Absent on a scan with `scan_id`: keep the stored ones;
    /// absent on a new scan: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<crate::values::ValueEntry>>,
}

/// What a scan scans, as a request gives it: the server fills the
/// specification's details from its stored file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum TargetDraft {
    /// An API specification scan of a stored specification.
    ApiSpecification {
        /// The stored specification.
        spec_id: SpecId,
        /// The server to scan (one of the specification's, or a base URL);
        /// absent for the first.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        server: Option<String>,
    },
    /// A URL scan.
    Url {
        /// The URL (`http://` or `https://`).
        url: String,
    },
}

/// Credentials of a scan (write-only: never returned).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScanAuth {
    /// A bearer token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bearer: Option<String>,
    /// Basic credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basic: Option<BasicAuth>,
    /// API keys by security scheme name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub api_keys: BTreeMap<String, String>,
    /// Headers added to every request.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub custom_headers: Vec<NameValue>,
    /// Cookies added to every request.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub custom_cookies: Vec<NameValue>,
    /// A client certificate presented in the TLS handshake of the server
    /// prescan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_certificate: Option<ClientCertificate>,
    /// OAuth 2.0: the prescan gets a token and sends it as a bearer token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oauth: Option<OAuthConfig>,
}

/// OAuth 2.0 credentials of a scan (write-only: never returned; only
/// [`OAuthConfigured`] is).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OAuthConfig {
    /// `client_credentials` or `password`.
    pub grant: OAuthGrantType,
    /// The token endpoint; may be empty with `discovery_url`.
    #[serde(default)]
    pub token_url: String,
    /// An OpenID Connect discovery document URL, read for the token
    /// endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discovery_url: Option<String>,
    /// The client id.
    pub client_id: String,
    /// The client secret.
    #[serde(default)]
    pub client_secret: String,
    /// Scopes separated by spaces.
    #[serde(default)]
    pub scopes: String,
    /// The user name of the password grant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
    /// The password of the password grant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    /// How the client authenticates (default `auto`).
    #[serde(default)]
    pub client_auth: OAuthClientAuth,
}

impl std::fmt::Debug for OAuthConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuthConfig")
            .field("grant", &self.grant)
            .field("token_url", &self.token_url)
            .field("discovery_url", &self.discovery_url)
            .field("client_id", &self.client_id)
            .field("client_secret", &"***")
            .field("scopes", &self.scopes)
            .field("user_name", &self.user_name)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .field("client_auth", &self.client_auth)
            .finish()
    }
}

/// An OAuth 2.0 grant type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OAuthGrantType {
    /// Client Credentials.
    ClientCredentials,
    /// Resource Owner Password Credentials.
    Password,
}

/// How an OAuth 2.0 client authenticates to the token endpoint.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OAuthClientAuth {
    /// HTTP Basic, then the form body once if refused.
    #[default]
    Auto,
    /// HTTP Basic only.
    Basic,
    /// The form body only.
    Body,
}

/// What is configured of OAuth 2.0 (no secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OAuthConfigured {
    /// The grant.
    pub grant: OAuthGrantType,
    /// The token URL (may be empty with a discovery URL).
    pub token_url: String,
    /// The OpenID Connect discovery URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discovery_url: Option<String>,
}

/// A client certificate: a PKCS#12 file and its passphrase (write-only).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientCertificate {
    /// The file's name (`client.p12`).
    pub file_name: String,
    /// The file's bytes in standard base64.
    pub pkcs12_base64: String,
    /// Its passphrase (empty for none).
    #[serde(default)]
    pub passphrase: String,
}

impl std::fmt::Debug for ClientCertificate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientCertificate")
            .field("file_name", &self.file_name)
            .finish_non_exhaustive()
    }
}

/// HTTP Basic credentials.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BasicAuth {
    /// The user name.
    pub user_name: String,
    /// The password.
    pub password: String,
}

/// A header or cookie.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NameValue {
    /// Its name.
    pub name: String,
    /// Its value.
    pub value: String,
}

/// `POST /analyses/{id}/actions`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionRequest {
    /// `STOP_SAVE`, `STOP_DELETE`, `PAUSE` or `RESUME`.
    #[serde(with = "code")]
    pub action: RunAction,
}

/// `GET /analyses/{id}/audits`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditList {
    /// The entries, oldest first.
    pub audits: Vec<Audit>,
}

/// One entry of an analysis's activity log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Audit {
    /// When.
    #[serde(with = "time")]
    pub audited_on: i64,
    /// What kind of event (`STATUS_CHANGED`).
    #[serde(with = "code")]
    pub event_type: ActivityKind,
    /// A sentence saying what happened.
    pub details: String,
    /// The value before, when it is not a secret.
    pub old_value: Option<String>,
    /// The value after, when it is not a secret.
    pub new_value: Option<String>,
    /// The user who did it; `null` for the system.
    pub user_display_name: Option<String>,
    /// Whether the system (the scan engine) did it.
    pub system: bool,
}

/// A server of a stored specification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpecServer {
    /// Its URL.
    pub url: String,
}

/// A stored specification file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpecRecord {
    /// Its id.
    pub spec_id: SpecId,
    /// Its file name.
    pub file_name: String,
    /// `info.title` or the collection's name.
    pub title: String,
    /// Its format code (`OPEN_API_V3`).
    #[serde(with = "code")]
    pub spec_type: SpecFormat,
    /// How many endpoints it has.
    pub endpoint_count: usize,
    /// The servers it declares.
    pub servers: Vec<SpecServer>,
    /// Its size in bytes (of all its files together).
    pub size: usize,
    /// Every file it was given in, the root (`file_name`) first: one for a
    /// specification of one file, more for one split over several files
    /// (`GET /specifications/{spec_id}/file?name=` downloads each).
    #[serde(default)]
    pub files: Vec<SpecFile>,
    /// When it was uploaded.
    #[serde(with = "time")]
    pub uploaded_date_time: i64,
    /// Who uploaded it.
    pub uploaded_by_user: String,
    /// Who may see it besides the security leads and its uploader.
    #[serde(default)]
    pub visibility: Visibility,
}

/// One file of a stored specification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpecFile {
    /// Its name: the label its references are resolved against
    /// (`schemas/pet.yaml`).
    pub name: String,
    /// Its size in bytes.
    pub size: usize,
}

/// `PATCH /specifications/{spec_id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpecUpdate {
    /// Who may see it besides the security leads and its uploader.
    pub visibility: Visibility,
}

/// `GET /specifications`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpecificationList {
    /// The specifications, newest first.
    pub specifications: Vec<SpecRecord>,
}

/// `POST /scans/{id}/prescan`: how the prescan runs; absent fields take the
/// core's defaults ([`crate::prescan::PrescanSettings::default`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrescanRequest {
    /// Also send methods other than GET, HEAD and OPTIONS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_unsafe_methods: Option<bool>,
    /// Requests started per second (above 0, at most 100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requests_per_second: Option<f64>,
    /// Requests in flight at once (1 to 16).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_in_flight: Option<u32>,
    /// Timeout of one request in ms (1 to 120000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<u64>,
    /// The `User-Agent` the prescan sends (visible ASCII and spaces, at
    /// most 256 characters); absent: the server's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
}

/// Whether a prescan is still running.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PrescanState {
    /// Requests are being sent.
    Running,
    /// Finished (succeeded, failed or cancelled: see the report).
    Finished,
}

/// How far a prescan is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrescanProgress {
    /// Requests finished.
    pub done: usize,
    /// Requests to send in all.
    pub total: usize,
}

/// `GET /scans/{id}/prescan`: the last prescan of a scan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Prescan {
    /// The scan.
    pub scan_id: ScanId,
    /// Running or finished.
    pub state: PrescanState,
    /// When it started.
    #[serde(with = "time")]
    pub started_on: i64,
    /// When it finished.
    #[serde(with = "option_time")]
    pub finished_on: Option<i64>,
    /// Requests done of the total.
    pub progress: PrescanProgress,
    /// The core's report (its own serde shape); `null` until the plan is
    /// made.
    pub report: Option<crate::prescan::PrescanReport>,
}

/// `GET /notifications`: the notifications stored after a given id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationList {
    /// The notifications with an id above `after`, oldest first.
    pub notifications: Vec<NotificationItem>,
    /// The highest notification id stored (0 if none): a client that
    /// connects can start from it without showing old ones.
    pub latest_notification_id: u64,
}

/// One notification (the e-mail Veracode would send) about one analysis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationItem {
    /// Its id (increasing in the order they were stored).
    pub notification_id: u64,
    /// The analysis.
    pub analysis_id: AnalysisId,
    /// The analysis's name when it happened.
    pub analysis_name: String,
    /// What happened (`RESULTS_PUBLISHED`).
    #[serde(with = "code")]
    pub kind: NotificationKind,
    /// The subject ([`NotificationKind::subject`]).
    pub subject: String,
    /// The whole message ([`Notification::message`]).
    pub message: String,
    /// Whether it is bad news ([`NotificationKind::is_failure`]).
    pub failure: bool,
    /// A sentence about this case (may be empty).
    #[serde(default)]
    pub detail: String,
    /// Who receives it: the schedule owner's name, or `null` for the
    /// organization's security leads.
    #[serde(default)]
    pub schedule_owner: Option<String>,
    /// When.
    #[serde(with = "time")]
    pub created_on: i64,
    /// Whether the simulated scan engine sent it (nothing was scanned);
    /// absent from older servers (then false).
    #[serde(default)]
    pub simulated: bool,
}

impl NotificationItem {
    /// The wire form of a stored core notification.
    pub fn from_core(notification_id: u64, n: &Notification) -> Self {
        NotificationItem {
            notification_id,
            analysis_id: n.analysis_id,
            analysis_name: n.analysis_name.clone(),
            kind: n.kind,
            subject: n.kind.subject().to_string(),
            message: n.message(),
            failure: n.kind.is_failure(),
            detail: n.detail.clone(),
            schedule_owner: match &n.recipients {
                Recipients::ScheduleOwner(name) => Some(name.clone()),
                Recipients::SecurityLeads => None,
            },
            created_on: n.at_ms,
            simulated: n.simulated,
        }
    }

    /// The core notification (what the app shows as a toast).
    pub fn to_core(&self) -> Notification {
        Notification {
            kind: self.kind,
            analysis_id: self.analysis_id,
            analysis_name: self.analysis_name.clone(),
            at_ms: self.created_on,
            recipients: match &self.schedule_owner {
                Some(name) => Recipients::ScheduleOwner(name.clone()),
                None => Recipients::SecurityLeads,
            },
            detail: self.detail.clone(),
            simulated: self.simulated,
        }
    }
}

impl From<NotificationItem> for Notification {
    fn from(item: NotificationItem) -> Self {
        item.to_core()
    }
}

impl From<&NotificationItem> for Notification {
    fn from(item: &NotificationItem) -> Self {
        item.to_core()
    }
}

/// `GET /me`: who the server takes the caller for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    /// The name the server records the caller's actions under ("API user"
    /// for the `--token`, a name of the users file, "Anonymous" when the
    /// server has no tokens).
    pub user_display_name: String,
    /// Their roles (every role for a `--token` or a name of the users
    /// file, and on a server without tokens).
    #[serde(default = "every_role")]
    pub roles: Vec<Role>,
    /// The teams they belong to.
    #[serde(default)]
    pub teams: Vec<TeamRef>,
    /// The teams they may share an analysis or a specification with: a
    /// security lead any team, anyone else their own.
    #[serde(default)]
    pub shareable_teams: Vec<TeamRef>,
    /// Where their e-mail notifications go, if anywhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

fn every_role() -> Vec<Role> {
    Role::ALL.to_vec()
}

impl Me {
    /// The rules' view of the caller.
    pub fn principal(&self) -> Principal {
        Principal {
            name: self.user_display_name.clone(),
            roles: self.roles.clone(),
            teams: self
                .teams
                .iter()
                .map(|t| t.team_identifier.clone())
                .collect(),
        }
    }
}

/// A team, as `/me` names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamRef {
    /// Its identifier (what a visibility lists).
    pub team_identifier: String,
    /// Its name for people.
    pub team_name: String,
}
