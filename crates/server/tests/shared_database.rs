//! Two servers on one database: what one commits, the other reads and
//! builds on. Each server has its own SQLite connection and its own
//! in-memory state, exactly as two processes would; the persistence seam
//! (`src/db/`) must notice the other's commits before every read and
//! mutation, serialize mutations across both, and let both engines tick
//! without doing a step twice.

mod common;

use std::collections::BTreeMap;

use common::{config, eventually, new_analysis, spec, start_with, Api};
use prescan_core::analysis::{NotificationKind, Outcome};
use prescan_core::api::{self, NotificationList};
use serde_json::{json, Value};

fn succeeding_name(prefix: &str) -> String {
    (0..1000)
        .map(|i| format!("{prefix} {i}"))
        .find(|n| Outcome::for_run(n, 1, 1) == Outcome::Succeeds)
        .expect("some name succeeds")
}

async fn notifications(api: &Api) -> NotificationList {
    let r = api.get(&api::notifications_path(0)).await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.bytes));
    serde_json::from_slice(&r.bytes).expect("a NotificationList")
}

async fn total(api: &Api) -> u64 {
    api.get("/api/v1/analyses?size=1").await.json()["page"]["total_elements"]
        .as_u64()
        .unwrap()
}

#[tokio::test]
async fn two_servers_share_one_database() {
    let dir = tempfile::tempdir().unwrap();
    let (a_server, a) = start_with(config(dir.path())).await;
    let (b_server, b) = start_with(config(dir.path())).await;

    // A specification uploaded to one is listed and served by the other.
    let bytes = spec("https://api.example.com");
    let up = a
        .upload("shared.json", "application/json", bytes.as_bytes())
        .await;
    assert_eq!(up.status, 201, "{}", String::from_utf8_lossy(&up.bytes));
    let spec_id = up.json()["spec_id"].as_u64().unwrap();
    let listed = b.get("/api/v1/specifications").await.json();
    assert_eq!(listed["specifications"][0]["spec_id"], spec_id, "{listed}");
    let original = b
        .get(&format!("/api/v1/specifications/{spec_id}/original"))
        .await;
    assert_eq!(original.status, 200);
    assert_eq!(original.bytes, bytes.as_bytes());
    // The same file uploaded to the other is recognized (the reuse rule
    // looks in the database, inside the mutation).
    let again = b
        .upload("shared.json", "application/json", bytes.as_bytes())
        .await;
    assert_eq!(again.json()["spec_id"], spec_id);

    // An analysis created on A is read, changed and refused by name on B.
    let name = succeeding_name("Shared run");
    let created = a
        .post(
            "/api/v1/analyses",
            &new_analysis(&name, spec_id, json!({ "type": "now" })),
        )
        .await;
    assert_eq!(
        created.status,
        201,
        "{}",
        String::from_utf8_lossy(&created.bytes)
    );
    let id = created.json()["analysis_id"].as_u64().unwrap();
    assert_eq!(b.get(&format!("/api/v1/analyses/{id}")).await.status, 200);
    let clash = b
        .post(
            "/api/v1/analyses",
            &new_analysis(
                &name.to_uppercase(),
                spec_id,
                json!({ "type": "unscheduled" }),
            ),
        )
        .await;
    assert_eq!(
        clash.status,
        422,
        "{}",
        String::from_utf8_lossy(&clash.bytes)
    );

    // Creations on both at once: none is lost, and of two creations with
    // one name, exactly one wins.
    let mut calls: Vec<(&Api, Value)> = Vec::new();
    for i in 0..10 {
        for (side, api) in [("A", &a), ("B", &b)] {
            let name = format!("Concurrent {side} {i}");
            calls.push((
                api,
                new_analysis(&name, spec_id, json!({ "type": "unscheduled" })),
            ));
        }
        for api in [&a, &b] {
            let name = format!("Contested {i}");
            calls.push((
                api,
                new_analysis(&name, spec_id, json!({ "type": "unscheduled" })),
            ));
        }
    }
    let calls = calls
        .iter()
        .map(|(api, body)| async move { api.post("/api/v1/analyses", body).await.status });
    let statuses = futures_util::future::join_all(calls).await;
    let created = statuses.iter().filter(|s| **s == 201).count();
    let refused = statuses.iter().filter(|s| **s == 422).count();
    assert_eq!((created, refused), (30, 10), "{statuses:?}");
    assert_eq!(total(&a).await, 31);
    assert_eq!(total(&b).await, 31);

    // Both engines tick over the same analysis: it moves on once per step,
    // and every notification is sent once.
    let published = eventually(60, || async {
        let l = notifications(&b).await;
        l.notifications
            .iter()
            .any(|n| n.kind == NotificationKind::ResultsPublished && n.analysis_id.0 == id)
            .then_some(l)
    })
    .await;
    let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
    for n in published
        .notifications
        .iter()
        .filter(|n| n.analysis_id.0 == id)
    {
        *kinds.entry(format!("{:?}", n.kind)).or_default() += 1;
    }
    assert!(kinds.len() >= 2, "{kinds:?}");
    assert!(
        kinds.values().all(|n| *n == 1),
        "a step done twice: {kinds:?}"
    );
    let on_a = notifications(&a).await;
    assert_eq!(on_a.notifications.len(), published.notifications.len());
    let log: Value = a.get(&format!("/api/v1/analyses/{id}/audits")).await.json();
    let log_b: Value = b.get(&format!("/api/v1/analyses/{id}/audits")).await.json();
    assert_eq!(log, log_b);

    // A change on B is what A shows next, and a deletion on A is gone on B.
    let renamed = b
        .patch(
            &format!("/api/v1/analyses/{id}"),
            &json!({ "name": "Renamed on B" }),
        )
        .await;
    assert_eq!(
        renamed.status,
        200,
        "{}",
        String::from_utf8_lossy(&renamed.bytes)
    );
    assert_eq!(
        a.get(&format!("/api/v1/analyses/{id}")).await.json()["name"],
        "Renamed on B"
    );
    let list = a.get("/api/v1/analyses?size=100").await.json();
    let other = list["analyses"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["name"] == "Concurrent A 0")
        .unwrap_or_else(|| panic!("listed: {list}"))["analysis_id"]
        .as_u64()
        .unwrap();
    let deleted = a.delete(&format!("/api/v1/analyses/{other}")).await;
    assert_eq!(
        deleted.status,
        204,
        "{}",
        String::from_utf8_lossy(&deleted.bytes)
    );
    assert_eq!(
        b.get(&format!("/api/v1/analyses/{other}")).await.status,
        404
    );
    assert_eq!(total(&b).await, 30);

    a_server.stop().await.unwrap();
    b_server.stop().await.unwrap();
}
