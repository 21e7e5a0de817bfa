//! Running one scenario: build, run with progress and interruption, baseline, outputs.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::Result;
use exo_sim::scenario::{self, LoadedScenario, OneLeggedRun, RunControl};
use exo_sim::simulation::Summary;
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
    let Some(run) = with_progress(stop, |control| scenario::run_one_legged(loaded, frames, control))? else {
        return Ok((Outcome::Interrupted, dir));
    };
    let OneLeggedRun { sim, summary, failure } = run;
    let rec = sim.recorder();
    outputs::write_all(&dir, rec, &summary, sc.outputs.sto, sc.outputs.timeseries)?;
    outputs::write_scenario(&dir, loaded)?;
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

/// Calls `f` with a run control that draws a progress bar per run (label) and stops on `stop`.
pub(crate) fn with_progress<R>(stop: &AtomicBool, f: impl FnOnce(&mut RunControl<'_>) -> R) -> R {
    let mut bar: Option<(String, ProgressBar)> = None;
    let mut progress = |label: &str, fraction: f64| {
        if bar.as_ref().is_none_or(|(l, _)| l != label) {
            if let Some((_, b)) = bar.take() {
                b.finish_and_clear();
            }
            bar = Some((label.to_string(), progress_bar(1000, label)));
        }
        if let Some((_, b)) = &bar {
            b.set_position((fraction * 1000.0) as u64);
        }
    };
    let halt = || stop.load(Ordering::Relaxed);
    let r = f(&mut RunControl { progress: &mut progress, stop: &halt });
    if let Some((_, b)) = bar {
        b.finish_and_clear();
    }
    r
}
