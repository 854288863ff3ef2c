//! Embeds the contract (`public/api/openapi.json`) so that the binary is
//! self-contained: `GET /api/v1/openapi.json` serves the copy it was built
//! with.

use std::path::PathBuf;

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let source = manifest.join("../../public/api/openapi.json");
    println!("cargo:rerun-if-changed={}", source.display());
    let out =
        PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets it")).join("openapi.json");
    let text = match std::fs::read_to_string(&source) {
        Ok(t) => t,
        Err(e) => {
            println!(
                "cargo:warning=public/api/openapi.json not found ({e}); GET /api/v1/openapi.json serves a stub"
            );
            r#"{"openapi":"3.1.0","info":{"title":"prescan","version":"0.1.0"},"paths":{}}"#.into()
        }
    };
    std::fs::write(out, text).expect("OUT_DIR is writable");
}
