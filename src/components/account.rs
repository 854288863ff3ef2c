//! Who the app acts as, in the header (issue 16): with a server, the
//! user's name, linking to Settings, where their roles and teams are;
//! "Not signed in" when the server refuses the token. Nothing with the
//! in-browser store (its one user has every role).

use leptos::prelude::*;

use super::icon::{Icon, IconKind};
use crate::store::frame_store;
use crate::store::people::Whoami;

/// The header's account link (server mode only).
#[component]
pub fn Account() -> impl IntoView {
    let app = frame_store();
    move || {
        match app.whoami.get() {
        Whoami::Known(me) => {
            let name = me.user_display_name;
            let title = format!("Signed in as {name}. Your roles and teams are in Settings.");
            view! {
                <a class="account" href="#/settings" data-testid="account" data-state="known" title=title>
                    <Icon kind=IconKind::Person />
                    <span class="visually-hidden">"Signed in as "</span>
                    <span class="account__name" data-testid="account-name">{name}</span>
                </a>
            }
            .into_any()
        }
        Whoami::Failed {
            message,
            unauthorized,
        } => view! {
            <a class="account account--problem" href="#/settings" data-testid="account"
                data-state=if unauthorized { "unauthorized" } else { "failed" } title=message>
                <Icon kind=IconKind::Warning />
                <span class="account__name">{if unauthorized { "Not signed in" } else { "User unknown" }}</span>
            </a>
        }
        .into_any(),
        _ => ().into_any(),
    }
    }
}
