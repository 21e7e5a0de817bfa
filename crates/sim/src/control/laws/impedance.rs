//! `law = "impedance"`: joint impedance around the reference posture.

use exo_control::{ControlLaw, Gain, JointImpedance, JointImpedanceConfig, Real, SVector};
use serde::{Deserialize, Serialize};

use crate::control::registry::{Law, LawContext};
use crate::error::ValidationError;
use crate::scenario::per_joint::PerJoint;
use crate::simulation::SetpointSource;

const STIFFNESS_NM_PER_RAD: f64 = 50.0;
const DAMPING_NM_S_PER_RAD: f64 = 2.0;

/// Joint impedance `tau = K (q_ref - q) + B (qd_ref - qd) (+ gravity)` around the wearer's reference motion.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ImpedanceLaw {
    /// Stiffness, N m/rad.
    #[serde(default = "d_k")]
    pub stiffness_nm_per_rad: PerJoint,
    /// Damping, N m s/rad.
    #[serde(default = "d_b")]
    pub damping_nm_s_per_rad: PerJoint,
    /// Add gravity compensation from the law's own model of the device (`[controller.gravity]`), evaluated on the
    /// sensed joint angles and base pitch.
    #[serde(default = "yes")]
    pub gravity_compensation: bool,
}

fn d_k() -> PerJoint {
    PerJoint::All(STIFFNESS_NM_PER_RAD)
}
fn d_b() -> PerJoint {
    PerJoint::All(DAMPING_NM_S_PER_RAD)
}
fn yes() -> bool {
    true
}

impl Default for ImpedanceLaw {
    fn default() -> Self {
        Self { stiffness_nm_per_rad: d_k(), damping_nm_s_per_rad: d_b(), gravity_compensation: true }
    }
}

impl Law for ImpedanceLaw {
    const NAME: &'static str = "impedance";

    fn setpoint(&self) -> SetpointSource {
        SetpointSource::Reference
    }

    fn build<T: Real + Send, const N: usize>(
        &self,
        ctx: &LawContext<'_>,
    ) -> Result<Box<dyn ControlLaw<T, N> + Send>, ValidationError> {
        let k: [T; N] = ctx.per_joint(&self.stiffness_nm_per_rad, "stiffness_nm_per_rad", STIFFNESS_NM_PER_RAD)?;
        let b: [T; N] = ctx.per_joint(&self.damping_nm_s_per_rad, "damping_nm_s_per_rad", DAMPING_NM_S_PER_RAD)?;
        let cfg = JointImpedanceConfig {
            stiffness_nm_per_rad: Gain::Diagonal(SVector::from(k)),
            damping_nm_s_per_rad: Gain::Diagonal(SVector::from(b)),
            torque_limit_nm: SVector::from(ctx.limit::<T, N>()),
            gravity: if self.gravity_compensation { Some(ctx.gravity_model()?) } else { None },
        };
        Ok(Box::new(JointImpedance::new(cfg).map_err(|e| ctx.config_error(&e))?))
    }
}
