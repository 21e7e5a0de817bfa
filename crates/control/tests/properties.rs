//! Property tests: whatever the input (NaN, infinities, huge values, bad tick lengths), every controller's output
//! is finite and within its limits, and the supervisor trips within one tick of a bad frame.

use exo_control::pid::{AntiWindup, DerivativeFilter, DerivativeOn, Discretization};
use exo_control::{
    FaultReason, Pid, PidBank, PidConfig, SVector, SensorFrame, Supervisor, SupervisorConfig, SupervisorState,
};
use proptest::prelude::*;

mod zoo;

#[test]
fn zoo_covers_every_law() {
    zoo::assert_covers_every_law();
}

/// Any f64, with extra weight on the hostile ones.
fn wild() -> impl Strategy<Value = f64> {
    prop_oneof![
        4 => -10.0..10.0f64,
        1 => any::<f64>(),
        1 => Just(f64::NAN),
        1 => Just(f64::INFINITY),
        1 => Just(f64::NEG_INFINITY),
        1 => prop_oneof![Just(1e300), Just(-1e300), Just(f64::MAX), Just(f64::MIN_POSITIVE)],
    ]
}

fn tick() -> impl Strategy<Value = f64> {
    prop_oneof![8 => Just(1e-3), 1 => 1e-6..1.0f64, 1 => wild()]
}

fn method() -> impl Strategy<Value = Discretization> {
    prop_oneof![Just(Discretization::ForwardEuler), Just(Discretization::BackwardEuler), Just(Discretization::Tustin)]
}

prop_compose! {
    fn pid_config()(kp in 0.0..1e4f64, ki in 0.0..1e5f64, kd in 0.0..1e2f64, lim in 1e-3..1e3f64,
                    rate in prop_oneof![Just(f64::INFINITY), 1e-2..1e6f64],
                    aw in 0..3u8, tt in 1e-4..1.0f64, filt in 0..3u8, tf in 1e-5..1.0f64, n in 1.0..30.0f64,
                    on_err in any::<bool>(), b in 0.0..=1.0f64, c in 0.0..=1.0f64,
                    mi in method(), md in method()) -> PidConfig<f64> {
        let mut cfg = PidConfig::new(kp, ki, kd, lim)
            .with_rate_limit(rate)
            .with_setpoint_weights(b, c)
            .with_derivative_on(if on_err { DerivativeOn::Error } else { DerivativeOn::Measurement })
            .with_discretization(mi, md)
            .with_anti_windup(match aw { 0 => AntiWindup::None, 1 => AntiWindup::Clamping,
                                          _ => AntiWindup::BackCalculation { tracking_time_s: tt } });
        cfg.derivative_filter = match filt {
            0 => DerivativeFilter::None,
            1 => DerivativeFilter::TimeConstant { tf_s: tf },
            _ if kp > 0.0 => DerivativeFilter::Ratio { n },
            _ => DerivativeFilter::None,
        };
        cfg
    }
}

fn frame_strategy() -> impl Strategy<Value = (SensorFrame<f64, 2>, bool)> {
    (proptest::collection::vec(wild(), 20), any::<u32>(), any::<[bool; 2]>()).prop_map(|(v, seq, contact)| {
        let mut f = SensorFrame::<f64, 2>::default();
        let mut it = v.into_iter();
        let mut next2 = || SVector::<f64, 2>::new(it.next().unwrap_or(0.0), it.next().unwrap_or(0.0));
        f.joint_position_rad = next2();
        f.joint_velocity_rad_per_s = next2();
        f.motor_position_rad = next2();
        f.motor_velocity_rad_per_s = next2();
        f.joint_torque_nm = next2();
        f.interaction_torque_nm = next2();
        f.setpoint.position_rad = next2();
        f.setpoint.velocity_rad_per_s = next2();
        f.setpoint.torque_nm = next2();
        f.base_pitch_rad = next2()[0];
        f.sequence = seq;
        f.foot_contact = contact;
        let finite = f.is_finite();
        (f, finite)
    })
}

fn within(x: f64, lo: f64, hi: f64) -> bool {
    x.is_finite() && x >= lo && x <= hi
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn pid_output_is_always_finite_and_within_limits(
        cfg in pid_config(),
        inputs in proptest::collection::vec((wild(), wild(), wild(), tick()), 1..60),
    ) {
        let mut pid = Pid::new(cfg).unwrap();
        for (r, y, ff, dt) in inputs {
            let out = pid.update(r, y, ff, dt);
            prop_assert!(within(out.output, cfg.output_min, cfg.output_max), "{out:?}");
            if !(dt > 0.0 && dt.is_finite() && r.is_finite() && y.is_finite() && ff.is_finite()) {
                prop_assert!(out.held);
            }
        }
    }

    #[test]
    fn pid_bank_outputs_are_always_finite_and_within_limits(
        cfgs in [pid_config(), pid_config(), pid_config()],
        inputs in proptest::collection::vec(([wild(), wild(), wild()], [wild(), wild(), wild()], tick()), 1..40),
    ) {
        let mut bank = PidBank::new(cfgs).unwrap();
        for (r, y, dt) in inputs {
            let out = bank.update(&r, &y, &[0.0; 3], dt);
            for (o, c) in out.iter().zip(cfgs.iter()) {
                prop_assert!(within(*o, c.output_min, c.output_max), "{out:?}");
            }
        }
    }

    #[test]
    fn every_law_stays_finite_and_limited(
        frames in proptest::collection::vec((frame_strategy(), tick()), 1..40),
        k in 0.0..1e4f64, b in 0.0..1e2f64, lim in 1e-2..200.0f64,
    ) {
        let mut laws = zoo::every_law::<2>(k, b, lim);
        // The largest finite torque setpoint a host has asked for so far (a law holds its last command on a bad
        // tick, which may be one asked for earlier).
        let mut host = 0.0f64;
        for ((frame, _), dt) in frames {
            host = frame.setpoint.torque_nm.iter().filter(|t| t.is_finite()).fold(host, |m, t| m.max(t.abs()));
            for law in laws.iter_mut() {
                let cmd = law.update(&frame, dt);
                for t in cmd.torque_nm.iter() {
                    // Open-loop assistance commands its profile (30 N m peak here) plus the host's finite torque
                    // setpoint (the supervisor limits it downstream), every other law its limit.
                    let bound = if law.name() == "assistance" { lim.max(30.0) + host } else { lim };
                    prop_assert!(within(*t, -bound, bound), "{}: {cmd:?}", law.name());
                }
            }
        }
    }

    #[test]
    fn pid_bank_is_the_same_law_as_pid_joint_by_joint(
        cfgs in [pid_config(), pid_config(), pid_config()],
        inputs in proptest::collection::vec(
            ([-10.0..10.0f64, -10.0..10.0f64, -10.0..10.0f64], [-10.0..10.0f64, -10.0..10.0f64, -10.0..10.0f64],
             [-5.0..5.0f64, -5.0..5.0f64, -5.0..5.0f64], prop_oneof![8 => Just(1e-3), 2 => 1e-4..1e-1f64]),
            1..80),
    ) {
        let mut bank = PidBank::new(cfgs).unwrap();
        let mut single = cfgs.map(|c| Pid::new(c).unwrap());
        for (step, (r, y, ff, dt)) in inputs.into_iter().enumerate() {
            let out = bank.update(&r, &y, &ff, dt);
            for j in 0..3 {
                let one = single[j].update(r[j], y[j], ff[j], dt).output;
                // The same arithmetic in the same order: equal to the bit, not within a tolerance.
                prop_assert_eq!(out[j].to_bits(), one.to_bits(),
                    "step {} joint {}: bank {} vs pid {} ({:?})", step, j, out[j], one, cfgs[j]);
            }
        }
    }

    #[test]
    fn supervisor_output_is_limited_and_it_trips_on_the_tick_of_a_non_finite_frame(
        frames in proptest::collection::vec((frame_strategy(), wild(), wild(), tick()), 1..40),
    ) {
        let cfg = SupervisorConfig::<f64, 2>::symmetric(1.5, 8.0, 50.0);
        let mut sup = Supervisor::new(cfg).unwrap();
        for ((frame, _), t0, t1, dt) in frames {
            let cmd = exo_control::Command::torque(SVector::<f64, 2>::from([t0, t1]));
            let out = sup.apply(&frame, &cmd, dt);
            for t in out.command.torque_nm.iter() {
                prop_assert!(within(*t, -50.0, 50.0));
            }
            // The symmetric configuration monitors the encoders only (and the setpoint is always checked).
            let frame_ok = (frame.joint_position_rad + frame.joint_velocity_rad_per_s).iter().all(|x| x.is_finite())
                && frame.setpoint.is_finite();
            let command_ok = t0.is_finite() && t1.is_finite();
            let tick_ok = dt > 0.0 && dt.is_finite();
            let bad = !(frame_ok && command_ok && tick_ok);
            if bad {
                prop_assert_eq!(out.state, SupervisorState::SafeStop);
            }
            if out.state == SupervisorState::SafeStop {
                sup.reset();
            }
        }
    }

    #[test]
    fn supervisor_trips_on_exactly_the_kth_stale_tick(k in 1u32..20, seq in any::<u32>()) {
        let mut cfg = SupervisorConfig::<f64, 2>::symmetric(1.5, 8.0, 50.0);
        cfg.watchdog_ticks = k;
        let mut sup = Supervisor::new(cfg).unwrap();
        let mut frame = SensorFrame::<f64, 2>::default();
        frame.sequence = seq;
        let cmd = exo_control::Command::default();
        prop_assert_eq!(sup.apply(&frame, &cmd, 1e-3).state, SupervisorState::Active);
        for _ in 1..k {
            prop_assert_eq!(sup.apply(&frame, &cmd, 1e-3).state, SupervisorState::Active);
        }
        let out = sup.apply(&frame, &cmd, 1e-3);
        prop_assert_eq!((out.state, out.reason), (SupervisorState::SafeStop, FaultReason::StaleFrame));
    }
}
