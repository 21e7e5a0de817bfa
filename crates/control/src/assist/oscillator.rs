//! Adaptive-frequency oscillator that locks onto the hip angle.

use crate::error::{self, ConfigError};
use crate::real::{Real, c, fclamp};

/// Configuration of an [`AdaptiveOscillator`].
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct AdaptiveOscillatorConfig<T> {
    /// Initial stride frequency guess, Hz (> 0).
    pub initial_frequency_hz: T,
    /// Lowest frequency the oscillator may adopt, Hz.
    pub min_frequency_hz: T,
    /// Highest frequency the oscillator may adopt, Hz.
    pub max_frequency_hz: T,
    /// Phase coupling gain `nu_phi`, 1/(rad s) (> 0).
    pub phase_gain: T,
    /// Frequency adaptation gain `nu_omega`, 1/(rad s²) (> 0).
    pub frequency_gain: T,
    /// Amplitude learning rate `eta`, 1/s (> 0).
    pub amplitude_gain: T,
    /// Phase of the fundamental at heel strike, rad: subtracted so that gait phase 0 is heel strike.
    pub phase_offset_rad: T,
    /// Time after start before the estimate is trusted, s (>= 0).
    pub settle_time_s: T,
}

impl<T: Real> AdaptiveOscillatorConfig<T> {
    /// Gains that lock onto walking hip angles within a few strides.
    #[must_use]
    pub fn walking() -> Self {
        Self {
            initial_frequency_hz: c(0.9),
            min_frequency_hz: c(0.3),
            max_frequency_hz: c(2.0),
            phase_gain: c(20.0),
            frequency_gain: c(10.0),
            amplitude_gain: c(2.0),
            phase_offset_rad: T::zero(),
            settle_time_s: c(5.0),
        }
    }

    /// Checks every field.
    pub fn validate(&self) -> Result<(), ConfigError> {
        error::positive(self.min_frequency_hz, "min_frequency_hz")?;
        error::range(self.min_frequency_hz, self.max_frequency_hz, "min_frequency_hz", "max_frequency_hz")?;
        error::within(self.initial_frequency_hz, self.min_frequency_hz, self.max_frequency_hz, "initial_frequency_hz")?;
        error::positive(self.phase_gain, "phase_gain")?;
        error::positive(self.frequency_gain, "frequency_gain")?;
        error::positive(self.amplitude_gain, "amplitude_gain")?;
        error::finite(self.phase_offset_rad, "phase_offset_rad")?;
        error::non_negative(self.settle_time_s, "settle_time_s")
    }
}

/// A pool of `H` adaptive-frequency phase oscillators (Righetti et al. 2006; Ronsse et al. 2011, "Oscillator-based
/// assistance of cyclical movements") learning `theta(t) ≈ a_0 + Σ a_i sin(phi_i)`, with
///
/// ```text
/// e = theta - theta_hat
/// phi_i' = i omega + nu_phi e cos(phi_i)
/// omega' = nu_omega e cos(phi_1)
/// a_0'   = eta e,     a_i' = eta e sin(phi_i)
/// ```
///
/// The phase of the fundamental, shifted by the heel-strike offset, is the gait phase.
#[derive(Clone, Copy, Debug)]
pub struct AdaptiveOscillator<T: Real, const H: usize> {
    config: AdaptiveOscillatorConfig<T>,
    phi: [T; H],
    omega: T,
    offset: T,
    amplitude: [T; H],
    elapsed_s: T,
}

impl<T: Real, const H: usize> AdaptiveOscillator<T, H> {
    /// An oscillator at its initial frequency with zero amplitudes.
    pub fn new(config: AdaptiveOscillatorConfig<T>) -> Result<Self, ConfigError> {
        config.validate()?;
        let mut osc = Self {
            config,
            phi: [T::zero(); H],
            omega: T::zero(),
            offset: T::zero(),
            amplitude: [T::zero(); H],
            elapsed_s: T::zero(),
        };
        osc.reset();
        Ok(osc)
    }

    /// Back to the initial guess.
    pub fn reset(&mut self) {
        self.phi = [T::zero(); H];
        self.amplitude = [T::zero(); H];
        self.offset = T::zero();
        self.omega = T::two_pi() * self.config.initial_frequency_hz;
        self.elapsed_s = T::zero();
    }

    /// Learned stride frequency, Hz.
    #[must_use]
    pub fn frequency_hz(&self) -> T {
        self.omega / T::two_pi()
    }

    /// The oscillator's current estimate of the input signal.
    #[must_use]
    pub fn estimate(&self) -> T {
        let mut y = self.offset;
        for (a, p) in self.amplitude.iter().zip(self.phi.iter()) {
            y += *a * p.sin();
        }
        y
    }

    /// Advances by `dt_s` with the measured hip angle (rad); returns the gait phase in `[0, 1)` once settled.
    pub fn update(&mut self, angle_rad: T, dt_s: T) -> Option<T> {
        if !crate::real::valid_dt(dt_s) || !(angle_rad + dt_s).is_finite() {
            return None;
        }
        let cfg = &self.config;
        let e = angle_rad - self.estimate();
        let two_pi = T::two_pi();
        let cos1 = self.phi.first().map_or(T::one(), |p| p.cos());
        let mut harmonic = T::one();
        for (p, a) in self.phi.iter_mut().zip(self.amplitude.iter_mut()) {
            let (s, co) = p.sin_cos();
            *a += dt_s * cfg.amplitude_gain * e * s;
            *p += dt_s * (harmonic * self.omega + cfg.phase_gain * e * co);
            *p -= two_pi * (*p / two_pi).floor();
            harmonic += T::one();
        }
        self.offset += dt_s * cfg.amplitude_gain * e;
        // Keep the frequency in the walking range: mitigate drift to zero or run-away while unlocked.
        self.omega = fclamp(
            self.omega + dt_s * cfg.frequency_gain * e * cos1,
            two_pi * cfg.min_frequency_hz,
            two_pi * cfg.max_frequency_hz,
        );
        if !(self.omega + self.offset).is_finite() || self.amplitude.iter().any(|a| !a.is_finite()) {
            self.reset();
            return None;
        }
        self.elapsed_s += dt_s;
        if self.elapsed_s < cfg.settle_time_s {
            return None;
        }
        let p = self.phi.first().copied().unwrap_or_else(T::zero) - cfg.phase_offset_rad;
        let phase = (p - two_pi * (p / two_pi).floor()) / two_pi;
        Some(fclamp(phase, T::zero(), T::one() - c::<T>(1e-6)))
    }
}
