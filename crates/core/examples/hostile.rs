//! Writes the hostile specifications of `tests/hostile/inputs.rs` into a
//! folder, one file each, and prints one line per file: its name, size and
//! what it tries. Used by `crates/core/bench/hostile.sh`.
//!
//! ```text
//! cargo run -p prescan-core --example hostile -- OUT_DIR
//! ```

#[path = "../tests/hostile/inputs.rs"]
mod inputs;

fn main() {
    let Some(dir) = std::env::args().nth(1) else {
        eprintln!("usage: hostile <output folder>");
        std::process::exit(2);
    };
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("{dir}: {e}");
        std::process::exit(2);
    }
    for (name, what, bytes) in inputs::all() {
        let path = std::path::Path::new(&dir).join(name);
        if let Err(e) = std::fs::write(&path, &bytes) {
            eprintln!("{}: {e}", path.display());
            std::process::exit(2);
        }
        println!("{name}\t{}\t{what}", bytes.len());
    }
}
