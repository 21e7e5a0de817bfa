//! Stribeck friction with exact stick-slip handling in a fixed-step integrator.

/// Friction `F(ω) = [Fc + (Fs - Fc) exp(-(ω/ωs)²)] sign(ω) + b ω` (Coulomb + Stribeck + viscous).
///
/// Sticking is resolved per step in velocity-impulse form (see [`StribeckFriction::step_velocity`]) rather than
/// with a regularised sign function, so a stopped rotor stays exactly stopped while the applied torque is below
/// the breakaway torque. LuGre's pre-sliding dynamics are not modelled.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StribeckFriction {
    /// Coulomb (sliding) friction, N m.
    pub coulomb_nm: f64,
    /// Breakaway (static) friction, N m.
    pub static_nm: f64,
    /// Stribeck velocity, rad/s.
    pub stribeck_velocity_rad_per_s: f64,
    /// Viscous coefficient, N m s/rad.
    pub viscous_nm_s_per_rad: f64,
}

impl StribeckFriction {
    /// Magnitude of the dry (Coulomb + Stribeck) friction at speed `w`, N m.
    #[inline]
    #[must_use]
    pub fn dry_magnitude(&self, w: f64) -> f64 {
        let x = w / self.stribeck_velocity_rad_per_s;
        let x2 = x * x;
        // Beyond six Stribeck velocities the breakaway bump is below 1e-15 of itself: skip the exponential.
        if x2 > 36.0 {
            return self.coulomb_nm;
        }
        self.coulomb_nm + (self.static_nm - self.coulomb_nm) * (-x2).exp()
    }

    /// Friction torque opposing motion at speed `w` (sliding), N m.
    #[inline]
    #[must_use]
    pub fn torque(&self, w: f64) -> f64 {
        let dry = if w > 0.0 {
            self.dry_magnitude(w)
        } else if w < 0.0 {
            -self.dry_magnitude(w)
        } else {
            0.0
        };
        dry + self.viscous_nm_s_per_rad * w
    }

    /// New speed after one step of `J w' = applied - friction(w)`: returns `(w_new, friction torque applied)`.
    ///
    /// The viscous part is implicit (unconditionally stable); the dry part is an impulse that may bring the speed
    /// to exactly zero but never reverse it, and holds a stopped rotor while `|applied| <= static_nm`.
    #[inline]
    #[must_use]
    pub fn step_velocity(&self, w: f64, applied_nm: f64, inertia_kg_m2: f64, dt_s: f64) -> (f64, f64) {
        let (w_new, friction, _) = self.step_velocity_loaded(w, applied_nm, 0.0, 0.0, inertia_kg_m2, dt_s);
        (w_new, friction)
    }

    /// As [`step_velocity`](Self::step_velocity) with extra, direction-dependent dry friction: `extra_pos_nm`
    /// opposes motion in the positive direction, `extra_neg_nm` in the negative one (gear efficiency losses,
    /// which grow with the transmitted load and differ between driving and back-driving). Also returns the plain
    /// dry friction magnitude used (without the extra), N m.
    #[inline]
    #[must_use]
    pub fn step_velocity_loaded(
        &self,
        w: f64,
        applied_nm: f64,
        extra_pos_nm: f64,
        extra_neg_nm: f64,
        inertia_kg_m2: f64,
        dt_s: f64,
    ) -> (f64, f64, f64) {
        let b = self.viscous_nm_s_per_rad;
        let denom = inertia_kg_m2 + dt_s * b;
        if w == 0.0 {
            let holds = if applied_nm > 0.0 {
                applied_nm <= self.static_nm + extra_pos_nm
            } else {
                -applied_nm <= self.static_nm + extra_neg_nm
            };
            if holds {
                // Stuck: friction balances the applied torque.
                return (0.0, applied_nm, self.static_nm);
            }
        }
        let direction = if w != 0.0 { w.signum() } else { applied_nm.signum() };
        let extra = if direction > 0.0 { extra_pos_nm } else { extra_neg_nm };
        // Free update with implicit viscous friction, then the dry impulse against the motion.
        let w_free = (inertia_kg_m2 * w + dt_s * applied_nm) / denom;
        let plain = self.dry_magnitude(w);
        let dry = (plain + extra) * direction;
        let w_new = w_free - dt_s * dry / denom;
        if w_new * direction < 0.0 || (w == 0.0 && w_new * direction <= 0.0) {
            // The dry impulse would reverse the motion: the rotor stops within the step.
            return (0.0, applied_nm + inertia_kg_m2 * w / dt_s, plain);
        }
        let friction = applied_nm - inertia_kg_m2 * (w_new - w) / dt_s;
        (w_new, friction, plain)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const F: StribeckFriction = StribeckFriction {
        coulomb_nm: 0.1,
        static_nm: 0.15,
        stribeck_velocity_rad_per_s: 1.0,
        viscous_nm_s_per_rad: 0.01,
    };

    #[test]
    fn stopped_rotor_stays_stopped_below_breakaway() {
        let (w, f) = F.step_velocity(0.0, 0.149, 1e-4, 5e-5);
        assert_eq!(w, 0.0);
        assert!((f - 0.149).abs() < 1e-15);
    }

    #[test]
    fn friction_never_reverses_motion() {
        // A fast-decelerating rotor with no applied torque stops at exactly zero.
        let mut w = 0.01;
        for _ in 0..100 {
            (w, _) = F.step_velocity(w, 0.0, 1e-4, 5e-5);
            assert!(w >= 0.0);
        }
        assert_eq!(w, 0.0);
    }

    #[test]
    fn steady_sliding_balances_coulomb_plus_viscous() {
        // Constant applied torque 0.3: steady speed where 0.1 + (0.05 e^{-w²}) + 0.01 w = 0.3, i.e. w ≈ 20.
        let mut w = 1.0;
        for _ in 0..2_000_000 {
            (w, _) = F.step_velocity(w, 0.3, 1e-4, 5e-5);
        }
        assert!((F.torque(w) - 0.3).abs() < 1e-9, "{}", F.torque(w));
    }
}
