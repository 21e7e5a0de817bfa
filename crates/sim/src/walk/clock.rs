//! Simulated time as time in the recorded trial: straight through, or one stride repeated for as long as the run
//! lasts.
//!
//! A recorded trial is a few strides long (the shared subject01 trial: 2.5 s, two strides), shorter than a run
//! that must let a gait-phase estimator learn the stride and assistance settle. Repeating one stride, from a
//! right heel strike to the next, makes a walk of any length: in stride `k` the trial's time is
//! `τ = t₀ + (t - t₀) mod T` and the walking direction's coordinate (and the plates' points along it) advance by
//! `k Δ` (`Δ` the stride's length). The coordinates are corrected to meet at the seam
//! ([`super::tracking::Reference::repeated`]); the plates cannot be (a force has no correction that keeps it
//! measured), so over the stride's last `b` seconds they are cross-faded into the stride before, advanced by `Δ`:
//!
//! `F(t) = (1 - w) F(τ) + w F(τ - T)`, `w` a smoothstep from 0 to 1 over `[t₀ + T - b, t₀ + T)`.
//!
//! What the fade hides is the subject's own difference between two strides.

/// Where a simulated instant falls in the trial.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TrialInstant {
    /// Time in the trial, s.
    pub trial_s: f64,
    /// Whole strides completed before this one (0 without repetition).
    pub cycles: f64,
    /// Weight of the stride before in the cross-fade (0 outside it).
    pub fade: f64,
}

/// How simulated time maps to the trial's.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TrialClock {
    /// First instant of the repeated stride (a right heel strike), s; the simulation's start without repetition.
    pub start_s: f64,
    /// Stride time, s (`f64::INFINITY`: the trial runs straight through).
    pub period_s: f64,
    /// Cross-fade before each seam, s.
    pub fade_s: f64,
    /// Distance the walking direction advances per stride, m.
    pub advance_m: f64,
}

impl TrialClock {
    /// The trial straight through: simulated time is the trial's.
    #[must_use]
    pub fn straight() -> Self {
        Self { start_s: 0.0, period_s: f64::INFINITY, fade_s: 0.0, advance_m: 0.0 }
    }

    /// Whether one stride repeats.
    #[must_use]
    pub fn repeats(&self) -> bool {
        self.period_s.is_finite()
    }

    /// The trial instant of simulated time `t_s`.
    #[must_use]
    pub fn at(&self, t_s: f64) -> TrialInstant {
        if !self.repeats() {
            return TrialInstant { trial_s: t_s, cycles: 0.0, fade: 0.0 };
        }
        let x = (t_s - self.start_s) / self.period_s;
        let cycles = x.floor();
        let trial_s = self.start_s + (x - cycles) * self.period_s;
        let s = ((trial_s - (self.start_s + self.period_s - self.fade_s)) / self.fade_s).clamp(0.0, 1.0);
        TrialInstant { trial_s, cycles, fade: s * s * (3.0 - 2.0 * s) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repeated_stride_meets_itself_at_the_seam() {
        let c = TrialClock { start_s: 0.6, period_s: 1.2, fade_s: 0.1, advance_m: 1.4 };
        // A value advancing at the stride's speed but with an offset error at the stride's end, faded as the
        // plates are.
        let x = |trial_s: f64| 1.4 / 1.2 * trial_s + 0.05 * (trial_s - 0.6);
        let walk = |t: f64| {
            let i = c.at(t);
            i.cycles * c.advance_m + (1.0 - i.fade) * x(i.trial_s) + i.fade * (x(i.trial_s - c.period_s) + c.advance_m)
        };
        for seam in [1.8, 3.0, 4.2] {
            let (before, after) = (walk(seam - 1e-9), walk(seam + 1e-9));
            assert!((before - after).abs() < 1e-6, "seam at {seam}: {before} vs {after}");
        }
        // Away from the fade, the walk is the trial advanced by whole strides.
        let i = c.at(2.0);
        assert_eq!(i.fade, 0.0);
        assert!((i.trial_s - 0.8).abs() < 1e-12 && i.cycles == 1.0);
        assert!((walk(2.0) - (x(0.8) + 1.4)).abs() < 1e-12);
        // Straight through: nothing maps.
        let s = TrialClock::straight().at(2.0);
        assert_eq!((s.trial_s, s.cycles, s.fade), (2.0, 0.0, 0.0));
    }
}
