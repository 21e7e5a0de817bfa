//! Proves that no `update` path allocates: a counting global allocator wraps the system one, every law, filter
//! and the supervisor run for many ticks (including refused ticks), and the count must not move.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use exo_control::assist::{
    AdaptiveOscillator, AdaptiveOscillatorConfig, AssistanceConfig, HeelStrikePhaseConfig, PhaseEstimatorConfig,
    Profile, SplineProfile, TableProfile,
};
use exo_control::filter::{
    Biquad, BiquadCoefficients, LowPass, LowPassConfig, VelocityEstimator, VelocityEstimatorConfig,
};
use exo_control::sea::{SeaTorqueConfig, TorqueSource};
use exo_control::{
    Admittance, AdmittanceConfig, Assistance, ControlLaw, JointImpedance, JointImpedanceConfig, JointPid, Pid, PidBank,
    PidConfig, SVector, SeaTorque, SensorFrame, Supervisor, SupervisorConfig,
};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to the system allocator unchanged; only counts calls.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[test]
fn no_update_path_allocates() {
    // Build everything first (construction may do what it likes; it does not allocate either, but that is not
    // the claim).
    let pid_cfg = PidConfig::new(50.0, 100.0, 1.0, 40.0).with_rate_limit(1e4);
    let mut pid = Pid::new(pid_cfg).unwrap();
    let mut bank = PidBank::new([pid_cfg; 6]).unwrap();
    let mut joint_pid: JointPid<f64, 6> = JointPid::new([pid_cfg; 6]).unwrap();
    let mut imp: JointImpedance<f64, 6> =
        JointImpedance::new(JointImpedanceConfig::diagonal(100.0, 2.0, 40.0)).unwrap();
    let mut adm = Admittance::new(AdmittanceConfig::<f64, 6> {
        virtual_inertia_kg_m2: SVector::repeat(0.2),
        virtual_damping_nm_s_per_rad: SVector::repeat(2.0),
        virtual_stiffness_nm_per_rad: SVector::repeat(10.0),
        interaction_deadband_nm: SVector::repeat(0.1),
        position_min_rad: SVector::repeat(-1.0),
        position_max_rad: SVector::repeat(1.0),
        velocity_limit_rad_per_s: SVector::repeat(3.0),
        position_loop: [pid_cfg; 6],
    })
    .unwrap();
    let sea_cfg = SeaTorqueConfig::<f64, 6> {
        spring_stiffness_nm_per_rad: SVector::repeat(300.0),
        torque_source: TorqueSource::SpringDeflection,
        torque_loop: [pid_cfg; 6],
        feedforward_gain: SVector::repeat(1.0),
        motor_damping_nm_s_per_rad: SVector::repeat(1.0),
    };
    let mut sea = SeaTorque::new(sea_cfg).unwrap();
    let spline = Profile::Spline(SplineProfile {
        peak_torque_nm: 30.0,
        peak_time_pct: 50.0,
        rise_time_pct: 25.0,
        fall_time_pct: 10.0,
    });
    let table = Profile::Table(TableProfile::new(&[(0.0, 0.0), (50.0, 10.0), (80.0, 0.0)]).unwrap());
    let mut assist_hs = Assistance::new(AssistanceConfig {
        profiles: [spline, table, spline, table, spline, table],
        phase: PhaseEstimatorConfig::HeelStrike(HeelStrikePhaseConfig {
            strides_averaged: 3,
            min_stride_s: 0.3,
            max_stride_s: 3.0,
        }),
        torque_loop: Some(sea_cfg),
        assistance_gain: 1.0,
    })
    .unwrap();
    let mut assist_osc = Assistance::new(AssistanceConfig {
        profiles: [spline; 6],
        phase: PhaseEstimatorConfig::Oscillator { config: AdaptiveOscillatorConfig::walking(), joint: 0 },
        torque_loop: None,
        assistance_gain: 1.0,
    })
    .unwrap();
    let mut osc: AdaptiveOscillator<f64, 3> = AdaptiveOscillator::new(AdaptiveOscillatorConfig::walking()).unwrap();
    let mut sup = Supervisor::new(SupervisorConfig::<f64, 6>::symmetric(1.5, 8.0, 40.0)).unwrap();
    let mut lp = LowPass::new(LowPassConfig { cutoff_hz: 20.0 }).unwrap();
    let mut bq = Biquad::new(BiquadCoefficients::butterworth_lowpass(50.0, 1e-3).unwrap());
    let mut vel = VelocityEstimator::new(VelocityEstimatorConfig { cutoff_hz: 30.0 }).unwrap();
    let mut frame = SensorFrame::<f64, 6>::default();

    let before = ALLOCATIONS.load(Ordering::SeqCst);
    let mut sink = 0.0;
    for k in 0..20_000u32 {
        let t = f64::from(k) * 1e-3;
        let bad = k % 997 == 0;
        frame.sequence = k;
        frame.heel_strike = k % 1100 == 0;
        frame.joint_position_rad = SVector::repeat(if bad { f64::NAN } else { 0.4 * (6.0 * t).sin() });
        frame.joint_velocity_rad_per_s = SVector::repeat(2.4 * (6.0 * t).cos());
        frame.motor_position_rad = frame.joint_position_rad * 1.01;
        frame.interaction_torque_nm = SVector::repeat((3.0 * t).sin());
        frame.setpoint.torque_nm = SVector::repeat(10.0 * (6.0 * t).sin());
        let dt = if k % 501 == 0 { 0.0 } else { 1e-3 };
        sink += pid.update(1.0, frame.joint_position_rad[0], 0.0, dt).output;
        sink += bank.update(&[1.0; 6], &frame.joint_position_rad.into(), &[0.0; 6], dt)[0];
        for law in [
            &mut joint_pid as &mut dyn ControlLaw<f64, 6>,
            &mut imp,
            &mut adm,
            &mut sea,
            &mut assist_hs,
            &mut assist_osc,
        ] {
            let cmd = law.update(&frame, dt);
            sink += sup.apply(&frame, &cmd, dt).command.torque_nm[0];
            if k % 3000 == 0 {
                sup.reset();
            }
        }
        sink += osc.update(frame.joint_position_rad[0], dt).unwrap_or(0.0);
        sink += lp.update(frame.joint_position_rad[1], dt) + bq.update(frame.joint_position_rad[2]) + vel.update(t, dt);
    }
    let after = ALLOCATIONS.load(Ordering::SeqCst);
    assert!(sink.is_finite());
    assert_eq!(after - before, 0, "update paths allocated {} times", after - before);
}
