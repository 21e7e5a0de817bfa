//! The imported wearer's body in the world: the skeleton's articulated model with a free pelvis, the recorded
//! force plates under its feet, and the device's actuators coupled to the coordinates they span.

use nalgebra::{Vector2, Vector3};

use crate::actuator::Coupling;
use crate::multibody::{BaseMotion, Dynamics, Integrator, Pose2, Rk4, SecondOrder, SemiImplicitEuler};
use crate::wearer::trial::{MeasuredLoads, TrialError};
use crate::wearer::{PointLoad, Skeleton, SkeletonKinematics};
use crate::world::IntegratorKind;
use crate::world::{DIVERGED_SPEED, WorldError};

use super::clock::TrialClock;

/// What the body reports after a step.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BodyReadings {
    /// Ground reaction on each foot (index 0 right, 1 left), ground frame, N.
    pub grf_n: [Vector2<f64>; 2],
    /// Centre of pressure of each foot's ground reaction (the plates' points weighted by their vertical force),
    /// ground frame, m; the origin while a foot carries less than 1 N.
    pub grf_cop_m: [Vector2<f64>; 2],
    /// Torque each device coupling delivers to its coordinate at the end of the step, N m.
    pub device_torque_nm: Vec<f64>,
}

/// Scratch space and the forces held over one step, apart from the state so that a step can borrow both.
struct Scratch {
    kin: SkeletonKinematics,
    dynamics: Dynamics,
    loads: Vec<PointLoad>,
    loads_before: Vec<PointLoad>,
    f_ext: Vec<Vector3<f64>>,
    tau: Vec<f64>,
    /// Generalised force on each coordinate from the wearer (joint torques and pelvis residuals), held over the
    /// step; coordinate order.
    wearer: Vec<f64>,
    couplings: Vec<Coupling>,
    t0: f64,
    dt: f64,
    /// The first load that could not be evaluated inside the step (reported by [`WalkBody::step`]).
    load_error: Option<TrialError>,
    /// Plates that do not depend on the pose, memoised for the last times asked (a Runge-Kutta step asks for
    /// three distinct times, and the readings for the last again): time, loads, loads of the stride before, fade.
    cache: Vec<(f64, Vec<PointLoad>, Vec<PointLoad>, f64)>,
    cache_next: usize,
    pose_independent: bool,
    /// The state `kin` was last updated at: the readings after a step and the first evaluation of the next are at
    /// the same state, and the update is skipped when it is bit for bit the same.
    kin_q: Vec<f64>,
    kin_qd: Vec<f64>,
}

impl Scratch {
    /// Kinematics at `q`, `qd` (engine order), recomputed only when the state changed.
    fn update_kinematics(&mut self, sk: &Skeleton, q: &[f64], qd: &[f64]) {
        if self.kin_q != q || self.kin_qd != qd {
            self.kin.engine.update(&sk.model, &BaseMotion::fixed(Pose2::IDENTITY), q, qd);
            self.kin_q.copy_from_slice(q);
            self.kin_qd.copy_from_slice(qd);
        }
    }

    /// The plates at `t` into `loads` and `loads_before`, with the fade, from the memo when they do not depend on
    /// the pose.
    fn plates(&mut self, plates: &MeasuredLoads, clock: &TrialClock, sk: &Skeleton, t: f64) -> Result<f64, TrialError> {
        if self.pose_independent
            && let Some(k) = self.cache.iter().position(|c| c.0 == t)
        {
            let (_, now, before, fade) = &self.cache[k];
            self.loads.clone_from(now);
            self.loads_before.clone_from(before);
            return Ok(*fade);
        }
        let fade = plates_at(plates, clock, sk, &self.kin, t, &mut self.loads, &mut self.loads_before)?;
        if self.pose_independent {
            let slot = &mut self.cache[self.cache_next];
            slot.0 = t;
            slot.1.clone_from(&self.loads);
            slot.2.clone_from(&self.loads_before);
            slot.3 = fade;
            self.cache_next = (self.cache_next + 1) % self.cache.len();
        }
        Ok(fade)
    }
}

/// The engine dof of each device coupling and the engine dof of every coordinate.
struct System<'a> {
    skeleton: &'a Skeleton,
    plates: Option<&'a MeasuredLoads>,
    clock: &'a TrialClock,
    device_dofs: &'a [usize],
    scratch: &'a mut Scratch,
}

impl SecondOrder for System<'_> {
    fn acceleration(&mut self, t: f64, q: &[f64], qd: &[f64], qdd: &mut [f64]) {
        let (sk, s) = (self.skeleton, &mut *self.scratch);
        s.update_kinematics(sk, q, qd);
        s.f_ext.iter_mut().for_each(|f| *f = Vector3::zeros());
        if let Some(plates) = self.plates {
            match s.plates(plates, self.clock, sk, t) {
                Ok(fade) => {
                    add_loads(sk, &s.kin, &s.loads, 1.0 - fade, &mut s.f_ext);
                    if fade > 0.0 {
                        add_loads(sk, &s.kin, &s.loads_before, fade, &mut s.f_ext);
                    }
                }
                Err(e) => {
                    s.load_error.get_or_insert(e);
                }
            }
        }
        for (c, w) in sk.coordinates.iter().zip(&s.wearer) {
            s.tau[c.dof] = *w;
        }
        let frac = if s.dt > 0.0 { (t - s.t0) / s.dt } else { 0.0 };
        for (dof, c) in self.device_dofs.iter().zip(&s.couplings) {
            s.tau[*dof] += c.torque(frac, q[*dof], qd[*dof]);
        }
        s.dynamics.forward(&sk.model, &s.kin.engine, qd, &s.tau, &s.f_ext, qdd);
    }
}

/// The plates at simulated time `t` on `clock`: the trial's loads at its instant into `now` and, inside a
/// cross-fade, the stride before's into `before`; returns the weight of `before` (the loads act as
/// `(1 - w) now + w before`, which blends their generalised forces exactly).
fn plates_at(
    plates: &MeasuredLoads,
    clock: &TrialClock,
    sk: &Skeleton,
    kin: &SkeletonKinematics,
    t: f64,
    now: &mut Vec<PointLoad>,
    before: &mut Vec<PointLoad>,
) -> Result<f64, TrialError> {
    let i = clock.at(t);
    plates.at_advanced(sk, kin, i.trial_s, i.cycles * clock.advance_m, now)?;
    if i.fade > 0.0 {
        plates.at_advanced(sk, kin, i.trial_s - clock.period_s, (i.cycles + 1.0) * clock.advance_m, before)?;
    }
    Ok(i.fade)
}

/// Point loads in ground, scaled by `weight`, as spatial forces on the engine bodies they act on.
fn add_loads(sk: &Skeleton, kin: &SkeletonKinematics, loads: &[PointLoad], weight: f64, f_ext: &mut [Vector3<f64>]) {
    for l in loads {
        let e = sk.bodies[l.body].engine_body;
        let f = kin.engine.world_force_to_body(
            e,
            &Vector2::new(l.point_m[0], l.point_m[1]),
            &Vector2::new(l.force_n[0], l.force_n[1]),
        );
        f_ext[e] += weight * (f + Vector3::new(l.torque_nm[2], 0.0, 0.0));
    }
}

/// What a [`WalkBody`] stands on, how it is integrated and where the device acts.
#[derive(Clone, Debug)]
pub struct BodySetup {
    /// The recorded loads under the feet, if any.
    pub plates: Option<MeasuredLoads>,
    /// How simulated time maps to the loads' (and the trial's) time.
    pub clock: TrialClock,
    /// The integrator.
    pub integrator: IntegratorKind,
    /// The coordinates the device's couplings act on (indices into the skeleton's coordinates), in coupling order.
    pub device_coordinates: Vec<usize>,
}

/// The imported wearer's body: the skeleton's state (free pelvis included), its recorded foot loads and the
/// couplings of the device's actuators, integrated by fourth-order Runge-Kutta. It knows nothing of control or of
/// the wearer's motor model: the wearer's generalised forces and the actuators' couplings come in with each
/// [`WalkBody::step`].
pub struct WalkBody {
    skeleton: std::sync::Arc<Skeleton>,
    plates: Option<MeasuredLoads>,
    clock: TrialClock,
    /// The side (0 right, 1 left) of each body, from its name's `_r`/`_l` suffix.
    side_of_body: Vec<Option<usize>>,
    /// Coordinate and engine dof of each device coupling.
    device_coordinates: Vec<usize>,
    device_dofs: Vec<usize>,
    q: Vec<f64>,
    qd: Vec<f64>,
    time_s: f64,
    integrator: IntegratorKind,
    rk4: Rk4,
    euler: SemiImplicitEuler,
    scratch: Scratch,
    readings: BodyReadings,
}

impl WalkBody {
    /// The skeleton at coordinates `q0` and speeds `u0` (coordinate order) at time `t0_s`, set up as `setup` says.
    ///
    /// # Errors
    /// The loads cannot be evaluated at `t0_s`.
    pub fn new(
        skeleton: std::sync::Arc<Skeleton>,
        setup: BodySetup,
        t0_s: f64,
        q0: &[f64],
        u0: &[f64],
    ) -> Result<Self, TrialError> {
        let BodySetup { plates, clock, integrator, device_coordinates } = setup;
        let forces = plates.as_ref().map_or(0, MeasuredLoads::len);
        let n = skeleton.model.len();
        let nc = skeleton.coordinates.len();
        let side_of_body = skeleton
            .bodies
            .iter()
            .map(|b| {
                if b.name.ends_with("_r") {
                    Some(0)
                } else if b.name.ends_with("_l") {
                    Some(1)
                } else {
                    None
                }
            })
            .collect();
        let device_dofs = device_coordinates.iter().map(|&c| skeleton.coordinates[c].dof).collect();
        let mut body = Self {
            scratch: Scratch {
                kin: SkeletonKinematics::new(&skeleton),
                dynamics: Dynamics::new(&skeleton.model),
                loads: Vec::with_capacity(forces),
                loads_before: Vec::with_capacity(forces),
                f_ext: vec![Vector3::zeros(); n],
                tau: vec![0.0; n],
                wearer: vec![0.0; nc],
                couplings: vec![Coupling::NONE; device_coordinates.len()],
                t0: t0_s,
                dt: 0.0,
                load_error: None,
                // Sized here: the memo's copies never allocate.
                cache: (0..4)
                    .map(|_| (f64::NAN, Vec::with_capacity(forces), Vec::with_capacity(forces), 0.0))
                    .collect(),
                cache_next: 0,
                pose_independent: plates.as_ref().is_some_and(MeasuredLoads::is_pose_independent),
                kin_q: vec![f64::NAN; n],
                kin_qd: vec![f64::NAN; n],
            },
            readings: BodyReadings {
                grf_n: [Vector2::zeros(); 2],
                grf_cop_m: [Vector2::zeros(); 2],
                device_torque_nm: vec![0.0; device_coordinates.len()],
            },
            q: vec![0.0; n],
            qd: vec![0.0; n],
            time_s: t0_s,
            integrator,
            rk4: Rk4::new(n),
            euler: SemiImplicitEuler::new(n),
            side_of_body,
            device_coordinates,
            device_dofs,
            plates,
            clock,
            skeleton,
        };
        for (c, (q, u)) in body.skeleton.coordinates.iter().zip(q0.iter().zip(u0)) {
            body.q[c.dof] = *q;
            body.qd[c.dof] = *u;
        }
        body.update_readings()?;
        Ok(body)
    }

    /// The skeleton.
    #[must_use]
    pub fn skeleton(&self) -> &Skeleton {
        &self.skeleton
    }

    /// Simulated time, s.
    #[must_use]
    pub fn time_s(&self) -> f64 {
        self.time_s
    }

    /// Value of coordinate `c` (skeleton order), rad or m.
    #[must_use]
    pub fn q(&self, c: usize) -> f64 {
        self.q[self.skeleton.coordinates[c].dof]
    }

    /// Speed of coordinate `c`, rad/s or m/s.
    #[must_use]
    pub fn u(&self, c: usize) -> f64 {
        self.qd[self.skeleton.coordinates[c].dof]
    }

    /// The coordinates each device coupling acts on, in coupling order.
    #[must_use]
    pub fn device_coordinates(&self) -> &[usize] {
        &self.device_coordinates
    }

    /// Kinematics at the end of the last step (body poses for drawing and muscle paths).
    #[must_use]
    pub fn kinematics(&self) -> &SkeletonKinematics {
        &self.scratch.kin
    }

    /// Readings at the end of the last step.
    #[must_use]
    pub fn readings(&self) -> &BodyReadings {
        &self.readings
    }

    /// Advances by `dt_s` with the wearer's generalised forces `wearer` (one per coordinate, N m or N) and the
    /// actuators' `couplings` (one per device coordinate) held.
    ///
    /// # Errors
    /// The state became non-finite or absurdly fast (naming the coordinate and time), or a load could not be
    /// evaluated.
    pub fn step(&mut self, dt_s: f64, wearer: &[f64], couplings: &[Coupling]) -> Result<(), WalkBodyError> {
        let s = &mut self.scratch;
        s.wearer.copy_from_slice(wearer);
        s.couplings.copy_from_slice(couplings);
        s.t0 = self.time_s;
        s.dt = dt_s;
        let mut sys = System {
            skeleton: &self.skeleton,
            plates: self.plates.as_ref(),
            clock: &self.clock,
            device_dofs: &self.device_dofs,
            scratch: &mut self.scratch,
        };
        match self.integrator {
            IntegratorKind::Rk4 => self.rk4.step(&mut sys, self.time_s, dt_s, &mut self.q, &mut self.qd),
            IntegratorKind::SemiImplicitEuler => {
                self.euler.step(&mut sys, self.time_s, dt_s, &mut self.q, &mut self.qd);
            }
        }
        self.time_s += dt_s;
        if let Some(e) = self.scratch.load_error.take() {
            return Err(WalkBodyError::Loads(e));
        }
        for c in &self.skeleton.coordinates {
            let (q, u) = (self.q[c.dof], self.qd[c.dof]);
            if !q.is_finite() || !u.is_finite() || u.abs() > DIVERGED_SPEED {
                return Err(WalkBodyError::World(WorldError::Diverged {
                    time_s: self.time_s,
                    coordinate: c.name.clone(),
                    value: u,
                }));
            }
        }
        self.update_readings().map_err(WalkBodyError::Loads)
    }

    fn update_readings(&mut self) -> Result<(), TrialError> {
        let (sk, s) = (&*self.skeleton, &mut self.scratch);
        s.update_kinematics(sk, &self.q, &self.qd);
        let r = &mut self.readings;
        r.grf_n = [Vector2::zeros(); 2];
        let mut moment = [Vector2::zeros(); 2];
        if let Some(plates) = &self.plates {
            let fade = s.plates(plates, &self.clock, sk, self.time_s)?;
            for (loads, weight) in [(&s.loads, 1.0 - fade), (&s.loads_before, fade)] {
                if weight == 0.0 {
                    continue;
                }
                for l in loads {
                    if let Some(side) = self.side_of_body[l.body] {
                        r.grf_n[side] += weight * Vector2::new(l.force_n[0], l.force_n[1]);
                        moment[side] += weight * l.force_n[1] * Vector2::new(l.point_m[0], l.point_m[1]);
                    }
                }
            }
        }
        for side in 0..2 {
            let fy = r.grf_n[side].y;
            r.grf_cop_m[side] = if fy.abs() >= 1.0 { moment[side] / fy } else { Vector2::zeros() };
        }
        for (k, (dof, c)) in self.device_dofs.iter().zip(&s.couplings).enumerate() {
            r.device_torque_nm[k] = c.torque(1.0, self.q[*dof], self.qd[*dof]);
        }
        Ok(())
    }
}

/// A step of the body that failed.
#[derive(Debug, thiserror::Error)]
pub enum WalkBodyError {
    /// The state diverged.
    #[error(transparent)]
    World(#[from] WorldError),
    /// A recorded load could not be evaluated (outside its data, not a number).
    #[error(transparent)]
    Loads(TrialError),
}
