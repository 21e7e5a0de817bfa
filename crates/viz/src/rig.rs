//! What is drawn of a world, and where on its bodies: built once per loaded scenario from the model's geometry.
//!
//! Body frames: thigh and shank have their origin on their proximal joint and hang along local -y (sim -z) with
//! their segment length; the foot points along local +x from the ankle (the reference leg's foot hangs down like
//! the other segments). Exoskeleton links run from their joint to the next exoskeleton joint.

use bevy::prelude::*;
use exo_sim::body::SegmentKind;
use exo_sim::multibody::{BodyId, JointKind, Model};
use exo_sim::world::{LegModel, World};

use crate::coords::{EXO_LATERAL_M, LEG_LATERAL_M};

/// Which part of the wearer or the device a link is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    /// The pelvis (placed by the pelvis pose, not a model body when the pelvis is driven).
    Pelvis,
    /// A segment of the human leg.
    Leg(SegmentKind),
    /// An exoskeleton link on a segment.
    Exo(SegmentKind),
}

/// The material of a visual.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Look {
    /// The human leg.
    Skin,
    /// The pelvis and trunk stub.
    Pelvis,
    /// Exoskeleton links.
    Frame,
    /// Exoskeleton joint housings (actuators).
    Hub,
    /// Cuffs and straps.
    Cuff,
}

/// A solid in a body frame (x, y of the sagittal plane; z lateral, relative to the link).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Shape {
    /// A capsule whose axis runs from `from` to `to` (its caps reach `radius` beyond them).
    Capsule {
        /// Radius, m.
        radius: f32,
        /// One end of the axis, m.
        from: Vec2,
        /// The other end, m.
        to: Vec2,
    },
    /// A box whose long axis runs from `from` to `to`.
    Bar {
        /// One end, m.
        from: Vec2,
        /// The other end, m.
        to: Vec2,
        /// Size across the axis in the sagittal plane, m.
        width: f32,
        /// Lateral size, m.
        depth: f32,
    },
    /// A cylinder about the lateral axis (a joint housing).
    Disc {
        /// Centre, m.
        center: Vec2,
        /// Radius, m.
        radius: f32,
        /// Lateral size, m.
        depth: f32,
    },
}

impl Shape {
    /// The transform of a mesh of this shape (built around its own origin, long axis along y) in the link frame,
    /// `lateral_m` off the link's lateral plane.
    #[must_use]
    pub fn local_transform(&self, lateral_m: f32) -> Transform {
        let along = |from: Vec2, to: Vec2| {
            let d = to - from;
            let mid = (from + to) * 0.5;
            let angle = d.y.atan2(d.x) - std::f32::consts::FRAC_PI_2;
            Transform::from_translation(mid.extend(lateral_m)).with_rotation(Quat::from_rotation_z(angle))
        };
        match *self {
            Shape::Capsule { from, to, .. } | Shape::Bar { from, to, .. } => along(from, to),
            Shape::Disc { center, .. } => Transform::from_translation(center.extend(lateral_m))
                .with_rotation(Quat::from_rotation_x(std::f32::consts::FRAC_PI_2)),
        }
    }
}

/// One solid of a link.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct VisualSpec {
    /// The solid.
    pub shape: Shape,
    /// Its material.
    pub look: Look,
    /// Lateral offset from the link's plane, m.
    pub lateral_m: f32,
}

/// A rigid part placed by one body pose.
#[derive(Clone, Debug, PartialEq)]
pub struct LinkSpec {
    /// What it is.
    pub part: Part,
    /// The model body whose pose places it; `None` for the pelvis.
    pub body: Option<BodyId>,
    /// Lateral offset of its frame, m (bevy z).
    pub lateral_m: f32,
    /// Its solids.
    pub visuals: Vec<VisualSpec>,
}

/// A joint coordinate of the wearer: where its torque is drawn.
#[derive(Clone, Debug, PartialEq)]
pub struct JointSpec {
    /// Its name (`hip`, `knee`, `ankle`).
    pub name: String,
    /// Index into [`World::coordinates`] (and into [`Snapshot::human_torque_nm`](crate::frames::Snapshot)).
    pub coordinate: usize,
    /// The leg body the joint carries (its origin is the joint centre).
    pub leg_body: BodyId,
    /// Counter-clockwise world moment per unit of positive leg joint torque (+1 or -1).
    pub leg_sign: f64,
}

/// A joint of the device: where its torque is drawn.
#[derive(Clone, Debug, PartialEq)]
pub struct DeviceJointSpec {
    /// Its name (the wearer joint it spans: `knee`).
    pub name: String,
    /// Index into [`World::device_joints`] (and into [`Snapshot::exo_torque_nm`](crate::frames::Snapshot)).
    pub device_joint: usize,
    /// Index into [`Rig::joints`] (and [`World::coordinates`]) of the wearer coordinate it spans.
    pub spans: usize,
    /// The exoskeleton body it turns.
    pub body: BodyId,
    /// Counter-clockwise world moment per unit of positive exoskeleton joint torque.
    pub sign: f64,
}

/// Everything drawn of a world, in body frames.
#[derive(Resource, Clone, Debug, PartialEq)]
pub struct Rig {
    /// The rigid parts.
    pub links: Vec<LinkSpec>,
    /// The wearer's joint coordinates, in the world's order.
    pub joints: Vec<JointSpec>,
    /// The device's joints, in chain order (empty without a device).
    pub device_joints: Vec<DeviceJointSpec>,
    /// The thigh body.
    pub thigh: BodyId,
    /// Mid-point of the thigh in its body frame, m.
    pub thigh_mid_m: Vec2,
    /// Length of the leg, hip to sole, m.
    pub reach_m: f32,
    /// Height of the ground drawn, m: the simulation's ground (0) when the leg reaches it, else just below the
    /// hanging leg (the reference leg hangs from a pelvis at the origin, with no ground).
    pub ground_m: f32,
}

fn sign_of(model: &Model, body: BodyId) -> f64 {
    match &model.bodies()[body].joint {
        JointKind::Revolute { axis_y } => -axis_y,
        JointKind::Prismatic { .. } => 0.0,
        // The sense in which the coordinate turns the child near q = 0 (0 for a joint that does not turn).
        JointKind::Coupled(j) => {
            let turn = j.rotation.evaluate(0.0).first;
            if turn == 0.0 { 0.0 } else { turn.signum() }
        }
    }
}

/// Leg segment lengths and the foot capsule (in the foot frame).
struct LegShape {
    thigh_m: f32,
    shank_m: f32,
    foot_from: Vec2,
    foot_to: Vec2,
    foot_radius_m: f32,
    ankle_height_m: f32,
}

fn leg_shape(world: &World) -> LegShape {
    match world.leg_model() {
        LegModel::Human(g) => {
            let a = &g.anthropometry;
            let (heel, toe) = (g.heel_m(), g.toe_m());
            let r = (0.5 * a.ankle_height_m) as f32;
            LegShape {
                thigh_m: a.thigh.length_m as f32,
                shank_m: a.shank.length_m as f32,
                // The sole line lifted by the radius, so that the capsule's underside is the sole.
                foot_from: Vec2::new(heel.x as f32 + r, heel.y as f32 + r),
                foot_to: Vec2::new(toe.x as f32 - r, toe.y as f32 + r),
                foot_radius_m: r,
                ankle_height_m: a.ankle_height_m as f32,
            }
        }
        LegModel::Reference => {
            let [(_, _, thigh, ..), (_, _, shank, ..), (_, _, foot, ..)] = exo_sim::reference_leg::SEGMENTS;
            LegShape {
                thigh_m: thigh as f32,
                shank_m: shank as f32,
                foot_from: Vec2::ZERO,
                foot_to: Vec2::new(0.0, -foot as f32),
                foot_radius_m: 0.035,
                ankle_height_m: 0.0,
            }
        }
    }
}

impl Rig {
    /// The rig of `world`'s leg, device and cuffs.
    #[must_use]
    pub fn from_world(world: &World) -> Self {
        let model = world.model();
        let leg = world.leg();
        let s = leg_shape(world);
        let radius = [0.14 * s.thigh_m, 0.095 * s.shank_m, s.foot_radius_m];
        let skin = |shape| VisualSpec { shape, look: Look::Skin, lateral_m: 0.0 };
        let mut links = vec![
            LinkSpec {
                part: Part::Pelvis,
                body: None,
                lateral_m: 0.0,
                visuals: vec![VisualSpec {
                    shape: Shape::Bar {
                        from: Vec2::new(-0.05, -0.09),
                        to: Vec2::new(-0.05, 0.08),
                        width: 0.2,
                        depth: 0.3,
                    },
                    look: Look::Pelvis,
                    lateral_m: 0.0,
                }],
            },
            LinkSpec {
                part: Part::Leg(SegmentKind::Thigh),
                body: Some(leg.thigh),
                lateral_m: LEG_LATERAL_M,
                visuals: vec![skin(Shape::Capsule {
                    radius: radius[0],
                    from: Vec2::ZERO,
                    to: Vec2::new(0.0, -s.thigh_m),
                })],
            },
            LinkSpec {
                part: Part::Leg(SegmentKind::Shank),
                body: Some(leg.shank),
                lateral_m: LEG_LATERAL_M,
                visuals: vec![skin(Shape::Capsule {
                    radius: radius[1],
                    from: Vec2::ZERO,
                    to: Vec2::new(0.0, -s.shank_m),
                })],
            },
            LinkSpec {
                part: Part::Leg(SegmentKind::Foot),
                body: Some(leg.foot),
                lateral_m: LEG_LATERAL_M,
                visuals: vec![skin(Shape::Capsule { radius: radius[2], from: s.foot_from, to: s.foot_to })],
            },
        ];
        if let Some(ids) = world.exo() {
            for seg in SegmentKind::ALL {
                let Some(id) = ids.link[seg.index()] else { continue };
                let next =
                    ids.link.get(seg.index() + 1).copied().flatten().filter(|n| model.bodies()[*n].parent == Some(id));
                let (from, to) = match (seg, next) {
                    (SegmentKind::Foot, _) => {
                        let y = -s.ankle_height_m - 0.012;
                        (Vec2::new(s.foot_from.x - s.foot_radius_m, y), Vec2::new(s.foot_to.x + s.foot_radius_m, y))
                    }
                    (_, Some(n)) => {
                        let o = model.bodies()[n].joint_origin_m;
                        (Vec2::ZERO, Vec2::new(o.x as f32, o.y as f32))
                    }
                    (SegmentKind::Thigh, None) => (Vec2::ZERO, Vec2::new(0.0, -s.thigh_m)),
                    (SegmentKind::Shank, None) => (Vec2::ZERO, Vec2::new(0.0, -s.shank_m)),
                };
                let mut visuals = vec![VisualSpec {
                    shape: Shape::Bar { from, to, width: 0.035, depth: 0.02 },
                    look: Look::Frame,
                    lateral_m: 0.0,
                }];
                if ids.joint[seg.index()] == Some(id) {
                    visuals.push(VisualSpec {
                        shape: Shape::Disc { center: Vec2::ZERO, radius: 0.045, depth: 0.05 },
                        look: Look::Hub,
                        lateral_m: 0.015,
                    });
                }
                links.push(LinkSpec { part: Part::Exo(seg), body: Some(id), lateral_m: EXO_LATERAL_M, visuals });
            }
            // The device's hip frame on the pelvis, when it spans the hip.
            if ids.joint[0].is_some()
                && let LegModel::Human(g) = world.leg_model()
            {
                let hip = Vec2::new(g.hip_in_pelvis_m.x as f32, g.hip_in_pelvis_m.y as f32);
                links[0].visuals.push(VisualSpec {
                    shape: Shape::Bar { from: hip, to: hip + Vec2::new(0.0, 0.14), width: 0.05, depth: 0.02 },
                    look: Look::Frame,
                    lateral_m: EXO_LATERAL_M,
                });
            }
        }
        // Cuffs: straps around the limb, reaching out to the link.
        for cuff in world.cuffs() {
            let Some(limb) = links.iter().position(|l| l.body == Some(cuff.limb)) else { continue };
            let k = match links[limb].part {
                Part::Leg(seg) => seg.index(),
                _ => continue,
            };
            let p = Vec2::new(cuff.limb_point_m.x as f32, cuff.limb_point_m.y as f32);
            let axis = Vec2::new(cuff.axis.x as f32, cuff.axis.y as f32);
            // On the foot the point is on the sole: the strap goes round the capsule above it.
            let centre = if k == 2 { p + Vec2::new(0.0, radius[2]) } else { p };
            // Laterally from just inside the leg's far side to the link.
            let (lo, hi) = (LEG_LATERAL_M - radius[k] - 0.008, EXO_LATERAL_M + 0.004);
            links[limb].visuals.push(VisualSpec {
                shape: Shape::Bar {
                    from: centre - axis * 0.025,
                    to: centre + axis * 0.025,
                    width: 2.0 * radius[k] + 0.02,
                    depth: hi - lo,
                },
                look: Look::Cuff,
                lateral_m: 0.5 * (lo + hi) - LEG_LATERAL_M,
            });
        }
        let joints = world
            .coordinates()
            .iter()
            .enumerate()
            .map(|(coordinate, c)| JointSpec {
                name: c.name.clone(),
                coordinate,
                leg_body: c.body,
                leg_sign: sign_of(model, c.body),
            })
            .collect();
        let device_joints = world
            .device_joints()
            .iter()
            .enumerate()
            .map(|(device_joint, d)| DeviceJointSpec {
                name: d.name.clone(),
                device_joint,
                spans: d.spans,
                body: d.body,
                sign: sign_of(model, d.body),
            })
            .collect();
        let reach_m = s.thigh_m + s.shank_m + s.ankle_height_m.max(-s.foot_to.y);
        let lowest = world.pelvis_pose().origin_m.y as f32 - reach_m;
        let ground_m = if lowest > -0.1 { 0.0 } else { lowest - 0.05 };
        Self {
            links,
            joints,
            device_joints,
            thigh: leg.thigh,
            thigh_mid_m: Vec2::new(0.0, -0.5 * s.thigh_m),
            reach_m,
            ground_m,
        }
    }
}
