//! The live simulation: built from a scenario, advanced one control tick per fixed step.
//!
//! No simulation logic lives here: it calls the simulation's `tick` and copies what rendering and plots read.

use std::sync::{Arc, Mutex, PoisonError};

use bevy::prelude::*;
use exo_sim::scenario::ImportedWearer;
use exo_sim::scenario::{self, LoadedScenario, ScenarioError};
use exo_sim::simulation::{ControlLoop, Simulation};
use exo_sim::walk::WalkSimulation;
use exo_sim::wearer::metabolics::Umberger2010;
use exo_sim::wearer::muscle_analysis::{MuscleInstant, MuscleMeter, MuscleModel, SharingOptions};
use exo_sim::wearer::{Musculature, Skeleton, SkeletonKinematics};

use crate::frames::{Frames, Snapshot};
use crate::history::{History, METABOLIC_CHANNEL, live_sample, walk_sample};
use crate::playback::Playback;

/// The simulation a scenario describes: the one-legged wearer, or a wearer imported from OpenSim walking on both
/// legs.
pub enum Running {
    /// The one-legged wearer ([`Simulation`]).
    Leg(Box<Simulation>),
    /// An imported wearer ([`WalkSimulation`]).
    Walk(Box<WalkSimulation>),
}

impl Running {
    /// Its clock and firmware, whichever it is.
    #[must_use]
    pub fn control_loop(&self) -> &dyn ControlLoop {
        match self {
            Running::Leg(s) => s.as_ref(),
            Running::Walk(s) => s.as_ref(),
        }
    }

    /// Its clock and firmware, to change the law's parameters or clear the supervisor.
    pub fn control_loop_mut(&mut self) -> &mut dyn ControlLoop {
        match self {
            Running::Leg(s) => s.as_mut(),
            Running::Walk(s) => s.as_mut(),
        }
    }

    /// One control tick; the error as text.
    fn tick(&mut self) -> Result<(), String> {
        match self {
            Running::Leg(s) => s.tick().map_err(|e| e.to_string()),
            Running::Walk(s) => s.tick().map_err(|e| e.to_string()),
        }
    }
}

/// An imported wearer's muscles evaluated as the walk runs: the wearer's joint torques shared among them by static
/// optimization (the post-run analysis' own [`MuscleMeter`], warm-started from the sample before) at every
/// history sample, and their paths for drawing.
pub struct LiveMuscles {
    skeleton: Arc<Skeleton>,
    musculature: Musculature,
    probe: Umberger2010,
    options: SharingOptions,
    meter: MuscleMeter,
    kin: SkeletonKinematics,
    q: Vec<f64>,
    u: Vec<f64>,
    /// The muscles at the last evaluation.
    pub instant: MuscleInstant,
    /// Each muscle's path in ground at the last evaluation (OpenSim's x, y, z), m.
    pub paths: Vec<Vec<[f64; 3]>>,
    /// Why the last evaluation failed, if it did (the muscles then stay as they were).
    pub error: Option<String>,
}

impl LiveMuscles {
    fn new(imported: &ImportedWearer) -> Option<Self> {
        let (musculature, probe) = imported.muscles.clone()?;
        let skeleton = imported.skeleton.clone();
        let options = SharingOptions::new(&skeleton);
        let model = MuscleModel { skeleton: &skeleton, muscles: &musculature, probe: &probe, options: &options };
        let meter = MuscleMeter::new(&model);
        let n = skeleton.coordinates.len();
        Some(Self {
            kin: SkeletonKinematics::new(&skeleton),
            paths: vec![Vec::new(); musculature.paths.len()],
            skeleton,
            musculature,
            probe,
            options,
            meter,
            q: vec![0.0; n],
            u: vec![0.0; n],
            instant: MuscleInstant::default(),
            error: None,
        })
    }

    /// The muscles of `sim`'s present state.
    fn evaluate(&mut self, sim: &WalkSimulation) {
        let body = sim.body();
        for c in 0..self.q.len() {
            self.q[c] = body.q(c);
            self.u[c] = body.u(c);
        }
        let model = MuscleModel {
            skeleton: &self.skeleton,
            muscles: &self.musculature,
            probe: &self.probe,
            options: &self.options,
        };
        self.error = self
            .meter
            .evaluate(&model, &self.q, &self.u, &sim.wearer_forces().total, &mut self.instant)
            .err()
            .map(|e| e.to_string());
        self.kin.update(&self.skeleton, &self.q, &self.u);
        for (p, out) in self.musculature.paths.iter().zip(&mut self.paths) {
            p.points_m(&self.skeleton, &self.kin, &self.q, out);
        }
    }
}

/// A running simulation and the scenario it was built from.
///
/// The simulations are `Send` but not `Sync` (their firmware is a `dyn Controller`, which is `Send`); the mutex
/// makes the resource shareable. It is never contended: writers have `&mut` access ([`Mutex::get_mut`]), readers
/// are systems that run one at a time against it.
#[derive(Resource)]
pub struct LiveSim {
    sim: Mutex<Running>,
    muscles: Option<LiveMuscles>,
    scenario: LoadedScenario,
    failure: Option<String>,
    end_reported: bool,
}

impl LiveSim {
    /// Builds the simulation `scenario` describes (its recorder off: the visualiser keeps its own history): with
    /// `[wearer]` the imported wearer's walk with its device, else the one-legged wearer.
    pub fn build(scenario: LoadedScenario) -> Result<Self, ScenarioError> {
        let mut quiet = scenario.clone();
        quiet.scenario.simulation.record_rate_hz = 0.0;
        let (sim, muscles) = if quiet.scenario.wearer.is_some() {
            // The muscles (when the scenario names a metabolics file) are evaluated here as the walk runs.
            let imported = scenario::import_wearer(&quiet)?;
            let walk = WalkSimulation::new(scenario::build_walk(&quiet, &imported, true)?);
            (Running::Walk(Box::new(walk)), LiveMuscles::new(&imported))
        } else {
            (Running::Leg(Box::new(Simulation::new(scenario::build(&quiet, true)?))), None)
        };
        Ok(Self { sim: Mutex::new(sim), muscles, scenario, failure: None, end_reported: false })
    }

    /// Reads the simulation ([`LiveSim::tick`] advances it).
    pub fn read<R>(&self, f: impl FnOnce(&Running) -> R) -> R {
        f(&self.sim.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// An imported wearer's muscles as of the last history sample, when the scenario has them.
    #[must_use]
    pub fn muscles(&self) -> Option<&LiveMuscles> {
        self.muscles.as_ref()
    }

    /// Reads the simulation's clock and firmware, whichever simulation it is.
    pub fn read_loop<R>(&self, f: impl FnOnce(&dyn ControlLoop) -> R) -> R {
        self.read(|r| f(r.control_loop()))
    }

    /// The simulation's clock and firmware, to change the controller's parameters or reset the supervisor.
    pub fn control_loop_mut(&mut self) -> &mut dyn ControlLoop {
        self.sim.get_mut().unwrap_or_else(PoisonError::into_inner).control_loop_mut()
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
            self.failure = Some(e);
            return false;
        }
        capture(sim, frames.advance());
        let t = sim.control_loop().time_s();
        if history.due(t) {
            match sim {
                Running::Leg(s) => live_sample(s, history.row_mut()),
                Running::Walk(s) => {
                    walk_sample(s, history.row_mut());
                    if let Some(m) = self.muscles.as_mut() {
                        m.evaluate(s);
                        if let Some(k) = history.index(METABOLIC_CHANNEL) {
                            history.row_mut()[k] = m.instant.metabolic_power_w;
                        }
                    }
                }
            }
            history.commit(t);
        }
        true
    }

    /// Runs `seconds` of simulation at once (before the first frame, for instance).
    pub fn run_for(&mut self, seconds: f64, frames: &mut Frames, history: &mut History) {
        let ticks = (seconds / self.read_loop(|s| s.timing().control_dt_s)).round().max(0.0) as u64;
        for _ in 0..ticks {
            if !self.tick(frames, history) {
                break;
            }
        }
    }

    /// True once, at the first call after simulated time reached the scenario's duration.
    pub fn take_end(&mut self) -> bool {
        let (t, dt) = self.read_loop(|s| (s.time_s(), s.timing().control_dt_s));
        let end = t + 0.5 * dt >= self.duration_s();
        let first = end && !self.end_reported;
        self.end_reported |= end;
        first
    }
}

fn capture(sim: &Running, snap: &mut Snapshot) {
    match sim {
        Running::Leg(sim) => {
            let w = sim.world();
            snap.capture(w, sim.human_torque_nm(), &w.readings().exo_torque_nm);
        }
        Running::Walk(sim) => snap.capture_walk(sim),
    }
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
