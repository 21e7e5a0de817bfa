//! The sensors: what the controller sees of the true state, sampled once per control tick.
//!
//! Joint and motor encoders quantise angles to their counts per revolution; velocities come from the control
//! core's filtered finite-difference estimator; torque comes from the series spring (or gear mesh) and the
//! cuff load cells with Gaussian noise and bias. Gait events come from an insole under the foot: the vertical
//! force it measures (true force plus Gaussian noise) is compared with a threshold with hysteresis, and the
//! contact state it reports is delayed by its own electronics; the law finds heel strikes as rising edges. The
//! device's base (the hip belt) carries an inertial sensor reporting its pitch with noise and bias. The whole
//! frame can be delayed by whole control ticks, and faults can be scheduled in time. Noise is drawn from a
//! seeded PCG generator in a fixed order (per actuated joint: torque, interaction; then the insole; then the
//! inertial sensor), so the same seed gives the same frames, and joints without an actuator draw nothing.

use exo_control::SensorFrame;
use exo_control::filter::{VelocityEstimator, VelocityEstimatorConfig};
use rand::SeedableRng;
use rand_distr::{Distribution, StandardNormal};
use rand_pcg::Pcg64Mcg;
use serde::{Deserialize, Serialize};

use crate::body::Joint;

/// Number of joint slots in a frame (hip, knee, ankle).
pub const JOINTS: usize = 3;

/// Sensor parameters.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SensorConfig {
    /// Joint-side encoder resolution, counts per revolution (0 = ideal).
    #[serde(default = "default_joint_counts")]
    pub joint_encoder_counts_per_rev: u32,
    /// Motor-side encoder resolution, counts per motor revolution (0 = ideal).
    #[serde(default = "default_motor_counts")]
    pub motor_encoder_counts_per_rev: u32,
    /// Cut-off of the velocity estimators, Hz.
    #[serde(default = "default_velocity_cutoff")]
    pub velocity_cutoff_hz: f64,
    /// Standard deviation of the joint torque measurement noise, N m.
    #[serde(default = "default_torque_noise")]
    pub torque_noise_nm: f64,
    /// Constant bias of the joint torque measurement, N m.
    #[serde(default)]
    pub torque_bias_nm: f64,
    /// Standard deviation of the interaction (cuff) torque noise, N m.
    #[serde(default = "default_interaction_noise")]
    pub interaction_noise_nm: f64,
    /// Delay of the whole frame, whole control ticks.
    #[serde(default)]
    pub delay_ticks: u32,
    /// The gait-event sensor: an insole under the foot.
    #[serde(default)]
    pub foot: FootSensorConfig,
    /// The inertial sensor on the device's base (the hip belt), reporting its pitch; absent for none (the laws
    /// then see a pitch of 0: an upright base).
    #[serde(default = "default_imu", skip_serializing_if = "Option::is_none")]
    pub base_imu: Option<ImuConfig>,
}

/// An insole (or foot switch) that reports foot contact.
///
/// Model: the insole measures the vertical ground force under the foot plus Gaussian noise of
/// `noise_n`; contact begins when the measurement rises above `threshold_n` and ends when it falls below
/// `(1 - hysteresis_fraction) threshold_n`; the contact state reaches the controller `delay_ticks` ticks late
/// (the insole's filtering and bus). The default threshold, 50 N, is about 7 % of the default subject's weight;
/// the noise and delay are assumptions of this model, not measurements of a product.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FootSensorConfig {
    /// Vertical force above which the foot is in contact, N.
    #[serde(default = "default_heel_threshold")]
    pub threshold_n: f64,
    /// Release at `(1 - hysteresis_fraction) threshold_n`, dimensionless (0 to 1).
    #[serde(default = "default_hysteresis")]
    pub hysteresis_fraction: f64,
    /// Standard deviation of the force measurement noise, N.
    #[serde(default = "default_insole_noise")]
    pub noise_n: f64,
    /// Delay of the contact state, whole control ticks (on top of the frame's `delay_ticks`).
    #[serde(default)]
    pub delay_ticks: u32,
}

impl Default for FootSensorConfig {
    fn default() -> Self {
        Self {
            threshold_n: default_heel_threshold(),
            hysteresis_fraction: default_hysteresis(),
            noise_n: default_insole_noise(),
            delay_ticks: 0,
        }
    }
}

/// An inertial sensor reporting the pitch of the body it is strapped to.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ImuConfig {
    /// Standard deviation of the pitch noise, rad.
    #[serde(default = "default_imu_noise")]
    pub noise_rad: f64,
    /// Constant bias of the pitch, rad (a mounting error).
    #[serde(default)]
    pub bias_rad: f64,
}

fn default_imu() -> Option<ImuConfig> {
    Some(ImuConfig { noise_rad: default_imu_noise(), bias_rad: 0.0 })
}
/// 0.2 degrees: the order of the pitch noise of a fused MEMS orientation estimate at rest (an assumption).
fn default_imu_noise() -> f64 {
    0.2_f64.to_radians()
}
fn default_hysteresis() -> f64 {
    0.1
}
fn default_insole_noise() -> f64 {
    5.0
}

fn default_joint_counts() -> u32 {
    1 << 14
}
fn default_motor_counts() -> u32 {
    1 << 12
}
fn default_velocity_cutoff() -> f64 {
    50.0
}
fn default_torque_noise() -> f64 {
    0.05
}
fn default_interaction_noise() -> f64 {
    0.1
}
fn default_heel_threshold() -> f64 {
    50.0
}

impl Default for SensorConfig {
    fn default() -> Self {
        Self {
            joint_encoder_counts_per_rev: default_joint_counts(),
            motor_encoder_counts_per_rev: default_motor_counts(),
            velocity_cutoff_hz: default_velocity_cutoff(),
            torque_noise_nm: default_torque_noise(),
            torque_bias_nm: 0.0,
            interaction_noise_nm: default_interaction_noise(),
            delay_ticks: 0,
            foot: FootSensorConfig::default(),
            base_imu: default_imu(),
        }
    }
}

impl SensorConfig {
    /// The first impossible parameter, with the reason.
    pub fn validate(&self, control_dt_s: f64) -> Result<(), (&'static str, String)> {
        let nyquist = 0.5 / control_dt_s;
        if !(self.velocity_cutoff_hz.is_finite() && self.velocity_cutoff_hz > 0.0 && self.velocity_cutoff_hz < nyquist)
        {
            return Err((
                "velocity_cutoff_hz",
                format!("must be above 0 and below the control rate's Nyquist frequency {nyquist} Hz"),
            ));
        }
        let imu = self.base_imu.unwrap_or(ImuConfig { noise_rad: 0.0, bias_rad: 0.0 });
        for (f, v) in [
            ("torque_noise_nm", self.torque_noise_nm),
            ("interaction_noise_nm", self.interaction_noise_nm),
            ("foot.threshold_n", self.foot.threshold_n),
            ("foot.noise_n", self.foot.noise_n),
            ("base_imu.noise_rad", imu.noise_rad),
        ] {
            if !(v.is_finite() && v >= 0.0) {
                return Err((f, format!("must be a finite number >= 0 (got {v})")));
            }
        }
        if !(0.0..1.0).contains(&self.foot.hysteresis_fraction) {
            return Err((
                "foot.hysteresis_fraction",
                format!("must be within 0..1 (got {})", self.foot.hysteresis_fraction),
            ));
        }
        if !imu.bias_rad.is_finite() {
            return Err(("base_imu.bias_rad", "must be finite".into()));
        }
        if self.foot.delay_ticks > 1000 {
            return Err(("foot.delay_ticks", "must be at most 1000".into()));
        }
        if !self.torque_bias_nm.is_finite() {
            return Err(("torque_bias_nm", "must be finite".into()));
        }
        if self.delay_ticks > 1000 {
            return Err(("delay_ticks", "must be at most 1000".into()));
        }
        Ok(())
    }
}

/// A measured channel that faults can hit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// Joint-side encoder (joint angle and its velocity estimate).
    JointEncoder,
    /// Motor-side encoder.
    MotorEncoder,
    /// Joint torque (series spring or load cell).
    Torque,
    /// Interaction torque from the cuffs.
    Interaction,
    /// The insole under the foot (a dropout reads no contact; a stuck insole holds its contact state).
    FootSensor,
    /// The inertial sensor on the device's base.
    BaseImu,
}

/// What goes wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// The channel delivers no valid value (NaN), as a disconnected encoder reads.
    Dropout,
    /// The whole frame stops updating: its sequence number freezes and its values are held.
    FrameDropout,
    /// The channel holds the value it had when the fault began.
    Stuck,
    /// The channel jumps by `magnitude` for a single sample.
    Spike,
    /// The channel's bias jumps by `magnitude` for the duration of the fault.
    BiasJump,
}

/// A fault scheduled in time.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FaultEvent {
    /// Onset, s.
    pub time_s: f64,
    /// Duration, s (default: until the end of the run).
    #[serde(default = "forever", skip_serializing_if = "is_forever")]
    pub duration_s: f64,
    /// Channel hit (ignored by frame dropouts).
    #[serde(default = "default_channel")]
    pub channel: Channel,
    /// Joint hit (ignored by frame dropouts).
    #[serde(default = "default_joint")]
    pub joint: Joint,
    /// What happens.
    pub kind: FaultKind,
    /// Size of a spike or bias jump, in the channel's unit (rad or N m).
    #[serde(default)]
    pub magnitude: f64,
}

fn is_forever(d: &f64) -> bool {
    d.is_infinite()
}

fn forever() -> f64 {
    f64::INFINITY
}
fn default_channel() -> Channel {
    Channel::JointEncoder
}
fn default_joint() -> Joint {
    Joint::Knee
}

impl FaultEvent {
    fn active(&self, t: f64) -> bool {
        t >= self.time_s && t < self.time_s + self.duration_s
    }
}

/// The true signals of one tick, from the world and the actuators.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Truth {
    /// Exoskeleton joint angles, rad (0 for absent joints).
    pub joint_position_rad: [f64; JOINTS],
    /// Motor angles over the gear ratio, rad.
    pub motor_position_rad: [f64; JOINTS],
    /// Gear ratios (to quantise the motor encoder on the motor side); 0 for absent actuators.
    pub gear_ratio: [f64; JOINTS],
    /// Torque in the series spring (or gear mesh), N m.
    pub joint_torque_nm: [f64; JOINTS],
    /// Interaction torque from the cuffs, referred to the exoskeleton joints, N m.
    pub interaction_torque_nm: [f64; JOINTS],
    /// Vertical force under the instrumented foot, N.
    pub foot_force_n: f64,
    /// Pitch of the device's base frame, rad.
    pub base_pitch_rad: f64,
    /// Joints that have an actuator (and so sensors): the others read zero and draw no noise.
    pub present: [bool; JOINTS],
}

fn quantise(x: f64, counts: u32, scale: f64) -> f64 {
    if counts == 0 {
        return x;
    }
    let resolution = std::f64::consts::TAU / f64::from(counts) / scale;
    (x / resolution).floor() * resolution
}

/// Turns the truth into sensor frames, one per control tick.
#[derive(Clone, Debug)]
pub struct SensorSuite {
    config: SensorConfig,
    faults: Vec<FaultEvent>,
    rng: Pcg64Mcg,
    joint_velocity: [VelocityEstimator<f64>; JOINTS],
    motor_velocity: [VelocityEstimator<f64>; JOINTS],
    history: Vec<SensorFrame<f64, JOINTS>>,
    next: usize,
    sequence: u32,
    frozen: Option<SensorFrame<f64, JOINTS>>,
    stuck: Vec<Option<f64>>,
    /// The insole's contact state (before its delay), and its delay line.
    foot_loaded: bool,
    foot_history: Vec<bool>,
    foot_next: usize,
}

impl SensorSuite {
    /// A suite with its noise generator seeded from `seed`.
    pub fn new(config: SensorConfig, faults: Vec<FaultEvent>, seed: u64) -> Result<Self, String> {
        let vel = VelocityEstimator::new(VelocityEstimatorConfig { cutoff_hz: config.velocity_cutoff_hz })
            .map_err(|e| e.to_string())?;
        let delay = config.delay_ticks as usize;
        Ok(Self {
            rng: Pcg64Mcg::seed_from_u64(seed),
            joint_velocity: [vel; JOINTS],
            motor_velocity: [vel; JOINTS],
            history: vec![SensorFrame::default(); delay + 1],
            next: 0,
            sequence: 0,
            frozen: None,
            stuck: vec![None; faults.len()],
            foot_loaded: false,
            foot_history: vec![false; config.foot.delay_ticks as usize + 1],
            foot_next: 0,
            faults,
            config,
        })
    }

    /// The configuration.
    #[must_use]
    pub fn config(&self) -> &SensorConfig {
        &self.config
    }

    fn noise(&mut self, std: f64) -> f64 {
        let n: f64 = StandardNormal.sample(&mut self.rng);
        if std > 0.0 { n * std } else { 0.0 }
    }

    /// Samples the truth at time `t_s` into the frame the controller sees this tick (delayed as configured).
    pub fn sample(&mut self, t_s: f64, dt_s: f64, truth: &Truth) -> SensorFrame<f64, JOINTS> {
        let c = self.config;
        let mut f = SensorFrame::<f64, JOINTS>::default();
        let mut q = [0.0; JOINTS];
        let mut qm = [0.0; JOINTS];
        let mut tau = [0.0; JOINTS];
        let mut inter = [0.0; JOINTS];
        for j in 0..JOINTS {
            q[j] = quantise(truth.joint_position_rad[j], c.joint_encoder_counts_per_rev, 1.0);
            let ratio = truth.gear_ratio[j].max(1.0);
            qm[j] = quantise(truth.motor_position_rad[j], c.motor_encoder_counts_per_rev, ratio);
        }
        // Noise draws in a fixed order, whatever the values, so that the stream never depends on the state.
        let (tn, inn, bias) = (c.torque_noise_nm, c.interaction_noise_nm, c.torque_bias_nm);
        for j in 0..JOINTS {
            if truth.present[j] {
                tau[j] = truth.joint_torque_nm[j] + bias + self.noise(tn);
                inter[j] = truth.interaction_torque_nm[j] + self.noise(inn);
            }
        }
        let mut insole_n = truth.foot_force_n + self.noise(c.foot.noise_n);
        let mut pitch = match c.base_imu {
            Some(imu) => truth.base_pitch_rad + imu.bias_rad + self.noise(imu.noise_rad),
            None => 0.0,
        };
        // Scheduled faults on individual channels.
        let mut frame_dropout = false;
        for (k, ev) in self.faults.iter().enumerate() {
            if !ev.active(t_s) {
                self.stuck[k] = None;
                continue;
            }
            let j = ev.joint.index();
            let slot = match ev.channel {
                Channel::JointEncoder => &mut q[j],
                Channel::MotorEncoder => &mut qm[j],
                Channel::Torque => &mut tau[j],
                Channel::Interaction => &mut inter[j],
                Channel::FootSensor => &mut insole_n,
                Channel::BaseImu => &mut pitch,
            };
            match ev.kind {
                FaultKind::Dropout => *slot = f64::NAN,
                FaultKind::FrameDropout => frame_dropout = true,
                FaultKind::Stuck => *slot = *self.stuck[k].get_or_insert(*slot),
                FaultKind::Spike => {
                    if t_s - ev.time_s < dt_s {
                        *slot += ev.magnitude;
                    }
                }
                FaultKind::BiasJump => *slot += ev.magnitude,
            }
        }
        for j in 0..JOINTS {
            f.joint_position_rad[j] = q[j];
            f.motor_position_rad[j] = qm[j];
            f.joint_velocity_rad_per_s[j] = self.joint_velocity[j].update(q[j], dt_s);
            f.motor_velocity_rad_per_s[j] = self.motor_velocity[j].update(qm[j], dt_s);
            f.joint_torque_nm[j] = tau[j];
            f.interaction_torque_nm[j] = inter[j];
            if q[j].is_nan() {
                // The estimator holds its last value on NaN; a dead encoder gives no velocity either.
                f.joint_velocity_rad_per_s[j] = f64::NAN;
            }
        }
        // The insole: threshold with hysteresis on the measured force (a dead insole, NaN, reads no contact),
        // then its own delay.
        let th = c.foot.threshold_n;
        let release = (1.0 - c.foot.hysteresis_fraction) * th;
        let loaded = if self.foot_loaded { insole_n > release } else { insole_n > th };
        self.foot_loaded = loaded;
        let n = self.foot_history.len();
        self.foot_history[self.foot_next] = loaded;
        self.foot_next = (self.foot_next + 1) % n;
        f.foot_contact = [self.foot_history[self.foot_next]; JOINTS];
        f.base_pitch_rad = pitch;

        if frame_dropout {
            f = *self.frozen.get_or_insert(self.history[self.next]);
        } else {
            self.frozen = None;
            self.sequence = self.sequence.wrapping_add(1);
            f.sequence = self.sequence;
        }
        // Delay line: write the fresh frame, read the one `delay_ticks` old.
        let n = self.history.len();
        self.history[self.next] = f;
        self.next = (self.next + 1) % n;
        self.history[self.next % n]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn truth(q: f64) -> Truth {
        Truth {
            joint_position_rad: [q; 3],
            gear_ratio: [6.0; 3],
            motor_position_rad: [q; 3],
            present: [true; 3],
            ..Truth::default()
        }
    }

    #[test]
    fn encoder_quantises_to_its_resolution() {
        let mut s = SensorSuite::new(SensorConfig::default(), vec![], 1).unwrap();
        let f = s.sample(0.0, 1e-3, &truth(0.123_456));
        let res = std::f64::consts::TAU / 16384.0;
        assert!((f.joint_position_rad[0] - 0.123_456).abs() < res);
        assert_eq!((f.joint_position_rad[0] / res).fract(), 0.0);
    }

    #[test]
    fn delay_holds_frames_back_by_whole_ticks() {
        let cfg = SensorConfig { delay_ticks: 2, joint_encoder_counts_per_rev: 0, ..SensorConfig::default() };
        let mut s = SensorSuite::new(cfg, vec![], 1).unwrap();
        let out: Vec<f64> =
            (0..5).map(|k| s.sample(k as f64 * 1e-3, 1e-3, &truth(k as f64)).joint_position_rad[0]).collect();
        assert_eq!(out[2..], [0.0, 1.0, 2.0]);
    }

    #[test]
    fn same_seed_same_noise_and_faults_fire_on_time() {
        let faults = vec![FaultEvent {
            time_s: 0.0105,
            duration_s: 1.0,
            channel: Channel::JointEncoder,
            joint: Joint::Knee,
            kind: FaultKind::Dropout,
            magnitude: 0.0,
        }];
        let mut a = SensorSuite::new(SensorConfig::default(), faults.clone(), 7).unwrap();
        let mut b = SensorSuite::new(SensorConfig::default(), faults, 7).unwrap();
        for k in 0..20 {
            let t = k as f64 * 1e-3;
            let (fa, fb) = (a.sample(t, 1e-3, &truth(0.1)), b.sample(t, 1e-3, &truth(0.1)));
            assert_eq!(fa.joint_torque_nm[0].to_bits(), fb.joint_torque_nm[0].to_bits());
            assert_eq!(fa.joint_position_rad[1].is_nan(), k >= 11, "tick {k}");
        }
    }

    #[test]
    fn frame_dropout_freezes_the_sequence() {
        let faults = vec![FaultEvent {
            time_s: 0.005,
            duration_s: 0.003,
            channel: Channel::JointEncoder,
            joint: Joint::Hip,
            kind: FaultKind::FrameDropout,
            magnitude: 0.0,
        }];
        let mut s = SensorSuite::new(SensorConfig::default(), faults, 1).unwrap();
        let seq: Vec<u32> = (0..10).map(|k| s.sample(k as f64 * 1e-3, 1e-3, &truth(0.0)).sequence).collect();
        assert_eq!(seq, [1, 2, 3, 4, 5, 5, 5, 5, 6, 7]);
    }
}
