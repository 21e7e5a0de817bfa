//! What is drawn of a world, and where on its bodies: built once per loaded scenario from the model's geometry.
//!
//! Body frames: thigh and shank have their origin on their proximal joint and hang along local -y (sim -z) with
//! their segment length; the foot points along local +x from the ankle (the reference leg's foot hangs down like
//! the other segments). Exoskeleton links run from their joint to the next exoskeleton joint.

use bevy::prelude::*;
use exo_control::SVector;
use exo_sim::body::SegmentKind;
use exo_sim::multibody::{BodyId, JointKind, Model};
use exo_sim::walk::WalkSimulation;
use exo_sim::wearer::{Skeleton, SkeletonKinematics};
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
    /// A body of a wearer imported from OpenSim (index into its skeleton's bodies).
    Body(usize),
    /// The device's housings and masses on an imported wearer's body (index into its skeleton's bodies).
    Device(usize),
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
    /// A carried load (a backpack).
    Pack,
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
    /// Lateral offset of its torque arrow, m (bevy z).
    pub lateral_m: f32,
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
    /// Lateral offset of its torque arrow, m (bevy z).
    pub lateral_m: f32,
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
    /// Lateral offset of each foot's ground reaction (right, left), m (bevy z).
    pub feet_lateral_m: [f32; 2],
    /// Camera distance that shows the whole rig, m, and the lateral offset of the point it looks at, m.
    pub view_m: (f32, f32),
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
                lateral_m: LEG_LATERAL_M,
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
                lateral_m: EXO_LATERAL_M + 0.045,
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
            feet_lateral_m: [LEG_LATERAL_M; 2],
            view_m: (2.1, 0.12),
            ground_m,
        }
    }
}

/// Density a carried mass is drawn with, kg/m³: a device's housings are compact, a backpack is bulky.
const DEVICE_DENSITY: f32 = 1500.0;
const PACK_DENSITY: f32 = 500.0;

/// The skeleton body an imported body hangs from: an earlier body welded to the same engine body (the nearest in
/// file order), else the first body on the nearest engine ancestor that carries one; `None` for the root.
fn parent_body(sk: &Skeleton, b: usize) -> Option<usize> {
    let e = sk.bodies[b].engine_body;
    if let Some(p) = (0..b).rev().find(|&p| sk.bodies[p].engine_body == e) {
        return Some(p);
    }
    let mut up = sk.model.bodies()[e].parent;
    while let Some(a) = up {
        if let Some(p) = sk.bodies.iter().position(|x| x.engine_body == a) {
            return Some(p);
        }
        up = sk.model.bodies()[a].parent;
    }
    None
}

impl Rig {
    /// The rig of a walk of an imported wearer: each OpenSim body drawn in its engine body's frame from the pose
    /// its coordinates' defaults give (a capsule from its origin to its child's, the feet from the heel to the
    /// toes, the torso with a head), the device's housings at the joints it spans and every carried mass as a
    /// box; each body at its own lateral offset (the model's Z).
    #[must_use]
    pub fn from_walk(sim: &WalkSimulation) -> Self {
        let sk = sim.body().skeleton();
        let n = sk.coordinates.len();
        let mut kin = SkeletonKinematics::new(sk);
        let q0: Vec<f64> = sk.coordinates.iter().map(|c| c.default_value).collect();
        kin.update(sk, &q0, &vec![0.0; n]);
        // A point given in ground at the default pose, in the frame of engine body `e`.
        let in_engine = |e: usize, p: [f64; 3]| -> Vec2 {
            let pose = &kin.engine.pose[e];
            let d = SVector::<f64, 2>::new(p[0], p[1]) - pose.origin_m;
            let (s, c) = pose.angle_rad.sin_cos();
            Vec2::new((c * d.x + s * d.y) as f32, (-s * d.x + c * d.y) as f32)
        };
        let origin_of = |b: usize| in_engine(sk.bodies[b].engine_body, kin.body(sk, b).origin_m);
        // A point of body `b`'s own frame, in its engine frame.
        let local = |b: usize, x: f64, y: f64| {
            let f = &sk.bodies[b].frame_in_engine;
            let p = f.point_to_parent(&SVector::<f64, 2>::new(x, y));
            Vec2::new(p.x as f32, p.y as f32)
        };
        let children: Vec<Vec<usize>> = (0..sk.bodies.len())
            .map(|b| (0..sk.bodies.len()).filter(|&c| parent_body(sk, c) == Some(b)).collect())
            .collect();
        let skin = |shape| VisualSpec { shape, look: Look::Skin, lateral_m: 0.0 };
        let mut links = Vec::new();
        for (b, body) in sk.bodies.iter().enumerate() {
            let e = body.engine_body;
            let o = local(b, 0.0, 0.0);
            // A child's origin, in this body's engine frame.
            let child = |c: usize| in_engine(e, kin.body(sk, c).origin_m);
            let name = body.name.as_str();
            let mut visuals = Vec::new();
            if parent_body(sk, b).is_none() {
                // The pelvis: a block from the hips up to the lumbar joint.
                let hips = children[b].iter().map(|&c| child(c)).fold(Vec2::ZERO, |a, p| a + p)
                    / children[b].len().max(1) as f32;
                visuals.push(VisualSpec {
                    shape: Shape::Bar {
                        from: hips + Vec2::new(0.0, -0.04),
                        to: o + Vec2::new(-0.04, 0.06),
                        width: 0.2,
                        depth: 0.3,
                    },
                    look: Look::Pelvis,
                    lateral_m: 0.0,
                });
            } else if name.starts_with("torso") {
                visuals.push(VisualSpec {
                    shape: Shape::Capsule { radius: 0.13, from: local(b, -0.02, 0.12), to: local(b, -0.03, 0.42) },
                    look: Look::Pelvis,
                    lateral_m: 0.0,
                });
                visuals.push(skin(Shape::Capsule { radius: 0.1, from: local(b, 0.0, 0.66), to: local(b, 0.0, 0.67) }));
            } else if name.starts_with("calcn") {
                let toes = children[b].first().map_or(local(b, 0.18, 0.0), |&c| child(c));
                visuals.push(skin(Shape::Capsule {
                    radius: 0.028,
                    from: o + Vec2::new(0.03, 0.03),
                    to: toes + Vec2::new(-0.01, 0.02),
                }));
            } else if name.starts_with("toes") {
                visuals.push(skin(Shape::Capsule {
                    radius: 0.018,
                    from: o + Vec2::new(0.0, 0.018),
                    to: local(b, 0.05, 0.018),
                }));
            } else if let Some(&c) = children[b].first() {
                // A limb segment down to its child's joint (the talus is the ankle joint itself: no segment).
                let to = child(c);
                if (to - o).length() > 0.05 {
                    let radius = if name.starts_with("femur") { 0.06 } else { 0.045 };
                    visuals.push(skin(Shape::Capsule { radius, from: o, to }));
                }
            }
            if !visuals.is_empty() {
                links.push(LinkSpec { part: Part::Body(b), body: Some(e), lateral_m: body.z_m as f32, visuals });
            }
        }
        // The device: a housing outside each joint it spans; its masses and the backpack as boxes.
        let outward = |z: f64| if z >= 0.0 { 1.0_f32 } else { -1.0 };
        let mut device_joints = Vec::new();
        let joint_coordinates: Vec<usize> = (0..n).filter(|&c| !sim.wearer().is_residual(c)).collect();
        for (k, d) in sim.joints().iter().enumerate() {
            let dof = sk.coordinates[d.coordinate].dof;
            let Some(b) = sk.bodies.iter().position(|x| x.engine_body == dof) else { continue };
            let z = sk.bodies[b].z_m;
            let lateral = z as f32 + outward(z) * 0.07;
            links.push(LinkSpec {
                part: Part::Device(b),
                body: Some(dof),
                lateral_m: lateral,
                visuals: vec![VisualSpec {
                    shape: Shape::Disc { center: local(b, 0.0, 0.0), radius: 0.045, depth: 0.05 },
                    look: Look::Hub,
                    lateral_m: 0.0,
                }],
            });
            device_joints.push(DeviceJointSpec {
                name: d.name.clone(),
                device_joint: k,
                spans: joint_coordinates.iter().position(|&c| c == d.coordinate).unwrap_or(0),
                body: dof,
                sign: sign_of(&sk.model, dof),
                lateral_m: lateral + outward(z) * 0.03,
            });
        }
        for m in &sk.carried {
            let b = &sk.bodies[m.body];
            let pack = !m.of_device;
            let side = (m.mass_kg as f32 / if pack { PACK_DENSITY } else { DEVICE_DENSITY }).cbrt();
            let c = local(m.body, m.mass_center_m[0], m.mass_center_m[1]);
            let lateral = if b.z_m == 0.0 { 0.0 } else { b.z_m as f32 + outward(b.z_m) * 0.08 };
            links.push(LinkSpec {
                part: Part::Device(m.body),
                body: Some(b.engine_body),
                lateral_m: lateral,
                visuals: vec![VisualSpec {
                    shape: Shape::Bar {
                        from: c - Vec2::new(0.0, side / 2.0),
                        to: c + Vec2::new(0.0, side / 2.0),
                        width: side,
                        depth: side,
                    },
                    look: if pack { Look::Pack } else { Look::Hub },
                    lateral_m: 0.0,
                }],
            });
        }
        let joints: Vec<JointSpec> = joint_coordinates
            .iter()
            .map(|&c| {
                let dof = sk.coordinates[c].dof;
                let z = sk.bodies.iter().find(|x| x.engine_body == dof).map_or(0.0, |x| x.z_m);
                JointSpec {
                    name: sk.coordinates[c].name.clone(),
                    coordinate: c,
                    leg_body: dof,
                    leg_sign: sign_of(&sk.model, dof),
                    lateral_m: z as f32 + outward(z) * 0.12,
                }
            })
            .collect();
        let femur = sk.bodies.iter().position(|b| b.name.starts_with("femur")).unwrap_or(0);
        let knee = children[femur]
            .first()
            .map_or(Vec2::new(0.0, -0.4), |&c| in_engine(sk.bodies[femur].engine_body, kin.body(sk, c).origin_m));
        let hip = origin_of(femur);
        Self {
            links,
            joints,
            device_joints,
            thigh: sk.bodies[femur].engine_body,
            thigh_mid_m: (hip + knee) * 0.5,
            reach_m: 1.0,
            feet_lateral_m: ["_r", "_l"]
                .map(|side| sk.bodies.iter().find(|b| b.name.ends_with(side)).map_or(0.0, |b| b.z_m as f32)),
            // The whole body, head to feet, beside the panels.
            view_m: (3.4, 0.0),
            ground_m: 0.0,
        }
    }
}
