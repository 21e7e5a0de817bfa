"""Writes pose_reference.csv: OpenSim's body poses in ground and muscle lengths of subject01.osim at a few
poses, for tests/conventions.rs, which checks that the data this crate reads, used as its documentation says
(offset frames, spatial transforms, conditional and moving path points), reproduces them.

Run with the `opensim` package from PyPI (4.6 was used), from the workspace root:
    venv/bin/python crates/opensim/tests/data/make_pose_reference.py
"""
import os
import opensim as osim

here = os.path.dirname(os.path.abspath(__file__))
model = osim.Model(os.path.join(here, "..", "..", "..", "..", "assets", "models", "gait10dof18musc", "subject01.osim"))
state = model.initSystem()

poses = [
    {},
    {"pelvis_tilt": 0.1, "pelvis_tx": 0.3, "pelvis_ty": 0.95, "hip_flexion_r": 0.5, "knee_angle_r": -1.0,
     "ankle_angle_r": 0.2, "hip_flexion_l": -0.4, "knee_angle_l": -0.3, "ankle_angle_l": -0.25,
     "lumbar_extension": -0.1},
    # Knees beyond their ranges (spline extrapolation, moving points clamped), hips flexed past the psoas point's.
    {"pelvis_tilt": -0.2, "hip_flexion_r": 1.2, "knee_angle_r": -2.3, "hip_flexion_l": -1.7, "knee_angle_l": 0.3,
     "ankle_angle_l": 0.6, "lumbar_extension": 0.3},
]
with open(os.path.join(here, "pose_reference.csv"), "w") as out:
    out.write("# OpenSim %s: pose,kind,name,values (body: p_x p_y p_z R row-major; muscle: length)\n" % osim.__version__)
    for i, pose in enumerate(poses):
        for c in range(model.getCoordinateSet().getSize()):
            coord = model.getCoordinateSet().get(c)
            coord.setValue(state, pose.get(coord.getName(), coord.getDefaultValue()), False)
        model.realizePosition(state)
        out.write("%d,coordinates,," % i + " ".join("%s=%r" % (model.getCoordinateSet().get(c).getName(),
                  model.getCoordinateSet().get(c).getValue(state)) for c in range(model.getCoordinateSet().getSize())) + "\n")
        for b in range(model.getBodySet().getSize()):
            body = model.getBodySet().get(b)
            X = body.getTransformInGround(state)
            p, R = X.p(), X.R()
            values = [p.get(k) for k in range(3)] + [R.get(r, c) for r in range(3) for c in range(3)]
            out.write("%d,body,%s,%s\n" % (i, body.getName(), " ".join(repr(v) for v in values)))
        for m in range(model.getMuscles().getSize()):
            muscle = model.getMuscles().get(m)
            out.write("%d,muscle,%s,%r\n" % (i, muscle.getName(), muscle.getLength(state)))
