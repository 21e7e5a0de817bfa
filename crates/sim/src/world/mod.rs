//! The world: the leg, the exoskeleton, cuffs, contact and external loads, stepped by the articulated-body
//! dynamics. It knows nothing of controllers: joint torques and actuator couplings come in, state comes out.

use nalgebra::{Vector2, Vector3};

use crate::actuator::Coupling;
use crate::body::contact::Surface;
use crate::body::exo::{ExoIds, add_exo, place_cuffs};
use crate::body::leg::LegIds;
use crate::body::{ContactPoint, Cuff, CuffReading, ExoConfig, GroundContact, Joint, LegGeometry};
use crate::multibody::{
    BaseMotion, Body, BodyId, Dynamics, Integrator, JointKind, Kinematics, Model, ModelBuilder, Pose2, Rk4,
    SecondOrder, SemiImplicitEuler, SpatialInertia, State,
};

mod assembly;

pub(crate) use assembly::{add_free_pelvis, seat_point};

/// A speed no joint of a leg, an exoskeleton or a walking body's pelvis reaches, rad/s or m/s (a kick peaks near
/// 30 rad/s): past it a simulation has diverged.
pub(crate) const DIVERGED_SPEED: f64 = 200.0;

/// Armature of a clamped joint, kg m²: nine orders above a leg's inertia, so that no torque the simulation
/// produces moves it measurably (1e3 N m moves it by 1e-12 rad in a 1 ms step).
const CLAMP_ARMATURE: f64 = 1e9;

/// Prescribed pelvis motion over time.
pub trait BaseTrajectory: Send + Sync {
    /// Pose, velocity and acceleration of the pelvis frame at `t_s`.
    fn motion(&self, t_s: f64) -> BaseMotion;
}

/// A recorded force on the foot (measured ground reaction), applied at its centre of pressure.
pub trait FootLoad: Send + Sync {
    /// Force (N) and point of application (m), world frame, at `t_s`; `None` in swing.
    fn foot_force(&self, t_s: f64) -> Option<(Vector2<f64>, Vector2<f64>)>;
}

/// How the pelvis moves.
pub enum PelvisMotion {
    /// Fixed in the world.
    Fixed(Pose2),
    /// Driven along a trajectory (walking on a treadmill, a prescribed transfer).
    Driven(std::sync::Arc<dyn BaseTrajectory>),
    /// Free in the sagittal plane (x, z, pitch), carrying the upper-body share and any backpack; supported
    /// through the legs' contacts and the residual forces the human model applies.
    Free(Pose2),
}

/// Which leg model to build.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum LegModel {
    /// A human leg scaled from mass and height.
    Human(LegGeometry),
    /// The benchmark leg of `docs/bench/reference-leg.md`.
    Reference,
}

/// Numerical integrator of the rigid bodies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "scenario", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum IntegratorKind {
    /// Fourth-order Runge-Kutta (accurate; the default).
    Rk4,
    /// Semi-implicit Euler (cheaper, first order).
    SemiImplicitEuler,
}

/// Everything needed to build a world.
pub struct WorldConfig {
    /// The leg.
    pub leg: LegModel,
    /// Pelvis motion.
    pub pelvis: PelvisMotion,
    /// Mass of the pelvis and the upper-body share it carries (used when the pelvis is free), kg.
    pub pelvis_mass_kg: f64,
    /// Backpack mass riding on the pelvis (free pelvis), kg.
    pub backpack_kg: f64,
    /// Backpack centre of mass in the pelvis frame, m.
    pub backpack_offset_m: Vector2<f64>,
    /// The exoskeleton, if worn.
    pub exo: Option<ExoConfig>,
    /// Passive viscous damping in the leg's joints, N m s/rad.
    pub leg_damping_nm_s_per_rad: [f64; 3],
    /// Ground contact of heel and toe, if any.
    pub foot_contact: Option<GroundContact>,
    /// A seat under the thigh (sit-to-stand), if any.
    pub seat: Option<Seat>,
    /// A recorded load on the foot (ground reaction), if any.
    pub foot_load: Option<std::sync::Arc<dyn FootLoad>>,
    /// Integrator.
    pub integrator: IntegratorKind,
    /// Initial leg joint angles (hip, knee, ankle), rad.
    pub initial_q_rad: [f64; 3],
    /// Initial leg joint speeds, rad/s.
    pub initial_qd_rad_per_s: [f64; 3],
    /// Clamp the leg in its initial posture (a rigid bench): its joints get an armature so large that they do
    /// not move.
    pub clamp_leg: bool,
}

/// A seat under the back of the thigh.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Seat {
    /// At a given height, m.
    At(f64),
    /// Just under the thigh in its initial posture (2 mm of compression: the thigh rests on it).
    UnderThigh,
}

/// Inputs held over one physics step.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StepInputs<'a> {
    /// Human (or test) torques on the wearer's joint coordinates ([`World::coordinates`]), N m.
    pub wearer_torque_nm: &'a [f64],
    /// Residual forces on the free pelvis coordinates (x N, z N, pitch N m).
    pub pelvis_residual: [f64; 3],
    /// Actuator couplings of the device's joints ([`World::device_joints`]), one each (`Coupling::NONE` for a
    /// joint without an actuator).
    pub couplings: &'a [Coupling],
}

/// One joint of the exoskeleton in the model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceJoint {
    /// Name (the wearer joint it spans: `knee`).
    pub name: String,
    /// The wearer joint it spans.
    pub joint: Joint,
    /// Its body in the model (the link it turns), whose coordinate is the joint angle.
    pub body: BodyId,
    /// Index of the wearer coordinate it spans ([`World::coordinates`]).
    pub spans: usize,
}

/// One joint coordinate of the wearer that the wearer's motor model drives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WearerCoordinate {
    /// Name (`hip`, `knee`, `ankle`; OpenSim's names for an imported model).
    pub name: String,
    /// Its body (and coordinate) in the model.
    pub body: BodyId,
}

/// What the world reports after a step.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Readings {
    /// Each cuff's load cell.
    pub cuffs: Vec<CuffReading>,
    /// Total force on the foot from the ground (contact or recorded), world, N.
    pub foot_force_n: Vector2<f64>,
    /// Force on the seat, world, N.
    pub seat_force_n: Vector2<f64>,
    /// Interaction torque from the cuffs on each device joint, N m.
    pub exo_interaction_nm: Vec<f64>,
    /// Generalised force of the cuffs on each wearer coordinate, N m.
    pub leg_interaction_nm: Vec<f64>,
    /// Torque delivered by each device joint's actuator coupling at the end of the step, N m.
    pub exo_torque_nm: Vec<f64>,
}

/// A world that failed.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum WorldError {
    /// The state became non-finite or absurdly fast.
    #[error("simulation diverged at t = {time_s:.4} s: {coordinate} moving at {value:.1} (rad/s or m/s)")]
    Diverged {
        /// Time of detection, s.
        time_s: f64,
        /// The joint that diverged (`knee`, `exo knee`, `pelvis x`, ...).
        coordinate: String,
        /// Its velocity.
        value: f64,
    },
    /// The model could not be built.
    #[error("invalid model: {0}")]
    Model(String),
}

/// The held inputs and force elements, apart from the scratch space, so that a step can borrow both.
struct Forces {
    cuffs: Vec<Cuff>,
    contacts: Vec<ContactPoint>,
    contact: GroundContact,
    foot_load: Option<std::sync::Arc<dyn FootLoad>>,
    foot: BodyId,
    pelvis: Option<[BodyId; 3]>,
    leg: LegIds,
    /// Body of each device joint.
    device: Vec<BodyId>,
    /// Inputs held over the current step, copied in by [`World::step`] (buffers sized at build).
    wearer_torque_nm: Vec<f64>,
    pelvis_residual: [f64; 3],
    couplings: Vec<Coupling>,
    t0: f64,
    dt: f64,
}

/// Values of a function of time memoised for the last few times asked: an RK4 step asks for the pelvis motion
/// and the foot load at three distinct times (start, middle twice, end), and the readings after it at the end.
#[derive(Clone, Copy, Debug)]
struct TimeCache<V: Copy> {
    entries: [(f64, V); 4],
    next: usize,
}

impl<V: Copy> TimeCache<V> {
    fn new(v: V) -> Self {
        Self { entries: [(f64::NAN, v); 4], next: 0 }
    }

    #[inline]
    fn get_or(&mut self, t: f64, f: impl FnOnce() -> V) -> V {
        if let Some((_, v)) = self.entries.iter().find(|(ti, _)| *ti == t) {
            return *v;
        }
        let v = f();
        self.entries[self.next] = (t, v);
        self.next = (self.next + 1) % self.entries.len();
        v
    }
}

type Load = Option<(Vector2<f64>, Vector2<f64>)>;

struct Scratch {
    kin: Kinematics,
    dynamics: Dynamics,
    f_ext: Vec<Vector3<f64>>,
    tau: Vec<f64>,
    base_cache: TimeCache<BaseMotion>,
    load_cache: TimeCache<Load>,
}

struct System<'a> {
    model: &'a Model,
    base: &'a PelvisMotion,
    forces: &'a Forces,
    scratch: &'a mut Scratch,
}

fn base_motion(p: &PelvisMotion, t: f64) -> BaseMotion {
    match p {
        PelvisMotion::Fixed(pose) => BaseMotion::fixed(*pose),
        PelvisMotion::Driven(traj) => traj.motion(t),
        PelvisMotion::Free(_) => BaseMotion::fixed(Pose2::IDENTITY),
    }
}

impl SecondOrder for System<'_> {
    #[inline]
    fn acceleration(&mut self, t: f64, q: &[f64], qd: &[f64], qdd: &mut [f64]) {
        let s = &mut *self.scratch;
        let pelvis = self.base;
        let base = s.base_cache.get_or(t, || base_motion(pelvis, t));
        s.kin.update(self.model, &base, q, qd);
        let f = self.forces;
        for x in s.f_ext.iter_mut() {
            *x = Vector3::zeros();
        }
        for cuff in &f.cuffs {
            let r = cuff.reading(&s.kin);
            cuff.apply(&s.kin, &r, &mut s.f_ext);
        }
        for p in &f.contacts {
            f.contact.apply(&s.kin, p, &mut s.f_ext);
        }
        if let Some(load) = &f.foot_load
            && let Some((force, at)) = s.load_cache.get_or(t, || load.foot_force(t))
        {
            s.f_ext[f.foot] += s.kin.world_force_to_body(f.foot, &at, &force);
        }
        for x in s.tau.iter_mut() {
            *x = 0.0;
        }
        for (k, id) in f.leg.all().into_iter().enumerate() {
            s.tau[id] = f.wearer_torque_nm[k];
        }
        if let Some(p) = f.pelvis {
            for k in 0..3 {
                s.tau[p[k]] = f.pelvis_residual[k];
            }
        }
        let frac = if f.dt > 0.0 { (t - f.t0) / f.dt } else { 0.0 };
        for (id, c) in f.device.iter().zip(&f.couplings) {
            s.tau[*id] += c.torque(frac, q[*id], qd[*id]);
        }
        s.dynamics.forward(self.model, &s.kin, qd, &s.tau, &s.f_ext, qdd);
    }
}

/// The simulated world: the wearer's bodies and the device's links as one articulated model, with its force
/// elements (cuffs, ground, seat, recorded loads) and its integrator. It knows nothing of control: each
/// [`World::step`] takes the torques on the wearer's coordinates and the actuators' couplings as [`StepInputs`].
///
/// A leg hanging from a fixed pelvis, released with the knee bent: gravity swings the shank forward, and with no
/// damping the fourth-order integrator keeps the mechanical energy to better than a part in a billion.
///
/// ```
/// use exo_sim::body::{Anthropometry, LegGeometry};
/// use exo_sim::multibody::Pose2;
/// use exo_sim::world::{IntegratorKind, LegModel, PelvisMotion, StepInputs, World, WorldConfig};
/// use nalgebra::Vector2;
///
/// let mut world = World::new(WorldConfig {
///     leg: LegModel::Human(LegGeometry::new(Anthropometry::de_leva_male(72.6, 1.80))),
///     pelvis: PelvisMotion::Fixed(Pose2::new(0.0, Vector2::new(0.0, 1.0))),
///     pelvis_mass_kg: 0.0,
///     backpack_kg: 0.0,
///     backpack_offset_m: Vector2::zeros(),
///     exo: None,
///     leg_damping_nm_s_per_rad: [0.0; 3],
///     foot_contact: None,
///     seat: None,
///     foot_load: None,
///     integrator: IntegratorKind::Rk4,
///     initial_q_rad: [0.0, -0.5, 0.0], // hip, knee (bent), ankle
///     initial_qd_rad_per_s: [0.0; 3],
///     clamp_leg: false,
/// })?;
/// let knee = world.coordinates().iter().position(|c| c.name == "knee").unwrap();
/// let energy_j = world.mechanical_energy_j();
/// let no_torque_nm = vec![0.0; world.coordinates().len()];
/// let inputs = StepInputs { wearer_torque_nm: &no_torque_nm, pelvis_residual: [0.0; 3], couplings: &[] };
/// for _ in 0..200 {
///     world.step(1e-3, &inputs)?;
/// }
/// assert!(world.coordinate_q(knee) > -0.5, "the shank swings towards the vertical");
/// assert!((world.mechanical_energy_j() - energy_j).abs() < 1e-9 * energy_j.abs()); // measured: 3e-12
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct World {
    model: Model,
    pelvis_motion: PelvisMotion,
    forces: Forces,
    scratch: Scratch,
    rk4: Rk4,
    euler: SemiImplicitEuler,
    integrator: IntegratorKind,
    state: State,
    time_s: f64,
    leg: LegModel,
    exo: Option<ExoIds>,
    coordinates: Vec<WearerCoordinate>,
    device_joints: Vec<DeviceJoint>,
    readings: Readings,
}

impl World {
    /// The wearer's joint coordinates that its motor model drives, in order.
    #[must_use]
    pub fn coordinates(&self) -> &[WearerCoordinate] {
        &self.coordinates
    }

    /// The device's joints, in chain order (empty without a device).
    #[must_use]
    pub fn device_joints(&self) -> &[DeviceJoint] {
        &self.device_joints
    }

    /// Angle (rad) and speed (rad/s) of device joint `i`.
    #[must_use]
    pub fn device_joint_state(&self, i: usize) -> (f64, f64) {
        let b = self.device_joints[i].body;
        (self.state.q[b], self.state.qd[b])
    }

    /// Angle (rad) of wearer coordinate `i`.
    #[must_use]
    pub fn coordinate_q(&self, i: usize) -> f64 {
        self.state.q[self.coordinates[i].body]
    }

    /// Angular speed (rad/s) of wearer coordinate `i`.
    #[must_use]
    pub fn coordinate_qd(&self, i: usize) -> f64 {
        self.state.qd[self.coordinates[i].body]
    }

    /// The multibody model.
    #[must_use]
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// Simulated time, s.
    #[must_use]
    pub fn time_s(&self) -> f64 {
        self.time_s
    }

    /// The joint state of every body.
    #[must_use]
    pub fn state(&self) -> &State {
        &self.state
    }

    /// The leg's body ids.
    #[must_use]
    pub fn leg(&self) -> LegIds {
        self.forces.leg
    }

    /// The leg model.
    #[must_use]
    pub fn leg_model(&self) -> &LegModel {
        &self.leg
    }

    /// The exoskeleton's body ids, if worn.
    #[must_use]
    pub fn exo(&self) -> Option<&ExoIds> {
        self.exo.as_ref()
    }

    /// The cuffs.
    #[must_use]
    pub fn cuffs(&self) -> &[Cuff] {
        &self.forces.cuffs
    }

    /// Free-pelvis coordinates (x, z, pitch), if the pelvis is free.
    #[must_use]
    pub fn pelvis_coordinates(&self) -> Option<[BodyId; 3]> {
        self.forces.pelvis
    }

    /// Kinematics at the end of the last step (poses for drawing, velocities).
    #[must_use]
    pub fn kinematics(&self) -> &Kinematics {
        &self.scratch.kin
    }

    /// Readings at the end of the last step.
    #[must_use]
    pub fn readings(&self) -> &Readings {
        &self.readings
    }

    /// Pelvis motion at time `t_s` (the world frame for a free pelvis; see [`World::pelvis_pose`]).
    #[must_use]
    pub fn base_motion(&self, t_s: f64) -> BaseMotion {
        base_motion(&self.pelvis_motion, t_s)
    }

    /// World pose of the pelvis now.
    #[must_use]
    pub fn pelvis_pose(&self) -> Pose2 {
        match self.forces.pelvis {
            Some(p) => self.scratch.kin.pose[p[2]],
            None => self.scratch.kin.base_pose,
        }
    }

    /// Leg joint angles (hip, knee, ankle), rad.
    #[must_use]
    pub fn leg_q(&self) -> [f64; 3] {
        self.forces.leg.all().map(|id| self.state.q[id])
    }

    /// Leg joint speeds, rad/s.
    #[must_use]
    pub fn leg_qd(&self) -> [f64; 3] {
        self.forces.leg.all().map(|id| self.state.qd[id])
    }

    /// The recorded foot load, if any.
    #[must_use]
    pub fn foot_load(&self) -> Option<&dyn FootLoad> {
        self.forces.foot_load.as_deref()
    }

    /// World pitch of the body carrying the device's base inertial sensor (the pelvis, or the free-floating
    /// first link of a device without a hip joint), rad.
    #[must_use]
    pub fn device_base_pitch_rad(&self) -> f64 {
        match self.exo.as_ref().and_then(crate::body::exo::base_body) {
            Some(b) => self.scratch.kin.pose[b].angle_rad,
            None => self.pelvis_pose().angle_rad,
        }
    }

    /// Exoskeleton joint angle and speed at wearer joint `j`, if the device spans it.
    #[must_use]
    pub fn exo_joint(&self, j: Joint) -> Option<(f64, f64)> {
        let i = self.device_joints.iter().position(|d| d.joint == j)?;
        Some(self.device_joint_state(i))
    }

    /// True when nothing but gravity acts on the bodies apart from the joint torques and couplings given to
    /// [`World::step`]: a fixed base, no joint damping, no contacts, cuffs, recorded loads or exoskeleton. Only
    /// then is [`World::mechanical_energy_j`] a conservation check (with zero torques).
    #[must_use]
    pub fn is_conservative(&self) -> bool {
        matches!(self.pelvis_motion, PelvisMotion::Fixed(_))
            && self.model.bodies().iter().all(|b| b.damping == 0.0)
            && self.forces.contacts.is_empty()
            && self.forces.cuffs.is_empty()
            && self.forces.foot_load.is_none()
            && self.exo.is_none()
    }

    /// Total mechanical energy of the bodies (kinetic + gravitational), J.
    #[must_use]
    pub fn mechanical_energy_j(&self) -> f64 {
        Dynamics::kinetic_energy(&self.model, &self.scratch.kin, &self.state.qd)
            + Dynamics::potential_energy(&self.model, &self.scratch.kin)
    }

    /// Sets the joint state and time and recomputes kinematics and readings, without stepping: for replaying a
    /// recording and for tests. `q` and `qd` must have one entry per model coordinate.
    pub fn set_state(&mut self, time_s: f64, q: &[f64], qd: &[f64]) {
        let n = self.state.q.len();
        self.state.q.copy_from_slice(&q[..n.min(q.len())]);
        self.state.qd.copy_from_slice(&qd[..n.min(qd.len())]);
        self.time_s = time_s;
        self.update_readings();
    }

    /// Advances by `dt_s` with `inputs` held (one torque per wearer coordinate, one coupling per device joint).
    pub fn step(&mut self, dt_s: f64, inputs: &StepInputs<'_>) -> Result<(), WorldError> {
        let f = &mut self.forces;
        for (dst, src) in f.wearer_torque_nm.iter_mut().zip(inputs.wearer_torque_nm) {
            *dst = *src;
        }
        f.pelvis_residual = inputs.pelvis_residual;
        for (dst, src) in f.couplings.iter_mut().zip(inputs.couplings) {
            *dst = *src;
        }
        self.forces.t0 = self.time_s;
        self.forces.dt = dt_s;
        let mut sys =
            System { model: &self.model, base: &self.pelvis_motion, forces: &self.forces, scratch: &mut self.scratch };
        match self.integrator {
            IntegratorKind::Rk4 => self.rk4.step(&mut sys, self.time_s, dt_s, &mut self.state.q, &mut self.state.qd),
            IntegratorKind::SemiImplicitEuler => {
                self.euler.step(&mut sys, self.time_s, dt_s, &mut self.state.q, &mut self.state.qd)
            }
        }
        self.time_s += dt_s;
        self.check_divergence()?;
        self.update_readings();
        Ok(())
    }

    /// The name of joint coordinate `i` as a user knows it: `knee`, `exo knee`, `pelvis x`.
    #[must_use]
    pub fn joint_name(&self, i: usize) -> String {
        if let Some(k) = self.forces.leg.all().iter().position(|id| *id == i) {
            return Joint::ALL[k].name().to_string();
        }
        if let Some(d) = self.device_joints.iter().find(|d| d.body == i) {
            return format!("exo {}", d.name);
        }
        self.model.bodies()[i].name.replace('_', " ")
    }

    fn check_divergence(&self) -> Result<(), WorldError> {
        for (i, (q, qd)) in self.state.q.iter().zip(&self.state.qd).enumerate() {
            if !q.is_finite() || !qd.is_finite() || qd.abs() > DIVERGED_SPEED {
                return Err(WorldError::Diverged { time_s: self.time_s, coordinate: self.joint_name(i), value: *qd });
            }
        }
        Ok(())
    }

    fn update_readings(&mut self) {
        let s = &mut self.scratch;
        let (pelvis, t) = (&self.pelvis_motion, self.time_s);
        let base = s.base_cache.get_or(t, || base_motion(pelvis, t));
        s.kin.update(&self.model, &base, &self.state.q, &self.state.qd);
        let f = &self.forces;
        let r = &mut self.readings;
        r.cuffs.clear();
        r.exo_interaction_nm.iter_mut().for_each(|x| *x = 0.0);
        r.leg_interaction_nm.iter_mut().for_each(|x| *x = 0.0);
        for cuff in &f.cuffs {
            let c = cuff.reading(&s.kin);
            // Generalised forces: +F, +M on the limb (leg joints), -F, -M on the exo link (exo joints).
            for (k, leg_id) in f.leg.all().into_iter().enumerate() {
                r.leg_interaction_nm[k] += joint_moment(
                    &self.model,
                    &s.kin,
                    leg_id,
                    cuff.limb,
                    &c.limb_point_world_m,
                    &c.force_on_limb_n,
                    c.moment_on_limb_nm,
                );
            }
            for (k, id) in f.device.iter().enumerate() {
                r.exo_interaction_nm[k] += joint_moment(
                    &self.model,
                    &s.kin,
                    *id,
                    cuff.exo,
                    &c.exo_point_world_m,
                    &(-c.force_on_limb_n),
                    -c.moment_on_limb_nm,
                );
            }
            r.cuffs.push(c);
        }
        let mut foot = Vector2::zeros();
        let mut seat = Vector2::zeros();
        for p in &f.contacts {
            let (force, _) = f.contact.force(&s.kin, p);
            if p.body == f.foot {
                foot += force;
            } else {
                seat += force;
            }
        }
        if let Some(load) = &f.foot_load
            && let Some((force, _)) = s.load_cache.get_or(t, || load.foot_force(t))
        {
            foot += force;
        }
        r.foot_force_n = foot;
        r.seat_force_n = seat;
        for (k, (id, c)) in f.device.iter().zip(&f.couplings).enumerate() {
            r.exo_torque_nm[k] = c.torque(1.0, self.state.q[*id], self.state.qd[*id]);
        }
    }
}

/// Generalised force on revolute or coupled joint `joint` of a world force `force` at `point` plus a moment,
/// applied to `body`; zero unless `joint` is `body` or one of its ancestors (and zero for a prismatic joint).
fn joint_moment(
    model: &Model,
    kin: &Kinematics,
    joint: BodyId,
    body: BodyId,
    point: &Vector2<f64>,
    force: &Vector2<f64>,
    moment: f64,
) -> f64 {
    let mut b = Some(body);
    while let Some(id) = b {
        if id == joint {
            return match &model.bodies()[id].joint {
                JointKind::Revolute { axis_y } => {
                    let r = point - kin.pose[id].origin_m;
                    -axis_y * (r.x * force.y - r.y * force.x + moment)
                }
                // Sᵀ f, f the body-coordinate spatial force (moment about the body origin first).
                JointKind::Coupled(_) => {
                    let f = kin.world_force_to_body(id, point, force);
                    kin.s[id].dot(&nalgebra::Vector3::new(f.x + moment, f.y, f.z))
                }
                JointKind::Prismatic { .. } => 0.0,
            };
        }
        b = model.bodies()[id].parent;
    }
    0.0
}
