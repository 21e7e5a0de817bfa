//! The last two fixed steps of the simulation, as rendering sees them.
//!
//! Each fixed step writes a [`Snapshot`] (body poses, torques, forces); rendering never touches the simulation
//! and interpolates between the previous and the current snapshot by the fixed clock's overstep.

use bevy::prelude::*;
use exo_control::SVector;
use exo_sim::multibody::Pose2;
use exo_sim::walk::WalkSimulation;
use exo_sim::world::World;

use crate::playback::Playback;

/// A force applied at a point, world (sagittal) coordinates.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct PlanarForce {
    /// Point of application, m.
    pub point_m: SVector<f64, 2>,
    /// Force, N.
    pub force_n: SVector<f64, 2>,
}

/// What rendering needs of one simulation step.
#[derive(Clone, Debug, PartialEq)]
pub struct Snapshot {
    /// Simulated time, s.
    pub time_s: f64,
    /// World pose of every body of the model.
    pub poses: Vec<Pose2>,
    /// World pose of the pelvis.
    pub pelvis: Pose2,
    /// The wearer's joint torques, one per wearer coordinate ([`World::coordinates`]), N m.
    pub human_torque_nm: Vec<f64>,
    /// Torques the exoskeleton delivers, one per device joint ([`World::device_joints`]), N m.
    pub exo_torque_nm: Vec<f64>,
    /// Force of each cuff on the limb, at its limb attachment point.
    pub cuffs: Vec<PlanarForce>,
    /// Ground reaction on each foot that has one, at its centre of pressure.
    pub ground: Vec<PlanarForce>,
}

impl Default for Snapshot {
    fn default() -> Self {
        Self {
            time_s: 0.0,
            poses: Vec::new(),
            pelvis: Pose2::IDENTITY,
            human_torque_nm: Vec::new(),
            exo_torque_nm: Vec::new(),
            cuffs: Vec::new(),
            ground: Vec::new(),
        }
    }
}

impl Snapshot {
    /// Copies the state of `world`, with the wearer's torques per coordinate and the device's per joint (without
    /// allocating once the vectors have their size).
    pub fn capture(&mut self, world: &World, human_torque_nm: &[f64], exo_torque_nm: &[f64]) {
        self.time_s = world.time_s();
        self.poses.clear();
        self.poses.extend_from_slice(&world.kinematics().pose);
        self.pelvis = world.pelvis_pose();
        self.human_torque_nm.clear();
        self.human_torque_nm.extend_from_slice(human_torque_nm);
        self.exo_torque_nm.clear();
        self.exo_torque_nm.extend_from_slice(exo_torque_nm);
        let r = world.readings();
        self.cuffs.clear();
        self.cuffs
            .extend(r.cuffs.iter().map(|c| PlanarForce { point_m: c.limb_point_world_m, force_n: c.force_on_limb_n }));
        let recorded = world.foot_load().and_then(|l| l.foot_force(world.time_s()));
        self.ground.clear();
        self.ground.extend(match recorded {
            Some((force_n, point_m)) => Some(PlanarForce { point_m, force_n }),
            None if r.foot_force_n.norm() > 1.0 => {
                // Contact forces: drawn under the ankle.
                let ankle = world.kinematics().pose[world.leg().foot].origin_m;
                Some(PlanarForce { point_m: SVector::<f64, 2>::new(ankle.x, 0.0), force_n: r.foot_force_n })
            }
            None => None,
        });
    }

    /// Copies the state of a walk of an imported wearer: engine body poses, the wearer's generalised forces per
    /// coordinate (the pelvis' are its residuals), the device's torques per device joint, both feet's ground
    /// reactions (without allocating once the vectors have their size).
    pub fn capture_walk(&mut self, sim: &WalkSimulation) {
        let body = sim.body();
        self.time_s = sim.time_s();
        let poses = &body.kinematics().engine.pose;
        self.poses.clear();
        self.poses.extend_from_slice(poses);
        self.pelvis = poses.get(pelvis_engine_body(sim)).copied().unwrap_or(Pose2::IDENTITY);
        self.human_torque_nm.clear();
        self.human_torque_nm.extend_from_slice(&sim.wearer_forces().total);
        let r = body.readings();
        self.exo_torque_nm.clear();
        self.exo_torque_nm.extend_from_slice(&r.device_torque_nm);
        self.cuffs.clear();
        self.ground.clear();
        self.ground.extend(r.grf_n.iter().zip(&r.grf_cop_m).map(|(f, p)| PlanarForce { point_m: *p, force_n: *f }));
    }
}

/// The engine body that carries an imported wearer's pelvis: the last of the chain of its free root joint, whose
/// coordinates carry the residuals (read from the wearer's roles: nothing allocated per tick).
#[must_use]
pub fn pelvis_engine_body(sim: &WalkSimulation) -> usize {
    let sk = sim.body().skeleton();
    (0..sk.coordinates.len()).filter(|&c| sim.wearer().is_residual(c)).map(|c| sk.coordinates[c].dof).max().unwrap_or(0)
}

/// The previous and the current snapshot.
#[derive(Resource, Clone, Debug, Default)]
pub struct Frames {
    /// The step before the last.
    pub prev: Snapshot,
    /// The last step.
    pub curr: Snapshot,
}

impl Frames {
    /// Starts a new step: the current snapshot becomes the previous one; returns the one to fill.
    pub fn advance(&mut self) -> &mut Snapshot {
        std::mem::swap(&mut self.prev, &mut self.curr);
        &mut self.curr
    }

    /// Makes the previous snapshot equal to the current one (after a jump: reset, seek, load).
    pub fn settle(&mut self) {
        self.prev.clone_from(&self.curr);
    }

    /// Pose of body `body` at `alpha` between the previous (0) and the current (1) step.
    #[must_use]
    pub fn pose(&self, body: usize, alpha: f64) -> Pose2 {
        match (self.prev.poses.get(body), self.curr.poses.get(body)) {
            (Some(a), Some(b)) => crate::coords::lerp_pose(a, b, alpha),
            (None, Some(b)) => *b,
            _ => Pose2::IDENTITY,
        }
    }

    /// Pelvis pose at `alpha` between the previous and the current step.
    #[must_use]
    pub fn pelvis(&self, alpha: f64) -> Pose2 {
        crate::coords::lerp_pose(&self.prev.pelvis, &self.curr.pelvis, alpha)
    }

    /// Simulated time at `alpha` between the previous and the current step, s.
    #[must_use]
    pub fn time_s(&self, alpha: f64) -> f64 {
        self.prev.time_s + (self.curr.time_s - self.prev.time_s) * alpha
    }
}

/// How far rendering is between the previous (0) and the current (1) fixed step: the fixed clock's overstep
/// while playing, the current step while paused (so that a single step shows at once).
#[must_use]
pub fn blend_factor(fixed: &Time<Fixed>, playback: &Playback) -> f64 {
    if playback.paused { 1.0 } else { fixed.overstep_fraction_f64().clamp(0.0, 1.0) }
}
