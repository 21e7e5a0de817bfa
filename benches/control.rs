//! Control-core benchmarks: nanoseconds per tick of each real-time path, with the `pid` crate as reference.
//!
//! Run: `cargo bench --bench control`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use exo_control::assist::{Profile, SplineProfile, TableProfile};
use exo_control::filter::{Biquad, BiquadCoefficients};
use exo_control::pid::{AntiWindup, DerivativeFilter, DerivativeOn, Discretization};
use exo_control::{
    ControlLaw, GravityLink, GravityModelConfig, JointImpedance, JointImpedanceConfig, Pid, PidBank, PidConfig,
    SVector, SensorFrame, Supervisor, SupervisorConfig,
};

/// Every feature on: filtered derivative on measurement, setpoint weights, back-calculation, output and rate
/// limits, feedforward, Tustin derivative.
fn full_config<T: exo_control::Real>(c: impl Fn(f64) -> T) -> PidConfig<T> {
    PidConfig::new(c(20.0), c(50.0), c(0.5), c(40.0))
        .with_derivative_filter(DerivativeFilter::Ratio { n: c(10.0) })
        .with_derivative_on(DerivativeOn::Measurement)
        .with_setpoint_weights(c(0.8), c(0.0))
        .with_anti_windup(AntiWindup::BackCalculation { tracking_time_s: c(0.05) })
        .with_rate_limit(c(5000.0))
        .with_discretization(Discretization::BackwardEuler, Discretization::Tustin)
}

/// Measurements for the tracking regime: wandering ±0.05 around the setpoint 1.0, as in a loop that works.
/// Precomputed so that the timed loop reads inputs from memory like a controller reading its sensor frame
/// (building them in the loop would time the benchmark's own arithmetic and store-forwarding stalls).
fn tracking_inputs() -> Vec<f64> {
    (0..1024).map(|k| 1.0 + 0.05 * (f64::from(k) * 0.049).sin() + 0.01 * (f64::from(k) * 0.31).cos()).collect()
}

fn pid_tick(c: &mut Criterion) {
    let mut g = c.benchmark_group("pid_tick");
    let ys = tracking_inputs();
    let ys32: Vec<f32> = ys.iter().map(|y| *y as f32).collect();
    let mut k = 0usize;
    let mut exo64 = Pid::new(full_config(|x| x)).unwrap();
    g.bench_function("exo_control_full_f64", |b| {
        b.iter(|| {
            k = (k + 1) & 1023;
            black_box(exo64.update(1.0, ys[k], 0.1, 1e-3).output)
        })
    });
    let mut exo32 = Pid::new(full_config(|x| x as f32)).unwrap();
    g.bench_function("exo_control_full_f32", |b| {
        b.iter(|| {
            k = (k + 1) & 1023;
            black_box(exo32.update(1.0, ys32[k], 0.1, 1e-3).output)
        })
    });
    let mut ref64 = pid::Pid::new(1.0f64, 40.0);
    ref64.p(20.0, 40.0).i(0.05, 40.0).d(500.0, 40.0);
    g.bench_function("pid_crate_f64", |b| {
        b.iter(|| {
            k = (k + 1) & 1023;
            black_box(ref64.next_control_output(ys[k]).output)
        })
    });
    let mut ref32 = pid::Pid::new(1.0f32, 40.0);
    ref32.p(20.0, 40.0).i(0.05, 40.0).d(500.0, 40.0);
    g.bench_function("pid_crate_f32", |b| {
        b.iter(|| {
            k = (k + 1) & 1023;
            black_box(ref32.next_control_output(ys32[k]).output)
        })
    });
    // Saturated regime: the measurement stays far below the setpoint, so the output sits on its limit and
    // back-calculation runs every tick.
    let mut sat = Pid::new(full_config(|x| x)).unwrap();
    g.bench_function("exo_control_full_f64_saturated", |b| {
        b.iter(|| {
            k = (k + 1) & 1023;
            black_box(sat.update(1.0, ys[k] - 11.0, 0.1, 1e-3).output)
        })
    });
    g.finish();
}

fn pid_bank(c: &mut Criterion) {
    let mut g = c.benchmark_group("pid_bank_6");
    let ys = tracking_inputs();
    let pv: Vec<[f64; 6]> = (0..1024).map(|k| core::array::from_fn(|j| ys[(k + 97 * j) & 1023])).collect();
    let pv32: Vec<[f32; 6]> = pv.iter().map(|a| a.map(|x| x as f32)).collect();
    let mut k = 0usize;
    let mut bank = PidBank::new([full_config(|x| x); 6]).unwrap();
    g.bench_function("exo_control_bank_f64", |b| {
        b.iter(|| {
            k = (k + 1) & 1023;
            black_box(bank.update(&[1.0; 6], &pv[k], &[0.1; 6], 1e-3))
        })
    });
    let mut bank32 = PidBank::new([full_config(|x| x as f32); 6]).unwrap();
    g.bench_function("exo_control_bank_f32", |b| {
        b.iter(|| {
            k = (k + 1) & 1023;
            black_box(bank32.update(&[1.0; 6], &pv32[k], &[0.1; 6], 1e-3))
        })
    });
    let mut six: Vec<pid::Pid<f64>> = (0..6)
        .map(|_| {
            let mut p = pid::Pid::new(1.0f64, 40.0);
            p.p(20.0, 40.0).i(0.05, 40.0).d(500.0, 40.0);
            p
        })
        .collect();
    g.bench_function("pid_crate_6_f64", |b| {
        b.iter(|| {
            k = (k + 1) & 1023;
            let mut out = [0.0; 6];
            for (j, p) in six.iter_mut().enumerate() {
                out[j] = p.next_control_output(pv[k][j]).output;
            }
            black_box(out)
        })
    });
    g.finish();
}

fn impedance_supervisor(c: &mut Criterion) {
    let mut g = c.benchmark_group("impedance6_supervisor");
    // Gravity compensation from the law's own model of a six-link chain (1 kg per link, 0.4 m apart), on the
    // sensed angles: part of the tick since the law stopped reading a host-computed gravity torque.
    let mut gravity = GravityModelConfig::<f64, 6>::default();
    for (j, l) in gravity.links.iter_mut().enumerate() {
        *l = GravityLink {
            parent: j.checked_sub(1).map(|p| p as u8),
            joint_m: if j == 0 { [0.0, 0.0] } else { [0.0, -0.4] },
            mass_kg: 1.0,
            com_m: [0.0, -0.2],
            axis_sign: 1.0,
        };
    }
    let mut law: JointImpedance<f64, 6> =
        JointImpedance::new(JointImpedanceConfig::diagonal(200.0, 3.0, 60.0).with_gravity(gravity)).unwrap();
    let mut cfg = SupervisorConfig::<f64, 6>::symmetric(2.0, 10.0, 60.0);
    cfg.torque_rate_limit_nm_per_s = SVector::repeat(1e5);
    let mut sup = Supervisor::new(cfg).unwrap();
    let mut frame = SensorFrame::<f64, 6>::default();
    frame.setpoint.position_rad = SVector::repeat(0.3);
    let mut k = 0u32;
    g.bench_function("tick_f64", |b| {
        b.iter(|| {
            k = k.wrapping_add(1);
            frame.sequence = k;
            let y = f64::from(k & 1023) * 1e-3;
            frame.joint_position_rad = SVector::repeat(y);
            let f = black_box(&frame);
            let cmd = law.update(f, black_box(1e-3));
            black_box(sup.apply(f, &cmd, 1e-3).command.torque_nm)
        })
    });
    g.finish();
}

fn filters_and_profiles(c: &mut Criterion) {
    let mut g = c.benchmark_group("signal");
    let mut bq = Biquad::new(BiquadCoefficients::butterworth_lowpass(50.0, 1e-3).unwrap());
    let mut k = 0u32;
    g.bench_function("biquad_f64", |b| {
        b.iter(|| {
            k = k.wrapping_add(1);
            black_box(bq.update(black_box(f64::from(k & 1023))))
        })
    });
    let spline = Profile::Spline(SplineProfile {
        peak_torque_nm: 30.0,
        peak_time_pct: 53.0,
        rise_time_pct: 25.0,
        fall_time_pct: 10.0,
    });
    g.bench_function("profile_spline_f64", |b| {
        b.iter(|| {
            k = k.wrapping_add(1);
            black_box(spline.torque_nm(black_box(f64::from(k & 1023) / 1024.0)))
        })
    });
    let points: Vec<(f64, f64)> = (0..20).map(|i| (f64::from(i) * 5.0, (f64::from(i) * 0.3).sin() * 20.0)).collect();
    let table = Profile::Table(TableProfile::new(&points).unwrap());
    g.bench_function("profile_table20_f64", |b| {
        b.iter(|| {
            k = k.wrapping_add(1);
            black_box(table.torque_nm(black_box(f64::from(k & 1023) / 1024.0)))
        })
    });
    g.finish();
}

criterion_group!(benches, pid_tick, pid_bank, impedance_supervisor, filters_and_profiles);
criterion_main!(benches);
