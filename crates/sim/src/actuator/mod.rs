//! The actuator chain between a torque command and the joint: driver current loop, DC-equivalent motor,
//! two-node thermal model, gearbox (ratio, efficiency, Stribeck friction, backlash, torsional stiffness),
//! optional series elastic element, and energy accounting.
//!
//! Every piece is a plain struct, unit-tested without physics. [`Actuator`] assembles them and integrates the
//! fast electrical and rotor dynamics at the current-loop rate inside each physics step; the joint sees the
//! resulting coupling torque through a [`Coupling`] that the physics step evaluates at each of its stages.

mod chain;
mod config;
mod friction;
mod gearbox;
mod motor;
mod thermal;

pub use chain::{Actuator, ActuatorState, Coupling, EnergyMeter};
pub use config::{ActuatorConfig, DriverConfig, GearboxConfig, MotorConfig, SpringConfig, ThermalConfig};
pub use friction::StribeckFriction;
pub use gearbox::backlash_torque;
pub use motor::{CurrentLoop, MotorElectrical};
pub use thermal::TwoNodeThermal;
