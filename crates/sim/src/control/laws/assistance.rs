//! `law = "assistance"`: torque profiles over the gait cycle, timed by a gait-phase estimator.

use std::collections::BTreeMap;

use exo_control::assist::{
    AdaptiveOscillatorConfig, AssistanceConfig, HeelStrikePhaseConfig, PhaseEstimatorConfig, Profile, SplineProfile,
};
use exo_control::{Assistance, ControlLaw, Real};
use serde::{Deserialize, Serialize};

use super::sea_torque::SeaGains;
use crate::control::registry::{Law, LawContext};
use crate::error::ValidationError;
use crate::simulation::SetpointSource;

/// The four-parameter assistance profile of one joint (Zhang et al., Science 2017: peak torque, peak time, rise
/// and fall time).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileSection {
    /// Peak torque, N m (its sign gives the direction: + flexion at the hip, + extension at the knee,
    /// + dorsiflexion at the ankle).
    pub peak_torque_nm: f64,
    /// Time of the peak, % of stride from heel strike.
    pub peak_time_pct: f64,
    /// Rise duration, % of stride.
    pub rise_time_pct: f64,
    /// Fall duration, % of stride.
    pub fall_time_pct: f64,
}

/// How the gait phase is estimated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PhaseKind {
    /// From heel strikes: rising edges of the joint's side's foot-contact sensor.
    #[default]
    HeelStrike,
    /// Adaptive oscillator on the angle of the hip of the joint's side.
    Oscillator,
}

/// Gait-phase assistance: each joint runs its own phase estimator on its side's signals and delivers its profile
/// (through the series-elastic loop `torque_loop` when given, open loop otherwise).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AssistanceLaw {
    /// Phase estimator.
    #[serde(default)]
    pub phase_estimator: PhaseKind,
    /// Heel strike to hip-angle-oscillator phase offset, rad (oscillator only).
    #[serde(default)]
    pub oscillator_phase_offset_rad: f64,
    /// Heel-strike estimator: past strides averaged for the stride time (1 to 8).
    #[serde(default = "d_strides")]
    pub strides_averaged: u8,
    /// Heel-strike estimator: heel strikes closer than this to the last are ignored (debounce), s. The default,
    /// 0.5 s, is below the stride time of fast walking (about 0.9 s at 2 m/s).
    #[serde(default = "d_min_stride")]
    pub min_stride_s: f64,
    /// Heel-strike estimator: a stride longer than this means the wearer stopped and the phase is dropped, s.
    /// The default, 2.5 s, is above the stride time of very slow walking (about 2 s at 0.4 m/s).
    #[serde(default = "d_max_stride")]
    pub max_stride_s: f64,
    /// Heel-strike estimator: contact counts as a heel strike only after the foot was unloaded this long, s (an
    /// insole chattering about its threshold at toe-off must not restart the stride). The default, 0.2 s, is half
    /// of a walking swing (about 40 % of a 1.1 s stride).
    #[serde(default = "d_min_swing")]
    pub min_swing_s: f64,
    /// Scale on every profile, dimensionless (0 to 2).
    #[serde(default = "d_one")]
    pub assistance_gain: f64,
    /// The series-elastic loop that delivers the profiles; absent: the profile torque goes to the drivers open
    /// loop.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub torque_loop: Option<SeaGains>,
    /// Profiles by joint name (`hip_r`) or kind (`hip`: both sides); a joint without one gets no torque.
    #[serde(default)]
    pub profiles: BTreeMap<String, ProfileSection>,
}

fn d_strides() -> u8 {
    3
}
fn d_min_stride() -> f64 {
    0.5
}
fn d_max_stride() -> f64 {
    2.5
}
fn d_min_swing() -> f64 {
    0.2
}
fn d_one() -> f64 {
    1.0
}

impl Default for AssistanceLaw {
    fn default() -> Self {
        Self {
            phase_estimator: PhaseKind::HeelStrike,
            oscillator_phase_offset_rad: 0.0,
            strides_averaged: d_strides(),
            min_stride_s: d_min_stride(),
            max_stride_s: d_max_stride(),
            min_swing_s: d_min_swing(),
            assistance_gain: 1.0,
            torque_loop: None,
            profiles: BTreeMap::new(),
        }
    }
}

impl AssistanceLaw {
    /// exo-control's configuration of this law for `N` joints in scalar `T` (also what `exosim export-law`
    /// writes for the firmware image).
    pub fn config<T: Real, const N: usize>(
        &self,
        ctx: &LawContext<'_>,
    ) -> Result<AssistanceConfig<T, N>, ValidationError> {
        let r = |x: f64| T::from_subset(&x);
        let joints = ctx.joints;
        if let Some(key) = self.profiles.keys().find(|k| !joints.iter().any(|j| &j.name == *k || &j.kind == *k)) {
            let names: Vec<&str> = joints.iter().map(|j| j.name.as_str()).collect();
            return Err(ValidationError::new(
                format!("{}.profiles.{key}", ctx.section),
                format!("names no actuated joint of the device ({})", names.join(", ")),
            ));
        }
        let profiles: [Profile<T>; N] = core::array::from_fn(|j| {
            let p = joints.get(j).and_then(|n| self.profiles.get(&n.name).or_else(|| self.profiles.get(&n.kind)));
            match p {
                Some(p) => Profile::Spline(SplineProfile {
                    peak_torque_nm: r(p.peak_torque_nm),
                    peak_time_pct: r(p.peak_time_pct),
                    rise_time_pct: r(p.rise_time_pct),
                    fall_time_pct: r(p.fall_time_pct),
                }),
                None => Profile::Zero,
            }
        });
        let phase = match self.phase_estimator {
            PhaseKind::HeelStrike => PhaseEstimatorConfig::HeelStrike(HeelStrikePhaseConfig {
                strides_averaged: self.strides_averaged,
                min_stride_s: r(self.min_stride_s),
                max_stride_s: r(self.max_stride_s),
                min_swing_s: r(self.min_swing_s),
            }),
            PhaseKind::Oscillator => PhaseEstimatorConfig::Oscillator(AdaptiveOscillatorConfig {
                phase_offset_rad: r(self.oscillator_phase_offset_rad),
                ..AdaptiveOscillatorConfig::walking()
            }),
        };
        // Each joint's oscillator tracks the hip of its own side.
        let mut oscillator_joint = [0u8; N];
        if self.phase_estimator == PhaseKind::Oscillator {
            for (j, slot) in oscillator_joint.iter_mut().enumerate() {
                let side = joints[j].name.strip_prefix(&joints[j].kind).unwrap_or("");
                let hip = joints.iter().position(|h| h.kind == "hip" && h.name.strip_prefix("hip") == Some(side));
                let Some(h) = hip else {
                    return Err(ValidationError::new(
                        format!("{}.phase_estimator", ctx.section),
                        format!(
                            "the oscillator follows the hip angle, and the {} has no actuated hip on its side",
                            joints[j].name
                        ),
                    ));
                };
                *slot = h as u8;
            }
        }
        let torque_loop = match &self.torque_loop {
            Some(g) => Some(g.config::<T, N>(ctx, &format!("{}.torque_loop", ctx.section))?),
            None => None,
        };
        let config = AssistanceConfig {
            profiles,
            phase,
            oscillator_joint,
            torque_loop,
            assistance_gain: r(self.assistance_gain),
        };
        config.validate().map_err(|e| ctx.config_error(&e))?;
        Ok(config)
    }
}

impl Law for AssistanceLaw {
    const NAME: &'static str = "assistance";

    fn setpoint(&self) -> SetpointSource {
        SetpointSource::None
    }

    fn build<T: Real + Send, const N: usize>(
        &self,
        ctx: &LawContext<'_>,
    ) -> Result<Box<dyn ControlLaw<T, N> + Send>, ValidationError> {
        let config = self.config::<T, N>(ctx)?;
        Ok(Box::new(Assistance::new(config).map_err(|e| ctx.config_error(&e))?))
    }
}
