"""Run a shipped scenario from Python, look at its results in pandas, and plot them.

    pip install ./crates/py pandas matplotlib
    python examples/python/run_to_pandas.py            # the default scenario, 8 s of walking
    python examples/python/run_to_pandas.py --quick    # 3 s
"""

import argparse
import os
import tempfile

import exosim
import pandas as pd

pd.set_option("display.width", 160)
pd.set_option("display.max_columns", 10)

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--scenario", default=exosim.DEFAULT_SCENARIO)
parser.add_argument("--out", default=None, help="folder for the plot (default: a temporary folder)")
parser.add_argument("--quick", action="store_true", help="a short run (CI)")
args = parser.parse_args()

overrides = {"simulation.duration_s": 3.0} if args.quick else {}
results = exosim.load(args.scenario, overrides=overrides).run()
df = results.to_pandas()
print(f"{results.summary['scenario']}: {len(df)} rows x {len(df.columns)} columns")
print(df[["time_s", "hip_flexion_r_q_rad", "hip_flexion_r_human_torque_nm", "exo_hip_r_torque_nm"]].describe().round(3))

metabolics = results.summary.get("metabolics") or {}
change = metabolics.get("change")
if change:
    print(f"metabolic cost with the device: {change['change_w']:+.1f} W ({change['change_pct']:+.1f} %)")

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

fig, (ax1, ax2) = plt.subplots(2, 1, sharex=True, figsize=(8, 5))
ax1.plot(df.time_s, df.hip_flexion_r_human_torque_nm, label="wearer's right hip")
ax1.plot(df.time_s, df.exo_hip_r_torque_nm, label="device, right hip")
ax1.set_ylabel("torque (N m)")
ax1.legend()
ax2.plot(df.time_s, df.gait_phase, label="device's gait phase estimate")
ax2.set_ylabel("phase")
ax2.set_xlabel("time (s)")
out = args.out or tempfile.mkdtemp(prefix="exosim-")
path = os.path.join(out, f"{results.summary['scenario']}.png")
fig.savefig(path, dpi=100)
print(f"plot: {path}")
