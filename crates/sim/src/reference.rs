//! Reference motions the human model follows: a recorded gait, a held posture, a sit-to-stand transfer.

use nalgebra::Vector2;

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
        RefSample { q: self.0, qd: [0.0; 3], qdd: [0.0; 3], pelvis: None, phase: None }
    }
}

/// Pelvis motion of a gait sample as a base motion.
fn pelvis_motion(p: &crate::opensim::PelvisSample) -> BaseMotion {
    BaseMotion {
        pose: Pose2 { angle_rad: p.pitch_rad, origin_m: Vector2::new(p.x_m, p.z_m) },
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
        RefSample { q, qd, qdd, pelvis: None, phase: None }
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
