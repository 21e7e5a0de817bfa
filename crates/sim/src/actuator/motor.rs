//! Motor winding and the driver's current loop.

/// The winding's electrical dynamics `L di/dt = v - R i - Ke ω`, integrated exactly over a step for a held
/// voltage and speed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MotorElectrical {
    /// Winding current, A.
    pub current_a: f64,
    inductance_h: f64,
    resistance_ohm: f64,
    back_emf_v_s_per_rad: f64,
    dt_s: f64,
    decay: f64,
}

impl MotorElectrical {
    /// A winding with no current.
    #[must_use]
    pub fn new(resistance_ohm: f64, inductance_h: f64, back_emf_v_s_per_rad: f64, dt_s: f64) -> Self {
        let mut m = Self { current_a: 0.0, inductance_h, resistance_ohm, back_emf_v_s_per_rad, dt_s, decay: 0.0 };
        m.set_resistance(resistance_ohm);
        m
    }

    /// Updates the resistance (after a temperature change), ohm.
    pub fn set_resistance(&mut self, resistance_ohm: f64) {
        self.resistance_ohm = resistance_ohm;
        self.decay = (-resistance_ohm * self.dt_s / self.inductance_h).exp();
    }

    /// The resistance in use, ohm.
    #[must_use]
    pub fn resistance_ohm(&self) -> f64 {
        self.resistance_ohm
    }

    /// One step with terminal voltage `voltage_v` and rotor speed `speed_rad_per_s` held; returns the mean
    /// current over the step (A), which is what produces the step's mean torque.
    #[inline]
    pub fn step(&mut self, voltage_v: f64, speed_rad_per_s: f64) -> f64 {
        self.step_with_loss(voltage_v, speed_rad_per_s).0
    }

    /// As [`step`](Self::step), also returning the exact mean of `i²` over the step (A²), for copper losses.
    #[inline]
    pub fn step_with_loss(&mut self, voltage_v: f64, speed_rad_per_s: f64) -> (f64, f64) {
        let steady = (voltage_v - self.back_emf_v_s_per_rad * speed_rad_per_s) / self.resistance_ohm;
        let i0 = self.current_a;
        let d = i0 - steady;
        let a = self.decay;
        self.current_a = steady + d * a;
        // Exact means of i and i² over the exponential transient i(t) = steady + d exp(-t / tau).
        let tau_over_dt = self.inductance_h / self.resistance_ohm / self.dt_s;
        let mean = steady + d * tau_over_dt * (1.0 - a);
        let mean_sq =
            steady * steady + 2.0 * steady * d * tau_over_dt * (1.0 - a) + d * d * 0.5 * tau_over_dt * (1.0 - a * a);
        (mean, mean_sq)
    }
}

/// The driver's PI current loop with bus-voltage saturation and back-calculation anti-windup.
///
/// Designed in discrete time by pole-zero cancellation: the PI zero cancels the winding's discrete pole
/// `a = exp(-R dt / L)` and the loop gain places the closed-loop pole at `exp(-ωc dt)`, so the sampled current
/// follows `1 - exp(-ωc t)` exactly (at nominal resistance, below saturation).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CurrentLoop {
    kp_v_per_a: f64,
    ki_dt_v_per_a: f64,
    integral_v: f64,
}

impl CurrentLoop {
    /// Gains for closed-loop bandwidth `bandwidth_hz` at sample time `dt_s`.
    #[must_use]
    pub fn new(resistance_ohm: f64, inductance_h: f64, bandwidth_hz: f64, dt_s: f64) -> Self {
        let a = (-resistance_ohm * dt_s / inductance_h).exp();
        let b = (1.0 - a) / resistance_ohm;
        let p = (-2.0 * std::f64::consts::PI * bandwidth_hz * dt_s).exp();
        let k = (1.0 - p) / b;
        Self { kp_v_per_a: k * a, ki_dt_v_per_a: k * (1.0 - a), integral_v: 0.0 }
    }

    /// Voltage to apply for reference `i_ref` and measured `i`, saturated to `±bus_v`.
    #[inline]
    pub fn update(&mut self, i_ref_a: f64, i_a: f64, bus_v: f64) -> f64 {
        let e = i_ref_a - i_a;
        let unsat = self.kp_v_per_a * e + self.integral_v + self.ki_dt_v_per_a * e;
        let v = unsat.clamp(-bus_v, bus_v);
        // Mitigate integral windup at the bus limit: integrate only what the bus can deliver.
        self.integral_v += self.ki_dt_v_per_a * e + (v - unsat);
        v
    }

    /// Clears the integrator.
    pub fn reset(&mut self) {
        self.integral_v = 0.0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locked_rotor_current_reaches_v_over_r_with_time_constant_l_over_r() {
        // AK80-6 figures: R = 0.17 ohm, L = 57 uH, so tau = 335 us and V/R = 70.6 A at 12 V.
        let (r, l, v) = (0.17, 57e-6, 12.0);
        let dt = 5e-5;
        let mut m = MotorElectrical::new(r, l, 0.091, dt);
        let tau = l / r;
        let mut t = 0.0;
        let mut at_tau = None;
        for _ in 0..400 {
            m.step(v, 0.0);
            t += dt;
            if at_tau.is_none() && t >= tau {
                // Interpolate i(tau) from the exact solution at the step: within 1 % of (1 - 1/e) V/R.
                at_tau = Some(m.current_a * (1.0 - (-1.0f64).exp()) / (1.0 - (-t / tau).exp()));
            }
        }
        assert!((m.current_a - v / r).abs() / (v / r) < 0.01, "final {}", m.current_a);
        let expected = (1.0 - (-1.0f64).exp()) * v / r;
        assert!((at_tau.unwrap() - expected).abs() / expected < 0.01);
        // The exact discretisation reproduces 1 - exp(-t/tau) at every sample.
        let mut m = MotorElectrical::new(r, l, 0.091, dt);
        for k in 1..=20 {
            m.step(v, 0.0);
            let exact = v / r * (1.0 - (-(k as f64) * dt / tau).exp());
            assert!((m.current_a - exact).abs() < 1e-9 * v / r);
        }
    }

    #[test]
    fn current_loop_is_first_order_at_its_design_bandwidth() {
        // The sampled current equals 10 (1 - exp(-ωc t)) at every sample (1e-9 A), with ωc = 2π 1 kHz.
        let (r, l, dt) = (0.17, 57e-6, 5e-5);
        let mut m = MotorElectrical::new(r, l, 0.091, dt);
        let mut pi = CurrentLoop::new(r, l, 1000.0, dt);
        let wc = 2.0 * std::f64::consts::PI * 1000.0;
        for k in 1..=400 {
            let v = pi.update(10.0, m.current_a, 48.0);
            m.step(v, 0.0);
            let expected = 10.0 * (1.0 - (-wc * k as f64 * dt).exp());
            assert!((m.current_a - expected).abs() < 1e-9, "sample {k}: {} vs {expected}", m.current_a);
        }
    }
}
