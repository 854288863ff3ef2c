//! `prescan`, the command line of prescan for CI pipelines: `check` reports
//! the diagnostics of specifications (text, JSON, SARIF 2.1.0, JUnit XML),
//! `convert` writes the HAR the app writes for them, and `run` sends the
//! prescan to a live server with the reference server's runner
//! (`prescan-runner`).
//!
//! Exit codes of `check` and `convert`: 0 success; 1 a specification has an
//! Error (or a Warning with `--deny warnings`), or cannot be converted; 2
//! bad arguments, or a file that cannot be read (missing, unreadable,
//! larger than `--max-spec-bytes`). Those of `run`: see [`run`].

mod files;
mod report;
mod run;
mod run_report;
mod shape;

use std::collections::BTreeSet;
use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use prescan_core::api::DEFAULT_MAX_SPEC_BYTES;
use prescan_core::{ConvertOptions, Limits};

use report::{FileReport, Format};

/// Check API specifications, convert them to HAR, and run their prescan
/// against a live server, as the prescan app and its reference server do.
///
/// Reads OpenAPI 2.0 (Swagger), 3.0 and 3.1, Postman Collection 2.1 and
/// HAR 1.2, in JSON or YAML. Exit codes of check and convert: 0 success; 1
/// a specification has an Error (or a Warning with `check --deny warnings`)
/// or cannot be converted; 2 bad arguments or a file that cannot be read.
/// Exit codes of run: 0 every request reached the server and was answered
/// below 400; 1 errors; 2 the prescan could not start (see `prescan run
/// --help`).
#[derive(Debug, Parser)]
#[command(name = "prescan", version, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Report the diagnostics of each specification and how many endpoints
    /// a prescan covers.
    ///
    /// Exit code 1 when a specification has an Error (or cannot be loaded
    /// at all), or a Warning with --deny warnings; 0 otherwise; 2 when an
    /// argument is wrong or a file cannot be read.
    Check(CheckArgs),
    /// Convert specifications to HAR 1.2, exactly as the app and the
    /// reference server do (same options and defaults).
    ///
    /// One SPEC: the HAR goes to standard output, or to -o FILE (or into
    /// -o DIR when DIR is an existing directory). Several SPECs: -o DIR is
    /// required (created if missing), and each HAR is written there as
    /// <name of the spec without its extension>.har; two specs with the same
    /// name are refused. Diagnostics go to standard error (-q: none).
    /// Exit code 1 when a specification cannot be converted.
    Convert(ConvertArgs),
    /// Send the prescan of a specification to a live server, as the
    /// reference server does, and report what came back.
    ///
    /// The requests of the specification's HAR (the first 100 endpoints) go
    /// to --target only, with the reference server's runner: the same
    /// pacing (--rate, --max-in-flight, --timeout), safe methods only
    /// unless --allow-method, cookies sent, redirects not followed, and the
    /// same private-address guard (--deny-private, --allow) and --proxy.
    /// The Request and Response table, the Connection and Authentication
    /// findings and the summary go to standard output (or -o FILE);
    /// --format json writes them as one JSON document; --har FILE writes
    /// the requests and responses as HAR 1.2. Credentials (--bearer-env,
    /// --basic-env, --api-key-env, and every --header value) are masked as
    /// *** in every output. --client-cert FILE.p12 (its passphrase from
    /// --client-cert-pass-env VAR) presents a client certificate;
    /// --ca-cert FILE also trusts an internal CA; --user-agent replaces
    /// the default User-Agent (prescan/<version>). OAuth 2.0
    /// (--oauth-client-id with --oauth-client-secret-env, a token or
    /// discovery URL or the specification's, --oauth-grant,
    /// --oauth-scopes): the token is fetched first (its request is a row
    /// of the table) and sent as a bearer token; the secret, the password
    /// and every token are masked. A progress bar goes to standard error
    /// when it is a terminal.
    ///
    /// Exit codes: 0 every request sent got a response below 400 (so every
    /// one reached the server and none was refused for authentication); 1
    /// errors: a request got no response (network error, timeout, refused
    /// by the guard when connecting), a 4xx or 5xx response (401 and 403
    /// included), nothing could be sent (every request skipped), or the
    /// prescan was interrupted (Ctrl-C); with --fail-on failure, only what
    /// fails the prescan (no response, 401 or 403, nothing sent,
    /// interrupted) is 1 and other 4xx and 5xx responses are 0; 2 the
    /// prescan could not start: a bad argument, a credential variable that
    /// is not set or empty, a specification that cannot be read or
    /// converted, or a target the guard refuses.
    Run(Box<run::RunArgs>),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff) of prescan, or of one of its commands
    /// (`prescan man run`: prescan-run(1)).
    Man {
        /// The command (check, convert, run, completions).
        #[arg(value_name = "COMMAND")]
        command: Option<String>,
    },
}

/// What every command that reads specifications takes.
#[derive(Debug, Args)]
struct Input {
    /// Specification files; `-` reads standard input.
    #[arg(value_name = "SPEC", required = true)]
    specs: Vec<String>,
    /// The file name shown for standard input (`-`) in reports and used to
    /// name its HAR. The format is detected from the content.
    #[arg(long, value_name = "NAME", default_value = "stdin")]
    name: String,
    /// A fully-qualified base URL (such as https://api.example.com/v1) that
    /// replaces the specification's servers. Required for specifications
    /// without an absolute server, and for Postman collections.
    #[arg(long, value_name = "URL")]
    server: Option<String>,
    /// Which of the specification's servers to use, counting from 0
    /// (default: the first). Ignored with --server.
    #[arg(long, value_name = "N")]
    server_index: Option<usize>,
    /// A value for a server variable, as NAME=VALUE; repeatable.
    #[arg(long = "var", value_name = "NAME=VALUE", value_parser = parse_var)]
    vars: Vec<(String, String)>,
    #[command(flatten)]
    shape: shape::Shape,
    #[command(flatten)]
    budget: Budget,
}

/// The budgets of a conversion, as the reference server's options.
#[derive(Debug, Args)]
struct Budget {
    /// A limit of every conversion, as NAME=VALUE; repeatable, as the
    /// reference server's --limit. Names: input_bytes, expanded_bytes,
    /// value_bytes, har_bytes (sizes: bytes, or with KiB, MiB, GiB),
    /// array_items, schema_steps, pattern_steps, depth.
    #[arg(long = "limit", value_name = "NAME=VALUE", value_parser = parse_limit)]
    limits: Vec<String>,
    /// Largest specification read, in bytes (as the reference server's
    /// --max-spec-bytes); a larger file is refused without being read whole.
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_SPEC_BYTES)]
    max_spec_bytes: usize,
}

impl Budget {
    /// The limits of the conversion: the defaults with each --limit.
    fn limits(&self) -> Limits {
        let mut limits = Limits::default();
        for assignment in &self.limits {
            // Checked by parse_limit.
            let _ = limits.set(assignment);
        }
        limits
    }
}

#[derive(Debug, Args)]
struct CheckArgs {
    #[command(flatten)]
    input: Input,
    /// Fail (exit code 1) on these too: `warnings`.
    #[arg(long, value_enum, value_name = "WHAT")]
    deny: Vec<Deny>,
    /// How the report is written.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Write the report to this file instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Deny {
    /// Warnings fail the check as Errors do.
    Warnings,
}

#[derive(Debug, Args)]
struct ConvertArgs {
    #[command(flatten)]
    input: Input,
    /// Where to write: a file (one SPEC), or a directory (any number of
    /// SPECs); `-` is standard output. Default: standard output, for one
    /// SPEC only.
    #[arg(short, long, value_name = "FILE|DIR")]
    output: Option<PathBuf>,
    /// Do not print diagnostics to standard error.
    #[arg(short, long)]
    quiet: bool,
    /// Which endpoints the HAR holds: `all` (whatever their scope), or
    /// `in-scope` (only those a scanner sends requests to, per --scope).
    #[arg(long, value_enum, value_name = "WHICH", default_value_t = HarScopeArg::All)]
    har_scope: HarScopeArg,
}

/// `--har-scope`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum HarScopeArg {
    /// Every endpoint.
    All,
    /// Only the endpoints in scope (included and ignored).
    InScope,
}

fn parse_limit(s: &str) -> Result<String, String> {
    Limits::default().set(s)?;
    Ok(s.to_owned())
}

fn parse_var(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((name, value)) if !name.trim().is_empty() => {
            Ok((name.trim().to_owned(), value.to_owned()))
        }
        _ => Err(format!("`{s}` is not NAME=VALUE")),
    }
}

/// A failure that ends the command, with its exit code.
pub(crate) struct Failure {
    code: u8,
    message: String,
}

impl Failure {
    /// Exit code 2: bad arguments, unreadable input, unwritable output.
    pub(crate) fn usage(message: impl Into<String>) -> Self {
        Failure {
            code: 2,
            message: message.into(),
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check(args) => check(args),
        Command::Convert(args) => convert(args),
        Command::Run(args) => run::run(*args),
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "prescan", &mut io::stdout());
            Ok(0)
        }
        Command::Man { command } => man(command.as_deref()),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(f) => {
            eprintln!("prescan: {}", f.message);
            ExitCode::from(f.code)
        }
    }
}

impl Input {
    /// The options of the conversion: what the reference server uses
    /// (`ConvertOptions { base_url, limits, ..Default::default() }`), plus
    /// the server index and variables when given.
    fn options(&self) -> Result<ConvertOptions, Failure> {
        Ok(ConvertOptions {
            base_url: self.server.clone(),
            server: self.server_index,
            server_variables: self.vars.iter().cloned().collect(),
            limits: self.budget.limits(),
            scope: self.shape.scope()?,
            values: self.shape.values()?,
            ..ConvertOptions::default()
        })
    }

    /// Every specification, read whole with the files it references, or
    /// the first that cannot be read.
    fn read_all(&self) -> Result<Vec<files::Spec>, Failure> {
        if self.specs.iter().filter(|s| *s == "-").count() > 1 {
            return Err(Failure::usage("standard input (-) can be given once only"));
        }
        self.specs
            .iter()
            .map(|spec| {
                let name = if spec == "-" {
                    self.name.clone()
                } else {
                    spec.clone()
                };
                files::read(
                    spec,
                    &name,
                    self.budget.max_spec_bytes,
                    &self.budget.limits(),
                )
            })
            .collect()
    }
}

/// Reads a specification (`-`: standard input), never more than `max`
/// bytes plus one.
pub(crate) fn read_spec(spec: &str, name: &str, max: usize) -> Result<Vec<u8>, Failure> {
    let cap = u64::try_from(max).unwrap_or(u64::MAX).saturating_add(1);
    let mut bytes = Vec::new();
    let read = if spec == "-" {
        io::stdin().lock().take(cap).read_to_end(&mut bytes)
    } else {
        fs::File::open(spec).and_then(|f| f.take(cap).read_to_end(&mut bytes))
    };
    if let Err(e) = read {
        return Err(Failure::usage(format!("{name}: cannot read it: {e}")));
    }
    if bytes.len() > max {
        return Err(Failure::usage(format!(
            "{name}: larger than {max} bytes (--max-spec-bytes); not read. Raise --max-spec-bytes to check it."
        )));
    }
    Ok(bytes)
}

fn check(args: CheckArgs) -> Result<u8, Failure> {
    let options = args.input.options()?;
    let files = args.input.read_all()?;
    let deny_warnings = args.deny.contains(&Deny::Warnings);
    let reports: Vec<FileReport> = files
        .iter()
        .map(|spec| {
            FileReport::new(
                &spec.name,
                prescan_core::convert_files(&spec.files, &options),
            )
        })
        .collect();
    let text = report::render(&reports, args.format, deny_warnings);
    write_out(args.output.as_deref(), text.as_bytes())?;
    let failed = reports.iter().any(|r| r.fails(deny_warnings));
    Ok(u8::from(failed))
}

fn convert(args: ConvertArgs) -> Result<u8, Failure> {
    let several = args.input.specs.len() > 1;
    let to_stdout = args.output.as_deref().is_none_or(|o| o == Path::new("-"));
    if several && to_stdout {
        return Err(Failure::usage(
            "several specifications need -o DIR (one HAR each); standard output takes one",
        ));
    }
    let into_dir = match &args.output {
        Some(o) if !to_stdout => several || o.is_dir(),
        _ => false,
    };
    // Refuse clashing output names before writing anything.
    if into_dir {
        let mut seen = BTreeSet::new();
        for spec in &args.input.specs {
            let name = har_name(if spec == "-" { &args.input.name } else { spec });
            if !seen.insert(name.clone()) {
                return Err(Failure::usage(format!(
                    "two specifications would both be written to {name}; convert them separately"
                )));
            }
        }
    }
    let mut options = args.input.options()?;
    if args.har_scope == HarScopeArg::InScope {
        options.har_scope = prescan_core::HarScope::InScope;
    }
    let files = args.input.read_all()?;
    if into_dir {
        if let Some(dir) = &args.output {
            fs::create_dir_all(dir).map_err(|e| {
                Failure::usage(format!(
                    "{}: cannot create the directory: {e}",
                    dir.display()
                ))
            })?;
        }
    }
    let mut code = 0;
    for spec in &files {
        let name = &spec.name;
        let conversion = match prescan_core::convert_files(&spec.files, &options) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("{name}: error: {e}");
                code = 1;
                continue;
            }
        };
        if !args.quiet {
            let diagnostics = report::text_diagnostics(name, &conversion.spec.diagnostics);
            eprint!("{diagnostics}");
        }
        let mut har = serde_json::to_vec_pretty(&conversion.har).map_err(|e| Failure {
            code: 1,
            message: format!("{name}: the HAR could not be written: {e}"),
        })?;
        har.push(b'\n');
        let target = match &args.output {
            _ if to_stdout => None,
            Some(dir) if into_dir => Some(dir.join(har_name(name))),
            Some(file) => Some(file.clone()),
            None => None,
        };
        write_out(target.as_deref(), &har)?;
    }
    Ok(code)
}

/// Prints the manual page of prescan, or of its command `sub`
/// (prescan-SUB(1)), from the same definitions as `--help`.
fn man(sub: Option<&str>) -> Result<u8, Failure> {
    let cli = Cli::command();
    let page = match sub {
        None => cli,
        Some(name) => {
            // clap names are 'static; the pages' names, one per command.
            let full = match name {
                "check" => "prescan-check",
                "convert" => "prescan-convert",
                "run" => "prescan-run",
                "completions" => "prescan-completions",
                "man" => "prescan-man",
                _ => "",
            };
            match cli.find_subcommand(name) {
                Some(sub) if !full.is_empty() => {
                    sub.clone().name(full).version(env!("CARGO_PKG_VERSION"))
                }
                _ => {
                    return Err(Failure::usage(format!(
                    "`{name}` is not a command of prescan (check, convert, run, completions, man)"
                )))
                }
            }
        }
    };
    let mut out = io::stdout().lock();
    clap_mangen::Man::new(page)
        .render(&mut out)
        .map(|()| 0)
        .map_err(|e| Failure::usage(format!("the manual page could not be written: {e}")))
}

/// `dir/petstore.yaml` → `petstore.har`.
fn har_name(spec: &str) -> String {
    let stem = Path::new(spec)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "stdin".to_owned());
    format!("{stem}.har")
}

/// Writes to a file, or standard output for `None` or `-`.
pub(crate) fn write_out(path: Option<&Path>, bytes: &[u8]) -> Result<(), Failure> {
    match path {
        Some(p) if p != Path::new("-") => fs::write(p, bytes)
            .map_err(|e| Failure::usage(format!("{}: cannot write it: {e}", p.display()))),
        _ => {
            let mut out = io::stdout().lock();
            out.write_all(bytes)
                .and_then(|()| out.flush())
                .map_err(|e| Failure::usage(format!("standard output: {e}")))
        }
    }
}
