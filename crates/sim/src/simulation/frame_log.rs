//! The controller's side of a run, tick by tick: every sensor frame the control law was given and every command
//! it and the supervisor gave back.
//!
//! `exosim run --frames` writes it as `frames.csv`; `exosim replay` reads it back and feeds the frames through a
//! freshly built control law and supervisor (the same `exo-control` code that runs on the target) to check that
//! they command exactly what the log says, or to see what changed gains would have commanded on the same
//! measurements. A log taken on hardware with the same columns replays the same way; its command columns are
//! optional.
//!
//! Numbers are written in Rust's shortest round-trip form, so a replay reads back the very bits that were logged.

use std::path::Path;

use exo_control::frame::{Command, SensorFrame};
use exo_control::law::ControlLaw;
use exo_control::safety::Supervisor;
use nalgebra::SVector;

use super::table::{Table, TableError};
use crate::body::Joint;

/// Joints in a frame.
const N: usize = 3;

type Vector = SVector<f64, N>;

/// A per-joint vector field of the sensor frame: column suffix, read and write access.
type FrameField = (&'static str, fn(&SensorFrame<f64, N>) -> &Vector, fn(&mut SensorFrame<f64, N>) -> &mut Vector);

/// The frame's per-joint fields, in column order (each written as `{joint}_{suffix}`).
const FRAME_FIELDS: [FrameField; 9] = [
    ("joint_position_rad", |f| &f.joint_position_rad, |f| &mut f.joint_position_rad),
    ("joint_velocity_rad_per_s", |f| &f.joint_velocity_rad_per_s, |f| &mut f.joint_velocity_rad_per_s),
    ("motor_position_rad", |f| &f.motor_position_rad, |f| &mut f.motor_position_rad),
    ("motor_velocity_rad_per_s", |f| &f.motor_velocity_rad_per_s, |f| &mut f.motor_velocity_rad_per_s),
    ("joint_torque_nm", |f| &f.joint_torque_nm, |f| &mut f.joint_torque_nm),
    ("interaction_torque_nm", |f| &f.interaction_torque_nm, |f| &mut f.interaction_torque_nm),
    ("setpoint_position_rad", |f| &f.setpoint.position_rad, |f| &mut f.setpoint.position_rad),
    ("setpoint_velocity_rad_per_s", |f| &f.setpoint.velocity_rad_per_s, |f| &mut f.setpoint.velocity_rad_per_s),
    ("setpoint_torque_nm", |f| &f.setpoint.torque_nm, |f| &mut f.setpoint.torque_nm),
];

/// The optional output columns: the law's command, its demand, and the supervised torque sent to the drivers.
const OUTPUT_FIELDS: [&str; 3] = ["command_torque_nm", "command_demand_nm", "supervised_torque_nm"];

/// What the controller saw and did on one tick.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FrameRecord {
    /// Time of the tick, s.
    pub time_s: f64,
    /// The `dt_s` the law was called with, s.
    pub dt_s: f64,
    /// The sensor frame, setpoint included.
    pub frame: SensorFrame<f64, N>,
    /// What the law and the supervisor commanded (absent in a log that did not record it).
    pub output: Option<FrameOutput>,
}

/// The commands of one tick.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FrameOutput {
    /// The control law's command.
    pub command: Command<f64, N>,
    /// The torque the supervisor let through to the drivers, joint-referred, N m.
    pub supervised_torque_nm: Vector,
}

/// The frames of a run, in tick order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FrameLog {
    records: Vec<FrameRecord>,
}

impl FrameLog {
    /// An empty log.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty log with room for `ticks` records.
    #[must_use]
    pub fn with_capacity(ticks: usize) -> Self {
        Self { records: Vec::with_capacity(ticks) }
    }

    /// Appends a tick.
    pub fn push(&mut self, record: FrameRecord) {
        self.records.push(record);
    }

    /// The ticks.
    #[must_use]
    pub fn records(&self) -> &[FrameRecord] {
        &self.records
    }

    /// Column names, in order.
    #[must_use]
    pub fn columns(with_output: bool) -> Vec<String> {
        let mut c = vec!["time_s".to_string(), "dt_s".into(), "sequence".into(), "base_pitch_rad".into()];
        for j in Joint::ALL {
            c.push(format!("{}_foot_contact", j.name()));
        }
        let outputs: &[&str] = if with_output { &OUTPUT_FIELDS } else { &[] };
        for suffix in FRAME_FIELDS.iter().map(|f| f.0).chain(outputs.iter().copied()) {
            for j in Joint::ALL {
                c.push(format!("{}_{suffix}", j.name()));
            }
        }
        c
    }

    /// The log as CSV (with the output columns when every record has them).
    #[must_use]
    pub fn to_csv(&self) -> String {
        let with_output = self.records.iter().all(|r| r.output.is_some());
        let rows = self.records.iter().map(|r| {
            let mut row = vec![r.time_s, r.dt_s, f64::from(r.frame.sequence), r.frame.base_pitch_rad];
            row.extend(r.frame.foot_contact.iter().map(|c| f64::from(u8::from(*c))));
            for (_, get, _) in &FRAME_FIELDS {
                row.extend(get(&r.frame).iter());
            }
            if let (true, Some(o)) = (with_output, &r.output) {
                for v in [&o.command.torque_nm, &o.command.demand_nm, &o.supervised_torque_nm] {
                    row.extend(v.iter());
                }
            }
            row
        });
        Table::write(&Self::columns(with_output), rows)
    }

    /// Parses a log written by [`FrameLog::to_csv`] (or by hardware in the same columns). `path` names the file
    /// in errors.
    pub fn from_csv(text: &str, path: &Path) -> Result<Self, TableError> {
        let table = Table::parse(text, path)?;
        let err = |line: usize, column: &str, problem: String| TableError {
            path: path.to_path_buf(),
            line,
            column: column.to_string(),
            problem,
        };
        let header = table.names();
        let with_output = if header == Self::columns(true).as_slice() {
            true
        } else if header == Self::columns(false).as_slice() {
            false
        } else {
            let expected = Self::columns(true);
            let at = expected.iter().zip(header).position(|(e, h)| e != h).unwrap_or(header.len().min(expected.len()));
            let name = expected.get(at).map_or("(end)", String::as_str);
            let found = header.get(at).map_or("", String::as_str);
            return Err(err(
                1,
                "header",
                format!("column {} is `{found}`, expected `{name}` (see `FrameLog::columns`)", at + 1),
            ));
        };
        let mut log = Self::with_capacity(table.rows());
        for i in 0..table.rows() {
            // Blank lines are skipped by the table, so name rows by record; line = record + 2 for a plain file.
            let line = i + 2;
            let row = table.row(i);
            let mut cells = row.iter().copied();
            let mut next = || cells.next().unwrap_or(f64::NAN);
            let (time_s, dt_s, sequence, base_pitch) = (next(), next(), next(), next());
            if !(dt_s.is_finite() && dt_s > 0.0) {
                return Err(err(line, "dt_s", format!("{dt_s} is not a positive time step")));
            }
            if !(sequence >= 0.0 && sequence <= f64::from(u32::MAX) && sequence.fract() == 0.0) {
                return Err(err(line, "sequence", format!("{sequence} is not a whole number")));
            }
            let mut frame = SensorFrame::<f64, N>::default();
            frame.sequence = sequence as u32;
            frame.base_pitch_rad = base_pitch;
            for (j, joint) in Joint::ALL.iter().enumerate() {
                let contact = next();
                if contact != 0.0 && contact != 1.0 {
                    return Err(err(
                        line,
                        &format!("{}_foot_contact", joint.name()),
                        format!("{contact} is not 0 or 1"),
                    ));
                }
                frame.foot_contact[j] = contact == 1.0;
            }
            for (_, _, set) in &FRAME_FIELDS {
                for j in 0..N {
                    set(&mut frame)[j] = next();
                }
            }
            let output = with_output.then(|| {
                let mut v = [Vector::zeros(); 3];
                for field in &mut v {
                    for j in 0..N {
                        field[j] = next();
                    }
                }
                FrameOutput { command: Command { torque_nm: v[0], demand_nm: v[1] }, supervised_torque_nm: v[2] }
            });
            log.push(FrameRecord { time_s, dt_s, frame, output });
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
    pub max_abs_difference_nm: [f64; N],
    /// The replayed commands, one per tick.
    pub replayed: Vec<FrameOutput>,
}

/// Feeds every frame of `log` through `law` and then `supervisor`, in tick order and with the logged `dt_s`, and
/// compares their commands with the logged ones bit for bit.
pub fn replay(law: &mut dyn ControlLaw<f64, N>, supervisor: &mut Supervisor<f64, N>, log: &FrameLog) -> ReplayReport {
    let mut report = ReplayReport {
        ticks: 0,
        compared: 0,
        first_mismatch: None,
        max_abs_difference_nm: [0.0; N],
        replayed: Vec::with_capacity(log.records.len()),
    };
    for (tick, r) in log.records.iter().enumerate() {
        let command = law.update(&r.frame, r.dt_s);
        let supervised = supervisor.apply(&r.frame, &command, r.dt_s);
        let out = FrameOutput { command, supervised_torque_nm: supervised.command.torque_nm };
        if let Some(logged) = &r.output {
            report.compared += 1;
            for j in 0..N {
                let d = (logged.supervised_torque_nm[j] - out.supervised_torque_nm[j]).abs();
                report.max_abs_difference_nm[j] = report.max_abs_difference_nm[j].max(d);
            }
            if report.first_mismatch.is_none() {
                let pairs = [
                    ("command_torque_nm", &logged.command.torque_nm, &out.command.torque_nm),
                    ("command_demand_nm", &logged.command.demand_nm, &out.command.demand_nm),
                    ("supervised_torque_nm", &logged.supervised_torque_nm, &out.supervised_torque_nm),
                ];
                'find: for (name, a, b) in pairs {
                    for j in 0..N {
                        if a[j].to_bits() != b[j].to_bits() {
                            report.first_mismatch = Some(Mismatch {
                                tick,
                                time_s: r.time_s,
                                column: format!("{}_{name}", Joint::ALL[j].name()),
                                logged: a[j],
                                replayed: b[j],
                            });
                            break 'find;
                        }
                    }
                }
            }
        }
        report.replayed.push(out);
        report.ticks += 1;
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(k: u32) -> FrameRecord {
        let x = f64::from(k);
        let mut frame = SensorFrame::<f64, N>::default();
        frame.sequence = k;
        frame.foot_contact = [k.is_multiple_of(3), true, false];
        frame.base_pitch_rad = -0.01 * x;
        frame.joint_position_rad = Vector::new(0.1 * x, -1.0 / 3.0, f64::MIN_POSITIVE);
        frame.setpoint.torque_nm = Vector::new(1e-300, 2.5, -0.0);
        frame.interaction_torque_nm = Vector::new(f64::NAN, f64::INFINITY, 7.0);
        FrameRecord {
            time_s: 1e-3 * x,
            dt_s: 1e-3,
            frame,
            output: Some(FrameOutput {
                command: Command { torque_nm: Vector::new(x / 7.0, 0.0, 1.0), demand_nm: Vector::repeat(2.0) },
                supervised_torque_nm: Vector::new(x / 7.0, 0.0, 0.5),
            }),
        }
    }

    #[test]
    fn csv_round_trip_is_bit_identical() {
        let mut log = FrameLog::new();
        for k in 0..5 {
            log.push(record(k));
        }
        let back = FrameLog::from_csv(&log.to_csv(), Path::new("f.csv")).unwrap();
        assert_eq!(back.records().len(), 5);
        for (a, b) in log.records().iter().zip(back.records()) {
            // Bitwise, NaN included.
            let bits = |r: &FrameRecord| {
                let mut v: Vec<u64> = vec![r.time_s.to_bits(), r.dt_s.to_bits()];
                for (_, get, _) in &FRAME_FIELDS {
                    v.extend(get(&r.frame).iter().map(|x| x.to_bits()));
                }
                let o = r.output.unwrap();
                v.extend(o.command.torque_nm.iter().chain(o.supervised_torque_nm.iter()).map(|x| x.to_bits()));
                v.push(r.frame.base_pitch_rad.to_bits());
                (v, r.frame.sequence, r.frame.foot_contact)
            };
            assert_eq!(bits(a), bits(b));
        }
    }

    #[test]
    fn a_log_without_commands_reads_too() {
        let mut text = FrameLog::columns(false).join(",");
        text.push('\n');
        let row: Vec<String> = (0..FrameLog::columns(false).len())
            .map(|k| match k {
                1 => "0.001".into(),
                2 => "4".into(),
                4..=6 => "1".into(),
                _ => "0.5".into(),
            })
            .collect();
        text.push_str(&row.join(","));
        let log = FrameLog::from_csv(&text, Path::new("hw.csv")).unwrap();
        assert_eq!(log.records()[0].output, None);
        assert_eq!(log.records()[0].frame.sequence, 4);
        assert_eq!(log.records()[0].frame.foot_contact, [true; 3]);
        assert_eq!(log.records()[0].frame.base_pitch_rad, 0.5);
    }

    #[test]
    fn bad_logs_are_named_by_line_and_column() {
        let mut log = FrameLog::new();
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
        cells[9] = "x1".into();
        lines[2] = cells.join(",");
        let e = FrameLog::from_csv(&lines.join("\n"), Path::new("a.csv")).unwrap_err();
        assert_eq!((e.line, e.column.as_str()), (3, FrameLog::columns(true)[9].as_str()));
        assert!(e.to_string().starts_with("a.csv:3: "), "{e}");
    }
}
