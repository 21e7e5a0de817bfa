//! An ideal assistive device on a recorded trial: a torque per assisted coordinate that follows an assistance
//! profile of the gait phase, delivered exactly (no actuator, no mass, no interaction), as in OpenSim studies of
//! ideal devices (Uchida et al. 2016, "Simulating ideal assistive devices to reduce the metabolic cost of running",
//! PLoS ONE 11(9) e0163417). It answers what a torque pattern could save before any hardware limits it; the
//! scenarios' actuated devices answer what a given actuator delivers.
//!
//! The gait phase of each side runs from 0 at one heel strike of that side's foot to 1 at the next, the heel strikes
//! found on the force plate under the foot ([`MeasuredLoads::heel_strikes_s`]). Before the
//! first and after the last heel strike the nearest stride's duration extends the phase.

use exo_control::assist::SplineProfile;

use super::skeleton::Skeleton;
use super::trial::MeasuredLoads;

/// Why an ideal device cannot be put on a trial.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DeviceError {
    /// The coordinate is not in the model.
    #[error("assisted coordinate `{0}` is not a coordinate of the model")]
    UnknownCoordinate(String),
    /// The coordinate has no side (`_r`/`_l`), or no plate lies under that side's foot.
    #[error("assisted coordinate `{coordinate}`: {problem}")]
    NoGaitPhase {
        /// The coordinate.
        coordinate: String,
        /// Why its gait phase cannot be timed.
        problem: String,
    },
    /// A profile field out of range.
    #[error("assisted coordinate `{coordinate}`: profile field `{field}` is out of range")]
    BadProfile {
        /// The coordinate.
        coordinate: String,
        /// The field.
        field: &'static str,
    },
}

/// One assisted coordinate.
#[derive(Clone, Debug, PartialEq)]
pub struct AssistedCoordinate {
    /// Index into the skeleton's coordinates.
    pub coordinate: usize,
    /// The torque (N m, positive in the coordinate's positive sense) against the side's gait phase.
    pub profile: SplineProfile<f64>,
    /// Heel strikes of the side, s.
    heel_strikes_s: Vec<f64>,
}

/// An ideal device: assisted coordinates and their profiles.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct IdealDevice {
    /// The assisted coordinates.
    pub joints: Vec<AssistedCoordinate>,
}

/// The gait phase (fraction of stride, wrapped by the profile) at `t_s` from the heel strikes `hs` (at least two).
fn phase(hs: &[f64], t_s: f64) -> f64 {
    let k = hs.partition_point(|&h| h <= t_s);
    // The stride around t: the one it lies in, or the first or last when t is outside them.
    let i = k.clamp(1, hs.len() - 1);
    let (start, end) = (hs[i - 1], hs[i]);
    (t_s - start) / (end - start)
}

impl IdealDevice {
    /// A device assisting `coordinate` (by name) with `profile`, each timed by the plate under the foot of the
    /// coordinate's side (`_r` → the force on a body named `*_r` of the model's feet, `calcn_r` in gait10dof18musc).
    ///
    /// # Errors
    /// An unknown coordinate, a coordinate without a side or plate, fewer than two heel strikes, a profile out of
    /// range.
    pub fn new(
        skeleton: &Skeleton,
        loads: &MeasuredLoads,
        joints: &[(String, SplineProfile<f64>)],
    ) -> Result<Self, DeviceError> {
        let mut out = Vec::new();
        for (name, profile) in joints {
            let c = skeleton.coordinate(name).ok_or_else(|| DeviceError::UnknownCoordinate(name.clone()))?;
            profile.validate().map_err(|e| DeviceError::BadProfile { coordinate: name.clone(), field: e.field })?;
            let no_phase = |problem: String| DeviceError::NoGaitPhase { coordinate: name.clone(), problem };
            let side = ["_r", "_l"].into_iter().find(|s| name.ends_with(s)).ok_or_else(|| {
                no_phase("it has no side (`_r` or `_l`) whose heel strikes time the gait phase".into())
            })?;
            let heel_strikes_s = loads
                .heel_strikes_s(skeleton, side)
                .ok_or_else(|| no_phase(format!("no force plate in ground acts on a `*{side}` body")))?;
            if heel_strikes_s.len() < 2 {
                return Err(no_phase(format!(
                    "the plate under the `{side}` foot shows {} heel strike(s); two are needed for a stride",
                    heel_strikes_s.len()
                )));
            }
            out.push(AssistedCoordinate { coordinate: c, profile: *profile, heel_strikes_s });
        }
        Ok(Self { joints: out })
    }

    /// The device's generalised forces at `t_s` (one per skeleton coordinate, N m) into `out`.
    pub fn torques(&self, t_s: f64, out: &mut [f64]) {
        out.iter_mut().for_each(|v| *v = 0.0);
        for j in &self.joints {
            out[j.coordinate] += j.profile.torque_nm(phase(&j.heel_strikes_s, t_s));
        }
    }

    /// The heel strikes timing assisted coordinate `k`, s.
    #[must_use]
    pub fn heel_strikes_s(&self, k: usize) -> &[f64] {
        &self.joints[k].heel_strikes_s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_phase_runs_from_heel_strike_to_heel_strike_and_extends_outside() {
        let hs = [1.0, 2.0, 3.2];
        assert_eq!(phase(&hs, 1.0), 0.0);
        assert_eq!(phase(&hs, 1.5), 0.5);
        assert!((phase(&hs, 2.6) - 0.5).abs() < 1e-12);
        // Before the first: the first stride extended backwards; after the last: the last one forwards.
        assert!((phase(&hs, 0.75) + 0.25).abs() < 1e-12);
        assert!((phase(&hs, 3.5) - 1.25).abs() < 1e-12);
    }
}
