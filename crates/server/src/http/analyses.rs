//! `/analyses`: list, create, read, edit, delete, act on, and read the
//! activity of Dynamic Analyses.

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

pub(super) async fn list(State(s): State<Arc<AppState>>, RawQuery(raw): RawQuery) -> ApiResult {
    let q = list_query(raw)?;
    let db = s.db.clone();
    let page =
        blocking(move || Ok(db.read(|state| wire::AnalysisList::from(&state.list(&q)))?)).await?;
    Ok(json_response(StatusCode::OK, &page))
}

pub(super) fn spec_lookup(
    state: &prescan_core::analysis::StoreState,
) -> impl Fn(SpecId) -> Option<prescan_core::analysis::SpecRecord> + '_ {
    move |id| state.specification(id).ok().map(|s| s.record.clone())
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
    let created = mutation(&s, move |state, _| {
        let new = new.into_core(spec_lookup(state)).map_err(field_errors)?;
        let a = state.create(new, &user.0, now_ms())?;
        Ok((wire::Analysis::from(a), Changes::analysis(a.id)))
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
    PathId(id): PathId<AnalysisId>,
) -> ApiResult {
    let db = s.db.clone();
    let a = blocking(move || {
        db.read(|state| {
            state
                .analysis(id)
                .map(wire::Analysis::from)
                .ok_or(StoreError::AnalysisNotFound(id).into())
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
    let a = mutation(&s, move |state, _| {
        let current = state.analysis(id).ok_or(StoreError::AnalysisNotFound(id))?;
        let change = change
            .into_core(current, spec_lookup(state))
            .map_err(field_errors)?;
        let a = state.update(id, change, &user.0, now_ms())?;
        Ok((wire::Analysis::from(a), Changes::analysis(id)))
    })
    .await?;
    Ok(json_response(StatusCode::OK, &a))
}

pub(super) async fn delete(
    State(s): State<Arc<AppState>>,
    PathId(id): PathId<AnalysisId>,
) -> ApiResult {
    let scans = mutation(&s, move |state, _| {
        let scans: Vec<ScanId> = state
            .analysis(id)
            .map(|a| a.scans.iter().map(|s| s.id).collect())
            .unwrap_or_default();
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
        let (a, events) = state.act(id, req.action, &user.0, now_ms())?;
        Ok((
            wire::Analysis::from(a),
            Changes::analysis(id).with_events(events),
        ))
    })
    .await?;
    Ok(json_response(StatusCode::OK, &a))
}

pub(super) async fn audits(
    State(s): State<Arc<AppState>>,
    PathId(id): PathId<AnalysisId>,
) -> ApiResult {
    let db = s.db.clone();
    let list =
        blocking(move || db.read(|state| Ok(wire::AuditList::of(state.activity(id)?)))?).await?;
    Ok(json_response(StatusCode::OK, &list))
}
