//! The wearer imported from OpenSim, walking in a closed loop with the device.
//!
//! The two-legged body of an `.osim` model ([`crate::wearer::Skeleton`]) with a free pelvis tracks the recorded
//! trial ([`tracking`]) on the recorded force plates ([`body`]), while the device's firmware drives its actuators on
//! the coordinates they span. One control tick runs in the order the hardware meets it: the sensors sample the true
//! state, the law and the supervisor compute the command from that frame alone, then for each physics step the
//! wearer's motor model, the actuators (current loop, motor, gearbox, spring) and the body's dynamics.
//!
//! What this body does not have yet, compared with the one-legged world ([`crate::world`]): cuffs (the device
//! acts on the coordinate it spans, rigidly strapped), the device's own links and mass, compliant foot contact in a
//! scenario (the contact model exists, [`crate::wearer::SmoothSphereHalfSpace`]), and a backpack.

pub mod body;
pub mod clock;
pub mod tracking;

use std::sync::Arc;
use std::time::Instant as WallClock;

use exo_control::SupervisorState;
use serde::Serialize;

use crate::actuator::{Actuator, Coupling};
use crate::control::{Controller, Frame, Output};
use crate::sensor::{SensorSuite, Truth};
use crate::simulation::{Channel, HostTorque, HostTorqueError, Recorder, RecorderFull, SetpointSource, Stat, Timing};
use crate::wearer::Skeleton;
use crate::wearer::trial::CoordinateTrajectories;
pub use body::{BodyReadings, BodySetup, WalkBody, WalkBodyError};
pub use clock::{TrialClock, TrialInstant};
pub use tracking::{
    JointNameError, JointTracking, Reference, ReferenceSample, Residual, TrackingConfig, TrackingWearer, WearerForces,
    pelvis_coordinates,
};

/// A joint of the device: its name (`ankle_r`), the skeleton coordinate it spans and the foot its side stands on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceJoint {
    /// Name, as the scenario's `[actuators]` and `[controller]` sections call it (`ankle_r`).
    pub name: String,
    /// Index of the coordinate it spans (skeleton order).
    pub coordinate: usize,
    /// Foot of its side: 0 right, 1 left.
    pub foot: usize,
}

/// Everything a walking simulation is built from.
pub struct WalkParts {
    /// Scenario name.
    pub name: String,
    /// The body.
    pub body: WalkBody,
    /// The wearer's motor model.
    pub wearer: TrackingWearer,
    /// The trial it tracks.
    pub reference: Arc<Reference>,
    /// The device's joints (empty without a device), in the controller's joint order.
    pub joints: Vec<DeviceJoint>,
    /// Their actuators, same order.
    pub actuators: Vec<Actuator>,
    /// The device's sensors.
    pub sensors: SensorSuite,
    /// The device's firmware: control law and supervisor.
    pub controller: Box<dyn Controller>,
    /// What the host puts in the frame's setpoints.
    pub setpoint: SetpointSource,
    /// Rates.
    pub timing: Timing,
    /// Record one row every this many control ticks (0: record nothing).
    pub record_every_ticks: usize,
    /// Planned duration, s (sizes the recorder).
    pub duration_s: f64,
}

/// A run that failed.
#[derive(Debug, thiserror::Error)]
pub enum WalkError {
    /// The body diverged or a load could not be evaluated.
    #[error(transparent)]
    Body(#[from] WalkBodyError),
    /// An actuator's state became non-finite.
    #[error("actuator at {joint} diverged at t = {time_s:.4} s")]
    Actuator {
        /// Joint name.
        joint: String,
        /// Time, s.
        time_s: f64,
    },
    /// The run went on past the duration its recorder was sized for.
    #[error("t = {time_s:.4} s: {source}")]
    RecorderFull {
        /// Time, s.
        time_s: f64,
        /// The recorder's report.
        source: RecorderFull,
    },
}

/// What is booked per physics step, for the summary.
#[derive(Clone, Debug, Default)]
struct Book {
    steps: u64,
    ticks: u64,
    /// Per coordinate: reference minus state, and the wearer's generalised force.
    tracking: Vec<Stat>,
    force: Vec<Stat>,
    saturated_steps: Vec<u64>,
    /// Per device joint: the delivered torque.
    device: Vec<Stat>,
    winding_peak_c: Vec<f64>,
    compute_ns_sum: f64,
    compute_ns_max: f64,
    limited_ticks: u64,
    first_stop: Option<(f64, exo_control::FaultReason)>,
}

/// Where each value lies in a recorded row: time; per coordinate its value, reference and speed; per coordinate
/// the wearer's generalised force (joint torque or residual); the ground reaction (right x, y, left x, y); per
/// device joint its delivered torque, command, current and winding temperature; the gait phase. The channel list,
/// the recording and every reader of the rows go through it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct RowLayout {
    coordinates: usize,
    joints: usize,
}

impl RowLayout {
    const TIME: usize = 0;
    fn q(self, c: usize) -> usize {
        1 + 3 * c
    }
    fn q_ref(self, c: usize) -> usize {
        2 + 3 * c
    }
    fn u(self, c: usize) -> usize {
        3 + 3 * c
    }
    fn force(self, c: usize) -> usize {
        1 + 3 * self.coordinates + c
    }
    /// `i`: 0 right x, 1 right y, 2 left x, 3 left y.
    fn grf(self, i: usize) -> usize {
        1 + 4 * self.coordinates + i
    }
    /// `field`: 0 delivered torque, 1 command, 2 current, 3 winding temperature.
    fn device(self, k: usize, field: usize) -> usize {
        5 + 4 * self.coordinates + 4 * k + field
    }
    fn phase(self) -> usize {
        5 + 4 * self.coordinates + 4 * self.joints
    }
    fn width(self) -> usize {
        self.phase() + 1
    }
}

/// A running walk. Each [`WalkSimulation::tick`] is one control period: sensors -> law -> supervisor -> (wearer,
/// actuators, physics) per physics step.
pub struct WalkSimulation {
    name: String,
    body: WalkBody,
    wearer: TrackingWearer,
    reference: Arc<Reference>,
    joints: Vec<DeviceJoint>,
    actuators: Vec<Actuator>,
    sensors: SensorSuite,
    controller: Box<dyn Controller>,
    setpoint: SetpointSource,
    host_torque: HostTorque,
    timing: Timing,
    record_every: usize,
    recorder: Recorder,
    book: Book,
    wall_s: f64,
    tick: u64,
    pelvis_body: Option<usize>,
    layout: RowLayout,
    // Per-tick buffers, sized once.
    row: Vec<f64>,
    truth: Truth,
    frame: Frame,
    output: Output,
    couplings: Vec<Coupling>,
    now: ReferenceSample,
    forces: WearerForces,
    q: Vec<f64>,
    u: Vec<f64>,
    device_gf: Vec<f64>,
}

/// The unit suffix of a coordinate's value: `rad` or `m`.
fn unit(skeleton: &Skeleton, c: usize) -> &'static str {
    if skeleton.coordinates[c].motion == exo_opensim::MotionType::Translational { "m" } else { "rad" }
}

impl WalkSimulation {
    /// Assembles a walk; the recorder is sized for the planned duration.
    #[must_use]
    pub fn new(parts: WalkParts) -> Self {
        let sk = parts.body.skeleton();
        let nc = sk.coordinates.len();
        let n = parts.joints.len();
        let layout = RowLayout { coordinates: nc, joints: n };
        // In the order of `RowLayout`.
        let mut channels = vec![Channel { name: "time_s".into(), unit: "s" }];
        let mut ch = |name: String, unit: &'static str| channels.push(Channel { name, unit });
        for (c, coord) in sk.coordinates.iter().enumerate() {
            let u = unit(sk, c);
            ch(format!("{}_q_{u}", coord.name), u);
            ch(format!("{}_q_ref_{u}", coord.name), u);
            ch(format!("{}_u_{u}_per_s", coord.name), if u == "m" { "m/s" } else { "rad/s" });
        }
        for (c, coord) in sk.coordinates.iter().enumerate() {
            match parts.wearer.residual(c) {
                Some(r @ Residual::MomentZ) => ch(r.channel(), "N m"),
                Some(r) => ch(r.channel(), "N"),
                None => ch(format!("{}_human_torque_nm", coord.name), "N m"),
            }
        }
        for side in ["r", "l"] {
            ch(format!("grf_{side}_fx_n"), "N");
            ch(format!("grf_{side}_fy_n"), "N");
        }
        for j in &parts.joints {
            ch(format!("exo_{}_torque_nm", j.name), "N m");
            ch(format!("exo_{}_command_nm", j.name), "N m");
            ch(format!("exo_{}_current_a", j.name), "A");
            ch(format!("exo_{}_winding_c", j.name), "°C");
        }
        ch("gait_phase".into(), "1");
        debug_assert_eq!(channels.len(), layout.width());
        let ticks = (parts.duration_s / parts.timing.control_dt_s).ceil() as usize + 1;
        let rows = ticks.checked_div(parts.record_every_ticks).map_or(0, |r| r + 2);
        let pelvis_body = sk.body("pelvis");
        let book = Book {
            tracking: vec![Stat::default(); nc],
            force: vec![Stat::default(); nc],
            saturated_steps: vec![0; nc],
            device: vec![Stat::default(); n],
            winding_peak_c: vec![f64::NEG_INFINITY; n],
            ..Book::default()
        };
        let mut now = ReferenceSample::new(nc);
        parts.reference.sample(parts.body.time_s(), &mut now);
        Self {
            name: parts.name,
            truth: Truth::new(n, 2),
            frame: Frame::new(n),
            output: Output::new(n),
            couplings: vec![Coupling::NONE; n],
            forces: WearerForces::new(nc),
            q: vec![0.0; nc],
            u: vec![0.0; nc],
            device_gf: vec![0.0; nc],
            now,
            recorder: Recorder::new(channels, rows),
            book,
            wall_s: 0.0,
            tick: 0,
            pelvis_body,
            row: vec![0.0; layout.width()],
            layout,
            body: parts.body,
            wearer: parts.wearer,
            reference: parts.reference,
            joints: parts.joints,
            actuators: parts.actuators,
            sensors: parts.sensors,
            controller: parts.controller,
            setpoint: parts.setpoint,
            host_torque: HostTorque::new(n),
            timing: parts.timing,
            record_every: parts.record_every_ticks,
        }
    }

    /// Scenario name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The body (read-only: draw from it, never step it).
    #[must_use]
    pub fn body(&self) -> &WalkBody {
        &self.body
    }

    /// The device's joints.
    #[must_use]
    pub fn joints(&self) -> &[DeviceJoint] {
        &self.joints
    }

    /// Their actuators.
    #[must_use]
    pub fn actuators(&self) -> &[Actuator] {
        &self.actuators
    }

    /// The rates.
    #[must_use]
    pub fn timing(&self) -> &Timing {
        &self.timing
    }

    /// Simulated time, s.
    #[must_use]
    pub fn time_s(&self) -> f64 {
        self.body.time_s()
    }

    /// The recorded time series.
    #[must_use]
    pub fn recorder(&self) -> &Recorder {
        &self.recorder
    }

    /// The wearer's motor model (which coordinates carry residuals, its gains).
    #[must_use]
    pub fn wearer(&self) -> &TrackingWearer {
        &self.wearer
    }

    /// Control ticks run.
    #[must_use]
    pub fn ticks(&self) -> u64 {
        self.tick
    }

    /// The frame the controller saw at the last tick.
    #[must_use]
    pub fn frame(&self) -> &Frame {
        &self.frame
    }

    /// What the controller commanded at the last tick.
    #[must_use]
    pub fn output(&self) -> &Output {
        &self.output
    }

    /// The device's firmware (law and supervisor), to change the law's parameters live.
    pub fn controller_mut(&mut self) -> &mut dyn Controller {
        self.controller.as_mut()
    }

    /// The device's firmware.
    #[must_use]
    pub fn controller(&self) -> &dyn Controller {
        self.controller.as_ref()
    }

    /// Sets the host's torque setpoint, N m per device joint, in place of the scenario's from the next tick on
    /// (see [`HostTorque`]); `None` gives the scenario's back.
    ///
    /// # Errors
    /// The wrong number of values or a value that is not finite; the previous setpoint is kept.
    pub fn set_host_torque_nm(&mut self, torque_nm: Option<&[f64]>) -> Result<(), HostTorqueError> {
        let joints = &self.joints;
        self.host_torque.set(torque_nm, |j| joints.get(j).map_or_else(|| "?".to_string(), |k| k.name.clone()))
    }

    /// The trial's coordinates at the last tick's start (the wearer's reference), rad or m, one per coordinate.
    #[must_use]
    pub fn reference_q(&self) -> &[f64] {
        &self.now.q
    }

    /// The wearer's generalised forces of the last physics step, one per coordinate, N m or N.
    #[must_use]
    pub fn wearer_forces(&self) -> &WearerForces {
        &self.forces
    }

    /// Fills the truth the sensors sample: each device joint's angle, motor and spring, each foot's vertical force,
    /// the pelvis' pitch (the device's belt carries its base sensor).
    fn sample_truth(&mut self) {
        let (b, t) = (&self.body, &mut self.truth);
        for (k, (j, a)) in self.joints.iter().zip(&self.actuators).enumerate() {
            let s = a.state();
            let ratio = a.config().gearbox.ratio;
            t.joint_position_rad[k] = b.q(j.coordinate);
            t.motor_position_rad[k] = s.rotor_angle_rad / ratio;
            t.gear_ratio[k] = ratio;
            t.joint_torque_nm[k] = s.spring_torque_nm;
            // Rigid straps: no cuff load cell to read.
            t.interaction_torque_nm[k] = 0.0;
        }
        let grf = &b.readings().grf_n;
        t.foot_force_n[0] = grf[0].y;
        t.foot_force_n[1] = grf[1].y;
        t.base_pitch_rad = self.pelvis_body.map_or(0.0, |p| b.kinematics().body(b.skeleton(), p).angle_rad);
    }

    /// Puts the host's targets for time `t_s` into the frame: the trial's angles of the spanned coordinates (the
    /// reference sampled at `t_s`, `now`).
    fn fill_setpoint(&mut self, t_s: f64) {
        let (joints, now) = (&self.joints, &self.now);
        self.setpoint.fill(t_s, &mut self.frame, |q, qd| {
            for (k, j) in joints.iter().enumerate() {
                q[k] = now.q[j.coordinate];
                qd[k] = now.u[j.coordinate];
            }
        });
        self.host_torque.apply(&mut self.frame);
    }

    /// Runs one control tick: sensors -> control law -> supervisor -> (the wearer, the actuators, physics) for
    /// each physics step of the tick.
    ///
    /// # Errors
    /// The body or an actuator diverged, a load could not be evaluated, or the recorder is full.
    pub fn tick(&mut self) -> Result<(), WalkError> {
        let wall = WallClock::now();
        let t = self.body.time_s();
        let dt_c = self.timing.control_dt_s;
        // 1. Sensors sample the true state; the host adds its targets.
        self.sample_truth();
        self.sensors.sample(t, dt_c, &self.truth, &mut self.frame);
        // Sampled once for the tick's start: the host's targets and the first physics step read it.
        self.reference.sample(t, &mut self.now);
        self.fill_setpoint(t);
        // 2. Control law and 3. safety supervisor.
        let compute = WallClock::now();
        self.controller.tick(&self.frame, dt_c, &mut self.output);
        let ns = compute.elapsed().as_nanos() as f64;
        self.book.compute_ns_sum += ns;
        self.book.compute_ns_max = self.book.compute_ns_max.max(ns);
        match self.output.state {
            SupervisorState::Active => {}
            SupervisorState::Limited => self.book.limited_ticks += 1,
            SupervisorState::SafeStop => {
                self.book.first_stop.get_or_insert((t, self.output.reason));
            }
        }
        // 4. The wearer, the actuators and 5. physics, once per physics step.
        let nc = self.q.len();
        for step in 0..self.timing.physics_per_control {
            let tp = self.body.time_s();
            for c in 0..nc {
                self.q[c] = self.body.q(c);
                self.u[c] = self.body.u(c);
            }
            if step > 0 {
                self.reference.sample(tp, &mut self.now);
            }
            self.device_gf.iter_mut().for_each(|x| *x = 0.0);
            for (j, tau) in self.joints.iter().zip(&self.body.readings().device_torque_nm) {
                self.device_gf[j.coordinate] += tau;
            }
            self.wearer.forces(&self.now, &self.q, &self.u, &self.device_gf, &mut self.forces);
            if step == 0 && self.record_every > 0 && self.tick.is_multiple_of(self.record_every as u64) {
                self.record(tp)?;
            }
            for (k, (j, a)) in self.joints.iter().zip(self.actuators.iter_mut()).enumerate() {
                let (q, u) = (self.q[j.coordinate], self.u[j.coordinate]);
                self.couplings[k] = a.advance(self.output.torque_nm[k], q, u);
                if !a.state().rotor_speed_rad_per_s.is_finite() {
                    return Err(WalkError::Actuator { joint: j.name.clone(), time_s: tp });
                }
            }
            self.body.step(self.timing.physics_dt_s, &self.forces.total, &self.couplings)?;
            self.book_step();
        }
        self.tick += 1;
        self.book.ticks += 1;
        self.wall_s += wall.elapsed().as_secs_f64();
        Ok(())
    }

    /// Books the physics step just taken: tracking (state at its start against the reference then), the wearer's
    /// forces held over it, the device's work on the joints.
    fn book_step(&mut self) {
        let dt = self.timing.physics_dt_s;
        let b = &mut self.book;
        b.steps += 1;
        for c in 0..self.q.len() {
            b.tracking[c].add(self.now.q[c] - self.q[c]);
            b.force[c].add(self.forces.total[c]);
            b.saturated_steps[c] += u64::from(self.forces.saturated[c]);
        }
        let torques = &self.body.readings().device_torque_nm;
        for (k, (j, a)) in self.joints.iter().zip(self.actuators.iter_mut()).enumerate() {
            let tau = torques[k];
            a.book_joint_work(tau, self.body.u(j.coordinate), dt);
            b.device[k].add(tau);
            b.winding_peak_c[k] = b.winding_peak_c[k].max(a.state().winding_c);
        }
    }

    /// Records one row at the start of a physics step: the state, the reference and the wearer's forces of it,
    /// the frame and commands of this tick.
    fn record(&mut self, t: f64) -> Result<(), WalkError> {
        let (l, row) = (self.layout, &mut self.row);
        row[RowLayout::TIME] = t;
        for c in 0..l.coordinates {
            row[l.q(c)] = self.q[c];
            row[l.q_ref(c)] = self.now.q[c];
            row[l.u(c)] = self.u[c];
            row[l.force(c)] = self.forces.total[c];
        }
        let r = self.body.readings();
        for (i, v) in [r.grf_n[0].x, r.grf_n[0].y, r.grf_n[1].x, r.grf_n[1].y].into_iter().enumerate() {
            row[l.grf(i)] = v;
        }
        for (k, a) in self.actuators.iter().enumerate() {
            let s = a.state();
            let values = [r.device_torque_nm[k], self.output.torque_nm[k], s.current_a, s.winding_c];
            for (field, v) in values.into_iter().enumerate() {
                row[l.device(k, field)] = v;
            }
        }
        row[l.phase()] = self.controller.gait_phase().unwrap_or(f64::NAN);
        let row = &self.row;
        self.recorder.push_row(|k| row[k]).map_err(|source| WalkError::RecorderFull { time_s: t, source })
    }

    /// Runs until `duration_s` (or an error), calling `progress(fraction)` now and then and stopping early when
    /// `stop()` returns true.
    ///
    /// # Errors
    /// As [`WalkSimulation::tick`].
    pub fn run(
        &mut self,
        duration_s: f64,
        progress: impl FnMut(f64),
        stop: impl Fn() -> bool,
    ) -> Result<(), WalkError> {
        let ticks = (duration_s / self.timing.control_dt_s).round() as u64;
        crate::simulation::run_ticks(ticks, || self.tick(), progress, stop)
    }

    /// The trial it tracks.
    #[must_use]
    pub fn reference(&self) -> &Reference {
        &self.reference
    }

    /// The recorded rows as a trial for the muscles: times, coordinates and speeds (accelerations zero: the
    /// muscles' states do not use them), and the wearer's generalised forces per row (joint torques and
    /// residuals, N m or N).
    #[must_use]
    pub fn recorded_trial(&self) -> (CoordinateTrajectories, Vec<Vec<f64>>) {
        let sk = self.body.skeleton();
        let nc = sk.coordinates.len();
        let (rec, l) = (&self.recorder, self.layout);
        let rows = rec.rows();
        let mut t = CoordinateTrajectories {
            time_s: Vec::with_capacity(rows),
            q: Vec::with_capacity(rows),
            u: Vec::with_capacity(rows),
            udot: Vec::with_capacity(rows),
        };
        let mut forces = Vec::with_capacity(rows);
        for i in 0..rows {
            let r = rec.row(i);
            t.time_s.push(r[RowLayout::TIME]);
            t.q.push((0..nc).map(|c| r[l.q(c)]).collect());
            t.u.push((0..nc).map(|c| r[l.u(c)]).collect());
            t.udot.push(vec![0.0; nc]);
            forces.push((0..nc).map(|c| r[l.force(c)]).collect());
        }
        (t, forces)
    }

    /// The device's mechanical power on the wearer per recorded row, W: net and positive part (each joint's
    /// positive power summed).
    #[must_use]
    pub fn recorded_device_power_w(&self) -> (Vec<f64>, Vec<f64>) {
        let (rec, l) = (&self.recorder, self.layout);
        let (mut net, mut positive) = (Vec::new(), Vec::new());
        for i in 0..rec.rows() {
            let r = rec.row(i);
            let (mut n, mut p) = (0.0, 0.0);
            for (k, j) in self.joints.iter().enumerate() {
                let w = r[l.device(k, 0)] * r[l.u(j.coordinate)];
                n += w;
                p += w.max(0.0);
            }
            net.push(n);
            positive.push(p);
        }
        (net, positive)
    }

    /// What the run did so far.
    #[must_use]
    pub fn summary(&self) -> WalkSummary {
        let sk = self.body.skeleton();
        let b = &self.book;
        let mut residual_rms = ResidualRms::default();
        let mut coordinates = Vec::new();
        for (c, coord) in sk.coordinates.iter().enumerate() {
            let v = b.force[c].rms();
            match self.wearer.residual(c) {
                Some(Residual::Force(0)) => residual_rms.fx_n = v,
                Some(Residual::Force(_)) => residual_rms.fy_n = v,
                Some(Residual::MomentZ) => residual_rms.mz_nm = v,
                None => {}
            }
            coordinates.push(CoordinateSummary {
                name: coord.name.clone(),
                unit: unit(sk, c),
                tracking_rms: b.tracking[c].rms(),
                generalized_force_rms: v,
                generalized_force_peak: b.force[c].peak(),
                residual: self.wearer.is_residual(c),
                saturated_steps: b.saturated_steps[c],
            });
        }
        let devices = self
            .joints
            .iter()
            .zip(&self.actuators)
            .enumerate()
            .map(|(k, (j, a))| {
                let e = a.energy();
                DeviceSummary {
                    joint: j.name.clone(),
                    coordinate: sk.coordinates[j.coordinate].name.clone(),
                    torque_rms_nm: b.device[k].rms(),
                    torque_peak_nm: b.device[k].peak(),
                    positive_work_j: e.joint_work_positive_j,
                    negative_work_j: e.joint_work_negative_j,
                    battery_wh: e.battery_wh(),
                    copper_loss_j: e.copper_loss_j,
                    winding_peak_c: b.winding_peak_c[k],
                }
            })
            .collect();
        let simulated_s = b.steps as f64 * self.timing.physics_dt_s;
        WalkSummary {
            scenario: self.name.clone(),
            simulated_s,
            control_ticks: b.ticks,
            wall_s: self.wall_s,
            real_time_factor: if self.wall_s > 0.0 { simulated_s / self.wall_s } else { 0.0 },
            control_compute_mean_us: b.compute_ns_sum / b.ticks.max(1) as f64 * 1e-3,
            control_compute_max_us: b.compute_ns_max * 1e-3,
            coordinates,
            pelvis_residual_rms: residual_rms,
            devices,
            limited_ticks: b.limited_ticks,
            safe_stop: b.first_stop.map(|(t, r)| SafeStop { time_s: t, reason: format!("{r:?}") }),
            baseline: None,
            metabolics: None,
            load_carriage: None,
            ended_early: None,
        }
    }
}

/// RMS of the pelvis residuals over the run (OpenSim's residual reduction's figures).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct ResidualRms {
    /// Along ground x, N.
    pub fx_n: f64,
    /// Along ground y, N.
    pub fy_n: f64,
    /// About z, N m.
    pub mz_nm: f64,
}

/// One coordinate over the run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CoordinateSummary {
    /// OpenSim's name.
    pub name: String,
    /// Unit of its value: `rad` or `m`.
    pub unit: &'static str,
    /// RMS of reference minus state, rad or m.
    pub tracking_rms: f64,
    /// RMS of the wearer's generalised force (joint torque, or residual), N m or N.
    pub generalized_force_rms: f64,
    /// Peak |generalised force|, N m or N.
    pub generalized_force_peak: f64,
    /// True for a pelvis coordinate (its force is a residual, not the wearer's).
    pub residual: bool,
    /// Physics steps at the strength limit.
    pub saturated_steps: u64,
}

/// One device joint over the run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DeviceSummary {
    /// Joint name (`ankle_r`).
    pub joint: String,
    /// The coordinate it spans.
    pub coordinate: String,
    /// RMS of its delivered torque, N m.
    pub torque_rms_nm: f64,
    /// Peak |delivered torque|, N m.
    pub torque_peak_nm: f64,
    /// Positive mechanical work on the joint, J.
    pub positive_work_j: f64,
    /// Negative mechanical work (absorbed from the wearer), J, as a positive number.
    pub negative_work_j: f64,
    /// Net battery energy, Wh.
    pub battery_wh: f64,
    /// Copper losses, J.
    pub copper_loss_j: f64,
    /// Hottest winding temperature, °C.
    pub winding_peak_c: f64,
}

/// The supervisor's first safe stop.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SafeStop {
    /// Time, s.
    pub time_s: f64,
    /// The reason code.
    pub reason: String,
}

/// The same walk without the device, joint by joint.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BaselineJoint {
    /// Coordinate.
    pub name: String,
    /// RMS joint torque without the device, N m.
    pub human_torque_rms_nm: f64,
    /// RMS joint torque with it, N m.
    pub with_device_nm: f64,
}

/// The muscles' metabolic cost of a walk, from its recorded states and the wearer's joint torques shared among
/// the muscles by static optimization (one solve per recorded row, warm-started from the row before).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WalkMetabolics {
    /// Averaging window: whole strides, s.
    pub window_s: [f64; 2],
    /// Whole strides in the window.
    pub strides: usize,
    /// Why the window is not the settled strides asked for, when it is not.
    pub window_note: Option<String>,
    /// Rows solved per run.
    pub frames: usize,
    /// Wall-clock time the muscles of this run took (static optimization and both probes at every row, in
    /// parallel chunks), s.
    pub analysis_wall_s: f64,
    /// Whole-body muscle metabolic power of this run (Umberger 2010 as OpenSim's probe computes it), W.
    pub muscles_w: f64,
    /// The same per kilogram of the model, W/kg.
    pub muscles_w_per_kg: f64,
    /// Bhargava et al. (2004) on the same muscle states, W.
    pub bhargava_w: f64,
    /// Cost of transport, J/(kg m), when the walking speed is known.
    pub cost_of_transport_j_per_kg_m: Option<f64>,
    /// Largest reserve torque on a coordinate the muscles cross: where the muscles fell short (coordinate,
    /// time s, N m).
    pub largest_reserve: Option<(String, f64, f64)>,
    /// The same walk without the device, when compared.
    pub change: Option<MetabolicComparison>,
}

/// What the device changes in the muscles' metabolic cost, over the same window.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MetabolicComparison {
    /// Without the device, W.
    pub unassisted_w: f64,
    /// With it, W.
    pub assisted_w: f64,
    /// Change, W (negative: a saving).
    pub change_w: f64,
    /// Change, % of the unassisted power.
    pub change_pct: f64,
    /// Per muscle group: name, unassisted W, assisted W.
    pub groups: Vec<(String, f64, f64)>,
    /// The device's mean positive mechanical power, W.
    pub device_positive_w: f64,
    /// The device's mean net mechanical power, W.
    pub device_net_w: f64,
    /// Metabolic power the assistance saves per watt of positive device power, when the device did positive work:
    /// the change less the device's weight's cost when that is known (`device_weight_w`), else the whole change.
    pub saving_per_positive_work: Option<f64>,
    /// Of the change, what the device's weight alone costs (`wearer.device_masses`): the walk carrying them with
    /// the actuators off against the walk without the device, W; `None` when the device weighs nothing here.
    pub device_weight_w: Option<f64>,
    /// What the device's own masses weigh, kg (0 when it has none in the scenario).
    pub device_mass_kg: f64,
    /// Why the figures look implausible, if they do.
    pub implausible: Option<String>,
}

/// What a carried load changes: the same walk without the device, with and without the load.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LoadCarriage {
    /// The load, kg.
    pub load_kg: f64,
    /// The wearer's own mass, kg.
    pub body_mass_kg: f64,
    /// Walking speed, m/s.
    pub walking_speed_m_per_s: f64,
    /// Muscles' metabolic power without the load, W (over the same strides).
    pub unloaded_w: f64,
    /// With it, W.
    pub loaded_w: f64,
    /// The increase, W.
    pub increase_w: f64,
    /// The increase, % of the unloaded power.
    pub increase_pct: f64,
    /// The increase Pandolf et al. (1977) predict for the same masses and speed on a level treadmill, W
    /// ([`crate::wearer::pandolf::load_increase_w`]).
    pub pandolf_increase_w: f64,
    /// Per coordinate the muscles cross: name, RMS joint torque without the load, with it, N m (over the run).
    pub joints: Vec<(String, f64, f64)>,
    /// The pelvis residuals without the load (the summary's own are with it): what the scaled plates leave
    /// unexplained shows as their rise.
    pub unloaded_residual_rms: ResidualRms,
}

/// What a walk did.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WalkSummary {
    /// Scenario name.
    pub scenario: String,
    /// Simulated time, s.
    pub simulated_s: f64,
    /// Control ticks run.
    pub control_ticks: u64,
    /// Wall-clock time in the loop, s.
    pub wall_s: f64,
    /// Simulated over wall-clock time.
    pub real_time_factor: f64,
    /// Mean firmware tick (law and supervisor), µs.
    pub control_compute_mean_us: f64,
    /// Slowest firmware tick, µs.
    pub control_compute_max_us: f64,
    /// Per coordinate.
    pub coordinates: Vec<CoordinateSummary>,
    /// Pelvis residuals.
    pub pelvis_residual_rms: ResidualRms,
    /// Per device joint.
    pub devices: Vec<DeviceSummary>,
    /// Ticks the supervisor limited the command.
    pub limited_ticks: u64,
    /// The first safe stop, if any.
    pub safe_stop: Option<SafeStop>,
    /// The same walk without the device, when compared.
    pub baseline: Option<Vec<BaselineJoint>>,
    /// The metabolic cost with and without the device, when the scenario asks for it.
    pub metabolics: Option<WalkMetabolics>,
    /// The metabolic cost with and without the backpack, when the scenario compares them.
    pub load_carriage: Option<LoadCarriage>,
    /// Why the run ended before its duration, if it did.
    pub ended_early: Option<String>,
}
