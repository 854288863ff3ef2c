//! The e-mail outbox (schema 4's `outbox`): rows enqueued in the
//! transaction of the notification they tell of, then claimed, sent and
//! marked by the delivery task of any process sharing the database.
//!
//! - **Enqueued** ([`enqueue`], by the mutation after `rows::write`): one
//!   row per recipient with an address, `UNIQUE(notification_id, email)`,
//!   due at once;
//! - **claimed** ([`claim`]): in an `IMMEDIATE` transaction
//!   (so serialized across processes), up to N due rows that nobody holds
//!   (`lease_until_ms` NULL or past) get `lease_until_ms`: the claiming
//!   process alone may send them until then;
//! - **marked** sent, failed (with the next attempt, or [`OUTBOX_NEVER`]:
//!   given up) or released (not attempted): only by the holder of the
//!   lease (`WHERE lease_until_ms = ?` the value it claimed with), each
//!   clearing the lease.
//!
//! A process that dies while holding rows leaves them leased: they are
//! due again when the lease ends.

use prescan_core::analysis::Notification;
use rusqlite::{params, Connection, TransactionBehavior};

use crate::db::types::{DbError, MailComposer, MailText, OutboxMail, PeopleError, OUTBOX_NEVER};

/// Enqueues the e-mails of the notifications just written (`ids`, in
/// their order) in the mutation's transaction `tx`: one per recipient
/// with an address (`people::mail_recipients`), as `mail` writes it, due
/// at once. Returns how many were enqueued.
pub(super) fn enqueue(
    tx: &Connection,
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
            if enqueue_one(tx, *id, &name, &email, &text, now)? {
                enqueued += 1;
            }
        }
    }
    Ok(enqueued)
}

/// Enqueues one e-mail; an address already enqueued for this notification
/// is left as it is. Returns whether a row was added.
fn enqueue_one(
    tx: &Connection,
    notification_id: i64,
    user_name: &str,
    email: &str,
    text: &MailText,
    now_ms: i64,
) -> Result<bool, DbError> {
    let added = tx
        .prepare_cached(
            "INSERT INTO outbox (notification_id, user_name, email, subject, body, created_ms, next_attempt_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)
             ON CONFLICT (notification_id, email) DO NOTHING",
        )?
        .execute(params![
            notification_id,
            user_name,
            email,
            text.subject,
            text.body,
            now_ms
        ])?;
    Ok(added > 0)
}

fn mail_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<OutboxMail> {
    Ok(OutboxMail {
        id: r.get(0)?,
        notification_id: r.get::<_, i64>(1)?.max(0) as u64,
        user_name: r.get(2)?,
        email: r.get(3)?,
        text: MailText {
            subject: r.get(4)?,
            body: r.get(5)?,
        },
        created_ms: r.get(6)?,
        attempts: r.get::<_, i64>(7)?.clamp(0, i64::from(u32::MAX)) as u32,
        next_attempt_ms: r.get(8)?,
        lease_until_ms: r.get(9)?,
        last_error: r.get(10)?,
        sent_ms: r.get(11)?,
    })
}

/// Claims up to `limit` due rows that no process holds, oldest due
/// first, until `lease_until_ms`.
pub(super) fn claim(
    conn: &mut Connection,
    now_ms: i64,
    limit: usize,
    lease_until_ms: i64,
) -> Result<Vec<OutboxMail>, DbError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut rows: Vec<OutboxMail> = {
        let mut stmt = tx.prepare_cached(
            "SELECT id, notification_id, user_name, email, subject, body, created_ms, attempts,
                        next_attempt_ms, lease_until_ms, last_error, sent_ms
                 FROM outbox
                 WHERE sent_ms IS NULL AND next_attempt_ms <= ?1
                   AND (lease_until_ms IS NULL OR lease_until_ms <= ?1)
                 ORDER BY next_attempt_ms, id LIMIT ?2",
        )?;
        let rows = stmt
            .query_map(
                params![now_ms, limit.min(i64::MAX as usize) as i64],
                mail_row,
            )?
            .collect::<Result<_, _>>()?;
        rows
    };
    {
        let mut lease = tx.prepare_cached("UPDATE outbox SET lease_until_ms = ?1 WHERE id = ?2")?;
        for m in &mut rows {
            lease.execute(params![lease_until_ms, m.id])?;
            m.lease_until_ms = Some(lease_until_ms);
        }
    }
    tx.commit()?;
    Ok(rows)
}

/// Marks a held row sent at `now_ms`; `false` if the lease was lost.
pub(super) fn sent(
    conn: &Connection,
    id: i64,
    lease_until_ms: i64,
    now_ms: i64,
) -> Result<bool, DbError> {
    let n = conn.execute(
        "UPDATE outbox SET sent_ms = ?1, attempts = attempts + 1, lease_until_ms = NULL
             WHERE id = ?2 AND lease_until_ms = ?3 AND sent_ms IS NULL",
        params![now_ms, id, lease_until_ms],
    )?;
    Ok(n > 0)
}

/// Records a failed attempt of a held row: its error, and when to try
/// again (`None`: given up); `false` if the lease was lost.
pub(super) fn failed(
    conn: &Connection,
    id: i64,
    lease_until_ms: i64,
    error: &str,
    next_attempt_ms: Option<i64>,
) -> Result<bool, DbError> {
    let n = conn.execute(
        "UPDATE outbox SET attempts = attempts + 1, last_error = ?1, next_attempt_ms = ?2,
               lease_until_ms = NULL
             WHERE id = ?3 AND lease_until_ms = ?4 AND sent_ms IS NULL",
        params![
            error,
            next_attempt_ms.unwrap_or(OUTBOX_NEVER),
            id,
            lease_until_ms
        ],
    )?;
    Ok(n > 0)
}

/// Gives a held row back without an attempt (the process stops).
pub(super) fn release(conn: &Connection, id: i64, lease_until_ms: i64) -> Result<bool, DbError> {
    let n = conn.execute(
        "UPDATE outbox SET lease_until_ms = NULL WHERE id = ?1 AND lease_until_ms = ?2",
        params![id, lease_until_ms],
    )?;
    Ok(n > 0)
}

/// When the next row is due (its attempt, or the end of its lease), if
/// any row is waiting.
pub(super) fn next_due(conn: &Connection) -> Result<Option<i64>, DbError> {
    Ok(conn.query_row(
        "SELECT MIN(MAX(next_attempt_ms, COALESCE(lease_until_ms, 0))) FROM outbox
             WHERE sent_ms IS NULL AND next_attempt_ms < ?1",
        params![OUTBOX_NEVER],
        |r| r.get(0),
    )?)
}

/// Up to `limit` rows with an id above `after`, oldest first (sent,
/// waiting and given up alike).
pub(super) fn rows(
    conn: &Connection,
    after: i64,
    limit: usize,
) -> Result<Vec<OutboxMail>, DbError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, notification_id, user_name, email, subject, body, created_ms, attempts,
                    next_attempt_ms, lease_until_ms, last_error, sent_ms
             FROM outbox WHERE id > ?1 ORDER BY id LIMIT ?2",
    )?;
    let rows = stmt
        .query_map(
            params![after, limit.min(i64::MAX as usize) as i64],
            mail_row,
        )?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}
