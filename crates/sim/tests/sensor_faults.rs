//! A device that trusts no sensor, through whole scenarios: a dead or implausible reading on a channel the law
//! reads stops the device within the tick it appears, naming channel and joint. Regression tests for the review's
//! finding that a NaN torque, interaction or motor-encoder reading left the supervisor active.
#![cfg(feature = "scenario")]

use std::path::PathBuf;

use exo_sim::scenario;
use exo_sim::simulation::{Simulation, Summary};

fn scenario_path(name: &str) -> PathBuf {
    PathBuf::from(format!("{}/../../scenarios/{name}.toml", env!("CARGO_MANIFEST_DIR")))
}

fn run(name: &str, overrides: &[&str]) -> Summary {
    let o: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
    let loaded = scenario::load(&scenario_path(name), &o).unwrap_or_else(|e| panic!("{e}"));
    let mut sim = Simulation::new(scenario::build(&loaded, true).unwrap_or_else(|e| panic!("{e}")));
    sim.run(loaded.scenario.simulation.duration_s, |_| {}, || false).unwrap();
    sim.summary()
}

/// The first fault's time and reason; panics if none.
fn first_fault(s: &Summary) -> (f64, String) {
    let sup = &s.supervisor;
    (sup.first_fault_time_s.expect("the supervisor must stop"), sup.first_fault_reason.clone().unwrap_or_default())
}

#[test]
fn a_torque_sensor_dropout_under_sea_torque_stops_on_its_tick() {
    // Without the fault the bench runs clean.
    let clean = run("torque-step", &[]);
    assert_eq!(clean.supervisor.faults, 0, "{:?}", clean.supervisor);
    let s = run("torque-step", &[r#"faults=[{time_s=0.5, channel="torque", joint="knee", kind="dropout"}]"#]);
    let (t, reason) = first_fault(&s);
    assert_eq!(s.supervisor.ticks_to_safe_stop, Some(0), "{reason}");
    assert!((t - 0.5).abs() < 1.5e-3, "stopped at {t} s");
    assert!(reason.contains("non-finite") && reason.contains("joint torque") && reason.contains("knee"), "{reason}");
}

#[test]
fn an_interaction_spike_under_admittance_stops_on_its_tick() {
    let clean = run("knee-rehab", &["simulation.duration_s=4.0"]);
    assert_eq!(clean.supervisor.faults, 0, "{:?}", clean.supervisor);
    // 40 N m for one sample: inside the cuff's 150 N m range, but no strap lets a load change that fast.
    let s = run(
        "knee-rehab",
        &[
            "simulation.duration_s=4.0",
            r#"faults=[{time_s=2.0, channel="interaction", joint="knee", kind="spike", magnitude=40.0}]"#,
        ],
    );
    let (t, reason) = first_fault(&s);
    assert!((t - 2.0).abs() < 1.5e-3, "stopped at {t} s: {reason}");
    assert!(reason.contains("fast") && reason.contains("interaction torque") && reason.contains("knee"), "{reason}");
}

#[test]
fn a_stuck_motor_encoder_under_impedance_stops_once_the_encoders_disagree() {
    // Sit-to-stand: impedance at the knee on a series-elastic actuator; the knee extends by about 1.4 rad.
    let clean = run("sit-to-stand", &[]);
    assert_eq!(clean.supervisor.faults, 0, "{:?}", clean.supervisor);
    let s = run("sit-to-stand", &[r#"faults=[{time_s=1.0, channel="motor_encoder", joint="knee", kind="stuck"}]"#]);
    let (t, reason) = first_fault(&s);
    // A stuck encoder reads a plausible value until the truth moves away from it: the stop comes on the first
    // tick at which spring torque from the encoders and the torque reading disagree beyond the margin.
    assert!((1.0..1.2).contains(&t), "stopped at {t} s: {reason}");
    assert!(reason.contains("spring deflection") && reason.contains("knee"), "{reason}");
}
