//! Functions evaluated as OpenSim evaluates them: against values OpenSim 4.6 itself computed
//! (`data/function_reference.csv`, written by `data/make_reference.py`), and by their properties.

mod common;

use common::{MODEL, asset};
use exo_opensim::{Function, JointKind, PathPoint, PiecewiseLinear, SimmSpline, read_model};

const XS: [f64; 6] = [0.0, 0.3, 1.0, 1.1, 2.5, 2.6];
const YS: [f64; 6] = [1.0, -0.5, 0.25, 0.3, 2.0, 1.5];

fn spline(n: usize) -> Function {
    Function::SimmSpline(SimmSpline::new(XS[..n].to_vec(), YS[..n].to_vec()).unwrap())
}

/// The functions the reference file names.
fn named_functions() -> Vec<(&'static str, Function)> {
    let model = read_model(asset(MODEL)).unwrap();
    let JointKind::Custom { transform } = &model.joint("knee_r").unwrap().kind else { panic!() };
    let PathPoint::Moving { x, y, z, .. } = &model.muscle("rect_fem_r").unwrap().path[2] else { panic!() };
    vec![
        ("knee_r.translation1", transform.translations()[0].function.clone()),
        ("knee_r.translation2", transform.translations()[1].function.clone()),
        ("rect_fem_r-P3.x", x.function.clone()),
        ("rect_fem_r-P3.y", y.function.clone()),
        ("rect_fem_r-P3.z", z.function.clone()),
        ("made.simm6", spline(6)),
        ("made.simm3", spline(3)),
        ("made.simm2", spline(2)),
        ("made.linear", Function::PiecewiseLinear(PiecewiseLinear::new(XS.to_vec(), YS.to_vec()).unwrap())),
        ("made.poly", Function::Polynomial { coefficients: vec![2.0, -3.0, 0.5, 1.0] }),
    ]
}

#[test]
fn matches_opensim_to_the_last_bits() {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/function_reference.csv")).unwrap();
    let functions = named_functions();
    let mut compared = 0;
    let mut worst = 0.0_f64;
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let fields: Vec<&str> = line.split(',').collect();
        let (_, f) = functions.iter().find(|(n, _)| *n == fields[0]).unwrap_or_else(|| panic!("{}", fields[0]));
        let v: Vec<f64> = fields[1..].iter().map(|s| s.parse().unwrap()).collect();
        let x = v[0];
        for (what, ours, theirs) in
            [("value", f.value(x), v[1]), ("first", f.derivative(x), v[2]), ("second", f.second_derivative(x), v[3])]
        {
            let err = (ours - theirs).abs() / theirs.abs().max(1e-3);
            worst = worst.max(err);
            assert!(err <= 1e-14, "{} {what} at {x:e}: ours {ours:e}, OpenSim {theirs:e}", fields[0]);
        }
        compared += 1;
    }
    assert!(compared > 300, "{compared} rows");
    // In practice the evaluation is the same arithmetic in the same order: the results agree bit for bit.
    assert_eq!(worst, 0.0);
}

#[test]
fn splines_pass_through_their_knots() {
    for n in [2, 3, 4, 6] {
        let f = spline(n);
        for (x, y) in XS[..n].iter().zip(&YS[..n]) {
            assert!((f.value(*x) - y).abs() < 1e-14, "{n} knots at {x}: {}", f.value(*x));
        }
    }
    for (name, f) in named_functions() {
        let knots = match &f {
            Function::Multiplier { function, scale } => match function.as_ref() {
                Function::SimmSpline(s) => s.x().iter().zip(s.y()).map(|(x, y)| (*x, y * scale)).collect::<Vec<_>>(),
                _ => continue,
            },
            _ => continue,
        };
        for (x, y) in knots {
            assert!((f.value(x) - y).abs() < 1e-15, "{name} at {x}");
        }
    }
}

/// Central finite differences of value and slope, inside intervals (away from knots, where the third derivative
/// jumps).
#[test]
fn derivatives_agree_with_finite_differences() {
    let h = 1e-6;
    for (name, f) in named_functions() {
        for x in [-1.9, -1.2, -0.41, 0.05, 0.77, 1.05, 1.37, 1.93, 2.55] {
            let d1 = (f.value(x + h) - f.value(x - h)) / (2.0 * h);
            let d2 = (f.derivative(x + h) - f.derivative(x - h)) / (2.0 * h);
            assert!((d1 - f.derivative(x)).abs() < 1e-7 * f.derivative(x).abs().max(1.0), "{name} slope at {x}");
            assert!(
                (d2 - f.second_derivative(x)).abs() < 1e-6 * f.second_derivative(x).abs().max(1.0),
                "{name} curvature at {x}: {d2} vs {}",
                f.second_derivative(x)
            );
        }
    }
}

#[test]
fn simm_spline_end_conditions_are_not_natural() {
    // SimmSpline takes the end third derivatives from divided differences: the second derivative at the end
    // knots is not zero (a natural spline's would be).
    let f = spline(6);
    assert!(f.second_derivative(XS[0]).abs() > 1.0, "{}", f.second_derivative(XS[0]));
    assert!(f.second_derivative(XS[5]).abs() > 1.0);
    // The ends' cubics have the same third derivative as their neighbours (not-a-knot-like): compare 6d.
    let third = |x: f64| (f.second_derivative(x + 1e-4) - f.second_derivative(x - 1e-4)) / 2e-4;
    let dd = |x: &[f64], y: &[f64]| {
        // Third divided difference of four knots, times 6.
        let d1 = |i: usize| (y[i + 1] - y[i]) / (x[i + 1] - x[i]);
        let d2 = |i: usize| (d1(i + 1) - d1(i)) / (x[i + 2] - x[i]);
        6.0 * (d2(1) - d2(0)) / (x[3] - x[0])
    };
    assert!((third(0.1) - dd(&XS[..4], &YS[..4])).abs() < 1e-3 * dd(&XS[..4], &YS[..4]).abs());
    // With three knots the end terms are zero, which makes both end intervals share the middle's second
    // derivative: the spline is the interpolating parabola (still not natural).
    let f3 = spline(3);
    let c = f3.second_derivative(0.5);
    assert!(c.abs() > 1.0);
    for x in [XS[0], 0.1, 0.7, XS[2]] {
        assert!((f3.second_derivative(x) - c).abs() < 1e-12 * c.abs(), "{x}");
    }
}

#[test]
fn outside_the_knots_splines_extrapolate_linearly() {
    for f in [spline(6), spline(2), spline(3)] {
        let (x0, s0) = (XS[0], f.derivative(XS[0]));
        for dx in [1e-6, 0.1, 3.0] {
            assert!((f.value(x0 - dx) - (f.value(x0) - dx * s0)).abs() < 1e-12);
            assert_eq!(f.derivative(x0 - dx), s0);
            assert_eq!(f.second_derivative(x0 - dx), 0.0);
        }
    }
    let f = spline(6);
    let (xn, sn) = (XS[5], f.derivative(XS[5]));
    assert!((f.value(xn + 2.0) - (YS[5] + 2.0 * sn)).abs() < 1e-12);
    assert_eq!(f.second_derivative(xn + 2.0), 0.0);
    // OpenSim tests "outside" before "on an end knot": just outside the second derivative is zero, on the knot
    // (or within 2e-13 inside it) it is the end cubic's.
    assert_eq!(f.second_derivative(xn + 1e-13), 0.0);
    assert!(f.second_derivative(xn) != 0.0);
    assert_eq!(f.second_derivative(xn - 1e-13), f.second_derivative(xn));
    // Piecewise linear: end slopes carried on.
    let p = Function::PiecewiseLinear(PiecewiseLinear::new(XS.to_vec(), YS.to_vec()).unwrap());
    assert!((p.value(-1.0) - (1.0 + 1.5 / 0.3)).abs() < 1e-12);
    assert!((p.value(3.6) - (1.5 - 5.0)).abs() < 1e-12);
    assert_eq!(p.second_derivative(0.5), 0.0);
}

#[test]
fn natural_cubic_spline_is_read_as_opensim_reads_it_a_simm_spline() {
    let knots = "<x>0 0.3 1 1.1 2.5 2.6</x><y>1 -0.5 0.25 0.3 2 1.5</y>";
    let natural = Function::from_xml(&format!("<NaturalCubicSpline>{knots}</NaturalCubicSpline>"), "f.xml").unwrap();
    let old = Function::from_xml(&format!("<natCubicSpline name=\"f\">{knots}</natCubicSpline>"), "f.xml").unwrap();
    let simm = Function::from_xml(&format!("<SimmSpline>{knots}</SimmSpline>"), "f.xml").unwrap();
    assert_eq!(natural, simm);
    assert_eq!(old, simm);
    assert_eq!(simm, spline(6));
}

#[test]
fn multiplier_scales_value_and_derivatives() {
    let inner = spline(6);
    let f = Function::Multiplier { function: Box::new(inner.clone()), scale: -2.5 };
    for x in [-1.0, 0.0, 0.2, 1.05, 2.6, 4.0] {
        assert_eq!(f.value(x), inner.value(x) * -2.5);
        assert_eq!(f.derivative(x), inner.derivative(x) * -2.5);
        assert_eq!(f.second_derivative(x), inner.second_derivative(x) * -2.5);
    }
    let parsed = Function::from_xml(
        "<MultiplierFunction><function><Constant><value>0.02</value></Constant></function><scale>3</scale></MultiplierFunction>",
        "f.xml",
    )
    .unwrap();
    assert_eq!(parsed.value(7.0), 0.06);
    assert_eq!(parsed.derivative(7.0), 0.0);
    assert!(parsed.is_constant());
    // Scale defaults to 1.
    let unit = Function::from_xml(
        "<MultiplierFunction><LinearFunction><coefficients>2 1</coefficients></LinearFunction></MultiplierFunction>",
        "f.xml",
    )
    .unwrap();
    assert_eq!((unit.value(3.0), unit.derivative(3.0), unit.second_derivative(3.0)), (7.0, 2.0, 0.0));
}

#[test]
fn linear_constant_and_polynomial_defaults() {
    let line = Function::from_xml("<LinearFunction/>", "f.xml").unwrap();
    assert_eq!(line, Function::Linear { slope: 1.0, intercept: 0.0 });
    assert_eq!(Function::from_xml("<Constant/>", "f.xml").unwrap(), Function::Constant { value: 0.0 });
    assert_eq!(
        Function::from_xml("<PolynomialFunction/>", "f.xml").unwrap(),
        Function::Polynomial { coefficients: vec![1.0] }
    );
    let p = Function::from_xml("<PolynomialFunction><coefficients>1 0 -1</coefficients></PolynomialFunction>", "f.xml")
        .unwrap();
    assert_eq!((p.value(3.0), p.derivative(3.0), p.second_derivative(3.0)), (8.0, 6.0, 2.0));
}

#[test]
fn function_errors_name_the_element_and_line() {
    let e = Function::from_xml("<SimmSpline>\n<x>0 1 2</x>\n<y>0 1</y>\n</SimmSpline>", "f.xml").unwrap_err();
    assert_eq!((e.line, e.element.as_str()), (1, "SimmSpline"));
    assert!(e.problem.contains("x has 3 values but y has 2"), "{e}");
    let e = Function::from_xml("<SimmSpline name=\"s\">\n<x>0 1 1</x><y>0 1 2</y></SimmSpline>", "f.xml").unwrap_err();
    assert!(e.problem.contains("increase strictly"), "{e}");
    assert_eq!(e.to_string(), "f.xml:1: SimmSpline s: x must increase strictly (1 is followed by 1)");
    let e = Function::from_xml("<SimmSpline>\n<x>0 a</x><y>0 1</y></SimmSpline>", "f.xml").unwrap_err();
    assert_eq!((e.line, e.problem.as_str()), (2, "x must be a list of numbers (got \"0 a\")"));
    let e = Function::from_xml("<GCVSpline><x>0 1</x></GCVSpline>", "f.xml").unwrap_err();
    assert!(e.problem.contains("unsupported function type GCVSpline"), "{e}");
    let e =
        Function::from_xml("<LinearFunction><coefficients>1 2 3</coefficients></LinearFunction>", "f.xml").unwrap_err();
    assert!(e.problem.contains("two numbers"), "{e}");
    let e = Function::from_xml("<Constant><value>1</value><slope>2</slope></Constant>", "f.xml").unwrap_err();
    assert!(e.problem.contains("unknown or unsupported property <slope>"), "{e}");
    let nested = format!("{}<Constant/>{}", "<MultiplierFunction>".repeat(40), "</MultiplierFunction>".repeat(40));
    let e = Function::from_xml(&nested, "f.xml").unwrap_err();
    assert!(e.problem.contains("nested deeper"), "{e}");
}
