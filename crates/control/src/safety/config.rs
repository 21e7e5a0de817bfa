//! Supervisor configuration.

use nalgebra::SVector;

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
        Ok(())
    }
}
