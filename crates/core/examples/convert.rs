//! Converts one specification file and prints a summary: format, counts,
//! timings and diagnostics. Useful for trying files and for benchmarks.
//!
//! ```text
//! cargo run --release -p prescan-core --example convert -- path/to/spec.yaml [--har out.har] [--quiet] [--limit NAME=VALUE]...
//! ```

use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let mut path = None;
    let mut har_out = None;
    let mut quiet = false;
    let mut options = prescan_core::ConvertOptions::default();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--har" => har_out = args.next(),
            "--quiet" => quiet = true,
            "--limit" => {
                let assignment = args.next().unwrap_or_default();
                if let Err(e) = options.limits.set(&assignment) {
                    eprintln!("--limit: {e}");
                    std::process::exit(2);
                }
            }
            _ => path = Some(arg),
        }
    }
    let Some(path) = path else {
        eprintln!("usage: convert <file> [--har out.har] [--quiet] [--limit NAME=VALUE]...");
        std::process::exit(2);
    };
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(2);
        }
    };
    let name = std::path::Path::new(&path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.clone());
    let started = Instant::now();
    let result = prescan_core::convert(&name, &bytes, &options);
    let convert_time = started.elapsed();
    let conversion = match result {
        Ok(c) => c,
        Err(e) => {
            println!("{path}: LoadError: {e}");
            std::process::exit(1);
        }
    };
    let started = Instant::now();
    let har_json = serde_json::to_string(&conversion.har).unwrap_or_default();
    let serialize_time = started.elapsed();
    let spec = &conversion.spec;
    let count =
        |s: prescan_core::Severity| spec.diagnostics.iter().filter(|d| d.severity == s).count();
    println!(
        "{path}: {} ({}), \"{}\" {}: {} endpoints, {} servers, {} HAR entries ({} bytes); diagnostics: {} errors, {} warnings, {} information; convert {:.1} ms, HAR to JSON {:.1} ms",
        spec.format_label(),
        spec.syntax.label(),
        spec.title,
        spec.version,
        spec.endpoints.len(),
        spec.servers.len(),
        conversion.har.log.entries.len(),
        har_json.len(),
        count(prescan_core::Severity::Error),
        count(prescan_core::Severity::Warning),
        count(prescan_core::Severity::Information),
        convert_time.as_secs_f64() * 1000.0,
        serialize_time.as_secs_f64() * 1000.0,
    );
    if !quiet {
        for d in &spec.diagnostics {
            let line = d.position().unwrap_or_else(|| "-".into());
            println!(
                "  {:<11} {:<20} {}: {}",
                d.severity.label(),
                line,
                d.pointer,
                d.message
            );
        }
    }
    if let Some(out) = har_out {
        if let Err(e) = std::fs::write(&out, &har_json) {
            eprintln!("{out}: {e}");
        }
    }
}
