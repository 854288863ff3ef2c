//! The JSON API backend: [`HttpStore`] talks to a server implementing the
//! contract (`api/openapi.yaml`) with `fetch` (gloo-net), using the core's
//! wire types and conversions (`prescan_core::api`).
//!
//! Every request has a timeout ([`TIMEOUT_MS`]) and an optional bearer
//! token. Failures become an [`HttpError`] that says what went wrong in
//! words a person can act on ([`classify`] and [`parse_body`] are pure and
//! tested natively), then the core's `StoreError` for the pages: a 422's
//! field errors become `StoreError::Invalid` (shown next to each field), a
//! 409 refusal `StoreError::Refused`, a 404 of an analysis
//! `StoreError::AnalysisNotFound`, everything else `StoreError::Backend`
//! with the message.

use std::cell::Cell;
use std::fmt;
use std::rc::Rc;

use gloo_net::http::{Method, RequestBuilder};
use prescan_core::analysis::{
    self as core, ActivityEntry, AnalysisId, ListQuery, Page, RunAction, ScanId, SpecId, Store,
    StoreError,
};
use prescan_core::api::{self, Problem};
use prescan_core::SourceFile;
use serde::de::DeserializeOwned;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// How long one request may take, body included, in milliseconds.
pub const TIMEOUT_MS: u32 = 15_000;

/// How long an export or an import of the whole store may take (it carries
/// every specification's files), in milliseconds.
pub const TRANSFER_TIMEOUT_MS: u32 = 120_000;

/// Why a request to the server failed.
#[derive(Debug, Clone, PartialEq)]
pub enum HttpError {
    /// No answer: the server is down, the URL is wrong, or the browser
    /// blocked the answer (CORS).
    Network {
        /// The server's base URL.
        base: String,
        /// What the browser said.
        message: String,
    },
    /// No answer within the request's timeout ([`TIMEOUT_MS`], or
    /// [`TRANSFER_TIMEOUT_MS`] for an export or an import).
    Timeout {
        /// The URL asked.
        url: String,
        /// The timeout, in seconds.
        secs: u32,
    },
    /// 401: the token is missing or wrong.
    Unauthorized {
        /// Whether a token was sent.
        had_token: bool,
        /// The server's detail, if any.
        detail: String,
    },
    /// An error status with problem details.
    Problem(Box<Problem>),
    /// An error status without problem details.
    Status {
        /// The status code.
        status: u16,
        /// Its text.
        status_text: String,
        /// The URL asked.
        url: String,
    },
    /// A success status whose body is not the JSON the contract describes.
    Malformed {
        /// The URL asked.
        url: String,
        /// What does not fit, with its line and column.
        message: String,
    },
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HttpError::Network { base, message } => write!(
                f,
                "Can't reach the server at {base}: {message}. Check that the server is running and its URL in Settings; the server must also allow this app's origin (CORS)."
            ),
            HttpError::Timeout { url, secs } => write!(
                f,
                "The server did not answer within {secs} seconds ({url}). It may be overloaded or unreachable; try again."
            ),
            HttpError::Unauthorized { had_token: true, detail } => {
                write!(f, "The server refused the token (401 Unauthorized). Check the bearer token in Settings.")?;
                if !detail.is_empty() {
                    write!(f, " The server said: {detail}")?;
                }
                Ok(())
            }
            HttpError::Unauthorized { had_token: false, detail } => {
                write!(f, "The server needs a bearer token (401 Unauthorized). Enter it in Settings.")?;
                if !detail.is_empty() {
                    write!(f, " The server said: {detail}")?;
                }
                Ok(())
            }
            HttpError::Problem(p) if p.status >= 500 => write!(
                f,
                "The server failed ({}): {p} Try again later.",
                status_name(p.status, &p.title)
            ),
            HttpError::Problem(p) => write!(f, "{p}"),
            HttpError::Status { status, status_text, url } if *status >= 500 => write!(
                f,
                "The server failed ({}) at {url}. Try again later.",
                status_name(*status, status_text)
            ),
            HttpError::Status { status, status_text, url } => write!(
                f,
                "The server answered {} at {url}, without problem details. Check the server's URL in Settings: it may not be a prescan API server.",
                status_name(*status, status_text)
            ),
            HttpError::Malformed { url, message } => write!(
                f,
                "The server answered with something that is not the JSON the contract describes: {message} ({url})."
            ),
        }
    }
}

fn status_name(status: u16, text: &str) -> String {
    if text.trim().is_empty() {
        status.to_string()
    } else {
        format!("{status} {}", text.trim())
    }
}

impl std::error::Error for HttpError {}

impl From<HttpError> for StoreError {
    fn from(e: HttpError) -> Self {
        match e {
            HttpError::Problem(p) if p.status < 500 && p.status != 401 => p.to_store_error(),
            other => StoreError::Backend(other.to_string()),
        }
    }
}

/// The error of an answer with an error status (`status` ≥ 400): problem
/// details when the body has them, else the status alone.
pub fn classify(
    url: &str,
    status: u16,
    status_text: &str,
    body: &str,
    had_token: bool,
) -> HttpError {
    let problem = serde_json::from_str::<Problem>(body)
        .ok()
        .filter(|p| p.status == 0 || p.status == status)
        .map(|mut p| {
            p.status = status;
            p
        });
    match (status, problem) {
        (401, p) => HttpError::Unauthorized {
            had_token,
            detail: p.map(|p| p.detail).unwrap_or_default(),
        },
        (_, Some(p)) if !p.detail.is_empty() || !p.title.is_empty() || !p.errors.is_empty() => {
            HttpError::Problem(Box::new(p))
        }
        _ => HttpError::Status {
            status,
            status_text: status_text.to_owned(),
            url: url.to_owned(),
        },
    }
}

/// The JSON body of a success answer as `T`, or what does not fit, with
/// its line and column.
pub fn parse_body<T: DeserializeOwned>(url: &str, body: &str) -> Result<T, HttpError> {
    serde_json::from_str(body).map_err(|e| {
        let text = e.to_string();
        let message = match text.rfind(" at line ") {
            Some(i) => &text[..i],
            None => &text,
        };
        let message = if body.trim().is_empty() {
            "the body is empty".to_owned()
        } else {
            format!("{message} at line {} column {}", e.line(), e.column())
        };
        HttpError::Malformed {
            url: url.to_owned(),
            message,
        }
    })
}

/// The content type a specification file is uploaded with.
pub fn spec_content_type(file_name: &str) -> &'static str {
    let lower = file_name.to_ascii_lowercase();
    if lower.ends_with(".json") || lower.ends_with(".har") {
        "application/json"
    } else if lower.ends_with(".yaml") || lower.ends_with(".yml") {
        "application/yaml"
    } else {
        "application/octet-stream"
    }
}

/// A body to send.
enum Body {
    None,
    Json(String),
    Bytes(Vec<u8>, &'static str),
    /// `multipart/form-data` (the browser writes the boundary).
    Form(web_sys::FormData),
}

/// The files of `upload` as a form: one `file` part each, the root first.
fn form_data(upload: &core::SpecUpload) -> Result<web_sys::FormData, String> {
    let refused = |_: JsValue| "the browser could not put the files in a form".to_owned();
    let form = web_sys::FormData::new().map_err(refused)?;
    for (name, bytes) in upload.files() {
        let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
        let options = web_sys::BlobPropertyBag::new();
        options.set_type(spec_content_type(name));
        let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options)
            .map_err(refused)?;
        form.append_with_blob_and_filename("file", &blob, name)
            .map_err(refused)?;
    }
    Ok(form)
}

/// An answer with a success status.
struct Answer {
    url: String,
    bytes: Vec<u8>,
}

impl Answer {
    fn json<T: DeserializeOwned>(&self) -> Result<T, HttpError> {
        parse_body(&self.url, &String::from_utf8_lossy(&self.bytes))
    }
}

/// A JSON API server.
#[derive(Debug, Clone)]
pub struct HttpStore {
    base: String,
    token: Option<String>,
    on_forbidden: OnForbidden,
}

/// What to do when the server answers 403 (the caller's roles changed
/// since the app asked who they are: ask again).
#[derive(Clone, Default)]
struct OnForbidden(Option<Rc<dyn Fn()>>);

impl fmt::Debug for OnForbidden {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_some() {
            "OnForbidden(Some)"
        } else {
            "OnForbidden(None)"
        })
    }
}

fn js_message(e: &gloo_net::Error) -> String {
    match e {
        gloo_net::Error::JsError(js) => js.message.clone(),
        other => other.to_string(),
    }
}

impl HttpStore {
    /// A client of the server at `base` (`http://127.0.0.1:8088`, no
    /// trailing `/`), sending `token` as a bearer token when given.
    pub fn new(base: String, token: Option<String>) -> Self {
        HttpStore {
            base,
            token: token.filter(|t| !t.trim().is_empty()),
            on_forbidden: OnForbidden::default(),
        }
    }

    /// Calls `f` whenever the server answers 403 Forbidden.
    pub fn on_forbidden(mut self, f: impl Fn() + 'static) -> Self {
        self.on_forbidden = OnForbidden(Some(Rc::new(f)));
        self
    }

    /// The server's base URL.
    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// The URL of a path of the contract (`/api/v1/...`, from the core's
    /// path builders).
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    async fn send(&self, method: Method, path: &str, body: Body) -> Result<Answer, HttpError> {
        self.send_within(method, path, body, TIMEOUT_MS).await
    }

    /// [`HttpStore::send`] with its own timeout.
    async fn send_within(
        &self,
        method: Method,
        path: &str,
        body: Body,
        timeout_ms: u32,
    ) -> Result<Answer, HttpError> {
        let url = self.url(path);
        let controller = web_sys::AbortController::new().ok();
        let timed_out = Rc::new(Cell::new(false));
        let timer = controller.as_ref().and_then(|c| {
            let (flag, abort) = (timed_out.clone(), c.clone());
            let on_timeout = Closure::once_into_js(move || {
                flag.set(true);
                abort.abort();
            });
            web_sys::window()?
                .set_timeout_with_callback_and_timeout_and_arguments_0(
                    on_timeout.unchecked_ref(),
                    timeout_ms as i32,
                )
                .ok()
        });
        let signal = controller.as_ref().map(|c| c.signal());
        let result = self
            .exchange(method, &url, body, signal.as_ref(), &timed_out)
            .await
            .map_err(|e| match e {
                HttpError::Timeout { url, .. } => HttpError::Timeout {
                    url,
                    secs: timeout_ms / 1000,
                },
                other => other,
            });
        if let (Some(window), Some(t)) = (web_sys::window(), timer) {
            window.clear_timeout_with_handle(t);
        }
        result
    }

    async fn exchange(
        &self,
        method: Method,
        url: &str,
        body: Body,
        signal: Option<&web_sys::AbortSignal>,
        timed_out: &Cell<bool>,
    ) -> Result<Answer, HttpError> {
        let failed = |e: gloo_net::Error| {
            if timed_out.get() {
                HttpError::Timeout {
                    url: url.to_owned(),
                    secs: TIMEOUT_MS / 1000,
                }
            } else {
                HttpError::Network {
                    base: self.base.clone(),
                    message: js_message(&e),
                }
            }
        };
        // The query goes through the builder (gloo-net adds a stray `&` to
        // a URL that already has one).
        let (path, query) = url.split_once('?').unwrap_or((url, ""));
        let pairs: Vec<(String, String)> = query
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                let decode = |t: &str| api::percent_decode(t).unwrap_or_else(|| t.to_owned());
                (decode(k), decode(v))
            })
            .collect();
        let mut builder = RequestBuilder::new(path)
            .query(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .method(method)
            .header("Accept", "application/json")
            .abort_signal(signal);
        if let Some(token) = &self.token {
            builder = builder.header("Authorization", &format!("Bearer {token}"));
        }
        let request = match body {
            Body::None => builder.build(),
            Body::Json(text) => builder
                .header("Content-Type", "application/json")
                .body(text),
            Body::Bytes(bytes, content_type) => builder
                .header("Content-Type", content_type)
                .body(js_sys::Uint8Array::from(&bytes[..])),
            Body::Form(form) => builder.body(form),
        }
        .map_err(|e| HttpError::Network {
            base: self.base.clone(),
            message: format!("the request could not be made ({})", js_message(&e)),
        })?;
        let response = request.send().await.map_err(failed)?;
        let bytes = response.binary().await.map_err(failed)?;
        let status = response.status();
        if status == 403 {
            if let Some(f) = &self.on_forbidden.0 {
                f();
            }
        }
        if status >= 400 {
            return Err(classify(
                url,
                status,
                &response.status_text(),
                &String::from_utf8_lossy(&bytes),
                self.token.is_some(),
            ));
        }
        Ok(Answer {
            url: url.to_owned(),
            bytes,
        })
    }

    async fn get_json<T: DeserializeOwned>(&self, path: &str) -> Result<T, HttpError> {
        self.send(Method::GET, path, Body::None).await?.json()
    }

    async fn send_json<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: &impl serde::Serialize,
    ) -> Result<T, HttpError> {
        let text = serde_json::to_string(body).unwrap_or_default();
        self.send(method, path, Body::Json(text)).await?.json()
    }

    /// `GET /health` (no token needed).
    pub async fn health(&self) -> Result<api::Health, HttpError> {
        self.get_json(&api::health_path()).await
    }

    /// `GET /me`: who the server takes the caller for.
    pub async fn me(&self) -> Result<api::Me, HttpError> {
        self.get_json(&api::me_path()).await
    }

    /// One analysis, and what the caller's roles do not let them see of it
    /// (left out of it by the server).
    pub async fn get_shown(
        &self,
        id: AnalysisId,
    ) -> Result<(core::Analysis, Vec<api::Withheld>), StoreError> {
        let mut a: api::Analysis = self.get_json(&api::analysis_path(id)).await?;
        let withheld = std::mem::take(&mut a.withheld);
        Ok((a.into(), withheld))
    }

    /// Uploads a specification shared with `teams` (none: security leads
    /// only).
    pub async fn put_specification_shared(
        &self,
        upload: core::SpecUpload,
        teams: &[String],
    ) -> Result<core::SpecRecord, StoreError> {
        if !upload.others.is_empty() {
            return self.put_specification_files(upload, teams).await;
        }
        // A file chosen in a folder is named with its path (`api/openapi.yaml`);
        // the contract takes a plain file name.
        let file_name = upload
            .file_name
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or_default();
        let mut path = api::specification_upload_path(file_name);
        for team in teams {
            path.push_str("&team=");
            path.push_str(&api::percent_encode(team));
        }
        let content_type = spec_content_type(&upload.file_name);
        let record: api::SpecRecord = self
            .send(Method::POST, &path, Body::Bytes(upload.bytes, content_type))
            .await?
            .json()?;
        Ok(record.into())
    }

    /// Uploads a specification split over several files, shared with
    /// `teams`: every file as a `file` part of a `multipart/form-data`
    /// body, named with its path (the label its references resolve
    /// against), the root first.
    async fn put_specification_files(
        &self,
        upload: core::SpecUpload,
        teams: &[String],
    ) -> Result<core::SpecRecord, StoreError> {
        let mut path = api::specifications_path();
        for (i, team) in teams.iter().enumerate() {
            path.push(if i == 0 { '?' } else { '&' });
            path.push_str("team=");
            path.push_str(&api::percent_encode(team));
        }
        let form = form_data(&upload).map_err(|message| {
            StoreError::from(HttpError::Network {
                base: self.base.clone(),
                message,
            })
        })?;
        let record: api::SpecRecord = self
            .send(Method::POST, &path, Body::Form(form))
            .await?
            .json()?;
        Ok(record.into())
    }

    /// One file of a specification, by its name as its record lists it.
    pub async fn specification_file(&self, id: SpecId, name: &str) -> Result<Vec<u8>, StoreError> {
        Ok(self
            .send(
                Method::GET,
                &api::specification_file_path(id, name),
                Body::None,
            )
            .await?
            .bytes)
    }

    /// Every file of a specification, the root first: its record lists
    /// them; one file is the original, several are fetched one by one.
    pub async fn specification_files(&self, id: SpecId) -> Result<Vec<SourceFile>, StoreError> {
        let record: api::SpecRecord = self.get_json(&api::specification_path(id)).await?;
        if record.files.len() <= 1 {
            let bytes = self.specification_bytes(id).await?;
            return Ok(vec![SourceFile {
                name: record.file_name,
                bytes,
            }]);
        }
        let mut files = Vec::with_capacity(record.files.len());
        for file in record.files {
            let bytes = self.specification_file(id, &file.name).await?;
            files.push(SourceFile {
                name: file.name,
                bytes,
            });
        }
        Ok(files)
    }

    /// `GET /analyses?size=1`: checks that the token is accepted; the
    /// number of analyses.
    pub async fn check_access(&self) -> Result<usize, HttpError> {
        let list: api::AnalysisList = self
            .get_json(&format!("{}?size=1", api::analyses_path()))
            .await?;
        Ok(list.page.total_elements)
    }

    /// `GET /notifications?after=<after>`: the notifications stored after
    /// `after`; with `None` (the first time) only the latest id matters, so
    /// one notification at most is asked for.
    pub async fn notifications(
        &self,
        after: Option<u64>,
    ) -> Result<api::NotificationList, HttpError> {
        let path = match after {
            Some(after) => api::notifications_path(after),
            None => format!("{}&limit=1", api::notifications_path(0)),
        };
        self.get_json(&path).await
    }

    /// The specification converted to HAR by the server, for `server`.
    pub async fn specification_har(
        &self,
        id: SpecId,
        server: Option<&str>,
    ) -> Result<Vec<u8>, StoreError> {
        let path = api::specification_har_path(id, server);
        Ok(self.send(Method::GET, &path, Body::None).await?.bytes)
    }

    /// Starts a prescan of a scan on the server.
    pub async fn start_prescan(
        &self,
        scan: ScanId,
        request: &api::PrescanRequest,
    ) -> Result<api::Prescan, StoreError> {
        Ok(self
            .send_json(Method::POST, &api::scan_prescan_path(scan), request)
            .await?)
    }

    /// The last prescan of a scan (`None` if none ever ran).
    pub async fn prescan(&self, scan: ScanId) -> Result<Option<api::Prescan>, StoreError> {
        match self.get_json(&api::scan_prescan_path(scan)).await {
            Ok(p) => Ok(Some(p)),
            Err(HttpError::Problem(p)) if p.status == 404 => Ok(None),
            Err(HttpError::Status { status: 404, .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Cancels the running prescan of a scan.
    pub async fn cancel_prescan(&self, scan: ScanId) -> Result<(), StoreError> {
        self.send(
            Method::POST,
            &api::scan_prescan_cancel_path(scan),
            Body::None,
        )
        .await?;
        Ok(())
    }

    /// `GET /export`: every analysis and specification of the server as
    /// one export document, credentials emptied (security leads only).
    pub async fn export_all(&self) -> Result<Vec<u8>, HttpError> {
        Ok(self
            .send_within(
                Method::GET,
                &api::export_path(),
                Body::None,
                TRANSFER_TIMEOUT_MS,
            )
            .await?
            .bytes)
    }

    /// `POST /import`: adds the analyses and specifications of an export
    /// (`text`, read from `file_name`) to the server; nothing there is
    /// replaced (security leads only). A name the contract does not take
    /// (a path, control characters) is left out of the request.
    pub async fn import_export(
        &self,
        file_name: &str,
        text: String,
    ) -> Result<api::ImportResult, HttpError> {
        let name = file_name.rsplit(['/', '\\']).next().unwrap_or_default();
        let usable = (1..=255).contains(&name.chars().count())
            && name.trim() == name
            && !name.chars().any(char::is_control)
            && name != "."
            && name != "..";
        let path = api::import_path(usable.then_some(name));
        self.send_within(Method::POST, &path, Body::Json(text), TRANSFER_TIMEOUT_MS)
            .await?
            .json()
    }

    /// The last prescan of a scan as HAR, with the responses.
    pub async fn prescan_har(&self, scan: ScanId) -> Result<Vec<u8>, StoreError> {
        Ok(self
            .send(Method::GET, &api::scan_prescan_har_path(scan), Body::None)
            .await?
            .bytes)
    }
}

/// The JSON API client is a [`Store`] like the in-browser store: the pages
/// reach both through the same interface.
impl Store for HttpStore {
    /// One page of analyses.
    async fn list(&self, q: &ListQuery) -> Result<Page<core::AnalysisSummary>, StoreError> {
        let list: api::AnalysisList = self.get_json(&api::analyses_list_path(q)).await?;
        Ok(list.into())
    }

    /// One analysis.
    async fn get(&self, id: AnalysisId) -> Result<core::Analysis, StoreError> {
        let a: api::Analysis = self.get_json(&api::analysis_path(id)).await?;
        Ok(a.into())
    }

    /// Creates an analysis.
    async fn create(&self, new: core::NewAnalysis) -> Result<core::Analysis, StoreError> {
        let body = api::NewAnalysis::from(&new);
        let a: api::Analysis = self
            .send_json(Method::POST, &api::analyses_path(), &body)
            .await?;
        Ok(a.into())
    }

    /// Changes an analysis.
    async fn update(
        &self,
        id: AnalysisId,
        change: core::AnalysisUpdate,
    ) -> Result<core::Analysis, StoreError> {
        let body = api::AnalysisUpdate::from(&change);
        let a: api::Analysis = self
            .send_json(Method::PATCH, &api::analysis_path(id), &body)
            .await?;
        Ok(a.into())
    }

    /// Deletes an analysis.
    async fn delete(&self, id: AnalysisId) -> Result<(), StoreError> {
        self.send(Method::DELETE, &api::analysis_path(id), Body::None)
            .await?;
        Ok(())
    }

    /// Stops, pauses or resumes a run.
    async fn act(&self, id: AnalysisId, action: RunAction) -> Result<core::Analysis, StoreError> {
        let body = api::ActionRequest { action };
        let a: api::Analysis = self
            .send_json(Method::POST, &api::analysis_actions_path(id), &body)
            .await?;
        Ok(a.into())
    }

    /// The activity log of an analysis, oldest first.
    async fn activity(&self, id: AnalysisId) -> Result<Vec<ActivityEntry>, StoreError> {
        let list: api::AuditList = self.get_json(&api::analysis_audits_path(id)).await?;
        Ok(list.audits.into_iter().map(ActivityEntry::from).collect())
    }

    /// Uploads a specification's original bytes (security leads only).
    async fn put_specification(
        &self,
        upload: core::SpecUpload,
    ) -> Result<core::SpecRecord, StoreError> {
        self.put_specification_shared(upload, &[]).await
    }

    /// Every stored specification, newest first.
    async fn specifications(&self) -> Result<Vec<core::SpecRecord>, StoreError> {
        let list: api::SpecificationList = self.get_json(&api::specifications_path()).await?;
        Ok(list.specifications.into_iter().map(Into::into).collect())
    }

    /// The original bytes of a specification (of its root file).
    async fn specification_bytes(&self, id: SpecId) -> Result<Vec<u8>, StoreError> {
        Ok(self
            .send(
                Method::GET,
                &api::specification_original_path(id),
                Body::None,
            )
            .await?
            .bytes)
    }

    async fn specification_files(&self, id: SpecId) -> Result<Vec<SourceFile>, StoreError> {
        HttpStore::specification_files(self, id).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use prescan_core::analysis::{AnalysisStatus, Field, FieldError};

    const URL: &str = "http://127.0.0.1:8088/api/v1/analyses";

    #[test]
    fn a_422_maps_to_field_errors() {
        let body = r#"{"type":"urn:prescan:problem:validation","title":"Invalid request","status":422,
            "detail":"Enter a name. Tick the box.","errors":[{"field":"name","message":"Enter a name."},
            {"field":"certification","message":"Tick the box."}]}"#;
        let e = classify(URL, 422, "Unprocessable Entity", body, false);
        assert_eq!(
            StoreError::from(e),
            StoreError::Invalid(vec![
                FieldError {
                    field: Field::Name,
                    message: "Enter a name.".into()
                },
                FieldError {
                    field: Field::Certification,
                    message: "Tick the box.".into()
                },
            ])
        );
    }

    #[test]
    fn a_409_refusal_keeps_the_reason() {
        let body = r#"{"type":"urn:prescan:problem:refused","title":"Action not available","status":409,
            "detail":"Pause is available only In Progress.","action":"PAUSE","analysis_status":"SCHEDULED"}"#;
        let e = StoreError::from(classify(URL, 409, "Conflict", body, false));
        match e {
            StoreError::Refused(r) => {
                assert_eq!(r.reason, "Pause is available only In Progress.");
                assert_eq!(r.status, AnalysisStatus::Scheduled);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            classify(URL, 409, "Conflict", body, false).to_string(),
            "Pause is available only In Progress."
        );
    }

    #[test]
    fn a_404_of_an_analysis_is_not_found() {
        let body = r#"{"type":"urn:prescan:problem:analysis-not-found","title":"Analysis not found","status":404,
            "detail":"No analysis has the id 7.","analysis_id":7}"#;
        assert_eq!(
            StoreError::from(classify(URL, 404, "Not Found", body, false)),
            StoreError::AnalysisNotFound(AnalysisId(7))
        );
    }

    #[test]
    fn a_401_says_the_token_was_refused_or_is_needed() {
        let body = r#"{"type":"urn:prescan:problem:unauthorized","title":"Unauthorized","status":401,"detail":"Send the token."}"#;
        let refused = classify(URL, 401, "Unauthorized", body, true).to_string();
        assert!(
            refused.starts_with("The server refused the token (401 Unauthorized)"),
            "{refused}"
        );
        assert!(refused.contains("Send the token."), "{refused}");
        let needed = classify(URL, 401, "Unauthorized", "", false).to_string();
        assert!(needed.contains("needs a bearer token"), "{needed}");
        assert!(matches!(
            StoreError::from(classify(URL, 401, "", body, true)),
            StoreError::Backend(_)
        ));
    }

    #[test]
    fn a_5xx_says_the_server_failed() {
        let body = r#"{"type":"urn:prescan:problem:internal","title":"Internal server error","status":500,"detail":"The database is locked."}"#;
        let text = classify(URL, 500, "Internal Server Error", body, false).to_string();
        assert_eq!(
            text,
            "The server failed (500 Internal server error): The database is locked. Try again later."
        );
        let text = classify(URL, 502, "Bad Gateway", "<html>proxy</html>", false).to_string();
        assert_eq!(
            text,
            format!("The server failed (502 Bad Gateway) at {URL}. Try again later.")
        );
        assert_eq!(
            StoreError::from(classify(URL, 503, "", "", false)),
            StoreError::Backend(format!(
                "The server failed (503) at {URL}. Try again later."
            ))
        );
    }

    #[test]
    fn a_4xx_without_problem_details_names_the_status() {
        let text = classify(URL, 404, "Not Found", "<h1>Not found</h1>", false).to_string();
        assert!(
            text.starts_with("The server answered 404 Not Found at"),
            "{text}"
        );
        assert!(text.contains("may not be a prescan API server"), "{text}");
        let body = r#"{"type":"urn:prescan:problem:bad-request","title":"Bad request","status":400,"detail":"size must be 1 to 100."}"#;
        assert_eq!(
            StoreError::from(classify(URL, 400, "Bad Request", body, false)),
            StoreError::Backend("size must be 1 to 100.".into())
        );
    }

    #[test]
    fn malformed_json_says_where() {
        let e = parse_body::<api::Health>(URL, "{\n  \"status\": \"ok\",\n  oops\n}").unwrap_err();
        let text = e.to_string();
        assert!(
            text.starts_with(
                "The server answered with something that is not the JSON the contract describes: "
            ),
            "{text}"
        );
        assert!(text.contains("at line 3 column 3"), "{text}");
        let e = parse_body::<api::Health>(URL, r#"{"status":"ok"}"#).unwrap_err();
        assert!(e.to_string().contains("missing field `version`"), "{e}");
        assert!(e.to_string().contains("at line 1 column"), "{e}");
        let e = parse_body::<api::Health>(URL, "").unwrap_err();
        assert!(e.to_string().contains("the body is empty"), "{e}");
    }

    #[test]
    fn network_errors_and_timeouts_say_what_to_check() {
        let e = HttpError::Network {
            base: "http://127.0.0.1:9".into(),
            message: "Failed to fetch".into(),
        };
        assert!(e
            .to_string()
            .starts_with("Can't reach the server at http://127.0.0.1:9: Failed to fetch."));
        let e = HttpError::Timeout {
            url: URL.into(),
            secs: TIMEOUT_MS / 1000,
        };
        assert!(e
            .to_string()
            .starts_with("The server did not answer within 15 seconds"));
    }

    #[test]
    fn uploads_name_their_content_type() {
        assert_eq!(spec_content_type("a.YAML"), "application/yaml");
        assert_eq!(spec_content_type("a.json"), "application/json");
        assert_eq!(spec_content_type("a"), "application/octet-stream");
    }
}
