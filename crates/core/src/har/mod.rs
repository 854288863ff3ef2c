//! HAR 1.2 documents: the types (defined in `har_types`, re-exported here),
//! and a loaded specification's request plans → one entry per request.
//!
//! Every entry carries the fields HAR 1.2 requires (`startedDateTime`, `time`,
//! `request`, `response`, `cache`, `timings`), so the file opens in a browser's
//! network panel and in HAR viewers, not only in scanners.
//!
//! Depends on the loaded specification (`spec`), the request plans (`plan`),
//! the HAR types and the options; never on `prescan`, `analysis` or `api`.

mod build;
mod style;

use crate::spec::{Loaded, Source, Specification};
use crate::{ConvertOptions, HarScope};

pub use crate::har_types::{
    unsent_response, zero_timings, Cache, Content, Cookie, Creator, Entry, Har, Log, NameValue,
    Page, Param, PostData, Request, Response, Timings, EPOCH,
};
pub use build::{is_placeholder, MULTIPART_BOUNDARY, PLACEHOLDER_COMMENT};

/// Builds the HAR document of a loaded specification: one entry per endpoint,
/// in specification order.
///
/// The requests follow `options`: [`crate::HarStyle`], the credentials and
/// custom headers and cookies of [`crate::ScanAuth`]. Entries of a HAR file
/// read as input are kept as they are. With [`HarScope::InScope`], only the
/// entries of endpoints a scanner sends requests to are written
/// ([`crate::scope::ScopeDecision::is_sent`]).
pub fn build(loaded: &Loaded, options: &ConvertOptions) -> Har {
    let wanted = |i: usize| options.har_scope == HarScope::All || sent(&loaded.spec, i);
    let entries = match &loaded.source {
        Source::Requests(plans) => plans
            .iter()
            .enumerate()
            .filter(|(i, _)| wanted(*i))
            .map(|(_, p)| build::entry(p, options))
            .collect(),
        Source::Entries(entries) => entries
            .iter()
            .enumerate()
            .filter(|(i, _)| wanted(*i))
            .map(|(_, e)| e.clone())
            .collect(),
    };
    document(entries)
}

/// Whether the `index`th endpoint is sent (one entry per endpoint, in
/// order; an entry without its endpoint is kept).
fn sent(spec: &Specification, index: usize) -> bool {
    spec.endpoints.get(index).is_none_or(|e| e.scope.is_sent())
}

/// The entries of a HAR built with [`HarScope::All`] that a scanner sends
/// requests to: what a prescan is planned from
/// ([`crate::prescan::PrescanPlan::new`]), so that its first
/// [`crate::PRESCAN_LIMIT`] entries are the endpoints
/// [`Specification::prescan_endpoints`] lists. A HAR with fewer entries
/// than `spec` has endpoints was built in scope already, and is returned
/// as it is.
pub fn in_scope(har: &Har, spec: &Specification) -> Har {
    if har.log.entries.len() != spec.endpoints.len() {
        return har.clone();
    }
    let mut out = har.clone();
    out.log.entries = har
        .log
        .entries
        .iter()
        .enumerate()
        .filter(|(i, _)| sent(spec, *i))
        .map(|(_, e)| e.clone())
        .collect();
    out
}

/// A HAR 1.2 document of `entries`, written by prescan.
fn document(entries: Vec<Entry>) -> Har {
    Har {
        log: Log {
            version: "1.2".into(),
            creator: Creator {
                name: "prescan".into(),
                version: env!("CARGO_PKG_VERSION").into(),
                comment: None,
            },
            pages: Vec::new(),
            entries,
            comment: None,
        },
    }
}
