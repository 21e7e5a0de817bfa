//! Admittance control: the measured interaction torque drives a virtual mass-damper-spring whose motion is the
//! reference of an inner position loop.

use nalgebra::SVector;

use crate::channel::{Channel, Channels};
use crate::error::{self, ConfigError, Problem};
use crate::frame::{Command, SensorFrame};
use crate::gravity::{GravityModel, GravityModelConfig};
use crate::law::{ControlLaw, ParamId, ParamInfo};
use crate::pid::{PidBank, PidConfig};
use crate::real::{Real, fclamp, fmax};

/// Configuration of an [`Admittance`] law (per joint).
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct AdmittanceConfig<T: Real, const N: usize> {
    /// Virtual inertia `M`, kg m² (> 0).
    pub virtual_inertia_kg_m2: SVector<T, N>,
    /// Virtual damping `B`, N m s/rad (>= 0).
    pub virtual_damping_nm_s_per_rad: SVector<T, N>,
    /// Virtual stiffness `K` towards `setpoint.position_rad`, N m/rad (>= 0).
    pub virtual_stiffness_nm_per_rad: SVector<T, N>,
    /// Interaction torques smaller than this are ignored (sensor noise, light touch), N m (>= 0).
    pub interaction_deadband_nm: SVector<T, N>,
    /// Lowest virtual position, rad: the reference never leaves the allowed range of motion.
    pub position_min_rad: SVector<T, N>,
    /// Highest virtual position, rad.
    pub position_max_rad: SVector<T, N>,
    /// Largest virtual speed, rad/s (> 0).
    pub velocity_limit_rad_per_s: SVector<T, N>,
    /// Inner position loop, one PID per joint (its output limit is the joint torque limit).
    #[cfg_attr(feature = "serde", serde(with = "crate::serde_array"))]
    pub position_loop: [PidConfig<T>; N],
    /// Gravity compensation fed forward into the position loop, from the law's own model on the sensed angles
    /// and base pitch; `None` for none.
    pub gravity: Option<GravityModelConfig<T, N>>,
}

impl<T: Real, const N: usize> AdmittanceConfig<T, N> {
    /// Checks every field.
    pub fn validate(&self) -> Result<(), ConfigError> {
        for j in 0..N {
            let at = |e: ConfigError| e.at_joint(j);
            error::positive(self.virtual_inertia_kg_m2[j], "virtual_inertia_kg_m2").map_err(at)?;
            error::non_negative(self.virtual_damping_nm_s_per_rad[j], "virtual_damping_nm_s_per_rad").map_err(at)?;
            error::non_negative(self.virtual_stiffness_nm_per_rad[j], "virtual_stiffness_nm_per_rad").map_err(at)?;
            error::non_negative(self.interaction_deadband_nm[j], "interaction_deadband_nm").map_err(at)?;
            error::range(self.position_min_rad[j], self.position_max_rad[j], "position_min_rad", "position_max_rad")
                .map_err(at)?;
            error::positive(self.velocity_limit_rad_per_s[j], "velocity_limit_rad_per_s").map_err(at)?;
            self.position_loop[j].validate().map_err(at)?;
        }
        match &self.gravity {
            Some(g) => g.validate(),
            None => Ok(()),
        }
    }
}

/// Admittance law: `M x'' + B x' + K (x - x_0) = tau_int`, integrated implicitly, with `x` tracked by a PID.
///
/// Sign convention: `interaction_torque_nm` is positive when the wearer pushes the joint in its positive
/// direction; the virtual joint then yields in that direction.
#[derive(Clone, Debug)]
pub struct Admittance<T: Real, const N: usize> {
    config: AdmittanceConfig<T, N>,
    gravity: Option<GravityModel<T, N>>,
    inner: PidBank<T, N>,
    position: SVector<T, N>,
    velocity: SVector<T, N>,
    started: bool,
    last: Command<T, N>,
}

impl<T: Real, const N: usize> Admittance<T, N> {
    /// A law with a validated configuration; the virtual joint starts at the first measured position.
    pub fn new(config: AdmittanceConfig<T, N>) -> Result<Self, ConfigError> {
        config.validate()?;
        let gravity = match config.gravity {
            Some(g) => Some(GravityModel::new(g)?),
            None => None,
        };
        Ok(Self {
            gravity,
            inner: PidBank::new(config.position_loop)?,
            config,
            position: SVector::zeros(),
            velocity: SVector::zeros(),
            started: false,
            last: Command::default(),
        })
    }

    /// The virtual position, rad (the inner loop's reference).
    #[must_use]
    pub fn virtual_position_rad(&self) -> &SVector<T, N> {
        &self.position
    }

    /// The virtual velocity, rad/s.
    #[must_use]
    pub fn virtual_velocity_rad_per_s(&self) -> &SVector<T, N> {
        &self.velocity
    }
}

const ADMITTANCE_PARAMS: &[ParamInfo] = &[
    ParamInfo { name: "virtual_inertia_kg_m2", min: 0.01, max: 5.0 },
    ParamInfo { name: "virtual_damping_nm_s_per_rad", min: 0.0, max: 50.0 },
    ParamInfo { name: "virtual_stiffness_nm_per_rad", min: 0.0, max: 500.0 },
];

impl<T: Real, const N: usize> ControlLaw<T, N> for Admittance<T, N> {
    fn name(&self) -> &'static str {
        "admittance"
    }

    fn reads(&self) -> Channels {
        let sensed = Channels::of(&[Channel::JointPosition, Channel::InteractionTorque]);
        if self.gravity.is_some() { sensed.with(Channel::BasePitch) } else { sensed }
    }

    fn update(&mut self, frame: &SensorFrame<T, N>, dt_s: T) -> Command<T, N> {
        let q = &frame.joint_position_rad;
        let tau_int = &frame.interaction_torque_nm;
        let anchor = &frame.setpoint.position_rad;
        let check = q + tau_int + anchor;
        if !crate::real::valid_dt(dt_s) || !crate::real::all_finite(&check) {
            return self.last;
        }
        let cfg = &self.config;
        if !self.started {
            self.position = q.zip_map(&cfg.position_min_rad, fmax).zip_map(&cfg.position_max_rad, crate::real::fmin);
            self.velocity = SVector::zeros();
            self.started = true;
        }
        for j in 0..N {
            let db = cfg.interaction_deadband_nm[j];
            let t = tau_int[j];
            let drive = if t > db {
                t - db
            } else if t < -db {
                t + db
            } else {
                T::zero()
            };
            let (m, b, k) = (
                cfg.virtual_inertia_kg_m2[j],
                cfg.virtual_damping_nm_s_per_rad[j],
                cfg.virtual_stiffness_nm_per_rad[j],
            );
            // Implicit Euler on the virtual dynamics: mitigate instability when the virtual mass is light
            // relative to B dt and K dt².
            let x = self.position[j];
            let v = (m * self.velocity[j] + dt_s * (drive - k * (x - anchor[j]))) / (m + dt_s * b + dt_s * dt_s * k);
            let vmax = cfg.velocity_limit_rad_per_s[j];
            let mut v = fclamp(v, -vmax, vmax);
            let mut x = x + dt_s * v;
            // The reference stays inside the range of motion: stop at the end stops.
            if x < cfg.position_min_rad[j] {
                x = cfg.position_min_rad[j];
                v = fmax(v, T::zero());
            } else if x > cfg.position_max_rad[j] {
                x = cfg.position_max_rad[j];
                v = crate::real::fmin(v, T::zero());
            }
            self.position[j] = x;
            self.velocity[j] = v;
        }
        let ff = match &self.gravity {
            Some(g) => frame.setpoint.torque_nm + g.torque_nm(q, frame.base_pitch_rad),
            None => frame.setpoint.torque_nm,
        };
        let out = self.inner.update(&self.position.into(), &(*q).into(), &ff.into(), dt_s);
        self.last = Command::torque(SVector::from(out));
        self.last
    }

    fn reset(&mut self) {
        self.inner.reset();
        self.started = false;
        self.last = Command::default();
    }

    fn parameters(&self) -> &'static [ParamInfo] {
        ADMITTANCE_PARAMS
    }

    fn parameter(&self, id: ParamId) -> Option<T> {
        let j: usize = id.joint.into();
        match id.index {
            0 => self.config.virtual_inertia_kg_m2.get(j).copied(),
            1 => self.config.virtual_damping_nm_s_per_rad.get(j).copied(),
            2 => self.config.virtual_stiffness_nm_per_rad.get(j).copied(),
            _ => None,
        }
    }

    fn set_parameter(&mut self, id: ParamId, value: T) -> Result<(), ConfigError> {
        let j: usize = id.joint.into();
        let mut config = self.config;
        let slot = match id.index {
            0 => config.virtual_inertia_kg_m2.get_mut(j),
            1 => config.virtual_damping_nm_s_per_rad.get_mut(j),
            2 => config.virtual_stiffness_nm_per_rad.get_mut(j),
            _ => None,
        };
        *slot.ok_or(ConfigError::new("parameter", Problem::UnknownParameter))? = value;
        config.validate()?;
        self.config = config;
        Ok(())
    }
}
