//! The reserve actuators file and the external loads file.

mod common;

use common::{GRF, MODEL, RESERVES, asset, line_of};
use exo_opensim::{
    Actuator, parse_external_loads, parse_reserve_actuators, read_external_loads, read_model, read_reserve_actuators,
};

#[test]
fn reserve_actuators() {
    let text = std::fs::read_to_string(asset(RESERVES)).unwrap();
    let set = read_reserve_actuators(asset(RESERVES)).unwrap();
    assert_eq!(set.name, "gait10dof_Reserve_Actuators");
    assert_eq!(set.document_version, 30000);
    assert_eq!(set.actuators.len(), 10);
    let Actuator::Point(fx) = &set.actuators[0] else { panic!("FX is a PointActuator") };
    assert_eq!(fx.common.name, "FX");
    assert_eq!(fx.common.line, line_of(&text, r#"<PointActuator name="FX">"#));
    assert!(fx.common.applies_force);
    assert_eq!((fx.common.min_control, fx.common.max_control), (f64::NEG_INFINITY, f64::INFINITY));
    assert_eq!(fx.common.optimal_force, 1.0);
    assert_eq!(fx.body, "pelvis");
    assert_eq!(fx.point_m, [-0.034, 0.0, 0.0]);
    assert!(!fx.point_is_global && fx.force_is_global);
    assert_eq!(fx.direction, [1.0, 0.0, 0.0]);
    let Actuator::Point(fy) = &set.actuators[1] else { panic!() };
    assert_eq!((fy.direction, fy.common.optimal_force), ([0.0, 1.0, 0.0], 2.0));
    let Actuator::Torque(mz) = &set.actuators[2] else { panic!("MZ is a TorqueActuator") };
    assert_eq!(
        (mz.body_a.as_str(), mz.body_b.as_str(), mz.axis, mz.torque_is_global),
        ("pelvis", "ground", [0.0, 0.0, 1.0], true)
    );
    let coordinates: Vec<_> = set
        .actuators
        .iter()
        .filter_map(|a| match a {
            Actuator::Coordinate(c) => Some((c.common.name.as_str(), c.coordinate.as_str(), c.common.optimal_force)),
            _ => None,
        })
        .collect();
    assert_eq!(coordinates.len(), 7);
    assert_eq!(coordinates[1], ("knee_angle_r_reserve", "knee_angle_r", 1.0));
    assert_eq!(coordinates[6], ("lumbar_extension_reserve", "lumbar_extension", 1.0));
    let model = read_model(asset(MODEL)).unwrap();
    set.check_against(&model, "reserves.xml").unwrap();
}

#[test]
fn reserve_actuator_errors() {
    let text = std::fs::read_to_string(asset(RESERVES)).unwrap();
    let model = read_model(asset(MODEL)).unwrap();
    let wrong = text.replacen("<coordinate>knee_angle_r</coordinate>", "<coordinate>knee_r</coordinate>", 1);
    let set = parse_reserve_actuators(&wrong, "reserves.xml").unwrap();
    let e = set.check_against(&model, "reserves.xml").unwrap_err();
    assert_eq!(
        (e.line, e.element.as_str()),
        (line_of(&text, r#"<CoordinateActuator name="knee_angle_r_reserve">"#), "knee_angle_r_reserve")
    );
    assert!(e.problem.contains("coordinate knee_r"), "{e}");
    let other = text.replacen("<TorqueActuator name=\"MZ\">", "<BodyActuator name=\"MZ\">", 1).replacen(
        "</TorqueActuator>",
        "</BodyActuator>",
        1,
    );
    let e = parse_reserve_actuators(&other, "reserves.xml").unwrap_err();
    assert_eq!((e.line, e.element.as_str()), (line_of(&text, "<TorqueActuator"), "BodyActuator MZ"));
    assert!(e.problem.contains("unsupported actuator type BodyActuator"), "{e}");
    let bad = text.replacen("<max_control>Inf</max_control>", "<max_control>lots</max_control>", 1);
    let e = parse_reserve_actuators(&bad, "reserves.xml").unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "reserves.xml:{}: PointActuator FX: max_control must be a number (got \"lots\")",
            line_of(&text, "<max_control>")
        )
    );
    let both = text.replacen(
        "<isDisabled>false</isDisabled>",
        "<isDisabled>false</isDisabled><appliesForce>true</appliesForce>",
        1,
    );
    assert!(parse_reserve_actuators(&both, "reserves.xml").unwrap_err().problem.contains("both"));
    let disabled = text.replacen("<isDisabled>false</isDisabled>", "<isDisabled>true</isDisabled>", 1);
    assert!(!parse_reserve_actuators(&disabled, "reserves.xml").unwrap().actuators[0].common().applies_force);
    let old = text.replacen(r#"Version="30000""#, r#"Version="20302""#, 1);
    assert_eq!(parse_reserve_actuators(&old, "reserves.xml").unwrap_err().line, 2);
}

#[test]
fn external_loads() {
    let text = std::fs::read_to_string(asset(GRF)).unwrap();
    let loads = read_external_loads(asset(GRF)).unwrap();
    assert_eq!(loads.name, "WalkingGRF");
    assert_eq!(loads.datafile.as_deref(), Some("subject01_walk_grf.mot"));
    let path = loads.datafile_path.clone().unwrap();
    assert_eq!(path, asset("gait/opensim/subject01_walk_grf.mot"));
    assert!(path.exists());
    assert_eq!(loads.lowpass_cutoff_frequency_for_load_kinematics_hz, None);
    assert_eq!(loads.forces.len(), 2);
    let right = &loads.forces[0];
    assert_eq!(right.name, "right");
    assert_eq!(right.line, line_of(&text, r#"<ExternalForce name="right">"#));
    assert!(right.applies_force);
    assert_eq!(
        (
            right.applied_to_body.as_str(),
            right.force_expressed_in_body.as_str(),
            right.point_expressed_in_body.as_str()
        ),
        ("calcn_r", "ground", "ground")
    );
    assert_eq!(right.force_identifier.as_deref(), Some("ground_force_v"));
    assert_eq!(right.point_identifier.as_deref(), Some("ground_force_p"));
    assert_eq!(right.torque_identifier.as_deref(), Some("ground_torque_"));
    assert_eq!(right.data_source_name.as_deref(), Some("Unassigned"));
    let left = &loads.forces[1];
    assert_eq!(
        (left.applied_to_body.as_str(), left.force_identifier.as_deref()),
        ("calcn_l", Some("1_ground_force_v"))
    );
    assert_eq!(left.torque_identifier.as_deref(), Some("1_ground_torque_"));
    loads.check_against(&read_model(asset(MODEL)).unwrap(), "grf.xml").unwrap();
}

#[test]
fn external_loads_options_and_errors() {
    let text = std::fs::read_to_string(asset(GRF)).unwrap();
    let with_filter = text.replacen(
        "<datafile>",
        "<lowpass_cutoff_frequency_for_load_kinematics>6</lowpass_cutoff_frequency_for_load_kinematics><datafile>",
        1,
    );
    let loads = parse_external_loads(&with_filter, "grf.xml").unwrap();
    assert_eq!(loads.lowpass_cutoff_frequency_for_load_kinematics_hz, Some(6.0));
    assert_eq!(loads.datafile_path, None);
    let model = read_model(asset(MODEL)).unwrap();
    let wrong =
        text.replacen("<applied_to_body>calcn_l</applied_to_body>", "<applied_to_body>foot_l</applied_to_body>", 1);
    let e = parse_external_loads(&wrong, "grf.xml").unwrap().check_against(&model, "grf.xml").unwrap_err();
    assert_eq!((e.line, e.element.as_str()), (line_of(&text, r#"<ExternalForce name="left">"#), "ExternalForce left"));
    let no_force = text.replacen("<force_identifier>ground_force_v</force_identifier>", "", 1).replacen(
        "<torque_identifier>ground_torque_</torque_identifier>",
        "",
        1,
    );
    let e = parse_external_loads(&no_force, "grf.xml").unwrap_err();
    assert_eq!(e.element, "ExternalForce right");
    assert!(e.problem.contains("neither"), "{e}");
    let no_body = text.replacen("<applied_to_body>calcn_r</applied_to_body>", "", 1);
    let e = parse_external_loads(&no_body, "grf.xml").unwrap_err();
    assert!(e.problem.contains("missing property applied_to_body"), "{e}");
    let unknown = text.replacen("<datafile>", "<datafiles>x</datafiles><datafile>", 1);
    let e = parse_external_loads(&unknown, "grf.xml").unwrap_err();
    assert_eq!(e.element, "ExternalLoads WalkingGRF");
    let other = text.replacen("<ExternalForce name=\"left\">", "<PrescribedForce name=\"left\">", 1).replacen(
        "</ExternalForce>\n\t\t</objects>",
        "</PrescribedForce>\n\t\t</objects>",
        1,
    );
    let e = parse_external_loads(&other, "grf.xml").unwrap_err();
    assert!(e.problem.contains("unsupported load type PrescribedForce"), "{e}");
    let e = read_external_loads(asset("gait/opensim/nope.xml")).unwrap_err();
    assert_eq!(e.line, 0);
    assert!(e.to_string().contains("nope.xml: file: cannot be read"), "{e}");
}
