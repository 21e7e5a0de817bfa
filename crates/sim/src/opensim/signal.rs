//! The signal processing OpenSim's tools apply to motion data before differentiating it, so that results computed
//! here from the same files compare with OpenSim's.
//!
//! Facts from opensim-core (`OpenSim/Common/Signal.cpp`, `Storage.cpp`, `InverseDynamicsTool.cpp`, 4.x): the
//! inverse-dynamics and analyze tools pad each coordinate by half its length with an odd reflection about each end
//! (value and slope kept), then low-pass it with a third-order Butterworth filter (bilinear transform with
//! frequency pre-warping) run forwards and then backwards, so that it has no phase lag and a gain of exactly 1/2 at
//! the cutoff. The recursion starts at the fourth sample: the first three outputs of each pass are its inputs.
//! OpenSim then differentiates a quintic GCV spline through the filtered samples; [`derivatives`] uses five-point
//! central differences instead (see there for the difference it makes).

/// `signal` extended by `pad` samples at each end by odd reflection about its end values (`2 x[0] - x[k]` before
/// the start, `2 x[n-1] - x[n-1-k]` after the end), which keeps the value and the slope continuous at both ends.
///
/// `pad` is at most `signal.len() - 1` (the reflection needs that many samples); a larger one is reduced to it.
#[must_use]
pub fn pad_odd(signal: &[f64], pad: usize) -> Vec<f64> {
    let n = signal.len();
    if n == 0 {
        return Vec::new();
    }
    let pad = pad.min(n - 1);
    let (first, last) = (signal[0], signal[n - 1]);
    let mut out = Vec::with_capacity(n + 2 * pad);
    out.extend((1..=pad).rev().map(|k| 2.0 * first - signal[k]));
    out.extend_from_slice(signal);
    out.extend((1..=pad).map(|k| 2.0 * last - signal[n - 1 - k]));
    out
}

/// Coefficients `(b, a)` of OpenSim's third-order Butterworth low-pass for sample interval `dt_s` and cutoff
/// `cutoff_hz`: `y[i] = Σ b[k] x[i-k] - Σ_{k≥1} a[k] y[i-k]`.
fn butterworth3(dt_s: f64, cutoff_hz: f64) -> ([f64; 4], [f64; 4]) {
    // Pre-warped analogue cutoff, so that the digital filter's -3 dB point falls exactly on `cutoff_hz`.
    let w = (std::f64::consts::PI * cutoff_hz * dt_s).tan();
    let (w2, w3) = (w * w, w * w * w);
    let d = (w + 1.0) * (w2 + w + 1.0);
    let b = [w3 / d, 3.0 * w3 / d, 3.0 * w3 / d, w3 / d];
    let a = [
        1.0,
        (3.0 * w3 + 2.0 * w2 - 2.0 * w - 3.0) / d,
        (3.0 * w3 - 2.0 * w2 - 2.0 * w + 3.0) / d,
        (w - 1.0) * (w2 - w + 1.0) / d,
    ];
    (b, a)
}

/// One forward pass of the filter; the first three outputs are the inputs, as in OpenSim.
fn pass(b: &[f64; 4], a: &[f64; 4], x: &[f64]) -> Vec<f64> {
    let mut y = x.to_vec();
    for i in 3..x.len() {
        y[i] = b[0] * x[i] + b[1] * x[i - 1] + b[2] * x[i - 2] + b[3] * x[i - 3]
            - a[1] * y[i - 1]
            - a[2] * y[i - 2]
            - a[3] * y[i - 3];
    }
    y
}

/// OpenSim's zero-phase low-pass (`Signal::LowpassIIR`): the third-order Butterworth filter run forwards, then
/// backwards over the result. `cutoff_hz` must lie in `(0, 0.5 / dt_s)`; OpenSim moves a cutoff at or above the
/// Nyquist frequency to 0.49 of the sampling rate with a warning, callers here refuse it instead.
#[must_use]
pub fn lowpass_zero_phase(dt_s: f64, cutoff_hz: f64, signal: &[f64]) -> Vec<f64> {
    let (b, a) = butterworth3(dt_s, cutoff_hz);
    let mut forward = pass(&b, &a, signal);
    forward.reverse();
    let mut back = pass(&b, &a, &forward);
    back.reverse();
    back
}

/// First and second time derivatives of uniformly sampled `signal` at samples `from..to` by five-point central
/// differences (truncation error `h⁴ x⁽⁵⁾ / 30` and `h⁴ x⁽⁶⁾ / 90`); `from ≥ 2` and `to + 2 ≤ signal.len()`.
///
/// OpenSim differentiates a quintic spline instead. For a component at frequency `f` the stencil's relative error
/// is of order `(2π f h)⁴ / 30`: 5e-3 at the 6 Hz cutoff with 60 Hz sampling, far less for the 1-2 Hz of a gait's
/// main harmonics (measured against OpenSim's own derivatives on the shared trial: within 0.16 % of each
/// coordinate's peak).
///
/// # Panics
/// When `from < 2` or `to + 2 > signal.len()` (a caller's indexing error).
#[must_use]
pub fn derivatives(signal: &[f64], dt_s: f64, from: usize, to: usize) -> (Vec<f64>, Vec<f64>) {
    assert!(from >= 2 && to + 2 <= signal.len(), "five-point stencil out of range");
    let x = signal;
    let first = (from..to).map(|i| (x[i - 2] - 8.0 * x[i - 1] + 8.0 * x[i + 1] - x[i + 2]) / (12.0 * dt_s)).collect();
    let second = (from..to)
        .map(|i| (-x[i - 2] + 16.0 * x[i - 1] - 30.0 * x[i] + 16.0 * x[i + 1] - x[i + 2]) / (12.0 * dt_s * dt_s))
        .collect();
    (first, second)
}

/// First and second time derivatives of uniformly sampled `signal` (at least 4 samples) at every sample, without
/// extending it: five-point central differences inside, three-point central ones at the second and second-last
/// samples, and second-order one-sided ones at the ends (`(-3x₀ + 4x₁ - x₂)/2h`, `(2x₀ - 5x₁ + 4x₂ - x₃)/h²`).
///
/// # Panics
/// With fewer than 4 samples (a caller's error: the trial readers require 5).
#[must_use]
pub fn derivatives_to_the_ends(signal: &[f64], dt_s: f64) -> (Vec<f64>, Vec<f64>) {
    let x = signal;
    let n = x.len();
    assert!(n >= 4, "one-sided second derivatives need four samples");
    let h = dt_s;
    let (mut d1, mut d2) = (vec![0.0; n], vec![0.0; n]);
    if n >= 5 {
        let (a, b) = derivatives(x, h, 2, n - 2);
        d1[2..n - 2].copy_from_slice(&a);
        d2[2..n - 2].copy_from_slice(&b);
    }
    for i in [1, n - 2] {
        d1[i] = (x[i + 1] - x[i - 1]) / (2.0 * h);
        d2[i] = (x[i + 1] - 2.0 * x[i] + x[i - 1]) / (h * h);
    }
    d1[0] = (-3.0 * x[0] + 4.0 * x[1] - x[2]) / (2.0 * h);
    d2[0] = (2.0 * x[0] - 5.0 * x[1] + 4.0 * x[2] - x[3]) / (h * h);
    let e = n - 1;
    d1[e] = (3.0 * x[e] - 4.0 * x[e - 1] + x[e - 2]) / (2.0 * h);
    d2[e] = (2.0 * x[e] - 5.0 * x[e - 1] + 4.0 * x[e - 2] - x[e - 3]) / (h * h);
    (d1, d2)
}

/// `values` sampled at increasing `time_s` (at least two samples), linearly interpolated at `t_s`; beyond the ends
/// the end segments are extended.
///
/// # Panics
/// With fewer than two samples (a caller's error).
#[must_use]
pub fn value_at(time_s: &[f64], values: &[f64], t_s: f64) -> f64 {
    assert!(time_s.len() >= 2 && values.len() == time_s.len(), "interpolation needs two samples per value");
    let k = time_s.partition_point(|&x| x <= t_s).clamp(1, time_s.len() - 1);
    let s = (t_s - time_s[k - 1]) / (time_s[k] - time_s[k - 1]);
    values[k - 1] + s * (values[k] - values[k - 1])
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

    #[test]
    fn odd_padding_keeps_value_and_slope_at_both_ends() {
        let x: Vec<f64> = (0..10).map(|i| f64::from(i).powi(2)).collect();
        let p = pad_odd(&x, 3);
        assert_eq!(p.len(), 16);
        assert_eq!(&p[3..13], &x[..]);
        // Before the start: 2 x0 - x3, 2 x0 - x2, 2 x0 - x1.
        assert_eq!(&p[..3], &[-9.0, -4.0, -1.0]);
        // After the end: 2 x9 - x8, 2 x9 - x7, 2 x9 - x6.
        assert_eq!(&p[13..], &[98.0, 113.0, 126.0]);
        // A too-long pad is cut to what the reflection can give.
        assert_eq!(pad_odd(&x, 50).len(), 10 + 2 * 9);
    }

    #[test]
    fn the_zero_phase_filter_passes_a_constant_and_halves_a_sine_at_the_cutoff() {
        let dt = 0.01;
        let constant = vec![2.5; 200];
        for v in lowpass_zero_phase(dt, 6.0, &constant) {
            assert!((v - 2.5).abs() < 1e-12, "{v}");
        }
        // Butterworth: |H| = 1/√2 at the cutoff per pass, 1/2 for the pair; the phase cancels. Checked away from
        // the ends, where the start-up transient has died out.
        for (fc, f) in [(6.0, 6.0), (6.0, 1.0), (10.0, 20.0)] {
            let n = 4000;
            let x: Vec<f64> = (0..n).map(|i| (2.0 * PI * f * i as f64 * dt).sin()).collect();
            let y = lowpass_zero_phase(dt, fc, &x);
            // |H|² of the third-order Butterworth at the pre-warped digital frequency.
            let warped = (PI * f * dt).tan() / (PI * fc * dt).tan();
            let expected = 1.0 / (1.0 + warped.powi(6));
            let mid = 1000..3000;
            let gain = mid.clone().map(|i| y[i] * x[i]).sum::<f64>() / mid.clone().map(|i| x[i] * x[i]).sum::<f64>();
            let leak = mid.map(|i| (y[i] - gain * x[i]).abs()).fold(0.0, f64::max);
            assert!((gain - expected).abs() < 1e-3, "f {f} Hz: gain {gain}, expected {expected}");
            assert!(leak < 1e-3, "f {f} Hz: phase or distortion {leak}");
            if f == fc {
                assert!((gain - 0.5).abs() < 1e-3, "gain {gain} at the cutoff");
            }
        }
    }

    #[test]
    fn derivatives_to_the_ends_are_exact_for_a_quadratic_everywhere() {
        // A regression guard: odd padding without a filter forced the end accelerations to zero.
        let dt = 0.02;
        let x: Vec<f64> = (0..9).map(|i| 1.0 + 3.0 * (i as f64 * dt) - 4.0 * (i as f64 * dt).powi(2)).collect();
        let (d1, d2) = derivatives_to_the_ends(&x, dt);
        for (i, (a, b)) in d1.iter().zip(&d2).enumerate() {
            let t = i as f64 * dt;
            assert!((a - (3.0 - 8.0 * t)).abs() < 1e-9, "{i}: {a}");
            assert!((b + 8.0).abs() < 1e-7, "{i}: {b}");
        }
    }

    #[test]
    fn five_point_derivatives_of_a_sine_match_its_closed_form() {
        let (dt, w) = (1.0 / 60.0, 2.0 * PI * 1.2);
        let x: Vec<f64> = (0..120).map(|i| (w * f64::from(i) * dt).sin()).collect();
        let (d1, d2) = derivatives(&x, dt, 2, 118);
        for (k, i) in (2..118).enumerate() {
            let t = i as f64 * dt;
            // Truncation bounds: h⁴ w⁵ / 30 and h⁴ w⁶ / 90.
            assert!((d1[k] - w * (w * t).cos()).abs() < 1.1 * dt.powi(4) * w.powi(5) / 30.0);
            assert!((d2[k] + w * w * (w * t).sin()).abs() < 1.1 * dt.powi(4) * w.powi(6) / 90.0);
        }
    }
}
