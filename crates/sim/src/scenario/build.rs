//! From a validated scenario to a ready simulation.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use exo_control::GravityLink;
use nalgebra::Vector2;

use super::load::{LoadedScenario, ScenarioError};
use super::per_joint::JointName;
use super::schema::{LegKind, MotionKind, PelvisMode, Scenario};
use super::supervision::{Device, ResolveSupervisor, SupervisorSpec};
use crate::actuator::{Actuator, ActuatorConfig};
use crate::body::{Anthropometry, LegGeometry};
use crate::control::registry::LawContext;
use crate::error::ValidationError;
use crate::human::HumanModel;
use crate::multibody::Pose2;
use crate::opensim::{GaitOptions, GaitReference, Storage};
use crate::reference::{Gait, Hold, Keyframes, MotionReference, SitToStand};
use crate::sensor::{Channel, FaultKind, ScheduledFault, SensorSuite};
use crate::simulation::{ControlledJoint, SetpointSource, SimulationParts, Timing};
use crate::world::{LegModel, PelvisMotion, Seat, World, WorldConfig};

/// The current-loop rate of a device without actuators, Hz: nothing runs at it, but the timing needs one.
const NO_ACTUATOR_CURRENT_LOOP_HZ: f64 = 20_000.0;

/// Directories searched for assets, in order: the scenario's own folder, its `../assets` (a scenario in a
/// checkout's `scenarios/`), `$EXOSIM_ASSETS`, and the `assets` folders of [`program_dirs`]. No path of the machine
/// that built the program is compiled in.
#[must_use]
pub fn asset_dirs(scenario_path: &Path) -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if let Some(d) = scenario_path.parent() {
        dirs.push(d.to_path_buf());
        dirs.push(d.join("../assets"));
    }
    if let Ok(env) = std::env::var("EXOSIM_ASSETS") {
        dirs.push(PathBuf::from(env));
    }
    dirs.extend(program_dirs("assets"));
    dirs
}

/// The shipped `name` folders (`scenarios`, `assets`) that exist: in the working directory (a checkout), next to
/// the running program or up to three folders above it, and `share/exosim/name` beside an installed `bin/`.
#[must_use]
pub fn program_dirs(name: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(cwd) = std::env::current_dir() {
        let here = cwd.join(name);
        if here.is_dir() {
            out.push(here);
        }
    }
    let Ok(exe) = std::env::current_exe() else { return out };
    for dir in exe.ancestors().skip(1).take(4) {
        for candidate in [dir.join(name), dir.join("share/exosim").join(name)] {
            if candidate.is_dir() && !out.contains(&candidate) {
                out.push(candidate);
            }
        }
    }
    out
}

/// Finds an asset by relative path (or accepts an existing absolute path).
#[must_use]
pub fn find_asset(scenario_path: &Path, rel: &str) -> Option<PathBuf> {
    let p = Path::new(rel);
    if p.is_absolute() {
        return p.exists().then(|| p.to_path_buf());
    }
    asset_dirs(scenario_path).into_iter().map(|d| d.join(rel)).find(|c| c.is_file())
}

/// The asset path of an actuator preset as a scenario names it: a `.toml` file as given, else a shipped preset's
/// name (`qdd-ak80-6` is `actuators/qdd-ak80-6.toml`).
#[must_use]
pub fn preset_asset(preset: &str) -> String {
    if preset.ends_with(".toml") { preset.to_string() } else { format!("actuators/{preset}.toml") }
}

/// The scenario as it ran, to keep beside its results: every file it names made absolute (so that the copy runs
/// from anywhere, and `exo-viz --replay` rebuilds the model from it), and the chosen law's section written with
/// its defaults.
#[must_use]
pub fn resolved_copy(l: &LoadedScenario) -> Scenario {
    let mut sc = l.scenario.clone();
    let absolute = |rel: &mut String| {
        if !rel.is_empty()
            && let Some(p) = find_asset(&l.path, rel)
        {
            *rel = p.canonicalize().unwrap_or(p).display().to_string();
        }
    };
    match &mut sc.wearer {
        Some(w) => {
            for rel in [&mut w.model, &mut w.motion, &mut w.loads].into_iter().chain(w.metabolics.as_mut()) {
                absolute(rel);
            }
        }
        None => {
            absolute(&mut sc.motion.gait_kinematics);
            absolute(&mut sc.motion.ground_reaction);
        }
    }
    sc.controller = sc.controller.resolved();
    for a in sc.actuators.values_mut() {
        let mut rel = preset_asset(&a.preset);
        absolute(&mut rel);
        if Path::new(&rel).is_absolute() {
            a.preset = rel;
        }
    }
    sc
}

pub(crate) fn load_actuator(
    l: &LoadedScenario,
    joint: &str,
    r: &super::schema::ActuatorRef,
) -> Result<ActuatorConfig, ScenarioError> {
    let field = format!("actuators.{joint}.preset");
    let rel = preset_asset(&r.preset);
    let path = find_asset(&l.path, &rel)
        .ok_or_else(|| l.error(&field, format!("no actuator preset `{}` (looked for {rel})", r.preset)))?;
    let text = std::fs::read_to_string(&path).map_err(|e| l.error(&field, format!("{}: {e}", path.display())))?;
    let mut table: toml::Table =
        toml::from_str(&text).map_err(|e| l.error(&field, format!("{}: {}", path.display(), e.message())))?;
    if let Some(o) = &r.overrides {
        merge(&mut table, o);
    }
    let cfg: ActuatorConfig = serde_path_to_error::deserialize(toml::Value::Table(table))
        .map_err(|e| l.error(format!("actuators.{joint}.overrides.{}", e.path()), e.inner().to_string()))?;
    cfg.validate().map_err(|e| l.invalid(e.within(&format!("actuators.{joint}.overrides"))))?;
    Ok(cfg)
}

fn merge(base: &mut toml::Table, over: &toml::Table) {
    for (k, v) in over {
        match (base.get_mut(k), v) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => merge(b, o),
            _ => {
                base.insert(k.clone(), v.clone());
            }
        }
    }
}

fn storage(l: &LoadedScenario, field: &str, rel: &str) -> Result<Storage, ScenarioError> {
    let path = find_asset(&l.path, rel).ok_or_else(|| l.error(field, format!("file not found: {rel}")))?;
    Storage::read(&path).map_err(|e| l.error(field, e.to_string()))
}

/// Builds the simulation a scenario describes (`with_exo = false` builds the same motion without the device).
pub fn build(l: &LoadedScenario, with_exo: bool) -> Result<SimulationParts, ScenarioError> {
    let sc: &Scenario = &l.scenario;
    if sc.wearer.is_some() {
        return Err(l.error(
            "wearer",
            "this scenario's wearer is imported from OpenSim: `exosim run`, `check`, `sweep`, `tune`, the visualiser \
             and the Python package run it (`build_walk`); replay takes the one-legged wearer only so far",
        ));
    }
    let s = &sc.simulation;
    let anthropometry = Anthropometry::de_leva_male(sc.subject.mass_kg, sc.subject.height_m);
    let leg = match sc.subject.leg {
        LegKind::Human => LegModel::Human(LegGeometry::new(anthropometry)),
        LegKind::Reference => LegModel::Reference,
    };
    let exo = if with_exo { sc.exoskeleton.clone() } else { None };

    // The motion.
    let m = &sc.motion;
    let mut gait: Option<Arc<Gait>> = None;
    let reference: Arc<dyn MotionReference> = match m.kind {
        MotionKind::Gait => {
            let kin = storage(l, "motion.gait_kinematics", &m.gait_kinematics)?;
            let grf = if m.ground_reaction.is_empty() {
                None
            } else {
                Some(storage(l, "motion.ground_reaction", &m.ground_reaction)?)
            };
            let opts = GaitOptions { harmonics: m.harmonics, ..GaitOptions::default() };
            let reference = GaitReference::new(&kin, grf.as_ref(), &opts)
                .map_err(|e| l.error("motion.gait_kinematics", e.to_string()))?;
            let grf_scale = (sc.subject.mass_kg + sc.pelvis.backpack_kg) / sc.subject.mass_kg;
            let g = Arc::new(Gait { reference, grf_scale, time_scale: m.time_scale });
            gait = Some(g.clone());
            g
        }
        MotionKind::Hold => Arc::new(Hold(m.hold_q_rad)),
        MotionKind::Passive => Arc::new(Hold(m.initial_q_rad.unwrap_or([0.0; 3]))),
        MotionKind::Keyframes => Arc::new(Keyframes {
            frames: m.keyframes.iter().map(|k| (k[0], [k[1], k[2], k[3]])).collect(),
            start_s: m.keyframes_start_s,
            period_s: m.keyframes_period_s,
        }),
        MotionKind::SitToStand => {
            let LegModel::Human(g) = leg else {
                return Err(l.error("subject.leg", "sit_to_stand needs the human leg"));
            };
            Arc::new(SitToStand {
                joints: Keyframes {
                    frames: m.keyframes.iter().map(|k| (k[0], [k[1], k[2], k[3]])).collect(),
                    start_s: m.keyframes_start_s,
                    period_s: None,
                },
                ankle_m: Vector2::new(0.0, g.anthropometry.ankle_height_m),
                leg: g,
                seat_off_s: m.seat_off_s,
                transfer_s: m.transfer_s,
            })
        }
    };
    let first = reference.sample(0.0);
    let initial_q = m.initial_q_rad.unwrap_or(first.q);
    let initial_qd = if m.initial_q_rad.is_some() { [0.0; 3] } else { first.qd };

    // The world.
    let pose = Pose2::new(sc.pelvis.pitch_rad, Vector2::new(0.0, sc.pelvis.height_m));
    let pelvis = match sc.pelvis.mode {
        PelvisMode::Fixed => PelvisMotion::Fixed(pose),
        PelvisMode::Driven => match &gait {
            Some(g) => PelvisMotion::Driven(g.clone()),
            None => return Err(l.error("pelvis.mode", "`driven` needs `motion.kind = \"gait\"`")),
        },
        PelvisMode::Free => PelvisMotion::Free(first.pelvis.map_or(pose, |p| p.pose)),
    };
    let world = World::new(WorldConfig {
        leg,
        pelvis,
        pelvis_mass_kg: anthropometry.upper_body_share_kg,
        backpack_kg: sc.pelvis.backpack_kg,
        backpack_offset_m: Vector2::new(sc.pelvis.backpack_offset_m[0], sc.pelvis.backpack_offset_m[1]),
        exo: exo.clone(),
        leg_damping_nm_s_per_rad: match sc.subject.leg {
            LegKind::Human => sc.human.joint_damping_nm_s_per_rad,
            LegKind::Reference => [0.0; 3],
        },
        foot_contact: match sc.pelvis.mode {
            // A free pelvis stands on the ground.
            PelvisMode::Free => Some(sc.pelvis.ground_contact.unwrap_or_default()),
            _ => sc.pelvis.ground_contact,
        },
        seat: match (sc.pelvis.seat_height_m, m.kind) {
            (Some(h), _) => Some(Seat::At(h)),
            (None, MotionKind::SitToStand) => Some(Seat::UnderThigh),
            _ => None,
        },
        foot_load: gait.as_ref().map(|g| g.clone() as Arc<dyn crate::world::FootLoad>),
        integrator: s.integrator,
        initial_q_rad: initial_q,
        initial_qd_rad_per_s: if sc.human.clamped { [0.0; 3] } else { initial_qd },
        clamp_leg: sc.human.clamped,
    })
    .map_err(|e| l.error("exoskeleton", e.to_string()))?;

    // Actuators, by the device joint each drives; the controlled joints are the device's joints that have one,
    // in chain order.
    let device: Vec<String> = world.device_joints().iter().map(|d| d.name.clone()).collect();
    // The same motion without the device (`with_exo = false`) has no actuators and no law.
    let no_actuators = super::schema::ActuatorsSection::new();
    let actuator_refs = if with_exo { &sc.actuators } else { &no_actuators };
    if with_exo && let Some(name) = sc.actuators.keys().find(|k| !device.contains(k)) {
        return Err(l.error(
            format!("actuators.{name}"),
            if device.is_empty() {
                "the scenario has no exoskeleton (or the run is without it) to carry this actuator".to_string()
            } else {
                format!("the exoskeleton has no `{name}` joint (it spans {})", device.join(", "))
            },
        ));
    }
    let mut joints = Vec::new();
    let mut configs = Vec::new();
    let mut actuators = Vec::new();
    for (i, d) in world.device_joints().iter().enumerate() {
        let Some(r) = actuator_refs.get(&d.name) else { continue };
        let cfg = load_actuator(l, &d.name, r)?;
        actuators.push(Actuator::new(cfg.clone(), s.physics_dt_s, world.device_joint_state(i).0));
        configs.push(cfg);
        joints.push(ControlledJoint { name: d.name.clone(), device_joint: i });
    }
    let names: Vec<String> = joints.iter().map(|j| j.name.clone()).collect();
    let timing = device_timing(l, &names, &configs)?;

    // The device's firmware: the chosen law and the supervisor, for the controlled joints.
    let gravity = law_gravity(sc, &world, &joints).map_err(|e| e.within(""));
    let (controller, spec, setpoint) = firmware(
        l,
        with_exo,
        &names,
        &configs,
        &gravity,
        !world.cuffs().is_empty(),
        world.exo().and_then(crate::body::exo::base_body).is_some(),
    )?;
    // The sensors: every joint of the one-legged wearer stands on its one foot.
    let faults = scheduled_faults(l, &names, with_exo)?;
    let sensors =
        SensorSuite::new(sc.sensors, faults, s.seed, vec![0; joints.len()], 1).map_err(|e| l.error("sensors", e))?;
    let human = match (sc.pelvis.mode, world.leg_model()) {
        (PelvisMode::Free, LegModel::Human(g)) => HumanModel::new_free(
            sc.human,
            g,
            anthropometry.upper_body_share_kg,
            sc.pelvis.backpack_kg,
            Vector2::new(sc.pelvis.backpack_offset_m[0], sc.pelvis.backpack_offset_m[1]),
        ),
        _ => HumanModel::new(sc.human, world.leg_model()),
    };
    // A passive motion is passive: no feedforward, no feedback, whatever gains the file holds.
    let human = if m.kind == MotionKind::Passive { human.passive() } else { human };
    let record_every =
        if s.record_rate_hz > 0.0 { ((1.0 / s.record_rate_hz) / s.control_dt_s).round().max(1.0) as usize } else { 0 };
    Ok(SimulationParts {
        name: sc.name.clone(),
        world,
        human,
        reference,
        joints,
        actuators,
        sensors,
        controller,
        supervisor: spec,
        setpoint,
        timing,
        record_every_ticks: record_every,
        duration_s: s.duration_s,
    })
}

/// The loop's rates: the scenario's steps and the device's one current-loop rate (the first actuator's; an error
/// names any that differs). `joints` and `configs` are the actuated joints and their actuators.
pub(crate) fn device_timing(
    l: &LoadedScenario,
    joints: &[String],
    configs: &[ActuatorConfig],
) -> Result<Timing, ScenarioError> {
    let s = &l.scenario.simulation;
    let rate = configs.first().map_or(NO_ACTUATOR_CURRENT_LOOP_HZ, |c| c.driver.current_loop_rate_hz);
    if let Some((j, c)) = joints.iter().zip(configs).find(|(_, c)| c.driver.current_loop_rate_hz != rate) {
        return Err(l.error(
            format!("actuators.{j}.overrides.driver.current_loop_rate_hz"),
            format!(
                "{} Hz here but {rate} Hz at the {} (`{}`): all actuators must share one current-loop rate",
                c.driver.current_loop_rate_hz, joints[0], configs[0].name
            ),
        ));
    }
    Timing::new(s.physics_dt_s, s.control_dt_s, rate).map_err(|e| l.error("simulation.physics_dt_s", e.to_string()))
}

/// The device's firmware for the actuated `joints` (their actuators `configs`): the scenario's law (none when
/// `with_device` is false) and its supervisor, with the supervisor's settings and the host's setpoint source.
/// `gravity` is the law's own model of the device (or why it has none); `has_cuffs` and `limb_base` describe the
/// device's sensors.
pub(crate) fn firmware(
    l: &LoadedScenario,
    with_device: bool,
    joints: &[String],
    configs: &[ActuatorConfig],
    gravity: &Result<(Vec<GravityLink<f64>>, f64), ValidationError>,
    has_cuffs: bool,
    limb_base: bool,
) -> Result<(Box<dyn crate::control::Controller>, SupervisorSpec, SetpointSource), ScenarioError> {
    let sc = &l.scenario;
    let invalid = |e: ValidationError| l.invalid(e);
    let without = super::schema::ControllerSection::default();
    let c = if with_device { &sc.controller } else { &without };
    if let Some(other) = c.foreign_section() {
        return Err(l.error(
            format!("controller.{other}"),
            format!(
                "this section belongs to the `{other}` law, but `law = \"{}\"`: remove it or choose that law",
                c.law.as_str()
            ),
        ));
    }
    let names: Vec<JointName> = joints.iter().map(|j| JointName::new(j)).collect();
    if c.law.as_str() != "none" && joints.is_empty() {
        return Err(l.error(
            "controller.law",
            format!("`{}` needs an exoskeleton with at least one actuator, and this scenario has none", c.law.as_str()),
        ));
    }
    let peak: Vec<f64> = configs.iter().map(ActuatorConfig::peak_torque_nm).collect();
    let limit = match &c.torque_limit_nm {
        Some(v) => v.resolve_indexed(&names, "controller.torque_limit_nm", |k| peak[k]).map_err(invalid)?,
        None => peak.clone(),
    };
    let section = format!("controller.{}", c.law.as_str());
    let ctx = LawContext { joints: &names, actuators: configs, torque_limit_nm: &limit, gravity, section: &section };
    let spec = SupervisorSpec::resolve(
        &sc.safety,
        &Device { joints: &names, actuators: configs, sensors: &sc.sensors, has_cuffs, limb_base },
    )
    .map_err(invalid)?;
    let controller = c.build(&ctx, &spec).map_err(invalid)?;
    Ok((controller, spec, c.setpoint()))
}

/// The scenario's sensor faults, each on the actuated joint it names (`joints`, in the controller's order). Without
/// the device (`with_device` false: the comparison run) the faults of its joints' sensors do not exist and are
/// left out; frame dropouts and base-sensor faults stay.
pub(crate) fn scheduled_faults(
    l: &LoadedScenario,
    joints: &[String],
    with_device: bool,
) -> Result<Vec<ScheduledFault>, ScenarioError> {
    let mut faults = Vec::new();
    for (k, f) in l.scenario.faults.iter().enumerate() {
        let needs_joint = f.kind != FaultKind::FrameDropout && f.channel != Channel::BaseImu;
        if !with_device && (needs_joint || f.joint.is_some()) {
            continue;
        }
        let joint = match (&f.joint, needs_joint) {
            (Some(name), _) => Some(joints.iter().position(|j| j == name).ok_or_else(|| {
                l.error(
                    format!("faults[{k}].joint"),
                    format!("`{name}` is not an actuated joint of the device ({})", joints.join(", ")),
                )
            })?),
            (None, true) => return Err(l.error(format!("faults[{k}].joint"), "this fault needs the joint it hits")),
            (None, false) => None,
        };
        faults.push(ScheduledFault { event: f.clone(), joint });
    }
    Ok(faults)
}

/// The law's own gravity model of the device, one link per controlled joint (the device's links with the model
/// error of `[controller.gravity]`), or why there can be none.
pub(crate) fn law_gravity(
    sc: &Scenario,
    world: &World,
    joints: &[ControlledJoint],
) -> Result<(Vec<GravityLink<f64>>, f64), ValidationError> {
    let (Some(ids), LegModel::Human(g)) = (world.exo(), world.leg_model()) else {
        return Err(ValidationError::new("controller.gravity", "needs an exoskeleton on a human leg"));
    };
    let gs = &sc.controller.gravity;
    crate::error::above("controller.gravity.mass_error_fraction", gs.mass_error_fraction, -1.0)?;
    crate::error::within("controller.gravity.limb_fraction", gs.limb_fraction, 0.0, 1.0)?;
    let slots = crate::body::exo::gravity_model(world.model(), ids, g, gs.mass_error_fraction, gs.limb_fraction);
    let devices = world.device_joints();
    let mut links = Vec::new();
    for j in joints {
        let slot = devices[j.device_joint].joint.index();
        let mut link = slots.links[slot];
        // The parent slot must itself be a controlled joint: the law knows only the angles it measures.
        link.parent = match link.parent {
            None => None,
            Some(p) => match joints.iter().position(|c| devices[c.device_joint].joint.index() == usize::from(p)) {
                Some(k) => Some(k as u8),
                None => {
                    return Err(ValidationError::new(
                        "controller.gravity",
                        format!(
                            "the {} joint hangs below a passive device joint whose angle the law does not measure: \
                             gravity compensation needs every joint above it actuated (with its encoder)",
                            j.name
                        ),
                    ));
                }
            },
        };
        links.push(link);
    }
    Ok((links, slots.gravity_m_per_s2))
}
