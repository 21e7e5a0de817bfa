//! Gait-cycle normalisation, the form biomechanists read: each stride cut at heel strike, resampled at 0, 1, ...,
//! 100 % of the cycle, and the strides' mean and standard deviation at each percent.

/// Points per normalised stride: 0 to 100 % in steps of 1 %.
pub const CYCLE_POINTS: usize = 101;

/// `values` sampled at `time_s`, resampled over each stride between consecutive `heel_strikes_s` that lie within
/// the samples: one vector of [`CYCLE_POINTS`] values per stride (linear interpolation).
#[must_use]
pub fn strides(time_s: &[f64], values: &[f64], heel_strikes_s: &[f64]) -> Vec<Vec<f64>> {
    let n = time_s.len();
    if n < 2 || values.len() != n {
        return Vec::new();
    }
    let at = |t: f64| crate::opensim::signal::value_at(time_s, values, t);
    let inside: Vec<f64> = heel_strikes_s.iter().copied().filter(|&h| h >= time_s[0] && h <= time_s[n - 1]).collect();
    inside
        .windows(2)
        .map(|w| (0..CYCLE_POINTS).map(|p| at(w[0] + (w[1] - w[0]) * p as f64 / (CYCLE_POINTS - 1) as f64)).collect())
        .collect()
}

/// The mean and (population) standard deviation of the strides at each percent; empty without strides.
#[must_use]
pub fn mean_and_sd(strides: &[Vec<f64>]) -> (Vec<f64>, Vec<f64>) {
    let Some(first) = strides.first() else { return (Vec::new(), Vec::new()) };
    let m = strides.len() as f64;
    let mean: Vec<f64> = (0..first.len()).map(|p| strides.iter().map(|s| s[p]).sum::<f64>() / m).collect();
    let sd =
        (0..first.len()).map(|p| (strides.iter().map(|s| (s[p] - mean[p]).powi(2)).sum::<f64>() / m).sqrt()).collect();
    (mean, sd)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_periodic_signal_normalises_to_its_cycle_with_no_spread() {
        // Strides of different durations (1.0 s and 1.2 s) of the same cycle shape.
        let hs = [0.5, 1.5, 2.7];
        let phase = |t: f64| {
            if t < 1.5 { (t - 0.5) / 1.0 } else { (t - 1.5) / 1.2 }
        };
        let time: Vec<f64> = (0..=3000).map(|i| f64::from(i) * 1e-3).collect();
        let values: Vec<f64> = time.iter().map(|&t| (2.0 * std::f64::consts::PI * phase(t)).sin()).collect();
        let s = strides(&time, &values, &hs);
        assert_eq!(s.len(), 2);
        let (mean, sd) = mean_and_sd(&s);
        for p in 0..CYCLE_POINTS {
            let exact = (2.0 * std::f64::consts::PI * p as f64 / 100.0).sin();
            assert!((mean[p] - exact).abs() < 1e-4, "{p}: {}", mean[p]);
            assert!(sd[p] < 1e-4, "{p}: {}", sd[p]);
        }
        // Heel strikes outside the samples are not strides.
        assert_eq!(strides(&time, &values, &[-1.0, 0.5, 1.5, 9.0]).len(), 1);
    }
}
