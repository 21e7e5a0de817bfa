//! Segment masses, lengths and inertias scaled from body mass and height (de Leva 1996).
//!
//! de Leva P. (1996), "Adjustments to Zatsiorsky-Seluyanov's segment inertia parameters", J. Biomech. 29(9),
//! 1223-1230, table 4 (males). Mass fractions are of body mass; lengths are de Leva's mean segment lengths for a
//! 1741 mm stature, scaled by `height / 1.741`; centres of mass are fractions of segment length from the
//! proximal end; radii of gyration are fractions of segment length (sagittal axis).

/// de Leva's mean male stature, m.
pub const DE_LEVA_STATURE_M: f64 = 1.741;

/// One rigid segment's parameters.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Segment {
    /// Mass, kg.
    pub mass_kg: f64,
    /// Length (joint centre to joint centre, or heel to toe for the foot), m.
    pub length_m: f64,
    /// Centre of mass distance from the proximal end, m.
    pub com_from_proximal_m: f64,
    /// Moment of inertia about the centre of mass, sagittal axis, kg m².
    pub inertia_kg_m2: f64,
}

impl Segment {
    fn from_table(body_mass_kg: f64, scale: f64, row: (f64, f64, f64, f64)) -> Self {
        let (mass_fraction, length_mm, com_fraction, gyration_fraction) = row;
        let mass_kg = mass_fraction * body_mass_kg;
        let length_m = length_mm * 1e-3 * scale;
        let r = gyration_fraction * length_m;
        Self { mass_kg, length_m, com_from_proximal_m: com_fraction * length_m, inertia_kg_m2: mass_kg * r * r }
    }
}

/// (mass fraction, length mm at 1741 mm stature, CoM fraction from proximal, sagittal radius of gyration).
const THIGH: (f64, f64, f64, f64) = (0.1416, 422.2, 0.4095, 0.329);
const SHANK: (f64, f64, f64, f64) = (0.0433, 434.0, 0.4459, 0.255);
/// Foot: length heel to toe tip, CoM from the heel.
const FOOT: (f64, f64, f64, f64) = (0.0137, 258.1, 0.4415, 0.257);

/// The leg segments of one subject, plus the geometry of the foot and the share of the upper body one leg
/// carries.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Anthropometry {
    /// Body mass, kg.
    pub body_mass_kg: f64,
    /// Height, m.
    pub height_m: f64,
    /// Thigh.
    pub thigh: Segment,
    /// Shank.
    pub shank: Segment,
    /// Foot (length heel to toe, CoM from the heel).
    pub foot: Segment,
    /// Height of the ankle joint above the sole, m (0.039 of stature, Winter 2009 table 4.1).
    pub ankle_height_m: f64,
    /// Distance from the heel to the ankle joint along the foot, m (0.19 of foot length, estimate).
    pub heel_to_ankle_m: f64,
    /// Mass of the pelvis and the half of head, arms and trunk that one leg carries, kg.
    pub upper_body_share_kg: f64,
}

impl Anthropometry {
    /// Scales de Leva's male table to `body_mass_kg` and `height_m`.
    #[must_use]
    pub fn de_leva_male(body_mass_kg: f64, height_m: f64) -> Self {
        let scale = height_m / DE_LEVA_STATURE_M;
        let thigh = Segment::from_table(body_mass_kg, scale, THIGH);
        let shank = Segment::from_table(body_mass_kg, scale, SHANK);
        let foot = Segment::from_table(body_mass_kg, scale, FOOT);
        let legs = 2.0 * (thigh.mass_kg + shank.mass_kg + foot.mass_kg);
        Self {
            body_mass_kg,
            height_m,
            thigh,
            shank,
            foot,
            ankle_height_m: 0.039 * height_m,
            heel_to_ankle_m: 0.19 * foot.length_m,
            upper_body_share_kg: 0.5 * (body_mass_kg - legs),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reproduces_the_reference_leg_table_for_75_kg() {
        // docs/bench/reference-leg.md lists de Leva's figures for 75 kg, rounded: 10.62 / 3.25 / 1.03 kg and CoM 0.173,
        // 0.194, 0.114 m at de Leva's own stature.
        let a = Anthropometry::de_leva_male(75.0, DE_LEVA_STATURE_M);
        assert!((a.thigh.mass_kg - 10.62).abs() < 0.005);
        assert!((a.shank.mass_kg - 3.25).abs() < 0.005);
        assert!((a.foot.mass_kg - 1.03).abs() < 0.005);
        assert!((a.thigh.com_from_proximal_m - 0.173).abs() < 5e-4);
        assert!((a.shank.com_from_proximal_m - 0.194).abs() < 5e-4);
        assert!((a.foot.com_from_proximal_m - 0.114).abs() < 5e-4);
        assert!((a.thigh.inertia_kg_m2 - 10.62 * (0.329 * 0.422f64).powi(2)).abs() < 1e-3);
    }
}
