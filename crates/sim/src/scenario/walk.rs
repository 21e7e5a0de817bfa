//! From a scenario with an imported wearer (`[wearer]`) to a ready walking simulation.

use std::sync::Arc;

use super::build::{device_timing, find_asset, firmware, load_actuator, scheduled_faults};
use super::load::{LoadedScenario, ScenarioError};
use crate::actuator::Actuator;
use crate::error::ValidationError;
use crate::opensim::Storage;
use crate::sensor::SensorSuite;
use crate::walk::{
    BodySetup, DeviceJoint, MetabolicComparison, Reference, ReferenceSample, TrackingWearer, TrialClock, WalkBody,
    WalkMetabolics, WalkParts, WalkSimulation,
};
use crate::wearer::muscle_analysis::MuscleTrial;
use crate::wearer::trial::{CoordinateTrajectories, MeasuredLoads, generalized_forces};
use crate::wearer::{CarriedMass, Musculature, Skeleton};

/// The device joints an imported wearer can carry, by kind, with the coordinate prefix each spans (OpenSim's
/// gait10dof18musc names; the side's `_r`/`_l` follows).
const DEVICE_JOINTS: [(&str, &str); 3] = [("hip", "hip_flexion"), ("knee", "knee_angle"), ("ankle", "ankle_angle")];

/// The imported wearer's files and what was read from them, for the run and for the metabolic analysis after it.
#[derive(Clone, Debug)]
pub struct ImportedWearer {
    /// The model as read.
    pub model: exo_opensim::Model,
    /// Its skeleton.
    pub skeleton: Arc<Skeleton>,
    /// The filtered trial.
    pub trajectories: CoordinateTrajectories,
    /// The recorded plates.
    pub loads: MeasuredLoads,
    /// The muscles and the metabolic probe, when the scenario names a metabolics file.
    pub muscles: Option<(Musculature, crate::wearer::metabolics::Umberger2010)>,
}

fn asset(l: &LoadedScenario, field: &str, rel: &str) -> Result<std::path::PathBuf, ScenarioError> {
    find_asset(&l.path, rel).ok_or_else(|| l.error(field, format!("file not found: {rel}")))
}

/// Reads the model, trial and plates `[wearer]` names.
///
/// # Errors
/// A missing or malformed file, a model the planar engine cannot represent, a motion column naming no
/// coordinate, a load on a body the model lacks: each on the field that names the file, with the file's own line.
pub fn import_wearer(l: &LoadedScenario) -> Result<ImportedWearer, ScenarioError> {
    let Some(w) = &l.scenario.wearer else {
        return Err(l.error("wearer", "this scenario has no imported wearer"));
    };
    let model_path = asset(l, "wearer.model", &w.model)?;
    let label = model_path.display().to_string();
    let model = exo_opensim::read_model(&model_path).map_err(|e| l.error("wearer.model", e.to_string()))?;
    let skeleton = Skeleton::from_osim(&model, &label).map_err(|e| l.error("wearer.model", e.to_string()))?;
    if let Some(c) = skeleton.coordinates.iter().find(|c| c.locked) {
        return Err(l.error(
            "wearer.model",
            format!(
                "{label}: coordinate {} is locked: the walking simulation does not hold locked coordinates",
                c.name
            ),
        ));
    }
    let motion_path = asset(l, "wearer.motion", &w.motion)?;
    let motion = Storage::read(&motion_path).map_err(|e| l.error("wearer.motion", e.to_string()))?;
    let trajectories = CoordinateTrajectories::from_motion(&skeleton, &motion, w.lowpass_hz)
        .map_err(|e| l.error("wearer.motion", e.to_string()))?;
    if trajectories.len() < 2 {
        return Err(l.error("wearer.motion", format!("{}: a trial needs two frames at least", motion_path.display())));
    }
    let loads_path = asset(l, "wearer.loads", &w.loads)?;
    let loads =
        MeasuredLoads::read(&skeleton, &model, &loads_path).map_err(|e| l.error("wearer.loads", e.to_string()))?;
    check_free_pelvis(l, &skeleton, &label)?;
    let muscles = match &w.metabolics {
        Some(rel) => {
            let path = asset(l, "wearer.metabolics", rel)?;
            let muscles = Musculature::from_osim(&model, &skeleton, &label)
                .map_err(|e| l.error("wearer.model", e.to_string()))?;
            let probe_model =
                exo_opensim::read_model(&path).map_err(|e| l.error("wearer.metabolics", e.to_string()))?;
            let probe = crate::wearer::metabolics::Umberger2010::of_model(
                &probe_model,
                &model.muscles,
                &path.display().to_string(),
            )
            .map_err(|e| l.error("wearer.metabolics", e.to_string()))?;
            Some((muscles, probe))
        }
        None => None,
    };
    Ok(ImportedWearer { model, skeleton: Arc::new(skeleton), trajectories, loads, muscles })
}

/// The device joints `[actuators]` names on an imported wearer, in the order hip, knee, ankle, right before left.
fn device_joints(l: &LoadedScenario, skeleton: &Skeleton) -> Result<Vec<DeviceJoint>, ScenarioError> {
    let allowed: Vec<String> = DEVICE_JOINTS.iter().flat_map(|(k, _)| ["r", "l"].map(|s| format!("{k}_{s}"))).collect();
    if let Some(name) = l.scenario.actuators.keys().find(|k| !allowed.contains(k)) {
        return Err(l.error(
            format!("actuators.{name}"),
            format!("an imported wearer's device joints are {}", allowed.join(", ")),
        ));
    }
    let mut out = Vec::new();
    for (kind, prefix) in DEVICE_JOINTS {
        for (foot, side) in ["r", "l"].iter().enumerate() {
            let name = format!("{kind}_{side}");
            if !l.scenario.actuators.contains_key(&name) {
                continue;
            }
            let coordinate_name = format!("{prefix}_{side}");
            let coordinate = skeleton.coordinate(&coordinate_name).ok_or_else(|| {
                l.error(format!("actuators.{name}"), format!("the model has no coordinate {coordinate_name} to span"))
            })?;
            out.push(DeviceJoint { name, coordinate, foot });
        }
    }
    Ok(out)
}

/// Builds the walk a scenario with `[wearer]` describes, from what [`import_wearer`] read (`with_device = false`:
/// the same walk without the device), carrying its backpack if it has one.
///
/// # Errors
/// A start or duration outside the trial, an actuator or law the scenario cannot have, each naming its field.
pub fn build_walk(
    l: &LoadedScenario,
    imported: &ImportedWearer,
    with_device: bool,
) -> Result<WalkParts, ScenarioError> {
    build_walk_with(l, imported, WalkVariant { device: with_device, device_masses: with_device, load: true })
}

/// Which of a scenario's walks to build: with or without the device's actuators and laws, its masses
/// (`wearer.device_masses`) and the backpack (`wearer.backpack`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WalkVariant {
    /// The device's actuators, sensors and firmware.
    pub device: bool,
    /// The device's own masses on the wearer (without `device`: the device worn, unpowered and frictionless).
    pub device_masses: bool,
    /// The backpack.
    pub load: bool,
}

/// As [`build_walk`], for one variant of the scenario's walk.
///
/// # Errors
/// As [`build_walk`]; a carried mass on a body the model lacks, naming its field.
pub fn build_walk_with(
    l: &LoadedScenario,
    imported: &ImportedWearer,
    variant: WalkVariant,
) -> Result<WalkParts, ScenarioError> {
    let with_device = variant.device;
    let sc = &l.scenario;
    let s = &sc.simulation;
    let Some(w) = &sc.wearer else {
        return Err(l.error("wearer", "this scenario has no imported wearer"));
    };
    let (sk, plates) = carried_masses(l, imported, variant)?;
    let traj = &imported.trajectories;
    let (first_s, last_s) = (traj.time_s[0], traj.time_s[traj.len() - 1]);
    let (clock, advancing) = if w.repeat_stride { stride_clock(l, imported)? } else { (TrialClock::straight(), None) };
    let start_s = w.start_s.unwrap_or(if clock.repeats() { clock.start_s } else { first_s });
    let lowest = if clock.repeats() { clock.start_s } else { first_s };
    if !(lowest..last_s).contains(&start_s) {
        return Err(
            l.error("wearer.start_s", format!("must be within {lowest}..{last_s} s of the trial (got {start_s})"))
        );
    }
    if !clock.repeats() && start_s + s.duration_s > last_s + 1e-9 {
        return Err(l.error(
            "simulation.duration_s",
            format!(
                "the trial ends at {last_s} s: from {start_s} s it lasts {:.4} s at most (got {}; \
                 `wearer.repeat_stride = true` walks for longer)",
                last_s - start_s,
                s.duration_s
            ),
        ));
    }
    let reference = Arc::new(
        if clock.repeats() {
            Reference::repeated(&sk, traj, &plates, clock, advancing)
        } else {
            generalized_forces(&sk, traj, Some(&plates)).map(|ff| Reference::straight(traj, ff))
        }
        .map_err(|e| l.error("wearer.loads", e.to_string()))?,
    );
    let joints = if with_device { device_joints(l, &sk)? } else { Vec::new() };
    let mut first = ReferenceSample::new(sk.coordinates.len());
    reference.sample(start_s, &mut first);
    let mut configs = Vec::new();
    let mut actuators = Vec::new();
    for j in &joints {
        let cfg = load_actuator(l, &j.name, &sc.actuators[&j.name])?;
        actuators.push(Actuator::new(cfg.clone(), s.physics_dt_s, first.q[j.coordinate]));
        configs.push(cfg);
    }
    let names: Vec<String> = joints.iter().map(|j| j.name.clone()).collect();
    let timing = device_timing(l, &names, &configs)?;
    let gravity = Err(ValidationError::new(
        "controller.gravity",
        "needs the one-legged wearer's exoskeleton links: an imported wearer's device has no links of its own yet",
    ));
    let (controller, _spec, setpoint) = firmware(l, with_device, &names, &configs, &gravity, false, false)?;
    let faults = scheduled_faults(l, &names, with_device)?;
    let sensors = SensorSuite::new(sc.sensors, faults, s.seed, joints.iter().map(|j| j.foot).collect(), 2)
        .map_err(|e| l.error("sensors", e))?;
    let setup = BodySetup {
        plates: Some(plates),
        clock,
        integrator: s.integrator,
        device_coordinates: joints.iter().map(|j| j.coordinate).collect(),
    };
    let body = WalkBody::new(sk.clone(), setup, start_s, &first.q, &first.u)
        .map_err(|e| l.error("wearer.loads", e.to_string()))?;
    let record_every =
        if s.record_rate_hz > 0.0 { ((1.0 / s.record_rate_hz) / s.control_dt_s).round().max(1.0) as usize } else { 0 };
    Ok(WalkParts {
        name: sc.name.clone(),
        body,
        wearer: TrackingWearer::new(&sk, w.tracking.clone())
            .map_err(|e| l.error(format!("wearer.tracking.joints.{}", e.name), e.to_string()))?,
        reference,
        joints,
        actuators,
        sensors,
        controller,
        setpoint,
        timing,
        record_every_ticks: record_every,
        duration_s: s.duration_s,
    })
}

/// The skeleton carrying the walk's masses (the backpack, the device's own masses, as `variant` says) and the plates scaled to the wearer's new weight ([`MeasuredLoads::scaled`]); the imported ones,
/// untouched, when it carries nothing.
fn carried_masses(
    l: &LoadedScenario,
    imported: &ImportedWearer,
    variant: WalkVariant,
) -> Result<(Arc<Skeleton>, MeasuredLoads), ScenarioError> {
    let w = l.scenario.wearer.as_ref().expect("called for an imported wearer");
    let sk = &imported.skeleton;
    let body = |field: String, name: &str| {
        sk.body(name).ok_or_else(|| {
            let names: Vec<&str> = sk.bodies.iter().map(|b| b.name.as_str()).collect();
            l.error(field, format!("the model has no body {name} (its bodies: {})", names.join(", ")))
        })
    };
    let mut masses = Vec::new();
    if variant.load
        && let Some(p) = &w.backpack
    {
        masses.push((
            "wearer.backpack".to_string(),
            CarriedMass {
                name: "backpack".into(),
                body: body("wearer.backpack.body".into(), &p.body)?,
                mass_kg: p.mass_kg,
                mass_center_m: p.com_m,
                inertia_kg_m2: p.inertia_kg_m2,
                of_device: false,
            },
        ));
    }
    if variant.device_masses {
        for (i, m) in w.device_masses.iter().enumerate() {
            let field = format!("wearer.device_masses[{i}]");
            masses.push((
                field.clone(),
                CarriedMass {
                    name: m.name.clone(),
                    body: body(format!("{field}.body"), &m.body)?,
                    mass_kg: m.mass_kg,
                    mass_center_m: m.com_m,
                    inertia_kg_m2: m.inertia_kg_m2,
                    of_device: true,
                },
            ));
        }
    }
    if masses.is_empty() {
        return Ok((sk.clone(), imported.loads.clone()));
    }
    let fields: Vec<String> = masses.iter().map(|(f, _)| f.clone()).collect();
    let masses: Vec<CarriedMass> = masses.into_iter().map(|(_, m)| m).collect();
    let carrying = sk.carrying(&masses).map_err(|e| {
        let field = match &e {
            crate::wearer::CarriedMassError::Field { name, .. } => {
                masses.iter().position(|m| &m.name == name).map_or("wearer", |i| fields[i].as_str())
            }
            crate::wearer::CarriedMassError::Model(_) => "wearer",
        };
        l.error(field, e.to_string())
    })?;
    let factor = (sk.mass_kg() + carrying.carried_kg()) / sk.mass_kg();
    Ok((Arc::new(carrying), imported.loads.clone().scaled(factor)))
}

/// A stride over which the pelvis moves at least this far is overground walking, m (a walking stride is over a
/// metre; on a treadmill the pelvis stays within a few centimetres).
const OVERGROUND_STRIDE_M: f64 = 0.3;

/// The clock that repeats the trial's first whole stride of the right foot that leaves room for the cross-fade
/// before it, and the coordinate that advances along the walk (the free pelvis' translation that moves furthest
/// over the stride).
fn stride_clock(l: &LoadedScenario, imported: &ImportedWearer) -> Result<(TrialClock, Option<usize>), ScenarioError> {
    let w = l.scenario.wearer.as_ref().expect("called for an imported wearer");
    let (sk, traj) = (&imported.skeleton, &imported.trajectories);
    let (first_s, last_s) = (traj.time_s[0], traj.time_s[traj.len() - 1]);
    let strikes: Vec<f64> = imported
        .loads
        .heel_strikes_s(sk, "_r")
        .unwrap_or_default()
        .into_iter()
        .filter(|&t| t >= first_s + w.stride_fade_s && t <= last_s)
        .collect();
    let [t0, t1] = match strikes[..] {
        [a, b, ..] => [a, b],
        _ => {
            return Err(l.error(
                "wearer.repeat_stride",
                format!(
                    "{}: the right foot's plate shows {} heel strike(s) at least {} s (the fade) into the trial; a \
                     repeated stride needs two",
                    w.loads,
                    strikes.len(),
                    w.stride_fade_s
                ),
            ));
        }
    };
    if w.stride_fade_s >= t1 - t0 {
        return Err(l.error("wearer.stride_fade_s", format!("must be shorter than the stride, {} s", t1 - t0)));
    }
    // Overground, the pelvis moves a stride's length (over a metre) along ground X, OpenSim's walking direction
    // (the pelvis' first translation: `check_free_pelvis`); on a treadmill it stays within centimetres and nothing
    // advances (the cubic correction closes the gap).
    let x = crate::walk::pelvis_coordinates(sk)
        .into_iter()
        .find(|&c| sk.coordinates[c].motion == exo_opensim::MotionType::Translational)
        .expect("a free planar pelvis, checked on import");
    let column: Vec<f64> = traj.q.iter().map(|r| r[x]).collect();
    let value = |t: f64| crate::opensim::signal::value_at(&traj.time_s, &column, t);
    let stride_m = value(t1) - value(t0);
    let (advancing, advance_m) = if stride_m.abs() >= OVERGROUND_STRIDE_M { (Some(x), stride_m) } else { (None, 0.0) };
    Ok((TrialClock { start_s: t0, period_s: t1 - t0, fade_s: w.stride_fade_s, advance_m }, advancing))
}

/// The whole strides of the right foot a walk's metabolic cost is averaged over.
#[derive(Clone, Debug, PartialEq)]
pub struct StrideWindow {
    /// The window, s.
    pub window_s: [f64; 2],
    /// The heel strikes that bound its strides, s (empty when the run holds no whole stride).
    pub heel_strikes_s: Vec<f64>,
    /// Why the window is not the settled strides asked for, when it is not.
    pub note: Option<String>,
}

impl StrideWindow {
    /// Whole strides in the window.
    #[must_use]
    pub fn strides(&self) -> usize {
        self.heel_strikes_s.len().saturating_sub(1)
    }
}

/// The whole strides of the right foot in `sim`'s recorded run (the repeated stride's starts, or the plates' heel
/// strikes), leaving out the first `settle` (a heel-strike phase estimator knows the phase from the second heel
/// strike on). A run too short for that keeps the strides there are, or the whole run, and says so.
#[must_use]
pub fn stride_window(imported: &ImportedWearer, sim: &WalkSimulation, settle: usize) -> StrideWindow {
    let time: Vec<f64> = sim.recorder().column(0).collect();
    let (t0, t1) = (time.first().copied().unwrap_or(0.0), time.last().copied().unwrap_or(0.0));
    let clock = sim.reference().clock();
    let strikes: Vec<f64> = if clock.repeats() {
        (0..).map(|k| clock.start_s + f64::from(k) * clock.period_s).take_while(|&s| s <= t1 + 1e-9).collect()
    } else {
        imported.loads.heel_strikes_s(&imported.skeleton, "_r").unwrap_or_default()
    };
    let mut inside: Vec<f64> = strikes.into_iter().filter(|&s| s >= t0 - 1e-9 && s <= t1 + 1e-9).collect();
    let whole = inside.len().saturating_sub(1);
    if whole == 0 {
        let note = Some("the run holds no whole stride: the figures average the whole run".to_string());
        return StrideWindow { window_s: [t0, t1], heel_strikes_s: Vec::new(), note };
    }
    let note = if whole > settle {
        inside.drain(..settle);
        None
    } else {
        (settle > 0).then(|| {
            format!(
                "the run holds {whole} whole stride(s), not more than the {settle} before the phase estimator has \
                 settled: the figures include strides without assistance (lengthen the run, with repeat_stride)"
            )
        })
    };
    StrideWindow { window_s: [inside[0], inside[inside.len() - 1]], heel_strikes_s: inside, note }
}

/// The muscles' metabolic cost of `assisted` (and, given the same walk `unassisted` without the device, the change
/// the device makes), over `window` ([`stride_window`]); with the muscles of `assisted` (and `unassisted`) row by row (activations,
/// forces, metabolic power per muscle).
///
/// # Errors
/// `[wearer]` names no metabolics file, or it has no usable probe; a static optimization that fails.
pub fn walk_metabolics(
    l: &LoadedScenario,
    imported: &ImportedWearer,
    assisted: &WalkSimulation,
    unassisted: Option<&WalkSimulation>,
    window: &StrideWindow,
) -> Result<(WalkMetabolics, MuscleTrial, Option<MuscleTrial>), ScenarioError> {
    let window_s = window.window_s;
    use crate::wearer::muscle_analysis::{MetabolicChange, time_average};
    let w = l.scenario.wearer.as_ref().expect("called for an imported wearer");
    let analyse = |sim: &WalkSimulation| analyse_walk(l, imported, sim);
    let started = std::time::Instant::now();
    let with = analyse(assisted)?;
    let analysis_wall_s = started.elapsed().as_secs_f64();
    let avg = |v: &[f64]| time_average(&with.time_s, v, window_s[0], window_s[1]);
    let muscles_w = avg(&with.metabolic_power_w);
    let sk = &*imported.skeleton;
    let mass = sk.mass_kg();
    let shared = &with.shared;
    let largest_reserve = with
        .reserve
        .iter()
        .enumerate()
        .flat_map(|(i, r)| shared.iter().map(move |&c| (c, i, r[c])))
        .max_by(|a, b| a.2.abs().total_cmp(&b.2.abs()))
        .map(|(c, i, v)| (sk.coordinates[c].name.clone(), with.time_s[i], v));
    let without = unassisted.map(analyse).transpose()?;
    let change = match &without {
        Some(without) => {
            let c = MetabolicChange::between(without, &with, window_s);
            Some(MetabolicComparison {
                unassisted_w: c.unassisted_w,
                assisted_w: c.assisted_w,
                change_w: c.change_w(),
                change_pct: c.change_pct(),
                groups: c.groups.clone(),
                device_positive_w: c.device_positive_w,
                device_net_w: c.device_net_w,
                saving_per_positive_work: c.saving_per_positive_work(),
                device_weight_w: None,
                device_mass_kg: w.device_masses.iter().map(|m| m.mass_kg).sum(),
                implausible: c.implausibility(),
            })
        }
        None => None,
    };
    let summary = WalkMetabolics {
        window_s,
        strides: window.strides(),
        window_note: window.note.clone(),
        frames: with.time_s.len(),
        analysis_wall_s,
        muscles_w,
        muscles_w_per_kg: muscles_w / mass,
        bhargava_w: avg(&with.metabolic_power_bhargava_w),
        cost_of_transport_j_per_kg_m: w.walking_speed_m_per_s.map(|v| muscles_w / mass / v),
        largest_reserve,
        change,
    };
    Ok((summary, with, without))
}

/// The muscles of `sim`'s recorded rows (static optimization and the metabolic probe per row), with the device's
/// power.
///
/// # Errors
/// `[wearer]` names no metabolics file; fewer than two recorded rows; a static optimization that fails.
pub fn analyse_walk(
    l: &LoadedScenario,
    imported: &ImportedWearer,
    sim: &WalkSimulation,
) -> Result<MuscleTrial, ScenarioError> {
    use crate::wearer::muscle_analysis::{SharingOptions, TrialInputs, analyse_in_chunks};
    let Some((muscles, probe)) = &imported.muscles else {
        return Err(l.error("wearer.metabolics", "no metabolics file: the metabolic cost needs one"));
    };
    if sim.recorder().rows() < 2 {
        return Err(l.error(
            "simulation.record_rate_hz",
            "the metabolic cost is computed from the recorded rows: record at a rate > 0 (two rows at least)",
        ));
    }
    let sk = &*imported.skeleton;
    let options = SharingOptions::new(sk);
    let (trajectories, forces) = sim.recorded_trial();
    let inputs =
        TrialInputs { skeleton: sk, muscles, probe, trajectories: &trajectories, forces: &forces, options: &options };
    // Fixed chunks: the same results whatever the number of threads.
    let mut m =
        analyse_in_chunks(&inputs, None, METABOLIC_CHUNKS).map_err(|e| l.error("wearer.metabolics", e.to_string()))?;
    let (net, positive) = sim.recorded_device_power_w();
    m.device_power_w = net;
    m.device_positive_power_w = positive;
    Ok(m)
}

/// What the backpack changes: the muscles of `loaded` (the walk without the device, carrying the load, already
/// analysed) against the same walk `unloaded` without it, over `window`, beside Pandolf's prediction.
///
/// # Errors
/// As [`analyse_walk`]; a scenario without a backpack or a walking speed.
pub fn load_carriage(
    l: &LoadedScenario,
    imported: &ImportedWearer,
    loaded: (&WalkSimulation, &MuscleTrial),
    unloaded: &WalkSimulation,
    window: &StrideWindow,
) -> Result<crate::walk::LoadCarriage, ScenarioError> {
    use crate::wearer::muscle_analysis::time_average;
    let w = l.scenario.wearer.as_ref().expect("called for an imported wearer");
    let (Some(pack), Some(speed)) = (&w.backpack, w.walking_speed_m_per_s) else {
        return Err(
            l.error("wearer.backpack.compare_unloaded", "needs wearer.backpack and wearer.walking_speed_m_per_s")
        );
    };
    let without = analyse_walk(l, imported, unloaded)?;
    let [t0, t1] = window.window_s;
    let loaded_w = time_average(&loaded.1.time_s, &loaded.1.metabolic_power_w, t0, t1);
    let unloaded_w = time_average(&without.time_s, &without.metabolic_power_w, t0, t1);
    let body = imported.skeleton.mass_kg();
    let (a, b) = (unloaded.summary(), loaded.0.summary());
    let joints = a
        .coordinates
        .iter()
        .zip(&b.coordinates)
        .filter(|(c, _)| !c.residual)
        .map(|(u, c)| (c.name.clone(), u.generalized_force_rms, c.generalized_force_rms))
        .collect();
    Ok(crate::walk::LoadCarriage {
        load_kg: pack.mass_kg,
        body_mass_kg: body,
        walking_speed_m_per_s: speed,
        unloaded_w,
        loaded_w,
        increase_w: loaded_w - unloaded_w,
        increase_pct: 100.0 * (loaded_w - unloaded_w) / unloaded_w,
        pandolf_increase_w: crate::wearer::pandolf::load_increase_w(body, pack.mass_kg, speed),
        joints,
        unloaded_residual_rms: a.pelvis_residual_rms,
    })
}

/// Chunks of recorded rows solved in parallel (fixed, so that results do not depend on the thread count).
const METABOLIC_CHUNKS: usize = 8;

/// The model's root joint must be a free planar pelvis: one rotation and two translations, along ground X and Y (the
/// residuals are named after them, and a repeated stride advances along X).
fn check_free_pelvis(l: &LoadedScenario, sk: &Skeleton, label: &str) -> Result<(), ScenarioError> {
    let root = crate::walk::pelvis_coordinates(sk);
    let translational = |c: &usize| sk.coordinates[*c].motion == exo_opensim::MotionType::Translational;
    let translations: Vec<usize> = root.iter().copied().filter(translational).collect();
    let bad = |why: String| {
        l.error("wearer.model", format!("{label}: the walking simulation needs a free planar pelvis (a ground joint of one rotation and translations along X and Y): {why}"))
    };
    if root.len() != 3 || translations.len() != 2 {
        let names: Vec<&str> = root.iter().map(|&c| sk.coordinates[c].name.as_str()).collect();
        return Err(bad(format!(
            "the root joint has {}",
            if names.is_empty() { "no coordinate".into() } else { names.join(", ") }
        )));
    }
    // Each translation must move the pelvis along one ground axis, X first: checked on the kinematics.
    let nc = sk.coordinates.len();
    let mut kin = crate::wearer::SkeletonKinematics::new(sk);
    let q0: Vec<f64> = sk.coordinates.iter().map(|c| c.default_value).collect();
    let zeros = vec![0.0; nc];
    // The chain puts translations first and the rotation last: the rotation's engine body carries the pelvis.
    let rotation = root.iter().copied().find(|c| !translational(c)).expect("three root coordinates, two translations");
    let body = sk.coordinates[rotation].dof;
    let origin = |kin: &crate::wearer::SkeletonKinematics| kin.engine.pose[body].origin_m;
    kin.update(sk, &q0, &zeros);
    let at_rest = origin(&kin);
    for (axis, &c) in translations.iter().enumerate() {
        let mut q = q0.clone();
        q[c] += 0.01;
        kin.update(sk, &q, &zeros);
        let d = origin(&kin) - at_rest;
        let along = if axis == 0 { d.x } else { d.y };
        if (along - 0.01).abs() > 1e-9 || (d.norm() - 0.01).abs() > 1e-9 {
            return Err(bad(format!(
                "{} moves the pelvis by ({:.4}, {:.4}) m per 0.01, not along ground {}",
                sk.coordinates[c].name,
                d.x,
                d.y,
                if axis == 0 { "X" } else { "Y" }
            )));
        }
    }
    Ok(())
}
