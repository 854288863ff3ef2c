//! Small inline SVG icons. Always decorative: the text beside an icon
//! carries the meaning, so every icon is hidden from assistive technology.

use leptos::prelude::*;

/// The icons the app uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IconKind {
    Upload,
    Download,
    Lock,
    Info,
    Warning,
    Error,
    Check,
}

impl IconKind {
    /// The SVG path data, drawn on a 16×16 grid.
    fn path(self) -> &'static str {
        match self {
            IconKind::Upload => "M8 1.5 3.5 6h3v5h3V6h3L8 1.5ZM2 12.5v2h12v-2H2Z",
            IconKind::Download => "M6.5 1.5v6h-3L8 12l4.5-4.5h-3v-6h-3ZM2 13v2h12v-2H2Z",
            IconKind::Lock => "M4.5 7V5a3.5 3.5 0 0 1 7 0v2H13v7.5H3V7h1.5Zm1.75 0h3.5V5a1.75 1.75 0 0 0-3.5 0v2Z",
            IconKind::Info => "M8 1a7 7 0 1 0 0 14A7 7 0 0 0 8 1Zm-.9 3.2h1.8V6H7.1V4.2Zm0 2.9h1.8v4.7H7.1V7.1Z",
            IconKind::Warning => "M8 1 .5 14.5h15L8 1Zm-.9 4.5h1.8v4.6H7.1V5.5Zm0 5.6h1.8v1.7H7.1v-1.7Z",
            IconKind::Error => "M8 1a7 7 0 1 0 0 14A7 7 0 0 0 8 1Zm2.9 3.3 1.3 1.3L9.3 8.5l2.9 2.9-1.3 1.3L8 9.8l-2.9 2.9-1.3-1.3 2.9-2.9-2.9-2.9 1.3-1.3L8 7.2l2.9-2.9Z",
            IconKind::Check => "M8 1a7 7 0 1 0 0 14A7 7 0 0 0 8 1Zm3.4 4.2 1.2 1.2-5.6 5.6-3.1-3.1 1.2-1.2L7 9.6l4.4-4.4Z",
        }
    }
}

/// An icon, sized to the surrounding text.
#[component]
pub fn Icon(kind: IconKind) -> impl IntoView {
    view! {
        <svg class="icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" focusable="false">
            <path fill="currentColor" d=kind.path() />
        </svg>
    }
}
