//! The supervisor's configuration for a device of any joint count: one entry per joint, turned into exo-control's
//! fixed-size configuration when the firmware is built.

use exo_control::{Channels, Real, SVector, SafeStopMode, SensorChecks, SupervisorConfig};

/// The supervisor's configuration for a device, one entry per controlled joint: what
/// [`Firmware`](super::Firmware) turns into exo-control's fixed-size configuration.
#[derive(Clone, Debug, PartialEq)]
pub struct SupervisorSpec {
    /// Hard lower limits, rad.
    pub position_min_rad: Vec<f64>,
    /// Hard upper limits, rad.
    pub position_max_rad: Vec<f64>,
    /// Soft wall widths, rad.
    pub soft_wall_width_rad: Vec<f64>,
    /// Soft wall stiffness, N m/rad.
    pub soft_wall_stiffness_nm_per_rad: Vec<f64>,
    /// Soft wall damping, N m s/rad.
    pub soft_wall_damping_nm_s_per_rad: Vec<f64>,
    /// Speed limits, rad/s.
    pub velocity_limit_rad_per_s: Vec<f64>,
    /// Torque limits, N m.
    pub torque_limit_nm: Vec<f64>,
    /// Torque-rate limits, N m/s.
    pub torque_rate_limit_nm_per_s: Vec<f64>,
    /// Watchdog ticks.
    pub watchdog_ticks: u32,
    /// Safe-stop damping per joint (`None`: torque off), N m s/rad.
    pub safe_stop_damping_nm_s_per_rad: Option<Vec<f64>>,
    /// Channels monitored at each joint.
    pub monitored: Vec<Channels>,
    /// Joint torque reading range, N m.
    pub joint_torque_range_nm: Vec<f64>,
    /// Interaction reading range, N m.
    pub interaction_torque_range_nm: Vec<f64>,
    /// Joint-referred motor speed range, rad/s.
    pub motor_velocity_range_rad_per_s: Vec<f64>,
    /// Joint torque rate range, N m/s.
    pub joint_torque_rate_range_nm_per_s: Vec<f64>,
    /// Interaction rate range, N m/s.
    pub interaction_torque_rate_range_nm_per_s: Vec<f64>,
    /// Series spring stiffness (0 for rigid transmissions), N m/rad.
    pub spring_stiffness_nm_per_rad: Vec<f64>,
    /// Spring cross-check margin, N m.
    pub spring_torque_margin_nm: Vec<f64>,
    /// Encoder agreement of rigid transmissions, rad.
    pub encoder_agreement_rad: Vec<f64>,
    /// Staleness check, ticks (0: off).
    pub stale_ticks: u32,
    /// Base pitch range, rad.
    pub base_pitch_range_rad: f64,
}

impl SupervisorSpec {
    /// The spec of an exo-control configuration (for a supervisor built in code).
    #[must_use]
    pub fn from_config<const N: usize>(c: &SupervisorConfig<f64, N>) -> Self {
        let v = |x: &SVector<f64, N>| x.iter().copied().collect::<Vec<f64>>();
        let sc = &c.sensors;
        Self {
            position_min_rad: v(&c.position_min_rad),
            position_max_rad: v(&c.position_max_rad),
            soft_wall_width_rad: v(&c.soft_wall_width_rad),
            soft_wall_stiffness_nm_per_rad: v(&c.soft_wall_stiffness_nm_per_rad),
            soft_wall_damping_nm_s_per_rad: v(&c.soft_wall_damping_nm_s_per_rad),
            velocity_limit_rad_per_s: v(&c.velocity_limit_rad_per_s),
            torque_limit_nm: v(&c.torque_limit_nm),
            torque_rate_limit_nm_per_s: v(&c.torque_rate_limit_nm_per_s),
            watchdog_ticks: c.watchdog_ticks,
            safe_stop_damping_nm_s_per_rad: match &c.safe_stop {
                SafeStopMode::TorqueOff => None,
                SafeStopMode::DampingOnly { damping_nm_s_per_rad } => Some(v(damping_nm_s_per_rad)),
            },
            monitored: sc.monitored.to_vec(),
            joint_torque_range_nm: v(&sc.joint_torque_range_nm),
            interaction_torque_range_nm: v(&sc.interaction_torque_range_nm),
            motor_velocity_range_rad_per_s: v(&sc.motor_velocity_range_rad_per_s),
            joint_torque_rate_range_nm_per_s: v(&sc.joint_torque_rate_range_nm_per_s),
            interaction_torque_rate_range_nm_per_s: v(&sc.interaction_torque_rate_range_nm_per_s),
            spring_stiffness_nm_per_rad: v(&sc.spring_stiffness_nm_per_rad),
            spring_torque_margin_nm: v(&sc.spring_torque_margin_nm),
            encoder_agreement_rad: v(&sc.encoder_agreement_rad),
            stale_ticks: sc.stale_ticks,
            base_pitch_range_rad: sc.base_pitch_range_rad,
        }
    }

    /// exo-control's configuration for `N` joints in scalar `T`.
    #[must_use]
    pub fn config<T: Real, const N: usize>(&self) -> SupervisorConfig<T, N> {
        let v = |x: &[f64]| SVector::<T, N>::from_fn(|j, _| T::from_subset(x.get(j).unwrap_or(&f64::INFINITY)));
        SupervisorConfig {
            position_min_rad: v(&self.position_min_rad),
            position_max_rad: v(&self.position_max_rad),
            soft_wall_width_rad: v(&self.soft_wall_width_rad),
            soft_wall_stiffness_nm_per_rad: v(&self.soft_wall_stiffness_nm_per_rad),
            soft_wall_damping_nm_s_per_rad: v(&self.soft_wall_damping_nm_s_per_rad),
            velocity_limit_rad_per_s: v(&self.velocity_limit_rad_per_s),
            torque_limit_nm: v(&self.torque_limit_nm),
            torque_rate_limit_nm_per_s: v(&self.torque_rate_limit_nm_per_s),
            watchdog_ticks: self.watchdog_ticks,
            safe_stop: match &self.safe_stop_damping_nm_s_per_rad {
                None => SafeStopMode::TorqueOff,
                Some(b) => SafeStopMode::DampingOnly { damping_nm_s_per_rad: v(b) },
            },
            sensors: SensorChecks {
                monitored: core::array::from_fn(|j| self.monitored.get(j).copied().unwrap_or(Channels::NONE)),
                joint_torque_range_nm: v(&self.joint_torque_range_nm),
                interaction_torque_range_nm: v(&self.interaction_torque_range_nm),
                motor_velocity_range_rad_per_s: v(&self.motor_velocity_range_rad_per_s),
                joint_torque_rate_range_nm_per_s: v(&self.joint_torque_rate_range_nm_per_s),
                interaction_torque_rate_range_nm_per_s: v(&self.interaction_torque_rate_range_nm_per_s),
                spring_stiffness_nm_per_rad: v(&self.spring_stiffness_nm_per_rad),
                spring_torque_margin_nm: v(&self.spring_torque_margin_nm),
                encoder_agreement_rad: v(&self.encoder_agreement_rad),
                stale_ticks: self.stale_ticks,
                base_pitch_range_rad: T::from_subset(&self.base_pitch_range_rad),
            },
        }
    }
}
