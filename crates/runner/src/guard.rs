//! Which addresses prescans run from this machine may reach: the
//! reference server's `--prescan-deny-private` and `--prescan-allow`, which
//! `prescan run` spells `--deny-private` and `--allow` ([`Voice`]).
//!
//! **Hosts are read as the HTTP client reads them.** A target URL is parsed
//! with the WHATWG URL rules of the `url` crate (`reqwest::Url` is
//! `url::Url`), so `127.0.0.1.`, `%31%32%37.0.0.1`, `0x7f.0.0.1`,
//! `0177.0.0.1`, `127.1` and `2130706433` are all the IPv4 address
//! 127.0.0.1, and `[::ffff:127.0.0.1]` is an IPv6 address; the [`url::Host`]
//! decides, not hand-written parsing.
//!
//! **Where the checks are.** An IP-literal host never reaches a DNS
//! resolver (the client connects to it directly), so literals are checked
//! by [`Guard::check_literal`] before every request. A name is checked by
//! the client's DNS resolver, [`GuardedResolver`], at every connection:
//! every address it resolves to must pass, or the connection is refused, so
//! a name that resolves to a public address when the prescan starts and to
//! a private one later (DNS rebinding) is still refused. Prescans follow no
//! redirects (a 3xx is recorded as the response). [`Guard::check_url`] does
//! both checks at once when a prescan is requested, for a clear refusal up
//! front.
//!
//! **The rules** ([`Policy::check`]), for each address a target is, or
//! resolves to (the options as the server spells them):
//! - with `--prescan-allow` entries, the target must be listed: its host
//!   name is one of the listed names (exactly, case-insensitively, after
//!   WHATWG normalisation; one trailing dot ignored), or the address lies in
//!   a listed CIDR (an address alone is a /32 or /128);
//! - with `--prescan-deny-private`, the address must not be special-use
//!   ([`special_use`]) unless it lies in a listed CIDR: an operator can
//!   let prescans reach `10.1.2.0/24` and nothing else private. A listed
//!   *name* does not lift `--prescan-deny-private`: its addresses must be
//!   public or in a listed CIDR (a name is only as trustworthy as the DNS
//!   that answers for it);
//! - with neither, everything is allowed (the default, for local tests).
//!
//! A name that does not resolve is no address: the prescan runs and each
//! request records the resolution error. `localhost` and the names under
//! it are loopback (RFC 6761), whatever the system's resolver says.

use std::fmt;
use std::future::Future;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::pin::Pin;
use std::str::FromStr;
use std::sync::Arc;

use url::{Host, Url};

/// Why an address is special-use: a sentence fragment such as `a loopback
/// address (127.0.0.0/8)`, or for an IPv6 form that embeds an IPv4 address,
/// `the IPv4-mapped form (::ffff:0:0/96) of 127.0.0.1, a loopback address
/// (127.0.0.0/8)`. `None`: a public (globally reachable unicast) address.
///
/// The ranges are those of the IANA IPv4 and IPv6 special-purpose address
/// registries (RFC 6890 and its successors) that are not globally
/// reachable, plus multicast, the limited broadcast address and, for IPv6,
/// everything outside global unicast (2000::/3). IPv4-mapped,
/// IPv4-translated, IPv4-compatible, NAT64 (64:ff9b::/96) and 6to4
/// (2002::/16) addresses are classified by the IPv4 address they embed;
/// the local-use NAT64 prefix (64:ff9b:1::/48), Teredo (2001::/32) and the
/// rest of 2001::/23 are refused whole.
pub fn special_use(ip: IpAddr) -> Option<String> {
    match ip {
        IpAddr::V4(v4) => special_v4(v4).map(str::to_owned),
        IpAddr::V6(v6) => special_v6(v6),
    }
}

/// Whether `--prescan-deny-private` refuses an address ([`special_use`]).
pub fn is_private(ip: IpAddr) -> bool {
    special_use(ip).is_some()
}

const V4: &[([u8; 4], u8, &str)] = &[
    (
        [0, 0, 0, 0],
        8,
        "an unspecified or \u{201c}this network\u{201d} address (0.0.0.0/8)",
    ),
    ([10, 0, 0, 0], 8, "a private address (10.0.0.0/8)"),
    (
        [100, 64, 0, 0],
        10,
        "a shared (carrier-grade NAT) address (100.64.0.0/10)",
    ),
    ([127, 0, 0, 0], 8, "a loopback address (127.0.0.0/8)"),
    (
        [169, 254, 0, 0],
        16,
        "a link-local address (169.254.0.0/16)",
    ),
    ([172, 16, 0, 0], 12, "a private address (172.16.0.0/12)"),
    (
        [192, 0, 0, 0],
        24,
        "an IETF protocol assignment (192.0.0.0/24)",
    ),
    ([192, 0, 2, 0], 24, "a documentation address (192.0.2.0/24)"),
    (
        [192, 88, 99, 0],
        24,
        "a deprecated 6to4 relay anycast address (192.88.99.0/24)",
    ),
    ([192, 168, 0, 0], 16, "a private address (192.168.0.0/16)"),
    (
        [198, 18, 0, 0],
        15,
        "a benchmarking address (198.18.0.0/15)",
    ),
    (
        [198, 51, 100, 0],
        24,
        "a documentation address (198.51.100.0/24)",
    ),
    (
        [203, 0, 113, 0],
        24,
        "a documentation address (203.0.113.0/24)",
    ),
    ([224, 0, 0, 0], 4, "a multicast address (224.0.0.0/4)"),
    (
        [255, 255, 255, 255],
        32,
        "the broadcast address (255.255.255.255/32)",
    ),
    ([240, 0, 0, 0], 4, "a reserved address (240.0.0.0/4)"),
];

fn special_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let a = u32::from(ip);
    V4.iter()
        .find(|(net, len, _)| in_prefix32(a, u32::from_be_bytes(*net), *len))
        .map(|(_, _, what)| *what)
}

fn in_prefix32(a: u32, net: u32, len: u8) -> bool {
    let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
    a & mask == net & mask
}

fn in_prefix128(a: u128, net: u128, len: u8) -> bool {
    let mask = if len == 0 {
        0
    } else {
        u128::MAX << (128 - len)
    };
    a & mask == net & mask
}

const V6: &[(u128, u8, &str)] = &[
    (
        0x0100_0000_0000_0000_0000_0000_0000_0000,
        64,
        "a discard-only address (100::/64)",
    ),
    (
        0x2001_0000_0000_0000_0000_0000_0000_0000,
        32,
        "a Teredo address (2001::/32)",
    ),
    (
        0x2001_0002_0000_0000_0000_0000_0000_0000,
        48,
        "a benchmarking address (2001:2::/48)",
    ),
    (
        0x2001_0db8_0000_0000_0000_0000_0000_0000,
        32,
        "a documentation address (2001:db8::/32)",
    ),
    (
        0x2001_0000_0000_0000_0000_0000_0000_0000,
        23,
        "an IETF protocol assignment (2001::/23)",
    ),
    (
        0x3fff_0000_0000_0000_0000_0000_0000_0000,
        20,
        "a documentation address (3fff::/20)",
    ),
    (
        0x5f00_0000_0000_0000_0000_0000_0000_0000,
        16,
        "a segment-routing (SRv6) SID (5f00::/16)",
    ),
    (
        0xfc00_0000_0000_0000_0000_0000_0000_0000,
        7,
        "a unique local address (fc00::/7)",
    ),
    (
        0xfe80_0000_0000_0000_0000_0000_0000_0000,
        10,
        "a link-local address (fe80::/10)",
    ),
    (
        0xfec0_0000_0000_0000_0000_0000_0000_0000,
        10,
        "a deprecated site-local address (fec0::/10)",
    ),
    (
        0xff00_0000_0000_0000_0000_0000_0000_0000,
        8,
        "a multicast address (ff00::/8)",
    ),
];

fn special_v6(ip: Ipv6Addr) -> Option<String> {
    let a = u128::from(ip);
    if ip.is_unspecified() {
        return Some("the unspecified address (::/128)".into());
    }
    if ip.is_loopback() {
        return Some("the loopback address (::1/128)".into());
    }
    let low32 = Ipv4Addr::from((a & 0xffff_ffff) as u32);
    // Forms that embed an IPv4 address: classified by it.
    let embedded: Option<(&str, Ipv4Addr)> =
        if in_prefix128(a, 0x0000_0000_0000_0000_0000_ffff_0000_0000, 96) {
            Some(("the IPv4-mapped form (::ffff:0:0/96)", low32))
        } else if in_prefix128(a, 0x0000_0000_0000_0000_ffff_0000_0000_0000, 96) {
            Some(("the IPv4-translated form (::ffff:0:0:0/96)", low32))
        } else if in_prefix128(a, 0, 96) {
            Some(("the deprecated IPv4-compatible form (::/96)", low32))
        } else if in_prefix128(a, 0x0064_ff9b_0000_0000_0000_0000_0000_0000, 96) {
            Some(("the NAT64 form (64:ff9b::/96)", low32))
        } else if in_prefix128(a, 0x2002_0000_0000_0000_0000_0000_0000_0000, 16) {
            Some((
                "the 6to4 form (2002::/16)",
                Ipv4Addr::from(((a >> 80) & 0xffff_ffff) as u32),
            ))
        } else {
            None
        };
    if let Some((form, v4)) = embedded {
        return special_v4(v4).map(|what| format!("{form} of {v4}, {what}"));
    }
    if in_prefix128(a, 0x0064_ff9b_0001_0000_0000_0000_0000_0000, 48) {
        return Some("a local-use NAT64 address (64:ff9b:1::/48)".into());
    }
    if let Some((_, _, what)) = V6.iter().find(|(net, len, _)| in_prefix128(a, *net, *len)) {
        return Some((*what).into());
    }
    if !in_prefix128(a, 0x2000_0000_0000_0000_0000_0000_0000_0000, 3) {
        return Some("an address outside global unicast (2000::/3)".into());
    }
    None
}

/// An IPv4-mapped IPv6 address as the IPv4 address it is (the client
/// connects to that address); any other as it is.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// One `--prescan-allow` entry: a host name, or a network in CIDR notation
/// (an address alone is a /32 or /128).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Allow {
    /// A host name, normalised as WHATWG URL parsing does (lower case,
    /// IDNA to punycode, percent-decoded), without a trailing dot.
    Host(String),
    /// A network: its first address and the prefix length.
    Net(IpAddr, u8),
}

impl Allow {
    /// Whether the address lies in this network (IPv4-mapped IPv6
    /// addresses as their IPv4 address). Never for a host name.
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self, canonical(ip)) {
            (Allow::Net(IpAddr::V4(net), len), IpAddr::V4(a)) => {
                in_prefix32(u32::from(a), u32::from(*net), *len)
            }
            (Allow::Net(IpAddr::V6(net), len), IpAddr::V6(a)) => {
                in_prefix128(u128::from(a), u128::from(*net), *len)
            }
            _ => false,
        }
    }
}

impl fmt::Display for Allow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Allow::Host(h) => f.write_str(h),
            Allow::Net(ip, len) => write!(f, "{ip}/{len}"),
        }
    }
}

impl FromStr for Allow {
    type Err = String;

    /// `api.internal.example`, `10.1.2.0/24`, `fd00:1::/64`, `10.1.2.3`,
    /// `::1` or `[::1]`. Host bits below the prefix are ignored.
    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        let bad = || {
            format!("{s:?} is neither a host name nor an address or network in CIDR notation (such as api.internal.example, 10.1.2.0/24 or fd00::/8)")
        };
        if s.is_empty() {
            return Err(bad());
        }
        if let Some((addr, len)) = s.split_once('/') {
            let addr: IpAddr = addr
                .trim_start_matches('[')
                .trim_end_matches(']')
                .parse()
                .map_err(|_| bad())?;
            let max = if addr.is_ipv4() { 32 } else { 128 };
            let len: u8 = match len.parse() {
                Ok(l) if l <= max && !len.starts_with('+') => l,
                _ => return Err(format!("{s:?}: the prefix length must be 0 to {max}")),
            };
            let net = match addr {
                IpAddr::V4(a) => {
                    let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
                    IpAddr::V4(Ipv4Addr::from(u32::from(a) & mask))
                }
                IpAddr::V6(a) => {
                    let mask = if len == 0 {
                        0
                    } else {
                        u128::MAX << (128 - len)
                    };
                    IpAddr::V6(Ipv6Addr::from(u128::from(a) & mask))
                }
            };
            return Ok(Allow::Net(canonical_net(net, len), canonical_len(net, len)));
        }
        if let Ok(ip) = s.parse::<IpAddr>() {
            let ip = canonical(ip);
            return Ok(Allow::Net(ip, if ip.is_ipv4() { 32 } else { 128 }));
        }
        if s.contains(['/', '?', '#', '@', ' ']) || s.contains("://") {
            return Err(bad());
        }
        match Host::parse(s) {
            Ok(Host::Domain(d)) => Ok(Allow::Host(name_key(&d).to_owned())),
            Ok(Host::Ipv4(v4)) => Ok(Allow::Net(IpAddr::V4(v4), 32)),
            Ok(Host::Ipv6(v6)) => {
                let ip = canonical(IpAddr::V6(v6));
                Ok(Allow::Net(ip, if ip.is_ipv4() { 32 } else { 128 }))
            }
            Err(_) => Err(bad()),
        }
    }
}

/// An IPv4-mapped network (`::ffff:10.0.0.0/104`) as the IPv4 network.
fn canonical_net(net: IpAddr, len: u8) -> IpAddr {
    match net {
        IpAddr::V6(v6) if len >= 96 => v6.to_ipv4_mapped().map_or(net, IpAddr::V4),
        _ => net,
    }
}

fn canonical_len(net: IpAddr, len: u8) -> u8 {
    match net {
        IpAddr::V6(v6) if len >= 96 && v6.to_ipv4_mapped().is_some() => len - 96,
        _ => len,
    }
}

/// A host name as compared with `--prescan-allow` names: lower case, one
/// trailing dot removed (the `url` crate has already lower-cased,
/// percent-decoded and IDNA-encoded it).
fn name_key(name: &str) -> &str {
    name.strip_suffix('.').unwrap_or(name)
}

/// `localhost`, `localhost.` and names under it (`api.localhost`).
fn is_localhost(name: &str) -> bool {
    let n = name_key(name).to_ascii_lowercase();
    n == "localhost" || n.ends_with(".localhost")
}

/// Who runs prescans, for the wording of refusals: the server and the
/// command line spell the same options differently, and only the server
/// has an operator to ask.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Voice {
    /// The reference server: `--prescan-deny-private`, `--prescan-allow`,
    /// `--prescan-proxy`, set by its operator.
    #[default]
    Server,
    /// `prescan run`: `--deny-private`, `--allow`, `--proxy`, set by whoever
    /// runs it.
    CommandLine,
}

impl Voice {
    /// The option that refuses special-use addresses.
    pub fn deny_option(self) -> &'static str {
        match self {
            Voice::Server => "--prescan-deny-private",
            Voice::CommandLine => "--deny-private",
        }
    }

    /// The option that lists the only targets allowed.
    pub fn allow_option(self) -> &'static str {
        match self {
            Voice::Server => "--prescan-allow",
            Voice::CommandLine => "--allow",
        }
    }

    /// The option that names the proxy of prescans.
    pub fn proxy_option(self) -> &'static str {
        match self {
            Voice::Server => "--prescan-proxy",
            Voice::CommandLine => "--proxy",
        }
    }

    /// Who refuses a target, as the subject of a sentence.
    fn who(self) -> &'static str {
        match self {
            Voice::Server => "this server",
            Voice::CommandLine => "prescan",
        }
    }

    /// What to do about a target `--prescan-deny-private` refused.
    fn deny_advice(self) -> String {
        match self {
            Voice::Server => format!("Use a public server, or ask the server's operator to list the target's network with {}.", self.allow_option()),
            Voice::CommandLine => format!("Use a public server, or list the target's network with {}.", self.allow_option()),
        }
    }

    /// What to do about a target `--prescan-allow` does not list.
    fn allow_advice(self) -> String {
        match self {
            Voice::Server => "Ask the server's operator to list it.".to_owned(),
            Voice::CommandLine => format!("List it with {}.", self.allow_option()),
        }
    }
}

/// What the options say about prescan targets.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Policy {
    /// `--prescan-deny-private`: refuse special-use addresses
    /// ([`special_use`]) outside the CIDRs of `allow`.
    pub deny_private: bool,
    /// `--prescan-allow`: when not empty, only these targets.
    pub allow: Vec<Allow>,
    /// How refusals name the options.
    pub voice: Voice,
}

impl Policy {
    /// Whether every target is allowed (no option given).
    pub fn is_open(&self) -> bool {
        !self.deny_private && self.allow.is_empty()
    }

    /// Whether a host name is listed by name.
    pub fn name_listed(&self, host: &str) -> bool {
        let key = name_key(host);
        self.allow
            .iter()
            .any(|a| matches!(a, Allow::Host(h) if h.eq_ignore_ascii_case(key)))
    }

    /// Whether an address lies in a listed network.
    pub fn net_listed(&self, ip: IpAddr) -> bool {
        self.allow.iter().any(|a| a.contains(ip))
    }

    fn has_nets(&self) -> bool {
        self.allow.iter().any(|a| matches!(a, Allow::Net(..)))
    }

    /// Whether the target `host` (as the URL has it) may be reached at
    /// `ip` (the address itself for a literal; one of the addresses it
    /// resolves to for a name). See the module docs.
    pub fn check(&self, host: &str, ip: IpAddr, literal: bool) -> Result<(), Refusal> {
        let in_net = self.net_listed(ip);
        if !self.allow.is_empty() && !in_net && (literal || !self.name_listed(host)) {
            return Err(Refusal {
                host: host.to_owned(),
                addr: Some(ip),
                literal,
                option: self.voice.allow_option(),
                voice: self.voice,
                why: String::new(),
            });
        }
        if self.deny_private && !in_net {
            if let Some(why) = special_use(ip) {
                return Err(Refusal {
                    host: host.to_owned(),
                    addr: Some(ip),
                    literal,
                    option: self.voice.deny_option(),
                    voice: self.voice,
                    why,
                });
            }
        }
        Ok(())
    }
}

/// A target a prescan may not reach: which, at which address, and the
/// option that refused it. Its `Display` is a sentence for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The host as the URL has it (WHATWG-normalised).
    pub host: String,
    /// The address refused (`None`: a name refused before resolving).
    pub addr: Option<IpAddr>,
    /// Whether the host is an IP literal.
    pub literal: bool,
    /// `--prescan-deny-private` or `--prescan-allow` (as [`Voice`] spells
    /// them).
    pub option: &'static str,
    voice: Voice,
    why: String,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let host = &self.host;
        let who = self.voice.who();
        if self.addr.is_none() && !self.why.is_empty() {
            // Behind a proxy: a name that cannot be resolved here.
            return write!(
                f,
                "The prescan target {host} does not resolve here ({}), so {who} cannot check the address its proxy would reach, and refuses it ({}).",
                self.why, self.option
            );
        }
        if self.option == self.voice.deny_option() {
            let target = match (self.addr, self.literal) {
                (Some(ip), true) => format!("The prescan target {host} is the address {ip}"),
                (Some(ip), false) => format!("The prescan target {host} resolves to {ip}"),
                (None, _) => format!("The prescan target {host}"),
            };
            write!(
                f,
                "{target}, {}, and {who} refuses such targets ({}). {}",
                self.why,
                self.option,
                self.voice.deny_advice()
            )
        } else {
            let target = match (self.addr, self.literal) {
                (Some(ip), false) => format!("The prescan target {host} (resolving to {ip})"),
                _ => format!("The prescan target {host}"),
            };
            write!(
                f,
                "{target} is not among the targets {who} may reach ({}). {}",
                self.option,
                self.voice.allow_advice()
            )
        }
    }
}

impl std::error::Error for Refusal {}

/// The refusal behind a client error, if the guard caused it (searched
/// along the error's sources).
pub fn refusal_of<'a>(err: &'a (dyn std::error::Error + 'static)) -> Option<&'a Refusal> {
    let mut e: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(cur) = e {
        if let Some(r) = cur.downcast_ref::<Refusal>() {
            return Some(r);
        }
        e = cur.source();
    }
    None
}

/// The future a [`Lookup`] returns.
pub type LookupFuture = Pin<Box<dyn Future<Output = io::Result<Vec<IpAddr>>> + Send>>;

/// How names are resolved: the system's resolver, or a fixed table in
/// tests.
pub type Lookup = Arc<dyn Fn(&str) -> LookupFuture + Send + Sync>;

/// A [`Lookup`] to use instead of the system's resolver (tests).
#[derive(Clone)]
pub struct CustomLookup(pub Lookup);

impl fmt::Debug for CustomLookup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CustomLookup(..)")
    }
}

/// The system's resolver (`getaddrinfo`, through tokio).
pub fn system_lookup() -> Lookup {
    Arc::new(|name: &str| {
        let name = name.to_owned();
        Box::pin(async move {
            Ok(tokio::net::lookup_host((name.as_str(), 0))
                .await?
                .map(|a| a.ip())
                .collect())
        })
    })
}

/// The policy and the resolver it checks names with.
pub struct Guard {
    policy: Policy,
    lookup: Lookup,
}

impl fmt::Debug for Guard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Guard")
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

impl Guard {
    /// A guard resolving names with the system's resolver.
    pub fn new(policy: Policy) -> Guard {
        Guard::with_lookup(policy, system_lookup())
    }

    /// A guard resolving names with `lookup`.
    pub fn with_lookup(policy: Policy, lookup: Lookup) -> Guard {
        Guard { policy, lookup }
    }

    /// The policy.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// Checks the URL's host if it is an IP literal (which no resolver
    /// sees); a name passes (its addresses are checked when resolved).
    pub fn check_literal(&self, url: &Url) -> Result<(), Refusal> {
        if self.policy.is_open() {
            return Ok(());
        }
        let ip = match url.host() {
            Some(Host::Ipv4(v4)) => IpAddr::V4(v4),
            Some(Host::Ipv6(v6)) => IpAddr::V6(v6),
            Some(Host::Domain(_)) | None => return Ok(()),
        };
        let host = url.host_str().unwrap_or_default();
        self.policy.check(host, ip, true)
    }

    /// Checks the URL's host: a literal, or every address the name
    /// resolves to now. A name that does not resolve passes (its requests
    /// fail), except where `--prescan-allow` lists no network and not the
    /// name, which nothing could allow.
    pub async fn check_url(&self, url: &Url) -> Result<(), Refusal> {
        self.check(url, false).await
    }

    /// [`Guard::check_url`] for a request sent through a proxy, which
    /// resolves names itself: a name this server cannot resolve is refused
    /// too (where an address would have to be checked), since what the
    /// proxy would connect to cannot be known.
    pub async fn check_url_for_proxy(&self, url: &Url) -> Result<(), Refusal> {
        self.check(url, true).await
    }

    async fn check(&self, url: &Url, strict: bool) -> Result<(), Refusal> {
        if self.policy.is_open() {
            return Ok(());
        }
        self.check_literal(url)?;
        let Some(Host::Domain(name)) = url.host() else {
            return Ok(());
        };
        if !self.policy.allow.is_empty()
            && !self.policy.has_nets()
            && !self.policy.name_listed(name)
        {
            return Err(Refusal {
                host: name.to_owned(),
                addr: None,
                literal: false,
                option: self.policy.voice.allow_option(),
                voice: self.policy.voice,
                why: String::new(),
            });
        }
        if !self.policy.deny_private && self.policy.name_listed(name) {
            return Ok(());
        }
        match self.resolve(name).await {
            Ok(_) => Ok(()),
            Err(e) => match e.downcast::<Refusal>() {
                Ok(r) => Err(*r),
                Err(_) if !strict => Ok(()),
                Err(e) => Err(Refusal {
                    host: name.to_owned(),
                    addr: None,
                    literal: false,
                    option: if self.policy.deny_private {
                        self.policy.voice.deny_option()
                    } else {
                        self.policy.voice.allow_option()
                    },
                    voice: self.policy.voice,
                    why: e.to_string(),
                }),
            },
        }
    }

    /// Resolves a name and checks every address: the addresses, or an
    /// error (a [`Refusal`] if one is refused; the resolver's error if it
    /// does not resolve).
    pub async fn resolve(&self, name: &str) -> Result<Vec<IpAddr>, BoxError> {
        let addrs = if is_localhost(name) {
            // RFC 6761 (6.3): `localhost` and names under it are loopback,
            // whatever a resolver says (or fails to say) about them.
            vec![
                IpAddr::V4(Ipv4Addr::LOCALHOST),
                IpAddr::V6(Ipv6Addr::LOCALHOST),
            ]
        } else {
            (self.lookup)(name).await?
        };
        if addrs.is_empty() {
            return Err(format!("{name} resolves to no address").into());
        }
        for ip in &addrs {
            self.policy.check(name, *ip, false)?;
        }
        Ok(addrs)
    }
}

/// The error type of reqwest's resolvers.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The prescan client's DNS resolver: [`Guard::resolve`] at every
/// connection, so rebinding is covered.
pub struct GuardedResolver(pub Arc<Guard>);

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let guard = self.0.clone();
        let name = name.as_str().to_owned();
        Box::pin(async move {
            let addrs = guard.resolve(&name).await?;
            let addrs: Vec<SocketAddr> =
                addrs.into_iter().map(|ip| SocketAddr::new(ip, 0)).collect();
            Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DENY_OPTION: &str = "--prescan-deny-private";
    const ALLOW_OPTION: &str = "--prescan-allow";

    #[test]
    fn allow_entries_parse_and_normalise() {
        let cases: &[(&str, &str)] = &[
            ("10.0.0.0/8", "10.0.0.0/8"),
            ("10.1.2.3/24", "10.1.2.0/24"),
            ("10.1.2.3", "10.1.2.3/32"),
            ("fd00::/8", "fd00::/8"),
            ("[fd00::1]/128", "fd00::1/128"),
            ("::1", "::1/128"),
            ("[::1]", "::1/128"),
            ("::ffff:10.0.0.0/104", "10.0.0.0/8"),
            ("127.1", "127.0.0.1/32"),
            ("Api.Internal.Example.", "api.internal.example"),
            ("b\u{fc}cher.example", "xn--bcher-kva.example"),
            ("%61pi.example", "api.example"),
        ];
        for (input, shown) in cases {
            let a: Allow = input.parse().unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(a.to_string(), *shown, "{input}");
        }
        for bad in [
            "",
            "10.0.0.0/33",
            "::/129",
            "10.0.0.0/x",
            "http://x.example",
            "a b",
            "x.example/path",
            "1.2.3.4.5",
        ] {
            assert!(bad.parse::<Allow>().is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn the_policy_combines_allow_and_deny_private() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let both = Policy {
            deny_private: true,
            allow: vec![
                "10.1.2.0/24".parse().unwrap(),
                "api.example".parse().unwrap(),
            ],
            ..Policy::default()
        };
        // A listed network may be private.
        assert!(both.check("10.1.2.3", ip("10.1.2.3"), true).is_ok());
        assert!(both
            .check("internal.example", ip("10.1.2.3"), false)
            .is_ok());
        assert!(both
            .check("::ffff:10.1.2.3", ip("::ffff:10.1.2.3"), true)
            .is_ok());
        // Any other private address is refused, even for a listed name.
        let r = both
            .check("api.example", ip("127.0.0.1"), false)
            .unwrap_err();
        assert_eq!(r.option, DENY_OPTION);
        assert!(
            r.to_string()
                .contains("api.example resolves to 127.0.0.1, a loopback address"),
            "{r}"
        );
        // A listed name at a public address passes; an unlisted one does not.
        assert!(both
            .check("API.example.", ip("93.184.216.34"), false)
            .is_ok());
        let r = both
            .check("other.example", ip("93.184.216.34"), false)
            .unwrap_err();
        assert_eq!(r.option, ALLOW_OPTION);
        assert!(
            r.to_string()
                .contains("other.example (resolving to 93.184.216.34)"),
            "{r}"
        );
        // A literal is never listed by a name.
        let r = both.check("10.9.9.9", ip("10.9.9.9"), true).unwrap_err();
        assert_eq!(r.option, ALLOW_OPTION);
        // Allow alone: private addresses of a listed name pass.
        let allow = Policy {
            deny_private: false,
            allow: vec!["localhost".parse().unwrap()],
            ..Policy::default()
        };
        assert!(allow.check("localhost", ip("127.0.0.1"), false).is_ok());
        assert!(allow.check("127.0.0.1", ip("127.0.0.1"), true).is_err());
        // Neither: everything.
        assert!(Policy::default()
            .check("127.0.0.1", ip("127.0.0.1"), true)
            .is_ok());
    }

    #[test]
    fn refusals_name_the_host_the_address_and_the_option() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let deny = Policy {
            deny_private: true,
            ..Policy::default()
        };
        let r = deny
            .check("[::ffff:7f00:1]", ip("::ffff:7f00:1"), true)
            .unwrap_err();
        assert_eq!(r.to_string(), "The prescan target [::ffff:7f00:1] is the address ::ffff:127.0.0.1, the IPv4-mapped form (::ffff:0:0/96) of 127.0.0.1, a loopback address (127.0.0.0/8), and this server refuses such targets (--prescan-deny-private). Use a public server, or ask the server's operator to list the target's network with --prescan-allow.");
        let allow = Policy {
            deny_private: false,
            allow: vec!["10.0.0.0/8".parse().unwrap()],
            ..Policy::default()
        };
        let r = allow
            .check("api.example", ip("93.184.216.34"), false)
            .unwrap_err();
        assert_eq!(r.to_string(), "The prescan target api.example (resolving to 93.184.216.34) is not among the targets this server may reach (--prescan-allow). Ask the server's operator to list it.");
        // The command line names its own options, and no operator.
        let cli = Policy {
            voice: Voice::CommandLine,
            ..deny
        };
        let r = cli.check("10.0.0.1", ip("10.0.0.1"), true).unwrap_err();
        assert_eq!(r.option, "--deny-private");
        assert_eq!(r.to_string(), "The prescan target 10.0.0.1 is the address 10.0.0.1, a private address (10.0.0.0/8), and prescan refuses such targets (--deny-private). Use a public server, or list the target's network with --allow.");
        let cli = Policy {
            voice: Voice::CommandLine,
            ..allow
        };
        let r = cli
            .check("api.example", ip("93.184.216.34"), false)
            .unwrap_err();
        assert_eq!(r.to_string(), "The prescan target api.example (resolving to 93.184.216.34) is not among the targets prescan may reach (--allow). List it with --allow.");
    }

    #[test]
    fn embedded_ipv4_addresses_are_named() {
        let why = special_use("::ffff:127.0.0.1".parse().unwrap()).unwrap();
        assert_eq!(
            why,
            "the IPv4-mapped form (::ffff:0:0/96) of 127.0.0.1, a loopback address (127.0.0.0/8)"
        );
        let why = special_use("2002:a9fe:a9fe::1".parse().unwrap()).unwrap();
        assert!(
            why.contains("6to4") && why.contains("169.254.169.254"),
            "{why}"
        );
        let why = special_use("64:ff9b::a00:1".parse().unwrap()).unwrap();
        assert!(why.contains("NAT64") && why.contains("10.0.0.1"), "{why}");
    }
}
