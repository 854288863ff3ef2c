//! The delivery task: sends the outbox's due e-mails through the relay,
//! a bounded batch per round, each under a lease (see
//! [`Db::outbox_claim`]), retrying with exponential backoff.

use std::sync::Arc;
use std::time::Duration;

use lettre::address::Address;
use lettre::message::header::{ContentType, MessageId, MIME_VERSION_1_0};
use lettre::message::{Mailbox, Message};
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{Certificate, CertificateStore, Tls, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use tokio::sync::{watch, Notify};
use tokio::task::JoinHandle;

use super::message::header_text;
use super::settings::{Security, Smtp};
use crate::clock::now_ms;
use crate::db::{Db, DbError, OutboxMail};

/// The longest error kept with a row, in characters.
const MAX_ERROR_CHARS: usize = 500;

/// How long a stopping server waits for the message being sent.
const STOP_GRACE: Duration = Duration::from_secs(5);

/// The running delivery task.
pub struct Delivery {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl Delivery {
    /// Stops it: the message being sent may finish (a few seconds at
    /// most); e-mails claimed but not attempted are given back.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let mut task = self.task;
        if tokio::time::timeout(STOP_GRACE, &mut task).await.is_err() {
            // Its row stays leased and is due again when the lease ends.
            task.abort();
        }
    }
}

/// The relay's transport: TLS as the URL says (the `--smtp-ca-file`'s
/// CAs, else the Mozilla roots), the credentials only over TLS (STARTTLS
/// is required by `smtp://`; `smtp+plain://` has none), the connect
/// timeout, and the EHLO name `hello` (default: an address literal).
pub fn transport(
    smtp: &Smtp,
    hello: Option<&str>,
) -> Result<AsyncSmtpTransport<Tokio1Executor>, String> {
    let url = &smtp.url;
    let tls = || -> Result<TlsParameters, String> {
        let mut b = TlsParameters::builder(url.host.clone());
        if let Some(pem) = &smtp.ca_pem {
            let ca = Certificate::from_pem(pem)
                .map_err(|e| format!("the CA certificates cannot be read: {e}"))?;
            b = b
                .certificate_store(CertificateStore::None)
                .add_root_certificate(ca);
        }
        b.build_rustls()
            .map_err(|e| format!("TLS cannot be set up: {e}"))
    };
    let security = match url.security {
        Security::StartTls => Tls::Required(tls()?),
        Security::Tls => Tls::Wrapper(tls()?),
        Security::Plain => Tls::None,
    };
    let mut b = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(url.host.as_str())
        .port(url.port)
        .tls(security)
        .timeout(Some(smtp.timeout));
    if let Some(name) = hello {
        let bare = name.trim_start_matches('[').trim_end_matches(']');
        b = b.hello_name(match bare.parse::<std::net::IpAddr>() {
            // An address literal ("[192.0.2.1]", "[IPv6:...]").
            Ok(std::net::IpAddr::V4(ip)) => ClientId::Ipv4(ip),
            Ok(std::net::IpAddr::V6(ip)) => ClientId::Ipv6(ip),
            Err(_) => ClientId::Domain(bare.to_owned()),
        });
    }
    match (&url.user, &smtp.password, url.security) {
        (Some(user), Some(password), Security::StartTls | Security::Tls) => {
            b = b
                .credentials(Credentials::new(user.clone(), password.clone()))
                .authentication(vec![Mechanism::Plain, Mechanism::Login]);
        }
        (None, None, _) => {}
        _ => {
            return Err(smtp.check_credentials().err().unwrap_or_else(|| {
                "credentials are only sent over TLS: use smtp:// (STARTTLS) or smtps:// (TLS)"
                    .into()
            }))
        }
    }
    Ok(b.build())
}

/// The message of a row: From the operator's address (named "prescan"),
/// To the user, its subject and plain-text body, and a Message-ID that
/// stays the same across retries.
pub fn message(smtp: &Smtp, m: &OutboxMail) -> Result<Message, String> {
    let from: Address = smtp
        .from
        .parse()
        .map_err(|e| format!("--smtp-from {}: {e}", smtp.from))?;
    let to: Address = m
        .email
        .parse()
        .map_err(|e| format!("{:?} is not an e-mail address: {e}", m.email))?;
    let name = header_text(&m.user_name, 100);
    Message::builder()
        .from(Mailbox::new(Some("prescan".into()), from.clone()))
        .to(Mailbox::new((!name.is_empty()).then_some(name), to))
        .subject(header_text(
            &m.text.subject,
            super::message::MAX_SUBJECT_CHARS,
        ))
        .header(MessageId::from(format!(
            "<prescan.{}.{}@{}>",
            m.notification_id,
            m.id,
            from.domain()
        )))
        .header(MIME_VERSION_1_0)
        .header(ContentType::TEXT_PLAIN)
        .body(m.text.body.clone())
        .map_err(|e| format!("the message cannot be written: {e}"))
}

/// Starts the task: it sends what is due, then sleeps until the next row
/// is due, `wake` is notified (a commit enqueued mail), or `smtp.poll`
/// passes (mail enqueued by another process).
pub fn spawn(
    db: Arc<Db>,
    smtp: Smtp,
    hello: Option<String>,
    wake: Arc<Notify>,
) -> Result<Delivery, String> {
    let transport = transport(&smtp, hello.as_deref())?;
    let (stop, stopping) = watch::channel(false);
    let sender = Sender {
        db,
        smtp,
        transport,
        stopping,
        failing: false,
    };
    let task = tokio::spawn(sender.run(wake));
    Ok(Delivery { stop, task })
}

struct Sender {
    db: Arc<Db>,
    smtp: Smtp,
    transport: AsyncSmtpTransport<Tokio1Executor>,
    stopping: watch::Receiver<bool>,
    /// Whether the relay failed last time (its failure and recovery are
    /// logged once each).
    failing: bool,
}

/// How an attempt failed.
enum Failure {
    /// The relay could not be reached or spoken to (connection, TLS,
    /// timeout): the rest of the round would fail the same way.
    Relay(String),
    /// The relay answered with an error (4xx or 5xx) about this message.
    Answer(String),
    /// The row cannot become a message (a bad address): never retried.
    Message(String),
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, DbError> + Send + 'static,
) -> Result<T, DbError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| DbError(e.to_string()))?
}

fn bounded(text: &str) -> String {
    let t = header_text(text, MAX_ERROR_CHARS);
    if t.is_empty() {
        "unknown error".into()
    } else {
        t
    }
}

impl Sender {
    fn stopping(&self) -> bool {
        *self.stopping.borrow()
    }

    async fn run(mut self, wake: Arc<Notify>) {
        while !self.stopping() {
            let full = match self.round().await {
                Ok(full) => full,
                Err(e) => {
                    eprintln!("prescan-server: e-mail: the outbox cannot be read: {e}");
                    false
                }
            };
            if full {
                // More may be due: go on at once.
                continue;
            }
            let db = self.db.clone();
            let next = blocking(move || db.outbox_next_due()).await.ok().flatten();
            let wait = match next {
                Some(t) => Duration::from_millis(t.saturating_sub(now_ms()).max(0) as u64),
                None => self.smtp.poll,
            }
            .min(self.smtp.poll);
            let mut stopping = self.stopping.clone();
            tokio::select! {
                _ = stopping.changed() => {}
                _ = wake.notified() => {}
                _ = tokio::time::sleep(wait) => {}
            }
        }
    }

    /// Sends one batch; `true` if it was full (more may be due).
    async fn round(&mut self) -> Result<bool, DbError> {
        let budget = self.smtp.timeout * 2;
        let batch = self.smtp.batch.max(1);
        let now = now_ms();
        // Every message of the batch fits in the lease, with a margin.
        let lease_ms = (budget.as_millis() as i64)
            .saturating_mul(batch as i64)
            .saturating_add(30_000);
        let lease_until = now.saturating_add(lease_ms);
        let db = self.db.clone();
        let claimed = blocking(move || db.outbox_claim(now, batch, lease_until)).await?;
        let full = claimed.len() == batch;
        let mut relay_down: Option<String> = None;
        for m in claimed {
            let lease = m.lease_until_ms.unwrap_or(lease_until);
            let budget_ms = budget.as_millis() as i64;
            if self.stopping() || now_ms().saturating_add(budget_ms) > lease {
                let (db, id) = (self.db.clone(), m.id);
                blocking(move || db.outbox_release(id, lease)).await?;
                continue;
            }
            let outcome = match &relay_down {
                Some(e) => Err(Failure::Relay(format!(
                    "not attempted: the relay failed for an earlier message ({e})"
                ))),
                None => self.send(&m, budget).await,
            };
            match outcome {
                Ok(()) => {
                    if self.failing {
                        self.failing = false;
                        eprintln!(
                            "prescan-server: e-mail: the relay {}:{} takes messages again",
                            self.smtp.url.host, self.smtp.url.port
                        );
                    }
                    let (db, id, at) = (self.db.clone(), m.id, now_ms());
                    blocking(move || db.outbox_sent(id, lease, at)).await?;
                }
                Err(f) => {
                    let (error, give_up) = match f {
                        Failure::Relay(e) => {
                            relay_down.get_or_insert_with(|| e.clone());
                            (e, false)
                        }
                        Failure::Answer(e) => (e, false),
                        Failure::Message(e) => (e, true),
                    };
                    self.failed(&m, lease, &error, give_up).await?;
                }
            }
        }
        Ok(full)
    }

    /// One attempt, within `budget`.
    async fn send(&mut self, m: &OutboxMail, budget: Duration) -> Result<(), Failure> {
        let message = message(&self.smtp, m).map_err(Failure::Message)?;
        match tokio::time::timeout(budget, self.transport.send(message)).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) if e.is_transient() || e.is_permanent() => {
                Err(Failure::Answer(bounded(&e.to_string())))
            }
            // Display names the kind and its cause ("Connection error:
            // Connection refused (os error 111)").
            Ok(Err(e)) => Err(Failure::Relay(bounded(&e.to_string()))),
            Err(_) => Err(Failure::Relay(format!(
                "no answer within {} s",
                budget.as_secs()
            ))),
        }
    }

    /// Records a failed attempt: retried after the backoff, or given up
    /// (after `max_attempts`, or at once for a message that cannot be
    /// written), which is logged once.
    async fn failed(
        &mut self,
        m: &OutboxMail,
        lease: i64,
        error: &str,
        give_up_now: bool,
    ) -> Result<(), DbError> {
        let attempts = m.attempts.saturating_add(1);
        let give_up = give_up_now || attempts >= self.smtp.max_attempts;
        if !give_up && !self.failing {
            self.failing = true;
            eprintln!(
                "prescan-server: e-mail: the relay {}:{} did not take a message ({error}); messages are kept and retried",
                self.smtp.url.host, self.smtp.url.port
            );
        }
        let next = (!give_up).then(|| {
            let delay = self.smtp.retry_delay(attempts).as_millis() as i64;
            now_ms().saturating_add(delay)
        });
        let (db, id, text) = (self.db.clone(), m.id, error.to_owned());
        let recorded = blocking(move || db.outbox_failed(id, lease, &text, next)).await?;
        if give_up && recorded {
            eprintln!(
                "prescan-server: e-mail: gave up the e-mail of notification {} to {} <{}> after {attempts} attempt{}: {error}",
                m.notification_id,
                header_text(&m.user_name, 100),
                m.email,
                if attempts == 1 { "" } else { "s" }
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::MailText;

    fn row(user_name: &str, email: &str) -> OutboxMail {
        OutboxMail {
            id: 3,
            notification_id: 9,
            user_name: user_name.into(),
            email: email.into(),
            text: MailText {
                subject: "A subject\r\nBcc: eve@evil.test".into(),
                body: "Hello\n".into(),
            },
            created_ms: 0,
            attempts: 0,
            next_attempt_ms: 0,
            lease_until_ms: Some(1),
            last_error: None,
            sent_ms: None,
        }
    }

    fn smtp() -> Smtp {
        Smtp::new(
            "smtp+plain://127.0.0.1:2525".parse().unwrap(),
            "prescan@example.com",
        )
    }

    #[test]
    fn headers_hold_one_line_each_and_bad_addresses_are_refused() {
        let m = message(
            &smtp(),
            &row("Ann\r\nBcc: eve@evil.test", "ann@example.com"),
        )
        .unwrap();
        let text = String::from_utf8(m.formatted()).unwrap();
        let head = text.split("\r\n\r\n").next().unwrap();
        assert!(!head.lines().any(|l| l.starts_with("Bcc")), "{head}");
        assert_eq!(m.envelope().to().len(), 1);
        assert!(
            head.contains("Message-ID: <prescan.9.3@example.com>"),
            "{head}"
        );
        for bad in [
            "ann@example.com\r\nBcc: eve@evil.test",
            "ann",
            "a b@example.com",
        ] {
            assert!(message(&smtp(), &row("Ann", bad)).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn credentials_need_tls() {
        let mut s = smtp();
        s.url.user = Some("mailer".into());
        s.password = Some("pw".into());
        assert!(transport(&s, None)
            .unwrap_err()
            .contains("only sent over TLS"));
        s.url.security = Security::Tls;
        assert!(transport(&s, Some("prescan.example.com")).is_ok());
        s.password = None;
        assert!(transport(&s, None)
            .unwrap_err()
            .contains("needs a password"));
    }
}
