#!/usr/bin/env python3
"""Regenerate every OpenSim reference fixture in tests/fixtures/opensim/.

    /work/venv-opensim/bin/python tools/opensim/make_fixtures.py [stage ...]

Stages (default: all, in this order): kinematics (kinematics.json,
muscle_paths.json), muscles (muscle_curves.json, isometric.json),
inverse_dynamics, static_optimization, metabolics (needs the
static-optimization output), contact.  Everything runs serially in this one
process.  See README.md beside this file for what each fixture holds.
"""

import os
import sys
import time

sys.dont_write_bytecode = True     # no __pycache__ in the shared work tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import common as C  # noqa: E402
import fx_contact  # noqa: E402
import fx_inverse_dynamics  # noqa: E402
import fx_kinematics  # noqa: E402
import fx_metabolics  # noqa: E402
import fx_muscles  # noqa: E402
import fx_static_optimization  # noqa: E402

STAGES = ["kinematics", "muscles", "inverse_dynamics", "static_optimization", "metabolics", "contact"]


def main(argv):
    stages = argv or STAGES
    for s in stages:
        if s not in STAGES:
            raise SystemExit(f"unknown stage {s!r}; choose from {STAGES}")
    print("OpenSim", C.opensim_version())
    os.makedirs(C.OUT_DIR, exist_ok=True)
    poses = None
    qu = None
    for s in STAGES:
        if s not in stages:
            continue
        t0 = time.perf_counter()
        print(f"[{s}]")
        if s == "kinematics":
            poses = fx_kinematics.run()
        elif s == "muscles":
            fx_muscles.run(poses)
        elif s == "inverse_dynamics":
            fx_inverse_dynamics.run()
        elif s == "static_optimization":
            qu = fx_static_optimization.run()
        elif s == "metabolics":
            fx_metabolics.run(qu)
        elif s == "contact":
            fx_contact.run()
        print(f"  ({time.perf_counter() - t0:.1f} s)")
    total = sum(os.path.getsize(os.path.join(C.OUT_DIR, f)) for f in os.listdir(C.OUT_DIR))
    print(f"fixtures in {os.path.relpath(C.OUT_DIR, C.REPO)}: {total} bytes total")


if __name__ == "__main__":
    main(sys.argv[1:])
