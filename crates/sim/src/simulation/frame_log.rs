//! The controller's side of a run, tick by tick: every sensor frame the firmware was given and every command it
//! gave back.
//!
//! `exosim run --frames` writes it as `frames.csv`; `exosim replay` reads it back and feeds the frames through a
//! freshly built law and supervisor (the same `exo-control` code that runs on the target, in the run's precision)
//! to check that they command exactly what the log says, or to see what changed gains would have commanded on
//! the same measurements. A log taken on hardware with the same columns replays the same way; its command
//! columns are optional. `crates/firmware` replays the same logs on an emulated microcontroller.
//!
//! Numbers are written in Rust's shortest round-trip form, so a replay reads back the very bits that were logged.

use std::path::Path;

use super::table::{Table, TableError};
use crate::control::{Controller, Frame, Output};

/// The frame's scalar columns, before the per-joint ones.
const SCALARS: [&str; 4] = ["time_s", "dt_s", "sequence", "base_pitch_rad"];

/// The per-joint numeric fields of the frame, in column order (each written as `{joint}_{suffix}`), as
/// [`Frame::fields`] lists them.
const FRAME_FIELDS: [&str; 9] = [
    "joint_position_rad",
    "joint_velocity_rad_per_s",
    "motor_position_rad",
    "motor_velocity_rad_per_s",
    "joint_torque_nm",
    "interaction_torque_nm",
    "setpoint_position_rad",
    "setpoint_velocity_rad_per_s",
    "setpoint_torque_nm",
];

/// The optional output columns: the law's command, its demand, and the supervised torque sent to the drivers.
const OUTPUT_FIELDS: [&str; 3] = ["command_torque_nm", "command_demand_nm", "supervised_torque_nm"];

/// What the controller saw and did on one tick.
#[derive(Clone, Debug, PartialEq)]
pub struct FrameRecord {
    /// Time of the tick, s.
    pub time_s: f64,
    /// The `dt_s` the firmware was called with, s.
    pub dt_s: f64,
    /// The sensor frame, setpoint included.
    pub frame: Frame,
    /// What the law and the supervisor commanded (absent in a log that did not record it).
    pub output: Option<FrameOutput>,
}

/// The commands of one tick, one entry per joint.
#[derive(Clone, Debug, PartialEq)]
pub struct FrameOutput {
    /// The control law's command, N m.
    pub command_torque_nm: Vec<f64>,
    /// The law's demand, N m.
    pub demand_nm: Vec<f64>,
    /// The torque the supervisor let through to the drivers, joint-referred, N m.
    pub supervised_torque_nm: Vec<f64>,
}

/// The frames of a run, in tick order: one row of numbers per tick in a buffer allocated for the whole run, so
/// that logging does not allocate inside a tick.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FrameLog {
    joints: Vec<String>,
    with_output: bool,
    width: usize,
    data: Vec<f64>,
}

impl FrameLog {
    /// An empty log of the joints `joints` (with command columns), with room for `ticks` records.
    #[must_use]
    pub fn with_capacity(joints: Vec<String>, ticks: usize) -> Self {
        let width = Self::width(joints.len(), true);
        Self { with_output: true, width, data: Vec::with_capacity(width * ticks), joints }
    }

    fn width(joints: usize, with_output: bool) -> usize {
        SCALARS.len() + joints * (1 + FRAME_FIELDS.len() + if with_output { OUTPUT_FIELDS.len() } else { 0 })
    }

    /// The joints, in the frame's order.
    #[must_use]
    pub fn joints(&self) -> &[String] {
        &self.joints
    }

    /// Number of ticks logged.
    #[must_use]
    pub fn len(&self) -> usize {
        self.data.len().checked_div(self.width).unwrap_or(0)
    }

    /// True when nothing is logged.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// Appends a tick (no allocation while the capacity lasts); the commands are written only into a log with
    /// command columns (otherwise the row would not fit the log's width).
    pub fn push_tick(&mut self, time_s: f64, dt_s: f64, frame: &Frame, output: &Output) {
        self.data.extend_from_slice(&[time_s, dt_s, f64::from(frame.sequence), frame.base_pitch_rad]);
        self.data.extend(frame.foot_contact.iter().map(|c| f64::from(u8::from(*c))));
        for (_, v) in frame.fields() {
            self.data.extend_from_slice(v);
        }
        if self.with_output {
            for v in [&output.command_torque_nm, &output.demand_nm, &output.torque_nm] {
                self.data.extend_from_slice(v);
            }
        }
    }

    /// Appends a record (its output must be present in a log with command columns).
    pub fn push(&mut self, r: FrameRecord) {
        let mut o = Output::new(r.frame.joints());
        if let Some(out) = &r.output {
            o.command_torque_nm.clone_from(&out.command_torque_nm);
            o.demand_nm.clone_from(&out.demand_nm);
            o.torque_nm.clone_from(&out.supervised_torque_nm);
        }
        self.push_tick(r.time_s, r.dt_s, &r.frame, &o);
    }

    /// Tick `i`.
    #[must_use]
    pub fn record(&self, i: usize) -> FrameRecord {
        let n = self.joints.len();
        let mut r = FrameRecord {
            time_s: 0.0,
            dt_s: 0.0,
            frame: Frame::new(n),
            output: self.with_output.then(|| FrameOutput {
                command_torque_nm: vec![0.0; n],
                demand_nm: vec![0.0; n],
                supervised_torque_nm: vec![0.0; n],
            }),
        };
        self.read_into(i, &mut r);
        r
    }

    /// Reads tick `i` into `r`, reusing its buffers (no allocation when `r` came from [`FrameLog::record`] of this
    /// log: a replay decodes every tick into one record rather than allocating a frame per tick).
    pub fn read_into(&self, i: usize, r: &mut FrameRecord) {
        let n = self.joints.len();
        let row = &self.data[i * self.width..(i + 1) * self.width];
        if r.frame.joints() != n {
            r.frame = Frame::new(n);
        }
        r.time_s = row[0];
        r.dt_s = row[1];
        r.frame.sequence = row[2] as u32;
        r.frame.base_pitch_rad = row[3];
        let mut at = SCALARS.len();
        for j in 0..n {
            r.frame.foot_contact[j] = row[at + j] == 1.0;
        }
        at += n;
        for field in r.frame.fields_mut() {
            field.copy_from_slice(&row[at..at + n]);
            at += n;
        }
        if !self.with_output {
            r.output = None;
            return;
        }
        let o = r.output.get_or_insert_with(|| FrameOutput {
            command_torque_nm: Vec::new(),
            demand_nm: Vec::new(),
            supervised_torque_nm: Vec::new(),
        });
        for v in [&mut o.command_torque_nm, &mut o.demand_nm, &mut o.supervised_torque_nm] {
            v.clear();
            v.extend_from_slice(&row[at..at + n]);
            at += n;
        }
    }

    /// Every tick, in order.
    pub fn records(&self) -> impl Iterator<Item = FrameRecord> + '_ {
        (0..self.len()).map(|i| self.record(i))
    }

    /// Column names, in order, for `joints` (with or without the command columns).
    #[must_use]
    pub fn columns(joints: &[String], with_output: bool) -> Vec<String> {
        let mut c: Vec<String> = SCALARS.iter().map(|s| s.to_string()).collect();
        for j in joints {
            c.push(format!("{j}_foot_contact"));
        }
        let outputs: &[&str] = if with_output { &OUTPUT_FIELDS } else { &[] };
        for suffix in FRAME_FIELDS.iter().chain(outputs.iter()) {
            for j in joints {
                c.push(format!("{j}_{suffix}"));
            }
        }
        c
    }

    /// The log as CSV.
    #[must_use]
    pub fn to_csv(&self) -> String {
        let rows = self.data.chunks(self.width.max(1)).map(<[f64]>::to_vec);
        Table::write(&Self::columns(&self.joints, self.with_output), rows)
    }

    /// Parses a log written by [`FrameLog::to_csv`] (or by hardware in the same columns). The joints are read
    /// from the header; `path` names the file in errors.
    pub fn from_csv(text: &str, path: &Path) -> Result<Self, TableError> {
        let table = Table::parse(text, path)?;
        let err = |line: usize, column: &str, problem: String| TableError {
            path: path.to_path_buf(),
            line,
            column: column.to_string(),
            problem,
        };
        let header = table.names();
        let joints: Vec<String> =
            header.iter().filter_map(|h| h.strip_suffix("_foot_contact").map(str::to_string)).collect();
        let with_output = if header == Self::columns(&joints, true).as_slice() {
            true
        } else if header == Self::columns(&joints, false).as_slice() {
            false
        } else {
            let expected = Self::columns(&joints, true);
            let at = expected.iter().zip(header).position(|(e, h)| e != h).unwrap_or(header.len().min(expected.len()));
            let name = expected.get(at).map_or("(end)", String::as_str);
            let found = header.get(at).map_or("", String::as_str);
            return Err(err(
                1,
                "header",
                format!("column {} is `{found}`, expected `{name}` (see `FrameLog::columns`)", at + 1),
            ));
        };
        let n = joints.len();
        let width = Self::width(n, with_output);
        let mut log = Self { width, with_output, data: Vec::with_capacity(width * table.rows()), joints };
        for i in 0..table.rows() {
            // Blank lines are skipped by the table, so name rows by record; line = record + 2 for a plain file.
            let line = i + 2;
            let row = table.row(i);
            let (dt_s, sequence) = (row[1], row[2]);
            if !(dt_s.is_finite() && dt_s > 0.0) {
                return Err(err(line, "dt_s", format!("{dt_s} is not a positive time step")));
            }
            if !(sequence >= 0.0 && sequence <= f64::from(u32::MAX) && sequence.fract() == 0.0) {
                return Err(err(line, "sequence", format!("{sequence} is not a whole number")));
            }
            for (j, name) in log.joints.iter().enumerate() {
                let contact = row[SCALARS.len() + j];
                if contact != 0.0 && contact != 1.0 {
                    return Err(err(line, &format!("{name}_foot_contact"), format!("{contact} is not 0 or 1")));
                }
            }
            log.data.extend_from_slice(row);
        }
        if n == 0 {
            return Err(err(1, "header", "no `{joint}_foot_contact` column: the log names no joint".into()));
        }
        Ok(log)
    }
}

/// The first tick where a replay commanded something other than the log.
#[derive(Clone, Debug, PartialEq)]
pub struct Mismatch {
    /// Tick index.
    pub tick: usize,
    /// Time of the tick, s.
    pub time_s: f64,
    /// Column, e.g. `knee_supervised_torque_nm`.
    pub column: String,
    /// Logged value.
    pub logged: f64,
    /// Replayed value.
    pub replayed: f64,
}

/// What a replay found.
#[derive(Clone, Debug, PartialEq)]
pub struct ReplayReport {
    /// Ticks replayed.
    pub ticks: usize,
    /// Ticks that had logged commands to compare with.
    pub compared: usize,
    /// The first difference (bitwise), if any.
    pub first_mismatch: Option<Mismatch>,
    /// Largest |logged - replayed| supervised torque per joint, N m.
    pub max_abs_difference_nm: Vec<f64>,
    /// The replayed supervised torques, N m: one row of one entry per joint (the log's joint order) per tick,
    /// tick-major; [`ReplayReport::replayed_torque_nm`] gives one tick's row.
    pub replayed_torque_nm: Vec<f64>,
    joints: usize,
}

impl ReplayReport {
    /// The replayed supervised torque of tick `tick`, one entry per joint, N m (empty past the last tick).
    #[must_use]
    pub fn replayed_torque_nm(&self, tick: usize) -> &[f64] {
        self.replayed_torque_nm.get(tick * self.joints..(tick + 1) * self.joints).unwrap_or(&[])
    }
}

/// Feeds every frame of `log` through `controller` (a freshly built law and supervisor), in tick order and with
/// the logged `dt_s`, and compares its commands with the logged ones bit for bit.
pub fn replay(controller: &mut dyn Controller, log: &FrameLog) -> ReplayReport {
    let n = log.joints.len();
    let mut report = ReplayReport {
        ticks: 0,
        compared: 0,
        first_mismatch: None,
        max_abs_difference_nm: vec![0.0; n],
        replayed_torque_nm: Vec::with_capacity(n * log.len()),
        joints: n,
    };
    let mut out = Output::new(n);
    if log.is_empty() {
        return report;
    }
    // One record decoded into per tick: the replay allocates nothing per tick but its result row.
    let mut r = log.record(0);
    for tick in 0..log.len() {
        log.read_into(tick, &mut r);
        controller.tick(&r.frame, r.dt_s, &mut out);
        if let Some(logged) = &r.output {
            report.compared += 1;
            for j in 0..n {
                let d = (logged.supervised_torque_nm[j] - out.torque_nm[j]).abs();
                report.max_abs_difference_nm[j] = report.max_abs_difference_nm[j].max(d);
            }
            if report.first_mismatch.is_none() {
                let pairs = [
                    ("command_torque_nm", &logged.command_torque_nm, &out.command_torque_nm),
                    ("command_demand_nm", &logged.demand_nm, &out.demand_nm),
                    ("supervised_torque_nm", &logged.supervised_torque_nm, &out.torque_nm),
                ];
                'find: for (name, a, b) in pairs {
                    for j in 0..n {
                        if a[j].to_bits() != b[j].to_bits() {
                            report.first_mismatch = Some(Mismatch {
                                tick,
                                time_s: r.time_s,
                                column: format!("{}_{name}", log.joints[j]),
                                logged: a[j],
                                replayed: b[j],
                            });
                            break 'find;
                        }
                    }
                }
            }
        }
        report.replayed_torque_nm.extend_from_slice(&out.torque_nm);
        report.ticks += 1;
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> Vec<String> {
        vec!["hip".into(), "knee".into()]
    }

    fn record(k: u32) -> FrameRecord {
        let x = f64::from(k);
        let mut frame = Frame::new(2);
        frame.sequence = k;
        frame.foot_contact = vec![k.is_multiple_of(3), true];
        frame.base_pitch_rad = -0.01 * x;
        frame.joint_position_rad = vec![0.1 * x, -1.0 / 3.0];
        frame.setpoint_torque_nm = vec![1e-300, -0.0];
        frame.interaction_torque_nm = vec![f64::NAN, f64::INFINITY];
        FrameRecord {
            time_s: 1e-3 * x,
            dt_s: 1e-3,
            frame,
            output: Some(FrameOutput {
                command_torque_nm: vec![x / 7.0, f64::MIN_POSITIVE],
                demand_nm: vec![2.0; 2],
                supervised_torque_nm: vec![x / 7.0, 0.5],
            }),
        }
    }

    fn bits(r: &FrameRecord) -> Vec<u64> {
        let mut v: Vec<u64> = vec![r.time_s.to_bits(), r.dt_s.to_bits(), r.frame.base_pitch_rad.to_bits()];
        for (_, f) in r.frame.fields() {
            v.extend(f.iter().map(|x| x.to_bits()));
        }
        let o = r.output.as_ref().unwrap();
        v.extend(o.command_torque_nm.iter().chain(&o.demand_nm).chain(&o.supervised_torque_nm).map(|x| x.to_bits()));
        v.extend(r.frame.foot_contact.iter().map(|c| u64::from(*c)));
        v.push(u64::from(r.frame.sequence));
        v
    }

    #[test]
    fn csv_round_trip_is_bit_identical() {
        let mut log = FrameLog::with_capacity(names(), 5);
        for k in 0..5 {
            log.push(record(k));
        }
        let back = FrameLog::from_csv(&log.to_csv(), Path::new("f.csv")).unwrap();
        assert_eq!(back.len(), 5);
        assert_eq!(back.joints(), names());
        for (a, b) in log.records().zip(back.records()) {
            // Bitwise, NaN included.
            assert_eq!(bits(&a), bits(&b));
        }
    }

    #[test]
    fn a_log_without_commands_reads_too() {
        let columns = FrameLog::columns(&names(), false);
        let mut text = columns.join(",");
        text.push('\n');
        let row: Vec<String> = (0..columns.len())
            .map(|k| match k {
                1 => "0.001".into(),
                2 => "4".into(),
                4 | 5 => "1".into(),
                _ => "0.5".into(),
            })
            .collect();
        text.push_str(&row.join(","));
        let log = FrameLog::from_csv(&text, Path::new("hw.csv")).unwrap();
        let r = log.record(0);
        assert_eq!(r.output, None);
        assert_eq!(r.frame.sequence, 4);
        assert_eq!(r.frame.foot_contact, [true, true]);
        assert_eq!(r.frame.base_pitch_rad, 0.5);
    }

    #[test]
    fn bad_logs_are_named_by_line_and_column() {
        let mut log = FrameLog::with_capacity(names(), 2);
        log.push(record(1));
        log.push(record(2));
        let good = log.to_csv();
        let e = FrameLog::from_csv(&good.replacen("knee_joint_torque_nm", "knee_torque", 1), Path::new("a.csv"))
            .unwrap_err();
        assert_eq!((e.line, e.column.as_str()), (1, "header"));
        assert!(e.to_string().contains("knee_joint_torque_nm"), "{e}");
        // Line 3 (the second record), its `dt_s`.
        let mut lines: Vec<String> = good.lines().map(String::from).collect();
        let mut cells: Vec<String> = lines[2].split(',').map(String::from).collect();
        cells[1] = "0".into();
        lines[2] = cells.join(",");
        let e = FrameLog::from_csv(&lines.join("\n"), Path::new("a.csv")).unwrap_err();
        assert_eq!((e.line, e.column.as_str()), (3, "dt_s"));
        cells[1] = "0.001".into();
        cells[4] = "0.5".into();
        lines[2] = cells.join(",");
        let e = FrameLog::from_csv(&lines.join("\n"), Path::new("a.csv")).unwrap_err();
        assert_eq!((e.line, e.column.as_str()), (3, "hip_foot_contact"));
    }
}
