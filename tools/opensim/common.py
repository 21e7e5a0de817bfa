"""Shared helpers for the OpenSim fixture generators (see README.md).

Everything here is deterministic: the random poses and speeds come from a
numpy Generator seeded with POSE_SEED, and the files that OpenSim reads are
the ones committed under assets/.
"""

import json
import math
import os
import platform
import subprocess
import sys

import numpy as np
import opensim as osim

# OpenSim otherwise writes ./opensim.log into whatever directory it runs from
# (the repository is shared: leave no stray files).
osim.Logger.removeFileSink()

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
OUT_DIR = os.path.join(REPO, "tests", "fixtures", "opensim")

MODEL_DIR = os.path.join(REPO, "assets", "models", "gait10dof18musc")
GAIT_DIR = os.path.join(REPO, "assets", "gait", "opensim")
MODEL_FILE = os.path.join(MODEL_DIR, "subject01.osim")
METABOLICS_MODEL_FILE = os.path.join(MODEL_DIR, "subject01_metabolics.osim")
RESERVE_FILE = os.path.join(MODEL_DIR, "gait10dof_Reserve_Actuators.xml")
IK_FILE = os.path.join(GAIT_DIR, "subject01_walk_IK.mot")
GRF_MOT_FILE = os.path.join(GAIT_DIR, "subject01_walk_grf.mot")
GRF_XML_FILE = os.path.join(GAIT_DIR, "subject01_walk_grf.xml")
ID_REFERENCE_FILE = os.path.join(GAIT_DIR, "subject01_walk_ID.sto")

SUBJECT_MASS_KG = 72.6
LOWPASS_HZ = 6.0

# Seeds: one per independent random stream, so that adding a stream never
# changes the numbers of another.
POSE_SEED = 20261201
SPEED_SEED = 20261202

N_TRIAL_POSES = 50
N_RANDOM_POSES = 14
WIDEN_FRACTION = 0.10      # widen the trial's [min, max] by 10 % of its span on EACH side
MAX_ROT_SPEED = 6.0        # rad/s
MAX_TRANS_SPEED = 1.5      # m/s

BODY_NAMES = ["pelvis", "femur_r", "tibia_r", "talus_r", "calcn_r", "toes_r",
              "femur_l", "tibia_l", "talus_l", "calcn_l", "toes_l", "torso"]


def opensim_version():
    return osim.GetVersionAndDate()


def quiet_logger():
    """Send OpenSim's log to warnings only (the model's missing .vtp meshes
    otherwise print 19 lines per model load)."""
    osim.Logger.setLevelString("warn")


def fixture_header(description, generated_by, units, **extra):
    d = {
        "description": description,
        "opensim_version": opensim_version(),
        "opensim_python_package": "opensim==" + osim.__version__ + " (PyPI)",
        "generated_by": "tools/opensim/" + generated_by + " (entry point tools/opensim/make_fixtures.py)",
        "units": units,
    }
    d.update(extra)
    return d


def _check_finite(obj, path="$"):
    if isinstance(obj, float):
        if not math.isfinite(obj):
            raise ValueError(f"non-finite number at {path}: {obj}")
    elif isinstance(obj, dict):
        for k, v in obj.items():
            _check_finite(v, f"{path}.{k}")
    elif isinstance(obj, (list, tuple)):
        for i, v in enumerate(obj):
            _check_finite(v, f"{path}[{i}]")


def write_json(name, obj):
    """Write compact JSON.  Python's float repr is the shortest string that
    round-trips the double exactly, so nothing is lost."""
    _check_finite(obj)
    os.makedirs(OUT_DIR, exist_ok=True)
    path = os.path.join(OUT_DIR, name)
    with open(path, "w") as f:
        json.dump(obj, f, separators=(",", ":"), allow_nan=False)
        f.write("\n")
    print(f"  wrote {os.path.relpath(path, REPO)} ({os.path.getsize(path)} bytes)")
    return path


def vec3(v):
    return [float(v.get(0)), float(v.get(1)), float(v.get(2))]


def rot_rowmajor(R):
    return [float(R.get(i, j)) for i in range(3) for j in range(3)]


def read_storage_text(path):
    """Parse an OpenSim .mot/.sto text file: returns (header_dict, labels, data ndarray)."""
    header = {}
    with open(path) as f:
        lines = f.read().splitlines()
    i = 0
    while not lines[i].strip().lower().startswith("endheader"):
        if "=" in lines[i]:
            k, v = lines[i].split("=", 1)
            header[k.strip()] = v.strip()
        i += 1
    labels = lines[i + 1].split("\t")
    labels = [l.strip() for l in labels if l.strip() != ""]
    rows = []
    for line in lines[i + 2:]:
        if line.strip():
            rows.append([float(x) for x in line.split()])
    return header, labels, np.array(rows)


def load_model(path=MODEL_FILE):
    # The model references .vtp meshes that are not shipped: silence those
    # load-time warnings, keep warnings for everything after.
    osim.Logger.setLevelString("error")
    m = osim.Model(path)
    quiet_logger()
    return m


def coordinate_info(model):
    cs = model.getCoordinateSet()
    out = []
    for i in range(cs.getSize()):
        c = cs.get(i)
        mt = c.getMotionType()
        out.append({
            "name": c.getName(),
            "motion_type": {1: "rotational", 2: "translational", 3: "coupled"}.get(int(mt), str(mt)),
            "range": [c.getRangeMin(), c.getRangeMax()],
        })
    return out


def ik_trial_in_model_units(model):
    """IK trial: times, and a dict coordinate -> values in model units
    (rad for rotational coordinates, m for translational ones)."""
    header, labels, data = read_storage_text(IK_FILE)
    in_deg = header.get("inDegrees", "no").lower() == "yes"
    t = data[:, labels.index("time")]
    values = {}
    for c in coordinate_info(model):
        col = data[:, labels.index(c["name"])]
        if in_deg and c["motion_type"] == "rotational":
            col = np.deg2rad(col)
        values[c["name"]] = col
    return t, values


def make_poses(model):
    """The poses shared by kinematics.json, muscle_paths.json and isometric.json."""
    coords = coordinate_info(model)
    t, ik = ik_trial_in_model_units(model)
    n = len(t)
    idx = np.round(np.linspace(0, n - 1, N_TRIAL_POSES)).astype(int)
    poses = []
    for k, i in enumerate(idx):
        poses.append({
            "id": f"trial_{k:02d}",
            "source": "ik_trial_row",
            "ik_row": int(i),
            "time": float(t[i]),
            "q": {c["name"]: float(ik[c["name"]][i]) for c in coords},
        })
    rng = np.random.default_rng(POSE_SEED)
    bounds = {}
    for c in coords:
        lo, hi = float(np.min(ik[c["name"]])), float(np.max(ik[c["name"]]))
        span = hi - lo
        lo_w, hi_w = lo - WIDEN_FRACTION * span, hi + WIDEN_FRACTION * span
        lo_w, hi_w = max(lo_w, c["range"][0]), min(hi_w, c["range"][1])
        bounds[c["name"]] = [lo_w, hi_w]
    for k in range(N_RANDOM_POSES):
        q = {}
        for c in coords:
            lo_w, hi_w = bounds[c["name"]]
            q[c["name"]] = float(rng.uniform(lo_w, hi_w))
        poses.append({"id": f"random_{k:02d}", "source": "seeded_uniform", "q": q})
    srng = np.random.default_rng(SPEED_SEED)
    for p in poses:
        u = {}
        for c in coords:
            lim = MAX_ROT_SPEED if c["motion_type"] == "rotational" else MAX_TRANS_SPEED
            u[c["name"]] = float(srng.uniform(-lim, lim))
        p["u"] = u
    return poses, bounds


def set_pose(model, state, q, u=None):
    """Set coordinate values (and speeds) one by one with
    Coordinate.setValue(state, value, enforceConstraints=False) and
    Coordinate.setSpeedValue(state, speed).  The model has no kinematic
    constraints (the knee translations are CustomJoint functions of the knee
    angle, not constraints), so enforceConstraints=False loses nothing."""
    cs = model.getCoordinateSet()
    for i in range(cs.getSize()):
        c = cs.get(i)
        c.setValue(state, q[c.getName()], False)
        c.setSpeedValue(state, 0.0 if u is None else u[c.getName()])


def cpu_info():
    model_name = None
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.lower().startswith("model name"):
                    model_name = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        nproc = int(subprocess.check_output(["nproc"]).decode().strip())
    except Exception:
        nproc = os.cpu_count()
    return {"nproc": nproc, "cpu_model": model_name, "python": sys.version.split()[0],
            "platform": platform.platform()}
