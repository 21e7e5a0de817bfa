//! The one interface every control law implements.

use crate::channel::Channels;
use crate::error::ConfigError;
use crate::frame::{Command, SensorFrame};
use crate::real::Real;

/// Names a tunable parameter of a law: which one (an index into [`ControlLaw::parameters`]) and for which joint.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ParamId {
    /// Index into the law's [`ControlLaw::parameters`] list.
    pub index: u8,
    /// Joint the value applies to.
    pub joint: u8,
}

/// Describes one tunable parameter: its name and unit, for sliders and logs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ParamInfo {
    /// Name, with its unit as suffix (`"stiffness_nm_per_rad"`).
    pub name: &'static str,
    /// Lowest value a user interface should offer.
    pub min: f64,
    /// Highest value a user interface should offer.
    pub max: f64,
}

/// A joint-space control law for `N` joints: one sensor frame and the tick length in, one command out.
///
/// The simulator, the visualiser and firmware call laws only through this trait, so a scenario can swap laws
/// without the simulation knowing which one runs.
pub trait ControlLaw<T: Real, const N: usize> {
    /// The law's name as users see it (`"sea_torque"`, `"assistance"`), the same as its scenario key.
    fn name(&self) -> &'static str;

    /// The frame channels this law reads. The supervisor must monitor every one of them
    /// ([`SensorChecks::monitored`](crate::safety::SensorChecks)); a law that reads a channel it does not
    /// declare can act on a reading nobody checks.
    fn reads(&self) -> Channels;

    /// Runs one control tick. Must not allocate or panic; `dt_s <= 0` or a non-finite frame holds the last
    /// command.
    fn update(&mut self, frame: &SensorFrame<T, N>, dt_s: T) -> Command<T, N>;

    /// Clears integrators, filters and estimators, as at power-up.
    fn reset(&mut self);

    /// The tunable parameters of this law (each applies per joint).
    fn parameters(&self) -> &'static [ParamInfo];

    /// Current value of a parameter, `None` if `id` names none.
    fn parameter(&self, id: ParamId) -> Option<T>;

    /// Changes a parameter at once, bumplessly where the law supports it. Invalid values are refused and leave
    /// the law unchanged.
    fn set_parameter(&mut self, id: ParamId, value: T) -> Result<(), ConfigError>;

    /// The gait phase the law estimated at its last tick (in `[0, 1)`), for laws that estimate one.
    fn gait_phase(&self) -> Option<T> {
        None
    }
}
