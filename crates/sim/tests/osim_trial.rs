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
