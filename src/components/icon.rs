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
    Running,
    Hourglass,
    Calendar,
    Pause,
    Stop,
    Draft,
    Bell,
    Person,
    /// A circle struck through: excluded from a scan.
    Excluded,
    /// A circle with a bar: sent, not tested (ignored).
    Ignored,
}

impl IconKind {
    /// How the path is filled: the ring icons need `evenodd` for their hole.
    fn fill_rule(self) -> &'static str {
        match self {
            IconKind::Excluded | IconKind::Ignored => "evenodd",
            _ => "nonzero",
        }
    }

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
            IconKind::Running => "M8 1a7 7 0 1 0 7 7h-1.8A5.2 5.2 0 1 1 8 2.8V1Zm-1.5 4v6L11.5 8 6.5 5Z",
            IconKind::Hourglass => "M3.5 1h9v1.5h-1v2.2L9.2 8l2.3 3.3v2.2h1V15h-9v-1.5h1v-2.2L6.8 8 4.5 4.7V2.5h-1V1Zm2.8 1.5v1.7L8 6.6l1.7-2.4V2.5H6.3Z",
            IconKind::Calendar => "M4 1h1.5v1.5h5V1H12v1.5h2V15H2V2.5h2V1ZM3.5 6v7.5h9V6h-9Zm1.5 1.5h2.5V10H5V7.5Z",
            IconKind::Pause => "M8 1a7 7 0 1 0 0 14A7 7 0 0 0 8 1ZM5.5 4.5h1.8v7H5.5v-7Zm3.2 0h1.8v7H8.7v-7Z",
            IconKind::Stop => "M8 1a7 7 0 1 0 0 14A7 7 0 0 0 8 1ZM5 5h6v6H5V5Z",
            IconKind::Draft => "M11.3 1.3 14.7 4.7 5.4 14H2v-3.4l9.3-9.3Zm0 2.5L3.8 11.3v.9h.9l7.5-7.5-.9-.9Z",
            IconKind::Person => "M8 1.5a3 3 0 1 1 0 6 3 3 0 0 1 0-6ZM2.5 14.5c0-3 2.4-5.2 5.5-5.2s5.5 2.2 5.5 5.2h-11Z",
            IconKind::Excluded => "M8 1a7 7 0 1 0 0 14A7 7 0 0 0 8 1ZM8 2.8a5.2 5.2 0 1 0 0 10.4A5.2 5.2 0 0 0 8 2.8ZM4.2 5.5l1.3-1.3 6.3 6.3-1.3 1.3Z",
            IconKind::Ignored => "M8 1a7 7 0 1 0 0 14A7 7 0 0 0 8 1ZM8 2.8a5.2 5.2 0 1 0 0 10.4A5.2 5.2 0 0 0 8 2.8ZM4.5 7.1h7v1.8h-7Z",
            IconKind::Bell => "M8 1a1 1 0 0 1 1 1v.6a4.5 4.5 0 0 1 3.5 4.4v3.5l1.5 1.5v1H2v-1L3.5 10.5V7A4.5 4.5 0 0 1 7 2.6V2a1 1 0 0 1 1-1Zm-2 13h4a2 2 0 0 1-4 0Z",
        }
    }
}

/// An icon, sized to the surrounding text.
#[component]
pub fn Icon(kind: IconKind) -> impl IntoView {
    view! {
        <svg class="icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" focusable="false">
            <path fill="currentColor" fill-rule=kind.fill_rule() d=kind.path() />
        </svg>
    }
}
