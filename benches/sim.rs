//! Simulation benchmarks: actuator substeps, physics steps of the reference leg (this engine and rapier3d)
//! and of leg + exoskeleton, a whole 10 s walking-assist run, and the control law + supervisor replayed on the
//! sensor frames a walking run logged.
//!
//! Run: `cargo bench --bench sim`.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use exo_sim::actuator::{Actuator, ActuatorConfig};
use exo_sim::rapier::RapierLeg;
use exo_sim::reference_leg::{INITIAL_Q_RAD, Method, ReferenceLeg};
use exo_sim::scenario;
use exo_sim::simulation::Simulation;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn preset(name: &str) -> ActuatorConfig {
    let text = std::fs::read_to_string(root().join(format!("assets/actuators/{name}.toml"))).unwrap();
    ActuatorConfig::from_toml(&text).unwrap()
}

fn actuator(c: &mut Criterion) {
    let mut g = c.benchmark_group("actuator_1ms_20_substeps");
    for name in ["qdd-ak80-6", "harmonic-sea-100"] {
        let mut a = Actuator::new(preset(name), 1e-3, 0.0);
        let mut k = 0u32;
        g.bench_function(name, |b| {
            b.iter(|| {
                k = k.wrapping_add(1);
                let t = f64::from(k & 4095) * 1e-3;
                black_box(a.advance(black_box(5.0 * (3.0 * t).sin()), 0.3 * (2.0 * t).sin(), 0.6 * (2.0 * t).cos()))
            })
        });
    }
    g.finish();
}

fn reference_leg(c: &mut Criterion) {
    let mut g = c.benchmark_group("reference_leg_step_1ms");
    for (name, method) in
        [("planar_aba_rk4", Method::Rk4), ("planar_aba_semi_implicit_euler", Method::SemiImplicitEuler)]
    {
        let mut leg = ReferenceLeg::new(method);
        let mut s = ReferenceLeg::initial_state();
        let mut n = 0u32;
        g.bench_function(name, |b| {
            b.iter(|| {
                // Restart every 10 s of swing so that the state stays in the benchmark's regime.
                n += 1;
                if n.is_multiple_of(10_000) {
                    s = ReferenceLeg::initial_state();
                }
                leg.step(&mut s, 1e-3, [0.0; 3]);
                black_box(&s);
            })
        });
    }
    for substeps in [1usize, 4] {
        let mut leg = RapierLeg::new(INITIAL_Q_RAD, 1e-3, substeps);
        let mut n = 0u32;
        g.bench_function(format!("rapier3d_multibody_{substeps}_substeps"), |b| {
            b.iter(|| {
                n += 1;
                if n.is_multiple_of(10_000) {
                    leg = RapierLeg::new(INITIAL_Q_RAD, 1e-3, substeps);
                }
                leg.step([0.0; 3]);
                black_box(leg.q())
            })
        });
    }
    g.finish();
}

fn load(name: &str, overrides: &[&str]) -> scenario::LoadedScenario {
    let o: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
    scenario::load(&root().join(format!("scenarios/{name}.toml")), &o).unwrap()
}

fn walking(c: &mut Criterion) {
    let mut g = c.benchmark_group("walking_assist");
    // One control tick of the full loop: sensors, controller, supervisor, two actuators (20 substeps each),
    // human model and an RK4 physics step of leg + exoskeleton + cuffs.
    let loaded = load("walking-assist", &["simulation.duration_s=3600", "simulation.record_rate_hz=0"]);
    let mut sim = Simulation::new(scenario::build(&loaded, true).unwrap());
    g.bench_function("control_tick_1ms", |b| {
        b.iter(|| {
            sim.tick().unwrap();
            black_box(sim.human_torque_nm()[0])
        })
    });
    // The physics step alone: leg + exoskeleton (two links, two cuffs) under the walking pelvis, RK4, no joint
    // torques (so no ground reaction either: without muscles it would fold the leg).
    let passive = load(
        "walking-assist",
        &["simulation.duration_s=3600", "simulation.record_rate_hz=0", "motion.ground_reaction=\"\""],
    );
    let mut world = scenario::build(&passive, true).unwrap().world;
    let zero_torque_nm = vec![0.0; world.coordinates().len()];
    let free = vec![exo_sim::actuator::Coupling::NONE; world.device_joints().len()];
    let inputs =
        exo_sim::world::StepInputs { wearer_torque_nm: &zero_torque_nm, pelvis_residual: [0.0; 3], couplings: &free };
    let mut n = 0u32;
    g.bench_function("physics_step_leg_exo_rk4_1ms", |b| {
        b.iter(|| {
            n += 1;
            if n.is_multiple_of(2000) {
                world = scenario::build(&passive, true).unwrap().world;
            }
            world.step(1e-3, &inputs).unwrap();
            black_box(world.readings().exo_torque_nm.first().copied())
        })
    });
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    let loaded = load("walking-assist", &["simulation.duration_s=10", "simulation.compare_without_exo=false"]);
    g.bench_function("run_10s_with_recording", |b| {
        b.iter(|| {
            let mut sim = Simulation::new(scenario::build(&loaded, true).unwrap());
            sim.run(10.0, |_| {}, || false).unwrap();
            black_box(sim.summary().battery_wh)
        })
    });
    g.finish();
}

/// The imported two-legged wearer walking with a bilateral series-elastic ankle device: one control tick (sensors,
/// firmware, two actuators x 20 current-loop substeps, the tracking wearer, one physics step on the plates), with
/// either integrator. The walk repeats one stride, so the tick can run indefinitely.
fn opensim_walk(c: &mut Criterion) {
    let mut g = c.benchmark_group("opensim_walk");
    for integrator in ["semi_implicit_euler", "rk4"] {
        let o = [
            "simulation.duration_s=36000".to_string(),
            "simulation.record_rate_hz=0".to_string(),
            format!("simulation.integrator=\"{integrator}\""),
        ];
        let loaded = scenario::load(&root().join("scenarios/opensim-walk-ankle-exo.toml"), &o).unwrap();
        let imported = scenario::import_wearer(&loaded).unwrap();
        let mut sim = exo_sim::walk::WalkSimulation::new(scenario::build_walk(&loaded, &imported, true).unwrap());
        g.bench_function(format!("ankle_exo_control_tick_1ms_{integrator}"), |b| {
            b.iter(|| {
                sim.tick().unwrap();
                black_box(sim.wearer_forces().total[0])
            })
        });
    }
    g.finish();
}

/// The firmware's tick on realistic inputs: the assistance law (phase estimator, profiles) and the supervisor
/// replayed over 5 s of frames logged from walking-assist (heel strikes, noise, quantisation included), so branch
/// patterns are those of walking rather than of a synthetic signal. Reported per 5000-tick replay.
fn replay_walking(c: &mut Criterion) {
    let mut g = c.benchmark_group("replay");
    let loaded = load("walking-assist", &["simulation.duration_s=5", "simulation.compare_without_exo=false"]);
    let mut sim = Simulation::new(scenario::build(&loaded, true).unwrap());
    sim.log_frames();
    sim.run(5.0, |_| {}, || false).unwrap();
    let log = sim.frame_log().unwrap().clone();
    g.bench_function("assistance_law_and_supervisor_5000_ticks", |b| {
        b.iter_batched(
            || scenario::build(&loaded, true).unwrap(),
            |mut parts| {
                let r = exo_sim::simulation::replay(parts.controller.as_mut(), &log);
                assert!(r.first_mismatch.is_none());
                black_box(r.ticks)
            },
            criterion::BatchSize::LargeInput,
        )
    });
    g.finish();
}

/// The two-legged wearer imported from OpenSim's gait10dof18musc: inverse dynamics of the 10-coordinate skeleton
/// with both force plates, and the 18 muscle paths (length and lengthening speed), at a walking pose.
fn wearer(c: &mut Criterion) {
    use exo_sim::wearer::{InverseDynamics, MusclePath, PointLoad, Skeleton, SkeletonKinematics};
    let model = exo_opensim::read_model(root().join("assets/models/gait10dof18musc/subject01.osim")).unwrap();
    let sk = Skeleton::from_osim(&model, "subject01.osim").unwrap();
    let paths: Vec<MusclePath> =
        model.muscles.iter().map(|m| MusclePath::new(m, &sk, "subject01.osim").unwrap()).collect();
    // The first frame of the walking trial (values of tests/fixtures/opensim/inverse_dynamics.json, rounded).
    let q = [0.1803, 0.6121, 1.0179, -0.5080, 0.2013, -0.4562, -0.0895, 0.2237, -0.0109, -0.0805];
    let names = [
        "pelvis_tilt",
        "pelvis_tx",
        "pelvis_ty",
        "hip_flexion_r",
        "hip_flexion_l",
        "lumbar_extension",
        "knee_angle_r",
        "ankle_angle_r",
        "knee_angle_l",
        "ankle_angle_l",
    ];
    let mut qs = vec![0.0; sk.coordinates.len()];
    for (n, v) in names.iter().zip(q) {
        qs[sk.coordinate(n).unwrap()] = v;
    }
    let u: Vec<f64> = (0..qs.len()).map(|k| 0.3 * (k as f64).cos()).collect();
    let a: Vec<f64> = (0..qs.len()).map(|k| 2.0 * (k as f64).sin()).collect();
    let loads = [
        PointLoad {
            body: sk.body("calcn_r").unwrap(),
            force_n: [101.5, 745.5, -47.4],
            point_m: [0.379, -0.0075, 0.128],
            torque_nm: [0.0, 13.5, 0.0],
        },
        PointLoad {
            body: sk.body("calcn_l").unwrap(),
            force_n: [17.3, 20.5, -7.5],
            point_m: [0.810, -0.0075, -0.054],
            torque_nm: [1.6, -0.8, 6.9],
        },
    ];
    let mut g = c.benchmark_group("wearer");
    let mut id = InverseDynamics::new(&sk);
    let mut tau = vec![0.0; qs.len()];
    g.bench_function("inverse_dynamics_10_coordinates", |b| {
        b.iter(|| {
            id.solve(&sk, black_box(&qs), &u, &a, &loads, &mut tau);
            black_box(tau[0])
        })
    });
    let mut kin = SkeletonKinematics::new(&sk);
    g.bench_function("kinematics_and_18_muscle_paths", |b| {
        b.iter(|| {
            kin.update(&sk, black_box(&qs), &u);
            let mut total = 0.0;
            for p in &paths {
                total += p.length_and_speed(&sk, &kin, &qs, &u).0;
            }
            black_box(total)
        })
    });
    // One instant of the muscle-driven wearer: inverse dynamics, the 18 paths with their moment arms about the 10
    // coordinates, the fibres, static optimization over the 7 joints, and the metabolic power.
    let muscles = exo_sim::wearer::Musculature::from_osim(&model, &sk, "subject01.osim").unwrap();
    let probe_model =
        exo_opensim::read_model(root().join("assets/models/gait10dof18musc/subject01_metabolics.osim")).unwrap();
    let probe =
        exo_sim::wearer::metabolics::Umberger2010::of_model(&probe_model, &model.muscles, "subject01_metabolics.osim")
            .unwrap();
    let shared: Vec<usize> =
        (0..sk.coordinates.len()).filter(|&j| !sk.coordinates[j].name.starts_with("pelvis")).collect();
    let in_probe: Vec<usize> =
        muscles.units.iter().map(|m| probe.muscles.iter().position(|p| p.name == m.name).unwrap()).collect();
    let mut state = exo_sim::wearer::MusculatureState::default();
    // Its two parts: the muscles' state (paths, moment arms, fibres), and the static optimization alone,
    // warm-started from its own answer (as from the previous tick's when the state barely moves).
    g.bench_function("musculature_state_18_muscles", |b| {
        b.iter(|| {
            muscles.state(&sk, &mut kin, black_box(&qs), &u, &mut state);
            black_box(state.active_n[0])
        })
    });
    id.solve(&sk, &qs, &u, &a, &loads, &mut tau);
    muscles.state(&sk, &mut kin, &qs, &u, &mut state);
    let (arms, torque) = (state.moment_arms_about(&shared), shared.iter().map(|&j| tau[j]).collect::<Vec<f64>>());
    let reserves = vec![1.0; shared.len()];
    let answer = exo_sim::wearer::static_optimization::share(
        &arms,
        &state.active_n,
        &state.passive_n,
        &torque,
        &reserves,
        0.01,
        None,
    )
    .unwrap();
    g.bench_function("static_optimization_18_muscles_warm", |b| {
        b.iter(|| {
            let s = exo_sim::wearer::static_optimization::share(
                &arms,
                &state.active_n,
                &state.passive_n,
                black_box(&torque),
                &reserves,
                0.01,
                Some(&answer.activation),
            )
            .unwrap();
            black_box(s.activation[0])
        })
    });
    let mut warm: Option<Vec<f64>> = None;
    g.bench_function("muscle_sharing_and_metabolics_one_instant", |b| {
        b.iter(|| {
            id.solve(&sk, black_box(&qs), &u, &a, &loads, &mut tau);
            muscles.state(&sk, &mut kin, &qs, &u, &mut state);
            let torque: Vec<f64> = shared.iter().map(|&j| tau[j]).collect();
            let s = exo_sim::wearer::static_optimization::share(
                &state.moment_arms_about(&shared),
                &state.active_n,
                &state.passive_n,
                &torque,
                &vec![1.0; shared.len()],
                0.01,
                warm.as_deref(),
            )
            .unwrap();
            let watts: f64 = in_probe
                .iter()
                .enumerate()
                .map(|(i, &k)| {
                    let x = exo_sim::wearer::metabolics::MuscleEnergyInputs::at_activation(
                        s.activation[i],
                        muscles.units[i].max_isometric_force_n,
                        &state.fibres[i],
                    );
                    probe.rate(k, &x).total_w
                })
                .sum();
            warm = Some(s.activation);
            black_box(watts)
        })
    });
    // What `exosim id` computes once its files are read: the 151-frame trial filtered at 6 Hz, differentiated,
    // the plates sampled at each frame, inverse dynamics at every frame.
    let motion = exo_sim::opensim::Storage::read(&root().join("assets/gait/opensim/subject01_walk_IK.mot")).unwrap();
    let plates = exo_sim::wearer::trial::MeasuredLoads::read(
        &sk,
        &model,
        &root().join("assets/gait/opensim/subject01_walk_grf.xml"),
    )
    .unwrap();
    g.bench_function("inverse_dynamics_of_the_trial_151_frames_6hz", |b| {
        b.iter(|| {
            let tr = exo_sim::wearer::trial::CoordinateTrajectories::from_motion(&sk, black_box(&motion), Some(6.0))
                .unwrap();
            let forces = exo_sim::wearer::trial::inverse_dynamics(&sk, &model, &tr, Some(&plates)).unwrap();
            black_box(forces.data[0][0])
        })
    });
    g.finish();
}

criterion_group!(benches, actuator, reference_leg, walking, opensim_walk, replay_walking, wearer);
criterion_main!(benches);
