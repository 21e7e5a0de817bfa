//! A readable summary table.

use std::fmt::Write as _;

use exo_sim::simulation::Summary;

/// The summary as an aligned text table.
pub(crate) fn render(s: &Summary) -> String {
    let mut out = String::new();
    let deg = 180.0 / std::f64::consts::PI;
    let _ = writeln!(out, "scenario {}  ({:.2} s simulated, {} control ticks)", s.scenario, s.duration_s, s.ticks);
    let _ = writeln!(
        out,
        "  {:<6} {:>12} {:>14} {:>14}   {}",
        "joint",
        "track rmse°",
        "human rms N m",
        "human +work J",
        if s.baseline.is_some() { "without the device: rmse° / rms N m / +work J" } else { "" }
    );
    for (k, j) in s.joints.iter().enumerate() {
        let base = s.baseline.as_ref().and_then(|b| b.get(k)).map_or(String::new(), |b| {
            format!("{:.3} / {:.2} / {:.2}", b.tracking_rmse_rad * deg, b.human_torque_rms_nm, b.human_positive_work_j)
        });
        let _ = writeln!(
            out,
            "  {:<6} {:>12.3} {:>14.2} {:>14.2}   {}",
            j.joint,
            j.tracking_rmse_rad * deg,
            j.human_torque_rms_nm,
            j.human_positive_work_j,
            base
        );
    }
    if let Some(e) = &s.energy_check {
        let _ = writeln!(
            out,
            "  energy conservation check (passive model, nothing but gravity acting): {:.4} J -> {:.4} J ({:+.3e} J, {:+.2e} of |E0|: the integrator's drift)",
            e.start_j,
            e.end_j,
            e.end_j - e.start_j,
            e.drift_fraction
        );
    }
    if let Some(r) = s.pelvis_residual_rms {
        let base = s
            .baseline_pelvis_residual_rms
            .map_or(String::new(), |b| format!(" (without the device: {:.1} N, {:.1} N, {:.1} N m)", b[0], b[1], b[2]));
        let _ = writeln!(
            out,
            "  pelvis residual rms (help from the rest of the body): x {:.1} N, z {:.1} N, pitch {:.1} N m{base}",
            r[0], r[1], r[2]
        );
    }
    if let Some(r) = &s.step_response {
        let _ = writeln!(
            out,
            "  {} torque step to {:.1} N m: rise {:.1} ms, overshoot {:.1} %, settling {:.1} ms, bandwidth ~{:.1} Hz",
            r.joint,
            r.target_nm,
            r.rise_time_s * 1e3,
            r.overshoot_pct,
            r.settling_time_s * 1e3,
            r.bandwidth_estimate_hz
        );
    }
    if !s.actuators.is_empty() {
        let _ = writeln!(
            out,
            "  {:<6} {:>10} {:>10} {:>10} {:>9} {:>9} {:>8} {:>10}",
            "motor", "demand N m", "deliv N m", "inter N m", "peak A", "peak °C", "sat %", "battery Wh"
        );
        for a in &s.actuators {
            let _ = writeln!(
                out,
                "  {:<6} {:>10.2} {:>10.2} {:>10.2} {:>9.1} {:>9.1} {:>8.2} {:>10.4}",
                a.joint,
                a.demand_rms_nm,
                a.delivered_rms_nm,
                a.interaction_rms_nm,
                a.peak_current_a,
                a.peak_winding_c,
                100.0 * a.saturated_fraction,
                a.battery_wh
            );
        }
    }
    for c in &s.cuffs {
        let _ = writeln!(
            out,
            "  {:<12} normal rms {:.1} N (peak {:.1}), shear rms {:.1} N (peak {:.1}), moment rms {:.2} N m",
            c.cuff, c.normal_rms_n, c.normal_peak_n, c.shear_rms_n, c.shear_peak_n, c.moment_rms_nm
        );
    }
    let sup = &s.supervisor;
    let _ = write!(out, "  supervisor: {} limit events, {} faults", sup.limited_events, sup.faults);
    if let (Some(t), Some(r)) = (sup.first_fault_time_s, &sup.first_fault_reason) {
        let _ = write!(out, ", first at {t:.3} s: {r}");
    }
    if let Some(n) = sup.ticks_to_safe_stop {
        let _ = write!(out, " ({n} ticks after the first bad sample)");
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "  speed: {:.0}x real time ({:.2} us per simulated ms); control tick {:.0} ns mean, {:.0} ns max",
        s.real_time_factor, s.wall_us_per_sim_ms, s.control_compute_mean_ns, s.control_compute_max_ns
    );
    if let Some(e) = &s.ended_early {
        let _ = writeln!(out, "  ENDED EARLY: {e}");
    }
    out
}
