"""Type stubs of the extension module (the Rust side of the `exosim` package)."""

from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union, final

import os

import numpy as np
import numpy.typing as npt

_Overrides = Union[Mapping[str, Any], Sequence[str], None]
_Array = npt.NDArray[np.float64]

__all__ = [
    "ScenarioError",
    "SimulationError",
    "Scenario",
    "Results",
    "Sim",
    "EnvCore",
    "VecEnvCore",
    "load",
    "list",
    "scenarios_dir",
    "sweep",
    "DEFAULT_SCENARIO",
]

DEFAULT_SCENARIO: str

class ScenarioError(ValueError):
    """A scenario, an override or an asset it names is wrong; the message names file, line and field."""

class SimulationError(RuntimeError):
    """A simulation failed (diverged, an actuator failed); the message names the time and the joint.

    ``results`` holds a run's results up to the failure, when there are any."""

    results: Optional["Results"]

def load(path: Union[str, "os.PathLike[str]"], overrides: _Overrides = None) -> "Scenario":
    """Loads a scenario file, or a shipped scenario by name, with overrides (a dict of field paths to values, or
    ``"path=value"`` strings as the program's ``--set``)."""

def list() -> List[str]:
    """The shipped scenarios' names, sorted."""

def scenarios_dir() -> str:
    """The folder of the shipped scenarios."""

def sweep(scenario: "Scenario", points: Sequence[_Overrides], jobs: Optional[int] = None) -> List["Results"]:
    """Runs ``scenario`` once per point (overrides each) in ``jobs`` Rust threads with the GIL released; results in
    the points' order, identical whatever ``jobs`` is."""

@final
class Scenario:
    """A loaded, checked scenario."""

    @property
    def name(self) -> str: ...
    @property
    def path(self) -> str: ...
    @property
    def description(self) -> str: ...
    @property
    def duration_s(self) -> float: ...
    @property
    def control_dt_s(self) -> float: ...
    @property
    def imported_wearer(self) -> bool: ...
    @property
    def overrides(self) -> List[str]: ...
    def to_toml(self) -> str:
        """The scenario as TOML, defaults filled in."""
    def with_overrides(self, overrides: _Overrides) -> "Scenario":
        """The same file with more overrides, checked again."""
    def run(self) -> "Results":
        """Runs to the end as ``exosim run`` does (baseline, metabolic cost); raises SimulationError on a failure."""
    def build(self, with_device: bool = True) -> "Sim":
        """A simulation to step tick by tick."""

@final
class Results:
    """A run's time series, summary and muscles' analysis."""

    @property
    def columns(self) -> List[str]: ...
    @property
    def units(self) -> List[str]: ...
    @property
    def timeseries(self) -> Dict[str, _Array]: ...
    @property
    def muscles(self) -> Optional[Dict[str, _Array]]: ...
    @property
    def summary(self) -> Dict[str, Any]: ...
    @property
    def summary_json(self) -> str: ...
    @property
    def failure(self) -> Optional[str]: ...
    def column(self, name: str) -> _Array: ...
    def to_pandas(self) -> Any:
        """The time series as a pandas DataFrame."""
    def __len__(self) -> int: ...

@final
class Sim:
    """A simulation stepped from Python."""

    @property
    def time_s(self) -> float: ...
    @property
    def ticks(self) -> int: ...
    @property
    def joints(self) -> List[str]: ...
    @property
    def peak_torque_nm(self) -> List[float]: ...
    @property
    def control_dt_s(self) -> float: ...
    @property
    def duration_s(self) -> float: ...
    @property
    def law(self) -> str: ...
    def step(self, ticks: int = 1) -> None:
        """Runs control ticks; raises SimulationError (time and joint) on a divergence."""
    def state(self) -> Dict[str, Any]:
        """time_s, ticks, joints, sensors, command, supervisor, gait_phase, wearer."""
    def gains(self) -> Dict[str, List[Optional[float]]]: ...
    def set_gains(self, gains: Dict[str, Union[float, Sequence[float]]]) -> None: ...
    def set_torque(self, torque_nm: Optional[Union[Sequence[float], _Array]]) -> None:
        """The host's torque setpoint per controlled joint, N m (None: the scenario's)."""
    def reset(self, seed: Optional[int] = None) -> None: ...
    def timeseries(self) -> Dict[str, _Array]: ...
    def summary(self) -> Dict[str, Any]: ...

@final
class EnvCore:
    """One environment's core; ``exosim.gym.AssistEnv`` wraps it."""

    def __new__(
        cls,
        scenario: Scenario,
        action: str = "torque",
        ticks_per_step: int = 1,
        reward: str = "effort",
        effort_weight: float = 1e-4,
        interaction_weight: float = 1e-2,
        metabolic_weight: float = 1e-2,
        metabolic_every_ticks: int = 10,
    ) -> "EnvCore": ...
    @property
    def obs_len(self) -> int: ...
    @property
    def joints(self) -> List[str]: ...
    @property
    def step_s(self) -> float: ...
    def action_bounds(self) -> Tuple[List[float], List[float]]: ...
    def reset(self, seed: Optional[int] = None) -> _Array: ...
    def step(self, action: Union[Sequence[float], _Array]) -> Tuple[_Array, float, bool, bool, Dict[str, Any]]: ...
    def state(self) -> Dict[str, Any]: ...
    def gains(self) -> Dict[str, List[Optional[float]]]: ...

@final
class VecEnvCore:
    """``n`` environments stepped in Rust threads; ``exosim.gym.AssistVectorEnv`` wraps it."""

    def __new__(
        cls,
        scenario: Scenario,
        n: int,
        action: str = "torque",
        ticks_per_step: int = 1,
        reward: str = "effort",
        effort_weight: float = 1e-4,
        interaction_weight: float = 1e-2,
        metabolic_weight: float = 1e-2,
        metabolic_every_ticks: int = 10,
        jobs: Optional[int] = None,
    ) -> "VecEnvCore": ...
    @property
    def num_envs(self) -> int: ...
    @property
    def obs_len(self) -> int: ...
    @property
    def action_len(self) -> int: ...
    def action_bounds(self) -> Tuple[List[float], List[float]]: ...
    def reset(self, seed: Optional[int] = None) -> _Array: ...
    def step(
        self, actions: _Array
    ) -> Tuple[_Array, _Array, npt.NDArray[np.bool_], npt.NDArray[np.bool_], Dict[str, Any]]: ...
