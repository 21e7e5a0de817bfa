//! Python values to scenario overrides, Rust errors to Python exceptions, tables to numpy arrays.

use numpy::{IntoPyArray, PyArray1};
use pyo3::exceptions::{PyKeyboardInterrupt, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};

use crate::ScenarioError;

/// `overrides` as the program's `--set` strings: a dict of field path to value (`{"simulation.seed": 3}`), or a
/// sequence of `"path=value"` strings; `None` is none.
pub(crate) fn overrides(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<String>> {
    let Some(obj) = obj else { return Ok(Vec::new()) };
    if obj.is_none() {
        return Ok(Vec::new());
    }
    if let Ok(d) = obj.cast::<PyDict>() {
        let mut out = Vec::with_capacity(d.len());
        for (k, v) in d.iter() {
            let key: String =
                k.extract().map_err(|_| PyTypeError::new_err("override keys must be field paths (str)"))?;
            let value = toml_value(&v).map_err(|e| PyTypeError::new_err(format!("override {key}: {e}")))?;
            out.push(format!("{key}={value}"));
        }
        return Ok(out);
    }
    if obj.is_instance_of::<PyString>() {
        return Ok(vec![obj.extract()?]);
    }
    let items: Vec<String> = obj.extract().map_err(|_| {
        PyTypeError::new_err("overrides must be a dict {field path: value} or a list of \"path=value\" strings")
    })?;
    Ok(items)
}

/// A Python value as TOML (bool, int, float, str, list or tuple of them, dict of them).
fn toml_value(v: &Bound<'_, PyAny>) -> Result<toml::Value, String> {
    if v.is_instance_of::<PyBool>() {
        return Ok(toml::Value::Boolean(v.extract().map_err(|e: PyErr| e.to_string())?));
    }
    if v.is_instance_of::<PyInt>() {
        return Ok(toml::Value::Integer(v.extract().map_err(|e: PyErr| e.to_string())?));
    }
    if v.is_instance_of::<PyFloat>() {
        return Ok(toml::Value::Float(v.extract().map_err(|e: PyErr| e.to_string())?));
    }
    if let Ok(s) = v.cast::<PyString>() {
        return Ok(toml::Value::String(s.to_string()));
    }
    if v.is_instance_of::<PyList>() || v.is_instance_of::<PyTuple>() {
        let items: Vec<Bound<'_, PyAny>> = v.extract().map_err(|e: PyErr| e.to_string())?;
        return items.iter().map(toml_value).collect::<Result<Vec<_>, _>>().map(toml::Value::Array);
    }
    if let Ok(d) = v.cast::<PyDict>() {
        let mut t = toml::Table::new();
        for (k, x) in d.iter() {
            t.insert(k.extract().map_err(|e: PyErr| e.to_string())?, toml_value(&x)?);
        }
        return Ok(toml::Value::Table(t));
    }
    // A numpy scalar and the like: try a float.
    v.extract::<f64>().map(toml::Value::Float).map_err(|_| {
        let ty = v.get_type().name().map_or_else(|_| "?".to_string(), |n| n.to_string());
        format!("cannot write a {ty} as a scenario value (bool, int, float, str, list or dict)")
    })
}

/// A scenario error as `exosim.ScenarioError`, its message the program's.
pub(crate) fn scenario_error(e: &exo_sim::scenario::ScenarioError) -> PyErr {
    ScenarioError::new_err(e.to_string())
}

/// A bad value given from Python (`ValueError`).
pub(crate) fn value_error(e: impl std::fmt::Display) -> PyErr {
    PyValueError::new_err(e.to_string())
}

/// A named table of columns, each a numpy array.
pub(crate) fn columns_dict<'py>(
    py: Python<'py>,
    names: &[String],
    columns: Vec<Vec<f64>>,
) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    for (n, c) in names.iter().zip(columns) {
        d.set_item(n, c.into_pyarray(py))?;
    }
    Ok(d)
}

/// Locks `m` without waiting: an object that another Python thread is stepping (with the GIL released) answers
/// "busy" rather than deadlock, which waiting while holding the GIL would.
pub(crate) fn lock<'a, T>(m: &'a std::sync::Mutex<T>, what: &str) -> PyResult<std::sync::MutexGuard<'a, T>> {
    match m.try_lock() {
        Ok(g) => Ok(g),
        Err(std::sync::TryLockError::WouldBlock) => Err(pyo3::exceptions::PyRuntimeError::new_err(format!(
            "the {what} is busy: another thread is using it (use one {what} per thread)"
        ))),
        Err(std::sync::TryLockError::Poisoned(_)) => {
            Err(pyo3::exceptions::PyRuntimeError::new_err(format!("the {what} was poisoned by an earlier failure")))
        }
    }
}

/// A recorder's columns: their names and values (column-major), as `timeseries.csv` names them.
pub(crate) fn recorded(rec: &exo_sim::simulation::Recorder) -> (Vec<String>, Vec<Vec<f64>>) {
    let names = rec.channels().iter().map(|c| c.name.clone()).collect();
    (names, (0..rec.channels().len()).map(|c| rec.column(c).collect()).collect())
}

/// A vector as a numpy array.
pub(crate) fn array<'py>(py: Python<'py>, v: &[f64]) -> Bound<'py, PyArray1<f64>> {
    PyArray1::from_slice(py, v)
}

/// A `Debug` name (`SafeStop`) in snake case (`safe_stop`).
pub(crate) fn snake(debug: impl std::fmt::Debug) -> String {
    let text = format!("{debug:?}");
    let mut out = String::with_capacity(text.len() + 4);
    for (i, ch) in text.chars().enumerate() {
        if ch.is_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.extend(ch.to_lowercase());
        } else {
            out.push(ch);
        }
    }
    out
}

/// Interrupt checks for long runs with the GIL released: every `every` polls, takes the GIL and asks Python
/// whether a signal (Ctrl-C) arrived; once one has, every later poll says stop.
pub(crate) struct Interrupt {
    every: u32,
    polls: std::cell::Cell<u32>,
    hit: std::cell::Cell<bool>,
}

impl Interrupt {
    /// Checks every `every` polls.
    pub(crate) fn new(every: u32) -> Self {
        Self { every, polls: 0.into(), hit: false.into() }
    }

    /// True when the run should stop.
    pub(crate) fn poll(&self) -> bool {
        if self.hit.get() {
            return true;
        }
        let n = self.polls.get().wrapping_add(1);
        self.polls.set(n);
        if n.is_multiple_of(self.every) && Python::attach(|py| py.check_signals().is_err()) {
            self.hit.set(true);
        }
        self.hit.get()
    }

    /// True when a signal stopped the run.
    pub(crate) fn hit(&self) -> bool {
        self.hit.get()
    }

    /// The exception for an interrupted run.
    pub(crate) fn error() -> PyErr {
        PyKeyboardInterrupt::new_err("interrupted: the run stopped before its end")
    }
}
