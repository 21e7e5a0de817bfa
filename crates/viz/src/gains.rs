//! The controller's tunable gains as the panel shows them, and their way to the controller.

use bevy::prelude::*;
use exo_control::{ControlLaw, ParamId};
use exo_sim::body::Joint;

use crate::live::LiveSim;

/// One slider: a parameter of the control law at one actuated joint.
#[derive(Clone, Debug, PartialEq)]
pub struct GainEntry {
    /// The parameter.
    pub id: ParamId,
    /// Its name, unit as suffix.
    pub name: &'static str,
    /// The joint.
    pub joint: Joint,
    /// Lowest value offered.
    pub min: f64,
    /// Highest value offered.
    pub max: f64,
    /// The value shown (the controller's after each frame).
    pub value: f64,
    /// Set by the panel when the user moved the slider; cleared when applied.
    pub edited: bool,
    /// Why the controller refused the last value, if it did.
    pub error: Option<String>,
}

/// The gains of the active controller, per joint that has an actuator.
#[derive(Resource, Clone, Debug, Default, PartialEq)]
pub struct GainPanel {
    /// The sliders, parameter by parameter, joint by joint.
    pub entries: Vec<GainEntry>,
}

impl GainPanel {
    /// The parameters `law` offers at the `actuated` joints, with their current values.
    #[must_use]
    pub fn from_law(law: &dyn ControlLaw<f64, 3>, actuated: [bool; 3]) -> Self {
        let mut entries = Vec::new();
        for (index, info) in law.parameters().iter().enumerate() {
            for j in Joint::ALL.into_iter().filter(|j| actuated[j.index()]) {
                let id = ParamId { index: index as u8, joint: j.index() as u8 };
                let Some(value) = law.parameter(id) else { continue };
                entries.push(GainEntry {
                    id,
                    name: info.name,
                    joint: j,
                    min: info.min,
                    max: info.max,
                    value,
                    edited: false,
                    error: None,
                });
            }
        }
        Self { entries }
    }

    /// The panel of a live simulation's controller.
    #[must_use]
    pub fn of(live: &LiveSim) -> Self {
        live.read(|sim| {
            let actuated = std::array::from_fn(|k| sim.actuators()[k].is_some());
            Self::from_law(sim.controller(), actuated)
        })
    }

    /// The entry of parameter `name` at `joint`.
    #[must_use]
    pub fn find(&self, name: &str, joint: Joint) -> Option<usize> {
        self.entries.iter().position(|e| e.name == name && e.joint == joint)
    }

    /// What the panel does when a slider moves: the new value, to be applied at the next frame.
    pub fn edit(&mut self, entry: usize, value: f64) {
        if let Some(e) = self.entries.get_mut(entry) {
            e.value = value;
            e.edited = true;
        }
    }
}

/// Sends edited gains to the controller at once, then shows the controller's values (a refused value springs
/// back; a parameter shared by all joints shows on every joint).
pub fn apply_gain_changes(mut panel: ResMut<GainPanel>, mut live: ResMut<LiveSim>) {
    if !panel.entries.iter().any(|e| e.edited) {
        return;
    }
    let law = live.simulation_mut().controller_mut();
    for e in panel.entries.iter_mut().filter(|e| e.edited) {
        e.edited = false;
        e.error = law.set_parameter(e.id, e.value).err().map(|err| err.to_string());
    }
    for e in &mut panel.entries {
        if let Some(v) = law.parameter(e.id) {
            e.value = v;
        }
    }
}
