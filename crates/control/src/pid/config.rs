//! PID configuration: gains, filter, anti-windup, limits, discretisation.

use crate::error::{self, ConfigError, Problem};
use crate::real::Real;

/// How the derivative term is low-pass filtered: `D(s) = kd s / (1 + tf s)`.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case", deny_unknown_fields))]
pub enum DerivativeFilter<T> {
    /// No filter: the derivative is a backward difference (noisy; fine on clean signals).
    None,
    /// Filter time constant `tf_s`, s.
    TimeConstant {
        /// Filter time constant, s (> 0).
        tf_s: T,
    },
    /// Filter time constant `tf = kd / (kp n)`: the derivative gain is limited to `n` times `kp` at high
    /// frequency (Åström and Hägglund's `N`, typically 5 to 20).
    Ratio {
        /// High-frequency derivative gain limit relative to `kp` (> 0; needs `kp > 0`).
        n: T,
    },
}

/// Which signal the derivative acts on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum DerivativeOn {
    /// On the weighted error `c r - y` (with `setpoint_weight_d = c`).
    Error,
    /// On the measurement only (`c = 0`): no derivative kick on setpoint steps.
    Measurement,
}

/// How integral windup is mitigated while the output saturates.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case", deny_unknown_fields))]
pub enum AntiWindup<T> {
    /// No mitigation: the integral keeps growing while saturated.
    None,
    /// Conditional integration: the integral is frozen while the output is saturated and the error would
    /// drive it further into saturation.
    Clamping,
    /// Back-calculation: the saturation excess `v - u` is fed back into the integral with time constant
    /// `tracking_time_s`.
    BackCalculation {
        /// Tracking time constant, s (> 0). Åström suggests `sqrt(ti td)`.
        tracking_time_s: T,
    },
}

/// Discretisation of a continuous-time integrator or differentiator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Discretization {
    /// `s ≈ (z - 1) / h`: explicit; the integral uses the previous error.
    ForwardEuler,
    /// `s ≈ (z - 1) / (z h)`: implicit, always stable.
    BackwardEuler,
    /// `s ≈ 2 (z - 1) / (h (z + 1))`: the bilinear transform, best phase match.
    Tustin,
}

/// Configuration of a [`Pid`](super::Pid): all gains, limits and discretisation choices.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct PidConfig<T> {
    /// Proportional gain, output units per error unit.
    pub kp: T,
    /// Integral gain, output units per (error unit · s).
    pub ki: T,
    /// Derivative gain, output units · s per error unit.
    pub kd: T,
    /// Derivative low-pass filter.
    pub derivative_filter: DerivativeFilter<T>,
    /// Signal the derivative acts on.
    pub derivative_on: DerivativeOn,
    /// Setpoint weight `b` of the proportional term (1 = on error, 0 = on measurement only).
    pub setpoint_weight_p: T,
    /// Setpoint weight `c` of the derivative term when it acts on the error.
    pub setpoint_weight_d: T,
    /// Integral windup mitigation.
    pub anti_windup: AntiWindup<T>,
    /// Lowest output, output units (finite).
    pub output_min: T,
    /// Highest output, output units (finite, above `output_min`).
    pub output_max: T,
    /// Largest output rate of change, output units per s (`+inf` for none).
    pub output_rate_limit_per_s: T,
    /// Discretisation of the integrator.
    pub integral_method: Discretization,
    /// Discretisation of the filtered differentiator.
    pub derivative_method: Discretization,
}

impl<T: Real> PidConfig<T> {
    /// A PID with gains `kp`, `ki`, `kd` and output limits `±output_limit`; derivative on measurement with a
    /// filter of `n = 10`, back-calculation anti-windup with `tt = 0.1 s`, no rate limit, backward Euler
    /// integral and Tustin derivative.
    #[must_use]
    pub fn new(kp: T, ki: T, kd: T, output_limit: T) -> Self {
        Self {
            kp,
            ki,
            kd,
            derivative_filter: if kp > T::zero() {
                DerivativeFilter::Ratio { n: crate::real::c(10.0) }
            } else {
                DerivativeFilter::None
            },
            derivative_on: DerivativeOn::Measurement,
            setpoint_weight_p: T::one(),
            setpoint_weight_d: T::one(),
            anti_windup: AntiWindup::BackCalculation { tracking_time_s: crate::real::c(0.1) },
            output_min: -output_limit,
            output_max: output_limit,
            output_rate_limit_per_s: crate::real::c(f64::INFINITY),
            integral_method: Discretization::BackwardEuler,
            derivative_method: Discretization::Tustin,
        }
    }

    /// Sets the derivative filter.
    #[must_use]
    pub fn with_derivative_filter(mut self, filter: DerivativeFilter<T>) -> Self {
        self.derivative_filter = filter;
        self
    }

    /// Sets the signal the derivative acts on.
    #[must_use]
    pub fn with_derivative_on(mut self, on: DerivativeOn) -> Self {
        self.derivative_on = on;
        self
    }

    /// Sets the setpoint weights `b` (proportional) and `c` (derivative).
    #[must_use]
    pub fn with_setpoint_weights(mut self, b: T, c: T) -> Self {
        self.setpoint_weight_p = b;
        self.setpoint_weight_d = c;
        self
    }

    /// Sets the anti-windup method.
    #[must_use]
    pub fn with_anti_windup(mut self, anti_windup: AntiWindup<T>) -> Self {
        self.anti_windup = anti_windup;
        self
    }

    /// Sets the output limits.
    #[must_use]
    pub fn with_output_limits(mut self, min: T, max: T) -> Self {
        self.output_min = min;
        self.output_max = max;
        self
    }

    /// Sets the output rate limit, output units per s.
    #[must_use]
    pub fn with_rate_limit(mut self, per_s: T) -> Self {
        self.output_rate_limit_per_s = per_s;
        self
    }

    /// Sets the discretisation of the integrator and of the differentiator.
    #[must_use]
    pub fn with_discretization(mut self, integral: Discretization, derivative: Discretization) -> Self {
        self.integral_method = integral;
        self.derivative_method = derivative;
        self
    }

    /// Derivative filter time constant in seconds (0 for none).
    #[must_use]
    pub fn derivative_time_constant_s(&self) -> T {
        match self.derivative_filter {
            DerivativeFilter::None => T::zero(),
            DerivativeFilter::TimeConstant { tf_s } => tf_s,
            DerivativeFilter::Ratio { n } => {
                let denominator = self.kp * n;
                if denominator > T::zero() { self.kd / denominator } else { T::zero() }
            }
        }
    }

    /// Weight of the setpoint in the derivative input (0 when the derivative acts on the measurement).
    #[must_use]
    pub(crate) fn derivative_setpoint_weight(&self) -> T {
        match self.derivative_on {
            DerivativeOn::Error => self.setpoint_weight_d,
            DerivativeOn::Measurement => T::zero(),
        }
    }

    /// Checks every field; the error names the first bad one.
    pub fn validate(&self) -> Result<(), ConfigError> {
        error::non_negative(self.kp, "kp")?;
        error::non_negative(self.ki, "ki")?;
        error::non_negative(self.kd, "kd")?;
        match self.derivative_filter {
            DerivativeFilter::None => {}
            DerivativeFilter::TimeConstant { tf_s } => error::positive(tf_s, "derivative_filter.tf_s")?,
            DerivativeFilter::Ratio { n } => {
                error::positive(n, "derivative_filter.n")?;
                if self.kd > T::zero() && self.kp <= T::zero() {
                    return Err(ConfigError::new("derivative_filter.n", Problem::Inconsistent));
                }
            }
        }
        error::within(self.setpoint_weight_p, T::zero(), T::one(), "setpoint_weight_p")?;
        error::within(self.setpoint_weight_d, T::zero(), T::one(), "setpoint_weight_d")?;
        if let AntiWindup::BackCalculation { tracking_time_s } = self.anti_windup {
            error::positive(tracking_time_s, "anti_windup.tracking_time_s")?;
        }
        error::range(self.output_min, self.output_max, "output_min", "output_max")?;
        error::positive_or_inf(self.output_rate_limit_per_s, "output_rate_limit_per_s")?;
        Ok(())
    }
}
