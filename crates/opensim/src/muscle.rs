//! Muscles of the force set: their parameters, curves and paths.
//!
//! Defaults are OpenSim 4's (opensim-core: `Muscle::constructProperties`, `PathActuator`, `ScalarActuator`,
//! `Millard2012EquilibriumMuscle::constructProperties`, `Thelen2003Muscle::constructProperties`, and the curves'
//! `constructProperties`/`ensureCurveUpToDate`), used where the file omits a property; every struct lists the
//! properties it took from a default in `defaults_used`.

use roxmltree::Node;

use crate::error::OsimError;
use crate::function::{Function, take_function};
use crate::model::Refs;
use crate::xml::{Cx, Obj, empty_set, quote, set_objects};

/// A muscle (`Millard2012EquilibriumMuscle` or `Thelen2003Muscle`) with its path.
#[derive(Debug, Clone, PartialEq)]
pub struct Muscle {
    /// Name, unique among the muscles.
    pub name: String,
    /// The muscle model and its own parameters.
    pub kind: MuscleKind,
    /// Whether the force is applied (`appliesForce`, default true; `isDisabled` negated in files before 30509).
    pub applies_force: bool,
    /// Peak isometric force, N (default 1000).
    pub max_isometric_force_n: f64,
    /// Fibre length at which active force peaks, m (default 0.1).
    pub optimal_fiber_length_m: f64,
    /// Tendon length at which it starts to bear force, m (default 0.2).
    pub tendon_slack_length_m: f64,
    /// Pennation angle at optimal fibre length, rad (default 0).
    pub pennation_angle_at_optimal_rad: f64,
    /// Largest pennation angle the model allows, rad (default acos 0.1 ≈ 1.4706, for both muscle models).
    pub maximum_pennation_angle_rad: f64,
    /// Maximum shortening velocity, in optimal fibre lengths per second (default 10).
    pub max_contraction_velocity: f64,
    /// Activation time constant, s (default 0.010 Millard, 0.015 Thelen).
    pub activation_time_constant_s: f64,
    /// Deactivation time constant, s (default 0.040 Millard, 0.050 Thelen).
    pub deactivation_time_constant_s: f64,
    /// Lower bound on activation (default 0.01).
    pub minimum_activation: f64,
    /// Whether the tendon is rigid (default false).
    pub ignore_tendon_compliance: bool,
    /// Whether activation follows excitation at once (default false).
    pub ignore_activation_dynamics: bool,
    /// Activation before any is set (default 0.05).
    pub default_activation: f64,
    /// Fibre length before any is set, m. OpenSim's default is 0.1 m whatever the optimal fibre length: the
    /// property is constructed from `getOptimalFiberLength()` while that still holds the base class's default.
    pub default_fiber_length_m: f64,
    /// `optimal_force` of `PathActuator`, N per unit control (default 1; muscles do not use it for their force).
    pub optimal_force_n: f64,
    /// Lowest control (excitation); default the muscle model's `minimum_activation` default, 0.01.
    pub min_control: f64,
    /// Highest control; default 1.
    pub max_control: f64,
    /// The path points, origin first.
    pub path: Vec<PathPoint>,
    /// The properties of this element read from OpenSim's defaults.
    pub defaults_used: Vec<&'static str>,
    /// Line of the muscle element.
    pub line: u32,
}

/// The muscle models read.
// Plain data read once: the variants stay unboxed so that matching on them reads simply.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum MuscleKind {
    /// `Millard2012EquilibriumMuscle`.
    ///
    /// When OpenSim loads one (`extendFinalizeFromProperties`) it adjusts some of these for the formulation in use;
    /// the values here are the file's (or defaults), before those adjustments: `fiber_damping` below 0.001 becomes
    /// 0 (undamped). Damped, or rigid tendon: `minimum_activation` is clamped to [0, 1], the active-force-length
    /// `minimum_value` is set to 0, and the force-velocity slopes at vmax above 0 are set to 0. Undamped with an
    /// elastic tendon: `minimum_value` is raised to at least 0.1, and each slope at vmax to at least half the
    /// slope near vmax (and minimum activation below 0.01 is refused). In both cases OpenSim builds an inverse
    /// force-velocity curve whose slopes at vmax are half those near vmax.
    Millard2012Equilibrium {
        /// Fibre damping, normalised (default 0.1).
        fiber_damping: f64,
        /// The four characteristic curves.
        curves: MillardCurves,
    },
    /// `Thelen2003Muscle` (read so that files like `subject01_metabolics.osim` load; its parameters are Thelen's).
    Thelen2003(Thelen2003Parameters),
}

/// The characteristic curves of a Millard 2012 muscle (OpenSim's `SmoothSegmentedFunction`s), by their parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct MillardCurves {
    /// Active force against normalised fibre length.
    pub active_force_length: ActiveForceLengthCurve,
    /// Force multiplier against normalised fibre velocity.
    pub force_velocity: ForceVelocityCurve,
    /// Passive fibre force against normalised fibre length.
    pub fiber_force_length: FiberForceLengthCurve,
    /// Tendon force against tendon strain.
    pub tendon_force_length: TendonForceLengthCurve,
}

/// `ActiveForceLengthCurve` (defaults from `ActiveForceLengthCurve::constructProperties`).
#[derive(Debug, Clone, PartialEq)]
pub struct ActiveForceLengthCurve {
    /// Normalised fibre length where the steep ascending limb starts (default 0.47 − 0.0259 = 0.4441).
    pub min_norm_active_fiber_length: f64,
    /// Where the steep ascending limb meets the shallow one (default 0.73).
    pub transition_norm_fiber_length: f64,
    /// Where the descending limb ends (default 1.8123).
    pub max_norm_active_fiber_length: f64,
    /// Slope of the shallow ascending limb (default 0.8616).
    pub shallow_ascending_slope: f64,
    /// The curve's floor (default 0.1).
    pub minimum_value: f64,
    /// The properties read from OpenSim's defaults.
    pub defaults_used: Vec<&'static str>,
    /// Line of the curve element (the muscle's when the curve is absent).
    pub line: u32,
}

/// `ForceVelocityCurve` (defaults from `ForceVelocityCurve::constructProperties`). Velocities are normalised by
/// the maximum contraction velocity: −1 shortening at vmax, +1 lengthening.
#[derive(Debug, Clone, PartialEq)]
pub struct ForceVelocityCurve {
    /// Slope at −1 (default 0).
    pub concentric_slope_at_vmax: f64,
    /// Slope just before −1 (default 0.25).
    pub concentric_slope_near_vmax: f64,
    /// Slope at 0 (default 5).
    pub isometric_slope: f64,
    /// Slope at +1 (default 0).
    pub eccentric_slope_at_vmax: f64,
    /// Slope just before +1 (default 0.15).
    pub eccentric_slope_near_vmax: f64,
    /// Force multiplier at +1 (default 1.4).
    pub max_eccentric_velocity_force_multiplier: f64,
    /// Concentric curviness, 0 linear to 1 most curved (default 0.6).
    pub concentric_curviness: f64,
    /// Eccentric curviness (default 0.9).
    pub eccentric_curviness: f64,
    /// The properties read from OpenSim's defaults.
    pub defaults_used: Vec<&'static str>,
    /// Line of the curve element (the muscle's when the curve is absent).
    pub line: u32,
}

/// `FiberForceLengthCurve`. The last three parameters are optional in OpenSim and must be given all or none; when
/// none is given OpenSim computes them (`ensureCurveUpToDate`): stiffness at one normalised force `2/(e₁ − e₀)`,
/// stiffness at low force 0.2, curviness 0.75. Those computed values are stored here, with `fitted_defaults` set.
#[derive(Debug, Clone, PartialEq)]
pub struct FiberForceLengthCurve {
    /// Fibre strain at which passive force starts, `e₀` (default 0).
    pub strain_at_zero_force: f64,
    /// Fibre strain at one normalised force, `e₁` (default 0.7).
    pub strain_at_one_norm_force: f64,
    /// Stiffness at the end of the low-force region.
    pub stiffness_at_low_force: f64,
    /// Stiffness at one normalised force.
    pub stiffness_at_one_norm_force: f64,
    /// Bend of the curve, 0 linear to 1 most bent.
    pub curviness: f64,
    /// Whether the three optional parameters were computed by OpenSim's rule rather than given.
    pub fitted_defaults: bool,
    /// The properties read from OpenSim's defaults (the computed ones included).
    pub defaults_used: Vec<&'static str>,
    /// Line of the curve element (the muscle's when the curve is absent).
    pub line: u32,
}

/// `TendonForceLengthCurve`. As for the fibre curve, the optional three come all or none; when none is given
/// OpenSim computes stiffness at one normalised force `1.375/e₀`, force at the toe's end 2/3, curviness 0.5.
#[derive(Debug, Clone, PartialEq)]
pub struct TendonForceLengthCurve {
    /// Tendon strain at one normalised force, `e₀` (default 0.049).
    pub strain_at_one_norm_force: f64,
    /// Stiffness at one normalised force.
    pub stiffness_at_one_norm_force: f64,
    /// Normalised force at the end of the toe region.
    pub norm_force_at_toe_end: f64,
    /// Bend of the curve.
    pub curviness: f64,
    /// Whether the three optional parameters were computed by OpenSim's rule rather than given.
    pub fitted_defaults: bool,
    /// The properties read from OpenSim's defaults (the computed ones included).
    pub defaults_used: Vec<&'static str>,
    /// Line of the curve element (the muscle's when the curve is absent).
    pub line: u32,
}

/// `Thelen2003Muscle`'s own parameters (defaults from `Thelen2003Muscle::constructProperties`).
#[derive(Debug, Clone, PartialEq)]
pub struct Thelen2003Parameters {
    /// Tendon strain at maximum isometric force (`FmaxTendonStrain`, default 0.04).
    pub fmax_tendon_strain: f64,
    /// Passive fibre strain at maximum isometric force (`FmaxMuscleStrain`, default 0.6).
    pub fmax_muscle_strain: f64,
    /// Shape factor of the Gaussian active force-length curve (`KshapeActive`, default 0.45).
    pub kshape_active: f64,
    /// Exponential shape factor of the passive force-length curve (`KshapePassive`, default 5).
    pub kshape_passive: f64,
    /// Force-velocity shape factor (`Af`, default 0.25).
    pub af: f64,
    /// Maximum normalised lengthening force (`Flen`, default 1.4).
    pub flen: f64,
    /// Normalised force-velocity value beyond which the curve is extrapolated linearly (default 0.95).
    pub fv_linear_extrap_threshold: f64,
}

/// A point of a muscle path (`GeometryPath`'s `PathPointSet`).
// Plain data read once: the variants stay unboxed so that matching on them reads simply.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum PathPoint {
    /// `PathPoint`: fixed in a body.
    Fixed {
        /// Name.
        name: String,
        /// `ground` or the body it is fixed in.
        body: String,
        /// Location in the body frame, m.
        location_m: [f64; 3],
        /// Line of the element.
        line: u32,
    },
    /// `ConditionalPathPoint`: fixed in a body, part of the path only while a coordinate is within a range.
    /// OpenSim's `isActive`: active when `range[0] − 1e-5 <= value <= range[1] + 1e-5`.
    Conditional {
        /// Name.
        name: String,
        /// `ground` or the body it is fixed in.
        body: String,
        /// Location in the body frame, m.
        location_m: [f64; 3],
        /// The coordinate deciding.
        coordinate: String,
        /// `[min, max]` of that coordinate (rad or m; default `0 0`).
        range: [f64; 2],
        /// Line of the element.
        line: u32,
    },
    /// `MovingPathPoint`: each location component is a function of a coordinate, in the body frame.
    /// OpenSim's `getLocation` clamps the coordinate's value to the coordinate's `range` before evaluating the
    /// function (its `getVelocity` and `getdPointdQ` differentiate at the unclamped value); a component without a
    /// coordinate is its function at 0. OpenSim requires all three to name the same coordinate (or none); so is it
    /// here.
    Moving {
        /// Name.
        name: String,
        /// `ground` or the body it moves in.
        body: String,
        /// The x component.
        x: MovingComponent,
        /// The y component.
        y: MovingComponent,
        /// The z component.
        z: MovingComponent,
        /// Line of the element.
        line: u32,
    },
}

/// One location component of a moving path point: metres as a function of a coordinate's value.
#[derive(Debug, Clone, PartialEq)]
pub struct MovingComponent {
    /// The coordinate the function takes (`socket_x_coordinate` …), if any.
    pub coordinate: Option<String>,
    /// Location component, m, against the coordinate's value (default `Constant 0`).
    pub function: Function,
}

impl PathPoint {
    /// The point's name.
    pub fn name(&self) -> &str {
        match self {
            PathPoint::Fixed { name, .. } | PathPoint::Conditional { name, .. } | PathPoint::Moving { name, .. } => {
                name
            }
        }
    }

    /// The body (or `ground`) the point is in.
    pub fn body(&self) -> &str {
        match self {
            PathPoint::Fixed { body, .. } | PathPoint::Conditional { body, .. } | PathPoint::Moving { body, .. } => {
                body
            }
        }
    }

    /// The line of the point's element.
    pub fn line(&self) -> u32 {
        match self {
            PathPoint::Fixed { line, .. } | PathPoint::Conditional { line, .. } | PathPoint::Moving { line, .. } => {
                *line
            }
        }
    }
}

/// Properties of a muscle element that carry display only.
const DISPLAY: &[&str] = &["Appearance"];

pub(crate) fn parse_muscle(cx: &Cx, node: Node<'_, '_>, refs: &Refs) -> Result<Muscle, OsimError> {
    let mut obj = Obj::new(cx, node);
    let tag = obj.tag();
    let thelen = match tag {
        "Millard2012EquilibriumMuscle" => false,
        "Thelen2003Muscle" => true,
        other => {
            return Err(obj.err(format!(
                "unsupported force type {other} in the ForceSet (only Millard2012EquilibriumMuscle and \
                 Thelen2003Muscle)"
            )));
        }
    };
    let name = obj.name()?;
    obj.no_components()?;
    obj.ignore(DISPLAY);
    let mut defaults = Vec::new();
    let applies_force = applies_force(&mut obj, &mut defaults)?;
    let path_node = obj.take("GeometryPath")?.ok_or_else(|| obj.err("missing property GeometryPath"))?;
    let path = parse_path(cx, path_node, refs)?;
    let d = &mut defaults;
    let max_isometric_force_n = obj.f64_or("max_isometric_force", 1000.0, d)?;
    let optimal_fiber_length_m = obj.f64_or("optimal_fiber_length", 0.1, d)?;
    let tendon_slack_length_m = obj.f64_or("tendon_slack_length", 0.2, d)?;
    let pennation_angle_at_optimal_rad = obj.f64_or("pennation_angle_at_optimal", 0.0, d)?;
    let max_contraction_velocity = obj.f64_or("max_contraction_velocity", 10.0, d)?;
    let ignore_tendon_compliance = obj.bool_or("ignore_tendon_compliance", false, d)?;
    let ignore_activation_dynamics = obj.bool_or("ignore_activation_dynamics", false, d)?;
    let optimal_force_n = obj.f64_or("optimal_force", 1.0, d)?;
    let (act, deact) = if thelen { (0.015, 0.050) } else { (0.010, 0.040) };
    let activation_time_constant_s = obj.f64_or("activation_time_constant", act, d)?;
    let deactivation_time_constant_s = obj.f64_or("deactivation_time_constant", deact, d)?;
    let minimum_activation = obj.f64_or("minimum_activation", 0.01, d)?;
    let maximum_pennation_angle_rad = obj.f64_or("maximum_pennation_angle", 0.1_f64.acos(), d)?;
    let default_activation = obj.f64_or("default_activation", 0.05, d)?;
    let default_fiber_length_m = obj.f64_or("default_fiber_length", 0.1, d)?;
    let min_control = match obj.f64_or_infinite("min_control")? {
        Some(v) => v,
        None => {
            d.push("min_control");
            0.01
        }
    };
    let max_control = match obj.f64_or_infinite("max_control")? {
        Some(v) => v,
        None => {
            d.push("max_control");
            1.0
        }
    };
    for (what, value) in [
        ("max_isometric_force", max_isometric_force_n),
        ("optimal_fiber_length", optimal_fiber_length_m),
        ("tendon_slack_length", tendon_slack_length_m),
        ("max_contraction_velocity", max_contraction_velocity),
    ] {
        if !(value > 0.0) {
            return Err(obj.err(format!("{what} must be positive (got {value})")));
        }
    }
    let kind = if thelen {
        MuscleKind::Thelen2003(Thelen2003Parameters {
            fmax_tendon_strain: obj.f64_or("FmaxTendonStrain", 0.04, d)?,
            fmax_muscle_strain: obj.f64_or("FmaxMuscleStrain", 0.6, d)?,
            kshape_active: obj.f64_or("KshapeActive", 0.45, d)?,
            kshape_passive: obj.f64_or("KshapePassive", 5.0, d)?,
            af: obj.f64_or("Af", 0.25, d)?,
            flen: obj.f64_or("Flen", 1.4, d)?,
            fv_linear_extrap_threshold: obj.f64_or("fv_linear_extrap_threshold", 0.95, d)?,
        })
    } else {
        let fiber_damping = obj.f64_or("fiber_damping", 0.1, d)?;
        let line = obj.line();
        let afl = obj.take("ActiveForceLengthCurve")?;
        let fv = obj.take("ForceVelocityCurve")?;
        let fpe = obj.take("FiberForceLengthCurve")?;
        let fse = obj.take("TendonForceLengthCurve")?;
        let curves = MillardCurves {
            active_force_length: active_force_length(cx, afl, line)?,
            force_velocity: force_velocity(cx, fv, line)?,
            fiber_force_length: fiber_force_length(cx, fpe, line)?,
            tendon_force_length: tendon_force_length(cx, fse, line)?,
        };
        MuscleKind::Millard2012Equilibrium { fiber_damping, curves }
    };
    let line = obj.line();
    obj.finish()?;
    Ok(Muscle {
        name,
        kind,
        applies_force,
        max_isometric_force_n,
        optimal_fiber_length_m,
        tendon_slack_length_m,
        pennation_angle_at_optimal_rad,
        maximum_pennation_angle_rad,
        max_contraction_velocity,
        activation_time_constant_s,
        deactivation_time_constant_s,
        minimum_activation,
        ignore_tendon_compliance,
        ignore_activation_dynamics,
        default_activation,
        default_fiber_length_m,
        optimal_force_n,
        min_control,
        max_control,
        path,
        defaults_used: defaults,
        line,
    })
}

/// `appliesForce`, or the `isDisabled` of files before version 30509 (negated, as `Force::updateFromXMLNode`
/// converts it); both at once is an error.
pub(crate) fn applies_force(obj: &mut Obj<'_, '_, '_>, defaults: &mut Vec<&'static str>) -> Result<bool, OsimError> {
    let applies = obj.bool("appliesForce")?;
    let disabled = obj.bool("isDisabled")?;
    match (applies, disabled) {
        (Some(_), Some(_)) => Err(obj.err("has both appliesForce and isDisabled")),
        (Some(a), None) => Ok(a),
        (None, Some(d)) => Ok(!d),
        (None, None) => {
            defaults.push("appliesForce");
            Ok(true)
        }
    }
}

fn active_force_length(
    cx: &Cx,
    node: Option<Node<'_, '_>>,
    muscle_line: u32,
) -> Result<ActiveForceLengthCurve, OsimError> {
    let mut defaults = Vec::new();
    let d = &mut defaults;
    let Some(node) = node else {
        return Ok(ActiveForceLengthCurve {
            min_norm_active_fiber_length: 0.47 - 0.0259,
            transition_norm_fiber_length: 0.73,
            max_norm_active_fiber_length: 1.8123,
            shallow_ascending_slope: 0.8616,
            minimum_value: 0.1,
            defaults_used: vec!["ActiveForceLengthCurve"],
            line: muscle_line,
        });
    };
    let mut obj = Obj::new(cx, node);
    obj.no_components()?;
    let curve = ActiveForceLengthCurve {
        min_norm_active_fiber_length: obj.f64_or("min_norm_active_fiber_length", 0.47 - 0.0259, d)?,
        transition_norm_fiber_length: obj.f64_or("transition_norm_fiber_length", 0.73, d)?,
        max_norm_active_fiber_length: obj.f64_or("max_norm_active_fiber_length", 1.8123, d)?,
        shallow_ascending_slope: obj.f64_or("shallow_ascending_slope", 0.8616, d)?,
        minimum_value: obj.f64_or("minimum_value", 0.1, d)?,
        defaults_used: Vec::new(),
        line: obj.line(),
    };
    obj.finish()?;
    Ok(ActiveForceLengthCurve { defaults_used: defaults, ..curve })
}

fn force_velocity(cx: &Cx, node: Option<Node<'_, '_>>, muscle_line: u32) -> Result<ForceVelocityCurve, OsimError> {
    let mut defaults = Vec::new();
    let d = &mut defaults;
    let Some(node) = node else {
        return Ok(ForceVelocityCurve {
            concentric_slope_at_vmax: 0.0,
            concentric_slope_near_vmax: 0.25,
            isometric_slope: 5.0,
            eccentric_slope_at_vmax: 0.0,
            eccentric_slope_near_vmax: 0.15,
            max_eccentric_velocity_force_multiplier: 1.4,
            concentric_curviness: 0.6,
            eccentric_curviness: 0.9,
            defaults_used: vec!["ForceVelocityCurve"],
            line: muscle_line,
        });
    };
    let mut obj = Obj::new(cx, node);
    obj.no_components()?;
    let curve = ForceVelocityCurve {
        concentric_slope_at_vmax: obj.f64_or("concentric_slope_at_vmax", 0.0, d)?,
        concentric_slope_near_vmax: obj.f64_or("concentric_slope_near_vmax", 0.25, d)?,
        isometric_slope: obj.f64_or("isometric_slope", 5.0, d)?,
        eccentric_slope_at_vmax: obj.f64_or("eccentric_slope_at_vmax", 0.0, d)?,
        eccentric_slope_near_vmax: obj.f64_or("eccentric_slope_near_vmax", 0.15, d)?,
        max_eccentric_velocity_force_multiplier: obj.f64_or("max_eccentric_velocity_force_multiplier", 1.4, d)?,
        concentric_curviness: obj.f64_or("concentric_curviness", 0.6, d)?,
        eccentric_curviness: obj.f64_or("eccentric_curviness", 0.9, d)?,
        defaults_used: Vec::new(),
        line: obj.line(),
    };
    obj.finish()?;
    Ok(ForceVelocityCurve { defaults_used: defaults, ..curve })
}

/// Reads the optional three of a fibre or tendon curve: all given, or none (then `None`).
fn optional_three(obj: &mut Obj<'_, '_, '_>, tags: [&'static str; 3]) -> Result<Option<[f64; 3]>, OsimError> {
    let values = [obj.f64(tags[0])?, obj.f64(tags[1])?, obj.f64(tags[2])?];
    match values {
        [Some(a), Some(b), Some(c)] => Ok(Some([a, b, c])),
        [None, None, None] => Ok(None),
        _ => Err(obj.err(format!(
            "optional parameters {}, {} and {} must either all be set or all be absent (as OpenSim requires)",
            tags[0], tags[1], tags[2]
        ))),
    }
}

fn fiber_force_length(
    cx: &Cx,
    node: Option<Node<'_, '_>>,
    muscle_line: u32,
) -> Result<FiberForceLengthCurve, OsimError> {
    let mut defaults = Vec::new();
    let (e0, e1, given, line) = match node {
        None => {
            defaults.push("FiberForceLengthCurve");
            (0.0, 0.7, None, muscle_line)
        }
        Some(node) => {
            let mut obj = Obj::new(cx, node);
            obj.no_components()?;
            let e0 = obj.f64_or("strain_at_zero_force", 0.0, &mut defaults)?;
            let e1 = obj.f64_or("strain_at_one_norm_force", 0.7, &mut defaults)?;
            let given =
                optional_three(&mut obj, ["stiffness_at_low_force", "stiffness_at_one_norm_force", "curviness"])?;
            if !(e1 > e0) {
                return Err(obj.err(format!("strain_at_one_norm_force {e1} must exceed strain_at_zero_force {e0}")));
            }
            let line = obj.line();
            obj.finish()?;
            (e0, e1, given, line)
        }
    };
    let fitted = given.is_none();
    let [stiffness_at_low_force, stiffness_at_one_norm_force, curviness] = given.unwrap_or_else(|| {
        defaults.extend(["stiffness_at_low_force", "stiffness_at_one_norm_force", "curviness"]);
        [0.2, 2.0 / (e1 - e0), 0.75]
    });
    Ok(FiberForceLengthCurve {
        strain_at_zero_force: e0,
        strain_at_one_norm_force: e1,
        stiffness_at_low_force,
        stiffness_at_one_norm_force,
        curviness,
        fitted_defaults: fitted,
        defaults_used: defaults,
        line,
    })
}

fn tendon_force_length(
    cx: &Cx,
    node: Option<Node<'_, '_>>,
    muscle_line: u32,
) -> Result<TendonForceLengthCurve, OsimError> {
    let mut defaults = Vec::new();
    let (e0, given, line) = match node {
        None => {
            defaults.push("TendonForceLengthCurve");
            (0.049, None, muscle_line)
        }
        Some(node) => {
            let mut obj = Obj::new(cx, node);
            obj.no_components()?;
            let e0 = obj.f64_or("strain_at_one_norm_force", 0.049, &mut defaults)?;
            let given =
                optional_three(&mut obj, ["stiffness_at_one_norm_force", "norm_force_at_toe_end", "curviness"])?;
            if !(e0 > 0.0) {
                return Err(obj.err(format!("strain_at_one_norm_force must be positive (got {e0})")));
            }
            let line = obj.line();
            obj.finish()?;
            (e0, given, line)
        }
    };
    let fitted = given.is_none();
    let [stiffness_at_one_norm_force, norm_force_at_toe_end, curviness] = given.unwrap_or_else(|| {
        defaults.extend(["stiffness_at_one_norm_force", "norm_force_at_toe_end", "curviness"]);
        [1.375 / e0, 2.0 / 3.0, 0.5]
    });
    Ok(TendonForceLengthCurve {
        strain_at_one_norm_force: e0,
        stiffness_at_one_norm_force,
        norm_force_at_toe_end,
        curviness,
        fitted_defaults: fitted,
        defaults_used: defaults,
        line,
    })
}

fn parse_path(cx: &Cx, node: Node<'_, '_>, refs: &Refs) -> Result<Vec<PathPoint>, OsimError> {
    let mut obj = Obj::new(cx, node);
    obj.ignore(&["Appearance", "default_color"]);
    obj.no_components()?;
    if let Some(wraps) = obj.take("PathWrapSet")? {
        empty_set(cx, wraps, "path wraps")?;
    }
    let mut points: Vec<PathPoint> = Vec::new();
    if let Some(set) = obj.take("PathPointSet")? {
        for point in set_objects(cx, set)? {
            points.push(parse_path_point(cx, point, refs)?);
        }
    }
    if points.len() < 2 {
        return Err(obj.err(format!("a path needs at least two points (got {})", points.len())));
    }
    obj.finish()?;
    Ok(points)
}

fn parse_path_point(cx: &Cx, node: Node<'_, '_>, refs: &Refs) -> Result<PathPoint, OsimError> {
    let mut obj = Obj::new(cx, node);
    let tag = obj.tag();
    if !matches!(tag, "PathPoint" | "ConditionalPathPoint" | "MovingPathPoint") {
        return Err(obj.err(format!(
            "unsupported path point type {tag} (only PathPoint, ConditionalPathPoint, MovingPathPoint)"
        )));
    }
    let name = obj.name()?;
    obj.no_components()?;
    let (path, field) =
        obj.text("socket_parent_frame")?.ok_or_else(|| obj.err("missing property socket_parent_frame"))?;
    let body = refs.body(&obj, "socket_parent_frame", field, &path)?;
    let line = obj.line();
    let point = match tag {
        "PathPoint" => {
            let location_m = obj.array::<3>("location")?.unwrap_or([0.0; 3]);
            PathPoint::Fixed { name, body, location_m, line }
        }
        "ConditionalPathPoint" => {
            let location_m = obj.array::<3>("location")?.unwrap_or([0.0; 3]);
            let (path, field) =
                obj.text("socket_coordinate")?.ok_or_else(|| obj.err("missing property socket_coordinate"))?;
            let coordinate = refs.coordinate(&obj, "socket_coordinate", field, &path)?;
            let range = obj.array::<2>("range")?.unwrap_or([0.0, 0.0]);
            if range[0] > range[1] {
                return Err(obj.err(format!("range minimum {} is above its maximum {}", range[0], range[1])));
            }
            PathPoint::Conditional { name, body, location_m, coordinate, range, line }
        }
        _ => {
            let component = |obj: &mut Obj<'_, '_, '_>, axis: &str| -> Result<MovingComponent, OsimError> {
                let socket = format!("socket_{axis}_coordinate");
                let coordinate = match obj.text(&socket)? {
                    Some((path, _)) if path.is_empty() => None,
                    Some((path, field)) => Some(refs.coordinate(obj, &socket, field, &path)?),
                    None => None,
                };
                let function = take_function(obj, &format!("{axis}_location"))?
                    .map_or(Function::Constant { value: 0.0 }, |(f, _)| f);
                Ok(MovingComponent { coordinate, function })
            };
            let x = component(&mut obj, "x")?;
            let y = component(&mut obj, "y")?;
            let z = component(&mut obj, "z")?;
            if x.coordinate != y.coordinate || x.coordinate != z.coordinate {
                return Err(obj.err(format!(
                    "x, y and z must depend on the same coordinate, as OpenSim requires (got {}, {}, {})",
                    show(&x.coordinate),
                    show(&y.coordinate),
                    show(&z.coordinate)
                )));
            }
            PathPoint::Moving { name, body, x, y, z, line }
        }
    };
    obj.finish()?;
    Ok(point)
}

fn show(coordinate: &Option<String>) -> String {
    coordinate.as_deref().map_or_else(|| "none".to_string(), quote)
}
