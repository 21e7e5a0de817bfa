//! The reference leg on rapier3d's reduced-coordinate multibody joints, to cross-check the planar
//! articulated-body engine and to compare speed and accuracy with it.
//!
//! Follows the traps measured in `docs/bench/rapier-notes.md`: explicit mass properties without colliders, multibody
//! (not impulse) joints rooted on a fixed pelvis, zero default joint damping, z-up gravity, user torques reset
//! every step and applied as an equal and opposite pair on child and parent, velocities read from the multibody's
//! generalised velocity (link bodies report them one substep late).

use rapier3d::prelude::*;

use crate::reference_leg::SEGMENTS;

/// The reference leg in a rapier3d world.
pub struct RapierLeg {
    world: PhysicsWorld,
    /// Moment of inertia of each link about its lateral (y) axes, kg m².
    inertia_y: [f64; 3],
    pelvis: RigidBodyHandle,
    links: [RigidBodyHandle; 3],
    joints: [MultibodyJointHandle; 3],
}

impl RapierLeg {
    /// The leg at joint angles `q0_rad` (hip, knee, ankle) at rest, stepped at `dt_s` with `substeps` solver
    /// substeps.
    #[must_use]
    pub fn new(q0_rad: [f64; 3], dt_s: f64, substeps: usize) -> Self {
        let mut world = PhysicsWorld::new();
        world.gravity = Vector::new(0.0, 0.0, -9.81);
        world.integration_parameters.dt = dt_s as f32;
        world.integration_parameters.num_solver_iterations = substeps.max(1);
        let pelvis = world.bodies.insert(RigidBodyBuilder::fixed());
        let mut parent = pelvis;
        let mut anchor = Vector::ZERO;
        let mut links = [pelvis; 3];
        let mut joints = Vec::with_capacity(3);
        let mut z = 0.0f32;
        let mut inertia_y = [0.0; 3];
        for (k, (_, mass, length, com, kxy)) in SEGMENTS.iter().copied().enumerate() {
            // Radius of gyration about the long axis (docs/bench/reference-leg.md).
            let along = [0.149, 0.103, 0.124][k];
            let (i_xy, i_z) = (mass * (kxy * length).powi(2), mass * (along * length).powi(2));
            inertia_y[k] = i_xy;
            let props = MassProperties::new(
                Vector::new(0.0, 0.0, -com as f32),
                mass as f32,
                Vector::new(i_xy as f32, i_xy as f32, i_z as f32),
            );
            let body = world.bodies.insert(
                RigidBodyBuilder::dynamic().translation(Vector::new(0.0, 0.0, z)).additional_mass_properties(props),
            );
            let joint = RevoluteJointBuilder::new(Vector::Y).local_anchor1(anchor).local_anchor2(Vector::ZERO);
            let handle = world
                .multibody_joints
                .insert(parent, body, joint, true)
                .unwrap_or_else(|| unreachable!("a chain of three links is a valid multibody"));
            joints.push(handle);
            links[k] = body;
            parent = body;
            anchor = Vector::new(0.0, 0.0, -length as f32);
            z -= length as f32;
        }
        let joints = [joints[0], joints[1], joints[2]];
        // Mass properties take effect lazily at the first step: make them current now.
        for h in links {
            if let Some(b) = world.bodies.get_mut(h) {
                b.recompute_mass_properties_from_colliders(&world.colliders);
            }
        }
        let mut leg = Self { world, inertia_y, pelvis, links, joints };
        if let Some((mb, _)) = leg.world.multibody_joints.get_mut(leg.joints[0]) {
            // Trap 1: multibody joints get a default damping of 0.1 N m s/rad.
            // The root's joint type (fixed pelvis) is only settled by a first forward-kinematics pass; before it
            // the root counts as a free joint and the displacement vector would be too short.
            mb.forward_kinematics(&leg.world.bodies, true);
            mb.damping_mut().fill(0.0);
            let mut disp = vec![0.0f32; mb.ndofs()];
            for (d, q) in disp.iter_mut().zip(q0_rad) {
                *d = q as f32;
            }
            mb.apply_displacements(&disp);
            mb.forward_kinematics(&leg.world.bodies, true);
            mb.update_rigid_bodies(&mut leg.world.bodies, true);
        }
        leg
    }

    /// One step with joint torques `tau_nm` (hip, knee, ankle) held.
    pub fn step(&mut self, tau_nm: [f64; 3]) {
        let mut bodies = [self.pelvis, self.links[0], self.links[1], self.links[2]];
        for b in &mut bodies {
            if let Some(rb) = self.world.bodies.get_mut(*b) {
                rb.reset_torques(true);
            }
        }
        for (k, tau) in tau_nm.iter().enumerate() {
            let t = Vector::Y * (*tau as f32);
            let parent = if k == 0 { self.pelvis } else { self.links[k - 1] };
            if let Some(rb) = self.world.bodies.get_mut(self.links[k]) {
                rb.add_torque(t, true);
            }
            if let Some(rb) = self.world.bodies.get_mut(parent) {
                rb.add_torque(-t, true);
            }
        }
        self.world.step();
    }

    /// Joint angles (hip, knee, ankle), rad, from the links' relative rotations about y.
    #[must_use]
    pub fn q(&self) -> [f64; 3] {
        let rot = |h: RigidBodyHandle| self.world.bodies.get(h).map_or(Rotation::IDENTITY, |b| *b.rotation());
        core::array::from_fn(|k| {
            let parent = if k == 0 { self.pelvis } else { self.links[k - 1] };
            let rel = rot(parent).inverse() * rot(self.links[k]);
            2.0 * f64::from(rel.y).atan2(f64::from(rel.w))
        })
    }

    /// Joint speeds, rad/s, from the multibody's generalised velocity.
    #[must_use]
    pub fn qd(&self) -> [f64; 3] {
        let Some((mb, _)) = self.world.multibody_joints.get(self.joints[0]) else { return [0.0; 3] };
        let v = mb.generalized_velocity();
        core::array::from_fn(|k| {
            self.world
                .multibody_joints
                .get(self.joints[k])
                .and_then(|(m, link)| m.link(link).map(|l| l.assembly_id()))
                .and_then(|i| v.get(i).copied())
                .map_or(0.0, f64::from)
        })
    }

    /// Total mechanical energy (kinetic + potential, zero at the pelvis), J, from the bodies' states.
    #[must_use]
    pub fn energy(&self) -> f64 {
        let mut e = 0.0;
        for (k, h) in self.links.iter().enumerate() {
            let Some(b) = self.world.bodies.get(*h) else { continue };
            let m = f64::from(b.mass());
            let com = b.center_of_mass();
            let v = b.linvel();
            // Planar motion: the links rotate about y only, a principal axis of each.
            let w = f64::from(b.angvel().y);
            e +=
                0.5 * m * f64::from(v.length_squared()) + 0.5 * self.inertia_y[k] * w * w + m * 9.81 * f64::from(com.z);
        }
        e
    }
}
