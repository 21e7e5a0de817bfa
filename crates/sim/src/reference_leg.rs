//! The shared benchmark model of `docs/bench/reference-leg.md`: a fixed pelvis and a three-link leg (thigh, shank,
//! foot) hanging along -z, revolute about +y, no damping, no contact.
//!
//! Used by the accuracy tests and by the speed benchmarks that compare this engine with MuJoCo and rapier3d.

use nalgebra::{Vector2, Vector3};

use crate::multibody::{
    BaseMotion, Body, Dynamics, Integrator, JointKind, Kinematics, Model, ModelBuilder, Pose2, Rk4, SecondOrder,
    SemiImplicitEuler, SpatialInertia, State,
};

/// Segment data of the reference leg: (name, mass kg, length m, CoM from proximal joint m, radius of gyration
/// about the y axis as a fraction of length).
pub const SEGMENTS: [(&str, f64, f64, f64, f64); 3] =
    [("thigh", 10.62, 0.422, 0.173, 0.329), ("shank", 3.25, 0.434, 0.194, 0.255), ("foot", 1.03, 0.258, 0.114, 0.257)];

/// Initial joint angles (hip, knee, ankle), rad.
pub const INITIAL_Q_RAD: [f64; 3] = [0.6, -0.9, 0.3];

/// The pd-hold workload: `tau = Kp (q_ref - q) - Kd qd`, computed once per step from the state at its start.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PdHold {
    /// Proportional gains (hip, knee, ankle), N m/rad.
    pub kp: [f64; 3],
    /// Derivative gains, N m s/rad.
    pub kd: [f64; 3],
    /// Held angles, rad.
    pub q_ref: [f64; 3],
}

impl PdHold {
    /// The gains and target of `docs/bench/reference-leg.md`.
    pub const REFERENCE: PdHold = PdHold { kp: [300.0, 200.0, 50.0], kd: [20.0, 10.0, 2.0], q_ref: [0.2, -0.4, 0.1] };

    /// Joint torques for the state, N m.
    #[must_use]
    pub fn torque(&self, state: &State) -> [f64; 3] {
        core::array::from_fn(|j| self.kp[j] * (self.q_ref[j] - state.q[j]) - self.kd[j] * state.qd[j])
    }
}

/// Builds the reference leg model.
#[must_use]
pub fn model() -> Model {
    let mut b = ModelBuilder::new();
    add_to(&mut b, None);
    b.build().unwrap_or_else(|e| unreachable!("the reference leg is valid: {e}"))
}

/// Adds the reference leg's three bodies under `parent` (`None`: the base frame is the pelvis).
pub fn add_to(b: &mut ModelBuilder, parent: Option<crate::multibody::BodyId>) -> crate::body::leg::LegIds {
    let mut parent = parent;
    let mut ids = [0; 3];
    let mut origin = Vector2::zeros();
    for (slot, (name, mass, length, com, k)) in SEGMENTS.into_iter().enumerate() {
        let id = b.add(Body {
            name: name.to_string(),
            parent,
            joint: JointKind::Revolute { axis_y: 1.0 },
            joint_origin_m: origin,
            inertia: SpatialInertia {
                mass_kg: mass,
                com_m: Vector2::new(0.0, -com),
                inertia_kg_m2: mass * (k * length) * (k * length),
            },
            armature: 0.0,
            damping: 0.0,
        });
        ids[slot] = id;
        parent = Some(id);
        origin = Vector2::new(0.0, -length);
    }
    crate::body::leg::LegIds { thigh: ids[0], shank: ids[1], foot: ids[2] }
}

/// Which integrator steps the reference leg.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// Fourth-order Runge-Kutta.
    Rk4,
    /// Semi-implicit Euler.
    SemiImplicitEuler,
}

struct Leg<'a> {
    model: &'a Model,
    kin: &'a mut Kinematics,
    dynamics: &'a mut Dynamics,
    tau: [f64; 3],
    f_ext: [Vector3<f64>; 3],
    base: BaseMotion,
}

impl SecondOrder for Leg<'_> {
    #[inline]
    fn acceleration(&mut self, _t: f64, q: &[f64], qd: &[f64], qdd: &mut [f64]) {
        self.kin.update(self.model, &self.base, q, qd);
        self.dynamics.forward(self.model, self.kin, qd, &self.tau, &self.f_ext, qdd);
    }
}

/// The reference leg with its scratch space and integrator: `step` advances the state by one fixed step.
#[derive(Clone, Debug)]
pub struct ReferenceLeg {
    model: Model,
    kin: Kinematics,
    dynamics: Dynamics,
    rk4: Rk4,
    euler: SemiImplicitEuler,
    method: Method,
    base: BaseMotion,
}

impl ReferenceLeg {
    /// The model ready to step with `method`.
    #[must_use]
    pub fn new(method: Method) -> Self {
        let model = model();
        Self {
            kin: Kinematics::new(&model),
            dynamics: Dynamics::new(&model),
            rk4: Rk4::new(3),
            euler: SemiImplicitEuler::new(3),
            method,
            base: BaseMotion::fixed(Pose2::IDENTITY),
            model,
        }
    }

    /// The initial state of `docs/bench/reference-leg.md`.
    #[must_use]
    pub fn initial_state() -> State {
        State { q: INITIAL_Q_RAD.to_vec(), qd: vec![0.0; 3] }
    }

    /// The model.
    #[must_use]
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// Advances `state` by `dt_s` with joint torques `tau_nm` held over the step.
    #[inline]
    pub fn step(&mut self, state: &mut State, dt_s: f64, tau_nm: [f64; 3]) {
        let mut sys = Leg {
            model: &self.model,
            kin: &mut self.kin,
            dynamics: &mut self.dynamics,
            tau: tau_nm,
            f_ext: [Vector3::zeros(); 3],
            base: self.base,
        };
        match self.method {
            Method::Rk4 => self.rk4.step(&mut sys, 0.0, dt_s, &mut state.q, &mut state.qd),
            Method::SemiImplicitEuler => self.euler.step(&mut sys, 0.0, dt_s, &mut state.q, &mut state.qd),
        }
    }

    /// Total mechanical energy (kinetic + potential, potential zero at the pelvis), J.
    #[must_use]
    pub fn energy(&mut self, state: &State) -> f64 {
        self.kin.update(&self.model, &self.base, &state.q, &state.qd);
        Dynamics::kinetic_energy(&self.model, &self.kin, &state.qd) + Dynamics::potential_energy(&self.model, &self.kin)
    }
}
