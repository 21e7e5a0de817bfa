//! A shipped scenario run through the library, its metrics read from the summary: the default walk with hip and
//! knee assistance, against the same walk with the device switched off.
//!
//! `cargo run --release --example scenario_metrics`

use std::path::Path;

use exo_sim::scenario;
use exo_sim::simulation::Simulation;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/walking-assist.toml");
    let mut results = Vec::new();
    for gain in ["1.0", "0.0"] {
        // Overrides use the same paths as `exosim run --set`.
        let overrides =
            vec!["simulation.duration_s=6.0".to_string(), format!("controller.assistance.assistance_gain={gain}")];
        let loaded = scenario::load(&path, &overrides)?;
        let mut sim = Simulation::new(scenario::build(&loaded, true)?);
        sim.run(loaded.scenario.simulation.duration_s, |_| {}, || false)?;
        results.push(sim.summary());
    }
    let (on, off) = (&results[0], &results[1]);
    println!("joint  human positive work, J (assisted / device off)   tracking rmse, deg");
    for (a, b) in on.joints.iter().zip(&off.joints) {
        println!(
            "{:<6} {:>10.2} / {:>8.2}  ({:+.1} %)   {:>10.3}",
            a.joint,
            a.human_positive_work_j,
            b.human_positive_work_j,
            100.0 * (a.human_positive_work_j / b.human_positive_work_j - 1.0),
            a.tracking_rmse_rad.to_degrees()
        );
    }
    for a in &on.actuators {
        println!(
            "{} actuator: {:.2} N m rms delivered, {:.4} Wh from the battery",
            a.joint, a.delivered_rms_nm, a.battery_wh
        );
    }
    Ok(())
}
