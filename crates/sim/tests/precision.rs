//! The control law in single precision (`controller.precision = "f32"`, as firmware on a single-precision FPU
//! runs it) against the same law in double precision, on the same simulated plant.
#![cfg(feature = "scenario")]

use std::path::PathBuf;

use exo_sim::scenario;
use exo_sim::simulation::{Simulation, Summary};

fn scenario_path(name: &str) -> PathBuf {
    PathBuf::from(format!("{}/../../scenarios/{name}.toml", env!("CARGO_MANIFEST_DIR")))
}

/// Runs `name` with `precision` and returns the summary and the recorded column `channel`.
fn run(name: &str, precision: &str, extra: &[&str], channel: &str) -> (Summary, Vec<f64>) {
    let mut o: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
    o.push(format!("controller.precision=\"{precision}\""));
    o.push("simulation.compare_without_exo=false".into());
    let loaded = scenario::load(&scenario_path(name), &o).unwrap_or_else(|e| panic!("{e}"));
    let mut sim = Simulation::new(scenario::build(&loaded, true).unwrap());
    sim.run(loaded.scenario.simulation.duration_s, |_| {}, || false).unwrap();
    let rec = sim.recorder();
    let col = rec.index(channel).unwrap_or_else(|| panic!("no channel {channel}"));
    (sim.summary(), rec.column(col).collect())
}

fn max_abs_difference(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len());
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).fold(0.0, f64::max)
}

#[test]
fn single_precision_sea_loop_steps_like_double_precision() {
    let (s64, c64) = run("torque-step", "f64", &[], "exo_knee_command_nm");
    let (s32, c32) = run("torque-step", "f32", &[], "exo_knee_command_nm");
    let d = max_abs_difference(&c64, &c32);
    let (r64, r32) = (s64.step_response.unwrap(), s32.step_response.unwrap());
    eprintln!("torque-step: largest command difference {d:.3e} N m; rise {} vs {} s", r64.rise_time_s, r32.rise_time_s);
    // The f32 path really runs (its rounding shows), and a well-scaled loop does not care: f32 has a relative
    // resolution of 6e-8, a 10 N m command about 1e-6 N m, and the loop does not amplify it.
    assert!(d > 0.0, "the single-precision law gave bit-identical commands: is it in use?");
    assert!(d < 1e-3, "largest command difference {d} N m");
    assert!((r64.rise_time_s - r32.rise_time_s).abs() <= 1e-3);
}

#[test]
fn single_precision_assistance_delivers_the_same_torque_while_walking() {
    let extra = ["simulation.duration_s=4.0"];
    let (s64, c64) = run("walking-assist", "f64", &extra, "exo_hip_command_nm");
    let (s32, c32) = run("walking-assist", "f32", &extra, "exo_hip_command_nm");
    let d = max_abs_difference(&c64, &c32);
    let w = |s: &Summary| s.joints[0].human_positive_work_j;
    eprintln!("walking-assist: largest hip command difference {d:.3e} N m; hip work {} vs {} J", w(&s64), w(&s32));
    assert!(d > 0.0 && d < 1e-2, "largest hip command difference {d} N m");
    assert!((w(&s64) - w(&s32)).abs() < 1e-3 * w(&s64));
}
