//! Closed-loop frequency response, by either excitation:
//!
//! - **stepped sines**: the scenario runs once per frequency with a sinusoidal torque setpoint, and the complex
//!   gain from an input channel to an output channel is measured by correlation over whole periods once the
//!   response has settled. Slow (one run per point) and the most robust to nonlinearity.
//! - **chirp**: one run with a linear chirp covering the band, then a quiet tail until the response has died
//!   away; the gain at each frequency is the ratio of the output's and the input's discrete-time Fourier
//!   transforms over the whole record. For a linear loop that starts and ends at rest this ratio is exact
//!   (`Y = H U` for finite records), so the estimate is limited only by the loop's nonlinearity and by what
//!   has not decayed by the end of the tail.

use std::f64::consts::TAU;

use crate::scenario::{self, LoadedScenario, ScenarioError};
use crate::simulation::Simulation;

/// What to measure.
#[derive(Clone, Debug, PartialEq)]
pub struct BodeOptions {
    /// Input channel of the recording (`exo_knee_demand_nm`).
    pub input: String,
    /// Output channel (`exo_knee_torque_nm`).
    pub output: String,
    /// Lowest frequency, Hz.
    pub from_hz: f64,
    /// Highest frequency, Hz.
    pub to_hz: f64,
    /// Number of log-spaced frequencies.
    pub points: usize,
    /// Sine or chirp amplitude, N m.
    pub amplitude_nm: f64,
    /// How the loop is excited.
    pub excitation: Excitation,
}

/// The test signal of a frequency-response measurement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Excitation {
    /// One run per frequency, each a settled sine.
    #[default]
    SteppedSines,
    /// One run with a linear chirp over the band and a quiet tail.
    Chirp,
}

/// The response at one frequency.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BodePoint {
    /// Frequency, Hz.
    pub frequency_hz: f64,
    /// Gain, dB.
    pub magnitude_db: f64,
    /// Phase, degrees (unwrapped across the sweep by [`summarise`]).
    pub phase_deg: f64,
}

/// The sweep's figures.
#[derive(Clone, Debug, PartialEq)]
pub struct BodeSummary {
    /// Every point, in frequency order, phases unwrapped.
    pub points: Vec<BodePoint>,
    /// Lowest frequency where the gain falls 3 dB below its low-frequency value, Hz (interpolated).
    pub bandwidth_hz: Option<f64>,
    /// Phase at the bandwidth, degrees.
    pub phase_at_bandwidth_deg: Option<f64>,
    /// Highest frequency where the gain crosses 0 dB downwards, Hz.
    pub crossover_hz: Option<f64>,
    /// Phase at that crossover, degrees.
    pub phase_at_crossover_deg: Option<f64>,
}

/// The frequencies of a sweep.
#[must_use]
pub fn frequencies(o: &BodeOptions) -> Vec<f64> {
    let n = o.points.max(2);
    (0..n).map(|i| o.from_hz * (o.to_hz / o.from_hz).powf(i as f64 / (n - 1) as f64)).collect()
}

/// Checks the options against the scenario (rates, channels come later).
pub fn check(loaded: &LoadedScenario, o: &BodeOptions) -> Result<(), ScenarioError> {
    let nyquist = 0.5 / loaded.scenario.simulation.control_dt_s;
    if !(o.from_hz > 0.0 && o.from_hz < o.to_hz && o.to_hz < nyquist) {
        return Err(loaded.error(
            "simulation.control_dt_s",
            format!(
                "bode needs 0 < from < to < the control Nyquist frequency {nyquist} Hz (got {}..{})",
                o.from_hz, o.to_hz
            ),
        ));
    }
    if !(o.amplitude_nm.is_finite() && o.amplitude_nm > 0.0) {
        return Err(loaded.error("controller.sea_torque.signal", "the sine amplitude must be > 0"));
    }
    Ok(())
}

/// Makes the scenario's torque loop track `signal`: the closed-loop response is that of the `sea_torque` law.
fn drive(l: &mut LoadedScenario, signal: crate::simulation::TorqueSignal) -> Result<(), ScenarioError> {
    let c = &mut l.scenario.controller;
    if c.law != scenario::LawName::SeaTorque {
        let law = c.law.as_str();
        return Err(l.error(
            "controller.law",
            format!("bode measures the series-elastic torque loop (`law = \"sea_torque\"`), and this scenario's law is `{law}`"),
        ));
    }
    c.sea_torque.get_or_insert_with(Default::default).signal = signal;
    Ok(())
}

/// Runs the scenario at one frequency and measures the gain from input to output.
pub fn measure(loaded: &LoadedScenario, o: &BodeOptions, frequency_hz: f64) -> Result<BodePoint, ScenarioError> {
    let mut l = loaded.clone();
    let sc = &mut l.scenario;
    let dt = sc.simulation.control_dt_s;
    // Settle for several time constants of the slowest dynamics worth measuring (at least 0.5 s and 3 periods),
    // then measure over whole periods (at least 5 and 0.5 s).
    let settle = (3.0 / frequency_hz).max(0.5);
    let cycles = (0.5 * frequency_hz).ceil().max(5.0);
    let window = cycles / frequency_hz;
    sc.simulation.duration_s = settle + window + dt;
    sc.simulation.record_rate_hz = 1.0 / dt;
    sc.simulation.compare_without_exo = false;
    drive(&mut l, crate::simulation::TorqueSignal::Sine { amplitude_nm: o.amplitude_nm, frequency_hz })?;
    let mut sim = Simulation::new(scenario::build(&l, true)?);
    sim.run(l.scenario.simulation.duration_s, |_| {}, || false)
        .map_err(|e| l.error("simulation", format!("at {frequency_hz:.3} Hz: {e}")))?;
    let (t, u, y) = channels(&l, &sim, o)?;
    // Samples covering an exact whole number of periods at the end of the run.
    let n = (window / dt).round() as usize;
    let start = t.len().saturating_sub(n);
    let (mut ur, mut ui, mut yr, mut yi) = (0.0, 0.0, 0.0, 0.0);
    for k in start..t.len() {
        let (s, c) = (TAU * frequency_hz * t[k]).sin_cos();
        ur += u[k] * c;
        ui -= u[k] * s;
        yr += y[k] * c;
        yi -= y[k] * s;
    }
    Ok(point(frequency_hz, (ur, ui), (yr, yi)))
}

/// The chirp of [`measure_chirp`]: `(start Hz, end Hz, sweep s, quiet tail s)`. It starts below `from_hz` and
/// ends above `to_hz` (below 0.8 of the control Nyquist frequency) so the band's edges are excited fully, and
/// sweeps for at least 20 periods of `from_hz` so that the lowest frequency is resolved.
#[must_use]
pub fn chirp_plan(loaded: &LoadedScenario, o: &BodeOptions) -> (f64, f64, f64, f64) {
    let nyquist = 0.5 / loaded.scenario.simulation.control_dt_s;
    let start = 0.5 * o.from_hz;
    let end = (1.5 * o.to_hz).min(0.8 * nyquist).max(o.to_hz);
    let sweep = (20.0 / o.from_hz).max(10.0);
    let tail = (3.0 / o.from_hz).max(2.0);
    (start, end, sweep, tail)
}

/// Runs the scenario once under a chirp and estimates the gain from input to output at every frequency of
/// [`frequencies`].
pub fn measure_chirp(loaded: &LoadedScenario, o: &BodeOptions) -> Result<Vec<BodePoint>, ScenarioError> {
    let mut l = loaded.clone();
    let sc = &mut l.scenario;
    let dt = sc.simulation.control_dt_s;
    let (start_hz, end_hz, sweep_s, tail_s) = chirp_plan(loaded, o);
    sc.simulation.duration_s = sweep_s + tail_s;
    sc.simulation.record_rate_hz = 1.0 / dt;
    sc.simulation.compare_without_exo = false;
    drive(
        &mut l,
        crate::simulation::TorqueSignal::Chirp { amplitude_nm: o.amplitude_nm, start_hz, end_hz, duration_s: sweep_s },
    )?;
    let mut sim = Simulation::new(scenario::build(&l, true)?);
    sim.run(l.scenario.simulation.duration_s, |_| {}, || false)
        .map_err(|e| l.error("simulation", format!("during the chirp: {e}")))?;
    let (t, u, y) = channels(&l, &sim, o)?;
    // Deviations from the state before the chirp: a resting offset (a preloaded spring, say) is not response.
    let (u0, y0) = (u.first().copied().unwrap_or(0.0), y.first().copied().unwrap_or(0.0));
    Ok(frequencies(o)
        .into_iter()
        .map(|f| {
            let (us, ys) = dtft(&t, &u, &y, (u0, y0), f);
            point(f, us, ys)
        })
        .collect())
}

/// `sum (x_k - x0) e^{-j 2 pi f t_k}` over the record for the input and the output at once (one `sin_cos` per
/// sample), as ((re, im) of u, (re, im) of y).
fn dtft(t: &[f64], u: &[f64], y: &[f64], (u0, y0): (f64, f64), f: f64) -> ((f64, f64), (f64, f64)) {
    t.iter().zip(u).zip(y).fold(((0.0, 0.0), (0.0, 0.0)), |((ur, ui), (yr, yi)), ((tk, uk), yk)| {
        let (s, c) = (TAU * f * tk).sin_cos();
        ((ur + (uk - u0) * c, ui - (uk - u0) * s), (yr + (yk - y0) * c, yi - (yk - y0) * s))
    })
}

/// The gain `Y / U` at `f` as a Bode point.
fn point(frequency_hz: f64, (ur, ui): (f64, f64), (yr, yi): (f64, f64)) -> BodePoint {
    let den = ur * ur + ui * ui;
    let (hr, hi) = ((yr * ur + yi * ui) / den, (yi * ur - yr * ui) / den);
    BodePoint { frequency_hz, magnitude_db: 10.0 * (hr * hr + hi * hi).log10(), phase_deg: hi.atan2(hr).to_degrees() }
}

/// Recorded time (s), input and output columns.
type Columns = (Vec<f64>, Vec<f64>, Vec<f64>);

/// The recorded time, input and output columns, or an error naming the missing channel.
fn channels(l: &LoadedScenario, sim: &Simulation, o: &BodeOptions) -> Result<Columns, ScenarioError> {
    let rec = sim.recorder();
    let find = |name: &str| {
        rec.index(name).ok_or_else(|| {
            let names: Vec<&str> =
                rec.channels().iter().map(|c| c.name.as_str()).filter(|n| n.starts_with("exo_")).collect();
            l.error("controller", format!("no recorded channel `{name}` (channels: {})", names.join(", ")))
        })
    };
    let (ti, ii, oi) = (find("time_s")?, find(&o.input)?, find(&o.output)?);
    Ok((rec.column(ti).collect(), rec.column(ii).collect(), rec.column(oi).collect()))
}

/// Unwraps the phases and finds the bandwidth and crossover.
#[must_use]
pub fn summarise(mut points: Vec<BodePoint>) -> BodeSummary {
    points.sort_by(|a, b| a.frequency_hz.total_cmp(&b.frequency_hz));
    for k in 1..points.len() {
        let prev = points[k - 1].phase_deg;
        let mut p = points[k].phase_deg;
        while p - prev > 180.0 {
            p -= 360.0;
        }
        while p - prev < -180.0 {
            p += 360.0;
        }
        points[k].phase_deg = p;
    }
    let interp = |a: &BodePoint, b: &BodePoint, level: f64| {
        let s = (level - a.magnitude_db) / (b.magnitude_db - a.magnitude_db);
        let f = (a.frequency_hz.ln() + s * (b.frequency_hz.ln() - a.frequency_hz.ln())).exp();
        (f, a.phase_deg + s * (b.phase_deg - a.phase_deg))
    };
    let dc = points.first().map_or(0.0, |p| p.magnitude_db);
    let bw = points
        .windows(2)
        .find(|w| w[0].magnitude_db >= dc - 3.0 && w[1].magnitude_db < dc - 3.0)
        .map(|w| interp(&w[0], &w[1], dc - 3.0));
    let cross = points
        .windows(2)
        .rev()
        .find(|w| w[0].magnitude_db >= 0.0 && w[1].magnitude_db < 0.0)
        .map(|w| interp(&w[0], &w[1], 0.0));
    BodeSummary {
        bandwidth_hz: bw.map(|b| b.0),
        phase_at_bandwidth_deg: bw.map(|b| b.1),
        crossover_hz: cross.map(|c| c.0),
        phase_at_crossover_deg: cross.map(|c| c.1),
        points,
    }
}
