//! `law = "joint_pid"`: one position PID per joint on the reference motion.

use exo_control::pid::DerivativeFilter;
use exo_control::{ControlLaw, JointPid, PidConfig, Real};
use serde::{Deserialize, Serialize};

use crate::control::registry::{Law, LawContext};
use crate::error::ValidationError;
use crate::scenario::per_joint::PerJoint;
use crate::simulation::SetpointSource;

const KP_NM_PER_RAD: f64 = 100.0;
const KD_NM_S_PER_RAD: f64 = 3.0;

/// Joint position PID tracking the wearer's reference motion, with the law's gravity model fed forward.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JointPidLaw {
    /// Proportional gain, N m/rad.
    #[serde(default = "d_kp")]
    pub kp_nm_per_rad: PerJoint,
    /// Integral gain, N m/(rad s).
    #[serde(default = "d_ki")]
    pub ki_nm_per_rad_s: PerJoint,
    /// Derivative gain, N m s/rad.
    #[serde(default = "d_kd")]
    pub kd_nm_s_per_rad: PerJoint,
    /// Derivative filter ratio N (filter time constant kd / (kp N)), dimensionless.
    #[serde(default = "d_n")]
    pub derivative_filter_ratio: f64,
    /// Feed forward gravity compensation from the law's own model of the device (`[controller.gravity]`).
    #[serde(default = "yes")]
    pub gravity_compensation: bool,
}

fn d_kp() -> PerJoint {
    PerJoint::All(KP_NM_PER_RAD)
}
fn d_ki() -> PerJoint {
    PerJoint::All(0.0)
}
fn d_kd() -> PerJoint {
    PerJoint::All(KD_NM_S_PER_RAD)
}
fn d_n() -> f64 {
    10.0
}
fn yes() -> bool {
    true
}

impl Default for JointPidLaw {
    fn default() -> Self {
        Self {
            kp_nm_per_rad: d_kp(),
            ki_nm_per_rad_s: d_ki(),
            kd_nm_s_per_rad: d_kd(),
            derivative_filter_ratio: d_n(),
            gravity_compensation: true,
        }
    }
}

impl Law for JointPidLaw {
    const NAME: &'static str = "joint_pid";

    fn setpoint(&self) -> SetpointSource {
        SetpointSource::Reference
    }

    fn build<T: Real + Send, const N: usize>(
        &self,
        ctx: &LawContext<'_>,
    ) -> Result<Box<dyn ControlLaw<T, N> + Send>, ValidationError> {
        let kp: [T; N] = ctx.per_joint(&self.kp_nm_per_rad, "kp_nm_per_rad", KP_NM_PER_RAD)?;
        let ki: [T; N] = ctx.per_joint(&self.ki_nm_per_rad_s, "ki_nm_per_rad_s", 0.0)?;
        let kd: [T; N] = ctx.per_joint(&self.kd_nm_s_per_rad, "kd_nm_s_per_rad", KD_NM_S_PER_RAD)?;
        let limit: [T; N] = ctx.limit();
        let n = T::from_subset(&self.derivative_filter_ratio);
        let cfgs = core::array::from_fn(|k| {
            PidConfig::new(kp[k], ki[k], kd[k], limit[k]).with_derivative_filter(if kp[k] > T::zero() {
                DerivativeFilter::Ratio { n }
            } else {
                DerivativeFilter::None
            })
        });
        let law = if self.gravity_compensation {
            JointPid::with_gravity(cfgs, ctx.gravity_model()?)
        } else {
            JointPid::new(cfgs)
        };
        Ok(Box::new(law.map_err(|e| ctx.config_error(&e))?))
    }
}
