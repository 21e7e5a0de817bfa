//! What is shown: a live simulation or a replay, installed with everything derived from it, and the requests
//! that replace it (reset, another scenario).

use std::path::PathBuf;

use bevy::prelude::*;

use crate::frames::Frames;
use crate::gains::GainPanel;
use crate::history::{History, channel_names, walk_channel_names};
use crate::live::{LiveSim, Running};
use crate::playback::{Playback, RealTimeFactor};
use crate::replay::Replay;
use crate::rig::Rig;
use crate::scenarios;

/// Requests from the panel, served at the next frame.
#[derive(Resource, Clone, Debug, Default, PartialEq)]
pub struct SimRequests {
    /// Rebuild the simulation from its scenario (replay: back to the start).
    pub reset: bool,
    /// Load this scenario file and run it live.
    pub load: Option<PathBuf>,
    /// Clear the supervisor's latched safe stop.
    pub reset_supervisor: bool,
}

/// A message for the status line (a scenario that failed to load, for instance).
#[derive(Resource, Clone, Debug, Default, PartialEq)]
pub struct Notice(pub Option<String>);

fn install_common(world: &mut World, rig: Rig, history: History, frames: Frames, tick_s: f64) {
    world.insert_resource(rig);
    world.insert_resource(history);
    world.insert_resource(frames);
    world.insert_resource(RealTimeFactor::default());
    let mut playback = world.get_resource_or_init::<Playback>();
    playback.tick_s = tick_s;
    playback.pending_steps = 0;
}

/// Shows `live` (replacing any replay): its rig, an empty history, its gains, and its control tick.
pub fn install_live(world: &mut World, live: LiveSim) {
    world.remove_resource::<Replay>();
    let muscles = live.muscles().is_some();
    let (rig, history, tick_s) = live.read(|sim| match sim {
        Running::Leg(sim) => {
            let w = sim.world();
            (Rig::from_world(w), History::for_window(channel_names(w)), sim.timing().control_dt_s)
        }
        Running::Walk(sim) => {
            (Rig::from_walk(sim), History::for_window(walk_channel_names(sim, muscles)), sim.timing().control_dt_s)
        }
    });
    let mut frames = Frames::default();
    live.capture(frames.advance());
    frames.settle();
    world.insert_resource(GainPanel::of(&live));
    install_common(world, rig, history, frames, tick_s);
    world.insert_resource(live);
}

/// Shows `replay` (replacing any live simulation) from its start.
pub fn install_replay(world: &mut World, mut replay: Replay) {
    world.remove_resource::<LiveSim>();
    let rig = Rig::from_world(replay.world());
    let mut history = History::for_window(channel_names(replay.world()));
    let mut frames = Frames::default();
    replay.seek_to(replay.start_s(), &mut frames, &mut history);
    let tick_s = replay.tick_s();
    world.insert_resource(GainPanel::default());
    install_common(world, rig, history, frames, tick_s);
    world.insert_resource(replay);
}

/// Serves [`SimRequests`]: reset, load another scenario, reset the supervisor.
pub fn handle_requests(world: &mut World) {
    let Some(req) = world.get_resource::<SimRequests>().filter(|r| **r != SimRequests::default()).cloned() else {
        return;
    };
    world.insert_resource(SimRequests::default());
    if let Some(path) = req.load {
        match scenarios::load(Some(&path))
            .map_err(|e| e.to_string())
            .and_then(|l| LiveSim::build(l).map_err(|e| e.to_string()))
        {
            Ok(live) => {
                install_live(world, live);
                world.insert_resource(Notice(None));
            }
            Err(e) => world.insert_resource(Notice(Some(format!("cannot load {}: {e}", path.display())))),
        }
        return;
    }
    if req.reset {
        if let Some(live) = world.get_resource::<LiveSim>() {
            match LiveSim::build(live.scenario().clone()) {
                Ok(new) => install_live(world, new),
                Err(e) => world.insert_resource(Notice(Some(format!("cannot rebuild: {e}")))),
            }
        } else if let Some(mut replay) = world.get_resource_mut::<Replay>() {
            let start = replay.start_s();
            replay.seek = Some(start);
        }
    }
    if req.reset_supervisor
        && let Some(mut live) = world.get_resource_mut::<LiveSim>()
    {
        live.control_loop_mut().controller_mut().reset_supervisor();
    }
}
