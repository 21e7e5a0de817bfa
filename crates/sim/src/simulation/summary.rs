//! The run's summary, assembled from the metrics.

use super::metrics::{ActuatorSummary, CuffSummary, EnergyCheck, JointSummary, Summary, SupervisorSummary};
use super::setpoint::{SetpointSource, TorqueSignal};
use super::step_response::step_response;
use super::stepper::Simulation;

impl Simulation {
    /// A fault reason as the summary names it: what happened, and the channel and joint concerned.
    fn describe_fault(&self, r: exo_control::FaultReason) -> String {
        let mut what = Vec::new();
        if let Some(c) = r.channel() {
            what.push(c.name().replace('_', " "));
        }
        if let Some(j) = r.joint().and_then(|j| self.joints.get(usize::from(j))) {
            what.push(j.name.clone());
        }
        if what.is_empty() { r.describe().to_string() } else { format!("{} ({})", r.describe(), what.join(", ")) }
    }

    /// The metrics so far.
    #[must_use]
    pub fn summary(&self) -> Summary {
        let m = &self.metrics;
        let steps = m.physics_steps.max(1) as f64;
        let joints = self
            .world
            .coordinates()
            .iter()
            .enumerate()
            .map(|(k, c)| JointSummary {
                joint: c.name.clone(),
                tracking_rmse_rad: m.tracking[k].rms(),
                tracking_peak_error_rad: m.tracking[k].peak(),
                human_torque_rms_nm: m.human[k].rms(),
                human_torque_peak_nm: m.human[k].peak(),
                human_positive_work_j: m.human_work[k],
                human_saturated_fraction: m.human_saturated[k] as f64 / steps,
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
        let actuators: Vec<ActuatorSummary> = self
            .joints
            .iter()
            .zip(&self.actuators)
            .enumerate()
            .map(|(k, (j, a))| {
                let e = a.energy();
                ActuatorSummary {
                    joint: j.name.clone(),
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
                }
            })
            .collect();
        let ticks = m.ticks.max(1) as f64;
        let sim_ms = self.world.time_s() * 1e3;
        let step = match self.setpoint {
            SetpointSource::Torque(TorqueSignal::Step { time_s, torque_nm }) => {
                self.joints.first().and_then(|j| step_response(&self.recorder, &j.name, time_s, torque_nm))
            }
            _ => None,
        };
        // Energy is a conservation check only where nothing but gravity acts.
        let conservative = self.world.is_conservative() && self.human.is_passive() && self.actuators.is_empty();
        let energy_check = conservative.then(|| {
            let end_j = self.world.mechanical_energy_j();
            EnergyCheck {
                start_j: self.energy_start_j,
                end_j,
                drift_fraction: (end_j - self.energy_start_j) / self.energy_start_j.abs(),
            }
        });
        Summary {
            scenario: self.name.clone(),
            duration_s: self.world.time_s(),
            ticks: m.ticks,
            joints,
            cuffs,
            battery_wh: actuators.iter().map(|a| a.battery_wh).sum(),
            actuators,
            supervisor: SupervisorSummary {
                limited_events: self.controller.limited_events(),
                faults: self.controller.fault_events(),
                first_fault_time_s: m.first_fault.as_ref().map(|f| f.0),
                first_fault_reason: m.first_fault.as_ref().map(|f| self.describe_fault(f.1)),
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
            energy_check,
            step_response: step,
            pelvis_residual_rms: self.world.pelvis_coordinates().map(|_| m.residual.map(|r| r.rms())),
            baseline: None,
            baseline_pelvis_residual_rms: None,
            ended_early: None,
        }
    }
}
