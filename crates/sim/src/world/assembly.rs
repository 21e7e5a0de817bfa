//! Model assembly: from a [`WorldConfig`] to a [`World`]: the leg, the free pelvis, the exoskeleton placed
//! beside the leg with its cuffs strapped on unloaded, the contacts and the seat.

use nalgebra::{Vector2, Vector3};

use super::*;

/// Seat contact points on the back of the thigh, as fractions of its length from the hip: the buttock end and
/// mid-thigh, where a chair carries a seated person.
const SEAT_POINTS: [f64; 2] = [0.05, 0.35];

/// Depth of the back of the thigh behind its long axis, where it rests on the seat, m (about half the thigh's
/// sagittal depth of an adult, an estimate).
const THIGH_BACK_DEPTH_M: f64 = 0.08;

/// Height of the upper body's share of mass above the pelvis origin on a free pelvis, m: roughly the trunk's
/// centre of mass above the hips of a 1.8 m adult (de Leva 1996 puts the trunk centre of mass at about 0.44 of
/// its 0.53 m length from the hip), an estimate for this one-leg model.
const UPPER_BODY_COM_HEIGHT_M: f64 = 0.25;

/// Radius of gyration of the upper body's share about its centre of mass, m (an estimate: trunk and arms).
const UPPER_BODY_GYRATION_M: f64 = 0.2;

/// A seat contact point in the thigh frame.
pub(crate) fn seat_point(g: &LegGeometry, fraction: f64) -> Vector2<f64> {
    let mut p = g.segment_point_m(crate::body::SegmentKind::Thigh, fraction);
    p.x -= THIGH_BACK_DEPTH_M;
    p
}

impl World {
    /// Builds the model, places the exoskeleton beside the leg and straps the cuffs on unloaded.
    pub fn new(config: WorldConfig) -> Result<Self, WorldError> {
        let mut b = ModelBuilder::new();
        let pelvis = match &config.pelvis {
            PelvisMotion::Free(_) => {
                Some(add_free_pelvis(&mut b, config.pelvis_mass_kg, config.backpack_kg, config.backpack_offset_m))
            }
            _ => None,
        };
        let pelvis_body = pelvis.map(|p| p[2]);
        let (legs, geometry) = match &config.leg {
            LegModel::Human(g) => (g.add_to(&mut b, pelvis_body, config.leg_damping_nm_s_per_rad), Some(*g)),
            LegModel::Reference => (crate::reference_leg::add_to(&mut b, pelvis_body), None),
        };
        let exo = match (&config.exo, &geometry) {
            (Some(e), Some(g)) => Some(add_exo(e, g, &mut b, pelvis_body)),
            (Some(_), None) => return Err(WorldError::Model("the reference leg cannot wear an exoskeleton".into())),
            _ => None,
        };
        if config.clamp_leg {
            for id in legs.all() {
                b.set_armature(id, CLAMP_ARMATURE);
            }
        }
        let model = b.build().map_err(|e| WorldError::Model(e.to_string()))?;
        let n = model.len();
        let mut state = State::zeros(n);
        for (k, id) in legs.all().into_iter().enumerate() {
            state.q[id] = config.initial_q_rad[k];
            state.qd[id] = config.initial_qd_rad_per_s[k];
        }
        if let (Some(p), PelvisMotion::Free(pose)) = (pelvis, &config.pelvis) {
            state.q[p[0]] = pose.origin_m.x;
            state.q[p[1]] = pose.origin_m.y;
            state.q[p[2]] = pose.angle_rad;
        }
        if let (Some(ids), Some(g)) = (&exo, &geometry) {
            init_exo_state(ids, g, &legs, &config, &mut state);
        }
        let mut kin = Kinematics::new(&model);
        kin.update(&model, &base_motion(&config.pelvis, 0.0), &state.q, &state.qd);
        let cuffs = match (&config.exo, &exo, &geometry) {
            (Some(e), Some(ids), Some(g)) => place_cuffs(e, g, &legs, ids, &kin),
            _ => Vec::new(),
        };
        let mut contacts = Vec::new();
        if let (Some(c), Some(g)) = (&config.foot_contact, &geometry) {
            let ground = Surface { height_m: 0.0, x_max_m: f64::INFINITY };
            for p in [g.heel_m(), g.toe_m()] {
                let anchor = c.planted.then(|| kin.pose[legs.foot].point_to_parent(&p));
                contacts.push(ContactPoint { body: legs.foot, point_m: p, surface: ground, anchor });
            }
        }
        if let (Some(seat), Some(g)) = (config.seat, &geometry) {
            let points = SEAT_POINTS.map(|f| seat_point(g, f));
            let height = match seat {
                Seat::At(h) => h,
                Seat::UnderThigh => {
                    points.iter().map(|p| kin.pose[legs.thigh].point_to_parent(p).y).fold(f64::INFINITY, f64::min)
                        + 0.002
                }
            };
            let surface = Surface { height_m: height, x_max_m: f64::INFINITY };
            for p in points {
                contacts.push(ContactPoint { body: legs.thigh, point_m: p, surface, anchor: None });
            }
        }
        // The device's joints in chain order, each named after the wearer joint it spans.
        let device_joints: Vec<DeviceJoint> = exo
            .as_ref()
            .map(|ids| {
                Joint::ALL
                    .iter()
                    .filter_map(|j| {
                        ids.joint[j.index()].map(|body| DeviceJoint {
                            name: j.name().to_string(),
                            joint: *j,
                            body,
                            spans: j.index(),
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        let coordinates: Vec<WearerCoordinate> = Joint::ALL
            .iter()
            .zip(legs.all())
            .map(|(j, body)| WearerCoordinate { name: j.name().to_string(), body })
            .collect();
        let forces = Forces {
            cuffs,
            contacts,
            contact: config.foot_contact.unwrap_or_default(),
            foot_load: config.foot_load,
            foot: legs.foot,
            pelvis,
            leg: legs,
            device: device_joints.iter().map(|d| d.body).collect(),
            wearer_torque_nm: vec![0.0; coordinates.len()],
            pelvis_residual: [0.0; 3],
            couplings: vec![Coupling::NONE; device_joints.len()],
            t0: 0.0,
            dt: 0.0,
        };
        let scratch = Scratch {
            dynamics: Dynamics::new(&model),
            f_ext: vec![Vector3::zeros(); n],
            tau: vec![0.0; n],
            kin,
            base_cache: TimeCache::new(BaseMotion::fixed(Pose2::IDENTITY)),
            load_cache: TimeCache::new(None),
        };
        let mut w = Self {
            rk4: Rk4::new(n),
            euler: SemiImplicitEuler::new(n),
            integrator: config.integrator,
            pelvis_motion: config.pelvis,
            model,
            forces,
            scratch,
            state,
            time_s: 0.0,
            leg: config.leg,
            exo,
            readings: Readings {
                exo_interaction_nm: vec![0.0; device_joints.len()],
                exo_torque_nm: vec![0.0; device_joints.len()],
                leg_interaction_nm: vec![0.0; coordinates.len()],
                ..Readings::default()
            },
            coordinates,
            device_joints,
        };
        w.update_readings();
        Ok(w)
    }
}

/// Adds the free pelvis (planar x, z, pitch through two massless prismatic bodies) carrying `pelvis_mass_kg` of
/// upper body and a backpack; returns the three coordinates' bodies.
pub(crate) fn add_free_pelvis(
    b: &mut ModelBuilder,
    pelvis_mass_kg: f64,
    backpack_kg: f64,
    backpack_offset_m: Vector2<f64>,
) -> [BodyId; 3] {
    let [x, z] = b.add_planar_translation("pelvis", None);
    // Upper-body share as a compact mass above the pelvis origin, plus the backpack.
    let m_body = pelvis_mass_kg;
    let com_body = Vector2::new(0.0, UPPER_BODY_COM_HEIGHT_M);
    let m_pack = backpack_kg;
    let m = m_body + m_pack;
    let com = if m > 0.0 { (com_body * m_body + backpack_offset_m * m_pack) / m } else { Vector2::zeros() };
    let inertia = m_body * UPPER_BODY_GYRATION_M.powi(2)
        + m_body * (com_body - com).norm_squared()
        + m_pack * (backpack_offset_m - com).norm_squared();
    let pitch = b.add(Body {
        name: "pelvis".into(),
        parent: Some(z),
        joint: JointKind::Revolute { axis_y: -1.0 },
        joint_origin_m: Vector2::zeros(),
        inertia: SpatialInertia { mass_kg: m, com_m: com, inertia_kg_m2: inertia },
        armature: 0.0,
        damping: 0.0,
    });
    [x, z, pitch]
}

/// Exoskeleton joints start at the human's joint angles; a free-floating first link starts on its segment.
fn init_exo_state(ids: &ExoIds, g: &LegGeometry, legs: &LegIds, config: &WorldConfig, state: &mut State) {
    for k in 0..3 {
        if let Some(id) = ids.joint[k] {
            state.q[id] = config.initial_q_rad[k];
            state.qd[id] = config.initial_qd_rad_per_s[k];
        }
    }
    if let Some([x, z, theta]) = ids.floating {
        // The floating link's segment: the first one with a link.
        let seg = ids.link.iter().position(Option::is_some).unwrap_or(0);
        let q = config.initial_q_rad;
        let (mut angle, mut origin) = (0.0, g.hip_in_pelvis_m);
        for k in 0..seg {
            angle += q[k];
            let next = g.joint_in_parent_m(crate::body::SegmentKind::ALL[k + 1]);
            origin += Pose2::new(angle, Vector2::zeros()).vector_to_parent(&next);
        }
        angle += q[seg];
        state.q[x] = origin.x;
        state.q[z] = origin.y;
        state.q[theta] = angle;
        let _ = legs;
    }
}
