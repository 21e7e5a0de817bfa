//! Series-elastic torque control.

use nalgebra::SVector;

use crate::channel::{Channel, Channels};
use crate::error::{self, ConfigError, Problem};
use crate::frame::{Command, SensorFrame};
use crate::law::{ControlLaw, ParamId, ParamInfo};
use crate::pid::{PidBank, PidConfig};
use crate::real::Real;

/// Where the loop reads the joint torque from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum TorqueSource {
    /// `k (motor_position_rad - joint_position_rad)`: spring deflection times stiffness.
    SpringDeflection,
    /// `joint_torque_nm` as reported by a torque sensor (or by the sensor layer from the spring).
    Sensor,
}

/// Configuration of a [`SeaTorque`] loop.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct SeaTorqueConfig<T: Real, const N: usize> {
    /// Series spring stiffness, N m/rad (> 0 with [`TorqueSource::SpringDeflection`], which alone uses it; >= 0
    /// otherwise).
    pub spring_stiffness_nm_per_rad: SVector<T, N>,
    /// Torque measurement.
    pub torque_source: TorqueSource,
    /// PI (optionally D) on the torque error, one per joint; its output limits are the motor torque limits
    /// (joint-referred, N m).
    #[cfg_attr(feature = "serde", serde(with = "crate::serde_array"))]
    pub torque_loop: [PidConfig<T>; N],
    /// Feedforward of the desired torque (1 = full), dimensionless.
    pub feedforward_gain: SVector<T, N>,
    /// Damping injected on the joint-referred motor velocity, N m s/rad (>= 0).
    pub motor_damping_nm_s_per_rad: SVector<T, N>,
}

impl<T: Real, const N: usize> SeaTorqueConfig<T, N> {
    /// Checks every field.
    pub fn validate(&self) -> Result<(), ConfigError> {
        for j in 0..N {
            let at = |e: ConfigError| e.at_joint(j);
            // The stiffness converts deflection into torque only when the loop reads the encoders.
            match self.torque_source {
                TorqueSource::SpringDeflection => {
                    error::positive(self.spring_stiffness_nm_per_rad[j], "spring_stiffness_nm_per_rad").map_err(at)?
                }
                TorqueSource::Sensor => {
                    error::non_negative(self.spring_stiffness_nm_per_rad[j], "spring_stiffness_nm_per_rad")
                        .map_err(at)?
                }
            }
            error::within(self.feedforward_gain[j], T::zero(), crate::real::c(2.0), "feedforward_gain").map_err(at)?;
            error::non_negative(self.motor_damping_nm_s_per_rad[j], "motor_damping_nm_s_per_rad").map_err(at)?;
            self.torque_loop[j].validate().map_err(at)?;
        }
        Ok(())
    }
}

/// Series-elastic torque loop: `u = kff tau_d + PID(tau_d - tau_s) - B_m qd_m`, tracking
/// `setpoint.torque_nm`.
///
/// This is the classical SEA loop of exoskeleton joints (Pratt and Williamson; Vallery et al.): the spring turns
/// torque control into position control of the motor, and the damping on motor velocity sets the loop's damping
/// ratio.
#[derive(Clone, Debug)]
pub struct SeaTorque<T: Real, const N: usize> {
    config: SeaTorqueConfig<T, N>,
    pid: PidBank<T, N>,
    last: Command<T, N>,
}

impl<T: Real, const N: usize> SeaTorque<T, N> {
    /// A loop with a validated configuration.
    pub fn new(config: SeaTorqueConfig<T, N>) -> Result<Self, ConfigError> {
        config.validate()?;
        Ok(Self { pid: PidBank::new(config.torque_loop)?, config, last: Command::default() })
    }

    /// The configuration in force.
    #[must_use]
    pub fn config(&self) -> &SeaTorqueConfig<T, N> {
        &self.config
    }

    /// The measured joint torque this loop sees in `frame`, N m.
    #[must_use]
    pub fn measured_torque_nm(&self, frame: &SensorFrame<T, N>) -> SVector<T, N> {
        match self.config.torque_source {
            TorqueSource::SpringDeflection => self
                .config
                .spring_stiffness_nm_per_rad
                .component_mul(&(frame.motor_position_rad - frame.joint_position_rad)),
            TorqueSource::Sensor => frame.joint_torque_nm,
        }
    }

    /// One tick tracking the desired torque `desired_nm` (instead of `frame.setpoint.torque_nm`).
    #[inline]
    pub fn track(&mut self, frame: &SensorFrame<T, N>, desired_nm: &SVector<T, N>, dt_s: T) -> Command<T, N> {
        let measured = self.measured_torque_nm(frame);
        let ff = self.config.feedforward_gain.component_mul(desired_nm)
            - self.config.motor_damping_nm_s_per_rad.component_mul(&frame.motor_velocity_rad_per_s);
        let out = self.pid.update(&(*desired_nm).into(), &measured.into(), &ff.into(), dt_s);
        if self.pid.held() {
            return self.last;
        }
        self.last = Command { torque_nm: SVector::from(out), demand_nm: *desired_nm };
        self.last
    }
}

const SEA_PARAMS: &[ParamInfo] = &[
    ParamInfo { name: "kp", min: 0.0, max: 50.0 },
    ParamInfo { name: "ki_per_s", min: 0.0, max: 500.0 },
    ParamInfo { name: "motor_damping_nm_s_per_rad", min: 0.0, max: 50.0 },
];

impl<T: Real, const N: usize> SeaTorque<T, N> {
    /// The channels the loop reads: the torque measurement and the motor velocity it damps.
    #[must_use]
    pub fn channels(&self) -> Channels {
        let torque = match self.config.torque_source {
            TorqueSource::Sensor => Channels::of(&[Channel::JointTorque]),
            TorqueSource::SpringDeflection => Channels::of(&[Channel::MotorPosition, Channel::JointPosition]),
        };
        torque.with(Channel::MotorVelocity)
    }
}

impl<T: Real, const N: usize> ControlLaw<T, N> for SeaTorque<T, N> {
    fn name(&self) -> &'static str {
        "sea_torque"
    }

    fn reads(&self) -> Channels {
        self.channels()
    }

    #[inline]
    fn update(&mut self, frame: &SensorFrame<T, N>, dt_s: T) -> Command<T, N> {
        let desired = frame.setpoint.torque_nm;
        self.track(frame, &desired, dt_s)
    }

    fn reset(&mut self) {
        self.pid.reset();
        self.last = Command::default();
    }

    fn parameters(&self) -> &'static [ParamInfo] {
        SEA_PARAMS
    }

    fn parameter(&self, id: ParamId) -> Option<T> {
        let j: usize = id.joint.into();
        match id.index {
            0 => self.pid.config(j).map(|c| c.kp),
            1 => self.pid.config(j).map(|c| c.ki),
            2 => self.config.motor_damping_nm_s_per_rad.get(j).copied(),
            _ => None,
        }
    }

    fn set_parameter(&mut self, id: ParamId, value: T) -> Result<(), ConfigError> {
        let j: usize = id.joint.into();
        let mut config = self.config;
        match id.index {
            0 | 1 => {
                let pid = config.torque_loop.get_mut(j).ok_or(ConfigError::new("joint", Problem::OutOfRange))?;
                if id.index == 0 {
                    pid.kp = value
                } else {
                    pid.ki = value
                }
                let new_pid = *pid;
                config.validate()?;
                self.pid.set_config(j, new_pid)?;
            }
            2 => {
                *config
                    .motor_damping_nm_s_per_rad
                    .get_mut(j)
                    .ok_or(ConfigError::new("joint", Problem::OutOfRange))? = value;
                config.validate()?;
            }
            _ => return Err(ConfigError::new("parameter", Problem::UnknownParameter)),
        }
        self.config = config;
        Ok(())
    }
}

/// Transparency: the series-elastic loop tracking zero joint torque whatever the setpoint says, so that the
/// wearer feels as little of the device as the loop can hide (its inertia, friction and the spring's lag remain).
#[derive(Clone, Debug)]
pub struct ZeroTorque<T: Real, const N: usize> {
    sea: SeaTorque<T, N>,
}

impl<T: Real, const N: usize> ZeroTorque<T, N> {
    /// A zero-torque loop with a validated configuration.
    pub fn new(config: SeaTorqueConfig<T, N>) -> Result<Self, ConfigError> {
        Ok(Self { sea: SeaTorque::new(config)? })
    }
}

impl<T: Real, const N: usize> ControlLaw<T, N> for ZeroTorque<T, N> {
    fn name(&self) -> &'static str {
        "zero_torque"
    }

    fn reads(&self) -> Channels {
        self.sea.channels()
    }

    #[inline]
    fn update(&mut self, frame: &SensorFrame<T, N>, dt_s: T) -> Command<T, N> {
        self.sea.track(frame, &SVector::zeros(), dt_s)
    }

    fn reset(&mut self) {
        self.sea.reset();
    }

    fn parameters(&self) -> &'static [ParamInfo] {
        self.sea.parameters()
    }

    fn parameter(&self, id: ParamId) -> Option<T> {
        self.sea.parameter(id)
    }

    fn set_parameter(&mut self, id: ParamId, value: T) -> Result<(), ConfigError> {
        self.sea.set_parameter(id, value)
    }
}
