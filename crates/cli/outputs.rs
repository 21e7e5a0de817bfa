//! Output files of one run: `timeseries.csv`, `summary.json`, `results.sto`.

use std::path::Path;

use anyhow::{Context, Result};
use exo_sim::opensim::Storage;
use exo_sim::simulation::{Recorder, Summary, Table};

use crate::atomic;

/// The scenario as it ran ([`exo_sim::scenario::resolved_copy`]) into `dir/scenario.toml`.
pub(crate) fn write_scenario(dir: &Path, loaded: &exo_sim::scenario::LoadedScenario) -> Result<()> {
    let text = exo_sim::scenario::resolved_copy(loaded)
        .to_toml()
        .map_err(|e| anyhow::anyhow!("cannot write the scenario: {e}"))?;
    atomic::write(&dir.join("scenario.toml"), text.as_bytes())
}

/// The time series as CSV: a header of channel names (each with its unit as suffix), then one row per sample.
pub(crate) fn timeseries_csv(rec: &Recorder) -> String {
    let names: Vec<&str> = rec.channels().iter().map(|c| c.name.as_str()).collect();
    Table::write(&names, (0..rec.rows()).map(|i| rec.row(i)))
}

/// Joint angles and torques as an OpenSim storage (angles in radians, `inDegrees=no`), with OpenSim's
/// coordinate names so that OpenSim can plot them against its own results.
pub(crate) fn results_storage(rec: &Recorder, name: &str) -> Result<Storage> {
    let mut columns = Vec::new();
    let mut data = Vec::new();
    let pairs = [
        ("hip_q_rad", "hip_flexion_r"),
        ("knee_q_rad", "knee_angle_r"),
        ("ankle_q_rad", "ankle_angle_r"),
        ("hip_q_ref_rad", "hip_flexion_r_reference"),
        ("knee_q_ref_rad", "knee_angle_r_reference"),
        ("ankle_q_ref_rad", "ankle_angle_r_reference"),
        ("hip_human_torque_nm", "hip_flexion_r_moment"),
        ("knee_human_torque_nm", "knee_angle_r_moment"),
        ("ankle_human_torque_nm", "ankle_angle_r_moment"),
        ("exo_hip_torque_nm", "exo_hip_flexion_r_moment"),
        ("exo_knee_torque_nm", "exo_knee_angle_r_moment"),
        ("exo_ankle_torque_nm", "exo_ankle_angle_r_moment"),
    ];
    for (channel, label) in pairs {
        if let Some(c) = rec.index(channel) {
            columns.push(label.to_string());
            data.push(rec.column(c).collect());
        }
    }
    let time = rec.index("time_s").map(|c| rec.column(c).collect()).unwrap_or_default();
    Storage::new(name, false, columns, time, data).context("cannot assemble the storage file")
}

/// Writes every enabled output of a run into `dir`.
pub(crate) fn write_all(dir: &Path, rec: &Recorder, summary: &Summary, sto: bool, timeseries: bool) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    if timeseries {
        atomic::write(&dir.join("timeseries.csv"), timeseries_csv(rec).as_bytes())?;
    }
    let json = serde_json::to_string_pretty(summary).context("cannot serialise the summary")?;
    atomic::write(&dir.join("summary.json"), json.as_bytes())?;
    if sto && rec.rows() > 0 {
        let s = results_storage(rec, &summary.scenario)?;
        atomic::write(&dir.join("results.sto"), s.to_text().as_bytes())?;
    }
    Ok(())
}
