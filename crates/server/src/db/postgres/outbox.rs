//! The e-mail outbox on PostgreSQL, with the SQLite back end's rules
//! (`sqlite::outbox`): enqueued in the transaction of the notification,
//! claimed with a lease, marked only by the lease's holder. Claims take
//! the due rows `FOR UPDATE SKIP LOCKED`, so replicas claiming at the
//! same moment take different rows and never wait on each other.

use prescan_core::analysis::Notification;
use tokio_postgres::{Client, GenericClient, Row};

use super::pool::wait;
use crate::db::types::{DbError, MailComposer, MailText, OutboxMail, PeopleError, OUTBOX_NEVER};

const COLUMNS: &str = "id, notification_id, user_name, email, subject, body, created_ms, attempts,
    next_attempt_ms, lease_until_ms, last_error, sent_ms";

pub(super) fn enqueue(
    tx: &impl GenericClient,
    ids: &[i64],
    notifications: &[Notification],
    mail: &dyn MailComposer,
) -> Result<usize, DbError> {
    let now = crate::clock::now_ms();
    let mut enqueued = 0;
    for (id, n) in ids.iter().zip(notifications) {
        let to = super::people::mail_recipients(tx, &n.recipients).map_err(|e| match e {
            PeopleError::Db(e) => e,
            other => DbError(other.to_string()),
        })?;
        for (name, email) in to {
            let text = mail.compose(n, &name);
            let added = wait(tx.execute(
                "INSERT INTO outbox (notification_id, user_name, email, subject, body, created_ms, next_attempt_ms)
                 VALUES ($1, $2, $3, $4, $5, $6, $6)
                 ON CONFLICT (notification_id, email) DO NOTHING",
                &[id, &name, &email, &text.subject, &text.body, &now],
            ))?;
            enqueued += added as usize;
        }
    }
    Ok(enqueued)
}

fn mail_row(r: &Row) -> OutboxMail {
    OutboxMail {
        id: r.get(0),
        notification_id: r.get::<_, i64>(1).max(0) as u64,
        user_name: r.get(2),
        email: r.get(3),
        text: MailText {
            subject: r.get(4),
            body: r.get(5),
        },
        created_ms: r.get(6),
        attempts: r.get::<_, i64>(7).clamp(0, i64::from(u32::MAX)) as u32,
        next_attempt_ms: r.get(8),
        lease_until_ms: r.get(9),
        last_error: r.get(10),
        sent_ms: r.get(11),
    }
}

pub(super) fn claim(
    client: &mut Client,
    now_ms: i64,
    limit: usize,
    lease_until_ms: i64,
) -> Result<Vec<OutboxMail>, DbError> {
    let limit = limit.min(i64::MAX as usize) as i64;
    let rows = wait(client.query(
        &format!(
            "UPDATE outbox SET lease_until_ms = $3 WHERE id IN (
               SELECT id FROM outbox
               WHERE sent_ms IS NULL AND next_attempt_ms <= $1
                 AND (lease_until_ms IS NULL OR lease_until_ms <= $1)
               ORDER BY next_attempt_ms, id LIMIT $2
               FOR UPDATE SKIP LOCKED)
             RETURNING {COLUMNS}"
        ),
        &[&now_ms, &limit, &lease_until_ms],
    ))?;
    let mut out: Vec<OutboxMail> = rows.iter().map(mail_row).collect();
    out.sort_by_key(|m| (m.next_attempt_ms, m.id));
    Ok(out)
}

pub(super) fn sent(c: &Client, id: i64, lease_until_ms: i64, now_ms: i64) -> Result<bool, DbError> {
    let n = wait(c.execute(
        "UPDATE outbox SET sent_ms = $1, attempts = attempts + 1, lease_until_ms = NULL
         WHERE id = $2 AND lease_until_ms = $3 AND sent_ms IS NULL",
        &[&now_ms, &id, &lease_until_ms],
    ))?;
    Ok(n > 0)
}

pub(super) fn failed(
    c: &Client,
    id: i64,
    lease_until_ms: i64,
    error: &str,
    next_attempt_ms: Option<i64>,
) -> Result<bool, DbError> {
    let n = wait(c.execute(
        "UPDATE outbox SET attempts = attempts + 1, last_error = $1, next_attempt_ms = $2,
           lease_until_ms = NULL
         WHERE id = $3 AND lease_until_ms = $4 AND sent_ms IS NULL",
        &[
            &error,
            &next_attempt_ms.unwrap_or(OUTBOX_NEVER),
            &id,
            &lease_until_ms,
        ],
    ))?;
    Ok(n > 0)
}

pub(super) fn release(c: &Client, id: i64, lease_until_ms: i64) -> Result<bool, DbError> {
    let n = wait(c.execute(
        "UPDATE outbox SET lease_until_ms = NULL WHERE id = $1 AND lease_until_ms = $2",
        &[&id, &lease_until_ms],
    ))?;
    Ok(n > 0)
}

pub(super) fn next_due(c: &Client) -> Result<Option<i64>, DbError> {
    Ok(wait(c.query_one(
        "SELECT MIN(GREATEST(next_attempt_ms, COALESCE(lease_until_ms, 0))) FROM outbox
         WHERE sent_ms IS NULL AND next_attempt_ms < $1",
        &[&OUTBOX_NEVER],
    ))?
    .get(0))
}

pub(super) fn rows(c: &Client, after: i64, limit: usize) -> Result<Vec<OutboxMail>, DbError> {
    Ok(wait(c.query(
        &format!("SELECT {COLUMNS} FROM outbox WHERE id > $1 ORDER BY id LIMIT $2"),
        &[&after, &(limit.min(i64::MAX as usize) as i64)],
    ))?
    .iter()
    .map(mail_row)
    .collect())
}
