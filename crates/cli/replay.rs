//! `exosim replay`: a run's frame log through a freshly built control law and supervisor.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context, anyhow};
use exo_sim::scenario;
use exo_sim::simulation::{FrameLog, replay};

use crate::{Failure, atomic};

/// Replays `dir/frames.csv` (or `frames`) under `dir/scenario.toml` with `set` applied, prints what differs and
/// writes `out/<scenario>/replay.csv` (logged and replayed supervised torque per joint and tick). Without
/// overrides, any difference from the log is a failure: the same code on the same frames must command the same.
pub(crate) fn run(dir: &Path, frames: Option<&Path>, set: &[String], out: &Path) -> Result<(), Failure> {
    let scenario_path = dir.join("scenario.toml");
    if !scenario_path.is_file() {
        return Err(Failure::Input(anyhow!(
            "{}: no scenario.toml here; replay takes the output folder of `exosim run --frames`",
            dir.display()
        )));
    }
    let loaded = scenario::load(&scenario_path, set)?;
    let frames_path = frames.map_or_else(|| dir.join("frames.csv"), Path::to_path_buf);
    let text = std::fs::read_to_string(&frames_path).with_context(|| {
        format!("cannot read the frame log {} (write one with `exosim run --frames`)", frames_path.display())
    })?;
    let log = FrameLog::from_csv(&text, &frames_path).map_err(|e| Failure::Input(e.into()))?;
    let mut parts = scenario::build(&loaded, true)?;
    let joints: Vec<&str> = parts.joints.iter().map(|j| j.name.as_str()).collect();
    if joints != log.joints() {
        return Err(Failure::Input(anyhow!(
            "{}: the log's joints ({}) are not the device's ({})",
            frames_path.display(),
            log.joints().join(", "),
            joints.join(", ")
        )));
    }
    let law = format!("the `{}` law ({:?})", parts.controller.name(), parts.controller.precision());
    let report = replay(parts.controller.as_mut(), &log);
    let (t0, t1) = match log.len() {
        0 => (0.0, 0.0),
        n => (log.record(0).time_s, log.record(n - 1).time_s),
    };
    println!(
        "replayed {} ticks ({t0:.3}..{t1:.3} s) of {} through {law}{}",
        report.ticks,
        frames_path.display(),
        if set.is_empty() { String::new() } else { format!(" with {}", set.join(", ")) }
    );

    let mut csv = String::from("time_s");
    for j in log.joints() {
        let _ = write!(csv, ",{j}_logged_torque_nm,{j}_replayed_torque_nm");
    }
    csv.push('\n');
    for (tick, r) in log.records().enumerate() {
        let _ = write!(csv, "{}", r.time_s);
        for (j, replayed) in report.replayed_torque_nm(tick).iter().enumerate() {
            let logged = r.output.as_ref().map_or(f64::NAN, |x| x.supervised_torque_nm[j]);
            let _ = write!(csv, ",{logged},{replayed}");
        }
        csv.push('\n');
    }
    let out_dir = out.join(&loaded.scenario.name);
    std::fs::create_dir_all(&out_dir).map_err(anyhow::Error::from)?;
    atomic::write(&out_dir.join("replay.csv"), csv.as_bytes())?;

    if report.compared == 0 {
        println!("  the log holds no commands to compare with");
    } else if let Some(m) = &report.first_mismatch {
        println!(
            "  differs from the log from t = {:.4} s (tick {}): {} logged {}, replayed {}",
            m.time_s, m.tick, m.column, m.logged, m.replayed
        );
        // Readable at both ends: gains change torques by N m, precision by micro-N m.
        let nm = |x: f64| if x == 0.0 || x >= 1e-3 { format!("{x:.4}") } else { format!("{x:.3e}") };
        let per: Vec<String> =
            log.joints().iter().zip(&report.max_abs_difference_nm).map(|(j, d)| format!("{j} {}", nm(*d))).collect();
        println!("  largest supervised-torque difference: {} N m", per.join(", "));
        if set.is_empty() {
            println!("  written: {}", out_dir.join("replay.csv").display());
            return Err(Failure::Simulation(format!(
                "the replay of {} differs from its log at t = {:.4} s ({}): the control code or its inputs changed",
                frames_path.display(),
                m.time_s,
                m.column
            )));
        }
    } else {
        println!("  commands bit-identical to the log on all {} ticks", report.compared);
    }
    println!("  written: {}", out_dir.join("replay.csv").display());
    Ok(())
}
