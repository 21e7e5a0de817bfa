//! The coupled joint (rotation and translation functions of one coordinate, OpenSim's `CustomJoint` knee) against
//! answers this test computes itself:
//!
//! * the curve of the knee translation (a natural cubic spline this test fits through the knots of `knee_r` in
//!   `assets/models/gait10dof18musc/subject01.osim`, scaled by 1.14724) against the spline in its own
//!   second-derivative form and against central differences;
//! * body velocities and accelerations against finite differences of the poses, and the poses against positions
//!   written out here;
//! * two closed forms: a disc rolling without slipping, `(I_c + m r²) q̈ = τ`, and a bead on a parabola;
//! * a hip-knee-ankle chain whose knee is the coupled joint, against its Lagrangian: `M(q)` and the gravity term
//!   from complex-step derivatives of positions written out here (no engine code), the Coriolis term from central
//!   differences of `M`; plus the ID/FD round trip and energy conservation of a 10 s passive swing.

use exo_sim::multibody::{
    BaseMotion, Body, CoupledJoint, Curve, Dynamics, Integrator, JointKind, Kinematics, Model, ModelBuilder, Pose2,
    Rk4, SecondOrder, SpatialInertia, State,
};
use nalgebra::{Complex, Matrix3, Vector2, Vector3};

type C = Complex<f64>;

const G: f64 = 9.81;
/// OpenSim's `MultiplierFunction` scale on the knee translation splines of subject01.
const KNEE_SCALE: f64 = 1.14724;
/// `knee_r` translation1 (x) SimmSpline knots, rad, and values, m (before scaling). The numbers as the file writes
/// them (some are rounded multiples of π).
#[allow(clippy::approx_constant)]
const KNEE_X_Q: [f64; 12] = [
    -2.0944, -1.74533, -1.39626, -1.0472, -0.698132, -0.349066, -0.174533, 0.197344, 0.337395, 0.490178, 1.52146,
    2.0944,
];
const KNEE_X_V: [f64; 12] =
    [-0.0032, 0.00179, 0.00411, 0.0041, 0.00212, -0.001, -0.0031, -0.005227, -0.005435, -0.005574, -0.005435, -0.00525];
/// `knee_r` translation2 (OpenSim y, the engine's z) SimmSpline knots and values, as the file writes them.
#[allow(clippy::approx_constant)]
const KNEE_Z_Q: [f64; 7] = [-2.0944, -1.22173, -0.523599, -0.349066, -0.174533, 0.159149, 2.0944];
const KNEE_Z_V: [f64; 7] = [-0.4226, -0.4082, -0.399, -0.3976, -0.3966, -0.395264, -0.396];

fn rng(seed: u64) -> impl FnMut() -> f64 {
    let mut s = seed;
    move || {
        s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((s >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
    }
}

// ---------------------------------------------------------------------------------------------------------------
// A natural cubic spline, computed here in second-derivative form (independent of the engine's coefficient form).

struct Spline {
    x: Vec<f64>,
    y: Vec<f64>,
    /// Second derivatives at the knots (zero at both ends).
    m: Vec<f64>,
}

impl Spline {
    fn natural(x: &[f64], y: &[f64]) -> Self {
        let n = x.len();
        let h: Vec<f64> = (0..n - 1).map(|j| x[j + 1] - x[j]).collect();
        // Tridiagonal system for M_1..M_{n-2}: h_{j-1} M_{j-1} + 2 (h_{j-1} + h_j) M_j + h_j M_{j+1} = r_j.
        let mut diag = vec![0.0; n];
        let mut rhs = vec![0.0; n];
        for j in 1..n - 1 {
            diag[j] = 2.0 * (h[j - 1] + h[j]);
            rhs[j] = 6.0 * ((y[j + 1] - y[j]) / h[j] - (y[j] - y[j - 1]) / h[j - 1]);
        }
        // Thomas algorithm (sub- and super-diagonals h_{j-1}, h_j).
        for j in 2..n - 1 {
            let w = h[j - 1] / diag[j - 1];
            diag[j] -= w * h[j - 1];
            rhs[j] -= w * rhs[j - 1];
        }
        let mut m = vec![0.0; n];
        for j in (1..n - 1).rev() {
            m[j] = (rhs[j] - h[j] * m[j + 1]) / diag[j];
        }
        Self { x: x.to_vec(), y: y.to_vec(), m }
    }

    fn scaled(mut self, k: f64) -> Self {
        self.y.iter_mut().for_each(|v| *v *= k);
        self.m.iter_mut().for_each(|v| *v *= k);
        self
    }

    fn end_slopes(&self) -> (f64, f64) {
        let n = self.x.len();
        let h0 = self.x[1] - self.x[0];
        let hn = self.x[n - 1] - self.x[n - 2];
        let left = (self.y[1] - self.y[0]) / h0 - h0 * (2.0 * self.m[0] + self.m[1]) / 6.0;
        let right = (self.y[n - 1] - self.y[n - 2]) / hn + hn * (self.m[n - 2] + 2.0 * self.m[n - 1]) / 6.0;
        (left, right)
    }

    /// Value at a complex coordinate (segment chosen by the real part), continued linearly outside the knots.
    fn eval(&self, q: C) -> C {
        let n = self.x.len();
        let (sl, sr) = self.end_slopes();
        if q.re < self.x[0] {
            return (q - self.x[0]) * sl + self.y[0];
        }
        if q.re > self.x[n - 1] {
            return (q - self.x[n - 1]) * sr + self.y[n - 1];
        }
        let j = (0..n - 1).rev().find(|&j| self.x[j] <= q.re).unwrap_or(0);
        let h = self.x[j + 1] - self.x[j];
        let (a, b) = (-q + self.x[j + 1], q - self.x[j]);
        a * a * a * (self.m[j] / (6.0 * h))
            + b * b * b * (self.m[j + 1] / (6.0 * h))
            + a * (self.y[j] / h - self.m[j] * h / 6.0)
            + b * (self.y[j + 1] / h - self.m[j + 1] * h / 6.0)
    }

    /// The same spline as an engine curve: coefficients from each segment's left knot.
    fn curve(&self) -> Curve {
        let coefficients = (0..self.x.len() - 1)
            .map(|j| {
                let h = self.x[j + 1] - self.x[j];
                [
                    self.y[j],
                    (self.y[j + 1] - self.y[j]) / h - h * (2.0 * self.m[j] + self.m[j + 1]) / 6.0,
                    self.m[j] / 2.0,
                    (self.m[j + 1] - self.m[j]) / (6.0 * h),
                ]
            })
            .collect();
        let (sl, sr) = self.end_slopes();
        Curve::piecewise_cubic(self.x.clone(), coefficients, sl, sr).unwrap()
    }
}

fn knee_splines() -> [Spline; 2] {
    [Spline::natural(&KNEE_X_Q, &KNEE_X_V).scaled(KNEE_SCALE), Spline::natural(&KNEE_Z_Q, &KNEE_Z_V).scaled(KNEE_SCALE)]
}

#[test]
fn knee_curve_matches_its_spline_through_the_knots_and_central_differences() {
    let splines = knee_splines();
    let mut worst_value: f64 = 0.0;
    let mut worst_d1: f64 = 0.0;
    let mut worst_d2: f64 = 0.0;
    for s in &splines {
        let curve = s.curve();
        for (x, y) in s.x.iter().zip(&s.y) {
            worst_value = worst_value.max((curve.value(*x) - y).abs());
        }
        // Across the knots and 0.5 rad beyond both ends (linear extrapolation).
        let h = 1e-5;
        for k in 0..=500 {
            let q = -2.6 + 5.2 * f64::from(k) / 500.0;
            let p = curve.evaluate(q);
            worst_value = worst_value.max((p.value - s.eval(C::new(q, 0.0)).re).abs());
            let d1 = (curve.value(q + h) - curve.value(q - h)) / (2.0 * h);
            let d2 = (curve.evaluate(q + h).first - curve.evaluate(q - h).first) / (2.0 * h);
            worst_d1 = worst_d1.max((p.first - d1).abs());
            worst_d2 = worst_d2.max((p.second - d2).abs());
            if q.abs() > 2.0944 {
                let (sl, sr) = s.end_slopes();
                assert_eq!(p.first, if q < 0.0 { sl } else { sr });
                assert_eq!(p.second, 0.0);
            }
        }
    }
    eprintln!("knee curves: value {worst_value:.1e} m, f' {worst_d1:.1e} m/rad, f'' {worst_d2:.1e} m/rad²");
    // Values to rounding; central differences with h = 1e-5: truncation ~h² f''' plus rounding ~1e-16/h.
    assert!(worst_value < 1e-15, "value {worst_value}");
    assert!(worst_d1 < 1e-9, "f' {worst_d1}");
    assert!(worst_d2 < 1e-8, "f'' {worst_d2}");
}

// ---------------------------------------------------------------------------------------------------------------
// The hip-knee-ankle chain.

/// Knee joint frame: origin in the thigh frame (m) and turn (rad).
const KNEE_ORIGIN: [f64; 2] = [0.01, -0.02];
const KNEE_FRAME_ANGLE: f64 = 0.1;
/// Ankle joint origin in the shank frame, m.
const ANKLE_ORIGIN: [f64; 2] = [0.0, -0.43];
/// (mass kg, centre of mass in the body frame m, inertia about it kg m²) of thigh, shank, foot.
const SEGMENTS: [(f64, [f64; 2], f64); 3] =
    [(8.0, [0.0, -0.2], 0.15), (3.5, [0.005, -0.18], 0.05), (1.2, [0.05, -0.03], 0.004)];

fn body(name: &str, parent: Option<usize>, joint: JointKind, origin: [f64; 2], k: usize) -> Body {
    let (m, c, i) = SEGMENTS[k];
    Body {
        name: name.into(),
        parent,
        joint,
        joint_origin_m: Vector2::new(origin[0], origin[1]),
        inertia: SpatialInertia { mass_kg: m, com_m: Vector2::new(c[0], c[1]), inertia_kg_m2: i },
        armature: 0.0,
        damping: 0.0,
    }
}

/// Thigh on a revolute hip (`axis_y = -1`: turns by `+q`), shank on the coupled knee (`θ = q`, the spline
/// translation, a turned joint frame), foot on a revolute ankle with `axis_y = +1` (turns by `-q`).
fn chain() -> Model {
    let [sx, sz] = knee_splines();
    let mut b = ModelBuilder::new();
    let thigh = b.add(body("thigh", None, JointKind::Revolute { axis_y: -1.0 }, [0.0, 0.0], 0));
    let knee = JointKind::coupled(CoupledJoint {
        frame_angle_rad: KNEE_FRAME_ANGLE,
        rotation: Curve::linear(1.0, 0.0).unwrap(),
        translation: [sx.curve(), sz.curve()],
    });
    let shank = b.add(body("shank", Some(thigh), knee, KNEE_ORIGIN, 1));
    b.add(body("foot", Some(shank), JointKind::Revolute { axis_y: 1.0 }, ANKLE_ORIGIN, 2));
    b.build().unwrap()
}

fn rot(phi: C, u: [C; 2]) -> [C; 2] {
    let (c, s) = (phi.cos(), phi.sin());
    [c * u[0] - s * u[1], s * u[0] + c * u[1]]
}

fn add(a: [C; 2], b: [C; 2]) -> [C; 2] {
    [a[0] + b[0], a[1] + b[1]]
}

fn real(u: [f64; 2]) -> [C; 2] {
    [C::new(u[0], 0.0), C::new(u[1], 0.0)]
}

/// World angle and origin of each body frame, and world centre of mass of each body, written from the geometry
/// alone (no engine code); complex so that complex-step differentiation goes through it.
fn positions(splines: &[Spline; 2], q: [C; 3]) -> ([C; 3], [[C; 2]; 3], [[C; 2]; 3]) {
    let phi1 = q[0];
    let o1 = real([0.0, 0.0]);
    let p = [splines[0].eval(q[1]), splines[1].eval(q[1])];
    let knee_frame = C::new(KNEE_FRAME_ANGLE, 0.0);
    let o2 = add(o1, rot(phi1, add(real(KNEE_ORIGIN), rot(knee_frame, p))));
    let phi2 = phi1 + KNEE_FRAME_ANGLE + q[1];
    let o3 = add(o2, rot(phi2, real(ANKLE_ORIGIN)));
    let phi3 = phi2 - q[2];
    let angles = [phi1, phi2, phi3];
    let origins = [o1, o2, o3];
    let coms = core::array::from_fn(|k| add(origins[k], rot(angles[k], real(SEGMENTS[k].1))));
    (angles, origins, coms)
}

/// Complex-step Jacobians (exact to rounding) of the body angles and centres of mass: `ja[k][j] = ∂φ_k/∂q_j`,
/// `jc[k][j] = ∂com_k/∂q_j`.
fn jacobians(splines: &[Spline; 2], q: &[f64; 3]) -> ([[f64; 3]; 3], [[[f64; 2]; 3]; 3]) {
    let h = 1e-30;
    let mut ja = [[0.0; 3]; 3];
    let mut jc = [[[0.0; 2]; 3]; 3];
    for j in 0..3 {
        let qc: [C; 3] = core::array::from_fn(|i| C::new(q[i], if i == j { h } else { 0.0 }));
        let (angles, _, coms) = positions(splines, qc);
        for k in 0..3 {
            ja[k][j] = angles[k].im / h;
            jc[k][j] = [coms[k][0].im / h, coms[k][1].im / h];
        }
    }
    (ja, jc)
}

/// `M(q)` from `T = ½ Σ m |ċom|² + I φ̇²`, with `ċom = Jc q̇`, `φ̇ = Ja q̇`.
fn mass_matrix(splines: &[Spline; 2], q: &[f64; 3]) -> Matrix3<f64> {
    let (ja, jc) = jacobians(splines, q);
    Matrix3::from_fn(|i, j| {
        (0..3)
            .map(|k| {
                let (m, _, inertia) = SEGMENTS[k];
                m * (jc[k][i][0] * jc[k][j][0] + jc[k][i][1] * jc[k][j][1]) + inertia * ja[k][i] * ja[k][j]
            })
            .sum()
    })
}

/// Lagrangian accelerations `M⁻¹ (τ - C - g)`: `C = Ṁ q̇ - ½ ∂(q̇ᵀ M q̇)/∂q` by central differences of `M`
/// (h = 1e-5), `g = ∂V/∂q` by complex step.
fn lagrangian_qdd(splines: &[Spline; 2], q: &[f64; 3], qd: &[f64; 3], tau: &[f64; 3]) -> Vector3<f64> {
    let h = 1e-5;
    let qd_v = Vector3::from_column_slice(qd);
    let shifted = |dir: &[f64; 3], s: f64| -> [f64; 3] { core::array::from_fn(|i| q[i] + s * dir[i]) };
    let m_dot = (mass_matrix(splines, &shifted(qd, h)) - mass_matrix(splines, &shifted(qd, -h))) / (2.0 * h);
    let mut half_grad = Vector3::zeros();
    for k in 0..3 {
        let e: [f64; 3] = core::array::from_fn(|i| if i == k { 1.0 } else { 0.0 });
        let tp = qd_v.dot(&(mass_matrix(splines, &shifted(&e, h)) * qd_v));
        let tm = qd_v.dot(&(mass_matrix(splines, &shifted(&e, -h)) * qd_v));
        half_grad[k] = 0.5 * (tp - tm) / (2.0 * h);
    }
    let coriolis = m_dot * qd_v - half_grad;
    let (_, jc) = jacobians(splines, q);
    // V = Σ m G z_com.
    let gravity = Vector3::from_fn(|j, _| (0..3).map(|k| SEGMENTS[k].0 * G * jc[k][j][1]).sum());
    let rhs = Vector3::from_column_slice(tau) - coriolis - gravity;
    mass_matrix(splines, q).lu().solve(&rhs).expect("M is positive definite")
}

fn random_state(rnd: &mut impl FnMut() -> f64) -> State {
    // Knee over and beyond its range (-2.09..0.17 rad) and its knots (±2.09 rad), into the linear extrapolation.
    State { q: vec![1.5 * rnd(), -1.2 + 1.5 * rnd(), 0.8 * rnd()], qd: (0..3).map(|_| 4.0 * rnd()).collect() }
}

#[test]
fn chain_forward_dynamics_matches_an_independent_lagrangian_to_1e_7() {
    let model = chain();
    let splines = knee_splines();
    let mut kin = Kinematics::new(&model);
    let mut dynamics = Dynamics::new(&model);
    let mut rnd = rng(7);
    let base = BaseMotion::fixed(Pose2::IDENTITY);
    let mut worst: f64 = 0.0;
    for _ in 0..20 {
        let s = random_state(&mut rnd);
        let tau = [30.0 * rnd(), 20.0 * rnd(), 5.0 * rnd()];
        kin.update(&model, &base, &s.q, &s.qd);
        let mut qdd = vec![0.0; 3];
        dynamics.forward(&model, &kin, &s.qd, &tau, &[Vector3::zeros(); 3], &mut qdd);
        let reference = lagrangian_qdd(&splines, &[s.q[0], s.q[1], s.q[2]], &[s.qd[0], s.qd[1], s.qd[2]], &tau);
        let err = (Vector3::from_column_slice(&qdd) - reference).norm() / reference.norm();
        worst = worst.max(err);
    }
    eprintln!("chain: max relative |qdd - qdd_lagrangian| over 20 states = {worst:.2e}");
    assert!(worst < 1e-7, "relative error {worst}");
}

#[test]
fn chain_poses_match_the_geometry_and_generalised_forces_match_virtual_work() {
    let model = chain();
    let splines = knee_splines();
    let mut kin = Kinematics::new(&model);
    let mut rnd = rng(11);
    let mut worst_pose: f64 = 0.0;
    let mut worst_force: f64 = 0.0;
    for _ in 0..50 {
        let s = random_state(&mut rnd);
        kin.update(&model, &BaseMotion::fixed(Pose2::IDENTITY), &s.q, &s.qd);
        let qc: [C; 3] = core::array::from_fn(|i| C::new(s.q[i], 0.0));
        let (angles, origins, _) = positions(&splines, qc);
        for k in 0..3 {
            let pose = &kin.pose[k];
            let (c, sn) = pose.rotation();
            worst_pose = worst_pose
                .max((pose.angle_rad - angles[k].re).abs())
                .max((c - angles[k].re.cos()).abs())
                .max((sn - angles[k].re.sin()).abs())
                .max((pose.origin_m.x - origins[k][0].re).abs())
                .max((pose.origin_m.y - origins[k][1].re).abs());
        }
        // A force and a moment on the shank at a point fixed in it: Q_j = F · ∂x/∂q_j + n ∂φ/∂q_j, the point's
        // Jacobian by complex step through the geometry.
        let p_body = [0.03 * rnd(), -0.1 + 0.1 * rnd()];
        let (force, moment) = (Vector2::new(40.0 * rnd(), 40.0 * rnd()), 5.0 * rnd());
        let point = kin.pose[1].point_to_parent(&Vector2::new(p_body[0], p_body[1]));
        let mut out = [0.0; 3];
        kin.add_generalized_force(&model, 1, &point, &force, moment, &mut out);
        for j in 0..3 {
            let h = 1e-30;
            let qc: [C; 3] = core::array::from_fn(|i| C::new(s.q[i], if i == j { h } else { 0.0 }));
            let (angles, origins, _) = positions(&splines, qc);
            let x = add(origins[1], rot(angles[1], real(p_body)));
            let expected = force.x * x[0].im / h + force.y * x[1].im / h + moment * angles[1].im / h;
            worst_force = worst_force.max((out[j] - expected).abs());
        }
    }
    eprintln!("chain: poses within {worst_pose:.1e}, generalised forces within {worst_force:.1e} N m");
    assert!(worst_pose < 1e-14, "pose {worst_pose}");
    assert!(worst_force < 1e-12, "generalised force {worst_force}");
}

/// Spatial velocity `[ω, v]` (body coordinates) and acceleration of body `k` from poses along the straight path
/// `q(t) = q0 + qd t` (`q̈ = 0`): central first and second differences.
fn pose_derivatives(model: &Model, s: &State, k: usize, h: f64) -> (Vector3<f64>, Vector3<f64>) {
    let mut kin = Kinematics::new(model);
    let mut at = |t: f64| {
        let q: Vec<f64> = s.q.iter().zip(&s.qd).map(|(q, v)| q + v * t).collect();
        kin.update(model, &BaseMotion::fixed(Pose2::IDENTITY), &q, &s.qd);
        kin.pose[k]
    };
    let (m, z, p) = (at(-h), at(0.0), at(h));
    let phi_d = (p.angle_rad - m.angle_rad) / (2.0 * h);
    let phi_dd = (p.angle_rad - 2.0 * z.angle_rad + m.angle_rad) / (h * h);
    let o_d = (p.origin_m - m.origin_m) / (2.0 * h);
    let o_dd = (p.origin_m - 2.0 * z.origin_m + m.origin_m) / (h * h);
    let w = z.vector_from_parent(&o_d);
    // Spatial acceleration's linear part: the origin's classical acceleration less ω × v, in body coordinates:
    // Rᵀ ö + φ̇ (w_z, -w_x) with w = Rᵀ ȯ.
    let a = z.vector_from_parent(&o_dd) + phi_d * Vector2::new(w.y, -w.x);
    (Vector3::new(phi_d, w.x, w.y), Vector3::new(phi_dd, a.x, a.y))
}

#[test]
fn velocities_and_velocity_products_match_finite_differences_of_poses() {
    // Gravity off: the base acceleration the engine folds gravity into is then the body's own.
    let mut b = ModelBuilder::new().gravity(Vector2::zeros());
    for body in chain().bodies() {
        b.add(body.clone());
    }
    let model = b.build().unwrap();
    let mut kin = Kinematics::new(&model);
    let mut rnd = rng(3);
    let (mut worst_v, mut worst_a): (f64, f64) = (0.0, 0.0);
    for _ in 0..50 {
        let s = random_state(&mut rnd);
        kin.update(&model, &BaseMotion::fixed(Pose2::IDENTITY), &s.q, &s.qd);
        // Engine accelerations with q̈ = 0: a_i = X a_parent + c_i from a still base.
        let mut a = [Vector3::zeros(); 3];
        for k in 0..3 {
            let parent = model.bodies()[k].parent.map_or(Vector3::zeros(), |p| a[p]);
            a[k] = kin.x_up[k].apply_motion(&parent) + kin.c[k];
            let (v_fd, _) = pose_derivatives(&model, &s, k, 1e-6);
            let (_, a_fd) = pose_derivatives(&model, &s, k, 1e-4);
            worst_v = worst_v.max((kin.v[k] - v_fd).norm() / (1.0 + v_fd.norm()));
            worst_a = worst_a.max((a[k] - a_fd).norm() / (1.0 + a_fd.norm()));
        }
        // And the coupled joint's own term: v_knee = X v_thigh + S q̇.
        let v_rel = kin.v[1] - kin.x_up[1].apply_motion(&kin.v[0]);
        assert!((v_rel - kin.s[1] * s.qd[1]).norm() < 1e-14);
    }
    eprintln!("finite differences of poses: velocity within {worst_v:.1e}, acceleration within {worst_a:.1e}");
    // First differences at h = 1e-6: truncation ~1e-12, rounding ~1e-10. Second at h = 1e-4: ~1e-8 each.
    assert!(worst_v < 1e-9, "velocity {worst_v}");
    assert!(worst_a < 1e-6, "acceleration {worst_a}");
}

#[test]
fn chain_inverse_dynamics_inverts_forward_dynamics_to_1e_10() {
    let model = chain();
    let mut kin = Kinematics::new(&model);
    let mut dynamics = Dynamics::new(&model);
    let mut rnd = rng(99);
    let mut worst: f64 = 0.0;
    for trial in 0..200 {
        let base = if trial % 2 == 0 {
            BaseMotion::fixed(Pose2::IDENTITY)
        } else {
            BaseMotion {
                pose: Pose2::new(rnd(), Vector2::new(rnd(), rnd())),
                angular_velocity_rad_per_s: 3.0 * rnd(),
                velocity_m_per_s: Vector2::new(rnd(), rnd()),
                angular_acceleration_rad_per_s2: 10.0 * rnd(),
                acceleration_m_per_s2: Vector2::new(5.0 * rnd(), 5.0 * rnd()),
            }
        };
        let s = random_state(&mut rnd);
        let tau: Vec<f64> = (0..3).map(|_| 50.0 * rnd()).collect();
        let f_ext: Vec<Vector3<f64>> = (0..3).map(|_| Vector3::new(5.0 * rnd(), 20.0 * rnd(), 20.0 * rnd())).collect();
        kin.update(&model, &base, &s.q, &s.qd);
        let mut qdd = vec![0.0; 3];
        dynamics.forward(&model, &kin, &s.qd, &tau, &f_ext, &mut qdd);
        let mut back = vec![0.0; 3];
        dynamics.inverse(&model, &kin, &s.qd, &qdd, &f_ext, &mut back);
        let norm = tau.iter().map(|t| t * t).sum::<f64>().sqrt();
        let err = tau.iter().zip(&back).map(|(a, b)| (a - b).powi(2)).sum::<f64>().sqrt() / norm;
        worst = worst.max(err);
    }
    eprintln!("chain: ID(FD(tau)) within {worst:.1e} of tau (relative)");
    assert!(worst < 1e-10, "relative error {worst}");
}

struct Passive {
    model: Model,
    kin: Kinematics,
    dynamics: Dynamics,
}

impl Passive {
    fn new(model: Model) -> Self {
        Self { kin: Kinematics::new(&model), dynamics: Dynamics::new(&model), model }
    }

    fn energy(&mut self, s: &State) -> f64 {
        self.kin.update(&self.model, &BaseMotion::fixed(Pose2::IDENTITY), &s.q, &s.qd);
        Dynamics::kinetic_energy(&self.model, &self.kin, &s.qd) + Dynamics::potential_energy(&self.model, &self.kin)
    }
}

impl SecondOrder for Passive {
    fn acceleration(&mut self, _t: f64, q: &[f64], qd: &[f64], qdd: &mut [f64]) {
        self.kin.update(&self.model, &BaseMotion::fixed(Pose2::IDENTITY), q, qd);
        let n = self.model.len();
        self.dynamics.forward(&self.model, &self.kin, qd, &vec![0.0; n], &vec![Vector3::zeros(); n], qdd);
    }
}

#[test]
fn chain_energy_matches_the_lagrangian_and_drifts_under_1e_6_in_a_10_s_swing() {
    let splines = knee_splines();
    let mut sys = Passive::new(chain());
    // Energy of the engine against T = ½ q̇ᵀ M q̇ and V = Σ m G z_com from the geometry.
    let mut rnd = rng(5);
    for _ in 0..20 {
        let s = random_state(&mut rnd);
        let q = [s.q[0], s.q[1], s.q[2]];
        let qd = Vector3::from_column_slice(&s.qd);
        let (_, _, coms) = positions(&splines, core::array::from_fn(|i| C::new(q[i], 0.0)));
        let v: f64 = (0..3).map(|k| SEGMENTS[k].0 * G * coms[k][1].re).sum();
        let e = 0.5 * qd.dot(&(mass_matrix(&splines, &q) * qd)) + v;
        assert!((sys.energy(&s) - e).abs() < 1e-12 * (1.0 + e.abs()), "{} vs {e}", sys.energy(&s));
    }
    // Released from a bent knee, it swings across eight distinct knots of the two splines.
    let (drift, [lo, hi]) = passive_swing(&mut sys, [0.5, -0.6, 0.1]);
    eprintln!("chain (knee splines): max |E - E0| over 10 s = {drift:.2e} of |E0|, knee in [{lo:.2}, {hi:.2}]");
    assert!(hi - lo > 1.5, "the knee should sweep across several knots");
    assert!(drift < 1e-6, "drift {drift}");
}

/// Largest `|E - E0| / |E0|` over a 10 s passive swing from rest at `q0` (RK4, 1 ms), and the knee's range.
fn passive_swing(sys: &mut Passive, q0: [f64; 3]) -> (f64, [f64; 2]) {
    let mut s = State { q: q0.to_vec(), qd: vec![0.0; 3] };
    let e0 = sys.energy(&s);
    let mut rk4 = Rk4::new(3);
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    let mut worst: f64 = 0.0;
    for k in 0..10_000 {
        rk4.step(sys, f64::from(k) * 1e-3, 1e-3, &mut s.q, &mut s.qd);
        lo = lo.min(s.q[1]);
        hi = hi.max(s.q[1]);
        worst = worst.max((sys.energy(&s) - e0).abs());
    }
    (worst / e0.abs(), [lo, hi])
}

#[test]
fn a_violent_swing_on_a_smooth_cubic_knee_drifts_under_1e_6() {
    // The knee spline's third derivative jumps at every knot, which costs RK4 its order (energy error ~dt² in a
    // swing through the knots, 1.7e-5 of |E0| at 1 ms from (0.9, -1.4, 0.3)). The same violent swing on one
    // smooth cubic of the spline's size keeps fourth order: a check of the velocity-product term far from rest.
    let mut bodies: Vec<Body> = chain().bodies().to_vec();
    let cubic = |c: [f64; 4]| Curve::piecewise_cubic(vec![-5.0, 5.0], vec![c], 0.0, 0.0).unwrap();
    bodies[1].joint = JointKind::coupled(CoupledJoint {
        frame_angle_rad: KNEE_FRAME_ANGLE,
        rotation: Curve::linear(1.0, 0.0).unwrap(),
        translation: [cubic([0.0, 0.01, -0.004, 0.001]), cubic([-0.45, 0.0, 0.003, -0.0004])],
    });
    let mut b = ModelBuilder::new();
    for body in bodies {
        b.add(body);
    }
    let mut sys = Passive::new(b.build().unwrap());
    let (drift, [lo, hi]) = passive_swing(&mut sys, [0.9, -1.4, 0.3]);
    eprintln!("chain (smooth cubic knee): max |E - E0| over 10 s = {drift:.2e} of |E0|, knee in [{lo:.2}, {hi:.2}]");
    assert!(hi - lo > 4.0);
    assert!(drift < 1e-6, "drift {drift}");
}

// ---------------------------------------------------------------------------------------------------------------
// Closed forms.

fn single(joint: JointKind, mass_kg: f64, inertia_kg_m2: f64) -> Model {
    let mut b = ModelBuilder::new();
    b.add(Body {
        name: "body".into(),
        parent: None,
        joint,
        joint_origin_m: Vector2::zeros(),
        inertia: SpatialInertia { mass_kg, com_m: Vector2::zeros(), inertia_kg_m2 },
        armature: 0.0,
        damping: 0.0,
    });
    b.build().unwrap()
}

#[test]
fn rolling_disc_obeys_its_closed_form() {
    // A disc of radius r whose centre is at (r q, r): rolling to +x without slipping on z = 0 turns it clockwise,
    // θ = -q. Gravity does no work: (I_c + m r²) q̈ = τ.
    let (r, m, i_c) = (0.3, 2.0, 0.5 * 2.0 * 0.3 * 0.3);
    let joint = JointKind::coupled(CoupledJoint {
        frame_angle_rad: 0.0,
        rotation: Curve::linear(-1.0, 0.0).unwrap(),
        translation: [Curve::linear(r, 0.0).unwrap(), Curve::constant(r).unwrap()],
    });
    let model = single(joint, m, i_c);
    let mut kin = Kinematics::new(&model);
    let mut dynamics = Dynamics::new(&model);
    let mut rnd = rng(21);
    let (mut worst_qdd, mut worst_slip, mut worst_q): (f64, f64, f64) = (0.0, 0.0, 0.0);
    for _ in 0..50 {
        let (q, qd, tau) = (10.0 * rnd(), 5.0 * rnd(), 3.0 * rnd());
        kin.update(&model, &BaseMotion::fixed(Pose2::IDENTITY), &[q], &[qd]);
        let mut qdd = [0.0];
        dynamics.forward(&model, &kin, &[qd], &[tau], &[Vector3::zeros()], &mut qdd);
        let expected = tau / (i_c + m * r * r);
        worst_qdd = worst_qdd.max((qdd[0] - expected).abs() / expected.abs().max(1e-3));
        // The contact point (straight below the centre) does not move.
        let contact = kin.pose[0].vector_from_parent(&Vector2::new(0.0, -r));
        worst_slip = worst_slip.max(kin.point_velocity(0, &contact).norm());
        // A horizontal pull at the centre acts on q with lever r.
        let mut out = [0.0];
        kin.add_generalized_force(&model, 0, &kin.pose[0].origin_m, &Vector2::new(tau, 0.0), 0.0, &mut out);
        worst_q = worst_q.max((out[0] - tau * r).abs());
    }
    eprintln!("rolling disc: qdd within {worst_qdd:.1e} (relative), slip {worst_slip:.1e} m/s, Q {worst_q:.1e}");
    assert!(worst_qdd < 1e-12 && worst_slip < 1e-12 && worst_q < 1e-14);
}

#[test]
fn bead_on_a_parabola_obeys_its_closed_form() {
    // A point mass at (q, k q²) (a cubic from knot -10 that is exactly k q²): M = m (1 + 4 k² q²), Coriolis
    // 4 m k² q q̇², gravity 2 m G k q.
    let (k, m) = (0.8, 1.5);
    let parabola = Curve::piecewise_cubic(vec![-10.0, 10.0], vec![[100.0 * k, -20.0 * k, k, 0.0]], 0.0, 0.0).unwrap();
    let joint = JointKind::coupled(CoupledJoint {
        frame_angle_rad: 0.0,
        rotation: Curve::constant(0.0).unwrap(),
        translation: [Curve::linear(1.0, 0.0).unwrap(), parabola],
    });
    assert_eq!(joint.coordinate_unit(), "m");
    let model = single(joint, m, 0.0);
    let mut kin = Kinematics::new(&model);
    let mut dynamics = Dynamics::new(&model);
    let mut rnd = rng(8);
    let mut worst: f64 = 0.0;
    for _ in 0..50 {
        let (q, qd, tau) = (rnd(), 3.0 * rnd(), 5.0 * rnd());
        kin.update(&model, &BaseMotion::fixed(Pose2::IDENTITY), &[q], &[qd]);
        let mut qdd = [0.0];
        dynamics.forward(&model, &kin, &[qd], &[tau], &[Vector3::zeros()], &mut qdd);
        let expected = (tau - 4.0 * m * k * k * q * qd * qd - 2.0 * m * G * k * q) / (m * (1.0 + 4.0 * k * k * q * q));
        worst = worst.max((qdd[0] - expected).abs() / (1.0 + expected.abs()));
    }
    eprintln!("bead on a parabola: qdd within {worst:.1e}");
    assert!(worst < 1e-12, "{worst}");
}
