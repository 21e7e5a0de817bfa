//! The law of a device that is worn but not driven: zero torque, always.

use crate::channel::Channels;
use crate::error::{ConfigError, Problem};
use crate::frame::{Command, SensorFrame};
use crate::law::{ControlLaw, ParamId, ParamInfo};
use crate::real::Real;

/// Commands zero torque every tick and reads nothing: the actuators' own inertia, friction and (back-driven)
/// motor losses remain, which is what a powered-off device feels like.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoControl;

impl<T: Real, const N: usize> ControlLaw<T, N> for NoControl {
    fn name(&self) -> &'static str {
        "none"
    }

    fn reads(&self) -> Channels {
        Channels::NONE
    }

    fn update(&mut self, _frame: &SensorFrame<T, N>, _dt_s: T) -> Command<T, N> {
        Command::default()
    }

    fn reset(&mut self) {}

    fn parameters(&self) -> &'static [ParamInfo] {
        &[]
    }

    fn parameter(&self, _id: ParamId) -> Option<T> {
        None
    }

    fn set_parameter(&mut self, _id: ParamId, _value: T) -> Result<(), ConfigError> {
        Err(ConfigError::new("parameter", Problem::UnknownParameter))
    }
}
