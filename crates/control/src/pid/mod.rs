//! PID control: the full-featured single-loop [`Pid`] and the structure-of-arrays [`PidBank`].
//!
//! Parallel form, with setpoint weights `b` (proportional) and `c` (derivative):
//!
//! ```text
//! u = kp (b r - y) + ki ∫(r - y) dt + kd D(c r - y) + ff,     D(s) = s / (1 + tf s)
//! ```
//!
//! then clamped to `[output_min, output_max]` and rate-limited. Integral windup is mitigated by conditional
//! integration (clamping) or back-calculation with tracking time constant `tt`.

mod bank;
mod config;
mod controller;

pub use bank::PidBank;
pub use config::{AntiWindup, DerivativeFilter, DerivativeOn, Discretization, PidConfig};
pub use controller::{Mode, Pid, PidOutput};

use crate::real::{Real, c, fmin};

/// Per-`dt` coefficients of the discrete PID, recomputed only when `dt_s` changes.
#[derive(Clone, Copy, Debug, PartialEq)]
#[repr(C)]
pub(crate) struct Coefficients<T> {
    // Field order is deliberate: the pairs multiplied together in a tick (i_now/i_prev, d_pole/d_gain) are not
    // adjacent, so the compiler does not pair them into one vector multiply whose state operand would be a
    // 16-byte load of two separately stored 8-byte fields (a store-forwarding stall on the integrator chain).
    /// Tick length these coefficients were computed for; 0 means "not computed".
    pub dt_s: T,
    /// Integral increment weight on the current error (already times `ki dt`).
    pub i_now: T,
    /// Derivative filter pole.
    pub d_pole: T,
    /// Setpoint weight of the proportional term.
    pub b: T,
    /// Integral increment weight on the previous error.
    pub i_prev: T,
    /// Derivative filter input gain (already times `kd`).
    pub d_gain: T,
    /// Setpoint weight of the derivative input (0 when the derivative acts on the measurement).
    pub c: T,
    /// Back-calculation gain `min(dt / tt, 1)`, 0 without back-calculation.
    pub aw_gain: T,
    /// Largest output change per tick.
    pub rate_step: T,
}

impl<T: Real> Coefficients<T> {
    /// Coefficients that force a recomputation at the next tick.
    pub(crate) fn stale() -> Self {
        let z = T::zero();
        Self { dt_s: z, i_now: z, i_prev: z, d_pole: z, d_gain: z, aw_gain: z, rate_step: z, b: z, c: z }
    }

    /// Discretises `config` for tick length `h` (> 0, finite).
    pub(crate) fn new(config: &PidConfig<T>, h: T) -> Self {
        let ki_h = config.ki * h;
        let (i_now, i_prev) = match config.integral_method {
            Discretization::ForwardEuler => (T::zero(), ki_h),
            Discretization::BackwardEuler => (ki_h, T::zero()),
            Discretization::Tustin => (ki_h * c(0.5), ki_h * c(0.5)),
        };
        let tf = config.derivative_time_constant_s();
        let (d_pole, d_gain) = if tf <= T::zero() {
            // No filter: a plain backward difference for every method (Tustin's pure differentiator has a
            // pole at z = -1 and rings).
            (T::zero(), config.kd / h)
        } else {
            let backward = (tf / (tf + h), config.kd / (tf + h));
            match config.derivative_method {
                // Forward Euler is unstable once dt >= 2 tf: fall back to backward Euler there.
                Discretization::ForwardEuler if h < tf * c(2.0) => (T::one() - h / tf, config.kd / tf),
                Discretization::ForwardEuler | Discretization::BackwardEuler => backward,
                Discretization::Tustin => {
                    let two_tf = tf * c(2.0);
                    ((two_tf - h) / (two_tf + h), config.kd * c(2.0) / (two_tf + h))
                }
            }
        };
        let aw_gain = match config.anti_windup {
            // Mitigate overshoot of the tracking loop itself: the discrete correction never exceeds the error.
            AntiWindup::BackCalculation { tracking_time_s } => fmin(h / tracking_time_s, T::one()),
            _ => T::zero(),
        };
        Self {
            dt_s: h,
            i_now,
            i_prev,
            d_pole,
            d_gain,
            aw_gain,
            rate_step: config.output_rate_limit_per_s * h,
            b: config.setpoint_weight_p,
            c: config.derivative_setpoint_weight(),
        }
    }
}
