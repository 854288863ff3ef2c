//! Demo data: analyses in every analysis status, with scans in every scan
//! status, marked [`Analysis::demo`] and removable with
//! [`StoreState::remove_demo`].

use super::activity::{ActivityEntry, ActivityKind, Actor};
use super::model::{
    Analysis, AnalysisId, Run, Scan, ScanDuration, ScanId, ScanTarget, Schedule, SpecId,
    SpecRecord, Start,
};
use super::outcome::Outcome;
use super::state::{StoreState, StoredSpec};
use super::status::{AnalysisStatus as S, ScanStatus as C};
use super::time::{DAY_MS, HOUR_MS};
use crate::SpecFormat;

/// The small specification the demo's API specification scans scan.
pub const DEMO_SPEC: &str = r#"{
  "openapi": "3.0.3",
  "info": { "title": "Demo Pet Store", "version": "1.0.0" },
  "servers": [{ "url": "https://petstore.demo.example.com/v1" }],
  "paths": {
    "/pets": {
      "get": { "responses": { "200": { "description": "The pets" } } },
      "post": { "responses": { "201": { "description": "Created" } } }
    },
    "/pets/{id}": {
      "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "integer" } }],
      "get": { "responses": { "200": { "description": "A pet" } } }
    }
  }
}
"#;

/// One demo analysis: its name suffix, status, warning flag, scans'
/// statuses, and the fate of its run.
struct Plan {
    status: S,
    warning: bool,
    scans: &'static [C],
    outcome: Outcome,
}

const fn plan(status: S, scans: &'static [C]) -> Plan {
    Plan {
        status,
        warning: false,
        scans,
        outcome: Outcome::Succeeds,
    }
}

const PLANS: &[Plan] = &[
    plan(
        S::CompletedVerifyingResults,
        &[C::CompletedVerifyingResults, C::CompletedVerifyingResults],
    ),
    Plan {
        outcome: Outcome::SomeScansFailVerification,
        ..plan(
            S::CompletedVerifyingPartialResults,
            &[
                C::VerificationFailed,
                C::CompletedVerifyingResults,
                C::SiteUnreachableVerifyingResults,
            ],
        )
    },
    plan(
        S::CompletedPartialResultsAvailable,
        &[
            C::CompletedResultsAvailable,
            C::ScanErrorPartialResultsAvailable,
            C::LockoutPartialResultsAvailable,
            C::SiteUnreachableResultsAvailable,
            C::TimeExpiredPartialResultsAvailable,
        ],
    ),
    plan(
        S::CompletedResultsAvailable,
        &[C::CompletedResultsAvailable, C::CompletedResultsAvailable],
    ),
    plan(S::InProgress, &[C::InProgress, C::InProgress]),
    Plan {
        warning: true,
        outcome: Outcome::SomeScansFailVerification,
        ..plan(
            S::InProgress,
            &[C::AuthenticationError, C::InProgress, C::Resuming],
        )
    },
    plan(S::NotSubmitted, &[C::SubmitFailed, C::SubmitFailed]),
    plan(S::Prescanning, &[C::Submitted, C::Submitted]),
    plan(S::Queued, &[C::Queued, C::QueuedWithWarning]),
    plan(S::Scheduled, &[C::Scheduled, C::Scheduled]),
    plan(
        S::StoppedDeletingResults,
        &[C::Stopped, C::StoppingDeletingResults],
    ),
    plan(
        S::StoppedSavingResults,
        &[C::StoppingSavingResults, C::StoppingSavingResults],
    ),
    plan(
        S::StoppedScanDurationEnded,
        &[C::TimeExpiredStopped, C::TimeExpiredStopped],
    ),
    Plan {
        outcome: Outcome::TimesOut,
        ..plan(
            S::StoppedScanDurationEndedWithPartialResults,
            &[
                C::TimeExpiredVerifyingPartialResults,
                C::TimeExpiredVerifyingPartialResults,
            ],
        )
    },
    plan(
        S::StoppedTechnicalIssue,
        &[C::TechnicalIssueStopped, C::SiteUnreachableStopped],
    ),
    plan(
        S::StoppedVerifyingResults,
        &[
            C::CompletedVerifyingResults,
            C::StoppedVerifyingPartialResults,
        ],
    ),
    plan(
        S::StoppedVerifyingPartialResults,
        &[
            C::StoppedVerifyingPartialResults,
            C::ScanErrorVerifyingPartialResults,
            C::KilledVerifyingPartialResults,
            C::LockoutVerifyingPartialResults,
        ],
    ),
    plan(
        S::StoppedPartialResultsAvailable,
        &[
            C::StoppedPartialResultsAvailable,
            C::KilledPartialResultsAvailable,
        ],
    ),
    Plan {
        outcome: Outcome::TimesOut,
        ..plan(
            S::TimeExpiredVerifyingPartialResults,
            &[
                C::TimeExpiredVerifyingPartialResults,
                C::TimeExpiredVerifyingPartialResults,
            ],
        )
    },
    plan(S::Submitted, &[C::Submitted, C::Submitted]),
    plan(
        S::AllVerificationsFailed,
        &[
            C::ConnectionError,
            C::VerificationFailed,
            C::CrawlScriptError,
        ],
    ),
    plan(
        S::PublishedResultsAvailable,
        &[C::CompletedResultsAvailable, C::CompletedResultsAvailable],
    ),
    plan(S::SavedForLater, &[C::NotRun, C::NotRun]),
    plan(S::Paused, &[C::Paused, C::Pausing]),
];

/// The APIs the demo analyses are named after (names without a status:
/// the simulated engine moves demo runs on, and a name must stay true).
const DEMO_NAMES: [&str; 24] = [
    "Accounts API",
    "Billing API",
    "Catalog API",
    "Checkout API",
    "Customers API",
    "Delivery API",
    "Events API",
    "Files API",
    "Gateway API",
    "Health API",
    "Identity API",
    "Inventory API",
    "Ledger API",
    "Messaging API",
    "Notifications API",
    "Orders API",
    "Partners API",
    "Payments API",
    "Pricing API",
    "Reports API",
    "Search API",
    "Shipping API",
    "Tickets API",
    "Users API",
];

/// The name of demo analysis `n` (at least 6 characters, unique).
fn demo_name(n: usize) -> String {
    match DEMO_NAMES.get(n) {
        Some(api) => format!("Demo - {api}"),
        None => format!("Demo - API {}", n + 1),
    }
}

/// Adds demo analyses to `state` as `user` at `now_ms`: one per analysis
/// status (two for In Progress: with and without the warning icon), whose
/// scans together take every scan status. Earlier demo data is replaced; a
/// user's analysis with a demo name gets the demo's name suffixed " (2)".
/// Runs under way move on when the engine ticks. Returns the new ids.
pub fn add_demo(state: &mut StoreState, user: &str, now_ms: i64) -> Vec<AnalysisId> {
    state.remove_demo();
    let spec_id = SpecId(state.take_id());
    let record = SpecRecord {
        id: spec_id,
        file_name: "demo-petstore.json".into(),
        title: "Demo Pet Store".into(),
        format: SpecFormat::OpenApi30,
        endpoint_count: 3,
        servers: vec!["https://petstore.demo.example.com/v1".into()],
        size: DEMO_SPEC.len(),
        files: Vec::new(),
        uploaded_ms: now_ms,
        uploaded_by: user.into(),
        visibility: Default::default(),
    };
    state.specifications.push(StoredSpec {
        record: record.clone(),
        bytes: DEMO_SPEC.as_bytes().to_vec(),
        others: Vec::new(),
        demo: true,
    });
    let mut ids = Vec::new();
    for (n, p) in PLANS.iter().enumerate() {
        let mut name = demo_name(n);
        if state.find_by_name(&name).is_some() {
            name.push_str(" (2)");
        }
        let id = AnalysisId(state.take_id());
        let scans: Vec<Scan> = p
            .scans
            .iter()
            .enumerate()
            .map(|(i, status)| {
                let target = if i == 0 {
                    ScanTarget::specification(&record, None)
                } else {
                    ScanTarget::Url(format!("https://app{i}.demo.example.com/"))
                };
                let id = ScanId(state.take_id());
                Scan {
                    id,
                    target,
                    status: *status,
                    auth: Default::default(),
                    scope: Default::default(),
                    values: Default::default(),
                }
            })
            .collect();
        let created = now_ms - DAY_MS - (n as i64) * HOUR_MS;
        let submitted = now_ms - 10 * 60_000 - (n as i64) * 60_000;
        let (start, runs) = match p.status {
            S::Scheduled => (
                Start::At(now_ms + DAY_MS + (n as i64) * HOUR_MS),
                Vec::new(),
            ),
            S::SavedForLater => (Start::Unscheduled, Vec::new()),
            status => {
                let settled = status.is_editable();
                let started = !matches!(
                    status,
                    S::Submitted
                        | S::Prescanning
                        | S::Queued
                        | S::NotSubmitted
                        | S::AllVerificationsFailed
                );
                let run = Run {
                    number: 1,
                    prescan: true,
                    submitted_ms: submitted,
                    started_ms: started.then_some(submitted + 60_000),
                    deadline_ms: submitted + 8 * HOUR_MS,
                    ended_ms: settled.then_some(now_ms - 60_000),
                    final_status: settled.then_some(status),
                    outcome: p.outcome,
                    since_ms: now_ms,
                    next_step_ms: None,
                    paused_remaining_ms: None,
                    prescan_result: None,
                };
                (Start::Now, vec![run])
            }
        };
        let analysis = Analysis {
            id,
            name,
            status: p.status,
            has_verification_failures: p.warning || p.scans.iter().any(|s| s.failed_verification()),
            scans,
            schedule: Schedule {
                start,
                duration: ScanDuration::Hours(8),
            },
            prescan: true,
            created_ms: created,
            created_by: user.into(),
            modified_ms: created,
            modified_by: user.into(),
            runs,
            demo: true,
            visibility: Default::default(),
            schedule_set_by: None,
        };
        let log = vec![
            ActivityEntry::new(
                created,
                Actor::user(user),
                ActivityKind::Created,
                format!("Demo analysis {} created.", analysis.name),
            ),
            ActivityEntry::change(
                now_ms,
                Actor::System,
                ActivityKind::StatusChanged,
                format!("Analysis status changed to {}.", p.status.label()),
                S::SavedForLater.label(),
                p.status.label(),
            ),
        ];
        state.activity.insert(id, log);
        state.analyses.push(analysis);
        ids.push(id);
    }
    ids
}
