//! Exoskeleton links and joints, placed beside the leg and strapped to it by cuffs.

use nalgebra::Vector2;
use serde::{Deserialize, Serialize};

use super::cuff::{Cuff, CuffConfig};
use super::leg::{AXIS, LegGeometry, LegIds};
use super::{Joint, SegmentKind};
use crate::multibody::{Body, BodyId, Kinematics, ModelBuilder, SpatialInertia};

/// Mass properties of one exoskeleton link.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "scenario", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ExoLinkConfig {
    /// Mass, including the actuator housed at the link's proximal joint, kg.
    pub mass_kg: f64,
    /// Centre of mass from the proximal joint along the link, fraction of its length.
    #[serde(default = "half")]
    pub com_fraction: f64,
    /// Moment of inertia about the centre of mass, kg m² (default: a uniform rod, m L² / 12).
    #[serde(default)]
    pub inertia_kg_m2: Option<f64>,
}

fn half() -> f64 {
    0.5
}

/// Offset of each exoskeleton joint centre from the anatomical joint centre, in the parent segment's frame
/// (x forward, z up at zero joint angles), m.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "scenario", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Misalignment {
    /// Exo hip joint offset from the hip centre, pelvis frame, m.
    #[serde(default)]
    pub hip_m: [f64; 2],
    /// Exo knee joint offset from the knee centre, thigh frame, m.
    #[serde(default)]
    pub knee_m: [f64; 2],
    /// Exo ankle joint offset from the ankle centre, shank frame, m.
    #[serde(default)]
    pub ankle_m: [f64; 2],
}

impl Misalignment {
    fn of(&self, j: Joint) -> Vector2<f64> {
        let v = match j {
            Joint::Hip => self.hip_m,
            Joint::Knee => self.knee_m,
            Joint::Ankle => self.ankle_m,
        };
        Vector2::new(v[0], v[1])
    }
}

/// The exoskeleton: which joints it spans, its links, joint misalignment and cuffs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "scenario", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ExoConfig {
    /// Joints the device spans, contiguous in chain order (`["hip"]`, `["hip", "knee"]`, `["knee"]`,
    /// `["ankle"]`, ...). A device without a hip joint has a free-floating first link held only by its cuffs.
    pub joints: Vec<Joint>,
    /// Thigh link (present when the device spans the hip or the knee).
    #[serde(default = "default_thigh")]
    pub thigh: ExoLinkConfig,
    /// Shank link (present when the device spans the knee or the ankle).
    #[serde(default = "default_shank")]
    pub shank: ExoLinkConfig,
    /// Foot plate (present when the device spans the ankle).
    #[serde(default = "default_foot")]
    pub foot: ExoLinkConfig,
    /// Joint-centre misalignment.
    #[serde(default)]
    pub misalignment: Misalignment,
    /// Passive viscous damping in every exoskeleton joint, N m s/rad.
    #[serde(default)]
    pub joint_damping_nm_s_per_rad: f64,
    /// Cuffs (default: one at mid-thigh, one at mid-shank, one on the foot, for the links present).
    #[serde(default)]
    pub cuffs: Vec<CuffConfig>,
}

fn default_thigh() -> ExoLinkConfig {
    ExoLinkConfig { mass_kg: 1.5, com_fraction: 0.3, inertia_kg_m2: None }
}
fn default_shank() -> ExoLinkConfig {
    ExoLinkConfig { mass_kg: 1.0, com_fraction: 0.3, inertia_kg_m2: None }
}
fn default_foot() -> ExoLinkConfig {
    ExoLinkConfig { mass_kg: 0.4, com_fraction: 0.4, inertia_kg_m2: None }
}

impl ExoConfig {
    /// A device spanning `joints` with default links and cuffs.
    #[must_use]
    pub fn new(joints: &[Joint]) -> Self {
        Self {
            joints: joints.to_vec(),
            thigh: default_thigh(),
            shank: default_shank(),
            foot: default_foot(),
            misalignment: Misalignment::default(),
            joint_damping_nm_s_per_rad: 0.0,
            cuffs: Vec::new(),
        }
    }

    /// Does the device span joint `j`?
    #[must_use]
    pub fn has(&self, j: Joint) -> bool {
        self.joints.contains(&j)
    }

    /// Segments that carry an exoskeleton link: the child of every spanned joint, and the parent of the first
    /// one unless that is the pelvis.
    #[must_use]
    pub fn segments(&self) -> Vec<SegmentKind> {
        let mut segs = Vec::new();
        for seg in SegmentKind::ALL {
            let child_of_spanned = self.has(Joint::ALL[seg.index()]);
            let parent_of_spanned = seg.index() + 1 < 3 && self.has(Joint::ALL[seg.index() + 1]);
            if child_of_spanned || parent_of_spanned {
                segs.push(seg);
            }
        }
        segs
    }

    /// The cuffs in use: the configured ones, or one per link.
    #[must_use]
    pub fn effective_cuffs(&self) -> Vec<CuffConfig> {
        if !self.cuffs.is_empty() {
            return self.cuffs.clone();
        }
        self.segments()
            .into_iter()
            .map(|s| CuffConfig::new(s, if s == SegmentKind::Foot { 0.5 } else { 0.6 }))
            .collect()
    }

    fn link(&self, seg: SegmentKind) -> &ExoLinkConfig {
        match seg {
            SegmentKind::Thigh => &self.thigh,
            SegmentKind::Shank => &self.shank,
            SegmentKind::Foot => &self.foot,
        }
    }

    /// Checks the device description: contiguous joints, possible masses, cuffs on links that exist.
    pub fn validate(&self) -> Result<(), crate::error::ValidationError> {
        if self.joints.is_empty() {
            return Err(crate::error::ValidationError::new("joints", "must name at least one joint"));
        }
        let mut idx: Vec<usize> = self.joints.iter().map(|j| j.index()).collect();
        idx.sort_unstable();
        idx.dedup();
        if idx.len() != self.joints.len() || idx.windows(2).any(|w| w[1] != w[0] + 1) {
            return Err(crate::error::ValidationError::new(
                "joints",
                "must be distinct and contiguous (e.g. hip, knee)",
            ));
        }
        for seg in self.segments() {
            let l = self.link(seg);
            let name = seg.name();
            if !(l.mass_kg.is_finite() && l.mass_kg > 0.0) {
                return Err(crate::error::ValidationError::new(
                    format!("{name}.mass_kg"),
                    format!("must be a finite number > 0 (got {})", l.mass_kg),
                ));
            }
            if !(0.0..=1.0).contains(&l.com_fraction) {
                return Err(crate::error::ValidationError::new(format!("{name}.com_fraction"), "must be within 0..1"));
            }
            if let Some(i) = l.inertia_kg_m2
                && !(i.is_finite() && i > 0.0)
            {
                return Err(crate::error::ValidationError::new(
                    format!("{name}.inertia_kg_m2"),
                    format!("must be a finite number > 0 (got {i})"),
                ));
            }
        }
        if !(self.joint_damping_nm_s_per_rad.is_finite() && self.joint_damping_nm_s_per_rad >= 0.0) {
            return Err(crate::error::ValidationError::new(
                "joint_damping_nm_s_per_rad",
                "must be a finite number >= 0",
            ));
        }
        for j in Joint::ALL {
            let m = self.misalignment.of(j);
            if !(m.x.is_finite() && m.y.is_finite() && m.norm() < 0.1) {
                return Err(crate::error::ValidationError::new(
                    format!("misalignment.{}_m", j.name()),
                    "must be finite and under 0.1 m",
                ));
            }
        }
        let segs = self.segments();
        for (k, c) in self.effective_cuffs().iter().enumerate() {
            if !segs.contains(&c.segment) {
                return Err(crate::error::ValidationError::new(
                    format!("cuffs[{k}].segment"),
                    format!("the device has no {} link", c.segment.name()),
                ));
            }
            c.validate().map_err(|e| e.within(&format!("cuffs[{k}]")))?;
        }
        Ok(())
    }
}

/// Where the exoskeleton ended up in the model.
#[derive(Clone, Debug, PartialEq)]
pub struct ExoIds {
    /// Body (and joint coordinate) of each spanned joint: hip, knee, ankle.
    pub joint: [Option<BodyId>; 3],
    /// Body of the link on each segment: thigh, shank, foot.
    pub link: [Option<BodyId>; 3],
    /// Coordinates of the free-floating root (x, z, angle) when the device has no hip joint.
    pub floating: Option<[BodyId; 3]>,
}

/// Adds the exoskeleton under `pelvis` (`None`: the base frame is the pelvis) beside the leg.
pub fn add_exo(config: &ExoConfig, leg: &LegGeometry, builder: &mut ModelBuilder, pelvis: Option<BodyId>) -> ExoIds {
    let segs = config.segments();
    let mut ids = ExoIds { joint: [None; 3], link: [None; 3], floating: None };
    let mut parent = pelvis;
    // Position of the current link's proximal (exo) joint relative to the anatomical one, in the parent frame.
    let mut prev_offset = Vector2::zeros();
    for (k, seg) in segs.iter().copied().enumerate() {
        let joint = Joint::ALL[seg.index()];
        let offset = config.misalignment.of(joint);
        // Anatomical joint in the parent segment frame; the exo joint sits at that point plus its misalignment,
        // measured from the parent exo link's origin (its own exo joint).
        let origin = leg.joint_in_parent_m(seg) + offset - prev_offset;
        let (body_joint, joint_origin) = if k == 0 && !config.has(joint) {
            // Free-floating first link: planar x, z and angle relative to the pelvis frame, via two massless
            // prismatic bodies.
            let [_, z] = builder.add_planar_translation(&format!("exo_{}", seg.name()), parent);
            parent = Some(z);
            // The floating frame's origin sits where the segment's proximal joint is; its position is then set
            // by the x and z coordinates from the pelvis frame (initialised by the world).
            (None, Vector2::zeros())
        } else {
            (Some(joint), origin)
        };
        let length = distal_length(leg, seg, config, joint);
        let link = config.link(seg);
        let axis = LegGeometry::segment_axis(seg);
        let com = axis * (link.com_fraction * length);
        let inertia = link.inertia_kg_m2.unwrap_or(link.mass_kg * length * length / 12.0);
        let id = builder.add(Body {
            name: format!("exo_{}", seg.name()),
            parent,
            joint: AXIS,
            joint_origin_m: joint_origin,
            inertia: SpatialInertia { mass_kg: link.mass_kg, com_m: com, inertia_kg_m2: inertia },
            armature: 0.0,
            damping: if body_joint.is_some() { config.joint_damping_nm_s_per_rad } else { 0.0 },
        });
        if let Some(j) = body_joint {
            ids.joint[j.index()] = Some(id);
        } else if let Some(z) = parent {
            ids.floating = Some([z - 1, z, id]);
        }
        ids.link[seg.index()] = Some(id);
        parent = Some(id);
        prev_offset = offset;
    }
    ids
}

/// Length of the exo link on `seg`: from its proximal exo joint to the next one (or the segment length).
fn distal_length(leg: &LegGeometry, seg: SegmentKind, config: &ExoConfig, joint: Joint) -> f64 {
    let a = &leg.anthropometry;
    match seg {
        SegmentKind::Thigh | SegmentKind::Shank => {
            let next = Joint::ALL[seg.index() + 1];
            let span = if seg == SegmentKind::Thigh { a.thigh.length_m } else { a.shank.length_m };
            let d = Vector2::new(0.0, -span) + config.misalignment.of(next) - config.misalignment.of(joint);
            d.norm()
        }
        SegmentKind::Foot => a.foot.length_m - a.heel_to_ankle_m,
    }
}

/// Builds the cuffs once the model's initial kinematics are known, so that every cuff starts unloaded.
#[must_use]
pub fn place_cuffs(config: &ExoConfig, leg: &LegGeometry, legs: &LegIds, exo: &ExoIds, kin: &Kinematics) -> Vec<Cuff> {
    config
        .effective_cuffs()
        .iter()
        .filter_map(|c| {
            let limb = legs.all()[c.segment.index()];
            let exo_body = exo.link[c.segment.index()]?;
            let limb_point = leg.segment_point_m(c.segment, c.position_fraction);
            let world = kin.pose[limb].point_to_parent(&limb_point);
            let exo_pose = kin.pose[exo_body];
            let exo_point = exo_pose.vector_from_parent(&(world - exo_pose.origin_m));
            Some(Cuff {
                name: format!("{}_cuff", c.segment.name()),
                config: *c,
                limb,
                exo: exo_body,
                limb_point_m: limb_point,
                exo_point_m: exo_point,
                axis: LegGeometry::segment_axis(c.segment),
                rest_angle_rad: exo_pose.angle_rad - kin.pose[limb].angle_rad,
            })
        })
        .collect()
}

/// The gravity model a control law holds of this device: one link per exoskeleton joint (hip, knee, ankle
/// slots), each with the mass and centre of mass of the exo link that turns with it, as the device's designer
/// would enter them from its drawings. `mass_error_fraction` scales every mass (model error: 0.1 is a model 10 %
/// heavier than the device); `limb_fraction` adds that fraction of the wearer's segment (thigh for the hip
/// slot, and so on), placed at the segment's centre of mass as if the joints were aligned (misalignment is then
/// model error too). The base (the link the first spanned joint hangs from) is the pelvis, or the free-floating
/// first link of a device without a hip joint; its pitch reaches the law through the base's inertial sensor.
#[must_use]
pub fn gravity_model(
    model: &crate::multibody::Model,
    ids: &ExoIds,
    leg: &LegGeometry,
    mass_error_fraction: f64,
    limb_fraction: f64,
) -> exo_control::GravityModelConfig<f64, 3> {
    let mut g = exo_control::GravityModelConfig::<f64, 3>::default();
    g.gravity_m_per_s2 = -model.gravity_m_per_s2.y;
    for k in 0..3 {
        let Some(b) = ids.joint[k] else { continue };
        let body = &model.bodies()[b];
        // The nearest exoskeleton joint above this one carries it; none: the base does.
        let mut up = body.parent;
        let mut parent = None;
        while let Some(p) = up {
            if let Some(slot) = ids.joint.iter().position(|j| *j == Some(p)) {
                parent = Some(slot as u8);
                break;
            }
            up = model.bodies()[p].parent;
        }
        let exo_mass = body.inertia.mass_kg * (1.0 + mass_error_fraction);
        let limb = leg.inertia(SegmentKind::ALL[k]);
        let limb_mass = limb.mass_kg * limb_fraction;
        let mass = exo_mass + limb_mass;
        let com =
            if mass > 0.0 { (body.inertia.com_m * exo_mass + limb.com_m * limb_mass) / mass } else { Vector2::zeros() };
        g.links[k] = exo_control::GravityLink {
            parent,
            joint_m: [body.joint_origin_m.x, body.joint_origin_m.y],
            mass_kg: mass,
            com_m: [com.x, com.y],
            // The leg's axis (world -y) turns the child counter-clockwise in (x, z) for a positive angle.
            axis_sign: 1.0,
        };
    }
    g
}

/// The body whose pitch the device's base inertial sensor reports: the parent of the first spanned joint (the
/// pelvis, `None` here when it is the model's base frame) or the free-floating first link.
#[must_use]
pub fn base_body(ids: &ExoIds) -> Option<BodyId> {
    ids.floating.map(|[_, _, link]| link)
}
