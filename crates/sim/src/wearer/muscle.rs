//! Hill-type muscle-tendon units with De Groote et al.'s (2016) curves.
//!
//! De Groote F, Kinney AL, Rao AV, Fregly BJ (2016), "Evaluation of direct collocation optimal control problem
//! formulations for solving the muscle redundancy problem", Ann Biomed Eng 44(10):2922–2936. The curves are smooth,
//! analytic and cheap, with analytic derivatives, which the per-tick static optimization needs. OpenSim ships them
//! as `DeGrooteFregly2016Muscle`. The model file's own type, `Millard2012EquilibriumMuscle`, uses quintic Bézier
//! curves of similar shape; the difference between the two, measured on subject01.osim, is in
//! `crates/sim/tests/osim_skeleton.rs`. The coefficients are those OpenSim uses (`DeGrooteFregly2016Muscle.h`, taken
//! from simtk.org/projects/optcntrlmuscle, with `b11` adjusted so that the active curve is exactly 1 at the optimal
//! length, and `d1`, `d4` so that the force-velocity curve is 1 at zero velocity).
//!
//! The tendon is rigid: the fibre takes up the whole of the path beyond the tendon slack length, with its pennation
//! from the constant-thickness (fixed-width) model, and its length is held at least at the minimum OpenSim's
//! Millard muscle allows, as OpenSim's rigid-tendon Millard muscle does.

use exo_opensim::Muscle;

/// Coefficients `[b1, b2, b3, b4]` of the three Gaussians of the active force-length curve.
const ACTIVE_FORCE_LENGTH: [[f64; 4]; 3] = [
    [0.815_067_113_424_354_2, 1.055_033_428_970_575, 0.162_384_573_599_574, 0.063_303_448_465_465],
    [0.433_004_984_392_647, 0.716_775_413_397_760, -0.029_947_116_970_696, 0.200_356_847_296_188],
    [0.1, 1.0, 0.353_553_390_593_274, 0.0],
];
/// Exponential shape factor of the passive force-length curve.
const PASSIVE_SHAPE: f64 = 4.0;
/// Passive fibre strain at which the passive force equals the maximum isometric force (De Groote's `e0`).
const PASSIVE_STRAIN_AT_ONE_NORM_FORCE: f64 = 0.6;
/// Coefficients `d1 … d4` of the force-velocity curve.
const FORCE_VELOCITY: [f64; 4] = [-0.321_134_612_798_980_8, -8.149, -0.374, 0.882_532_773_324_991_2];

/// De Groote's tendon curve constants `c1, c2, c3`: `f_T = c1 e^{k_T (l̃_T - c2)} - c3`, with `k_T` from the strain at
/// which the tendon force equals the maximum isometric force (`f_T(1 + e0) = 1`).
const TENDON: [f64; 3] = [0.2, 1.0, 0.2];

/// Normalised tendon force at normalised tendon length `l` (tendon length / slack length) for a tendon that
/// reaches one normalised force at strain `strain_at_one_norm_force`; 0 while slack (below 1, where the published
/// curve dips below zero).
#[must_use]
pub fn tendon_force_length(l: f64, strain_at_one_norm_force: f64) -> f64 {
    let [c1, c2, c3] = TENDON;
    let k = ((1.0 + c3) / c1).ln() / strain_at_one_norm_force;
    (c1 * (k * (l - c2)).exp() - c3).max(0.0)
}

/// Active force-length multiplier at normalised fibre length `l` (fibre length / optimal fibre length).
#[must_use]
pub fn active_force_length(l: f64) -> f64 {
    ACTIVE_FORCE_LENGTH.iter().map(|[b1, b2, b3, b4]| b1 * (-0.5 * ((l - b2) / (b3 + b4 * l)).powi(2)).exp()).sum()
}

/// Passive force-length multiplier at normalised fibre length `l`: `(e^{k (l-1)/e0} - 1) / (e^k - 1)` (De Groote
/// 2016, eq. S3), held at zero below the optimal length, where the published curve dips to -0.019 (a fibre cannot
/// push).
#[must_use]
pub fn passive_force_length(l: f64) -> f64 {
    (((PASSIVE_SHAPE * (l - 1.0) / PASSIVE_STRAIN_AT_ONE_NORM_FORCE).exp() - 1.0) / (PASSIVE_SHAPE.exp() - 1.0))
        .max(0.0)
}

/// Force-velocity multiplier at normalised fibre velocity `v` (fibre velocity / (maximum contraction velocity ×
/// optimal fibre length); -1 is shortening at the maximum speed, positive is lengthening).
#[must_use]
pub fn force_velocity(v: f64) -> f64 {
    let [d1, d2, d3, d4] = FORCE_VELOCITY;
    let x = d2 * v + d3;
    d1 * (x + (x * x + 1.0).sqrt()).ln() + d4
}

/// A muscle-tendon unit's parameters, from the model file.
#[derive(Clone, Debug, PartialEq)]
pub struct MuscleTendon {
    /// The muscle's name.
    pub name: String,
    /// Maximum isometric force, N.
    pub max_isometric_force_n: f64,
    /// Optimal fibre length, m.
    pub optimal_fiber_length_m: f64,
    /// Tendon slack length, m.
    pub tendon_slack_length_m: f64,
    /// Pennation angle at the optimal fibre length, rad.
    pub pennation_at_optimal_rad: f64,
    /// Maximum contraction velocity, optimal fibre lengths per second.
    pub max_contraction_velocity: f64,
    /// Tendon strain at which its force equals the maximum isometric force (the model file's tendon curve's
    /// `strain_at_one_norm_force`, 0.049 by default).
    pub tendon_strain_at_one_norm_force: f64,
    /// Shortest fibre length the unit allows, m: the larger of the active curve's lower end times the optimal length
    /// and the length at the maximum pennation angle (OpenSim's Millard muscle's limits, from the model file).
    pub minimum_fiber_length_m: f64,
}

/// The fibre of a rigid-tendon unit at one instant.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FiberState {
    /// Fibre length, m.
    pub fiber_length_m: f64,
    /// Fibre length over the optimal fibre length.
    pub normalized_fiber_length: f64,
    /// Pennation angle, rad.
    pub pennation_rad: f64,
    /// Fibre lengthening speed, m/s.
    pub fiber_velocity_m_per_s: f64,
    /// Fibre velocity over the maximum contraction velocity (in m/s).
    pub normalized_fiber_velocity: f64,
    /// Active force-length multiplier.
    pub active_force_length: f64,
    /// Force-velocity multiplier.
    pub force_velocity: f64,
    /// Passive force-length multiplier.
    pub passive_force_length: f64,
    /// Tendon force at the activation asked for, N: `F_max (a f_L f_V + f_PE) cos α`.
    pub tendon_force_n: f64,
}

impl MuscleTendon {
    /// The unit of a muscle of the model file.
    #[must_use]
    pub fn from_osim(m: &Muscle) -> Self {
        let (min_active, tendon_strain) = match &m.kind {
            exo_opensim::MuscleKind::Millard2012Equilibrium { curves, .. } => (
                curves.active_force_length.min_norm_active_fiber_length,
                curves.tendon_force_length.strain_at_one_norm_force,
            ),
            _ => (0.0, 0.049),
        };
        let thickness = m.optimal_fiber_length_m * m.pennation_angle_at_optimal_rad.sin();
        let at_max_pennation = thickness / m.maximum_pennation_angle_rad.sin();
        Self {
            name: m.name.clone(),
            max_isometric_force_n: m.max_isometric_force_n,
            optimal_fiber_length_m: m.optimal_fiber_length_m,
            tendon_slack_length_m: m.tendon_slack_length_m,
            pennation_at_optimal_rad: m.pennation_angle_at_optimal_rad,
            max_contraction_velocity: m.max_contraction_velocity,
            tendon_strain_at_one_norm_force: tendon_strain,
            minimum_fiber_length_m: (min_active * m.optimal_fiber_length_m).max(at_max_pennation),
        }
    }

    /// The fibre's state for a path of length `length_m` lengthening at `speed_m_per_s`, at activation
    /// `activation` (0 to 1).
    #[must_use]
    pub fn rigid_tendon(&self, length_m: f64, speed_m_per_s: f64, activation: f64) -> FiberState {
        let l_opt = self.optimal_fiber_length_m;
        let thickness = l_opt * self.pennation_at_optimal_rad.sin();
        let along = length_m - self.tendon_slack_length_m;
        let free_length = (thickness * thickness + along * along).sqrt();
        let (fiber, along, clamped) = if free_length < self.minimum_fiber_length_m || along <= 0.0 {
            let l = self.minimum_fiber_length_m;
            (l, (l * l - thickness * thickness).max(0.0).sqrt(), true)
        } else {
            (free_length, along, false)
        };
        let cos = along / fiber;
        // A held fibre does not move; otherwise it lengthens with the path, projected on the fibre.
        let velocity = if clamped { 0.0 } else { speed_m_per_s * cos };
        let normalized_fiber_length = fiber / l_opt;
        let normalized_fiber_velocity = velocity / (self.max_contraction_velocity * l_opt);
        let fl = active_force_length(normalized_fiber_length);
        let fv = force_velocity(normalized_fiber_velocity);
        let fp = passive_force_length(normalized_fiber_length);
        FiberState {
            fiber_length_m: fiber,
            normalized_fiber_length,
            pennation_rad: (thickness / fiber).asin(),
            fiber_velocity_m_per_s: velocity,
            normalized_fiber_velocity,
            active_force_length: fl,
            force_velocity: fv,
            passive_force_length: fp,
            tendon_force_n: self.max_isometric_force_n * (activation * fl * fv + fp) * cos,
        }
    }
}

impl MuscleTendon {
    /// The fibre of a compliant-tendon unit in static equilibrium (fibre at rest) for a path of length `length_m`
    /// at activation `activation`: the fibre length at which the tendon's force equals the fibre's force along the
    /// tendon, found by bisection on the fibre length to 1e-12 m: the tendon pulls harder than the fibre at the
    /// shortest fibre (otherwise the fibre is held there, as in [`MuscleTendon::rigid_tendon`]) and not at all once
    /// the tendon is slack, so an equilibrium lies between (on the descending limb there can be more than one; this
    /// finds one). Returns the state and the tendon length, m.
    #[must_use]
    pub fn compliant_tendon_static(&self, length_m: f64, activation: f64) -> (FiberState, f64) {
        let l_opt = self.optimal_fiber_length_m;
        let thickness = l_opt * self.pennation_at_optimal_rad.sin();
        let along = |fiber: f64| (fiber * fiber - thickness * thickness).max(0.0).sqrt();
        // Tendon force minus fibre force along the tendon, at fibre length `fiber`.
        let mismatch = |fiber: f64| {
            let tendon = length_m - along(fiber);
            let ft = tendon_force_length(tendon / self.tendon_slack_length_m, self.tendon_strain_at_one_norm_force);
            let l = fiber / l_opt;
            let fm = (activation * active_force_length(l) + passive_force_length(l)) * along(fiber) / fiber;
            ft - fm
        };
        let lo = self.minimum_fiber_length_m.max(thickness);
        // The fibre is at most as long as the path less a slack tendon along it.
        let hi = ((length_m - self.tendon_slack_length_m).max(0.0).powi(2) + thickness * thickness).sqrt().max(lo);
        let fiber = if mismatch(lo) <= 0.0 {
            lo
        } else {
            let (mut a, mut b) = (lo, hi);
            while b - a > 1e-12 {
                let m = 0.5 * (a + b);
                if mismatch(m) > 0.0 { a = m } else { b = m }
            }
            0.5 * (a + b)
        };
        let cos = along(fiber) / fiber;
        let l = fiber / l_opt;
        let (fl, fp) = (active_force_length(l), passive_force_length(l));
        let state = FiberState {
            fiber_length_m: fiber,
            normalized_fiber_length: l,
            pennation_rad: (thickness / fiber).asin(),
            fiber_velocity_m_per_s: 0.0,
            normalized_fiber_velocity: 0.0,
            active_force_length: fl,
            force_velocity: 1.0,
            passive_force_length: fp,
            tendon_force_n: self.max_isometric_force_n * (activation * fl + fp) * cos,
        };
        (state, length_m - along(fiber))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_curves_have_their_closed_form_anchors() {
        // Active: exactly 1 at the optimal length (b11 was chosen so), and that is the peak.
        assert!((active_force_length(1.0) - 1.0).abs() < 1e-6, "{}", active_force_length(1.0));
        let peak = (0..=2000)
            .map(|k| 0.5 + 1e-3 * f64::from(k))
            .max_by(|a, b| active_force_length(*a).total_cmp(&active_force_length(*b)))
            .unwrap();
        assert!((peak - 1.0).abs() < 0.02, "the active curve peaks at {peak}");
        // Force-velocity: 1 isometric, (nearly) 0 at the maximum shortening speed, above 1 lengthening.
        assert!((force_velocity(0.0) - 1.0).abs() < 1e-6, "{}", force_velocity(0.0));
        assert!(force_velocity(-1.0).abs() < 1e-3, "{}", force_velocity(-1.0));
        assert!(force_velocity(0.5) > 1.3 && force_velocity(1.0) < 1.8);
        // Passive: 0 at the optimal length, the maximum isometric force at a strain of e0.
        assert_eq!(passive_force_length(1.0), 0.0);
        assert!((passive_force_length(1.0 + PASSIVE_STRAIN_AT_ONE_NORM_FORCE) - 1.0).abs() < 1e-12);
        assert_eq!(passive_force_length(0.6), 0.0);
        // Tendon: slack at its slack length, one normalised force at the strain given.
        assert_eq!(tendon_force_length(1.0, 0.049), 0.0);
        assert!((tendon_force_length(1.049, 0.049) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn a_path_shorter_than_the_tendon_holds_the_fibre_at_its_minimum_length() {
        let unit = MuscleTendon {
            name: "m".into(),
            max_isometric_force_n: 1000.0,
            optimal_fiber_length_m: 0.1,
            tendon_slack_length_m: 0.2,
            pennation_at_optimal_rad: 0.3,
            max_contraction_velocity: 10.0,
            tendon_strain_at_one_norm_force: 0.049,
            minimum_fiber_length_m: 0.04441,
        };
        // Free: fixed width, l sin(alpha) = l_opt sin(alpha_opt), and the fibre moves with the path, projected.
        let free = unit.rigid_tendon(0.2 + 0.09, 0.5, 1.0);
        assert!((free.fiber_length_m * free.pennation_rad.sin() - 0.1 * 0.3_f64.sin()).abs() < 1e-15);
        assert!((free.fiber_velocity_m_per_s - 0.5 * free.pennation_rad.cos()).abs() < 1e-15);
        assert!(free.tendon_force_n > 0.0);
        // Held: shorter than slack plus the minimum along the tendon, or slack itself.
        for length in [0.2 + 0.03, 0.19] {
            let held = unit.rigid_tendon(length, -0.5, 1.0);
            assert_eq!(held.fiber_length_m, 0.04441);
            assert_eq!(held.fiber_velocity_m_per_s, 0.0);
            assert!(held.pennation_rad > 0.3 && held.pennation_rad.is_finite());
        }
    }
}
