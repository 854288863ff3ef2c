//! A specification split over several files (issue 17): uploaded as
//! `multipart/form-data`, stored whole, and converted with all its files by
//! `/har` and by a server-side prescan; its budgets (files, bytes) and
//! hostile file names refused.

mod common;

use std::sync::{Arc, Mutex};

use axum::routing::post;
use axum::Router;
use common::{config, eventually, start_with, Api, Resp};
use serde_json::{json, Value};

/// The root: `POST /pets` whose body is `./schemas.yaml#/Pet`.
fn root(server: &str) -> String {
    format!(
        "openapi: 3.0.3
info: {{title: Split pets, version: '1'}}
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
    )
}

/// The referenced file: `Pet` with a required `nickname`.
const SCHEMAS: &str = "Pet:
  type: object
  required: [nickname]
  properties:
    nickname: {type: string, example: Rex}
";

const BOUNDARY: &str = "prescan-test-boundary-7MA4YWxkTrZu0gW";

/// A `multipart/form-data` body: `(field, filename, bytes)` per part.
fn multipart(parts: &[(&str, &str, &[u8])]) -> Vec<u8> {
    let mut body = Vec::new();
    for (field, filename, bytes) in parts {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// Uploads `parts` as `multipart/form-data`.
async fn upload_files(api: &Api, parts: &[(&str, &str, &[u8])]) -> Resp {
    api.send(
        api.client
            .post(api.url("/api/v1/specifications"))
            .header(
                "content-type",
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .body(multipart(parts)),
    )
    .await
}

/// A target that records the bodies of `POST /pets`.
async fn target() -> (String, Arc<Mutex<Vec<String>>>) {
    let bodies = Arc::new(Mutex::new(Vec::new()));
    let seen = bodies.clone();
    let app = Router::new().route(
        "/pets",
        post(move |body: String| {
            let seen = seen.clone();
            async move {
                seen.lock().unwrap().push(body);
                (axum::http::StatusCode::CREATED, "made")
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}"), bodies)
}

fn ok(r: &Resp, status: u16) -> Value {
    assert_eq!(r.status, status, "{}", String::from_utf8_lossy(&r.bytes));
    r.json()
}

#[tokio::test]
async fn a_specification_of_two_files_is_stored_whole_and_converted_with_both() {
    let (target, bodies) = target().await;
    let dir = tempfile::tempdir().unwrap();
    let (server, api) = start_with(config(dir.path())).await;
    let root = root(&target);
    // The referenced file first: the root is found, and listed first.
    let parts: [(&str, &str, &[u8]); 2] = [
        ("file", "./schemas.yaml", SCHEMAS.as_bytes()),
        ("file", "openapi.yaml", root.as_bytes()),
    ];
    let record = ok(&upload_files(&api, &parts).await, 201);
    assert_eq!(record["file_name"], "openapi.yaml");
    assert_eq!(record["endpoint_count"], 1);
    assert_eq!(record["size"], root.len() + SCHEMAS.len());
    assert_eq!(
        record["files"],
        json!([
            { "name": "openapi.yaml", "size": root.len() },
            { "name": "schemas.yaml", "size": SCHEMAS.len() }
        ])
    );
    let id = record["spec_id"].as_u64().unwrap();
    // The same files again: the same record (the hash covers every file).
    let again = ok(&upload_files(&api, &parts).await, 201);
    assert_eq!(again["spec_id"], id);
    let changed_schemas = SCHEMAS.replace("Rex", "Max");
    let changed = ok(
        &upload_files(
            &api,
            &[
                ("file", "schemas.yaml", changed_schemas.as_bytes()),
                ("file", "openapi.yaml", root.as_bytes()),
            ],
        )
        .await,
        201,
    );
    assert_ne!(changed["spec_id"], id);
    // Each original file, by name; /original is the root.
    let original = api
        .get(&format!("/api/v1/specifications/{id}/original"))
        .await;
    assert_eq!(original.bytes, root.as_bytes());
    let file = api
        .get(&format!(
            "/api/v1/specifications/{id}/file?name=schemas.yaml"
        ))
        .await;
    assert_eq!(file.status, 200);
    assert_eq!(file.bytes, SCHEMAS.as_bytes());
    api.get(&format!("/api/v1/specifications/{id}/file?name=other.yaml"))
        .await
        .problem(404);
    api.get(&format!("/api/v1/specifications/{id}/file"))
        .await
        .problem(400);
    // The HAR resolves the reference: the body has the referenced property.
    let har = api.get(&format!("/api/v1/specifications/{id}/har")).await;
    let har = String::from_utf8_lossy(&har.bytes).into_owned();
    assert!(har.contains("nickname"), "{har}");
    assert!(!har.contains("which was not given"), "{har}");
    // So does a server-side prescan of an analysis of it.
    let analysis = ok(
        &api.post(
            "/api/v1/analyses",
            &json!({
                "name": "Split pets",
                "scans": [{ "target": { "type": "api_specification", "spec_id": id, "server": target } }],
                "schedule": { "start": { "type": "unscheduled" }, "duration": { "unit": "hours", "value": 1 } },
                "prescan": true,
                "permission_certified": true
            }),
        )
        .await,
        201,
    );
    let scan = analysis["scans"][0]["scan_id"].as_u64().unwrap();
    let path = format!("/api/v1/scans/{scan}/prescan");
    ok(
        &api.post(
            &path,
            &json!({ "allow_unsafe_methods": true, "requests_per_second": 50 }),
        )
        .await,
        202,
    );
    eventually(15, || async {
        (api.get(&path).await.json()["state"] == "finished").then_some(())
    })
    .await;
    let sent = bodies.lock().unwrap().clone();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert!(sent[0].contains("nickname"), "{sent:?}");
    server.stop().await.unwrap();
}

#[tokio::test]
async fn the_budgets_of_a_multi_file_upload_are_enforced() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = config(dir.path());
    c.max_spec_bytes = 4000;
    let (server, api) = start_with(c).await;
    let root = root("https://api.example.com");
    // More files than MAX_SPEC_FILES: 413 naming the limit.
    let names: Vec<String> = (0..=prescan_core::MAX_SPEC_FILES)
        .map(|i| format!("f{i}.yaml"))
        .collect();
    let many: Vec<(&str, &str, &[u8])> = names
        .iter()
        .map(|n| ("file", n.as_str(), b"a: 1\n".as_slice()))
        .collect();
    let p = upload_files(&api, &many).await.problem(413);
    let detail = p["detail"].as_str().unwrap();
    assert!(detail.contains("100 files"), "{detail}");
    // Files larger together than --max-spec-bytes, each under it: 413.
    let padding = format!("# {}\n", "x".repeat(2500));
    let schemas = format!("{SCHEMAS}{padding}");
    let p = upload_files(
        &api,
        &[
            (
                "file",
                "openapi.yaml",
                format!("{root}{padding}").as_bytes(),
            ),
            ("file", "schemas.yaml", schemas.as_bytes()),
        ],
    )
    .await
    .problem(413);
    let detail = p["detail"].as_str().unwrap();
    assert!(detail.contains("4000 bytes"), "{detail}");
    // Hostile names: climbing out, control characters, too long, empty,
    // twice the same label; a part without a file name; another field.
    let long = "a".repeat(300);
    for name in ["../../etc/passwd", long.as_str(), "./", ""] {
        let p = upload_files(
            &api,
            &[
                ("file", "openapi.yaml", root.as_bytes()),
                ("file", name, SCHEMAS.as_bytes()),
            ],
        )
        .await
        .problem(422);
        assert_eq!(p["errors"][0]["field"], "file", "{name:?}: {p}");
    }
    // A control character in a part's header is not even a header: 400.
    upload_files(
        &api,
        &[
            ("file", "openapi.yaml", root.as_bytes()),
            ("file", "a\u{1}b.yaml", SCHEMAS.as_bytes()),
        ],
    )
    .await
    .problem(400);
    upload_files(
        &api,
        &[
            ("file", "schemas.yaml", root.as_bytes()),
            ("file", "./schemas.yaml", SCHEMAS.as_bytes()),
        ],
    )
    .await
    .problem(422);
    upload_files(
        &api,
        &[
            ("file", "openapi.yaml", root.as_bytes()),
            ("other", "schemas.yaml", SCHEMAS.as_bytes()),
        ],
    )
    .await
    .problem(422);
    api.send(
        api.client
            .post(api.url("/api/v1/specifications"))
            .header("content-type", "multipart/form-data")
            .body("no boundary"),
    )
    .await
    .problem(400);
    // A label with folders is kept, normalized; nothing is read from a disk.
    let record = ok(
        &upload_files(
            &api,
            &[
                ("file", "/api/openapi.yaml", root.as_bytes()),
                ("file", "api\\schemas.yaml", SCHEMAS.as_bytes()),
            ],
        )
        .await,
        201,
    );
    assert_eq!(record["files"][0]["name"], "api/openapi.yaml");
    assert_eq!(record["files"][1]["name"], "api/schemas.yaml");
    // A single raw upload still works and lists its one file.
    let single = ok(
        &api.upload("solo.yaml", "application/yaml", root.as_bytes())
            .await,
        201,
    );
    assert_eq!(
        single["files"],
        json!([{ "name": "solo.yaml", "size": root.len() }])
    );
    server.stop().await.unwrap();
}

/// A database of schema 4 (before files were kept) migrates to 5: its
/// specifications still read, download, convert, and an identical upload
/// still finds them (their hash is computed by the migration).
#[tokio::test]
async fn specifications_stored_before_schema_5_keep_working() {
    if common::postgres().is_some() {
        // Schema 4 was only ever an SQLite file: PostgreSQL starts at 5.
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let root = root("https://api.example.com");
    let (server, api) = start_with(config(dir.path())).await;
    let first = ok(
        &api.upload("solo.yaml", "application/yaml", root.as_bytes())
            .await,
        201,
    );
    server.stop().await.unwrap();
    // Back to schema 4: no files table, no hash (and no leases, of 6).
    let conn = rusqlite::Connection::open(dir.path().join("prescan.sqlite3")).unwrap();
    conn.execute_batch(
        "DROP TABLE prescan_leases;
         DROP TABLE rate_buckets;
         DROP INDEX specifications_by_hash;
         DROP TABLE specification_files;
         ALTER TABLE specifications DROP COLUMN content_hash;
         PRAGMA user_version = 4;",
    )
    .unwrap();
    drop(conn);
    let (server, api) = start_with(config(dir.path())).await;
    let id = first["spec_id"].as_u64().unwrap();
    let record = ok(&api.get(&format!("/api/v1/specifications/{id}")).await, 200);
    assert_eq!(
        record["files"],
        json!([{ "name": "solo.yaml", "size": root.len() }])
    );
    let again = ok(
        &api.upload("solo.yaml", "application/yaml", root.as_bytes())
            .await,
        201,
    );
    assert_eq!(again["spec_id"], id);
    let file = api
        .get(&format!("/api/v1/specifications/{id}/file?name=solo.yaml"))
        .await;
    assert_eq!(file.bytes, root.as_bytes());
    assert_eq!(
        api.get(&format!("/api/v1/specifications/{id}/har"))
            .await
            .status,
        200
    );
    server.stop().await.unwrap();
}
