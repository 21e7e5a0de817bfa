//! The last seconds of the plotted signals, in a ring buffer allocated once per loaded scenario.
//!
//! Channels carry the names of the recorder's columns (`knee_q_rad`, `exo_knee_current_a`, `thigh_cuff_normal_n`),
//! so that a live run and a replayed recording fill the same plots.

use bevy::prelude::*;
use exo_sim::simulation::Simulation;
use exo_sim::walk::WalkSimulation;
use exo_sim::world::World;

/// Seconds of history kept.
pub const WINDOW_S: f64 = 10.0;
/// One sample is kept every this many simulated seconds (200 Hz).
pub const SAMPLE_PERIOD_S: f64 = 0.005;

/// Ring buffer of named signals against simulated time.
#[derive(Resource, Clone, Debug, Default)]
pub struct History {
    names: Vec<String>,
    time: Vec<f64>,
    columns: Vec<Vec<f64>>,
    row: Vec<f64>,
    capacity: usize,
    len: usize,
    head: usize,
}

impl History {
    /// A history of `names` holding `capacity` samples (all storage allocated here).
    #[must_use]
    pub fn new(names: Vec<String>, capacity: usize) -> Self {
        let capacity = capacity.max(2);
        let n = names.len();
        Self {
            time: vec![0.0; capacity],
            columns: vec![vec![f64::NAN; capacity]; n],
            row: vec![f64::NAN; n],
            names,
            capacity,
            len: 0,
            head: 0,
        }
    }

    /// A history of `names` holding [`WINDOW_S`] at [`SAMPLE_PERIOD_S`].
    #[must_use]
    pub fn for_window(names: Vec<String>) -> Self {
        Self::new(names, (WINDOW_S / SAMPLE_PERIOD_S).ceil() as usize + 1)
    }

    /// Channel names.
    #[must_use]
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Index of a channel.
    #[must_use]
    pub fn index(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }

    /// Samples held.
    #[must_use]
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when no sample is held.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Samples it can hold.
    #[must_use]
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Forgets every sample.
    pub fn clear(&mut self) {
        self.len = 0;
        self.head = 0;
    }

    /// Time of the newest sample, s.
    #[must_use]
    pub fn latest_time(&self) -> Option<f64> {
        (self.len > 0).then(|| self.time[(self.head + self.capacity - 1) % self.capacity])
    }

    /// True when a sample taken at `time_s` is due (one per [`SAMPLE_PERIOD_S`]).
    #[must_use]
    pub fn due(&self, time_s: f64) -> bool {
        self.latest_time().is_none_or(|t| time_s - t >= SAMPLE_PERIOD_S * (1.0 - 1e-6) || time_s < t)
    }

    /// The row to fill before [`History::commit`] (one value per channel, NaN where unknown).
    pub fn row_mut(&mut self) -> &mut [f64] {
        &mut self.row
    }

    /// Appends the row filled through [`History::row_mut`] at `time_s`, dropping the oldest sample when full.
    pub fn commit(&mut self, time_s: f64) {
        let h = self.head;
        self.time[h] = time_s;
        for (col, v) in self.columns.iter_mut().zip(&self.row) {
            col[h] = *v;
        }
        self.head = (h + 1) % self.capacity;
        self.len = (self.len + 1).min(self.capacity);
    }

    /// The samples of channel `column` from oldest to newest, as (time, value); NaN values are skipped.
    pub fn points(&self, column: usize) -> impl Iterator<Item = [f64; 2]> + '_ {
        let start = (self.head + self.capacity - self.len) % self.capacity;
        let col = &self.columns[column];
        (0..self.len)
            .map(move |k| (start + k) % self.capacity)
            .map(move |i| [self.time[i], col[i]])
            .filter(|p| !p[1].is_nan())
    }
}

/// The plotted channels of a world: per wearer coordinate its angle, reference and human torque; per device
/// joint its delivered torque and interaction torque, and (recorded only for actuated joints) the law's demand,
/// motor current and winding temperature; per cuff its normal and shear force. The names are the recorder's.
#[must_use]
pub fn channel_names(world: &World) -> Vec<String> {
    let mut names = Vec::new();
    for c in world.coordinates() {
        let n = &c.name;
        names.extend([format!("{n}_q_rad"), format!("{n}_q_ref_rad"), format!("{n}_human_torque_nm")]);
    }
    for d in world.device_joints() {
        let n = &d.name;
        names.extend(
            ["torque_nm", "interaction_nm", "demand_nm", "current_a", "winding_c"].map(|s| format!("exo_{n}_{s}")),
        );
    }
    for c in world.cuffs() {
        names.extend([format!("{}_normal_n", c.name), format!("{}_shear_n", c.name)]);
    }
    names
}

/// Fills `row` (in [`channel_names`] order) from the live simulation's last tick (NaN where a device joint has
/// no actuator).
pub fn live_sample(sim: &Simulation, row: &mut [f64]) {
    let w = sim.world();
    let r = w.readings();
    let (q_ref, human, out) = (sim.reference_q_rad(), sim.human_torque_nm(), sim.output());
    let mut i = 0;
    let mut put = |v: f64| {
        if let Some(slot) = row.get_mut(i) {
            *slot = v;
        }
        i += 1;
    };
    for k in 0..w.coordinates().len() {
        put(w.coordinate_q(k));
        put(q_ref.get(k).copied().unwrap_or(f64::NAN));
        put(human.get(k).copied().unwrap_or(f64::NAN));
    }
    for d in 0..w.device_joints().len() {
        put(r.exo_torque_nm.get(d).copied().unwrap_or(f64::NAN));
        put(r.exo_interaction_nm.get(d).copied().unwrap_or(f64::NAN));
        // The controlled joint (and actuator) driving this device joint, if any.
        let controlled = sim.joints().iter().position(|j| j.device_joint == d);
        let actuator = controlled.and_then(|k| sim.actuators().get(k));
        put(controlled.and_then(|k| out.demand_nm.get(k)).copied().unwrap_or(f64::NAN));
        put(actuator.map_or(f64::NAN, |a| a.state().current_a));
        put(actuator.map_or(f64::NAN, |a| a.state().winding_c));
    }
    for c in &r.cuffs {
        put(c.normal_n);
        put(c.shear_n);
    }
}

/// The channel of the muscles' whole-body metabolic power, W (the walk's `muscles.csv` name), filled by
/// [`crate::live::LiveSim`] when the scenario has muscles.
pub const METABOLIC_CHANNEL: &str = "metabolic_power_w";

/// The wearer's joints of an imported wearer's walk: every coordinate but the free pelvis'.
fn walk_joints(sim: &WalkSimulation) -> impl Iterator<Item = usize> + '_ {
    (0..sim.body().skeleton().coordinates.len()).filter(|&c| !sim.wearer().is_residual(c))
}

/// The plotted channels of a walk of an imported wearer, as [`channel_names`] names them: per joint coordinate
/// its angle, reference and the wearer's torque; per device joint its delivered torque, (no) interaction torque,
/// the supervised command, motor current and winding temperature (the walk's recorder's names); with `muscles`,
/// [`METABOLIC_CHANNEL`] last.
#[must_use]
pub fn walk_channel_names(sim: &WalkSimulation, muscles: bool) -> Vec<String> {
    let sk = sim.body().skeleton();
    let mut names = Vec::new();
    for c in walk_joints(sim) {
        let n = &sk.coordinates[c].name;
        names.extend([format!("{n}_q_rad"), format!("{n}_q_ref_rad"), format!("{n}_human_torque_nm")]);
    }
    for d in sim.joints() {
        let n = &d.name;
        names.extend(
            ["torque_nm", "interaction_nm", "command_nm", "current_a", "winding_c"].map(|s| format!("exo_{n}_{s}")),
        );
    }
    if muscles {
        names.push(METABOLIC_CHANNEL.to_string());
    }
    names
}

/// Fills `row` (in [`walk_channel_names`] order) from the walk's last tick.
pub fn walk_sample(sim: &WalkSimulation, row: &mut [f64]) {
    let body = sim.body();
    let (q_ref, forces, out) = (sim.reference_q(), &sim.wearer_forces().total, sim.output());
    let mut i = 0;
    let mut put = |v: f64| {
        if let Some(slot) = row.get_mut(i) {
            *slot = v;
        }
        i += 1;
    };
    for c in walk_joints(sim) {
        put(body.q(c));
        put(q_ref.get(c).copied().unwrap_or(f64::NAN));
        put(forces.get(c).copied().unwrap_or(f64::NAN));
    }
    for (k, a) in sim.actuators().iter().enumerate() {
        put(body.readings().device_torque_nm.get(k).copied().unwrap_or(f64::NAN));
        // The imported wearer's device acts on its coordinate: no cuff, no interaction torque.
        put(f64::NAN);
        put(out.torque_nm.get(k).copied().unwrap_or(f64::NAN));
        put(a.state().current_a);
        put(a.state().winding_c);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ring_keeps_the_newest_samples_in_order() {
        let mut h = History::new(vec!["a".into()], 3);
        for k in 0..5 {
            h.row_mut()[0] = f64::from(k) * 10.0;
            h.commit(f64::from(k));
        }
        let pts: Vec<[f64; 2]> = h.points(0).collect();
        assert_eq!(pts, vec![[2.0, 20.0], [3.0, 30.0], [4.0, 40.0]]);
        assert_eq!(h.latest_time(), Some(4.0));
        assert!(!h.due(4.001) && h.due(4.005));
        h.clear();
        assert!(h.is_empty() && h.due(0.0));
    }
}
