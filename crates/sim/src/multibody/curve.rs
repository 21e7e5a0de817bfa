//! Functions of one joint coordinate: the rotation and translation of a [`CoupledJoint`](super::CoupledJoint).
//!
//! See [`Curve`] for how a curve evaluates.

/// Value and first two derivatives of a [`Curve`] at one coordinate.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CurvePoint {
    /// `f(q)`, in the curve's unit (rad for a rotation, m for a translation).
    pub value: f64,
    /// `df/dq`, the curve's unit per unit of the coordinate.
    pub first: f64,
    /// `d²f/dq²`, the curve's unit per unit of the coordinate squared.
    pub second: f64,
}

/// A function of one coordinate: a piecewise cubic on strictly increasing knots `k_0 < k_1 < … < k_{n-1}` (`n ≥ 2`), continued
/// by straight lines outside them. It can represent OpenSim's `Constant`, `LinearFunction`, `SimmSpline` and
/// `MultiplierFunction` exactly (the latter through [`Curve::scaled`]), which is what an importer converts them
/// into.
///
/// # How it evaluates
///
/// Segment `j` (`0 ≤ j ≤ n-2`) has coefficients `[a, b, c, d]` and, with `dx = q - k_j`,
///
/// ```text
/// f(q)   = a + b dx + c dx² + d dx³
/// f'(q)  = b + 2 c dx + 3 d dx²
/// f''(q) = 2 c + 6 d dx
/// ```
///
/// * For `k_j ≤ q < k_{j+1}` segment `j` is used; segment `n-2` also covers `q = k_{n-1}`. So at an interior
///   knot and at both end knots the value and both derivatives are those of a cubic (the segment to the right of
///   an interior knot).
/// * For `q < k_0`: `f = a_0 + s_left (q - k_0)`, `f' = s_left`, `f'' = 0`.
/// * For `q > k_{n-1}`: `f = f_end + s_right (q - k_{n-1})`, `f' = s_right`, `f'' = 0`, where `f_end` is the last
///   segment's value at `k_{n-1}`.
///
/// The extrapolation slopes are given, not derived: to reproduce OpenSim's `SimmSpline` (which continues beyond
/// its ends along the spline's own end slope) pass the first segment's `b` and the last segment's derivative at
/// its right knot.
/// Continuity at the knots is not checked: segments that do not join give a curve with jumps, which a joint
/// should not be built from.
/// A NaN coordinate evaluates to NaN.
///
/// Always valid: every constructor checks its input.
#[derive(Clone, Debug, PartialEq)]
pub struct Curve {
    knots: Vec<f64>,
    coefficients: Vec<[f64; 4]>,
    left_slope: f64,
    right_slope: f64,
    /// Value of the last segment at the last knot (anchor of the right extrapolation).
    right_value: f64,
}

/// Why a [`Curve`] could not be made.
#[derive(Clone, Debug, thiserror::Error, PartialEq)]
pub enum CurveError {
    /// Fewer than two knots.
    #[error("a curve needs at least two knots (got {0})")]
    TooFewKnots(usize),
    /// A knot is NaN or infinite.
    #[error("knot {index} is not finite (got {value})")]
    NonFiniteKnot {
        /// Index of the knot.
        index: usize,
        /// The value given.
        value: f64,
    },
    /// A knot is not strictly above the one before it.
    #[error("knots must increase strictly: knot {index} ({value}) is not above knot {} ({previous})", index - 1)]
    KnotsNotIncreasing {
        /// Index of the offending knot (at least 1).
        index: usize,
        /// The knot before it.
        previous: f64,
        /// The offending knot.
        value: f64,
    },
    /// The number of cubic segments is not one less than the number of knots.
    #[error("{knots} knots need {} segments of coefficients, got {coefficients}", knots - 1)]
    CoefficientCount {
        /// Number of knots.
        knots: usize,
        /// Number of coefficient sets given.
        coefficients: usize,
    },
    /// A cubic coefficient is NaN or infinite.
    #[error("coefficient {name} of segment {segment} is not finite (got {value})")]
    NonFiniteCoefficient {
        /// Segment index.
        segment: usize,
        /// `"a"`, `"b"`, `"c"` or `"d"`.
        name: &'static str,
        /// The value given.
        value: f64,
    },
    /// An extrapolation slope is NaN or infinite.
    #[error("{side} extrapolation slope is not finite (got {value})")]
    NonFiniteSlope {
        /// `"left"` or `"right"`.
        side: &'static str,
        /// The value given.
        value: f64,
    },
    /// The last segment's value at the last knot overflows.
    #[error("the curve's value at its last knot is not finite (got {0})")]
    NonFiniteEnd(f64),
    /// A scale factor is NaN or infinite.
    #[error("scale factor is not finite (got {0})")]
    NonFiniteScale(f64),
}

const NAMES: [&str; 4] = ["a", "b", "c", "d"];

impl Curve {
    /// `f(q) = value` everywhere (unit: the curve's).
    ///
    /// # Errors
    /// [`CurveError::NonFiniteCoefficient`] for a non-finite value.
    pub fn constant(value: f64) -> Result<Self, CurveError> {
        Self::linear(0.0, value)
    }

    /// `f(q) = slope q + intercept` everywhere (`slope` in the curve's unit per coordinate unit, `intercept` in
    /// the curve's unit).
    ///
    /// # Errors
    /// [`CurveError::NonFiniteCoefficient`] or [`CurveError::NonFiniteSlope`] for a non-finite input.
    pub fn linear(slope: f64, intercept: f64) -> Result<Self, CurveError> {
        Self::piecewise_cubic(vec![0.0, 1.0], vec![[intercept, slope, 0.0, 0.0]], slope, slope)
    }

    /// A piecewise cubic: `coefficients[j] = [a, b, c, d]` gives `a + b dx + c dx² + d dx³` with `dx = q - knots[j]`
    /// on `[knots[j], knots[j+1]]`; outside the knots the curve continues as straight lines of slope `left_slope`
    /// (below `knots[0]`) and `right_slope` (above the last knot), with zero second derivative.
    ///
    /// # Errors
    /// Fewer than two knots, a non-finite number, knots not strictly increasing, or not exactly
    /// `knots.len() - 1` coefficient sets.
    pub fn piecewise_cubic(
        knots: Vec<f64>,
        coefficients: Vec<[f64; 4]>,
        left_slope: f64,
        right_slope: f64,
    ) -> Result<Self, CurveError> {
        let mut curve = Self { knots, coefficients, left_slope, right_slope, right_value: 0.0 };
        curve.right_value = curve.check()?;
        Ok(curve)
    }

    /// The same curve times `k`: value, both derivatives and the extrapolation slopes multiplied by `k` (OpenSim's
    /// `MultiplierFunction`).
    ///
    /// # Errors
    /// [`CurveError::NonFiniteScale`] for a non-finite `k`, or an overflow of a scaled coefficient.
    pub fn scaled(&self, k: f64) -> Result<Self, CurveError> {
        if !k.is_finite() {
            return Err(CurveError::NonFiniteScale(k));
        }
        Self::piecewise_cubic(
            self.knots.clone(),
            self.coefficients.iter().map(|c| c.map(|x| x * k)).collect(),
            self.left_slope * k,
            self.right_slope * k,
        )
    }

    /// The sum of two curves (OpenSim's transform axes that move the same way with the same coordinate): knots
    /// merged, each segment re-expanded from its new left knot, so the sum is exact up to round-off, inside and
    /// beyond the knots.
    ///
    /// # Errors
    /// An overflow of a summed coefficient.
    pub fn sum(&self, other: &Curve) -> Result<Self, CurveError> {
        let mut knots: Vec<f64> = self.knots.iter().chain(&other.knots).copied().collect();
        knots.sort_by(f64::total_cmp);
        knots.dedup();
        let coefficients = knots
            .windows(2)
            .map(|w| {
                let [a, b] = [self.taylor(w[0], w[1]), other.taylor(w[0], w[1])];
                [a[0] + b[0], a[1] + b[1], a[2] + b[2], a[3] + b[3]]
            })
            .collect();
        Self::piecewise_cubic(
            knots,
            coefficients,
            self.left_slope + other.left_slope,
            self.right_slope + other.right_slope,
        )
    }

    /// The cubic this curve is on `[from, to]` (which lies within one of its segments or extrapolation lines),
    /// expanded about `from`: value, first derivative, half the second, a sixth of the third.
    fn taylor(&self, from: f64, to: f64) -> [f64; 4] {
        let n = self.knots.len();
        if to <= self.knots[0] {
            let value = self.coefficients[0][0] + self.left_slope * (from - self.knots[0]);
            return [value, self.left_slope, 0.0, 0.0];
        }
        if from >= self.knots[n - 1] {
            let value = self.right_value + self.right_slope * (from - self.knots[n - 1]);
            return [value, self.right_slope, 0.0, 0.0];
        }
        let j = self.knots.partition_point(|&k| k <= from).saturating_sub(1).min(n - 2);
        let c = &self.coefficients[j];
        let p = cubic(c, from - self.knots[j]);
        [p.value, p.first, 0.5 * p.second, c[3]]
    }

    /// Checks the curve and returns the value at its last knot.
    fn check(&self) -> Result<f64, CurveError> {
        let n = self.knots.len();
        if n < 2 {
            return Err(CurveError::TooFewKnots(n));
        }
        for (index, &value) in self.knots.iter().enumerate() {
            if !value.is_finite() {
                return Err(CurveError::NonFiniteKnot { index, value });
            }
            if index > 0 && !(value > self.knots[index - 1]) {
                return Err(CurveError::KnotsNotIncreasing { index, previous: self.knots[index - 1], value });
            }
        }
        if self.coefficients.len() != n - 1 {
            return Err(CurveError::CoefficientCount { knots: n, coefficients: self.coefficients.len() });
        }
        for (segment, c) in self.coefficients.iter().enumerate() {
            for (name, &value) in NAMES.iter().zip(c) {
                if !value.is_finite() {
                    return Err(CurveError::NonFiniteCoefficient { segment, name, value });
                }
            }
        }
        for (side, value) in [("left", self.left_slope), ("right", self.right_slope)] {
            if !value.is_finite() {
                return Err(CurveError::NonFiniteSlope { side, value });
            }
        }
        let end = cubic(&self.coefficients[n - 2], self.knots[n - 1] - self.knots[n - 2]).value;
        if !end.is_finite() {
            return Err(CurveError::NonFiniteEnd(end));
        }
        Ok(end)
    }

    /// Re-checks the invariants the constructors establish (used by
    /// [`ModelBuilder::build`](super::ModelBuilder::build)).
    ///
    /// # Errors
    /// As [`Curve::piecewise_cubic`].
    pub fn validate(&self) -> Result<(), CurveError> {
        self.check().map(|_| ())
    }

    /// Value and first two derivatives at coordinate `q` (see [`Curve`] for the rules at and beyond the knots).
    #[must_use]
    pub fn evaluate(&self, q: f64) -> CurvePoint {
        let n = self.knots.len();
        let first = self.knots[0];
        let last = self.knots[n - 1];
        if q < first {
            return CurvePoint {
                value: self.coefficients[0][0] + self.left_slope * (q - first),
                first: self.left_slope,
                second: 0.0,
            };
        }
        if q > last {
            return CurvePoint {
                value: self.right_value + self.right_slope * (q - last),
                first: self.right_slope,
                second: 0.0,
            };
        }
        // The last knot not above q (NaN: none, then segment 0 and a NaN result), at most the last segment.
        let j = self.knots.partition_point(|&k| k <= q).saturating_sub(1).min(n - 2);
        cubic(&self.coefficients[j], q - self.knots[j])
    }

    /// `f(q)` alone.
    #[must_use]
    pub fn value(&self, q: f64) -> f64 {
        self.evaluate(q).value
    }

    /// The knots, strictly increasing, in coordinate units.
    #[must_use]
    pub fn knots(&self) -> &[f64] {
        &self.knots
    }

    /// The cubic coefficients `[a, b, c, d]` of each segment, from its left knot.
    #[must_use]
    pub fn coefficients(&self) -> &[[f64; 4]] {
        &self.coefficients
    }

    /// The extrapolation slopes `(left, right)`, curve unit per coordinate unit.
    #[must_use]
    pub fn extrapolation_slopes(&self) -> (f64, f64) {
        (self.left_slope, self.right_slope)
    }

    /// True when the curve is the same value everywhere (every coefficient but the first `a`, and both slopes,
    /// zero).
    #[must_use]
    pub fn is_constant(&self) -> bool {
        self.left_slope == 0.0
            && self.right_slope == 0.0
            && self
                .coefficients
                .iter()
                .enumerate()
                .all(|(j, c)| c[1] == 0.0 && c[2] == 0.0 && c[3] == 0.0 && (j == 0 || c[0] == self.coefficients[0][0]))
    }
}

#[inline]
fn cubic(&[a, b, c, d]: &[f64; 4], dx: f64) -> CurvePoint {
    CurvePoint {
        value: a + dx * (b + dx * (c + dx * d)),
        first: b + dx * (2.0 * c + 3.0 * d * dx),
        second: 2.0 * c + 6.0 * d * dx,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A C² cubic through (0, 1), (1, 2), (3, 0): a natural spline worked out by hand.
    /// Second derivatives: M0 = M2 = 0, M1 from 2 (h0 + h1) M1 = 6 ((0-2)/2 - (2-1)/1) → M1 = -2.
    fn natural() -> Curve {
        // Segment j: a = y_j, b = (y_{j+1}-y_j)/h - h (2 M_j + M_{j+1})/6, c = M_j/2, d = (M_{j+1}-M_j)/(6 h).
        let s0 = [1.0, 1.0 - (-2.0) / 6.0, 0.0, -2.0 / 6.0];
        let s1 = [2.0, -1.0 - 2.0 * (2.0 * -2.0) / 6.0, -1.0, 2.0 / 12.0];
        Curve::piecewise_cubic(vec![0.0, 1.0, 3.0], vec![s0, s1], s0[1], cubic(&s1, 2.0).first).unwrap()
    }

    #[test]
    fn a_sum_of_curves_with_different_knots_is_exact_everywhere() {
        let a = natural();
        let b = Curve::piecewise_cubic(
            vec![-0.5, 0.5, 2.0],
            vec![[0.3, -1.0, 0.5, 0.2], [0.05, -0.45, 0.8, -0.3]],
            -1.0,
            0.7,
        )
        .unwrap();
        let s = a.sum(&b).unwrap();
        assert_eq!(s.knots(), &[-0.5, 0.0, 0.5, 1.0, 2.0, 3.0]);
        for k in 0..=90 {
            let q = -1.5 + 0.06 * f64::from(k);
            let (pa, pb, ps) = (a.evaluate(q), b.evaluate(q), s.evaluate(q));
            assert!((ps.value - (pa.value + pb.value)).abs() < 1e-12, "value at {q}");
            assert!((ps.first - (pa.first + pb.first)).abs() < 1e-12, "slope at {q}");
            assert!((ps.second - (pa.second + pb.second)).abs() < 1e-12, "curvature at {q}");
        }
    }

    #[test]
    fn passes_through_its_knots_with_continuous_derivatives() {
        let c = natural();
        for (q, y) in [(0.0, 1.0), (1.0, 2.0), (3.0, 0.0)] {
            assert!((c.value(q) - y).abs() < 1e-14, "f({q}) = {}", c.value(q));
        }
        // C² at the interior knot: the left segment's end matches the right segment's start.
        let left = cubic(&c.coefficients()[0], 1.0);
        let right = c.evaluate(1.0);
        assert!((left.value - right.value).abs() < 1e-14);
        assert!((left.first - right.first).abs() < 1e-14);
        assert!((left.second - right.second).abs() < 1e-14);
        // Natural ends.
        assert!(c.evaluate(0.0).second.abs() < 1e-14 && c.evaluate(3.0).second.abs() < 1e-14);
    }

    #[test]
    fn derivatives_match_central_differences_to_1e_8() {
        let c = natural();
        let h = 1e-5;
        for k in 0..=60 {
            let q = -1.0 + 0.0837 * f64::from(k);
            let p = c.evaluate(q);
            let d1 = (c.value(q + h) - c.value(q - h)) / (2.0 * h);
            let d2 = (c.evaluate(q + h).first - c.evaluate(q - h).first) / (2.0 * h);
            assert!((p.first - d1).abs() < 1e-8, "q {q}: f' {} vs {d1}", p.first);
            assert!((p.second - d2).abs() < 1e-8, "q {q}: f'' {} vs {d2}", p.second);
        }
    }

    #[test]
    fn extrapolates_linearly_with_the_given_slopes() {
        let c = natural();
        let (sl, sr) = c.extrapolation_slopes();
        let p = c.evaluate(-2.0);
        assert!((p.value - (1.0 - 2.0 * sl)).abs() < 1e-14 && p.first == sl && p.second == 0.0);
        let p = c.evaluate(5.5);
        assert!((p.value - (0.0 + 2.5 * sr)).abs() < 1e-14 && p.first == sr && p.second == 0.0);
        assert!(c.value(f64::NAN).is_nan());
    }

    #[test]
    fn constant_linear_and_scaled() {
        let k = Curve::constant(0.25).unwrap();
        for q in [-10.0, 0.0, 0.5, 1.0, 7.0] {
            assert_eq!(k.evaluate(q), CurvePoint { value: 0.25, first: 0.0, second: 0.0 });
        }
        assert!(k.is_constant());
        let l = Curve::linear(-2.0, 0.5).unwrap();
        for q in [-10.0, 0.0, 0.5, 1.0, 7.0] {
            let p = l.evaluate(q);
            assert!((p.value - (0.5 - 2.0 * q)).abs() < 1e-14 && p.first == -2.0 && p.second == 0.0);
        }
        assert!(!l.is_constant());
        let s = natural().scaled(1.5).unwrap();
        for q in [-1.0, 0.3, 1.0, 2.2, 4.0] {
            let (a, b) = (natural().evaluate(q), s.evaluate(q));
            assert!((b.value - 1.5 * a.value).abs() < 1e-14);
            assert!((b.first - 1.5 * a.first).abs() < 1e-14);
            assert!((b.second - 1.5 * a.second).abs() < 1e-14);
        }
    }

    #[test]
    fn rejects_bad_input_naming_the_problem() {
        let seg = [0.0, 1.0, 0.0, 0.0];
        assert_eq!(Curve::piecewise_cubic(vec![0.0], vec![], 0.0, 0.0), Err(CurveError::TooFewKnots(1)));
        assert_eq!(
            Curve::piecewise_cubic(vec![0.0, f64::INFINITY], vec![seg], 0.0, 0.0),
            Err(CurveError::NonFiniteKnot { index: 1, value: f64::INFINITY })
        );
        assert_eq!(
            Curve::piecewise_cubic(vec![0.0, 1.0, 1.0], vec![seg, seg], 0.0, 0.0),
            Err(CurveError::KnotsNotIncreasing { index: 2, previous: 1.0, value: 1.0 })
        );
        assert_eq!(
            Curve::piecewise_cubic(vec![0.0, 1.0, 2.0], vec![seg], 0.0, 0.0),
            Err(CurveError::CoefficientCount { knots: 3, coefficients: 1 })
        );
        assert!(matches!(
            Curve::piecewise_cubic(vec![0.0, 1.0], vec![[0.0, 0.0, f64::NAN, 0.0]], 0.0, 0.0),
            Err(CurveError::NonFiniteCoefficient { segment: 0, name: "c", .. })
        ));
        assert!(matches!(
            Curve::piecewise_cubic(vec![0.0, 1.0], vec![seg], 0.0, f64::NAN),
            Err(CurveError::NonFiniteSlope { side: "right", .. })
        ));
        assert!(matches!(Curve::constant(f64::NAN), Err(CurveError::NonFiniteCoefficient { name: "a", .. })));
        assert_eq!(natural().scaled(f64::INFINITY), Err(CurveError::NonFiniteScale(f64::INFINITY)));
        assert!(matches!(
            Curve::piecewise_cubic(vec![0.0, 1e200], vec![[0.0, 0.0, 0.0, 1e10]], 0.0, 0.0),
            Err(CurveError::NonFiniteEnd(_))
        ));
        let msg = Curve::piecewise_cubic(vec![0.0, 2.0, 1.0], vec![seg, seg], 0.0, 0.0).unwrap_err().to_string();
        assert_eq!(msg, "knots must increase strictly: knot 2 (1) is not above knot 1 (2)");
    }
}
