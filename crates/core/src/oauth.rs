//! OAuth 2.0 in a scan configuration, as Veracode offers it: the *Client
//! Credentials* and *Resource Owner Password Credentials* grants (RFC 6749
//! §4.4 and §4.3), a token URL or an OpenID Connect discovery URL, a client
//! id and secret, optional scopes separated by spaces.
//!
//! Everything here is pure: [`OAuth::validate`] checks what the user typed,
//! [`OAuth::token_request`] and [`OAuth::discovery_request`] build the
//! requests a driver sends, [`parse_token_response`] and [`parse_discovery`]
//! read the answers within a budget ([`MAX_RESPONSE_BYTES`],
//! [`MAX_JSON_DEPTH`]), and [`token_url_from_spec`] prefills the token URL
//! from the specification's security schemes. The prescan's run
//! (`prescan::PrescanRun::with_oauth`) drives the flow: the token before the
//! first request, a new one when it expires or a request answers 401.
//!
//! **Secrets.** The client secret, the password and every token received
//! never appear in a message of this module, nor in `Debug` output
//! ([`OAuth`]'s `Debug` prints `***`).
//!
//! Depends on `encode`, `spec`'s security scheme model, and `prescan`'s
//! `Origin` and `PlannedRequest` (the requests are planned requests, sent by
//! the same drivers); `prescan`'s run depends on it in turn.

use serde::{Deserialize, Serialize};

use crate::prescan::{Origin, PlannedRequest};

/// The longest URL accepted (token or discovery).
pub const MAX_URL_LEN: usize = 2048;
/// The longest client id, user name or scope list accepted.
pub const MAX_ID_LEN: usize = 1024;
/// The longest client secret or password accepted.
pub const MAX_SECRET_LEN: usize = 4096;
/// The largest token response or discovery document read, in bytes.
pub const MAX_RESPONSE_BYTES: usize = 64 * 1024;
/// The deepest nesting of arrays and objects read in those documents.
pub const MAX_JSON_DEPTH: usize = 16;

/// The grant used to get a token.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum OAuthGrant {
    /// Client Credentials (`grant_type=client_credentials`).
    #[default]
    ClientCredentials,
    /// Resource Owner Password Credentials (`grant_type=password`).
    Password {
        /// The resource owner's user name.
        user_name: String,
        /// The resource owner's password (a secret).
        password: String,
    },
}

impl OAuthGrant {
    /// The `grant_type` value.
    pub fn grant_type(&self) -> &'static str {
        match self {
            OAuthGrant::ClientCredentials => "client_credentials",
            OAuthGrant::Password { .. } => "password",
        }
    }

    /// Its name for the user.
    pub fn label(&self) -> &'static str {
        match self {
            OAuthGrant::ClientCredentials => "Client Credentials",
            OAuthGrant::Password { .. } => "Password Credentials",
        }
    }
}

/// How the client authenticates to the token endpoint (RFC 6749 §2.3.1).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ClientAuth {
    /// HTTP Basic first (the standard's first choice); if the endpoint
    /// answers `invalid_client` or 401, once more with the client id and
    /// secret in the form body.
    #[default]
    Auto,
    /// HTTP Basic only (`client_secret_basic`).
    Basic,
    /// In the form body only (`client_secret_post`).
    Body,
}

/// Where one token request puts the client's credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ClientAuthStyle {
    /// `Authorization: Basic …`.
    Basic,
    /// `client_id` and `client_secret` in the form body.
    Body,
}

impl ClientAuthStyle {
    /// Its name for the user.
    pub fn label(self) -> &'static str {
        match self {
            ClientAuthStyle::Basic => "HTTP Basic client authentication",
            ClientAuthStyle::Body => "client credentials in the request body",
        }
    }
}

impl ClientAuth {
    /// The style of the first token request.
    pub fn first_style(self) -> ClientAuthStyle {
        match self {
            ClientAuth::Auto | ClientAuth::Basic => ClientAuthStyle::Basic,
            ClientAuth::Body => ClientAuthStyle::Body,
        }
    }
}

/// The OAuth 2.0 configuration of a scan. Its `Debug` never prints the
/// client secret or the password.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct OAuth {
    /// The grant.
    pub grant: OAuthGrant,
    /// The token endpoint (absolute `http`/`https`). May be empty when
    /// `discovery_url` is given: the discovery document's
    /// `token_endpoint` is used.
    pub token_url: String,
    /// An OpenID Connect discovery document
    /// (`…/.well-known/openid-configuration`), read before the first token
    /// request; its `token_endpoint` replaces `token_url`.
    pub discovery_url: Option<String>,
    /// The client id.
    pub client_id: String,
    /// The client secret (may be empty for a public client).
    pub client_secret: String,
    /// Scopes separated by spaces (may be empty).
    pub scopes: String,
    /// How the client authenticates.
    pub client_auth: ClientAuth,
}

impl std::fmt::Debug for OAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let grant = match &self.grant {
            OAuthGrant::ClientCredentials => "ClientCredentials".to_owned(),
            OAuthGrant::Password { user_name, .. } => {
                format!("Password {{ user_name: {user_name:?}, password: *** }}")
            }
        };
        f.debug_struct("OAuth")
            .field("grant", &format_args!("{grant}"))
            .field("token_url", &self.token_url)
            .field("discovery_url", &self.discovery_url)
            .field("client_id", &self.client_id)
            .field("client_secret", &"***")
            .field("scopes", &self.scopes)
            .field("client_auth", &self.client_auth)
            .finish()
    }
}

/// Whether `url` is an absolute `http`/`https` URL with a host.
fn absolute_http(url: &str) -> bool {
    Origin::of(url.trim()).is_some() && !url.trim().contains(char::is_whitespace)
}

/// RFC 6749 §3.3 `scope-token` characters.
fn scope_char(c: char) -> bool {
    matches!(c, '\x21' | '\x23'..='\x5B' | '\x5D'..='\x7E')
}

impl OAuth {
    /// The scopes, one per item.
    pub fn scope_list(&self) -> Vec<&str> {
        self.scopes.split_whitespace().collect()
    }

    /// The secret strings of this configuration (client secret, password,
    /// and the HTTP Basic value of the client's credentials), for
    /// redaction. Empty ones are left out.
    pub fn secrets(&self) -> Vec<String> {
        let mut out = vec![self.client_secret.clone()];
        if let OAuthGrant::Password { password, .. } = &self.grant {
            out.push(password.clone());
            out.push(form_encode(password));
        }
        if !self.client_secret.is_empty() {
            out.push(basic_value(&self.client_id, &self.client_secret));
            out.push(form_encode(&self.client_secret));
        }
        out.retain(|s| !s.is_empty());
        out
    }

    /// Checks what the user entered: every problem, each a sentence that
    /// never quotes a secret.
    pub fn validate(&self) -> Result<(), Vec<String>> {
        let mut errors = Vec::new();
        let token_url = self.token_url.trim();
        let discovery = self
            .discovery_url
            .as_deref()
            .map(str::trim)
            .filter(|d| !d.is_empty());
        match (token_url.is_empty(), discovery) {
            (true, None) => errors.push(
                "Enter the token URL of the OAuth 2.0 server (such as https://auth.example.com/oauth/token), or an OpenID Connect discovery URL.".to_owned(),
            ),
            (false, _) if token_url.len() > MAX_URL_LEN => errors.push(format!(
                "The token URL is longer than {MAX_URL_LEN} characters."
            )),
            (false, _) if !absolute_http(token_url) => errors.push(format!(
                "The token URL `{}` is not a fully-qualified http or https URL (such as https://auth.example.com/oauth/token).",
                shown(token_url)
            )),
            _ => {}
        }
        if let Some(d) = discovery {
            if d.len() > MAX_URL_LEN {
                errors.push(format!(
                    "The OpenID Connect discovery URL is longer than {MAX_URL_LEN} characters."
                ));
            } else if !absolute_http(d) {
                errors.push(format!(
                    "The OpenID Connect discovery URL `{}` is not a fully-qualified http or https URL (such as https://auth.example.com/.well-known/openid-configuration).",
                    shown(d)
                ));
            }
        }
        if self.client_id.trim().is_empty() {
            errors.push("Enter the client id.".to_owned());
        } else if self.client_id.len() > MAX_ID_LEN {
            errors.push(format!(
                "The client id is longer than {MAX_ID_LEN} characters."
            ));
        } else if self.client_id.chars().any(char::is_control) {
            errors.push("The client id contains a control character.".to_owned());
        }
        if self.client_secret.len() > MAX_SECRET_LEN {
            errors.push(format!(
                "The client secret is longer than {MAX_SECRET_LEN} characters."
            ));
        } else if self.client_secret.chars().any(char::is_control) {
            errors.push("The client secret contains a control character (such as a line break): paste it again.".to_owned());
        }
        if self.scopes.len() > MAX_ID_LEN {
            errors.push(format!(
                "The scopes are longer than {MAX_ID_LEN} characters."
            ));
        } else if let Some(bad) = self
            .scope_list()
            .into_iter()
            .find(|s| !s.chars().all(scope_char))
        {
            errors.push(format!(
                "The scope `{}` holds a character a scope cannot hold (quotes, backslashes and non-ASCII letters are not allowed). Separate scopes with spaces.",
                shown(bad)
            ));
        }
        if let OAuthGrant::Password {
            user_name,
            password,
        } = &self.grant
        {
            if user_name.trim().is_empty() {
                errors.push("Enter the user name of the password grant.".to_owned());
            } else if user_name.len() > MAX_ID_LEN {
                errors.push(format!(
                    "The user name is longer than {MAX_ID_LEN} characters."
                ));
            }
            if password.is_empty() {
                errors.push("Enter the password of the password grant.".to_owned());
            } else if password.len() > MAX_SECRET_LEN {
                errors.push(format!(
                    "The password is longer than {MAX_SECRET_LEN} characters."
                ));
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// The discovery request (GET of the discovery URL), if one is
    /// configured.
    pub fn discovery_request(&self) -> Option<PlannedRequest> {
        let url = self.discovery_url.as_deref()?.trim();
        if url.is_empty() {
            return None;
        }
        Some(PlannedRequest {
            index: 0,
            method: "GET".into(),
            url: url.to_owned(),
            headers: vec![("Accept".into(), "application/json".into())],
            withheld_headers: Vec::new(),
            placeholders_left_out: Vec::new(),
            body: None,
            content_type: None,
        })
    }

    /// The token request to `token_url` with the client's credentials
    /// placed as `style` says: a form-encoded POST (RFC 6749 §4.3.2,
    /// §4.4.2).
    pub fn token_request(&self, token_url: &str, style: ClientAuthStyle) -> PlannedRequest {
        let mut form: Vec<(&str, &str)> = vec![("grant_type", self.grant.grant_type())];
        if let OAuthGrant::Password {
            user_name,
            password,
        } = &self.grant
        {
            form.push(("username", user_name));
            form.push(("password", password));
        }
        let scopes = self.scope_list().join(" ");
        if !scopes.is_empty() {
            form.push(("scope", &scopes));
        }
        let mut headers = vec![("Accept".to_owned(), "application/json".to_owned())];
        match style {
            ClientAuthStyle::Basic => headers.push((
                "Authorization".into(),
                format!(
                    "Basic {}",
                    basic_value(self.client_id.trim(), &self.client_secret)
                ),
            )),
            ClientAuthStyle::Body => {
                form.push(("client_id", self.client_id.trim()));
                if !self.client_secret.is_empty() {
                    form.push(("client_secret", &self.client_secret));
                }
            }
        }
        let body = form
            .iter()
            .map(|(k, v)| format!("{}={}", form_encode(k), form_encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        PlannedRequest {
            index: 0,
            method: "POST".into(),
            url: token_url.trim().to_owned(),
            headers,
            withheld_headers: Vec::new(),
            placeholders_left_out: Vec::new(),
            body: Some(body),
            content_type: Some("application/x-www-form-urlencoded".into()),
        }
    }
}

/// The base64 of `form(id):form(secret)` (RFC 6749 §2.3.1).
fn basic_value(id: &str, secret: &str) -> String {
    crate::encode::base64(format!("{}:{}", form_encode(id), form_encode(secret)).as_bytes())
}

/// `application/x-www-form-urlencoded` encoding of one name or value.
pub fn form_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// A user-typed value, shortened and escaped for a message.
fn shown(s: &str) -> String {
    let short: String = s.chars().take(80).collect();
    let ellipsis = if s.chars().count() > 80 { "…" } else { "" };
    format!("{}{ellipsis}", short.escape_debug())
}

/// A token received.
#[derive(Clone, PartialEq, Eq)]
pub struct Token {
    /// The access token (a secret).
    pub access_token: String,
    /// Its lifetime in seconds, if the server said.
    pub expires_in: Option<u64>,
    /// Other secrets of the response (`refresh_token`, `id_token`), for
    /// redaction only.
    pub other_secrets: Vec<String>,
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Token")
            .field("access_token", &"***")
            .field("expires_in", &self.expires_in)
            .finish()
    }
}

/// Why a token (or the discovery document) could not be had.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum TokenError {
    /// The endpoint answered an RFC 6749 §5.2 error.
    Rejected {
        /// The status code.
        status: u16,
        /// The `error` code (sanitized).
        error: String,
        /// The `error_description` (sanitized, shortened).
        description: Option<String>,
    },
    /// Another status than 200 without an error body.
    Status(u16),
    /// The body is not a JSON object.
    NotJson {
        /// The status code.
        status: u16,
    },
    /// The body is larger than [`MAX_RESPONSE_BYTES`].
    TooLarge,
    /// The body nests deeper than [`MAX_JSON_DEPTH`].
    TooDeep,
    /// No `access_token` string in the answer.
    NoAccessToken,
    /// The `token_type` is not `Bearer`.
    NotBearer(String),
    /// The discovery document has no usable `token_endpoint`.
    NoTokenEndpoint,
    /// The discovery document lists grant types without the one configured.
    GrantNotSupported(String),
    /// No response: unreachable, or (in a browser) blocked by CORS.
    NoResponse,
    /// No response within the timeout.
    Timeout,
    /// The URL could not be sent.
    MalformedUrl,
}

impl TokenError {
    /// Whether the client authentication was refused (`invalid_client`,
    /// or a 401): the moment to try the other style once.
    pub fn is_client_refused(&self) -> bool {
        match self {
            TokenError::Rejected { status, error, .. } => {
                error == "invalid_client" || *status == 401
            }
            TokenError::Status(401) => true,
            _ => false,
        }
    }

    /// A sentence for the user (never quoting a secret the driver knows:
    /// the server's description is shown as it came, shortened).
    pub fn message(&self) -> String {
        match self {
            TokenError::Rejected { status, error, description } => {
                let hint = match error.as_str() {
                    "invalid_client" => "the client id or secret is wrong, or the server expects the other client authentication (HTTP Basic or the request body)",
                    "invalid_grant" => "the user name or password is wrong, or the grant is not allowed",
                    "unauthorized_client" => "this client may not use this grant",
                    "unsupported_grant_type" => "the server does not offer this grant",
                    "invalid_scope" => "a scope is unknown or not allowed for this client",
                    "invalid_request" => "the server found the token request malformed",
                    _ => "see the server's description",
                };
                let said = description
                    .as_deref()
                    .map(|d| format!(" The server says: \"{d}\""))
                    .unwrap_or_default();
                format!("The token endpoint refused the token request ({status}, {error}): {hint}.{said}")
            }
            TokenError::Status(s) => format!("The token endpoint answered {s} instead of a token. Check the token URL."),
            TokenError::NotJson { status } => format!("The token endpoint answered {status} with a body that is not a JSON object. Check the token URL (it may be a web page)."),
            TokenError::TooLarge => format!("The answer is larger than {} KiB, more than a token response or a discovery document should be.", MAX_RESPONSE_BYTES / 1024),
            TokenError::TooDeep => format!("The answer nests deeper than {MAX_JSON_DEPTH} levels, more than a token response or a discovery document should."),
            TokenError::NoAccessToken => "The token endpoint's answer has no access_token.".into(),
            TokenError::NotBearer(t) => format!("The token endpoint issued a token of type `{}`; only Bearer tokens can be sent as an Authorization header.", shown(t)),
            TokenError::NoTokenEndpoint => "The OpenID Connect discovery document has no token_endpoint that is a fully-qualified http or https URL.".into(),
            TokenError::GrantNotSupported(g) => format!("The OpenID Connect discovery document does not list the {g} grant in grant_types_supported."),
            TokenError::NoResponse => "No response: the endpoint is unreachable, or, in the browser, it does not allow this page's origin (CORS). Check the URL; if the endpoint does not allow CORS, run the prescan on the server instead (the reference server, or prescan run).".into(),
            TokenError::Timeout => "No response within the timeout.".into(),
            TokenError::MalformedUrl => "The URL could not be sent (Malformed URL).".into(),
        }
    }
}

/// Checks the size and nesting of a JSON text before it is parsed.
fn within_budget(body: &str) -> Result<(), TokenError> {
    if body.len() > MAX_RESPONSE_BYTES {
        return Err(TokenError::TooLarge);
    }
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for b in body.bytes() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_JSON_DEPTH {
                    return Err(TokenError::TooDeep);
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// Printable ASCII only (RFC 6749 §5.2's error characters), at most `max`
/// characters.
fn sanitize(s: &str, max: usize) -> String {
    let clean: String = s
        .chars()
        .filter(|c| (' '..='~').contains(c) && *c != '"' && *c != '\\')
        .take(max)
        .collect();
    clean.trim().to_owned()
}

fn object(body: &str) -> Result<Option<serde_json::Map<String, serde_json::Value>>, TokenError> {
    within_budget(body)?;
    match serde_json::from_str::<serde_json::Value>(body) {
        Ok(serde_json::Value::Object(o)) => Ok(Some(o)),
        _ => Ok(None),
    }
}

/// Reads a token endpoint's answer: `status` and `body` (`truncated`: the
/// body was cut by the driver's limit, so it is too large).
pub fn parse_token_response(status: u16, body: &str, truncated: bool) -> Result<Token, TokenError> {
    if truncated {
        return Err(TokenError::TooLarge);
    }
    let Some(o) = object(body)? else {
        return Err(if (200..300).contains(&status) {
            TokenError::NotJson { status }
        } else {
            TokenError::Status(status)
        });
    };
    if !(200..300).contains(&status) || o.contains_key("error") {
        return Err(match o.get("error").and_then(|e| e.as_str()) {
            Some(error) => TokenError::Rejected {
                status,
                error: sanitize(error, 64),
                description: o
                    .get("error_description")
                    .and_then(|d| d.as_str())
                    .map(|d| sanitize(d, 200))
                    .filter(|d| !d.is_empty()),
            },
            None => TokenError::Status(status),
        });
    }
    let access_token = match o.get("access_token").and_then(|t| t.as_str()) {
        Some(t)
            if !t.is_empty()
                && t.len() <= MAX_SECRET_LEN
                && t.chars().all(|c| c.is_ascii_graphic()) =>
        {
            t.to_owned()
        }
        _ => return Err(TokenError::NoAccessToken),
    };
    let token_type = o.get("token_type").and_then(|t| t.as_str()).unwrap_or("");
    if !token_type.eq_ignore_ascii_case("bearer") {
        return Err(TokenError::NotBearer(sanitize(token_type, 40)));
    }
    let expires_in = match o.get("expires_in") {
        Some(serde_json::Value::Number(n)) => n
            .as_u64()
            .or_else(|| n.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64)),
        Some(serde_json::Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    };
    let other_secrets = ["refresh_token", "id_token"]
        .iter()
        .filter_map(|k| o.get(*k).and_then(|v| v.as_str()))
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    Ok(Token {
        access_token,
        expires_in,
        other_secrets,
    })
}

/// Reads an OpenID Connect discovery document: its `token_endpoint`,
/// checked against `grant_types_supported` when the document lists them.
pub fn parse_discovery(
    status: u16,
    body: &str,
    truncated: bool,
    grant: &OAuthGrant,
) -> Result<String, TokenError> {
    if truncated {
        return Err(TokenError::TooLarge);
    }
    if !(200..300).contains(&status) {
        return Err(TokenError::Status(status));
    }
    let Some(o) = object(body)? else {
        return Err(TokenError::NotJson { status });
    };
    let endpoint = match o.get("token_endpoint").and_then(|t| t.as_str()) {
        Some(t) if t.len() <= MAX_URL_LEN && absolute_http(t) => t.trim().to_owned(),
        _ => return Err(TokenError::NoTokenEndpoint),
    };
    if let Some(serde_json::Value::Array(grants)) = o.get("grant_types_supported") {
        let wanted = grant.grant_type();
        if !grants.iter().any(|g| g.as_str() == Some(wanted)) {
            return Err(TokenError::GrantNotSupported(wanted.to_owned()));
        }
    }
    Ok(endpoint)
}

/// What a specification says of its OAuth 2.0 and OpenID Connect schemes:
/// the token URL of the first `clientCredentials` (or Swagger 2
/// `application`) flow, else of the first `password` flow, else the
/// first OpenID Connect URL (as a discovery URL); `None` if it names
/// none. Relative URLs are resolved against `base` (the server).
pub fn token_url_from_spec(
    schemes: &[crate::SecuritySchemeInfo],
    base: Option<&str>,
) -> Option<Prefill> {
    let resolve = |u: &str| -> Option<String> {
        let u = u.trim();
        if absolute_http(u) {
            return Some(u.to_owned());
        }
        let origin = Origin::of(base?.trim())?;
        if u.starts_with('/') {
            Some(format!("{origin}{u}"))
        } else {
            let b = base?.trim().trim_end_matches('/');
            Some(format!("{b}/{u}"))
        }
    };
    for wanted in ["clientCredentials", "password"] {
        for s in schemes {
            for f in &s.oauth_flows {
                if f.flow == wanted {
                    if let Some(url) = f.token_url.as_deref().and_then(resolve) {
                        return Some(Prefill {
                            token_url: url,
                            discovery_url: None,
                            password: wanted == "password",
                            scopes: f.scopes.join(" "),
                        });
                    }
                }
            }
        }
    }
    schemes.iter().find_map(|s| {
        let url = s.open_id_connect_url.as_deref().and_then(resolve)?;
        Some(Prefill {
            token_url: String::new(),
            discovery_url: Some(url),
            password: false,
            scopes: String::new(),
        })
    })
}

/// What [`token_url_from_spec`] found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prefill {
    /// The token URL (empty when only a discovery URL was found).
    pub token_url: String,
    /// The OpenID Connect discovery URL.
    pub discovery_url: Option<String>,
    /// Whether the flow found is the password flow.
    pub password: bool,
    /// The scopes the flow lists (separated by spaces); shown as a hint,
    /// not entered for the user.
    pub scopes: String,
}

#[cfg(test)]
mod tests;
