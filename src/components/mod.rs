//! Reusable view pieces.

pub mod account;
pub mod analyses_table;
pub mod code_text;
pub mod diagnostics;
pub mod drop_zone;
pub mod endpoints_table;
pub mod excerpt;
pub mod form_errors;
pub mod har_browser;
pub mod icon;
pub mod method_badge;
pub mod notifications;
pub mod outcome;
pub mod path;
pub mod poll_banner;
pub mod scan_config;
pub mod schedule_input;
pub mod scope_values;
pub mod status_badge;
pub mod storage_banner;
pub mod table_scroll;
pub mod visibility;
