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

use crate::spec::{Loaded, Source};
use crate::ConvertOptions;

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
/// read as input are kept as they are.
pub fn build(loaded: &Loaded, options: &ConvertOptions) -> Har {
    let entries = match &loaded.source {
        Source::Requests(plans) => plans.iter().map(|p| build::entry(p, options)).collect(),
        Source::Entries(entries) => entries.clone(),
    };
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
