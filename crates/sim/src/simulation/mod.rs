//! The multi-rate stepping loop, recording and metrics.
//!
//! Each control tick, in this order: sensors sample the true state -> the control law -> the safety
//! supervisor -> for each physics step of the tick: the human model -> the actuators run their current-loop
//! substeps -> the physics step. The tick (`stepper`) only orchestrates; what happened is booked by the
//! metrics (`metrics`) and recorded by channels defined once (`channels`); the summary and the step response
//! are assembled apart (`summary`, `step_response`).

mod channels;
mod control_loop;
mod frame_log;
mod metrics;
mod recorder;
mod setpoint;
mod step_response;
mod stepper;
mod summary;
mod table;
mod timing;

pub use channels::{Column, Instant, Source, columns};
pub use control_loop::ControlLoop;
pub use frame_log::{FrameLog, FrameOutput, FrameRecord, Mismatch, ReplayReport, replay};
pub(crate) use metrics::Stat;
pub use metrics::StepBook;
pub use metrics::{
    ActuatorSummary, CuffSummary, EnergyCheck, JointSummary, Metrics, StepResponse, Summary, SupervisorSummary,
};
pub use recorder::{Channel, Recorder, RecorderFull};
pub use setpoint::{HostTorque, HostTorqueError, SetpointSource, TorqueSignal};
pub use step_response::step_response;
pub(crate) use stepper::run_ticks;
pub use stepper::{ControlledJoint, SimError, Simulation, SimulationParts};
pub use table::{Table, TableError};
pub use timing::{Timing, TimingError};
