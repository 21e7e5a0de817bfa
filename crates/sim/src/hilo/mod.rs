//! Human-in-the-loop optimization rehearsed on a simulated wearer: CMA-ES proposes assistance parameters, the wearer
//! walks a condition with each, and the protocol sees only what a metabolic cart shows ([`respirometry`]).
//!
//! As in Zhang et al. (2017, "Human-in-the-loop optimization of exoskeleton assistance during walking", Science
//! 356:1280-1284): conditions one after another, each measured breath by breath, generations of candidates, the
//! distribution's mean as the answer. The wearer's true cost of a candidate comes from the caller (here the
//! muscle-driven trial analysis with an ideal device); the optional [`Adaptation`] makes the wearer's response to
//! the device grow with exposure, the non-stationarity real protocols meet.
//!
//! Candidates are evaluated in order, as on a treadmill: each condition starts where the previous left the cart,
//! and the clock and the wearer's exposure run on. The CMA-ES search space is each parameter's range mapped to
//! `[0, 1]`; a sample outside is folded back by reflection at the bounds.

pub mod respirometry;

use rand::SeedableRng;
use rand_pcg::Pcg64Mcg;
pub use respirometry::{Breaths, Estimator, Respirometry, RespirometryError};

/// How the wearer's response to the device develops with exposure: the fraction of the eventual change of
/// metabolic cost (saving or penalty) the wearer shows after `t` minutes with the device is
/// `1 - (1 - initial_fraction) exp(-t / time_constant_min)`.
///
/// A model of ours, not fitted to data: Poggensee & Collins (2021, "How adaptation, training, and customization
/// contribute to benefits from exoskeleton assistance", Science Robotics 6:eabf1078) show the benefit growing over
/// about two hours of training, which the defaults of `exosim hilo` (0.5, 30 min) only roughly follow.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Adaptation {
    /// Fraction of the change shown at first exposure (0 to 1).
    pub initial_fraction: f64,
    /// Time constant of the growth, minutes of walking with the device (> 0).
    pub time_constant_min: f64,
}

impl Adaptation {
    /// The fraction of the eventual change shown after `exposure_min` minutes with the device.
    #[must_use]
    pub fn fraction(&self, exposure_min: f64) -> f64 {
        1.0 - (1.0 - self.initial_fraction) * (-exposure_min / self.time_constant_min).exp()
    }
}

/// The protocol's settings.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Protocol {
    /// Generations of CMA-ES.
    pub generations: usize,
    /// Candidates per generation.
    pub population: usize,
    /// Duration of each condition, s.
    pub condition_s: f64,
    /// How each condition's cost is estimated.
    pub estimator: Estimator,
    /// The metabolic cart.
    pub respirometry: Respirometry,
    /// The wearer's adaptation, if any (none: stationary).
    pub adaptation: Option<Adaptation>,
    /// Seed of CMA-ES's sampling and of the breath noise.
    pub seed: u64,
    /// CMA-ES's initial step, as a fraction of each parameter's range.
    pub initial_step: f64,
}

impl Default for Protocol {
    /// Zhang et al.'s scale: 8 generations of 8 candidates, 2 minutes each, first-order estimation.
    fn default() -> Self {
        Self {
            generations: 8,
            population: 8,
            condition_s: 120.0,
            estimator: Estimator::FirstOrder,
            respirometry: Respirometry::default(),
            adaptation: None,
            seed: 1,
            initial_step: 0.3,
        }
    }
}

/// A parameter the protocol tunes.
#[derive(Clone, Debug, PartialEq)]
pub struct Parameter {
    /// Its name (for outputs).
    pub name: String,
    /// Lowest value.
    pub lower: f64,
    /// Highest value.
    pub upper: f64,
    /// Where the search starts.
    pub initial: f64,
}

/// Why a protocol cannot run.
#[derive(Debug, thiserror::Error)]
pub enum HiloError {
    /// A setting out of range.
    #[error("hilo: `{field}` {problem}")]
    Setting {
        /// The setting.
        field: String,
        /// What is wrong.
        problem: String,
    },
    /// The cart's settings.
    #[error(transparent)]
    Respirometry(#[from] RespirometryError),
    /// The cost of a candidate could not be computed.
    #[error("hilo: the cost of candidate {candidate} of generation {generation} failed: {message}")]
    Cost {
        /// Its generation (0-based).
        generation: usize,
        /// Its index in the generation.
        candidate: usize,
        /// Why.
        message: String,
    },
}

/// One condition of the protocol.
#[derive(Clone, Debug, PartialEq)]
pub struct Evaluation {
    /// Generation, from 0.
    pub generation: usize,
    /// Candidate within the generation, from 0.
    pub candidate: usize,
    /// The parameters walked with.
    pub parameters: Vec<f64>,
    /// The wearer's true metabolic power at the end of the condition (adaptation included), W.
    pub true_w: f64,
    /// The fully adapted (steady-state) true power of these parameters, W.
    pub stationary_w: f64,
    /// What the protocol measured, W.
    pub measured_w: f64,
    /// Protocol clock at the condition's start and end, minutes.
    pub clock_min: [f64; 2],
}

/// A protocol's result.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    /// Every condition, in order.
    pub evaluations: Vec<Evaluation>,
    /// The search distribution's mean at the end: the protocol's answer.
    pub final_parameters: Vec<f64>,
    /// Its fully adapted true cost, W.
    pub final_w: f64,
    /// The wearer's cost without the device, W.
    pub unassisted_w: f64,
    /// Simulated walking time, minutes.
    pub duration_min: f64,
    /// Generations walked (fewer than asked when CMA-ES met one of its own stopping tests).
    pub generations_run: usize,
    /// Why CMA-ES stopped (`MaxGenerations` when it ran them all), as the `cmaes` crate names its reasons.
    pub stopped_because: Vec<String>,
}

impl Outcome {
    /// The true metabolic change of the final parameters from unassisted walking, percent.
    #[must_use]
    pub fn change_pct(&self) -> f64 {
        100.0 * (self.final_w - self.unassisted_w) / self.unassisted_w
    }
}

/// `u` folded into `[0, 1]` by reflection at 0 and 1.
fn fold(u: f64) -> f64 {
    let m = u.rem_euclid(2.0);
    if m > 1.0 { 2.0 - m } else { m }
}

fn setting(field: &str, problem: &str) -> HiloError {
    HiloError::Setting { field: field.to_string(), problem: problem.to_string() }
}

impl Protocol {
    /// Checks every setting.
    ///
    /// # Errors
    /// The first setting out of range.
    pub fn validate(&self) -> Result<(), HiloError> {
        if self.generations == 0 {
            return Err(setting("generations", "must be at least 1"));
        }
        if self.population < 2 {
            return Err(setting("population", "must be at least 2"));
        }
        if !(self.condition_s >= self.respirometry.breath_interval_s && self.condition_s.is_finite()) {
            return Err(setting("condition_s", "must be finite and hold at least one breath"));
        }
        if self.estimator == Estimator::LastMinuteMean && self.respirometry.breath_interval_s > 60.0 {
            return Err(setting("breath_interval_s", "must be at most 60 s for the last-minute mean to see a breath"));
        }
        if !(self.initial_step > 0.0 && self.initial_step <= 1.0) {
            return Err(setting("initial_step", "must be in (0, 1]"));
        }
        if let Some(a) = self.adaptation {
            if !(0.0..=1.0).contains(&a.initial_fraction) {
                return Err(setting("adaptation.initial_fraction", "must be in [0, 1]"));
            }
            if !(a.time_constant_min > 0.0 && a.time_constant_min.is_finite()) {
                return Err(setting("adaptation.time_constant_min", "must be a positive number of minutes"));
            }
        }
        self.respirometry.validate()?;
        Ok(())
    }
}

/// The wearer's fully adapted cost of a candidate, W.
type Cost<'a, E> = Box<dyn FnMut(&[f64]) -> Result<f64, E> + 'a>;

/// What the objective keeps between conditions.
struct Walk<'a, E> {
    parameters: &'a [Parameter],
    protocol: &'a Protocol,
    unassisted_w: f64,
    cost: Cost<'a, E>,
    rng: Pcg64Mcg,
    /// The cart's lagged state (noise-free), W.
    cart_w: f64,
    clock_min: f64,
    evaluations: Vec<Evaluation>,
    failure: Option<String>,
}

impl<E: std::fmt::Display> Walk<'_, E> {
    fn parameters_of(&self, u: &[f64]) -> Vec<f64> {
        self.parameters.iter().zip(u).map(|(p, &v)| p.lower + fold(v) * (p.upper - p.lower)).collect()
    }

    /// Walks one condition with normalised parameters `u`; returns the measured cost.
    fn condition(&mut self, u: &[f64]) -> f64 {
        let index = self.evaluations.len();
        let (generation, candidate) = (index / self.protocol.population, index % self.protocol.population);
        let x = self.parameters_of(u);
        let stationary_w = match (self.cost)(&x) {
            Ok(w) if w.is_finite() => w,
            Ok(w) => {
                self.failure = Some(format!("the cost is not a number ({w})"));
                return f64::NAN;
            }
            Err(e) => {
                self.failure = Some(e.to_string());
                return f64::NAN;
            }
        };
        let (p0, start_min) = (self.unassisted_w, self.clock_min);
        let adaptation = self.protocol.adaptation;
        let true_at = |t_s: f64| match adaptation {
            Some(a) => p0 + a.fraction(start_min + t_s / 60.0) * (stationary_w - p0),
            None => stationary_w,
        };
        let r = self.protocol.respirometry;
        let duration = self.protocol.condition_s;
        let breaths = r.condition(duration, self.cart_w, true_at, &mut self.rng);
        self.cart_w = breaths.cart_w;
        let measured_w = r.estimate(&breaths, duration, self.protocol.estimator).unwrap_or(f64::NAN);
        self.clock_min += duration / 60.0;
        self.evaluations.push(Evaluation {
            generation,
            candidate,
            parameters: x,
            true_w: true_at(duration),
            stationary_w,
            measured_w,
            clock_min: [start_min, self.clock_min],
        });
        measured_w
    }
}

/// Runs the protocol over `parameters`, the wearer's fully adapted cost of a candidate given by `cost` (W), its
/// cost without the device `unassisted_w` (where the cart starts, and what adaptation grows from). The final
/// parameters' true cost is `cost` once more, after the last generation.
///
/// # Errors
/// A setting out of range, or a cost that fails (naming the candidate).
pub fn run<'a, E: std::fmt::Display + 'a>(
    parameters: &'a [Parameter],
    protocol: &'a Protocol,
    unassisted_w: f64,
    cost: impl FnMut(&[f64]) -> Result<f64, E> + 'a,
) -> Result<Outcome, HiloError> {
    protocol.validate()?;
    if parameters.is_empty() {
        return Err(setting("param", "no parameter to optimise"));
    }
    for p in parameters {
        if !(p.lower < p.upper && p.lower.is_finite() && p.upper.is_finite()) {
            return Err(setting(&p.name, "needs a finite range with lower < upper"));
        }
    }
    let walk = std::cell::RefCell::new(Walk {
        parameters,
        protocol,
        unassisted_w,
        cost: Box::new(cost),
        rng: Pcg64Mcg::seed_from_u64(protocol.seed ^ 0x005E_ED0F_B2EA_7435),
        cart_w: unassisted_w,
        clock_min: 0.0,
        evaluations: Vec::new(),
        failure: None,
    });
    let start: Vec<f64> =
        parameters.iter().map(|p| ((p.initial - p.lower) / (p.upper - p.lower)).clamp(0.0, 1.0)).collect();
    let objective = |u: &cmaes::DVector<f64>| walk.borrow_mut().condition(u.as_slice());
    let mut cma = cmaes::CMAESOptions::new(start, protocol.initial_step)
        .population_size(protocol.population)
        .max_generations(protocol.generations)
        .seed(protocol.seed)
        .build(objective)
        .map_err(|e| setting("cmaes", &format!("{e:?}")))?;
    let stop = loop {
        if let Some(done) = cma.next() {
            break done;
        }
    };
    let mean: Vec<f64> = cma.mean().iter().copied().collect();
    drop(cma);
    let mut walk = walk.into_inner();
    let i = walk.evaluations.len();
    let (generation, candidate) = (i / protocol.population, i % protocol.population);
    if let Some(message) = walk.failure.take() {
        return Err(HiloError::Cost { generation, candidate, message });
    }
    if stop.reasons.contains(&cmaes::TerminationReason::InvalidFunctionValue) {
        return Err(HiloError::Cost {
            generation,
            candidate,
            message: "the measured cost is not a number (the estimator had no breath to work with)".into(),
        });
    }
    let final_parameters = walk.parameters_of(&mean);
    let final_w = (walk.cost)(&final_parameters).map_err(|e| HiloError::Cost {
        generation: protocol.generations,
        candidate: 0,
        message: e.to_string(),
    })?;
    Ok(Outcome {
        final_parameters,
        final_w,
        unassisted_w,
        duration_min: walk.clock_min,
        generations_run: walk.evaluations.len().div_ceil(protocol.population),
        stopped_because: stop.reasons.iter().map(|r| format!("{r:?}")).collect(),
        evaluations: walk.evaluations,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_reflects_at_the_bounds() {
        for (u, f) in [(0.3, 0.3), (1.2, 0.8), (-0.2, 0.2), (2.3, 0.3), (-1.1, 0.9)] {
            assert!((fold(u) - f).abs() < 1e-12, "{u} -> {}", fold(u));
        }
    }

    #[test]
    fn adaptation_grows_from_its_initial_fraction_to_all() {
        let a = Adaptation { initial_fraction: 0.5, time_constant_min: 30.0 };
        assert_eq!(a.fraction(0.0), 0.5);
        assert!((a.fraction(30.0) - (1.0 - 0.5 / std::f64::consts::E)).abs() < 1e-12);
        assert!(a.fraction(1e4) > 0.999_999);
    }
}
