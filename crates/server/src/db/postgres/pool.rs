//! Connections to PostgreSQL: a small pool of `tokio-postgres` clients
//! whose connections run on the back end's own runtime (one thread), so
//! that the seam's synchronous calls can wait on a query from any thread,
//! a `spawn_blocking` task or an async test alike ([`wait`]).
//!
//! Every connection is opened with the server's settings
//! ([`Settings`]): a statement timeout, a lock timeout, an idle-in-
//! transaction timeout (a replica that stops in the middle of a
//! transaction does not hold its locks for ever) and an application name
//! that tells the operator which replica a session is. At most
//! [`Settings::max_connections`] are open; a caller waits at most
//! [`Settings::acquire_timeout`] for one, then gets an error (a 500 that
//! says the database is busy) rather than queueing without end. A
//! connection found closed (the database restarted, the network dropped)
//! is dropped and a new one opened on the next call.
//!
//! TLS: with `sslmode=require` in the URL (or a CA given with
//! `--database-ca-cert`), every connection is TLS through rustls, and the
//! server's certificate is verified, chain and host name, against the
//! Mozilla roots and the CA given: `require` here means what libpq calls
//! `verify-full`. Without it, connections are plain (a database on the
//! same host or a private network; `sslmode=prefer`, the URL's default,
//! does not try TLS).

use std::future::Future;
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tokio_postgres::config::SslMode;
use tokio_postgres::{Client, NoTls, Statement};

/// The statements a connection has prepared, by their text (each a
/// `&'static str`: a literal or a `const`, never text made at run time).
type Statements = std::collections::HashMap<&'static str, Statement>;

use crate::db::types::DbError;

/// Waits for a future of the client (its queries are messages to the
/// connection task, so no runtime is needed here).
pub(super) fn wait<F: Future>(f: F) -> F::Output {
    futures_executor::block_on(f)
}

/// How connections are opened and how many.
#[derive(Debug, Clone)]
pub struct Settings {
    /// At most this many connections at once.
    pub max_connections: usize,
    /// How long a caller waits for a free connection.
    pub acquire_timeout: Duration,
    /// `statement_timeout`: a statement that runs longer is cancelled.
    pub statement_timeout: Duration,
    /// `lock_timeout`: a statement that waits longer for a lock fails.
    pub lock_timeout: Duration,
    /// `idle_in_transaction_session_timeout`.
    pub idle_in_transaction_timeout: Duration,
    /// Time to open a connection.
    pub connect_timeout: Duration,
    /// `application_name` (which replica).
    pub application_name: String,
    /// PEM certificates of the CA that signs the database's certificate
    /// (`--database-ca-cert`), besides the public roots; TLS is then
    /// required.
    pub ca_certificates: Option<Vec<u8>>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            max_connections: 8,
            acquire_timeout: Duration::from_secs(10),
            statement_timeout: Duration::from_secs(15),
            lock_timeout: Duration::from_secs(10),
            idle_in_transaction_timeout: Duration::from_secs(60),
            connect_timeout: Duration::from_secs(5),
            application_name: format!("prescan-server {}", std::process::id()),
            ca_certificates: None,
        }
    }
}

/// The pool (see the module docs).
pub struct Pool {
    config: tokio_postgres::Config,
    /// TLS with verification, or none (see the module docs).
    tls: Option<tokio_postgres_rustls::MakeRustlsConnect>,
    settings: Settings,
    /// Runs the connections' tasks (`None` once dropped).
    runtime: Option<tokio::runtime::Runtime>,
    idle: Mutex<Idle>,
    freed: Condvar,
}

struct Idle {
    clients: Vec<(Client, Statements)>,
    /// Connections open, idle or lent.
    open: usize,
}

/// A connection lent by the pool; back to it when dropped.
pub struct Conn<'a> {
    pool: &'a Pool,
    client: Option<Client>,
    statements: Statements,
}

impl Conn<'_> {
    /// `sql` prepared on this connection, once: the hot statements (the
    /// version check before every read) then take one round trip, not two.
    pub fn prepared(&mut self, sql: &'static str) -> Result<Statement, DbError> {
        if let Some(s) = self.statements.get(sql) {
            return Ok(s.clone());
        }
        let s = wait(
            self.client
                .as_ref()
                .expect("present until dropped")
                .prepare(sql),
        )?;
        self.statements.insert(sql, s.clone());
        Ok(s)
    }
}

impl std::ops::Deref for Conn<'_> {
    type Target = Client;
    fn deref(&self) -> &Client {
        self.client.as_ref().expect("present until dropped")
    }
}

impl std::ops::DerefMut for Conn<'_> {
    fn deref_mut(&mut self) -> &mut Client {
        self.client.as_mut().expect("present until dropped")
    }
}

impl Drop for Conn<'_> {
    fn drop(&mut self) {
        if let Some(client) = self.client.take() {
            self.pool
                .give_back(client, std::mem::take(&mut self.statements));
        }
    }
}

/// The database URL without its password, for messages.
pub fn redacted_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) => {
            if u.password().is_some() {
                let _ = u.set_password(Some("***"));
            }
            u.to_string()
        }
        Err(_) => "the --database-url".to_owned(),
    }
}

fn ms(d: Duration) -> u128 {
    d.as_millis().max(1)
}

impl Pool {
    /// A pool for `url` (`postgres://user:password@host:port/db?...`).
    pub fn new(url: &str, settings: Settings) -> Result<Pool, DbError> {
        let mut config: tokio_postgres::Config = url.parse().map_err(|e| {
            DbError(format!(
                "{} is not a PostgreSQL connection URL: {e}",
                redacted_url(url)
            ))
        })?;
        config
            .connect_timeout(settings.connect_timeout)
            .application_name(&settings.application_name)
            .options(format!(
                "-c statement_timeout={} -c lock_timeout={} -c idle_in_transaction_session_timeout={}",
                ms(settings.statement_timeout),
                ms(settings.lock_timeout),
                ms(settings.idle_in_transaction_timeout)
            ));
        if settings.ca_certificates.is_some() {
            config.ssl_mode(SslMode::Require);
        }
        let tls = match config.get_ssl_mode() {
            SslMode::Require => Some(tls_connector(settings.ca_certificates.as_deref())?),
            _ => None,
        };
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("prescan-postgres")
            .enable_all()
            .build()
            .map_err(|e| {
                DbError(format!(
                    "cannot start the PostgreSQL connections' thread: {e}"
                ))
            })?;
        Ok(Pool {
            config,
            tls,
            settings,
            runtime: Some(runtime),
            idle: Mutex::new(Idle {
                clients: Vec::new(),
                open: 0,
            }),
            freed: Condvar::new(),
        })
    }

    fn runtime(&self) -> &tokio::runtime::Runtime {
        self.runtime.as_ref().expect("present until dropped")
    }

    fn idle(&self) -> MutexGuard<'_, Idle> {
        self.idle.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Opens one connection; its task runs on the pool's runtime.
    fn connect(&self) -> Result<Client, DbError> {
        let config = self.config.clone();
        let tls = self.tls.clone();
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.runtime().spawn(async move {
            // Each ends when the client is dropped or the server goes.
            match tls {
                None => match config.connect(NoTls).await {
                    Ok((client, connection)) => {
                        let _ = tx.send(Ok(client));
                        let _ = connection.await;
                    }
                    Err(e) => {
                        let _ = tx.send(Err(e));
                    }
                },
                Some(tls) => match config.connect(tls).await {
                    Ok((client, connection)) => {
                        let _ = tx.send(Ok(client));
                        let _ = connection.await;
                    }
                    Err(e) => {
                        let _ = tx.send(Err(e));
                    }
                },
            }
        });
        match wait(rx) {
            Ok(Ok(client)) => Ok(client),
            Ok(Err(e)) => Err(DbError(format!(
                "cannot connect to PostgreSQL: {}",
                describe(&e)
            ))),
            Err(_) => Err(DbError(
                "cannot connect to PostgreSQL: the connection task stopped".into(),
            )),
        }
    }

    /// A connection: an idle one, a new one while fewer than the maximum
    /// are open, or the next one given back within the acquire timeout.
    pub fn get(&self) -> Result<Conn<'_>, DbError> {
        let deadline = Instant::now() + self.settings.acquire_timeout;
        let mut idle = self.idle();
        loop {
            while let Some((client, statements)) = idle.clients.pop() {
                if client.is_closed() {
                    idle.open -= 1;
                    continue;
                }
                return Ok(Conn {
                    pool: self,
                    client: Some(client),
                    statements,
                });
            }
            if idle.open < self.settings.max_connections {
                idle.open += 1;
                drop(idle);
                return match self.connect() {
                    Ok(client) => Ok(Conn {
                        pool: self,
                        client: Some(client),
                        statements: Statements::new(),
                    }),
                    Err(e) => {
                        self.idle().open -= 1;
                        self.freed.notify_one();
                        Err(e)
                    }
                };
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(DbError(format!(
                    "the database is busy: all {} connections of this server stayed in use for {} s",
                    self.settings.max_connections,
                    self.settings.acquire_timeout.as_secs()
                )));
            }
            idle = self
                .freed
                .wait_timeout(idle, left)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
    }

    fn give_back(&self, client: Client, statements: Statements) {
        let mut idle = self.idle();
        if client.is_closed() {
            idle.open -= 1;
        } else {
            idle.clients.push((client, statements));
        }
        drop(idle);
        self.freed.notify_one();
    }

    /// The settings.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }
}

/// The rustls connector: the Mozilla roots and the CA certificates given
/// (PEM), ring as the provider, TLS 1.2 and 1.3.
fn tls_connector(ca: Option<&[u8]>) -> Result<tokio_postgres_rustls::MakeRustlsConnect, DbError> {
    use rustls::pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(pem) = ca {
        if pem.len() > 256 * 1024 {
            return Err(DbError(
                "--database-ca-cert: the file is over 256 KiB; give the CA's certificates (PEM)"
                    .into(),
            ));
        }
        let mut added = 0;
        for cert in rustls::pki_types::CertificateDer::pem_slice_iter(pem) {
            let cert = cert.map_err(|_| {
                DbError("--database-ca-cert: the PEM certificates could not be read".into())
            })?;
            roots.add(cert).map_err(|e| {
                DbError(format!(
                    "--database-ca-cert: a certificate cannot be used as a root ({e})"
                ))
            })?;
            added += 1;
        }
        if added == 0 {
            return Err(DbError(
                "--database-ca-cert: no certificate in it (PEM with -----BEGIN CERTIFICATE----- blocks)".into(),
            ));
        }
    }
    let config = rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| DbError(format!("TLS to PostgreSQL: {e}")))?
    .with_root_certificates(roots)
    .with_no_client_auth();
    Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
}

impl Drop for Pool {
    fn drop(&mut self) {
        self.idle().clients.clear();
        // Without waiting: the pool may be dropped on an async thread.
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

/// A PostgreSQL error in a sentence (the server's message and its code).
pub fn describe(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{} ({})", db.message(), db.code().code()),
        None => {
            // The cause says what went wrong in a handshake ("invalid peer
            // certificate: UnknownIssuer") or a connection.
            let mut text = e.to_string();
            let mut source = std::error::Error::source(e);
            while let Some(s) = source {
                text.push_str(": ");
                text.push_str(&s.to_string());
                source = s.source();
            }
            text
        }
    }
}

impl From<tokio_postgres::Error> for DbError {
    fn from(e: tokio_postgres::Error) -> Self {
        DbError(format!("PostgreSQL: {}", describe(&e)))
    }
}
