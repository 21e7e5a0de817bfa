//! The simulation's tick does not allocate: every buffer (the frame, the delay line, the firmware's output, the
//! couplings, the recorder, the frame log) is sized when the simulation is built. Regression test for the
//! sensor delay line, whose frame copies allocated every tick.
#![cfg(feature = "scenario")]
#![allow(unsafe_code)]

use std::path::PathBuf;

use exo_sim::scenario;
use exo_sim::simulation::Simulation;

#[path = "../../control/tests/support/counting_alloc.rs"]
mod counting_alloc;

/// One test only, so that nothing else runs on the measured thread.
#[test]
fn ticks_do_not_allocate_with_recording_and_frame_log_on() {
    let path = PathBuf::from(format!("{}/../../scenarios/walking-assist.toml", env!("CARGO_MANIFEST_DIR")));
    for (name, overrides) in [
        ("walking-assist", vec!["simulation.duration_s=2.0".to_string()]),
        ("f32 firmware", vec!["simulation.duration_s=2.0".to_string(), "controller.precision=\"f32\"".to_string()]),
        ("delayed sensors", vec!["simulation.duration_s=2.0".to_string(), "sensors.delay_ticks=3".to_string()]),
    ] {
        let loaded = scenario::load(&path, &overrides).unwrap();
        let mut sim = Simulation::new(scenario::build(&loaded, true).unwrap());
        sim.log_frames();
        let (allocations, ()) = counting_alloc::allocations_in(|| {
            for _ in 0..1500 {
                sim.tick().unwrap();
            }
        });
        assert_eq!(allocations, 0, "{name}: 1500 ticks allocated {allocations} times");
    }
}
