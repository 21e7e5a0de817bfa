//! Playing back a recorded run: `timeseries.csv` poses the world rebuilt from the run's `scenario.toml`.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use bevy::prelude::*;
use exo_control::SVector;
use exo_sim::scenario::{self, LoadedScenario};
use exo_sim::simulation::Table;
use exo_sim::world::World;

use crate::frames::{Frames, Snapshot};
use crate::history::{self, History};
use crate::playback::Playback;

/// A recorded run being played back.
#[derive(Resource)]
pub struct Replay {
    dir: PathBuf,
    scenario: LoadedScenario,
    controller: &'static str,
    world: World,
    table: Table,
    time_col: usize,
    coord_cols: Vec<usize>,
    /// Human torque column of each wearer coordinate.
    human_cols: Vec<Option<usize>>,
    /// Delivered torque column of each device joint.
    exo_cols: Vec<Option<usize>>,
    cuff_cols: Vec<[Option<usize>; 2]>,
    history_cols: Vec<Option<usize>>,
    /// Playback time, s.
    time_s: f64,
    /// Rows fed to the history so far.
    fed: usize,
    q: Vec<f64>,
    zeros: Vec<f64>,
    human: Vec<f64>,
    exo: Vec<f64>,
    /// A time the timeline asked to jump to, applied at the next frame.
    pub seek: Option<f64>,
}

impl Replay {
    /// Opens `dir/timeseries.csv` and rebuilds the world from `dir/scenario.toml`.
    pub fn open(dir: &Path) -> Result<Self> {
        let scenario_path = dir.join("scenario.toml");
        let loaded = scenario::load(&scenario_path, &[])?;
        let parts = scenario::build(&loaded, true)?;
        let controller = parts.controller.name();
        let world = parts.world;
        let csv_path = dir.join("timeseries.csv");
        let text = std::fs::read_to_string(&csv_path).with_context(|| format!("cannot read {}", csv_path.display()))?;
        let table = Table::parse(&text, &csv_path)?;
        if table.rows() == 0 {
            bail!("{}: no rows", csv_path.display());
        }
        let time_col = table.column("time_s").with_context(|| format!("{}: no time_s column", csv_path.display()))?;
        let mut coord_cols = Vec::new();
        for b in world.model().bodies() {
            let unit = b.joint.coordinate_unit();
            let name = format!("coord_{}_{unit}", b.name);
            let c = table.column(&name).with_context(|| {
                format!(
                    "{}: no column {name} (the model of scenario.toml does not match the recording)",
                    csv_path.display()
                )
            })?;
            coord_cols.push(c);
        }
        let human_cols: Vec<_> =
            world.coordinates().iter().map(|c| table.column(&format!("{}_human_torque_nm", c.name))).collect();
        let exo_cols: Vec<_> =
            world.device_joints().iter().map(|d| table.column(&format!("exo_{}_torque_nm", d.name))).collect();
        let cuff_cols = world
            .cuffs()
            .iter()
            .map(|c| [table.column(&format!("{}_normal_n", c.name)), table.column(&format!("{}_shear_n", c.name))])
            .collect();
        let history_cols = history::channel_names(&world).iter().map(|n| table.column(n)).collect();
        let n = world.model().len();
        let start = table.get(0, time_col);
        Ok(Self {
            dir: dir.to_path_buf(),
            scenario: loaded,
            controller,
            world,
            table,
            time_col,
            coord_cols,
            cuff_cols,
            history_cols,
            time_s: start,
            fed: 0,
            q: vec![0.0; n],
            zeros: vec![0.0; n],
            human: vec![0.0; human_cols.len()],
            exo: vec![0.0; exo_cols.len()],
            human_cols,
            exo_cols,
            seek: None,
        })
    }

    /// The folder played back.
    #[must_use]
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The scenario of the recording.
    #[must_use]
    pub fn scenario(&self) -> &LoadedScenario {
        &self.scenario
    }

    /// The name of the recording's control law, as its controller gives it (`assistance`).
    #[must_use]
    pub fn controller_name(&self) -> &'static str {
        self.controller
    }

    /// The world, posed at the playback time.
    #[must_use]
    pub fn world(&self) -> &World {
        &self.world
    }

    /// The control tick of the recorded scenario, s.
    #[must_use]
    pub fn tick_s(&self) -> f64 {
        self.scenario.scenario.simulation.control_dt_s
    }

    /// Playback time, s.
    #[must_use]
    pub fn time_s(&self) -> f64 {
        self.time_s
    }

    /// Time of the first row, s.
    #[must_use]
    pub fn start_s(&self) -> f64 {
        self.table.get(0, self.time_col)
    }

    /// Time of the last row, s.
    #[must_use]
    pub fn end_s(&self) -> f64 {
        self.table.get(self.table.rows() - 1, self.time_col)
    }

    /// True at the last row.
    #[must_use]
    pub fn at_end(&self) -> bool {
        self.time_s >= self.end_s()
    }

    /// The recorded value of `column` at the playback time (linear between rows).
    #[must_use]
    pub fn value(&self, column: usize) -> f64 {
        let (row, frac) = self.locate(self.time_s);
        let a = self.table.get(row, column);
        if frac <= 0.0 || row + 1 >= self.table.rows() {
            return a;
        }
        a + (self.table.get(row + 1, column) - a) * frac
    }

    /// Index of a recorded column.
    #[must_use]
    pub fn column(&self, name: &str) -> Option<usize> {
        self.table.column(name)
    }

    /// The row at or before `t` and the fraction of the way to the next one.
    fn locate(&self, t: f64) -> (usize, f64) {
        let rows = self.table.rows();
        let mut lo = 0;
        let mut hi = rows;
        while lo < hi {
            let mid = (lo + hi) / 2;
            if self.table.get(mid, self.time_col) <= t {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        let row = lo.saturating_sub(1);
        if row + 1 >= rows {
            return (row, 0.0);
        }
        let (t0, t1) = (self.table.get(row, self.time_col), self.table.get(row + 1, self.time_col));
        (row, if t1 > t0 { ((t - t0) / (t1 - t0)).clamp(0.0, 1.0) } else { 0.0 })
    }

    /// Poses the world at the playback time and copies it into `snap`.
    fn capture(&mut self, snap: &mut Snapshot) {
        for k in 0..self.coord_cols.len() {
            self.q[k] = self.value(self.coord_cols[k]);
        }
        self.world.set_state(self.time_s, &self.q, &self.zeros);
        for k in 0..self.human_cols.len() {
            self.human[k] = self.human_cols[k].map_or(0.0, |c| self.value(c));
        }
        for k in 0..self.exo_cols.len() {
            self.exo[k] = self.exo_cols[k].map_or(0.0, |c| self.value(c));
        }
        snap.capture(&self.world, &self.human, &self.exo);
        // Cuff forces as recorded (normal and shear in the limb frame), not re-derived from a zero-speed state.
        let kin = self.world.kinematics();
        for ((cuff, cols), out) in self.world.cuffs().iter().zip(&self.cuff_cols).zip(snap.cuffs.iter_mut()) {
            if let [Some(nc), Some(sc)] = *cols {
                let (normal, shear) = (self.value(nc), self.value(sc));
                let axis = cuff.axis;
                let perp = SVector::<f64, 2>::new(-axis.y, axis.x);
                out.force_n = kin.pose[cuff.limb].vector_to_parent(&(axis * shear + perp * normal));
            }
        }
    }

    /// Appends the recorded rows up to the playback time to `history`.
    fn feed(&mut self, history: &mut History) {
        while self.fed < self.table.rows() {
            let t = self.table.get(self.fed, self.time_col);
            if t > self.time_s {
                break;
            }
            if history.due(t) {
                for (slot, col) in history.row_mut().iter_mut().zip(&self.history_cols) {
                    *slot = col.map_or(f64::NAN, |c| self.table.get(self.fed, c));
                }
                history.commit(t);
            }
            self.fed += 1;
        }
    }

    /// Advances by `dt_s`; returns false (without moving) at the end of the recording.
    pub fn step(&mut self, dt_s: f64, frames: &mut Frames, history: &mut History) -> bool {
        if self.at_end() {
            return false;
        }
        self.time_s = (self.time_s + dt_s).min(self.end_s());
        self.capture(frames.advance());
        self.feed(history);
        true
    }

    /// Jumps to `t` (clamped to the recording): poses the world and refills the history window before it.
    pub fn seek_to(&mut self, t: f64, frames: &mut Frames, history: &mut History) {
        self.time_s = t.clamp(self.start_s(), self.end_s());
        let from = self.time_s - history::WINDOW_S;
        self.fed = self.locate(from).0;
        history.clear();
        self.feed(history);
        self.capture(frames.advance());
        frames.settle();
    }
}

/// Advances playback by one control tick per fixed step, unless paused; pauses at the end.
pub fn advance_replay(
    mut replay: ResMut<Replay>,
    mut playback: ResMut<Playback>,
    mut frames: ResMut<Frames>,
    mut history: ResMut<History>,
) {
    if playback.paused {
        return;
    }
    let dt = replay.tick_s();
    if !replay.step(dt, &mut frames, &mut history) {
        playback.paused = true;
    }
}

/// Applies a jump the timeline asked for.
pub fn apply_seek(mut replay: ResMut<Replay>, mut frames: ResMut<Frames>, mut history: ResMut<History>) {
    if let Some(t) = replay.seek.take() {
        replay.seek_to(t, &mut frames, &mut history);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_parse_with_nan_and_check_widths() {
        let t = Table::parse("time_s,a\n0.0,1\n0.5,NaN\n", Path::new("t.csv")).unwrap();
        assert_eq!(t.rows(), 2);
        assert_eq!(t.column("a"), Some(1));
        assert!(t.get(1, 1).is_nan());
        assert!(Table::parse("a,b\n1\n", Path::new("t.csv")).is_err());
        assert!(Table::parse("a\nx\n", Path::new("t.csv")).is_err());
    }
}
