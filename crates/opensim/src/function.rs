//! OpenSim's functions of one variable, evaluated exactly as OpenSim 4 evaluates them.
//!
//! Sources (opensim-org/opensim-core, `OpenSim/Common/`, and simbody/simbody `SimTKcommon/.../Function.h`):
//!
//! - `Constant`: value `value`, derivatives 0 (`Constant.cpp` makes a `SimTK::Function::Constant`).
//! - `LinearFunction`: `coefficients` = `slope intercept`, default `1 0`; `SimTK::Function::Linear` evaluates
//!   `0 + x·slope + intercept`; first derivative `slope`, higher ones 0. The same line outside every range.
//! - `PolynomialFunction`: `coefficients` from the highest power down, default `1`; `SimTK::Function::Polynomial`
//!   evaluates by Horner's rule, derivatives by Horner's rule on the differentiated coefficients.
//! - `SimmSpline` (`SimmSpline.cpp`): the interpolating cubic spline of SIMM, not a natural spline. Its end
//!   conditions take the third derivative at each end from the divided differences of the four end knots
//!   (with exactly three knots the end terms are zero instead; with two knots it is the straight line). Knot gaps
//!   below `TINY_NUMBER` = 1e-7 count as 1e-7. Outside `[x₀, xₙ₋₁]` it extrapolates **linearly** with the end slope
//!   (`y₀ + (x − x₀)·b₀`), first derivative the end slope, second derivative 0. On an end knot, or inside it by at
//!   most `ROUNDOFF_ERROR` = 2e-13 (the outside test comes first), it returns that knot's `y`, slope and `2c` (so
//!   the second derivative jumps to 0 just outside). Elsewhere a binary search finds the interval and evaluates
//!   `y + dx(b + dx(c + dx·d))`. With three knots the end conditions make it the interpolating parabola.
//!   Checked against OpenSim 4.6 itself (`tests/data/function_reference.csv`): the same bits.
//! - `NaturalCubicSpline` (and `natCubicSpline`): **the same as `SimmSpline`**. OpenSim 4 registers the old name as
//!   an alias (`RegisterTypes_osimCommon.cpp`: `Object::renameType("NaturalCubicSpline", "SimmSpline")`, with the
//!   comment that the old class "wasn't a natural cubic spline"; `Test/testNCSpline.cpp` is disabled for that
//!   reason). So such a spline is read as [`Function::SimmSpline`]: its second derivative at the ends is *not* zero.
//! - `PiecewiseLinearFunction` (`PiecewiseLinearFunction.cpp`): straight segments, slopes `(yᵢ₊₁ − yᵢ)/max(1e-7,
//!   xᵢ₊₁ − xᵢ)`, the last slope repeated; outside the knots it extrapolates with the end segment's slope. Second
//!   and higher derivatives are 0.
//! - `MultiplierFunction` (`MultiplierFunction.cpp`): the inner function's value and every derivative times `scale`
//!   (default 1).
//!
//! Anything else (`GCVSpline`, `StepFunction`, `Sine`, `PiecewiseConstantFunction`, `ExpressionBasedFunction`, multi-
//! variate functions) is reported as unsupported.

use roxmltree::Node;

use crate::error::OsimError;
use crate::xml::{Cx, MAX_FUNCTION_DEPTH, Obj};

/// `TINY_NUMBER` of OpenSim's `SimmMacros.h`: the smallest knot gap the splines divide by.
const TINY_NUMBER: f64 = 0.0000001;
/// `ROUNDOFF_ERROR` of OpenSim's `SimmMacros.h`: how close to an end knot counts as on it.
const ROUNDOFF_ERROR: f64 = 0.0000000000002;

fn equal_within_error(a: f64, b: f64) -> bool {
    (a - b).abs() <= ROUNDOFF_ERROR
}

/// `MAX(TINY_NUMBER, gap)` as `std::max` computes it.
fn gap(a: f64) -> f64 {
    if TINY_NUMBER < a { a } else { TINY_NUMBER }
}

/// A function of one variable as OpenSim files write them. See the module documentation for the exact evaluation.
#[derive(Debug, Clone, PartialEq)]
pub enum Function {
    /// `Constant`: the same value everywhere.
    Constant {
        /// The value.
        value: f64,
    },
    /// `LinearFunction`: `slope·x + intercept`.
    Linear {
        /// First coefficient.
        slope: f64,
        /// Second coefficient.
        intercept: f64,
    },
    /// `PolynomialFunction`: `c₀xⁿ + c₁xⁿ⁻¹ + … + cₙ`.
    Polynomial {
        /// Coefficients from the highest power down (at least one).
        coefficients: Vec<f64>,
    },
    /// `SimmSpline`, also written `NaturalCubicSpline` or `natCubicSpline` (OpenSim's aliases of the same class).
    SimmSpline(SimmSpline),
    /// `PiecewiseLinearFunction`.
    PiecewiseLinear(PiecewiseLinear),
    /// `MultiplierFunction`: another function times a factor.
    Multiplier {
        /// The function multiplied.
        function: Box<Function>,
        /// The factor.
        scale: f64,
    },
}

impl Function {
    /// Reads a function from a document whose root element is the function (`<SimmSpline><x>…</x>…</SimmSpline>`);
    /// `file_label` names it in errors.
    pub fn from_xml(text: &str, file_label: &str) -> Result<Function, OsimError> {
        let cx = Cx::new(file_label, text);
        let doc = cx.parse(text)?;
        parse_function(&cx, doc.root_element(), 0)
    }

    /// The function's value at `x`.
    pub fn value(&self, x: f64) -> f64 {
        match self {
            Function::Constant { value } => *value,
            Function::Linear { slope, intercept } => 0.0 + x * slope + intercept,
            Function::Polynomial { coefficients } => polynomial(coefficients, 0, x),
            Function::SimmSpline(s) => s.value(x),
            Function::PiecewiseLinear(p) => p.value(x),
            Function::Multiplier { function, scale } => function.value(x) * scale,
        }
    }

    /// The first derivative at `x`.
    pub fn derivative(&self, x: f64) -> f64 {
        self.nth_derivative(1, x)
    }

    /// The second derivative at `x`.
    pub fn second_derivative(&self, x: f64) -> f64 {
        self.nth_derivative(2, x)
    }

    fn nth_derivative(&self, order: usize, x: f64) -> f64 {
        match self {
            Function::Constant { .. } => 0.0,
            Function::Linear { slope, .. } => {
                if order == 1 {
                    *slope
                } else {
                    0.0
                }
            }
            Function::Polynomial { coefficients } => polynomial(coefficients, order, x),
            Function::SimmSpline(s) => s.derivative(order, x),
            Function::PiecewiseLinear(p) => {
                if order == 1 {
                    p.slope(x)
                } else {
                    0.0
                }
            }
            Function::Multiplier { function, scale } => function.nth_derivative(order, x) * scale,
        }
    }

    /// Whether the function is the same everywhere, read from its structure: a `Constant`, a line of slope 0, a
    /// polynomial of degree 0 (or zero leading coefficients), a spline or piecewise-linear function whose knots all
    /// have the same `y` (then every coefficient is exactly zero), or a multiple of one of these.
    pub fn is_constant(&self) -> bool {
        match self {
            Function::Constant { .. } => true,
            Function::Linear { slope, .. } => *slope == 0.0,
            Function::Polynomial { coefficients } => {
                coefficients.iter().take(coefficients.len().saturating_sub(1)).all(|c| *c == 0.0)
            }
            Function::SimmSpline(s) => s.y.iter().all(|y| *y == s.y[0]),
            Function::PiecewiseLinear(p) => p.y.iter().all(|y| *y == p.y[0]),
            Function::Multiplier { function, scale } => *scale == 0.0 || function.is_constant(),
        }
    }
}

/// Horner's rule on the coefficients differentiated `order` times, as `SimTK::Function::Polynomial` does.
fn polynomial(coefficients: &[f64], order: usize, x: f64) -> f64 {
    let poly_order = coefficients.len() as i64 - 1;
    let order = order as i64;
    let mut value = 0.0;
    let mut i = 0;
    while i <= poly_order - order {
        let mut coeff = coefficients[i as usize];
        for j in 0..order {
            coeff *= (poly_order - i - j) as f64;
        }
        value = value * x + coeff;
        i += 1;
    }
    value
}

/// OpenSim's `SimmSpline` (also read for `NaturalCubicSpline`): the knots and the cubic coefficients OpenSim derives
/// from them, evaluated as `SimmSpline::calcValue`/`calcDerivative` do.
#[derive(Debug, Clone, PartialEq)]
pub struct SimmSpline {
    x: Vec<f64>,
    y: Vec<f64>,
    b: Vec<f64>,
    c: Vec<f64>,
    d: Vec<f64>,
}

impl SimmSpline {
    /// A spline through the knots; `x` strictly increasing, at least two knots, finite values.
    pub fn new(x: Vec<f64>, y: Vec<f64>) -> Result<Self, String> {
        check_knots(&x, &y, 2)?;
        let (b, c, d) = simm_coefficients(&x, &y);
        Ok(SimmSpline { x, y, b, c, d })
    }

    /// The knots' abscissae.
    pub fn x(&self) -> &[f64] {
        &self.x
    }

    /// The knots' values.
    pub fn y(&self) -> &[f64] {
        &self.y
    }

    /// The cubic coefficients OpenSim derives, one per knot: on `[x[k], x[k+1]]` the spline is
    /// `y[k] + b[k] dx + c[k] dx² + d[k] dx³` with `dx = at - x[k]`; `b[0]` and `b[last]` are also the slopes it
    /// continues with beyond its ends. Returns `(b, c, d)`.
    pub fn coefficients(&self) -> (&[f64], &[f64], &[f64]) {
        (&self.b, &self.c, &self.d)
    }

    fn value(&self, at: f64) -> f64 {
        let n = self.x.len();
        let last = n - 1;
        if at < self.x[0] {
            return self.y[0] + (at - self.x[0]) * self.b[0];
        } else if at > self.x[last] {
            return self.y[last] + (at - self.x[last]) * self.b[last];
        }
        if equal_within_error(at, self.x[0]) {
            return self.y[0];
        } else if equal_within_error(at, self.x[last]) {
            return self.y[last];
        }
        let k = interval(&self.x, at);
        let dx = at - self.x[k];
        self.y[k] + dx * (self.b[k] + dx * (self.c[k] + dx * self.d[k]))
    }

    fn derivative(&self, order: usize, at: f64) -> f64 {
        let n = self.x.len();
        let last = n - 1;
        // OpenSim throws for orders other than 1 and 2; the third derivative is 6d on the interval and 0 outside.
        if at < self.x[0] {
            return if order == 1 { self.b[0] } else { 0.0 };
        } else if at > self.x[last] {
            return if order == 1 { self.b[last] } else { 0.0 };
        }
        if equal_within_error(at, self.x[0]) {
            return if order == 1 { self.b[0] } else { 2.0 * self.c[0] };
        } else if equal_within_error(at, self.x[last]) {
            return if order == 1 { self.b[last] } else { 2.0 * self.c[last] };
        }
        let k = interval(&self.x, at);
        let dx = at - self.x[k];
        if order == 1 {
            self.b[k] + dx * (2.0 * self.c[k] + 3.0 * dx * self.d[k])
        } else {
            2.0 * self.c[k] + 6.0 * dx * self.d[k]
        }
    }
}

/// `SimmSpline::calcCoefficients`, step for step (the Forsythe–Malcolm–Moler spline with SIMM's end conditions).
fn simm_coefficients(x: &[f64], y: &[f64]) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let n = x.len();
    let mut b = vec![0.0; n];
    let mut c = vec![0.0; n];
    let mut d = vec![0.0; n];
    if n == 2 {
        let t = gap(x[1] - x[0]);
        b[0] = (y[1] - y[0]) / t;
        b[1] = b[0];
        return (b, c, d);
    }
    let nm1 = n - 1;
    let nm2 = n - 2;
    // Tridiagonal system: b = diagonal, d = off-diagonal, c = right-hand side.
    d[0] = gap(x[1] - x[0]);
    c[1] = (y[1] - y[0]) / d[0];
    for i in 1..nm1 {
        d[i] = gap(x[i + 1] - x[i]);
        b[i] = 2.0 * (d[i - 1] + d[i]);
        c[i + 1] = (y[i + 1] - y[i]) / d[i];
        c[i] = c[i + 1] - c[i];
    }
    // End conditions: third derivatives at the ends from divided differences.
    b[0] = -d[0];
    b[nm1] = -d[nm2];
    c[0] = 0.0;
    c[nm1] = 0.0;
    if n > 3 {
        let d31 = gap(x[3] - x[1]);
        let d20 = gap(x[2] - x[0]);
        let d1 = gap(x[nm1] - x[n - 3]);
        let d2 = gap(x[nm2] - x[n - 4]);
        let d30 = gap(x[3] - x[0]);
        let d3 = gap(x[nm1] - x[n - 4]);
        c[0] = c[2] / d31 - c[1] / d20;
        c[nm1] = c[nm2] / d1 - c[n - 3] / d2;
        c[0] = c[0] * d[0] * d[0] / d30;
        c[nm1] = -c[nm1] * d[nm2] * d[nm2] / d3;
    }
    // Forward elimination.
    for i in 1..n {
        let t = d[i - 1] / b[i - 1];
        b[i] -= t * d[i - 1];
        c[i] -= t * c[i - 1];
    }
    // Back substitution.
    c[nm1] /= b[nm1];
    for j in 0..nm1 {
        let i = nm2 - j;
        c[i] = (c[i] - d[i] * c[i + 1]) / b[i];
    }
    // Polynomial coefficients.
    b[nm1] = (y[nm1] - y[nm2]) / d[nm2] + d[nm2] * (c[nm2] + 2.0 * c[nm1]);
    for i in 0..nm1 {
        b[i] = (y[i + 1] - y[i]) / d[i] - d[i] * (c[i + 1] + 2.0 * c[i]);
        d[i] = (c[i + 1] - c[i]) / d[i];
        c[i] *= 3.0;
    }
    c[nm1] *= 3.0;
    d[nm1] = d[nm2];
    (b, c, d)
}

/// OpenSim's `PiecewiseLinearFunction`: straight segments between knots, extrapolated with the end slopes.
#[derive(Debug, Clone, PartialEq)]
pub struct PiecewiseLinear {
    x: Vec<f64>,
    y: Vec<f64>,
    b: Vec<f64>,
}

impl PiecewiseLinear {
    /// Segments through the knots; `x` strictly increasing, at least one knot, finite values.
    pub fn new(x: Vec<f64>, y: Vec<f64>) -> Result<Self, String> {
        check_knots(&x, &y, 1)?;
        let n = x.len();
        let mut b = vec![0.0; n];
        if n > 1 {
            for i in 0..n - 1 {
                b[i] = (y[i + 1] - y[i]) / gap(x[i + 1] - x[i]);
            }
            b[n - 1] = b[n - 2];
        }
        Ok(PiecewiseLinear { x, y, b })
    }

    /// The knots' abscissae.
    pub fn x(&self) -> &[f64] {
        &self.x
    }

    /// The knots' values.
    pub fn y(&self) -> &[f64] {
        &self.y
    }

    fn value(&self, at: f64) -> f64 {
        let last = self.x.len() - 1;
        if at < self.x[0] {
            return self.y[0] + (at - self.x[0]) * self.b[0];
        } else if at > self.x[last] {
            return self.y[last] + (at - self.x[last]) * self.b[last];
        }
        if equal_within_error(at, self.x[0]) {
            return self.y[0];
        } else if equal_within_error(at, self.x[last]) {
            return self.y[last];
        }
        let k = interval(&self.x, at);
        self.y[k] + (at - self.x[k]) * self.b[k]
    }

    fn slope(&self, at: f64) -> f64 {
        let last = self.x.len() - 1;
        if at < self.x[0] {
            return self.b[0];
        } else if at > self.x[last] {
            return self.b[last];
        }
        if equal_within_error(at, self.x[0]) {
            return self.b[0];
        } else if equal_within_error(at, self.x[last]) {
            return self.b[last];
        }
        self.b[interval(&self.x, at)]
    }
}

/// The interval `k` with `x[k] <= at <= x[k+1]`, found by OpenSim's binary search (`at` strictly inside the knots;
/// with fewer than three knots it is 0, as OpenSim has it). Never out of bounds, whatever `at` is (NaN included).
fn interval(x: &[f64], at: f64) -> usize {
    let n = x.len();
    if n < 3 {
        return 0;
    }
    let (mut i, mut j) = (0, n);
    // The search halves [i, j) each turn: the bound on turns is never reached for increasing knots.
    for _ in 0..=usize::BITS {
        let k = ((i + j) / 2).min(n - 2);
        if at < x[k] {
            j = k;
        } else if at > x[k + 1] {
            i = k;
        } else {
            return k;
        }
    }
    ((i + j) / 2).min(n - 2)
}

fn check_knots(x: &[f64], y: &[f64], min: usize) -> Result<(), String> {
    if x.len() != y.len() {
        return Err(format!("x has {} values but y has {}", x.len(), y.len()));
    }
    if x.len() < min {
        return Err(format!("needs at least {min} knots (got {})", x.len()));
    }
    if x.iter().chain(y).any(|v| !v.is_finite()) {
        return Err("knots must be finite numbers".into());
    }
    if let Some(w) = x.windows(2).find(|w| !(w[1] > w[0])) {
        return Err(format!("x must increase strictly ({} is followed by {})", w[0], w[1]));
    }
    Ok(())
}

/// Reads the function whose element is `node`.
pub(crate) fn parse_function(cx: &Cx, node: Node<'_, '_>, depth: usize) -> Result<Function, OsimError> {
    let mut obj = Obj::new(cx, node);
    if depth > MAX_FUNCTION_DEPTH {
        return Err(obj.err(format!("functions nested deeper than {MAX_FUNCTION_DEPTH}")));
    }
    let function = match obj.tag() {
        "Constant" => Function::Constant { value: obj.f64("value")?.unwrap_or(0.0) },
        "LinearFunction" => match obj.list("coefficients", false)? {
            None => Function::Linear { slope: 1.0, intercept: 0.0 },
            Some((values, field, text)) => match values.as_slice() {
                [slope, intercept] => Function::Linear { slope: *slope, intercept: *intercept },
                _ => {
                    return Err(obj.err_at(
                        field,
                        format!(
                            "coefficients must have two numbers, slope and intercept (got {}); \
                             multi-coordinate linear functions are not supported",
                            crate::xml::quote(&text)
                        ),
                    ));
                }
            },
        },
        "PolynomialFunction" => match obj.list("coefficients", false)? {
            None => Function::Polynomial { coefficients: vec![1.0] },
            Some((values, field, _)) if values.is_empty() => {
                return Err(obj.err_at(field, "coefficients must have at least one number"));
            }
            Some((values, _, _)) => Function::Polynomial { coefficients: values },
        },
        "SimmSpline" | "NaturalCubicSpline" | "natCubicSpline" => {
            let (x, y) = knots(&mut obj)?;
            Function::SimmSpline(SimmSpline::new(x, y).map_err(|p| obj.err(p))?)
        }
        "PiecewiseLinearFunction" => {
            let (x, y) = knots(&mut obj)?;
            Function::PiecewiseLinear(PiecewiseLinear::new(x, y).map_err(|p| obj.err(p))?)
        }
        "MultiplierFunction" => {
            let scale = obj.f64("scale")?.unwrap_or(1.0);
            let inner = match obj.take_object("function")? {
                Some(node) => node,
                None => {
                    // The inner function may also be written bare, as the only other child.
                    let rest = obj.remaining();
                    match rest.as_slice() {
                        [one] => {
                            obj.mark(*one);
                            *one
                        }
                        _ => return Err(obj.err("missing property function")),
                    }
                }
            };
            Function::Multiplier { function: Box::new(parse_function(cx, inner, depth + 1)?), scale }
        }
        other => return Err(obj.err(format!("unsupported function type {other}"))),
    };
    obj.finish()?;
    Ok(function)
}

fn knots(obj: &mut Obj<'_, '_, '_>) -> Result<(Vec<f64>, Vec<f64>), OsimError> {
    let x = obj.list("x", false)?.map(|(v, _, _)| v).unwrap_or_default();
    let y = obj.list("y", false)?.map(|(v, _, _)| v).unwrap_or_default();
    Ok((x, y))
}

/// Reads an object-valued function property (`<prop><Type/></prop>` or `<Type name="prop"/>`), or `None`.
pub(crate) fn take_function(obj: &mut Obj<'_, '_, '_>, prop: &str) -> Result<Option<(Function, u32)>, OsimError> {
    match obj.take_object(prop)? {
        None => Ok(None),
        Some(node) => Ok(Some((parse_function(obj.cx, node, 0)?, obj.cx.line(node)))),
    }
}

/// Whether an element's tag names a function type this crate reads or knows to reject (for picking out the
/// function child of a `TransformAxis` written as `<SimmSpline name="function">`).
pub(crate) fn looks_like_function(node: Node<'_, '_>) -> bool {
    let tag = node.tag_name().name();
    tag.ends_with("Function") || tag.ends_with("Spline") || matches!(tag, "Constant" | "Sine")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_knot_spline_is_a_line_extended_both_ways() {
        let s = Function::SimmSpline(SimmSpline::new(vec![0.0, 2.0], vec![1.0, 5.0]).unwrap());
        assert_eq!(s.value(1.0), 3.0);
        assert_eq!(s.value(-1.0), -1.0);
        assert_eq!(s.value(3.0), 7.0);
        assert_eq!(s.derivative(10.0), 2.0);
        assert_eq!(s.second_derivative(1.0), 0.0);
    }

    #[test]
    fn polynomial_by_horner() {
        let p = Function::Polynomial { coefficients: vec![2.0, -3.0, 1.0] };
        assert_eq!(p.value(2.0), 3.0);
        assert_eq!(p.derivative(2.0), 5.0);
        assert_eq!(p.second_derivative(2.0), 4.0);
        assert!(!p.is_constant());
        assert!(Function::Polynomial { coefficients: vec![0.0, 4.0] }.is_constant());
    }

    #[test]
    fn bad_knots_are_refused() {
        assert!(SimmSpline::new(vec![0.0], vec![1.0]).is_err());
        assert!(SimmSpline::new(vec![0.0, 0.0], vec![1.0, 2.0]).is_err());
        assert!(SimmSpline::new(vec![0.0, 1.0], vec![1.0]).is_err());
        assert!(PiecewiseLinear::new(vec![], vec![]).is_err());
        assert!(PiecewiseLinear::new(vec![0.0, f64::NAN], vec![1.0, 2.0]).is_err());
    }

    #[test]
    fn nan_input_gives_nan_not_a_panic() {
        let s = SimmSpline::new(vec![0.0, 1.0, 2.0, 3.0, 4.0], vec![0.0, 1.0, 0.0, 1.0, 0.0]).unwrap();
        assert!(Function::SimmSpline(s).value(f64::NAN).is_nan());
        let p = PiecewiseLinear::new(vec![0.0, 1.0, 2.0], vec![0.0, 1.0, 0.0]).unwrap();
        assert!(Function::PiecewiseLinear(p).value(f64::NAN).is_nan());
    }
}
