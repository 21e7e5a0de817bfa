//! The assembled actuator: driver -> motor -> gearbox -> (spring) -> joint, integrated at the current-loop rate.

use super::config::ActuatorConfig;
use super::friction::StribeckFriction;
use super::gearbox::backlash_torque;
use super::motor::{CurrentLoop, MotorElectrical};
use super::thermal::TwoNodeThermal;

/// Energy bookkeeping of one actuator, J.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct EnergyMeter {
    /// Energy drawn from the bus (battery), J.
    pub drawn_j: f64,
    /// Energy returned to the bus by regeneration, J.
    pub regenerated_j: f64,
    /// Resistive (copper) losses in the winding, J.
    pub copper_loss_j: f64,
    /// Energy dissipated by rotor and gear friction, J.
    pub friction_loss_j: f64,
    /// Energy lost to gear (in)efficiency, J.
    pub gear_loss_j: f64,
    /// Work done on the joint as the actuator's own substeps see it (joint moving at its step-start speed), J.
    pub output_work_j: f64,
    /// Positive mechanical work done on the joint, J.
    pub joint_work_positive_j: f64,
    /// Negative mechanical work done on the joint (absorbed from the wearer), J (as a positive number).
    pub joint_work_negative_j: f64,
}

impl EnergyMeter {
    /// Net battery energy, Wh.
    #[must_use]
    pub fn battery_wh(&self) -> f64 {
        (self.drawn_j - self.regenerated_j) / 3600.0
    }
}

/// Instantaneous state of an actuator (the end of the last substep unless noted).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ActuatorState {
    /// Rotor angle, rad (motor side).
    pub rotor_angle_rad: f64,
    /// Rotor speed, rad/s (motor side).
    pub rotor_speed_rad_per_s: f64,
    /// Gearbox output angle, rad (equals the joint side of the spring; rotor angle over ratio without spring).
    pub output_angle_rad: f64,
    /// Gearbox output speed, rad/s.
    pub output_speed_rad_per_s: f64,
    /// Winding current, A.
    pub current_a: f64,
    /// Current reference after limiting, A.
    pub current_reference_a: f64,
    /// Terminal voltage, V.
    pub voltage_v: f64,
    /// Torque through the gear mesh at the output, N m.
    pub mesh_torque_nm: f64,
    /// Torque in the series spring, N m (the mesh torque without a spring).
    pub spring_torque_nm: f64,
    /// Winding temperature, °C.
    pub winding_c: f64,
    /// Housing temperature, °C.
    pub housing_c: f64,
    /// True when the current reference was clipped (current limit or thermal derating) this step.
    pub current_limited: bool,
    /// True when the driver ran out of bus voltage this step.
    pub voltage_saturated: bool,
}

/// What the joint sees from the actuator during one physics step.
///
/// The current-loop substeps assume the joint moves at its step-start speed. The coupling returns their mean
/// torque, corrected by the coupling element's stiffness and damping for the joint's deviation from that
/// assumed path: `τ = τ_mean - k (q - q_path(t)) - c (qd - qd_0)`. Evaluated at every integrator stage, this
/// keeps the stiff joint side of the coupling implicit in the body dynamics and the work done on the joint
/// consistent with the actuator's own energy accounts.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Coupling {
    /// Mean torque on the joint over the substeps, N m.
    pub mean_torque_nm: f64,
    /// Joint angle the substeps started from, rad.
    pub q_start_rad: f64,
    /// Joint speed the substeps assumed, rad/s.
    pub qd_start_rad_per_s: f64,
    /// Effective coupling stiffness (spring, or gear mesh weighted by the time in contact), N m/rad.
    pub stiffness_nm_per_rad: f64,
    /// Effective coupling damping, N m s/rad.
    pub damping_nm_s_per_rad: f64,
    /// Length of the step, s.
    pub duration_s: f64,
}

impl Coupling {
    /// A coupling that transmits nothing.
    pub const NONE: Coupling = Coupling {
        mean_torque_nm: 0.0,
        q_start_rad: 0.0,
        qd_start_rad_per_s: 0.0,
        stiffness_nm_per_rad: 0.0,
        damping_nm_s_per_rad: 0.0,
        duration_s: 0.0,
    };

    /// Torque on the joint at fraction `s` in [0, 1] of the step, for joint angle `q` and speed `qd`, N m.
    #[inline]
    #[must_use]
    pub fn torque(&self, s: f64, q: f64, qd: f64) -> f64 {
        let q_path = self.q_start_rad + self.qd_start_rad_per_s * s * self.duration_s;
        self.mean_torque_nm
            - self.stiffness_nm_per_rad * (q - q_path)
            - self.damping_nm_s_per_rad * (qd - self.qd_start_rad_per_s)
    }
}

/// One actuator unit with its state, stepped once per physics step.
///
/// A quasi-direct-drive unit (the shipped AK80-6 preset) holding a 6 N m command against a locked output: the
/// current loop settles on the current the command asks for, and the gear mesh carries the command less the
/// gearbox's losses.
///
/// ```
/// use exo_sim::actuator::{Actuator, ActuatorConfig};
///
/// let preset = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets/actuators/qdd-ak80-6.toml"));
/// let config = ActuatorConfig::from_toml(preset)?;
/// config.validate()?;
/// let mut actuator = Actuator::new(config, 1e-3, 0.0);
/// assert_eq!(actuator.substeps(), 20); // a 20 kHz current loop inside a 1 ms physics step
/// for _ in 0..200 {
///     // The joint is held at 0 rad: the coupling's torque on it is what a load cell there would read.
///     actuator.advance(6.0, 0.0, 0.0);
/// }
/// let state = actuator.state();
/// let expected_a = actuator.current_for_torque(6.0); // 6 N m / (6:1 x 0.091 N m/A) = 11.0 A
/// assert!((state.current_a - expected_a).abs() < 1e-3 * expected_a);
/// let delivered_nm = actuator.coupling().torque(1.0, 0.0, 0.0);
/// assert!(delivered_nm > 0.8 * 6.0 && delivered_nm <= 6.0, "{delivered_nm}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct Actuator {
    config: ActuatorConfig,
    substeps: usize,
    dt_sub_s: f64,
    motor: MotorElectrical,
    current_loop: CurrentLoop,
    thermal: TwoNodeThermal,
    friction: StribeckFriction,
    state: ActuatorState,
    energy: EnergyMeter,
    coupling: Coupling,
}

impl Actuator {
    /// An actuator at rest (zero current, ambient temperature) whose output sits at joint angle `q0_rad`.
    /// `physics_dt_s` must be a whole number of current-loop periods (checked by the caller).
    #[must_use]
    pub fn new(config: ActuatorConfig, physics_dt_s: f64, q0_rad: f64) -> Self {
        let substeps = (physics_dt_s * config.driver.current_loop_rate_hz).round().max(1.0) as usize;
        let dt_sub_s = physics_dt_s / substeps as f64;
        let m = &config.motor;
        let g = &config.gearbox;
        let mut a = Self {
            substeps,
            dt_sub_s,
            motor: MotorElectrical::new(m.resistance_ohm, m.inductance_h, m.torque_constant_nm_per_a, dt_sub_s),
            current_loop: CurrentLoop::new(
                m.resistance_ohm,
                m.inductance_h,
                config.driver.current_loop_bandwidth_hz,
                dt_sub_s,
            ),
            thermal: TwoNodeThermal::new(&config.thermal, physics_dt_s),
            friction: StribeckFriction {
                coulomb_nm: g.coulomb_friction_nm,
                static_nm: g.static_friction_nm,
                stribeck_velocity_rad_per_s: g.stribeck_velocity_rad_per_s,
                viscous_nm_s_per_rad: g.viscous_friction_nm_s_per_rad,
            },
            state: ActuatorState::default(),
            energy: EnergyMeter::default(),
            coupling: Coupling::NONE,
            config,
        };
        a.state.rotor_angle_rad = q0_rad * a.config.gearbox.ratio;
        a.state.output_angle_rad = q0_rad;
        a.state.winding_c = a.thermal.winding_c;
        a.state.housing_c = a.thermal.housing_c;
        a.coupling = Coupling { q_start_rad: q0_rad, duration_s: physics_dt_s, ..Coupling::NONE };
        a
    }

    /// The configuration.
    #[must_use]
    pub fn config(&self) -> &ActuatorConfig {
        &self.config
    }

    /// The state at the end of the last step.
    #[must_use]
    pub fn state(&self) -> &ActuatorState {
        &self.state
    }

    /// The energy accounts so far.
    #[must_use]
    pub fn energy(&self) -> &EnergyMeter {
        &self.energy
    }

    /// Current-loop substeps per physics step.
    #[must_use]
    pub fn substeps(&self) -> usize {
        self.substeps
    }

    /// The coupling of the last step.
    #[must_use]
    pub fn coupling(&self) -> &Coupling {
        &self.coupling
    }

    /// Current reference for a joint-referred motor torque command, A (before limiting).
    #[must_use]
    pub fn current_for_torque(&self, torque_nm: f64) -> f64 {
        torque_nm / (self.config.gearbox.ratio * self.config.motor.torque_constant_nm_per_a)
    }

    /// Runs the current-loop substeps of one physics step of length `physics_dt_s`, with the current reference
    /// for `torque_command_nm` held and the joint moving linearly from `q_rad` at speed `qd_rad_per_s`.
    /// Returns the coupling that the physics step must apply to the joint.
    pub fn advance(&mut self, torque_command_nm: f64, q_rad: f64, qd_rad_per_s: f64) -> Coupling {
        let cfg = &self.config;
        let (ratio, eta_f, eta_b) =
            (cfg.gearbox.ratio, cfg.gearbox.efficiency_forward, cfg.gearbox.efficiency_backward);
        let (kg, cg, backlash) =
            (cfg.gearbox.stiffness_nm_per_rad, cfg.gearbox.damping_nm_s_per_rad, cfg.gearbox.backlash_rad);
        let kt = cfg.motor.torque_constant_nm_per_a;
        let jm = cfg.motor.rotor_inertia_kg_m2;
        let jo = cfg.gearbox.output_inertia_kg_m2;
        let spring = cfg.spring;
        let bus = cfg.driver.bus_voltage_v;
        let regen = cfg.driver.regeneration_efficiency;
        let dt = self.dt_sub_s;

        let limit = cfg.driver.current_limit_a * self.thermal.derating();
        let i_request = if torque_command_nm.is_finite() { self.current_for_torque(torque_command_nm) } else { 0.0 };
        let i_ref = i_request.clamp(-limit, limit);
        let s = &mut self.state;
        let (mut torque_sum, mut contact_steps) = (0.0, 0usize);
        s.current_limited = i_ref != i_request;
        s.current_reference_a = i_ref;
        s.voltage_saturated = false;
        let mut i2_sum = 0.0;
        for k in 0..self.substeps {
            let t = (k as f64 + 0.5) * dt;
            let q = q_rad + qd_rad_per_s * t;
            // Driver: PI current loop on the measured current, limited by the bus.
            let v = self.current_loop.update(i_ref, self.motor.current_a, bus);
            if v.abs() >= bus {
                s.voltage_saturated = true;
            }
            // Winding at the held speed; the mean current makes this step's torque.
            let (i_mean, i_sq_mean) = self.motor.step_with_loss(v, s.rotor_speed_rad_per_s);
            let motor_torque = kt * i_mean;
            // Gear mesh between rotor (over ratio) and the output side (spring input or joint).
            let (out_angle, out_speed) = match spring {
                Some(_) => (s.output_angle_rad, s.output_speed_rad_per_s),
                None => (q, qd_rad_per_s),
            };
            let mesh = backlash_torque(
                s.rotor_angle_rad / ratio - out_angle,
                s.rotor_speed_rad_per_s / ratio - out_speed,
                backlash,
                kg,
                cg,
            );
            // Gear efficiency as load-dependent dry friction at the rotor: moving with the mesh torque (driving
            // the load) costs 1/η_f - 1 of the ideal load, moving against it (back-driven) costs 1 - η_b. As
            // friction it sticks, instead of creeping at the switch between the two efficiencies.
            let ideal = mesh / ratio;
            let (drive_loss, back_loss) = (ideal.abs() * (1.0 / eta_f - 1.0), ideal.abs() * (1.0 - eta_b));
            let (extra_pos, extra_neg) = if mesh >= 0.0 { (drive_loss, back_loss) } else { (back_loss, drive_loss) };
            let w0 = s.rotor_speed_rad_per_s;
            let (w1, friction, plain_dry) =
                self.friction.step_velocity_loaded(w0, motor_torque - ideal, extra_pos, extra_neg, jm, dt);
            s.rotor_speed_rad_per_s = w1;
            s.rotor_angle_rad += dt * w1;
            if let Some(sp) = spring {
                let spring_torque = sp.stiffness_nm_per_rad * (s.output_angle_rad - q)
                    + sp.damping_nm_s_per_rad * (s.output_speed_rad_per_s - qd_rad_per_s);
                s.output_speed_rad_per_s += dt * (mesh - spring_torque) / jo;
                s.output_angle_rad += dt * s.output_speed_rad_per_s;
                s.spring_torque_nm = spring_torque;
                self.energy.output_work_j += spring_torque * qd_rad_per_s * dt;
                torque_sum += spring_torque;
            } else {
                s.output_angle_rad = s.rotor_angle_rad / ratio;
                s.output_speed_rad_per_s = s.rotor_speed_rad_per_s / ratio;
                s.spring_torque_nm = mesh;
                self.energy.output_work_j += mesh * qd_rad_per_s * dt;
                torque_sum += mesh;
                if mesh != 0.0 {
                    contact_steps += 1;
                }
            }
            s.mesh_torque_nm = mesh;
            // Energy: electrical power at the terminals, regeneration, copper and friction losses.
            let power = v * i_mean;
            if power >= 0.0 {
                self.energy.drawn_j += power * dt;
            } else {
                self.energy.regenerated_j += -power * regen * dt;
            }
            // Copper loss: the exact mean of i² over the exponential transient.
            let r = self.motor.resistance_ohm();
            self.energy.copper_loss_j += i_sq_mean * r * dt;
            // Split the dissipated power between plain friction and gear losses in proportion to their dry parts.
            let w_mean = 0.5 * (w0 + w1);
            let dissipated = friction * w_mean * dt;
            let extra = if w_mean >= 0.0 { extra_pos } else { extra_neg };
            let plain = plain_dry + self.friction.viscous_nm_s_per_rad * w_mean.abs();
            let gear_share = if extra + plain > 0.0 { extra / (extra + plain) } else { 0.0 };
            self.energy.gear_loss_j += dissipated * gear_share;
            self.energy.friction_loss_j += dissipated * (1.0 - gear_share);
            i2_sum += i_sq_mean;
            s.voltage_v = v;
        }
        s.current_a = self.motor.current_a;
        // Thermal model and resistance once per physics step, from the mean copper loss.
        let r_now = self.motor.resistance_ohm();
        self.thermal.step(i2_sum / self.substeps as f64 * r_now);
        s.winding_c = self.thermal.winding_c;
        s.housing_c = self.thermal.housing_c;
        let m = &self.config.motor;
        self.motor
            .set_resistance(m.resistance_ohm * (1.0 + m.resistance_tempco_per_k * (self.thermal.winding_c - 25.0)));
        let n = self.substeps as f64;
        let (k, c) = match self.config.spring {
            Some(sp) => (sp.stiffness_nm_per_rad, sp.damping_nm_s_per_rad),
            None => {
                let contact = contact_steps as f64 / n;
                (kg * contact, cg * contact)
            }
        };
        self.coupling = Coupling {
            mean_torque_nm: torque_sum / n,
            q_start_rad: q_rad,
            qd_start_rad_per_s: qd_rad_per_s,
            stiffness_nm_per_rad: k,
            damping_nm_s_per_rad: c,
            duration_s: dt * n,
        };
        self.coupling
    }

    /// Books the mechanical work the coupling did on the joint over a step: `torque · speed · dt`.
    pub fn book_joint_work(&mut self, torque_nm: f64, speed_rad_per_s: f64, dt_s: f64) {
        let p = torque_nm * speed_rad_per_s * dt_s;
        if p >= 0.0 {
            self.energy.joint_work_positive_j += p;
        } else {
            self.energy.joint_work_negative_j -= p;
        }
    }

    /// Rotor kinetic energy plus output-node kinetic and spring/mesh potential energy for joint angle `q`, J
    /// (for energy-balance checks).
    #[must_use]
    pub fn stored_energy_j(&self, q_rad: f64) -> f64 {
        let c = &self.config;
        let s = &self.state;
        let mut e = 0.5 * c.motor.rotor_inertia_kg_m2 * s.rotor_speed_rad_per_s.powi(2);
        let mesh_out = match c.spring {
            Some(sp) => {
                e += 0.5 * c.gearbox.output_inertia_kg_m2 * s.output_speed_rad_per_s.powi(2);
                e += 0.5 * sp.stiffness_nm_per_rad * (s.output_angle_rad - q_rad).powi(2);
                s.output_angle_rad
            }
            None => q_rad,
        };
        let delta = s.rotor_angle_rad / c.gearbox.ratio - mesh_out;
        let pen = (delta.abs() - 0.5 * c.gearbox.backlash_rad).max(0.0);
        e + 0.5 * c.gearbox.stiffness_nm_per_rad * pen * pen
    }
}
