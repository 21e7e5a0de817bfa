//! The human motor model: joint torques that make the leg follow its reference.
//!
//! `tau = ID(q_ref, qd_ref, qdd_ref; ground reaction) + Kp (q_ref - q) + Kd (qd_ref - qd) - a tau_cuffs`,
//! limited to the subject's strength. The inverse dynamics run on the human's own model of the leg (without the
//! exoskeleton) under the same pelvis motion; `a` (adaptation, 0 to 1) is how much of the cuffs' measured
//! generalised force the wearer discounts, as if they had learned the device's assistance (1 = fully adapted).
//! Human effort is the torque this model supplies.

use nalgebra::Vector3;
use serde::{Deserialize, Serialize};

use crate::multibody::{Dynamics, Kinematics, Model, ModelBuilder};
use crate::reference::RefSample;
use crate::world::{FootLoad, LegModel};

/// Parameters of the human motor model.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "scenario", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct HumanConfig {
    /// Proportional feedback gains (hip, knee, ankle), N m/rad.
    #[serde(default = "default_kp")]
    pub kp_nm_per_rad: [f64; 3],
    /// Derivative feedback gains, N m s/rad.
    #[serde(default = "default_kd")]
    pub kd_nm_s_per_rad: [f64; 3],
    /// Inverse-dynamics feedforward on (true) or off (pure feedback).
    #[serde(default = "yes")]
    pub feedforward: bool,
    /// Fraction of the cuffs' generalised force the wearer compensates (0 to 1).
    #[serde(default = "one")]
    pub adaptation: f64,
    /// Largest torque the wearer can produce at each joint, N m (weak users: lower).
    #[serde(default = "default_strength")]
    pub strength_nm: [f64; 3],
    /// Passive viscous damping of the joints (tissues), N m s/rad.
    #[serde(default = "default_damping")]
    pub joint_damping_nm_s_per_rad: [f64; 3],
    /// Clamp the leg rigidly in its initial posture (a test bench instead of a wearer).
    #[serde(default)]
    pub clamped: bool,
    /// Residual forces on a free pelvis (standing for the rest of the body: the other leg, the arms on the
    /// chair), proportional gains on x, z (N/m) and pitch (N m/rad).
    #[serde(default = "default_pelvis_kp")]
    pub pelvis_kp: [f64; 3],
    /// Residual derivative gains on x, z (N s/m) and pitch (N m s/rad).
    #[serde(default = "default_pelvis_kd")]
    pub pelvis_kd: [f64; 3],
}

fn default_pelvis_kp() -> [f64; 3] {
    [20_000.0, 20_000.0, 2_000.0]
}
fn default_pelvis_kd() -> [f64; 3] {
    [1_500.0, 1_500.0, 150.0]
}

fn default_kp() -> [f64; 3] {
    [400.0, 300.0, 200.0]
}
fn default_kd() -> [f64; 3] {
    [25.0, 15.0, 8.0]
}
fn yes() -> bool {
    true
}
fn one() -> f64 {
    1.0
}
fn default_strength() -> [f64; 3] {
    [250.0, 250.0, 200.0]
}
fn default_damping() -> [f64; 3] {
    [0.5, 0.5, 0.3]
}

impl Default for HumanConfig {
    fn default() -> Self {
        Self {
            kp_nm_per_rad: default_kp(),
            kd_nm_s_per_rad: default_kd(),
            feedforward: true,
            adaptation: 1.0,
            strength_nm: default_strength(),
            joint_damping_nm_s_per_rad: default_damping(),
            clamped: false,
            pelvis_kp: default_pelvis_kp(),
            pelvis_kd: default_pelvis_kd(),
        }
    }
}

impl HumanConfig {
    /// The first impossible parameter, with the reason.
    pub fn validate(&self) -> Result<(), crate::error::ValidationError> {
        for (name, v) in [
            ("kp_nm_per_rad", self.kp_nm_per_rad),
            ("kd_nm_s_per_rad", self.kd_nm_s_per_rad),
            ("strength_nm", self.strength_nm),
            ("joint_damping_nm_s_per_rad", self.joint_damping_nm_s_per_rad),
        ] {
            if let Some(j) = v.iter().position(|x| !(x.is_finite() && *x >= 0.0)) {
                return Err(crate::error::ValidationError::new(
                    format!("{name}[{j}]"),
                    format!("must be a finite number >= 0 (got {})", v[j]),
                ));
            }
        }
        if !(0.0..=1.0).contains(&self.adaptation) {
            return Err(crate::error::ValidationError::new(
                "adaptation",
                format!("must be within 0..1 (got {})", self.adaptation),
            ));
        }
        Ok(())
    }
}

/// The human's torques this step, with their parts.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct HumanTorque {
    /// Total torque applied (after the strength limit), N m.
    pub total_nm: [f64; 3],
    /// Inverse-dynamics feedforward part, N m.
    pub feedforward_nm: [f64; 3],
    /// True where the strength limit clipped the torque.
    pub saturated: [bool; 3],
    /// Residual forces on a free pelvis (x N, z N, pitch N m).
    pub pelvis_residual: [f64; 3],
}

/// What the wearer's nervous system knows this step.
pub struct Sensed<'a> {
    /// Pelvis motion.
    pub base: &'a crate::multibody::BaseMotion,
    /// Leg joint angles, rad.
    pub q: &'a [f64; 3],
    /// Leg joint speeds, rad/s.
    pub qd: &'a [f64; 3],
    /// Ground reaction on the foot, if recorded.
    pub foot_load: Option<&'a dyn FootLoad>,
    /// The cuffs' generalised force on the leg joints (from the last step), N m.
    pub cuff_torque_nm: &'a [f64],
    /// Free pelvis coordinates (x m, z m, pitch rad) and their rates, when the pelvis is free.
    pub pelvis: Option<([f64; 3], [f64; 3])>,
}

/// Where along the thigh (fraction of its length from the hip) the inverse dynamics of a seated wearer applies
/// the seat's support: the middle of the two seat contact points (`world::SEAT_POINTS`, 5 % and 35 %).
const FREE_SUPPORT_SEAT_FRACTION: f64 = 0.2;

/// Largest distance of the centre of pressure from the point under the ankle in the free-pelvis inverse
/// dynamics, as a fraction of the normal force, m/N (0.1: 10 cm, about half a foot length either way).
const CENTRE_OF_PRESSURE_REACH_M: f64 = 0.1;

/// Where the wearer is supported when the pelvis is free.
struct FreeSupport {
    pelvis: [usize; 3],
    leg: [usize; 3],
    /// Point of the sole under the ankle, foot frame.
    sole: nalgebra::Vector2<f64>,
    /// Seat contact point, thigh frame.
    seat: nalgebra::Vector2<f64>,
}

/// The human motor model with its own model of the leg.
pub struct HumanModel {
    config: HumanConfig,
    model: Model,
    kin: Kinematics,
    dynamics: Dynamics,
    f_ext: Vec<Vector3<f64>>,
    tau: Vec<f64>,
    foot: usize,
    free: Option<FreeSupport>,
    columns: [Vec<f64>; 4],
    /// No motor activity at all: zero torque whatever the reference (`motion.kind = "passive"`).
    passive: bool,
    /// Scratch reference state of the whole body (free pelvis), allocated once.
    q_ref: Vec<f64>,
    qd_ref: Vec<f64>,
    qdd_ref: Vec<f64>,
}

impl HumanModel {
    /// The model for a leg (on a fixed or driven pelvis).
    #[must_use]
    pub fn new(config: HumanConfig, leg: &LegModel) -> Self {
        let mut b = ModelBuilder::new();
        let ids = match leg {
            LegModel::Human(g) => g.add_to(&mut b, None, config.joint_damping_nm_s_per_rad),
            LegModel::Reference => crate::reference_leg::add_to(&mut b, None),
        };
        let model = b.build().unwrap_or_else(|e| unreachable!("a leg model is valid: {e}"));
        Self {
            config,
            kin: Kinematics::new(&model),
            dynamics: Dynamics::new(&model),
            f_ext: vec![Vector3::zeros(); model.len()],
            tau: vec![0.0; model.len()],
            foot: ids.foot,
            free: None,
            passive: false,
            columns: core::array::from_fn(|_| vec![0.0; model.len()]),
            q_ref: vec![0.0; model.len()],
            qd_ref: vec![0.0; model.len()],
            qdd_ref: vec![0.0; model.len()],
            model,
        }
    }

    /// The model for a leg under a free pelvis carrying `pelvis_mass_kg` (and a backpack), standing on its foot
    /// and possibly sitting on a seat: its inverse dynamics split the support between foot and seat as the
    /// reference's `foot_support` says.
    #[must_use]
    pub fn new_free(
        config: HumanConfig,
        leg: &crate::body::LegGeometry,
        pelvis_mass_kg: f64,
        backpack_kg: f64,
        backpack_offset_m: nalgebra::Vector2<f64>,
    ) -> Self {
        let mut b = ModelBuilder::new();
        let pelvis = crate::world::add_free_pelvis(&mut b, pelvis_mass_kg, backpack_kg, backpack_offset_m);
        let ids = leg.add_to(&mut b, Some(pelvis[2]), config.joint_damping_nm_s_per_rad);
        let model = b.build().unwrap_or_else(|e| unreachable!("a leg model is valid: {e}"));
        let n = model.len();
        Self {
            config,
            kin: Kinematics::new(&model),
            dynamics: Dynamics::new(&model),
            f_ext: vec![Vector3::zeros(); n],
            tau: vec![0.0; n],
            foot: ids.foot,
            free: Some(FreeSupport {
                pelvis,
                leg: ids.all(),
                sole: nalgebra::Vector2::new(0.0, -leg.anthropometry.ankle_height_m),
                seat: crate::world::seat_point(leg, FREE_SUPPORT_SEAT_FRACTION),
            }),
            passive: false,
            columns: core::array::from_fn(|_| vec![0.0; n]),
            q_ref: vec![0.0; n],
            qd_ref: vec![0.0; n],
            qdd_ref: vec![0.0; n],
            model,
        }
    }

    /// Inverse dynamics of the whole body under a free pelvis: the joint feedforward once foot and seat carry
    /// what the pelvis cannot, and the part they could not carry (to add to the pelvis residual).
    fn free_feedforward(&mut self, fs_pelvis: [usize; 3], fs_leg: [usize; 3], r: &RefSample) -> ([f64; 3], [f64; 3]) {
        let Some(fs) = &self.free else { return ([0.0; 3], [0.0; 3]) };
        let (sole, seat) = (fs.sole, fs.seat);
        let (q, qd, qdd) = (&mut self.q_ref, &mut self.qd_ref, &mut self.qdd_ref);
        if let Some(p) = &r.pelvis {
            let v = [p.pose.origin_m.x, p.pose.origin_m.y, p.pose.angle_rad];
            let vd = [p.velocity_m_per_s.x, p.velocity_m_per_s.y, p.angular_velocity_rad_per_s];
            let vdd = [p.acceleration_m_per_s2.x, p.acceleration_m_per_s2.y, p.angular_acceleration_rad_per_s2];
            for k in 0..3 {
                (q[fs_pelvis[k]], qd[fs_pelvis[k]], qdd[fs_pelvis[k]]) = (v[k], vd[k], vdd[k]);
            }
        }
        for k in 0..3 {
            (q[fs_leg[k]], qd[fs_leg[k]], qdd[fs_leg[k]]) = (r.q[k], r.qd[k], r.qdd[k]);
        }
        let base = crate::multibody::BaseMotion::fixed(crate::multibody::Pose2::IDENTITY);
        self.kin.update(&self.model, &base, q, qd);
        for f in self.f_ext.iter_mut() {
            *f = Vector3::zeros();
        }
        self.dynamics.inverse(&self.model, &self.kin, qd, qdd, &self.f_ext, &mut self.tau);
        // Generalised forces of a unit foot force x, z, a unit foot moment and a unit seat force z.
        let foot_body = self.foot;
        let thigh = fs_leg[0];
        let sole_w = self.kin.pose[foot_body].point_to_parent(&sole);
        let seat_w = self.kin.pose[thigh].point_to_parent(&seat);
        let unit = [
            (foot_body, sole_w, nalgebra::Vector2::new(1.0, 0.0), 0.0),
            (foot_body, sole_w, nalgebra::Vector2::new(0.0, 1.0), 0.0),
            (foot_body, sole_w, nalgebra::Vector2::zeros(), 1.0),
            (thigh, seat_w, nalgebra::Vector2::new(0.0, 1.0), 0.0),
        ];
        for (c, (body, at, f, m)) in unit.iter().enumerate() {
            self.columns[c].iter_mut().for_each(|x| *x = 0.0);
            self.kin.add_generalized_force(&self.model, *body, at, f, *m, &mut self.columns[c]);
        }
        let alpha = r.foot_support.unwrap_or(1.0).clamp(0.0, 1.0);
        let g = |row: usize, c: usize| self.columns[c][row];
        // Pelvis rows: G w = tau (the unactuated pelvis is carried by foot and seat), plus the split.
        let mut a = nalgebra::Matrix4::zeros();
        let mut rhs = nalgebra::Vector4::zeros();
        for (k, &p) in fs_pelvis.iter().enumerate() {
            for c in 0..4 {
                a[(k, c)] = g(p, c);
            }
            rhs[k] = self.tau[p];
        }
        a[(3, 1)] = 1.0 - alpha;
        a[(3, 3)] = -alpha;
        let mut w = a.lu().solve(&rhs).unwrap_or_else(nalgebra::Vector4::zeros);
        if w[3] < 0.0 || w[1] < 0.0 {
            // No pulling on the seat or the floor: the foot alone, then clip.
            let a3 = nalgebra::Matrix3::from_fn(|k, c| g(fs_pelvis[k], c));
            let r3 = nalgebra::Vector3::from_fn(|k, _| self.tau[fs_pelvis[k]]);
            let w3 = a3.lu().solve(&r3).unwrap_or_else(nalgebra::Vector3::zeros);
            w = nalgebra::Vector4::new(w3[0], w3[1].max(0.0), w3[2], 0.0);
        }
        // The centre of pressure stays within reach of the point under the ankle.
        w[2] = w[2].clamp(-CENTRE_OF_PRESSURE_REACH_M * w[1], CENTRE_OF_PRESSURE_REACH_M * w[1]);
        let mut joints = [0.0; 3];
        for k in 0..3 {
            let j = fs_leg[k];
            joints[k] = self.tau[j] - (0..4).map(|c| g(j, c) * w[c]).sum::<f64>();
        }
        let mut unresolved = [0.0; 3];
        for k in 0..3 {
            let p = fs_pelvis[k];
            unresolved[k] = self.tau[p] - (0..4).map(|c| g(p, c) * w[c]).sum::<f64>();
        }
        (joints, unresolved)
    }

    /// The parameters.
    #[must_use]
    pub fn config(&self) -> &HumanConfig {
        &self.config
    }

    /// The same wearer with no motor activity: every torque zero, whatever the reference (the joints keep only
    /// their passive tissue damping, which is part of the body).
    #[must_use]
    pub fn passive(mut self) -> Self {
        self.passive = true;
        self
    }

    /// True when the wearer produces no torque.
    #[must_use]
    pub fn is_passive(&self) -> bool {
        self.passive
    }

    /// Torques for time `t_s` given the reference sample and what the wearer feels (`s`).
    pub fn torque(&mut self, t_s: f64, r: &RefSample, s: &Sensed<'_>) -> HumanTorque {
        if self.passive {
            return HumanTorque::default();
        }
        let (base, q, qd, foot_load, cuff_torque_nm) = (s.base, s.q, s.qd, s.foot_load, s.cuff_torque_nm);
        let mut ff = [0.0; 3];
        let mut residual = [0.0; 3];
        if let Some((fs_pelvis, fs_leg)) = self.free.as_ref().map(|f| (f.pelvis, f.leg)) {
            let (joints, unresolved) = if self.config.feedforward {
                self.free_feedforward(fs_pelvis, fs_leg, r)
            } else {
                ([0.0; 3], [0.0; 3])
            };
            ff = joints;
            if let (Some((p, pd)), Some(pr)) = (s.pelvis, r.pelvis) {
                let c = &self.config;
                let p_ref = [pr.pose.origin_m.x, pr.pose.origin_m.y, pr.pose.angle_rad];
                let pd_ref = [pr.velocity_m_per_s.x, pr.velocity_m_per_s.y, pr.angular_velocity_rad_per_s];
                for k in 0..3 {
                    residual[k] =
                        unresolved[k] + c.pelvis_kp[k] * (p_ref[k] - p[k]) + c.pelvis_kd[k] * (pd_ref[k] - pd[k]);
                }
            }
        }
        let c = &self.config;
        if c.feedforward && self.free.is_none() {
            self.kin.update(&self.model, base, &r.q, &r.qd);
            for f in self.f_ext.iter_mut() {
                *f = Vector3::zeros();
            }
            if let Some((force, at)) = foot_load.and_then(|l| l.foot_force(t_s)) {
                self.f_ext[self.foot] = self.kin.world_force_to_body(self.foot, &at, &force);
            }
            self.dynamics.inverse(&self.model, &self.kin, &r.qd, &r.qdd, &self.f_ext, &mut self.tau);
            ff.copy_from_slice(&self.tau[..3]);
        }
        let mut out = HumanTorque { feedforward_nm: ff, pelvis_residual: residual, ..HumanTorque::default() };
        for j in 0..3 {
            let t = ff[j] + c.kp_nm_per_rad[j] * (r.q[j] - q[j]) + c.kd_nm_s_per_rad[j] * (r.qd[j] - qd[j])
                - c.adaptation * cuff_torque_nm[j];
            let lim = c.strength_nm[j];
            out.total_nm[j] = t.clamp(-lim, lim);
            out.saturated[j] = out.total_nm[j] != t;
        }
        out
    }
}
