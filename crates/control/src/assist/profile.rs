//! Torque-versus-gait-phase profiles.

use crate::error::{self, ConfigError, Problem};
use crate::real::{Real, c};

/// The four-parameter assistance profile of Zhang et al. (Science 2017, "Human-in-the-loop optimization of
/// exoskeleton assistance during walking"): zero outside `[peak - rise, peak + fall]`, rising to `peak_torque_nm`
/// at `peak_time_pct` and falling back, each side a cubic with zero slope at both ends (C1 everywhere).
///
/// Times are in percent of stride and may wrap around 0/100.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct SplineProfile<T> {
    /// Peak torque, N m (sign gives the direction).
    pub peak_torque_nm: T,
    /// Time of the peak, % of stride (0 to 100).
    pub peak_time_pct: T,
    /// Duration of the rise, % of stride (> 0).
    pub rise_time_pct: T,
    /// Duration of the fall, % of stride (> 0).
    pub fall_time_pct: T,
}

impl<T: Real> SplineProfile<T> {
    /// Checks every field: finite, times within `[0, 100]`, rise and fall positive with a sum below 100 %.
    pub fn validate(&self) -> Result<(), ConfigError> {
        error::finite(self.peak_torque_nm, "peak_torque_nm")?;
        error::within(self.peak_time_pct, T::zero(), c(100.0), "peak_time_pct")?;
        error::positive(self.rise_time_pct, "rise_time_pct")?;
        error::positive(self.fall_time_pct, "fall_time_pct")?;
        if self.rise_time_pct + self.fall_time_pct >= c(100.0) {
            return Err(ConfigError::new("fall_time_pct", Problem::OutOfRange));
        }
        Ok(())
    }

    /// Torque at gait phase `phase` (fraction of stride, wrapped into `[0, 1)`), N m.
    #[inline]
    #[must_use]
    pub fn torque_nm(&self, phase: T) -> T {
        let pct = wrap_pct(phase * c(100.0));
        // Signed distance from the peak, wrapped into [-50, 50) % so that profiles may straddle heel strike.
        let d = wrap_pct(pct - self.peak_time_pct + c(50.0)) - c(50.0);
        let s = if d < T::zero() { T::one() + d / self.rise_time_pct } else { T::one() - d / self.fall_time_pct };
        if s <= T::zero() {
            return T::zero();
        }
        // Cubic Hermite with zero end slopes.
        self.peak_torque_nm * s * s * (c::<T>(3.0) - c::<T>(2.0) * s)
    }
}

/// Wraps a percentage into `[0, 100)`.
#[inline]
fn wrap_pct<T: Real>(x: T) -> T {
    let hundred: T = c(100.0);
    let w = x - hundred * (x / hundred).floor();
    if w >= hundred || w < T::zero() { T::zero() } else { w }
}

/// Largest number of points in a [`TableProfile`].
pub const TABLE_CAPACITY: usize = 32;

/// A periodic torque table over the stride with linear interpolation between points (and from the last point
/// back to the first across 100 %).
///
/// With the `serde` feature it reads and writes as a list of `[phase %, torque N m]` pairs, checked as
/// [`TableProfile::new`] checks them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TableProfile<T> {
    phase_pct: [T; TABLE_CAPACITY],
    torque_nm: [T; TABLE_CAPACITY],
    len: usize,
}

impl<T: Real> TableProfile<T> {
    /// A table from `(phase %, torque N m)` points with strictly increasing phases in `[0, 100)`; at most
    /// [`TABLE_CAPACITY`] points, at least 2.
    pub fn new(points: &[(T, T)]) -> Result<Self, ConfigError> {
        if points.len() < 2 || points.len() > TABLE_CAPACITY {
            return Err(ConfigError::new("points", Problem::OutOfRange));
        }
        let mut table = Self { phase_pct: [T::zero(); TABLE_CAPACITY], torque_nm: [T::zero(); TABLE_CAPACITY], len: 0 };
        let mut prev = -T::one();
        for (slot, &(p, t)) in points.iter().enumerate() {
            error::within(p, T::zero(), c(100.0), "phase_pct").map_err(|e| e.at_joint(slot))?;
            if p >= c(100.0) {
                return Err(ConfigError::new("phase_pct", Problem::OutOfRange));
            }
            error::finite(t, "torque_nm")?;
            if p <= prev {
                return Err(ConfigError::new("phase_pct", Problem::NotIncreasing));
            }
            prev = p;
            if let (Some(ps), Some(ts)) = (table.phase_pct.get_mut(slot), table.torque_nm.get_mut(slot)) {
                *ps = p;
                *ts = t;
            }
        }
        table.len = points.len();
        Ok(table)
    }

    /// The points as `(phase %, torque N m)` slices.
    #[must_use]
    pub fn points(&self) -> (&[T], &[T]) {
        (self.phase_pct.get(..self.len).unwrap_or(&[]), self.torque_nm.get(..self.len).unwrap_or(&[]))
    }

    /// Torque at gait phase `phase` (fraction of stride), N m. O(log n).
    #[inline]
    #[must_use]
    pub fn torque_nm(&self, phase: T) -> T {
        let (ps, ts) = self.points();
        let x = wrap_pct(phase * c(100.0));
        // Index of the first point with phase > x.
        let hi = ps.partition_point(|p| *p <= x);
        let n = ps.len();
        let (i0, i1) = if hi == 0 || hi == n { (n.saturating_sub(1), 0) } else { (hi - 1, hi) };
        let (Some(&p0), Some(&t0), Some(&p1), Some(&t1)) = (ps.get(i0), ts.get(i0), ps.get(i1), ts.get(i1)) else {
            return T::zero();
        };
        let hundred: T = c(100.0);
        let span = if p1 > p0 { p1 - p0 } else { p1 + hundred - p0 };
        let dx = if x >= p0 { x - p0 } else { x + hundred - p0 };
        if span > T::zero() { t0 + (t1 - t0) * (dx / span) } else { t0 }
    }
}

/// A torque profile over the gait cycle.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[cfg_attr(
    feature = "serde",
    serde(bound(serialize = "T: Real + serde::Serialize", deserialize = "T: Real + serde::Deserialize<'de>"))
)]
pub enum Profile<T> {
    /// No assistance.
    Zero,
    /// The four-parameter spline.
    Spline(SplineProfile<T>),
    /// A periodic table.
    Table(TableProfile<T>),
}

impl<T: Real> Profile<T> {
    /// Torque at gait phase `phase`, N m.
    #[inline]
    #[must_use]
    pub fn torque_nm(&self, phase: T) -> T {
        match self {
            Profile::Zero => T::zero(),
            Profile::Spline(s) => s.torque_nm(phase),
            Profile::Table(t) => t.torque_nm(phase),
        }
    }

    /// Checks the profile.
    pub fn validate(&self) -> Result<(), ConfigError> {
        match self {
            Profile::Spline(s) => s.validate(),
            Profile::Zero | Profile::Table(_) => Ok(()),
        }
    }
}

#[cfg(feature = "serde")]
impl<T: Real + serde::Serialize> serde::Serialize for TableProfile<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let (phases, torques) = self.points();
        let mut seq = s.serialize_seq(Some(phases.len()))?;
        for (p, t) in phases.iter().zip(torques) {
            seq.serialize_element(&(p, t))?;
        }
        seq.end()
    }
}

#[cfg(feature = "serde")]
impl<'de, T: Real + serde::Deserialize<'de>> serde::Deserialize<'de> for TableProfile<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Points<T>(core::marker::PhantomData<T>);
        impl<'de, T: Real + serde::Deserialize<'de>> serde::de::Visitor<'de> for Points<T> {
            type Value = TableProfile<T>;

            fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                write!(f, "a list of 2 to {TABLE_CAPACITY} [phase %, torque N m] pairs")
            }

            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                use serde::de::Error;
                // Fixed storage: no allocation, so the table can be read on the target too.
                let mut points = [(T::zero(), T::zero()); TABLE_CAPACITY];
                let mut len = 0;
                while let Some(point) = seq.next_element::<(T, T)>()? {
                    let Some(slot) = points.get_mut(len) else {
                        return Err(A::Error::invalid_length(len + 1, &self));
                    };
                    *slot = point;
                    len += 1;
                }
                TableProfile::new(points.get(..len).unwrap_or(&[])).map_err(A::Error::custom)
            }
        }
        d.deserialize_seq(Points(core::marker::PhantomData))
    }
}
