//! One module per page of the app.

pub mod not_found;
pub mod spec_preview;
