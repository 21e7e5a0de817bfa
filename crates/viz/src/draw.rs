//! [`DrawPlugin`]: meshes and materials of the rig, lights, the ground, and the torque and force arrows.

use std::f32::consts::{FRAC_PI_2, PI};

use bevy::prelude::*;

use crate::coords::{self, CUFF_LATERAL_M, LEG_LATERAL_M};
use crate::frames::{Frames, blend_factor};
use crate::live::LiveSim;
use crate::playback::Playback;
use crate::rig::{Look, Rig, Shape};
use crate::scene::{SceneSystems, Visual};

/// Colours of the scene (sRGB), shared with the legend.
pub mod palette {
    use bevy::color::Color;

    /// The human leg. The screenshot check looks for this colour.
    pub const SKIN: Color = Color::srgb(0.88, 0.56, 0.40);
    /// The pelvis (clothing).
    pub const PELVIS: Color = Color::srgb(0.36, 0.38, 0.52);
    /// Exoskeleton links.
    pub const FRAME: Color = Color::srgb(0.55, 0.60, 0.66);
    /// Exoskeleton joint housings.
    pub const HUB: Color = Color::srgb(0.13, 0.14, 0.16);
    /// Cuffs.
    pub const CUFF: Color = Color::srgb(0.10, 0.42, 0.50);
    /// A carried load (a backpack).
    pub const PACK: Color = Color::srgb(0.30, 0.36, 0.22);
    /// The ground.
    pub const GROUND: Color = Color::srgb(0.30, 0.31, 0.33);
    /// Ground grid lines.
    pub const GRID: Color = Color::srgb(0.45, 0.47, 0.50);
    /// Background.
    pub const SKY: Color = Color::srgb(0.70, 0.75, 0.81);
    /// Human joint torque arrows.
    pub const HUMAN_TORQUE: Color = Color::srgb(0.90, 0.10, 0.45);
    /// Exoskeleton joint torque arrows.
    pub const EXO_TORQUE: Color = Color::srgb(0.05, 0.45, 0.95);
    /// Cuff force arrows.
    pub const CUFF_FORCE: Color = Color::srgb(0.95, 0.75, 0.05);
    /// Ground reaction arrow.
    pub const GROUND_FORCE: Color = Color::srgb(0.15, 0.65, 0.25);
    /// A muscle at rest (activation 0).
    pub const MUSCLE_REST: Color = Color::srgb(0.25, 0.45, 0.95);
    /// A muscle fully active (activation 1).
    pub const MUSCLE_ACTIVE: Color = Color::srgb(0.80, 0.02, 0.05);
}

/// How arrows are scaled, and which are shown.
#[derive(Resource, Clone, Debug, PartialEq)]
pub struct ArrowStyle {
    /// Sweep of a torque arc per N m, degrees (capped at 330°).
    pub torque_deg_per_nm: f32,
    /// Length of a cuff force arrow per N, m.
    pub cuff_m_per_n: f32,
    /// Length of the ground reaction arrow per N, m.
    pub ground_m_per_n: f32,
    /// Draw joint torques.
    pub torques: bool,
    /// Draw cuff forces.
    pub cuffs: bool,
    /// Draw the ground reaction.
    pub ground: bool,
    /// Draw an imported wearer's muscles along their paths, coloured by activation.
    pub muscles: bool,
}

impl Default for ArrowStyle {
    fn default() -> Self {
        Self {
            torque_deg_per_nm: 8.0,
            cuff_m_per_n: 0.004,
            ground_m_per_n: 0.0005,
            torques: true,
            cuffs: true,
            ground: true,
            muscles: true,
        }
    }
}

/// Arrow gizmos: thicker than the default group, and drawn over the solids they start inside.
#[derive(Default, Reflect, GizmoConfigGroup)]
pub struct ArrowGizmos;

/// Muscle gizmos: drawn over the limbs they run inside.
#[derive(Default, Reflect, GizmoConfigGroup)]
pub struct MuscleGizmos;

/// Materials of the rig.
#[derive(Resource, Clone, Debug)]
pub struct Materials {
    skin: Handle<StandardMaterial>,
    pelvis: Handle<StandardMaterial>,
    frame: Handle<StandardMaterial>,
    hub: Handle<StandardMaterial>,
    cuff: Handle<StandardMaterial>,
    pack: Handle<StandardMaterial>,
}

impl Materials {
    /// The material of a look.
    #[must_use]
    pub fn of(&self, look: Look) -> Handle<StandardMaterial> {
        match look {
            Look::Skin => self.skin.clone(),
            Look::Pelvis => self.pelvis.clone(),
            Look::Frame => self.frame.clone(),
            Look::Hub => self.hub.clone(),
            Look::Cuff => self.cuff.clone(),
            Look::Pack => self.pack.clone(),
        }
    }
}

/// Registers the drawing of the scene.
pub struct DrawPlugin;

impl Plugin for DrawPlugin {
    fn build(&self, app: &mut App) {
        app.init_resource::<ArrowStyle>()
            .insert_gizmo_config(
                ArrowGizmos,
                GizmoConfig { line: GizmoLineConfig { width: 4.0, ..default() }, depth_bias: -1.0, ..default() },
            )
            .insert_gizmo_config(
                MuscleGizmos,
                GizmoConfig { line: GizmoLineConfig { width: 3.0, ..default() }, depth_bias: -1.0, ..default() },
            )
            .add_systems(Startup, (create_materials, spawn_environment))
            .add_systems(Update, (attach_meshes, draw_ground_grid, draw_force_arrows, draw_muscles).after(SceneSystems))
            .add_systems(Update, place_ground.run_if(resource_exists_and_changed::<Rig>));
    }
}

/// Creates the rig's materials.
pub fn create_materials(mut commands: Commands, mut materials: ResMut<Assets<StandardMaterial>>) {
    let mut mat = |color: Color, roughness: f32, metallic: f32| {
        materials.add(StandardMaterial { base_color: color, perceptual_roughness: roughness, metallic, ..default() })
    };
    commands.insert_resource(Materials {
        skin: mat(palette::SKIN, 0.8, 0.0),
        pelvis: mat(palette::PELVIS, 0.9, 0.0),
        frame: mat(palette::FRAME, 0.35, 0.6),
        hub: mat(palette::HUB, 0.5, 0.3),
        cuff: mat(palette::CUFF, 0.7, 0.0),
        pack: mat(palette::PACK, 0.9, 0.0),
    });
}

/// The ground plane.
#[derive(Component, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Ground;

/// Lights and the ground plane.
pub fn spawn_environment(
    mut commands: Commands,
    mut meshes: ResMut<Assets<Mesh>>,
    mut materials: ResMut<Assets<StandardMaterial>>,
) {
    commands.insert_resource(GlobalAmbientLight { color: Color::WHITE, brightness: 600.0, ..default() });
    commands.spawn((
        DirectionalLight { illuminance: 6000.0, shadow_maps_enabled: true, ..default() },
        Transform::from_xyz(1.5, 3.0, 2.5).looking_at(Vec3::ZERO, Vec3::Y),
    ));
    commands.spawn((
        Mesh3d(meshes.add(Plane3d::default().mesh().size(8.0, 8.0))),
        MeshMaterial3d(materials.add(StandardMaterial {
            base_color: palette::GROUND,
            perceptual_roughness: 1.0,
            ..default()
        })),
        Transform::from_xyz(0.0, -0.002, 0.0),
        Ground,
    ));
}

/// Puts the ground plane at the rig's ground height.
pub fn place_ground(rig: Res<Rig>, mut ground: Query<&mut Transform, With<Ground>>) {
    for mut tf in &mut ground {
        tf.translation.y = rig.ground_m - 0.002;
    }
}

/// The mesh of a shape (around its own origin, long axis along y).
#[must_use]
pub fn mesh_of(shape: &Shape) -> Mesh {
    match *shape {
        Shape::Capsule { radius, from, to } => Capsule3d::new(radius, (to - from).length()).into(),
        Shape::Bar { from, to, width, depth } => Cuboid::new(width, (to - from).length(), depth).into(),
        Shape::Disc { radius, depth, .. } => Cylinder::new(radius, depth).into(),
    }
}

/// Gives the rig's new solids their meshes and materials.
pub fn attach_meshes(
    mut commands: Commands,
    new: Query<(Entity, &Visual), Added<Visual>>,
    materials: Res<Materials>,
    mut meshes: ResMut<Assets<Mesh>>,
) {
    for (e, v) in &new {
        commands.entity(e).insert((Mesh3d(meshes.add(mesh_of(&v.shape))), MeshMaterial3d(materials.of(v.look))));
    }
}

/// A 4 m square grid on the ground, 25 cm cells.
pub fn draw_ground_grid(mut gizmos: Gizmos, rig: Option<Res<Rig>>) {
    let y = rig.map_or(0.0, |r| r.ground_m);
    gizmos.grid(
        Isometry3d::new(Vec3::new(0.0, y, 0.0), Quat::from_rotation_x(FRAC_PI_2)),
        UVec2::splat(16),
        Vec2::splat(0.25),
        palette::GRID,
    );
}

/// A torque as a circular arrow in the sagittal plane around `centre`: counter-clockwise for a positive
/// (counter-clockwise) moment, sweeping `style.torque_deg_per_nm` per N m from `start_rad`.
fn torque_arc(
    gizmos: &mut Gizmos<ArrowGizmos>,
    centre: Vec3,
    radius: f32,
    start_rad: f32,
    moment_nm: f32,
    style: &ArrowStyle,
    color: Color,
) {
    let sweep = (moment_nm * style.torque_deg_per_nm).clamp(-330.0, 330.0).to_radians();
    if sweep.abs() < 0.05 {
        return;
    }
    let at = |a: f32| centre + Vec3::new(a.cos(), a.sin(), 0.0) * radius;
    let n = ((sweep.abs() / (PI / 24.0)).ceil() as usize).max(2);
    gizmos.linestrip((0..n).map(|k| at(start_rad + sweep * k as f32 / n as f32)), color);
    let (a, b) = (at(start_rad + sweep * (n - 1) as f32 / n as f32), at(start_rad + sweep));
    gizmos.arrow(a, b, color).with_tip_length(0.035);
}

/// Joint torques (human, exoskeleton) as circular arrows about the joints, cuff forces on the limb and the
/// ground reaction as straight arrows, from the last two fixed steps.
pub fn draw_force_arrows(
    mut gizmos: Gizmos<ArrowGizmos>,
    frames: Res<Frames>,
    rig: Option<Res<Rig>>,
    style: Res<ArrowStyle>,
    playback: Res<Playback>,
    fixed: Res<Time<Fixed>>,
) {
    let Some(rig) = rig else { return };
    let alpha = blend_factor(&fixed, &playback);
    let now = &frames.curr;
    if style.torques {
        for j in &rig.joints {
            let leg = frames.pose(j.leg_body, alpha);
            let centre = coords::point(&leg.origin_m, j.lateral_m);
            let tau = (j.leg_sign * now.human_torque_nm.get(j.coordinate).copied().unwrap_or(0.0)) as f32;
            torque_arc(&mut gizmos, centre, 0.1, leg.angle_rad as f32, tau, &style, palette::HUMAN_TORQUE);
        }
        for d in &rig.device_joints {
            let exo = frames.pose(d.body, alpha);
            let centre = coords::point(&exo.origin_m, d.lateral_m);
            let tau = (d.sign * now.exo_torque_nm.get(d.device_joint).copied().unwrap_or(0.0)) as f32;
            torque_arc(&mut gizmos, centre, 0.07, exo.angle_rad as f32, tau, &style, palette::EXO_TORQUE);
        }
    }
    if style.cuffs {
        for (a, b) in frames.prev.cuffs.iter().zip(&now.cuffs) {
            let p = a.point_m + (b.point_m - a.point_m) * alpha;
            let start = coords::point(&p, CUFF_LATERAL_M + 0.05);
            let v = coords::vector(&b.force_n) * style.cuff_m_per_n;
            if v.length() > 0.005 {
                gizmos.arrow(start, start + v, palette::CUFF_FORCE).with_tip_length(0.03);
            }
        }
    }
    if style.ground {
        for (k, g) in now.ground.iter().enumerate() {
            // One foot: the leg's plane; two (an imported wearer's right, then left): each under its hip.
            let lateral = match (now.ground.len(), k) {
                (1, _) => LEG_LATERAL_M,
                (_, 0) => rig.feet_lateral_m[0],
                _ => rig.feet_lateral_m[1],
            };
            let start = coords::point(&g.point_m, lateral).with_y(0.003);
            let v = coords::vector(&g.force_n) * style.ground_m_per_n;
            if v.length() > 0.005 {
                gizmos.arrow(start, start + v, palette::GROUND_FORCE).with_tip_length(0.04);
            }
        }
    }
}

/// The colour of a muscle at `activation` (0 to 1).
#[must_use]
pub fn muscle_colour(activation: f64) -> Color {
    let a = activation.clamp(0.0, 1.0) as f32;
    palette::MUSCLE_REST.mix(&palette::MUSCLE_ACTIVE, a)
}

/// An imported wearer's muscles along their paths (as of the last history sample), coloured by activation.
pub fn draw_muscles(mut gizmos: Gizmos<MuscleGizmos>, live: Option<Res<LiveSim>>, style: Res<ArrowStyle>) {
    let Some(m) = live.as_deref().and_then(LiveSim::muscles).filter(|_| style.muscles) else { return };
    for (k, path) in m.paths.iter().enumerate() {
        let colour = muscle_colour(m.instant.activation.get(k).copied().unwrap_or(0.0));
        gizmos.linestrip(path.iter().map(|p| Vec3::new(p[0] as f32, p[1] as f32, p[2] as f32)), colour);
    }
}
