//! The text of a notification's e-mail: its subject and its plain-text
//! body, written when the notification is (and stored in the outbox), and
//! the [`Composer`] the store calls to write them.

use std::net::SocketAddr;
use std::sync::Arc;

use prescan_core::analysis::{Notification, Recipients};

use super::settings::MAX_BODY_BYTES;
use crate::db::{MailComposer, MailText};

/// The longest subject, in characters (before the relay's folding).
pub const MAX_SUBJECT_CHARS: usize = 200;

/// Text for a header: every control character (CR and LF included: no
/// header can be injected) and run of white space becomes one space, at
/// most `max` characters.
pub fn header_text(text: &str, max: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max * 4));
    let mut space = false;
    for c in text.chars() {
        if c.is_whitespace() || c.is_control() {
            space = !out.is_empty();
            continue;
        }
        if out.chars().count() + usize::from(space) >= max {
            break;
        }
        if space {
            out.push(' ');
            space = false;
        }
        out.push(c);
    }
    out
}

/// One line of the body: control characters (CR, LF, tabs, escapes)
/// become spaces, so a name cannot add lines of its own.
fn line_text(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_owned()
}

/// The width body paragraphs are wrapped at (plain-text mail convention).
const WRAP: usize = 72;

/// `text` as lines of at most [`WRAP`] characters, broken at spaces (a
/// longer word keeps a line of its own), each ending with a newline.
fn paragraph(text: &str) -> String {
    let mut out = String::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let n = line.chars().count();
        if n > 0 && n + 1 + word.chars().count() > WRAP {
            out.push_str(&line);
            out.push('\n');
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    out.push_str(&line);
    out.push('\n');
    out
}

/// The base of the app's links: the first `--public-url`, or else
/// `http://{listen address}`.
pub fn link_base(public_urls: &[String], addr: SocketAddr) -> String {
    match public_urls.first() {
        Some(u) => u.trim_end_matches('/').to_owned(),
        None => format!("http://{addr}"),
    }
}

/// The link to an analysis in the app.
pub fn analysis_link(base: &str, n: &Notification) -> String {
    format!("{base}/#/analyses/{}", n.analysis_id.0)
}

/// The subject: the event as Veracode words it, then the analysis's name
/// ("The prescan of a Dynamic Analysis succeeded: Payments API"), after
/// "Simulated: " when the simulated engine sent it.
pub fn subject(n: &Notification) -> String {
    let event = n.kind.subject().trim_end_matches('.');
    header_text(
        &format!(
            "{}{event}: {}",
            if n.simulated { "Simulated: " } else { "" },
            n.analysis_name
        ),
        MAX_SUBJECT_CHARS,
    )
}

/// When, in UTC, to the second ("2025-03-01 09:30:00 UTC").
pub fn utc(ms: i64) -> String {
    let t = prescan_core::time::format_rfc3339(ms);
    format!("{} {} UTC", &t[..10], &t[11..19])
}

/// The body, for `user_name`: the analysis, what happened (the
/// description and the detail), when, whether it was simulated, the link
/// to the analysis and why they receive it. Plain text, at most
/// [`MAX_BODY_BYTES`]. No credential is ever in it: a notification holds
/// none.
pub fn body(n: &Notification, user_name: &str, base: &str) -> String {
    let mut b = String::new();
    b.push_str(&format!("Hello {},\n\n", line_text(user_name)));
    b.push_str(&format!("{}\n\n", n.kind.subject()));
    b.push_str(&format!("Analysis: {}\n", line_text(&n.analysis_name)));
    b.push_str(&format!("When: {}\n\n", utc(n.at_ms)));
    let mut what = n.kind.description().to_owned();
    if !n.detail.trim().is_empty() {
        what.push(' ');
        what.push_str(&line_text(&n.detail));
    }
    b.push_str(&paragraph(&what));
    b.push('\n');
    if n.simulated {
        b.push_str(&paragraph("This was simulated: prescan's simulated scan engine sent this notification, and nothing was scanned."));
        b.push('\n');
    }
    b.push_str(&format!(
        "Open the analysis: {}\n\n",
        analysis_link(base, n)
    ));
    b.push_str(&paragraph(match n.recipients {
        Recipients::ScheduleOwner(_) => {
            "You receive this e-mail because you created this analysis or last changed its schedule."
        }
        Recipients::SecurityLeads => "You receive this e-mail because you are a Security Lead.",
    }));
    b.push_str("-- \nprescan\n");
    if b.len() > MAX_BODY_BYTES {
        let mut end = MAX_BODY_BYTES - 4;
        while !b.is_char_boundary(end) {
            end -= 1;
        }
        b.truncate(end);
        b.push_str("...\n");
    }
    b
}

/// What the store calls when it writes a notification (the server's
/// [`MailComposer`]): the subject and body above, linking to `base`; and,
/// after a commit that enqueued mail, a wake-up of the delivery task.
pub struct Composer {
    base: String,
    wake: Arc<tokio::sync::Notify>,
}

impl Composer {
    /// Links to `base`; wakes `wake`.
    pub fn new(base: String, wake: Arc<tokio::sync::Notify>) -> Composer {
        Composer { base, wake }
    }
}

impl MailComposer for Composer {
    fn compose(&self, n: &Notification, user_name: &str) -> MailText {
        MailText {
            subject: subject(n),
            body: body(n, user_name, &self.base),
        }
    }

    fn enqueued(&self) {
        // A permit is kept if the task is busy: it looks again at once.
        self.wake.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use prescan_core::analysis::{AnalysisId, NotificationKind};

    fn n(name: &str, simulated: bool) -> Notification {
        Notification {
            kind: NotificationKind::PrescanFailed,
            analysis_id: AnalysisId(42),
            analysis_name: name.into(),
            at_ms: 1_740_821_400_000,
            recipients: Recipients::ScheduleOwner("Ann".into()),
            detail: "2 of 3 scans failed verification.".into(),
            simulated,
        }
    }

    #[test]
    fn subjects_name_the_analysis_and_cannot_carry_headers() {
        assert_eq!(
            subject(&n("Payments API", false)),
            "The prescan of a Dynamic Analysis failed: Payments API"
        );
        assert_eq!(
            subject(&n("Payments API", true)),
            "Simulated: The prescan of a Dynamic Analysis failed: Payments API"
        );
        let s = subject(&n("Evil\r\nBcc: eve@evil.test\r\n\r\nbody", false));
        assert!(!s.contains('\r') && !s.contains('\n'), "{s:?}");
        assert!(s.ends_with("Evil Bcc: eve@evil.test body"), "{s:?}");
        assert!(subject(&n(&"x".repeat(5000), false)).chars().count() <= MAX_SUBJECT_CHARS);
        assert_eq!(header_text("  a \t\u{1b} b  ", 10), "a b");
    }

    #[test]
    fn bodies_say_what_when_where_and_whether_simulated() {
        let base = link_base(&[], "127.0.0.1:8088".parse().unwrap());
        let b = body(&n("Payments API", true), "Ann\nLee", &base);
        assert!(b.starts_with("Hello Ann Lee,\n"), "{b}");
        assert!(b.contains("Analysis: Payments API\n"), "{b}");
        assert!(b.contains("When: 2025-03-01 09:30:00 UTC"), "{b}");
        assert!(
            b.contains(
                "request\nfailed during prescan verification. 2 of 3 scans failed verification."
            ),
            "{b}"
        );
        assert!(
            b.lines()
                .all(|l| l.chars().count() <= 72 || l.starts_with("Open the")),
            "{b}"
        );
        assert!(b.contains("This was simulated"), "{b}");
        assert!(b.contains("Open the analysis: http://127.0.0.1:8088/#/analyses/42\n"));
        assert!(!body(&n("P", false), "Ann", &base).contains("simulated"));
        let public = link_base(
            &["https://prescan.example.com/".into()],
            "0.0.0.0:1".parse().unwrap(),
        );
        assert!(body(&n("P", false), "Ann", &public)
            .contains("https://prescan.example.com/#/analyses/42"));
        let huge = body(&n(&"é".repeat(20_000), false), "Ann", &base);
        assert!(huge.len() <= MAX_BODY_BYTES && huge.ends_with("...\n"));
    }
}
