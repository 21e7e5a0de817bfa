//! The control panel: scenario picker or replay timeline, play / pause / step / speed / reset, the controller's
//! gains, and what the arrows show.

use std::path::Path;

use bevy_egui::egui::{self, Color32, RichText};

use super::UiState;
use crate::playback::{Playback, SPEED_RANGE};
use crate::replay::Replay;

fn file_label(p: &Path) -> String {
    p.file_stem().map_or_else(|| p.display().to_string(), |s| s.to_string_lossy().into_owned())
}

fn source(ui: &mut egui::Ui, s: &mut UiState) {
    if let Some(replay) = s.replay.as_deref_mut() {
        ui.label(RichText::new("Replay").strong());
        ui.label(RichText::new(replay.dir().display().to_string()).small());
        let (start, end) = (replay.start_s(), replay.end_s());
        let mut t = replay.time_s();
        ui.spacing_mut().slider_width = 200.0;
        if ui.add(egui::Slider::new(&mut t, start..=end).text("s").fixed_decimals(2)).changed() {
            replay.seek = Some(t);
        }
    }
    let current = s.live.as_deref().map(|l| l.scenario().path.clone());
    let selected = current.as_deref().map_or_else(|| "(pick a scenario)".to_string(), file_label);
    ui.horizontal(|ui| {
        ui.label("Scenario");
        egui::ComboBox::from_id_salt("scenario-picker").selected_text(selected).width(200.0).show_ui(ui, |ui| {
            for f in &s.catalog.files {
                let is_current = current.as_deref().and_then(|c| c.file_name()) == f.file_name();
                if ui.selectable_label(is_current, file_label(f)).clicked() && !is_current {
                    s.requests.load = Some(f.clone());
                }
            }
        });
    });
    if let Some(live) = s.live.as_deref() {
        let d = live.scenario().scenario.description.split_whitespace().collect::<Vec<_>>().join(" ");
        egui::CollapsingHeader::new("About this scenario").default_open(false).show(ui, |ui| {
            ui.label(RichText::new(d).small());
        });
    }
}

/// Play or pause, as the Play/Pause button and the space bar do: playing a recording that has reached its end
/// starts it over.
pub(crate) fn toggle_play(playback: &mut Playback, replay: Option<&mut Replay>) {
    playback.paused = !playback.paused;
    if !playback.paused
        && let Some(r) = replay.filter(|r| r.at_end())
    {
        r.seek = Some(r.start_s());
    }
}

fn playback(ui: &mut egui::Ui, s: &mut UiState) {
    ui.horizontal(|ui| {
        let label = if s.playback.paused { "  Play  " } else { "Pause" };
        if ui.button(label).clicked() {
            toggle_play(&mut s.playback, s.replay.as_deref_mut());
        }
        let p = &mut s.playback;
        if ui.button("Step").on_hover_text("pause and run one control tick").clicked() {
            p.step();
        }
        if ui.button("Reset").on_hover_text("rebuild the simulation from its scenario").clicked() {
            s.requests.reset = true;
        }
    });
    let mut speed = s.playback.speed;
    if ui
        .add(egui::Slider::new(&mut speed, SPEED_RANGE).logarithmic(true).text("speed").suffix("×").fixed_decimals(1))
        .changed()
    {
        s.playback.set_speed(speed);
    }
    let latched = s
        .live
        .as_deref()
        .is_some_and(|l| l.read_loop(|sim| sim.controller().latched() != exo_control::FaultReason::None));
    if latched && ui.button("Clear safe stop").clicked() {
        s.requests.reset_supervisor = true;
    }
}

fn gains(ui: &mut egui::Ui, s: &mut UiState) {
    egui::CollapsingHeader::new(RichText::new("Controller gains").strong()).default_open(true).show(ui, |ui| {
        if s.replay.is_some() {
            ui.label(RichText::new("a replay shows the recorded run").small());
            return;
        }
        if s.gains.entries.is_empty() {
            ui.label(RichText::new("this controller has no tunable gains").small());
            return;
        }
        let mut last_name = "";
        for i in 0..s.gains.entries.len() {
            let e = &s.gains.entries[i];
            if e.name != last_name {
                ui.label(e.name);
                last_name = e.name;
            }
            let (mut v, range, log) = (e.value, e.min..=e.max, e.min >= 0.0 && e.max >= 100.0);
            let joint = e.joint.clone();
            let error = e.error.clone();
            if ui.add(egui::Slider::new(&mut v, range).logarithmic(log).text(joint)).changed() {
                s.gains.edit(i, v);
            }
            if let Some(err) = error {
                ui.colored_label(Color32::from_rgb(200, 40, 40), RichText::new(err).small());
            }
        }
    });
}

fn model(ui: &mut egui::Ui, s: &UiState) {
    let Some(loaded) = s.live.as_deref().map(|l| l.scenario()).or_else(|| s.replay.as_deref().map(|r| r.scenario()))
    else {
        return;
    };
    let sc = &loaded.scenario;
    egui::CollapsingHeader::new(RichText::new("Model").strong()).default_open(true).show(ui, |ui| {
        egui::Grid::new("model-grid").num_columns(2).spacing([12.0, 2.0]).show(ui, |ui| {
            let leg = match sc.subject.leg {
                exo_sim::scenario::LegKind::Human => "human leg",
                exo_sim::scenario::LegKind::Reference => "reference leg",
            };
            ui.label("subject");
            match &sc.wearer {
                Some(w) => ui.label(format!("{} (OpenSim, both legs)", file_label(Path::new(&w.model)))),
                None => ui.label(format!("{:.1} kg, {:.2} m, {leg}", sc.subject.mass_kg, sc.subject.height_m)),
            };
            ui.end_row();
            let device = match (&sc.wearer, &sc.exoskeleton) {
                // An imported wearer's device is its actuators, named by joint and side.
                (Some(_), _) if !sc.actuators.is_empty() => sc.actuators.keys().cloned().collect::<Vec<_>>().join(", "),
                (_, Some(e)) => e.joints.iter().map(|j| j.name()).collect::<Vec<_>>().join(", "),
                _ => "none".to_string(),
            };
            ui.label("device");
            ui.label(device);
            ui.end_row();
            for (j, r) in &sc.actuators {
                ui.label(format!("{j} actuator"));
                ui.label(file_label(Path::new(&r.preset)));
                ui.end_row();
            }
            let sim = &sc.simulation;
            ui.label("rates");
            ui.label(format!("control {:.0} Hz, physics {:.0} Hz", 1.0 / sim.control_dt_s, 1.0 / sim.physics_dt_s));
            ui.end_row();
            if let Some(live) = s.live.as_deref() {
                ui.label("ticks");
                ui.label(live.read_loop(|sim| sim.ticks()).to_string());
                ui.end_row();
            }
        });
    });
}

fn display(ui: &mut egui::Ui, s: &mut UiState) {
    egui::CollapsingHeader::new(RichText::new("Arrows").strong()).default_open(false).show(ui, |ui| {
        let a = &mut s.arrows;
        ui.checkbox(&mut a.torques, "joint torques (arcs)");
        ui.add(egui::Slider::new(&mut a.torque_deg_per_nm, 0.5..=20.0).logarithmic(true).text("° per N m"));
        ui.checkbox(&mut a.cuffs, "cuff forces");
        ui.add(egui::Slider::new(&mut a.cuff_m_per_n, 0.0005..=0.02).logarithmic(true).text("m per N"));
        ui.checkbox(&mut a.ground, "ground reaction");
        ui.add(egui::Slider::new(&mut a.ground_m_per_n, 0.0001..=0.002).logarithmic(true).text("m per N"));
        ui.checkbox(&mut a.muscles, "muscles (an imported wearer's)");
    });
}

/// The panel's contents.
pub(crate) fn show(ui: &mut egui::Ui, s: &mut UiState) {
    ui.heading("exo-viz");
    source(ui, s);
    ui.separator();
    playback(ui, s);
    ui.separator();
    egui::ScrollArea::vertical().show(ui, |ui| {
        gains(ui, s);
        model(ui, s);
        display(ui, s);
        ui.separator();
        ui.label(RichText::new("view: drag to rotate, wheel to zoom").small());
        ui.label(RichText::new("keys: space play/pause, right arrow or . step, r reset").small());
    });
}
