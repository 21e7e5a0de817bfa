//! # exo-sim: the simulated world of exosim
//!
//! Everything between the controller's command and the next sensor frame: actuators, sensors, the human leg and
//! the exoskeleton as rigid bodies, the multi-rate stepping loop, recording and metrics.
pub mod actuator;
pub mod analysis;
pub mod body;
pub mod human;
pub mod multibody;
pub mod opensim;
pub mod rapier;
pub mod reference;
pub mod reference_leg;
pub mod scenario;
pub mod sensor;
pub mod simulation;
pub mod single_precision;
pub mod world;
