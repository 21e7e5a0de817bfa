//! The model file (`.osim`, OpenSim 4 layout): bodies, joints and their coordinates, markers, and the model as a
//! whole, with its lookups and the planar-family check.

use std::collections::{HashMap, HashSet};

use roxmltree::Node;

use crate::error::OsimError;
use crate::function::{Function, looks_like_function, parse_function};
use crate::muscle::{Muscle, parse_muscle};
use crate::probe::{Probe, parse_probe};
use crate::xml::{Cx, Obj, document_version, elements, empty_set, label, quote, resolve_path, set_objects};

/// The oldest document version read: OpenSim 4.0's. Older files keep joints inside bodies and name connections
/// differently.
pub const MIN_MODEL_VERSION: u32 = 40000;

/// OpenSim's default gravity (`Model::constructProperties`), m/s².
const DEFAULT_GRAVITY_M_PER_S2: [f64; 3] = [0.0, -9.80665, 0.0];

/// A musculoskeletal model as an `.osim` file describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// The `name` attribute of `<Model>` (empty if absent).
    pub name: String,
    /// `<credits>`, or OpenSim's default text when absent.
    pub credits: String,
    /// `<publications>`, or OpenSim's default text when absent.
    pub publications: String,
    /// Gravity expressed in ground, m/s² (OpenSim's default `0 -9.80665 0` when absent).
    pub gravity_m_per_s2: [f64; 3],
    /// The bodies, in file order (ground is not among them: it is named `ground`).
    pub bodies: Vec<Body>,
    /// The joints, in file order; each body is the child of exactly one of them.
    pub joints: Vec<Joint>,
    /// The muscles of the force set, in file order.
    pub muscles: Vec<Muscle>,
    /// The probes of the probe set, in file order.
    pub probes: Vec<Probe>,
    /// The markers of the marker set, in file order.
    pub markers: Vec<Marker>,
    /// The `Version` of the `OpenSimDocument` (40000 or later).
    pub document_version: u32,
    /// Line of `<Model>`.
    pub line: u32,
}

/// A rigid body (`<Body>`). Its frame is the body frame the joints' offsets, path points and markers refer to.
#[derive(Debug, Clone, PartialEq)]
pub struct Body {
    /// Name, unique among the bodies.
    pub name: String,
    /// Mass, kg.
    pub mass_kg: f64,
    /// Mass centre in the body frame, m (default 0).
    pub mass_center_m: [f64; 3],
    /// Inertia about the mass centre in body axes, kg m²: `[Ixx, Iyy, Izz, Ixy, Ixz, Iyz]` (default 0).
    pub inertia_kg_m2: [f64; 6],
    /// Line of `<Body>`.
    pub line: u32,
}

/// One side of a joint: a frame fixed to a body (or to ground), given as an offset from the body frame.
///
/// The frame's pose in the body frame is `translation_m` (expressed in the body frame) and then the rotation of
/// `orientation_rad`, a body-fixed (frame-fixed) x–y–z sequence: `R = Rx(θx)·Ry(θy)·Rz(θz)`, as OpenSim's
/// `OffsetFrame` documents ("expressed as a frame-fixed x-y-z rotation sequence") and builds it
/// (`setRotationToBodyFixedXYZ`).
#[derive(Debug, Clone, PartialEq)]
pub struct Frame {
    /// `ground` or the name of a body.
    pub body: String,
    /// The joint-owned `PhysicalOffsetFrame` the socket named, or `None` when it named the body itself.
    pub offset_frame: Option<String>,
    /// Origin of the frame in the body frame, m.
    pub translation_m: [f64; 3],
    /// Body-fixed x, y, z rotation angles of the frame relative to the body frame, rad.
    pub orientation_rad: [f64; 3],
    /// Line of the `PhysicalOffsetFrame` (or of the socket when it named a body).
    pub line: u32,
}

/// A joint: how its child frame moves relative to its parent frame (OpenSim's `F` and `M` frames).
#[derive(Debug, Clone, PartialEq)]
pub struct Joint {
    /// Name, unique among the joints.
    pub name: String,
    /// The joint type and what parameterises it.
    pub kind: JointKind,
    /// The frame on the parent (inboard) body.
    pub parent_frame: Frame,
    /// The frame on the child (outboard) body.
    pub child_frame: Frame,
    /// The generalised coordinates, in OpenSim's order: for a `CustomJoint` the order in which the spatial
    /// transform's axes first name them (OpenSim reorders the file's list to that, issue #3191), otherwise the
    /// joint type's fixed order.
    pub coordinates: Vec<Coordinate>,
    /// Line of the joint element.
    pub line: u32,
}

/// The joint types read, and how each moves the child frame `M` relative to the parent frame `F`.
// Plain data read once: the variants stay unboxed so that matching on them reads simply.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum JointKind {
    /// `WeldJoint`: no coordinate, `M` fixed on `F`.
    Weld,
    /// `PinJoint`: one rotational coordinate about the common Z axis of `F` and `M`.
    Pin,
    /// `SliderJoint`: one translational coordinate along the common X axis of `F` and `M`.
    Slider,
    /// `PlanarJoint`: coordinates `rz, tx, ty`: rotation about Z, then translation in the X–Y plane of `F`
    /// (Simbody's `MobilizedBody::Planar`).
    Planar,
    /// `CustomJoint`: a spatial transform of six functions of the coordinates.
    Custom {
        /// The six transform axes.
        transform: SpatialTransform,
    },
}

/// The spatial transform of a `CustomJoint`: three rotations, then three translations, each a function of (at most)
/// one coordinate along a fixed axis.
///
/// Simbody's `MobilizedBody::FunctionBased` (`FunctionBasedImpl::calcMobilizerTransformFromQ`, which OpenSim's
/// `CustomJoint` builds) turns the six values `fᵢ` into the pose of `M` in `F` as
/// `R_FM = R(f₀, â₀)·R(f₁, â₁)·R(f₂, â₂)` (each rotation about its unit axis, applied body-fixed, so the second axis is
/// in the frame already turned by the first) and `p_FM = f₃â₃ + f₄â₄ + f₅â₅`, expressed in `F` (the translations are
/// not rotated). Axes are normalised there; here they are kept as written.
#[derive(Debug, Clone, PartialEq)]
pub struct SpatialTransform {
    /// `rotation1, rotation2, rotation3, translation1, translation2, translation3`.
    pub axes: [TransformAxis; 6],
}

impl SpatialTransform {
    /// The three rotation axes, in order.
    pub fn rotations(&self) -> &[TransformAxis] {
        &self.axes[..3]
    }

    /// The three translation axes, in order.
    pub fn translations(&self) -> &[TransformAxis] {
        &self.axes[3..]
    }
}

/// One axis of a spatial transform.
#[derive(Debug, Clone, PartialEq)]
pub struct TransformAxis {
    /// `rotation1` … `translation3`.
    pub name: String,
    /// The coordinate the function takes (none: the function is a constant; never more than one here).
    pub coordinates: Vec<String>,
    /// Axis direction in the parent frame `F` as written (not normalised; OpenSim's defaults are X, Y, Z).
    pub axis: [f64; 3],
    /// Rotation angle (rad) or translation (m) as a function of the coordinate's value.
    pub function: Function,
    /// Whether the file gave no function and OpenSim's default was used (`SpatialTransform::connectToJoint`:
    /// `LinearFunction 1 0` for one coordinate, `Constant 0` for none).
    pub function_defaulted: bool,
    /// Line of the `TransformAxis` (of the `SpatialTransform` when defaulted).
    pub line: u32,
}

/// What a coordinate measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MotionType {
    /// An angle, rad (rad/s for speeds).
    Rotational,
    /// A distance, m (m/s for speeds).
    Translational,
    /// Neither purely: it drives transform axes only through scaled or nonlinear functions.
    Coupled,
}

/// A generalised coordinate of a joint.
///
/// Motion type, as OpenSim decides it: `PinJoint` rotational, `SliderJoint` translational, `PlanarJoint` rotational
/// then two translational; for a `CustomJoint`, `CustomJoint::constructCoordinates` looks at every transform axis
/// whose coordinates include this one, in order: a `LinearFunction` of slope exactly ±1 makes it rotational (axes
/// 1–3) or translational (4–6), overriding what earlier axes said; any other function makes it coupled unless an
/// axis already made it rotational or translational. (An axis left without a function counts as `LinearFunction 1
/// 0` here, which OpenSim assigns when connecting the joint.)
#[derive(Debug, Clone, PartialEq)]
pub struct Coordinate {
    /// Name, unique in the model.
    pub name: String,
    /// Rotational (rad), translational (m) or coupled.
    pub motion: MotionType,
    /// Value before any is set (rad or m; default 0).
    pub default_value: f64,
    /// Speed before any is set (rad/s or m/s; default 0).
    pub default_speed_value: f64,
    /// `[min, max]` the coordinate may take (rad or m; OpenSim's default `-10 10`). Also the clamp range of the
    /// moving path points that depend on it.
    pub range: [f64; 2],
    /// Whether the value is to be kept within `range`.
    pub clamped: bool,
    /// Whether the value is to be held at its default.
    pub locked: bool,
    /// Line of `<Coordinate>`.
    pub line: u32,
}

/// A marker (`<Marker>`): a point fixed in a body, for motion capture.
#[derive(Debug, Clone, PartialEq)]
pub struct Marker {
    /// Name.
    pub name: String,
    /// `ground` or the body it is fixed in.
    pub body: String,
    /// Location in that body's frame, m.
    pub location_m: [f64; 3],
    /// OpenSim's `fixed` flag (whether marker placement may move it).
    pub fixed: bool,
    /// Line of `<Marker>`.
    pub line: u32,
}

impl Model {
    /// The body of this name (not `ground`).
    pub fn body(&self, name: &str) -> Option<&Body> {
        self.bodies.iter().find(|b| b.name == name)
    }

    /// The joint of this name.
    pub fn joint(&self, name: &str) -> Option<&Joint> {
        self.joints.iter().find(|j| j.name == name)
    }

    /// The joint whose child frame is on this body.
    pub fn joint_of_child(&self, body: &str) -> Option<&Joint> {
        self.joints.iter().find(|j| j.child_frame.body == body)
    }

    /// The coordinate of this name and the joint that owns it.
    pub fn coordinate(&self, name: &str) -> Option<(&Joint, &Coordinate)> {
        self.coordinates().find(|(_, c)| c.name == name)
    }

    /// Every coordinate with its joint, joints in file order and coordinates in each joint's order.
    pub fn coordinates(&self) -> impl Iterator<Item = (&Joint, &Coordinate)> {
        self.joints.iter().flat_map(|j| j.coordinates.iter().map(move |c| (j, c)))
    }

    /// The muscle of this name.
    pub fn muscle(&self, name: &str) -> Option<&Muscle> {
        self.muscles.iter().find(|m| m.name == name)
    }

    /// The marker of this name.
    pub fn marker(&self, name: &str) -> Option<&Marker> {
        self.markers.iter().find(|m| m.name == name)
    }

    /// Checks that the model is in the planar family: every joint moves its child only within its parent frame's
    /// X–Y plane, and all those planes stay parallel to ground's. That holds when
    ///
    /// - every offset frame (parent and child side) rotates only about Z (its x and y angles are zero),
    /// - a `CustomJoint`'s rotation axes whose function is not constantly zero are along ±Z, and its translation
    ///   axes with a Z component have constant functions (a fixed Z offset is allowed),
    /// - `PinJoint`s (about the frames' Z), `SliderJoint`s (along X) and `PlanarJoint`s are planar by construction,
    ///   given their frames,
    /// - gravity has no Z component.
    ///
    /// The error names the joint (or offset frame, or gravity), the axis and the line.
    pub fn check_planar(&self, file: &str) -> Result<(), OsimError> {
        const TOL: f64 = 1e-12;
        let err =
            |line: u32, element: String, problem: String| OsimError { file: file.to_string(), line, element, problem };
        if self.gravity_m_per_s2[2].abs() > TOL {
            return Err(err(
                self.line,
                "gravity".into(),
                format!("has a Z component ({} m/s²): not planar", self.gravity_m_per_s2[2]),
            ));
        }
        for joint in &self.joints {
            for (side, frame) in [("parent", &joint.parent_frame), ("child", &joint.child_frame)] {
                let [ox, oy, _] = frame.orientation_rad;
                if ox.abs() > TOL || oy.abs() > TOL {
                    let name = frame.offset_frame.clone().unwrap_or_else(|| frame.body.clone());
                    return Err(err(
                        frame.line,
                        format!("{} {}", kind_tag(&joint.kind), joint.name),
                        format!(
                            "{side} frame {name} is rotated about X or Y (orientation {} {} rad): not planar",
                            ox, oy
                        ),
                    ));
                }
            }
            if let JointKind::Custom { transform } = &joint.kind {
                for axis in transform.rotations() {
                    let moves = !(axis.function.is_constant() && axis.function.value(0.0) == 0.0);
                    if moves && !along_z(axis.axis, TOL) {
                        return Err(err(
                            axis.line,
                            format!("CustomJoint {}", joint.name),
                            format!(
                                "{} rotates about ({} {} {}), not ±Z: not planar",
                                axis.name, axis.axis[0], axis.axis[1], axis.axis[2]
                            ),
                        ));
                    }
                }
                for axis in transform.translations() {
                    let norm = norm(axis.axis);
                    if axis.axis[2].abs() > TOL * norm && !axis.function.is_constant() {
                        return Err(err(
                            axis.line,
                            format!("CustomJoint {}", joint.name),
                            format!(
                                "{} translates along ({} {} {}), which has a Z component, by a non-constant \
                                 function: not planar",
                                axis.name, axis.axis[0], axis.axis[1], axis.axis[2]
                            ),
                        ));
                    }
                }
            }
        }
        Ok(())
    }
}

fn norm(v: [f64; 3]) -> f64 {
    (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).sqrt()
}

fn along_z(axis: [f64; 3], tol: f64) -> bool {
    let n = norm(axis);
    axis[0].abs() <= tol * n && axis[1].abs() <= tol * n
}

fn kind_tag(kind: &JointKind) -> &'static str {
    match kind {
        JointKind::Weld => "WeldJoint",
        JointKind::Pin => "PinJoint",
        JointKind::Slider => "SliderJoint",
        JointKind::Planar => "PlanarJoint",
        JointKind::Custom { .. } => "CustomJoint",
    }
}

/// What component paths name: the bodies (and ground) and the coordinates, by absolute path.
pub(crate) struct Refs {
    /// `/ground` and `/bodyset/NAME` → `ground` or `NAME`.
    pub(crate) frames: HashMap<String, String>,
    /// `/jointset/JOINT/COORD` → `COORD`.
    pub(crate) coordinates: HashMap<String, String>,
    /// Muscle names.
    pub(crate) muscles: HashSet<String>,
}

impl Refs {
    /// The body (or `ground`) an absolute socket path names.
    pub(crate) fn body(
        &self,
        obj: &Obj<'_, '_, '_>,
        tag: &str,
        node: Node<'_, '_>,
        path: &str,
    ) -> Result<String, OsimError> {
        let resolved = absolute(obj, tag, node, path)?;
        self.frames
            .get(&resolved)
            .cloned()
            .ok_or_else(|| obj.err_at(node, format!("{tag} {} names no body of the model (nor /ground)", quote(path))))
    }

    /// The coordinate an absolute socket path names.
    pub(crate) fn coordinate(
        &self,
        obj: &Obj<'_, '_, '_>,
        tag: &str,
        node: Node<'_, '_>,
        path: &str,
    ) -> Result<String, OsimError> {
        let resolved = absolute(obj, tag, node, path)?;
        self.coordinates
            .get(&resolved)
            .cloned()
            .ok_or_else(|| obj.err_at(node, format!("{tag} {} names no coordinate of the model", quote(path))))
    }
}

fn absolute(obj: &Obj<'_, '_, '_>, tag: &str, node: Node<'_, '_>, path: &str) -> Result<String, OsimError> {
    if !path.trim().starts_with('/') {
        return Err(obj.err_at(
            node,
            format!("{tag} {} must be an absolute component path (like /bodyset/NAME); relative ones are not supported here", quote(path)),
        ));
    }
    resolve_path("/", path).ok_or_else(|| obj.err_at(node, format!("{tag} {} is not a valid path", quote(path))))
}

/// Reads an `.osim` file.
pub fn read_model(path: impl AsRef<std::path::Path>) -> Result<Model, OsimError> {
    let path = path.as_ref();
    let label = path.display().to_string();
    let text = crate::read_text(path, &label)?;
    parse_model(&text, &label)
}

/// Reads the text of an `.osim` file; `file_label` names it in errors.
pub fn parse_model(text: &str, file_label: &str) -> Result<Model, OsimError> {
    let cx = Cx::new(file_label, text);
    let doc = cx.parse(text)?;
    let root = doc.root_element();
    let version = document_version(&cx, root)?;
    if version < MIN_MODEL_VERSION {
        return Err(cx.err_at(
            root,
            "OpenSimDocument",
            format!(
                "Version {version} is older than {MIN_MODEL_VERSION} (OpenSim 4.0): the OpenSim 3 model layout is not \
                 supported; open and save the model in OpenSim 4 first"
            ),
        ));
    }
    let mut model_node = None;
    for node in elements(root) {
        match node.tag_name().name() {
            "Model" if model_node.is_none() => model_node = Some(node),
            "Model" => return Err(cx.err_at(node, &label(node), "a second Model in one document")),
            "defaults" => {
                return Err(cx.err_at(node, "defaults", "<defaults> (changed default properties) are not supported"));
            }
            other => {
                return Err(cx.err_at(node, &label(node), format!("unexpected element <{other}> in the document")));
            }
        }
    }
    let node = model_node.ok_or_else(|| cx.err_at(root, "OpenSimDocument", "holds no Model"))?;
    let mut model = parse_model_element(&cx, node)?;
    model.document_version = version;
    Ok(model)
}

fn parse_model_element(cx: &Cx, node: Node<'_, '_>) -> Result<Model, OsimError> {
    let mut obj = Obj::new(cx, node);
    let name = node.attribute("name").unwrap_or_default().to_string();
    obj.ignore(&["ModelVisualPreferences"]);
    obj.no_components()?;
    if let Some(ground) = obj.take("Ground")? {
        let mut g = Obj::new(cx, ground);
        frame_display(&mut g)?;
        g.finish()?;
    }
    let gravity_m_per_s2 = obj.array::<3>("gravity")?.unwrap_or(DEFAULT_GRAVITY_M_PER_S2);
    let credits = obj
        .string("credits")?
        .unwrap_or_else(|| "Frank Anderson, Peter Loan, Ayman Habib, Ajay Seth, Michael Sherman".into());
    let publications = obj.string("publications")?.unwrap_or_else(|| "List of publications related to model...".into());
    if let Some((units, field)) = obj.text("length_units")?
        && !matches!(units.to_ascii_lowercase().as_str(), "meters" | "meter" | "m")
    {
        return Err(obj.err_at(field, format!("length_units {} are not supported (only meters)", quote(&units))));
    }
    if let Some((units, field)) = obj.text("force_units")?
        && !matches!(units.to_ascii_lowercase().as_str(), "n" | "newtons" | "newton")
    {
        return Err(obj.err_at(field, format!("force_units {} are not supported (only N)", quote(&units))));
    }
    // Only matters to assembling constrained models, and constraints are refused.
    obj.f64("assembly_accuracy")?;

    for (tag, what) in [
        ("ConstraintSet", "constraints"),
        ("ControllerSet", "controllers"),
        ("ContactGeometrySet", "contact geometries"),
        ("ComponentSet", "components in the ComponentSet"),
    ] {
        if let Some(set) = obj.take(tag)? {
            empty_set(cx, set, what)?;
        }
    }

    let body_set = obj.take("BodySet")?;
    let bodyset_name = body_set.and_then(|n| n.attribute("name")).unwrap_or("bodyset").to_string();
    let mut bodies = Vec::new();
    if let Some(set) = body_set {
        for node in set_objects(cx, set)? {
            let body = parse_body(cx, node)?;
            if body.name == "ground" || bodies.iter().any(|b: &Body| b.name == body.name) {
                return Err(cx.err_at(node, &label(node), "a body of this name already exists (or it is ground)"));
            }
            bodies.push(body);
        }
    }
    let mut frames = HashMap::from([("/ground".to_string(), "ground".to_string())]);
    for b in &bodies {
        frames.insert(format!("/{bodyset_name}/{}", b.name), b.name.clone());
    }

    let joint_set = obj.take("JointSet")?;
    let jointset_name = joint_set.and_then(|n| n.attribute("name")).unwrap_or("jointset").to_string();
    let joints = match joint_set {
        Some(set) => parse_joints(cx, set, &jointset_name, &frames)?,
        None => Vec::new(),
    };
    check_tree(cx, &bodies, &joints, node)?;

    let mut coordinates = HashMap::new();
    let mut seen = HashSet::new();
    for joint in &joints {
        for c in &joint.coordinates {
            if !seen.insert(c.name.clone()) {
                return Err(cx.error(
                    c.line,
                    format!("Coordinate {}", c.name),
                    "a coordinate of this name already exists",
                ));
            }
            coordinates.insert(format!("/{jointset_name}/{}/{}", joint.name, c.name), c.name.clone());
        }
    }
    let mut refs = Refs { frames, coordinates, muscles: HashSet::new() };

    let mut muscles: Vec<Muscle> = Vec::new();
    if let Some(set) = obj.take("ForceSet")? {
        for node in set_objects(cx, set)? {
            let muscle = parse_muscle(cx, node, &refs)?;
            if muscles.iter().any(|m| m.name == muscle.name) {
                return Err(cx.err_at(node, &label(node), "a muscle of this name already exists"));
            }
            muscles.push(muscle);
        }
    }
    refs.muscles = muscles.iter().map(|m| m.name.clone()).collect();

    let mut markers = Vec::new();
    if let Some(set) = obj.take("MarkerSet")? {
        for node in set_objects(cx, set)? {
            markers.push(parse_marker(cx, node, &refs)?);
        }
    }
    let mut probes = Vec::new();
    if let Some(set) = obj.take("ProbeSet")? {
        for node in set_objects(cx, set)? {
            probes.push(parse_probe(cx, node, &refs)?);
        }
    }
    let line = obj.line();
    obj.finish()?;
    Ok(Model {
        name,
        credits,
        publications,
        gravity_m_per_s2,
        bodies,
        joints,
        muscles,
        probes,
        markers,
        document_version: 0,
        line,
    })
}

/// The display content and wrap objects every physical frame may carry.
fn frame_display(obj: &mut Obj<'_, '_, '_>) -> Result<(), OsimError> {
    obj.ignore(&["FrameGeometry", "attached_geometry"]);
    if let Some(set) = obj.take("WrapObjectSet")? {
        empty_set(obj.cx, set, "wrap objects")?;
    }
    obj.no_components()
}

fn parse_body(cx: &Cx, node: Node<'_, '_>) -> Result<Body, OsimError> {
    let mut obj = Obj::new(cx, node);
    if obj.tag() != "Body" {
        return Err(obj.err(format!("unsupported body type {}", obj.tag())));
    }
    let name = obj.name()?;
    frame_display(&mut obj)?;
    let mass_kg = obj.req_f64("mass")?;
    let mass_center_m = obj.array::<3>("mass_center")?.unwrap_or([0.0; 3]);
    let inertia_field = obj.take("inertia")?;
    let inertia_kg_m2 = match inertia_field {
        None => [0.0; 6],
        Some(field) => {
            let text = crate::xml::text_of(field).unwrap_or_default();
            let values: Option<Vec<f64>> =
                text.split_whitespace().map(crate::xml::parse_number).map(|v| v.filter(|v| v.is_finite())).collect();
            match values.as_deref().map(<[f64; 6]>::try_from) {
                Some(Ok(i)) => i,
                _ => {
                    return Err(obj.err_at(
                        field,
                        format!("inertia must have six numbers, Ixx Iyy Izz Ixy Ixz Iyz (got {})", quote(&text)),
                    ));
                }
            }
        }
    };
    let line = obj.line();
    if mass_kg < 0.0 {
        return Err(obj.err(format!("mass must not be negative (got {mass_kg} kg)")));
    }
    check_inertia(&obj, mass_kg, &inertia_kg_m2, inertia_field)?;
    obj.finish()?;
    Ok(Body { name, mass_kg, mass_center_m, inertia_kg_m2, line })
}

/// OpenSim (`Body::getInertia`) replaces a massless body's inertia by zero and an invalid inertia (SimTK's
/// `isValidInertiaMatrix`: non-negative moments, triangle inequality, products bounded by moments, each with a slop
/// of `max(trace, 1)·ε^(7/8)`) by a sphere's, with a warning. Those approximations are refused here.
fn check_inertia(obj: &Obj<'_, '_, '_>, mass: f64, i: &[f64; 6], field: Option<Node<'_, '_>>) -> Result<(), OsimError> {
    let at = |problem: String| match field {
        Some(node) => obj.err_at(node, problem),
        None => obj.err(problem),
    };
    let significant = f64::EPSILON.powf(7.0 / 8.0);
    let norm = i.iter().map(|v| v * v).sum::<f64>().sqrt();
    if mass.abs() <= significant && norm > significant {
        return Err(at("a massless body with nonzero inertia (OpenSim would zero it)".into()));
    }
    let [xx, yy, zz, xy, xz, yz] = *i;
    let slop = (xx + yy + zz).max(1.0) * significant;
    let valid = xx >= 0.0
        && yy >= 0.0
        && zz >= 0.0
        && xx + yy + slop >= zz
        && xx + zz + slop >= yy
        && yy + zz + slop >= xx
        && xx + slop >= (2.0 * yz).abs()
        && yy + slop >= (2.0 * xz).abs()
        && zz + slop >= (2.0 * xy).abs();
    if !valid {
        return Err(at(format!(
            "inertia {xx} {yy} {zz} {xy} {xz} {yz} is not a valid inertia (OpenSim would replace it by a sphere's)"
        )));
    }
    Ok(())
}

/// A joint as read, before its frames are resolved.
struct RawJoint<'a, 'i> {
    node: Node<'a, 'i>,
    name: String,
    tag: String,
    parent_socket: (String, Node<'a, 'i>),
    child_socket: (String, Node<'a, 'i>),
    frames: Vec<RawFrame>,
    kind: JointKind,
    coordinates: Vec<Coordinate>,
}

struct RawFrame {
    name: String,
    /// The parent socket resolved to an absolute path.
    parent: String,
    parent_text: String,
    translation_m: [f64; 3],
    orientation_rad: [f64; 3],
    line: u32,
}

fn parse_joints(
    cx: &Cx,
    set: Node<'_, '_>,
    jointset: &str,
    bodies: &HashMap<String, String>,
) -> Result<Vec<Joint>, OsimError> {
    let mut raw = Vec::new();
    for node in set_objects(cx, set)? {
        let joint = parse_joint(cx, node, jointset)?;
        if raw.iter().any(|r: &RawJoint<'_, '_>| r.name == joint.name) {
            return Err(cx.err_at(node, &label(node), "a joint of this name already exists"));
        }
        raw.push(joint);
    }
    // Every offset frame of every joint, by absolute path.
    let mut offsets: HashMap<String, &RawFrame> = HashMap::new();
    for joint in &raw {
        for frame in &joint.frames {
            offsets.insert(format!("/{jointset}/{}/{}", joint.name, frame.name), frame);
        }
    }
    let mut joints = Vec::new();
    for joint in &raw {
        let owner = format!("/{jointset}/{}", joint.name);
        let element = format!("{} {}", joint.tag, joint.name);
        let resolve = |(text, node): &(String, Node<'_, '_>), socket: &str| -> Result<Frame, OsimError> {
            let path = resolve_path(&owner, text)
                .ok_or_else(|| cx.err_at(*node, &element, format!("{socket} {} is not a valid path", quote(text))))?;
            if let Some(body) = bodies.get(&path) {
                return Ok(Frame {
                    body: body.clone(),
                    offset_frame: None,
                    translation_m: [0.0; 3],
                    orientation_rad: [0.0; 3],
                    line: cx.line(*node),
                });
            }
            let frame = offsets.get(&path).ok_or_else(|| {
                cx.err_at(*node, &element, format!("{socket} {} names no body, ground or offset frame", quote(text)))
            })?;
            let body = bodies.get(&frame.parent).ok_or_else(|| {
                let problem = if offsets.contains_key(&frame.parent) {
                    "is another offset frame (offset frames on offset frames are not supported)"
                } else {
                    "names no body of the model (nor /ground)"
                };
                cx.error(
                    frame.line,
                    format!("PhysicalOffsetFrame {}", frame.name),
                    format!("socket_parent {} {problem}", quote(&frame.parent_text)),
                )
            })?;
            Ok(Frame {
                body: body.clone(),
                offset_frame: Some(frame.name.clone()),
                translation_m: frame.translation_m,
                orientation_rad: frame.orientation_rad,
                line: frame.line,
            })
        };
        let parent_frame = resolve(&joint.parent_socket, "socket_parent_frame")?;
        let child_frame = resolve(&joint.child_socket, "socket_child_frame")?;
        joints.push(Joint {
            name: joint.name.clone(),
            kind: joint.kind.clone(),
            parent_frame,
            child_frame,
            coordinates: joint.coordinates.clone(),
            line: cx.line(joint.node),
        });
    }
    Ok(joints)
}

fn parse_joint<'a, 'i>(cx: &Cx, node: Node<'a, 'i>, jointset: &str) -> Result<RawJoint<'a, 'i>, OsimError> {
    let mut obj = Obj::new(cx, node);
    let tag = obj.tag().to_string();
    if !matches!(tag.as_str(), "CustomJoint" | "PinJoint" | "WeldJoint" | "PlanarJoint" | "SliderJoint") {
        return Err(obj.err(format!(
            "unsupported joint type {tag} (only CustomJoint, PinJoint, PlanarJoint, SliderJoint, WeldJoint)"
        )));
    }
    let name = obj.name()?;
    obj.no_components()?;
    let socket = |obj: &mut Obj<'a, 'i, '_>, tag: &'static str| -> Result<(String, Node<'a, 'i>), OsimError> {
        match obj.text(tag)? {
            Some((text, node)) if !text.is_empty() => Ok((text, node)),
            Some((_, node)) => Err(obj.err_at(node, format!("{tag} is empty"))),
            None => Err(obj.err(format!("missing property {tag}"))),
        }
    };
    let parent_socket = socket(&mut obj, "socket_parent_frame")?;
    let child_socket = socket(&mut obj, "socket_child_frame")?;

    let mut frames = Vec::new();
    if let Some(list) = obj.take("frames")? {
        for f in elements(list) {
            frames.push(parse_offset_frame(cx, f, &format!("/{jointset}/{name}"))?);
        }
    }
    let mut declared = Vec::new();
    if let Some(list) = obj.take("coordinates")? {
        for c in elements(list) {
            let coordinate = parse_coordinate(cx, c)?;
            if declared.iter().any(|d: &Coordinate| d.name == coordinate.name) {
                return Err(cx.err_at(c, &label(c), "a coordinate of this name already exists in the joint"));
            }
            declared.push(coordinate);
        }
    }
    let (kind, coordinates) = match tag.as_str() {
        "WeldJoint" => (JointKind::Weld, fixed_coordinates(&obj, declared, &[])?),
        "PinJoint" => (JointKind::Pin, fixed_coordinates(&obj, declared, &[MotionType::Rotational])?),
        "SliderJoint" => (JointKind::Slider, fixed_coordinates(&obj, declared, &[MotionType::Translational])?),
        "PlanarJoint" => (
            JointKind::Planar,
            fixed_coordinates(
                &obj,
                declared,
                &[MotionType::Rotational, MotionType::Translational, MotionType::Translational],
            )?,
        ),
        _ => {
            let transform_node = obj.take("SpatialTransform")?;
            let transform = parse_spatial_transform(cx, &obj, transform_node)?;
            let coordinates = custom_coordinates(cx, &obj, &transform, declared)?;
            (JointKind::Custom { transform }, coordinates)
        }
    };
    obj.finish()?;
    Ok(RawJoint { node, name, tag, parent_socket, child_socket, frames, kind, coordinates })
}

fn parse_offset_frame(cx: &Cx, node: Node<'_, '_>, owner: &str) -> Result<RawFrame, OsimError> {
    let mut obj = Obj::new(cx, node);
    if obj.tag() != "PhysicalOffsetFrame" {
        return Err(obj.err(format!("unsupported frame type {} in a joint's frames", obj.tag())));
    }
    let name = obj.name()?;
    frame_display(&mut obj)?;
    let (parent_text, field) = obj.text("socket_parent")?.ok_or_else(|| obj.err("missing property socket_parent"))?;
    let parent = resolve_path(&format!("{owner}/{name}"), &parent_text)
        .ok_or_else(|| obj.err_at(field, format!("socket_parent {} is not a valid path", quote(&parent_text))))?;
    let translation_m = obj.array::<3>("translation")?.unwrap_or([0.0; 3]);
    let orientation_rad = obj.array::<3>("orientation")?.unwrap_or([0.0; 3]);
    let line = obj.line();
    obj.finish()?;
    Ok(RawFrame { name, parent, parent_text, translation_m, orientation_rad, line })
}

fn parse_coordinate(cx: &Cx, node: Node<'_, '_>) -> Result<Coordinate, OsimError> {
    let mut obj = Obj::new(cx, node);
    if obj.tag() != "Coordinate" {
        return Err(obj.err(format!("expected a Coordinate, found {}", obj.tag())));
    }
    let name = obj.name()?;
    obj.no_components()?;
    let default_value = obj.f64("default_value")?.unwrap_or(0.0);
    let default_speed_value = obj.f64("default_speed_value")?.unwrap_or(0.0);
    let range = obj.array::<2>("range")?.unwrap_or([-10.0, 10.0]);
    if range[0] > range[1] {
        return Err(obj.err(format!("range minimum {} is above its maximum {}", range[0], range[1])));
    }
    let clamped = obj.bool("clamped")?.unwrap_or(false);
    let locked = obj.bool("locked")?.unwrap_or(false);
    let prescribed = obj.bool("prescribed")?.unwrap_or(false);
    // Without constraints (refused) this flag changes nothing.
    obj.bool("is_free_to_satisfy_constraints")?;
    if let Some(function) = obj.take("prescribed_function")?
        && prescribed
        && elements(function).next().is_some()
    {
        return Err(
            obj.err_at(function, "prescribed coordinates (prescribed_function with prescribed true) are not supported")
        );
    }
    let line = obj.line();
    obj.finish()?;
    // The motion type is the joint's to decide; Rotational is a placeholder until then.
    Ok(Coordinate {
        name,
        motion: MotionType::Rotational,
        default_value,
        default_speed_value,
        range,
        clamped,
        locked,
        line,
    })
}

fn fixed_coordinates(
    obj: &Obj<'_, '_, '_>,
    declared: Vec<Coordinate>,
    motions: &[MotionType],
) -> Result<Vec<Coordinate>, OsimError> {
    if declared.len() != motions.len() {
        return Err(obj.err(format!(
            "a {} has {} coordinate(s), but the file declares {}",
            obj.tag(),
            motions.len(),
            declared.len()
        )));
    }
    Ok(declared.into_iter().zip(motions).map(|(c, m)| Coordinate { motion: *m, ..c }).collect())
}

const AXIS_NAMES: [&str; 6] = ["rotation1", "rotation2", "rotation3", "translation1", "translation2", "translation3"];
const DEFAULT_AXES: [[f64; 3]; 6] =
    [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]];

fn parse_spatial_transform(
    cx: &Cx,
    joint: &Obj<'_, '_, '_>,
    node: Option<Node<'_, '_>>,
) -> Result<SpatialTransform, OsimError> {
    let Some(node) = node else {
        return Err(joint.err("missing property SpatialTransform"));
    };
    let mut obj = Obj::new(cx, node);
    let mut axes = Vec::with_capacity(6);
    for (i, name) in AXIS_NAMES.iter().enumerate() {
        let axis = match obj.take_object(name)? {
            Some(axis_node) => parse_transform_axis(cx, axis_node, name, DEFAULT_AXES[i])?,
            None => TransformAxis {
                name: name.to_string(),
                coordinates: Vec::new(),
                axis: DEFAULT_AXES[i],
                function: Function::Constant { value: 0.0 },
                function_defaulted: true,
                line: obj.line(),
            },
        };
        axes.push(axis);
    }
    obj.finish()?;
    // CustomJoint::extendFinalizeFromProperties: no two rotation (or translation) axes may be collinear.
    for start in [0, 3] {
        for (a, b) in [(0, 1), (0, 2), (1, 2)] {
            let (u, v) = (axes[start + a].axis, axes[start + b].axis);
            let cross = [u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]];
            if norm(cross) < 1e-5 {
                return Err(cx.error(
                    axes[start + b].line,
                    joint.label.clone(),
                    format!("{} and {} have collinear axes", axes[start + a].name, axes[start + b].name),
                ));
            }
        }
    }
    let axes: [TransformAxis; 6] = axes.try_into().map_err(|_| joint.err("spatial transform needs six axes"))?;
    Ok(SpatialTransform { axes })
}

fn parse_transform_axis(
    cx: &Cx,
    node: Node<'_, '_>,
    slot: &str,
    default_axis: [f64; 3],
) -> Result<TransformAxis, OsimError> {
    let mut obj = Obj::new(cx, node);
    if obj.tag() != "TransformAxis" {
        return Err(obj.err(format!("expected a TransformAxis for {slot}, found {}", obj.tag())));
    }
    let coordinates: Vec<String> =
        obj.string("coordinates")?.map(|t| t.split_whitespace().map(String::from).collect()).unwrap_or_default();
    if coordinates.len() > 1 {
        return Err(
            obj.err(format!("{slot} names {} coordinates; multi-coordinate axes are not supported", coordinates.len()))
        );
    }
    let axis = obj.array::<3>("axis")?.unwrap_or(default_axis);
    if norm(axis) == 0.0 {
        return Err(obj.err(format!("{slot} has a zero axis")));
    }
    let function_node = match obj.take_object("function")? {
        Some(n) => Some(n),
        None => {
            let candidates: Vec<_> = obj.remaining().into_iter().filter(|n| looks_like_function(*n)).collect();
            match candidates.as_slice() {
                [] => None,
                [one] => {
                    obj.mark(*one);
                    Some(*one)
                }
                [_, second, ..] => return Err(obj.err_at(*second, format!("{slot} has more than one function"))),
            }
        }
    };
    let (function, function_defaulted) = match function_node {
        Some(n) => (parse_function(cx, n, 0)?, false),
        None if coordinates.is_empty() => (Function::Constant { value: 0.0 }, true),
        None => (Function::Linear { slope: 1.0, intercept: 0.0 }, true),
    };
    if coordinates.is_empty() && !is_plain_constant(&function) {
        return Err(obj.err(format!(
            "{slot} has no coordinate, so its function must be a Constant (or a multiple of one), not a function of x"
        )));
    }
    let line = obj.line();
    obj.finish()?;
    Ok(TransformAxis { name: slot.to_string(), coordinates, axis, function, function_defaulted, line })
}

/// A function that needs no argument: OpenSim evaluates an axis without coordinate with an empty argument, which only
/// these survive.
fn is_plain_constant(function: &Function) -> bool {
    match function {
        Function::Constant { .. } => true,
        Function::Multiplier { function, .. } => is_plain_constant(function),
        _ => false,
    }
}

/// `CustomJoint::constructCoordinates`: the coordinates in the order the axes name them, with their motion types.
fn custom_coordinates(
    cx: &Cx,
    joint: &Obj<'_, '_, '_>,
    transform: &SpatialTransform,
    declared: Vec<Coordinate>,
) -> Result<Vec<Coordinate>, OsimError> {
    let mut order: Vec<&str> = Vec::new();
    for axis in &transform.axes {
        for c in &axis.coordinates {
            if !order.contains(&c.as_str()) {
                order.push(c);
            }
        }
    }
    if order.is_empty() {
        return Err(joint.err("a CustomJoint whose spatial transform names no coordinate is not supported"));
    }
    let mut result = Vec::new();
    for name in &order {
        let Some(coordinate) = declared.iter().find(|c| c.name == *name) else {
            let axis = transform.axes.iter().find(|a| a.coordinates.iter().any(|c| c == name));
            return Err(cx.error(
                axis.map_or(joint.line(), |a| a.line),
                joint.label.clone(),
                format!(
                    "{} names coordinate {name}, which the joint's <coordinates> do not declare",
                    axis.map_or("an axis", |a| a.name.as_str())
                ),
            ));
        };
        let mut motion = None;
        for (j, axis) in transform.axes.iter().enumerate() {
            if axis.coordinates.iter().any(|c| c == name) {
                let pure = matches!(axis.function, Function::Linear { slope, .. } if slope == 1.0 || slope == -1.0);
                if pure {
                    motion = Some(if j < 3 { MotionType::Rotational } else { MotionType::Translational });
                } else if motion.is_none() {
                    motion = Some(MotionType::Coupled);
                }
            }
        }
        result.push(Coordinate { motion: motion.unwrap_or(MotionType::Coupled), ..coordinate.clone() });
    }
    if let Some(unused) = declared.iter().find(|c| !order.contains(&c.name.as_str())) {
        return Err(cx.error(
            unused.line,
            format!("Coordinate {}", unused.name),
            format!("is declared by {} but no transform axis uses it", joint.label),
        ));
    }
    Ok(result)
}

/// Every body is the child of exactly one joint, no joint moves ground, and the joints form a tree rooted at ground.
fn check_tree(cx: &Cx, bodies: &[Body], joints: &[Joint], model: Node<'_, '_>) -> Result<(), OsimError> {
    let tag = |j: &Joint| format!("{} {}", kind_tag(&j.kind), j.name);
    for joint in joints {
        if joint.child_frame.body == "ground" {
            return Err(cx.error(
                joint.line,
                tag(joint),
                "its child frame is on ground (reversed joints are not supported)",
            ));
        }
        if joint.child_frame.body == joint.parent_frame.body {
            return Err(cx.error(joint.line, tag(joint), "connects a body to itself"));
        }
        if let Some(other) = joints.iter().find(|o| o.line < joint.line && o.child_frame.body == joint.child_frame.body)
        {
            return Err(cx.error(
                joint.line,
                tag(joint),
                format!(
                    "body {} is already the child of joint {} (closed loops need constraints, not supported)",
                    joint.child_frame.body, other.name
                ),
            ));
        }
    }
    for body in bodies {
        if !joints.iter().any(|j| j.child_frame.body == body.name) {
            return Err(cx.error(body.line, format!("Body {}", body.name), "no joint attaches this body to the model"));
        }
        // Walk to ground; more steps than joints means a cycle.
        let mut at = body.name.as_str();
        for _ in 0..=joints.len() {
            if at == "ground" {
                break;
            }
            at = joints.iter().find(|j| j.child_frame.body == at).map_or("ground", |j| j.parent_frame.body.as_str());
        }
        if at != "ground" {
            return Err(cx.err_at(
                model,
                "Model",
                format!("the joints above body {} form a loop that never reaches ground", body.name),
            ));
        }
    }
    Ok(())
}

fn parse_marker(cx: &Cx, node: Node<'_, '_>, refs: &Refs) -> Result<Marker, OsimError> {
    let mut obj = Obj::new(cx, node);
    if obj.tag() != "Marker" {
        return Err(obj.err(format!("unsupported marker type {}", obj.tag())));
    }
    let name = obj.name()?;
    obj.ignore(&["attached_geometry", "Appearance"]);
    obj.no_components()?;
    let (path, field) =
        obj.text("socket_parent_frame")?.ok_or_else(|| obj.err("missing property socket_parent_frame"))?;
    let body = refs.body(&obj, "socket_parent_frame", field, &path)?;
    let location_m = obj.array::<3>("location")?.unwrap_or([0.0; 3]);
    let fixed = obj.bool("fixed")?.unwrap_or(false);
    let line = obj.line();
    obj.finish()?;
    Ok(Marker { name, body, location_m, fixed, line })
}
