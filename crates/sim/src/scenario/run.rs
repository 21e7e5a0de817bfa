//! Running a loaded scenario to its end as the program does: the run, its no-device baseline when the scenario
//! asks for one, and for an imported wearer the muscles' metabolic cost. The command-line program, the Python
//! package and sweeps all run scenarios through here, so they report the same figures.

use crate::simulation::{Simulation, Summary};
use crate::walk::{BaselineJoint, WalkSimulation, WalkSummary};
use crate::wearer::muscle_analysis::MuscleTrial;

use super::{LoadedScenario, ScenarioError, StrideWindow, WalkVariant};

/// The scenario's walk as written.
const FULL: WalkVariant = WalkVariant { device: true, device_masses: true, load: true };
/// Without the device (its masses neither).
const NO_DEVICE: WalkVariant = WalkVariant { device: false, device_masses: false, load: true };
/// The device worn unpowered: its masses, no actuators.
const UNPOWERED: WalkVariant = WalkVariant { device: false, device_masses: true, load: true };
/// Without the device and without the load.
const NO_LOAD: WalkVariant = WalkVariant { device: false, device_masses: false, load: false };

/// Strides left out of the metabolic window at the start of an assisted walk: a heel-strike estimator knows the
/// phase from the second heel strike on, so assistance runs from the third stride.
pub const SETTLING_STRIDES: usize = 2;

/// How a run reports its progress and learns that it should stop.
pub struct RunControl<'a> {
    /// Called now and then with the run's label (the scenario's name, `(no exo)` added for the baseline) and the
    /// fraction of it done.
    pub progress: &'a mut dyn FnMut(&str, f64),
    /// Polled between ticks: true stops the run (an interrupt).
    pub stop: &'a dyn Fn() -> bool,
}

/// A one-legged scenario run to its end (or to its failure).
pub struct OneLeggedRun {
    /// The simulation, with its recorder.
    pub sim: Simulation,
    /// Its summary, with the baseline's joints when the scenario compares without the exoskeleton.
    pub summary: Summary,
    /// Why it stopped early (a divergence, an actuator failure), if it did.
    pub failure: Option<String>,
}

/// A walk of an imported wearer run to its end, its baseline and its muscles' analysis.
pub struct WalkRun {
    /// The walk with the device, with its recorder.
    pub sim: WalkSimulation,
    /// Its summary: the baseline's torques and the metabolic comparison filled in when they were computed.
    pub summary: WalkSummary,
    /// The same walk without the device, when the scenario compares and it ran to the end.
    pub baseline: Option<WalkSimulation>,
    /// The muscles' analysis of the walk and of its baseline, when the scenario has muscles.
    pub muscles: Option<(MuscleTrial, Option<MuscleTrial>)>,
    /// The strides the metabolic figures average over.
    pub window: Option<StrideWindow>,
    /// What went wrong after the walk was simulated (its failure, the baseline's, the analysis'), if anything.
    pub problem: Option<String>,
}

/// Runs a scenario without an imported wearer. `frames` turns on the frame log (for replay). `None` when
/// interrupted before its end.
///
/// # Errors
/// The scenario cannot be built.
pub fn run_one_legged(
    loaded: &LoadedScenario,
    frames: bool,
    control: &mut RunControl<'_>,
) -> Result<Option<OneLeggedRun>, ScenarioError> {
    let sc = &loaded.scenario;
    let duration = sc.simulation.duration_s;
    let mut sim = Simulation::new(super::build(loaded, true)?);
    if frames {
        sim.log_frames();
    }
    let stop = control.stop;
    let result = sim.run(duration, |f| (control.progress)(&sc.name, f), stop);
    if stop() && sim.time_s() + 0.5 * sim.timing().control_dt_s < duration {
        return Ok(None);
    }
    let mut summary = sim.summary();
    let failure = result.err().map(|e| e.to_string());
    summary.ended_early = failure.clone();
    if sc.simulation.compare_without_exo && sc.exoskeleton.is_some() && failure.is_none() {
        let mut quiet = loaded.clone();
        quiet.scenario.simulation.record_rate_hz = 0.0;
        let mut base = Simulation::new(super::build(&quiet, false)?);
        let label = format!("{} (no exo)", sc.name);
        let r = base.run(duration, |f| (control.progress)(&label, f), stop);
        if stop() {
            return Ok(None);
        }
        if let Err(e) = r {
            return Ok(Some(OneLeggedRun {
                failure: Some(format!("the run without the exoskeleton failed: {e}")),
                sim,
                summary,
            }));
        }
        let b = base.summary();
        summary.baseline = Some(b.joints);
        summary.baseline_pelvis_residual_rms = b.pelvis_residual_rms;
    }
    Ok(Some(OneLeggedRun { sim, summary, failure }))
}

/// One walk, with or without the device: the simulation, why it ended early, whether it was interrupted.
fn simulate(
    loaded: &LoadedScenario,
    imported: &super::ImportedWearer,
    variant: WalkVariant,
    label: &str,
    control: &mut RunControl<'_>,
) -> Result<(WalkSimulation, Option<String>, bool), ScenarioError> {
    let mut sim = WalkSimulation::new(super::build_walk_with(loaded, imported, variant)?);
    let start_s = sim.time_s();
    let duration = loaded.scenario.simulation.duration_s;
    let stop = control.stop;
    let r = sim.run(duration, |f| (control.progress)(label, f), stop);
    let interrupted = stop() && sim.time_s() + 0.5 * sim.timing().control_dt_s < start_s + duration;
    Ok((sim, r.err().map(|e| e.to_string()), interrupted))
}

/// Runs a scenario with an imported wearer (`[wearer]`): the walk, the same walk without the device when the
/// scenario compares, then the muscles' metabolic cost of both. `None` when interrupted.
///
/// A failure of either walk or of the analysis is reported in [`WalkRun::problem`], with everything computed
/// before it kept.
///
/// # Errors
/// The wearer cannot be imported or the walk cannot be built.
pub fn run_walk(loaded: &LoadedScenario, control: &mut RunControl<'_>) -> Result<Option<WalkRun>, ScenarioError> {
    let sc = &loaded.scenario;
    let imported = super::import_wearer(loaded)?;
    let (sim, failure, interrupted) = simulate(loaded, &imported, FULL, &sc.name, control)?;
    if interrupted {
        return Ok(None);
    }
    let mut summary = sim.summary();
    summary.ended_early = failure.clone();
    let has_device = !sim.joints().is_empty();
    let mut problem = failure;
    // One more walk of the comparisons: `None` when interrupted; its failure goes into `problem`.
    let mut compare = |variant, label: &str, what: &str, problem: &mut Option<String>| {
        let (sim, f, interrupted) = simulate(loaded, &imported, variant, &format!("{} ({label})", sc.name), control)?;
        if let Some(f) = f {
            *problem = Some(format!("the walk {what} failed: {f}"));
        }
        Ok::<_, ScenarioError>((!interrupted).then_some(sim))
    };
    let baseline = if sc.simulation.compare_without_exo && has_device && problem.is_none() {
        let Some(base) = compare(NO_DEVICE, "no exo", "without the device", &mut problem)? else { return Ok(None) };
        if problem.is_some() {
            None
        } else {
            let b = base.summary();
            summary.baseline = Some(
                summary
                    .coordinates
                    .iter()
                    .zip(&b.coordinates)
                    .filter(|(c, _)| !c.residual)
                    .map(|(c, b)| BaselineJoint {
                        name: c.name.clone(),
                        human_torque_rms_nm: b.generalized_force_rms,
                        with_device_nm: c.generalized_force_rms,
                    })
                    .collect(),
            );
            Some(base)
        }
    } else {
        None
    };
    let compare_unloaded = sc.wearer.as_ref().and_then(|w| w.backpack.as_ref()).is_some_and(|p| p.compare_unloaded);
    let unloaded = if compare_unloaded && problem.is_none() {
        let Some(u) = compare(NO_LOAD, "no load", "without the load", &mut problem)? else { return Ok(None) };
        Some(u)
    } else {
        None
    };
    // The device's weight alone: its masses carried, its actuators off.
    let weighs = sc.wearer.as_ref().is_some_and(|w| !w.device_masses.is_empty());
    let unpowered = if weighs && baseline.is_some() && imported.muscles.is_some() && problem.is_none() {
        let Some(u) = compare(UNPOWERED, "device unpowered", "with the device unpowered", &mut problem)? else {
            return Ok(None);
        };
        Some(u)
    } else {
        None
    };
    let mut muscles = None;
    let mut window = None;
    if imported.muscles.is_some() && problem.is_none() {
        let settle = if has_device { SETTLING_STRIDES } else { 0 };
        let w = super::stride_window(&imported, &sim, settle);
        match super::walk_metabolics(loaded, &imported, &sim, baseline.as_ref(), &w) {
            Ok((mut m, trial, without)) => {
                if let (Some(u), Some(c)) = (&unpowered, m.change.as_mut()) {
                    match super::analyse_walk(loaded, &imported, u) {
                        Ok(t) => {
                            let [t0, t1] = w.window_s;
                            let avg =
                                crate::wearer::muscle_analysis::time_average(&t.time_s, &t.metabolic_power_w, t0, t1);
                            let weight = avg - c.unassisted_w;
                            c.device_weight_w = Some(weight);
                            // Muscle efficiency bounds what the assistance saves, the weight's cost aside.
                            c.saving_per_positive_work =
                                (c.device_positive_w > 1e-9).then(|| -(c.change_w - weight) / c.device_positive_w);
                            c.implausible =
                                c.saving_per_positive_work.and_then(crate::wearer::muscle_analysis::implausibility_of);
                        }
                        Err(e) => problem = Some(format!("the analysis of the unpowered walk failed: {e}")),
                    }
                }
                summary.metabolics = Some(m);
                if let Some(u) = &unloaded {
                    // The load's cost is the walk without the device carrying it against the one without either.
                    let carrying = match (&baseline, &without) {
                        (Some(b), Some(t)) => (b, t),
                        _ => (&sim, &trial),
                    };
                    match super::load_carriage(loaded, &imported, carrying, u, &w) {
                        Ok(c) => summary.load_carriage = Some(c),
                        Err(e) => problem = Some(format!("the load-carriage analysis failed: {e}")),
                    }
                }
                muscles = Some((trial, without));
            }
            Err(e) => problem = Some(format!("the metabolic analysis failed (the runs' outputs are kept): {e}")),
        }
        window = Some(w);
    }
    Ok(Some(WalkRun { sim, summary, baseline, muscles, window, problem }))
}
