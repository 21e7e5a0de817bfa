//! exo-control's configurations through serde (its `serde` feature), as a firmware or a tool would store them.

use exo_control::assist::{
    AdaptiveOscillatorConfig, AssistanceConfig, HeelStrikePhaseConfig, PhaseEstimatorConfig, Profile, SplineProfile,
    TableProfile,
};
use exo_control::pid::{AntiWindup, PidConfig};
use exo_control::sea::{SeaTorqueConfig, TorqueSource};
use nalgebra::SVector;

fn assistance() -> AssistanceConfig<f64, 2> {
    let hip = Profile::Spline(SplineProfile {
        peak_torque_nm: 12.5,
        peak_time_pct: 52.0,
        rise_time_pct: 25.0,
        fall_time_pct: 10.0,
    });
    let knee = Profile::Table(TableProfile::new(&[(0.0, 0.0), (12.5, -4.25), (40.0, 0.0), (95.0, 1.5)]).unwrap());
    let pi =
        PidConfig::new(3.0, 40.0, 0.0, 60.0).with_anti_windup(AntiWindup::BackCalculation { tracking_time_s: 0.05 });
    AssistanceConfig {
        profiles: [hip, knee],
        phase: PhaseEstimatorConfig::HeelStrike(HeelStrikePhaseConfig {
            strides_averaged: 3,
            min_stride_s: 0.5,
            max_stride_s: 2.5,
            min_swing_s: 0.2,
        }),
        oscillator_joint: [0, 0],
        torque_loop: Some(SeaTorqueConfig {
            spring_stiffness_nm_per_rad: SVector::from([272.0, 272.0]),
            torque_source: TorqueSource::SpringDeflection,
            torque_loop: [pi, pi],
            feedforward_gain: SVector::repeat(1.0),
            motor_damping_nm_s_per_rad: SVector::from([8.0, 6.0]),
        }),
        assistance_gain: 0.75,
    }
}

#[test]
fn assistance_config_round_trips_through_toml_unchanged() {
    let config = assistance();
    config.validate().unwrap();
    let text = toml::to_string(&config).unwrap();
    let back: AssistanceConfig<f64, 2> = toml::from_str(&text).unwrap();
    assert_eq!(back, config, "{text}");
    // The table is stored as its points, readable by a person.
    assert!(text.contains("[12.5, -4.25]"), "{text}");

    let oscillator = AssistanceConfig {
        phase: PhaseEstimatorConfig::Oscillator(AdaptiveOscillatorConfig::walking()),
        torque_loop: None,
        profiles: [Profile::Zero, config.profiles[1]],
        ..config
    };
    let back: AssistanceConfig<f64, 2> = toml::from_str(&toml::to_string(&oscillator).unwrap()).unwrap();
    assert_eq!(back, oscillator);
}

#[derive(serde::Deserialize, Debug)]
struct Holder {
    #[allow(dead_code, reason = "only parsed")]
    table: TableProfile<f64>,
}

#[test]
fn a_bad_table_is_refused_when_read_naming_the_field() {
    let err = toml::from_str::<Holder>("table = [[0.0, 1.0], [50.0, 2.0], [50.0, 3.0]]").unwrap_err().to_string();
    assert!(err.contains("phase_pct") && err.contains("strictly increasing"), "{err}");
    let err = toml::from_str::<Holder>("table = [[0.0, 1.0]]").unwrap_err().to_string();
    assert!(err.contains("points"), "{err}");
    let too_many: Vec<String> = (0..33).map(|i| format!("[{}.0, 0.0]", i)).collect();
    let err = toml::from_str::<Holder>(&format!("table = [{}]", too_many.join(", "))).unwrap_err().to_string();
    assert!(err.contains("2 to 32"), "{err}");
    assert!(toml::from_str::<Holder>("table = [[0.0, 1.0], [60.0, -1.0]]").is_ok());
}

#[test]
fn an_unknown_key_in_an_assistance_config_is_an_error() {
    let mut text = toml::to_string(&assistance()).unwrap();
    text = text.replace("assistance_gain", "assistance_gian");
    let err = toml::from_str::<AssistanceConfig<f64, 2>>(&text).unwrap_err().to_string();
    assert!(err.contains("assistance_gian"), "{err}");
}
