//! Actuator parameters, as written in `assets/actuators/*.toml` presets and scenario overrides.

use serde::{Deserialize, Serialize};

/// DC-equivalent motor (a brushless motor under field-oriented control is modelled by its q-axis).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MotorConfig {
    /// Winding resistance at 25 °C, ohm (phase-to-phase for the DC equivalent).
    pub resistance_ohm: f64,
    /// Winding inductance, H.
    pub inductance_h: f64,
    /// Torque constant at the rotor, N m/A. The back-EMF constant in V s/rad is the same number (SI).
    pub torque_constant_nm_per_a: f64,
    /// Rotor inertia, kg m².
    pub rotor_inertia_kg_m2: f64,
    /// Temperature coefficient of the winding resistance, 1/K (copper: 0.00393).
    #[serde(default = "default_alpha")]
    pub resistance_tempco_per_k: f64,
}

fn default_alpha() -> f64 {
    0.00393
}

/// The motor driver: bus, current limit and the current loop.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DriverConfig {
    /// Bus (battery) voltage, V. The driver applies at most this voltage to the winding.
    pub bus_voltage_v: f64,
    /// Current limit at cool winding, A.
    pub current_limit_a: f64,
    /// Current-loop rate, Hz (20 kHz by default): the loop runs this many times per second inside each
    /// control tick.
    #[serde(default = "default_loop_rate")]
    pub current_loop_rate_hz: f64,
    /// Current-loop bandwidth, Hz: the PI gains are set by pole-zero cancellation, `kp = L ωc`, `ki = R ωc`.
    #[serde(default = "default_bandwidth")]
    pub current_loop_bandwidth_hz: f64,
    /// Fraction of the power flowing back from the motor that reaches the battery (0 = braking resistor).
    #[serde(default)]
    pub regeneration_efficiency: f64,
}

fn default_loop_rate() -> f64 {
    20_000.0
}

fn default_bandwidth() -> f64 {
    2_000.0
}

/// Gearbox between rotor and output.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GearboxConfig {
    /// Reduction ratio (rotor turns per output turn), > 0.
    pub ratio: f64,
    /// Efficiency when the motor drives the load (0 to 1].
    pub efficiency_forward: f64,
    /// Efficiency when the load back-drives the motor (0 to 1].
    pub efficiency_backward: f64,
    /// Coulomb friction at the rotor, N m.
    pub coulomb_friction_nm: f64,
    /// Breakaway (static) friction at the rotor, N m (>= Coulomb).
    pub static_friction_nm: f64,
    /// Stribeck velocity at the rotor, rad/s (> 0).
    pub stribeck_velocity_rad_per_s: f64,
    /// Viscous friction at the rotor, N m s/rad.
    pub viscous_friction_nm_s_per_rad: f64,
    /// Total backlash (dead band) measured at the output, rad.
    pub backlash_rad: f64,
    /// Torsional stiffness of the mesh at the output, N m/rad.
    pub stiffness_nm_per_rad: f64,
    /// Torsional damping of the mesh at the output, N m s/rad (acts only in contact).
    pub damping_nm_s_per_rad: f64,
    /// Inertia of the output side (output flange and, with a series spring, the spring's input hub), kg m².
    /// Only used with a series spring.
    #[serde(default = "default_output_inertia")]
    pub output_inertia_kg_m2: f64,
}

fn default_output_inertia() -> f64 {
    2e-3
}

/// Series elastic element between the gearbox output and the joint.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpringConfig {
    /// Stiffness, N m/rad.
    pub stiffness_nm_per_rad: f64,
    /// Damping, N m s/rad.
    #[serde(default)]
    pub damping_nm_s_per_rad: f64,
}

/// Two-node (winding, housing) thermal model.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThermalConfig {
    /// Thermal resistance winding to housing, K/W.
    pub winding_to_housing_k_per_w: f64,
    /// Thermal resistance housing to ambient, K/W.
    pub housing_to_ambient_k_per_w: f64,
    /// Heat capacity of the winding, J/K.
    pub winding_capacity_j_per_k: f64,
    /// Heat capacity of the housing, J/K.
    pub housing_capacity_j_per_k: f64,
    /// Ambient temperature, °C.
    #[serde(default = "default_ambient")]
    pub ambient_c: f64,
    /// Winding temperature at which the current limit starts to derate, °C.
    pub derate_start_c: f64,
    /// Winding temperature at which the current limit reaches zero, °C.
    pub max_winding_c: f64,
}

fn default_ambient() -> f64 {
    25.0
}

/// Everything that describes one actuator unit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActuatorConfig {
    /// Human-readable name.
    pub name: String,
    /// Motor.
    pub motor: MotorConfig,
    /// Driver.
    pub driver: DriverConfig,
    /// Gearbox.
    pub gearbox: GearboxConfig,
    /// Series spring; absent for a stiff actuator.
    #[serde(default)]
    pub spring: Option<SpringConfig>,
    /// Thermal model.
    pub thermal: ThermalConfig,
}

impl ActuatorConfig {
    /// Checks that every parameter is physically possible; returns the first problem.
    pub fn validate(&self) -> Result<(), crate::error::ValidationError> {
        let positive = |field: &str, v: f64| {
            if v.is_finite() && v > 0.0 {
                Ok(())
            } else {
                Err(crate::error::ValidationError::new(
                    field.to_string(),
                    format!("must be a finite number > 0 (got {v})"),
                ))
            }
        };
        let non_negative = |field: &str, v: f64| {
            if v.is_finite() && v >= 0.0 {
                Ok(())
            } else {
                Err(crate::error::ValidationError::new(
                    field.to_string(),
                    format!("must be a finite number >= 0 (got {v})"),
                ))
            }
        };
        let fraction = |field: &str, v: f64| {
            if v.is_finite() && v > 0.0 && v <= 1.0 {
                Ok(())
            } else {
                Err(crate::error::ValidationError::new(field.to_string(), format!("must be in (0, 1] (got {v})")))
            }
        };
        let m = &self.motor;
        positive("motor.resistance_ohm", m.resistance_ohm)?;
        positive("motor.inductance_h", m.inductance_h)?;
        positive("motor.torque_constant_nm_per_a", m.torque_constant_nm_per_a)?;
        positive("motor.rotor_inertia_kg_m2", m.rotor_inertia_kg_m2)?;
        non_negative("motor.resistance_tempco_per_k", m.resistance_tempco_per_k)?;
        let d = &self.driver;
        positive("driver.bus_voltage_v", d.bus_voltage_v)?;
        positive("driver.current_limit_a", d.current_limit_a)?;
        positive("driver.current_loop_rate_hz", d.current_loop_rate_hz)?;
        positive("driver.current_loop_bandwidth_hz", d.current_loop_bandwidth_hz)?;
        if d.current_loop_bandwidth_hz * 5.0 > d.current_loop_rate_hz {
            return Err(crate::error::ValidationError::new(
                "driver.current_loop_bandwidth_hz",
                format!(
                    "must be at most a fifth of current_loop_rate_hz ({} Hz) for a stable discrete loop",
                    d.current_loop_rate_hz
                ),
            ));
        }
        if !(0.0..=1.0).contains(&d.regeneration_efficiency) {
            return Err(crate::error::ValidationError::new(
                "driver.regeneration_efficiency",
                format!("must be in [0, 1] (got {})", d.regeneration_efficiency),
            ));
        }
        let g = &self.gearbox;
        positive("gearbox.ratio", g.ratio)?;
        fraction("gearbox.efficiency_forward", g.efficiency_forward)?;
        fraction("gearbox.efficiency_backward", g.efficiency_backward)?;
        non_negative("gearbox.coulomb_friction_nm", g.coulomb_friction_nm)?;
        non_negative("gearbox.static_friction_nm", g.static_friction_nm)?;
        if g.static_friction_nm < g.coulomb_friction_nm {
            return Err(crate::error::ValidationError::new(
                "gearbox.static_friction_nm",
                "must be at least coulomb_friction_nm",
            ));
        }
        positive("gearbox.stribeck_velocity_rad_per_s", g.stribeck_velocity_rad_per_s)?;
        non_negative("gearbox.viscous_friction_nm_s_per_rad", g.viscous_friction_nm_s_per_rad)?;
        non_negative("gearbox.backlash_rad", g.backlash_rad)?;
        positive("gearbox.stiffness_nm_per_rad", g.stiffness_nm_per_rad)?;
        non_negative("gearbox.damping_nm_s_per_rad", g.damping_nm_s_per_rad)?;
        positive("gearbox.output_inertia_kg_m2", g.output_inertia_kg_m2)?;
        if let Some(s) = &self.spring {
            positive("spring.stiffness_nm_per_rad", s.stiffness_nm_per_rad)?;
            non_negative("spring.damping_nm_s_per_rad", s.damping_nm_s_per_rad)?;
        }
        let t = &self.thermal;
        positive("thermal.winding_to_housing_k_per_w", t.winding_to_housing_k_per_w)?;
        positive("thermal.housing_to_ambient_k_per_w", t.housing_to_ambient_k_per_w)?;
        positive("thermal.winding_capacity_j_per_k", t.winding_capacity_j_per_k)?;
        positive("thermal.housing_capacity_j_per_k", t.housing_capacity_j_per_k)?;
        if !t.ambient_c.is_finite() || t.ambient_c < -273.15 {
            return Err(crate::error::ValidationError::new("thermal.ambient_c", "must be above absolute zero"));
        }
        if !(t.derate_start_c.is_finite() && t.max_winding_c.is_finite() && t.derate_start_c < t.max_winding_c) {
            return Err(crate::error::ValidationError::new(
                "thermal.max_winding_c",
                "must be finite and above derate_start_c",
            ));
        }
        if t.ambient_c >= t.derate_start_c {
            return Err(crate::error::ValidationError::new("thermal.derate_start_c", "must be above ambient_c"));
        }
        Ok(())
    }

    /// Parses a preset or override document (TOML). Unknown keys are errors.
    #[cfg(feature = "scenario")]
    pub fn from_toml(text: &str) -> Result<Self, toml::de::Error> {
        toml::from_str(text)
    }

    /// Rotor inertia reflected to the output, kg m².
    #[must_use]
    pub fn reflected_inertia_kg_m2(&self) -> f64 {
        self.motor.rotor_inertia_kg_m2 * self.gearbox.ratio * self.gearbox.ratio
    }

    /// Peak output torque at the current limit (ideal gearbox), N m.
    #[must_use]
    pub fn peak_torque_nm(&self) -> f64 {
        self.driver.current_limit_a * self.motor.torque_constant_nm_per_a * self.gearbox.ratio
    }
}
