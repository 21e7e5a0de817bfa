//! `exosim bode` and `exosim zwidth`: analyses run in parallel, written as CSV and PNG.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use exo_sim::analysis::bode::{self, BodeOptions, BodeSummary, Excitation};
use exo_sim::analysis::zwidth::{self, Verdict, WallParams};
use exo_sim::scenario::{self, LoadedScenario};
use plotters::prelude::*;
use rayon::prelude::*;

use crate::atomic;

fn pool(jobs: Option<usize>) -> Result<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new().num_threads(jobs.unwrap_or(0)).build().context("cannot start the worker threads")
}

/// Parses `start:stop:count`.
pub(crate) fn grid(spec: &str, what: &str) -> Result<Vec<f64>> {
    let p = crate::sweep::parse_param(&format!("{what}={spec}"))?;
    Ok(p.values)
}

fn draw_bode(path: &Path, s: &BodeSummary, title: &str) -> Result<()> {
    crate::plots::register_font();
    let (f0, f1) = (s.points.first().map_or(0.1, |p| p.frequency_hz), s.points.last().map_or(10.0, |p| p.frequency_hz));
    let (m0, m1) = s
        .points
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |a, p| (a.0.min(p.magnitude_db), a.1.max(p.magnitude_db)));
    let (p0, p1) =
        s.points.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |a, p| (a.0.min(p.phase_deg), a.1.max(p.phase_deg)));
    atomic::write_with(path, |tmp| {
        let root = BitMapBackend::new(tmp, (1000, 800)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| anyhow!("{e}"))?;
        let root = root.titled(title, ("sans-serif", 22)).map_err(|e| anyhow!("{e}"))?;
        let (top, bottom) = root.split_vertically(380);
        for (area, phase) in [(top, false), (bottom, true)] {
            let (lo, hi) = if phase { (p0 - 10.0, p1 + 10.0) } else { (m0 - 3.0, m1 + 3.0) };
            let mut chart = ChartBuilder::on(&area)
                .margin(10)
                .x_label_area_size(35)
                .y_label_area_size(60)
                .build_cartesian_2d((f0..f1).log_scale(), lo..hi)
                .map_err(|e| anyhow!("{e}"))?;
            chart
                .configure_mesh()
                .x_desc("frequency (Hz)")
                .y_desc(if phase { "phase (deg)" } else { "magnitude (dB)" })
                .draw()
                .map_err(|e| anyhow!("{e}"))?;
            let pts: Vec<(f64, f64)> =
                s.points.iter().map(|p| (p.frequency_hz, if phase { p.phase_deg } else { p.magnitude_db })).collect();
            chart.draw_series(LineSeries::new(pts.clone(), BLUE.stroke_width(2))).map_err(|e| anyhow!("{e}"))?;
            chart.draw_series(pts.iter().map(|p| Circle::new(*p, 3, BLUE.filled()))).map_err(|e| anyhow!("{e}"))?;
            if let Some(bw) = s.bandwidth_hz {
                chart
                    .draw_series(LineSeries::new(vec![(bw, lo), (bw, hi)], RED.stroke_width(1)))
                    .map_err(|e| anyhow!("{e}"))?
                    .label(format!("-3 dB bandwidth {bw:.2} Hz"))
                    .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], RED));
                chart
                    .configure_series_labels()
                    .border_style(BLACK)
                    .background_style(WHITE)
                    .draw()
                    .map_err(|e| anyhow!("{e}"))?;
            }
        }
        root.present().map_err(|e| anyhow!("{e}"))?;
        Ok(())
    })
}

/// Runs the frequency sweep and writes `bode.csv` and `bode.png` into `out/<scenario>/`.
pub(crate) fn run_bode(l: &LoadedScenario, o: &BodeOptions, jobs: Option<usize>, out: &Path) -> Result<PathBuf> {
    bode::check(l, o)?;
    let points = match o.excitation {
        Excitation::SteppedSines => {
            let freqs = bode::frequencies(o);
            let pb = crate::run::progress_bar(freqs.len() as u64, "bode");
            let points: Vec<_> = pool(jobs)?.install(|| {
                freqs
                    .par_iter()
                    .map(|f| {
                        let r = bode::measure(l, o, *f);
                        pb.inc(1);
                        r
                    })
                    .collect::<Result<Vec<_>, _>>()
            })?;
            pb.finish_and_clear();
            points
        }
        Excitation::Chirp => {
            let (start, end, sweep, tail) = bode::chirp_plan(l, o);
            println!("chirp {start:.2} -> {end:.2} Hz over {sweep:.1} s, then {tail:.1} s quiet");
            bode::measure_chirp(l, o)?
        }
    };
    let s = bode::summarise(points);
    let dir = out.join(&l.scenario.name);
    std::fs::create_dir_all(&dir)?;
    let mut csv = String::from("frequency_hz,magnitude_db,phase_deg\n");
    for p in &s.points {
        let _ = writeln!(csv, "{},{},{}", p.frequency_hz, p.magnitude_db, p.phase_deg);
    }
    atomic::write(&dir.join("bode.csv"), csv.as_bytes())?;
    draw_bode(&dir.join("bode.png"), &s, &format!("{}: {} -> {}", l.scenario.name, o.input, o.output))?;
    println!(
        "frequency response {} -> {} ({} points, {:.2}..{:.2} Hz):",
        o.input,
        o.output,
        s.points.len(),
        o.from_hz,
        o.to_hz
    );
    for p in &s.points {
        println!("  {:>8.3} Hz  {:>8.2} dB  {:>8.1} deg", p.frequency_hz, p.magnitude_db, p.phase_deg);
    }
    match (s.bandwidth_hz, s.phase_at_bandwidth_deg) {
        (Some(b), Some(ph)) => println!("  -3 dB bandwidth {b:.2} Hz (phase there {ph:.1} deg)"),
        _ => println!("  the gain does not fall 3 dB within the sweep"),
    }
    if let (Some(c), Some(ph)) = (s.crossover_hz, s.phase_at_crossover_deg) {
        println!("  0 dB crossover {c:.2} Hz, phase at crossover {ph:.1} deg");
    }
    Ok(dir)
}

fn first_actuator(l: &LoadedScenario) -> Result<Option<exo_sim::actuator::ActuatorConfig>> {
    let parts = scenario::build(l, true)?;
    Ok(parts.actuators.first().map(|a| a.config().clone()))
}

fn draw_zwidth(path: &Path, v: &[Verdict], p: &WallParams, title: &str, linear: bool) -> Result<()> {
    crate::plots::register_font();
    let kmax = v.iter().map(|x| x.stiffness_nm_per_rad).fold(1.0, f64::max);
    let bmax = v.iter().map(|x| x.damping_nm_s_per_rad).fold(0.1, f64::max);
    atomic::write_with(path, |tmp| {
        let root = BitMapBackend::new(tmp, (900, 700)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| anyhow!("{e}"))?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(70)
            .build_cartesian_2d(0.0..bmax * 1.05, 0.0..kmax * 1.05)
            .map_err(|e| anyhow!("{e}"))?;
        chart
            .configure_mesh()
            .x_desc("virtual damping B (N m s/rad)")
            .y_desc("virtual stiffness K (N m/rad)")
            .draw()
            .map_err(|e| anyhow!("{e}"))?;
        chart
            .draw_series(
                v.iter()
                    .filter(|x| x.passive)
                    .map(|x| Circle::new((x.damping_nm_s_per_rad, x.stiffness_nm_per_rad), 4, GREEN.filled())),
            )
            .map_err(|e| anyhow!("{e}"))?
            .label("passive")
            .legend(|(x, y)| Circle::new((x + 8, y), 4, GREEN.filled()));
        chart
            .draw_series(
                v.iter()
                    .filter(|x| !x.passive)
                    .map(|x| Cross::new((x.damping_nm_s_per_rad, x.stiffness_nm_per_rad), 4, RED)),
            )
            .map_err(|e| anyhow!("{e}"))?
            .label("active")
            .legend(|(x, y)| Cross::new((x + 8, y), 4, RED));
        if linear {
            // The closed-form boundary, up to where no stiffness is passive any more.
            let line: Vec<(f64, f64)> = (0..=100)
                .map_while(|i| {
                    let b = bmax * f64::from(i) / 100.0;
                    p.sampled_data_max_stiffness(b).map(|k| (b, k.min(kmax * 1.05)))
                })
                .collect();
            chart
                .draw_series(LineSeries::new(line, BLUE.stroke_width(2)))
                .map_err(|e| anyhow!("{e}"))?
                .label("Colgate-Schenkel condition (delay and filter included)")
                .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], BLUE));
        }
        chart
            .configure_series_labels()
            .border_style(BLACK)
            .background_style(WHITE)
            .draw()
            .map_err(|e| anyhow!("{e}"))?;
        root.present().map_err(|e| anyhow!("{e}"))?;
        Ok(())
    })
}

/// Computes the Z-width map and writes `zwidth.csv` and `zwidth.png` into `out/<scenario>/`.
pub(crate) fn run_zwidth(
    l: &LoadedScenario,
    stiffness: &str,
    damping: &str,
    physical_damping: Option<f64>,
    jobs: Option<usize>,
    out: &Path,
) -> Result<PathBuf> {
    let ks = grid(stiffness, "--stiffness")?;
    let bs = grid(damping, "--damping")?;
    if ks.iter().chain(&bs).any(|x| *x < 0.0) {
        bail!("--stiffness and --damping must not be negative");
    }
    let mut p = WallParams::from_scenario(l, first_actuator(l)?.as_ref());
    if let Some(b) = physical_damping {
        if !(b.is_finite() && b >= 0.0) {
            bail!("--physical-damping must be a finite number >= 0");
        }
        p.physical_damping_nm_s_per_rad = b;
    }
    let cells: Vec<(f64, f64)> = bs.iter().flat_map(|b| ks.iter().map(move |k| (*k, *b))).collect();
    let pb = crate::run::progress_bar(cells.len() as u64, "z-width");
    let verdicts: Vec<Verdict> = pool(jobs)?.install(|| {
        cells
            .par_iter()
            .map(|(k, b)| {
                let v = zwidth::classify(&p, *k, *b);
                pb.inc(1);
                v
            })
            .collect()
    });
    pb.finish_and_clear();
    let dir = out.join(&l.scenario.name);
    std::fs::create_dir_all(&dir)?;
    let mut csv = String::from("stiffness_nm_per_rad,damping_nm_s_per_rad,passive,worst_relative_energy\n");
    for v in &verdicts {
        let _ = writeln!(
            csv,
            "{},{},{},{}",
            v.stiffness_nm_per_rad,
            v.damping_nm_s_per_rad,
            u8::from(v.passive),
            v.worst_relative_energy
        );
    }
    atomic::write(&dir.join("zwidth.csv"), csv.as_bytes())?;
    // Without quantisation the wall is linear and Colgate and Schenkel's condition has a closed form.
    let linear = p.counts_per_rev == 0;
    let title = format!(
        "{}: Z-width at {:.0} Hz, delay {} ticks, {} counts/rev, b = {:.3} N m s/rad",
        l.scenario.name,
        1.0 / p.control_dt_s,
        p.delay_ticks,
        p.counts_per_rev,
        p.physical_damping_nm_s_per_rad
    );
    draw_zwidth(&dir.join("zwidth.png"), &verdicts, &p, &title, linear)?;
    println!("{title}");
    println!("  {:>14} {:>22} {:>30}", "B N m s/rad", "largest passive K", "Colgate-Schenkel condition");
    let none = || "none".to_string();
    for b in &bs {
        let k = zwidth::max_passive_stiffness(&verdicts, *b).map_or_else(none, |k| format!("{k:.0} N m/rad"));
        let bound = if linear {
            p.sampled_data_max_stiffness(*b).map_or_else(none, |k| format!("{k:.0} N m/rad"))
        } else {
            "n/a (quantised)".to_string()
        };
        println!("  {b:>14.3} {k:>22} {bound:>30}");
    }
    Ok(dir)
}
