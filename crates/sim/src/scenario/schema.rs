//! The scenario file schema (`schema_version = 1`). Every field documents its unit; unknown keys are errors.
//! `docs/scenarios.md` is generated from these definitions (`exosim schema`), and a test keeps it in step.

use serde::{Deserialize, Serialize};

use crate::body::ExoConfig;
use crate::body::contact::GroundContact;
use crate::human::HumanConfig;
use crate::sensor::{FaultEvent, SensorConfig};
use crate::simulation::TorqueSignal;
use crate::world::IntegratorKind;

/// A whole scenario.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Version of this schema; must be 1.
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
    /// Actuators of the exoskeleton joints.
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

/// Actuators by joint; a spanned joint without one is passive.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ActuatorsSection {
    /// Hip actuator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hip: Option<ActuatorRef>,
    /// Knee actuator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub knee: Option<ActuatorRef>,
    /// Ankle actuator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ankle: Option<ActuatorRef>,
}

/// The control law.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum LawKind {
    /// No control: zero torque command (the actuators' own inertia and friction remain).
    None,
    /// Series-elastic torque loop tracking zero torque (transparency).
    ZeroTorque,
    /// Series-elastic torque loop tracking the setpoint torque.
    SeaTorque,
    /// Joint impedance around the setpoint posture.
    Impedance,
    /// Admittance on the measured interaction torque.
    Admittance,
    /// Joint position PID.
    JointPid,
    /// Gait-phase assistance profiles.
    Assistance,
}

/// Series-elastic torque loop gains, per joint (hip, knee, ankle).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SeaSection {
    /// Proportional gain on the torque error, dimensionless (N m per N m).
    #[serde(default = "d_sea_kp")]
    pub kp: [f64; 3],
    /// Integral gain on the torque error, 1/s.
    #[serde(default = "d_sea_ki")]
    pub ki_per_s: [f64; 3],
    /// Damping on the joint-referred motor velocity, N m s/rad.
    #[serde(default = "d_sea_b")]
    pub motor_damping_nm_s_per_rad: [f64; 3],
    /// Feedforward of the desired torque, dimensionless.
    #[serde(default = "d_one")]
    pub feedforward_gain: f64,
    /// Torque measurement: `sensor` (spring or load cell reading) or `spring_deflection` (encoders).
    #[serde(default = "d_torque_source")]
    pub torque_source: TorqueSourceKind,
    /// Anti-windup tracking time constant, s.
    #[serde(default = "d_tt")]
    pub tracking_time_s: f64,
}

fn d_sea_kp() -> [f64; 3] {
    [3.0; 3]
}
fn d_sea_ki() -> [f64; 3] {
    [20.0; 3]
}
fn d_sea_b() -> [f64; 3] {
    [15.0; 3]
}
fn d_torque_source() -> TorqueSourceKind {
    TorqueSourceKind::Sensor
}

/// Where the series-elastic loop reads the joint torque.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TorqueSourceKind {
    /// The torque channel of the frame (series spring or load cell).
    Sensor,
    /// Spring stiffness times the difference of the motor and joint encoders.
    SpringDeflection,
}

impl From<TorqueSourceKind> for exo_control::sea::TorqueSource {
    fn from(k: TorqueSourceKind) -> Self {
        match k {
            TorqueSourceKind::Sensor => exo_control::sea::TorqueSource::Sensor,
            TorqueSourceKind::SpringDeflection => exo_control::sea::TorqueSource::SpringDeflection,
        }
    }
}
fn d_tt() -> f64 {
    0.05
}

impl Default for SeaSection {
    fn default() -> Self {
        Self {
            kp: d_sea_kp(),
            ki_per_s: d_sea_ki(),
            motor_damping_nm_s_per_rad: d_sea_b(),
            feedforward_gain: 1.0,
            torque_source: d_torque_source(),
            tracking_time_s: d_tt(),
        }
    }
}

/// Joint impedance gains.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ImpedanceSection {
    /// Stiffness, N m/rad.
    #[serde(default = "d_k")]
    pub stiffness_nm_per_rad: [f64; 3],
    /// Damping, N m s/rad.
    #[serde(default = "d_b")]
    pub damping_nm_s_per_rad: [f64; 3],
    /// Add gravity compensation from the law's own model of the device (`[controller.gravity]`), evaluated on
    /// the sensed joint angles and base pitch.
    #[serde(default = "yes")]
    pub gravity_compensation: bool,
}

fn d_k() -> [f64; 3] {
    [50.0; 3]
}
fn d_b() -> [f64; 3] {
    [2.0; 3]
}
fn yes() -> bool {
    true
}

impl Default for ImpedanceSection {
    fn default() -> Self {
        Self { stiffness_nm_per_rad: d_k(), damping_nm_s_per_rad: d_b(), gravity_compensation: true }
    }
}

/// Admittance parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AdmittanceSection {
    /// Virtual inertia, kg m².
    #[serde(default = "d_vm")]
    pub virtual_inertia_kg_m2: [f64; 3],
    /// Virtual damping, N m s/rad.
    #[serde(default = "d_vb")]
    pub virtual_damping_nm_s_per_rad: [f64; 3],
    /// Virtual stiffness towards the setpoint posture, N m/rad.
    #[serde(default = "d_vk")]
    pub virtual_stiffness_nm_per_rad: [f64; 3],
    /// Interaction torque dead band, N m.
    #[serde(default = "d_db")]
    pub interaction_deadband_nm: [f64; 3],
    /// Range of the virtual joint, lower bound, rad.
    #[serde(default = "d_adm_min")]
    pub position_min_rad: [f64; 3],
    /// Range of the virtual joint, upper bound, rad.
    #[serde(default = "d_adm_max")]
    pub position_max_rad: [f64; 3],
    /// Speed limit of the virtual joint, rad/s.
    #[serde(default = "d_adm_v")]
    pub velocity_limit_rad_per_s: [f64; 3],
    /// Inner position loop proportional gain, N m/rad.
    #[serde(default = "d_adm_kp")]
    pub kp_nm_per_rad: [f64; 3],
    /// Inner position loop derivative gain, N m s/rad.
    #[serde(default = "d_adm_kd")]
    pub kd_nm_s_per_rad: [f64; 3],
    /// Feed forward gravity compensation from the law's own model of the device (`[controller.gravity]`).
    #[serde(default = "yes")]
    pub gravity_compensation: bool,
}

fn d_vm() -> [f64; 3] {
    [0.3; 3]
}
fn d_vb() -> [f64; 3] {
    [3.0; 3]
}
fn d_vk() -> [f64; 3] {
    [0.0; 3]
}
fn d_db() -> [f64; 3] {
    [0.5; 3]
}
fn d_adm_min() -> [f64; 3] {
    [-0.4, -1.6, -0.5]
}
fn d_adm_max() -> [f64; 3] {
    [1.5, 0.0, 0.4]
}
fn d_adm_v() -> [f64; 3] {
    [3.0; 3]
}
fn d_adm_kp() -> [f64; 3] {
    [150.0; 3]
}
fn d_adm_kd() -> [f64; 3] {
    [5.0; 3]
}

impl Default for AdmittanceSection {
    fn default() -> Self {
        Self {
            virtual_inertia_kg_m2: d_vm(),
            virtual_damping_nm_s_per_rad: d_vb(),
            virtual_stiffness_nm_per_rad: d_vk(),
            interaction_deadband_nm: d_db(),
            position_min_rad: d_adm_min(),
            position_max_rad: d_adm_max(),
            velocity_limit_rad_per_s: d_adm_v(),
            kp_nm_per_rad: d_adm_kp(),
            kd_nm_s_per_rad: d_adm_kd(),
            gravity_compensation: true,
        }
    }
}

/// Joint position PID gains.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PidSection {
    /// Proportional gain, N m/rad.
    #[serde(default = "d_pid_kp")]
    pub kp_nm_per_rad: [f64; 3],
    /// Integral gain, N m/(rad s).
    #[serde(default)]
    pub ki_nm_per_rad_s: [f64; 3],
    /// Derivative gain, N m s/rad.
    #[serde(default = "d_pid_kd")]
    pub kd_nm_s_per_rad: [f64; 3],
    /// Derivative filter ratio N (filter time constant kd / (kp N)).
    #[serde(default = "d_n")]
    pub derivative_filter_ratio: f64,
    /// Feed forward gravity compensation from the law's own model of the device (`[controller.gravity]`).
    #[serde(default = "yes")]
    pub gravity_compensation: bool,
}

fn d_pid_kp() -> [f64; 3] {
    [100.0; 3]
}
fn d_pid_kd() -> [f64; 3] {
    [3.0; 3]
}
fn d_n() -> f64 {
    10.0
}

impl Default for PidSection {
    fn default() -> Self {
        Self {
            kp_nm_per_rad: d_pid_kp(),
            ki_nm_per_rad_s: [0.0; 3],
            kd_nm_s_per_rad: d_pid_kd(),
            derivative_filter_ratio: 10.0,
            gravity_compensation: true,
        }
    }
}

/// The four-parameter assistance profile of one joint (Zhang et al. 2017).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileSection {
    /// Peak torque, N m (sign gives the direction: + flexion at the hip, + extension at the knee,
    /// + dorsiflexion at the ankle).
    pub peak_torque_nm: f64,
    /// Time of the peak, % of stride from heel strike.
    pub peak_time_pct: f64,
    /// Rise duration, % of stride.
    pub rise_time_pct: f64,
    /// Fall duration, % of stride.
    pub fall_time_pct: f64,
}

/// How the gait phase is estimated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PhaseKind {
    /// From heel strikes (foot force threshold).
    HeelStrike,
    /// Adaptive oscillator on the hip angle.
    Oscillator,
}

/// Gait-phase assistance.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AssistanceSection {
    /// Phase estimator.
    #[serde(default = "d_phase")]
    pub phase_estimator: PhaseKind,
    /// Heel strike to hip-angle-oscillator phase offset, rad (oscillator only).
    #[serde(default)]
    pub oscillator_phase_offset_rad: f64,
    /// Heel-strike estimator: past strides averaged for the stride time (1 to 8).
    #[serde(default = "d_strides")]
    pub strides_averaged: u8,
    /// Heel-strike estimator: heel strikes closer than this to the last are ignored (debounce), s. The default,
    /// 0.5 s, is below the stride time of fast walking (about 0.9 s at 2 m/s).
    #[serde(default = "d_min_stride")]
    pub min_stride_s: f64,
    /// Heel-strike estimator: a stride longer than this means the wearer stopped and the phase is dropped, s.
    /// The default, 2.5 s, is above the stride time of very slow walking (about 2 s at 0.4 m/s).
    #[serde(default = "d_max_stride")]
    pub max_stride_s: f64,
    /// Heel-strike estimator: contact counts as a heel strike only after the foot was unloaded this long, s (an
    /// insole chattering about its threshold at toe-off must not restart the stride). The default, 0.2 s, is half
    /// of a walking swing (about 40 % of a 1.1 s stride).
    #[serde(default = "d_min_swing")]
    pub min_swing_s: f64,
    /// Deliver the profile through the series-elastic torque loop (`[controller.sea]`) instead of open loop.
    #[serde(default = "yes")]
    pub torque_loop: bool,
    /// Scale on every profile, dimensionless.
    #[serde(default = "d_one")]
    pub assistance_gain: f64,
    /// Hip profile; absent for none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hip: Option<ProfileSection>,
    /// Knee profile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub knee: Option<ProfileSection>,
    /// Ankle profile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ankle: Option<ProfileSection>,
}

fn d_phase() -> PhaseKind {
    PhaseKind::HeelStrike
}
fn d_strides() -> u8 {
    3
}
fn d_min_stride() -> f64 {
    0.5
}
fn d_max_stride() -> f64 {
    2.5
}
fn d_min_swing() -> f64 {
    0.2
}

impl Default for AssistanceSection {
    fn default() -> Self {
        Self {
            phase_estimator: d_phase(),
            oscillator_phase_offset_rad: 0.0,
            strides_averaged: d_strides(),
            min_stride_s: d_min_stride(),
            max_stride_s: d_max_stride(),
            min_swing_s: d_min_swing(),
            torque_loop: true,
            assistance_gain: 1.0,
            hip: None,
            knee: None,
            ankle: None,
        }
    }
}

/// Where setpoints come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SetpointKind {
    /// The wearer's reference motion (position laws).
    Reference,
    /// The torque signal `signal` (torque laws).
    Torque,
}

/// Setpoints.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SetpointSection {
    /// Source.
    #[serde(default = "d_sp")]
    pub source: SetpointKind,
    /// Torque signal for `source = "torque"`.
    #[serde(default = "d_signal")]
    pub signal: TorqueSignal,
}

fn d_sp() -> SetpointKind {
    SetpointKind::Reference
}
fn d_signal() -> TorqueSignal {
    TorqueSignal::Zero
}

impl Default for SetpointSection {
    fn default() -> Self {
        Self { source: d_sp(), signal: d_signal() }
    }
}

/// The control law and its parameters (only the section of the chosen law is used).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ControllerSection {
    /// Law.
    #[serde(default = "d_law")]
    pub law: LawKind,
    /// Scalar type the law computes in: `f64`, or `f32` as most microcontrollers run it (each sensor frame is
    /// rounded to `f32` on its way in and each command widened on its way out; the supervisor stays `f64`).
    #[serde(default)]
    pub precision: Precision,
    /// Output limit of the law (the actuator's joint-referred torque command), N m; absent: the actuator's peak.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub torque_limit_nm: Option<[f64; 3]>,
    /// Series-elastic torque loop.
    #[serde(default)]
    pub sea: SeaSection,
    /// Impedance.
    #[serde(default)]
    pub impedance: ImpedanceSection,
    /// Admittance.
    #[serde(default)]
    pub admittance: AdmittanceSection,
    /// Joint PID.
    #[serde(default)]
    pub pid: PidSection,
    /// Assistance.
    #[serde(default)]
    pub assistance: AssistanceSection,
    /// The law's own gravity model of the device, used by the laws that compensate gravity.
    #[serde(default)]
    pub gravity: GravitySection,
    /// Setpoints.
    #[serde(default)]
    pub setpoint: SetpointSection,
}

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

fn d_law() -> LawKind {
    LawKind::None
}

/// Floating-point type of the control law.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Precision {
    /// Double precision, as the rest of the simulator.
    #[default]
    F64,
    /// Single precision, as firmware on a microcontroller with a single-precision FPU.
    F32,
}

impl Default for ControllerSection {
    fn default() -> Self {
        Self {
            law: d_law(),
            precision: Precision::default(),
            torque_limit_nm: None,
            sea: SeaSection::default(),
            impedance: ImpedanceSection::default(),
            admittance: AdmittanceSection::default(),
            pid: PidSection::default(),
            assistance: AssistanceSection::default(),
            gravity: GravitySection::default(),
            setpoint: SetpointSection::default(),
        }
    }
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

/// The safety supervisor.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SafetySection {
    /// Hard lower joint limits (hip, knee, ankle), rad.
    #[serde(default = "d_min")]
    pub position_min_rad: [f64; 3],
    /// Hard upper joint limits, rad.
    #[serde(default = "d_max")]
    pub position_max_rad: [f64; 3],
    /// Soft wall width inside the hard limits, rad.
    #[serde(default = "d_wall")]
    pub soft_wall_width_rad: [f64; 3],
    /// Soft wall stiffness, N m/rad.
    #[serde(default = "d_wall_k")]
    pub soft_wall_stiffness_nm_per_rad: [f64; 3],
    /// Soft wall damping, N m s/rad.
    #[serde(default = "d_wall_b")]
    pub soft_wall_damping_nm_s_per_rad: [f64; 3],
    /// Joint speed limit, rad/s.
    #[serde(default = "d_vmax")]
    pub velocity_limit_rad_per_s: [f64; 3],
    /// Torque limit, N m; absent: each actuator's peak torque.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub torque_limit_nm: Option<[f64; 3]>,
    /// Torque-rate limit, N m/s.
    #[serde(default = "d_rate")]
    pub torque_rate_limit_nm_per_s: [f64; 3],
    /// Watchdog: ticks without a fresh frame before stopping.
    #[serde(default = "d_wd")]
    pub watchdog_ticks: u32,
    /// Output after a fault.
    #[serde(default = "d_stop")]
    pub safe_stop: SafeStopKind,
    /// Damping in `damping` safe stop, N m s/rad.
    #[serde(default = "d_stop_b")]
    pub safe_stop_damping_nm_s_per_rad: [f64; 3],
    /// Plausibility checks on every sensor channel (non-finite values always trip).
    #[serde(default)]
    pub sensors: SensorChecksSection,
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
    pub joint_torque_range_nm: Option<[f64; 3]>,
    /// Range of the interaction (cuff) reading, N m; absent: 150 N m, about the peak knee moment of a stair
    /// descent (an assumption of this model).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interaction_torque_range_nm: Option<[f64; 3]>,
    /// Largest plausible rate of change of the joint torque reading, N m/s; absent: no check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub joint_torque_rate_range_nm_per_s: Option<[f64; 3]>,
    /// Largest plausible rate of change of the interaction reading, N m/s; absent: 20000 N m/s (20 N m in one
    /// millisecond: faster than the straps' compliance lets a real load change, an assumption of this model).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interaction_torque_rate_range_nm_per_s: Option<[f64; 3]>,
    /// Largest plausible disagreement of the spring torque from the two encoders and the torque reading, N m;
    /// absent: `k (backlash / 2 + 3 peak / k_gear + both encoder resolutions) + c 10 rad/s + 6 sigma + |bias| +
    /// 1 N m` from the preset (spring stiffness k and damping c, gear stiffness k_gear) and the sensor noise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spring_torque_margin_nm: Option<[f64; 3]>,
    /// For actuators without a spring: the largest plausible difference of the joint-referred motor angle and
    /// the joint angle, rad; absent: `2 (backlash / 2 + 3 peak / k_gear + both encoder resolutions) + 5 mrad`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoder_agreement_rad: Option<[f64; 3]>,
    /// Ticks a noisy analog reading may repeat exactly before it is stale; absent: 20 for channels with noise
    /// (0 turns the check off, and it is off for a channel whose noise is configured to zero).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stale_ticks: Option<u32>,
    /// Largest plausible base pitch, rad; absent: 0.8 rad (46 degrees) when the base is the pelvis (a hip belt),
    /// pi when it is a limb link (a device without a hip joint, whose sensor sits on the thigh or shank link).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_pitch_range_rad: Option<f64>,
}

fn d_min() -> [f64; 3] {
    [-0.7, -2.4, -0.9]
}
fn d_max() -> [f64; 3] {
    [2.2, 0.15, 0.7]
}
fn d_wall() -> [f64; 3] {
    [0.1; 3]
}
fn d_wall_k() -> [f64; 3] {
    [200.0; 3]
}
fn d_wall_b() -> [f64; 3] {
    [2.0; 3]
}
fn d_vmax() -> [f64; 3] {
    [15.0; 3]
}
fn d_rate() -> [f64; 3] {
    [5000.0; 3]
}
fn d_wd() -> u32 {
    3
}
fn d_stop() -> SafeStopKind {
    SafeStopKind::TorqueOff
}
fn d_stop_b() -> [f64; 3] {
    [2.0; 3]
}

impl Default for SafetySection {
    fn default() -> Self {
        Self {
            position_min_rad: d_min(),
            position_max_rad: d_max(),
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
    /// Write `results.sto` (OpenSim storage).
    #[serde(default = "yes")]
    pub sto: bool,
}

impl Default for OutputsSection {
    fn default() -> Self {
        Self { timeseries: true, plots: true, sto: true }
    }
}
