//! Actuator files: a `ForceSet` of `CoordinateActuator`s, `PointActuator`s and `TorqueActuator`s, as OpenSim's
//! residual-reduction and computed-muscle-control tools take them (for example `gait10dof_Reserve_Actuators.xml`).
//!
//! Defaults from opensim-core `OpenSim/Actuators/` (`CoordinateActuator`, `PointActuator`, `TorqueActuator`
//! `::constructProperties`) and `ScalarActuator::constructProperties` (controls unbounded). Such files are often
//! written in the 3.x format (Version 30000): it is read, with `isDisabled` turned into `applies_force` as OpenSim
//! does for documents before 30509. Documents before 30000 are refused.

use std::path::Path;

use roxmltree::Node;

use crate::error::OsimError;
use crate::model::Model;
use crate::muscle::applies_force;
use crate::xml::{Cx, Obj, document_version, elements, label, set_objects};

/// The oldest document version of actuator and external-loads files read (OpenSim 3.0).
pub const MIN_SET_VERSION: u32 = 30000;

/// The actuators of an actuator file.
#[derive(Debug, Clone, PartialEq)]
pub struct ActuatorSet {
    /// The `name` attribute of the `ForceSet`.
    pub name: String,
    /// The actuators, in file order.
    pub actuators: Vec<Actuator>,
    /// The document's `Version`.
    pub document_version: u32,
}

/// One actuator. Its force (or torque) is `control × optimal_force`, the control within `[min_control,
/// max_control]`.
#[derive(Debug, Clone, PartialEq)]
pub enum Actuator {
    /// `CoordinateActuator`: a generalised force on one coordinate (N m for rotational, N for translational).
    Coordinate(CoordinateActuator),
    /// `PointActuator`: a force at a point of a body.
    Point(PointActuator),
    /// `TorqueActuator`: a torque on body A, and its opposite on body B.
    Torque(TorqueActuator),
}

impl Actuator {
    /// The settings every actuator has.
    pub fn common(&self) -> &ActuatorCommon {
        match self {
            Actuator::Coordinate(a) => &a.common,
            Actuator::Point(a) => &a.common,
            Actuator::Torque(a) => &a.common,
        }
    }
}

/// What every scalar actuator has.
#[derive(Debug, Clone, PartialEq)]
pub struct ActuatorCommon {
    /// Name.
    pub name: String,
    /// Whether the actuator applies its force (`appliesForce`, or not `isDisabled`; default true).
    pub applies_force: bool,
    /// Lowest control (default −∞).
    pub min_control: f64,
    /// Highest control (default +∞).
    pub max_control: f64,
    /// Force (N), torque (N m) or generalised force per unit control (default 1).
    pub optimal_force: f64,
    /// Line of the actuator element.
    pub line: u32,
}

/// `CoordinateActuator`.
#[derive(Debug, Clone, PartialEq)]
pub struct CoordinateActuator {
    /// Name, limits, optimal force.
    pub common: ActuatorCommon,
    /// The coordinate driven.
    pub coordinate: String,
}

/// `PointActuator`: force `control × optimal_force × direction/|direction|`.
#[derive(Debug, Clone, PartialEq)]
pub struct PointActuator {
    /// Name, limits, optimal force (N).
    pub common: ActuatorCommon,
    /// The body the force acts on.
    pub body: String,
    /// Point of application, m: in the body frame, or in ground if `point_is_global` (default origin).
    pub point_m: [f64; 3],
    /// Whether `point_m` is expressed in ground (default false).
    pub point_is_global: bool,
    /// Direction of the force, in the body frame or in ground if `force_is_global` (OpenSim normalises it;
    /// default X).
    pub direction: [f64; 3],
    /// Whether `direction` is expressed in ground (default false).
    pub force_is_global: bool,
}

/// `TorqueActuator`: torque `control × optimal_force × axis/|axis|` on body A, its opposite on body B.
#[derive(Debug, Clone, PartialEq)]
pub struct TorqueActuator {
    /// Name, limits, optimal force (N m).
    pub common: ActuatorCommon,
    /// The body receiving the torque (`bodyA`).
    pub body_a: String,
    /// The body receiving the opposite torque (`bodyB`; may be `ground`).
    pub body_b: String,
    /// Whether `axis` is expressed in ground (default true) or in body A.
    pub torque_is_global: bool,
    /// Torque axis (OpenSim normalises it; default Z).
    pub axis: [f64; 3],
}

impl ActuatorSet {
    /// Checks that every coordinate and body the actuators name exists in `model`; `file` names the actuator file
    /// in the error.
    pub fn check_against(&self, model: &Model, file: &str) -> Result<(), OsimError> {
        let is_frame = |name: &str| name == "ground" || model.body(name).is_some();
        for actuator in &self.actuators {
            let common = actuator.common();
            let missing = match actuator {
                Actuator::Coordinate(a) => {
                    (model.coordinate(&a.coordinate).is_none()).then(|| format!("coordinate {}", a.coordinate))
                }
                Actuator::Point(a) => (!is_frame(&a.body)).then(|| format!("body {}", a.body)),
                Actuator::Torque(a) => {
                    [&a.body_a, &a.body_b].into_iter().find(|b| !is_frame(b)).map(|b| format!("body {b}"))
                }
            };
            if let Some(what) = missing {
                return Err(OsimError {
                    file: file.to_string(),
                    line: common.line,
                    element: common.name.clone(),
                    problem: format!("names {what}, which the model does not have"),
                });
            }
        }
        Ok(())
    }
}

/// Reads an actuator file (a `ForceSet` document).
pub fn read_reserve_actuators(path: impl AsRef<Path>) -> Result<ActuatorSet, OsimError> {
    let path = path.as_ref();
    let label = path.display().to_string();
    let text = crate::read_text(path, &label)?;
    parse_reserve_actuators(&text, &label)
}

/// Reads the text of an actuator file; `file_label` names it in errors.
pub fn parse_reserve_actuators(text: &str, file_label: &str) -> Result<ActuatorSet, OsimError> {
    let cx = Cx::new(file_label, text);
    let doc = cx.parse(text)?;
    let root = doc.root_element();
    let version = document_version(&cx, root)?;
    if version < MIN_SET_VERSION {
        return Err(cx.err_at(
            root,
            "OpenSimDocument",
            format!("Version {version} is older than {MIN_SET_VERSION}: not supported"),
        ));
    }
    let set = single_child(&cx, root, "ForceSet")?;
    let mut actuators = Vec::new();
    for node in set_objects(&cx, set)? {
        actuators.push(parse_actuator(&cx, node)?);
    }
    Ok(ActuatorSet {
        name: set.attribute("name").unwrap_or_default().to_string(),
        actuators,
        document_version: version,
    })
}

/// The one element of the document root, which must have this tag.
pub(crate) fn single_child<'a, 'i>(cx: &Cx, root: Node<'a, 'i>, tag: &str) -> Result<Node<'a, 'i>, OsimError> {
    let kids: Vec<_> = elements(root).collect();
    match kids.as_slice() {
        [one] if one.tag_name().name() == tag => Ok(*one),
        [] => Err(cx.err_at(root, "OpenSimDocument", format!("holds no {tag}"))),
        [one] => Err(cx.err_at(*one, &label(*one), format!("expected a {tag} here"))),
        [_, second, ..] => Err(cx.err_at(*second, &label(*second), format!("a second element beside the {tag}"))),
    }
}

fn parse_actuator(cx: &Cx, node: Node<'_, '_>) -> Result<Actuator, OsimError> {
    let mut obj = Obj::new(cx, node);
    let tag = obj.tag();
    if !matches!(tag, "CoordinateActuator" | "PointActuator" | "TorqueActuator") {
        return Err(obj
            .err(format!("unsupported actuator type {tag} (only CoordinateActuator, PointActuator, TorqueActuator)")));
    }
    let name = obj.name()?;
    obj.no_components()?;
    let mut unused = Vec::new();
    let applies_force = applies_force(&mut obj, &mut unused)?;
    let min_control = obj.f64_or_infinite("min_control")?.unwrap_or(f64::NEG_INFINITY);
    let max_control = obj.f64_or_infinite("max_control")?.unwrap_or(f64::INFINITY);
    if min_control > max_control {
        return Err(obj.err(format!("min_control {min_control} is above max_control {max_control}")));
    }
    let optimal_force = obj.f64("optimal_force")?.unwrap_or(1.0);
    let common = ActuatorCommon { name, applies_force, min_control, max_control, optimal_force, line: obj.line() };
    let required = |obj: &mut Obj<'_, '_, '_>, tag: &'static str| -> Result<String, OsimError> {
        match obj.string(tag)? {
            Some(s) if !s.is_empty() => Ok(s),
            _ => Err(obj.err(format!("missing property {tag}"))),
        }
    };
    let actuator = match tag {
        "CoordinateActuator" => {
            Actuator::Coordinate(CoordinateActuator { coordinate: required(&mut obj, "coordinate")?, common })
        }
        "PointActuator" => {
            let body = required(&mut obj, "body")?;
            let direction = obj.array::<3>("direction")?.unwrap_or([1.0, 0.0, 0.0]);
            if direction == [0.0; 3] {
                return Err(obj.err("direction must not be zero"));
            }
            Actuator::Point(PointActuator {
                body,
                point_m: obj.array::<3>("point")?.unwrap_or([0.0; 3]),
                point_is_global: obj.bool("point_is_global")?.unwrap_or(false),
                direction,
                force_is_global: obj.bool("force_is_global")?.unwrap_or(false),
                common,
            })
        }
        _ => {
            let axis = obj.array::<3>("axis")?.unwrap_or([0.0, 0.0, 1.0]);
            if axis == [0.0; 3] {
                return Err(obj.err("axis must not be zero"));
            }
            Actuator::Torque(TorqueActuator {
                body_a: required(&mut obj, "bodyA")?,
                body_b: required(&mut obj, "bodyB")?,
                torque_is_global: obj.bool("torque_is_global")?.unwrap_or(true),
                axis,
                common,
            })
        }
    };
    obj.finish()?;
    Ok(actuator)
}
