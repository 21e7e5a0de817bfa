"""Writes function_reference.csv: OpenSim's own evaluation of functions of subject01.osim and of a few made-up
ones, for tests/functions.rs to compare against (value, first and second derivative at points inside, on and
outside the knots).

Run with the `opensim` package from PyPI (4.6 was used), from the workspace root:
    python3 -m venv venv && venv/bin/pip install opensim
    venv/bin/python crates/opensim/tests/data/make_reference.py
"""
import os
import opensim as osim

here = os.path.dirname(os.path.abspath(__file__))
model_path = os.path.join(here, "..", "..", "..", "..", "assets", "models", "gait10dof18musc", "subject01.osim")
model = osim.Model(model_path)
model.initSystem()

functions = {}
knee = osim.CustomJoint.safeDownCast(model.getJointSet().get("knee_r"))
st = knee.getSpatialTransform()
functions["knee_r.translation1"] = st.getTransformAxis(3).get_function()
functions["knee_r.translation2"] = st.getTransformAxis(4).get_function()
points = model.getMuscles().get("rect_fem_r").getGeometryPath().getPathPointSet()
for i in range(points.getSize()):
    mpp = osim.MovingPathPoint.safeDownCast(points.get(i))
    if mpp is not None:
        functions["rect_fem_r-P3.x"] = mpp.get_x_location()
        functions["rect_fem_r-P3.y"] = mpp.get_y_location()
        functions["rect_fem_r-P3.z"] = mpp.get_z_location()

# Made-up functions with the knots tests/functions.rs uses.
def knotted(kind, xs, ys):
    f = kind()
    for x, y in zip(xs, ys):
        f.addPoint(x, y)
    return f

xs = [0.0, 0.3, 1.0, 1.1, 2.5, 2.6]
ys = [1.0, -0.5, 0.25, 0.3, 2.0, 1.5]
functions["made.simm6"] = knotted(osim.SimmSpline, xs, ys)
functions["made.simm3"] = knotted(osim.SimmSpline, xs[:3], ys[:3])
functions["made.simm2"] = knotted(osim.SimmSpline, xs[:2], ys[:2])
functions["made.linear"] = knotted(osim.PiecewiseLinearFunction, xs, ys)
# OpenSim maps the old type name to SimmSpline: check it is so.
natural = osim.OpenSimObject.newInstanceOfType("NaturalCubicSpline")
assert natural.getConcreteClassName() == "SimmSpline", natural.getConcreteClassName()
poly = osim.PolynomialFunction(osim.Vector([2.0, -3.0, 0.5, 1.0]))
functions["made.poly"] = poly

def probe_points(xs):
    x0, xn = xs[0], xs[-1]
    pts = list(xs)
    pts += [(a + b) / 2 for a, b in zip(xs, xs[1:])]
    pts += [a + (b - a) * 0.137 for a, b in zip(xs, xs[1:])]
    pts += [x0 - 0.5, x0 - 1e-3, x0 - 1e-13, x0 + 1e-13, x0 + 1e-12, x0 + 1e-9]
    pts += [xn + 0.5, xn + 1e-3, xn + 1e-13, xn - 1e-13, xn - 1e-12, xn - 1e-9]
    return pts

def knots_of(f):
    for cast in (osim.SimmSpline, osim.PiecewiseLinearFunction):
        g = cast.safeDownCast(f)
        if g is not None:
            return [g.getX(i) for i in range(g.getSize())]
    m = osim.MultiplierFunction.safeDownCast(f)
    if m is not None:
        return knots_of(m.getFunction())
    return [-2.0, -0.5, 0.0, 0.7, 3.0]

with open(os.path.join(here, "function_reference.csv"), "w") as out:
    out.write("# OpenSim %s: function,x,value,first_derivative,second_derivative\n" % osim.__version__)
    for name, f in functions.items():
        for x in probe_points(knots_of(f)):
            arg = osim.Vector(1, x)
            v = f.calcValue(arg)
            d1 = f.calcDerivative(osim.StdVectorInt([0]), arg)
            d2 = f.calcDerivative(osim.StdVectorInt([0, 0]), arg)
            out.write("%s,%r,%r,%r,%r\n" % (name, x, v, d1, d2))
