//! The environments' core: a scenario's wearer and device seen through the device's own sensors, an action
//! written where a host writes it (the torque setpoint, or the assistance profile's parameters), a reward from
//! the wearer's effort and the cuffs' load. `exosim.gym` wraps these in Gymnasium's classes.
//!
//! Observation, per controlled joint in the device's joint order, then three numbers:
//! `joint_position_rad`, `joint_velocity_rad_per_s`, `motor_position_rad`, `motor_velocity_rad_per_s`,
//! `joint_torque_nm`, `interaction_torque_nm`, `foot_contact` (0 or 1); then `base_pitch_rad`, the device's
//! `gait_phase` estimate (0..1, 0 while unknown) and `gait_phase_known` (0 or 1). All of it is what the firmware
//! reads: quantised, noisy, late, never the true state.
//!
//! The metabolic reward evaluates the muscles with the post-run analysis' own pipeline
//! (`exo_sim::wearer::muscle_analysis::MuscleMeter`) on the walk's state and the wearer's generalised forces.

use std::sync::{Mutex, MutexGuard};

use numpy::{IntoPyArray, PyArray1, PyArray2, PyReadonlyArray2};
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use crate::scenario::Scenario;
use crate::sim::{Recipe, Stepper, floats, key_error};
use exo_sim::wearer::muscle_analysis::{MuscleInstant, MuscleMeter, MuscleModel, SharingOptions};

/// Numbers per controlled joint in an observation.
const PER_JOINT: usize = 7;
/// Numbers after the joints' in an observation.
const TAIL: usize = 3;
/// The profile parameters an action sets per joint, in order (the assistance law's names).
const PROFILE: [&str; 4] = ["peak_torque_nm", "peak_time_pct", "rise_time_pct", "fall_time_pct"];
/// Bounds of the profile's timing in an action, % of stride: rise and fall up to 45 % each keep their sum below
/// the 100 % the profile requires, whatever the action.
const PROFILE_TIMING_PCT: [(f64, f64); 3] = [(0.0, 100.0), (1.0, 45.0), (1.0, 45.0)];

/// What an action is.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Action {
    /// The assistance torque per controlled joint, N m (the law's own profile is switched off).
    Torque,
    /// A torque added to the law's own profile per controlled joint, N m.
    Residual,
    /// The assistance profile's parameters per joint (`PROFILE`), applied from the next stride.
    Profile,
}

impl Action {
    fn parse(name: &str) -> PyResult<Self> {
        match name {
            "torque" => Ok(Action::Torque),
            "residual" => Ok(Action::Residual),
            "profile" => Ok(Action::Profile),
            _ => Err(key_error("action", name, &["torque", "residual", "profile"])),
        }
    }
}

/// What one step gave.
#[derive(Clone, Debug, Default, PartialEq)]
struct StepOutcome {
    reward: f64,
    terminated: bool,
    truncated: bool,
    /// Why the episode ended early (a safe stop, a divergence).
    reason: Option<String>,
    /// Mean over the step's ticks of the wearer's summed squared joint torques, (N m)².
    effort_nm2: f64,
    /// Mean over the step's ticks of the summed squared true cuff torques, (N m)².
    interaction_nm2: f64,
    /// Mean over the step's ticks of the muscles' metabolic power (held between evaluations), W; 0 unless the
    /// reward is metabolic.
    metabolic_w: f64,
    /// Why the law refused a profile the action asked for, if it did.
    profile_error: Option<String>,
}

/// What `EnvCore.step` returns: observation, reward, terminated, truncated, info.
type StepReturn<'py> = (Bound<'py, PyArray1<f64>>, f64, bool, bool, Bound<'py, PyDict>);

/// What `VecEnvCore.step` returns: observations, rewards, terminated, truncated, info.
type VecStepReturn<'py> = (
    Bound<'py, PyArray2<f64>>,
    Bound<'py, PyArray1<f64>>,
    Bound<'py, PyArray1<bool>>,
    Bound<'py, PyArray1<bool>>,
    Bound<'py, PyDict>,
);

/// How the reward is weighed.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Weights {
    /// Per (N m)² of the wearer's summed squared joint torques (the effort reward).
    effort_per_nm2: f64,
    /// Per (N m)² of the cuffs' summed squared torques.
    interaction_per_nm2: f64,
    /// Per W of the muscles' metabolic power, when the reward is metabolic (else the reward is the effort's).
    metabolic_per_w: Option<f64>,
    /// Control ticks between two evaluations of the muscles (the power is held in between).
    metabolic_every_ticks: u32,
}

impl Weights {
    /// The reward's weights from the environments' arguments.
    pub(crate) fn parse(
        reward: &str,
        effort_weight: f64,
        interaction_weight: f64,
        metabolic_weight: f64,
        metabolic_every_ticks: u32,
    ) -> PyResult<Self> {
        for (name, w) in [
            ("effort_weight", effort_weight),
            ("interaction_weight", interaction_weight),
            ("metabolic_weight", metabolic_weight),
        ] {
            if !(w >= 0.0 && w.is_finite()) {
                return Err(PyValueError::new_err(format!("{name} must be finite and non-negative, got {w}")));
            }
        }
        if metabolic_every_ticks == 0 {
            return Err(PyValueError::new_err("metabolic_every_ticks must be at least 1"));
        }
        let metabolic_per_w = match reward {
            "effort" => None,
            "metabolic" => Some(metabolic_weight),
            _ => return Err(key_error("reward", reward, &["effort", "metabolic"])),
        };
        Ok(Self {
            effort_per_nm2: effort_weight,
            interaction_per_nm2: interaction_weight,
            metabolic_per_w,
            metabolic_every_ticks,
        })
    }
}

/// The muscles' meter of a metabolic reward and what it last gave.
#[derive(Clone)]
struct Metabolic {
    meter: MuscleMeter,
    options: SharingOptions,
    instant: MuscleInstant,
    /// The last evaluation's metabolic power, W.
    power_w: f64,
    q: Vec<f64>,
    u: Vec<f64>,
}

/// What every environment on one scenario shares: the scenario (its wearer read once), the action, the reward,
/// the action's bounds. Checked once; each environment copies it.
#[derive(Clone)]
struct EnvSpec {
    recipe: Recipe,
    action: Action,
    ticks_per_step: u32,
    weights: Weights,
    /// The muscles' meter of a metabolic reward, fresh.
    metabolic: Option<Box<Metabolic>>,
    dt_s: f64,
    joints: usize,
    /// The action space's bounds, computed once (the step clamps against them).
    low: Vec<f64>,
    high: Vec<f64>,
}

/// One environment: its simulation and its episode.
struct Env {
    spec: EnvSpec,
    stepper: Stepper,
    metabolic: Option<Box<Metabolic>>,
    /// The seed the episode stream starts from, and episodes begun on it: episode `k` runs on
    /// [`episode_seed`]`(base_seed, k)`.
    base_seed: u64,
    episode: u64,
    end_s: f64,
    /// The profile the last action asked for (the profile action), applied at the next stride when pending.
    profile: Vec<f64>,
    profile_pending: bool,
    last_phase: Option<f64>,
    done: bool,
    scratch: Vec<f64>,
}

impl EnvSpec {
    fn new(scenario: &Scenario, action: Action, ticks_per_step: u32, weights: Weights) -> PyResult<Self> {
        if ticks_per_step == 0 {
            return Err(PyValueError::new_err("ticks_per_step must be at least 1"));
        }
        let recipe = Recipe::new(&scenario.loaded, true, false)?;
        let metabolic = match weights.metabolic_per_w {
            None => None,
            Some(_) => {
                let muscles = recipe.imported.as_ref().and_then(|w| w.muscles.as_ref().map(|m| (w, m)));
                let Some((w, (muscles, probe))) = muscles else {
                    return Err(PyValueError::new_err(format!(
                        "{}: reward=\"metabolic\" needs an imported wearer with muscles ([wearer] metabolics)",
                        scenario.loaded.path.display()
                    )));
                };
                let options = SharingOptions::new(&w.skeleton);
                let model = MuscleModel { skeleton: &w.skeleton, muscles, probe, options: &options };
                let n = w.skeleton.coordinates.len();
                Some(Box::new(Metabolic {
                    meter: MuscleMeter::new(&model),
                    options,
                    instant: MuscleInstant::default(),
                    power_w: 0.0,
                    q: vec![0.0; n],
                    u: vec![0.0; n],
                }))
            }
        };
        let stepper = recipe.build(None)?;
        let joints = stepper.joint_names().len();
        if joints == 0 {
            return Err(PyValueError::new_err(format!(
                "{}: the scenario has no actuated device joint for the environment to act on",
                scenario.loaded.path.display()
            )));
        }
        if action == Action::Profile {
            // Every joint must have a spline profile: the law answers its parameters per joint.
            let params = stepper.parameters();
            for name in PROFILE {
                let values = params.iter().find(|p| p.0 == name).map(|p| &p.1);
                if values.is_none_or(|v| v.iter().any(Option::is_none)) {
                    return Err(PyValueError::new_err(format!(
                        "action=\"profile\" needs the assistance law with a spline profile on every joint; the {} \
                         law has no {name} on some joint",
                        stepper.controller().name()
                    )));
                }
            }
        }
        let peak_nm = stepper.peak_torque_nm();
        if let Some(p) = peak_nm.iter().find(|p| !(p.is_finite() && **p > 0.0)) {
            return Err(PyValueError::new_err(format!("an actuator's peak torque is not a positive number: {p} N m")));
        }
        let (mut low, mut high) = (Vec::new(), Vec::new());
        for &p in &peak_nm {
            low.push(-p);
            high.push(p);
            if action == Action::Profile {
                for (l, h) in PROFILE_TIMING_PCT {
                    low.push(l);
                    high.push(h);
                }
            }
        }
        let dt_s = scenario.loaded.scenario.simulation.control_dt_s;
        Ok(Self { recipe, action, ticks_per_step, weights, metabolic, dt_s, joints, low, high })
    }

    fn obs_len(&self) -> usize {
        PER_JOINT * self.joints + TAIL
    }

    fn action_len(&self) -> usize {
        self.low.len()
    }

    /// The action space's bounds.
    fn action_bounds(&self) -> (Vec<f64>, Vec<f64>) {
        (self.low.clone(), self.high.clone())
    }
}

impl Env {
    /// An environment of `spec` whose seed stream starts at `base_seed`; it starts ended (reset it).
    fn new(spec: EnvSpec, base_seed: u64) -> PyResult<Self> {
        let stepper = spec.recipe.build(Some(base_seed))?;
        let joints = spec.joints;
        Ok(Self {
            metabolic: spec.metabolic.clone(),
            profile: vec![0.0; spec.action_len()],
            spec,
            stepper,
            base_seed,
            episode: 0,
            end_s: 0.0,
            profile_pending: false,
            last_phase: None,
            done: true,
            scratch: vec![0.0; joints],
        })
    }

    /// Starts an episode: a fresh simulation (`seed` starts a new stream; without one, the stream's next
    /// episode), one tick with no action so that the sensors have sampled, and its observation. The episode
    /// lasts the scenario's duration from before that tick.
    fn reset(&mut self, seed: Option<u64>, obs: &mut [f64]) -> PyResult<()> {
        if let Some(s) = seed {
            self.base_seed = s;
            self.episode = 0;
        }
        let s = episode_seed(self.base_seed, self.episode);
        self.episode += 1;
        self.done = true;
        self.stepper = self.spec.recipe.build(Some(s))?;
        if self.spec.action == Action::Torque {
            // The action is the whole assistance torque: the law's own profile is off.
            let has_gain = self.stepper.parameters().iter().any(|p| p.0 == "assistance_gain");
            if has_gain {
                self.stepper.set_parameter("assistance_gain", None, 0.0).map_err(PyValueError::new_err)?;
            }
        }
        self.end_s = self.stepper.time_s() + self.spec.recipe.loaded.scenario.simulation.duration_s;
        self.profile_pending = false;
        self.stepper.tick().map_err(|e| crate::SimulationError::new_err(format!("at reset: {e}")))?;
        if self.metabolic.is_some() {
            if let Some(m) = self.metabolic.as_mut() {
                m.meter.forget();
            }
            self.measure_muscles().map_err(|e| crate::SimulationError::new_err(format!("at reset: {e}")))?;
        }
        self.last_phase = self.stepper.gait_phase();
        self.done = false;
        self.observe(obs);
        Ok(())
    }

    /// Writes the observation (the module's layout) into `out`.
    fn observe(&self, out: &mut [f64]) {
        let f = self.stepper.frame();
        let n = self.spec.joints;
        let fields = [
            &f.joint_position_rad,
            &f.joint_velocity_rad_per_s,
            &f.motor_position_rad,
            &f.motor_velocity_rad_per_s,
            &f.joint_torque_nm,
            &f.interaction_torque_nm,
        ];
        for (k, v) in fields.iter().enumerate() {
            out[k * n..(k + 1) * n].copy_from_slice(v);
        }
        for j in 0..n {
            out[6 * n + j] = f64::from(u8::from(f.foot_contact[j]));
        }
        let phase = self.stepper.gait_phase();
        out[7 * n] = f.base_pitch_rad;
        out[7 * n + 1] = phase.unwrap_or(0.0);
        out[7 * n + 2] = f64::from(u8::from(phase.is_some()));
    }

    /// Checks an action: its length and that every number is finite.
    fn check(&self, action: &[f64]) -> Result<(), String> {
        if action.len() != self.spec.action_len() {
            return Err(format!("expected an action of {} numbers, got {}", self.spec.action_len(), action.len()));
        }
        if let Some(i) = action.iter().position(|a| !a.is_finite()) {
            return Err(format!("action[{i}] is not finite: {}", action[i]));
        }
        Ok(())
    }

    /// Applies `action` (checked) and runs one step's ticks (fewer for the last step of an episode, which ends at
    /// the scenario's duration); writes the observation after it.
    fn step(&mut self, action: &[f64], obs: &mut [f64]) -> StepOutcome {
        if self.done {
            self.observe(obs);
            return StepOutcome {
                terminated: true,
                reason: Some("the episode had ended: reset the environment".into()),
                ..StepOutcome::default()
            };
        }
        let (lo, hi) = (&self.spec.low, &self.spec.high);
        let target = if self.spec.action == Action::Profile { &mut self.profile } else { &mut self.scratch };
        for (k, a) in action.iter().enumerate() {
            target[k] = a.clamp(lo[k], hi[k]);
        }
        match self.spec.action {
            // Checked above: the length matches and every value is finite.
            Action::Torque | Action::Residual => {
                let _ = self.stepper.set_host_torque(Some(&self.scratch));
            }
            Action::Profile => self.profile_pending = true,
        }
        let mut out = StepOutcome::default();
        let mut ticks = 0u32;
        let remaining = ((self.end_s - self.stepper.time_s()) / self.spec.dt_s).round().max(1.0);
        let this_step = f64::from(self.spec.ticks_per_step).min(remaining) as u32;
        for _ in 0..this_step {
            if let Err(e) = self.stepper.tick() {
                out.terminated = true;
                out.reason = Some(e);
                break;
            }
            ticks += 1;
            out.effort_nm2 += self.stepper.effort_nm2();
            out.interaction_nm2 += self.stepper.interaction_nm2();
            if self.metabolic.is_some() {
                let every = u64::from(self.spec.weights.metabolic_every_ticks);
                if self.stepper.ticks().is_multiple_of(every)
                    && let Err(e) = self.measure_muscles()
                {
                    out.terminated = true;
                    out.reason = Some(format!("the muscles' static optimization failed: {e}"));
                    break;
                }
                out.metabolic_w += self.metabolic.as_ref().map_or(0.0, |m| m.power_w);
            }
            if let Err(e) = self.apply_profile_at_stride() {
                out.profile_error = Some(e);
            }
            if self.stepper.output().state == exo_control::SupervisorState::SafeStop {
                out.terminated = true;
                out.reason = Some(format!("safe stop: {}", crate::convert::snake(self.stepper.output().reason)));
                break;
            }
        }
        let n = f64::from(ticks.max(1));
        out.effort_nm2 /= n;
        out.interaction_nm2 /= n;
        out.metabolic_w /= n;
        let cost = match self.spec.weights.metabolic_per_w {
            Some(w) => w * out.metabolic_w,
            None => self.spec.weights.effort_per_nm2 * out.effort_nm2,
        };
        out.reward = -(cost + self.spec.weights.interaction_per_nm2 * out.interaction_nm2);
        if !out.terminated && self.stepper.time_s() >= self.end_s - 0.5 * self.spec.dt_s {
            out.truncated = true;
        }
        self.done = out.terminated || out.truncated;
        self.observe(obs);
        out
    }

    /// Evaluates the muscles now (the walk's state and the wearer's generalised forces of the last physics step).
    fn measure_muscles(&mut self) -> Result<(), String> {
        let (Some(m), Some(w), Stepper::Walk(sim)) =
            (self.metabolic.as_mut(), self.spec.recipe.imported.as_ref(), &self.stepper)
        else {
            return Ok(());
        };
        let Some((muscles, probe)) = w.muscles.as_ref() else { return Ok(()) };
        let body = sim.body();
        for c in 0..m.q.len() {
            m.q[c] = body.q(c);
            m.u[c] = body.u(c);
        }
        let model = MuscleModel { skeleton: &w.skeleton, muscles, probe, options: &m.options };
        m.meter.evaluate(&model, &m.q, &m.u, &sim.wearer_forces().total, &mut m.instant).map_err(|e| e.to_string())?;
        m.power_w = m.instant.metabolic_power_w;
        Ok(())
    }

    /// A new stride (the device's phase wrapped, or became known) takes the pending profile; a value the law
    /// refuses is reported (the rest of the profile is set).
    fn apply_profile_at_stride(&mut self) -> Result<(), String> {
        let phase = self.stepper.gait_phase();
        let new_stride = match (self.last_phase, phase) {
            (None, Some(_)) => true,
            (Some(a), Some(b)) => b + 0.5 < a,
            _ => false,
        };
        self.last_phase = phase;
        if !new_stride {
            return Ok(());
        }
        if !std::mem::take(&mut self.profile_pending) {
            return Ok(());
        }
        let p = &self.profile;
        let mut refused = Ok(());
        for j in 0..self.spec.joints {
            let values = &p[j * PROFILE.len()..(j + 1) * PROFILE.len()];
            // The law checks the whole profile at each change: rise and fall go to their least first, so that no
            // intermediate profile (a new rise with the old fall) sums past 100 % and is refused. Within the
            // action's bounds every final profile is valid.
            let order = [(2, 1.0), (3, 1.0), (0, values[0]), (1, values[1]), (2, values[2]), (3, values[3])];
            for (k, v) in order {
                if let Err(e) = self.stepper.set_parameter(PROFILE[k], Some(j), v) {
                    refused = Err(e);
                }
            }
        }
        refused
    }
}

/// The seed of episode `k` of the stream that starts at `base`: `base` itself first, then well-mixed values
/// (SplitMix64 of `base` and `k`), so that environment `i + 1`'s stream (starting at `base + 1`) does not replay
/// environment `i`'s second episode.
fn episode_seed(base: u64, k: u64) -> u64 {
    if k == 0 {
        return base;
    }
    let mut z = base ^ k.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn info<'py>(py: Python<'py>, o: &StepOutcome, env: &Env) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("time_s", env.stepper.time_s())?;
    d.set_item("effort_nm2", o.effort_nm2)?;
    d.set_item("interaction_nm2", o.interaction_nm2)?;
    if env.metabolic.is_some() {
        d.set_item("metabolic_w", o.metabolic_w)?;
    }
    d.set_item("gait_phase", env.stepper.gait_phase())?;
    if let Some(r) = &o.reason {
        d.set_item("reason", r)?;
    }
    if let Some(e) = &o.profile_error {
        d.set_item("profile_error", e)?;
    }
    Ok(d)
}

/// One environment's core (`exosim.gym.AssistEnv` wraps it): `reset(seed)`, `step(action)`.
#[pyclass(module = "exosim._native")]
pub(crate) struct EnvCore {
    env: Mutex<Env>,
}

impl EnvCore {
    fn lock(&self) -> PyResult<MutexGuard<'_, Env>> {
        crate::convert::lock(&self.env, "environment")
    }
}

#[pymethods]
impl EnvCore {
    /// An environment on `scenario`: `action` is `"torque"` (the assistance torque per joint, N m, the law's
    /// profile off), `"residual"` (added to the law's profile) or `"profile"` (the profile's parameters per
    /// joint, from the next stride); each step runs `ticks_per_step` control ticks; the reward is
    /// `-(effort_weight * effort_nm2 + interaction_weight * interaction_nm2)` (`reward="effort"`) or
    /// `-(metabolic_weight * metabolic_w + interaction_weight * interaction_nm2)` (`reward="metabolic"`, the
    /// muscles evaluated every `metabolic_every_ticks` ticks), each term the mean over the step.
    #[new]
    #[pyo3(signature = (scenario, action = "torque", ticks_per_step = 1, reward = "effort", effort_weight = 1e-4, interaction_weight = 1e-2, metabolic_weight = 1e-2, metabolic_every_ticks = 10))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        scenario: &Scenario,
        action: &str,
        ticks_per_step: u32,
        reward: &str,
        effort_weight: f64,
        interaction_weight: f64,
        metabolic_weight: f64,
        metabolic_every_ticks: u32,
    ) -> PyResult<Self> {
        let w = Weights::parse(reward, effort_weight, interaction_weight, metabolic_weight, metabolic_every_ticks)?;
        let spec = EnvSpec::new(scenario, Action::parse(action)?, ticks_per_step, w)?;
        let seed = scenario.loaded.scenario.simulation.seed;
        let env = Env::new(spec, seed)?;
        Ok(Self { env: Mutex::new(env) })
    }

    /// Numbers in an observation.
    #[getter]
    fn obs_len(&self) -> PyResult<usize> {
        Ok(self.lock()?.spec.obs_len())
    }

    /// The action space's lower and upper bounds.
    fn action_bounds(&self) -> PyResult<(Vec<f64>, Vec<f64>)> {
        Ok(self.lock()?.spec.action_bounds())
    }

    /// The controlled joints' names.
    #[getter]
    fn joints(&self) -> PyResult<Vec<String>> {
        Ok(self.lock()?.stepper.joint_names())
    }

    /// Simulated seconds per step.
    #[getter]
    fn step_s(&self) -> PyResult<f64> {
        let e = self.lock()?;
        Ok(e.spec.dt_s * f64::from(e.spec.ticks_per_step))
    }

    /// Starts an episode; returns its first observation.
    #[pyo3(signature = (seed = None))]
    fn reset<'py>(&self, py: Python<'py>, seed: Option<u64>) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let mut e = self.lock()?;
        let mut obs = vec![0.0; e.spec.obs_len()];
        e.reset(seed, &mut obs)?;
        Ok(obs.into_pyarray(py))
    }

    /// One step: `(observation, reward, terminated, truncated, info)`. Raises `ValueError` for an action of the
    /// wrong length or with a number that is not finite, `RuntimeError` after the episode's end.
    fn step<'py>(&self, py: Python<'py>, action: &Bound<'py, PyAny>) -> PyResult<StepReturn<'py>> {
        let a = floats(action, "action")?;
        let mut e = self.lock()?;
        if e.done {
            return Err(PyRuntimeError::new_err("the episode has ended (or never started): call reset()"));
        }
        e.check(&a).map_err(PyValueError::new_err)?;
        let mut obs = vec![0.0; e.spec.obs_len()];
        let env = &mut *e;
        let o = py.detach(|| env.step(&a, &mut obs));
        let i = info(py, &o, &e)?;
        Ok((obs.into_pyarray(py), o.reward, o.terminated, o.truncated, i))
    }

    /// The device's state now (as `Sim.state()`).
    fn state<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        crate::sim::state_dict(py, &self.lock()?.stepper)
    }

    /// The law's parameters now (as `Sim.gains()`).
    fn gains<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        crate::sim::gains_dict(py, &self.lock()?.stepper)
    }
}

/// `n` environments stepped together in `jobs` Rust threads with the GIL released, with Gymnasium's
/// next-step autoreset: the step after an episode ends resets that environment (its action ignored, reward 0).
/// Environment `i` of a reset with `seed` starts from `seed + i`; results do not depend on `jobs`.
#[pyclass(module = "exosim._native")]
pub(crate) struct VecEnvCore {
    envs: Mutex<Vec<Env>>,
    needs_reset: Mutex<Vec<bool>>,
    pool: rayon::ThreadPool,
    obs_len: usize,
    action_len: usize,
}

#[pymethods]
impl VecEnvCore {
    /// `n` environments on `scenario` (arguments as `EnvCore`), in `jobs` threads (`None`: one per core).
    #[new]
    #[pyo3(signature = (scenario, n, action = "torque", ticks_per_step = 1, reward = "effort", effort_weight = 1e-4, interaction_weight = 1e-2, metabolic_weight = 1e-2, metabolic_every_ticks = 10, jobs = None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        scenario: &Scenario,
        n: usize,
        action: &str,
        ticks_per_step: u32,
        reward: &str,
        effort_weight: f64,
        interaction_weight: f64,
        metabolic_weight: f64,
        metabolic_every_ticks: u32,
        jobs: Option<usize>,
    ) -> PyResult<Self> {
        if n == 0 {
            return Err(PyValueError::new_err("n must be at least 1"));
        }
        if jobs == Some(0) {
            return Err(PyValueError::new_err("jobs must be at least 1 (or None for one per core)"));
        }
        let a = Action::parse(action)?;
        let w = Weights::parse(reward, effort_weight, interaction_weight, metabolic_weight, metabolic_every_ticks)?;
        // Checked and read once (the imported wearer with it); every environment copies it.
        let spec = EnvSpec::new(scenario, a, ticks_per_step, w)?;
        let (obs_len, action_len) = (spec.obs_len(), spec.action_len());
        let seed = scenario.loaded.scenario.simulation.seed;
        // Environment i's stream starts at the scenario's seed + i (as a reset with seed s starts it at s + i).
        let envs = py.detach(|| {
            (0..n).map(|i| Env::new(spec.clone(), seed.wrapping_add(i as u64))).collect::<PyResult<Vec<_>>>()
        })?;
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(jobs.unwrap_or(0))
            .build()
            .map_err(|e| PyValueError::new_err(format!("cannot start {jobs:?} threads: {e}")))?;
        Ok(Self { envs: Mutex::new(envs), needs_reset: Mutex::new(vec![true; n]), pool, obs_len, action_len })
    }

    /// Environments.
    #[getter]
    fn num_envs(&self) -> PyResult<usize> {
        Ok(self.lock()?.len())
    }

    /// Numbers in one observation.
    #[getter]
    fn obs_len(&self) -> usize {
        self.obs_len
    }

    /// Numbers in one action.
    #[getter]
    fn action_len(&self) -> usize {
        self.action_len
    }

    /// One environment's action bounds.
    fn action_bounds(&self) -> PyResult<(Vec<f64>, Vec<f64>)> {
        Ok(self.lock()?[0].spec.action_bounds())
    }

    /// Resets every environment (`seed + i` for environment `i`); returns the observations, shape `(n, obs)`.
    #[pyo3(signature = (seed = None))]
    fn reset<'py>(&self, py: Python<'py>, seed: Option<u64>) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let mut guard = self.lock()?;
        let envs: &mut Vec<Env> = &mut guard;
        let d = self.obs_len;
        let mut obs = vec![0.0; envs.len() * d];
        let pool = &self.pool;
        let r: Vec<PyResult<()>> = py.detach(|| {
            use rayon::prelude::*;
            pool.install(|| {
                envs.par_iter_mut()
                    .zip(obs.par_chunks_mut(d))
                    .enumerate()
                    .map(|(i, (e, o))| e.reset(seed.map(|s| s.wrapping_add(i as u64)), o))
                    .collect()
            })
        });
        r.into_iter().collect::<PyResult<()>>()?;
        crate::convert::lock(&self.needs_reset, "vector environment")?.iter_mut().for_each(|x| *x = false);
        let n = envs.len();
        to_2d(py, obs, n, d)
    }

    /// One step of every environment: `(observations (n, obs), rewards (n), terminated (n), truncated (n), info)`,
    /// `info` holding `time_s`, `effort_nm2`, `interaction_nm2` arrays and `reason` (a list: `None` or why that
    /// environment's episode ended). `actions` has shape `(n, action)`.
    fn step<'py>(&self, py: Python<'py>, actions: PyReadonlyArray2<'py, f64>) -> PyResult<VecStepReturn<'py>> {
        let mut guard = self.lock()?;
        let envs: &mut Vec<Env> = &mut guard;
        let n = envs.len();
        let view = actions.as_array();
        let shape = view.shape();
        if shape != [n, self.action_len] {
            return Err(PyValueError::new_err(format!(
                "expected actions of shape ({n}, {}), got {shape:?}",
                self.action_len
            )));
        }
        let a: Vec<f64> = view.iter().copied().collect();
        let mut resets_guard = crate::convert::lock(&self.needs_reset, "vector environment")?;
        let resets: &mut Vec<bool> = &mut resets_guard;
        for (i, e) in envs.iter().enumerate() {
            if !resets[i] {
                e.check(&a[i * self.action_len..(i + 1) * self.action_len])
                    .map_err(|m| PyValueError::new_err(format!("environment {i}: {m}")))?;
            }
        }
        let (d, m) = (self.obs_len, self.action_len);
        let mut obs = vec![0.0; n * d];
        let pool = &self.pool;
        let outcomes: Vec<PyResult<StepOutcome>> = py.detach(|| {
            use rayon::prelude::*;
            pool.install(|| {
                envs.par_iter_mut()
                    .zip(obs.par_chunks_mut(d))
                    .zip(resets.par_iter_mut())
                    .enumerate()
                    .map(|(i, ((e, o), reset))| {
                        if *reset {
                            e.reset(None, o)?;
                            *reset = false;
                            return Ok(StepOutcome::default());
                        }
                        let out = e.step(&a[i * m..(i + 1) * m], o);
                        *reset = out.terminated || out.truncated;
                        Ok(out)
                    })
                    .collect()
            })
        });
        let outcomes: Vec<StepOutcome> = outcomes.into_iter().collect::<PyResult<_>>()?;
        let info = PyDict::new(py);
        let time: Vec<f64> = envs.iter().map(|e| e.stepper.time_s()).collect();
        info.set_item("time_s", time.into_pyarray(py))?;
        info.set_item("effort_nm2", outcomes.iter().map(|o| o.effort_nm2).collect::<Vec<_>>().into_pyarray(py))?;
        info.set_item(
            "interaction_nm2",
            outcomes.iter().map(|o| o.interaction_nm2).collect::<Vec<_>>().into_pyarray(py),
        )?;
        if envs.first().is_some_and(|e| e.metabolic.is_some()) {
            info.set_item("metabolic_w", outcomes.iter().map(|o| o.metabolic_w).collect::<Vec<_>>().into_pyarray(py))?;
        }
        let phase: Vec<f64> = envs.iter().map(|e| e.stepper.gait_phase().unwrap_or(f64::NAN)).collect();
        info.set_item("gait_phase", phase.into_pyarray(py))?;
        // Gymnasium's vector info: a value per environment and a mask of the environments it applies to.
        info.set_item("reason", PyList::new(py, outcomes.iter().map(|o| o.reason.clone()))?)?;
        info.set_item("_reason", outcomes.iter().map(|o| o.reason.is_some()).collect::<Vec<_>>().into_pyarray(py))?;
        info.set_item("profile_error", PyList::new(py, outcomes.iter().map(|o| o.profile_error.clone()))?)?;
        info.set_item(
            "_profile_error",
            outcomes.iter().map(|o| o.profile_error.is_some()).collect::<Vec<_>>().into_pyarray(py),
        )?;
        Ok((
            to_2d(py, obs, n, d)?,
            outcomes.iter().map(|o| o.reward).collect::<Vec<_>>().into_pyarray(py),
            outcomes.iter().map(|o| o.terminated).collect::<Vec<_>>().into_pyarray(py),
            outcomes.iter().map(|o| o.truncated).collect::<Vec<_>>().into_pyarray(py),
            info,
        ))
    }
}

impl VecEnvCore {
    fn lock(&self) -> PyResult<MutexGuard<'_, Vec<Env>>> {
        crate::convert::lock(&self.envs, "vector environment")
    }
}

fn to_2d(py: Python<'_>, v: Vec<f64>, rows: usize, cols: usize) -> PyResult<Bound<'_, PyArray2<f64>>> {
    let a =
        numpy::ndarray::Array2::from_shape_vec((rows, cols), v).map_err(|e| PyValueError::new_err(e.to_string()))?;
    Ok(a.into_pyarray(py))
}
