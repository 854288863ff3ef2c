//! The OAuth 2.0 token flow of a prescan run ([`super::PrescanRun::with_oauth`]):
//! the discovery document and the token before the first request, a new
//! token when it expires or when a request sent with it answers 401, and
//! what the report shows of it ([`TokenReport`]).
//!
//! The rules:
//!
//! - requests wait until the token flow has ended (a token held, or the
//!   flow failed);
//! - with [`ClientAuth::Auto`], the first token request uses HTTP Basic;
//!   if the endpoint answers `invalid_client` or 401, one more token
//!   request puts the credentials in the body, and that style is kept;
//! - a token expires `expires_in` seconds after it arrived, less a margin
//!   (a tenth of its lifetime, at most 30 s); a request started after that
//!   waits for a new token;
//! - the first 401 to a request sent with the current token makes the run
//!   fetch a new token (once per run) and resend that request once; a
//!   request that got a 401 with that same token (sent in parallel) or with
//!   a token replaced since is resent once with the new one; no request is
//!   resent twice, and a 401 to the token fetched after a 401 is final;
//! - at most [`MAX_TOKEN_FETCHES`] token requests per run; after that the
//!   last token is kept;
//! - **a failed token fetch does not stop the prescan**: the remaining
//!   requests are sent without a token, so the table shows what the API
//!   answers to them (typically 401), the Connection section says why no
//!   token came, and the prescan fails. (Marking them all "not sent" would
//!   hide whether the API and its authentication are reachable at all.)
//!
//! Secrets: the run keeps the tokens only in memory (`#[serde(skip)]`);
//! every exchange is stored with the client secret, the password, the
//! Basic value and every token received replaced by [`REDACTED`].

use serde::{Deserialize, Serialize};

use super::{Outcome, PlannedRequest, REDACTED};
use crate::oauth::{
    parse_discovery, parse_token_response, ClientAuth, ClientAuthStyle, OAuth, TokenError,
};

/// The most token requests one run sends.
pub const MAX_TOKEN_FETCHES: usize = 20;
/// The longest margin before a token's expiry, in ms.
const MAX_MARGIN_MS: i64 = 30_000;

/// Which request of the token flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AuthKind {
    /// The OpenID Connect discovery document.
    Discovery,
    /// A token request.
    Token,
}

/// One request of the token flow, as the report keeps it (secrets
/// redacted).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuthExchange {
    /// Discovery or token.
    pub kind: AuthKind,
    /// The request as sent, its secrets replaced by [`REDACTED`].
    pub request: PlannedRequest,
    /// The client authentication of a token request.
    pub style: Option<ClientAuthStyle>,
    /// When it started (ms since the Unix epoch).
    pub started_ms: i64,
    /// What happened (the response body's secrets redacted).
    pub outcome: Outcome,
    /// Why it did not give what was needed (a sentence), if it did not.
    pub error: Option<String>,
}

/// What the report says of the token flow.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TokenReport {
    /// The grant's name (Client Credentials, Password Credentials).
    pub grant: String,
    /// The token URL used (from the discovery document, if any).
    pub token_url: String,
    /// The requests of the flow, in order.
    pub exchanges: Vec<AuthExchange>,
    /// Whether a token was received.
    pub obtained: bool,
    /// Why the flow failed (no token for the requests that followed), if it
    /// did.
    pub failure: Option<String>,
    /// By position in the plan: whether the request was sent with a token.
    pub with_token: Vec<bool>,
    /// Requests resent after a 401 with a new token.
    pub resent: usize,
    /// Whether a new token was due after [`MAX_TOKEN_FETCHES`] token
    /// requests: the requests that followed were sent with the last one.
    #[serde(default)]
    pub capped: bool,
}

impl TokenReport {
    /// One sentence for the Connection section: whether a token came, from
    /// where, and why not.
    pub fn summary(&self) -> String {
        let tokens = self
            .exchanges
            .iter()
            .filter(|e| e.kind == AuthKind::Token && e.error.is_none())
            .count();
        match (&self.failure, tokens) {
            (Some(why), 0) => format!("OAuth 2.0 ({}): no token was received from {}. {why}", self.grant, self.token_url_shown()),
            (Some(why), _) => format!("OAuth 2.0 ({}): a token was received from {}, but getting a new one failed. {why}", self.grant, self.token_url_shown()),
            (None, 0) => format!("OAuth 2.0 ({}): getting the token…", self.grant),
            (None, 1) => format!("OAuth 2.0 ({}): a token was received from {}.", self.grant, self.token_url_shown()),
            (None, n) => format!("OAuth 2.0 ({}): {n} tokens were received from {} (the first, then new ones when one expired or a request answered 401).", self.grant, self.token_url_shown()),
        }
    }

    fn token_url_shown(&self) -> &str {
        if self.token_url.is_empty() {
            "the token endpoint"
        } else {
            &self.token_url
        }
    }
}

/// A token held.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Held {
    value: String,
    expires_at: Option<i64>,
    generation: u32,
}

/// The token flow of a run.
#[derive(Clone, PartialEq, Default)]
pub(super) struct TokenFlow {
    oauth: OAuth,
    token_url: Option<String>,
    style: Option<ClientAuthStyle>,
    fell_back: bool,
    held: Option<Held>,
    generation: u32,
    pending: Option<(AuthKind, PlannedRequest, i64)>,
    failed: bool,
    refresh: bool,
    refreshed_on_401: Option<u32>,
    fetches: usize,
    capped: bool,
    exchanges: Vec<AuthExchange>,
    failure: Option<String>,
    secrets: Vec<String>,
    pub(super) with_token: Vec<Option<u32>>,
    pub(super) resent: Vec<bool>,
}

impl std::fmt::Debug for TokenFlow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenFlow")
            .field("oauth", &self.oauth)
            .field("holds_token", &self.held.is_some())
            .field("failed", &self.failed)
            .finish()
    }
}

impl TokenFlow {
    pub(super) fn new(oauth: OAuth, requests: usize) -> TokenFlow {
        let token_url = (!oauth.token_url.trim().is_empty() && oauth.discovery_request().is_none())
            .then(|| oauth.token_url.trim().to_owned());
        let mut secrets = oauth.secrets();
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        TokenFlow {
            style: Some(oauth.client_auth.first_style()),
            token_url,
            oauth,
            secrets,
            with_token: vec![None; requests],
            resent: vec![false; requests],
            ..TokenFlow::default()
        }
    }

    /// Every secret known to the flow: the configuration's and the tokens
    /// received, longest first.
    pub(super) fn secrets(&self) -> &[String] {
        &self.secrets
    }

    fn redact(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for s in &self.secrets {
            if s.chars().count() >= 4 || out == *s {
                out = out.replace(s.as_str(), REDACTED);
            }
        }
        out
    }

    fn wants_fetch(&self, now_ms: i64) -> bool {
        if self.failed || self.fetches >= MAX_TOKEN_FETCHES && self.held.is_some() {
            return false;
        }
        match &self.held {
            None => true,
            Some(_) if self.refresh => true,
            Some(h) => h.expires_at.is_some_and(|t| now_ms >= t),
        }
    }

    /// The next request of the flow, if one is due (recorded as in flight).
    pub(super) fn start(&mut self, now_ms: i64) -> Option<PlannedRequest> {
        if self.pending.is_some() || !self.wants_fetch(now_ms) {
            // Over the budget with a token held: the request goes with it,
            // and the report says a new one was due.
            if self.pending.is_none()
                && !self.failed
                && self.fetches >= MAX_TOKEN_FETCHES
                && self
                    .held
                    .as_ref()
                    .is_some_and(|h| self.refresh || h.expires_at.is_some_and(|t| now_ms >= t))
            {
                self.capped = true;
            }
            return None;
        }
        if self.fetches >= MAX_TOKEN_FETCHES {
            self.fail(format!(
                "More than {MAX_TOKEN_FETCHES} token requests in one prescan: no more are sent."
            ));
            return None;
        }
        let (kind, req) = match &self.token_url {
            Some(url) => {
                let style = self.style.unwrap_or(ClientAuthStyle::Basic);
                self.fetches += 1;
                (AuthKind::Token, self.oauth.token_request(url, style))
            }
            None => (AuthKind::Discovery, self.oauth.discovery_request()?),
        };
        self.pending = Some((kind, req.clone(), now_ms));
        Some(req)
    }

    /// The request in flight, if any.
    pub(super) fn in_flight(&self) -> Option<&PlannedRequest> {
        self.pending.as_ref().map(|(_, r, _)| r)
    }

    fn fail(&mut self, why: String) {
        self.failed = true;
        self.held = None;
        self.failure = Some(self.redact(&why));
    }

    /// Records the end of the request in flight.
    pub(super) fn complete(&mut self, outcome: Outcome) -> bool {
        let Some((kind, request, started_ms)) = self.pending.take() else {
            return false;
        };
        let style = (kind == AuthKind::Token).then_some(self.style).flatten();
        let result: Result<(), TokenError> = match (&outcome, kind) {
            (Outcome::Response(r), AuthKind::Discovery) => {
                parse_discovery(r.status, &r.body, r.body_truncated, &self.oauth.grant).map(|url| {
                    self.token_url = Some(url);
                })
            }
            (Outcome::Response(r), AuthKind::Token) => {
                parse_token_response(r.status, &r.body, r.body_truncated).map(|t| {
                    self.secrets.push(t.access_token.clone());
                    self.secrets.extend(t.other_secrets.iter().cloned());
                    self.secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
                    self.generation += 1;
                    self.refresh = false;
                    let expires_at = t.expires_in.map(|s| {
                        let life = i64::try_from(s.saturating_mul(1000)).unwrap_or(i64::MAX / 2);
                        let margin = (life / 10).min(MAX_MARGIN_MS);
                        started_ms.saturating_add(life - margin)
                    });
                    self.held = Some(Held {
                        value: t.access_token,
                        expires_at,
                        generation: self.generation,
                    });
                })
            }
            (Outcome::NoResponse { .. }, _) => Err(TokenError::NoResponse),
            (Outcome::Timeout { .. }, _) => Err(TokenError::Timeout),
            (Outcome::MalformedUrl, _) => Err(TokenError::MalformedUrl),
            (Outcome::Cancelled, _) => Ok(()),
        };
        let what = match kind {
            AuthKind::Discovery => "The OpenID Connect discovery request",
            AuthKind::Token => "The token request",
        };
        let error = result
            .as_ref()
            .err()
            .map(|e| format!("{what} to {} failed: {}", request.url, e.message()));
        let mut request = request;
        request.headers = request
            .headers
            .iter()
            .map(|(n, v)| {
                if n.eq_ignore_ascii_case("authorization") {
                    (n.clone(), format!("Basic {REDACTED}"))
                } else {
                    (n.clone(), self.redact(v))
                }
            })
            .collect();
        request.body = request.body.as_deref().map(|b| self.redact(b));
        let outcome = self.redact_outcome(outcome);
        let error = error.map(|e| self.redact(&e));
        self.exchanges.push(AuthExchange {
            kind,
            request,
            style,
            started_ms,
            outcome,
            error: error.clone(),
        });
        match result {
            Ok(()) => {}
            Err(e)
                if kind == AuthKind::Token
                    && self.oauth.client_auth == ClientAuth::Auto
                    && !self.fell_back
                    && style == Some(ClientAuthStyle::Basic)
                    && e.is_client_refused() =>
            {
                // RFC 6749 §2.3.1: Basic first; the body once if refused.
                self.fell_back = true;
                self.style = Some(ClientAuthStyle::Body);
                if let Some(last) = self.exchanges.last_mut() {
                    if let Some(e) = &mut last.error {
                        e.push_str(" The token is requested again with the client credentials in the request body.");
                    }
                }
            }
            Err(_) => self.fail(error.unwrap_or_default()),
        }
        true
    }

    /// `outcome` with every secret known to the flow replaced by
    /// [`REDACTED`] in its body and headers (a server that echoes a token).
    pub(super) fn redact_outcome(&self, outcome: Outcome) -> Outcome {
        match outcome {
            Outcome::Response(mut r) => {
                r.body = self.redact(&r.body);
                r.headers = r
                    .headers
                    .iter()
                    .map(|(n, v)| (n.clone(), self.redact(v)))
                    .collect();
                Outcome::Response(r)
            }
            o => o,
        }
    }

    /// The token to send now, and its generation.
    pub(super) fn token(&self) -> Option<(&str, u32)> {
        self.held.as_ref().map(|h| (h.value.as_str(), h.generation))
    }

    /// A request sent with token `generation` answered 401: whether to
    /// resend it (and fetch a new token first if that token is the current
    /// one, once per token).
    pub(super) fn on_unauthorized(&mut self, position: usize) -> bool {
        let Some(Some(generation)) = self.with_token.get(position).copied() else {
            return false;
        };
        if self.failed || self.resent.get(position).copied().unwrap_or(true) {
            return false;
        }
        if generation == self.generation {
            match self.refreshed_on_401 {
                // Another request sent with this token got a 401 first: the
                // new token is on its way.
                Some(g) if g == generation => {}
                Some(_) => return false,
                None if self.fetches >= MAX_TOKEN_FETCHES => return false,
                None => {
                    self.refreshed_on_401 = Some(generation);
                    self.refresh = true;
                }
            }
        }
        self.resent[position] = true;
        true
    }

    /// The report's view.
    pub(super) fn report(&self) -> TokenReport {
        TokenReport {
            grant: self.oauth.grant.label().to_owned(),
            token_url: self.token_url.clone().unwrap_or_default(),
            exchanges: self.exchanges.clone(),
            obtained: self.generation > 0,
            failure: self.failure.clone(),
            with_token: self.with_token.iter().map(Option::is_some).collect(),
            resent: self.resent.iter().filter(|r| **r).count(),
            capped: self.capped,
        }
    }
}
