//! The fate of a simulated run ([`Outcome`]): chosen from the analysis's
//! name and the run's number, so the simulation is deterministic. At the
//! bottom of `analysis`: depends on nothing in it.

use serde::{Deserialize, Serialize};

/// What becomes of a run in the simulation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Outcome {
    /// Every scan completes; results are verified and published.
    Succeeds,
    /// One scan fails verification ("In Progress" with the warning icon),
    /// the others complete: partial results.
    SomeScansFailVerification,
    /// One scan is interrupted (scan error, lockout or unreachable site):
    /// partial results.
    ScanInterrupted,
    /// The scan duration ends before the scan does: partial results.
    TimesOut,
    /// Every scan fails verification: "All Verifications Failed".
    AllVerificationsFail,
    /// A technical issue stops the analysis: "Stopped - Technical Issue".
    TechnicalIssue,
    /// The submission fails: "Not Submitted".
    NotSubmitted,
}

impl Outcome {
    /// Every outcome.
    pub const ALL: [Outcome; 7] = [
        Self::Succeeds,
        Self::SomeScansFailVerification,
        Self::ScanInterrupted,
        Self::TimesOut,
        Self::AllVerificationsFail,
        Self::TechnicalIssue,
        Self::NotSubmitted,
    ];

    /// The fate of run `run_number` of the analysis called `name` with
    /// `scan_count` scans: 60% succeed; 10% have a scan that fails
    /// verification, 5% an interrupted scan, 10% time out, 5% fail every
    /// verification, 5% stop on a technical issue, 5% are not submitted.
    pub fn for_run(name: &str, run_number: u32, scan_count: usize) -> Self {
        let outcome = match seed(name, run_number) % 20 {
            0..=11 => Self::Succeeds,
            12 | 13 => Self::SomeScansFailVerification,
            14 => Self::ScanInterrupted,
            15 | 16 => Self::TimesOut,
            17 => Self::AllVerificationsFail,
            18 => Self::TechnicalIssue,
            _ => Self::NotSubmitted,
        };
        if outcome == Self::SomeScansFailVerification && scan_count < 2 {
            Self::ScanInterrupted
        } else {
            outcome
        }
    }
}

/// A stable hash (FNV-1a) of a name and a run number.
pub(crate) fn seed(name: &str, run_number: u32) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.bytes().chain(run_number.to_le_bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h ^ (h >> 29)
}
