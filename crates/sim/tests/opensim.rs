//! OpenSim storage files and the periodic gait reference, on the shared trial of `assets/gait/`.
//!
//! What is measured (figures printed with `--nocapture`):
//! * the stride period from right heel strikes in the force file;
//! * the RMS residual of the 8-harmonic Fourier fit over the 73 kinematic samples, per joint;
//! * the analytic velocity and acceleration against central finite differences of the series;
//! * periodicity of everything the reference returns;
//! * the right foot's peak vertical force over the stride table.

use std::path::{Path, PathBuf};

use exo_sim::opensim::{GaitError, GaitOptions, GaitReference, Storage, StorageError};

fn asset(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/gait").join(name)
}

fn read(name: &str) -> Storage {
    Storage::read(&asset(name)).unwrap_or_else(|e| panic!("{e}"))
}

fn trial() -> GaitReference {
    let kinematics = read("subject01_walk1_ik.mot");
    let grf = read("subject01_walk1_grf.mot");
    GaitReference::new(&kinematics, Some(&grf), &GaitOptions::default()).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn parses_the_shared_files() {
    let ik = read("subject01_walk1_ik.mot");
    assert_eq!(ik.name, "Coordinates");
    assert!(ik.in_degrees);
    assert_eq!((ik.len(), ik.columns.len() + 1), (73, 24));
    assert_eq!(ik.time.first().copied(), Some(0.4));
    assert_eq!(ik.time.last().copied(), Some(1.6));
    assert_eq!(ik.column("hip_flexion_r").map(|c| c[0]), Some(20.01810174));
    assert!(ik.header.iter().any(|l| l == "Angles are in degrees."));

    let id = read("subject01_walk1_id.sto");
    assert!(!id.in_degrees);
    assert_eq!((id.len(), id.columns.len() + 1), (73, 24));
    assert!(id.column("knee_angle_r_moment").is_some());

    let grf = read("subject01_walk1_grf.mot");
    assert_eq!((grf.len(), grf.columns.len() + 1), (1501, 19));
    assert_eq!(grf.time.last().copied(), Some(2.5));
    assert_eq!(grf.column("ground_force_vy").map(|c| c[0]), Some(745.4661142));
    assert_eq!(grf.column("1_ground_force_vy").map(|c| c[0]), Some(20.49185173));
}

#[test]
fn missing_file_names_the_path() {
    let path = asset("no_such_trial.mot");
    let error = Storage::read(&path).unwrap_err();
    assert!(matches!(error, StorageError::Io { .. }));
    assert!(error.to_string().contains("no_such_trial.mot"), "{error}");
}

#[test]
fn wrong_value_count_names_file_and_line() {
    let text = std::fs::read_to_string(asset("subject01_walk1_ik.mot")).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    // Line 15 (1-based) is the fourth data row: drop its last value.
    let shortened = lines[14].trim_end().rsplit_once('\t').map(|(head, _)| head.to_string()).unwrap();
    lines[14] = &shortened;
    let error = Storage::parse(&lines.join("\n"), "broken_ik.mot").unwrap_err();
    assert!(
        matches!(&error, StorageError::WrongValueCount { file, line: 15, expected: 24, found: 23 } if file == "broken_ik.mot"),
        "{error:?}"
    );
    assert!(error.to_string().starts_with("broken_ik.mot:15: "), "{error}");
}

#[test]
fn write_read_round_trip_is_bit_identical() {
    for name in ["subject01_walk1_ik.mot", "subject01_walk1_id.sto", "subject01_walk1_grf.mot"] {
        let original = read(name);
        let mut bytes = Vec::new();
        original.write(&mut bytes).unwrap();
        let text = String::from_utf8(bytes).unwrap();
        assert_eq!(text, original.to_text());
        assert!(text.contains(&format!("nRows={}\nnColumns={}\n", original.len(), original.columns.len() + 1)));
        let back = Storage::parse(&text, &original.source).unwrap();
        assert_eq!(back, original, "{name}");
        let bits =
            |s: &Storage| -> Vec<u64> { s.time.iter().chain(s.data.iter().flatten()).map(|v| v.to_bits()).collect() };
        assert_eq!(bits(&back), bits(&original), "{name}");
    }
    // Values that are not round decimals survive too.
    let awkward = Storage::new(
        "awkward",
        false,
        vec!["a".into(), "b".into()],
        vec![0.1, 0.2 + 1e-17, 1.0 / 3.0],
        vec![vec![-0.0, 1e-300, f64::NAN], vec![std::f64::consts::PI, -1.0 / 7.0, 6.02214076e23]],
    )
    .unwrap();
    let back = Storage::parse(&awkward.to_text(), "awkward").unwrap();
    for (a, b) in back.data.iter().flatten().zip(awkward.data.iter().flatten()) {
        assert_eq!(a.to_bits(), b.to_bits());
    }
}

#[test]
fn stride_period_and_heel_strikes() {
    let reference = trial();
    let grf = read("subject01_walk1_grf.mot");
    let vertical = grf.column("ground_force_vy").unwrap();
    let period = reference.period_s();
    println!("period {period:.4} s, heel strikes {:?} s", reference.heel_strike_times_in_file());
    assert!((1.1..1.4).contains(&period), "{period}");
    let strikes = reference.heel_strike_times_in_file();
    assert!(strikes.len() >= 2);
    assert_eq!(reference.time_origin_in_file_s(), strikes[0]);
    for &strike in strikes {
        // The vertical force crosses 20 N upwards there: below just before, above just after, and it keeps
        // rising (loading response) over the next 30 ms.
        let after = grf.time.partition_point(|&t| t < strike);
        assert!(vertical[after - 1] < 20.0 && vertical[after] >= 20.0, "{strike}");
        assert!(vertical[after + 18] > vertical[after] + 100.0, "{strike}");
    }
    assert_eq!(reference.phase(0.0), 0.0);
    assert!((0.0..1.0).contains(&reference.phase(-1e-18)));
    assert!((reference.phase(period * 2.5) - 0.5).abs() < 1e-12);
}

#[test]
fn fourier_fit_residual_is_small() {
    // RMS over the 73 kinematic samples of (series - data), rad; below 1.5 degrees per joint.
    let reference = trial();
    let residual_deg = reference.fit_residual_rad().map(f64::to_degrees);
    let pelvis = reference.pelvis_fit_residual();
    println!(
        "RMS residual hip {:.4}°, knee {:.4}°, ankle {:.4}°; pelvis x {:.2e} m, z {:.2e} m, pitch {:.4}°",
        residual_deg[0],
        residual_deg[1],
        residual_deg[2],
        pelvis.x_m,
        pelvis.z_m,
        pelvis.pitch_rad.to_degrees()
    );
    for r in residual_deg {
        assert!(r < 1.5, "{r}°");
    }
    assert!(pelvis.pitch_rad.to_degrees() < 1.5);
    assert!(pelvis.x_m < 0.01 && pelvis.z_m < 0.01);
    assert_eq!(reference.forward_speed_removed_m_s(), 0.0, "the trial is on a treadmill");

    // The series passes near the data in file time too (degrees converted).
    let ik = read("subject01_walk1_ik.mot");
    let knee = ik.column("knee_angle_r").unwrap();
    let worst = ik
        .time
        .iter()
        .zip(knee)
        .map(|(&t, &deg)| (reference.joint_angles(t - reference.time_origin_in_file_s())[1] - deg.to_radians()).abs())
        .fold(0.0, f64::max);
    println!("knee worst-case error {:.3}°", worst.to_degrees());
    assert!(worst.to_degrees() < 4.0);
}

#[test]
fn analytic_derivatives_match_finite_differences() {
    // Central differences of the series with h = 1e-5 s: truncation h²/6 · (third derivative, < 1e4 rad/s³)
    // is below 2e-7 and rounding (1e-16 / h) below 1e-10, so velocity agrees to 1e-5 rad/s and acceleration
    // (difference of velocities) to 1e-4 rad/s².
    let reference = trial();
    let h = 1e-5;
    let mut worst = [0.0_f64; 2];
    for i in 0..200 {
        let t = -1.0 + 0.0173 * f64::from(i);
        let s = reference.sample(t);
        let (before, after) = (reference.sample(t - h), reference.sample(t + h));
        for j in 0..3 {
            let velocity = (after.joint_angles_rad[j] - before.joint_angles_rad[j]) / (2.0 * h);
            let acceleration = (after.joint_velocities_rad_s[j] - before.joint_velocities_rad_s[j]) / (2.0 * h);
            worst[0] = worst[0].max((velocity - s.joint_velocities_rad_s[j]).abs());
            worst[1] = worst[1].max((acceleration - s.joint_accelerations_rad_s2[j]).abs());
        }
        let pitch_rate = (after.pelvis.pitch_rad - before.pelvis.pitch_rad) / (2.0 * h);
        let z_rate = (after.pelvis.zd_m_s - before.pelvis.zd_m_s) / (2.0 * h);
        worst[0] = worst[0].max((pitch_rate - s.pelvis.pitchd_rad_s).abs());
        worst[1] = worst[1].max((z_rate - s.pelvis.zdd_m_s2).abs());
    }
    println!("worst finite-difference mismatch: velocity {:.2e} rad/s, acceleration {:.2e} rad/s²", worst[0], worst[1]);
    assert!(worst[0] < 1e-5 && worst[1] < 1e-4, "{worst:?}");
}

#[test]
fn reference_is_periodic() {
    let reference = trial();
    let period = reference.period_s();
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * (1.0 + a.abs());
    for i in 0..100 {
        let t = -2.0 + 0.0371 * f64::from(i);
        let (a, b) = (reference.sample(t), reference.sample(t + period));
        let flat = |s: &exo_sim::opensim::GaitSample| {
            let p = &s.pelvis;
            let mut v = Vec::new();
            v.extend(s.joint_angles_rad);
            v.extend(s.joint_velocities_rad_s);
            v.extend(s.joint_accelerations_rad_s2);
            v.extend([p.x_m, p.z_m, p.pitch_rad, p.xd_m_s, p.zd_m_s, p.pitchd_rad_s]);
            v.extend([p.xdd_m_s2, p.zdd_m_s2, p.pitchdd_rad_s2]);
            v
        };
        for (x, y) in flat(&a).into_iter().zip(flat(&b)) {
            assert!(close(x, y), "t = {t}: {x} vs {y}");
        }
        assert!(close(a.phase, b.phase) || (a.phase - b.phase).abs() > 1.0 - 1e-12);
        let (ga, gb) = (reference.ground_reaction(t).unwrap(), reference.ground_reaction(t + period).unwrap());
        for k in 0..2 {
            assert!(close(ga.force_n[k], gb.force_n[k]) && close(ga.cop_m[k], gb.cop_m[k]), "t = {t}");
        }
    }
}

#[test]
fn ground_reaction_of_the_right_foot() {
    let reference = trial();
    let period = reference.period_s();
    let steps = 5000;
    let samples: Vec<_> =
        (0..steps).map(|i| reference.ground_reaction(period * f64::from(i) / f64::from(steps)).unwrap()).collect();
    let peak = samples.iter().map(|g| g.force_n[1]).fold(0.0, f64::max);
    let loaded = samples.iter().filter(|g| g.force_n[1] > 0.0).count() as f64 / f64::from(steps);
    println!("right vertical GRF peak {peak:.1} N, stance {:.1} % of the stride", 100.0 * loaded);
    assert!((600.0..900.0).contains(&peak), "{peak}");
    assert!((0.5..0.75).contains(&loaded), "stance fraction {loaded}");
    // Loaded just after heel strike; swing (zero force, CoP held) late in the stride.
    assert!(reference.ground_reaction(0.02).unwrap().force_n[1] > 20.0);
    let swing = reference.ground_reaction(0.85 * period).unwrap();
    assert_eq!(swing.force_n, [0.0, 0.0]);
    let toe_off = reference.ground_reaction(0.7 * period).unwrap();
    assert_eq!(swing.cop_m, toe_off.cop_m, "the CoP is held through swing");
    // Walking is towards +x (braking force -x early in stance, propulsion +x late), but on the treadmill the
    // belt carries the foot backwards: the lab-frame CoP moves back by some decimetres during stance.
    let braking = reference.ground_reaction(0.1 * period).unwrap().force_n[0];
    let propulsion = reference.ground_reaction(0.5 * period).unwrap().force_n[0];
    assert!(braking < 0.0 && propulsion > 0.0, "{braking} N, {propulsion} N");
    let early = reference.ground_reaction(0.05 * period).unwrap().cop_m[0];
    let late = reference.ground_reaction(0.5 * period).unwrap().cop_m[0];
    assert!((0.2..0.8).contains(&(early - late)), "{early} m -> {late} m");
}

#[test]
fn kinematics_alone_use_the_given_period() {
    let kinematics = read("subject01_walk1_ik.mot");
    let options = GaitOptions { period_s: Some(1.25), ..GaitOptions::default() };
    let reference = GaitReference::new(&kinematics, None, &options).unwrap();
    assert_eq!(reference.period_s(), 1.25);
    assert_eq!(reference.time_origin_in_file_s(), 0.4);
    assert!(reference.ground_reaction(0.0).is_none());
    let duration = GaitReference::new(&kinematics, None, &GaitOptions::default()).unwrap();
    assert!((duration.period_s() - 1.2).abs() < 1e-12);
}

#[test]
fn gait_errors_name_the_column_and_file() {
    let kinematics = read("subject01_walk1_ik.mot");
    let grf = read("subject01_walk1_grf.mot");
    let left_only = GaitOptions { grf_prefix: "2_ground_force_".into(), ..GaitOptions::default() };
    let error = GaitReference::new(&kinematics, Some(&grf), &left_only).unwrap_err();
    assert!(matches!(&error, GaitError::MissingColumn { column, .. } if column == "2_ground_force_vy"));
    assert!(error.to_string().contains("subject01_walk1_grf.mot"), "{error}");
    let high = GaitOptions { heel_strike_threshold_n: 5000.0, ..GaitOptions::default() };
    let error = GaitReference::new(&kinematics, Some(&grf), &high).unwrap_err();
    assert!(matches!(error, GaitError::TooFewHeelStrikes { found: 0, .. }), "{error}");
    // The moments file has no joint angles.
    let id = read("subject01_walk1_id.sto");
    let error = GaitReference::new(&id, None, &GaitOptions::default()).unwrap_err();
    assert!(error.to_string().contains("subject01_walk1_id.sto") && error.to_string().contains("hip_flexion_r"));
}
