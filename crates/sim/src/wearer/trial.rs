//! A recorded trial on the skeleton: coordinates from a motion file, filtered and differentiated as OpenSim's tools
//! do it, the measured external loads (`ExternalLoads`) at each frame, and inverse dynamics over the trial with
//! OpenSim's output columns (what `InverseDynamicsTool` writes to `inverse_dynamics.sto`).
//!
//! What OpenSim does and this follows (opensim-core 4.x `InverseDynamicsTool.cpp`, `ExternalForce.cpp`): angles
//! of `Rotational` coordinates convert from degrees when the file says `inDegrees=yes`; with a cutoff the
//! coordinates are padded and low-passed ([`crate::opensim::signal`]); speeds and accelerations are derivatives of
//! the filtered coordinates (without a cutoff, of the coordinates as recorded, one-sided at the ends: OpenSim fits
//! a spline there instead); the generalised force of a `Translational` coordinate is named `<name>_force` and
//! every other `<name>_moment`; the columns follow the model's multibody order (joints by depth in the tree, then
//! file order). An external force without a point acts at its body's origin.
//!
//! Where this differs, on purpose: a motion column naming no coordinate of the model, or an unlocked coordinate
//! the motion lacks, is an error (OpenSim ignores the first and holds the second at its default); a low-pass
//! cutoff at or above the Nyquist frequency is an error (OpenSim moves it to 0.49 of the sampling rate); the loads
//! are interpolated linearly between their samples (OpenSim fits splines to them) and a loads value that is not a
//! number at a frame is an error.

use exo_opensim::{ExternalForce, ExternalLoads, Model as OsimModel, MotionType, OsimError};

use super::skeleton::{InverseDynamics, PointLoad, Skeleton, SkeletonKinematics};
use crate::opensim::signal::{derivatives, derivatives_to_the_ends, lowpass_zero_phase, pad_odd};
use crate::opensim::{Storage, detect_heel_strikes};

/// Vertical plate force whose upward crossing marks a heel strike, N.
pub const HEEL_STRIKE_THRESHOLD_N: f64 = 20.0;

/// Why a trial cannot be used with a model. Each variant names the file and, where one applies, its line.
#[derive(Debug, thiserror::Error)]
pub enum TrialError {
    /// A motion column that is not a coordinate of the model.
    #[error("{file}:{line}: column `{column}` is not a coordinate of the model")]
    UnknownColumn {
        /// The motion file.
        file: String,
        /// Its label line.
        line: usize,
        /// The column.
        column: String,
    },
    /// An unlocked coordinate of the model that the motion does not give.
    #[error("{file}:{line}: no column for coordinate `{coordinate}` of the model (it is not locked)")]
    MissingCoordinate {
        /// The motion file.
        file: String,
        /// Its label line.
        line: usize,
        /// The coordinate.
        coordinate: String,
    },
    /// A motion value that is not a finite number.
    #[error("{file}: column `{column}` is not a finite number at {time_s} s (row {row})")]
    NonFiniteMotion {
        /// The motion file.
        file: String,
        /// The column.
        column: String,
        /// 1-based data row.
        row: usize,
        /// Its time, s.
        time_s: f64,
    },
    /// A loads data file without rows.
    #[error("{data}: the loads' data file holds no rows")]
    EmptyLoads {
        /// The loads' data file.
        data: String,
    },
    /// Too few rows to differentiate.
    #[error("{file}: {rows} rows; at least 5 are needed to differentiate the coordinates")]
    TooShort {
        /// The motion file.
        file: String,
        /// Rows it holds.
        rows: usize,
    },
    /// Rows not evenly spaced in time (the filter and the differences need a uniform step).
    #[error(
        "{file}: row {row} (time {time_s} s) is {step_s} s after the previous one; the mean step is {mean_s} s and \
         the rows must be evenly spaced"
    )]
    UnevenTime {
        /// The motion file.
        file: String,
        /// 1-based data row.
        row: usize,
        /// Its time, s.
        time_s: f64,
        /// Its step from the previous row, s.
        step_s: f64,
        /// The mean step, s.
        mean_s: f64,
    },
    /// A low-pass cutoff that is not positive or not below the Nyquist frequency.
    #[error(
        "{file}: low-pass cutoff {cutoff_hz} Hz: it must be positive and below half the sampling rate ({nyquist_hz} Hz)"
    )]
    BadCutoff {
        /// The motion file.
        file: String,
        /// The cutoff asked for, Hz.
        cutoff_hz: f64,
        /// Half the sampling rate, Hz.
        nyquist_hz: f64,
    },
    /// An external force whose columns are not in the loads' data file.
    #[error("{file}:{line}: ExternalForce {force}: {field}: {problem}")]
    MissingLoadColumn {
        /// The loads file.
        file: String,
        /// The line of the `ExternalForce`.
        line: u32,
        /// The force's name.
        force: String,
        /// `force_identifier`, `point_identifier` or `torque_identifier`.
        field: &'static str,
        /// Which column of which data file is missing.
        problem: String,
    },
    /// An `ExternalLoads` without a data file.
    #[error("{file}:{line}: ExternalLoads {name}: no <datafile> names the forces' data")]
    NoDataFile {
        /// The loads file.
        file: String,
        /// The line of `<ExternalLoads>`.
        line: u32,
        /// Its name.
        name: String,
    },
    /// A motion frame outside the time the loads cover.
    #[error("{data}: the loads cover {from_s} s to {to_s} s but the motion has a frame at {time_s} s")]
    OutsideLoads {
        /// The loads' data file.
        data: String,
        /// First load time, s.
        from_s: f64,
        /// Last load time, s.
        to_s: f64,
        /// The frame's time, s.
        time_s: f64,
    },
    /// A loads value that is not a finite number where a frame needs it.
    #[error("{data}: column `{column}` is not a finite number near {time_s} s")]
    NonFiniteLoad {
        /// The loads' data file.
        data: String,
        /// The column.
        column: String,
        /// The frame's time, s.
        time_s: f64,
    },
    /// The loads file names a body the model lacks (or another model-level problem).
    #[error(transparent)]
    Model(#[from] OsimError),
}

/// Coordinates, speeds and accelerations of the skeleton at each frame of a motion (rad or m, per s, per s²; the
/// skeleton's coordinate order).
#[derive(Clone, Debug, PartialEq)]
pub struct CoordinateTrajectories {
    /// Frame times, s (the motion's).
    pub time_s: Vec<f64>,
    /// Coordinates per frame.
    pub q: Vec<Vec<f64>>,
    /// Speeds per frame.
    pub u: Vec<Vec<f64>>,
    /// Accelerations per frame.
    pub udot: Vec<Vec<f64>>,
}

/// The uniform step of `time`, or the row that breaks it.
fn uniform_step(file: &str, time: &[f64]) -> Result<f64, TrialError> {
    let n = time.len();
    let mean_s = (time[n - 1] - time[0]) / (n - 1) as f64;
    // Files round their times (OpenSim writes 8 decimals): allow a small fraction of the step.
    for (k, w) in time.windows(2).enumerate() {
        let step_s = w[1] - w[0];
        if (step_s - mean_s).abs() > 1e-3 * mean_s {
            return Err(TrialError::UnevenTime { file: file.to_string(), row: k + 2, time_s: w[1], step_s, mean_s });
        }
    }
    Ok(mean_s)
}

impl CoordinateTrajectories {
    /// The skeleton's coordinates from `motion` (every column a coordinate, every unlocked coordinate a column;
    /// locked ones held at their default), low-passed at `lowpass_hz` when given, differentiated.
    ///
    /// # Errors
    /// A [`TrialError`] naming the motion file.
    pub fn from_motion(skeleton: &Skeleton, motion: &Storage, lowpass_hz: Option<f64>) -> Result<Self, TrialError> {
        let file = &motion.source;
        for column in &motion.columns {
            if skeleton.coordinate(column).is_none() {
                return Err(TrialError::UnknownColumn {
                    file: file.clone(),
                    line: motion.labels_line,
                    column: column.clone(),
                });
            }
        }
        let n = motion.len();
        if n < 5 {
            return Err(TrialError::TooShort { file: file.clone(), rows: n });
        }
        let dt_s = uniform_step(file, &motion.time)?;
        if let Some(cutoff_hz) = lowpass_hz {
            let nyquist_hz = 0.5 / dt_s;
            if !(cutoff_hz > 0.0 && cutoff_hz < nyquist_hz) {
                return Err(TrialError::BadCutoff { file: file.clone(), cutoff_hz, nyquist_hz });
            }
        }
        // OpenSim pads by half the length before filtering; the differences need two samples beyond each end.
        let pad = (n / 2).max(2);
        let nc = skeleton.coordinates.len();
        let (mut q, mut u, mut udot) = (vec![vec![0.0; nc]; n], vec![vec![0.0; nc]; n], vec![vec![0.0; nc]; n]);
        for (j, c) in skeleton.coordinates.iter().enumerate() {
            let Some(column) = motion.column(&c.name) else {
                if c.locked {
                    q.iter_mut().for_each(|row| row[j] = c.default_value);
                    continue;
                }
                return Err(TrialError::MissingCoordinate {
                    file: file.clone(),
                    line: motion.labels_line,
                    coordinate: c.name.clone(),
                });
            };
            if let Some(row) = column.iter().position(|v| !v.is_finite()) {
                return Err(TrialError::NonFiniteMotion {
                    file: file.clone(),
                    column: c.name.clone(),
                    row: row + 1,
                    time_s: motion.time[row],
                });
            }
            let scale = if motion.in_degrees && c.motion == MotionType::Rotational { 1f64.to_radians() } else { 1.0 };
            let values: Vec<f64> = column.iter().map(|v| v * scale).collect();
            let (values, d1, d2) = match lowpass_hz {
                // As OpenSim: padded by half the length, filtered, differentiated inside.
                Some(cutoff_hz) => {
                    let filtered = lowpass_zero_phase(dt_s, cutoff_hz, &pad_odd(&values, pad));
                    let (d1, d2) = derivatives(&filtered, dt_s, pad, pad + n);
                    (filtered[pad..pad + n].to_vec(), d1, d2)
                }
                // Unfiltered, nothing is invented beyond the ends: one-sided differences there.
                None => {
                    let (d1, d2) = derivatives_to_the_ends(&values, dt_s);
                    (values, d1, d2)
                }
            };
            for i in 0..n {
                q[i][j] = values[i];
                u[i][j] = d1[i];
                udot[i][j] = d2[i];
            }
        }
        Ok(Self { time_s: motion.time.clone(), q, u, udot })
    }

    /// Number of frames.
    #[must_use]
    pub fn len(&self) -> usize {
        self.time_s.len()
    }

    /// Whether there are no frames.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.time_s.is_empty()
    }
}

/// Where an external force's data is: three column indices per quantity, and the frames it is expressed in.
#[derive(Clone, Debug)]
struct ForceColumns {
    body: usize,
    force: Option<[usize; 3]>,
    point: Option<[usize; 3]>,
    torque: Option<[usize; 3]>,
    /// `None` for ground, else the body the force and torque are expressed in.
    force_in: Option<usize>,
    /// `None` for ground, else the body the point is expressed in.
    point_in: Option<usize>,
}

/// Measured external loads (OpenSim's `ExternalLoads` with its data file) on a skeleton, evaluated at any time.
#[derive(Clone, Debug)]
pub struct MeasuredLoads {
    data: Storage,
    forces: Vec<ForceColumns>,
    /// Factor on every force and torque ([`MeasuredLoads::scaled`]).
    scale: f64,
}

impl MeasuredLoads {
    /// The applied forces of `loads` (read from `loads_file`) with their data `data`, on `skeleton`.
    ///
    /// # Errors
    /// A body the model lacks ([`TrialError::Model`]) or a column the data lacks, naming the loads file's line.
    pub fn new(
        skeleton: &Skeleton,
        model: &OsimModel,
        loads: &ExternalLoads,
        loads_file: &str,
        data: Storage,
    ) -> Result<Self, TrialError> {
        loads.check_against(model, loads_file)?;
        if data.is_empty() {
            return Err(TrialError::EmptyLoads { data: data.source.clone() });
        }
        let body_of = |name: &str, force: &ExternalForce| -> Result<Option<usize>, TrialError> {
            if name == "ground" {
                return Ok(None);
            }
            skeleton.body(name).map(Some).ok_or_else(|| {
                TrialError::Model(OsimError {
                    file: loads_file.to_string(),
                    line: force.line,
                    element: format!("ExternalForce {}", force.name),
                    problem: format!("{name} is not a body of the model"),
                })
            })
        };
        let mut forces = Vec::new();
        for f in loads.forces.iter().filter(|f| f.applies_force) {
            let columns =
                |field: &'static str, identifier: &Option<String>| -> Result<Option<[usize; 3]>, TrialError> {
                    let Some(id) = identifier else { return Ok(None) };
                    let mut out = [0; 3];
                    for (k, axis) in ["x", "y", "z"].iter().enumerate() {
                        let column = format!("{id}{axis}");
                        out[k] = data.columns.iter().position(|c| *c == column).ok_or_else(|| {
                            TrialError::MissingLoadColumn {
                                file: loads_file.to_string(),
                                line: f.line,
                                force: f.name.clone(),
                                field,
                                problem: format!("`{id}`: the data file {} has no column `{column}`", data.source),
                            }
                        })?;
                    }
                    Ok(Some(out))
                };
            forces.push(ForceColumns {
                body: body_of(&f.applied_to_body, f)?.expect("check_against refuses ground as applied_to_body"),
                force: columns("force_identifier", &f.force_identifier)?,
                point: columns("point_identifier", &f.point_identifier)?,
                torque: columns("torque_identifier", &f.torque_identifier)?,
                force_in: body_of(&f.force_expressed_in_body, f)?,
                point_in: body_of(&f.point_expressed_in_body, f)?,
            });
        }
        Ok(Self { data, forces, scale: 1.0 })
    }

    /// These loads with every force and free torque multiplied by `factor` (points unchanged): the plates of the
    /// same walk by a wearer `factor` times as heavy, when the added mass moves with the whole body's centre of
    /// mass (its momentum then changes by the same factor, and so must the ground's push). The first-order model of
    /// walking with a carried load on a recorded trial; [`MeasuredLoads::heel_strikes_s`] still reads the recording.
    #[must_use]
    pub fn scaled(mut self, factor: f64) -> Self {
        self.scale *= factor;
        self
    }

    /// The factor on the recorded forces ([`MeasuredLoads::scaled`]; 1 as recorded).
    #[must_use]
    pub fn scale(&self) -> f64 {
        self.scale
    }

    /// Number of applied forces (the point loads [`MeasuredLoads::at`] gives).
    #[must_use]
    pub fn len(&self) -> usize {
        self.forces.len()
    }

    /// True when the loads apply no force.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.forces.is_empty()
    }

    /// True when every force, torque and point is given in ground: the loads at a time are then the same whatever
    /// the pose (a body-expressed point or vector moves with its body).
    #[must_use]
    pub fn is_pose_independent(&self) -> bool {
        self.forces
            .iter()
            .all(|f| f.force_in.is_none() && f.point_in.is_none() && (f.point.is_some() || f.force.is_none()))
    }

    /// Reads `loads_path` and its data file, for `skeleton` of `model`.
    ///
    /// # Errors
    /// A file that cannot be read or parsed, or any error of [`MeasuredLoads::new`].
    pub fn read(
        skeleton: &Skeleton,
        model: &OsimModel,
        loads_path: &std::path::Path,
    ) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        let label = loads_path.display().to_string();
        let loads = exo_opensim::read_external_loads(loads_path)?;
        let data_path = loads.datafile_path.clone().ok_or_else(|| TrialError::NoDataFile {
            file: label.clone(),
            line: loads.line,
            name: loads.name.clone(),
        })?;
        let data = Storage::read(&data_path)?;
        Ok(Self::new(skeleton, model, &loads, &label, data)?)
    }

    /// Heel strikes of the foot on side `side` (`"_r"` or `"_l"`), s: upward crossings of
    /// [`HEEL_STRIKE_THRESHOLD_N`] by the vertical force of the first force expressed in ground on a body whose name
    /// ends with `side` (the feet carry the plates), at the data's own samples. `None` when no such force exists.
    #[must_use]
    pub fn heel_strikes_s(&self, skeleton: &Skeleton, side: &str) -> Option<Vec<f64>> {
        let f = self
            .forces
            .iter()
            .find(|f| f.force_in.is_none() && f.force.is_some() && skeleton.bodies[f.body].name.ends_with(side))?;
        Some(detect_heel_strikes(&self.data.time, &self.data.data[f.force?[1]], HEEL_STRIKE_THRESHOLD_N))
    }

    /// The loads' values of columns `c` at `time_s`, linearly interpolated (the end values within one sample
    /// outside the data).
    fn sample(&self, c: [usize; 3], time_s: f64) -> Result<[f64; 3], TrialError> {
        let t = &self.data.time;
        let n = t.len();
        let outside =
            || TrialError::OutsideLoads { data: self.data.source.clone(), from_s: t[0], to_s: t[n - 1], time_s };
        let step = if n > 1 { (t[n - 1] - t[0]) / (n - 1) as f64 } else { 0.0 };
        if n == 0 || time_s < t[0] - step || time_s > t[n - 1] + step {
            return Err(outside());
        }
        let k = t.partition_point(|&x| x <= time_s);
        let value = |col: usize| -> f64 {
            let d = &self.data.data[col];
            if k == 0 {
                d[0]
            } else if k >= n {
                d[n - 1]
            } else {
                let s = (time_s - t[k - 1]) / (t[k] - t[k - 1]);
                d[k - 1] + s * (d[k] - d[k - 1])
            }
        };
        let out = c.map(value);
        for (axis, v) in c.iter().zip(out) {
            if !v.is_finite() {
                return Err(TrialError::NonFiniteLoad {
                    data: self.data.source.clone(),
                    column: self.data.columns[*axis].clone(),
                    time_s,
                });
            }
        }
        Ok(out)
    }

    /// The loads at `time_s` as point loads in ground, into `out` (cleared first); `kinematics` must be updated to
    /// the skeleton's pose at that time (it places points and turns vectors given in a body's frame).
    ///
    /// # Errors
    /// A time the loads do not cover, or a value that is not a number there.
    pub fn at(
        &self,
        skeleton: &Skeleton,
        kinematics: &SkeletonKinematics,
        time_s: f64,
        out: &mut Vec<PointLoad>,
    ) -> Result<(), TrialError> {
        self.at_advanced(skeleton, kinematics, time_s, 0.0, out)
    }

    /// As [`MeasuredLoads::at`], with the points the data gives in ground moved `advance_m` along ground x (the
    /// plates of a stride repeated `k` strides on: [`crate::walk::clock`]).
    ///
    /// # Errors
    /// As [`MeasuredLoads::at`].
    pub fn at_advanced(
        &self,
        skeleton: &Skeleton,
        kinematics: &SkeletonKinematics,
        time_s: f64,
        advance_m: f64,
        out: &mut Vec<PointLoad>,
    ) -> Result<(), TrialError> {
        out.clear();
        let turn = |body: Option<usize>, v: [f64; 3]| -> [f64; 3] {
            let Some(b) = body else { return v };
            let (s, c) = kinematics.body(skeleton, b).angle_rad.sin_cos();
            [c * v[0] - s * v[1], s * v[0] + c * v[1], v[2]]
        };
        for f in &self.forces {
            let zero = [0.0; 3];
            let force_n = match f.force {
                Some(c) => turn(f.force_in, self.sample(c, time_s)?).map(|v| v * self.scale),
                None => zero,
            };
            let torque_nm = match f.torque {
                Some(c) => turn(f.force_in, self.sample(c, time_s)?).map(|v| v * self.scale),
                None => zero,
            };
            let point_m = match (f.point, f.point_in) {
                (Some(c), None) => {
                    let mut p = self.sample(c, time_s)?;
                    p[0] += advance_m;
                    p
                }
                (Some(c), Some(b)) => kinematics.station(skeleton, b, self.sample(c, time_s)?),
                (None, _) => kinematics.station(skeleton, f.body, zero),
            };
            out.push(PointLoad { body: f.body, force_n, point_m, torque_nm });
        }
        Ok(())
    }
}

/// The skeleton's coordinates in the model's multibody order (OpenSim's order of generalised forces): joints by
/// depth below ground, then in file order; coordinates in their joint's order.
#[must_use]
pub fn multibody_order(skeleton: &Skeleton, model: &OsimModel) -> Vec<usize> {
    let depth = |joint: &str| -> usize {
        let mut d = 0;
        let mut at = model.joint(joint);
        while let Some(j) = at {
            d += 1;
            at = if j.parent_frame.body == "ground" { None } else { model.joint_of_child(&j.parent_frame.body) };
            if d > model.joints.len() {
                break; // a cycle: from_osim refuses one, so this only guards the loop
            }
        }
        d
    };
    let mut order: Vec<usize> = (0..skeleton.coordinates.len()).collect();
    order.sort_by_key(|&i| depth(&skeleton.coordinates[i].joint));
    order
}

/// OpenSim's name of the generalised force of coordinate `c` in `inverse_dynamics.sto`.
#[must_use]
pub fn generalized_force_label(skeleton: &Skeleton, c: usize) -> String {
    let coordinate = &skeleton.coordinates[c];
    match coordinate.motion {
        MotionType::Translational => format!("{}_force", coordinate.name),
        _ => format!("{}_moment", coordinate.name),
    }
}

/// The generalised forces at every frame of the trial (one vector per frame, the skeleton's coordinate order, N m or
/// N): inverse dynamics under gravity and the measured loads.
///
/// # Errors
/// A load the trial's frames cannot be given (outside the data's time, not a number).
pub fn generalized_forces(
    skeleton: &Skeleton,
    trajectories: &CoordinateTrajectories,
    loads: Option<&MeasuredLoads>,
) -> Result<Vec<Vec<f64>>, TrialError> {
    let nc = skeleton.coordinates.len();
    let mut id = InverseDynamics::new(skeleton);
    let mut kinematics = SkeletonKinematics::new(skeleton);
    let mut point_loads = Vec::new();
    let mut out = Vec::with_capacity(trajectories.len());
    for i in 0..trajectories.len() {
        let (q, u, a) = (&trajectories.q[i], &trajectories.u[i], &trajectories.udot[i]);
        point_loads.clear();
        if let Some(l) = loads {
            kinematics.update(skeleton, q, u);
            l.at(skeleton, &kinematics, trajectories.time_s[i], &mut point_loads)?;
        }
        let mut tau = vec![0.0; nc];
        id.solve(skeleton, q, u, a, &point_loads, &mut tau);
        out.push(tau);
    }
    Ok(out)
}

/// Inverse dynamics over a trial, as OpenSim's `InverseDynamicsTool` writes it: one row per frame, one column per
/// coordinate in multibody order, named `<coordinate>_moment` (N m) or `<coordinate>_force` (N).
///
/// # Errors
/// As [`generalized_forces`].
pub fn inverse_dynamics(
    skeleton: &Skeleton,
    model: &OsimModel,
    trajectories: &CoordinateTrajectories,
    loads: Option<&MeasuredLoads>,
) -> Result<Storage, TrialError> {
    let forces = generalized_forces(skeleton, trajectories, loads)?;
    let order = multibody_order(skeleton, model);
    let data = order.iter().map(|&c| forces.iter().map(|f| f[c]).collect()).collect();
    let columns = order.iter().map(|&c| generalized_force_label(skeleton, c)).collect();
    Ok(Storage::new("Inverse Dynamics Generalized Forces", false, columns, trajectories.time_s.clone(), data)
        .expect("one column per coordinate, each one value per frame, at the motion's increasing times"))
}
