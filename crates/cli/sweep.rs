//! Parameter sweeps: a grid of points run in parallel, split into shards across machines, merged back.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use anyhow::{Context, Result, anyhow, bail};
use exo_sim::scenario;
use exo_sim::simulation::{Simulation, Summary};
use exo_sim::walk::WalkSummary;
use rayon::prelude::*;

use crate::atomic;

/// One swept field and its values.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Param {
    /// Field path.
    pub(crate) path: String,
    /// Values, in order.
    pub(crate) values: Vec<f64>,
}

/// Parses `path=start:stop:count` (linearly spaced, both ends included).
pub(crate) fn parse_param(spec: &str) -> Result<Param> {
    let (path, range) =
        spec.split_once('=').ok_or_else(|| anyhow!("--param {spec}: expected PATH=START:STOP:COUNT"))?;
    let parts: Vec<&str> = range.split(':').collect();
    if parts.len() != 3 {
        bail!("--param {spec}: expected PATH=START:STOP:COUNT");
    }
    let start: f64 = parts[0].trim().parse().with_context(|| format!("--param {spec}: bad start `{}`", parts[0]))?;
    let stop: f64 = parts[1].trim().parse().with_context(|| format!("--param {spec}: bad stop `{}`", parts[1]))?;
    let count: usize = parts[2].trim().parse().with_context(|| format!("--param {spec}: bad count `{}`", parts[2]))?;
    if count == 0 || !start.is_finite() || !stop.is_finite() {
        bail!("--param {spec}: count must be at least 1 and the bounds finite");
    }
    let values = (0..count)
        .map(|i| if count == 1 { start } else { start + (stop - start) * i as f64 / (count - 1) as f64 })
        .collect();
    Ok(Param { path: path.trim().to_string(), values })
}

/// The grid point `index` (last parameter varies fastest).
pub(crate) fn point(params: &[Param], mut index: usize) -> Vec<f64> {
    let mut v = vec![0.0; params.len()];
    for (k, p) in params.iter().enumerate().rev() {
        v[k] = p.values[index % p.values.len()];
        index /= p.values.len();
    }
    v
}

/// Which shard of how many: explicit `K/N`, else SLURM array or Kubernetes indexed-Job variables, else 0/1.
pub(crate) fn shard(spec: Option<&str>) -> Result<(usize, usize)> {
    let parse = |k: &str, n: &str, what: &str| -> Result<(usize, usize)> {
        let k: usize = k.trim().parse().with_context(|| format!("{what}: bad shard index `{k}`"))?;
        let n: usize = n.trim().parse().with_context(|| format!("{what}: bad shard count `{n}`"))?;
        if n == 0 || k >= n {
            bail!("{what}: shard {k} of {n} does not exist (K counts from 0 and must be below N)");
        }
        Ok((k, n))
    };
    if let Some(s) = spec {
        let (k, n) = s.split_once('/').ok_or_else(|| anyhow!("--shard {s}: expected K/N"))?;
        return parse(k, n, "--shard");
    }
    if let (Ok(id), Ok(count)) = (std::env::var("SLURM_ARRAY_TASK_ID"), std::env::var("SLURM_ARRAY_TASK_COUNT")) {
        let min: usize = std::env::var("SLURM_ARRAY_TASK_MIN").ok().and_then(|m| m.parse().ok()).unwrap_or(0);
        let id: usize = id.trim().parse().context("SLURM_ARRAY_TASK_ID is not a number")?;
        return parse(&(id.saturating_sub(min)).to_string(), &count, "SLURM_ARRAY_TASK_ID");
    }
    if let Ok(idx) = std::env::var("JOB_COMPLETION_INDEX") {
        let count = std::env::var("EXOSIM_SHARD_COUNT")
            .context("JOB_COMPLETION_INDEX is set: set EXOSIM_SHARD_COUNT to the Job's completions")?;
        return parse(&idx, &count, "JOB_COMPLETION_INDEX");
    }
    Ok((0, 1))
}

/// Metrics of a summary as named numbers (wall-time figures excluded: rows must not depend on the machine).
pub(crate) fn metric_columns(s: &Summary) -> Vec<(String, f64)> {
    let mut c = vec![("duration_s".to_string(), s.duration_s), ("battery_wh".to_string(), s.battery_wh)];
    for j in &s.joints {
        c.push((format!("{}_tracking_rmse_rad", j.joint), j.tracking_rmse_rad));
        c.push((format!("{}_human_torque_rms_nm", j.joint), j.human_torque_rms_nm));
        c.push((format!("{}_human_positive_work_j", j.joint), j.human_positive_work_j));
    }
    for a in &s.actuators {
        let n = &a.joint;
        c.push((format!("{n}_demand_rms_nm"), a.demand_rms_nm));
        c.push((format!("{n}_delivered_rms_nm"), a.delivered_rms_nm));
        c.push((format!("{n}_interaction_rms_nm"), a.interaction_rms_nm));
        c.push((format!("{n}_interaction_peak_nm"), a.interaction_peak_nm));
        c.push((format!("{n}_peak_current_a"), a.peak_current_a));
        c.push((format!("{n}_peak_winding_c"), a.peak_winding_c));
        c.push((format!("{n}_saturated_fraction"), a.saturated_fraction));
    }
    for cuff in &s.cuffs {
        c.push((format!("{}_normal_rms_n", cuff.cuff), cuff.normal_rms_n));
        c.push((format!("{}_shear_rms_n", cuff.cuff), cuff.shear_rms_n));
    }
    c.push(("supervisor_faults".into(), f64::from(s.supervisor.faults)));
    c.push(("supervisor_limited_events".into(), f64::from(s.supervisor.limited_events)));
    c.push(("ended_early".into(), if s.ended_early.is_some() { 1.0 } else { 0.0 }));
    c
}

/// Metrics of an imported wearer's walk as named numbers (NaN where a figure does not apply): per joint coordinate
/// tracking and the wearer's RMS torque, the pelvis residuals, per device joint its torque, work, battery and
/// winding, the muscles' metabolic power with the change the device makes (and the weight's share of it), the load
/// carriage's increase, the supervisor.
pub(crate) fn walk_metric_columns(s: &WalkSummary, problem: Option<&str>) -> Vec<(String, f64)> {
    let nan = f64::NAN;
    let mut c = vec![("duration_s".to_string(), s.simulated_s)];
    for j in s.coordinates.iter().filter(|j| !j.residual) {
        c.push((format!("{}_tracking_rmse_{}", j.name, j.unit), j.tracking_rms));
        c.push((format!("{}_human_torque_rms_nm", j.name), j.generalized_force_rms));
    }
    let r = &s.pelvis_residual_rms;
    c.extend([
        ("pelvis_residual_fx_rms_n".to_string(), r.fx_n),
        ("pelvis_residual_fy_rms_n".to_string(), r.fy_n),
        ("pelvis_residual_mz_rms_nm".to_string(), r.mz_nm),
    ]);
    for d in &s.devices {
        let n = &d.joint;
        c.push((format!("{n}_torque_rms_nm"), d.torque_rms_nm));
        c.push((format!("{n}_torque_peak_nm"), d.torque_peak_nm));
        c.push((format!("{n}_positive_work_j"), d.positive_work_j));
        c.push((format!("{n}_negative_work_j"), d.negative_work_j));
        c.push((format!("{n}_battery_wh"), d.battery_wh));
        c.push((format!("{n}_peak_winding_c"), d.winding_peak_c));
    }
    let m = s.metabolics.as_ref();
    let change = m.and_then(|m| m.change.as_ref());
    c.push(("metabolic_power_w".into(), m.map_or(nan, |m| m.muscles_w)));
    c.push(("metabolic_change_w".into(), change.map_or(nan, |c| c.change_w)));
    c.push(("metabolic_change_pct".into(), change.map_or(nan, |c| c.change_pct)));
    c.push(("device_weight_w".into(), change.and_then(|c| c.device_weight_w).unwrap_or(nan)));
    c.push(("device_positive_power_w".into(), change.map_or(nan, |c| c.device_positive_w)));
    c.push(("saving_per_positive_work".into(), change.and_then(|c| c.saving_per_positive_work).unwrap_or(nan)));
    c.push(("load_increase_w".into(), s.load_carriage.as_ref().map_or(nan, |l| l.increase_w)));
    c.push(("supervisor_limited_ticks".into(), s.limited_ticks as f64));
    c.push(("safe_stop".into(), if s.safe_stop.is_some() { 1.0 } else { 0.0 }));
    c.push(("ended_early".into(), if s.ended_early.is_some() || problem.is_some() { 1.0 } else { 0.0 }));
    c
}

/// A finished point: its index and its metric columns (or why it failed).
type PointResult = (usize, Result<Vec<(String, f64)>>);

/// Runs one point; returns its metric columns.
fn run_point(file: &Path, sets: &[String], params: &[Param], values: &[f64], walk: bool) -> Result<Vec<(String, f64)>> {
    let mut overrides = sets.to_vec();
    if !walk {
        overrides.push("simulation.record_rate_hz=0".into());
        overrides.push("simulation.compare_without_exo=false".into());
    }
    for (p, v) in params.iter().zip(values) {
        overrides.push(format!("{}={v:?}", p.path));
    }
    let loaded = scenario::load(file, &overrides)?;
    if walk {
        // As `exosim run` runs it: its comparisons and the muscles' metabolic cost (recorded rows needed).
        let mut progress = |_: &str, _: f64| {};
        let mut control = scenario::RunControl { progress: &mut progress, stop: &|| false };
        let run = scenario::run_walk(&loaded, &mut control)?.context("interrupted")?;
        return Ok(walk_metric_columns(&run.summary, run.problem.as_deref()));
    }
    let mut sim = Simulation::new(scenario::build(&loaded, true)?);
    let r = sim.run(loaded.scenario.simulation.duration_s, |_| {}, || false);
    let mut s = sim.summary();
    s.ended_early = r.err().map(|e| e.to_string());
    Ok(metric_columns(&s))
}

/// Runs the shard's points of the grid on `jobs` threads and writes the CSV; returns its path.
pub(crate) fn run(
    file: &Path,
    sets: &[String],
    param_specs: &[String],
    jobs: Option<usize>,
    shard_spec: Option<&str>,
    out_dir: &Path,
    stop: &AtomicBool,
) -> Result<PathBuf> {
    let params: Vec<Param> = param_specs.iter().map(|s| parse_param(s)).collect::<Result<_>>()?;
    // Fail early, once, on a bad scenario or a bad parameter path.
    let first = point(&params, 0);
    let mut probe = sets.to_vec();
    probe.extend(params.iter().zip(&first).map(|(p, v)| format!("{}={v:?}", p.path)));
    let walk = scenario::load(file, &probe)?.scenario.wearer.is_some();
    let total: usize = params.iter().map(|p| p.values.len()).product();
    let (k, n) = shard(shard_spec)?;
    let mine: Vec<usize> = (0..total).filter(|i| i % n == k).collect();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs.unwrap_or(0))
        .build()
        .context("cannot start the worker threads")?;
    let done = AtomicU64::new(0);
    let pb = crate::run::progress_bar(mine.len() as u64, "sweep");
    let rows: Vec<Option<PointResult>> = pool.install(|| {
        mine.par_iter()
            .map(|&i| {
                if stop.load(Ordering::Relaxed) {
                    return None;
                }
                let values = point(&params, i);
                let r = run_point(file, sets, &params, &values, walk);
                pb.set_position(done.fetch_add(1, Ordering::Relaxed) + 1);
                Some((i, r))
            })
            .collect()
    });
    pb.finish_and_clear();
    let mut header: Option<Vec<String>> = None;
    let mut lines = Vec::new();
    for (i, r) in rows.into_iter().flatten() {
        let cols = r.with_context(|| format!("sweep point {i}"))?;
        let h: Vec<String> = std::iter::once("index".to_string())
            .chain(params.iter().map(|p| p.path.clone()))
            .chain(cols.iter().map(|(name, _)| name.clone()))
            .collect();
        if header.is_none() {
            header = Some(h);
        }
        let values = point(&params, i);
        let mut line = i.to_string();
        for v in values.iter().chain(cols.iter().map(|(_, v)| v)) {
            line.push(',');
            line.push_str(&format!("{v}"));
        }
        lines.push(line);
    }
    std::fs::create_dir_all(out_dir).with_context(|| format!("cannot create {}", out_dir.display()))?;
    let name = if n == 1 { "sweep.csv".to_string() } else { format!("sweep-shard-{k}-of-{n}.csv") };
    let path = out_dir.join(name);
    let mut text = header.unwrap_or_default().join(",");
    text.push('\n');
    for l in &lines {
        text.push_str(l);
        text.push('\n');
    }
    atomic::write(&path, text.as_bytes())?;
    if stop.load(Ordering::Relaxed) {
        bail!("interrupted: {} of {} points written to {}", lines.len(), mine.len(), path.display());
    }
    Ok(path)
}

/// Joins shard CSVs (files, or folders holding `sweep-shard-*.csv`) into `out_dir/sweep.csv`, checking that
/// they share a header and cover every index once.
pub(crate) fn merge(inputs: &[PathBuf], out_dir: &Path) -> Result<PathBuf> {
    let mut files = Vec::new();
    for i in inputs {
        if i.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(i)
                .with_context(|| format!("cannot read {}", i.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("sweep-shard-")))
                .collect();
            found.sort();
            files.extend(found);
        } else {
            files.push(i.clone());
        }
    }
    if files.is_empty() {
        bail!(
            "no shard files found in {}",
            inputs.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
        );
    }
    let mut header: Option<String> = None;
    let mut rows: BTreeMap<usize, String> = BTreeMap::new();
    for f in &files {
        let text = std::fs::read_to_string(f).with_context(|| format!("cannot read {}", f.display()))?;
        let mut lines = text.lines();
        let h = lines.next().unwrap_or("").to_string();
        match &header {
            Some(first) if !h.is_empty() && *first != h => {
                bail!("{}: header differs from the other shards", f.display())
            }
            None if !h.is_empty() => header = Some(h),
            _ => {}
        }
        for (n, l) in lines.enumerate() {
            if l.trim().is_empty() {
                continue;
            }
            let idx: usize = l
                .split(',')
                .next()
                .and_then(|x| x.parse().ok())
                .ok_or_else(|| anyhow!("{}:{}: no point index", f.display(), n + 2))?;
            if rows.insert(idx, l.to_string()).is_some() {
                bail!("{}:{}: point {idx} appears in more than one shard", f.display(), n + 2);
            }
        }
    }
    if let Some((&last, _)) = rows.iter().next_back()
        && rows.len() != last + 1
    {
        let missing: Vec<usize> = (0..=last).filter(|i| !rows.contains_key(i)).take(10).collect();
        bail!("points missing from the shards: {missing:?}");
    }
    std::fs::create_dir_all(out_dir)?;
    let path = out_dir.join("sweep.csv");
    let mut text = header.unwrap_or_default();
    text.push('\n');
    for l in rows.values() {
        text.push_str(l);
        text.push('\n');
    }
    atomic::write(&path, text.as_bytes())?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_are_linearly_spaced_and_the_grid_is_row_major() {
        let p = vec![parse_param("a=0:1:3").unwrap(), parse_param("b=10:20:2").unwrap()];
        assert_eq!(p[0].values, vec![0.0, 0.5, 1.0]);
        assert_eq!(point(&p, 0), vec![0.0, 10.0]);
        assert_eq!(point(&p, 1), vec![0.0, 20.0]);
        assert_eq!(point(&p, 5), vec![1.0, 20.0]);
        assert!(parse_param("a=0:1").is_err());
        assert!(parse_param("a=0:1:0").is_err());
    }

    #[test]
    fn explicit_shards_are_checked() {
        assert_eq!(shard(Some("1/4")).unwrap(), (1, 4));
        assert!(shard(Some("4/4")).is_err());
        assert!(shard(Some("x")).is_err());
    }
}
