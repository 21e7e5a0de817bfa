//! Control laws checked against closed-form answers. Each test states its tolerance and why.

use exo_control::pid::{AntiWindup, DerivativeFilter, DerivativeOn, Discretization};
use exo_control::{ControlLaw, JointImpedance, JointImpedanceConfig, Pid, PidConfig, SensorFrame};

/// First-order plant `tau y' = -y + gain u`, integrated exactly for a zero-order-held input.
struct FirstOrder {
    y: f64,
    tau: f64,
    gain: f64,
}

impl FirstOrder {
    fn step(&mut self, u: f64, dt: f64) -> f64 {
        let a = (-dt / self.tau).exp();
        self.y = a * self.y + (1.0 - a) * self.gain * u;
        self.y
    }
}

fn pi_config(kp: f64, ki: f64, limit: f64) -> PidConfig<f64> {
    PidConfig::new(kp, ki, 0.0, limit).with_derivative_filter(DerivativeFilter::None).with_anti_windup(AntiWindup::None)
}

#[test]
fn p_only_steady_state_error_is_one_over_one_plus_kl() {
    // Closed form: e_ss = 1 / (1 + K L) for a unit step. The loop converges geometrically, so after 200 time
    // constants the error equals the closed form to rounding (tolerance 1e-12).
    for &(k, l) in &[(1.0, 1.0), (4.0, 0.5), (9.0, 2.0)] {
        let mut pid = Pid::new(pi_config(k, 0.0, 1e6)).unwrap();
        let mut plant = FirstOrder { y: 0.0, tau: 0.05, gain: l };
        let dt = 1e-3;
        let mut y = 0.0;
        for _ in 0..10_000 {
            let u = pid.update(1.0, y, 0.0, dt).output;
            y = plant.step(u, dt);
        }
        let expected = 1.0 / (1.0 + k * l);
        assert!(((1.0 - y) - expected).abs() < 1e-12, "K={k} L={l}: error {} vs {expected}", 1.0 - y);
    }
}

#[test]
fn pi_on_first_order_plant_has_zero_error_and_the_designed_pole() {
    // Design: the PI zero cancels the plant pole (ki/kp = 1/tau), leaving the closed loop 1/(s/lambda + 1) with
    // pole -lambda. kp = lambda tau / L, ki = lambda / L.
    let (tau, l, lambda) = (0.05, 2.0, 20.0);
    let dt = 1e-4;
    let config = pi_config(lambda * tau / l, lambda / l, 1e6)
        .with_discretization(Discretization::Tustin, Discretization::Tustin);
    let mut pid = Pid::new(config).unwrap();
    let mut plant = FirstOrder { y: 0.0, tau, gain: l };
    let mut y = 0.0;
    let mut max_dev: f64 = 0.0;
    let mut log_points = Vec::new();
    for k in 1..=20_000 {
        let u = pid.update(1.0, y, 0.0, dt).output;
        y = plant.step(u, dt);
        let t = k as f64 * dt;
        let exact = 1.0 - (-lambda * t).exp();
        max_dev = max_dev.max((y - exact).abs());
        if (0.05..=0.25).contains(&t) && k % 100 == 0 {
            log_points.push((t, (1.0 - y).ln()));
        }
    }
    // Zero steady-state error (integral action), to 1e-9.
    assert!((1.0 - y).abs() < 1e-9, "steady-state error {}", 1.0 - y);
    // Sampled-data deviation from the continuous response is O(lambda dt) = 2e-3: allow 3e-3.
    eprintln!("PI max deviation {max_dev}");
    assert!(max_dev < 3e-3, "max deviation from 1 - exp(-lambda t): {max_dev}");
    // Fitted pole from the slope of ln(1 - y): within 1 % of -lambda.
    let n = log_points.len() as f64;
    let (mt, my) = log_points.iter().fold((0.0, 0.0), |a, p| (a.0 + p.0 / n, a.1 + p.1 / n));
    let (sxy, sxx) =
        log_points.iter().fold((0.0, 0.0), |a, p| (a.0 + (p.0 - mt) * (p.1 - my), a.1 + (p.0 - mt).powi(2)));
    let pole = sxy / sxx;
    assert!((pole + lambda).abs() / lambda < 0.01, "fitted pole {pole}, designed {}", -lambda);
}

/// Steady-state amplitude of the derivative term for a unit sine on the measurement.
fn derivative_gain(method: Discretization, freq_hz: f64, dt: f64, kd: f64, tf: f64) -> f64 {
    let config = PidConfig::new(0.0, 0.0, kd, 1e9)
        .with_derivative_filter(DerivativeFilter::TimeConstant { tf_s: tf })
        .with_derivative_on(DerivativeOn::Measurement)
        .with_anti_windup(AntiWindup::None)
        .with_discretization(Discretization::BackwardEuler, method);
    let mut pid = Pid::new(config).unwrap();
    let w = 2.0 * std::f64::consts::PI * freq_hz;
    let period_steps = (1.0 / (freq_hz * dt)).round() as usize;
    let mut peak: f64 = 0.0;
    for k in 0..period_steps * 40 {
        let d = pid.update(0.0, (w * k as f64 * dt).sin(), 0.0, dt).d;
        if k >= period_steps * 30 {
            peak = peak.max(d.abs());
        }
    }
    peak
}

#[test]
fn filtered_derivative_gain_matches_its_transfer_function() {
    // |kd j w / (1 + j w tf)| for the continuous filter; the discrete filters approach it below Nyquist/10.
    // Tustin's error is O((w h)^2) = 0.4 % at 10 Hz and 1 kHz: tolerance 1 %. Backward Euler is first order:
    // tolerance 5 %. Sampled peak detection under-reads by at most 1 - cos(w h / 2) = 5e-4.
    let (kd, tf, dt) = (0.5, 0.01, 1e-3);
    for &f in &[2.0, 10.0, 40.0] {
        let w: f64 = 2.0 * std::f64::consts::PI * f;
        let continuous = kd * w / (1.0 + (w * tf).powi(2)).sqrt();
        let tustin = derivative_gain(Discretization::Tustin, f, dt, kd, tf);
        let backward = derivative_gain(Discretization::BackwardEuler, f, dt, kd, tf);
        let tol_t = if f <= 10.0 { 0.01 } else { 0.05 };
        assert!((tustin / continuous - 1.0).abs() < tol_t, "{f} Hz: Tustin {tustin} vs {continuous}");
        assert!((backward / continuous - 1.0).abs() < 0.05 + 0.5 * w * dt, "{f} Hz: BE {backward} vs {continuous}");
    }
}

#[test]
fn tustin_follows_the_continuous_ramp_response_better_than_backward_euler() {
    // Measurement ramp y = -t (so that the derivative on measurement sees +1): continuous filtered derivative
    // D(t) = kd (1 - exp(-t / tf)). Tustin is second order: max error over 0.1 s below 1 % of kd at dt = tf/10,
    // and below half of backward Euler's.
    let (kd, tf, dt) = (1.0, 0.01, 1e-3);
    let run = |method| {
        let config = PidConfig::new(0.0, 0.0, kd, 1e9)
            .with_derivative_filter(DerivativeFilter::TimeConstant { tf_s: tf })
            .with_anti_windup(AntiWindup::None)
            .with_discretization(Discretization::BackwardEuler, method);
        let mut pid = Pid::new(config).unwrap();
        pid.update(0.0, 0.0, 0.0, dt); // t = 0 initialises the difference
        let mut err: f64 = 0.0;
        for k in 1..=100 {
            let t = k as f64 * dt;
            let d = pid.update(0.0, -t, 0.0, dt).d;
            // Tustin maps the sampled ramp with a half-sample average: compare at t.
            err = err.max((d - kd * (1.0 - (-t / tf).exp())).abs());
        }
        err
    };
    let tustin = run(Discretization::Tustin);
    let backward = run(Discretization::BackwardEuler);
    eprintln!("ramp max error: tustin {tustin} backward {backward}");
    assert!(tustin < 0.01 * kd, "Tustin max error {tustin}");
    assert!(tustin < 0.5 * backward, "Tustin {tustin} vs backward Euler {backward}");
}

#[test]
fn impedance_on_unit_mass_has_sqrt_k_over_m_and_b_over_2_sqrt_km() {
    // Unit mass driven by the impedance law at 10 kHz (exact ZOH integration of the mass). Continuous closed
    // form: wn = sqrt(K/m), zeta = B / (2 sqrt(K m)). The one-sample ZOH delay shifts both by O(wn dt) = 0.3 %:
    // tolerance 1 % on wn, 0.01 absolute on zeta.
    let (k, b, m) = (100.0, 2.0, 1.0);
    let dt = 1e-4;
    let mut law: JointImpedance<f64, 1> = JointImpedance::new(JointImpedanceConfig::diagonal(k, b, 1e6)).unwrap();
    let mut frame = SensorFrame::<f64, 1>::default();
    let (mut x, mut v) = (1.0, 0.0);
    let mut peaks = Vec::new();
    let mut prev_v = 0.0;
    for step in 0..200_000 {
        frame.joint_position_rad[0] = x;
        frame.joint_velocity_rad_per_s[0] = v;
        frame.sequence = step;
        let u = law.update(&frame, dt).torque_nm[0];
        let a = u / m;
        x += v * dt + 0.5 * a * dt * dt;
        v += a * dt;
        // Peaks of x: velocity crosses zero from + to -.
        if prev_v > 0.0 && v <= 0.0 {
            peaks.push((step as f64 * dt, x));
        }
        prev_v = v;
        if peaks.len() >= 6 {
            break;
        }
    }
    let period = (peaks[5].0 - peaks[1].0) / 4.0;
    let wd = 2.0 * std::f64::consts::PI / period;
    let delta = (peaks[1].1 / peaks[5].1).ln() / 4.0;
    let zeta = delta / (4.0 * std::f64::consts::PI.powi(2) + delta * delta).sqrt();
    let wn = wd / (1.0 - zeta * zeta).sqrt();
    let (wn_exact, zeta_exact) = ((k / m).sqrt(), b / (2.0 * (k * m).sqrt()));
    assert!((wn / wn_exact - 1.0).abs() < 0.01, "wn {wn} vs {wn_exact}");
    assert!((zeta - zeta_exact).abs() < 0.01, "zeta {zeta} vs {zeta_exact}");
}

/// Settling time (to within 2 % of the final setpoint, for good) after a long saturation, for one anti-windup.
fn recovery_time(anti_windup: AntiWindup<f64>) -> f64 {
    // Plant: first order, tau 0.1 s, gain 1; PI with output limit 1.2. Setpoint 1.0 is reachable; a blocked
    // actuator (load held) for the first 2 s makes the integral wind up, then the load is released.
    let config = PidConfig::new(2.0, 20.0, 0.0, 1.2)
        .with_derivative_filter(DerivativeFilter::None)
        .with_anti_windup(anti_windup);
    let mut pid = Pid::new(config).unwrap();
    let mut plant = FirstOrder { y: 0.0, tau: 0.1, gain: 1.0 };
    let dt = 1e-3;
    let mut y = 0.0;
    let mut last_outside = 0.0;
    for k in 0..10_000 {
        let t = k as f64 * dt;
        let u = pid.update(1.0, y, 0.0, dt).output;
        // Disturbance: a load of -1.0 at the plant input for the first 2 s keeps y far below the setpoint.
        let load = if t < 2.0 { -1.0 } else { 0.0 };
        y = plant.step(u + load, dt);
        if t >= 2.0 && (y - 1.0).abs() > 0.02 {
            last_outside = t;
        }
    }
    last_outside - 2.0
}

#[test]
fn back_calculation_recovers_from_saturation_at_least_three_times_faster_than_no_anti_windup() {
    let none = recovery_time(AntiWindup::None);
    let back = recovery_time(AntiWindup::BackCalculation { tracking_time_s: 0.05 });
    let clamp = recovery_time(AntiWindup::Clamping);
    eprintln!("recovery none {none} back {back} clamp {clamp}");
    // Stated margin: back-calculation and clamping settle in at most a third of the time windup takes.
    assert!(back * 3.0 < none, "back-calculation {back} s vs none {none} s");
    assert!(clamp * 3.0 < none, "clamping {clamp} s vs none {none} s");
}

#[test]
fn p_only_closed_loop_is_the_same_in_f32_within_single_precision() {
    // The f32 instance follows the f64 one to within 1e-5 over a 2 s step response (the state is O(1)).
    let mut p64 = Pid::new(pi_config(3.0, 10.0, 1e6)).unwrap();
    let mut p32 = Pid::new(
        PidConfig::<f32>::new(3.0, 10.0, 0.0, 1e6)
            .with_derivative_filter(DerivativeFilter::None)
            .with_anti_windup(AntiWindup::None),
    )
    .unwrap();
    let mut a = FirstOrder { y: 0.0, tau: 0.05, gain: 1.0 };
    let (mut y64, mut y32) = (0.0f64, 0.0f32);
    let (mut b_y, mut worst) = (0.0f64, 0.0f64);
    for _ in 0..2000 {
        let u64 = p64.update(1.0, y64, 0.0, 1e-3).output;
        let u32 = p32.update(1.0, y32, 0.0, 1e-3).output;
        y64 = a.step(u64, 1e-3);
        let e = (-1e-3f32 / 0.05).exp();
        b_y = (e as f64) * b_y + (1.0 - e as f64) * u32 as f64;
        y32 = b_y as f32;
        worst = worst.max((y64 - y32 as f64).abs());
    }
    assert!(worst < 1e-5, "f32 vs f64 deviation {worst}");
}
