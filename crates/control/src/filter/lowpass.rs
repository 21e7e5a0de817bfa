//! First-order low-pass filter.

use crate::error::{self, ConfigError};
use crate::real::Real;

/// Configuration of a first-order low-pass filter `1 / (1 + s / (2 π fc))`.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct LowPassConfig<T> {
    /// Cut-off (-3 dB) frequency, Hz (> 0).
    pub cutoff_hz: T,
}

impl<T: Real> LowPassConfig<T> {
    /// Checks every field.
    pub fn validate(&self) -> Result<(), ConfigError> {
        error::positive(self.cutoff_hz, "cutoff_hz")
    }

    /// The smoothing factor `a = 1 - exp(-2 π fc dt)` of the exact discretisation at tick `dt_s`: the filter is
    /// `y += a (x - y)`, i.e. `H(z) = a / (1 - (1 - a) z^-1)`. Analyses that need the filter's response (Z-width
    /// conditions, Bode plots) use this rather than re-deriving it.
    #[inline]
    #[must_use]
    pub fn smoothing_factor(&self, dt_s: T) -> T {
        T::one() - (-(T::two_pi() * self.cutoff_hz * dt_s)).exp()
    }
}

/// First-order low-pass, discretised exactly for a piecewise-constant input (`alpha = 1 - exp(-2 π fc dt)`),
/// so it is stable and correct at any `dt_s`.
#[derive(Clone, Copy, Debug)]
pub struct LowPass<T: Real> {
    config: LowPassConfig<T>,
    dt_s: T,
    alpha: T,
    y: T,
    started: bool,
}

impl<T: Real> LowPass<T> {
    /// A filter that starts at its first input.
    pub fn new(config: LowPassConfig<T>) -> Result<Self, ConfigError> {
        config.validate()?;
        Ok(Self { config, dt_s: T::zero(), alpha: T::one(), y: T::zero(), started: false })
    }

    /// The last output.
    #[must_use]
    pub fn value(&self) -> T {
        self.y
    }

    /// Forgets the state; the next input initialises it.
    pub fn reset(&mut self) {
        self.started = false;
        self.y = T::zero();
    }

    /// Filters one sample. `dt_s <= 0` or a non-finite input holds the last output.
    #[inline]
    pub fn update(&mut self, x: T, dt_s: T) -> T {
        if !crate::real::valid_dt(dt_s) || !(x + dt_s).is_finite() {
            return self.y;
        }
        if !self.started {
            self.y = x;
            self.started = true;
            return x;
        }
        if dt_s != self.dt_s {
            self.dt_s = dt_s;
            self.alpha = self.config.smoothing_factor(dt_s);
        }
        self.y += self.alpha * (x - self.y);
        self.y
    }

    /// Gain `|H(e^{jωT})|` of this discretisation at `freq_hz` for tick `dt_s` (for tests and Bode plots).
    #[must_use]
    pub fn gain_at(&self, freq_hz: T, dt_s: T) -> T {
        let a = self.config.smoothing_factor(dt_s);
        let w = T::two_pi() * freq_hz * dt_s;
        // H(z) = a / (1 - (1 - a) z^-1)
        let re = T::one() - (T::one() - a) * w.cos();
        let im = (T::one() - a) * w.sin();
        a / (re * re + im * im).sqrt()
    }
}
