"""Fixtures 3 and 4: muscle_curves.json and isometric.json."""

import numpy as np
import opensim as osim

import common as C

N_SAMPLES = 60
AFL_RANGE = (0.3, 1.9)
FV_RANGE = (-1.0, 1.0)
FPE_RANGE = (0.8, 1.9)
TFL_RANGE = (0.99, 1.06)

ISOMETRIC_POSE_IDS = [f"trial_{k:02d}" for k in range(0, 50, 5)] + ["random_00", "random_01"]


def millard(m):
    mm = osim.Millard2012EquilibriumMuscle.safeDownCast(m)
    assert mm is not None, m.getName()
    return mm


def muscle_properties(mm, state):
    return {
        "class": mm.getConcreteClassName(),
        "max_isometric_force": mm.getMaxIsometricForce(),
        "optimal_fiber_length": mm.getOptimalFiberLength(),
        "tendon_slack_length": mm.getTendonSlackLength(),
        "pennation_angle_at_optimal": mm.getPennationAngleAtOptimalFiberLength(),
        "max_contraction_velocity": mm.getMaxContractionVelocity(),
        "activation_time_constant": mm.getActivationTimeConstant(),
        "deactivation_time_constant": mm.getDeactivationTimeConstant(),
        "ignore_tendon_compliance": bool(mm.get_ignore_tendon_compliance()),
        "ignore_activation_dynamics": bool(mm.get_ignore_activation_dynamics()),
        "fiber_damping": mm.getFiberDamping(),
        "use_fiber_damping": bool(mm.getUseFiberDamping()),
        "minimum_activation": mm.getMinimumActivation(),
        "default_activation": mm.getDefaultActivation(),
        "default_fiber_length": mm.getDefaultFiberLength(),
        "maximum_pennation_angle": mm.get_maximum_pennation_angle(),
        "minimum_fiber_length": mm.getMinimumFiberLength(),
        "minimum_fiber_length_along_tendon": mm.getMinimumFiberLengthAlongTendon(),
        "min_control": mm.getMinControl(),
        "max_control": mm.getMaxControl(),
        "optimal_force": mm.getOptimalForce(),
    }


def curve_params(mm):
    afl = mm.getActiveForceLengthCurve()
    fv = mm.getForceVelocityCurve()
    fpe = mm.getFiberForceLengthCurve()
    tfl = mm.getTendonForceLengthCurve()
    return {
        "ActiveForceLengthCurve": {
            "min_norm_active_fiber_length": afl.getMinActiveFiberLength(),
            "transition_norm_fiber_length": afl.getTransitionFiberLength(),
            "max_norm_active_fiber_length": afl.getMaxActiveFiberLength(),
            "shallow_ascending_slope": afl.getShallowAscendingSlope(),
            "minimum_value": afl.getMinValue(),
        },
        "ForceVelocityCurve": {
            "concentric_slope_at_vmax": fv.getConcentricSlopeAtVmax(),
            "concentric_slope_near_vmax": fv.getConcentricSlopeNearVmax(),
            "isometric_slope": fv.getIsometricSlope(),
            "eccentric_slope_at_vmax": fv.getEccentricSlopeAtVmax(),
            "eccentric_slope_near_vmax": fv.getEccentricSlopeNearVmax(),
            "max_eccentric_velocity_force_multiplier": fv.getMaxEccentricVelocityForceMultiplier(),
            "concentric_curviness": fv.getConcentricCurviness(),
            "eccentric_curviness": fv.getEccentricCurviness(),
        },
        "FiberForceLengthCurve": {
            "strain_at_zero_force": fpe.getStrainAtZeroForce(),
            "strain_at_one_norm_force": fpe.getStrainAtOneNormForce(),
            "stiffness_at_low_force_in_use": fpe.getStiffnessAtLowForceInUse(),
            "stiffness_at_one_norm_force_in_use": fpe.getStiffnessAtOneNormForceInUse(),
            "curviness_in_use": fpe.getCurvinessInUse(),
        },
        "TendonForceLengthCurve": {
            "strain_at_one_norm_force": tfl.getStrainAtOneNormForce(),
            "stiffness_at_one_norm_force_in_use": tfl.getStiffnessAtOneNormForceInUse(),
            "norm_force_at_toe_end_in_use": tfl.getNormForceAtToeEndInUse(),
            "curviness_in_use": tfl.getCurvinessInUse(),
        },
    }


def sample(curve, lo, hi):
    xs = np.linspace(lo, hi, N_SAMPLES)
    return {
        "x": [float(x) for x in xs],
        "value": [curve.calcValue(float(x)) for x in xs],
        "derivative": [curve.calcDerivative(float(x), 1) for x in xs],
    }


def curve_samples(mm):
    return {
        "ActiveForceLengthCurve": sample(mm.getActiveForceLengthCurve(), *AFL_RANGE),
        "ForceVelocityCurve": sample(mm.getForceVelocityCurve(), *FV_RANGE),
        "FiberForceLengthCurve": sample(mm.getFiberForceLengthCurve(), *FPE_RANGE),
        "TendonForceLengthCurve": sample(mm.getTendonForceLengthCurve(), *TFL_RANGE),
    }


def run_curves():
    model = C.load_model()
    state = model.initSystem()
    muscles = model.getMuscles()
    props, params = {}, {}
    for i in range(muscles.getSize()):
        mm = millard(muscles.get(i))
        props[mm.getName()] = muscle_properties(mm, state)
        params[mm.getName()] = curve_params(mm)
    # Group muscles by identical curve parameters.
    groups = []
    for name, p in params.items():
        for g in groups:
            if g["parameters"] == p:
                g["muscles"].append(name)
                break
        else:
            groups.append({"muscles": [name], "parameters": p})
    for g in groups:
        g["samples"] = curve_samples(millard(muscles.get(g["muscles"][0])))
    # Sanity check: any muscle of a group gives the same samples.
    for g in groups:
        for name in g["muscles"][1:]:
            assert curve_samples(millard(muscles.get(name))) == g["samples"], name
    doc = C.fixture_header(
        "Millard2012EquilibriumMuscle properties of the 18 muscles of subject01.osim as OpenSim reports them after initSystem(), "
        "their curve parameters read back through the API, and the four normalised curves sampled with calcValue and calcDerivative(x, 1).",
        "fx_muscles.py",
        {"forces": "N", "lengths": "m", "max_contraction_velocity": "optimal fibre lengths per second",
         "time_constants": "s", "angles": "rad", "curve x": "normalised (fibre length / optimal fibre length; fibre velocity / (max_contraction_velocity * optimal_fiber_length); tendon length / tendon slack length)",
         "curve value": "force / max isometric force (dimensionless)", "curve derivative": "d value / d x"},
        all_muscles_share_curve_parameters=(len(groups) == 1),
        curve_groups_note="Muscles are grouped by identical curve parameters (compared exactly); each group is sampled once, with the group's first muscle. "
                          + ("All 18 muscles share one set of curve parameters." if len(groups) == 1 else f"There are {len(groups)} distinct groups."),
        sampling={
            "ActiveForceLengthCurve": f"{N_SAMPLES} points numpy.linspace{AFL_RANGE} in normalised fibre length",
            "ForceVelocityCurve": f"{N_SAMPLES} points numpy.linspace{FV_RANGE} in normalised fibre velocity. OpenSim's sign convention: "
                                  "negative = shortening (concentric; -1 = max_contraction_velocity, multiplier 0 when concentric_slope_at_vmax = 0), "
                                  "positive = lengthening (eccentric; +1 gives max_eccentric_velocity_force_multiplier)",
            "FiberForceLengthCurve": f"{N_SAMPLES} points numpy.linspace{FPE_RANGE} in normalised fibre length (passive, elastic part only; damping is separate)",
            "TendonForceLengthCurve": f"{N_SAMPLES} points numpy.linspace{TFL_RANGE} in normalised tendon length (1 = slack length)",
        },
        opensim_calls={
            "properties": "Millard2012EquilibriumMuscle getters: getMaxIsometricForce, getOptimalFiberLength, getTendonSlackLength, getPennationAngleAtOptimalFiberLength, "
                          "getMaxContractionVelocity, getActivationTimeConstant, getDeactivationTimeConstant, get_ignore_tendon_compliance, get_ignore_activation_dynamics, "
                          "getFiberDamping, getMinimumActivation, getDefaultActivation, getDefaultFiberLength, get_maximum_pennation_angle, getMinimumFiberLength, "
                          "getMinimumFiberLengthAlongTendon, getMinControl, getMaxControl",
            "curve parameters": "muscle.getActiveForceLengthCurve().getMinActiveFiberLength()/getTransitionFiberLength()/getMaxActiveFiberLength()/getShallowAscendingSlope()/getMinValue(); "
                                "getForceVelocityCurve().getConcentricSlopeAtVmax()/... /getConcentricCurviness()/getEccentricCurviness(); "
                                "getFiberForceLengthCurve().getStrainAtZeroForce()/getStrainAtOneNormForce()/getStiffnessAtLowForceInUse()/getStiffnessAtOneNormForceInUse()/getCurvinessInUse(); "
                                "getTendonForceLengthCurve().getStrainAtOneNormForce()/getStiffnessAtOneNormForceInUse()/getNormForceAtToeEndInUse()/getCurvinessInUse()",
            "samples": "curve.calcValue(x) and curve.calcDerivative(x, 1)",
        },
        muscle_properties=props,
        curve_groups=groups,
    )
    C.write_json("muscle_curves.json", doc)


def isometric_case(rigid, poses):
    model = C.load_model()
    muscles = model.getMuscles()
    if rigid:
        for i in range(muscles.getSize()):
            millard(muscles.get(i)).set_ignore_tendon_compliance(True)
    state = model.initSystem()
    names = [muscles.get(i).getName() for i in range(muscles.getSize())]
    out = {}
    for p in poses:
        C.set_pose(model, state, p["q"], None)        # zero speeds
        model.realizeVelocity(state)
        for n in names:
            muscles.get(n).setActivation(state, 1.0)
        model.equilibrateMuscles(state)
        model.realizeVelocity(state)
        for n in names:
            muscles.get(n).setExcitation(state, 1.0)
        model.markControlsAsValid(state)
        model.realizeDynamics(state)
        rec = {}
        for n in names:
            m = muscles.get(n)
            rec[n] = {
                "excitation": m.getExcitation(state),
                "activation": m.getActivation(state),
                "musculotendon_length": m.getLength(state),
                "tendon_force": m.getTendonForce(state),
                "fiber_length": m.getFiberLength(state),
                "normalized_fiber_length": m.getNormalizedFiberLength(state),
                "pennation_angle": m.getPennationAngle(state),
                "active_fiber_force": m.getActiveFiberForce(state),
                "passive_fiber_force": m.getPassiveFiberForce(state),
                "fiber_force": m.getFiberForce(state),
                "fiber_force_along_tendon": m.getFiberForceAlongTendon(state),
                "active_fiber_force_along_tendon": m.getActiveFiberForceAlongTendon(state),
                "passive_fiber_force_along_tendon": m.getPassiveFiberForceAlongTendon(state),
                "tendon_length": m.getTendonLength(state),
                "tendon_strain": m.getTendonStrain(state),
                "fiber_velocity": m.getFiberVelocity(state),
                "active_force_length_multiplier": m.getActiveForceLengthMultiplier(state),
                "force_velocity_multiplier": m.getForceVelocityMultiplier(state),
                "passive_force_multiplier": m.getPassiveForceMultiplier(state),
            }
        out[p["id"]] = rec
    return out


def run_isometric(poses):
    sel = [p for p in poses if p["id"] in ISOMETRIC_POSE_IDS]
    assert len(sel) == len(ISOMETRIC_POSE_IDS)
    doc = C.fixture_header(
        "Isometric muscle states of the 18 Millard2012EquilibriumMuscles of subject01.osim at full activation: for each pose (zero coordinate speeds), "
        "activation = 1 and excitation = 1, model.equilibrateMuscles(state), then the fibre and tendon quantities. Twice: with the model's own tendon "
        "setting (compliant tendons: ignore_tendon_compliance = false in the file) and with set_ignore_tendon_compliance(True) on every muscle (rigid tendons).",
        "fx_muscles.py",
        {"lengths": "m", "forces": "N", "angles": "rad", "velocity": "m/s", "multipliers/strain": "dimensionless"},
        poses={p["id"]: {"q": p["q"], **({"ik_row": p["ik_row"], "time": p["time"]} if "ik_row" in p else {})} for p in sel},
        procedure=[
            "model = Model(subject01.osim); (rigid case: muscle.set_ignore_tendon_compliance(True) for all 18 before initSystem); state = model.initSystem()",
            "for each coordinate: setValue(state, q, enforceConstraints=False), setSpeedValue(state, 0)",
            "model.realizeVelocity(state); muscle.setActivation(state, 1.0) for all muscles (the activation state variable; ignore_activation_dynamics is false)",
            "model.equilibrateMuscles(state) -- for a compliant tendon this is Millard2012EquilibriumMuscle::computeFiberEquilibrium(s, solveForVelocity=false): "
            "the STATIC equilibrium (path lengthening speed taken as 0, fibre velocity 0), Newton iteration, tolerance max(1e-8*Fmax, 10*SignificantReal) N, 200 iterations; "
            "for a rigid tendon it does nothing (fibre length follows from the path length)",
            "model.realizeVelocity(state); muscle.setExcitation(state, 1.0) for all; model.markControlsAsValid(state); model.realizeDynamics(state); read the getters",
        ],
        opensim_calls={
            "tendon_force": "getTendonForce", "fiber_length": "getFiberLength", "normalized_fiber_length": "getNormalizedFiberLength",
            "pennation_angle": "getPennationAngle", "active_fiber_force": "getActiveFiberForce (along the fibre: a*fl*fv*Fmax)",
            "passive_fiber_force": "getPassiveFiberForce (along the fibre: elastic + damping; damping is 0 at zero fibre velocity)",
            "fiber_force": "getFiberForce (along the fibre)", "fiber_force_along_tendon": "getFiberForceAlongTendon (fibre force * cos(pennation))",
            "musculotendon_length": "getLength (= geometry path length)", "others": "getActiveFiberForceAlongTendon, getPassiveFiberForceAlongTendon, getTendonLength, getTendonStrain, getFiberVelocity, getActiveForceLengthMultiplier, getForceVelocityMultiplier, getPassiveForceMultiplier",
        },
        caveats=[
            "Minimum activation of these muscles is 0.01; activation 1 is unaffected by it.",
            "With a compliant tendon the equilibrium is static (zero velocity), so fibre_velocity is ~0 and tendon_force equals fiber_force_along_tendon to the solver tolerance.",
            "A muscle whose path is shorter than its tendon slack length plus its minimum fibre length along the tendon ends at the minimum fibre length (OpenSim logs a warning).",
        ],
        compliant_tendon=isometric_case(False, sel),
        rigid_tendon=isometric_case(True, sel),
    )
    C.write_json("isometric.json", doc)


def run(poses=None):
    if poses is None:
        model = C.load_model()
        model.initSystem()
        poses, _ = C.make_poses(model)
    run_curves()
    run_isometric(poses)


if __name__ == "__main__":
    run()
