//! The assistance law: gait phase -> torque profile -> (optional) series-elastic torque loop.

use nalgebra::SVector;

use super::{
    AdaptiveOscillator, AdaptiveOscillatorConfig, HeelStrikePhase, HeelStrikePhaseConfig, Profile, SplineProfile,
};
use crate::channel::{Channel, Channels};
use crate::error::{self, ConfigError, Problem};
use crate::frame::{Command, SensorFrame};
use crate::law::{ControlLaw, ParamId, ParamInfo};
use crate::real::Real;
use crate::sea::{SeaTorque, SeaTorqueConfig};

/// Harmonics of the adaptive oscillator used by [`Assistance`].
const HARMONICS: usize = 3;

/// Which gait-phase estimator drives the profiles. Each joint runs its own estimator on its own side's signals,
/// so that a bilateral device assists each leg in that leg's phase.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case", deny_unknown_fields))]
pub enum PhaseEstimatorConfig<T> {
    /// Phase from heel strikes: rising edges of the joint's `frame.foot_contact` flag.
    HeelStrike(HeelStrikePhaseConfig<T>),
    /// Phase from an adaptive oscillator on the angle of the joint named by
    /// [`AssistanceConfig::oscillator_joint`] (the hip of the same side).
    Oscillator(AdaptiveOscillatorConfig<T>),
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
    /// For each joint, the joint whose angle its oscillator tracks (the hip of its side); unused by the
    /// heel-strike estimator.
    #[cfg_attr(feature = "serde", serde(with = "crate::serde_array"))]
    pub oscillator_joint: [u8; N],
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
            PhaseEstimatorConfig::Oscillator(config) => config.validate()?,
        }
        if let Some(j) = self.oscillator_joint.iter().position(|s| usize::from(*s) >= N) {
            return Err(ConfigError::new("oscillator_joint", Problem::OutOfRange).at_joint(j));
        }
        if let Some(t) = &self.torque_loop {
            t.validate()?;
        }
        error::within(self.assistance_gain, T::zero(), crate::real::c(2.0), "assistance_gain")
    }
}

#[derive(Clone, Debug)]
enum Estimator<T: Real, const N: usize> {
    HeelStrike([HeelStrikePhase<T>; N]),
    Oscillator([AdaptiveOscillator<T, HARMONICS>; N]),
}

/// Gait-phase assistance: estimates the gait phase, looks up each joint's torque profile and delivers it through
/// the inner torque loop. The profile gives no torque while the phase is unknown (before the first full stride,
/// or after the wearer stops). The host's torque setpoint (`frame.setpoint.torque_nm`, zero unless a host sets
/// it) is added to each joint's demand, phase known or not.
#[derive(Clone, Debug)]
pub struct Assistance<T: Real, const N: usize> {
    config: AssistanceConfig<T, N>,
    estimator: Estimator<T, N>,
    inner: Option<SeaTorque<T, N>>,
    phase: [Option<T>; N],
    last: Command<T, N>,
}

impl<T: Real, const N: usize> Assistance<T, N> {
    /// A law with a validated configuration.
    pub fn new(config: AssistanceConfig<T, N>) -> Result<Self, ConfigError> {
        config.validate()?;
        let estimator = match config.phase {
            PhaseEstimatorConfig::HeelStrike(c) => Estimator::HeelStrike([HeelStrikePhase::new(c)?; N]),
            PhaseEstimatorConfig::Oscillator(c) => Estimator::Oscillator([AdaptiveOscillator::new(c)?; N]),
        };
        let inner = match config.torque_loop {
            Some(c) => Some(SeaTorque::new(c)?),
            None => None,
        };
        Ok(Self { config, estimator, inner, phase: [None; N], last: Command::default() })
    }

    /// The gait phase of joint `j` at the last tick, `None` while unknown.
    #[must_use]
    pub fn joint_phase(&self, j: usize) -> Option<T> {
        self.phase.get(j).copied().flatten()
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
    ParamInfo { name: "peak_time_pct", min: 0.0, max: 100.0 },
    ParamInfo { name: "rise_time_pct", min: 1.0, max: 60.0 },
    ParamInfo { name: "fall_time_pct", min: 1.0, max: 60.0 },
];

/// The value of the spline field parameter `index` (1 to 4) names, or `None` for another index.
fn spline_value<T: Copy>(s: &SplineProfile<T>, index: u8) -> Option<T> {
    match index {
        1 => Some(s.peak_torque_nm),
        2 => Some(s.peak_time_pct),
        3 => Some(s.rise_time_pct),
        4 => Some(s.fall_time_pct),
        _ => None,
    }
}

/// The spline field parameter `index` (1 to 4) names, or `None` for another index.
fn spline_field<T>(s: &mut SplineProfile<T>, index: u8) -> Option<&mut T> {
    match index {
        1 => Some(&mut s.peak_torque_nm),
        2 => Some(&mut s.peak_time_pct),
        3 => Some(&mut s.rise_time_pct),
        4 => Some(&mut s.fall_time_pct),
        _ => None,
    }
}

impl<T: Real, const N: usize> ControlLaw<T, N> for Assistance<T, N> {
    fn name(&self) -> &'static str {
        "assistance"
    }

    fn reads(&self) -> Channels {
        let phase = match self.config.phase {
            PhaseEstimatorConfig::HeelStrike(_) => Channels::of(&[Channel::FootContact]),
            PhaseEstimatorConfig::Oscillator(_) => Channels::of(&[Channel::JointPosition]),
        };
        match &self.inner {
            Some(sea) => phase.union(sea.channels()),
            None => phase,
        }
    }

    fn update(&mut self, frame: &SensorFrame<T, N>, dt_s: T) -> Command<T, N> {
        if !crate::real::valid_dt(dt_s) {
            return self.last;
        }
        match &mut self.estimator {
            Estimator::HeelStrike(e) => {
                for j in 0..N {
                    self.phase[j] = e[j].update_contact(frame.foot_contact[j], dt_s);
                }
            }
            Estimator::Oscillator(o) => {
                for j in 0..N {
                    let source = usize::from(self.config.oscillator_joint[j]);
                    let angle = frame.joint_position_rad.get(source).copied().unwrap_or_else(T::zero);
                    self.phase[j] = o[j].update(angle, dt_s);
                }
            }
        }
        let gain = self.config.assistance_gain;
        // The host's torque setpoint adds to the profile (zero unless a host asks): a learning or optimising host
        // drives the device through the same torque loop and supervisor as the profile. A corrupted setpoint (NaN,
        // infinite) must not reach the drivers: it counts as no request.
        let demand: SVector<T, N> = SVector::from_fn(|j, _| {
            let requested = frame.setpoint.torque_nm[j];
            let host = if requested.is_finite() { requested } else { T::zero() };
            match self.phase[j] {
                Some(p) => self.config.profiles[j].torque_nm(p) * gain + host,
                None => host,
            }
        });
        self.last = match &mut self.inner {
            Some(sea) => sea.track(frame, &demand, dt_s),
            None => Command::torque(demand),
        };
        self.last
    }

    fn reset(&mut self) {
        match &mut self.estimator {
            Estimator::HeelStrike(e) => e.iter_mut().for_each(HeelStrikePhase::reset),
            Estimator::Oscillator(o) => o.iter_mut().for_each(AdaptiveOscillator::reset),
        }
        if let Some(s) = &mut self.inner {
            s.reset();
        }
        self.phase = [None; N];
        self.last = Command::default();
    }

    fn parameters(&self) -> &'static [ParamInfo] {
        ASSIST_PARAMS
    }

    fn gait_phase(&self) -> Option<T> {
        self.phase.first().copied().flatten()
    }

    fn parameter(&self, id: ParamId) -> Option<T> {
        match id.index {
            0 => Some(self.config.assistance_gain),
            1..=4 => match self.config.profiles.get(usize::from(id.joint))? {
                Profile::Spline(s) => spline_value(s, id.index),
                _ => None,
            },
            _ => None,
        }
    }

    fn set_parameter(&mut self, id: ParamId, value: T) -> Result<(), ConfigError> {
        let mut config = self.config;
        match id.index {
            0 => config.assistance_gain = value,
            1..=4 => {
                let name = ASSIST_PARAMS.get(usize::from(id.index)).map_or("parameter", |p| p.name);
                let field = match config.profiles.get_mut(usize::from(id.joint)) {
                    Some(Profile::Spline(s)) => spline_field(s, id.index),
                    _ => None,
                };
                match field {
                    Some(f) => *f = value,
                    None => return Err(ConfigError::new(name, Problem::UnknownParameter)),
                }
            }
            _ => return Err(ConfigError::new("parameter", Problem::UnknownParameter)),
        }
        config.validate()?;
        self.config = config;
        Ok(())
    }
}
