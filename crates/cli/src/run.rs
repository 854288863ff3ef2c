//! `prescan run`: the live prescan from the command line, with the
//! reference server's runner (`prescan-runner`): the same plan, pacing,
//! safe-method default, cookies, redirects not followed, private-address
//! guard and proxy handling.
//!
//! Exit codes ([`exit_code`]): 0 every request sent got a response below
//! 400 (the core's [`PrescanReport::is_plain_success`]); 1 otherwise (with
//! `--fail-on failure`: only when the core's status is Failed); 2 the
//! prescan could not start (a [`Failure::usage`]).
//!
//! **The guard's default.** `--deny-private` is off, as the server's
//! `--prescan-deny-private`: a CI job usually prescans a service it started
//! itself, on 127.0.0.1 or a private container network, and whoever runs
//! the command chooses `--target` (there is no one else's request to
//! guard against, unlike a shared server). Turn it on, with `--allow` for
//! the networks that are fine, where the target comes from input the job
//! does not trust.

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, ValueEnum};
use prescan_core::oauth::{ClientAuth, OAuth, OAuthGrant};
use prescan_core::prescan::{
    PrescanPlan, PrescanReport, PrescanSettings, PrescanStatus, Progress, DEFAULT_MAX_IN_FLIGHT,
    DEFAULT_REQUESTS_PER_SECOND, MAX_IN_FLIGHT, MAX_REQUESTS_PER_SECOND, MAX_TIMEOUT_MS,
};
use prescan_core::{ConvertOptions, ScanAuth, SourceFile};
use prescan_runner::{Allow, Guard, Live, Outbound, Policy, Voice};

use crate::run_report::{self, Finished};
use crate::shape::Shape;
use crate::{write_out, Budget, Failure};

/// The options of `prescan run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The specification file; `-` reads standard input.
    #[arg(value_name = "SPEC")]
    spec: String,
    /// The file name shown for standard input (`-`). The format is detected
    /// from the content.
    #[arg(long, value_name = "NAME", default_value = "stdin")]
    name: String,
    /// The server to prescan: a fully-qualified base URL (such as
    /// http://127.0.0.1:4010/v1) that replaces the specification's servers.
    /// Requests go to its origin only; required, so that a prescan never
    /// reaches a server the specification names by itself.
    #[arg(long, value_name = "URL", value_parser = parse_target)]
    target: String,
    /// A header sent with every request, as 'NAME: VALUE'; repeatable. It
    /// replaces a header of the same name the specification would send.
    /// Its value counts as a credential: masked as *** in every output.
    #[arg(long = "header", value_name = "NAME: VALUE")]
    headers: Vec<String>,
    /// The environment variable holding a bearer token, sent as
    /// `Authorization: Bearer <token>` where the specification's security
    /// asks for a bearer token, OAuth 2 or OpenID Connect.
    #[arg(long, value_name = "VAR")]
    bearer_env: Option<String>,
    /// The environment variable holding HTTP Basic credentials, as
    /// USER:PASSWORD, sent where the specification's security asks for
    /// basic authentication.
    #[arg(long, value_name = "VAR")]
    basic_env: Option<String>,
    /// An API key of the specification's security scheme SCHEME (its key
    /// under components.securitySchemes), read from the environment
    /// variable VAR and sent where the scheme says (header, query or
    /// cookie); repeatable.
    #[arg(long = "api-key-env", value_name = "SCHEME=VAR", value_parser = crate::parse_var)]
    api_keys: Vec<(String, String)>,
    /// A client certificate to present in the TLS handshake: a PKCS#12
    /// file (.p12 or .pfx, at most 64 KiB) holding the certificate, its
    /// chain and its private key.
    #[arg(long, value_name = "FILE.p12")]
    client_cert: Option<PathBuf>,
    /// The environment variable holding the passphrase of --client-cert
    /// (without it, the file must have no passphrase). Never printed.
    #[arg(long, value_name = "VAR", requires = "client_cert")]
    client_cert_pass_env: Option<String>,
    /// Also trust the certificate authorities of this file (PEM, one or
    /// more certificates, or one DER certificate) besides the public ones:
    /// for a server whose certificate an internal CA issued.
    /// Verification stays on.
    #[arg(long, value_name = "FILE")]
    ca_cert: Option<PathBuf>,
    /// The User-Agent of every request (visible ASCII and spaces, at most
    /// 256 characters). Default: prescan/<version>, so that a WAF can
    /// allow the prescan. A --header User-Agent replaces it.
    #[arg(long, value_name = "TEXT", value_parser = parse_user_agent)]
    user_agent: Option<String>,
    #[command(flatten)]
    oauth: OAuthArgs,
    /// Also send requests of this method (such as POST); repeatable; `*`
    /// for every method. By default only GET, HEAD and OPTIONS are sent:
    /// other methods may change data on the server.
    #[arg(long = "allow-method", value_name = "METHOD", value_parser = parse_method)]
    allow_methods: Vec<String>,
    /// The most requests started per second (at most 100); 0 for no limit.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_REQUESTS_PER_SECOND, value_parser = parse_rate)]
    rate: f64,
    /// The most requests in flight at once (1 to 16).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_IN_FLIGHT, value_parser = parse_in_flight)]
    max_in_flight: usize,
    /// How long to wait for each response: seconds, or with a unit (500ms,
    /// 10s); at most 120s.
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_timeout)]
    timeout: u64,
    #[command(flatten)]
    shape: Shape,
    #[command(flatten)]
    budget: Budget,
    /// Refuse special-use addresses (loopback, private, link-local, ...)
    /// as targets, as the reference server's --prescan-deny-private: when
    /// the prescan is checked, before every request and at every connection
    /// (DNS rebinding). Off by default: a CI job usually prescans a service
    /// on 127.0.0.1 or a private network it started itself.
    #[arg(long)]
    deny_private: bool,
    /// Only these targets: a host name, or an address or network in CIDR
    /// notation (10.1.2.0/24); repeatable. With --deny-private, a listed
    /// network may be private (the reference server's --prescan-allow).
    #[arg(long = "allow", value_name = "HOST|CIDR")]
    allow: Vec<Allow>,
    /// Send every request through this proxy (http://, https:// or
    /// socks5://). Proxy variables of the environment are ignored.
    #[arg(long, value_name = "URL")]
    proxy: Option<String>,
    /// Also write the requests and responses of the prescan as HAR 1.2 to
    /// this file (`-`: standard output, when the report goes to -o FILE).
    #[arg(long, value_name = "FILE")]
    har: Option<PathBuf>,
    /// How the report is written: text (the table and findings) or json
    /// (one document: spec, target, started_on, finished_on, status,
    /// status_text, summary, exit_code, connection, rows, explanations,
    /// notes, refusals, and the core's report as the reference server's API
    /// returns it).
    #[arg(long, value_enum, default_value_t = RunFormat::Text)]
    format: RunFormat,
    /// Write the report to this file instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// What exit code 1 is for: any error row, or only a failed prescan.
    #[arg(long, value_enum, value_name = "WHAT", default_value_t = FailOn::Errors)]
    fail_on: FailOn,
}

/// OAuth 2.0 (`prescan run --oauth-client-id …`): the prescan gets a token
/// from the token endpoint before its first request and sends it as
/// `Authorization: Bearer <token>`.
#[derive(Debug, Args)]
struct OAuthArgs {
    /// OAuth 2.0: the client id; turns OAuth 2.0 on (the prescan gets a
    /// token before its first request and sends it as a bearer token, a new
    /// one when it expires or a request answers 401).
    #[arg(long, value_name = "ID")]
    oauth_client_id: Option<String>,
    /// OAuth 2.0: the environment variable holding the client secret.
    #[arg(long, value_name = "VAR", requires = "oauth_client_id")]
    oauth_client_secret_env: Option<String>,
    /// OAuth 2.0: the token endpoint (http or https). Without it (and
    /// without --oauth-discovery-url), the token URL of the specification's
    /// clientCredentials or password flow, or its OpenID Connect URL.
    #[arg(long, value_name = "URL", requires = "oauth_client_id", value_parser = parse_target)]
    oauth_token_url: Option<String>,
    /// OAuth 2.0: an OpenID Connect discovery document URL
    /// (.../.well-known/openid-configuration), read for the token endpoint.
    #[arg(long, value_name = "URL", requires = "oauth_client_id", value_parser = parse_target, conflicts_with = "oauth_token_url")]
    oauth_discovery_url: Option<String>,
    /// OAuth 2.0: the grant.
    #[arg(long, value_enum, value_name = "GRANT", default_value_t = GrantArg::ClientCredentials, requires = "oauth_client_id")]
    oauth_grant: GrantArg,
    /// OAuth 2.0: scopes, separated by spaces (quote them).
    #[arg(long, value_name = "SCOPES", requires = "oauth_client_id")]
    oauth_scopes: Option<String>,
    /// OAuth 2.0 password grant: the user name.
    #[arg(long, value_name = "NAME", requires = "oauth_client_id")]
    oauth_user: Option<String>,
    /// OAuth 2.0 password grant: the environment variable holding the
    /// user's password.
    #[arg(long, value_name = "VAR", requires = "oauth_user")]
    oauth_password_env: Option<String>,
    /// OAuth 2.0: how the client authenticates to the token endpoint: auto
    /// (HTTP Basic, then the request body once if refused), basic or body.
    #[arg(long, value_enum, value_name = "HOW", default_value_t = ClientAuthArg::Auto, requires = "oauth_client_id")]
    oauth_client_auth: ClientAuthArg,
}

/// `--oauth-grant`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum GrantArg {
    /// Client Credentials.
    ClientCredentials,
    /// Resource Owner Password Credentials (with --oauth-user and
    /// --oauth-password-env).
    Password,
}

/// `--oauth-client-auth`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ClientAuthArg {
    /// HTTP Basic, then the request body once if the endpoint refuses it.
    Auto,
    /// HTTP Basic only.
    Basic,
    /// The request body only.
    Body,
}

impl OAuthArgs {
    /// The OAuth 2.0 configuration, if a client id is given; the token URL
    /// left empty when neither URL is given (see [`prefill_oauth`]). Errors
    /// never quote a secret.
    fn oauth(&self) -> Result<Option<OAuth>, Failure> {
        let Some(client_id) = &self.oauth_client_id else {
            return Ok(None);
        };
        let client_secret = match &self.oauth_client_secret_env {
            Some(var) => env_secret("--oauth-client-secret-env", var)?,
            None => String::new(),
        };
        let grant = match self.oauth_grant {
            GrantArg::ClientCredentials => OAuthGrant::ClientCredentials,
            GrantArg::Password => {
                let (Some(user), Some(var)) = (&self.oauth_user, &self.oauth_password_env) else {
                    return Err(Failure::usage(
                        "--oauth-grant password needs --oauth-user NAME and --oauth-password-env VAR",
                    ));
                };
                OAuthGrant::Password {
                    user_name: user.clone(),
                    password: env_secret("--oauth-password-env", var)?,
                }
            }
        };
        Ok(Some(OAuth {
            grant,
            token_url: self.oauth_token_url.clone().unwrap_or_default(),
            discovery_url: self.oauth_discovery_url.clone(),
            client_id: client_id.clone(),
            client_secret,
            scopes: self.oauth_scopes.clone().unwrap_or_default(),
            client_auth: match self.oauth_client_auth {
                ClientAuthArg::Auto => ClientAuth::Auto,
                ClientAuthArg::Basic => ClientAuth::Basic,
                ClientAuthArg::Body => ClientAuth::Body,
            },
        }))
    }
}

/// Completes an OAuth 2.0 configuration given no URL from the
/// specification's security schemes (relative token URLs resolved against
/// the target), then checks it.
fn prefill_oauth(
    oauth: &mut OAuth,
    schemes: &[prescan_core::SecuritySchemeInfo],
    target: &str,
) -> Result<(), Failure> {
    if oauth.token_url.is_empty() && oauth.discovery_url.is_none() {
        match prescan_core::oauth::token_url_from_spec(schemes, Some(target)) {
            Some(p) => {
                oauth.token_url = p.token_url;
                oauth.discovery_url = p.discovery_url;
            }
            None => {
                return Err(Failure::usage(
                    "--oauth-client-id: give --oauth-token-url or --oauth-discovery-url (the specification names no token URL of a clientCredentials or password flow, nor an OpenID Connect URL)",
                ))
            }
        }
    }
    oauth
        .validate()
        .map_err(|e| Failure::usage(format!("OAuth 2.0: {}", e.join(" "))))
}

/// How `run` writes its report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RunFormat {
    /// The Request and Response table, the findings and the summary.
    Text,
    /// One JSON document (see --format in `prescan run --help`).
    Json,
}

/// What fails `run` (exit code 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Any error row: no response, a timeout, or a 4xx or 5xx response;
    /// and a prescan that sent nothing or was interrupted.
    Errors,
    /// Only a failed prescan: no response or a timeout, a 401 or 403,
    /// nothing sent, or interrupted; other 4xx and 5xx responses pass.
    Failure,
}

/// The exit code of a finished prescan.
pub fn exit_code(report: &PrescanReport, fail_on: FailOn) -> u8 {
    let passed = match fail_on {
        FailOn::Errors => report.is_plain_success(),
        FailOn::Failure => report.status() == PrescanStatus::Succeeded,
    };
    u8::from(!passed)
}

fn parse_target(s: &str) -> Result<String, String> {
    let bad = || {
        format!(
            "`{s}` is not a fully-qualified http or https URL (such as http://127.0.0.1:4010/v1)"
        )
    };
    let url = url_of(s).ok_or_else(bad)?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(bad());
    }
    Ok(s.trim().to_owned())
}

fn url_of(s: &str) -> Option<url::Url> {
    url::Url::parse(s.trim()).ok()
}

fn parse_method(s: &str) -> Result<String, String> {
    let m = s.trim();
    let token = !m.is_empty()
        && m.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
    if m == "*" || token {
        Ok(m.to_ascii_uppercase())
    } else {
        Err(format!("`{s}` is not an HTTP method (such as POST), nor *"))
    }
}

fn parse_user_agent(s: &str) -> Result<String, String> {
    prescan_core::prescan::validate_user_agent(s).map(|()| s.to_owned())
}

fn parse_rate(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(r) if r.is_finite() && (0.0..=MAX_REQUESTS_PER_SECOND).contains(&r) => Ok(r),
        _ => Err(format!(
            "`{s}` is not a number of requests per second from 0 (no limit) to {MAX_REQUESTS_PER_SECOND}"
        )),
    }
}

fn parse_in_flight(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(n) if (1..=MAX_IN_FLIGHT).contains(&n) => Ok(n),
        _ => Err(format!("`{s}` is not a number from 1 to {MAX_IN_FLIGHT}")),
    }
}

/// `10`, `10s`, `1.5s`, `500ms`: milliseconds, from 1 to
/// [`MAX_TIMEOUT_MS`].
fn parse_timeout(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let (number, scale) = if let Some(ms) = t.strip_suffix("ms") {
        (ms, 1.0)
    } else {
        (t.strip_suffix('s').unwrap_or(t), 1000.0)
    };
    let max_s = MAX_TIMEOUT_MS / 1000;
    match number.trim().parse::<f64>().map(|n| n * scale) {
        Ok(ms) if ms.is_finite() && ms >= 1.0 && ms <= MAX_TIMEOUT_MS as f64 => {
            Ok(ms.round() as u64)
        }
        _ => Err(format!(
            "`{s}` is not a duration from 1ms to {max_s}s (such as 10, 10s or 500ms)"
        )),
    }
}

impl RunArgs {
    /// The credentials: --header values and the variables named. The error
    /// never quotes a value (it may be a secret).
    fn auth(&self) -> Result<ScanAuth, Failure> {
        let mut auth = ScanAuth::default();
        for h in &self.headers {
            auth.custom_headers.push(parse_header(h)?);
        }
        if let Some(var) = &self.bearer_env {
            auth.bearer = Some(env_secret("--bearer-env", var)?);
        }
        if let Some(var) = &self.basic_env {
            let value = env_secret("--basic-env", var)?;
            let Some((user, password)) = value.split_once(':') else {
                return Err(Failure::usage(format!(
                    "--basic-env {var}: the variable must hold USER:PASSWORD (no colon found)"
                )));
            };
            auth.basic = Some((user.to_owned(), password.to_owned()));
        }
        for (scheme, var) in &self.api_keys {
            let value = env_secret("--api-key-env", var)?;
            auth.api_keys.insert(scheme.clone(), value);
        }
        auth.oauth = self.oauth.oauth()?;
        Ok(auth)
    }

    /// The settings of the plan.
    fn settings(&self) -> PrescanSettings {
        PrescanSettings {
            base_url: Some(self.target.clone()),
            allow_unsafe_methods: !self.allow_methods.is_empty(),
            requests_per_second: (self.rate > 0.0).then_some(self.rate),
            max_in_flight: self.max_in_flight,
            timeout_ms: self.timeout,
            user_agent: self.user_agent.clone(),
            ..PrescanSettings::default()
        }
    }

    /// The client certificate of --client-cert, read with the passphrase
    /// of --client-cert-pass-env. The error never quotes the passphrase.
    fn client_identity(&self) -> Result<Option<prescan_runner::ClientIdentity>, Failure> {
        let Some(path) = &self.client_cert else {
            return Ok(None);
        };
        let passphrase = match &self.client_cert_pass_env {
            Some(var) => env_secret("--client-cert-pass-env", var)?,
            None => String::new(),
        };
        let shown = path.display();
        let bytes = read_bounded(path, prescan_core::MAX_CLIENT_CERTIFICATE_BYTES)
            .map_err(|e| Failure::usage(format!("--client-cert {shown}: {e}")))?;
        let name = path
            .file_name()
            .map_or_else(|| shown.to_string(), |n| n.to_string_lossy().into_owned());
        let now_s = prescan_runner::now_ms() / 1000;
        prescan_runner::read_pkcs12(&name, &bytes, &passphrase, now_s)
            .map(Some)
            .map_err(|e| Failure::usage(format!("--client-cert {shown}: {e}")))
    }

    /// The certificate authorities of --ca-cert.
    fn ca_certificates(&self) -> Result<Vec<prescan_runner::Certificate>, Failure> {
        let Some(path) = &self.ca_cert else {
            return Ok(Vec::new());
        };
        let shown = path.display().to_string();
        let bytes = read_bounded(path, prescan_runner::tls::MAX_CA_FILE_BYTES)
            .map_err(|e| Failure::usage(format!("--ca-cert {shown}: {e}")))?;
        prescan_runner::read_ca_certificates(&format!("--ca-cert {shown}"), &bytes)
            .map_err(Failure::usage)
    }

    /// The name the specification is known by.
    fn spec_name(&self) -> &str {
        if self.spec == "-" {
            &self.name
        } else {
            &self.spec
        }
    }

    /// Refuses `--har -` when the report goes to standard output too.
    fn check_outputs(&self) -> Result<(), Failure> {
        let is_stdout = |p: Option<&Path>| p.is_none_or(|p| p == Path::new("-"));
        let har_to_stdout = self.har.as_deref().is_some_and(|p| p == Path::new("-"));
        if har_to_stdout && is_stdout(self.output.as_deref()) {
            return Err(Failure::usage(
                "--har - and the report would both go to standard output; write the report with -o FILE",
            ));
        }
        Ok(())
    }
}

/// `Name: value` → (name, value), the name checked as the app checks
/// custom headers. The error names the header, never its value.
fn parse_header(h: &str) -> Result<(String, String), Failure> {
    let Some((name, value)) = h.split_once(':') else {
        return Err(Failure::usage(
            "--header: write each header as 'NAME: VALUE' (one has no colon)",
        ));
    };
    let name = name.trim();
    prescan_core::validate_header_name(name)
        .map_err(|e| Failure::usage(format!("--header {name}: {e}")))?;
    Ok((name.to_owned(), value.trim().to_owned()))
}

/// The bytes of a file of at most `max` bytes; the error is a sentence.
fn read_bounded(path: &Path, max: usize) -> Result<Vec<u8>, String> {
    use std::io::Read as _;
    let file = std::fs::File::open(path).map_err(|e| format!("the file cannot be read ({e})"))?;
    let mut bytes = Vec::new();
    file.take(max as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("the file cannot be read ({e})"))?;
    if bytes.len() > max {
        return Err(format!(
            "the file has more than {} KiB; at most {} KiB",
            max / 1024,
            max / 1024
        ));
    }
    Ok(bytes)
}

/// The value of the environment variable `var`, which must be set and not
/// empty.
fn env_secret(option: &str, var: &str) -> Result<String, Failure> {
    match std::env::var(var) {
        Ok(v) if !v.is_empty() => Ok(v),
        Ok(_) => Err(Failure::usage(format!(
            "{option} {var}: the environment variable {var} is empty"
        ))),
        Err(std::env::VarError::NotPresent) => Err(Failure::usage(format!(
            "{option} {var}: the environment variable {var} is not set"
        ))),
        Err(std::env::VarError::NotUnicode(_)) => Err(Failure::usage(format!(
            "{option} {var}: the environment variable {var} is not valid UTF-8"
        ))),
    }
}

/// Runs `prescan run`: the exit code, or a failure to start (exit code 2).
pub fn run(args: RunArgs) -> Result<u8, Failure> {
    args.check_outputs()?;
    let auth = args.auth()?;
    let identity = args.client_identity()?;
    let roots = args.ca_certificates()?;
    let name = args.spec_name().to_owned();
    let spec = crate::files::read(
        &args.spec,
        &name,
        args.budget.max_spec_bytes,
        &args.budget.limits(),
    )?;
    let (plan, total_endpoints, oauth) = plan(&args, &name, &spec.files, &auth)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::usage(format!("the prescan's runtime could not start: {e}")))?;
    let finished = runtime.block_on(prescan(
        &args,
        plan,
        total_endpoints,
        identity,
        roots,
        oauth,
    ))?;
    let report = prescan_core::prescan::redact_report(&finished.report, &auth);
    let finished = Finished { report, ..finished };
    let code = exit_code(&finished.report, args.fail_on);
    write_results(&args, &name, &finished, code)?;
    Ok(code)
}

/// The plan of the prescan and the count of endpoints in scope, as the
/// reference server makes it (its `POST /scans/{id}/prescan`), then
/// narrowed to the methods allowed; and the OAuth 2.0 configuration,
/// completed from the specification.
fn plan(
    args: &RunArgs,
    name: &str,
    files: &[SourceFile],
    auth: &ScanAuth,
) -> Result<(PrescanPlan, usize, Option<OAuth>), Failure> {
    let options = ConvertOptions {
        base_url: Some(args.target.clone()),
        auth: auth.clone(),
        limits: args.budget.limits(),
        scope: args.shape.scope()?,
        values: args.shape.values()?,
        ..ConvertOptions::default()
    };
    let c = prescan_core::convert_files(files, &options)
        .map_err(|e| Failure::usage(format!("{name}: cannot be converted: {e}")))?;
    let mut plan = PrescanPlan::of_conversion(&c, &args.settings());
    prescan_runner::send_cookies(&mut plan);
    prescan_runner::allow_methods(&mut plan, &args.allow_methods);
    let oauth = match auth.oauth.clone() {
        Some(mut o) => {
            prefill_oauth(&mut o, &c.spec.security_schemes, &args.target)?;
            Some(o)
        }
        None => None,
    };
    Ok((plan, c.spec.coverage().in_scope(), oauth))
}

/// Checks the targets, then runs the prescan to the end (Ctrl-C cancels
/// it), drawing progress on standard error when it is a terminal.
async fn prescan(
    args: &RunArgs,
    plan: PrescanPlan,
    total_endpoints: usize,
    identity: Option<prescan_runner::ClientIdentity>,
    roots: Vec<prescan_runner::Certificate>,
    oauth: Option<OAuth>,
) -> Result<Finished, Failure> {
    let policy = Policy {
        deny_private: args.deny_private,
        allow: args.allow.clone(),
        voice: Voice::CommandLine,
    };
    // The core's pacer applies --rate and --max-in-flight; the client adds
    // no limit of its own (rate 0).
    let outbound = Outbound::new(
        Arc::new(Guard::new(policy)),
        args.proxy.as_deref(),
        args.max_in_flight,
        0.0,
    )
    .and_then(|o| o.with_ca_certificates(roots))
    .and_then(|o| match identity {
        Some(id) => o.with_identity(id.identity),
        None => Ok(o),
    })
    .map_err(Failure::usage)?;
    outbound.check_plan(&plan).await.map_err(Failure::usage)?;
    if let Some(o) = &oauth {
        outbound.check_oauth(o).await.map_err(Failure::usage)?;
    }
    let started_ms = prescan_runner::now_ms();
    let (live, cancel) = Live::with_oauth(plan, oauth);
    let mut driving = std::pin::pin!(prescan_runner::drive(
        live.clone(),
        cancel,
        Arc::new(outbound)
    ));
    let mut bar = io::stderr().is_terminal().then(ProgressBar::default);
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    let mut interrupted = false;
    loop {
        tokio::select! {
            () = &mut driving => break,
            _ = tick.tick() => {
                if let Some(bar) = &mut bar {
                    bar.draw(live.progress());
                }
            }
            r = tokio::signal::ctrl_c(), if !interrupted => {
                interrupted = true;
                if r.is_ok() {
                    live.cancel();
                }
            }
        }
    }
    if let Some(bar) = &mut bar {
        bar.clear();
    }
    let (report, _) = live.snapshot(total_endpoints);
    Ok(Finished {
        report,
        started_ms,
        finished_ms: prescan_runner::now_ms(),
        target: args.target.clone(),
        refusals: live.refusal_note(),
    })
}

/// Writes the report (text or JSON) and the HAR.
fn write_results(args: &RunArgs, name: &str, finished: &Finished, code: u8) -> Result<(), Failure> {
    if let Some(path) = &args.har {
        let har = finished.report.to_har();
        let mut bytes = serde_json::to_vec_pretty(&har).map_err(|e| Failure {
            code: 1,
            message: format!("the HAR could not be written: {e}"),
        })?;
        bytes.push(b'\n');
        write_out(Some(path), &bytes)?;
    }
    let text = match args.format {
        RunFormat::Text => {
            let to_terminal = args.output.is_none() && io::stdout().is_terminal();
            let colour = to_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
            run_report::text(name, finished, colour)
        }
        RunFormat::Json => {
            let mut json = serde_json::to_string_pretty(&run_report::json(name, finished, code))
                .map_err(|e| Failure {
                    code: 1,
                    message: format!("the report could not be written: {e}"),
                })?;
            json.push('\n');
            json
        }
    };
    write_out(args.output.as_deref(), text.as_bytes())
}

/// A progress bar drawn on standard error with `\r`.
#[derive(Default)]
struct ProgressBar {
    drawn: bool,
}

impl ProgressBar {
    const WIDTH: usize = 30;

    fn draw(&mut self, p: Progress) {
        let filled = (p.done * Self::WIDTH).checked_div(p.total).unwrap_or(0);
        let line = format!(
            "\r[{}{}] {}/{} requests, {} in flight",
            "#".repeat(filled),
            " ".repeat(Self::WIDTH - filled),
            p.done,
            p.total,
            p.in_flight
        );
        let mut err = io::stderr().lock();
        let _ = err.write_all(line.as_bytes()).and_then(|()| err.flush());
        self.drawn = true;
    }

    /// Erases the bar, so that what follows starts on a clean line.
    fn clear(&mut self) {
        if self.drawn {
            let mut err = io::stderr().lock();
            let _ = err.write_all(b"\r\x1b[2K").and_then(|()| err.flush());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_rates_and_methods_parse() {
        assert_eq!(parse_timeout("10"), Ok(10_000));
        assert_eq!(parse_timeout("1.5s"), Ok(1_500));
        assert_eq!(parse_timeout("500ms"), Ok(500));
        for bad in ["0", "121s", "-1", "x", "10m"] {
            assert!(parse_timeout(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_rate("0"), Ok(0.0));
        assert!(parse_rate("101").is_err() && parse_rate("NaN").is_err());
        assert_eq!(parse_in_flight("16"), Ok(16));
        assert!(parse_in_flight("0").is_err() && parse_in_flight("17").is_err());
        assert_eq!(parse_method("post").as_deref(), Ok("POST"));
        assert_eq!(parse_method("*").as_deref(), Ok("*"));
        assert!(parse_method("PO ST").is_err());
        assert!(parse_target("ftp://x.example").is_err());
        assert!(parse_target("/v1").is_err());
        assert!(parse_target("http://127.0.0.1:4010/v1").is_ok());
    }

    #[test]
    fn header_errors_never_quote_the_value() {
        let Err(e) = parse_header("X-Key secret-value") else {
            panic!("accepted")
        };
        assert!(!e.message.contains("secret-value"), "{}", e.message);
        let Err(e) = parse_header("Cookie: secret-value") else {
            panic!("accepted")
        };
        assert!(!e.message.contains("secret-value"), "{}", e.message);
        assert_eq!(
            parse_header("X-Key:  v: w ").ok(),
            Some(("X-Key".to_owned(), "v: w".to_owned()))
        );
    }
}
