//! exo-viz: the exosim desktop visualiser.
use bevy::prelude::*;
fn main() {
    let _ = egui_plot::Legend::default();
    let _ = bevy_egui::EguiPlugin::default();
    App::new().add_plugins(DefaultPlugins).run();
}
