//! A periodic gait reference for the sagittal right leg, built from an OpenSim inverse-kinematics trial and,
//! optionally, its ground reaction forces.
//!
//! # Conventions
//! Joint angles are in radians with OpenSim's signs, in the order hip, knee, ankle:
//! `hip_flexion_r` (+ flexion), `knee_angle_r` (negative = flexion), `ankle_angle_r` (+ dorsiflexion).
//! The pelvis is `pelvis_tx` (forward x, m), `pelvis_ty` (vertical z, m) and `pelvis_tilt` (pitch, rad,
//! OpenSim sign). The right foot's ground reaction is `ground_force_vx`/`vy` (x forward, z vertical, N) with its
//! centre of pressure `ground_force_px`/`py` (m), in the lab frame: OpenSim's y is exosim's z. Columns whose
//! storage says `inDegrees=yes` are converted if rotational (the hip, knee, ankle and pelvis tilt); translations
//! and forces are SI whatever the header says.
//!
//! # Time
//! Reference time 0 is a right heel strike (phase 0) and every quantity is periodic in the stride period: any
//! real time is valid. The kinematics and the force file must share one clock (as OpenSim's do).
//!
//! * Heel strikes are upward crossings of the right vertical force through a threshold (20 N by default),
//!   linearly interpolated between samples. The stride is the pair of consecutive heel strikes that overlaps
//!   the kinematics most; the period is the time between them and the first is reference time 0.
//! * Without a force file, the period is [`GaitOptions::period_s`] or else the kinematics' duration
//!   (last time − first time), and reference time 0 is the first kinematic sample (not a known heel strike).
//!
//! # Kinematics
//! Each channel is fitted by least squares with a Fourier series of [`GaitOptions::harmonics`] harmonics at the
//! stride frequency, so positions, velocities and accelerations are smooth, exactly periodic and analytic. The
//! samples need not cover a whole stride (the shared trial covers about 97 % of one).
//!
//! # Treadmill or over ground
//! On a treadmill `pelvis_tx` is about constant and is fitted as it is. When a least-squares fit of the pelvis
//! forward position with a linear trend gives a travel of more than [`FORWARD_TRAVEL_LIMIT_M`] over one stride
//! (over-ground walking), the mean forward speed is removed: the reference's pelvis x and the centre of
//! pressure x are then expressed in a frame moving forward at that speed, coinciding with the lab frame at
//! reference time 0 ([`GaitReference::forward_speed_removed_m_s`] tells the speed removed).
//!
//! # Ground reaction
//! The force-plate samples of exactly one stride (between the two heel strikes) form a periodic table read by
//! linear interpolation with wrap-around. The centre of pressure is meaningful only when the vertical force is at
//! or above the threshold: below it the reference returns zero force and the centre of pressure of the last
//! loaded instant.

use nalgebra::DMatrix;

use super::storage::Storage;

/// Columns of the right leg's joint angles, in the order of the joint arrays: hip, knee, ankle.
pub const JOINT_COLUMNS: [&str; 3] = ["hip_flexion_r", "knee_angle_r", "ankle_angle_r"];

/// Columns of the pelvis: forward x, vertical z, pitch.
pub const PELVIS_COLUMNS: [&str; 3] = ["pelvis_tx", "pelvis_ty", "pelvis_tilt"];

/// Forward pelvis travel over one stride above which the mean forward speed is removed, m.
pub const FORWARD_TRAVEL_LIMIT_M: f64 = 0.2;

/// Number of fitted channels: three joints, then pelvis x, z, pitch.
const CHANNELS: usize = 6;

/// Index of the pelvis forward position among the channels.
const PELVIS_X: usize = 3;

/// Which channels are angles (converted from degrees when the storage says so).
const ROTATIONAL: [bool; CHANNELS] = [true, true, true, false, false, true];

/// Singular values below this fraction of the largest make the Fourier fit singular.
const RELATIVE_SINGULAR_LIMIT: f64 = 1e-10;

/// How a [`GaitReference`] is built.
#[derive(Clone, Debug, PartialEq)]
pub struct GaitOptions {
    /// Number of Fourier harmonics fitted to each kinematic channel (8 by default).
    pub harmonics: usize,
    /// Vertical force through which an upward crossing is a heel strike, and below which the foot is
    /// unloaded, N (20 by default).
    pub heel_strike_threshold_n: f64,
    /// Stride period, s, used only without a force file (the heel strikes give it otherwise). `None`: the
    /// kinematics' duration.
    pub period_s: Option<f64>,
    /// Prefix of the right foot's force-plate columns (`ground_force_` by default: `ground_force_vx`, `_vy`,
    /// `_px`, `_py` are read).
    pub grf_prefix: String,
}

impl Default for GaitOptions {
    fn default() -> Self {
        GaitOptions {
            harmonics: 8,
            heel_strike_threshold_n: 20.0,
            period_s: None,
            grf_prefix: "ground_force_".to_string(),
        }
    }
}

/// Why a [`GaitReference`] could not be built.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum GaitError {
    /// A column the reference needs is not in the file.
    #[error("{file}: no column `{column}`")]
    MissingColumn {
        /// The storage's source file.
        file: String,
        /// The missing label.
        column: String,
    },
    /// A value the reference uses is NaN or infinite.
    #[error("{file}: column `{column}` is not finite at t = {time_s} s")]
    NonFinite {
        /// The storage's source file.
        file: String,
        /// The column.
        column: String,
        /// File time of the sample, s.
        time_s: f64,
    },
    /// The force file holds fewer than two right heel strikes, so no stride period.
    #[error(
        "{file}: cannot find the stride period: {found} upward crossing(s) of `{column}` through {threshold_n} N \
         (right heel strikes), two are needed"
    )]
    TooFewHeelStrikes {
        /// The force file.
        file: String,
        /// The vertical-force column.
        column: String,
        /// The threshold, N.
        threshold_n: f64,
        /// How many heel strikes were found.
        found: usize,
    },
    /// The period is not a positive finite number.
    #[error("the stride period {period_s} s (from {origin}) is not a positive finite number")]
    BadPeriod {
        /// The offending period, s.
        period_s: f64,
        /// Where it came from: `GaitOptions::period_s` or the kinematics' duration.
        origin: &'static str,
    },
    /// The heel-strike threshold is not finite.
    #[error("the heel-strike threshold {threshold_n} N is not finite")]
    BadThreshold {
        /// The offending threshold, N.
        threshold_n: f64,
    },
    /// Too few kinematic samples for the number of harmonics.
    #[error(
        "{file}: {samples} samples cannot determine {unknowns} unknowns ({harmonics} harmonics, a mean and a \
         forward speed); use fewer harmonics"
    )]
    TooFewSamples {
        /// The kinematics file.
        file: String,
        /// Number of samples.
        samples: usize,
        /// Requested harmonics.
        harmonics: usize,
        /// Unknowns of the fit.
        unknowns: usize,
    },
    /// The least-squares problem is singular (samples repeat modulo the period, or cover too little of it).
    #[error("{file}: the Fourier fit with {harmonics} harmonics over a {period_s} s period is singular")]
    SingularFit {
        /// The kinematics file.
        file: String,
        /// Requested harmonics.
        harmonics: usize,
        /// The period, s.
        period_s: f64,
    },
}

/// Pelvis position, velocity and acceleration: forward x, vertical z, pitch.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct PelvisSample {
    /// Forward position, m (in the moving frame when a forward speed was removed).
    pub x_m: f64,
    /// Vertical position, m.
    pub z_m: f64,
    /// Pitch (`pelvis_tilt`), rad.
    pub pitch_rad: f64,
    /// Forward velocity, m/s.
    pub xd_m_s: f64,
    /// Vertical velocity, m/s.
    pub zd_m_s: f64,
    /// Pitch rate, rad/s.
    pub pitchd_rad_s: f64,
    /// Forward acceleration, m/s².
    pub xdd_m_s2: f64,
    /// Vertical acceleration, m/s².
    pub zdd_m_s2: f64,
    /// Pitch acceleration, rad/s².
    pub pitchdd_rad_s2: f64,
}

/// All kinematics of the reference at one instant.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct GaitSample {
    /// Stride phase in [0, 1), 0 at right heel strike.
    pub phase: f64,
    /// Hip, knee, ankle angles, rad.
    pub joint_angles_rad: [f64; 3],
    /// Hip, knee, ankle velocities, rad/s.
    pub joint_velocities_rad_s: [f64; 3],
    /// Hip, knee, ankle accelerations, rad/s².
    pub joint_accelerations_rad_s2: [f64; 3],
    /// The pelvis.
    pub pelvis: PelvisSample,
}

/// Ground reaction on the right foot, lab frame (x forward, z up).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct GroundReaction {
    /// Force [x, z], N; zero while the foot is unloaded.
    pub force_n: [f64; 2],
    /// Centre of pressure [x, z], m; held at the last loaded value while the foot is unloaded.
    pub cop_m: [f64; 2],
}

/// RMS residual of the Fourier fit of the pelvis channels.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct PelvisFitResidual {
    /// Forward position, m.
    pub x_m: f64,
    /// Vertical position, m.
    pub z_m: f64,
    /// Pitch, rad.
    pub pitch_rad: f64,
}

/// Cosine and sine coefficients of one harmonic, for every channel.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Harmonic {
    cos: [f64; CHANNELS],
    sin: [f64; CHANNELS],
}

/// The periodic gait reference: see the [module documentation](self).
#[derive(Clone, Debug, PartialEq)]
pub struct GaitReference {
    period_s: f64,
    omega_rad_s: f64,
    time_origin_in_file_s: f64,
    mean: [f64; CHANNELS],
    harmonics: Vec<Harmonic>,
    residual_rms: [f64; CHANNELS],
    forward_speed_removed_m_s: f64,
    heel_strikes_in_file_s: Vec<f64>,
    grf: Option<GrfTable>,
}

/// The stride: its period and the file time of reference time 0.
struct Stride {
    period_s: f64,
    origin_s: f64,
}

impl GaitReference {
    /// Builds the reference from an inverse-kinematics storage (needs [`JOINT_COLUMNS`] and
    /// [`PELVIS_COLUMNS`]) and, optionally, the trial's ground reaction forces.
    ///
    /// # Errors
    /// A [`GaitError`] naming the missing column and file, or why the period or the fit cannot be found.
    pub fn new(kinematics: &Storage, grf: Option<&Storage>, options: &GaitOptions) -> Result<Self, GaitError> {
        let threshold_n = options.heel_strike_threshold_n;
        if !threshold_n.is_finite() {
            return Err(GaitError::BadThreshold { threshold_n });
        }
        let channels = kinematic_channels(kinematics)?;
        let (stride, heel_strikes_in_file_s) = match grf {
            Some(grf) => stride_from_grf(grf, kinematics, options)?,
            None => (stride_without_grf(kinematics, options)?, Vec::new()),
        };
        let tau_s: Vec<f64> = kinematics.time.iter().map(|t| t - stride.origin_s).collect();
        let fit = FourierFit::new(&tau_s, &channels, &stride, options.harmonics, &kinematics.source)?;
        let grf = grf
            .map(|grf| GrfTable::new(grf, &options.grf_prefix, &stride, threshold_n, fit.forward_speed_m_s))
            .transpose()?;
        let mut reference = GaitReference {
            period_s: stride.period_s,
            omega_rad_s: core::f64::consts::TAU / stride.period_s,
            time_origin_in_file_s: stride.origin_s,
            mean: fit.mean,
            harmonics: fit.harmonics,
            residual_rms: [0.0; CHANNELS],
            forward_speed_removed_m_s: fit.forward_speed_m_s,
            heel_strikes_in_file_s,
            grf,
        };
        reference.residual_rms = reference.residuals(&tau_s, &channels);
        Ok(reference)
    }

    /// RMS difference between the series and the (detrended) samples, per channel.
    fn residuals(&self, tau_s: &[f64], channels: &[Vec<f64>; CHANNELS]) -> [f64; CHANNELS] {
        let mut sum_sq = [0.0; CHANNELS];
        for (i, &tau) in tau_s.iter().enumerate() {
            let [position, _, _] = self.evaluate(tau);
            for (c, sum) in sum_sq.iter_mut().enumerate() {
                let mut value = channels[c][i];
                if c == PELVIS_X {
                    value -= self.forward_speed_removed_m_s * tau;
                }
                *sum += (position[c] - value).powi(2);
            }
        }
        let n = tau_s.len().max(1) as f64;
        sum_sq.map(|s| (s / n).sqrt())
    }

    /// Stride period, s.
    #[must_use]
    pub fn period_s(&self) -> f64 {
        self.period_s
    }

    /// Stride phase of reference time `t_s`, in [0, 1) (0 at right heel strike); NaN for a non-finite time.
    #[must_use]
    pub fn phase(&self, t_s: f64) -> f64 {
        let phase = t_s.rem_euclid(self.period_s) / self.period_s;
        // rem_euclid of a tiny negative time rounds up to the period itself.
        if phase >= 1.0 { 0.0 } else { phase }
    }

    /// All kinematics at reference time `t_s` in one pass (no allocation): use this in a simulation loop.
    #[must_use]
    pub fn sample(&self, t_s: f64) -> GaitSample {
        let [q, qd, qdd] = self.evaluate(t_s);
        GaitSample {
            phase: self.phase(t_s),
            joint_angles_rad: [q[0], q[1], q[2]],
            joint_velocities_rad_s: [qd[0], qd[1], qd[2]],
            joint_accelerations_rad_s2: [qdd[0], qdd[1], qdd[2]],
            pelvis: PelvisSample {
                x_m: q[3],
                z_m: q[4],
                pitch_rad: q[5],
                xd_m_s: qd[3],
                zd_m_s: qd[4],
                pitchd_rad_s: qd[5],
                xdd_m_s2: qdd[3],
                zdd_m_s2: qdd[4],
                pitchdd_rad_s2: qdd[5],
            },
        }
    }

    /// Hip, knee, ankle angles at reference time `t_s`, rad.
    #[must_use]
    pub fn joint_angles(&self, t_s: f64) -> [f64; 3] {
        self.sample(t_s).joint_angles_rad
    }

    /// Hip, knee, ankle velocities at reference time `t_s`, rad/s.
    #[must_use]
    pub fn joint_velocities(&self, t_s: f64) -> [f64; 3] {
        self.sample(t_s).joint_velocities_rad_s
    }

    /// Hip, knee, ankle accelerations at reference time `t_s`, rad/s².
    #[must_use]
    pub fn joint_accelerations(&self, t_s: f64) -> [f64; 3] {
        self.sample(t_s).joint_accelerations_rad_s2
    }

    /// Pelvis position, velocity and acceleration at reference time `t_s`.
    #[must_use]
    pub fn pelvis(&self, t_s: f64) -> PelvisSample {
        self.sample(t_s).pelvis
    }

    /// Ground reaction on the right foot at reference time `t_s`; `None` when no force file was given.
    #[must_use]
    pub fn ground_reaction(&self, t_s: f64) -> Option<GroundReaction> {
        let tau_s = self.phase(t_s) * self.period_s;
        self.grf.as_ref().map(|table| table.at(tau_s))
    }

    /// RMS residual of the Fourier fit of the hip, knee and ankle angles over the kinematic samples, rad.
    #[must_use]
    pub fn fit_residual_rad(&self) -> [f64; 3] {
        [self.residual_rms[0], self.residual_rms[1], self.residual_rms[2]]
    }

    /// RMS residual of the Fourier fit of the pelvis channels over the kinematic samples.
    #[must_use]
    pub fn pelvis_fit_residual(&self) -> PelvisFitResidual {
        let r = &self.residual_rms;
        PelvisFitResidual { x_m: r[3], z_m: r[4], pitch_rad: r[5] }
    }

    /// Every right heel strike found in the force file, file time, s (empty without a force file).
    #[must_use]
    pub fn heel_strike_times_in_file(&self) -> &[f64] {
        &self.heel_strikes_in_file_s
    }

    /// File time of reference time 0, s: the heel strike that starts the stride (or the first kinematic
    /// sample without a force file).
    #[must_use]
    pub fn time_origin_in_file_s(&self) -> f64 {
        self.time_origin_in_file_s
    }

    /// Mean forward speed removed from the pelvis x and the centre of pressure x, m/s (0 unless the pelvis
    /// travels more than [`FORWARD_TRAVEL_LIMIT_M`] over a stride).
    #[must_use]
    pub fn forward_speed_removed_m_s(&self) -> f64 {
        self.forward_speed_removed_m_s
    }

    /// Number of fitted harmonics.
    #[must_use]
    pub fn harmonics(&self) -> usize {
        self.harmonics.len()
    }

    /// Position, velocity and acceleration of every channel at reference time `t_s`. The angles `k θ` come
    /// from one `sin_cos` and the angle-addition recurrence.
    fn evaluate(&self, t_s: f64) -> [[f64; CHANNELS]; 3] {
        let theta = self.omega_rad_s * t_s.rem_euclid(self.period_s);
        let (sin_1, cos_1) = theta.sin_cos();
        let (mut sin_k, mut cos_k) = (sin_1, cos_1);
        let mut position = self.mean;
        let mut velocity = [0.0; CHANNELS];
        let mut acceleration = [0.0; CHANNELS];
        for (k, harmonic) in self.harmonics.iter().enumerate() {
            let omega_k = (k + 1) as f64 * self.omega_rad_s;
            for c in 0..CHANNELS {
                let (a, b) = (harmonic.cos[c], harmonic.sin[c]);
                let value = a * cos_k + b * sin_k;
                position[c] += value;
                velocity[c] += omega_k * (b * cos_k - a * sin_k);
                acceleration[c] -= omega_k * omega_k * value;
            }
            (sin_k, cos_k) = (sin_k * cos_1 + cos_k * sin_1, cos_k * cos_1 - sin_k * sin_1);
        }
        [position, velocity, acceleration]
    }
}

/// Right heel strikes: upward crossings of `vertical_force_n` through `threshold_n` (previous sample below,
/// this one at or above), at the linearly interpolated time, s.
#[must_use]
pub fn detect_heel_strikes(time_s: &[f64], vertical_force_n: &[f64], threshold_n: f64) -> Vec<f64> {
    let samples = time_s.iter().zip(vertical_force_n);
    samples
        .clone()
        .zip(samples.skip(1))
        .filter(|&((_, &f0), (_, &f1))| f0 < threshold_n && f1 >= threshold_n)
        .map(|((&t0, &f0), (&t1, &f1))| t0 + (threshold_n - f0) / (f1 - f0) * (t1 - t0))
        .collect()
}

/// The six kinematic channels in SI units (rad, m), checked finite.
fn kinematic_channels(kinematics: &Storage) -> Result<[Vec<f64>; CHANNELS], GaitError> {
    let labels = [JOINT_COLUMNS, PELVIS_COLUMNS].concat();
    let mut channels: [Vec<f64>; CHANNELS] = Default::default();
    for (c, channel) in channels.iter_mut().enumerate() {
        let column = required_column(kinematics, labels[c])?;
        check_finite(kinematics, labels[c], column, 0..column.len())?;
        let scale = if ROTATIONAL[c] && kinematics.in_degrees { core::f64::consts::PI / 180.0 } else { 1.0 };
        *channel = column.iter().map(|v| v * scale).collect();
    }
    Ok(channels)
}

/// The column `label`, or an error naming it and the file.
fn required_column<'a>(storage: &'a Storage, label: &str) -> Result<&'a [f64], GaitError> {
    storage
        .column(label)
        .ok_or_else(|| GaitError::MissingColumn { file: storage.source.clone(), column: label.to_string() })
}

/// Checks that the samples `rows` of `column` are finite.
fn check_finite(
    storage: &Storage,
    label: &str,
    column: &[f64],
    rows: core::ops::Range<usize>,
) -> Result<(), GaitError> {
    match column.get(rows.clone()).unwrap_or_default().iter().position(|v| !v.is_finite()) {
        None => Ok(()),
        Some(i) => Err(GaitError::NonFinite {
            file: storage.source.clone(),
            column: label.to_string(),
            time_s: storage.time.get(rows.start + i).copied().unwrap_or(f64::NAN),
        }),
    }
}

/// The stride from the force file: the pair of consecutive heel strikes overlapping the kinematics most
/// (the earliest on a tie). Also returns every heel strike.
fn stride_from_grf(
    grf: &Storage,
    kinematics: &Storage,
    options: &GaitOptions,
) -> Result<(Stride, Vec<f64>), GaitError> {
    let threshold_n = options.heel_strike_threshold_n;
    let column = format!("{}vy", options.grf_prefix);
    let strikes = detect_heel_strikes(&grf.time, required_column(grf, &column)?, threshold_n);
    let (first, last) = (kinematics.time.first().copied(), kinematics.time.last().copied());
    let overlap = |a: f64, b: f64| match (first, last) {
        (Some(first), Some(last)) => (b.min(last) - a.max(first)).max(0.0),
        _ => 0.0,
    };
    let mut best: Option<(f64, Stride)> = None;
    for pair in strikes.windows(2) {
        let [a, b] = [pair[0], pair[1]];
        let score = overlap(a, b);
        if best.as_ref().is_none_or(|(best_score, _)| score > *best_score) {
            best = Some((score, Stride { period_s: b - a, origin_s: a }));
        }
    }
    match best {
        Some((_, stride)) => Ok((stride, strikes)),
        None => {
            Err(GaitError::TooFewHeelStrikes { file: grf.source.clone(), column, threshold_n, found: strikes.len() })
        }
    }
}

/// The stride without a force file: the given period or the kinematics' duration, from the first sample.
fn stride_without_grf(kinematics: &Storage, options: &GaitOptions) -> Result<Stride, GaitError> {
    let origin_s = kinematics.time.first().copied().unwrap_or(0.0);
    let (period_s, origin) = match options.period_s {
        Some(period_s) => (period_s, "GaitOptions::period_s"),
        None => (kinematics.time.last().copied().unwrap_or(0.0) - origin_s, "the kinematics' duration"),
    };
    if period_s.is_finite() && period_s > 0.0 {
        Ok(Stride { period_s, origin_s })
    } else {
        Err(GaitError::BadPeriod { period_s, origin })
    }
}

/// Least-squares Fourier coefficients of the six channels.
struct FourierFit {
    mean: [f64; CHANNELS],
    harmonics: Vec<Harmonic>,
    forward_speed_m_s: f64,
}

impl FourierFit {
    /// Fits every channel on the same design matrix; the pelvis forward position is refitted with a linear
    /// trend, kept only when the travel over a stride exceeds [`FORWARD_TRAVEL_LIMIT_M`].
    fn new(
        tau_s: &[f64],
        channels: &[Vec<f64>; CHANNELS],
        stride: &Stride,
        harmonics: usize,
        file: &str,
    ) -> Result<Self, GaitError> {
        let samples = tau_s.len();
        let unknowns = harmonics.saturating_mul(2).saturating_add(2);
        if samples < unknowns {
            return Err(GaitError::TooFewSamples { file: file.to_string(), samples, harmonics, unknowns });
        }
        let singular = || GaitError::SingularFit { file: file.to_string(), harmonics, period_s: stride.period_s };
        let omega_rad_s = core::f64::consts::TAU / stride.period_s;
        let rhs = DMatrix::from_fn(samples, CHANNELS, |r, c| channels[c][r]);
        let periodic = least_squares(design_matrix(tau_s, omega_rad_s, harmonics, false), &rhs).ok_or_else(singular)?;
        let pelvis_x = DMatrix::from_column_slice(samples, 1, &channels[PELVIS_X]);
        let trended =
            least_squares(design_matrix(tau_s, omega_rad_s, harmonics, true), &pelvis_x).ok_or_else(singular)?;
        let speed_m_s = trended[(2 * harmonics + 1, 0)];
        let mut fit = FourierFit::from_solution(&periodic, harmonics);
        if (speed_m_s * stride.period_s).abs() > FORWARD_TRAVEL_LIMIT_M {
            fit.forward_speed_m_s = speed_m_s;
            fit.mean[PELVIS_X] = trended[(0, 0)];
            for (k, harmonic) in fit.harmonics.iter_mut().enumerate() {
                harmonic.cos[PELVIS_X] = trended[(2 * k + 1, 0)];
                harmonic.sin[PELVIS_X] = trended[(2 * k + 2, 0)];
            }
        }
        Ok(fit)
    }

    /// Unpacks the solution rows `[mean, cos 1, sin 1, cos 2, …]`, one column per channel.
    fn from_solution(solution: &DMatrix<f64>, harmonics: usize) -> Self {
        let mean = core::array::from_fn(|c| solution[(0, c)]);
        let harmonics = (0..harmonics)
            .map(|k| Harmonic {
                cos: core::array::from_fn(|c| solution[(2 * k + 1, c)]),
                sin: core::array::from_fn(|c| solution[(2 * k + 2, c)]),
            })
            .collect();
        FourierFit { mean, harmonics, forward_speed_m_s: 0.0 }
    }
}

/// Rows `[1, cos θ, sin θ, cos 2θ, sin 2θ, …]` with `θ = ω τ`, and a last column `τ` when `trend`.
fn design_matrix(tau_s: &[f64], omega_rad_s: f64, harmonics: usize, trend: bool) -> DMatrix<f64> {
    let columns = 2 * harmonics + 1 + usize::from(trend);
    DMatrix::from_fn(tau_s.len(), columns, |r, c| {
        let tau = tau_s[r];
        match c {
            0 => 1.0,
            c if c > 2 * harmonics => tau,
            c => {
                let angle = c.div_ceil(2) as f64 * omega_rad_s * tau;
                if c % 2 == 1 { angle.cos() } else { angle.sin() }
            }
        }
    })
}

/// Least-squares solution of `a x = b` by singular value decomposition; `None` when `a` is (nearly) singular.
fn least_squares(a: DMatrix<f64>, b: &DMatrix<f64>) -> Option<DMatrix<f64>> {
    let svd = a.svd(true, true);
    let largest = svd.singular_values.max();
    let smallest = svd.singular_values.min();
    if !(smallest > largest * RELATIVE_SINGULAR_LIMIT) {
        return None;
    }
    svd.solve(b, 0.0).ok()
}

/// One stride of the right foot's ground reaction, periodic.
#[derive(Clone, Debug, PartialEq)]
struct GrfTable {
    period_s: f64,
    threshold_n: f64,
    /// Sample times from the stride's first heel strike, s, increasing in [0, period).
    tau_s: Vec<f64>,
    /// Force [x, z], N.
    force_n: Vec<[f64; 2]>,
    /// Centre of pressure [x, z], m; where unloaded, the last loaded value (cyclically).
    cop_m: Vec<[f64; 2]>,
    /// Vertical force at or above the threshold and a finite centre of pressure.
    loaded: Vec<bool>,
}

impl GrfTable {
    /// The samples of the force file with file time in `[origin, origin + period)`.
    fn new(
        grf: &Storage,
        prefix: &str,
        stride: &Stride,
        threshold_n: f64,
        forward_speed_m_s: f64,
    ) -> Result<Self, GaitError> {
        let labels = ["vx", "vy", "px", "py"].map(|suffix| format!("{prefix}{suffix}"));
        let [fx, fz, px, pz] = labels.each_ref().map(|label| required_column(grf, label));
        let [fx, fz, px, pz] = [fx?, fz?, px?, pz?];
        let end_s = stride.origin_s + stride.period_s;
        let start = grf.time.partition_point(|&t| t < stride.origin_s);
        let stop = grf.time.partition_point(|&t| t < end_s);
        check_finite(grf, &labels[0], fx, start..stop)?;
        check_finite(grf, &labels[1], fz, start..stop)?;
        let mut table = GrfTable {
            period_s: stride.period_s,
            threshold_n,
            tau_s: Vec::new(),
            force_n: Vec::new(),
            cop_m: Vec::new(),
            loaded: Vec::new(),
        };
        for i in start..stop {
            let tau_s = grf.time[i] - stride.origin_s;
            let cop_m = [px[i] - forward_speed_m_s * tau_s, pz[i]];
            table.tau_s.push(tau_s);
            table.force_n.push([fx[i], fz[i]]);
            table.loaded.push(fz[i] >= threshold_n && cop_m.iter().all(|v| v.is_finite()));
            table.cop_m.push(cop_m);
        }
        table.hold_unloaded_cop();
        Ok(table)
    }

    /// Replaces the centre of pressure of unloaded samples by the last loaded one, cyclically.
    fn hold_unloaded_cop(&mut self) {
        let last_loaded = self.loaded.iter().rposition(|&l| l).map_or([0.0; 2], |i| self.cop_m[i]);
        let mut held = last_loaded;
        for (cop, &loaded) in self.cop_m.iter_mut().zip(&self.loaded) {
            if loaded {
                held = *cop;
            } else {
                *cop = held;
            }
        }
    }

    /// The ground reaction at `tau_s` in [0, period), interpolated linearly with wrap-around.
    fn at(&self, tau_s: f64) -> GroundReaction {
        let n = self.tau_s.len();
        if n == 0 {
            return GroundReaction::default();
        }
        let i = self.tau_s.partition_point(|&t| t <= tau_s);
        let (left, left_s) =
            if i == 0 { (n - 1, self.tau_s[n - 1] - self.period_s) } else { (i - 1, self.tau_s[i - 1]) };
        let (right, right_s) = if i == n { (0, self.tau_s[0] + self.period_s) } else { (i, self.tau_s[i]) };
        let w = if right_s > left_s { ((tau_s - left_s) / (right_s - left_s)).clamp(0.0, 1.0) } else { 0.0 };
        let lerp = |a: [f64; 2], b: [f64; 2]| [a[0] + w * (b[0] - a[0]), a[1] + w * (b[1] - a[1])];
        let force_n = lerp(self.force_n[left], self.force_n[right]);
        if force_n[1] < self.threshold_n {
            return GroundReaction { force_n: [0.0; 2], cop_m: self.cop_m[left] };
        }
        let cop_m = if self.loaded[left] { lerp(self.cop_m[left], self.cop_m[right]) } else { self.cop_m[right] };
        GroundReaction { force_n, cop_m }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::f64::consts::TAU;

    /// A synthetic trial: known harmonics, a forward speed, `n` samples over `coverage` of a 1.2 s stride.
    fn synthetic(n: usize, coverage: f64, speed_m_s: f64) -> Storage {
        let period = 1.2;
        let time: Vec<f64> = (0..n).map(|i| 0.1 + coverage * period * i as f64 / (n - 1) as f64).collect();
        let wave = |t: f64, k: f64, a: f64, p: f64| a * (k * TAU * (t - 0.1) / period + p).sin();
        let columns = [JOINT_COLUMNS, PELVIS_COLUMNS].concat();
        let data = (0..CHANNELS)
            .map(|c| {
                time.iter()
                    .map(|&t| {
                        let base = 10.0 * c as f64 + wave(t, 1.0, 20.0, 0.3 * c as f64) + wave(t, 3.0, 5.0, 1.0);
                        if c == PELVIS_X { 0.5 + speed_m_s * t + 0.01 * base } else { base }
                    })
                    .collect()
            })
            .collect();
        Storage::new("synthetic", true, columns.iter().map(ToString::to_string).collect(), time, data).unwrap()
    }

    fn options(period_s: f64) -> GaitOptions {
        GaitOptions { period_s: Some(period_s), ..GaitOptions::default() }
    }

    #[test]
    fn exact_series_is_recovered_from_partial_coverage() {
        let reference = GaitReference::new(&synthetic(60, 0.9, 0.0), None, &options(1.2)).unwrap();
        for r in reference.fit_residual_rad() {
            assert!(r < 1e-10, "{r}");
        }
        // Hip: 20° sin(θ) + 5° sin(3θ + 1), θ = 0 at the origin (t = 0.1 s in the file).
        let expected = (20.0 * (TAU * 0.25_f64).sin() + 5.0 * (3.0 * TAU * 0.25 + 1.0).sin()).to_radians();
        assert!((reference.joint_angles(0.3)[0] - expected).abs() < 1e-9);
        assert_eq!(reference.forward_speed_removed_m_s(), 0.0);
        assert!(reference.ground_reaction(0.0).is_none());
        assert!(reference.heel_strike_times_in_file().is_empty());
    }

    #[test]
    fn large_forward_travel_is_removed() {
        let reference = GaitReference::new(&synthetic(60, 0.9, 1.1), None, &options(1.2)).unwrap();
        assert!((reference.forward_speed_removed_m_s() - 1.1).abs() < 1e-9);
        assert!(reference.pelvis_fit_residual().x_m < 1e-10);
        let p = reference.pelvis(0.0);
        let base_at_origin = 30.0 + 20.0 * 0.9_f64.sin() + 5.0 * 1.0_f64.sin();
        assert!((p.x_m - (0.5 + 1.1 * 0.1 + 0.01 * base_at_origin)).abs() < 1e-9, "{p:?}");
        // Small travel (0.15 m per stride) is kept as it is: the periodic fit cannot follow it exactly.
        let treadmill = GaitReference::new(&synthetic(60, 0.9, 0.125), None, &options(1.2)).unwrap();
        assert_eq!(treadmill.forward_speed_removed_m_s(), 0.0);
    }

    #[test]
    fn bad_inputs_are_errors() {
        let kin = synthetic(20, 0.9, 0.0);
        let too_many = GaitOptions { harmonics: 10, ..options(1.2) };
        assert!(matches!(GaitReference::new(&kin, None, &too_many), Err(GaitError::TooFewSamples { .. })));
        let bad_period = options(-1.0);
        assert!(matches!(GaitReference::new(&kin, None, &bad_period), Err(GaitError::BadPeriod { .. })));
        let huge = GaitOptions { harmonics: usize::MAX, ..options(1.2) };
        assert!(GaitReference::new(&kin, None, &huge).is_err());
        let mut missing = kin.clone();
        missing.columns[1] = "knee".into();
        let error = GaitReference::new(&missing, None, &options(1.2)).unwrap_err();
        assert_eq!(error.to_string(), "synthetic: no column `knee_angle_r`");
        let mut nan = kin;
        nan.data[0][3] = f64::NAN;
        assert!(matches!(GaitReference::new(&nan, None, &options(1.2)), Err(GaitError::NonFinite { .. })));
    }

    #[test]
    fn heel_strikes_interpolate_upward_crossings() {
        let time = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0];
        let force = [30.0, 10.0, 30.0, 50.0, 0.0, 40.0];
        assert_eq!(detect_heel_strikes(&time, &force, 20.0), [1.5, 4.5]);
    }

    #[test]
    fn grf_table_holds_cop_and_wraps() {
        let mut table = GrfTable {
            period_s: 1.0,
            threshold_n: 20.0,
            tau_s: vec![0.0, 0.25, 0.5, 0.75],
            force_n: vec![[0.0, 100.0], [0.0, 100.0], [0.0, 0.0], [0.0, 100.0]],
            cop_m: vec![[0.1, 0.0], [0.2, 0.0], [9.0, 9.0], [0.4, 0.0]],
            loaded: vec![true, true, false, true],
        };
        table.hold_unloaded_cop();
        assert_eq!(table.cop_m[2], [0.2, 0.0]);
        let unloaded = table.at(0.5);
        assert_eq!(unloaded, GroundReaction { force_n: [0.0; 2], cop_m: [0.2, 0.0] });
        // Between 0.5 (unloaded) and 0.75 (loaded), above the threshold: the loaded side's CoP.
        assert_eq!(table.at(0.74).cop_m, [0.4, 0.0]);
        // Wrap-around between 0.75 and 1.0 = 0.0 of the next stride.
        let wrap = table.at(0.875);
        assert!((wrap.cop_m[0] - 0.25).abs() < 1e-12 && wrap.force_n[1] == 100.0);
    }
}
