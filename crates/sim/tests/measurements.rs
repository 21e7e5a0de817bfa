//! Measurements that mean what their names say. Regression tests for the defects found in review.
#![cfg(feature = "scenario")]

use std::path::PathBuf;
use std::sync::Arc;

use exo_sim::reference::{MotionReference, RefSample};
use exo_sim::scenario;
use exo_sim::simulation::Simulation;

fn scenario_path(name: &str) -> PathBuf {
    PathBuf::from(format!("{}/../../scenarios/{name}.toml", env!("CARGO_MANIFEST_DIR")))
}

/// A reference that replays the leg's own motion, sample by sample: exact at the instants it was taken.
struct Replayed {
    samples: Vec<(f64, [f64; 3])>,
}

impl MotionReference for Replayed {
    fn sample(&self, t_s: f64) -> RefSample {
        let q = self.samples.iter().find(|(t, _)| *t == t_s).map_or([f64::NAN; 3], |s| s.1);
        RefSample { q, qd: [0.0; 3], qdd: [0.0; 3], pelvis: None, phase: None, foot_support: None }
    }
}

/// Regression: `tick()` sampled the reference at the start of a physics step and the metrics compared it with the
/// joint angle at the end, so the "tracking error" was mostly joint speed times dt. A passive swing whose
/// reference is the swing itself is tracked exactly: its error must be zero to the bit, while the old pairing
/// reported about speed x 1 ms.
#[test]
fn tracking_error_pairs_the_angle_and_the_reference_of_one_instant() {
    let overrides = vec!["simulation.duration_s=1.0".to_string()];
    let loaded = scenario::load(&scenario_path("reference-leg-passive"), &overrides).unwrap();
    // First run: the passive swing, its angle at the start of every physics step.
    let mut sim = Simulation::new(scenario::build(&loaded, false).unwrap());
    let mut samples = Vec::new();
    for _ in 0..1000 {
        samples.push((sim.time_s(), sim.world().leg_q()));
        sim.tick().unwrap();
    }
    let first = sim.summary();
    let moved = first.joints.iter().map(|j| j.tracking_rmse_rad).fold(0.0, f64::max);
    assert!(moved > 0.1, "the passive leg must swing away from its start posture ({moved} rad)");
    // Second run: the same swing (a passive wearer ignores the reference), with the swing as reference.
    let mut parts = scenario::build(&loaded, false).unwrap();
    parts.reference = Arc::new(Replayed { samples: samples.clone() });
    let mut sim = Simulation::new(parts);
    sim.run(1.0, |_| {}, || false).unwrap();
    let s = sim.summary();
    for j in &s.joints {
        assert_eq!(j.tracking_rmse_rad, 0.0, "{}: {} rad", j.joint, j.tracking_rmse_rad);
    }
    // What the old pairing (reference at a step's start, angle at its end) would have reported.
    let lagged: f64 =
        (samples.windows(2).map(|w| (w[1].1[1] - w[0].1[1]).powi(2)).sum::<f64>() / (samples.len() - 1) as f64).sqrt();
    assert!(lagged > 1e-4, "the knee moves {lagged} rad per step: the old pairing would not have been zero");
}

/// Regression: `motion.kind = "passive"` built an active hold that only the shipped file's zeroed gains made
/// passive. With the default (large) gains of the human model, a passive leg must still conserve energy.
#[test]
fn passive_motion_is_passive_whatever_the_gains() {
    let overrides: Vec<String> = [
        "simulation.duration_s=2.0",
        "human.kp_nm_per_rad=[400.0, 300.0, 200.0]",
        "human.kd_nm_s_per_rad=[25.0, 15.0, 8.0]",
        "human.feedforward=true",
    ]
    .map(String::from)
    .to_vec();
    let loaded = scenario::load(&scenario_path("reference-leg-passive"), &overrides).unwrap();
    let mut sim = Simulation::new(scenario::build(&loaded, true).unwrap());
    sim.run(2.0, |_| {}, || false).unwrap();
    let s = sim.summary();
    let e = s.energy_check.expect("passive and undamped: a conservation check");
    assert!(e.drift_fraction.abs() < 1e-6, "energy drift {} (an active hold would pump energy in)", e.drift_fraction);
    for j in &s.joints {
        assert_eq!(j.human_torque_rms_nm, 0.0, "{}", j.joint);
    }
}

/// The law's gravity model is the device's own: with no model error, it gives exactly the holding torque the
/// engine's inverse dynamics computes for the exoskeleton links at rest, from the angles alone.
#[test]
fn the_laws_gravity_model_matches_the_engine_at_rest() {
    use exo_sim::multibody::{Dynamics, Kinematics};
    let loaded = scenario::load(&scenario_path("walking-assist"), &[]).unwrap();
    let parts = scenario::build(&loaded, true).unwrap();
    let world = parts.world;
    let (Some(ids), exo_sim::world::LegModel::Human(leg)) = (world.exo(), world.leg_model()) else { panic!() };
    let model = world.model();
    let g = exo_control::GravityModel::new(exo_sim::body::exo::gravity_model(model, ids, leg, 0.0, 0.0)).unwrap();
    let mut kin = Kinematics::new(model);
    let mut dynamics = Dynamics::new(model);
    let n = model.len();
    for (k, q_exo) in [[0.3, -0.9, 0.0], [-0.2, -0.1, 0.0], [1.1, -1.6, 0.0]].iter().enumerate() {
        let mut q = world.state().q.clone();
        for j in 0..3 {
            if let Some(b) = ids.joint[j] {
                q[b] = q_exo[j];
            }
        }
        let pitch = 0.05 * k as f64;
        let base = exo_sim::multibody::BaseMotion::fixed(exo_sim::multibody::Pose2::new(pitch, Default::default()));
        kin.update(model, &base, &q, &vec![0.0; n]);
        let mut tau = vec![0.0; n];
        dynamics.inverse(model, &kin, &vec![0.0; n], &vec![0.0; n], &vec![Default::default(); n], &mut tau);
        let law = g.torque_nm(&exo_control::SVector::from(*q_exo), pitch);
        for j in 0..2 {
            let b = ids.joint[j].unwrap();
            assert!((law[j] - tau[b]).abs() < 1e-9, "pose {k} joint {j}: law {} vs engine {}", law[j], tau[b]);
        }
    }
    // A model 10 % too heavy holds exactly 1.1 times the torque (its masses scale, their centres do not move).
    let heavy = exo_control::GravityModel::new(exo_sim::body::exo::gravity_model(model, ids, leg, 0.1, 0.0)).unwrap();
    for q_exo in [[0.3, -0.9, 0.0], [1.1, -1.6, 0.0]] {
        let (right, wrong) = (
            g.torque_nm(&exo_control::SVector::from(q_exo), 0.0),
            heavy.torque_nm(&exo_control::SVector::from(q_exo), 0.0),
        );
        for j in 0..2 {
            assert!(
                (wrong[j] - 1.1 * right[j]).abs() < 1e-12 * (1.0 + right[j].abs()),
                "joint {j}: {} vs 1.1 x {}",
                wrong[j],
                right[j]
            );
        }
    }
}
