//! Notifications by e-mail (issue 16): the server against an SMTP relay
//! that each test starts on 127.0.0.1 (written below: EHLO, STARTTLS with
//! a certificate of a test CA made by rcgen, AUTH PLAIN and LOGIN, MAIL,
//! RCPT, DATA, QUIT), which records every message and can be told to
//! answer 421 or 451 for a while. Notifications go through the real path
//! (a mutation of the store that writes them, or the engine); retries use
//! milliseconds instead of seconds.

mod common;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use common::{config, eventually, new_analysis, spec, sql, start_with};
use prescan_core::analysis::{AnalysisId, Notification, NotificationKind, Outcome, Recipients};
use prescan_core::people::Role;
use prescan_server::db::{Changes, OutboxMail};
use prescan_server::mail::{Smtp, SmtpUrl};
use prescan_server::{Config, Server};
use serde_json::json;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::rustls;

// ---- The test relay ----

/// How the relay speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Plain, offering STARTTLS.
    StartTls,
    /// Plain, offering AUTH but not STARTTLS (a client that authenticates
    /// here sends its password in clear).
    NoStartTls,
    /// TLS from the first byte (offering AUTH LOGIN only).
    Implicit,
    /// Plain, without STARTTLS or AUTH (a local relay).
    Plain,
}

/// A message as the relay received it.
#[derive(Debug, Clone)]
struct Received {
    from: String,
    to: Vec<String>,
    data: String,
    /// Whether the connection was encrypted.
    tls: bool,
    /// Who authenticated on the connection, if anyone.
    user: Option<String>,
}

impl Received {
    /// A header's value (unfolded).
    fn header(&self, name: &str) -> Option<String> {
        let head = self.data.split("\r\n\r\n").next().unwrap_or("");
        let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
        unfolded.lines().find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.eq_ignore_ascii_case(name).then(|| v.trim().to_owned())
        })
    }

    /// The body, decoded (7bit, quoted-printable or base64).
    fn body(&self) -> String {
        let (_, body) = self.data.split_once("\r\n\r\n").unwrap_or(("", ""));
        match self
            .header("Content-Transfer-Encoding")
            .unwrap_or_default()
            .to_ascii_lowercase()
            .as_str()
        {
            "base64" => {
                let compact: String = body.split_whitespace().collect();
                String::from_utf8(
                    base64::engine::general_purpose::STANDARD
                        .decode(compact)
                        .unwrap(),
                )
                .unwrap()
            }
            "quoted-printable" => {
                let joined = body.replace("=\r\n", "");
                let mut out = Vec::new();
                let b = joined.as_bytes();
                let mut i = 0;
                while i < b.len() {
                    if b[i] == b'=' && i + 2 < b.len() {
                        out.push(
                            u8::from_str_radix(std::str::from_utf8(&b[i + 1..i + 3]).unwrap(), 16)
                                .unwrap(),
                        );
                        i += 3;
                    } else {
                        out.push(b[i]);
                        i += 1;
                    }
                }
                String::from_utf8(out).unwrap().replace("\r\n", "\n")
            }
            _ => body.replace("\r\n", "\n"),
        }
    }
}

/// An AUTH as the relay saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Auth {
    user: String,
    password: String,
    tls: bool,
}

#[derive(Default)]
struct Log {
    mails: Mutex<Vec<Received>>,
    auths: Mutex<Vec<Auth>>,
    /// Greet this many more connections with 421 (then close).
    greet_421: AtomicU32,
    /// Answer this many more MAIL commands with 451.
    mail_451: AtomicU32,
    connections: AtomicU32,
}

impl Log {
    fn take(counter: &AtomicU32) -> bool {
        counter
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok()
    }

    fn mails(&self) -> Vec<Received> {
        self.mails.lock().unwrap().clone()
    }

    fn auths(&self) -> Vec<Auth> {
        self.auths.lock().unwrap().clone()
    }
}

struct Relay {
    addr: SocketAddr,
    mode: Mode,
    log: Arc<Log>,
    /// The test CA's certificate (PEM): what `--smtp-ca-file` holds.
    ca_pem: String,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A CA and a certificate it signed for 127.0.0.1 and localhost.
fn certificates() -> (String, Arc<rustls::ServerConfig>) {
    use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "prescan test relay CA");
    let ca = CertifiedIssuer::self_signed(ca, KeyPair::generate().unwrap()).unwrap();
    let key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
        .unwrap()
        .signed_by(&key, &ca)
        .unwrap();
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into());
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![leaf.der().clone()], key)
    .unwrap();
    (ca.pem(), Arc::new(config))
}

impl Relay {
    async fn start(mode: Mode) -> Relay {
        Relay::start_on(TcpListener::bind("127.0.0.1:0").await.unwrap(), mode)
    }

    fn start_on(listener: TcpListener, mode: Mode) -> Relay {
        let addr = listener.local_addr().unwrap();
        let log = Arc::new(Log::default());
        let (ca_pem, tls) = certificates();
        let acceptor = tokio_rustls::TlsAcceptor::from(tls);
        let l = log.clone();
        let task = tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                l.connections.fetch_add(1, Ordering::SeqCst);
                let (l, acceptor) = (l.clone(), acceptor.clone());
                tokio::spawn(async move {
                    let _ = connection(tcp, mode, acceptor, &l).await;
                });
            }
        });
        Relay {
            addr,
            mode,
            log,
            ca_pem,
            task,
        }
    }

    /// `--smtp-url` for this relay (with `user` before the host).
    fn url(&self, user: Option<&str>) -> SmtpUrl {
        let scheme = match self.mode {
            Mode::Implicit => "smtps",
            Mode::Plain => "smtp+plain",
            _ => "smtp",
        };
        let user = user.map(|u| format!("{u}@")).unwrap_or_default();
        format!("{scheme}://{user}{}", self.addr).parse().unwrap()
    }
}

async fn connection(
    tcp: TcpStream,
    mode: Mode,
    acceptor: tokio_rustls::TlsAcceptor,
    log: &Log,
) -> std::io::Result<()> {
    if mode == Mode::Implicit {
        let tls = acceptor.accept(tcp).await?;
        session(tls, true, true, mode, log).await?;
    } else if let Some(tcp) = session(tcp, false, true, mode, log).await? {
        let tls = acceptor.accept(tcp).await?;
        session(tls, true, false, mode, log).await?;
    }
    Ok(())
}

async fn read_line<S: AsyncRead + Unpin>(io: &mut BufReader<S>) -> std::io::Result<Option<String>> {
    let mut line = String::new();
    let n = (&mut *io).take(4096).read_line(&mut line).await?;
    Ok((n > 0).then(|| line.trim_end_matches(['\r', '\n']).to_owned()))
}

fn path_of(line: &str) -> String {
    let (_, rest) = line.split_once(':').unwrap_or(("", ""));
    rest.trim()
        .trim_start_matches('<')
        .split('>')
        .next()
        .unwrap_or("")
        .to_owned()
}

fn b64(text: &str) -> String {
    String::from_utf8(
        base64::engine::general_purpose::STANDARD
            .decode(text.trim())
            .unwrap_or_default(),
    )
    .unwrap_or_default()
}

/// One SMTP session; returns the stream when the client asked for
/// STARTTLS (the caller then speaks TLS on it).
async fn session<S: AsyncRead + AsyncWrite + Unpin>(
    stream: S,
    tls: bool,
    greet: bool,
    mode: Mode,
    log: &Log,
) -> std::io::Result<Option<S>> {
    let mut io = BufReader::new(stream);
    macro_rules! say {
        ($($t:tt)*) => {{
            io.write_all(format!($($t)*).as_bytes()).await?;
            io.flush().await?;
        }};
    }
    if greet {
        if Log::take(&log.greet_421) {
            say!("421 4.3.2 relay.test busy, try again later\r\n");
            return Ok(None);
        }
        say!("220 relay.test ESMTP test relay\r\n");
    }
    let (mut from, mut to, mut user) = (None::<String>, Vec::new(), None::<String>);
    while let Some(line) = read_line(&mut io).await? {
        let upper = line.to_ascii_uppercase();
        if upper.starts_with("EHLO") || upper.starts_with("HELO") {
            let mut lines = vec!["relay.test"];
            if mode == Mode::StartTls && !tls {
                lines.push("STARTTLS");
            }
            match mode {
                Mode::Plain => {}
                // The other mechanism the server speaks.
                Mode::Implicit => lines.push("AUTH LOGIN"),
                _ => lines.push("AUTH PLAIN LOGIN"),
            }
            lines.push("8BITMIME");
            let last = lines.len() - 1;
            for (i, l) in lines.iter().enumerate() {
                say!("250{}{l}\r\n", if i == last { ' ' } else { '-' });
            }
        } else if upper == "STARTTLS" {
            if mode == Mode::StartTls && !tls {
                say!("220 2.0.0 ready to start TLS\r\n");
                return Ok(Some(io.into_inner()));
            }
            say!("502 5.5.1 not here\r\n");
        } else if upper.starts_with("AUTH PLAIN") {
            let mut arg = line[10..].trim().to_owned();
            if arg.is_empty() {
                say!("334 \r\n");
                arg = read_line(&mut io).await?.unwrap_or_default();
            }
            let decoded = b64(&arg);
            let mut parts = decoded.split('\0').skip(1);
            let (u, p) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
            log.auths.lock().unwrap().push(Auth {
                user: u.into(),
                password: p.into(),
                tls,
            });
            user = Some(u.into());
            say!("235 2.7.0 authenticated\r\n");
        } else if upper.starts_with("AUTH LOGIN") {
            say!("334 VXNlcm5hbWU6\r\n");
            let u = b64(&read_line(&mut io).await?.unwrap_or_default());
            say!("334 UGFzc3dvcmQ6\r\n");
            let p = b64(&read_line(&mut io).await?.unwrap_or_default());
            log.auths.lock().unwrap().push(Auth {
                user: u.clone(),
                password: p,
                tls,
            });
            user = Some(u);
            say!("235 2.7.0 authenticated\r\n");
        } else if upper.starts_with("MAIL FROM:") {
            if Log::take(&log.mail_451) {
                say!("451 4.3.0 relay.test cannot take mail now\r\n");
            } else {
                from = Some(path_of(&line));
                say!("250 2.1.0 ok\r\n");
            }
        } else if upper.starts_with("RCPT TO:") {
            to.push(path_of(&line));
            say!("250 2.1.5 ok\r\n");
        } else if upper == "DATA" {
            say!("354 end with <CRLF>.<CRLF>\r\n");
            let mut data = String::new();
            loop {
                let Some(l) = read_line(&mut io).await? else {
                    return Ok(None);
                };
                if l == "." {
                    break;
                }
                data.push_str(l.strip_prefix('.').unwrap_or(&l));
                data.push_str("\r\n");
            }
            log.mails.lock().unwrap().push(Received {
                from: from.take().unwrap_or_default(),
                to: std::mem::take(&mut to),
                data,
                tls,
                user: user.clone(),
            });
            say!("250 2.0.0 queued\r\n");
        } else if upper == "RSET" {
            from = None;
            to.clear();
            say!("250 2.0.0 ok\r\n");
        } else if upper == "NOOP" {
            say!("250 2.0.0 ok\r\n");
        } else if upper == "QUIT" {
            say!("221 2.0.0 bye\r\n");
            return Ok(None);
        } else {
            say!("502 5.5.2 unknown command\r\n");
        }
    }
    Ok(None)
}

// ---- The server ----

const FROM: &str = "prescan@example.com";
const PASSWORD: &str = "relay-s3cret-password";

/// A server configured for `relay` (its CA trusted), retrying in
/// milliseconds.
fn mail_config(dir: &std::path::Path, url: SmtpUrl, relay: Option<&Relay>) -> Config {
    let mut smtp = Smtp::new(url, FROM);
    if smtp.url.user.is_some() {
        smtp.password = Some(PASSWORD.into());
    }
    smtp.ca_pem = relay.map(|r| r.ca_pem.clone().into_bytes());
    smtp.timeout = Duration::from_secs(5);
    smtp.retry_base = Duration::from_millis(50);
    smtp.retry_max = Duration::from_millis(200);
    smtp.poll = Duration::from_millis(500);
    Config {
        smtp: Some(smtp),
        ..config(dir)
    }
}

/// Adds a user (an address, roles; `disabled` ones are disabled).
/// Adds a user; returns their token.
fn add_user(
    server: &Server,
    name: &str,
    email: Option<&str>,
    roles: &[Role],
    disabled: bool,
) -> String {
    let token = prescan_server::people::new_token();
    let hash = prescan_server::people::hash_token(&token);
    server
        .state
        .db
        .people(|p| {
            p.add_user(name, email, roles, &token, &hash, prescan_server::now_ms())?;
            if disabled {
                p.set_disabled(name, Some(prescan_server::now_ms()))?;
            }
            Ok(())
        })
        .expect("the user is added");
    token
}

fn notification(kind: NotificationKind, name: &str, recipients: Recipients) -> Notification {
    Notification {
        kind,
        analysis_id: AnalysisId(7),
        analysis_name: name.into(),
        at_ms: 1_740_821_400_000,
        recipients,
        detail: "2 of 3 scans failed verification.".into(),
        simulated: false,
    }
}

/// Writes `n` as a change of the store does (one transaction), off the
/// runtime's threads as the handlers do.
async fn write(server: &Server, n: Notification) {
    let db = server.state.db.clone();
    tokio::task::spawn_blocking(move || {
        db.mutate::<(), Infallible>(|_, _| {
            Ok((
                (),
                Changes {
                    notifications: vec![n],
                    ..Changes::default()
                },
            ))
        })
    })
    .await
    .unwrap()
    .expect("the notification is written");
}

fn outbox(server: &Server) -> Vec<OutboxMail> {
    server.state.db.outbox(0, 1000).unwrap()
}

/// Waits until the relay holds `n` messages.
async fn mails(relay: &Relay, n: usize) -> Vec<Received> {
    eventually(15, || async {
        let m = relay.log.mails();
        assert!(m.len() <= n, "more messages than expected: {m:#?}");
        (m.len() == n).then_some(m)
    })
    .await
}

/// Lets the sender run a few more rounds (retries every 50 to 200 ms),
/// so that a second delivery would have happened.
async fn settle() {
    tokio::time::sleep(Duration::from_millis(1500)).await;
}

// ---- Tests ----

#[tokio::test]
async fn the_schedule_owner_is_mailed_once_over_starttls_with_the_analysis_and_its_link() {
    let relay = Relay::start(Mode::StartTls).await;
    let dir = tempfile::tempdir().unwrap();
    let (server, api) = start_with(mail_config(
        dir.path(),
        relay.url(Some("mailer")),
        Some(&relay),
    ))
    .await;
    add_user(
        &server,
        "Ann Lee",
        Some("ann@example.com"),
        &[Role::Creator],
        false,
    );
    add_user(
        &server,
        "Bob",
        Some("bob@example.com"),
        &[Role::Creator],
        false,
    );
    add_user(
        &server,
        "Lea",
        Some("lea@example.com"),
        &[Role::SecurityLead],
        false,
    );
    let mut n = notification(
        NotificationKind::PrescanFailed,
        "Payments API",
        Recipients::ScheduleOwner("Ann Lee".into()),
    );
    n.simulated = true;
    write(&server, n).await;
    let got = mails(&relay, 1).await;
    let m = &got[0];
    assert_eq!(m.to, ["ann@example.com"], "only the schedule owner");
    assert_eq!(m.from, FROM);
    assert!(m.tls, "sent over TLS");
    assert_eq!(m.user.as_deref(), Some("mailer"));
    assert_eq!(
        relay.log.auths(),
        [Auth {
            user: "mailer".into(),
            password: PASSWORD.into(),
            tls: true
        }],
        "the credentials went once, after STARTTLS"
    );
    assert_eq!(
        m.header("Subject").as_deref(),
        Some("Simulated: The prescan of a Dynamic Analysis failed: Payments API")
    );
    assert!(m.header("From").unwrap().contains(FROM));
    assert!(m.header("To").unwrap().contains("ann@example.com"));
    assert!(m.header("Content-Type").unwrap().starts_with("text/plain"));
    assert!(m.header("Message-ID").unwrap().contains("@example.com>"));
    let body = m.body();
    assert!(body.contains("Analysis: Payments API"), "{body}");
    assert!(
        body.contains(&format!("{}/#/analyses/7", api.base)),
        "the link to the analysis in the app: {body}"
    );
    assert!(body.contains("When: 2025-03-01 09:30:00 UTC"), "{body}");
    assert!(body.contains("2 of 3 scans failed verification."), "{body}");
    assert!(body.contains("This was simulated"), "{body}");
    assert!(!m.data.contains(PASSWORD), "no credential in a mail");
    // Stored once, marked sent, with one attempt; no second message.
    settle().await;
    assert_eq!(relay.log.mails().len(), 1);
    let rows = outbox(&server);
    assert_eq!(rows.len(), 1, "{rows:#?}");
    assert!(
        rows[0].sent_ms.is_some() && rows[0].attempts == 1,
        "{rows:#?}"
    );
    assert_eq!(rows[0].user_name, "Ann Lee");
    server.stop().await.unwrap();
}

#[tokio::test]
async fn results_published_reach_every_enabled_lead_with_an_address_over_implicit_tls_and_auth_login(
) {
    let relay = Relay::start(Mode::Implicit).await;
    let dir = tempfile::tempdir().unwrap();
    let (server, _api) = start_with(mail_config(
        dir.path(),
        relay.url(Some("mailer")),
        Some(&relay),
    ))
    .await;
    add_user(
        &server,
        "Lea",
        Some("lea@example.com"),
        &[Role::SecurityLead],
        false,
    );
    add_user(
        &server,
        "Lou",
        Some("lou@example.com"),
        &[Role::SecurityLead, Role::Creator],
        false,
    );
    add_user(
        &server,
        "Gone",
        Some("gone@example.com"),
        &[Role::SecurityLead],
        true,
    );
    add_user(&server, "Nomail", None, &[Role::SecurityLead], false);
    add_user(
        &server,
        "Cy",
        Some("cy@example.com"),
        &[Role::Creator],
        false,
    );
    write(
        &server,
        notification(
            NotificationKind::ResultsPublished,
            "Storefront",
            Recipients::SecurityLeads,
        ),
    )
    .await;
    let got = mails(&relay, 2).await;
    let mut to: Vec<&str> = got.iter().flat_map(|m| &m.to).map(String::as_str).collect();
    to.sort();
    assert_eq!(to, ["lea@example.com", "lou@example.com"]);
    for m in &got {
        assert!(m.tls);
        assert_eq!(
            m.header("Subject").as_deref(),
            Some("The results of a Dynamic Analysis are published: Storefront")
        );
        let body = m.body();
        assert!(body.contains("because you are a Security Lead"), "{body}");
        assert!(!body.contains("simulated"), "{body}");
    }
    let auths = relay.log.auths();
    assert!(!auths.is_empty());
    assert!(
        auths
            .iter()
            .all(|a| a.tls && a.user == "mailer" && a.password == PASSWORD),
        "AUTH LOGIN over TLS: {auths:?}"
    );
    settle().await;
    assert_eq!(relay.log.mails().len(), 2);
    assert_eq!(outbox(&server).len(), 2);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn a_name_with_line_breaks_cannot_add_headers_or_recipients() {
    let relay = Relay::start(Mode::Plain).await;
    let dir = tempfile::tempdir().unwrap();
    let (server, _api) = start_with(mail_config(dir.path(), relay.url(None), None)).await;
    add_user(
        &server,
        "Ann",
        Some("ann@example.com"),
        &[Role::Creator],
        false,
    );
    write(
        &server,
        notification(
            NotificationKind::AnalysisFailed,
            "Evil\r\nBcc: eve@evil.test\r\n\r\nInjected body",
            Recipients::ScheduleOwner("Ann".into()),
        ),
    )
    .await;
    let m = mails(&relay, 1).await.remove(0);
    assert_eq!(m.to, ["ann@example.com"]);
    assert!(m.header("Bcc").is_none(), "{}", m.data);
    let subject = m.header("Subject").unwrap();
    assert!(
        subject.ends_with("Evil Bcc: eve@evil.test Injected body"),
        "one line: {subject}"
    );
    assert!(m
        .body()
        .contains("Analysis: Evil  Bcc: eve@evil.test    Injected body"));
    assert!(relay.log.auths().is_empty(), "no credentials configured");
    server.stop().await.unwrap();
}

#[tokio::test]
async fn a_relay_that_is_down_then_up_gets_the_message_exactly_once() {
    // A port with nothing listening: connections are refused.
    let port = TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = tempfile::tempdir().unwrap();
    let url: SmtpUrl = format!("smtp+plain://127.0.0.1:{port}").parse().unwrap();
    let (server, api) = start_with(mail_config(dir.path(), url, None)).await;
    let token = add_user(
        &server,
        "Ann",
        Some("ann@example.com"),
        &[Role::Creator],
        false,
    );
    let api = common::Api::new(api.base.clone(), Some(&token));
    // The change that notifies commits and returns while the relay is
    // down: handlers never wait for it (if they did, this would hang, as
    // the relay starts only after it returns).
    write(
        &server,
        notification(
            NotificationKind::PrescanSucceeded,
            "Down then up",
            Recipients::ScheduleOwner("Ann".into()),
        ),
    )
    .await;
    let failing = eventually(15, || async {
        let rows = outbox(&server);
        (rows.len() == 1 && rows[0].attempts >= 2).then(|| rows[0].clone())
    })
    .await;
    assert!(failing.sent_ms.is_none() && !failing.given_up());
    let error = failing.last_error.unwrap();
    assert!(error.to_lowercase().contains("connect"), "{error}");
    // The API answers meanwhile.
    assert_eq!(api.get("/api/v1/notifications").await.status, 200);
    // The relay comes up on that port.
    let relay = Relay::start_on(
        TcpListener::bind(("127.0.0.1", port)).await.unwrap(),
        Mode::Plain,
    );
    let m = mails(&relay, 1).await.remove(0);
    assert_eq!(m.to, ["ann@example.com"]);
    settle().await;
    assert_eq!(relay.log.mails().len(), 1, "exactly once");
    let rows = outbox(&server);
    assert!(rows[0].sent_ms.is_some(), "{rows:#?}");
    assert!(rows[0].attempts >= 3, "{rows:#?}");
    server.stop().await.unwrap();
}

#[tokio::test]
async fn a_relay_answering_421_and_451_is_retried_until_it_takes_the_message() {
    let relay = Relay::start(Mode::StartTls).await;
    relay.log.greet_421.store(1, Ordering::SeqCst);
    relay.log.mail_451.store(2, Ordering::SeqCst);
    let dir = tempfile::tempdir().unwrap();
    let (server, _api) = start_with(mail_config(
        dir.path(),
        relay.url(Some("mailer")),
        Some(&relay),
    ))
    .await;
    add_user(
        &server,
        "Ann",
        Some("ann@example.com"),
        &[Role::Creator],
        false,
    );
    write(
        &server,
        notification(
            NotificationKind::PrescanFailed,
            "Busy relay",
            Recipients::ScheduleOwner("Ann".into()),
        ),
    )
    .await;
    let m = mails(&relay, 1).await.remove(0);
    assert_eq!(m.to, ["ann@example.com"]);
    settle().await;
    assert_eq!(relay.log.mails().len(), 1);
    let row = outbox(&server).remove(0);
    assert!(row.sent_ms.is_some());
    assert_eq!(row.attempts, 4, "421, 451, 451, then taken: {row:#?}");
    let error = row.last_error.unwrap();
    assert!(error.contains("451"), "the last error is kept: {error}");
    assert!(relay.log.connections.load(Ordering::SeqCst) >= 4);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn without_starttls_no_credentials_are_sent_and_the_message_is_given_up() {
    let relay = Relay::start(Mode::NoStartTls).await;
    let dir = tempfile::tempdir().unwrap();
    let mut config = mail_config(dir.path(), relay.url(Some("mailer")), Some(&relay));
    config.smtp.as_mut().unwrap().max_attempts = 3;
    let (server, _api) = start_with(config).await;
    add_user(
        &server,
        "Ann",
        Some("ann@example.com"),
        &[Role::Creator],
        false,
    );
    write(
        &server,
        notification(
            NotificationKind::PrescanFailed,
            "No TLS here",
            Recipients::ScheduleOwner("Ann".into()),
        ),
    )
    .await;
    let row = eventually(15, || async {
        let rows = outbox(&server);
        rows.first().filter(|r| r.given_up()).cloned()
    })
    .await;
    assert_eq!(row.attempts, 3, "{row:#?}");
    let error = row.last_error.unwrap();
    assert!(error.to_lowercase().contains("starttls"), "{error}");
    assert!(relay.log.connections.load(Ordering::SeqCst) >= 3);
    assert!(relay.log.auths().is_empty(), "no AUTH without TLS");
    assert!(relay.log.mails().is_empty());
    // Given up for good: no further attempt.
    settle().await;
    assert_eq!(outbox(&server)[0].attempts, 3);
    server.stop().await.unwrap();
}

/// Two servers on one database, each with its sender, never send one
/// e-mail twice (the claims' leases), and each sends what the other
/// enqueued (it looks at the outbox every `poll`).
#[tokio::test]
async fn two_servers_on_one_database_send_each_message_once() {
    let relay = Relay::start(Mode::Plain).await;
    let dir = tempfile::tempdir().unwrap();
    let shared = |dir: &std::path::Path| {
        let mut c = mail_config(dir, relay.url(None), None);
        c.smtp.as_mut().unwrap().batch = 3;
        c
    };
    let (a, _) = start_with(shared(dir.path())).await;
    let (b, _) = start_with(shared(dir.path())).await;
    add_user(&a, "Ann", Some("ann@example.com"), &[Role::Creator], false);
    add_user(
        &a,
        "Lea",
        Some("lea@example.com"),
        &[Role::SecurityLead],
        false,
    );
    for i in 0..12 {
        let (server, recipients) = match i % 3 {
            0 => (&a, Recipients::ScheduleOwner("Ann".into())),
            1 => (&b, Recipients::ScheduleOwner("Ann".into())),
            _ => (&b, Recipients::SecurityLeads),
        };
        let mut n = notification(
            NotificationKind::PrescanSucceeded,
            &format!("Shared {i}"),
            recipients,
        );
        n.analysis_id = AnalysisId(100 + i);
        write(server, n).await;
    }
    mails(&relay, 12).await;
    settle().await;
    let got = relay.log.mails();
    let mut ids: Vec<String> = got
        .iter()
        .map(|m| m.header("Message-ID").unwrap())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 12, "twelve different messages");
    assert_eq!(relay.log.mails().len(), 12, "each once");
    let rows = outbox(&b);
    assert_eq!(rows.len(), 12);
    assert!(
        rows.iter().all(|r| r.sent_ms.is_some() && r.attempts == 1),
        "{rows:#?}"
    );
    a.stop().await.unwrap();
    b.stop().await.unwrap();
}

/// The e-mails are enqueued in the transaction of the notification: when
/// it fails (here a trigger refuses the second e-mail), neither the
/// notification nor any of its e-mails is kept, and nobody is mailed.
#[tokio::test]
async fn a_change_rolled_back_mails_nobody() {
    let relay = Relay::start(Mode::Plain).await;
    let dir = tempfile::tempdir().unwrap();
    let config = mail_config(dir.path(), relay.url(None), None);
    let (server, _api) = start_with(config.clone()).await;
    add_user(
        &server,
        "Ann",
        Some("ann@example.com"),
        &[Role::SecurityLead],
        false,
    );
    add_user(
        &server,
        "Bob",
        Some("bob@example.com"),
        &[Role::SecurityLead],
        false,
    );
    sql(
        &config,
        "CREATE TRIGGER refuse_bob BEFORE INSERT ON outbox WHEN NEW.email = 'bob@example.com'
         BEGIN SELECT RAISE(ABORT, 'refused by the test'); END;",
        "CREATE FUNCTION refuse_bob() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN
           IF NEW.email = 'bob@example.com' THEN RAISE EXCEPTION 'refused by the test'; END IF;
           RETURN NEW;
         END $$;
         CREATE TRIGGER refuse_bob BEFORE INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION refuse_bob();",
    )
    .await;
    let db = server.state.db.clone();
    let n = notification(
        NotificationKind::ResultsPublished,
        "Rolled back",
        Recipients::SecurityLeads,
    );
    let r = tokio::task::spawn_blocking(move || {
        db.mutate::<(), Infallible>(|_, _| {
            Ok((
                (),
                Changes {
                    notifications: vec![n],
                    ..Changes::default()
                },
            ))
        })
    })
    .await
    .unwrap();
    assert!(
        matches!(&r, Err(prescan_server::db::MutateError::Db(e)) if e.0.contains("refused by the test")),
        "{r:?}"
    );
    let lead = prescan_server::db::Reader {
        name: "Lea",
        security_lead: true,
    };
    assert!(server
        .state
        .db
        .notifications(&lead, 0, 10)
        .unwrap()
        .0
        .is_empty());
    assert!(outbox(&server).is_empty(), "Ann's e-mail went with it");
    settle().await;
    assert!(relay.log.mails().is_empty());
    // Without the trigger the same change mails both.
    sql(
        &config,
        "DROP TRIGGER refuse_bob;",
        "DROP TRIGGER refuse_bob ON outbox;",
    )
    .await;
    write(
        &server,
        notification(
            NotificationKind::ResultsPublished,
            "Kept",
            Recipients::SecurityLeads,
        ),
    )
    .await;
    assert_eq!(mails(&relay, 2).await.len(), 2);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn without_smtp_url_nothing_is_enqueued() {
    let dir = tempfile::tempdir().unwrap();
    let (server, _api) = start_with(config(dir.path())).await;
    add_user(
        &server,
        "Ann",
        Some("ann@example.com"),
        &[Role::Creator],
        false,
    );
    add_user(
        &server,
        "Lea",
        Some("lea@example.com"),
        &[Role::SecurityLead],
        false,
    );
    write(
        &server,
        notification(
            NotificationKind::PrescanFailed,
            "Quiet",
            Recipients::ScheduleOwner("Ann".into()),
        ),
    )
    .await;
    write(
        &server,
        notification(
            NotificationKind::ResultsPublished,
            "Quiet",
            Recipients::SecurityLeads,
        ),
    )
    .await;
    // Ann, a security lead too in this reading, sees both.
    let ann = prescan_server::db::Reader {
        name: "Ann",
        security_lead: true,
    };
    let (stored, _) = server.state.db.notifications(&ann, 0, 10).unwrap();
    assert_eq!(stored.len(), 2, "the notifications are written");
    assert!(outbox(&server).is_empty(), "but no e-mail is enqueued");
    server.stop().await.unwrap();
}

/// The whole path, as people use it: Ann (a Creator) runs an analysis
/// that the (fast) simulated engine publishes, then a real prescan of it
/// fails. Ann, its schedule owner, is mailed its prescan notifications;
/// every enabled security lead the published results; Bob (another
/// Creator) and a disabled lead nothing.
#[tokio::test]
async fn a_failed_prescan_mails_its_owner_and_published_results_every_lead() {
    let relay = Relay::start(Mode::Plain).await;
    let dir = tempfile::tempdir().unwrap();
    let (server, anon) = start_with(mail_config(dir.path(), relay.url(None), None)).await;
    let token = add_user(
        &server,
        "Ann",
        Some("ann@example.com"),
        &[Role::Creator],
        false,
    );
    for (name, roles, disabled) in [
        ("Lea", &[Role::SecurityLead][..], false),
        ("Lou", &[Role::SecurityLead][..], false),
        ("Old Lead", &[Role::SecurityLead][..], true),
        ("Bob", &[Role::Creator][..], false),
    ] {
        let address = format!("{}@example.com", name.to_lowercase().replace(' ', "."));
        add_user(&server, name, Some(&address), roles, disabled);
    }
    let api = common::Api::new(anon.base.clone(), Some(&token));
    // Its server refuses connections: a real prescan of it fails.
    let spec_id = api
        .upload(
            "tiny.json",
            "application/json",
            spec("http://127.0.0.1:9").as_bytes(),
        )
        .await
        .json()["spec_id"]
        .as_u64()
        .unwrap();
    let name = (0..1000)
        .map(|i| format!("Mailed run {i}"))
        .find(|n| Outcome::for_run(n, 1, 1) == Outcome::Succeeds)
        .unwrap();
    let r = api
        .post(
            "/api/v1/analyses",
            &new_analysis(&name, spec_id, json!({ "type": "now" })),
        )
        .await;
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.bytes));
    let a = r.json();
    let id = a["analysis_id"].as_u64().unwrap();
    let scan = a["scans"][0]["scan_id"].as_u64().unwrap();
    let published = format!("Simulated: The results of a Dynamic Analysis are published: {name}");
    let got = eventually(40, || async {
        let m = relay.log.mails();
        (m.iter()
            .filter(|m| m.header("Subject").as_deref() == Some(published.as_str()))
            .count()
            == 2)
            .then_some(m)
    })
    .await;
    let mut leads: Vec<String> = got
        .iter()
        .filter(|m| m.header("Subject").as_deref() == Some(published.as_str()))
        .map(|m| m.to.join(","))
        .collect();
    leads.sort();
    assert_eq!(leads, ["lea@example.com", "lou@example.com"], "{got:#?}");
    let body = got
        .iter()
        .find(|m| m.to == ["lea@example.com"])
        .unwrap()
        .body();
    assert!(
        body.contains(&format!("{}/#/analyses/{id}", api.base)),
        "{body}"
    );
    assert!(body.contains("nothing was scanned"), "{body}");
    // Now a real prescan, which fails: Ann is told, once; nobody else.
    let r = api
        .post(&format!("/api/v1/scans/{scan}/prescan"), &json!({}))
        .await;
    assert_eq!(r.status, 202, "{}", String::from_utf8_lossy(&r.bytes));
    let failed = format!("The prescan of a Dynamic Analysis failed: {name}");
    let to_ann = eventually(30, || async {
        let m: Vec<_> = relay
            .log
            .mails()
            .into_iter()
            .filter(|m| {
                m.header("Subject")
                    .as_deref()
                    .is_some_and(|s| s.starts_with("The prescan"))
            })
            .collect();
        (!m.is_empty()).then_some(m)
    })
    .await;
    assert_eq!(to_ann.len(), 1, "{to_ann:#?}");
    assert_eq!(to_ann[0].to, ["ann@example.com"]);
    assert_eq!(
        to_ann[0].header("Subject").unwrap(),
        failed,
        "a real prescan's: not simulated"
    );
    settle().await;
    for m in relay.log.mails() {
        for to in &m.to {
            assert!(
                to != "bob@example.com" && to != "old.lead@example.com",
                "{to} got {:?}",
                m.header("Subject")
            );
        }
    }
    server.stop().await.unwrap();
}

/// The options: bad values stop the binary with exit code 2 and a line
/// naming the option (never repeating a password); good ones start it.
#[tokio::test]
async fn the_options_are_checked_and_the_password_never_shown() {
    let dir = tempfile::tempdir().unwrap();
    let pw = dir.path().join("smtp-password");
    std::fs::write(&pw, format!("{PASSWORD}\n")).unwrap();
    let empty = dir.path().join("empty");
    std::fs::write(&empty, "\n").unwrap();
    let not_pem = dir.path().join("not.pem");
    std::fs::write(&not_pem, "hello").unwrap();
    let run = |args: &[&str], env: Option<&str>| {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_prescan-server"));
        c.args(["--listen", "127.0.0.1:0", "--data-dir"])
            .arg(dir.path().join("data"))
            .args(args)
            .env_remove("PRESCAN_SMTP_PASSWORD");
        if let Some(p) = env {
            c.env("PRESCAN_SMTP_PASSWORD", p);
        }
        let out = c.output().expect("the binary runs");
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let pw_arg = pw.to_str().unwrap();
    for (args, env, option, says) in [
        (
            vec![
                "--smtp-url",
                "smtp://mailer:hunter2hunter2@relay.example.com",
                "--smtp-from",
                FROM,
            ],
            None,
            "--smtp-url",
            "--smtp-password-file",
        ),
        (
            vec![
                "--smtp-url",
                "smtp+plain://relay.example.com",
                "--smtp-from",
                FROM,
            ],
            None,
            "--smtp-url",
            "only for a relay on this machine",
        ),
        (
            vec!["--smtp-url", "smtp://relay.example.com"],
            None,
            "--smtp-url",
            "--smtp-from",
        ),
        (
            vec![
                "--smtp-url",
                "smtp://relay.example.com",
                "--smtp-from",
                "nobody",
            ],
            None,
            "--smtp-from",
            "not an e-mail address",
        ),
        (
            vec![
                "--smtp-url",
                "smtp://mailer@relay.example.com",
                "--smtp-from",
                FROM,
            ],
            None,
            "--smtp-url",
            "PRESCAN_SMTP_PASSWORD",
        ),
        (
            vec![
                "--smtp-url",
                "smtp://relay.example.com",
                "--smtp-from",
                FROM,
                "--smtp-password-file",
                pw_arg,
            ],
            None,
            "--smtp-password-file",
            "no user",
        ),
        (
            vec![
                "--smtp-url",
                "smtp://mailer@relay.example.com",
                "--smtp-from",
                FROM,
                "--smtp-password-file",
                pw_arg,
            ],
            Some("other"),
            "--smtp-password-file",
            "one way only",
        ),
        (
            vec![
                "--smtp-url",
                "smtp://mailer@relay.example.com",
                "--smtp-from",
                FROM,
                "--smtp-password-file",
                empty.to_str().unwrap(),
            ],
            None,
            "--smtp-password-file",
            "empty",
        ),
        (
            vec![
                "--smtp-url",
                "smtps://relay.example.com",
                "--smtp-from",
                FROM,
                "--smtp-ca-file",
                not_pem.to_str().unwrap(),
            ],
            None,
            "--smtp-ca-file",
            "no PEM certificate",
        ),
        (
            vec!["--smtp-from", FROM],
            None,
            "--smtp-from",
            "needs --smtp-url",
        ),
        (
            vec!["--smtp-url", "ftp://relay.example.com", "--smtp-from", FROM],
            None,
            "--smtp-url",
            "smtps://",
        ),
    ] {
        let (code, err) = run(&args, env);
        assert_eq!(code, Some(2), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(
            err.contains(option) && err.contains(says),
            "{args:?}: {err}"
        );
        assert!(!err.contains("hunter2") && !err.contains(PASSWORD), "{err}");
    }
    // Good options start it (a user, the password from a file, a CA).
    let relay = Relay::start(Mode::Implicit).await;
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, &relay.ca_pem).unwrap();
    let url = format!("smtps://mailer@{}", relay.addr);
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_prescan-server"))
        .args(["--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path().join("data"))
        .args([
            "--smtp-url",
            &url,
            "--smtp-from",
            FROM,
            "--smtp-password-file",
            pw_arg,
        ])
        .arg("--smtp-ca-file")
        .arg(&ca)
        .env_remove("PRESCAN_SMTP_PASSWORD")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let lines = tokio::task::spawn_blocking(move || {
        use std::io::BufRead;
        std::io::BufReader::new(stdout)
            .lines()
            .take(2)
            .collect::<Result<Vec<_>, _>>()
    })
    .await
    .unwrap()
    .unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        lines[0].starts_with("prescan-server listening on"),
        "{lines:?}"
    );
    assert!(
        lines[1].contains(&format!(
            "e-mail notifications from {FROM} through {} (TLS)",
            relay.addr
        )),
        "{lines:?}"
    );
    assert!(!lines.concat().contains(PASSWORD));
}
