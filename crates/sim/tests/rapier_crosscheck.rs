//! The planar articulated-body engine against rapier3d's multibody joints on the reference leg.
//!
//! rapier works in f32 with a first-order solver: per `docs/bench/rapier-notes.md` it stays within about 1e-3 rad of
//! an exact solution over the first 0.1 s at 4 substeps. The comparison checks that both engines describe the
//! same model (same initial energy, same early motion, same pd-hold equilibrium); accuracy is judged against the
//! independent Lagrangian in tests/reference_leg.rs.
#![cfg(feature = "rapier")]

use exo_sim::rapier::RapierLeg;
use exo_sim::reference_leg::{INITIAL_Q_RAD, Method, PdHold, ReferenceLeg};

#[test]
fn both_engines_start_from_the_same_energy() {
    let rapier = RapierLeg::new(INITIAL_Q_RAD, 1e-3, 4);
    let mut ours = ReferenceLeg::new(Method::Rk4);
    let e = ours.energy(&ReferenceLeg::initial_state());
    // f32 positions: 1e-4 relative.
    assert!((rapier.energy() - e).abs() < 1e-4 * e.abs(), "{} vs {e}", rapier.energy());
    let q = rapier.q();
    for j in 0..3 {
        assert!((q[j] - INITIAL_Q_RAD[j]).abs() < 1e-5, "{q:?}");
    }
}

#[test]
fn passive_swing_agrees_over_the_first_tenth_of_a_second() {
    let mut rapier = RapierLeg::new(INITIAL_Q_RAD, 1e-3, 4);
    let mut ours = ReferenceLeg::new(Method::Rk4);
    let mut s = ReferenceLeg::initial_state();
    let mut worst: f64 = 0.0;
    for _ in 0..100 {
        rapier.step([0.0; 3]);
        ours.step(&mut s, 1e-3, [0.0; 3]);
        let q = rapier.q();
        for j in 0..3 {
            worst = worst.max((q[j] - s.q[j]).abs());
        }
    }
    eprintln!("rapier (4 substeps) vs planar RK4 over 0.1 s: max joint angle difference {worst:.2e} rad");
    // docs/bench/rapier-notes.md: 9e-4 rad against an f64 RK4 over 0.1 s at 4 substeps; allow 2e-3.
    assert!(worst < 2e-3, "{worst}");
}

#[test]
fn pd_hold_reaches_the_same_equilibrium() {
    let pd = PdHold::REFERENCE;
    let mut rapier = RapierLeg::new(INITIAL_Q_RAD, 1e-3, 4);
    let mut ours = ReferenceLeg::new(Method::Rk4);
    let mut s = ReferenceLeg::initial_state();
    for _ in 0..5000 {
        let q = rapier.q();
        let qd = rapier.qd();
        let tau: [f64; 3] = core::array::from_fn(|j| pd.kp[j] * (pd.q_ref[j] - q[j]) - pd.kd[j] * qd[j]);
        rapier.step(tau);
        let tau = pd.torque(&s);
        ours.step(&mut s, 1e-3, tau);
    }
    let q = rapier.q();
    for j in 0..3 {
        // rapier-notes.md: within 2e-6 rad of the reference; f32 state, allow 1e-4.
        assert!((q[j] - s.q[j]).abs() < 1e-4, "joint {j}: rapier {} vs planar {}", q[j], s.q[j]);
    }
}
