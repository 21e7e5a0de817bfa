//! Turns the firmware's inputs into flash tables, and links with cortex-m-rt's `link.x` and this board's
//! `memory.x`.
//!
//! * `EXOSIM_LAW` (default `examples/walking-assist.law.toml`): the law file, exo-control's serde form of
//!   `AssistanceConfig<f32, N>` and `SupervisorConfig<f32, N>`. Checked here as the firmware checks it, then
//!   written as postcard bytes that the image decodes with exo-control's own `no_std` serde code.
//! * `EXOSIM_FRAMES` (default `examples/walking-assist-log/frames.csv`): a frame log from
//!   `exosim run --frames`, written as a table of `f32` bit patterns (`src/table.rs`).
//!
//! Relative paths are taken from this crate's folder.

#[path = "host/src/inputs.rs"]
#[macro_use]
#[allow(dead_code)]
mod inputs;
#[path = "src/table.rs"]
#[allow(dead_code)]
mod table;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn input(var: &str, default: &str) -> PathBuf {
    println!("cargo:rerun-if-env-changed={var}");
    let p = std::env::var_os(var).map_or_else(|| PathBuf::from(default), PathBuf::from);
    let p = if p.is_absolute() { p } else { Path::new(env!("CARGO_MANIFEST_DIR")).join(p) };
    println!("cargo:rerun-if-changed={}", p.display());
    p
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

/// The law's configurations for `N` joints as postcard bytes.
fn law_bytes<const N: usize>(text: &str) -> Result<Vec<u8>, String> {
    let law = inputs::parse_law::<N>(text)?;
    postcard::to_stdvec(&(law.assistance, law.supervisor)).map_err(|e| e.to_string())
}

fn run() -> Result<(), String> {
    let out = PathBuf::from(std::env::var("OUT_DIR").map_err(|e| e.to_string())?);
    let law_path = input("EXOSIM_LAW", "examples/walking-assist.law.toml");
    let frames_path = input("EXOSIM_FRAMES", "examples/walking-assist-log/frames.csv");

    let law_text = read(&law_path)?;
    let n = inputs::law_joints(&law_text).map_err(|e| format!("{}: {e}", law_path.display()))?;
    let law = for_joints!(n, law_bytes, &law_text).map_err(|e| format!("{}: {e}", law_path.display()))?;
    let log = inputs::FrameLog::parse(&read(&frames_path)?, &frames_path.display().to_string())?;
    let frames = log.table(n).map_err(|e| format!("{}: {e}", frames_path.display()))?;
    std::fs::write(out.join("law.postcard"), &law).map_err(|e| e.to_string())?;
    std::fs::write(out.join("frames.bin"), &frames).map_err(|e| e.to_string())?;

    let mut rs = String::new();
    let _ = writeln!(rs, "/// Joints of the law (from `joints` of the law file).\npub const N: usize = {n};");
    let _ = writeln!(rs, "/// Ticks in the frame table.\npub const TICKS: usize = {};", log.ticks());
    let _ = writeln!(
        rs,
        "/// The law file the image was built from.\npub const LAW_FILE: &str = {:?};",
        law_path.display().to_string()
    );
    let _ = writeln!(
        rs,
        "/// The frame log the image was built from.\npub const FRAMES_FILE: &str = {:?};",
        frames_path.display().to_string()
    );
    let _ = writeln!(rs, "/// `(AssistanceConfig<f32, N>, SupervisorConfig<f32, N>)`, postcard-encoded.");
    let _ = writeln!(rs, "pub static LAW: &[u8] = include_bytes!(concat!(env!(\"OUT_DIR\"), \"/law.postcard\"));");
    let _ = writeln!(rs, "/// The frame table, `TICKS` ticks of `table::bytes_per_tick(N)` bytes.");
    let _ = writeln!(rs, "pub static FRAMES: &[u8] = include_bytes!(concat!(env!(\"OUT_DIR\"), \"/frames.bin\"));");
    std::fs::write(out.join("inputs.rs"), rs).map_err(|e| e.to_string())?;

    // The linker script: cortex-m-rt's link.x includes memory.x from the search path.
    println!("cargo:rerun-if-changed=memory.x");
    std::fs::copy(Path::new(env!("CARGO_MANIFEST_DIR")).join("memory.x"), out.join("memory.x"))
        .map_err(|e| format!("memory.x: {e}"))?;
    println!("cargo:rustc-link-search={}", out.display());
    if std::env::var("TARGET").is_ok_and(|t| t.starts_with("thumb")) {
        println!("cargo:rustc-link-arg-bins=--nmagic");
        println!("cargo:rustc-link-arg-bins=-Tlink.x");
    }
    Ok(())
}

fn main() {
    if let Err(e) = run() {
        eprintln!("exo-firmware build: {e}");
        std::process::exit(1);
    }
}
