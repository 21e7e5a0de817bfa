//! First-order activation dynamics of a muscle: how its activation follows the neural excitation.
//!
//! `da/dt = (u - a) / τ(u, a)` with `τ = τ_act (0.5 + 1.5 a)` while activating (`u > a`) and
//! `τ = τ_deact / (0.5 + 1.5 a)` while deactivating: Thelen (2003), "Adjustment of muscle mechanics model
//! parameters to simulate dynamic contractions in older adults", J Biomech Eng 125:70–77, eq. 1; the form of
//! OpenSim's `MuscleFirstOrderActivationDynamicModel` that Millard's muscle uses. The activation is kept within
//! `[a_min, 1]` (a muscle's `minimum_activation`), and the step is exact for a constant excitation to the accuracy of
//! the integrator used (RK4 here, on the control tick).

/// Activation dynamics parameters of one muscle (the model file's).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ActivationDynamics {
    /// Activation time constant, s.
    pub activation_time_constant_s: f64,
    /// Deactivation time constant, s.
    pub deactivation_time_constant_s: f64,
    /// Lowest activation, 0 to 1.
    pub minimum_activation: f64,
}

impl ActivationDynamics {
    /// The model file's constants of a muscle.
    #[must_use]
    pub fn from_osim(m: &exo_opensim::Muscle) -> Self {
        Self {
            activation_time_constant_s: m.activation_time_constant_s,
            deactivation_time_constant_s: m.deactivation_time_constant_s,
            minimum_activation: m.minimum_activation,
        }
    }

    /// `da/dt` at activation `a` and excitation `u`, 1/s.
    #[must_use]
    pub fn rate(&self, a: f64, u: f64) -> f64 {
        let u = u.clamp(self.minimum_activation, 1.0);
        let a = a.clamp(self.minimum_activation, 1.0);
        let tau = if u > a {
            self.activation_time_constant_s * (0.5 + 1.5 * a)
        } else {
            self.deactivation_time_constant_s / (0.5 + 1.5 * a)
        };
        (u - a) / tau
    }

    /// The activation `dt_s` after `a` under a constant excitation `u` (one RK4 step), kept in `[a_min, 1]`.
    #[must_use]
    pub fn step(&self, a: f64, u: f64, dt_s: f64) -> f64 {
        let k1 = self.rate(a, u);
        let k2 = self.rate(a + 0.5 * dt_s * k1, u);
        let k3 = self.rate(a + 0.5 * dt_s * k2, u);
        let k4 = self.rate(a + dt_s * k3, u);
        (a + dt_s / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)).clamp(self.minimum_activation, 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MODEL: ActivationDynamics = ActivationDynamics {
        activation_time_constant_s: 0.01,
        deactivation_time_constant_s: 0.04,
        minimum_activation: 0.01,
    };

    #[test]
    fn full_excitation_follows_the_closed_form() {
        // u = 1: da/dt = (1 - a) / (τ_act (0.5 + 1.5 a)), so t(a) = τ_act (1.5 (a0 - a) - 2 ln((1 - a) / (1 - a0))).
        let (a0, target): (f64, f64) = (0.01, 0.9);
        let closed =
            MODEL.activation_time_constant_s * (1.5 * (a0 - target) - 2.0 * ((1.0 - target) / (1.0 - a0)).ln());
        let (mut a, mut t, dt) = (a0, 0.0, 1e-5);
        while a < target {
            a = MODEL.step(a, 1.0, dt);
            t += dt;
        }
        assert!((t - closed).abs() < 2e-5, "reached {target} at {t} s, closed form {closed} s");
        // Deactivation, u = a_min: da/dt = -(a - a_min)(0.5 + 1.5 a) / τ_deact, slower than activation.
        let (mut a, mut t) = (1.0, 0.0);
        while a > 0.1 {
            a = MODEL.step(a, 0.0, dt);
            t += dt;
        }
        // With b = a - a_min: db/dt = -b (c + 1.5 b)/τ, c = 0.5 + 1.5 a_min; t = τ/c ln(b0 (c + 1.5 b) / (b (c + 1.5 b0))).
        let c = 0.5 + 1.5 * MODEL.minimum_activation;
        let (b0, b) = (1.0 - MODEL.minimum_activation, 0.1 - MODEL.minimum_activation);
        let closed = MODEL.deactivation_time_constant_s / c * (b0 * (c + 1.5 * b) / (b * (c + 1.5 * b0))).ln();
        assert!((t - closed).abs() < 2e-5, "fell to 0.1 at {t} s, closed form {closed} s");
    }

    #[test]
    fn activation_stays_within_its_bounds_on_a_coarse_step() {
        let mut a = 0.5;
        for k in 0..1000 {
            a = MODEL.step(a, if k % 20 < 10 { 1.0 } else { 0.0 }, 5e-3);
            assert!((MODEL.minimum_activation..=1.0).contains(&a), "{a}");
        }
    }
}
