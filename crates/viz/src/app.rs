//! Assembling the application from the command line.

use anyhow::{Context, Result};
use bevy::prelude::*;
use bevy::render::RenderPlugin;
use bevy::window::WindowResolution;

use crate::camera::CameraPlugin;
use crate::capture::CapturePlugin;
use crate::cli::Args;
use crate::draw::DrawPlugin;
use crate::frames::Frames;
use crate::history::History;
use crate::live::LiveSim;
use crate::playback::Playback;
use crate::replay::Replay;
use crate::scenarios::{self, ScenarioCatalog};
use crate::scene::ScenePlugin;
use crate::sim::SimPlugin;
use crate::source::{install_live, install_replay};
use crate::ui::UiPlugin;

/// Window size, logical pixels.
pub const WINDOW_SIZE: (u32, u32) = (1280, 720);

/// What the application shows, loaded before any window opens (so that bad input fails fast, display or not).
pub enum Shown {
    /// A scenario run live.
    Live(Box<LiveSim>),
    /// A recorded run played back.
    Replay(Box<Replay>),
}

/// Loads the scenario (or the recording) `args` name. Errors are the user's: a scenario or a recording that
/// cannot be read.
pub fn load(args: &Args) -> Result<Shown> {
    Ok(match &args.replay {
        Some(dir) => {
            Shown::Replay(Box::new(Replay::open(dir).with_context(|| format!("cannot replay {}", dir.display()))?))
        }
        None => Shown::Live(Box::new(LiveSim::build(scenarios::load(args.scenario.as_deref())?)?)),
    })
}

/// The application `args` describe, showing `shown`; not yet running.
pub fn build(args: &Args, shown: Shown) -> App {
    let mut app = App::new();
    let title = match (&args.replay, &args.scenario) {
        (Some(d), _) => format!("exo-viz: replay of {}", d.display()),
        (None, Some(f)) => format!("exo-viz: {}", f.display()),
        (None, None) => "exo-viz: walking-assist".to_string(),
    };
    let mut resolution = WindowResolution::new(WINDOW_SIZE.0, WINDOW_SIZE.1);
    if args.screenshot.is_some() {
        // The same picture whatever the display's scale.
        resolution = resolution.with_scale_factor_override(1.0);
    }
    let window = Window { title, resolution, ..default() };
    let plugins = DefaultPlugins.set(WindowPlugin { primary_window: Some(window), ..default() });
    if args.screenshot.is_some() {
        // Shaders compile in the background otherwise, and the first frames miss objects.
        app.add_plugins(plugins.set(RenderPlugin { synchronous_pipeline_compilation: true, ..default() }));
    } else {
        app.add_plugins(plugins);
    }
    app.add_plugins((SimPlugin, ScenePlugin, DrawPlugin, CameraPlugin, UiPlugin));
    if let Some(path) = &args.screenshot {
        app.add_plugins(CapturePlugin { path: path.clone(), frames: args.frames });
    }

    let warmup = args.warmup_s();
    match shown {
        Shown::Replay(replay) => {
            let start = replay.start_s() + warmup;
            install_replay(app.world_mut(), *replay);
            if warmup > 0.0 {
                app.world_mut().resource_mut::<Replay>().seek = Some(start);
            }
            app.insert_resource(ScenarioCatalog::shipped());
        }
        Shown::Live(live) => {
            let catalog = ScenarioCatalog::beside(&live.scenario().path);
            install_live(app.world_mut(), *live);
            if warmup > 0.0 {
                let world = app.world_mut();
                world.resource_scope(|world, mut live: Mut<LiveSim>| {
                    world.resource_scope(|world, mut history: Mut<History>| {
                        let mut frames = world.resource_mut::<Frames>();
                        live.run_for(warmup, &mut frames, &mut history);
                        frames.settle();
                    });
                });
            }
            app.insert_resource(catalog);
        }
    }
    let mut playback = app.world_mut().resource_mut::<Playback>();
    playback.set_speed(args.speed);
    playback.paused = args.paused;
    app
}
