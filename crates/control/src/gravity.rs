//! Gravity compensation from the law's own model of the device (and, if the designer adds them, the limb
//! segments it carries), evaluated on the sensed joint angles and the base inclination.
//!
//! The model is a planar tree of links in the sagittal plane (x forward, z up; angles counter-clockwise from
//! +x towards +z, as seen from the subject's right). Link `j` hangs on joint `j`; its parent is another joint's
//! link or the device's base (the hip belt), whose pitch comes from the frame's inertial sensor. The hazard this
//! module exists for: a controller that reads the simulator's true state compensates perfectly and hides model
//! error, which no device can do. This model is only as good as the numbers the designer gives it.

use nalgebra::SVector;

use crate::error::{self, ConfigError, Problem};
use crate::real::{Real, c};

/// One link of the gravity model: the body that turns with joint `j`.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct GravityLink<T> {
    /// Index of the joint whose link carries this joint, `None` when the base carries it. Must be lower than
    /// this link's own index (parents first).
    pub parent: Option<u8>,
    /// This joint's axis in the parent link's frame (or the base frame), m: (x, z) at zero parent angle.
    pub joint_m: [T; 2],
    /// Mass of the link (and of whatever it carries that turns with it), kg (>= 0).
    pub mass_kg: T,
    /// Centre of mass in the link frame (origin on this joint's axis), m: (x, z) at zero joint angle.
    pub com_m: [T; 2],
    /// `+1` when a positive joint angle turns the link counter-clockwise (OpenSim's sign for hip flexion, knee
    /// angle and ankle dorsiflexion about the subject's right-pointing axis), `-1` for the opposite.
    pub axis_sign: T,
}

/// Configuration of a [`GravityModel`] for `N` joints.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct GravityModelConfig<T: Real, const N: usize> {
    /// One link per joint.
    #[cfg_attr(feature = "serde", serde(with = "crate::serde_array"))]
    pub links: [GravityLink<T>; N],
    /// Gravitational acceleration, m/s² (>= 0; pointing down the base's world vertical).
    pub gravity_m_per_s2: T,
}

impl<T: Real, const N: usize> GravityModelConfig<T, N> {
    /// Checks every field.
    pub fn validate(&self) -> Result<(), ConfigError> {
        for (j, l) in self.links.iter().enumerate() {
            let at = |e: ConfigError| e.at_joint(j);
            if let Some(p) = l.parent
                && usize::from(p) >= j
            {
                return Err(ConfigError::new("links.parent", Problem::OutOfRange).at_joint(j));
            }
            for v in l.joint_m {
                error::finite(v, "links.joint_m").map_err(at)?;
            }
            for v in l.com_m {
                error::finite(v, "links.com_m").map_err(at)?;
            }
            error::non_negative(l.mass_kg, "links.mass_kg").map_err(at)?;
            if l.axis_sign != T::one() && l.axis_sign != -T::one() {
                return Err(ConfigError::new("links.axis_sign", Problem::OutOfRange).at_joint(j));
            }
        }
        error::non_negative(self.gravity_m_per_s2, "gravity_m_per_s2")
    }
}

/// The torque at each joint that holds the links against gravity, from joint angles and base pitch.
#[derive(Clone, Copy, Debug)]
pub struct GravityModel<T: Real, const N: usize> {
    config: GravityModelConfig<T, N>,
}

impl<T: Real, const N: usize> GravityModel<T, N> {
    /// A model with a validated configuration.
    pub fn new(config: GravityModelConfig<T, N>) -> Result<Self, ConfigError> {
        config.validate()?;
        Ok(Self { config })
    }

    /// The configuration in force.
    #[must_use]
    pub fn config(&self) -> &GravityModelConfig<T, N> {
        &self.config
    }

    /// Holding torque at each joint, N m, for joint angles `q_rad` and base pitch `base_pitch_rad`. O(N²) with
    /// no data-dependent loop bounds (N is small: a device has at most a few joints).
    #[must_use]
    pub fn torque_nm(&self, q_rad: &SVector<T, N>, base_pitch_rad: T) -> SVector<T, N> {
        let links = &self.config.links;
        let mut angle = [T::zero(); N];
        let mut origin = [[T::zero(); 2]; N];
        let mut com = [[T::zero(); 2]; N];
        for j in 0..N {
            let l = &links[j];
            // A parent index is validated to be lower than the child's; `get` keeps the tick free of a bounds-check
            // panic the compiler cannot rule out.
            let parent = l.parent.map(usize::from).filter(|p| *p < j).and_then(|p| angle.get(p).zip(origin.get(p)));
            let (parent_angle, parent_origin) = match parent {
                Some((a, o)) => (*a, *o),
                None => (base_pitch_rad, [T::zero(); 2]),
            };
            let (s, co) = parent_angle.sin_cos();
            origin[j] = [
                parent_origin[0] + co * l.joint_m[0] - s * l.joint_m[1],
                parent_origin[1] + s * l.joint_m[0] + co * l.joint_m[1],
            ];
            angle[j] = parent_angle + l.axis_sign * q_rad[j];
            let (s, co) = angle[j].sin_cos();
            com[j] = [origin[j][0] + co * l.com_m[0] - s * l.com_m[1], origin[j][1] + s * l.com_m[0] + co * l.com_m[1]];
        }
        let g = self.config.gravity_m_per_s2;
        SVector::from_fn(|j, _| {
            let mut moment = T::zero();
            for k in j..N {
                if descends_from(links, k, j) {
                    // Moment of the link's weight (0, -m g) about joint j, counter-clockwise: r_x * (-m g).
                    moment -= (com[k][0] - origin[j][0]) * links[k].mass_kg * g;
                }
            }
            // Holding torque: the negative of gravity's generalised force on the joint.
            -links[j].axis_sign * moment
        })
    }
}

/// True when link `k` is link `j` or hangs below it. Walks at most `N` parents (parents have lower indices).
fn descends_from<T: Real>(links: &[GravityLink<T>], k: usize, j: usize) -> bool {
    let mut at = Some(k);
    for _ in 0..=links.len() {
        match at {
            Some(i) if i == j => return true,
            Some(i) if i < j => return false,
            Some(i) => at = links.get(i).and_then(|l| l.parent).map(usize::from),
            None => return false,
        }
    }
    false
}

/// A gravity model with no links (every torque zero), for laws that compensate nothing.
impl<T: Real, const N: usize> Default for GravityModelConfig<T, N> {
    fn default() -> Self {
        Self {
            links: [GravityLink {
                parent: None,
                joint_m: [T::zero(); 2],
                mass_kg: T::zero(),
                com_m: [T::zero(); 2],
                axis_sign: T::one(),
            }; N],
            gravity_m_per_s2: c(9.81),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hanging_pendulum_needs_m_g_l_sin_q() {
        // One link of 2 kg whose centre of mass is 0.3 m below the joint at zero angle: at angle q (ccw) the
        // centre of mass sits 0.3 sin q forward, so holding it takes m g 0.3 sin q (ccw positive).
        let mut cfg = GravityModelConfig::<f64, 1>::default();
        cfg.links[0].mass_kg = 2.0;
        cfg.links[0].com_m = [0.0, -0.3];
        let m = GravityModel::new(cfg).unwrap();
        for q in [-1.0, -0.2, 0.0, 0.4, 1.3] {
            let t = m.torque_nm(&SVector::from([q]), 0.0)[0];
            assert!((t - 2.0 * 9.81 * 0.3 * q.sin()).abs() < 1e-12, "q {q}: {t}");
        }
        // The base pitch adds to the link's angle.
        let t = m.torque_nm(&SVector::from([0.1]), 0.2)[0];
        assert!((t - 2.0 * 9.81 * 0.3 * 0.3f64.sin()).abs() < 1e-12);
    }

    #[test]
    fn a_two_link_chain_matches_the_closed_form() {
        // Thigh link (1.6 kg at 0.1 m) carrying a shank link (0.9 kg at 0.12 m) whose joint is 0.4 m down.
        let mut cfg = GravityModelConfig::<f64, 2>::default();
        cfg.links[0] =
            GravityLink { parent: None, joint_m: [0.0, 0.0], mass_kg: 1.6, com_m: [0.0, -0.1], axis_sign: 1.0 };
        cfg.links[1] =
            GravityLink { parent: Some(0), joint_m: [0.0, -0.4], mass_kg: 0.9, com_m: [0.0, -0.12], axis_sign: 1.0 };
        let m = GravityModel::new(cfg).unwrap();
        let (q1, q2) = (0.5, -0.8);
        let t = m.torque_nm(&SVector::from([q1, q2]), 0.0);
        let g = 9.81;
        let knee = 0.9 * g * 0.12 * (q1 + q2).sin();
        let hip = 1.6 * g * 0.1 * q1.sin() + 0.9 * g * (0.4 * q1.sin() + 0.12 * (q1 + q2).sin());
        assert!((t[0] - hip).abs() < 1e-12 && (t[1] - knee).abs() < 1e-12, "{t:?}");
    }

    #[test]
    fn a_parent_after_its_child_is_refused() {
        let mut cfg = GravityModelConfig::<f64, 2>::default();
        cfg.links[0].parent = Some(1);
        assert_eq!(
            GravityModel::new(cfg).unwrap_err(),
            ConfigError::new("links.parent", Problem::OutOfRange).at_joint(0)
        );
    }
}
