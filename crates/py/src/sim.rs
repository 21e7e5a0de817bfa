//! A simulation stepped from Python: ticks, the device's state, gains, the host's torque, resets.

use std::sync::{Arc, Mutex, MutexGuard};

use exo_control::ParamId;
use exo_sim::control::{Controller, Frame, Output};
use exo_sim::scenario::{self as sc, ImportedWearer, LoadedScenario};
use exo_sim::simulation::{ControlLoop, Simulation};
use exo_sim::walk::WalkSimulation;
use numpy::{PyArray1, PyArrayMethods};
use pyo3::exceptions::{PyKeyError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use crate::SimulationError;
use crate::convert::{self, array, snake};

/// The wearer's coordinates at one instant.
pub(crate) struct Coordinates {
    /// Names.
    names: Vec<String>,
    /// Values, rad or m.
    q: Vec<f64>,
    /// Speeds, rad/s or m/s.
    u: Vec<f64>,
    /// The wearer's generalised forces of the last physics step, N m or N.
    force: Vec<f64>,
    /// Whether each is a residual (a free pelvis coordinate) rather than a joint.
    residual: Vec<bool>,
}

/// Either stepper, built from a scenario.
pub(crate) enum Stepper {
    /// The one-legged wearer (`[subject]`).
    OneLegged(Box<Simulation>),
    /// The imported wearer (`[wearer]`).
    Walk(Box<WalkSimulation>),
}

impl Stepper {
    /// Builds `loaded` (`imported`: its wearer, read once and kept for resets). `record`: keep the time series
    /// (off for environments: they need no recorder, and so no end).
    pub(crate) fn build(
        loaded: &LoadedScenario,
        imported: Option<&ImportedWearer>,
        with_device: bool,
        record: bool,
    ) -> Result<Self, sc::ScenarioError> {
        let quiet;
        let l = if record {
            loaded
        } else {
            let mut q = loaded.clone();
            q.scenario.simulation.record_rate_hz = 0.0;
            quiet = q;
            &quiet
        };
        Ok(match imported {
            Some(w) => Stepper::Walk(Box::new(WalkSimulation::new(sc::build_walk(l, w, with_device)?))),
            None => Stepper::OneLegged(Box::new(Simulation::new(sc::build(l, with_device)?))),
        })
    }

    /// One control tick.
    pub(crate) fn tick(&mut self) -> Result<(), String> {
        match self {
            Stepper::OneLegged(s) => s.tick().map_err(|e| e.to_string()),
            Stepper::Walk(s) => s.tick().map_err(|e| e.to_string()),
        }
    }

    /// Its clock and firmware, whichever stepper it is.
    pub(crate) fn control_loop(&self) -> &dyn ControlLoop {
        match self {
            Stepper::OneLegged(s) => s.as_ref(),
            Stepper::Walk(s) => s.as_ref(),
        }
    }

    fn control_loop_mut(&mut self) -> &mut dyn ControlLoop {
        match self {
            Stepper::OneLegged(s) => s.as_mut(),
            Stepper::Walk(s) => s.as_mut(),
        }
    }

    /// Simulated time, s.
    pub(crate) fn time_s(&self) -> f64 {
        self.control_loop().time_s()
    }

    /// Control ticks run.
    pub(crate) fn ticks(&self) -> u64 {
        self.control_loop().ticks()
    }

    /// The sensor frame of the last tick.
    pub(crate) fn frame(&self) -> &Frame {
        self.control_loop().frame()
    }

    /// The firmware's output of the last tick.
    pub(crate) fn output(&self) -> &Output {
        self.control_loop().output()
    }

    /// The firmware.
    pub(crate) fn controller(&self) -> &dyn Controller {
        self.control_loop().controller()
    }

    /// The firmware, to change parameters.
    pub(crate) fn controller_mut(&mut self) -> &mut dyn Controller {
        self.control_loop_mut().controller_mut()
    }

    /// The controlled joints' names.
    pub(crate) fn joint_names(&self) -> Vec<String> {
        let l = self.control_loop();
        (0..l.joint_count()).filter_map(|k| l.joint_name(k).map(str::to_string)).collect()
    }

    /// Each controlled joint's actuator's peak torque at its current limit, N m.
    pub(crate) fn peak_torque_nm(&self) -> Vec<f64> {
        self.control_loop().actuators().iter().map(|a| a.config().peak_torque_nm()).collect()
    }

    /// Sets (or with `None` clears) the host's torque setpoint.
    pub(crate) fn set_host_torque(&mut self, t: Option<&[f64]>) -> Result<(), String> {
        self.control_loop_mut().set_host_torque_nm(t).map_err(|e| e.to_string())
    }

    /// The wearer's coordinates now.
    pub(crate) fn coordinates(&self) -> Coordinates {
        match self {
            Stepper::OneLegged(s) => {
                let w = s.world();
                let names = w.coordinates().iter().map(|c| c.name.clone()).collect();
                let q = (0..w.coordinates().len()).map(|i| w.coordinate_q(i)).collect();
                let u = (0..w.coordinates().len()).map(|i| w.coordinate_qd(i)).collect();
                let n = w.coordinates().len();
                Coordinates { names, q, u, force: s.human_torque_nm().to_vec(), residual: vec![false; n] }
            }
            Stepper::Walk(s) => {
                let b = s.body();
                let sk = b.skeleton();
                let n = sk.coordinates.len();
                let names = sk.coordinates.iter().map(|c| c.name.clone()).collect();
                let residual = (0..n).map(|c| s.wearer().is_residual(c)).collect();
                Coordinates {
                    names,
                    q: (0..n).map(|c| b.q(c)).collect(),
                    u: (0..n).map(|c| b.u(c)).collect(),
                    force: s.wearer_forces().total.clone(),
                    residual,
                }
            }
        }
    }

    /// Sum over the wearer's joints (residuals left out) of the squared torque of the last physics step, (N m)².
    pub(crate) fn effort_nm2(&self) -> f64 {
        match self {
            Stepper::OneLegged(s) => s.human_torque_nm().iter().map(|t| t * t).sum(),
            Stepper::Walk(s) => {
                let f = &s.wearer_forces().total;
                (0..f.len()).filter(|&c| !s.wearer().is_residual(c)).map(|c| f[c] * f[c]).sum()
            }
        }
    }

    /// Sum over the controlled joints of the squared true interaction torque at the cuffs, (N m)² (zero for the
    /// imported wearer, whose device acts rigidly on its coordinates).
    pub(crate) fn interaction_nm2(&self) -> f64 {
        match self {
            Stepper::OneLegged(s) => {
                let r = s.world().readings();
                s.joints().iter().map(|j| r.exo_interaction_nm[j.device_joint].powi(2)).sum()
            }
            Stepper::Walk(_) => 0.0,
        }
    }

    /// The gait phase the device estimates, 0..1, or `None` before it knows one.
    pub(crate) fn gait_phase(&self) -> Option<f64> {
        self.controller().gait_phase()
    }

    /// The recorded time series.
    pub(crate) fn recorder(&self) -> &exo_sim::simulation::Recorder {
        self.control_loop().recorder()
    }

    /// The summary as JSON.
    pub(crate) fn summary_json(&self) -> String {
        let r = match self {
            Stepper::OneLegged(s) => serde_json::to_string(&s.summary()),
            Stepper::Walk(s) => serde_json::to_string(&s.summary()),
        };
        r.unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    }

    /// Every parameter of the law: (name, per joint value or `None`, lowest, highest offered).
    pub(crate) fn parameters(&self) -> Vec<(&'static str, Vec<Option<f64>>, f64, f64)> {
        let c = self.controller();
        let n = c.joints();
        c.parameters()
            .iter()
            .enumerate()
            .filter_map(|(index, info)| {
                let index = u8::try_from(index).ok()?;
                let values = (0..n)
                    .map(|k| u8::try_from(k).ok().and_then(|joint| c.parameter(ParamId { index, joint })))
                    .collect();
                Some((info.name, values, info.min, info.max))
            })
            .collect()
    }

    /// Sets parameter `name` at `joint` (every joint when `None`).
    pub(crate) fn set_parameter(&mut self, name: &str, joint: Option<usize>, value: f64) -> Result<(), String> {
        let c = self.controller_mut();
        let Some(index) = c.parameters().iter().position(|p| p.name == name) else {
            let known: Vec<&str> = c.parameters().iter().map(|p| p.name).collect();
            return Err(format!("the {} law has no parameter {name} (it has: {})", c.name(), known.join(", ")));
        };
        let n = c.joints();
        let index = u8::try_from(index).map_err(|_| "parameter index out of range".to_string())?;
        for k in joint.map_or(0..n, |j| j..j + 1) {
            let Ok(jk) = u8::try_from(k) else { continue };
            if k >= n {
                return Err(format!("joint {k} out of range: the device has {n}"));
            }
            c.set_parameter(ParamId { index, joint: jk }, value).map_err(|e| format!("{name}: {e}"))?;
        }
        Ok(())
    }
}

/// The scenario, its imported wearer (read once), and how it was built: what a reset rebuilds from.
#[derive(Clone)]
pub(crate) struct Recipe {
    /// The scenario.
    pub(crate) loaded: LoadedScenario,
    /// Its imported wearer, read once.
    pub(crate) imported: Option<Arc<ImportedWearer>>,
    /// Built with the device.
    pub(crate) with_device: bool,
    /// Recording.
    pub(crate) record: bool,
}

impl Recipe {
    /// Reads the scenario's wearer (when imported).
    pub(crate) fn new(loaded: &LoadedScenario, with_device: bool, record: bool) -> PyResult<Self> {
        let imported = match loaded.scenario.wearer {
            Some(_) => Some(Arc::new(sc::import_wearer(loaded).map_err(|e| convert::scenario_error(&e))?)),
            None => None,
        };
        Ok(Self { loaded: loaded.clone(), imported, with_device, record })
    }

    /// A fresh stepper; `seed` replaces the scenario's seed (any `u64`: it is set, not parsed).
    pub(crate) fn build(&self, seed: Option<u64>) -> PyResult<Stepper> {
        let seeded;
        let l = match seed {
            Some(s) if s != self.loaded.scenario.simulation.seed => {
                let mut l = self.loaded.clone();
                l.scenario.simulation.seed = s;
                seeded = l;
                &seeded
            }
            _ => &self.loaded,
        };
        Stepper::build(l, self.imported.as_deref(), self.with_device, self.record)
            .map_err(|e| convert::scenario_error(&e))
    }
}

/// The stepper and what a reset needs.
pub(crate) struct SimState {
    pub(crate) stepper: Stepper,
    recipe: Recipe,
    /// Why the simulation stopped, once it failed: it steps no further until reset.
    failed: Option<String>,
}

/// A simulation built from a scenario, stepped tick by tick: `step(n)`, `state()`, `gains()`,
/// `set_gains({...})`, `set_torque([...])`, `reset(seed)`.
#[pyclass(module = "exosim._native")]
pub(crate) struct Sim {
    inner: Mutex<SimState>,
}

impl Sim {
    /// Builds `loaded`.
    pub(crate) fn build(loaded: &LoadedScenario, with_device: bool, record: bool) -> PyResult<Self> {
        let recipe = Recipe::new(loaded, with_device, record)?;
        let stepper = recipe.build(None)?;
        Ok(Self { inner: Mutex::new(SimState { stepper, recipe, failed: None }) })
    }

    fn lock(&self) -> PyResult<MutexGuard<'_, SimState>> {
        convert::lock(&self.inner, "simulation")
    }
}

/// The device's state after the last tick as a dict of numpy arrays and numbers.
pub(crate) fn state_dict<'py>(py: Python<'py>, s: &Stepper) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("time_s", s.time_s())?;
    d.set_item("ticks", s.ticks())?;
    d.set_item("joints", s.joint_names())?;
    let f = s.frame();
    let sensors = PyDict::new(py);
    for (name, v) in f.fields() {
        sensors.set_item(name, array(py, v))?;
    }
    sensors.set_item("foot_contact", numpy::PyArray1::from_iter(py, f.foot_contact.iter().copied()))?;
    sensors.set_item("base_pitch_rad", f.base_pitch_rad)?;
    sensors.set_item("sequence", f.sequence)?;
    d.set_item("sensors", sensors)?;
    let o = s.output();
    let command = PyDict::new(py);
    command.set_item("torque_nm", array(py, &o.torque_nm))?;
    command.set_item("command_torque_nm", array(py, &o.command_torque_nm))?;
    command.set_item("demand_nm", array(py, &o.demand_nm))?;
    d.set_item("command", command)?;
    let sup = PyDict::new(py);
    sup.set_item("state", snake(o.state))?;
    sup.set_item("reason", snake(o.reason))?;
    d.set_item("supervisor", sup)?;
    d.set_item("gait_phase", s.gait_phase())?;
    let Coordinates { names, q, u, force, residual } = s.coordinates();
    let wearer = PyDict::new(py);
    wearer.set_item("coordinates", names)?;
    wearer.set_item("q", array(py, &q))?;
    wearer.set_item("u", array(py, &u))?;
    wearer.set_item("generalized_force", array(py, &force))?;
    wearer.set_item("residual", numpy::PyArray1::from_vec(py, residual))?;
    d.set_item("wearer", wearer)?;
    Ok(d)
}

/// The law's parameters: name to a list with one value per controlled joint (`None` where it does not apply).
pub(crate) fn gains_dict<'py>(py: Python<'py>, s: &Stepper) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    for (name, values, _, _) in s.parameters() {
        d.set_item(name, PyList::new(py, values)?)?;
    }
    Ok(d)
}

/// A list of floats (or a numpy array) as a vector.
pub(crate) fn floats(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Vec<f64>> {
    if let Ok(a) = obj.cast::<PyArray1<f64>>() {
        return Ok(a.readonly().as_slice().map(<[f64]>::to_vec).unwrap_or_else(|_| a.to_vec().unwrap_or_default()));
    }
    obj.extract::<Vec<f64>>().map_err(|_| PyTypeError::new_err(format!("{what}: expected a sequence of numbers")))
}

#[pymethods]
impl Sim {
    /// Runs `ticks` control ticks with the GIL released. Raises `exosim.SimulationError` when the simulation
    /// diverges (naming time and joint) or runs past the scenario's duration (its recorder is sized for it; a
    /// longer run needs a longer `simulation.duration_s`); it then steps no further until `reset`.
    #[pyo3(signature = (ticks = 1))]
    fn step(&self, py: Python<'_>, ticks: u64) -> PyResult<()> {
        let mut g = self.lock()?;
        if let Some(why) = &g.failed {
            return Err(SimulationError::new_err(format!("the simulation failed earlier ({why}): reset it")));
        }
        let s = &mut g.stepper;
        let r = py.detach(|| (0..ticks).try_for_each(|_| s.tick()));
        if let Err(why) = r {
            g.failed = Some(why.clone());
            let err = SimulationError::new_err(why);
            err.value(py).setattr("results", py.None())?;
            return Err(err);
        }
        Ok(())
    }

    /// The state after the last tick: `time_s`, `ticks`, `joints`; `sensors` (the frame the firmware saw, numpy
    /// arrays per joint, and `base_pitch_rad`); `command` (`torque_nm` the supervisor let through,
    /// `command_torque_nm` the law's, `demand_nm`); `supervisor` (`state`, `reason`); `gait_phase` (the device's
    /// estimate, or `None`); `wearer` (`coordinates`, `q`, `u`, `generalized_force`, `residual`).
    fn state<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        state_dict(py, &self.lock()?.stepper)
    }

    /// The law's parameters: a dict of name to a list with one value per controlled joint (`None` where it
    /// does not apply).
    fn gains<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        gains_dict(py, &self.lock()?.stepper)
    }

    /// Sets law parameters live, as the visualiser's sliders do: a dict of name to a number (every joint) or a
    /// sequence with one number per controlled joint. A refused value raises `ValueError` naming it, and the
    /// parameters before it in the dict stay set.
    fn set_gains(&self, gains: &Bound<'_, PyDict>) -> PyResult<()> {
        let mut g = self.lock()?;
        for (k, v) in gains.iter() {
            let name: String = k.extract().map_err(|_| PyTypeError::new_err("gain names must be str"))?;
            if let Ok(x) = v.extract::<f64>() {
                g.stepper.set_parameter(&name, None, x).map_err(convert::value_error)?;
            } else {
                let xs = floats(&v, &name)?;
                let n = g.stepper.joint_names().len();
                if xs.len() != n {
                    return Err(convert::value_error(format!("{name}: {} values for {n} joints", xs.len())));
                }
                for (j, x) in xs.into_iter().enumerate() {
                    g.stepper.set_parameter(&name, Some(j), x).map_err(convert::value_error)?;
                }
            }
        }
        Ok(())
    }

    /// Sets the host's torque setpoint, N m per controlled joint, in place of the scenario's from the next tick
    /// on; `None` gives the scenario's back. The torque law tracks it, the assistance law adds it to its
    /// profile, position laws take it as feedforward.
    fn set_torque(&self, torque_nm: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        let mut g = self.lock()?;
        match torque_nm {
            None => g.stepper.set_host_torque(None),
            Some(t) if t.is_none() => g.stepper.set_host_torque(None),
            Some(t) => {
                let v = floats(t, "torque_nm")?;
                g.stepper.set_host_torque(Some(&v))
            }
        }
        .map_err(convert::value_error)
    }

    /// Rebuilds the simulation from its scenario; `seed` replaces the scenario's (sensor noise, faults).
    #[pyo3(signature = (seed = None))]
    fn reset(&self, seed: Option<u64>) -> PyResult<()> {
        let mut g = self.lock()?;
        g.stepper = g.recipe.build(seed)?;
        g.failed = None;
        Ok(())
    }

    /// The time series recorded so far: a dict of column name to numpy array.
    fn timeseries<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let (names, cols) = convert::recorded(self.lock()?.stepper.recorder());
        convert::columns_dict(py, &names, cols)
    }

    /// The summary of the run so far, as a dict.
    fn summary<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let text = self.lock()?.stepper.summary_json();
        py.import("json")?.call_method1("loads", (text,))
    }

    /// Simulated time, s.
    #[getter]
    fn time_s(&self) -> PyResult<f64> {
        Ok(self.lock()?.stepper.time_s())
    }

    /// Control ticks run.
    #[getter]
    fn ticks(&self) -> PyResult<u64> {
        Ok(self.lock()?.stepper.ticks())
    }

    /// The controlled joints' names.
    #[getter]
    fn joints(&self) -> PyResult<Vec<String>> {
        Ok(self.lock()?.stepper.joint_names())
    }

    /// Each controlled joint's actuator's peak torque at its current limit, N m.
    #[getter]
    fn peak_torque_nm(&self) -> PyResult<Vec<f64>> {
        Ok(self.lock()?.stepper.peak_torque_nm())
    }

    /// The control period, s.
    #[getter]
    fn control_dt_s(&self) -> PyResult<f64> {
        Ok(self.lock()?.recipe.loaded.scenario.simulation.control_dt_s)
    }

    /// The scenario's duration, s.
    #[getter]
    fn duration_s(&self) -> PyResult<f64> {
        Ok(self.lock()?.recipe.loaded.scenario.simulation.duration_s)
    }

    /// The law's name.
    #[getter]
    fn law(&self) -> PyResult<&'static str> {
        Ok(self.lock()?.stepper.controller().name())
    }

    fn __repr__(&self) -> PyResult<String> {
        let g = self.lock()?;
        Ok(format!(
            "<exosim.Sim {} at t = {:.3} s, {} ticks>",
            g.recipe.loaded.scenario.name,
            g.stepper.time_s(),
            g.stepper.ticks()
        ))
    }
}

/// `KeyError` for an unknown name (used by the environments' options).
pub(crate) fn key_error(what: &str, name: &str, known: &[&str]) -> PyErr {
    PyKeyError::new_err(format!("unknown {what} {name:?} (known: {})", known.join(", ")))
}
