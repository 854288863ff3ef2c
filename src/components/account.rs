//! Who the app acts as, in the header (issue 16): with a server, the
//! user's name, linking to Settings, where their roles and teams are;
//! "Not signed in" when the server refuses the token. Nothing with the
//! in-browser store (its one user has every role).

use leptos::prelude::*;

use super::icon::{Icon, IconKind};
use crate::store::frame_store;
use crate::store::people::Whoami;

/// The header's account link (server mode only). One view for every
/// state (the first module stays small).
#[component]
pub fn Account() -> impl IntoView {
    let app = frame_store();
    move || {
        let (state, icon, prefix, text, title) = app.whoami.with(|w| match w {
            Whoami::Known(me) => Some((
                "known",
                IconKind::Person,
                "Signed in as ",
                me.user_display_name.clone(),
                format!(
                    "Signed in as {}. Your roles and teams are in Settings.",
                    me.user_display_name
                ),
            )),
            Whoami::Failed {
                message,
                unauthorized,
            } => Some((
                if *unauthorized {
                    "unauthorized"
                } else {
                    "failed"
                },
                IconKind::Warning,
                "",
                if *unauthorized {
                    "Not signed in"
                } else {
                    "User unknown"
                }
                .to_owned(),
                message.clone(),
            )),
            _ => None,
        })?;
        let class = if state == "known" {
            "account"
        } else {
            "account account--problem"
        };
        Some(view! {
            <a class=class href="#/settings" data-testid="account" data-state=state title=title>
                <Icon kind=icon />
                <span class="visually-hidden">{prefix}</span>
                <span class="account__name" data-testid="account-name">{text}</span>
            </a>
        })
    }
}
