//! Forward kinematics: body transforms, world poses and spatial velocities from the joint state.

use nalgebra::{Vector2, Vector3};

use super::model::{CoupledJoint, JointKind, Model};
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
    /// Velocity-product acceleration of each body, body coordinates: `v × S qd`, plus `(dS/dq) qd²` for a coupled
    /// joint (whose `S` depends on `q`).
    pub c: Vec<Vector3<f64>>,
    /// Joint motion subspace of each body, body coordinates (constant for revolute and prismatic joints, updated
    /// by [`Kinematics::update`] for coupled ones).
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
            // `c_j = (dS/dq) qd²`: zero for the constant-subspace joints, which leave `s[i]` as `new` set it.
            let (x_up, joint_angle, c_j) = match &body.joint {
                JointKind::Revolute { axis_y } => {
                    let angle = -axis_y * q[i];
                    let (s, c) = angle.sin_cos();
                    (Transform { c, s, r: tree.r }, angle, Vector3::zeros())
                }
                JointKind::Prismatic { direction } => {
                    (Transform { c: 1.0, s: 0.0, r: tree.r + direction * q[i] }, 0.0, Vector3::zeros())
                }
                JointKind::Coupled(joint) => {
                    let (x_up, angle, s, ds_dq) = coupled_joint(joint, tree, q[i]);
                    self.s[i] = s;
                    (x_up, angle, ds_dq * (qd[i] * qd[i]))
                }
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
            self.c[i] = cross_motion(&v, &vj) + c_j;
        }
    }

    /// Recomputes every body's velocity for joint speeds `qd` at the positions of the last [`Kinematics::update`]
    /// (the same `q`; base velocity as then). The velocity-product terms `c` are left as they were: they belong to
    /// the speeds of that update. For Jacobian columns (one unit speed at a time) without redoing the positions.
    pub fn update_velocities(&mut self, model: &Model, qd: &[f64]) {
        for i in 0..model.len() {
            let parent_v = match model.bodies[i].parent {
                Some(p) => self.v[p],
                None => self.base_v,
            };
            self.v[i] = self.x_up[i].apply_motion(&parent_v) + self.s[i] * qd[i];
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
            out[i] += match &model.bodies[i].joint {
                JointKind::Revolute { axis_y } => {
                    let r = point_world - pose.origin_m;
                    -*axis_y * (r.x * force_world.y - r.y * force_world.x + moment)
                }
                JointKind::Prismatic { direction } => pose.vector_to_parent(direction).dot(force_world),
                // Sᵀ f with f the body-coordinate spatial force (moment about the body origin first).
                JointKind::Coupled(_) => {
                    let f = self.world_force_to_body(i, point_world, force_world);
                    self.s[i].dot(&Vector3::new(f.x + moment, f.y, f.z))
                }
            };
            b = model.bodies[i].parent;
        }
    }
}

/// The joint motion subspace `S` of a body (in body coordinates); a coupled joint's at `q = 0` (its kinematics
/// update replaces it).
pub(crate) fn motion_subspace(body: &super::model::Body) -> Vector3<f64> {
    match &body.joint {
        JointKind::Revolute { axis_y } => Vector3::new(-axis_y, 0.0, 0.0),
        JointKind::Prismatic { direction } => Vector3::new(0.0, direction.x, direction.y),
        JointKind::Coupled(joint) => coupled_joint(joint, &Transform::IDENTITY, 0.0).2,
    }
}

/// A coupled joint at coordinate `q`: the transform from the parent's frame to the body's, the body angle relative
/// to the parent, the motion subspace `S(q)` and its derivative `dS/dq`, both in body coordinates. `tree` is the
/// joint frame in the parent (angle `α` = the frame angle, origin `o` = the joint origin).
///
/// Derivation (Featherstone, *Rigid Body Dynamics Algorithms*, 2008: section 2.16 for the planar algebra, chapter 3
/// for the velocity and acceleration across a joint, section 4.4 for joint models, where a joint whose motion
/// subspace varies contributes `c_J = S̊ q̇`, `S̊` the apparent derivative of `S` in the successor's coordinates,
/// which for an `S` that depends on `q` alone is `(dS/dq) q̇`). Write `R(φ)` for the counter-clockwise rotation of
/// (x, z) by `φ`.
///
/// * Placement: the body frame in the joint frame has angle `θ(q)` and origin `p(q)`; composed with the tree
///   transform, in the parent it has angle `α + θ` and origin `o + R(α) p`, so `x_up = X_J(q) X_T`.
/// * Velocity of the body relative to the parent: angular `θ' q̇`; the body-fixed point at the body origin moves,
///   relative to the parent, at `d/dt (o + R(α) p(q)) = R(α) p' q̇` (parent coordinates). In body coordinates
///   (rotate by `R(α + θ)ᵀ`) that is `R(θ)ᵀ p' q̇`, so `S(q) = [θ', R(θ)ᵀ p']`, with `w = R(θ)ᵀ p'`,
///   `w = (cos θ p'_x + sin θ p'_z, -sin θ p'_x + cos θ p'_z)`.
/// * Acceleration: `v_i = X(q) v_parent + S(q) q̇` in body coordinates. A body's spatial acceleration in its own
///   coordinates is the time derivative of its velocity's coordinates (`v_i × v_i = 0`), and `Ẋ = -(S q̇) × X`,
///   so `a_i = X a_parent + S q̈ + v_i × (S q̇) + (dS/dq) q̇²`: the usual velocity product plus
///   `c_J = (dS/dq) q̇²`.
/// * `dS/dq`: `d/dq θ' = θ''`; `d/dq R(θ)ᵀ p' = R(θ)ᵀ p'' + θ' (dR(θ)ᵀ/dθ) p'`, and `dR(θ)ᵀ/dθ u = (w_z, -w_x)`
///   for `w = R(θ)ᵀ u`. So `dS/dq = [θ'', R(θ)ᵀ p'' + θ' (w_z, -w_x)]`.
///
/// Checks: `θ = q, p = 0` gives `S = [1, 0, 0]`, `dS/dq = 0` (a `Revolute { axis_y: -1 }`); `θ = 0, p = d q`
/// gives `S = [0, d]`, `dS/dq = 0` (a `Prismatic`).
fn coupled_joint(joint: &CoupledJoint, tree: &Transform, q: f64) -> (Transform, f64, Vector3<f64>, Vector3<f64>) {
    let theta = joint.rotation.evaluate(q);
    let [x, z] = &joint.translation;
    let (px, pz) = (x.evaluate(q), z.evaluate(q));
    let (s, c) = theta.value.sin_cos();
    let x_j = Transform { c, s, r: Vector2::new(px.value, pz.value) };
    let x_up = x_j.compose(tree);
    // R(θ)ᵀ u.
    let rt = |ux: f64, uz: f64| (c * ux + s * uz, -s * ux + c * uz);
    let (wx, wz) = rt(px.first, pz.first);
    let (ax, az) = rt(px.second, pz.second);
    let s_q = Vector3::new(theta.first, wx, wz);
    let ds_dq = Vector3::new(theta.second, ax + theta.first * wz, az - theta.first * wx);
    (x_up, joint.frame_angle_rad + theta.value, s_q, ds_dq)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::multibody::{Body, Curve, Dynamics, ModelBuilder, SpatialInertia};

    fn body(parent: Option<usize>, joint: JointKind, origin: Vector2<f64>) -> Body {
        Body {
            name: format!("b{}", parent.map_or(0, |p| p + 1)),
            parent,
            joint,
            joint_origin_m: origin,
            inertia: SpatialInertia { mass_kg: 2.0, com_m: Vector2::new(0.05, -0.2), inertia_kg_m2: 0.03 },
            armature: 0.01,
            damping: 0.2,
        }
    }

    /// Two two-body chains that must move alike: the second joint `joint` or its coupled twin `twin`.
    fn pair(joint: JointKind, twin: JointKind) -> [Model; 2] {
        [joint, twin].map(|j| {
            let mut b = ModelBuilder::new();
            let root = b.add(body(None, JointKind::Revolute { axis_y: -1.0 }, Vector2::new(0.1, 0.0)));
            b.add(body(Some(root), j, Vector2::new(0.02, -0.4)));
            b.build().unwrap()
        })
    }

    fn assert_alike(models: &[Model; 2]) {
        let mut kins = models.each_ref().map(Kinematics::new);
        let mut dyns = models.each_ref().map(Dynamics::new);
        let base = BaseMotion {
            pose: Pose2::new(0.3, Vector2::new(0.1, 1.0)),
            angular_velocity_rad_per_s: 0.7,
            velocity_m_per_s: Vector2::new(0.4, -0.2),
            angular_acceleration_rad_per_s2: -1.5,
            acceleration_m_per_s2: Vector2::new(0.3, 2.0),
        };
        for k in 0..20 {
            let t = f64::from(k);
            let (q, qd) = ([0.7 * t.sin(), 1.3 * (0.4 * t).cos()], [2.0 * (1.7 * t).cos(), -3.0 * (0.9 * t).sin()]);
            let mut qdd = [[0.0; 2]; 2];
            for m in 0..2 {
                kins[m].update(&models[m], &base, &q, &qd);
                dyns[m].forward(
                    &models[m],
                    &kins[m],
                    &qd,
                    &[1.0, -2.0],
                    &[Vector3::new(0.1, 2.0, -1.0); 2],
                    &mut qdd[m],
                );
            }
            let [a, b] = &kins;
            for i in 0..2 {
                assert!((a.v[i] - b.v[i]).norm() < 1e-13);
                assert!((a.c[i] - b.c[i]).norm() < 1e-13);
                assert!((a.s[i] - b.s[i]).norm() < 1e-15);
                assert!((a.pose[i].origin_m - b.pose[i].origin_m).norm() < 1e-15);
                assert!((a.pose[i].angle_rad - b.pose[i].angle_rad).abs() < 1e-15);
                assert!((qdd[0][i] - qdd[1][i]).abs() < 1e-12, "{qdd:?}");
            }
            let (mut fa, mut fb) = ([0.0; 2], [0.0; 2]);
            let (p, f) = (Vector2::new(0.3, 0.2), Vector2::new(-4.0, 7.0));
            a.add_generalized_force(&models[0], 1, &p, &f, 0.5, &mut fa);
            b.add_generalized_force(&models[1], 1, &p, &f, 0.5, &mut fb);
            assert!((fa[0] - fb[0]).abs() < 1e-13 && (fa[1] - fb[1]).abs() < 1e-13, "{fa:?} {fb:?}");
        }
    }

    fn coupled(rotation: Curve, x: Curve, z: Curve) -> JointKind {
        JointKind::coupled(CoupledJoint { frame_angle_rad: 0.0, rotation, translation: [x, z] })
    }

    #[test]
    fn a_coupled_joint_with_theta_q_and_no_translation_is_a_revolute_joint() {
        let zero = || Curve::constant(0.0).unwrap();
        for axis_y in [-1.0, 1.0] {
            let twin = coupled(Curve::linear(-axis_y, 0.0).unwrap(), zero(), zero());
            assert_alike(&pair(JointKind::Revolute { axis_y }, twin));
        }
    }

    #[test]
    fn a_coupled_joint_with_no_rotation_and_linear_translation_is_a_prismatic_joint() {
        let d = Vector2::new(0.6, -0.8);
        let twin =
            coupled(Curve::constant(0.0).unwrap(), Curve::linear(d.x, 0.0).unwrap(), Curve::linear(d.y, 0.0).unwrap());
        assert_alike(&pair(JointKind::Prismatic { direction: d }, twin));
    }

    #[test]
    fn the_frame_angle_turns_the_joint_frame() {
        // Frame turned by α, then θ = q: the child's angle is α + q, its origin the joint origin plus R(α) p.
        let alpha = 0.4;
        let joint = JointKind::coupled(CoupledJoint {
            frame_angle_rad: alpha,
            rotation: Curve::linear(1.0, 0.0).unwrap(),
            translation: [Curve::constant(0.1).unwrap(), Curve::constant(0.0).unwrap()],
        });
        let mut b = ModelBuilder::new();
        b.add(body(None, joint, Vector2::new(1.0, 2.0)));
        let model = b.build().unwrap();
        let mut kin = Kinematics::new(&model);
        kin.update(&model, &BaseMotion::fixed(Pose2::IDENTITY), &[0.3], &[0.0]);
        assert!((kin.pose[0].angle_rad - 0.7).abs() < 1e-15);
        let expected = Vector2::new(1.0 + 0.1 * alpha.cos(), 2.0 + 0.1 * alpha.sin());
        assert!((kin.pose[0].origin_m - expected).norm() < 1e-15);
        let (c, s) = kin.pose[0].rotation();
        assert!((c - 0.7f64.cos()).abs() < 1e-15 && (s - 0.7f64.sin()).abs() < 1e-15);
    }
}
