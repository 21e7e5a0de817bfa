//! The multi-rate stepping loop, recording and metrics.
//!
//! Each control tick, in this order: sensors sample the true state -> the control law -> the safety
//! supervisor -> for each physics step of the tick: the actuators run their current-loop substeps -> the
//! human model -> the physics step.

mod frame_log;
mod metrics;
mod recorder;
mod setpoint;
mod stepper;
mod table;
mod timing;

pub use frame_log::{FrameLog, FrameOutput, FrameRecord, Mismatch, ReplayReport, replay};
pub use metrics::{
    ActuatorSummary, CuffSummary, EnergyCheck, JointSummary, Metrics, StepResponse, Summary, SupervisorSummary,
};
pub use recorder::{Channel, Recorder};
pub use setpoint::{SetpointSource, TorqueSignal};
pub use stepper::{SimError, Simulation, SimulationParts, TickOutput};
pub use table::{Table, TableError};
pub use timing::{Timing, TimingError};
