//! Gait phase from heel-strike events.

use crate::error::{self, ConfigError, Problem};
use crate::real::{Real, c, fmin};

/// Largest number of past strides averaged.
const MAX_STRIDES: usize = 8;

/// Configuration of a [`HeelStrikePhase`] estimator.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct HeelStrikePhaseConfig<T> {
    /// Number of past strides averaged for the stride-time estimate (1 to 8).
    pub strides_averaged: u8,
    /// Heel strikes closer than this to the previous one are ignored (debounce), s (> 0).
    pub min_stride_s: T,
    /// A stride longer than this means the wearer stopped: the estimate is dropped, s (> `min_stride_s`).
    pub max_stride_s: T,
    /// Contact counts as a heel strike only after the foot was unloaded for at least this long, s (>= 0): an
    /// insole chattering about its threshold at toe-off (a brief release, then contact again) must not restart
    /// the stride. Swing lasts about 40 % of a stride (about 0.45 s at 1.1 s strides), so 0.2 s leaves margin.
    pub min_swing_s: T,
}

impl<T: Real> HeelStrikePhaseConfig<T> {
    /// Checks every field.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.strides_averaged == 0 || usize::from(self.strides_averaged) > MAX_STRIDES {
            return Err(ConfigError::new("strides_averaged", Problem::OutOfRange));
        }
        error::positive(self.min_stride_s, "min_stride_s")?;
        error::non_negative(self.min_swing_s, "min_swing_s")?;
        error::range(self.min_stride_s, self.max_stride_s, "min_stride_s", "max_stride_s")
    }
}

/// Gait phase as the time since the last heel strike over the mean of the last strides.
///
/// Reports no phase (`None`) until one full stride has been seen and whenever the current stride has outlasted
/// `max_stride_s`: assistance must not run on a guess.
#[derive(Clone, Copy, Debug)]
pub struct HeelStrikePhase<T: Real> {
    config: HeelStrikePhaseConfig<T>,
    strides: [T; MAX_STRIDES],
    count: usize,
    next: usize,
    since_strike_s: T,
    seen_strike: bool,
    was_in_contact: bool,
    /// Time the foot has been unloaded, s (saturates at `min_swing_s`).
    unloaded_s: T,
}

impl<T: Real> HeelStrikePhase<T> {
    /// An estimator that has seen nothing yet.
    pub fn new(config: HeelStrikePhaseConfig<T>) -> Result<Self, ConfigError> {
        config.validate()?;
        Ok(Self {
            config,
            strides: [T::zero(); MAX_STRIDES],
            count: 0,
            next: 0,
            since_strike_s: T::zero(),
            seen_strike: false,
            was_in_contact: false,
            // At power-up the foot is taken as swung: the first rising edge is a heel strike.
            unloaded_s: config.min_swing_s,
        })
    }

    /// Forgets every stride.
    pub fn reset(&mut self) {
        self.count = 0;
        self.next = 0;
        self.since_strike_s = T::zero();
        self.seen_strike = false;
        self.was_in_contact = false;
        self.unloaded_s = self.config.min_swing_s;
    }

    /// The mean stride time in use, s (`None` before the first stride).
    #[must_use]
    pub fn stride_time_s(&self) -> Option<T> {
        if self.count == 0 {
            return None;
        }
        let n = self.count;
        let sum = self.strides.iter().take(n).fold(T::zero(), |a, b| a + *b);
        Some(sum / T::from_subset(&(n as f64)))
    }

    /// Advances by `dt_s` with the foot-contact state of this tick (foot switch or insole: true while the foot
    /// is loaded); a heel strike is a rising edge of contact. Returns the phase in `[0, 1)` if known.
    pub fn update_contact(&mut self, in_contact: bool, dt_s: T) -> Option<T> {
        let swung = self.unloaded_s >= self.config.min_swing_s;
        let heel_strike = in_contact && !self.was_in_contact && swung;
        self.was_in_contact = in_contact;
        if in_contact {
            self.unloaded_s = T::zero();
        } else if dt_s > T::zero() && dt_s.is_finite() {
            self.unloaded_s = fmin(self.unloaded_s + dt_s, self.config.min_swing_s);
        }
        self.update(heel_strike, dt_s)
    }

    /// Advances by `dt_s` with the heel-strike event of this tick; returns the phase in `[0, 1)` if known.
    pub fn update(&mut self, heel_strike: bool, dt_s: T) -> Option<T> {
        if dt_s > T::zero() && dt_s.is_finite() {
            self.since_strike_s += dt_s;
        }
        if heel_strike && (!self.seen_strike || self.since_strike_s >= self.config.min_stride_s) {
            if self.seen_strike && self.since_strike_s <= self.config.max_stride_s {
                if let Some(slot) = self.strides.get_mut(self.next) {
                    *slot = self.since_strike_s;
                }
                // Ring of `strides_averaged` slots (validated to 1..=MAX_STRIDES); wrap by comparison, not `%`,
                // so that no integer division (and its divide-by-zero panic) is in the tick.
                let n = usize::from(self.config.strides_averaged);
                self.next = if self.next + 1 >= n { 0 } else { self.next + 1 };
                self.count = fmin(self.count + 1, n);
            } else if self.seen_strike {
                // The wearer paused: old strides no longer describe the gait.
                self.count = 0;
                self.next = 0;
            }
            self.seen_strike = true;
            self.since_strike_s = T::zero();
        }
        let stride = self.stride_time_s()?;
        if !self.seen_strike || self.since_strike_s > self.config.max_stride_s {
            return None;
        }
        // Hold just below 1 if the stride runs longer than the average.
        Some(fmin(self.since_strike_s / stride, T::one() - c::<T>(1e-6)))
    }
}
