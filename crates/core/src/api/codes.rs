//! Stable wire codes of the core's enums: `SCREAMING_SNAKE_CASE` of the
//! variant's name (`CompletedResultsAvailable` → `COMPLETED_RESULTS_AVAILABLE`),
//! except [`SpecFormat`], whose codes are Veracode's (`OPEN_API_V3`).
//!
//! Every code type is total and unique (tested over every variant), and
//! `from_code(code(x)) == Some(x)`.

use std::fmt::Debug;

use serde::de::{Deserializer, Error as _};
use serde::ser::Serializer;
use serde::Deserialize;

use crate::analysis::{
    ActivityKind, AnalysisAction, AnalysisStatus, NotificationKind, RunAction, ScanStatus,
};
use crate::SpecFormat;

/// An enum of the core written on the wire as a stable code.
pub trait WireCode: Sized + Copy + PartialEq + 'static {
    /// Every variant, in the core's order.
    fn all() -> &'static [Self];

    /// The code of this variant.
    fn code(self) -> String;

    /// The variant with this code (exact, case-sensitive).
    fn from_code(code: &str) -> Option<Self> {
        Self::all().iter().copied().find(|v| v.code() == code)
    }

    /// Every code, in the order of [`WireCode::all`] (the contract's enum).
    fn codes() -> Vec<String> {
        Self::all().iter().map(|v| v.code()).collect()
    }
}

/// `CompletedResultsAvailable` → `COMPLETED_RESULTS_AVAILABLE`.
pub fn screaming_snake(camel: &str) -> String {
    let mut out = String::with_capacity(camel.len() + 8);
    for (i, c) in camel.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_uppercase());
    }
    out
}

fn debug_code<T: Debug>(v: T) -> String {
    screaming_snake(&format!("{v:?}"))
}

const ACTIVITY_KINDS: [ActivityKind; 7] = [
    ActivityKind::Created,
    ActivityKind::ConfigurationChanged,
    ActivityKind::ScheduleChanged,
    ActivityKind::ActionRequested,
    ActivityKind::StatusChanged,
    ActivityKind::ScanStatusChanged,
    ActivityKind::NotificationSent,
];

const RUN_ACTIONS: [RunAction; 5] = [
    RunAction::StopSave,
    RunAction::StopDelete,
    RunAction::Pause,
    RunAction::Resume,
    RunAction::RunAgain,
];

const NOTIFICATION_KINDS: [NotificationKind; 4] = [
    NotificationKind::PrescanSucceeded,
    NotificationKind::PrescanFailed,
    NotificationKind::AnalysisFailed,
    NotificationKind::ResultsPublished,
];

const SPEC_FORMATS: [SpecFormat; 5] = [
    SpecFormat::OpenApi2,
    SpecFormat::OpenApi30,
    SpecFormat::OpenApi31,
    SpecFormat::Postman21,
    SpecFormat::Har12,
];

macro_rules! debug_wire_code {
    ($t:ty, $all:expr) => {
        impl WireCode for $t {
            fn all() -> &'static [Self] {
                &$all
            }
            fn code(self) -> String {
                debug_code(self)
            }
        }
    };
}

debug_wire_code!(AnalysisStatus, AnalysisStatus::ALL);
debug_wire_code!(ScanStatus, ScanStatus::ALL);
debug_wire_code!(AnalysisAction, AnalysisAction::ALL);
debug_wire_code!(RunAction, RUN_ACTIONS);
debug_wire_code!(ActivityKind, ACTIVITY_KINDS);
debug_wire_code!(NotificationKind, NOTIFICATION_KINDS);

impl WireCode for SpecFormat {
    fn all() -> &'static [Self] {
        &SPEC_FORMATS
    }
    fn code(self) -> String {
        match self {
            SpecFormat::OpenApi2 => "OPEN_API_V2",
            SpecFormat::OpenApi30 => "OPEN_API_V3",
            SpecFormat::OpenApi31 => "OPEN_API_V31",
            SpecFormat::Postman21 => "POSTMAN_V21",
            SpecFormat::Har12 => "HAR",
        }
        .to_string()
    }
}

fn unknown<T: WireCode, E: serde::de::Error>(found: &str) -> E {
    E::custom(format!(
        "unknown code `{found}`; expected one of {}",
        T::codes().join(", ")
    ))
}

/// `#[serde(with = "code")]` for a [`WireCode`] field.
pub mod code {
    use super::*;

    /// Writes the code.
    pub fn serialize<T: WireCode, S: Serializer>(v: &T, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&v.code())
    }

    /// Reads a code.
    pub fn deserialize<'de, T: WireCode, D: Deserializer<'de>>(d: D) -> Result<T, D::Error> {
        let s = String::deserialize(d)?;
        T::from_code(&s).ok_or_else(|| unknown::<T, D::Error>(&s))
    }
}

/// `#[serde(with = "option_code")]` for an `Option` of a [`WireCode`]
/// (`null` for `None`).
pub mod option_code {
    use super::*;

    /// Writes the code or `null`.
    pub fn serialize<T: WireCode, S: Serializer>(v: &Option<T>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(v) => s.serialize_str(&v.code()),
            None => s.serialize_none(),
        }
    }

    /// Reads a code or `null`.
    pub fn deserialize<'de, T: WireCode, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<T>, D::Error> {
        match Option::<String>::deserialize(d)? {
            None => Ok(None),
            Some(s) => T::from_code(&s)
                .map(Some)
                .ok_or_else(|| unknown::<T, D::Error>(&s)),
        }
    }
}

/// `#[serde(with = "code_list")]` for a `Vec` of a [`WireCode`].
pub mod code_list {
    use super::*;
    use serde::ser::SerializeSeq;

    /// Writes the codes.
    pub fn serialize<T: WireCode, S: Serializer>(v: &[T], s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(v.len()))?;
        for x in v {
            seq.serialize_element(&x.code())?;
        }
        seq.end()
    }

    /// Reads the codes.
    pub fn deserialize<'de, T: WireCode, D: Deserializer<'de>>(d: D) -> Result<Vec<T>, D::Error> {
        Vec::<String>::deserialize(d)?
            .iter()
            .map(|s| T::from_code(s).ok_or_else(|| unknown::<T, D::Error>(s)))
            .collect()
    }
}

/// `#[serde(with = "time")]`: milliseconds since the epoch as an RFC 3339
/// UTC string (`2026-11-22T04:45:00.000Z`; any RFC 3339 offset is read).
pub mod time {
    use super::*;
    use crate::analysis::time::{format_rfc3339, parse_rfc3339};

    /// Writes RFC 3339.
    pub fn serialize<S: Serializer>(ms: &i64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format_rfc3339(*ms))
    }

    /// Reads RFC 3339.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
        let s = String::deserialize(d)?;
        parse_rfc3339(&s).ok_or_else(|| {
            D::Error::custom(format!(
                "`{s}` is not an RFC 3339 date-time (such as 2026-11-22T04:45:00Z)"
            ))
        })
    }
}

/// `#[serde(with = "option_time")]`: [`time`] or `null`.
pub mod option_time {
    use super::*;
    use crate::analysis::time::{format_rfc3339, parse_rfc3339};

    /// Writes RFC 3339 or `null`.
    pub fn serialize<S: Serializer>(ms: &Option<i64>, s: S) -> Result<S::Ok, S::Error> {
        match ms {
            Some(ms) => s.serialize_str(&format_rfc3339(*ms)),
            None => s.serialize_none(),
        }
    }

    /// Reads RFC 3339 or `null`.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
        match Option::<String>::deserialize(d)? {
            None => Ok(None),
            Some(s) => parse_rfc3339(&s).map(Some).ok_or_else(|| {
                D::Error::custom(format!(
                    "`{s}` is not an RFC 3339 date-time (such as 2026-11-22T04:45:00Z)"
                ))
            }),
        }
    }
}
