//! Filters, profiles, gait-phase estimators, admittance, supervisor and bumpless transfer.

use exo_control::assist::{
    AdaptiveOscillator, AdaptiveOscillatorConfig, AssistanceConfig, HeelStrikePhase, HeelStrikePhaseConfig,
    PhaseEstimatorConfig, Profile, SplineProfile, TableProfile,
};
use exo_control::filter::{
    Biquad, BiquadCoefficients, LowPass, LowPassConfig, VelocityEstimator, VelocityEstimatorConfig,
};
use exo_control::pid::{AntiWindup, DerivativeFilter};
use exo_control::safety::SafeStopMode;
use exo_control::{
    Admittance, AdmittanceConfig, Assistance, Command, ControlLaw, FaultReason, ParamId, Pid, PidConfig, SVector,
    SensorFrame, Supervisor, SupervisorConfig, SupervisorState,
};
use std::f64::consts::PI;

fn sine_gain(mut filter: impl FnMut(f64) -> f64, f: f64, dt: f64) -> f64 {
    let n = (1.0 / (f * dt)).round() as usize;
    let mut peak: f64 = 0.0;
    for k in 0..n * 60 {
        let y = filter((2.0 * PI * f * k as f64 * dt).sin());
        if k >= n * 50 {
            peak = peak.max(y.abs());
        }
    }
    peak
}

#[test]
fn butterworth_biquad_is_3_db_down_exactly_at_cutoff_thanks_to_prewarping() {
    // Cut-off at 0.2 of the sample rate, where an unwarped bilinear design would miss by 14 %.
    let dt = 1e-3;
    let k = BiquadCoefficients::<f64>::butterworth_lowpass(200.0, dt).unwrap();
    assert!((k.gain_at(200.0, dt) - std::f64::consts::FRAC_1_SQRT_2).abs() < 1e-12);
    // DC gain 1, and the simulated filter matches its own transfer function within the peak sampling error.
    assert!((k.gain_at(0.0, dt) - 1.0).abs() < 1e-12);
    let mut bq = Biquad::new(k);
    let measured = sine_gain(|x| bq.update(x), 50.0, dt);
    assert!((measured - k.gain_at(50.0, dt)).abs() < 2e-3, "{measured} vs {}", k.gain_at(50.0, dt));
}

#[test]
fn notch_nulls_its_centre_and_passes_far_frequencies() {
    let dt = 1e-3;
    let k = BiquadCoefficients::<f64>::notch(60.0, 5.0, dt).unwrap();
    assert!(k.gain_at(60.0, dt) < 1e-9);
    assert!((k.gain_at(0.0, dt) - 1.0).abs() < 1e-12);
    assert!(k.gain_at(5.0, dt) > 0.99);
    let mut bq = Biquad::new(k);
    assert!(sine_gain(|x| bq.update(x), 60.0, dt) < 1e-3);
}

#[test]
fn biquad_design_refuses_cutoff_at_or_above_nyquist_and_bad_q() {
    assert_eq!(BiquadCoefficients::<f64>::butterworth_lowpass(500.0, 1e-3).unwrap_err().field, "cutoff_hz");
    assert_eq!(BiquadCoefficients::<f64>::notch(50.0, 0.0, 1e-3).unwrap_err().field, "q");
    assert_eq!(BiquadCoefficients::<f64>::lowpass(50.0, 0.7, -1.0).unwrap_err().field, "dt_s");
}

#[test]
fn first_order_lowpass_matches_its_exact_discretisation_and_the_continuous_corner() {
    let dt = 1e-3;
    let mut lp = LowPass::new(LowPassConfig { cutoff_hz: 10.0 }).unwrap();
    let theory = lp.gain_at(10.0, dt);
    // The exact (ZOH-matched) discretisation at 1 % of the sample rate is within 1 % of the continuous -3 dB.
    assert!((theory - std::f64::consts::FRAC_1_SQRT_2).abs() < 0.01, "{theory}");
    let measured = sine_gain(|x| lp.update(x, dt), 10.0, dt);
    assert!((measured - theory).abs() < 3e-3);
}

#[test]
fn velocity_estimator_recovers_a_ramp_from_quantised_counts() {
    // 4096-count encoder, 1 kHz, true speed 2 rad/s: raw differences jump between multiples of
    // 2 pi / 4096 / 1e-3 = 1.53 rad/s. After the 20 Hz low-pass the estimate stays within 0.12 rad/s of the truth
    // (the residual ripple of the quantisation at the 2 Hz pattern) and its 1 s mean within 1e-3.
    let res = 2.0 * PI / 4096.0;
    let dt = 1e-3;
    let mut est = VelocityEstimator::new(VelocityEstimatorConfig { cutoff_hz: 20.0 }).unwrap();
    let (mut worst, mut mean) = (0.0f64, 0.0);
    for k in 0..3000 {
        let x = 2.0 * k as f64 * dt;
        let q = (x / res).floor() * res;
        let v = est.update(q, dt);
        if k >= 2000 {
            worst = worst.max((v - 2.0).abs());
            mean += v / 1000.0;
        }
    }
    assert!(worst < 0.12, "worst {worst}");
    assert!((mean - 2.0).abs() < 1e-3, "mean {mean}");
}

#[test]
fn spline_profile_peaks_at_peak_time_is_zero_outside_and_continuous() {
    let p =
        SplineProfile::<f64> { peak_torque_nm: 30.0, peak_time_pct: 50.0, rise_time_pct: 25.0, fall_time_pct: 10.0 };
    p.validate().unwrap();
    assert!((p.torque_nm(0.5) - 30.0).abs() < 1e-12);
    assert_eq!(p.torque_nm(0.2), 0.0);
    assert_eq!(p.torque_nm(0.61), 0.0);
    // Half-way up the cubic rise: 3 s² - 2 s³ at s = 0.5 is 0.5.
    assert!((p.torque_nm(0.375) - 15.0).abs() < 1e-9);
    let mut prev = p.torque_nm(0.0);
    for k in 1..=10_000 {
        let t = p.torque_nm(k as f64 / 10_000.0);
        // Largest slope: 1.5 peak / fall = 1.5 * 30 / 0.10 = 450 N m per stride, i.e. 0.045 per 1e-4 step.
        assert!((t - prev).abs() <= 0.045 + 1e-9, "jump at {k}");
        prev = t;
    }
    // A profile straddling heel strike wraps.
    let w = SplineProfile { peak_torque_nm: -10.0, peak_time_pct: 2.0, rise_time_pct: 5.0, fall_time_pct: 5.0 };
    assert!(w.torque_nm(0.98) < -1.0 && w.torque_nm(0.05) < -1.0);
    assert!(
        SplineProfile { peak_torque_nm: 1.0, peak_time_pct: 50.0, rise_time_pct: 60.0, fall_time_pct: 40.0 }
            .validate()
            .is_err()
    );
}

#[test]
fn table_profile_interpolates_and_wraps() {
    let t = TableProfile::<f64>::new(&[(10.0, 0.0), (50.0, 20.0), (90.0, 0.0)]).unwrap();
    assert!((t.torque_nm(0.30) - 10.0).abs() < 1e-12);
    assert!((t.torque_nm(0.50) - 20.0).abs() < 1e-12);
    assert_eq!(t.torque_nm(0.95), 0.0);
    assert_eq!(t.torque_nm(0.05), 0.0);
    assert_eq!(TableProfile::new(&[(10.0, 0.0), (5.0, 1.0)]).unwrap_err().problem, exo_control::Problem::NotIncreasing);
}

#[test]
fn heel_strike_phase_is_time_since_strike_over_mean_stride() {
    let mut est = HeelStrikePhase::<f64>::new(HeelStrikePhaseConfig {
        strides_averaged: 2,
        min_stride_s: 0.4,
        max_stride_s: 2.0,
        min_swing_s: 0.0,
    })
    .unwrap();
    let dt = 1e-3;
    let mut phase_at = Vec::new();
    // Strides of 1.0 s then 1.2 s; query half-way through the third stride.
    let strikes = [0usize, 1000, 2200];
    for k in 0..=2800usize {
        let p = est.update(strikes.contains(&k), dt);
        if k < 1000 {
            assert!(p.is_none(), "no phase before one full stride");
        }
        phase_at.push(p);
    }
    let mean: f64 = (1.0 + 1.2) / 2.0;
    let p: f64 = phase_at[2800].unwrap();
    assert!((p - 0.6 / mean).abs() < 1e-9, "{p}");
    assert!((est.stride_time_s().unwrap() - mean).abs() < 1e-9);
}

#[test]
fn a_contact_that_chatters_mid_stance_is_no_heel_strike_with_a_minimum_swing() {
    // Strides of 1.0 s: loaded for 0.6 s, then swing. Half-way through stance the insole drops out for 20 ms
    // (chatter). With a 0.2 s minimum swing the dip is ignored and the stride is 1.0 s; without one, the dip's
    // rising edge counts as a heel strike (0.5 s after the last, past the 0.4 s minimum stride).
    let stride = |min_swing_s: f64| {
        let mut est = HeelStrikePhase::<f64>::new(HeelStrikePhaseConfig {
            strides_averaged: 3,
            min_stride_s: 0.4,
            max_stride_s: 2.0,
            min_swing_s,
        })
        .unwrap();
        for k in 0..6000usize {
            let t = (k % 1000) as f64 * 1e-3;
            let loaded = t < 0.6 && !(0.48..0.5).contains(&t);
            est.update_contact(loaded, 1e-3);
        }
        est.stride_time_s().unwrap()
    };
    assert!((stride(0.2) - 1.0).abs() < 1e-9, "{}", stride(0.2));
    assert!((stride(0.0) - 0.5).abs() < 1e-9, "{}", stride(0.0));
}

#[test]
fn adaptive_oscillator_locks_onto_a_walking_hip_angle() {
    // A hip-like signal at 0.85 Hz with a second harmonic, starting from a 1.0 Hz guess. After 30 s the learned
    // frequency is within 1 % and the estimate follows the signal within 0.05 rad (signal amplitude 0.45 rad).
    let f = 0.85;
    let mut cfg = AdaptiveOscillatorConfig::walking();
    cfg.initial_frequency_hz = 1.0;
    let mut osc: AdaptiveOscillator<f64, 3> = AdaptiveOscillator::new(cfg).unwrap();
    let dt = 1e-3;
    let mut worst: f64 = 0.0;
    for k in 0..40_000 {
        let t = k as f64 * dt;
        let w = 2.0 * PI * f * t;
        let theta = 0.1 + 0.4 * w.sin() + 0.08 * (2.0 * w + 0.5).sin();
        osc.update(theta, dt);
        if t > 35.0 {
            worst = worst.max((osc.estimate() - theta).abs());
        }
    }
    assert!((osc.frequency_hz() / f - 1.0).abs() < 0.01, "frequency {}", osc.frequency_hz());
    assert!(worst < 0.05, "tracking error {worst}");
}

fn adm_config() -> AdmittanceConfig<f64, 1> {
    AdmittanceConfig {
        virtual_inertia_kg_m2: SVector::repeat(0.5),
        virtual_damping_nm_s_per_rad: SVector::repeat(5.0),
        virtual_stiffness_nm_per_rad: SVector::repeat(20.0),
        interaction_deadband_nm: SVector::repeat(0.5),
        position_min_rad: SVector::repeat(-1.0),
        position_max_rad: SVector::repeat(1.0),
        velocity_limit_rad_per_s: SVector::repeat(5.0),
        position_loop: [PidConfig::new(200.0, 0.0, 5.0, 50.0)],
        gravity: None,
    }
}

#[test]
fn admittance_settles_at_interaction_over_stiffness_and_respects_its_range() {
    // Static equilibrium of M x'' + B x' + K x = tau - deadband: x = (4 - 0.5) / 20 = 0.175 rad.
    let mut law = Admittance::new(adm_config()).unwrap();
    let mut frame = SensorFrame::<f64, 1>::default();
    frame.interaction_torque_nm[0] = 4.0;
    for k in 0..20_000 {
        frame.sequence = k;
        law.update(&frame, 1e-3);
    }
    assert!((law.virtual_position_rad()[0] - 0.175).abs() < 1e-6);
    // A push far beyond the range stops at the upper end.
    frame.interaction_torque_nm[0] = 100.0;
    for k in 0..20_000 {
        frame.sequence = k;
        law.update(&frame, 1e-3);
    }
    assert_eq!(law.virtual_position_rad()[0], 1.0);
}

fn sup_config() -> SupervisorConfig<f64, 2> {
    let mut c = SupervisorConfig::symmetric(1.0, 5.0, 40.0);
    c.torque_rate_limit_nm_per_s = SVector::repeat(10_000.0);
    c
}

fn frame(seq: u32, q: f64, qd: f64) -> SensorFrame<f64, 2> {
    let mut f = SensorFrame::default();
    f.sequence = seq;
    f.joint_position_rad = SVector::repeat(q);
    f.joint_velocity_rad_per_s = SVector::repeat(qd);
    f
}

#[test]
fn supervisor_passes_clips_walls_and_latches() {
    let mut s = Supervisor::new(sup_config()).unwrap();
    let cmd = Command::torque(SVector::repeat(5.0));
    let out = s.apply(&frame(1, 0.0, 0.0), &cmd, 1e-3);
    assert_eq!((out.state, out.command.torque_nm), (SupervisorState::Active, cmd.torque_nm));
    // Torque limit.
    let big = Command::torque(SVector::repeat(100.0));
    let out = s.apply(&frame(2, 0.0, 0.0), &big, 1e-3);
    assert_eq!(out.state, SupervisorState::Limited);
    assert!(out.command.torque_nm.iter().all(|t| *t <= 40.0));
    // Soft wall: 0.05 rad into the 0.1 rad wall band near +1 pushes back with 400 N m/rad * 0.05 = 20 N m.
    let mut c = sup_config();
    c.torque_rate_limit_nm_per_s = SVector::repeat(f64::INFINITY);
    let mut s = Supervisor::new(c).unwrap();
    let out = s.apply(&frame(1, 0.95, 0.0), &Command::default(), 1e-3);
    assert_eq!(out.reason, FaultReason::SoftWall(1));
    assert!((out.command.torque_nm[0] + 20.0).abs() < 1e-9);
    // Hard limit: safe stop, latched even after the joint comes back.
    let out = s.apply(&frame(2, 1.01, 0.0), &cmd, 1e-3);
    assert_eq!((out.state, out.reason), (SupervisorState::SafeStop, FaultReason::HardLimit(0)));
    let out = s.apply(&frame(3, 0.0, 0.0), &cmd, 1e-3);
    assert_eq!(out.state, SupervisorState::SafeStop);
    assert_eq!(out.command.torque_nm, SVector::<f64, 2>::zeros());
    s.reset();
    let out = s.apply(&frame(4, 0.0, 0.0), &cmd, 1e-3);
    assert_eq!(out.state, SupervisorState::Active);
    assert_eq!(s.fault_events(), 1);
}

#[test]
fn supervisor_damping_only_stop_brakes_and_never_adds_energy() {
    let mut c = sup_config();
    c.safe_stop = SafeStopMode::DampingOnly { damping_nm_s_per_rad: SVector::repeat(3.0) };
    let mut s = Supervisor::new(c).unwrap();
    let out = s.apply(&frame(1, 0.0, 6.0), &Command::torque(SVector::repeat(10.0)), 1e-3);
    assert_eq!(out.reason, FaultReason::Overspeed(0));
    // -b qd opposes the motion: power tau * qd <= 0.
    assert!((out.command.torque_nm[0] + 18.0).abs() < 1e-12);
}

#[test]
fn supervisor_watchdog_trips_on_the_kth_repeated_frame() {
    let mut s = Supervisor::new(sup_config()).unwrap(); // watchdog_ticks = 3
    let cmd = Command::default();
    assert_eq!(s.apply(&frame(7, 0.0, 0.0), &cmd, 1e-3).state, SupervisorState::Active);
    for _ in 0..2 {
        assert_eq!(s.apply(&frame(7, 0.0, 0.0), &cmd, 1e-3).state, SupervisorState::Active);
    }
    let out = s.apply(&frame(7, 0.0, 0.0), &cmd, 1e-3);
    assert_eq!((out.state, out.reason), (SupervisorState::SafeStop, FaultReason::StaleFrame));
}

#[test]
fn gain_change_is_bumpless() {
    // Mid-run change of kp and kd: the output after the change differs from the one before by no more than one
    // tick's worth of normal evolution (here < 1e-3 of the output).
    let cfg = PidConfig::<f64>::new(2.0, 5.0, 0.05, 100.0).with_anti_windup(AntiWindup::None);
    let mut pid = Pid::new(cfg).unwrap();
    let mut y = 0.0;
    let (mut before, mut largest_tick_change) = (0.0, 0.0f64);
    for _ in 0..500 {
        let u = pid.update(1.0, y, 0.0, 1e-3).output;
        largest_tick_change = largest_tick_change.max((u - before).abs());
        before = u;
        y += 1e-3 * (before - y);
    }
    pid.set_gains(6.0, 5.0, 0.2).unwrap();
    let after = pid.update(1.0, y, 0.0, 1e-3).output;
    // The output moves by no more than the new gains' normal evolution over one tick: three times (kp 2 -> 6)
    // the largest tick-to-tick change before the switch.
    assert!((after - before).abs() <= 3.0 * largest_tick_change, "{before} -> {after} ({largest_tick_change})");
    // Without bumpless transfer the P term alone would jump by (6 - 2) * error.
    assert!((6.0 - 2.0) * (1.0 - y) > 0.1);
}

#[test]
fn manual_to_automatic_is_bumpless() {
    let cfg = PidConfig::<f64>::new(3.0, 10.0, 0.0, 100.0).with_derivative_filter(DerivativeFilter::None);
    let mut pid = Pid::new(cfg).unwrap();
    pid.set_manual(7.5);
    let (mut y, mut y_seen) = (0.0, 0.0);
    for _ in 0..100 {
        y_seen = y;
        let u = pid.update(1.0, y, 0.0, 1e-3).output;
        assert_eq!(u, 7.5);
        y += 1e-3 * (u - y);
    }
    pid.set_automatic();
    let y_next = y;
    let y = y_seen;
    let u = pid.update(1.0, y_next, 0.0, 1e-3).output;
    // The first automatic output differs from the manual one only by one tick of evolution: the proportional
    // change kp |dy| plus one integral increment ki dt |e|.
    let bound = 3.0 * (y_next - y).abs() + 10.0 * 1e-3 * (1.0 - y_next).abs();
    assert!((u - 7.5).abs() <= bound + 1e-12, "{u} (bound {bound})");
    // Without tracking, the integral would restart from zero and the output would drop by about 7.5 - 3 e.
    assert!(bound < 0.1);
}

#[test]
fn refused_ticks_hold_the_last_output_and_raise_the_flag() {
    let mut pid = Pid::new(PidConfig::new(1.0, 1.0, 0.0, 10.0)).unwrap();
    let good = pid.update(1.0, 0.0, 0.0, 1e-3);
    for (dt, r) in [(0.0, 1.0), (-1.0, 1.0), (f64::NAN, 1.0), (1e-3, f64::NAN), (1e-3, f64::INFINITY)] {
        let out = pid.update(r, 0.0, 0.0, dt);
        assert!(out.held);
        assert_eq!(out.output, good.output);
    }
}

#[test]
fn validate_names_the_bad_field() {
    let mut c = PidConfig::new(1.0, 1.0, 0.1, 10.0);
    c.kp = -1.0;
    assert_eq!(c.validate().unwrap_err().field, "kp");
    let mut c = PidConfig::new(1.0, 1.0, 0.1, 10.0);
    c.output_min = 20.0;
    assert_eq!(c.validate().unwrap_err().field, "output_max");
    let mut s = sup_config();
    s.torque_limit_nm[1] = f64::NAN;
    let e = s.validate().unwrap_err();
    assert_eq!((e.field, e.joint), ("torque_limit_nm", Some(1)));
    assert_eq!(e.to_string(), "torque_limit_nm (joint 1): must be a finite number");
}

fn open_loop_assistance(gain: f64) -> Assistance<f64, 2> {
    let spline = SplineProfile { peak_torque_nm: 10.0, peak_time_pct: 50.0, rise_time_pct: 20.0, fall_time_pct: 20.0 };
    Assistance::new(AssistanceConfig {
        profiles: [Profile::Spline(spline); 2],
        phase: PhaseEstimatorConfig::HeelStrike(HeelStrikePhaseConfig {
            strides_averaged: 1,
            min_stride_s: 0.4,
            max_stride_s: 2.0,
            min_swing_s: 0.0,
        }),
        oscillator_joint: [0; 2],
        torque_loop: None,
        assistance_gain: gain,
    })
    .unwrap()
}

#[test]
fn the_hosts_torque_setpoint_adds_to_the_assistance_profile_phase_known_or_not() {
    let dt = 1e-3;
    let mut law = open_loop_assistance(1.0);
    let mut f = SensorFrame::<f64, 2>::default();
    f.setpoint.torque_nm = SVector::from([3.0, -2.0]);
    // No heel strike yet: the phase is unknown, the profile gives nothing, the host's torque passes alone.
    let c = law.update(&f, dt);
    assert_eq!(c.torque_nm, SVector::from([3.0, -2.0]));
    // Strides of 1 s: heel strikes at 0 and 1 s, then half a stride: the profile peaks (10 N m) at 50 %.
    let mut law = open_loop_assistance(1.0);
    let mut c = Command::default();
    for k in 0..=1500usize {
        f.foot_contact = [k % 1000 < 600; 2];
        c = law.update(&f, dt);
    }
    assert!((c.torque_nm[0] - 13.0).abs() < 1e-9 && (c.torque_nm[1] - 8.0).abs() < 1e-9, "{:?}", c.torque_nm);
    // With the profile's gain at zero, the device gives exactly the host's torque.
    let mut law = open_loop_assistance(0.0);
    for k in 0..=1500usize {
        f.foot_contact = [k % 1000 < 600; 2];
        c = law.update(&f, dt);
    }
    assert_eq!(c.torque_nm, SVector::from([3.0, -2.0]));
}

#[test]
fn the_assistance_profiles_timing_is_tunable_and_checked_like_its_configuration() {
    let mut law = open_loop_assistance(1.0);
    let names: Vec<&str> = law.parameters().iter().map(|p| p.name).collect();
    assert_eq!(names, ["assistance_gain", "peak_torque_nm", "peak_time_pct", "rise_time_pct", "fall_time_pct"]);
    law.set_parameter(ParamId { index: 2, joint: 1 }, 40.0).unwrap();
    assert_eq!(law.parameter(ParamId { index: 2, joint: 1 }), Some(40.0));
    assert_eq!(law.parameter(ParamId { index: 2, joint: 0 }), Some(50.0));
    // Rise and fall summing to 100 % or more is refused, and the law keeps its value.
    let e = law.set_parameter(ParamId { index: 3, joint: 0 }, 90.0).unwrap_err();
    assert_eq!(law.parameter(ParamId { index: 3, joint: 0 }), Some(20.0), "{e}");
    assert!(law.set_parameter(ParamId { index: 5, joint: 0 }, 1.0).is_err());
}
