//! The `prescan` command line, run as a process.

use std::path::{Path, PathBuf};
use std::process::Command;

use assert_cmd::prelude::*;
use prescan_core::{ConvertOptions, Limits};
use serde_json::Value;

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(path)
}

const PETSTORE: &str = "public/samples/petstore.yaml";
const POSTMAN: &str = "crates/core/tests/fixtures/postman.json";
const INVALID: &str = "crates/core/tests/fixtures/invalid.yaml";

/// The CLI's binary. The app's native binary is also named `prescan`, and
/// when a workspace build links both, `target/<profile>/prescan` is
/// whichever was linked last: check that it is ours.
fn prescan() -> Command {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_prescan"));
    let help = Command::new(&bin).arg("--help").output().unwrap();
    assert!(
        String::from_utf8_lossy(&help.stdout).contains("convert"),
        "{} is not the prescan CLI (the app's binary has the same name)",
        bin.display()
    );
    let mut cmd = Command::new(bin);
    cmd.current_dir(repo(""));
    cmd
}

fn core_har(path: &str, options: &ConvertOptions) -> Value {
    let bytes = std::fs::read(repo(path)).unwrap();
    let c = prescan_core::convert(path, &bytes, options).unwrap();
    serde_json::to_value(&c.har).unwrap()
}

fn stdout_json(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout).expect("JSON on standard output")
}

#[test]
fn convert_to_stdout_and_file_equals_the_core() {
    let expected = core_har(PETSTORE, &ConvertOptions::default());
    let out = prescan().args(["convert", PETSTORE]).output().unwrap();
    assert!(out.status.success());
    assert_eq!(stdout_json(&out), expected);

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("out.har");
    prescan()
        .args(["convert", PETSTORE, "-o"])
        .arg(&file)
        .assert()
        .success();
    let written: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(written, expected);
}

#[test]
fn convert_takes_the_servers_options() {
    let mut limits = Limits::default();
    limits.set("depth=40").unwrap();
    let options = ConvertOptions {
        base_url: Some("https://api.example.com/v2".into()),
        limits,
        ..ConvertOptions::default()
    };
    let out = prescan()
        .args(["convert", "--server", "https://api.example.com/v2"])
        .args(["--limit", "depth=40", PETSTORE])
        .output()
        .unwrap();
    assert!(out.status.success());
    let har = stdout_json(&out);
    assert_eq!(har, core_har(PETSTORE, &options));
    assert!(har.to_string().contains("https://api.example.com/v2/"));

    let bad = prescan()
        .args(["convert", "--limit", "nope=1", PETSTORE])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("is not a limit"));
}

#[test]
fn convert_sets_server_variables() {
    let spec = "openapi: 3.0.3\ninfo: {title: V, version: '1'}\nservers:\n  - url: 'https://{env}.example.com'\n    variables: {env: {default: prod}}\npaths:\n  /a:\n    get:\n      responses: {'200': {description: ok}}\n";
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("vars.yaml");
    std::fs::write(&file, spec).unwrap();
    let out = prescan()
        .args(["convert", "--var", "env=staging"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(out.status.success());
    let options = ConvertOptions {
        server_variables: [("env".to_owned(), "staging".to_owned())].into(),
        ..ConvertOptions::default()
    };
    let name = file.to_str().unwrap();
    let expected = prescan_core::convert(name, spec.as_bytes(), &options).unwrap();
    let har = stdout_json(&out);
    assert_eq!(har, serde_json::to_value(&expected.har).unwrap());
    assert!(har.to_string().contains("https://staging.example.com/a"));
    let bad = prescan()
        .args(["convert", "--var", "env"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn convert_several_needs_a_directory() {
    let out = prescan()
        .args(["convert", PETSTORE, POSTMAN])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("-o DIR"));

    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("hars");
    prescan()
        .args([
            "convert",
            "-q",
            "--server",
            "https://api.example.com",
            PETSTORE,
            POSTMAN,
            "-o",
        ])
        .arg(&target)
        .assert()
        .success();
    assert!(target.join("petstore.har").is_file());
    assert!(target.join("postman.har").is_file());
}

#[test]
fn stdin_is_read_with_a_name() {
    let dir = tempfile::tempdir().unwrap();
    let out = prescan()
        .args(["convert", "-", "--name", "petstore.yaml"])
        .stdin(std::fs::File::open(repo(PETSTORE)).unwrap())
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        stdout_json(&out),
        core_har(PETSTORE, &ConvertOptions::default())
    );

    let out = prescan()
        .args(["check", "-", "--name", "from-pipe.yaml"])
        .stdin(std::fs::File::open(repo(INVALID)).unwrap())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("from-pipe.yaml:9:6: error: "));
}

#[test]
fn a_missing_file_is_exit_2_and_named() {
    for command in ["check", "convert"] {
        let out = prescan()
            .args([command, "no/such/spec.yaml"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{command}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("no/such/spec.yaml"), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
    }
}

#[test]
fn a_file_over_max_spec_bytes_is_refused() {
    let out = prescan()
        .args(["check", "--max-spec-bytes", "1000", PETSTORE])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(PETSTORE) && err.contains("--max-spec-bytes"),
        "{err}"
    );
}

#[test]
fn check_reports_diagnostics_and_exit_codes() {
    let ok = prescan().args(["check", PETSTORE]).output().unwrap();
    assert_eq!(ok.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&ok.stdout),
        format!("{PETSTORE}: the prescan covers all 5 endpoints; 0 errors, 0 warnings\n")
    );

    let broken = prescan()
        .args(["check", INVALID, PETSTORE])
        .output()
        .unwrap();
    assert_eq!(broken.status.code(), Some(1));
    let text = String::from_utf8_lossy(&broken.stdout);
    assert!(
        text.contains(&format!("{INVALID}:9:6: error: The file is not valid YAML")),
        "{text}"
    );

    // The Postman fixture with a base URL has warnings only.
    let warned = ["check", "--server", "https://api.example.com", POSTMAN];
    let out = prescan().args(warned).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains(": warning: "));
    let out = prescan()
        .args(warned)
        .args(["--deny", "warnings"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn check_tells_the_prescan_coverage() {
    let mut spec = String::from(
        "openapi: 3.0.3\ninfo: {title: Big, version: '1'}\nservers: [{url: 'https://a.example'}]\npaths:\n",
    );
    for i in 0..130 {
        spec.push_str(&format!(
            "  /r{i}:\n    get:\n      responses: {{'200': {{description: ok}}}}\n"
        ));
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("big.yaml");
    std::fs::write(&file, spec).unwrap();
    let out = prescan().arg("check").arg(&file).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout)
        .contains("the prescan covers the first 100 of 130 endpoints"));
    let out = prescan()
        .args(["check", "--format", "json"])
        .arg(&file)
        .arg(PETSTORE)
        .output()
        .unwrap();
    let report = stdout_json(&out);
    assert_eq!(report[0]["endpoints"], 130);
    assert_eq!(report[0]["covered"], 100);
    assert_eq!(report[1]["file"], PETSTORE);
    assert_eq!(report[1]["covered"], 5);
}

#[test]
fn check_json_lists_diagnostics() {
    let out = prescan()
        .args(["check", "--format", "json", INVALID, POSTMAN])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report = stdout_json(&out);
    let d = &report[0]["diagnostics"][0];
    assert_eq!(report[0]["file"], INVALID);
    assert_eq!(report[0]["loaded"], false);
    assert_eq!(d["severity"], "error");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(9), Some(6))
    );
    let postman = report[1]["diagnostics"].as_array().unwrap();
    assert!(postman
        .iter()
        .any(|d| d["severity"] == "warning" && d["pointer"].is_string()));
}

#[test]
fn check_sarif_is_valid_sarif_2_1_0() {
    let out = prescan()
        .args(["check", "--format", "sarif", INVALID, POSTMAN, PETSTORE])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let sarif = stdout_json(&out);

    // The official schema (OASIS sarif-spec, sarif-2.1/schema/).
    let schema: Value =
        serde_json::from_str(include_str!("schemas/sarif-schema-2.1.0.json")).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let mut broken = sarif.clone();
    broken["version"] = "2.0.0".into();
    assert!(!validator.is_valid(&broken), "the schema is enforced");

    assert_eq!(sarif["version"], "2.1.0");
    let run = &sarif["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "prescan");
    let results = run["results"].as_array().unwrap();
    assert!(results.iter().any(|r| r["level"] == "error"));
    assert!(results.iter().any(|r| r["level"] == "warning"));
    let located = results
        .iter()
        .find(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == INVALID)
        .unwrap();
    let region = &located["locations"][0]["physicalLocation"]["region"];
    assert_eq!(
        (region["startLine"].as_u64(), region["startColumn"].as_u64()),
        (Some(9), Some(6))
    );
}

#[test]
fn check_junit_is_xml_with_the_right_counts() {
    let args = [
        "check",
        "--format",
        "junit",
        "--server",
        "https://api.example.com",
    ];
    let run = |deny: bool| {
        let mut cmd = prescan();
        cmd.args(args).args([INVALID, POSTMAN, PETSTORE]);
        if deny {
            cmd.args(["--deny", "warnings"]);
        }
        let out = cmd.output().unwrap();
        (out.status.code(), String::from_utf8(out.stdout).unwrap())
    };
    for deny in [false, true] {
        let (code, xml) = run(deny);
        assert_eq!(code, Some(1));
        let doc = roxmltree::Document::parse(&xml).unwrap();
        let suites: Vec<_> = doc
            .descendants()
            .filter(|n| n.has_tag_name("testsuite"))
            .collect();
        assert_eq!(suites.len(), 3);
        for suite in &suites {
            let cases = suite
                .children()
                .filter(|n| n.has_tag_name("testcase"))
                .count();
            let failed = suite
                .descendants()
                .filter(|n| n.has_tag_name("failure"))
                .count();
            assert_eq!(suite.attribute("tests").unwrap(), cases.to_string());
            assert_eq!(suite.attribute("failures").unwrap(), failed.to_string());
        }
        let failures = |i: usize| suites[i].attribute("failures").unwrap().to_owned();
        assert_eq!(failures(0), "1", "the invalid file fails to load");
        assert_eq!(
            failures(1),
            if deny { "3" } else { "0" },
            "the Postman warnings"
        );
        assert_eq!(failures(2), "0");
    }
}

#[test]
fn help_version_completions_and_man() {
    for sub in ["check", "convert", "run"] {
        prescan().args([sub, "--help"]).assert().success();
    }
    let v = prescan().arg("--version").output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&v.stdout).trim(),
        format!("prescan {}", env!("CARGO_PKG_VERSION"))
    );
    let c = prescan().args(["completions", "bash"]).output().unwrap();
    assert!(c.status.success() && String::from_utf8_lossy(&c.stdout).contains("prescan"));
    assert!(String::from_utf8_lossy(&c.stdout).contains("--bearer-env"));
    let m = prescan().arg("man").output().unwrap();
    let man = String::from_utf8_lossy(&m.stdout);
    assert!(m.status.success() && man.contains(".TH prescan"));
    assert!(man.contains("prescan\\-run"), "the man page lists run");
    let m = prescan().args(["man", "run"]).output().unwrap();
    let man = String::from_utf8_lossy(&m.stdout);
    assert!(
        m.status.success() && man.contains(".TH prescan-run"),
        "{man}"
    );
    assert!(
        man.contains("\\-\\-bearer\\-env") && man.contains("Exit codes"),
        "{man}"
    );
    let m = prescan().args(["man", "nope"]).output().unwrap();
    assert_eq!(m.status.code(), Some(2));
    let bad = prescan()
        .args(["check", "--format", "xml", PETSTORE])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
}

/// A specification split over files: the ones it references from its folder
/// are read and bundled, as when they are selected together in the app;
/// one outside its folder is not read (nor quoted), and a Warning names it.
#[test]
fn referenced_files_in_the_folder_are_read_and_none_outside() {
    let dir = tempfile::tempdir().unwrap();
    let api = dir.path().join("api");
    std::fs::create_dir_all(api.join("schemas")).unwrap();
    std::fs::write(
        dir.path().join("secret.yaml"),
        "Secret:\n  type: object\n  properties:\n    TOP-SECRET-VALUE: {type: string}\n",
    )
    .unwrap();
    std::fs::write(
        api.join("schemas/pet.yaml"),
        "Pet:\n  type: object\n  required: [nickname]\n  properties:\n    nickname: {type: string, example: Rex}\n    owner: {$ref: './owner.yaml#/Owner'}\n",
    )
    .unwrap();
    std::fs::write(
        api.join("schemas/owner.yaml"),
        "Owner:\n  type: object\n  required: [email]\n  properties:\n    email: {type: string, format: email}\n",
    )
    .unwrap();
    std::fs::write(
        api.join("openapi.yaml"),
        r#"openapi: 3.0.3
info: {title: Split, version: "1"}
servers: [{url: "https://api.example.com"}]
paths:
  /pets:
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: './schemas/pet.yaml#/Pet'}
      responses: {"201": {description: created}}
  /secrets:
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '../secret.yaml#/Secret'}
      responses: {"201": {description: created}}
  /linked:
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: './schemas/link.yaml#/Secret'}
      responses: {"201": {description: created}}
"#,
    )
    .unwrap();
    // A link inside the folder to the file outside it is not followed.
    #[cfg(unix)]
    std::os::unix::fs::symlink(
        dir.path().join("secret.yaml"),
        api.join("schemas/link.yaml"),
    )
    .unwrap();
    let out = prescan()
        .current_dir(dir.path())
        .args(["convert", "api/openapi.yaml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let har: Value = serde_json::from_str(&stdout).unwrap();
    let body = har["log"]["entries"][0]["request"]["postData"]["text"]
        .as_str()
        .unwrap()
        .to_owned();
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["nickname"], "Rex");
    assert_eq!(body["owner"]["email"], "user@example.com");
    assert!(!stdout.contains("TOP-SECRET") && !stderr.contains("TOP-SECRET"));
    assert!(stderr.contains("secret.yaml"), "{stderr}");
    assert!(stderr.contains("link.yaml"), "{stderr}");
    assert!(!stderr.contains("pet.yaml"), "{stderr}");
}
