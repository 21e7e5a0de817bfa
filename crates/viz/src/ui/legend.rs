//! The legend of the arrows, over the corner of the 3-D view.

use bevy_egui::egui::{self, Color32, RichText};

use crate::draw::{ArrowStyle, palette};

fn colour32(c: bevy::color::Color) -> Color32 {
    let s = c.to_srgba();
    Color32::from_rgb((s.red * 255.0) as u8, (s.green * 255.0) as u8, (s.blue * 255.0) as u8)
}

/// Draws the legend with its top-left corner at `at`; `muscles` when muscles are drawn.
pub(crate) fn show(ctx: &egui::Context, at: egui::Pos2, style: &ArrowStyle, muscles: bool) {
    egui::Area::new(egui::Id::new("arrow-legend")).fixed_pos(at).interactable(false).show(ctx, |ui| {
        egui::Frame::popup(ui.style()).fill(Color32::from_rgba_unmultiplied(250, 250, 250, 215)).show(ui, |ui| {
            let row = |ui: &mut egui::Ui, c: bevy::color::Color, text: String| {
                ui.horizontal(|ui| {
                    let (rect, _) = ui.allocate_exact_size(egui::vec2(18.0, 10.0), egui::Sense::hover());
                    ui.painter().rect_filled(rect.shrink2(egui::vec2(0.0, 3.0)), 1.0, colour32(c));
                    ui.label(RichText::new(text).small().color(Color32::from_gray(30)));
                });
            };
            let nm_per_90 = 90.0 / style.torque_deg_per_nm;
            if style.torques {
                row(ui, palette::HUMAN_TORQUE, format!("human joint torque (arc: 90° = {nm_per_90:.0} N m)"));
                row(ui, palette::EXO_TORQUE, format!("exoskeleton torque (arc: 90° = {nm_per_90:.0} N m)"));
            }
            if style.cuffs {
                row(
                    ui,
                    palette::CUFF_FORCE,
                    format!("cuff force on the limb (10 cm = {:.0} N)", 0.1 / style.cuff_m_per_n),
                );
            }
            if style.ground {
                row(
                    ui,
                    palette::GROUND_FORCE,
                    format!("ground reaction (10 cm = {:.0} N)", 0.1 / style.ground_m_per_n),
                );
            }
            if style.muscles && muscles {
                row(ui, palette::MUSCLE_REST, "muscle at rest".to_string());
                row(ui, palette::MUSCLE_ACTIVE, "muscle fully active (static optimization)".to_string());
            }
            ui.label(
                RichText::new("arcs turn the way the torque turns the distal segment")
                    .small()
                    .color(Color32::from_gray(70)),
            );
        });
    });
}
