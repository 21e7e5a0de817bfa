//! Scenarios: loading with overrides, the shipped list, running to results, sweeps in Rust threads.

use std::path::{Path, PathBuf};

use exo_sim::scenario::{self as sc, LoadedScenario, RunControl};
use exo_sim::simulation::Recorder;
use pyo3::exceptions::{PyFileNotFoundError, PyKeyError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::SimulationError;
use crate::convert::{self, Interrupt};
use crate::sim::Sim;

/// The program's default scenario (what `exosim` alone runs).
pub(crate) const DEFAULT_SCENARIO: &str = "opensim-walk-hip-exo";

/// The checkout this module was built from (`pip install ./crates/py` builds in place): its `scenarios` and
/// `assets` folders are the shipped ones.
const CHECKOUT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

/// The shipped scenarios' folder: `EXOSIM_SCENARIOS`, else the program's search (working directory, beside the
/// program), else the checkout the module was built from.
fn shipped_scenarios() -> PyResult<PathBuf> {
    if let Ok(d) = std::env::var("EXOSIM_SCENARIOS") {
        let d = PathBuf::from(d);
        return if d.is_dir() {
            Ok(d)
        } else {
            Err(PyFileNotFoundError::new_err(format!("EXOSIM_SCENARIOS={}: no such folder", d.display())))
        };
    }
    let checkout = Path::new(CHECKOUT).join("scenarios");
    let checkout = std::fs::canonicalize(&checkout).unwrap_or(checkout);
    sc::program_dirs("scenarios")
        .into_iter()
        .chain([checkout])
        .find(|d| d.join(format!("{DEFAULT_SCENARIO}.toml")).is_file())
        .ok_or_else(|| {
            PyFileNotFoundError::new_err(format!(
                "no shipped `scenarios` folder: the checkout this module was built from ({CHECKOUT}) has moved; \
                 set EXOSIM_SCENARIOS to a checkout's scenarios folder"
            ))
        })
}

/// The folder of the shipped scenarios.
#[pyfunction]
pub(crate) fn scenarios_dir() -> PyResult<String> {
    Ok(shipped_scenarios()?.display().to_string())
}

/// The shipped scenarios' names, sorted (load one with `exosim.load(name)`).
#[pyfunction]
pub(crate) fn list() -> PyResult<Vec<String>> {
    let dir = shipped_scenarios()?;
    let entries =
        std::fs::read_dir(&dir).map_err(|e| PyFileNotFoundError::new_err(format!("{}: {e}", dir.display())))?;
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .collect();
    names.sort();
    Ok(names)
}

/// Loads a scenario file, or a shipped scenario by name (`"walking-assist"`), with overrides: a dict of field
/// paths to values (`{"simulation.duration_s": 2.0}`) or `"path=value"` strings, as the program's `--set`.
///
/// Raises `exosim.ScenarioError` naming file, line and field for anything wrong.
#[pyfunction]
#[pyo3(signature = (path, overrides = None))]
pub(crate) fn load(path: PathBuf, overrides: Option<&Bound<'_, PyAny>>) -> PyResult<Scenario> {
    let set = convert::overrides(overrides)?;
    let file = if !path.exists() && path.extension().is_none() && path.components().count() == 1 {
        let shipped = shipped_scenarios()?.join(path.with_extension("toml"));
        if !shipped.is_file() {
            let known = list()?.join(", ");
            return Err(PyFileNotFoundError::new_err(format!(
                "{}: no such file, and no shipped scenario of that name (shipped: {known})",
                path.display()
            )));
        }
        shipped
    } else {
        path
    };
    let loaded = sc::load(&file, &set).map_err(|e| convert::scenario_error(&e))?;
    Ok(Scenario { loaded })
}

/// A loaded, checked scenario. Immutable: `with_overrides` gives a changed copy.
#[pyclass(module = "exosim._native", frozen)]
pub(crate) struct Scenario {
    pub(crate) loaded: LoadedScenario,
}

#[pymethods]
impl Scenario {
    /// The scenario's name.
    #[getter]
    fn name(&self) -> String {
        self.loaded.scenario.name.clone()
    }

    /// The file it was read from.
    #[getter]
    fn path(&self) -> String {
        self.loaded.path.display().to_string()
    }

    /// Its description.
    #[getter]
    fn description(&self) -> String {
        self.loaded.scenario.description.clone()
    }

    /// Simulated duration, s.
    #[getter]
    fn duration_s(&self) -> f64 {
        self.loaded.scenario.simulation.duration_s
    }

    /// The control period, s.
    #[getter]
    fn control_dt_s(&self) -> f64 {
        self.loaded.scenario.simulation.control_dt_s
    }

    /// True when the wearer is imported from OpenSim (`[wearer]`), false for the one-legged wearer.
    #[getter]
    fn imported_wearer(&self) -> bool {
        self.loaded.scenario.wearer.is_some()
    }

    /// The overrides it was loaded with, as `"path=value"` strings.
    #[getter]
    fn overrides(&self) -> Vec<String> {
        self.loaded.overrides().to_vec()
    }

    /// The scenario as TOML, defaults filled in (what `exosim resolve` prints).
    fn to_toml(&self) -> PyResult<String> {
        self.loaded.scenario.to_toml().map_err(convert::value_error)
    }

    /// The same file with more overrides after its own, checked again.
    fn with_overrides(&self, overrides: &Bound<'_, PyAny>) -> PyResult<Scenario> {
        let more = convert::overrides(Some(overrides))?;
        let loaded = self.loaded.with_overrides(&more).map_err(|e| convert::scenario_error(&e))?;
        Ok(Scenario { loaded })
    }

    /// Runs the scenario to its end as `exosim run` does (its baseline without the device when it compares, the
    /// muscles' metabolic cost for an imported wearer), with the GIL released. Ctrl-C stops it
    /// (`KeyboardInterrupt`); a failed run raises `exosim.SimulationError` with the results up to the failure in
    /// its `results` attribute.
    fn run(&self, py: Python<'_>) -> PyResult<Results> {
        let loaded = &self.loaded;
        let out = py.detach(|| {
            // The run polls between stretches of ticks (about a hundred times a run): look at every poll.
            let interrupt = Interrupt::new(1);
            let r = run_loaded(loaded, &|| interrupt.poll());
            (r, interrupt.hit())
        });
        match out {
            (_, true) => Err(Interrupt::error()),
            (Ok(Some(results)), false) => results.into_result(py),
            (Ok(None), false) => Err(Interrupt::error()),
            (Err(e), false) => Err(convert::scenario_error(&e)),
        }
    }

    /// A simulation built from the scenario, to step tick by tick (`with_device=False`: the same wearer without
    /// the device).
    #[pyo3(signature = (with_device = true))]
    fn build(&self, with_device: bool) -> PyResult<Sim> {
        Sim::build(&self.loaded, with_device, true)
    }

    fn __repr__(&self) -> String {
        format!("<exosim.Scenario {} ({})>", self.loaded.scenario.name, self.loaded.path.display())
    }
}

/// What a run gives: the recorded time series, the summary, the muscles' analysis row by row when there is one.
#[pyclass(module = "exosim._native", frozen)]
pub(crate) struct Results {
    names: Vec<String>,
    units: Vec<String>,
    columns: Vec<Vec<f64>>,
    summary_json: String,
    muscles: Option<(Vec<String>, Vec<Vec<f64>>)>,
    failure: Option<String>,
}

impl Results {
    fn new(rec: &Recorder, summary_json: String, failure: Option<String>) -> Self {
        let (names, columns) = convert::recorded(rec);
        let units = rec.channels().iter().map(|c| c.unit.to_string()).collect();
        Self { names, units, columns, summary_json, muscles: None, failure }
    }

    /// Finished: the results; failed: `exosim.SimulationError` carrying them.
    fn into_result(self, py: Python<'_>) -> PyResult<Results> {
        let Some(why) = self.failure.clone() else { return Ok(self) };
        let err = SimulationError::new_err(why);
        err.value(py).setattr("results", Py::new(py, self)?)?;
        Err(err)
    }
}

#[pymethods]
impl Results {
    /// The time series' column names, as in `timeseries.csv`.
    #[getter]
    fn columns(&self) -> Vec<String> {
        self.names.clone()
    }

    /// Each column's unit, same order.
    #[getter]
    fn units(&self) -> Vec<String> {
        self.units.clone()
    }

    /// One column as a numpy array.
    fn column<'py>(&self, py: Python<'py>, name: &str) -> PyResult<Bound<'py, numpy::PyArray1<f64>>> {
        let i = self.names.iter().position(|n| n == name).ok_or_else(|| {
            PyKeyError::new_err(format!("no column {name}; the columns are: {}", self.names.join(", ")))
        })?;
        Ok(convert::array(py, &self.columns[i]))
    }

    /// Every column: a dict of name to numpy array.
    #[getter]
    fn timeseries<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        convert::columns_dict(py, &self.names, self.columns.clone())
    }

    /// The muscles row by row as `muscles.csv` holds them (`<muscle>_activation`, `_force_n`, `_metabolic_w`,
    /// `metabolic_power_w`, `<coordinate>_reserve_nm`), when the scenario has muscles; else `None`.
    #[getter]
    fn muscles<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDict>>> {
        self.muscles.as_ref().map(|(n, c)| convert::columns_dict(py, n, c.clone())).transpose()
    }

    /// The summary (what `summary.json` holds) as a dict.
    #[getter]
    fn summary<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        py.import("json")?.call_method1("loads", (&self.summary_json,))
    }

    /// The summary as JSON text.
    #[getter]
    fn summary_json(&self) -> String {
        self.summary_json.clone()
    }

    /// Why the run ended early, or `None`.
    #[getter]
    fn failure(&self) -> Option<String> {
        self.failure.clone()
    }

    /// The time series as a pandas DataFrame (pandas must be installed), indexed by row.
    fn to_pandas<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let pandas = py
            .import("pandas")
            .map_err(|_| pyo3::exceptions::PyImportError::new_err("to_pandas needs pandas: pip install pandas"))?;
        pandas.call_method1("DataFrame", (self.timeseries(py)?,))
    }

    fn __len__(&self) -> usize {
        self.columns.first().map_or(0, Vec::len)
    }

    fn __repr__(&self) -> String {
        format!(
            "<exosim.Results {} rows x {} columns{}>",
            self.__len__(),
            self.names.len(),
            match &self.failure {
                Some(_) => ", failed",
                None => "",
            }
        )
    }
}

/// Runs `loaded` as the program does; `None` when `stop` stopped it.
fn run_loaded(loaded: &LoadedScenario, stop: &dyn Fn() -> bool) -> Result<Option<Results>, sc::ScenarioError> {
    let mut progress = |_: &str, _: f64| {};
    let mut control = RunControl { progress: &mut progress, stop };
    let json = |s: Result<String, serde_json::Error>| s.unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    if loaded.scenario.wearer.is_some() {
        let Some(run) = sc::run_walk(loaded, &mut control)? else { return Ok(None) };
        let mut r = Results::new(run.sim.recorder(), json(serde_json::to_string(&run.summary)), run.problem);
        r.muscles = run.muscles.as_ref().map(|(m, _)| m.columns(run.sim.body().skeleton()));
        Ok(Some(r))
    } else {
        let Some(run) = sc::run_one_legged(loaded, false, &mut control)? else { return Ok(None) };
        Ok(Some(Results::new(run.sim.recorder(), json(serde_json::to_string(&run.summary)), run.failure)))
    }
}

/// Runs `scenario` once per point, each point a dict of overrides (or `"path=value"` strings) applied after the
/// scenario's own, in `jobs` Rust threads with the GIL released (`None`: one per core). Results come back in the
/// points' order, identical whatever `jobs` is. A point whose overrides are wrong raises `exosim.ScenarioError`
/// before anything runs; a point whose run fails gives its partial results with `failure` set.
#[pyfunction]
#[pyo3(signature = (scenario, points, jobs = None))]
pub(crate) fn sweep(
    py: Python<'_>,
    scenario: &Scenario,
    points: Vec<Bound<'_, PyAny>>,
    jobs: Option<usize>,
) -> PyResult<Vec<Results>> {
    let mut loaded = Vec::with_capacity(points.len());
    for (i, p) in points.iter().enumerate() {
        let more = convert::overrides(Some(p))?;
        let l = scenario
            .loaded
            .with_overrides(&more)
            .map_err(|e| crate::ScenarioError::new_err(format!("point {i}: {e}")))?;
        loaded.push(l);
    }
    if jobs == Some(0) {
        return Err(PyValueError::new_err("jobs must be at least 1 (or None for one per core)"));
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs.unwrap_or(0))
        .build()
        .map_err(|e| PyValueError::new_err(format!("cannot start {jobs:?} threads: {e}")))?;
    use std::sync::atomic::{AtomicBool, Ordering};
    let (stop, done) = (AtomicBool::new(false), AtomicBool::new(false));
    // The points run on the pool while this (the main) thread watches for Ctrl-C: Python sees signals on its main
    // thread only.
    let out = py.detach(|| {
        std::thread::scope(|scope| {
            let work = scope.spawn(|| {
                use rayon::prelude::*;
                let r = pool.install(|| {
                    loaded.par_iter().map(|l| run_loaded(l, &|| stop.load(Ordering::Relaxed))).collect::<Vec<_>>()
                });
                done.store(true, Ordering::Release);
                r
            });
            // `is_finished` also ends the watch when a worker panicked (the pool re-raises it on this thread).
            while !done.load(Ordering::Acquire) && !work.is_finished() {
                std::thread::sleep(std::time::Duration::from_millis(20));
                if Python::attach(|py| py.check_signals().is_err()) {
                    stop.store(true, Ordering::Relaxed);
                }
            }
            work.join()
        })
    });
    let Ok(out) = out else {
        return Err(SimulationError::new_err("a sweep's worker thread panicked (a bug: please report it)"));
    };
    let mut results = Vec::with_capacity(out.len());
    for (i, r) in out.into_iter().enumerate() {
        match r {
            Ok(Some(r)) => results.push(r),
            Ok(None) => return Err(Interrupt::error()),
            Err(e) => return Err(crate::ScenarioError::new_err(format!("point {i}: {e}"))),
        }
    }
    Ok(results)
}
