//! Backups (issue 19): `prescan-server backup FILE` while the server runs
//! and writes, `prescan-server restore FILE` into a new data directory,
//! and the format read as hostile input (`src/db/backup.rs`).

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::convert::Infallible;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use common::{config, eventually, start_with, Api, Resp};
use prescan_core::analysis::{AnalysisId, Notification, NotificationKind, Recipients};
use prescan_server::db::backup::{self, BackupRow, Budgets, Header};
use prescan_server::db::{Changes, MailComposer, MailText, Reader};
use prescan_server::{admin, Db, Server};
use serde_json::{json, Value};

const LEAD: &str = "Lee Lead";
/// A credential of a scan: it must never be in a backup in clear.
const SECRET: &str = "hunter2-backup-secret";

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_prescan-server"))
}

fn ok(r: &Resp, status: u16) -> Value {
    assert_eq!(r.status, status, "{}", String::from_utf8_lossy(&r.bytes));
    r.json()
}

/// Writes e-mails as the outbox stores them (no relay: they wait).
struct TestMail;

impl MailComposer for TestMail {
    fn compose(&self, n: &Notification, user_name: &str) -> MailText {
        MailText {
            subject: format!("{:?} of {}", n.kind, n.analysis_name),
            body: format!("Dear {user_name}, {}", n.detail),
        }
    }
    fn enqueued(&self) {}
}

/// A notification for the security leads, written (with its e-mails) by
/// `db` in one transaction, as a change of the store does.
fn notify(db: &Db, analysis: u64, detail: &str) {
    let n = Notification {
        kind: NotificationKind::ResultsPublished,
        analysis_id: AnalysisId(analysis),
        analysis_name: format!("Analysis {analysis}"),
        at_ms: prescan_server::now_ms(),
        recipients: Recipients::SecurityLeads,
        detail: detail.into(),
        simulated: false,
    };
    db.mutate::<(), Infallible>(|_, _| {
        Ok((
            (),
            Changes {
                notifications: vec![n],
                ..Changes::default()
            },
        ))
    })
    .expect("the notification is written");
}

/// A prescan target: `/ok` 200, `/secret` 401.
async fn target() -> String {
    let app = Router::new()
        .route("/ok", get(|| async { (StatusCode::OK, "fine") }))
        .route(
            "/secret",
            get(|| async { (StatusCode::UNAUTHORIZED, "who are you?") }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

const BOUNDARY: &str = "prescan-backup-boundary-0d9f";

/// A specification of two files, uploaded as multipart/form-data.
async fn upload_two_files(api: &Api, server: &str) -> Value {
    let root = format!(
        "openapi: 3.0.3
info: {{title: Two, version: '1'}}
servers: [{{url: '{server}'}}]
paths:
  /pets:
    post:
      requestBody:
        content:
          application/json:
            schema: {{$ref: './schemas.yaml#/Pet'}}
      responses: {{'201': {{description: created}}}}
"
    );
    let schemas = "Pet:\n  type: object\n  properties:\n    nickname: {type: string}\n";
    let mut body = Vec::new();
    for (name, bytes) in [("openapi.yaml", root.as_str()), ("./schemas.yaml", schemas)] {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n{bytes}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    let r = api
        .send(
            api.client
                .post(api.url("/api/v1/specifications"))
                .header(
                    "content-type",
                    format!("multipart/form-data; boundary={BOUNDARY}"),
                )
                .body(body),
        )
        .await;
    ok(&r, 201)
}

/// A server on `dir` with a security lead (whose token the API uses).
async fn server_with_lead(dir: &Path) -> (Server, Api) {
    let (server, api) = start_with(config(dir)).await;
    let token = admin::add_user(
        &server.state.db,
        LEAD,
        &["security-lead".to_owned()],
        Some("lee@example.com"),
        &[],
        None,
        prescan_server::now_ms(),
    )
    .unwrap()
    .stdout;
    let api = Api::new(api.base, Some(token.trim()));
    (server, api)
}

/// What `populate` made.
struct Made {
    analyses: Vec<u64>,
    scan_with_prescan: u64,
}

/// Every kind of row: users, a team and a member, a specification of
/// one file and one of two, analyses (one with a credential), a finished
/// prescan, notifications and their e-mails (written by a second
/// connection with e-mail on, as a second process would).
async fn populate(server: &Server, api: &Api, dir: &Path) -> Made {
    let db = &server.state.db;
    admin::add_team(db, "payments", Some("Payments"), 1).unwrap();
    admin::add_user(
        db,
        "Ann Creator",
        &["creator".to_owned()],
        Some("ann@example.com"),
        &["payments".to_owned()],
        None,
        prescan_server::now_ms(),
    )
    .unwrap();
    let target = target().await;
    let spec = ok(
        &api.upload(
            "tiny.json",
            "application/json",
            common::spec(&target).as_bytes(),
        )
        .await,
        201,
    );
    let spec_id = spec["spec_id"].as_u64().unwrap();
    upload_two_files(api, &target).await;
    let mut analyses = Vec::new();
    for (i, start) in ["now", "now", "unscheduled"].iter().enumerate() {
        let a = ok(
            &api.post(
                "/api/v1/analyses",
                &common::new_analysis(&format!("Populated {i}"), spec_id, json!({ "type": start })),
            )
            .await,
            201,
        );
        analyses.push(a["analysis_id"].as_u64().unwrap());
    }
    let with_secret = ok(
        &api.post(
            "/api/v1/analyses",
            &json!({
                "name": "With a credential",
                "scans": [{
                    "target": { "type": "api_specification", "spec_id": spec_id, "server": target },
                    "auth": { "custom_headers": [{ "name": "X-Api-Secret", "value": SECRET }] }
                }],
                "schedule": { "start": { "type": "unscheduled" }, "duration": { "unit": "hours", "value": 1 } },
                "prescan": true,
                "permission_certified": true
            }),
        )
        .await,
        201,
    );
    analyses.push(with_secret["analysis_id"].as_u64().unwrap());
    let scan = with_secret["scans"][0]["scan_id"].as_u64().unwrap();
    let path = format!("/api/v1/scans/{scan}/prescan");
    ok(
        &api.post(
            &path,
            &json!({ "requests_per_second": 50, "timeout_ms": 3000 }),
        )
        .await,
        202,
    );
    eventually(20, || async {
        let p = api.get(&path).await.json();
        (p["state"] != "running").then_some(())
    })
    .await;
    // E-mails: a second connection that enqueues them (no relay here).
    let mailer = server
        .state
        .config
        .open_db()
        .unwrap()
        .with_mail(Arc::new(TestMail));
    let _ = dir;
    notify(&mailer, analyses[0], "published for the backup");
    notify(&mailer, analyses[1], "published again");
    Made {
        analyses,
        scan_with_prescan: scan,
    }
}

fn read(bytes: &[u8]) -> (Header, Vec<BackupRow>) {
    backup::read_all(
        &mut &bytes[..],
        Budgets::default(),
        prescan_server::db::SCHEMA_VERSION,
    )
    .expect("a valid backup")
}

fn lib_backup(db: &Db) -> Vec<u8> {
    let mut out = Vec::new();
    db.backup(&mut out).expect("the backup is written");
    out
}

/// Nothing restored: the tables a restore fills are all empty.
fn assert_empty(db: &Db) {
    assert_eq!(db.read(|s| s.analyses.len()).unwrap(), 0);
    assert_eq!(db.read(|s| s.specifications.len()).unwrap(), 0);
    assert!(!db.people(|p| p.has_users()).unwrap());
    assert!(db.outbox(0, 10).unwrap().is_empty());
    let (n, latest) = db
        .notifications(
            &Reader {
                name: LEAD,
                security_lead: true,
            },
            0,
            10,
        )
        .unwrap();
    assert!(n.is_empty() && latest == 0);
    // A backup of it holds its meta and sealing rows only.
    let rows = read(&lib_backup(db)).1;
    assert!(
        rows.iter()
            .all(|r| matches!(r, BackupRow::Meta(_) | BackupRow::Sealing(_))),
        "{rows:?}"
    );
}

/// The data directory `dir` with the key file of `from` (mode 0600).
fn with_key_of(from: &Path, dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::copy(from.join("prescan.key"), dir.join("prescan.key")).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_under_write_load_restores_everything_acknowledged() {
    let source = tempfile::tempdir().unwrap();
    let (a_server, a) = server_with_lead(source.path()).await;
    let made = populate(&a_server, &a, source.path()).await;

    // Write load: a task creates analyses (half started at once, so the
    // engine ticks them) and acts on them while the backup runs.
    let created = Arc::new(Mutex::new(Vec::<u64>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let load = {
        let created = created.clone();
        let stop = stop.clone();
        let api = Api::new(a.base.clone(), a.token.as_deref());
        let spec_id = ok(&a.get("/api/v1/specifications").await, 200)["specifications"][0]
            ["spec_id"]
            .as_u64()
            .unwrap();
        tokio::spawn(async move {
            let mut i = 0u64;
            while !stop.load(Ordering::SeqCst) && i < 2000 {
                let start = if i.is_multiple_of(2) {
                    "now"
                } else {
                    "unscheduled"
                };
                let r = api
                    .post(
                        "/api/v1/analyses",
                        &common::new_analysis(
                            &format!("Load {i}"),
                            spec_id,
                            json!({ "type": start }),
                        ),
                    )
                    .await;
                assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.bytes));
                let id = r.json()["analysis_id"].as_u64().unwrap();
                created.lock().unwrap().push(id);
                if i % 4 == 2 {
                    // Stop and save the one started before (or a 409).
                    let prev = created.lock().unwrap()[i as usize - 2];
                    let s = api
                        .post(
                            &format!("/api/v1/analyses/{prev}/actions"),
                            &json!({ "action": "STOP_SAVE" }),
                        )
                        .await;
                    assert!(s.status == 200 || s.status == 409, "{}", s.status);
                }
                i += 1;
            }
            i
        })
    };
    eventually(30, || async {
        (created.lock().unwrap().len() >= 20).then_some(())
    })
    .await;

    // Acknowledged before the backup starts: these must all be in it.
    let acknowledged: Vec<u64> = made
        .analyses
        .iter()
        .copied()
        .chain(created.lock().unwrap().iter().copied())
        .collect();
    let mut logs_before = BTreeMap::new();
    for id in &made.analyses {
        let audits = ok(&a.get(&format!("/api/v1/analyses/{id}/audits")).await, 200);
        logs_before.insert(*id, audits["audits"].as_array().unwrap().len());
    }
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("prescan.backup");
    let during_before = created.lock().unwrap().len();
    let backup = {
        let (dir, file) = (source.path().to_path_buf(), file.clone());
        tokio::task::spawn_blocking(move || {
            bin()
                .arg("backup")
                .arg(&file)
                .args(common::store_args(&dir, false))
                .output()
                .unwrap()
        })
        .await
        .unwrap()
    };
    let during_after = created.lock().unwrap().len();
    let stderr = String::from_utf8_lossy(&backup.stderr);
    assert!(backup.status.success(), "{stderr}");
    assert!(
        stderr.contains("prescan-server: backed up ") && stderr.contains("analyses"),
        "{stderr}"
    );
    // Let the load go on a little after it, then stop it.
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, Ordering::SeqCst);
    let total = load.await.unwrap();
    eprintln!(
        "load: {total} analyses created, {} while the backup ran",
        during_after - during_before
    );

    let bytes = std::fs::read(&file).unwrap();
    assert!(
        !String::from_utf8_lossy(&bytes).contains(SECRET),
        "a credential in clear in the backup"
    );
    let (header, rows) = read(&bytes);
    assert_eq!(
        header.source,
        if common::postgres().is_some() {
            "postgres"
        } else {
            "sqlite"
        }
    );
    assert_eq!(header.schema, prescan_server::db::SCHEMA_VERSION);
    let in_backup: BTreeSet<u64> = rows
        .iter()
        .filter_map(|r| match r {
            BackupRow::Analyses(a) => Some(a.id as u64),
            _ => None,
        })
        .collect();
    for id in &acknowledged {
        assert!(
            in_backup.contains(id),
            "analysis {id} acknowledged before the backup is not in it"
        );
    }
    let mut log_rows: BTreeMap<u64, usize> = BTreeMap::new();
    for r in &rows {
        if let BackupRow::Activity(e) = r {
            *log_rows.entry(e.analysis_id as u64).or_default() += 1;
        }
    }
    for (id, n) in &logs_before {
        assert!(
            log_rows[id] >= *n,
            "analysis {id}: {} log rows, {n} before",
            log_rows[id]
        );
    }
    // Consistent: every analysis has its log (its creation at least), no
    // half of a mutation.
    for id in &in_backup {
        assert!(
            log_rows.get(id).is_some_and(|n| *n >= 1),
            "analysis {id} without its log"
        );
    }
    // An e-mail is written with its notification: never one without it.
    let notification_ids: BTreeSet<i64> = rows
        .iter()
        .filter_map(|r| match r {
            BackupRow::Notifications(n) => Some(n.id),
            _ => None,
        })
        .collect();
    for r in &rows {
        if let BackupRow::Outbox(o) = r {
            assert!(notification_ids.contains(&o.notification_id), "{o:?}");
        }
    }
    let count = |f: fn(&BackupRow) -> bool| rows.iter().filter(|r| f(r)).count();
    assert!(count(|r| matches!(r, BackupRow::Prescans(_))) >= 1);
    assert!(count(|r| matches!(r, BackupRow::SpecificationFiles(_))) >= 1);
    assert!(count(|r| matches!(r, BackupRow::Outbox(_))) >= 2);
    assert!(count(|r| matches!(r, BackupRow::TeamMembers(_))) >= 1);
    assert!(count(|r| matches!(r, BackupRow::Sequences(_))) >= 2);

    // Restored into a new data directory with the source's key file.
    let restored = tempfile::tempdir().unwrap();
    let target_dir = restored.path().join("data");
    with_key_of(source.path(), &target_dir);
    let r = bin()
        .arg("restore")
        .arg(&file)
        .args(common::store_args(&target_dir, false))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&r.stderr);
    assert!(r.status.success(), "{stderr}");
    assert!(stderr.contains("prescan-server: restored "), "{stderr}");
    a_server.stop().await.unwrap();

    // A server on it serves every row the backup holds, to the same
    // token (its lookup is keyed with the same key).
    let (b_server, b0) = start_with(config(&target_dir)).await;
    let b = Api::new(b0.base.clone(), a.token.as_deref());
    let db = b_server.state.db.clone();
    let mut max_id = 0i64;
    let mut next_id = 0i64;
    let mut last_notification = 0i64;
    let mut lead_notifications = BTreeSet::new();
    let mut outbox = Vec::new();
    for r in &rows {
        match r {
            BackupRow::Meta(m) if m.key == "next_id" => next_id = m.value,
            BackupRow::Analyses(x) => {
                max_id = max_id.max(x.id);
                let got = ok(&b.get(&format!("/api/v1/analyses/{}", x.id)).await, 200);
                assert_eq!(got["name"], x.name.as_str());
                let audits = ok(
                    &b.get(&format!("/api/v1/analyses/{}/audits", x.id)).await,
                    200,
                );
                let n = audits["audits"].as_array().unwrap().len();
                assert!(
                    n >= log_rows[&(x.id as u64)],
                    "analysis {}: {n} entries",
                    x.id
                );
            }
            BackupRow::Specifications(s) => {
                max_id = max_id.max(s.id);
                let original = b
                    .get(&format!("/api/v1/specifications/{}/original", s.id))
                    .await;
                assert_eq!(original.status, 200);
                assert_eq!(original.bytes, s.bytes.0, "specification {}", s.id);
            }
            BackupRow::SpecificationFiles(f) => {
                let files = db.specification_files(f.spec_id as u64).unwrap().unwrap();
                let file = &files[f.position as usize];
                assert_eq!(
                    (file.name.as_str(), &file.bytes),
                    (f.name.as_str(), &f.bytes.0)
                );
            }
            BackupRow::Prescans(p) => {
                let got = ok(
                    &b.get(&format!("/api/v1/scans/{}/prescan", p.scan_id)).await,
                    200,
                );
                assert_ne!(got["state"], "running", "{got}");
            }
            BackupRow::Users(u) => {
                assert!(
                    db.people(|p| p.user(&u.name)).unwrap().is_some(),
                    "{}",
                    u.name
                );
            }
            BackupRow::Teams(t) => {
                let teams = db.people(|p| p.teams()).unwrap();
                assert!(teams.iter().any(|x| x.id == t.id), "{}", t.id);
            }
            BackupRow::Notifications(n) => {
                last_notification = last_notification.max(n.id);
                if n.to_leads || n.schedule_owner.as_deref() == Some(LEAD) {
                    lead_notifications.insert(n.id as u64);
                }
            }
            BackupRow::Outbox(o) => outbox.push(o.clone()),
            BackupRow::Sequences(s) => last_notification = last_notification.max(s.last_id),
            _ => {}
        }
    }
    let prescan = ok(
        &b.get(&format!("/api/v1/scans/{}/prescan", made.scan_with_prescan))
            .await,
        200,
    );
    assert_ne!(prescan["state"], "running", "{prescan}");
    let reader = Reader {
        name: LEAD,
        security_lead: true,
    };
    let (served, _) = db.notifications(&reader, 0, 1_000_000).unwrap();
    let served: BTreeSet<u64> = served.iter().map(|(id, _)| *id).collect();
    assert!(lead_notifications.is_subset(&served));
    let listed = ok(&b.get(&prescan_core::api::notifications_path(0)).await, 200);
    assert!(
        listed["latest_notification_id"].as_u64().unwrap() >= *lead_notifications.last().unwrap()
    );
    let mails = db.outbox(0, 1_000_000).unwrap();
    for o in &outbox {
        let m = mails
            .iter()
            .find(|m| m.id == o.id)
            .expect("the e-mail is kept");
        assert_eq!(
            (
                m.notification_id,
                m.email.as_str(),
                m.text.subject.as_str(),
                m.text.body.as_str()
            ),
            (
                o.notification_id as u64,
                o.email.as_str(),
                o.subject.as_str(),
                o.body.as_str()
            )
        );
    }

    // New rows get new ids.
    let spec_id = rows
        .iter()
        .find_map(|r| match r {
            BackupRow::Specifications(s) => Some(s.id as u64),
            _ => None,
        })
        .unwrap();
    let new = ok(
        &b.post(
            "/api/v1/analyses",
            &common::new_analysis(
                "After the restore",
                spec_id,
                json!({ "type": "unscheduled" }),
            ),
        )
        .await,
        201,
    );
    let new_id = new["analysis_id"].as_i64().unwrap();
    assert!(
        new_id > max_id && new_id >= next_id,
        "{new_id} reuses an id (max {max_id}, next {next_id})"
    );
    notify(&db, new_id as u64, "after the restore");
    let latest = db.notifications(&reader, 0, 1_000_000).unwrap().1;
    assert!(
        latest as i64 > last_notification,
        "notification {latest} reuses an id"
    );
    b_server.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_restore_backup_gives_the_same_rows() {
    let source = tempfile::tempdir().unwrap();
    let (server, api) = server_with_lead(source.path()).await;
    populate(&server, &api, source.path()).await;
    server.stop().await.unwrap();
    let db = common::open_db(source.path());
    let first = lib_backup(&db);

    let target = tempfile::tempdir().unwrap();
    with_key_of(source.path(), target.path());
    let restored = common::open_db(target.path());
    let summary = restored
        .restore(&mut &first[..], Budgets::default())
        .unwrap();
    let (h1, rows1) = read(&first);
    assert_eq!(summary.rows.total() as usize, rows1.len());
    assert_eq!(summary.bytes as usize, first.len());
    let second = lib_backup(&restored);
    let (h2, rows2) = read(&second);
    assert_eq!(rows1, rows2);
    assert_eq!(
        Header {
            created_ms: 0,
            ..h1
        },
        Header {
            created_ms: 0,
            ..h2
        }
    );
    // The lines are the same bytes (but the header's time).
    let body = |b: &[u8]| {
        let text = String::from_utf8(b.to_vec()).unwrap();
        let lines: Vec<String> = text.lines().skip(1).map(str::to_owned).collect();
        lines[..lines.len() - 1].to_vec()
    };
    assert_eq!(body(&first), body(&second));
    // And a server opens it as it opened the source: the same state.
    assert_eq!(
        db.read(|s| serde_json::to_value(&s.analyses).unwrap())
            .unwrap(),
        common::on_test_database(config(target.path()))
            .open_db()
            .unwrap()
            .read(|s| serde_json::to_value(&s.analyses).unwrap())
            .unwrap()
    );
}

/// A small valid backup (every kind of row) and the data directory whose
/// key sealed it.
async fn small_backup() -> (tempfile::TempDir, Vec<u8>) {
    let source = tempfile::tempdir().unwrap();
    let (server, api) = server_with_lead(source.path()).await;
    populate(&server, &api, source.path()).await;
    server.stop().await.unwrap();
    let bytes = lib_backup(&common::open_db(source.path()));
    (source, bytes)
}

fn lines(bytes: &[u8]) -> Vec<String> {
    String::from_utf8(bytes.to_vec())
        .unwrap()
        .lines()
        .map(|l| format!("{l}\n"))
        .collect()
}

/// `lines` joined with a trailer that holds (so that only the change
/// made is wrong).
fn resealed(lines: &[String]) -> Vec<u8> {
    use sha2::Digest;
    let body: String = lines.concat();
    let sum: String = sha2::Sha256::digest(body.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!(
        "{body}{}\n",
        json!({ "end": true, "rows": lines.len() - 1, "sha256": sum })
    )
    .into_bytes()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_files_are_refused_with_a_sentence_and_nothing_is_written() {
    let (source, good) = small_backup().await;
    let all = lines(&good);
    let (head, rows) = (all[0].clone(), all[1..all.len() - 1].to_vec());
    let team = rows
        .iter()
        .position(|l| l.starts_with(r#"{"table":"teams""#))
        .unwrap();
    let with = |i: usize, line: String| {
        let mut v = all[..all.len() - 1].to_vec();
        v[i + 1] = line;
        resealed(&v)
    };
    let mut cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("an empty file", Vec::new(), "the file is empty"),
        (
            "garbage bytes",
            vec![0xff, 0xfe, 0, 1, 2, b'\n', 0x80, b'{', b'\n'],
            "line 1: not the header of a prescan backup",
        ),
        ("text", b"hello\n".to_vec(), "line 1: not the header"),
        (
            "no trailer",
            all[..all.len() - 1].concat().into_bytes(),
            "without its trailer line",
        ),
        (
            "cut in the middle of a line",
            good[..good.len() - 30].to_vec(),
            "cut short",
        ),
        (
            "a row changed",
            {
                let mut v = all.clone();
                v[team + 1] = v[team + 1].replace("Payments", "Paymentz");
                v.concat().into_bytes()
            },
            "the checksum of the trailer does not match",
        ),
        (
            "a row removed",
            {
                let mut v = all.clone();
                v.remove(all.len() - 2);
                v.concat().into_bytes()
            },
            "rows were removed or added",
        ),
        (
            "an unknown table",
            with(
                team,
                rows[team].replace(r#""table":"teams""#, r#""table":"groups""#),
            ),
            r#"unknown table "groups""#,
        ),
        (
            "an unknown field",
            with(
                team,
                rows[team].replace(r#""name":"#, r#""colour":"red","name":"#),
            ),
            "unknown field `colour`",
        ),
        (
            "a field missing",
            with(team, rows[team].replace(r#""name":"Payments","#, "")),
            "missing field `name`",
        ),
        (
            "a wrong type",
            with(
                team,
                rows[team].replace(r#""created_ms":1"#, r#""created_ms":"soon""#),
            ),
            "invalid type",
        ),
        (
            "a key twice in one row",
            with(
                team,
                rows[team].replace(r#""name":"#, r#""id":"web","name":"#),
            ),
            "duplicate field `id`",
        ),
        (
            "a row as an array",
            with(
                team,
                r#"{"table":"teams","row":["payments","Payments",1]}"#.to_owned() + "\n",
            ),
            "line 7: the row of a line must be a JSON object",
        ),
        (
            "a line as an array",
            with(
                team,
                r#"["teams",{"id":"payments","name":"Payments","created_ms":1}]"#.to_owned() + "\n",
            ),
            "line 7: not a line of a backup",
        ),
        (
            "a row twice",
            {
                let mut v = all[..all.len() - 1].to_vec();
                v.insert(team + 1, rows[team].clone());
                resealed(&v)
            },
            r#"team "payments" appears twice"#,
        ),
        (
            "rows out of order",
            {
                let mut v = all[..all.len() - 1].to_vec();
                let meta = v.remove(1);
                v.insert(team + 1, meta);
                resealed(&v)
            },
            "a row of meta after rows of",
        ),
        (
            "a newer format",
            with_header(&all, &head.replace(r#""version":1"#, r#""version":2"#)),
            "line 1: the backup is of format version 2, written by a newer prescan-server",
        ),
        (
            "a newer schema",
            with_header(
                &all,
                &head.replace(
                    &format!(r#""schema":{}"#, prescan_server::db::SCHEMA_VERSION),
                    &format!(r#""schema":{}"#, prescan_server::db::SCHEMA_VERSION + 1),
                ),
            ),
            Box::leak(
                format!(
                    "line 1: the backup holds tables of schema {}, written by a newer prescan-server",
                    prescan_server::db::SCHEMA_VERSION + 1
                )
                .into_boxed_str(),
            ),
        ),
        (
            "rows after the trailer",
            {
                let mut v = good.clone();
                v.extend_from_slice(rows[team].as_bytes());
                v
            },
            "there is more after the trailer",
        ),
        (
            "no sealing row",
            {
                let v: Vec<String> = all[..all.len() - 1]
                    .iter()
                    .filter(|l| !l.starts_with(r#"{"table":"sealing""#))
                    .cloned()
                    .collect();
                resealed(&v)
            },
            "line 4: a row of users before any sealing row",
        ),
        (
            "bytes that are not base64",
            {
                let i = rows
                    .iter()
                    .position(|l| l.starts_with(r#"{"table":"specifications""#))
                    .unwrap();
                let v: Value = serde_json::from_str(&rows[i]).unwrap();
                let b64 = v["row"]["bytes"].as_str().unwrap().to_owned();
                with(i, rows[i].replace(&b64, "not*base64!"))
            },
            "bytes that are not base64",
        ),
    ];
    // A line over the budget (the real one: 75 MiB).
    let mut huge = head.clone().into_bytes();
    huge.extend_from_slice(&vec![b'x'; backup::MAX_LINE_BYTES + 10]);
    cases.push((
        "a line over the budget",
        huge,
        "line 2: longer than 78643200 bytes",
    ));

    let target = tempfile::tempdir().unwrap();
    with_key_of(source.path(), target.path());
    let db = common::open_db(target.path());
    for (what, bytes, expected) in &cases {
        let err = db
            .restore(&mut &bytes[..], Budgets::default())
            .expect_err(what)
            .to_string();
        assert!(err.contains(expected), "{what}: {err}");
        eprintln!("{what}: {err}");
    }
    assert_empty(&db);

    // Every byte changed, and every cut: refused, never a panic.
    let step = (good.len() / 300).max(1);
    for i in (0..good.len())
        .step_by(step)
        .chain(good.len() - 120..good.len())
    {
        let mut bad = good.clone();
        bad[i] ^= 0x01;
        assert!(
            db.restore(&mut &bad[..], Budgets::default()).is_err(),
            "a change at byte {i} was restored"
        );
        assert!(
            db.restore(&mut &good[..i], Budgets::default()).is_err(),
            "a file cut at byte {i} was restored"
        );
    }
    assert_empty(&db);

    // Another key: refused before anything is written.
    let other = tempfile::tempdir().unwrap();
    let other_db = common::open_db(other.path());
    let err = other_db
        .restore(&mut &good[..], Budgets::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("sealed with another key"), "{err}");
    assert_empty(&other_db);

    // The good file restores; a second time, the database is not empty.
    db.restore(&mut &good[..], Budgets::default()).unwrap();
    let err = db
        .restore(&mut &good[..], Budgets::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("the database is not empty"), "{err}");
}

fn with_header(all: &[String], header: &str) -> Vec<u8> {
    let mut v = all[..all.len() - 1].to_vec();
    v[0] = header.to_owned();
    resealed(&v)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_budget_is_enforced() {
    let (source, good) = small_backup().await;
    let target = tempfile::tempdir().unwrap();
    with_key_of(source.path(), target.path());
    let db = common::open_db(target.path());
    let rows = read(&good).1.len() as u64;
    let longest = lines(&good).iter().map(String::len).max().unwrap();
    let tries = [
        (
            Budgets {
                max_line_bytes: longest - 1,
                ..Budgets::default()
            },
            format!("longer than {} bytes", longest - 1),
        ),
        (
            Budgets {
                max_rows: rows - 1,
                ..Budgets::default()
            },
            format!("more than {} rows", rows - 1),
        ),
        (
            Budgets {
                max_total_bytes: good.len() as u64 - 200,
                ..Budgets::default()
            },
            format!("the file is larger than {} bytes", good.len() - 200),
        ),
    ];
    for (budgets, expected) in &tries {
        let err = db
            .restore(&mut &good[..], *budgets)
            .unwrap_err()
            .to_string();
        assert!(err.contains(expected.as_str()), "{expected}: {err}");
        assert_empty(&db);
    }
    // At the budgets exactly, it restores.
    let exact = Budgets {
        max_line_bytes: longest,
        max_rows: rows,
        max_total_bytes: good.len() as u64,
    };
    db.restore(&mut &good[..], exact).unwrap();
    // The budget follows the server's default largest specification.
    assert_eq!(
        backup::DEFAULT_MAX_SPEC_BYTES,
        prescan_server::DEFAULT_MAX_SPEC_BYTES
    );
    // --max-spec-bytes lifts the line budget, never below the default.
    assert_eq!(
        Budgets::for_max_spec_bytes(1).max_line_bytes,
        backup::MAX_LINE_BYTES
    );
    assert_eq!(
        Budgets::for_max_spec_bytes(200 << 20).max_line_bytes,
        300 << 20
    );
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_commands_exit_codes_file_modes_and_standard_streams() {
    use std::io::Write;
    use std::os::unix::fs::PermissionsExt;
    let (source, _) = small_backup().await;
    let work = tempfile::tempdir().unwrap();
    let run = |args: &[&str], dir: &Path, stdin: Option<&[u8]>| {
        let mut c = bin();
        c.args(args)
            .args(common::store_args(dir, args.contains(&"--key-file")));
        c.stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = c.spawn().unwrap();
        let mut input = child.stdin.take().unwrap();
        if let Some(bytes) = stdin {
            input.write_all(bytes).unwrap();
        }
        drop(input);
        child.wait_with_output().unwrap()
    };
    let code = |o: &std::process::Output| o.status.code().unwrap();
    let text = |o: &std::process::Output| String::from_utf8_lossy(&o.stderr).into_owned();

    // Bad usage: 2.
    assert_eq!(code(&run(&["backup"], source.path(), None)), 2);
    assert_eq!(code(&run(&["restore"], source.path(), None)), 2);
    assert_eq!(code(&run(&["backup", "a", "b"], source.path(), None)), 2);
    // No database: 1, and none is made (a data directory; a PostgreSQL
    // database is there or the connection says it is not).
    if common::postgres().is_none() {
        let missing = work.path().join("missing");
        let o = run(&["backup", "x.backup"], &missing, None);
        assert_eq!(code(&o), 1, "{}", text(&o));
        assert!(text(&o).contains("no database in"), "{}", text(&o));
        assert!(!missing.exists());
    }

    // To a file: 0600, no temporary file left, a summary on stderr.
    let file = work.path().join("b.jsonl");
    let o = run(&["backup", file.to_str().unwrap()], source.path(), None);
    assert_eq!(code(&o), 0, "{}", text(&o));
    assert!(o.stdout.is_empty());
    let summary = text(&o);
    assert!(
        summary.starts_with("prescan-server: backed up 4 analyses, ")
            && summary.contains(&format!("to {}", file.display())),
        "{summary}"
    );
    let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "{mode:o}");
    let names: Vec<_> = std::fs::read_dir(work.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names.iter().filter(|n| n.contains("partial")).count(),
        0,
        "{names:?}"
    );
    // An unwritable place: 1, nothing under the final name.
    let o = run(
        &[
            "backup",
            work.path().join("no/such/dir/b").to_str().unwrap(),
        ],
        source.path(),
        None,
    );
    assert_eq!(code(&o), 1, "{}", text(&o));

    // To standard output: the same rows.
    let o = run(&["backup", "-"], source.path(), None);
    assert_eq!(code(&o), 0, "{}", text(&o));
    assert!(text(&o).contains("to standard output"), "{}", text(&o));
    assert_eq!(read(&o.stdout).1, read(&std::fs::read(&file).unwrap()).1);

    // Restore without the key: 2, nothing made. (On PostgreSQL the
    // database is the cluster's; what is checked of files is SQLite's.)
    let sqlite = common::postgres().is_none();
    let target = work.path().join("restored");
    let o = run(&["restore", file.to_str().unwrap()], &target, None);
    assert_eq!(code(&o), 2, "{}", text(&o));
    assert!(text(&o).contains("needs the key file"), "{}", text(&o));
    assert!(!sqlite || !target.exists());
    // A missing file: 1.
    let key = source.path().join("prescan.key");
    let key_arg = key.to_str().unwrap();
    let o = run(
        &["restore", "/nonexistent/b", "--key-file", key_arg],
        &target,
        None,
    );
    assert_eq!(code(&o), 1, "{}", text(&o));
    // Garbage on standard input: 1.
    let o = run(
        &["restore", "-", "--key-file", key_arg],
        &target,
        Some(b"\x00\x01garbage"),
    );
    assert_eq!(code(&o), 1, "{}", text(&o));
    assert!(text(&o).contains("nothing was restored"), "{}", text(&o));
    // ... and the database it made is gone.
    assert!(!sqlite || !target.exists());
    // Another key: 1, nothing left (a retry with the right key works).
    let other = work.path().join("other.key");
    std::fs::write(&other, format!("{}\n", "ab".repeat(32))).unwrap();
    std::fs::set_permissions(&other, std::fs::Permissions::from_mode(0o600)).unwrap();
    let o = run(
        &[
            "restore",
            file.to_str().unwrap(),
            "--key-file",
            other.to_str().unwrap(),
        ],
        &target,
        None,
    );
    assert_eq!(code(&o), 1, "{}", text(&o));
    assert!(
        text(&o).contains("sealed with another key")
            || (!sqlite && text(&o).contains("not the key this database was sealed with")),
        "{}",
        text(&o)
    );
    assert!(!sqlite || !target.exists());
    // From standard input: 0; a second time: 1 (not empty).
    let backup = std::fs::read(&file).unwrap();
    let o = run(
        &["restore", "-", "--key-file", key_arg],
        &target,
        Some(&backup),
    );
    assert_eq!(code(&o), 0, "{}", text(&o));
    assert!(
        text(&o).starts_with("prescan-server: restored 4 analyses, "),
        "{}",
        text(&o)
    );
    let o = run(
        &["restore", "-", "--key-file", key_arg],
        &target,
        Some(&backup),
    );
    assert_eq!(code(&o), 1, "{}", text(&o));
    assert!(text(&o).contains("not empty"), "{}", text(&o));
    // The people are there for the administration commands.
    let o = run(&["users", "list", "--key-file", key_arg], &target, None);
    assert_eq!(code(&o), 0, "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains(LEAD));
}

/// Figures for the README: 1,000 analyses with their logs, backed up
/// and restored through the library (run with `--ignored --nocapture`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore]
async fn figures_for_a_thousand_analyses() {
    let source = tempfile::tempdir().unwrap();
    let (server, api) = server_with_lead(source.path()).await;
    let spec_id = ok(
        &api.upload(
            "tiny.json",
            "application/json",
            common::spec("https://api.example.com").as_bytes(),
        )
        .await,
        201,
    )["spec_id"]
        .as_u64()
        .unwrap();
    for i in 0..1000u32 {
        let start = if i.is_multiple_of(2) {
            "now"
        } else {
            "unscheduled"
        };
        ok(
            &api.post(
                "/api/v1/analyses",
                &common::new_analysis(&format!("Figure {i}"), spec_id, json!({ "type": start })),
            )
            .await,
            201,
        );
    }
    // The engine moves the started ones on (log entries, notifications).
    tokio::time::sleep(Duration::from_secs(15)).await;
    server.stop().await.unwrap();
    let db = common::open_db(source.path());
    let t = Instant::now();
    let bytes = lib_backup(&db);
    let backup_time = t.elapsed();
    let (_, rows) = read(&bytes);
    let kept = tempfile::tempdir().unwrap();
    let target: PathBuf = kept.path().join("data");
    with_key_of(source.path(), &target);
    let restored = common::open_db(&target);
    let t = Instant::now();
    let summary = restored
        .restore(&mut &bytes[..], Budgets::default())
        .unwrap();
    let restore_time = t.elapsed();
    eprintln!(
        "FIGURES: {} rows ({}), {} bytes ({:.2} MB); backup {:.0} ms, restore {:.0} ms",
        rows.len(),
        summary.rows.sentence(),
        bytes.len(),
        bytes.len() as f64 / 1e6,
        backup_time.as_secs_f64() * 1e3,
        restore_time.as_secs_f64() * 1e3
    );
    // Writers during backups: the slowest of 50 writes (a notification
    // each, committed), without and with backups running meanwhile.
    let slowest = |db: &Db| {
        (0..50)
            .map(|i| {
                let t = Instant::now();
                notify(db, 1, &format!("write {i}"));
                t.elapsed()
            })
            .max()
            .unwrap()
    };
    let alone = slowest(&db);
    let done = AtomicBool::new(false);
    let (during, backups) = std::thread::scope(|s| {
        let backups = s.spawn(|| {
            let mut n = 0;
            while !done.load(Ordering::SeqCst) {
                lib_backup(&db);
                n += 1;
            }
            n
        });
        let during = slowest(&db);
        done.store(true, Ordering::SeqCst);
        (during, backups.join().unwrap())
    });
    eprintln!(
        "FIGURES: slowest write {:.1} ms alone, {:.1} ms during {backups} backups",
        alone.as_secs_f64() * 1e3,
        during.as_secs_f64() * 1e3
    );
}

/// Everything a user reads through the API, for comparing two servers:
/// the analyses (each whole, with its log), the specifications (each with
/// its original bytes) and the lead's notifications.
async fn everything(api: &Api) -> Value {
    use sha2::Digest as _;
    let list = ok(&api.get("/api/v1/analyses?size=100").await, 200);
    let mut analyses = Vec::new();
    for a in list["analyses"].as_array().unwrap() {
        let id = a["analysis_id"].as_u64().unwrap();
        analyses.push(json!({
            "analysis": ok(&api.get(&format!("/api/v1/analyses/{id}")).await, 200),
            "audits": ok(&api.get(&format!("/api/v1/analyses/{id}/audits")).await, 200),
        }));
    }
    let specs = ok(&api.get("/api/v1/specifications").await, 200);
    let mut originals = Vec::new();
    for s in specs["specifications"].as_array().unwrap() {
        let id = s["spec_id"].as_u64().unwrap();
        let r = api
            .get(&format!("/api/v1/specifications/{id}/original"))
            .await;
        assert_eq!(r.status, 200);
        originals.push(json!({ "id": id, "bytes": r.bytes.len(), "sha": format!("{:x}", sha2::Sha256::digest(&r.bytes)) }));
    }
    json!({
        "analyses": analyses,
        "specifications": specs,
        "originals": originals,
        "notifications": ok(&api.get("/api/v1/notifications").await, 200),
    })
}

/// Moving to more than one machine: a backup of an SQLite data directory
/// restores into PostgreSQL, and a server there shows every analysis,
/// scan, log entry, specification and notification as the SQLite server
/// did, to the same users (run when the suite has PostgreSQL).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_sqlite_backup_restores_into_postgresql_with_everything() {
    if common::postgres().is_none() {
        eprintln!("skipped: PRESCAN_TEST_DATABASE_URL is not set (scripts/test sets it)");
        return;
    }
    // On SQLite, whatever the suite runs on.
    let source = tempfile::tempdir().unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server = prescan_server::start(config(source.path()), listener, std::future::pending())
        .await
        .unwrap();
    assert!(server.state.config.database_url.is_none());
    let token = admin::add_user(
        &server.state.db,
        LEAD,
        &["security-lead".to_owned()],
        Some("lee@example.com"),
        &[],
        None,
        prescan_server::now_ms(),
    )
    .unwrap()
    .stdout;
    let api = Api::new(format!("http://{}", server.addr), Some(token.trim()));
    populate(&server, &api, source.path()).await;
    server.stop().await.unwrap();
    // Read with the engine stopped, so both sides show the same moment.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let frozen = prescan_server::Config {
        engine: prescan_server::EngineSpeed::Realistic.config(),
        ..config(source.path())
    };
    let server = prescan_server::start(frozen, listener, std::future::pending())
        .await
        .unwrap();
    let api = Api::new(format!("http://{}", server.addr), Some(token.trim()));
    let before = everything(&api).await;
    server.stop().await.unwrap();

    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("move.backup");
    let b = bin()
        .arg("backup")
        .arg(&file)
        .arg("--data-dir")
        .arg(source.path())
        .output()
        .unwrap();
    assert!(b.status.success(), "{}", String::from_utf8_lossy(&b.stderr));
    let target = tempfile::tempdir().unwrap();
    let key = source.path().join("prescan.key");
    let r = bin()
        .arg("restore")
        .arg(&file)
        .args(common::store_args(target.path(), true))
        .arg("--key-file")
        .arg(&key)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&r.stderr);
    assert!(r.status.success(), "{stderr}");
    assert!(stderr.contains("into postgres://"), "{stderr}");

    let (pg, _) = start_with(prescan_server::Config {
        key_file: Some(key),
        engine: prescan_server::EngineSpeed::Realistic.config(),
        ..config(target.path())
    })
    .await;
    assert!(pg.state.config.database_url.is_some());
    let api = Api::new(format!("http://{}", pg.addr), Some(token.trim()));
    let after = everything(&api).await;
    assert_eq!(before, after);
    assert!(before["analyses"].as_array().unwrap().len() >= 4);
    // New rows get new ids there.
    let spec_id = before["specifications"]["specifications"][0]["spec_id"]
        .as_u64()
        .unwrap();
    let created = ok(
        &api.post(
            "/api/v1/analyses",
            &common::new_analysis(
                "Made on PostgreSQL",
                spec_id,
                json!({ "type": "unscheduled" }),
            ),
        )
        .await,
        201,
    );
    let highest = before["analyses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["analysis"]["analysis_id"].as_u64().unwrap())
        .max()
        .unwrap();
    assert!(created["analysis_id"].as_u64().unwrap() > highest);
    pg.stop().await.unwrap();
}
