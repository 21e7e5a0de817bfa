//! The one list of the control laws a scenario can choose.
//!
//! Each law lives in its own module of [`super::laws`]: its scenario section (a type implementing [`Law`]), its
//! builder and its name. The `register_laws!` invocation at the bottom of this file is the only other place a
//! law is named: it makes the law available to scenario files (`[controller] law = "NAME"` and the law's
//! `[controller.NAME]` section), the reference documentation, sweeps and tuning (through the scenario's field
//! paths), replay (through the scenario), the firmware export and the visualiser (which asks the built
//! [`Controller`] for its name and parameters). Tests check that every registered law is one of exo-control's
//! (`exo_control::LAWS`, whose own tests cover the panic check, allocation and property tests) and that each
//! builds and names itself as registered.

use std::fmt::Debug;

use exo_control::{ControlLaw, GravityLink, GravityModelConfig, Real, SupervisorConfig};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::firmware::{Controller, Firmware, MAX_JOINTS, Precision};
use crate::actuator::ActuatorConfig;
use crate::error::ValidationError;
use crate::scenario::per_joint::{JointName, PerJoint};
use crate::simulation::SetpointSource;

/// What a law needs to know of the device to build itself.
#[derive(Clone, Debug)]
pub struct LawContext<'a> {
    /// The controlled joints (each drives an actuator), in the device's order.
    pub joints: &'a [JointName],
    /// Their actuators, same order.
    pub actuators: &'a [ActuatorConfig],
    /// The law's output limit per joint (the actuator's joint-referred torque command), N m.
    pub torque_limit_nm: &'a [f64],
    /// The law's own gravity model of the device (one link per joint, and gravity, m/s²), or why the device
    /// cannot have one.
    pub gravity: &'a Result<(Vec<GravityLink<f64>>, f64), ValidationError>,
    /// The law's scenario section (`controller.sea_torque`), for error paths.
    pub section: &'a str,
}

impl LawContext<'_> {
    /// A per-joint scenario number for these joints, as an array of the law's scalar.
    pub fn per_joint<T: Real, const N: usize>(
        &self,
        value: &PerJoint,
        field: &str,
        default: f64,
    ) -> Result<[T; N], ValidationError> {
        let path = format!("{}.{field}", self.section);
        let v: [f64; N] = value.resolve_array(self.joints, &path, default)?;
        Ok(v.map(|x| T::from_subset(&x)))
    }

    /// The law's output limit per joint in its scalar.
    #[must_use]
    pub fn limit<T: Real, const N: usize>(&self) -> [T; N] {
        core::array::from_fn(|j| T::from_subset(self.torque_limit_nm.get(j).unwrap_or(&0.0)))
    }

    /// The gravity model in the law's scalar (an error when the device cannot have one).
    pub fn gravity_model<T: Real, const N: usize>(&self) -> Result<GravityModelConfig<T, N>, ValidationError> {
        let (links, g_m_per_s2) = self.gravity.as_ref().map_err(Clone::clone)?;
        let mut g = GravityModelConfig::<T, N>::default();
        for (slot, l) in g.links.iter_mut().zip(links) {
            *slot = GravityLink {
                parent: l.parent,
                joint_m: l.joint_m.map(|x| T::from_subset(&x)),
                mass_kg: T::from_subset(&l.mass_kg),
                com_m: l.com_m.map(|x| T::from_subset(&x)),
                axis_sign: T::from_subset(&l.axis_sign),
            };
        }
        g.gravity_m_per_s2 = T::from_subset(g_m_per_s2);
        Ok(g)
    }

    /// An exo-control configuration error as a scenario error on this law's section.
    #[must_use]
    pub fn config_error(&self, e: &exo_control::ConfigError) -> ValidationError {
        let names: Vec<String> = self.joints.iter().map(|j| j.name.clone()).collect();
        ValidationError::from_config(e, self.section, &names)
    }
}

/// A law's scenario section and builder.
pub trait Law: Clone + Default + PartialEq + Debug + Serialize + DeserializeOwned + schemars::JsonSchema {
    /// The law's name: its `law = "..."` value and its section's key. Equal to the built law's
    /// [`ControlLaw::name`].
    const NAME: &'static str;

    /// What the host puts in the frame's setpoint for this law.
    fn setpoint(&self) -> SetpointSource;

    /// Builds the law for `N` joints in scalar `T`.
    fn build<T: Real + Send, const N: usize>(
        &self,
        ctx: &LawContext<'_>,
    ) -> Result<Box<dyn ControlLaw<T, N> + Send>, ValidationError>;
}

use super::SupervisorSpec;

/// Builds `law` and the supervisor for `ctx.joints.len()` joints in `precision`.
pub fn build_controller<L: Law>(
    law: &L,
    ctx: &LawContext<'_>,
    supervisor: &SupervisorSpec,
    precision: Precision,
) -> Result<Box<dyn Controller>, ValidationError> {
    fn make<L: Law, T: Real + Send, const N: usize>(
        law: &L,
        ctx: &LawContext<'_>,
        supervisor: &SupervisorSpec,
    ) -> Result<Box<dyn Controller>, ValidationError> {
        let built = law.build::<T, N>(ctx)?;
        let config: SupervisorConfig<T, N> = supervisor.config::<T, N>();
        let names: Vec<String> = ctx.joints.iter().map(|j| j.name.clone()).collect();
        let firmware = Firmware::new(built, config).map_err(|e| match e.field {
            "sensors.monitored" => ValidationError::new(
                "controller.law",
                format!(
                    "`{}` reads a channel the {} joint does not have, so nothing could check it",
                    L::NAME,
                    e.joint.and_then(|j| names.get(usize::from(j))).map_or("device's", String::as_str)
                ),
            ),
            _ => ValidationError::from_config(&e, "safety", &names),
        })?;
        Ok(Box::new(firmware))
    }
    macro_rules! by_count {
        ($($n:literal)*) => {
            match (ctx.joints.len(), precision) {
                $(
                    ($n, Precision::F64) => make::<L, f64, $n>(law, ctx, supervisor),
                    ($n, Precision::F32) => make::<L, f32, $n>(law, ctx, supervisor),
                )*
                (n, _) => Err(ValidationError::new(
                    "actuators",
                    format!("a device with {n} actuated joints is not supported (at most {MAX_JOINTS})"),
                )),
            }
        };
    }
    by_count!(0 1 2 3 4 5 6)
}

/// Generates [`LawName`], [`ControllerSection`] (one optional section per law) and the dispatch over them from one
/// list of `field / Variant: "name" => module::Type`.
macro_rules! register_laws {
    ($($field:ident / $variant:ident: $name:literal => $ty:ty),* $(,)?) => {
        /// The name of a registered law (`law = "..."` in a scenario).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, serde::Deserialize, schemars::JsonSchema)]
        pub enum LawName {
            $(
                #[doc = concat!("`", $name, "`: see [`", stringify!($ty), "`].")]
                #[serde(rename = $name)]
                $variant,
            )*
        }

        /// Every registered law's name, in registration order.
        pub const LAW_NAMES: &[&str] = &[$($name),*];

        impl LawName {
            /// The name as scenarios spell it.
            #[must_use]
            pub fn as_str(self) -> &'static str {
                match self {
                    $(LawName::$variant => $name,)*
                }
            }
        }

        /// The control law and its parameters: `law` chooses it, and only the chosen law's section
        /// (`[controller.NAME]`) may be present.
        #[derive(Clone, Debug, Default, PartialEq, Serialize, serde::Deserialize, schemars::JsonSchema)]
        #[serde(deny_unknown_fields)]
        pub struct ControllerSection {
            /// The law.
            #[serde(default)]
            pub law: LawName,
            /// Scalar type of the device's firmware (law and supervisor).
            #[serde(default)]
            pub precision: Precision,
            /// Output limit of the law (the actuator's joint-referred torque command), N m; absent: each
            /// actuator's peak torque.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub torque_limit_nm: Option<PerJoint>,
            /// The law's own gravity model of the device (used by laws that compensate gravity).
            #[serde(default)]
            pub gravity: crate::scenario::GravitySection,
            $(
                #[doc = concat!("Section of the `", $name, "` law.")]
                #[serde(default, rename = $name, skip_serializing_if = "Option::is_none")]
                pub $field: Option<$ty>,
            )*
        }

        impl Default for LawName {
            fn default() -> Self {
                LawName::None
            }
        }

        impl ControllerSection {
            /// The sections present, by law name.
            #[must_use]
            pub fn present(&self) -> Vec<&'static str> {
                let mut v = Vec::new();
                $(if self.$field.is_some() { v.push($name); })*
                v
            }

            /// The setpoint the chosen law needs (its section, or its defaults when the file has none).
            #[must_use]
            pub fn setpoint(&self) -> SetpointSource {
                match self.law {
                    $(LawName::$variant => self.$field.clone().unwrap_or_default().setpoint(),)*
                }
            }

            /// Builds the chosen law and the supervisor.
            pub fn build(
                &self,
                ctx: &LawContext<'_>,
                supervisor: &SupervisorSpec,
            ) -> Result<Box<dyn Controller>, ValidationError> {
                match self.law {
                    $(LawName::$variant => {
                        build_controller(&self.$field.clone().unwrap_or_default(), ctx, supervisor, self.precision)
                    })*
                }
            }

            /// The same section with the chosen law's section present and every default filled in.
            #[must_use]
            pub fn resolved(&self) -> Self {
                let mut out = Self {
                    law: self.law,
                    precision: self.precision,
                    torque_limit_nm: self.torque_limit_nm.clone(),
                    gravity: self.gravity.clone(),
                    ..Self::default()
                };
                match self.law {
                    $(LawName::$variant => out.$field = Some(self.$field.clone().unwrap_or_default()),)*
                }
                out
            }

            /// The first section that is present although its law is not chosen.
            #[must_use]
            pub fn foreign_section(&self) -> Option<&'static str> {
                self.present().into_iter().find(|n| *n != self.law.as_str())
            }
        }

        /// Every registered law's name as its [`Law`] type declares it, in registration order (a test holds these
        /// equal to [`LAW_NAMES`]).
        #[cfg(test)]
        const DECLARED_NAMES: &[&str] = &[$(<$ty as Law>::NAME),*];
    };
}

use super::laws;

register_laws! {
    none / None: "none" => laws::none::NoLaw,
    zero_torque / ZeroTorque: "zero_torque" => laws::zero_torque::ZeroTorqueLaw,
    sea_torque / SeaTorque: "sea_torque" => laws::sea_torque::SeaTorqueLaw,
    impedance / Impedance: "impedance" => laws::impedance::ImpedanceLaw,
    admittance / Admittance: "admittance" => laws::admittance::AdmittanceLaw,
    joint_pid / JointPid: "joint_pid" => laws::joint_pid::JointPidLaw,
    assistance / Assistance: "assistance" => laws::assistance::AssistanceLaw,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_law_is_registered_under_its_own_name() {
        assert_eq!(DECLARED_NAMES, LAW_NAMES);
    }

    #[test]
    fn every_registered_law_is_one_of_exo_controls() {
        // exo-control's own tests hold every law of `exo_control::LAWS` to the panic check, the allocation test
        // and the property tests; a law registered here but missing there escapes them.
        for name in LAW_NAMES {
            assert!(exo_control::LAWS.contains(name), "`{name}` is registered but not in exo_control::LAWS");
        }
    }
}
