//! The imported two-legged wearer walking in a closed loop with the device: the shipped `opensim-walk*`
//! scenarios through the library.
#![cfg(feature = "scenario")]

use std::path::PathBuf;

use exo_sim::scenario;
use exo_sim::walk::{WalkSimulation, WalkSummary};

fn scenario_path(name: &str) -> PathBuf {
    PathBuf::from(format!("{}/../../scenarios/{name}.toml", env!("CARGO_MANIFEST_DIR")))
}

fn walk(name: &str, overrides: &[&str], with_device: bool) -> (WalkSummary, WalkSimulation) {
    let o: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
    let loaded = scenario::load(&scenario_path(name), &o).unwrap_or_else(|e| panic!("{e}"));
    let imported = scenario::import_wearer(&loaded).unwrap_or_else(|e| panic!("{e}"));
    let parts = scenario::build_walk(&loaded, &imported, with_device).unwrap_or_else(|e| panic!("{e}"));
    let mut sim = WalkSimulation::new(parts);
    let r = sim.run(loaded.scenario.simulation.duration_s, |_| {}, || false);
    let mut s = sim.summary();
    s.ended_early = r.err().map(|e| e.to_string());
    (s, sim)
}

#[test]
fn the_imported_wearer_tracks_the_trial_on_the_plates_with_small_residuals() {
    let (s, _) = walk("opensim-walk", &[], false);
    println!("{}", serde_json::to_string_pretty(&s).unwrap());
    assert!(s.ended_early.is_none(), "{:?}", s.ended_early);
}

#[test]
fn the_bilateral_ankle_device_pushes_off_and_the_wearers_ankle_torque_falls() {
    let (on, _) = walk("opensim-walk-ankle-exo", &[], true);
    let (off, _) = walk("opensim-walk-ankle-exo", &[], false);
    println!("{}", serde_json::to_string_pretty(&on.devices).unwrap());
    println!("rt {:.1}x / {:.1}x; residuals {:?} / {:?}", on.real_time_factor, off.real_time_factor, on.pelvis_residual_rms, off.pelvis_residual_rms);
    for (a, b) in on.coordinates.iter().zip(&off.coordinates) {
        println!("{:18} track {:.2e} / {:.2e}   rms {:7.2} / {:7.2}  peak {:7.2} / {:7.2}", a.name, a.tracking_rms, b.tracking_rms, a.generalized_force_rms, b.generalized_force_rms, a.generalized_force_peak, b.generalized_force_peak);
    }
    assert!(on.ended_early.is_none(), "{:?}", on.ended_early);
}
