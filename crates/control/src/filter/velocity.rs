//! Velocity from quantised encoder positions.

use super::{LowPass, LowPassConfig};
use crate::error::ConfigError;
use crate::real::Real;

/// Configuration of a [`VelocityEstimator`].
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct VelocityEstimatorConfig<T> {
    /// Cut-off of the low-pass after the finite difference, Hz (> 0). Trades quantisation noise
    /// (`resolution / dt`) against lag.
    pub cutoff_hz: T,
}

impl<T: Real> VelocityEstimatorConfig<T> {
    /// Checks every field.
    pub fn validate(&self) -> Result<(), ConfigError> {
        LowPassConfig { cutoff_hz: self.cutoff_hz }.validate()
    }
}

/// Filtered finite difference: `v = LP[(x_k - x_{k-1}) / dt]`.
///
/// With encoder resolution `r` the raw difference jumps in steps of `r / dt`; the low-pass averages them.
#[derive(Clone, Copy, Debug)]
pub struct VelocityEstimator<T: Real> {
    filter: LowPass<T>,
    prev: T,
    started: bool,
}

impl<T: Real> VelocityEstimator<T> {
    /// An estimator that reports zero until its second sample.
    pub fn new(config: VelocityEstimatorConfig<T>) -> Result<Self, ConfigError> {
        Ok(Self {
            filter: LowPass::new(LowPassConfig { cutoff_hz: config.cutoff_hz })?,
            prev: T::zero(),
            started: false,
        })
    }

    /// Forgets the state.
    pub fn reset(&mut self) {
        self.filter.reset();
        self.started = false;
    }

    /// The last estimate, rad/s.
    #[must_use]
    pub fn value(&self) -> T {
        self.filter.value()
    }

    /// Takes a position sample (rad) and returns the velocity estimate (rad/s). `dt_s <= 0` or a non-finite
    /// position holds the last estimate.
    #[inline]
    pub fn update(&mut self, position_rad: T, dt_s: T) -> T {
        if !crate::real::valid_dt(dt_s) || !(position_rad + dt_s).is_finite() {
            return self.filter.value();
        }
        if !self.started {
            self.prev = position_rad;
            self.started = true;
            return self.filter.update(T::zero(), dt_s);
        }
        let raw = (position_rad - self.prev) / dt_s;
        self.prev = position_rad;
        self.filter.update(raw, dt_s)
    }
}
