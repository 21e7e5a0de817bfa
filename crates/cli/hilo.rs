//! `exosim hilo`: human-in-the-loop optimization of the ideal device rehearsed on the trial's muscle-driven wearer.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context, Result, anyhow, bail};
use exo_control::assist::SplineProfile;
use exo_sim::hilo::{Adaptation, Estimator, Outcome, Parameter, Protocol, Respirometry};
use exo_sim::wearer::ideal_device::IdealDevice;
use exo_sim::wearer::muscle_analysis::mean_metabolic_power_w;
use serde_json::json;

use crate::args::{EstimatorArg, HiloArgs, TrialArgs};
use crate::atomic;
use crate::muscles::{Prepared, prepare};

/// Chunks of frames each cost evaluation is cut into (fixed, so that results do not depend on the threads).
const CHUNKS: usize = 8;

const FIELDS: [&str; 4] = ["peak_torque_nm", "peak_time_pct", "rise_time_pct", "fall_time_pct"];

fn field(p: &mut SplineProfile<f64>, f: usize) -> &mut f64 {
    match f {
        0 => &mut p.peak_torque_nm,
        1 => &mut p.peak_time_pct,
        2 => &mut p.rise_time_pct,
        _ => &mut p.fall_time_pct,
    }
}

/// A tuned parameter and the `(assisted coordinate, field)` pairs it sets.
struct Binding {
    parameter: Parameter,
    targets: Vec<(usize, usize)>,
}

/// The assisted coordinates `name` designates: itself, or both sides for a name without `_r`/`_l`.
fn coordinates_named(assist: &[(String, SplineProfile<f64>)], name: &str) -> Vec<usize> {
    (0..assist.len())
        .filter(|&k| {
            let c = &assist[k].0;
            c == name || c.strip_suffix("_r").or_else(|| c.strip_suffix("_l")) == Some(name)
        })
        .collect()
}

fn bindings(assist: &[(String, SplineProfile<f64>)], specs: &[String]) -> Result<Vec<Binding>> {
    if assist.is_empty() {
        bail!("hilo needs a device to tune: give --assist COORDINATE=PEAK_NM,PEAK_PCT,RISE_PCT,FALL_PCT");
    }
    let mut out = Vec::new();
    if specs.is_empty() {
        // All four fields of each joint (both sides of a joint share them), within documented bounds.
        let mut stems: Vec<String> = Vec::new();
        for (c, _) in assist {
            let stem = c.strip_suffix("_r").or_else(|| c.strip_suffix("_l")).unwrap_or(c).to_string();
            if !stems.contains(&stem) {
                stems.push(stem);
            }
        }
        for stem in stems {
            let targets = coordinates_named(assist, &stem);
            let first = assist[targets[0]].1;
            if first.peak_torque_nm == 0.0 {
                bail!(
                    "--assist {stem}: a zero peak torque gives no direction to search; give --param {stem}.peak_torque_nm=LO:HI"
                );
            }
            let bounds = [
                (first.peak_torque_nm.min(0.0) * 2.0, first.peak_torque_nm.max(0.0) * 2.0),
                ((first.peak_time_pct - 15.0).max(0.0), (first.peak_time_pct + 15.0).min(100.0)),
                (5.0, 40.0),
                (5.0, 30.0),
            ];
            for (f, (lo, hi)) in bounds.into_iter().enumerate() {
                let initial = [first.peak_torque_nm, first.peak_time_pct, first.rise_time_pct, first.fall_time_pct][f];
                out.push(Binding {
                    parameter: Parameter {
                        name: format!("{stem}.{}", FIELDS[f]),
                        lower: lo,
                        upper: hi,
                        initial: initial.clamp(lo, hi),
                    },
                    targets: targets.iter().map(|&k| (k, f)).collect(),
                });
            }
        }
        return Ok(out);
    }
    for spec in specs {
        let bad = |why: &str| anyhow!("--param {spec}: {why}");
        let (path, range) = spec.split_once('=').ok_or_else(|| bad("expected COORDINATE.FIELD=LO:HI"))?;
        let (coordinate, name) = path.rsplit_once('.').ok_or_else(|| bad("expected COORDINATE.FIELD=LO:HI"))?;
        let f = FIELDS
            .iter()
            .position(|x| *x == name)
            .ok_or_else(|| bad(&format!("unknown field `{name}` (one of {})", FIELDS.join(", "))))?;
        let (lo, hi) = range.split_once(':').ok_or_else(|| bad("expected LO:HI"))?;
        let (lower, upper): (f64, f64) = (
            lo.trim().parse().map_err(|_| bad("LO is not a number"))?,
            hi.trim().parse().map_err(|_| bad("HI is not a number"))?,
        );
        if !(lower < upper) {
            return Err(bad("LO must be below HI"));
        }
        let targets = coordinates_named(assist, coordinate);
        if targets.is_empty() {
            return Err(bad(&format!("`{coordinate}` is not an assisted coordinate (give it with --assist)")));
        }
        if let Some(other) =
            out.iter().find(|b: &&Binding| b.targets.iter().any(|t| targets.iter().any(|&k| *t == (k, f))))
        {
            return Err(bad(&format!("it sets what --param {} already sets", other.parameter.name)));
        }
        let mut initial = assist[targets[0]].1;
        out.push(Binding {
            parameter: Parameter {
                name: path.to_string(),
                lower,
                upper,
                initial: field(&mut initial, f).clamp(lower, upper),
            },
            targets: targets.into_iter().map(|k| (k, f)).collect(),
        });
    }
    Ok(out)
}

/// The profiles with the parameters `x` set.
fn profiles(
    base: &[(String, SplineProfile<f64>)],
    bindings: &[Binding],
    x: &[f64],
) -> Vec<(String, SplineProfile<f64>)> {
    let mut out = base.to_vec();
    for (b, v) in bindings.iter().zip(x) {
        for &(k, f) in &b.targets {
            *field(&mut out[k].1, f) = *v;
        }
    }
    out
}

/// Refuses ranges in which some candidate would be an invalid profile.
fn check_ranges(base: &[(String, SplineProfile<f64>)], bindings: &[Binding]) -> Result<()> {
    for (k, (name, p)) in base.iter().enumerate() {
        let range = |f: usize, fixed: f64| -> (f64, f64) {
            bindings
                .iter()
                .find(|b| b.targets.contains(&(k, f)))
                .map_or((fixed, fixed), |b| (b.parameter.lower, b.parameter.upper))
        };
        let (t, r, d) = (range(1, p.peak_time_pct), range(2, p.rise_time_pct), range(3, p.fall_time_pct));
        if t.0 < 0.0 || t.1 > 100.0 {
            bail!("{name}: peak_time_pct must stay within 0..100 % (range {}..{})", t.0, t.1);
        }
        if r.0 <= 0.0 || d.0 <= 0.0 {
            bail!("{name}: rise_time_pct and fall_time_pct must stay positive");
        }
        if r.1 + d.1 >= 100.0 {
            bail!("{name}: rise_time_pct + fall_time_pct can reach {} %; they must stay below 100 %", r.1 + d.1);
        }
    }
    Ok(())
}

fn adaptation_of(spec: Option<&str>) -> Result<Option<Adaptation>> {
    let Some(s) = spec else { return Ok(None) };
    let bad = || anyhow!("--adaptation {s}: expected INITIAL_FRACTION,TIME_CONSTANT_MIN (for example 0.5,30)");
    let (a, b) = s.split_once(',').ok_or_else(bad)?;
    Ok(Some(Adaptation {
        initial_fraction: a.trim().parse().map_err(|_| bad())?,
        time_constant_min: b.trim().parse().map_err(|_| bad())?,
    }))
}

fn plot(path: &Path, o: &Outcome, names: &[String], bounds: &[(f64, f64)]) -> Result<()> {
    use crate::plots::{Mark, Series, XyPanel, draw_xy};
    let e = &o.evaluations;
    let t1 = o.duration_min.max(1e-6);
    let mid = |v: &exo_sim::hilo::Evaluation| 0.5 * (v.clock_min[0] + v.clock_min[1]);
    let dots = |name: &str, f: fn(&exo_sim::hilo::Evaluation) -> f64| Series {
        name: name.to_string(),
        points: e.iter().map(|v| (mid(v), f(v))).collect(),
        mark: Mark::Dots,
    };
    let costs = XyPanel {
        title: "metabolic power per condition".into(),
        y_label: "W".into(),
        series: vec![
            dots("measured (cart)", |v| v.measured_w),
            dots("true at the condition's end", |v| v.true_w),
            dots("true, fully adapted", |v| v.stationary_w),
            Series::line("unassisted", vec![(0.0, o.unassisted_w), (t1, o.unassisted_w)]),
        ],
    };
    let parameters = XyPanel {
        title: "parameters (fraction of their range)".into(),
        y_label: "fraction".into(),
        series: names
            .iter()
            .zip(bounds)
            .enumerate()
            .map(|(i, (name, (a, b)))| {
                Series::line(name.clone(), e.iter().map(|v| (mid(v), (v.parameters[i] - a) / (b - a))).collect())
            })
            .collect(),
    };
    draw_xy(
        path,
        "human-in-the-loop optimization (simulated protocol)",
        "protocol time (min)",
        (0.0, t1),
        &[costs, parameters],
    )
}

pub(crate) fn run(a: &TrialArgs, r: &HiloArgs, out: &Path) -> Result<()> {
    let started = std::time::Instant::now();
    let protocol = Protocol {
        generations: r.generations,
        population: r.population,
        condition_s: r.condition_s,
        estimator: match r.estimator {
            EstimatorArg::Instantaneous => Estimator::LastMinuteMean,
            EstimatorArg::FirstOrder => Estimator::FirstOrder,
        },
        respirometry: Respirometry { time_constant_s: r.cart_tau_s, breath_interval_s: r.breath_s, noise: r.noise },
        adaptation: adaptation_of(r.adaptation.as_deref())?,
        seed: r.seed,
        initial_step: 0.3,
    };
    protocol.validate()?;
    let p: Prepared = prepare(a)?;
    let binds = bindings(&p.assist, &r.params)?;
    check_ranges(&p.assist, &binds)?;
    let parameters: Vec<Parameter> = binds.iter().map(|b| b.parameter.clone()).collect();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(r.jobs.unwrap_or(0))
        .build()
        .context("cannot start the worker threads")?;
    let inputs = p.inputs();
    let unassisted_w = pool.install(|| mean_metabolic_power_w(&inputs, None, p.window, CHUNKS))?;
    let cost = |x: &[f64]| -> Result<f64, String> {
        let device =
            IdealDevice::new(&p.skeleton, &p.loads, &profiles(&p.assist, &binds, x)).map_err(|e| e.to_string())?;
        pool.install(|| mean_metabolic_power_w(&inputs, Some(&device), p.window, CHUNKS)).map_err(|e| e.to_string())
    };
    let prepared = started.elapsed();
    let o = exo_sim::hilo::run(&parameters, &protocol, unassisted_w, cost)?;
    let wall = started.elapsed();

    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let names: Vec<String> = parameters.iter().map(|q| q.name.clone()).collect();
    let mut csv = format!(
        "generation,candidate,clock_start_min,clock_end_min,{},true_w,stationary_w,measured_w\n",
        names.join(",")
    );
    for e in &o.evaluations {
        let values: Vec<String> = e.parameters.iter().map(|v| format!("{v}")).collect();
        let _ = writeln!(
            csv,
            "{},{},{},{},{},{},{},{}",
            e.generation,
            e.candidate,
            e.clock_min[0],
            e.clock_min[1],
            values.join(","),
            e.true_w,
            e.stationary_w,
            e.measured_w
        );
    }
    atomic::write(&out.join("hilo.csv"), csv.as_bytes())?;
    let bounds: Vec<(f64, f64)> = parameters.iter().map(|q| (q.lower, q.upper)).collect();
    plot(&out.join("hilo.png"), &o, &names, &bounds)?;
    let summary = json!({
        "model": p.label,
        "assist": a.assist,
        "parameters": parameters.iter().zip(&o.final_parameters).map(|(q, v)| json!({"name": q.name, "lower": q.lower, "upper": q.upper, "initial": q.initial, "final": v})).collect::<Vec<_>>(),
        "unassisted_w": o.unassisted_w,
        "final_w": o.final_w,
        "final_change_w": o.final_w - o.unassisted_w,
        "final_change_pct": o.change_pct(),
        "conditions": o.evaluations.len(),
        "generations_run": o.generations_run,
        "cmaes_stopped_because": o.stopped_because,
        "protocol_duration_min": o.duration_min,
        "condition_s": protocol.condition_s,
        "estimator": format!("{:?}", protocol.estimator),
        "respirometry": {"time_constant_s": protocol.respirometry.time_constant_s, "breath_interval_s": protocol.respirometry.breath_interval_s, "noise": protocol.respirometry.noise},
        "adaptation": protocol.adaptation.map(|ad| json!({"initial_fraction": ad.initial_fraction, "time_constant_min": ad.time_constant_min})),
        "seed": protocol.seed,
        "window_s": p.window,
        "wall_time_s": wall.as_secs_f64(),
    });
    atomic::write(&out.join("summary.json"), serde_json::to_string_pretty(&summary)?.as_bytes())?;
    let finals: Vec<String> = names.iter().zip(&o.final_parameters).map(|(n, v)| format!("{n}={v:.2}")).collect();
    println!(
        "after {} conditions ({:.0} simulated minutes): true metabolic power {:.1} W -> {:.1} W ({:+.1} W, {:+.1} %) with {}",
        o.evaluations.len(),
        o.duration_min,
        o.unassisted_w,
        o.final_w,
        o.final_w - o.unassisted_w,
        o.change_pct(),
        finals.join(" ")
    );
    println!(
        "timing: {:.2} s to read and prepare, {:.2} s for the protocol ({:.1} ms per condition), {:.2} s in all",
        prepared.as_secs_f64(),
        (wall - prepared).as_secs_f64(),
        (wall - prepared).as_secs_f64() * 1e3 / (o.evaluations.len() + 1) as f64,
        wall.as_secs_f64()
    );
    println!("wrote {}", out.display());
    Ok(())
}
