//! A simulation built entirely in code, no scenario file: a knee exoskeleton on a bench-clamped leg, a
//! series-elastic actuator, and exo-control's series-elastic torque loop tracking a 10 N m step.
//!
//! `cargo run --release --example simulation_in_code`

use std::sync::Arc;

use exo_control::pid::{AntiWindup, DerivativeFilter};
use exo_control::sea::{SeaTorqueConfig, TorqueSource};
use exo_control::{PidConfig, SVector, SeaTorque, SupervisorConfig};
use exo_sim::actuator::{
    Actuator, ActuatorConfig, DriverConfig, GearboxConfig, MotorConfig, SpringConfig, ThermalConfig,
};
use exo_sim::body::{Anthropometry, ExoConfig, Joint, LegGeometry};
use exo_sim::control::{Firmware, SupervisorSpec};
use exo_sim::human::{HumanConfig, HumanModel};
use exo_sim::multibody::Pose2;
use exo_sim::reference::Hold;
use exo_sim::sensor::{SensorConfig, SensorSuite};
use exo_sim::simulation::{ControlledJoint, SetpointSource, Simulation, SimulationParts, Timing, TorqueSignal};
use exo_sim::world::{IntegratorKind, LegModel, PelvisMotion, World, WorldConfig};
use nalgebra::Vector2;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The wearer: a 72.6 kg, 1.80 m leg, clamped on a bench with the knee bent 30 degrees.
    let leg = LegModel::Human(LegGeometry::new(Anthropometry::de_leva_male(72.6, 1.80)));
    let posture = [0.0, -0.52, 0.0];
    let world = World::new(WorldConfig {
        leg,
        pelvis: PelvisMotion::Fixed(Pose2::new(0.0, Vector2::new(0.0, 1.0))),
        pelvis_mass_kg: 0.0,
        backpack_kg: 0.0,
        backpack_offset_m: Vector2::zeros(),
        exo: Some(ExoConfig::new(&[Joint::Knee])),
        leg_damping_nm_s_per_rad: [0.5; 3],
        foot_contact: None,
        seat: None,
        foot_load: None,
        integrator: IntegratorKind::Rk4,
        initial_q_rad: posture,
        initial_qd_rad_per_s: [0.0; 3],
        clamp_leg: true,
    })?;
    // The actuator: a harmonic drive with a series spring, the numbers of the shipped preset
    // assets/actuators/harmonic-sea-100.toml (maxon EC 45 flat 70 W, Harmonic Drive CSF-17-100, and the torsion
    // spring of Accoto et al. 2013; the preset names the source of each number).
    let actuator_config = ActuatorConfig {
        name: "Harmonic drive 100:1 with series spring".into(),
        motor: MotorConfig {
            resistance_ohm: 0.573,
            inductance_h: 0.301e-3,
            torque_constant_nm_per_a: 0.0404,
            rotor_inertia_kg_m2: 1.89e-5,
            resistance_tempco_per_k: 0.00393,
        },
        driver: DriverConfig {
            bus_voltage_v: 24.0,
            current_limit_a: 12.0,
            current_loop_rate_hz: 20_000.0,
            current_loop_bandwidth_hz: 1000.0,
            regeneration_efficiency: 0.0,
        },
        gearbox: GearboxConfig {
            ratio: 100.0,
            efficiency_forward: 0.73,
            efficiency_backward: 0.55,
            coulomb_friction_nm: 0.025,
            static_friction_nm: 0.034,
            stribeck_velocity_rad_per_s: 5.0,
            viscous_friction_nm_s_per_rad: 1e-5,
            backlash_rad: 0.0003,
            stiffness_nm_per_rad: 16_000.0,
            damping_nm_s_per_rad: 5.0,
            output_inertia_kg_m2: 0.002,
        },
        spring: Some(SpringConfig { stiffness_nm_per_rad: 272.25, damping_nm_s_per_rad: 0.2 }),
        thermal: ThermalConfig {
            winding_to_housing_k_per_w: 2.55,
            housing_to_ambient_k_per_w: 6.64,
            winding_capacity_j_per_k: 16.9,
            housing_capacity_j_per_k: 19.1,
            ambient_c: 25.0,
            derate_start_c: 110.0,
            max_winding_c: 125.0,
        },
    };
    actuator_config.validate()?;
    let timing = Timing::new(1e-3, 1e-3, actuator_config.driver.current_loop_rate_hz)?;
    let knee = world.device_joints().iter().position(|d| d.joint == Joint::Knee).ok_or("no knee joint")?;
    let actuator = Actuator::new(actuator_config.clone(), timing.physics_dt_s, world.device_joint_state(knee).0);
    // The firmware: exo-control's series-elastic loop and supervisor, one joint, f64.
    let limit = actuator_config.peak_torque_nm();
    let pi = PidConfig::new(3.0, 15.0, 0.0, limit)
        .with_derivative_filter(DerivativeFilter::None)
        .with_anti_windup(AntiWindup::BackCalculation { tracking_time_s: 0.05 });
    let law = SeaTorque::new(SeaTorqueConfig {
        spring_stiffness_nm_per_rad: SVector::repeat(actuator_config.spring.map_or(0.0, |s| s.stiffness_nm_per_rad)),
        torque_source: TorqueSource::Sensor,
        torque_loop: [pi],
        feedforward_gain: SVector::repeat(1.0),
        motor_damping_nm_s_per_rad: SVector::repeat(18.0),
    })?;
    let mut supervisor = SupervisorConfig::<f64, 1>::symmetric(2.5, 10.0, limit);
    supervisor.position_min_rad = SVector::repeat(-2.4);
    supervisor.position_max_rad = SVector::repeat(0.15);
    supervisor.sensors.monitored = [exo_control::Channels::ALL.without(exo_control::Channel::BasePitch); 1];
    let controller = Firmware::<f64, 1>::new(Box::new(law), supervisor)?;
    let spec = SupervisorSpec::from_config(&supervisor);
    let parts = SimulationParts {
        name: "knee-bench-in-code".into(),
        human: HumanModel::new(HumanConfig { clamped: true, ..HumanConfig::default() }, world.leg_model()).passive(),
        world,
        reference: Arc::new(Hold(posture)),
        joints: vec![ControlledJoint { name: "knee".into(), device_joint: knee }],
        actuators: vec![actuator],
        sensors: SensorSuite::new(SensorConfig::default(), Vec::new(), 1, vec![0], 1)?,
        controller: Box::new(controller),
        supervisor: spec,
        setpoint: SetpointSource::Torque(TorqueSignal::Step { time_s: 0.2, torque_nm: 10.0 }),
        timing,
        record_every_ticks: 1,
        duration_s: 1.0,
    };
    let mut sim = Simulation::new(parts);
    sim.run(1.0, |_| {}, || false)?;
    let s = sim.summary();
    let r = s.step_response.ok_or("no step response")?;
    println!(
        "{}: knee torque step to {} N m: rise {:.1} ms, overshoot {:.1} %, steady-state error {:.3} N m",
        s.scenario,
        r.target_nm,
        1e3 * r.rise_time_s,
        r.overshoot_pct,
        r.steady_state_error_nm
    );
    assert!(r.rise_time_s > 0.0 && r.rise_time_s < 0.5, "the loop must follow the step");
    Ok(())
}
