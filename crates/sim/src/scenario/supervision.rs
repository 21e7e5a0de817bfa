//! The scenario's `[safety]` resolved for the device: one value per controlled joint, and the sensor checks
//! derived from the actuator presets and the sensor models where the scenario leaves them out.

use exo_control::{Channel, Channels};

pub use crate::control::SupervisorSpec;

use super::per_joint::{JointName, resolve_optional};
use super::schema::{SafeStopKind, SafetySection, default_joint_limits};
use crate::actuator::ActuatorConfig;
use crate::error::ValidationError;
use crate::sensor::SensorConfig;

/// Largest plausible pitch of a hip-belt inertial sensor, rad (46 degrees: beyond any trunk lean of walking,
/// standing up or stooping that the device is meant for).
const PELVIS_PITCH_RANGE_RAD: f64 = 0.8;

/// Spring damping times this relative speed bounds the damping part of the spring torque in the cross-check
/// margin, rad/s (faster than any walking joint moves relative to its motor).
const CROSS_CHECK_SPEED_RAD_PER_S: f64 = 10.0;

/// Ticks a noisy analog reading may repeat exactly before it is stale, when the scenario does not say.
const STALE_TICKS: u32 = 20;

/// Range of the interaction reading when the scenario does not say, N m: about the peak knee moment of a stair
/// descent (an assumption of this model).
const INTERACTION_RANGE_NM: f64 = 150.0;

/// Largest plausible rate of the interaction reading when the scenario does not say, N m/s: 20 N m in one
/// millisecond, faster than the straps' compliance lets a real load change (an assumption of this model).
const INTERACTION_RATE_NM_PER_S: f64 = 20_000.0;

/// What the sensor checks depend on besides the scenario's `[safety]`.
pub struct Device<'a> {
    /// The controlled joints.
    pub joints: &'a [JointName],
    /// Their actuators.
    pub actuators: &'a [ActuatorConfig],
    /// The sensor models.
    pub sensors: &'a SensorConfig,
    /// True when the device has cuffs (and so an interaction reading).
    pub has_cuffs: bool,
    /// True when the base inertial sensor sits on a limb link (a device without a hip joint).
    pub limb_base: bool,
}

/// Resolves the scenario's `[safety]` for a device.
pub trait ResolveSupervisor: Sized {
    /// Resolves `safety` for `device`.
    fn resolve(safety: &SafetySection, device: &Device<'_>) -> Result<Self, ValidationError>;
}

impl ResolveSupervisor for SupervisorSpec {
    /// Resolves `[safety]` for `device`. Each derived default is documented on
    /// [`super::schema::SensorChecksSection`].
    fn resolve(safety: &SafetySection, device: &Device<'_>) -> Result<Self, ValidationError> {
        let j = device.joints;
        let f = |v: &super::schema::PerJoint, name: &str, d: f64| v.resolve(j, &format!("safety.{name}"), d);
        let peak: Vec<f64> = device.actuators.iter().map(ActuatorConfig::peak_torque_nm).collect();
        let per_actuator =
            |g: &dyn Fn(&ActuatorConfig) -> f64| -> Vec<f64> { device.actuators.iter().map(g).collect() };
        let by_joint = |o: Option<&super::schema::PerJoint>, name: &str, d: &dyn Fn(usize) -> f64| match o {
            Some(v) => v.resolve_indexed(j, &format!("safety.sensors.{name}"), d),
            None => Ok((0..j.len()).map(d).collect()),
        };
        let sensors = device.sensors;
        let tau = std::f64::consts::TAU;
        let joint_res = if sensors.joint_encoder_counts_per_rev > 0 {
            tau / f64::from(sensors.joint_encoder_counts_per_rev)
        } else {
            0.0
        };
        let lost_motion = |c: &ActuatorConfig| {
            let motor_res = if sensors.motor_encoder_counts_per_rev > 0 {
                tau / f64::from(sensors.motor_encoder_counts_per_rev) / c.gearbox.ratio
            } else {
                0.0
            };
            0.5 * c.gearbox.backlash_rad
                + 3.0 * c.peak_torque_nm() / c.gearbox.stiffness_nm_per_rad
                + joint_res
                + motor_res
        };
        let acts = device.actuators;
        let ss = &safety.sensors;
        let mut monitored = Channels::of(&[
            Channel::JointPosition,
            Channel::JointVelocity,
            Channel::MotorPosition,
            Channel::MotorVelocity,
            Channel::JointTorque,
            Channel::FootContact,
        ]);
        if device.has_cuffs {
            monitored = monitored.with(Channel::InteractionTorque);
        }
        if sensors.base_imu.is_some() {
            monitored = monitored.with(Channel::BasePitch);
        }
        // A channel configured without noise legitimately repeats: the staleness check is off then.
        let noisy = sensors.torque_noise_nm > 0.0
            && (!device.has_cuffs || sensors.interaction_noise_nm > 0.0)
            && sensors.base_imu.is_none_or(|i| i.noise_rad > 0.0);
        Ok(Self {
            position_min_rad: resolve_optional(safety.position_min_rad.as_ref(), j, "safety.position_min_rad", |k| {
                default_joint_limits(k).0
            })?,
            position_max_rad: resolve_optional(safety.position_max_rad.as_ref(), j, "safety.position_max_rad", |k| {
                default_joint_limits(k).1
            })?,
            soft_wall_width_rad: f(&safety.soft_wall_width_rad, "soft_wall_width_rad", 0.1)?,
            soft_wall_stiffness_nm_per_rad: f(
                &safety.soft_wall_stiffness_nm_per_rad,
                "soft_wall_stiffness_nm_per_rad",
                200.0,
            )?,
            soft_wall_damping_nm_s_per_rad: f(
                &safety.soft_wall_damping_nm_s_per_rad,
                "soft_wall_damping_nm_s_per_rad",
                2.0,
            )?,
            velocity_limit_rad_per_s: f(&safety.velocity_limit_rad_per_s, "velocity_limit_rad_per_s", 15.0)?,
            torque_limit_nm: match &safety.torque_limit_nm {
                Some(v) => v.resolve_indexed(j, "safety.torque_limit_nm", |k| peak[k])?,
                None => peak.clone(),
            },
            torque_rate_limit_nm_per_s: f(&safety.torque_rate_limit_nm_per_s, "torque_rate_limit_nm_per_s", 5000.0)?,
            watchdog_ticks: safety.watchdog_ticks,
            safe_stop_damping_nm_s_per_rad: match safety.safe_stop {
                SafeStopKind::TorqueOff => None,
                SafeStopKind::Damping => {
                    Some(f(&safety.safe_stop_damping_nm_s_per_rad, "safe_stop_damping_nm_s_per_rad", 2.0)?)
                }
            },
            monitored: vec![monitored; j.len()],
            joint_torque_range_nm: by_joint(ss.joint_torque_range_nm.as_ref(), "joint_torque_range_nm", &|k| {
                3.0 * peak[k]
            })?,
            interaction_torque_range_nm: by_joint(
                ss.interaction_torque_range_nm.as_ref(),
                "interaction_torque_range_nm",
                &|_| INTERACTION_RANGE_NM,
            )?,
            motor_velocity_range_rad_per_s: per_actuator(&|c| {
                1.5 * c.driver.bus_voltage_v / c.motor.torque_constant_nm_per_a / c.gearbox.ratio
            }),
            joint_torque_rate_range_nm_per_s: by_joint(
                ss.joint_torque_rate_range_nm_per_s.as_ref(),
                "joint_torque_rate_range_nm_per_s",
                &|_| f64::INFINITY,
            )?,
            interaction_torque_rate_range_nm_per_s: by_joint(
                ss.interaction_torque_rate_range_nm_per_s.as_ref(),
                "interaction_torque_rate_range_nm_per_s",
                &|_| INTERACTION_RATE_NM_PER_S,
            )?,
            spring_stiffness_nm_per_rad: per_actuator(&|c| c.spring.map_or(0.0, |s| s.stiffness_nm_per_rad)),
            spring_torque_margin_nm: by_joint(ss.spring_torque_margin_nm.as_ref(), "spring_torque_margin_nm", &|k| {
                let c = &acts[k];
                match c.spring {
                    Some(sp) => {
                        sp.stiffness_nm_per_rad * lost_motion(c)
                            + sp.damping_nm_s_per_rad * CROSS_CHECK_SPEED_RAD_PER_S
                            + 6.0 * sensors.torque_noise_nm
                            + sensors.torque_bias_nm.abs()
                            + 1.0
                    }
                    None => f64::INFINITY,
                }
            })?,
            encoder_agreement_rad: by_joint(ss.encoder_agreement_rad.as_ref(), "encoder_agreement_rad", &|k| {
                let c = &acts[k];
                if c.spring.is_some() { f64::INFINITY } else { 2.0 * lost_motion(c) + 0.005 }
            })?,
            stale_ticks: if noisy { ss.stale_ticks.unwrap_or(STALE_TICKS) } else { 0 },
            base_pitch_range_rad: ss.base_pitch_range_rad.unwrap_or(if device.limb_base {
                std::f64::consts::PI
            } else {
                PELVIS_PITCH_RANGE_RAD
            }),
        })
    }
}
