//! [`ScenePlugin`]: one entity per rigid part of the rig, placed every frame from the last two fixed steps.
//!
//! The entities carry transforms and [`Visual`] descriptions only; meshes and materials are attached by the
//! draw plugin, so that this runs without a renderer.

use bevy::prelude::*;

use crate::coords;
use crate::frames::{Frames, blend_factor};
use crate::playback::Playback;
use crate::rig::{Look, Part, Rig, Shape};

/// A rigid part of the rig, placed by a body pose (or the pelvis pose).
#[derive(Component, Clone, Debug, PartialEq)]
pub struct Link {
    /// Index in [`Rig::links`].
    pub index: usize,
    /// What it is.
    pub part: Part,
    /// The model body whose pose places it; `None` for the pelvis.
    pub body: Option<usize>,
    /// Lateral offset of its frame, m (bevy z).
    pub lateral_m: f32,
}

/// A solid of a link (a child entity placed in the link's frame).
#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct Visual {
    /// The solid.
    pub shape: Shape,
    /// Its material.
    pub look: Look,
}

/// Where the scene systems run.
#[derive(SystemSet, Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SceneSystems;

/// Registers the rig spawning and placing systems.
pub struct ScenePlugin;

impl Plugin for ScenePlugin {
    fn build(&self, app: &mut App) {
        app.add_systems(
            Update,
            (spawn_rig.run_if(resource_exists_and_changed::<Rig>), place_links).chain().in_set(SceneSystems),
        );
    }
}

/// Replaces the link entities when a new rig is installed.
pub fn spawn_rig(mut commands: Commands, rig: Res<Rig>, old: Query<Entity, With<Link>>) {
    for e in &old {
        commands.entity(e).despawn();
    }
    for (index, spec) in rig.links.iter().enumerate() {
        commands
            .spawn((
                Link { index, part: spec.part, body: spec.body, lateral_m: spec.lateral_m },
                Transform::from_xyz(0.0, 0.0, spec.lateral_m),
                Visibility::default(),
            ))
            .with_children(|parent| {
                for v in &spec.visuals {
                    parent.spawn((
                        Visual { shape: v.shape, look: v.look },
                        v.shape.local_transform(v.lateral_m),
                        Visibility::default(),
                    ));
                }
            });
    }
}

/// Places every link at its body's pose, interpolated between the last two fixed steps.
pub fn place_links(
    frames: Res<Frames>,
    playback: Res<Playback>,
    fixed: Res<Time<Fixed>>,
    mut links: Query<(&Link, &mut Transform)>,
) {
    let alpha = blend_factor(&fixed, &playback);
    for (link, mut tf) in &mut links {
        let pose = match link.body {
            Some(b) => frames.pose(b, alpha),
            None => frames.pelvis(alpha),
        };
        *tf = coords::transform(&pose, link.lateral_m);
    }
}
