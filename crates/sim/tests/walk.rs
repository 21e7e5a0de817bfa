//! The imported two-legged wearer walking in a closed loop with the device: the shipped `opensim-walk*`
//! scenarios through the library.
#![cfg(feature = "scenario")]

use std::path::PathBuf;

use exo_sim::scenario::{self, ImportedWearer, LoadedScenario};
use exo_sim::walk::{WalkMetabolics, WalkSimulation, WalkSummary};

fn root() -> PathBuf {
    PathBuf::from(format!("{}/../..", env!("CARGO_MANIFEST_DIR")))
}

fn scenario_path(name: &str) -> PathBuf {
    root().join(format!("scenarios/{name}.toml"))
}

fn load(name: &str, overrides: &[&str]) -> (LoadedScenario, ImportedWearer) {
    let o: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
    let loaded = scenario::load(&scenario_path(name), &o).unwrap_or_else(|e| panic!("{e}"));
    let imported = scenario::import_wearer(&loaded).unwrap_or_else(|e| panic!("{e}"));
    (loaded, imported)
}

fn walk_loaded(loaded: &LoadedScenario, imported: &ImportedWearer, with_device: bool) -> (WalkSummary, WalkSimulation) {
    let parts = scenario::build_walk(loaded, imported, with_device).unwrap_or_else(|e| panic!("{e}"));
    let mut sim = WalkSimulation::new(parts);
    let r = sim.run(loaded.scenario.simulation.duration_s, |_| {}, || false);
    let mut s = sim.summary();
    s.ended_early = r.err().map(|e| e.to_string());
    (s, sim)
}

/// RMS of an OpenSim storage column.
fn sto_rms(file: &str, column: &str) -> f64 {
    let s = exo_sim::opensim::Storage::read(&root().join(file)).unwrap();
    let c = s.columns.iter().position(|c| c == column).unwrap();
    let v = &s.data[c];
    (v.iter().map(|x| x * x).sum::<f64>() / v.len() as f64).sqrt()
}

#[test]
fn the_imported_wearer_tracks_the_trial_on_the_plates_with_opensims_residuals_and_metabolic_cost() {
    let (l, im) = load("opensim-walk", &[]);
    let (s, sim) = walk_loaded(&l, &im, false);
    assert!(s.ended_early.is_none(), "{:?}", s.ended_early);
    for c in &s.coordinates {
        println!(
            "{:18} tracking RMS {:.2e} {}   force RMS {:6.2}",
            c.name, c.tracking_rms, c.unit, c.generalized_force_rms
        );
        // Measured: at most 6e-4 rad (0.03 degrees) and 2e-5 m.
        assert!(
            c.tracking_rms < if c.unit == "m" { 1e-3 } else { 0.1_f64.to_radians() },
            "{}: {}",
            c.name,
            c.tracking_rms
        );
    }
    // The residuals are what OpenSim's inverse dynamics leaves at the pelvis on the same trial (the feedforward is
    // that inverse dynamics; feedback adds little): within the issue's 5 N and 5 N m.
    let id = "assets/gait/opensim/subject01_walk_ID.sto";
    let opensim = [sto_rms(id, "pelvis_tx_force"), sto_rms(id, "pelvis_ty_force"), sto_rms(id, "pelvis_tilt_moment")];
    let r = s.pelvis_residual_rms;
    println!(
        "pelvis residual RMS {:.2} N, {:.2} N, {:.2} N m; OpenSim's ID {:.2?}; {:.0}x real time",
        r.fx_n, r.fy_n, r.mz_nm, opensim, s.real_time_factor
    );
    for (ours, theirs) in [r.fx_n, r.fy_n, r.mz_nm].into_iter().zip(opensim) {
        assert!((ours - theirs).abs() < 5.0, "{ours} against {theirs}");
    }
    // Ground reaction in plate mode is the plates'; the right foot's vertical force peaks near body weight.
    let rec = sim.recorder();
    let fy: Vec<f64> = rec.column(rec.index("grf_r_fy_n").unwrap()).collect();
    let peak = fy.iter().copied().fold(0.0, f64::max);
    assert!(peak > 700.0 && peak < 1100.0, "{peak}");
    // The muscles' metabolic power over the whole walk against OpenSim's probe on OpenSim's static optimization of
    // the same trial (tests/fixtures/opensim/metabolics.json: 299.0 W); measured within 1 %.
    let t: Vec<f64> = rec.column(0).collect();
    let whole = scenario::StrideWindow { window_s: [t[0], t[t.len() - 1]], heel_strikes_s: Vec::new(), note: None };
    let (m, _, _) = scenario::walk_metabolics(&l, &im, &sim, None, &whole).unwrap();
    let fixture: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("tests/fixtures/opensim/metabolics.json")).unwrap())
            .unwrap();
    let theirs = fixture["rigid_tendon"]["whole_body_summary"]["umberger_whole_body_mean_W"].as_f64().unwrap();
    println!(
        "walk's muscles {:.1} W ({:.2} W/kg) against OpenSim's {theirs:.1} W; largest reserve {:?}",
        m.muscles_w, m.muscles_w_per_kg, m.largest_reserve
    );
    assert!(((m.muscles_w - theirs) / theirs).abs() < 0.05, "{} against {theirs}", m.muscles_w);
}

/// The walk with its device and with the device worn unpowered (its masses carried, no actuators), with the
/// metabolic comparison over the strides after assistance starts: what the assistance itself changes.
fn compare(name: &str) -> (WalkSummary, WalkSummary, WalkMetabolics) {
    let (l, im) = load(name, &[]);
    let (on, sim_on) = walk_loaded(&l, &im, true);
    let unpowered = scenario::WalkVariant { device: false, device_masses: true, load: true };
    let mut sim_off = WalkSimulation::new(scenario::build_walk_with(&l, &im, unpowered).unwrap());
    let r = sim_off.run(l.scenario.simulation.duration_s, |_| {}, || false);
    let mut off = sim_off.summary();
    off.ended_early = r.err().map(|e| e.to_string());
    assert!(on.ended_early.is_none() && off.ended_early.is_none(), "{:?} {:?}", on.ended_early, off.ended_early);
    let window = scenario::stride_window(&im, &sim_on, scenario::SETTLING_STRIDES);
    assert!(window.strides() >= 3 && window.note.is_none(), "{window:?}");
    let (m, _, _) = scenario::walk_metabolics(&l, &im, &sim_on, Some(&sim_off), &window).unwrap();
    println!("{name}: {:.0}x real time with the device, {:.0}x without", on.real_time_factor, off.real_time_factor);
    println!("{}", serde_json::to_string_pretty(&on.devices).unwrap());
    println!("{}", serde_json::to_string_pretty(&m).unwrap());
    (on, off, m)
}

fn coordinate<'a>(s: &'a WalkSummary, name: &str) -> &'a exo_sim::walk::CoordinateSummary {
    s.coordinates.iter().find(|c| c.name == name).unwrap()
}

#[test]
fn the_bilateral_ankle_device_pushes_off_and_lowers_the_wearers_ankle_torque_and_the_plantarflexors_cost() {
    let (on, off, m) = compare("opensim-walk-ankle-exo");
    for side in ["r", "l"] {
        let d = on.devices.iter().find(|d| d.joint == format!("ankle_{side}")).unwrap();
        // The 30 N m plantarflexion profile arrives through the series-elastic loop.
        assert!(d.torque_peak_nm > 25.0 && d.torque_peak_nm < 40.0, "{}", d.torque_peak_nm);
        assert!(d.positive_work_j > 0.0);
        let name = format!("ankle_angle_{side}");
        let (a, b) = (coordinate(&on, &name), coordinate(&off, &name));
        assert!(
            a.generalized_force_rms < 0.95 * b.generalized_force_rms,
            "{name}: {} vs {}",
            a.generalized_force_rms,
            b.generalized_force_rms
        );
        // The wearer still walks the trial: tracking within 0.1 degree with the device on.
        assert!(a.tracking_rms < 0.1_f64.to_radians(), "{name}: {}", a.tracking_rms);
    }
    // The muscles the device stands in for, the plantarflexors, work less (measured: soleus -21 %, gastrocnemius
    // -3 %). The whole body's change is what it is and is reported, not asserted: the dorsiflexors and hamstrings
    // take up part of it (measured +0.1 % overall with this profile and loop).
    let c = m.change.expect("compared");
    let group = |name: &str| c.groups.iter().find(|g| g.0 == name).map(|g| (g.1, g.2)).unwrap();
    let (soleus, gastroc) = (group("soleus"), group("gastroc"));
    assert!(soleus.1 + gastroc.1 < 0.95 * (soleus.0 + gastroc.0), "{soleus:?} {gastroc:?}");
    assert_eq!(c.implausible.is_some(), c.saving_per_positive_work.is_some_and(|r| r > 4.0));
}

#[test]
fn the_bilateral_hip_device_assists_flexion_and_lowers_the_wearers_hip_torque() {
    let (on, off, m) = compare("opensim-walk-hip-exo");
    for side in ["r", "l"] {
        let name = format!("hip_flexion_{side}");
        let (a, b) = (coordinate(&on, &name), coordinate(&off, &name));
        assert!(
            a.generalized_force_rms < b.generalized_force_rms,
            "{name}: {} vs {}",
            a.generalized_force_rms,
            b.generalized_force_rms
        );
    }
    let c = m.change.expect("compared");
    assert_eq!(c.implausible.is_some(), c.saving_per_positive_work.is_some_and(|r| r > 4.0));
}

#[test]
fn the_same_walk_twice_is_bit_identical() {
    let (l, im) = load("opensim-walk-ankle-exo", &["simulation.duration_s=3.0"]);
    let (_, a) = walk_loaded(&l, &im, true);
    let (_, b) = walk_loaded(&l, &im, true);
    let bits = |s: &WalkSimulation| -> Vec<u64> {
        let r = s.recorder();
        (0..r.rows()).flat_map(|i| r.row(i).iter().map(|x| x.to_bits()).collect::<Vec<_>>()).collect()
    };
    assert!(a.recorder().rows() > 250);
    assert_eq!(bits(&a), bits(&b));
}

/// The 20 kg backpack: the plates are scaled to the wearer's new weight, the legs' moments rise, and the muscles'
/// metabolic increase is compared with Pandolf et al. (1977) for the same masses and speed. The tolerance, 25 %, is
/// wide on purpose: the walk keeps the trial's unloaded gait (no forward lean, the same double support), the
/// equation is a fit to soldiers' gross oxygen uptake and ours is the muscles' heat and work only, so only the order
/// of agreement is claimed (measured: +56.8 W against Pandolf's +57.3 W).
#[test]
fn a_backpack_loads_the_legs_and_costs_what_pandolf_predicts() {
    let (l, im) = load("opensim-walk-load-carriage", &[]);
    let mut progress = |_: &str, _: f64| {};
    let mut control = scenario::RunControl { progress: &mut progress, stop: &|| false };
    let run = scenario::run_walk(&l, &mut control).unwrap().expect("not interrupted");
    assert!(run.problem.is_none(), "{:?}", run.problem);
    let c = run.summary.load_carriage.as_ref().expect("compared unloaded");
    println!("{}", serde_json::to_string_pretty(c).unwrap());
    assert_eq!(c.load_kg, 20.0);
    assert!((c.body_mass_kg - im.skeleton.mass_kg()).abs() < 1e-12);
    for (name, without, with) in &c.joints {
        if ["hip_flexion", "knee_angle", "ankle_angle"].iter().any(|j| name.starts_with(j)) {
            assert!(*with > 1.1 * without, "{name}: {without} -> {with}");
        }
    }
    // The walk carries the pack: the plates' vertical force over whole strides is the loaded weight.
    let rec = run.sim.recorder();
    let t: Vec<f64> = rec.column(0).collect();
    let fy: Vec<f64> = ["grf_r_fy_n", "grf_l_fy_n"]
        .iter()
        .map(|n| rec.index(n).unwrap_or_else(|| panic!("no {n}")))
        .fold(vec![0.0; t.len()], |acc, i| acc.iter().zip(rec.column(i)).map(|(a, b)| a + b).collect());
    let w = run.window.as_ref().unwrap().window_s;
    let mean_fy = exo_sim::wearer::muscle_analysis::time_average(&t, &fy, w[0], w[1]);
    let weight = (c.body_mass_kg + c.load_kg) * 9.80665;
    println!("mean vertical ground force {mean_fy:.1} N, loaded weight {weight:.1} N");
    assert!((mean_fy / weight - 1.0).abs() < 0.03, "{mean_fy} N against {weight} N");
    assert!(c.increase_w > 0.0);
    assert!(
        (c.increase_w / c.pandolf_increase_w - 1.0).abs() < 0.25,
        "{} W against {} W",
        c.increase_w,
        c.pandolf_increase_w
    );
}

/// A joint's own strength and adaptation replace the whole wearer's there and nowhere else: with a feedforward
/// of 100 N m everywhere, no tracking error and the device delivering 10 N m everywhere, a joint adapted at 0
/// keeps 100 N m, a joint of strength 20 N m gives 20, every other joint 100 - 10 = 90 (adaptation 1).
#[test]
fn a_joints_own_strength_and_adaptation_replace_the_wearers_there_only() {
    use exo_sim::walk::{JointTracking, ReferenceSample, TrackingConfig, TrackingWearer, WearerForces};
    let (_, im) = load("opensim-walk", &[]);
    let sk = &*im.skeleton;
    let mut config = TrackingConfig::default();
    config.joints.insert("hip_flexion_r".into(), JointTracking { adaptation: Some(0.0), ..JointTracking::default() });
    config.joints.insert("knee_angle_l".into(), JointTracking { strength_nm: Some(20.0), ..JointTracking::default() });
    config.validate().unwrap();
    let wearer = TrackingWearer::new(sk, config).unwrap();
    let n = sk.coordinates.len();
    let mut reference = ReferenceSample::new(n);
    reference.feedforward.iter_mut().for_each(|f| *f = 100.0);
    let (zeros, device) = (vec![0.0; n], vec![10.0; n]);
    let mut out = WearerForces::new(n);
    wearer.forces(&reference, &zeros, &zeros, &device, &mut out);
    for (c, coordinate) in sk.coordinates.iter().enumerate().filter(|(c, _)| !wearer.is_residual(*c)) {
        let expected = match coordinate.name.as_str() {
            "hip_flexion_r" => 100.0,
            "knee_angle_l" => 20.0,
            _ => 90.0,
        };
        assert_eq!(out.total[c], expected, "{}", coordinate.name);
        assert_eq!(out.saturated[c], coordinate.name == "knee_angle_l", "{}", coordinate.name);
    }
}

fn error_of(name: &str, overrides: &[&str]) -> String {
    let o: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
    let loaded = match scenario::load(&scenario_path(name), &o) {
        Ok(l) => l,
        Err(e) => return e.to_string(),
    };
    match scenario::import_wearer(&loaded) {
        Err(e) => e.to_string(),
        Ok(im) => match scenario::build_walk(&loaded, &im, true) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("{name} {overrides:?} built"),
        },
    }
}

#[test]
fn bad_wearer_input_is_an_error_naming_the_field_and_file() {
    let cases: [(&str, &[&str], &[&str]); 14] = [
        (
            "opensim-walk",
            &["wearer.tracking.joints.ankel_r.strength_nm=80"],
            &["wearer.tracking.joints.ankel_r", "is not a joint coordinate of the model", "ankle_angle_r"],
        ),
        (
            "opensim-walk",
            &["wearer.tracking.joints.pelvis_ty.adaptation=0.5"],
            &["wearer.tracking.joints.pelvis_ty", "carries residuals"],
        ),
        (
            "opensim-walk",
            &["wearer.tracking.joints.ankle_angle_r.adaptation=1.5"],
            &["wearer.tracking.joints.ankle_angle_r.adaptation", "must be within 0..1"],
        ),
        (
            "opensim-walk-load-carriage",
            &["wearer.backpack.body=rucksack"],
            &["wearer.backpack.body", "the model has no body rucksack", "torso"],
        ),
        (
            "opensim-walk-load-carriage",
            &["wearer.backpack.mass_kg=-3"],
            &["wearer.backpack.mass_kg", "must be within 0..100 kg"],
        ),
        (
            "opensim-walk",
            &[
                "wearer.backpack.mass_kg=10",
                "wearer.backpack.com_m=[0.0, 0.0]",
                "wearer.backpack.compare_unloaded=true",
            ],
            &["wearer.backpack.compare_unloaded", "wearer.walking_speed_m_per_s"],
        ),
        ("opensim-walk", &["wearer.modle=x"], &["wearer.modle", "unknown field"]),
        ("opensim-walk", &["subject.mass_kg=80"], &["subject", "one-legged wearer"]),
        ("opensim-walk", &["wearer.model=models/none.osim"], &["wearer.model", "file not found: models/none.osim"]),
        ("opensim-walk", &["wearer.loads=gait/opensim/none.xml"], &["wearer.loads", "file not found"]),
        ("opensim-walk", &["simulation.duration_s=3"], &["simulation.duration_s", "the trial ends at 2.5 s"]),
        ("opensim-walk-ankle-exo", &["actuators.elbow_r.preset=qdd-ak80-6"], &["actuators.elbow_r", "ankle_r"]),
        (
            "opensim-walk",
            &["simulation.record_rate_hz=0"],
            &["simulation.record_rate_hz", "must be above 0 with wearer.metabolics"],
        ),
        (
            "opensim-walk",
            &["wearer.motion=gait/opensim/subject01_walk_grf.mot"],
            &["wearer.motion", "subject01_walk_grf.mot:", "is not a coordinate of the model"],
        ),
    ];
    for (name, o, wanted) in cases {
        let e = error_of(name, o);
        println!("{o:?}: {e}");
        for w in wanted {
            assert!(e.contains(w), "{o:?}: `{e}` lacks `{w}`");
        }
    }
}

#[test]
fn a_pelvis_that_does_not_translate_along_ground_x_and_y_is_refused_naming_the_coordinate() {
    // The shipped model with pelvis_tx turned 45 degrees: no free planar pelvis to carry X and Y residuals.
    let text = std::fs::read_to_string(root().join("assets/models/gait10dof18musc/subject01.osim")).unwrap();
    let at = text.find("<coordinates>pelvis_tx</coordinates>").unwrap();
    let axis = at + text[at..].find("<axis>1 0 0</axis>").unwrap();
    let edited =
        format!("{}<axis>0.70710678 0.70710678 0</axis>{}", &text[..axis], &text[axis + "<axis>1 0 0</axis>".len()..]);
    let model = std::env::temp_dir().join(format!("exosim-turned-pelvis-{}.osim", std::process::id()));
    std::fs::write(&model, edited).unwrap();
    let e = error_of("opensim-walk", &[&format!("wearer.model=\"{}\"", model.display())]);
    std::fs::remove_file(&model).unwrap();
    println!("{e}");
    assert!(e.contains("wearer.model") && e.contains("free planar pelvis") && e.contains("pelvis_tx"), "{e}");
}

#[test]
fn a_sensor_fault_on_a_device_joint_does_not_stop_the_walk_without_the_device() {
    // Regression: the comparison walk has no device joints, and a fault naming one used to refuse to build.
    let text = std::fs::read_to_string(scenario_path("opensim-walk-ankle-exo")).unwrap()
        + "\n[[faults]]\ntime_s = 4.0\nchannel = \"joint_encoder\"\njoint = \"ankle_r\"\nkind = \"dropout\"\n";
    let loaded = scenario::parse(&text, &scenario_path("opensim-walk-ankle-exo"), &[]).unwrap();
    let im = scenario::import_wearer(&loaded).unwrap();
    assert!(scenario::build_walk(&loaded, &im, true).is_ok());
    assert!(scenario::build_walk(&loaded, &im, false).is_ok());
}

/// `text` written to a fresh file `name` in the system's temporary folder (the caller removes it).
fn temp_file(name: &str, text: &str) -> PathBuf {
    let p = std::env::temp_dir().join(format!("exosim-walk-{}-{name}", std::process::id()));
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn a_non_planar_model_and_a_load_on_a_missing_body_are_errors_naming_file_line_and_field() {
    // A turn about X in the pelvis joint: out of the plane (the importer's check, reached through the scenario).
    let text = std::fs::read_to_string(root().join("assets/models/gait10dof18musc/subject01.osim")).unwrap();
    let rotation2 = text.find(r#"<TransformAxis name="rotation2">"#).unwrap();
    let open = rotation2 + text[rotation2..].find("<coordinates>").unwrap();
    let close = rotation2 + text[rotation2..].find("</Constant>").unwrap() + "</Constant>".len();
    let turned = format!(
        "{}<coordinates>pelvis_tx</coordinates><axis>1 0 0</axis><LinearFunction name=\"function\"><coefficients> 1 0</coefficients></LinearFunction>{}",
        &text[..open],
        &text[close..]
    );
    let model = temp_file("turned.osim", &turned);
    let e = error_of("opensim-walk", &[&format!("wearer.model=\"{}\"", model.display())]);
    std::fs::remove_file(&model).unwrap();
    println!("{e}");
    let line = text[..rotation2].matches('\n').count() + 1;
    assert!(
        e.contains("wearer.model") && e.contains(&format!("turned.osim:{line}:")) && e.contains("rotation2"),
        "{e}"
    );

    // The left plate applied to a body the model lacks: the loads file's line. The data file is found beside it.
    let xml = std::fs::read_to_string(root().join("assets/gait/opensim/subject01_walk_grf.xml")).unwrap();
    let data = root().join("assets/gait/opensim/subject01_walk_grf.mot");
    let xml = xml
        .replace("<applied_to_body>calcn_l</applied_to_body>", "<applied_to_body>foot_l</applied_to_body>")
        .replace("<datafile>subject01_walk_grf.mot</datafile>", &format!("<datafile>{}</datafile>", data.display()));
    let loads = temp_file("grf.xml", &xml);
    let e = error_of("opensim-walk", &[&format!("wearer.loads=\"{}\"", loads.display())]);
    std::fs::remove_file(&loads).unwrap();
    println!("{e}");
    assert!(e.contains("wearer.loads") && e.contains("grf.xml:23:") && e.contains("foot_l"), "{e}");
}

/// The device's own masses cost the wearer (the run with them carried and the actuators off against the walk
/// without the device), and a kilogram on the shank and foot costs more than one at the waist and thigh, as
/// Browning et al. (2007, Med Sci Sports Exerc 39:515) measured for added leg mass. Measured: hip device 3.0 kg
/// +7.8 W (2.6 W/kg), ankle device 3.0 kg +15.9 W (5.3 W/kg).
#[test]
fn the_devices_weight_costs_and_costs_more_further_down_the_leg() {
    let mut per_kg = Vec::new();
    for name in ["opensim-walk-hip-exo", "opensim-walk-ankle-exo"] {
        let (l, _) = load(name, &[]);
        let mut progress = |_: &str, _: f64| {};
        let mut control = scenario::RunControl { progress: &mut progress, stop: &|| false };
        let run = scenario::run_walk(&l, &mut control).unwrap().expect("not interrupted");
        assert!(run.problem.is_none(), "{:?}", run.problem);
        let c = run.summary.metabolics.and_then(|m| m.change).expect("compared");
        let weight = c.device_weight_w.expect("the device has masses");
        println!("{name}: {:.1} kg costs {weight:+.1} W; the whole device {:+.1} W", c.device_mass_kg, c.change_w);
        assert!(weight > 0.0);
        per_kg.push(weight / c.device_mass_kg);
    }
    assert!(per_kg[1] > 1.3 * per_kg[0], "{per_kg:?} W/kg");
}
