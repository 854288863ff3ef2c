//! Client certificates, extra CAs and the User-Agent of the runner: a TLS
//! target on 127.0.0.1 that requires a client certificate of a test CA
//! (made in the test with rcgen, packed as PKCS#12 with p12-keystore).

#[path = "support/mtls.rs"]
mod mtls;

use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use mtls::{pki, Target, PASSPHRASE};
use prescan_core::prescan::{Outcome, PlannedRequest, PrescanPlan, PrescanSettings};
use prescan_core::{ClientCertificate, ConvertOptions};
use prescan_runner::tls::tls_note;
use prescan_runner::{
    read_ca_certificates, read_client_certificate, read_pkcs12, Guard, Live, Outbound, Policy,
    Voice,
};

const WAIT: Duration = Duration::from_secs(10);

fn now() -> i64 {
    prescan_runner::now_ms() / 1000
}

fn get(url: &str) -> PlannedRequest {
    PlannedRequest {
        index: 0,
        method: "GET".into(),
        url: url.into(),
        headers: Vec::new(),
        withheld_headers: Vec::new(),
        placeholders_left_out: Vec::new(),
        body: None,
        content_type: None,
    }
}

fn outbound(ca_pem: Option<&str>, rate: f64) -> Outbound {
    let policy = Policy {
        voice: Voice::CommandLine,
        ..Policy::default()
    };
    let o = Outbound::new(Arc::new(Guard::new(policy)), None, 8, rate).unwrap();
    match ca_pem {
        Some(pem) => o
            .with_ca_certificates(read_ca_certificates("ca.pem", pem.as_bytes()).unwrap())
            .unwrap(),
        None => o,
    }
}

fn status(o: &Outcome) -> Option<u16> {
    match o {
        Outcome::Response(r) => Some(r.status),
        _ => None,
    }
}

#[test]
fn pkcs12_files_are_read_or_refused_with_a_clear_sentence() {
    let p = pki();
    for file in [&p.client_p12, &p.client_p12_legacy] {
        let id = read_pkcs12("client.p12", file, PASSPHRASE, now()).unwrap();
        assert!(id.subject.contains("prescan test client"), "{}", id.subject);
    }
    // Files OpenSSL 3 wrote (AES-256/PBKDF2 by default, and -legacy).
    for name in ["openssl3-aes256.p12", "openssl3-legacy-rc2-3des.p12"] {
        let bytes = std::fs::read(format!(
            "{}/tests/fixtures/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        let id = read_pkcs12(name, &bytes, "fixture-pass", now())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(id.subject.contains("openssl fixture"), "{}", id.subject);
    }

    let secret = "wrong-Passphrase-42";
    let e = read_pkcs12("client.p12", &p.client_p12, secret, now()).unwrap_err();
    assert!(
        e.contains("passphrase does not open") && e.contains("client.p12"),
        "{e}"
    );
    assert!(!e.contains(secret), "{e}");
    let e = read_pkcs12("client.p12", &p.client_p12_legacy, secret, now()).unwrap_err();
    assert!(e.contains("passphrase does not open"), "{e}");
    let e = read_pkcs12("client.p12", &p.client_p12, "", now()).unwrap_err();
    assert!(e.contains("none was given"), "{e}");

    let e = read_pkcs12("notes.txt", b"hello, world", PASSPHRASE, now()).unwrap_err();
    assert!(e.contains("`notes.txt` is not a PKCS#12 file"), "{e}");
    let e = read_pkcs12("cert.pem", p.ca_pem.as_bytes(), PASSPHRASE, now()).unwrap_err();
    assert!(
        e.contains("PEM text") && e.contains("openssl pkcs12 -export"),
        "{e}"
    );

    let e = read_pkcs12("certs.p12", &p.no_key_p12, PASSPHRASE, now()).unwrap_err();
    assert!(e.contains("no private key"), "{e}");

    let e = read_pkcs12("old.p12", &p.expired_p12, PASSPHRASE, now()).unwrap_err();
    assert!(e.contains("expired on") && e.contains("2020"), "{e}");

    // A file asking for too many iterations is refused before any is
    // computed (it would tie the server up): PBES2 and the legacy KDF.
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "slow");
    let cert = params.self_signed(&key).unwrap();
    for legacy in [false, true] {
        // Written with 32768 iterations (INTEGER 00 80 00), then patched
        // to 8388607 (7F FF FF): the same length, far too many.
        let mut slow = mtls::pkcs12_with(
            cert.der(),
            &key.serialize_der(),
            None,
            PASSPHRASE,
            legacy,
            Some(32_768),
        );
        // Every count but the MAC's (the file's last): the encryption
        // parameters alone are enough to refuse it.
        let pattern = [0x02, 0x03, 0x00, 0x80, 0x00];
        let at: Vec<usize> = (0..slow.len() - pattern.len())
            .filter(|&i| slow[i..i + pattern.len()] == pattern)
            .collect();
        assert!(at.len() >= 2, "{at:?}");
        for &i in &at[..at.len() - 1] {
            slow[i + 2..i + 5].copy_from_slice(&[0x7f, 0xff, 0xff]);
        }
        let started = Instant::now();
        let e = read_pkcs12("slow.p12", &slow, PASSPHRASE, now()).unwrap_err();
        assert!(e.contains("8388607 key derivation iterations"), "{e}");
        assert!(started.elapsed() < Duration::from_secs(1));
    }

    let big = vec![0x30u8; prescan_core::MAX_CLIENT_CERTIFICATE_BYTES + 1];
    let e = read_pkcs12("big.p12", &big, PASSPHRASE, now()).unwrap_err();
    assert!(e.contains("at most 64 KiB"), "{e}");
}

#[test]
fn a_scans_certificate_is_bounded_before_it_is_decoded() {
    let p = pki();
    let b64 = base64::engine::general_purpose::STANDARD.encode(&p.client_p12);
    let cert = ClientCertificate {
        file_name: "client.p12".into(),
        pkcs12_base64: b64.clone(),
        passphrase: PASSPHRASE.into(),
    };
    assert!(read_client_certificate(&cert, now()).is_ok());
    let wrapped = ClientCertificate {
        pkcs12_base64: b64
            .as_bytes()
            .chunks(76)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect::<Vec<_>>()
            .join("\r\n"),
        ..cert.clone()
    };
    assert!(read_client_certificate(&wrapped, now()).is_ok());
    let e = read_client_certificate(
        &ClientCertificate {
            pkcs12_base64: "not base64!".into(),
            ..cert.clone()
        },
        now(),
    )
    .unwrap_err();
    assert!(e.contains("base64"), "{e}");
    let e = read_client_certificate(
        &ClientCertificate {
            pkcs12_base64: "A".repeat(200_000),
            ..cert
        },
        now(),
    )
    .unwrap_err();
    assert!(e.contains("at most 64 KiB"), "{e}");
}

#[test]
fn ca_files_are_read_or_refused() {
    let p = pki();
    assert_eq!(
        read_ca_certificates("ca.pem", p.ca_pem.as_bytes())
            .unwrap()
            .len(),
        1
    );
    let e = read_ca_certificates("x.txt", b"not a certificate").unwrap_err();
    assert!(e.contains("not a certificate"), "{e}");
    let e = read_ca_certificates("big.pem", &vec![b'a'; 1024 * 1024 + 1]).unwrap_err();
    assert!(e.contains("at most 1024 KiB"), "{e}");
}

#[tokio::test]
async fn the_right_certificate_reaches_the_target_and_none_is_refused() {
    let p = pki();
    let target = Target::start(Some(p.server.clone())).await;
    let url = format!("{}/pets", target.url(true));
    let base = outbound(Some(&p.ca_pem), 0.0);

    let id = read_pkcs12("client.p12", &p.client_p12, PASSPHRASE, now()).unwrap();
    let with_cert = base.with_identity(id.identity).unwrap();
    let f = with_cert.fetch_as(&get(&url), WAIT, 1000, None).await;
    assert_eq!(status(&f.outcome), Some(200), "{:?}", f.tls_note);
    assert!(f.tls_note.is_none());

    let f = base.fetch_as(&get(&url), WAIT, 1000, None).await;
    assert!(
        matches!(f.outcome, Outcome::NoResponse { .. }),
        "{:?}",
        f.outcome
    );
    let note = f.tls_note.expect("a note");
    assert!(note.contains("asked for a client certificate"), "{note}");

    let stranger = read_pkcs12("s.p12", &p.stranger_p12, PASSPHRASE, now()).unwrap();
    let f = base
        .with_identity(stranger.identity)
        .unwrap()
        .fetch_as(&get(&url), WAIT, 1000, None)
        .await;
    assert!(
        matches!(f.outcome, Outcome::NoResponse { .. }),
        "{:?}",
        f.outcome
    );
    let note = f.tls_note.expect("a note");
    assert!(note.contains("refused the client certificate"), "{note}");

    // Without the test CA, the target's own certificate is not trusted.
    let id = read_pkcs12("client.p12", &p.client_p12, PASSPHRASE, now()).unwrap();
    let f = outbound(None, 0.0)
        .with_identity(id.identity)
        .unwrap()
        .fetch_as(&get(&url), WAIT, 1000, None)
        .await;
    let note = f.tls_note.expect("a note");
    assert!(
        note.contains("not trusted") && note.contains("--ca-cert"),
        "{note}"
    );
}

#[tokio::test]
async fn a_prescans_client_shares_the_rate_gate() {
    // 5 a second across both clients: 6 requests need at least 1 s.
    let p = pki();
    let target = Target::start(Some(p.server.clone())).await;
    let url = format!("{}/pets", target.url(true));
    let base = outbound(Some(&p.ca_pem), 5.0);
    let id = read_pkcs12("client.p12", &p.client_p12, PASSPHRASE, now()).unwrap();
    let with_cert = base.with_identity(id.identity).unwrap();
    assert_eq!(with_cert.max_in_flight(), base.max_in_flight());
    let started = Instant::now();
    let req = get(&url);
    let mut all = Vec::new();
    for i in 0..6 {
        let o = if i % 2 == 0 { &base } else { &with_cert };
        all.push(o.fetch_as(&req, WAIT, 1000, None));
    }
    futures_util::future::join_all(all).await;
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "{:?}",
        started.elapsed()
    );
}

/// Runs a prescan of [`mtls::SPEC`] against `base_url` to the end.
async fn prescan(
    outbound: Outbound,
    base_url: &str,
    user_agent: Option<&str>,
) -> prescan_core::prescan::PrescanReport {
    let options = ConvertOptions {
        base_url: Some(base_url.to_owned()),
        ..ConvertOptions::default()
    };
    let c = prescan_core::convert("t.json", mtls::SPEC.as_bytes(), &options).unwrap();
    let settings = PrescanSettings {
        base_url: Some(base_url.to_owned()),
        user_agent: user_agent.map(str::to_owned),
        ..PrescanSettings::default()
    };
    let (live, cancel) = Live::new(PrescanPlan::new(&c.har, &settings));
    prescan_runner::drive(live.clone(), cancel, Arc::new(outbound)).await;
    live.snapshot(c.spec.endpoints.len()).0
}

#[tokio::test]
async fn a_prescan_without_the_certificate_says_why_in_its_notes() {
    let p = pki();
    let target = Target::start(Some(p.server.clone())).await;
    let report = prescan(outbound(Some(&p.ca_pem), 0.0), &target.url(true), None).await;
    assert_eq!(report.connection().responses, 0);
    let notes: Vec<String> = report.notes().into_iter().map(|n| n.message).collect();
    assert!(
        notes
            .iter()
            .filter(|n| n.contains("asked for a client certificate"))
            .count()
            == 1,
        "{notes:#?}"
    );

    let id = read_pkcs12("client.p12", &p.client_p12, PASSPHRASE, now()).unwrap();
    let o = outbound(Some(&p.ca_pem), 0.0)
        .with_identity(id.identity)
        .unwrap();
    let report = prescan(o, &target.url(true), None).await;
    let c = report.connection();
    assert_eq!((c.requests, c.responses), (2, 2));
    assert!(report.is_plain_success());
}

#[tokio::test]
async fn the_user_agent_is_the_runners_or_the_prescans() {
    let target = Target::start(None).await;
    prescan(outbound(None, 0.0), &target.url(false), None).await;
    prescan(
        outbound(None, 0.0),
        &target.url(false),
        Some("Team-Scanner/2 (ops@example.com)"),
    )
    .await;
    let agents = target.agents();
    assert_eq!(agents.len(), 4, "{agents:?}");
    let default = format!("prescan/{}", env!("CARGO_PKG_VERSION"));
    assert_eq!(&agents[..2], [default.clone(), default]);
    assert_eq!(
        &agents[2..],
        [
            "Team-Scanner/2 (ops@example.com)",
            "Team-Scanner/2 (ops@example.com)"
        ]
    );
    // A hostile value never reaches the wire: the settings drop it.
    prescan(
        outbound(None, 0.0),
        &target.url(false),
        Some("x\r\nX-Evil: 1"),
    )
    .await;
    let agents = target.agents();
    assert!(
        agents[4..].iter().all(|a| a.starts_with("prescan/")),
        "{agents:?}"
    );
}

#[test]
fn tls_notes_are_only_for_tls_errors() {
    let e = std::io::Error::other("connection refused");
    assert_eq!(tls_note(&e, false), None);
}

#[tokio::test]
async fn a_prescans_client_keeps_the_guards_resolver() {
    // deny-private: a name resolving to loopback is refused when
    // connecting, by the prescan's own client too.
    let p = pki();
    let target = Target::start(Some(p.server.clone())).await;
    let policy = Policy {
        deny_private: true,
        voice: Voice::CommandLine,
        ..Policy::default()
    };
    let base = Outbound::new(Arc::new(Guard::new(policy)), None, 8, 0.0)
        .unwrap()
        .with_ca_certificates(read_ca_certificates("ca.pem", p.ca_pem.as_bytes()).unwrap())
        .unwrap();
    let id = read_pkcs12("client.p12", &p.client_p12, PASSPHRASE, now()).unwrap();
    let with_cert = base.with_identity(id.identity).unwrap();
    let url = format!("https://localhost:{}/pets", target.port);
    let f = with_cert.fetch_as(&get(&url), WAIT, 1000, None).await;
    assert!(
        matches!(f.outcome, Outcome::NoResponse { .. }),
        "{:?}",
        f.outcome
    );
    assert!(f.refusal.is_some(), "the guard's resolver refused it");
    assert!(target.agents().is_empty());
}

#[tokio::test]
async fn over_tls_1_2_too_a_missing_certificate_is_named() {
    let p = mtls::pki_with(true);
    let target = Target::start(Some(p.server.clone())).await;
    let url = format!("{}/pets", target.url(true));
    let base = outbound(Some(&p.ca_pem), 0.0);
    let f = base.fetch_as(&get(&url), WAIT, 1000, None).await;
    let note = f.tls_note.expect("a note");
    assert!(note.contains("asked for a client certificate"), "{note}");
    let id = read_pkcs12("client.p12", &p.client_p12, PASSPHRASE, now()).unwrap();
    let f = base
        .with_identity(id.identity)
        .unwrap()
        .fetch_as(&get(&url), WAIT, 1000, None)
        .await;
    assert_eq!(status(&f.outcome), Some(200), "{:?}", f.tls_note);
}
