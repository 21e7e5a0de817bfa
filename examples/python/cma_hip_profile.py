"""CMA-ES search of a hip assistance profile against the environment's reward, then the metabolic cost of the best.

The environment (`exosim.gym.AssistEnv`, action "profile") is the default scenario's wearer and bilateral hip
device; an action is the spline profile (peak torque, peak time, rise and fall as % of the stride) that the
firmware applies from the next stride, on both hips (each assisted in its own leg's phase). The reward is the
wearer's negative effort (summed squared joint torques), so the search looks for the profile that unloads the
wearer's joints most; the program's metabolic analysis (`Scenario.run()`) then says what that profile does to the
muscles' metabolic cost, against the shipped profile.

    pip install ./crates/py gymnasium cma
    python examples/python/cma_hip_profile.py           # 12 generations of 8
    python examples/python/cma_hip_profile.py --quick   # 3 generations of 6 (CI)
"""

import argparse
import time

import cma
import numpy as np

import exosim
from exosim.gym import AssistEnv

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--generations", type=int, default=12)
parser.add_argument("--popsize", type=int, default=8)
parser.add_argument("--seconds", type=float, default=6.0, help="simulated seconds per evaluation")
parser.add_argument("--quick", action="store_true", help="a short search (CI)")
args = parser.parse_args()
if args.quick:
    args.generations, args.popsize, args.seconds = 3, 6, 5.0

SCENARIO = "opensim-walk-hip-exo"
# The profile is applied from the first stride the device's phase estimator knows (its second heel strike, about
# 3.1 s into the walk): the effort is compared from there on.
SCORED_FROM_S = 3.1
env = AssistEnv(SCENARIO, action="profile", ticks_per_step=50, overrides={"simulation.duration_s": args.seconds})
low, high = env.action_space.low[:4], env.action_space.high[:4]


def effort(profile):
    """Mean effort (N m)^2 after the profile applies, with `profile` on both hips."""
    env.reset(seed=0)
    action = np.concatenate([profile, profile])
    total, n = 0.0, 0
    while True:
        _, _, terminated, truncated, info = env.step(action)
        if info["time_s"] >= SCORED_FROM_S:
            total += info["effort_nm2"]
            n += 1
        if terminated or truncated:
            return total / max(n, 1)


shipped = np.array([10.0, 60.0, 20.0, 15.0])
none = np.array([0.0, 60.0, 20.0, 15.0])
print(f"effort without assistance {effort(none):.1f} (N m)^2, with the shipped profile {effort(shipped):.1f}")

# CMA-ES in normalised coordinates (0..1 per parameter) so one step size fits all four.
to_profile = lambda x: low + np.clip(x, 0.0, 1.0) * (high - low)  # noqa: E731
x0 = (shipped - low) / (high - low)
es = cma.CMAEvolutionStrategy(x0, 0.2, {"popsize": args.popsize, "bounds": [0, 1], "seed": 1, "verbose": -9})
start = time.perf_counter()
for g in range(args.generations):
    xs = es.ask()
    fs = [effort(to_profile(x)) for x in xs]
    es.tell(xs, fs)
    best = to_profile(es.result.xbest)
    print(f"generation {g + 1:2d}: best effort {es.result.fbest:.1f} (N m)^2 with "
          f"{best[0]:.1f} N m at {best[1]:.0f} %, rise {best[2]:.0f} %, fall {best[3]:.0f} %")
evaluations = args.generations * args.popsize
print(f"{evaluations} evaluations of {args.seconds:.0f} s in {time.perf_counter() - start:.1f} s")

# The metabolic cost of the shipped and the found profile, from the program's analysis.
best = to_profile(es.result.xbest)
scenario = exosim.load(SCENARIO, overrides={"simulation.duration_s": args.seconds + 2.0})
for label, p in [("shipped", shipped), ("found", best)]:
    keys = ["peak_torque_nm", "peak_time_pct", "rise_time_pct", "fall_time_pct"]
    ov = {f"controller.assistance.profiles.hip.{k}": float(v) for k, v in zip(keys, p)}
    change = scenario.with_overrides(ov).run().summary["metabolics"]["change"]
    print(f"{label:8s} profile: metabolic cost {change['change_w']:+.1f} W ({change['change_pct']:+.1f} %), "
          f"device positive power {change['device_positive_w']:.2f} W")
