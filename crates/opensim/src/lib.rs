//! # exo-opensim: OpenSim's file formats, read into plain data
//!
//! Reads OpenSim 4 model files (`.osim`) of the planar family, actuator files (a `ForceSet` of reserve and residual
//! actuators) and external loads files into plain, documented Rust values. It knows nothing of how a model is
//! simulated: no physics, no multibody engine. What it does not support is an error naming the file, line and
//! element ([`OsimError`]), never a silent approximation or skip; display-only content (geometry, appearance) is
//! accepted and ignored.
//!
//! - [`read_model`] / [`parse_model`] → [`Model`]: bodies, joints (`CustomJoint`, `PinJoint`, `PlanarJoint`,
//!   `SliderJoint`, `WeldJoint`) with their frames and coordinates, muscles (`Millard2012EquilibriumMuscle`,
//!   `Thelen2003Muscle`) with their paths, markers, metabolics probes. [`Model::check_planar`] tells whether the
//!   model moves only in the X–Y plane.
//! - [`read_reserve_actuators`] / [`parse_reserve_actuators`] → [`ActuatorSet`].
//! - [`read_external_loads`] / [`parse_external_loads`] → [`ExternalLoads`].
//! - [`Function`]: OpenSim's functions (`SimmSpline`, `LinearFunction`, …) evaluated as OpenSim evaluates them.
//!
//! Units are SI and appear in field names (`mass_kg`, `location_m`); angles are radians. Every element keeps the
//! 1-based line where it appears (`line`). Defaults are OpenSim 4's (the source file is named where they are
//! documented); structs that may take several say which in `defaults_used`.

mod actuators;
mod error;
mod external_loads;
mod function;
mod model;
mod muscle;
mod probe;
mod xml;

pub use actuators::{
    Actuator, ActuatorCommon, ActuatorSet, CoordinateActuator, MIN_SET_VERSION, PointActuator, TorqueActuator,
    parse_reserve_actuators, read_reserve_actuators,
};
pub use error::OsimError;
pub use external_loads::{ExternalForce, ExternalLoads, parse_external_loads, read_external_loads};
pub use function::{Function, PiecewiseLinear, SimmSpline};
pub use model::{
    Body, Coordinate, Frame, Joint, JointKind, MIN_MODEL_VERSION, Marker, Model, MotionType, SpatialTransform,
    TransformAxis, parse_model, read_model,
};
pub use muscle::{
    ActiveForceLengthCurve, FiberForceLengthCurve, ForceVelocityCurve, MillardCurves, MovingComponent, Muscle,
    MuscleKind, PathPoint, TendonForceLengthCurve, Thelen2003Parameters,
};
pub use probe::{
    Bhargava2004Probe, BhargavaConstants, MetabolicMuscle, Probe, ProbeCommon, ProbeOperation, Umberger2010Probe,
};

/// Reads a file as text, or an error naming it.
fn read_text(path: &std::path::Path, label: &str) -> Result<String, OsimError> {
    std::fs::read_to_string(path).map_err(|e| OsimError {
        file: label.to_string(),
        line: 0,
        element: "file".into(),
        problem: format!("cannot be read: {e}"),
    })
}
