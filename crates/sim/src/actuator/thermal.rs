//! Two-node thermal model of a motor: winding and housing.

use super::config::ThermalConfig;

/// Winding and housing temperatures driven by the copper losses:
///
/// ```text
/// C_w dT_w/dt = P - (T_w - T_h) / R_wh
/// C_h dT_h/dt = (T_w - T_h) / R_wh - (T_h - T_a) / R_ha
/// ```
///
/// integrated exactly for a piecewise-constant loss (the 2×2 linear system's matrix exponential, precomputed
/// for the step).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TwoNodeThermal {
    /// Winding temperature, °C.
    pub winding_c: f64,
    /// Housing temperature, °C.
    pub housing_c: f64,
    ambient_c: f64,
    phi: [[f64; 2]; 2],
    gamma: [f64; 2],
    dt_s: f64,
    config: ThermalConfig,
}

impl TwoNodeThermal {
    /// Both nodes at ambient; `dt_s` is the step of [`TwoNodeThermal::step`].
    #[must_use]
    pub fn new(config: &ThermalConfig, dt_s: f64) -> Self {
        let mut t = Self {
            winding_c: config.ambient_c,
            housing_c: config.ambient_c,
            ambient_c: config.ambient_c,
            phi: [[1.0, 0.0], [0.0, 1.0]],
            gamma: [0.0; 2],
            dt_s,
            config: *config,
        };
        t.discretise(dt_s);
        t
    }

    fn discretise(&mut self, dt: f64) {
        // State x = (T_w - T_a, T_h - T_a); x' = A x + B P. Matrix exponential by scaling and squaring of a
        // Taylor series (the matrix is 2×2 and the step tiny, so this is exact to rounding).
        let c = &self.config;
        let (rwh, rha, cw, ch) = (
            c.winding_to_housing_k_per_w,
            c.housing_to_ambient_k_per_w,
            c.winding_capacity_j_per_k,
            c.housing_capacity_j_per_k,
        );
        let a = [[-1.0 / (rwh * cw), 1.0 / (rwh * cw)], [1.0 / (rwh * ch), -(1.0 / rwh + 1.0 / rha) / ch]];
        let b = [1.0 / cw, 0.0];
        let mul = |x: &[[f64; 2]; 2], y: &[[f64; 2]; 2]| -> [[f64; 2]; 2] {
            core::array::from_fn(|i| core::array::from_fn(|j| x[i][0] * y[0][j] + x[i][1] * y[1][j]))
        };
        // Augmented [[A, B], [0, 0]] exponential gives Phi and Gamma together.
        let mut squarings = 0;
        let mut h = dt;
        let norm = a.iter().flatten().fold(0.0f64, |m, v| m.max(v.abs()));
        while norm * h > 0.1 {
            h *= 0.5;
            squarings += 1;
        }
        let mut phi = [[1.0, 0.0], [0.0, 1.0]];
        let mut gam = [0.0, 0.0];
        let mut term = [[1.0, 0.0], [0.0, 1.0]];
        for k in 1..20 {
            // term_k = A^k h^k / k!, gamma term = A^{k-1} B h^k / k!
            let kf = f64::from(k);
            let next_b =
                [(term[0][0] * b[0] + term[0][1] * b[1]) * h / kf, (term[1][0] * b[0] + term[1][1] * b[1]) * h / kf];
            term = mul(&term, &a).map(|r| r.map(|v| v * h / kf));
            for i in 0..2 {
                gam[i] += next_b[i];
                for j in 0..2 {
                    phi[i][j] += term[i][j];
                }
            }
        }
        for _ in 0..squarings {
            // exp(2M) for the augmented matrix: Phi2 = Phi², Gamma2 = Phi Gamma + Gamma.
            let g2 =
                [phi[0][0] * gam[0] + phi[0][1] * gam[1] + gam[0], phi[1][0] * gam[0] + phi[1][1] * gam[1] + gam[1]];
            phi = mul(&phi, &phi);
            gam = g2;
        }
        self.phi = phi;
        self.gamma = gam;
        self.dt_s = dt;
    }

    /// Advances by the configured step with copper loss `loss_w`.
    #[inline]
    pub fn step(&mut self, loss_w: f64) {
        let x0 = self.winding_c - self.ambient_c;
        let x1 = self.housing_c - self.ambient_c;
        let n0 = self.phi[0][0] * x0 + self.phi[0][1] * x1 + self.gamma[0] * loss_w;
        let n1 = self.phi[1][0] * x0 + self.phi[1][1] * x1 + self.gamma[1] * loss_w;
        self.winding_c = self.ambient_c + n0;
        self.housing_c = self.ambient_c + n1;
    }

    /// The step length, s.
    #[must_use]
    pub fn dt_s(&self) -> f64 {
        self.dt_s
    }

    /// Fraction of the current limit available at the present winding temperature (1 when cool, falling
    /// linearly to 0 between `derate_start_c` and `max_winding_c`).
    #[inline]
    #[must_use]
    pub fn derating(&self) -> f64 {
        let c = &self.config;
        ((c.max_winding_c - self.winding_c) / (c.max_winding_c - c.derate_start_c)).clamp(0.0, 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> ThermalConfig {
        ThermalConfig {
            winding_to_housing_k_per_w: 1.2,
            housing_to_ambient_k_per_w: 2.5,
            winding_capacity_j_per_k: 30.0,
            housing_capacity_j_per_k: 250.0,
            ambient_c: 25.0,
            derate_start_c: 100.0,
            max_winding_c: 125.0,
        }
    }

    #[test]
    fn steady_state_rise_is_loss_times_total_resistance() {
        // Exact discretisation: a 1 s step is as accurate as a small one; 1e5 s is hundreds of time constants.
        let mut t = TwoNodeThermal::new(&cfg(), 1.0);
        for _ in 0..100_000 {
            t.step(10.0);
        }
        assert!((t.winding_c - (25.0 + 10.0 * 3.7)).abs() < 1e-6, "{}", t.winding_c);
        assert!((t.housing_c - (25.0 + 10.0 * 2.5)).abs() < 1e-6);
    }

    #[test]
    fn exact_discretisation_is_step_size_independent() {
        let (mut a, mut b) = (TwoNodeThermal::new(&cfg(), 0.5), TwoNodeThermal::new(&cfg(), 5e-5));
        for _ in 0..200 {
            a.step(40.0);
        }
        for _ in 0..2_000_000 {
            b.step(40.0);
        }
        assert!((a.winding_c - b.winding_c).abs() < 1e-6, "{} vs {}", a.winding_c, b.winding_c);
    }

    #[test]
    fn derating_is_linear_between_start_and_max() {
        let mut t = TwoNodeThermal::new(&cfg(), 0.01);
        t.winding_c = 112.5;
        assert!((t.derating() - 0.5).abs() < 1e-12);
        t.winding_c = 50.0;
        assert_eq!(t.derating(), 1.0);
        t.winding_c = 130.0;
        assert_eq!(t.derating(), 0.0);
    }
}
