//! What every file of the HTTP layer imports: the names of axum, the
//! core and the server's state, and the API's base path. It imports
//! nothing from the HTTP layer itself (it is the bottom of `http/`).

pub(super) use std::collections::BTreeMap;
pub(super) use std::sync::Arc;
pub(super) use std::time::Duration;

pub(super) use axum::body::{Body, Bytes};
pub(super) use axum::extract::{Extension, RawPathParams, RawQuery, Request, State};
pub(super) use axum::http::header::{self, HeaderMap, HeaderName, HeaderValue};
pub(super) use axum::http::{Method, StatusCode, Uri};
pub(super) use axum::response::{IntoResponse, Response};
pub(super) use axum::routing::{get, post};
pub(super) use axum::Router;
pub(super) use prescan_core::analysis::{
    AnalysisId, ListQuery, ScanId, ScanTarget, SpecId, SpecUpload, StoreError, StoreState,
    STORE_VERSION,
};
pub(super) use prescan_core::api::{self as wire, Problem, ProblemField, PROBLEM_CONTENT_TYPE};
pub(super) use prescan_core::prescan::{Outcome, PrescanPlan, RequestResult};
pub(super) use prescan_core::ConvertOptions;
pub(super) use serde::de::DeserializeOwned;
pub(super) use serde::Serialize;

pub(super) use crate::clock::now_ms;
pub(super) use crate::db::{self, Changes, Extra, Lookup, MutateError, SavedPrescan};
pub(super) use crate::prescan;
pub(super) use crate::state::AppState;

/// The base path of the API.
pub(super) const API: &str = "/api/v1";
