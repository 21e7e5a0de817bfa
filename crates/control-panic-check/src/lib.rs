//! Link-time proof that the real-time paths of exo-control cannot panic.
//!
//! Built as a `no_std` shared library (`cargo build --release --manifest-path
//! crates/control-panic-check/Cargo.toml`; `.ci/run` does it) exporting every law's constructor, tick, reset and
//! parameter change, the PID bank, the filters, the phase estimators and the supervisor, for `f32` and six joints
//! as a microcontroller runs them, and the laws and supervisor for `f64` and three joints as the simulator runs
//! them. The panic handler calls a symbol that exists nowhere. With fat LTO and `panic = "abort"`, code that
//! cannot reach a panic is compiled without any reference to the handler, so the symbol stays out of the library;
//! if any exported path can still panic (an index out of bounds, an `unwrap`, an overflow check, an integer
//! division by zero), the library lists the symbol as undefined and `.ci/run` fails. Inputs arrive through
//! references from outside, so nothing is constant-folded away.
//!
//! `.ci/run` builds it twice: for the host as a shared library, and for the Cortex-M4F target
//! (`thumbv7em-none-eabihf`, f32 on a single-precision FPU, no std, no alloc) as a static library, whose
//! object is checked the same way. The feature `panic-canary` adds one exported function that can panic, so
//! that the check is seen to fail.
#![no_std]
// The extern declaration of the missing symbol is the whole trick; nothing here is called from Rust.
#![allow(unsafe_code, improper_ctypes_definitions, missing_docs)]

use exo_control::assist::{AdaptiveOscillator, AdaptiveOscillatorConfig, HeelStrikePhase, HeelStrikePhaseConfig};
use exo_control::filter::{
    Biquad, BiquadCoefficients, LowPass, LowPassConfig, VelocityEstimator, VelocityEstimatorConfig,
};
use exo_control::{
    Admittance, AdmittanceConfig, Assistance, AssistanceConfig, Command, ControlLaw, GravityModel, GravityModelConfig,
    JointImpedance, JointImpedanceConfig, JointPid, NoControl, ParamId, Pid, PidBank, PidConfig, PidOutput, SVector,
    SeaTorque, SeaTorqueConfig, SensorFrame, Supervised, Supervisor, SupervisorConfig, ZeroTorque,
};

/// Joints of the exported device.
const N: usize = 6;

unsafe extern "C" {
    /// Defined nowhere: referenced only if a panic is reachable.
    fn exo_control_real_time_path_can_panic() -> !;
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    // SAFETY: never executes in a passing build, because then this function is not linked at all.
    unsafe { exo_control_real_time_path_can_panic() }
}

/// Reachable panic on purpose (feature `panic-canary`): an index the compiler cannot prove in bounds.
#[cfg(feature = "panic-canary")]
#[unsafe(no_mangle)]
pub extern "C" fn exo_panic_canary(values: &[f32; 4], i: usize) -> f32 {
    values[i]
}

/// One law behind the trait, for scalar `$r` and `$n` joints: construct, tick, reset, read and change every
/// parameter. The first argument is the law's name (`ControlLaw::name`): a test in exo-control
/// (`tests/panic_check_covers_every_law.rs`) fails when a law of `exo_control::LAWS` has no export here.
macro_rules! export_law {
    ($name:literal, $new:ident, $tick:ident, $tune:ident, $law:ty, $config:ty, $r:ty, $n:expr) => {
        #[unsafe(no_mangle)]
        pub extern "C" fn $new(config: &$config, out: &mut Option<$law>) -> bool {
            *out = <$law>::new(*config).ok();
            out.is_some()
        }

        #[unsafe(no_mangle)]
        pub extern "C" fn $tick(
            law: &mut $law,
            frame: &SensorFrame<$r, { $n }>,
            dt_s: $r,
            out: &mut Command<$r, { $n }>,
        ) {
            debug_assert_eq!(law.name(), $name);
            *out = law.update(frame, dt_s);
        }

        #[unsafe(no_mangle)]
        pub extern "C" fn $tune(law: &mut $law, id: u8, joint: u8, value: $r, reset: bool) -> $r {
            if reset {
                law.reset();
            }
            let id = ParamId { index: id, joint };
            let ok: $r = if law.set_parameter(id, value).is_ok() { 1.0 } else { 0.0 };
            let n = law.parameters().len() as $r;
            law.parameter(id).unwrap_or(-1.0) + n + ok + law.gait_phase().unwrap_or(0.0)
        }
    };
}

// f32 and six joints, as a microcontroller runs them.
export_law!("zero_torque", exo_zero_torque_new, exo_zero_torque_tick, exo_zero_torque_tune, ZeroTorque<f32, N>, SeaTorqueConfig<f32, N>, f32, N);
export_law!("sea_torque", exo_sea_new, exo_sea_tick, exo_sea_tune, SeaTorque<f32, N>, SeaTorqueConfig<f32, N>, f32, N);
export_law!("impedance", exo_impedance_new, exo_impedance_tick, exo_impedance_tune, JointImpedance<f32, N>, JointImpedanceConfig<f32, N>, f32, N);
export_law!("admittance", exo_admittance_new, exo_admittance_tick, exo_admittance_tune, Admittance<f32, N>, AdmittanceConfig<f32, N>, f32, N);
export_law!("joint_pid", exo_joint_pid_new, exo_joint_pid_tick, exo_joint_pid_tune, JointPid<f32, N>, [PidConfig<f32>; N], f32, N);
export_law!("assistance", exo_assistance_new, exo_assistance_tick, exo_assistance_tune, Assistance<f32, N>, AssistanceConfig<f32, N>, f32, N);

// f64 and three joints, as the simulator runs them.
export_law!("zero_torque", exo_zero_torque3_new, exo_zero_torque3_tick, exo_zero_torque3_tune, ZeroTorque<f64, 3>, SeaTorqueConfig<f64, 3>, f64, 3);
export_law!("sea_torque", exo_sea3_new, exo_sea3_tick, exo_sea3_tune, SeaTorque<f64, 3>, SeaTorqueConfig<f64, 3>, f64, 3);
export_law!("impedance", exo_impedance3_new, exo_impedance3_tick, exo_impedance3_tune, JointImpedance<f64, 3>, JointImpedanceConfig<f64, 3>, f64, 3);
export_law!("admittance", exo_admittance3_new, exo_admittance3_tick, exo_admittance3_tune, Admittance<f64, 3>, AdmittanceConfig<f64, 3>, f64, 3);
export_law!("joint_pid", exo_joint_pid3_new, exo_joint_pid3_tick, exo_joint_pid3_tune, JointPid<f64, 3>, [PidConfig<f64>; 3], f64, 3);
export_law!("assistance", exo_assistance3_new, exo_assistance3_tick, exo_assistance3_tune, Assistance<f64, 3>, AssistanceConfig<f64, 3>, f64, 3);

/// The law `"none"` (it has no configuration to construct from).
#[unsafe(no_mangle)]
pub extern "C" fn exo_none_tick(frame: &SensorFrame<f32, N>, dt_s: f32, out: &mut Command<f32, N>) {
    *out = ControlLaw::<f32, N>::update(&mut NoControl, frame, dt_s);
}
// export_law!("none", ...) has no constructor to export; `exo_none_tick` above covers the law.

/// Gravity compensation from the law's own model (evaluated inside impedance, admittance and joint PID ticks
/// too), for six joints in f32.
#[unsafe(no_mangle)]
pub extern "C" fn exo_gravity_torque(
    config: &GravityModelConfig<f32, N>,
    q_rad: &SVector<f32, N>,
    base_pitch_rad: f32,
    out: &mut SVector<f32, N>,
) -> bool {
    match GravityModel::new(*config) {
        Ok(g) => {
            *out = g.torque_nm(q_rad, base_pitch_rad);
            true
        }
        Err(_) => false,
    }
}

#[unsafe(no_mangle)]
pub extern "C" fn exo_supervisor3_tick(
    config: &SupervisorConfig<f64, 3>,
    supervisor: &mut Option<Supervisor<f64, 3>>,
    frame: &SensorFrame<f64, 3>,
    command: &Command<f64, 3>,
    dt_s: f64,
    out: &mut Option<Supervised<f64, 3>>,
) {
    if supervisor.is_none() {
        *supervisor = Supervisor::new(*config).ok();
    }
    *out = supervisor.as_mut().map(|s| s.apply(frame, command, dt_s));
}

#[unsafe(no_mangle)]
pub extern "C" fn exo_supervisor_new(config: &SupervisorConfig<f32, N>, out: &mut Option<Supervisor<f32, N>>) -> bool {
    *out = Supervisor::new(*config).ok();
    out.is_some()
}

#[unsafe(no_mangle)]
pub extern "C" fn exo_supervisor_tick(
    supervisor: &mut Supervisor<f32, N>,
    frame: &SensorFrame<f32, N>,
    command: &Command<f32, N>,
    dt_s: f32,
    reset: bool,
    out: &mut Supervised<f32, N>,
) {
    if reset {
        supervisor.reset();
    }
    *out = supervisor.apply(frame, command, dt_s);
}

#[unsafe(no_mangle)]
pub extern "C" fn exo_pid_new(config: &PidConfig<f32>, out: &mut Option<Pid<f32>>) -> bool {
    *out = Pid::new(*config).ok();
    out.is_some()
}

#[unsafe(no_mangle)]
pub extern "C" fn exo_pid_tick(pid: &mut Pid<f32>, r: f32, y: f32, ff: f32, dt_s: f32, out: &mut PidOutput<f32>) {
    *out = pid.update(r, y, ff, dt_s);
}

#[unsafe(no_mangle)]
pub extern "C" fn exo_pid_bank_new(configs: &[PidConfig<f32>; N], out: &mut Option<PidBank<f32, N>>) -> bool {
    *out = PidBank::new(*configs).ok();
    out.is_some()
}

#[unsafe(no_mangle)]
pub extern "C" fn exo_pid_bank_tick(
    bank: &mut PidBank<f32, N>,
    r: &[f32; N],
    y: &[f32; N],
    ff: &[f32; N],
    dt_s: f32,
    joint: usize,
    config: &PidConfig<f32>,
    out: &mut [f32; N],
) -> bool {
    *out = bank.update(r, y, ff, dt_s);
    bank.set_config(joint, *config).is_ok()
}

#[unsafe(no_mangle)]
pub extern "C" fn exo_filters_tick(
    lowpass: &mut LowPass<f32>,
    velocity: &mut VelocityEstimator<f32>,
    biquad: &mut Biquad<f32>,
    x: f32,
    dt_s: f32,
    out: &mut [f32; 3],
) {
    *out = [lowpass.update(x, dt_s), velocity.update(x, dt_s), biquad.update(x)];
}

#[unsafe(no_mangle)]
pub extern "C" fn exo_filters_new(
    cutoff_hz: f32,
    q: f32,
    dt_s: f32,
    lowpass: &mut Option<LowPass<f32>>,
    velocity: &mut Option<VelocityEstimator<f32>>,
    biquad: &mut Option<Biquad<f32>>,
) -> bool {
    *lowpass = LowPass::new(LowPassConfig { cutoff_hz }).ok();
    *velocity = VelocityEstimator::new(VelocityEstimatorConfig { cutoff_hz }).ok();
    *biquad = BiquadCoefficients::notch(cutoff_hz, q, dt_s)
        .or_else(|_| BiquadCoefficients::butterworth_lowpass(cutoff_hz, dt_s))
        .ok()
        .map(Biquad::new);
    lowpass.is_some() && velocity.is_some() && biquad.is_some()
}

#[unsafe(no_mangle)]
pub extern "C" fn exo_phase_tick(
    heel: &mut HeelStrikePhase<f32>,
    oscillator: &mut AdaptiveOscillator<f32, 3>,
    in_contact: bool,
    hip_rad: f32,
    dt_s: f32,
) -> f32 {
    heel.update_contact(in_contact, dt_s).unwrap_or(-1.0) + oscillator.update(hip_rad, dt_s).unwrap_or(-1.0)
}

#[unsafe(no_mangle)]
pub extern "C" fn exo_phase_new(
    heel_config: &HeelStrikePhaseConfig<f32>,
    oscillator_config: &AdaptiveOscillatorConfig<f32>,
    heel: &mut Option<HeelStrikePhase<f32>>,
    oscillator: &mut Option<AdaptiveOscillator<f32, 3>>,
) -> bool {
    *heel = HeelStrikePhase::new(*heel_config).ok();
    *oscillator = AdaptiveOscillator::new(*oscillator_config).ok();
    heel.is_some() && oscillator.is_some()
}
