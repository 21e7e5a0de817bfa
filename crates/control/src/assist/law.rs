//! The assistance law: gait phase -> torque profile -> (optional) series-elastic torque loop.

use nalgebra::SVector;

use super::{AdaptiveOscillator, AdaptiveOscillatorConfig, HeelStrikePhase, HeelStrikePhaseConfig, Profile};
use crate::error::{self, ConfigError, Problem};
use crate::frame::{Command, SensorFrame};
use crate::law::{ControlLaw, ParamId, ParamInfo};
use crate::real::Real;
use crate::sea::{SeaTorque, SeaTorqueConfig};

/// Harmonics of the adaptive oscillator used by [`Assistance`].
const HARMONICS: usize = 3;

/// Which gait-phase estimator drives the profiles.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case", deny_unknown_fields))]
pub enum PhaseEstimatorConfig<T> {
    /// Phase from heel-strike events (`frame.heel_strike`).
    HeelStrike(HeelStrikePhaseConfig<T>),
    /// Phase from an adaptive oscillator on the angle of joint `joint` (the hip).
    Oscillator {
        /// Oscillator gains.
        config: AdaptiveOscillatorConfig<T>,
        /// Index of the joint whose angle is tracked.
        joint: u8,
    },
}

/// Configuration of an [`Assistance`] law.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct AssistanceConfig<T: Real, const N: usize> {
    /// Torque profile of each joint over the gait cycle.
    #[cfg_attr(feature = "serde", serde(with = "crate::serde_array"))]
    pub profiles: [Profile<T>; N],
    /// Gait-phase estimator.
    pub phase: PhaseEstimatorConfig<T>,
    /// Inner series-elastic torque loop; `None` sends the profile torque open-loop to the driver.
    pub torque_loop: Option<SeaTorqueConfig<T, N>>,
    /// Scale applied to every profile (0 = off, 1 = as designed), dimensionless.
    pub assistance_gain: T,
}

impl<T: Real, const N: usize> AssistanceConfig<T, N> {
    /// Checks every field.
    pub fn validate(&self) -> Result<(), ConfigError> {
        for (j, p) in self.profiles.iter().enumerate() {
            p.validate().map_err(|e| e.at_joint(j))?;
        }
        match &self.phase {
            PhaseEstimatorConfig::HeelStrike(c) => c.validate()?,
            PhaseEstimatorConfig::Oscillator { config, joint } => {
                config.validate()?;
                if usize::from(*joint) >= N {
                    return Err(ConfigError::new("phase.joint", Problem::OutOfRange));
                }
            }
        }
        if let Some(t) = &self.torque_loop {
            t.validate()?;
        }
        error::within(self.assistance_gain, T::zero(), crate::real::c(2.0), "assistance_gain")
    }
}

#[derive(Clone, Debug)]
enum Estimator<T: Real> {
    HeelStrike(HeelStrikePhase<T>),
    Oscillator(AdaptiveOscillator<T, HARMONICS>, usize),
}

/// Gait-phase assistance: estimates the gait phase, looks up each joint's torque profile and delivers it through
/// the inner torque loop. Gives no torque while the phase is unknown (before the first full stride, or after
/// the wearer stops).
#[derive(Clone, Debug)]
pub struct Assistance<T: Real, const N: usize> {
    config: AssistanceConfig<T, N>,
    estimator: Estimator<T>,
    inner: Option<SeaTorque<T, N>>,
    phase: Option<T>,
    last: Command<T, N>,
}

impl<T: Real, const N: usize> Assistance<T, N> {
    /// A law with a validated configuration.
    pub fn new(config: AssistanceConfig<T, N>) -> Result<Self, ConfigError> {
        config.validate()?;
        let estimator = match config.phase {
            PhaseEstimatorConfig::HeelStrike(c) => Estimator::HeelStrike(HeelStrikePhase::new(c)?),
            PhaseEstimatorConfig::Oscillator { config, joint } => {
                Estimator::Oscillator(AdaptiveOscillator::new(config)?, joint.into())
            }
        };
        let inner = match config.torque_loop {
            Some(c) => Some(SeaTorque::new(c)?),
            None => None,
        };
        Ok(Self { config, estimator, inner, phase: None, last: Command::default() })
    }

    /// The gait phase of the last tick, `None` while unknown.
    #[must_use]
    pub fn gait_phase(&self) -> Option<T> {
        self.phase
    }

    /// The configuration in force.
    #[must_use]
    pub fn config(&self) -> &AssistanceConfig<T, N> {
        &self.config
    }
}

const ASSIST_PARAMS: &[ParamInfo] = &[
    ParamInfo { name: "assistance_gain", min: 0.0, max: 1.5 },
    ParamInfo { name: "peak_torque_nm", min: -80.0, max: 80.0 },
];

impl<T: Real, const N: usize> ControlLaw<T, N> for Assistance<T, N> {
    fn update(&mut self, frame: &SensorFrame<T, N>, dt_s: T) -> Command<T, N> {
        if !crate::real::valid_dt(dt_s) {
            return self.last;
        }
        self.phase = match &mut self.estimator {
            Estimator::HeelStrike(e) => e.update(frame.heel_strike, dt_s),
            Estimator::Oscillator(o, j) => {
                o.update(frame.joint_position_rad.get(*j).copied().unwrap_or_else(T::zero), dt_s)
            }
        };
        let demand: SVector<T, N> = match self.phase {
            Some(p) => SVector::from_fn(|j, _| {
                self.config.profiles.get(j).map_or(T::zero(), |pr| pr.torque_nm(p)) * self.config.assistance_gain
            }),
            None => SVector::zeros(),
        };
        self.last = match &mut self.inner {
            Some(sea) => sea.track(frame, &demand, dt_s),
            None => Command::torque(demand),
        };
        self.last
    }

    fn reset(&mut self) {
        match &mut self.estimator {
            Estimator::HeelStrike(e) => e.reset(),
            Estimator::Oscillator(o, _) => o.reset(),
        }
        if let Some(s) = &mut self.inner {
            s.reset();
        }
        self.phase = None;
        self.last = Command::default();
    }

    fn parameters(&self) -> &'static [ParamInfo] {
        ASSIST_PARAMS
    }

    fn gait_phase(&self) -> Option<T> {
        self.phase
    }

    fn parameter(&self, id: ParamId) -> Option<T> {
        match id.index {
            0 => Some(self.config.assistance_gain),
            1 => match self.config.profiles.get(usize::from(id.joint))? {
                Profile::Spline(s) => Some(s.peak_torque_nm),
                _ => None,
            },
            _ => None,
        }
    }

    fn set_parameter(&mut self, id: ParamId, value: T) -> Result<(), ConfigError> {
        let mut config = self.config;
        match id.index {
            0 => config.assistance_gain = value,
            1 => match config.profiles.get_mut(usize::from(id.joint)) {
                Some(Profile::Spline(s)) => s.peak_torque_nm = value,
                _ => return Err(ConfigError::new("peak_torque_nm", Problem::UnknownParameter)),
            },
            _ => return Err(ConfigError::new("parameter", Problem::UnknownParameter)),
        }
        config.validate()?;
        self.config = config;
        Ok(())
    }
}
