//! The scalar type every controller is generic over.

use nalgebra::RealField;

/// A floating-point scalar usable in the control core: `f32` or `f64`.
///
/// Implemented for every `Copy` type that nalgebra treats as a real field.
pub trait Real: RealField + Copy {}

impl<T: RealField + Copy> Real for T {}

/// Converts an `f64` literal into the scalar type.
#[inline(always)]
pub(crate) fn c<T: Real>(x: f64) -> T {
    T::from_subset(&x)
}

/// The larger of two numbers, as one `maxsd` instruction: inputs are finite by the time it is called.
#[inline(always)]
pub(crate) fn fmax<T: PartialOrd>(a: T, b: T) -> T {
    if a > b { a } else { b }
}

/// The smaller of two numbers, as one `minsd` instruction: inputs are finite by the time it is called.
#[inline(always)]
pub(crate) fn fmin<T: PartialOrd>(a: T, b: T) -> T {
    if a < b { a } else { b }
}

/// Clamps `x` into `[lo, hi]` (callers guarantee `lo <= hi`).
#[inline(always)]
pub(crate) fn fclamp<T: PartialOrd>(x: T, lo: T, hi: T) -> T {
    fmin(fmax(x, lo), hi)
}

/// True when every element of the vector is finite.
#[inline]
pub(crate) fn all_finite<T: Real, const N: usize>(v: &nalgebra::SVector<T, N>) -> bool {
    v.iter().all(|x| x.is_finite())
}

/// True when `dt_s` is a usable tick length: positive and finite (NaN fails the comparison).
#[inline(always)]
pub(crate) fn valid_dt<T: Real>(dt_s: T) -> bool {
    dt_s > T::zero() && dt_s < c(f64::INFINITY)
}
