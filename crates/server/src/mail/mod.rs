//! Notifications by e-mail (issue 16), through the operator's SMTP relay
//! (`--smtp-url`).
//!
//! - [`settings`]: the relay's URL and the delivery's budgets ([`Smtp`]);
//! - [`message`]: the subject and plain-text body of a notification's
//!   e-mail, and the [`Composer`] the store calls to write them;
//! - [`deliver`]: the background task that sends them.
//!
//! The path of an e-mail: a mutation that writes a notification (an
//! engine tick, a prescan's end) enqueues one e-mail per recipient with an
//! address in the outbox, **in the same transaction** (the store calls
//! the [`Composer`]; see [`crate::db::Db::with_mail`]): a notification is
//! mailed once, and a change rolled back mails nothing. After the commit
//! the store wakes the task ([`tokio::sync::Notify`]), which claims the
//! due e-mails with a lease (two processes sharing the database never
//! send one row both), sends them, and marks each sent or failed. A relay
//! that is down or answers 4xx/5xx is retried after 5 s, 10 s, 20 s, ...
//! up to every 15 minutes, 100 attempts at most (about a day); then the
//! e-mail is given up, logged once on stderr with its last error, and its
//! row kept. HTTP handlers never wait for the relay.
//!
//! Recipients: [`Recipients::ScheduleOwner`] is the user of that name
//! (prescan succeeded or failed, analysis failed), and
//! [`Recipients::SecurityLeads`] every user with the Security Lead role
//! (results published); disabled users and users without an address get
//! nothing.
//!
//! [`Recipients::ScheduleOwner`]: prescan_core::analysis::Recipients::ScheduleOwner
//! [`Recipients::SecurityLeads`]: prescan_core::analysis::Recipients::SecurityLeads

pub mod deliver;
pub mod message;
pub mod settings;

pub use deliver::Delivery;
pub use message::Composer;
pub use settings::{Security, Smtp, SmtpUrl};
