//! Probes of the probe set: the two muscle metabolics probes.
//!
//! Defaults are OpenSim 4's: `Probe::constructProperties` (enabled, `value`, no initial conditions, gain 1),
//! `Umberger2010MuscleMetabolicsProbe::constructProperties` and its `_MetabolicMuscleParameter`'s,
//! `Bhargava2004MuscleMetabolicsProbe::constructProperties` and its `_MetabolicMuscleParameter`'s
//! (opensim-core `OpenSim/Simulation/Model/`).
//!
//! Where OpenSim, on connecting the probe, only warns and disables it (a parameter set naming a muscle the model
//! lacks; `use_provided_muscle_mass` without a positive mass; non-positive specific tension or density), this crate
//! refuses the file.

use roxmltree::Node;

use crate::error::OsimError;
use crate::function::{Function, PiecewiseLinear, take_function};
use crate::model::Refs;
use crate::xml::{Cx, Obj, quote, set_objects};

/// A probe of the model.
#[derive(Debug, Clone, PartialEq)]
pub enum Probe {
    /// `Umberger2010MuscleMetabolicsProbe`.
    Umberger2010(Umberger2010Probe),
    /// `Bhargava2004MuscleMetabolicsProbe`.
    Bhargava2004(Bhargava2004Probe),
}

impl Probe {
    /// The probe's common settings.
    pub fn common(&self) -> &ProbeCommon {
        match self {
            Probe::Umberger2010(p) => &p.common,
            Probe::Bhargava2004(p) => &p.common,
        }
    }
}

/// What OpenSim does with a probe's value (`probe_operation`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProbeOperation {
    /// `value`: the value as it is (default).
    Value,
    /// `integrate`: its integral over time.
    Integrate,
    /// `differentiate`.
    Differentiate,
    /// `minimum`.
    Minimum,
    /// `minabs`.
    MinAbs,
    /// `maximum`.
    Maximum,
    /// `maxabs`.
    MaxAbs,
}

/// Settings every probe has (`Probe`).
#[derive(Debug, Clone, PartialEq)]
pub struct ProbeCommon {
    /// Name.
    pub name: String,
    /// `enabled` (default true).
    pub enabled: bool,
    /// `probe_operation` (default `value`).
    pub operation: ProbeOperation,
    /// `initial_conditions_for_integration` (default none).
    pub initial_conditions_for_integration: Vec<f64>,
    /// `gain` applied to the output (default 1).
    pub gain: f64,
    /// Line of the probe element.
    pub line: u32,
}

/// `Umberger2010MuscleMetabolicsProbe`: Umberger et al. (2003) and Umberger (2010) muscle energetics, W.
#[derive(Debug, Clone, PartialEq)]
pub struct Umberger2010Probe {
    /// Name, enabled, operation, gain.
    pub common: ProbeCommon,
    /// `activation_maintenance_rate_on` (default true).
    pub activation_maintenance_rate_on: bool,
    /// `shortening_rate_on` (default true).
    pub shortening_rate_on: bool,
    /// `basal_rate_on` (default true).
    pub basal_rate_on: bool,
    /// `mechanical_work_rate_on` (default true).
    pub mechanical_work_rate_on: bool,
    /// `enforce_minimum_heat_rate_per_muscle`: clamp each muscle's heat rate to at least 1 W/kg (default true).
    pub enforce_minimum_heat_rate_per_muscle: bool,
    /// `aerobic_factor` S: 1.0 anaerobic, 1.5 aerobic (default 1.5).
    pub aerobic_factor: f64,
    /// `basal_coefficient`, W/kg (default 1.2, standing, Umberger 2003 p. 105).
    pub basal_coefficient: f64,
    /// `basal_exponent` (default 1).
    pub basal_exponent: f64,
    /// `muscle_effort_scaling_factor` on excitations and activations (default 1).
    pub muscle_effort_scaling_factor: f64,
    /// `use_Bhargava_recruitment_model` (default true).
    pub use_bhargava_recruitment_model: bool,
    /// `include_negative_mechanical_work` (default true).
    pub include_negative_mechanical_work: bool,
    /// `forbid_negative_total_power` (default true).
    pub forbid_negative_total_power: bool,
    /// `report_total_metabolics_only` (default true).
    pub report_total_metabolics_only: bool,
    /// Per-muscle parameters, in file order; only these muscles count.
    pub muscles: Vec<MetabolicMuscle>,
    /// The probe's properties read from OpenSim's defaults.
    pub defaults_used: Vec<&'static str>,
}

/// `Bhargava2004MuscleMetabolicsProbe`: Bhargava et al. (2004) muscle energetics, W.
#[derive(Debug, Clone, PartialEq)]
pub struct Bhargava2004Probe {
    /// Name, enabled, operation, gain.
    pub common: ProbeCommon,
    /// `activation_rate_on` (default true).
    pub activation_rate_on: bool,
    /// `maintenance_rate_on` (default true).
    pub maintenance_rate_on: bool,
    /// `shortening_rate_on` (default true).
    pub shortening_rate_on: bool,
    /// `basal_rate_on` (default true).
    pub basal_rate_on: bool,
    /// `mechanical_work_rate_on` (default true).
    pub mechanical_work_rate_on: bool,
    /// `enforce_minimum_heat_rate_per_muscle` (default true).
    pub enforce_minimum_heat_rate_per_muscle: bool,
    /// `normalized_fiber_length_dependence_on_maintenance_rate`: maintenance-rate factor against normalised fibre
    /// length (default piecewise linear through (0, 0.5), (0.5, 0.5), (1, 1), (1.5, 0), (2, 0)).
    pub normalized_fiber_length_dependence_on_maintenance_rate: Function,
    /// `use_force_dependent_shortening_prop_constant` (default false).
    pub use_force_dependent_shortening_prop_constant: bool,
    /// `basal_coefficient`, W/kg (default 1.2).
    pub basal_coefficient: f64,
    /// `basal_exponent` (default 1).
    pub basal_exponent: f64,
    /// `muscle_effort_scaling_factor` (default 1).
    pub muscle_effort_scaling_factor: f64,
    /// `include_negative_mechanical_work` (default true).
    pub include_negative_mechanical_work: bool,
    /// `forbid_negative_total_power` (default true).
    pub forbid_negative_total_power: bool,
    /// `report_total_metabolics_only` (default true).
    pub report_total_metabolics_only: bool,
    /// Per-muscle parameters, in file order; only these muscles count.
    pub muscles: Vec<MetabolicMuscle>,
    /// The probe's properties read from OpenSim's defaults.
    pub defaults_used: Vec<&'static str>,
}

/// One muscle's metabolic parameters (`…_MetabolicMuscleParameter`; its name is the muscle's).
#[derive(Debug, Clone, PartialEq)]
pub struct MetabolicMuscle {
    /// The muscle (exists in the model).
    pub muscle: String,
    /// `ratio_slow_twitch_fibers`, 0 to 1 (default 0.5).
    pub ratio_slow_twitch_fibers: f64,
    /// `use_provided_muscle_mass` (default false): if true the mass is `provided_muscle_mass_kg`, otherwise OpenSim
    /// computes it from the muscle's force, optimal fibre length, `specific_tension` and `density`.
    pub use_provided_muscle_mass: bool,
    /// `provided_muscle_mass`, kg (OpenSim's default is NaN: `None` here).
    pub provided_muscle_mass_kg: Option<f64>,
    /// `specific_tension`, Pa (default 0.25e6, mammalian muscle).
    pub specific_tension_pa: f64,
    /// `density`, kg/m³ (default 1059.7, mammalian muscle).
    pub density_kg_per_m3: f64,
    /// Bhargava only: activation, maintenance constants of slow- and fast-twitch fibres, W/kg.
    pub bhargava: Option<BhargavaConstants>,
    /// The properties read from OpenSim's defaults.
    pub defaults_used: Vec<&'static str>,
    /// Line of the parameter element.
    pub line: u32,
}

/// The Bhargava 2004 per-muscle constants, W/kg.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BhargavaConstants {
    /// `activation_constant_slow_twitch` (default 40).
    pub activation_constant_slow_twitch: f64,
    /// `activation_constant_fast_twitch` (default 133).
    pub activation_constant_fast_twitch: f64,
    /// `maintenance_constant_slow_twitch` (default 74).
    pub maintenance_constant_slow_twitch: f64,
    /// `maintenance_constant_fast_twitch` (default 111).
    pub maintenance_constant_fast_twitch: f64,
}

pub(crate) fn parse_probe(cx: &Cx, node: Node<'_, '_>, refs: &Refs) -> Result<Probe, OsimError> {
    let mut obj = Obj::new(cx, node);
    let tag = obj.tag();
    let bhargava = match tag {
        "Umberger2010MuscleMetabolicsProbe" => false,
        "Bhargava2004MuscleMetabolicsProbe" => true,
        other => {
            return Err(obj.err(format!(
                "unsupported probe type {other} (only Umberger2010MuscleMetabolicsProbe and \
                 Bhargava2004MuscleMetabolicsProbe)"
            )));
        }
    };
    obj.no_components()?;
    let mut defaults = Vec::new();
    let common = parse_common(&mut obj, &mut defaults)?;
    let d = &mut defaults;
    let set_tag = if bhargava {
        "Bhargava2004MuscleMetabolicsProbe_MetabolicMuscleParameterSet"
    } else {
        "Umberger2010MuscleMetabolicsProbe_MetabolicMuscleParameterSet"
    };
    let mut muscles = Vec::new();
    if let Some(set) = obj.take(set_tag)? {
        for node in set_objects(cx, set)? {
            let m = parse_metabolic_muscle(cx, node, refs, bhargava)?;
            if muscles.iter().any(|o: &MetabolicMuscle| o.muscle == m.muscle) {
                return Err(cx.err_at(node, &crate::xml::label(node), "a second parameter set for this muscle"));
            }
            muscles.push(m);
        }
    } else {
        d.push(set_tag);
    }
    let probe = if bhargava {
        let activation_rate_on = obj.bool_or("activation_rate_on", true, d)?;
        let maintenance_rate_on = obj.bool_or("maintenance_rate_on", true, d)?;
        let shortening_rate_on = obj.bool_or("shortening_rate_on", true, d)?;
        let basal_rate_on = obj.bool_or("basal_rate_on", true, d)?;
        let mechanical_work_rate_on = obj.bool_or("mechanical_work_rate_on", true, d)?;
        let enforce_minimum_heat_rate_per_muscle = obj.bool_or("enforce_minimum_heat_rate_per_muscle", true, d)?;
        let dependence = match take_function(&mut obj, "normalized_fiber_length_dependence_on_maintenance_rate")? {
            Some((function, _)) => function,
            None => {
                d.push("normalized_fiber_length_dependence_on_maintenance_rate");
                let curve = PiecewiseLinear::new(vec![0.0, 0.5, 1.0, 1.5, 2.0], vec![0.5, 0.5, 1.0, 0.0, 0.0]);
                Function::PiecewiseLinear(curve.map_err(|p| obj.err(p))?)
            }
        };
        Probe::Bhargava2004(Bhargava2004Probe {
            activation_rate_on,
            maintenance_rate_on,
            shortening_rate_on,
            basal_rate_on,
            mechanical_work_rate_on,
            enforce_minimum_heat_rate_per_muscle,
            normalized_fiber_length_dependence_on_maintenance_rate: dependence,
            use_force_dependent_shortening_prop_constant: obj.bool_or(
                "use_force_dependent_shortening_prop_constant",
                false,
                d,
            )?,
            basal_coefficient: obj.f64_or("basal_coefficient", 1.2, d)?,
            basal_exponent: obj.f64_or("basal_exponent", 1.0, d)?,
            muscle_effort_scaling_factor: obj.f64_or("muscle_effort_scaling_factor", 1.0, d)?,
            include_negative_mechanical_work: obj.bool_or("include_negative_mechanical_work", true, d)?,
            forbid_negative_total_power: obj.bool_or("forbid_negative_total_power", true, d)?,
            report_total_metabolics_only: obj.bool_or("report_total_metabolics_only", true, d)?,
            muscles,
            defaults_used: Vec::new(),
            common,
        })
    } else {
        Probe::Umberger2010(Umberger2010Probe {
            activation_maintenance_rate_on: obj.bool_or("activation_maintenance_rate_on", true, d)?,
            shortening_rate_on: obj.bool_or("shortening_rate_on", true, d)?,
            basal_rate_on: obj.bool_or("basal_rate_on", true, d)?,
            mechanical_work_rate_on: obj.bool_or("mechanical_work_rate_on", true, d)?,
            enforce_minimum_heat_rate_per_muscle: obj.bool_or("enforce_minimum_heat_rate_per_muscle", true, d)?,
            aerobic_factor: obj.f64_or("aerobic_factor", 1.5, d)?,
            basal_coefficient: obj.f64_or("basal_coefficient", 1.2, d)?,
            basal_exponent: obj.f64_or("basal_exponent", 1.0, d)?,
            muscle_effort_scaling_factor: obj.f64_or("muscle_effort_scaling_factor", 1.0, d)?,
            use_bhargava_recruitment_model: obj.bool_or("use_Bhargava_recruitment_model", true, d)?,
            include_negative_mechanical_work: obj.bool_or("include_negative_mechanical_work", true, d)?,
            forbid_negative_total_power: obj.bool_or("forbid_negative_total_power", true, d)?,
            report_total_metabolics_only: obj.bool_or("report_total_metabolics_only", true, d)?,
            muscles,
            defaults_used: Vec::new(),
            common,
        })
    };
    obj.finish()?;
    Ok(match probe {
        Probe::Umberger2010(p) => Probe::Umberger2010(Umberger2010Probe { defaults_used: defaults, ..p }),
        Probe::Bhargava2004(p) => Probe::Bhargava2004(Bhargava2004Probe { defaults_used: defaults, ..p }),
    })
}

fn parse_common(obj: &mut Obj<'_, '_, '_>, d: &mut Vec<&'static str>) -> Result<ProbeCommon, OsimError> {
    let name = obj.name()?;
    let enabled = obj.bool_or("enabled", true, d)?;
    let operation = match obj.text("probe_operation")? {
        None => {
            d.push("probe_operation");
            ProbeOperation::Value
        }
        Some((text, field)) => match text.to_ascii_lowercase().as_str() {
            "value" => ProbeOperation::Value,
            "integrate" => ProbeOperation::Integrate,
            "differentiate" => ProbeOperation::Differentiate,
            "minimum" => ProbeOperation::Minimum,
            "minabs" => ProbeOperation::MinAbs,
            "maximum" => ProbeOperation::Maximum,
            "maxabs" => ProbeOperation::MaxAbs,
            _ => {
                return Err(obj.err_at(
                    field,
                    format!(
                        "probe_operation {} is not one of value, integrate, differentiate, minimum, minabs, \
                         maximum, maxabs",
                        quote(&text)
                    ),
                ));
            }
        },
    };
    let initial_conditions_for_integration =
        obj.list("initial_conditions_for_integration", false)?.map(|(v, _, _)| v).unwrap_or_default();
    let gain = obj.f64_or("gain", 1.0, d)?;
    Ok(ProbeCommon { name, enabled, operation, initial_conditions_for_integration, gain, line: obj.line() })
}

fn parse_metabolic_muscle(
    cx: &Cx,
    node: Node<'_, '_>,
    refs: &Refs,
    bhargava: bool,
) -> Result<MetabolicMuscle, OsimError> {
    let mut obj = Obj::new(cx, node);
    let expected = if bhargava {
        "Bhargava2004MuscleMetabolicsProbe_MetabolicMuscleParameter"
    } else {
        "Umberger2010MuscleMetabolicsProbe_MetabolicMuscleParameter"
    };
    if obj.tag() != expected {
        return Err(obj.err(format!("expected a {expected}, found {}", obj.tag())));
    }
    let muscle = obj.name()?;
    if !refs.muscles.contains(&muscle) {
        return Err(obj.err(format!("names muscle {muscle}, which the model's ForceSet does not have")));
    }
    let mut defaults = Vec::new();
    let d = &mut defaults;
    let specific_tension_pa = obj.f64_or("specific_tension", 0.25e6, d)?;
    let density_kg_per_m3 = obj.f64_or("density", 1059.7, d)?;
    let ratio_slow_twitch_fibers = obj.f64_or("ratio_slow_twitch_fibers", 0.5, d)?;
    if !(0.0..=1.0).contains(&ratio_slow_twitch_fibers) {
        return Err(
            obj.err(format!("ratio_slow_twitch_fibers must be between 0 and 1 (got {ratio_slow_twitch_fibers})"))
        );
    }
    let use_provided_muscle_mass = obj.bool_or("use_provided_muscle_mass", false, d)?;
    let provided_muscle_mass_kg = match obj.text("provided_muscle_mass")? {
        None => {
            d.push("provided_muscle_mass");
            None
        }
        Some((text, field)) => match crate::xml::parse_number(&text) {
            Some(v) if v.is_nan() => None,
            Some(v) if v.is_finite() => Some(v),
            _ => return Err(obj.err_at(field, format!("provided_muscle_mass must be a number (got {})", quote(&text)))),
        },
    };
    if use_provided_muscle_mass && !provided_muscle_mass_kg.is_some_and(|m| m > 0.0) {
        return Err(obj.err("use_provided_muscle_mass is true but provided_muscle_mass is not a positive mass"));
    }
    if !use_provided_muscle_mass && (specific_tension_pa <= 0.0 || density_kg_per_m3 <= 0.0) {
        return Err(obj.err("specific_tension and density must be positive"));
    }
    let bhargava = if bhargava {
        Some(BhargavaConstants {
            activation_constant_slow_twitch: obj.f64_or("activation_constant_slow_twitch", 40.0, d)?,
            activation_constant_fast_twitch: obj.f64_or("activation_constant_fast_twitch", 133.0, d)?,
            maintenance_constant_slow_twitch: obj.f64_or("maintenance_constant_slow_twitch", 74.0, d)?,
            maintenance_constant_fast_twitch: obj.f64_or("maintenance_constant_fast_twitch", 111.0, d)?,
        })
    } else {
        None
    };
    let line = obj.line();
    obj.finish()?;
    Ok(MetabolicMuscle {
        muscle,
        ratio_slow_twitch_fibers,
        use_provided_muscle_mass,
        provided_muscle_mass_kg,
        specific_tension_pa,
        density_kg_per_m3,
        bhargava,
        defaults_used: defaults,
        line,
    })
}
