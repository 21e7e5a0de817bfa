//! What every closed loop of exosim offers whoever drives it: the clock, the device's firmware and its last
//! command, the host's torque setpoint. [`Simulation`] (the one-legged wearer) and
//! [`WalkSimulation`](crate::walk::WalkSimulation) (a wearer imported from OpenSim) both implement it, so that a
//! host (the visualiser, the Python package) reads either the same way; their `tick` and their world stay their
//! own.

use super::recorder::Recorder;
use super::setpoint::HostTorqueError;
use super::stepper::Simulation;
use super::timing::Timing;
use crate::actuator::Actuator;
use crate::control::{Controller, Frame, Output};
use crate::walk::WalkSimulation;

/// The clock and the firmware of a running closed loop.
pub trait ControlLoop {
    /// The scenario's name.
    fn name(&self) -> &str;
    /// Simulated time, s.
    fn time_s(&self) -> f64;
    /// Control ticks run.
    fn ticks(&self) -> u64;
    /// The rates.
    fn timing(&self) -> &Timing;
    /// The device's firmware (law and supervisor).
    fn controller(&self) -> &dyn Controller;
    /// The device's firmware, to change the law's parameters live or clear a latched safe stop.
    fn controller_mut(&mut self) -> &mut dyn Controller;
    /// The sensor frame the firmware read at the last tick.
    fn frame(&self) -> &Frame;
    /// The firmware's output at the last tick.
    fn output(&self) -> &Output;
    /// Number of controlled (actuated) joints, the firmware's joint order.
    fn joint_count(&self) -> usize;
    /// Name of controlled joint `k` (`knee`, `ankle_r`), if there is one.
    fn joint_name(&self, k: usize) -> Option<&str>;
    /// The actuators, one per controlled joint.
    fn actuators(&self) -> &[Actuator];
    /// The recorded time series.
    fn recorder(&self) -> &Recorder;
    /// Sets the host's torque setpoint per controlled joint (`None`: the scenario's own).
    ///
    /// # Errors
    /// The wrong number of values or a value that is not finite; the previous setpoint is kept.
    fn set_host_torque_nm(&mut self, torque_nm: Option<&[f64]>) -> Result<(), HostTorqueError>;
}

macro_rules! forward_control_loop {
    ($t:ty) => {
        impl ControlLoop for $t {
            fn name(&self) -> &str {
                <$t>::name(self)
            }
            fn time_s(&self) -> f64 {
                <$t>::time_s(self)
            }
            fn ticks(&self) -> u64 {
                <$t>::ticks(self)
            }
            fn timing(&self) -> &Timing {
                <$t>::timing(self)
            }
            fn controller(&self) -> &dyn Controller {
                <$t>::controller(self)
            }
            fn controller_mut(&mut self) -> &mut dyn Controller {
                <$t>::controller_mut(self)
            }
            fn frame(&self) -> &Frame {
                <$t>::frame(self)
            }
            fn output(&self) -> &Output {
                <$t>::output(self)
            }
            fn joint_count(&self) -> usize {
                self.joints().len()
            }
            fn joint_name(&self, k: usize) -> Option<&str> {
                self.joints().get(k).map(|j| j.name.as_str())
            }
            fn actuators(&self) -> &[Actuator] {
                <$t>::actuators(self)
            }
            fn recorder(&self) -> &Recorder {
                <$t>::recorder(self)
            }
            fn set_host_torque_nm(&mut self, torque_nm: Option<&[f64]>) -> Result<(), HostTorqueError> {
                <$t>::set_host_torque_nm(self, torque_nm)
            }
        }
    };
}

forward_control_loop!(Simulation);
forward_control_loop!(WalkSimulation);
