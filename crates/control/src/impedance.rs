//! Joint impedance control: `tau = K (q_d - q) + B (qd_d - qd) + tau_ff (+ g)`.

use nalgebra::{SMatrix, SVector};

use crate::channel::{Channel, Channels};
use crate::error::{ConfigError, Problem};
use crate::frame::{Command, SensorFrame};
use crate::gravity::{GravityModel, GravityModelConfig};
use crate::law::{ControlLaw, ParamId, ParamInfo};
use crate::real::{Real, c};

/// A joint-space gain: diagonal (joints decoupled) or a full symmetric positive semi-definite matrix.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Gain<T: Real, const N: usize> {
    /// One gain per joint.
    Diagonal(SVector<T, N>),
    /// A full `N x N` gain matrix (must be symmetric and positive semi-definite to stay passive).
    Full(SMatrix<T, N, N>),
}

impl<T: Real, const N: usize> Gain<T, N> {
    /// Multiplies a joint-space vector.
    #[inline]
    #[must_use]
    pub fn apply(&self, v: &SVector<T, N>) -> SVector<T, N> {
        match self {
            Gain::Diagonal(d) => d.component_mul(v),
            Gain::Full(m) => m * v,
        }
    }

    /// The diagonal entry of joint `j`.
    #[must_use]
    pub fn diagonal(&self, j: usize) -> Option<T> {
        match self {
            Gain::Diagonal(d) => d.get(j).copied(),
            Gain::Full(m) => m.get((j, j)).copied(),
        }
    }

    /// Sets the diagonal entry of joint `j` (`false` if `j` is out of range).
    pub fn set_diagonal(&mut self, j: usize, value: T) -> bool {
        let slot = match self {
            Gain::Diagonal(d) => d.get_mut(j),
            Gain::Full(m) => m.get_mut((j, j)),
        };
        match slot {
            Some(s) => {
                *s = value;
                true
            }
            None => false,
        }
    }

    /// Checks that the gain is finite, non-negative on the diagonal, and (for a full matrix) symmetric positive
    /// semi-definite.
    pub fn validate(&self, field: &'static str) -> Result<(), ConfigError> {
        match self {
            Gain::Diagonal(d) => {
                for (j, g) in d.iter().enumerate() {
                    crate::error::non_negative(*g, field).map_err(|e| e.at_joint(j))?;
                }
            }
            Gain::Full(m) => {
                if !m.iter().all(|x| x.is_finite()) {
                    return Err(ConfigError::new(field, Problem::NotFinite));
                }
                let scale = m.amax() + T::one();
                if (m - m.transpose()).amax() > scale * c(1e-9) {
                    return Err(ConfigError::new(field, Problem::Inconsistent));
                }
                // Positive semi-definite within a relative tolerance: the Cholesky factorisation of the slightly
                // shifted matrix exists.
                let shifted = m + SMatrix::<T, N, N>::identity() * (scale * c(1e-9));
                if nalgebra::Cholesky::new(shifted).is_none() {
                    return Err(ConfigError::new(field, Problem::Negative));
                }
            }
        }
        Ok(())
    }
}

/// Configuration of a [`JointImpedance`] law.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct JointImpedanceConfig<T: Real, const N: usize> {
    /// Stiffness `K`, N m/rad.
    pub stiffness_nm_per_rad: Gain<T, N>,
    /// Damping `B`, N m s/rad.
    pub damping_nm_s_per_rad: Gain<T, N>,
    /// Symmetric limit on each joint's output torque, N m (> 0).
    pub torque_limit_nm: SVector<T, N>,
    /// Gravity compensation from the law's own model, evaluated on the sensed joint angles and base pitch;
    /// `None` for none.
    pub gravity: Option<GravityModelConfig<T, N>>,
}

impl<T: Real, const N: usize> JointImpedanceConfig<T, N> {
    /// Diagonal stiffness and damping, the same for every joint, with a torque limit.
    #[must_use]
    pub fn diagonal(stiffness_nm_per_rad: T, damping_nm_s_per_rad: T, torque_limit_nm: T) -> Self {
        Self {
            stiffness_nm_per_rad: Gain::Diagonal(SVector::repeat(stiffness_nm_per_rad)),
            damping_nm_s_per_rad: Gain::Diagonal(SVector::repeat(damping_nm_s_per_rad)),
            torque_limit_nm: SVector::repeat(torque_limit_nm),
            gravity: None,
        }
    }

    /// Adds gravity compensation from `model`.
    #[must_use]
    pub fn with_gravity(mut self, model: GravityModelConfig<T, N>) -> Self {
        self.gravity = Some(model);
        self
    }

    /// Checks every field.
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.stiffness_nm_per_rad.validate("stiffness_nm_per_rad")?;
        self.damping_nm_s_per_rad.validate("damping_nm_s_per_rad")?;
        for (j, l) in self.torque_limit_nm.iter().enumerate() {
            crate::error::positive(*l, "torque_limit_nm").map_err(|e| e.at_joint(j))?;
        }
        match &self.gravity {
            Some(g) => g.validate(),
            None => Ok(()),
        }
    }
}

/// Joint impedance law for `N` joints.
#[derive(Clone, Debug)]
pub struct JointImpedance<T: Real, const N: usize> {
    config: JointImpedanceConfig<T, N>,
    gravity: Option<GravityModel<T, N>>,
    last: Command<T, N>,
}

impl<T: Real, const N: usize> JointImpedance<T, N> {
    /// A law with a validated configuration.
    pub fn new(config: JointImpedanceConfig<T, N>) -> Result<Self, ConfigError> {
        config.validate()?;
        let gravity = match config.gravity {
            Some(g) => Some(GravityModel::new(g)?),
            None => None,
        };
        Ok(Self { config, gravity, last: Command::default() })
    }

    /// The configuration in force.
    #[must_use]
    pub fn config(&self) -> &JointImpedanceConfig<T, N> {
        &self.config
    }
}

const IMPEDANCE_PARAMS: &[ParamInfo] = &[
    ParamInfo { name: "stiffness_nm_per_rad", min: 0.0, max: 2000.0 },
    ParamInfo { name: "damping_nm_s_per_rad", min: 0.0, max: 50.0 },
];

impl<T: Real, const N: usize> ControlLaw<T, N> for JointImpedance<T, N> {
    fn name(&self) -> &'static str {
        "impedance"
    }

    fn reads(&self) -> Channels {
        let encoders = Channels::of(&[Channel::JointPosition, Channel::JointVelocity]);
        if self.gravity.is_some() { encoders.with(Channel::BasePitch) } else { encoders }
    }

    #[inline]
    fn update(&mut self, frame: &SensorFrame<T, N>, dt_s: T) -> Command<T, N> {
        let sp = &frame.setpoint;
        let mut tau = self.config.stiffness_nm_per_rad.apply(&(sp.position_rad - frame.joint_position_rad))
            + self.config.damping_nm_s_per_rad.apply(&(sp.velocity_rad_per_s - frame.joint_velocity_rad_per_s))
            + sp.torque_nm;
        if let Some(g) = &self.gravity {
            tau += g.torque_nm(&frame.joint_position_rad, frame.base_pitch_rad);
        }
        // A non-finite input makes the sum non-finite (NaN and infinities propagate), so one check covers all.
        if !crate::real::valid_dt(dt_s) || !crate::real::all_finite(&tau) {
            return self.last;
        }
        let lim = &self.config.torque_limit_nm;
        tau.zip_apply(lim, |t, l| *t = crate::real::fclamp(*t, -l, l));
        self.last = Command::torque(tau);
        self.last
    }

    fn reset(&mut self) {
        self.last = Command::default();
    }

    fn parameters(&self) -> &'static [ParamInfo] {
        IMPEDANCE_PARAMS
    }

    fn parameter(&self, id: ParamId) -> Option<T> {
        match id.index {
            0 => self.config.stiffness_nm_per_rad.diagonal(id.joint.into()),
            1 => self.config.damping_nm_s_per_rad.diagonal(id.joint.into()),
            _ => None,
        }
    }

    fn set_parameter(&mut self, id: ParamId, value: T) -> Result<(), ConfigError> {
        let mut config = self.config;
        let ok = match id.index {
            0 => config.stiffness_nm_per_rad.set_diagonal(id.joint.into(), value),
            1 => config.damping_nm_s_per_rad.set_diagonal(id.joint.into(), value),
            _ => false,
        };
        if !ok {
            return Err(ConfigError::new("parameter", Problem::UnknownParameter));
        }
        config.validate()?;
        self.config = config;
        Ok(())
    }
}
