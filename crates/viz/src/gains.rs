//! The controller's tunable gains as the panel shows them, and their way to the controller.

use bevy::prelude::*;
use exo_control::ParamId;
use exo_sim::control::Controller;

use crate::live::LiveSim;

/// One slider: a parameter of the control law at one controlled joint.
#[derive(Clone, Debug, PartialEq)]
pub struct GainEntry {
    /// The parameter.
    pub id: ParamId,
    /// Its name, unit as suffix.
    pub name: &'static str,
    /// The controlled joint's name (`knee`).
    pub joint: String,
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

/// The gains of the active controller, per controlled (actuated) joint.
#[derive(Resource, Clone, Debug, Default, PartialEq)]
pub struct GainPanel {
    /// The sliders, parameter by parameter, joint by joint.
    pub entries: Vec<GainEntry>,
}

impl GainPanel {
    /// The parameters `controller` offers at its `joints` (the simulation's controlled joints' names, in the
    /// controller's joint order), with their current values.
    #[must_use]
    pub fn from_controller(controller: &dyn Controller, joints: &[&str]) -> Self {
        let mut entries = Vec::new();
        for (index, info) in controller.parameters().iter().enumerate() {
            for (k, joint) in joints.iter().enumerate().take(controller.joints()) {
                let (Ok(index), Ok(k)) = (u8::try_from(index), u8::try_from(k)) else { continue };
                let id = ParamId { index, joint: k };
                let Some(value) = controller.parameter(id) else { continue };
                entries.push(GainEntry {
                    id,
                    name: info.name,
                    joint: (*joint).to_string(),
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
        live.read_loop(|sim| {
            let joints: Vec<&str> = (0..sim.joint_count()).filter_map(|k| sim.joint_name(k)).collect();
            Self::from_controller(sim.controller(), &joints)
        })
    }

    /// The entry of parameter `name` at the controlled joint named `joint`.
    #[must_use]
    pub fn find(&self, name: &str, joint: &str) -> Option<usize> {
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
    let controller = live.control_loop_mut().controller_mut();
    for e in panel.entries.iter_mut().filter(|e| e.edited) {
        e.edited = false;
        e.error = controller.set_parameter(e.id, e.value).err().map(|err| err.to_string());
    }
    for e in &mut panel.entries {
        if let Some(v) = controller.parameter(e.id) {
            e.value = v;
        }
    }
}
