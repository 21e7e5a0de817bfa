//! The scenario file schema (`schema_version = 1`). Every field documents its unit; unknown keys are errors.
//! `docs/scenarios.md` is generated from these definitions (`exosim schema`), and a test keeps it in step.

use serde::{Deserialize, Serialize};

use std::collections::BTreeMap;

pub use super::per_joint::PerJoint;
use crate::body::ExoConfig;
use crate::body::contact::GroundContact;
pub use crate::control::Precision;
pub use crate::control::laws::assistance::{PhaseKind, ProfileSection};
pub use crate::control::laws::sea_torque::{SeaGains, TorqueSourceKind};
pub use crate::control::registry::{ControllerSection, LawName};
use crate::human::HumanConfig;
use crate::sensor::{FaultEvent, SensorConfig};
use crate::world::IntegratorKind;

/// A whole scenario.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Version of this schema; must be 2 (version 1 files: see the note at the top of the reference).
    pub schema_version: u32,
    /// Short name, used for output folders.
    pub name: String,
    /// What the scenario shows.
    #[serde(default)]
    pub description: String,
    /// Duration, steps and seed.
    #[serde(default)]
    pub simulation: SimulationSection,
    /// The wearer's body.
    #[serde(default)]
    pub subject: SubjectSection,
    /// How the pelvis moves.
    #[serde(default)]
    pub pelvis: PelvisSection,
    /// The motion the wearer performs.
    #[serde(default)]
    pub motion: MotionSection,
    /// The wearer's motor model.
    #[serde(default)]
    pub human: HumanConfig,
    /// The exoskeleton; absent for a leg without a device.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exoskeleton: Option<ExoConfig>,
    /// A two-legged wearer imported from an OpenSim model, tracking a recorded trial; it replaces `[subject]`,
    /// `[pelvis]`, `[motion]`, `[human]` and `[exoskeleton]` (the device is the `[actuators]` it names by joint and
    /// side: `ankle_r`, `hip_l`, `knee_r`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wearer: Option<WearerSection>,
    /// Actuators, by the name of the device joint each drives.
    #[serde(default)]
    pub actuators: ActuatorsSection,
    /// Sensors.
    #[serde(default)]
    pub sensors: SensorConfig,
    /// The control law and its setpoint.
    #[serde(default)]
    pub controller: ControllerSection,
    /// The safety supervisor.
    #[serde(default)]
    pub safety: SafetySection,
    /// Sensor faults scheduled in time.
    #[serde(default)]
    pub faults: Vec<FaultEvent>,
    /// Which output files a run writes.
    #[serde(default)]
    pub outputs: OutputsSection,
}

/// How the imported wearer's feet meet the ground.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FootGround {
    /// The recorded force plates, applied to the feet as OpenSim's `ExternalLoads` applies them.
    #[default]
    Plates,
}

/// A two-legged wearer imported from an OpenSim model (planar family: gait10dof18musc and its relatives), tracking
/// a recorded trial with a free pelvis.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WearerSection {
    /// The OpenSim model (.osim), relative to the scenario file or to the shipped assets.
    pub model: String,
    /// The trial's coordinates (.mot or .sto, OpenSim's inverse kinematics).
    pub motion: String,
    /// The trial's force plates: an OpenSim `ExternalLoads` file (.xml) naming its data file.
    pub loads: String,
    /// Low-pass cutoff of the motion before it is differentiated, Hz (OpenSim's inverse dynamics tool's
    /// `lowpass_cutoff_frequency_for_coordinates`); absent: no filtering.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lowpass_hz: Option<f64>,
    /// How the feet meet the ground.
    #[serde(default)]
    pub ground: FootGround,
    /// Time in the trial the simulation starts from, s; absent: its first frame (with `repeat_stride`: the
    /// repeated stride's first heel strike).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_s: Option<f64>,
    /// Repeat one stride of the trial (from a right heel strike to the next) for as long as the run lasts, the
    /// walk advancing a stride's length each time (`exo_sim::walk::clock`); off: the run lasts the trial at most.
    #[serde(default)]
    pub repeat_stride: bool,
    /// Cross-fade of the repeated stride's plates into the stride before's at each seam, s (> 0; read only with
    /// `repeat_stride`).
    #[serde(default = "d_stride_fade")]
    pub stride_fade_s: f64,
    /// A model file whose `Umberger2010MuscleMetabolicsProbe` gives the muscles' metabolic parameters; present:
    /// the run reports the metabolic cost with and without the device (the muscles from `model`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metabolics: Option<String>,
    /// Walking speed of the trial, m/s (the treadmill's belt speed), for the cost of transport; absent: none is
    /// reported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub walking_speed_m_per_s: Option<f64>,
    /// The wearer's motor model.
    #[serde(default)]
    pub tracking: crate::walk::TrackingConfig,
    /// A load the wearer carries in every run (a backpack on the torso); absent: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backpack: Option<BackpackSection>,
    /// The device's own masses on the wearer's bodies (belt, motors, links, cuffs), carried only in the run with
    /// the device, so that a comparison without it also weighs what the device weighs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub device_masses: Vec<MassSection>,
}

fn d_stride_fade() -> f64 {
    0.1
}

/// A load the imported wearer carries: a rigid mass fixed to one body (no suspension). The recorded plates are
/// scaled by (wearer + everything carried) / wearer, as if the load moved with the whole body's centre of mass.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BackpackSection {
    /// The body it rides on (OpenSim's name).
    #[serde(default = "d_backpack_body")]
    pub body: String,
    /// Mass, kg (0 to 100).
    pub mass_kg: f64,
    /// Its centre of mass in the body's frame (x forward, y up), m.
    pub com_m: [f64; 2],
    /// Rotational inertia about its own centre of mass, about the out-of-plane axis, kg m².
    #[serde(default)]
    pub inertia_kg_m2: f64,
    /// Also run the same walk without the load (and without the device), and report the metabolic increase the
    /// load makes beside the Pandolf et al. (1977) equation's prediction (needs `wearer.metabolics` and
    /// `wearer.walking_speed_m_per_s`).
    #[serde(default)]
    pub compare_unloaded: bool,
}

fn d_backpack_body() -> String {
    "torso".to_string()
}

/// A rigid mass on one of the imported wearer's bodies.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MassSection {
    /// What it is (`hip_r_motor`), for the summary and errors.
    pub name: String,
    /// The body it is fixed to (OpenSim's name: `pelvis`, `femur_r`).
    pub body: String,
    /// Mass, kg (0 to 50).
    pub mass_kg: f64,
    /// Its centre of mass in the body's frame (x forward, y up), m.
    pub com_m: [f64; 2],
    /// Rotational inertia about its own centre of mass, about the out-of-plane axis, kg m².
    #[serde(default)]
    pub inertia_kg_m2: f64,
}

/// Duration, steps, integrator and seed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SimulationSection {
    /// Simulated time, s.
    #[serde(default = "d_duration")]
    pub duration_s: f64,
    /// Rigid-body step, s.
    #[serde(default = "d_physics")]
    pub physics_dt_s: f64,
    /// Control tick, s (a whole multiple of `physics_dt_s`).
    #[serde(default = "d_control")]
    pub control_dt_s: f64,
    /// Seed of the sensor noise generator.
    #[serde(default = "d_seed")]
    pub seed: u64,
    /// Rigid-body integrator.
    #[serde(default = "d_integrator")]
    pub integrator: IntegratorKind,
    /// Rate of the recorded time series, Hz (at most the control rate).
    #[serde(default = "d_record")]
    pub record_rate_hz: f64,
    /// Also run the same motion without the exoskeleton and report the human effort of both.
    #[serde(default)]
    pub compare_without_exo: bool,
}

fn d_duration() -> f64 {
    10.0
}
fn d_physics() -> f64 {
    1e-3
}
fn d_control() -> f64 {
    1e-3
}
fn d_seed() -> u64 {
    1
}
fn d_integrator() -> IntegratorKind {
    IntegratorKind::Rk4
}
fn d_record() -> f64 {
    200.0
}

impl Default for SimulationSection {
    fn default() -> Self {
        Self {
            duration_s: d_duration(),
            physics_dt_s: d_physics(),
            control_dt_s: d_control(),
            seed: d_seed(),
            integrator: d_integrator(),
            record_rate_hz: d_record(),
            compare_without_exo: false,
        }
    }
}

/// Which leg model.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum LegKind {
    /// A human leg scaled from `mass_kg` and `height_m` (de Leva 1996).
    Human,
    /// The benchmark leg of `docs/bench/reference-leg.md` (fixed pelvis, foot hanging down, axes +y).
    Reference,
}

/// The wearer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SubjectSection {
    /// Body mass, kg.
    #[serde(default = "d_mass")]
    pub mass_kg: f64,
    /// Height, m.
    #[serde(default = "d_height")]
    pub height_m: f64,
    /// Leg model.
    #[serde(default = "d_leg")]
    pub leg: LegKind,
}

fn d_mass() -> f64 {
    72.6
}
fn d_height() -> f64 {
    1.803
}
fn d_leg() -> LegKind {
    LegKind::Human
}

impl Default for SubjectSection {
    fn default() -> Self {
        Self { mass_kg: d_mass(), height_m: d_height(), leg: d_leg() }
    }
}

/// How the pelvis moves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PelvisMode {
    /// Fixed at `height_m` (a bench or a hanging leg).
    Fixed,
    /// Driven along the motion's recorded pelvis trajectory (walking on a treadmill).
    Driven,
    /// Free in the sagittal plane, resting on the foot contacts and the seat.
    Free,
}

/// The pelvis and what it carries.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PelvisSection {
    /// Mode.
    #[serde(default = "d_pelvis_mode")]
    pub mode: PelvisMode,
    /// Height of the pelvis origin when fixed or at the start when free, m.
    #[serde(default = "d_pelvis_height")]
    pub height_m: f64,
    /// Pitch when fixed or at the start when free, rad.
    #[serde(default)]
    pub pitch_rad: f64,
    /// Backpack mass, kg. With a driven pelvis the recorded ground reaction is scaled by
    /// (body + backpack) / body, a first-order model of load carriage.
    #[serde(default)]
    pub backpack_kg: f64,
    /// Backpack centre of mass in the pelvis frame (x forward, z up), m.
    #[serde(default = "d_pack_offset")]
    pub backpack_offset_m: [f64; 2],
    /// Ground contact of heel and toe (penalty model); absent for no contact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ground_contact: Option<GroundContact>,
    /// Height of a seat under the thigh, m; absent for no seat.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seat_height_m: Option<f64>,
}

fn d_pelvis_mode() -> PelvisMode {
    PelvisMode::Driven
}
fn d_pelvis_height() -> f64 {
    1.0
}
fn d_pack_offset() -> [f64; 2] {
    [-0.2, 0.25]
}

impl Default for PelvisSection {
    fn default() -> Self {
        Self {
            mode: d_pelvis_mode(),
            height_m: d_pelvis_height(),
            pitch_rad: 0.0,
            backpack_kg: 0.0,
            backpack_offset_m: d_pack_offset(),
            ground_contact: None,
            seat_height_m: None,
        }
    }
}

/// The motion the wearer performs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum MotionKind {
    /// A recorded walking trial, repeated stride after stride.
    Gait,
    /// A posture held still (`hold_q_rad`).
    Hold,
    /// Keyframes joined by smooth rest-to-rest segments.
    Keyframes,
    /// No motor activity: the leg swings passively from `initial_q_rad`.
    Passive,
    /// Sit-to-stand: joint keyframes with the foot flat on the ground; the pelvis follows from the leg and must
    /// be `free`; the weight moves from the seat to the foot before `seat_off_s`.
    SitToStand,
}

/// The reference motion.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MotionSection {
    /// Kind of motion.
    #[serde(default = "d_motion")]
    pub kind: MotionKind,
    /// OpenSim kinematics file (.mot), relative to the scenario file or to the shipped assets.
    #[serde(default = "d_kinematics")]
    pub gait_kinematics: String,
    /// OpenSim ground-reaction file (.mot); empty for none.
    #[serde(default = "d_grf")]
    pub ground_reaction: String,
    /// Fourier harmonics of the periodic gait fit.
    #[serde(default = "d_harmonics")]
    pub harmonics: usize,
    /// Time stretch of the trial (2 walks at half speed).
    #[serde(default = "d_one")]
    pub time_scale: f64,
    /// Posture of `hold`, and start of `passive`, keyframes and (when set) every kind: hip, knee, ankle, rad.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial_q_rad: Option<[f64; 3]>,
    /// Held posture (hip, knee, ankle), rad.
    #[serde(default)]
    pub hold_q_rad: [f64; 3],
    /// Keyframes `[time s, hip rad, knee rad, ankle rad]`.
    #[serde(default)]
    pub keyframes: Vec<[f64; 4]>,
    /// Keyframe trajectory start time, s.
    #[serde(default)]
    pub keyframes_start_s: f64,
    /// Repeat period of the keyframes, s; absent to play them once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keyframes_period_s: Option<f64>,
    /// Sit-to-stand: time at which the foot carries the whole weight (seat-off), s.
    #[serde(default = "d_seat_off")]
    pub seat_off_s: f64,
    /// Sit-to-stand: duration of the weight transfer from seat to foot before seat-off, s.
    #[serde(default = "d_transfer")]
    pub transfer_s: f64,
}

fn d_seat_off() -> f64 {
    1.2
}
fn d_transfer() -> f64 {
    0.5
}

fn d_motion() -> MotionKind {
    MotionKind::Gait
}
fn d_kinematics() -> String {
    "gait/subject01_walk1_ik.mot".into()
}
fn d_grf() -> String {
    "gait/subject01_walk1_grf.mot".into()
}
fn d_harmonics() -> usize {
    8
}
fn d_one() -> f64 {
    1.0
}

impl Default for MotionSection {
    fn default() -> Self {
        Self {
            kind: d_motion(),
            gait_kinematics: d_kinematics(),
            ground_reaction: d_grf(),
            harmonics: d_harmonics(),
            time_scale: 1.0,
            initial_q_rad: None,
            hold_q_rad: [0.0; 3],
            keyframes: Vec::new(),
            keyframes_start_s: 0.0,
            keyframes_period_s: None,
            seat_off_s: d_seat_off(),
            transfer_s: d_transfer(),
        }
    }
}

/// An actuator: a preset plus overrides.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ActuatorRef {
    /// Preset name in `assets/actuators/` (`qdd-ak80-6`, `harmonic-sea-100`) or a path to a preset file.
    pub preset: String,
    /// Fields that replace the preset's, in the preset's layout (`{ gearbox = { ratio = 8.0 } }`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<std::collections::BTreeMap<String, serde_json::Value>>")]
    pub overrides: Option<toml::Table>,
}

/// The device's actuators, by the name of the joint each drives (`[actuators.knee]`); a joint of the device
/// without one is passive.
pub type ActuatorsSection = BTreeMap<String, ActuatorRef>;

/// The gravity model a law holds: the device's links as its designer knows them (mass and centre of mass of
/// each link that turns with a joint), with a deliberate model error, evaluated on the sensed joint angles and
/// the base inertial sensor's pitch. The law never sees the simulator's true state.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GravitySection {
    /// Relative error of the model's link masses, dimensionless (0.1: the model is 10 % heavier than the device).
    #[serde(default)]
    pub mass_error_fraction: f64,
    /// Fraction of the wearer's limb segments the model also carries (0: the device only; 1: the whole thigh,
    /// shank and foot, as a gravity-compensating rehabilitation device would), dimensionless.
    #[serde(default)]
    pub limb_fraction: f64,
}

/// What the joints do after a fault.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SafeStopKind {
    /// Zero torque.
    TorqueOff,
    /// Viscous damping only (`safe_stop_damping_nm_s_per_rad`).
    Damping,
}

/// The safety supervisor. Per-joint fields take a number (every joint), a list (device joint order) or a table by
/// joint name or kind (`{ hip = 2.2, knee = 0.15 }`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SafetySection {
    /// Hard lower joint limits, rad; absent: hip -0.7, knee -2.4, ankle -0.9 (beyond the joints' anatomical
    /// range of motion, where a device must stop).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position_min_rad: Option<PerJoint>,
    /// Hard upper joint limits, rad; absent: hip 2.2, knee 0.15, ankle 0.7.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position_max_rad: Option<PerJoint>,
    /// Soft wall width inside the hard limits, rad.
    #[serde(default = "d_wall")]
    pub soft_wall_width_rad: PerJoint,
    /// Soft wall stiffness, N m/rad.
    #[serde(default = "d_wall_k")]
    pub soft_wall_stiffness_nm_per_rad: PerJoint,
    /// Soft wall damping, N m s/rad.
    #[serde(default = "d_wall_b")]
    pub soft_wall_damping_nm_s_per_rad: PerJoint,
    /// Joint speed limit, rad/s.
    #[serde(default = "d_vmax")]
    pub velocity_limit_rad_per_s: PerJoint,
    /// Torque limit, N m; absent: each actuator's peak torque.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub torque_limit_nm: Option<PerJoint>,
    /// Torque-rate limit, N m/s.
    #[serde(default = "d_rate")]
    pub torque_rate_limit_nm_per_s: PerJoint,
    /// Watchdog: ticks without a fresh frame before stopping.
    #[serde(default = "d_wd")]
    pub watchdog_ticks: u32,
    /// Output after a fault.
    #[serde(default = "d_stop")]
    pub safe_stop: SafeStopKind,
    /// Damping in `damping` safe stop, N m s/rad.
    #[serde(default = "d_stop_b")]
    pub safe_stop_damping_nm_s_per_rad: PerJoint,
    /// Plausibility checks on every sensor channel (non-finite values always trip).
    #[serde(default)]
    pub sensors: SensorChecksSection,
}

/// Default hard range of motion of a joint kind, rad: a little beyond the anatomical range (hip -0.7..2.2,
/// knee -2.4..0.15, ankle -0.9..0.7), where a device must stop.
pub(crate) fn default_joint_limits(kind: &str) -> (f64, f64) {
    match kind {
        "hip" => (-0.7, 2.2),
        "knee" => (-2.4, 0.15),
        "ankle" => (-0.9, 0.7),
        _ => (-1.0, 1.0),
    }
}

fn d_wall() -> PerJoint {
    PerJoint::All(0.1)
}
fn d_wall_k() -> PerJoint {
    PerJoint::All(200.0)
}
fn d_wall_b() -> PerJoint {
    PerJoint::All(2.0)
}
fn d_vmax() -> PerJoint {
    PerJoint::All(15.0)
}
fn d_rate() -> PerJoint {
    PerJoint::All(5000.0)
}
fn d_wd() -> u32 {
    3
}
fn d_stop() -> SafeStopKind {
    SafeStopKind::TorqueOff
}
fn d_stop_b() -> PerJoint {
    PerJoint::All(2.0)
}

impl Default for SafetySection {
    fn default() -> Self {
        Self {
            position_min_rad: None,
            position_max_rad: None,
            soft_wall_width_rad: d_wall(),
            soft_wall_stiffness_nm_per_rad: d_wall_k(),
            soft_wall_damping_nm_s_per_rad: d_wall_b(),
            velocity_limit_rad_per_s: d_vmax(),
            torque_limit_nm: None,
            torque_rate_limit_nm_per_s: d_rate(),
            watchdog_ticks: d_wd(),
            safe_stop: d_stop(),
            safe_stop_damping_nm_s_per_rad: d_stop_b(),
            sensors: SensorChecksSection::default(),
        }
    }
}

/// What the supervisor accepts as a plausible sensor reading. Absent fields are derived from the actuator
/// presets and the sensor models as each field says; the supervisor monitors every channel the device has (the
/// encoders, the torque reading, the cuffs' interaction torque when it has cuffs, the base inertial sensor when
/// present) and refuses to run a law that reads a channel it does not monitor.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SensorChecksSection {
    /// Range of the joint torque reading, N m; absent: three times the actuator's peak torque (a reading the
    /// actuator could not produce or feel from a wearer is taken as a sensor fault).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub joint_torque_range_nm: Option<PerJoint>,
    /// Range of the interaction (cuff) reading, N m; absent: 150 N m, about the peak knee moment of a stair
    /// descent (an assumption of this model).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interaction_torque_range_nm: Option<PerJoint>,
    /// Largest plausible rate of change of the joint torque reading, N m/s; absent: no check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub joint_torque_rate_range_nm_per_s: Option<PerJoint>,
    /// Largest plausible rate of change of the interaction reading, N m/s; absent: 20000 N m/s (20 N m in one
    /// millisecond: faster than the straps' compliance lets a real load change, an assumption of this model).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interaction_torque_rate_range_nm_per_s: Option<PerJoint>,
    /// Largest plausible disagreement of the spring torque from the two encoders and the torque reading, N m;
    /// absent: `k (backlash / 2 + 3 peak / k_gear + both encoder resolutions) + c 10 rad/s + 6 sigma + |bias| +
    /// 1 N m` from the preset (spring stiffness k and damping c, gear stiffness k_gear) and the sensor noise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spring_torque_margin_nm: Option<PerJoint>,
    /// For actuators without a spring: the largest plausible difference of the joint-referred motor angle and
    /// the joint angle, rad; absent: `2 (backlash / 2 + 3 peak / k_gear + both encoder resolutions) + 5 mrad`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoder_agreement_rad: Option<PerJoint>,
    /// Ticks a noisy analog reading may repeat exactly before it is stale; absent: 20 for channels with noise
    /// (0 turns the check off, and it is off for a channel whose noise is configured to zero).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stale_ticks: Option<u32>,
    /// Largest plausible base pitch, rad; absent: 0.8 rad (46 degrees) when the base is the pelvis (a hip belt),
    /// pi when it is a limb link (a device without a hip joint, whose sensor sits on the thigh or shank link).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_pitch_range_rad: Option<f64>,
}

fn yes() -> bool {
    true
}

/// Output files of `exosim run`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OutputsSection {
    /// Write `timeseries.csv`.
    #[serde(default = "yes")]
    pub timeseries: bool,
    /// Write `plots/*.png`.
    #[serde(default = "yes")]
    pub plots: bool,
    /// Write `results.sto` (OpenSim storage; for an imported wearer `states.sto`, its coordinates as an OpenSim
    /// motion).
    #[serde(default = "yes")]
    pub sto: bool,
}

impl Default for OutputsSection {
    fn default() -> Self {
        Self { timeseries: true, plots: true, sto: true }
    }
}
