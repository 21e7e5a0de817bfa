//! The device's firmware configuration as a file: what `exosim export-law` writes for the firmware image
//! (`crates/firmware`), in exo-control's own serde form and the precision the image runs (`f32`).

use serde::Serialize;

use super::build::{build, law_gravity};
use super::load::{LoadedScenario, ScenarioError};
use super::per_joint::JointName;
use super::schema::LawName;
use crate::actuator::ActuatorConfig;
use crate::control::SupervisorSpec;
use crate::control::registry::LawContext;

#[derive(Serialize)]
struct LawFile<A, S> {
    joints: usize,
    assistance: A,
    supervisor: S,
}

/// The scenario's assistance law and supervisor for its actuated joints in `f32`, as TOML: `joints = N`,
/// `[assistance]` = `AssistanceConfig<f32, N>`, `[supervisor]` = `SupervisorConfig<f32, N>`, exactly what the
/// simulation builds (the image runs the assistance law only).
pub fn firmware_law(l: &LoadedScenario) -> Result<String, ScenarioError> {
    let sc = &l.scenario;
    if sc.controller.law != LawName::Assistance {
        return Err(l.error(
            "controller.law",
            format!(
                "the firmware image runs the `assistance` law, and this scenario's law is `{}`",
                sc.controller.law.as_str()
            ),
        ));
    }
    let parts = build(l, true)?;
    let names: Vec<JointName> = parts.joints.iter().map(|j| JointName::new(&j.name)).collect();
    let configs: Vec<ActuatorConfig> = parts.actuators.iter().map(|a| a.config().clone()).collect();
    let peak: Vec<f64> = configs.iter().map(ActuatorConfig::peak_torque_nm).collect();
    let limit = match &sc.controller.torque_limit_nm {
        Some(v) => v.resolve_indexed(&names, "controller.torque_limit_nm", |k| peak[k]).map_err(|e| l.invalid(e))?,
        None => peak,
    };
    let gravity = law_gravity(sc, &parts.world, &parts.joints);
    let ctx = LawContext {
        joints: &names,
        actuators: &configs,
        torque_limit_nm: &limit,
        gravity: &gravity,
        section: "controller.assistance",
    };
    let law = sc.controller.assistance.clone().unwrap_or_default();
    fn write<const N: usize>(
        law: &crate::control::laws::assistance::AssistanceLaw,
        ctx: &LawContext<'_>,
        spec: &SupervisorSpec,
    ) -> Result<String, crate::error::ValidationError> {
        let file = LawFile { joints: N, assistance: law.config::<f32, N>(ctx)?, supervisor: spec.config::<f32, N>() };
        toml::to_string(&file).map_err(|e| crate::error::ValidationError::new("controller", e.to_string()))
    }
    let text = match names.len() {
        1 => write::<1>(&law, &ctx, &parts.supervisor),
        2 => write::<2>(&law, &ctx, &parts.supervisor),
        3 => write::<3>(&law, &ctx, &parts.supervisor),
        4 => write::<4>(&law, &ctx, &parts.supervisor),
        5 => write::<5>(&law, &ctx, &parts.supervisor),
        6 => write::<6>(&law, &ctx, &parts.supervisor),
        n => {
            Err(crate::error::ValidationError::new("actuators", format!("{n} actuated joints: the image takes 1 to 6")))
        }
    }
    .map_err(|e| l.invalid(e))?;
    Ok(format!(
        "# The firmware configuration of scenario `{}` (written by `exosim export-law`): exo-control's serde form of\n\
         # the assistance law and the supervisor in f32 for the joints {}.\n{text}",
        sc.name,
        names.iter().map(|n| n.name.as_str()).collect::<Vec<_>>().join(", ")
    ))
}
