//! The live simulation: built from a scenario, advanced one control tick per fixed step.
//!
//! No simulation logic lives here: it calls [`Simulation::tick`] and copies what rendering and plots read.

use std::sync::{Mutex, PoisonError};

use bevy::prelude::*;
use exo_sim::scenario::{self, LoadedScenario, ScenarioError};
use exo_sim::simulation::Simulation;

use crate::frames::{Frames, Snapshot};
use crate::history::{History, live_sample};
use crate::playback::Playback;

/// A running simulation and the scenario it was built from.
///
/// [`Simulation`] is `Send` but not `Sync` (its firmware is a `dyn Controller`, which is `Send`); the mutex makes the
/// resource shareable. It is never contended: writers have `&mut` access ([`Mutex::get_mut`]), readers are
/// systems that run one at a time against it.
#[derive(Resource)]
pub struct LiveSim {
    sim: Mutex<Simulation>,
    scenario: LoadedScenario,
    failure: Option<String>,
    end_reported: bool,
}

impl LiveSim {
    /// Builds the simulation `scenario` describes (its recorder off: the visualiser keeps its own history).
    pub fn build(scenario: LoadedScenario) -> Result<Self, ScenarioError> {
        let mut quiet = scenario.clone();
        quiet.scenario.simulation.record_rate_hz = 0.0;
        let sim = Simulation::new(scenario::build(&quiet, true)?);
        Ok(Self { sim: Mutex::new(sim), scenario, failure: None, end_reported: false })
    }

    /// Reads the simulation ([`LiveSim::tick`] advances it).
    pub fn read<R>(&self, f: impl FnOnce(&Simulation) -> R) -> R {
        f(&self.sim.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// The simulation, to change the controller's parameters or reset the supervisor.
    pub fn simulation_mut(&mut self) -> &mut Simulation {
        self.sim.get_mut().unwrap_or_else(PoisonError::into_inner)
    }

    /// The scenario.
    #[must_use]
    pub fn scenario(&self) -> &LoadedScenario {
        &self.scenario
    }

    /// Why the simulation stopped, if it failed (divergence, actuator failure).
    #[must_use]
    pub fn failure(&self) -> Option<&str> {
        self.failure.as_deref()
    }

    /// The scenario's duration, s.
    #[must_use]
    pub fn duration_s(&self) -> f64 {
        self.scenario.scenario.simulation.duration_s
    }

    /// Copies the current state into `snap`.
    pub fn capture(&self, snap: &mut Snapshot) {
        self.read(|sim| capture(sim, snap));
    }

    /// Runs one control tick and records it into `frames` and `history`. Returns false if the simulation has
    /// failed (now or earlier); it then stays where it failed.
    pub fn tick(&mut self, frames: &mut Frames, history: &mut History) -> bool {
        if self.failure.is_some() {
            return false;
        }
        let sim = self.sim.get_mut().unwrap_or_else(PoisonError::into_inner);
        if let Err(e) = sim.tick() {
            self.failure = Some(e.to_string());
            return false;
        }
        capture(sim, frames.advance());
        let t = sim.time_s();
        if history.due(t) {
            live_sample(sim, history.row_mut());
            history.commit(t);
        }
        true
    }

    /// Runs `seconds` of simulation at once (before the first frame, for instance).
    pub fn run_for(&mut self, seconds: f64, frames: &mut Frames, history: &mut History) {
        let ticks = (seconds / self.read(|s| s.timing().control_dt_s)).round().max(0.0) as u64;
        for _ in 0..ticks {
            if !self.tick(frames, history) {
                break;
            }
        }
    }

    /// True once, at the first call after simulated time reached the scenario's duration.
    pub fn take_end(&mut self) -> bool {
        let (t, dt) = self.read(|s| (s.time_s(), s.timing().control_dt_s));
        let end = t + 0.5 * dt >= self.duration_s();
        let first = end && !self.end_reported;
        self.end_reported |= end;
        first
    }
}

fn capture(sim: &Simulation, snap: &mut Snapshot) {
    let w = sim.world();
    snap.capture(w, sim.human_torque_nm(), &w.readings().exo_torque_nm);
}

/// One control tick per fixed step, unless paused; pauses at a failure and at the scenario's end.
pub fn advance_simulation(
    mut live: ResMut<LiveSim>,
    mut playback: ResMut<Playback>,
    mut frames: ResMut<Frames>,
    mut history: ResMut<History>,
) {
    if playback.paused {
        return;
    }
    if !live.tick(&mut frames, &mut history) || live.take_end() {
        playback.paused = true;
    }
}
