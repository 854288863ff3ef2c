//! `prescan-server`: the reference server (see the crate docs and
//! `prescan-server --help`).

use std::net::SocketAddr;
use std::path::PathBuf;

use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};
use prescan_server::guard::Allow;
use prescan_server::{
    Config, EngineSpeed, DEFAULT_MAX_JSON_BYTES, DEFAULT_MAX_SPEC_BYTES, DEFAULT_PRESCAN_RATE,
};
use prescan_server::{
    DEFAULT_CONVERSION_DEADLINE, DEFAULT_CONVERSION_QUEUE, DEFAULT_CONVERSION_WAIT,
    DEFAULT_HEADER_READ_TIMEOUT, DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_CONNECTIONS,
    DEFAULT_MAX_PRESCANS, DEFAULT_PRESCAN_DEADLINE, DEFAULT_RATE_AUTH_FAILURES,
    DEFAULT_RATE_PRESCANS, DEFAULT_RATE_UPLOADS, MIN_TOKEN_CHARS,
};

/// As the `u16` clap parses.
const DEFAULT_PRESCAN_MAX_INFLIGHT: u16 = prescan_server::DEFAULT_PRESCAN_MAX_INFLIGHT as u16;

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Speed {
    /// Hours per run, as real scans.
    Realistic,
    /// About 80 seconds per run.
    Demo,
    /// About 12 seconds per run (tests).
    Fast,
}

/// The reference server of prescan: the JSON API (/api/v1, contract at
/// /api/v1/openapi.json) over SQLite, the analysis engine, server-side
/// prescans, and the built app at /.
#[derive(Debug, Parser)]
#[command(
    name = "prescan-server",
    version,
    args_override_self = true,
    args_conflicts_with_subcommands = true
)]
struct Cli {
    /// Administration: users and teams, backups (without one: serve).
    #[command(subcommand)]
    command: Option<Command>,
    /// Address and port to listen on.
    #[arg(long, default_value = "127.0.0.1:8088")]
    listen: SocketAddr,
    /// Directory of the database (prescan.sqlite3); created if missing.
    #[arg(long, default_value = "./data")]
    data_dir: PathBuf,
    /// The built app to serve at / (default: dist/ of the repository, if
    /// present).
    #[arg(long)]
    dist: Option<PathBuf>,
    /// Bearer token every API call needs (except health and openapi.json);
    /// at least 16 characters.
    #[arg(long, env = "PRESCAN_TOKEN", hide_env_values = true)]
    token: Option<String>,
    /// A file of named users: one `name<TAB>token` a line (# comments and
    /// blank lines allowed; tokens of 16 characters or more, each
    /// different). Calls with a user's token are recorded under that name;
    /// combines with --token (recorded as "API user").
    #[arg(long, value_name = "PATH")]
    users_file: Option<PathBuf>,
    /// An origin allowed to call the API from a browser (CORS), such as
    /// https://app.example.com; repeatable. Default: same origin only.
    #[arg(long = "allow-origin", value_name = "ORIGIN")]
    allow_origin: Vec<String>,
    /// How fast the simulated scan engine moves runs on.
    #[arg(long, value_enum, default_value = "demo")]
    engine: Speed,
    /// Largest specification upload, in bytes.
    #[arg(long, default_value_t = DEFAULT_MAX_SPEC_BYTES)]
    max_spec_bytes: usize,
    /// A limit of every conversion, as NAME=VALUE; repeatable. Names:
    /// input_bytes, expanded_bytes, value_bytes, har_bytes (sizes: bytes,
    /// or with KiB, MiB, GiB), array_items, schema_steps, pattern_steps,
    /// depth. See the README's Security section for what each bounds.
    #[arg(long = "limit", value_name = "NAME=VALUE", value_parser = parse_limit)]
    limit: Vec<String>,
    /// Largest JSON request body, in bytes.
    #[arg(long, default_value_t = DEFAULT_MAX_JSON_BYTES)]
    max_json_bytes: usize,
    /// Refuse prescan targets at special-use addresses: loopback, private,
    /// link-local, unspecified, CGNAT, benchmarking, documentation,
    /// reserved, broadcast, multicast, unique-local and site-local IPv6,
    /// and IPv6 forms that embed such an IPv4 address (IPv4-mapped and
    /// -compatible, NAT64, 6to4), Teredo and everything outside IPv6
    /// global unicast. Hosts are read as the HTTP client reads them (so
    /// 127.0.0.1., 0x7f.1 and [::ffff:7f00:1] are 127.0.0.1); a literal is
    /// checked before each request, and every address a name resolves to
    /// at each connection (DNS rebinding included); redirects are never
    /// followed. Networks listed with --prescan-allow stay reachable.
    /// Recommended when untrusted users can reach the server: it sends
    /// prescan requests to whatever origin a scan names.
    #[arg(long)]
    prescan_deny_private: bool,
    /// The only prescan targets allowed; repeatable. A host name (matched
    /// exactly, case-insensitively, after URL normalisation; a trailing
    /// dot ignored) or an address or network in CIDR notation, such as
    /// 10.1.2.0/24 or fd00:1::/64 (matched against every address the
    /// target is or resolves to). With it, any other target is refused.
    /// With --prescan-deny-private too, a listed network may be private,
    /// but a listed name must still resolve to public addresses or to
    /// listed networks.
    #[arg(long = "prescan-allow", value_name = "HOST|CIDR", value_parser = parse_allow)]
    prescan_allow: Vec<Allow>,
    /// Send every prescan request through this proxy (such as
    /// http://proxy.internal:3128). The proxy does the connecting: targets
    /// are still checked by --prescan-deny-private and --prescan-allow
    /// before each request, but what the proxy connects to is its own
    /// rules' business. Proxy variables of the environment (HTTP_PROXY,
    /// HTTPS_PROXY, ALL_PROXY) are never used.
    #[arg(long, value_name = "URL")]
    prescan_proxy: Option<String>,
    /// Also trust the certificate authorities of this file (PEM with one
    /// or more certificates, or one DER certificate) for prescan targets,
    /// besides the public ones: for servers whose certificates an internal
    /// CA issued. Certificates are still verified.
    #[arg(long, value_name = "FILE")]
    prescan_ca_cert: Option<PathBuf>,
    /// Prescan requests in flight at once across all prescans of the
    /// server (each prescan's own setting applies within it).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_PRESCAN_MAX_INFLIGHT, value_parser = clap::value_parser!(u16).range(1..))]
    prescan_max_inflight: u16,
    /// Prescan requests started per second across all prescans of the
    /// server (0: no limit).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_PRESCAN_RATE)]
    prescan_rate: f64,

    // ---- Hardening (issue 12): limits, timeouts, Host check, key ----
    /// Seconds a client may take to send a request's line and headers
    /// (also how long an idle kept-alive connection stays open).
    #[arg(long, value_name = "SECS", default_value_t = DEFAULT_HEADER_READ_TIMEOUT.as_secs())]
    header_read_timeout: u64,
    /// Seconds without a byte read or written after which a connection is
    /// closed.
    #[arg(long, value_name = "SECS", default_value_t = DEFAULT_IDLE_TIMEOUT.as_secs())]
    idle_timeout: u64,
    /// Connections served at once; more wait until one closes.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_CONNECTIONS)]
    max_connections: usize,
    /// Specification conversions (uploads, HARs, prescan plans) running at
    /// once. Default: one per CPU.
    #[arg(long, value_name = "N")]
    max_conversions: Option<usize>,
    /// Conversions waiting for a turn at most; more get a 503 problem.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_CONVERSION_QUEUE)]
    conversion_queue: usize,
    /// Seconds a conversion waits for its turn before a 503 problem.
    #[arg(long, value_name = "SECS", default_value_t = DEFAULT_CONVERSION_WAIT.as_secs())]
    conversion_wait: u64,
    /// Seconds the server waits for one conversion before a 422 problem
    /// (the work keeps its turn until it ends).
    #[arg(long, value_name = "SECS", default_value_t = DEFAULT_CONVERSION_DEADLINE.as_secs())]
    conversion_deadline: u64,
    /// Server-side prescans running at once; more get a 503 problem.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_PRESCANS)]
    max_prescans: usize,
    /// Seconds a server-side prescan may run; then it is ended as failed,
    /// with a note.
    #[arg(long, value_name = "SECS", default_value_t = DEFAULT_PRESCAN_DEADLINE.as_secs())]
    prescan_deadline: u64,
    /// Specification uploads a minute per token (or per address without
    /// one); more get a 429 problem. 0: no limit.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_RATE_UPLOADS)]
    rate_uploads: u32,
    /// Prescans started a minute per token (or per address without one);
    /// more get a 429 problem. 0: no limit.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_RATE_PRESCANS)]
    rate_prescans: u32,
    /// Wrong tokens a minute per client address; more get a 429 problem
    /// and are not checked. 0: no limit.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_RATE_AUTH_FAILURES)]
    rate_auth_failures: u32,
    /// A URL the server is reached at, such as https://prescan.example.com
    /// (behind a proxy); repeatable. Without a token, requests whose Host
    /// is not the listen address, a loopback name or one of these get 421.
    #[arg(long = "public-url", value_name = "URL")]
    public_url: Vec<String>,
    /// A source the app may connect to besides this server and the
    /// --allow-origin origins (its Content-Security-Policy connect-src),
    /// such as https://api.example.com for prescans from the browser;
    /// repeatable.
    #[arg(long = "csp-connect", value_name = "SOURCE")]
    csp_connect: Vec<String>,
    /// The key file that seals the credentials in the database (64
    /// hexadecimal digits, mode 0600). Default: prescan.key in the data
    /// directory, generated on first start.
    #[arg(long, value_name = "PATH")]
    key_file: Option<PathBuf>,

    // ---- PostgreSQL and replicas (issue 19) ----
    /// Keep the data in PostgreSQL instead of SQLite:
    /// postgres://user:password@host:5432/prescan (the schema is created or
    /// migrated at start-up). Any number of servers may share one database;
    /// each needs the same --key-file.
    #[arg(
        long,
        value_name = "URL",
        env = "PRESCAN_DATABASE_URL",
        hide_env_values = true
    )]
    database_url: Option<String>,
    /// The CA certificate (PEM) that signs PostgreSQL's certificate: TLS is
    /// then required and verified against it. For a public CA, add
    /// ?sslmode=require to the URL instead.
    #[arg(long, value_name = "PATH")]
    database_ca_cert: Option<PathBuf>,
    /// The most connections to PostgreSQL this server opens.
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=1000))]
    database_pool: u16,
    /// Seconds a running prescan's lease lasts unless its server renews it
    /// (every third of it): when a server stops without finishing its
    /// prescans (a crash, kill -9), another one sharing the database closes
    /// them this long after.
    #[arg(long, value_name = "SECONDS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    prescan_lease: u64,
    /// Seconds a statement may run in PostgreSQL before it is cancelled.
    #[arg(long, value_name = "SECONDS", default_value_t = 15, value_parser = clap::value_parser!(u64).range(1..=3600))]
    database_statement_timeout: u64,
    // ---- Stopping (issue 19) ----
    /// Seconds a stopping server (SIGTERM, Ctrl-C) still takes
    /// connections after the signal, /readyz answering 503 meanwhile, so
    /// that a load balancer stops sending before the listener closes.
    #[arg(long, value_name = "SECS", default_value_t = prescan_server::DEFAULT_SHUTDOWN_DELAY.as_secs_f64())]
    shutdown_delay: f64,
    /// Seconds after the signal that running prescans may take to finish;
    /// then those left are cancelled and recorded as stopped by the
    /// server. A second signal stops at once.
    #[arg(long, value_name = "SECS", default_value_t = prescan_server::DEFAULT_SHUTDOWN_GRACE.as_secs_f64())]
    shutdown_grace: f64,
    /// Largest import (POST /api/v1/import) body, in bytes: an export
    /// holds its specifications' bytes (in base64).
    #[arg(long, default_value_t = prescan_server::DEFAULT_MAX_IMPORT_BYTES)]
    max_import_bytes: usize,
    /// The most analyses, and the most specifications, one import
    /// (POST /api/v1/import) may add.
    #[arg(long, value_name = "N", default_value_t = prescan_server::DEFAULT_MAX_IMPORT_ITEMS)]
    max_import_items: usize,

    // ---- E-mail (issue 16) ----
    /// The SMTP relay that sends notifications by e-mail:
    /// smtp://host[:port] (STARTTLS required; port 587 by default),
    /// smtps://host[:port] (TLS from the start; 465) or
    /// smtp+plain://host[:port] (no TLS: only a relay on loopback, such as
    /// a local MTA or a test relay). A user to authenticate as goes before
    /// the host (smtp://user@host); the password never goes in the URL:
    /// give it with --smtp-password-file or the environment variable
    /// PRESCAN_SMTP_PASSWORD. Without this option no e-mail is sent.
    #[arg(long, value_name = "URL")]
    smtp_url: Option<String>,
    /// The sender address of the e-mails, such as prescan@example.com
    /// (required with --smtp-url).
    #[arg(long, value_name = "ADDRESS")]
    smtp_from: Option<String>,
    /// A file whose first line is the password of the --smtp-url user
    /// (keep it mode 0600). The environment variable
    /// PRESCAN_SMTP_PASSWORD is the other way to give it.
    #[arg(long, value_name = "PATH")]
    smtp_password_file: Option<PathBuf>,
    /// PEM certificates of the CA that signed the relay's certificate (a
    /// private relay): then only these CAs are trusted for it, instead of
    /// the built-in Mozilla roots.
    #[arg(long, value_name = "PEM")]
    smtp_ca_file: Option<PathBuf>,
}

/// The environment variable that may hold the SMTP password.
const SMTP_PASSWORD_ENV: &str = "PRESCAN_SMTP_PASSWORD";

/// The e-mail settings of the command line (none without --smtp-url), or
/// the one-line message of what is wrong, naming the option.
fn smtp_settings(cli: &Cli) -> Result<Option<prescan_server::mail::Smtp>, String> {
    let Some(raw) = &cli.smtp_url else {
        for (given, option) in [
            (cli.smtp_from.is_some(), "--smtp-from"),
            (cli.smtp_password_file.is_some(), "--smtp-password-file"),
            (cli.smtp_ca_file.is_some(), "--smtp-ca-file"),
        ] {
            if given {
                return Err(format!(
                    "{option}: it needs --smtp-url (the relay that sends the e-mails)"
                ));
            }
        }
        return Ok(None);
    };
    let url: prescan_server::mail::SmtpUrl = raw.parse().map_err(|e: String| {
        if e == prescan_server::mail::settings::PASSWORD_IN_URL {
            // The URL is not repeated: it holds the password.
            format!("--smtp-url: {e}")
        } else {
            format!("--smtp-url {raw}: {e}")
        }
    })?;
    let Some(from) = &cli.smtp_from else {
        return Err("--smtp-url: give the sender address too, with --smtp-from ADDRESS".into());
    };
    prescan_server::people::check_email(from).map_err(|e| format!("--smtp-from: {e}"))?;
    let from_env = std::env::var(SMTP_PASSWORD_ENV)
        .ok()
        .filter(|p| !p.is_empty());
    let env_given = from_env.is_some();
    let password = match (&cli.smtp_password_file, from_env) {
        (Some(_), Some(_)) => {
            return Err(format!(
                "--smtp-password-file: the password is also in {SMTP_PASSWORD_ENV}; give it one way only"
            ))
        }
        (Some(path), None) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("--smtp-password-file {}: {e}", path.display()))?;
            let line = text.lines().next().unwrap_or("").to_owned();
            if line.is_empty() {
                return Err(format!(
                    "--smtp-password-file {}: its first line is empty (write the password there)",
                    path.display()
                ));
            }
            Some(line)
        }
        (None, env) => env,
    };
    if password
        .as_deref()
        .is_some_and(|p| p.chars().any(char::is_control))
    {
        return Err(if env_given {
            format!("--smtp-url: the password in {SMTP_PASSWORD_ENV} has control characters")
        } else {
            "--smtp-password-file: the password has control characters".into()
        });
    }
    let ca_pem = match &cli.smtp_ca_file {
        None => None,
        Some(path) => {
            let pem = std::fs::read(path)
                .map_err(|e| format!("--smtp-ca-file {}: {e}", path.display()))?;
            let text = String::from_utf8_lossy(&pem);
            if !text.contains("-----BEGIN CERTIFICATE-----")
                || lettre::transport::smtp::client::Certificate::from_pem(&pem).is_err()
            {
                return Err(format!(
                    "--smtp-ca-file {}: no PEM certificate in it (-----BEGIN CERTIFICATE-----)",
                    path.display()
                ));
            }
            Some(pem)
        }
    };
    let mut smtp = prescan_server::mail::Smtp::new(url, from.clone());
    smtp.password = password;
    smtp.ca_pem = ca_pem;
    if smtp.url.user.is_none() && smtp.password.is_some() {
        return Err(if env_given {
            format!("--smtp-url: {SMTP_PASSWORD_ENV} holds a password but the URL names no user: write it as smtp://USER@host (or unset {SMTP_PASSWORD_ENV})")
        } else {
            "--smtp-password-file: a password was given but --smtp-url names no user: write it as smtp://USER@host".into()
        });
    }
    smtp.check_credentials()
        .map_err(|e| format!("--smtp-url: {e}"))?;
    Ok(Some(smtp))
}

/// The administration commands (see the README's "Users and teams").
#[derive(Debug, Subcommand)]
enum Command {
    /// Users: add, list, disable, enable, rotate a token, set roles. Works
    /// while the server runs.
    Users {
        #[command(subcommand)]
        action: UsersCmd,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Teams: add, list, add or remove a member. Works while the server
    /// runs.
    Teams {
        #[command(subcommand)]
        action: TeamsCmd,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Writes a backup of the whole database to FILE (see the README's
    /// "Backups"): every row from one consistent snapshot, credentials
    /// still sealed with the key. Works while the server runs. The file is
    /// created with mode 0600 under a temporary name, then renamed (over
    /// FILE if it exists). Exit codes: 0 written, 1 failed (FILE
    /// untouched), 2 bad usage.
    Backup {
        /// The backup file (`-`: standard output).
        file: PathBuf,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Restores a backup into an empty database (a new data directory), in
    /// one transaction: all or nothing. Needs the key file of the server
    /// the backup was taken from. Exit codes: 0 restored, 1 refused or
    /// failed (nothing written), 2 bad usage (no key file, say).
    Restore {
        /// The backup file (`-`: standard input).
        file: PathBuf,
        #[command(flatten)]
        store: StoreArgs,
        /// The largest specification of the server the backup was taken
        /// from (bounds the longest line read: 1.5 times this).
        #[arg(long, default_value_t = DEFAULT_MAX_SPEC_BYTES)]
        max_spec_bytes: usize,
    },
}

/// Where the database is (as for serving). Every command opens it with
/// [`StoreArgs::open`]: another back end (a `--database-url`) is one more
/// field here and one more branch there.
#[derive(Debug, Args)]
struct StoreArgs {
    /// Directory of the database (prescan.sqlite3).
    #[arg(long, default_value = "./data", global = true)]
    data_dir: PathBuf,
    /// The key file of the database (default: prescan.key in the data
    /// directory).
    #[arg(long, value_name = "PATH", global = true)]
    key_file: Option<PathBuf>,
    /// The PostgreSQL database instead of the data directory (as for
    /// serving).
    #[arg(
        long,
        value_name = "URL",
        env = "PRESCAN_DATABASE_URL",
        hide_env_values = true,
        global = true
    )]
    database_url: Option<String>,
    /// The CA certificate (PEM) of PostgreSQL's certificate (as for
    /// serving).
    #[arg(long, value_name = "PATH", global = true)]
    database_ca_cert: Option<PathBuf>,
}

impl StoreArgs {
    /// The store's configuration (the database and its key).
    fn config(&self) -> Config {
        Config {
            key_file: self.key_file.clone(),
            database_url: self.database_url.clone(),
            database_pool: 2,
            ..Config::new(&self.data_dir)
        }
    }

    /// The database, for messages.
    fn describe(&self) -> String {
        match &self.database_url {
            Some(url) => format!(
                "the database {}",
                prescan_server::db::postgres::redacted_url(url)
            ),
            None => format!("the data directory {}", self.data_dir.display()),
        }
    }
}

impl StoreArgs {
    /// Opens (creating if missing) the database.
    fn open(&self) -> Result<prescan_server::Db, String> {
        let mut config = self.config();
        if let Some(path) = &self.database_ca_cert {
            config.database_ca_cert = Some(
                std::fs::read(path)
                    .map_err(|e| format!("--database-ca-cert {}: {e}", path.display()))?,
            );
        }
        config
            .open_db()
            .map_err(|e| format!("cannot open {}: {e}", self.describe()))
    }

    /// Whether a database is there already (a backup never creates one).
    /// A PostgreSQL database is taken to exist: connecting says if not.
    fn exists(&self) -> bool {
        self.database_url.is_some() || self.data_dir.join("prescan.sqlite3").is_file()
    }

    /// The key file a restore needs, if it is missing (`Db::open` would
    /// make a new one, which cannot open the backup).
    fn missing_key(&self) -> Option<PathBuf> {
        let path = self
            .key_file
            .clone()
            .unwrap_or_else(|| self.data_dir.join("prescan.key"));
        (!path.is_file()).then_some(path)
    }
}

#[derive(Debug, Subcommand)]
enum UsersCmd {
    /// Adds a user and prints their new token, alone, on standard output
    /// (shown once; only its hash is kept).
    Add {
        /// Their name, as the activity log shows it (unique, ignoring case).
        name: String,
        /// A role: security-lead, creator, submitter or reviewer;
        /// repeatable, at least one.
        #[arg(long = "role", value_name = "ROLE", required = true)]
        roles: Vec<String>,
        /// Where their e-mail notifications go.
        #[arg(long, value_name = "ADDRESS")]
        email: Option<String>,
        /// A team they belong to (it must exist); repeatable.
        #[arg(long = "team", value_name = "ID")]
        teams: Vec<String>,
        /// Use the token in this file (at least 16 characters) instead of
        /// making one.
        #[arg(long, value_name = "PATH")]
        token_file: Option<PathBuf>,
    },
    /// Lists the users (tab-separated, or --json).
    List {
        /// As a JSON array.
        #[arg(long)]
        json: bool,
    },
    /// Disables a user: their token stops working at once; the activity
    /// log keeps their name.
    Disable {
        /// Their name.
        name: String,
    },
    /// Enables a disabled user again.
    Enable {
        /// Their name.
        name: String,
    },
    /// Gives a user a new token (printed on standard output, shown once);
    /// the old one stops working at once.
    Rotate {
        /// Their name.
        name: String,
        /// Use the token in this file (at least 16 characters).
        #[arg(long, value_name = "PATH")]
        token_file: Option<PathBuf>,
    },
    /// Sets where a user's e-mail notifications go (no address: none).
    Email {
        /// Their name.
        name: String,
        /// The address; leave it out to stop their e-mail.
        address: Option<String>,
    },
    /// Replaces a user's roles.
    Roles {
        /// Their name.
        name: String,
        /// The roles: security-lead, creator, submitter, reviewer.
        #[arg(required = true, value_name = "ROLE")]
        roles: Vec<String>,
    },
}

#[derive(Debug, Subcommand)]
enum TeamsCmd {
    /// Adds a team.
    Add {
        /// Its identifier: a-z, 0-9, '-', '_', '.' (what visibility lists).
        id: String,
        /// Its name for people (default: the identifier).
        #[arg(long)]
        name: Option<String>,
    },
    /// Lists the teams and their members (tab-separated, or --json).
    List {
        /// As a JSON array.
        #[arg(long)]
        json: bool,
    },
    /// Puts a user in a team.
    AddMember {
        /// The team's identifier.
        team: String,
        /// The user's name.
        user: String,
    },
    /// Takes a user out of a team.
    RemoveMember {
        /// The team's identifier.
        team: String,
        /// The user's name.
        user: String,
    },
}

/// Reads a token file: at most 1 KiB, one token (trimmed).
fn read_token_file(path: &std::path::Path) -> Result<String, String> {
    use std::io::Read;
    let mut text = String::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(1024).read_to_string(&mut text))
        .map_err(|e| format!("--token-file {}: {e}", path.display()))?;
    Ok(text.trim().to_owned())
}

/// Runs an administration command; its exit code.
fn administer(command: Command) -> std::process::ExitCode {
    use prescan_server::admin::{self, AdminError};
    let store = match &command {
        Command::Users { store, .. } | Command::Teams { store, .. } => store,
        Command::Backup { file, store } => return backup(store, file),
        Command::Restore {
            file,
            store,
            max_spec_bytes,
        } => return restore(store, file, *max_spec_bytes),
    };
    let db = match store.open() {
        Ok(db) => db,
        Err(e) => {
            eprintln!("prescan-server: {e}");
            return std::process::ExitCode::from(1);
        }
    };
    let token = |file: Option<PathBuf>| -> Result<Option<String>, AdminError> {
        file.as_deref()
            .map(read_token_file)
            .transpose()
            .map_err(AdminError::Usage)
    };
    let now = prescan_server::now_ms();
    let db = &db;
    let done = match command {
        Command::Users { action, .. } => match action {
            UsersCmd::Add {
                name,
                roles,
                email,
                teams,
                token_file,
            } => token(token_file)
                .and_then(|t| admin::add_user(db, &name, &roles, email.as_deref(), &teams, t, now)),
            UsersCmd::List { json } => admin::list_users(db, json),
            UsersCmd::Disable { name } => admin::set_enabled(db, &name, false, now),
            UsersCmd::Enable { name } => admin::set_enabled(db, &name, true, now),
            UsersCmd::Rotate { name, token_file } => {
                token(token_file).and_then(|t| admin::rotate(db, &name, t))
            }
            UsersCmd::Roles { name, roles } => admin::set_roles(db, &name, &roles),
            UsersCmd::Email { name, address } => admin::set_email(db, &name, address.as_deref()),
        },
        Command::Backup { .. } | Command::Restore { .. } => unreachable!("handled above"),
        Command::Teams { action, .. } => match action {
            TeamsCmd::Add { id, name } => admin::add_team(db, &id, name.as_deref(), now),
            TeamsCmd::List { json } => admin::list_teams(db, json),
            TeamsCmd::AddMember { team, user } => admin::set_member(db, &team, &user, true),
            TeamsCmd::RemoveMember { team, user } => admin::set_member(db, &team, &user, false),
        },
    };
    match done {
        Ok(out) => {
            print!("{}", out.stdout);
            eprint!("{}", out.stderr);
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("prescan-server: {e}");
            std::process::ExitCode::from(e.code())
        }
    }
}

/// A size for people: "812 B", "1.2 MB" (powers of 1000).
fn human_size(bytes: u64) -> String {
    match bytes {
        b if b < 1000 => format!("{b} B"),
        b if b < 1_000_000 => format!("{:.1} kB", b as f64 / 1e3),
        b if b < 1_000_000_000 => format!("{:.1} MB", b as f64 / 1e6),
        b => format!("{:.2} GB", b as f64 / 1e9),
    }
}

/// `backup FILE`: every row to FILE (`-`: standard output), written 0600
/// under a temporary name in FILE's directory and renamed once complete.
fn backup(store: &StoreArgs, file: &std::path::Path) -> std::process::ExitCode {
    use std::io::Write;
    let fail = |e: String| {
        eprintln!("prescan-server: backup: {e}");
        std::process::ExitCode::from(1)
    };
    if !store.exists() {
        return fail(format!(
            "no database in {} (give the server's --data-dir)",
            store.data_dir.display()
        ));
    }
    let db = match store.open() {
        Ok(db) => db,
        Err(e) => return fail(e),
    };
    let started = std::time::Instant::now();
    let (summary, shown) = if file.as_os_str() == "-" {
        let stdout = std::io::stdout();
        let mut out = std::io::BufWriter::with_capacity(1 << 20, stdout.lock());
        match db.backup(&mut out) {
            Ok(s) => (s, "standard output".to_owned()),
            Err(e) => return fail(e.to_string()),
        }
    } else {
        let name = match file.file_name() {
            Some(n) => n.to_string_lossy().into_owned(),
            None => return fail(format!("{}: give a file name", file.display())),
        };
        let dir = match file.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let temp = dir.join(format!(".{name}.{}.partial", std::process::id()));
        let mut o = std::fs::OpenOptions::new();
        o.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            o.mode(0o600);
        }
        let f = match o.open(&temp) {
            Ok(f) => f,
            Err(e) => return fail(format!("cannot create {}: {e}", temp.display())),
        };
        let mut out = std::io::BufWriter::with_capacity(1 << 20, f);
        let written = db
            .backup(&mut out)
            .map_err(|e| e.to_string())
            .and_then(|s| {
                let f = out.into_inner().map_err(|e| e.to_string())?;
                f.sync_all()
                    .map_err(|e| format!("cannot write {}: {e}", temp.display()))?;
                std::fs::rename(&temp, file).map_err(|e| {
                    format!(
                        "cannot rename {} to {}: {e}",
                        temp.display(),
                        file.display()
                    )
                })?;
                // The rename itself on disk too.
                #[cfg(unix)]
                if let Ok(d) = std::fs::File::open(&dir) {
                    let _ = d.sync_all();
                }
                Ok(s)
            });
        match written {
            Ok(s) => (s, file.display().to_string()),
            Err(e) => {
                let _ = std::fs::remove_file(&temp);
                return fail(e);
            }
        }
    };
    let _ = std::io::stdout().flush();
    eprintln!(
        "prescan-server: backed up {} to {shown} ({}, {:.1} s)",
        summary.rows.sentence(),
        human_size(summary.bytes),
        started.elapsed().as_secs_f64()
    );
    std::process::ExitCode::SUCCESS
}

/// `restore FILE`: the backup FILE (`-`: standard input) into the empty
/// database of the data directory, with the key that sealed it.
fn restore(
    store: &StoreArgs,
    file: &std::path::Path,
    max_spec_bytes: usize,
) -> std::process::ExitCode {
    if let Some(key) = store.missing_key() {
        eprintln!(
            "prescan-server: restore: no key file at {}: a restore needs the key file of the server the backup was taken from (give it with --key-file, or copy it to prescan.key in the data directory); the backup's credentials are sealed with it",
            key.display()
        );
        return std::process::ExitCode::from(2);
    }
    let fail = |e: String| {
        eprintln!("prescan-server: restore: {e}");
        std::process::ExitCode::from(1)
    };
    let mut input: Box<dyn std::io::BufRead> = if file.as_os_str() == "-" {
        Box::new(std::io::BufReader::with_capacity(1 << 20, std::io::stdin()))
    } else {
        match std::fs::File::open(file) {
            Ok(f) => Box::new(std::io::BufReader::with_capacity(1 << 20, f)),
            Err(e) => return fail(format!("cannot read {}: {e}", file.display())),
        }
    };
    // A database this command makes is removed again if the restore
    // fails, so that a retry (with the right key, say) finds none.
    let (dir_existed, db_existed) = (store.data_dir.exists(), store.exists());
    let db = match store.open() {
        Ok(db) => db,
        Err(e) => return fail(e),
    };
    let undo = |db: prescan_server::Db| {
        drop(db);
        if !db_existed {
            for suffix in ["", "-wal", "-shm"] {
                let _ =
                    std::fs::remove_file(store.data_dir.join(format!("prescan.sqlite3{suffix}")));
            }
            if !dir_existed {
                // Only if empty (the key file given stays where it is).
                let _ = std::fs::remove_dir(&store.data_dir);
            }
        }
    };
    let started = std::time::Instant::now();
    let budgets = prescan_server::db::backup::Budgets::for_max_spec_bytes(max_spec_bytes);
    match db.restore(&mut input, budgets) {
        Ok(s) => {
            eprintln!(
                "prescan-server: restored {} from {} ({}, {:.1} s; a backup of {} from {}) into {}",
                s.rows.sentence(),
                if file.as_os_str() == "-" {
                    "standard input".to_owned()
                } else {
                    file.display().to_string()
                },
                human_size(s.bytes),
                started.elapsed().as_secs_f64(),
                s.header.server,
                s.header.source,
                db.location()
            );
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            undo(db);
            fail(format!(
                "{}: {e}; nothing was restored",
                if file.as_os_str() == "-" {
                    "standard input".to_owned()
                } else {
                    file.display().to_string()
                }
            ))
        }
    }
}

fn parse_allow(s: &str) -> Result<Allow, String> {
    s.parse()
}

fn parse_limit(s: &str) -> Result<String, String> {
    prescan_core::Limits::default().set(s)?;
    Ok(s.to_owned())
}

fn default_dist() -> Option<PathBuf> {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../dist");
    let candidates = [PathBuf::from("dist"), repo];
    candidates
        .into_iter()
        .find(|d| d.join("index.html").is_file())
        .map(|d| std::fs::canonicalize(&d).unwrap_or(d))
}

/// Sends the name of every SIGTERM and SIGINT (Ctrl-C) to `tx`.
fn signals(tx: tokio::sync::mpsc::UnboundedSender<String>) {
    let ctrl_c = tx.clone();
    tokio::spawn(async move {
        while tokio::signal::ctrl_c().await.is_ok() {
            if ctrl_c.send("SIGINT".into()).is_err() {
                break;
            }
        }
    });
    #[cfg(unix)]
    tokio::spawn(async move {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            while s.recv().await.is_some() {
                if tx.send("SIGTERM".into()).is_err() {
                    break;
                }
            }
        }
    });
    #[cfg(not(unix))]
    drop(tx);
}

/// Seconds from the command line (`option` names it in the message).
fn seconds(option: &str, secs: f64) -> Result<Duration, String> {
    if secs.is_finite() && (0.0..=86_400.0).contains(&secs) {
        Ok(Duration::from_secs_f64(secs))
    } else {
        Err(format!(
            "{option} {secs}: give a number of seconds from 0 to 86400"
        ))
    }
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let mut cli = Cli::parse();
    if let Some(command) = cli.command.take() {
        return administer(command);
    }
    for o in &cli.allow_origin {
        let ok = (o.starts_with("http://") || o.starts_with("https://"))
            && !o
                .trim_end_matches('/')
                .contains(|c: char| c.is_whitespace())
            && o.split("://")
                .nth(1)
                .is_some_and(|r| !r.is_empty() && !r.contains('/'));
        if !ok {
            eprintln!("prescan-server: --allow-origin {o}: give an origin such as https://app.example.com (scheme, host and port; no path)");
            return std::process::ExitCode::from(2);
        }
    }
    if !(cli.prescan_rate.is_finite() && cli.prescan_rate >= 0.0) {
        eprintln!("prescan-server: --prescan-rate {}: give a number of requests per second, 0 or more (0: no limit)", cli.prescan_rate);
        return std::process::ExitCode::from(2);
    }
    if let Some(p) = &cli.prescan_proxy {
        let ok = reqwest::Url::parse(p)
            .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
        if !ok {
            eprintln!("prescan-server: --prescan-proxy {p}: give the proxy's URL, such as http://proxy.internal:3128");
            return std::process::ExitCode::from(2);
        }
    }
    let prescan_ca_cert = match &cli.prescan_ca_cert {
        None => None,
        Some(path) => {
            let read = std::fs::read(path)
                .map_err(|e| format!("the file cannot be read ({e})"))
                .and_then(|bytes| {
                    prescan_runner::read_ca_certificates("--prescan-ca-cert", &bytes).map(|_| bytes)
                });
            match read {
                Ok(bytes) => Some(bytes),
                Err(e) => {
                    eprintln!("prescan-server: --prescan-ca-cert {}: {e}", path.display());
                    return std::process::ExitCode::from(2);
                }
            }
        }
    };
    let (shutdown_delay, shutdown_grace) = match (
        seconds("--shutdown-delay", cli.shutdown_delay),
        seconds("--shutdown-grace", cli.shutdown_grace),
    ) {
        (Ok(d), Ok(g)) => (d, g),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("prescan-server: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let database_ca_cert = match &cli.database_ca_cert {
        None => None,
        Some(path) => match std::fs::read(path) {
            Ok(bytes) => Some(bytes),
            Err(e) => {
                eprintln!("prescan-server: --database-ca-cert {}: {e}", path.display());
                return std::process::ExitCode::from(2);
            }
        },
    };
    let smtp = match smtp_settings(&cli) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("prescan-server: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let token = cli.token.filter(|t| !t.is_empty());
    if let Some(t) = &token {
        if t.chars().count() < MIN_TOKEN_CHARS || t.chars().any(char::is_whitespace) {
            eprintln!("prescan-server: --token: give a token of at least {MIN_TOKEN_CHARS} characters without spaces (a short token is easy to guess)");
            return std::process::ExitCode::from(2);
        }
    }
    for u in &cli.public_url {
        let ok = (u.starts_with("http://") || u.starts_with("https://"))
            && u.split("://")
                .nth(1)
                .is_some_and(|r| !r.is_empty() && !r.starts_with('/'))
            && !u.chars().any(char::is_whitespace);
        if !ok {
            eprintln!(
                "prescan-server: --public-url {u}: give a URL such as https://prescan.example.com"
            );
            return std::process::ExitCode::from(2);
        }
    }
    let users = match &cli.users_file {
        None => Vec::new(),
        Some(path) => {
            let text = match std::fs::read_to_string(path) {
                Ok(t) => t,
                Err(e) => {
                    eprintln!("prescan-server: --users-file {}: {e}", path.display());
                    return std::process::ExitCode::from(2);
                }
            };
            match prescan_server::parse_users(&text, token.as_deref()) {
                Ok(u) if u.is_empty() => {
                    eprintln!(
                        "prescan-server: --users-file {}: no users in it (write one name<TAB>token a line)",
                        path.display()
                    );
                    return std::process::ExitCode::from(2);
                }
                Ok(u) => u,
                Err(e) => {
                    eprintln!("prescan-server: --users-file {}: {e}", path.display());
                    return std::process::ExitCode::from(2);
                }
            }
        }
    };
    let user_count = users.len();
    let dist = cli.dist.or_else(default_dist);
    if let Some(d) = &dist {
        if !d.join("index.html").is_file() {
            eprintln!(
                "prescan-server: --dist {}: no index.html there (build the app with scripts/build)",
                d.display()
            );
            return std::process::ExitCode::from(2);
        }
    }
    let config = Config {
        data_dir: cli.data_dir.clone(),
        dist: dist.clone(),
        token: token.clone(),
        allow_origins: cli.allow_origin,
        engine: match cli.engine {
            Speed::Realistic => EngineSpeed::Realistic,
            Speed::Demo => EngineSpeed::Demo,
            Speed::Fast => EngineSpeed::Fast,
        }
        .config(),
        max_json_bytes: cli.max_json_bytes,
        max_spec_bytes: cli.max_spec_bytes,
        convert_limits: {
            let mut limits = prescan_core::Limits::default();
            for assignment in &cli.limit {
                // Checked by parse_limit.
                let _ = limits.set(assignment);
            }
            limits
        },
        prescan_deny_private: cli.prescan_deny_private,
        prescan_allow: cli.prescan_allow,
        prescan_proxy: cli.prescan_proxy,
        prescan_max_inflight: cli.prescan_max_inflight.into(),
        prescan_rate: cli.prescan_rate,
        prescan_ca_cert,
        users,
        // Hardening (issue 12).
        header_read_timeout: Duration::from_secs(cli.header_read_timeout.max(1)),
        idle_timeout: Duration::from_secs(cli.idle_timeout.max(1)),
        max_connections: cli.max_connections.max(1),
        max_conversions: cli
            .max_conversions
            .unwrap_or_else(|| Config::new(&cli.data_dir).max_conversions)
            .max(1),
        conversion_queue: cli.conversion_queue,
        conversion_wait: Duration::from_secs(cli.conversion_wait),
        conversion_deadline: Duration::from_secs(cli.conversion_deadline.max(1)),
        max_prescans: cli.max_prescans.max(1),
        prescan_deadline: Duration::from_secs(cli.prescan_deadline.max(1)),
        rate_uploads: cli.rate_uploads,
        rate_prescans: cli.rate_prescans,
        rate_auth_failures: cli.rate_auth_failures,
        public_urls: cli.public_url,
        csp_connect: cli.csp_connect,
        key_file: cli.key_file,
        database_url: cli.database_url.clone(),
        database_ca_cert,
        database_pool: cli.database_pool.into(),
        prescan_lease: Duration::from_secs(cli.prescan_lease),
        database_statement_timeout: Duration::from_secs(cli.database_statement_timeout),
        smtp: smtp.clone(),
        shutdown_delay,
        shutdown_grace,
        max_import_bytes: cli.max_import_bytes,
        max_import_items: cli.max_import_items.max(1),
        ..Config::new(&cli.data_dir)
    };
    let listener = match tokio::net::TcpListener::bind(cli.listen).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("prescan-server: cannot listen on {}: {e}", cli.listen);
            return std::process::ExitCode::from(1);
        }
    };
    // Signals are caught from here on: a SIGTERM during the start stops
    // the server as soon as it serves.
    let (signal_tx, signal_rx) = tokio::sync::mpsc::unbounded_channel();
    signals(signal_tx);
    let server = match prescan_server::start(config, listener, std::future::pending()).await {
        Ok(s) => s,
        Err(e) => {
            match &cli.database_url {
                Some(url) => eprintln!(
                    "prescan-server: cannot open the database {}: {e}",
                    prescan_server::db::postgres::redacted_url(url)
                ),
                None => eprintln!(
                    "prescan-server: cannot open the data directory {}: {e}",
                    cli.data_dir.display()
                ),
            }
            return std::process::ExitCode::from(1);
        }
    };
    let data = server.state.db.location();
    let people = server
        .state
        .db
        .people(|p| {
            Ok(p.users()?
                .iter()
                .filter(|u| u.disabled_ms.is_none())
                .count())
        })
        .unwrap_or(0);
    println!(
        "prescan-server listening on http://{} (API at /api/v1{}), data in {}{}",
        server.addr,
        match &dist {
            Some(d) => format!(", app from {}", d.display()),
            None => ", no app".into(),
        },
        data,
        match (token.is_some(), user_count, people) {
            (false, 0, 0) => String::new(),
            (t, n, u) => {
                let mut who = Vec::new();
                if u > 0 {
                    who.push(format!("{u} users"));
                }
                if t {
                    who.push("--token".to_owned());
                }
                if n > 0 {
                    who.push(format!("{n} named tokens"));
                }
                format!(", bearer token required ({})", who.join(", "))
            }
        }
    );
    if let Some(smtp) = &smtp {
        println!(
            "prescan-server: e-mail notifications from {} through {}:{} ({}){}",
            smtp.from,
            smtp.url.host,
            smtp.url.port,
            smtp.url.security.label(),
            if server.state.config.public_urls.is_empty() {
                format!(
                    "; their links point to http://{} (give --public-url for another address)",
                    server.addr
                )
            } else {
                String::new()
            }
        );
    }
    match server.run(signal_rx).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("prescan-server: {e}");
            std::process::ExitCode::from(1)
        }
    }
}
