//! The server's configuration: every option of the command line with its
//! default ([`Config`]), the engine's speeds and the users file. It may
//! depend on the core and on the policy types of the runner's guard
//! ([`prescan_runner::guard`]); nothing here runs or stores anything.

use std::path::PathBuf;
use std::time::Duration;

use prescan_core::analysis::EngineConfig;
use prescan_runner::guard;

/// The largest JSON request body by default: 1 MiB.
pub const DEFAULT_MAX_JSON_BYTES: usize = 1024 * 1024;
/// The largest specification upload by default: 50 MiB.
pub const DEFAULT_MAX_SPEC_BYTES: usize = 50 * 1024 * 1024;
/// Prescan requests in flight at once across the server, by default.
pub const DEFAULT_PRESCAN_MAX_INFLIGHT: usize = 8;
/// Prescan requests started each second across the server, by default.
pub const DEFAULT_PRESCAN_RATE: f64 = 20.0;

/// The engine's speed (`--engine`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EngineSpeed {
    /// Hours per run ([`EngineConfig::realistic`]).
    Realistic,
    /// About 80 s per run ([`EngineConfig::demo`]), the default.
    Demo,
    /// About 12 s per run, for tests ([`fast_engine`]).
    Fast,
}

impl EngineSpeed {
    /// Its configuration.
    pub fn config(self) -> EngineConfig {
        match self {
            EngineSpeed::Realistic => EngineConfig::realistic(),
            EngineSpeed::Demo => EngineConfig::demo(),
            EngineSpeed::Fast => fast_engine(),
        }
    }
}

/// A run with a prescan reaches "Completed - Results Available" about 10 s
/// after it is submitted and is published 2 s later.
pub fn fast_engine() -> EngineConfig {
    EngineConfig {
        submit_ms: 1_000,
        prescan_ms: 2_000,
        queue_ms: 1_000,
        scan_ms: 4_000,
        verify_ms: 2_000,
        publish_ms: 2_000,
        stop_ms: 1_000,
    }
}

/// How the server runs.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where the database lives (created).
    pub data_dir: PathBuf,
    /// The built app to serve at `/` (none: the API only).
    pub dist: Option<PathBuf>,
    /// The bearer token every API call needs (none: open).
    pub token: Option<String>,
    /// Origins allowed to call the API from a browser (CORS).
    pub allow_origins: Vec<String>,
    /// The engine's step durations.
    pub engine: EngineConfig,
    /// The largest JSON body.
    pub max_json_bytes: usize,
    /// The largest specification upload.
    pub max_spec_bytes: usize,
    /// The budget of every conversion (uploads, HARs, prescan plans):
    /// bytes, items and steps (`--limit NAME=VALUE`).
    pub convert_limits: prescan_core::Limits,
    /// Refuse prescan targets on special-use addresses (see [`guard`]).
    pub prescan_deny_private: bool,
    /// The only prescan targets allowed, when not empty (see [`guard`]).
    pub prescan_allow: Vec<guard::Allow>,
    /// The proxy every prescan request goes through (none: direct; proxy
    /// variables of the environment are ignored).
    pub prescan_proxy: Option<String>,
    /// Prescan requests in flight at once across the server.
    pub prescan_max_inflight: usize,
    /// Prescan requests started each second across the server (0: no
    /// limit).
    pub prescan_rate: f64,
    /// Certificate authorities prescans trust besides the public ones
    /// (the contents of `--prescan-ca-cert`: PEM, or one DER
    /// certificate), for targets with certificates of an internal CA.
    pub prescan_ca_cert: Option<Vec<u8>>,
    /// How prescan target names are resolved for the guard (none: the
    /// system's resolver); tests give a fixed table.
    pub prescan_lookup: Option<guard::CustomLookup>,
    /// The display name recorded as the user of calls with `token`.
    pub user: String,
    /// Named users (`--users-file`): each call with one of their tokens is
    /// recorded under that name.
    pub users: Vec<UserToken>,

    // ---- Hardening (issue 12): limits, timeouts, Host check, keys ----
    /// How long a client may take to send a request's line and headers
    /// (`--header-read-timeout`); also how long an idle keep-alive
    /// connection is kept.
    pub header_read_timeout: Duration,
    /// A connection with no bytes read or written for this long is closed
    /// (`--idle-timeout`).
    pub idle_timeout: Duration,
    /// Connections served at once (`--max-connections`); more wait in
    /// the listen backlog.
    pub max_connections: usize,
    /// Conversions running at once (`--max-conversions`; default one per
    /// CPU).
    pub max_conversions: usize,
    /// Conversions (uploads, HARs, prescan plans) waiting for a turn at
    /// most (`--conversion-queue`); more get a 503 problem.
    pub conversion_queue: usize,
    /// How long a conversion waits for its turn (`--conversion-wait`).
    pub conversion_wait: Duration,
    /// How long the server waits for one conversion
    /// (`--conversion-deadline`); past it, a 422 problem.
    pub conversion_deadline: Duration,
    /// Server-side prescans running at once (`--max-prescans`).
    pub max_prescans: usize,
    /// How long a server-side prescan may run (`--prescan-deadline`).
    pub prescan_deadline: Duration,
    /// Uploads a minute per token or address (`--rate-uploads`; 0: no
    /// limit).
    pub rate_uploads: u32,
    /// Prescans started a minute per token or address (`--rate-prescans`).
    pub rate_prescans: u32,
    /// Failed authentications a minute per address
    /// (`--rate-auth-failures`).
    pub rate_auth_failures: u32,
    /// Public URLs the server is reached at (`--public-url`): their hosts
    /// are accepted in `Host` when no token is configured.
    pub public_urls: Vec<String>,
    /// Extra `connect-src` sources of the app's CSP (`--csp-connect`).
    pub csp_connect: Vec<String>,
    /// The key file of credentials at rest (`--key-file`; default
    /// `<data_dir>/prescan.key`, generated).
    pub key_file: Option<PathBuf>,
    /// PostgreSQL instead of SQLite (`--database-url postgres://...`;
    /// issue 19): the database replicas share. `--key-file` is then
    /// required (every replica needs the same key).
    pub database_url: Option<String>,
    /// PEM certificates of the CA that signs PostgreSQL's certificate
    /// (`--database-ca-cert`): TLS is then required and verified against
    /// it (and the public roots).
    pub database_ca_cert: Option<Vec<u8>>,
    /// The most connections to PostgreSQL this server opens
    /// (`--database-pool`).
    pub database_pool: usize,
    /// How long a running prescan's lease lasts unless its replica renews
    /// it (`--prescan-lease`; renewed every third of it). A replica that
    /// stops (crash, `kill -9`, lost network) leaves its prescans to be
    /// closed by another one this long after its last renewal.
    pub prescan_lease: Duration,
    /// PostgreSQL's `statement_timeout` of every connection
    /// (`--database-statement-timeout`).
    pub database_statement_timeout: Duration,
    /// The SMTP relay that sends notifications by e-mail (`--smtp-url`,
    /// `--smtp-from`, ...; none: no e-mail is enqueued or sent).
    pub smtp: Option<crate::mail::Smtp>,
    /// How long a stopping server keeps taking connections after the
    /// signal, `/readyz` answering 503 meanwhile, so that a load balancer
    /// stops sending before the listener closes (`--shutdown-delay`).
    pub shutdown_delay: Duration,
    /// How long a stopping server lets its prescans finish, counted from
    /// the signal (`--shutdown-grace`); then they are cancelled and
    /// recorded as stopped.
    pub shutdown_grace: Duration,
    /// The largest import body (`POST /import`), in bytes
    /// (`--max-import-bytes`): an export holds its specifications' bytes.
    pub max_import_bytes: usize,
    /// Imports (`POST /import`): the most analyses, and the most
    /// specifications, one document may add (`--max-import-items`).
    pub max_import_items: usize,
    /// Test hooks (never set by the binary): a route that panics and
    /// prescans of URLs containing `__panic__` or `__hang__`.
    #[doc(hidden)]
    pub test_hooks: bool,
}

/// `--header-read-timeout` by default.
pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// `--idle-timeout` by default.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(60);
/// `--max-connections` by default.
pub const DEFAULT_MAX_CONNECTIONS: usize = 256;
/// `--conversion-queue` by default.
pub const DEFAULT_CONVERSION_QUEUE: usize = 16;
/// `--conversion-wait` by default.
pub const DEFAULT_CONVERSION_WAIT: Duration = Duration::from_secs(10);
/// `--conversion-deadline` by default.
pub const DEFAULT_CONVERSION_DEADLINE: Duration = Duration::from_secs(30);
/// `--max-prescans` by default.
pub const DEFAULT_MAX_PRESCANS: usize = 8;
/// `--prescan-deadline` by default.
pub const DEFAULT_PRESCAN_DEADLINE: Duration = Duration::from_secs(15 * 60);
/// `--rate-uploads` by default (a minute).
pub const DEFAULT_RATE_UPLOADS: u32 = 60;
/// `--rate-prescans` by default (a minute).
pub const DEFAULT_RATE_PRESCANS: u32 = 30;
/// `--shutdown-delay` by default.
pub const DEFAULT_SHUTDOWN_DELAY: Duration = Duration::from_secs(2);
/// `--shutdown-grace` by default.
pub const DEFAULT_SHUTDOWN_GRACE: Duration = Duration::from_secs(30);
/// `--max-import-bytes` by default.
pub const DEFAULT_MAX_IMPORT_BYTES: usize = 64 * 1024 * 1024;
/// `--max-import-items` by default.
pub const DEFAULT_MAX_IMPORT_ITEMS: usize = 500;
/// `--rate-auth-failures` by default (a minute).
pub const DEFAULT_RATE_AUTH_FAILURES: u32 = 20;

/// The name recorded for calls to a server without tokens (and what
/// `GET /api/v1/me` says there).
pub const ANONYMOUS: &str = "Anonymous";

/// The shortest token (`--token` and users files).
pub const MIN_TOKEN_CHARS: usize = 16;

/// A named user of `--users-file`.
#[derive(Clone, PartialEq, Eq)]
pub struct UserToken {
    /// The name recorded in the activity log and as created/modified/uploaded by.
    pub name: String,
    /// The bearer token.
    pub token: String,
}

impl std::fmt::Debug for UserToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserToken")
            .field("name", &self.name)
            .field("token", &"<hidden>")
            .finish()
    }
}

/// Reads a users file: one `name<TAB>token` a line; blank lines and lines
/// starting with `#` are skipped. A name is 1 to 100 characters without
/// control characters (spaces inside are fine); a token at least
/// [`MIN_TOKEN_CHARS`] characters without white space. A token given twice
/// (or equal to `other_token`, the `--token`) is refused, naming the line.
pub fn parse_users(text: &str, other_token: Option<&str>) -> Result<Vec<UserToken>, String> {
    let mut users: Vec<(usize, UserToken)> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        let line = raw.trim_end_matches('\r');
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let Some((name, token)) = line.split_once('\t') else {
            return Err(format!(
                "line {n}: write the user's name, a tab, then the token (name<TAB>token)"
            ));
        };
        let name = name.trim();
        let token = token.trim();
        if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
            return Err(format!(
                "line {n}: the name must be 1 to 100 characters without control characters"
            ));
        }
        if token.chars().count() < MIN_TOKEN_CHARS || token.chars().any(char::is_whitespace) {
            return Err(format!(
                "line {n}: the token of {name} must be at least {MIN_TOKEN_CHARS} characters without spaces or tabs"
            ));
        }
        if let Some((first, other)) = users.iter().find(|(_, u)| u.token == token) {
            return Err(format!(
                "line {n}: the token of {name} is already the token of {} (line {first}); give every user a token of their own",
                other.name
            ));
        }
        if other_token == Some(token) {
            return Err(format!(
                "line {n}: the token of {name} is the --token; give every user a token of their own"
            ));
        }
        users.push((
            n,
            UserToken {
                name: name.to_owned(),
                token: token.to_owned(),
            },
        ));
    }
    Ok(users.into_iter().map(|(_, u)| u).collect())
}

impl Config {
    /// The defaults with `data_dir`.
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        Config {
            data_dir: data_dir.into(),
            dist: None,
            token: None,
            allow_origins: Vec::new(),
            engine: EngineConfig::demo(),
            max_json_bytes: DEFAULT_MAX_JSON_BYTES,
            max_spec_bytes: DEFAULT_MAX_SPEC_BYTES,
            convert_limits: prescan_core::Limits::default(),
            prescan_deny_private: false,
            prescan_allow: Vec::new(),
            prescan_proxy: None,
            prescan_max_inflight: DEFAULT_PRESCAN_MAX_INFLIGHT,
            prescan_rate: DEFAULT_PRESCAN_RATE,
            prescan_ca_cert: None,
            prescan_lookup: None,
            user: "API user".into(),
            users: Vec::new(),
            // Hardening (issue 12).
            header_read_timeout: DEFAULT_HEADER_READ_TIMEOUT,
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            max_conversions: std::thread::available_parallelism().map_or(1, |n| n.get()),
            conversion_queue: DEFAULT_CONVERSION_QUEUE,
            conversion_wait: DEFAULT_CONVERSION_WAIT,
            conversion_deadline: DEFAULT_CONVERSION_DEADLINE,
            max_prescans: DEFAULT_MAX_PRESCANS,
            prescan_deadline: DEFAULT_PRESCAN_DEADLINE,
            rate_uploads: DEFAULT_RATE_UPLOADS,
            rate_prescans: DEFAULT_RATE_PRESCANS,
            rate_auth_failures: DEFAULT_RATE_AUTH_FAILURES,
            public_urls: Vec::new(),
            csp_connect: Vec::new(),
            key_file: None,
            database_url: None,
            database_ca_cert: None,
            database_pool: 8,
            prescan_lease: Duration::from_secs(30),
            database_statement_timeout: Duration::from_secs(15),
            smtp: None,
            shutdown_delay: DEFAULT_SHUTDOWN_DELAY,
            shutdown_grace: DEFAULT_SHUTDOWN_GRACE,
            max_import_bytes: DEFAULT_MAX_IMPORT_BYTES,
            max_import_items: DEFAULT_MAX_IMPORT_ITEMS,
            test_hooks: false,
        }
    }

    /// Opens the store this configuration names: PostgreSQL with
    /// `database_url`, else SQLite in `data_dir` (blocking: call it from a
    /// blocking thread).
    pub fn open_db(&self) -> Result<crate::db::Db, crate::db::DbError> {
        match &self.database_url {
            Some(url) => {
                let key = self.key_file.as_deref().ok_or_else(|| {
                    crate::db::DbError(
                        "--database-url needs --key-file: the key that seals credentials, the same file on every replica (it is created at that path on the first start of a new database)".into(),
                    )
                })?;
                crate::db::Db::open_postgres(
                    url,
                    key,
                    crate::db::postgres::Settings {
                        max_connections: self.database_pool.max(1),
                        statement_timeout: self.database_statement_timeout,
                        ca_certificates: self.database_ca_cert.clone(),
                        ..crate::db::postgres::Settings::default()
                    },
                )
            }
            None => crate::db::Db::open(&self.data_dir, self.key_file.as_deref()),
        }
    }

    /// Whether calls need a token.
    pub fn has_tokens(&self) -> bool {
        self.token.is_some() || !self.users.is_empty()
    }

    /// Every token with the name its calls are recorded under.
    pub fn tokens(&self) -> impl Iterator<Item = (&str, &str)> {
        self.token
            .as_deref()
            .map(|t| (self.user.as_str(), t))
            .into_iter()
            .chain(
                self.users
                    .iter()
                    .map(|u| (u.name.as_str(), u.token.as_str())),
            )
    }
}
