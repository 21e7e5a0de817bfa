//! Pandolf, Givoni and Goldman (1977), "Predicting energy expenditure with loads while standing or walking very
//! slowly", J Appl Physiol 43(4):577-581: the load-carriage equation armies plan marches with,
//!
//! `M = 1.5 W + 2.0 (W + L) (L / W)² + η (W + L) (1.5 V² + 0.35 V G)`,
//!
//! the whole-body metabolic rate `M` (W) of a person of mass `W` (kg) carrying `L` (kg) at `V` (m/s) up a grade
//! `G` (%), on terrain of factor `η` (1.0 on a treadmill or blacktop road, 1.2 on a dirt road, up to 2.1 in loose
//! sand: the paper's Table 1). It was fitted to soldiers walking 0.2 to 1.5 m/s with loads up to their own mass;
//! it is the gross rate (standing included), so differences between two loads are what compares with a
//! simulation's muscles.

/// Terrain factor of a treadmill or blacktop road (Pandolf et al. 1977, Table 1).
pub const TREADMILL_TERRAIN: f64 = 1.0;

/// Pandolf's whole-body metabolic rate, W, for body mass `body_kg`, load `load_kg`, speed `speed_m_per_s`, grade
/// `grade_pct` (%) and terrain factor `terrain`.
#[must_use]
pub fn metabolic_rate_w(body_kg: f64, load_kg: f64, speed_m_per_s: f64, grade_pct: f64, terrain: f64) -> f64 {
    let (w, l, v) = (body_kg, load_kg, speed_m_per_s);
    1.5 * w + 2.0 * (w + l) * (l / w).powi(2) + terrain * (w + l) * (1.5 * v * v + 0.35 * v * grade_pct)
}

/// What carrying `load_kg` adds to Pandolf's rate on level treadmill walking at `speed_m_per_s`, W:
/// `2.0 (W + L) (L / W)² + 1.5 η L V²`.
#[must_use]
pub fn load_increase_w(body_kg: f64, load_kg: f64, speed_m_per_s: f64) -> f64 {
    metabolic_rate_w(body_kg, load_kg, speed_m_per_s, 0.0, TREADMILL_TERRAIN)
        - metabolic_rate_w(body_kg, 0.0, speed_m_per_s, 0.0, TREADMILL_TERRAIN)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Worked by hand: W = 70 kg, L = 20 kg, V = 1.34 m/s, level treadmill: 105 + 180 (2/7)² + 90 · 1.5 · 1.7956
    /// = 105 + 14.694 + 242.406 = 362.10 W; unloaded 105 + 70 · 2.6934 = 293.54 W.
    #[test]
    fn matches_the_equation_worked_by_hand() {
        assert!((metabolic_rate_w(70.0, 20.0, 1.34, 0.0, 1.0) - 362.100).abs() < 1e-3);
        assert!((metabolic_rate_w(70.0, 0.0, 1.34, 0.0, 1.0) - 293.538).abs() < 1e-3);
        assert!((load_increase_w(70.0, 20.0, 1.34) - 68.562).abs() < 1e-3);
    }

    /// Standing (V = 0) unloaded is 1.5 W per kg, the equation's first term; a grade adds 0.35 η (W + L) V G.
    #[test]
    fn standing_and_grade_terms() {
        assert!((metabolic_rate_w(80.0, 0.0, 0.0, 5.0, 1.0) - 120.0).abs() < 1e-12);
        let up = metabolic_rate_w(80.0, 10.0, 1.0, 5.0, 1.2) - metabolic_rate_w(80.0, 10.0, 1.0, 0.0, 1.2);
        assert!((up - 0.35 * 1.2 * 90.0 * 5.0).abs() < 1e-9);
    }
}
