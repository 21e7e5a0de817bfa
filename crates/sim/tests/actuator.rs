//! The actuator chain against closed-form answers, without rigid-body physics: the joint is held or moved by
//! the test.

use exo_control::pid::{AntiWindup, DerivativeFilter};
use exo_control::sea::{SeaTorqueConfig, TorqueSource};
use exo_control::{ControlLaw, PidConfig, SVector, SeaTorque, SensorFrame};
use exo_sim::actuator::{Actuator, ActuatorConfig};

fn preset(name: &str) -> ActuatorConfig {
    let path = format!("{}/../../assets/actuators/{name}.toml", env!("CARGO_MANIFEST_DIR"));
    let cfg = ActuatorConfig::from_toml(&std::fs::read_to_string(path).unwrap()).unwrap();
    cfg.validate().unwrap();
    cfg
}

#[test]
fn shipped_presets_parse_validate_and_match_their_sources() {
    let qdd = preset("qdd-ak80-6");
    // DFKI system identification: reflected rotor inertia 0.002186 kg m² (0.1 %).
    assert!((qdd.reflected_inertia_kg_m2() / 0.002186 - 1.0).abs() < 1e-3);
    assert!(qdd.spring.is_none());
    let sea = preset("harmonic-sea-100");
    assert_eq!(sea.spring.unwrap().stiffness_nm_per_rad, 272.25);
    assert!(sea.peak_torque_nm() < 54.0, "current limit keeps the gear below its repeated peak torque");
}

#[test]
fn unknown_keys_and_impossible_values_are_refused() {
    let text =
        std::fs::read_to_string(format!("{}/../../assets/actuators/qdd-ak80-6.toml", env!("CARGO_MANIFEST_DIR")))
            .unwrap();
    let bad = text.replace("ratio = 6.0", "ratio = 6.0\nratoi = 7.0");
    let err = ActuatorConfig::from_toml(&bad).unwrap_err().to_string();
    assert!(err.contains("ratoi"), "{err}");
    let zero = ActuatorConfig::from_toml(&text.replace("ratio = 6.0", "ratio = 0.0")).unwrap();
    assert_eq!(zero.validate().unwrap_err().field, "gearbox.ratio");
}

#[test]
fn no_load_speed_is_bus_voltage_over_back_emf_constant() {
    // Friction off and the mesh out of reach (huge backlash): the rotor runs free. A current command beyond what
    // the bus can push saturates the driver at V, so the rotor settles at V/Ke (1 %).
    let mut cfg = preset("qdd-ak80-6");
    cfg.gearbox.coulomb_friction_nm = 0.0;
    cfg.gearbox.static_friction_nm = 0.0;
    cfg.gearbox.viscous_friction_nm_s_per_rad = 0.0;
    cfg.gearbox.backlash_rad = 1e9;
    let mut a = Actuator::new(cfg.clone(), 1e-3, 0.0);
    for _ in 0..3000 {
        a.advance(1.0, 0.0, 0.0);
    }
    let expected = cfg.driver.bus_voltage_v / cfg.motor.torque_constant_nm_per_a;
    let w = a.state().rotor_speed_rad_per_s;
    assert!((w / expected - 1.0).abs() < 0.01, "{w} vs {expected}");
}

#[test]
fn series_spring_torque_is_stiffness_times_deflection() {
    let cfg = preset("harmonic-sea-100");
    let k = cfg.spring.unwrap().stiffness_nm_per_rad;
    let mut a = Actuator::new(cfg, 1e-3, 0.0);
    // Open loop the spring-rotor mode (6 Hz) is lightly damped: let friction settle it for 20 s.
    for _ in 0..20_000 {
        a.advance(10.0, 0.0, 0.0);
    }
    // Settled on a held joint: the torque the joint feels is the spring's stiffness times its deflection (the
    // output node no longer moves, so damping contributes nothing), and moving the joint by dq changes it by
    // -k dq.
    let c = *a.coupling();
    let s = a.state();
    assert!(s.output_speed_rad_per_s.abs() < 1e-6);
    assert!((c.torque(1.0, 0.0, 0.0) - k * s.output_angle_rad).abs() < 1e-6 * k, "{c:?}");
    assert!((s.spring_torque_nm - k * s.output_angle_rad).abs() < 1e-6 * k);
    assert!((c.torque(1.0, 0.01, 0.0) - c.torque(1.0, 0.0, 0.0) + k * 0.01).abs() < 1e-9);
}

#[test]
fn backlash_output_does_not_move_while_the_input_travels_in_the_dead_band() {
    // A wide dead band (0.02 rad at the output, 2 rad at the rotor) and a small current: the rotor travels
    // (above breakaway friction) across the band while the output node (held by the spring to a fixed joint) stays exactly still until
    // the teeth meet.
    let mut cfg = preset("harmonic-sea-100");
    cfg.gearbox.backlash_rad = 0.02;
    let mut a = Actuator::new(cfg.clone(), 1e-3, 0.0);
    let mut travelled_inside = 0.0f64;
    let mut contact = false;
    for _ in 0..2000 {
        a.advance(5.0, 0.0, 0.0);
        let s = a.state();
        let delta = s.rotor_angle_rad / cfg.gearbox.ratio - s.output_angle_rad;
        contact |= delta.abs() >= 0.5 * cfg.gearbox.backlash_rad;
        if !contact {
            assert_eq!(s.output_angle_rad, 0.0, "output moved inside the dead band");
            travelled_inside = travelled_inside.max(delta.abs());
        }
    }
    assert!(travelled_inside > 0.009, "the rotor crossed most of the half band: {travelled_inside}");
    assert!(a.state().output_angle_rad > 0.0, "and the output moved once in contact");
}

fn sea_frame(a: &Actuator, ratio: f64, seq: u32) -> SensorFrame<f64, 1> {
    let s = a.state();
    let mut f = SensorFrame::<f64, 1>::default();
    f.sequence = seq;
    f.motor_position_rad[0] = s.rotor_angle_rad / ratio;
    f.motor_velocity_rad_per_s[0] = s.rotor_speed_rad_per_s / ratio;
    f.joint_torque_nm[0] = s.spring_torque_nm;
    f
}

#[test]
fn sea_torque_loop_matches_the_closed_form_second_order_step() {
    // Ideal transmission (no friction, efficiency 1, no backlash), joint locked. With u = τd + Kp (τd - τs)
    // - Kv qd_m the spring torque obeys J θ'' + Kv θ' + k (1 + Kp) θ = (1 + Kp) τd, J = Jm N² + Jo:
    // ωn = sqrt(k (1 + Kp) / J), ζ = Kv / (2 sqrt(J k (1 + Kp))). Tolerance: 5 % of the step over 1 s, which
    // covers the 1 kHz sampling, the current loop and the finite gear stiffness the closed form leaves out.
    let mut cfg = preset("harmonic-sea-100");
    cfg.gearbox.efficiency_forward = 1.0;
    cfg.gearbox.efficiency_backward = 1.0;
    cfg.gearbox.coulomb_friction_nm = 0.0;
    cfg.gearbox.static_friction_nm = 0.0;
    cfg.gearbox.viscous_friction_nm_s_per_rad = 0.0;
    cfg.gearbox.backlash_rad = 0.0;
    cfg.driver.current_limit_a = 100.0;
    cfg.driver.bus_voltage_v = 200.0;
    let spring = cfg.spring.unwrap();
    let (k, n) = (spring.stiffness_nm_per_rad, cfg.gearbox.ratio);
    let j = cfg.motor.rotor_inertia_kg_m2 * n * n + cfg.gearbox.output_inertia_kg_m2;
    let (kp, zeta) = (3.0, 0.7);
    let wn = (k * (1.0 + kp) / j).sqrt();
    let kv = 2.0 * zeta * (j * k * (1.0 + kp)).sqrt() - spring.damping_nm_s_per_rad;
    let pid = PidConfig::new(kp, 0.0, 0.0, 500.0)
        .with_derivative_filter(DerivativeFilter::None)
        .with_anti_windup(AntiWindup::None);
    let mut law = SeaTorque::new(SeaTorqueConfig {
        spring_stiffness_nm_per_rad: SVector::repeat(k),
        torque_source: TorqueSource::Sensor,
        torque_loop: [pid],
        feedforward_gain: SVector::repeat(1.0),
        motor_damping_nm_s_per_rad: SVector::repeat(kv),
    })
    .unwrap();
    let mut a = Actuator::new(cfg, 1e-3, 0.0);
    let step = 10.0;
    let wd = wn * (1.0 - zeta * zeta).sqrt();
    let mut worst: f64 = 0.0;
    for tick in 0..1000u32 {
        let mut frame = sea_frame(&a, n, tick);
        frame.setpoint.torque_nm[0] = step;
        let cmd = law.update(&frame, 1e-3);
        a.advance(cmd.torque_nm[0], 0.0, 0.0);
        let t = f64::from(tick + 1) * 1e-3;
        let exact = step * (1.0 - (-zeta * wn * t).exp() * ((wd * t).cos() + zeta * wn / wd * (wd * t).sin()));
        worst = worst.max((a.state().spring_torque_nm - exact).abs());
    }
    eprintln!(
        "SEA step: ωn = {wn:.1} rad/s, max deviation from the closed form {:.2} % of the step",
        100.0 * worst / step
    );
    assert!(worst < 0.05 * step, "max deviation {worst} N m");
}

#[test]
fn energy_balances_to_within_two_percent() {
    // The joint is moved sinusoidally while the actuator drives a torque: battery energy = copper + friction
    // + gear losses + work on the joint + stored energy change.
    let mut cfg = preset("qdd-ak80-6");
    cfg.driver.regeneration_efficiency = 1.0;
    let mut a = Actuator::new(cfg, 1e-3, 0.0);
    let mut joint_work = 0.0;
    let dt = 1e-3;
    for k in 0..4000 {
        let t = f64::from(k) * dt;
        let (q, qd) = (0.5 * (3.0 * t).sin(), 1.5 * (3.0 * t).cos());
        let c = a.advance(6.0 * (5.0 * t).sin(), q, qd);
        // Work on the joint over the step, midpoint rule on the coupling.
        let (qm, qdm) = (0.5 * (3.0 * (t + 0.5 * dt)).sin(), 1.5 * (3.0 * (t + 0.5 * dt)).cos());
        joint_work += c.torque(0.5, qm, qdm) * qdm * dt;
        let _ = (q, qd);
    }
    let e = a.energy();
    let t_end: f64 = 4.0;
    let stored = a.stored_energy_j(0.5 * (3.0 * t_end).sin());
    let out = e.copper_loss_j + e.friction_loss_j + e.gear_loss_j + e.output_work_j + stored;
    let net_in = e.drawn_j - e.regenerated_j;
    eprintln!(
        "energy in {net_in:.3} J; copper {:.3}, friction {:.3}, gear {:.3}, joint {:.3} (midpoint estimate \
         {joint_work:.3}), stored {stored:.4}",
        e.copper_loss_j, e.friction_loss_j, e.gear_loss_j, e.output_work_j
    );
    assert!((out - net_in).abs() < 0.02 * e.drawn_j, "in {net_in} vs out {out}");
    // The work the coupling does on the real joint path (midpoint rule) agrees with the actuator's own figure
    // to within 5 % of the copper loss scale: the interface neither creates nor loses energy to speak of.
    assert!((joint_work - e.output_work_j).abs() < 0.005 * e.drawn_j, "{joint_work} vs {}", e.output_work_j);
}

#[test]
fn hot_winding_derates_the_current_limit() {
    // A stalled motor at its current limit heats up; once past derate_start_c the delivered current falls.
    let mut cfg = preset("qdd-ak80-6");
    cfg.gearbox.backlash_rad = 0.0;
    let derate = cfg.thermal.derate_start_c;
    let limit = cfg.driver.current_limit_a;
    let mut a = Actuator::new(cfg, 1e-3, 0.0);
    let mut first_derated = None;
    for k in 0..600_000u32 {
        a.advance(100.0, 0.0, 0.0);
        let s = a.state();
        if s.winding_c > derate + 5.0 {
            first_derated = Some((k, s.current_reference_a, s.winding_c));
            break;
        }
    }
    let (_, i_ref, temp) = first_derated.expect("the winding reaches the derating range within 600 s");
    assert!(i_ref < limit * 0.9, "current reference {i_ref} A at {temp} °C");
}
