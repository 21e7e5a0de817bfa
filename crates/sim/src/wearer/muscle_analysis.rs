//! The muscles of a recorded trial, with and without an ideal device: at each frame the wearer's generalised forces
//! (inverse dynamics, minus what the device supplies) are shared among the muscles by static optimization, and the
//! muscles' metabolic power follows from their activations and fibre states (Umberger 2010, as OpenSim's probe).
//!
//! This is the analysis OpenSim users run with `AnalyzeTool` + `StaticOptimization` + a metabolics probe, and
//! what Uchida et al. (2016) and Dembia et al. (2017) did to estimate ideal devices' savings. Its limits are
//! theirs: the motion is the recorded one whatever the device does (no adaptation of the gait), the muscles'
//! tendons are rigid and their activations static.
//!
//! Coordinates no muscle crosses (the pelvis's, the lumbar joint in gait10dof18musc) are supplied by their
//! reserves alone: their torques are reported as such, not shared.

use super::bhargava::Bhargava2004;
use super::ideal_device::IdealDevice;
use super::metabolics::{MuscleEnergyInputs, Umberger2010};
use super::musculature::{Musculature, MusculatureState};
use super::skeleton::{Skeleton, SkeletonKinematics};
use super::static_optimization::{SharingError, share};
use super::trial::CoordinateTrajectories;

/// Settings of the static optimization.
#[derive(Clone, Debug, PartialEq)]
pub struct SharingOptions {
    /// Optimal force of each coordinate's reserve actuator (skeleton order), N m or N: a reserve torque `r` costs
    /// `(r / optimal)²` like a muscle's squared activation (OpenSim's `CoordinateActuator` in static optimization).
    pub reserve_optimal: Vec<f64>,
    /// Lowest activation of a muscle.
    pub min_activation: f64,
}

impl SharingOptions {
    /// Reserves of optimal force 1 (N m or N) on every coordinate, as `gait10dof_Reserve_Actuators.xml` has for
    /// most, and a minimum activation of 0.01 (OpenSim's muscles' default).
    #[must_use]
    pub fn new(skeleton: &Skeleton) -> Self {
        Self { reserve_optimal: vec![1.0; skeleton.coordinates.len()], min_activation: 0.01 }
    }
}

/// The muscles over a trial, frame by frame.
#[derive(Clone, Debug, PartialEq)]
pub struct MuscleTrial {
    /// Frame times, s.
    pub time_s: Vec<f64>,
    /// The muscles' names (the model's order).
    pub muscles: Vec<String>,
    /// The coordinates the muscles share (skeleton indices): those some muscle crosses.
    pub shared: Vec<usize>,
    /// Activation per frame and muscle.
    pub activation: Vec<Vec<f64>>,
    /// Tendon force per frame and muscle, N.
    pub force_n: Vec<Vec<f64>>,
    /// Metabolic power per frame and muscle, W (0 for a muscle the probe does not list).
    pub metabolic_w: Vec<Vec<f64>>,
    /// Whole-body metabolic power of the muscles per frame, W (no basal rate): the probe's model (Umberger 2010).
    pub metabolic_power_w: Vec<f64>,
    /// The same by Bhargava et al. (2004), the second model, muscles only, W.
    pub metabolic_power_bhargava_w: Vec<f64>,
    /// Reserve torque per frame and coordinate (skeleton order), N m or N: on shared coordinates what the muscles
    /// did not supply, on the others the whole generalised force.
    pub reserve: Vec<Vec<f64>>,
    /// The device's generalised force per frame and coordinate, N m or N (zeros without a device).
    pub device: Vec<Vec<f64>>,
    /// The device's net mechanical power per frame (Σ torque × speed over the coordinates), W.
    pub device_power_w: Vec<f64>,
    /// The device's positive mechanical power per frame, each coordinate's counted alone (Σ max(0, torque ×
    /// speed)): positive work at one joint is not cancelled by what another absorbs, W.
    pub device_positive_power_w: Vec<f64>,
}

impl MuscleTrial {
    /// The trial as named columns (column-major, one value per frame), the names the program's `muscles.csv`
    /// and the Python package use: `time_s`; per muscle `<muscle>_activation`, `<muscle>_force_n`,
    /// `<muscle>_metabolic_w`; `metabolic_power_w`, `metabolic_power_bhargava_w`; per coordinate of `skeleton`
    /// its reserve, `<coordinate>_reserve_nm` (`_n` for a translation).
    #[must_use]
    pub fn columns(&self, skeleton: &Skeleton) -> (Vec<String>, Vec<Vec<f64>>) {
        let mut names = vec!["time_s".to_string()];
        let mut cols = vec![self.time_s.clone()];
        let per_frame = |rows: &[Vec<f64>], k: usize| rows.iter().map(|r| r[k]).collect::<Vec<f64>>();
        for (k, n) in self.muscles.iter().enumerate() {
            names.extend([format!("{n}_activation"), format!("{n}_force_n"), format!("{n}_metabolic_w")]);
            cols.extend([per_frame(&self.activation, k), per_frame(&self.force_n, k), per_frame(&self.metabolic_w, k)]);
        }
        names.extend(["metabolic_power_w".into(), "metabolic_power_bhargava_w".into()]);
        cols.extend([self.metabolic_power_w.clone(), self.metabolic_power_bhargava_w.clone()]);
        for (j, c) in skeleton.coordinates.iter().enumerate() {
            let unit = if c.motion == exo_opensim::MotionType::Translational { "n" } else { "nm" };
            names.push(format!("{}_reserve_{unit}", c.name));
            cols.push(per_frame(&self.reserve, j));
        }
        (names, cols)
    }
}

/// The coordinates some muscle crosses (the union of the paths' [`super::MusclePath::crossed_coordinates`]), in the
/// skeleton's order.
fn crossed_coordinates(skeleton: &Skeleton, muscles: &Musculature) -> Vec<usize> {
    (0..skeleton.coordinates.len())
        .filter(|j| muscles.paths.iter().any(|p| p.crossed_coordinates().contains(j)))
        .collect()
}

/// What [`analyse`] shares among the muscles: the model, the trial and the device.
#[derive(Clone, Copy, Debug)]
pub struct TrialInputs<'a> {
    /// The skeleton.
    pub skeleton: &'a Skeleton,
    /// Its muscles.
    pub muscles: &'a Musculature,
    /// The metabolic model.
    pub probe: &'a Umberger2010,
    /// The motion.
    pub trajectories: &'a CoordinateTrajectories,
    /// The generalised forces per frame (skeleton order), from [`super::trial::generalized_forces`].
    pub forces: &'a [Vec<f64>],
    /// The static optimization's settings.
    pub options: &'a SharingOptions,
}

/// The model the muscles' sharing reads: skeleton, muscles, metabolic probe, settings.
#[derive(Clone, Copy, Debug)]
pub struct MuscleModel<'a> {
    /// The skeleton.
    pub skeleton: &'a Skeleton,
    /// Its muscles.
    pub muscles: &'a Musculature,
    /// The metabolic model.
    pub probe: &'a Umberger2010,
    /// The static optimization's settings.
    pub options: &'a SharingOptions,
}

impl TrialInputs<'_> {
    /// The model part of the inputs.
    #[must_use]
    pub fn model(&self) -> MuscleModel<'_> {
        MuscleModel { skeleton: self.skeleton, muscles: self.muscles, probe: self.probe, options: self.options }
    }
}

/// The muscles at one instant.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MuscleInstant {
    /// Activation per muscle.
    pub activation: Vec<f64>,
    /// Tendon force per muscle, N.
    pub force_n: Vec<f64>,
    /// Metabolic power per muscle, W (0 for a muscle the probe does not list).
    pub metabolic_w: Vec<f64>,
    /// Whole-body metabolic power of the muscles, W (Umberger 2010, no basal rate).
    pub metabolic_power_w: f64,
    /// The same by Bhargava et al. (2004), W.
    pub metabolic_power_bhargava_w: f64,
    /// Reserve torque per coordinate (skeleton order), N m or N.
    pub reserve: Vec<f64>,
}

/// Shares generalised forces among the muscles instant after instant, each static optimization warm-started from
/// the previous instant's activations, and evaluates the metabolic probe: the pipeline of [`analyse`], and of a
/// running walk's metabolic power. It owns only scratch space, reused from instant to instant; the model is passed
/// in at each call. The static optimization itself still allocates its working matrices at every solve.
#[derive(Clone, Debug)]
pub struct MuscleMeter {
    shared: Vec<usize>,
    reserve_optimal: Vec<f64>,
    in_probe: Vec<Option<usize>>,
    bhargava: Bhargava2004,
    kin: SkeletonKinematics,
    state: MusculatureState,
    warm: Option<Vec<f64>>,
    torque: Vec<f64>,
    arms: Vec<Vec<f64>>,
}

impl MuscleMeter {
    /// A meter for `model`; its first instant is solved cold.
    #[must_use]
    pub fn new(model: &MuscleModel<'_>) -> Self {
        Self::sharing(model, crossed_coordinates(model.skeleton, model.muscles))
    }

    fn sharing(model: &MuscleModel<'_>, shared: Vec<usize>) -> Self {
        let reserve_optimal = shared.iter().map(|&j| model.options.reserve_optimal[j]).collect();
        let in_probe =
            model.muscles.units.iter().map(|u| model.probe.muscles.iter().position(|m| m.name == u.name)).collect();
        Self {
            torque: Vec::with_capacity(shared.len()),
            arms: Vec::new(),
            shared,
            reserve_optimal,
            in_probe,
            bhargava: Bhargava2004::like(model.probe),
            kin: SkeletonKinematics::new(model.skeleton),
            state: MusculatureState::default(),
            warm: None,
        }
    }

    /// Solves the next instant cold (after a jump in the motion: a reset, a new trial).
    pub fn forget(&mut self) {
        self.warm = None;
    }

    /// The muscles at `q`, `u` (skeleton order) supplying the generalised forces `forces` (N m or N, skeleton
    /// order; the pelvis's are left to their reserves), into `out`.
    ///
    /// # Errors
    /// A static optimization that fails (mismatched sizes; not expected otherwise).
    pub fn evaluate(
        &mut self,
        model: &MuscleModel<'_>,
        q: &[f64],
        u: &[f64],
        forces: &[f64],
        out: &mut MuscleInstant,
    ) -> Result<(), SharingError> {
        let (muscles, probe) = (model.muscles, model.probe);
        let nm = muscles.units.len();
        muscles.state(model.skeleton, &mut self.kin, q, u, &mut self.state);
        self.torque.clear();
        self.torque.extend(self.shared.iter().map(|&j| forces[j]));
        self.state.moment_arms_about_into(&self.shared, &mut self.arms);
        let s = share(
            &self.arms,
            &self.state.active_n,
            &self.state.passive_n,
            &self.torque,
            &self.reserve_optimal,
            model.options.min_activation,
            self.warm.as_deref(),
        )?;
        out.reserve.clear();
        out.reserve.extend_from_slice(forces);
        for (row, &j) in self.shared.iter().enumerate() {
            out.reserve[j] = s.reserve[row];
        }
        out.metabolic_w.clear();
        out.metabolic_w.resize(nm, 0.0);
        let mut second = 0.0;
        for (k, slot) in self.in_probe.iter().enumerate() {
            if let Some(p) = slot {
                let x = MuscleEnergyInputs::at_activation(
                    s.activation[k],
                    muscles.units[k].max_isometric_force_n,
                    &self.state.fibres[k],
                );
                out.metabolic_w[k] = probe.rate(*p, &x).total_w;
                second += self.bhargava.rate(*p, &x).total_w;
            }
        }
        out.metabolic_power_bhargava_w = second;
        out.metabolic_power_w = out.metabolic_w.iter().sum();
        out.force_n.clear();
        out.force_n.extend((0..nm).map(|k| s.activation[k] * self.state.active_n[k] + self.state.passive_n[k]));
        out.activation.clone_from(&s.activation);
        self.warm = Some(s.activation);
        Ok(())
    }
}

/// Frames `range` of the trial; the first is solved cold, each next one warm-started from the previous.
fn analyse_range(
    t: &TrialInputs<'_>,
    device: Option<&IdealDevice>,
    shared: &[usize],
    range: std::ops::Range<usize>,
) -> Result<MuscleTrial, SharingError> {
    let trajectories = t.trajectories;
    let model = t.model();
    let nc = t.skeleton.coordinates.len();
    let mut meter = MuscleMeter::sharing(&model, shared.to_vec());
    let n = range.len();
    let mut out = MuscleTrial {
        time_s: trajectories.time_s[range.clone()].to_vec(),
        muscles: t.muscles.units.iter().map(|u| u.name.clone()).collect(),
        shared: shared.to_vec(),
        activation: Vec::with_capacity(n),
        force_n: Vec::with_capacity(n),
        metabolic_w: Vec::with_capacity(n),
        metabolic_power_w: Vec::with_capacity(n),
        metabolic_power_bhargava_w: Vec::with_capacity(n),
        reserve: Vec::with_capacity(n),
        device: Vec::with_capacity(n),
        device_power_w: Vec::with_capacity(n),
        device_positive_power_w: Vec::with_capacity(n),
    };
    let mut assist = vec![0.0; nc];
    let mut net = vec![0.0; nc];
    let mut instant = MuscleInstant::default();
    for i in range {
        let (q, u) = (&trajectories.q[i], &trajectories.u[i]);
        match device {
            Some(d) => d.torques(trajectories.time_s[i], &mut assist),
            None => assist.iter_mut().for_each(|v| *v = 0.0),
        }
        for j in 0..nc {
            net[j] = t.forces[i][j] - assist[j];
        }
        meter.evaluate(&model, q, u, &net, &mut instant)?;
        out.metabolic_power_bhargava_w.push(instant.metabolic_power_bhargava_w);
        out.force_n.push(instant.force_n.clone());
        out.metabolic_power_w.push(instant.metabolic_power_w);
        out.metabolic_w.push(instant.metabolic_w.clone());
        out.reserve.push(instant.reserve.clone());
        out.device_power_w.push(assist.iter().zip(u).map(|(d, w)| d * w).sum());
        out.device_positive_power_w.push(assist.iter().zip(u).map(|(d, w)| (d * w).max(0.0)).sum());
        out.device.push(assist.clone());
        out.activation.push(instant.activation.clone());
    }
    Ok(out)
}

/// Shares the trial's generalised forces less the `device`'s among the muscles, frame by frame (each solve
/// warm-started from the previous frame's activations), and evaluates the probe.
///
/// # Errors
/// A static optimization that fails (mismatched sizes; not expected otherwise).
pub fn analyse(t: &TrialInputs<'_>, device: Option<&IdealDevice>) -> Result<MuscleTrial, SharingError> {
    let shared = crossed_coordinates(t.skeleton, t.muscles);
    analyse_range(t, device, &shared, 0..t.trajectories.len())
}

/// As [`analyse`], with the frames cut into `chunks` runs of consecutive frames solved on the rayon pool, each
/// starting cold. The chunks do not depend on the number of threads, so neither do the results, bit for bit; they
/// differ from [`analyse`]'s by the solver's round-off where a chunk starts cold (the optimum is unique).
///
/// # Errors
/// As [`analyse`].
pub fn analyse_in_chunks(
    t: &TrialInputs<'_>,
    device: Option<&IdealDevice>,
    chunks: usize,
) -> Result<MuscleTrial, SharingError> {
    use rayon::prelude::*;
    let shared = crossed_coordinates(t.skeleton, t.muscles);
    let n = t.trajectories.len();
    let chunks = chunks.clamp(1, n.max(1));
    let parts = (0..chunks)
        .into_par_iter()
        .map(|c| analyse_range(t, device, &shared, c * n / chunks..(c + 1) * n / chunks))
        .collect::<Result<Vec<_>, _>>()?;
    let mut parts = parts.into_iter();
    let mut out = parts.next().expect("at least one chunk");
    for p in parts {
        out.time_s.extend(p.time_s);
        out.activation.extend(p.activation);
        out.force_n.extend(p.force_n);
        out.metabolic_w.extend(p.metabolic_w);
        out.metabolic_power_w.extend(p.metabolic_power_w);
        out.metabolic_power_bhargava_w.extend(p.metabolic_power_bhargava_w);
        out.reserve.extend(p.reserve);
        out.device.extend(p.device);
        out.device_power_w.extend(p.device_power_w);
        out.device_positive_power_w.extend(p.device_positive_power_w);
    }
    Ok(out)
}

/// The whole body's metabolic power averaged over `window_s`, W: the cost of walking the trial with `device`
/// ([`analyse_in_chunks`] with `chunks` chunks).
///
/// # Errors
/// As [`analyse`].
pub fn mean_metabolic_power_w(
    t: &TrialInputs<'_>,
    device: Option<&IdealDevice>,
    window_s: [f64; 2],
    chunks: usize,
) -> Result<f64, SharingError> {
    let a = analyse_in_chunks(t, device, chunks)?;
    Ok(time_average(&a.time_s, &a.metabolic_power_w, window_s[0], window_s[1]))
}

/// The time average of `values` sampled at `time_s` over `[from_s, to_s]`, trapezoidal between samples (the ends
/// interpolated, or extrapolated from the end samples outside them). NaN with fewer than two samples or an empty
/// window.
#[must_use]
pub fn time_average(time_s: &[f64], values: &[f64], from_s: f64, to_s: f64) -> f64 {
    if time_s.len() < 2 || values.len() != time_s.len() || !(to_s > from_s) {
        return f64::NAN;
    }
    let at = |t: f64| crate::opensim::signal::value_at(time_s, values, t);
    let mut knots = vec![(from_s, at(from_s))];
    knots.extend(time_s.iter().zip(values).filter(|(t, _)| **t > from_s && **t < to_s).map(|(t, v)| (*t, *v)));
    knots.push((to_s, at(to_s)));
    let area: f64 = knots.windows(2).map(|w| 0.5 * (w[0].1 + w[1].1) * (w[1].0 - w[0].0)).sum();
    area / (to_s - from_s)
}

/// A muscle's group: its name without the side suffix (`soleus_r` → `soleus`).
#[must_use]
pub fn muscle_group(name: &str) -> &str {
    name.strip_suffix("_r").or_else(|| name.strip_suffix("_l")).unwrap_or(name)
}

/// What a device changes, averaged over a window of whole strides.
#[derive(Clone, Debug, PartialEq)]
pub struct MetabolicChange {
    /// The window, s.
    pub window_s: [f64; 2],
    /// Whole-body metabolic power of the muscles without the device, W.
    pub unassisted_w: f64,
    /// With the device, W.
    pub assisted_w: f64,
    /// Per muscle group: (group, unassisted W, assisted W), the model's order of first appearance.
    pub groups: Vec<(String, f64, f64)>,
    /// The device's mean positive mechanical power, W (its positive work per second).
    pub device_positive_w: f64,
    /// The device's mean net mechanical power, W.
    pub device_net_w: f64,
}

/// Largest metabolic saving per joule of positive work a device can replace if it only replaces the muscles'
/// positive work: the inverse of muscle's efficiency at positive work, about 25 % (Margaria 1968, "Positive and
/// negative work performances and their efficiencies in human locomotion", Int. Z. angew. Physiol. 25:339-351).
pub const MAX_PLAUSIBLE_SAVING_PER_POSITIVE_WORK: f64 = 4.0;

impl MetabolicChange {
    /// Compares `unassisted` and `assisted` (the same trial) over `window_s`.
    ///
    /// # Panics
    /// When the two analyses are of different trials or muscles (a caller's error).
    #[must_use]
    pub fn between(unassisted: &MuscleTrial, assisted: &MuscleTrial, window_s: [f64; 2]) -> Self {
        assert!(unassisted.time_s == assisted.time_s && unassisted.muscles == assisted.muscles);
        let t = &unassisted.time_s;
        let avg = |v: &[f64]| time_average(t, v, window_s[0], window_s[1]);
        let mut groups: Vec<(String, f64, f64)> = Vec::new();
        for (k, name) in unassisted.muscles.iter().enumerate() {
            let column = |m: &MuscleTrial| -> Vec<f64> { m.metabolic_w.iter().map(|r| r[k]).collect() };
            let (a, b) = (avg(&column(unassisted)), avg(&column(assisted)));
            let g = muscle_group(name);
            match groups.iter_mut().find(|(n, _, _)| n == g) {
                Some(e) => {
                    e.1 += a;
                    e.2 += b;
                }
                None => groups.push((g.to_string(), a, b)),
            }
        }
        Self {
            window_s,
            unassisted_w: avg(&unassisted.metabolic_power_w),
            assisted_w: avg(&assisted.metabolic_power_w),
            groups,
            device_positive_w: avg(&assisted.device_positive_power_w),
            device_net_w: avg(&assisted.device_power_w),
        }
    }

    /// Change of metabolic power with the device, W (negative: a saving).
    #[must_use]
    pub fn change_w(&self) -> f64 {
        self.assisted_w - self.unassisted_w
    }

    /// Change in percent of the unassisted power.
    #[must_use]
    pub fn change_pct(&self) -> f64 {
        100.0 * self.change_w() / self.unassisted_w
    }

    /// Metabolic saving per joule of the device's positive work (W saved per W of positive device power); `None`
    /// when the device does no positive work.
    #[must_use]
    pub fn saving_per_positive_work(&self) -> Option<f64> {
        (self.device_positive_w > 1e-9).then(|| -self.change_w() / self.device_positive_w)
    }

    /// Why the saving is implausible, when it is: more saved per joule of positive work than muscle efficiency
    /// allows ([`MAX_PLAUSIBLE_SAVING_PER_POSITIVE_WORK`]).
    #[must_use]
    pub fn implausibility(&self) -> Option<String> {
        implausibility_of(self.saving_per_positive_work()?)
    }
}

/// Why a saving of `r` J per J of the device's positive work is implausible, when it is (above
/// [`MAX_PLAUSIBLE_SAVING_PER_POSITIVE_WORK`]).
#[must_use]
pub fn implausibility_of(r: f64) -> Option<String> {
    {
        (r > MAX_PLAUSIBLE_SAVING_PER_POSITIVE_WORK).then(|| {
            format!(
                "the device saves {r:.1} J per J of positive work, more than the {MAX_PLAUSIBLE_SAVING_PER_POSITIVE_WORK} \
                 J that replacing muscles' positive work at 25 % efficiency can save; likely causes: the recorded \
                 motion is imposed (the wearer does not adapt), the device also absorbs negative work the muscles \
                 did, and static optimization minimises squared activations, not energy"
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_time_average_of_a_line_is_its_midpoint_value_and_windows_interpolate() {
        let t: Vec<f64> = (0..11).map(|i| f64::from(i) * 0.1).collect();
        let v: Vec<f64> = t.iter().map(|x| 3.0 + 2.0 * x).collect();
        assert!((time_average(&t, &v, 0.0, 1.0) - 4.0).abs() < 1e-12);
        assert!((time_average(&t, &v, 0.25, 0.65) - (3.0 + 2.0 * 0.45)).abs() < 1e-12);
    }

    #[test]
    fn muscle_groups_join_the_sides() {
        assert_eq!(muscle_group("soleus_r"), "soleus");
        assert_eq!(muscle_group("glut_max_l"), "glut_max");
        assert_eq!(muscle_group("psoas"), "psoas");
    }
}
