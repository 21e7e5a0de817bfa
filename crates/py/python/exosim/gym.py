"""Gymnasium environments on exosim scenarios (``pip install gymnasium``).

``AssistEnv`` is one wearer with the scenario's device; ``AssistVectorEnv`` steps ``num_envs`` of them in Rust
threads per call, with Gymnasium's next-step autoreset.

Observation (float64), per controlled joint in the device's joint order: ``joint_position_rad``,
``joint_velocity_rad_per_s``, ``motor_position_rad``, ``motor_velocity_rad_per_s``, ``joint_torque_nm``,
``interaction_torque_nm``, ``foot_contact`` (0 or 1); then ``base_pitch_rad``, the device's ``gait_phase``
estimate (0..1, 0 while unknown) and ``gait_phase_known`` (0 or 1). It is what the device's sensors give the
firmware (quantised, noisy, late), never the true state.

Action (float64, clipped to the bounds of ``action_space``):

- ``"torque"``: the assistance torque per controlled joint, N m, within each actuator's peak torque; written into
  the frame's torque setpoint, so it runs through the scenario's law (the assistance law's profile is switched off
  and its torque loop tracks the action) and the safety supervisor.
- ``"residual"``: the same, added to the assistance law's own profile (a torque law's torque setpoint is replaced
  by it, as with ``"torque"``; a position law takes it as feedforward).
- ``"profile"``: per joint, the assistance profile's ``peak_torque_nm``, ``peak_time_pct``, ``rise_time_pct`` and
  ``fall_time_pct``, applied from the device's next stride (the assistance law with spline profiles only).

Reward, each term the mean over the step's ticks:

- ``reward="effort"``: ``-(effort_weight * effort_nm2 + interaction_weight * interaction_nm2)``; ``effort_nm2`` sums
  the wearer's squared joint torques (its motor model's, pelvis residuals left out), ``interaction_nm2`` the squared
  true cuff torques (zero for an imported wearer, whose device acts rigidly on its joints).
- ``reward="metabolic"`` (an imported wearer with muscles): ``-(metabolic_weight * metabolic_w + interaction_weight
  * interaction_nm2)``; ``metabolic_w`` is the muscles' metabolic power (Umberger 2010), the wearer's generalised
  forces shared among the 18 muscles by static optimization every ``metabolic_every_ticks`` control ticks and held
  in between: the model ``Scenario.run()`` reports, evaluated as the walk goes.

An episode is truncated at the scenario's duration and terminated by a safe stop of the supervisor or a failed
simulation, with the reason in ``info["reason"]``.
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Tuple, Union

import gymnasium
import numpy as np
from gymnasium import spaces
from gymnasium.vector import AutoresetMode, VectorEnv

from . import _native
from ._native import Scenario

ScenarioLike = Union[Scenario, str]


def _scenario(scenario: ScenarioLike, overrides: Any = None) -> Scenario:
    if isinstance(scenario, Scenario):
        return scenario.with_overrides(overrides) if overrides else scenario
    return _native.load(scenario, overrides)


def _spaces(obs_len: int, bounds: Tuple[list, list]) -> Tuple[spaces.Box, spaces.Box]:
    low, high = (np.asarray(b, dtype=np.float64) for b in bounds)
    observation = spaces.Box(-np.inf, np.inf, shape=(obs_len,), dtype=np.float64)
    return observation, spaces.Box(low, high, dtype=np.float64)


class AssistEnv(gymnasium.Env):
    """One wearer and the scenario's device.

    Args:
        scenario: a loaded scenario, a scenario file, or a shipped scenario's name.
        action: ``"torque"``, ``"residual"`` or ``"profile"`` (see the module).
        ticks_per_step: control ticks per step (1: the device's control rate, 1 kHz in the shipped scenarios).
        reward: ``"effort"`` or ``"metabolic"`` (see the module).
        effort_weight: reward weight of the wearer's effort, per (N m)².
        interaction_weight: reward weight of the cuffs' load, per (N m)².
        metabolic_weight: reward weight of the muscles' metabolic power, per W.
        metabolic_every_ticks: control ticks between two evaluations of the muscles.
        overrides: scenario overrides applied first (``{"simulation.duration_s": 4.0}``).
    """

    metadata = {"render_modes": []}

    def __init__(
        self,
        scenario: ScenarioLike = _native.DEFAULT_SCENARIO,
        action: str = "torque",
        ticks_per_step: int = 1,
        reward: str = "effort",
        effort_weight: float = 1e-4,
        interaction_weight: float = 1e-2,
        metabolic_weight: float = 1e-2,
        metabolic_every_ticks: int = 10,
        overrides: Any = None,
    ) -> None:
        self.scenario = _scenario(scenario, overrides)
        self._core = _native.EnvCore(
            self.scenario,
            action,
            ticks_per_step,
            reward,
            effort_weight,
            interaction_weight,
            metabolic_weight,
            metabolic_every_ticks,
        )
        self.observation_space, self.action_space = _spaces(self._core.obs_len, self._core.action_bounds())
        self.joints = self._core.joints
        self.step_s = self._core.step_s

    def reset(
        self, *, seed: Optional[int] = None, options: Optional[Dict[str, Any]] = None
    ) -> Tuple[np.ndarray, Dict[str, Any]]:
        super().reset(seed=seed)
        if options:
            raise ValueError(f"AssistEnv.reset takes no options, got {sorted(options)}")
        return self._core.reset(seed), {}

    def step(self, action: np.ndarray) -> Tuple[np.ndarray, float, bool, bool, Dict[str, Any]]:
        return self._core.step(np.asarray(action, dtype=np.float64))

    def state(self) -> Dict[str, Any]:
        """The device's state now (as ``exosim.Sim.state()``)."""
        return self._core.state()

    def gains(self) -> Dict[str, Any]:
        """The law's parameters now (as ``exosim.Sim.gains()``)."""
        return self._core.gains()


class AssistVectorEnv(VectorEnv):
    """``num_envs`` wearers stepped together in Rust threads (``jobs``; ``None``: one per core) with the GIL
    released, and next-step autoreset: the step after an episode ends resets that environment (its action ignored,
    reward 0, ``info["reason"]`` None). Environment ``i`` of ``reset(seed=s)`` starts from seed ``s + i``; results
    do not depend on ``jobs``. Other arguments as ``AssistEnv``."""

    metadata = {"render_modes": [], "autoreset_mode": AutoresetMode.NEXT_STEP}

    def __init__(
        self,
        scenario: ScenarioLike = _native.DEFAULT_SCENARIO,
        num_envs: int = 8,
        action: str = "torque",
        ticks_per_step: int = 1,
        reward: str = "effort",
        effort_weight: float = 1e-4,
        interaction_weight: float = 1e-2,
        metabolic_weight: float = 1e-2,
        metabolic_every_ticks: int = 10,
        jobs: Optional[int] = None,
        overrides: Any = None,
    ) -> None:
        self.scenario = _scenario(scenario, overrides)
        self._core = _native.VecEnvCore(
            self.scenario,
            num_envs,
            action,
            ticks_per_step,
            reward,
            effort_weight,
            interaction_weight,
            metabolic_weight,
            metabolic_every_ticks,
            jobs,
        )
        self.num_envs = num_envs
        self.single_observation_space, self.single_action_space = _spaces(
            self._core.obs_len, self._core.action_bounds()
        )
        self.observation_space = gymnasium.vector.utils.batch_space(self.single_observation_space, num_envs)
        self.action_space = gymnasium.vector.utils.batch_space(self.single_action_space, num_envs)

    def reset(
        self, *, seed: Optional[int] = None, options: Optional[Dict[str, Any]] = None
    ) -> Tuple[np.ndarray, Dict[str, Any]]:
        if isinstance(seed, (list, tuple)):
            raise ValueError("AssistVectorEnv.reset takes one seed (environment i starts from seed + i)")
        if options:
            raise ValueError(f"AssistVectorEnv.reset takes no options, got {sorted(options)}")
        if seed is not None:
            self._np_random, self._np_random_seed = gymnasium.utils.seeding.np_random(seed)
        return self._core.reset(seed), {}

    def step(
        self, actions: np.ndarray
    ) -> Tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, Dict[str, Any]]:
        return self._core.step(np.ascontiguousarray(actions, dtype=np.float64))
