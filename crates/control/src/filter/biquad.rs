//! Second-order sections designed by the bilinear transform with frequency prewarping.

use crate::error::{self, ConfigError, Problem};
use crate::real::{Real, c};

/// Normalised biquad coefficients (`a0 = 1`):
/// `H(z) = (b0 + b1 z^-1 + b2 z^-2) / (1 + a1 z^-1 + a2 z^-2)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BiquadCoefficients<T> {
    /// Numerator coefficient of `z^0`.
    pub b0: T,
    /// Numerator coefficient of `z^-1`.
    pub b1: T,
    /// Numerator coefficient of `z^-2`.
    pub b2: T,
    /// Denominator coefficient of `z^-1`.
    pub a1: T,
    /// Denominator coefficient of `z^-2`.
    pub a2: T,
}

fn check_design<T: Real>(freq_hz: T, q: T, dt_s: T) -> Result<T, ConfigError> {
    error::positive(dt_s, "dt_s")?;
    error::positive(freq_hz, "cutoff_hz")?;
    error::positive(q, "q")?;
    // The prewarped frequency tan(π f dt) is only defined below Nyquist.
    if freq_hz * dt_s >= c(0.5) {
        return Err(ConfigError::new("cutoff_hz", Problem::OutOfRange));
    }
    Ok((T::pi() * freq_hz * dt_s).tan())
}

impl<T: Real> BiquadCoefficients<T> {
    /// Second-order low-pass with quality factor `q`, its corner prewarped to land exactly on `cutoff_hz`.
    pub fn lowpass(cutoff_hz: T, q: T, dt_s: T) -> Result<Self, ConfigError> {
        let k = check_design(cutoff_hz, q, dt_s)?;
        let k2 = k * k;
        let norm = T::one() / (T::one() + k / q + k2);
        let b0 = k2 * norm;
        Ok(Self {
            b0,
            b1: b0 * c(2.0),
            b2: b0,
            a1: (k2 - T::one()) * c::<T>(2.0) * norm,
            a2: (T::one() - k / q + k2) * norm,
        })
    }

    /// Butterworth (maximally flat, `q = 1/√2`) second-order low-pass: -3 dB exactly at `cutoff_hz`.
    pub fn butterworth_lowpass(cutoff_hz: T, dt_s: T) -> Result<Self, ConfigError> {
        Self::lowpass(cutoff_hz, c(core::f64::consts::FRAC_1_SQRT_2), dt_s)
    }

    /// Notch (band-stop) at `center_hz` with quality factor `q` (bandwidth `center_hz / q`), prewarped so that
    /// the null lands exactly on `center_hz`.
    pub fn notch(center_hz: T, q: T, dt_s: T) -> Result<Self, ConfigError> {
        let k = check_design(center_hz, q, dt_s)?;
        let k2 = k * k;
        let norm = T::one() / (T::one() + k / q + k2);
        let b0 = (T::one() + k2) * norm;
        let b1 = (k2 - T::one()) * c::<T>(2.0) * norm;
        Ok(Self { b0, b1, b2: b0, a1: b1, a2: (T::one() - k / q + k2) * norm })
    }

    /// Gain `|H(e^{j 2π f dt})|` at `freq_hz`.
    #[must_use]
    pub fn gain_at(&self, freq_hz: T, dt_s: T) -> T {
        let w = T::two_pi() * freq_hz * dt_s;
        let (s1, c1) = w.sin_cos();
        let (s2, c2) = (w * c(2.0)).sin_cos();
        let (nr, ni) = (self.b0 + self.b1 * c1 + self.b2 * c2, -(self.b1 * s1 + self.b2 * s2));
        let (dr, di) = (T::one() + self.a1 * c1 + self.a2 * c2, -(self.a1 * s1 + self.a2 * s2));
        ((nr * nr + ni * ni) / (dr * dr + di * di)).sqrt()
    }
}

/// A biquad filter in transposed direct form II (good numerical behaviour in `f32`).
#[derive(Clone, Copy, Debug)]
pub struct Biquad<T: Real> {
    k: BiquadCoefficients<T>,
    s1: T,
    s2: T,
    y: T,
}

impl<T: Real> Biquad<T> {
    /// A filter at rest with the given coefficients.
    #[must_use]
    pub fn new(k: BiquadCoefficients<T>) -> Self {
        Self { k, s1: T::zero(), s2: T::zero(), y: T::zero() }
    }

    /// The coefficients.
    #[must_use]
    pub fn coefficients(&self) -> &BiquadCoefficients<T> {
        &self.k
    }

    /// Sets the state to the steady state for a constant input `x` (no start-up transient).
    pub fn settle(&mut self, x: T) {
        let dc = (self.k.b0 + self.k.b1 + self.k.b2) / (T::one() + self.k.a1 + self.k.a2);
        let y = x * dc;
        self.y = y;
        self.s2 = self.k.b2 * x - self.k.a2 * y;
        self.s1 = self.k.b1 * x - self.k.a1 * y + self.s2;
    }

    /// Clears the state.
    pub fn reset(&mut self) {
        self.s1 = T::zero();
        self.s2 = T::zero();
        self.y = T::zero();
    }

    /// Filters one sample; a non-finite input holds the last output and leaves the state untouched.
    #[inline]
    pub fn update(&mut self, x: T) -> T {
        if !x.is_finite() {
            return self.y;
        }
        let k = &self.k;
        let y = k.b0 * x + self.s1;
        self.s1 = k.b1 * x - k.a1 * y + self.s2;
        self.s2 = k.b2 * x - k.a2 * y;
        self.y = y;
        y
    }
}
