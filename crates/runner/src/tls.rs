//! TLS of prescans beyond the defaults: the client certificate a scan
//! presents ([`read_client_certificate`], [`read_pkcs12`]: a PKCS#12 file
//! and its passphrase, read natively), the extra certificate authorities a
//! runner trusts besides the Mozilla roots ([`read_ca_certificates`]: the
//! server's `--prescan-ca-cert`, `prescan run --ca-cert`), and what a TLS
//! failure means for the user ([`tls_note`]).
//!
//! **PKCS#12.** Read with `p12-keystore` (pure Rust, RustCrypto): PBES2
//! with AES-256-CBC and PBKDF2-HMAC-SHA256 as OpenSSL 3's `openssl pkcs12
//! -export` writes by default, and the legacy `pbeWithSHAAnd3-KeyTripleDES-CBC`
//! and RC2 schemes (`-legacy`, older Windows exports); the MAC is checked
//! with the passphrase. The file must hold a private key (PKCS#8, shrouded)
//! and its certificate; the chain in the file is sent with it. A
//! certificate outside its validity period is refused (a server would
//! refuse it anyway, with a less clear error). Errors never quote the
//! passphrase.

use base64::Engine as _;
use prescan_core::ClientCertificate;

/// The client certificate's identity for reqwest (rustls) and the
/// certificate's subject, for messages.
pub struct ClientIdentity {
    /// The identity (the leaf, its chain, and the key).
    pub identity: reqwest::Identity,
    /// The leaf certificate's subject (`CN=client`).
    pub subject: String,
}

impl std::fmt::Debug for ClientIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientIdentity")
            .field("subject", &self.subject)
            .finish_non_exhaustive()
    }
}

/// Reads a scan's client certificate at `now_s` (seconds since the Unix
/// epoch): its bounds ([`ClientCertificate::check`]), its base64, then the
/// PKCS#12 file ([`read_pkcs12`]). The error is a sentence for the user.
pub fn read_client_certificate(
    cert: &ClientCertificate,
    now_s: i64,
) -> Result<ClientIdentity, String> {
    cert.check()?;
    let compact: String = cert
        .pkcs12_base64
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(compact.as_bytes())
        .map_err(|_| {
            format!(
                "The client certificate file {} was not sent as base64: choose the file again.",
                shown(&cert.file_name)
            )
        })?;
    read_pkcs12(&cert.file_name, &bytes, &cert.passphrase, now_s)
}

/// `the file \`name\`` for a sentence.
fn shown(name: &str) -> String {
    if name.is_empty() {
        "(no name)".to_owned()
    } else {
        format!("`{}`", name.escape_debug())
    }
}

/// Reads a PKCS#12 file (`file_name` is for messages only) with its
/// passphrase at `now_s` (seconds since the Unix epoch): the identity to
/// present, or a sentence for the user saying what is wrong (not PKCS#12,
/// a passphrase that does not open it, no private key, a certificate out
/// of its validity period). The passphrase is never quoted.
pub fn read_pkcs12(
    file_name: &str,
    bytes: &[u8],
    passphrase: &str,
    now_s: i64,
) -> Result<ClientIdentity, String> {
    use der::Decode as _;
    let name = shown(file_name);
    if bytes.len() > prescan_core::MAX_CLIENT_CERTIFICATE_BYTES {
        return Err(format!(
            "The client certificate file {name} is {} KiB; a PKCS#12 file may have at most {} KiB.",
            bytes.len().div_ceil(1024),
            prescan_core::MAX_CLIENT_CERTIFICATE_BYTES / 1024
        ));
    }
    let pfx = pkcs12::pfx::Pfx::from_der(bytes);
    if let Ok(pfx) = &pfx {
        let mac = pfx.mac_data.as_ref().map_or(0, |m| i64::from(m.iterations));
        let most = mac.max(most_kdf_iterations(bytes));
        if most > MAX_KDF_ITERATIONS {
            return Err(format!(
                "The client certificate file {name} asks for {most} key derivation iterations; prescan reads files with at most {MAX_KDF_ITERATIONS} (OpenSSL writes 2048, Java 10000). Export it again with fewer."
            ));
        }
    }
    if pfx.is_err() {
        let pem = bytes.starts_with(b"-----BEGIN");
        return Err(format!(
            "The client certificate file {name} is not a PKCS#12 file (.p12 or .pfx){}.",
            if pem {
                ": it is PEM text. Pack the certificate and its key into one with `openssl pkcs12 -export -in cert.pem -inkey key.pem -out client.p12`"
            } else {
                ""
            }
        ));
    }
    let store = p12_keystore::KeyStore::from_pkcs12(bytes, passphrase).map_err(|e| {
        use p12_keystore::error::Error as E;
        match e {
            E::MacError(_) | E::UnpadError | E::Pkcs5Error(_) | E::InvalidLength => format!(
                "The passphrase does not open the client certificate file {name}. Check the passphrase{}.",
                if passphrase.is_empty() { " (none was given)" } else { "" }
            ),
            E::UnsupportedEncryptionScheme | E::UnsupportedMacAlgorithm => format!(
                "The client certificate file {name} is encrypted with a scheme prescan cannot read. Export it again with AES-256 (OpenSSL 3's default: `openssl pkcs12 -export`)."
            ),
            other => format!(
                "The client certificate file {name} could not be read with this passphrase ({other}). Check the passphrase, or export the file again."
            ),
        }
    })?;
    let Some((_, chain)) = store.private_key_chain() else {
        return Err(format!(
            "The client certificate file {name} holds no private key with its certificate (only certificates). Export the certificate together with its private key."
        ));
    };
    let Some(leaf) = chain.chain().first() else {
        return Err(format!(
            "The client certificate file {name} holds a private key but no certificate for it."
        ));
    };
    let subject = leaf.subject().to_owned();
    let (_, parsed) = x509_parser::parse_x509_certificate(leaf.as_der())
        .map_err(|_| format!("The client certificate in {name} could not be read."))?;
    let validity = parsed.validity();
    if validity.not_after.timestamp() < now_s {
        return Err(format!(
            "The client certificate in {name} ({subject}) expired on {}. Ask for a new one.",
            validity.not_after
        ));
    }
    if validity.not_before.timestamp() > now_s {
        return Err(format!(
            "The client certificate in {name} ({subject}) is not valid before {}.",
            validity.not_before
        ));
    }
    let mut pem = String::new();
    for cert in chain.chain() {
        pem.push_str(&pem_block("CERTIFICATE", cert.as_der()));
    }
    pem.push_str(&pem_block("PRIVATE KEY", chain.key()));
    let identity = reqwest::Identity::from_pem(pem.as_bytes()).map_err(|_| {
        format!(
            "The private key in the client certificate file {name} is of a kind prescan cannot use (RSA, ECDSA P-256/P-384 and Ed25519 keys can be used)."
        )
    })?;
    Ok(ClientIdentity { identity, subject })
}

/// The most key derivation iterations a PKCS#12 file may ask for (its MAC,
/// PBKDF2 and the legacy PKCS#12 KDF): each costs a hash, and the file is
/// opened when a scan is saved, so a file asking for billions would tie
/// the server up.
pub const MAX_KDF_ITERATIONS: i64 = 600_000;

/// The DER of the OID of PBKDF2 (1.2.840.113549.1.5.12), and the prefix of
/// the legacy PKCS#12 PBE schemes (1.2.840.113549.1.12.1.x).
const PBKDF2_OID: &[u8] = &[
    0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x0c,
];
const PKCS12_PBE_OID: &[u8] = &[
    0x06, 0x0a, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x01,
];

/// The most iterations of the key derivation parameters found in `der`
/// outside encrypted parts (where OpenSSL, Java and Windows put them):
/// after each OID of PBKDF2 or a PKCS#12 PBE scheme, its parameters
/// `SEQUENCE { salt OCTET STRING, iterationCount INTEGER, ... }`.
fn most_kdf_iterations(der: &[u8]) -> i64 {
    let mut most = 0;
    for oid in [PBKDF2_OID, PKCS12_PBE_OID] {
        let mut at = 0;
        while let Some(found) = der[at..].windows(oid.len()).position(|w| w == oid) {
            let mut i = at + found + oid.len();
            if oid == PKCS12_PBE_OID {
                i += 1; // the scheme's last arc
            }
            if let Some(n) = params_iterations(der, i) {
                most = most.max(n);
            }
            at += found + 1;
        }
    }
    most
}

/// The iteration count of `SEQUENCE { OCTET STRING, INTEGER, ... }` at
/// `i`.
fn params_iterations(der: &[u8], i: usize) -> Option<i64> {
    let (tag, _, inner) = tlv(der, i)?;
    if tag != 0x30 {
        return None;
    }
    let (tag, salt_len, salt_at) = tlv(der, inner)?;
    if tag != 0x04 {
        return None;
    }
    let (tag, len, at) = tlv(der, salt_at + salt_len)?;
    if tag != 0x02 || len == 0 || len > 8 {
        return None;
    }
    let bytes = der.get(at..at + len)?;
    if bytes[0] & 0x80 != 0 {
        return Some(i64::MAX);
    }
    Some(bytes.iter().fold(0i64, |n, b| {
        n.saturating_mul(256).saturating_add(i64::from(*b))
    }))
}

/// The tag, length and start of the contents of the DER element at `i`.
fn tlv(der: &[u8], i: usize) -> Option<(u8, usize, usize)> {
    let tag = *der.get(i)?;
    let first = *der.get(i + 1)?;
    if first < 0x80 {
        return Some((tag, usize::from(first), i + 2));
    }
    let n = usize::from(first & 0x7f);
    if n == 0 || n > 4 {
        return None;
    }
    let len = der
        .get(i + 2..i + 2 + n)?
        .iter()
        .fold(0usize, |l, b| (l << 8) | usize::from(*b));
    Some((tag, len, i + 2 + n))
}

/// A PEM block of `der`, 64 characters a line.
fn pem_block(label: &str, der: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).unwrap_or_default());
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// The most bytes of a CA certificate file.
pub const MAX_CA_FILE_BYTES: usize = 1024 * 1024;

/// Reads extra certificate authorities to trust (`name` is the file's name
/// for messages): PEM (one or more `CERTIFICATE` blocks) or one DER
/// certificate, at most [`MAX_CA_FILE_BYTES`]. The error is a sentence.
pub fn read_ca_certificates(name: &str, bytes: &[u8]) -> Result<Vec<reqwest::Certificate>, String> {
    if bytes.len() > MAX_CA_FILE_BYTES {
        return Err(format!(
            "{name}: the CA certificate file has {} KiB; at most {} KiB.",
            bytes.len().div_ceil(1024),
            MAX_CA_FILE_BYTES / 1024
        ));
    }
    let text = String::from_utf8_lossy(bytes);
    let certs = if text.contains("-----BEGIN CERTIFICATE-----") {
        reqwest::Certificate::from_pem_bundle(bytes)
            .map_err(|_| format!("{name}: the PEM certificates could not be read."))?
    } else {
        if x509_parser::parse_x509_certificate(bytes).is_err() {
            return Err(format!(
                "{name}: not a certificate (PEM with -----BEGIN CERTIFICATE----- blocks, or one DER certificate)."
            ));
        }
        vec![reqwest::Certificate::from_der(bytes)
            .map_err(|_| format!("{name}: the DER certificate could not be read."))?]
    };
    if certs.is_empty() {
        return Err(format!("{name}: no certificate found."));
    }
    Ok(certs)
}

/// What a failed request's error says about TLS, as a note for the user:
/// the server asked for a client certificate none (or another) was sent
/// for, or its certificate is not trusted. `None` for other errors.
pub fn tls_note(err: &(dyn std::error::Error + 'static), presented: bool) -> Option<String> {
    let mut text = String::new();
    let mut e: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(cur) = e {
        text.push_str(&format!("{cur} | {cur:?} | "));
        e = cur.source();
    }
    let asked = text.contains("CertificateRequired")
        || text.contains("certificate required")
        || (text.contains("HandshakeFailure") && !presented);
    if asked && !presented {
        return Some(
            "The server asked for a client certificate and none was presented: add the scan's client certificate (a PKCS#12 file and its passphrase). A browser cannot present one from a page; the server prescan and `prescan run --client-cert` can.".to_owned(),
        );
    }
    if presented
        && (text.contains("BadCertificate")
            || text.contains("UnknownCA")
            || text.contains("CertificateRequired")
            || text.contains("CertificateExpired")
            || text.contains("CertificateUnknown")
            || text.contains("AccessDenied")
            || text.contains("HandshakeFailure"))
    {
        return Some(
            "The server refused the client certificate presented (its TLS handshake failed with the certificate): check that it is the certificate this server expects and that the server trusts its issuer.".to_owned(),
        );
    }
    if text.contains("UnknownIssuer") || text.contains("invalid peer certificate") {
        return Some(
            "The server's TLS certificate is not trusted (it is not issued by a public certificate authority). For an internal CA, give its certificate to the runner: prescan-server --prescan-ca-cert FILE, or prescan run --ca-cert FILE.".to_owned(),
        );
    }
    None
}
