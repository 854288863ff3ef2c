//! A small OAuth 2.0 token endpoint in front of a protected API, on
//! 127.0.0.1, for the tests of the runner, the command line and the
//! server (each includes this file with `#[path]`). Plain `std` threads and
//! sockets, one request per connection.
//!
//! - `POST /token`: `grant_type` `client_credentials` or `password`
//!   (user `alice`, password [`USER_PASSWORD`]); the client
//!   ([`CLIENT_ID`], [`CLIENT_SECRET`]) in HTTP Basic (form-encoded then
//!   base64) and/or in the form body, as [`Options`] allow; answers
//!   `{"access_token": "tok-<n>-<random>", "token_type": "Bearer",
//!   "expires_in": …}` or an RFC 6749 error (`invalid_client` 401,
//!   `invalid_grant` 400);
//! - `GET /.well-known/openid-configuration`: the discovery document;
//! - any other path: the protected API: 200 with a token issued here and not
//!   expired, else 401; with [`Options::reject_first`] the first request
//!   with a valid token answers 401 and that token is revoked.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const CLIENT_ID: &str = "prescan client";
pub const CLIENT_SECRET: &str = "cl1ent-s3cret-b7e2";
pub const USER_PASSWORD: &str = "us3r-passw0rd-41d9";

/// What the server accepts.
#[derive(Debug, Clone)]
pub struct Options {
    /// Client authentication by HTTP Basic is accepted.
    pub basic: bool,
    /// Client authentication in the form body is accepted.
    pub body: bool,
    /// The `expires_in` of tokens, in seconds (the API enforces it).
    pub expires_in: u64,
    /// The first API request with a valid token answers 401 (and revokes it).
    pub reject_first: bool,
    /// The scope a token request must ask for (if any).
    pub scope: Option<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            basic: true,
            body: true,
            expires_in: 3600,
            reject_first: false,
            scope: None,
        }
    }
}

/// One request the server saw.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
    pub status: u16,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Default)]
struct State {
    seen: Vec<Seen>,
    tokens: Vec<(String, Instant, bool)>,
    rejected_once: bool,
}

/// The server (it runs until the test ends).
pub struct OAuthServer {
    pub port: u16,
    state: Arc<Mutex<State>>,
}

impl OAuthServer {
    pub fn start(options: Options) -> OAuthServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(Mutex::new(State::default()));
        let kept = state.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let kept = kept.clone();
                let options = options.clone();
                std::thread::spawn(move || answer(stream, &kept, &options, port));
            }
        });
        OAuthServer { port, state }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn token_url(&self) -> String {
        format!("{}/token", self.url())
    }

    pub fn discovery_url(&self) -> String {
        format!("{}/.well-known/openid-configuration", self.url())
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.state.lock().unwrap().seen.clone()
    }

    /// Every token issued.
    pub fn tokens(&self) -> Vec<String> {
        self.state
            .lock()
            .unwrap()
            .tokens
            .iter()
            .map(|(t, _, _)| t.clone())
            .collect()
    }
}

fn form(body: &str) -> Vec<(String, String)> {
    body.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

/// `application/x-www-form-urlencoded` decoding.
pub fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => {
                let hex = std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("00");
                out.push(u8::from_str_radix(hex, 16).unwrap_or(b'?'));
                i += 2;
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn base64_decode(s: &str) -> Vec<u8> {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut bits = 0u32;
    let mut n = 0;
    let mut out = Vec::new();
    for c in s.bytes().filter(|c| *c != b'=') {
        let Some(v) = A.iter().position(|a| *a == c) else {
            return Vec::new();
        };
        bits = (bits << 6) | v as u32;
        n += 6;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
        }
    }
    out
}

fn answer(stream: TcpStream, state: &Mutex<State>, o: &Options, port: u16) -> Option<()> {
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
    let mut seen = Seen {
        method,
        path,
        headers,
        body: String::new(),
        status: 0,
    };
    let length: usize = seen
        .header("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    seen.body = String::from_utf8_lossy(&body).into_owned();
    let (status, json) = {
        let mut st = state.lock().unwrap();
        respond(&seen, &mut st, o, port)
    };
    seen.status = status;
    state.lock().unwrap().seen.push(seen);
    let response = format!(
        "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncache-control: no-store\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{json}",
        json.len()
    );
    let mut stream = stream;
    stream.write_all(response.as_bytes()).ok()?;
    stream.flush().ok()?;
    std::thread::sleep(Duration::from_millis(5));
    Some(())
}

fn respond(seen: &Seen, st: &mut State, o: &Options, port: u16) -> (u16, String) {
    let path = seen.path.split('?').next().unwrap_or("");
    if path == "/.well-known/openid-configuration" {
        return (
            200,
            format!(
                r#"{{"issuer":"http://127.0.0.1:{port}","token_endpoint":"http://127.0.0.1:{port}/token","grant_types_supported":["client_credentials","password"]}}"#
            ),
        );
    }
    if path == "/token" {
        if seen.method != "POST" {
            return (405, r#"{"error":"invalid_request"}"#.into());
        }
        let fields = form(&seen.body);
        let field = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        let basic = seen
            .header("authorization")
            .and_then(|a| a.strip_prefix("Basic "))
            .map(|b| String::from_utf8_lossy(&base64_decode(b.trim())).into_owned())
            .and_then(|s| s.split_once(':').map(|(i, p)| (decode(i), decode(p))));
        let client_ok = match (&basic, field("client_id")) {
            (Some((id, secret)), _) => o.basic && id == CLIENT_ID && secret == CLIENT_SECRET,
            (None, Some(id)) => {
                o.body && id == CLIENT_ID && field("client_secret") == Some(CLIENT_SECRET)
            }
            (None, None) => false,
        };
        if !client_ok {
            return (
                401,
                r#"{"error":"invalid_client","error_description":"Client authentication failed"}"#
                    .into(),
            );
        }
        match field("grant_type") {
            Some("client_credentials") => {}
            Some("password")
                if field("username") == Some("alice")
                    && field("password") == Some(USER_PASSWORD) => {}
            Some("password") => {
                return (
                    400,
                    r#"{"error":"invalid_grant","error_description":"Bad user name or password"}"#
                        .into(),
                )
            }
            _ => return (400, r#"{"error":"unsupported_grant_type"}"#.into()),
        }
        if let Some(want) = &o.scope {
            if field("scope") != Some(want.as_str()) {
                return (400, r#"{"error":"invalid_scope"}"#.into());
            }
        }
        let n = st.tokens.len() + 1;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let token = format!("tok-{n}-{nanos:x}");
        st.tokens.push((token.clone(), Instant::now(), true));
        return (
            200,
            format!(
                r#"{{"access_token":"{token}","token_type":"Bearer","expires_in":{},"refresh_token":"refresh-{token}"}}"#,
                o.expires_in
            ),
        );
    }
    let presented = seen
        .header("authorization")
        .and_then(|a| a.strip_prefix("Bearer "))
        .map(str::to_owned);
    let expires = Duration::from_secs(o.expires_in);
    let valid = presented.as_ref().and_then(|p| {
        st.tokens
            .iter()
            .position(|(t, at, live)| t == p && *live && at.elapsed() < expires)
    });
    match valid {
        Some(i) if o.reject_first && !st.rejected_once => {
            st.rejected_once = true;
            st.tokens[i].2 = false;
            (401, r#"{"error":"token revoked"}"#.into())
        }
        Some(_) => (200, r#"{"items":[]}"#.into()),
        None => (401, r#"{"error":"unauthorized"}"#.into()),
    }
}
