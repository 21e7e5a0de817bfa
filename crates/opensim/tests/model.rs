//! subject01.osim and subject01_metabolics.osim read into data: counts and values checked against the file text.

// Values are copied from the file as OpenSim wrote them (17 significant digits).
#![allow(clippy::excessive_precision, clippy::approx_constant)]

mod common;

use common::{METABOLICS, MODEL, asset, edit_after, edit_in, line_in, line_of, model_err, model_text};
use exo_opensim::{Function, JointKind, MotionType, MuscleKind, PathPoint, Probe, ProbeOperation, read_model};

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-15 * b.abs().max(1.0)
}

#[test]
fn subject01_counts() {
    let model = read_model(asset(MODEL)).unwrap();
    assert_eq!(model.name, "walk_subject01");
    assert_eq!(model.document_version, 40000);
    assert_eq!(model.bodies.len(), 12);
    assert_eq!(model.joints.len(), 12);
    assert_eq!(model.coordinates().count(), 10);
    assert_eq!(model.muscles.len(), 18);
    assert_eq!(model.markers.len(), 39);
    assert!(model.probes.is_empty());
    let kinds = |f: fn(&JointKind) -> bool| model.joints.iter().filter(|j| f(&j.kind)).count();
    assert_eq!(kinds(|k| matches!(k, JointKind::Custom { .. })), 3);
    assert_eq!(kinds(|k| matches!(k, JointKind::Pin)), 5);
    assert_eq!(kinds(|k| matches!(k, JointKind::Weld)), 4);
    let points = model.muscles.iter().flat_map(|m| &m.path);
    let (mut fixed, mut conditional, mut moving) = (0, 0, 0);
    for p in points {
        match p {
            PathPoint::Fixed { .. } => fixed += 1,
            PathPoint::Conditional { .. } => conditional += 1,
            PathPoint::Moving { .. } => moving += 1,
        }
    }
    assert_eq!((fixed, conditional, moving), (48, 8, 4));
    assert!(model.muscles.iter().all(|m| matches!(m.kind, MuscleKind::Millard2012Equilibrium { .. })));
    assert!(model.credits.starts_with("A planar reduced gait model with 10 degrees of freedom"));
}

#[test]
fn gravity_and_bodies() {
    let text = model_text();
    let model = read_model(asset(MODEL)).unwrap();
    assert_eq!(model.gravity_m_per_s2, [0.0, -9.8066499999999994, 0.0]);
    let pelvis = model.body("pelvis").unwrap();
    assert_eq!(pelvis.mass_kg, 11.3751712907406);
    assert_eq!(pelvis.mass_center_m, [-0.072437799999999997, 0.0, 0.0]);
    assert_eq!(pelvis.inertia_kg_m2, [0.10423399999999999, 0.088314699999999996, 0.058707500000000003, 0.0, 0.0, 0.0]);
    assert_eq!(pelvis.line, line_of(&text, r#"<Body name="pelvis">"#));
    let toes = model.body("toes_r").unwrap();
    assert_eq!(toes.mass_center_m, [0.035536999999999999, 0.0061624799999999997, -0.017973900000000001]);
    assert_eq!(toes.inertia_kg_m2[..3], [0.00010189, 0.00020378, 0.00010189]);
    assert_eq!(model.body("torso").unwrap().mass_kg, 33.068454565047901);
    assert!(model.body("ground").is_none());
}

#[test]
fn knee_spline_knots_and_scale() {
    let text = model_text();
    let model = read_model(asset(MODEL)).unwrap();
    let knee = model.joint("knee_r").unwrap();
    assert_eq!(knee.line, line_of(&text, r#"<CustomJoint name="knee_r">"#));
    assert_eq!(knee.parent_frame.body, "femur_r");
    assert_eq!(knee.parent_frame.offset_frame.as_deref(), Some("femur_r_offset"));
    assert_eq!(knee.child_frame.body, "tibia_r");
    let JointKind::Custom { transform } = &knee.kind else { panic!("knee_r is a CustomJoint") };
    let r1 = &transform.rotations()[0];
    assert_eq!(
        (r1.name.as_str(), r1.axis, r1.coordinates.as_slice()),
        ("rotation1", [0.0, 0.0, 1.0], &["knee_angle_r".to_string()][..])
    );
    assert_eq!(r1.function, Function::Linear { slope: 1.0, intercept: 0.0 });
    assert!(!r1.function_defaulted);
    assert_eq!(transform.rotations()[1].axis, [0.0, 1.0, 0.0]);
    assert_eq!(transform.rotations()[1].function, Function::Constant { value: 0.0 });
    let t1 = &transform.translations()[0];
    assert_eq!(t1.axis, [1.0, 0.0, 0.0]);
    let Function::Multiplier { function, scale } = &t1.function else { panic!("translation1 is a MultiplierFunction") };
    assert_eq!(*scale, 1.14724);
    let Function::SimmSpline(spline) = function.as_ref() else { panic!("of a SimmSpline") };
    assert_eq!(
        spline.x(),
        [
            -2.0944, -1.74533, -1.39626, -1.0472, -0.698132, -0.349066, -0.174533, 0.197344, 0.337395, 0.490178,
            1.52146, 2.0944
        ]
    );
    assert_eq!(
        spline.y(),
        [
            -0.0032, 0.00179, 0.00411, 0.0041, 0.00212, -0.001, -0.0031, -0.005227, -0.005435, -0.005574, -0.005435,
            -0.00525
        ]
    );
    // On a knot the value is the knot's y times the scale.
    assert!(close(t1.function.value(-1.0472), 0.0041 * 1.14724));
    let Function::Multiplier { function, .. } = &transform.translations()[1].function else { panic!() };
    let Function::SimmSpline(spline) = function.as_ref() else { panic!() };
    assert_eq!(spline.x().len(), 7);
    assert_eq!(spline.y()[0], -0.4226);
    let (joint, coordinate) = model.coordinate("knee_angle_r").unwrap();
    assert_eq!(joint.name, "knee_r");
    assert_eq!(coordinate.range, [-2.0943950999999998, 0.17453293]);
    assert_eq!(coordinate.motion, MotionType::Rotational);
    assert_eq!(coordinate.line, line_of(&text, r#"<Coordinate name="knee_angle_r">"#));
}

#[test]
fn pelvis_joint_coordinates_and_frames() {
    let model = read_model(asset(MODEL)).unwrap();
    let pelvis = model.joint("ground_pelvis").unwrap();
    assert_eq!(pelvis.parent_frame.body, "ground");
    let names: Vec<_> = pelvis.coordinates.iter().map(|c| (c.name.as_str(), c.motion)).collect();
    assert_eq!(
        names,
        [
            ("pelvis_tilt", MotionType::Rotational),
            ("pelvis_tx", MotionType::Translational),
            ("pelvis_ty", MotionType::Translational)
        ]
    );
    assert_eq!(pelvis.coordinates[2].default_value, 1.0149999999999999);
    assert_eq!(pelvis.coordinates[1].range, [-5.0, 5.0]);
    let JointKind::Custom { transform } = &pelvis.kind else { panic!() };
    // translation3: a MultiplierFunction of Constant 0.02, of no coordinate.
    assert_eq!(transform.translations()[2].function.value(123.0), 0.02);
    assert!(transform.translations()[2].coordinates.is_empty());
    let hip = model.joint("hip_r").unwrap();
    assert_eq!(hip.kind, JointKind::Pin);
    assert_eq!(hip.parent_frame.translation_m, [-0.072437799999999997, -0.067724699999999999, 0.085552400000000001]);
    assert_eq!(hip.parent_frame.orientation_rad, [0.0; 3]);
    assert_eq!(model.joint("ankle_l").unwrap().coordinates[0].range, [-1.0471975499999999, 1.0471975499999999]);
    assert_eq!(model.joint_of_child("calcn_l").unwrap().name, "subtalar_l");
    assert_eq!(model.coordinate("lumbar_extension").unwrap().0.name, "back");
    assert!(model.coordinate("nope").is_none());
}

#[test]
fn muscle_parameters_and_curves() {
    let text = model_text();
    let model = read_model(asset(MODEL)).unwrap();
    let m = model.muscle("hamstrings_r").unwrap();
    assert_eq!(m.line, line_of(&text, r#"<Millard2012EquilibriumMuscle name="hamstrings_r">"#));
    assert_eq!(m.max_isometric_force_n, 2700.0);
    assert_eq!(m.optimal_fiber_length_m, 0.12363105583881601);
    assert_eq!(m.tendon_slack_length_m, 0.36975893764636703);
    assert_eq!(m.pennation_angle_at_optimal_rad, 0.0);
    assert_eq!(m.max_contraction_velocity, 10.0);
    assert_eq!(m.activation_time_constant_s, 0.01);
    assert_eq!(m.deactivation_time_constant_s, 0.040000000000000001);
    assert!(m.applies_force);
    // Not in the file: OpenSim's defaults.
    assert!(!m.ignore_tendon_compliance && !m.ignore_activation_dynamics);
    assert_eq!((m.minimum_activation, m.default_activation, m.default_fiber_length_m), (0.01, 0.05, 0.1));
    assert_eq!(m.maximum_pennation_angle_rad, 0.1_f64.acos());
    for d in ["ignore_tendon_compliance", "fiber_damping", "minimum_activation", "default_fiber_length"] {
        assert!(m.defaults_used.contains(&d), "{d} should be a default");
    }
    assert!(!m.defaults_used.contains(&"max_isometric_force"));
    let MuscleKind::Millard2012Equilibrium { fiber_damping, curves } = &m.kind else { panic!() };
    assert_eq!(*fiber_damping, 0.1);
    let afl = &curves.active_force_length;
    assert_eq!(afl.minimum_value, 0.0);
    assert_eq!(afl.max_norm_active_fiber_length, 1.8123);
    assert!(
        afl.defaults_used.contains(&"max_norm_active_fiber_length") && !afl.defaults_used.contains(&"minimum_value")
    );
    let fv = &curves.force_velocity;
    assert_eq!((fv.concentric_slope_near_vmax, fv.isometric_slope, fv.eccentric_slope_near_vmax), (0.25, 5.0, 0.15));
    assert_eq!(fv.max_eccentric_velocity_force_multiplier, 1.3999999999999999);
    assert_eq!((fv.concentric_curviness, fv.eccentric_curviness), (0.6, 0.9));
    assert_eq!(fv.defaults_used, ["concentric_curviness", "eccentric_curviness"]);
    let fpe = &curves.fiber_force_length;
    assert!(fpe.fitted_defaults);
    assert_eq!((fpe.strain_at_one_norm_force, fpe.stiffness_at_low_force, fpe.curviness), (0.7, 0.2, 0.75));
    assert_eq!(fpe.stiffness_at_one_norm_force, 2.0 / 0.7);
    let fse = &curves.tendon_force_length;
    assert_eq!(fse.strain_at_one_norm_force, 0.049);
    assert_eq!(fse.stiffness_at_one_norm_force, 1.375 / 0.049);
    assert_eq!((fse.norm_force_at_toe_end, fse.curviness), (2.0 / 3.0, 0.5));
    assert_eq!(fse.line, line_of(&text, r#"<TendonForceLengthCurve name="hamstrings_r_TendonForceLengthCurve">"#));
    assert_eq!(m.path.len(), 3);
    assert_eq!(
        m.path[0],
        PathPoint::Fixed {
            name: "bifemlh_r-P1".into(),
            body: "pelvis".into(),
            location_m: [-0.129056, -0.105091, 0.071146799999999996],
            line: line_of(&text, r#"<PathPoint name="bifemlh_r-P1">"#),
        }
    );
    assert_eq!(model.muscle("bifemsh_r").unwrap().pennation_angle_at_optimal_rad, 0.40142572999999998);
}

#[test]
fn conditional_and_moving_path_points() {
    let text = model_text();
    let model = read_model(asset(MODEL)).unwrap();
    let psoas = &model.muscle("iliopsoas_r").unwrap().path[2];
    assert_eq!(
        psoas,
        &PathPoint::Conditional {
            name: "psoas_r-P3".into(),
            body: "pelvis".into(),
            location_m: [-0.0295079, -0.082478700000000002, 0.083605700000000005],
            coordinate: "hip_flexion_r".into(),
            range: [-1.5708, 0.78539800000000004],
            line: line_of(&text, r#"<ConditionalPathPoint name="psoas_r-P3">"#),
        }
    );
    let gastroc = &model.muscle("gastroc_r").unwrap().path[1];
    let PathPoint::Conditional { coordinate, range, .. } = gastroc else { panic!() };
    assert_eq!((coordinate.as_str(), *range), ("knee_angle_r", [-0.78539800000000004, 0.17453299999999999]));

    let rect = &model.muscle("rect_fem_r").unwrap().path[2];
    let PathPoint::Moving { name, body, x, y, z, line } = rect else { panic!("rect_fem_r-P3 moves") };
    assert_eq!((name.as_str(), body.as_str()), ("rect_fem_r-P3", "tibia_r"));
    assert_eq!(*line, line_of(&text, r#"<MovingPathPoint name="rect_fem_r-P3">"#));
    for c in [x, y, z] {
        assert_eq!(c.coordinate.as_deref(), Some("knee_angle_r"));
    }
    let Function::Multiplier { function, scale } = &x.function else { panic!() };
    assert_eq!(*scale, 0.98852300000000004);
    let Function::SimmSpline(s) = function.as_ref() else { panic!() };
    assert_eq!(s.x().len(), 17);
    assert_eq!((s.y()[0], s.y()[16]), (0.0155805, 0.0573481));
    // y at a knot, and z constant.
    assert!(close(y.function.value(0.0), 0.020984 * 0.98852300000000004));
    assert!(z.function.is_constant());
    assert!(close(z.function.value(-1.0), 0.0014 * 0.98852300000000004));
    assert!(close(z.function.value(5.0), 0.0014 * 0.98852300000000004));
    let rect_l = &model.muscle("rect_fem_l").unwrap().path[2];
    let PathPoint::Moving { z, .. } = rect_l else { panic!() };
    assert!(close(z.function.value(0.0), -0.0014 * 0.98852300000000004));
}

#[test]
fn markers() {
    let model = read_model(asset(MODEL)).unwrap();
    let sternum = model.marker("Sternum").unwrap();
    assert_eq!(sternum.body, "torso");
    assert_eq!(sternum.location_m, [0.103606, 0.31243900000000002, 1.0431799999999999e-06]);
    assert!(!sternum.fixed);
    assert_eq!(model.marker("L.Toe.Tip").unwrap().body, "calcn_l");
}

#[test]
fn metabolics_probe_and_thelen_muscles() {
    let text = std::fs::read_to_string(asset(METABOLICS)).unwrap();
    let model = read_model(asset(METABOLICS)).unwrap();
    assert_eq!(model.muscles.len(), 18);
    let m = model.muscle("hamstrings_r").unwrap();
    let MuscleKind::Thelen2003(t) = &m.kind else { panic!("the metabolics model's muscles are Thelen2003Muscle") };
    assert_eq!((t.fmax_tendon_strain, t.fmax_muscle_strain), (0.033000000000000002, 0.59999999999999998));
    assert_eq!((t.kshape_active, t.kshape_passive, t.af, t.flen), (0.5, 4.0, 0.29999999999999999, 1.8));
    assert_eq!(t.fv_linear_extrap_threshold, 0.95);
    assert_eq!(m.activation_time_constant_s, 0.01);
    assert_eq!(model.probes.len(), 1);
    let Probe::Umberger2010(p) = &model.probes[0] else { panic!("an Umberger2010 probe") };
    assert_eq!(p.common.name, "metabolics");
    assert_eq!(p.common.line, line_of(&text, r#"<Umberger2010MuscleMetabolicsProbe name="metabolics">"#));
    assert!(p.common.enabled);
    assert_eq!(p.common.operation, ProbeOperation::Value);
    assert_eq!(p.common.initial_conditions_for_integration, [0.0]);
    assert_eq!(p.common.gain, 1.0);
    assert!(p.activation_maintenance_rate_on && p.shortening_rate_on && p.mechanical_work_rate_on);
    assert!(!p.basal_rate_on && !p.report_total_metabolics_only);
    assert_eq!(p.aerobic_factor, 1.5);
    // Not in the file: OpenSim's defaults.
    assert!(p.enforce_minimum_heat_rate_per_muscle && p.use_bhargava_recruitment_model);
    assert_eq!((p.basal_coefficient, p.basal_exponent, p.muscle_effort_scaling_factor), (1.2, 1.0, 1.0));
    assert!(p.defaults_used.contains(&"basal_coefficient") && !p.defaults_used.contains(&"aerobic_factor"));
    assert_eq!(p.muscles.len(), 18);
    let ratio = |name: &str| p.muscles.iter().find(|m| m.muscle == name).unwrap().ratio_slow_twitch_fibers;
    assert_eq!(ratio("hamstrings_r"), 0.48999999999999999);
    assert_eq!(ratio("bifemsh_r"), 0.53000000000000003);
    assert_eq!(ratio("glut_max_l"), 0.55000000000000004);
    assert_eq!(ratio("rect_fem_r"), 0.39000000000000001);
    assert_eq!(ratio("gastroc_l"), 0.54000000000000004);
    assert_eq!(ratio("soleus_r"), 0.80000000000000004);
    assert_eq!(ratio("tib_ant_l"), 0.69999999999999996);
    assert_eq!(ratio("vasti_l"), 0.5);
    let soleus = p.muscles.iter().find(|m| m.muscle == "soleus_r").unwrap();
    assert!(!soleus.use_provided_muscle_mass);
    assert_eq!(soleus.provided_muscle_mass_kg, None);
    assert_eq!((soleus.specific_tension_pa, soleus.density_kg_per_m3), (0.25e6, 1059.7));
    assert!(soleus.bhargava.is_none());
    assert!(soleus.defaults_used.contains(&"density"));
}

#[test]
fn bhargava_probe_with_defaults_and_constants() {
    let text = model_text();
    let probe = r#"<ProbeSet name="probeset">
			<objects>
				<Bhargava2004MuscleMetabolicsProbe name="bhargava">
					<basal_rate_on>false</basal_rate_on>
					<Bhargava2004MuscleMetabolicsProbe_MetabolicMuscleParameterSet>
						<objects>
							<Bhargava2004MuscleMetabolicsProbe_MetabolicMuscleParameter name="soleus_r">
								<ratio_slow_twitch_fibers>0.8</ratio_slow_twitch_fibers>
								<use_provided_muscle_mass>true</use_provided_muscle_mass>
								<provided_muscle_mass>0.5</provided_muscle_mass>
								<activation_constant_fast_twitch>120</activation_constant_fast_twitch>
							</Bhargava2004MuscleMetabolicsProbe_MetabolicMuscleParameter>
						</objects>
					</Bhargava2004MuscleMetabolicsProbe_MetabolicMuscleParameterSet>
				</Bhargava2004MuscleMetabolicsProbe>
			</objects>"#;
    let text = edit_after(&text, "<ProbeSet", "<ProbeSet name=\"probeset\">\n\t\t\t<objects />", probe);
    let model = common::model_ok(&text);
    let Probe::Bhargava2004(p) = &model.probes[0] else { panic!() };
    assert!(!p.basal_rate_on && p.activation_rate_on && p.maintenance_rate_on);
    assert!(!p.use_force_dependent_shortening_prop_constant && p.report_total_metabolics_only);
    let f = &p.normalized_fiber_length_dependence_on_maintenance_rate;
    assert_eq!((f.value(0.25), f.value(0.75), f.value(1.0), f.value(1.75)), (0.5, 0.75, 1.0, 0.0));
    let m = &p.muscles[0];
    assert!(m.use_provided_muscle_mass);
    assert_eq!(m.provided_muscle_mass_kg, Some(0.5));
    let c = m.bhargava.unwrap();
    assert_eq!((c.activation_constant_slow_twitch, c.activation_constant_fast_twitch), (40.0, 120.0));
    assert_eq!((c.maintenance_constant_slow_twitch, c.maintenance_constant_fast_twitch), (74.0, 111.0));
}

#[test]
fn custom_joint_coordinates_follow_the_transform_order() {
    // Declare pelvis_ty before pelvis_tilt: OpenSim reorders to the transform's order (issue #3191).
    let text = model_text();
    let ty = &text[text.find(r#"<Coordinate name="pelvis_ty">"#).unwrap()..];
    let ty = &ty[..ty.find("</Coordinate>").unwrap() + "</Coordinate>".len()];
    let without = text.replacen(ty, "", 1);
    let reordered =
        edit_after(&without, "<CustomJoint name=\"ground_pelvis\">", "<coordinates>", &format!("<coordinates>{ty}"));
    let model = common::model_ok(&reordered);
    let names: Vec<_> = model.joint("ground_pelvis").unwrap().coordinates.iter().map(|c| c.name.clone()).collect();
    assert_eq!(names, ["pelvis_tilt", "pelvis_tx", "pelvis_ty"]);
}

#[test]
fn coupled_coordinate_when_no_axis_is_a_unit_line() {
    let text = model_text();
    let text = edit_after(
        &text,
        "<CustomJoint name=\"knee_r\">",
        "<coefficients> 1 0</coefficients>",
        "<coefficients> 0.5 0</coefficients>",
    );
    let model = common::model_ok(&text);
    assert_eq!(model.coordinate("knee_angle_r").unwrap().1.motion, MotionType::Coupled);
}

#[test]
fn check_planar_passes_and_names_the_tilted_knee() {
    let text = model_text();
    let model = common::model_ok(&text);
    model.check_planar("subject01.osim").unwrap();
    let knee = r#"<CustomJoint name="knee_r">"#;
    let r1 = r#"<TransformAxis name="rotation1">"#;
    let r3 = r#"<TransformAxis name="rotation3">"#;
    // rotation3 of the knee is about X already: turn it to Z so that the axes stay independent.
    let tilted = edit_in(&text, &[knee, r3], "<axis>1 0 0</axis>", "<axis>0 0 1</axis>");
    let tilted = edit_in(&tilted, &[knee, r1], "<axis>0 0 1</axis>", "<axis>1 0 0</axis>");
    let e = common::model_ok(&tilted).check_planar("subject01.osim").unwrap_err();
    assert_eq!((e.line, e.element.as_str()), (line_in(&text, &[knee], r1), "CustomJoint knee_r"), "{e}");
    assert!(e.problem.contains("rotation1") && e.problem.contains("(1 0 0)"), "{e}");
    assert!(e.to_string().starts_with(&format!("subject01.osim:{}: CustomJoint knee_r: rotation1", e.line)), "{e}");
}

#[test]
fn check_planar_names_offset_rotations_and_out_of_plane_translations() {
    let text = model_text();
    let ankle = r#"<PinJoint name="ankle_r">"#;
    let tilted = edit_in(&text, &[ankle], "<orientation>0 0 0</orientation>", "<orientation>0.1 0 0.3</orientation>");
    let e = common::model_ok(&tilted).check_planar("subject01.osim").unwrap_err();
    assert_eq!((e.line, e.element.as_str()), (line_in(&text, &[ankle], "<PhysicalOffsetFrame"), "PinJoint ankle_r"));
    assert!(e.problem.contains("tibia_r_offset"), "{e}");
    // A Z translation of the knee driven by the knee angle.
    let knee = r#"<CustomJoint name="knee_r">"#;
    let t3 = r#"<TransformAxis name="translation3">"#;
    let moving = edit_in(&text, &[knee, t3], "<coordinates></coordinates>", "<coordinates>knee_angle_r</coordinates>");
    let moving = edit_in(
        &moving,
        &[knee, t3],
        "<Constant>",
        "<LinearFunction><coefficients>0.01 0</coefficients></LinearFunction><!--",
    );
    let moving = edit_in(&moving, &[knee, t3], "</Constant>", "-->");
    let e = common::model_ok(&moving).check_planar("subject01.osim").unwrap_err();
    assert_eq!((e.line, e.element.as_str()), (line_in(&text, &[knee], t3), "CustomJoint knee_r"));
    assert!(e.problem.contains("translation3"), "{e}");
    // A constant Z offset is planar.
    let offset = edit_in(&text, &[knee, t3], "<value>0</value>", "<value>0.03</value>");
    common::model_ok(&offset).check_planar("subject01.osim").unwrap();
}

#[test]
fn models_older_than_4_are_refused() {
    let text = model_text().replacen(r#"Version="40000""#, r#"Version="30000""#, 1);
    let e = model_err(&text);
    assert_eq!((e.line, e.element.as_str()), (2, "OpenSimDocument"));
    assert!(e.problem.contains("30000") && e.problem.contains("40000"), "{e}");
}
