//! `law = "sea_torque"`: the series-elastic torque loop tracking a torque signal.

use exo_control::pid::{AntiWindup, DerivativeFilter, DerivativeOn};
use exo_control::sea::{SeaTorqueConfig, TorqueSource};
use exo_control::{ControlLaw, PidConfig, Real, SVector, SeaTorque};
use serde::{Deserialize, Serialize};

use crate::control::registry::{Law, LawContext};
use crate::error::ValidationError;
use crate::scenario::per_joint::PerJoint;
use crate::simulation::{SetpointSource, TorqueSignal};

/// Where the series-elastic loop reads the joint torque.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TorqueSourceKind {
    /// The torque channel of the frame (series spring or load cell).
    #[default]
    Sensor,
    /// Spring stiffness times the difference of the motor and joint encoders (needs a series spring).
    SpringDeflection,
}

/// Gains of a series-elastic torque loop (PI on the torque error, damping on motor velocity, feedforward):
/// `u = kff tau_d + PI(tau_d - tau) - B qd_m`, after Pratt and Williamson (1995) and Vallery et al. (2008).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SeaGains {
    /// Proportional gain on the torque error, dimensionless (N m per N m).
    #[serde(default = "d_kp")]
    pub kp: PerJoint,
    /// Integral gain on the torque error, 1/s.
    #[serde(default = "d_ki")]
    pub ki_per_s: PerJoint,
    /// Damping on the joint-referred motor velocity, N m s/rad.
    #[serde(default = "d_b")]
    pub motor_damping_nm_s_per_rad: PerJoint,
    /// Feedforward of the desired torque, dimensionless.
    #[serde(default = "d_ff")]
    pub feedforward_gain: f64,
    /// Torque measurement.
    #[serde(default)]
    pub torque_source: TorqueSourceKind,
    /// Anti-windup (back-calculation) tracking time constant, s.
    #[serde(default = "d_tt")]
    pub tracking_time_s: f64,
}

const KP: f64 = 3.0;
const KI_PER_S: f64 = 20.0;
const MOTOR_DAMPING_NM_S_PER_RAD: f64 = 15.0;

fn d_kp() -> PerJoint {
    PerJoint::All(KP)
}
fn d_ki() -> PerJoint {
    PerJoint::All(KI_PER_S)
}
fn d_b() -> PerJoint {
    PerJoint::All(MOTOR_DAMPING_NM_S_PER_RAD)
}
fn d_ff() -> f64 {
    1.0
}
fn d_tt() -> f64 {
    0.05
}

impl Default for SeaGains {
    fn default() -> Self {
        Self {
            kp: d_kp(),
            ki_per_s: d_ki(),
            motor_damping_nm_s_per_rad: d_b(),
            feedforward_gain: d_ff(),
            torque_source: TorqueSourceKind::Sensor,
            tracking_time_s: d_tt(),
        }
    }
}

impl SeaGains {
    /// exo-control's loop configuration for these gains on `ctx`'s actuators; `section` names the gains' place
    /// in the scenario (`controller.sea_torque`, `controller.assistance.torque_loop`).
    pub fn config<T: Real, const N: usize>(
        &self,
        ctx: &LawContext<'_>,
        section: &str,
    ) -> Result<SeaTorqueConfig<T, N>, ValidationError> {
        let here = LawContext { section, ..ctx.clone() };
        if self.torque_source == TorqueSourceKind::SpringDeflection
            && let Some((j, a)) = ctx.joints.iter().zip(ctx.actuators).find(|(_, a)| a.spring.is_none())
        {
            return Err(ValidationError::new(
                format!("{section}.torque_source"),
                format!(
                    "`spring_deflection` needs a series spring, and the {} actuator (`{}`) has none: use `sensor`",
                    j.name, a.name
                ),
            ));
        }
        let kp: [T; N] = here.per_joint(&self.kp, "kp", KP)?;
        let ki: [T; N] = here.per_joint(&self.ki_per_s, "ki_per_s", KI_PER_S)?;
        let b: [T; N] =
            here.per_joint(&self.motor_damping_nm_s_per_rad, "motor_damping_nm_s_per_rad", MOTOR_DAMPING_NM_S_PER_RAD)?;
        let limit: [T; N] = ctx.limit();
        let tt = T::from_subset(&self.tracking_time_s);
        let loops = core::array::from_fn(|k| {
            PidConfig::new(kp[k], ki[k], T::zero(), limit[k])
                .with_derivative_filter(DerivativeFilter::None)
                .with_derivative_on(DerivativeOn::Measurement)
                .with_anti_windup(AntiWindup::BackCalculation { tracking_time_s: tt })
        });
        // The stiffness is used only by `spring_deflection`, allowed above only with springs; a rigid
        // actuator's entry is 0, which a `sensor` loop's validation accepts.
        let stiffness = SVector::<T, N>::from_fn(|k, _| {
            T::from_subset(&ctx.actuators.get(k).and_then(|a| a.spring).map_or(0.0, |s| s.stiffness_nm_per_rad))
        });
        let config = SeaTorqueConfig {
            spring_stiffness_nm_per_rad: stiffness,
            torque_source: match self.torque_source {
                TorqueSourceKind::Sensor => TorqueSource::Sensor,
                TorqueSourceKind::SpringDeflection => TorqueSource::SpringDeflection,
            },
            torque_loop: loops,
            feedforward_gain: SVector::repeat(T::from_subset(&self.feedforward_gain)),
            motor_damping_nm_s_per_rad: SVector::from(b),
        };
        config.validate().map_err(|e| here.config_error(&e))?;
        Ok(config)
    }
}

/// Series-elastic torque loop tracking `signal` at every actuated joint.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SeaTorqueLaw {
    /// Loop gains.
    #[serde(default)]
    pub torque_loop: SeaGains,
    /// The torque to track, N m (the same at every joint).
    #[serde(default)]
    pub signal: TorqueSignal,
}

impl Law for SeaTorqueLaw {
    const NAME: &'static str = "sea_torque";

    fn setpoint(&self) -> SetpointSource {
        SetpointSource::Torque(self.signal)
    }

    fn build<T: Real + Send, const N: usize>(
        &self,
        ctx: &LawContext<'_>,
    ) -> Result<Box<dyn ControlLaw<T, N> + Send>, ValidationError> {
        let config = self.torque_loop.config::<T, N>(ctx, &format!("{}.torque_loop", ctx.section))?;
        Ok(Box::new(SeaTorque::new(config).map_err(|e| ctx.config_error(&e))?))
    }
}
