//! The imported wearer's motor model: it tracks the recorded trial with both legs and a free pelvis.
//!
//! `τ = ID(q_ref, u_ref, u̇_ref; plates) + Kp (q_ref - q) + Kd (u_ref - u) - a τ_device`, one value per coordinate.
//! The inverse-dynamics feedforward is the trial's own (computed once on the filtered motion with the recorded
//! plates); `a` (0 to 1) is how much of the device's delivered torque the wearer has learned to leave to it. On a
//! joint coordinate `τ` is the wearer's joint torque, limited to the subject's strength; on the pelvis' coordinates
//! it is the residual force and moment that OpenSim's residual reduction reports: what the recorded plates and the
//! model's joints cannot explain, supplied from outside the body.

use serde::{Deserialize, Serialize};

use super::clock::TrialClock;
use crate::error::ValidationError;
use crate::wearer::Skeleton;
use crate::wearer::trial::{CoordinateTrajectories, MeasuredLoads, TrialError};
use crate::wearer::{InverseDynamics, PointLoad, SkeletonKinematics};

/// What one joint coordinate of the imported wearer does differently from the others (a weak ankle after a
/// stroke, a knee that does not adapt to its brace): absent fields keep the whole wearer's value.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "scenario", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct JointTracking {
    /// Largest torque the wearer produces at this joint, N m.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strength_nm: Option<f64>,
    /// Fraction of the device's delivered torque the wearer leaves to it at this joint (0 to 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adaptation: Option<f64>,
}

/// A joint of [`TrackingConfig::joints`] that the skeleton does not have as a joint.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{name} {problem}")]
pub struct JointNameError {
    /// The name as given.
    pub name: String,
    /// Why it is not a joint.
    pub problem: String,
}

/// Gains and limits of the imported wearer's motor model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "scenario", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct TrackingConfig {
    /// Proportional gain on every joint coordinate (hips, knees, ankles, lumbar), N m/rad.
    #[serde(default = "default_kp")]
    pub kp_nm_per_rad: f64,
    /// Derivative gain on every joint coordinate, N m s/rad.
    #[serde(default = "default_kd")]
    pub kd_nm_s_per_rad: f64,
    /// Largest torque the wearer produces at any joint, N m.
    #[serde(default = "default_strength")]
    pub strength_nm: f64,
    /// Fraction of the device's delivered torque the wearer leaves to it (0: ignores the device; 1: fully adapted).
    #[serde(default = "one")]
    pub adaptation: f64,
    /// Proportional gain of the pelvis residual forces (pelvis_tx, pelvis_ty), N/m.
    #[serde(default = "default_residual_kp_n")]
    pub residual_kp_n_per_m: f64,
    /// Derivative gain of the pelvis residual forces, N s/m.
    #[serde(default = "default_residual_kd_n")]
    pub residual_kd_n_s_per_m: f64,
    /// Proportional gain of the pelvis residual moment (pelvis_tilt), N m/rad.
    #[serde(default = "default_residual_kp_nm")]
    pub residual_kp_nm_per_rad: f64,
    /// Derivative gain of the pelvis residual moment, N m s/rad.
    #[serde(default = "default_residual_kd_nm")]
    pub residual_kd_nm_s_per_rad: f64,
    /// Per joint coordinate, by OpenSim's name (`ankle_angle_r`): its own strength and adaptation, in place of the
    /// whole wearer's (a pelvis coordinate carries residuals, not a joint, and cannot be named). On the recorded
    /// plates a strength below the trial's own torque at that joint cannot hold it: the plates keep pushing as
    /// recorded, the joint gives way and the run stops with a divergence naming it (a weak joint needs a wearer
    /// whose ground force follows its motion).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub joints: std::collections::BTreeMap<String, JointTracking>,
}

fn default_kp() -> f64 {
    400.0
}
fn default_kd() -> f64 {
    20.0
}
fn default_strength() -> f64 {
    300.0
}
fn one() -> f64 {
    1.0
}
fn default_residual_kp_n() -> f64 {
    20_000.0
}
fn default_residual_kd_n() -> f64 {
    1_500.0
}
fn default_residual_kp_nm() -> f64 {
    2_000.0
}
fn default_residual_kd_nm() -> f64 {
    150.0
}

impl Default for TrackingConfig {
    fn default() -> Self {
        Self {
            kp_nm_per_rad: default_kp(),
            kd_nm_s_per_rad: default_kd(),
            strength_nm: default_strength(),
            adaptation: one(),
            residual_kp_n_per_m: default_residual_kp_n(),
            residual_kd_n_s_per_m: default_residual_kd_n(),
            residual_kp_nm_per_rad: default_residual_kp_nm(),
            residual_kd_nm_s_per_rad: default_residual_kd_nm(),
            joints: std::collections::BTreeMap::new(),
        }
    }
}

impl TrackingConfig {
    /// The first impossible parameter, named.
    ///
    /// # Errors
    /// A gain or strength that is negative or not a number, an adaptation outside 0..1.
    pub fn validate(&self) -> Result<(), ValidationError> {
        for (name, v) in [
            ("kp_nm_per_rad", self.kp_nm_per_rad),
            ("kd_nm_s_per_rad", self.kd_nm_s_per_rad),
            ("strength_nm", self.strength_nm),
            ("residual_kp_n_per_m", self.residual_kp_n_per_m),
            ("residual_kd_n_s_per_m", self.residual_kd_n_s_per_m),
            ("residual_kp_nm_per_rad", self.residual_kp_nm_per_rad),
            ("residual_kd_nm_s_per_rad", self.residual_kd_nm_s_per_rad),
        ] {
            if !(v.is_finite() && v >= 0.0) {
                return Err(ValidationError::new(name, "must be a finite number >= 0").with_value(v));
            }
        }
        if !(0.0..=1.0).contains(&self.adaptation) {
            return Err(ValidationError::new("adaptation", "must be within 0..1").with_value(self.adaptation));
        }
        for (name, j) in &self.joints {
            if let Some(v) = j.strength_nm
                && !(v.is_finite() && v >= 0.0)
            {
                return Err(ValidationError::new(format!("joints.{name}.strength_nm"), "must be a finite number >= 0")
                    .with_value(v));
            }
            if let Some(v) = j.adaptation
                && !(0.0..=1.0).contains(&v)
            {
                return Err(
                    ValidationError::new(format!("joints.{name}.adaptation"), "must be within 0..1").with_value(v)
                );
            }
        }
        Ok(())
    }
}

/// The recorded trial as the wearer's reference: coordinates, speeds and the inverse-dynamics feedforward at each
/// frame, linearly interpolated between frames, on a [`TrialClock`] (straight through or one stride repeated).
#[derive(Clone, Debug)]
pub struct Reference {
    time_s: Vec<f64>,
    q: Vec<Vec<f64>>,
    u: Vec<Vec<f64>>,
    feedforward: Vec<Vec<f64>>,
    clock: TrialClock,
    /// The coordinate that advances by the clock's stride length each stride (the walking direction).
    advancing: Option<usize>,
}

/// The reference at one instant, one entry per coordinate (buffers sized once).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ReferenceSample {
    /// Coordinates, rad or m.
    pub q: Vec<f64>,
    /// Speeds, rad/s or m/s.
    pub u: Vec<f64>,
    /// Inverse-dynamics generalised forces, N m or N.
    pub feedforward: Vec<f64>,
}

impl ReferenceSample {
    /// Zeros for `n` coordinates.
    #[must_use]
    pub fn new(n: usize) -> Self {
        Self { q: vec![0.0; n], u: vec![0.0; n], feedforward: vec![0.0; n] }
    }
}

/// Row `k` of `rows` interpolated at `s` towards row `k + 1`.
fn lerp_row(rows: &[Vec<f64>], k: usize, s: f64, dst: &mut [f64]) {
    for (j, d) in dst.iter_mut().enumerate() {
        *d = rows[k][j] + s * (rows[k + 1][j] - rows[k][j]);
    }
}

/// The frame interval holding `t` in `time` (clamped to the first and last) and the fraction into it.
fn interval(time: &[f64], t: f64) -> (usize, f64) {
    let k = time.partition_point(|&x| x <= t).clamp(1, time.len() - 1) - 1;
    (k, ((t - time[k]) / (time[k + 1] - time[k])).clamp(0.0, 1.0))
}

impl Reference {
    /// The trial `trajectories` straight through, with its inverse dynamics `feedforward` (one row per frame; as
    /// [`crate::wearer::trial::generalized_forces`] gives them).
    #[must_use]
    pub fn straight(trajectories: &CoordinateTrajectories, feedforward: Vec<Vec<f64>>) -> Self {
        Self {
            time_s: trajectories.time_s.clone(),
            q: trajectories.q.clone(),
            u: trajectories.u.clone(),
            feedforward,
            clock: TrialClock::straight(),
            advancing: None,
        }
    }

    /// One stride of `trajectories` repeated on `clock` (which must repeat), `advancing` the coordinate that moves
    /// a stride's length per stride, resampled at the trial's frame rate.
    ///
    /// The stride's end does not meet its start exactly (no two strides are alike): each coordinate gets a cubic
    /// correction over the whole stride, `h(s) = e_q (3s² - 2s³) + e_u T (s³ - s²)` at `s = (τ - t₀)/T`, with
    /// `e_q = q(t₀) + Δ - q(t₁)` and `e_u = u(t₀) - u(t₁)`, so that coordinates and speeds meet at the seam; its
    /// acceleration, about `6 e_q / T²`, stays far below the gait's own (the seam is C¹: the acceleration, and so
    /// the feedforward, steps there by the two strides' difference). The feedforward is the inverse dynamics
    /// of the corrected motion under the plates cross-faded as the body feels them ([`super::body`]).
    ///
    /// # Errors
    /// The plates cannot be evaluated over the stride or the fade before it.
    pub fn repeated(
        skeleton: &Skeleton,
        trajectories: &CoordinateTrajectories,
        loads: &MeasuredLoads,
        clock: TrialClock,
        advancing: Option<usize>,
    ) -> Result<Self, TrialError> {
        let nc = skeleton.coordinates.len();
        let t = &trajectories.time_s;
        let frame_s = (t[t.len() - 1] - t[0]) / (t.len() - 1) as f64;
        let frames = (clock.period_s / frame_s).round().max(2.0) as usize;
        let mut out = Self {
            time_s: Vec::with_capacity(frames + 1),
            q: Vec::with_capacity(frames + 1),
            u: Vec::with_capacity(frames + 1),
            feedforward: Vec::with_capacity(frames + 1),
            clock,
            advancing,
        };
        let mut id = InverseDynamics::new(skeleton);
        let mut kin = SkeletonKinematics::new(skeleton);
        let (mut now, mut before) = (Vec::new(), Vec::new());
        let at = |time: f64, q: &mut [f64], u: &mut [f64], a: &mut [f64]| {
            let (k, s) = interval(t, time);
            lerp_row(&trajectories.q, k, s, q);
            lerp_row(&trajectories.u, k, s, u);
            lerp_row(&trajectories.udot, k, s, a);
        };
        let (mut q, mut u, mut a) = (vec![0.0; nc], vec![0.0; nc], vec![0.0; nc]);
        let (mut q1, mut u1) = (vec![0.0; nc], vec![0.0; nc]);
        at(clock.start_s + clock.period_s, &mut q1, &mut u1, &mut a);
        at(clock.start_s, &mut q, &mut u, &mut a);
        let e_q: Vec<f64> =
            (0..nc).map(|j| q[j] + if Some(j) == advancing { clock.advance_m } else { 0.0 } - q1[j]).collect();
        let e_u: Vec<f64> = (0..nc).map(|j| u[j] - u1[j]).collect();
        let period = clock.period_s;
        for i in 0..=frames {
            let s = i as f64 / frames as f64;
            let tau = clock.start_s + period * s;
            at(tau, &mut q, &mut u, &mut a);
            for j in 0..nc {
                let (eq, eu) = (e_q[j], e_u[j] * period);
                q[j] += eq * (3.0 * s * s - 2.0 * s * s * s) + eu * (s * s * s - s * s);
                u[j] += (eq * (6.0 * s - 6.0 * s * s) + eu * (3.0 * s * s - 2.0 * s)) / period;
                a[j] += (eq * (6.0 - 12.0 * s) + eu * (6.0 * s - 2.0)) / (period * period);
            }
            // The last frame is the next stride's first: the plates' fade has ended there.
            let w = if i == frames { 1.0 } else { clock.at(tau).fade };
            kin.update(skeleton, &q, &u);
            loads.at_advanced(skeleton, &kin, tau, 0.0, &mut now)?;
            scale(&mut now, 1.0 - w);
            if w > 0.0 {
                loads.at_advanced(skeleton, &kin, tau - period, clock.advance_m, &mut before)?;
                scale(&mut before, w);
                now.extend_from_slice(&before);
            }
            let mut ff = vec![0.0; nc];
            id.solve(skeleton, &q, &u, &a, &now, &mut ff);
            out.time_s.push(tau);
            out.q.push(q.clone());
            out.u.push(u.clone());
            out.feedforward.push(ff);
        }
        Ok(out)
    }

    /// First and last frame times of the trial, s.
    #[must_use]
    pub fn span_s(&self) -> [f64; 2] {
        [self.time_s[0], self.time_s[self.time_s.len() - 1]]
    }

    /// The clock.
    #[must_use]
    pub fn clock(&self) -> &TrialClock {
        &self.clock
    }

    /// The reference at simulated time `t_s` into `out`.
    pub fn sample(&self, t_s: f64, out: &mut ReferenceSample) {
        let i = self.clock.at(t_s);
        let (k, s) = interval(&self.time_s, i.trial_s);
        lerp_row(&self.q, k, s, &mut out.q);
        lerp_row(&self.u, k, s, &mut out.u);
        lerp_row(&self.feedforward, k, s, &mut out.feedforward);
        if let Some(a) = self.advancing {
            out.q[a] += i.cycles * self.clock.advance_m;
        }
    }
}

/// `loads` with their forces and torques scaled by `weight`.
fn scale(loads: &mut [PointLoad], weight: f64) {
    for l in loads {
        l.force_n = l.force_n.map(|f| f * weight);
        l.torque_nm = l.torque_nm.map(|f| f * weight);
    }
}

/// The residual a pelvis coordinate carries, as OpenSim's residual reduction reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Residual {
    /// A force along a ground axis (0: X, 1: Y), from the free pelvis' translations in their joint order.
    Force(usize),
    /// The moment about ground Z, from the pelvis' rotation.
    MomentZ,
}

impl Residual {
    /// Its time-series channel: `pelvis_residual_fx_n`, `pelvis_residual_fy_n`, `pelvis_residual_mz_nm`.
    #[must_use]
    pub fn channel(self) -> String {
        match self {
            Residual::Force(0) => "pelvis_residual_fx_n".into(),
            Residual::Force(1) => "pelvis_residual_fy_n".into(),
            Residual::Force(i) => format!("pelvis_residual_f{i}_n"),
            Residual::MomentZ => "pelvis_residual_mz_nm".into(),
        }
    }
}

/// The coordinates of the joint whose engine chain starts at ground (the free pelvis), in skeleton order.
#[must_use]
pub fn pelvis_coordinates(skeleton: &Skeleton) -> Vec<usize> {
    let root = skeleton.coordinates.iter().find(|c| skeleton.model.bodies()[c.dof].parent.is_none());
    let Some(root) = root.map(|c| &c.joint) else { return Vec::new() };
    (0..skeleton.coordinates.len()).filter(|&c| &skeleton.coordinates[c].joint == root).collect()
}

/// The wearer's motor model over a skeleton: owns its gains and what each coordinate carries (`None`: a joint
/// torque, strength-limited; else a residual), nothing else.
#[derive(Clone, Debug)]
pub struct TrackingWearer {
    config: TrackingConfig,
    roles: Vec<Option<Residual>>,
    /// Strength per coordinate, N m (the joints' overrides resolved).
    strength_nm: Vec<f64>,
    /// Adaptation per coordinate.
    adaptation: Vec<f64>,
}

/// The wearer's generalised forces this step, one per coordinate (buffers sized once).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WearerForces {
    /// Total: joint torques (after the strength limit) and pelvis residuals, N m or N.
    pub total: Vec<f64>,
    /// True where the strength limit clipped a joint torque.
    pub saturated: Vec<bool>,
}

impl WearerForces {
    /// Zeros for `n` coordinates.
    #[must_use]
    pub fn new(n: usize) -> Self {
        Self { total: vec![0.0; n], saturated: vec![false; n] }
    }
}

impl TrackingWearer {
    /// The motor model of `skeleton`: the [`pelvis_coordinates`] carry residuals (their translations forces
    /// along ground X then Y, in joint order, as the importer checks), every other coordinate is a joint.
    ///
    /// # Errors
    /// `config.joints` names a coordinate the skeleton lacks, or a pelvis coordinate.
    pub fn new(skeleton: &Skeleton, config: TrackingConfig) -> Result<Self, JointNameError> {
        let mut roles = vec![None; skeleton.coordinates.len()];
        let mut axis = 0;
        for c in pelvis_coordinates(skeleton) {
            roles[c] = Some(if skeleton.coordinates[c].motion == exo_opensim::MotionType::Translational {
                axis += 1;
                Residual::Force(axis - 1)
            } else {
                Residual::MomentZ
            });
        }
        let n = skeleton.coordinates.len();
        let (mut strength_nm, mut adaptation) = (vec![config.strength_nm; n], vec![config.adaptation; n]);
        for (name, j) in &config.joints {
            let Some(c) = skeleton.coordinate(name) else {
                let joints: Vec<&str> =
                    (0..n).filter(|&c| roles[c].is_none()).map(|c| skeleton.coordinates[c].name.as_str()).collect();
                let problem = format!("is not a joint coordinate of the model (they are: {})", joints.join(", "));
                return Err(JointNameError { name: name.clone(), problem });
            };
            if roles[c].is_some() {
                let problem = "is a pelvis coordinate: it carries residuals, not the wearer's torque".to_string();
                return Err(JointNameError { name: name.clone(), problem });
            }
            strength_nm[c] = j.strength_nm.unwrap_or(config.strength_nm);
            adaptation[c] = j.adaptation.unwrap_or(config.adaptation);
        }
        Ok(Self { config, roles, strength_nm, adaptation })
    }

    /// The residual coordinate `c` carries, `None` for a joint.
    #[must_use]
    pub fn residual(&self, c: usize) -> Option<Residual> {
        self.roles[c]
    }

    /// Whether coordinate `c` carries a residual (a pelvis coordinate) rather than a joint torque.
    #[must_use]
    pub fn is_residual(&self, c: usize) -> bool {
        self.roles[c].is_some()
    }

    /// The configuration.
    #[must_use]
    pub fn config(&self) -> &TrackingConfig {
        &self.config
    }

    /// The wearer's generalised forces for state `q`, `u` (coordinate order) against `reference`, with `device`
    /// the generalised force the device delivered at the last step (one per coordinate, zero where none acts).
    pub fn forces(&self, reference: &ReferenceSample, q: &[f64], u: &[f64], device: &[f64], out: &mut WearerForces) {
        let c = &self.config;
        for (j, role) in self.roles.iter().enumerate() {
            let (e, ed) = (reference.q[j] - q[j], reference.u[j] - u[j]);
            let ff = reference.feedforward[j];
            let (tau, sat) = match role {
                None => {
                    let raw = ff + c.kp_nm_per_rad * e + c.kd_nm_s_per_rad * ed - self.adaptation[j] * device[j];
                    let lim = self.strength_nm[j];
                    (raw.clamp(-lim, lim), raw.abs() > lim)
                }
                Some(Residual::Force(_)) => (ff + c.residual_kp_n_per_m * e + c.residual_kd_n_s_per_m * ed, false),
                Some(Residual::MomentZ) => (ff + c.residual_kp_nm_per_rad * e + c.residual_kd_nm_s_per_rad * ed, false),
            };
            out.total[j] = tau;
            out.saturated[j] = sat;
        }
    }
}
