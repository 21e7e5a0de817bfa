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
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
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
        }
    }
}

impl HumanConfig {
    /// The first impossible parameter, with the reason.
    pub fn validate(&self) -> Result<(), (String, String)> {
        for (name, v) in [
            ("kp_nm_per_rad", self.kp_nm_per_rad),
            ("kd_nm_s_per_rad", self.kd_nm_s_per_rad),
            ("strength_nm", self.strength_nm),
            ("joint_damping_nm_s_per_rad", self.joint_damping_nm_s_per_rad),
        ] {
            if let Some(j) = v.iter().position(|x| !(x.is_finite() && *x >= 0.0)) {
                return Err((format!("{name}[{j}]"), format!("must be a finite number >= 0 (got {})", v[j])));
            }
        }
        if !(0.0..=1.0).contains(&self.adaptation) {
            return Err(("adaptation".into(), format!("must be within 0..1 (got {})", self.adaptation)));
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
    pub cuff_torque_nm: &'a [f64; 3],
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
            model,
        }
    }

    /// The parameters.
    #[must_use]
    pub fn config(&self) -> &HumanConfig {
        &self.config
    }

    /// Torques for time `t_s` given the reference sample and what the wearer feels (`s`).
    pub fn torque(&mut self, t_s: f64, r: &RefSample, s: &Sensed<'_>) -> HumanTorque {
        let (base, q, qd, foot_load, cuff_torque_nm) = (s.base, s.q, s.qd, s.foot_load, s.cuff_torque_nm);
        let c = &self.config;
        let mut ff = [0.0; 3];
        if c.feedforward {
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
        let mut out = HumanTorque { feedforward_nm: ff, ..HumanTorque::default() };
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
