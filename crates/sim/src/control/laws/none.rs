//! `law = "none"`: the device is worn but not driven.

use exo_control::{ControlLaw, NoControl, Real};
use serde::{Deserialize, Serialize};

use crate::control::registry::{Law, LawContext};
use crate::error::ValidationError;
use crate::simulation::SetpointSource;

/// No control: zero torque command (the actuators' own inertia, friction and back-driven motor remain). No
/// parameters.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NoLaw {}

impl Law for NoLaw {
    const NAME: &'static str = "none";

    fn setpoint(&self) -> SetpointSource {
        SetpointSource::None
    }

    fn build<T: Real + Send, const N: usize>(
        &self,
        _ctx: &LawContext<'_>,
    ) -> Result<Box<dyn ControlLaw<T, N> + Send>, ValidationError> {
        Ok(Box::new(NoControl))
    }
}
