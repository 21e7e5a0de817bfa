//! The simulation: one control tick at a time, in the order the hardware runs.

use std::sync::Arc;
use std::time::Instant;

use exo_control::{ControlLaw, SVector, SensorFrame, Supervised, Supervisor, SupervisorState};

use super::frame_log::{FrameLog, FrameOutput, FrameRecord};
use super::metrics::{ActuatorSummary, CuffSummary, JointSummary, Metrics, StepResponse, Summary, SupervisorSummary};
use super::recorder::{Channel, Recorder};
use super::setpoint::SetpointSource;
use super::timing::Timing;
use crate::actuator::{Actuator, Coupling};
use crate::body::Joint;
use crate::human::HumanModel;
use crate::reference::MotionReference;
use crate::sensor::{SensorSuite, Truth};
use crate::world::{StepInputs, World, WorldError};

/// Rise time (10 % to 90 %) times -3 dB bandwidth of a first-order lag: `t_r = ln(9) tau`, `f = 1 / (2 pi
/// tau)`, so `f t_r = ln(9) / (2 pi) = 0.3497`. Only an estimate for other loops; `exosim bode` measures.
const FIRST_ORDER_RISE_BANDWIDTH_PRODUCT: f64 = 0.3497;

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
        joint: &'static str,
        /// Time, s.
        time_s: f64,
    },
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
    /// Actuators of the exoskeleton joints (hip, knee, ankle).
    pub actuators: [Option<Actuator>; 3],
    /// Sensors.
    pub sensors: SensorSuite,
    /// The control law.
    pub controller: Box<dyn ControlLaw<f64, 3> + Send>,
    /// The safety supervisor.
    pub supervisor: Supervisor<f64, 3>,
    /// Setpoints.
    pub setpoint: SetpointSource,
    /// Rates.
    pub timing: Timing,
    /// Record one row every this many control ticks (0: record nothing).
    pub record_every_ticks: usize,
    /// Planned duration, s (sizes the recorder).
    pub duration_s: f64,
}

/// What one tick produced, for live displays.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TickOutput {
    /// The frame the controller saw.
    pub frame: SensorFrame<f64, 3>,
    /// The supervised command.
    pub supervised: Supervised<f64, 3>,
    /// Human torques of the last physics step, N m.
    pub human_torque_nm: [f64; 3],
    /// Reference joint angles, rad.
    pub reference_q_rad: [f64; 3],
    /// Gait phase (the controller's estimate if it has one, else the reference's).
    pub gait_phase: Option<f64>,
}

/// A running simulation.
pub struct Simulation {
    name: String,
    world: World,
    human: HumanModel,
    reference: Arc<dyn MotionReference>,
    actuators: [Option<Actuator>; 3],
    sensors: SensorSuite,
    controller: Box<dyn ControlLaw<f64, 3> + Send>,
    supervisor: Supervisor<f64, 3>,
    setpoint: SetpointSource,
    timing: Timing,
    record_every: usize,
    recorder: Recorder,
    metrics: Metrics,
    tick: u64,
    last: Option<TickOutput>,
    wall_s: f64,
    row: Vec<f64>,
    energy_start_j: f64,
    frame_log: Option<FrameLog>,
    /// Control ticks in the scenario's duration (what the recorder and the frame log are sized for).
    planned_ticks: usize,
}

fn recorder_channels(world: &World, actuators: &[Option<Actuator>; 3]) -> Vec<Channel> {
    let mut ch = vec![Channel { name: "time_s".into(), unit: "s" }];
    let mut add = |name: String, unit: &'static str| ch.push(Channel { name, unit });
    for j in Joint::ALL {
        let n = j.name();
        add(format!("{n}_q_rad"), "rad");
        add(format!("{n}_q_ref_rad"), "rad");
        add(format!("{n}_human_torque_nm"), "N m");
    }
    for j in Joint::ALL {
        if world.exo_joint(j).is_none() {
            continue;
        }
        let n = j.name();
        add(format!("exo_{n}_q_rad"), "rad");
        add(format!("exo_{n}_torque_nm"), "N m");
        add(format!("exo_{n}_interaction_nm"), "N m");
        if actuators[j.index()].is_some() {
            add(format!("exo_{n}_demand_nm"), "N m");
            add(format!("exo_{n}_command_nm"), "N m");
            add(format!("exo_{n}_current_a"), "A");
            add(format!("exo_{n}_voltage_v"), "V");
            add(format!("exo_{n}_winding_c"), "°C");
            add(format!("exo_{n}_motor_speed_rad_per_s"), "rad/s");
        }
    }
    for c in world.cuffs() {
        add(format!("{}_normal_n", c.name), "N");
        add(format!("{}_shear_n", c.name), "N");
        add(format!("{}_moment_nm", c.name), "N m");
    }
    add("foot_force_x_n".into(), "N");
    add("foot_force_z_n".into(), "N");
    add("pelvis_x_m".into(), "m");
    add("pelvis_z_m".into(), "m");
    add("pelvis_pitch_rad".into(), "rad");
    add("gait_phase".into(), "1");
    add("foot_contact".into(), "1");
    add("supervisor_state".into(), "1");
    add("supervisor_reason".into(), "1");
    add("battery_energy_j".into(), "J");
    // Every generalised coordinate, so that a replay can pose the whole model.
    for b in world.model().bodies() {
        let unit = b.joint.coordinate_unit();
        add(format!("coord_{}_{}", b.name, if unit == "m" { "m" } else { "rad" }), unit);
    }
    ch
}

impl Simulation {
    /// Assembles a simulation; the recorder is sized for the planned duration.
    #[must_use]
    pub fn new(parts: SimulationParts) -> Self {
        let channels = recorder_channels(&parts.world, &parts.actuators);
        let ticks = (parts.duration_s / parts.timing.control_dt_s).ceil() as usize + 1;
        let rows = ticks.checked_div(parts.record_every_ticks).map_or(0, |r| r + 2);
        let width = channels.len();
        let cuffs = parts.world.cuffs().len();
        let energy_start_j = parts.world.mechanical_energy_j();
        Self {
            energy_start_j,
            name: parts.name,
            world: parts.world,
            human: parts.human,
            reference: parts.reference,
            actuators: parts.actuators,
            sensors: parts.sensors,
            controller: parts.controller,
            supervisor: parts.supervisor,
            setpoint: parts.setpoint,
            timing: parts.timing,
            record_every: parts.record_every_ticks,
            recorder: Recorder::new(channels, rows),
            metrics: Metrics::new(cuffs),
            tick: 0,
            last: None,
            wall_s: 0.0,
            row: Vec::with_capacity(width),
            frame_log: None,
            planned_ticks: ticks,
        }
    }

    /// Starts logging every tick's sensor frame and commands (for `exosim replay`); off by default. The log is
    /// allocated here for the whole planned run, so the ticks do not allocate.
    pub fn log_frames(&mut self) {
        let ticks = self.planned_ticks;
        self.frame_log.get_or_insert_with(|| FrameLog::with_capacity(ticks));
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

    /// The actuators.
    #[must_use]
    pub fn actuators(&self) -> &[Option<Actuator>; 3] {
        &self.actuators
    }

    /// The control law, to change its parameters live.
    pub fn controller_mut(&mut self) -> &mut (dyn ControlLaw<f64, 3> + Send) {
        self.controller.as_mut()
    }

    /// The control law.
    #[must_use]
    pub fn controller(&self) -> &(dyn ControlLaw<f64, 3> + Send) {
        self.controller.as_ref()
    }

    /// The supervisor.
    #[must_use]
    pub fn supervisor(&self) -> &Supervisor<f64, 3> {
        &self.supervisor
    }

    /// Clears a latched safe stop.
    pub fn reset_supervisor(&mut self) {
        self.supervisor.reset();
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

    /// The last tick's output.
    #[must_use]
    pub fn last(&self) -> Option<&TickOutput> {
        self.last.as_ref()
    }

    /// The recorded time series.
    #[must_use]
    pub fn recorder(&self) -> &Recorder {
        &self.recorder
    }

    fn truth(&self) -> Truth {
        let mut t = Truth::default();
        let r = self.world.readings();
        for j in Joint::ALL {
            let k = j.index();
            let Some(a) = &self.actuators[k] else { continue };
            // Only actuated joints carry sensors (and the law commands only them).
            t.present[k] = true;
            if let Some((q, _)) = self.world.exo_joint(j) {
                t.joint_position_rad[k] = q;
            }
            let s = a.state();
            let ratio = a.config().gearbox.ratio;
            t.motor_position_rad[k] = s.rotor_angle_rad / ratio;
            t.gear_ratio[k] = ratio;
            t.joint_torque_nm[k] = s.spring_torque_nm;
            t.interaction_torque_nm[k] = r.exo_interaction_nm[k];
        }
        t.foot_force_n = r.foot_force_n.y;
        t.base_pitch_rad = self.world.device_base_pitch_rad();
        t
    }

    fn setpoint_for(&self, t_s: f64, frame: &mut SensorFrame<f64, 3>) {
        match self.setpoint {
            SetpointSource::Reference => {
                let r = self.reference.sample(t_s);
                frame.setpoint.position_rad = SVector::from(r.q);
                frame.setpoint.velocity_rad_per_s = SVector::from(r.qd);
            }
            SetpointSource::Torque(sig) => {
                let v = sig.value(t_s);
                for k in 0..3 {
                    frame.setpoint.torque_nm[k] = if self.actuators[k].is_some() { v } else { 0.0 };
                }
            }
        }
    }

    /// Runs one control tick: sensors -> controller -> supervisor -> actuators -> physics.
    pub fn tick(&mut self) -> Result<TickOutput, SimError> {
        let wall = Instant::now();
        let t = self.world.time_s();
        let dt_c = self.timing.control_dt_s;
        // 1. Sensors sample the true state (quantisation, noise, delay, faults).
        let truth = self.truth();
        let mut frame = self.sensors.sample(t, dt_c, &truth);
        self.setpoint_for(t, &mut frame);
        if self.metrics.first_bad_sample_tick.is_none() && !frame.is_finite() {
            self.metrics.first_bad_sample_tick = Some(self.tick);
        }
        // 2. Control law, 3. safety supervisor (timed together: this is the firmware's tick).
        let compute = Instant::now();
        let command = self.controller.update(&frame, dt_c);
        let supervised = self.supervisor.apply(&frame, &command, dt_c);
        let ns = compute.elapsed().as_nanos() as f64;
        self.metrics.compute_ns_sum += ns;
        self.metrics.compute_ns_max = self.metrics.compute_ns_max.max(ns);
        self.book_supervisor(&supervised, t);
        if let Some(log) = &mut self.frame_log {
            let output = FrameOutput { command, supervised_torque_nm: supervised.command.torque_nm };
            log.push(FrameRecord { time_s: t, dt_s: dt_c, frame, output: Some(output) });
        }
        // 4. The wearer, the actuators and 5. physics, once per physics step of the tick. Everything booked or
        // recorded for a step pairs values of the step's start instant `tp`: the state, the reference sampled
        // at `tp`, and the torques computed from them (held over the step).
        let mut human = [0.0; 3];
        let mut r = self.reference.sample(t);
        for step in 0..self.timing.physics_per_control {
            let tp = self.world.time_s();
            r = self.reference.sample(tp);
            let base = self.world.base_motion(tp);
            let (q, qd) = (self.world.leg_q(), self.world.leg_qd());
            let pelvis = self.world.pelvis_coordinates().map(|ids| {
                let st = self.world.state();
                (ids.map(|i| st.q[i]), ids.map(|i| st.qd[i]))
            });
            let sensed = crate::human::Sensed {
                pelvis,
                base: &base,
                q: &q,
                qd: &qd,
                foot_load: self.world.foot_load(),
                cuff_torque_nm: &self.world.readings().leg_interaction_nm,
            };
            let h = self.human.torque(tp, &r, &sensed);
            human = h.total_nm;
            if step == 0 && self.record_every > 0 && self.tick.is_multiple_of(self.record_every as u64) {
                self.record(&frame, &supervised, &h.total_nm, &r.q, self.controller.gait_phase().or(r.phase));
            }
            let mut couplings = [Coupling::NONE; 3];
            for j in Joint::ALL {
                let k = j.index();
                if let (Some(a), Some((qe, qde))) = (self.actuators[k].as_mut(), self.world.exo_joint(j)) {
                    couplings[k] = a.advance(supervised.command.torque_nm[k], qe, qde);
                    if !a.state().rotor_speed_rad_per_s.is_finite() {
                        return Err(SimError::Actuator { joint: j.name(), time_s: tp });
                    }
                }
            }
            let inputs = StepInputs { leg_torque_nm: h.total_nm, pelvis_residual: h.pelvis_residual, couplings };
            self.world.step(self.timing.physics_dt_s, &inputs)?;
            self.book_physics_step(&q, &r.q, &h, &supervised);
        }
        let out = TickOutput {
            frame,
            supervised,
            human_torque_nm: human,
            reference_q_rad: r.q,
            gait_phase: self.controller.gait_phase().or(r.phase),
        };
        self.tick += 1;
        self.metrics.ticks += 1;
        self.last = Some(out);
        self.wall_s += wall.elapsed().as_secs_f64();
        Ok(out)
    }

    fn book_supervisor(&mut self, s: &Supervised<f64, 3>, t: f64) {
        match s.state {
            SupervisorState::Active => {}
            SupervisorState::Limited => self.metrics.limited_ticks += 1,
            SupervisorState::SafeStop => {
                self.metrics.stop_ticks += 1;
                if self.metrics.first_fault.is_none() {
                    let channel = s.reason.channel().map(|c| format!("{}, ", c.name().replace('_', " ")));
                    let reason = match s.reason.joint() {
                        Some(j) => format!(
                            "{} ({}{})",
                            s.reason.describe(),
                            channel.unwrap_or_default(),
                            Joint::ALL[usize::from(j).min(2)].name()
                        ),
                        None => match channel {
                            Some(c) => format!("{} ({})", s.reason.describe(), c.trim_end_matches(", ")),
                            None => s.reason.describe().to_string(),
                        },
                    };
                    self.metrics.first_fault = Some((t, reason));
                    self.metrics.stop_tick = Some(self.tick);
                }
            }
        }
    }

    /// Books one physics step from its start state `q0` (and the reference at the same instant `q_ref`) and the
    /// world after it.
    fn book_physics_step(
        &mut self,
        q0: &[f64; 3],
        q_ref: &[f64; 3],
        h: &crate::human::HumanTorque,
        sup: &Supervised<f64, 3>,
    ) {
        let dt = self.timing.physics_dt_s;
        let m = &mut self.metrics;
        m.physics_steps += 1;
        let q1 = self.world.leg_q();
        for k in 0..3 {
            m.tracking[k].add(q0[k] - q_ref[k]);
            m.human[k].add(h.total_nm[k]);
            // The torque is held over the step, so its work is exactly torque times the angle it moved.
            m.human_work[k] += (h.total_nm[k] * (q1[k] - q0[k])).max(0.0);
            m.human_saturated[k] += u64::from(h.saturated[k]);
            m.residual[k].add(h.pelvis_residual[k]);
        }
        let r = self.world.readings();
        for (stat, c) in m.cuffs.iter_mut().zip(&r.cuffs) {
            stat[0].add(c.normal_n);
            stat[1].add(c.shear_n);
            stat[2].add(c.moment_on_limb_nm);
        }
        for j in Joint::ALL {
            let k = j.index();
            let Some((_, qd_exo)) = self.world.exo_joint(j) else { continue };
            m.interaction[k].add(r.exo_interaction_nm[k]);
            if let Some(a) = self.actuators[k].as_mut() {
                let delivered = r.exo_torque_nm[k];
                a.book_joint_work(delivered, qd_exo, dt);
                let s = a.state();
                m.demand[k].add(sup.command.demand_nm[k]);
                m.delivered[k].add(delivered);
                m.assist_error[k].add(delivered - sup.command.demand_nm[k]);
                m.current[k].add(s.current_a);
                m.peak_winding[k] = m.peak_winding[k].max(s.winding_c);
                m.saturated_steps[k] += u64::from(s.current_limited || s.voltage_saturated);
            }
        }
    }

    /// Records one row at the current instant: the state now, the reference sampled now, the frame and
    /// commands of this tick and the human torque computed now (held over the coming step).
    fn record(
        &mut self,
        frame: &SensorFrame<f64, 3>,
        supervised: &Supervised<f64, 3>,
        human_nm: &[f64; 3],
        q_ref: &[f64; 3],
        gait_phase: Option<f64>,
    ) {
        let w = &self.world;
        let r = w.readings();
        let q = w.leg_q();
        let row = &mut self.row;
        row.clear();
        row.push(w.time_s());
        for k in 0..3 {
            row.push(q[k]);
            row.push(q_ref[k]);
            row.push(human_nm[k]);
        }
        for j in Joint::ALL {
            let k = j.index();
            let Some((qe, _)) = w.exo_joint(j) else { continue };
            row.push(qe);
            row.push(r.exo_torque_nm[k]);
            row.push(r.exo_interaction_nm[k]);
            if let Some(a) = &self.actuators[k] {
                let s = a.state();
                row.push(supervised.command.demand_nm[k]);
                row.push(supervised.command.torque_nm[k]);
                row.push(s.current_a);
                row.push(s.voltage_v);
                row.push(s.winding_c);
                row.push(s.rotor_speed_rad_per_s);
            }
        }
        for c in &r.cuffs {
            row.push(c.normal_n);
            row.push(c.shear_n);
            row.push(c.moment_on_limb_nm);
        }
        let pelvis = w.pelvis_pose();
        row.push(r.foot_force_n.x);
        row.push(r.foot_force_n.y);
        row.push(pelvis.origin_m.x);
        row.push(pelvis.origin_m.y);
        row.push(pelvis.angle_rad);
        row.push(gait_phase.unwrap_or(f64::NAN));
        row.push(f64::from(u8::from(frame.foot_contact[0])));
        row.push(match supervised.state {
            SupervisorState::Active => 0.0,
            SupervisorState::Limited => 1.0,
            SupervisorState::SafeStop => 2.0,
        });
        row.push(f64::from(supervised.reason.code()));
        let energy: f64 = self.actuators.iter().flatten().map(|a| a.energy().drawn_j - a.energy().regenerated_j).sum();
        row.push(energy);
        row.extend_from_slice(&self.world.state().q);
        self.recorder.push(self.row.iter().copied());
    }

    /// Runs until `duration_s` (or an error), calling `progress(fraction)` now and then and stopping early when
    /// `stop()` returns true.
    pub fn run(
        &mut self,
        duration_s: f64,
        mut progress: impl FnMut(f64),
        stop: impl Fn() -> bool,
    ) -> Result<(), SimError> {
        let ticks = (duration_s / self.timing.control_dt_s).round() as u64;
        let every = (ticks / 100).max(1);
        for k in 0..ticks {
            self.tick()?;
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

    /// Step-response figures of the first actuated joint, when the setpoint is a torque step.
    fn step_response(&self) -> Option<StepResponse> {
        let SetpointSource::Torque(crate::simulation::TorqueSignal::Step { time_s, torque_nm }) = self.setpoint else {
            return None;
        };
        let joint = Joint::ALL.into_iter().find(|j| self.actuators[j.index()].is_some())?;
        let rec = &self.recorder;
        let (tc, yc) = (rec.index("time_s")?, rec.index(&format!("exo_{}_torque_nm", joint.name()))?);
        let t: Vec<f64> = rec.column(tc).collect();
        let y: Vec<f64> = rec.column(yc).collect();
        let start = t.iter().position(|x| *x >= time_s)?;
        let y0 = y.get(start.saturating_sub(1)).copied().unwrap_or(0.0);
        let span = torque_nm - y0;
        if span.abs() < 1e-9 || t.len() < start + 10 {
            return None;
        }
        let frac = |v: f64| (v - y0) / span;
        let t10 = (start..t.len()).find(|&i| frac(y[i]) >= 0.1).map(|i| t[i]);
        let t90 = (start..t.len()).find(|&i| frac(y[i]) >= 0.9).map(|i| t[i]);
        let peak = y[start..].iter().map(|v| frac(*v)).fold(f64::NEG_INFINITY, f64::max);
        let last_out = (start..t.len()).rev().find(|&i| (frac(y[i]) - 1.0).abs() > 0.05);
        let tail = t.len() - (t.len() - start) / 10;
        let sse = y[tail..].iter().map(|v| torque_nm - v).sum::<f64>() / (t.len() - tail) as f64;
        let rise = match (t10, t90) {
            (Some(a), Some(b)) => b - a,
            _ => f64::NAN,
        };
        Some(StepResponse {
            joint: joint.name().into(),
            target_nm: torque_nm,
            rise_time_s: rise,
            overshoot_pct: 100.0 * (peak - 1.0).max(0.0),
            settling_time_s: last_out.map_or(0.0, |i| t.get(i + 1).copied().unwrap_or(t[i]) - time_s),
            steady_state_error_nm: sse,
            bandwidth_estimate_hz: FIRST_ORDER_RISE_BANDWIDTH_PRODUCT / rise,
        })
    }

    /// The metrics so far.
    #[must_use]
    pub fn summary(&self) -> Summary {
        let m = &self.metrics;
        let steps = m.physics_steps.max(1) as f64;
        let joints = Joint::ALL
            .iter()
            .map(|j| {
                let k = j.index();
                JointSummary {
                    joint: j.name().into(),
                    tracking_rmse_rad: m.tracking[k].rms(),
                    tracking_peak_error_rad: m.tracking[k].peak(),
                    human_torque_rms_nm: m.human[k].rms(),
                    human_torque_peak_nm: m.human[k].peak(),
                    human_positive_work_j: m.human_work[k],
                    human_saturated_fraction: m.human_saturated[k] as f64 / steps,
                }
            })
            .collect();
        let cuffs = self
            .world
            .cuffs()
            .iter()
            .zip(&m.cuffs)
            .map(|(c, s)| CuffSummary {
                cuff: c.name.clone(),
                normal_rms_n: s[0].rms(),
                normal_peak_n: s[0].peak(),
                shear_rms_n: s[1].rms(),
                shear_peak_n: s[1].peak(),
                moment_rms_nm: s[2].rms(),
                moment_peak_nm: s[2].peak(),
            })
            .collect();
        let actuators: Vec<ActuatorSummary> = Joint::ALL
            .iter()
            .filter_map(|j| {
                let k = j.index();
                let a = self.actuators[k].as_ref()?;
                let e = a.energy();
                Some(ActuatorSummary {
                    joint: j.name().into(),
                    demand_rms_nm: m.demand[k].rms(),
                    delivered_rms_nm: m.delivered[k].rms(),
                    assistance_error_rms_nm: m.assist_error[k].rms(),
                    interaction_rms_nm: m.interaction[k].rms(),
                    interaction_peak_nm: m.interaction[k].peak(),
                    peak_current_a: m.current[k].peak(),
                    rms_current_a: m.current[k].rms(),
                    peak_winding_c: m.peak_winding[k],
                    saturated_fraction: m.saturated_steps[k] as f64 / steps,
                    battery_wh: e.battery_wh(),
                    copper_loss_j: e.copper_loss_j,
                    friction_and_gear_loss_j: e.friction_loss_j + e.gear_loss_j,
                    joint_positive_work_j: e.joint_work_positive_j,
                    joint_negative_work_j: e.joint_work_negative_j,
                })
            })
            .collect();
        let ticks = m.ticks.max(1) as f64;
        let sim_ms = self.world.time_s() * 1e3;
        Summary {
            scenario: self.name.clone(),
            duration_s: self.world.time_s(),
            ticks: m.ticks,
            joints,
            cuffs,
            battery_wh: actuators.iter().map(|a| a.battery_wh).sum(),
            actuators,
            supervisor: SupervisorSummary {
                limited_events: self.supervisor.limited_events(),
                faults: self.supervisor.fault_events(),
                first_fault_time_s: m.first_fault.as_ref().map(|f| f.0),
                first_fault_reason: m.first_fault.as_ref().map(|f| f.1.clone()),
                ticks_to_safe_stop: match (m.first_bad_sample_tick, m.stop_tick) {
                    (Some(a), Some(b)) if b >= a => Some(b - a),
                    _ => None,
                },
                limited_fraction: m.limited_ticks as f64 / ticks,
                safe_stop_fraction: m.stop_ticks as f64 / ticks,
            },
            control_compute_mean_ns: m.compute_ns_sum / ticks,
            control_compute_max_ns: m.compute_ns_max,
            wall_us_per_sim_ms: if sim_ms > 0.0 { self.wall_s * 1e6 / sim_ms } else { 0.0 },
            real_time_factor: if self.wall_s > 0.0 { self.world.time_s() / self.wall_s } else { 0.0 },
            recorded_rows: self.recorder.rows(),
            energy_check: (self.world.is_conservative()
                && self.human.is_passive()
                && self.actuators.iter().all(Option::is_none))
            .then(|| {
                let end_j = self.world.mechanical_energy_j();
                super::metrics::EnergyCheck {
                    start_j: self.energy_start_j,
                    end_j,
                    drift_fraction: (end_j - self.energy_start_j) / self.energy_start_j.abs(),
                }
            }),
            step_response: self.step_response(),
            pelvis_residual_rms: self.world.pelvis_coordinates().map(|_| m.residual.map(|r| r.rms())),
            baseline: None,
            baseline_pelvis_residual_rms: None,
            ended_early: None,
        }
    }
}
