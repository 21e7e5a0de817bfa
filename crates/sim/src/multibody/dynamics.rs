//! Forward dynamics (articulated-body algorithm), inverse dynamics (recursive Newton-Euler) and energy.

use nalgebra::{Matrix3, Vector3};

use super::kinematics::Kinematics;
use super::model::Model;
use super::spatial::cross_force;

/// Scratch space for the dynamics algorithms of one model.
#[derive(Clone, Debug)]
pub struct Dynamics {
    ia: Vec<Matrix3<f64>>,
    pa: Vec<Vector3<f64>>,
    u_vec: Vec<Vector3<f64>>,
    d: Vec<f64>,
    u: Vec<f64>,
    a: Vec<Vector3<f64>>,
    f: Vec<Vector3<f64>>,
}

impl Dynamics {
    /// Scratch space for `model`.
    #[must_use]
    pub fn new(model: &Model) -> Self {
        let n = model.len();
        Self {
            ia: vec![Matrix3::zeros(); n],
            pa: vec![Vector3::zeros(); n],
            u_vec: vec![Vector3::zeros(); n],
            d: vec![0.0; n],
            u: vec![0.0; n],
            a: vec![Vector3::zeros(); n],
            f: vec![Vector3::zeros(); n],
        }
    }

    /// Joint accelerations `qdd` from joint forces `tau` and external body forces `f_ext` (body coordinates),
    /// for the state whose kinematics `kin` holds. Featherstone's articulated-body algorithm, O(n).
    pub fn forward(
        &mut self,
        model: &Model,
        kin: &Kinematics,
        qd: &[f64],
        tau: &[f64],
        f_ext: &[Vector3<f64>],
        qdd: &mut [f64],
    ) {
        let n = model.len();
        for i in 0..n {
            let inertia = &model.inertia[i];
            let v = &kin.v[i];
            self.ia[i] = *inertia;
            self.pa[i] = cross_force(v, &(inertia * v)) - f_ext[i];
        }
        for i in (0..n).rev() {
            let body = &model.bodies[i];
            let s = &kin.s[i];
            let u_vec = self.ia[i] * s;
            let d = s.dot(&u_vec) + body.armature;
            let u = tau[i] - body.damping * qd[i] - s.dot(&self.pa[i]);
            self.u_vec[i] = u_vec;
            self.d[i] = d;
            self.u[i] = u;
            if let Some(p) = body.parent {
                let ia = self.ia[i] - u_vec * u_vec.transpose() / d;
                let pa = self.pa[i] + ia * kin.c[i] + u_vec * (u / d);
                let x = &kin.x_up[i];
                self.ia[p] += x.inertia_to_parent(&ia);
                self.pa[p] += x.apply_force_transpose(&pa);
            }
        }
        for i in 0..n {
            let body = &model.bodies[i];
            let parent_a = match body.parent {
                Some(p) => self.a[p],
                None => kin.base_a,
            };
            let a = kin.x_up[i].apply_motion(&parent_a) + kin.c[i];
            let acc = (self.u[i] - self.u_vec[i].dot(&a)) / self.d[i];
            qdd[i] = acc;
            self.a[i] = a + kin.s[i] * acc;
        }
    }

    /// Joint forces `tau` that produce accelerations `qdd` in the state of `kin`, with external body forces
    /// `f_ext` (body coordinates). Recursive Newton-Euler, O(n). Joint damping and armature are included, so
    /// `inverse(forward(tau)) == tau`.
    pub fn inverse(
        &mut self,
        model: &Model,
        kin: &Kinematics,
        qd: &[f64],
        qdd: &[f64],
        f_ext: &[Vector3<f64>],
        tau: &mut [f64],
    ) {
        let n = model.len();
        for i in 0..n {
            let body = &model.bodies[i];
            let parent_a = match body.parent {
                Some(p) => self.a[p],
                None => kin.base_a,
            };
            let a = kin.x_up[i].apply_motion(&parent_a) + kin.s[i] * qdd[i] + kin.c[i];
            self.a[i] = a;
            let inertia = &model.inertia[i];
            let v = &kin.v[i];
            self.f[i] = inertia * a + cross_force(v, &(inertia * v)) - f_ext[i];
        }
        for i in (0..n).rev() {
            let body = &model.bodies[i];
            tau[i] = kin.s[i].dot(&self.f[i]) + body.armature * qdd[i] + body.damping * qd[i];
            if let Some(p) = body.parent {
                let f = kin.x_up[i].apply_force_transpose(&self.f[i]);
                self.f[p] += f;
            }
        }
    }

    /// Kinetic energy (J) of the bodies, armature included.
    #[must_use]
    pub fn kinetic_energy(model: &Model, kin: &Kinematics, qd: &[f64]) -> f64 {
        let mut e = 0.0;
        for i in 0..model.len() {
            let v = &kin.v[i];
            e += 0.5 * v.dot(&(model.inertia[i] * v)) + 0.5 * model.bodies[i].armature * qd[i] * qd[i];
        }
        e
    }

    /// Gravitational potential energy (J), zero at the world origin.
    #[must_use]
    pub fn potential_energy(model: &Model, kin: &Kinematics) -> f64 {
        let g = model.gravity_m_per_s2;
        let mut e = 0.0;
        for i in 0..model.len() {
            let b = &model.bodies[i];
            let com = kin.pose[i].point_to_parent(&b.inertia.com_m);
            e -= b.inertia.mass_kg * g.dot(&com);
        }
        e
    }
}
