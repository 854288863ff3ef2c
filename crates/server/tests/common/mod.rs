//! Starts the real server (SQLite in a temporary data directory) on
//! 127.0.0.1:0 and talks to it with a real HTTP client.

#![allow(dead_code)]

use std::path::Path;
use std::time::Duration;

use prescan_server::{Config, Server};
use serde_json::Value;

pub struct Api {
    pub base: String,
    pub client: reqwest::Client,
    pub token: Option<String>,
}

pub struct Resp {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub bytes: Vec<u8>,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.bytes)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.bytes)))
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap_or_default().to_owned())
    }

    /// Asserts a problem+json with this status; returns it.
    pub fn problem(&self, status: u16) -> Value {
        assert_eq!(
            self.status,
            status,
            "body: {}",
            String::from_utf8_lossy(&self.bytes)
        );
        assert_eq!(
            self.header("content-type").as_deref(),
            Some("application/problem+json")
        );
        let p = self.json();
        assert_eq!(p["status"], status);
        assert!(p["title"].is_string() && p["detail"].is_string(), "{p}");
        p
    }
}

impl Api {
    pub fn new(base: String, token: Option<&str>) -> Api {
        Api {
            base,
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            token: token.map(str::to_owned),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn send(&self, b: reqwest::RequestBuilder) -> Resp {
        let b = match &self.token {
            Some(t) => b.bearer_auth(t),
            None => b,
        };
        let r = b.send().await.expect("the server answers");
        Resp {
            status: r.status().as_u16(),
            headers: r.headers().clone(),
            bytes: r.bytes().await.expect("a body").to_vec(),
        }
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.send(self.client.get(self.url(path))).await
    }

    pub async fn delete(&self, path: &str) -> Resp {
        self.send(self.client.delete(self.url(path))).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> Resp {
        self.send(
            self.client
                .post(self.url(path))
                .header("content-type", "application/json")
                .body(body.to_string()),
        )
        .await
    }

    /// A POST without a body (an action such as cancel).
    pub async fn post_empty(&self, path: &str) -> Resp {
        self.send(self.client.post(self.url(path))).await
    }

    pub async fn patch(&self, path: &str, body: &Value) -> Resp {
        self.send(
            self.client
                .patch(self.url(path))
                .header("content-type", "application/json")
                .body(body.to_string()),
        )
        .await
    }

    pub async fn upload(&self, file_name: &str, content_type: &str, bytes: &[u8]) -> Resp {
        self.send(
            self.client
                .post(self.url(&format!("/api/v1/specifications?file_name={file_name}")))
                .header("content-type", content_type)
                .body(bytes.to_vec()),
        )
        .await
    }
}

/// The PostgreSQL server the suite runs against, if any
/// (`PRESCAN_TEST_DATABASE_URL`, set by `scripts/test` for its second run
/// of the server's tests on a throwaway cluster).
pub fn postgres() -> Option<String> {
    std::env::var("PRESCAN_TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())
}

/// `config` on PostgreSQL when the suite runs there: one database per data
/// directory (so a test that restarts a server on its directory finds its
/// data again), the key file in the directory.
pub fn on_test_database(mut config: Config) -> Config {
    let Some(admin) = postgres() else {
        return config;
    };
    if config.database_url.is_some() {
        return config;
    }
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    config.data_dir.hash(&mut h);
    let name = format!("t_{:016x}", h.finish());
    prescan_server::db::postgres::create_database(&admin, &name).expect("the test database");
    let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
    config.database_url = Some(format!("{base}/{name}"));
    std::fs::create_dir_all(&config.data_dir).expect("the data directory");
    config
        .key_file
        .get_or_insert_with(|| config.data_dir.join("prescan.key"));
    config
}

/// Runs a script on the test's database, behind the server's back: the
/// SQLite script on `<data_dir>/prescan.sqlite3`, or the PostgreSQL one
/// when the suite runs on PostgreSQL (tests that make a write fail, say).
/// `config` is the one the server was started with (`config(dir)`).
pub async fn sql(config: &Config, sqlite: &str, postgres: &str) {
    let config = on_test_database(config.clone());
    match &config.database_url {
        Some(url) => {
            let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
                .await
                .expect("a connection to the test database");
            let task = tokio::spawn(connection);
            client
                .batch_execute(postgres)
                .await
                .expect("the script runs");
            drop(client);
            let _ = task.await;
        }
        None => {
            let conn = rusqlite::Connection::open(config.data_dir.join("prescan.sqlite3")).unwrap();
            conn.execute_batch(sqlite).unwrap();
        }
    }
}

/// Every value stored in the test's database, as text: the bytes of the
/// SQLite files, or each PostgreSQL table's rows as text (to look for a
/// secret that must not be there).
pub async fn stored_bytes(config: &Config) -> Vec<u8> {
    let config = on_test_database(config.clone());
    let mut all = Vec::new();
    match &config.database_url {
        Some(url) => {
            let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
                .await
                .expect("a connection to the test database");
            let task = tokio::spawn(connection);
            let tables = client
                .query(
                    "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public'",
                    &[],
                )
                .await
                .unwrap();
            assert!(tables.len() > 10, "{} tables", tables.len());
            for t in tables {
                let name: String = t.get(0);
                for row in client
                    .query(&format!("SELECT t::text FROM \"{name}\" t"), &[])
                    .await
                    .unwrap()
                {
                    all.extend(row.get::<_, String>(0).into_bytes());
                }
            }
            drop(client);
            let _ = task.await;
        }
        None => {
            for name in [
                "prescan.sqlite3",
                "prescan.sqlite3-wal",
                "prescan.sqlite3-shm",
            ] {
                if let Ok(b) = std::fs::read(config.data_dir.join(name)) {
                    all.extend(b);
                }
            }
        }
    }
    all
}

/// The store arguments of the binary for the test's store of `dir`:
/// `--data-dir DIR`, and on PostgreSQL its `--database-url` and (unless
/// `key_given`) `--key-file DIR/prescan.key`.
pub fn store_args(dir: &Path, key_given: bool) -> Vec<std::ffi::OsString> {
    let mut args: Vec<std::ffi::OsString> = vec!["--data-dir".into(), dir.into()];
    let on = on_test_database(config(dir));
    if let Some(url) = on.database_url {
        args.push("--database-url".into());
        args.push(url.into());
        if !key_given {
            args.push("--key-file".into());
            args.push(dir.join("prescan.key").into());
        }
    }
    args
}

/// The test's store of `dir` opened directly (SQLite, or its PostgreSQL
/// database when the suite runs there).
pub fn open_db(dir: &Path) -> prescan_server::Db {
    on_test_database(config(dir))
        .open_db()
        .expect("the test's database opens")
}

/// Starts the `prescan-server` binary with `args` on the test's store of
/// `dir` ([`store_args`]); the child and the base URL from its first line.
pub fn spawn_server(
    dir: &Path,
    args: &[&str],
    stderr: std::process::Stdio,
) -> (std::process::Child, String) {
    use std::io::BufRead;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_prescan-server"))
        .args(args)
        .args(store_args(dir, args.contains(&"--key-file")))
        .stdout(std::process::Stdio::piped())
        .stderr(stderr)
        .spawn()
        .expect("the server binary starts");
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("the server did not start: {line:?}"))
        .to_owned();
    (child, url)
}

pub async fn start_with(config: Config) -> (Server, Api) {
    let config = on_test_database(config);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let token = config.token.clone();
    let server = prescan_server::start(config, listener, std::future::pending())
        .await
        .expect("the server starts");
    let api = Api::new(format!("http://{}", server.addr), token.as_deref());
    (server, api)
}

pub fn config(dir: &Path) -> Config {
    Config {
        engine: prescan_server::fast_engine(),
        ..Config::new(dir)
    }
}

/// A small OpenAPI 3.0 specification with three GET paths on `server`.
pub fn spec(server: &str) -> String {
    format!(
        r#"{{
  "openapi": "3.0.3",
  "info": {{ "title": "Tiny", "version": "1" }},
  "servers": [{{ "url": "{server}" }}],
  "paths": {{
    "/ok": {{ "get": {{ "responses": {{ "200": {{ "description": "ok" }} }} }} }},
    "/secret": {{ "get": {{ "responses": {{ "200": {{ "description": "ok" }} }} }} }},
    "/missing": {{ "get": {{ "responses": {{ "200": {{ "description": "ok" }} }} }} }},
    "/pets": {{ "post": {{ "responses": {{ "201": {{ "description": "created" }} }} }} }}
  }}
}}"#
    )
}

pub fn new_analysis(name: &str, spec_id: u64, start: Value) -> Value {
    serde_json::json!({
        "name": name,
        "scans": [{ "target": { "type": "api_specification", "spec_id": spec_id } }],
        "schedule": { "start": start, "duration": { "unit": "hours", "value": 2 } },
        "prescan": true,
        "permission_certified": true
    })
}

/// Polls `f` every 200 ms until it returns `Some`, for at most `secs`.
pub async fn eventually<T, F, Fut>(secs: u64, mut f: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = std::time::Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "timed out after {secs} s"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
