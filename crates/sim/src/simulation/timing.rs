//! The three rates of the loop and their integer ratios.

/// Physics, control and current-loop steps.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Timing {
    /// Physics step, s.
    pub physics_dt_s: f64,
    /// Control tick, s (a whole number of physics steps).
    pub control_dt_s: f64,
    /// Physics steps per control tick.
    pub physics_per_control: usize,
    /// Current-loop rate, Hz (a whole number of periods per physics step).
    pub current_loop_rate_hz: f64,
}

/// Why a set of rates is impossible.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum TimingError {
    /// A step is not a positive finite number.
    #[error("{field} must be a finite number > 0 (got {value})")]
    NotPositive {
        /// Field name.
        field: &'static str,
        /// Value given.
        value: f64,
    },
    /// The control tick is not a whole number of physics steps.
    #[error("control_dt_s ({control} s) must be a whole multiple of physics_dt_s ({physics} s)")]
    ControlNotMultiple {
        /// Control tick, s.
        control: f64,
        /// Physics step, s.
        physics: f64,
    },
    /// The physics step is not a whole number of current-loop periods.
    #[error("physics_dt_s ({physics} s) must be a whole number of current-loop periods (1 / {rate} Hz)")]
    CurrentLoopNotMultiple {
        /// Physics step, s.
        physics: f64,
        /// Current-loop rate, Hz.
        rate: f64,
    },
}

fn whole(ratio: f64) -> Option<usize> {
    let n = ratio.round();
    ((ratio - n).abs() < 1e-9 * ratio.max(1.0) && n >= 1.0).then_some(n as usize)
}

impl Timing {
    /// Checks the ratios.
    pub fn new(physics_dt_s: f64, control_dt_s: f64, current_loop_rate_hz: f64) -> Result<Self, TimingError> {
        for (field, value) in [
            ("physics_dt_s", physics_dt_s),
            ("control_dt_s", control_dt_s),
            ("current_loop_rate_hz", current_loop_rate_hz),
        ] {
            if !(value.is_finite() && value > 0.0) {
                return Err(TimingError::NotPositive { field, value });
            }
        }
        let physics_per_control = whole(control_dt_s / physics_dt_s)
            .ok_or(TimingError::ControlNotMultiple { control: control_dt_s, physics: physics_dt_s })?;
        whole(physics_dt_s * current_loop_rate_hz)
            .ok_or(TimingError::CurrentLoopNotMultiple { physics: physics_dt_s, rate: current_loop_rate_hz })?;
        Ok(Self { physics_dt_s, control_dt_s, physics_per_control, current_loop_rate_hz })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratios_must_be_whole() {
        assert_eq!(Timing::new(1e-3, 2e-3, 20_000.0).unwrap().physics_per_control, 2);
        assert!(matches!(Timing::new(1e-3, 1.5e-3, 20_000.0), Err(TimingError::ControlNotMultiple { .. })));
        assert!(matches!(Timing::new(1e-3, 1e-3, 1500.0), Err(TimingError::CurrentLoopNotMultiple { .. })));
        assert!(matches!(Timing::new(0.0, 1e-3, 20_000.0), Err(TimingError::NotPositive { .. })));
    }
}
