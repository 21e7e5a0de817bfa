//! `N` independent PID loops laid out as structure-of-arrays so that one tick of all of them vectorises.

use super::{AntiWindup, Coefficients, PidConfig};
use crate::error::ConfigError;
use crate::real::{Real, fclamp, fmax, fmin};

/// `N` PID loops (one per joint) updated together.
///
/// Same control law as [`Pid`](super::Pid) in automatic mode, but every per-loop quantity is stored as
/// `[T; N]` and the tick is written branch-free per lane so that the compiler emits packed SIMD. Per-lane
/// breakdowns are not returned (read them with [`integral`](Self::integral) and
/// [`derivative`](Self::derivative)); the bank holds all outputs if any input is non-finite.
#[derive(Clone, Debug)]
pub struct PidBank<T: Real, const N: usize> {
    configs: [PidConfig<T>; N],
    dt_s: T,
    kp: [T; N],
    b: [T; N],
    c: [T; N],
    i_now: [T; N],
    i_prev: [T; N],
    d_pole: [T; N],
    d_gain: [T; N],
    aw_gain: [T; N],
    /// 1 where anti-windup is by clamping, 0 elsewhere.
    clamping: [T; N],
    out_min: [T; N],
    out_max: [T; N],
    rate_step: [T; N],
    integral: [T; N],
    d_state: [T; N],
    prev_d_input: [T; N],
    prev_error: [T; N],
    prev_setpoint: [T; N],
    prev_measurement: [T; N],
    output: [T; N],
    started: bool,
    held: bool,
}

impl<T: Real, const N: usize> PidBank<T, N> {
    /// A bank at rest from one validated configuration per loop.
    pub fn new(configs: [PidConfig<T>; N]) -> Result<Self, ConfigError> {
        for (j, config) in configs.iter().enumerate() {
            config.validate().map_err(|e| e.at_joint(j))?;
        }
        let z = [T::zero(); N];
        let mut bank = Self {
            configs,
            dt_s: T::zero(),
            kp: z,
            b: z,
            c: z,
            i_now: z,
            i_prev: z,
            d_pole: z,
            d_gain: z,
            aw_gain: z,
            clamping: z,
            out_min: z,
            out_max: z,
            rate_step: z,
            integral: z,
            d_state: z,
            prev_d_input: z,
            prev_error: z,
            prev_setpoint: z,
            prev_measurement: z,
            output: z,
            started: false,
            held: false,
        };
        bank.reset();
        Ok(bank)
    }

    /// The configuration of loop `j`, `None` if `j >= N`.
    #[must_use]
    pub fn config(&self, j: usize) -> Option<&PidConfig<T>> {
        self.configs.get(j)
    }

    /// The last outputs.
    #[must_use]
    pub fn output(&self) -> &[T; N] {
        &self.output
    }

    /// The integral terms.
    #[must_use]
    pub fn integral(&self) -> &[T; N] {
        &self.integral
    }

    /// The filtered derivative terms.
    #[must_use]
    pub fn derivative(&self) -> &[T; N] {
        &self.d_state
    }

    /// True when the last tick was refused and the outputs held.
    #[must_use]
    pub fn held(&self) -> bool {
        self.held
    }

    /// Returns every loop to rest.
    pub fn reset(&mut self) {
        for j in 0..N {
            let cfg = &self.configs[j];
            let rest = fclamp(T::zero(), cfg.output_min, cfg.output_max);
            self.integral[j] = rest;
            self.output[j] = rest;
            self.d_state[j] = T::zero();
        }
        self.started = false;
        self.dt_s = T::zero();
    }

    /// Replaces the configuration of loop `j` without a bump in its output: the integral absorbs the change
    /// of the proportional and derivative terms at the last inputs. Refuses invalid configurations and
    /// `j >= N`.
    pub fn set_config(&mut self, j: usize, config: PidConfig<T>) -> Result<(), ConfigError> {
        config.validate().map_err(|e| e.at_joint(j))?;
        if j >= N {
            return Err(ConfigError::new("joint", crate::error::Problem::OutOfRange).at_joint(j));
        }
        let old = self.configs[j];
        if self.started {
            let (r, y) = (self.prev_setpoint[j], self.prev_measurement[j]);
            let p_old = old.kp * (old.setpoint_weight_p * r - y);
            let p_new = config.kp * (config.setpoint_weight_p * r - y);
            // Keep the filtered derivative continuous, rescaled to the new gain.
            let d_new = if old.kd > T::zero() { self.d_state[j] * (config.kd / old.kd) } else { T::zero() };
            self.integral[j] += (p_old + self.d_state[j]) - (p_new + d_new);
            self.d_state[j] = d_new;
            self.prev_d_input[j] = config.derivative_setpoint_weight() * r - y;
        }
        self.output[j] = fclamp(self.output[j], config.output_min, config.output_max);
        self.configs[j] = config;
        self.dt_s = T::zero();
        Ok(())
    }

    fn recompute(&mut self, dt_s: T) {
        for j in 0..N {
            let cfg = &self.configs[j];
            let k = Coefficients::new(cfg, dt_s);
            self.kp[j] = cfg.kp;
            self.b[j] = cfg.setpoint_weight_p;
            self.c[j] = cfg.derivative_setpoint_weight();
            self.i_now[j] = k.i_now;
            self.i_prev[j] = k.i_prev;
            self.d_pole[j] = k.d_pole;
            self.d_gain[j] = k.d_gain;
            self.aw_gain[j] = k.aw_gain;
            self.clamping[j] = if matches!(cfg.anti_windup, AntiWindup::Clamping) { T::one() } else { T::zero() };
            self.out_min[j] = cfg.output_min;
            self.out_max[j] = cfg.output_max;
            self.rate_step[j] = k.rate_step;
        }
        self.dt_s = dt_s;
    }

    /// One tick of every loop. Returns the outputs; holds all of them (and sets [`held`](Self::held)) when
    /// `dt_s <= 0` or any input is non-finite.
    #[inline]
    pub fn update(&mut self, setpoint: &[T; N], measurement: &[T; N], ff: &[T; N], dt_s: T) -> [T; N] {
        // Lane-wise checks (no float reduction, which would serialise the lanes).
        let mut finite = crate::real::valid_dt(dt_s);
        for j in 0..N {
            finite &= (setpoint[j] + measurement[j] + ff[j]).is_finite();
        }
        if !finite {
            self.held = true;
            return self.output;
        }
        if dt_s != self.dt_s {
            self.recompute(dt_s);
        }
        if !self.started {
            for j in 0..N {
                self.prev_d_input[j] = self.c[j] * setpoint[j] - measurement[j];
                self.prev_error[j] = setpoint[j] - measurement[j];
            }
            self.started = true;
        }
        let mut ok = true;
        for j in 0..N {
            let (r, y) = (setpoint[j], measurement[j]);
            let error = r - y;
            let p = self.kp[j] * (self.b[j] * r - y);
            let d_input = self.c[j] * r - y;
            let d = self.d_pole[j] * self.d_state[j] + self.d_gain[j] * (d_input - self.prev_d_input[j]);
            let increment = self.i_now[j] * error + self.i_prev[j] * self.prev_error[j];
            let lo = fmax(self.out_min[j], self.output[j] - self.rate_step[j]);
            let hi = fmin(self.out_max[j], self.output[j] + self.rate_step[j]);
            let base = p + d + ff[j];
            let tentative = self.integral[j] + increment;
            let unsat = base + tentative;
            let out = fclamp(unsat, lo, hi);
            // Mitigate integral windup by clamping: drop the increment that pushes into saturation
            // (branch-free select so that the lanes vectorise).
            let reject = (increment * (unsat - out) > T::zero()) & (self.clamping[j] > T::zero());
            let integral = if reject { self.integral[j] } else { tentative };
            let unsat = if reject { base + integral } else { unsat };
            let out = if reject { fclamp(unsat, lo, hi) } else { out };
            // Mitigate integral windup by back-calculation (aw_gain is 0 for other lanes).
            self.integral[j] = integral + self.aw_gain[j] * (out - unsat);
            self.d_state[j] = d;
            self.prev_d_input[j] = d_input;
            self.prev_error[j] = error;
            self.prev_setpoint[j] = r;
            self.prev_measurement[j] = y;
            self.output[j] = out;
            ok &= unsat.is_finite();
        }
        if !ok {
            // Overflow inside a loop: restart the dynamic states, keep the (limited, finite) outputs.
            for j in 0..N {
                self.integral[j] = self.output[j];
                self.d_state[j] = T::zero();
            }
            self.started = false;
            self.held = true;
            return self.output;
        }
        self.held = false;
        self.output
    }
}
