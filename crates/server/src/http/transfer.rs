//! `GET /export` and `POST /import`: the whole store as the browser's
//! "Export all (JSON)" writes it, and such a file added to the server.
//!
//! The rules of a shared server:
//!
//! - both are for security leads only (a 403 problem otherwise): an export
//!   holds every analysis and specification, whoever may see them;
//! - an export is [`StoreState::export_json`] without credentials: every
//!   credential value emptied (the names of headers and cookies kept),
//!   saved prescans left out (their requests carry what was sent);
//! - an import ADDS the file's analyses and specifications under new ids
//!   ([`StoreState::add_import`]): nothing on the server is replaced or
//!   deleted; each analysis keeps its activity log and gains an entry
//!   saying who imported it and from which file; demo analyses are left
//!   out. All or nothing, in one transaction: a name the server already
//!   has, a team the server does not know, a budget exceeded or a file the
//!   core refuses (not JSON, another version, records that contradict each
//!   other) is a 422 problem and nothing is written;
//! - budgets: the body at most `--max-import-bytes`, at most
//!   `--max-import-items` analyses and as many specifications, each
//!   specification within `--max-spec-bytes`;
//! - both are logged to stderr (who, how many, from which file).

use prescan_core::analysis::AddImportError;
use prescan_core::people::Role;
use prescan_core::spec::{file_label, MAX_SPEC_FILES};

use super::extract::*;
use super::gate::Caller;
use super::prelude::*;
use super::problem::*;
use super::specifications::attachment;
use super::work::*;

/// The routes `/export` and `/import`.
pub(super) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/export", get(export))
        .route("/import", post(import))
}

/// A 403 unless the caller is a security lead.
fn security_lead(caller: &Caller, what: &str) -> Result<(), ApiError> {
    if caller.principal.has(Role::SecurityLead) {
        return Ok(());
    }
    Err(ApiError::from(Problem::new(
        403,
        "forbidden",
        "Not allowed",
        format!(
            "{what} is for security leads only: it concerns every analysis and specification of the server, whoever may see them."
        ),
    )))
}

/// `prescan-analyses-YYYY-MM-DD.json` for a day (UTC).
pub(super) fn export_file_name(now_ms: i64) -> String {
    let day: String = prescan_core::time::format_rfc3339(now_ms)
        .chars()
        .take(10)
        .collect();
    format!("prescan-analyses-{day}.json")
}

/// `GET /export`.
async fn export(State(s): State<Arc<AppState>>, Extension(user): Extension<Caller>) -> ApiResult {
    security_lead(&user, "Exporting all analyses")?;
    let db = s.db.clone();
    let (text, analyses, specs) = blocking(move || {
        let mut state = db.read(|st| st.clone())?;
        for spec in &mut state.specifications {
            let mut files = db
                .specification_files(spec.record.id.0)?
                .unwrap_or_default()
                .into_iter();
            spec.bytes = files.next().map(|f| f.bytes).unwrap_or_default();
            spec.others = files
                .map(|f| prescan_core::analysis::StoredFile {
                    name: f.name,
                    bytes: f.bytes,
                })
                .collect();
        }
        Ok((
            state.export_json(false),
            state.analyses.len(),
            state.specifications.len(),
        ))
    })
    .await?;
    eprintln!(
        "prescan-server: {} exported {analyses} analyses and {specs} specifications (credentials emptied)",
        user.name()
    );
    let mut r = (StatusCode::OK, text).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r.headers_mut().insert(
        header::CONTENT_DISPOSITION,
        attachment(&export_file_name(now_ms())),
    );
    Ok(r)
}

/// The optional `?file_name=` of an import (what the log entries name).
fn import_file_name(raw: Option<String>) -> Result<Option<String>, ApiError> {
    let params = query_params(raw)?;
    if !params.contains_key("file_name") {
        return Ok(None);
    }
    super::specifications::file_name_param(&params).map(Some)
}

fn invalid(field: &str, message: String) -> ApiError {
    ApiError::from(Problem::invalid(vec![ProblemField::new(field, message)]))
}

/// `POST /import`.
async fn import(
    State(s): State<Arc<AppState>>,
    Extension(user): Extension<Caller>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> ApiResult {
    security_lead(&user, "Importing analyses")?;
    let file_name = import_file_name(raw)?;
    let ct = content_type(&headers);
    if !is_json_type(&ct) {
        return Err(Problem::unsupported_media_type(&ct, "application/json").into());
    }
    let bytes = read_body(&headers, body, s.config.max_import_bytes).await?;
    let max_items = s.config.max_import_items;
    let max_spec = s.config.max_spec_bytes;
    // Reading a large document is work: off the async threads.
    let (import, demo_left_out) = blocking(move || {
        let text = std::str::from_utf8(&bytes).map_err(|_| {
            invalid(
                "body",
                "The file is not text in UTF-8. Nothing was imported.".into(),
            )
        })?;
        let state = StoreState::from_json(text).map_err(|e| invalid("body", e.to_string()))?;
        Ok(StoreState::without_demo(state))
    })
    .await?;
    let mut budget = Vec::new();
    if import.analyses.len() > max_items {
        budget.push(ProblemField::new(
            "analyses",
            format!(
                "The file has {} analyses; an import may add at most {max_items} (--max-import-items). Nothing was imported; split the file.",
                import.analyses.len()
            ),
        ));
    }
    if import.specifications.len() > max_items {
        budget.push(ProblemField::new(
            "specifications",
            format!(
                "The file has {} specifications; an import may add at most {max_items} (--max-import-items). Nothing was imported; split the file.",
                import.specifications.len()
            ),
        ));
    }
    for spec in &import.specifications {
        let size = spec.bytes.len() + spec.others.iter().map(|f| f.bytes.len()).sum::<usize>();
        if size > max_spec {
            budget.push(ProblemField::new(
                "specifications",
                format!(
                    "The specification {} ({}) has {size} bytes; the server keeps specifications of at most {max_spec} bytes (--max-spec-bytes). Nothing was imported.",
                    spec.record.id, spec.record.file_name
                ),
            ));
        }
        // File names are labels references resolve against, as an upload
        // keeps them: normalized, without control characters, unique.
        let names: Vec<&str> = std::iter::once(spec.record.file_name.as_str())
            .chain(spec.others.iter().map(|f| f.name.as_str()))
            .collect();
        if names.len() > MAX_SPEC_FILES {
            budget.push(ProblemField::new(
                "specifications",
                format!(
                    "The specification {} ({}) has {} files; a specification has at most {MAX_SPEC_FILES}. Nothing was imported.",
                    spec.record.id, spec.record.file_name, names.len()
                ),
            ));
        }
        for (i, name) in names.iter().enumerate() {
            let usable = file_label(name).is_ok_and(|label| label == *name)
                && !name.trim().is_empty()
                && !names[..i].contains(name);
            if !usable {
                budget.push(ProblemField::new(
                    "specifications",
                    format!(
                        "The specification {} has a file named {name:?}, which is not a usable file name (empty, too long, with control characters, climbing above its folder, not normalized or repeated). Nothing was imported.",
                        spec.record.id
                    ),
                ));
            }
        }
        if spec.bytes.is_empty() {
            budget.push(ProblemField::new(
                "specifications",
                format!(
                    "The specification {} ({}) is empty. Nothing was imported.",
                    spec.record.id, spec.record.file_name
                ),
            ));
        }
    }
    if !budget.is_empty() {
        return Err(ApiError::from(Problem::invalid(budget)));
    }
    // Visibility names teams: each must exist here.
    let mut teams: Vec<String> = import
        .analyses
        .iter()
        .map(|a| &a.visibility)
        .chain(import.specifications.iter().map(|x| &x.record.visibility))
        .flat_map(|v| v.team_identifiers().to_vec())
        .collect();
    teams.sort();
    teams.dedup();
    if !teams.is_empty() {
        let db = s.db.clone();
        let unknown = blocking(move || {
            db.people(|p| p.unknown_teams(&teams))
                .map_err(|e| ApiError::from(Problem::internal(e.to_string())))
        })
        .await?;
        if !unknown.is_empty() {
            return Err(invalid(
                "analyses",
                format!(
                    "The file shares analyses or specifications with teams this server does not have: {}. Nothing was imported; add the teams first (prescan-server teams add).",
                    unknown.join(", ")
                ),
            ));
        }
    }
    let db = s.db.clone();
    let by = user.name().to_owned();
    let from = file_name.clone();
    let added = blocking(move || {
        let r = db.mutate(|state, _| {
            let added = state
                .add_import(import, &by, from.as_deref(), now_ms())
                .map_err(|e| match e {
                    AddImportError::NamesTaken(ref names) => {
                        let mut p =
                            Problem::new(422, "names-taken", "Names already taken", e.to_string());
                        p.errors = names
                            .iter()
                            .map(|n| {
                                ProblemField::new(
                                    "analyses",
                                    format!(
                                        "An analysis called \"{n}\" already exists on the server."
                                    ),
                                )
                            })
                            .collect();
                        ApiError::from(p)
                    }
                })?;
            // The bytes go to storage only (see the db module docs).
            let mut extra = Vec::with_capacity(added.specifications.len());
            for id in &added.specifications {
                if let Some(stored) = state.specifications.iter_mut().find(|x| x.record.id == *id) {
                    extra.push(Extra::Specification {
                        record: stored.record.clone(),
                        bytes: std::mem::take(&mut stored.bytes),
                        others: std::mem::take(&mut stored.others)
                            .into_iter()
                            .map(|f| prescan_core::SourceFile {
                                name: f.name,
                                bytes: f.bytes,
                            })
                            .collect(),
                    });
                }
            }
            Ok::<_, ApiError>((
                added.clone(),
                Changes {
                    analyses: added.analyses.clone(),
                    extra,
                    notifications: Vec::new(),
                },
            ))
        });
        match r {
            Ok(a) => Ok(a),
            Err(MutateError::Op(e)) => Err(e),
            Err(MutateError::Db(e)) => Err(ApiError::from(e)),
        }
    })
    .await?;
    eprintln!(
        "prescan-server: {} imported {} analyses and {} specifications{}{}",
        user.name(),
        added.analyses.len(),
        added.specifications.len(),
        match &file_name {
            Some(n) => format!(" from {n:?}"),
            None => String::new(),
        },
        if demo_left_out > 0 {
            format!(" ({demo_left_out} demo analyses left out)")
        } else {
            String::new()
        }
    );
    Ok(json_response(
        StatusCode::OK,
        &wire::ImportResult {
            analysis_ids: added.analyses,
            spec_ids: added.specifications,
            demo_left_out: added.demo_left_out + demo_left_out,
        },
    ))
}
