//! Inverse dynamics of the shared walking trial computed from the files, as `exosim id` computes it, against
//! OpenSim 4.6's `InverseDynamicsTool` on the same model, motion and loads with a 6 Hz low-pass:
//!
//! * the filtered coordinates and their derivatives against the tool's own (`inverse_dynamics.json` holds the
//!   values OpenSim's pipeline produced at each frame): q within 1e-4 rad or m, speeds and accelerations within 0.5 % of
//!   each coordinate's peak;
//! * the loads at each frame against what OpenSim applied: within 0.05 N, 1e-5 m and 0.01 N m;
//! * the generalised forces against the committed reference `assets/gait/opensim/subject01_walk_ID.sto`: the
//!   issue's tolerances, RMS difference within 3 % of the coordinate's peak, pelvis residuals within 5 N or N m RMS,
//!   and a guard at 0.1 % of the peak, since it achieves 0.022 % at most.
//!
//! Figures print with `--nocapture`.

use std::path::{Path, PathBuf};

use exo_sim::opensim::Storage;
use exo_sim::wearer::trial::{CoordinateTrajectories, MeasuredLoads, TrialError, inverse_dynamics};
use exo_sim::wearer::{Skeleton, SkeletonKinematics};
use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn model() -> (exo_opensim::Model, Skeleton) {
    let path = root().join("assets/models/gait10dof18musc/subject01.osim");
    let model = exo_opensim::read_model(&path).unwrap_or_else(|e| panic!("{e}"));
    let skeleton = Skeleton::from_osim(&model, "subject01.osim").unwrap_or_else(|e| panic!("{e}"));
    (model, skeleton)
}

fn motion() -> Storage {
    Storage::read(&root().join("assets/gait/opensim/subject01_walk_IK.mot")).unwrap()
}

fn loads(model: &exo_opensim::Model, skeleton: &Skeleton) -> MeasuredLoads {
    MeasuredLoads::read(skeleton, model, &root().join("assets/gait/opensim/subject01_walk_grf.xml"))
        .unwrap_or_else(|e| panic!("{e}"))
}

fn frames() -> Vec<Value> {
    let text = std::fs::read_to_string(root().join("tests/fixtures/opensim/inverse_dynamics.json")).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    v["frames"].as_array().unwrap().clone()
}

fn vec3(v: &Value) -> [f64; 3] {
    let a = v.as_array().unwrap();
    [a[0].as_f64().unwrap(), a[1].as_f64().unwrap(), a[2].as_f64().unwrap()]
}

#[test]
fn filtered_coordinates_and_their_derivatives_match_opensims_pipeline() {
    let (_, sk) = model();
    let tr = CoordinateTrajectories::from_motion(&sk, &motion(), Some(6.0)).unwrap();
    let frames = frames();
    assert_eq!(tr.len(), frames.len());
    for (j, c) in sk.coordinates.iter().enumerate() {
        let mut worst = [0.0_f64; 3];
        let mut peak = [0.0_f64; 3];
        for (i, f) in frames.iter().enumerate() {
            let ours = [tr.q[i][j], tr.u[i][j], tr.udot[i][j]];
            for (k, key) in ["q", "qdot", "qddot"].iter().enumerate() {
                let theirs = f[key][&c.name].as_f64().unwrap();
                worst[k] = worst[k].max((ours[k] - theirs).abs());
                peak[k] = peak[k].max(theirs.abs());
            }
        }
        println!(
            "{:18} max |diff|: q {:.1e}, speed {:.2} % of peak, acceleration {:.2} % of peak",
            c.name,
            worst[0],
            100.0 * worst[1] / peak[1],
            100.0 * worst[2] / peak[2]
        );
        assert!(worst[0] < 1e-4, "{}: q differs by {:e}", c.name, worst[0]);
        assert!(worst[1] < 0.005 * peak[1], "{}: speed differs by {:e} (peak {})", c.name, worst[1], peak[1]);
        assert!(worst[2] < 0.005 * peak[2], "{}: acceleration differs by {:e} (peak {})", c.name, worst[2], peak[2]);
    }
}

#[test]
fn the_loads_at_each_frame_are_the_ones_opensim_applied() {
    let (m, sk) = model();
    let loads = loads(&m, &sk);
    let tr = CoordinateTrajectories::from_motion(&sk, &motion(), Some(6.0)).unwrap();
    let mut kin = SkeletonKinematics::new(&sk);
    let mut out = Vec::new();
    // Largest difference of force (N), point (m) and torque (N m).
    let mut worst = [0.0_f64; 3];
    for (i, f) in frames().iter().enumerate() {
        kin.update(&sk, &tr.q[i], &tr.u[i]);
        loads.at(&sk, &kin, tr.time_s[i], &mut out).unwrap();
        assert_eq!(out.len(), 2);
        for (l, side) in out.iter().zip(["right", "left"]) {
            let theirs = &f["external_loads"][side];
            assert_eq!(l.body, sk.body(theirs["applied_to_body"].as_str().unwrap()).unwrap());
            for (q, (ours, key)) in
                [(l.force_n, "force"), (l.point_m, "point"), (l.torque_nm, "torque")].iter().enumerate()
            {
                let t = vec3(&theirs[*key]);
                for k in 0..3 {
                    worst[q] = worst[q].max((ours[k] - t[k]).abs());
                }
            }
        }
    }
    println!(
        "loads at the 151 frames: max |exosim - OpenSim| force {:.2e} N, point {:.2e} m, torque {:.2e} N m",
        worst[0], worst[1], worst[2]
    );
    // OpenSim fits splines through the 600 Hz plate data, exosim interpolates linearly, and OpenSim's frame times
    // sit 5e-7 s before the motion's: 0.05 N of forces near 800 N, 1e-5 m, 0.01 N m.
    assert!(worst[0] < 0.05 && worst[1] < 1e-5 && worst[2] < 0.01, "{worst:?}");
}

#[test]
fn inverse_dynamics_of_the_trial_is_within_three_percent_of_opensims_tool() {
    let (m, sk) = model();
    let loads = loads(&m, &sk);
    let tr = CoordinateTrajectories::from_motion(&sk, &motion(), Some(6.0)).unwrap();
    let ours = inverse_dynamics(&sk, &m, &tr, Some(&loads)).unwrap();
    let reference = Storage::read(&root().join("assets/gait/opensim/subject01_walk_ID.sto")).unwrap();
    // OpenSim 4.6 writes the columns in multibody order (the fixture's `tool_output_columns`); the committed
    // reference, from an older OpenSim, in file order. The names are the same.
    let fixture: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/fixtures/opensim/inverse_dynamics.json")).unwrap(),
    )
    .unwrap();
    let order: Vec<&str> =
        fixture["tool_output_columns"].as_array().unwrap().iter().map(|c| c.as_str().unwrap()).collect();
    assert_eq!(ours.columns, order, "OpenSim 4.6's column names and order");
    let (mut a, mut b) = (ours.columns.clone(), reference.columns.clone());
    a.sort();
    b.sort();
    assert_eq!(a, b);
    assert_eq!(ours.len(), reference.len());
    for (label, theirs) in reference.columns.iter().zip(&reference.data) {
        let mine = ours.column(label).unwrap();
        let rms = (mine.iter().zip(theirs).map(|(a, b)| (a - b).powi(2)).sum::<f64>() / mine.len() as f64).sqrt();
        let peak = theirs.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
        println!("{label:26} RMS difference {rms:8.4} ({:.3} % of the peak {peak:.1})", 100.0 * rms / peak);
        assert!(rms < 0.03 * peak, "{label}: RMS {rms} against peak {peak}");
        // What it achieves (0.022 % at most when written), guarded well below the 3 %.
        assert!(rms < 0.001 * peak, "{label}: RMS {rms} against peak {peak}: inverse dynamics got worse");
        if label.starts_with("pelvis") {
            assert!(rms < 5.0, "pelvis residual {label}: RMS {rms} differs by 5 N or N m or more");
        }
    }
}

#[test]
fn a_motion_column_the_model_lacks_and_a_missing_coordinate_are_errors_naming_the_line() {
    let (_, sk) = model();
    let text = std::fs::read_to_string(root().join("assets/gait/opensim/subject01_walk_IK.mot")).unwrap();
    let renamed = Storage::parse(&text.replacen("lumbar_extension", "lumbar_bending", 1), "ik.mot").unwrap();
    let e = CoordinateTrajectories::from_motion(&sk, &renamed, Some(6.0)).unwrap_err();
    assert!(matches!(e, TrialError::UnknownColumn { line: 11, .. }), "{e}");
    assert_eq!(e.to_string(), "ik.mot:11: column `lumbar_bending` is not a coordinate of the model");

    let mut dropped = motion();
    let k = dropped.columns.iter().position(|c| c == "knee_angle_l").unwrap();
    dropped.columns.remove(k);
    dropped.data.remove(k);
    let e = CoordinateTrajectories::from_motion(&sk, &dropped, None).unwrap_err();
    assert!(e.to_string().contains("no column for coordinate `knee_angle_l`"), "{e}");

    let e = CoordinateTrajectories::from_motion(&sk, &motion(), Some(30.0)).unwrap_err();
    assert!(matches!(e, TrialError::BadCutoff { .. }), "{e}");

    // A value that is not a number would spread through the filter into every frame: refused, located.
    let mut holed = motion();
    let k = holed.columns.iter().position(|c| c == "hip_flexion_r").unwrap();
    holed.data[k][40] = f64::NAN;
    let e = CoordinateTrajectories::from_motion(&sk, &holed, Some(6.0)).unwrap_err();
    assert!(matches!(e, TrialError::NonFiniteMotion { row: 41, .. }), "{e}");
    assert!(e.to_string().contains("column `hip_flexion_r` is not a finite number"), "{e}");
}

#[test]
fn a_load_on_a_body_the_model_lacks_or_a_column_the_data_lacks_is_an_error_naming_the_loads_line() {
    let (m, sk) = model();
    let xml = std::fs::read_to_string(root().join("assets/gait/opensim/subject01_walk_grf.xml")).unwrap();
    let data = Storage::read(&root().join("assets/gait/opensim/subject01_walk_grf.mot")).unwrap();
    let wrong_body = exo_opensim::parse_external_loads(&xml.replacen("calcn_l", "foot_l", 1), "grf.xml").unwrap();
    let e = MeasuredLoads::new(&sk, &m, &wrong_body, "grf.xml", data.clone()).unwrap_err();
    assert!(e.to_string().starts_with("grf.xml:23: ExternalForce left: applied_to_body foot_l"), "{e}");
    let wrong_column =
        exo_opensim::parse_external_loads(&xml.replacen("1_ground_torque_", "2_ground_torque_", 1), "grf.xml").unwrap();
    let e = MeasuredLoads::new(&sk, &m, &wrong_column, "grf.xml", data.clone()).unwrap_err();
    assert!(matches!(e, TrialError::MissingLoadColumn { field: "torque_identifier", .. }), "{e}");
    assert!(e.to_string().contains("has no column `2_ground_torque_x`"), "{e}");
    // A data file with its labels and no rows (it used to panic when a frame asked for a load).
    let empty =
        Storage::new("empty.mot", false, data.columns.clone(), Vec::new(), vec![Vec::new(); data.columns.len()])
            .unwrap();
    let loads = exo_opensim::parse_external_loads(&xml, "grf.xml").unwrap();
    let e = MeasuredLoads::new(&sk, &m, &loads, "grf.xml", empty).unwrap_err();
    assert!(matches!(e, TrialError::EmptyLoads { .. }), "{e}");
}

mod muscles {
    use super::*;
    use exo_control::assist::SplineProfile;
    use exo_sim::wearer::ideal_device::{DeviceError, IdealDevice};
    use exo_sim::wearer::metabolics::Umberger2010;
    use exo_sim::wearer::muscle_analysis::{
        MetabolicChange, MuscleTrial, SharingOptions, TrialInputs, analyse, analyse_in_chunks,
    };
    use exo_sim::wearer::trial::generalized_forces;
    use exo_sim::wearer::{Musculature, MusculatureState};

    pub(super) struct Trial {
        pub(super) sk: Skeleton,
        pub(super) muscles: Musculature,
        pub(super) probe: Umberger2010,
        pub(super) tr: CoordinateTrajectories,
        pub(super) forces: Vec<Vec<f64>>,
        pub(super) loads: MeasuredLoads,
    }

    pub(super) fn trial() -> Trial {
        let (m, sk) = model();
        let loads = loads(&m, &sk);
        let tr = CoordinateTrajectories::from_motion(&sk, &motion(), Some(6.0)).unwrap();
        let forces = generalized_forces(&sk, &tr, Some(&loads)).unwrap();
        let muscles = Musculature::from_osim(&m, &sk, "subject01.osim").unwrap();
        let with_probe =
            exo_opensim::read_model(root().join("assets/models/gait10dof18musc/subject01_metabolics.osim")).unwrap();
        let probe = Umberger2010::of_model(&with_probe, &m.muscles, "subject01_metabolics.osim").unwrap();
        Trial { sk, muscles, probe, tr, forces, loads }
    }

    pub(super) fn inputs<'a>(t: &'a Trial, options: &'a SharingOptions) -> TrialInputs<'a> {
        TrialInputs {
            skeleton: &t.sk,
            muscles: &t.muscles,
            probe: &t.probe,
            trajectories: &t.tr,
            forces: &t.forces,
            options,
        }
    }

    fn run(t: &Trial, device: Option<&IdealDevice>) -> MuscleTrial {
        let options = SharingOptions::new(&t.sk);
        analyse(&inputs(t, &options), device).unwrap()
    }

    #[test]
    fn chunked_analysis_is_the_same_whatever_the_threads_and_matches_the_sequential_one() {
        let t = trial();
        let options = SharingOptions::new(&t.sk);
        let device = ankle_device(&t, -30.0);
        let whole = run(&t, Some(&device));
        let on = |threads: usize| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| analyse_in_chunks(&inputs(&t, &options), Some(&device), 8).unwrap())
        };
        let (one, two) = (on(1), on(2));
        assert_eq!(one, two, "the thread count changed the result");
        let worst = one
            .activation
            .iter()
            .flatten()
            .zip(whole.activation.iter().flatten())
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        println!("chunked against sequential: max activation difference {worst:.1e}");
        assert!(worst < 1e-9, "{worst:e}");
    }

    /// An ankle plantarflexion profile on both sides (OpenSim's ankle angle is positive in dorsiflexion, so
    /// push-off help is negative), with the timing Zhang et al. (2017) report as optimal on average (peak near
    /// 53 % of stride, rise 26 %, fall 10 %).
    pub(super) fn ankle_device(t: &Trial, peak_nm: f64) -> IdealDevice {
        let p =
            SplineProfile { peak_torque_nm: peak_nm, peak_time_pct: 53.0, rise_time_pct: 26.0, fall_time_pct: 10.0 };
        IdealDevice::new(&t.sk, &t.loads, &[("ankle_angle_r".into(), p), ("ankle_angle_l".into(), p)]).unwrap()
    }

    /// The window of whole right strides.
    pub(super) fn window(d: &IdealDevice) -> [f64; 2] {
        let hs = d.heel_strikes_s(0);
        [hs[0], hs[hs.len() - 1]]
    }

    #[test]
    fn the_unassisted_trial_from_the_files_costs_what_opensim_computes() {
        let t = trial();
        let a = run(&t, None);
        let mean = a.metabolic_power_w.iter().sum::<f64>() / a.metabolic_power_w.len() as f64;
        let fixture: Value = serde_json::from_str(
            &std::fs::read_to_string(root().join("tests/fixtures/opensim/metabolics.json")).unwrap(),
        )
        .unwrap();
        let opensim = fixture["rigid_tendon"]["whole_body_summary"]["umberger_whole_body_mean_W"].as_f64().unwrap();
        println!("metabolic power over the trial from the files: {mean:.1} W against OpenSim's {opensim:.1} W");
        // Same bound as the static-optimization test on OpenSim's own states (measured +0.4 % there).
        assert!(((mean - opensim) / opensim).abs() < 0.05, "{mean} W against {opensim} W");
        // The second model, with its basal rate, against OpenSim's Bhargava probe on OpenSim's states.
        let basal = exo_sim::wearer::bhargava::Bhargava2004::basal_w(t.sk.mass_kg());
        let second =
            basal + a.metabolic_power_bhargava_w.iter().sum::<f64>() / a.metabolic_power_bhargava_w.len() as f64;
        let opensim_second =
            fixture["rigid_tendon"]["whole_body_summary"]["bhargava_whole_body_mean_W_including_basal"]
                .as_f64()
                .unwrap();
        println!("Bhargava 2004 with basal: {second:.1} W against OpenSim's {opensim_second:.1} W");
        assert!(((second - opensim_second) / opensim_second).abs() < 0.05, "{second} W against {opensim_second} W");
        // The muscles' moments plus the reserves are the generalised forces, at every frame, to solver tolerance.
        let mut kin = SkeletonKinematics::new(&t.sk);
        let mut state = MusculatureState::default();
        for i in 0..t.tr.len() {
            t.muscles.state(&t.sk, &mut kin, &t.tr.q[i], &t.tr.u[i], &mut state);
            for j in 0..t.sk.coordinates.len() {
                let moment: f64 = (0..a.muscles.len()).map(|k| state.moment_arm[k][j] * a.force_n[i][k]).sum();
                let err = (moment + a.reserve[i][j] - t.forces[i][j]).abs();
                assert!(err < 1e-8 * (1.0 + t.forces[i][j].abs()), "frame {i}, {}: {err:e}", t.sk.coordinates[j].name);
            }
        }
        // The pelvis and lumbar coordinates are crossed by no muscle: their torques are the reserves'.
        let names: Vec<&str> = a.shared.iter().map(|&j| t.sk.coordinates[j].name.as_str()).collect();
        assert_eq!(names.len(), 6, "{names:?}");
        assert!(names.iter().all(|n| !n.starts_with("pelvis") && *n != "lumbar_extension"), "{names:?}");
    }

    #[test]
    fn plantarflexion_help_at_push_off_lowers_the_cost_and_the_opposite_raises_it() {
        let t = trial();
        let base = run(&t, None);
        let zero = ankle_device(&t, 0.0);
        assert_eq!(run(&t, Some(&zero)), base, "a device of zero torque changes nothing, bit for bit");
        let help = ankle_device(&t, -30.0);
        let assisted = run(&t, Some(&help));
        let c = MetabolicChange::between(&base, &assisted, window(&help));
        let plantarflexors = |g: &str| g == "soleus" || g == "gastroc";
        let (before, after) =
            c.groups.iter().filter(|(g, _, _)| plantarflexors(g)).fold((0.0, 0.0), |(a, b), (_, x, y)| (a + x, b + y));
        println!(
            "30 N m ideal ankle push-off on both sides, {:.2}-{:.2} s: {:.1} W -> {:.1} W ({:+.1} W, {:+.1} %); \
             soleus+gastrocnemius {before:.1} -> {after:.1} W; device positive power {:.1} W, net {:.1} W; \
             {:.2} W saved per W of positive work",
            c.window_s[0],
            c.window_s[1],
            c.unassisted_w,
            c.assisted_w,
            c.change_w(),
            c.change_pct(),
            c.device_positive_w,
            c.device_net_w,
            c.saving_per_positive_work().unwrap()
        );
        assert!(c.change_w() < 0.0, "plantarflexion help did not lower the cost: {:+} W", c.change_w());
        assert!(after < before, "the plantarflexors' cost did not fall");
        assert!(c.device_positive_w > 0.0);
        let hinder = ankle_device(&t, 30.0);
        let hindered = MetabolicChange::between(&base, &run(&t, Some(&hinder)), window(&hinder));
        assert!(hindered.change_w() > 0.0, "dorsiflexing torque at push-off lowered the cost");
    }

    #[test]
    fn moment_arms_about_uncrossed_coordinates_are_skipped_and_the_rest_are_the_lengths_derivatives() {
        let t = trial();
        let name = |j: usize| t.sk.coordinates[j].name.as_str();
        let crossed = |m: &str| -> Vec<&str> {
            let p = t.muscles.paths.iter().find(|p| p.name == m).unwrap();
            p.crossed_coordinates().iter().map(|&j| name(j)).collect()
        };
        assert_eq!(crossed("soleus_r"), ["ankle_angle_r"]);
        assert_eq!(crossed("hamstrings_l"), ["hip_flexion_l", "knee_angle_l"]);
        assert_eq!(crossed("gastroc_r"), ["knee_angle_r", "ankle_angle_r"]);
        // Against central differences of the path lengths about every coordinate, at frames across the trial.
        let mut kin = SkeletonKinematics::new(&t.sk);
        let mut state = MusculatureState::default();
        let (h, mut worst) = (1e-6, 0.0_f64);
        for i in (0..t.tr.len()).step_by(15) {
            let q = &t.tr.q[i];
            t.muscles.state(&t.sk, &mut kin, q, &t.tr.u[i], &mut state);
            for j in 0..q.len() {
                let length = |dq: f64, kin: &mut SkeletonKinematics| -> Vec<f64> {
                    let mut qq = q.clone();
                    qq[j] += dq;
                    let zeros = vec![0.0; q.len()];
                    kin.update(&t.sk, &qq, &zeros);
                    t.muscles.paths.iter().map(|p| p.length_and_speed(&t.sk, kin, &qq, &zeros).0).collect()
                };
                let (up, down) = (length(h, &mut kin), length(-h, &mut kin));
                for k in 0..t.muscles.paths.len() {
                    let fd = -(up[k] - down[k]) / (2.0 * h);
                    worst = worst.max((state.moment_arm[k][j] - fd).abs());
                }
            }
        }
        println!("moment arms against central differences of the lengths: max difference {worst:.1e} m");
        assert!(worst < 1e-7, "{worst:e}");
    }

    #[test]
    fn a_device_on_an_unknown_or_sideless_coordinate_is_refused() {
        let t = trial();
        let p = SplineProfile { peak_torque_nm: 10.0, peak_time_pct: 50.0, rise_time_pct: 20.0, fall_time_pct: 10.0 };
        let e = IdealDevice::new(&t.sk, &t.loads, &[("ankle_r".into(), p)]).unwrap_err();
        assert_eq!(e, DeviceError::UnknownCoordinate("ankle_r".into()));
        let e = IdealDevice::new(&t.sk, &t.loads, &[("lumbar_extension".into(), p)]).unwrap_err();
        assert!(matches!(e, DeviceError::NoGaitPhase { .. }), "{e}");
        let bad = SplineProfile { rise_time_pct: 0.0, ..p };
        let e = IdealDevice::new(&t.sk, &t.loads, &[("hip_flexion_r".into(), bad)]).unwrap_err();
        assert_eq!(e, DeviceError::BadProfile { coordinate: "hip_flexion_r".into(), field: "rise_time_pct" });
    }
}

/// Human-in-the-loop optimization rehearsed on the trial: two parameters of a bilateral ankle push-off profile
/// (peak torque -60..0 N m, peak time 40..65 % of stride; rise 26 %, fall 10 %), the cost the muscles' metabolic
/// power over the right stride.
mod hilo {
    use super::muscles::{Trial, inputs, trial, window};
    use exo_control::assist::SplineProfile;
    use exo_sim::hilo::{Estimator, Parameter, Protocol, Respirometry, run};
    use exo_sim::wearer::ideal_device::IdealDevice;
    use exo_sim::wearer::muscle_analysis::{SharingOptions, mean_metabolic_power_w};

    fn cost(t: &Trial, options: &SharingOptions, x: &[f64]) -> f64 {
        let p = SplineProfile { peak_torque_nm: x[0], peak_time_pct: x[1], rise_time_pct: 26.0, fall_time_pct: 10.0 };
        let d = IdealDevice::new(&t.sk, &t.loads, &[("ankle_angle_r".into(), p), ("ankle_angle_l".into(), p)]).unwrap();
        mean_metabolic_power_w(&inputs(t, options), Some(&d), window(&d), 8).unwrap()
    }

    fn parameters() -> Vec<Parameter> {
        vec![
            Parameter { name: "peak_torque_nm".into(), lower: -60.0, upper: 0.0, initial: -20.0 },
            Parameter { name: "peak_time_pct".into(), lower: 40.0, upper: 65.0, initial: 50.0 },
        ]
    }

    #[test]
    fn without_noise_cma_es_finds_the_optimum_of_a_dense_grid_and_with_noise_comes_close() {
        let t = trial();
        let options = SharingOptions::new(&t.sk);
        // A zero peak torque is no device.
        let unassisted = cost(&t, &options, &[0.0, 50.0]);
        // The dense grid: 13 x 11 over the ranges.
        let mut best = (f64::INFINITY, [0.0, 0.0]);
        for i in 0..13 {
            for k in 0..11 {
                let x = [-60.0 + 5.0 * f64::from(i), 40.0 + 2.5 * f64::from(k)];
                let c = cost(&t, &options, &x);
                if c < best.0 {
                    best = (c, x);
                }
            }
        }
        println!("grid optimum {:.2} W at {:?} (unassisted {unassisted:.2} W)", best.0, best.1);
        let quiet =
            Protocol { respirometry: Respirometry { noise: 0.0, ..Respirometry::default() }, ..Protocol::default() };
        let ps = parameters();
        let o = run(&ps, &quiet, unassisted, |x| Ok::<_, String>(cost(&t, &options, x))).unwrap();
        assert_eq!(o.evaluations.len(), 64);
        assert!((o.duration_min - 128.0).abs() < 1e-9);
        println!(
            "CMA-ES without noise: {:.2} W at [{:.1}, {:.1}] ({:+.2} % from unassisted)",
            o.final_w,
            o.final_parameters[0],
            o.final_parameters[1],
            o.change_pct()
        );
        // Within 0.5 W of the grid's optimum (its spacing alone costs that much near the optimum).
        assert!(o.final_w < best.0 + 0.5, "CMA-ES {} W against the grid's {} W", o.final_w, best.0);
        // With the default cart (10 % breath noise, first-order estimation) the estimate of a 2-minute condition
        // scatters by several watts, as large as the whole saving here (14 W of 300): five seeds.
        let saving = unassisted - best.0;
        let mut fractions = Vec::new();
        for seed in 1..=5 {
            let noisy = Protocol { seed, ..Protocol::default() };
            let o = run(&ps, &noisy, unassisted, |x| Ok::<_, String>(cost(&t, &options, x))).unwrap();
            println!(
                "seed {seed}, noisy cart: {:.2} W at [{:.1}, {:.1}], {:.0} % of the grid's saving",
                o.final_w,
                o.final_parameters[0],
                o.final_parameters[1],
                100.0 * (unassisted - o.final_w) / saving
            );
            fractions.push((unassisted - o.final_w) / saving);
        }
        let mean = fractions.iter().sum::<f64>() / fractions.len() as f64;
        println!("noisy protocols reach {:.0} % of the grid's saving on average", 100.0 * mean);
        // Measured 2026-12-01: 59 to 99 %, 79 % on average; bounds with margins.
        assert!(fractions.iter().all(|f| *f > 0.4), "a noisy protocol found little of the saving: {fractions:?}");
        assert!(mean > 0.65, "noisy protocols reach {mean} of the saving on average");
    }

    #[test]
    fn the_protocol_is_the_same_whatever_the_thread_count() {
        let t = trial();
        let options = SharingOptions::new(&t.sk);
        let ps = parameters();
        let protocol = Protocol { generations: 2, population: 4, ..Protocol::default() };
        let on = |threads: usize| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| run(&ps, &protocol, 300.0, |x| Ok::<_, String>(cost(&t, &options, x))).unwrap())
        };
        assert_eq!(on(1), on(2));
    }

    #[test]
    fn the_estimators_errors_on_a_known_first_order_response_are_their_closed_forms() {
        let r = Respirometry { noise: 0.0, ..Respirometry::default() };
        let (start, ss, duration) = (420.0, 300.0, 120.0);
        let mut rng = <rand_pcg::Pcg64Mcg as rand::SeedableRng>::seed_from_u64(0);
        let b = r.condition(duration, start, |_| ss, &mut rng);
        // First-order fit with the cart's own time constant: exact.
        let fit = r.estimate(&b, duration, Estimator::FirstOrder).unwrap();
        assert!((fit - ss).abs() < 1e-9, "{fit}");
        // Last-minute mean: breaths at t_k = 63, 66, ..., 120 s; the mean of ss + (start - ss) e^(-t_k/τ) is
        // ss + (start - ss) e^(-t_1/τ) (1 - q^m) / (m (1 - q)), q = e^(-Δ/τ).
        let (dt, tau) = (r.breath_interval_s, r.time_constant_s);
        let first = (b.time_s.iter().position(|&t| t >= duration - 60.0).unwrap() + 1) as f64 * dt;
        let m = ((duration - first) / dt).round() + 1.0;
        let q = (-dt / tau).exp();
        let closed = ss + (start - ss) * (-first / tau).exp() * (1.0 - q.powf(m)) / (m * (1.0 - q));
        let mean = r.estimate(&b, duration, Estimator::LastMinuteMean).unwrap();
        println!("last-minute mean {mean:.4} W (closed form {closed:.4} W, steady state {ss} W)");
        assert!((mean - closed).abs() < 1e-9, "{mean} vs {closed}");
        assert!(mean - ss > 1.0, "the lag biases the last-minute mean");
    }
}
