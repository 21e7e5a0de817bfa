//! Metabolic power of the muscles: Umberger et al. (2003) and Umberger (2010), as OpenSim's
//! `Umberger2010MuscleMetabolicsProbe` computes it.
//!
//! Umberger BR, Gerritsen KGM, Martin PE (2003), "A model of human muscle energy expenditure", Comput Methods
//! Biomech Biomed Engin 6(2):99–111; Umberger BR (2010), "Stance and swing phase costs in human walking", J R Soc
//! Interface 7:1329–1340 (shortening heat scaled by A², not A). Per muscle, in W per kg of muscle, with `A` the
//! excitation if it exceeds the activation and their mean otherwise, `f_FT` the fast-twitch fraction,
//! `l̃` the normalised fibre length, `F_iso` the active force-length multiplier, `v` the fibre velocity in optimal
//! lengths per second (negative shortening), `v_max` the maximum contraction velocity (fast twitch) and
//! `v_max/2.5` that of the slow-twitch fibres, and `S` the aerobic factor:
//!
//! ```text
//! h_AM = (128 f_FT + 25) A^0.6 S                        (l̃ ≤ 1; times 0.4 + 0.6 F_iso above)
//! h_S  = (-100/(v_max/2.5) v (1 - f_FT) - 153/v_max v f_FT) A² S    (v ≤ 0)
//!      = 4 · 100/(v_max/2.5) · v · A S                                (v > 0); both times F_iso for l̃ > 1
//! w    = -F_active v_fibre / m                                         (mechanical power, W/kg)
//! ```
//!
//! These are OpenSim 4.6's options and rules, as checked against it in `crates/sim/tests/osim_skeleton.rs`:
//! * with `use_Bhargava_recruitment_model`, `1 - f_FT = u_s / (u_s + u_f)`, `u_s = r sin(π/2 u)`,
//!   `u_f = (1 - r)(1 - cos(π/2 u))`, `u` the excitation (1 when it is 0), `r` the slow-twitch ratio;
//! * with `forbid_negative_total_power`, a negative `h_AM + h_S + w` raises `h_S` until the sum is 0;
//! * with `enforce_minimum_heat_rate_per_muscle` (and both heat terms on), the heat `h_AM + h_S` is at least
//!   1 W/kg;
//! * without `include_negative_mechanical_work`, negative `w` counts as 0.
//!
//! The muscle's mass is `F_max / σ · ρ · l_opt` (specific tension σ, density ρ) unless the file provides one. No
//! cap limits the slow-twitch shortening term at speeds beyond `v_max/2.5`; the fixture's speeds never reach that.

use exo_opensim::{Muscle, OsimError, Umberger2010Probe};

/// One muscle's constants for the probe.
#[derive(Clone, Debug, PartialEq)]
pub struct UmbergerMuscle {
    /// The muscle's name.
    pub name: String,
    /// Fraction of slow-twitch fibres, 0 to 1.
    pub ratio_slow_twitch: f64,
    /// Muscle mass, kg.
    pub mass_kg: f64,
    /// Optimal fibre length, m.
    pub optimal_fiber_length_m: f64,
    /// Maximum contraction velocity, optimal lengths per second.
    pub max_contraction_velocity: f64,
}

/// What the probe reads of one muscle at one instant.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MuscleEnergyInputs {
    /// Excitation, 0 to 1.
    pub excitation: f64,
    /// Activation, 0 to 1.
    pub activation: f64,
    /// Fibre length over the optimal length.
    pub normalized_fiber_length: f64,
    /// Fibre lengthening speed, m/s.
    pub fiber_velocity_m_per_s: f64,
    /// Active fibre force (along the fibre), N.
    pub active_fiber_force_n: f64,
    /// Active force-length multiplier.
    pub active_force_length: f64,
    /// Passive fibre force (along the fibre), N (Bhargava's shortening heat reads it; Umberger's does not).
    pub passive_fiber_force_n: f64,
}

impl MuscleEnergyInputs {
    /// The inputs of a muscle at activation `activation` (the excitation taken equal to it, as for a state from
    /// static optimization) whose fibre is `fibre` and whose maximum isometric force is `max_isometric_force_n`.
    #[must_use]
    pub fn at_activation(activation: f64, max_isometric_force_n: f64, fibre: &super::FiberState) -> Self {
        Self {
            excitation: activation,
            activation,
            normalized_fiber_length: fibre.normalized_fiber_length,
            fiber_velocity_m_per_s: fibre.fiber_velocity_m_per_s,
            active_fiber_force_n: activation * max_isometric_force_n * fibre.active_force_length * fibre.force_velocity,
            active_force_length: fibre.active_force_length,
            passive_fiber_force_n: max_isometric_force_n * fibre.passive_force_length,
        }
    }
}

/// One muscle's metabolic power and its parts, W.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MuscleEnergyRate {
    /// Activation and maintenance heat, W.
    pub activation_maintenance_w: f64,
    /// Shortening and lengthening heat (after the no-negative-total rule), W.
    pub shortening_w: f64,
    /// Mechanical work rate, W.
    pub mechanical_work_w: f64,
    /// Total, W.
    pub total_w: f64,
}

/// The probe: its options and its muscles.
#[derive(Clone, Debug, PartialEq)]
pub struct Umberger2010 {
    /// The options, as the model file sets them.
    pub options: Umberger2010Probe,
    /// The muscles it counts, in the probe's order.
    pub muscles: Vec<UmbergerMuscle>,
}

impl Umberger2010 {
    /// The probe of a model file, over muscles looked up in `muscles` (the model the body is built from; a
    /// probe may come from another file, as `subject01_metabolics.osim`'s does).
    ///
    /// # Errors
    /// A probe muscle missing from `muscles`, or options this implementation does not support (a muscle effort
    /// scaling other than 1, the basal rate, which needs the whole body's mass), naming the probe's line.
    pub fn new(probe: &Umberger2010Probe, muscles: &[Muscle], file: &str) -> Result<Self, OsimError> {
        let err = |line: u32, problem: String| OsimError {
            file: file.to_string(),
            line,
            element: format!("Umberger2010MuscleMetabolicsProbe {}", probe.common.name),
            problem,
        };
        if probe.muscle_effort_scaling_factor != 1.0 {
            return Err(err(probe.common.line, "muscle_effort_scaling_factor other than 1 is not supported".into()));
        }
        if probe.basal_rate_on {
            return Err(err(
                probe.common.line,
                "basal_rate_on is not supported (it needs the whole body's mass)".into(),
            ));
        }
        let muscles = probe
            .muscles
            .iter()
            .map(|p| {
                let m = muscles
                    .iter()
                    .find(|m| m.name == p.muscle)
                    .ok_or_else(|| err(p.line, format!("muscle `{}` is not in the model", p.muscle)))?;
                let mass_kg = match (p.use_provided_muscle_mass, p.provided_muscle_mass_kg) {
                    (true, Some(mass)) => mass,
                    (true, None) => {
                        return Err(err(p.line, "use_provided_muscle_mass without provided_muscle_mass".into()));
                    }
                    (false, _) => {
                        m.max_isometric_force_n / p.specific_tension_pa * p.density_kg_per_m3 * m.optimal_fiber_length_m
                    }
                };
                Ok(UmbergerMuscle {
                    name: m.name.clone(),
                    ratio_slow_twitch: p.ratio_slow_twitch_fibers,
                    mass_kg,
                    optimal_fiber_length_m: m.optimal_fiber_length_m,
                    max_contraction_velocity: m.max_contraction_velocity,
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(Self { options: probe.clone(), muscles })
    }

    /// The first `Umberger2010MuscleMetabolicsProbe` of `model` (read from `file`), over muscles looked up in
    /// `muscles`, as [`Umberger2010::new`].
    ///
    /// # Errors
    /// A model without such a probe (naming the model's line), or any error of [`Umberger2010::new`].
    pub fn of_model(model: &exo_opensim::Model, muscles: &[Muscle], file: &str) -> Result<Self, OsimError> {
        let probe = model
            .probes
            .iter()
            .find_map(|p| match p {
                exo_opensim::Probe::Umberger2010(u) => Some(u),
                _ => None,
            })
            .ok_or_else(|| OsimError {
                file: file.to_string(),
                line: model.line,
                element: format!("Model {}", model.name),
                problem: "the model has no Umberger2010MuscleMetabolicsProbe".into(),
            })?;
        Self::new(probe, muscles, file)
    }

    /// Metabolic power of muscle `k` of the probe in state `x`.
    #[must_use]
    pub fn rate(&self, k: usize, x: &MuscleEnergyInputs) -> MuscleEnergyRate {
        let o = &self.options;
        let m = &self.muscles[k];
        let (u, a) = (x.excitation, x.activation);
        let big_a = if u > a { u } else { 0.5 * (u + a) };
        let slow = if o.use_bhargava_recruitment_model {
            let u = if u == 0.0 { 1.0 } else { u };
            let r = m.ratio_slow_twitch;
            let us = r * (std::f64::consts::FRAC_PI_2 * u).sin();
            let uf = (1.0 - r) * (1.0 - (std::f64::consts::FRAC_PI_2 * u).cos());
            us / (us + uf)
        } else {
            m.ratio_slow_twitch
        };
        let fast = 1.0 - slow;
        let s = o.aerobic_factor;
        let long = x.normalized_fiber_length > 1.0;
        let unscaled = 128.0 * fast + 25.0;
        let am =
            if long { 0.4 * unscaled + 0.6 * unscaled * x.active_force_length } else { unscaled } * big_a.powf(0.6) * s;
        let v = x.fiber_velocity_m_per_s / m.optimal_fiber_length_m;
        let alpha_slow = 100.0 / (m.max_contraction_velocity / 2.5);
        let alpha_fast = 153.0 / m.max_contraction_velocity;
        let mut sh = if v <= 0.0 {
            (-alpha_slow * v * slow - alpha_fast * v * fast) * big_a * big_a * s
        } else {
            4.0 * alpha_slow * v * big_a * s
        };
        if long {
            sh *= x.active_force_length;
        }
        let mut w = -x.active_fiber_force_n * x.fiber_velocity_m_per_s / m.mass_kg;
        if !o.include_negative_mechanical_work {
            w = w.max(0.0);
        }
        if o.forbid_negative_total_power && am + sh + w < 0.0 {
            sh = -(am + w);
        }
        let am = if o.activation_maintenance_rate_on { am } else { 0.0 };
        let sh = if o.shortening_rate_on { sh } else { 0.0 };
        let w = if o.mechanical_work_rate_on { w } else { 0.0 };
        let mut heat = am + sh;
        if o.enforce_minimum_heat_rate_per_muscle && o.activation_maintenance_rate_on && o.shortening_rate_on {
            heat = heat.max(1.0);
        }
        MuscleEnergyRate {
            activation_maintenance_w: am * m.mass_kg,
            shortening_w: sh * m.mass_kg,
            mechanical_work_w: w * m.mass_kg,
            total_w: (heat + w) * m.mass_kg * o.common.gain,
        }
    }
}
