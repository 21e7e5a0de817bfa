//! What a metabolic cart shows of a wearer's metabolic power, and how a protocol estimates the steady state from it.
//!
//! The measured rate follows the true one through a first-order lag (Selinger & Donelan 2014, "Estimating
//! instantaneous energetic cost during non-steady-state gait", J Appl Physiol 117:1406-1415: a time constant of
//! about 42 s for walking), sampled once per breath, each breath with multiplicative Gaussian noise. Two
//! estimators of a condition's steady state: the mean of the last minute's breaths, and Selinger & Donelan's fit of
//! a first-order response (known time constant) to all the condition's breaths.

use rand_distr::{Distribution, StandardNormal};
use rand_pcg::Pcg64Mcg;

/// The respirometry model's settings.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Respirometry {
    /// Time constant of the lag from true to measured metabolic rate, s (42 s: Selinger & Donelan 2014).
    pub time_constant_s: f64,
    /// Time between breaths, s (3 s: 20 breaths per minute, a walking breathing rate; an assumption).
    pub breath_interval_s: f64,
    /// Standard deviation of each breath's multiplicative noise, as a fraction (0.1; 0 turns it off).
    pub noise: f64,
}

impl Default for Respirometry {
    fn default() -> Self {
        Self { time_constant_s: 42.0, breath_interval_s: 3.0, noise: 0.1 }
    }
}

/// Why respirometry settings are refused: the field at fault.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("respirometry: `{0}` must be a positive number (noise: zero or more)")]
pub struct RespirometryError(pub &'static str);

impl Respirometry {
    /// Checks every field.
    ///
    /// # Errors
    /// The first field out of range.
    pub fn validate(&self) -> Result<(), RespirometryError> {
        if !(self.time_constant_s > 0.0 && self.time_constant_s.is_finite()) {
            return Err(RespirometryError("time_constant_s"));
        }
        if !(self.breath_interval_s > 0.0 && self.breath_interval_s.is_finite()) {
            return Err(RespirometryError("breath_interval_s"));
        }
        if !(self.noise >= 0.0 && self.noise.is_finite()) {
            return Err(RespirometryError("noise"));
        }
        Ok(())
    }
}

/// One condition's breaths: times from the condition's start, s, and measured rates, W.
#[derive(Clone, Debug, PartialEq)]
pub struct Breaths {
    /// Breath times from the start of the condition, s.
    pub time_s: Vec<f64>,
    /// Measured metabolic rate at each breath, W.
    pub rate_w: Vec<f64>,
    /// The cart's noise-free lagged rate at the condition's end, W: where the next condition starts.
    pub cart_w: f64,
}

/// How a condition's steady-state cost is estimated from its breaths.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Estimator {
    /// The mean of the breaths in the condition's last minute (all of them if it is shorter).
    LastMinuteMean,
    /// Least-squares fit of `y(t) = ss + (y0 - ss) exp(-t / τ)` with the model's τ, free `ss` and `y0`
    /// (Selinger & Donelan 2014); `ss` is the estimate.
    FirstOrder,
}

impl Respirometry {
    /// The breaths of a condition of `duration_s` that starts with the measured rate at `start_w`, while the true
    /// rate at time `t` from the start is `true_w(t)` (held over each breath interval); noise from `rng`.
    pub fn condition(
        &self,
        duration_s: f64,
        start_w: f64,
        mut true_w: impl FnMut(f64) -> f64,
        rng: &mut Pcg64Mcg,
    ) -> Breaths {
        let mut y = start_w;
        let (mut time_s, mut rate_w) = (Vec::new(), Vec::new());
        let decay = (-self.breath_interval_s / self.time_constant_s).exp();
        let mut t = 0.0;
        while t + self.breath_interval_s <= duration_s + 1e-9 {
            // Exact first-order step over the interval with the true rate held at its start.
            let target = true_w(t);
            y = target + (y - target) * decay;
            t += self.breath_interval_s;
            let n: f64 = if self.noise > 0.0 { StandardNormal.sample(rng) } else { 0.0 };
            time_s.push(t);
            rate_w.push(y * (1.0 + self.noise * n));
        }
        Breaths { time_s, rate_w, cart_w: y }
    }

    /// The steady-state estimate of `breaths` (of a condition of `duration_s`) by `estimator`, W; `None` without
    /// breaths.
    #[must_use]
    pub fn estimate(&self, breaths: &Breaths, duration_s: f64, estimator: Estimator) -> Option<f64> {
        let n = breaths.time_s.len();
        if n == 0 {
            return None;
        }
        match estimator {
            Estimator::LastMinuteMean => {
                let from = duration_s - 60.0;
                let last: Vec<f64> =
                    breaths.time_s.iter().zip(&breaths.rate_w).filter(|(t, _)| **t >= from).map(|(_, y)| *y).collect();
                Some(last.iter().sum::<f64>() / last.len() as f64)
            }
            Estimator::FirstOrder => {
                // y = ss·(1 - e) + y0·e with e = exp(-t/τ): linear least squares in (ss, y0).
                let (mut saa, mut sab, mut sbb, mut sya, mut syb) = (0.0, 0.0, 0.0, 0.0, 0.0);
                for (t, y) in breaths.time_s.iter().zip(&breaths.rate_w) {
                    let e = (-t / self.time_constant_s).exp();
                    let (a, b) = (1.0 - e, e);
                    saa += a * a;
                    sab += a * b;
                    sbb += b * b;
                    sya += y * a;
                    syb += y * b;
                }
                let det = saa * sbb - sab * sab;
                if n < 2 || det.abs() < 1e-12 * saa * sbb {
                    return Some(breaths.rate_w.iter().sum::<f64>() / n as f64);
                }
                Some((sya * sbb - syb * sab) / det)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn without_noise_the_breaths_follow_the_first_order_response_exactly() {
        let r = Respirometry { noise: 0.0, ..Respirometry::default() };
        let mut rng = Pcg64Mcg::seed_from_u64(1);
        let b = r.condition(120.0, 400.0, |_| 300.0, &mut rng);
        assert_eq!(b.time_s.len(), 40);
        for (t, y) in b.time_s.iter().zip(&b.rate_w) {
            let exact = 300.0 + 100.0 * (-t / 42.0).exp();
            assert!((y - exact).abs() < 1e-9, "{t}: {y} vs {exact}");
        }
    }

    #[test]
    fn bad_settings_name_their_field() {
        let r = Respirometry { breath_interval_s: 0.0, ..Respirometry::default() };
        assert_eq!(r.validate(), Err(RespirometryError("breath_interval_s")));
        assert_eq!(Respirometry { noise: -0.1, ..Respirometry::default() }.validate(), Err(RespirometryError("noise")));
    }
}
