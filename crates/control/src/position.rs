//! Joint position control by one PID per joint.

use nalgebra::SVector;

use crate::channel::{Channel, Channels};
use crate::error::{ConfigError, Problem};
use crate::frame::{Command, SensorFrame};
use crate::gravity::{GravityModel, GravityModelConfig};
use crate::law::{ControlLaw, ParamId, ParamInfo};
use crate::pid::{PidBank, PidConfig};
use crate::real::Real;

/// Joint position PID law: each joint tracks `setpoint.position_rad` with its own PID; `setpoint.torque_nm` and
/// the gravity torque of the law's own model (if it has one) are fed forward.
#[derive(Clone, Debug)]
pub struct JointPid<T: Real, const N: usize> {
    bank: PidBank<T, N>,
    gravity: Option<GravityModel<T, N>>,
    last: Command<T, N>,
}

impl<T: Real, const N: usize> JointPid<T, N> {
    /// A law from one validated PID configuration per joint.
    pub fn new(configs: [PidConfig<T>; N]) -> Result<Self, ConfigError> {
        Ok(Self { bank: PidBank::new(configs)?, gravity: None, last: Command::default() })
    }

    /// A law that also feeds forward gravity compensation from `gravity`.
    pub fn with_gravity(configs: [PidConfig<T>; N], gravity: GravityModelConfig<T, N>) -> Result<Self, ConfigError> {
        Ok(Self { bank: PidBank::new(configs)?, gravity: Some(GravityModel::new(gravity)?), last: Command::default() })
    }

    /// The PID bank.
    #[must_use]
    pub fn bank(&self) -> &PidBank<T, N> {
        &self.bank
    }
}

const JOINT_PID_PARAMS: &[ParamInfo] = &[
    ParamInfo { name: "kp_nm_per_rad", min: 0.0, max: 2000.0 },
    ParamInfo { name: "ki_nm_per_rad_s", min: 0.0, max: 5000.0 },
    ParamInfo { name: "kd_nm_s_per_rad", min: 0.0, max: 50.0 },
];

impl<T: Real, const N: usize> ControlLaw<T, N> for JointPid<T, N> {
    fn name(&self) -> &'static str {
        "joint_pid"
    }

    fn reads(&self) -> Channels {
        let encoder = Channels::of(&[Channel::JointPosition]);
        if self.gravity.is_some() { encoder.with(Channel::BasePitch) } else { encoder }
    }

    #[inline]
    fn update(&mut self, frame: &SensorFrame<T, N>, dt_s: T) -> Command<T, N> {
        let sp = &frame.setpoint;
        let ff = match &self.gravity {
            Some(g) => sp.torque_nm + g.torque_nm(&frame.joint_position_rad, frame.base_pitch_rad),
            None => sp.torque_nm,
        };
        let out = self.bank.update(&sp.position_rad.into(), &frame.joint_position_rad.into(), &ff.into(), dt_s);
        self.last = Command::torque(SVector::from(out));
        self.last
    }

    fn reset(&mut self) {
        self.bank.reset();
        self.last = Command::default();
    }

    fn parameters(&self) -> &'static [ParamInfo] {
        JOINT_PID_PARAMS
    }

    fn parameter(&self, id: ParamId) -> Option<T> {
        let cfg = self.bank.config(id.joint.into())?;
        match id.index {
            0 => Some(cfg.kp),
            1 => Some(cfg.ki),
            2 => Some(cfg.kd),
            _ => None,
        }
    }

    fn set_parameter(&mut self, id: ParamId, value: T) -> Result<(), ConfigError> {
        let j: usize = id.joint.into();
        let mut cfg = *self.bank.config(j).ok_or(ConfigError::new("joint", Problem::OutOfRange).at_joint(j))?;
        match id.index {
            0 => cfg.kp = value,
            1 => cfg.ki = value,
            2 => cfg.kd = value,
            _ => return Err(ConfigError::new("parameter", Problem::UnknownParameter)),
        }
        self.bank.set_config(j, cfg)
    }
}
