//! A status as a badge: its label exactly as Veracode writes it, an icon,
//! and a tone; the text carries the meaning, never the colour alone. The
//! status's description is the badge's tooltip and its accessible description.

use leptos::prelude::*;
use prescan_core::analysis::{Badge, StatusIcon};

use crate::components::icon::{Icon, IconKind};

/// The icon that stands for a status icon of the core.
pub fn icon_for(icon: StatusIcon) -> IconKind {
    match icon {
        StatusIcon::Check => IconKind::Check,
        StatusIcon::Running => IconKind::Running,
        StatusIcon::Hourglass => IconKind::Hourglass,
        StatusIcon::Warning => IconKind::Warning,
        StatusIcon::Error => IconKind::Error,
        StatusIcon::Calendar => IconKind::Calendar,
        StatusIcon::Pause => IconKind::Pause,
        StatusIcon::Stop => IconKind::Stop,
        StatusIcon::Draft => IconKind::Draft,
    }
}

/// What a badge's title adds when the simulated scan engine set the status.
pub const SIMULATED_TITLE: &str =
    "Simulated: the simulated scan engine set this status; nothing was scanned.";

/// A status badge, e.g. ✓ `Completed - Results Available`. `simulated`:
/// the simulated scan engine set the status (its title says so).
#[component]
pub fn StatusBadge(badge: Badge, #[prop(optional)] simulated: bool) -> impl IntoView {
    let class = format!("status status--{}", badge.tone.css_name());
    let title = if simulated {
        format!("{} {SIMULATED_TITLE}", badge.description)
    } else {
        badge.description.to_owned()
    };
    view! {
        <span class=class title=title data-testid="status-badge" data-tone=badge.tone.css_name()
            data-simulated=simulated.then_some("true")>
            <Icon kind=icon_for(badge.icon) />
            <span class="status__label">{badge.label}</span>
        </span>
    }
}
