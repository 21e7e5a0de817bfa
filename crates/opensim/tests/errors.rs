//! What the importer does not support, and bad input: errors naming the element and its line (edits of the real
//! subject01.osim text).

mod common;

use common::{assert_error, edit, edit_in, line_in, line_of, model_err, model_ok, model_text};

/// Renames the element `<Tag name="name">…</Tag>` to `<New name="name">…</New>`.
fn retag(text: &str, tag: &str, name: &str, new: &str) -> String {
    let open = format!(r#"<{tag} name="{name}">"#);
    let start = text.find(&open).unwrap();
    let close = format!("</{tag}>");
    let end = start + text[start..].find(&close).unwrap();
    format!(
        "{}{}{}{}{}",
        &text[..start],
        format_args!(r#"<{new} name="{name}">"#),
        &text[start + open.len()..end],
        format_args!("</{new}>"),
        &text[end + close.len()..]
    )
}

#[test]
fn other_joint_types() {
    let text = model_text();
    let line = line_of(&text, r#"<PinJoint name="hip_r">"#);
    for kind in ["BallJoint", "FreeJoint", "UniversalJoint", "GimbalJoint", "EllipsoidJoint", "ScapulothoracicJoint"] {
        let e = model_err(&retag(&text, "PinJoint", "hip_r", kind));
        assert_error(&e, line, &format!("{kind} hip_r"), &format!("unsupported joint type {kind}"));
    }
}

#[test]
fn wrap_objects() {
    let text = model_text();
    let body = r#"<Body name="femur_r">"#;
    let edited = edit_in(
        &text,
        &[body, "<WrapObjectSet"],
        "<objects />",
        "<objects>\n<WrapCylinder name=\"knee_cyl\"><radius>0.05</radius></WrapCylinder></objects>",
    );
    let e = model_err(&edited);
    assert_error(&e, line_of(&edited, "<WrapCylinder"), "WrapCylinder knee_cyl", "wrap objects are not supported");
    // On ground too, and in a path's wrap set.
    let edited =
        edit_in(&text, &["<Ground", "<WrapObjectSet"], "<objects />", "<objects><WrapSphere name=\"s\"/></objects>");
    assert_error(&model_err(&edited), line_of(&edited, "<WrapSphere"), "WrapSphere s", "wrap objects");
    let edited = edit_in(&text, &["<PathWrapSet>"], "<objects />", "<objects><PathWrap name=\"w\"/></objects>");
    assert_error(&model_err(&edited), line_of(&edited, "<PathWrap name"), "PathWrap w", "path wraps are not supported");
}

#[test]
fn constraints_controllers_components_contact_geometry() {
    let text = model_text();
    for (set, inner, message) in [
        ("ConstraintSet", "<CoordinateCouplerConstraint name=\"c\"/>", "constraints are not supported"),
        ("ControllerSet", "<PrescribedController name=\"c\"/>", "controllers are not supported"),
        ("ComponentSet", "<PhysicalOffsetFrame name=\"c\"/>", "components in the ComponentSet are not supported"),
        ("ContactGeometrySet", "<ContactHalfSpace name=\"c\"/>", "contact geometries are not supported"),
    ] {
        let edited = edit_in(&text, &[&format!("<{set} ")], "<objects />", &format!("<objects>{inner}</objects>"));
        let tag = inner[1..].split(' ').next().unwrap();
        assert_error(&model_err(&edited), line_of(&edited, inner), &format!("{tag} c"), message);
    }
    // Subcomponents of any component.
    let edited =
        edit_in(&text, &[r#"<Body name="tibia_r">"#], "<mass>", "<components><Marker name=\"m\"/></components><mass>");
    assert_error(&model_err(&edited), line_of(&edited, "<components>"), "Marker m", "subcomponents");
}

#[test]
fn other_forces_in_the_force_set() {
    let text = model_text();
    for force in ["CoordinateLimitForce", "HuntCrossleyForce", "CoordinateActuator", "DeGrooteFregly2016Muscle"] {
        let edited = edit_in(&text, &["<ForceSet"], "<objects>", &format!("<objects>\n<{force} name=\"f\"/>"));
        let e = model_err(&edited);
        assert_error(
            &e,
            line_of(&edited, &format!("<{force} ")),
            &format!("{force} f"),
            &format!("unsupported force type {force}"),
        );
    }
}

#[test]
fn other_path_points_functions_and_probes() {
    let text = model_text();
    let e = model_err(&retag(&text, "PathPoint", "bifemlh_r-P2", "ViaPoint"));
    assert_error(
        &e,
        line_of(&text, r#"<PathPoint name="bifemlh_r-P2">"#),
        "ViaPoint bifemlh_r-P2",
        "unsupported path point type ViaPoint",
    );

    let knee = r#"<CustomJoint name="knee_r">"#;
    let edited = edit_in(&text, &[knee], "<SimmSpline>", "<GCVSpline>");
    let edited = edit_in(&edited, &[knee], "</SimmSpline>", "</GCVSpline>");
    let e = model_err(&edited);
    assert_error(&e, line_in(&text, &[knee], "<SimmSpline>"), "GCVSpline", "unsupported function type GCVSpline");
    let edited = edit_in(
        &text,
        &[knee, "<TransformAxis name=\"rotation1\">"],
        "<LinearFunction name=\"function\">",
        "<StepFunction name=\"function\">",
    );
    let edited = edit_in(&edited, &[knee, "<StepFunction"], "</LinearFunction>", "</StepFunction>");
    let e = model_err(&edited);
    assert_error(
        &e,
        line_of(&edited, "<StepFunction"),
        "StepFunction function",
        "unsupported function type StepFunction",
    );

    let edited =
        edit_in(&text, &["<ProbeSet"], "<objects />", "<objects>\n<JointInternalPowerProbe name=\"power\"/></objects>");
    let e = model_err(&edited);
    assert_error(
        &e,
        line_of(&edited, "<JointInternalPowerProbe"),
        "JointInternalPowerProbe power",
        "unsupported probe type",
    );
}

#[test]
fn the_briefs_example_message() {
    let text = model_text();
    let edited = edit_in(
        &text,
        &[r#"<ConditionalPathPoint name="psoas_r-P3">"#],
        "<range>-1.5708 0.78539800000000004</range>",
        "<range>-1.5708</range>",
    );
    let e = model_err(&edited);
    assert_eq!(
        e.to_string(),
        "subject01.osim:1791: ConditionalPathPoint psoas_r-P3: range must have two numbers (got \"-1.5708\")"
    );
}

#[test]
fn malformed_xml_gives_the_parsers_line() {
    let text = model_text();
    let edited = edit(&text, "<mass>8.9840382307628808</mass>", "<mass>8.98</mas>");
    let e = model_err(&edited);
    assert_eq!((e.line, e.element.as_str()), (line_of(&text, "<mass>8.9840382307628808</mass>"), "XML"), "{e}");
    assert!(e.problem.starts_with("not well-formed XML"), "{e}");
    let half = &text[..text.len() / 2];
    let e = model_err(half);
    assert_eq!((e.element.as_str(), e.line), ("XML", half.lines().count() as u32), "{e}");
}

#[test]
fn missing_and_bad_values() {
    let text = model_text();
    let tibia = r#"<Body name="tibia_r">"#;
    let edited = edit_in(&text, &[tibia], "<mass>3.5810008966987099</mass>", "");
    assert_error(&model_err(&edited), line_of(&text, tibia), "Body tibia_r", "missing property mass");
    let edited = edit_in(&text, &[tibia], "<mass>3.5810008966987099</mass>", "<mass>heavy</mass>");
    assert_error(
        &model_err(&edited),
        line_in(&text, &[tibia], "<mass>"),
        "Body tibia_r",
        "mass must be a number (got \"heavy\")",
    );
    let edited = edit_in(&text, &[tibia], "<mass>3.5810008966987099</mass>", "<mass>NaN</mass>");
    assert_error(&model_err(&edited), line_in(&text, &[tibia], "<mass>"), "Body tibia_r", "finite");
    let edited = edit_in(&text, &[tibia], "<inertia>0.047569399999999998 ", "<inertia>");
    assert_error(
        &model_err(&edited),
        line_in(&text, &[tibia], "<inertia>"),
        "Body tibia_r",
        "inertia must have six numbers",
    );
    let edited = edit_in(
        &text,
        &[tibia],
        "<inertia>0.047569399999999998 0.0048135699999999997",
        "<inertia>0.047569399999999998 0.2",
    );
    assert_error(&model_err(&edited), line_in(&text, &[tibia], "<inertia>"), "Body tibia_r", "not a valid inertia");
    let edited = edit_in(&text, &[tibia], "<mass_center>", "<colour>red</colour><mass_center>");
    assert_error(
        &model_err(&edited),
        line_in(&text, &[tibia], "<mass_center>"),
        "Body tibia_r",
        "unknown or unsupported property <colour>",
    );
    let coordinate = r#"<Coordinate name="hip_flexion_r">"#;
    let edited = edit_in(&text, &[coordinate], "<clamped>false</clamped>", "<clamped>maybe</clamped>");
    assert_error(
        &model_err(&edited),
        line_in(&text, &[coordinate], "<clamped>"),
        "Coordinate hip_flexion_r",
        "clamped must be true or false",
    );
    let edited =
        edit_in(&text, &[coordinate], "<range>-2.0943950999999998 2.0943950999999998</range>", "<range>1 -1</range>");
    assert_error(&model_err(&edited), line_of(&text, coordinate), "Coordinate hip_flexion_r", "above its maximum");
    let muscle = r#"<Millard2012EquilibriumMuscle name="soleus_r">"#;
    let edited = edit_in(&text, &[muscle], "<tendon_slack_length>", "<tendon_slack_length>-");
    assert_error(
        &model_err(&edited),
        line_of(&text, muscle),
        "Millard2012EquilibriumMuscle soleus_r",
        "tendon_slack_length must be positive",
    );
    let edited = edit_in(
        &text,
        &[muscle, "<FiberForceLengthCurve"],
        "</FiberForceLengthCurve>",
        "<curviness>0.5</curviness></FiberForceLengthCurve>",
    );
    assert_error(
        &model_err(&edited),
        line_in(&text, &[muscle], "<FiberForceLengthCurve"),
        "FiberForceLengthCurve soleus_r_FiberForceLengthCurve",
        "all be set or all be absent",
    );
    let edited = text.replacen("<length_units>meters</length_units>", "<length_units>millimeters</length_units>", 1);
    assert_error(&model_err(&edited), line_of(&text, "<length_units>"), "Model walk_subject01", "only meters");
    let edited = edit(&text, r#"<OpenSimDocument Version="40000">"#, "<OpenSimDocument>");
    assert_error(&model_err(&edited), 2, "OpenSimDocument", "has no Version");
    let edited = edit(&text, r#"<Model name="walk_subject01">"#, "<defaults/>\n<Model name=\"walk_subject01\">");
    assert_error(&model_err(&edited), 3, "defaults", "not supported");
}

#[test]
fn references_to_what_does_not_exist() {
    let text = model_text();
    let p1 = r#"<PathPoint name="bifemlh_r-P1">"#;
    let edited = edit_in(&text, &[p1], "/bodyset/pelvis", "/bodyset/pelvic");
    assert_error(
        &model_err(&edited),
        line_in(&text, &[p1], "<socket_parent_frame>"),
        "PathPoint bifemlh_r-P1",
        "\"/bodyset/pelvic\" names no body",
    );
    let edited = edit_in(&text, &[p1], "/bodyset/pelvis", "pelvis");
    assert_error(
        &model_err(&edited),
        line_in(&text, &[p1], "<socket_parent_frame>"),
        "PathPoint bifemlh_r-P1",
        "absolute component path",
    );
    let p3 = r#"<ConditionalPathPoint name="psoas_r-P3">"#;
    let edited = edit_in(&text, &[p3], "/jointset/hip_r/hip_flexion_r", "/jointset/hip_r/hip_flexion_x");
    assert_error(
        &model_err(&edited),
        line_in(&text, &[p3], "<socket_coordinate>"),
        "ConditionalPathPoint psoas_r-P3",
        "names no coordinate",
    );
    let moving = r#"<MovingPathPoint name="rect_fem_r-P3">"#;
    let edited = edit_in(&text, &[moving, "<socket_z_coordinate>"], "knee_r/knee_angle_r", "hip_r/hip_flexion_r");
    assert_error(&model_err(&edited), line_of(&text, moving), "MovingPathPoint rect_fem_r-P3", "same coordinate");
    let hip = r#"<PinJoint name="hip_r">"#;
    let edited = edit_in(&text, &[hip], "<socket_child_frame>femur_r_offset", "<socket_child_frame>femur_offset");
    assert_error(
        &model_err(&edited),
        line_in(&text, &[hip], "<socket_child_frame>"),
        "PinJoint hip_r",
        "names no body, ground or offset frame",
    );
    let edited = edit_in(
        &text,
        &[hip, r#"<PhysicalOffsetFrame name="femur_r_offset">"#],
        "/bodyset/femur_r",
        "/bodyset/femur_x",
    );
    assert_error(
        &model_err(&edited),
        line_in(&text, &[hip], r#"<PhysicalOffsetFrame name="femur_r_offset">"#),
        "PhysicalOffsetFrame femur_r_offset",
        "names no body",
    );
    let edited = edit_in(
        &text,
        &[hip, r#"<PhysicalOffsetFrame name="femur_r_offset">"#],
        "/bodyset/femur_r",
        "../pelvis_offset",
    );
    assert_error(
        &model_err(&edited),
        line_in(&text, &[hip], r#"<PhysicalOffsetFrame name="femur_r_offset">"#),
        "PhysicalOffsetFrame femur_r_offset",
        "another offset frame",
    );
    // A joint may name a body directly.
    let direct = edit_in(&text, &[hip], "<socket_child_frame>femur_r_offset", "<socket_child_frame>/bodyset/femur_r");
    let model = model_ok(&direct);
    let child = &model.joint("hip_r").unwrap().child_frame;
    assert_eq!((child.body.as_str(), child.offset_frame.as_deref()), ("femur_r", None));
    // Two joints moving one body, and a body no joint attaches.
    let knee = r#"<CustomJoint name="knee_r">"#;
    let edited = edit_in(
        &text,
        &[knee, r#"<PhysicalOffsetFrame name="tibia_r_offset">"#],
        "/bodyset/tibia_r",
        "/bodyset/femur_r",
    );
    let e = model_err(&edited);
    assert_error(&e, line_of(&text, knee), "CustomJoint knee_r", "connects a body to itself");
    let edited = edit_in(
        &text,
        &[r#"<PinJoint name="ankle_r">"#, r#"<PhysicalOffsetFrame name="talus_r_offset">"#],
        "/bodyset/talus_r",
        "/bodyset/femur_l",
    );
    let e = model_err(&edited);
    assert_error(
        &e,
        line_of(&text, r#"<PinJoint name="hip_l">"#),
        "PinJoint hip_l",
        "already the child of joint ankle_r",
    );
    let edited = text.replacen(r#"<Body name="tibia_r">"#, r#"<Body name="tibia_x">"#, 1);
    let e = model_err(&edited);
    assert_error(
        &e,
        line_in(&text, &[knee], r#"<PhysicalOffsetFrame name="tibia_r_offset">"#),
        "PhysicalOffsetFrame tibia_r_offset",
        "names no body",
    );
    // Metabolic parameters of a muscle the model lacks.
    let metabolics = std::fs::read_to_string(common::asset(common::METABOLICS)).unwrap();
    let param = r#"<Umberger2010MuscleMetabolicsProbe_MetabolicMuscleParameter name="soleus_r">"#;
    let edited = metabolics.replacen(
        param,
        r#"<Umberger2010MuscleMetabolicsProbe_MetabolicMuscleParameter name="soleus_x">"#,
        1,
    );
    let e = exo_opensim::parse_model(&edited, "subject01_metabolics.osim").unwrap_err();
    assert_eq!(
        (e.line, e.element.as_str()),
        (line_of(&metabolics, param), "Umberger2010MuscleMetabolicsProbe_MetabolicMuscleParameter soleus_x")
    );
    assert!(e.problem.contains("does not have"), "{e}");
    let edited = edit_in(&metabolics, &[param], "<use_provided_muscle_mass>false", "<use_provided_muscle_mass>true");
    let e = exo_opensim::parse_model(&edited, "subject01_metabolics.osim").unwrap_err();
    assert!(e.problem.contains("provided_muscle_mass is not a positive mass"), "{e}");
}

#[test]
fn joint_structure_errors() {
    let text = model_text();
    let knee = r#"<CustomJoint name="knee_r">"#;
    // rotation1 and rotation3 both about X.
    let edited =
        edit_in(&text, &[knee, r#"<TransformAxis name="rotation1">"#], "<axis>0 0 1</axis>", "<axis>1 0 0</axis>");
    let e = model_err(&edited);
    assert_error(&e, line_in(&text, &[knee], r#"<TransformAxis name="rotation3">"#), "CustomJoint knee_r", "collinear");
    // A coordinate declared but driving no axis.
    let edited = edit_in(&text, &[knee], "<coordinates>knee_angle_r</coordinates>", "<coordinates></coordinates>");
    let edited = edit_in(&edited, &[knee], "<coordinates>knee_angle_r</coordinates>", "<coordinates></coordinates>");
    let edited = edit_in(&edited, &[knee], "<coordinates>knee_angle_r</coordinates>", "<coordinates></coordinates>");
    let e = model_err(&edited);
    assert!(e.problem.contains("names no coordinate") || e.problem.contains("no coordinate"), "{e}");
    // A transform axis naming an undeclared coordinate.
    let edited = edit_in(
        &text,
        &[knee, r#"<TransformAxis name="rotation2">"#],
        "<coordinates></coordinates>",
        "<coordinates>knee_twist</coordinates>",
    );
    let e = model_err(&edited);
    assert_error(
        &e,
        line_in(&text, &[knee], r#"<TransformAxis name="rotation2">"#),
        "CustomJoint knee_r",
        "knee_twist",
    );
    // A PinJoint with two coordinates.
    let hip = r#"<PinJoint name="hip_r">"#;
    let coordinate = &text[text.find(r#"<Coordinate name="hip_flexion_r">"#).unwrap()..];
    let coordinate = &coordinate[..coordinate.find("</Coordinate>").unwrap() + 13];
    let twice = edit_in(
        &text,
        &[hip],
        coordinate,
        &format!("{coordinate}{}", coordinate.replace("hip_flexion_r", "hip_adduction_r")),
    );
    assert_error(
        &model_err(&twice),
        line_of(&text, hip),
        "PinJoint hip_r",
        "has 1 coordinate(s), but the file declares 2",
    );
    // A prescribed coordinate.
    let edited = edit_in(
        &text,
        &[r#"<Coordinate name="hip_flexion_r">"#],
        "<prescribed_function />",
        "<prescribed_function><Constant><value>0</value></Constant></prescribed_function>",
    );
    let edited = edit_in(&edited, &[r#"<Coordinate name="hip_flexion_r">"#], "<prescribed>false", "<prescribed>true");
    let e = model_err(&edited);
    assert_error(
        &e,
        line_in(&text, &[r#"<Coordinate name="hip_flexion_r">"#], "<prescribed_function"),
        "Coordinate hip_flexion_r",
        "prescribed coordinates",
    );
    // Duplicate names.
    let edited = text.replacen(r#"<Body name="femur_l">"#, r#"<Body name="femur_r">"#, 1);
    assert_error(&model_err(&edited), line_of(&text, r#"<Body name="femur_l">"#), "Body femur_r", "already exists");
    // No name.
    let edited = text.replacen(r#"<Body name="femur_l">"#, "<Body>", 1);
    assert_error(&model_err(&edited), line_of(&text, r#"<Body name="femur_l">"#), "Body", "has no name attribute");
}
