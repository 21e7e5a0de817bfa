//! Planar spatial algebra (Featherstone, *Rigid Body Dynamics Algorithms*, section 2.16).
//!
//! Coordinates are the sagittal plane `(x, z)` with angles counter-clockwise from `x` towards `z`. A rotation
//! by `θ` about the world `+y` axis is a planar rotation by `-θ` (it turns `x` towards `-z`).
//!
//! Motion vectors are `[ω, vx, vz]`, force vectors `[n, fx, fz]` (moment about the frame origin first).

use nalgebra::{Matrix3, Vector2, Vector3};

/// Motion cross product `v ×`: maps a motion vector to the rate of change of a motion vector moving with `v`.
#[inline]
#[must_use]
pub fn cross_motion(v: &Vector3<f64>, m: &Vector3<f64>) -> Vector3<f64> {
    Vector3::new(0.0, v.z * m.x - v.x * m.z, -v.y * m.x + v.x * m.y)
}

/// Force cross product `v ×*`.
#[inline]
#[must_use]
pub fn cross_force(v: &Vector3<f64>, f: &Vector3<f64>) -> Vector3<f64> {
    Vector3::new(-v.z * f.y + v.y * f.z, -v.x * f.z, v.x * f.y)
}

/// A rigid placement in the plane: the angle of a frame and the position of its origin, both in the parent (or
/// world) frame. Keeps the angle's cosine and sine, so that moving points and vectors through it costs no
/// trigonometry (kinematics places every body every physics evaluation); build it with [`Pose2::new`] or, when
/// the rotation is already known, [`Pose2::from_rotation`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Pose2 {
    /// Orientation, rad (counter-clockwise in the x-z plane).
    pub angle_rad: f64,
    /// Origin, m.
    pub origin_m: Vector2<f64>,
    cos: f64,
    sin: f64,
}

impl Pose2 {
    /// The identity placement.
    pub const IDENTITY: Pose2 = Pose2 { angle_rad: 0.0, origin_m: Vector2::new(0.0, 0.0), cos: 1.0, sin: 0.0 };

    /// A placement at `angle_rad` with origin `origin_m`.
    #[inline]
    #[must_use]
    pub fn new(angle_rad: f64, origin_m: Vector2<f64>) -> Self {
        let (sin, cos) = angle_rad.sin_cos();
        Self { angle_rad, origin_m, cos, sin }
    }

    /// A placement whose angle's cosine and sine are already known (composed from a parent's and a joint's).
    #[inline]
    #[must_use]
    pub fn from_rotation(angle_rad: f64, (cos, sin): (f64, f64), origin_m: Vector2<f64>) -> Self {
        Self { angle_rad, origin_m, cos, sin }
    }

    /// Cosine and sine of the angle.
    #[inline]
    #[must_use]
    pub fn rotation(&self) -> (f64, f64) {
        (self.cos, self.sin)
    }

    /// A point given in this frame, expressed in the parent frame.
    #[inline]
    #[must_use]
    pub fn point_to_parent(&self, p: &Vector2<f64>) -> Vector2<f64> {
        self.origin_m + self.vector_to_parent(p)
    }

    /// A direction given in this frame, expressed in the parent frame.
    #[inline]
    #[must_use]
    pub fn vector_to_parent(&self, v: &Vector2<f64>) -> Vector2<f64> {
        let (c, s) = (self.cos, self.sin);
        Vector2::new(c * v.x - s * v.y, s * v.x + c * v.y)
    }

    /// A direction given in the parent frame, expressed in this frame.
    #[inline]
    #[must_use]
    pub fn vector_from_parent(&self, v: &Vector2<f64>) -> Vector2<f64> {
        let (c, s) = (self.cos, self.sin);
        Vector2::new(c * v.x + s * v.y, -s * v.x + c * v.y)
    }
}

/// Plücker transform from a parent frame to a child frame whose origin sits at `r` (parent coordinates) and
/// whose axes are rotated by `angle` relative to the parent's. Stores `cos` and `sin` so that applying it costs
/// no trigonometry.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Transform {
    /// cos(angle).
    pub c: f64,
    /// sin(angle).
    pub s: f64,
    /// Child origin in parent coordinates, m.
    pub r: Vector2<f64>,
}

impl Transform {
    /// The identity.
    pub const IDENTITY: Transform = Transform { c: 1.0, s: 0.0, r: Vector2::new(0.0, 0.0) };

    /// From an angle (rad) and an origin (m).
    #[inline]
    #[must_use]
    pub fn new(angle_rad: f64, r: Vector2<f64>) -> Self {
        let (s, c) = angle_rad.sin_cos();
        Self { c, s, r }
    }

    /// Rotates a parent-frame 2-vector into child coordinates (`E v`).
    #[inline]
    fn e(&self, x: f64, y: f64) -> (f64, f64) {
        (self.c * x + self.s * y, -self.s * x + self.c * y)
    }

    /// Rotates a child-frame 2-vector into parent coordinates (`Eᵀ v`).
    #[inline]
    fn et(&self, x: f64, y: f64) -> (f64, f64) {
        (self.c * x - self.s * y, self.s * x + self.c * y)
    }

    /// `X m`: a parent-frame motion vector in child coordinates.
    #[inline]
    #[must_use]
    pub fn apply_motion(&self, m: &Vector3<f64>) -> Vector3<f64> {
        // v' = E (v + ω ρ), ρ = (-r_z, r_x): velocity of the point at the child origin.
        let (x, y) = self.e(m.y - m.x * self.r.y, m.z + m.x * self.r.x);
        Vector3::new(m.x, x, y)
    }

    /// `Xᵀ f`: a child-frame force vector in parent coordinates.
    #[inline]
    #[must_use]
    pub fn apply_force_transpose(&self, f: &Vector3<f64>) -> Vector3<f64> {
        let (fx, fy) = self.et(f.y, f.z);
        // n_parent = n + r × f (planar cross product).
        Vector3::new(f.x + self.r.x * fy - self.r.y * fx, fx, fy)
    }

    /// `Xᵀ I X`: a child-frame (articulated or rigid) inertia in parent coordinates.
    #[inline]
    #[must_use]
    pub fn inertia_to_parent(&self, i: &Matrix3<f64>) -> Matrix3<f64> {
        let x = self.matrix();
        x.transpose() * i * x
    }

    /// The 3×3 matrix of `X`.
    #[must_use]
    pub fn matrix(&self) -> Matrix3<f64> {
        let (c, s) = (self.c, self.s);
        // Rows 2-3: E [ρ | I] with ρ = (-r_z, r_x).
        let (rho_x, rho_y) = (-self.r.y, self.r.x);
        Matrix3::new(1.0, 0.0, 0.0, c * rho_x + s * rho_y, c, s, -s * rho_x + c * rho_y, -s, c)
    }

    /// `self ∘ first`: the transform that applies `first`, then `self`.
    #[must_use]
    pub fn compose(&self, first: &Transform) -> Transform {
        // Angles add; the origin of the final frame in the first's parent coordinates is
        // r_first + R(first)ᵀ... expressed through the first frame's rotation.
        let c = self.c * first.c - self.s * first.s;
        let s = self.s * first.c + self.c * first.s;
        let (rx, ry) = first.et(self.r.x, self.r.y);
        Transform { c, s, r: Vector2::new(first.r.x + rx, first.r.y + ry) }
    }
}

/// Rigid-body inertia in the plane: mass, centre of mass and rotational inertia about the centre of mass.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SpatialInertia {
    /// Mass, kg.
    pub mass_kg: f64,
    /// Centre of mass in the body frame, m.
    pub com_m: Vector2<f64>,
    /// Rotational inertia about the centre of mass (about the y axis), kg m².
    pub inertia_kg_m2: f64,
}

impl SpatialInertia {
    /// The 3×3 spatial inertia about the body origin.
    #[must_use]
    pub fn matrix(&self) -> Matrix3<f64> {
        let m = self.mass_kg;
        let (cx, cy) = (self.com_m.x, self.com_m.y);
        Matrix3::new(self.inertia_kg_m2 + m * (cx * cx + cy * cy), -m * cy, m * cx, -m * cy, m, 0.0, m * cx, 0.0, m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn force_transform_is_the_dual_of_the_motion_transform() {
        // Power is frame-invariant: (X m) · f_child == m · (Xᵀ f_child).
        let x = Transform::new(0.7, Vector2::new(0.3, -0.2));
        let m = Vector3::new(1.3, -0.4, 2.0);
        let f = Vector3::new(0.5, 2.5, -1.0);
        assert!((x.apply_motion(&m).dot(&f) - m.dot(&x.apply_force_transpose(&f))).abs() < 1e-12);
        assert!((x.matrix() * m - x.apply_motion(&m)).norm() < 1e-12);
    }

    #[test]
    fn composition_matches_matrix_product() {
        let a = Transform::new(0.4, Vector2::new(0.1, 0.5));
        let b = Transform::new(-1.1, Vector2::new(-0.3, 0.2));
        let ab = a.compose(&b);
        assert!((ab.matrix() - a.matrix() * b.matrix()).norm() < 1e-12);
    }

    #[test]
    fn cross_products_match_featherstone_matrices() {
        let v = Vector3::new(0.7, -1.2, 0.4);
        let m = Vector3::new(0.2, 0.9, -0.5);
        let crm = Matrix3::new(0.0, 0.0, 0.0, v.z, 0.0, -v.x, -v.y, v.x, 0.0);
        assert!((crm * m - cross_motion(&v, &m)).norm() < 1e-12);
        assert!((-crm.transpose() * m - cross_force(&v, &m)).norm() < 1e-12);
    }
}
