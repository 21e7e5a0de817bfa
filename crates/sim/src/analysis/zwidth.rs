//! Z-width: which virtual walls a sampled-data device can render passively.
//!
//! A wall `F = -K q - B v_est` (for `q < 0`) is rendered by a controller running every `T` on a quantised,
//! possibly delayed and filtered measurement, with a zero-order-hold output, on a joint with physical viscous
//! damping `b` and Coulomb friction `f_c`. Each wall is probed with prescribed motions inside it: sampled
//! sinusoids from low frequencies up to the Nyquist frequency, at several amplitudes and phases, moving at constant
//! speed between sample instants (for given samples, constant speed dissipates least in the physical damper, so
//! these are the worst-case motions of a sampled-data wall; at Nyquist with samples on the peaks this is the
//! triangle wave of Colgate and Schenkel's proof). A passivity observer (Hannaford and Ryu 2002) sums the energy
//! the wall and the physical friction absorb over whole periods. A wall that returns energy for any probe (net
//! absorbed energy below zero) is active.
//!
//! For the pure sampled-data case (no delay, no quantisation, backward-difference velocity) this reproduces
//! Colgate and Schenkel's bound: passive iff `b > K T / 2 + |B|`.

use std::f64::consts::{PI, TAU};

use exo_control::filter::{LowPassConfig, VelocityEstimator, VelocityEstimatorConfig};

use crate::scenario::LoadedScenario;

/// The sampled-data loop and the joint's physics.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct WallParams {
    /// Control period, s.
    pub control_dt_s: f64,
    /// Whole control ticks of measurement delay.
    pub delay_ticks: u32,
    /// Joint encoder counts per revolution (0: no quantisation).
    pub counts_per_rev: u32,
    /// Cut-off of the velocity estimator's low-pass, Hz (`None`: raw backward difference).
    pub velocity_cutoff_hz: Option<f64>,
    /// Physical viscous damping at the joint, N m s/rad.
    pub physical_damping_nm_s_per_rad: f64,
    /// Coulomb friction at the joint, N m.
    pub coulomb_friction_nm: f64,
}

impl WallParams {
    /// The loop of a scenario: its control period, sensor delay, joint encoder and velocity filter, and the
    /// physical damping and friction of its first actuated joint (exoskeleton joint damping plus the actuator's
    /// rotor friction reflected through the gear).
    #[must_use]
    pub fn from_scenario(l: &LoadedScenario, actuator: Option<&crate::actuator::ActuatorConfig>) -> Self {
        let sc = &l.scenario;
        let (mut b, mut fc) = (sc.exoskeleton.as_ref().map_or(0.0, |e| e.joint_damping_nm_s_per_rad), 0.0);
        if let Some(a) = actuator {
            let n = a.gearbox.ratio;
            b += a.gearbox.viscous_friction_nm_s_per_rad * n * n;
            fc += a.gearbox.coulomb_friction_nm * n;
        }
        Self {
            control_dt_s: sc.simulation.control_dt_s,
            delay_ticks: sc.sensors.delay_ticks,
            counts_per_rev: sc.sensors.joint_encoder_counts_per_rev,
            velocity_cutoff_hz: Some(sc.sensors.velocity_cutoff_hz),
            physical_damping_nm_s_per_rad: b,
            coulomb_friction_nm: fc,
        }
    }

    /// Colgate and Schenkel's largest passive stiffness for virtual damping `b_virtual`, N m/rad (valid for the
    /// pure sampled-data case).
    #[must_use]
    pub fn colgate_max_stiffness(&self, b_virtual: f64) -> f64 {
        (2.0 * (self.physical_damping_nm_s_per_rad - b_virtual.abs()) / self.control_dt_s).max(0.0)
    }

    /// Largest passive stiffness for virtual damping `b_virtual` from Colgate and Schenkel's general condition
    /// for a linear discrete wall `H(z)` behind a zero-order hold,
    /// `b > T / (2 (1 - cos wT)) Re{(1 - e^{-jwT}) H(e^{jwT})}` for every `0 < w <= pi / T`, with
    /// `H(z) = z^-d (K + B F(z) (1 - z^-1) / T)`: the measurement delay `d` and the velocity estimator's
    /// low-pass `F(z) = a / (1 - (1 - a) z^-1)` included. N m/rad; `None` when the condition is nonlinear
    /// (quantised encoder) or no stiffness is passive. With delay the passive stiffnesses can also have a
    /// lower end; this is the upper one. Coulomb friction is left out (it only adds dissipation).
    ///
    /// The condition is evaluated on 4096 frequencies, so the answer is exact to about 1e-3 relative.
    #[must_use]
    pub fn sampled_data_max_stiffness(&self, b_virtual: f64) -> Option<f64> {
        use nalgebra::Complex;
        if self.counts_per_rev != 0 {
            return None;
        }
        let t = self.control_dt_s;
        // The velocity estimator's own low-pass (a backward difference, then this filter).
        let alpha = self.velocity_cutoff_hz.map(|fc| LowPassConfig { cutoff_hz: fc }.smoothing_factor(t));
        let d = f64::from(self.delay_ticks);
        let b = self.physical_damping_nm_s_per_rad;
        let n = 4096;
        let (mut k_min, mut k_max) = (0.0_f64, f64::INFINITY);
        for i in 1..=n {
            let theta = PI * f64::from(i) / f64::from(n);
            let z_inv = Complex::from_polar(1.0, -theta);
            let diff = Complex::new(1.0, 0.0) - z_inv;
            let delay = Complex::from_polar(1.0, -d * theta);
            let filter = alpha.map_or(Complex::new(1.0, 0.0), |a| Complex::new(a, 0.0) / (1.0 - (1.0 - a) * z_inv));
            let one_minus_cos = 1.0 - theta.cos();
            // b >= K a(w) + B c(w): a from the spring, c from the filtered backward-difference damper.
            let a = 0.5 * t * (diff * delay).re / one_minus_cos;
            let c = 0.5 * (diff * diff * delay * filter).re / one_minus_cos;
            let slack = b - b_virtual * c;
            if a > 0.0 {
                k_max = k_max.min(slack / a);
            } else if a < 0.0 {
                // Where delay turns the spring's phase round, stiffness dissipates: a lower bound on K.
                k_min = k_min.max(slack / a);
            } else if slack < 0.0 {
                return None;
            }
        }
        (k_max.is_finite() && k_max > 0.0 && k_max >= k_min).then_some(k_max)
    }
}

/// The verdict on one wall.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Verdict {
    /// Stiffness, N m/rad.
    pub stiffness_nm_per_rad: f64,
    /// Virtual damping, N m s/rad.
    pub damping_nm_s_per_rad: f64,
    /// No probe drew energy out of the wall.
    pub passive: bool,
    /// Smallest net absorbed energy over all probes, relative to the probe's elastic energy scale `K A² / 2`
    /// (negative: active).
    pub worst_relative_energy: f64,
}

/// Net energy the wall and the physical friction absorb over whole periods of the probe whose samples are
/// `q_k = -A (2 + sin(w k T + phi))`, moving linearly between samples, after a settling time.
fn probe(p: &WallParams, k: f64, b: f64, amplitude: f64, w: f64, phi: f64) -> f64 {
    let t = p.control_dt_s;
    let period = TAU / w;
    let settle = (3.0 * period).max(20.0 * t).max(p.velocity_cutoff_hz.map_or(0.0, |f| 5.0 / (TAU * f)));
    let measure = (10.0 * period).max(400.0 * t);
    let n_settle = (settle / t).ceil() as usize;
    // Whole periods: round the measuring window to the samples closest to an integer number of periods.
    let periods = (measure / period).ceil();
    let n_measure = (periods * period / t).round() as usize;
    let q = |i: usize| -amplitude * (2.0 + (w * i as f64 * t + phi).sin());
    let resolution = if p.counts_per_rev == 0 { 0.0 } else { TAU / f64::from(p.counts_per_rev) };
    let quantise = |x: f64| if resolution > 0.0 { (x / resolution).floor() * resolution } else { x };
    let mut estimator =
        p.velocity_cutoff_hz.and_then(|fc| VelocityEstimator::new(VelocityEstimatorConfig { cutoff_hz: fc }).ok());
    let delay = p.delay_ticks as usize;
    let mut history = vec![quantise(q(0)); delay + 2];
    let mut prev_measured = quantise(q(0));
    let mut absorbed = 0.0;
    for i in 0..n_settle + n_measure {
        history.rotate_right(1);
        history[0] = quantise(q(i));
        let measured = history[delay];
        let v_raw = (measured - prev_measured) / t;
        prev_measured = measured;
        let v = match estimator.as_mut() {
            Some(e) => e.update(measured, t),
            None => v_raw,
        };
        // Unilateral wall on the measured position, held over the tick.
        let force = if measured < 0.0 { -k * measured - b * v } else { 0.0 };
        if i >= n_settle {
            let dq = q(i + 1) - q(i);
            // Work absorbed by the wall, then by the physical friction at constant speed dq / T.
            absorbed += -force * dq + p.physical_damping_nm_s_per_rad * dq * dq / t + p.coulomb_friction_nm * dq.abs();
        }
    }
    absorbed
}

/// Classifies one wall.
#[must_use]
pub fn classify(p: &WallParams, k: f64, b: f64) -> Verdict {
    let nyquist = PI / p.control_dt_s;
    let resolution = if p.counts_per_rev == 0 { 0.0 } else { TAU / f64::from(p.counts_per_rev) };
    let mut worst = f64::INFINITY;
    // Probe amplitudes: a small penetration, a large one, and a few encoder counts when quantised.
    let mut amplitudes = vec![1e-3, 2e-2];
    if resolution > 0.0 {
        amplitudes.push(3.0 * resolution);
    }
    let n_freq = 24;
    for &a in &amplitudes {
        for i in 0..n_freq {
            // Log-spaced from 0.5 Hz up to and including the Nyquist frequency.
            let w = 2.0 * PI * 0.5 * (nyquist / (2.0 * PI * 0.5)).powf(i as f64 / (n_freq - 1) as f64);
            for phi in [0.0, PI / 4.0, PI / 2.0, 3.0 * PI / 4.0] {
                let e = probe(p, k, b, a, w, phi);
                let scale = 0.5 * k.max(1.0) * a * a;
                worst = worst.min(e / scale);
            }
        }
    }
    Verdict { stiffness_nm_per_rad: k, damping_nm_s_per_rad: b, passive: worst >= -1e-9, worst_relative_energy: worst }
}

/// The Z-width map over a grid of stiffness and damping (row-major: damping outer, stiffness inner).
#[must_use]
pub fn map(p: &WallParams, stiffness: &[f64], damping: &[f64]) -> Vec<Verdict> {
    damping.iter().flat_map(|&b| stiffness.iter().map(move |&k| classify(p, k, b))).collect()
}

/// Largest passive stiffness of the grid row with virtual damping `b` (the Z-width boundary), N m/rad.
#[must_use]
pub fn max_passive_stiffness(verdicts: &[Verdict], b: f64) -> Option<f64> {
    verdicts
        .iter()
        .filter(|v| v.damping_nm_s_per_rad == b && v.passive)
        .map(|v| v.stiffness_nm_per_rad)
        .fold(None, |m, k| Some(m.map_or(k, |x: f64| x.max(k))))
}
