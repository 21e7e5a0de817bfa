"""Fixture 6: metabolics.json -- OpenSim's Umberger2010 and Bhargava2004 muscle
metabolics probes on the static-optimization muscle states."""

import os

import numpy as np
import opensim as osim

import common as C
import fx_static_optimization as SO

N_DETAIL_FRAMES = 41      # SO frames round(linspace(0, 150, 41)) in full detail

UMB_COMPONENTS = {        # probe name suffix -> flags switched on (all others off)
    "activation_maintenance": ["activation_maintenance_rate_on"],
    "shortening": ["shortening_rate_on"],
    "mechanical_work": ["mechanical_work_rate_on"],
    "basal": ["basal_rate_on"],
}
UMB_FLAGS = ["activation_maintenance_rate_on", "shortening_rate_on", "basal_rate_on", "mechanical_work_rate_on"]
BHA_FLAGS = ["activation_rate_on", "maintenance_rate_on", "shortening_rate_on", "basal_rate_on", "mechanical_work_rate_on"]
BHA_COMPONENTS = {
    "activation": ["activation_rate_on"],
    "maintenance": ["maintenance_rate_on"],
    "shortening": ["shortening_rate_on"],
    "mechanical_work": ["mechanical_work_rate_on"],
    "basal": ["basal_rate_on"],
}


def set_flag(probe, flag, value):
    getattr(probe, "set_" + flag)(value)


_SOURCE_MODELS = []   # keep subject01_metabolics.osim alive: a probe clone holds pointers into its muscles until re-connected


def umberger_from_file():
    m = C.load_model(C.METABOLICS_MODEL_FILE)
    m.initSystem()
    _SOURCE_MODELS.append(m)
    p = osim.Umberger2010MuscleMetabolicsProbe.safeDownCast(m.getProbeSet().get("metabolics"))
    return p.clone()   # already the concrete type, owned by Python until addProbe adopts it


def _parse_value(text):
    t = (text or "").strip()
    if t in ("true", "false"):
        return t == "true"
    parts = t.split()
    try:
        vals = [float(x) for x in parts]
    except ValueError:
        return t
    if any(v != v for v in vals):      # NaN (e.g. provided_muscle_mass unused)
        return None
    return vals[0] if len(vals) == 1 else vals


def probe_options(probe):
    """Every property of the probe as OpenSim holds it: printed to XML with
    setSerializeAllDefaults(True) (so defaults are written too) and parsed.
    (The Python bindings do not wrap the per-muscle parameter Set's
    accessors, so this is the way to read them back.)"""
    import tempfile
    import xml.etree.ElementTree as ET
    fd, path = tempfile.mkstemp(suffix=".xml")
    os.close(fd)
    try:
        probe.setSerializeAllDefaults(True)
        probe.printToXML(path)
    finally:
        probe.setSerializeAllDefaults(False)
    root = ET.parse(path).getroot()
    os.remove(path)
    node = root[0]
    out = {"class": node.tag}
    for child in node:
        if child.tag == "components":
            continue
        if child.tag.endswith("MetabolicMuscleParameterSet"):
            muscles = {}
            for mp in child.find("objects"):
                muscles[mp.get("name")] = {c.tag: _parse_value(c.text) for c in mp}
            out["muscles"] = muscles
        elif len(child):
            fn = child[0] if child.tag != "PiecewiseLinearFunction" else child
            d = {"type": fn.tag}
            for c in fn:
                d[c.tag] = _parse_value(c.text)
            out[child.tag] = d
        else:
            out[child.tag] = _parse_value(child.text)
    return out


BHA_DEFAULT_CONSTANTS = {   # Bhargava2004MuscleMetabolicsProbe_MetabolicMuscleParameter::constructProperties defaults
    "activation_constant_slow_twitch": 40.0,
    "activation_constant_fast_twitch": 133.0,
    "maintenance_constant_slow_twitch": 74.0,
    "maintenance_constant_fast_twitch": 111.0,
}


def make_bhargava(umb_opts):
    """Bhargava2004 probe over the same muscles with the same slow-twitch
    ratios; every other parameter at OpenSim's default; all components on."""
    b = osim.Bhargava2004MuscleMetabolicsProbe()
    b.setName("bhargava")
    for f in BHA_FLAGS:
        set_flag(b, f, True)
    b.set_report_total_metabolics_only(False)
    k = BHA_DEFAULT_CONSTANTS
    for name, mp in umb_opts["muscles"].items():
        b.addMuscle(name, mp["ratio_slow_twitch_fibers"],
                    k["activation_constant_slow_twitch"], k["activation_constant_fast_twitch"],
                    k["maintenance_constant_slow_twitch"], k["maintenance_constant_fast_twitch"])
    return b


def build_model(rigid):
    model = C.load_model()
    muscles = model.getMuscles()
    if rigid:
        for i in range(muscles.getSize()):
            osim.Millard2012EquilibriumMuscle.safeDownCast(muscles.get(i)).set_ignore_tendon_compliance(True)
    umb = umberger_from_file()
    probes = {"umberger": umb}
    for suffix, flags in UMB_COMPONENTS.items():
        p = umberger_from_file()
        p.setName("umberger_" + suffix)
        for f in UMB_FLAGS:
            set_flag(p, f, f in flags)
        probes["umberger_" + suffix] = p
    bha = make_bhargava(probe_options(umb))
    probes["bhargava"] = bha
    for suffix, flags in BHA_COMPONENTS.items():
        p = bha.clone()
        p.setName("bhargava_" + suffix)
        for f in BHA_FLAGS:
            set_flag(p, f, f in flags)
        probes["bhargava_" + suffix] = p
    for name, p in probes.items():
        p.setName(name)
        model.addProbe(p)
    state = model.initSystem()
    # look the probes up again through the model (the Python objects above were adopted)
    def concrete(name):
        p = model.getProbeSet().get(name)
        cls = osim.Umberger2010MuscleMetabolicsProbe if name.startswith("umberger") else osim.Bhargava2004MuscleMetabolicsProbe
        return cls.safeDownCast(p)
    probes = {name: concrete(name) for name in probes}
    return model, state, probes


def outputs(probe, state):
    labels = probe.getProbeOutputLabels()
    vals = probe.getProbeOutputs(state)
    return {labels.get(i): vals.get(i) for i in range(labels.getSize())}


def evaluate(rigid, qu, so_times, so_act, frame_idx):
    model, state, probes = build_model(rigid)
    muscles = model.getMuscles()
    names = [muscles.get(i).getName() for i in range(muscles.getSize())]
    umb = osim.Umberger2010MuscleMetabolicsProbe.safeDownCast(probes["umberger"])
    bha = osim.Bhargava2004MuscleMetabolicsProbe.safeDownCast(probes["bhargava"])
    umb_mass = {n: umb.getMuscleMass(n) for n in names}
    bha_mass = {n: bha.getMuscleMass(n) for n in names}
    frames = {"so_frame": [], "time": [], "q": [], "u": [], "umberger_TOTAL_W": [], "bhargava_TOTAL_W": [],
              "bhargava_BASAL_W": [], "umberger_basal_only_probe_W": []}
    per_muscle = {}
    for n in names:
        m = muscles.get(n)
        per_muscle[n] = {
            "constants": {
                "max_isometric_force": m.getMaxIsometricForce(),
                "optimal_fiber_length": m.getOptimalFiberLength(),
                "max_contraction_velocity": m.getMaxContractionVelocity(),
                "muscle_mass_umberger": umb_mass[n],
                "muscle_mass_bhargava": bha_mass[n],
            },
            "inputs": {}, "umberger_W": {}, "bhargava_W": {}}
    totals = {"time": [], "umberger_TOTAL": [], "bhargava_TOTAL": [], "bhargava_BASAL": []}
    for k in range(len(so_times)):
        fr = qu[k]
        assert abs(fr["time"] - so_times[k]) < 1e-6, (fr["time"], so_times[k])
        state.setTime(fr["time"])
        C.set_pose(model, state, fr["q"], fr["u"])
        model.realizeVelocity(state)
        for n in names:
            muscles.get(n).setActivation(state, so_act[n][k])
        if not rigid:
            # OpenSim's equilibrium: static (see README -- with a compliant
            # tendon Millard's fibre velocity then comes out ~0).
            model.equilibrateMuscles(state)
        model.realizeVelocity(state)
        for n in names:
            muscles.get(n).setExcitation(state, so_act[n][k])
        model.markControlsAsValid(state)
        model.realizeReport(state)
        outs = {pn: outputs(p, state) for pn, p in probes.items()}
        totals["time"].append(fr["time"])
        totals["umberger_TOTAL"].append(outs["umberger"]["umberger_TOTAL"])
        totals["bhargava_TOTAL"].append(outs["bhargava"]["bhargava_TOTAL"])
        totals["bhargava_BASAL"].append(outs["bhargava"]["bhargava_BASAL"])
        if k not in frame_idx:
            continue
        frames["so_frame"].append(k)
        frames["time"].append(fr["time"])
        frames["q"].append(fr["q"])
        frames["u"].append(fr["u"])
        frames["umberger_TOTAL_W"].append(outs["umberger"]["umberger_TOTAL"])
        frames["bhargava_TOTAL_W"].append(outs["bhargava"]["bhargava_TOTAL"])
        frames["bhargava_BASAL_W"].append(outs["bhargava"]["bhargava_BASAL"])
        for n in names:
            m = muscles.get(n)
            rec = per_muscle[n]
            vals = {
                "excitation": m.getExcitation(state),
                "activation": m.getActivation(state),
                "fiber_length": m.getFiberLength(state),
                "normalized_fiber_length": m.getNormalizedFiberLength(state),
                "fiber_velocity": m.getFiberVelocity(state),
                "normalized_fiber_velocity": m.getNormalizedFiberVelocity(state),
                "active_fiber_force": m.getActiveFiberForce(state),
                "passive_fiber_force": m.getPassiveFiberForce(state),
                "fiber_force": m.getFiberForce(state),
                "tendon_force": m.getTendonForce(state),
                "pennation_angle": m.getPennationAngle(state),
                "active_force_length_multiplier": m.getActiveForceLengthMultiplier(state),
                "musculotendon_lengthening_speed": m.getLengtheningSpeed(state),
            }
            for key, v in vals.items():
                rec["inputs"].setdefault(key, []).append(v)
            rec["umberger_W"].setdefault("total", []).append(outs["umberger"]["umberger_" + n])
            for suffix in UMB_COMPONENTS:
                if suffix != "basal":
                    rec["umberger_W"].setdefault(suffix, []).append(outs["umberger_" + suffix]["umberger_" + suffix + "_" + n])
            rec["bhargava_W"].setdefault("total", []).append(outs["bhargava"]["bhargava_" + n])
            for suffix in BHA_COMPONENTS:
                if suffix != "basal":
                    rec["bhargava_W"].setdefault(suffix, []).append(outs["bhargava_" + suffix]["bhargava_" + suffix + "_" + n])
        frames["umberger_basal_only_probe_W"].append(outs["umberger_basal"]["umberger_basal_BASAL"])
    t = np.array(totals["time"])
    u = np.array(totals["umberger_TOTAL"])
    b = np.array(totals["bhargava_TOTAL"])
    summary = {
        "frames": len(t),
        "umberger_whole_body_mean_W": float(np.mean(u)),
        "umberger_whole_body_mean_W_per_kg": float(np.mean(u) / C.SUBJECT_MASS_KG),
        "umberger_whole_body_time_average_trapezoid_W": float(np.trapezoid(u, t) / (t[-1] - t[0])),
        "bhargava_whole_body_mean_W_including_basal": float(np.mean(b)),
        "bhargava_whole_body_mean_W_per_kg_including_basal": float(np.mean(b) / C.SUBJECT_MASS_KG),
        "bhargava_basal_W": float(totals["bhargava_BASAL"][0]),
        "how": "umberger_TOTAL output of the Umberger probe (as in the file: basal off) = sum over the 18 muscles of each muscle's total; "
               "mean = arithmetic mean over all 151 SO frames (uniform 1/60 s spacing); trapezoid = np.trapezoid(total, time) / duration. "
               "W/kg divides by 72.6 kg. Bhargava TOTAL includes its basal term (1.2 W/kg * model mass).",
    }
    return {"muscle_mass_umberger_kg": umb_mass, "muscle_mass_bhargava_kg": bha_mass,
            "frames": frames, "muscles": per_muscle, "whole_body_per_frame_W": totals, "whole_body_summary": summary}


def run(qu=None):
    model = C.load_model()
    model.initSystem()
    if qu is None:
        qu = SO.so_states_qu(model)
    alab, adata = SO.read_sto_dict(os.path.join(C.OUT_DIR, "static_optimization_activation.sto"))
    so_times = [float(x) for x in adata[:, 0]]
    muscles = model.getMuscles()
    names = [muscles.get(i).getName() for i in range(muscles.getSize())]
    so_act = {n: [float(x) for x in adata[:, alab.index(n)]] for n in names}
    frame_idx = set(int(i) for i in np.round(np.linspace(0, len(so_times) - 1, N_DETAIL_FRAMES)))

    umb_file_opts = probe_options(umberger_from_file())
    opt_model, _, probes = build_model(True)   # keep the model alive while its probes are read
    umb_opts = probe_options(osim.Umberger2010MuscleMetabolicsProbe.safeDownCast(probes["umberger"]))
    bha_opts = probe_options(osim.Bhargava2004MuscleMetabolicsProbe.safeDownCast(probes["bhargava"]))
    assert umb_opts == umb_file_opts, "probe options changed when added to subject01.osim"

    rigid = evaluate(True, qu, so_times, so_act, frame_idx)
    compliant = evaluate(False, qu, so_times, so_act, frame_idx)

    doc = C.fixture_header(
        "OpenSim's Umberger2010MuscleMetabolicsProbe (copied unchanged from subject01_metabolics.osim) and a Bhargava2004MuscleMetabolicsProbe, "
        "evaluated on subject01.osim's 18 Millard muscles at the static-optimization states of the walking trial: per-muscle totals, each component, "
        "and every muscle quantity the probes read. Two muscle-state variants: 'rigid_tendon' (consistent with how static optimization models the muscles) "
        "and 'compliant_tendon_static_equilibrium' (the model's own compliant tendons, Model.equilibrateMuscles: fibre velocities come out ~0, see procedure).",
        "fx_metabolics.py",
        {"rates": "W (per muscle; whole body sums in W, also W/kg with 72.6 kg)", "lengths": "m", "velocities": "m/s (fibre velocity: negative = shortening)",
         "normalized_fiber_velocity": "fibre velocity / (max_contraction_velocity * optimal_fiber_length)",
         "fiber_velocity_over_optimal_length": "fibre velocity / optimal_fiber_length (1/s) -- what Umberger's shortening heat uses",
         "forces": "N", "angles": "rad", "masses": "kg", "q": "rad or m", "u": "rad/s or m/s"},
        important_model_note=(
            "subject01_metabolics.osim is NOT the same musculature as subject01.osim: its muscles are Thelen2003Muscles with different path points, "
            "optimal fibre lengths and tendon slack lengths (it is Models/Gait10dof18musc/subject01_metabolics.osim of opensim-models, an older scaling). "
            "To evaluate the probe on the SO states, the probe object is cloned from that file unchanged and added to subject01.osim (the SO model). "
            "Hence muscle masses use subject01.osim's max_isometric_force and optimal_fiber_length."),
        umberger_probe_options=umb_opts,
        umberger_probe_options_note=(
            "As read back after adding the probe. The file sets activation_maintenance_rate_on, shortening_rate_on, mechanical_work_rate_on = true, "
            "basal_rate_on = false, aerobic_factor 1.5, report_total_metabolics_only = false, and per muscle ratio_slow_twitch_fibers and use_provided_muscle_mass = false. "
            "It does not set enforce_minimum_heat_rate_per_muscle, use_Bhargava_recruitment_model, include_negative_mechanical_work, forbid_negative_total_power, "
            "specific_tension, density: those take OpenSim 4.6's defaults (true, true, true, true, 0.25e6 N/m^2, 1059.7 kg/m^3)."),
        bhargava_probe_options=bha_opts,
        bhargava_probe_note="Bhargava2004MuscleMetabolicsProbe(); set_activation/maintenance/shortening/basal/mechanical_work_rate_on(True); "
                            "set_report_total_metabolics_only(False); addMuscle(name, ratio_slow_twitch_fibers from the Umberger probe, 40, 133, 74, 111) for the 18 muscles "
                            "(the four constants are the parameter class's own defaults: activation slow/fast twitch 40/133 W/kg, maintenance slow/fast twitch 74/111 W/kg; "
                            "the Python binding's addMuscle needs them explicitly); everything else default. "
                            "normalized_fiber_length_dependence_on_maintenance_rate is OpenSim's default PiecewiseLinearFunction x = (0, 0.5, 1, 1.5, 2), y = (0.5, 0.5, 1, 0, 0); "
                            "outside [0, 2] PiecewiseLinearFunction extrapolates the end segments linearly.",
        options_read_back="both option sets were read back from OpenSim by printing the probe with setSerializeAllDefaults(True) and parsing the XML",
        muscle_mass_formula="use_provided_muscle_mass = false, so mass = (max_isometric_force / specific_tension) * density * optimal_fiber_length "
                            "(Umberger2010/Bhargava2004 MetabolicMuscleParameter::setMuscleMass), specific_tension = 0.25e6 N/m^2, density = 1059.7 kg/m^3; "
                            "read back with probe.getMuscleMass(muscle_name).",
        components_method=(
            "getProbeOutputs gives only per-muscle totals (labels <probe>_TOTAL, <probe>_BASAL, <probe>_<muscle>). Each component comes from a clone of the probe "
            "with only that component switched on (other options identical), evaluated on the same state. Consequences of OpenSim's code that a reimplementation must match: "
            "(1) forbid_negative_total_power = true: AM, S and W are always computed and, if AM+S+W < 0 (per muscle, Umberger in W/kg, Bhargava in W), S is raised so the sum is 0; "
            "the 'shortening' component reported here is that raised value. "
            "(2) enforce_minimum_heat_rate_per_muscle = true applies only when all heat components are on (Umberger: AM and S; Bhargava: A, M and S): "
            "then the heat part (AM+S, or A+M+S) is raised to at least 1 W/kg * muscle mass, so total may exceed the sum of the single-component values. "
            "(3) Umberger with use_Bhargava_recruitment_model = true replaces the slow-twitch ratio by uSlow/(uSlow+uFast), uSlow = r*sin(pi/2*u), "
            "uFast = (1-r)*(1-cos(pi/2*u)), u = excitation (1 if u == 0). "
            "(4) Umberger's A = excitation if excitation > activation else (excitation+activation)/2; here excitation == activation so A = activation."),
        procedure=[
            "SO frames: the 151 rows of static_optimization_activation.sto (8-decimal activations as OpenSim wrote them).",
            "q, u at each frame: exactly the states AnalyzeTool gave static optimization -- Storage(IK).pad(n/2), lowpassIIR(6 Hz), deg->rad, q = filtered samples, "
            "u = first derivative of GCVSplineSet(5) through them (fx_static_optimization.so_states_qu; checked against OpenSim's Kinematics analysis).",
            "state = model.initSystem(); state.setTime(t); coord.setValue(state, q, False); coord.setSpeedValue(state, u); model.realizeVelocity(state)",
            "muscle.setActivation(state, a_SO) -- the activation state variable (ignore_activation_dynamics = false)",
            "rigid_tendon: nothing to equilibrate (set_ignore_tendon_compliance(True) on all muscles before initSystem; fibre length and velocity follow from the path). "
            "compliant_tendon_static_equilibrium: model.equilibrateMuscles(state) = Millard2012EquilibriumMuscle::computeFiberEquilibrium(state, solveForVelocity=false) per muscle: "
            "the fibre length where tendon force = fibre force along the tendon with fibre velocity 0. Millard's compliant-tendon fibre velocity is a function of the state "
            "(activation, fibre length, path length) through the force balance, not of the path speed, so after a static equilibrium it is ~0 (|v| < 1e-7 m/s) whatever the joint "
            "speeds: shortening heat and mechanical work are ~0 in this variant and its whole-body figure is NOT a metabolic estimate; the variant tests the probes at compliant-tendon "
            "fibre lengths only. A velocity-consistent equilibrium is not available from OpenSim 4.6: computeFiberEquilibrium(state, solveForVelocity=true) passes its flag on as "
            "estimateMuscleFiberState's 'staticSolution' argument (Millard2012EquilibriumMuscle.cpp), so it ALSO returns the static solution (checked: identical ~0 fibre velocities). "
            "Use rigid_tendon for the velocity-dependent terms.",
            "model.realizeVelocity(state); muscle.setExcitation(state, a_SO); model.markControlsAsValid(state); model.realizeReport(state); probe.getProbeOutputs(state)",
        ],
        frames_in_detail=f"{len(frame_idx)} SO frames at indices round(linspace(0, {len(so_times)-1}, {N_DETAIL_FRAMES})) (listed in frames.so_frame); whole-body totals for all {len(so_times)} frames in whole_body_per_frame_W",
        layout=("Per variant: 'frames' holds the detail frames' so_frame, time, q, u and whole-body outputs; 'muscles'[name] holds 'constants', and "
                "'inputs', 'umberger_W', 'bhargava_W' as dicts of lists aligned with frames.time. umberger_W: total (the probe as in the file), "
                "activation_maintenance, shortening, mechanical_work (single-component clones). bhargava_W: total (all components incl. the whole-body basal "
                "which is NOT in the per-muscle total but in bhargava_BASAL_W), activation, maintenance, shortening, mechanical_work."),
        rigid_tendon=rigid,
        compliant_tendon_static_equilibrium=compliant,
    )
    C.write_json("metabolics.json", doc)
    print("  Umberger whole body, rigid tendon: %.2f W (%.3f W/kg); compliant/static-eq: %.2f W (%.3f W/kg)" % (
        rigid["whole_body_summary"]["umberger_whole_body_mean_W"], rigid["whole_body_summary"]["umberger_whole_body_mean_W_per_kg"],
        compliant["whole_body_summary"]["umberger_whole_body_mean_W"], compliant["whole_body_summary"]["umberger_whole_body_mean_W_per_kg"]))


if __name__ == "__main__":
    run()
