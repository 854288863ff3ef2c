//! `GET /export` and `POST /import` (issue 19): an export of one server
//! imported into another adds its analyses (names, scans, logs, the
//! specifications' bytes) without credentials; a name the server has
//! refuses the whole import; security leads only; hostile documents and
//! exceeded budgets are problems and write nothing.

mod common;

use common::{config, new_analysis, spec, start_with, Api, Resp};
use prescan_server::{admin, Config};
use serde_json::{json, Value};

const SPEC_SERVER: &str = "https://api.example.com";

/// A server with a specification and two analyses (one with credentials
/// and a changed name: its log has two entries).
async fn source() -> (prescan_server::Server, Api, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let (server, api) = start_with(config(dir.path())).await;
    let spec_id = api
        .upload(
            "tiny.json",
            "application/json",
            spec(SPEC_SERVER).as_bytes(),
        )
        .await
        .json()["spec_id"]
        .as_u64()
        .unwrap();
    let mut first = new_analysis("Payments weekly", spec_id, json!({ "type": "unscheduled" }));
    first["scans"][0]["auth"] = json!({
        "custom_headers": [{ "name": "X-Api-Secret", "value": "hunter2-secret" }],
        "custom_cookies": [{ "name": "session", "value": "abc123-cookie" }],
        "bearer": "bearer-token-value"
    });
    let a = api.post("/api/v1/analyses", &first).await;
    assert_eq!(a.status, 201, "{}", String::from_utf8_lossy(&a.bytes));
    let id = a.json()["analysis_id"].as_u64().unwrap();
    let renamed = api
        .patch(
            &format!("/api/v1/analyses/{id}"),
            &json!({ "name": "Payments weekly scan" }),
        )
        .await;
    assert_eq!(
        renamed.status,
        200,
        "{}",
        String::from_utf8_lossy(&renamed.bytes)
    );
    let b = api
        .post(
            "/api/v1/analyses",
            &new_analysis("Web nightly", spec_id, json!({ "type": "unscheduled" })),
        )
        .await;
    assert_eq!(b.status, 201);
    (server, api, dir)
}

async fn import(api: &Api, file_name: Option<&str>, body: &[u8]) -> Resp {
    let path = match file_name {
        Some(n) => format!("/api/v1/import?file_name={n}"),
        None => "/api/v1/import".to_owned(),
    };
    api.send(
        api.client
            .post(api.url(&path))
            .header("content-type", "application/json")
            .body(body.to_vec()),
    )
    .await
}

async fn names(api: &Api) -> Vec<String> {
    let l = api.get("/api/v1/analyses?size=100&sort=name").await.json();
    l["analyses"]
        .as_array()
        .or_else(|| l["content"].as_array())
        .unwrap_or_else(|| panic!("{l}"))
        .iter()
        .map(|a| a["name"].as_str().unwrap().to_owned())
        .collect()
}

async fn spec_count(api: &Api) -> usize {
    let l = api.get("/api/v1/specifications").await.json();
    l["specifications"]
        .as_array()
        .or_else(|| l.as_array())
        .unwrap_or_else(|| panic!("{l}"))
        .len()
}

#[tokio::test]
async fn an_export_imported_into_another_server_adds_everything_but_credentials() {
    let (a_server, a, _a_dir) = source().await;
    let export = a.get("/api/v1/export").await;
    assert_eq!(
        export.status,
        200,
        "{}",
        String::from_utf8_lossy(&export.bytes)
    );
    assert_eq!(
        export.header("content-type").as_deref(),
        Some("application/json")
    );
    let cd = export.header("content-disposition").unwrap();
    assert!(
        cd.starts_with("attachment; filename=\"prescan-analyses-20"),
        "{cd}"
    );
    let text = String::from_utf8_lossy(&export.bytes).to_string();
    for secret in ["hunter2-secret", "abc123-cookie", "bearer-token-value"] {
        assert!(!text.contains(secret), "{secret} in the export");
    }
    assert!(text.contains("X-Api-Secret") && text.contains("session"));
    let doc = export.json();
    assert!(doc["prescans"].as_object().is_none_or(|p| p.is_empty()));
    assert_eq!(doc["analyses"].as_array().unwrap().len(), 2);
    assert_eq!(doc["specifications"].as_array().unwrap().len(), 1);
    // The browser's own reader takes it.
    prescan_core::analysis::StoreState::from_json(&text).expect("the core reads it");

    // A second server, with an analysis of its own.
    let b_dir = tempfile::tempdir().unwrap();
    let (b_server, b) = start_with(config(b_dir.path())).await;
    let own = b
        .upload("own.json", "application/json", spec(SPEC_SERVER).as_bytes())
        .await
        .json()["spec_id"]
        .as_u64()
        .unwrap();
    assert_eq!(
        b.post(
            "/api/v1/analyses",
            &new_analysis("Kept on the server", own, json!({ "type": "unscheduled" }))
        )
        .await
        .status,
        201
    );
    let r = import(&b, Some("a.json"), &export.bytes).await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.bytes));
    let added = r.json();
    let ids: Vec<u64> = added["analysis_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    assert_eq!(ids.len(), 2);
    assert_eq!(added["spec_ids"].as_array().unwrap().len(), 1);
    assert_eq!(added["demo_left_out"], 0);
    let new_spec = added["spec_ids"][0].as_u64().unwrap();
    assert_ne!(new_spec, own);
    assert_eq!(
        names(&b).await,
        ["Kept on the server", "Payments weekly scan", "Web nightly"]
    );
    // The scans point at the new specification, whose bytes are the file's.
    for id in &ids {
        let an = b.get(&format!("/api/v1/analyses/{id}")).await.json();
        assert_eq!(an["scans"][0]["target"]["spec_id"], new_spec, "{an}");
    }
    let original = b
        .get(&format!("/api/v1/specifications/{new_spec}/original"))
        .await;
    assert_eq!(original.status, 200);
    assert_eq!(original.bytes, spec(SPEC_SERVER).as_bytes());
    // The log is the file's, and an entry says who imported it, from where.
    let audits = b
        .get(&format!("/api/v1/analyses/{}/audits", ids[0]))
        .await
        .json();
    let details: Vec<String> = audits["audits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["details"].as_str().unwrap().to_owned())
        .collect();
    assert!(details.len() >= 3, "{details:?}");
    let last = details.last().unwrap();
    assert!(
        last.starts_with("Imported by Anonymous from a.json"),
        "{last}"
    );
    let a_audits = a
        .get(&format!(
            "/api/v1/analyses/{}/audits",
            doc["analyses"][0]["id"]
        ))
        .await
        .json();
    assert_eq!(
        a_audits["audits"].as_array().unwrap().len() + 1,
        details.len()
    );
    // The credentials stay empty; their names are kept.
    let again = String::from_utf8_lossy(&b.get("/api/v1/export").await.bytes).to_string();
    assert!(again.contains("X-Api-Secret"));
    for secret in ["hunter2-secret", "abc123-cookie", "bearer-token-value"] {
        assert!(!again.contains(secret));
    }
    let stored = std::fs::read_dir(b_dir.path())
        .unwrap()
        .flat_map(|e| std::fs::read(e.unwrap().path()).unwrap_or_default())
        .collect::<Vec<u8>>();
    assert!(!String::from_utf8_lossy(&stored).contains("hunter2-secret"));

    // The same file again: every name is taken; nothing is written.
    let before_specs = spec_count(&b).await;
    let r = import(&b, Some("a.json"), &export.bytes).await;
    let p = r.problem(422);
    let detail = p["detail"].as_str().unwrap();
    assert!(
        detail.contains("\"Payments weekly scan\"") && detail.contains("\"Web nightly\""),
        "{detail}"
    );
    assert!(detail.contains("nothing was imported"), "{detail}");
    assert_eq!(p["errors"].as_array().unwrap().len(), 2);
    assert_eq!(names(&b).await.len(), 3);
    assert_eq!(spec_count(&b).await, before_specs);
    // One name taken is enough to refuse all.
    let mut one = doc.clone();
    one["analyses"][1]["name"] = json!("A fresh name");
    let r = import(&b, None, one.to_string().as_bytes()).await;
    let p = r.problem(422);
    assert!(p["detail"]
        .as_str()
        .unwrap()
        .contains("Payments weekly scan"));
    assert!(!p["detail"].as_str().unwrap().contains("A fresh name"));
    assert_eq!(names(&b).await.len(), 3);
    assert_eq!(spec_count(&b).await, before_specs);

    a_server.stop().await.unwrap();
    b_server.stop().await.unwrap();
}

fn add_user(server: &prescan_server::Server, name: &str, role: &str) -> Api {
    let out = admin::add_user(
        &server.state.db,
        name,
        &[role.to_owned()],
        None,
        &[],
        None,
        prescan_server::now_ms(),
    )
    .unwrap();
    Api::new(format!("http://{}", server.addr), Some(out.stdout.trim()))
}

#[tokio::test]
async fn only_security_leads_export_and_import() {
    let dir = tempfile::tempdir().unwrap();
    let (server, _) = start_with(config(dir.path())).await;
    let lead = add_user(&server, "Lee Lead", "security-lead");
    for role in ["creator", "submitter", "reviewer"] {
        let someone = add_user(&server, &format!("Some {role}"), role);
        let p = someone.get("/api/v1/export").await.problem(403);
        assert!(
            p["detail"].as_str().unwrap().contains("security leads"),
            "{p}"
        );
        import(&someone, None, br#"{"version": 1}"#)
            .await
            .problem(403);
    }
    let export = lead.get("/api/v1/export").await;
    assert_eq!(export.status, 200);
    let r = import(&lead, Some("empty.json"), &export.bytes).await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.bytes));
    assert_eq!(r.json()["analysis_ids"], json!([]));
    // Without a token: 401.
    let anonymous = Api::new(lead.base.clone(), None);
    anonymous.get("/api/v1/export").await.problem(401);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn hostile_documents_are_problems_and_write_nothing() {
    let (server, api, _dir) = source().await;
    let export = api.get("/api/v1/export").await.json();
    let before = names(&api).await;
    let version = export["version"].as_u64().unwrap();
    let mut duplicate = export.clone();
    duplicate["analyses"][1]["id"] = duplicate["analyses"][0]["id"].clone();
    let mut dangling = export.clone();
    dangling["specifications"] = json!([]);
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (b"this is not json".to_vec(), "not valid JSON"),
        (b"[1, 2]".to_vec(), "not a prescan export"),
        (br#"{"analyses": []}"#.to_vec(), "not a prescan export"),
        (
            json!({ "version": version + 1, "next_id": 1, "analyses": [] })
                .to_string()
                .into_bytes(),
            "another version",
        ),
        (
            json!({ "version": version, "analyses": "many" })
                .to_string()
                .into_bytes(),
            "damaged",
        ),
        (duplicate.to_string().into_bytes(), "used twice"),
        (dangling.to_string().into_bytes(), "not in the file"),
        (vec![0xff, 0xfe, b'{'], "UTF-8"),
    ];
    for (body, says) in cases {
        let r = import(&api, Some("evil.json"), &body).await;
        let p = r.problem(422);
        assert!(
            p["detail"].as_str().unwrap().contains(says),
            "{says:?} not in {p}"
        );
        assert!(
            p["detail"]
                .as_str()
                .unwrap()
                .contains("Nothing was imported"),
            "{p}"
        );
    }
    // A specification's file name that is not a usable label.
    for bad in ["../up.json", "a\u{7}b.json", "./t.json"] {
        let mut named = export.clone();
        named["analyses"][0]["name"] = json!("Renamed first one");
        named["analyses"][1]["name"] = json!("Renamed second one");
        named["specifications"][0]["record"]["file_name"] = json!(bad);
        let p = import(&api, None, named.to_string().as_bytes())
            .await
            .problem(422);
        assert!(
            p["detail"]
                .as_str()
                .unwrap()
                .contains("not a usable file name"),
            "{bad:?}: {p}"
        );
    }
    // Not JSON by its type: 415.
    let r = api
        .send(
            api.client
                .post(api.url("/api/v1/import"))
                .header("content-type", "text/plain")
                .body(export.to_string()),
        )
        .await;
    r.problem(415);
    // A file name with a slash: 400.
    import(&api, Some("a/b.json"), export.to_string().as_bytes())
        .await
        .problem(400);
    // A team this server does not have.
    let mut shared = export.clone();
    shared["analyses"][0]["name"] = json!("Shared with a stranger");
    shared["analyses"][1]["name"] = json!("Another fresh name");
    shared["analyses"][0]["visibility"] =
        json!({ "setup_type": "SEC_LEADS_AND_TEAM", "team_identifiers": ["nowhere"] });
    let p = import(&api, None, shared.to_string().as_bytes())
        .await
        .problem(422);
    assert!(p["detail"].as_str().unwrap().contains("nowhere"), "{p}");
    assert_eq!(names(&api).await, before);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn budgets_exceeded_are_refused() {
    let (a_server, a, _a_dir) = source().await;
    let export = a.get("/api/v1/export").await;
    let dir = tempfile::tempdir().unwrap();
    let (server, api) = start_with(Config {
        max_import_items: 1,
        max_spec_bytes: 100,
        max_import_bytes: export.bytes.len() + 10,
        ..config(dir.path())
    })
    .await;
    let p = import(&api, None, &export.bytes).await.problem(422);
    let detail = p["detail"].as_str().unwrap();
    assert!(detail.contains("--max-import-items"), "{detail}");
    assert!(detail.contains("--max-spec-bytes"), "{detail}");
    // The body's own limit.
    let mut big = export.bytes.clone();
    big.extend(std::iter::repeat_n(b' ', 20));
    import(&api, None, &big).await.problem(413);
    assert!(names(&api).await.is_empty());
    assert_eq!(spec_count(&api).await, 0);
    server.stop().await.unwrap();
    a_server.stop().await.unwrap();
}

/// Demo analyses of a browser's export stay out of the server.
#[tokio::test]
async fn demo_data_is_left_out() {
    let mut demo = prescan_core::analysis::StoreState::new();
    prescan_core::analysis::demo::add_demo(&mut demo, "Ann", prescan_server::now_ms());
    let n = demo.analyses.len();
    let text = demo.export_json(false);
    let dir = tempfile::tempdir().unwrap();
    let (server, api) = start_with(Config {
        max_import_bytes: 64 * 1024 * 1024,
        ..config(dir.path())
    })
    .await;
    let r = import(&api, Some("demo.json"), text.as_bytes()).await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.bytes));
    let v: Value = r.json();
    assert_eq!(v["demo_left_out"], n);
    assert!(names(&api).await.is_empty());
    server.stop().await.unwrap();
}
