//! Streaming metrics of a run, and the summary they produce.

use serde::Serialize;

/// Running RMS and peak of a signal.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct Stat {
    sum_sq: f64,
    peak: f64,
    n: u64,
}

impl Stat {
    #[inline]
    pub(crate) fn add(&mut self, x: f64) {
        self.sum_sq += x * x;
        self.peak = self.peak.max(x.abs());
        self.n += 1;
    }

    pub(crate) fn rms(&self) -> f64 {
        if self.n == 0 { 0.0 } else { (self.sum_sq / self.n as f64).sqrt() }
    }

    pub(crate) fn peak(&self) -> f64 {
        self.peak
    }
}

/// Per-joint figures of the leg.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct JointSummary {
    /// Joint name.
    pub joint: String,
    /// RMS of the tracking error against the reference, rad.
    pub tracking_rmse_rad: f64,
    /// Peak tracking error, rad.
    pub tracking_peak_error_rad: f64,
    /// RMS human torque, N m.
    pub human_torque_rms_nm: f64,
    /// Peak human torque, N m.
    pub human_torque_peak_nm: f64,
    /// Positive mechanical work of the human at this joint, J.
    pub human_positive_work_j: f64,
    /// Fraction of ticks where the human's strength limit clipped the torque.
    pub human_saturated_fraction: f64,
}

/// Per-cuff interaction figures.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct CuffSummary {
    /// Cuff name.
    pub cuff: String,
    /// RMS normal force, N.
    pub normal_rms_n: f64,
    /// Peak normal force, N.
    pub normal_peak_n: f64,
    /// RMS shear force, N.
    pub shear_rms_n: f64,
    /// Peak shear force, N.
    pub shear_peak_n: f64,
    /// RMS moment, N m.
    pub moment_rms_nm: f64,
    /// Peak moment, N m.
    pub moment_peak_nm: f64,
}

/// Per-actuator figures.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ActuatorSummary {
    /// Joint name.
    pub joint: String,
    /// RMS of the torque the law demanded, N m.
    pub demand_rms_nm: f64,
    /// RMS of the torque delivered to the joint, N m.
    pub delivered_rms_nm: f64,
    /// RMS of delivered minus demanded, N m.
    pub assistance_error_rms_nm: f64,
    /// RMS interaction torque at this joint from the cuffs, N m.
    pub interaction_rms_nm: f64,
    /// Peak interaction torque, N m.
    pub interaction_peak_nm: f64,
    /// Peak winding current, A.
    pub peak_current_a: f64,
    /// RMS winding current, A.
    pub rms_current_a: f64,
    /// Peak winding temperature, °C.
    pub peak_winding_c: f64,
    /// Fraction of physics steps limited by the current limit or the bus voltage.
    pub saturated_fraction: f64,
    /// Net battery energy, Wh.
    pub battery_wh: f64,
    /// Copper losses, J.
    pub copper_loss_j: f64,
    /// Friction and gear losses, J.
    pub friction_and_gear_loss_j: f64,
    /// Positive work on the joint, J.
    pub joint_positive_work_j: f64,
    /// Negative work on the joint (absorbed), J.
    pub joint_negative_work_j: f64,
}

/// Supervisor events.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct SupervisorSummary {
    /// Transitions from active into limited.
    pub limited_events: u32,
    /// Faults latched.
    pub faults: u32,
    /// Time of the first fault, s.
    pub first_fault_time_s: Option<f64>,
    /// Reason of the first fault.
    pub first_fault_reason: Option<String>,
    /// Control ticks from the first bad sensor sample to the safe stop (sensor-fault scenarios).
    pub ticks_to_safe_stop: Option<u64>,
    /// Fraction of ticks spent limited.
    pub limited_fraction: f64,
    /// Fraction of ticks spent in safe stop.
    pub safe_stop_fraction: f64,
}

/// Mechanical energy (kinetic + gravitational) of a world that must conserve it: the drift measures the
/// integrator's error.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct EnergyCheck {
    /// Energy at the start, J.
    pub start_j: f64,
    /// Energy at the end, J.
    pub end_j: f64,
    /// `(end - start) / |start|`, dimensionless.
    pub drift_fraction: f64,
}

/// Figures of a torque step response (delivered joint torque).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct StepResponse {
    /// Joint.
    pub joint: String,
    /// Step size, N m.
    pub target_nm: f64,
    /// 10 % to 90 % rise time, s.
    pub rise_time_s: f64,
    /// Overshoot above the target, % of the step.
    pub overshoot_pct: f64,
    /// Time from the step until the torque stays within 5 % of the target, s.
    pub settling_time_s: f64,
    /// Mean error over the last 10 % of the run, N m.
    pub steady_state_error_nm: f64,
    /// First-order bandwidth estimate 0.35 / rise time, Hz (`exosim bode` measures the real one).
    pub bandwidth_estimate_hz: f64,
}

/// Everything a run reports.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Summary {
    /// Scenario name.
    pub scenario: String,
    /// Simulated time, s.
    pub duration_s: f64,
    /// Control ticks run.
    pub ticks: u64,
    /// Leg joints.
    pub joints: Vec<JointSummary>,
    /// Cuffs.
    pub cuffs: Vec<CuffSummary>,
    /// Actuators.
    pub actuators: Vec<ActuatorSummary>,
    /// Supervisor.
    pub supervisor: SupervisorSummary,
    /// Net battery energy of all actuators, Wh.
    pub battery_wh: f64,
    /// Mean wall time of the control law plus supervisor per tick, ns.
    pub control_compute_mean_ns: f64,
    /// Largest wall time of the control law plus supervisor in one tick, ns.
    pub control_compute_max_ns: f64,
    /// Wall time per simulated millisecond, everything included, us.
    pub wall_us_per_sim_ms: f64,
    /// Real-time factor (simulated time over wall time).
    pub real_time_factor: f64,
    /// Rows recorded.
    pub recorded_rows: usize,
    /// The conservation check, for a world in which energy must be conserved (a passive wearer on a fixed
    /// base, no damping, contact, loads or device); absent otherwise, where work flows in and out.
    pub energy_check: Option<EnergyCheck>,
    /// RMS residual forces on a free pelvis (x N, z N, pitch N m): how much the rest of the body (other leg, arms)
    /// had to help. Absent for a fixed or driven pelvis.
    pub pelvis_residual_rms: Option<[f64; 3]>,
    /// Torque step response, for scenarios whose setpoint is a torque step.
    pub step_response: Option<StepResponse>,
    /// Human effort of the same motion without the exoskeleton, when computed.
    pub baseline: Option<Vec<JointSummary>>,
    /// Pelvis residuals of the same motion without the exoskeleton, when computed.
    pub baseline_pelvis_residual_rms: Option<[f64; 3]>,
    /// Whether the run ended early (divergence or stop) and why.
    pub ended_early: Option<String>,
}

/// What happened over one physics step, for the metrics.
pub struct StepBook<'a> {
    /// Wearer coordinates at the step's start, rad.
    pub q0: &'a [f64],
    /// Wearer coordinates at its end, rad.
    pub q1: &'a [f64],
    /// Reference at the step's start (the same instant as `q0`), rad.
    pub q_ref: &'a [f64],
    /// The wearer's torques held over the step, N m.
    pub human: &'a crate::human::HumanTorque,
    /// The world's readings after the step.
    pub readings: &'a crate::world::Readings,
    /// The actuators of the controlled joints, after the step.
    pub actuators: &'a [crate::actuator::Actuator],
    /// Device joint of each controlled joint.
    pub controlled: &'a [usize],
    /// The tick's supervised output.
    pub output: &'a crate::control::Output,
}

/// Accumulators filled during a run: one per wearer coordinate, controlled joint and cuff, sized at the start.
#[derive(Clone, Debug, Default)]
pub struct Metrics {
    pub(crate) tracking: Vec<Stat>,
    pub(crate) human: Vec<Stat>,
    pub(crate) human_work: Vec<f64>,
    pub(crate) human_saturated: Vec<u64>,
    pub(crate) residual: [Stat; 3],
    pub(crate) cuffs: Vec<[Stat; 3]>,
    pub(crate) demand: Vec<Stat>,
    pub(crate) delivered: Vec<Stat>,
    pub(crate) assist_error: Vec<Stat>,
    pub(crate) interaction: Vec<Stat>,
    pub(crate) current: Vec<Stat>,
    pub(crate) peak_winding: Vec<f64>,
    pub(crate) saturated_steps: Vec<u64>,
    pub(crate) physics_steps: u64,
    pub(crate) ticks: u64,
    pub(crate) limited_ticks: u64,
    pub(crate) stop_ticks: u64,
    pub(crate) first_fault: Option<(f64, exo_control::FaultReason)>,
    pub(crate) first_bad_sample_tick: Option<u64>,
    pub(crate) stop_tick: Option<u64>,
    pub(crate) compute_ns_sum: f64,
    pub(crate) compute_ns_max: f64,
}

impl Metrics {
    /// Accumulators for `coordinates` wearer coordinates, `joints` controlled joints and `cuffs` cuffs.
    #[must_use]
    pub fn new(coordinates: usize, joints: usize, cuffs: usize) -> Self {
        let s = || vec![Stat::default(); joints];
        Self {
            tracking: vec![Stat::default(); coordinates],
            human: vec![Stat::default(); coordinates],
            human_work: vec![0.0; coordinates],
            human_saturated: vec![0; coordinates],
            cuffs: vec![[Stat::default(); 3]; cuffs],
            demand: s(),
            delivered: s(),
            assist_error: s(),
            interaction: s(),
            current: s(),
            peak_winding: vec![f64::NEG_INFINITY; joints],
            saturated_steps: vec![0; joints],
            ..Self::default()
        }
    }

    /// Books one physics step. Tracking pairs the angle and the reference of the step's start instant; the
    /// wearer's work is its held torque times the angle moved over the step (exact for a torque held constant).
    pub fn book_step(&mut self, b: &StepBook<'_>) {
        self.physics_steps += 1;
        let h = b.human;
        for k in 0..self.tracking.len() {
            self.tracking[k].add(b.q0[k] - b.q_ref[k]);
            self.human[k].add(h.total_nm[k]);
            self.human_work[k] += (h.total_nm[k] * (b.q1[k] - b.q0[k])).max(0.0);
            self.human_saturated[k] += u64::from(h.saturated[k]);
        }
        for k in 0..3 {
            self.residual[k].add(h.pelvis_residual[k]);
        }
        for (stat, c) in self.cuffs.iter_mut().zip(&b.readings.cuffs) {
            stat[0].add(c.normal_n);
            stat[1].add(c.shear_n);
            stat[2].add(c.moment_on_limb_nm);
        }
        for (j, (a, &d)) in b.actuators.iter().zip(b.controlled).enumerate() {
            let delivered = b.readings.exo_torque_nm[d];
            let s = a.state();
            self.interaction[j].add(b.readings.exo_interaction_nm[d]);
            self.demand[j].add(b.output.demand_nm[j]);
            self.delivered[j].add(delivered);
            self.assist_error[j].add(delivered - b.output.demand_nm[j]);
            self.current[j].add(s.current_a);
            self.peak_winding[j] = self.peak_winding[j].max(s.winding_c);
            self.saturated_steps[j] += u64::from(s.current_limited || s.voltage_saturated);
        }
    }
}
