//! Metabolic power of the muscles by Bhargava et al. (2004), as OpenSim's `Bhargava2004MuscleMetabolicsProbe`
//! computes it: the second metabolic model, beside [`super::metabolics::Umberger2010`].
//!
//! Bhargava LJ, Pandy MG, Anderson FC (2004), "A phenomenological model for estimating metabolic energy
//! consumption in muscle contraction", J Biomech 37:81-88. Per muscle of mass `m` (W), with `u` the excitation,
//! `r` the slow-twitch ratio, `u_s = r sin(π/2 u)` and `u_f = (1 - r)(1 - cos(π/2 u))` the fibre types'
//! recruitment, `g(l̃)` the dependence of maintenance heat on the normalised fibre length, `v` the fibre velocity
//! (negative shortening), `F` the fibre force (active plus passive), `F_a` its active part:
//!
//! ```text
//! Ȧ = m (A_s u_s + A_f u_f)                   activation heat, A_s = 40, A_f = 133 W/kg
//! Ṁ = m g(l̃) (M_s u_s + M_f u_f)              maintenance heat, M_s = 74, M_f = 111 W/kg
//! Ṡ = -α v,  α = 0.25 F (v ≤ 0), 0 (v > 0)    shortening heat (force-independent constant)
//! Ẇ = -F_a v                                   mechanical work rate
//! ```
//!
//! The rules are OpenSim 4.6's (`Bhargava2004MuscleMetabolicsProbe::computeProbeInputs`), with its defaults: the
//! activation decay function is 1; with `forbid_negative_total_power` a negative `Ȧ + Ṁ + Ṡ + Ẇ` raises `Ṡ`
//! until the sum is 0; the heat `Ȧ + Ṁ + Ṡ` is at least 1 W/kg (`enforce_minimum_heat_rate_per_muscle`); `g` is
//! the piecewise-linear function through (0, 0.5), (0.5, 0.5), (1, 1), (1.5, 0), (2, 0), extended linearly beyond
//! its ends; the basal rate is `1.2 W/kg · body mass`. The muscle's mass is `F_max / σ · ρ · l_opt` with σ = 0.25
//! MPa and ρ = 1059.7 kg/m³. Checked per muscle against OpenSim's probe on the static-optimization states of the
//! walking trial in `crates/sim/tests/osim_skeleton.rs`.

use super::metabolics::{MuscleEnergyInputs, MuscleEnergyRate, Umberger2010};

/// One muscle's constants.
#[derive(Clone, Debug, PartialEq)]
pub struct BhargavaMuscle {
    /// The muscle's name.
    pub name: String,
    /// Fraction of slow-twitch fibres, 0 to 1.
    pub ratio_slow_twitch: f64,
    /// Muscle mass, kg.
    pub mass_kg: f64,
}

/// Activation heat constants of slow- and fast-twitch fibres, W/kg (Bhargava et al. 2004; OpenSim's defaults).
pub const ACTIVATION_W_PER_KG: [f64; 2] = [40.0, 133.0];
/// Maintenance heat constants of slow- and fast-twitch fibres, W/kg.
pub const MAINTENANCE_W_PER_KG: [f64; 2] = [74.0, 111.0];
/// Basal metabolic rate per kg of body, W/kg (OpenSim's default `basal_coefficient`, exponent 1).
pub const BASAL_W_PER_KG: f64 = 1.2;

/// The Bhargava 2004 model over a set of muscles, with OpenSim's default options.
#[derive(Clone, Debug, PartialEq)]
pub struct Bhargava2004 {
    /// The muscles, in the probe's order.
    pub muscles: Vec<BhargavaMuscle>,
}

/// OpenSim's default dependence of maintenance heat on the normalised fibre length.
fn fiber_length_dependence(l: f64) -> f64 {
    const X: [f64; 5] = [0.0, 0.5, 1.0, 1.5, 2.0];
    const Y: [f64; 5] = [0.5, 0.5, 1.0, 0.0, 0.0];
    // The segment holding l, the end ones extended.
    let k = X.iter().skip(1).take(3).take_while(|&&x| l > x).count();
    Y[k] + (Y[k + 1] - Y[k]) / (X[k + 1] - X[k]) * (l - X[k])
}

impl Bhargava2004 {
    /// The model over the muscles of an Umberger probe (their slow-twitch ratios and masses, which both probes
    /// compute alike), as the reference fixture sets it up.
    #[must_use]
    pub fn like(umberger: &Umberger2010) -> Self {
        Self {
            muscles: umberger
                .muscles
                .iter()
                .map(|m| BhargavaMuscle {
                    name: m.name.clone(),
                    ratio_slow_twitch: m.ratio_slow_twitch,
                    mass_kg: m.mass_kg,
                })
                .collect(),
        }
    }

    /// Metabolic power of muscle `k` in state `x`, W.
    #[must_use]
    pub fn rate(&self, k: usize, x: &MuscleEnergyInputs) -> MuscleEnergyRate {
        let m = &self.muscles[k];
        let u = x.excitation;
        let slow = m.ratio_slow_twitch * (std::f64::consts::FRAC_PI_2 * u).sin();
        let fast = (1.0 - m.ratio_slow_twitch) * (1.0 - (std::f64::consts::FRAC_PI_2 * u).cos());
        let activation = m.mass_kg * (ACTIVATION_W_PER_KG[0] * slow + ACTIVATION_W_PER_KG[1] * fast);
        let maintenance = m.mass_kg
            * fiber_length_dependence(x.normalized_fiber_length)
            * (MAINTENANCE_W_PER_KG[0] * slow + MAINTENANCE_W_PER_KG[1] * fast);
        let v = x.fiber_velocity_m_per_s;
        let fiber_force = x.active_fiber_force_n + x.passive_fiber_force_n;
        let alpha = if v <= 0.0 { 0.25 * fiber_force } else { 0.0 };
        let mut shortening = -alpha * v;
        let work = -x.active_fiber_force_n * v;
        // The shortening heat absorbs a negative total.
        let before = activation + maintenance + shortening + work;
        if before < 0.0 {
            shortening -= before;
        }
        let heat = (activation + maintenance + shortening).max(m.mass_kg);
        MuscleEnergyRate {
            activation_maintenance_w: activation + maintenance,
            shortening_w: shortening,
            mechanical_work_w: work,
            total_w: heat + work,
        }
    }

    /// The basal rate of a body of `body_mass_kg`, W.
    #[must_use]
    pub fn basal_w(body_mass_kg: f64) -> f64 {
        BASAL_W_PER_KG * body_mass_kg
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_maintenance_length_dependence_is_opensims_default_function() {
        for (l, g) in [(0.0, 0.5), (0.25, 0.5), (0.75, 0.75), (1.0, 1.0), (1.25, 0.5), (1.5, 0.0), (1.8, 0.0)] {
            assert!((fiber_length_dependence(l) - g).abs() < 1e-15, "{l}: {}", fiber_length_dependence(l));
        }
        // Beyond its ends, the end segments extended (both flat here).
        assert_eq!(fiber_length_dependence(-0.2), 0.5);
        assert_eq!(fiber_length_dependence(2.5), 0.0);
    }
}
