//! A simulation built entirely in code, no scenario file: a knee exoskeleton on a bench-clamped leg, a
//! series-elastic actuator, and exo-control's series-elastic torque loop tracking a 10 N m step.
//!
//! `cargo run --release --example simulation_in_code`

use std::sync::Arc;

use exo_control::pid::{AntiWindup, DerivativeFilter};
use exo_control::sea::{SeaTorqueConfig, TorqueSource};
use exo_control::{PidConfig, SVector, SeaTorque, SupervisorConfig};
use exo_sim::actuator::{Actuator, ActuatorConfig};
use exo_sim::body::{Anthropometry, ExoConfig, Joint, LegGeometry};
use exo_sim::control::Firmware;
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
    // The actuator: a harmonic drive with a series spring, from a preset's text (any source of TOML works).
    let preset =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/actuators/harmonic-sea-100.toml"))?;
    let actuator_config = ActuatorConfig::from_toml(&preset)?;
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
    let spec = exo_sim::scenario::SupervisorSpec::from_config(&supervisor);
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
