//! [`CameraPlugin`]: an orbit camera (drag to rotate, wheel to zoom) that follows the pelvis, rendering into the
//! part of the window the panels leave free.

use bevy::camera::Viewport;
use bevy::core_pipeline::tonemapping::Tonemapping;
use bevy::input::mouse::{AccumulatedMouseMotion, AccumulatedMouseScroll, MouseScrollUnit};
use bevy::prelude::*;
use bevy::window::PrimaryWindow;

use crate::draw::palette;
use crate::frames::{Frames, blend_factor};
use crate::playback::Playback;
use crate::rig::Rig;
use crate::scene::SceneSystems;

/// The 3-D view's camera: it looks at `focus` from `distance_m` away, `yaw_rad` round the vertical axis from
/// the lateral side (+z, where the exoskeleton is) towards the front, `pitch_rad` above the horizontal.
#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct OrbitCamera {
    /// The point looked at, m.
    pub focus: Vec3,
    /// Azimuth from the lateral side towards the front, rad.
    pub yaw_rad: f32,
    /// Elevation, rad.
    pub pitch_rad: f32,
    /// Distance from the focus, m.
    pub distance_m: f32,
    /// Keep the focus on the pelvis (below it, mid-leg).
    pub follow: bool,
}

impl Default for OrbitCamera {
    fn default() -> Self {
        Self { focus: Vec3::new(0.0, 0.5, 0.12), yaw_rad: 0.55, pitch_rad: 0.12, distance_m: 2.1, follow: true }
    }
}

impl OrbitCamera {
    /// The camera's transform.
    #[must_use]
    pub fn transform(&self) -> Transform {
        let dir = Vec3::new(
            self.pitch_rad.cos() * self.yaw_rad.sin(),
            self.pitch_rad.sin(),
            self.pitch_rad.cos() * self.yaw_rad.cos(),
        );
        Transform::from_translation(self.focus + dir * self.distance_m).looking_at(self.focus, Vec3::Y)
    }
}

/// The part of the window the 3-D view gets (logical pixels), set by the panels; the whole window without.
#[derive(Resource, Clone, Copy, Debug, Default, PartialEq)]
pub struct SceneViewport(pub Option<Rect>);

/// Set by the panels while they use the pointer (dragging a slider) or the keyboard (typing a value): the camera
/// and the shortcuts leave them alone.
#[derive(Resource, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PointerCapture(pub bool);

/// Registers the camera.
pub struct CameraPlugin;

impl Plugin for CameraPlugin {
    fn build(&self, app: &mut App) {
        app.init_resource::<SceneViewport>()
            .init_resource::<PointerCapture>()
            .add_systems(Startup, spawn_camera)
            .add_systems(Update, (fit_viewport, orbit_camera, follow_pelvis, place_camera).chain().after(SceneSystems));
    }
}

/// Spawns the 3-D camera.
pub fn spawn_camera(mut commands: Commands) {
    let orbit = OrbitCamera::default();
    commands.spawn((
        Camera3d::default(),
        Camera { order: 0, clear_color: ClearColorConfig::Custom(palette::SKY), ..default() },
        Tonemapping::None,
        orbit.transform(),
        orbit,
    ));
}

/// Renders the 3-D view into [`SceneViewport`].
pub fn fit_viewport(
    viewport: Res<SceneViewport>,
    window: Single<&Window, With<PrimaryWindow>>,
    mut cameras: Query<&mut Camera, With<OrbitCamera>>,
) {
    let Some(rect) = viewport.0 else { return };
    let scale = window.scale_factor();
    let size = UVec2::new(window.physical_width(), window.physical_height());
    let min = (rect.min * scale).round().as_uvec2().min(size.saturating_sub(UVec2::ONE));
    let max = (rect.max * scale).round().as_uvec2().min(size);
    let wanted = Viewport { physical_position: min, physical_size: (max - min).max(UVec2::ONE), ..default() };
    for mut camera in &mut cameras {
        let same = camera.viewport.as_ref().is_some_and(|v| {
            v.physical_position == wanted.physical_position && v.physical_size == wanted.physical_size
        });
        if !same {
            camera.viewport = Some(wanted.clone());
        }
    }
}

/// Left or right drag rotates, the wheel zooms, over the 3-D view only.
pub fn orbit_camera(
    buttons: Res<ButtonInput<MouseButton>>,
    motion: Res<AccumulatedMouseMotion>,
    scroll: Res<AccumulatedMouseScroll>,
    capture: Res<PointerCapture>,
    viewport: Res<SceneViewport>,
    window: Single<&Window, With<PrimaryWindow>>,
    mut cameras: Query<&mut OrbitCamera>,
) {
    let inside = match (window.cursor_position(), viewport.0) {
        (Some(p), Some(r)) => r.contains(p),
        (Some(_), None) => true,
        (None, _) => false,
    };
    if capture.0 || !inside {
        return;
    }
    let dragging = buttons.pressed(MouseButton::Left) || buttons.pressed(MouseButton::Right);
    let lines = match scroll.unit {
        MouseScrollUnit::Line => scroll.delta.y,
        MouseScrollUnit::Pixel => scroll.delta.y / 40.0,
    };
    for mut orbit in &mut cameras {
        if dragging {
            orbit.yaw_rad -= motion.delta.x * 0.008;
            orbit.pitch_rad = (orbit.pitch_rad + motion.delta.y * 0.008).clamp(-1.4, 1.4);
        }
        if lines != 0.0 {
            orbit.distance_m = (orbit.distance_m * 0.9f32.powf(lines)).clamp(0.4, 12.0);
        }
    }
}

/// Moves the focus smoothly to the middle of the leg (the mean of pelvis, hip, knee and ankle).
pub fn follow_pelvis(
    frames: Res<Frames>,
    rig: Option<Res<Rig>>,
    playback: Res<Playback>,
    fixed: Res<Time<Fixed>>,
    real: Res<Time<Real>>,
    mut cameras: Query<&mut OrbitCamera>,
) {
    let Some(rig) = rig.filter(|_| !frames.curr.poses.is_empty()) else { return };
    let alpha = blend_factor(&fixed, &playback);
    let mut sum = frames.pelvis(alpha).origin_m;
    for j in &rig.joints {
        sum += frames.pose(j.leg_body, alpha).origin_m;
    }
    let mid = sum / (1 + rig.joints.len()) as f64;
    let (distance, lateral) = rig.view_m;
    let target = Vec3::new(mid.x as f32, mid.y as f32, lateral);
    if rig.is_changed() {
        for mut orbit in &mut cameras {
            orbit.distance_m = distance;
        }
    }
    let k = 1.0 - (-real.delta_secs() / 0.6).exp();
    for mut orbit in cameras.iter_mut().filter(|o| o.follow) {
        // Jump on the first frames (and after a reload far away), glide otherwise.
        let far = orbit.focus.distance(target) > 1.0 || real.elapsed_secs() < 0.5;
        orbit.focus = if far { target } else { orbit.focus.lerp(target, k) };
    }
}

/// Applies the orbit to the camera's transform.
pub fn place_camera(mut cameras: Query<(&OrbitCamera, &mut Transform), Changed<OrbitCamera>>) {
    for (orbit, mut tf) in &mut cameras {
        *tf = orbit.transform();
    }
}
