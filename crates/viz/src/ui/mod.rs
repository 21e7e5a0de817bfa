//! [`UiPlugin`]: the egui panels (bevy_egui): status line, controls and gains on the left, plots on the right,
//! the arrow legend over the 3-D view. The panels only edit resources; the simulation plugin acts on them.

mod controls;
mod legend;
pub mod plots;
pub mod status;

use bevy::camera::CameraOutputMode;
use bevy::camera::visibility::RenderLayers;
use bevy::ecs::system::SystemParam;
use bevy::prelude::*;
use bevy::render::render_resource::BlendState;
use bevy_egui::egui::{self, RichText};
use bevy_egui::{EguiContexts, EguiGlobalSettings, EguiPlugin, EguiPrimaryContextPass, PrimaryEguiContext};

use crate::camera::{PointerCapture, SceneViewport};
use crate::draw::ArrowStyle;
use crate::gains::GainPanel;
use crate::history::History;
use crate::live::LiveSim;
use crate::playback::{Playback, RealTimeFactor};
use crate::replay::Replay;
use crate::rig::Rig;
use crate::scenarios::ScenarioCatalog;
use crate::source::{Notice, SimRequests};
use plots::PlotSettings;
use status::Status;

/// Width of the control panel, logical pixels.
pub const CONTROLS_WIDTH: f32 = 290.0;
/// Width of the plot panel, logical pixels.
pub const PLOTS_WIDTH: f32 = 400.0;

/// Registers the panels (and bevy_egui, with its context on a camera of its own).
pub struct UiPlugin;

impl Plugin for UiPlugin {
    fn build(&self, app: &mut App) {
        if !app.is_plugin_added::<EguiPlugin>() {
            app.add_plugins(EguiPlugin::default());
        }
        // The egui context goes on its own camera, so that the 3-D camera can render into a viewport.
        app.world_mut().resource_mut::<EguiGlobalSettings>().auto_create_primary_context = false;
        app.init_resource::<PlotSettings>()
            .init_resource::<ScenarioCatalog>()
            .init_resource::<SceneViewport>()
            .init_resource::<PointerCapture>()
            .add_systems(Startup, spawn_ui_camera)
            .add_systems(Update, (pick_plot_joint.run_if(resource_changed::<Rig>), apply_shortcuts))
            .add_systems(EguiPrimaryContextPass, draw_panels);
    }
}

/// The camera egui draws with: over the 3-D view, rendering nothing else.
pub fn spawn_ui_camera(mut commands: Commands) {
    commands.spawn((
        PrimaryEguiContext,
        Camera2d,
        RenderLayers::none(),
        Camera {
            order: 1,
            output_mode: CameraOutputMode::Write {
                blend_state: Some(BlendState::ALPHA_BLENDING),
                clear_color: ClearColorConfig::None,
            },
            clear_color: ClearColorConfig::Custom(Color::NONE),
            ..default()
        },
    ));
}

/// The torque plot shows the device's first joint (without a device, the wearer's first), when a new rig is
/// installed.
pub fn pick_plot_joint(rig: Res<Rig>, mut settings: ResMut<PlotSettings>) {
    let first = rig.device_joints.first().map(|d| &d.name).or(rig.joints.first().map(|c| &c.name));
    if let Some(name) = first
        && settings.joint != *name
    {
        settings.joint.clone_from(name);
    }
}

/// Keyboard shortcuts (unless a panel has the keyboard): space plays or pauses, the right arrow or `.` runs
/// one step, `r` resets.
pub fn apply_shortcuts(
    keys: Res<ButtonInput<KeyCode>>,
    capture: Res<PointerCapture>,
    mut playback: ResMut<Playback>,
    mut requests: ResMut<SimRequests>,
    mut replay: Option<ResMut<Replay>>,
) {
    if capture.0 {
        return;
    }
    if keys.just_pressed(KeyCode::Space) {
        controls::toggle_play(&mut playback, replay.as_deref_mut());
    }
    if keys.just_pressed(KeyCode::ArrowRight) || keys.just_pressed(KeyCode::Period) {
        playback.step();
    }
    if keys.just_pressed(KeyCode::KeyR) {
        requests.reset = true;
    }
}

/// Everything the panels read and edit.
#[derive(SystemParam)]
pub(crate) struct UiState<'w> {
    playback: ResMut<'w, Playback>,
    live: Option<Res<'w, LiveSim>>,
    replay: Option<ResMut<'w, Replay>>,
    gains: ResMut<'w, GainPanel>,
    history: Res<'w, History>,
    rig: Option<Res<'w, Rig>>,
    catalog: Res<'w, ScenarioCatalog>,
    requests: ResMut<'w, SimRequests>,
    notice: Res<'w, Notice>,
    rtf: Res<'w, RealTimeFactor>,
    arrows: ResMut<'w, ArrowStyle>,
    plot: ResMut<'w, PlotSettings>,
    viewport: ResMut<'w, SceneViewport>,
    pointer: ResMut<'w, PointerCapture>,
}

impl UiState<'_> {
    fn status(&self) -> Status {
        let tick_s = self.playback.tick_s;
        let (source, time_s, duration_s, controller, (supervisor, fault)) = if let Some(live) = self.live.as_deref() {
            (
                live.scenario().scenario.name.clone(),
                live.read_loop(|s| s.time_s()),
                live.duration_s(),
                status::law_label(live.read_loop(|s| s.controller().name())),
                status::live_supervisor(live),
            )
        } else if let Some(replay) = self.replay.as_deref() {
            (
                format!("replay of {}", replay.scenario().scenario.name),
                replay.time_s(),
                replay.end_s(),
                status::law_label(replay.controller_name()),
                status::replay_supervisor(replay),
            )
        } else {
            ("nothing loaded".into(), 0.0, 0.0, "none".into(), ("–".into(), None))
        };
        Status {
            source,
            time_s,
            duration_s,
            real_time_factor: self.rtf.value,
            speed: self.playback.speed,
            paused: self.playback.paused,
            controller,
            supervisor,
            fault,
            notice: self.notice.0.clone().or_else(|| {
                let ended = self.playback.paused && time_s + 0.5 * tick_s >= duration_s && duration_s > 0.0;
                match (ended, self.replay.is_some()) {
                    (false, _) => None,
                    (true, false) => Some("end of the scenario: Play runs on past it".into()),
                    (true, true) => Some("end of the recording: Play starts over".into()),
                }
            }),
        }
    }
}

/// Draws the panels and hands the free middle of the window to the 3-D view.
pub(crate) fn draw_panels(mut contexts: EguiContexts, mut s: UiState) -> Result {
    let ctx = contexts.ctx_mut()?.clone();
    let mut root = egui::Ui::new(
        ctx.clone(),
        "exo-viz-root".into(),
        egui::UiBuilder::new().layer_id(egui::LayerId::background()).max_rect(ctx.viewport_rect()),
    );
    let status = s.status();
    egui::Panel::top("status").show(&mut root, |ui| {
        // Wraps onto a second line rather than cutting off the fault at the end.
        ui.add(egui::Label::new(RichText::new(status.line()).monospace()).wrap());
    });
    egui::Panel::left("controls").default_size(CONTROLS_WIDTH).resizable(true).show(&mut root, |ui| {
        controls::show(ui, &mut s);
    });
    let cuffs: Vec<String> = s
        .live
        .as_deref()
        .map(|l| {
            l.read(|sim| match sim {
                crate::live::Running::Leg(sim) => sim.world().cuffs().iter().map(|c| c.name.clone()).collect(),
                crate::live::Running::Walk(_) => Vec::new(),
            })
        })
        .or_else(|| s.replay.as_deref().map(|r| r.world().cuffs().iter().map(|c| c.name.clone()).collect()))
        .unwrap_or_default();
    egui::Panel::right("plots").default_size(PLOTS_WIDTH).resizable(true).show(&mut root, |ui| {
        let UiState { history, plot, rig, .. } = &mut s;
        plots::show(ui, history, plot, rig.as_deref(), &cuffs);
    });
    let free = root.available_rect_before_wrap();
    s.viewport.0 = Some(Rect::new(free.min.x, free.min.y, free.max.x, free.max.y));
    let muscles = s.live.as_deref().is_some_and(|l| l.muscles().is_some());
    legend::show(&ctx, free.min + egui::vec2(8.0, 8.0), &s.arrows, muscles);
    let busy = ctx.egui_is_using_pointer() || ctx.egui_wants_keyboard_input();
    if s.pointer.0 != busy {
        s.pointer.0 = busy;
    }
    Ok(())
}
