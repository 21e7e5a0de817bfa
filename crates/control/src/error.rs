//! The configuration error shared by every `validate()`.

use core::fmt;

/// What is wrong with a configuration field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Problem {
    /// The value is NaN or infinite where a finite number is required.
    NotFinite,
    /// The value is negative where zero or more is required.
    Negative,
    /// The value is zero or negative where a strictly positive number is required.
    NotPositive,
    /// A lower bound is not below its upper bound.
    EmptyRange,
    /// The value lies outside the range the field allows.
    OutOfRange,
    /// Table abscissae are not strictly increasing.
    NotIncreasing,
    /// The value is valid alone but contradicts another field (named in the docs of the field).
    Inconsistent,
    /// A parameter index passed to a tunable law does not exist.
    UnknownParameter,
}

/// A configuration error: the field that is wrong and what is wrong with it.
///
/// Small and `Copy` so that it can be returned from real-time code without allocation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConfigError {
    /// Name of the offending field, as spelled in the configuration struct (`"kp"`, `"output_max"`).
    pub field: &'static str,
    /// What is wrong with it.
    pub problem: Problem,
    /// Joint index for per-joint configurations, `None` for scalar fields.
    pub joint: Option<u8>,
}

impl ConfigError {
    /// An error on a scalar field.
    #[must_use]
    pub const fn new(field: &'static str, problem: Problem) -> Self {
        Self { field, problem, joint: None }
    }

    /// The same error, attributed to joint `joint`.
    #[must_use]
    pub const fn at_joint(mut self, joint: usize) -> Self {
        // Joint counts are small; saturate rather than wrap for absurd ones.
        self.joint = Some(if joint > u8::MAX as usize { u8::MAX } else { joint as u8 });
        self
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Problem::NotFinite => "must be a finite number",
            Problem::Negative => "must not be negative",
            Problem::NotPositive => "must be greater than zero",
            Problem::EmptyRange => "lower bound must be below the upper bound",
            Problem::OutOfRange => "is outside its allowed range",
            Problem::NotIncreasing => "must be strictly increasing",
            Problem::Inconsistent => "contradicts another field",
            Problem::UnknownParameter => "is not a parameter of this law",
        })
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.joint {
            Some(j) => write!(f, "{} (joint {}): {}", self.field, j, self.problem),
            None => write!(f, "{}: {}", self.field, self.problem),
        }
    }
}

impl core::error::Error for ConfigError {}

use crate::real::Real;

/// `Ok` when `v` is finite.
pub(crate) fn finite<T: Real>(v: T, field: &'static str) -> Result<(), ConfigError> {
    if v.is_finite() { Ok(()) } else { Err(ConfigError::new(field, Problem::NotFinite)) }
}

/// `Ok` when `v` is finite and `>= 0`.
pub(crate) fn non_negative<T: Real>(v: T, field: &'static str) -> Result<(), ConfigError> {
    finite(v, field)?;
    if v >= T::zero() { Ok(()) } else { Err(ConfigError::new(field, Problem::Negative)) }
}

/// `Ok` when `v` is finite and `> 0`.
pub(crate) fn positive<T: Real>(v: T, field: &'static str) -> Result<(), ConfigError> {
    finite(v, field)?;
    if v > T::zero() { Ok(()) } else { Err(ConfigError::new(field, Problem::NotPositive)) }
}

/// `Ok` when `v > 0`; `+inf` is accepted (it means "no limit").
pub(crate) fn positive_or_inf<T: Real>(v: T, field: &'static str) -> Result<(), ConfigError> {
    if v > T::zero() { Ok(()) } else { Err(ConfigError::new(field, Problem::NotPositive)) }
}

/// `Ok` when both bounds are finite and `lo < hi`.
pub(crate) fn range<T: Real>(lo: T, hi: T, lo_field: &'static str, hi_field: &'static str) -> Result<(), ConfigError> {
    finite(lo, lo_field)?;
    finite(hi, hi_field)?;
    if lo < hi { Ok(()) } else { Err(ConfigError::new(hi_field, Problem::EmptyRange)) }
}

/// `Ok` when `lo <= v <= hi` (and `v` is finite).
pub(crate) fn within<T: Real>(v: T, lo: T, hi: T, field: &'static str) -> Result<(), ConfigError> {
    finite(v, field)?;
    if v >= lo && v <= hi { Ok(()) } else { Err(ConfigError::new(field, Problem::OutOfRange)) }
}
