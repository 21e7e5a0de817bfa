//! Penalty contact of body points with the ground and with a seat.

use nalgebra::{Vector2, Vector3};
use serde::{Deserialize, Serialize};

use crate::multibody::{BodyId, Kinematics};

/// A horizontal surface.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Surface {
    /// Height, m.
    pub height_m: f64,
    /// The surface extends over `x <= x_max_m` only (a seat's front edge), m.
    pub x_max_m: f64,
}

/// A body point that can touch a surface.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ContactPoint {
    /// Body carrying the point.
    pub body: BodyId,
    /// Point in the body frame, m.
    pub point_m: Vector2<f64>,
    /// Surface it touches.
    pub surface: Surface,
    /// For a planted foot: the world spot the point is held to (bilateral spring-damper).
    pub anchor: Option<Vector2<f64>>,
}

/// Contact parameters (Kelvin-Voigt normal force clipped to push only, regularised Coulomb friction).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "scenario", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct GroundContact {
    /// Normal stiffness, N/m.
    #[serde(default = "default_k")]
    pub stiffness_n_per_m: f64,
    /// Normal damping, N s/m.
    #[serde(default = "default_c")]
    pub damping_n_s_per_m: f64,
    /// Coulomb friction coefficient.
    #[serde(default = "default_mu")]
    pub friction_coefficient: f64,
    /// Sliding speed at which friction reaches 76 % of Coulomb (tanh regularisation), m/s.
    #[serde(default = "default_vs")]
    pub slip_speed_m_per_s: f64,
    /// Keep the foot planted where it starts: heel and toe are held to their initial spots by the same
    /// stiffness and damping in both directions (no lift-off, no slip; a negative vertical force in the
    /// recording shows where a real foot would have lifted).
    #[serde(default)]
    pub planted: bool,
}

fn default_k() -> f64 {
    100_000.0
}
fn default_c() -> f64 {
    2_000.0
}
fn default_mu() -> f64 {
    0.8
}
fn default_vs() -> f64 {
    0.02
}

impl Default for GroundContact {
    fn default() -> Self {
        Self {
            stiffness_n_per_m: default_k(),
            damping_n_s_per_m: default_c(),
            friction_coefficient: default_mu(),
            slip_speed_m_per_s: default_vs(),
            planted: false,
        }
    }
}

impl GroundContact {
    /// Force on the body (world frame, N) at contact point `p` for the state in `kin`; zero when not touching.
    #[inline]
    #[must_use]
    pub fn force(&self, kin: &Kinematics, p: &ContactPoint) -> (Vector2<f64>, Vector2<f64>) {
        let world = kin.pose[p.body].point_to_parent(&p.point_m);
        if let Some(anchor) = p.anchor {
            let v = kin.point_velocity(p.body, &p.point_m);
            return ((anchor - world) * self.stiffness_n_per_m - v * self.damping_n_s_per_m, world);
        }
        let depth = p.surface.height_m - world.y;
        if depth <= 0.0 || world.x > p.surface.x_max_m {
            return (Vector2::zeros(), world);
        }
        let v = kin.point_velocity(p.body, &p.point_m);
        let normal = (self.stiffness_n_per_m * depth - self.damping_n_s_per_m * v.y).max(0.0);
        let friction = -self.friction_coefficient * normal * (v.x / self.slip_speed_m_per_s).tanh();
        (Vector2::new(friction, normal), world)
    }

    /// Adds the contact force of `p` to `f_ext`; returns the world force.
    #[inline]
    pub fn apply(&self, kin: &Kinematics, p: &ContactPoint, f_ext: &mut [Vector3<f64>]) -> Vector2<f64> {
        let (f, at) = self.force(kin, p);
        if f != Vector2::zeros() {
            f_ext[p.body] += kin.world_force_to_body(p.body, &at, &f);
        }
        f
    }
}
