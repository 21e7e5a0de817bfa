//! `law = "admittance"`: the measured interaction torque drives a virtual joint that the device follows.

use exo_control::pid::DerivativeOn;
use exo_control::{Admittance, AdmittanceConfig, ControlLaw, PidConfig, Real, SVector};
use serde::{Deserialize, Serialize};

use crate::control::registry::{Law, LawContext};
use crate::error::ValidationError;
use crate::scenario::per_joint::{PerJoint, resolve_optional};
use crate::simulation::SetpointSource;

/// Admittance `M x'' + B x' + K (x - q_ref) = tau_int` driving an inner position PD, for therapy that follows
/// the patient's effort.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AdmittanceLaw {
    /// Virtual inertia, kg m².
    #[serde(default = "d_vm")]
    pub virtual_inertia_kg_m2: PerJoint,
    /// Virtual damping, N m s/rad.
    #[serde(default = "d_vb")]
    pub virtual_damping_nm_s_per_rad: PerJoint,
    /// Virtual stiffness towards the reference posture, N m/rad.
    #[serde(default = "d_vk")]
    pub virtual_stiffness_nm_per_rad: PerJoint,
    /// Interaction torque dead band, N m.
    #[serde(default = "d_db")]
    pub interaction_deadband_nm: PerJoint,
    /// Lower end of the virtual joint's range, rad; absent: hip -0.4, knee -1.6, ankle -0.5.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position_min_rad: Option<PerJoint>,
    /// Upper end of the virtual joint's range, rad; absent: hip 1.5, knee 0.0, ankle 0.4.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position_max_rad: Option<PerJoint>,
    /// Speed limit of the virtual joint, rad/s.
    #[serde(default = "d_v")]
    pub velocity_limit_rad_per_s: PerJoint,
    /// Inner position loop proportional gain, N m/rad.
    #[serde(default = "d_kp")]
    pub kp_nm_per_rad: PerJoint,
    /// Inner position loop derivative gain, N m s/rad.
    #[serde(default = "d_kd")]
    pub kd_nm_s_per_rad: PerJoint,
    /// Feed forward gravity compensation from the law's own model of the device (`[controller.gravity]`).
    #[serde(default = "yes")]
    pub gravity_compensation: bool,
}

const VM: f64 = 0.3;
const VB: f64 = 3.0;
const DEADBAND: f64 = 0.5;
const VMAX: f64 = 3.0;
const KP: f64 = 150.0;
const KD: f64 = 5.0;

fn d_vm() -> PerJoint {
    PerJoint::All(VM)
}
fn d_vb() -> PerJoint {
    PerJoint::All(VB)
}
fn d_vk() -> PerJoint {
    PerJoint::All(0.0)
}
fn d_db() -> PerJoint {
    PerJoint::All(DEADBAND)
}
fn d_v() -> PerJoint {
    PerJoint::All(VMAX)
}
fn d_kp() -> PerJoint {
    PerJoint::All(KP)
}
fn d_kd() -> PerJoint {
    PerJoint::All(KD)
}
fn yes() -> bool {
    true
}

/// The default range of a virtual joint by kind: a comfortable range of motion of each joint, rad.
fn default_range(kind: &str) -> (f64, f64) {
    match kind {
        "hip" => (-0.4, 1.5),
        "knee" => (-1.6, 0.0),
        "ankle" => (-0.5, 0.4),
        _ => (-0.5, 0.5),
    }
}

impl Default for AdmittanceLaw {
    fn default() -> Self {
        Self {
            virtual_inertia_kg_m2: d_vm(),
            virtual_damping_nm_s_per_rad: d_vb(),
            virtual_stiffness_nm_per_rad: d_vk(),
            interaction_deadband_nm: d_db(),
            position_min_rad: None,
            position_max_rad: None,
            velocity_limit_rad_per_s: d_v(),
            kp_nm_per_rad: d_kp(),
            kd_nm_s_per_rad: d_kd(),
            gravity_compensation: true,
        }
    }
}

impl Law for AdmittanceLaw {
    const NAME: &'static str = "admittance";

    fn setpoint(&self) -> SetpointSource {
        SetpointSource::Reference
    }

    fn build<T: Real + Send, const N: usize>(
        &self,
        ctx: &LawContext<'_>,
    ) -> Result<Box<dyn ControlLaw<T, N> + Send>, ValidationError> {
        let v = |x: &PerJoint, f: &str, d: f64| -> Result<SVector<T, N>, ValidationError> {
            Ok(SVector::from(ctx.per_joint::<T, N>(x, f, d)?))
        };
        let range =
            |x: Option<&PerJoint>, f: &str, end: fn((f64, f64)) -> f64| -> Result<SVector<T, N>, ValidationError> {
                let r = resolve_optional(x, ctx.joints, &format!("{}.{f}", ctx.section), |k| end(default_range(k)))?;
                Ok(SVector::from_fn(|j, _| T::from_subset(r.get(j).unwrap_or(&0.0))))
            };
        let kp: [T; N] = ctx.per_joint(&self.kp_nm_per_rad, "kp_nm_per_rad", KP)?;
        let kd: [T; N] = ctx.per_joint(&self.kd_nm_s_per_rad, "kd_nm_s_per_rad", KD)?;
        let limit: [T; N] = ctx.limit();
        let cfg = AdmittanceConfig {
            virtual_inertia_kg_m2: v(&self.virtual_inertia_kg_m2, "virtual_inertia_kg_m2", VM)?,
            virtual_damping_nm_s_per_rad: v(&self.virtual_damping_nm_s_per_rad, "virtual_damping_nm_s_per_rad", VB)?,
            virtual_stiffness_nm_per_rad: v(&self.virtual_stiffness_nm_per_rad, "virtual_stiffness_nm_per_rad", 0.0)?,
            interaction_deadband_nm: v(&self.interaction_deadband_nm, "interaction_deadband_nm", DEADBAND)?,
            position_min_rad: range(self.position_min_rad.as_ref(), "position_min_rad", |r| r.0)?,
            position_max_rad: range(self.position_max_rad.as_ref(), "position_max_rad", |r| r.1)?,
            velocity_limit_rad_per_s: v(&self.velocity_limit_rad_per_s, "velocity_limit_rad_per_s", VMAX)?,
            position_loop: core::array::from_fn(|k| {
                PidConfig::new(kp[k], T::zero(), kd[k], limit[k]).with_derivative_on(DerivativeOn::Error)
            }),
            gravity: if self.gravity_compensation { Some(ctx.gravity_model()?) } else { None },
        };
        Ok(Box::new(Admittance::new(cfg).map_err(|e| ctx.config_error(&e))?))
    }
}
