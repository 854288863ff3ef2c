//! `prescan run`, run as a process: against a small HTTP server started
//! here (200, 401 without the right token, 500 per path), against a closed
//! port, and against Stoplight Prism (a real mock server nobody here wrote,
//! npm `@stoplight/prism-cli`, installed by `scripts/setup`).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use assert_cmd::prelude::*;
use serde_json::Value;

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(path)
}

/// The CLI's binary, run from the repository's root.
fn prescan() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_prescan"));
    cmd.current_dir(repo(""));
    cmd.env_remove("NO_COLOR");
    cmd
}

const TOKEN: &str = "s3cret-token-7f1c";
const HEADER_SECRET: &str = "hdr-secret-92ab";

/// One request the test server saw.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A server on 127.0.0.1 that answers `/ok` and `/pets/42` 200, `/auth` 200 with
/// `Authorization: Bearer TOKEN` and 401 without, `/broken` 500, anything
/// else 404; it keeps every request it saw.
struct TestServer {
    port: u16,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl TestServer {
    fn start() -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let kept = seen.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                answer(stream, &kept);
            }
        });
        TestServer { port, seen }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

/// Reads one request, keeps it, and answers it (`Connection: close`).
fn answer(stream: TcpStream, kept: &Mutex<Vec<Seen>>) -> Option<()> {
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut first = String::new();
    reader.read_line(&mut first).ok()?;
    let mut parts = first.split_whitespace();
    let method = parts.next()?.to_owned();
    let path = parts.next()?.to_owned();
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 || line.trim().is_empty() {
            break;
        }
        if let Some((n, v)) = line.split_once(':') {
            headers.push((n.trim().to_owned(), v.trim().to_owned()));
        }
    }
    let seen = Seen {
        method,
        path,
        headers,
    };
    let length: usize = seen
        .header("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    let bearer = format!("Bearer {TOKEN}");
    let (status, text) = match seen.path.split('?').next().unwrap_or("") {
        "/ok" | "/pets/42" => (200, "OK"),
        "/auth" if seen.header("authorization") == Some(bearer.as_str()) => (200, "OK"),
        "/auth" => (401, "Unauthorized"),
        "/broken" => (500, "Internal Server Error"),
        _ => (404, "Not Found"),
    };
    kept.lock().unwrap().push(seen);
    let body = format!("{{\"status\": {status}}}");
    let response = format!(
        "HTTP/1.1 {status} {text}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let mut stream = stream;
    stream.write_all(response.as_bytes()).ok()
}

/// An OpenAPI description with a GET of each path (and a POST of `/ok`
/// with `post`), `/auth` secured by a bearer token.
fn spec(dir: &Path, paths: &[&str], post: bool) -> PathBuf {
    let mut out = String::from(
        "openapi: 3.0.3\ninfo: {title: T, version: '1'}\nservers:\n  - url: https://placeholder.example.com\ncomponents:\n  securitySchemes:\n    bearer: {type: http, scheme: bearer}\npaths:\n",
    );
    for p in paths {
        out.push_str(&format!("  {p}:\n    get:\n"));
        if *p == "/auth" {
            out.push_str("      security: [{bearer: []}]\n");
        }
        out.push_str("      responses: {'200': {description: ok}}\n");
        if post && *p == "/ok" {
            out.push_str("    post:\n      responses: {'200': {description: ok}}\n");
        }
    }
    let file = dir.join("t.yaml");
    std::fs::write(&file, out).unwrap();
    file
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn run(args: &[&str]) -> Output {
    prescan().arg("run").args(args).output().unwrap()
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn the_table_marks_errors_and_errors_are_exit_1() {
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    let spec = spec(dir.path(), &["/ok", "/auth", "/broken"], false);
    let out = run(&[path(&spec), "--target", &server.url()]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains("Request and Response"), "{stdout}");
    let line = |p: &str| {
        stdout
            .lines()
            .find(|l| l.contains(&format!(" {p} ")))
            .unwrap_or_else(|| panic!("no row of {p}: {stdout}"))
            .to_owned()
    };
    assert!(line("/ok").contains("200 OK") && !line("/ok").contains('\u{2717}'));
    assert!(line("/auth").contains("401 Unauthorized") && line("/auth").starts_with('\u{2717}'));
    assert!(line("/auth").contains("authentication problem"));
    assert!(line("/broken").contains("500 Internal Server Error"));
    assert!(line("/broken").contains(" ms "), "{}", line("/broken"));
    assert!(stdout.contains("Connection: 3 requests, 3 responses, 0 network errors, 0 skipped."));
    assert!(stdout.contains("Authentication: 1 authentication failure (401 or 403)."));
    assert!(
        stdout.contains("Prescan Failed: 2 of 3 requests failed"),
        "{stdout}"
    );
    // Not a terminal: no colour, no progress bar.
    assert!(!stdout.contains('\x1b') && !text(&out.stderr).contains('\r'));
    assert_eq!(server.seen().len(), 3);
}

#[test]
fn every_request_below_400_is_exit_0() {
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    let spec = spec(dir.path(), &["/ok"], false);
    let out = run(&[path(&spec), "--target", &server.url()]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains("Prescan Succeeded\n"), "{stdout}");
    let seen = server.seen();
    assert_eq!(seen.len(), 1);
    assert!(seen[0]
        .header("user-agent")
        .is_some_and(|ua| ua.starts_with("prescan/")));
}

#[test]
fn fail_on_failure_lets_other_errors_pass() {
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    let spec = spec(dir.path(), &["/ok", "/broken"], false);
    let strict = run(&[path(&spec), "--target", &server.url()]);
    assert_eq!(strict.status.code(), Some(1));
    let lenient = run(&[
        path(&spec),
        "--target",
        &server.url(),
        "--fail-on",
        "failure",
    ]);
    assert_eq!(lenient.status.code(), Some(0), "{}", text(&lenient.stdout));
    assert!(text(&lenient.stdout).contains("Prescan Succeeded, with errors: 1 of 2 requests"));
    // A 401 fails the prescan itself.
    let auth = spec_with(dir.path(), "/auth");
    let out = run(&[
        path(&auth),
        "--target",
        &server.url(),
        "--fail-on",
        "failure",
    ]);
    assert_eq!(out.status.code(), Some(1));
}

fn spec_with(dir: &Path, p: &str) -> PathBuf {
    let sub = dir.join(p.trim_start_matches('/'));
    std::fs::create_dir_all(&sub).unwrap();
    spec(&sub, &[p], false)
}

#[test]
fn json_and_har_carry_the_report_and_never_a_credential() {
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    let spec = spec(dir.path(), &["/ok", "/auth"], false);
    let har = dir.path().join("out.har");
    let header = format!("X-Api-Key: {HEADER_SECRET}");
    let out = prescan()
        .args(["run", path(&spec), "--target", &server.url()])
        .args(["--bearer-env", "PRESCAN_TEST_TOKEN", "--header", &header])
        .args(["--format", "json", "--har", path(&har)])
        .env("PRESCAN_TEST_TOKEN", TOKEN)
        .output()
        .unwrap();
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    // The server saw the credentials...
    let seen = server.seen();
    let auth = seen.iter().find(|s| s.path == "/auth").expect("/auth sent");
    assert_eq!(
        auth.header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    assert!(seen
        .iter()
        .all(|s| s.header("x-api-key") == Some(HEADER_SECRET)));
    // ...no output shows them.
    let har_text = std::fs::read_to_string(&har).unwrap();
    for shown in [&stdout, &text(&out.stderr), &har_text] {
        assert!(
            !shown.contains(TOKEN) && !shown.contains(HEADER_SECRET),
            "{shown}"
        );
    }
    assert!(har_text.contains("Bearer ***"), "{har_text}");

    let json: Value = serde_json::from_str(&stdout).expect("one JSON document");
    let keys: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "spec",
            "target",
            "started_on",
            "finished_on",
            "status",
            "status_text",
            "summary",
            "exit_code",
            "connection",
            "rows",
            "explanations",
            "notes",
            "refusals",
            "report"
        ]
    );
    assert_eq!(json["status"], "Succeeded");
    assert_eq!(json["exit_code"], 0);
    assert_eq!(json["connection"]["responses"], 2);
    assert_eq!(json["refusals"], Value::Null);
    let statuses: Vec<&Value> = json["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["status"])
        .collect();
    assert_eq!(statuses, [&Value::from(200), &Value::from(200)]);
    assert!(json["report"]["plan"]["requests"].is_array());

    let har: Value = serde_json::from_str(&har_text).unwrap();
    let entries = har["log"]["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    for e in entries {
        assert_eq!(e["response"]["status"], 200);
        assert!(e["request"]["url"]
            .as_str()
            .unwrap()
            .starts_with(&server.url()));
        assert!(e["time"].as_f64().unwrap() >= 0.0);
    }
}

#[test]
fn unsafe_methods_are_skipped_unless_allowed() {
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    let spec = spec(dir.path(), &["/ok"], true);
    let out = run(&[path(&spec), "--target", &server.url()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    let stdout = text(&out.stdout);
    let post = stdout.lines().find(|l| l.contains("POST")).unwrap();
    assert!(
        post.contains("Skipped") && post.contains("Unsafe method"),
        "{post}"
    );
    assert_eq!(
        server
            .seen()
            .iter()
            .map(|s| s.method.as_str())
            .collect::<Vec<_>>(),
        ["GET"]
    );

    let out = run(&[
        path(&spec),
        "--target",
        &server.url(),
        "--allow-method",
        "post",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    let mut methods: Vec<String> = server.seen().iter().map(|s| s.method.clone()).collect();
    methods.sort();
    assert_eq!(methods, ["GET", "GET", "POST"]);
}

#[test]
fn deny_private_refuses_loopback_before_sending() {
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    let spec = spec(dir.path(), &["/ok"], false);
    let out = run(&[path(&spec), "--target", &server.url(), "--deny-private"]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.starts_with(
            "prescan: The prescan target 127.0.0.1 is the address 127.0.0.1, a loopback address"
        ) && stderr.contains("(--deny-private)")
            && stderr.contains("--allow"),
        "{stderr}"
    );
    assert!(server.seen().is_empty());
    // A listed network lifts it.
    let out = run(&[
        path(&spec),
        "--target",
        &server.url(),
        "--deny-private",
        "--allow",
        "127.0.0.0/8",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

#[test]
fn an_unreachable_port_is_no_response_and_exit_1() {
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let dir = tempfile::tempdir().unwrap();
    let spec = spec(dir.path(), &["/ok", "/broken"], false);
    let out = run(&[path(&spec), "--target", &format!("http://127.0.0.1:{port}")]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    let rows: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with('\u{2717}'))
        .collect();
    assert_eq!(rows.len(), 2, "{stdout}");
    assert!(
        rows.iter().all(|r| r.contains("No response from server")),
        "{stdout}"
    );
    assert!(stdout.contains("Connection: 2 requests, 0 responses, 2 network errors"));
    assert!(
        stdout.contains("Prescan Failed: 2 of 2 requests failed"),
        "{stdout}"
    );
}

#[test]
fn bad_arguments_and_unreadable_files_are_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let spec = spec(dir.path(), &["/ok"], false);
    let s = path(&spec);
    let target = "http://127.0.0.1:9";
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec![s], "--target"),
        (vec![s, "--target", "127.0.0.1:9"], "fully-qualified"),
        (
            vec!["missing.yaml", "--target", target],
            "missing.yaml: cannot read it",
        ),
        (
            vec![s, "--target", target, "--bearer-env", "PRESCAN_TEST_UNSET"],
            "PRESCAN_TEST_UNSET is not set",
        ),
        (
            vec![s, "--target", target, "--bearer-env", "PRESCAN_TEST_EMPTY"],
            "PRESCAN_TEST_EMPTY is empty",
        ),
        (
            vec![s, "--target", target, "--basic-env", "PRESCAN_TEST_NOCOLON"],
            "USER:PASSWORD",
        ),
        (
            vec![s, "--target", target, "--header", "Cookie: c-secret-1"],
            "--header Cookie",
        ),
        (
            vec![s, "--target", target, "--header", "h-secret-2"],
            "'NAME: VALUE'",
        ),
        (
            vec![s, "--target", target, "--rate", "500"],
            "requests per second",
        ),
        (vec![s, "--target", target, "--timeout", "0"], "duration"),
        (vec![s, "--target", target, "--allow", "not a host"], "CIDR"),
        (vec![s, "--target", target, "--proxy", "::"], "--proxy"),
        (vec![s, "--target", target, "--har", "-"], "standard output"),
        (
            vec![s, "--target", target, "--max-spec-bytes", "10"],
            "--max-spec-bytes",
        ),
        (
            vec![
                "crates/core/tests/fixtures/invalid.yaml",
                "--target",
                target,
            ],
            "cannot be converted",
        ),
    ];
    for (args, expected) in cases {
        let out = prescan()
            .arg("run")
            .args(&args)
            .env("PRESCAN_TEST_EMPTY", "")
            .env("PRESCAN_TEST_NOCOLON", "n-secret-3")
            .env_remove("PRESCAN_TEST_UNSET")
            .output()
            .unwrap();
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert!(
            !stderr.contains("secret"),
            "{args:?} shows a secret: {stderr}"
        );
        assert!(out.stdout.is_empty(), "{args:?}");
    }
    prescan().args(["run", "--help"]).assert().success();
}

/// Stoplight Prism, stopped when dropped.
struct Prism {
    child: Child,
    port: u16,
}

impl Drop for Prism {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `prism mock --errors SPEC` (requests are validated against the
/// specification: an invalid one is answered 4xx) on a free port; `None`
/// with PRESCAN_SKIP_PRISM=1 when it is not installed.
fn start_prism(spec: &str) -> Option<Prism> {
    let bin = repo("tests/e2e/node_modules/.bin/prism");
    if !bin.exists() {
        if std::env::var("PRESCAN_SKIP_PRISM").as_deref() == Ok("1") {
            eprintln!("Prism is not installed: skipped (PRESCAN_SKIP_PRISM=1)");
            return None;
        }
        panic!(
            "{} is missing: run scripts/setup (it installs tests/e2e's npm packages), or set PRESCAN_SKIP_PRISM=1 to skip the tests against Prism",
            bin.display()
        );
    }
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(&bin)
        .args([
            "mock",
            "-h",
            "127.0.0.1",
            "-p",
            &port.to_string(),
            "--errors",
            spec,
        ])
        .current_dir(repo(""))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{} could not start: {e}", bin.display()));
    let mut prism = Prism { child, port };
    let deadline = Instant::now() + Duration::from_secs(60);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if let Ok(Some(status)) = prism.child.try_wait() {
            panic!("prism exited with {status} before listening");
        }
        assert!(
            Instant::now() < deadline,
            "prism did not listen within 60 s"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    Some(prism)
}

#[test]
fn against_prism_the_petstore_prescan_passes_and_an_api_key_is_verified() {
    let Some(prism) = start_prism("public/samples/petstore.yaml") else {
        return;
    };
    let target = format!("http://127.0.0.1:{}", prism.port);
    let out = run(&[
        "public/samples/petstore.yaml",
        "--target",
        &target,
        "--format",
        "json",
    ]);
    let json: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(out.status.code(), Some(0), "{json:#}");
    let sent: Vec<&Value> = json["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["skipped"] == false)
        .collect();
    assert_eq!(sent.len(), 2, "the two GET endpoints");
    assert!(sent.iter().all(|r| r["status"] == 200), "{json:#}");
    assert_eq!(
        json["connection"]["skipped"], 3,
        "POST, PUT and DELETE skipped"
    );

    // updatePet needs the API key: Prism refuses it without (401, exit 1)...
    let put = [
        "public/samples/petstore.yaml",
        "--target",
        &target,
        "--allow-method",
        "PUT",
    ];
    let out = run(&put);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    let row = stdout.lines().find(|l| l.contains(" PUT ")).unwrap();
    assert!(row.contains("401") && row.starts_with('\u{2717}'), "{row}");
    // ...and accepts it with the key, which no output shows.
    let out = prescan()
        .arg("run")
        .args(put)
        .args(["--api-key-env", "api_key=PRESCAN_TEST_KEY"])
        .env("PRESCAN_TEST_KEY", "k-secret-petstore")
        .output()
        .unwrap();
    let stdout = text(&out.stdout);
    assert!(!stdout.contains("k-secret-petstore"));
    let row = stdout.lines().find(|l| l.contains(" PUT ")).unwrap();
    assert!(!row.contains("401"), "{row}\n{stdout}");
    assert_eq!(out.status.code(), Some(0), "{stdout}");
}

// ---- OAuth 2.0 ----

#[path = "../../runner/tests/support/oauth_server.rs"]
mod oauth_server;

/// An OpenAPI description of a protected API whose OAuth 2.0 scheme has a
/// client credentials flow with a relative token URL.
fn oauth_spec(dir: &Path) -> PathBuf {
    let file = dir.join("oauth.yaml");
    std::fs::write(
        &file,
        "openapi: 3.0.3\ninfo: {title: T, version: '1'}\nservers:\n  - url: https://placeholder.example.com\ncomponents:\n  securitySchemes:\n    oauth:\n      type: oauth2\n      flows:\n        clientCredentials: {tokenUrl: /token, scopes: {read: r}}\nsecurity: [{oauth: [read]}]\npaths:\n  /items/1:\n    get: {responses: {'200': {description: ok}}}\n  /items/2:\n    get: {responses: {'200': {description: ok}}}\n  /items/3:\n    get: {responses: {'200': {description: ok}}}\n",
    )
    .unwrap();
    file
}

fn assert_oauth_clean(server: &oauth_server::OAuthServer, texts: &[&str]) {
    let mut secrets = vec![
        oauth_server::CLIENT_SECRET.to_owned(),
        oauth_server::USER_PASSWORD.to_owned(),
    ];
    secrets.extend(server.tokens());
    for t in texts {
        for s in &secrets {
            assert!(!t.contains(s.as_str()), "`{s}` in {t}");
        }
    }
}

#[test]
fn oauth_token_url_from_the_spec_and_the_body_fallback() {
    let server = oauth_server::OAuthServer::start(oauth_server::Options {
        basic: false,
        ..oauth_server::Options::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let spec = oauth_spec(dir.path());
    let har = dir.path().join("out.har");
    let out = prescan()
        .args(["run", path(&spec), "--target", &server.url()])
        .args(["--oauth-client-id", oauth_server::CLIENT_ID])
        .args(["--oauth-client-secret-env", "PRESCAN_TEST_SECRET"])
        .args([
            "--oauth-scopes",
            "read",
            "--format",
            "json",
            "--har",
            path(&har),
        ])
        .env("PRESCAN_TEST_SECRET", oauth_server::CLIENT_SECRET)
        .output()
        .unwrap();
    let stdout = text(&out.stdout);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    let json: Value = serde_json::from_str(&stdout).unwrap();
    let rows = json["rows"].as_array().unwrap();
    let tokens: Vec<_> = rows.iter().filter(|r| r["token_request"] == true).collect();
    assert_eq!(tokens.len(), 2, "Basic refused, then the body: {rows:?}");
    assert_eq!(tokens[0]["status"], 401);
    assert_eq!(tokens[1]["status"], 200);
    assert_eq!(tokens[1]["url"], format!("{}/token", server.url()));
    let api: Vec<_> = rows.iter().filter(|r| r["token_request"] != true).collect();
    assert!(
        api.len() == 3 && api.iter().all(|r| r["status"] == 200),
        "{rows:?}"
    );
    assert_eq!(json["connection"]["token"], true);
    let har = std::fs::read_to_string(&har).unwrap();
    assert!(har.contains("Bearer ***"));
    assert_oauth_clean(&server, &[&stdout, &stderr, &har]);

    // The text report names the token row and the OAuth 2.0 outcome.
    let out = prescan()
        .args(["run", path(&spec), "--target", &server.url()])
        .args(["--oauth-client-id", oauth_server::CLIENT_ID])
        .args(["--oauth-client-secret-env", "PRESCAN_TEST_SECRET"])
        .args(["--oauth-client-auth", "body"])
        .env("PRESCAN_TEST_SECRET", oauth_server::CLIENT_SECRET)
        .output()
        .unwrap();
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("OAuth 2.0: OAuth 2.0 (Client Credentials): a token was received"),
        "{stdout}"
    );
    assert!(stdout.contains(" token "), "{stdout}");
    assert_oauth_clean(&server, &[&stdout, &text(&out.stderr)]);
}

#[test]
fn oauth_password_grant_expiry_and_a_401_refresh() {
    let server = oauth_server::OAuthServer::start(oauth_server::Options {
        expires_in: 1,
        reject_first: true,
        ..oauth_server::Options::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let spec = oauth_spec(dir.path());
    let out = prescan()
        .args(["run", path(&spec), "--target", &server.url(), "--rate", "2"])
        .args(["--oauth-client-id", oauth_server::CLIENT_ID])
        .args(["--oauth-client-secret-env", "PRESCAN_TEST_SECRET"])
        .args(["--oauth-token-url", &format!("{}/token", server.url())])
        .args(["--oauth-grant", "password", "--oauth-user", "alice"])
        .args(["--oauth-password-env", "PRESCAN_TEST_PASSWORD"])
        .args(["--format", "json"])
        .env("PRESCAN_TEST_SECRET", oauth_server::CLIENT_SECRET)
        .env("PRESCAN_TEST_PASSWORD", oauth_server::USER_PASSWORD)
        .output()
        .unwrap();
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    let json: Value = serde_json::from_str(&stdout).unwrap();
    let rows = json["rows"].as_array().unwrap();
    let tokens = rows.iter().filter(|r| r["token_request"] == true).count();
    assert!(
        tokens >= 2,
        "a new token after the 401 and after expiry: {rows:?}"
    );
    assert!(rows
        .iter()
        .filter(|r| r["token_request"] != true)
        .all(|r| r["status"] == 200));
    let seen = server.seen();
    assert!(seen
        .iter()
        .any(|s| s.path == "/token" && s.body.contains("grant_type=password")));
    assert_oauth_clean(&server, &[&stdout, &text(&out.stderr)]);
}

#[test]
fn oauth_discovery_and_a_refused_client() {
    let server = oauth_server::OAuthServer::start(oauth_server::Options::default());
    let dir = tempfile::tempdir().unwrap();
    let spec = oauth_spec(dir.path());
    let discovery = format!("{}/.well-known/openid-configuration", server.url());
    let out = prescan()
        .args([
            "run",
            path(&spec),
            "--target",
            &server.url(),
            "--format",
            "json",
        ])
        .args(["--oauth-client-id", oauth_server::CLIENT_ID])
        .args(["--oauth-client-secret-env", "PRESCAN_TEST_SECRET"])
        .args(["--oauth-discovery-url", &discovery])
        .env("PRESCAN_TEST_SECRET", oauth_server::CLIENT_SECRET)
        .output()
        .unwrap();
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    let json: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["rows"][0]["method"], "GET");
    assert_eq!(json["rows"][0]["url"], discovery);
    assert_eq!(json["rows"][1]["method"], "POST");

    // A wrong secret: exit 1, the notes say why, the secret is nowhere.
    let out = prescan()
        .args([
            "run",
            path(&spec),
            "--target",
            &server.url(),
            "--format",
            "json",
        ])
        .args(["--oauth-client-id", oauth_server::CLIENT_ID])
        .args(["--oauth-client-secret-env", "PRESCAN_TEST_SECRET"])
        .env("PRESCAN_TEST_SECRET", "wrong-secret-value")
        .output()
        .unwrap();
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("invalid_client"), "{stdout}");
    assert!(!stdout.contains("wrong-secret-value"));
    let json: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["connection"]["token"], false);
}

#[test]
fn oauth_usage_errors_are_exit_2_and_quote_no_secret() {
    let dir = tempfile::tempdir().unwrap();
    let spec = oauth_spec(dir.path());
    let target = "http://127.0.0.1:9";
    let s = path(&spec);
    for (args, wanted) in [
        (
            vec![
                "--oauth-client-id",
                "c",
                "--oauth-client-secret-env",
                "PRESCAN_TEST_UNSET",
            ],
            "PRESCAN_TEST_UNSET is not set",
        ),
        (
            vec!["--oauth-client-id", "c", "--oauth-grant", "password"],
            "--oauth-user",
        ),
        (
            vec!["--oauth-client-id", "c", "--oauth-scopes", "a \"b\""],
            "scope",
        ),
        (
            vec!["--oauth-token-url", "http://a.example/t"],
            "--oauth-client-id",
        ),
        (
            vec!["--oauth-client-id", "c", "--oauth-token-url", "/t"],
            "fully-qualified",
        ),
    ] {
        let out = prescan()
            .args(["run", s, "--target", target])
            .args(&args)
            .env("PRESCAN_TEST_SECRET", "never-printed-secret")
            .output()
            .unwrap();
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(wanted), "{args:?}: {stderr}");
        assert!(!stderr.contains("never-printed-secret"));
    }
}

/// Pets by id (only 42 exists), an admin endpoint tagged `admin`, and a
/// broken one.
fn pets_spec(dir: &Path) -> PathBuf {
    let text = "openapi: 3.0.3
info: {title: Pets, version: '1'}
servers: [{url: 'https://placeholder.example.com'}]
paths:
  /pets/{petId}:
    get:
      parameters: [{name: petId, in: path, required: true, schema: {type: integer, format: int64}}]
      responses: {'200': {description: ok}}
  /admin:
    get:
      tags: [admin]
      responses: {'200': {description: ok}}
  /broken:
    get:
      responses: {'200': {description: ok}}
";
    let file = dir.join("pets.yaml");
    std::fs::write(&file, text).unwrap();
    file
}

#[test]
fn scope_and_values_choose_what_is_sent_and_with_what() {
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    let spec = pets_spec(dir.path());
    let values = dir.path().join("values.json");
    std::fs::write(
        &values,
        r#"{"version": 1, "values": [{"name": "petId", "location": "path", "value": "42"}]}"#,
    )
    .unwrap();
    let out = run(&[
        path(&spec),
        "--target",
        &server.url(),
        "--scope",
        "exclude tag:admin",
        "--scope",
        "exclude GET /broken",
        "--values-file",
        path(&values),
        "--format",
        "json",
    ]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    let paths: Vec<String> = server.seen().into_iter().map(|s| s.path).collect();
    assert_eq!(paths, vec!["/pets/42"]);
    assert!(
        stdout.contains("The prescan covers the 1 included endpoint; the 2 excluded do not count."),
        "{stdout}"
    );

    // Without the value: the generated id names no pet.
    let server = TestServer::start();
    let out = run(&[
        path(&spec),
        "--target",
        &server.url(),
        "--scope",
        "exclude path:/admin",
        "--scope",
        "exclude path:/b*",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let seen = server.seen();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert!(seen[0].path.starts_with("/pets/") && seen[0].path != "/pets/42");

    // --value lines, and a value that does not fit its schema: sent, with a
    // warning in the notes.
    let server = TestServer::start();
    let out = run(&[
        path(&spec),
        "--target",
        &server.url(),
        "--scope",
        "exclude path:/*",
        "--scope",
        "include GET /pets/{petId}",
        "--value",
        "GET /pets/{petId} petId=forty-two",
    ]);
    let stdout = text(&out.stdout);
    assert_eq!(server.seen()[0].path, "/pets/forty-two", "{stdout}");

    // Bad rules, files and lines: exit 2, saying what is wrong, nothing sent.
    let server = TestServer::start();
    let url = server.url();
    let huge = dir.path().join("huge.json");
    std::fs::write(&huge, vec![b' '; 1024 * 1024 + 1]).unwrap();
    for (args, needle) in [
        (vec!["--scope", "skip tag:admin"], "not a decision"),
        (
            vec!["--scope", "exclude path:admin"],
            "does not start with /",
        ),
        (vec!["--scope", "exclude BREW /x"], "not a method"),
        (vec!["--value", "petId"], "--value"),
        (vec!["--value", "a=1", "--value", "a=2"], "keep one of them"),
        (vec!["--values-file", path(&huge)], "larger than"),
        (vec!["--scope-file", path(&huge)], "larger than"),
        (
            vec!["--scope-file", path(&values)],
            "not a list of scope rules",
        ),
    ] {
        let mut all = vec![path(&spec), "--target", url.as_str()];
        all.extend(args.iter().copied());
        let out = run(&all);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
    }
    assert!(server.seen().is_empty());
}
