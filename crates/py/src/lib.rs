//! exosim from Python: the extension module `exosim._native`, thin over exo-sim's types.
//!
//! The Python package `exosim` (`python/exosim`) re-exports what is here and adds the Gymnasium classes. Nothing
//! here models anything: scenarios load, build and run through `exo_sim::scenario` exactly as the program runs
//! them, and the environments read the device's sensor frame the firmware reads.

use pyo3::prelude::*;

mod convert;
mod env;
mod scenario;
mod sim;

pyo3::create_exception!(
    _native,
    ScenarioError,
    pyo3::exceptions::PyValueError,
    "A scenario, an override or an asset it names is wrong; the message names file, line and field."
);
pyo3::create_exception!(
    _native,
    SimulationError,
    pyo3::exceptions::PyRuntimeError,
    "A simulation failed (diverged, an actuator failed); the message names the time and the joint. A run's results \
     up to the failure are in the exception's `results` attribute when there are any."
);

/// The extension module.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("ScenarioError", py.get_type::<ScenarioError>())?;
    m.add("SimulationError", py.get_type::<SimulationError>())?;
    m.add_class::<scenario::Scenario>()?;
    m.add_class::<scenario::Results>()?;
    m.add_class::<sim::Sim>()?;
    m.add_class::<env::EnvCore>()?;
    m.add_class::<env::VecEnvCore>()?;
    m.add_function(wrap_pyfunction!(scenario::load, m)?)?;
    m.add_function(wrap_pyfunction!(scenario::list, m)?)?;
    m.add_function(wrap_pyfunction!(scenario::scenarios_dir, m)?)?;
    m.add_function(wrap_pyfunction!(scenario::sweep, m)?)?;
    m.add("DEFAULT_SCENARIO", scenario::DEFAULT_SCENARIO)?;
    Ok(())
}
