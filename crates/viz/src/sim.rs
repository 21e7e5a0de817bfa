//! [`SimPlugin`]: the simulation (or replay) as resources, advanced in `FixedUpdate`.

use bevy::prelude::*;
use bevy::time::TimeSystems;

use crate::frames::Frames;
use crate::gains::{GainPanel, apply_gain_changes};
use crate::history::History;
use crate::live::{LiveSim, advance_simulation};
use crate::playback::{Playback, RealTimeFactor, configure_clock, measure_real_time_factor};
use crate::replay::{Replay, advance_replay, apply_seek};
use crate::source::{Notice, SimRequests, handle_requests};

/// Where the simulation systems run, for ordering readers after them.
#[derive(SystemSet, Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SimSystems {
    /// `FixedUpdate`: one control tick (or replay tick) per fixed step.
    Advance,
    /// `PreUpdate`: requests, gain changes, seeks and single steps from the panel, before this frame's fixed
    /// steps (so that a new gain acts from the next control tick).
    Apply,
}

/// Registers the simulation's resources and systems. Install what to show with
/// [`install_live`](crate::source::install_live) or [`install_replay`](crate::source::install_replay).
pub struct SimPlugin;

impl Plugin for SimPlugin {
    fn build(&self, app: &mut App) {
        app.init_resource::<Playback>()
            .init_resource::<SimRequests>()
            .init_resource::<Notice>()
            .init_resource::<RealTimeFactor>()
            .init_resource::<Frames>()
            .init_resource::<History>()
            .init_resource::<GainPanel>()
            .add_systems(First, configure_clock.before(TimeSystems))
            .add_systems(
                FixedUpdate,
                (
                    advance_simulation.run_if(resource_exists::<LiveSim>),
                    advance_replay.run_if(resource_exists::<Replay>),
                )
                    .in_set(SimSystems::Advance),
            )
            .add_systems(
                PreUpdate,
                (
                    handle_requests,
                    apply_gain_changes.run_if(resource_exists::<LiveSim>),
                    apply_seek.run_if(resource_exists::<Replay>),
                    run_single_steps,
                    measure_real_time_factor,
                )
                    .chain()
                    .in_set(SimSystems::Apply),
            );
    }
}

/// Runs the single steps asked for while paused: one control tick each.
pub fn run_single_steps(
    mut playback: ResMut<Playback>,
    live: Option<ResMut<LiveSim>>,
    replay: Option<ResMut<Replay>>,
    mut frames: ResMut<Frames>,
    mut history: ResMut<History>,
) {
    if playback.pending_steps == 0 {
        return;
    }
    let steps = std::mem::take(&mut playback.pending_steps);
    if !playback.paused {
        return;
    }
    if let Some(mut live) = live {
        for _ in 0..steps {
            live.tick(&mut frames, &mut history);
        }
    } else if let Some(mut replay) = replay {
        let dt = replay.tick_s();
        for _ in 0..steps {
            replay.step(dt, &mut frames, &mut history);
        }
    }
}
