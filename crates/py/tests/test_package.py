"""The package: scenarios, runs, simulations, sweeps and their errors.

The figures are checked against the program itself (`exosim run`, EXOSIM_BIN: CI sets it to the binary its test
step built) and against closed-loop behaviour the scenario's law must show.
"""

import csv
import json
import math
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

import exosim

# Summary fields that measure the machine, not the simulation.
WALL_CLOCK = {
    "wall_us_per_sim_ms",
    "analysis_wall_s",
    "real_time_factor",
    "control_compute_mean_ns",
    "control_compute_max_ns",
    "control_compute_mean_us",
    "control_compute_max_us",
    "wall_s",
}


def without_wall_clock(x):
    if isinstance(x, dict):
        return {k: without_wall_clock(v) for k, v in x.items() if k not in WALL_CLOCK}
    if isinstance(x, list):
        return [without_wall_clock(v) for v in x]
    return x


def short(name, seconds=1.0, **more):
    return exosim.load(name, overrides={"simulation.duration_s": seconds, **more})


# --- scenarios ---------------------------------------------------------------------------------------------------


def test_the_shipped_scenarios_are_listed_and_load_by_name_or_path():
    names = exosim.list()
    assert exosim.DEFAULT_SCENARIO in names and "walking-assist" in names
    by_name = exosim.load("walking-assist")
    by_path = exosim.load(os.path.join(exosim.scenarios_dir(), "walking-assist.toml"))
    assert by_name.to_toml() == by_path.to_toml()
    assert by_name.name == "walking-assist" and not by_name.imported_wearer
    assert exosim.load("opensim-walk").imported_wearer


def test_overrides_as_a_dict_or_as_set_strings_are_the_same_and_are_checked_again():
    a = exosim.load("walking-assist", overrides={"simulation.duration_s": 2.5, "simulation.seed": 7})
    b = exosim.load("walking-assist", overrides=["simulation.duration_s=2.5", "simulation.seed=7"])
    assert a.to_toml() == b.to_toml()
    assert a.duration_s == 2.5
    c = exosim.load("walking-assist").with_overrides({"simulation.duration_s": 2.5, "simulation.seed": 7})
    assert c.to_toml() == a.to_toml()


def test_bad_scenarios_and_overrides_raise_scenario_errors_naming_file_line_and_field(tmp_path):
    with pytest.raises(exosim.ScenarioError, match=r"walking-assist\.toml \(--set simulation\.bogus=1\): simulation\.bogus: unknown field"):
        exosim.load("walking-assist", overrides={"simulation.bogus": 1})
    with pytest.raises(exosim.ScenarioError, match=r"simulation\.duration_s: must be within"):
        exosim.load("walking-assist", overrides={"simulation.duration_s": -1.0})
    bad = tmp_path / "bad.toml"
    bad.write_text('schema_version = 2\nname = "x"\n[simulation]\nduration_s = "long"\n')
    with pytest.raises(exosim.ScenarioError, match=r"bad\.toml:4:\d+: simulation\.duration_s"):
        exosim.load(bad)
    with pytest.raises(exosim.ScenarioError, match=r"missing\.toml: cannot read"):
        exosim.load(tmp_path / "missing.toml")
    with pytest.raises(FileNotFoundError, match="no shipped scenario of that name"):
        exosim.load("no-such-scenario")
    with pytest.raises(TypeError, match="cannot write a object as a scenario value"):
        exosim.load("walking-assist", overrides={"simulation.seed": object()})
    with pytest.raises(TypeError, match="overrides must be"):
        exosim.load("walking-assist", overrides=3)
    # A ScenarioError is a ValueError, and none of these was a panic.
    assert issubclass(exosim.ScenarioError, ValueError)


# --- runs --------------------------------------------------------------------------------------------------------


def test_a_run_gives_the_time_series_and_summary_of_a_sim_stepped_to_the_same_end():
    sc = short("walking-assist", 1.0)
    r = sc.run()
    t = r.column("time_s")
    assert len(r) == len(t) > 10 and r.columns[0] == "time_s"
    assert np.all(np.diff(t) > 0)
    sim = sc.build()
    sim.step(round(sc.duration_s / sc.control_dt_s))
    ts = sim.timeseries()
    for name in r.columns:
        np.testing.assert_array_equal(r.column(name), ts[name], err_msg=name)
    assert without_wall_clock(r.summary)["joints"] == without_wall_clock(sim.summary())["joints"]


def program():
    exe = os.environ.get("EXOSIM_BIN")
    if not exe:
        pytest.skip("EXOSIM_BIN (the exosim program) is not set; CI sets it")
    return exe


@pytest.mark.parametrize("name,seconds", [("walking-assist", 2.0), ("opensim-walk-hip-exo", 3.0)])
def test_a_run_reports_what_the_program_reports(tmp_path, name, seconds):
    exe = program()
    sc = short(name, seconds)
    r = sc.run()
    subprocess.run(
        [exe, "run", sc.path, "--set", f"simulation.duration_s={seconds}", "--no-plots", "-o", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    out = tmp_path / sc.name
    assert without_wall_clock(json.loads((out / "summary.json").read_text())) == without_wall_clock(r.summary)
    with open(out / "timeseries.csv") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], np.array(rows[1:], dtype=float)
    assert header == r.columns
    for k, name in enumerate(header):
        np.testing.assert_allclose(body[:, k], r.column(name), rtol=1e-9, atol=1e-9, err_msg=name)


def test_an_imported_walk_gives_the_metabolic_comparison_and_the_muscles():
    r = short("opensim-walk-hip-exo", 5.0).run()
    m = r.summary["metabolics"]
    # The assistance saves; the device's 3 kg cost more than it saves over these strides (the weight's share comes
    # from the same walk with the device worn unpowered).
    c = m["change"]
    assert m["strides"] >= 1 and c["device_weight_w"] > 0.0 and c["change_w"] - c["device_weight_w"] < 0.0, m
    # The muscles' power per row; its time average over the summary's window is the summary's figure (within 1 %:
    # numpy's trapezoid over the rows inside the window, against the summary's average interpolated to the
    # window's edges).
    muscles = r.muscles
    assert muscles is not None and "soleus_r_metabolic_w" in muscles
    t, power = muscles["time_s"], muscles["metabolic_power_w"]
    t0, t1 = m["window_s"]
    inside = (t >= t0) & (t <= t1)
    mean = np.trapezoid(power[inside], t[inside]) / (t[inside][-1] - t[inside][0])
    assert abs(mean - m["muscles_w"]) < 0.01 * m["muscles_w"], (mean, m["muscles_w"])
    # A coordinate no muscle crosses (the lumbar joint) is its reserve's alone: its reserve is the wearer's torque
    # of the same row; on the pelvis the reserves are the residuals.
    np.testing.assert_array_equal(muscles["time_s"], r.column("time_s"))
    np.testing.assert_array_equal(muscles["lumbar_extension_reserve_nm"], r.column("lumbar_extension_human_torque_nm"))
    np.testing.assert_array_equal(muscles["pelvis_ty_reserve_n"], r.column("pelvis_residual_fy_n"))
    df = r.to_pandas()
    assert list(df.columns) == r.columns and len(df) == len(r)


def test_a_diverging_run_raises_with_time_and_coordinate_and_keeps_its_results():
    sc = exosim.load(
        "opensim-walk",
        overrides={
            "simulation.physics_dt_s": 0.005,
            "simulation.control_dt_s": 0.005,
            "sensors.velocity_cutoff_hz": 20.0,
            "simulation.duration_s": 2.0,
            "wearer.tracking.kp_nm_per_rad": 1e6,
        },
    )
    with pytest.raises(exosim.SimulationError, match=r"diverged at t = \d+\.\d+ s: \w+ moving at") as e:
        sc.run()
    partial = e.value.results
    assert partial.failure and len(partial) >= 1 and partial.summary["ended_early"] == partial.failure
    sim = sc.build()
    with pytest.raises(exosim.SimulationError, match="diverged at t ="):
        sim.step(1000)
    with pytest.raises(exosim.SimulationError, match="failed earlier"):
        sim.step(1)
    sim.reset()
    assert sim.ticks == 0


# --- a simulation stepped from Python ----------------------------------------------------------------------------


def test_state_is_the_firmwares_frame_and_the_supervisors_output():
    sim = short("walking-assist", 2.0).build()
    sim.step(500)
    s = sim.state()
    assert s["ticks"] == 500 and math.isclose(s["time_s"], 500 * sim.control_dt_s, rel_tol=1e-12)
    assert s["joints"] == sim.joints == ["hip", "knee"]
    n = len(s["joints"])
    for k in ("joint_position_rad", "joint_velocity_rad_per_s", "joint_torque_nm", "setpoint_torque_nm"):
        assert s["sensors"][k].shape == (n,)
    assert s["sensors"]["foot_contact"].dtype == bool
    assert s["supervisor"] == {"state": "active", "reason": "none"}
    # The encoder reads the wearer's joint within its quantisation and noise.
    hip = s["wearer"]["coordinates"].index("hip")
    assert abs(s["sensors"]["joint_position_rad"][0] - s["wearer"]["q"][hip]) < 0.01


def test_the_hosts_torque_is_what_the_torque_law_tracks():
    # torque-step: the series-elastic torque law; the host's 6 N m replaces its step signal.
    sim = exosim.load("torque-step").build()
    assert sim.law == "sea_torque"
    sim.set_torque([6.0])
    sim.step(400)
    spring = sim.state()["sensors"]["joint_torque_nm"][0]
    assert abs(spring - 6.0) < 0.3, spring
    sim.set_torque(None)
    sim.step(1)
    assert sim.state()["sensors"]["setpoint_torque_nm"][0] != 6.0


def test_the_hosts_torque_and_bad_values_for_it():
    sim = short("walking-assist").build()
    sim.set_gains({"assistance_gain": 0.0})
    sim.set_torque(np.array([2.0, -1.5]))
    sim.step(50)
    np.testing.assert_array_equal(sim.state()["command"]["demand_nm"], [2.0, -1.5])
    with pytest.raises(ValueError, match=r"expected 2 torques .* got 3"):
        sim.set_torque([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"joint 1 \(knee\) is not finite"):
        sim.set_torque([0.0, float("nan")])
    with pytest.raises(TypeError):
        sim.set_torque(np.zeros((2, 2)))


def test_gains_are_read_and_set_live_and_refusals_name_the_parameter():
    sim = short("walking-assist").build()
    g = sim.gains()
    assert g["assistance_gain"] == [1.0, 1.0] and len(g["peak_torque_nm"]) == 2
    sim.set_gains({"assistance_gain": 0.5, "peak_torque_nm": [8.0, 9.0], "peak_time_pct": 40.0})
    g = sim.gains()
    assert g["assistance_gain"] == [0.5, 0.5] and g["peak_torque_nm"] == [8.0, 9.0] and g["peak_time_pct"] == [40.0, 40.0]
    with pytest.raises(ValueError, match=r"no parameter stiffness_nm_per_rad \(it has: assistance_gain, "):
        sim.set_gains({"stiffness_nm_per_rad": 1.0})
    with pytest.raises(ValueError, match="rise_time_pct"):
        sim.set_gains({"rise_time_pct": 95.0})
    with pytest.raises(ValueError, match="3 values for 2 joints"):
        sim.set_gains({"peak_torque_nm": [1.0, 2.0, 3.0]})


def test_a_reset_with_a_seed_replays_bit_for_bit_and_another_seed_differs():
    # The torque sensors' noise is drawn from the seed.
    sim = short("walking-assist").build()

    def trace(seed):
        sim.reset(seed)
        sim.step(300)
        s = sim.state()["sensors"]
        return np.concatenate([s["joint_torque_nm"], s["interaction_torque_nm"]])

    a, b, c = trace(3), trace(3), trace(4)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


# --- sweeps ------------------------------------------------------------------------------------------------------


def test_a_sweep_equals_the_runs_one_by_one_whatever_the_thread_count():
    sc = short("walking-assist", 3.0)
    points = [{"controller.assistance.assistance_gain": g} for g in (0.0, 0.5, 1.0)]
    one = exosim.sweep(sc, points, jobs=1)
    two = exosim.sweep(sc, points, jobs=2)
    alone = [sc.with_overrides(p).run() for p in points]
    for a, b, c in zip(one, two, alone):
        assert without_wall_clock(a.summary) == without_wall_clock(b.summary) == without_wall_clock(c.summary)
        for name in a.columns:
            np.testing.assert_array_equal(a.column(name), b.column(name))
    # The gain changes what the device gives.
    work = [r.summary["actuators"][0]["joint_positive_work_j"] for r in one]
    assert work[0] != work[2], work
    with pytest.raises(exosim.ScenarioError, match=r"point 1: .*simulation\.nope"):
        exosim.sweep(sc, [{}, {"simulation.nope": 1}])
    with pytest.raises(ValueError, match="jobs must be at least 1"):
        exosim.sweep(sc, points, jobs=0)


def test_the_readmes_python_example_runs():
    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text()
    section = readme.split("## From Python", 1)[1]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    namespace = {}
    exec(compile(code, "README.md", "exec"), namespace)
    change = namespace["r"].summary["metabolics"]["change"]
    assert change["change_w"] - change["device_weight_w"] < 0.0
    assert namespace["venv"].num_envs == 64


def test_stepping_past_the_scenarios_duration_raises_and_names_it():
    sim = short("walking-assist", 0.05).build()
    with pytest.raises(exosim.SimulationError, match=r"t = \d") as e:
        sim.step(200)
    assert e.value.results is None
