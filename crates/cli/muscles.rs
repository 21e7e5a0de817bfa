//! `exosim muscles`: the muscles and metabolic cost of a recorded trial, and what an ideal device would change.

use std::path::Path;

use anyhow::{Context, Result, anyhow, bail};
use exo_control::assist::SplineProfile;
use exo_sim::opensim::Storage;
use exo_sim::wearer::ideal_device::IdealDevice;
use exo_sim::wearer::metabolics::Umberger2010;
use exo_sim::wearer::muscle_analysis::{
    MetabolicChange, MuscleTrial, SharingOptions, TrialInputs, analyse, time_average,
};
use exo_sim::wearer::trial::{CoordinateTrajectories, MeasuredLoads, generalized_force_label, generalized_forces};
use exo_sim::wearer::{Musculature, Skeleton};
use serde_json::json;

use crate::args::TrialArgs;
use crate::atomic;

/// A reserve torque above this on a coordinate the muscles cross means they could not supply it there, N m or N.
const RESERVE_REPORT_NM: f64 = 1.0;

/// `COORD=PEAK_NM,PEAK_PCT,RISE_PCT,FALL_PCT`.
pub(crate) fn parse_assist(spec: &str) -> Result<(String, SplineProfile<f64>)> {
    let bad = || anyhow!("--assist {spec}: expected COORDINATE=PEAK_NM,PEAK_PCT,RISE_PCT,FALL_PCT");
    let (name, values) = spec.split_once('=').ok_or_else(bad)?;
    let v: Vec<f64> =
        values.split(',').map(|x| x.trim().parse::<f64>()).collect::<Result<_, _>>().map_err(|_| bad())?;
    let [peak_torque_nm, peak_time_pct, rise_time_pct, fall_time_pct] = v[..] else { return Err(bad()) };
    Ok((name.trim().to_string(), SplineProfile { peak_torque_nm, peak_time_pct, rise_time_pct, fall_time_pct }))
}

/// The Umberger probe of `file`'s model.
fn probe_of(file: &Path, muscles: &[exo_opensim::Muscle]) -> Result<Umberger2010> {
    let label = file.display().to_string();
    Umberger2010::of_model(&exo_opensim::read_model(file)?, muscles, &label)
        .map_err(|e| anyhow!("{e} (give one with --metabolics FILE)"))
}

/// The analysis as a storage file: activations, forces, metabolic power per muscle, the whole body's, reserves
/// and the device.
fn storage(sk: &Skeleton, a: &MuscleTrial, with_device: bool) -> Storage {
    // The muscles' table without its time column (the storage's own), then the device.
    let (mut columns, mut data) = a.columns(sk);
    columns.remove(0);
    data.remove(0);
    let mut push = |label: String, values: Vec<f64>| {
        columns.push(label);
        data.push(values);
    };
    if with_device {
        for (j, c) in sk.coordinates.iter().enumerate() {
            if a.device.iter().any(|r| r[j] != 0.0) {
                push(format!("{}_device_nm", c.name), a.device.iter().map(|r| r[j]).collect());
            }
        }
        push("device_power_w".into(), a.device_power_w.clone());
    }
    Storage::new("Muscle analysis", false, columns, a.time_s.clone(), data)
        .expect("every column holds one value per frame at the trial's increasing times")
}

/// One normalised quantity: its name and its strides' mean and standard deviation per percent of the cycle.
pub(crate) type Curve = (String, Vec<f64>, Vec<f64>);

/// The gait-cycle curves of an analysis over the right strides: coordinates, generalised forces, joint powers,
/// activations, metabolic power and, with a device, its torques. `suffix` marks the assisted run's columns.
fn cycle_curves(p: &Prepared, a: &MuscleTrial, suffix: &str, with_forces: bool) -> Vec<Curve> {
    use exo_sim::wearer::gait_cycle::{mean_and_sd, strides};
    let t = &a.time_s;
    let mut out = Vec::new();
    let mut add = |name: String, values: Vec<f64>| {
        let (mean, sd) = mean_and_sd(&strides(t, &values, &p.strikes));
        out.push((name, mean, sd));
    };
    let sk = &p.skeleton;
    if with_forces {
        for (j, c) in sk.coordinates.iter().enumerate() {
            let unit = if c.motion == exo_opensim::MotionType::Translational { "m" } else { "rad" };
            add(format!("{}_q_{unit}", c.name), p.trajectories.q.iter().map(|q| q[j]).collect());
            add(generalized_force_label(sk, j), p.forces.iter().map(|f| f[j]).collect());
            add(
                format!("{}_power_w", c.name),
                p.forces.iter().zip(&p.trajectories.u).map(|(f, u)| f[j] * u[j]).collect(),
            );
        }
    }
    for (k, m) in a.muscles.iter().enumerate() {
        add(format!("{m}_activation{suffix}"), a.activation.iter().map(|r| r[k]).collect());
    }
    add(format!("metabolic_power_w{suffix}"), a.metabolic_power_w.clone());
    if !suffix.is_empty() {
        for (j, c) in sk.coordinates.iter().enumerate() {
            if a.device.iter().any(|r| r[j] != 0.0) {
                add(format!("{}_device_nm", c.name), a.device.iter().map(|r| r[j]).collect());
            }
        }
    }
    out
}

/// `strides.csv`: one row per percent of the gait cycle, a mean and a standard deviation column per quantity.
pub(crate) fn strides_csv(curves: &[Curve]) -> String {
    use std::fmt::Write as _;
    let mut text = String::from("gait_cycle_pct");
    for (name, _, _) in curves {
        let _ = write!(text, ",{name}_mean,{name}_sd");
    }
    text.push('\n');
    let points = curves.first().map_or(0, |c| c.1.len());
    for i in 0..points {
        let _ = write!(text, "{i}");
        for (_, mean, sd) in curves {
            let _ = write!(text, ",{},{}", mean[i], sd[i]);
        }
        text.push('\n');
    }
    text
}

/// `gait_cycle.png`: metabolic power with and without the device, the right leg's joint moments and device
/// torques, and the right leg's activations, over the gait cycle (strides' means).
fn gait_plot(path: &Path, curves: &[Curve], assisted: bool) -> Result<()> {
    use crate::plots::{Series, XyPanel, draw_xy};
    let panel = |title: &str, y_label: &str, keep: &dyn Fn(&str) -> bool| XyPanel {
        title: title.into(),
        y_label: y_label.into(),
        series: curves
            .iter()
            .filter(|c| keep(&c.0))
            .map(|c| Series::line(c.0.clone(), c.1.iter().enumerate().map(|(i, v)| (i as f64, *v)).collect()))
            .collect(),
    };
    let mut panels = vec![
        panel("whole-body metabolic power (muscles, Umberger 2010)", "W", &|n| n.starts_with("metabolic_power_w")),
        panel("right leg: joint moments (inverse dynamics) and device torques", "N m", &|n| {
            (n.ends_with("_r_moment") && !n.starts_with("pelvis")) || n.ends_with("_r_device_nm")
        }),
        panel("right leg: activations without the device", "activation", &|n| n.ends_with("_r_activation")),
    ];
    if assisted {
        panels.push(panel("right leg: activations with the device", "activation", &|n| {
            n.ends_with("_r_activation_assisted")
        }));
    }
    draw_xy(path, "gait cycle, right strides (mean)", "gait cycle (%)", (0.0, 100.0), &panels)
}

/// Per coordinate: the largest reserve and when, and the frames above the report level.
fn reserve_report(sk: &Skeleton, a: &MuscleTrial) -> Vec<serde_json::Value> {
    let mut out = Vec::new();
    for (j, c) in sk.coordinates.iter().enumerate() {
        let (mut peak, mut at) = (0.0_f64, a.time_s[0]);
        let mut above = 0;
        let mut sq = 0.0;
        for (i, r) in a.reserve.iter().enumerate() {
            sq += r[j] * r[j];
            if r[j].abs() > peak.abs() {
                peak = r[j];
                at = a.time_s[i];
            }
            if r[j].abs() > RESERVE_REPORT_NM {
                above += 1;
            }
        }
        let crossed = a.shared.contains(&j);
        out.push(json!({
            "coordinate": c.name,
            "crossed_by_muscles": crossed,
            "peak": peak,
            "peak_time_s": at,
            "rms": (sq / a.reserve.len() as f64).sqrt(),
            "frames_above_1": if crossed { above } else { 0 },
        }));
    }
    out
}

/// A trial read and prepared for the muscles: the model, its muscles and probe, the plates, the motion's
/// coordinates and generalised forces, the ideal device asked for, and the window of whole right strides.
pub(crate) struct Prepared {
    pub(crate) label: String,
    pub(crate) skeleton: Skeleton,
    pub(crate) muscles: Musculature,
    pub(crate) probe: Umberger2010,
    pub(crate) loads: MeasuredLoads,
    pub(crate) options: SharingOptions,
    pub(crate) trajectories: CoordinateTrajectories,
    pub(crate) forces: Vec<Vec<f64>>,
    /// The `--assist` profiles, by coordinate name.
    pub(crate) assist: Vec<(String, SplineProfile<f64>)>,
    pub(crate) device: Option<IdealDevice>,
    /// Heel strikes of the right foot within the trial, s.
    pub(crate) strikes: Vec<f64>,
    pub(crate) window: [f64; 2],
}

impl Prepared {
    pub(crate) fn inputs(&self) -> TrialInputs<'_> {
        TrialInputs {
            skeleton: &self.skeleton,
            muscles: &self.muscles,
            probe: &self.probe,
            trajectories: &self.trajectories,
            forces: &self.forces,
            options: &self.options,
        }
    }
}

/// Reads and checks everything `a` names.
pub(crate) fn prepare(a: &TrialArgs) -> Result<Prepared> {
    let label = a.model.display().to_string();
    let model = exo_opensim::read_model(&a.model)?;
    let sk = Skeleton::from_osim(&model, &label)?;
    let muscles = Musculature::from_osim(&model, &sk, &label)?;
    let probe = probe_of(a.metabolics.as_deref().unwrap_or(&a.model), &model.muscles)?;
    let motion = Storage::read(&a.motion)?;
    let loads = MeasuredLoads::read(&sk, &model, &a.loads).map_err(|e| anyhow!("{e}"))?;
    let mut options = SharingOptions::new(&sk);
    if let Some(file) = &a.reserves {
        let set = exo_opensim::read_reserve_actuators(file)?;
        let flabel = file.display().to_string();
        set.check_against(&model, &flabel)?;
        for act in &set.actuators {
            if let exo_opensim::Actuator::Coordinate(c) = act {
                let j = sk.coordinate(&c.coordinate).ok_or_else(|| {
                    anyhow!(
                        "{flabel}:{}: CoordinateActuator {}: no coordinate {}",
                        c.common.line,
                        c.common.name,
                        c.coordinate
                    )
                })?;
                if !(c.common.optimal_force > 0.0) {
                    bail!(
                        "{flabel}:{}: CoordinateActuator {}: optimal_force must be positive",
                        c.common.line,
                        c.common.name
                    );
                }
                options.reserve_optimal[j] = c.common.optimal_force;
            }
        }
    }
    let assist = a.assist.iter().map(|s| parse_assist(s)).collect::<Result<Vec<_>>>()?;
    let device = if assist.is_empty() { None } else { Some(IdealDevice::new(&sk, &loads, &assist)?) };
    let trajectories = CoordinateTrajectories::from_motion(&sk, &motion, a.lowpass)?;
    let forces = generalized_forces(&sk, &trajectories, Some(&loads))?;
    // The window: whole strides of the right foot (or the whole trial).
    let all = loads.heel_strikes_s(&sk, "_r").unwrap_or_default();
    let t = &trajectories.time_s;
    let (t0, t1) = (t[0], t[t.len() - 1]);
    let strikes: Vec<f64> = all.into_iter().filter(|&h| h >= t0 && h <= t1).collect();
    let window = if strikes.len() >= 2 { [strikes[0], strikes[strikes.len() - 1]] } else { [t0, t1] };
    Ok(Prepared {
        label,
        skeleton: sk,
        muscles,
        probe,
        loads,
        options,
        trajectories,
        forces,
        assist,
        device,
        strikes,
        window,
    })
}

pub(crate) fn run(a: &TrialArgs, speed_m_per_s: Option<f64>, out: &Path) -> Result<()> {
    let started = std::time::Instant::now();
    if let Some(v) = speed_m_per_s
        && !(v > 0.0 && v.is_finite())
    {
        bail!("--speed {v}: the walking speed must be a positive number of m/s");
    }
    let p = prepare(a)?;
    let (sk, trajectories, window, label) = (&p.skeleton, &p.trajectories, p.window, &p.label);
    let read = started.elapsed();
    let solving = std::time::Instant::now();
    let inputs = p.inputs();
    let unassisted = analyse(&inputs, None)?;
    let assisted = match &p.device {
        Some(d) => Some(analyse(&inputs, Some(d))?),
        None => None,
    };
    let solved = solving.elapsed();

    let t = &unassisted.time_s;
    let inside = &p.strikes;
    let strides = inside.len().saturating_sub(1);
    let mass = sk.mass_kg();
    let mean_w = time_average(t, &unassisted.metabolic_power_w, window[0], window[1]);
    let progression = sk.coordinate("pelvis_tx").map(|j| {
        let x: Vec<f64> = trajectories.q.iter().map(|q| q[j]).collect();
        let at = |s: f64| exo_sim::opensim::signal::value_at(t, &x, s);
        (at(window[1]) - at(window[0])) / (window[1] - window[0])
    });
    // A treadmill trial (or one whose progression was removed) keeps the pelvis in place: its speed is the belt's,
    // which only the user knows.
    let (speed, speed_source) = match (speed_m_per_s, progression) {
        (Some(v), _) => (Some(v), "given with --speed"),
        (None, Some(v)) if v.abs() > 0.1 => (Some(v.abs()), "the pelvis's progression"),
        _ => (None, "unknown: the pelvis does not progress (a treadmill trial?); give --speed"),
    };
    let per_stride: Vec<f64> =
        inside.windows(2).map(|w| time_average(t, &unassisted.metabolic_power_w, w[0], w[1])).collect();

    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    atomic::write(&out.join("muscles.sto"), storage(sk, &unassisted, false).to_text().as_bytes())?;
    let mut summary = json!({
        "model": label,
        "motion": a.motion.display().to_string(),
        "mass_kg": mass,
        "window_s": window,
        "strides": strides,
        "metabolic_power_w": mean_w,
        "metabolic_power_w_per_kg": mean_w / mass,
        "metabolic_power_per_stride_w": per_stride,
        "walking_speed_m_per_s": speed,
        "walking_speed_source": speed_source,
        "cost_of_transport_j_per_kg_m": speed.map(|v| mean_w / (mass * v)),
        "metabolic_model": "Umberger 2010 (the model's probe options), muscles only, no basal rate",
        "metabolic_power_bhargava_w": time_average(t, &unassisted.metabolic_power_bhargava_w, window[0], window[1]),
        "bhargava_basal_w": exo_sim::wearer::bhargava::Bhargava2004::basal_w(mass),
        "metabolic_model_second": "Bhargava et al. 2004 (OpenSim's default options), muscles only; add bhargava_basal_w (1.2 W/kg) for the whole body",
        "reserve_report_level": RESERVE_REPORT_NM,
        "reserves": reserve_report(sk, &unassisted),
        "residuals_note": "coordinates no muscle crosses (crossed_by_muscles false) are supplied by their reserves alone; the pelvis's are the residual forces and moment",
    });
    let mut lead = format!(
        "metabolic power (muscles, Umberger 2010) over {strides} stride(s), {:.2}-{:.2} s: {mean_w:.1} W = {:.2} W/kg",
        window[0],
        window[1],
        mean_w / mass
    );
    if assisted.is_none() {
        // A stale file of an earlier run with a device would contradict this summary.
        let stale = out.join("muscles_assisted.sto");
        if stale.exists() {
            std::fs::remove_file(&stale).with_context(|| format!("cannot remove the stale {}", stale.display()))?;
        }
    }
    if let Some(with) = &assisted {
        atomic::write(&out.join("muscles_assisted.sto"), storage(sk, with, true).to_text().as_bytes())?;
        let c = MetabolicChange::between(&unassisted, with, window);
        let ratio = c.saving_per_positive_work();
        summary["device"] = json!({
            "assist": a.assist,
            "metabolic_power_w": c.assisted_w,
            "metabolic_change_w": c.change_w(),
            "metabolic_change_pct": c.change_pct(),
            "groups": c.groups.iter().map(|(g, a, b)| json!({"group": g, "unassisted_w": a, "assisted_w": b, "change_w": b - a})).collect::<Vec<_>>(),
            "device_positive_power_w": c.device_positive_w,
            "device_net_power_w": c.device_net_w,
            "saving_per_positive_work": ratio,
            "implausible": c.implausibility(),
            "reserves": reserve_report(sk, with),
        });
        lead = format!(
            "ideal device {}: metabolic power {:.1} W -> {:.1} W ({:+.1} W, {:+.1} %); device positive power {:.1} W, \
             net {:.1} W; {} W saved per W of positive device work\n{lead}",
            a.assist.join(" "),
            c.unassisted_w,
            c.assisted_w,
            c.change_w(),
            c.change_pct(),
            c.device_positive_w,
            c.device_net_w,
            ratio.map_or_else(|| "n/a".to_string(), |x| format!("{x:.2}")),
        );
        if let Some(why) = c.implausibility() {
            lead = format!("{lead}\nimplausible: {why}");
        }
    }
    if strides > 0 {
        let mut curves = cycle_curves(&p, &unassisted, "", true);
        if let Some(with) = &assisted {
            curves.extend(cycle_curves(&p, with, "_assisted", false));
        }
        atomic::write(&out.join("strides.csv"), strides_csv(&curves).as_bytes())?;
        gait_plot(&out.join("gait_cycle.png"), &curves, assisted.is_some())?;
    }
    let json = serde_json::to_string_pretty(&summary).context("cannot serialise the summary")?;
    atomic::write(&out.join("summary.json"), json.as_bytes())?;
    println!("{lead}");
    println!(
        "second model (Bhargava 2004): {:.1} W of muscles + {:.1} W basal",
        summary["metabolic_power_bhargava_w"].as_f64().unwrap_or(f64::NAN),
        summary["bhargava_basal_w"].as_f64().unwrap_or(f64::NAN)
    );
    match speed {
        Some(v) => {
            println!("walking speed {v:.2} m/s ({speed_source}): cost of transport {:.2} J/(kg m)", mean_w / (mass * v))
        }
        None => println!("walking speed {speed_source}: no cost of transport"),
    }
    let worst = unassisted
        .shared
        .iter()
        .map(|&j| {
            let (i, v) = unassisted
                .reserve
                .iter()
                .enumerate()
                .map(|(i, r)| (i, r[j]))
                .fold((0, 0.0_f64), |b, x| if x.1.abs() > b.1.abs() { x } else { b });
            (j, i, v)
        })
        .fold((0, 0, 0.0_f64), |b, x| if x.2.abs() > b.2.abs() { x } else { b });
    if worst.2.abs() > RESERVE_REPORT_NM {
        println!(
            "muscles fall short: {} needs a reserve of {:.2} at {:.3} s",
            sk.coordinates[worst.0].name, worst.2, unassisted.time_s[worst.1]
        );
    } else {
        println!(
            "the muscles supply every crossed coordinate (largest reserve {:.3} on {})",
            worst.2, sk.coordinates[worst.0].name
        );
    }
    println!(
        "timing: {:.1} ms to read and prepare, {:.1} ms for {} static optimizations ({:.1} us each), {:.1} ms in all",
        read.as_secs_f64() * 1e3,
        solved.as_secs_f64() * 1e3,
        t.len() * if assisted.is_some() { 2 } else { 1 },
        solved.as_secs_f64() * 1e6 / (t.len() * if assisted.is_some() { 2 } else { 1 }) as f64,
        started.elapsed().as_secs_f64() * 1e3
    );
    println!("wrote {}", out.display());
    Ok(())
}
