//! TLS to PostgreSQL (issue 19): with `sslmode=require` and the CA of the
//! database's certificate (`--database-ca-cert`), every connection is TLS
//! and the certificate is verified; without the CA the same certificate is
//! refused at start-up with a sentence. Runs when the suite has a
//! PostgreSQL cluster that offers TLS (`scripts/test` sets
//! `PRESCAN_TEST_DATABASE_URL` and `PRESCAN_TEST_DATABASE_CA`).

mod common;

use common::{config, start_with};
use prescan_server::Config;
use serde_json::json;

#[tokio::test]
async fn postgresql_over_verified_tls() {
    let (Some(admin), Ok(ca)) = (
        common::postgres(),
        std::env::var("PRESCAN_TEST_DATABASE_CA"),
    ) else {
        eprintln!("skipped: no PostgreSQL cluster with TLS (PRESCAN_TEST_DATABASE_URL, PRESCAN_TEST_DATABASE_CA)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let plain = common::on_test_database(config(dir.path()));
    let url = plain.database_url.clone().unwrap();
    let database = url.rsplit('/').next().unwrap().to_owned();
    let tls_url = format!("{url}?sslmode=require");
    let ca = std::fs::read(&ca).unwrap();

    // Verified against the CA: the server starts and serves.
    let (server, api) = start_with(Config {
        database_url: Some(tls_url.clone()),
        database_ca_cert: Some(ca),
        ..plain.clone()
    })
    .await;
    let spec = api
        .upload(
            "tls.json",
            "application/json",
            common::spec("https://api.example.com").as_bytes(),
        )
        .await;
    assert_eq!(spec.status, 201, "{}", String::from_utf8_lossy(&spec.bytes));
    let created = api
        .post(
            "/api/v1/analyses",
            &common::new_analysis(
                "Stored over TLS",
                spec.json()["spec_id"].as_u64().unwrap(),
                json!({ "type": "unscheduled" }),
            ),
        )
        .await;
    assert_eq!(created.status, 201);
    // PostgreSQL says every connection of the server is TLS.
    let (client, connection) = tokio_postgres::connect(&admin, tokio_postgres::NoTls)
        .await
        .unwrap();
    let task = tokio::spawn(connection);
    let row = client
        .query_one(
            "SELECT COUNT(*), COALESCE(BOOL_AND(s.ssl), false)
             FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid)
             WHERE a.datname = $1 AND a.application_name LIKE 'prescan-server%'",
            &[&database],
        )
        .await
        .unwrap();
    let (connections, all_tls): (i64, bool) = (row.get(0), row.get(1));
    assert!(
        connections >= 1 && all_tls,
        "{connections} connections, all TLS: {all_tls}"
    );
    drop(client);
    let _ = task.await;
    server.stop().await.unwrap();

    // Without the CA, the test CA's certificate is not trusted: no start.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let err = prescan_server::start(
        Config {
            database_url: Some(tls_url.clone()),
            ..plain.clone()
        },
        listener,
        std::future::pending(),
    )
    .await
    .err()
    .expect("an untrusted certificate stops the start")
    .to_string();
    assert!(
        err.contains("cannot connect to PostgreSQL") && err.to_lowercase().contains("certificate"),
        "{err}"
    );

    // A CA file that holds no certificate is refused with a sentence.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let err = prescan_server::start(
        Config {
            database_ca_cert: Some(b"not a certificate".to_vec()),
            ..plain
        },
        listener,
        std::future::pending(),
    )
    .await
    .err()
    .expect("a CA file without a certificate stops the start")
    .to_string();
    assert!(err.contains("--database-ca-cert: no certificate"), "{err}");
}
