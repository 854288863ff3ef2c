//! Credentials at rest: the columns of the database that can hold
//! credentials (`analyses.body`, whose scans carry their authentication,
//! and `prescans.report`, whose requests carry the headers as sent) are
//! sealed with XChaCha20-Poly1305 under a 32-byte key kept **outside** the
//! database: a key file beside it (`prescan.key`, mode 0600, generated from
//! the OS's random source on first start) or the file given with
//! `--key-file`.
//!
//! A sealed value is the text `sealed:v1:` followed by the base64 of a
//! random 24-byte nonce and the ciphertext (with its tag). The row's id is
//! bound as associated data, so a sealed body cannot be moved to another
//! row. A value without the prefix is plain JSON from an older server: it
//! is read as such and sealed again at start-up.

use std::io::Write;
use std::path::Path;

use base64::Engine as _;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};

/// The prefix of a sealed value.
pub const PREFIX: &str = "sealed:v1:";

const KEY_LEN: usize = 32;
const NONCE_LEN: usize = 24;

/// The key of the database's sealed columns.
#[derive(Clone)]
pub struct Sealer {
    cipher: XChaCha20Poly1305,
    /// The key of [`Sealer::lookup`], derived from the sealing key.
    mac_key: [u8; 32],
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer(<key hidden>)")
    }
}

/// Why a sealed value could not be opened.
#[derive(Debug, PartialEq, Eq)]
pub enum OpenError {
    /// Not base64, or too short.
    Malformed,
    /// The tag does not match: another key, or a changed value.
    WrongKey,
}

impl Sealer {
    /// A sealer of `key`.
    pub fn new(key: &[u8; KEY_LEN]) -> Self {
        use sha2::Digest;
        let mut h = sha2::Sha256::new();
        h.update(b"prescan token lookup v1\0");
        h.update(key);
        Sealer {
            cipher: XChaCha20Poly1305::new(key.into()),
            mac_key: h.finalize().into(),
        }
    }

    /// A keyed hash of a secret (HMAC-SHA-256 under a key derived from the
    /// sealing key): finds a user's row by their token without storing
    /// anything a stolen database alone could test guesses against. The
    /// row's argon2id hash is then checked too.
    pub fn lookup(&self, secret: &[u8]) -> [u8; 32] {
        use hmac::Mac;
        let mut mac = <hmac::Hmac<sha2::Sha256> as hmac::Mac>::new_from_slice(&self.mac_key)
            .expect("HMAC takes a key of any length");
        mac.update(secret);
        mac.finalize().into_bytes().into()
    }

    /// Reads the key file at `path`, or creates it (mode 0600, 32 random
    /// bytes) when `create` and it does not exist. The file holds the key
    /// as 64 hexadecimal digits (a trailing newline is allowed).
    pub fn from_file(path: &Path, create: bool) -> Result<Sealer, String> {
        match std::fs::read_to_string(path) {
            Ok(text) => {
                check_private(path)?;
                let hex = text.trim();
                let key = decode_hex(hex).ok_or_else(|| {
                    format!(
                        "the key file {} must hold 64 hexadecimal digits (a 32-byte key)",
                        path.display()
                    )
                })?;
                Ok(Sealer::new(&key))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && create => {
                let mut key = [0u8; KEY_LEN];
                getrandom::getrandom(&mut key)
                    .map_err(|e| format!("no random bytes for a new key: {e}"))?;
                write_private(path, format!("{}\n", encode_hex(&key)).as_bytes())
                    .map_err(|e| format!("cannot write the key file {}: {e}", path.display()))?;
                Ok(Sealer::new(&key))
            }
            Err(e) => Err(format!("cannot read the key file {}: {e}", path.display())),
        }
    }

    /// Seals `plain` for the row `aad`.
    pub fn seal(&self, plain: &str, aad: &str) -> String {
        let mut nonce = [0u8; NONCE_LEN];
        // The OS's random source does not fail on the systems we run on;
        // if it did, refusing to write is better than a repeated nonce.
        getrandom::getrandom(&mut nonce).expect("the OS random source");
        let sealed = self
            .cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plain.as_bytes(),
                    aad: aad.as_bytes(),
                },
            )
            .expect("XChaCha20-Poly1305 seals any length we store");
        let mut all = nonce.to_vec();
        all.extend_from_slice(&sealed);
        format!(
            "{PREFIX}{}",
            base64::engine::general_purpose::STANDARD.encode(all)
        )
    }

    /// Opens a value of the row `aad`: a sealed one is decrypted, a plain
    /// one (no prefix) is returned as it is, with `false` (not sealed).
    pub fn open(&self, stored: &str, aad: &str) -> Result<(String, bool), OpenError> {
        let Some(b64) = stored.strip_prefix(PREFIX) else {
            return Ok((stored.to_owned(), false));
        };
        let all = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .map_err(|_| OpenError::Malformed)?;
        if all.len() < NONCE_LEN + 16 {
            return Err(OpenError::Malformed);
        }
        let (nonce, ct) = all.split_at(NONCE_LEN);
        let plain = self
            .cipher
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: ct,
                    aad: aad.as_bytes(),
                },
            )
            .map_err(|_| OpenError::WrongKey)?;
        String::from_utf8(plain)
            .map(|p| (p, true))
            .map_err(|_| OpenError::Malformed)
    }
}

fn encode_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn decode_hex(hex: &str) -> Option<[u8; KEY_LEN]> {
    if hex.len() != KEY_LEN * 2 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let mut key = [0u8; KEY_LEN];
    for (i, k) in key.iter_mut().enumerate() {
        *k = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(key)
}

/// Writes a new file readable by its owner only (0600 on Unix), failing if
/// it exists.
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    let mut f = o.open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

/// Refuses a key file that others can read (Unix).
fn check_private(path: &Path) -> Result<(), String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)
            .map_err(|e| format!("cannot read the key file {}: {e}", path.display()))?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            return Err(format!(
                "the key file {} can be read by others (mode {:o}); make it private with chmod 600",
                path.display(),
                mode & 0o777
            ));
        }
    }
    let _ = path;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seals_and_opens_bound_to_the_row() {
        let s = Sealer::new(&[7; 32]);
        let sealed = s.seal("{\"token\":\"abc\"}", "analyses:1");
        assert!(sealed.starts_with(PREFIX) && !sealed.contains("abc"));
        assert_eq!(
            s.open(&sealed, "analyses:1").unwrap(),
            ("{\"token\":\"abc\"}".to_owned(), true)
        );
        assert_eq!(s.open(&sealed, "analyses:2"), Err(OpenError::WrongKey));
        assert_eq!(
            Sealer::new(&[8; 32]).open(&sealed, "analyses:1"),
            Err(OpenError::WrongKey)
        );
        assert_eq!(s.open("{}", "x").unwrap(), ("{}".to_owned(), false));
        assert_eq!(s.open("sealed:v1:!!", "x"), Err(OpenError::Malformed));
    }

    #[test]
    fn a_key_file_is_created_private_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k");
        let a = Sealer::from_file(&path, true).unwrap();
        let b = Sealer::from_file(&path, false).unwrap();
        let sealed = a.seal("x", "r");
        assert_eq!(b.open(&sealed, "r").unwrap().0, "x");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(Sealer::from_file(&dir.path().join("none"), false).is_err());
    }
}
