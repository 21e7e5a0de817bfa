"""Environment steps per second from Python (a benchmark script, not a test).

    python crates/py/bench/env_steps.py [--seconds 3]

For each scenario: the simulation alone (`Sim.step(n)`, one call, no Python per tick), one `AssistEnv` stepped at
the control rate (1 kHz, one tick per step) and the vector env of 64 on 1 and 2 threads; the Python overhead per
step is the single env's time per step minus the simulation's per tick.
"""

import argparse
import os
import platform
import time

import numpy as np

import exosim
from exosim.gym import AssistEnv, AssistVectorEnv

parser = argparse.ArgumentParser()
parser.add_argument("--seconds", type=float, default=3.0, help="wall time per measurement")
parser.add_argument("--scenarios", nargs="*", default=["walking-assist", "opensim-walk-hip-exo"])
args = parser.parse_args()
LONG = {"simulation.duration_s": 3600.0, "simulation.record_rate_hz": 0.0}


def timed(step, per_call):
    """Calls per second of `step` over about `args.seconds`, times `per_call` steps each."""
    step()
    calls, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < args.seconds:
        for _ in range(50):
            step()
        calls += 50
    return calls * per_call / elapsed


print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
for name in args.scenarios:
    sim = exosim.load(name, overrides=LONG).build()
    ticks_per_s = timed(lambda: sim.step(100), 100)
    env = AssistEnv(name, overrides=LONG)
    env.reset(seed=0)
    zero = np.zeros(env.action_space.shape)
    single = timed(lambda: env.step(zero), 1)
    overhead_us = 1e6 / single - 1e6 / ticks_per_s
    print(f"{name}:")
    print(f"  simulation alone           {ticks_per_s:10.0f} ticks/s ({1e6 / ticks_per_s:.2f} us per 1 ms tick)")
    print(f"  AssistEnv, 1 tick per step {single:10.0f} steps/s (Python overhead {overhead_us:.2f} us per step)")
    if exosim.load(name).imported_wearer:
        menv = AssistEnv(name, reward="metabolic", overrides=LONG)
        menv.reset(seed=0)
        metabolic = timed(lambda: menv.step(zero), 1)
        print(f"  AssistEnv, metabolic reward {metabolic:9.0f} steps/s (the muscles every 10 ticks)")
    for jobs in (1, 2):
        venv = AssistVectorEnv(name, num_envs=64, jobs=jobs, overrides=LONG)
        venv.reset(seed=0)
        zeros = np.zeros((64,) + env.action_space.shape)
        rate = timed(lambda: venv.step(zeros), 64)
        print(f"  AssistVectorEnv 64, {jobs} thread{'s' if jobs > 1 else ' '} {rate:10.0f} steps/s")
