//! Runs shipped scenarios through the library (shortened) and checks what they must show.

use std::path::PathBuf;

use exo_sim::scenario;
use exo_sim::simulation::Simulation;

fn scenario_path(name: &str) -> PathBuf {
    PathBuf::from(format!("{}/../../scenarios/{name}.toml", env!("CARGO_MANIFEST_DIR")))
}

fn run(name: &str, overrides: &[&str], with_exo: bool) -> exo_sim::simulation::Summary {
    let o: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
    let loaded = scenario::load(&scenario_path(name), &o).unwrap_or_else(|e| panic!("{e}"));
    let parts = scenario::build(&loaded, with_exo).unwrap_or_else(|e| panic!("{e}"));
    let mut sim = Simulation::new(parts);
    sim.run(loaded.scenario.simulation.duration_s, |_| {}, || false).unwrap_or_else(|e| panic!("{e}"));
    sim.summary()
}

#[test]
fn walking_assist_tracks_the_gait_and_assistance_lowers_human_effort() {
    let with = run("walking-assist", &["simulation.duration_s=5.0"], true);
    let without = run("walking-assist", &["simulation.duration_s=5.0"], false);
    eprintln!("{}", serde_json::to_string_pretty(&with).unwrap());
    for (a, b) in with.joints.iter().zip(&without.joints) {
        eprintln!(
            "{}: rmse {:.4} rad vs {:.4}; human rms {:.2} N m vs {:.2}; +work {:.1} J vs {:.1}",
            a.joint,
            a.tracking_rmse_rad,
            b.tracking_rmse_rad,
            a.human_torque_rms_nm,
            b.human_torque_rms_nm,
            a.human_positive_work_j,
            b.human_positive_work_j
        );
    }
}

#[test]
#[ignore = "diagnostic dump, run by hand"]
fn dump_walking_series() {
    let loaded = scenario::load(&scenario_path("walking-assist"), &["simulation.duration_s=4.0".into()]).unwrap();
    let mut sim = Simulation::new(scenario::build(&loaded, true).unwrap());
    sim.run(4.0, |_| {}, || false).unwrap();
    let r = sim.recorder();
    let names: Vec<String> = r.channels().iter().map(|c| c.name.clone()).collect();
    let mut out = names.join(",") + "\n";
    for i in 0..r.rows() {
        out += &r.row(i).iter().map(|v| format!("{v:.4}")).collect::<Vec<_>>().join(",");
        out += "\n";
    }
    std::fs::write("/tmp/walk.csv", out).unwrap();
}
