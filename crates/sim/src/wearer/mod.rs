//! The wearer's body built from an OpenSim model: the skeleton as an articulated-body model of the engine, with
//! the model's own coordinates, bodies and frames, so that what OpenSim computes on the file (body poses,
//! velocities, inverse dynamics) can be computed here and compared.
//!
//! The muscles, their paths and the metabolic models attach to this body (issue 16); the world (device, cuffs,
//! contact, actuators) drives it.

mod activation;
pub mod bhargava;
mod contact;
pub mod gait_cycle;
pub mod ideal_device;
pub mod metabolics;
pub mod muscle;
pub mod muscle_analysis;
mod musculature;
pub mod pandolf;
mod path;
mod skeleton;
pub mod static_optimization;
pub mod trial;

pub use activation::ActivationDynamics;
pub use contact::{ContactLoad, SmoothSphereHalfSpace};
pub use muscle::{FiberState, MuscleTendon};
pub use musculature::{Musculature, MusculatureState};
pub use path::{MusclePath, moment_arms_of_all};

pub use skeleton::{
    BodyState, CarriedMass, CarriedMassError, InverseDynamics, PointLoad, Skeleton, SkeletonBody, SkeletonCoordinate,
    SkeletonKinematics,
};
