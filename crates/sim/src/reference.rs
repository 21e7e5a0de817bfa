//! Reference motions the human model follows: a recorded gait, a held posture, a sit-to-stand transfer.

use nalgebra::{Vector2, Vector3};

use crate::multibody::{BaseMotion, Pose2};
use crate::opensim::GaitReference;
use crate::world::{BaseTrajectory, FootLoad};

/// The reference at one instant.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RefSample {
    /// Joint angles (hip, knee, ankle), rad.
    pub q: [f64; 3],
    /// Joint speeds, rad/s.
    pub qd: [f64; 3],
    /// Joint accelerations, rad/s².
    pub qdd: [f64; 3],
    /// Pelvis motion, when the reference prescribes it.
    pub pelvis: Option<BaseMotion>,
    /// Gait phase in [0, 1), for cyclic references.
    pub phase: Option<f64>,
    /// Share of the body weight the foot should carry (the rest on a seat), for transfers.
    pub foot_support: Option<f64>,
}

/// A reference motion of the leg (and pelvis).
pub trait MotionReference: Send + Sync {
    /// The reference at `t_s`.
    fn sample(&self, t_s: f64) -> RefSample;
}

/// A posture held still.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Hold(pub [f64; 3]);

impl MotionReference for Hold {
    fn sample(&self, _t_s: f64) -> RefSample {
        RefSample { q: self.0, qd: [0.0; 3], qdd: [0.0; 3], pelvis: None, phase: None, foot_support: None }
    }
}

/// Pelvis motion of a gait sample as a base motion.
fn pelvis_motion(p: &crate::opensim::PelvisSample) -> BaseMotion {
    BaseMotion {
        pose: Pose2::new(p.pitch_rad, Vector2::new(p.x_m, p.z_m)),
        angular_velocity_rad_per_s: p.pitchd_rad_s,
        velocity_m_per_s: Vector2::new(p.xd_m_s, p.zd_m_s),
        angular_acceleration_rad_per_s2: p.pitchdd_rad_s2,
        acceleration_m_per_s2: Vector2::new(p.xdd_m_s2, p.zdd_m_s2),
    }
}

/// A recorded walking trial, periodic: joint kinematics, pelvis motion and (scaled) ground reaction.
#[derive(Clone, Debug)]
pub struct Gait {
    /// The fitted reference.
    pub reference: GaitReference,
    /// Ground reaction scale: (body + carried load) / body mass, so that a backpack loads the stance leg.
    pub grf_scale: f64,
    /// Time stretch of the trial (> 1 walks slower), dimensionless.
    pub time_scale: f64,
}

impl MotionReference for Gait {
    fn sample(&self, t_s: f64) -> RefSample {
        let k = 1.0 / self.time_scale;
        let s = self.reference.sample(t_s * k);
        let mut pelvis = pelvis_motion(&s.pelvis);
        pelvis.angular_velocity_rad_per_s *= k;
        pelvis.velocity_m_per_s *= k;
        pelvis.angular_acceleration_rad_per_s2 *= k * k;
        pelvis.acceleration_m_per_s2 *= k * k;
        RefSample {
            q: s.joint_angles_rad,
            qd: s.joint_velocities_rad_s.map(|v| v * k),
            qdd: s.joint_accelerations_rad_s2.map(|a| a * k * k),
            pelvis: Some(pelvis),
            phase: Some(s.phase),
            foot_support: None,
        }
    }
}

impl BaseTrajectory for Gait {
    fn motion(&self, t_s: f64) -> BaseMotion {
        self.sample(t_s).pelvis.unwrap_or_else(|| BaseMotion::fixed(Pose2::IDENTITY))
    }
}

impl FootLoad for Gait {
    fn foot_force(&self, t_s: f64) -> Option<(Vector2<f64>, Vector2<f64>)> {
        let g = self.reference.ground_reaction(t_s / self.time_scale)?;
        if g.force_n == [0.0, 0.0] {
            return None;
        }
        Some((Vector2::new(g.force_n[0], g.force_n[1]) * self.grf_scale, Vector2::new(g.cop_m[0], g.cop_m[1])))
    }
}

/// Quintic smoothstep from 0 to 1 over [0, 1] with zero speed and acceleration at both ends, and its first
/// two derivatives.
fn smoothstep5(s: f64) -> (f64, f64, f64) {
    if s <= 0.0 {
        return (0.0, 0.0, 0.0);
    }
    if s >= 1.0 {
        return (1.0, 0.0, 0.0);
    }
    let (s2, s3) = (s * s, s * s * s);
    (s3 * (10.0 - 15.0 * s + 6.0 * s2), 30.0 * s2 * (1.0 - 2.0 * s + s2), 60.0 * s * (1.0 - 3.0 * s + 2.0 * s2))
}

/// A trajectory through keyframes `(time s, [hip, knee, ankle] rad)`, each segment a quintic smoothstep (rest
/// to rest between keyframes), held before the first and after the last.
#[derive(Clone, Debug, PartialEq)]
pub struct Keyframes {
    /// The keyframes, strictly increasing in time.
    pub frames: Vec<(f64, [f64; 3])>,
    /// Time when the trajectory starts, s.
    pub start_s: f64,
    /// Repeat the trajectory with this period (s); `None` plays it once.
    pub period_s: Option<f64>,
}

impl Keyframes {
    fn joints(&self, t_s: f64) -> ([f64; 3], [f64; 3], [f64; 3]) {
        let mut t = t_s - self.start_s;
        if let Some(p) = self.period_s
            && p > 0.0
            && t > 0.0
        {
            t = t.rem_euclid(p);
        }
        let f = &self.frames;
        let Some(first) = f.first() else { return ([0.0; 3], [0.0; 3], [0.0; 3]) };
        if t <= first.0 {
            return (first.1, [0.0; 3], [0.0; 3]);
        }
        for w in f.windows(2) {
            let ((t0, a), (t1, b)) = (w[0], w[1]);
            if t < t1 {
                let d = t1 - t0;
                let (y, yd, ydd) = smoothstep5((t - t0) / d);
                let q = core::array::from_fn(|j| a[j] + (b[j] - a[j]) * y);
                let qd = core::array::from_fn(|j| (b[j] - a[j]) * yd / d);
                let qdd = core::array::from_fn(|j| (b[j] - a[j]) * ydd / (d * d));
                return (q, qd, qdd);
            }
        }
        (f.last().map_or([0.0; 3], |l| l.1), [0.0; 3], [0.0; 3])
    }
}

impl MotionReference for Keyframes {
    fn sample(&self, t_s: f64) -> RefSample {
        let (q, qd, qdd) = self.joints(t_s);
        RefSample { q, qd, qdd, pelvis: None, phase: None, foot_support: None }
    }
}

/// Sit-to-stand: joint keyframes with the foot flat on the ground at a fixed place; the pelvis pose follows
/// from the leg's kinematics, and the weight moves from the seat to the foot around seat-off.
#[derive(Clone, Debug)]
pub struct SitToStand {
    /// Joint angle keyframes.
    pub joints: Keyframes,
    /// The leg.
    pub leg: crate::body::LegGeometry,
    /// Ankle joint position in the world (x, z), m.
    pub ankle_m: Vector2<f64>,
    /// Time at which the foot carries the whole weight, s.
    pub seat_off_s: f64,
    /// Duration of the weight transfer before seat-off, s.
    pub transfer_s: f64,
}

impl SitToStand {
    /// Pelvis pose (angle, origin) that keeps the foot flat with its ankle at `ankle_m` for joint angles `q`.
    #[must_use]
    pub fn pelvis_pose(&self, q: &[f64; 3]) -> Pose2 {
        let g = &self.leg;
        let pitch = -(q[0] + q[1] + q[2]);
        let rot = |a: f64, v: Vector2<f64>| Pose2::new(a, Vector2::zeros()).vector_to_parent(&v);
        let knee = g.joint_in_parent_m(crate::body::SegmentKind::Shank);
        let ankle = g.joint_in_parent_m(crate::body::SegmentKind::Foot);
        let offset = rot(pitch, g.hip_in_pelvis_m) + rot(pitch + q[0], knee) + rot(pitch + q[0] + q[1], ankle);
        Pose2::new(pitch, self.ankle_m - offset)
    }

    fn pose_at(&self, t: f64) -> Vector3<f64> {
        let p = self.pelvis_pose(&self.joints.sample(t).q);
        Vector3::new(p.origin_m.x, p.origin_m.y, p.angle_rad)
    }
}

impl MotionReference for SitToStand {
    fn sample(&self, t_s: f64) -> RefSample {
        let mut r = self.joints.sample(t_s);
        // Pelvis velocity and acceleration by central differences of the (smooth, quintic) pose.
        let h = 1e-4;
        let (p0, pm, pp) = (self.pose_at(t_s), self.pose_at(t_s - h), self.pose_at(t_s + h));
        let v = (pp - pm) / (2.0 * h);
        let a = (pp - 2.0 * p0 + pm) / (h * h);
        r.pelvis = Some(BaseMotion {
            pose: Pose2::new(p0.z, Vector2::new(p0.x, p0.y)),
            angular_velocity_rad_per_s: v.z,
            velocity_m_per_s: Vector2::new(v.x, v.y),
            angular_acceleration_rad_per_s2: a.z,
            acceleration_m_per_s2: Vector2::new(a.x, a.y),
        });
        let (s, _, _) = smoothstep5((t_s - (self.seat_off_s - self.transfer_s)) / self.transfer_s);
        // Seated, the feet carry about a fifth of the weight; from seat-off, all of it.
        r.foot_support = Some(0.2 + 0.8 * s);
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyframe_derivatives_match_finite_differences() {
        let k = Keyframes {
            frames: vec![(0.0, [0.0, 0.0, 0.0]), (1.0, [1.0, -1.0, 0.2]), (2.0, [0.0; 3])],
            start_s: 0.5,
            period_s: None,
        };
        for i in 1..300 {
            let t = i as f64 * 0.01;
            let h = 1e-6;
            let (q1, _, _) = k.joints(t + h);
            let (q0, _, _) = k.joints(t - h);
            let (_, qd, _) = k.joints(t);
            for j in 0..3 {
                assert!((qd[j] - (q1[j] - q0[j]) / (2.0 * h)).abs() < 1e-5, "t {t}");
            }
        }
    }
}
