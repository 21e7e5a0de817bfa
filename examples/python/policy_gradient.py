"""A short policy-gradient loop (REINFORCE, numpy only) on the vector environment: the reward improves.

64 wearers of the default scenario (bilateral hip device) walk in Rust threads. The policy is linear and Gaussian:
each hip's assistance torque is a weighted sum of features of what the device itself senses (its gait-phase
estimate as two harmonics, the hip's speed), plus exploration noise. The reward is the wearer's negative effort.
The wearer's motor model takes the device's torque off its own at once, so a step's reward follows from that
step's action: the gradient uses each step's own reward (no discounting) against the mean over the 64 wearers at
the same instant (all walk the same stride), which keeps its variance low enough for a few iterations to show.

    pip install ./crates/py gymnasium
    python examples/python/policy_gradient.py           # 25 iterations
    python examples/python/policy_gradient.py --quick   # 6 iterations (CI)
"""

import argparse
import time

import numpy as np

from exosim.gym import AssistVectorEnv

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--iterations", type=int, default=25)
parser.add_argument("--envs", type=int, default=64)
parser.add_argument("--quick", action="store_true", help="a short run (CI)")
args = parser.parse_args()
if args.quick:
    args.iterations, args.envs = 6, 32

TICKS = 10  # control ticks per decision: 100 Hz
env = AssistVectorEnv(num_envs=args.envs, ticks_per_step=TICKS, overrides={"simulation.duration_s": 5.0})
n, joints = args.envs, env.single_action_space.shape[0]
high = env.single_action_space.high
steps = int(round(5.0 / (TICKS * 1e-3)))


def features(obs):
    """Per environment and hip: phase harmonics (zero while the phase is unknown), the hip's speed, a bias."""
    phase, known = obs[:, -2], obs[:, -1]
    w = 2 * np.pi * phase
    harmonics = np.stack([np.sin(w), np.cos(w), np.sin(2 * w), np.cos(2 * w)], axis=1) * known[:, None]
    f = []
    for j in range(joints):
        speed = obs[:, joints + j][:, None] / 5.0  # joint_velocity_rad_per_s, about unit scale
        f.append(np.concatenate([harmonics, speed, np.ones((n, 1))], axis=1))
    return np.stack(f, axis=1)  # (envs, joints, features)


theta = np.zeros((joints, 6))
returns = []
sigma, lr = 2.0, 0.5
rng = np.random.default_rng(0)
start = time.perf_counter()
for it in range(args.iterations):
    obs, _ = env.reset(seed=100 * it)
    grad = np.zeros_like(theta)
    total = np.zeros(n)
    for t in range(steps):
        phi = features(obs)
        mean = np.einsum("jk,ejk->ej", theta, phi)
        action = mean + sigma * rng.standard_normal((n, joints))
        obs, reward, term, trunc, _ = env.step(np.clip(action, -high, high))
        total += reward
        advantage = reward - reward.mean()
        # d log pi / d theta for a Gaussian of fixed sigma: (a - mu) / sigma^2 * phi.
        grad += np.einsum("e,ej,ejk->jk", advantage, (action - mean) / sigma**2, phi)
        if term.any() or trunc.any():
            break
    theta += lr * grad / n
    returns.append(total.mean())
    print(f"iteration {it + 1:2d}: mean return {total.mean():9.2f}  (|theta| {np.abs(theta).sum():.2f})")
elapsed = time.perf_counter() - start
print(f"{args.iterations} iterations of {n} x {steps} steps ({TICKS} ticks each) in {elapsed:.1f} s")
print(f"mean return {returns[0]:.2f} -> {returns[-1]:.2f}")
if not returns[-1] > returns[0]:
    raise SystemExit("the reward did not improve")
