//! # exo-sim: the simulated world of exosim
//!
//! Everything between the controller's command and the next sensor frame: actuators, sensors, the human leg and
//! the exoskeleton as rigid bodies, the multi-rate stepping loop, recording and metrics.
pub mod actuator;
#[cfg(feature = "scenario")]
pub mod analysis;
pub mod body;
pub mod control;
pub mod error;
pub mod hilo;
pub mod human;
pub mod multibody;
pub mod opensim;
#[cfg(feature = "rapier")]
pub mod rapier;
pub mod reference;
pub mod reference_leg;
#[cfg(feature = "scenario")]
pub mod scenario;
pub mod sensor;
pub mod simulation;
pub mod walk;
pub mod wearer;
pub mod world;
