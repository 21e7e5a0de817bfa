//! The data that crosses the controller's boundary once per tick.
//!
//! The same types are filled by the simulator's sensor models and, on hardware, by the drivers; the control
//! law cannot tell the difference.

use nalgebra::SVector;

use crate::channel::Channel;
use crate::real::Real;

/// What the host asks the joints to do this tick (trajectory or torque targets from a planner or a scenario).
///
/// Laws read the fields that matter to them and ignore the rest; every field defaults to zero.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Setpoint<T: Real, const N: usize> {
    /// Desired joint angle, rad.
    pub position_rad: SVector<T, N>,
    /// Desired joint velocity, rad/s.
    pub velocity_rad_per_s: SVector<T, N>,
    /// Desired joint torque (torque laws) or torque feedforward (position laws), N m.
    pub torque_nm: SVector<T, N>,
}

impl<T: Real, const N: usize> Setpoint<T, N> {
    /// True when every target is finite.
    #[must_use]
    pub fn is_finite(&self) -> bool {
        use crate::real::all_finite;
        all_finite(&self.position_rad) && all_finite(&self.velocity_rad_per_s) && all_finite(&self.torque_nm)
    }
}

impl<T: Real, const N: usize> Default for Setpoint<T, N> {
    fn default() -> Self {
        Self { position_rad: SVector::zeros(), velocity_rad_per_s: SVector::zeros(), torque_nm: SVector::zeros() }
    }
}

/// One sample of every sensor of an `N`-joint device, as the controller sees it (quantised, noisy, late).
///
/// Motor quantities are referred to the joint side (motor angle divided by the gear ratio) so that laws need
/// not know the transmission.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SensorFrame<T: Real, const N: usize> {
    /// Counter incremented by the sensor layer for every fresh sample; the supervisor's watchdog trips when it
    /// stops changing.
    pub sequence: u32,
    /// Joint angle from the joint-side encoder, rad.
    pub joint_position_rad: SVector<T, N>,
    /// Joint velocity estimate, rad/s.
    pub joint_velocity_rad_per_s: SVector<T, N>,
    /// Motor angle divided by the gear ratio, rad (joint-referred).
    pub motor_position_rad: SVector<T, N>,
    /// Motor velocity divided by the gear ratio, rad/s (joint-referred).
    pub motor_velocity_rad_per_s: SVector<T, N>,
    /// Joint torque from the series spring deflection or a load cell, N m.
    pub joint_torque_nm: SVector<T, N>,
    /// Human-exoskeleton interaction torque measured at the cuffs, referred to the joint, N m.
    pub interaction_torque_nm: SVector<T, N>,
    /// Foot contact reported by the gait-event sensor (foot switch or insole) on each joint's side: true while
    /// that foot is loaded. Laws find heel strikes as its rising edges.
    pub foot_contact: [bool; N],
    /// Pitch of the device's base frame (the hip belt) from its inertial sensor, rad, counter-clockwise in the
    /// sagittal plane seen from the subject's right (forward lean is negative); 0 when the device has none.
    pub base_pitch_rad: T,
    /// Targets from the host for this tick.
    pub setpoint: Setpoint<T, N>,
}

impl<T: Real, const N: usize> Default for SensorFrame<T, N> {
    fn default() -> Self {
        Self {
            sequence: 0,
            joint_position_rad: SVector::zeros(),
            joint_velocity_rad_per_s: SVector::zeros(),
            motor_position_rad: SVector::zeros(),
            motor_velocity_rad_per_s: SVector::zeros(),
            joint_torque_nm: SVector::zeros(),
            interaction_torque_nm: SVector::zeros(),
            foot_contact: [false; N],
            base_pitch_rad: T::zero(),
            setpoint: Setpoint::default(),
        }
    }
}

impl<T: Real, const N: usize> SensorFrame<T, N> {
    /// True when every measured number in the frame (setpoint included) is finite.
    #[must_use]
    pub fn is_finite(&self) -> bool {
        use crate::real::all_finite;
        all_finite(&self.joint_position_rad)
            && all_finite(&self.joint_velocity_rad_per_s)
            && all_finite(&self.motor_position_rad)
            && all_finite(&self.motor_velocity_rad_per_s)
            && all_finite(&self.joint_torque_nm)
            && all_finite(&self.interaction_torque_nm)
            && self.base_pitch_rad.is_finite()
            && self.setpoint.is_finite()
    }

    /// The per-joint values of a vector channel; `None` for the channels that are not one number per joint
    /// ([`Channel::FootContact`], [`Channel::BasePitch`]).
    #[must_use]
    pub fn channel(&self, channel: Channel) -> Option<&SVector<T, N>> {
        match channel {
            Channel::JointPosition => Some(&self.joint_position_rad),
            Channel::JointVelocity => Some(&self.joint_velocity_rad_per_s),
            Channel::MotorPosition => Some(&self.motor_position_rad),
            Channel::MotorVelocity => Some(&self.motor_velocity_rad_per_s),
            Channel::JointTorque => Some(&self.joint_torque_nm),
            Channel::InteractionTorque => Some(&self.interaction_torque_nm),
            Channel::FootContact | Channel::BasePitch => None,
        }
    }

    /// Mutable access to a vector channel (for sensor models and fault injection).
    pub fn channel_mut(&mut self, channel: Channel) -> Option<&mut SVector<T, N>> {
        match channel {
            Channel::JointPosition => Some(&mut self.joint_position_rad),
            Channel::JointVelocity => Some(&mut self.joint_velocity_rad_per_s),
            Channel::MotorPosition => Some(&mut self.motor_position_rad),
            Channel::MotorVelocity => Some(&mut self.motor_velocity_rad_per_s),
            Channel::JointTorque => Some(&mut self.joint_torque_nm),
            Channel::InteractionTorque => Some(&mut self.interaction_torque_nm),
            Channel::FootContact | Channel::BasePitch => None,
        }
    }
}

/// What a control law asks of the actuators this tick.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Command<T: Real, const N: usize> {
    /// Motor torque command referred to the joint (motor torque times gear ratio), N m. The driver turns it
    /// into a current reference.
    pub torque_nm: SVector<T, N>,
    /// The joint torque the law is trying to deliver (its assistance or impedance target), N m. Equal to
    /// `torque_nm` for laws without an inner torque loop. Used for "delivered vs demanded" metrics.
    pub demand_nm: SVector<T, N>,
}

impl<T: Real, const N: usize> Default for Command<T, N> {
    fn default() -> Self {
        Self { torque_nm: SVector::zeros(), demand_nm: SVector::zeros() }
    }
}

impl<T: Real, const N: usize> Command<T, N> {
    /// A command whose demand equals its actuator torque.
    #[must_use]
    pub fn torque(torque_nm: SVector<T, N>) -> Self {
        Self { torque_nm, demand_nm: torque_nm }
    }
}
