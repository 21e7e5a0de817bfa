//! The simulation: one control tick at a time, in the order the hardware runs.

use std::sync::Arc;
use std::time::Instant as WallClock;

use exo_control::SupervisorState;

use super::channels::{Column, Instant, columns};
use super::frame_log::FrameLog;
use super::metrics::{Metrics, StepBook};
use super::recorder::{Recorder, RecorderFull};
use super::setpoint::{HostTorque, HostTorqueError, SetpointSource};
use super::timing::Timing;
use crate::actuator::{Actuator, Coupling};
use crate::control::{Controller, Frame, Output};
use crate::human::{HumanModel, HumanTorque};
use crate::reference::{MotionReference, RefSample};
use crate::sensor::{SensorSuite, Truth};
use crate::world::{StepInputs, World, WorldError};

/// A run that failed.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum SimError {
    /// The world diverged.
    #[error(transparent)]
    World(#[from] WorldError),
    /// An actuator's state became non-finite.
    #[error("actuator at the {joint} diverged at t = {time_s:.4} s")]
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

/// A joint of the device that the controller commands: its device joint and the foot its side stands on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ControlledJoint {
    /// Name (the device joint's).
    pub name: String,
    /// Index into [`World::device_joints`].
    pub device_joint: usize,
}

/// Everything a simulation is built from.
pub struct SimulationParts {
    /// Scenario name.
    pub name: String,
    /// The world.
    pub world: World,
    /// The human motor model.
    pub human: HumanModel,
    /// The motion the human follows.
    pub reference: Arc<dyn MotionReference>,
    /// The joints the controller commands, in its joint order.
    pub joints: Vec<ControlledJoint>,
    /// Their actuators, same order.
    pub actuators: Vec<Actuator>,
    /// Sensors.
    pub sensors: SensorSuite,
    /// The device's firmware: control law and supervisor.
    pub controller: Box<dyn Controller>,
    /// The supervisor settings `controller` was built with, one entry per joint: what another law on the same
    /// device would be supervised by (see `examples/custom_law.rs`).
    pub supervisor: crate::control::SupervisorSpec,
    /// Setpoints.
    pub setpoint: SetpointSource,
    /// Rates.
    pub timing: Timing,
    /// Record one row every this many control ticks (0: record nothing).
    pub record_every_ticks: usize,
    /// Planned duration, s (sizes the recorder).
    pub duration_s: f64,
}

/// A running simulation. Each [`Simulation::tick`] is one control period in the order firmware meets it: the
/// sensors sample the true state, the controller (law, then supervisor) computes its command from that frame
/// alone, the actuators turn it into current, torque and heat over their current-loop substeps, and the world
/// steps the wearer and the device; the metrics and the recorder book what happened.
///
/// The shipped torque-step bench, run for its first half second (the step to 10 N m comes at 0.2 s):
///
/// ```
/// use exo_sim::scenario;
/// use exo_sim::simulation::Simulation;
///
/// let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/torque-step.toml");
/// let loaded = scenario::load(&path, &["simulation.duration_s=0.5".to_string()])?;
/// let mut sim = Simulation::new(scenario::build(&loaded, true)?);
/// sim.tick()?; // one control period, by hand
/// assert_eq!(sim.ticks(), 1);
/// sim.run(0.499, |_fraction| {}, || false)?; // the rest
/// let step = sim.summary().step_response.expect("a torque step was commanded");
/// assert_eq!(step.target_nm, 10.0);
/// // 108 ms measured; a loop that follows faster than its spring and motor allow would be a broken model.
/// assert!(step.rise_time_s > 0.05 && step.rise_time_s < 0.2, "{}", step.rise_time_s);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Simulation {
    pub(super) name: String,
    pub(super) world: World,
    pub(super) human: HumanModel,
    pub(super) reference: Arc<dyn MotionReference>,
    pub(super) joints: Vec<ControlledJoint>,
    pub(super) actuators: Vec<Actuator>,
    pub(super) sensors: SensorSuite,
    pub(super) controller: Box<dyn Controller>,
    pub(super) setpoint: SetpointSource,
    host_torque: HostTorque,
    pub(super) timing: Timing,
    record_every: usize,
    columns: Vec<Column>,
    pub(super) recorder: Recorder,
    pub(super) metrics: Metrics,
    tick: u64,
    pub(super) wall_s: f64,
    pub(super) energy_start_j: f64,
    frame_log: Option<FrameLog>,
    /// Control ticks in the scenario's duration (what the recorder and the frame log are sized for).
    planned_ticks: usize,
    // Per-tick buffers, sized once: the truth the sensors sample, the frame, the firmware's output, the
    // couplings of every device joint, the reference and the wearer's torques of the last step.
    truth: Truth,
    frame: Frame,
    output: Output,
    couplings: Vec<Coupling>,
    reference_now: RefSample,
    human_now: HumanTorque,
    /// Device joint of each controlled joint.
    controlled: Vec<usize>,
}

impl Simulation {
    /// Assembles a simulation; the recorder is sized for the planned duration.
    #[must_use]
    pub fn new(parts: SimulationParts) -> Self {
        let controlled: Vec<usize> = parts.joints.iter().map(|j| j.device_joint).collect();
        let columns = columns(&parts.world, &controlled);
        let ticks = (parts.duration_s / parts.timing.control_dt_s).ceil() as usize + 1;
        let rows = ticks.checked_div(parts.record_every_ticks).map_or(0, |r| r + 2);
        let n = parts.joints.len();
        let coordinates = parts.world.coordinates().len();
        let metrics = Metrics::new(coordinates, n, parts.world.cuffs().len());
        let energy_start_j = parts.world.mechanical_energy_j();
        let reference_now = parts.reference.sample(0.0);
        Self {
            energy_start_j,
            name: parts.name,
            truth: Truth::new(n, 1),
            frame: Frame::new(n),
            output: Output::new(n),
            couplings: vec![Coupling::NONE; parts.world.device_joints().len()],
            reference_now,
            human_now: HumanTorque::default(),
            controlled,
            world: parts.world,
            human: parts.human,
            reference: parts.reference,
            joints: parts.joints,
            actuators: parts.actuators,
            sensors: parts.sensors,
            controller: parts.controller,
            setpoint: parts.setpoint,
            host_torque: HostTorque::new(n),
            timing: parts.timing,
            record_every: parts.record_every_ticks,
            recorder: Recorder::new(columns.iter().map(|c| c.channel.clone()).collect(), rows),
            columns,
            metrics,
            tick: 0,
            wall_s: 0.0,
            frame_log: None,
            planned_ticks: ticks,
        }
    }

    /// Starts logging every tick's sensor frame and commands (for `exosim replay`); off by default. The log is
    /// allocated here for the whole planned run, so the ticks do not allocate.
    pub fn log_frames(&mut self) {
        let (ticks, names) = (self.planned_ticks, self.joints.iter().map(|j| j.name.clone()).collect());
        self.frame_log.get_or_insert_with(|| FrameLog::with_capacity(names, ticks));
    }

    /// The frame log, when [`Simulation::log_frames`] turned it on.
    #[must_use]
    pub fn frame_log(&self) -> Option<&FrameLog> {
        self.frame_log.as_ref()
    }

    /// Scenario name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The world (read-only: draw from it, never step it).
    #[must_use]
    pub fn world(&self) -> &World {
        &self.world
    }

    /// The joints the controller commands.
    #[must_use]
    pub fn joints(&self) -> &[ControlledJoint] {
        &self.joints
    }

    /// Their actuators, in the same order.
    #[must_use]
    pub fn actuators(&self) -> &[Actuator] {
        &self.actuators
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

    /// Clears a latched safe stop.
    pub fn reset_supervisor(&mut self) {
        self.controller.reset_supervisor();
    }

    /// The rates.
    #[must_use]
    pub fn timing(&self) -> &Timing {
        &self.timing
    }

    /// Simulated time, s.
    #[must_use]
    pub fn time_s(&self) -> f64 {
        self.world.time_s()
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

    /// The wearer's torques of the last physics step, one per wearer coordinate, N m.
    #[must_use]
    pub fn human_torque_nm(&self) -> &[f64] {
        &self.human_now.total_nm
    }

    /// The reference angles of the last physics step, one per wearer coordinate, rad.
    #[must_use]
    pub fn reference_q_rad(&self) -> &[f64] {
        &self.reference_now.q
    }

    /// The gait phase: the controller's estimate if it has one, else the reference's.
    #[must_use]
    pub fn gait_phase(&self) -> Option<f64> {
        self.controller.gait_phase().or(self.reference_now.phase)
    }

    /// The recorded time series.
    #[must_use]
    pub fn recorder(&self) -> &Recorder {
        &self.recorder
    }

    /// The setpoint source.
    #[must_use]
    pub fn setpoint(&self) -> SetpointSource {
        self.setpoint
    }

    /// Sets the host's torque setpoint, N m per controlled joint, in place of the scenario's from the next tick
    /// on (see [`HostTorque`]); `None` gives the scenario's back.
    ///
    /// # Errors
    /// The wrong number of values or a value that is not finite; the previous setpoint is kept.
    pub fn set_host_torque_nm(&mut self, torque_nm: Option<&[f64]>) -> Result<(), HostTorqueError> {
        let joints = &self.joints;
        self.host_torque.set(torque_nm, |j| joints.get(j).map_or_else(|| "?".to_string(), |k| k.name.clone()))
    }

    /// Fills the truth the sensors sample: each controlled joint's angle, motor, spring and cuffs, the foot and
    /// the device's base.
    fn sample_truth(&mut self) {
        let (w, t) = (&self.world, &mut self.truth);
        let r = w.readings();
        for (k, (j, a)) in self.joints.iter().zip(&self.actuators).enumerate() {
            let s = a.state();
            let ratio = a.config().gearbox.ratio;
            t.joint_position_rad[k] = w.device_joint_state(j.device_joint).0;
            t.motor_position_rad[k] = s.rotor_angle_rad / ratio;
            t.gear_ratio[k] = ratio;
            t.joint_torque_nm[k] = s.spring_torque_nm;
            t.interaction_torque_nm[k] = r.exo_interaction_nm[j.device_joint];
        }
        t.foot_force_n[0] = r.foot_force_n.y;
        t.base_pitch_rad = w.device_base_pitch_rad();
    }

    /// Puts the host's targets for time `t_s` into the frame (the reference sampled at `t_s`, `reference_now`).
    fn fill_setpoint(&mut self, t_s: f64) {
        let (r, joints, world) = (&self.reference_now, &self.joints, &self.world);
        self.setpoint.fill(t_s, &mut self.frame, |q, qd| {
            for (k, j) in joints.iter().enumerate() {
                let spans = world.device_joints()[j.device_joint].spans;
                q[k] = r.q[spans];
                qd[k] = r.qd[spans];
            }
        });
        self.host_torque.apply(&mut self.frame);
    }

    /// Runs one control tick: sensors -> control law -> supervisor -> (the wearer, the actuators, physics) for
    /// each physics step of the tick.
    pub fn tick(&mut self) -> Result<(), SimError> {
        let wall = WallClock::now();
        let t = self.world.time_s();
        let dt_c = self.timing.control_dt_s;
        // 1. Sensors sample the true state (quantisation, noise, delay, faults); the host adds its targets.
        self.sample_truth();
        self.sensors.sample(t, dt_c, &self.truth, &mut self.frame);
        // Sampled once for the tick's start: the host's targets and the first physics step read it.
        self.reference_now = self.reference.sample(t);
        self.fill_setpoint(t);
        if self.metrics.first_bad_sample_tick.is_none() && !self.frame.is_finite() {
            self.metrics.first_bad_sample_tick = Some(self.tick);
        }
        // 2. Control law and 3. safety supervisor: the device's firmware tick (timed together).
        let compute = WallClock::now();
        self.controller.tick(&self.frame, dt_c, &mut self.output);
        let ns = compute.elapsed().as_nanos() as f64;
        self.metrics.compute_ns_sum += ns;
        self.metrics.compute_ns_max = self.metrics.compute_ns_max.max(ns);
        self.book_supervisor(t);
        if let Some(log) = &mut self.frame_log {
            log.push_tick(t, dt_c, &self.frame, &self.output);
        }
        // 4. The wearer, the actuators and 5. physics, once per physics step. What is booked or recorded for a
        // step pairs values of its start instant: the state, the reference sampled then, and the torques computed
        // from them (held over the step).
        for step in 0..self.timing.physics_per_control {
            let tp = self.world.time_s();
            if step > 0 {
                self.reference_now = self.reference.sample(tp);
            }
            self.human_now = self.wearer_torque(tp);
            if step == 0 && self.record_every > 0 && self.tick.is_multiple_of(self.record_every as u64) {
                self.record()?;
            }
            for (k, (j, a)) in self.joints.iter().zip(self.actuators.iter_mut()).enumerate() {
                let (q, qd) = self.world.device_joint_state(j.device_joint);
                self.couplings[j.device_joint] = a.advance(self.output.torque_nm[k], q, qd);
                if !a.state().rotor_speed_rad_per_s.is_finite() {
                    return Err(SimError::Actuator { joint: j.name.clone(), time_s: tp });
                }
            }
            let q0 = self.world.leg_q();
            let inputs = StepInputs {
                wearer_torque_nm: &self.human_now.total_nm,
                pelvis_residual: self.human_now.pelvis_residual,
                couplings: &self.couplings,
            };
            self.world.step(self.timing.physics_dt_s, &inputs)?;
            self.book_step(&q0);
        }
        self.tick += 1;
        self.metrics.ticks += 1;
        self.wall_s += wall.elapsed().as_secs_f64();
        Ok(())
    }

    /// The wearer's torques at `t_s` from what the wearer senses now.
    fn wearer_torque(&mut self, t_s: f64) -> HumanTorque {
        let w = &self.world;
        let base = w.base_motion(t_s);
        let (q, qd) = (w.leg_q(), w.leg_qd());
        let pelvis = w.pelvis_coordinates().map(|ids| {
            let st = w.state();
            (ids.map(|i| st.q[i]), ids.map(|i| st.qd[i]))
        });
        let sensed = crate::human::Sensed {
            pelvis,
            base: &base,
            q: &q,
            qd: &qd,
            foot_load: w.foot_load(),
            cuff_torque_nm: &w.readings().leg_interaction_nm,
        };
        self.human.torque(t_s, &self.reference_now, &sensed)
    }

    /// Books the physics step that started at wearer coordinates `q0`, and the actuators' work on their joints.
    fn book_step(&mut self, q0: &[f64; 3]) {
        let dt = self.timing.physics_dt_s;
        let readings = self.world.readings();
        for (j, a) in self.joints.iter().zip(self.actuators.iter_mut()) {
            let (_, qd) = self.world.device_joint_state(j.device_joint);
            a.book_joint_work(readings.exo_torque_nm[j.device_joint], qd, dt);
        }
        let q1 = self.world.leg_q();
        self.metrics.book_step(&StepBook {
            q0,
            q1: &q1,
            q_ref: &self.reference_now.q,
            human: &self.human_now,
            readings,
            actuators: &self.actuators,
            controlled: &self.controlled,
            output: &self.output,
        });
    }

    fn book_supervisor(&mut self, t: f64) {
        match self.output.state {
            SupervisorState::Active => {}
            SupervisorState::Limited => self.metrics.limited_ticks += 1,
            SupervisorState::SafeStop => {
                self.metrics.stop_ticks += 1;
                if self.metrics.first_fault.is_none() {
                    // Booked as the reason code; its text is written with the summary, off the tick.
                    self.metrics.first_fault = Some((t, self.output.reason));
                    self.metrics.stop_tick = Some(self.tick);
                }
            }
        }
    }

    /// Records one row at the current instant: the state now, the reference sampled now, the frame and
    /// commands of this tick and the wearer's torques computed now.
    fn record(&mut self) -> Result<(), SimError> {
        let at = Instant {
            world: &self.world,
            actuators: &self.actuators,
            frame: &self.frame,
            output: &self.output,
            human_nm: &self.human_now.total_nm,
            q_ref: &self.reference_now.q,
            gait_phase: self.controller.gait_phase().or(self.reference_now.phase),
        };
        let columns = &self.columns;
        self.recorder
            .push_row(|k| columns[k].source.read(&at))
            .map_err(|source| SimError::RecorderFull { time_s: self.world.time_s(), source })
    }

    /// Runs until `duration_s` (or an error), calling `progress(fraction)` now and then and stopping early when
    /// `stop()` returns true.
    pub fn run(&mut self, duration_s: f64, progress: impl FnMut(f64), stop: impl Fn() -> bool) -> Result<(), SimError> {
        let ticks = (duration_s / self.timing.control_dt_s).round() as u64;
        run_ticks(ticks, || self.tick(), progress, stop)
    }
}

/// Runs `tick` `ticks` times (or until an error), calling `progress(fraction)` about a hundred times and stopping
/// early when `stop()` returns true at one of those calls: the loop of every stepper's `run`.
pub(crate) fn run_ticks<E>(
    ticks: u64,
    mut tick: impl FnMut() -> Result<(), E>,
    mut progress: impl FnMut(f64),
    stop: impl Fn() -> bool,
) -> Result<(), E> {
    let every = (ticks / 100).max(1);
    for k in 0..ticks {
        tick()?;
        if k % every == 0 {
            progress(k as f64 / ticks as f64);
            if stop() {
                break;
            }
        }
    }
    progress(1.0);
    Ok(())
}
