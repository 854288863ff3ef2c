//! `/specifications`: upload (one file, or every file of a specification
//! split over several; converted on a bounded turn), list, read, and
//! download the original files and the HAR.

use prescan_core::people::{Action, Visibility};
use prescan_core::SourceFile;

use super::authz::*;
use super::extract::*;
use super::files::{is_multipart, read_multipart};
use super::gate::Caller;
use super::prelude::*;
use super::problem::*;
use super::rates::take_rate;
use super::work::*;

/// The routes of `/specifications`.
pub(super) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/", get(specifications).post(upload))
        .route("/{spec_id}", get(specification).patch(update_specification))
        .route("/{spec_id}/original", get(original))
        .route("/{spec_id}/file", get(original_file))
        .route("/{spec_id}/har", get(spec_har))
}

pub(super) const SPEC_TYPES: [&str; 6] = [
    "application/json",
    "application/yaml",
    "application/x-yaml",
    "text/yaml",
    "text/plain",
    "application/octet-stream",
];

/// A file name as given: 1 to 255 characters, no path separators, no
/// control characters.
pub(super) fn file_name_param(params: &BTreeMap<String, String>) -> Result<String, ApiError> {
    let Some(name) = params.get("file_name") else {
        return Err(bad_param(
            "file_name",
            "The query parameter file_name is required: the specification's file name, such as petstore.yaml.".into(),
        ));
    };
    let n = name.chars().count();
    let ok = (1..=255).contains(&n)
        && name.trim() == name
        && !name
            .chars()
            .any(|c| c.is_control() || c == '/' || c == '\\')
        && name != "."
        && name != "..";
    if !ok {
        return Err(bad_param(
            "file_name",
            "The parameter file_name must be a file name of 1 to 255 characters, without slashes, control characters or surrounding spaces.".into(),
        ));
    }
    Ok(name.clone())
}

/// `POST /specifications`: a specification's file as the raw body (its
/// name in `?file_name=`), or every file of a specification split over
/// several files as `multipart/form-data` (`file` parts, each with its file
/// name). Converted as the preview converts them ([`convert_files`]: the
/// root found, the references between the files resolved), then stored
/// whole, or an identical specification already stored is reused.
///
/// [`convert_files`]: prescan_core::convert_files
pub(super) async fn upload(
    State(s): State<Arc<AppState>>,
    Extension(user): Extension<Caller>,
    Extension(client): Extension<Client>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> ApiResult {
    let (params, teams) = query_params_with_teams(raw)?;
    let ct = content_type(&headers);
    let multipart = is_multipart(&ct);
    let file_name = if multipart {
        None
    } else {
        Some(file_name_param(&params)?)
    };
    allow(&user, Action::ManageSpecifications)?;
    let visibility = Visibility::teams(teams);
    check_visibility(&s, &user, "team", &visibility, &[]).await?;
    if !multipart && !SPEC_TYPES.contains(&media_type(&ct).as_str()) {
        return Err(Problem::unsupported_media_type(
            &ct,
            "the file's bytes as application/json, application/yaml, application/x-yaml, text/yaml, text/plain or application/octet-stream, or several files as multipart/form-data",
        )
        .into());
    }
    take_rate(&s, &s.limits.uploads, &client, "uploads", "--rate-uploads").await?;
    let files = match file_name {
        Some(name) => {
            let bytes = read_body(&headers, body, s.config.max_spec_bytes).await?;
            vec![SourceFile {
                name,
                bytes: bytes.to_vec(),
            }]
        }
        None => read_multipart(&headers, &ct, body, s.config.max_spec_bytes).await?,
    };
    let permit = conversion_turn(&s).await?;
    let name = files.first().map(|f| f.name.clone()).unwrap_or_default();
    let options = ConvertOptions {
        limits: s.config.convert_limits,
        ..ConvertOptions::default()
    };
    let upload = run_conversion(&s, permit, &name, move || {
        let conversion = prescan_core::convert_files(&files, &options).map_err(|e| {
            ApiError::from(Problem::invalid(vec![ProblemField::new(
                "body",
                e.to_string(),
            )]))
        })?;
        let upload = SpecUpload::from_files(&conversion.spec, files);
        drop(conversion);
        Ok(upload)
    })
    .await?;
    let st = s.clone();
    let record = blocking(move || {
        Ok(st.db.mutate(|state, lookup| {
            // The same file is reused only when it was stored with the same
            // visibility and the caller may see it: otherwise another's
            // upload would be given (or hidden from) them.
            if let Some(existing) = lookup
                .identical_specification(&upload)
                .map_err(ApiError::from)?
                .filter(|r| r.visibility == visibility && sees_spec(&user, r))
            {
                return Ok((wire::SpecRecord::from(&existing), Changes::default()));
            }
            let record = state.put_specification(upload, user.name(), now_ms());
            if let Some(stored) = state
                .specifications
                .iter_mut()
                .rev()
                .find(|s| s.record.id == record.id)
            {
                stored.record.visibility = visibility.clone();
            }
            let record = prescan_core::analysis::SpecRecord {
                visibility,
                ..record
            };
            // The bytes go to storage only (see the db module docs).
            let (bytes, others) = state
                .specifications
                .iter_mut()
                .rev()
                .find(|s| s.record.id == record.id)
                .map(|s| (std::mem::take(&mut s.bytes), std::mem::take(&mut s.others)))
                .unwrap_or_default();
            let others = others
                .into_iter()
                .map(|f| SourceFile {
                    name: f.name,
                    bytes: f.bytes,
                })
                .collect();
            Ok((
                wire::SpecRecord::from(&record),
                Changes {
                    extra: vec![Extra::Specification {
                        record: record.clone(),
                        bytes,
                        others,
                    }],
                    ..Changes::default()
                },
            ))
        })?)
    })
    .await?;
    let mut r = json_response(StatusCode::CREATED, &record);
    if let Ok(v) = HeaderValue::from_str(&format!("{API}/specifications/{}", record.spec_id)) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    Ok(r)
}

pub(super) async fn specifications(
    State(s): State<Arc<AppState>>,
    Extension(user): Extension<Caller>,
) -> ApiResult {
    let db = s.db.clone();
    let list = blocking(move || {
        Ok(db.read(|state| {
            let mut records: Vec<&prescan_core::analysis::SpecRecord> = state
                .specifications
                .iter()
                .map(|s| &s.record)
                .filter(|r| sees_spec(&user, r))
                .collect();
            records.sort_by(|a, b| b.uploaded_ms.cmp(&a.uploaded_ms).then(b.id.cmp(&a.id)));
            wire::SpecificationList {
                specifications: records.into_iter().map(wire::SpecRecord::from).collect(),
            }
        })?)
    })
    .await?;
    Ok(json_response(StatusCode::OK, &list))
}

/// The record of a specification the caller may see (a 404 otherwise).
pub(super) fn spec_record(
    s: &AppState,
    caller: &Caller,
    id: SpecId,
) -> Result<prescan_core::analysis::SpecRecord, ApiError> {
    s.db.read(|state| visible_spec(state, caller, id))?
}

pub(super) async fn specification(
    State(s): State<Arc<AppState>>,
    Extension(user): Extension<Caller>,
    PathId(id): PathId<SpecId>,
) -> ApiResult {
    let record = spec_record(&s, &user, id)?;
    Ok(json_response(
        StatusCode::OK,
        &wire::SpecRecord::from(&record),
    ))
}

/// `PATCH /specifications/{spec_id}`: a new visibility, until an analysis
/// uses the specification (then, as in Veracode, it stays).
pub(super) async fn update_specification(
    State(s): State<Arc<AppState>>,
    Extension(user): Extension<Caller>,
    PathId(id): PathId<SpecId>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult {
    let change: wire::SpecUpdate = json_body(&s, &headers, body, None).await?;
    let current = spec_record(&s, &user, id)?;
    allow(&user, Action::ManageSpecifications)?;
    check_visibility(
        &s,
        &user,
        "visibility",
        &change.visibility,
        current.visibility.team_identifiers(),
    )
    .await?;
    let record = mutation(&s, move |state, _| {
        visible_spec(state, &user, id)?;
        let used = state.analyses.iter().any(|a| {
            a.scans.iter().any(|x| {
                matches!(&x.target, ScanTarget::ApiSpecification(t) if t.spec_id == id)
            })
        });
        if used {
            return Err(ApiError::from(Problem::conflict(format!(
                "Specification {id} is used by an analysis: as in Veracode, its visibility no longer changes. Upload it again to share it differently."
            ))));
        }
        let stored = state
            .specifications
            .iter_mut()
            .find(|x| x.record.id == id)
            .ok_or(StoreError::SpecificationNotFound(id))?;
        stored.record.visibility = change.visibility;
        let record = stored.record.clone();
        Ok((
            wire::SpecRecord::from(&record),
            Changes {
                extra: vec![Extra::SpecificationRecord(record)],
                ..Changes::default()
            },
        ))
    })
    .await?;
    Ok(json_response(StatusCode::OK, &record))
}

/// The original bytes of a specification (of its root file, for one split
/// over several files).
pub(super) async fn spec_bytes(s: &Arc<AppState>, id: SpecId) -> Result<Vec<u8>, ApiError> {
    let db = s.db.clone();
    blocking(move || {
        db.specification_bytes(id.0)?
            .ok_or(ApiError::from(StoreError::SpecificationNotFound(id)))
    })
    .await
}

/// Every file of a specification, the root first: what every conversion
/// of a stored specification takes ([`prescan_core::convert_files`]), so
/// that its references resolve as in the first conversion.
pub(super) async fn spec_files(s: &Arc<AppState>, id: SpecId) -> Result<Vec<SourceFile>, ApiError> {
    let db = s.db.clone();
    blocking(move || {
        db.specification_files(id.0)?
            .ok_or(ApiError::from(StoreError::SpecificationNotFound(id)))
    })
    .await
}

/// `Content-Disposition: attachment` with an ASCII fallback and the UTF-8
/// name (RFC 6266).
pub(super) fn attachment(file_name: &str) -> HeaderValue {
    let ascii: String = file_name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = form_urlencoded::byte_serialize(file_name.as_bytes())
        .collect::<String>()
        .replace('+', "%20");
    HeaderValue::from_str(&format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

/// `GET /specifications/{spec_id}/original`: the file uploaded (the root
/// file, for a specification split over several files).
pub(super) async fn original(
    State(s): State<Arc<AppState>>,
    Extension(user): Extension<Caller>,
    PathId(id): PathId<SpecId>,
) -> ApiResult {
    let record = spec_record(&s, &user, id)?;
    let bytes = spec_bytes(&s, id).await?;
    Ok(file_response(&record.file_name, bytes))
}

/// `GET /specifications/{spec_id}/file?name=`: one file of a specification,
/// by its name as `files` lists it (404 for a name it does not list).
pub(super) async fn original_file(
    State(s): State<Arc<AppState>>,
    Extension(user): Extension<Caller>,
    PathId(id): PathId<SpecId>,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let params = query_params(raw)?;
    let Some(name) = params.get("name") else {
        return Err(bad_param(
            "name",
            "The query parameter name is required: the name of one of the specification's files, as its record lists them.".into(),
        ));
    };
    spec_record(&s, &user, id)?;
    let file = spec_files(&s, id)
        .await?
        .into_iter()
        .find(|f| &f.name == name)
        .ok_or_else(|| {
            ApiError::from(Problem::not_found(format!(
                "Specification {id} has no file of that name."
            )))
        })?;
    Ok(file_response(&file.name, file.bytes))
}

/// A file to download: its media type from its extension, saved under the
/// last segment of its name.
fn file_response(name: &str, bytes: Vec<u8>) -> Response {
    let lower = name.to_ascii_lowercase();
    let ct = if lower.ends_with(".json") || lower.ends_with(".har") {
        "application/json"
    } else if lower.ends_with(".yaml") || lower.ends_with(".yml") {
        "application/yaml"
    } else {
        "application/octet-stream"
    };
    let mut r = (StatusCode::OK, bytes).into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
    let base = name.rsplit('/').next().unwrap_or(name);
    r.headers_mut()
        .insert(header::CONTENT_DISPOSITION, attachment(base));
    r
}

pub(super) fn server_param(params: &BTreeMap<String, String>) -> Result<Option<String>, ApiError> {
    let Some(server) = params.get("server") else {
        return Ok(None);
    };
    // The contract's pattern: http:// and 2 or more characters, or
    // https:// and 1 or more; no white space or control characters.
    let rest_ok = match (
        server.strip_prefix("http://"),
        server.strip_prefix("https://"),
    ) {
        (Some(r), _) => r.chars().count() >= 2,
        (_, Some(r)) => !r.is_empty(),
        _ => false,
    };
    let ok = server.chars().count() <= 2048
        && rest_ok
        && !server.chars().any(|c| c.is_whitespace() || c.is_control());
    if !ok {
        return Err(bad_param(
            "server",
            "The parameter server must be a fully-qualified http:// or https:// URL of at most 2048 characters, such as https://api.example.com/v1.".into(),
        ));
    }
    Ok(Some(server.clone()))
}

/// `GET /specifications/{spec_id}/har[?server=...]`: the specification
/// converted to HAR 1.2 (with `server` as the base URL when given).
///
/// Conversions are bounded and cached ([`crate::har`]): at most one per
/// CPU runs at a time (the others wait for a turn; the specification's
/// bytes are read from SQLite only once the turn comes), and the last HARs
/// produced are kept in memory per (specification, `server`), least
/// recently used out first, within 64 MiB in all; after a conversion the
/// memory it freed is given back to the system. A stored specification
/// never changes and is never deleted, so a cached HAR is the one a
/// conversion would give; a request that finds it converts nothing. A
/// conversion that fails (422) is not cached.
pub(super) async fn spec_har(
    State(s): State<Arc<AppState>>,
    Extension(user): Extension<Caller>,
    PathId(id): PathId<SpecId>,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let server = server_param(&query_params(raw)?)?;
    let record = spec_record(&s, &user, id)?;
    let key = (id, server.clone());
    if let Some(har) = s.har.get(&key) {
        return Ok(har_response(har));
    }
    let permit = conversion_turn(&s).await?;
    // Converted while this request waited for its turn?
    if let Some(har) = s.har.get(&key) {
        return Ok(har_response(har));
    }
    let files = spec_files(&s, id).await?;
    let file_name = record.file_name.clone();
    let limits = s.config.convert_limits;
    let har = run_conversion(&s, permit, &file_name, move || {
        let options = ConvertOptions {
            base_url: server,
            limits,
            ..ConvertOptions::default()
        };
        let har = match prescan_core::convert_files(&files, &options) {
            Ok(c) => serde_json::to_vec(&c.har).map_err(|e| {
                ApiError::from(Problem::internal(format!(
                    "The HAR could not be written: {e}"
                )))
            }),
            Err(e) => Err(ApiError::from(Problem::invalid(vec![ProblemField::new(
                "spec_id",
                e.to_string(),
            )]))),
        };
        drop(files);
        har
    })
    .await?;
    let har = Bytes::from(har);
    s.har.put(key, har.clone());
    Ok(har_response(har))
}

pub(super) fn har_response(har: Bytes) -> Response {
    let mut r = (StatusCode::OK, har).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}
