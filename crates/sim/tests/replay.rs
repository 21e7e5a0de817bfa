//! Replaying a run's frame log through a freshly built control law and supervisor gives back the logged
//! commands bit for bit; changed gains on the same frames give different ones.
#![cfg(feature = "scenario")]

use std::path::{Path, PathBuf};

use exo_sim::scenario;
use exo_sim::simulation::{FrameLog, Simulation, replay};

fn scenario_path(name: &str) -> PathBuf {
    PathBuf::from(format!("{}/../../scenarios/{name}.toml", env!("CARGO_MANIFEST_DIR")))
}

/// Runs `name` for `duration_s` with the frame log on and returns the log as it reads back from CSV.
fn logged_run(name: &str, duration_s: f64) -> (scenario::LoadedScenario, FrameLog, usize) {
    let loaded = scenario::load(&scenario_path(name), &[format!("simulation.duration_s={duration_s}")])
        .unwrap_or_else(|e| panic!("{e}"));
    let mut sim = Simulation::new(scenario::build(&loaded, true).unwrap());
    sim.log_frames();
    sim.run(duration_s, |_| {}, || false).unwrap();
    let log = sim.frame_log().unwrap();
    let back = FrameLog::from_csv(&log.to_csv(), Path::new("frames.csv")).unwrap();
    // Compared as text: NaN (a dropout) is not equal to itself as a number.
    assert!(back.to_csv() == log.to_csv(), "{name}: the CSV does not read back to the same records");
    (loaded, back, sim.ticks() as usize)
}

#[test]
fn replayed_commands_are_bit_identical_to_the_run() {
    // An SEA torque loop, gait-phase assistance (heel strikes, the phase estimator's state) and a latched safe
    // stop after a sensor dropout (the watchdog's state).
    for (name, duration_s) in [("torque-step", 0.6), ("walking-assist", 3.0), ("sensor-fault", 3.6)] {
        let (loaded, log, ticks) = logged_run(name, duration_s);
        assert_eq!(log.len(), ticks);
        let mut parts = scenario::build(&loaded, true).unwrap();
        let report = replay(parts.controller.as_mut(), &log);
        assert_eq!((report.ticks, report.compared), (ticks, ticks), "{name}");
        assert_eq!(report.first_mismatch, None, "{name}");
        assert!(report.max_abs_difference_nm.iter().all(|d| *d == 0.0), "{name}");
        // The log is not trivially zero: the law commanded torque.
        let torque = |r: exo_sim::simulation::FrameRecord| {
            r.output.unwrap().supervised_torque_nm.iter().fold(0.0, |a, b| a + b.abs())
        };
        assert!(log.records().any(|r| torque(r) > 1.0), "{name}");
    }
}

#[test]
fn changed_gains_on_the_same_frames_command_differently() {
    let (loaded, log, _) = logged_run("torque-step", 0.6);
    let mut changed = loaded.clone();
    let sea = changed.scenario.controller.sea_torque.as_mut().unwrap();
    sea.torque_loop.kp = scenario::PerJoint::All(6.0);
    let mut parts = scenario::build(&changed, true).unwrap();
    let report = replay(parts.controller.as_mut(), &log);
    assert!(report.first_mismatch.is_some(), "doubled gains change the command");
    assert!(report.max_abs_difference_nm.iter().any(|d| *d > 0.1), "{:?}", report.max_abs_difference_nm);
}
