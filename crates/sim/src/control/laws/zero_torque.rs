//! `law = "zero_torque"`: transparency, the series-elastic loop tracking zero torque.

use exo_control::{ControlLaw, Real, ZeroTorque};
use serde::{Deserialize, Serialize};

use super::sea_torque::SeaGains;
use crate::control::registry::{Law, LawContext};
use crate::error::ValidationError;
use crate::simulation::SetpointSource;

/// The series-elastic loop tracking zero joint torque whatever the setpoint: what the wearer feels of the device
/// when it should do nothing (its inertia, friction and the spring's lag).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ZeroTorqueLaw {
    /// Loop gains.
    #[serde(default)]
    pub torque_loop: SeaGains,
}

impl Law for ZeroTorqueLaw {
    const NAME: &'static str = "zero_torque";

    fn setpoint(&self) -> SetpointSource {
        SetpointSource::None
    }

    fn build<T: Real + Send, const N: usize>(
        &self,
        ctx: &LawContext<'_>,
    ) -> Result<Box<dyn ControlLaw<T, N> + Send>, ValidationError> {
        let config = self.torque_loop.config::<T, N>(ctx, &format!("{}.torque_loop", ctx.section))?;
        Ok(Box::new(ZeroTorque::new(config).map_err(|e| ctx.config_error(&e))?))
    }
}
