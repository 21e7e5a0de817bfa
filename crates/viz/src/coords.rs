//! From the simulation's sagittal plane to bevy's 3-D world.
//!
//! The simulation is planar: x forward, z up, angles counter-clockwise from x towards z, y lateral. bevy is Y-up,
//! so sim (x, z) maps to bevy (x, y), the lateral offset of a part goes on bevy z, and a planar angle `a` is the
//! rotation `Quat::from_rotation_z(a)`.

use bevy::prelude::*;
use exo_control::SVector;
use exo_sim::multibody::Pose2;

/// Lateral offset of the human leg, m (bevy z).
pub const LEG_LATERAL_M: f32 = 0.10;
/// Lateral offset of the exoskeleton links, outside the leg, m (bevy z).
pub const EXO_LATERAL_M: f32 = 0.17;
/// Lateral offset of the cuffs, between leg and links, m (bevy z).
pub const CUFF_LATERAL_M: f32 = 0.135;

/// A point of the sagittal plane at a lateral offset.
#[must_use]
pub fn point(p: &SVector<f64, 2>, lateral_m: f32) -> Vec3 {
    Vec3::new(p.x as f32, p.y as f32, lateral_m)
}

/// A vector of the sagittal plane (no lateral component).
#[must_use]
pub fn vector(v: &SVector<f64, 2>) -> Vec3 {
    Vec3::new(v.x as f32, v.y as f32, 0.0)
}

/// The rotation of a planar angle.
#[must_use]
pub fn rotation(angle_rad: f64) -> Quat {
    Quat::from_rotation_z(angle_rad as f32)
}

/// The transform of a body frame at a lateral offset.
#[must_use]
pub fn transform(pose: &Pose2, lateral_m: f32) -> Transform {
    Transform { translation: point(&pose.origin_m, lateral_m), rotation: rotation(pose.angle_rad), scale: Vec3::ONE }
}

/// Interpolates two poses: origins linearly, angles along the shorter way round.
#[must_use]
pub fn lerp_pose(a: &Pose2, b: &Pose2, t: f64) -> Pose2 {
    let mut da = (b.angle_rad - a.angle_rad) % std::f64::consts::TAU;
    if da > std::f64::consts::PI {
        da -= std::f64::consts::TAU;
    } else if da < -std::f64::consts::PI {
        da += std::f64::consts::TAU;
    }
    Pose2::new(a.angle_rad + da * t, a.origin_m + (b.origin_m - a.origin_m) * t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn planar_angle_maps_to_rotation_about_z() {
        let pose = Pose2::new(0.5, SVector::<f64, 2>::new(0.2, 0.9));
        let t = transform(&pose, LEG_LATERAL_M);
        assert_eq!(t.translation, Vec3::new(0.2, 0.9, LEG_LATERAL_M));
        // Local +x turns towards +y (sim z) by the planar angle.
        let x = t.rotation * Vec3::X;
        assert!((x - Vec3::new(0.5f32.cos(), 0.5f32.sin(), 0.0)).length() < 1e-6);
    }

    #[test]
    fn interpolation_takes_the_short_way_round() {
        let a = Pose2::new(3.0, SVector::<f64, 2>::new(0.0, 0.0));
        let b = Pose2::new(-3.0, SVector::<f64, 2>::new(1.0, 2.0));
        let m = lerp_pose(&a, &b, 0.5);
        assert!((m.angle_rad - (3.0 + (std::f64::consts::TAU - 6.0) / 2.0)).abs() < 1e-12);
        assert_eq!(m.origin_m, SVector::<f64, 2>::new(0.5, 1.0));
    }
}
