//! The human leg: thigh, shank and foot on revolute joints about the lateral axis.

use nalgebra::Vector2;

use super::SegmentKind;
use super::anthropometry::Anthropometry;
use crate::multibody::{Body, BodyId, JointKind, ModelBuilder, SpatialInertia};

/// Geometry of a leg in its body frames. Joint axes point to the subject's right (world -y) so that joint
/// angles carry OpenSim's signs: hip flexion +, knee flexion -, ankle dorsiflexion +.
///
/// Body frames: thigh and shank have their origin on their proximal joint and hang along -z at zero angle; the
/// foot has its origin on the ankle and points forward (+x).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LegGeometry {
    /// Segment parameters.
    pub anthropometry: Anthropometry,
    /// Hip joint centre in the pelvis (base) frame, m.
    pub hip_in_pelvis_m: Vector2<f64>,
}

/// Body ids of a leg in a model (joint coordinate indices are the same numbers).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LegIds {
    /// Thigh (hip joint).
    pub thigh: BodyId,
    /// Shank (knee joint).
    pub shank: BodyId,
    /// Foot (ankle joint).
    pub foot: BodyId,
}

impl LegIds {
    /// The ids in chain order.
    #[must_use]
    pub fn all(&self) -> [BodyId; 3] {
        [self.thigh, self.shank, self.foot]
    }
}

/// Joint axis of the leg and exoskeleton joints: world -y (the subject's right).
pub const AXIS: JointKind = JointKind::Revolute { axis_y: -1.0 };

impl LegGeometry {
    /// A leg from the anthropometry, hip at OpenSim gait2354's hip offset from the pelvis origin, scaled to
    /// the subject (x -0.0707 m, z -0.0661 m at 1.8 m).
    #[must_use]
    pub fn new(anthropometry: Anthropometry) -> Self {
        let s = anthropometry.height_m / 1.8;
        Self { anthropometry, hip_in_pelvis_m: Vector2::new(-0.0707 * s, -0.0661 * s) }
    }

    /// Proximal joint of segment `seg` in its parent's frame (the hip in the pelvis frame for the thigh).
    #[must_use]
    pub fn joint_in_parent_m(&self, seg: SegmentKind) -> Vector2<f64> {
        let a = &self.anthropometry;
        match seg {
            SegmentKind::Thigh => self.hip_in_pelvis_m,
            SegmentKind::Shank => Vector2::new(0.0, -a.thigh.length_m),
            SegmentKind::Foot => Vector2::new(0.0, -a.shank.length_m),
        }
    }

    /// Heel on the sole, foot frame, m.
    #[must_use]
    pub fn heel_m(&self) -> Vector2<f64> {
        Vector2::new(-self.anthropometry.heel_to_ankle_m, -self.anthropometry.ankle_height_m)
    }

    /// Toe tip on the sole, foot frame, m.
    #[must_use]
    pub fn toe_m(&self) -> Vector2<f64> {
        let a = &self.anthropometry;
        Vector2::new(a.foot.length_m - a.heel_to_ankle_m, -a.ankle_height_m)
    }

    /// Point at `fraction` of the segment's length from its proximal end, on its long axis (the sole line for
    /// the foot, from heel to toe), body frame, m.
    #[must_use]
    pub fn segment_point_m(&self, seg: SegmentKind, fraction: f64) -> Vector2<f64> {
        let a = &self.anthropometry;
        match seg {
            SegmentKind::Thigh => Vector2::new(0.0, -fraction * a.thigh.length_m),
            SegmentKind::Shank => Vector2::new(0.0, -fraction * a.shank.length_m),
            SegmentKind::Foot => self.heel_m() + fraction * (self.toe_m() - self.heel_m()),
        }
    }

    /// Unit vector along the segment's long axis (proximal to distal; heel to toe for the foot), body frame.
    #[must_use]
    pub fn segment_axis(seg: SegmentKind) -> Vector2<f64> {
        match seg {
            SegmentKind::Thigh | SegmentKind::Shank => Vector2::new(0.0, -1.0),
            SegmentKind::Foot => Vector2::new(1.0, 0.0),
        }
    }

    /// Mass properties of a segment in its body frame.
    #[must_use]
    pub fn inertia(&self, seg: SegmentKind) -> SpatialInertia {
        let a = &self.anthropometry;
        let (s, com) = match seg {
            SegmentKind::Thigh => (a.thigh, Vector2::new(0.0, -a.thigh.com_from_proximal_m)),
            SegmentKind::Shank => (a.shank, Vector2::new(0.0, -a.shank.com_from_proximal_m)),
            SegmentKind::Foot => {
                (a.foot, Vector2::new(a.foot.com_from_proximal_m - a.heel_to_ankle_m, -0.5 * a.ankle_height_m))
            }
        };
        SpatialInertia { mass_kg: s.mass_kg, com_m: com, inertia_kg_m2: s.inertia_kg_m2 }
    }

    /// Adds thigh, shank and foot under `parent` (`None`: the base frame is the pelvis).
    pub fn add_to(&self, builder: &mut ModelBuilder, parent: Option<BodyId>, damping: [f64; 3]) -> LegIds {
        let mut ids = [0; 3];
        let mut up = parent;
        for (k, seg) in SegmentKind::ALL.into_iter().enumerate() {
            let id = builder.add(Body {
                name: seg.name().to_string(),
                parent: up,
                joint: AXIS,
                joint_origin_m: self.joint_in_parent_m(seg),
                inertia: self.inertia(seg),
                armature: 0.0,
                damping: damping[k],
            });
            ids[k] = id;
            up = Some(id);
        }
        LegIds { thigh: ids[0], shank: ids[1], foot: ids[2] }
    }
}
