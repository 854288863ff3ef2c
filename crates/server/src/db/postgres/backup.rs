//! Backups of PostgreSQL: the format is `crate::db::backup`'s, the rules
//! the SQLite back end's (`sqlite::backup`); only the SQL is here.
//!
//! - [`snapshot`]: every row, read in one `REPEATABLE READ READ ONLY`
//!   transaction: PostgreSQL's snapshot, which sees every mutation whole
//!   or not at all and blocks no writer.
//! - [`restore`]: rows inserted in one transaction holding the version
//!   row's lock (no replica mutates meanwhile) into a database that holds
//!   nothing but its `meta` and `sealing` rows, after the backup's probe
//!   opened with this database's key; the identity sequences and
//!   `meta.next_id` are set above every restored id; the journal is
//!   restarted past its end, so every replica reads the state whole.

use tokio_postgres::{Client, Row};

use super::pool::wait;
use crate::db::backup::{
    ActivityRow, AnalysisRow, BackupRow, Bytes, MetaRow, NotificationRow, OutboxRow, PrescanRow,
    SealingRow, SequenceRow, SpecificationFileRow, SpecificationRow, TeamMemberRow, TeamRow,
    UserRow, SEQUENCES,
};
use crate::db::seal::Sealer;
use crate::db::sqlite::sealing::{open_row, prescan_aad, PROBE, PROBE_AAD};
use crate::db::types::DbError;

fn each(
    rows: Vec<Row>,
    visit: &mut dyn FnMut(BackupRow) -> Result<(), DbError>,
    row: impl Fn(&Row) -> BackupRow,
) -> Result<(), DbError> {
    for r in rows {
        visit(row(&r))?;
    }
    Ok(())
}

/// Hands every row to `visit`, table by table in the format's order, from
/// one snapshot.
pub(super) fn snapshot(
    client: &mut Client,
    visit: &mut dyn FnMut(BackupRow) -> Result<(), DbError>,
) -> Result<(), DbError> {
    let tx = wait(
        client
            .build_transaction()
            .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
            .read_only(true)
            .start(),
    )?;
    each(
        wait(tx.query("SELECT key, value FROM meta ORDER BY key", &[]))?,
        visit,
        |r| {
            BackupRow::Meta(MetaRow {
                key: r.get(0),
                value: r.get(1),
            })
        },
    )?;
    each(
        wait(tx.query("SELECT id::BIGINT, probe FROM sealing ORDER BY id", &[]))?,
        visit,
        |r| {
            BackupRow::Sealing(SealingRow {
                id: r.get(0),
                probe: r.get(1),
            })
        },
    )?;
    each(wait(tx.query("SELECT id, name, name_folded, email, roles, token_lookup, token_hash, created_ms, disabled_ms
         FROM users ORDER BY id", &[]))?, visit,
        |r| {
            BackupRow::Users(UserRow {
                id: r.get(0),
                name: r.get(1),
                name_folded: r.get(2),
                email: r.get(3),
                roles: r.get(4),
                token_lookup: Bytes(r.get(5)),
                token_hash: r.get(6),
                created_ms: r.get(7),
                disabled_ms: r.get(8),
            })
        },
    )?;
    each(
        wait(tx.query("SELECT id, name, created_ms FROM teams ORDER BY id", &[]))?,
        visit,
        |r| {
            BackupRow::Teams(TeamRow {
                id: r.get(0),
                name: r.get(1),
                created_ms: r.get(2),
            })
        },
    )?;
    each(
        wait(tx.query(
            "SELECT team_id, user_id FROM team_members ORDER BY team_id, user_id",
            &[],
        ))?,
        visit,
        |r| {
            BackupRow::TeamMembers(TeamMemberRow {
                team_id: r.get(0),
                user_id: r.get(1),
            })
        },
    )?;
    each(
        wait(tx.query(
            "SELECT id, name, name_folded, status, body FROM analyses ORDER BY id",
            &[],
        ))?,
        visit,
        |r| {
            BackupRow::Analyses(AnalysisRow {
                id: r.get(0),
                name: r.get(1),
                name_folded: r.get(2),
                status: r.get(3),
                body: r.get(4),
            })
        },
    )?;
    each(
        wait(tx.query(
            "SELECT analysis_id, seq, body FROM activity ORDER BY analysis_id, seq",
            &[],
        ))?,
        visit,
        |r| {
            BackupRow::Activity(ActivityRow {
                analysis_id: r.get(0),
                seq: r.get(1),
                body: r.get(2),
            })
        },
    )?;
    each(wait(tx.query("SELECT id, file_name, size, record, bytes, content_hash FROM specifications ORDER BY id", &[]))?, visit,
        |r| {
            BackupRow::Specifications(SpecificationRow {
                id: r.get(0),
                file_name: r.get(1),
                size: r.get(2),
                record: r.get(3),
                bytes: Bytes(r.get(4)),
                content_hash: r.get::<_, Option<Vec<u8>>>(5).map(Bytes),
            })
        },
    )?;
    each(wait(tx.query("SELECT spec_id, position, name, bytes FROM specification_files ORDER BY spec_id, position", &[]))?, visit,
        |r| {
            BackupRow::SpecificationFiles(SpecificationFileRow {
                spec_id: r.get(0),
                position: r.get(1),
                name: r.get(2),
                bytes: Bytes(r.get(3)),
            })
        },
    )?;
    each(wait(tx.query("SELECT scan_id, analysis_id, started_ms, finished_ms, report FROM prescans ORDER BY scan_id", &[]))?, visit,
        |r| {
            BackupRow::Prescans(PrescanRow {
                scan_id: r.get(0),
                analysis_id: r.get(1),
                started_ms: r.get(2),
                finished_ms: r.get(3),
                report: r.get(4),
            })
        },
    )?;
    each(wait(tx.query("SELECT id, analysis_id, body, created_ms, schedule_owner, to_leads FROM notifications ORDER BY id", &[]))?, visit,
        |r| {
            BackupRow::Notifications(NotificationRow {
                id: r.get(0),
                analysis_id: r.get(1),
                body: r.get(2),
                created_ms: r.get(3),
                schedule_owner: r.get(4),
                to_leads: r.get(5),
            })
        },
    )?;
    each(
        wait(tx.query(
            "SELECT id, notification_id, user_name, email, subject, body, created_ms, attempts,
           next_attempt_ms, lease_until_ms, last_error, sent_ms
         FROM outbox ORDER BY id",
            &[],
        ))?,
        visit,
        |r| {
            BackupRow::Outbox(OutboxRow {
                id: r.get(0),
                notification_id: r.get(1),
                user_name: r.get(2),
                email: r.get(3),
                subject: r.get(4),
                body: r.get(5),
                created_ms: r.get(6),
                attempts: r.get(7),
                next_attempt_ms: r.get(8),
                lease_until_ms: r.get(9),
                last_error: r.get(10),
                sent_ms: r.get(11),
            })
        },
    )?;
    // The counters of never-reused ids: the identity sequences that
    // were used.
    for name in SEQUENCES {
        let last: Option<i64> = wait(tx.query_one(
            "SELECT last_value FROM pg_sequences
             WHERE schemaname = current_schema() AND sequencename = $1 || '_id_seq'",
            &[&name],
        ))?
        .get(0);
        if let Some(last_id) = last {
            visit(BackupRow::Sequences(SequenceRow {
                name: name.to_owned(),
                last_id,
            }))?;
        }
    }
    wait(tx.commit())?;
    Ok(())
}

/// Inserts the rows `next` gives into the empty database, in one
/// transaction; returns the state as restored and the new version.
pub(super) fn restore(
    client: &mut Client,
    sealer: &Sealer,
    next: &mut dyn FnMut() -> Result<Option<BackupRow>, DbError>,
) -> Result<(prescan_core::analysis::StoreState, i64), DbError> {
    let tx = wait(client.transaction())?;
    let (version, _) = super::rows::version_locked(&tx)?;
    let held = wait(tx.query_one(
        "SELECT ARRAY_REMOVE(ARRAY[
           CASE WHEN EXISTS (SELECT 1 FROM analyses) THEN 'analyses' END,
           CASE WHEN EXISTS (SELECT 1 FROM specifications) THEN 'specifications' END,
           CASE WHEN EXISTS (SELECT 1 FROM prescans) THEN 'prescans' END,
           CASE WHEN EXISTS (SELECT 1 FROM notifications) THEN 'notifications' END,
           CASE WHEN EXISTS (SELECT 1 FROM users) THEN 'users' END,
           CASE WHEN EXISTS (SELECT 1 FROM teams) THEN 'teams' END,
           CASE WHEN EXISTS (SELECT 1 FROM outbox) THEN 'e-mails' END], NULL)",
        &[],
    ))?
    .get::<_, Vec<String>>(0);
    if !held.is_empty() {
        return Err(DbError(format!(
            "the database is not empty (it holds {}): a backup is restored into an empty database only, so that nothing is mixed or overwritten",
            held.join(", ")
        )));
    }
    let mut sealing_seen = false;
    let mut next_id: i64 = 1;
    let mut sequences: Vec<(String, i64)> = Vec::new();
    let mut meta: Vec<(String, i64)> = Vec::new();
    while let Some(row) = next()? {
        if !sealing_seen && !matches!(row, BackupRow::Meta(_) | BackupRow::Sealing(_)) {
            return Err(DbError(
                "the backup's rows come before its sealing row: it cannot be checked against the key".into(),
            ));
        }
        let _inserted = match row {
            BackupRow::Meta(m) if m.key == "next_id" => {
                next_id = next_id.max(m.value);
                0
            }
            BackupRow::Meta(m) => {
                meta.push((m.key, m.value));
                0
            }
            BackupRow::Sealing(s) => {
                match sealer.open(&s.probe, PROBE_AAD) {
                    Ok((text, true)) if text == PROBE => {}
                    _ => {
                        return Err(DbError(
                            "the backup was sealed with another key than this database's: restore with the key file of the server the backup was taken from (--key-file)".into(),
                        ))
                    }
                }
                sealing_seen = true;
                wait(tx.execute(
                    "INSERT INTO sealing (id, probe) VALUES (1, $1)
                     ON CONFLICT (id) DO UPDATE SET probe = excluded.probe",
                    &[&s.probe],
                ))?
            }
            BackupRow::Users(u) => wait(tx.execute(
                "INSERT INTO users (id, name, name_folded, email, roles, token_lookup, token_hash, created_ms, disabled_ms)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                &[
                    &u.id,
                    &u.name,
                    &u.name_folded,
                    &u.email,
                    &u.roles,
                    &u.token_lookup.0,
                    &u.token_hash,
                    &u.created_ms,
                    &u.disabled_ms,
                ],
            ))?,
            BackupRow::Teams(t) => wait(tx.execute(
                "INSERT INTO teams (id, name, created_ms) VALUES ($1, $2, $3)",
                &[&t.id, &t.name, &t.created_ms],
            ))?,
            BackupRow::TeamMembers(m) => wait(tx.execute(
                "INSERT INTO team_members (team_id, user_id) VALUES ($1, $2)",
                &[&m.team_id, &m.user_id],
            ))?,
            BackupRow::Analyses(a) => {
                next_id = next_id.max(a.id.saturating_add(1));
                wait(tx.execute(
                    "INSERT INTO analyses (id, name, name_folded, status, body) VALUES ($1, $2, $3, $4, $5)",
                    &[&a.id, &a.name, &a.name_folded, &a.status, &a.body],
                ))?
            }
            BackupRow::Activity(a) => wait(tx.execute(
                "INSERT INTO activity (analysis_id, seq, body) VALUES ($1, $2, $3)",
                &[&a.analysis_id, &a.seq, &a.body],
            ))?,
            BackupRow::Specifications(s) => {
                next_id = next_id.max(s.id.saturating_add(1));
                wait(tx.execute(
                    "INSERT INTO specifications (id, file_name, size, record, bytes, content_hash)
                     VALUES ($1, $2, $3, $4, $5, $6)",
                    &[
                        &s.id,
                        &s.file_name,
                        &s.size,
                        &s.record,
                        &s.bytes.0,
                        &s.content_hash.map(|h| h.0),
                    ],
                ))?
            }
            BackupRow::SpecificationFiles(f) => wait(tx.execute(
                "INSERT INTO specification_files (spec_id, position, name, bytes) VALUES ($1, $2, $3, $4)",
                &[&f.spec_id, &f.position, &f.name, &f.bytes.0],
            ))?,
            BackupRow::Prescans(p) => {
                next_id = next_id.max(p.scan_id.saturating_add(1));
                open_row(sealer, &p.report, &prescan_aad(p.scan_id.max(0) as u64))?;
                wait(tx.execute(
                    "INSERT INTO prescans (scan_id, analysis_id, started_ms, finished_ms, report)
                     VALUES ($1, $2, $3, $4, $5)",
                    &[&p.scan_id, &p.analysis_id, &p.started_ms, &p.finished_ms, &p.report],
                ))?
            }
            BackupRow::Notifications(n) => wait(tx.execute(
                "INSERT INTO notifications (id, analysis_id, body, created_ms, schedule_owner, to_leads)
                 VALUES ($1, $2, $3, $4, $5, $6)",
                &[
                    &n.id,
                    &n.analysis_id,
                    &n.body,
                    &n.created_ms,
                    &n.schedule_owner,
                    &n.to_leads,
                ],
            ))?,
            BackupRow::Outbox(o) => wait(tx.execute(
                "INSERT INTO outbox (id, notification_id, user_name, email, subject, body, created_ms,
                   attempts, next_attempt_ms, lease_until_ms, last_error, sent_ms)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                &[
                    &o.id,
                    &o.notification_id,
                    &o.user_name,
                    &o.email,
                    &o.subject,
                    &o.body,
                    &o.created_ms,
                    &o.attempts,
                    &o.next_attempt_ms,
                    &o.lease_until_ms,
                    &o.last_error,
                    &o.sent_ms,
                ],
            ))?,
            BackupRow::Sequences(s) => {
                sequences.push((s.name, s.last_id));
                0
            }
        };
    }
    if !sealing_seen {
        return Err(DbError(
            "the backup has no sealing row: it cannot be checked against the key".into(),
        ));
    }
    let state = super::rows::load(&tx, sealer)?;
    let next_id = crate::db::backup::next_id_after_restore(&state, next_id);
    meta.push(("next_id".into(), next_id));
    for (key, value) in meta {
        wait(tx.execute(
            "INSERT INTO meta (key, value) VALUES ($1, $2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            &[&key, &value],
        ))?;
    }
    // Identity sequences past every id restored (and as far as the
    // backup's counters had gone): users, notifications, e-mails.
    let counted = |table: &str| {
        sequences
            .iter()
            .find(|(n, _)| n == table)
            .map_or(0, |(_, v)| *v)
    };
    // setval(seq, n, called): the next id is n + 1 when n > 0, else 1.
    wait(tx.execute(
        "SELECT setval(pg_get_serial_sequence('users', 'id'), GREATEST($1, MAX(id), 1), GREATEST($1, MAX(id), 0) > 0) FROM users",
        &[&counted("users")],
    ))?;
    wait(tx.execute(
        "SELECT setval(pg_get_serial_sequence('notifications', 'id'), GREATEST($1, MAX(id), 1), GREATEST($1, MAX(id), 0) > 0) FROM notifications",
        &[&counted("notifications")],
    ))?;
    wait(tx.execute(
        "SELECT setval(pg_get_serial_sequence('outbox', 'id'), GREATEST($1, MAX(id), 1), GREATEST($1, MAX(id), 0) > 0) FROM outbox",
        &[&counted("outbox")],
    ))?;
    // Every replica reads the state whole at its next use.
    let next_version = version + 1;
    wait(tx.execute("DELETE FROM state_changes", &[]))?;
    wait(tx.execute(
        "UPDATE state_version SET version = $1, journal_from = $2 WHERE id = 1",
        &[&next_version, &(next_version + 1)],
    ))?;
    wait(tx.commit())?;
    let mut state = state;
    state.next_id = next_id.max(1) as u64;
    Ok((state, next_version))
}
