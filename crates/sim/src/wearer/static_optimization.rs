//! Muscle redundancy: sharing the joint torques among the muscles by static optimization.
//!
//! For one instant, with each muscle's force linear in its activation (`F = a F_active + F_passive`, rigid tendon,
//! [`super::MuscleTendon`]) and its moment arms `r_ij`, find activations `a` and reserve torques `R` that minimise
//! `Σ a_i² + Σ (R_j / R_opt_j)²` subject to `Σ_i r_ij F_i + R_j = τ_j` on every coordinate, with
//! `a_min ≤ a ≤ 1`. The exponent is 2, as OpenSim's `StaticOptimization` defaults to, with the reserves in the cost
//! as OpenSim treats them (each an actuator of optimal force `R_opt` whose control is `R / R_opt`). Eliminating
//! the reserves leaves a bound-constrained, strictly convex quadratic in `a`,
//! `min aᵀa + |W (τ' - M a)|²` with `M_ji = r_ij F_active_i`, `τ' = τ - Σ r F_passive` and `W = diag(1/R_opt)`,
//! solved exactly by a primal active-set method (finitely many steps), warm-started from the previous instant.
//! Each step's minimiser over the free activations comes from a Cholesky solve of one equation per coordinate
//! (the push-through identity), not one per muscle.

use nalgebra::{DMatrix, DVector};

/// Activations and reserves of one instant, and how the solve went.
#[derive(Clone, Debug, PartialEq)]
pub struct Sharing {
    /// Muscle activations, one per muscle.
    pub activation: Vec<f64>,
    /// Reserve torques, one per coordinate (N m or N): what the muscles could not supply at that cost.
    pub reserve: Vec<f64>,
    /// Active-set iterations used.
    pub iterations: usize,
}

/// Why a sharing could not be computed.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum SharingError {
    /// The inputs do not fit together.
    #[error("static optimization: {0}")]
    Shape(String),
    /// The active-set method did not finish (should not happen for a strictly convex problem).
    #[error("static optimization did not converge in {0} iterations")]
    NoConvergence(usize),
}

/// Solves one instant. `moment_arm[j][i]`: muscle `i`'s moment arm about coordinate `j` (m, or m/m);
/// `active_n[i]`, `passive_n[i]`: its force along the tendon at full activation (active part) and its passive force,
/// N; `torque[j]`: the generalised force to supply; `reserve_optimal[j]`: the reserve's optimal force;
/// `min_activation`: the lower bound; `warm`: the previous activations, if any.
///
/// # Errors
/// Mismatched lengths, a non-positive reserve optimal force, a minimum activation outside `[0, 1)`, or (not
/// expected) no convergence.
pub fn share(
    moment_arm: &[Vec<f64>],
    active_n: &[f64],
    passive_n: &[f64],
    torque: &[f64],
    reserve_optimal: &[f64],
    min_activation: f64,
    warm: Option<&[f64]>,
) -> Result<Sharing, SharingError> {
    let (nc, nm) = (torque.len(), active_n.len());
    if moment_arm.len() != nc
        || reserve_optimal.len() != nc
        || passive_n.len() != nm
        || moment_arm.iter().any(|r| r.len() != nm)
    {
        return Err(SharingError::Shape(format!("{nc} coordinates and {nm} muscles do not match the arrays given")));
    }
    if !(0.0..1.0).contains(&min_activation) {
        return Err(SharingError::Shape(format!("the minimum activation {min_activation} must be in [0, 1)")));
    }
    if reserve_optimal.iter().any(|r| !(*r > 0.0)) {
        return Err(SharingError::Shape("every reserve needs a positive optimal force".into()));
    }
    // W M and W τ'.
    let m = DMatrix::from_fn(nc, nm, |j, i| moment_arm[j][i] * active_n[i] / reserve_optimal[j]);
    let t = DVector::from_fn(nc, |j, _| {
        (torque[j] - (0..nm).map(|i| moment_arm[j][i] * passive_n[i]).sum::<f64>()) / reserve_optimal[j]
    });
    // Cost aᵀ H a - 2 cᵀ a + const with H = I + MᵀM, c = Mᵀ τ'. With the bound activations fixed, the free ones'
    // minimiser solves (I + M_fᵀ M_f) a_f = M_fᵀ (τ' - M_b a_b); by the push-through identity a_f = M_fᵀ y with
    // (I + M_f M_fᵀ) y = τ' - M_b a_b: a system of one equation per coordinate, not per muscle.
    let (lo, hi) = (min_activation, 1.0);
    let mut a = DVector::from_fn(nm, |i, _| warm.map_or(lo, |w| w.get(i).copied().unwrap_or(lo)).clamp(lo, hi));
    // Bound set: 0 free, -1 at the lower bound, +1 at the upper.
    let mut bound: Vec<i8> = (0..nm)
        .map(|i| {
            if a[i] <= lo {
                -1
            } else if a[i] >= hi {
                1
            } else {
                0
            }
        })
        .collect();
    const TOL: f64 = 1e-12;
    let max_iterations = 50 * (nm + 1);
    let mut target = DVector::zeros(nm);
    for iteration in 1..=max_iterations {
        // The minimiser over the free activations with the bound ones fixed.
        target.copy_from(&a);
        if bound.contains(&0) {
            let mut k = DMatrix::identity(nc, nc);
            let mut r = t.clone();
            for i in 0..nm {
                if bound[i] == 0 {
                    for j in 0..nc {
                        for l in 0..=j {
                            k[(j, l)] += m[(j, i)] * m[(l, i)];
                        }
                    }
                } else {
                    for j in 0..nc {
                        r[j] -= m[(j, i)] * a[i];
                    }
                }
            }
            for j in 0..nc {
                for l in 0..j {
                    k[(l, j)] = k[(j, l)];
                }
            }
            let y =
                k.cholesky().ok_or_else(|| SharingError::Shape("the cost is not positive definite".into()))?.solve(&r);
            for i in (0..nm).filter(|&i| bound[i] == 0) {
                target[i] = (0..nc).map(|j| m[(j, i)] * y[j]).sum();
            }
        }
        // Step towards it as far as the bounds allow.
        let mut step = 1.0;
        let mut blocking = None;
        for i in (0..nm).filter(|&i| bound[i] == 0) {
            let d = target[i] - a[i];
            let room = if d < 0.0 {
                (lo - a[i]) / d
            } else if d > 0.0 {
                (hi - a[i]) / d
            } else {
                f64::INFINITY
            };
            if room < step {
                step = room;
                blocking = Some((i, if d < 0.0 { -1 } else { 1 }));
            }
        }
        for i in (0..nm).filter(|&i| bound[i] == 0) {
            a[i] += step * (target[i] - a[i]);
        }
        if let Some((i, side)) = blocking {
            a[i] = if side < 0 { lo } else { hi };
            bound[i] = side;
            continue;
        }
        // At the minimiser of the free set: release a bound activation whose gradient points into the box.
        // g = H a - c = a + Mᵀ (M a - τ').
        let excess = &m * &a - &t;
        let g = &a + m.tr_mul(&excess);
        let release = (0..nm)
            .filter(|&i| (bound[i] < 0 && g[i] < -TOL) || (bound[i] > 0 && g[i] > TOL))
            .max_by(|&x, &y| g[x].abs().total_cmp(&g[y].abs()));
        match release {
            Some(i) => bound[i] = 0,
            None => {
                let reserve = (0..nc).map(|j| -excess[j] * reserve_optimal[j]).collect();
                return Ok(Sharing { activation: a.iter().copied().collect(), reserve, iterations: iteration });
            }
        }
    }
    Err(SharingError::NoConvergence(max_iterations))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_equal_muscles_share_a_torque_equally_and_the_reserve_takes_the_rest() {
        // One joint, two identical muscles of 1000 N at 0.05 m: 20 N m needs 400 N in total. With the reserve in
        // the cost (optimal force 1 N m), min 2a² + (20 - 100 a)² gives 4a = 200 (20 - 100 a): a = 4000 / 20004 each.
        let s = share(&[vec![0.05, 0.05]], &[1000.0, 1000.0], &[0.0, 0.0], &[20.0], &[1.0], 0.0, None).unwrap();
        let a = 4000.0 / 20004.0;
        assert!((s.activation[0] - a).abs() < 1e-12 && (s.activation[1] - a).abs() < 1e-12, "{s:?}");
        assert!((s.reserve[0] - (20.0 - 100.0 * a)).abs() < 1e-10);
        // A torque beyond the muscles' reach: both saturate at 1 and the reserve supplies the rest.
        let s = share(&[vec![0.05, 0.05]], &[1000.0, 1000.0], &[0.0, 0.0], &[150.0], &[1.0], 0.0, None).unwrap();
        assert_eq!(s.activation, vec![1.0, 1.0]);
        assert!((s.reserve[0] - 50.0).abs() < 1e-9);
        // An opposing torque: the muscles cannot push, they stay at the lower bound.
        let s = share(&[vec![0.05, 0.05]], &[1000.0, 1000.0], &[0.0, 0.0], &[-10.0], &[1.0], 0.01, None).unwrap();
        assert_eq!(s.activation, vec![0.01, 0.01]);
        assert!((s.reserve[0] - (-10.0 - 1.0)).abs() < 1e-9);
    }

    #[test]
    fn bad_shapes_are_errors() {
        assert!(matches!(
            share(&[vec![0.05]], &[1.0, 2.0], &[0.0, 0.0], &[1.0], &[1.0], 0.0, None),
            Err(SharingError::Shape(_))
        ));
        assert!(matches!(share(&[vec![0.05]], &[1.0], &[0.0], &[1.0], &[0.0], 0.0, None), Err(SharingError::Shape(_))));
    }
}
