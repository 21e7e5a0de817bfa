//! Running one scenario: build, run with progress and interruption, baseline, outputs.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::Result;
use exo_sim::scenario::{self, LoadedScenario};
use exo_sim::simulation::{Simulation, Summary};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::{outputs, plots};

/// How a run ended.
pub(crate) enum Outcome {
    /// Ran to the end.
    Finished(Box<Summary>),
    /// Stopped by a divergence or an actuator failure (outputs written up to it).
    Failed(Box<Summary>, String),
    /// Interrupted (Ctrl-C): nothing written for this run.
    Interrupted,
}

/// A progress bar on stderr that draws only on a terminal.
pub(crate) fn progress_bar(len: u64, label: &str) -> ProgressBar {
    let pb = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    pb.set_style(
        ProgressStyle::with_template("{prefix:>18} [{bar:40}] {percent:>3}% {elapsed_precise} eta {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    pb.set_prefix(label.to_string());
    pb
}

/// Runs `loaded` (and its no-exoskeleton baseline when asked) and writes its outputs into `out_dir/<name>/`.
pub(crate) fn run_one(
    loaded: &LoadedScenario,
    out_dir: &Path,
    plots_on: bool,
    frames: bool,
    stop: &AtomicBool,
) -> Result<(Outcome, PathBuf)> {
    let sc = &loaded.scenario;
    let dir = out_dir.join(&sc.name);
    let parts = scenario::build(loaded, true)?;
    let mut sim = Simulation::new(parts);
    if frames {
        sim.log_frames();
    }
    let duration = sc.simulation.duration_s;
    let pb = progress_bar(1000, &sc.name);
    let result = sim.run(duration, |f| pb.set_position((f * 1000.0) as u64), || stop.load(Ordering::Relaxed));
    pb.finish_and_clear();
    if stop.load(Ordering::Relaxed) && sim.time_s() + 0.5 * sim.timing().control_dt_s < duration {
        return Ok((Outcome::Interrupted, dir));
    }
    let mut summary = sim.summary();
    let failure = result.err().map(|e| e.to_string());
    summary.ended_early = failure.clone();
    if sc.simulation.compare_without_exo && sc.exoskeleton.is_some() && failure.is_none() {
        let mut quiet = loaded.clone();
        quiet.scenario.simulation.record_rate_hz = 0.0;
        let mut base = Simulation::new(scenario::build(&quiet, false)?);
        let pb = progress_bar(1000, &format!("{} (no exo)", sc.name));
        let r = base.run(duration, |f| pb.set_position((f * 1000.0) as u64), || stop.load(Ordering::Relaxed));
        pb.finish_and_clear();
        if stop.load(Ordering::Relaxed) {
            return Ok((Outcome::Interrupted, dir));
        }
        r?;
        let b = base.summary();
        summary.baseline = Some(b.joints);
        summary.baseline_pelvis_residual_rms = b.pelvis_residual_rms;
    }
    let rec = sim.recorder();
    outputs::write_all(&dir, rec, &summary, sc.outputs.sto, sc.outputs.timeseries)?;
    let text =
        scenario::resolved_copy(loaded).to_toml().map_err(|e| anyhow::anyhow!("cannot write the scenario: {e}"))?;
    crate::atomic::write(&dir.join("scenario.toml"), text.as_bytes())?;
    if let Some(log) = sim.frame_log() {
        crate::atomic::write(&dir.join("frames.csv"), log.to_csv().as_bytes())?;
    }
    if plots_on && sc.outputs.plots {
        plots::write_all(&dir.join("plots"), rec, &sc.name)?;
    }
    Ok((
        match failure {
            None => Outcome::Finished(Box::new(summary)),
            Some(f) => Outcome::Failed(Box::new(summary), f),
        },
        dir,
    ))
}
