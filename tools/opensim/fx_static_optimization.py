"""Fixture 5: static_optimization_activation.sto, static_optimization_force.sto
and static_optimization.json."""

import filecmp
import os
import shutil
import tempfile
import time

import numpy as np
import opensim as osim

import common as C
import fx_inverse_dynamics as ID

N_TIMED_RUNS = 3
START_TIME = 0.0
END_TIME = 2.5

SO_SETTINGS = {
    "analysis": "StaticOptimization",
    "use_model_force_set": True,
    "activation_exponent": 2.0,
    "use_muscle_physiology": True,
    "optimizer_convergence_criterion": 1e-4,   # OpenSim default, also the tutorial's
    "optimizer_max_iterations": 100,           # OpenSim default
    "step_interval": 1,
    "start_time": START_TIME,
    "end_time": END_TIME,
}
TOOL_SETTINGS = {
    "model_file": "assets/models/gait10dof18musc/subject01.osim",
    "force_set_files": ["assets/models/gait10dof18musc/gait10dof_Reserve_Actuators.xml"],
    "replace_force_set": False,
    "coordinates_file": "assets/gait/opensim/subject01_walk_IK.mot",
    "lowpass_cutoff_frequency_for_coordinates": C.LOWPASS_HZ,
    "external_loads_file": "temporary copy of assets/gait/opensim/subject01_walk_grf.xml with <datafile> = absolute path of subject01_walk_grf.mot",
    "initial_time": START_TIME,
    "final_time": END_TIME,
    "solve_for_equilibrium_for_auxiliary_states": False,   # AnalyzeTool default
}


def build_setup(tmpdir, ext_loads, name, analyses):
    tool = osim.AnalyzeTool()
    tool.setName(name)
    tool.setModelFilename(C.MODEL_FILE)
    fs = osim.ArrayStr()
    fs.append(C.RESERVE_FILE)
    tool.setForceSetFiles(fs)
    tool.setReplaceForceSet(False)
    tool.setCoordinatesFileName(C.IK_FILE)
    tool.setLowpassCutoffFrequency(C.LOWPASS_HZ)
    tool.setExternalLoadsFileName(ext_loads)
    tool.setStartTime(START_TIME)
    tool.setFinalTime(END_TIME)
    tool.setSolveForEquilibrium(False)
    for a in analyses:
        tool.updAnalysisSet().cloneAndAppend(a)
    results = os.path.join(tmpdir, name)
    os.makedirs(results, exist_ok=True)
    tool.setResultsDir(results)
    setup = os.path.join(tmpdir, name + "_setup.xml")
    tool.printToXML(setup)
    return setup, results


def so_analysis():
    so = osim.StaticOptimization()
    so.setStartTime(START_TIME)
    so.setEndTime(END_TIME)
    so.setUseModelForceSet(SO_SETTINGS["use_model_force_set"])
    so.setActivationExponent(SO_SETTINGS["activation_exponent"])
    so.setUseMusclePhysiology(SO_SETTINGS["use_muscle_physiology"])
    so.setConvergenceCriterion(SO_SETTINGS["optimizer_convergence_criterion"])
    so.setMaxIterations(SO_SETTINGS["optimizer_max_iterations"])
    so.setStepInterval(SO_SETTINGS["step_interval"])
    return so


def kinematics_analysis():
    k = osim.Kinematics()
    k.setStartTime(START_TIME)
    k.setEndTime(END_TIME)
    k.setInDegrees(False)
    k.setStepInterval(1)
    return k


def so_states_qu(model):
    """q and u exactly as AnalyzeTool::loadStatesFromFile builds them:
    Storage(IK).pad(n/2).lowpassIIR(6), degrees -> radians, q = the filtered
    samples, u = first derivative of GCVSplineSet(5) through them
    (SimbodyEngine::formCompleteStorages, constructStorage(1)), at the
    filtered storage's own sample times."""
    raw = osim.Storage(C.IK_FILE)
    sto = osim.Storage(C.IK_FILE)
    sto.pad(sto.getSize() // 2)
    sto.lowpassIIR(C.LOWPASS_HZ)
    model.getSimbodyEngine().convertDegreesToRadians(sto)
    spl = osim.GCVSplineSet(5, sto)
    dsto = spl.constructStorage(1)
    labels = [sto.getColumnLabels().get(i) for i in range(sto.getColumnLabels().getSize())]
    dlabels = [dsto.getColumnLabels().get(i) for i in range(dsto.getColumnLabels().getSize())]
    cs = model.getCoordinateSet()
    names = [cs.get(i).getName() for i in range(cs.getSize())]
    out = []
    for k in range(sto.getSize()):
        t = sto.getStateVector(k).getTime()
        if t < raw.getFirstTime() - 1e-6 or t > raw.getLastTime() + 1e-6:
            continue
        sv = sto.getStateVector(k).getData()
        dv = dsto.getStateVector(k).getData()
        assert abs(dsto.getStateVector(k).getTime() - t) < 1e-12
        q = {n: sv.get(labels.index(n) - 1) for n in names}
        u = {n: dv.get(dlabels.index(n) - 1) for n in names}
        out.append({"time": t, "q": q, "u": u})
    return out


def optimal_force(f):
    for cls in (osim.CoordinateActuator, osim.PointActuator, osim.TorqueActuator):
        a = cls.safeDownCast(f)
        if a is not None:
            return a.getOptimalForce()
    raise TypeError(f.getConcreteClassName())


def read_sto_dict(path):
    _, labels, data = C.read_storage_text(path)
    return labels, data


def run():
    model = C.load_model()
    model.initSystem()
    tmpdir = tempfile.mkdtemp(prefix="exosim_so_")
    try:
        ext = ID.write_external_loads_copy(tmpdir)
        log_path = os.path.join(tmpdir, "so_runs.log")
        osim.Logger.addFileSink(log_path)          # to count optimizer failures
        load_before = [round(x, 2) for x in os.getloadavg()]
        times = []
        results = []
        for i in range(N_TIMED_RUNS):
            setup, res = build_setup(tmpdir, ext, f"so_run{i}", [so_analysis()])
            # model load: silence the missing-.vtp warnings, except on the first
            # load, whose warnings prove that the log file sink works
            osim.Logger.setLevelString("warn" if i == 0 else "error")
            tool = osim.AnalyzeTool(setup, True)      # loads the model and appends the reserve actuators
            C.quiet_logger()                          # warnings (e.g. optimizer failures) stay visible during run()
            t0 = time.perf_counter()
            ok = tool.run()
            dt = time.perf_counter() - t0
            assert ok, "AnalyzeTool.run() returned false"
            times.append(dt)
            results.append(res)
            print(f"  SO run {i}: {dt:.3f} s")
        osim.Logger.removeFileSink()
        with open(log_path) as f:
            log_text = f.read()
        assert "Couldn't find file" in log_text, "log file sink did not capture warnings"
        n_failed = log_text.count("OPTIMIZATION FAILED")
        act = os.path.join(results[-1], f"so_run{N_TIMED_RUNS-1}_StaticOptimization_activation.sto")
        frc = os.path.join(results[-1], f"so_run{N_TIMED_RUNS-1}_StaticOptimization_force.sto")
        identical = all(
            filecmp.cmp(act, os.path.join(results[i], f"so_run{i}_StaticOptimization_activation.sto"), shallow=False)
            for i in range(N_TIMED_RUNS - 1))
        shutil.copyfile(act, os.path.join(C.OUT_DIR, "static_optimization_activation.sto"))
        shutil.copyfile(frc, os.path.join(C.OUT_DIR, "static_optimization_force.sto"))
        print("  wrote tests/fixtures/opensim/static_optimization_{activation,force}.sto")
        # Separate (untimed) run with a Kinematics analysis, to check that
        # so_states_qu() reproduces the states the analyses saw.
        setup, res = build_setup(tmpdir, ext, "kin", [kinematics_analysis()])
        osim.Logger.setLevelString("error")
        tool = osim.AnalyzeTool(setup, True)
        C.quiet_logger()
        assert tool.run()
        klab, kq = read_sto_dict(os.path.join(res, "kin_Kinematics_q.sto"))
        ulab, ku = read_sto_dict(os.path.join(res, "kin_Kinematics_u.sto"))
        with open(setup) as f:
            setup_xml = f.read()
        with open(os.path.join(tmpdir, "so_run0_setup.xml")) as f:
            so_setup_xml = f.read().replace(tmpdir, "<tmpdir>").replace(C.REPO, "<repo>")
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)

    qu = so_states_qu(model)
    assert len(qu) == kq.shape[0], (len(qu), kq.shape)
    dq = du = 0.0
    for k, fr in enumerate(qu):
        for n in fr["q"]:
            dq = max(dq, abs(fr["q"][n] - kq[k, klab.index(n)]))
            du = max(du, abs(fr["u"][n] - ku[k, ulab.index(n)]))
    assert dq < 1e-6 and du < 1e-5, (dq, du)

    alab, adata = read_sto_dict(os.path.join(C.OUT_DIR, "static_optimization_activation.sto"))
    flab, fdata = read_sto_dict(os.path.join(C.OUT_DIR, "static_optimization_force.sto"))
    n_frames = int(adata.shape[0])
    cpu = C.cpu_info()
    muscles = model.getMuscles()
    mnames = [muscles.get(i).getName() for i in range(muscles.getSize())]
    rs = osim.ForceSet(C.RESERVE_FILE)
    reserves = [rs.get(i).getName() for i in range(rs.getSize())]
    assert all(r in flab for r in reserves)
    ext_cols = [l for l in flab if l != "time" and l not in mnames and l not in reserves]
    doc = C.fixture_header(
        "OpenSim static optimization of the subject01 walking trial (AnalyzeTool + StaticOptimization), with the gait10dof reserve/residual actuators "
        "appended to the model's 18 muscles. The solution itself is in static_optimization_activation.sto (muscle activations and reserve controls) "
        "and static_optimization_force.sto (muscle forces in N, reserve generalised forces = control * optimal_force).",
        "fx_static_optimization.py",
        {"time": "s", "activation": "dimensionless (muscles); reserve columns are controls (dimensionless, force = control * optimal_force)",
         "force": "N for muscles and point actuators FX/FY, N m for MZ and the coordinate reserves", "wall_clock": "s"},
        tool_settings=TOOL_SETTINGS,
        static_optimization_settings=SO_SETTINGS,
        settings_source=(
            "opensim-models (commit 20a888b) has no static-optimization setup in Pipelines/Gait10dof18musc; the closest is its "
            "notebooks/tutorials 'Tutorial 6 - Static Optimization' on the same subject and trial: AnalyzeTool with replace_force_set = false, "
            "the IK .mot, subject01_walk_grf.xml, a 6 Hz low-pass, a StaticOptimization with OpenSim's defaults (activation exponent 2, "
            "use_muscle_physiology true, convergence 1e-4, 100 iterations, step interval 1) and an actuator file appended. "
            "The tutorial uses gait10dof18musc_Strong_actuators.xml (optimal_force 100 for every reserve) and the window 0.3..1.5 s; here, as asked, "
            "the pipeline's gait10dof_Reserve_Actuators.xml (optimal_force 1 for the coordinate reserves, FX 1, FY 2, MZ 1) and the whole trial 0..2.5 s."),
        how_opensim_treats_the_muscles=(
            "With use_muscle_physiology = true, StaticOptimizationTarget uses muscle.calcInextensibleTendonActiveFiberForce(state, 1.0) as each muscle's "
            "'optimal force' (active force along a RIGID tendon at activation 1, including force-length, force-velocity from the path lengthening speed, "
            "and pennation) and adds the rigid-tendon passive force; the cost is sum(|activation|^2) over all actuators (reserves included); "
            "bounds are each actuator's min/max control (muscles 0.01..1, reserves unbounded); IPOPT (SimTK::InteriorPoint) with warm start. "
            "q come from the filtered samples and u from a quintic GCV spline (see states_note); the accelerations it must match are the derivative of a second GCV spline through u."),
        states_note=(
            "AnalyzeTool: Storage(IK).pad(nrows/2); lowpassIIR(6 Hz); degrees -> radians; q = filtered samples; u = d/dt of GCVSplineSet(5) through q "
            f"(SimbodyEngine::formCompleteStorages). Reproduced in Python by so_states_qu() and checked against a Kinematics analysis run with the same settings: "
            f"max |dq| = {dq:.3g} rad, max |du| = {du:.3g} rad/s (the Kinematics .sto has 8 decimals). The frame times are those of the filtered storage "
            f"(shifted by about -5e-7 s from the IK times)."),
        reserve_columns=reserves,
        reserve_optimal_force={rs.get(i).getName(): optimal_force(rs.get(i)) for i in range(rs.getSize())},
        external_load_columns_in_force_file=ext_cols,
        external_load_columns_note="The force file also lists the two ExternalForces (force, point, torque of each plate as applied), because AnalyzeTool adds them to the model's force set.",
        muscle_columns=mnames,
        frames_solved=n_frames,
        optimizer_failures_logged_over_all_timed_runs=n_failed,
        frame_times_first_last=[float(adata[0, 0]), float(adata[-1, 0])],
        timing={
            "call": "time.perf_counter() around AnalyzeTool.run() only; the tool was constructed from its setup XML with AnalyzeTool(setup, True), which loads the model and appends the reserves before timing starts",
            "runs_seconds": times,
            "best_seconds": min(times),
            "frames": n_frames,
            "seconds_per_frame_best": min(times) / n_frames,
            "runs_gave_identical_activation_files": bool(identical),
            "logger_level_during_runs": "warn (OpenSim's default 'info' would also print per-frame optimizer performance, which costs time)",
            "note": "the machine (2 cores) was shared with other work (Rust builds) while timing: see the load average; thread use inside OpenSim/IPOPT was not controlled",
            "load_average_1_5_15_min_before_timing": load_before,
            **cpu,
        },
        activation_summary={m: {"min": float(np.min(adata[:, alab.index(m)])), "max": float(np.max(adata[:, alab.index(m)])),
                                "mean": float(np.mean(adata[:, alab.index(m)]))} for m in mnames},
        reserve_force_summary={r: {"min": float(np.min(fdata[:, flab.index(r)])), "max": float(np.max(fdata[:, flab.index(r)])),
                                   "mean_abs": float(np.mean(np.abs(fdata[:, flab.index(r)])))} for r in reserves},
        setup_xml=so_setup_xml,
    )
    C.write_json("static_optimization.json", doc)
    print("  SO best run: %.3f s, %d frames, %.4f s/frame" % (min(times), n_frames, min(times) / n_frames))
    return qu


if __name__ == "__main__":
    run()
