//! Every law of the crate, built with representative configurations, for the property and allocation tests.
//! `zoo_covers_every_law` (in each test file that uses it) fails when a law in [`exo_control::LAWS`] is missing.
#![allow(dead_code)]

use exo_control::assist::{
    AdaptiveOscillatorConfig, AssistanceConfig, HeelStrikePhaseConfig, PhaseEstimatorConfig, Profile, SplineProfile,
    TableProfile,
};
use exo_control::sea::{SeaTorqueConfig, TorqueSource};
use exo_control::{
    Admittance, AdmittanceConfig, Assistance, ControlLaw, GravityLink, GravityModelConfig, JointImpedance,
    JointImpedanceConfig, JointPid, NoControl, PidConfig, SVector, SeaTorque, ZeroTorque,
};

/// A gravity model of `N` links in a chain, each 1 kg with its centre of mass 0.2 m down the link.
pub(crate) fn chain_gravity<const N: usize>() -> GravityModelConfig<f64, N> {
    let mut g = GravityModelConfig::<f64, N>::default();
    for (j, l) in g.links.iter_mut().enumerate() {
        *l = GravityLink {
            parent: j.checked_sub(1).map(|p| p as u8),
            joint_m: if j == 0 { [0.0, 0.0] } else { [0.0, -0.4] },
            mass_kg: 1.0,
            com_m: [0.0, -0.2],
            axis_sign: 1.0,
        };
    }
    g
}

/// A series-elastic loop configuration.
pub(crate) fn sea_config<const N: usize>(source: TorqueSource, pid: PidConfig<f64>, b: f64) -> SeaTorqueConfig<f64, N> {
    SeaTorqueConfig {
        spring_stiffness_nm_per_rad: SVector::repeat(300.0),
        torque_source: source,
        torque_loop: [pid; N],
        feedforward_gain: SVector::repeat(1.0),
        motor_damping_nm_s_per_rad: SVector::repeat(b),
    }
}

/// Every law, as `(name, law)`, with gains `k`, `b` and output limit `lim` where a law has them. Laws that can
/// be configured in materially different ways appear once per way (gravity on/off, torque source, estimator).
pub(crate) fn every_law<const N: usize>(k: f64, b: f64, lim: f64) -> Vec<Box<dyn ControlLaw<f64, N>>> {
    let pid = PidConfig::new(k.min(500.0), 10.0, b.min(5.0), lim);
    let adm = |gravity| AdmittanceConfig::<f64, N> {
        virtual_inertia_kg_m2: SVector::repeat(0.2),
        virtual_damping_nm_s_per_rad: SVector::repeat(b),
        virtual_stiffness_nm_per_rad: SVector::repeat(k),
        interaction_deadband_nm: SVector::repeat(0.1),
        position_min_rad: SVector::repeat(-1.0),
        position_max_rad: SVector::repeat(1.0),
        velocity_limit_rad_per_s: SVector::repeat(3.0),
        position_loop: [pid; N],
        gravity,
    };
    let spline = Profile::Spline(SplineProfile {
        peak_torque_nm: 30.0,
        peak_time_pct: 50.0,
        rise_time_pct: 25.0,
        fall_time_pct: 10.0,
    });
    let table = Profile::Table(TableProfile::new(&[(0.0, 0.0), (50.0, 10.0), (80.0, 0.0)]).unwrap());
    let profiles: [Profile<f64>; N] = core::array::from_fn(|j| if j % 2 == 0 { spline } else { table });
    let heel = PhaseEstimatorConfig::HeelStrike(HeelStrikePhaseConfig {
        strides_averaged: 3,
        min_stride_s: 1e-3,
        max_stride_s: 3.0,
        min_swing_s: 0.05,
    });
    let osc = PhaseEstimatorConfig::Oscillator(AdaptiveOscillatorConfig::walking());
    let sensor = sea_config::<N>(TorqueSource::Sensor, pid, b);
    let springs = sea_config::<N>(TorqueSource::SpringDeflection, pid, b);
    vec![
        Box::new(NoControl),
        Box::new(ZeroTorque::new(sensor).unwrap()),
        Box::new(SeaTorque::new(sensor).unwrap()),
        Box::new(SeaTorque::new(springs).unwrap()),
        Box::new(JointImpedance::new(JointImpedanceConfig::diagonal(k, b, lim)).unwrap()),
        Box::new(JointImpedance::new(JointImpedanceConfig::diagonal(k, b, lim).with_gravity(chain_gravity())).unwrap()),
        Box::new(Admittance::new(adm(None)).unwrap()),
        Box::new(Admittance::new(adm(Some(chain_gravity()))).unwrap()),
        Box::new(JointPid::new([pid; N]).unwrap()),
        Box::new(JointPid::with_gravity([pid; N], chain_gravity()).unwrap()),
        Box::new(
            Assistance::new(AssistanceConfig {
                profiles,
                phase: heel,
                oscillator_joint: [0; N],
                torque_loop: Some(springs),
                assistance_gain: 1.0,
            })
            .unwrap(),
        ),
        Box::new(
            Assistance::new(AssistanceConfig {
                profiles,
                phase: osc,
                oscillator_joint: [0; N],
                torque_loop: None,
                assistance_gain: 1.0,
            })
            .unwrap(),
        ),
    ]
}

/// Asserts that the zoo holds every law the crate lists, and nothing it does not list.
pub(crate) fn assert_covers_every_law() {
    let zoo = every_law::<2>(10.0, 1.0, 20.0);
    let names: std::collections::BTreeSet<&str> = zoo.iter().map(|l| l.name()).collect();
    let listed: std::collections::BTreeSet<&str> = exo_control::LAWS.iter().copied().collect();
    assert_eq!(names, listed, "the test zoo and exo_control::LAWS differ");
}
