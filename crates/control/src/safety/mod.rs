//! The safety supervisor that stands between every control law and the actuators.
//!
//! States: [`SupervisorState::Active`] (command passes unchanged) -> [`SupervisorState::Limited`] (a soft wall,
//! torque limit or torque-rate limit changed the command this tick; not latched) -> [`SupervisorState::SafeStop`]
//! (a fault: latched until [`Supervisor::reset`], output torque-off or damping-only).

mod config;
mod supervisor;

pub use config::{SafeStopMode, SensorChecks, SupervisorConfig};
pub use supervisor::{FaultReason, Supervised, Supervisor, SupervisorState};
