//! Supervisor configuration.

use nalgebra::SVector;

use crate::channel::{Channel, Channels};
use crate::error::{self, ConfigError, Problem};
use crate::real::{Real, c};

/// What the joints do after a fault.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case", deny_unknown_fields))]
pub enum SafeStopMode<T: Real, const N: usize> {
    /// Zero torque: the wearer moves the device freely.
    TorqueOff,
    /// Pure viscous damping `-b qd` (limited to the torque limit): brakes motion without ever adding energy.
    DampingOnly {
        /// Damping per joint, N m s/rad (>= 0).
        damping_nm_s_per_rad: SVector<T, N>,
    },
}

/// Configuration of a [`Supervisor`](super::Supervisor) for `N` joints.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct SupervisorConfig<T: Real, const N: usize> {
    /// Hard lower joint limit, rad: beyond it the supervisor stops.
    pub position_min_rad: SVector<T, N>,
    /// Hard upper joint limit, rad.
    pub position_max_rad: SVector<T, N>,
    /// Width of the soft wall inside each hard limit, rad (>= 0, less than half the range).
    pub soft_wall_width_rad: SVector<T, N>,
    /// Soft-wall stiffness, N m/rad per rad of penetration (>= 0).
    pub soft_wall_stiffness_nm_per_rad: SVector<T, N>,
    /// Soft-wall damping, applied only while moving into the wall, N m s/rad (>= 0).
    pub soft_wall_damping_nm_s_per_rad: SVector<T, N>,
    /// Joint speed above which the supervisor stops, rad/s (> 0).
    pub velocity_limit_rad_per_s: SVector<T, N>,
    /// Largest torque command, N m (> 0).
    pub torque_limit_nm: SVector<T, N>,
    /// Largest change of torque command, N m/s (> 0, `+inf` for none).
    pub torque_rate_limit_nm_per_s: SVector<T, N>,
    /// The watchdog trips when the frame's sequence number has not changed for this many ticks (>= 1).
    pub watchdog_ticks: u32,
    /// Output after a fault.
    pub safe_stop: SafeStopMode<T, N>,
    /// Plausibility checks on the sensor channels.
    pub sensors: SensorChecks<T, N>,
}

/// What the supervisor checks of each sensor channel, every tick, before any command passes.
///
/// The hazard: a law whose input is dead (a NaN from a disconnected torque sensor, an encoder stuck at its last
/// count, a load cell railed at its range) holds or computes a command from it while the device keeps pushing on
/// the wearer. Each check below latches the safe stop within the tick in which the reading becomes non-finite,
/// implausible or stale, with a [`FaultReason`](super::FaultReason) naming channel and joint.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct SensorChecks<T: Real, const N: usize> {
    /// Channels each joint has and the supervisor watches (non-finite values are a fault on every monitored
    /// channel; the base pitch is watched when any joint lists it). Each joint's set must include joint position
    /// and velocity (the limits read them) and every channel the law in force reads
    /// ([`ControlLaw::reads`](crate::ControlLaw::reads)).
    #[cfg_attr(feature = "serde", serde(with = "crate::serde_array"))]
    pub monitored: [Channels; N],
    /// Physical range of the joint torque sensor: a reading beyond ±this is implausible, N m (> 0, `+inf`: off).
    pub joint_torque_range_nm: SVector<T, N>,
    /// Physical range of the interaction (cuff) measurement, N m (> 0, `+inf`: off).
    pub interaction_torque_range_nm: SVector<T, N>,
    /// Largest plausible joint-referred motor speed, rad/s (> 0, `+inf`: off): the motor's no-load speed over
    /// the gear ratio, with margin.
    pub motor_velocity_range_rad_per_s: SVector<T, N>,
    /// Largest plausible change of the joint torque reading, N m/s (> 0, `+inf`: off).
    pub joint_torque_rate_range_nm_per_s: SVector<T, N>,
    /// Largest plausible change of the interaction reading, N m/s (> 0, `+inf`: off).
    pub interaction_torque_rate_range_nm_per_s: SVector<T, N>,
    /// Series spring stiffness of each joint, N m/rad (>= 0; 0 for a rigid transmission). With a spring, and with
    /// both encoders and the torque channel monitored, `|k (motor - joint) - torque|` must stay within
    /// `spring_torque_margin_nm`.
    pub spring_stiffness_nm_per_rad: SVector<T, N>,
    /// Largest plausible disagreement between the spring torque from the two encoders and the torque reading,
    /// N m (> 0, `+inf`: off).
    pub spring_torque_margin_nm: SVector<T, N>,
    /// For a rigid transmission (no spring) with both encoders monitored: the largest plausible difference of the
    /// joint-referred motor angle and the joint angle (backlash, gear compliance and both resolutions), rad (> 0,
    /// `+inf`: off).
    pub encoder_agreement_rad: SVector<T, N>,
    /// A noisy analog channel (joint torque, interaction torque, base pitch) that repeats exactly the same value
    /// for this many consecutive ticks is stale: a frozen converter or a dead bus (0: off).
    pub stale_ticks: u32,
    /// Largest plausible base pitch magnitude, rad (> 0).
    pub base_pitch_range_rad: T,
}

impl<T: Real, const N: usize> SensorChecks<T, N> {
    /// Watches joint position and velocity only, with every other check off.
    #[must_use]
    pub fn encoders_only() -> Self {
        let off = SVector::repeat(c(f64::INFINITY));
        Self {
            monitored: [Channels::of(&[Channel::JointPosition, Channel::JointVelocity]); N],
            joint_torque_range_nm: off,
            interaction_torque_range_nm: off,
            motor_velocity_range_rad_per_s: off,
            joint_torque_rate_range_nm_per_s: off,
            interaction_torque_rate_range_nm_per_s: off,
            spring_stiffness_nm_per_rad: SVector::zeros(),
            spring_torque_margin_nm: off,
            encoder_agreement_rad: off,
            stale_ticks: 0,
            base_pitch_range_rad: c(core::f64::consts::FRAC_PI_2),
        }
    }

    /// The first joint whose monitored set misses a channel of `reads`, with that channel.
    #[must_use]
    pub fn uncovered(&self, reads: Channels) -> Option<(usize, Channel)> {
        self.monitored.iter().enumerate().find_map(|(j, m)| m.first_missing(reads).map(|c| (j, c)))
    }

    /// True when any joint lists `channel`.
    #[must_use]
    pub fn any_monitors(&self, channel: Channel) -> bool {
        self.monitored.iter().any(|m| m.contains(channel))
    }

    /// Checks every field.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let required = Channels::of(&[Channel::JointPosition, Channel::JointVelocity]);
        for j in 0..N {
            if !self.monitored[j].covers(required) {
                return Err(ConfigError::new("sensors.monitored", Problem::Inconsistent).at_joint(j));
            }
            let at = |e: ConfigError| e.at_joint(j);
            error::positive_or_inf(self.joint_torque_range_nm[j], "sensors.joint_torque_range_nm").map_err(at)?;
            error::positive_or_inf(self.interaction_torque_range_nm[j], "sensors.interaction_torque_range_nm")
                .map_err(at)?;
            error::positive_or_inf(self.motor_velocity_range_rad_per_s[j], "sensors.motor_velocity_range_rad_per_s")
                .map_err(at)?;
            error::positive_or_inf(
                self.joint_torque_rate_range_nm_per_s[j],
                "sensors.joint_torque_rate_range_nm_per_s",
            )
            .map_err(at)?;
            error::positive_or_inf(
                self.interaction_torque_rate_range_nm_per_s[j],
                "sensors.interaction_torque_rate_range_nm_per_s",
            )
            .map_err(at)?;
            error::non_negative(self.spring_stiffness_nm_per_rad[j], "sensors.spring_stiffness_nm_per_rad")
                .map_err(at)?;
            error::positive_or_inf(self.spring_torque_margin_nm[j], "sensors.spring_torque_margin_nm").map_err(at)?;
            error::positive_or_inf(self.encoder_agreement_rad[j], "sensors.encoder_agreement_rad").map_err(at)?;
        }
        error::positive(self.base_pitch_range_rad, "sensors.base_pitch_range_rad")
    }
}

impl<T: Real, const N: usize> SupervisorConfig<T, N> {
    /// Symmetric limits `±range_rad` with 10 % soft walls, the given speed and torque limits, no rate limit, a
    /// 3-tick watchdog and torque-off safe stop.
    #[must_use]
    pub fn symmetric(range_rad: T, velocity_limit_rad_per_s: T, torque_limit_nm: T) -> Self {
        Self {
            position_min_rad: SVector::repeat(-range_rad),
            position_max_rad: SVector::repeat(range_rad),
            soft_wall_width_rad: SVector::repeat(range_rad * c(0.1)),
            soft_wall_stiffness_nm_per_rad: SVector::repeat(torque_limit_nm / (range_rad * c(0.1))),
            soft_wall_damping_nm_s_per_rad: SVector::repeat(c(1.0)),
            velocity_limit_rad_per_s: SVector::repeat(velocity_limit_rad_per_s),
            torque_limit_nm: SVector::repeat(torque_limit_nm),
            torque_rate_limit_nm_per_s: SVector::repeat(c(f64::INFINITY)),
            watchdog_ticks: 3,
            safe_stop: SafeStopMode::TorqueOff,
            sensors: SensorChecks::encoders_only(),
        }
    }

    /// Checks every field.
    pub fn validate(&self) -> Result<(), ConfigError> {
        for j in 0..N {
            let at = |e: ConfigError| e.at_joint(j);
            let (lo, hi) = (self.position_min_rad[j], self.position_max_rad[j]);
            error::range(lo, hi, "position_min_rad", "position_max_rad").map_err(at)?;
            error::non_negative(self.soft_wall_width_rad[j], "soft_wall_width_rad").map_err(at)?;
            if self.soft_wall_width_rad[j] * c(2.0) >= hi - lo {
                return Err(ConfigError::new("soft_wall_width_rad", Problem::OutOfRange).at_joint(j));
            }
            error::non_negative(self.soft_wall_stiffness_nm_per_rad[j], "soft_wall_stiffness_nm_per_rad")
                .map_err(at)?;
            error::non_negative(self.soft_wall_damping_nm_s_per_rad[j], "soft_wall_damping_nm_s_per_rad")
                .map_err(at)?;
            error::positive(self.velocity_limit_rad_per_s[j], "velocity_limit_rad_per_s").map_err(at)?;
            error::positive(self.torque_limit_nm[j], "torque_limit_nm").map_err(at)?;
            error::positive_or_inf(self.torque_rate_limit_nm_per_s[j], "torque_rate_limit_nm_per_s").map_err(at)?;
            if let SafeStopMode::DampingOnly { damping_nm_s_per_rad } = &self.safe_stop {
                error::non_negative(damping_nm_s_per_rad[j], "safe_stop.damping_nm_s_per_rad").map_err(at)?;
            }
        }
        if self.watchdog_ticks == 0 {
            return Err(ConfigError::new("watchdog_ticks", Problem::NotPositive));
        }
        self.sensors.validate()
    }
}
