//! What the user chooses before converting: the server, server variables, a
//! base URL, the credentials of the scan configuration, the endpoint scope,
//! and the HAR style and scope.
//!
//! Depends on `limits`, `scope`, `values` and `oauth` only.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Options that shape a conversion. The default is what a user gets before
/// touching any setting.
///
/// Every field has a serde default, so `{}` deserializes to the default.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ConvertOptions {
    /// A fully-qualified base URL (including the base path, such as
    /// `https://api.example.com/v1`) that replaces the specification's global
    /// servers. Required when the specification has no server, or only
    /// relative ones, and for Postman collections (only requests to its host
    /// are kept). Path- and operation-level servers of OpenAPI still apply:
    /// absolute ones as they are, relative ones against this URL's origin.
    pub base_url: Option<String>,
    /// Which of the specification's global servers to use (an index into
    /// [`crate::Specification::servers`]); `None` is the first. Ignored when
    /// `base_url` is given. An index out of range is a Warning, and the first
    /// server is used.
    pub server: Option<usize>,
    /// Values for server variables, by variable name (they replace the
    /// variables' defaults in every server URL that names them). A value
    /// outside the variable's `enum` is used, with a Warning.
    pub server_variables: BTreeMap<String, String>,
    /// Credentials entered for the scan, used in place of placeholders.
    pub auth: ScanAuth,
    /// How the HAR is written.
    pub har_style: HarStyle,
    /// Which endpoints the scan covers (default: every endpoint included).
    /// Each [`crate::Endpoint::scope`] is decided by it.
    pub scope: crate::scope::Scope,
    /// Which endpoints the HAR holds (default: all of them).
    pub har_scope: HarScope,
    /// The budget of the conversion (bytes, items, steps).
    pub limits: crate::Limits,
    /// Values the user gives for parameters and body properties, used in
    /// place of generated ones (see [`crate::values`]). Empty by default:
    /// nothing changes.
    pub values: crate::values::ValueOverrides,
}

/// Credentials entered in a scan configuration. Secrets here never appear in
/// diagnostics; they appear only in the HAR's requests.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ScanAuth {
    /// Headers added to every request, as (name, value). Names Veracode
    /// reserves (see [`validate_header_name`]) are refused with an Error
    /// diagnostic and left out. A custom header replaces a header of the
    /// same name the specification would send (such as `Authorization`).
    pub custom_headers: Vec<(String, String)>,
    /// Cookies added to every request, as (name, value).
    pub custom_cookies: Vec<(String, String)>,
    /// HTTP Basic credentials (user name, password), used for `http`/`basic`
    /// security schemes (and Postman basic auth).
    pub basic: Option<(String, String)>,
    /// A bearer token, used for `http`/`bearer`, OAuth 2 and OpenID Connect
    /// schemes (and Postman bearer and OAuth 2 auth), sent as
    /// `Authorization: Bearer <token>`.
    pub bearer: Option<String>,
    /// API keys by security scheme name (OpenAPI `securitySchemes` key), sent
    /// where the scheme says (header, query or cookie). For Postman API-key
    /// auth, the key is looked up by the key's (header or parameter) name.
    pub api_keys: BTreeMap<String, String>,
    /// A client certificate (PKCS#12) presented in the TLS handshake. Only
    /// a native runner (the server prescan, `prescan run`) can present
    /// one: a page cannot choose the certificate its browser presents. The
    /// core only carries and bounds it ([`ClientCertificate::check`]); the
    /// runner reads it.
    pub client_certificate: Option<ClientCertificate>,
    /// OAuth 2.0: the prescan gets a token from the token endpoint and sends
    /// it as `Authorization: Bearer <token>` (see [`crate::oauth`]). The
    /// conversion leaves it alone (the HAR keeps placeholders for OAuth 2
    /// schemes unless a bearer token is entered too).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub oauth: Option<crate::oauth::OAuth>,
}

/// Values are shown as `***` (every field of a scan's credentials may be
/// secret); only names and the OAuth configuration's non-secret parts are
/// printed.
impl std::fmt::Debug for ScanAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names = |v: &[(String, String)]| {
            v.iter()
                .map(|(n, _)| format!("{n}: ***"))
                .collect::<Vec<_>>()
        };
        f.debug_struct("ScanAuth")
            .field("custom_headers", &names(&self.custom_headers))
            .field("custom_cookies", &names(&self.custom_cookies))
            .field(
                "basic",
                &self.basic.as_ref().map(|(u, _)| format!("{u}:***")),
            )
            .field("bearer", &self.bearer.as_ref().map(|_| "***"))
            .field("api_keys", &self.api_keys.keys().collect::<Vec<_>>())
            .field("oauth", &self.oauth)
            .field("client_certificate", &self.client_certificate)
            .finish()
    }
}

impl ScanAuth {
    /// Whether no credential at all was entered.
    pub fn is_empty(&self) -> bool {
        self.custom_headers.is_empty()
            && self.custom_cookies.is_empty()
            && self.basic.is_none()
            && self.bearer.is_none()
            && self.api_keys.is_empty()
            && self.oauth.is_none()
            && self.client_certificate.is_none()
    }
}

/// The most bytes a client certificate file (PKCS#12) may have: 64 KiB (a
/// key and a chain of a few certificates take 3 to 10 KiB).
pub const MAX_CLIENT_CERTIFICATE_BYTES: usize = 64 * 1024;
/// The most characters of a client certificate's passphrase.
pub const MAX_PASSPHRASE_CHARS: usize = 1024;
/// The most characters of a client certificate's file name.
pub const MAX_CERTIFICATE_FILE_NAME_CHARS: usize = 255;

/// A client certificate: a PKCS#12 file (`.p12`, `.pfx`) holding the
/// certificate, its chain and its private key, and the passphrase it is
/// encrypted with. Its [`Debug`](std::fmt::Debug) shows the file name and
/// size only, never the bytes or the passphrase.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ClientCertificate {
    /// The file's name, as the user chose it (shown, never read).
    pub file_name: String,
    /// The file's bytes in standard base64 (with padding).
    pub pkcs12_base64: String,
    /// The passphrase (may be empty: a file exported without one).
    pub passphrase: String,
}

impl std::fmt::Debug for ClientCertificate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientCertificate")
            .field("file_name", &self.file_name)
            .field(
                "pkcs12_base64",
                &format_args!("<{} characters>", self.pkcs12_base64.len()),
            )
            .field("passphrase", &format_args!("***"))
            .finish()
    }
}

impl ClientCertificate {
    /// The file's size in bytes as its base64 text says (without decoding
    /// it).
    pub fn file_size(&self) -> usize {
        let text = self.pkcs12_base64.trim_end();
        let padding = text.bytes().rev().take_while(|b| *b == b'=').count();
        (text.len() / 4 * 3 + (text.len() % 4).saturating_sub(1)).saturating_sub(padding.min(2))
    }

    /// Checks the bounds: a file name of at most
    /// [`MAX_CERTIFICATE_FILE_NAME_CHARS`] characters, a file of at most
    /// [`MAX_CLIENT_CERTIFICATE_BYTES`] bytes and not empty, a passphrase
    /// of at most [`MAX_PASSPHRASE_CHARS`] characters. The error is a
    /// sentence for the user that never quotes the passphrase. Whether the
    /// file is a PKCS#12 file the passphrase opens is for the runner to
    /// say.
    pub fn check(&self) -> Result<(), String> {
        if self.file_name.chars().count() > MAX_CERTIFICATE_FILE_NAME_CHARS {
            return Err(format!(
                "The client certificate's file name is longer than {MAX_CERTIFICATE_FILE_NAME_CHARS} characters. Rename the file."
            ));
        }
        if self.file_name.chars().any(char::is_control) {
            return Err(
                "The client certificate's file name holds control characters. Rename the file."
                    .into(),
            );
        }
        if self.pkcs12_base64.trim().is_empty() {
            return Err(format!(
                "The client certificate file {} is empty. Choose the PKCS#12 file (.p12 or .pfx) that holds the certificate and its private key.",
                self.shown_name()
            ));
        }
        // Four base64 characters for three bytes, and a little room for
        // line breaks.
        let size = self.file_size();
        if size > MAX_CLIENT_CERTIFICATE_BYTES
            || self.pkcs12_base64.len() > MAX_CLIENT_CERTIFICATE_BYTES / 3 * 4 + 4096
        {
            return Err(format!(
                "The client certificate file {} is {} KiB; a PKCS#12 file may have at most {} KiB (a certificate, its chain and its key take a few KiB).",
                self.shown_name(),
                size.div_ceil(1024),
                MAX_CLIENT_CERTIFICATE_BYTES / 1024
            ));
        }
        if self.passphrase.chars().count() > MAX_PASSPHRASE_CHARS {
            return Err(format!(
                "The client certificate's passphrase is longer than {MAX_PASSPHRASE_CHARS} characters."
            ));
        }
        Ok(())
    }

    /// The file name for a sentence (`the file` when none was given).
    fn shown_name(&self) -> String {
        if self.file_name.is_empty() {
            "(no name)".to_owned()
        } else {
            format!("`{}`", self.file_name.escape_debug())
        }
    }
}

/// How the requests are written in the HAR.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum HarStyle {
    /// URLs with the path parameters' values in place
    /// (`https://api.example.com/pets/42`); the entry's `comment` names the
    /// operation.
    #[default]
    Concrete,
    /// Veracode's style: path templates stay in the URL
    /// (`https://api.example.com/pets/{petId}`) and the values of the path
    /// parameters go in the entry's `comment`, as `name=value` pairs joined
    /// by `&`, each value exactly the text that replaces `{name}` in the URL
    /// (percent-encoded, so `&` never appears inside a value), e.g.
    /// `petId=42&kind=cat`. The operation is named in the request's
    /// `comment` instead.
    Veracode,
}

/// Which endpoints' entries a HAR holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum HarScope {
    /// Every endpoint, whatever its scope (the HAR prescan always wrote).
    #[default]
    All,
    /// Only the endpoints a scanner sends requests to: included and
    /// ignored ([`crate::scope::ScopeDecision::is_sent`]), in
    /// specification order. The first [`crate::PRESCAN_LIMIT`] of them are
    /// what the prescan covers.
    InScope,
}

/// Header names a scan configuration may not set (Veracode's list).
pub const RESERVED_HEADERS: [&str; 20] = [
    "Accept-Charset",
    "Accept-Encoding",
    "Access-Control-Request-Headers",
    "Access-Control-Request-Method",
    "Connection",
    "Content-Length",
    "Cookie",
    "Cookie2",
    "Date",
    "DNT",
    "Expect",
    "Host",
    "Keep-Alive",
    "Origin",
    "Referer",
    "TE",
    "Trailer",
    "Transfer-Encoding",
    "Upgrade",
    "Via",
];

/// Checks a custom cookie name: printable ASCII without `=`, `;`, `,` or
/// `"` (a name the conversion and the prescan send; any other is left out
/// of every request). The error is a sentence for the user.
pub fn validate_cookie_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("The cookie name is empty. Enter a name such as session.".into());
    }
    match name
        .chars()
        .find(|c| !c.is_ascii_graphic() || matches!(c, '=' | ';' | ',' | '"'))
    {
        None => Ok(()),
        Some(bad) => {
            let shown = if bad.is_whitespace() || bad.is_control() {
                format!("{bad:?}")
            } else {
                format!("`{bad}`")
            };
            Err(format!(
                "The cookie name `{}` contains {shown}, which a cookie name cannot hold. Use printable ASCII characters without =, ;, comma or quotes.",
                name.escape_debug()
            ))
        }
    }
}

/// Checks a custom header name as Veracode does: not empty, no trailing
/// colon, only HTTP token characters, and not one of [`RESERVED_HEADERS`]
/// (any case). The error is a sentence for the user.
pub fn validate_header_name(name: &str) -> Result<(), String> {
    let trimmed = name.trim_matches(' ');
    if trimmed.is_empty() {
        return Err("The header name is empty. Enter a name such as X-API-Key.".into());
    }
    if trimmed.ends_with(':') {
        return Err(format!(
            "The header name `{trimmed}` ends with a colon. Enter the name without it (`{}`).",
            trimmed.trim_end_matches(':').trim()
        ));
    }
    if let Some(bad) = trimmed.chars().find(|c| !is_token_char(*c)) {
        let shown = if bad.is_whitespace() || bad.is_control() {
            format!("{:?}", bad)
        } else {
            format!("`{bad}`")
        };
        return Err(format!(
            "The header name `{}` contains {shown}, which a header name cannot hold. Use letters, digits and !#$%&'*+-.^_`|~ only.",
            trimmed.escape_debug()
        ));
    }
    if let Some(reserved) = RESERVED_HEADERS
        .iter()
        .find(|r| r.eq_ignore_ascii_case(trimmed))
    {
        return Err(format!(
            "`{reserved}` is set by the scanner itself and cannot be a custom header. Remove it{}.",
            if reserved.eq_ignore_ascii_case("Cookie") {
                " and enter cookies as custom cookies instead"
            } else {
                ""
            }
        ));
    }
    Ok(())
}

/// RFC 9110 `tchar`.
fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(
            c,
            '!' | '#'
                | '$'
                | '%'
                | '&'
                | '\''
                | '*'
                | '+'
                | '-'
                | '.'
                | '^'
                | '_'
                | '`'
                | '|'
                | '~'
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_names() {
        assert!(validate_header_name("X-API-Key").is_ok());
        assert!(validate_header_name("Authorization").is_ok());
        for bad in [
            "", " ", "X-Key:", "X Key", "X-Key\n", "host", "Cookie", "dnt", "Té",
        ] {
            assert!(validate_header_name(bad).is_err(), "{bad:?}");
        }
        for reserved in RESERVED_HEADERS {
            assert!(validate_header_name(reserved).is_err());
            assert!(validate_header_name(&reserved.to_ascii_lowercase()).is_err());
        }
        assert!(validate_header_name("Host:").unwrap_err().contains("colon"));
    }

    #[test]
    fn client_certificates_are_bounded_and_never_shown() {
        let cert = |bytes: usize, passphrase: &str| ClientCertificate {
            file_name: "client.p12".into(),
            pkcs12_base64: "QUJD".repeat(bytes / 3),
            passphrase: passphrase.into(),
        };
        let ok = cert(3 * 1024, "s3cret-pass");
        assert_eq!(ok.file_size(), 3 * 1024);
        assert!(ok.check().is_ok());
        let shown = format!(
            "{:?}",
            ScanAuth {
                client_certificate: Some(ok.clone()),
                ..ScanAuth::default()
            }
        );
        assert!(
            !shown.contains("s3cret-pass") && !shown.contains("QUJD"),
            "{shown}"
        );
        assert!(shown.contains("client.p12"), "{shown}");
        assert!(!ScanAuth {
            client_certificate: Some(ok),
            ..ScanAuth::default()
        }
        .is_empty());

        let big = cert(MAX_CLIENT_CERTIFICATE_BYTES + 3, "s3cret-pass");
        let e = big.check().unwrap_err();
        assert!(
            e.contains("at most 64 KiB") && e.contains("client.p12"),
            "{e}"
        );
        assert!(!e.contains("s3cret-pass"));
        assert!(cert(MAX_CLIENT_CERTIFICATE_BYTES, "").check().is_ok());
        let long = cert(30, &"p".repeat(MAX_PASSPHRASE_CHARS + 1));
        assert!(long.check().unwrap_err().contains("passphrase"));
        assert!(cert(0, "x").check().unwrap_err().contains("empty"));
        let named = ClientCertificate {
            file_name: "a\nb.p12".into(),
            ..cert(30, "")
        };
        assert!(named.check().is_err());
        // Padding counts.
        let padded = ClientCertificate {
            pkcs12_base64: "QQ==".into(),
            ..cert(0, "")
        };
        assert_eq!(padded.file_size(), 1);
    }

    #[test]
    fn options_deserialize_from_nothing() {
        let o: ConvertOptions = serde_json::from_str("{}").unwrap();
        assert_eq!(o, ConvertOptions::default());
        let o: ConvertOptions = serde_json::from_str(
            r#"{"base_url": "https://a", "har_style": "Veracode", "auth": {"bearer": "t"}}"#,
        )
        .unwrap();
        assert_eq!(o.har_style, HarStyle::Veracode);
        assert_eq!(o.auth.bearer.as_deref(), Some("t"));
    }
}
