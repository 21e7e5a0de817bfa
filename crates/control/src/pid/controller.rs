//! The single-loop PID controller.

use super::{AntiWindup, Coefficients, PidConfig};
use crate::error::ConfigError;
use crate::real::{Real, fclamp, fmax, fmin};

/// Operating mode of a [`Pid`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Mode<T> {
    /// The loop computes its output from the error.
    Automatic,
    /// The output is forced to the given value (still limited); the integral tracks it so that the switch back
    /// to automatic is bumpless.
    Manual(T),
}

/// The result of one PID tick with its per-term breakdown.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PidOutput<T> {
    /// The output actually applied, within limits, output units.
    pub output: T,
    /// Proportional term.
    pub p: T,
    /// Integral term.
    pub i: T,
    /// Filtered derivative term.
    pub d: T,
    /// Feedforward term.
    pub ff: T,
    /// True when amplitude or rate limiting changed the output.
    pub saturated: bool,
    /// True when the tick was refused (`dt_s <= 0`, non-finite input or internal overflow) and the last output
    /// was held.
    pub held: bool,
}

impl<T: Real> PidOutput<T> {
    fn zero(output: T) -> Self {
        let z = T::zero();
        Self { output, p: z, i: output, d: z, ff: z, saturated: false, held: false }
    }
}

/// A parallel-form PID with filtered derivative, setpoint weights, anti-windup, amplitude and rate limits,
/// selectable discretisation and bumpless transfer. See the [module docs](super) for the control law.
///
/// ```
/// use exo_control::{Pid, PidConfig};
/// let mut pid = Pid::new(PidConfig::new(2.0_f64, 1.0, 0.0, 10.0)).unwrap();
/// let out = pid.update(1.0, 0.0, 0.0, 0.001);
/// assert!(out.output > 0.0);
/// ```
#[derive(Clone, Debug)]
#[repr(C)]
pub struct Pid<T: Real> {
    // Hot state first, in the order a tick touches it.
    /// Integral term (already times `ki`), so that a change of `ki` does not bump the output.
    integral: T,
    /// Filtered derivative term (already times `kd`).
    d_state: T,
    prev_d_input: T,
    prev_error: T,
    prev_setpoint: T,
    prev_measurement: T,
    last_output: T,
    last_p: T,
    last_i: T,
    last_ff: T,
    last_saturated: bool,
    started: bool,
    mode: Mode<T>,
    coef: Coefficients<T>,
    config: PidConfig<T>,
}

impl<T: Real> Pid<T> {
    /// A controller at rest (zero output) with a validated configuration.
    pub fn new(config: PidConfig<T>) -> Result<Self, ConfigError> {
        config.validate()?;
        let rest = fclamp(T::zero(), config.output_min, config.output_max);
        let z = T::zero();
        Ok(Self {
            integral: rest,
            d_state: z,
            prev_d_input: z,
            prev_error: z,
            prev_setpoint: z,
            prev_measurement: z,
            last_output: rest,
            last_p: z,
            last_i: rest,
            last_ff: z,
            last_saturated: false,
            started: false,
            mode: Mode::Automatic,
            coef: Coefficients::stale(),
            config,
        })
    }

    /// The configuration in force.
    #[must_use]
    pub fn config(&self) -> &PidConfig<T> {
        &self.config
    }

    /// The last output with its breakdown.
    #[must_use]
    pub fn last_output(&self) -> PidOutput<T> {
        PidOutput {
            output: self.last_output,
            p: self.last_p,
            i: self.last_i,
            d: self.d_state,
            ff: self.last_ff,
            saturated: self.last_saturated,
            held: false,
        }
    }

    fn set_last(&mut self, out: &PidOutput<T>) {
        self.last_output = out.output;
        self.last_p = out.p;
        self.last_i = out.i;
        self.last_ff = out.ff;
        self.last_saturated = out.saturated;
    }

    /// The current mode.
    #[must_use]
    pub fn mode(&self) -> Mode<T> {
        self.mode
    }

    /// Returns to rest: zero integral and derivative state, next tick treated as the first.
    pub fn reset(&mut self) {
        let rest = fclamp(T::zero(), self.config.output_min, self.config.output_max);
        self.integral = rest;
        self.d_state = T::zero();
        self.started = false;
        self.set_last(&PidOutput::zero(rest));
    }

    /// Replaces the configuration without a bump in the output: the integral absorbs the change of the
    /// proportional and derivative terms at the last inputs. An invalid configuration is refused.
    pub fn set_config(&mut self, config: PidConfig<T>) -> Result<(), ConfigError> {
        config.validate()?;
        if self.started {
            let old_pd = self.last_p + self.d_state;
            let b = config.setpoint_weight_p;
            let p_new = config.kp * (b * self.prev_setpoint - self.prev_measurement);
            // Keep the filtered derivative continuous, rescaled to the new gain.
            self.d_state =
                if self.config.kd > T::zero() { self.d_state * (config.kd / self.config.kd) } else { T::zero() };
            // The derivative input changes meaning if its setpoint weight changes: restart its difference.
            self.prev_d_input = config.derivative_setpoint_weight() * self.prev_setpoint - self.prev_measurement;
            self.integral += old_pd - (p_new + self.d_state);
            self.last_p = p_new;
            self.last_i = self.integral;
        }
        // Keep the held output inside the new limits.
        self.last_output = fclamp(self.last_output, config.output_min, config.output_max);
        self.config = config;
        self.coef = Coefficients::stale();
        Ok(())
    }

    /// Changes the three gains bumplessly (see [`set_config`](Self::set_config)).
    pub fn set_gains(&mut self, kp: T, ki: T, kd: T) -> Result<(), ConfigError> {
        let mut config = self.config;
        config.kp = kp;
        config.ki = ki;
        config.kd = kd;
        self.set_config(config)
    }

    /// Switches to manual mode with the given output.
    pub fn set_manual(&mut self, output: T) {
        self.mode = Mode::Manual(output);
    }

    /// Switches back to automatic mode; the integral is initialised so that the next output continues from
    /// the last one (bumpless manual-to-automatic transfer).
    pub fn set_automatic(&mut self) {
        if let Mode::Manual(_) = self.mode {
            self.integral = self.last_output - self.last_p - self.d_state - self.last_ff;
        }
        self.mode = Mode::Automatic;
    }

    /// Holds the last output and flags the tick as refused.
    #[inline(never)]
    #[cold]
    fn hold(&mut self) -> PidOutput<T> {
        let mut out = self.last_output();
        out.held = true;
        out
    }

    /// One tick: setpoint `r`, measurement `y`, feedforward `ff`, tick length `dt_s`.
    ///
    /// Never returns a non-finite or out-of-limits output: `dt_s <= 0`, a non-finite argument or an internal
    /// overflow holds the last output with `held = true`.
    #[inline]
    pub fn update(&mut self, setpoint: T, measurement: T, ff: T, dt_s: T) -> PidOutput<T> {
        // Guard the real-time path: one sum is non-finite if any input is NaN or infinite.
        // A NaN tick length makes the sum NaN too, so the two tests cover every refused case.
        if dt_s <= T::zero() || !(setpoint + measurement + ff + dt_s).is_finite() {
            return self.hold();
        }
        if dt_s != self.coef.dt_s {
            self.coef = Coefficients::new(&self.config, dt_s);
        }
        let k = &self.coef;
        let error = setpoint - measurement;
        let p = self.config.kp * (k.b * setpoint - measurement);
        let d_input = k.c * setpoint - measurement;
        if !self.started {
            // First tick: no derivative kick, no stale forward-Euler error.
            self.prev_d_input = d_input;
            self.prev_error = error;
            self.started = true;
        }
        let d = k.d_pole * self.d_state + k.d_gain * (d_input - self.prev_d_input);
        let increment = k.i_now * error + k.i_prev * self.prev_error;
        let base = p + d + ff;
        let integral = self.integral + increment;
        let unsat = base + integral;
        let lo = fmax(self.config.output_min, self.last_output - k.rate_step);
        let hi = fmin(self.config.output_max, self.last_output + k.rate_step);
        self.d_state = d;
        self.prev_d_input = d_input;
        self.prev_error = error;
        self.prev_setpoint = setpoint;
        self.prev_measurement = measurement;
        // Fast path: automatic and inside the limits (NaN fails both comparisons). Keeping saturation handling
        // off this path keeps the clamp and the back-calculation out of the integrator's dependency chain.
        if unsat >= lo && unsat <= hi && matches!(self.mode, Mode::Automatic) {
            self.integral = integral;
            // Store field by field and return the value built in registers: a struct copy through the stack
            // reloads freshly stored fields as wider vectors, which defeats store forwarding.
            self.last_output = unsat;
            self.last_p = p;
            self.last_i = integral;
            self.last_ff = ff;
            self.last_saturated = false;
            return PidOutput { output: unsat, p, i: integral, d, ff, saturated: false, held: false };
        }
        self.limit(p, d, ff, increment, integral, unsat, lo, hi)
    }

    /// The saturated, manual or overflowing tick.
    #[cold]
    #[inline(never)]
    #[allow(clippy::too_many_arguments)]
    fn limit(&mut self, p: T, d: T, ff: T, increment: T, integral: T, unsat: T, lo: T, hi: T) -> PidOutput<T> {
        if !unsat.is_finite() {
            // Overflow inside the loop (absurd gains or a diverging plant): restart the dynamic states.
            self.integral = self.last_output;
            self.d_state = T::zero();
            self.started = false;
            return self.hold();
        }
        let mut integral = integral;
        let mut unsat = unsat;
        let mut output = fclamp(unsat, lo, hi);
        let mut integral_used = integral;
        match self.mode {
            Mode::Manual(manual) => {
                output = fclamp(if manual.is_finite() { manual } else { self.last_output }, lo, hi);
                // Track the manual output so that the return to automatic is bumpless.
                integral = output - p - d - ff;
                integral_used = integral;
                unsat = output;
            }
            Mode::Automatic => match self.config.anti_windup {
                AntiWindup::None => {}
                AntiWindup::Clamping => {
                    // Mitigate integral windup: drop the increment that pushes further into saturation.
                    if increment * (unsat - output) > T::zero() {
                        integral = self.integral;
                        integral_used = integral;
                        // Same association as the tick's `(p + d + ff) + integral`: the bank's lanes compute
                        // exactly this, and a test holds the two equal to the bit.
                        unsat = (p + d + ff) + integral;
                        output = fclamp(unsat, lo, hi);
                    }
                }
                AntiWindup::BackCalculation { .. } => {
                    // Mitigate integral windup: bleed the saturation excess back into the integral.
                    integral += self.coef.aw_gain * (output - unsat);
                }
            },
        }
        self.integral = integral;
        let out = PidOutput { output, p, i: integral_used, d, ff, saturated: output != unsat, held: false };
        self.set_last(&out);
        out
    }
}
