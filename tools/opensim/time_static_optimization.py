"""Times OpenSim's static optimization (AnalyzeTool + StaticOptimization) on the shared trial, three runs, without
writing anything in the repository. Run: /work/venv-opensim/bin/python tools/opensim/time_static_optimization.py
"""
import os, sys, time, tempfile, shutil
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import opensim as osim
import common as C
import fx_inverse_dynamics as ID
import fx_static_optimization as SO
tmp = tempfile.mkdtemp(prefix="so_time_")
try:
    ext = ID.write_external_loads_copy(tmp)
    for i in range(3):
        setup, res = SO.build_setup(tmp, ext, f"t{i}", [SO.so_analysis()])
        osim.Logger.setLevelString("error")
        tool = osim.AnalyzeTool(setup, True)
        C.quiet_logger()
        t0 = time.perf_counter(); ok = tool.run(); dt = time.perf_counter() - t0
        print(f"run {i}: {dt:.3f} s, {dt/151*1e3:.1f} ms per frame, ok={ok}")
finally:
    shutil.rmtree(tmp)
