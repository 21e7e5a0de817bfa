//! The supervisor itself.

use nalgebra::SVector;

use super::{SafeStopMode, SupervisorConfig};
use crate::channel::{Channel, Channels};
use crate::error::{ConfigError, Problem};
use crate::frame::{Command, SensorFrame};
use crate::real::{Real, fclamp, fmax, fmin};

/// The supervisor's state after a tick.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SupervisorState {
    /// The command passed unchanged.
    Active,
    /// A soft wall, the torque limit or the torque-rate limit changed the command this tick (not latched).
    Limited,
    /// A fault latched the safe-stop output until [`Supervisor::reset`].
    SafeStop,
}

/// Why the supervisor left [`SupervisorState::Active`]: the reason code of a limit or fault, with the joint and,
/// for sensor faults, the channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FaultReason {
    /// Nothing: active.
    None,
    /// A soft wall added torque at this joint (limited).
    SoftWall(u8),
    /// The torque command was clipped at this joint (limited).
    TorqueLimit(u8),
    /// The torque rate was clipped at this joint (limited).
    TorqueRateLimit(u8),
    /// A monitored sensor channel read a NaN or an infinity (fault).
    NonFiniteSensor {
        /// The channel.
        channel: Channel,
        /// The joint (0 for the base pitch).
        joint: u8,
    },
    /// The control law produced a NaN or an infinity (fault).
    NonFiniteCommand,
    /// The tick length was not a positive finite number (fault).
    InvalidTick,
    /// The sensor frame's sequence number stopped changing (fault).
    StaleFrame,
    /// The joint left its hard range of motion (fault).
    HardLimit(u8),
    /// The joint exceeded its speed limit (fault).
    Overspeed(u8),
    /// A reading beyond the sensor's physical range (fault).
    SensorOutOfRange {
        /// The channel.
        channel: Channel,
        /// The joint (0 for the base pitch).
        joint: u8,
    },
    /// A reading that changed faster than the quantity can (fault).
    SensorRate {
        /// The channel.
        channel: Channel,
        /// The joint.
        joint: u8,
    },
    /// A noisy analog reading that repeated the same value for `stale_ticks` ticks (fault).
    SensorStale {
        /// The channel.
        channel: Channel,
        /// The joint (0 for the base pitch).
        joint: u8,
    },
    /// The torque reading disagrees with the spring deflection the two encoders give (fault): one of the three
    /// is wrong.
    SpringTorqueMismatch(u8),
    /// Joint and motor encoders of a rigid transmission disagree beyond backlash and compliance (fault).
    EncoderMismatch(u8),
    /// The host's setpoint held a NaN or an infinity (fault).
    NonFiniteSetpoint,
}

impl FaultReason {
    /// A short stable code for logs and recordings: 0 none, 1-3 limits, 10-21 faults.
    #[must_use]
    pub fn code(&self) -> u8 {
        match self {
            FaultReason::None => 0,
            FaultReason::SoftWall(_) => 1,
            FaultReason::TorqueLimit(_) => 2,
            FaultReason::TorqueRateLimit(_) => 3,
            FaultReason::NonFiniteSensor { .. } => 10,
            FaultReason::NonFiniteCommand => 11,
            FaultReason::InvalidTick => 12,
            FaultReason::StaleFrame => 13,
            FaultReason::HardLimit(_) => 14,
            FaultReason::Overspeed(_) => 15,
            FaultReason::SensorOutOfRange { .. } => 16,
            FaultReason::SensorRate { .. } => 17,
            FaultReason::SensorStale { .. } => 18,
            FaultReason::SpringTorqueMismatch(_) => 19,
            FaultReason::EncoderMismatch(_) => 20,
            FaultReason::NonFiniteSetpoint => 21,
        }
    }

    /// A human-readable description.
    #[must_use]
    pub fn describe(&self) -> &'static str {
        match self {
            FaultReason::None => "none",
            FaultReason::SoftWall(_) => "soft range-of-motion wall",
            FaultReason::TorqueLimit(_) => "torque limit",
            FaultReason::TorqueRateLimit(_) => "torque-rate limit",
            FaultReason::NonFiniteSensor { .. } => "non-finite sensor reading",
            FaultReason::NonFiniteCommand => "non-finite command",
            FaultReason::InvalidTick => "invalid tick length",
            FaultReason::StaleFrame => "stale sensor frame (watchdog)",
            FaultReason::HardLimit(_) => "hard joint limit exceeded",
            FaultReason::Overspeed(_) => "joint overspeed",
            FaultReason::SensorOutOfRange { .. } => "sensor reading out of its physical range",
            FaultReason::SensorRate { .. } => "sensor reading changing implausibly fast",
            FaultReason::SensorStale { .. } => "stale sensor reading (repeats exactly)",
            FaultReason::SpringTorqueMismatch(_) => "torque reading disagrees with the spring deflection",
            FaultReason::EncoderMismatch(_) => "joint and motor encoders disagree",
            FaultReason::NonFiniteSetpoint => "non-finite setpoint",
        }
    }

    /// The joint concerned, if any.
    #[must_use]
    pub fn joint(&self) -> Option<u8> {
        match self {
            FaultReason::SoftWall(j)
            | FaultReason::TorqueLimit(j)
            | FaultReason::TorqueRateLimit(j)
            | FaultReason::HardLimit(j)
            | FaultReason::Overspeed(j)
            | FaultReason::SpringTorqueMismatch(j)
            | FaultReason::EncoderMismatch(j) => Some(*j),
            FaultReason::NonFiniteSensor { channel, joint }
            | FaultReason::SensorOutOfRange { channel, joint }
            | FaultReason::SensorRate { channel, joint }
            | FaultReason::SensorStale { channel, joint } => (*channel != Channel::BasePitch).then_some(*joint),
            _ => None,
        }
    }

    /// The sensor channel concerned, if any.
    #[must_use]
    pub fn channel(&self) -> Option<Channel> {
        match self {
            FaultReason::NonFiniteSensor { channel, .. }
            | FaultReason::SensorOutOfRange { channel, .. }
            | FaultReason::SensorRate { channel, .. }
            | FaultReason::SensorStale { channel, .. } => Some(*channel),
            FaultReason::SpringTorqueMismatch(_) | FaultReason::EncoderMismatch(_) => Some(Channel::JointTorque),
            _ => None,
        }
    }
}

/// The supervised command with the supervisor's verdict.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Supervised<T: Real, const N: usize> {
    /// The command to send to the actuators.
    pub command: Command<T, N>,
    /// State after this tick.
    pub state: SupervisorState,
    /// Why the state is not active (for a latched stop: the fault that latched it).
    pub reason: FaultReason,
}

/// The safety supervisor: range-of-motion soft walls and hard limits, speed, torque and torque-rate limits, a
/// watchdog on the sensor frame, a guard on non-finite numbers, and a latched safe stop. O(N) per tick with no
/// data-dependent loops.
#[derive(Clone, Debug)]
pub struct Supervisor<T: Real, const N: usize> {
    config: SupervisorConfig<T, N>,
    latched: FaultReason,
    last_sequence: Option<u32>,
    stale_ticks: u32,
    last_torque: SVector<T, N>,
    limited_events: u32,
    fault_events: u32,
    was_limited: bool,
    /// Readings of the previous tick (rate and staleness checks) and how many ticks each has repeated.
    previous: Option<Readings<T, N>>,
    repeats: Repeats<N>,
}

/// The analog readings the rate and staleness checks compare from tick to tick.
#[derive(Clone, Copy, Debug)]
struct Readings<T: Real, const N: usize> {
    joint_torque: SVector<T, N>,
    interaction: SVector<T, N>,
    base_pitch: T,
}

#[derive(Clone, Copy, Debug)]
struct Repeats<const N: usize> {
    joint_torque: [u32; N],
    interaction: [u32; N],
    base_pitch: u32,
}

impl<const N: usize> Repeats<N> {
    const ZERO: Self = Self { joint_torque: [0; N], interaction: [0; N], base_pitch: 0 };
}

/// Counts a repeat of exactly the same bits (a frozen converter repeats its last word).
#[inline(always)]
fn count_repeat<T: Real>(count: &mut u32, now: T, before: T) -> u32 {
    *count = if now == before { count.saturating_add(1) } else { 0 };
    *count
}

#[inline(always)]
fn joint_u8(j: usize) -> u8 {
    u8::try_from(j).unwrap_or(u8::MAX)
}

impl<T: Real, const N: usize> Supervisor<T, N> {
    /// An active supervisor with a validated configuration.
    pub fn new(config: SupervisorConfig<T, N>) -> Result<Self, ConfigError> {
        config.validate()?;
        Ok(Self {
            config,
            latched: FaultReason::None,
            last_sequence: None,
            stale_ticks: 0,
            last_torque: SVector::zeros(),
            limited_events: 0,
            fault_events: 0,
            was_limited: false,
            previous: None,
            repeats: Repeats::ZERO,
        })
    }

    /// An active supervisor for a law that reads `reads`: refused unless the configuration monitors every one of
    /// those channels (field `sensors.monitored`).
    pub fn for_law(config: SupervisorConfig<T, N>, reads: Channels) -> Result<Self, ConfigError> {
        if let Some((j, _)) = config.sensors.uncovered(reads) {
            return Err(ConfigError::new("sensors.monitored", Problem::Inconsistent).at_joint(j));
        }
        Self::new(config)
    }

    /// The configuration in force.
    #[must_use]
    pub fn config(&self) -> &SupervisorConfig<T, N> {
        &self.config
    }

    /// The latched fault (`FaultReason::None` when not stopped).
    #[must_use]
    pub fn latched(&self) -> FaultReason {
        self.latched
    }

    /// Number of transitions from active into limited so far.
    #[must_use]
    pub fn limited_events(&self) -> u32 {
        self.limited_events
    }

    /// Number of faults latched so far.
    #[must_use]
    pub fn fault_events(&self) -> u32 {
        self.fault_events
    }

    /// Explicit reset after a safe stop: clears the latch and the watchdog. The next tick is judged afresh and
    /// trips again if the fault persists.
    pub fn reset(&mut self) {
        self.latched = FaultReason::None;
        self.stale_ticks = 0;
        self.last_sequence = None;
        self.previous = None;
        self.repeats = Repeats::ZERO;
    }

    /// The first implausible sensor reading of `frame`, if any (see [`SensorChecks`](super::SensorChecks)).
    /// Updates the rate and staleness memory.
    fn check_sensors(&mut self, frame: &SensorFrame<T, N>, dt_s: T) -> FaultReason {
        let checks = &self.config.sensors;
        // Non-finite values first: they would poison every comparison below.
        for channel in Channel::ALL {
            if let Some(values) = frame.channel(channel)
                && let Some(j) = (0..N).find(|j| checks.monitored[*j].contains(channel) && !values[*j].is_finite())
            {
                return FaultReason::NonFiniteSensor { channel, joint: joint_u8(j) };
            }
        }
        let pitch_watched = checks.any_monitors(Channel::BasePitch);
        if pitch_watched && !frame.base_pitch_rad.is_finite() {
            return FaultReason::NonFiniteSensor { channel: Channel::BasePitch, joint: 0 };
        }
        let now = Readings {
            joint_torque: frame.joint_torque_nm,
            interaction: frame.interaction_torque_nm,
            base_pitch: frame.base_pitch_rad,
        };
        let before = self.previous.replace(now);
        let stale_after = checks.stale_ticks;
        for j in 0..N {
            let joint = joint_u8(j);
            let watched = checks.monitored[j];
            let torque_watched = watched.contains(Channel::JointTorque);
            let interaction_watched = watched.contains(Channel::InteractionTorque);
            let torque = frame.joint_torque_nm[j];
            let interaction = frame.interaction_torque_nm[j];
            if torque_watched && torque.abs() > checks.joint_torque_range_nm[j] {
                return FaultReason::SensorOutOfRange { channel: Channel::JointTorque, joint };
            }
            if interaction_watched && interaction.abs() > checks.interaction_torque_range_nm[j] {
                return FaultReason::SensorOutOfRange { channel: Channel::InteractionTorque, joint };
            }
            if watched.contains(Channel::MotorVelocity)
                && frame.motor_velocity_rad_per_s[j].abs() > checks.motor_velocity_range_rad_per_s[j]
            {
                return FaultReason::SensorOutOfRange { channel: Channel::MotorVelocity, joint };
            }
            if let Some(b) = &before {
                if torque_watched {
                    if (torque - b.joint_torque[j]).abs() > checks.joint_torque_rate_range_nm_per_s[j] * dt_s {
                        return FaultReason::SensorRate { channel: Channel::JointTorque, joint };
                    }
                    let n = count_repeat(&mut self.repeats.joint_torque[j], torque, b.joint_torque[j]);
                    if stale_after > 0 && n >= stale_after {
                        return FaultReason::SensorStale { channel: Channel::JointTorque, joint };
                    }
                }
                if interaction_watched {
                    if (interaction - b.interaction[j]).abs() > checks.interaction_torque_rate_range_nm_per_s[j] * dt_s
                    {
                        return FaultReason::SensorRate { channel: Channel::InteractionTorque, joint };
                    }
                    let n = count_repeat(&mut self.repeats.interaction[j], interaction, b.interaction[j]);
                    if stale_after > 0 && n >= stale_after {
                        return FaultReason::SensorStale { channel: Channel::InteractionTorque, joint };
                    }
                }
            }
            // Cross-checks of the two encoders (and the torque reading) of one joint.
            if watched.contains(Channel::MotorPosition) {
                let deflection = frame.motor_position_rad[j] - frame.joint_position_rad[j];
                let k = checks.spring_stiffness_nm_per_rad[j];
                if k > T::zero() {
                    if torque_watched && (k * deflection - torque).abs() > checks.spring_torque_margin_nm[j] {
                        return FaultReason::SpringTorqueMismatch(joint);
                    }
                } else if deflection.abs() > checks.encoder_agreement_rad[j] {
                    return FaultReason::EncoderMismatch(joint);
                }
            }
        }
        if pitch_watched {
            if frame.base_pitch_rad.abs() > checks.base_pitch_range_rad {
                return FaultReason::SensorOutOfRange { channel: Channel::BasePitch, joint: 0 };
            }
            if let Some(b) = &before {
                let n = count_repeat(&mut self.repeats.base_pitch, frame.base_pitch_rad, b.base_pitch);
                if stale_after > 0 && n >= stale_after {
                    return FaultReason::SensorStale { channel: Channel::BasePitch, joint: 0 };
                }
            }
        }
        FaultReason::None
    }

    #[cold]
    fn trip(&mut self, reason: FaultReason) {
        if self.latched == FaultReason::None {
            self.latched = reason;
            self.fault_events = self.fault_events.saturating_add(1);
        }
    }

    fn safe_stop_output(&self, velocity: &SVector<T, N>) -> SVector<T, N> {
        match &self.config.safe_stop {
            SafeStopMode::TorqueOff => SVector::zeros(),
            SafeStopMode::DampingOnly { damping_nm_s_per_rad } => SVector::from_fn(|j, _| {
                let v = velocity[j];
                let v = if v.is_finite() { v } else { T::zero() };
                let lim = self.config.torque_limit_nm[j];
                fclamp(-damping_nm_s_per_rad[j] * v, -lim, lim)
            }),
        }
    }

    /// Judges one tick: the frame the law saw, the law's command and the tick length. Returns what to send to
    /// the actuators.
    #[inline]
    pub fn apply(&mut self, frame: &SensorFrame<T, N>, command: &Command<T, N>, dt_s: T) -> Supervised<T, N> {
        // Watchdog: a frame whose sequence number does not move is stale.
        match self.last_sequence {
            Some(s) if s == frame.sequence => self.stale_ticks = self.stale_ticks.saturating_add(1),
            _ => self.stale_ticks = 0,
        }
        self.last_sequence = Some(frame.sequence);

        // Sensors before the command: a command computed from a dead reading must not pass.
        let mut fault = if !crate::real::valid_dt(dt_s) {
            FaultReason::InvalidTick
        } else if !frame.setpoint.is_finite() {
            FaultReason::NonFiniteSetpoint
        } else {
            self.check_sensors(frame, dt_s)
        };
        let cfg = &self.config;
        let q = &frame.joint_position_rad;
        let qd = &frame.joint_velocity_rad_per_s;
        if fault == FaultReason::None {
            if !crate::real::all_finite(&command.torque_nm) {
                fault = FaultReason::NonFiniteCommand;
            } else if self.stale_ticks >= cfg.watchdog_ticks {
                fault = FaultReason::StaleFrame;
            }
        }
        let mut limited = FaultReason::None;
        let mut out = command.torque_nm;
        if fault == FaultReason::None {
            for j in 0..N {
                let (x, v) = (q[j], qd[j]);
                let (lo, hi) = (cfg.position_min_rad[j], cfg.position_max_rad[j]);
                if x < lo || x > hi {
                    fault = FaultReason::HardLimit(joint_u8(j));
                    break;
                }
                if v.abs() > cfg.velocity_limit_rad_per_s[j] {
                    fault = FaultReason::Overspeed(joint_u8(j));
                    break;
                }
                // Soft wall: spring pushing back out of the wall band, damping only while moving in.
                let w = cfg.soft_wall_width_rad[j];
                let pen_lo = lo + w - x;
                let pen_hi = x - (hi - w);
                let mut tau = out[j];
                if pen_lo > T::zero() {
                    tau += cfg.soft_wall_stiffness_nm_per_rad[j] * pen_lo
                        - cfg.soft_wall_damping_nm_s_per_rad[j] * fmin(v, T::zero());
                    limited = FaultReason::SoftWall(joint_u8(j));
                } else if pen_hi > T::zero() {
                    tau -= cfg.soft_wall_stiffness_nm_per_rad[j] * pen_hi
                        + cfg.soft_wall_damping_nm_s_per_rad[j] * fmax(v, T::zero());
                    limited = FaultReason::SoftWall(joint_u8(j));
                }
                let lim = cfg.torque_limit_nm[j];
                let clipped = fclamp(tau, -lim, lim);
                if clipped != tau {
                    limited = FaultReason::TorqueLimit(joint_u8(j));
                }
                let step = cfg.torque_rate_limit_nm_per_s[j] * dt_s;
                let prev = self.last_torque[j];
                let rated = fclamp(clipped, prev - step, prev + step);
                if rated != clipped {
                    limited = FaultReason::TorqueRateLimit(joint_u8(j));
                }
                out[j] = rated;
            }
        }
        if fault != FaultReason::None {
            self.trip(fault);
        }
        if self.latched != FaultReason::None {
            let torque = self.safe_stop_output(qd);
            self.last_torque = torque;
            self.was_limited = false;
            return Supervised {
                command: Command { torque_nm: torque, demand_nm: command.demand_nm },
                state: SupervisorState::SafeStop,
                reason: self.latched,
            };
        }
        let state = if limited == FaultReason::None {
            self.was_limited = false;
            SupervisorState::Active
        } else {
            if !self.was_limited {
                self.limited_events = self.limited_events.saturating_add(1);
            }
            self.was_limited = true;
            SupervisorState::Limited
        };
        self.last_torque = out;
        Supervised { command: Command { torque_nm: out, demand_nm: command.demand_nm }, state, reason: limited }
    }
}
