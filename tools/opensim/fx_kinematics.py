"""Fixtures 1 and 2: kinematics.json and muscle_paths.json."""

import opensim as osim

import common as C


def body_record(body, state):
    mc = body.getMassCenter()
    T = body.getTransformInGround(state)
    sv = body.getVelocityInGround(state)          # SpatialVec: [0] angular, [1] linear (of the origin)
    return {
        "origin_in_ground": C.vec3(body.getPositionInGround(state)),
        "mass_center_in_ground": C.vec3(body.findStationLocationInGround(state, mc)),
        "rotation_in_ground_row_major": C.rot_rowmajor(T.R()),
        "origin_linear_velocity_in_ground": C.vec3(sv.get(1)),
        "angular_velocity_in_ground": C.vec3(sv.get(0)),
        "mass_center_linear_velocity_in_ground": C.vec3(body.findStationVelocityInGround(state, mc)),
    }


def run():
    model = C.load_model()
    state = model.initSystem()
    coords = C.coordinate_info(model)
    coord_names = [c["name"] for c in coords]
    poses, bounds = C.make_poses(model)
    bodies = model.getBodySet()
    assert bodies.getSize() == 12
    body_static = {}
    for i in range(bodies.getSize()):
        b = bodies.get(i)
        body_static[b.getName()] = {"mass": b.getMass(), "mass_center_in_body": C.vec3(b.getMassCenter())}
    muscles = model.getMuscles()
    muscle_names = [muscles.get(i).getName() for i in range(muscles.getSize())]
    cs = model.getCoordinateSet()

    kin_poses = []
    path_poses = []
    for p in poses:
        C.set_pose(model, state, p["q"], p["u"])
        model.realizeVelocity(state)
        rec = {k: p[k] for k in ("id", "source", "ik_row", "time") if k in p}
        rec["q"] = p["q"]
        rec["u"] = p["u"]
        rec["bodies"] = {name: body_record(bodies.get(name), state) for name in C.BODY_NAMES}
        rec["tibia_origin_in_femur"] = {}
        for side in ("r", "l"):
            tib = bodies.get("tibia_" + side)
            fem = bodies.get("femur_" + side)
            rec["tibia_origin_in_femur"][side] = C.vec3(
                tib.findStationLocationInAnotherFrame(state, osim.Vec3(0, 0, 0), fem))
        kin_poses.append(rec)

        mp = {k: p[k] for k in ("id", "source", "ik_row", "time") if k in p}
        mp["muscles"] = {}
        for mname in muscle_names:
            m = muscles.get(mname)
            gp = m.getGeometryPath()
            length = gp.getLength(state)
            speed = gp.getLengtheningSpeed(state)
            assert abs(speed - m.getLengtheningSpeed(state)) < 1e-12
            cp = gp.getCurrentPath(state)
            active = [cp.get(i).getName() for i in range(cp.getSize())]
            mp["muscles"][mname] = {"length": length, "lengthening_speed": speed,
                                    "active_path_points": active}
        # Moment arms last: computeMomentArm works on its own copy of the state,
        # but keep the order so the fields above are unaffected in any case.
        for mname in muscle_names:
            m = muscles.get(mname)
            ma = {}
            for cn in coord_names:
                ma[cn] = m.computeMomentArm(state, cs.get(cn))
            mp["muscles"][mname]["moment_arm"] = ma
        path_poses.append(mp)

    common_meta = {
        "coordinates": coords,
        "n_poses": len(poses),
        "pose_generation": {
            "trial_poses": f"{C.N_TRIAL_POSES} rows of subject01_walk_IK.mot at indices round(linspace(0, nrows-1, {C.N_TRIAL_POSES})), values exactly as in the file (no filtering), degrees converted with numpy.deg2rad for rotational coordinates",
            "random_poses": f"{C.N_RANDOM_POSES} poses, numpy.random.default_rng({C.POSE_SEED}); for each pose, coordinates in model order, value ~ uniform(lo, hi) where [lo, hi] = [min - {C.WIDEN_FRACTION}*span, max + {C.WIDEN_FRACTION}*span] of that coordinate over the IK trial (span = max - min), clipped to the coordinate's range",
            "random_pose_bounds": bounds,
            "speeds": f"every pose (trial and random) gets random speeds from numpy.random.default_rng({C.SPEED_SEED}), drawn pose by pose, coordinate by coordinate in model order: uniform(-{C.MAX_ROT_SPEED}, {C.MAX_ROT_SPEED}) rad/s for rotational, uniform(-{C.MAX_TRANS_SPEED}, {C.MAX_TRANS_SPEED}) m/s for translational coordinates. They are NOT the trial's speeds.",
            "state_setting": "state = model.initSystem(); for each coordinate: coord.setValue(state, q, enforceConstraints=False); coord.setSpeedValue(state, u); then model.realizeVelocity(state). The model has no constraints, so no projection happens.",
        },
    }

    kin = C.fixture_header(
        "Body kinematics of OpenSim's gait10dof18musc subject01 model (assets/models/gait10dof18musc/subject01.osim) at "
        f"{len(poses)} poses with random coordinate speeds: origin, mass centre, orientation, origin velocity and angular velocity of all 12 bodies in ground, and the tibia origin in the femur frame (the knee's coupled translation).",
        "fx_kinematics.py",
        {"q": "rad (rotational) or m (pelvis_tx, pelvis_ty)", "u": "rad/s or m/s",
         "positions": "m", "linear_velocities": "m/s", "angular_velocities": "rad/s",
         "rotation": "dimensionless, 3x3 row-major, maps body-frame components to ground components (v_ground = R v_body)"},
        **common_meta,
        opensim_calls={
            "origin_in_ground": "body.getPositionInGround(state)",
            "mass_center_in_ground": "body.findStationLocationInGround(state, body.getMassCenter())",
            "rotation_in_ground_row_major": "body.getTransformInGround(state).R(), element (i, j) at index 3*i + j",
            "origin_linear_velocity_in_ground": "body.getVelocityInGround(state)[1] (SpatialVec linear part: velocity of the body origin)",
            "angular_velocity_in_ground": "body.getVelocityInGround(state)[0] (SpatialVec angular part, expressed in ground)",
            "mass_center_linear_velocity_in_ground": "body.findStationVelocityInGround(state, body.getMassCenter())",
            "tibia_origin_in_femur": "tibia.findStationLocationInAnotherFrame(state, Vec3(0), femur): tibia body origin expressed in the femur BODY frame (not the knee's parent offset frame)",
        },
        conventions="OpenSim's: ground Y up, X forward (walking direction), Z to the right. Body velocity is taken at realizeVelocity.",
        body_static=body_static,
        poses=kin_poses,
    )
    C.write_json("kinematics.json", kin)

    paths = C.fixture_header(
        "Muscle-tendon path lengths, lengthening speeds, moment arms about all 10 coordinates, and active path points of the 18 muscles of subject01.osim, at the same poses and speeds as kinematics.json (same ids).",
        "fx_kinematics.py",
        {"length": "m (whole musculotendon path length)", "lengthening_speed": "m/s (positive = lengthening)",
         "moment_arm": "m for rotational coordinates (m per rad), dimensionless for translational coordinates (m per m)"},
        **common_meta,
        opensim_calls={
            "length": "muscle.getGeometryPath().getLength(state)",
            "lengthening_speed": "muscle.getGeometryPath().getLengtheningSpeed(state) (asserted equal to muscle.getLengtheningSpeed(state))",
            "moment_arm": "muscle.computeMomentArm(state, coordinate) for every coordinate; OpenSim's sign: r = -dL/dq (positive when shortening the path increases q)",
            "active_path_points": "names of muscle.getGeometryPath().getCurrentPath(state) in order (conditional points that are inactive at that pose are absent; moving points are listed by name)",
        },
        muscle_names=muscle_names,
        poses=path_poses,
    )
    C.write_json("muscle_paths.json", paths)
    return poses


if __name__ == "__main__":
    run()
