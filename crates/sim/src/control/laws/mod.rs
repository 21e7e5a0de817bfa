//! The control laws a scenario can choose, one module each: the law's section of the scenario file
//! (`[controller.NAME]`, every field with its unit and default) and how it builds exo-control's law from it.
//! A new law is a new module here, one line in [`super::registry`], a scenario and a test.

pub mod admittance;
pub mod assistance;
pub mod impedance;
pub mod joint_pid;
pub mod none;
pub mod sea_torque;
pub mod zero_torque;
