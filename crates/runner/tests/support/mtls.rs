//! Test support shared by the runner's, the command line's and the
//! server's tests (included with `#[path]`): a test CA, a server
//! certificate for 127.0.0.1, client certificates packed as PKCS#12 (made
//! in Rust: rcgen and p12-keystore, so CI needs no OpenSSL), and an HTTP
//! target over TLS that requires a client certificate of the test CA, or
//! over plain TCP, recording each request's `User-Agent`.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};

use p12_keystore::{Certificate, KeyStore, KeyStoreEntry, PrivateKeyChain};
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_rustls::rustls;

/// The passphrase of the test client certificates.
pub const PASSPHRASE: &str = "correct horse battery";

/// The certificates of a test.
pub struct Pki {
    /// The test CA (PEM): what the runner must trust to reach the target.
    pub ca_pem: String,
    /// The target's TLS configuration: its certificate for 127.0.0.1, and
    /// a client certificate of the test CA required.
    pub server: Arc<rustls::ServerConfig>,
    /// A client certificate of the test CA, its key and the CA, as
    /// PKCS#12 (AES-256, PBKDF2) with [`PASSPHRASE`].
    pub client_p12: Vec<u8>,
    /// The same with the legacy scheme (3DES, SHA-1 MAC).
    pub client_p12_legacy: Vec<u8>,
    /// A client certificate of the test CA that expired in 2020.
    pub expired_p12: Vec<u8>,
    /// A client certificate of another CA (the target refuses it).
    pub stranger_p12: Vec<u8>,
    /// Only the client certificate, no key.
    pub no_key_p12: Vec<u8>,
}

fn new_ca(name: &str) -> CertifiedIssuer<'static, KeyPair> {
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name.push(DnType::CommonName, name);
    CertifiedIssuer::self_signed(ca, KeyPair::generate().unwrap()).unwrap()
}

/// A client certificate `cn` of `ca` as PKCS#12.
fn client(
    ca: &CertifiedIssuer<'static, KeyPair>,
    cn: &str,
    expired: bool,
    legacy: bool,
) -> Vec<u8> {
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.distinguished_name.push(DnType::CommonName, cn);
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    if expired {
        params.not_before = rcgen::date_time_ymd(2019, 1, 1);
        params.not_after = rcgen::date_time_ymd(2020, 1, 1);
    }
    let cert = params.signed_by(&key, ca).unwrap();
    pkcs12(
        cert.der(),
        &key.serialize_der(),
        Some(ca.der()),
        PASSPHRASE,
        legacy,
    )
}

/// Packs a certificate, its key (PKCS#8 DER) and its CA as PKCS#12.
pub fn pkcs12(cert: &[u8], key: &[u8], ca: Option<&[u8]>, pass: &str, legacy: bool) -> Vec<u8> {
    pkcs12_with(cert, key, ca, pass, legacy, None)
}

/// [`pkcs12`] with `iterations` of key derivation (encryption and MAC).
pub fn pkcs12_with(
    cert: &[u8],
    key: &[u8],
    ca: Option<&[u8]>,
    pass: &str,
    legacy: bool,
    iterations: Option<u64>,
) -> Vec<u8> {
    let mut chain = vec![Certificate::from_der(cert).unwrap()];
    if let Some(ca) = ca {
        chain.push(Certificate::from_der(ca).unwrap());
    }
    let mut store = KeyStore::new();
    store.add_entry(
        "client",
        KeyStoreEntry::PrivateKeyChain(PrivateKeyChain::new(key, b"client-key-1", chain)),
    );
    let mut w = store.writer(pass);
    if let Some(n) = iterations {
        w = w.encryption_iterations(n).mac_iterations(n);
    }
    if legacy {
        w = w
            .encryption_algorithm(p12_keystore::EncryptionAlgorithm::PbeWithShaAnd3KeyTripleDesCbc)
            .mac_algorithm(p12_keystore::MacAlgorithm::HmacSha1);
    }
    w.write().unwrap()
}

/// Makes the certificates of a test.
pub fn pki() -> Pki {
    pki_with(false)
}

/// [`pki`], the target speaking TLS 1.2 only with `tls12_only`.
pub fn pki_with(tls12_only: bool) -> Pki {
    let ca = new_ca("prescan test CA");
    let server_key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
        .unwrap()
        .signed_by(&server_key, &ca)
        .unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    roots.add(ca.der().clone()).unwrap();
    let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
        Arc::new(roots),
        provider.clone(),
    )
    .build()
    .unwrap();
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(server_key.serialize_der().into());
    let builder = rustls::ServerConfig::builder_with_provider(provider);
    let builder = if tls12_only {
        builder.with_protocol_versions(&[&rustls::version::TLS12])
    } else {
        builder.with_safe_default_protocol_versions()
    };
    let server = builder
        .unwrap()
        .with_client_cert_verifier(verifier)
        .with_single_cert(vec![leaf.der().clone()], key)
        .unwrap();
    let stranger = new_ca("another CA");
    let lone_key = KeyPair::generate().unwrap();
    let mut lone = CertificateParams::new(Vec::<String>::new()).unwrap();
    lone.distinguished_name.push(DnType::CommonName, "no key");
    let lone = lone.signed_by(&lone_key, &ca).unwrap();
    let mut cert_only = KeyStore::new();
    cert_only.add_entry(
        "cert",
        KeyStoreEntry::Certificate(Certificate::from_der(lone.der()).unwrap()),
    );
    Pki {
        ca_pem: ca.pem(),
        server: Arc::new(server),
        client_p12: client(&ca, "prescan test client", false, false),
        client_p12_legacy: client(&ca, "prescan test client", false, true),
        expired_p12: client(&ca, "expired client", true, false),
        stranger_p12: client(&stranger, "stranger", false, false),
        no_key_p12: cert_only.writer(PASSPHRASE).write().unwrap(),
    }
}

/// An HTTP target: every request gets `200 {"ok":true}`, and its
/// `User-Agent` is recorded.
pub struct Target {
    /// Its port on 127.0.0.1.
    pub port: u16,
    /// The `User-Agent` of each request served, in order.
    pub user_agents: Arc<Mutex<Vec<String>>>,
    /// Connections whose TLS handshake failed.
    pub handshake_failures: Arc<Mutex<usize>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Target {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Target {
    /// `https://127.0.0.1:PORT` (or `http://` for a plain target).
    pub fn url(&self, tls: bool) -> String {
        format!(
            "{}://127.0.0.1:{}",
            if tls { "https" } else { "http" },
            self.port
        )
    }

    /// The user agents recorded so far.
    pub fn agents(&self) -> Vec<String> {
        self.user_agents.lock().unwrap().clone()
    }

    /// Starts a target on 127.0.0.1: over TLS with `tls` (a client
    /// certificate required, as its configuration says), else plain HTTP.
    pub async fn start(tls: Option<Arc<rustls::ServerConfig>>) -> Target {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let user_agents = Arc::new(Mutex::new(Vec::new()));
        let handshake_failures = Arc::new(Mutex::new(0));
        let (agents, failures) = (user_agents.clone(), handshake_failures.clone());
        let acceptor = tls.map(tokio_rustls::TlsAcceptor::from);
        let task = tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let (agents, failures, acceptor) =
                    (agents.clone(), failures.clone(), acceptor.clone());
                tokio::spawn(async move {
                    match acceptor {
                        Some(a) => match a.accept(tcp).await {
                            Ok(stream) => serve(stream, &agents).await,
                            Err(_) => *failures.lock().unwrap() += 1,
                        },
                        None => serve(tcp, &agents).await,
                    }
                });
            }
        });
        Target {
            port,
            user_agents,
            handshake_failures,
            task,
        }
    }
}

/// Serves one request on a connection, then closes it.
async fn serve<S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin>(
    mut s: S,
    agents: &Mutex<Vec<String>>,
) {
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 64 * 1024 {
        match s.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    let text = String::from_utf8_lossy(&head);
    let ua = text
        .lines()
        .find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.trim()
                .eq_ignore_ascii_case("user-agent")
                .then(|| v.trim().to_owned())
        })
        .unwrap_or_default();
    agents.lock().unwrap().push(ua);
    let body = br#"{"ok":true}"#;
    let reply = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = s.write_all(reply.as_bytes()).await;
    let _ = s.write_all(body).await;
    let _ = s.shutdown().await;
}

/// A specification with two GET endpoints and no server (the test gives
/// the target).
pub const SPEC: &str = r#"{"openapi": "3.0.3", "info": {"title": "mTLS", "version": "1"},
  "paths": {
    "/pets": {"get": {"responses": {"200": {"description": "ok"}}}},
    "/owners": {"get": {"responses": {"200": {"description": "ok"}}}}}}"#;
