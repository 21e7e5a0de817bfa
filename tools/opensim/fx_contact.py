"""Fixture 7: contact.json -- OpenSim's SmoothSphereHalfSpaceForce on a grid of
penetration depths and sphere velocities."""

import math

import numpy as np
import opensim as osim

import common as C

CONTACT_SEED = 20261207

# Falisse et al. (2019) contact parameters, as in their code:
# antoinefalisse/3dpredictsim, ExternalFunctions/PredSim.cpp (radiusSphere = 0.032,
# stiffness = 1000000, dissipation = 2.0, staticFriction = 0.8, dynamicFriction = 0.8,
# viscousFriction = 0.5, transitionVelocity = 0.2, normal (0, 1, 0)).
# constant_contact_force, hertz_smoothing and hunt_crossley_smoothing are OpenSim's
# SmoothSphereHalfSpaceForce defaults (1e-5, 300, 50), the values Falisse et al.'s
# smooth Hunt-Crossley formulation uses and OpenSim's own 2D_gait.osim Moco example keeps.
PARAMS = {
    "stiffness": 1.0e6,
    "dissipation": 2.0,
    "static_friction": 0.8,
    "dynamic_friction": 0.8,
    "viscous_friction": 0.5,
    "transition_velocity": 0.2,
    "constant_contact_force": 1.0e-5,
    "hertz_smoothing": 300.0,
    "hunt_crossley_smoothing": 50.0,
}
RADIUS = 0.032

DEPTHS_MM = [-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0, 3.0, 5.0, 7.5, 10.0, 15.0, 20.0]
NORMAL_V = [-0.5, -0.3, -0.1, 0.0, 0.1, 0.2, 0.3, 0.4, 0.5]
TANGENT_V = [-1.0, -0.5, -0.2, -0.1, -0.02, 0.0, 0.02, 0.1, 0.2, 0.5, 1.0]
N_RANDOM = 40


def build():
    model = osim.Model()   # empty model
    model.setName("contact_fixture")
    model.setGravity(osim.Vec3(0, -9.80665, 0))
    ball = osim.Body("ball", 1.0, osim.Vec3(0), osim.Inertia(1e-3, 1e-3, 1e-3))
    model.addBody(ball)
    joint = osim.FreeJoint("free", model.getGround(), osim.Vec3(0), osim.Vec3(0), ball, osim.Vec3(0), osim.Vec3(0))
    model.addJoint(joint)
    sphere = osim.ContactSphere(RADIUS, osim.Vec3(0), ball, "sphere")
    model.addContactGeometry(sphere)
    # As in OpenSim's gait examples (2D_gait.osim 'floor'): Simbody's half-space
    # occupies x > 0 of its own frame (outward normal -x); rotated by -pi/2
    # about z, its outward normal is ground +Y and the solid is y < 0.
    floor = osim.ContactHalfSpace(osim.Vec3(0), osim.Vec3(0, 0, -math.pi / 2), model.getGround(), "floor")
    model.addContactGeometry(floor)
    f = osim.SmoothSphereHalfSpaceForce("contact", sphere, floor)
    f.set_stiffness(PARAMS["stiffness"])
    f.set_dissipation(PARAMS["dissipation"])
    f.set_static_friction(PARAMS["static_friction"])
    f.set_dynamic_friction(PARAMS["dynamic_friction"])
    f.set_viscous_friction(PARAMS["viscous_friction"])
    f.set_transition_velocity(PARAMS["transition_velocity"])
    f.set_constant_contact_force(PARAMS["constant_contact_force"])
    f.set_hertz_smoothing(PARAMS["hertz_smoothing"])
    f.set_hunt_crossley_smoothing(PARAMS["hunt_crossley_smoothing"])
    model.addForce(f)
    state = model.initSystem()
    return model, state, joint, ball, f


def evaluate(model, state, joint, ball, force, pos, lin_vel, ang_vel_coords):
    """pos/lin_vel: sphere centre position / velocity in ground (the ball's
    origin is the sphere centre); ang_vel_coords: speeds of the three
    rotational FreeJoint coordinates (read back as the actual angular velocity)."""
    cs = [joint.get_coordinates(i) for i in range(6)]
    for i in range(3):
        cs[i].setValue(state, 0.0, False)
        cs[i].setSpeedValue(state, ang_vel_coords[i])
        cs[3 + i].setValue(state, pos[i], False)
        cs[3 + i].setSpeedValue(state, lin_vel[i])
    model.realizeDynamics(state)
    sv = ball.getVelocityInGround(state)
    centre = C.vec3(ball.getPositionInGround(state))
    rv = force.getRecordValues(state)
    vals = [rv.get(i) for i in range(rv.getSize())]
    return centre, C.vec3(sv.get(1)), C.vec3(sv.get(0)), vals


def run():
    model, state, joint, ball, force = build()
    labels_arr = force.getRecordLabels()
    labels = [labels_arr.get(i) for i in range(labels_arr.getSize())]
    coord_names = [joint.get_coordinates(i).getName() for i in range(6)]
    grid = {"depth": [], "normal_velocity": [], "tangential_velocity": [], "record_values": []}
    for d_mm in DEPTHS_MM:
        d = d_mm / 1000.0
        for vn in NORMAL_V:
            for vt in TANGENT_V:
                centre, v, w, vals = evaluate(model, state, joint, ball, force,
                                              [0.0, RADIUS - d, 0.0], [vt, vn, 0.0], [0.0, 0.0, 0.0])
                assert abs(centre[1] - (RADIUS - d)) < 1e-15 and abs(v[0] - vt) < 1e-15 and abs(v[1] - vn) < 1e-15
                grid["depth"].append(d)
                grid["normal_velocity"].append(vn)
                grid["tangential_velocity"].append(vt)
                grid["record_values"].append(vals)
    rng = np.random.default_rng(CONTACT_SEED)
    rand = {"sphere_centre": [], "linear_velocity": [], "angular_velocity": [], "depth": [], "record_values": []}
    for _ in range(N_RANDOM):
        d = float(rng.uniform(-0.002, 0.02))
        x, z = float(rng.uniform(-0.5, 0.5)), float(rng.uniform(-0.5, 0.5))
        v = [float(rng.uniform(-1, 1)), float(rng.uniform(-0.5, 0.5)), float(rng.uniform(-1, 1))]
        wq = [float(rng.uniform(-10, 10)) for _ in range(3)]
        centre, lv, av, vals = evaluate(model, state, joint, ball, force, [x, RADIUS - d, z], v, wq)
        rand["sphere_centre"].append(centre)
        rand["linear_velocity"].append(lv)
        rand["angular_velocity"].append(av)
        rand["depth"].append(RADIUS - centre[1])
        rand["record_values"].append(vals)

    doc = C.fixture_header(
        "OpenSim's SmoothSphereHalfSpaceForce (smooth Hunt-Crossley sphere-on-plane contact with Stribeck-like friction; "
        "Serrancoli et al. 2019 / Falisse et al. 2019) for one sphere on a floor: forces and torques over a grid of penetration depth, "
        "normal velocity and tangential velocity, plus seeded random cases with spin and off-axis motion.",
        "fx_contact.py",
        {"depth": "m (positive = penetration = radius - height of the sphere centre above the floor plane y = 0)",
         "velocities": "m/s (of the sphere centre, in ground); angular velocity rad/s in ground",
         "forces": "N, in ground", "torques": "N m, in ground, about the body origin = the sphere centre (sphere side) / the ground origin (half-space side)"},
        parameters={**PARAMS, "radius": RADIUS},
        parameter_source=(
            "stiffness 1e6 N/m, dissipation 2.0 s/m, static/dynamic friction 0.8, viscous friction 0.5 s/m, transition velocity 0.2 m/s and radius 0.032 m: "
            "Falisse A, Serrancoli G, Dembia CL, Gillis J, Jonkers I, De Groote F (2019) 'Rapid predictive simulations with complex musculoskeletal models "
            "suggest that diverse healthy and pathological human gaits can emerge from similar control strategies', J R Soc Interface 16:20190402; "
            "values as set in their code, github antoinefalisse/3dpredictsim ExternalFunctions/PredSim.cpp. constant_contact_force 1e-5 N, "
            "hertz_smoothing 300, hunt_crossley_smoothing 50: OpenSim's SmoothSphereHalfSpaceForce defaults (constructProperties), "
            "also in OpenSim's Moco example 2D_gait.osim. The smooth formulation: Serrancoli G, Falisse A, Dembia C, et al. (2019) 'Subject-exoskeleton "
            "contact model calibration leads to accurate interaction force predictions', IEEE TNSRE 27(8):1597-1605."),
        model_setup={
            "body": "'ball', mass 1 kg, inertia diag(1e-3), on a FreeJoint to ground (coordinates " + ", ".join(coord_names) + ")",
            "sphere": f"ContactSphere radius {RADIUS} m at the ball's origin",
            "half_space": "ContactHalfSpace on ground at the origin, orientation (0, 0, -pi/2) (body-fixed XYZ), as OpenSim's gait examples "
                          "(2D_gait.osim 'floor'): outward normal +Y, solid below y = 0",
            "force": "SmoothSphereHalfSpaceForce('contact', sphere, half_space) with the parameters above",
        },
        procedure="FreeJoint rotations 0 with speeds w (random cases only, else 0), translation (x, radius - depth, z) with speeds (vx, vy, vz); "
                  "model.realizeDynamics(state); force.getRecordValues(state). Velocities are read back with ball.getVelocityInGround(state).",
        record_labels=labels,
        record_labels_note="getRecordValues gives the SimTK body forces of the two bodies, in ground: [0:3] force on the sphere's body, [3:6] torque on it "
                           "about its origin (the sphere centre), [6:9] force on the half-space's body (ground), [9:12] torque on ground about the ground origin. "
                           "No contact point is reported; it follows from Simbody's code (SmoothSphereHalfSpaceForceImpl::calcForce): "
                           "p = centre + (radius - depth/2) * n with n = -Y (from the centre towards the floor), and the torque on the sphere is (p - centre) x F.",
        formula_notes=[
            "Simbody SmoothSphereHalfSpaceForceImpl::calcForce (OpenSim 4.6): indentation d = radius - (height of centre above the plane); "
            "k = 0.5 * stiffness^(2/3); fH = (4/3) k sqrt(radius k) (sqrt(d^2 + cf))^(3/2); fH_smooth = fH (1/2 + 1/2 tanh(bd d)); "
            "v = velocity of the contact point of the sphere minus that of the half-space, at p; vnormal = v . n (n pointing INTO the floor, so approaching > 0); "
            "fHC = fH_smooth (1 + 1.5 c vnormal); fHC_smooth = fHC (1/2 + 1/2 tanh(bv (vnormal + 2/(3c)))); force = fHC_smooth n; "
            "vtangent = v - vnormal n; vslip = sqrt(|vtangent|^2 + cf); vrel = vslip / vt; "
            "ff = fHC_smooth (min(vrel, 1) (ud + 2 (us - ud) / (1 + vrel^2)) + uv vslip); force += ff vtangent / vslip; "
            "the sphere receives -force at p, the half-space +force. cf = constant_contact_force, bd = hertz_smoothing, bv = hunt_crossley_smoothing, "
            "c = dissipation, us/ud/uv = static/dynamic/viscous friction, vt = transition_velocity.",
            "Note that cf (1e-5) appears both inside the Hertz square root (in m^2) and in the slip speed (in m^2/s^2), and min(vrel, 1) makes the friction only C0 at vslip = vt.",
        ],
        grid_layout="grid.record_values[i] (12 values, labels above) belongs to grid.depth[i], grid.normal_velocity[i] (sphere centre's +Y velocity: negative = approaching the floor), "
                    "grid.tangential_velocity[i] (sphere centre's +X velocity); Z velocity and spin are 0. Order: depth outer, normal velocity middle, tangential inner.",
        grid_axes={"depth_m": [d / 1000.0 for d in DEPTHS_MM], "normal_velocity": NORMAL_V, "tangential_velocity": TANGENT_V},
        grid=grid,
        random_cases_note=f"{N_RANDOM} cases, numpy.random.default_rng({CONTACT_SEED}): depth ~ U(-0.002, 0.02) m, x, z ~ U(-0.5, 0.5) m, "
                          "velocity ~ (U(-1,1), U(-0.5,0.5), U(-1,1)) m/s, rotational FreeJoint speeds ~ U(-10, 10) rad/s (at zero rotation); "
                          "the actual angular and linear velocity of the sphere centre are recorded.",
        random_cases=rand,
    )
    C.write_json("contact.json", doc)


if __name__ == "__main__":
    run()
