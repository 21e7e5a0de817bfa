//! Cuffs: the straps that join an exoskeleton link to a limb segment, modelled as spring-dampers.
//!
//! In the sagittal plane a cuff has three degrees of freedom: shear along the limb axis, normal (compression of
//! the soft tissue, perpendicular to the axis) and rotation. The out-of-plane three are zero by symmetry in this
//! model. Forces are measured as the cuff's load cell would: in the limb's frame.

use nalgebra::{Vector2, Vector3};
use serde::{Deserialize, Serialize};

use super::SegmentKind;
use crate::multibody::{BodyId, Kinematics};

/// Configuration of one cuff.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "scenario", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct CuffConfig {
    /// Limb segment the cuff is strapped to.
    pub segment: SegmentKind,
    /// Position along the segment from its proximal joint (heel for the foot), fraction of its length (0 to 1).
    pub position_fraction: f64,
    /// Stiffness perpendicular to the limb axis (soft tissue compression), N/m.
    #[serde(default = "default_normal")]
    pub stiffness_normal_n_per_m: f64,
    /// Stiffness along the limb axis (strap slip and skin shear), N/m.
    #[serde(default = "default_shear")]
    pub stiffness_shear_n_per_m: f64,
    /// Rotational stiffness about the lateral axis, N m/rad.
    #[serde(default = "default_rot")]
    pub stiffness_rotation_nm_per_rad: f64,
    /// Damping perpendicular to the limb axis, N s/m.
    #[serde(default = "default_normal_damping")]
    pub damping_normal_n_s_per_m: f64,
    /// Damping along the limb axis, N s/m.
    #[serde(default = "default_shear_damping")]
    pub damping_shear_n_s_per_m: f64,
    /// Rotational damping, N m s/rad.
    #[serde(default = "default_rot_damping")]
    pub damping_rotation_nm_s_per_rad: f64,
}

fn default_normal() -> f64 {
    20_000.0
}
fn default_shear() -> f64 {
    8_000.0
}
fn default_rot() -> f64 {
    150.0
}
fn default_normal_damping() -> f64 {
    150.0
}
fn default_shear_damping() -> f64 {
    100.0
}
fn default_rot_damping() -> f64 {
    1.5
}

impl CuffConfig {
    /// A cuff at `fraction` of `segment` with default soft-tissue stiffness: 20 kN/m normal, 8 kN/m shear,
    /// 150 N m/rad (estimates of thigh cuff stiffness in the range reported for strapped orthoses).
    #[must_use]
    pub fn new(segment: SegmentKind, position_fraction: f64) -> Self {
        Self {
            segment,
            position_fraction,
            stiffness_normal_n_per_m: default_normal(),
            stiffness_shear_n_per_m: default_shear(),
            stiffness_rotation_nm_per_rad: default_rot(),
            damping_normal_n_s_per_m: default_normal_damping(),
            damping_shear_n_s_per_m: default_shear_damping(),
            damping_rotation_nm_s_per_rad: default_rot_damping(),
        }
    }

    /// The first field that is not physically possible, with the reason.
    pub fn validate(&self) -> Result<(), crate::error::ValidationError> {
        if !(0.0..=1.0).contains(&self.position_fraction) {
            return Err(crate::error::ValidationError::new(
                "position_fraction",
                format!("must be within 0..1 (got {})", self.position_fraction),
            ));
        }
        for (field, v) in [
            ("stiffness_normal_n_per_m", self.stiffness_normal_n_per_m),
            ("stiffness_shear_n_per_m", self.stiffness_shear_n_per_m),
            ("stiffness_rotation_nm_per_rad", self.stiffness_rotation_nm_per_rad),
            ("damping_normal_n_s_per_m", self.damping_normal_n_s_per_m),
            ("damping_shear_n_s_per_m", self.damping_shear_n_s_per_m),
            ("damping_rotation_nm_s_per_rad", self.damping_rotation_nm_s_per_rad),
        ] {
            if !(v.is_finite() && v >= 0.0) {
                return Err(crate::error::ValidationError::new(
                    field,
                    format!("must be a finite number >= 0 (got {v})"),
                ));
            }
        }
        Ok(())
    }
}

/// A cuff placed in a model: which bodies it joins and where.
#[derive(Clone, Debug, PartialEq)]
pub struct Cuff {
    /// Name for recordings (`"thigh_cuff"`).
    pub name: String,
    /// Parameters.
    pub config: CuffConfig,
    /// Limb body.
    pub limb: BodyId,
    /// Exoskeleton body.
    pub exo: BodyId,
    /// Attachment point on the limb, limb frame, m.
    pub limb_point_m: Vector2<f64>,
    /// Attachment point on the exoskeleton link, exo frame, m.
    pub exo_point_m: Vector2<f64>,
    /// Limb axis in the limb frame (unit).
    pub axis: Vector2<f64>,
    /// Exo angle minus limb angle at which the cuff is unloaded, rad.
    pub rest_angle_rad: f64,
}

/// What a cuff's load cell reads, and the wrench it applies.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct CuffReading {
    /// Force on the limb from the exoskeleton, world frame, N.
    pub force_on_limb_n: Vector2<f64>,
    /// Moment on the limb from the exoskeleton, N m (counter-clockwise in x-z).
    pub moment_on_limb_nm: f64,
    /// Force component along the limb axis (shear), N.
    pub shear_n: f64,
    /// Force component perpendicular to the limb axis (normal), N.
    pub normal_n: f64,
    /// Attachment point on the limb, world frame, m.
    pub limb_point_world_m: Vector2<f64>,
    /// Attachment point on the exoskeleton, world frame, m.
    pub exo_point_world_m: Vector2<f64>,
}

impl Cuff {
    /// Computes the cuff wrench for the kinematic state in `kin`.
    #[inline]
    #[must_use]
    pub fn reading(&self, kin: &Kinematics) -> CuffReading {
        let (pl, pe) = (&kin.pose[self.limb], &kin.pose[self.exo]);
        let limb_world = pl.point_to_parent(&self.limb_point_m);
        let exo_world = pe.point_to_parent(&self.exo_point_m);
        let delta_world = exo_world - limb_world;
        let rate_world =
            kin.point_velocity(self.exo, &self.exo_point_m) - kin.point_velocity(self.limb, &self.limb_point_m);
        // Components in the limb frame: along the axis (shear) and perpendicular (normal).
        let delta = pl.vector_from_parent(&delta_world);
        let rate = pl.vector_from_parent(&rate_world);
        let axis = self.axis;
        let perp = Vector2::new(-axis.y, axis.x);
        let c = &self.config;
        let shear = c.stiffness_shear_n_per_m * delta.dot(&axis) + c.damping_shear_n_s_per_m * rate.dot(&axis);
        let normal = c.stiffness_normal_n_per_m * delta.dot(&perp) + c.damping_normal_n_s_per_m * rate.dot(&perp);
        let force_limb = axis * shear + perp * normal;
        let twist = pe.angle_rad - pl.angle_rad - self.rest_angle_rad;
        let twist_rate = kin.angular_velocity(self.exo) - kin.angular_velocity(self.limb);
        let moment = c.stiffness_rotation_nm_per_rad * twist + c.damping_rotation_nm_s_per_rad * twist_rate;
        CuffReading {
            force_on_limb_n: pl.vector_to_parent(&force_limb),
            moment_on_limb_nm: moment,
            shear_n: shear,
            normal_n: normal,
            limb_point_world_m: limb_world,
            exo_point_world_m: exo_world,
        }
    }

    /// Adds the reading's wrench to the external body forces: `+` on the limb at its point, `-` on the exo.
    #[inline]
    pub fn apply(&self, kin: &Kinematics, r: &CuffReading, f_ext: &mut [Vector3<f64>]) {
        let mut on_limb = kin.world_force_to_body(self.limb, &r.limb_point_world_m, &r.force_on_limb_n);
        on_limb.x += r.moment_on_limb_nm;
        let mut on_exo = kin.world_force_to_body(self.exo, &r.exo_point_world_m, &(-r.force_on_limb_n));
        on_exo.x -= r.moment_on_limb_nm;
        f_ext[self.limb] += on_limb;
        f_ext[self.exo] += on_exo;
    }
}
