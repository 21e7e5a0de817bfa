//! The multibody model: a tree of rigid bodies, each joined to its parent by one 1-DoF joint.

use nalgebra::{Matrix3, Vector2};

use super::curve::{Curve, CurveError};
use super::spatial::{SpatialInertia, Transform};

/// Index of a body in a [`Model`] (and of the joint that carries it).
pub type BodyId = usize;

/// A one-degree-of-freedom joint.
///
/// Every joint places its child body relative to the joint frame, which is the parent's frame (or the base frame)
/// moved to the body's [`Body::joint_origin_m`]. Revolute and prismatic joints have a constant motion subspace;
/// a [`JointKind::Coupled`] joint's depends on its coordinate.
#[derive(Clone, Debug, PartialEq)]
pub enum JointKind {
    /// Rotation about an axis parallel to world y. `axis_y = +1` for the `+y` axis, `-1` for `-y`: a positive
    /// joint angle rotates the child by `-axis_y · q` in the (x, z) plane.
    Revolute {
        /// `+1.0` or `-1.0`: direction of the joint axis along world y.
        axis_y: f64,
    },
    /// Translation along a unit direction in the parent's joint frame.
    Prismatic {
        /// Unit direction (x, z).
        direction: Vector2<f64>,
    },
    /// Rotation and translation that are both functions of the one coordinate, as OpenSim's `CustomJoint` (the
    /// knee of its planar gait models); see [`CoupledJoint`] for the convention. Boxed so that the common joints
    /// keep [`Body`] small.
    Coupled(Box<CoupledJoint>),
}

impl JointKind {
    /// A [`JointKind::Coupled`] joint.
    #[must_use]
    pub fn coupled(joint: CoupledJoint) -> Self {
        Self::Coupled(Box::new(joint))
    }

    /// Unit of the joint coordinate, for recordings: `"rad"` for a revolute joint and for a coupled joint whose
    /// rotation depends on its coordinate, `"m"` for a prismatic joint and for a coupled joint with a constant
    /// rotation (a curved slide).
    #[must_use]
    pub fn coordinate_unit(&self) -> &'static str {
        match self {
            JointKind::Revolute { .. } => "rad",
            JointKind::Prismatic { .. } => "m",
            JointKind::Coupled(j) => {
                if j.rotation.is_constant() {
                    "m"
                } else {
                    "rad"
                }
            }
        }
    }
}

/// A joint whose child frame turns by `θ(q)` and whose child origin moves along `p(q) = (x(q), z(q))`, both
/// functions of the one coordinate `q` (OpenSim's `CustomJoint` restricted to the sagittal plane).
///
/// Convention:
/// * The joint frame `J` is the parent's frame translated to [`Body::joint_origin_m`] (parent coordinates) and
///   turned by the constant [`frame_angle_rad`](Self::frame_angle_rad) counter-clockwise in (x, z) (an OpenSim
///   offset frame turned about Z, whose planar angle is the same number).
/// * In `J`, the child frame's origin sits at `p(q) = (translation[0](q), translation[1](q))` and its axes are
///   turned by `θ(q) = rotation(q)` counter-clockwise in (x, z): the same sense in which
///   `Revolute { axis_y: -1.0 }` turns its child by `+q`.
/// * So the child frame, in the parent's, has angle `frame_angle + θ(q)` and origin
///   `joint_origin + R(frame_angle) p(q)`.
///
/// The existing joints are special cases: `Revolute { axis_y: -1.0 }` is `θ = q`, `p = 0` (and
/// `axis_y: +1.0` is `θ = -q`); `Prismatic { direction }` is `θ = 0`, `p = direction q`, both with
/// `frame_angle_rad = 0`. The motion subspace in body coordinates is
/// `S(q) = [θ'(q), R(θ(q))ᵀ p'(q)]`, which is why the kinematics must add the velocity-product term
/// `(dS/dq) q̇²`.
#[derive(Clone, Debug, PartialEq)]
pub struct CoupledJoint {
    /// Constant turn of the joint frame relative to the parent's frame, rad (counter-clockwise in x-z).
    pub frame_angle_rad: f64,
    /// `θ(q)`: turn of the child frame relative to the joint frame, rad (counter-clockwise in x-z).
    pub rotation: Curve,
    /// `[x(q), z(q)]`: the child frame's origin in the joint frame, m.
    pub translation: [Curve; 2],
}

/// One rigid body and the joint that attaches it to its parent.
#[derive(Clone, Debug, PartialEq)]
pub struct Body {
    /// Name, for errors and recordings (`"thigh"`, `"exo_shank"`).
    pub name: String,
    /// Parent body, `None` for a body attached to the base (the pelvis frame or the world).
    pub parent: Option<BodyId>,
    /// The joint.
    pub joint: JointKind,
    /// Joint frame origin in the parent's frame (parent's joint frame for bodies, base frame otherwise), m.
    pub joint_origin_m: Vector2<f64>,
    /// Mass properties in the body frame (whose origin is on the joint axis).
    pub inertia: SpatialInertia,
    /// Extra inertia felt on the joint coordinate only (reflected rotor inertia), kg m² (or kg).
    pub armature: f64,
    /// Viscous joint damping, N m s/rad (or N s/m).
    pub damping: f64,
}

/// Errors in building a model.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ModelError {
    /// A parent index refers to a body added later or missing.
    #[error("body `{body}`: parent {parent} must be added before its child")]
    ParentOrder {
        /// Child body name.
        body: String,
        /// Offending parent index.
        parent: usize,
    },
    /// A mass property is negative or not finite.
    #[error("body `{body}`: {field} must be finite and not negative (got {value})")]
    BadInertia {
        /// Body name.
        body: String,
        /// Field name.
        field: &'static str,
        /// The value given.
        value: f64,
    },
    /// Revolute axis not ±1 or prismatic direction not a unit vector.
    #[error("body `{body}`: joint axis must be +1/-1 (revolute) or a unit vector (prismatic)")]
    BadAxis {
        /// Body name.
        body: String,
    },
    /// A coupled joint's frame angle is not finite.
    #[error("body `{body}`: coupled joint frame angle must be finite (got {value})")]
    BadFrameAngle {
        /// Body name.
        body: String,
        /// The value given.
        value: f64,
    },
    /// A coupled joint's curve is invalid.
    #[error("body `{body}`: coupled joint {curve} curve: {source}")]
    BadCurve {
        /// Body name.
        body: String,
        /// `"rotation"`, `"translation x"` or `"translation z"`.
        curve: &'static str,
        /// What is wrong with it.
        source: CurveError,
    },
}

/// A validated multibody tree, bodies in topological order (every parent before its children).
#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    pub(crate) bodies: Vec<Body>,
    /// Cached spatial inertias about each body origin.
    pub(crate) inertia: Vec<Matrix3<f64>>,
    /// Cached tree transforms (joint placement in the parent).
    pub(crate) tree: Vec<Transform>,
    /// Gravity in world coordinates (x, z), m/s².
    pub gravity_m_per_s2: Vector2<f64>,
}

impl Model {
    /// Number of bodies, which is also the number of joint coordinates.
    #[must_use]
    pub fn len(&self) -> usize {
        self.bodies.len()
    }

    /// True for a model without bodies.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.bodies.is_empty()
    }

    /// The bodies.
    #[must_use]
    pub fn bodies(&self) -> &[Body] {
        &self.bodies
    }

    /// Finds a body by name.
    #[must_use]
    pub fn body_id(&self, name: &str) -> Option<BodyId> {
        self.bodies.iter().position(|b| b.name == name)
    }

    /// Total mass of the bodies, kg.
    #[must_use]
    pub fn total_mass_kg(&self) -> f64 {
        self.bodies.iter().map(|b| b.inertia.mass_kg).sum()
    }
}

/// Builds a [`Model`] body by body.
#[derive(Clone, Debug, Default)]
pub struct ModelBuilder {
    bodies: Vec<Body>,
    gravity: Option<Vector2<f64>>,
}

impl ModelBuilder {
    /// An empty model with gravity `(0, -9.81)` m/s² (z up).
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets gravity in world (x, z), m/s².
    #[must_use]
    pub fn gravity(mut self, g: Vector2<f64>) -> Self {
        self.gravity = Some(g);
        self
    }

    /// Adds a body; returns its id.
    pub fn add(&mut self, body: Body) -> BodyId {
        self.bodies.push(body);
        self.bodies.len() - 1
    }

    /// Adds planar translation in x then z (two massless prismatic bodies named `{prefix}_x` and `{prefix}_z`)
    /// below `parent`; returns `[x, z]`. The floating body's revolute joint attaches to the z body.
    pub fn add_planar_translation(&mut self, prefix: &str, parent: Option<BodyId>) -> [BodyId; 2] {
        let massless = SpatialInertia { mass_kg: 0.0, com_m: Vector2::zeros(), inertia_kg_m2: 0.0 };
        let slide = |this: &mut Self, axis: &str, direction: Vector2<f64>, parent: Option<BodyId>| {
            this.add(Body {
                name: format!("{prefix}_{axis}"),
                parent,
                joint: JointKind::Prismatic { direction },
                joint_origin_m: Vector2::zeros(),
                inertia: massless,
                armature: 0.0,
                damping: 0.0,
            })
        };
        let x = slide(self, "x", Vector2::new(1.0, 0.0), parent);
        let z = slide(self, "z", Vector2::new(0.0, 1.0), Some(x));
        [x, z]
    }

    /// Changes the armature of body `id` (ignored for an unknown id).
    pub fn set_armature(&mut self, id: BodyId, armature: f64) {
        if let Some(b) = self.bodies.get_mut(id) {
            b.armature = armature;
        }
    }

    /// Validates and finishes the model.
    pub fn build(self) -> Result<Model, ModelError> {
        for (i, b) in self.bodies.iter().enumerate() {
            if let Some(p) = b.parent
                && p >= i
            {
                return Err(ModelError::ParentOrder { body: b.name.clone(), parent: p });
            }
            for (field, value) in [
                ("mass_kg", b.inertia.mass_kg),
                ("inertia_kg_m2", b.inertia.inertia_kg_m2),
                ("armature", b.armature),
                ("damping", b.damping),
            ] {
                if !value.is_finite() || value < 0.0 {
                    return Err(ModelError::BadInertia { body: b.name.clone(), field, value });
                }
            }
            let ok = match &b.joint {
                JointKind::Revolute { axis_y } => *axis_y == 1.0 || *axis_y == -1.0,
                JointKind::Prismatic { direction } => (direction.norm() - 1.0).abs() < 1e-9,
                JointKind::Coupled(j) => {
                    if !j.frame_angle_rad.is_finite() {
                        return Err(ModelError::BadFrameAngle { body: b.name.clone(), value: j.frame_angle_rad });
                    }
                    let [x, z] = &j.translation;
                    for (curve, c) in [("rotation", &j.rotation), ("translation x", x), ("translation z", z)] {
                        c.validate().map_err(|source| ModelError::BadCurve { body: b.name.clone(), curve, source })?;
                    }
                    true
                }
            };
            if !ok {
                return Err(ModelError::BadAxis { body: b.name.clone() });
            }
        }
        let inertia = self.bodies.iter().map(|b| b.inertia.matrix()).collect();
        // The tree transform places the joint frame: a translation, turned by the frame angle of a coupled joint
        // (revolute and prismatic joints only read its origin).
        let tree = self
            .bodies
            .iter()
            .map(|b| match &b.joint {
                JointKind::Coupled(j) => Transform::new(j.frame_angle_rad, b.joint_origin_m),
                _ => Transform::new(0.0, b.joint_origin_m),
            })
            .collect();
        Ok(Model {
            bodies: self.bodies,
            inertia,
            tree,
            gravity_m_per_s2: self.gravity.unwrap_or(Vector2::new(0.0, -9.81)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_coupled_joint_needs_a_finite_frame_angle() {
        let joint = JointKind::coupled(CoupledJoint {
            frame_angle_rad: f64::NAN,
            rotation: Curve::linear(1.0, 0.0).unwrap(),
            translation: [Curve::constant(0.0).unwrap(), Curve::constant(-0.4).unwrap()],
        });
        assert_eq!(joint.coordinate_unit(), "rad");
        let mut b = ModelBuilder::new();
        b.add(Body {
            name: "shank".into(),
            parent: None,
            joint,
            joint_origin_m: Vector2::zeros(),
            inertia: SpatialInertia { mass_kg: 1.0, com_m: Vector2::zeros(), inertia_kg_m2: 0.1 },
            armature: 0.0,
            damping: 0.0,
        });
        let err = b.build().unwrap_err();
        assert!(matches!(err, ModelError::BadFrameAngle { .. }));
        assert_eq!(err.to_string(), "body `shank`: coupled joint frame angle must be finite (got NaN)");
    }
}
