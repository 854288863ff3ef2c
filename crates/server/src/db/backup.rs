//! Backups (issue 19): a portable file of every row of the database,
//! independent of the back end, so that a backup taken from SQLite can be
//! restored into PostgreSQL (same tables, same columns) and back.
//!
//! This module holds the format and its budgets only; it knows no SQL. A
//! back end provides two things ([`Db::backup`](super::Db::backup) and
//! [`Db::restore`](super::Db::restore) dispatch to them):
//!
//! - **visit every row in one consistent snapshot**, table by table in the
//!   order of [`TABLES`] (parents before children), each table by its
//!   primary key, handing each row to a closure as a [`BackupRow`];
//! - **insert rows into an empty database in one transaction**: it pulls
//!   rows from a closure until it returns `Ok(None)` (the trailer was read
//!   and its checksum holds), refuses a database that holds anything but
//!   its `meta` and `sealing` rows, checks the backup's `sealing` probe
//!   against its own key before it writes a row, sets its id counters
//!   above every restored id, and commits only then: all or nothing.
//!
//! # The format (version [`FORMAT_VERSION`])
//!
//! JSON Lines in UTF-8, each line ending with `\n`:
//!
//! ```text
//! {"format":"prescan-backup","version":1,"schema":5,"created_ms":1765000000000,"server":"prescan-server 0.1.0","source":"sqlite"}
//! {"table":"meta","row":{"key":"next_id","value":42}}
//! {"table":"analyses","row":{"id":3,"name":"Orders","name_folded":"orders","status":"Scheduled","body":"sealed:v1:..."}}
//! ...
//! {"end":true,"rows":1234,"sha256":"<hex>"}
//! ```
//!
//! - line 1, the header: the format's name and version, the schema
//!   version of the tables ([`super::SCHEMA_VERSION`], given by the
//!   caller: this module knows no back end), when the backup was
//!   taken, by which server, from which back end;
//! - one row a line, `{"table":T,"row":{...}}`, whose fields are the
//!   columns of table `T` under their own names ([`BackupRow`]). Byte
//!   columns (`specifications.bytes`, `specifications.content_hash`,
//!   `specification_files.bytes`, `users.token_lookup`) are standard
//!   base64; `notifications.to_leads` is a boolean; every other column
//!   is a JSON string, integer or null as in the table. The tables come
//!   in the order of [`TABLES`], which satisfies the foreign keys. The
//!   last "table", `sequences`, is not one: it carries the highest id
//!   ever handed out by each counter of ids that are never reused
//!   (`notifications`, `outbox`), which may be above the highest row;
//! - the last line, the trailer: the number of rows and the SHA-256 (in
//!   hexadecimal) of every byte before it (the header and the rows, with
//!   their newlines). A file cut short has no trailer; a file edited by
//!   hand has another checksum: both are refused.
//!
//! # What is sealed
//!
//! Columns that can hold credentials are copied **as stored**, still
//! sealed with the database's key ([`super::seal`]): `analyses.body` (its
//! scans' authentication) and `prescans.report` (the headers as sent).
//! `users.token_lookup` is a keyed hash under a key derived from the same
//! key, and `users.token_hash` an argon2id hash: no token is in a backup
//! either. So a backup never holds a credential in clear, and restoring
//! one needs the key file that sealed it: the `sealing` probe row goes
//! along, and a restore under another key is refused before a row is
//! written. Keep the key file apart from the backups (whoever has both
//! has the credentials).
//!
//! # Reading is hostile input
//!
//! A restore reads a file that may have been cut, edited or made up.
//! Every line is bounded before it is parsed ([`Budgets`]: the longest
//! line, the number of rows, the bytes of the whole file), and the file is
//! refused, with a sentence that names the line and what is wrong, for: a
//! missing or foreign header, a newer format or schema, a line that is
//! not JSON or not UTF-8, an unknown table or field, a wrong type, a
//! missing field, bytes that are not base64, a row out of the order of
//! [`TABLES`], a primary key or unique value seen twice, a row whose
//! parent is missing, no `sealing` row, a missing trailer, a wrong count
//! or checksum, anything after the trailer. Nothing here panics on any
//! input (`tests/backup.rs` feeds it garbage).
//!
//! The checksum catches accidents (a cut, a changed byte), not forgery:
//! whoever can write the file can compute it again. What protects the
//! credentials is the key: a sealed value opens only with it and only in
//! its own row (the row's id is its associated data).
//!
//! # For a new back end (PostgreSQL)
//!
//! - the snapshot: one `REPEATABLE READ` (or `SERIALIZABLE READ ONLY
//!   DEFERRABLE`) transaction, the tables in the order of [`TABLES`],
//!   each `ORDER BY` its primary key, byte columns as bytes, `to_leads` as
//!   a boolean; a `sequences` row per counter of [`SEQUENCES`] with the
//!   last value of its sequence;
//! - the restore: refuse a database with rows (other than `meta` and
//!   `sealing`), check the `sealing` row's probe with the key (then store
//!   it as given), insert the rows as they come, set `meta.next_id` above
//!   every id restored and each sequence (`setval`) to at least its
//!   `sequences` row and the highest id restored, and commit only after
//!   the reader returned `Ok(None)`.
//!
//! A backup of a database just restored is the same file but for the
//! header's `created_ms` (`tests/backup.rs`).

use std::collections::{BTreeMap, HashSet};
use std::io::{BufRead, Write};

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::types::DbError;

/// The version of the format this server writes and reads.
pub const FORMAT_VERSION: u32 = 1;

/// The `format` of the header.
pub const FORMAT_NAME: &str = "prescan-backup";

/// The tables, in the order a backup holds them (parents first), as the
/// `table` of a line names them; `sequences` (last) is the counters.
pub const TABLES: [&str; 13] = [
    "meta",
    "sealing",
    "users",
    "teams",
    "team_members",
    "analyses",
    "activity",
    "specifications",
    "specification_files",
    "prescans",
    "notifications",
    "outbox",
    "sequences",
];

/// The counters of ids that are never reused (`sequences` rows name them).
pub const SEQUENCES: [&str; 2] = ["notifications", "outbox"];

/// The longest line a restore reads: 1.5 times the default largest
/// specification ([`crate::DEFAULT_MAX_SPEC_BYTES`], 50 MiB, repeated
/// here as [`DEFAULT_MAX_SPEC_BYTES`]: the configuration is above this
/// seam; `tests/backup.rs` checks they agree), 75 MiB. The
/// longest row is a specification's: its root file's bytes in base64
/// (4/3 of at most 50 MiB: 66.7 MiB) and its record, which is small
/// (names and counts, a few KiB): the half left over is room enough. A
/// server run with a larger `--max-spec-bytes` restores with the same
/// option ([`Budgets::for_max_spec_bytes`]).
pub const MAX_LINE_BYTES: usize = DEFAULT_MAX_SPEC_BYTES / 2 * 3;

/// The server's default largest specification (`--max-spec-bytes`).
pub const DEFAULT_MAX_SPEC_BYTES: usize = 50 * 1024 * 1024;

/// The most rows a restore reads: 20 million. A busy server's backup is
/// mostly activity-log entries (tens per analysis); 20 million is room for
/// hundreds of thousands of analyses, while the keys a restore keeps to
/// refuse duplicates (tens of bytes a row) stay within a GiB or so.
pub const MAX_ROWS: u64 = 20_000_000;

/// The most bytes a restore reads: 16 GiB. The restore is one
/// transaction, whose journal grows as large as what it writes: the
/// budget bounds the disk a made-up file can make it fill.
pub const MAX_TOTAL_BYTES: u64 = 16 * 1024 * 1024 * 1024;

/// What a restore reads at most (see the constants for the reasons).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budgets {
    /// The longest line, newline included.
    pub max_line_bytes: usize,
    /// The most rows (header and trailer not counted).
    pub max_rows: u64,
    /// The most bytes of the whole file.
    pub max_total_bytes: u64,
}

impl Default for Budgets {
    fn default() -> Self {
        Budgets {
            max_line_bytes: MAX_LINE_BYTES,
            max_rows: MAX_ROWS,
            max_total_bytes: MAX_TOTAL_BYTES,
        }
    }
}

impl Budgets {
    /// The budgets of a server whose largest specification is
    /// `max_spec_bytes` (`--max-spec-bytes`): lines up to 1.5 times that,
    /// never below the default.
    pub fn for_max_spec_bytes(max_spec_bytes: usize) -> Budgets {
        Budgets {
            max_line_bytes: (max_spec_bytes / 2).saturating_mul(3).max(MAX_LINE_BYTES),
            ..Budgets::default()
        }
    }
}

/// A byte column: standard base64 in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bytes(pub Vec<u8>);

impl Serialize for Bytes {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(&self.0))
    }
}

impl<'de> Deserialize<'de> for Bytes {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Bytes;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string of standard base64")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Bytes, E> {
                base64::engine::general_purpose::STANDARD
                    .decode(v)
                    .map(Bytes)
                    .map_err(|e| E::custom(format!("bytes that are not base64 ({e})")))
            }
        }
        d.deserialize_str(V)
    }
}

/// `meta(key, value)`: `next_id` (the core's id counter), `store_version`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetaRow {
    pub key: String,
    pub value: i64,
}

/// `sealing(id = 1, probe)`: a value sealed with the key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SealingRow {
    pub id: i64,
    pub probe: String,
}

/// `users`: `roles` is JSON text; `token_lookup` a keyed hash (bytes);
/// `token_hash` argon2id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserRow {
    pub id: i64,
    pub name: String,
    pub name_folded: String,
    pub email: Option<String>,
    pub roles: String,
    pub token_lookup: Bytes,
    pub token_hash: String,
    pub created_ms: i64,
    pub disabled_ms: Option<i64>,
}

/// `teams(id, name, created_ms)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TeamRow {
    pub id: String,
    pub name: String,
    pub created_ms: i64,
}

/// `team_members(team_id, user_id)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TeamMemberRow {
    pub team_id: String,
    pub user_id: i64,
}

/// `analyses`: `body` is the core's `Analysis` as JSON, **sealed**.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnalysisRow {
    pub id: i64,
    pub name: String,
    pub name_folded: String,
    pub status: String,
    pub body: String,
}

/// `activity(analysis_id, seq, body)`: one log entry (JSON text).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActivityRow {
    pub analysis_id: i64,
    pub seq: i64,
    pub body: String,
}

/// `specifications`: the root file's name and bytes, the size of all the
/// files, the record (JSON text), the hash of all the files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpecificationRow {
    pub id: i64,
    pub file_name: String,
    pub size: i64,
    pub record: String,
    pub bytes: Bytes,
    pub content_hash: Option<Bytes>,
}

/// `specification_files(spec_id, position, name, bytes)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpecificationFileRow {
    pub spec_id: i64,
    pub position: i64,
    pub name: String,
    pub bytes: Bytes,
}

/// `prescans`: `report` is the core's report as JSON, **sealed**.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrescanRow {
    pub scan_id: i64,
    pub analysis_id: i64,
    pub started_ms: i64,
    pub finished_ms: Option<i64>,
    pub report: String,
}

/// `notifications`: the core's `Notification` as JSON text, and whom it
/// is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotificationRow {
    pub id: i64,
    pub analysis_id: i64,
    pub body: String,
    pub created_ms: i64,
    pub schedule_owner: Option<String>,
    pub to_leads: bool,
}

/// `outbox`: one e-mail of a notification for one user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutboxRow {
    pub id: i64,
    pub notification_id: i64,
    pub user_name: String,
    pub email: String,
    pub subject: String,
    pub body: String,
    pub created_ms: i64,
    pub attempts: i64,
    pub next_attempt_ms: i64,
    pub lease_until_ms: Option<i64>,
    pub last_error: Option<String>,
    pub sent_ms: Option<i64>,
}

/// The highest id a counter of never-reused ids handed out (`name`: one
/// of [`SEQUENCES`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SequenceRow {
    pub name: String,
    pub last_id: i64,
}

/// One row of one table, as a line of a backup holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "table",
    content = "row",
    rename_all = "snake_case",
    deny_unknown_fields
)]
pub enum BackupRow {
    Meta(MetaRow),
    Sealing(SealingRow),
    Users(UserRow),
    Teams(TeamRow),
    TeamMembers(TeamMemberRow),
    Analyses(AnalysisRow),
    Activity(ActivityRow),
    Specifications(SpecificationRow),
    SpecificationFiles(SpecificationFileRow),
    Prescans(PrescanRow),
    Notifications(NotificationRow),
    Outbox(OutboxRow),
    Sequences(SequenceRow),
}

impl BackupRow {
    /// Its table's position in [`TABLES`].
    pub fn rank(&self) -> usize {
        match self {
            BackupRow::Meta(_) => 0,
            BackupRow::Sealing(_) => 1,
            BackupRow::Users(_) => 2,
            BackupRow::Teams(_) => 3,
            BackupRow::TeamMembers(_) => 4,
            BackupRow::Analyses(_) => 5,
            BackupRow::Activity(_) => 6,
            BackupRow::Specifications(_) => 7,
            BackupRow::SpecificationFiles(_) => 8,
            BackupRow::Prescans(_) => 9,
            BackupRow::Notifications(_) => 10,
            BackupRow::Outbox(_) => 11,
            BackupRow::Sequences(_) => 12,
        }
    }

    /// Its table's name.
    pub fn table(&self) -> &'static str {
        TABLES[self.rank()]
    }
}

/// The first line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Header {
    /// [`FORMAT_NAME`].
    pub format: String,
    /// [`FORMAT_VERSION`].
    pub version: u32,
    /// The schema version of the tables ([`super::SCHEMA_VERSION`]).
    pub schema: i64,
    /// When the backup was taken (ms since the epoch).
    pub created_ms: i64,
    /// `prescan-server <version>`.
    pub server: String,
    /// The back end it was taken from (`sqlite`, `postgres`).
    pub source: String,
}

/// The last line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Trailer {
    end: bool,
    rows: u64,
    sha256: String,
}

/// Rows per table, in the order of [`TABLES`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TableCounts(pub [u64; TABLES.len()]);

impl TableCounts {
    /// The rows of `table` (0 for a name not in [`TABLES`]).
    pub fn get(&self, table: &str) -> u64 {
        TABLES
            .iter()
            .position(|t| *t == table)
            .map_or(0, |i| self.0[i])
    }

    /// Every row (the counters included).
    pub fn total(&self) -> u64 {
        self.0.iter().sum()
    }

    /// "12 analyses, 340 log entries, 5 specifications, ...": the tables
    /// people know, for the commands' summaries.
    pub fn sentence(&self) -> String {
        let words: [(&str, &str, &str); 10] = [
            ("analyses", "analysis", "analyses"),
            ("activity", "log entry", "log entries"),
            ("specifications", "specification", "specifications"),
            (
                "specification_files",
                "further specification file",
                "further specification files",
            ),
            ("prescans", "prescan", "prescans"),
            ("notifications", "notification", "notifications"),
            ("users", "user", "users"),
            ("teams", "team", "teams"),
            ("team_members", "team membership", "team memberships"),
            ("outbox", "e-mail", "e-mails"),
        ];
        words
            .iter()
            .map(|(table, one, many)| {
                let n = self.get(table);
                format!("{n} {}", if n == 1 { one } else { many })
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// What a backup wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupSummary {
    /// Rows per table.
    pub rows: TableCounts,
    /// The bytes of the file.
    pub bytes: u64,
}

/// What a restore wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestoreSummary {
    /// Rows per table.
    pub rows: TableCounts,
    /// The bytes of the file.
    pub bytes: u64,
    /// The header of the file.
    pub header: Header,
}

fn io_error(e: std::io::Error) -> DbError {
    DbError(format!("cannot write the backup: {e}"))
}

/// Writes a backup: the header when made, [`Writer::row`] per row, the
/// trailer with [`Writer::finish`]. Every byte goes through the checksum.
pub struct Writer<'a> {
    out: &'a mut dyn Write,
    hash: Sha256,
    bytes: u64,
    rows: TableCounts,
    rank: usize,
    line: Vec<u8>,
}

impl<'a> Writer<'a> {
    /// Writes the header of a backup of back end `source`, whose tables
    /// are of schema `schema`.
    pub fn new(
        out: &'a mut dyn Write,
        source: &str,
        schema: i64,
        created_ms: i64,
    ) -> Result<Self, DbError> {
        let mut w = Writer {
            out,
            hash: Sha256::new(),
            bytes: 0,
            rows: TableCounts::default(),
            rank: 0,
            line: Vec::new(),
        };
        let header = Header {
            format: FORMAT_NAME.into(),
            version: FORMAT_VERSION,
            schema,
            created_ms,
            server: format!("prescan-server {}", env!("CARGO_PKG_VERSION")),
            source: source.into(),
        };
        w.line.clear();
        serde_json::to_writer(&mut w.line, &header)?;
        w.emit()?;
        Ok(w)
    }

    fn emit(&mut self) -> Result<(), DbError> {
        self.line.push(b'\n');
        self.hash.update(&self.line);
        self.out.write_all(&self.line).map_err(io_error)?;
        self.bytes += self.line.len() as u64;
        Ok(())
    }

    /// Writes one row; rows come in the order of [`TABLES`].
    pub fn row(&mut self, row: &BackupRow) -> Result<(), DbError> {
        if row.rank() < self.rank {
            return Err(DbError(format!(
                "the back end gave a row of {} after rows of {}",
                row.table(),
                TABLES[self.rank]
            )));
        }
        self.rank = row.rank();
        self.line.clear();
        serde_json::to_writer(&mut self.line, row)?;
        self.emit()?;
        self.rows.0[row.rank()] += 1;
        Ok(())
    }

    /// Writes the trailer and flushes.
    pub fn finish(mut self) -> Result<BackupSummary, DbError> {
        let trailer = Trailer {
            end: true,
            rows: self.rows.total(),
            sha256: hex(&self.hash.clone().finalize()),
        };
        self.line.clear();
        serde_json::to_writer(&mut self.line, &trailer)?;
        self.line.push(b'\n');
        self.out.write_all(&self.line).map_err(io_error)?;
        self.bytes += self.line.len() as u64;
        self.out.flush().map_err(io_error)?;
        Ok(BackupSummary {
            rows: self.rows,
            bytes: self.bytes,
        })
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// What reading one bounded line found.
enum Line {
    /// A line (with its newline) in the buffer.
    Full,
    /// The end of the file, nothing read.
    End,
    /// The end of the file after bytes without a newline.
    Cut,
    /// Longer than the budget (the rest is not read).
    TooLong,
}

/// Reads one line of at most `max` bytes (newline included) into `buf`.
fn read_line(input: &mut dyn BufRead, max: usize, buf: &mut Vec<u8>) -> std::io::Result<Line> {
    buf.clear();
    loop {
        let available = match input.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Ok(if buf.is_empty() { Line::End } else { Line::Cut });
        }
        let room = max - buf.len();
        let (take, done) = match memchr(available) {
            Some(i) if i < room => (i + 1, true),
            _ => (available.len().min(room), false),
        };
        buf.extend_from_slice(&available[..take]);
        input.consume(take);
        if done {
            return Ok(Line::Full);
        }
        if buf.len() >= max {
            return Ok(Line::TooLong);
        }
    }
}

fn memchr(b: &[u8]) -> Option<usize> {
    b.iter().position(|&c| c == b'\n')
}

/// A serde_json error without its "at line 1 column N" (the line is the
/// file's, given by the caller) but with the column.
fn json_error(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let text = text
        .rsplit_once(" at line ")
        .map_or(text.as_str(), |(a, _)| a);
    format!("{text} (column {})", e.column())
}

/// Which key a line has: a row's `table`, or the trailer's `end`; and
/// whether its `row` is an object (serde would take an array too).
#[derive(Deserialize)]
struct Keys {
    table: Option<serde::de::IgnoredAny>,
    end: Option<serde::de::IgnoredAny>,
    row: Option<IsObject>,
}

/// Whether a value is a JSON object (read without keeping it).
struct IsObject(bool);

impl<'de> Deserialize<'de> for IsObject {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = IsObject;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("any value")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut m: A,
            ) -> Result<IsObject, A::Error> {
                while m
                    .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
                    .is_some()
                {}
                Ok(IsObject(true))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut s: A,
            ) -> Result<IsObject, A::Error> {
                while s.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                Ok(IsObject(false))
            }
            fn visit_bool<E>(self, _: bool) -> Result<IsObject, E> {
                Ok(IsObject(false))
            }
            fn visit_i64<E>(self, _: i64) -> Result<IsObject, E> {
                Ok(IsObject(false))
            }
            fn visit_u64<E>(self, _: u64) -> Result<IsObject, E> {
                Ok(IsObject(false))
            }
            fn visit_f64<E>(self, _: f64) -> Result<IsObject, E> {
                Ok(IsObject(false))
            }
            fn visit_str<E>(self, _: &str) -> Result<IsObject, E> {
                Ok(IsObject(false))
            }
            fn visit_unit<E>(self) -> Result<IsObject, E> {
                Ok(IsObject(false))
            }
        }
        d.deserialize_any(V)
    }
}

/// Reads a backup, checking everything the module docs list: the header
/// when made, then [`Reader::next_row`] until `Ok(None)` (the trailer
/// checked, nothing after it).
pub struct Reader<'a> {
    input: &'a mut dyn BufRead,
    budgets: Budgets,
    hash: Sha256,
    bytes: u64,
    line_no: u64,
    rows: TableCounts,
    rank: usize,
    done: bool,
    buf: Vec<u8>,
    header: Header,
    keys: Seen,
    /// The schema of this server's tables.
    schema: i64,
}

/// A text key as the reader keeps it: 16 bytes of its SHA-256, so that
/// the memory of the keys does not grow with their length (a made-up
/// file of long names), and two different keys never collide in practice.
type Digest16 = [u8; 16];

fn digest(parts: &[&[u8]]) -> Digest16 {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_le_bytes());
        h.update(p);
    }
    let mut out = [0u8; 16];
    out.copy_from_slice(&h.finalize()[..16]);
    out
}

/// The keys seen so far, to refuse duplicates and orphans (text keys as
/// digests).
#[derive(Default)]
struct Seen {
    meta: HashSet<String>,
    sealing: bool,
    users: HashSet<i64>,
    user_names: HashSet<Digest16>,
    user_lookups: HashSet<Digest16>,
    teams: HashSet<Digest16>,
    members: HashSet<Digest16>,
    analyses: HashSet<i64>,
    analysis_names: HashSet<Digest16>,
    activity: HashSet<(i64, i64)>,
    specs: HashSet<i64>,
    spec_files: HashSet<(i64, i64)>,
    prescans: HashSet<i64>,
    notifications: HashSet<i64>,
    outbox: HashSet<i64>,
    outbox_unique: HashSet<Digest16>,
    sequences: HashSet<String>,
}

impl<'a> Reader<'a> {
    /// Reads and checks the header: a backup of tables of schema `schema`
    /// (this server's).
    pub fn new(input: &'a mut dyn BufRead, budgets: Budgets, schema: i64) -> Result<Self, DbError> {
        let mut r = Reader {
            input,
            budgets,
            hash: Sha256::new(),
            bytes: 0,
            line_no: 0,
            rows: TableCounts::default(),
            rank: 0,
            done: false,
            buf: Vec::new(),
            header: Header {
                format: String::new(),
                version: 0,
                schema: 0,
                created_ms: 0,
                server: String::new(),
                source: String::new(),
            },
            keys: Seen::default(),
            schema,
        };
        if !r.next_line()? {
            return Err(DbError(
                "the file is empty: it is not a prescan backup".into(),
            ));
        }
        r.header = r.parse_header()?;
        r.hash.update(&r.buf);
        Ok(r)
    }

    /// The header read.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// Rows read so far, per table.
    pub fn counts(&self) -> &TableCounts {
        &self.rows
    }

    /// The bytes read so far.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    fn fail(&self, what: impl std::fmt::Display) -> DbError {
        DbError(format!("line {}: {what}", self.line_no))
    }

    /// Reads the next line into `buf`; `false` at the end of the file.
    fn next_line(&mut self) -> Result<bool, DbError> {
        let max = self.budgets.max_line_bytes.max(1);
        let read = read_line(self.input, max, &mut self.buf)
            .map_err(|e| DbError(format!("cannot read the backup: {e}")))?;
        match read {
            Line::End => return Ok(false),
            Line::Full => {}
            Line::Cut => {
                self.line_no += 1;
                return Err(self.fail(
                    "the file ends in the middle of a line: it was cut short (a backup ends with a trailer line)",
                ));
            }
            Line::TooLong => {
                self.line_no += 1;
                return Err(self.fail(format!(
                    "longer than {} bytes, the longest line a restore reads (a specification of {} bytes in base64, with room to spare; a server with a larger --max-spec-bytes restores with the same option)",
                    max,
                    max / 3 * 2
                )));
            }
        }
        self.line_no += 1;
        self.bytes += self.buf.len() as u64;
        if self.bytes > self.budgets.max_total_bytes {
            return Err(self.fail(format!(
                "the file is larger than {} bytes, the most a restore reads",
                self.budgets.max_total_bytes
            )));
        }
        Ok(true)
    }

    fn parse_header(&self) -> Result<Header, DbError> {
        let not_backup = || {
            self.fail(
                "not the header of a prescan backup (a backup starts with {\"format\":\"prescan-backup\",...})",
            )
        };
        let value: serde_json::Value =
            serde_json::from_slice(&self.buf).map_err(|_| not_backup())?;
        if value.get("format").and_then(|f| f.as_str()) != Some(FORMAT_NAME) {
            return Err(not_backup());
        }
        let version = value.get("version").and_then(|v| v.as_u64());
        match version {
            Some(v) if v > u64::from(FORMAT_VERSION) => {
                return Err(self.fail(format!(
                    "the backup is of format version {v}, written by a newer prescan-server; this one reads version {FORMAT_VERSION}"
                )))
            }
            Some(v) if v == u64::from(FORMAT_VERSION) => {}
            _ => {
                return Err(self.fail(format!(
                    "the header has no format version this server reads (it reads version {FORMAT_VERSION})"
                )))
            }
        }
        let header: Header = serde_json::from_value(value)
            .map_err(|e| self.fail(format!("the header is not valid: {e}")))?;
        if header.schema > self.schema {
            return Err(self.fail(format!(
                "the backup holds tables of schema {}, written by a newer prescan-server; this one knows schema {}",
                header.schema, self.schema
            )));
        }
        if header.schema != self.schema {
            return Err(self.fail(format!(
                "the backup holds tables of schema {}; this server restores schema {} only",
                header.schema, self.schema
            )));
        }
        Ok(header)
    }

    /// The next row; `Ok(None)` once the trailer is read and checked and
    /// nothing follows it.
    pub fn next_row(&mut self) -> Result<Option<BackupRow>, DbError> {
        if self.done {
            return Ok(None);
        }
        if !self.next_line()? {
            return Err(DbError(format!(
                "the file ends after line {} without its trailer line: it was cut short",
                self.line_no
            )));
        }
        if !self.buf.starts_with(b"{") {
            return Err(self.fail(
                "not a line of a backup: a row is a JSON object {\"table\":...,\"row\":{...}}",
            ));
        }
        let keys: Keys = serde_json::from_slice(&self.buf)
            .map_err(|e| self.fail(format!("not a line of a backup: {}", json_error(&e))))?;
        match (keys.table.is_some(), keys.end.is_some()) {
            (true, false) if keys.row.as_ref().is_some_and(|r| !r.0) => {
                return Err(self.fail("the row of a line must be a JSON object of its columns"))
            }
            (true, false) => {}
            (false, true) => {
                self.trailer()?;
                return Ok(None);
            }
            _ => {
                return Err(self.fail(
                    "neither a row ({\"table\":...,\"row\":{...}}) nor the trailer ({\"end\":true,...})",
                ))
            }
        }
        if self.rows.total() >= self.budgets.max_rows {
            return Err(self.fail(format!(
                "more than {} rows, the most a restore reads",
                self.budgets.max_rows
            )));
        }
        let row: BackupRow = serde_json::from_slice(&self.buf).map_err(|e| {
            let table = serde_json::from_slice::<TableName>(&self.buf)
                .map(|t| t.table)
                .unwrap_or_default();
            if !TABLES.contains(&table.as_str()) {
                self.fail(format!(
                    "unknown table {table:?} (a backup holds {})",
                    TABLES.join(", ")
                ))
            } else {
                self.fail(format!("a row of {table}: {}", json_error(&e)))
            }
        })?;
        self.hash.update(&self.buf);
        if row.rank() < self.rank {
            return Err(self.fail(format!(
                "a row of {} after rows of {}: the tables come in the order {}",
                row.table(),
                TABLES[self.rank],
                TABLES.join(", ")
            )));
        }
        self.rank = row.rank();
        self.check(&row).map_err(|e| self.fail(e))?;
        self.rows.0[row.rank()] += 1;
        Ok(Some(row))
    }

    fn trailer(&mut self) -> Result<(), DbError> {
        let t: Trailer = serde_json::from_slice(&self.buf)
            .map_err(|e| self.fail(format!("the trailer is not valid: {}", json_error(&e))))?;
        if !t.end {
            return Err(self.fail("the trailer must say \"end\":true"));
        }
        if t.rows != self.rows.total() {
            return Err(self.fail(format!(
                "the trailer counts {} rows but the file holds {}: rows were removed or added",
                t.rows,
                self.rows.total()
            )));
        }
        let sum = hex(&self.hash.clone().finalize());
        if !t.sha256.eq_ignore_ascii_case(&sum) {
            return Err(self.fail(
                "the checksum of the trailer does not match the lines before it: the file was changed or damaged",
            ));
        }
        if !self.keys.sealing {
            return Err(self.fail(
                "the backup has no sealing row (the probe of the key that sealed it): it cannot be restored",
            ));
        }
        let at = self.line_no;
        if self.next_line()? {
            return Err(self.fail(format!(
                "there is more after the trailer (line {at}): a backup ends with its trailer"
            )));
        }
        self.done = true;
        Ok(())
    }

    /// The keys and parents of a row (what the tables' constraints say),
    /// refused with a sentence.
    fn check(&mut self, row: &BackupRow) -> Result<(), String> {
        let k = &mut self.keys;
        if row.rank() > 1 && !k.sealing {
            return Err(format!(
                "a row of {} before any sealing row (the probe of the key that sealed the backup): the backup cannot be checked against the key",
                row.table()
            ));
        }
        let dup = |what: String| Err(format!("{what} appears twice"));
        match row {
            BackupRow::Meta(m) => {
                if !matches!(m.key.as_str(), "next_id" | "store_version") {
                    return Err(format!(
                        "unknown meta key {:?} (the tables have next_id and store_version)",
                        m.key
                    ));
                }
                if !k.meta.insert(m.key.clone()) {
                    return dup(format!("the meta key {:?}", m.key));
                }
                if m.key == "store_version"
                    && m.value > i64::from(prescan_core::analysis::STORE_VERSION)
                {
                    return Err(format!(
                        "the store version is {}, of a newer prescan-server (this one knows {})",
                        m.value,
                        prescan_core::analysis::STORE_VERSION
                    ));
                }
            }
            BackupRow::Sealing(s) => {
                if s.id != 1 || k.sealing {
                    return Err("a backup holds one sealing row, with id 1".into());
                }
                k.sealing = true;
            }
            BackupRow::Users(u) => {
                if !k.users.insert(u.id) {
                    return dup(format!("user {}", u.id));
                }
                if !k.user_names.insert(digest(&[u.name_folded.as_bytes()])) {
                    return dup(format!("the user name {:?}", u.name));
                }
                if !k.user_lookups.insert(digest(&[&u.token_lookup.0])) {
                    return dup(format!("the token of user {}", u.id));
                }
            }
            BackupRow::Teams(t) => {
                if !k.teams.insert(digest(&[t.id.as_bytes()])) {
                    return dup(format!("team {:?}", t.id));
                }
            }
            BackupRow::TeamMembers(m) => {
                if !k.teams.contains(&digest(&[m.team_id.as_bytes()])) {
                    return Err(format!(
                        "a member of team {:?}, which is not in the backup",
                        m.team_id
                    ));
                }
                if !k.users.contains(&m.user_id) {
                    return Err(format!(
                        "a member who is user {}, who is not in the backup",
                        m.user_id
                    ));
                }
                if !k
                    .members
                    .insert(digest(&[m.team_id.as_bytes(), &m.user_id.to_le_bytes()]))
                {
                    return dup(format!("user {} in team {:?}", m.user_id, m.team_id));
                }
            }
            BackupRow::Analyses(a) => {
                if !k.analyses.insert(a.id) {
                    return dup(format!("analysis {}", a.id));
                }
                if !k.analysis_names.insert(digest(&[a.name_folded.as_bytes()])) {
                    return dup(format!("the analysis name {:?}", a.name));
                }
            }
            BackupRow::Activity(a) => {
                if !k.analyses.contains(&a.analysis_id) {
                    return Err(format!(
                        "a log entry of analysis {}, which is not in the backup",
                        a.analysis_id
                    ));
                }
                if !k.activity.insert((a.analysis_id, a.seq)) {
                    return dup(format!("log entry {} of analysis {}", a.seq, a.analysis_id));
                }
            }
            BackupRow::Specifications(s) => {
                if !k.specs.insert(s.id) {
                    return dup(format!("specification {}", s.id));
                }
            }
            BackupRow::SpecificationFiles(f) => {
                if !k.specs.contains(&f.spec_id) {
                    return Err(format!(
                        "a file of specification {}, which is not in the backup",
                        f.spec_id
                    ));
                }
                if !k.spec_files.insert((f.spec_id, f.position)) {
                    return dup(format!(
                        "file {} of specification {}",
                        f.position, f.spec_id
                    ));
                }
            }
            BackupRow::Prescans(p) => {
                if !k.analyses.contains(&p.analysis_id) {
                    return Err(format!(
                        "a prescan of analysis {}, which is not in the backup",
                        p.analysis_id
                    ));
                }
                if !k.prescans.insert(p.scan_id) {
                    return dup(format!("the prescan of scan {}", p.scan_id));
                }
            }
            BackupRow::Notifications(n) => {
                if !k.notifications.insert(n.id) {
                    return dup(format!("notification {}", n.id));
                }
            }
            BackupRow::Outbox(o) => {
                if !k.outbox.insert(o.id) {
                    return dup(format!("e-mail {}", o.id));
                }
                if !k.outbox_unique.insert(digest(&[
                    &o.notification_id.to_le_bytes(),
                    o.email.as_bytes(),
                ])) {
                    return dup(format!(
                        "the e-mail of notification {} to {}",
                        o.notification_id, o.email
                    ));
                }
            }
            BackupRow::Sequences(s) => {
                if !SEQUENCES.contains(&s.name.as_str()) {
                    return Err(format!(
                        "unknown counter {:?} (a backup holds those of {})",
                        s.name,
                        SEQUENCES.join(", ")
                    ));
                }
                if !k.sequences.insert(s.name.clone()) {
                    return dup(format!("the counter of {}", s.name));
                }
            }
        }
        Ok(())
    }

    /// What was read, once [`Reader::next_row`] returned `Ok(None)`.
    pub fn summary(&self) -> RestoreSummary {
        RestoreSummary {
            rows: self.rows.clone(),
            bytes: self.bytes,
            header: self.header.clone(),
        }
    }
}

/// Only the `table` of a row (for an error's sentence).
#[derive(Deserialize)]
struct TableName {
    #[serde(default)]
    table: String,
}

/// Rows per table of a whole backup read by [`Reader`] (tests, and a
/// check of a file without a database): the rows, or the first error.
pub fn read_all(
    input: &mut dyn BufRead,
    budgets: Budgets,
    schema: i64,
) -> Result<(Header, Vec<BackupRow>), DbError> {
    let mut r = Reader::new(input, budgets, schema)?;
    let mut rows = Vec::new();
    while let Some(row) = r.next_row()? {
        rows.push(row);
    }
    Ok((r.header.clone(), rows))
}

/// Rows per table as a map (for a summary in JSON, or a test).
pub fn counts_map(c: &TableCounts) -> BTreeMap<&'static str, u64> {
    TABLES.iter().copied().zip(c.0.iter().copied()).collect()
}

/// The core's shared id counter after a restore: above `next_id` (the
/// backup's `meta.next_id`, raised past every row id read) and above every
/// id the restored state holds, the scans' ones inside the analyses'
/// bodies included. Both back ends set `meta.next_id` to it.
pub(crate) fn next_id_after_restore(
    state: &prescan_core::analysis::StoreState,
    next_id: i64,
) -> i64 {
    let highest = state
        .analyses
        .iter()
        .flat_map(|a| std::iter::once(a.id.0).chain(a.scans.iter().map(|s| s.id.0)))
        .chain(state.specifications.iter().map(|s| s.record.id.0))
        .max()
        .unwrap_or(0);
    next_id.max(highest.saturating_add(1).min(i64::MAX as u64) as i64)
}
