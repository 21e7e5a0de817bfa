//! The muscles of a model as one set: their paths and muscle-tendon units, and their state at one instant.

use exo_opensim::{Model, OsimError};

use super::muscle::{FiberState, MuscleTendon};
use super::path::{MusclePath, moment_arms_at_positions};
use super::skeleton::{Skeleton, SkeletonKinematics};

/// Every muscle of a model: its path on the skeleton and its muscle-tendon unit, in the file's order.
#[derive(Clone, Debug)]
pub struct Musculature {
    /// The paths.
    pub paths: Vec<MusclePath>,
    /// The muscle-tendon units.
    pub units: Vec<MuscleTendon>,
}

/// The muscles' state at one instant (rigid tendons), as static optimization and the metabolic model read it.
#[derive(Clone, Debug, Default)]
pub struct MusculatureState {
    /// Each muscle's fibre (its forces at full activation).
    pub fibres: Vec<FiberState>,
    /// Each muscle's active force along the tendon at full activation, N.
    pub active_n: Vec<f64>,
    /// Each muscle's passive force along the tendon, N.
    pub passive_n: Vec<f64>,
    /// `moment_arm[muscle][coordinate]`, m (or m/m).
    pub moment_arm: Vec<Vec<f64>>,
}

impl MusculatureState {
    /// The moment arms about `coordinates`, coordinate-major (`[j][muscle]`), as
    /// [`super::static_optimization::share`] takes them.
    #[must_use]
    pub fn moment_arms_about(&self, coordinates: &[usize]) -> Vec<Vec<f64>> {
        let mut out = Vec::new();
        self.moment_arms_about_into(coordinates, &mut out);
        out
    }

    /// As [`MusculatureState::moment_arms_about`], into `out`, reusing its rows (no allocation once sized).
    pub fn moment_arms_about_into(&self, coordinates: &[usize], out: &mut Vec<Vec<f64>>) {
        out.resize_with(coordinates.len(), Vec::new);
        for (row, &j) in out.iter_mut().zip(coordinates) {
            row.clear();
            row.extend(self.moment_arm.iter().map(|r| r[j]));
        }
    }
}

impl Musculature {
    /// The muscles of `model` on `skeleton`; `file` names the model file in errors.
    ///
    /// # Errors
    /// As [`MusclePath::new`].
    pub fn from_osim(model: &Model, skeleton: &Skeleton, file: &str) -> Result<Self, OsimError> {
        let paths = model.muscles.iter().map(|m| MusclePath::new(m, skeleton, file)).collect::<Result<_, _>>()?;
        Ok(Self { paths, units: model.muscles.iter().map(MuscleTendon::from_osim).collect() })
    }

    /// The state at coordinates `q` and speeds `u` into `out` (resized as needed); `kin` is updated in the process.
    pub fn state(
        &self,
        skeleton: &Skeleton,
        kin: &mut SkeletonKinematics,
        q: &[f64],
        u: &[f64],
        out: &mut MusculatureState,
    ) {
        let n = self.units.len();
        out.fibres.clear();
        out.active_n.clear();
        out.passive_n.clear();
        out.moment_arm.resize_with(n, Vec::new);
        out.moment_arm.iter_mut().for_each(|r| r.resize(q.len(), 0.0));
        kin.update(skeleton, q, u);
        for (p, unit) in self.paths.iter().zip(&self.units) {
            let (length, speed) = p.length_and_speed(skeleton, kin, q, u);
            let f = unit.rigid_tendon(length, speed, 1.0);
            let cos = f.pennation_rad.cos();
            out.active_n.push(unit.max_isometric_force_n * f.active_force_length * f.force_velocity * cos);
            out.passive_n.push(unit.max_isometric_force_n * f.passive_force_length * cos);
            out.fibres.push(f);
        }
        // The kinematics are at `q` already: only the Jacobian columns are left to compute.
        moment_arms_at_positions(&self.paths, skeleton, kin, q, &mut out.moment_arm);
    }
}
