//! Live plots of the last seconds: joint angles against their reference, torques, cuff forces, motor current and
//! winding temperature.

use bevy::prelude::*;
use bevy_egui::egui::{self, Color32, RichText};
use egui_plot::{Corner, Legend, Line, LineStyle, Plot, PlotPoint, Text, uniform_grid_spacer};

use crate::history::History;
use crate::rig::Rig;

/// Which joint the torque plot shows.
#[derive(Resource, Clone, Debug, Default, PartialEq, Eq)]
pub struct PlotSettings {
    /// The device joint of the torque plot (or, without a device, the wearer coordinate); empty or unknown: the
    /// first.
    pub joint: String,
}

/// Per wearer coordinate in order: the one-legged wearer's hip, knee, ankle; an imported wearer's right leg, then
/// its left leg in lighter shades, then the lumbar joint.
const JOINT_COLOURS: [Color32; 7] = [
    Color32::from_rgb(230, 85, 60),
    Color32::from_rgb(60, 140, 230),
    Color32::from_rgb(80, 180, 90),
    Color32::from_rgb(245, 160, 140),
    Color32::from_rgb(150, 195, 245),
    Color32::from_rgb(165, 220, 170),
    Color32::from_rgb(190, 150, 220),
];
const CUFF_COLOURS: [Color32; 3] =
    [Color32::from_rgb(220, 170, 20), Color32::from_rgb(170, 90, 200), Color32::from_rgb(60, 170, 170)];

/// Points plotted per line at most (the plot is a few hundred pixels wide).
const MAX_POINTS: usize = 800;

struct Series {
    id: String,
    name: String,
    points: Vec<[f64; 2]>,
    colour: Color32,
    dashed: bool,
}

fn series(history: &History, channel: &str, scale: f64, name: String, colour: Color32, dashed: bool) -> Option<Series> {
    let c = history.index(channel)?;
    let every = history.len().div_ceil(MAX_POINTS).max(1);
    let points: Vec<[f64; 2]> = history.points(c).step_by(every).map(|[t, v]| [t, v * scale]).collect();
    (!points.is_empty()).then_some(Series { id: channel.to_string(), name, points, colour, dashed })
}

/// The 1-2-5 step at or above `x`.
fn nice_step(x: f64) -> f64 {
    if !(x > 0.0 && x.is_finite()) {
        return 1.0;
    }
    let p = 10f64.powf(x.log10().floor());
    let m = x / p;
    p * if m <= 1.0 {
        1.0
    } else if m <= 2.0 {
        2.0
    } else if m <= 5.0 {
        5.0
    } else {
        10.0
    }
}

/// A tick value with the decimals it needs (at most three): `25.25`, `25.5`, `26`.
fn tick_label(v: f64) -> String {
    let s = format!("{v:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".to_string() } else { s.to_string() }
}

fn plot(ui: &mut egui::Ui, id: &str, title: &str, height: f32, lines: Vec<Series>) {
    ui.label(RichText::new(title).strong());
    Plot::new(id)
        .height(height)
        .legend(Legend::default().position(Corner::LeftTop).background_alpha(0.4).text_style(egui::TextStyle::Small))
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .allow_double_click_reset(false)
        .link_axis("history-time", [true, false])
        .y_axis_min_width(36.0)
        .y_grid_spacer(uniform_grid_spacer(|input| {
            // About three labelled lines whatever the range: the plots are short.
            let step = nice_step((input.bounds.1 - input.bounds.0) / 3.0);
            [step / 2.0, step, step * 2.0]
        }))
        .y_axis_formatter(|mark, _| tick_label(mark.value))
        .x_grid_spacer(uniform_grid_spacer(|input| {
            let step = nice_step((input.bounds.1 - input.bounds.0) / 4.0);
            [step / 2.0, step, step * 2.0]
        }))
        .x_axis_formatter(|mark, _| tick_label(mark.value))
        .show(ui, |p| {
            if lines.is_empty() {
                p.text(Text::new("", PlotPoint::new(0.0, 0.0), "no data (nothing of this kind in the model)"));
            }
            for s in lines {
                // Lines of one name (a joint's angle and its reference) share a legend entry.
                let mut line = Line::new(s.name, s.points).id(egui::Id::new(s.id)).color(s.colour).width(1.5);
                if s.dashed {
                    line = line.style(LineStyle::dashed_dense());
                }
                p.line(line);
            }
        });
}

/// The torque plot's joint: its title name, and the names of its human torque and its device channels.
fn torque_joint<'a>(rig: &'a Rig, wanted: &str) -> Option<(&'a str, &'a str)> {
    let device = rig.device_joints.iter().find(|d| d.name == wanted).or(rig.device_joints.first());
    match device {
        Some(d) => Some((d.name.as_str(), rig.joints.get(d.spans).map_or(d.name.as_str(), |c| c.name.as_str()))),
        None => {
            let c = rig.joints.iter().find(|c| c.name == wanted).or(rig.joints.first())?;
            Some((c.name.as_str(), c.name.as_str()))
        }
    }
}

/// The plots, stacked to fill the panel: the rig names the wearer's coordinates and the device's joints (offered
/// for the torque plot).
pub(crate) fn show(
    ui: &mut egui::Ui,
    history: &History,
    settings: &mut PlotSettings,
    rig: Option<&Rig>,
    cuffs: &[String],
) {
    let (coordinates, device) = rig.map_or((&[][..], &[][..]), |r| (&r.joints[..], &r.device_joints[..]));
    ui.horizontal(|ui| {
        ui.heading("Last 10 s");
        if !device.is_empty() {
            ui.label("  torque at");
            for d in device {
                ui.selectable_value(&mut settings.joint, d.name.clone(), d.name.as_str());
            }
        }
    });
    let height = ((ui.available_height() - 5.0 * 22.0) / 5.0).max(70.0);
    let deg = 180.0 / std::f64::consts::PI;
    let mut angles = Vec::new();
    for (k, c) in coordinates.iter().enumerate() {
        let (n, colour) = (&c.name, JOINT_COLOURS[k % JOINT_COLOURS.len()]);
        angles.extend(series(history, &format!("{n}_q_rad"), deg, n.clone(), colour, false));
        angles.extend(series(history, &format!("{n}_q_ref_rad"), deg, n.clone(), colour, true));
    }
    plot(ui, "angles", "Joint angle (deg), dashed: reference", height, angles);

    let (title, lines) = match rig.and_then(|r| torque_joint(r, &settings.joint)) {
        Some((j, human)) => {
            let torques = [
                (format!("{human}_human_torque_nm"), "human", Color32::from_rgb(230, 25, 115)),
                (format!("exo_{j}_torque_nm"), "exo delivered", Color32::from_rgb(13, 115, 242)),
                (format!("exo_{j}_demand_nm"), "assistance demand", Color32::from_rgb(120, 120, 120)),
                // An imported wearer's walk records the supervised command instead.
                (format!("exo_{j}_command_nm"), "command", Color32::from_rgb(120, 120, 120)),
            ];
            let lines = torques
                .into_iter()
                .filter_map(|(ch, name, c)| {
                    series(history, &ch, 1.0, name.into(), c, name.contains("demand") || name == "command")
                })
                .collect();
            (format!("Torque at the {j} (N m)"), lines)
        }
        None => ("Torque (N m)".to_string(), Vec::new()),
    };
    plot(ui, "torques", &title, height, lines);

    if cuffs.is_empty() && history.index(crate::history::METABOLIC_CHANNEL).is_some() {
        // An imported wearer has no cuffs: its muscles' metabolic power in their place.
        let power = series(
            history,
            crate::history::METABOLIC_CHANNEL,
            1.0,
            "whole body".into(),
            Color32::from_rgb(200, 30, 40),
            false,
        );
        plot(ui, "metabolic", "Muscles' metabolic power (W, Umberger 2010)", height, power.into_iter().collect());
    } else {
        let mut forces = Vec::new();
        for (k, cuff) in cuffs.iter().enumerate() {
            let c = CUFF_COLOURS[k % CUFF_COLOURS.len()];
            let short = cuff.trim_end_matches("_cuff");
            forces.extend(series(history, &format!("{cuff}_normal_n"), 1.0, short.to_string(), c, false));
            forces.extend(series(history, &format!("{cuff}_shear_n"), 1.0, short.to_string(), c, true));
        }
        plot(ui, "cuffs", "Cuff interaction force (N), solid: normal, dashed: shear", height, forces);
    }

    // Device joints take the colour of the coordinate they span, as in the angle plot.
    let per_joint = |suffix: &str| -> Vec<Series> {
        device
            .iter()
            .filter_map(|d| {
                let colour = JOINT_COLOURS[d.spans % JOINT_COLOURS.len()];
                series(history, &format!("exo_{}_{suffix}", d.name), 1.0, d.name.clone(), colour, false)
            })
            .collect()
    };
    plot(ui, "current", "Motor current (A)", height, per_joint("current_a"));
    plot(ui, "winding", "Winding temperature (°C)", height, per_joint("winding_c"));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_one_two_five() {
        assert_eq!(nice_step(0.7), 1.0);
        assert_eq!(nice_step(13.0), 20.0);
        assert_eq!(nice_step(30.0), 50.0);
        assert_eq!(nice_step(0.0), 1.0);
        assert_eq!(tick_label(25.5), "25.5");
        assert_eq!(tick_label(25.250000001), "25.25");
        assert_eq!(tick_label(-0.0001), "0");
        assert_eq!(tick_label(20.0), "20");
    }
}
