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

use exo_control::filter::{VelocityEstimator, VelocityEstimatorConfig};
use rand::SeedableRng;
use rand_distr::{Distribution, StandardNormal};
use rand_pcg::Pcg64Mcg;
use serde::{Deserialize, Serialize};

use crate::control::Frame;

/// Sensor parameters.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "scenario", derive(schemars::JsonSchema))]
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
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "scenario", derive(schemars::JsonSchema))]
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
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "scenario", derive(schemars::JsonSchema))]
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
    pub fn validate(&self, control_dt_s: f64) -> Result<(), crate::error::ValidationError> {
        let nyquist = 0.5 / control_dt_s;
        if !(self.velocity_cutoff_hz.is_finite() && self.velocity_cutoff_hz > 0.0 && self.velocity_cutoff_hz < nyquist)
        {
            return Err(crate::error::ValidationError::new(
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
                return Err(crate::error::ValidationError::new(f, format!("must be a finite number >= 0 (got {v})")));
            }
        }
        if !(0.0..1.0).contains(&self.foot.hysteresis_fraction) {
            return Err(crate::error::ValidationError::new(
                "foot.hysteresis_fraction",
                format!("must be within 0..1 (got {})", self.foot.hysteresis_fraction),
            ));
        }
        if !imu.bias_rad.is_finite() {
            return Err(crate::error::ValidationError::new("base_imu.bias_rad", "must be finite"));
        }
        if self.foot.delay_ticks > 1000 {
            return Err(crate::error::ValidationError::new("foot.delay_ticks", "must be at most 1000"));
        }
        if !self.torque_bias_nm.is_finite() {
            return Err(crate::error::ValidationError::new("torque_bias_nm", "must be finite"));
        }
        if self.delay_ticks > 1000 {
            return Err(crate::error::ValidationError::new("delay_ticks", "must be at most 1000"));
        }
        Ok(())
    }
}

/// A measured channel that faults can hit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "scenario", derive(schemars::JsonSchema))]
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "scenario", derive(schemars::JsonSchema))]
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
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "scenario", derive(schemars::JsonSchema))]
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
    /// Device joint hit, by name (`knee`); needed by every kind but `frame_dropout` and by every channel but
    /// `base_imu` (an insole fault hits the foot of that joint's side).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub joint: Option<String>,
    /// What happens.
    pub kind: FaultKind,
    /// Size of a spike or bias jump, in the channel's unit (rad, N m or N).
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

impl FaultEvent {
    fn active(&self, t: f64) -> bool {
        t >= self.time_s && t < self.time_s + self.duration_s
    }
}

/// A fault with its joint resolved to the index of a controlled joint.
#[derive(Clone, Debug, PartialEq)]
pub struct ScheduledFault {
    /// The event.
    pub event: FaultEvent,
    /// Index of the controlled joint it hits (`None` for frame dropouts and the base sensor).
    pub joint: Option<usize>,
}

/// The true signals of one tick, from the world and the actuators, one entry per controlled joint (buffers sized
/// once and refilled every tick).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Truth {
    /// Exoskeleton joint angles, rad.
    pub joint_position_rad: Vec<f64>,
    /// Motor angles over the gear ratio, rad.
    pub motor_position_rad: Vec<f64>,
    /// Gear ratios (to quantise the motor encoder on the motor side).
    pub gear_ratio: Vec<f64>,
    /// Torque in the series spring (or gear mesh), N m.
    pub joint_torque_nm: Vec<f64>,
    /// Interaction torque from the cuffs, referred to the exoskeleton joints, N m.
    pub interaction_torque_nm: Vec<f64>,
    /// Vertical force under each foot, N.
    pub foot_force_n: Vec<f64>,
    /// Pitch of the device's base frame, rad.
    pub base_pitch_rad: f64,
}

impl Truth {
    /// Zero truth for `joints` controlled joints and `feet` feet.
    #[must_use]
    pub fn new(joints: usize, feet: usize) -> Self {
        let z = vec![0.0; joints];
        Self {
            joint_position_rad: z.clone(),
            motor_position_rad: z.clone(),
            gear_ratio: vec![1.0; joints],
            joint_torque_nm: z.clone(),
            interaction_torque_nm: z,
            foot_force_n: vec![0.0; feet],
            base_pitch_rad: 0.0,
        }
    }
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
    faults: Vec<ScheduledFault>,
    rng: Pcg64Mcg,
    joint_velocity: Vec<VelocityEstimator<f64>>,
    motor_velocity: Vec<VelocityEstimator<f64>>,
    /// Which foot's insole each joint's side reads.
    foot_of_joint: Vec<usize>,
    /// The delay line (`delay_ticks + 1` frames) and the frame being assembled.
    history: Vec<Frame>,
    next: usize,
    fresh: Frame,
    sequence: u32,
    /// The frame held by a frame dropout (sized at build: a dropout starting mid-run copies into it, no
    /// allocation), and whether one is being held.
    frozen: Frame,
    holding: bool,
    stuck: Vec<Option<f64>>,
    /// Each insole's contact state (before its delay), its delay line, and this tick's measured force.
    foot_loaded: Vec<bool>,
    foot_history: Vec<Vec<bool>>,
    foot_next: usize,
    insole_n: Vec<f64>,
    contact: Vec<bool>,
}

impl SensorSuite {
    /// A suite for `joints` controlled joints whose sides stand on the feet `foot_of_joint` (an index per joint
    /// into the truth's feet), its noise generator seeded from `seed`.
    pub fn new(
        config: SensorConfig,
        faults: Vec<ScheduledFault>,
        seed: u64,
        foot_of_joint: Vec<usize>,
        feet: usize,
    ) -> Result<Self, String> {
        let joints = foot_of_joint.len();
        let vel = VelocityEstimator::new(VelocityEstimatorConfig { cutoff_hz: config.velocity_cutoff_hz })
            .map_err(|e| e.to_string())?;
        let delay = config.delay_ticks as usize;
        let foot_delay = config.foot.delay_ticks as usize;
        Ok(Self {
            rng: Pcg64Mcg::seed_from_u64(seed),
            joint_velocity: vec![vel; joints],
            motor_velocity: vec![vel; joints],
            history: vec![Frame::new(joints); delay + 1],
            next: 0,
            fresh: Frame::new(joints),
            sequence: 0,
            frozen: Frame::new(joints),
            holding: false,
            stuck: vec![None; faults.len()],
            foot_loaded: vec![false; feet],
            foot_history: vec![vec![false; feet]; foot_delay + 1],
            foot_next: 0,
            insole_n: vec![0.0; feet],
            contact: vec![false; feet],
            foot_of_joint,
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

    /// Samples the truth at time `t_s` into `out`, the frame the controller sees this tick (delayed as
    /// configured). The setpoint is left to the host. Does not allocate.
    pub fn sample(&mut self, t_s: f64, dt_s: f64, truth: &Truth, out: &mut Frame) {
        let c = self.config;
        let joints = self.foot_of_joint.len();
        let f = &mut self.fresh;
        for j in 0..joints {
            f.joint_position_rad[j] = quantise(truth.joint_position_rad[j], c.joint_encoder_counts_per_rev, 1.0);
            let ratio = truth.gear_ratio[j].max(1.0);
            f.motor_position_rad[j] = quantise(truth.motor_position_rad[j], c.motor_encoder_counts_per_rev, ratio);
        }
        // Noise draws in a fixed order, whatever the values, so that the stream never depends on the state: per
        // joint the torque then the interaction, then every insole, then the base sensor.
        let (tn, inn, bias) = (c.torque_noise_nm, c.interaction_noise_nm, c.torque_bias_nm);
        for j in 0..joints {
            let n = self.noise(tn);
            let m = self.noise(inn);
            let f = &mut self.fresh;
            f.joint_torque_nm[j] = truth.joint_torque_nm[j] + bias + n;
            f.interaction_torque_nm[j] = truth.interaction_torque_nm[j] + m;
        }
        for k in 0..self.insole_n.len() {
            self.insole_n[k] = truth.foot_force_n[k] + self.noise(c.foot.noise_n);
        }
        let mut pitch = match c.base_imu {
            Some(imu) => truth.base_pitch_rad + imu.bias_rad + self.noise(imu.noise_rad),
            None => 0.0,
        };
        // Scheduled faults on individual channels.
        let mut frame_dropout = false;
        let f = &mut self.fresh;
        for (k, sf) in self.faults.iter().enumerate() {
            let ev = &sf.event;
            if !ev.active(t_s) {
                self.stuck[k] = None;
                continue;
            }
            // A frame dropout hits the whole frame, not a channel: no slot (a device may have no joints at all).
            if ev.kind == FaultKind::FrameDropout {
                frame_dropout = true;
                continue;
            }
            let j = sf.joint.unwrap_or(0).min(joints.saturating_sub(1));
            let slot = match ev.channel {
                Channel::JointEncoder => &mut f.joint_position_rad[j],
                Channel::MotorEncoder => &mut f.motor_position_rad[j],
                Channel::Torque => &mut f.joint_torque_nm[j],
                Channel::Interaction => &mut f.interaction_torque_nm[j],
                Channel::FootSensor => &mut self.insole_n[self.foot_of_joint[j]],
                Channel::BaseImu => &mut pitch,
            };
            match ev.kind {
                FaultKind::Dropout => *slot = f64::NAN,
                FaultKind::FrameDropout => {} // handled above
                FaultKind::Stuck => *slot = *self.stuck[k].get_or_insert(*slot),
                FaultKind::Spike => {
                    if t_s - ev.time_s < dt_s {
                        *slot += ev.magnitude;
                    }
                }
                FaultKind::BiasJump => *slot += ev.magnitude,
            }
        }
        for j in 0..joints {
            let q = f.joint_position_rad[j];
            f.joint_velocity_rad_per_s[j] = self.joint_velocity[j].update(q, dt_s);
            f.motor_velocity_rad_per_s[j] = self.motor_velocity[j].update(f.motor_position_rad[j], dt_s);
            if q.is_nan() {
                // The estimator holds its last value on NaN; a dead encoder gives no velocity either.
                f.joint_velocity_rad_per_s[j] = f64::NAN;
            }
        }
        // The insoles: threshold with hysteresis on the measured force (a dead insole, NaN, reads no contact),
        // then their own delay.
        let th = c.foot.threshold_n;
        let release = (1.0 - c.foot.hysteresis_fraction) * th;
        let depth = self.foot_history.len();
        for k in 0..self.insole_n.len() {
            let n = self.insole_n[k];
            self.foot_loaded[k] = if self.foot_loaded[k] { n > release } else { n > th };
            self.foot_history[self.foot_next][k] = self.foot_loaded[k];
        }
        self.foot_next = (self.foot_next + 1) % depth;
        self.contact.copy_from_slice(&self.foot_history[self.foot_next]);
        for j in 0..joints {
            f.foot_contact[j] = self.contact[self.foot_of_joint[j]];
        }
        f.base_pitch_rad = pitch;

        if frame_dropout {
            // The frame stops updating: its sequence number and values are held.
            if !self.holding {
                self.frozen.clone_from(&self.history[self.next]);
                self.holding = true;
            }
            self.fresh.clone_from(&self.frozen);
        } else {
            self.holding = false;
            self.sequence = self.sequence.wrapping_add(1);
            self.fresh.sequence = self.sequence;
        }
        // Delay line: write the fresh frame, read the one `delay_ticks` old.
        let n = self.history.len();
        self.history[self.next].clone_from(&self.fresh);
        self.next = (self.next + 1) % n;
        out.clone_from(&self.history[self.next]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn truth(q: f64) -> Truth {
        let mut t = Truth::new(3, 1);
        t.joint_position_rad = vec![q; 3];
        t.gear_ratio = vec![6.0; 3];
        t.motor_position_rad = vec![q; 3];
        t
    }

    fn suite(cfg: SensorConfig, faults: Vec<ScheduledFault>, seed: u64) -> SensorSuite {
        SensorSuite::new(cfg, faults, seed, vec![0; 3], 1).unwrap()
    }

    fn sample(s: &mut SensorSuite, t: f64, truth: &Truth) -> Frame {
        let mut f = Frame::new(3);
        s.sample(t, 1e-3, truth, &mut f);
        f
    }

    #[test]
    fn encoder_quantises_to_its_resolution() {
        let mut s = suite(SensorConfig::default(), vec![], 1);
        let f = sample(&mut s, 0.0, &truth(0.123_456));
        let res = std::f64::consts::TAU / 16384.0;
        assert!((f.joint_position_rad[0] - 0.123_456).abs() < res);
        assert_eq!((f.joint_position_rad[0] / res).fract(), 0.0);
    }

    #[test]
    fn delay_holds_frames_back_by_whole_ticks() {
        let cfg = SensorConfig { delay_ticks: 2, joint_encoder_counts_per_rev: 0, ..SensorConfig::default() };
        let mut s = suite(cfg, vec![], 1);
        let out: Vec<f64> =
            (0..5).map(|k| sample(&mut s, k as f64 * 1e-3, &truth(k as f64)).joint_position_rad[0]).collect();
        assert_eq!(out[2..], [0.0, 1.0, 2.0]);
    }

    fn fault(channel: Channel, joint: usize, kind: FaultKind, time_s: f64, duration_s: f64) -> ScheduledFault {
        ScheduledFault {
            event: FaultEvent { time_s, duration_s, channel, joint: None, kind, magnitude: 0.0 },
            joint: Some(joint),
        }
    }

    #[test]
    fn same_seed_same_noise_and_faults_fire_on_time() {
        let faults = vec![fault(Channel::JointEncoder, 1, FaultKind::Dropout, 0.0105, 1.0)];
        let mut a = suite(SensorConfig::default(), faults.clone(), 7);
        let mut b = suite(SensorConfig::default(), faults, 7);
        for k in 0..20 {
            let t = k as f64 * 1e-3;
            let (fa, fb) = (sample(&mut a, t, &truth(0.1)), sample(&mut b, t, &truth(0.1)));
            assert_eq!(fa.joint_torque_nm[0].to_bits(), fb.joint_torque_nm[0].to_bits());
            assert_eq!(fa.joint_position_rad[1].is_nan(), k >= 11, "tick {k}");
        }
    }

    #[test]
    fn frame_dropout_freezes_the_sequence() {
        let faults = vec![fault(Channel::JointEncoder, 0, FaultKind::FrameDropout, 0.005, 0.003)];
        let mut s = suite(SensorConfig::default(), faults, 1);
        let seq: Vec<u32> = (0..10).map(|k| sample(&mut s, k as f64 * 1e-3, &truth(0.0)).sequence).collect();
        assert_eq!(seq, [1, 2, 3, 4, 5, 5, 5, 5, 6, 7]);
    }

    /// Regression: a frame dropout on a device without controlled joints indexed the empty joint channels.
    #[test]
    fn a_frame_dropout_on_a_device_without_joints_freezes_the_frame() {
        let mut f = fault(Channel::JointEncoder, 0, FaultKind::FrameDropout, 0.002, 0.003);
        f.joint = None;
        let mut s = SensorSuite::new(SensorConfig::default(), vec![f], 1, vec![], 1).unwrap();
        let truth = Truth::new(0, 1);
        let seq: Vec<u32> = (0..7)
            .map(|k| {
                let mut out = Frame::new(0);
                s.sample(k as f64 * 1e-3, 1e-3, &truth, &mut out);
                out.sequence
            })
            .collect();
        assert_eq!(seq, [1, 2, 2, 2, 2, 3, 4]);
    }

    /// The insole model: contact begins above the threshold, ends below the release level, and reaches the
    /// controller `delay_ticks` late.
    #[test]
    fn the_insole_has_its_threshold_hysteresis_and_delay() {
        let mut cfg = SensorConfig::default();
        cfg.foot = FootSensorConfig { threshold_n: 50.0, hysteresis_fraction: 0.2, noise_n: 0.0, delay_ticks: 2 };
        let mut s = suite(cfg, vec![], 1);
        let forces = [0.0, 49.0, 51.0, 45.0, 41.0, 39.0, 30.0, 0.0, 0.0];
        let contact: Vec<bool> = forces
            .iter()
            .enumerate()
            .map(|(k, f)| {
                let mut t = truth(0.0);
                t.foot_force_n[0] = *f;
                sample(&mut s, k as f64 * 1e-3, &t).foot_contact[0]
            })
            .collect();
        // Loaded from 51 N until below 40 N (ticks 2 to 4), seen two ticks later.
        assert_eq!(contact, [false, false, false, false, true, true, true, false, false]);
    }
}
