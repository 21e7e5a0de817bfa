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
    let e = MeasuredLoads::new(&sk, &m, &wrong_column, "grf.xml", data).unwrap_err();
    assert!(matches!(e, TrialError::MissingLoadColumn { field: "torque_identifier", .. }), "{e}");
    assert!(e.to_string().contains("has no column `2_ground_torque_x`"), "{e}");
}

mod muscles {
    use super::*;
    use exo_control::assist::SplineProfile;
    use exo_sim::wearer::ideal_device::{DeviceError, IdealDevice};
    use exo_sim::wearer::metabolics::Umberger2010;
    use exo_sim::wearer::muscle_analysis::{MetabolicChange, MuscleTrial, SharingOptions, analyse};
    use exo_sim::wearer::trial::generalized_forces;
    use exo_sim::wearer::{Musculature, MusculatureState};

    struct Trial {
        sk: Skeleton,
        muscles: Musculature,
        probe: Umberger2010,
        tr: CoordinateTrajectories,
        forces: Vec<Vec<f64>>,
        loads: MeasuredLoads,
    }

    fn trial() -> Trial {
        let (m, sk) = model();
        let loads = loads(&m, &sk);
        let tr = CoordinateTrajectories::from_motion(&sk, &motion(), Some(6.0)).unwrap();
        let forces = generalized_forces(&sk, &tr, Some(&loads)).unwrap();
        let muscles = Musculature::from_osim(&m, &sk, "subject01.osim").unwrap();
        let with_probe =
            exo_opensim::read_model(root().join("assets/models/gait10dof18musc/subject01_metabolics.osim")).unwrap();
        let probe = with_probe
            .probes
            .iter()
            .find_map(|p| match p {
                exo_opensim::Probe::Umberger2010(u) => Some(u),
                _ => None,
            })
            .unwrap();
        let probe = Umberger2010::new(probe, &m.muscles, "subject01_metabolics.osim").unwrap();
        Trial { sk, muscles, probe, tr, forces, loads }
    }

    fn run(t: &Trial, device: Option<&IdealDevice>) -> MuscleTrial {
        analyse(&t.sk, &t.muscles, &t.probe, &t.tr, &t.forces, device, &SharingOptions::new(&t.sk)).unwrap()
    }

    /// An ankle plantarflexion profile on both sides (OpenSim's ankle angle is positive in dorsiflexion, so
    /// push-off help is negative), with the timing Zhang et al. (2017) report as optimal on average (peak near
    /// 53 % of stride, rise 26 %, fall 10 %).
    fn ankle_device(t: &Trial, peak_nm: f64) -> IdealDevice {
        let p =
            SplineProfile { peak_torque_nm: peak_nm, peak_time_pct: 53.0, rise_time_pct: 26.0, fall_time_pct: 10.0 };
        IdealDevice::new(&t.sk, &t.loads, &[("ankle_angle_r".into(), p), ("ankle_angle_l".into(), p)]).unwrap()
    }

    /// The window of whole right strides.
    fn window(d: &IdealDevice) -> [f64; 2] {
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
