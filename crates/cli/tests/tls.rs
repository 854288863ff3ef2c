//! `prescan run --client-cert`, `--ca-cert` and `--user-agent`, run as a
//! process against a TLS target on 127.0.0.1 that requires a client
//! certificate of a test CA (made here with rcgen, packed as PKCS#12).

#[path = "../../runner/tests/support/mtls.rs"]
mod mtls;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use mtls::{pki, Target, PASSPHRASE};
use serde_json::Value;

fn prescan() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_prescan"));
    cmd.env_remove("NO_COLOR");
    cmd.env("PRESCAN_TEST_PASS", PASSPHRASE);
    cmd.env("PRESCAN_TEST_WRONG", "wrong-Passphrase-42");
    cmd.env("PRESCAN_TEST_EMPTY", "");
    cmd.env_remove("PRESCAN_TEST_UNSET");
    cmd
}

fn run(args: &[&str]) -> Output {
    prescan().arg("run").args(args).output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

struct Files {
    _dir: tempfile::TempDir,
    spec: PathBuf,
    p12: PathBuf,
    ca: PathBuf,
}

fn files(pki: &mtls::Pki) -> Files {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("spec.json");
    std::fs::write(&spec, mtls::SPEC).unwrap();
    let p12 = dir.path().join("client.p12");
    std::fs::write(&p12, &pki.client_p12).unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, &pki.ca_pem).unwrap();
    Files {
        _dir: dir,
        spec,
        p12,
        ca,
    }
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// A runtime for the targets (the CLI runs as a process meanwhile).
fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn the_right_certificate_reaches_the_target_and_none_is_refused() {
    let rt = runtime();
    let pki = pki();
    let target = rt.block_on(Target::start(Some(pki.server.clone())));
    let f = files(&pki);
    let url = target.url(true);
    let base = [p(&f.spec), "--target", url.as_str(), "--ca-cert", p(&f.ca)];

    let with = [
        &base[..],
        &[
            "--client-cert",
            p(&f.p12),
            "--client-cert-pass-env",
            "PRESCAN_TEST_PASS",
            "--format",
            "json",
        ],
    ]
    .concat();
    let out = run(&with);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    let json: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["connection"]["responses"], 2, "{json:#}");
    assert!(!stdout.contains(PASSPHRASE));
    let default = format!("prescan/{}", env!("CARGO_PKG_VERSION"));
    assert_eq!(target.agents(), [default.clone(), default]);

    // Without the certificate: no response, and the notes say why.
    let out = run(&base);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.contains("asked for a client certificate"),
        "{stdout}"
    );

    // Without --ca-cert the target's certificate is not trusted.
    let out = run(&[
        p(&f.spec),
        "--target",
        url.as_str(),
        "--client-cert",
        p(&f.p12),
        "--client-cert-pass-env",
        "PRESCAN_TEST_PASS",
    ]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout.contains("--ca-cert"), "{stdout}");
}

#[test]
fn the_user_agent_is_prescans_or_the_one_given() {
    let rt = runtime();
    let target = rt.block_on(Target::start(None));
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("spec.json");
    std::fs::write(&spec, mtls::SPEC).unwrap();
    let url = target.url(false);
    let out = run(&[
        p(&spec),
        "--target",
        url.as_str(),
        "--user-agent",
        "Team-Scanner/2 (ops@example.com)",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        target.agents(),
        [
            "Team-Scanner/2 (ops@example.com)",
            "Team-Scanner/2 (ops@example.com)"
        ]
    );
    let long = "a".repeat(257);
    for (bad, says) in [
        ("x\r\nX-Evil: 1", "line break"),
        ("caf\u{e9}", "visible ASCII"),
        (long.as_str(), "256"),
        ("", "empty"),
    ] {
        let out = run(&[p(&spec), "--target", url.as_str(), "--user-agent", bad]);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{bad:?}: {stderr}");
        assert!(stderr.contains(says), "{bad:?}: {stderr}");
    }
    assert_eq!(target.agents().len(), 2, "nothing more was sent");
}

#[test]
fn certificate_problems_are_exit_2_with_a_sentence_and_no_secret() {
    let pki = pki();
    let f = files(&pki);
    let dir = f.spec.parent().unwrap().to_owned();
    let big = dir.join("big.p12");
    std::fs::write(&big, vec![0x30u8; 64 * 1024 + 1]).unwrap();
    let not_p12 = dir.join("notes.p12");
    std::fs::write(&not_p12, b"hello").unwrap();
    let expired = dir.join("expired.p12");
    std::fs::write(&expired, &pki.expired_p12).unwrap();
    let bad_ca = dir.join("bad-ca.pem");
    std::fs::write(&bad_ca, b"nothing").unwrap();
    let missing = dir.join("missing.p12");
    let target = "https://127.0.0.1:9";
    let s = p(&f.spec);
    let cert = p(&f.p12);
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec![
                "--client-cert",
                cert,
                "--client-cert-pass-env",
                "PRESCAN_TEST_WRONG",
            ],
            "passphrase does not open",
        ),
        (
            vec![
                "--client-cert",
                cert,
                "--client-cert-pass-env",
                "PRESCAN_TEST_UNSET",
            ],
            "PRESCAN_TEST_UNSET is not set",
        ),
        (
            vec![
                "--client-cert",
                cert,
                "--client-cert-pass-env",
                "PRESCAN_TEST_EMPTY",
            ],
            "PRESCAN_TEST_EMPTY is empty",
        ),
        (vec!["--client-cert", cert], "none was given"),
        (vec!["--client-cert", p(&missing)], "cannot be read"),
        (vec!["--client-cert", p(&big)], "at most 64 KiB"),
        (vec!["--client-cert", p(&not_p12)], "is not a PKCS#12 file"),
        (
            vec![
                "--client-cert",
                p(&expired),
                "--client-cert-pass-env",
                "PRESCAN_TEST_PASS",
            ],
            "expired on",
        ),
        (
            vec!["--client-cert-pass-env", "PRESCAN_TEST_PASS"],
            "--client-cert",
        ),
        (vec!["--ca-cert", p(&bad_ca)], "not a certificate"),
        (vec!["--ca-cert", p(&missing)], "cannot be read"),
    ];
    for (extra, says) in cases {
        let args = [&[s, "--target", target][..], &extra].concat();
        let out = run(&args);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{extra:?}: {stderr}");
        assert!(stderr.contains(says), "{extra:?}: {stderr}");
        assert!(
            !stderr.contains("wrong-Passphrase-42") && !stderr.contains(PASSPHRASE),
            "{stderr}"
        );
    }
}
