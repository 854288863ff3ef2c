//! `/analyses`: list, create, read, edit, delete, act on, and read the
//! activity of Dynamic Analyses.

use prescan_core::people::Action;

use super::authz::*;
use super::extract::*;
use super::gate::Caller;
use super::prelude::*;
use super::problem::*;
use super::work::*;

/// The routes of `/analyses`.
pub(super) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/", get(list).post(create))
        .route(
            "/{analysis_id}",
            get(get_analysis).patch(update).delete(delete),
        )
        .route("/{analysis_id}/actions", post(act))
        .route("/{analysis_id}/audits", get(audits))
}

pub(super) fn list_query(raw: Option<String>) -> Result<ListQuery, ApiError> {
    prescan_core::api::parse_list_query(raw.as_deref().unwrap_or(""))
        .map_err(|e| bad_param(&e.parameter, e.message))
}

pub(super) async fn list(
    State(s): State<Arc<AppState>>,
    Extension(user): Extension<Caller>,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let q = list_query(raw)?;
    allow(&user, Action::ViewStatus)?;
    let db = s.db.clone();
    let page = blocking(move || {
        Ok(db.read(|state| {
            wire::AnalysisList::from(&state.list_where(&q, |a| sees_analysis(&user, a)))
        })?)
    })
    .await?;
    Ok(json_response(StatusCode::OK, &page))
}

/// The specifications a request may name: those the caller may see (any
/// other id is unknown, as if it did not exist).
pub(super) fn spec_lookup<'a>(
    state: &'a prescan_core::analysis::StoreState,
    caller: &'a Caller,
) -> impl Fn(SpecId) -> Option<prescan_core::analysis::SpecRecord> + 'a {
    move |id| visible_spec(state, caller, id).ok()
}

/// Opens every client certificate of `drafts` with its passphrase, as a
/// prescan will (natively, off the async threads): a file that is not
/// PKCS#12, a passphrase that does not open it, no private key or an
/// expired certificate is a 422 problem naming the field
/// (`scans[i].auth.client_certificate`). The passphrase is never quoted.
pub(super) async fn check_client_certificates(drafts: &[wire::ScanDraft]) -> Result<(), ApiError> {
    let certs: Vec<(usize, prescan_core::ClientCertificate)> = drafts
        .iter()
        .enumerate()
        .filter_map(|(i, d)| {
            let c = d.auth.as_ref()?.client_certificate.as_ref()?;
            Some((
                i,
                prescan_core::ClientCertificate {
                    file_name: c.file_name.clone(),
                    pkcs12_base64: c.pkcs12_base64.clone(),
                    passphrase: c.passphrase.clone(),
                },
            ))
        })
        .collect();
    if certs.is_empty() {
        return Ok(());
    }
    let errors = blocking(move || {
        let now_s = now_ms() / 1000;
        Ok(certs
            .iter()
            .filter_map(|(i, c)| {
                prescan_runner::read_client_certificate(c, now_s)
                    .err()
                    .map(|e| ProblemField::new(format!("scans[{i}].auth.client_certificate"), e))
            })
            .collect::<Vec<_>>())
    })
    .await?;
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::from(Problem::invalid(errors)))
    }
}

pub(super) fn field_errors(errors: Vec<prescan_core::analysis::FieldError>) -> ApiError {
    ApiError::from(Problem::invalid(
        errors.iter().map(ProblemField::from).collect(),
    ))
}

pub(super) async fn create(
    State(s): State<Arc<AppState>>,
    Extension(user): Extension<Caller>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult {
    let new: wire::NewAnalysis = json_body(&s, &headers, body, None).await?;
    allow(&user, Action::Create)?;
    if let Some(v) = &new.visibility {
        check_visibility(&s, &user, "visibility", v, &[]).await?;
    }
    check_client_certificates(&new.scans).await?;
    let created = mutation(&s, move |state, _| {
        let new = new
            .into_core(spec_lookup(state, &user))
            .map_err(field_errors)?;
        let a = state.create(new, user.name(), now_ms())?;
        Ok((analysis_body(a, &user), Changes::analysis(a.id)))
    })
    .await?;
    let mut r = json_response(StatusCode::CREATED, &created);
    if let Ok(v) = HeaderValue::from_str(&format!("{API}/analyses/{}", created.analysis_id)) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    Ok(r)
}

pub(super) async fn get_analysis(
    State(s): State<Arc<AppState>>,
    Extension(user): Extension<Caller>,
    PathId(id): PathId<AnalysisId>,
) -> ApiResult {
    let db = s.db.clone();
    let a = blocking(move || {
        db.read(|state| {
            let a = visible_analysis(state, &user, id)?;
            allow(&user, Action::ViewStatus)?;
            Ok(analysis_body(a, &user))
        })?
    })
    .await?;
    Ok(json_response(StatusCode::OK, &a))
}

pub(super) async fn update(
    State(s): State<Arc<AppState>>,
    Extension(user): Extension<Caller>,
    PathId(id): PathId<AnalysisId>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult {
    let change: wire::AnalysisUpdate = json_body(&s, &headers, body, None).await?;
    // Seen before allowed: an analysis the caller may not see is not found,
    // whatever their roles.
    let db = s.db.clone();
    let u = user.clone();
    let shared_with = blocking(move || {
        db.read(|state| {
            visible_analysis(state, &u, id).map(|a| a.visibility.team_identifiers().to_vec())
        })?
    })
    .await?;
    allow(&user, Action::Configure)?;
    if change.schedule.is_some() {
        allow(&user, Action::Submit)?;
    }
    if let Some(v) = &change.visibility {
        check_visibility(&s, &user, "visibility", v, &shared_with).await?;
    }
    if let Some(scans) = &change.scans {
        check_client_certificates(scans).await?;
    }
    let a = mutation(&s, move |state, _| {
        let current = visible_analysis(state, &user, id)?;
        let change = change
            .into_core(current, spec_lookup(state, &user))
            .map_err(field_errors)?;
        let a = state.update(id, change, user.name(), now_ms())?;
        Ok((analysis_body(a, &user), Changes::analysis(id)))
    })
    .await?;
    Ok(json_response(StatusCode::OK, &a))
}

pub(super) async fn delete(
    State(s): State<Arc<AppState>>,
    Extension(user): Extension<Caller>,
    PathId(id): PathId<AnalysisId>,
) -> ApiResult {
    let scans = mutation(&s, move |state, _| {
        let scans: Vec<ScanId> = visible_analysis(state, &user, id)?
            .scans
            .iter()
            .map(|s| s.id)
            .collect();
        allow(&user, Action::Delete)?;
        state.delete(id)?;
        Ok((scans, Changes::analysis(id)))
    })
    .await?;
    for scan in scans {
        if let Some(r) = s.prescans.get(scan) {
            r.cancel();
        }
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub(super) async fn act(
    State(s): State<Arc<AppState>>,
    Extension(user): Extension<Caller>,
    PathId(id): PathId<AnalysisId>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult {
    let req: wire::ActionRequest = json_body(&s, &headers, body, None).await?;
    let a = mutation(&s, move |state, _| {
        visible_analysis(state, &user, id)?;
        allow(&user, run_action(req.action))?;
        let (a, events) = state.act(id, req.action, user.name(), now_ms())?;
        Ok((
            analysis_body(a, &user),
            Changes::analysis(id).with_events(events),
        ))
    })
    .await?;
    Ok(json_response(StatusCode::OK, &a))
}

pub(super) async fn audits(
    State(s): State<Arc<AppState>>,
    Extension(user): Extension<Caller>,
    PathId(id): PathId<AnalysisId>,
) -> ApiResult {
    let db = s.db.clone();
    let list = blocking(move || {
        db.read(|state| {
            visible_analysis(state, &user, id)?;
            allow(&user, Action::ViewStatus)?;
            Ok(wire::AuditList::of(state.activity(id)?))
        })?
    })
    .await?;
    Ok(json_response(StatusCode::OK, &list))
}
