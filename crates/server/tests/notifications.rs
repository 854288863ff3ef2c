//! Notifications over the API (engine runs, prescans, paging, restarts) and
//! named users (`--users-file`, `GET /me`).

mod common;

use common::{config, eventually, new_analysis, spec, start_with};
use prescan_core::analysis::{Notification, NotificationKind, Outcome};
use prescan_core::api::{self, NotificationList};
use prescan_server::{parse_users, UserToken};
use serde_json::{json, Value};

fn succeeding_name(prefix: &str) -> String {
    (0..1000)
        .map(|i| format!("{prefix} {i}"))
        .find(|n| Outcome::for_run(n, 1, 1) == Outcome::Succeeds)
        .expect("some name succeeds")
}

async fn list(api: &common::Api, after: u64) -> NotificationList {
    let r = api.get(&api::notifications_path(after)).await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.bytes));
    serde_json::from_slice(&r.bytes).expect("a NotificationList")
}

async fn upload_tiny(api: &common::Api, server: &str) -> u64 {
    api.upload("tiny.json", "application/json", spec(server).as_bytes())
        .await
        .json()["spec_id"]
        .as_u64()
        .unwrap()
}

#[tokio::test]
async fn a_run_publishes_results_and_notifications_page_and_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let (server, api) = start_with(config(dir.path())).await;
    let empty = list(&api, 0).await;
    assert!(empty.notifications.is_empty());
    assert_eq!(empty.latest_notification_id, 0);
    let spec_id = upload_tiny(&api, "https://api.example.com").await;
    let name = succeeding_name("Notified run");
    let a = api
        .post(
            "/api/v1/analyses",
            &new_analysis(&name, spec_id, json!({ "type": "now" })),
        )
        .await
        .json();
    let id = a["analysis_id"].as_u64().unwrap();
    let all: NotificationList = eventually(40, || async {
        let l = list(&api, 0).await;
        l.notifications
            .iter()
            .any(|n| n.kind == NotificationKind::ResultsPublished)
            .then_some(l)
    })
    .await;
    let published = all
        .notifications
        .iter()
        .find(|n| n.kind == NotificationKind::ResultsPublished)
        .unwrap();
    assert_eq!(published.analysis_id.0, id);
    assert_eq!(published.analysis_name, name);
    assert!(!published.failure);
    assert_eq!(
        published.subject,
        NotificationKind::ResultsPublished.subject()
    );
    let core: Notification = published.to_core();
    assert_eq!(published.message, core.message());
    assert_eq!(
        all.latest_notification_id,
        all.notifications.last().unwrap().notification_id
    );
    // The wire form as the contract writes it.
    let raw = api.get("/api/v1/notifications").await.json();
    let first = &raw["notifications"][0];
    assert!(first["kind"].is_string() && first["created_on"].as_str().unwrap().ends_with('Z'));
    // Ids grow, `after` pages, `limit` caps.
    let ids: Vec<u64> = all
        .notifications
        .iter()
        .map(|n| n.notification_id)
        .collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
    let after_first = list(&api, ids[0]).await;
    assert_eq!(after_first.notifications.len(), ids.len() - 1);
    assert!(after_first
        .notifications
        .iter()
        .all(|n| n.notification_id > ids[0]));
    let latest = all.latest_notification_id;
    let none = list(&api, latest).await;
    assert!(none.notifications.is_empty());
    assert_eq!(none.latest_notification_id, latest);
    let one = api
        .get("/api/v1/notifications?after=0&limit=1")
        .await
        .json();
    assert_eq!(one["notifications"].as_array().unwrap().len(), 1);
    assert_eq!(one["notifications"][0]["notification_id"], ids[0]);
    // Bad parameters are 400 problems naming them.
    for (q, field) in [
        ("after=-1", "after"),
        ("after=abc", "after"),
        ("after=1.5", "after"),
        ("after=99999999999999999999", "after"),
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=x", "limit"),
        ("after=1&after=2", "after"),
    ] {
        let p = api
            .get(&format!("/api/v1/notifications?{q}"))
            .await
            .problem(400);
        assert_eq!(p["errors"][0]["field"], field, "{q}: {p}");
    }
    // A restart keeps them, with their ids; new ones come after.
    drop(server);
    let (server, api) = start_with(config(dir.path())).await;
    let again = list(&api, 0).await;
    assert_eq!(again.notifications, all.notifications);
    assert_eq!(again.latest_notification_id, latest);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn a_failed_prescan_notifies() {
    let dir = tempfile::tempdir().unwrap();
    let (server, api) = start_with(config(dir.path())).await;
    // Nothing listens on port 1: every request fails at once.
    let spec_id = upload_tiny(&api, "http://127.0.0.1:1").await;
    let a = api
        .post(
            "/api/v1/analyses",
            &new_analysis("Prescan fails", spec_id, json!({ "type": "unscheduled" })),
        )
        .await
        .json();
    let scan = a["scans"][0]["scan_id"].as_u64().unwrap();
    let before = list(&api, 0).await.latest_notification_id;
    let r = api
        .post(
            &format!("/api/v1/scans/{scan}/prescan"),
            &json!({ "requests_per_second": 50, "timeout_ms": 2000 }),
        )
        .await;
    assert_eq!(r.status, 202, "{}", String::from_utf8_lossy(&r.bytes));
    let l: NotificationList = eventually(15, || async {
        let l = list(&api, before).await;
        (!l.notifications.is_empty()).then_some(l)
    })
    .await;
    let n = &l.notifications[0];
    assert_eq!(n.kind, NotificationKind::PrescanFailed);
    assert!(n.failure);
    assert_eq!(n.analysis_id.0, a["analysis_id"].as_u64().unwrap());
    assert_eq!(n.schedule_owner.as_deref(), Some("Anonymous"));
    assert!(n.message.contains("Prescan fails"), "{}", n.message);
    // The activity log has it too, in the same transaction.
    let audits = api
        .get(&format!("/api/v1/analyses/{}/audits", a["analysis_id"]))
        .await
        .json();
    assert!(audits["audits"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["event_type"] == "NOTIFICATION_SENT"));
    server.stop().await.unwrap();
}

#[test]
fn users_files_are_read_strictly() {
    let ok = parse_users(
        "# who may call\n\nAda Lovelace\tada-0123456789abcdef\r\nbob\t  bob-0123456789abcdef  \n",
        None,
    )
    .unwrap();
    assert_eq!(
        ok,
        vec![
            UserToken {
                name: "Ada Lovelace".into(),
                token: "ada-0123456789abcdef".into()
            },
            UserToken {
                name: "bob".into(),
                token: "bob-0123456789abcdef".into()
            },
        ]
    );
    assert!(
        !format!("{:?}", ok[0]).contains("0123"),
        "Debug hides tokens"
    );
    let dup = parse_users(
        "ada\tsame-0123456789abcdef\n# x\nbob\tsame-0123456789abcdef\n",
        None,
    )
    .unwrap_err();
    assert!(
        dup.contains("line 3") && dup.contains("ada") && dup.contains("line 1"),
        "{dup}"
    );
    let short = parse_users("ada\tshort\n", None).unwrap_err();
    assert!(short.contains("line 1") && short.contains("16"), "{short}");
    let no_tab = parse_users("ada 0123456789abcdef0\n", None).unwrap_err();
    assert!(
        no_tab.contains("line 1") && no_tab.contains("tab"),
        "{no_tab}"
    );
    let no_name = parse_users("\t0123456789abcdef0\n", None).unwrap_err();
    assert!(no_name.contains("name"), "{no_name}");
    let same_as_token = parse_users(
        "ada\tshared-0123456789abcdef\n",
        Some("shared-0123456789abcdef"),
    )
    .unwrap_err();
    assert!(same_as_token.contains("--token"), "{same_as_token}");
}

#[tokio::test]
async fn named_users_are_recorded_under_their_names() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = config(dir.path());
    c.token = Some("shared-token-of-the-api".into());
    c.users = parse_users(
        "Ada Lovelace\tada-0123456789abcdef\nBob\tbob-0123456789abcdef\n",
        c.token.as_deref(),
    )
    .unwrap();
    let (server, shared) = start_with(c).await;
    let ada = common::Api::new(shared.base.clone(), Some("ada-0123456789abcdef"));
    let bob = common::Api::new(shared.base.clone(), Some("bob-0123456789abcdef"));
    let anon = common::Api::new(shared.base.clone(), None);
    let wrong = common::Api::new(shared.base.clone(), Some("ada-0123456789abcdeX"));
    for (api, name) in [(&ada, "Ada Lovelace"), (&bob, "Bob"), (&shared, "API user")] {
        // Named tokens act as security leads with every role, as before
        // users existed.
        assert_eq!(
            api.get("/api/v1/me").await.json(),
            json!({
                "user_display_name": name,
                "roles": ["SECURITY_LEAD", "CREATOR", "SUBMITTER", "REVIEWER"],
                "teams": [],
                "shareable_teams": []
            })
        );
    }
    anon.get("/api/v1/me").await.problem(401);
    wrong.get("/api/v1/me").await.problem(401);
    anon.get("/api/v1/notifications").await.problem(401);
    wrong.get("/api/v1/analyses").await.problem(401);
    assert_eq!(anon.get("/api/v1/health").await.status, 200);

    // Ada uploads and creates; Bob configures; the shared token stops.
    let spec = ada
        .upload(
            "tiny.json",
            "application/json",
            spec("https://api.example.com").as_bytes(),
        )
        .await
        .json();
    assert_eq!(spec["uploaded_by_user"], "Ada Lovelace");
    let spec_id = spec["spec_id"].as_u64().unwrap();
    let a = ada
        .post(
            "/api/v1/analyses",
            &new_analysis("Two users", spec_id, json!({ "type": "unscheduled" })),
        )
        .await;
    assert_eq!(a.status, 201);
    let a = a.json();
    assert_eq!(a["created_by"], "Ada Lovelace");
    let path = format!("/api/v1/analyses/{}", a["analysis_id"]);
    let changed = bob
        .patch(&path, &json!({ "name": "Two users, renamed" }))
        .await;
    assert_eq!(
        changed.status,
        200,
        "{}",
        String::from_utf8_lossy(&changed.bytes)
    );
    let changed = changed.json();
    assert_eq!(changed["created_by"], "Ada Lovelace");
    assert_eq!(changed["last_modified_by"], "Bob");
    let started = shared
        .patch(
            &path,
            &json!({ "schedule": { "start": { "type": "now" }, "duration": { "unit": "hours", "value": 1 } } }),
        )
        .await;
    assert_eq!(
        started.status,
        200,
        "{}",
        String::from_utf8_lossy(&started.bytes)
    );
    let stopped = shared
        .post(
            &format!("{path}/actions"),
            &json!({ "action": "STOP_SAVE" }),
        )
        .await;
    assert_eq!(
        stopped.status,
        200,
        "{}",
        String::from_utf8_lossy(&stopped.bytes)
    );
    let audits: Vec<Value> = ada.get(&format!("{path}/audits")).await.json()["audits"]
        .as_array()
        .unwrap()
        .clone();
    let by = |user: &str| {
        audits
            .iter()
            .filter(|e| e["user_display_name"] == user)
            .map(|e| e["event_type"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert!(
        by("Ada Lovelace").contains(&"CREATED".to_owned()),
        "{audits:?}"
    );
    assert!(
        by("Bob").contains(&"CONFIGURATION_CHANGED".to_owned()),
        "{audits:?}"
    );
    assert!(
        by("API user").contains(&"ACTION_REQUESTED".to_owned()),
        "{audits:?}"
    );
    server.stop().await.unwrap();
}

#[tokio::test]
async fn a_server_without_tokens_calls_everyone_anonymous() {
    let dir = tempfile::tempdir().unwrap();
    let (server, api) = start_with(config(dir.path())).await;
    assert_eq!(
        api.get("/api/v1/me").await.json(),
        json!({
            "user_display_name": "Anonymous",
            "roles": ["SECURITY_LEAD", "CREATOR", "SUBMITTER", "REVIEWER"],
            "teams": [],
            "shareable_teams": []
        })
    );
    let spec_id = upload_tiny(&api, "https://api.example.com").await;
    let a = api
        .post(
            "/api/v1/analyses",
            &new_analysis("Nobody's", spec_id, json!({ "type": "unscheduled" })),
        )
        .await
        .json();
    assert_eq!(a["created_by"], "Anonymous");
    server.stop().await.unwrap();
}

#[test]
fn the_binary_refuses_a_users_file_with_a_duplicate_token() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("users.tsv");
    std::fs::write(
        &file,
        "# users\nada\tsame-0123456789abcdef\nbob\tsame-0123456789abcdef\n",
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_prescan-server"))
        .args(["--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path().join("data"))
        .arg("--users-file")
        .arg(&file)
        .output()
        .expect("the binary runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--users-file") && err.contains("line 3") && err.contains("ada"),
        "{err}"
    );
}
