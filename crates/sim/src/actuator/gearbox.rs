//! Gear mesh: backlash dead band with contact stiffness and damping. (Efficiency losses are load-dependent
//! friction at the rotor: see `Actuator::advance`.)

/// Torque the mesh transmits to the output for deflection `delta_rad` (input angle over the ratio minus output
/// angle) and deflection rate `delta_rate_rad_per_s`, with a total dead band of `backlash_rad`.
///
/// Inside the dead band the teeth do not touch and the torque is exactly zero; in contact the torque is
/// `k (|δ| - b/2) + c δ'`, clipped so that damping can push but never pull the teeth together.
#[inline]
#[must_use]
pub fn backlash_torque(delta_rad: f64, delta_rate_rad_per_s: f64, backlash_rad: f64, k: f64, c: f64) -> f64 {
    let half = 0.5 * backlash_rad;
    if delta_rad > half {
        (k * (delta_rad - half) + c * delta_rate_rad_per_s).max(0.0)
    } else if delta_rad < -half {
        (k * (delta_rad + half) + c * delta_rate_rad_per_s).min(0.0)
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_torque_anywhere_inside_the_dead_band() {
        for i in -100..=100 {
            let delta = f64::from(i) * 0.005e-2 / 100.0 * 0.999;
            assert_eq!(backlash_torque(delta, 3.0, 0.01e-2, 1e4, 10.0), 0.0);
        }
        assert!((backlash_torque(0.01, 0.0, 0.01, 1e4, 10.0) - 50.0).abs() < 1e-9);
        assert!((backlash_torque(-0.01, 0.0, 0.01, 1e4, 10.0) + 50.0).abs() < 1e-9);
    }

    #[test]
    fn damping_never_pulls_the_teeth_together() {
        // Separating fast just after contact: the spring says +1e-2 N m, damping says -10 N m: clipped to 0.
        assert_eq!(backlash_torque(0.0050001, -1.0, 0.01, 10.0, 10.0), 0.0);
    }
}
