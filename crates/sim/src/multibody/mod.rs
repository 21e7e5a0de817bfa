//! Reduced-coordinate rigid-body dynamics in the sagittal plane.
//!
//! The leg, the exoskeleton and the pelvis move in the sagittal (x-z) plane: every joint axis is parallel to the
//! world y axis. Featherstone's planar spatial algebra (3-component motion and force vectors `[ω, vx, vz]`,
//! `[n, fx, fz]`) makes one articulated-body step several times cheaper than full 3-D while computing the same
//! motion for such models. The same model can be stepped by rapier3d in full 3-D (see [`crate::rapier`]) to
//! cross-check it.
//!
//! Joints are revolute, prismatic, or coupled ([`CoupledJoint`]: rotation and translation both functions of the one
//! coordinate, given as [`Curve`]s, as OpenSim's `CustomJoint` knee), whose motion subspace depends on the
//! coordinate and adds a velocity-product term to the kinematics.
//!
//! Pipeline objects ([`Kinematics`], [`Dynamics`]) own only scratch space; the state ([`State`]) is passed in.

mod curve;
mod dynamics;
mod integrator;
mod kinematics;
mod model;
mod spatial;

pub use curve::{Curve, CurveError, CurvePoint};
pub use dynamics::Dynamics;
pub use integrator::{Integrator, Rk4, SecondOrder, SemiImplicitEuler};
pub use kinematics::{BaseMotion, Kinematics};
pub use model::{Body, BodyId, CoupledJoint, JointKind, Model, ModelBuilder, ModelError};
pub use spatial::{Pose2, SpatialInertia, Transform, cross_force, cross_motion};

/// Generalised coordinates and velocities of a model, one entry per joint.
#[derive(Clone, Debug, PartialEq)]
pub struct State {
    /// Joint positions, rad (revolute) or m (prismatic); a coupled joint's coordinate is in the unit its curves
    /// take (rad for an OpenSim knee angle).
    pub q: Vec<f64>,
    /// Joint velocities, rad/s or m/s (coordinate unit per second).
    pub qd: Vec<f64>,
}

impl State {
    /// Zero state for `n` joints.
    #[must_use]
    pub fn zeros(n: usize) -> Self {
        Self { q: vec![0.0; n], qd: vec![0.0; n] }
    }
}
