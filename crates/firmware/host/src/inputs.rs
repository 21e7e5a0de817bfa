//! The firmware's two inputs read on the host: the law file (`law.toml`) and a frame log (`frames.csv` from
//! `exosim run --frames`).
//!
//! Shared by the firmware's `build.rs`, which turns them into flash tables, and by the host tool, which replays
//! the same tables in `f32` on the host: both read the same numbers the same way.

use std::collections::HashMap;

use exo_control::{Assistance, AssistanceConfig, Supervisor, SupervisorConfig};
use serde::Deserialize;

/// Calls `$f::<N>($args)` with `N` the joint count `$n` (1 to 8), or yields an error `Result`.
macro_rules! for_joints {
    ($n:expr, $f:ident $(, $arg:expr)* $(,)?) => {
        match $n {
            1 => $f::<1>($($arg),*),
            2 => $f::<2>($($arg),*),
            3 => $f::<3>($($arg),*),
            4 => $f::<4>($($arg),*),
            5 => $f::<5>($($arg),*),
            6 => $f::<6>($($arg),*),
            7 => $f::<7>($($arg),*),
            8 => $f::<8>($($arg),*),
            n => Err(format!("joints = {n}: the firmware is built for 1 to 8 joints")),
        }
    };
}

/// A law file: exo-control's own serde form of the assistance law's and the supervisor's configurations, in
/// `f32`, for `N` joints.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LawFile<const N: usize> {
    /// Joint count; must equal `N`.
    pub joints: usize,
    /// `AssistanceConfig<f32, N>`.
    pub assistance: AssistanceConfig<f32, N>,
    /// `SupervisorConfig<f32, N>`.
    pub supervisor: SupervisorConfig<f32, N>,
}

/// The `joints` of a law file.
pub fn law_joints(text: &str) -> Result<usize, String> {
    #[derive(Deserialize)]
    struct Joints {
        joints: usize,
    }
    let t: toml::Table = toml::from_str(text).map_err(|e| e.to_string())?;
    Joints::deserialize(toml::Value::Table(t)).map(|j| j.joints).map_err(|e| format!("`joints`: {e}"))
}

/// Reads a law file for `N` joints and checks both configurations as the firmware will (`Assistance::new`,
/// `Supervisor::new`).
pub fn parse_law<const N: usize>(text: &str) -> Result<LawFile<N>, String> {
    let law: LawFile<N> = toml::from_str(text).map_err(|e| e.to_string())?;
    if law.joints != N {
        return Err(format!("joints = {} but the configurations have {N} joints", law.joints));
    }
    Assistance::new(law.assistance).map_err(|e| format!("[assistance] {e}"))?;
    Supervisor::new(law.supervisor).map_err(|e| format!("[supervisor] {e}"))?;
    Ok(law)
}

/// A frame log: its joints (named by the header) and every cell as `f64`, as the simulator wrote it.
#[derive(Clone, Debug)]
pub struct FrameLog {
    /// Joint names in column order (`hip`, `knee`, `ankle`).
    pub joints: Vec<String>,
    columns: HashMap<String, usize>,
    rows: Vec<Vec<f64>>,
}

impl FrameLog {
    /// Parses the frame log `text` (CSV); `path` names it in errors.
    pub fn parse(text: &str, path: &str) -> Result<Self, String> {
        let log = Self::parse_plain(text, path)?;
        if log.joints.is_empty() {
            return Err(format!("{path}: no `*_joint_position_rad` column: not a frame log"));
        }
        let mut required: Vec<String> = ["time_s", "dt_s", "sequence"].map(String::from).to_vec();
        for f in crate::table::FIELDS {
            required.extend(log.joints.iter().map(|j| format!("{j}_{f}")));
        }
        if let Some(missing) = required.iter().find(|c| !log.columns.contains_key(*c)) {
            return Err(format!("{path}: no column `{missing}`"));
        }
        for j in &log.joints {
            if log.contact_column(j).is_none() {
                return Err(format!("{path}: no `{j}_foot_contact`, `foot_contact` or `heel_strike` column"));
            }
        }
        Ok(log)
    }

    /// Parses any CSV table of numbers with a header line (`replay.csv` too); `path` names it in errors.
    pub fn parse_plain(text: &str, path: &str) -> Result<Self, String> {
        let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
        let (_, header) = lines.next().ok_or_else(|| format!("{path}: empty"))?;
        let names: Vec<&str> = header.split(',').map(str::trim).collect();
        let columns: HashMap<String, usize> = names.iter().enumerate().map(|(i, n)| (n.to_string(), i)).collect();
        let joints: Vec<String> = names
            .iter()
            .filter_map(|n| n.strip_suffix(&format!("_{}", crate::table::FIELDS[0])))
            .map(String::from)
            .collect();
        let mut rows = Vec::new();
        for (i, line) in lines {
            let row: Result<Vec<f64>, String> = line
                .split(',')
                .enumerate()
                .map(|(c, cell)| {
                    cell.trim().parse::<f64>().map_err(|e| {
                        format!("{path}:{}: column `{}`: `{cell}`: {e}", i + 1, names.get(c).unwrap_or(&"?"))
                    })
                })
                .collect();
            let row = row?;
            if row.len() != names.len() {
                return Err(format!("{path}:{}: {} cells, the header has {}", i + 1, row.len(), names.len()));
            }
            rows.push(row);
        }
        Ok(Self { joints, columns, rows })
    }

    /// Ticks in the log.
    #[must_use]
    pub fn ticks(&self) -> usize {
        self.rows.len()
    }

    /// The cell of column `name` at `tick`, if both exist.
    #[must_use]
    pub fn value(&self, tick: usize, name: &str) -> Option<f64> {
        self.rows.get(tick)?.get(*self.columns.get(name)?).copied()
    }

    /// True when the log has column `name`.
    #[must_use]
    pub fn has(&self, name: &str) -> bool {
        self.columns.contains_key(name)
    }

    /// The column that gives joint `joint`'s foot contact: `{joint}_foot_contact`, else one `foot_contact` for
    /// all, else a log's single `heel_strike` event flag (a one-tick contact pulse: its rising edge is the heel
    /// strike, as the law's estimator detects it).
    #[must_use]
    pub fn contact_column(&self, joint: &str) -> Option<String> {
        [format!("{joint}_foot_contact"), "foot_contact".into(), "heel_strike".into()].into_iter().find(|c| self.has(c))
    }

    /// The frame table for `n` firmware joints (see `table.rs`): every number rounded to `f32` as the
    /// simulator rounds a frame for an `f32` law (`x as f32`). Firmware joint `j` reads log joint `j mod M`
    /// (for size builds with another joint count than the log's). `base_pitch_rad` is 0 in a log without it.
    pub fn table(&self, n: usize) -> Result<Vec<u8>, String> {
        let m = self.joints.len();
        if n > 32 {
            return Err(format!("{n} joints: the table holds foot contact for at most 32"));
        }
        let joint = |j: usize| &self.joints[j % m];
        let contact: Vec<String> = (0..n).map(|j| self.contact_column(joint(j)).unwrap_or_default()).collect();
        let mut out = Vec::with_capacity(self.rows.len() * crate::table::bytes_per_tick(n));
        for tick in 0..self.rows.len() {
            let get = |name: &str| self.value(tick, name).unwrap_or(f64::NAN);
            let (dt, sequence) = (get("dt_s"), get("sequence"));
            if !(sequence >= 0.0 && sequence <= f64::from(u32::MAX) && sequence.fract() == 0.0) {
                return Err(format!("tick {tick}: sequence {sequence} is not a whole number"));
            }
            let mut contacts = 0u32;
            for (j, c) in contact.iter().enumerate() {
                match get(c) {
                    0.0 => {}
                    1.0 => contacts |= 1 << j,
                    x => return Err(format!("tick {tick}: {c} {x} is not 0 or 1")),
                }
            }
            let pitch = self.value(tick, "base_pitch_rad").unwrap_or(0.0);
            let mut words = vec![(dt as f32).to_bits(), sequence as u32, contacts, (pitch as f32).to_bits()];
            for f in crate::table::FIELDS {
                for j in 0..n {
                    words.push((get(&format!("{}_{f}", joint(j))) as f32).to_bits());
                }
            }
            out.extend(words.iter().flat_map(|w| w.to_le_bytes()));
        }
        Ok(out)
    }
}
