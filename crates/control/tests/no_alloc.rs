//! Proves that no `update` path allocates: a counting global allocator wraps the system one, every law, filter
//! and the supervisor run for many ticks (including refused ticks), and the count must not move.
#![allow(unsafe_code)]

#[path = "support/counting_alloc.rs"]
mod counting_alloc;

use exo_control::assist::{AdaptiveOscillator, AdaptiveOscillatorConfig};
use exo_control::filter::{
    Biquad, BiquadCoefficients, LowPass, LowPassConfig, VelocityEstimator, VelocityEstimatorConfig,
};
use exo_control::{
    Channels, GravityModel, Pid, PidBank, PidConfig, SVector, SensorFrame, Supervisor, SupervisorConfig,
};

mod zoo;

/// One test only, so that nothing else runs on the measured thread.
#[test]
fn no_update_path_allocates() {
    zoo::assert_covers_every_law();
    // Build everything first (construction may do what it likes; it does not allocate either, but that is not
    // the claim).
    let pid_cfg = PidConfig::new(50.0, 100.0, 1.0, 40.0).with_rate_limit(1e4);
    let mut pid = Pid::new(pid_cfg).unwrap();
    let mut bank = PidBank::new([pid_cfg; 6]).unwrap();
    let mut laws = zoo::every_law::<6>(100.0, 2.0, 40.0);
    let mut osc: AdaptiveOscillator<f64, 3> = AdaptiveOscillator::new(AdaptiveOscillatorConfig::walking()).unwrap();
    let mut cfg = SupervisorConfig::<f64, 6>::symmetric(1.5, 8.0, 40.0);
    cfg.sensors.monitored = [Channels::ALL; 6];
    cfg.sensors.spring_stiffness_nm_per_rad = SVector::repeat(300.0);
    cfg.sensors.spring_torque_margin_nm = SVector::repeat(1e3);
    cfg.sensors.stale_ticks = 50;
    let mut sup = Supervisor::new(cfg).unwrap();
    let mut lp = LowPass::new(LowPassConfig { cutoff_hz: 20.0 }).unwrap();
    let mut bq = Biquad::new(BiquadCoefficients::butterworth_lowpass(50.0, 1e-3).unwrap());
    let mut vel = VelocityEstimator::new(VelocityEstimatorConfig { cutoff_hz: 30.0 }).unwrap();
    let gravity = GravityModel::new(zoo::chain_gravity::<6>()).unwrap();
    let mut frame = SensorFrame::<f64, 6>::default();

    let (allocations, sink) = counting_alloc::allocations_in(|| {
        let mut sink = 0.0;
        for k in 0..20_000u32 {
            let t = f64::from(k) * 1e-3;
            let bad = k % 997 == 0;
            frame.sequence = k;
            frame.foot_contact = [(t * 0.9).fract() < 0.6; 6];
            frame.joint_position_rad = SVector::repeat(if bad { f64::NAN } else { 0.4 * (6.0 * t).sin() });
            frame.joint_velocity_rad_per_s = SVector::repeat(2.4 * (6.0 * t).cos());
            frame.motor_position_rad = frame.joint_position_rad * 1.01;
            frame.joint_torque_nm = SVector::repeat(4.0 * (5.0 * t).sin());
            frame.interaction_torque_nm = SVector::repeat((3.0 * t).sin());
            frame.base_pitch_rad = 0.1 * t.sin();
            frame.setpoint.torque_nm = SVector::repeat(10.0 * (6.0 * t).sin());
            let dt = if k % 501 == 0 { 0.0 } else { 1e-3 };
            sink += pid.update(1.0, frame.joint_position_rad[0], 0.0, dt).output;
            sink += bank.update(&[1.0; 6], &frame.joint_position_rad.into(), &[0.0; 6], dt)[0];
            for law in laws.iter_mut() {
                let cmd = law.update(&frame, dt);
                sink += sup.apply(&frame, &cmd, dt).command.torque_nm[0];
                if k % 3000 == 0 {
                    sup.reset();
                }
            }
            let g = gravity.torque_nm(&frame.joint_position_rad, frame.base_pitch_rad)[5];
            sink += if bad { 0.0 } else { g };
            sink += osc.update(frame.joint_position_rad[0], dt).unwrap_or(0.0);
            sink +=
                lp.update(frame.joint_position_rad[1], dt) + bq.update(frame.joint_position_rad[2]) + vel.update(t, dt);
        }
        sink
    });
    assert!(sink.is_finite());
    assert_eq!(allocations, 0, "update paths allocated {allocations} times");
}
