//! Step-response figures of a torque step, from the recorded time series.

use super::metrics::StepResponse;
use super::recorder::Recorder;

/// Rise time (10 % to 90 %) times -3 dB bandwidth of a first-order lag: `t_r = ln(9) tau`, `f = 1 / (2 pi
/// tau)`, so `f t_r = ln(9) / (2 pi) = 0.3497`. Only an estimate for other loops; `exosim bode` measures.
const FIRST_ORDER_RISE_BANDWIDTH_PRODUCT: f64 = 0.3497;

/// Rise, overshoot, settling and steady-state error of the torque `joint` delivered (`exo_{joint}_torque_nm`)
/// after a step to `torque_nm` at `time_s`; `None` when the recording cannot show it.
#[must_use]
pub fn step_response(rec: &Recorder, joint: &str, time_s: f64, torque_nm: f64) -> Option<StepResponse> {
    let (tc, yc) = (rec.index("time_s")?, rec.index(&format!("exo_{joint}_torque_nm"))?);
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
        joint: joint.into(),
        target_nm: torque_nm,
        rise_time_s: rise,
        overshoot_pct: 100.0 * (peak - 1.0).max(0.0),
        settling_time_s: last_out.map_or(0.0, |i| t.get(i + 1).copied().unwrap_or(t[i]) - time_s),
        steady_state_error_nm: sse,
        bandwidth_estimate_hz: FIRST_ORDER_RISE_BANDWIDTH_PRODUCT / rise,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simulation::Channel;

    #[test]
    fn a_first_order_step_has_its_closed_form_figures() {
        // y = 10 (1 - exp(-(t - 0.02) / tau)) after a step at 0.02 s: rise ln(9) tau, no overshoot.
        let tau = 0.01;
        let ch = |n: &str| Channel { name: n.into(), unit: "1" };
        let mut rec = Recorder::new(vec![ch("time_s"), ch("exo_knee_torque_nm")], 1001);
        for k in 0..=1000 {
            let t = k as f64 * 1e-4;
            let y = if t < 0.02 { 0.0 } else { 10.0 * (1.0 - (-(t - 0.02) / tau).exp()) };
            rec.push_row(|c| if c == 0 { t } else { y }).unwrap();
        }
        let r = step_response(&rec, "knee", 0.02, 10.0).unwrap();
        assert!((r.rise_time_s - 9f64.ln() * tau).abs() < 2e-4, "{r:?}");
        assert!(r.overshoot_pct < 1e-9);
        assert!((r.bandwidth_estimate_hz - 1.0 / (std::f64::consts::TAU * tau)).abs() < 0.1, "{r:?}");
    }
}
