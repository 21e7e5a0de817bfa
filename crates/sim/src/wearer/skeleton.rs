//! An OpenSim model of the planar family (OpenSim's gait10dof18musc and its relatives) as an articulated-body
//! model of the engine ([`crate::multibody`]).
//!
//! # How the model maps onto the engine
//!
//! OpenSim's ground X (forward) and Y (up) are the engine's x and z; a rotation about OpenSim's Z is the engine's
//! counter-clockwise turn in (x, z), so angles keep their numbers. Every joint is a [`CoupledJoint`] of the engine
//! per coordinate:
//!
//! * `PinJoint`: the rotation `θ = q` about the joint frames' common Z; `SliderJoint`: `x = q`; `PlanarJoint`:
//!   `x = tx`, `y = ty`, then `θ = rz`.
//! * `CustomJoint`: Simbody's `FunctionBased` transform `R_FM = R(f₀)·R(f₁)·R(f₂)` (all about ±Z in the planar
//!   family) and `p_FM = Σ fᵢ âᵢ` expressed in `F` (not rotated). A joint of several coordinates becomes a chain of
//!   one engine joint per coordinate, translation-only coordinates first and rotating ones after: the chain then
//!   composes to exactly `(p_FM, R_FM)` because at most one coordinate turns (OpenSim refuses collinear rotation
//!   axes, and the planar family turns only about ±Z). Constant axes go on the first element (translations) and the last
//!   (rotations). Intermediate elements are massless.
//! * `WeldJoint`: no coordinate; the child body rides on its parent's engine body, its mass merged into it.
//!
//! The engine frame of a body is its joint's child frame `M`; each [`SkeletonBody`] keeps the pose of the OpenSim
//! body frame in that engine frame, and its constant Z (OpenSim's out-of-plane offsets: they do not move in a
//! planar model).
//!
//! What the engine cannot represent is an error naming the file, line and element: joints that are not planar
//! ([`exo_opensim::Model::check_planar`]), functions that are not piecewise cubics (polynomials above degree 1),
//! a body welded to ground.

use exo_opensim::{Function, JointKind as OsimJoint, Model as OsimModel, MotionType, OsimError};
use nalgebra::{Vector2, Vector3};

use crate::multibody::{
    BaseMotion, Body, BodyId, CoupledJoint, Curve, Dynamics, JointKind, Kinematics, Model, ModelBuilder, Pose2,
    SpatialInertia,
};

/// A generalised coordinate of the model.
#[derive(Clone, Debug, PartialEq)]
pub struct SkeletonCoordinate {
    /// Its name in the model file (`knee_angle_r`).
    pub name: String,
    /// The joint that owns it.
    pub joint: String,
    /// Rotational (rad), translational (m) or coupled, as OpenSim decides it.
    pub motion: MotionType,
    /// Default value, rad or m.
    pub default_value: f64,
    /// `[min, max]`, rad or m.
    pub range: [f64; 2],
    /// Whether OpenSim holds it at its default.
    pub locked: bool,
    /// The engine joint (and body) it drives.
    pub dof: BodyId,
}

/// A body of the model and where it rides in the engine.
#[derive(Clone, Debug, PartialEq)]
pub struct SkeletonBody {
    /// Its name in the model file (`tibia_r`).
    pub name: String,
    /// The engine body it moves with (its own, or its parent's when welded).
    pub engine_body: BodyId,
    /// Pose of the OpenSim body frame in the engine body's frame (x, y of OpenSim; angle about Z, rad).
    pub frame_in_engine: Pose2,
    /// The body frame's constant Z in ground, m.
    pub z_m: f64,
    /// Mass, kg.
    pub mass_kg: f64,
    /// Mass centre in the OpenSim body frame, m.
    pub mass_center_m: [f64; 3],
}

/// The model of a wearer read from an `.osim` file: the engine's model plus the model's coordinates and bodies.
#[derive(Clone, Debug)]
pub struct Skeleton {
    /// The articulated-body model (one engine body per coordinate).
    pub model: Model,
    /// The coordinates, in the file's order (joints in file order, coordinates in each joint's order).
    pub coordinates: Vec<SkeletonCoordinate>,
    /// The bodies, in the file's order.
    pub bodies: Vec<SkeletonBody>,
    /// Masses carried on the bodies, already in the engine's inertias ([`Skeleton::carrying`]); not in
    /// [`Skeleton::mass_kg`].
    pub carried: Vec<CarriedMass>,
}

/// A rigid mass fixed to one of the wearer's bodies: a backpack on the torso, a device's motor on the pelvis, a
/// cuff on a thigh. It loads the body it rides on (weight and inertia) and moves with it.
#[derive(Clone, Debug, PartialEq)]
pub struct CarriedMass {
    /// What it is, for summaries and errors (`backpack`).
    pub name: String,
    /// Index into [`Skeleton::bodies`].
    pub body: usize,
    /// Mass, kg.
    pub mass_kg: f64,
    /// Its centre of mass in the OpenSim body's frame (x, y), m.
    pub mass_center_m: [f64; 2],
    /// Rotational inertia about its own centre of mass, about Z, kg m².
    pub inertia_kg_m2: f64,
    /// Part of the device (its housings, links, belt) rather than a load the wearer carries (a backpack).
    pub of_device: bool,
}

/// A carried mass that cannot be fixed to the skeleton.
#[derive(Debug, PartialEq, thiserror::Error)]
pub enum CarriedMassError {
    /// A field out of range.
    #[error(
        "carried mass {name}: {field} must be a finite number (mass and inertia >= 0) on a body of the model \
         (got {value})"
    )]
    Field {
        /// The mass's name.
        name: String,
        /// The bad field.
        field: &'static str,
        /// Its value (a body index for `body`).
        value: f64,
    },
    /// The engine refused the loaded model.
    #[error(transparent)]
    Model(#[from] crate::multibody::ModelError),
}

/// The pose and velocity of one body frame in ground, in OpenSim's 3-D terms.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BodyState {
    /// Origin of the body frame in ground, m.
    pub origin_m: [f64; 3],
    /// Angle of the body frame about ground Z, rad.
    pub angle_rad: f64,
    /// Velocity of the body origin in ground, m/s.
    pub origin_velocity_m_per_s: [f64; 3],
    /// Angular velocity about ground Z, rad/s.
    pub angular_velocity_rad_per_s: f64,
}

impl BodyState {
    /// The body frame's rotation, row-major, mapping body components to ground ones (OpenSim's `R_GB`).
    #[must_use]
    pub fn rotation_row_major(&self) -> [f64; 9] {
        let (s, c) = self.angle_rad.sin_cos();
        [c, -s, 0.0, s, c, 0.0, 0.0, 0.0, 1.0]
    }
}

/// A force applied to a body at a point, both in ground, with a free torque (OpenSim's `ExternalForce` evaluated at
/// one instant). Only the in-plane parts act on a planar model: force x, y and torque z.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PointLoad {
    /// Index into [`Skeleton::bodies`].
    pub body: usize,
    /// Force in ground, N.
    pub force_n: [f64; 3],
    /// Point of application in ground, m.
    pub point_m: [f64; 3],
    /// Free torque in ground, N m.
    pub torque_nm: [f64; 3],
}

/// What one engine element (one coordinate of a joint) moves, before it becomes an engine body.
struct Element {
    coordinate: usize,
    rotation: Vec<Curve>,
    translation: [Vec<Curve>; 2],
}

impl Element {
    fn rotates(&self) -> bool {
        self.rotation.iter().any(|c| !c.is_constant() || c.value(0.0) != 0.0)
    }
}

fn err(file: &str, line: u32, element: impl Into<String>, problem: impl Into<String>) -> OsimError {
    OsimError { file: file.to_string(), line, element: element.into(), problem: problem.into() }
}

/// `a ∘ b`: the pose `b` (given in frame `a`) in `a`'s parent.
fn compose(a: &Pose2, b: &Pose2) -> Pose2 {
    Pose2::new(a.angle_rad + b.angle_rad, a.point_to_parent(&b.origin_m))
}

/// The pose whose composition with `p` is the identity.
fn inverse(p: &Pose2) -> Pose2 {
    let back = Pose2::new(-p.angle_rad, Vector2::zeros());
    Pose2::new(-p.angle_rad, -back.vector_to_parent(&p.origin_m))
}

/// An OpenSim function as an engine curve, exactly; `what` names it in errors.
pub(crate) fn curve(f: &Function, file: &str, line: u32, what: &str) -> Result<Curve, OsimError> {
    let bad = |problem: String| err(file, line, what.to_string(), problem);
    let c = match f {
        Function::Constant { value } => Curve::constant(*value),
        Function::Linear { slope, intercept } => Curve::linear(*slope, *intercept),
        Function::Polynomial { coefficients } => match coefficients.as_slice() {
            [c0] => Curve::constant(*c0),
            [slope, intercept] => Curve::linear(*slope, *intercept),
            _ => {
                return Err(bad(format!(
                    "a PolynomialFunction of degree {} is not supported (at most 1)",
                    coefficients.len() - 1
                )));
            }
        },
        Function::SimmSpline(s) => {
            let (b, c, d) = s.coefficients();
            let (x, y) = (s.x(), s.y());
            let n = x.len();
            let segments = (0..n - 1).map(|k| [y[k], b[k], c[k], d[k]]).collect();
            Curve::piecewise_cubic(x.to_vec(), segments, b[0], b[n - 1])
        }
        Function::PiecewiseLinear(p) => {
            let (x, y) = (p.x(), p.y());
            if x.len() < 2 {
                Curve::constant(y.first().copied().unwrap_or(0.0))
            } else {
                let slopes: Vec<f64> =
                    x.windows(2).zip(y.windows(2)).map(|(x, y)| (y[1] - y[0]) / (x[1] - x[0])).collect();
                let segments = slopes.iter().zip(y).map(|(&b, &a)| [a, b, 0.0, 0.0]).collect();
                Curve::piecewise_cubic(x.to_vec(), segments, slopes[0], slopes[slopes.len() - 1])
            }
        }
        Function::Multiplier { function, scale } => {
            return curve(function, file, line, what)?.scaled(*scale).map_err(|e| bad(e.to_string()));
        }
    };
    c.map_err(|e| bad(e.to_string()))
}

/// The sum of the curves (zero when there are none), without the knots of a zero curve added in.
fn sum(curves: &[Curve]) -> Result<Curve, crate::multibody::CurveError> {
    let Some((first, rest)) = curves.split_first() else { return Curve::constant(0.0) };
    rest.iter().try_fold(first.clone(), |total, c| total.sum(c))
}

impl Skeleton {
    /// Builds the skeleton of `model`; `file` names the model file in errors.
    ///
    /// # Errors
    /// What the planar engine cannot represent (see the module documentation), naming file, line and element.
    pub fn from_osim(model: &OsimModel, file: &str) -> Result<Self, OsimError> {
        model.check_planar(file)?;
        if model.gravity_m_per_s2[2] != 0.0 {
            return Err(err(file, model.line, "Model", "gravity has a Z component: the model is not planar"));
        }
        let mut builder =
            ModelBuilder::new().gravity(Vector2::new(model.gravity_m_per_s2[0], model.gravity_m_per_s2[1]));
        let mut coordinates: Vec<SkeletonCoordinate> = Vec::new();
        // Where each OpenSim body rides, filled as the tree is walked from ground.
        let mut placed: Vec<Option<SkeletonBody>> = vec![None; model.bodies.len()];
        // Mass parts of each engine body: (mass, mass centre in the engine frame, Izz about its own centre).
        let mut parts: Vec<Vec<(f64, Vector2<f64>, f64)>> = Vec::new();
        let body_index = |name: &str| model.bodies.iter().position(|b| b.name == name);

        // Depth-first from ground, so that every parent is built before its children.
        let mut stack: Vec<&str> = vec!["ground"];
        let mut visited = 0;
        while let Some(parent_name) = stack.pop() {
            for joint in model.joints.iter().filter(|j| j.parent_frame.body == parent_name).rev() {
                stack.push(&joint.child_frame.body);
            }
            for joint in model.joints.iter().filter(|j| j.parent_frame.body == parent_name) {
                visited += 1;
                let child = body_index(&joint.child_frame.body).ok_or_else(|| {
                    err(file, joint.line, format!("joint {}", joint.name), "its child is not a body of the model")
                })?;
                // The parent's engine body and the pose of its OpenSim frame there (ground: the world).
                let (parent_engine, parent_frame, parent_z) = if parent_name == "ground" {
                    (None, Pose2::IDENTITY, 0.0)
                } else {
                    let p = body_index(parent_name).and_then(|i| placed[i].as_ref()).ok_or_else(|| {
                        err(
                            file,
                            joint.line,
                            format!("joint {}", joint.name),
                            format!("parent `{parent_name}` is not reached from ground"),
                        )
                    })?;
                    (Some(p.engine_body), p.frame_in_engine, p.z_m)
                };
                let pf = &joint.parent_frame;
                let cf = &joint.child_frame;
                let f_in_engine = compose(
                    &parent_frame,
                    &Pose2::new(pf.orientation_rad[2], Vector2::new(pf.translation_m[0], pf.translation_m[1])),
                );
                let m_in_body =
                    Pose2::new(cf.orientation_rad[2], Vector2::new(cf.translation_m[0], cf.translation_m[1]));
                let what = |axis: &str| format!("joint {} {axis}", joint.name);

                // The joint's elements, and its constant parts.
                let first_coordinate = coordinates.len();
                for c in &joint.coordinates {
                    coordinates.push(SkeletonCoordinate {
                        name: c.name.clone(),
                        joint: joint.name.clone(),
                        motion: c.motion,
                        default_value: c.default_value,
                        range: c.range,
                        locked: c.locked,
                        dof: usize::MAX,
                    });
                }
                let one = || Curve::linear(1.0, 0.0).expect("a unit line is a valid curve");
                let mut constant_rotation = 0.0;
                let mut constant_translation = Vector2::zeros();
                let mut constant_z = 0.0;
                let element = |k: usize| Element {
                    coordinate: first_coordinate + k,
                    rotation: Vec::new(),
                    translation: [Vec::new(), Vec::new()],
                };
                // Pin and slider joints have one coordinate, planar joints three (rz, tx, ty): the reader keeps the
                // file's list, so a file with another count is refused here rather than indexed past its end.
                let expected = match &joint.kind {
                    OsimJoint::Pin | OsimJoint::Slider => Some(1),
                    OsimJoint::Planar => Some(3),
                    OsimJoint::Weld | OsimJoint::Custom { .. } => None,
                };
                if let Some(n) = expected.filter(|n| *n != joint.coordinates.len()) {
                    return Err(err(
                        file,
                        joint.line,
                        format!("joint {}", joint.name),
                        format!("has {} coordinates where its type takes {n}", joint.coordinates.len()),
                    ));
                }
                let mut elements: Vec<Element> = match &joint.kind {
                    OsimJoint::Weld => Vec::new(),
                    OsimJoint::Pin => vec![Element { rotation: vec![one()], ..element(0) }],
                    OsimJoint::Slider => vec![Element { translation: [vec![one()], Vec::new()], ..element(0) }],
                    OsimJoint::Planar => vec![
                        Element { translation: [vec![one()], Vec::new()], ..element(1) },
                        Element { translation: [Vec::new(), vec![one()]], ..element(2) },
                        Element { rotation: vec![one()], ..element(0) },
                    ],
                    OsimJoint::Custom { transform } => {
                        let mut by_coordinate: Vec<Element> = (0..joint.coordinates.len()).map(element).collect();
                        for (k, axis) in transform.axes.iter().enumerate() {
                            let norm = (axis.axis[0].powi(2) + axis.axis[1].powi(2) + axis.axis[2].powi(2)).sqrt();
                            let unit = axis.axis.map(|a| a / norm);
                            let f = curve(&axis.function, file, axis.line, &what(&axis.name))?;
                            let target = match axis.coordinates.as_slice() {
                                [] => None,
                                [name] => {
                                    Some(joint.coordinates.iter().position(|c| &c.name == name).ok_or_else(|| {
                                        err(
                                            file,
                                            axis.line,
                                            what(&axis.name),
                                            format!("coordinate `{name}` is not one of the joint's"),
                                        )
                                    })?)
                                }
                                _ => {
                                    return Err(err(
                                        file,
                                        axis.line,
                                        what(&axis.name),
                                        "a function of several coordinates is not supported",
                                    ));
                                }
                            };
                            let scaled =
                                |s: f64| f.scaled(s).map_err(|e| err(file, axis.line, what(&axis.name), e.to_string()));
                            if k < 3 {
                                // check_planar: a rotation that is not constantly zero is about ±Z.
                                if f.is_constant() && f.value(0.0) == 0.0 {
                                    continue;
                                }
                                match target {
                                    None => constant_rotation += unit[2] * f.value(0.0),
                                    Some(t) => by_coordinate[t].rotation.push(scaled(unit[2])?),
                                }
                            } else {
                                match target {
                                    None => {
                                        constant_translation += Vector2::new(unit[0], unit[1]) * f.value(0.0);
                                        constant_z += unit[2] * f.value(0.0);
                                    }
                                    Some(t) => {
                                        // check_planar: a translation along Z is constant.
                                        for (d, u) in [unit[0], unit[1]].into_iter().enumerate() {
                                            if u != 0.0 {
                                                by_coordinate[t].translation[d].push(scaled(u)?);
                                            }
                                        }
                                    }
                                }
                            }
                        }
                        // Translation-only coordinates first, the turning one last. There is at most one: OpenSim
                        // refuses collinear rotation axes and the planar family turns only about ±Z, so the chain
                        // composes to exactly OpenSim's (p_FM, R_FM) (the translations come before the turn).
                        let (mut chain, rotating): (Vec<Element>, Vec<Element>) =
                            by_coordinate.into_iter().partition(|e| !e.rotates());
                        chain.extend(rotating);
                        chain
                    }
                };

                let z = parent_z + pf.translation_m[2] + constant_z - cf.translation_m[2];
                let body = &model.bodies[child];
                let body_in_m = inverse(&m_in_body);
                if elements.is_empty() {
                    // Welded (or a CustomJoint without coordinates): rides on the parent's engine body.
                    let Some(engine) = parent_engine else {
                        return Err(err(
                            file,
                            joint.line,
                            format!("joint {}", joint.name),
                            "a body fixed to ground is not supported",
                        ));
                    };
                    let fixed = Pose2::new(constant_rotation, constant_translation);
                    let frame = compose(&compose(&f_in_engine, &fixed), &body_in_m);
                    parts[engine].push(mass_part(body, &frame));
                    placed[child] = Some(skeleton_body(body, engine, frame, z));
                    continue;
                }
                let n = elements.len();
                let mut parent = parent_engine;
                for (k, e) in elements.iter_mut().enumerate() {
                    if k == 0 {
                        for (d, value) in [constant_translation.x, constant_translation.y].into_iter().enumerate() {
                            if value != 0.0 {
                                e.translation[d].push(
                                    Curve::constant(value)
                                        .map_err(|x| err(file, joint.line, what("translation"), x.to_string()))?,
                                );
                            }
                        }
                    }
                    if k == n - 1 && constant_rotation != 0.0 {
                        e.rotation.push(
                            Curve::constant(constant_rotation)
                                .map_err(|x| err(file, joint.line, what("rotation"), x.to_string()))?,
                        );
                    }
                    let bad = |x: crate::multibody::CurveError| {
                        err(file, joint.line, format!("joint {}", joint.name), x.to_string())
                    };
                    let coupled = CoupledJoint {
                        frame_angle_rad: if k == 0 { f_in_engine.angle_rad } else { 0.0 },
                        rotation: sum(&e.rotation).map_err(bad)?,
                        translation: [sum(&e.translation[0]).map_err(bad)?, sum(&e.translation[1]).map_err(bad)?],
                    };
                    let name = if k == n - 1 {
                        body.name.clone()
                    } else {
                        format!("{}:{}", body.name, coordinates[e.coordinate].name)
                    };
                    let id = builder.add(Body {
                        name,
                        parent,
                        joint: JointKind::coupled(coupled),
                        joint_origin_m: if k == 0 { f_in_engine.origin_m } else { Vector2::zeros() },
                        inertia: SpatialInertia { mass_kg: 0.0, com_m: Vector2::zeros(), inertia_kg_m2: 0.0 },
                        armature: 0.0,
                        damping: 0.0,
                    });
                    parts.push(Vec::new());
                    coordinates[e.coordinate].dof = id;
                    parent = Some(id);
                }
                let engine = parent.expect("a joint with elements made an engine body");
                parts[engine].push(mass_part(body, &body_in_m));
                placed[child] = Some(skeleton_body(body, engine, body_in_m, z));
            }
        }
        if visited != model.joints.len() {
            let lost = model.joints.iter().find(|j| !placed.iter().flatten().any(|b| b.name == j.child_frame.body));
            let (line, name) = lost.map_or((model.line, "?".to_string()), |j| (j.line, j.name.clone()));
            return Err(err(
                file,
                line,
                format!("joint {name}"),
                "not reached from ground (a loop or a missing parent)",
            ));
        }
        let bodies: Vec<SkeletonBody> = placed
            .into_iter()
            .zip(&model.bodies)
            .map(|(p, b)| p.ok_or_else(|| err(file, b.line, format!("Body {}", b.name), "no joint attaches it")))
            .collect::<Result<_, _>>()?;

        // The coordinates in the file's order (they were met in tree order).
        let order: Vec<&str> = model.coordinates().map(|(_, c)| c.name.as_str()).collect();
        coordinates.sort_by_key(|c| order.iter().position(|n| *n == c.name));

        // Merge the mass parts of each engine body.
        let mut engine_model = builder.build().map_err(|e| err(file, model.line, "Model", e.to_string()))?;
        let mut merged = ModelBuilder::new().gravity(engine_model.gravity_m_per_s2);
        for (i, b) in engine_model.bodies().iter().enumerate() {
            let mass: f64 = parts[i].iter().map(|p| p.0).sum();
            let com = if mass > 0.0 {
                parts[i].iter().map(|p| p.1 * p.0).sum::<Vector2<f64>>() / mass
            } else {
                Vector2::zeros()
            };
            let izz = parts[i].iter().map(|p| p.2 + p.0 * (p.1 - com).norm_squared()).sum();
            merged.add(Body { inertia: SpatialInertia { mass_kg: mass, com_m: com, inertia_kg_m2: izz }, ..b.clone() });
        }
        engine_model = merged.build().map_err(|e| err(file, model.line, "Model", e.to_string()))?;
        Ok(Self { model: engine_model, coordinates, bodies, carried: Vec::new() })
    }

    /// This skeleton with `masses` fixed to its bodies as well: each merged into the inertia of the engine body its
    /// body rides on (parallel-axis theorem), as a `WeldJoint` merges a welded body.
    ///
    /// # Errors
    /// A mass on a body the skeleton lacks, or a mass, centre or inertia that is not a finite number (negative
    /// mass or inertia included), naming the mass.
    pub fn carrying(&self, masses: &[CarriedMass]) -> Result<Self, CarriedMassError> {
        let mut bodies: Vec<Body> = self.model.bodies().to_vec();
        for m in masses {
            let bad = |field: &'static str, value: f64| CarriedMassError::Field { name: m.name.clone(), field, value };
            let Some(body) = self.bodies.get(m.body) else {
                return Err(bad("body", m.body as f64));
            };
            for (field, value) in [
                ("mass_kg", m.mass_kg),
                ("mass_center_m", m.mass_center_m[0]),
                ("mass_center_m", m.mass_center_m[1]),
                ("inertia_kg_m2", m.inertia_kg_m2),
            ] {
                if !value.is_finite() || (field != "mass_center_m" && value < 0.0) {
                    return Err(bad(field, value));
                }
            }
            let b = &mut bodies[body.engine_body];
            let c = body.frame_in_engine.point_to_parent(&Vector2::new(m.mass_center_m[0], m.mass_center_m[1]));
            let own = b.inertia;
            let mass = own.mass_kg + m.mass_kg;
            if mass <= 0.0 {
                continue;
            }
            let com = (own.com_m * own.mass_kg + c * m.mass_kg) / mass;
            let izz = own.inertia_kg_m2
                + own.mass_kg * (own.com_m - com).norm_squared()
                + m.inertia_kg_m2
                + m.mass_kg * (c - com).norm_squared();
            b.inertia = SpatialInertia { mass_kg: mass, com_m: com, inertia_kg_m2: izz };
        }
        let mut builder = ModelBuilder::new().gravity(self.model.gravity_m_per_s2);
        for b in bodies {
            builder.add(b);
        }
        let model = builder.build()?;
        let mut carried = self.carried.clone();
        carried.extend_from_slice(masses);
        Ok(Self { model, coordinates: self.coordinates.clone(), bodies: self.bodies.clone(), carried })
    }

    /// Total mass carried ([`Skeleton::carrying`]), kg.
    #[must_use]
    pub fn carried_kg(&self) -> f64 {
        self.carried.iter().map(|m| m.mass_kg).sum()
    }

    /// Index of the coordinate of this name.
    #[must_use]
    pub fn coordinate(&self, name: &str) -> Option<usize> {
        self.coordinates.iter().position(|c| c.name == name)
    }

    /// Index of the body of this name.
    #[must_use]
    pub fn body(&self, name: &str) -> Option<usize> {
        self.bodies.iter().position(|b| b.name == name)
    }

    /// Total mass of the model's bodies (the wearer, without what it carries), kg.
    #[must_use]
    pub fn mass_kg(&self) -> f64 {
        self.bodies.iter().map(|b| b.mass_kg).sum()
    }
}

fn mass_part(body: &exo_opensim::Body, frame: &Pose2) -> (f64, Vector2<f64>, f64) {
    let c = body.mass_center_m;
    (body.mass_kg, frame.point_to_parent(&Vector2::new(c[0], c[1])), body.inertia_kg_m2[2])
}

fn skeleton_body(body: &exo_opensim::Body, engine: BodyId, frame: Pose2, z: f64) -> SkeletonBody {
    SkeletonBody {
        name: body.name.clone(),
        engine_body: engine,
        frame_in_engine: frame,
        z_m: z,
        mass_kg: body.mass_kg,
        mass_center_m: body.mass_center_m,
    }
}

/// Forward kinematics of a [`Skeleton`] in the model's coordinates; owns only scratch space.
#[derive(Clone, Debug)]
pub struct SkeletonKinematics {
    /// The engine's kinematics of the last [`SkeletonKinematics::update`].
    pub engine: Kinematics,
    q: Vec<f64>,
    qd: Vec<f64>,
}

impl SkeletonKinematics {
    /// Scratch space for `skeleton`.
    #[must_use]
    pub fn new(skeleton: &Skeleton) -> Self {
        let n = skeleton.model.len();
        Self { engine: Kinematics::new(&skeleton.model), q: vec![0.0; n], qd: vec![0.0; n] }
    }

    /// Poses and velocities for coordinate values `q` and speeds `u` (one entry per coordinate, file order; rad,
    /// m, rad/s, m/s).
    pub fn update(&mut self, skeleton: &Skeleton, q: &[f64], u: &[f64]) {
        for (c, (q, u)) in skeleton.coordinates.iter().zip(q.iter().zip(u)) {
            self.q[c.dof] = *q;
            self.qd[c.dof] = *u;
        }
        self.engine.update(&skeleton.model, &BaseMotion::fixed(Pose2::IDENTITY), &self.q, &self.qd);
    }

    /// New coordinate speeds `u` at the coordinates of the last [`SkeletonKinematics::update`]: only the
    /// velocities are recomputed (the engine's velocity-product terms stay those of that update's speeds).
    pub fn update_speeds(&mut self, skeleton: &Skeleton, u: &[f64]) {
        for (c, u) in skeleton.coordinates.iter().zip(u) {
            self.qd[c.dof] = *u;
        }
        self.engine.update_velocities(&skeleton.model, &self.qd);
    }

    /// Pose and velocity of body `body` (index into [`Skeleton::bodies`]).
    #[must_use]
    pub fn body(&self, skeleton: &Skeleton, body: usize) -> BodyState {
        let b = &skeleton.bodies[body];
        let pose = compose(&self.engine.pose[b.engine_body], &b.frame_in_engine);
        let v = self.engine.point_velocity(b.engine_body, &b.frame_in_engine.origin_m);
        BodyState {
            origin_m: [pose.origin_m.x, pose.origin_m.y, b.z_m],
            angle_rad: pose.angle_rad,
            origin_velocity_m_per_s: [v.x, v.y, 0.0],
            angular_velocity_rad_per_s: self.engine.angular_velocity(b.engine_body),
        }
    }

    /// Position in ground of a point fixed in body `body`, given in the OpenSim body frame, m.
    #[must_use]
    pub fn station(&self, skeleton: &Skeleton, body: usize, point_m: [f64; 3]) -> [f64; 3] {
        let b = &skeleton.bodies[body];
        let p = self.engine.pose[b.engine_body]
            .point_to_parent(&b.frame_in_engine.point_to_parent(&Vector2::new(point_m[0], point_m[1])));
        [p.x, p.y, b.z_m + point_m[2]]
    }

    /// Velocity in ground of a point fixed in body `body`, given in the OpenSim body frame, m/s.
    #[must_use]
    pub fn station_velocity(&self, skeleton: &Skeleton, body: usize, point_m: [f64; 3]) -> [f64; 3] {
        let b = &skeleton.bodies[body];
        let v = self
            .engine
            .point_velocity(b.engine_body, &b.frame_in_engine.point_to_parent(&Vector2::new(point_m[0], point_m[1])));
        [v.x, v.y, 0.0]
    }
}

/// Inverse dynamics of a [`Skeleton`]: the generalised forces that produce given accelerations under gravity and
/// external loads (what OpenSim's `InverseDynamicsSolver` computes). Owns only scratch space.
#[derive(Clone, Debug)]
pub struct InverseDynamics {
    kinematics: SkeletonKinematics,
    dynamics: Dynamics,
    qdd: Vec<f64>,
    f_ext: Vec<Vector3<f64>>,
    tau: Vec<f64>,
}

impl InverseDynamics {
    /// Scratch space for `skeleton`.
    #[must_use]
    pub fn new(skeleton: &Skeleton) -> Self {
        let n = skeleton.model.len();
        Self {
            kinematics: SkeletonKinematics::new(skeleton),
            dynamics: Dynamics::new(&skeleton.model),
            qdd: vec![0.0; n],
            f_ext: vec![Vector3::zeros(); n],
            tau: vec![0.0; n],
        }
    }

    /// Generalised forces (N m or N, one per coordinate, file order) into `out` for coordinates `q`, speeds `u`,
    /// accelerations `udot` and the external `loads`.
    pub fn solve(
        &mut self,
        skeleton: &Skeleton,
        q: &[f64],
        u: &[f64],
        udot: &[f64],
        loads: &[PointLoad],
        out: &mut [f64],
    ) {
        self.kinematics.update(skeleton, q, u);
        for (c, a) in skeleton.coordinates.iter().zip(udot) {
            self.qdd[c.dof] = *a;
        }
        self.f_ext.iter_mut().for_each(|f| *f = Vector3::zeros());
        let kin = &self.kinematics.engine;
        for l in loads {
            let e = skeleton.bodies[l.body].engine_body;
            let f = kin.world_force_to_body(
                e,
                &Vector2::new(l.point_m[0], l.point_m[1]),
                &Vector2::new(l.force_n[0], l.force_n[1]),
            );
            self.f_ext[e] += f + Vector3::new(l.torque_nm[2], 0.0, 0.0);
        }
        let qd = &self.kinematics.qd;
        self.dynamics.inverse(&skeleton.model, kin, qd, &self.qdd, &self.f_ext, &mut self.tau);
        for (c, o) in skeleton.coordinates.iter().zip(out.iter_mut()) {
            *o = self.tau[c.dof];
        }
    }
}
