//! `exosim tune`: gains that minimise a cost, by a coarse grid (in parallel) then Nelder-Mead (argmin) from
//! several of the grid's best points.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::{Context, Result, anyhow, bail};
use argmin::core::{CostFunction, Executor, State};
use argmin::solver::neldermead::NelderMead;
use exo_sim::scenario;
use exo_sim::simulation::{Simulation, Summary};
use exo_sim::walk::WalkSummary;
use rayon::prelude::*;

use crate::atomic;

/// What `tune` minimises.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Cost {
    /// Sum over actuated joints of the RMS interaction torque, N m.
    #[value(name = "interaction_rms")]
    InteractionRms,
    /// Sum over leg joints of the RMS tracking error, rad.
    #[value(name = "tracking_rmse")]
    TrackingRmse,
    /// Net battery energy, Wh.
    #[value(name = "energy")]
    Energy,
    /// Sum over leg joints of the RMS human torque, N m.
    #[value(name = "human_effort")]
    HumanEffort,
    /// Sum over actuated joints of the RMS of delivered minus demanded torque, N m.
    #[value(name = "assistance_error")]
    AssistanceError,
    /// The muscles' whole-body metabolic power with the device, W (an imported wearer with a metabolics file):
    /// human-in-the-loop optimization on the simulated wearer.
    #[value(name = "metabolic")]
    Metabolic,
}

fn cost_of(c: Cost, s: &Summary) -> f64 {
    let v = match c {
        Cost::InteractionRms => s.actuators.iter().map(|a| a.interaction_rms_nm).sum(),
        Cost::TrackingRmse => s.joints.iter().map(|j| j.tracking_rmse_rad).sum(),
        Cost::Energy => s.battery_wh,
        Cost::HumanEffort => s.joints.iter().map(|j| j.human_torque_rms_nm).sum(),
        Cost::AssistanceError => s.actuators.iter().map(|a| a.assistance_error_rms_nm).sum(),
        Cost::Metabolic => f64::NAN,
    };
    // A run that diverged or stopped early is the worst possible point.
    if s.ended_early.is_some() || s.supervisor.faults > 0 || !v.is_finite() { f64::MAX / 1e6 } else { v }
}

/// The cost of an imported wearer's walk (`Cost::Metabolic`, `Energy`, `TrackingRmse`, `HumanEffort`; the others
/// need cuffs, which an imported wearer's device does not have).
fn walk_cost_of(c: Cost, s: &WalkSummary, problem: Option<&str>) -> Result<f64> {
    let joints = || s.coordinates.iter().filter(|j| !j.residual);
    let v = match c {
        Cost::Metabolic => s.metabolics.as_ref().map_or(f64::NAN, |m| m.muscles_w),
        Cost::Energy => s.devices.iter().map(|d| d.battery_wh).sum(),
        Cost::TrackingRmse => joints().map(|j| j.tracking_rms).sum(),
        Cost::HumanEffort => joints().map(|j| j.generalized_force_rms).sum(),
        Cost::InteractionRms | Cost::AssistanceError => {
            bail!(
                "--cost {c:?}: an imported wearer's device has no cuffs; use metabolic, energy, tracking_rmse or human_effort"
            )
        }
    };
    // A walk that diverged, stopped safe or could not be analysed is the worst possible point.
    let bad = s.ended_early.is_some() || s.safe_stop.is_some() || problem.is_some() || !v.is_finite();
    Ok(if bad { f64::MAX / 1e6 } else { v })
}

struct Problem {
    file: PathBuf,
    sets: Vec<String>,
    paths: Vec<String>,
    bounds: Vec<(f64, f64)>,
    cost: Cost,
    /// An imported wearer's walk.
    walk: bool,
}

impl Problem {
    fn evaluate(&self, x: &[f64]) -> Result<f64> {
        let mut o = self.sets.clone();
        if !self.walk {
            o.push("simulation.record_rate_hz=0".into());
        }
        o.push("simulation.compare_without_exo=false".into());
        // Clamp into the bounds; the distance outside is penalised so that the simplex comes back.
        let mut outside = 0.0;
        for ((p, v), (lo, hi)) in self.paths.iter().zip(x).zip(&self.bounds) {
            let c = v.clamp(*lo, *hi);
            outside += (v - c).abs() / (hi - lo);
            o.push(format!("{p}={c:?}"));
        }
        let loaded = scenario::load(&self.file, &o)?;
        if self.walk {
            // The walk with its device alone, and its muscles (their cost needs the recorded rows).
            let mut progress = |_: &str, _: f64| {};
            let mut control = scenario::RunControl { progress: &mut progress, stop: &|| false };
            let run = scenario::run_walk(&loaded, &mut control)?.context("interrupted")?;
            return Ok(walk_cost_of(self.cost, &run.summary, run.problem.as_deref())? * (1.0 + outside));
        }
        if self.cost == Cost::Metabolic {
            bail!("--cost metabolic needs an imported wearer with muscles (`[wearer]` with `metabolics`)");
        }
        let mut sim = Simulation::new(scenario::build(&loaded, true)?);
        let r = sim.run(loaded.scenario.simulation.duration_s, |_| {}, || false);
        let mut s = sim.summary();
        s.ended_early = r.err().map(|e| e.to_string());
        Ok(cost_of(self.cost, &s) * (1.0 + outside))
    }
}

/// A point and its cost.
type Evaluation = (Vec<f64>, f64);

/// One Nelder-Mead search over a [`Problem`], remembering its evaluations in order (each search has its own
/// history, so that searches running in parallel write a file that does not depend on thread timing).
struct Search<'a> {
    problem: &'a Problem,
    history: Mutex<Vec<Evaluation>>,
}

impl CostFunction for &Search<'_> {
    type Param = Vec<f64>;
    type Output = f64;
    fn cost(&self, x: &Self::Param) -> Result<Self::Output, argmin::core::Error> {
        let c = self.problem.evaluate(x).map_err(|e| argmin::core::Error::msg(e.to_string()))?;
        if let Ok(mut h) = self.history.lock() {
            h.push((x.clone(), c));
        }
        Ok(c)
    }
}

/// Nelder-Mead from `x0` with a first simplex a quarter of each range wide (stepping inwards); returns the best
/// point (clamped into the bounds), its cost and every evaluation in order.
fn nelder_mead(problem: &Problem, x0: &[f64], iterations: u64) -> Result<(Vec<f64>, f64, Vec<Evaluation>)> {
    let mut simplex = vec![x0.to_vec()];
    for (d, (lo, hi)) in problem.bounds.iter().enumerate() {
        let mut v = x0.to_vec();
        let step = 0.25 * (hi - lo);
        v[d] = if v[d] + step <= *hi { v[d] + step } else { v[d] - step };
        simplex.push(v);
    }
    let search = Search { problem, history: Mutex::new(Vec::new()) };
    let solver = NelderMead::new(simplex).with_sd_tolerance(1e-6).map_err(|e| anyhow!("{e}"))?;
    let result = Executor::new(&search, solver)
        .configure(|s| s.max_iters(iterations))
        .run()
        .map_err(|e| anyhow!("Nelder-Mead: {e}"))?;
    let state = result.state();
    let x_best: Vec<f64> = state
        .get_best_param()
        .map_or_else(|| x0.to_vec(), Clone::clone)
        .iter()
        .zip(&problem.bounds)
        .map(|(v, (lo, hi))| v.clamp(*lo, *hi))
        .collect();
    let c_best = state.get_best_cost();
    let history = search.history.into_inner().map_err(|_| anyhow!("history lock poisoned"))?;
    Ok((x_best, c_best, history))
}

/// Tunes and writes `tune.csv` (every evaluation in order) into `out/<scenario>/`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn run(
    file: &Path,
    sets: &[String],
    specs: &[String],
    cost: Cost,
    grid_n: usize,
    iterations: u64,
    starts: usize,
    jobs: Option<usize>,
    out: &Path,
) -> Result<PathBuf> {
    let mut paths = Vec::new();
    let mut bounds = Vec::new();
    for s in specs {
        let (p, r) = s.split_once('=').ok_or_else(|| anyhow!("--param {s}: expected PATH=LO:HI"))?;
        let (lo, hi) = r.split_once(':').ok_or_else(|| anyhow!("--param {s}: expected PATH=LO:HI"))?;
        let (lo, hi): (f64, f64) = (
            lo.trim().parse().with_context(|| format!("--param {s}: bad lower bound"))?,
            hi.trim().parse().with_context(|| format!("--param {s}: bad upper bound"))?,
        );
        if !(lo.is_finite() && hi.is_finite() && lo < hi) {
            bail!("--param {s}: need finite bounds with LO < HI");
        }
        paths.push(p.trim().to_string());
        bounds.push((lo, hi));
    }
    let base = scenario::load(file, sets)?;
    let walk = base.scenario.wearer.is_some();
    if walk && cost == Cost::Metabolic && base.scenario.wearer.as_ref().is_some_and(|w| w.metabolics.is_none()) {
        bail!("--cost metabolic: {} names no metabolics file (`wearer.metabolics`)", file.display());
    }
    let problem = Problem {
        file: file.to_path_buf(),
        sets: sets.to_vec(),
        paths: paths.clone(),
        bounds: bounds.clone(),
        cost,
        walk,
    };
    // Coarse grid, in parallel; its best points seed Nelder-Mead.
    let n = grid_n.max(2);
    let total = n.pow(paths.len() as u32);
    let points: Vec<Vec<f64>> = (0..total)
        .map(|mut i| {
            bounds
                .iter()
                .map(|(lo, hi)| {
                    let k = i % n;
                    i /= n;
                    lo + (hi - lo) * k as f64 / (n - 1) as f64
                })
                .collect()
        })
        .collect();
    let pool = rayon::ThreadPoolBuilder::new().num_threads(jobs.unwrap_or(0)).build()?;
    let pb = crate::run::progress_bar(total as u64, "tune grid");
    let costs: Vec<f64> = pool.install(|| {
        points
            .par_iter()
            .map(|x| {
                let c = problem.evaluate(x);
                pb.inc(1);
                c
            })
            .collect::<Result<Vec<_>>>()
    })?;
    pb.finish_and_clear();
    // Nelder-Mead is local: start it from the `starts` best grid points (ties to the lower grid index), in
    // parallel, and keep the best result (ties to the better start).
    let mut order: Vec<usize> = (0..total).collect();
    order.sort_by(|a, b| costs[*a].total_cmp(&costs[*b]).then(a.cmp(b)));
    let seeds: Vec<usize> = order.into_iter().take(starts.max(1)).collect();
    let best = seeds[0];
    let pb = crate::run::progress_bar(seeds.len() as u64, "tune nelder-mead");
    let searches = pool.install(|| {
        seeds
            .par_iter()
            .map(|&i| {
                let r = nelder_mead(&problem, &points[i], iterations);
                pb.inc(1);
                r
            })
            .collect::<Result<Vec<_>>>()
    })?;
    pb.finish_and_clear();
    let (x_best, c_best) = searches
        .iter()
        .map(|(x, c, _)| (x.clone(), *c))
        .reduce(|a, b| if b.1 < a.1 { b } else { a })
        .ok_or_else(|| anyhow!("no Nelder-Mead search ran"))?;
    let dir = out.join(&base.scenario.name);
    std::fs::create_dir_all(&dir)?;
    // The grid ran in parallel: its rows are sorted by point so that the file does not depend on thread timing.
    let mut grid_rows: Vec<(Vec<f64>, f64)> = points.iter().cloned().zip(costs.iter().copied()).collect();
    grid_rows.sort_by(|a, b| a.0.partial_cmp(&b.0).unwrap_or(std::cmp::Ordering::Equal));
    let mut csv = format!("evaluation,stage,{},cost\n", paths.join(","));
    let stages = (0..searches.len()).map(|k| format!("nelder_mead_{}", k + 1));
    let rows = grid_rows
        .iter()
        .map(|r| ("grid".to_string(), r))
        .chain(stages.zip(&searches).flat_map(|(stage, (_, _, h))| h.iter().map(move |r| (stage.clone(), r))));
    for (i, (stage, (x, c))) in rows.enumerate() {
        let values: Vec<String> = x.iter().map(|v| format!("{v}")).collect();
        let _ = writeln!(csv, "{i},{stage},{},{c}", values.join(","));
    }
    let evaluations = grid_rows.len() + searches.iter().map(|(_, _, h)| h.len()).sum::<usize>();
    atomic::write(&dir.join("tune.csv"), csv.as_bytes())?;
    println!(
        "tuned {} ({:?}) over {evaluations} evaluations (grid of {total}, Nelder-Mead from the {} best grid points):",
        base.scenario.name,
        cost,
        searches.len()
    );
    for (p, v) in paths.iter().zip(&x_best) {
        println!("  {p} = {v:.6}");
    }
    println!("  cost {c_best:.6} (best grid point {:.6})", costs[best]);
    for (k, (&seed, (_, c, h))) in seeds.iter().zip(&searches).enumerate() {
        let from: Vec<String> = points[seed].iter().map(|v| format!("{v:.4}")).collect();
        println!(
            "  search {} from grid point ({}) at {:.6}: {c:.6} after {} evaluations",
            k + 1,
            from.join(", "),
            costs[seed],
            h.len()
        );
    }
    Ok(dir)
}
