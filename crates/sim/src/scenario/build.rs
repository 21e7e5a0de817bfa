//! From a validated scenario to a ready simulation.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use exo_control::assist::{
    AdaptiveOscillatorConfig, AssistanceConfig, HeelStrikePhaseConfig, PhaseEstimatorConfig, Profile, SplineProfile,
};
use exo_control::pid::{AntiWindup, DerivativeFilter, DerivativeOn};
use exo_control::sea::SeaTorqueConfig;
use exo_control::{
    Admittance, AdmittanceConfig, Assistance, Channel, Channels, ConfigError, ControlLaw, Gain, GravityModelConfig,
    JointImpedance, JointImpedanceConfig, JointPid, NoControl, PidConfig, Real, SVector, SafeStopMode, SeaTorque,
    SensorChecks, Supervisor, SupervisorConfig, ZeroTorque,
};
use nalgebra::Vector2;

use super::load::{LoadedScenario, ScenarioError};
use super::schema::{
    LawKind, LegKind, MotionKind, PelvisMode, PhaseKind, Precision, SafeStopKind, Scenario, SetpointKind,
};
use crate::actuator::{Actuator, ActuatorConfig};
use crate::body::{Anthropometry, Joint, LegGeometry};
use crate::human::HumanModel;
use crate::multibody::Pose2;
use crate::opensim::{GaitOptions, GaitReference, Storage};
use crate::reference::{Gait, Hold, Keyframes, MotionReference, SitToStand};
use crate::sensor::SensorSuite;
use crate::simulation::{SetpointSource, SimulationParts, Timing, TorqueSignal};
use crate::single_precision::SinglePrecision;
use crate::world::{LegModel, PelvisMotion, Seat, World, WorldConfig};

/// The current-loop rate of a device without actuators, Hz: nothing runs at it, but the timing needs one.
const NO_ACTUATOR_CURRENT_LOOP_HZ: f64 = 20_000.0;

/// Directories searched for assets: beside the scenario, its `../assets`, `$EXOSIM_ASSETS`, the shipped
/// `assets/` of this source tree.
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
    dirs.push(PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets")));
    dirs
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

fn load_actuator(
    l: &LoadedScenario,
    joint: &str,
    r: &super::schema::ActuatorRef,
) -> Result<ActuatorConfig, ScenarioError> {
    let field = format!("actuators.{joint}.preset");
    let rel = if r.preset.ends_with(".toml") { r.preset.clone() } else { format!("actuators/{}.toml", r.preset) };
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
    cfg.validate().map_err(|i| l.error(format!("actuators.{joint}.overrides.{}", i.field), i.message))?;
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

    // Actuators.
    let mut actuators: [Option<Actuator>; 3] = [None, None, None];
    let mut configs: [Option<ActuatorConfig>; 3] = [None, None, None];
    if exo.is_some() {
        for (j, r) in
            [(Joint::Hip, &sc.actuators.hip), (Joint::Knee, &sc.actuators.knee), (Joint::Ankle, &sc.actuators.ankle)]
        {
            if let Some(r) = r {
                let cfg = load_actuator(l, j.name(), r)?;
                let q0 = world.exo_joint(j).map_or(0.0, |(q, _)| q);
                configs[j.index()] = Some(cfg.clone());
                actuators[j.index()] = Some(Actuator::new(cfg, s.physics_dt_s, q0));
            }
        }
    }
    // One current-loop rate for the whole device: the first actuator's, and an error naming any that differs.
    let presets: Vec<(Joint, &ActuatorConfig)> =
        Joint::ALL.iter().filter_map(|j| configs[j.index()].as_ref().map(|c| (*j, c))).collect();
    let rate = presets.first().map_or(NO_ACTUATOR_CURRENT_LOOP_HZ, |(_, c)| c.driver.current_loop_rate_hz);
    if let Some((j, c)) = presets.iter().find(|(_, c)| c.driver.current_loop_rate_hz != rate) {
        let (first, first_cfg) = presets[0];
        return Err(l.error(
            format!("actuators.{}.overrides.driver.current_loop_rate_hz", j.name()),
            format!(
                "{} Hz here but {} Hz at the {} (`{}`): all actuators must share one current-loop rate",
                c.driver.current_loop_rate_hz,
                rate,
                first.name(),
                first_cfg.name
            ),
        ));
    }
    let timing = Timing::new(s.physics_dt_s, s.control_dt_s, rate)
        .map_err(|e| l.error("simulation.physics_dt_s", e.to_string()))?;

    // Joints without an actuator carry no sensors and their command goes nowhere; their limit only keeps the
    // three-slot configurations valid.
    let peak: [f64; 3] =
        core::array::from_fn(|k| configs[k].as_ref().map_or(UNACTUATED_SLOT_LIMIT_NM, ActuatorConfig::peak_torque_nm));
    let limit = sc.controller.torque_limit_nm.unwrap_or(peak);
    let gravity = match (world.exo(), world.leg_model()) {
        (Some(ids), LegModel::Human(g)) => {
            let gs = &sc.controller.gravity;
            if !(gs.mass_error_fraction.is_finite() && gs.mass_error_fraction > -1.0) {
                return Err(l.error("controller.gravity.mass_error_fraction", "must be a finite number above -1"));
            }
            if !(0.0..=1.0).contains(&gs.limb_fraction) {
                return Err(l.error("controller.gravity.limb_fraction", "must be within 0..1"));
            }
            crate::body::exo::gravity_model(world.model(), ids, g, gs.mass_error_fraction, gs.limb_fraction)
        }
        _ => GravityModelConfig::default(),
    };
    let (controller, setpoint) = build_controller(l, &configs, &limit, &gravity, world.exo().is_some())?;

    // The supervisor.
    let sf = &sc.safety;
    let sup_cfg = SupervisorConfig {
        position_min_rad: SVector::from(sf.position_min_rad),
        position_max_rad: SVector::from(sf.position_max_rad),
        soft_wall_width_rad: SVector::from(sf.soft_wall_width_rad),
        soft_wall_stiffness_nm_per_rad: SVector::from(sf.soft_wall_stiffness_nm_per_rad),
        soft_wall_damping_nm_s_per_rad: SVector::from(sf.soft_wall_damping_nm_s_per_rad),
        velocity_limit_rad_per_s: SVector::from(sf.velocity_limit_rad_per_s),
        torque_limit_nm: SVector::from(sf.torque_limit_nm.unwrap_or(peak)),
        torque_rate_limit_nm_per_s: SVector::from(sf.torque_rate_limit_nm_per_s),
        watchdog_ticks: sf.watchdog_ticks,
        safe_stop: match sf.safe_stop {
            SafeStopKind::TorqueOff => SafeStopMode::TorqueOff,
            SafeStopKind::Damping => {
                SafeStopMode::DampingOnly { damping_nm_s_per_rad: SVector::from(sf.safe_stop_damping_nm_s_per_rad) }
            }
        },
        sensors: sensor_checks(
            l,
            &configs,
            world.cuffs().is_empty(),
            world.exo().and_then(crate::body::exo::base_body).is_some(),
        )?,
    };
    // Every actuated joint's sensors must cover what the law reads (unactuated slots carry none and are never
    // commanded).
    if let Some((j, c)) = (0..3)
        .filter(|k| configs[*k].is_some())
        .find_map(|k| sup_cfg.sensors.monitored[k].first_missing(controller.reads()).map(|c| (k, c)))
    {
        return Err(l.error(
            "controller.law",
            format!(
                "`{}` reads the {} channel, which the {} joint does not have (so nothing could check it)",
                controller.name(),
                c.name().replace('_', " "),
                Joint::ALL[j].name()
            ),
        ));
    }
    let supervisor = Supervisor::new(sup_cfg).map_err(|e| l.error(control_field("safety", &e), e.to_string()))?;
    let sensors = SensorSuite::new(sc.sensors, sc.faults.clone(), s.seed).map_err(|e| l.error("sensors", e))?;
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
        actuators,
        sensors,
        controller,
        supervisor,
        setpoint,
        timing,
        record_every_ticks: record_every,
        duration_s: s.duration_s,
    })
}

/// Joint slots without an actuator need a positive torque limit for the three-slot law and supervisor
/// configurations to validate; nothing is ever commanded there.
const UNACTUATED_SLOT_LIMIT_NM: f64 = 1.0;

/// Largest plausible pitch of a hip-belt inertial sensor, rad (46 degrees: beyond any trunk lean of walking,
/// standing up or stooping that the device is meant for).
const PELVIS_PITCH_RANGE_RAD: f64 = 0.8;

/// Spring damping times this relative speed bounds the damping part of the spring torque in the cross-check
/// margin, rad/s (faster than any walking joint moves relative to its motor).
const CROSS_CHECK_SPEED_RAD_PER_S: f64 = 10.0;

/// The supervisor's sensor plausibility checks: what the scenario gives, and for the rest what the presets and
/// the sensor models imply (each derivation is documented on [`super::schema::SensorChecksSection`]).
fn sensor_checks(
    l: &LoadedScenario,
    configs: &[Option<ActuatorConfig>; 3],
    no_cuffs: bool,
    limb_base: bool,
) -> Result<SensorChecks<f64, 3>, ScenarioError> {
    let sc = &l.scenario;
    let ss = &sc.safety.sensors;
    let sensors = &sc.sensors;
    let tau = std::f64::consts::TAU;
    let joint_res = if sensors.joint_encoder_counts_per_rev > 0 {
        tau / f64::from(sensors.joint_encoder_counts_per_rev)
    } else {
        0.0
    };
    let per_joint = |f: &dyn Fn(&ActuatorConfig) -> f64| -> [f64; 3] {
        core::array::from_fn(|k| configs[k].as_ref().map_or(f64::INFINITY, f))
    };
    let lost_motion = |c: &ActuatorConfig| {
        let motor_res = if sensors.motor_encoder_counts_per_rev > 0 {
            tau / f64::from(sensors.motor_encoder_counts_per_rev) / c.gearbox.ratio
        } else {
            0.0
        };
        0.5 * c.gearbox.backlash_rad + 3.0 * c.peak_torque_nm() / c.gearbox.stiffness_nm_per_rad + joint_res + motor_res
    };
    let spring_margin = per_joint(&|c| match c.spring {
        Some(sp) => {
            sp.stiffness_nm_per_rad * lost_motion(c)
                + sp.damping_nm_s_per_rad * CROSS_CHECK_SPEED_RAD_PER_S
                + 6.0 * sensors.torque_noise_nm
                + sensors.torque_bias_nm.abs()
                + 1.0
        }
        None => f64::INFINITY,
    });
    let stale = ss.stale_ticks.unwrap_or(20);
    let noisy = sensors.torque_noise_nm > 0.0
        && (no_cuffs || sensors.interaction_noise_nm > 0.0)
        && sensors.base_imu.is_none_or(|i| i.noise_rad > 0.0);
    let mut actuated = Channels::of(&[
        Channel::JointPosition,
        Channel::JointVelocity,
        Channel::MotorPosition,
        Channel::MotorVelocity,
        Channel::JointTorque,
        Channel::FootContact,
    ]);
    if !no_cuffs {
        actuated = actuated.with(Channel::InteractionTorque);
    }
    if sensors.base_imu.is_some() {
        actuated = actuated.with(Channel::BasePitch);
    }
    // A slot without an actuator has no sensors: only the (zero) encoders the limits read are watched there.
    let encoders = Channels::of(&[Channel::JointPosition, Channel::JointVelocity]);
    let checks = SensorChecks {
        monitored: core::array::from_fn(|k| if configs[k].is_some() { actuated } else { encoders }),
        joint_torque_range_nm: SVector::from(
            ss.joint_torque_range_nm.unwrap_or(per_joint(&|c| 3.0 * c.peak_torque_nm())),
        ),
        interaction_torque_range_nm: SVector::from(ss.interaction_torque_range_nm.unwrap_or([150.0; 3])),
        motor_velocity_range_rad_per_s: SVector::from(per_joint(&|c| {
            1.5 * c.driver.bus_voltage_v / c.motor.torque_constant_nm_per_a / c.gearbox.ratio
        })),
        joint_torque_rate_range_nm_per_s: SVector::from(
            ss.joint_torque_rate_range_nm_per_s.unwrap_or([f64::INFINITY; 3]),
        ),
        interaction_torque_rate_range_nm_per_s: SVector::from(
            ss.interaction_torque_rate_range_nm_per_s.unwrap_or([20_000.0; 3]),
        ),
        spring_stiffness_nm_per_rad: SVector::from(core::array::from_fn(|k| {
            configs[k].as_ref().and_then(|c| c.spring).map_or(0.0, |sp| sp.stiffness_nm_per_rad)
        })),
        spring_torque_margin_nm: SVector::from(ss.spring_torque_margin_nm.unwrap_or(spring_margin)),
        encoder_agreement_rad: SVector::from(ss.encoder_agreement_rad.unwrap_or(per_joint(&|c| {
            if c.spring.is_some() { f64::INFINITY } else { 2.0 * lost_motion(c) + 0.005 }
        }))),
        // A channel configured without noise legitimately repeats: no staleness check then.
        stale_ticks: if noisy { stale } else { 0 },
        base_pitch_range_rad: ss.base_pitch_range_rad.unwrap_or(if limb_base {
            std::f64::consts::PI
        } else {
            PELVIS_PITCH_RANGE_RAD
        }),
    };
    checks.validate().map_err(|e| l.error(control_field("safety", &e), e.to_string()))?;
    Ok(checks)
}

/// A field path for an exo-control configuration error in section `section`.
fn control_field(section: &str, e: &ConfigError) -> String {
    match e.joint {
        Some(j) => format!("{section}.{}[{j}]", e.field),
        None => format!("{section}.{}", e.field),
    }
}

type Law<T> = Box<dyn ControlLaw<T, 3> + Send>;

/// A scenario number in the law's scalar type.
fn r<T: Real>(x: f64) -> T {
    T::from_subset(&x)
}

/// A per-joint scenario array as a vector of the law's scalar type.
fn v<T: Real>(x: [f64; 3]) -> SVector<T, 3> {
    SVector::from(x.map(r))
}

fn sea_config<T: Real>(
    l: &LoadedScenario,
    limit: &[f64; 3],
    configs: &[Option<ActuatorConfig>; 3],
) -> Result<SeaTorqueConfig<T, 3>, ScenarioError> {
    let c = &l.scenario.controller.sea;
    if c.torque_source == super::schema::TorqueSourceKind::SpringDeflection
        && let Some(j) = Joint::ALL.iter().find(|j| configs[j.index()].as_ref().is_some_and(|a| a.spring.is_none()))
    {
        return Err(l.error(
            "controller.sea.torque_source",
            format!(
                "`spring_deflection` needs a series spring, and the {} actuator (`{}`) has none: use `sensor`",
                j.name(),
                configs[j.index()].as_ref().map_or("", |a| a.name.as_str())
            ),
        ));
    }
    let loops = core::array::from_fn(|k| {
        PidConfig::new(r(c.kp[k]), r(c.ki_per_s[k]), T::zero(), r(limit[k]))
            .with_derivative_filter(DerivativeFilter::None)
            .with_derivative_on(DerivativeOn::Measurement)
            .with_anti_windup(AntiWindup::BackCalculation { tracking_time_s: r(c.tracking_time_s) })
    });
    // The stiffness matters only to `spring_deflection`, which the check above allows only with springs; a
    // rigid actuator's entry is 0, which the loop's validation accepts for a `sensor` torque source.
    let stiffness =
        core::array::from_fn(|k| configs[k].as_ref().and_then(|a| a.spring).map_or(0.0, |s| s.stiffness_nm_per_rad));
    Ok(SeaTorqueConfig {
        spring_stiffness_nm_per_rad: v(stiffness),
        torque_source: c.torque_source.into(),
        torque_loop: loops,
        feedforward_gain: SVector::repeat(r(c.feedforward_gain)),
        motor_damping_nm_s_per_rad: v(c.motor_damping_nm_s_per_rad),
    })
}

/// The law's gravity model in its scalar type, if `on`.
fn gravity_for<T: Real>(on: bool, g: &GravityModelConfig<f64, 3>) -> Option<GravityModelConfig<T, 3>> {
    on.then(|| GravityModelConfig {
        links: g.links.map(|l| exo_control::GravityLink {
            parent: l.parent,
            joint_m: l.joint_m.map(r),
            mass_kg: r(l.mass_kg),
            com_m: l.com_m.map(r),
            axis_sign: r(l.axis_sign),
        }),
        gravity_m_per_s2: r(g.gravity_m_per_s2),
    })
}

/// The scenario's law in `f64`, or in `f32` behind [`SinglePrecision`] when `controller.precision = "f32"`.
fn build_controller(
    l: &LoadedScenario,
    configs: &[Option<ActuatorConfig>; 3],
    limit: &[f64; 3],
    gravity: &GravityModelConfig<f64, 3>,
    has_exo: bool,
) -> Result<(Law<f64>, SetpointSource), ScenarioError> {
    Ok(match l.scenario.controller.precision {
        Precision::F64 => build_law::<f64>(l, configs, limit, gravity, has_exo)?,
        Precision::F32 => {
            let (law, setpoint) = build_law::<f32>(l, configs, limit, gravity, has_exo)?;
            (Box::new(SinglePrecision::new(law)), setpoint)
        }
    })
}

fn build_law<T: Real + Send>(
    l: &LoadedScenario,
    configs: &[Option<ActuatorConfig>; 3],
    limit: &[f64; 3],
    gravity: &GravityModelConfig<f64, 3>,
    has_exo: bool,
) -> Result<(Law<T>, SetpointSource), ScenarioError> {
    let c = &l.scenario.controller;
    let torque_setpoint = match c.setpoint.source {
        SetpointKind::Torque => SetpointSource::Torque(c.setpoint.signal),
        SetpointKind::Reference => SetpointSource::Torque(TorqueSignal::Zero),
    };
    if !has_exo {
        return Ok((Box::new(NoControl), SetpointSource::Torque(TorqueSignal::Zero)));
    }
    let err = |section: &str, e: ConfigError| l.error(control_field(section, &e), e.to_string());
    Ok(match c.law {
        LawKind::None => (Box::new(NoControl), SetpointSource::Torque(TorqueSignal::Zero)),
        LawKind::ZeroTorque => (
            Box::new(ZeroTorque::new(sea_config(l, limit, configs)?).map_err(|e| err("controller.sea", e))?),
            SetpointSource::Torque(TorqueSignal::Zero),
        ),
        LawKind::SeaTorque => (
            Box::new(SeaTorque::new(sea_config(l, limit, configs)?).map_err(|e| err("controller.sea", e))?),
            torque_setpoint,
        ),
        LawKind::Impedance => {
            let i = &c.impedance;
            let cfg = JointImpedanceConfig {
                stiffness_nm_per_rad: Gain::Diagonal(v(i.stiffness_nm_per_rad)),
                damping_nm_s_per_rad: Gain::Diagonal(v(i.damping_nm_s_per_rad)),
                torque_limit_nm: v(*limit),
                gravity: gravity_for(i.gravity_compensation, gravity),
            };
            (Box::new(JointImpedance::new(cfg).map_err(|e| err("controller.impedance", e))?), SetpointSource::Reference)
        }
        LawKind::Admittance => {
            let a = &c.admittance;
            let cfg = AdmittanceConfig {
                virtual_inertia_kg_m2: v(a.virtual_inertia_kg_m2),
                virtual_damping_nm_s_per_rad: v(a.virtual_damping_nm_s_per_rad),
                virtual_stiffness_nm_per_rad: v(a.virtual_stiffness_nm_per_rad),
                interaction_deadband_nm: v(a.interaction_deadband_nm),
                position_min_rad: v(a.position_min_rad),
                position_max_rad: v(a.position_max_rad),
                velocity_limit_rad_per_s: v(a.velocity_limit_rad_per_s),
                position_loop: core::array::from_fn(|k| {
                    PidConfig::new(r(a.kp_nm_per_rad[k]), T::zero(), r(a.kd_nm_s_per_rad[k]), r(limit[k]))
                        .with_derivative_on(DerivativeOn::Error)
                }),
                gravity: gravity_for(a.gravity_compensation, gravity),
            };
            (Box::new(Admittance::new(cfg).map_err(|e| err("controller.admittance", e))?), SetpointSource::Reference)
        }
        LawKind::JointPid => {
            let p = &c.pid;
            let cfgs = core::array::from_fn(|k| {
                PidConfig::new(r(p.kp_nm_per_rad[k]), r(p.ki_nm_per_rad_s[k]), r(p.kd_nm_s_per_rad[k]), r(limit[k]))
                    .with_derivative_filter(if p.kp_nm_per_rad[k] > 0.0 {
                        DerivativeFilter::Ratio { n: r(p.derivative_filter_ratio) }
                    } else {
                        DerivativeFilter::None
                    })
            });
            let law = match gravity_for(p.gravity_compensation, gravity) {
                Some(g) => JointPid::with_gravity(cfgs, g),
                None => JointPid::new(cfgs),
            };
            (Box::new(law.map_err(|e| err("controller.pid", e))?), SetpointSource::Reference)
        }
        LawKind::Assistance => {
            let a = &c.assistance;
            let profile = |p: &Option<super::schema::ProfileSection>| match p {
                Some(p) => Profile::Spline(SplineProfile {
                    peak_torque_nm: r(p.peak_torque_nm),
                    peak_time_pct: r(p.peak_time_pct),
                    rise_time_pct: r(p.rise_time_pct),
                    fall_time_pct: r(p.fall_time_pct),
                }),
                None => Profile::Zero,
            };
            let phase = match a.phase_estimator {
                PhaseKind::HeelStrike => PhaseEstimatorConfig::HeelStrike(HeelStrikePhaseConfig {
                    strides_averaged: a.strides_averaged,
                    min_stride_s: r(a.min_stride_s),
                    max_stride_s: r(a.max_stride_s),
                    min_swing_s: r(a.min_swing_s),
                }),
                PhaseKind::Oscillator => PhaseEstimatorConfig::Oscillator(AdaptiveOscillatorConfig {
                    phase_offset_rad: r(a.oscillator_phase_offset_rad),
                    ..AdaptiveOscillatorConfig::walking()
                }),
            };
            let cfg = AssistanceConfig {
                profiles: [profile(&a.hip), profile(&a.knee), profile(&a.ankle)],
                phase,
                // Every joint of the one leg follows the hip's oscillator.
                oscillator_joint: [0; 3],
                torque_loop: if a.torque_loop { Some(sea_config(l, limit, configs)?) } else { None },
                assistance_gain: r(a.assistance_gain),
            };
            (Box::new(Assistance::new(cfg).map_err(|e| err("controller.assistance", e))?), torque_setpoint)
        }
    })
}
