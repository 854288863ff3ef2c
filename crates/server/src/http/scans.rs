//! `/scans/{scan_id}/prescan`: start a server-side prescan, follow it,
//! cancel it, and download its HAR; the task that runs it, supervised.

use prescan_core::people::Action;

use super::authz::*;
use super::extract::*;
use super::gate::Caller;
use super::prelude::*;
use super::problem::*;
use super::rates::take_rate;
use super::specifications::spec_files;
use super::work::*;

/// The routes of `/scans`: a scan's prescan.
pub(super) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/{scan_id}/prescan", get(prescan_get).post(prescan_start))
        .route("/{scan_id}/prescan/cancel", post(prescan_cancel))
        .route("/{scan_id}/prescan/har", get(prescan_har))
}

pub(super) struct ScanInfo {
    analysis_id: AnalysisId,
    target: ScanTarget,
    auth: prescan_core::ScanAuth,
    scope: prescan_core::scope::Scope,
    values: prescan_core::values::ValueOverrides,
}

/// A scan of an analysis the caller may see; any other is not found (the
/// same 404 as an id that does not exist).
pub(super) fn find_scan(s: &AppState, caller: &Caller, scan: ScanId) -> Result<ScanInfo, ApiError> {
    s.db.read(|state| {
        state
            .analyses
            .iter()
            .filter(|a| sees_analysis(caller, a))
            .find_map(|a| {
                a.scans.iter().find(|x| x.id == scan).map(|x| ScanInfo {
                    analysis_id: a.id,
                    target: x.target.clone(),
                    auth: x.auth.clone(),
                    scope: x.scope.clone(),
                    values: x.values.clone(),
                })
            })
    })?
    .ok_or_else(|| {
        let mut p = Problem::new(
            404,
            "scan-not-found",
            "Scan not found",
            format!("No scan has the id {scan}."),
        );
        p.errors.clear();
        ApiError::from(p)
    })
}

/// The prescan as the API returns it: the report without the scan's
/// credentials (`api::redact_report`; the stored one keeps the requests as
/// sent).
pub(super) fn prescan_body(
    scan: ScanId,
    started_ms: i64,
    finished_ms: Option<i64>,
    report: prescan_core::prescan::PrescanReport,
    auth: &prescan_core::ScanAuth,
) -> wire::Prescan {
    let report = wire::redact_report(&report, auth);
    let done = report.results.iter().flatten().count();
    wire::Prescan {
        scan_id: scan,
        state: if finished_ms.is_some() {
            wire::PrescanState::Finished
        } else {
            wire::PrescanState::Running
        },
        started_on: started_ms,
        finished_on: finished_ms,
        progress: wire::PrescanProgress {
            done,
            total: report.plan.requests.len(),
        },
        report: Some(report),
    }
}

pub(super) async fn current_prescan(
    s: &Arc<AppState>,
    caller: &Caller,
    scan: ScanId,
) -> Result<wire::Prescan, ApiError> {
    let auth = find_scan(s, caller, scan)?.auth;
    if let Some(r) = s.prescans.get(scan) {
        let (report, _) = r.snapshot();
        return Ok(prescan_body(scan, r.started_ms, None, report, &auth));
    }
    let db = s.db.clone();
    let saved = blocking(move || Ok(db.prescan(scan)?)).await?;
    match saved {
        // Still running (on another replica, which saves its progress with
        // every renewal of its lease): no end yet.
        Some(p) => Ok(prescan_body(
            scan,
            p.started_ms,
            p.finished_ms,
            p.report,
            &auth,
        )),
        None => Err(ApiError::from(Problem::not_found(format!(
            "Scan {scan} has no prescan yet. Start one with POST {API}/scans/{scan}/prescan."
        )))),
    }
}

/// The 503 problem of a prescan asked of a stopping server.
pub(super) fn server_stopping() -> ApiError {
    ApiError::retry_after(
        Problem::new(
            503,
            "server-stopping",
            "Server stopping",
            "This server is stopping (a rolling update or a restart): it starts no prescan now. Try again in a moment; another replica, or this one restarted, will take it.",
        ),
        Duration::from_secs(5),
    )
}

/// The 503 problem of a server running `--max-prescans` prescans.
pub(super) fn prescans_busy(s: &AppState) -> ApiError {
    ApiError::retry_after(
        Problem::new(
            503,
            "prescans-busy",
            "Too many prescans",
            format!(
                "The server runs {} prescans at once (--max-prescans) and all are under way. Try again when one has finished.",
                s.config.max_prescans
            ),
        ),
        Duration::from_secs(10),
    )
}

pub(super) async fn prescan_start(
    State(s): State<Arc<AppState>>,
    Extension(user): Extension<Caller>,
    Extension(client): Extension<Client>,
    PathId(scan): PathId<ScanId>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult {
    let req: wire::PrescanRequest = json_body(&s, &headers, body, Some("{}")).await?;
    let info = find_scan(&s, &user, scan)?;
    allow(&user, Action::RunPrescan)?;
    if s.is_stopping() {
        return Err(server_stopping());
    }
    let ScanTarget::ApiSpecification(spec) = info.target else {
        return Err(ApiError::from(Problem::conflict(format!(
            "Scan {scan} is a URL scan: a prescan runs the requests of an API specification scan."
        ))));
    };
    let settings = req
        .settings(spec.server.clone())
        .map_err(|errors| ApiError::from(Problem::invalid(errors)))?;
    if s.prescans.get(scan).is_some() {
        return Err(running_conflict(scan));
    }
    if s.prescans.all().len() >= s.config.max_prescans {
        return Err(prescans_busy(&s));
    }
    take_rate(
        &s,
        &s.limits.prescans,
        &client,
        "prescans",
        "--rate-prescans",
    )
    .await?;
    let files = spec_files(&s, spec.spec_id).await?;
    let options = ConvertOptions {
        base_url: spec.server.clone(),
        auth: info.auth.clone(),
        scope: info.scope.clone(),
        values: info.values.clone(),
        limits: s.config.convert_limits,
        ..ConvertOptions::default()
    };
    let permit = conversion_turn(&s).await?;
    let oauth = info.auth.oauth.clone();
    let base = spec.server.clone();
    let (plan, total_endpoints, oauth) = run_conversion(&s, permit, &spec.file_name, move || {
        let c = prescan_core::convert_files(&files, &options).map_err(|e| {
            ApiError::from(Problem::invalid(vec![ProblemField::new(
                "spec_id",
                format!("The scan's specification could not be converted: {e}"),
            )]))
        })?;
        let mut plan = PrescanPlan::of_conversion(&c, &settings);
        prescan::send_cookies(&mut plan);
        let oauth = match oauth {
            Some(o) => Some(complete_oauth(
                o,
                &c.spec.security_schemes,
                base.as_deref().or(plan.settings.base_url.as_deref()),
            )?),
            None => None,
        };
        Ok((plan, c.spec.coverage().in_scope(), oauth))
    })
    .await?;
    s.outbound
        .check_plan(&plan)
        .await
        .map_err(|m| ApiError::from(Problem::invalid(vec![ProblemField::new("server", m)])))?;
    // A scan with a client certificate sends with a client of its own that
    // presents it: the same guard, roots and limits as every prescan.
    let outbound = match info.auth.client_certificate.clone() {
        None => s.outbound.clone(),
        Some(cert) => {
            let base = s.outbound.clone();
            blocking(move || {
                let id = prescan_runner::read_client_certificate(&cert, now_ms() / 1000)
                    .and_then(|id| base.with_identity(id.identity))
                    .map_err(|m| {
                        ApiError::from(Problem::invalid(vec![ProblemField::new(
                            "auth.client_certificate",
                            format!("{m} Save the scan with a certificate that can be used."),
                        )]))
                    })?;
                Ok(Arc::new(id))
            })
            .await?
        }
    };
    if let Some(o) = &oauth {
        outbound.check_oauth(o).await.map_err(|m| {
            ApiError::from(Problem::invalid(vec![ProblemField::new("auth.oauth", m)]))
        })?;
    }
    // The test hook of a prescan task that panics.
    let hook_panic =
        s.config.test_hooks && plan.requests.iter().any(|r| r.url.contains("__panic__"));
    if s.prescans.all().len() >= s.config.max_prescans {
        return Err(prescans_busy(&s));
    }
    let started_ms = now_ms();
    let Some((running, cancel)) = s.prescans.start(
        scan,
        info.analysis_id,
        started_ms,
        plan,
        total_endpoints,
        prescan_core::ScanAuth {
            oauth,
            ..info.auth.clone()
        },
    ) else {
        return Err(running_conflict(scan));
    };
    let (report, _) = running.snapshot();
    // Stored without the credentials it sends: a saved prescan must not
    // keep a credential after it is changed.
    let first = SavedPrescan {
        scan_id: scan,
        analysis_id: info.analysis_id,
        started_ms,
        finished_ms: None,
        report: wire::redact_report(&report, &info.auth),
    };
    // With its lease: this replica drives it; a prescan of the scan that
    // another replica drives (its lease not ended) is a conflict.
    let db = s.db.clone();
    let owner = s.replica.clone();
    let until_ms = started_ms + lease_ms(&s);
    let saved = blocking(move || {
        Ok(db.mutate::<(), ApiError>(|_, lookup| {
            if lookup
                .prescan_lease(scan)?
                .is_some_and(|l| l.until_ms > started_ms)
            {
                return Err(running_conflict(scan));
            }
            Ok((
                (),
                Changes {
                    extra: vec![
                        Extra::Prescan(first),
                        Extra::Lease {
                            scan,
                            owner,
                            until_ms,
                        },
                    ],
                    ..Changes::default()
                },
            ))
        })?)
    })
    .await;
    if let Err(e) = saved {
        s.prescans.remove(scan);
        return Err(e);
    }
    let st = s.clone();
    tokio::spawn(async move {
        let lease = tokio::spawn(keep_lease(st.clone(), scan, running.clone()));
        let mut note = supervise(&st, &running, cancel, hook_panic, outbound).await;
        lease.abort();
        if let Ok(why) = lease.await {
            if !why.is_empty() && note.is_empty() {
                note = why;
            }
        }
        if running.stopped_by_server() {
            if !note.is_empty() {
                note.push(' ');
            }
            note.push_str(prescan::SERVER_STOPPED_NOTE);
        }
        finish_prescan(&st, scan, &running, user.name().to_owned(), &note).await;
    });
    let body = prescan_body(scan, started_ms, None, report, &info.auth);
    let mut r = json_response(StatusCode::ACCEPTED, &body);
    if let Ok(v) = HeaderValue::from_str(&format!("{API}/scans/{scan}/prescan")) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    Ok(r)
}

/// The scan's OAuth 2.0 with its token URL taken from the specification
/// when none was entered, checked: a 422 problem on `auth.oauth` if it
/// cannot be used (no secret is quoted).
fn complete_oauth(
    mut o: prescan_core::oauth::OAuth,
    schemes: &[prescan_core::SecuritySchemeInfo],
    base: Option<&str>,
) -> Result<prescan_core::oauth::OAuth, ApiError> {
    if o.token_url.trim().is_empty() && o.discovery_url.is_none() {
        if let Some(p) = prescan_core::oauth::token_url_from_spec(schemes, base) {
            o.token_url = p.token_url;
            o.discovery_url = p.discovery_url;
        }
    }
    o.validate().map_err(|errors| {
        ApiError::from(Problem::invalid(vec![ProblemField::new(
            "auth.oauth",
            format!("OAuth 2.0: {}", errors.join(" ")),
        )]))
    })?;
    Ok(o)
}

pub(super) fn running_conflict(scan: ScanId) -> ApiError {
    ApiError::from(Problem::conflict(format!(
        "A prescan of scan {scan} is already running. Wait for it to finish (GET {API}/scans/{scan}/prescan) or cancel it (POST {API}/scans/{scan}/prescan/cancel)."
    )))
}

/// The lease of a prescan, in ms (`--prescan-lease`).
fn lease_ms(s: &AppState) -> i64 {
    s.config
        .prescan_lease
        .as_millis()
        .clamp(1, i64::MAX as u128) as i64
}

/// Renews the lease of a running prescan every third of its length and
/// saves its progress with it (so any replica shows how far it got), until
/// the prescan ends (the task is aborted then). A cancel asked through
/// another replica cancels it; so does a lease lost (another replica took
/// it over, thinking this one stopped). Returns the note for the activity
/// log when it cancelled the prescan.
async fn keep_lease(s: Arc<AppState>, scan: ScanId, running: Arc<prescan::Running>) -> String {
    let every = Duration::from_millis((lease_ms(&s) / 3).max(50) as u64);
    loop {
        tokio::time::sleep(every).await;
        let (report, _) = running.snapshot();
        let progress = SavedPrescan {
            scan_id: scan,
            analysis_id: running.analysis_id,
            started_ms: running.started_ms,
            finished_ms: None,
            report: wire::redact_report(&report, &running.auth),
        };
        let db = s.db.clone();
        let owner = s.replica.clone();
        let until_ms = now_ms() + lease_ms(&s);
        let renewed = tokio::task::spawn_blocking(move || {
            db.renew_lease(scan, &owner, until_ms, Some(&progress))
        })
        .await;
        match renewed {
            Ok(Ok(Some(false))) => {}
            Ok(Ok(Some(true))) => {
                running.cancel();
                return "Cancelled through another server of this deployment.".to_owned();
            }
            Ok(Ok(None)) => {
                running.cancel();
                return "This server lost the prescan's lease (it did not renew it in time, and another server took it over); its unfinished requests are recorded as cancelled.".to_owned();
            }
            // The database is unreachable for now: the prescan goes on and
            // the lease is renewed at the next turn if it comes back.
            Ok(Err(e)) => {
                eprintln!("prescan-server: the lease of scan {scan}'s prescan was not renewed: {e}")
            }
            Err(_) => {}
        }
    }
}

/// Drives a prescan in a task of its own, within `--prescan-deadline`: a
/// panic in it, or the deadline, ends the prescan (its unfinished requests
/// cancelled, so it is failed, never left running). Returns the note for
/// the activity log ("" when it ended normally).
pub(super) async fn supervise(
    s: &Arc<AppState>,
    running: &Arc<prescan::Running>,
    cancel: tokio::sync::watch::Receiver<bool>,
    hook_panic: bool,
    client: Arc<prescan::Outbound>,
) -> String {
    let r = running.clone();
    let mut task = tokio::spawn(async move {
        if hook_panic {
            panic!("test hook: a prescan task panics");
        }
        prescan::drive(r, cancel, client).await
    });
    let deadline = s.config.prescan_deadline;
    let note = match tokio::time::timeout(deadline, &mut task).await {
        Ok(Ok(())) => String::new(),
        Ok(Err(e)) => {
            eprintln!("prescan-server: a prescan task failed: {e}");
            "The prescan stopped on an internal error of the server; its unfinished requests are recorded as cancelled.".to_owned()
        }
        Err(_) => {
            running.cancel();
            // The loop records the cancellation at once; a task that does
            // not end is stopped.
            if tokio::time::timeout(Duration::from_secs(5), &mut task)
                .await
                .is_err()
            {
                task.abort();
            }
            format!(
                "The prescan was stopped at the server's deadline of {} s (--prescan-deadline).",
                deadline.as_secs_f64()
            )
        }
    };
    let mut run = running.run();
    let p = run.progress();
    if p.done < p.total {
        run.cancel(now_ms());
    }
    note
}

/// Records a finished prescan with the core (activity log entry and
/// notification) and saves it, in one transaction.
pub(super) async fn finish_prescan(
    s: &Arc<AppState>,
    scan: ScanId,
    running: &prescan::Running,
    user: String,
    extra: &str,
) {
    let (report, _) = running.snapshot();
    let report = wire::redact_report(&report, &running.auth);
    let saved = SavedPrescan {
        scan_id: scan,
        analysis_id: running.analysis_id,
        started_ms: running.started_ms,
        finished_ms: Some(now_ms()),
        report,
    };
    let st = s.clone();
    let mut note = running.refusal_note();
    if !extra.is_empty() {
        if !note.is_empty() {
            note.push(' ');
        }
        note.push_str(extra);
    }
    let r = tokio::task::spawn_blocking(move || record(&st, saved, &note, &user)).await;
    if let Ok(Err(e)) = r {
        eprintln!("prescan-server: the prescan of scan {scan} could not be saved: {e}");
    }
    s.prescans.remove(scan);
}

pub(super) fn record(
    s: &AppState,
    saved: SavedPrescan,
    extra_summary: &str,
    user: &str,
) -> Result<(), db::DbError> {
    let succeeded = saved.report.status() == prescan_core::prescan::PrescanStatus::Succeeded;
    let mut text = saved.report.summary_sentence();
    if !extra_summary.is_empty() {
        text.push(' ');
        text.push_str(extra_summary);
    }
    let at = saved.finished_ms.unwrap_or_else(now_ms);
    let id = saved.analysis_id;
    let r = s.db.mutate::<(), StoreError>(|state, _| {
        // An analysis deleted meanwhile: nothing to record.
        let (analyses, notifications) = match state.record_prescan(id, succeeded, &text, user, at) {
            Ok(notification) => (vec![id], vec![notification]),
            Err(StoreError::AnalysisNotFound(_)) => (Vec::new(), Vec::new()),
            Err(e) => return Err(e),
        };
        let scan = saved.scan_id;
        Ok((
            (),
            Changes {
                analyses,
                extra: vec![Extra::Prescan(saved), Extra::Unlease(scan)],
                notifications,
            },
        ))
    });
    match r {
        Ok(()) | Err(MutateError::Op(_)) => Ok(()),
        Err(MutateError::Db(e)) => Err(e),
    }
}

/// Closes a prescan that stopped without finishing: its unfinished
/// requests are recorded as cancelled, with `note` in the activity log.
fn close_unfinished(s: &AppState, mut p: SavedPrescan, note: &str) -> Result<(), db::DbError> {
    let now = now_ms();
    for (position, slot) in p.report.results.iter_mut().enumerate() {
        if slot.is_none() {
            *slot = Some(RequestResult {
                position,
                started_ms: p.started_ms,
                outcome: Outcome::Cancelled,
            });
        }
    }
    p.finished_ms = Some(now);
    // Who started it is not stored; the server closes it.
    record(s, p, note, "prescan-server")
}

/// At start: prescans saved as running without a lease (a server of
/// schema 5 or older stopped during them) are closed as cancelled and
/// recorded (see [`crate::db::Db::interrupted_prescans`]). Those with a
/// lease are another replica's, or closed by [`close_orphaned_prescans`]
/// when their lease ends.
pub async fn close_interrupted_prescans(s: &Arc<AppState>) -> Result<(), db::DbError> {
    let st = s.clone();
    tokio::task::spawn_blocking(move || {
        for p in st.db.interrupted_prescans()? {
            close_unfinished(&st, p, prescan::SERVER_STOPPED_NOTE)?;
        }
        Ok(())
    })
    .await
    .map_err(|e| db::DbError(e.to_string()))?
}

/// Closes the prescans whose replica stopped renewing their lease (a
/// crash, `kill -9`, a lost network): this replica takes each lease over
/// (one replica only gets it) and records the prescan as it stood at the
/// last renewal, its unfinished requests cancelled, with a note saying
/// why. Returns how many it closed.
pub async fn close_orphaned_prescans(s: &Arc<AppState>) -> Result<usize, db::DbError> {
    let st = s.clone();
    tokio::task::spawn_blocking(move || {
        let now = now_ms();
        let mut closed = 0;
        for scan in st.db.claim_expired_leases(&st.replica, now, now + lease_ms(&st))? {
            match st.db.prescan(scan)? {
                Some(p) if p.finished_ms.is_none() => {
                    close_unfinished(
                        &st,
                        p,
                        "The server that ran this prescan stopped before it finished (it no longer renewed its lease); its unfinished requests are recorded as cancelled. Run it again.",
                    )?;
                    closed += 1;
                }
                // Finished (its server stopped right after) or removed:
                // only the lease is left.
                _ => {
                    st.db.mutate::<(), db::DbError>(|_, _| {
                        Ok((
                            (),
                            Changes {
                                extra: vec![Extra::Unlease(scan)],
                                ..Changes::default()
                            },
                        ))
                    })
                    .map_err(|e| match e {
                        MutateError::Op(e) | MutateError::Db(e) => e,
                    })?;
                }
            }
        }
        Ok(closed)
    })
    .await
    .map_err(|e| db::DbError(e.to_string()))?
}

pub(super) async fn prescan_get(
    State(s): State<Arc<AppState>>,
    Extension(user): Extension<Caller>,
    PathId(scan): PathId<ScanId>,
) -> ApiResult {
    find_scan(&s, &user, scan)?;
    allow(&user, Action::ViewPrescan)?;
    let p = current_prescan(&s, &user, scan).await?;
    Ok(json_response(StatusCode::OK, &p))
}

pub(super) async fn prescan_cancel(
    State(s): State<Arc<AppState>>,
    Extension(user): Extension<Caller>,
    PathId(scan): PathId<ScanId>,
) -> ApiResult {
    find_scan(&s, &user, scan)?;
    allow(&user, Action::RunPrescan)?;
    let Some(running) = s.prescans.get(scan) else {
        // Another replica may drive it: ask it through the database, and
        // wait (a little more than a renewal) for it to record the end.
        let db = s.db.clone();
        let asked = blocking(move || Ok(db.request_cancel(scan)?)).await?;
        if !asked {
            return Err(ApiError::from(Problem::conflict(format!(
                "No prescan of scan {scan} is running: there is nothing to cancel."
            ))));
        }
        let waited = Duration::from_millis((lease_ms(&s) / 3) as u64) + Duration::from_secs(2);
        let until = std::time::Instant::now() + waited;
        while std::time::Instant::now() < until {
            let db = s.db.clone();
            let done = blocking(move || Ok(db.prescan(scan)?))
                .await?
                .is_none_or(|p| p.finished_ms.is_some());
            if done {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let p = current_prescan(&s, &user, scan).await?;
        return Ok(json_response(StatusCode::ACCEPTED, &p));
    };
    running.cancel();
    // The driver records the cancellation at once; wait for it briefly so
    // that the answer shows the finished prescan.
    for _ in 0..40 {
        if s.prescans.get(scan).is_none() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let p = current_prescan(&s, &user, scan).await?;
    Ok(json_response(StatusCode::ACCEPTED, &p))
}

pub(super) async fn prescan_har(
    State(s): State<Arc<AppState>>,
    Extension(user): Extension<Caller>,
    PathId(scan): PathId<ScanId>,
) -> ApiResult {
    find_scan(&s, &user, scan)?;
    allow(&user, Action::ViewPrescan)?;
    let p = current_prescan(&s, &user, scan).await?;
    let har = p.report.map(|r| r.to_har());
    Ok(json_response(StatusCode::OK, &har))
}
