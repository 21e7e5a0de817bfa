//! The law and the supervisor behind one object-safe interface, whatever the joint count and the scalar type.

use exo_control::{ConfigError, ControlLaw, FaultReason, ParamId, ParamInfo, Real, Supervisor, SupervisorConfig};
use serde::{Deserialize, Serialize};

use super::frame::{Frame, Output};

/// The most joints a device may have (a two-legged device with hip, knee and ankle on each side).
pub const MAX_JOINTS: usize = 6;

/// The scalar type the device's firmware computes in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "scenario", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Precision {
    /// Double precision, as the rest of the simulator.
    #[default]
    F64,
    /// Single precision, as firmware on a microcontroller with a single-precision FPU: each sensor frame is
    /// rounded to `f32` on its way in, the law and the supervisor compute in `f32`, and the commands are widened
    /// (exactly) on their way out. A frame log of such a run replays bit for bit on the emulated
    /// microcontroller (`crates/firmware`).
    F32,
}

/// The device's control tick: the control law, then the safety supervisor.
///
/// Implemented by [`Firmware`] for every joint count up to [`MAX_JOINTS`] and both precisions. The simulation,
/// the frame log's replay and the visualiser see the controller only through this trait.
pub trait Controller: Send {
    /// Number of joints.
    fn joints(&self) -> usize;

    /// The law's name ([`ControlLaw::name`]).
    fn name(&self) -> &'static str;

    /// The scalar type it computes in.
    fn precision(&self) -> Precision;

    /// One tick: the law on `frame`, then the supervisor; the result goes into `out` (sized for
    /// [`Controller::joints`]). Does not allocate.
    fn tick(&mut self, frame: &Frame, dt_s: f64, out: &mut Output);

    /// Clears the law's integrators, filters and estimators, as at power-up.
    fn reset_law(&mut self);

    /// Clears a latched safe stop.
    fn reset_supervisor(&mut self);

    /// The law's tunable parameters (each per joint).
    fn parameters(&self) -> &'static [ParamInfo];

    /// The current value of a parameter.
    fn parameter(&self, id: ParamId) -> Option<f64>;

    /// Changes a parameter at once (refused values leave the law unchanged).
    fn set_parameter(&mut self, id: ParamId, value: f64) -> Result<(), ConfigError>;

    /// The gait phase the law estimated at its last tick (its first joint's), if it estimates one.
    fn gait_phase(&self) -> Option<f64>;

    /// The latched fault, [`FaultReason::None`] when not stopped.
    fn latched(&self) -> FaultReason;

    /// Transitions into limited so far.
    fn limited_events(&self) -> u32;

    /// Faults latched so far.
    fn fault_events(&self) -> u32;
}

/// exo-control's law and supervisor for `N` joints in scalar `T`.
pub struct Firmware<T: Real, const N: usize> {
    law: Box<dyn ControlLaw<T, N> + Send>,
    supervisor: Supervisor<T, N>,
}

impl<T: Real, const N: usize> Firmware<T, N> {
    /// A controller from a law and a supervisor configuration that monitors everything the law reads (refused
    /// otherwise: the supervisor would let the law act on a reading nobody checks).
    pub fn new(law: Box<dyn ControlLaw<T, N> + Send>, supervisor: SupervisorConfig<T, N>) -> Result<Self, ConfigError> {
        let supervisor = Supervisor::for_law(supervisor, law.reads())?;
        Ok(Self { law, supervisor })
    }

    /// The supervisor.
    #[must_use]
    pub fn supervisor(&self) -> &Supervisor<T, N> {
        &self.supervisor
    }
}

/// The `f64` value of a scalar (exact for `f32` and `f64`).
#[inline]
fn wide<T: Real>(x: T) -> f64 {
    x.to_subset().unwrap_or(f64::NAN)
}

impl<T: Real, const N: usize> Controller for Firmware<T, N>
where
    T: Send,
{
    fn joints(&self) -> usize {
        N
    }

    fn name(&self) -> &'static str {
        self.law.name()
    }

    fn precision(&self) -> Precision {
        if core::mem::size_of::<T>() == 4 { Precision::F32 } else { Precision::F64 }
    }

    #[inline]
    fn tick(&mut self, frame: &Frame, dt_s: f64, out: &mut Output) {
        let f = frame.to_fixed::<T, N>();
        let dt = T::from_subset(&dt_s);
        let command = self.law.update(&f, dt);
        let s = self.supervisor.apply(&f, &command, dt);
        for j in 0..N.min(out.torque_nm.len()) {
            out.command_torque_nm[j] = wide(command.torque_nm[j]);
            out.demand_nm[j] = wide(command.demand_nm[j]);
            out.torque_nm[j] = wide(s.command.torque_nm[j]);
        }
        out.state = s.state;
        out.reason = s.reason;
    }

    fn reset_law(&mut self) {
        self.law.reset();
    }

    fn reset_supervisor(&mut self) {
        self.supervisor.reset();
    }

    fn parameters(&self) -> &'static [ParamInfo] {
        self.law.parameters()
    }

    fn parameter(&self, id: ParamId) -> Option<f64> {
        self.law.parameter(id).map(wide)
    }

    fn set_parameter(&mut self, id: ParamId, value: f64) -> Result<(), ConfigError> {
        self.law.set_parameter(id, T::from_subset(&value))
    }

    fn gait_phase(&self) -> Option<f64> {
        self.law.gait_phase().map(wide)
    }

    fn latched(&self) -> FaultReason {
        self.supervisor.latched()
    }

    fn limited_events(&self) -> u32 {
        self.supervisor.limited_events()
    }

    fn fault_events(&self) -> u32 {
        self.supervisor.fault_events()
    }
}
