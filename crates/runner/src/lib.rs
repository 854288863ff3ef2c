//! Prescans run from this machine: the core's [`PrescanPlan`] and
//! [`PrescanRun`] poll loop driven with a real HTTP client (reqwest,
//! rustls, webpki roots), the same loop the browser runs in
//! `src/pages/prescan/driver.rs`. The reference server (`prescan-server`)
//! and the command line (`prescan run`) both run prescans with this crate,
//! so their requests, pacing, limits and guard are literally the same.
//!
//! - [`guard`]: which addresses prescans may reach;
//! - [`outbound`]: the HTTP client, its limits, and sending one request;
//! - [`live`]: a prescan under way and the loop that drives it;
//! - [`plan`]: what a native runner changes in the core's plan (cookies
//!   sent, the methods allowed one by one);
//! - [`tls`]: client certificates (PKCS#12), extra trusted CAs, and what a
//!   TLS failure means for the user.
//!
//! Differences from the browser, all on the side of seeing more:
//!
//! - a native runner can send `Cookie` headers (custom cookies and API keys
//!   in cookies): the plan's withheld `Cookie` header is put back into the
//!   request before it runs ([`plan::send_cookies`]), so the report and its
//!   HAR show it as sent;
//! - a request with no response is a real network error (no CORS here);
//! - redirects are not followed: a 3xx is recorded as the response (a
//!   redirect could lead to another origin, which a prescan never sends to);
//! - a client certificate can be presented ([`Outbound::with_identity`]),
//!   and the `User-Agent` is the prescan's (a browser sends its own).
//!
//! **Security (SSRF).** A prescan sends requests to whatever origin it is
//! given (a scan's server, or the specification's first server), from the
//! network position of the machine that runs it. A server reachable by
//! people who should not probe its internal network must be started with
//! `--prescan-deny-private`, and can name the only targets prescans may
//! reach with `--prescan-allow HOST|CIDR` (`prescan run`: `--deny-private`
//! and `--allow`); [`guard`] says exactly what each guarantees and how they
//! combine. Hosts are read as the HTTP client reads them (WHATWG URL rules);
//! a refused target is refused up front ([`Outbound::check_plan`]: the
//! server's 422 problem, the command line's exit code 2) naming the host,
//! the address and the option, and is refused again before every request
//! (IP literals) and at every connection (every address a name resolves
//! to, so DNS rebinding does not get around it); a request refused then
//! gets no response, and [`Live::refusal_note`] says why. Both are off by
//! default so that local tests against 127.0.0.1 work.
//!
//! **Proxies.** Proxy variables of the environment (`HTTP_PROXY`,
//! `HTTPS_PROXY`, `ALL_PROXY`) are ignored; `--prescan-proxy URL`
//! (`prescan run --proxy URL`) sends every prescan request through that
//! proxy. The proxy then does the connecting and resolves target names
//! itself: the guard still checks each target before its request (literals
//! as they are, names by what they resolve to here), but cannot see what
//! the proxy connects to, so a proxy should enforce its own egress rules.
//!
//! **Limits.** Across every prescan one [`Outbound`] sends, at most
//! `max_in_flight` requests are in flight and at most `rate` start each
//! second (the server's `--prescan-max-inflight` and `--prescan-rate`),
//! whatever each prescan's own settings say; see [`outbound`].
//!
//! [`PrescanPlan`]: prescan_core::prescan::PrescanPlan
//! [`PrescanRun`]: prescan_core::prescan::PrescanRun

pub mod guard;
pub mod live;
pub mod outbound;
pub mod plan;
pub mod tls;

pub use guard::{is_private, Allow, Guard, Policy, Refusal, Voice};
pub use live::{drive, now_ms, Live};
pub use outbound::{check_public, Fetched, Outbound};
pub use plan::{allow_methods, send_cookies};
/// A certificate authority to trust ([`read_ca_certificates`]).
pub use reqwest::Certificate;
pub use tls::{read_ca_certificates, read_client_certificate, read_pkcs12, ClientIdentity};
