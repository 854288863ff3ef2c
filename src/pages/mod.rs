//! One module per page of the app.

pub mod analyses;
pub mod analysis;
pub mod new_analysis;
pub mod not_found;
pub mod prescan;
pub mod settings;
pub mod spec_preview;
