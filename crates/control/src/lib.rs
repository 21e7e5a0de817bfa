//! # exo-control: the real-time control core of exosim
//!
//! Everything here runs inside one control tick of an exoskeleton joint controller, in simulation and on a
//! microcontroller alike:
//!
//! * `#![no_std]`, no heap, no I/O, no clock: the caller passes the tick length `dt_s`.
//! * No panics on any input: non-finite inputs and `dt_s <= 0` hold the last output and raise a flag.
//! * Generic over `f32` and `f64` through [`Real`]; multi-joint types use nalgebra's fixed-size vectors with a
//!   const-generic joint count `N`.
//! * Configuration is kept apart from state. Every configuration has `validate()`, which returns a small `Copy`
//!   [`ConfigError`] that names the offending field.
//!
//! The modules, in the order a tick uses them:
//!
//! | module | what it holds |
//! |---|---|
//! | [`frame`] | [`SensorFrame`] (what the sensors report), [`Setpoint`] (what the host asks for), [`Command`] |
//! | [`channel`] | the frame's measured [`Channel`]s and sets of them ([`Channels`]) |
//! | [`gravity`] | gravity compensation from the law's own model of the device, on sensed angles |
//! | [`filter`] | first-order low-pass, biquads (Butterworth low-pass, notch), velocity from encoder counts |
//! | [`pid`] | the full-featured [`Pid`] and the vectorisable [`PidBank`] |
//! | [`impedance`], [`admittance`], [`sea`] | joint impedance, admittance, series-elastic torque control |
//! | [`assist`] | gait-phase torque profiles and gait-phase estimators, the [`Assistance`] law |
//! | [`safety`] | the [`Supervisor`]: range-of-motion walls, limits, watchdog, latched safe stop |
//! | [`law`] | the [`ControlLaw`] trait that every law implements |
#![no_std]
#![cfg_attr(
    not(test),
    deny(
        clippy::panic,
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::todo,
        clippy::unimplemented,
        clippy::unreachable
    )
)]

pub mod admittance;
pub mod assist;
pub mod channel;
pub mod error;
pub mod filter;
pub mod frame;
pub mod gravity;
pub mod impedance;
pub mod law;
pub mod none;
pub mod pid;
pub mod position;
pub mod real;
pub mod safety;
pub mod sea;
#[cfg(feature = "serde")]
mod serde_array;

pub use admittance::{Admittance, AdmittanceConfig};
pub use assist::{Assistance, AssistanceConfig};
pub use channel::{Channel, Channels};
pub use error::{ConfigError, Problem};
pub use frame::{Command, SensorFrame, Setpoint};
pub use gravity::{GravityLink, GravityModel, GravityModelConfig};
pub use impedance::{Gain, JointImpedance, JointImpedanceConfig};
pub use law::{ControlLaw, ParamId, ParamInfo};
pub use none::NoControl;
pub use pid::{Pid, PidBank, PidConfig, PidOutput};
pub use position::JointPid;
pub use real::Real;
pub use safety::{FaultReason, SafeStopMode, SensorChecks, Supervised, Supervisor, SupervisorConfig, SupervisorState};
pub use sea::{SeaTorque, SeaTorqueConfig, ZeroTorque};

/// The name of every control law in this crate ([`ControlLaw::name`]). The crate's property, allocation and
/// panic checks exercise each of them, and tests fail when one is missing there.
pub const LAWS: &[&str] = &["none", "zero_torque", "sea_torque", "impedance", "admittance", "joint_pid", "assistance"];

/// nalgebra's fixed-size matrix, re-exported for full impedance gain matrices.
pub use nalgebra::SMatrix;
/// nalgebra's fixed-size column vector, re-exported so that users need not depend on nalgebra themselves.
pub use nalgebra::SVector;
