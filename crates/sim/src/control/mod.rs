//! The device's firmware tick, as the simulation sees it: the control law, then the safety supervisor, for however
//! many joints the device has, in `f64` or in `f32` as a microcontroller runs it.
//!
//! exo-control's laws and supervisor are const-generic over the joint count `N` (what firmware wants: fixed sizes,
//! no allocation). The simulation learns `N` from the scenario, so a [`Controller`] hides it: its [`Frame`] and
//! [`Output`] hold one entry per joint in buffers sized once, and [`Firmware`] copies them into exo-control's
//! fixed-size frame and back every tick. A law never sees anything but its frame.
//!
//! The laws a scenario can choose, each with its section of the scenario file, live one per module in
//! [`laws`] and are listed once in [`registry`].

mod firmware;
mod frame;
#[cfg(feature = "scenario")]
pub mod laws;
#[cfg(feature = "scenario")]
pub mod registry;
mod supervision;

pub use firmware::{Controller, Firmware, MAX_JOINTS, Precision};
pub use frame::{Frame, Output};
pub use supervision::SupervisorSpec;
