//! Running a scenario whose wearer is imported from OpenSim (`[wearer]`): the walk, its no-device baseline, the
//! muscles' metabolic cost, and the outputs.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use anyhow::{Context, Result};
use exo_sim::opensim::Storage;
use exo_sim::scenario::{self, LoadedScenario, WalkRun};
use exo_sim::simulation::Table;
use exo_sim::walk::{WalkSimulation, WalkSummary};
use exo_sim::wearer::muscle_analysis::MuscleTrial;

use crate::plots::{Series, XyPanel, draw_xy};
use crate::run::with_progress;
use crate::{atomic, outputs};

/// How a walk ended.
pub(crate) enum WalkOutcome {
    /// Ran to the end.
    Finished(Box<WalkSummary>),
    /// Stopped by a divergence (outputs written up to it).
    Failed(Box<WalkSummary>, String),
    /// Interrupted: nothing written.
    Interrupted,
}

/// Runs `loaded` (and the same walk without its device when asked) and writes the outputs into `out/<name>/`.
pub(crate) fn run_walk(
    loaded: &LoadedScenario,
    out: &Path,
    plots_on: bool,
    stop: &AtomicBool,
) -> Result<(WalkOutcome, PathBuf)> {
    let sc = &loaded.scenario;
    let dir = out.join(&sc.name);
    let Some(run) = with_progress(stop, |control| scenario::run_walk(loaded, control))? else {
        return Ok((WalkOutcome::Interrupted, dir));
    };
    let WalkRun { sim, summary, baseline, muscles, window, problem } = run;
    // The runs' own outputs and the summary first: whatever the rest meets, they are kept. Optional outputs an
    // earlier run left and this one does not make are removed, so that the folder describes one run.
    write_runs(&dir, loaded, &sim)?;
    let json = serde_json::to_string_pretty(&summary).context("cannot serialise the summary")?;
    atomic::write(&dir.join("summary.json"), json.as_bytes())?;
    let mut made_strides = false;
    if let (Some((trial, without)), Some(window)) = (&muscles, &window) {
        let strides = window.strides();
        if strides >= 1 {
            let strikes = &window.heel_strikes_s;
            let mut curves = cycle_curves(&sim, trial, strikes, "");
            if let (Some(b), Some(w)) = (&baseline, without) {
                curves.extend(cycle_curves(b, w, strikes, "_without"));
            }
            atomic::write(&dir.join("strides.csv"), crate::muscles::strides_csv(&curves).as_bytes())?;
            if plots_on && sc.outputs.plots {
                create_dir(&dir.join("plots"))?;
                gait_plot(&dir.join("plots/gait_cycle.png"), &curves, strides, baseline.is_some())?;
            }
            made_strides = true;
        }
    }
    if !made_strides {
        remove_stale(&[dir.join("strides.csv"), dir.join("plots/gait_cycle.png")])?;
    }
    if muscles.is_none() {
        remove_stale(&[dir.join("muscles.csv")])?;
    }
    write_results(&dir, loaded, &sim, muscles.as_ref().map(|(m, _)| m), plots_on)?;
    Ok((
        match problem {
            None => WalkOutcome::Finished(Box::new(summary)),
            Some(f) => WalkOutcome::Failed(Box::new(summary), f),
        },
        dir,
    ))
}

/// The recorded coordinates as an OpenSim motion (radians, `inDegrees=no`), which OpenSim loads onto the model.
fn states_storage(sim: &WalkSimulation, name: &str) -> Result<Storage> {
    let (trial, _) = sim.recorded_trial();
    let sk = sim.body().skeleton();
    let columns = sk.coordinates.iter().map(|c| c.name.clone()).collect();
    let data = (0..sk.coordinates.len()).map(|c| trial.q.iter().map(|q| q[c]).collect()).collect();
    Storage::new(name, false, columns, trial.time_s, data).context("cannot assemble states.sto")
}

/// The muscles row by row ([`MuscleTrial::columns`]: activations, forces, metabolic power, reserves).
fn muscles_csv(m: &MuscleTrial, skeleton: &exo_sim::wearer::Skeleton) -> String {
    let (names, cols) = m.columns(skeleton);
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let rows: Vec<Vec<f64>> = (0..m.time_s.len()).map(|i| cols.iter().map(|c| c[i]).collect()).collect();
    Table::write(&names, rows.iter().map(Vec::as_slice))
}

/// What the runs themselves give, written as soon as they end: the time series, the states and the scenario.
fn write_runs(dir: &Path, loaded: &LoadedScenario, sim: &WalkSimulation) -> Result<()> {
    let sc = &loaded.scenario;
    create_dir(dir)?;
    let rec = sim.recorder();
    if sc.outputs.timeseries {
        atomic::write(&dir.join("timeseries.csv"), outputs::timeseries_csv(rec).as_bytes())?;
    }
    if sc.outputs.sto && rec.rows() > 0 {
        atomic::write(&dir.join("states.sto"), states_storage(sim, &sc.name)?.to_text().as_bytes())?;
    }
    outputs::write_scenario(dir, loaded)
}

/// A folder, created with its parents.
fn create_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))
}

/// Removes files an earlier run left that this run did not make.
fn remove_stale(files: &[PathBuf]) -> Result<()> {
    for f in files.iter().filter(|f| f.exists()) {
        std::fs::remove_file(f).with_context(|| format!("cannot remove the earlier run's {}", f.display()))?;
    }
    Ok(())
}

/// What the analysis adds: the muscles row by row and the plots.
fn write_results(
    dir: &Path,
    loaded: &LoadedScenario,
    sim: &WalkSimulation,
    muscles: Option<&MuscleTrial>,
    plots_on: bool,
) -> Result<()> {
    if let Some(m) = muscles {
        atomic::write(&dir.join("muscles.csv"), muscles_csv(m, sim.body().skeleton()).as_bytes())?;
    }
    if plots_on && loaded.scenario.outputs.plots && sim.recorder().rows() > 1 {
        plot(dir, sim, muscles)?;
    }
    Ok(())
}

fn plot(dir: &Path, sim: &WalkSimulation, muscles: Option<&MuscleTrial>) -> Result<()> {
    let rec = sim.recorder();
    let t: Vec<f64> = rec.column(0).collect();
    let range = (t[0], t[t.len() - 1]);
    let series = |name: &str, label: &str, scale: f64| -> Option<Series> {
        let c = rec.index(name)?;
        Some(Series::line(label, t.iter().copied().zip(rec.column(c).map(|v| v * scale)).collect()))
    };
    let deg = 180.0 / std::f64::consts::PI;
    let mut panels = Vec::new();
    for joint in ["hip_flexion", "knee_angle", "ankle_angle"] {
        let s: Vec<Series> = ["r", "l"]
            .iter()
            .flat_map(|side| {
                [
                    series(&format!("{joint}_{side}_q_rad"), &format!("{joint}_{side}"), deg),
                    series(&format!("{joint}_{side}_q_ref_rad"), &format!("{joint}_{side} reference"), deg),
                ]
            })
            .flatten()
            .collect();
        panels.push(XyPanel { title: format!("{joint} angle"), y_label: "deg".into(), series: s });
    }
    let torques: Vec<Series> = ["hip_flexion", "knee_angle", "ankle_angle"]
        .iter()
        .flat_map(|j| ["r", "l"].map(|s| series(&format!("{j}_{s}_human_torque_nm"), &format!("{j}_{s}"), 1.0)))
        .flatten()
        .collect();
    panels.push(XyPanel { title: "wearer's joint torques".into(), y_label: "N m".into(), series: torques });
    let device: Vec<Series> =
        sim.joints().iter().filter_map(|j| series(&format!("exo_{}_torque_nm", j.name), &j.name, 1.0)).collect();
    if !device.is_empty() {
        panels.push(XyPanel { title: "device torque delivered".into(), y_label: "N m".into(), series: device });
    }
    let residuals: Vec<Series> = ["pelvis_residual_fx_n", "pelvis_residual_fy_n", "pelvis_residual_mz_nm"]
        .iter()
        .filter_map(|n| series(n, n, 1.0))
        .collect();
    panels.push(XyPanel { title: "pelvis residuals".into(), y_label: "N, N m".into(), series: residuals });
    if let Some(m) = muscles {
        let p = m.time_s.iter().copied().zip(m.metabolic_power_w.iter().copied()).collect();
        panels.push(XyPanel {
            title: "muscles' metabolic power (Umberger 2010)".into(),
            y_label: "W".into(),
            series: vec![Series::line("whole body", p)],
        });
    }
    create_dir(&dir.join("plots"))?;
    draw_xy(&dir.join("plots/walk.png"), sim.name(), "time (s)", range, &panels)
}

/// The summary as text, leading with the metabolic change the device makes.
pub(crate) fn render(s: &WalkSummary) -> String {
    let mut out = String::new();
    let deg = 180.0 / std::f64::consts::PI;
    let _ = writeln!(
        out,
        "scenario {}  ({:.2} s simulated, {} control ticks, {:.0}x real time)",
        s.scenario, s.simulated_s, s.control_ticks, s.real_time_factor
    );
    if let Some(m) = &s.metabolics {
        if let Some(c) = &m.change {
            let by = if c.device_weight_w.is_some() { " by the assistance" } else { "" };
            let ratio = c
                .saving_per_positive_work
                .map_or("no positive work".to_string(), |r| format!("{r:.2} J saved{by} per J"));
            let _ = writeln!(
                out,
                "  metabolic cost with the device {:+.1} W ({:+.1} %): {:.1} W -> {:.1} W over {:.2}-{:.2} s; device positive power {:.2} W ({ratio})",
                c.change_w,
                c.change_pct,
                c.unassisted_w,
                c.assisted_w,
                m.window_s[0],
                m.window_s[1],
                c.device_positive_w
            );
            if let Some(weight) = c.device_weight_w {
                let _ = writeln!(
                    out,
                    "    of which the device's weight ({:.1} kg, worn unpowered) {weight:+.1} W and its assistance {:+.1} W",
                    c.device_mass_kg,
                    c.change_w - weight
                );
            }
            if let Some(why) = &c.implausible {
                let _ = writeln!(out, "  IMPLAUSIBLE: {why}");
            }
        }
        if let Some(note) = &m.window_note {
            let _ = writeln!(out, "  note: {note}");
        }
        let _ = writeln!(
            out,
            "  muscles: {} rows solved in {:.1} ms; the walk with its muscles {:.0}x real time",
            m.frames,
            m.analysis_wall_s * 1e3,
            s.simulated_s / (s.wall_s + m.analysis_wall_s)
        );
        let _ = writeln!(
            out,
            "  muscles' metabolic power {:.1} W ({:.2} W/kg; Bhargava 2004 {:.1} W){}",
            m.muscles_w,
            m.muscles_w_per_kg,
            m.bhargava_w,
            m.cost_of_transport_j_per_kg_m.map_or(String::new(), |c| format!(", cost of transport {c:.2} J/(kg m)"))
        );
    }
    if let Some(c) = &s.load_carriage {
        let _ = writeln!(
            out,
            "  load carriage: {:.1} kg carried at {:.2} m/s by {:.1} kg: muscles {:.1} W -> {:.1} W ({:+.1} W, {:+.1} %); \
             Pandolf 1977 predicts {:+.1} W",
            c.load_kg,
            c.walking_speed_m_per_s,
            c.body_mass_kg,
            c.unloaded_w,
            c.loaded_w,
            c.increase_w,
            c.increase_pct,
            c.pandolf_increase_w
        );
        for (name, without, with) in c.joints.iter().filter(|j| j.0.ends_with("_r") || j.0.starts_with("lumbar")) {
            let _ = writeln!(
                out,
                "    {name:<18} RMS moment {without:.2} N m unloaded -> {with:.2} N m loaded ({:+.1} %)",
                100.0 * (with - without) / without
            );
        }
    }
    let r = &s.pelvis_residual_rms;
    let _ = writeln!(out, "  pelvis residuals RMS: {:.1} N, {:.1} N, {:.1} N m", r.fx_n, r.fy_n, r.mz_nm);
    if let Some(c) = &s.load_carriage {
        let u = &c.unloaded_residual_rms;
        let _ = writeln!(out, "    (unloaded: {:.1} N, {:.1} N, {:.1} N m)", u.fx_n, u.fy_n, u.mz_nm);
    }
    let _ = writeln!(
        out,
        "  {:<18} {:>12} {:>14}   {}",
        "coordinate",
        "track rmse°",
        "human rms N m",
        if s.baseline.is_some() { "without the device" } else { "" }
    );
    for c in s.coordinates.iter().filter(|c| !c.residual) {
        let base = s
            .baseline
            .as_ref()
            .and_then(|b| b.iter().find(|b| b.name == c.name))
            .map_or(String::new(), |b| format!("{:.2}", b.human_torque_rms_nm));
        let _ =
            writeln!(out, "  {:<18} {:>12.4} {:>14.2}   {base}", c.name, c.tracking_rms * deg, c.generalized_force_rms);
    }
    for d in &s.devices {
        let _ = writeln!(
            out,
            "  device {:<8} peak {:.1} N m, rms {:.1} N m, +{:.1} J / -{:.1} J on the joint, battery {:.4} Wh, winding {:.1} °C",
            d.joint,
            d.torque_peak_nm,
            d.torque_rms_nm,
            d.positive_work_j,
            d.negative_work_j,
            d.battery_wh,
            d.winding_peak_c
        );
    }
    if let Some(stop) = &s.safe_stop {
        let _ = writeln!(out, "  safe stop at {:.3} s: {}", stop.time_s, stop.reason);
    }
    out
}

/// The gait-cycle curves of one run over `strikes`: each coordinate, the wearer's generalised force and joint
/// power, the muscles' activations, the whole body's metabolic power and the device's torques; `suffix` marks the
/// run (`""` with the device, `"_without"`).
fn cycle_curves(sim: &WalkSimulation, m: &MuscleTrial, strikes: &[f64], suffix: &str) -> Vec<crate::muscles::Curve> {
    use exo_sim::wearer::gait_cycle::{mean_and_sd, strides};
    let (trial, forces) = sim.recorded_trial();
    let sk = sim.body().skeleton();
    let t = &trial.time_s;
    let mut out = Vec::new();
    let mut add = |name: String, time: &[f64], values: Vec<f64>| {
        let (mean, sd) = mean_and_sd(&strides(time, &values, strikes));
        out.push((name, mean, sd));
    };
    for (j, c) in sk.coordinates.iter().enumerate() {
        let unit = if c.motion == exo_opensim::MotionType::Translational { "m" } else { "rad" };
        add(format!("{}_q_{unit}{suffix}", c.name), t, trial.q.iter().map(|q| q[j]).collect());
        let label = exo_sim::wearer::trial::generalized_force_label(sk, j);
        add(format!("{label}{suffix}"), t, forces.iter().map(|f| f[j]).collect());
        add(format!("{}_power_w{suffix}", c.name), t, forces.iter().zip(&trial.u).map(|(f, u)| f[j] * u[j]).collect());
    }
    for (k, name) in m.muscles.iter().enumerate() {
        add(format!("{name}_activation{suffix}"), &m.time_s, m.activation.iter().map(|r| r[k]).collect());
    }
    add(format!("metabolic_power_w{suffix}"), &m.time_s, m.metabolic_power_w.clone());
    let rec = sim.recorder();
    for j in sim.joints() {
        if let Some(c) = rec.index(&format!("exo_{}_torque_nm", j.name)) {
            add(format!("exo_{}_torque_nm{suffix}", j.name), t, rec.column(c).collect());
        }
    }
    out
}

/// `plots/gait_cycle.png`: the form biomechanists read, each quantity's mean over the strides with and without the
/// device: metabolic power, the right leg's angles, the wearer's moments with the device's torques, activations.
fn gait_plot(path: &Path, curves: &[crate::muscles::Curve], strides: usize, compared: bool) -> Result<()> {
    let deg = 180.0 / std::f64::consts::PI;
    let panel = |title: &str, y_label: &str, scale: f64, keep: &dyn Fn(&str) -> bool| XyPanel {
        title: title.into(),
        y_label: y_label.into(),
        series: curves
            .iter()
            .filter(|c| keep(&c.0))
            .map(|c| Series::line(c.0.clone(), c.1.iter().enumerate().map(|(i, v)| (i as f64, scale * v)).collect()))
            .collect(),
    };
    let both = |n: &str, stem: &str| n == stem || (compared && n == format!("{stem}_without"));
    let mut panels = vec![
        panel("whole-body metabolic power (muscles, Umberger 2010)", "W", 1.0, &|n| both(n, "metabolic_power_w")),
        panel("right leg: joint angles", "deg", deg, &|n| {
            ["hip_flexion_r_q_rad", "knee_angle_r_q_rad", "ankle_angle_r_q_rad"].iter().any(|s| both(n, s))
        }),
        panel("right leg: the wearer's joint moments and the device's torque", "N m", 1.0, &|n| {
            ["hip_flexion_r_moment", "knee_angle_r_moment", "ankle_angle_r_moment"].iter().any(|s| both(n, s))
                || (n.starts_with("exo_") && n.contains("_r_torque_nm") && !n.ends_with("_without"))
        }),
        panel("right leg: activations with the device", "activation", 1.0, &|n| n.ends_with("_r_activation")),
    ];
    if compared {
        panels.push(panel("right leg: activations without the device", "activation", 1.0, &|n| {
            n.ends_with("_r_activation_without")
        }));
    }
    let title = format!("gait cycle, {strides} right stride(s) (mean)");
    draw_xy(path, &title, "gait cycle (%)", (0.0, 100.0), &panels)
}
