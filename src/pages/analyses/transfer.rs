//! The sentences of Export and Import when the analyses are on a server
//! (`GET /export`, `POST /import`): an import ADDS to the server, never
//! replaces, and both are for security leads only.

use prescan_core::api::ImportResult;
use prescan_core::people::{Principal, Role};

use super::plural;
use crate::store::people::role_list;

/// Why the caller may not export or import on the server (`None`: they
/// may: they are a security lead).
pub fn transfer_refused(principal: &Principal) -> Option<String> {
    (!principal.has(Role::SecurityLead)).then(|| {
        format!(
            "Export and import concern every analysis on the server, so only security leads may use them. Your roles: {}.",
            role_list(&principal.roles)
        )
    })
}

/// What the page says once the server's export is downloaded.
pub fn export_done(file_name: &str, analyses: usize, base: &str) -> String {
    format!(
        "Downloaded {file_name} with {} from the server at {base}. Credentials (passwords, tokens, API keys, header and cookie values, certificates) were left out.",
        plural(analyses)
    )
}

/// The question asked before an import into the server.
pub fn import_confirm(file_name: &str, incoming: usize, base: &str) -> String {
    format!(
        "Importing {file_name} adds its {} to the server at {base}, under new ids. Nothing on the server is replaced or deleted; if a name is already taken there, nothing is imported. Add them?",
        plural(incoming)
    )
}

/// What the page says after an import into the server.
pub fn import_done(file_name: &str, result: &ImportResult, base: &str) -> String {
    let mut text = format!(
        "Imported {} from {file_name} into the server at {base}; nothing there was replaced.",
        plural(result.analysis_ids.len())
    );
    if result.demo_left_out > 0 {
        text.push_str(&format!(
            " {} demo {} left out: demo data stays in browsers.",
            result.demo_left_out,
            if result.demo_left_out == 1 {
                "analysis was"
            } else {
                "analyses were"
            }
        ));
    }
    text
}

/// What the page says when the server (or the file) refused an import:
/// `why` is the server's sentence (or the core's).
pub fn import_failed(file_name: &str, why: &str, base: &str) -> String {
    let why = why.trim();
    let mut text = format!("{file_name} could not be imported into the server at {base}. {why}");
    if !why.contains("othing was imported") {
        text.push_str(" Nothing on the server was changed.");
    }
    text
}
