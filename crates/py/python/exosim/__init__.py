"""exosim from Python: exoskeleton scenarios, simulations and Gymnasium environments.

Thin over the Rust simulator: scenarios load, build and run exactly as ``exosim run`` runs them.

    >>> import exosim
    >>> sc = exosim.load("walking-assist", overrides={"simulation.duration_s": 2.0})
    >>> results = sc.run()
    >>> results.summary["scenario"]
    'walking-assist'

``exosim.gym`` holds the Gymnasium environments (``pip install gymnasium``).
"""

from ._native import (
    DEFAULT_SCENARIO,
    Results,
    Scenario,
    ScenarioError,
    Sim,
    SimulationError,
    list,
    load,
    scenarios_dir,
    sweep,
)

# `list` is left out of `__all__` so that `from exosim import *` does not hide the builtin; `exosim.list()` works.
__all__ = [
    "DEFAULT_SCENARIO",
    "Results",
    "Scenario",
    "ScenarioError",
    "Sim",
    "SimulationError",
    "load",
    "scenarios_dir",
    "sweep",
]
