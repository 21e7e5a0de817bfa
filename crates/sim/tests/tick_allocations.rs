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
    let shipped = |name: &str| PathBuf::from(format!("{}/../../scenarios/{name}.toml", env!("CARGO_MANIFEST_DIR")));
    let two_s = "simulation.duration_s=2.0".to_string();
    for (name, file, overrides) in [
        ("walking-assist", "walking-assist", vec![two_s.clone()]),
        ("f32 firmware", "walking-assist", vec![two_s.clone(), "controller.precision=\"f32\"".to_string()]),
        ("delayed sensors", "walking-assist", vec![two_s.clone(), "sensors.delay_ticks=3".to_string()]),
        // A frame dropout from 0.5 s (the held frame is copied into a buffer sized at build) and the safe stop it
        // causes (the first fault is booked without formatting text).
        (
            "frame dropout and safe stop",
            "sensor-fault",
            vec![two_s.clone(), "faults[0].kind=\"frame_dropout\"".to_string(), "faults[0].time_s=0.5".to_string()],
        ),
    ] {
        let loaded = scenario::load(&shipped(file), &overrides).unwrap();
        let mut sim = Simulation::new(scenario::build(&loaded, true).unwrap());
        sim.log_frames();
        let (allocations, ()) = counting_alloc::allocations_in(|| {
            for _ in 0..1500 {
                sim.tick().unwrap();
            }
        });
        assert_eq!(allocations, 0, "{name}: 1500 ticks allocated {allocations} times");
    }
    // The imported two-legged wearer with two series-elastic ankles, from its first tick: 1.5 s covers a heel
    // strike, the plates' cross-fade and the seam of the repeated stride (0.618 + 1.235 s).
    let loaded = scenario::load(&shipped("opensim-walk-ankle-exo"), &["simulation.duration_s=2.0".into()]).unwrap();
    let imported = scenario::import_wearer(&loaded).unwrap();
    let mut walk = exo_sim::walk::WalkSimulation::new(scenario::build_walk(&loaded, &imported, true).unwrap());
    let (allocations, ()) = counting_alloc::allocations_in(|| {
        for _ in 0..1500 {
            walk.tick().unwrap();
        }
    });
    assert_eq!(allocations, 0, "the walk: 1500 ticks allocated {allocations} times");
}
