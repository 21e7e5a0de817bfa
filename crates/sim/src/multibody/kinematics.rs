//! Forward kinematics: body transforms, world poses and spatial velocities from the joint state.

use nalgebra::{Vector2, Vector3};

use super::model::{JointKind, Model};
use super::spatial::{Pose2, Transform, cross_motion};

/// Prescribed motion of the base frame (the pelvis when it is fixed or driven), in world coordinates.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BaseMotion {
    /// Base pose in the world.
    pub pose: Pose2,
    /// Angular velocity, rad/s (counter-clockwise in x-z).
    pub angular_velocity_rad_per_s: f64,
    /// Velocity of the base origin, m/s (world).
    pub velocity_m_per_s: Vector2<f64>,
    /// Angular acceleration, rad/s².
    pub angular_acceleration_rad_per_s2: f64,
    /// Acceleration of the base origin, m/s² (world).
    pub acceleration_m_per_s2: Vector2<f64>,
}

impl BaseMotion {
    /// A base fixed at `pose`.
    #[must_use]
    pub fn fixed(pose: Pose2) -> Self {
        Self {
            pose,
            angular_velocity_rad_per_s: 0.0,
            velocity_m_per_s: Vector2::zeros(),
            angular_acceleration_rad_per_s2: 0.0,
            acceleration_m_per_s2: Vector2::zeros(),
        }
    }
}

/// Kinematic quantities of every body for one state; scratch space reused across calls.
#[derive(Clone, Debug)]
pub struct Kinematics {
    /// Transform from each body's parent frame to the body frame.
    pub x_up: Vec<Transform>,
    /// World pose of each body frame.
    pub pose: Vec<Pose2>,
    /// Spatial velocity of each body in body coordinates.
    pub v: Vec<Vector3<f64>>,
    /// Velocity-product acceleration `v × S qd` of each body.
    pub c: Vec<Vector3<f64>>,
    /// Joint motion subspace of each body.
    pub s: Vec<Vector3<f64>>,
    /// Base spatial velocity in base coordinates.
    pub base_v: Vector3<f64>,
    /// Base spatial acceleration in base coordinates, gravity folded in (`a_base - g`).
    pub base_a: Vector3<f64>,
    /// Base pose.
    pub base_pose: Pose2,
}

impl Kinematics {
    /// Scratch space for `model`.
    #[must_use]
    pub fn new(model: &Model) -> Self {
        let n = model.len();
        Self {
            x_up: vec![Transform::IDENTITY; n],
            pose: vec![Pose2::IDENTITY; n],
            v: vec![Vector3::zeros(); n],
            c: vec![Vector3::zeros(); n],
            s: model.bodies.iter().map(motion_subspace).collect(),
            base_v: Vector3::zeros(),
            base_a: Vector3::zeros(),
            base_pose: Pose2::IDENTITY,
        }
    }

    /// Computes every body's transform, world pose, velocity and velocity-product term.
    pub fn update(&mut self, model: &Model, base: &BaseMotion, q: &[f64], qd: &[f64]) {
        self.base_pose = base.pose;
        let w = base.angular_velocity_rad_per_s;
        let v_lin = base.pose.vector_from_parent(&base.velocity_m_per_s);
        self.base_v = Vector3::new(w, v_lin.x, v_lin.y);
        // Spatial (not classical) acceleration of the base origin, minus gravity (Featherstone's trick: the base
        // accelerates upwards instead of every body feeling gravity).
        let vw = base.velocity_m_per_s;
        let a_spatial = base.acceleration_m_per_s2 - w * Vector2::new(-vw.y, vw.x) - model.gravity_m_per_s2;
        let a_lin = base.pose.vector_from_parent(&a_spatial);
        self.base_a = Vector3::new(base.angular_acceleration_rad_per_s2, a_lin.x, a_lin.y);

        for i in 0..model.len() {
            let body = &model.bodies[i];
            let tree = &model.tree[i];
            let (x_up, joint_angle) = match body.joint {
                JointKind::Revolute { axis_y } => {
                    let angle = -axis_y * q[i];
                    let (s, c) = angle.sin_cos();
                    (Transform { c, s, r: tree.r }, angle)
                }
                JointKind::Prismatic { direction } => (Transform { c: 1.0, s: 0.0, r: tree.r + direction * q[i] }, 0.0),
            };
            self.x_up[i] = x_up;
            let (parent_pose, parent_v) = match body.parent {
                Some(p) => (self.pose[p], self.v[p]),
                None => (self.base_pose, self.base_v),
            };
            // World rotation by composition: no sin_cos beyond the joint's own.
            let (pc, ps) = parent_pose.rotation();
            let rotation = (pc * x_up.c - ps * x_up.s, ps * x_up.c + pc * x_up.s);
            self.pose[i] = Pose2::from_rotation(
                parent_pose.angle_rad + joint_angle,
                rotation,
                parent_pose.point_to_parent(&x_up.r),
            );
            let vj = self.s[i] * qd[i];
            let v = x_up.apply_motion(&parent_v) + vj;
            self.v[i] = v;
            self.c[i] = cross_motion(&v, &vj);
        }
    }

    /// World velocity (m/s) of a point fixed in body `i`, given in body coordinates.
    #[inline]
    #[must_use]
    pub fn point_velocity(&self, i: usize, p_body: &Vector2<f64>) -> Vector2<f64> {
        let v = &self.v[i];
        let local = Vector2::new(v.y - v.x * p_body.y, v.z + v.x * p_body.x);
        self.pose[i].vector_to_parent(&local)
    }

    /// World angular velocity of body `i`, rad/s (counter-clockwise in x-z).
    #[must_use]
    pub fn angular_velocity(&self, i: usize) -> f64 {
        self.v[i].x
    }

    /// Converts a world force applied at a world point on body `i` into a body-frame spatial force.
    #[must_use]
    pub fn world_force_to_body(
        &self,
        i: usize,
        point_world: &Vector2<f64>,
        force_world: &Vector2<f64>,
    ) -> Vector3<f64> {
        let r = point_world - self.pose[i].origin_m;
        let moment = r.x * force_world.y - r.y * force_world.x;
        let f = self.pose[i].vector_from_parent(force_world);
        Vector3::new(moment, f.x, f.y)
    }
}

impl Kinematics {
    /// Adds to `out` the generalised force of a world force `force_world` at `point_world` plus a moment
    /// `moment` (counter-clockwise in x-z), applied to body `body`: one entry per coordinate, non-zero for the
    /// body's joint and its ancestors.
    pub fn add_generalized_force(
        &self,
        model: &Model,
        body: usize,
        point_world: &Vector2<f64>,
        force_world: &Vector2<f64>,
        moment: f64,
        out: &mut [f64],
    ) {
        let mut b = Some(body);
        while let Some(i) = b {
            let pose = &self.pose[i];
            out[i] += match model.bodies[i].joint {
                JointKind::Revolute { axis_y } => {
                    let r = point_world - pose.origin_m;
                    -axis_y * (r.x * force_world.y - r.y * force_world.x + moment)
                }
                JointKind::Prismatic { direction } => pose.vector_to_parent(&direction).dot(force_world),
            };
            b = model.bodies[i].parent;
        }
    }
}

/// The joint motion subspace `S` of a body (in body coordinates).
pub(crate) fn motion_subspace(body: &super::model::Body) -> Vector3<f64> {
    match body.joint {
        JointKind::Revolute { axis_y } => Vector3::new(-axis_y, 0.0, 0.0),
        JointKind::Prismatic { direction } => Vector3::new(0.0, direction.x, direction.y),
    }
}
