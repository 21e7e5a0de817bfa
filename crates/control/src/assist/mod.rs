//! Gait-phase-based assistance: torque profiles, gait-phase estimators and the [`Assistance`] law.
//!
//! Gait phase is a number in `[0, 1)`: 0 at heel strike of the instrumented leg, 1 at its next heel strike.

mod law;
mod oscillator;
mod phase;
mod profile;

pub use law::{Assistance, AssistanceConfig, PhaseEstimatorConfig};
pub use oscillator::{AdaptiveOscillator, AdaptiveOscillatorConfig};
pub use phase::{HeelStrikePhase, HeelStrikePhaseConfig};
pub use profile::{Profile, SplineProfile, TABLE_CAPACITY, TableProfile};
